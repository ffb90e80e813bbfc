/* test_db.c — the database through its public API (include/hpamp/db.h). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <hpamp/db.h>

static hpa_db *builtin(void)
{
    hpa_db *db = NULL;
    assert_int_equal(hpa_db_create(&db), HPA_OK);
    assert_non_null(db);
    return db;
}

/* count the data lines of a built-in table: lines that are not the header,
 * blank or comments (the built-in files have no line breaks inside fields) */
static size_t data_lines(const char *t, size_t len)
{
    size_t n = 0, lines = 0, i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && t[e] != '\n')
            e++;
        if (e > i && t[i] != '#') {
            if (lines++)
                n++;
        }
        i = e + 1;
    }
    return n;
}

/* ---- the built-in data ---- */

static void test_builtin_loads_clean(void **state)
{
    (void)state;
    hpa_db *db;
    assert_int_equal(hpa_db_create_empty(&db), HPA_OK);
    assert_int_equal(hpa_db_count(db, HPA_DB_HEADPHONES), 0);
    hpa_db_diag items[16];
    for (int k = HPA_DB_HEADPHONES; k <= HPA_DB_SOURCES; k++) {
        hpa_db_diags d = {items, 16, 0, 0};
        size_t len, added = 0;
        const char *t = hpa_db_builtin_text((hpa_db_kind)k, &len);
        assert_non_null(t);
        assert_int_equal(strlen(t), len);
        assert_int_equal(hpa_db_add_text(db, (hpa_db_kind)k, t, len, "built-in", &d, &added), HPA_OK);
        for (size_t i = 0; i < d.count; i++)
            print_error("%s:%u: %s\n", d.items[i].origin, d.items[i].line, d.items[i].message);
        assert_int_equal(d.total, 0);
        /* every data line became an entry */
        assert_int_equal(added, data_lines(t, len));
        assert_int_equal(hpa_db_count(db, (hpa_db_kind)k), added);
    }
    assert_null(hpa_db_builtin_text(HPA_DB_ANY, NULL));
    hpa_db_destroy(db);
}

static void test_counts(void **state)
{
    (void)state;
    hpa_db *db = builtin();
    size_t n_hp = hpa_db_count(db, HPA_DB_HEADPHONES), n_src = hpa_db_count(db, HPA_DB_SOURCES);
    size_t types[5] = {0}, drivers[6] = {0}, kinds[8] = {0}, z16 = 0, z600 = 0, sh6 = 0;
    for (size_t i = 0; i < n_hp; i++) {
        const hpa_db_headphone *h = hpa_db_headphone_at(db, i);
        types[h->type]++;
        drivers[h->driver]++;
        if (h->type == HPA_DB_TYPE_OVER_EAR && h->driver == HPA_DB_DRIVER_DYNAMIC) {
            z16 += h->impedance_ohm <= 20;
            z600 += h->impedance_ohm >= 600;
        }
    }
    for (size_t i = 0; i < n_src; i++) {
        const hpa_db_source *s = hpa_db_source_at(db, i);
        kinds[s->kind]++;
        sh6 += !strcmp(s->brand, "SMSL") && !strcmp(s->model, "SH-6");
    }
    printf("headphones %zu: over-ear %zu, on-ear %zu, iem %zu, earbud %zu; dynamic %zu, planar %zu, ba %zu, "
           "hybrid %zu\n",
           n_hp, types[1], types[2], types[3], types[4], drivers[1], drivers[2], drivers[3], drivers[4]);
    printf("sources %zu: phone %zu, dongle %zu, laptop %zu, dap %zu, portable-amp %zu, dac-amp %zu, "
           "desktop-amp %zu\n",
           n_src, kinds[1], kinds[2], kinds[3], kinds[4], kinds[5], kinds[6], kinds[7]);
    /* issue 3: at least 80 headphones, 30 sources, of every sort it names;
     * issue 15: at least 160 and 70 */
    assert_true(n_hp >= 160);
    assert_true(n_src >= 70);
    assert_true(types[HPA_DB_TYPE_IEM] >= 10);
    assert_true(types[HPA_DB_TYPE_EARBUD] >= 1);
    assert_true(types[HPA_DB_TYPE_OVER_EAR] >= 40);
    assert_true(drivers[HPA_DB_DRIVER_PLANAR] >= 10);
    assert_int_equal(types[HPA_DB_TYPE_UNKNOWN], 0);
    assert_true(z600 >= 2); /* dynamic over-ears from low to 600 ohm */
    assert_true(kinds[HPA_DB_SRC_PHONE] >= 3 && kinds[HPA_DB_SRC_DONGLE] >= 3 && kinds[HPA_DB_SRC_LAPTOP] >= 2);
    assert_true(kinds[HPA_DB_SRC_DAP] >= 1 && kinds[HPA_DB_SRC_PORTABLE_AMP] >= 3);
    assert_true(kinds[HPA_DB_SRC_DESKTOP_AMP] >= 5);
    assert_int_equal(kinds[HPA_DB_SRC_UNKNOWN], 0);
    assert_int_equal(sh6, 1);
    (void)z16;
    hpa_db_destroy(db);
}

static int is_slug(const char *s)
{
    if (!*s || *s == '-')
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || (*s == '-' && s[1] && s[1] != '-')))
            return 0;
    return 1;
}

static void test_citations_and_ids(void **state)
{
    (void)state;
    hpa_db *db = builtin();
    for (int k = HPA_DB_HEADPHONES; k <= HPA_DB_SOURCES; k++) {
        size_t n = hpa_db_count(db, (hpa_db_kind)k);
        for (size_t i = 0; i < n; i++) {
            const char *id, *source, *origin;
            if (k == HPA_DB_HEADPHONES) {
                const hpa_db_headphone *h = hpa_db_headphone_at(db, i);
                id = h->id, source = h->source, origin = h->origin;
            } else {
                const hpa_db_source *s = hpa_db_source_at(db, i);
                id = s->id, source = s->source, origin = s->origin;
            }
            /* every fact carries where it came from, tagged as SOURCES.md says */
            if (strncmp(source, "cross-checked", 13) != 0 && strncmp(source, "single-source", 13) != 0)
                fail_msg("%s: source '%.60s' is not tagged cross-checked/single-source", id, source);
            assert_true(is_slug(id));
            assert_string_equal(origin, "built-in");
            /* ids are unique within the table */
            for (size_t j = 0; j < i; j++) {
                const char *other = k == HPA_DB_HEADPHONES ? hpa_db_headphone_at(db, j)->id
                                                           : hpa_db_source_at(db, j)->id;
                if (!strcmp(id, other))
                    fail_msg("id %s twice", id);
            }
        }
    }
    assert_null(hpa_db_headphone_at(db, hpa_db_count(db, HPA_DB_HEADPHONES)));
    assert_null(hpa_db_source_at(db, 100000));
    hpa_db_destroy(db);
}

static const hpa_db_headphone *hp_by_id(const hpa_db *db, const char *id)
{
    for (size_t i = 0; i < hpa_db_count(db, HPA_DB_HEADPHONES); i++)
        if (!strcmp(hpa_db_headphone_at(db, i)->id, id))
            return hpa_db_headphone_at(db, i);
    fail_msg("no headphone %s", id);
    return NULL;
}

