/* aweight.c — A-weighting by the bilinear transform (see aweight.h). */
#include <complex.h>
#include <math.h>
#include <string.h>

#include "aweight.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* IEC 61672-1:2013 Annex E: the pole frequencies of the A-weighting */
#define F1 20.598997
#define F2 107.65265
#define F3 737.86223
#define F4 12194.217

/* (n2 s² + n1 s + n0) / (d2 s² + d1 s + d0) through s = K (1 − z⁻¹)/(1 + z⁻¹) */
static void bilinear(double K, const double n[3], const double d[3], double *b, double *a)
{
    double K2 = K * K;
    double B0 = n[2] * K2 + n[1] * K + n[0], B1 = 2.0 * (n[0] - n[2] * K2), B2 = n[2] * K2 - n[1] * K + n[0];
    double A0 = d[2] * K2 + d[1] * K + d[0], A1 = 2.0 * (d[0] - d[2] * K2), A2 = d[2] * K2 - d[1] * K + d[0];
    b[0] = B0 / A0;
    b[1] = B1 / A0;
    b[2] = B2 / A0;
    a[0] = 1.0;
    a[1] = A1 / A0;
    a[2] = A2 / A0;
}

static double complex section_h(const double *b, const double *a, double w)
{
    double complex z1 = cexp(-I * w), z2 = z1 * z1;
    return (b[0] + b[1] * z1 + b[2] * z2) / (a[0] + a[1] * z1 + a[2] * z2);
}

static double raw_db(const hph_aweight *w, double rate_hz, double f_hz)
{
    double om = 2.0 * M_PI * f_hz / rate_hz;
    double complex h = 1.0;
    for (int s = 0; s < 3; s++)
        h *= section_h(w->b[s], w->a[s], om);
    return 20.0 * log10(cabs(h));
}

int hph_aweight_init(hph_aweight *w, double rate_hz, unsigned channels)
{
    if (!w || !(rate_hz >= 8000.0 && rate_hz <= 768000.0) || channels < 1 || channels > HPH_AWEIGHT_MAX_CH)
        return -1;
    memset(w, 0, sizeof *w);
    w->channels = channels;
    const double K = 2.0 * rate_hz;
    const double w1 = 2.0 * M_PI * F1, w2 = 2.0 * M_PI * F2, w3 = 2.0 * M_PI * F3, w4 = 2.0 * M_PI * F4;
    /* s²/(s + w1)², s²/(s + w4)², 1/((s + w2)(s + w3)): the gain is set below */
    const double n_hp[3] = {0.0, 0.0, 1.0}, n_one[3] = {1.0, 0.0, 0.0};
    const double d1[3] = {w1 * w1, 2.0 * w1, 1.0}, d4[3] = {w4 * w4, 2.0 * w4, 1.0};
    const double d23[3] = {w2 * w3, w2 + w3, 1.0};
    bilinear(K, n_hp, d1, w->b[0], w->a[0]);
    bilinear(K, n_hp, d4, w->b[1], w->a[1]);
    bilinear(K, n_one, d23, w->b[2], w->a[2]);
    /* 0 dB at 1 kHz: scale the last section */
    double g = pow(10.0, -raw_db(w, rate_hz, 1000.0) / 20.0);
    for (int i = 0; i < 3; i++)
        w->b[2][i] *= g;
    return 0;
}

double hph_aweight_response_db(const hph_aweight *w, double rate_hz, double f_hz)
{
    return raw_db(w, rate_hz, f_hz);
}

void hph_aweight_reset(hph_aweight *w)
{
    memset(w->z, 0, sizeof w->z);
}
