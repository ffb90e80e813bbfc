/* test_api.c — libhpamp's API contracts: every error path returns its
 * documented code, the custom allocator is used, the parameter table is
 * consistent, names round-trip and the version matches its macros.
 *
 * Only the public headers are used: this is what an embedding player sees. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <hpamp/chain.h>
#include <hpamp/meter.h>
#include <hpamp/eq.h>

/* cmocka 1.1 prints integers as unsigned hex; show the error names instead */
#define assert_err(expr, want)                                                                                         \
    do {                                                                                                               \
        int got_ = (expr);                                                                                             \
        int want_ = (want);                                                                                            \
        if (got_ != want_)                                                                                             \
            fail_msg("%s: got %d (%s), want %d (%s)", #expr, got_, hpa_strerror(got_), want_, hpa_strerror(want_));    \
    } while (0)

/* a pointer that is never a valid chain: create must overwrite it */
static char sentinel_object;
#define SENTINEL ((hpa_chain *)(void *)&sentinel_object)

/* ------------------------------------------------------------------------ */
/* helpers                                                                  */

static hpa_chain_config small_config(void)
{
    hpa_chain_config cfg;
    hpa_chain_config_init(&cfg);
    cfg.max_block_frames = 256;
    return cfg;
}

/* check() and create() must agree on the code, and a failed create leaves NULL */
static void expect_config_error(const hpa_chain_config *cfg, int want, const char *what)
{
    int got = hpa_chain_config_check(cfg);
    if (got != want)
        fail_msg("config_check(%s): got %d (%s), want %d (%s)", what, got, hpa_strerror(got), want, hpa_strerror(want));
    hpa_chain *c = SENTINEL;
    got = hpa_chain_create(cfg, &c);
    if (got != want)
        fail_msg("create(%s): got %d (%s), want %d (%s)", what, got, hpa_strerror(got), want, hpa_strerror(want));
    if (want != HPA_OK) {
        if (c != NULL)
            fail_msg("create(%s) failed but *out is %p, not NULL", what, (void *)c);
    } else {
        assert_non_null(c);
        hpa_chain_destroy(c);
    }
}

static hpa_chain *make(const hpa_chain_config *cfg)
{
    hpa_chain *c = NULL;
    assert_err(hpa_chain_create(cfg, &c), HPA_OK);
    assert_non_null(c);
    return c;
}

/* ------------------------------------------------------------------------ */
/* config validation                                                        */

static void test_config_init_defaults(void **state)
{
    (void)state;
    hpa_chain_config cfg;
    memset(&cfg, 0xA5, sizeof cfg);
    hpa_chain_config_init(&cfg);
    assert_int_equal(cfg.in_rate_hz, 48000);
    assert_int_equal(cfg.out_rate_hz, 48000);
    assert_int_equal(cfg.channels, 2);
    assert_int_equal(cfg.max_block_frames, 4096);
    assert_int_equal(cfg.in_format, HPA_FORMAT_F32);
    assert_int_equal(cfg.out_format, HPA_FORMAT_F32);
    assert_int_equal(cfg.filter, HPA_FILTER_LINEAR);
    assert_int_equal(cfg.dither, HPA_DITHER_TPDF);
    assert_true(cfg.volume_db == 0.0);
    assert_true(cfg.max_volume_db == 0.0);
    assert_true(cfg.smoothing_ms == 10.0);
    assert_null(cfg.allocator);
    assert_err(hpa_chain_config_check(&cfg), HPA_OK);
    hpa_chain_config_init(NULL); /* must not crash */
}

static void test_null_pointers(void **state)
{
    (void)state;
    hpa_chain_config cfg = small_config();
    hpa_chain *c = SENTINEL;

    assert_err(hpa_chain_config_check(NULL), HPA_ERR_INVALID_ARG);
    assert_err(hpa_chain_create(NULL, &c), HPA_ERR_INVALID_ARG);
    assert_null(c);
    assert_err(hpa_chain_create(&cfg, NULL), HPA_ERR_INVALID_ARG);

    c = make(&cfg);
    float in[2 * 16] = {0}, out[2 * 16];
    size_t n = 12345;
    double v = 0.0;

    assert_err(hpa_chain_process(NULL, in, 16, out, 16, &n), HPA_ERR_INVALID_ARG);
    assert_int_equal(n, 0); /* *out_frames is cleared even on failure */
    assert_err(hpa_chain_process(c, NULL, 16, out, 16, &n), HPA_ERR_INVALID_ARG);
    assert_err(hpa_chain_process(c, in, 16, NULL, 16, &n), HPA_ERR_INVALID_ARG);
    assert_err(hpa_chain_process(c, in, 16, out, 16, NULL), HPA_ERR_INVALID_ARG);
    /* in may be NULL when in_frames is 0 */
    n = 99;
    assert_err(hpa_chain_process(c, NULL, 0, out, 16, &n), HPA_OK);
    assert_int_equal(n, 0);

    assert_err(hpa_chain_drain(NULL, out, 16, &n), HPA_ERR_INVALID_ARG);
    assert_err(hpa_chain_drain(c, NULL, 16, &n), HPA_ERR_INVALID_ARG);
    assert_err(hpa_chain_drain(c, out, 16, NULL), HPA_ERR_INVALID_ARG);
    assert_err(hpa_chain_reset(NULL), HPA_ERR_INVALID_ARG);

    assert_err(hpa_chain_set_param(NULL, HPA_PARAM_VOLUME_DB, -6.0), HPA_ERR_INVALID_ARG);
    assert_err(hpa_chain_get_param(NULL, HPA_PARAM_VOLUME_DB, &v), HPA_ERR_INVALID_ARG);
    assert_err(hpa_chain_get_param(c, HPA_PARAM_VOLUME_DB, NULL), HPA_ERR_INVALID_ARG);
    assert_err(hpa_chain_set_volume_db(NULL, -6.0), HPA_ERR_INVALID_ARG);
    assert_err(hpa_chain_set_mute(NULL, 1), HPA_ERR_INVALID_ARG);

    /* getters tolerate NULL */
    assert_int_equal(hpa_chain_max_out_frames(NULL), 0);
    assert_true(hpa_chain_latency_frames(NULL) == 0.0);
    assert_true(hpa_chain_current_gain(NULL) == 0.0);
    hpa_chain_stats st;
    memset(&st, 0x5A, sizeof st);
    hpa_chain_get_stats(NULL, &st);
    hpa_chain_get_stats(c, NULL);

    assert_err(hpa_filter_from_name(NULL), HPA_ERR_INVALID_ARG);
    assert_err(hpa_dither_from_name(NULL), HPA_ERR_INVALID_ARG);
    assert_err(hpa_param_find(NULL), HPA_ERR_UNKNOWN_PARAM);

    hpa_chain_destroy(c);
}

static void test_rates(void **state)
{
    (void)state;
    static const uint32_t bad[] = {0, 1, 7999, 768001, 1000000, UINT32_MAX};
    static const uint32_t good[] = {HPA_RATE_MIN_HZ, 44100, 48000, HPA_RATE_MAX_HZ};
    char what[64];

    assert_int_equal(HPA_RATE_MIN_HZ, 8000);
    assert_int_equal(HPA_RATE_MAX_HZ, 768000);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hpa_chain_config cfg = small_config();
        cfg.in_rate_hz = bad[i];
        snprintf(what, sizeof what, "in_rate %u", bad[i]);
        expect_config_error(&cfg, HPA_ERR_RATE, what);
        cfg = small_config();
        cfg.out_rate_hz = bad[i];
        snprintf(what, sizeof what, "out_rate %u", bad[i]);
        expect_config_error(&cfg, HPA_ERR_RATE, what);
    }
    /* the edges are accepted: every pair passes the check, equal rates are built */
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        for (size_t j = 0; j < sizeof good / sizeof good[0]; j++) {
            hpa_chain_config cfg = small_config();
            cfg.in_rate_hz = good[i];
            cfg.out_rate_hz = good[j];
            int err = hpa_chain_config_check(&cfg);
            if (err != HPA_OK)
                fail_msg("config_check(%u -> %u) = %d (%s)", good[i], good[j], err, hpa_strerror(err));
        }
        hpa_chain_config cfg = small_config();
        cfg.in_rate_hz = cfg.out_rate_hz = good[i];
        snprintf(what, sizeof what, "rate %u", good[i]);
        expect_config_error(&cfg, HPA_OK, what);
    }
}

