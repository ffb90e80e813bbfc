/* eqfile.h — an EQ file (AutoEq / Equalizer APO text) as bands, for render
 * and play: read, parsed with FILE:LINE diagnostics, its GraphicEQ curve
 * fitted, and the preamp it needs.  One loader, so both commands accept and
 * refuse the same files with the same words. */
#ifndef HPC_EQFILE_H
#define HPC_EQFILE_H

#include <stddef.h>
#include <stdio.h>

#include <hpamp/eq.h>

/* A fit beyond this many dB from the curve is worth a warning. */
#define HPC_GRAPHIC_WARN_DB 0.5

/* "127 points fitted with 61 peaking filters, within 0.06 dB (max at 14.2 kHz)" */
void hpc_graphic_text(const hpa_eq_graphic_info *g, char *buf, size_t size);

/* the JSON object of a fit, or null when there was no GraphicEQ line */
void hpc_graphic_json(FILE *f, const hpa_eq_graphic_info *g);

/* Read the EQ file at path and load it as hpc_eq_load_text does. */
int hpc_eq_load_file(const char *path, double rate_hz, int quiet, hpa_eq_profile *eq);

/* Parse EQ text at rate_hz (label names it in messages: a file, or a
 * preset); print its diagnostics as "hpamp: LABEL:LINE: ..." (warnings only
 * unless quiet); fit its GraphicEQ curve; check the band count and the
 * preamp (HPA_EQ_PREAMP_MIN_DB at most).  Returns 0 with *eq filled (hpa_eq_profile_free it),
 * or 1 after printing why not (*eq then holds nothing to free). */
int hpc_eq_load_text(const char *label, const char *text, size_t len, double rate_hz, int quiet, hpa_eq_profile *eq);

#endif
