/* test_stages_api.c — API contracts of the headphone stages in the chain
 * (issue 4): hpa_chain_set_eq's errors and automatic preamp, the new config
 * fields' ranges, crossfeed and limiter availability, the limiter's latency,
 * the single allocation, and the bit-exact path once a stage is switched off. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <hpamp/chain.h>
#include <hpamp/eq.h>

static hpa_chain *make(uint32_t rate, unsigned ch, double lookahead_ms)
{
    hpa_chain_config cfg;
    hpa_chain_config_init(&cfg);
    cfg.in_rate_hz = cfg.out_rate_hz = rate;
    cfg.channels = ch;
    cfg.max_block_frames = 1024;
    cfg.max_eq_bands = 4;
    cfg.limiter_lookahead_ms = lookahead_ms;
    hpa_chain *c = NULL;
    assert_int_equal(hpa_chain_create(&cfg, &c), HPA_OK);
    return c;
}

static void test_config_fields(void **state)
{
    (void)state;
    hpa_chain_config cfg;
    hpa_chain_config_init(&cfg);
    assert_int_equal(cfg.max_eq_bands, 32);
    assert_true(cfg.crossfade_ms == 20.0);
    assert_true(cfg.limiter_lookahead_ms == 0.0);
    assert_true(cfg.limiter_release_ms == 100.0);
    assert_int_equal(hpa_chain_config_check(&cfg), HPA_OK);
    const struct {
        double *field;
        double bad;
    } cases[] = {
        {&cfg.crossfade_ms, 0.5},         {&cfg.crossfade_ms, 201.0},        {&cfg.crossfade_ms, NAN},
        {&cfg.limiter_lookahead_ms, 0.4}, {&cfg.limiter_lookahead_ms, 5.01}, {&cfg.limiter_lookahead_ms, -1.0},
        {&cfg.limiter_release_ms, 0.5},   {&cfg.limiter_release_ms, 6000.0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hpa_chain_config_init(&cfg);
        *cases[i].field = cases[i].bad;
        assert_int_equal(hpa_chain_config_check(&cfg), HPA_ERR_INVALID_ARG);
    }
    hpa_chain_config_init(&cfg);
    cfg.max_eq_bands = HPA_EQ_MAX_BANDS + 1;
    assert_int_equal(hpa_chain_config_check(&cfg), HPA_ERR_INVALID_ARG);
    cfg.max_eq_bands = 0; /* no room for bands: a preamp-only set still fits */
    hpa_chain *c = NULL;
    assert_int_equal(hpa_chain_create(&cfg, &c), HPA_OK);
    const hpa_eq_band pk = {.type = HPA_EQ_PK, .freq_hz = 1000, .gain_db = 3, .q = 1};
    assert_int_equal(hpa_chain_set_eq(c, &pk, 1, 0.0, NULL, NULL), HPA_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(hpa_chain_set_eq(c, NULL, 0, -3.0, NULL, NULL), HPA_OK);
    hpa_chain_destroy(c);
}