static void test_channels(void **state)
{
    (void)state;
    char what[64];
    static const uint32_t bad[] = {0, 9, 64, UINT32_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hpa_chain_config cfg = small_config();
        cfg.channels = bad[i];
        snprintf(what, sizeof what, "channels %u", bad[i]);
        expect_config_error(&cfg, HPA_ERR_CHANNELS, what);
    }
    assert_int_equal(HPA_CHANNELS_MAX, 8);
    for (uint32_t ch = 1; ch <= HPA_CHANNELS_MAX; ch++) {
        hpa_chain_config cfg = small_config();
        cfg.channels = ch;
        snprintf(what, sizeof what, "channels %u", ch);
        expect_config_error(&cfg, HPA_OK, what);
    }
}

static void test_formats(void **state)
{
    (void)state;
    const hpa_format bad[] = {HPA_FORMAT_COUNT, (hpa_format)(HPA_FORMAT_COUNT + 1), (hpa_format)-1, (hpa_format)1000};
    char what[64];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hpa_chain_config cfg = small_config();
        cfg.in_format = bad[i];
        snprintf(what, sizeof what, "in_format %d", (int)bad[i]);
        expect_config_error(&cfg, HPA_ERR_FORMAT, what);
        cfg = small_config();
        cfg.out_format = bad[i];
        snprintf(what, sizeof what, "out_format %d", (int)bad[i]);
        expect_config_error(&cfg, HPA_ERR_FORMAT, what);
    }
    for (int in = 0; in < HPA_FORMAT_COUNT; in++)
        for (int out = 0; out < HPA_FORMAT_COUNT; out++) {
            hpa_chain_config cfg = small_config();
            cfg.in_format = (hpa_format)in;
            cfg.out_format = (hpa_format)out;
            snprintf(what, sizeof what, "format %d -> %d", in, out);
            expect_config_error(&cfg, HPA_OK, what);
        }
}

