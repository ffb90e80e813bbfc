/* iso226.h — equal-loudness contours (ISO 226:2003) and the loudness
 * compensation made from them (docs/loudness-comp.md).
 *
 * The table (frequency, alpha_f, L_U, T_f at the 29 one-third-octave
 * frequencies from 20 Hz to 12.5 kHz) is ISO 226:2003 Table 1; where the
 * numbers were taken from is in data/iso226.md.  The 2023 edition's table
 * could not be sourced (docs/loudness-comp.md says why this is 2003).
 *
 * Pure and [any]: no allocation except hpa_loudness_comp_bands, [non-RT].
 */
#ifndef HPAMP_ISO226_H
#define HPAMP_ISO226_H

#include <stddef.h>

#include <hpamp/hpamp.h>
#include <hpamp/eq.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HPA_ISO226_POINTS 29
#define HPA_ISO226_PHON_MIN 20.0 /* the contours are defined from 20 phon .. */
#define HPA_ISO226_PHON_MAX 90.0 /* .. to 90 phon (80 above 4 kHz, extrapolated here) */

/* [any] The i-th tabulated frequency (20 .. 12500 Hz), NAN past the last. */
HPA_API double hpa_iso226_freq(size_t i);

/* [any] The sound pressure level (dB) of the phon contour at freq_hz: the
 * standard's formula (4.1) at the tabulated frequencies; between them the
 * neighbours' levels interpolated linearly in log frequency, below 20 Hz and
 * above 12.5 kHz the end values (the standard says nothing there).  phon is
 * clamped to 20 .. 90. */
HPA_API double hpa_iso226_spl(double phon, double freq_hz);

/* [any] The gain (dB) that makes music heard at listen_phon keep the
 * balance it has at ref_phon: (spl(listen, f) - listen) - (spl(ref, f) - ref),
 * 0 at 1 kHz; positive in the bass when listen_phon < ref_phon. */
HPA_API double hpa_loudness_comp_db(double listen_phon, double ref_phon, double freq_hz);

#define HPA_LOUDNESS_COMP_BANDS 5     /* the bands of the fitted compensation */
#define HPA_LOUDNESS_COMP_MAX_DB 15.0 /* no band boosts more, nor the curve followed */

/* [non-RT] The compensation as HPA_LOUDNESS_COMP_BANDS biquads for rate_hz
 * (a low and a high shelf and peaking filters, hpa_eq_autofit), following
 * hpa_loudness_comp_db limited to +HPA_LOUDNESS_COMP_MAX_DB over 20 Hz ..
 * 12.5 kHz.  listen_phon == ref_phon gives flat bands (gain 0).  *n receives
 * the count; *rms_db (may be NULL) how closely the bands follow the limited
 * curve over 20 Hz .. 10 kHz.  Returns HPA_OK, HPA_ERR_INVALID_ARG,
 * HPA_ERR_RATE, HPA_ERR_NO_MEMORY, HPA_ERR_BUFFER_TOO_SMALL. */
HPA_API int hpa_loudness_comp_bands(double listen_phon, double ref_phon, double rate_hz, hpa_eq_band *bands, size_t cap,
                                    size_t *n, double *rms_db);

/* The listening level, from the SPL at the ear (docs/loudness-comp.md).  The
 * volume sets the SPL of a full-scale sine (safety.h's spl0 + volume); music
 * lies below it by its loudness against full scale: programme_db, the LUFS it
 * plays at (ReplayGain 2.0's reference, -18 LUFS, unless the host knows
 * better).  The level is rounded to HPA_LOUDNESS_STEP_DB, so that a band set
 * is made at most once per step as the volume moves. */
#define HPA_LOUDNESS_PROGRAMME_LUFS (-18.0)
#define HPA_LOUDNESS_STEP_DB 0.5

/* [any] spl0_db + volume_db + programme_lufs rounded to HPA_LOUDNESS_STEP_DB;
 * NAN when an argument is not finite. */
HPA_API double hpa_loudness_listen_phon(double spl0_db, double volume_db, double programme_lufs);

#ifdef __cplusplus
}
#endif

#endif