static void test_set_eq_errors(void **state)
{
    (void)state;
    hpa_chain *c = make(48000, 2, 0.0);
    hpa_eq_band b[5] = {
        {.type = HPA_EQ_PK, .freq_hz = 1000, .gain_db = 6, .q = 1},
        {.type = HPA_EQ_PK, .freq_hz = 1100, .gain_db = 6, .q = 1},
    };
    hpa_eq_fault fault;
    double pre = 99.0;
    assert_int_equal(hpa_chain_set_eq(NULL, b, 1, 0.0, NULL, NULL), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_chain_set_eq(c, NULL, 1, 0.0, NULL, NULL), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_chain_set_eq(c, b, 5, 0.0, NULL, NULL), HPA_ERR_BUFFER_TOO_SMALL); /* max 4 */
    assert_int_equal(hpa_chain_set_eq(c, b, 1, HPA_EQ_PREAMP_MAX_DB + 1.0, NULL, &fault), HPA_ERR_INVALID_ARG);
    assert_non_null(fault.reason);
    assert_int_equal(hpa_chain_set_eq(c, b, 1, HPA_EQ_PREAMP_MIN_DB - 1.0, NULL, NULL), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_chain_set_eq(c, b, 1, NAN, NULL, NULL), HPA_ERR_INVALID_ARG);
    /* above Nyquist at 48 kHz: the band is named */
    b[1].freq_hz = 30000;
    assert_int_equal(hpa_chain_set_eq(c, b, 2, 0.0, NULL, &fault), HPA_ERR_INVALID_ARG);
    assert_int_equal(fault.band, 1);
    assert_non_null(fault.reason);
    b[1].freq_hz = 1000;
    b[1].q = 0.0;
    b[1].bw_oct = -1.0;
    assert_int_equal(hpa_chain_set_eq(c, b, 2, 0.0, NULL, &fault), HPA_ERR_INVALID_ARG);
    assert_int_equal(fault.band, 1);
    /* automatic preamp: one +6 dB peaking band peaks at +6 dB */
    assert_int_equal(hpa_chain_set_eq(c, b, 1, HPA_EQ_PREAMP_AUTO, &pre, NULL), HPA_OK);
    assert_true(fabs(pre + 6.0) < 1e-3);
    /* two identical bands at one frequency add: +12 dB (not one band's 6) */
    b[1] = b[0];
    assert_int_equal(hpa_chain_set_eq(c, b, 2, HPA_EQ_PREAMP_AUTO, &pre, NULL), HPA_OK);
    assert_true(fabs(pre + 12.0) < 1e-3);
    /* cuts only: no preamp */
    b[0].gain_db = -6;
    assert_int_equal(hpa_chain_set_eq(c, b, 1, HPA_EQ_PREAMP_AUTO, &pre, NULL), HPA_OK);
    assert_true(pre == 0.0);
    /* many sets before the audio thread runs: every one is accepted (a waiting one is replaced) */
    for (int i = 0; i < 50; i++)
        assert_int_equal(hpa_chain_set_eq(c, b, 1 + (size_t)(i % 2), -1.0 * i / 10.0, NULL, NULL), HPA_OK);
    hpa_chain_stats st;
    float in[2 * 64] = {0}, out[2 * 64];
    size_t got;
    assert_int_equal(hpa_chain_process(c, in, 64, out, 64, &got), HPA_OK);
    hpa_chain_get_stats(c, &st);
    assert_true(fabs(st.eq_preamp_db - (-4.9)) < 1e-12); /* the last one given */
    hpa_chain_destroy(c);
}

static void test_availability(void **state)
{
    (void)state;
    hpa_chain *mono = make(48000, 1, 0.0);
    double v = -1;
    assert_int_equal(hpa_chain_set_param(mono, HPA_PARAM_CROSSFEED_ENABLE, 1.0), HPA_ERR_UNSUPPORTED);
    assert_int_equal(hpa_chain_get_param(mono, HPA_PARAM_CROSSFEED_ENABLE, &v), HPA_OK);
    assert_true(v == 0.0);
    assert_int_equal(hpa_chain_set_param(mono, HPA_PARAM_CROSSFEED_ENABLE, 0.0), HPA_OK);
    assert_int_equal(hpa_chain_set_param(mono, HPA_PARAM_LIMITER_ENABLE, 1.0), HPA_ERR_UNSUPPORTED);
    hpa_chain_destroy(mono);
    hpa_chain *hi = make(768000, 2, 0.0);
    assert_int_equal(hpa_chain_set_param(hi, HPA_PARAM_CROSSFEED_ENABLE, 1.0), HPA_ERR_UNSUPPORTED);
    hpa_chain_destroy(hi);
    hpa_chain *st = make(384000, 2, 1.0);
    assert_int_equal(hpa_chain_set_param(st, HPA_PARAM_CROSSFEED_ENABLE, 1.0), HPA_OK);
    assert_int_equal(hpa_chain_set_param(st, HPA_PARAM_LIMITER_ENABLE, 1.0), HPA_OK);
    /* clamped like every parameter */
    assert_int_equal(hpa_chain_set_param(st, HPA_PARAM_CROSSFEED_FCUT_HZ, 5000.0), HPA_OK);
    assert_int_equal(hpa_chain_get_param(st, HPA_PARAM_CROSSFEED_FCUT_HZ, &v), HPA_OK);
    assert_true(v == 2000.0);
    assert_int_equal(hpa_chain_set_param(st, HPA_PARAM_LIMITER_CEILING_DBTP, 3.0), HPA_OK);
    assert_int_equal(hpa_chain_get_param(st, HPA_PARAM_LIMITER_CEILING_DBTP, &v), HPA_OK);
    assert_true(v == 0.0);
    /* the limiter's latency: its 1 ms attack at 384 kHz, the guard band's 108
     * frames and the detector's 2 x 64 - 2 (docs/limiter.md) */
    assert_true(hpa_chain_latency_frames(st) == 384.0 + 234.0);
    hpa_chain_destroy(st);

    assert_non_null(hpa_crossfeed_preset_find("default"));
    assert_true(hpa_crossfeed_preset_find("cmoy")->feed_db == 6.0);
    assert_true(hpa_crossfeed_preset_find("jmeier")->fcut_hz == 650.0);
    assert_null(hpa_crossfeed_preset_find("nope"));
    assert_null(hpa_crossfeed_preset_find(NULL));
    assert_null(hpa_crossfeed_preset_get(3));
    assert_null(hpa_crossfeed_preset_get(-1));
}

