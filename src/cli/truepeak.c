/* truepeak.c — 4x oversampled peak: the sample itself (phase 0) and three
 * interpolated points between each pair of samples (phases 1/4, 2/4, 3/4),
 * each from 32 neighbours through a windowed-sinc fractional-delay filter:
 *
 *   y_p(n) = Σ_d c_p(d)·x(n + d),  d = -15 .. 16,
 *   c_p(d) ∝ sinc(p/4 − d)·I0(β·√(1 − ((p/4 − d)/16)²))/I0(β),  Σ_d c_p(d) = 1.
 *
 * The signal is taken as silent before its first sample and after its last.
 * A stretch of samples is skipped when it cannot raise the peak: |y_p| <=
 * max|x| over the filter's reach · Σ|c_p|, so when that bound is below the
 * peak found so far, no interpolated point there can exceed it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "truepeak.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TP_AVX 1
#else
#define TP_AVX 0
#endif

#define TAPS 32         /* per phase */
#define HIST (TAPS - 1) /* samples kept from one call to the next */
#define LEAD (TAPS / 2) /* future samples each point needs: d up to +16 */
#define BLOCK 1024      /* frames deinterleaved at a time */
#define SUB 128         /* interpolated in stretches of this many points */
#define BETA 7.0

struct hpa_tp {
    unsigned channels;
    int avx;             /* the CPU has AVX: stretches of 8 points at a time (the same bits) */
    float coef[3][TAPS]; /* phases 1, 2, 3; coef[p-1][i] is c_p(i − 15) */
    float bound;         /* the largest Σ|c_p| */
    float *buf;          /* per channel: HIST history + BLOCK new samples */
    float acc[SUB];
    double peak;
};

static double bessel_i0(double x)
{
    double sum = 1.0, term = 1.0;
    for (int k = 1; k < 64; k++) {
        term *= (x / (2.0 * k)) * (x / (2.0 * k));
        sum += term;
        if (term < 1e-17 * sum)
            break;
    }
    return sum;
}

hpa_tp *hpa_tp_create(unsigned channels)
{
    if (channels == 0 || channels > 64)
        return NULL;
    hpa_tp *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->buf = calloc((size_t)channels * (HIST + BLOCK), sizeof *t->buf);
    if (!t->buf) {
        free(t);
        return NULL;
    }
    t->channels = channels;
    const double pi = 3.14159265358979323846;
    for (int p = 1; p <= 3; p++) {
        double c[TAPS], sum = 0.0, l1 = 0.0;
        for (int i = 0; i < TAPS; i++) {
            // NOLINTNEXTLINE(bugprone-integer-division): LEAD = TAPS / 2 = 16, exact
            double x = p / 4.0 - (double)(i - (LEAD - 1)); /* distance from the point to the sample */
            double s = sin(pi * x) / (pi * x);
            double r = x / LEAD; // NOLINT(bugprone-integer-division): LEAD = TAPS / 2 = 16, exact
            double w = fabs(r) < 1.0 ? bessel_i0(BETA * sqrt(1.0 - r * r)) / bessel_i0(BETA) : 0.0;
            c[i] = s * w;
            sum += c[i];
        }
        for (int i = 0; i < TAPS; i++) {
            t->coef[p - 1][i] = (float)(c[i] / sum);
            l1 += fabs(c[i] / sum);
        }
        if ((float)l1 > t->bound)
            t->bound = (float)l1;
    }
    t->bound *= 1.0001f; /* float rounding in the sums */
#if TP_AVX
    t->avx = __builtin_cpu_supports("avx");
#endif
    return t;
}

#if TP_AVX

/* the largest |x| of n floats from 0 (a maximum is exact in any order; a NaN
 * is passed over, as in the plain loop) */
__attribute__((target("avx"))) static float absmax_avx(const float *x, size_t n)
{
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_setzero_ps();
    size_t k = 0;
    for (; k + 8 <= n; k += 8)
        m = _mm256_max_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(x + k)), m);
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
    float r = _mm_cvtss_f32(h);
    for (; k < n; k++) {
        const float a = fabsf(x[k]);
        r = a > r ? a : r;
    }
    return r;
}

/* the largest |y_p| of points x[0 .. len) (len a multiple of 8) for phase
 * coefficients c, at least peak: each point's sum as in the plain loop
 * (0, then + c[i] x[m + i] for i = 0 .. TAPS - 1, a multiply then an add),
 * eight points a lane each */
