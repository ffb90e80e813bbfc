/* compensation.h — the EQ that cancels what a source's output impedance does
 * to a headphone's frequency response (docs/compensation.md).
 *
 * The divider Z(f) / (Z(f) + Zout) changes the response by ΔdB(f)
 * (hpa_fr_deviation_at, model.h); the compensation is a band set whose
 * response is −ΔdB(f) up to a constant, fitted with eq_auto.h's fitter. */
#ifndef HPAMP_COMPENSATION_H
#define HPAMP_COMPENSATION_H

#include <stddef.h>

#include <hpamp/hpamp.h>
#include <hpamp/eq.h>
#include <hpamp/model.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HPA_COMPENSATION_MAX_BANDS 32u
#define HPA_COMPENSATION_GOAL_DB 0.05 /* the fit stops adding bands when within this */

typedef struct hpa_compensation {
    size_t n_bands;    /* 0 when the change is already within the goal */
    double change_db;  /* the peak-to-peak ΔdB over 20 Hz .. 20 kHz without the EQ */
    double max_err_db; /* the largest |ΔdB + EQ − c| over 20 Hz .. 20 kHz (c: the best constant) */
    double offset_db;  /* c: the EQ's level against the change (a gain, not a response) */
} hpa_compensation;

/* [non-RT] Fit the compensation of the change a source of output impedance
 * zout_ohm (> 0) makes on hp, for rate_hz (44.1 .. 768 kHz): as few bands as
 * reach HPA_COMPENSATION_GOAL_DB (shelves and peaking filters, boosts at
 * most 12 dB), at most cap (<= HPA_COMPENSATION_MAX_BANDS).  The error is
 * measured on a 1/96-octave grid.  Allocates its working memory (malloc) and
 * frees it.  Returns HPA_OK, HPA_ERR_INVALID_ARG (a bad headphone or zout),
 * HPA_ERR_RATE, HPA_ERR_NO_MEMORY. */
HPA_API int hpa_compensation_fit(const hpa_headphone *hp, double zout_ohm, double rate_hz, hpa_eq_band *bands,
                                 size_t cap, hpa_compensation *out);

#ifdef __cplusplus
}
#endif

#endif