static size_t g_allocs, g_frees;
static void *count_alloc(void *user, size_t n)
{
    (void)user;
    g_allocs++;
    return malloc(n);
}
static void count_free(void *user, void *p)
{
    (void)user;
    g_frees++;
    free(p);
}

static void test_one_allocation(void **state)
{
    (void)state;
    hpa_allocator a = {count_alloc, count_free, NULL};
    hpa_chain_config cfg;
    hpa_chain_config_init(&cfg);
    cfg.limiter_lookahead_ms = 5.0;
    cfg.allocator = &a;
    hpa_chain *c = NULL;
    g_allocs = g_frees = 0;
    assert_int_equal(hpa_chain_create(&cfg, &c), HPA_OK);
    assert_int_equal(g_allocs, 1); /* EQ slots, libbs2b and the limiter live in the one block */
    hpa_chain_destroy(c);
    assert_int_equal(g_frees, 1);
}

/* s16 -> s16 at 0 dB: with an EQ and crossfeed switched on and off again, the
 * output becomes bit-identical once the fades are over */
static void test_bit_exact_after_off(void **state)
{
    (void)state;
    hpa_chain_config cfg;
    hpa_chain_config_init(&cfg);
    cfg.in_format = cfg.out_format = HPA_FORMAT_S16;
    cfg.crossfade_ms = 5.0;
    hpa_chain *c = NULL;
    assert_int_equal(hpa_chain_create(&cfg, &c), HPA_OK);
    const hpa_eq_band pk = {.type = HPA_EQ_PK, .freq_hz = 1000, .gain_db = -3, .q = 1};
    assert_int_equal(hpa_chain_set_eq(c, &pk, 1, 0.0, NULL, NULL), HPA_OK);
    assert_int_equal(hpa_chain_set_param(c, HPA_PARAM_CROSSFEED_ENABLE, 1.0), HPA_OK);
    enum { N = 1024 };
    static int16_t in[2 * N], out[2 * N];
    uint32_t x = 12345;
    for (size_t i = 0; i < (size_t)2 * N; i++) {
        x = x * 1664525u + 1013904223u;
        in[i] = (int16_t)(x >> 16);
    }
    size_t got;
    for (int k = 0; k < 4; k++)
        assert_int_equal(hpa_chain_process(c, in, N, out, N, &got), HPA_OK);
    assert_true(memcmp(in, out, sizeof in) != 0); /* the stages were on */
    assert_int_equal(hpa_chain_set_param(c, HPA_PARAM_EQ_ENABLE, 0.0), HPA_OK);
    assert_int_equal(hpa_chain_set_param(c, HPA_PARAM_CROSSFEED_ENABLE, 0.0), HPA_OK);
    for (int k = 0; k < 4; k++) /* 5 ms fades: over within one block each */
        assert_int_equal(hpa_chain_process(c, in, N, out, N, &got), HPA_OK);
    assert_int_equal(got, N);
    assert_memory_equal(in, out, sizeof in);
    /* a flat set (no bands, 0 dB) switched back in is also the identity */
    assert_int_equal(hpa_chain_set_eq(c, NULL, 0, 0.0, NULL, NULL), HPA_OK);
    assert_int_equal(hpa_chain_set_param(c, HPA_PARAM_EQ_ENABLE, 1.0), HPA_OK);
    for (int k = 0; k < 4; k++)
        assert_int_equal(hpa_chain_process(c, in, N, out, N, &got), HPA_OK);
    assert_memory_equal(in, out, sizeof in);
    hpa_chain_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_fields),       cmocka_unit_test(test_set_eq_errors),
        cmocka_unit_test(test_availability),        cmocka_unit_test(test_one_allocation),
        cmocka_unit_test(test_bit_exact_after_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