__attribute__((target("avx"))) static float phase_peak_avx(const float *c, const float *x, size_t len, float peak)
{
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 pk = _mm256_set1_ps(peak);
    size_t m = 0;
    for (; m + 16 <= len; m += 16) {
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
        for (int i = 0; i < TAPS; i++) {
            const __m256 ci = _mm256_set1_ps(c[i]);
            a0 = _mm256_add_ps(a0, _mm256_mul_ps(ci, _mm256_loadu_ps(x + m + (size_t)i)));
            a1 = _mm256_add_ps(a1, _mm256_mul_ps(ci, _mm256_loadu_ps(x + m + 8 + (size_t)i)));
        }
        pk = _mm256_max_ps(_mm256_andnot_ps(sign, a0), pk);
        pk = _mm256_max_ps(_mm256_andnot_ps(sign, a1), pk);
    }
    for (; m < len; m += 8) {
        __m256 a0 = _mm256_setzero_ps();
        for (int i = 0; i < TAPS; i++)
            a0 = _mm256_add_ps(a0, _mm256_mul_ps(_mm256_set1_ps(c[i]), _mm256_loadu_ps(x + m + (size_t)i)));
        pk = _mm256_max_ps(_mm256_andnot_ps(sign, a0), pk);
    }
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(pk), _mm256_extractf128_ps(pk, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
    return _mm_cvtss_f32(h);
}
#endif

/* the buffer of channel c holds HIST + n samples; interpolate the n points
 * whose neighbourhoods it completes, then keep the last HIST samples */
static void process_channel(hpa_tp *t, float *s, size_t n)
{
#if TP_AVX
    if (t->avx) {
        float peak = (float)t->peak;
        for (size_t m0 = 0; m0 < n; m0 += SUB) {
            const size_t len = n - m0 < SUB ? n - m0 : SUB, vec = len / 8 * 8;
            if (absmax_avx(s + m0, len + HIST) * t->bound <= peak)
                continue;
            for (int p = 0; p < 3; p++) {
                peak = phase_peak_avx(t->coef[p], s + m0, vec, peak);
                for (size_t m = m0 + vec; m < m0 + len; m++) { /* the last few points as below */
                    float acc = 0.0f;
                    for (int i = 0; i < TAPS; i++)
                        acc += t->coef[p][i] * s[m + (size_t)i];
                    const float a = fabsf(acc);
                    peak = a > peak ? a : peak;
                }
            }
        }
        t->peak = peak;
        memmove(s, s + n, HIST * sizeof *s);
        return;
    }
#endif
    float peak = (float)t->peak;
    for (size_t m0 = 0; m0 < n; m0 += SUB) {
        size_t len = n - m0 < SUB ? n - m0 : SUB;
        /* the samples this stretch of points reaches: s[m0 .. m0 + len + HIST) */
        float reach = 0.0f;
        for (size_t k = m0; k < m0 + len + HIST; k++) {
            float a = fabsf(s[k]);
            reach = a > reach ? a : reach;
        }
        if (reach * t->bound <= peak)
            continue;
        for (int p = 0; p < 3; p++) {
            float *restrict acc = t->acc;
            for (size_t m = 0; m < len; m++)
                acc[m] = 0.0f;
            for (int i = 0; i < TAPS; i++) {
                const float c = t->coef[p][i];
                const float *restrict x = s + m0 + (size_t)i;
                for (size_t m = 0; m < len; m++)
                    acc[m] += c * x[m];
            }
            for (size_t m = 0; m < len; m++) {
                float a = fabsf(acc[m]);
                peak = a > peak ? a : peak;
            }
        }
    }
    t->peak = peak;
    memmove(s, s + n, HIST * sizeof *s);
}

static void add_block(hpa_tp *t, const float *frames, size_t n)
{
    const unsigned ch = t->channels;
    float peak = (float)t->peak;
    for (unsigned c = 0; c < ch; c++) {
        float *s = t->buf + (size_t)c * (HIST + BLOCK);
        float *dst = s + HIST;
        if (frames) {
            for (size_t k = 0; k < n; k++) {
                float v = frames[k * ch + c];
                dst[k] = v;
                float a = fabsf(v); /* phase 0: the samples themselves */
                peak = a > peak ? a : peak;
            }
        } else {
            memset(dst, 0, n * sizeof *dst);
        }
    }
    t->peak = peak;
    for (unsigned c = 0; c < ch; c++)
        process_channel(t, t->buf + (size_t)c * (HIST + BLOCK), n);
}

void hpa_tp_add(hpa_tp *t, const float *frames, size_t n)
{
    while (n) {
        size_t k = n < BLOCK ? n : BLOCK;
        add_block(t, frames, k);
        frames += k * t->channels;
        n -= k;
    }
}

double hpa_tp_finish(hpa_tp *t)
{
    /* silence after the end completes the last points' neighbourhoods */
    add_block(t, NULL, LEAD);
    return t->peak;
}

void hpa_tp_destroy(hpa_tp *t)
{
    if (!t)
        return;
    free(t->buf);
    free(t);
}
