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

int hpa_volume_process(hpa_volume *v, const hpa_ops *ops, double target, double *buf, size_t frames, unsigned channels,
                       uint64_t *over, double *peak)
{
    double g = v->gain;
    size_t i;
    unsigned c;

    if (g == target) {
        /* a constant gain (none at 1.0) and the scan: one pass */
        const uint64_t o = ops->gain_scan(buf, frames * channels, g, peak);
        if (over)
            *over += o;
        return g == 1.0;
    }
    double p = peak ? *peak : 0.0;
    uint64_t o = 0;
    for (i = 0; i < frames; i++) {
        double d = target - g;
        g = (fabs(d) <= SNAP) ? target : g + v->coef * d;
        for (c = 0; c < channels; c++) {
            const double y = buf[i * channels + c] *= g, a = fabs(y);
            o += a > 1.0;
            p = a > p ? a : p;
        }
    }
    if (peak)
        *peak = p;
    if (over)
        *over += o;
    v->gain = g;
    return 0;
}