static const hpa_db_source *src_by_id(const hpa_db *db, const char *id)
{
    for (size_t i = 0; i < hpa_db_count(db, HPA_DB_SOURCES); i++)
        if (!strcmp(hpa_db_source_at(db, i)->id, id))
            return hpa_db_source_at(db, i);
    fail_msg("no source %s", id);
    return NULL;
}

/* values against data/headphones.csv and data/sources.csv as written there */
static void test_values(void **state)
{
    (void)state;
    hpa_db *db = builtin();
    const hpa_db_headphone *h = hp_by_id(db, "sennheiser-hd-650");
    assert_string_equal(h->brand, "Sennheiser");
    assert_string_equal(h->model, "HD 650");
    assert_int_equal(h->type, HPA_DB_TYPE_OVER_EAR);
    assert_int_equal(h->driver, HPA_DB_DRIVER_DYNAMIC);
    assert_int_equal(h->back, HPA_DB_BACK_OPEN);
    assert_true(h->impedance_ohm == 300 && h->sensitivity_db_v == 103 && h->mv_for_94db == 288);
    assert_true(h->impedance_peak_ohm == 480 && h->impedance_peak_hz == 100);
    assert_true(isnan(h->sensitivity_db_mw) && isnan(h->max_input_mw));
    assert_int_equal(h->active, 0);
    assert_non_null(strstr(h->source, "[SL-ASR]"));
    assert_true(hp_by_id(db, "campfire-audio-andromeda-emerald-sea")->impedance_ohm == 6.375);
    assert_true(hp_by_id(db, "grado-sr80x")->sensitivity_db_mw == 99.8);
    assert_int_equal(hp_by_id(db, "beyerdynamic-dt-880-600-ohm")->back, HPA_DB_BACK_SEMI);
    assert_int_equal(hp_by_id(db, "sony-ier-m9")->driver, HPA_DB_DRIVER_BA);
    assert_int_equal(hp_by_id(db, "hifiman-susvara")->driver, HPA_DB_DRIVER_PLANAR);
    /* noise-cancelling headphones are recognisable */
    assert_int_equal(hp_by_id(db, "bose-quietcomfort-35-ii")->active, 1);
    assert_int_equal(hp_by_id(db, "sony-wh-1000xm4")->active, 1);
    assert_int_equal(hp_by_id(db, "sennheiser-momentum-3-wireless-passive")->active, 0);

    const hpa_db_source *s = src_by_id(db, "smsl-sh-6");
    assert_int_equal(s->kind, HPA_DB_SRC_DESKTOP_AMP);
    assert_int_equal(s->output, HPA_DB_OUTPUT_SE);
    assert_true(s->power_mw_32 == 1300 && s->snr_db == 134);
    assert_int_equal(s->n_gains, 2);
    assert_true(s->gain_db[0] == 0 && s->gain_db[1] == 15.5);
    assert_string_equal(s->gain_settings, "0 / +15.5");
    assert_int_equal(s->battery, 0);
    assert_true(isnan(s->vout_max_rms_v) && isnan(s->zout_ohm) && isnan(s->imax_ma));
    s = src_by_id(db, "topping-l30-ii");
    assert_int_equal(s->n_gains, 3);
    assert_true(s->gain_db[0] == -14 && s->gain_db[1] == 0 && s->gain_db[2] == 16.5);
    assert_int_equal(src_by_id(db, "rme-adi-2-dac-fs-phones-out-hi-power")->n_gains, 0); /* "Hi/Lo Power" */
    assert_int_equal(src_by_id(db, "matrix-audio-mini-i-pro-3")->n_gains, 0);            /* "+19.1 overall" */
    s = src_by_id(db, "chord-hugo-2");
    assert_true(s->zout_ohm == 0.025 && s->vout_max_rms_v == 4.57 && s->battery == 1);
    assert_int_equal(s->kind, HPA_DB_SRC_PORTABLE_AMP);
    assert_int_equal(src_by_id(db, "dethonray-listening-m1")->battery, -1);
    assert_true(src_by_id(db, "apple-iphone-6")->vout_max_rms_v == 1.007);
    assert_true(src_by_id(db, "apple-iphone-6")->vout_load_ohm == 330);
    assert_int_equal(src_by_id(db, "fiio-k19-bal")->output, HPA_DB_OUTPUT_BAL);
    hpa_db_destroy(db);
}

/* ---- lookup ---- */

static void expect_one(const hpa_db *db, hpa_db_kind kinds, const char *name, hpa_db_kind kind, const char *id)
{
    hpa_db_match m;
    assert_int_equal(hpa_db_lookup(db, kinds, name, &m), HPA_OK);
    if (m.how == HPA_DB_MATCH_NONE || m.total != 1)
        fail_msg("'%s': how %d, total %zu (want %s)", name, m.how, m.total, id);
    assert_int_equal(m.n, 1);
    assert_int_equal(m.refs[0].kind, kind);
    const char *got = kind == HPA_DB_HEADPHONES ? hpa_db_headphone_at(db, m.refs[0].index)->id
                                                : hpa_db_source_at(db, m.refs[0].index)->id;
    if (strcmp(got, id) != 0)
        fail_msg("'%s' found %s, want %s", name, got, id);
}

