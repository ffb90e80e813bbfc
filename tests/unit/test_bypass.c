/* test_bypass.c — at equal rates and 0 dB the chain is bit-transparent into a
 * format at least as wide as its input, whatever dither is configured (the
 * chain must skip dither when nothing changes the signal).
 *
 * The expected output is computed here, independently of the library
 * (s16 v -> s24 v*256, -> s32 v*65536, -> f32 v/32768.0f, ...), and compared
 * with the chain's output both as an FNV-1a 64 hash and sample by sample.
 * Input is random (seeded: set HPA_TEST_SEED to replay; the seed is printed on
 * failure) and arrives in random block sizes including 1 and 513.
 *
 * Negative controls: at -0.1 dB the output must differ; back at 0 dB, once
 * the smoothing has settled, it must be bit-exact again. */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
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

#define RATE 44100u
#define MAX_BLOCK 1024u


/* ------------------------------------------------------------------------ */
/* helpers                                                                  */

static double rng_unit(uint64_t *s) /* [0, 1) */
{
    return (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

static uint64_t fnv1a64(const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t h = 0xCBF29CE484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001B3ULL;
    }
    return h;
}

static size_t fmt_bytes(hpa_format f)
{
    switch (f) {
    case HPA_FORMAT_S16: return 2;
    case HPA_FORMAT_S24:
    case HPA_FORMAT_S32:
    case HPA_FORMAT_F32: return 4;
    case HPA_FORMAT_F64: return 8;
    default: /* not 0: zero-byte samples would make every comparison pass */
        fprintf(stderr, "fmt_bytes: unknown format %d\n", (int)f);
        abort();
    }
}

static int int_bits(hpa_format f) /* 0 for floats */
{
    switch (f) {
    case HPA_FORMAT_S16: return 16;
    case HPA_FORMAT_S24: return 24;
    case HPA_FORMAT_S32: return 32;
    default: return 0;
    }
}

static const char *fmt_name(hpa_format f)
{
    static const char *const n[] = {"s16", "s24", "s32", "f32", "f64"};
    return (unsigned)f < sizeof n / sizeof n[0] ? n[f] : "?";
}

static const char *dither_name(hpa_dither d)
{
    static const char *const n[] = {"tpdf", "shaped", "none"};
    return (unsigned)d < sizeof n / sizeof n[0] ? n[d] : "?";
}

/* one random input sample, full range, with the extremes and (for floats)
 * zeros of both signs, denormals and overs beyond full scale mixed in */
static void gen_sample(hpa_format f, uint64_t *rng, void *dst, size_t i)
{
    uint64_t r = rng_next(rng);
    unsigned pick = (unsigned)(r & 31u);
    uint64_t bits = rng_next(rng);
    switch (f) {
    case HPA_FORMAT_S16: {
        int16_t v = (int16_t)(uint16_t)bits;
        if (pick == 0)
            v = INT16_MIN;
        if (pick == 1)
            v = INT16_MAX;
        if (pick == 2)
            v = 0;
        ((int16_t *)dst)[i] = v;
        break;
    }
    case HPA_FORMAT_S24: {
        int32_t v = (int32_t)((uint32_t)bits << 8) >> 8; /* 24-bit value, sign-extended */
        if (pick == 0)
            v = -8388608;
        if (pick == 1)
            v = 8388607;
        if (pick == 2)
            v = 0;
        ((int32_t *)dst)[i] = v;
        break;
    }
    case HPA_FORMAT_S32: {
        int32_t v = (int32_t)(uint32_t)bits;
        if (pick == 0)
            v = INT32_MIN;
        if (pick == 1)
            v = INT32_MAX;
        if (pick == 2)
            v = 0;
        ((int32_t *)dst)[i] = v;
        break;
    }
    case HPA_FORMAT_F32: {
        float v = (float)(2.0 * rng_unit(rng) - 1.0);
        if (pick == 0)
            v = -1.0f;
        if (pick == 1)
            v = 1.0f;
        if (pick == 2)
            v = 0.0f;
        if (pick == 3)
            v = -0.0f;
        if (pick == 4)
            v = FLT_TRUE_MIN;
        if (pick == 5)
            v = -FLT_MIN;
        if (pick == 6)
            v = (float)(8.0 * rng_unit(rng) - 4.0); /* overs */
        if (pick == 7) {
            uint32_t u = (uint32_t)bits;
            memcpy(&v, &u, sizeof v);
            if (!isfinite(v)) /* the chain turns NaN/inf into 0: keep to finite values */
                v = 0.5f;
        }
        ((float *)dst)[i] = v;
        break;
    }
    case HPA_FORMAT_F64: {
        double v = 2.0 * rng_unit(rng) - 1.0;
        if (pick == 0)
            v = -1.0;
        if (pick == 1)
            v = 1.0;
        if (pick == 2)
            v = 0.0;
        if (pick == 3)
            v = -0.0;
        if (pick == 4)
            v = DBL_TRUE_MIN;
        if (pick == 5)
            v = -DBL_MIN;
        if (pick == 6)
            v = 8.0 * rng_unit(rng) - 4.0;
        if (pick == 7) {
            memcpy(&v, &bits, sizeof v);
            if (!isfinite(v))
                v = 0.5;
        }
        ((double *)dst)[i] = v;
        break;
    }
    default: break;
    }
}

/* the bit-exact result, computed without the library */
static void expect_sample(hpa_format in, hpa_format out, const void *src, void *dst, size_t i)
{
    const int ib = int_bits(in), ob = int_bits(out);
    if (ib) {
        int64_t v = in == HPA_FORMAT_S16 ? ((const int16_t *)src)[i] : ((const int32_t *)src)[i];
        if (ob) {
            assert_true(ob >= ib);
            /* clang-analyzer-core.UndefinedBinaryOperatorResult: ob >= ib is asserted just above; the
             * analyzer does not know cmocka's assert_true ends the test (longjmp) when it fails */
            // NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult)
            int64_t w = v * ((int64_t)1 << (ob - ib));
            if (out == HPA_FORMAT_S16)
                ((int16_t *)dst)[i] = (int16_t)w;
            else
                ((int32_t *)dst)[i] = (int32_t)w;
        } else if (out == HPA_FORMAT_F32) {
            assert_true(ib <= 24);
            ((float *)dst)[i] = (float)v / (float)((int64_t)1 << (ib - 1));
        } else {
            ((double *)dst)[i] = (double)v / (double)((int64_t)1 << (ib - 1));
        }
    } else if (in == HPA_FORMAT_F32) {
        float x = ((const float *)src)[i];
        if (out == HPA_FORMAT_F32)
            ((float *)dst)[i] = x;
        else {
            assert_int_equal(out, HPA_FORMAT_F64);
            ((double *)dst)[i] = (double)x;
        }
    } else {
        assert_int_equal(in, HPA_FORMAT_F64);
        assert_int_equal(out, HPA_FORMAT_F64);
        ((double *)dst)[i] = ((const double *)src)[i];
    }
}

static void sample_str(hpa_format f, const void *buf, size_t i, char *s, size_t n)
{
    switch (f) {
    case HPA_FORMAT_S16: snprintf(s, n, "%d", ((const int16_t *)buf)[i]); break;
    case HPA_FORMAT_S24:
    case HPA_FORMAT_S32: snprintf(s, n, "%" PRId32, ((const int32_t *)buf)[i]); break;
    case HPA_FORMAT_F32: snprintf(s, n, "%a", (double)((const float *)buf)[i]); break;
    case HPA_FORMAT_F64: snprintf(s, n, "%a", ((const double *)buf)[i]); break;
    default: snprintf(s, n, "?"); break;
    }
}

typedef struct run {
    hpa_format in, out;
    hpa_dither dither;
    unsigned channels;
    double volume_db;
    size_t frames;
    /* filled by run_chain */
    void *input, *expected, *output;
    size_t n_samples;
} run;

static void describe(const run *r, char *s, size_t n)
{
    snprintf(s, n,
             "%s -> %s, dither %s, %u ch, %.2f dB, %zu frames, seed %" PRIu64 " (replay: HPA_TEST_SEED=%" PRIu64 ")",
             fmt_name(r->in), fmt_name(r->out), dither_name(r->dither), r->channels, r->volume_db, r->frames, g_seed,
             g_seed);
}

/* feed r->input through a fresh chain in random block sizes; first blocks are
 * 1, 513 and MAX_BLOCK, and some calls pass 0 frames */
static void run_chain(run *r, uint64_t *rng, void (*between)(hpa_chain *, size_t done, void *), void *user)
{
    char what[256];
    describe(r, what, sizeof what);
    hpa_chain_config cfg;
    hpa_chain_config_init(&cfg);
    cfg.in_rate_hz = cfg.out_rate_hz = RATE;
    cfg.channels = r->channels;
    cfg.max_block_frames = MAX_BLOCK;
    cfg.in_format = r->in;
    cfg.out_format = r->out;
    cfg.dither = r->dither;
    cfg.volume_db = r->volume_db;
    cfg.seed = rng_next(rng);

    hpa_chain *c = NULL;
    int err = hpa_chain_create(&cfg, &c);
    if (err)
        fail_msg("%s: create = %d (%s)", what, err, hpa_strerror(err));
    assert_true(hpa_chain_max_out_frames(c) >= MAX_BLOCK);
    assert_true(hpa_chain_latency_frames(c) == 0.0);

    const size_t ib = fmt_bytes(r->in), ob = fmt_bytes(r->out), ch = r->channels;
    size_t done = 0, call = 0;
    static const size_t first[] = {1, 513, MAX_BLOCK, 0, 2, 511, 512, 1023};
    while (done < r->frames) {
        size_t want;
        if (call < sizeof first / sizeof first[0])
            want = first[call];
        else if ((rng_next(rng) & 63) == 0)
            want = 0;
        else
            want = 1 + (size_t)(rng_next(rng) % MAX_BLOCK);
        call++;
        if (want > r->frames - done)
            want = r->frames - done;
        const unsigned char *in = want ? (const unsigned char *)r->input + done * ch * ib : NULL;
        unsigned char *out = (unsigned char *)r->output + done * ch * ob;
        size_t cap = r->frames - done, got = 12345;
        if (cap > MAX_BLOCK)
            cap = MAX_BLOCK;
        err = hpa_chain_process(c, in, want, out, cap, &got);
        if (err)
            fail_msg("%s: process(%zu frames) = %d (%s)", what, want, err, hpa_strerror(err));
        if (got != want)
            fail_msg("%s: process(%zu frames) wrote %zu frames", what, want, got);
        done += want;
        if (between)
            between(c, done, user);
    }
    hpa_chain_stats st;
    hpa_chain_get_stats(c, &st);
    assert_int_equal(st.frames_in, r->frames);
    assert_int_equal(st.frames_out, r->frames);
    hpa_chain_destroy(c);
}

static void prepare(run *r, uint64_t *rng)
{
    const size_t n = r->frames * r->channels;
    r->n_samples = n;
    r->input = malloc(n * fmt_bytes(r->in));
    r->expected = malloc(n * fmt_bytes(r->out));
    r->output = malloc(n * fmt_bytes(r->out));
    assert_non_null(r->input);
    assert_non_null(r->expected);
    assert_non_null(r->output);
    memset(r->output, 0xEE, n * fmt_bytes(r->out));
    for (size_t i = 0; i < n; i++)
        gen_sample(r->in, rng, r->input, i);
    for (size_t i = 0; i < n; i++)
        expect_sample(r->in, r->out, r->input, r->expected, i);
}

static void release(run *r)
{
    free(r->input);
    free(r->expected);
    free(r->output);
    r->input = r->expected = r->output = NULL;
}

/* samples [from, n_samples) that differ from the expectation, bit for bit */
static size_t count_diffs(const run *r, size_t from, size_t *first)
{
    const size_t ob = fmt_bytes(r->out);
    size_t diffs = 0;
    *first = SIZE_MAX;
    for (size_t i = from; i < r->n_samples; i++)
        if (memcmp((const unsigned char *)r->expected + i * ob, (const unsigned char *)r->output + i * ob, ob) != 0) {
            if (!diffs)
                *first = i;
            diffs++;
        }
    return diffs;
}

static void check_exact(const run *r, size_t from, const char *label)
{
    const size_t ob = fmt_bytes(r->out);
    char what[256];
    describe(r, what, sizeof what);
    uint64_t h_want = fnv1a64((const unsigned char *)r->expected + from * ob, (r->n_samples - from) * ob);
    uint64_t h_got = fnv1a64((const unsigned char *)r->output + from * ob, (r->n_samples - from) * ob);
    size_t first;
    size_t diffs = count_diffs(r, from, &first);
    if (diffs || h_want != h_got) {
        char si[64] = "", se[64] = "", sg[64] = "";
        if (diffs) {
            sample_str(r->in, r->input, first, si, sizeof si);
            sample_str(r->out, r->expected, first, se, sizeof se);
            sample_str(r->out, r->output, first, sg, sizeof sg);
        }
        fail_msg("%s: %s not bit-exact: hash %016" PRIx64 " want %016" PRIx64 "; %zu of %zu samples differ; "
                 "first at frame %zu ch %zu: in %s, want %s, got %s",
                 what, label, h_got, h_want, diffs, r->n_samples - from, diffs ? first / r->channels : 0,
                 diffs ? first % r->channels : 0, si, se, sg);
    }
}

/* ------------------------------------------------------------------------ */
/* tests                                                                    */

static const struct {
    hpa_format in, out;
} cases[] = {
    {HPA_FORMAT_S16, HPA_FORMAT_S16},
    {HPA_FORMAT_S16, HPA_FORMAT_S24},
    {HPA_FORMAT_S16, HPA_FORMAT_S32},
    {HPA_FORMAT_S24, HPA_FORMAT_S32},
    {HPA_FORMAT_S16, HPA_FORMAT_F32},
    {HPA_FORMAT_S16, HPA_FORMAT_F64},
    {HPA_FORMAT_F32, HPA_FORMAT_F32},
    {HPA_FORMAT_F32, HPA_FORMAT_F64},
    {HPA_FORMAT_F64, HPA_FORMAT_F64},
    {HPA_FORMAT_S32, HPA_FORMAT_S32},
    /* not in the brief's list, but as wide or wider too */
    {HPA_FORMAT_S24, HPA_FORMAT_S24},
    {HPA_FORMAT_S24, HPA_FORMAT_F32},
    {HPA_FORMAT_S24, HPA_FORMAT_F64},
    {HPA_FORMAT_S32, HPA_FORMAT_F64},
};
#define N_CASES (sizeof cases / sizeof cases[0])

static const hpa_dither dithers[] = {HPA_DITHER_TPDF, HPA_DITHER_NONE, HPA_DITHER_SHAPED};
static const unsigned channel_counts[] = {2, 1, 3, 8, 6};

static void test_bit_exact(void **state)
{
    (void)state;
    uint64_t rng = g_seed;
    size_t k = 0;
    for (size_t i = 0; i < N_CASES; i++)
        for (size_t d = 0; d < sizeof dithers / sizeof dithers[0]; d++, k++) {
            run r = {
                .in = cases[i].in,
                .out = cases[i].out,
                .dither = dithers[d],
                .channels = channel_counts[k % (sizeof channel_counts / sizeof channel_counts[0])],
                .volume_db = 0.0,
                .frames = 20000 + (size_t)(rng_next(&rng) % 5000),
            };
            prepare(&r, &rng);
            run_chain(&r, &rng, NULL, NULL);
            check_exact(&r, 0, "0 dB output");
            release(&r);
        }
}

/* the same machinery must see a change: -0.1 dB is not bypass */
static void test_negative_control(void **state)
{
    (void)state;
    uint64_t rng = g_seed ^ 0x5555;
    for (size_t i = 0; i < N_CASES; i++) {
        run r = {
            .in = cases[i].in,
            .out = cases[i].out,
            .dither = HPA_DITHER_TPDF,
            .channels = 2,
            .volume_db = -0.1,
            .frames = 8192,
        };
        char what[256];
        describe(&r, what, sizeof what);
        prepare(&r, &rng);
        run_chain(&r, &rng, NULL, NULL);
        const size_t ob = fmt_bytes(r.out);
        uint64_t h_want = fnv1a64(r.expected, r.n_samples * ob);
        uint64_t h_got = fnv1a64(r.output, r.n_samples * ob);
        size_t first;
        size_t diffs = count_diffs(&r, 0, &first);
        if (h_want == h_got)
            fail_msg("%s: output hash equals the 0 dB hash", what);
        if (diffs < r.n_samples / 2)
            fail_msg("%s: only %zu of %zu samples changed", what, diffs, r.n_samples);
        release(&r);
    }
}

typedef struct ramp {
    size_t down_at, up_at;
} ramp;

static void ramp_volume(hpa_chain *c, size_t done, void *user)
{
    ramp *p = user;
    if (p->down_at && done >= p->down_at) {
        assert_int_equal(hpa_chain_set_volume_db(c, -0.1), HPA_OK);
        p->down_at = 0;
    } else if (!p->down_at && p->up_at && done >= p->up_at) {
        assert_int_equal(hpa_chain_set_volume_db(c, 0.0), HPA_OK);
        p->up_at = 0;
    }
}

/* -0.1 dB for a while, then back to 0 dB: once the ramp has settled (the
 * smoother snaps to exactly 1.0) the output is bit-exact again */
static void test_back_to_exact(void **state)
{
    (void)state;
    uint64_t rng = g_seed ^ 0xAAAA;
    for (size_t i = 0; i < N_CASES; i++) {
        run r = {
            .in = cases[i].in,
            .out = cases[i].out,
            .dither = HPA_DITHER_TPDF,
            .channels = 2,
            .volume_db = 0.0,
            .frames = (size_t)3 * RATE, /* -0.1 dB from 0.1 s, 0 dB from 0.5 s; compare the last 2 s */
        };
        prepare(&r, &rng);
        ramp p = {RATE / 10, RATE / 2};
        run_chain(&r, &rng, ramp_volume, &p);
        size_t first;
        if (count_diffs(&r, 0, &first) == 0) {
            char what[256];
            describe(&r, what, sizeof what);
            fail_msg("%s: the volume change did not show in the output", what);
        }
        check_exact(&r, (size_t)RATE * r.channels, "output 0.5 s after returning to 0 dB");
        release(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bit_exact),
        cmocka_unit_test(test_negative_control),
        cmocka_unit_test(test_back_to_exact),
    };
    return run_seeded("test_bypass", "unit/bypass", tests);
}