static void test_bad_values(void **state)
{
    (void)state;
    hpa_chain_config cfg;

    cfg = small_config();
    cfg.max_block_frames = 0;
    expect_config_error(&cfg, HPA_ERR_INVALID_ARG, "max_block_frames 0");
    cfg = small_config();
    cfg.max_block_frames = 1;
    expect_config_error(&cfg, HPA_OK, "max_block_frames 1");

    const int bad_filter[] = {-1, HPA_FILTER_COUNT, 1000};
    const int bad_dither[] = {-1, HPA_DITHER_COUNT, 1000};
    for (size_t i = 0; i < 3; i++) {
        cfg = small_config();
        cfg.filter = (hpa_filter)bad_filter[i];
        expect_config_error(&cfg, HPA_ERR_INVALID_ARG, "bad filter");
        cfg = small_config();
        cfg.dither = (hpa_dither)bad_dither[i];
        expect_config_error(&cfg, HPA_ERR_INVALID_ARG, "bad dither");
    }
    for (int f = 0; f < HPA_FILTER_COUNT; f++) {
        cfg = small_config();
        cfg.filter = (hpa_filter)f;
        expect_config_error(&cfg, HPA_OK, "filter");
    }
    for (int d = 0; d < HPA_DITHER_COUNT; d++) {
        cfg = small_config();
        cfg.dither = (hpa_dither)d;
        expect_config_error(&cfg, HPA_OK, "dither");
    }

    cfg = small_config();
    cfg.volume_db = NAN;
    expect_config_error(&cfg, HPA_ERR_INVALID_ARG, "volume_db NaN");
    cfg = small_config();
    cfg.volume_db = INFINITY;
    expect_config_error(&cfg, HPA_ERR_INVALID_ARG, "volume_db +inf");
    cfg = small_config();
    cfg.volume_db = -INFINITY;
    expect_config_error(&cfg, HPA_ERR_INVALID_ARG, "volume_db -inf");
    cfg = small_config();
    cfg.max_volume_db = NAN;
    expect_config_error(&cfg, HPA_ERR_INVALID_ARG, "max_volume_db NaN");

    const hpa_param_info *vol = hpa_param_info_get(HPA_PARAM_VOLUME_DB);
    assert_non_null(vol);
    cfg = small_config();
    cfg.max_volume_db = vol->max_value + 0.5;
    expect_config_error(&cfg, HPA_ERR_INVALID_ARG, "max_volume_db above the table's max");
    cfg = small_config();
    cfg.max_volume_db = vol->min_value - 0.5;
    expect_config_error(&cfg, HPA_ERR_INVALID_ARG, "max_volume_db below the table's min");
    cfg = small_config();
    cfg.max_volume_db = vol->max_value;
    expect_config_error(&cfg, HPA_OK, "max_volume_db at the table's max");

    cfg = small_config();
    cfg.smoothing_ms = NAN;
    expect_config_error(&cfg, HPA_ERR_INVALID_ARG, "smoothing_ms NaN");
    cfg = small_config();
    cfg.smoothing_ms = -1.0;
    expect_config_error(&cfg, HPA_ERR_INVALID_ARG, "smoothing_ms < 0");
    cfg = small_config();
    cfg.smoothing_ms = 0.0;
    expect_config_error(&cfg, HPA_OK, "smoothing_ms 0");
}

/* ------------------------------------------------------------------------ */
/* allocator                                                                */

typedef struct counting_alloc {
    long allocs, frees, live;
    long fail_at; /* fail the n-th allocation (1-based); 0: never; -1: always */
    long fails;
} counting_alloc;

static void *count_alloc(void *user, size_t size)
{
    counting_alloc *a = user;
    a->allocs++;
    if (a->fail_at < 0 || a->fail_at == a->allocs) {
        a->fails++;
        return NULL;
    }
    void *p = malloc(size);
    if (p)
        a->live++;
    return p;
}

static void count_free(void *user, void *ptr)
{
    counting_alloc *a = user;
    a->frees++;
    if (ptr)
        a->live--;
    free(ptr);
}

static void test_allocator_null_function(void **state)
{
    (void)state;
    counting_alloc ca = {0};
    hpa_allocator al = {NULL, count_free, &ca};
    hpa_chain_config cfg = small_config();
    cfg.allocator = &al;
    expect_config_error(&cfg, HPA_ERR_INVALID_ARG, "allocator without alloc");
    al.alloc = count_alloc;
    al.free = NULL;
    expect_config_error(&cfg, HPA_ERR_INVALID_ARG, "allocator without free");
    al.alloc = NULL;
    expect_config_error(&cfg, HPA_ERR_INVALID_ARG, "allocator without either");
    assert_int_equal(ca.allocs, 0);
    assert_int_equal(ca.frees, 0);
}

static void check_allocator_used(hpa_chain_config cfg, const char *what)
{
    counting_alloc ca = {0};
    hpa_allocator al = {count_alloc, count_free, &ca};
    cfg.allocator = &al;

    hpa_chain *c = make(&cfg);
    if (ca.allocs < 1 || ca.live < 1)
        fail_msg("%s: create did not allocate through the allocator (allocs %ld)", what, ca.allocs);
    /* create may free scratch memory of its own (the resampler's warm-up
     * buffers); what matters is that what it keeps is live and that destroy
     * balances everything, checked below */
    const long after_create = ca.allocs;

    /* the config's allocator struct may go away once create returns ("copied") */
    memset(&al, 0, sizeof al);

    /* processing uses none of it */
    size_t cap = hpa_chain_max_out_frames(c);
    float *in = calloc((size_t)cfg.max_block_frames * cfg.channels, sizeof(float));
    float *out = calloc(cap * cfg.channels, sizeof(float));
    assert_non_null(in);
    assert_non_null(out);
    size_t n;
    for (int i = 0; i < 8; i++)
        assert_err(hpa_chain_process(c, in, cfg.max_block_frames, out, cap, &n), HPA_OK);
    if (ca.allocs != after_create)
        fail_msg("%s: process allocated through the allocator", what);

    hpa_chain_destroy(c);
    if (ca.live != 0 || ca.frees != ca.allocs)
        fail_msg("%s: unbalanced allocator after destroy: %ld allocs, %ld frees, %ld live", what, ca.allocs, ca.frees,
                 ca.live);
    free(in);
    free(out);
}