static void test_lookup_forgiving(void **state)
{
    (void)state;
    hpa_db *db = builtin();
    const char *hd600[] = {"hd600",
                           "HD-600",
                           "hd 600",
                           "HD 600",
                           "Hd600",
                           "sennheiser hd600",
                           "Sennheiser HD 600",
                           "SENNHEISER-HD-600",
                           "sennheiser-hd-600",
                           "  hd_600  "};
    for (size_t i = 0; i < sizeof hd600 / sizeof hd600[0]; i++) {
        expect_one(db, HPA_DB_ANY, hd600[i], HPA_DB_HEADPHONES, "sennheiser-hd-600");
        expect_one(db, HPA_DB_HEADPHONES, hd600[i], HPA_DB_HEADPHONES, "sennheiser-hd-600");
    }
    hpa_db_match m;
    assert_int_equal(hpa_db_lookup(db, HPA_DB_ANY, "HD-600", &m), HPA_OK);
    assert_int_equal(m.how, HPA_DB_MATCH_EXACT);
    /* an exact name wins over a longer one it starts */
    expect_one(db, HPA_DB_ANY, "hd800", HPA_DB_HEADPHONES, "sennheiser-hd-800");
    expect_one(db, HPA_DB_ANY, "hd 800 s", HPA_DB_HEADPHONES, "sennheiser-hd-800-s");
    expect_one(db, HPA_DB_ANY, "hd660s", HPA_DB_HEADPHONES, "sennheiser-hd-660s");
    expect_one(db, HPA_DB_ANY, "stealth", HPA_DB_HEADPHONES, "dan-clark-audio-stealth");
    /* a unique start or part of a name */
    expect_one(db, HPA_DB_ANY, "susv", HPA_DB_HEADPHONES, "hifiman-susvara");
    expect_one(db, HPA_DB_ANY, "emerald sea", HPA_DB_HEADPHONES, "campfire-audio-andromeda-emerald-sea");
    /* sources */
    expect_one(db, HPA_DB_ANY, "smsl sh6", HPA_DB_SOURCES, "smsl-sh-6");
    expect_one(db, HPA_DB_ANY, "SH-6", HPA_DB_SOURCES, "smsl-sh-6");
    expect_one(db, HPA_DB_ANY, "dawn pro bal", HPA_DB_SOURCES, "moondrop-dawn-pro-bal");
    expect_one(db, HPA_DB_ANY, "Moondrop Dawn Pro SE", HPA_DB_SOURCES, "moondrop-dawn-pro-se");
    expect_one(db, HPA_DB_SOURCES, "topping-a50-iii-bal", HPA_DB_SOURCES, "topping-a50-iii-bal");
    expect_one(db, HPA_DB_ANY, "iphone 6", HPA_DB_SOURCES, "apple-iphone-6");
    /* one device, two outputs: both, exactly */
    assert_int_equal(hpa_db_lookup(db, HPA_DB_ANY, "dawn pro", &m), HPA_OK);
    assert_int_equal(m.how, HPA_DB_MATCH_EXACT);
    assert_int_equal(m.total, 2);
    /* several entries start with it: ambiguous, all listed */
    assert_int_equal(hpa_db_lookup(db, HPA_DB_ANY, "hd 6", &m), HPA_OK);
    assert_int_equal(m.how, HPA_DB_MATCH_PREFIX);
    assert_true(m.total >= 4);
    assert_int_equal(hpa_db_lookup(db, HPA_DB_ANY, "sennheiser", &m), HPA_OK);
    assert_true(m.total > HPA_DB_MAX_MATCHES);
    assert_int_equal(m.n, HPA_DB_MAX_MATCHES);
    /* the table mask is honoured */
    assert_int_equal(hpa_db_lookup(db, HPA_DB_SOURCES, "hd600", &m), HPA_OK);
    assert_int_equal(m.how, HPA_DB_MATCH_NONE);
    /* nothing to look for */
    assert_int_equal(hpa_db_lookup(db, HPA_DB_ANY, " - ", &m), HPA_OK);
    assert_int_equal(m.how, HPA_DB_MATCH_NONE);
    assert_int_equal(m.n, 0);
    /* bad arguments */
    assert_int_equal(hpa_db_lookup(NULL, HPA_DB_ANY, "x", &m), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_db_lookup(db, HPA_DB_ANY, NULL, &m), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_db_lookup(db, (hpa_db_kind)0, "x", &m), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_db_lookup(db, (hpa_db_kind)4, "x", &m), HPA_ERR_INVALID_ARG);
    hpa_db_destroy(db);
}

static const char *ref_id(const hpa_db *db, hpa_db_ref r)
{
    return r.kind == HPA_DB_HEADPHONES ? hpa_db_headphone_at(db, r.index)->id : hpa_db_source_at(db, r.index)->id;
}

/* the lookup of name in both tables, which must have matched this way */
static hpa_db_match lookup_how(const hpa_db *db, const char *name, hpa_db_match_how how)
{
    hpa_db_match m;
    assert_int_equal(hpa_db_lookup(db, HPA_DB_ANY, name, &m), HPA_OK);
    if (m.how != how)
        fail_msg("'%s': matched how %d, want %d", name, m.how, how);
    return m;
}

/* Names whose words are in the entry's name, in any order, or name its
 * category: the README's "pixel dongle" and advise's 'apple usb-c us'. */
static void test_lookup_words(void **state)
{
    (void)state;
    hpa_db *db = builtin();
    /* "Google USB-C Digital to 3.5 mm adapter (Pixel)", a dongle */
    static const struct {
        const char *name, *id;
    } found[] = {
        {"Google Pixel", "google-usb-c-adapter-pixel"},
        /* "Apple USB-C to 3.5 mm Headphone Jack Adapter (US, A2049)" and its
         * EU twin: "us" is a word of the first only (a part of "usb-c" in both) */
        {"apple usb-c us", "apple-usb-c-adapter-us-a2049"},
        {"US apple USB-C", "apple-usb-c-adapter-us-a2049"},
        {"apple usb-c eu", "apple-usb-c-adapter-eu-a2155"},
        /* an output is a word of a source */
        {"moondrop dawn balanced", "moondrop-dawn-pro-bal"},
    };
    for (size_t i = 0; i < sizeof found / sizeof found[0]; i++) {
        lookup_how(db, found[i].name, HPA_DB_MATCH_WORDS);
        expect_one(db, HPA_DB_ANY, found[i].name, HPA_DB_SOURCES, found[i].id);
    }
    /* still ambiguous: both adapters have every word */
    assert_int_equal(lookup_how(db, "apple adapter usb-c", HPA_DB_MATCH_WORDS).total, 2);
    /* a word no entry has, or categories alone: nothing */
    lookup_how(db, "pixel amplifier", HPA_DB_MATCH_NONE);
    lookup_how(db, "balanced dongle", HPA_DB_MATCH_NONE);
    /* a whole-name match wins over words: "hd 600" is not every entry with "600" */
    lookup_how(db, "hd 600", HPA_DB_MATCH_EXACT);
    hpa_db_destroy(db);
}

static void expect_closest(const hpa_db *db, const char *typo, const char *id)
{
    hpa_db_match m;
    assert_int_equal(hpa_db_lookup(db, HPA_DB_ANY, typo, &m), HPA_OK);
    assert_int_equal(m.how, HPA_DB_MATCH_NONE);
    assert_int_equal(m.total, 0);
    assert_true(m.n >= 1 && m.n <= HPA_DB_CLOSEST);
    for (size_t i = 0; i < m.n; i++)
        if (!strcmp(ref_id(db, m.refs[i]), id))
            return;
    fail_msg("'%s': %s is not among the %zu closest (first %s)", typo, id, m.n, ref_id(db, m.refs[0]));
}

static void test_closest(void **state)
{
    (void)state;
    hpa_db *db = builtin();
    expect_closest(db, "hd6500", "sennheiser-hd-650");
    expect_closest(db, "hd6500", "sennheiser-hd-600");
    expect_closest(db, "sennhiser hd 600", "sennheiser-hd-600"); /* a letter missing */
    expect_closest(db, "sundra", "hifiman-sundara");
    expect_closest(db, "arya stelth", "hifiman-arya-stealth");
    expect_closest(db, "dt1909 pro", "beyerdynamic-dt-1990-pro-250-ohm"); /* transposed digits */
    expect_closest(db, "smsl sh7", "smsl-sh-6");
    /* the first suggestion for a one-letter typo is the intended entry */
    hpa_db_match m;
    assert_int_equal(hpa_db_lookup(db, HPA_DB_ANY, "susvarra", &m), HPA_OK);
    assert_string_equal(ref_id(db, m.refs[0]), "hifiman-susvara");
    /* nothing near: still the closest there are (issue 15: always offer some) */
    assert_int_equal(hpa_db_lookup(db, HPA_DB_ANY, "qqqqqqqqqqqq", &m), HPA_OK);
    assert_int_equal(m.how, HPA_DB_MATCH_NONE);
    assert_int_equal(m.n, HPA_DB_CLOSEST);
    /* an alias counts for the closest names too: "hd 6xy" is one letter off "HD 6XX" */
    assert_int_equal(hpa_db_lookup(db, HPA_DB_HEADPHONES, "hd 6xy", &m), HPA_OK);
    assert_int_equal(m.how, HPA_DB_MATCH_NONE);
    assert_string_equal(ref_id(db, m.refs[0]), "sennheiser-hd-650");
    hpa_db_destroy(db);
}

