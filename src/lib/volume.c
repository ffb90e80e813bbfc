/* volume.c — the volume stage: a one-pole smoother on the linear gain.
 *
 * Each sample the gain moves by coef * (target - gain), so no change is ever a
 * step: the largest sample-to-sample change of the gain is coef * |target -
 * start|, with coef = 1 - exp(-1 / (tau * rate)).  Once within 1e-12 of the
 * target the gain snaps to it, which keeps denormals out and makes 0 dB
 * exactly 1.0 (the bit-transparent path). */
#include <math.h>

#include "internal.h"

#define SNAP 1e-12

void hpa_volume_init(hpa_volume *v, double gain, double smoothing_ms, double rate_hz)
{
    v->gain = gain;
    v->coef = (smoothing_ms > 0.0) ? -expm1(-1000.0 / (smoothing_ms * rate_hz)) : 1.0;
}

int hpa_volume_process(hpa_volume *v, double target, double *buf, size_t frames, unsigned channels)
{
    double g = v->gain;
    size_t i;
    unsigned c;

    if (g == target) {
        if (g == 1.0)
            return 1;
        for (i = 0; i < frames * channels; i++)
            buf[i] *= g;
        return 0;
    }
    for (i = 0; i < frames; i++) {
        double d = target - g;
        g = (fabs(d) <= SNAP) ? target : g + v->coef * d;
        for (c = 0; c < channels; c++)
            buf[i * channels + c] *= g;
    }
    v->gain = g;
    return 0;
}