static void test_allocator_used(void **state)
{
    (void)state;
    hpa_chain_config cfg = small_config();
    check_allocator_used(cfg, "48000 -> 48000 f32");
    cfg.in_format = HPA_FORMAT_F32;
    cfg.out_format = HPA_FORMAT_S16;
    cfg.channels = 8;
    check_allocator_used(cfg, "48000 -> 48000 f32 -> s16, 8 ch");
    cfg = small_config();
    cfg.in_rate_hz = 44100;
    check_allocator_used(cfg, "44100 -> 48000");
}

static void check_allocator_failure(hpa_chain_config cfg, const char *what)
{
    /* an allocator that always fails */
    counting_alloc ca = {.fail_at = -1};
    hpa_allocator al = {count_alloc, count_free, &ca};
    cfg.allocator = &al;
    hpa_chain *c = SENTINEL;
    int err = hpa_chain_create(&cfg, &c);
    if (err != HPA_ERR_NO_MEMORY)
        fail_msg("%s: create with a failing allocator = %d (%s), want HPA_ERR_NO_MEMORY", what, err, hpa_strerror(err));
    assert_null(c);
    assert_true(ca.fails >= 1);
    assert_int_equal(ca.live, 0);

    /* count the allocations of a good create, then fail each one in turn:
     * every failure is reported, leaves *out NULL and leaks nothing */
    counting_alloc good = {0};
    al.user = &good;
    c = make(&cfg);
    hpa_chain_destroy(c);
    assert_int_equal(good.live, 0);
    for (long k = 1; k <= good.allocs; k++) {
        counting_alloc f = {.fail_at = k};
        al.user = &f;
        c = SENTINEL;
        err = hpa_chain_create(&cfg, &c);
        if (err != HPA_ERR_NO_MEMORY)
            fail_msg("%s: failing allocation %ld of %ld: create = %d (%s)", what, k, good.allocs, err,
                     hpa_strerror(err));
        assert_null(c);
        if (f.live != 0)
            fail_msg("%s: failing allocation %ld leaked %ld blocks", what, k, f.live);
    }
}

static void test_allocator_failure(void **state)
{
    (void)state;
    hpa_chain_config cfg = small_config();
    check_allocator_failure(cfg, "48000 -> 48000");
    cfg.in_rate_hz = 44100;
    check_allocator_failure(cfg, "44100 -> 48000");
}

static void test_destroy_null(void **state)
{
    (void)state;
    hpa_chain_destroy(NULL);
}

/* ------------------------------------------------------------------------ */
/* process / drain contracts                                                */

static void test_block_and_buffer_size(void **state)
{
    (void)state;
    hpa_chain_config cfg = small_config(); /* 48 kHz, stereo, f32, 256 frames */
    hpa_chain *c = make(&cfg);
    const size_t mb = cfg.max_block_frames;
    assert_true(hpa_chain_max_out_frames(c) >= mb);
    float *in = calloc(2 * (mb + 1), sizeof(float));
    float *out = calloc(2 * (mb + 1), sizeof(float));
    assert_non_null(in);
    assert_non_null(out);
    size_t n = 77;

    assert_err(hpa_chain_process(c, in, mb + 1, out, mb + 1, &n), HPA_ERR_BLOCK_TOO_LARGE);
    assert_int_equal(n, 0);
    assert_err(hpa_chain_process(c, in, mb, out, mb, &n), HPA_OK);
    assert_int_equal(n, mb);
    assert_err(hpa_chain_process(c, in, mb, out, mb - 1, &n), HPA_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 0);
    assert_err(hpa_chain_process(c, in, 1, out, 0, &n), HPA_ERR_BUFFER_TOO_SMALL);
    assert_err(hpa_chain_process(c, in, 1, out, 1, &n), HPA_OK);
    assert_int_equal(n, 1);
    hpa_chain_destroy(c);

    /* with a resampler the output must hold hpa_chain_max_out_frames() */
    cfg.in_rate_hz = 44100;
    c = make(&cfg);
    size_t cap = hpa_chain_max_out_frames(c);
    assert_true(cap >= (size_t)ceil(mb * 48000.0 / 44100.0));
    float *big = calloc(2 * cap, sizeof(float));
    assert_non_null(big);
    assert_err(hpa_chain_process(c, in, mb + 1, big, cap, &n), HPA_ERR_BLOCK_TOO_LARGE);
    assert_err(hpa_chain_process(c, in, mb, big, cap - 1, &n), HPA_ERR_BUFFER_TOO_SMALL);
    assert_err(hpa_chain_process(c, in, 1, big, mb, &n), HPA_ERR_BUFFER_TOO_SMALL);
    assert_err(hpa_chain_process(c, in, mb, big, cap, &n), HPA_OK);
    assert_true(n <= cap);
    assert_err(hpa_chain_drain(c, big, cap - 1, &n), HPA_ERR_BUFFER_TOO_SMALL);
    hpa_chain_destroy(c);

    free(in);
    free(out);
    free(big);
}