/* Issue 15: the names people use find their gear: every alias of the
 * built-in tables finds its entry (or, for a device with several modes, only
 * rows of that device), and the names the issue lists. */
static void test_aliases_and_issue_names(void **state)
{
    (void)state;
    hpa_db *db = builtin();
    size_t aliases = 0;
    for (int k = HPA_DB_HEADPHONES; k <= HPA_DB_SOURCES; k <<= 1) {
        size_t n = hpa_db_count(db, (hpa_db_kind)k);
        for (size_t i = 0; i < n; i++) {
            const char *al = k == HPA_DB_HEADPHONES ? hpa_db_headphone_at(db, i)->aliases
                                                    : hpa_db_source_at(db, i)->aliases;
            const char *mode = k == HPA_DB_SOURCES ? hpa_db_source_at(db, i)->mode_of : "";
            for (const char *p = al; *p;) {
                size_t len = strcspn(p, ";");
                char one[128];
                snprintf(one, sizeof one, "%.*s", (int)len, p);
                p += len + (p[len] == ';');
                hpa_db_match m;
                assert_int_equal(hpa_db_lookup(db, (hpa_db_kind)k, one, &m), HPA_OK);
                if (m.how != HPA_DB_MATCH_EXACT)
                    fail_msg("alias '%s': matched how %d, want exact", one, m.how);
                int self = 0;
                for (size_t j = 0; j < m.n; j++) {
                    self |= m.refs[j].index == i;
                    if (m.refs[j].index != i &&
                        (!*mode || strcmp(hpa_db_source_at(db, m.refs[j].index)->mode_of, mode) != 0))
                        fail_msg("alias '%s' also finds entry %zu", one, m.refs[j].index);
                }
                assert_true(self);
                aliases++;
            }
        }
    }
    assert_true(aliases >= 10);
    static const struct {
        const char *name;
        hpa_db_kind kind;
        const char *id; /* one entry; or the first of a device's modes */
    } names[] = {
        {"HD 6XX", HPA_DB_HEADPHONES, "sennheiser-hd-650"},
        {"hd6xx", HPA_DB_HEADPHONES, "sennheiser-hd-650"},
        {"pixel dongle", HPA_DB_SOURCES, "google-usb-c-adapter-pixel"},
        {"apple dongle", HPA_DB_SOURCES, "apple-usb-c-adapter-us-a2049"},
        {"Apple A2049", HPA_DB_SOURCES, "apple-usb-c-adapter-us-a2049"},
        {"HiFiMAN Ananda", HPA_DB_HEADPHONES, "hifiman-ananda"},
        {"Moondrop Blessing 3", HPA_DB_HEADPHONES, "moondrop-blessing-3"},
        {"Sony WH-1000XM5", HPA_DB_HEADPHONES, "sony-wh-1000xm5"},
        {"AirPods Max", HPA_DB_HEADPHONES, "apple-airpods-max"},
        {"iFi Zen DAC", HPA_DB_SOURCES, "ifi-zen-dac-3"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        hpa_db_match m;
        assert_int_equal(hpa_db_lookup(db, names[i].kind, names[i].name, &m), HPA_OK);
        if (m.how == HPA_DB_MATCH_NONE || m.n < 1)
            fail_msg("'%s' not found", names[i].name);
        const char *got = names[i].kind == HPA_DB_HEADPHONES ? hpa_db_headphone_at(db, m.refs[0].index)->id
                                                             : hpa_db_source_at(db, m.refs[0].index)->id;
        if (strcmp(got, names[i].id) != 0)
            fail_msg("'%s' found %s, want %s", names[i].name, got, names[i].id);
        /* several rows only when they are modes of one device */
        for (size_t j = 1; j < m.n; j++)
            assert_true(names[i].kind == HPA_DB_SOURCES &&
                        !strcmp(hpa_db_source_at(db, m.refs[j].index)->mode_of,
                                hpa_db_source_at(db, m.refs[0].index)->mode_of) &&
                        *hpa_db_source_at(db, m.refs[0].index)->mode_of);
    }
    /* names not in the database still get the closest entries */
    static const char *const absent[] = {"FiiO BTR5", "Topping L70", "JDS Labs Atom", "samsung dongle"};
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++) {
        hpa_db_match m;
        assert_int_equal(hpa_db_lookup(db, HPA_DB_SOURCES, absent[i], &m), HPA_OK);
        assert_int_equal(m.how, HPA_DB_MATCH_NONE);
        assert_true(m.n > 0);
    }
    /* the sensitivity's reference frequency: Beyerdynamic states 500 Hz */
    for (size_t i = 0; i < hpa_db_count(db, HPA_DB_HEADPHONES); i++) {
        const hpa_db_headphone *h = hpa_db_headphone_at(db, i);
        if (!strcmp(h->brand, "Beyerdynamic") && (isfinite(h->sensitivity_db_mw) || isfinite(h->sensitivity_db_v)) &&
            strstr(h->source, "500 Hz"))
            assert_true(h->sensitivity_ref_hz == 500.0);
    }
    hpa_db_destroy(db);
}

static size_t search(const hpa_db *db, hpa_db_kind kinds, const char *text, hpa_db_ref *refs, size_t cap)
{
    size_t total = 0;
    assert_int_equal(hpa_db_search(db, kinds, text, refs, cap, &total), HPA_OK);
    return total;
}

