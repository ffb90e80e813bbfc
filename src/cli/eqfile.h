/* eqfile.h — an EQ file (AutoEq / Equalizer APO text) as bands, for render
 * and play: read, parsed with FILE:LINE diagnostics, its GraphicEQ curve
 * fitted, and the preamp it needs.  One loader, so both commands accept and
 * refuse the same files with the same words. */
#ifndef HPA_CLI_EQFILE_H
#define HPA_CLI_EQFILE_H

#include <stddef.h>
#include <stdio.h>

#include <hpamp/eq.h>

/* A fit beyond this many dB from the curve is worth a warning. */
#define HPA_CLI_GRAPHIC_WARN_DB 0.5

typedef struct hpa_cli_graphic {
    int present;           /* the text has a GraphicEQ line */
    size_t points;         /* its points */
    hpa_eq_fit_result fit; /* valid when present */
    double constant_db;    /* the gain of a constant curve (fit.n_peaking 0, fit.n_bands 2) */
} hpa_cli_graphic;

/* "127 points fitted with 61 peaking filters, within 0.06 dB (max at 14.2 kHz)" */
void hpa_cli_graphic_text(const hpa_cli_graphic *g, char *buf, size_t size);

/* the JSON object of a fit, or null when there was no GraphicEQ line */
void hpa_cli_graphic_json(FILE *f, const hpa_cli_graphic *g);

/* An EQ file loaded for one rate. */
typedef struct hpa_cli_eq {
    hpa_eq_band *bands; /* malloc'd: the Filter lines' bands, then the fitted curve's */
    size_t n_bands;
    double preamp_db; /* to use: the file's Preamp, but never less headroom than peak_db needs */
    int file_has_preamp;
    double file_preamp_db;   /* what the file asked for */
    double peak_db, peak_hz; /* the bands' combined response, 0 Hz .. Nyquist: largest gain and where */
    hpa_cli_graphic graphic; /* the file's GraphicEQ curve, fitted */
} hpa_cli_eq;

/* Largest EQ file read (bytes); a larger one is refused. */
#define HPA_CLI_EQ_FILE_MAX (16u << 20)

/* Read the EQ file at path and load it as hpa_cli_eq_load_text does. */
int hpa_cli_eq_load_file(const char *path, double rate_hz, int quiet, hpa_cli_eq *eq);

/* Parse EQ text at rate_hz (label names it in messages: a file, or a
 * preset); print its diagnostics as "hpamp: LABEL:LINE: ..." (warnings only
 * unless quiet); fit its GraphicEQ curve; check the band count and the
 * preamp (HPA_EQ_PREAMP_MIN_DB at most).  Returns 0 with *eq filled (hpa_cli_eq_free it),
 * or 1 after printing why not (*eq then holds nothing to free). */
int hpa_cli_eq_load_text(const char *label, const char *text, size_t len, double rate_hz, int quiet, hpa_cli_eq *eq);

/* Free the bands; the counts and figures stay for a summary. */
void hpa_cli_eq_free(hpa_cli_eq *eq);

#endif
