/* tpref.h — the tests' reference true-peak meter, independent of hpamp's
 * limiter and of libebur128.
 *
 * The true peak of a sampled signal is the largest |y(t)| of its band-limited
 * reconstruction y(t) = sum_n x[n] sinc(t - n), the samples outside the
 * signal being zero (silence before and after, as a DAC plays it).  The
 * meter computes y(t) exactly on a grid of `factor` points per sample: each
 * phase a = j / factor is the linear convolution of x with the kernel
 * sinc(k + a) over every distance k the signal spans, done by FFT (FFTW,
 * double) at a length of at least twice the padded signal, so nothing wraps
 * and no tail is cut.  (Segments of 2^16 samples with 4096 of overlap miss
 * the sinc tails beyond the overlap, an error of the order of
 * sigma / (pi sqrt(4096)) per point: on uniform white noise of peak 0.9 the
 * segmented peak was off by up to 0.013 dB, too coarse to check a ceiling
 * to 0.01 dB.)
 *
 * The signal is padded with TPREF_GUARD zeros on both sides, so the
 * reconstruction's ringing before the first and after the last sample is
 * metered too.  Each local maximum of |y| on the grid is refined by the
 * parabola through it and its two neighbours: at 16x a full-scale sine
 * at 0.49 fs reads within 0.0005 dB whatever its phase (the grid alone
 * could read 0.04 dB low; tests/signal/test_tpref.c proves the meter).
 *
 * Cost: factor - 1 kernel FFTs and channels * factor FFTs of twice the padded
 * length.  Memory: about 7 doubles per channel and 6 more per padded sample;
 * the whole signal is held at once (a few seconds of stereo: some 10 MB). */
#ifndef HPA_TPREF_H
#define HPA_TPREF_H

#include <stddef.h>

/* zeros added on each side: the reconstruction is metered over
 * t in [-TPREF_GUARD, frames + TPREF_GUARD) */
#define TPREF_GUARD 4096

/* The largest |y(t)| of each channel of the interleaved x (frames frames of
 * ch channels), over t in [first, last) (in samples of x, clamped to the
 * guard), on a grid of factor (4 .. 256) points per sample refined by
 * parabolas.  per_channel (may be NULL) receives ch values, at (may be
 * NULL) the time of the largest, in samples of x.  Returns the largest over
 * the channels (linear, 1.0 = full scale), 0 for silence, -1 when memory runs
 * out or an argument is out of range. */
double tpref_peak(const double *x, size_t frames, unsigned ch, unsigned factor, long first, long last,
                  double *per_channel, double *at);

/* The true peak of the whole signal in dBTP (the largest over the channels):
 * -INFINITY for silence, NAN on failure (see tpref_peak). */
double tpref_dbtp(const double *interleaved, size_t frames, unsigned ch, unsigned factor);

#endif