static void test_search(void **state)
{
    (void)state;
    hpa_db *db = builtin();
    hpa_db_ref refs[256];
    size_t n_hp = hpa_db_count(db, HPA_DB_HEADPHONES), n_src = hpa_db_count(db, HPA_DB_SOURCES);
    assert_int_equal(search(db, HPA_DB_ANY, "", refs, 256), n_hp + n_src);
    assert_int_equal(search(db, HPA_DB_SOURCES, "", refs, 256), n_src);
    /* by type: every IEM and nothing else */
    size_t iems = 0;
    for (size_t i = 0; i < n_hp; i++)
        iems += hpa_db_headphone_at(db, i)->type == HPA_DB_TYPE_IEM;
    size_t n = search(db, HPA_DB_HEADPHONES, "iem", refs, 256);
    assert_int_equal(n, iems);
    /* across both tables "iem" also finds a source named so (RME ADI-2 DAC FS (IEM out)) */
    assert_int_equal(search(db, HPA_DB_ANY, "iem", refs, 256), iems + 1);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(hpa_db_headphone_at(db, refs[i].index)->type, HPA_DB_TYPE_IEM);
    /* words combine: Sennheiser's IEMs, counted from the table */
    size_t senn_iems = 0;
    for (size_t i = 0; i < n_hp; i++)
        senn_iems += !strcmp(hpa_db_headphone_at(db, i)->brand, "Sennheiser") &&
                     hpa_db_headphone_at(db, i)->type == HPA_DB_TYPE_IEM;
    assert_true(senn_iems >= 5);
    n = search(db, HPA_DB_ANY, "Sennheiser IEM", refs, 256);
    assert_int_equal(n, senn_iems);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(hpa_db_headphone_at(db, refs[i].index)->brand, "Sennheiser");
        assert_int_equal(hpa_db_headphone_at(db, refs[i].index)->type, HPA_DB_TYPE_IEM);
    }
    /* planar and closed */
    n = search(db, HPA_DB_ANY, "planar closed", refs, 256);
    assert_true(n >= 4);
    for (size_t i = 0; i < n; i++) {
        const hpa_db_headphone *h = hpa_db_headphone_at(db, refs[i].index);
        assert_int_equal(h->driver, HPA_DB_DRIVER_PLANAR);
        assert_true(h->back == HPA_DB_BACK_CLOSED || strstr(h->model, "closed"));
    }
    /* active headphones */
    size_t actives = 0;
    for (size_t i = 0; i < n_hp; i++)
        actives += hpa_db_headphone_at(db, i)->active == 1;
    assert_true(actives >= 2);
    n = search(db, HPA_DB_HEADPHONES, "active", refs, 256);
    assert_int_equal(n, actives);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(hpa_db_headphone_at(db, refs[i].index)->active, 1);
    /* battery-powered sources */
    n = search(db, HPA_DB_SOURCES, "battery", refs, 256);
    assert_true(n >= 5);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(hpa_db_source_at(db, refs[i].index)->battery, 1);
    /* a part of a name, case and hyphens ignored; cap smaller than the total */
    n = search(db, HPA_DB_ANY, "DT-770", refs, 2); /* DT 770 Pro 32/80/250 ohm and DT 770 Pro X */
    assert_int_equal(n, 4);
    assert_int_equal(search(db, HPA_DB_ANY, "zzzzzz", refs, 256), 0);
    size_t total;
    assert_int_equal(hpa_db_search(db, HPA_DB_ANY, "x", NULL, 5, &total), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_db_search(db, HPA_DB_ANY, NULL, refs, 5, &total), HPA_ERR_INVALID_ARG);
    hpa_db_destroy(db);
}

/* ---- user text ---- */

static const char user_hp[] = "brand,model,type,impedance_ohm,sensitivity_db_v,source\n"        /* 1 */
                              "Acme,One,over-ear,32,110,my measurement\n"                       /* 2 */
                              "Acme,Two,over-ear,abc,110,typo\n"                                /* 3: not a number */
                              "Acme,Three,iem,16\n"                                             /* 4: too few fields */
                              "Acme,\"Four, the \"\"loud\"\" one\",iem,16,120,\"quoted, ok\"\n" /* 5 */
                              "Acme,Five,headphone,32,110,x\n"                                  /* 6: bad type */
                              "Acme,Six,over-ear,-5,110,x\n"                                    /* 7: out of range */
                              "\n"                                                              /* 8 */
                              "# a comment\n"                                                   /* 9 */
                              "Acme,Seven,\"over-ear\n"                                         /* 10: never closed */
                              "Acme,Eight,earbud,,,\n";                                         /* 11 */

static void test_user_text(void **state)
{
    (void)state;
    hpa_db *db = builtin();
    size_t before = hpa_db_count(db, HPA_DB_HEADPHONES), added = 99;
    hpa_db_diag items[16];
    hpa_db_diags d = {items, 16, 0, 0};
    const char *origin = "/home/me/.config/hpamp/headphones.csv";
    assert_int_equal(hpa_db_add_text(db, HPA_DB_HEADPHONES, user_hp, sizeof user_hp - 1, origin, &d, &added), HPA_OK);
    for (size_t i = 0; i < d.count; i++)
        printf("  %s:%u: %s\n", d.items[i].origin, d.items[i].line, d.items[i].message);
    assert_int_equal(added, 3);
    assert_int_equal(hpa_db_count(db, HPA_DB_HEADPHONES), before + 3);
    assert_int_equal(d.total, 5);
    assert_int_equal(d.count, 5);
    const unsigned lines[] = {3, 4, 6, 7, 10};
    const char *says[] = {"impedance_ohm 'abc' is not a number", "expected 6 fields, found 4",
                          "type 'headphone' is not one of", "impedance_ohm -5 is out of range",
                          "a quoted field is never closed"};
    for (size_t i = 0; i < 5; i++) {
        assert_ptr_equal(d.items[i].origin, origin);
        assert_int_equal(d.items[i].line, lines[i]);
        if (!strstr(d.items[i].message, says[i]))
            fail_msg("line %u says '%s', want '%s'", lines[i], d.items[i].message, says[i]);
    }
    expect_one(db, HPA_DB_ANY, "acme one", HPA_DB_HEADPHONES, "acme-one");
    expect_one(db, HPA_DB_ANY, "acme four", HPA_DB_HEADPHONES, "acme-four-the-loud-one");
    expect_one(db, HPA_DB_ANY, "acme eight", HPA_DB_HEADPHONES, "acme-eight");
    const hpa_db_headphone *h = hp_by_id(db, "acme-four-the-loud-one");
    assert_string_equal(h->model, "Four, the \"loud\" one");
    assert_string_equal(h->source, "quoted, ok");
    assert_string_equal(h->origin, origin);
    assert_int_equal(h->line, 5);
    assert_true(h->impedance_ohm == 16 && h->sensitivity_db_v == 120);
    assert_true(isnan(h->sensitivity_db_mw) && h->driver == HPA_DB_DRIVER_UNKNOWN);
    h = hp_by_id(db, "acme-eight");
    assert_true(isnan(h->impedance_ohm) && h->type == HPA_DB_TYPE_EARBUD);
    hpa_db_destroy(db);
}

