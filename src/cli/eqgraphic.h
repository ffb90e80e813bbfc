/* eqgraphic.h — an EQ text's GraphicEQ curve as bands, for render and play. */
#ifndef HPA_CLI_EQGRAPHIC_H
#define HPA_CLI_EQGRAPHIC_H

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

/* For a text hpa_eq_parse accepted: fit its GraphicEQ curve (if any) at
 * rate_hz and append the bands to *bands (malloc'd, *n_bands of them; grown
 * with realloc) -- after the Filter lines' bands, as Equalizer APO applies
 * the lines in sequence.  label names the text in messages; unless quiet,
 * one warning line each for points at or above Nyquist and for a fit that
 * misses the curve by more than HPA_CLI_GRAPHIC_WARN_DB.  Returns 0, or 1
 * after printing why not (*bands is then still the caller's to free). */
int hpa_cli_eq_graphic(const char *label, const char *text, size_t len, double rate_hz, int quiet,
                       hpa_eq_band **bands, size_t *n_bands, hpa_cli_graphic *g);

/* "127 points fitted with 61 peaking filters, within 0.06 dB (max at 14.2 kHz)" */
void hpa_cli_graphic_text(const hpa_cli_graphic *g, char *buf, size_t size);

/* the JSON object of a fit, or null when there was no GraphicEQ line */
void hpa_cli_graphic_json(FILE *f, const hpa_cli_graphic *g);

#endif
