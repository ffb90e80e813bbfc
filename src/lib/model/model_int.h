/* model_int.h — private helpers shared by the model's files (src/lib/model). */
#ifndef HPA_MODEL_INT_H
#define HPA_MODEL_INT_H

#include <complex.h>
#include <math.h>
#include <stddef.h>

#include <hpamp/model.h>

#define HPA_MODEL_PI 3.14159265358979323846

/* The reference frequency when ref_hz is 0: sensitivity is usually specified at 1 kHz. */
#define HPA_MODEL_DEFAULT_REF_HZ 1000.0

/* The grid used to search a band: 96 points per octave. */
#define HPA_MODEL_GRID_PER_OCTAVE 96.0

/* finite and > 0 */
static inline int hpa_model_pos(double x)
{
    return isfinite(x) && x > 0.0;
}

/* finite and >= 0 */
static inline int hpa_model_nonneg(double x)
{
    return isfinite(x) && x >= 0.0;
}

/* A band to search: 0 < lo <= hi, at most 40 octaves wide (20 Hz .. 20 kHz is 10) */
static inline int hpa_model_band_ok(double lo_hz, double hi_hz)
{
    return hpa_model_pos(lo_hz) && hpa_model_pos(hi_hz) && lo_hz <= hi_hz && hi_hz / lo_hz <= 0x1p40;
}

/* ---- load.c ---- */

/* A model that passed hpa_zmodel check; evaluated without checks. */
int hpa_model_zmodel_valid(const hpa_zmodel *m);
double complex hpa_model_zmodel_z(const hpa_zmodel *m, double f_hz);

/* Points that are sorted, positive and finite. */
int hpa_model_zpoints_valid(const hpa_zpoint *p, size_t n, int has_phase);
double complex hpa_model_zpoints_z(const hpa_zpoint *p, size_t n, int has_phase, double f_hz);

/* Z of a checked headphone at f (no checks). */
double complex hpa_model_headphone_z(const hpa_headphone *hp, double f_hz);

/* The reference frequency of a checked headphone. */
double hpa_model_ref_hz(const hpa_headphone *hp);

/* S_V of a checked headphone (no checks). */
double hpa_model_sens_v(const hpa_headphone *hp);

/* Visit the search grid of a band: 1/96-octave steps from lo to hi (both
 * included), then the curve's own points and resonance inside the band.  The
 * visitor gets each frequency once or more (duplicates are harmless). */
typedef void (*hpa_model_visit_fn)(void *ctx, double f_hz);
void hpa_model_sweep(const hpa_headphone *hp, double lo_hz, double hi_hz, hpa_model_visit_fn fn, void *ctx);

/* ---- amp.c ---- */

/* Open-circuit clipping voltage of a checked source. */
double hpa_model_voc_max(const hpa_source *src);

#endif
