/* test_tpref.c — the reference true-peak meter (tests/common/tpref.c) against
 * closed forms, so the ceiling tests can trust it.
 *
 *   sines      A faded-in, faded-out sine of amplitude A (raised-cosine ramps
 *              of 8192 samples, so its band-limited reconstruction is the
 *              continuous A w(t) sin(2 pi f t + phi) to ~1e-6) reads A within
 *              0.001 dB at 0.02 .. 0.49 fs, random phases, 44.1 kHz, 16x,
 *              each channel on its own (A = 0.5 left, 0.25 right).
 *   square     The sampled full-scale 6 kHz square at 44.1 kHz repeats every
 *              147 samples (20 cycles).  Its band-limited reconstruction is
 *              the trigonometric polynomial whose lines are the DFT of one
 *              period, X_k = sum_n x[n] e^(-2 pi i k n / 147), k = 0 .. 73
 *              (the square's harmonics aliased onto 73 lines below Nyquist;
 *              147 is odd, so no line sits at Nyquist): its peak, found here
 *              on a grid of 1/250 sample refined to 1e-7 over one period, is
 *              +3.7907 dBTP.  The meter over a period in the middle of 700
 *              periods (the tails of the finite signal below 1e-4 there)
 *              reads it within 0.001 dB.
 *   bursts     The signs of sinc(n - 1/2), n = -K+1 .. K, at full scale:
 *              every term adds at t = 1/2, where the reconstruction is
 *              sum |sinc(n - 1/2)| = (4/pi) sum_{m=1..K} 1/(2m - 1)
 *              (K = 16, 32, 48: +9.586, +10.772, +11.398 dBTP).  The meter
 *              reads that within 0.001 dB, and says where, also for a burst at
 *              the very start of the signal (the guard zeros).
 *   ebur128    Why libebur128 is not the reference: its 4x meter reads the
 *              K = 32 burst and the 6 kHz square several dB low.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ebur128.h>

#include "sigtest.h"
#include "tpref.h"

#define FACTOR 16

static double ebur128_dbtp(const double *x, size_t frames, unsigned ch, unsigned rate)
{
    ebur128_state *st = ebur128_init(ch, rate, EBUR128_MODE_TRUE_PEAK);
    if (!st || ebur128_add_frames_double(st, x, frames) != EBUR128_SUCCESS)
        exit(99);
    double tp = 0;
    for (unsigned c = 0; c < ch; c++) {
        double v;
        ebur128_true_peak(st, c, &v);
        tp = v > tp ? v : tp;
    }
    ebur128_destroy(&st);
    return st_db_amp(tp);
}

static void part_sines(uint64_t *rng)
{
    const double fs = 44100.0, ramp = 8192, flat = 4096;
    const size_t n = (size_t)(2 * ramp + flat);
    const double rel[] = {0.02, 0.1, 0.25, 0.4, 0.45, 0.47, 0.49};
    const double amp[2] = {0.5, 0.25};
    double *x = malloc(sizeof(double) * 2 * n);
    if (!x)
        exit(99);
    double worst = 0;
    for (size_t k = 0; k < sizeof rel / sizeof rel[0]; k++)
        for (int trial = 0; trial < 4; trial++) {
            double phi[2] = {2 * M_PI * st_rand_uniform(rng), 2 * M_PI * st_rand_uniform(rng)};
            for (size_t i = 0; i < n; i++) {
                const double t = (double)i;
                double w = 1.0;
                if (t < ramp)
                    w = 0.5 - 0.5 * cos(M_PI * t / ramp);
                else if (t >= ramp + flat)
                    w = 0.5 - 0.5 * cos(M_PI * ((double)n - t) / ramp);
                for (int c = 0; c < 2; c++)
                    x[2 * i + c] = amp[c] * w * sin(2 * M_PI * rel[k] * t + phi[c]);
            }
            double per[2];
            if (tpref_peak(x, n, 2, FACTOR, -TPREF_GUARD, (long)n + TPREF_GUARD, per, NULL) < 0)
                exit(99);
            for (int c = 0; c < 2; c++) {
                const double err = st_db_amp(per[c] / amp[c]);
                char name[120];
                snprintf(name, sizeof name, "sine %.3f fs (%.0f Hz), phase %.3f rad, A %.2f: reading - A", rel[k],
                         rel[k] * fs, phi[c], amp[c]);
                st_abs_le(name, err, 0.001, "dB");
                worst = fabs(err) > worst ? fabs(err) : worst;
            }
        }
    st_note("sines: worst error %.6f dB", worst);
    free(x);
}

/* the band-limited reconstruction of one period of a periodic sequence: lines X_k */
typedef struct trig {
    int p;
    long double re[128], im[128]; /* k = 0 .. p/2 (p odd) */
} trig;

static double trig_at(const trig *tr, double t)
{
    long double y = tr->re[0];
    for (int k = 1; k <= tr->p / 2; k++) {
        const long double a = 2.0L * (long double)M_PI * k * t / tr->p;
        y += 2.0L * (tr->re[k] * cosl(a) - tr->im[k] * sinl(a));
    }
    return (double)(y / tr->p);
}

