/* test_requant.c — the requantizer's kernels (dither.c), plain C and the SIMD
 * set this CPU gets, against truths computed here:
 *
 *   none   the output is x * scale rounded to nearest, ties to even
 *          (nearbyint in the default rounding mode), clamped to the format's
 *          range; the clamped count, the count of |x| > 1 and the largest
 *          |x| (NaN left out) by a loop over the samples;
 *   tpdf   the same with the dither added before rounding, the dither from
 *          a second implementation of the generator dither.c documents
 *          (8 xorshift128 lanes seeded by splitmix64; sample p of the stream
 *          takes lane p mod 8's words of two steps, each shifted to 31 bits,
 *          and adds (u1 - u2) 2^-31 LSB): bit for bit, at every length 0..67
 *          from every position mod 8 of the stream (the SIMD kernel's head
 *          and tail) and on a long block, with samples at ties, at and
 *          beyond full scale, infinite and NaN;
 *   the dither's distribution, through the kernel as the chain runs it
 *          (blocks of odd lengths): for a sample K + f LSB the output is
 *          K + 1 with probability P(d >= 1/2 - f) = (1/2 + f)^2 / 2 and
 *          K - 1 with probability (1/2 - f)^2 / 2 when d has the triangular
 *          PDF on (-1, 1) (never anything else), checked at 21 values of f;
 *          the total error of random samples has mean 0, variance 1/4 LSB^2
 *          (rounding 1/12 + dither 1/6) and no autocorrelation at lags 1-24
 *          (the lane structure repeats every 8 samples).  Bounds are 5
 *          standard deviations of each estimate (binomial, or of a mean of
 *          bounded values), so a correct kernel fails one of the 70
 *          statistical checks with probability below 1e-4. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "seeded.h"

#define MAX_LEN 67
#define LONG_N 4099
#define SIGMAS 5.0

/* ---- the generator, a second time ---- */

typedef struct ref_rng {
    uint32_t s[4][8];
    uint64_t pos;
    int32_t d[8];
} ref_rng;

static void ref_seed(ref_rng *r, uint64_t seed)
{
    uint64_t z = seed;
    for (unsigned k = 0; k < 8; k++) {
        const uint64_t a = rng_next(&z), b = rng_next(&z);
        r->s[0][k] = (uint32_t)a;
        r->s[1][k] = (uint32_t)(a >> 32);
        r->s[2][k] = (uint32_t)b;
        r->s[3][k] = (uint32_t)(b >> 32);
        if (!(r->s[0][k] | r->s[1][k] | r->s[2][k] | r->s[3][k]))
            r->s[0][k] = 1;
    }
    r->pos = 0;
}

/* Marsaglia's xorshift128 ("Xorshift RNGs", 2003), one lane */
static uint32_t ref_next(uint32_t s[4])
{
    uint32_t t = s[0];
    t ^= t << 11;
    t ^= t >> 8;
    s[0] = s[1];
    s[1] = s[2];
    s[2] = s[3];
    s[3] = s[3] ^ (s[3] >> 19) ^ t;
    return s[3];
}

/* the next sample's dither in LSB */
static double ref_dither(ref_rng *r)
{
    const unsigned j = (unsigned)(r->pos++ % 8);
    if (j == 0) {
        uint32_t lane[4], u1[8], u2[8];
        for (unsigned k = 0; k < 8; k++) { /* all lanes step together: first step, then second */
            for (unsigned i = 0; i < 4; i++)
                lane[i] = r->s[i][k];
            u1[k] = ref_next(lane) >> 1;
            u2[k] = ref_next(lane) >> 1;
            for (unsigned i = 0; i < 4; i++)
                r->s[i][k] = lane[i];
        }
        for (unsigned k = 0; k < 8; k++)
            r->d[k] = (int32_t)u1[k] - (int32_t)u2[k];
    }
    return ldexp((double)r->d[j], -31);
}

/* ---- the kernels ---- */

static const hpa_format formats[] = {HPA_FORMAT_S16, HPA_FORMAT_S24, HPA_FORMAT_S32};

