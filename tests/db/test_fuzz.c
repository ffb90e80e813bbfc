/* test_fuzz.c — random and mutated CSV text into the reader and the database.
 *
 * The texts start from the built-in tables and from hand-written files with
 * quotes and line breaks, mutated at random (bytes flipped, CSV's special
 * characters and broken UTF-8 inserted, ranges cut or repeated, the text
 * truncated), plus texts of pure noise.  Nothing may crash (run it under
 * -Db_sanitize=address too), every loaded string must be valid UTF-8 without
 * control characters, every number in its range or NaN, every diagnostic on
 * a line the text has.  The seed is printed; HPA_TEST_SEED replays a run. */
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
#include <hpamp/hpamp.h>

#include "csv.h"
#include "seeded.h"

#define MAX_TEXT 24000

static const char *const hand_written[] = {
    "brand,model,type,impedance_ohm,sensitivity_db_v,source\n"
    "Acme,\"Four, the \"\"loud\"\" one\",iem,16,120,\"multi\nline\r\nnote\"\n"
    "# comment\n\n"
    "Acme,Two,over-ear,32,110,x\r\n",
    "id,brand,model,kind,output,vout_max_rms_v,zout_ohm,gain_settings_db,battery,source\n"
    "a,B,C,dongle,bal,2.0,0.5,-6 / 0 / +6,yes,\"s\"\n"
    "a,B,C,phone,se,1,0,,no,\n",
    "\xEF\xBB\xBF"
    "brand,model\n\"x\"y,z\n\"open\n",
};

static size_t count_lines(const char *t, size_t n)
{
    size_t lines = 1;
    for (size_t i = 0; i < n; i++)
        if (t[i] == '\n' || (t[i] == '\r' && !(i + 1 < n && t[i + 1] == '\n')))
            lines++;
    return lines;
}

static unsigned pick(uint64_t *rng, unsigned n)
{
    return (unsigned)(rng_next(rng) % n);
}

static char random_byte(uint64_t *rng)
{
    static const char special[] = "\",\r\n#\t ;-.0123456789eE+";
    switch (pick(rng, 4)) {
    case 0: return special[pick(rng, sizeof special - 1)];
    case 1: return (char)pick(rng, 256);
    case 2: { /* pieces of UTF-8 */
        static const unsigned char u[] = {0xC3, 0xA9, 0xE2, 0x84, 0xA6, 0xF0, 0x9F, 0xFF, 0x80, 0xED, 0xA0, 0x00};
        return (char)u[pick(rng, sizeof u)];
    }
    default: return (char)('a' + pick(rng, 26));
    }
}

/* mutate t (length *n, capacity MAX_TEXT) in place */
static void mutate(uint64_t *rng, char *t, size_t *n)
{
    unsigned k = 1 + pick(rng, 8);
    for (unsigned m = 0; m < k; m++) {
        size_t len = *n;
        size_t at = len ? pick(rng, (unsigned)len) : 0;
        switch (pick(rng, 6)) {
        case 0: /* flip */
            if (len)
                t[at] = random_byte(rng);
            break;
        case 1: /* insert */
            if (len + 1 < MAX_TEXT) {
                memmove(t + at + 1, t + at, len - at);
                t[at] = random_byte(rng);
                (*n)++;
            }
            break;
        case 2: { /* delete a range */
            size_t span = pick(rng, 64);
            if (at + span > len)
                span = len - at;
            memmove(t + at, t + at + span, len - at - span);
            *n -= span;
            break;
        }
        case 3: { /* repeat a range */
            size_t span = pick(rng, 200);
            if (at + span > len)
                span = len - at;
            if (len + span < MAX_TEXT) {
                memmove(t + at + span, t + at, len - at);
                (*n) += span;
            }
            break;
        }
        case 4: /* truncate */
            if (pick(rng, 4) == 0)
                *n = at;
            break;
        default: /* a quote somewhere */
            if (len)
                t[at] = '"';
            break;
        }
    }
}

static int clean_string(const char *s, int allow_newline)
{
    size_t n = strlen(s);
    if (!hpa_utf8_valid(s, n))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t' && !(allow_newline && c == '\n')) || c == 0x7F)
            return 0;
    }
    return 1;
}

static int num_ok(double v, double lo, double hi)
{
    return isnan(v) || (isfinite(v) && v >= lo && v <= hi);
}