static void test_overlap(void **state)
{
    (void)state;
    hpa_chain_config cfg = small_config(); /* stereo f32 in and out */
    hpa_chain *c = make(&cfg);
    const size_t frames = 64, ch = 2;
    float *buf = calloc(4 * frames * ch, sizeof(float));
    assert_non_null(buf);
    size_t n = 5;

    /* in place */
    assert_err(hpa_chain_process(c, buf, frames, buf, frames, &n), HPA_ERR_OVERLAP);
    assert_int_equal(n, 0);
    /* out starts inside in */
    assert_err(hpa_chain_process(c, buf, frames, buf + ch * frames - 1, frames, &n), HPA_ERR_OVERLAP);
    /* in starts inside out */
    assert_err(hpa_chain_process(c, buf + ch * frames - 1, frames, buf, frames, &n), HPA_ERR_OVERLAP);
    /* one sample of overlap by one frame offset */
    assert_err(hpa_chain_process(c, buf + ch, frames, buf, frames, &n), HPA_ERR_OVERLAP);
    /* the output's whole capacity counts, not only what would be written */
    assert_err(hpa_chain_process(c, buf + ch * 2 * frames, frames, buf, 2 * frames + 1, &n), HPA_ERR_OVERLAP);
    /* adjacent, either order: fine */
    assert_err(hpa_chain_process(c, buf, frames, buf + ch * frames, frames, &n), HPA_OK);
    assert_int_equal(n, frames);
    assert_err(hpa_chain_process(c, buf + ch * frames, frames, buf, frames, &n), HPA_OK);
    hpa_chain_destroy(c);

    /* different widths: s16 in (2 bytes) and f64 out (8 bytes) */
    cfg.in_format = HPA_FORMAT_S16;
    cfg.out_format = HPA_FORMAT_F64;
    c = make(&cfg);
    unsigned char *raw = calloc(32 * frames * ch, 1); /* bytes: f64 out and s16 in, side by side, with room */
    assert_non_null(raw);
    /* in = [0, 2*ch*frames) bytes, out starts just before its end */
    assert_err(hpa_chain_process(c, raw, frames, raw + 2 * ch * frames - 1, frames, &n), HPA_ERR_OVERLAP);
    assert_err(hpa_chain_process(c, raw, frames, raw + 2 * ch * frames, frames, &n), HPA_OK);
    /* out = [0, 8*ch*frames) bytes, in starts just before its end */
    assert_err(hpa_chain_process(c, raw + 8 * ch * frames - 2, frames, raw, frames, &n), HPA_ERR_OVERLAP);
    assert_err(hpa_chain_process(c, raw + 8 * ch * frames, frames, raw, frames, &n), HPA_OK);
    hpa_chain_destroy(c);
    free(raw);
    free(buf);
}

static void check_drain_state(hpa_chain_config cfg, const char *what)
{
    hpa_chain *c = make(&cfg);
    size_t cap = hpa_chain_max_out_frames(c);
    float *in = calloc((size_t)cfg.max_block_frames * cfg.channels, sizeof(float));
    float *out = calloc(cap * cfg.channels, sizeof(float));
    assert_non_null(in);
    assert_non_null(out);
    for (size_t i = 0; i < (size_t)cfg.max_block_frames * cfg.channels; i++)
        in[i] = 0.25f * sinf(0.01f * (float)i);
    size_t n;
    int err;

    assert_err(hpa_chain_process(c, in, cfg.max_block_frames, out, cap, &n), HPA_OK);
    int rounds = 0;
    do {
        err = hpa_chain_drain(c, out, cap, &n);
        if (err != HPA_OK)
            fail_msg("%s: drain = %d (%s)", what, err, hpa_strerror(err));
        if (++rounds > 1000)
            fail_msg("%s: drain never returns 0 frames", what);
    } while (n);
    /* draining again is harmless */
    assert_err(hpa_chain_drain(c, out, cap, &n), HPA_OK);
    assert_int_equal(n, 0);

    n = 1;
    err = hpa_chain_process(c, in, cfg.max_block_frames, out, cap, &n);
    if (err != HPA_ERR_STATE)
        fail_msg("%s: process after drain = %d (%s), want HPA_ERR_STATE", what, err, hpa_strerror(err));
    assert_int_equal(n, 0);
    assert_err(hpa_chain_process(c, NULL, 0, out, cap, &n), HPA_ERR_STATE);

    assert_err(hpa_chain_reset(c), HPA_OK);
    err = hpa_chain_process(c, in, cfg.max_block_frames, out, cap, &n);
    if (err != HPA_OK)
        fail_msg("%s: process after reset = %d (%s)", what, err, hpa_strerror(err));
    hpa_chain_stats st;
    hpa_chain_get_stats(c, &st);
    assert_int_equal(st.frames_in, cfg.max_block_frames); /* reset cleared the stats */
    hpa_chain_destroy(c);
    free(in);
    free(out);
}

static void test_drain_state(void **state)
{
    (void)state;
    hpa_chain_config cfg = small_config();
    check_drain_state(cfg, "48000 -> 48000");
    cfg.in_rate_hz = 44100;
    check_drain_state(cfg, "44100 -> 48000");
}

/* ------------------------------------------------------------------------ */
/* parameters                                                               */

static void test_param_table(void **state)
{
    (void)state;
    assert_int_equal(hpa_param_count(), HPA_PARAM_COUNT);
    assert_true(HPA_PARAM_COUNT >= 2);
    for (int id = 0; id < hpa_param_count(); id++) {
        const hpa_param_info *p = hpa_param_info_get(id);
        assert_non_null(p);
        assert_int_equal(p->id, id);
        assert_non_null(p->symbol);
        assert_non_null(p->name);
        assert_non_null(p->unit);
        assert_non_null(p->doc);
        assert_true(strlen(p->symbol) > 0);
        assert_true(strlen(p->name) > 0);
        assert_true(strlen(p->doc) > 0);
        /* symbols are machine names: lower case, digits, underscore */
        for (const char *s = p->symbol; *s; s++)
            if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
                fail_msg("symbol '%s' has character '%c'", p->symbol, *s);
        if (!(isfinite(p->min_value) && isfinite(p->max_value) && isfinite(p->default_value) &&
              p->min_value <= p->default_value && p->default_value <= p->max_value && p->min_value < p->max_value))
            fail_msg("param %s: min %g default %g max %g", p->symbol, p->min_value, p->default_value, p->max_value);
        if (p->is_toggle)
            assert_true(p->min_value == 0.0 && p->max_value == 1.0);
        assert_err(hpa_param_find(p->symbol), id);
        for (int j = 0; j < id; j++)
            assert_string_not_equal(hpa_param_info_get(j)->symbol, p->symbol);
    }
    assert_string_equal(hpa_param_info_get(HPA_PARAM_VOLUME_DB)->symbol, "volume_db");
    assert_string_equal(hpa_param_info_get(HPA_PARAM_VOLUME_DB)->unit, "dB");
    assert_true(hpa_param_info_get(HPA_PARAM_MUTE)->is_toggle);
    assert_null(hpa_param_info_get(-1));
    assert_null(hpa_param_info_get(HPA_PARAM_COUNT));
    assert_null(hpa_param_info_get(1000));
}