static void test_user_header_problems(void **state)
{
    (void)state;
    hpa_db *db;
    hpa_db_diag items[8];
    hpa_db_diags d = {items, 8, 0, 0};
    size_t added = 5;
    assert_int_equal(hpa_db_create_empty(&db), HPA_OK);
    /* no model column: nothing loads, said on line 1 */
    const char *t1 = "brand,name,type\nAcme,X,iem\n";
    assert_int_equal(hpa_db_add_text(db, HPA_DB_HEADPHONES, t1, strlen(t1), "a.csv", &d, &added), HPA_OK);
    assert_int_equal(added, 0);
    assert_int_equal(hpa_db_count(db, HPA_DB_HEADPHONES), 0);
    assert_int_equal(d.count, 2);
    assert_int_equal(items[0].line, 1);
    assert_string_equal(items[0].message, "unknown column 'name' (ignored)");
    assert_string_equal(items[1].message, "no 'model' column in the header line; nothing loaded");
    /* an unknown column is reported and ignored, the rest loads; any case,
     * order, spaces or hyphens in the header; the mv_for_94db alias */
    d.count = d.total = 0;
    const char *t2 = "# my sources\n\nModel,Brand,Colour,Kind,Output,ZOUT OHM,vout-max-rms-v,battery,gain_settings\n"
                     "X1,Acme,red,dongle,bal,1.5,2,yes,low / high\n";
    assert_int_equal(hpa_db_add_text(db, HPA_DB_SOURCES, t2, strlen(t2), "b.csv", &d, &added), HPA_OK);
    assert_int_equal(added, 1);
    assert_int_equal(d.count, 1);
    assert_int_equal(items[0].line, 3);
    assert_string_equal(items[0].message, "unknown column 'Colour' (ignored)");
    const hpa_db_source *s = hpa_db_source_at(db, 0);
    assert_string_equal(s->id, "acme-x1");
    assert_int_equal(s->kind, HPA_DB_SRC_DONGLE);
    assert_int_equal(s->output, HPA_DB_OUTPUT_BAL);
    assert_true(s->zout_ohm == 1.5 && s->vout_max_rms_v == 2 && s->battery == 1 && s->n_gains == 0);
    assert_string_equal(s->gain_settings, "low / high");
    /* a column twice: nothing loads */
    d.count = d.total = 0;
    const char *t3 = "brand,model,model\nA,B,C\n";
    assert_int_equal(hpa_db_add_text(db, HPA_DB_HEADPHONES, t3, strlen(t3), "c.csv", &d, &added), HPA_OK);
    assert_int_equal(added, 0);
    assert_string_equal(items[0].message, "column 'model' appears twice; nothing loaded");
    /* a malformed header line */
    d.count = d.total = 0;
    const char *t4 = "brand,\"model\"x\nA,B\n";
    assert_int_equal(hpa_db_add_text(db, HPA_DB_HEADPHONES, t4, strlen(t4), "d.csv", &d, &added), HPA_OK);
    assert_int_equal(added, 0);
    assert_int_equal(d.count, 1);
    assert_non_null(strstr(items[0].message, "(in the header line); nothing loaded"));
    /* empty text: nothing, silently */
    d.count = d.total = 0;
    assert_int_equal(hpa_db_add_text(db, HPA_DB_HEADPHONES, "", 0, "e.csv", &d, &added), HPA_OK);
    assert_int_equal(hpa_db_add_text(db, HPA_DB_HEADPHONES, NULL, 0, "e.csv", &d, &added), HPA_OK);
    assert_int_equal(d.total, 0);
    /* bad arguments */
    assert_int_equal(hpa_db_add_text(NULL, HPA_DB_HEADPHONES, "", 0, "x", NULL, NULL), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_db_add_text(db, HPA_DB_ANY, "", 0, "x", NULL, NULL), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_db_add_text(db, HPA_DB_SOURCES, NULL, 3, "x", NULL, NULL), HPA_ERR_INVALID_ARG);
    hpa_db_destroy(db);
}

static void test_user_replaces_and_ids(void **state)
{
    (void)state;
    hpa_db *db = builtin();
    size_t n_hp = hpa_db_count(db, HPA_DB_HEADPHONES), n_src = hpa_db_count(db, HPA_DB_SOURCES), added;
    hpa_db_diag items[8];
    hpa_db_diags d = {items, 8, 0, 0};
    /* by id: replaces the built-in HD 600; CRLF line ends */
    const char *t = "id,brand,model,impedance_ohm,sensitivity_db_mw\r\n"
                    "sennheiser-hd-600,Sennheiser,HD 600,310,97.5\r\n"
                    "my-cans,Me,Cans,64,100\r\n"
                    "my-cans,Me,Cans again,64,100\r\n";
    assert_int_equal(hpa_db_add_text(db, HPA_DB_HEADPHONES, t, strlen(t), "mine.csv", &d, &added), HPA_OK);
    assert_int_equal(added, 2);
    assert_int_equal(d.count, 1);
    assert_int_equal(items[0].line, 4);
    assert_string_equal(items[0].message, "id 'my-cans' was already used on line 3; this line is skipped");
    assert_int_equal(hpa_db_count(db, HPA_DB_HEADPHONES), n_hp + 1);
    const hpa_db_headphone *h = hp_by_id(db, "sennheiser-hd-600");
    assert_true(h->impedance_ohm == 310 && h->sensitivity_db_mw == 97.5 && isnan(h->sensitivity_db_v));
    assert_string_equal(h->origin, "mine.csv");
    expect_one(db, HPA_DB_ANY, "hd600", HPA_DB_HEADPHONES, "sennheiser-hd-600");
    /* without an id: made from brand and model; a source's output is added
     * when it would match a built-in entry's id or a twin row */
    d.count = d.total = 0;
    const char *s = "brand,model,kind,output,zout_ohm\n"
                    "Topping,A50 III,desktop-amp,bal,0.3\n"
                    "Acme,Dongle,dongle,se,1\n"
                    "Acme,Dongle,dongle,bal,2\n"
                    "SMSL,SH-6,desktop-amp,se,0.2\n";
    assert_int_equal(hpa_db_add_text(db, HPA_DB_SOURCES, s, strlen(s), "src.csv", &d, &added), HPA_OK);
    assert_int_equal(d.total, 0);
    assert_int_equal(added, 4);
    assert_int_equal(hpa_db_count(db, HPA_DB_SOURCES), n_src + 2);
    assert_true(src_by_id(db, "topping-a50-iii-bal")->zout_ohm == 0.3);
    assert_true(src_by_id(db, "smsl-sh-6")->zout_ohm == 0.2);
    assert_true(src_by_id(db, "acme-dongle-se")->zout_ohm == 1);
    assert_true(src_by_id(db, "acme-dongle-bal")->zout_ohm == 2);
    hpa_db_destroy(db);
}

static void test_diag_capacity_and_numbers(void **state)
{
    (void)state;
    hpa_db *db;
    assert_int_equal(hpa_db_create_empty(&db), HPA_OK);
    hpa_db_diag items[2];
    hpa_db_diags d = {items, 2, 0, 0};
    size_t added;
    /* max_input_mw: a column whose range (above 0, to 1e7) takes every number below */
    const char *t = "brand,model,max_input_mw\n"
                    "A,a1,x\nA,a2,1.2.3\nA,a3,1e\nA,a4,nan\nA,a5,inf\nA,a6,\"1,5\"\nA,a7,0x10\nA,a8,--1\n"
                    "A,b1,6.375\nA,b2,1e2\nA,b3,+47\nA,b4,.5\nA,b5,5.\nA,b6,0.000001\nA,b7,1E+3\n";
    assert_int_equal(hpa_db_add_text(db, HPA_DB_HEADPHONES, t, strlen(t), "n.csv", &d, &added), HPA_OK);
    assert_int_equal(d.count, 2);
    assert_int_equal(d.total, 8);
    assert_int_equal(added, 7);
    const double want[] = {6.375, 100, 47, 0.5, 5, 0.000001, 1000};
    for (size_t i = 0; i < 7; i++)
        assert_true(hpa_db_headphone_at(db, i)->max_input_mw == want[i]);
    /* diags may be NULL */
    assert_int_equal(hpa_db_add_text(db, HPA_DB_HEADPHONES, t, strlen(t), "n2.csv", NULL, &added), HPA_OK);
    /* a long bad value is cut in the message, which stays valid UTF-8 */
    char line[600];
    size_t n = (size_t)snprintf(line, sizeof line, "brand,model,max_input_mw\nA,long,");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(line + n, sizeof line - n, "\xc3\xa9");
    snprintf(line + n, sizeof line - n, "\n");
    d.count = d.total = 0;
    assert_int_equal(hpa_db_add_text(db, HPA_DB_HEADPHONES, line, strlen(line), "u.csv", &d, &added), HPA_OK);
    assert_int_equal(d.count, 1);
    assert_true(strlen(items[0].message) < 120);
    assert_non_null(strstr(items[0].message, "...' is not a number"));
    hpa_db_destroy(db);
}

