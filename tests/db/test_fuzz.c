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

#define DBTEXT_CHECK(cond) assert_true(cond)
#include "dbtext.h"

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

static size_t g_loaded, g_diags;

static void check_db(uint64_t *rng, const char *t, size_t n, hpa_db_kind kind)
{
    size_t lines = dbtext_lines(t, n);
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
        assert_true(dbtext_clean(items[i].message, 0));
    }
    assert_int_equal(hpa_db_count(db, kind), added);
    g_loaded += added;
    g_diags += d.total;
    for (size_t i = 0; i < added; i++) {
        if (kind == HPA_DB_HEADPHONES) {
            const hpa_db_headphone *h = hpa_db_headphone_at(db, i);
            assert_true(dbtext_clean(h->id, 0) && dbtext_clean(h->brand, 0) && dbtext_clean(h->model, 0));
            assert_true(dbtext_clean(h->source, 1));
            assert_true(*h->model && *h->id);
            assert_true(h->line >= 1 && h->line <= lines);
            assert_true(dbtext_num_ok(h->impedance_ohm, 1e-300, 1e6) && dbtext_num_ok(h->sensitivity_db_mw, 50, 150));
            assert_true(dbtext_num_ok(h->sensitivity_db_v, 50, 160) && dbtext_num_ok(h->mv_for_94db, 1e-300, 1e5));
            assert_true(hpa_db_hp_type_name(h->type) && hpa_db_driver_name(h->driver) && hpa_db_back_name(h->back));
        } else {
            const hpa_db_source *s = hpa_db_source_at(db, i);
            assert_true(dbtext_clean(s->id, 0) && dbtext_clean(s->brand, 0) && dbtext_clean(s->model, 0));
            assert_true(dbtext_clean(s->source, 1) && dbtext_clean(s->gain_settings, 1));
            assert_true(dbtext_num_ok(s->vout_max_rms_v, 1e-300, 1000) && dbtext_num_ok(s->zout_ohm, 0, 1e5));
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
        dbtext_check_reader(t, n);
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
        dbtext_check_reader(t, n);
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
