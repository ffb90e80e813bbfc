/* sinc.c — the Kaiser-windowed sinc: one modified Bessel function, one
 * window and one polyphase (fractional-delay) design, shared by the
 * limiter's 16x detector and guard low-pass and the meter's 4x true-peak
 * interpolator (docs/meters.md, docs/limiter.md). */
#include <math.h>

#include "internal.h"

double hpa_bessel_i0(double x)
{
    /* I0(x) = sum_k ((x/2)^k / k!)^2: every term positive, so the sum stops
     * when a term no longer changes it */
    double sum = 1.0, term = 1.0;
    for (int k = 1; k < 200; k++) {
        term *= (x / (2.0 * k)) * (x / (2.0 * k));
        sum += term;
        if (term < 1e-17 * sum)
            break;
    }
    return sum;
}

double hpa_kaiser(double x, double half, double beta)
{
    const double r = x / half;
    return fabs(r) >= 1.0 ? 0.0 : hpa_bessel_i0(beta * sqrt(1.0 - r * r)) / hpa_bessel_i0(beta);
}

double hpa_sinc(double x)
{
    return fabs(x) < 1e-12 ? 1.0 : sin(M_PI * x) / (M_PI * x);
}

double hpa_polyphase_design(double *bank, unsigned phases, unsigned half, double beta)
{
    const size_t taps = (size_t)2 * half;
    double l1max = 1.0; /* phase 0, the sample itself */
    for (unsigned ph = 1; ph < phases; ph++) {
        double *b = bank + (size_t)(ph - 1) * taps;
        double s = 0.0, a = 0.0;
        for (size_t j = 0; j < taps; j++) {
            const double x = (double)ph / phases - ((double)j - (half - 1));
            b[j] = hpa_sinc(x) * hpa_kaiser(x, half, beta);
            s += b[j];
        }
        for (size_t j = 0; j < taps; j++) {
            b[j] /= s;
            a += fabs(b[j]);
        }
        if (a > l1max)
            l1max = a;
    }
    return l1max;
}