static void test_unknown_param(void **state)
{
    (void)state;
    hpa_chain_config cfg = small_config();
    hpa_chain *c = make(&cfg);
    double v = 42.0;
    const int bad[] = {-1, HPA_PARAM_COUNT, HPA_PARAM_COUNT + 1, 1000, -1000};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_err(hpa_chain_set_param(c, bad[i], 0.0), HPA_ERR_UNKNOWN_PARAM);
        assert_err(hpa_chain_get_param(c, bad[i], &v), HPA_ERR_UNKNOWN_PARAM);
    }
    assert_true(v == 42.0);
    assert_err(hpa_param_find("no_such_param"), HPA_ERR_UNKNOWN_PARAM);
    assert_err(hpa_param_find(""), HPA_ERR_UNKNOWN_PARAM);
    assert_err(hpa_param_find("Volume_DB"), HPA_ERR_UNKNOWN_PARAM);
    assert_err(hpa_param_find("volume_db "), HPA_ERR_UNKNOWN_PARAM);
    hpa_chain_destroy(c);
}

static double get(const hpa_chain *c, int id)
{
    double v = NAN;
    assert_err(hpa_chain_get_param(c, id, &v), HPA_OK);
    return v;
}

static void test_set_param_clamps(void **state)
{
    (void)state;
    const hpa_param_info *vol = hpa_param_info_get(HPA_PARAM_VOLUME_DB);
    const hpa_param_info *mute = hpa_param_info_get(HPA_PARAM_MUTE);
    hpa_chain_config cfg = small_config(); /* max_volume_db 0 */
    hpa_chain *c = make(&cfg);

    assert_true(get(c, HPA_PARAM_VOLUME_DB) == 0.0);
    assert_true(get(c, HPA_PARAM_MUTE) == mute->default_value);

    assert_err(hpa_chain_set_param(c, HPA_PARAM_VOLUME_DB, -12.5), HPA_OK);
    assert_true(get(c, HPA_PARAM_VOLUME_DB) == -12.5);
    assert_err(hpa_chain_set_param(c, HPA_PARAM_VOLUME_DB, 6.0), HPA_OK); /* above max_volume_db 0 */
    assert_true(get(c, HPA_PARAM_VOLUME_DB) == 0.0);
    assert_err(hpa_chain_set_param(c, HPA_PARAM_VOLUME_DB, INFINITY), HPA_OK);
    assert_true(get(c, HPA_PARAM_VOLUME_DB) == 0.0);
    assert_err(hpa_chain_set_param(c, HPA_PARAM_VOLUME_DB, -1000.0), HPA_OK);
    assert_true(get(c, HPA_PARAM_VOLUME_DB) == vol->min_value);
    assert_err(hpa_chain_set_param(c, HPA_PARAM_VOLUME_DB, -INFINITY), HPA_OK);
    assert_true(get(c, HPA_PARAM_VOLUME_DB) == vol->min_value);
    assert_err(hpa_chain_set_param(c, HPA_PARAM_VOLUME_DB, NAN), HPA_OK);
    assert_true(get(c, HPA_PARAM_VOLUME_DB) == vol->default_value);
    assert_err(hpa_chain_set_volume_db(c, -3.0), HPA_OK);
    assert_true(get(c, HPA_PARAM_VOLUME_DB) == -3.0);

    assert_err(hpa_chain_set_param(c, HPA_PARAM_MUTE, 0.7), HPA_OK);
    assert_true(get(c, HPA_PARAM_MUTE) == 1.0);
    assert_err(hpa_chain_set_param(c, HPA_PARAM_MUTE, 0.3), HPA_OK);
    assert_true(get(c, HPA_PARAM_MUTE) == 0.0);
    assert_err(hpa_chain_set_param(c, HPA_PARAM_MUTE, 17.0), HPA_OK);
    assert_true(get(c, HPA_PARAM_MUTE) == 1.0);
    assert_err(hpa_chain_set_param(c, HPA_PARAM_MUTE, -17.0), HPA_OK);
    assert_true(get(c, HPA_PARAM_MUTE) == 0.0);
    assert_err(hpa_chain_set_param(c, HPA_PARAM_MUTE, 1.0), HPA_OK);
    assert_err(hpa_chain_set_param(c, HPA_PARAM_MUTE, NAN), HPA_OK);
    assert_true(get(c, HPA_PARAM_MUTE) == mute->default_value);
    assert_err(hpa_chain_set_mute(c, 42), HPA_OK);
    assert_true(get(c, HPA_PARAM_MUTE) == 1.0);
    assert_err(hpa_chain_set_mute(c, 0), HPA_OK);
    assert_true(get(c, HPA_PARAM_MUTE) == 0.0);
    hpa_chain_destroy(c);

    /* a lower hard maximum: requests above it, the initial volume and NaN all land on it */
    cfg.max_volume_db = -6.0;
    cfg.volume_db = 3.0;
    c = make(&cfg);
    assert_true(get(c, HPA_PARAM_VOLUME_DB) == -6.0);
    assert_err(hpa_chain_set_param(c, HPA_PARAM_VOLUME_DB, -5.9), HPA_OK);
    assert_true(get(c, HPA_PARAM_VOLUME_DB) == -6.0);
    assert_err(hpa_chain_set_param(c, HPA_PARAM_VOLUME_DB, -20.0), HPA_OK);
    assert_true(get(c, HPA_PARAM_VOLUME_DB) == -20.0);
    assert_err(hpa_chain_set_param(c, HPA_PARAM_VOLUME_DB, NAN), HPA_OK);
    assert_true(get(c, HPA_PARAM_VOLUME_DB) == -6.0);
    hpa_chain_destroy(c);

    /* a raised maximum allows gain up to it, never above */
    cfg.max_volume_db = 12.0;
    cfg.volume_db = 0.0;
    c = make(&cfg);
    assert_err(hpa_chain_set_param(c, HPA_PARAM_VOLUME_DB, 9.0), HPA_OK);
    assert_true(get(c, HPA_PARAM_VOLUME_DB) == 9.0);
    assert_err(hpa_chain_set_param(c, HPA_PARAM_VOLUME_DB, vol->max_value + 100.0), HPA_OK);
    assert_true(get(c, HPA_PARAM_VOLUME_DB) == 12.0);
    hpa_chain_destroy(c);
}

