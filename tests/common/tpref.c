/* tpref.c — the tests' reference true-peak meter (see tpref.h). */
#include "tpref.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* the smallest 2^a 3^b 5^c >= n (FFTW is fast on those) */
static size_t good_size(size_t n)
{
    size_t best = (size_t)-1;
    for (size_t p5 = 1; p5 < best && p5 / 5 < n; p5 *= 5)
        for (size_t p3 = p5; p3 < best && p3 / 3 < n; p3 *= 3) {
            size_t v = p3;
            while (v < n)
                v *= 2;
            if (v < best)
                best = v;
        }
    return best;
}

/* one phase of the grid as seen from a neighbouring phase: p[m + shift] */
typedef struct view {
    const double *p;
    long shift;
} view;

typedef struct chan {
    fftw_complex *X; /* spectrum of the padded channel */
    double *first;   /* phase 0: the samples themselves */
    double *last;    /* phase factor - 1 */
    double *ring[3]; /* phases 1 .. factor - 2, three at a time */
    double peak;
    double at; /* where: padded sample index + fraction */
} chan;

static double grid_abs(view v, long m, long np)
{
    long i = m + v.shift;
    return i >= 0 && i < np ? fabs(v.p[i]) : 0.0;
}

/* the largest |y| of phase `mid` over m in [lo, hi), each local maximum on the
 * grid refined by the parabola through it and its neighbours left and right;
 * grid point m is at time m + t0 (in samples), its neighbours step away:
 * *at receives the time of the largest */
static double scan(view left, view mid, view right, long lo, long hi, long np, double t0, double step, double *at)
{
    double peak = 0.0;
    for (long m = lo; m < hi; m++) {
        const double b = fabs(mid.p[m]);
        const double a = grid_abs(left, m, np), c = grid_abs(right, m, np);
        double v = b, off = 0.0;
        if (b >= a && b >= c) {
            const double d = a - 2.0 * b + c;
            if (d < 0.0) {
                v = b - (a - c) * (a - c) / (8.0 * d);
                off = (a - c) / (2.0 * d);
            }
        }
        if (v > peak) {
            peak = v;
            *at = (double)m + t0 + off * step;
        }
    }
    return peak;
}

/* phase k of the grid (k = -1 .. factor): -1 and factor are the neighbours
 * of phases 0 and factor - 1 one sample away */
static view view_of(const chan *q, int k, unsigned factor)
{
    if (k == -1)
        return (view){q->last, -1};
    if (k == 0)
        return (view){q->first, 0};
    if (k == (int)factor)
        return (view){q->first, 1};
    if (k == (int)factor - 1)
        return (view){q->last, 0};
    return (view){q->ring[k % 3], 0};
}

/* phase j / factor (0 < j < factor) of every channel: x convolved with the
 * kernel sinc(k + a), a = j / factor, over every distance k in the padded
 * signal, placed circularly at a length >= 2 np - 1 so that no term wraps
 * onto another; into q->last for the last phase, else the ring */
static void phase(chan *cs, unsigned ch, unsigned j, unsigned factor, long np, size_t len, fftw_plan fwd, fftw_plan inv,
                  double *rbuf, fftw_complex *cbuf, fftw_complex *h)
{
    const size_t nc = len / 2 + 1;
    const double a = (double)j / factor, s = sin(M_PI * a) / M_PI, inv_len = 1.0 / (double)len;
    memset(rbuf, 0, sizeof(double) * len);
    for (long k = 0; k < np; k++) /* sinc(k + a) = sin(pi a) (-1)^k / (pi (k + a)) */
        rbuf[k] = (k & 1 ? -s : s) / ((double)k + a);
    for (long k = 1; k < np; k++)
        rbuf[len - (size_t)k] = (k & 1 ? -s : s) / (a - (double)k);
    fftw_execute_dft_r2c(fwd, rbuf, h);
    for (unsigned c = 0; c < ch; c++) {
        for (size_t i = 0; i < nc; i++) {
            const double re = cs[c].X[i][0] * h[i][0] - cs[c].X[i][1] * h[i][1];
            const double im = cs[c].X[i][0] * h[i][1] + cs[c].X[i][1] * h[i][0];
            cbuf[i][0] = re * inv_len;
            cbuf[i][1] = im * inv_len;
        }
        fftw_execute_dft_c2r(inv, cbuf, rbuf);
        memcpy(j == factor - 1 ? cs[c].last : cs[c].ring[j % 3], rbuf, sizeof(double) * (size_t)np);
    }
}