static void check_reader(const char *t, size_t n)
{
    size_t lines = count_lines(t, n);
    hpa_csv c;
    assert_int_equal(hpa_csv_init(&c, t, n), HPA_OK);
    unsigned last = 0;
    size_t records = 0;
    for (;;) {
        hpa_csv_status s = hpa_csv_next(&c);
        if (s == HPA_CSV_END)
            break;
        assert_true(++records <= n + 1); /* always progresses */
        assert_true(c.line >= 1 && c.line <= lines);
        assert_true(c.line > last); /* records start on ever later lines */
        last = c.line;
        if (s == HPA_CSV_BAD) {
            assert_true(c.why[0] != 0);
            assert_int_equal(c.n_fields, 0);
            continue;
        }
        assert_true(c.n_fields >= 1 && c.n_fields <= HPA_CSV_MAX_FIELDS);
        for (size_t i = 0; i < c.n_fields; i++) {
            assert_int_equal(strlen(c.fields[i]), c.field_len[i]);
            assert_true(clean_string(c.fields[i], 1));
        }
    }
    hpa_csv_free(&c);
}

static size_t g_loaded, g_diags;

static void check_db(uint64_t *rng, const char *t, size_t n, hpa_db_kind kind)
{
    size_t lines = count_lines(t, n);
    hpa_db *db;
    assert_int_equal(hpa_db_create_empty(&db), HPA_OK);
    hpa_db_diag items[8];
    hpa_db_diags d = {items, 8, 0, 0};
    size_t added = 0;
    const char *origin = "fuzz.csv";
    assert_int_equal(hpa_db_add_text(db, kind, t, n, origin, &d, &added), HPA_OK);
    assert_true(d.count <= 8 && d.count <= d.total);
    for (size_t i = 0; i < d.count; i++) {
        assert_ptr_equal(items[i].origin, origin);
        assert_true(items[i].line >= 1 && items[i].line <= lines);
        assert_true(clean_string(items[i].message, 0));
    }
    assert_int_equal(hpa_db_count(db, kind), added);
    g_loaded += added;
    g_diags += d.total;
    for (size_t i = 0; i < added; i++) {
        if (kind == HPA_DB_HEADPHONES) {
            const hpa_db_headphone *h = hpa_db_headphone_at(db, i);
            assert_true(clean_string(h->id, 0) && clean_string(h->brand, 0) && clean_string(h->model, 0));
            assert_true(clean_string(h->source, 1));
            assert_true(*h->model && *h->id);
            assert_true(h->line >= 1 && h->line <= lines);
            assert_true(num_ok(h->impedance_ohm, 1e-300, 1e6) && num_ok(h->sensitivity_db_mw, 50, 150));
            assert_true(num_ok(h->sensitivity_db_v, 50, 160) && num_ok(h->mv_for_94db, 1e-300, 1e5));
            assert_true(hpa_db_hp_type_name(h->type) && hpa_db_driver_name(h->driver) && hpa_db_back_name(h->back));
        } else {
            const hpa_db_source *s = hpa_db_source_at(db, i);
            assert_true(clean_string(s->id, 0) && clean_string(s->brand, 0) && clean_string(s->model, 0));
            assert_true(clean_string(s->source, 1) && clean_string(s->gain_settings, 1));
            assert_true(num_ok(s->vout_max_rms_v, 1e-300, 1000) && num_ok(s->zout_ohm, 0, 1e5));
            assert_true(s->n_gains <= HPA_DB_MAX_GAINS);
            assert_true(hpa_db_src_kind_name(s->kind) && hpa_db_output_name(s->output));
            assert_true(s->battery >= -1 && s->battery <= 1);
        }
    }
    /* look up and search with pieces of the text */
    for (int q = 0; q < 3; q++) {
        char name[64];
        size_t at = n ? pick(rng, (unsigned)n) : 0, len = pick(rng, 40);
        if (at + len > n)
            len = n - at;
        memcpy(name, t + at, len);
        name[len] = 0;
        hpa_db_match m;
        hpa_db_ref refs[4];
        size_t total;
        assert_int_equal(hpa_db_lookup(db, HPA_DB_ANY, name, &m), HPA_OK);
        assert_true(m.n <= HPA_DB_MAX_MATCHES && m.n <= (m.how ? m.total : HPA_DB_CLOSEST));
        for (size_t i = 0; i < m.n; i++)
            assert_true(m.refs[i].index < hpa_db_count(db, m.refs[i].kind));
        assert_int_equal(hpa_db_search(db, HPA_DB_ANY, name, refs, 4, &total), HPA_OK);
        assert_true(total <= added);
    }
    hpa_db_destroy(db);
}