/* Each end of a range does what it says: the lowest volume is that gain
 * (1e-6 at -120 dB), not silence; mute is silence; the EQ preamp's ends are
 * taken and a hair past them refused. */
static void test_range_ends(void **state)
{
    (void)state;
    const hpa_param_info *vol = hpa_param_info_get(HPA_PARAM_VOLUME_DB);
    hpa_chain_config cfg = small_config();
    cfg.volume_db = vol->min_value;
    cfg.max_eq_bands = 1;
    hpa_chain *c = make(&cfg);
    const double want = pow(10.0, vol->min_value / 20.0);
    if (!(fabs(hpa_chain_current_gain(c) - want) <= 1e-12 * want))
        fail_msg("volume %g dB: gain %g, want %g", vol->min_value, hpa_chain_current_gain(c), want);
    hpa_chain_destroy(c);
    cfg.volume_db = vol->max_value;
    cfg.max_volume_db = vol->max_value;
    c = make(&cfg);
    assert_true(fabs(hpa_chain_current_gain(c) - pow(10.0, vol->max_value / 20.0)) <= 1e-12 * 16.0);
    /* the preamp */
    double used = 0.0;
    assert_err(hpa_chain_set_eq(c, NULL, 0, HPA_EQ_PREAMP_MIN_DB, &used, NULL), HPA_OK);
    assert_true(used == HPA_EQ_PREAMP_MIN_DB);
    assert_err(hpa_chain_set_eq(c, NULL, 0, HPA_EQ_PREAMP_MAX_DB, &used, NULL), HPA_OK);
    assert_true(used == HPA_EQ_PREAMP_MAX_DB);
    hpa_eq_fault fault;
    assert_err(hpa_chain_set_eq(c, NULL, 0, HPA_EQ_PREAMP_MIN_DB - 0.01, NULL, &fault), HPA_ERR_INVALID_ARG);
    assert_non_null(fault.reason);
    assert_err(hpa_chain_set_eq(c, NULL, 0, HPA_EQ_PREAMP_MAX_DB + 0.01, NULL, NULL), HPA_ERR_INVALID_ARG);
    hpa_chain_destroy(c);
}

/* ------------------------------------------------------------------------ */
/* strings                                                                  */

static void test_strerror(void **state)
{
    (void)state;
    const int codes[] = {HPA_OK,
                         HPA_ERR_INVALID_ARG,
                         HPA_ERR_NO_MEMORY,
                         HPA_ERR_RATE,
                         HPA_ERR_CHANNELS,
                         HPA_ERR_FORMAT,
                         HPA_ERR_BLOCK_TOO_LARGE,
                         HPA_ERR_BUFFER_TOO_SMALL,
                         HPA_ERR_RESAMPLER,
                         HPA_ERR_UNKNOWN_PARAM,
                         HPA_ERR_OVERLAP,
                         HPA_ERR_STATE};
    const size_t n = sizeof codes / sizeof codes[0];
    /* the enum is 0, -1, ..., -11 with no gaps */
    for (size_t i = 0; i < n; i++)
        assert_int_equal(codes[i], -(int)i);
    for (size_t i = 0; i < n; i++) {
        const char *s = hpa_strerror(codes[i]);
        assert_non_null(s);
        assert_true(strlen(s) > 0);
        for (size_t j = 0; j < i; j++)
            if (strcmp(s, hpa_strerror(codes[j])) == 0)
                fail_msg("hpa_strerror(%d) == hpa_strerror(%d) == \"%s\"", codes[i], codes[j], s);
    }
    const int unknown[] = {1, 2, -12, -100, 1000, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        const char *s = hpa_strerror(unknown[i]);
        assert_non_null(s);
        assert_true(strlen(s) > 0);
        for (size_t j = 0; j < n; j++)
            if (strcmp(s, hpa_strerror(codes[j])) == 0)
                fail_msg("unknown code %d described as known code %d: \"%s\"", unknown[i], codes[j], s);
    }
    /* the channel error names the limits that really apply: the chain's and the meter's */
    char chain_range[32], meter_range[32];
    snprintf(chain_range, sizeof chain_range, "1 to %u", HPA_CHANNELS_MAX);
    snprintf(meter_range, sizeof meter_range, "1 to %u", (unsigned)HPA_METER_CHANNELS_MAX);
    const char *ch = hpa_strerror(HPA_ERR_CHANNELS);
    if (!strstr(ch, chain_range) || !strstr(ch, meter_range))
        fail_msg("hpa_strerror(HPA_ERR_CHANNELS) = \"%s\": want both \"%s\" and \"%s\"", ch, chain_range, meter_range);
}