double tpref_peak(const double *x, size_t frames, unsigned ch, unsigned factor, long first, long last,
                  double *per_channel, double *at)
{
    if (ch < 1 || factor < 4 || factor > 256 || (frames && !x))
        return -1.0;
    const long g = TPREF_GUARD, np = (long)frames + 2 * g;
    const size_t len = good_size(2 * (size_t)np - 1), nc = len / 2 + 1;
    long lo = first + g, hi = last + g;
    lo = lo < 0 ? 0 : lo > np ? np : lo;
    hi = hi < lo ? lo : hi > np ? np : hi;

    double *rbuf = fftw_malloc(sizeof(double) * len);
    fftw_complex *cbuf = fftw_malloc(sizeof(fftw_complex) * nc), *h = fftw_malloc(sizeof(fftw_complex) * nc);
    chan *cs = calloc(ch, sizeof *cs);
    int ok = rbuf && cbuf && h && cs;
    for (unsigned c = 0; ok && c < ch; c++) {
        cs[c].X = fftw_malloc(sizeof(fftw_complex) * nc);
        cs[c].first = malloc(sizeof(double) * (size_t)np);
        cs[c].last = malloc(sizeof(double) * (size_t)np);
        ok = cs[c].X && cs[c].first && cs[c].last;
        for (int r = 0; ok && r < 3; r++)
            ok = (cs[c].ring[r] = malloc(sizeof(double) * (size_t)np)) != NULL;
    }
    fftw_plan fwd = NULL, inv = NULL;
    if (ok) {
        fwd = fftw_plan_dft_r2c_1d((int)len, rbuf, cbuf, FFTW_ESTIMATE);
        inv = fftw_plan_dft_c2r_1d((int)len, cbuf, rbuf, FFTW_ESTIMATE);
        ok = fwd && inv;
    }

    /* each channel padded: its spectrum, and phase 0 (the samples) */
    for (unsigned c = 0; ok && c < ch; c++) {
        memset(rbuf, 0, sizeof(double) * len);
        for (size_t i = 0; i < frames; i++)
            rbuf[g + (long)i] = x[i * ch + c];
        memcpy(cs[c].first, rbuf, sizeof(double) * (size_t)np);
        fftw_execute_dft_r2c(fwd, rbuf, cs[c].X);
        cs[c].peak = 0.0;
    }

    /* phase factor - 1 first (phase 0's left neighbour, one sample back),
     * then 1, 2, ...: each phase is scanned once its right neighbour is known */
    if (ok)
        phase(cs, ch, factor - 1, factor, np, len, fwd, inv, rbuf, cbuf, h);
    for (unsigned j = 1; ok && j <= factor; j++) {
        if (j < factor - 1)
            phase(cs, ch, j, factor, np, len, fwd, inv, rbuf, cbuf, h);
        for (unsigned c = 0; c < ch; c++) {
            double where = 0.0;
            /* grid point (m, j - 1) is at t = m - guard + (j - 1) / factor */
            const double p = scan(view_of(&cs[c], (int)j - 2, factor), view_of(&cs[c], (int)j - 1, factor),
                                  view_of(&cs[c], (int)j, factor), lo, hi, np, (double)(j - 1) / factor - (double)g,
                                  1.0 / factor, &where);
            if (p > cs[c].peak) {
                cs[c].peak = p;
                cs[c].at = where;
            }
        }
    }

    double peak = ok ? 0.0 : -1.0;
    for (unsigned c = 0; cs && c < ch; c++) {
        if (ok) {
            if (per_channel)
                per_channel[c] = cs[c].peak;
            if (cs[c].peak > peak) {
                peak = cs[c].peak;
                if (at)
                    *at = cs[c].at;
            }
        }
        fftw_free(cs[c].X);
        free(cs[c].first);
        free(cs[c].last);
        for (int r = 0; r < 3; r++)
            free(cs[c].ring[r]);
    }
    if (fwd)
        fftw_destroy_plan(fwd);
    if (inv)
        fftw_destroy_plan(inv);
    free(cs);
    fftw_free(h);
    fftw_free(cbuf);
    fftw_free(rbuf);
    return peak;
}

double tpref_dbtp(const double *interleaved, size_t frames, unsigned ch, unsigned factor)
{
    const double p = tpref_peak(interleaved, frames, ch, factor, -TPREF_GUARD, (long)frames + TPREF_GUARD, NULL, NULL);
    if (p < 0.0)
        return NAN;
    return p > 0.0 ? 20.0 * log10(p) : -INFINITY;
}