static double scale_of(hpa_format f)
{
    return f == HPA_FORMAT_S16 ? 32768.0 : f == HPA_FORMAT_S24 ? 8388608.0 : 2147483648.0;
}

static long long out_at(hpa_format f, const void *out, size_t i)
{
    return f == HPA_FORMAT_S16 ? ((const int16_t *)out)[i] : ((const int32_t *)out)[i];
}

static double uniform(uint64_t *s, double lo, double hi)
{
    return lo + (hi - lo) * (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

/* test samples: mostly within full scale (the fast path), some beyond, at
 * ties, at full scale and just inside it; `wild` adds infinities and NaN */
static double sample(uint64_t *s, double scale, int hot, int wild)
{
    const uint64_t k = rng_next(s) % 32;
    if (wild && k == 0)
        return (rng_next(s) & 1) ? INFINITY : -INFINITY;
    if (wild && k == 1)
        return NAN;
    if (k == 2)
        return (rng_next(s) & 1) ? 1.0 : -1.0;
    if (k == 3)
        return (rng_next(s) & 1) ? 1.0 - 2.0 / scale : -(1.0 - 2.0 / scale);
    if (k == 4) /* a tie of the rounding without dither */
        return (floor(uniform(s, -scale, scale)) + 0.5) / scale;
    return hot ? uniform(s, -1.3, 1.3) : uniform(s, -0.9, 0.9);
}

/* one requantizer with its own seed; simd 0 forces the plain kernels */
static void make(hpa_requant *q, hpa_format f, hpa_dither d, uint64_t seed, int simd)
{
    hpa_requant_init(q, f, d, 1, 48000.0, seed);
    if (!simd)
        q->simd = 0;
}

/* run n samples through q and compare with the truth (rr: the reference
 * generator, NULL without dither) */
static void check_outputs(hpa_requant *q, ref_rng *rr, const double *x, size_t n)
{
    const hpa_format f = q->format;
    const double scale = scale_of(f), lo = -scale, hi = scale - 1.0;
    void *out = calloc(n + 1, sizeof(int32_t));
    double *want = malloc((n + 1) * sizeof *want);
    assert_non_null(out);
    assert_non_null(want);
    uint64_t want_clip = 0, want_over = 0;
    double want_peak = 0.25; /* a peak from before */
    for (size_t i = 0; i < n; i++) {
        const double t = x[i] * scale + (rr ? ref_dither(rr) : 0.0);
        const double r = nearbyint(t);
        want[i] = !(r <= hi) ? hi : r < lo ? lo : r; /* NaN: hi, as dither.c's clamp */
        want_clip += want[i] != r;
        want_over += fabs(x[i]) > 1.0;
        if (fabs(x[i]) > want_peak)
            want_peak = fabs(x[i]);
    }
    const uint64_t pos = q->pos;
    uint64_t over = 0;
    double peak = 0.25;
    const uint64_t clip = hpa_requant_process(q, x, out, n, &over, &peak);
    for (size_t i = 0; i < n; i++)
        if ((double)out_at(f, out, i) != want[i])
            fail_msg("%s sample %zu of %zu (stream %llu): x %.17g: got %lld, want %.0f", hpa_format_name(f), i, n,
                     (unsigned long long)(pos + i), x[i], out_at(f, out, i), want[i]);
    assert_int_equal(q->pos, pos + n);
    assert_int_equal(clip, want_clip);
    assert_int_equal(over, want_over);
    assert_true(peak == want_peak);
    free(out);
    free(want);
}

static void run_exact(hpa_dither mode, int simd)
{
    uint64_t rs = g_seed ^ (mode == HPA_DITHER_TPDF ? 0x7D1FULL : 0x404EULL) ^ (uint64_t)simd;
    double *x = malloc(LONG_N * sizeof *x);
    assert_non_null(x);
    for (size_t fi = 0; fi < sizeof formats / sizeof formats[0]; fi++) {
        const hpa_format f = formats[fi];
        const double scale = scale_of(f);
        for (unsigned start = 0; start < 8; start++) {
            const uint64_t seed = rng_next(&rs);
            hpa_requant q;
            ref_rng rr;
            make(&q, f, mode, seed, simd);
            ref_seed(&rr, seed);
            ref_rng *ref = mode == HPA_DITHER_TPDF ? &rr : NULL;
            /* to `start` in the stream, then every length, then a long block */
            for (size_t i = 0; i < start; i++)
                x[i] = sample(&rs, scale, 0, 0);
            check_outputs(&q, ref, x, start);
            for (size_t len = 0; len <= MAX_LEN; len++) {
                const int hot = len % 3 == 0, wild = len % 5 == 0;
                for (size_t i = 0; i < len; i++)
                    x[i] = sample(&rs, scale, hot, wild);
                check_outputs(&q, ref, x, len);
            }
            for (int pass = 0; pass < 3; pass++) { /* quiet (fast path), hot, wild */
                for (size_t i = 0; i < LONG_N; i++)
                    x[i] = pass == 0 ? uniform(&rs, -0.99, 0.99) : sample(&rs, scale, 1, pass == 2);
                check_outputs(&q, ref, x, LONG_N);
            }
        }
    }
    free(x);
}

static int have_simd(void)
{
    hpa_requant q;
    make(&q, HPA_FORMAT_S24, HPA_DITHER_TPDF, 1, 1);
    return q.simd;
}

/* what a test runs: a mode with the plain kernels (simd 0) or the SIMD set */
typedef struct rq_case {
    hpa_dither mode;
    int simd;
} rq_case;

static const rq_case none_plain = {HPA_DITHER_NONE, 0}, none_simd = {HPA_DITHER_NONE, 1};
static const rq_case tpdf_plain = {HPA_DITHER_TPDF, 0}, tpdf_simd = {HPA_DITHER_TPDF, 1};

static void test_exact(void **state)
{
    const rq_case *c = *state;
    print_message("dither %s, %s kernels\n", hpa_dither_name(c->mode), c->simd ? "SIMD" : "plain C");
    if (c->simd && !have_simd())
        skip();
    run_exact(c->mode, c->simd);
}

/* ---- the dither's distribution ---- */

#define DIST_N (1u << 17) /* samples at each offset */
#define DIST_POINTS 21
#define MOMENT_N (1u << 20)
#define MAX_LAG 24

/* run x through q in blocks of odd lengths, as a chain hands out runs */
static void run_blocks(hpa_requant *q, const double *x, int32_t *out, size_t n)
{
    static const size_t lens[] = {4096, 513, 1, 128, 37, 7, 1000};
    size_t done = 0, k = 0;
    while (done < n) {
        size_t m = lens[k++ % (sizeof lens / sizeof lens[0])];
        m = m < n - done ? m : n - done;
        hpa_requant_process(q, x + done, out + done, m, NULL, NULL);
        done += m;
    }
}

static void check_distribution(int simd)
{
    uint64_t rs = g_seed ^ 0xD157ULL ^ (uint64_t)simd;
    const double scale = 8388608.0;
    const double base = 1000.0; /* K: the integer the samples sit around */
    double *x = malloc(MOMENT_N * sizeof *x);
    int32_t *out = malloc(MOMENT_N * sizeof *out);
    assert_non_null(x);
    assert_non_null(out);
    hpa_requant q;
    make(&q, HPA_FORMAT_S24, HPA_DITHER_TPDF, rng_next(&rs), simd);

    /* the triangle's CDF */
    for (int k = 0; k < DIST_POINTS; k++) {
        const double f = -0.5 + (double)k / (DIST_POINTS - 1);
        for (size_t i = 0; i < DIST_N; i++)
            x[i] = (base + f) / scale;
        run_blocks(&q, x, out, DIST_N);
        size_t up = 0, down = 0, far = 0;
        for (size_t i = 0; i < DIST_N; i++) {
            const long long e = (long long)out[i] - (long long)base;
            up += e == 1;
            down += e == -1;
            far += e < -1 || e > 1;
        }
        assert_int_equal(far, 0);
        const double p_up = (0.5 + f) * (0.5 + f) / 2.0, p_down = (0.5 - f) * (0.5 - f) / 2.0;
        const double m_up = (double)up / DIST_N, m_down = (double)down / DIST_N;
        /* a binomial proportion's standard deviation; at p = 0 the count must be 0 */
        const double s_up = sqrt(p_up * (1.0 - p_up) / DIST_N), s_down = sqrt(p_down * (1.0 - p_down) / DIST_N);
        if (fabs(m_up - p_up) > SIGMAS * s_up || fabs(m_down - p_down) > SIGMAS * s_down)
            fail_msg("f = %+.2f LSB: P(+1) %.5f (want %.5f +- %.5f), P(-1) %.5f (want %.5f +- %.5f)", f, m_up, p_up,
                     SIGMAS * s_up, m_down, p_down, SIGMAS * s_down);
    }

    /* the total error of random samples: mean, variance, autocorrelation */
    for (size_t i = 0; i < MOMENT_N; i++)
        x[i] = uniform(&rs, -0.9, 0.9);
    run_blocks(&q, x, out, MOMENT_N);
    double *e = malloc(MOMENT_N * sizeof *e);
    assert_non_null(e);
    double sum = 0.0, sum2 = 0.0;
    for (size_t i = 0; i < MOMENT_N; i++) {
        e[i] = (double)out[i] - x[i] * scale; /* exact: |out|, |x scale| < 2^24 */
        assert_true(fabs(e[i]) < 1.5);
        sum += e[i];
        sum2 += e[i] * e[i];
    }
    const double mean = sum / MOMENT_N, var = sum2 / MOMENT_N - mean * mean;
    /* |e| < 1.5: the mean's sd is 1/2 / sqrt(N) (its variance 1/4); e^2 in [0, 2.25) has sd <= 1.125 */
    const double s_mean = 0.5 / sqrt((double)MOMENT_N), s_var = 1.125 / sqrt((double)MOMENT_N);
    if (fabs(mean) > SIGMAS * s_mean)
        fail_msg("error mean %.6f LSB, want 0 +- %.6f", mean, SIGMAS * s_mean);
    if (fabs(var - 0.25) > SIGMAS * s_var)
        fail_msg("error variance %.6f LSB^2, want 0.25 +- %.6f", var, SIGMAS * s_var);
    for (size_t lag = 1; lag <= MAX_LAG; lag++) {
        double c = 0.0;
        for (size_t i = lag; i < MOMENT_N; i++)
            c += (e[i] - mean) * (e[i - lag] - mean);
        /* independent samples: the correlation estimate has sd 1 / sqrt(N - lag) */
        const double r = c / ((double)(MOMENT_N - lag) * var), s_r = 1.0 / sqrt((double)(MOMENT_N - lag));
        if (fabs(r) > SIGMAS * s_r)
            fail_msg("error autocorrelation at lag %zu: %.5f, want 0 +- %.5f", lag, r, SIGMAS * s_r);
    }
    free(e);
    free(x);
    free(out);
}

static void test_distribution(void **state)
{
    const rq_case *c = *state;
    print_message("dither %s, %s kernels\n", hpa_dither_name(c->mode), c->simd ? "SIMD" : "plain C");
    if (c->simd && !have_simd())
        skip();
    check_distribution(c->simd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate(test_exact, (void *)&none_plain),
        cmocka_unit_test_prestate(test_exact, (void *)&none_simd),
        cmocka_unit_test_prestate(test_exact, (void *)&tpdf_plain),
        cmocka_unit_test_prestate(test_exact, (void *)&tpdf_simd),
        cmocka_unit_test_prestate(test_distribution, (void *)&tpdf_plain),
        cmocka_unit_test_prestate(test_distribution, (void *)&tpdf_simd),
    };
    return run_seeded("test_requant", "requant", tests);
}
