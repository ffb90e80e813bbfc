/* test_rt_alloc.c — the [RT] calls never allocate.
 *
 * The suite's allocation spy (tests/common/allocspy.h) is compiled into this
 * executable: malloc & co. from the library, libsoxr and other shared objects
 * land in it and are forwarded to glibc.  A watched section is opened around
 * hpa_chain_process, hpa_chain_set_param (and its shorthands),
 * hpa_chain_get_stats and hpa_chain_current_gain; any allocator call while it
 * is up is counted.  hpa_chain_drain is [non-RT] (libsoxr may allocate while
 * it flushes) and is not counted.  libsoxr allocates with plain
 * malloc/realloc, so only interposition can prove that its FIFOs stay put on
 * the audio thread.
 *
 * Block sizes are random (seeded: HPA_TEST_SEED replays, and the seed is
 * printed on failure) and always include 0, 1, 513 and max_block_frames;
 * HPA_RT_CASE=i runs only config i.  Another test sets the volume and mute
 * from a second thread while the first processes.
 *
 * The headphone stages run too (issue 4): every config but the last has an
 * EQ band set, the crossfeed (where the chain is stereo and libbs2b takes the
 * rate) and the true-peak limiter switched on, and between process calls the
 * band set is replaced (hpa_chain_set_eq, counted as well: it builds in the
 * chain's own memory), the EQ and crossfeed are switched in and out, the
 * crossfeed level and the limiter ceiling move.  In the other-thread test a
 * second thread also hands over band sets while the audio thread plays.
 *
 * Under AddressSanitizer (or ThreadSanitizer) the runtime owns malloc and the
 * interposition cannot be built: the test exits 77, which meson reports as
 * a skip. */
#include <errno.h>
#include <math.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "seeded.h"

#include <hpamp/chain.h>
#include <hpamp/eq.h>

#include "allocspy.h"

#if HPT_SPY
#define HPA_INTERPOSE 1
#endif

#ifdef HPA_INTERPOSE

#define COUNTED HPT_SPY_COUNTED

/* ------------------------------------------------------------------------ */
/* helpers                                                                  */