static void part_square(void)
{
    const int p = 147, cycles = 20; /* 6000 / 44100 = 20 / 147 */
    trig tr = {.p = p};
    double one[147];
    for (int n = 0; n < p; n++)
        one[n] = 2 * ((cycles * n) % p) < p ? 1.0 : -1.0;
    for (int k = 0; k <= p / 2; k++)
        for (int n = 0; n < p; n++) {
            const long double a = 2.0L * (long double)M_PI * ((k * n) % p) / p;
            tr.re[k] += one[n] * cosl(a);
            tr.im[k] -= one[n] * sinl(a);
        }
    /* the peak of |y| over one period: a grid of 1/250 sample, then finer */
    double best = 0, at = 0;
    for (int i = 0; i < p * 250; i++) {
        const double t = i / 250.0, v = fabs(trig_at(&tr, t));
        if (v > best) {
            best = v;
            at = t;
        }
    }
    for (int e = 3; e <= 7; e++) {
        const double step = pow(10.0, -e), c = at;
        for (int i = -20; i <= 20; i++) {
            const double v = fabs(trig_at(&tr, c + i * step));
            if (v > best) {
                best = v;
                at = c + i * step;
            }
        }
    }
    const double truth = st_db_amp(best);
    st_note("6 kHz square at 44.1 kHz: band-limited peak %.5f dBTP at t = %.4f of its 147-sample period", truth, at);
    st_abs_le("6 kHz square: closed form vs the value stated in the header (+3.7907 dBTP)", truth - 3.7907, 0.0001,
              "dB");

    const size_t periods = 700, n = periods * (size_t)p;
    double *x = malloc(sizeof(double) * n);
    if (!x)
        exit(99);
    for (size_t i = 0; i < n; i++)
        x[i] = one[i % (size_t)p];
    const long mid = (long)(periods / 2) * p;
    const double got = st_db_amp(tpref_peak(x, n, 1, FACTOR, mid, mid + p, NULL, NULL));
    st_abs_le("6 kHz square at 44.1 kHz, a period in the middle: reading - closed form", got - truth, 0.001, "dB");
    const double whole = tpref_dbtp(x, n, 1, FACTOR);
    st_note("6 kHz square, whole finite signal (its ends ring too): %.4f dBTP", whole);
    st_ge("6 kHz square: the whole signal reads at least its middle", whole - got, -1e-9, "dB");
    const double eb = ebur128_dbtp(x, n, 1, 44100);
    st_note("6 kHz square: libebur128 reads %.4f dBTP, %.3f dB below", eb, truth - eb);
    st_ge("libebur128 under-reads the 6 kHz square by (dB)", truth - eb, 0.1, "dB");
    free(x);
}

static void part_bursts(void)
{
    const int ks[] = {16, 32, 48};
    for (int i = 0; i < 3; i++) {
        const int k = ks[i];
        double sum = 0;
        for (int m = 1; m <= k; m++)
            sum += 1.0 / (2 * m - 1);
        const double truth = st_db_amp(4.0 / M_PI * sum);
        /* the burst alone (edge 0), then after 1000 zeros (edge 1000) */
        for (size_t lead = 0; lead <= 1000; lead += 1000) {
            const size_t n = lead + 2 * (size_t)k + 1000;
            double *x = calloc(n, sizeof(double));
            if (!x)
                exit(99);
            for (int j = -k + 1; j <= k; j++) {
                const double u = j - 0.5; /* sign of sinc(u) = sign of sin(pi u) / u */
                x[lead + (size_t)(j + k - 1)] = sin(M_PI * u) / u > 0 ? 1.0 : -1.0;
            }
            double at = 0;
            const double got = st_db_amp(tpref_peak(x, n, 1, FACTOR, -TPREF_GUARD, (long)n + TPREF_GUARD, NULL, &at));
            char name[120];
            snprintf(name, sizeof name, "sign-of-sinc burst +-%d, %zu zeros before: where - %zu.5", k, lead,
                     lead + (size_t)k - 1);
            st_abs_le(name, at - ((double)(lead + (size_t)k - 1) + 0.5), 1e-9, "frames");
            snprintf(name, sizeof name, "sign-of-sinc burst +-%d, %zu zeros before: reading - %.4f dBTP", k, lead,
                     truth);
            st_abs_le(name, got - truth, 0.001, "dB");
            if (lead && k == 32) {
                const double eb = ebur128_dbtp(x, n, 1, 44100);
                st_note("burst +-32: libebur128 reads %.4f dBTP, %.3f dB below", eb, truth - eb);
                st_ge("libebur128 under-reads the +-32 burst by (dB)", truth - eb, 1.0, "dB");
            }
            free(x);
        }
    }
}

int main(void)
{
    uint64_t seed = st_seed(0x7e57ce11);
    st_begin("the reference true-peak meter (tests/common/tpref.c) against closed forms", 1, seed);
    part_sines(&seed);
    part_square();
    part_bursts();
    st_eq_int("silence reads -inf", tpref_dbtp((const double[4]){0}, 2, 2, FACTOR) == -INFINITY, 1);
    return st_end();
}
