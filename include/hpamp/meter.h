/* meter.h — libhpamp's meters: one shape for every meter.
 *
 * libebur128's shape is the model: create a meter with the capabilities you
 * want (a set of HPA_METER_* bits), add interleaved frames on the audio
 * thread, read the values.  One meter can hold them all:
 *
 *   HPA_METER_SAMPLE_PEAK  the largest |sample| of each channel
 *   HPA_METER_TRUE_PEAK    the largest |sample| of each channel oversampled
 *                          4 times (ITU-R BS.1770-4 Annex 2)
 *   HPA_METER_AWEIGHT      the energy of each channel through the
 *                          A-weighting of IEC 61672-1 (for SPL and the dose)
 *   HPA_METER_MOMENTARY .. HPA_METER_RANGE
 *                          loudness of ITU-R BS.1770-4 / EBU R 128 over
 *                          400 ms, 3 s, the whole programme (gated) and its
 *                          range (EBU Tech 3342), by libebur128 in its
 *                          histogram mode, so adding frames never allocates
 *
 * The formulas, filters and standards are in docs/meters.md.  Full scale is
 * 1.0.  Samples must be finite.
 *
 * Thread classes as in hpamp.h: [non-RT] may allocate; [RT] never
 * allocates, locks or blocks; [any] is safe from any thread at any time,
 * also while another thread adds frames (lock-free: the peaks and energies
 * are published at the end of every add call, and a read sees one add
 * call's values for all channels).  The loudness reads are [RT] but not
 * [any]: call them from the thread that adds, or while no add runs.
 */
#ifndef HPAMP_METER_H
#define HPAMP_METER_H

#include <stddef.h>
#include <stdint.h>

#include <hpamp/hpamp.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The most channels a meter takes (the A-weighting runs in groups of 8). */
#define HPA_METER_CHANNELS_MAX 64u

/* What a meter measures: any combination. */
typedef enum hpa_meter_mode {
    HPA_METER_SAMPLE_PEAK = 1u << 0, /* per channel: max |x[n]| */
    HPA_METER_TRUE_PEAK = 1u << 1,   /* per channel: max |x| over the samples and 3 points between each two */
    HPA_METER_AWEIGHT = 1u << 2,     /* per channel: sum of y[n]^2, y = x through the A-weighting */
    HPA_METER_MOMENTARY = 1u << 3,   /* loudness of the last 400 ms, LUFS */
    HPA_METER_SHORTTERM = 1u << 4,   /* loudness of the last 3 s, LUFS */
    HPA_METER_INTEGRATED = 1u << 5,  /* gated loudness since create or reset, LUFS */
    HPA_METER_RANGE = 1u << 6,       /* loudness range (LRA) since create or reset, LU */
    HPA_METER_ALL = (1u << 7) - 1u
} hpa_meter_mode;

typedef struct hpa_meter hpa_meter;

/* [non-RT] Make a meter for interleaved frames of `channels` channels
 * (1 .. HPA_METER_CHANNELS_MAX) at rate_hz (8 kHz .. 768 kHz) measuring
 * `modes` (a nonzero set of HPA_METER_* bits).  alloc (NULL: malloc/free)
 * holds the meter's own memory; libebur128, with a loudness mode, allocates
 * its state with malloc.  A mono meter counts its channel twice in the
 * loudness (BS.1770's dual mono: a mono file plays in both ears); with 3 or
 * more channels libebur128's order applies (L R C LFE Ls Rs, the LFE
 * unused).  Returns HPA_OK, HPA_ERR_INVALID_ARG (out NULL, no or unknown
 * modes), HPA_ERR_CHANNELS, HPA_ERR_RATE or HPA_ERR_NO_MEMORY; on failure
 * *out is NULL. */
HPA_API int hpa_meter_create(unsigned channels, uint32_t rate_hz, unsigned modes, const hpa_allocator *alloc,
                             hpa_meter **out);

/* [non-RT] Free a meter; NULL is a no-op. */
HPA_API void hpa_meter_destroy(hpa_meter *m);

/* [non-RT] Back to a new meter's state (libebur128 has no reset of its own:
 * its state is made anew, which allocates).  HPA_ERR_NO_MEMORY leaves the
 * loudness modes unusable until a reset succeeds. */
HPA_API int hpa_meter_reset(hpa_meter *m);

/* [RT] Measure `frames` interleaved frames.  frames may be NULL only when
 * frames is 0.  Returns HPA_OK, HPA_ERR_INVALID_ARG or HPA_ERR_STATE (a
 * failed reset). */
HPA_API int hpa_meter_add_double(hpa_meter *m, const double *frames, size_t n);
HPA_API int hpa_meter_add_float(hpa_meter *m, const float *frames, size_t n);

/* [RT] The input has ended: the true peak also takes the points between
 * the last samples and the silence after them (each point is made from 16
 * samples on either side, so the last 16 frames' points wait for the
 * frames after them).  Call before reading a whole file's true peak.
 * Frames added afterwards follow that silence. */
HPA_API int hpa_meter_end(hpa_meter *m);

/* [any] The modes and channels the meter was made with. */
HPA_API unsigned hpa_meter_modes(const hpa_meter *m);
HPA_API unsigned hpa_meter_channels(const hpa_meter *m);

/* [any] The values of channel `channel` (0-based) so far, linear (1.0 =
 * full scale; 20 log10 gives dBFS and dBTP); 0 before any frame.  Return
 * HPA_OK, HPA_ERR_INVALID_ARG (NULL, channel out of range) or HPA_ERR_STATE
 * (the meter was made without that mode). */
HPA_API int hpa_meter_sample_peak(const hpa_meter *m, unsigned channel, double *peak);
HPA_API int hpa_meter_true_peak(const hpa_meter *m, unsigned channel, double *peak);

/* [any] The A-weighted energy of a channel: the sum of the squares of the
 * A-weighted samples (0 dB at 1 kHz) since create or reset, and the frames
 * it sums (either pointer may be NULL).  energy / frames is the A-weighted
 * mean square: a full-scale 1 kHz sine gives 0.5 (-3.01 dBFS). */
HPA_API int hpa_meter_aweighted(const hpa_meter *m, unsigned channel, double *energy, uint64_t *frames);

/* [RT] Loudness in LUFS (-HUGE_VAL for silence, or before 400 ms of
 * input for the integrated loudness) and the loudness range in LU, over all
 * channels as BS.1770-4 sums them.  Not concurrently with an add.  Return
 * HPA_OK, HPA_ERR_INVALID_ARG or HPA_ERR_STATE (the mode was not asked for,
 * or a reset failed). */
HPA_API int hpa_meter_momentary(hpa_meter *m, double *lufs);
HPA_API int hpa_meter_shortterm(hpa_meter *m, double *lufs);
HPA_API int hpa_meter_integrated(hpa_meter *m, double *lufs);
HPA_API int hpa_meter_range(hpa_meter *m, double *lu);

/* [any] The A-weighting's designed response at freq_hz (0 < freq_hz <
 * rate_hz / 2) at rate_hz, in dB (0 dB at 1 kHz): what HPA_METER_AWEIGHT
 * filters with.  HPA_OK, HPA_ERR_RATE or HPA_ERR_INVALID_ARG. */
HPA_API int hpa_meter_aweight_response_db(double rate_hz, double freq_hz, double *db);

#ifdef __cplusplus
}
#endif

#endif
