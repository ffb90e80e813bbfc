/* aweight.h — an A-weighting filter (IEC 61672-1) for the sound level of
 * play's output: the analog weighting's poles (Annex E: 20.598997,
 * 107.65265, 737.86223 and 12194.217 Hz, four zeros at 0 Hz) through the
 * bilinear transform, as three biquads, normalised to 0 dB at 1 kHz.  The
 * bilinear transform squeezes the response near Nyquist (at 48 kHz 1.2 dB
 * below the nominal at 10 kHz, 6 dB at 16 kHz; at 44.1 kHz 1.5 and 8 dB):
 * within class 1 of IEC 61672-1 at 44.1 kHz and above
 * (tests/play/test_aweight.c), and on the safe side for a dose.
 *
 * Processing is [RT]: no allocation, no locks; state in the struct. */
#ifndef HPAMP_HOST_AWEIGHT_H
#define HPAMP_HOST_AWEIGHT_H

#include <stddef.h>

#define HPH_AWEIGHT_MAX_CH 8

typedef struct hph_aweight {
    double b[3][3], a[3][3];            /* per section: b0 b1 b2, 1 a1 a2 */
    double z[HPH_AWEIGHT_MAX_CH][3][2]; /* transposed direct form II state */
    unsigned channels;
} hph_aweight;

/* [non-RT] Design for rate_hz (8 kHz .. 768 kHz) and 1..8 channels; 0 or -1. */
int hph_aweight_init(hph_aweight *w, double rate_hz, unsigned channels);

/* [any] The designed response in dB at f_hz (0 < f < rate/2). */
double hph_aweight_response_db(const hph_aweight *w, double rate_hz, double f_hz);

/* [RT] Filter one sample of channel c. */
static inline double hph_aweight_step(hph_aweight *w, unsigned c, double x)
{
    for (int s = 0; s < 3; s++) {
        double *z = w->z[c][s];
        const double *b = w->b[s], *a = w->a[s];
        double y = b[0] * x + z[0];
        z[0] = b[1] * x - a[1] * y + z[1];
        z[1] = b[2] * x - a[2] * y;
        x = y;
    }
    return x;
}

/* [RT] Forget the state. */
void hph_aweight_reset(hph_aweight *w);

#endif
