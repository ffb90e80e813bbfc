/* eq_auto.h — a parametric EQ made from a headphone measurement and a target
 * (what AutoEq does, inside libhpamp; docs/eq-fit.md).
 *
 *   hpa_eq_curve_parse   measurement / target text (two columns, REW and
 *                        squig.link exports, AutoEq CSVs) -> points
 *   hpa_eq_target_builtin  the targets shipped in data/targets (AutoEq, MIT)
 *   hpa_eq_autofit       measurement + target -> shelves and peaking filters
 *   hpa_eq_autofit_residual  how far measurement + EQ stays from the target
 *
 * Pure: no files, no printing.  Thread classes as in hpamp.h.
 */
#ifndef HPAMP_EQ_AUTO_H
#define HPAMP_EQ_AUTO_H

#include <stddef.h>

#include <hpamp/hpamp.h>
#include <hpamp/eq.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What went wrong in a curve's text. */
typedef struct hpa_eq_curve_error {
    size_t line;        /* 1-based; 0 for the text as a whole */
    const char *reason; /* static English text */
} hpa_eq_curve_error;

/* [any] Parse a frequency response: one point a line, frequency in Hz then
 * level in dB, separated by commas, tabs, spaces or semicolons (with
 * semicolons a comma is a decimal mark); further columns are ignored, except
 * that a header line naming a `raw` column (AutoEq's result CSVs:
 * frequency,raw,...) takes the level from that column.  Blank lines and lines
 * starting with '*', '#' or ';' (REW's notes) are skipped; one header line
 * (its first field not a number) may come before the first point.  Every
 * other line must be a point: frequency > 0 and finite, level finite,
 * frequencies strictly increasing.  At least 2 points.  Writes up to cap
 * points; *n receives the count.  Returns HPA_OK, HPA_ERR_INVALID_ARG (see
 * *err) or HPA_ERR_BUFFER_TOO_SMALL (*n says how many). */
HPA_API int hpa_eq_curve_parse(const char *text, size_t len, hpa_eq_point *pts, size_t cap, size_t *n,
                               hpa_eq_curve_error *err);

/* [any] A built-in target by name (case-insensitive): its text (AutoEq's
 * frequency,raw CSV, parse with hpa_eq_curve_parse) and length; NULL when
 * there is none.  hpa_eq_target_name(i) lists the names (NULL past the last),
 * hpa_eq_target_about(i) says what each is. */
HPA_API const char *hpa_eq_target_builtin(const char *name, size_t *len);
HPA_API const char *hpa_eq_target_name(size_t i);
HPA_API const char *hpa_eq_target_about(size_t i);

typedef struct hpa_eq_autofit_config {
    double rate_hz;       /* the rate the filters are designed at; 8 kHz .. 768 kHz */
    unsigned max_filters; /* 1 .. HPA_EQ_AUTOFIT_MAX_FILTERS; with 3 or more, a low and a high shelf */
    double max_gain_db;   /* no filter boosts more than this (0 .. 30 dB) */
    double max_q;         /* largest Q of a peaking filter (0.5 .. 20) */
    double bass_db;       /* added to the target: a low shelf at 105 Hz, Q 0.7 (-30 .. 30) */
    double treble_db;     /* added to the target: a high shelf at 10 kHz, Q 0.7 (-30 .. 30) */
    double tilt_db_oct;   /* added to the target: a tilt through 1 kHz, dB per octave (-3 .. 3) */
    int whole_band;       /* 1: for a smooth curve from a model, not a measurement: every point of
                           * 20 Hz .. 20 kHz weighs alike, nothing is smoothed, peaking filters
                           * reach 20 kHz (below 0.45 of the rate), rms_db is over 20 Hz .. 20 kHz */
} hpa_eq_autofit_config;

#define HPA_EQ_AUTOFIT_MAX_FILTERS 32u

/* [any] Defaults: 48 kHz, 10 filters, +6 dB, Q 6, no bass/treble/tilt. */
HPA_API void hpa_eq_autofit_config_init(hpa_eq_autofit_config *cfg);

typedef struct hpa_eq_autofit_result {
    size_t n_bands;       /* bands written */
    double preamp_db;     /* minus the EQ's largest gain (0 Hz .. Nyquist) when above 0 dB, else 0 */
    double rms_db;        /* hpa_eq_autofit_residual over 20 Hz .. 10 kHz, after the fit */
    double rms_before_db; /* the same without EQ */
    double lo_hz, hi_hz;  /* the frequencies the measurement and the target share (within 20 Hz .. 20 kHz) */
} hpa_eq_autofit_result;

/* [non-RT] Fit up to cfg->max_filters bands (a low shelf, a high shelf, then
 * peaking filters) so that measurement + EQ follows target (+ bass, treble,
 * tilt) up to a constant: least squares in dB on a 1/64-octave grid over
 * 20 Hz .. 10 kHz, the curves smoothed over 1/12 octave, above 10 kHz
 * smoothed over 2 octaves and weighted lightly (docs/eq-fit.md).  Every band
 * has gain <= max_gain_db, Q <= max_q (peaking) and is stable at every rate
 * from 44.1 to 768 kHz; values are rounded as printed (Fc 0.1 Hz, gain
 * 0.1 dB, Q 0.01).  Deterministic.  Allocates its working memory through
 * `allocator` (NULL: malloc) and frees it.  Returns HPA_OK,
 * HPA_ERR_INVALID_ARG (*reason says: a bad config, unsorted points, no
 * overlap between the curves), HPA_ERR_RATE, HPA_ERR_NO_MEMORY,
 * HPA_ERR_BUFFER_TOO_SMALL (cap < max_filters). */
HPA_API int hpa_eq_autofit(const hpa_eq_point *meas, size_t n_meas, const hpa_eq_point *target, size_t n_target,
                           const hpa_eq_autofit_config *cfg, const hpa_allocator *allocator, hpa_eq_band *bands,
                           size_t cap, hpa_eq_autofit_result *res, const char **reason);

/* [any] The residual error of measurement + EQ against a target: the RMS
 * over the measurement's own points between lo_hz and hi_hz (and inside the
 * target's range) of meas + EQ(rate_hz) - target, its mean removed; the
 * target interpolated as hpa_eq_graphic_gain_db does.  n_bands 0: no EQ.
 * Returns HPA_OK, HPA_ERR_INVALID_ARG (bad bands, fewer than 2 points in range). */
HPA_API int hpa_eq_autofit_residual(const hpa_eq_point *meas, size_t n_meas, const hpa_eq_point *target,
                                    size_t n_target, const hpa_eq_band *bands, size_t n_bands, double rate_hz,
                                    double lo_hz, double hi_hz, double *rms_db);

#ifdef __cplusplus
}
#endif

#endif