static void test_names(void **state)
{
    (void)state;
    for (int f = 0; f < HPA_FILTER_COUNT; f++) {
        const char *s = hpa_filter_name((hpa_filter)f);
        assert_non_null(s);
        assert_err(hpa_filter_from_name(s), f);
        for (int g = 0; g < f; g++)
            assert_string_not_equal(s, hpa_filter_name((hpa_filter)g));
    }
    for (int d = 0; d < HPA_DITHER_COUNT; d++) {
        const char *s = hpa_dither_name((hpa_dither)d);
        assert_non_null(s);
        assert_err(hpa_dither_from_name(s), d);
        for (int g = 0; g < d; g++)
            assert_string_not_equal(s, hpa_dither_name((hpa_dither)g));
    }
    for (int s = 0; s < HPA_STAGE_COUNT; s++) {
        assert_non_null(hpa_stage_name((hpa_stage)s));
        for (int g = 0; g < s; g++)
            assert_string_not_equal(hpa_stage_name((hpa_stage)s), hpa_stage_name((hpa_stage)g));
    }
    for (int f = 0; f < HPA_FORMAT_COUNT; f++) {
        assert_non_null(hpa_format_name((hpa_format)f));
        for (int g = 0; g < f; g++)
            assert_string_not_equal(hpa_format_name((hpa_format)f), hpa_format_name((hpa_format)g));
    }
    assert_string_equal(hpa_filter_name(HPA_FILTER_LINEAR), "linear");
    assert_string_equal(hpa_dither_name(HPA_DITHER_TPDF), "tpdf");
    assert_string_equal(hpa_format_name(HPA_FORMAT_S16), "s16");

    assert_null(hpa_filter_name(HPA_FILTER_COUNT));
    assert_null(hpa_filter_name((hpa_filter)-1));
    assert_null(hpa_dither_name(HPA_DITHER_COUNT));
    assert_null(hpa_dither_name((hpa_dither)-1));
    assert_null(hpa_stage_name(HPA_STAGE_COUNT));
    assert_null(hpa_stage_name((hpa_stage)-1));
    assert_null(hpa_format_name(HPA_FORMAT_COUNT));
    assert_null(hpa_format_name((hpa_format)-1));

    assert_err(hpa_filter_from_name("bogus"), HPA_ERR_INVALID_ARG);
    assert_err(hpa_filter_from_name(""), HPA_ERR_INVALID_ARG);
    assert_err(hpa_filter_from_name("Linear"), HPA_ERR_INVALID_ARG);
    assert_err(hpa_filter_from_name("tpdf"), HPA_ERR_INVALID_ARG);
    assert_err(hpa_dither_from_name("bogus"), HPA_ERR_INVALID_ARG);
    assert_err(hpa_dither_from_name(""), HPA_ERR_INVALID_ARG);
    assert_err(hpa_dither_from_name("linear"), HPA_ERR_INVALID_ARG);
}

static void test_format_properties(void **state)
{
    (void)state;
    static const struct {
        size_t bytes;
        hpa_format f;
        int bits;
    } t[] = {
        {2, HPA_FORMAT_S16, 16}, {4, HPA_FORMAT_S24, 24}, {4, HPA_FORMAT_S32, 32},
        {4, HPA_FORMAT_F32, 24}, {8, HPA_FORMAT_F64, 53},
    };
    assert_int_equal(sizeof t / sizeof t[0], HPA_FORMAT_COUNT);
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        assert_int_equal(hpa_format_bytes(t[i].f), t[i].bytes);
        assert_int_equal(hpa_format_bits(t[i].f), t[i].bits);
    }
    assert_int_equal(hpa_format_bytes(HPA_FORMAT_COUNT), 0);
    assert_int_equal(hpa_format_bytes((hpa_format)-1), 0);
    assert_int_equal(hpa_format_bits(HPA_FORMAT_COUNT), 0);
}

static void test_version(void **state)
{
    (void)state;
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", HPA_VERSION_MAJOR, HPA_VERSION_MINOR, HPA_VERSION_PATCH);
    assert_non_null(hpa_version_string());
    assert_string_equal(hpa_version_string(), want);
    assert_string_equal(HPA_VERSION_STRING, want);
    assert_int_equal(hpa_version(), HPA_VERSION_MAJOR * 10000 + HPA_VERSION_MINOR * 100 + HPA_VERSION_PATCH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_init_defaults),
        cmocka_unit_test(test_null_pointers),
        cmocka_unit_test(test_rates),
        cmocka_unit_test(test_channels),
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_allocator_null_function),
        cmocka_unit_test(test_allocator_used),
        cmocka_unit_test(test_allocator_failure),
        cmocka_unit_test(test_destroy_null),
        cmocka_unit_test(test_block_and_buffer_size),
        cmocka_unit_test(test_overlap),
        cmocka_unit_test(test_drain_state),
        cmocka_unit_test(test_param_table),
        cmocka_unit_test(test_unknown_param),
        cmocka_unit_test(test_set_param_clamps),
        cmocka_unit_test(test_range_ends),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_format_properties),
        cmocka_unit_test(test_version),
    };
    return cmocka_run_group_tests_name("unit/api", tests, NULL, NULL);
}
