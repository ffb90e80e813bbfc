/* truepeak.h — the true peak of a signal (ITU-R BS.1770-4 Annex 2: the
 * peak of the signal oversampled 4 times), for `hpamp advise --music`.
 *
 * Why not libebur128's EBUR128_MODE_TRUE_PEAK: both pass EBU Tech 3341's
 * true-peak cases, but libebur128 1.2.6's 49-tap interpolator over-reads
 * steady high tones (its phases differ in gain: +0.15 dB at 6 kHz and
 * +0.17 dB at 15 kHz at 44.1 kHz, +0.33 dB at 15 kHz at 48 kHz, measured),
 * and it interpolates every sample.  This one is a 128-tap Kaiser-windowed
 * sinc (β 7), 32 taps per phase, each phase normalised to unity gain at DC:
 * flat within ±0.003 dB up to 0.43·fs; and it skips stretches that cannot
 * raise the peak, which makes the scan about 30 % cheaper (see
 * docs/advise.md). */
#ifndef HPAMP_HOST_TRUEPEAK_H
#define HPAMP_HOST_TRUEPEAK_H

#include <stddef.h>

typedef struct hph_tp hph_tp;

/* A meter for interleaved float frames of `channels` channels (1..64);
 * NULL when out of memory. */
hph_tp *hph_tp_create(unsigned channels);

/* Feed frames (full scale ±1.0). */
void hph_tp_add(hph_tp *t, const float *frames, size_t n);

/* The true peak so far, linear (1.0 = full scale), over every channel,
 * after the signal is followed by silence (so a peak at the very end
 * counts).  Call once, at the end. */
double hph_tp_finish(hph_tp *t);

void hph_tp_destroy(hph_tp *t);

#endif
