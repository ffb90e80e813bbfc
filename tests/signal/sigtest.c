/* sigtest.c — shared helpers of the signal tests (see sigtest.h). */
#include "sigtest.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>

static int g_rows, g_failed, g_randomized;
static uint64_t g_seed;

void st_begin(const char *title, int randomized, uint64_t seed)
{
    g_randomized = randomized;
    g_seed = seed;
    printf("# %s\n", title);
    if (randomized)
        printf("# seed %llu (replay: HPA_TEST_SEED=%llu)\n", (unsigned long long)seed, (unsigned long long)seed);
    printf("# %-76s %14s %4s %12s  %-6s %s\n", "row", "measured", "", "limit", "unit", "verdict");
    fflush(stdout);
}

static int row(const char *name, double measured, const char *rel, double limit, int pass, const char *unit)
{
    g_rows++;
    if (!pass)
        g_failed++;
    printf("  %-76s %14.6g %4s %12.6g  %-6s %s\n", name, measured, rel, limit, unit ? unit : "",
           pass ? "PASS" : "FAIL");
    fflush(stdout);
    return pass;
}

int st_le(const char *name, double measured, double limit, const char *unit)
{
    return row(name, measured, "<=", limit, measured <= limit, unit); /* NaN fails */
}

int st_ge(const char *name, double measured, double limit, const char *unit)
{
    return row(name, measured, ">=", limit, measured >= limit, unit);
}

int st_abs_le(const char *name, double measured, double limit, const char *unit)
{
    return row(name, measured, "|<=|", limit, fabs(measured) <= limit, unit);
}

int st_eq_int(const char *name, long long measured, long long expected)
{
    return row(name, (double)measured, "==", (double)expected, measured == expected, "");
}

int st_ok(const char *what, int rc)
{
    if (rc == HPA_OK)
        return 1;
    char name[160];
    snprintf(name, sizeof name, "%s returns HPA_OK (%s)", what, hpa_strerror(rc));
    row(name, rc, "==", 0, 0, "code");
    return 0;
}

void st_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("# ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
}

int st_end(void)
{
    if (g_failed) {
        printf("# FAILED: %d of %d rows", g_failed, g_rows);
        if (g_randomized)
            printf(" (seed %llu: HPA_TEST_SEED=%llu)", (unsigned long long)g_seed, (unsigned long long)g_seed);
        printf("\n");
    } else {
        printf("# all %d rows passed\n", g_rows);
    }
    fflush(stdout);
    return g_failed || !g_rows ? 1 : 0;
}

uint64_t st_seed(uint64_t fallback)
{
    const char *s = getenv("HPA_TEST_SEED");
    if (s && *s) {
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 0);
        if (!errno && end && *end == '\0')
            return (uint64_t)v;
        fprintf(stderr, "ignoring malformed HPA_TEST_SEED=%s\n", s);
    }
    return fallback;
}

uint64_t st_rand_u64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

double st_rand_uniform(uint64_t *state)
{
    return (double)(st_rand_u64(state) >> 11) * 0x1.0p-53;
}