static void test_mutated(void **state)
{
    (void)state;
    uint64_t rng = g_seed;
    static char t[MAX_TEXT];
    const int rounds = 4000;
    g_loaded = g_diags = 0;
    for (int r = 0; r < rounds; r++) {
        size_t n;
        hpa_db_kind kind = pick(&rng, 2) ? HPA_DB_HEADPHONES : HPA_DB_SOURCES;
        unsigned base = pick(&rng, 2 + (unsigned)(sizeof hand_written / sizeof hand_written[0]));
        const char *src;
        if (base < 2) {
            src = hpa_db_builtin_text(base ? HPA_DB_SOURCES : HPA_DB_HEADPHONES, &n);
            kind = base ? HPA_DB_SOURCES : HPA_DB_HEADPHONES;
        } else {
            src = hand_written[base - 2];
            n = strlen(src);
        }
        if (n > MAX_TEXT / 2)
            n = MAX_TEXT / 2;
        memcpy(t, src, n);
        mutate(&rng, t, &n);
        check_reader(t, n);
        check_db(&rng, t, n, kind);
    }
    printf("mutated: %d texts, %zu entries loaded, %zu diagnostics\n", rounds, g_loaded, g_diags);
}

static void test_noise(void **state)
{
    (void)state;
    uint64_t rng = g_seed ^ 0x5bd1e995u;
    static char t[MAX_TEXT];
    for (int r = 0; r < 4000; r++) {
        size_t n = pick(&rng, 3000);
        /* a plausible header first, half of the time */
        size_t h = 0;
        if (pick(&rng, 2)) {
            const char *hdr = "brand,model,type,kind,impedance_ohm,zout_ohm\n";
            h = strlen(hdr);
            memcpy(t, hdr, h);
        }
        for (size_t i = h; i < n; i++)
            t[i] = random_byte(&rng);
        if (n < h)
            n = h;
        check_reader(t, n);
        check_db(&rng, t, n, pick(&rng, 2) ? HPA_DB_HEADPHONES : HPA_DB_SOURCES);
    }
}

static void test_specs_noise(void **state)
{
    (void)state;
    uint64_t rng = g_seed ^ 0x9e3779b9u;
    hpa_db *db;
    assert_int_equal(hpa_db_create_empty(&db), HPA_OK);
    static const char *const pieces[] = {"300",   "ohm", "dB/mW", "dB/V",     "mV", "V", "mA",
                                         "mW@32", "@",   ",",     " ",        "-",  ".", "e",
                                         "1e9",   "iem", "bal",   "\xce\xa9", "0",  "+", "97"};
    for (int r = 0; r < 3000; r++) {
        char spec[256];
        size_t n = 0;
        unsigned k = pick(&rng, 12);
        for (unsigned i = 0; i < k; i++) {
            const char *p = pieces[pick(&rng, sizeof pieces / sizeof pieces[0])];
            size_t len = strlen(p);
            if (n + len + 1 >= sizeof spec)
                break;
            memcpy(spec + n, p, len);
            n += len;
        }
        if (pick(&rng, 8) == 0 && n)
            spec[pick(&rng, (unsigned)n)] = random_byte(&rng);
        spec[n] = 0;
        char why[128] = "";
        size_t idx;
        hpa_db_kind kind = pick(&rng, 2) ? HPA_DB_HEADPHONES : HPA_DB_SOURCES;
        size_t before = hpa_db_count(db, kind);
        int err = hpa_db_add_spec(db, kind, spec, &idx, why, sizeof why);
        if (err == HPA_OK) {
            assert_int_equal(idx, before);
            assert_int_equal(hpa_db_count(db, kind), before + 1);
        } else {
            assert_int_equal(err, HPA_ERR_INVALID_ARG);
            assert_true(why[0] != 0);
            assert_int_equal(hpa_db_count(db, kind), before);
        }
    }
    hpa_db_destroy(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutated),
        cmocka_unit_test(test_noise),
        cmocka_unit_test(test_specs_noise),
    };
    return run_seeded("db_fuzz", "db_fuzz", tests);
}