static double rng_unit(uint64_t *s)
{
    return (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static size_t fmt_bytes(hpa_format f)
{
    return f == HPA_FORMAT_S16 ? 2 : f == HPA_FORMAT_F64 ? 8 : 4;
}

static const char *fmt_name(hpa_format f)
{
    static const char *const n[] = {"s16", "s24", "s32", "f32", "f64"};
    return (unsigned)f < 5 ? n[f] : "?";
}

static const char *filter_name(hpa_filter f)
{
    static const char *const n[] = {"linear", "steep", "minimum", "intermediate"};
    return (unsigned)f < 4 ? n[f] : "?";
}

static const char *dither_name(hpa_dither d)
{
    static const char *const n[] = {"tpdf", "shaped", "none"};
    return (unsigned)d < 3 ? n[d] : "?";
}

typedef struct rt_case {
    uint32_t in_rate, out_rate;
    unsigned channels;
    hpa_format in, out;
    hpa_filter filter;
    hpa_dither dither;
    unsigned calls; /* process calls; fewer for the expensive 96x upsampling */
} rt_case;

static void describe(const rt_case *k, uint32_t max_block, char *s, size_t n)
{
    snprintf(s, n, "%u -> %u Hz, %u ch, %s -> %s, filter %s, dither %s, max_block %u, %u calls", k->in_rate,
             k->out_rate, k->channels, fmt_name(k->in), fmt_name(k->out), filter_name(k->filter),
             dither_name(k->dither), max_block, k->calls);
}

/* the chain config a case describes */
static void config_for(const rt_case *k, uint32_t max_block, hpa_chain_config *cfg)
{
    hpa_chain_config_init(cfg);
    cfg->in_rate_hz = k->in_rate;
    cfg->out_rate_hz = k->out_rate;
    cfg->channels = k->channels;
    cfg->max_block_frames = max_block;
    cfg->in_format = k->in;
    cfg->out_format = k->out;
    cfg->filter = k->filter;
    cfg->dither = k->dither;
}

/* a loud-ish random signal in the input format (some overs for floats) */
static void fill_input(const rt_case *k, void *buf, size_t samples, uint64_t *rng)
{
    for (size_t i = 0; i < samples; i++) {
        double x = 2.2 * rng_unit(rng) - 1.1;
        switch (k->in) {
        case HPA_FORMAT_S16: ((int16_t *)buf)[i] = (int16_t)(x > 1 ? 32767 : x < -1 ? -32768 : x * 32767); break;
        case HPA_FORMAT_S24: ((int32_t *)buf)[i] = (int32_t)(x > 1 ? 8388607 : x < -1 ? -8388608 : x * 8388607); break;
        case HPA_FORMAT_S32:
            ((int32_t *)buf)[i] = (int32_t)(x > 1 ? 2147483647.0 : x < -1 ? -2147483648.0 : x * 2147483647.0);
            break;
        case HPA_FORMAT_F32: ((float *)buf)[i] = (float)x; break;
        default: ((double *)buf)[i] = x; break;
        }
    }
}

static size_t block_size(unsigned call, uint32_t max_block, uint64_t *rng)
{
    /* 1, 513 and max_block first and then again every so often */
    switch (call % 97) {
    case 0: return 1;
    case 1: return 513 <= max_block ? 513 : max_block;
    case 2: return max_block;
    case 3: return 0;
    default: break;
    }
    uint64_t r = rng_next(rng);
    if ((r & 7) == 0)
        return 1 + (size_t)((r >> 8) % 16); /* tiny blocks */
    return 1 + (size_t)((r >> 8) % max_block);
}

/* a random band set of 1 .. 12 valid bands at rate_hz */
static size_t random_bands(hpa_eq_band *b, double rate_hz, uint64_t *rng)
{
    static const hpa_eq_type types[] = {HPA_EQ_PK, HPA_EQ_LSC, HPA_EQ_HSC, HPA_EQ_LP, HPA_EQ_HP, HPA_EQ_NO};
    size_t n = 1 + (size_t)(rng_next(rng) % 12);
    for (size_t i = 0; i < n; i++) {
        memset(&b[i], 0, sizeof b[i]);
        b[i].type = types[rng_next(rng) % (sizeof types / sizeof types[0])];
        double top = rate_hz < 40000.0 ? 0.4 * rate_hz : 16000.0;
        b[i].freq_hz = 20.0 * pow(top / 20.0, rng_unit(rng));
        b[i].gain_db = -12.0 + 24.0 * rng_unit(rng);
        b[i].q = 0.3 + 4.0 * rng_unit(rng);
    }
    return n;
}

/* switch the headphone stages on: band set, crossfeed, limiter */
static void stages_on(hpa_chain *c, const rt_case *k, uint64_t *rng, const char *what)
{
    hpa_eq_band b[16];
    size_t n = random_bands(b, k->out_rate, rng);
    int err;
    COUNTED("hpa_chain_set_eq", err = hpa_chain_set_eq(c, b, n, HPA_EQ_PREAMP_AUTO, NULL, NULL));
    if (err)
        fail_msg("%s: set_eq = %d (%s)", what, err, hpa_strerror(err));
    const int xf_ok = k->channels == 2 && k->out_rate <= 384000;
    COUNTED("hpa_chain_set_param(crossfeed_enable)", err = hpa_chain_set_param(c, HPA_PARAM_CROSSFEED_ENABLE, 1.0));
    if (err != (xf_ok ? HPA_OK : HPA_ERR_UNSUPPORTED))
        fail_msg("%s: crossfeed_enable = %d", what, err);
    COUNTED("hpa_chain_set_param(limiter_enable)", err = hpa_chain_set_param(c, HPA_PARAM_LIMITER_ENABLE, 1.0));
    assert_int_equal(err, HPA_OK);
}

/* move the headphone stages between process calls */
static void stages_move(hpa_chain *c, const rt_case *k, uint64_t *rng)
{
    uint64_t r = rng_next(rng);
    int err = HPA_OK;
    if ((r & 7) == 0) {
        hpa_eq_band b[16];
        size_t n = random_bands(b, k->out_rate, rng);
        COUNTED("hpa_chain_set_eq", err = hpa_chain_set_eq(c, b, n, (r & 8) ? HPA_EQ_PREAMP_AUTO : -3.0, NULL, NULL));
        assert_int_equal(err, HPA_OK);
    }
    if ((r & 0x70) == 0)
        COUNTED("hpa_chain_set_param(eq_enable)", hpa_chain_set_param(c, HPA_PARAM_EQ_ENABLE, (double)((r >> 7) & 1)));
    if ((r & 0x700) == 0)
        COUNTED("hpa_chain_set_param(crossfeed_enable)",
                hpa_chain_set_param(c, HPA_PARAM_CROSSFEED_ENABLE, (double)((r >> 11) & 1)));
    if ((r & 0x7000) == 0x1000) {
        COUNTED("hpa_chain_set_param(crossfeed_fcut_hz)",
                err = hpa_chain_set_param(c, HPA_PARAM_CROSSFEED_FCUT_HZ, 300.0 + 1700.0 * rng_unit(rng)));
        assert_int_equal(err, HPA_OK);
        COUNTED("hpa_chain_set_param(crossfeed_feed_db)",
                err = hpa_chain_set_param(c, HPA_PARAM_CROSSFEED_FEED_DB, 1.0 + 14.0 * rng_unit(rng)));
        assert_int_equal(err, HPA_OK);
    }
    if ((r & 0x70000) == 0) {
        COUNTED("hpa_chain_set_param(limiter_ceiling_dbtp)",
                err = hpa_chain_set_param(c, HPA_PARAM_LIMITER_CEILING_DBTP, -12.0 * rng_unit(rng)));
        assert_int_equal(err, HPA_OK);
    }
    if ((r & 0x700000) == 0)
        COUNTED("hpa_chain_set_param(limiter_enable)",
                hpa_chain_set_param(c, HPA_PARAM_LIMITER_ENABLE, (double)((r >> 23) & 1)));
}

typedef struct rt_result {
    unsigned long process_allocs; /* allocator calls inside the counted calls between create and drain */
    const char *first_where;      /* the first call that allocated */
    unsigned first_call;          /* its index */
    size_t first_block;           /* and its block size */
    unsigned calls_with_allocs;   /* loop iterations that allocated */
    double seconds;               /* time spent in the loop */
} rt_result;

/* Run one config: create, k->calls process calls with parameter changes in
 * between, then drain (not counted).  Allocator calls inside the counted
 * calls are collected in *res rather than failing at once, so one run shows
 * every config. */
static void run_case(const rt_case *k, uint32_t max_block, int stages, uint64_t *rng, rt_result *res)
{
    char what[320];
    describe(k, max_block, what, sizeof what);
    memset(res, 0, sizeof *res);

    hpa_chain_config cfg;
    config_for(k, max_block, &cfg);
    cfg.volume_db = -6.0;
    cfg.max_volume_db = 6.0;
    cfg.smoothing_ms = 5.0;
    cfg.seed = rng_next(rng);
    if (stages) {
        cfg.max_eq_bands = 16;
        cfg.limiter_lookahead_ms = 0.5 + 4.5 * rng_unit(rng);
        cfg.crossfade_ms = 2.0 + 20.0 * rng_unit(rng);
    }

    /* creation may allocate: count it too, to prove that the interposition
     * reaches the shared libraries at all */
    hpa_chain *c = NULL;
    int err;
    hpt_spy_thread_reset();
    COUNTED("hpa_chain_create", err = hpa_chain_create(&cfg, &c));
    if (err)
        fail_msg("%s: create = %d (%s)", what, err, hpa_strerror(err));
    if (hpt_spy_thread_calls() == 0)
        fail_msg("%s: create made no allocator call the interposer saw: interposition is broken", what);
    hpt_spy_thread_reset();
    if (stages)
        stages_on(c, k, rng, what);

    const size_t cap = hpa_chain_max_out_frames(c);
    const size_t in_samples = (size_t)max_block * k->channels;
    void *in = malloc(in_samples * fmt_bytes(k->in));
    void *out = malloc(cap * k->channels * fmt_bytes(k->out));
    assert_non_null(in);
    assert_non_null(out);
    fill_input(k, in, in_samples, rng);

    uint64_t total_in = 0, total_out = 0;
    hpa_chain_stats st;
    double gain = 0.0;
    const double t0 = now_s();
    for (unsigned call = 0; call < k->calls; call++) {
        size_t n = block_size(call, max_block, rng), got = 0;
        /* start somewhere in the buffer so the signal is not one repeated block */
        size_t off = n < max_block ? (size_t)(rng_next(rng) % (max_block - n + 1)) : 0;
        const void *src = n ? (const unsigned char *)in + off * k->channels * fmt_bytes(k->in) : NULL;
        const unsigned long before = hpt_spy_thread_calls();
        COUNTED("hpa_chain_process", err = hpa_chain_process(c, src, n, out, cap, &got));
        if (err)
            fail_msg("%s: call %u: process(%zu) = %d (%s)", what, call, n, err, hpa_strerror(err));
        total_in += n;
        total_out += got;

        /* change parameters between calls, as a UI or another thread would */
        uint64_t r = rng_next(rng);
        if ((r & 3) == 0) {
            double db = -60.0 + 72.0 * rng_unit(rng); /* some above max_volume_db: clamped */
            COUNTED("hpa_chain_set_param(volume)", err = hpa_chain_set_param(c, HPA_PARAM_VOLUME_DB, db));
            assert_int_equal(err, HPA_OK);
        }
        if ((r & 0x3F0) == 0x10) {
            COUNTED("hpa_chain_set_param(mute)", err = hpa_chain_set_param(c, HPA_PARAM_MUTE, (double)((r >> 10) & 1)));
            assert_int_equal(err, HPA_OK);
        }
        if ((r & 0x7000) == 0) {
            COUNTED("hpa_chain_set_volume_db", err = hpa_chain_set_volume_db(c, -20.0 * rng_unit(rng)));
            assert_int_equal(err, HPA_OK);
            COUNTED("hpa_chain_set_mute", err = hpa_chain_set_mute(c, 0));
            assert_int_equal(err, HPA_OK);
        }
        if (stages)
            stages_move(c, k, rng);
        COUNTED("hpa_chain_get_stats", hpa_chain_get_stats(c, &st));
        COUNTED("hpa_chain_current_gain", gain = hpa_chain_current_gain(c));
        if (!(gain >= 0.0 && gain <= 2.0)) /* max_volume_db 6 dB: about 1.995 */
            fail_msg("%s: call %u: current gain %g", what, call, gain);

        if (hpt_spy_thread_calls() != before) {
            if (!res->calls_with_allocs) {
                res->first_where = hpt_spy_thread_last_where();
                res->first_call = call;
                res->first_block = n;
            }
            res->calls_with_allocs++;
        }
    }
    res->seconds = now_s() - t0;
    res->process_allocs = hpt_spy_thread_calls();

    /* the end of the stream: drain is [non-RT] (libsoxr may allocate while
     * it flushes), so it is not counted; it completes the frame count */
    size_t got = 0;
    int rounds = 0;
    do {
        err = hpa_chain_drain(c, out, cap, &got);
        if (err)
            fail_msg("%s: drain = %d (%s)", what, err, hpa_strerror(err));
        total_out += got;
        if (++rounds > 1000)
            fail_msg("%s: drain never returns 0 frames", what);
    } while (got);
    hpt_spy_thread_reset();
    hpt_spy_reset();

    hpa_chain_get_stats(c, &st);
    assert_int_equal(st.frames_in, total_in);
    /* sanity: the resampler really ran at the expected ratio */
    double want_out = (double)total_in * k->out_rate / k->in_rate;
    if (!((double)total_out > 0.98 * want_out - 16 && (double)total_out < 1.02 * want_out + 16))
        fail_msg("%s: %" PRIu64 " frames in, %" PRIu64 " out, expected about %.0f", what, total_in, total_out,
                 want_out);

    hpa_chain_destroy(c);
    free(in);
    free(out);
}

/* ------------------------------------------------------------------------ */
/* tests                                                                    */

static void test_interposer_works(void **state)
{
    (void)state;
    /* through a volatile pointer so the compiler cannot drop the pair */
    void *(*volatile m)(size_t) = malloc;
    void (*volatile f)(void *) = free;
    hpt_spy_thread_reset();
    void *p;
    COUNTED("self-test", p = m(32));
    COUNTED("self-test", f(p));
    assert_int_equal(hpt_spy_thread_calls(), 2);
    /* outside the flag nothing is counted */
    p = m(32);
    f(p);
    assert_int_equal(hpt_spy_thread_calls(), 2);
    hpt_spy_thread_reset();
    hpt_spy_reset();
    assert_true(hpt_spy_interposed() > 0);
}

/* each filter at least once; s16/s24/f32 in; s16/s24/s32/f32 out; every dither */
static const rt_case process_cases[] = {
    {44100, 48000, 2, HPA_FORMAT_S16, HPA_FORMAT_S16, HPA_FILTER_LINEAR, HPA_DITHER_TPDF, 10000},
    {44100, 352800, 2, HPA_FORMAT_S24, HPA_FORMAT_S32, HPA_FILTER_STEEP, HPA_DITHER_SHAPED, 10000},
    {48000, 44100, 2, HPA_FORMAT_F32, HPA_FORMAT_F32, HPA_FILTER_MINIMUM, HPA_DITHER_NONE, 10000},
    {768000, 8000, 2, HPA_FORMAT_S16, HPA_FORMAT_S24, HPA_FILTER_INTERMEDIATE, HPA_DITHER_TPDF, 10000},
    {8000, 768000, 1, HPA_FORMAT_F32, HPA_FORMAT_S24, HPA_FILTER_LINEAR, HPA_DITHER_NONE, 10000},
    {96000, 44100, 2, HPA_FORMAT_S24, HPA_FORMAT_S16, HPA_FILTER_STEEP, HPA_DITHER_SHAPED, 10000},
    {44100, 48000, 8, HPA_FORMAT_F32, HPA_FORMAT_S32, HPA_FILTER_INTERMEDIATE, HPA_DITHER_SHAPED, 10000},
    {48000, 96000, 1, HPA_FORMAT_S16, HPA_FORMAT_F32, HPA_FILTER_MINIMUM, HPA_DITHER_TPDF, 10000},
    {44100, 96000, 2, HPA_FORMAT_S16, HPA_FORMAT_S24, HPA_FILTER_STEEP, HPA_DITHER_TPDF, 10000},
    /* no resampler */
    {48000, 48000, 2, HPA_FORMAT_F32, HPA_FORMAT_S16, HPA_FILTER_LINEAR, HPA_DITHER_SHAPED, 10000},
    {44100, 44100, 2, HPA_FORMAT_S16, HPA_FORMAT_S24, HPA_FILTER_LINEAR, HPA_DITHER_TPDF, 10000},
};
#define N_PROCESS_CASES (sizeof process_cases / sizeof process_cases[0])

static void test_no_alloc_in_process(void **state)
{
    (void)state;
    uint64_t rng = g_seed;
    double total = 0.0;
    int bad = 0;
    /* one more run with a larger block, to cover max_block_frames above soxr's chunking */
    const rt_case big = {44100, 48000, 2, HPA_FORMAT_S16, HPA_FORMAT_S16, HPA_FILTER_LINEAR, HPA_DITHER_TPDF, 3000};
    /* HPA_RT_CASE=i runs only config i (0-based; N runs the large-block one) */
    const char *only = getenv("HPA_RT_CASE");
    for (size_t i = 0; i <= N_PROCESS_CASES; i++) {
        if (only && *only && strtoul(only, NULL, 10) != i)
            continue;
        const rt_case *k = i < N_PROCESS_CASES ? &process_cases[i] : &big;
        const uint32_t max_block = i < N_PROCESS_CASES ? 1024 : 4096;
        rt_result result, *res = &result;
        char what[320];
        describe(k, max_block, what, sizeof what);
        /* the headphone stages in every listed config; the large-block run without them */
        run_case(k, max_block, i < N_PROCESS_CASES, &rng, res);
        total += res->seconds;
        if (res->process_allocs) {
            print_error("ALLOC: %s: %lu allocator call(s) in %u of %u calls; first in %s at call %u "
                        "(block %zu frames); seed %" PRIu64 "\n",
                        what, res->process_allocs, res->calls_with_allocs, k->calls, res->first_where, res->first_call,
                        res->first_block, g_seed);
            bad++;
        }
        print_message("  %s %6.2f s  %s\n", res->process_allocs ? "ALLOC" : "ok   ", res->seconds, what);
    }
    print_message("  processing total %.2f s\n", total);
    if (bad)
        fail_msg("the [RT] calls allocated in %d of %zu configs (seed %" PRIu64 ")", bad, N_PROCESS_CASES + 1, g_seed);
}

/* ---- set_param from another thread while processing ---- */

typedef struct toggler {
    hpa_chain *chain;
    int stages; /* also hand over band sets and switch the stages */
    double rate;
    atomic_int stop;
    unsigned long sets;
    unsigned long allocs; /* allocator calls inside the toggler's set_param */
    int err;
} toggler;

static void *toggle_thread(void *arg)
{
    toggler *t = arg;
    uint64_t rng = g_seed ^ 0x7077;
    hpt_spy_thread_reset();
    while (!atomic_load_explicit(&t->stop, memory_order_relaxed)) {
        int e1, e2;
        COUNTED("hpa_chain_set_param (other thread)",
                e1 = hpa_chain_set_param(t->chain, HPA_PARAM_VOLUME_DB, -40.0 * rng_unit(&rng)));
        COUNTED("hpa_chain_set_param (other thread)",
                e2 = hpa_chain_set_param(t->chain, HPA_PARAM_MUTE, (double)(rng_next(&rng) & 1)));
        if (e1 || e2)
            t->err = e1 ? e1 : e2;
        t->sets += 2;
        if (t->stages) {
            hpa_eq_band b[16];
            size_t n = random_bands(b, t->rate, &rng);
            int e3, e4;
            COUNTED("hpa_chain_set_eq (other thread)",
                    e3 = hpa_chain_set_eq(t->chain, b, n, HPA_EQ_PREAMP_AUTO, NULL, NULL));
            COUNTED("hpa_chain_set_param (other thread)",
                    e4 = hpa_chain_set_param(t->chain, HPA_PARAM_CROSSFEED_ENABLE, (double)(rng_next(&rng) & 1)));
            if (e3 || e4)
                t->err = e3 ? e3 : e4;
            t->sets += 2;
        }
    }
    t->allocs = hpt_spy_thread_calls();
    return NULL;
}

static void test_set_param_from_other_thread(void **state)
{
    (void)state;
    static const rt_case cases[] = {
        {44100, 48000, 2, HPA_FORMAT_F32, HPA_FORMAT_S16, HPA_FILTER_LINEAR, HPA_DITHER_SHAPED, 5000},
        {48000, 48000, 2, HPA_FORMAT_S24, HPA_FORMAT_S24, HPA_FILTER_LINEAR, HPA_DITHER_TPDF, 10000},
        {44100, 44100, 2, HPA_FORMAT_F32, HPA_FORMAT_F32, HPA_FILTER_LINEAR, HPA_DITHER_TPDF, 10000}, /* + stages */
    };
    const uint32_t max_block = 1024;
    uint64_t rng = g_seed ^ 0x1234;
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        const rt_case *k = &cases[ci];
        char what[320];
        describe(k, max_block, what, sizeof what);
        hpa_chain_config cfg;
        config_for(k, max_block, &cfg);
        cfg.smoothing_ms = 2.0;
        const int stages = ci == 2;
        if (stages) {
            cfg.max_eq_bands = 16;
            cfg.limiter_lookahead_ms = 2.0;
            cfg.crossfade_ms = 5.0;
        }
        hpa_chain *c = NULL;
        int err = hpa_chain_create(&cfg, &c);
        if (err)
            fail_msg("%s: create = %d (%s)", what, err, hpa_strerror(err));
        const size_t cap = hpa_chain_max_out_frames(c);
        void *in = malloc((size_t)max_block * k->channels * fmt_bytes(k->in));
        void *out = malloc(cap * k->channels * fmt_bytes(k->out));
        assert_non_null(in);
        assert_non_null(out);
        fill_input(k, in, (size_t)max_block * k->channels, &rng);

        /* zeroed per case: a case whose audio thread never copied the stats must
         * not see the previous case's frames_in */
        hpa_chain_stats st = {0};
        toggler t = {.chain = c, .stages = stages, .rate = k->out_rate};
        atomic_init(&t.stop, 0);
        hpt_spy_reset();
        pthread_t th;
        assert_int_equal(pthread_create(&th, NULL, toggle_thread, &t), 0);

        /* each thread counts its own allocator calls (hpt_spy_thread_calls() is thread-local) */
        hpt_spy_thread_reset();
        unsigned changes = 0, bad_call = 0;
        double last_gain = -1.0, g = 0.0;
        for (unsigned call = 0; call < k->calls && !err; call++) {
            size_t n = block_size(call, max_block, &rng), got = 0;
            COUNTED("hpa_chain_process (audio thread)", err = hpa_chain_process(c, n ? in : NULL, n, out, cap, &got));
            COUNTED("hpa_chain_current_gain (audio thread)", g = hpa_chain_current_gain(c));
            COUNTED("hpa_chain_get_stats (audio thread)", hpa_chain_get_stats(c, &st));
            if (!err && !(g >= 0.0 && g <= 1.0))
                err = HPA_ERR_STATE; /* reported below, once the other thread has stopped */
            bad_call = call;
            changes += g != last_gain;
            last_gain = g;
        }
        const unsigned long audio_allocs = hpt_spy_thread_calls();
        atomic_store(&t.stop, 1);
        assert_int_equal(pthread_join(th, NULL), 0);

        if (err)
            fail_msg("%s: call %u: process = %d (%s), current gain %g (max_volume_db 0)", what, bad_call, err,
                     hpa_strerror(err), g);

        if (t.err)
            fail_msg("%s: set_param on the other thread = %d (%s)", what, t.err, hpa_strerror(t.err));
        if (t.sets < 2)
            fail_msg("%s: the other thread never ran", what);
        if (audio_allocs || t.allocs || hpt_spy_calls())
            fail_msg("%s: allocator calls while counting: %lu on the audio thread, %lu in the other thread's "
                     "set_param (first in %s)",
                     what, audio_allocs, t.allocs, hpt_spy_first_where());
        if (changes < 2)
            fail_msg("%s: the gain never followed the other thread's settings", what);
        assert_true(st.frames_in > 0); /* the stats were copied from the audio thread */
        print_message("  %-110.110s %lu sets from the other thread, gain changed in %u blocks\n", what, t.sets,
                      changes);
        hpa_chain_destroy(c);
        free(in);
        free(out);
    }
}

#endif /* HPA_INTERPOSE */

int main(void)
{
#ifndef HPA_INTERPOSE
    printf("test_rt_alloc: skipped: the sanitizer runtime owns malloc (or no glibc)\n");
    return 77;
#else
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interposer_works),
        cmocka_unit_test(test_no_alloc_in_process),
        cmocka_unit_test(test_set_param_from_other_thread),
    };
    return run_seeded("test_rt_alloc", "unit/rt_alloc", tests);
#endif
}