double st_rand_gauss(uint64_t *state)
{
    double u1 = 1.0 - st_rand_uniform(state); /* (0, 1] */
    double u2 = st_rand_uniform(state);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static void *run_chain(const hpa_chain_config *cfg, const st_param *params, size_t n_params, const void *in,
                       size_t frames, size_t block, size_t *out_frames, double *gain_trace, hpa_chain_stats *stats)
{
    hpa_chain *c = NULL;
    *out_frames = 0;
    if (!st_ok("hpa_chain_create", hpa_chain_create(cfg, &c)))
        return NULL;
    for (size_t i = 0; i < n_params; i++)
        if (!st_ok("hpa_chain_set_param", hpa_chain_set_param(c, params[i].id, params[i].value))) {
            hpa_chain_destroy(c);
            return NULL;
        }
    const size_t in_bytes = hpa_format_bytes(cfg->in_format) * cfg->channels;
    const size_t out_bytes = hpa_format_bytes(cfg->out_format) * cfg->channels;
    const size_t cap = hpa_chain_max_out_frames(c);
    unsigned char *tmp = malloc(cap * out_bytes);
    size_t total_cap = (size_t)((double)frames * cfg->out_rate_hz / cfg->in_rate_hz) + 2 * cap + 16;
    unsigned char *all = malloc(total_cap * out_bytes);
    size_t total = 0;
    int ok = tmp && all;

    for (size_t pos = 0; ok && pos < frames; pos += block) {
        size_t n = frames - pos < block ? frames - pos : block, got = 0;
        ok = st_ok("hpa_chain_process",
                   hpa_chain_process(c, (const unsigned char *)in + pos * in_bytes, n, tmp, cap, &got));
        if (ok && gain_trace)
            gain_trace[pos] = hpa_chain_current_gain(c);
        if (ok && total + got > total_cap) {
            total_cap = 2 * (total + got);
            unsigned char *bigger = realloc(all, total_cap * out_bytes);
            ok = bigger != NULL;
            if (ok)
                all = bigger;
        }
        if (ok) {
            memcpy(all + total * out_bytes, tmp, got * out_bytes);
            total += got;
        }
    }
    for (int rounds = 0; ok; rounds++) {
        size_t got = 0;
        ok = st_ok("hpa_chain_drain", hpa_chain_drain(c, tmp, cap, &got));
        if (!ok || got == 0)
            break;
        if (rounds > 1000) {
            ok = st_le("drain rounds before 0 frames", rounds, 1000, "calls");
            break;
        }
        if (total + got > total_cap) {
            total_cap = 2 * (total + got);
            unsigned char *bigger = realloc(all, total_cap * out_bytes);
            ok = bigger != NULL;
            if (!ok)
                break;
            all = bigger;
        }
        memcpy(all + total * out_bytes, tmp, got * out_bytes);
        total += got;
    }
    if (stats)
        hpa_chain_get_stats(c, stats);
    hpa_chain_destroy(c);
    free(tmp);
    if (!ok) {
        free(all);
        return NULL;
    }
    *out_frames = total;
    return all;
}

void *st_run_chain(const hpa_chain_config *cfg, const void *in, size_t frames, size_t block, size_t *out_frames,
                   double *gain_trace, hpa_chain_stats *stats)
{
    return run_chain(cfg, NULL, 0, in, frames, block, out_frames, gain_trace, stats);
}

void st_config_stereo_f64(hpa_chain_config *cfg, uint32_t rate, hpa_format out_format, hpa_dither dither,
                          uint32_t block)
{
    hpa_chain_config_init(cfg);
    cfg->in_rate_hz = cfg->out_rate_hz = rate;
    cfg->channels = 2;
    cfg->max_block_frames = block;
    cfg->in_format = HPA_FORMAT_F64;
    cfg->out_format = out_format;
    cfg->dither = dither;
}

void *st_run_chain_params(const hpa_chain_config *cfg, const st_param *params, size_t n_params, const void *in,
                          size_t frames, size_t block, size_t *out_frames, hpa_chain_stats *stats)
{
    return run_chain(cfg, params, n_params, in, frames, block, out_frames, NULL, stats);
}

/* r2c transform of n real samples (copied) into a freshly allocated array */
static fftw_complex *r2c(const double *x, size_t n, size_t stride, const double *w)
{
    double *buf = fftw_malloc(sizeof(double) * n);
    fftw_complex *X = fftw_malloc(sizeof(fftw_complex) * (n / 2 + 1));
    if (!buf || !X) {
        fprintf(stderr, "out of memory\n");
        exit(99);
    }
    fftw_plan plan = fftw_plan_dft_r2c_1d((int)n, buf, X, FFTW_ESTIMATE);
    for (size_t j = 0; j < n; j++)
        buf[j] = x[j * stride] * (w ? w[j] : 1.0);
    fftw_execute(plan);
    fftw_destroy_plan(plan);
    fftw_free(buf);
    return X;
}

void st_power_spectrum(const double *x, size_t n, double *p)
{
    fftw_complex *X = r2c(x, n, 1, NULL);
    const double nn = (double)n * (double)n;
    for (size_t k = 0; k <= n / 2; k++) {
        double m = X[k][0] * X[k][0] + X[k][1] * X[k][1];
        int edge = k == 0 || (n % 2 == 0 && k == n / 2);
        p[k] = (edge ? 1.0 : 2.0) * m / nn;
    }
    fftw_free(X);
}

void st_dft_bin(const double *x, size_t n, size_t k, double *amp, double *phase)
{
    /* direct sum in long double: one bin does not need an FFT */
    long double re = 0.0L, im = 0.0L;
    for (size_t j = 0; j < n; j++) {
        /* reduce k*j mod n exactly before taking the angle */
        unsigned long long m = ((unsigned long long)k * j) % n;
        long double a = 2.0L * (long double)M_PI * (long double)m / (long double)n;
        re += x[j] * cosl(a);
        im -= x[j] * sinl(a);
    }
    *amp = (double)(2.0L * sqrtl(re * re + im * im) / n);
    *phase = (double)atan2l(im, re);
}

void st_welch(const double *x, size_t n, size_t stride, size_t seg, double *p)
{
    double *w = malloc(sizeof(double) * seg);
    double *buf = fftw_malloc(sizeof(double) * seg);
    fftw_complex *X = fftw_malloc(sizeof(fftw_complex) * (seg / 2 + 1));
    if (!w || !buf || !X) {
        fprintf(stderr, "out of memory\n");
        exit(99);
    }
    /* 4-term Blackman-Harris (periodic form), -92 dB sidelobes */
    const double a0 = 0.35875, a1 = 0.48829, a2 = 0.14128, a3 = 0.01168;
    double wss = 0.0;
    for (size_t j = 0; j < seg; j++) {
        double t = 2.0 * M_PI * (double)j / (double)seg;
        w[j] = a0 - a1 * cos(t) + a2 * cos(2 * t) - a3 * cos(3 * t);
        wss += w[j] * w[j];
    }
    fftw_plan plan = fftw_plan_dft_r2c_1d((int)seg, buf, X, FFTW_ESTIMATE);
    size_t segments = n / seg;
    memset(p, 0, sizeof(double) * (seg / 2 + 1));
    for (size_t s = 0; s < segments; s++) {
        for (size_t j = 0; j < seg; j++)
            buf[j] = x[(s * seg + j) * stride] * w[j];
        fftw_execute(plan);
        for (size_t k = 0; k <= seg / 2; k++) {
            double m = X[k][0] * X[k][0] + X[k][1] * X[k][1];
            int edge = k == 0 || k == seg / 2;
            p[k] += (edge ? 1.0 : 2.0) * m;
        }
    }
    /* E|X_k|^2 = sigma^2 * sum(w^2) for white noise: scale so sum(p) = mean square */
    for (size_t k = 0; k <= seg / 2; k++)
        p[k] /= (double)segments * (double)seg * wss;
    fftw_destroy_plan(plan);
    fftw_free(X);
    fftw_free(buf);
    free(w);
}

double st_band_power(const double *p, size_t seg, double fs, double f_lo, double f_hi, size_t *k_lo, size_t *k_hi)
{
    const double df = fs / (double)seg;
    size_t lo = (size_t)ceil(f_lo / df), hi = seg / 2;
    double sum = 0.0;
    while (hi > 0 && (double)hi * df >= f_hi)
        hi--;
    for (size_t k = lo; k <= hi; k++)
        sum += p[k];
    if (k_lo)
        *k_lo = lo;
    if (k_hi)
        *k_hi = hi;
    return sum;
}

double st_integrate(double (*f)(double x, const void *ctx), const void *ctx, double a, double b, int n)
{
    if (n < 2)
        n = 2;
    if (n % 2)
        n++;
    const double h = (b - a) / n;
    double s = f(a, ctx) + f(b, ctx);
    for (int i = 1; i < n; i++)
        s += f(a + i * h, ctx) * (i % 2 ? 4.0 : 2.0);
    return s * h / 3.0;
}