/* a big text loads in linear time; past HPA_DB_MAX_TEXT_ENTRIES the rest is reported */
static void test_big_text(void **state)
{
    (void)state;
    const size_t rows = HPA_DB_MAX_TEXT_ENTRIES + 5;
    size_t cap = rows * 24 + 64, n = 0, added = 0;
    char *t = malloc(cap);
    assert_non_null(t);
    n += (size_t)snprintf(t + n, cap - n, "brand,model,impedance_ohm\n");
    for (size_t i = 0; i < rows; i++)
        n += (size_t)snprintf(t + n, cap - n, "B,m%zu,%zu\n", i % (rows - 2), 1 + i % 600);
    hpa_db *db = builtin();
    size_t before = hpa_db_count(db, HPA_DB_HEADPHONES);
    hpa_db_diag items[4];
    hpa_db_diags d = {items, 4, 0, 0};
    assert_int_equal(hpa_db_add_text(db, HPA_DB_HEADPHONES, t, n, "big.csv", &d, &added), HPA_OK);
    assert_int_equal(added, HPA_DB_MAX_TEXT_ENTRIES);
    assert_int_equal(hpa_db_count(db, HPA_DB_HEADPHONES), before + HPA_DB_MAX_TEXT_ENTRIES);
    assert_int_equal(d.total, 1);
    assert_int_equal(items[0].line, HPA_DB_MAX_TEXT_ENTRIES + 2);
    assert_string_equal(items[0].message, "more than 100000 entries in one text; the rest is not loaded");
    expect_one(db, HPA_DB_ANY, "b m99999", HPA_DB_HEADPHONES, "b-m99999");
    free(t);
    hpa_db_destroy(db);
}

/* ---- ad-hoc specs ---- */

static void test_specs(void **state)
{
    (void)state;
    hpa_db *db = builtin();
    size_t idx;
    char why[160];
    assert_int_equal(hpa_db_add_spec(db, HPA_DB_HEADPHONES, "300ohm,97dB/mW", &idx, why, sizeof why), HPA_OK);
    const hpa_db_headphone *h = hpa_db_headphone_at(db, idx);
    assert_true(h->impedance_ohm == 300 && h->sensitivity_db_mw == 97 && isnan(h->sensitivity_db_v));
    assert_string_equal(h->model, "300ohm,97dB/mW");
    assert_string_equal(h->id, "spec-1");
    assert_string_equal(h->origin, "ad-hoc spec");
    assert_int_equal(hpa_db_add_spec(db, HPA_DB_HEADPHONES, " 32 Ohm , 122 dB/V, iem, ANC ", &idx, why, sizeof why),
                     HPA_OK);
    h = hpa_db_headphone_at(db, idx);
    assert_true(h->impedance_ohm == 32 && h->sensitivity_db_v == 122 && h->type == HPA_DB_TYPE_IEM && h->active);
    assert_int_equal(hpa_db_add_spec(db, HPA_DB_HEADPHONES, "300\xce\xa9,288mV", &idx, why, sizeof why), HPA_OK);
    assert_true(hpa_db_headphone_at(db, idx)->mv_for_94db == 288);
    assert_int_equal(hpa_db_add_spec(db, HPA_DB_SOURCES, "1.0V,0.9ohm", &idx, why, sizeof why), HPA_OK);
    const hpa_db_source *s = hpa_db_source_at(db, idx);
    assert_true(s->vout_max_rms_v == 1.0 && s->zout_ohm == 0.9 && isnan(s->imax_ma) && isnan(s->vout_load_ohm));
    assert_int_equal(hpa_db_add_spec(db, HPA_DB_SOURCES, "5.0V,0.1ohm,50mA", &idx, why, sizeof why), HPA_OK);
    s = hpa_db_source_at(db, idx);
    assert_true(s->vout_max_rms_v == 5.0 && s->zout_ohm == 0.1 && s->imax_ma == 50);
    assert_string_equal(s->id, "spec-5");
    assert_int_equal(hpa_db_add_spec(db, HPA_DB_SOURCES, "2V@32ohm,1300mW@32,bal,battery,dongle", &idx, why,
                                     sizeof why),
                     HPA_OK);
    s = hpa_db_source_at(db, idx);
    assert_true(s->vout_max_rms_v == 2 && s->vout_load_ohm == 32 && s->power_mw_32 == 1300);
    assert_true(s->output == HPA_DB_OUTPUT_BAL && s->battery == 1 && s->kind == HPA_DB_SRC_DONGLE);
    /* nonsense: a clear reason, nothing added */
    size_t n_hp = hpa_db_count(db, HPA_DB_HEADPHONES), n_src = hpa_db_count(db, HPA_DB_SOURCES);
    const struct {
        hpa_db_kind kind;
        const char *spec, *says;
    } bad[] = {
        {HPA_DB_HEADPHONES, "300ohm", "needs a sensitivity"},
        {HPA_DB_HEADPHONES, "97dB/mW", "needs an impedance"},
        {HPA_DB_HEADPHONES, "300ohm,97dB/mW,250ohm", "the impedance is given twice"},
        {HPA_DB_HEADPHONES, "-5ohm,97dB/mW", "out of range"},
        {HPA_DB_HEADPHONES, "300ohm,97dB", "takes ohm, dB/mW, dB/V or mV"},
        {HPA_DB_HEADPHONES, "loud", "'loud' is not a number with a unit"},
        {HPA_DB_HEADPHONES, "300ohm,,97dB/mW", "an empty part"},
        {HPA_DB_HEADPHONES, "", "an empty part"},
        {HPA_DB_SOURCES, "0.9ohm", "needs a voltage"},
        {HPA_DB_SOURCES, "1V,2V", "the voltage is given twice"},
        {HPA_DB_SOURCES, "100mW@16ohm", "32 or 300 ohm only"},
        {HPA_DB_SOURCES, "1V@ohm", "a load is written like @32ohm"},
        {HPA_DB_SOURCES, "1V,5kg", "a source spec takes"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why[0] = 0;
        assert_int_equal(hpa_db_add_spec(db, bad[i].kind, bad[i].spec, &idx, why, sizeof why), HPA_ERR_INVALID_ARG);
        if (!strstr(why, bad[i].says))
            fail_msg("'%s': '%s', want '%s'", bad[i].spec, why, bad[i].says);
    }
    assert_int_equal(hpa_db_add_spec(db, HPA_DB_HEADPHONES, NULL, &idx, NULL, 0), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_db_count(db, HPA_DB_HEADPHONES), n_hp);
    assert_int_equal(hpa_db_count(db, HPA_DB_SOURCES), n_src);
    hpa_db_destroy(db);
}

/* Every figure of a spec at both ends of its range as docs/advise.md states
 * it ("Ad-hoc specs"): the ends are taken, a step past either is refused
 * naming the figure; a user table has the same ranges. */
static void test_spec_ranges(void **state)
{
    (void)state;
    const struct {
        hpa_db_kind kind;
        const char *fmt; /* the spec, the figure as %.10g */
        double below, lo, hi, above;
        const char *names;
    } r[] = {
        {HPA_DB_HEADPHONES, "%.10gohm,97dB/mW", 0.99, 1, 10000, 10001, "the impedance"},
        {HPA_DB_HEADPHONES, "300ohm,%.10gdB/mW", 59.9, 60, 140, 140.1, "the sensitivity"},
        {HPA_DB_HEADPHONES, "300ohm,%.10gdB/V", 59.9, 60, 160, 160.1, "the sensitivity"},
        {HPA_DB_HEADPHONES, "300ohm,%.10gmV", 0.49, 0.5, 50000, 50001, "the level for 94 dB SPL"},
        {HPA_DB_SOURCES, "%.10gV", 0.0099, 0.01, 100, 100.1, "the voltage"},
        {HPA_DB_SOURCES, "1V@%.10gohm", 0.99, 1, 1e6, 1.0001e6, "the load"},
        {HPA_DB_SOURCES, "%.10gmW@32ohm", 0.0099, 0.01, 1e5, 1.0001e5, "the power at 32 ohm"},
        {HPA_DB_SOURCES, "%.10gmW@300ohm", 0.0099, 0.01, 1e5, 1.0001e5, "the power at 300 ohm"},
        {HPA_DB_SOURCES, "1V,%.10gohm", -0.001, 0, 1000, 1000.1, "the output impedance"},
        {HPA_DB_SOURCES, "1V,%.10gmA", 0.099, 0.1, 10000, 10001, "the current limit"},
        /* the hostile ones that reached the model or the wrong message */
        {HPA_DB_HEADPHONES, "%.10gohm,97dB/mW", 1e-300, 1, 10000, 1e300, "the impedance"},
        {HPA_DB_HEADPHONES, "%.10gohm,97dB/mW", -5, 1, 10000, 1e6, "the impedance"},
    };
    hpa_db *db;
    assert_int_equal(hpa_db_create_empty(&db), HPA_OK);
    char spec[64], why[200];
    size_t idx;
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
        const double ok[2] = {r[i].lo, r[i].hi}, bad[2] = {r[i].below, r[i].above};
        for (int k = 0; k < 2; k++) {
            snprintf(spec, sizeof spec, r[i].fmt, ok[k]);
            why[0] = 0;
            if (hpa_db_add_spec(db, r[i].kind, spec, &idx, why, sizeof why) != HPA_OK)
                fail_msg("'%s' refused: %s", spec, why);
            snprintf(spec, sizeof spec, r[i].fmt, bad[k]);
            why[0] = 0;
            assert_int_equal(hpa_db_add_spec(db, r[i].kind, spec, &idx, why, sizeof why), HPA_ERR_INVALID_ARG);
            if (!strstr(why, r[i].names) || !strstr(why, "out of range"))
                fail_msg("'%s': '%s', want '%s ... out of range'", spec, why, r[i].names);
        }
    }
    /* the same ranges in a user table */
    hpa_db_diag items[4];
    hpa_db_diags d = {items, 4, 0, 0};
    size_t added;
    const char *t = "brand,model,impedance_ohm,sensitivity_db_mw\n"
                    "A,a,1,60\nA,b,10000,140\nA,c,0.99,97\nA,d,300,140.1\n";
    assert_int_equal(hpa_db_add_text(db, HPA_DB_HEADPHONES, t, strlen(t), "r.csv", &d, &added), HPA_OK);
    assert_int_equal(added, 2);
    assert_int_equal(d.total, 2);
    assert_true(items[0].line == 4 && strstr(items[0].message, "impedance_ohm") &&
                strstr(items[0].message, "out of range"));
    assert_true(items[1].line == 5 && strstr(items[1].message, "sensitivity_db_mw"));
    const char *u = "brand,model,vout_max_rms_v,zout_ohm,imax_ma\n"
                    "B,a,100,1000,0.1\nB,b,100.1,1,1\nB,c,1,1,10001\n";
    d.count = d.total = 0;
    assert_int_equal(hpa_db_add_text(db, HPA_DB_SOURCES, u, strlen(u), "s.csv", &d, &added), HPA_OK);
    assert_int_equal(added, 1);
    assert_int_equal(d.total, 2);
    hpa_db_destroy(db);
}

static void test_names_and_normalize(void **state)
{
    (void)state;
    assert_string_equal(hpa_db_hp_type_name(HPA_DB_TYPE_IEM), "iem");
    assert_string_equal(hpa_db_hp_type_name(HPA_DB_TYPE_UNKNOWN), "");
    assert_null(hpa_db_hp_type_name((hpa_db_hp_type)99));
    assert_string_equal(hpa_db_driver_name(HPA_DB_DRIVER_ELECTROSTATIC), "electrostatic");
    assert_string_equal(hpa_db_back_name(HPA_DB_BACK_SEMI), "semi");
    assert_string_equal(hpa_db_src_kind_name(HPA_DB_SRC_PORTABLE_AMP), "portable-amp");
    assert_string_equal(hpa_db_output_name(HPA_DB_OUTPUT_BAL), "bal");
    assert_null(hpa_db_output_name((hpa_db_output)2));
    char b[8];
    assert_int_equal(hpa_db_normalize("Sennheiser HD-600", b, sizeof b), 15);
    assert_string_equal(b, "sennhei");
    assert_int_equal(hpa_db_normalize("Caf\xc3\xa9 X", NULL, 0), 6);
    hpa_db_destroy(NULL);
    assert_int_equal(hpa_db_count(NULL, HPA_DB_HEADPHONES), 0);
    assert_int_equal(hpa_db_create(NULL), HPA_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_loads_clean),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_citations_and_ids),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_lookup_forgiving),
        cmocka_unit_test(test_lookup_words),
        cmocka_unit_test(test_closest),
        cmocka_unit_test(test_aliases_and_issue_names),
        cmocka_unit_test(test_search),
        cmocka_unit_test(test_user_text),
        cmocka_unit_test(test_user_header_problems),
        cmocka_unit_test(test_user_replaces_and_ids),
        cmocka_unit_test(test_diag_capacity_and_numbers),
        cmocka_unit_test(test_big_text),
        cmocka_unit_test(test_specs),
        cmocka_unit_test(test_spec_ranges),
        cmocka_unit_test(test_names_and_normalize),
    };
    return cmocka_run_group_tests_name("db_lookup", tests, NULL, NULL);
}
