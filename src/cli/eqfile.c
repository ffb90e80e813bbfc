/* eqfile.c — an EQ file as bands for render and play (eqfile.h): the
 * diagnostics, the GraphicEQ curve (hpa_eq_fit_graphic) and the preamp, so
 * that both commands say the same about the same file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eqfile.h"
#include "term.h"

#define EQ_DIAGS 32

/* For a text hpa_eq_parse accepted: fit its GraphicEQ curve (if any) at
 * rate_hz and append the bands to *bands (malloc'd, *n_bands of them; grown
 * with realloc) -- after the Filter lines' bands, as Equalizer APO applies
 * the lines in sequence.  Unless quiet, one warning line each for points at
 * or above Nyquist and for a fit that misses the curve by more than
 * HPA_CLI_GRAPHIC_WARN_DB.  Returns 0, or 1 after printing why not (*bands
 * is then still the caller's to free). */
static int hpa_cli_eq_graphic(const char *label, const char *text, size_t len, double rate_hz, int quiet,
                              hpa_eq_band **bands, size_t *n_bands, hpa_cli_graphic *g)
{
    memset(g, 0, sizeof *g);
    hpa_eq_doc doc;
    memset(&doc, 0, sizeof doc);
    hpa_eq_diags none = {NULL, 0, 0, 0, 0};
    /* a first pass counts the points; the second keeps them */
    int rc = hpa_eq_parse(text, len, rate_hz, &doc, &none);
    if (rc != HPA_OK && rc != HPA_ERR_BUFFER_TOO_SMALL) {
        hpa_cli_error("%s: not a usable EQ file: %s", label, hpa_strerror(rc));
        return 1;
    }
    if (!doc.has_graphic_eq)
        return 0;
    const size_t np = doc.n_points;
    hpa_eq_point *pts = malloc((np ? np : 1) * sizeof *pts);
    const size_t cap = hpa_eq_fit_graphic_max_bands(rate_hz);
    hpa_eq_band *grown = pts ? realloc(*bands, (*n_bands + cap) * sizeof **bands) : NULL;
    if (!grown) {
        free(pts);
        hpa_cli_error("out of memory");
        return 1;
    }
    *bands = grown;
    memset(&doc, 0, sizeof doc);
    doc.points = pts;
    doc.points_capacity = np;
    rc = hpa_eq_parse(text, len, rate_hz, &doc, &none);
    if (rc == HPA_ERR_BUFFER_TOO_SMALL && doc.n_points == np)
        rc = HPA_OK; /* the bands did not fit: they are not wanted here */
    if (rc == HPA_OK)
        rc = hpa_eq_fit_graphic(pts, np, rate_hz, NULL, grown + *n_bands, cap, &g->fit);
    free(pts);
    if (rc != HPA_OK) {
        hpa_cli_error("%s: cannot realise the GraphicEQ curve: %s", label, hpa_strerror(rc));
        return 1;
    }
    g->present = 1;
    g->points = np;
    if (g->fit.n_bands && !g->fit.n_peaking)
        g->constant_db = grown[*n_bands].gain_db;
    *n_bands += g->fit.n_bands;
    if (!quiet && g->fit.points_ignored)
        hpa_cli_warn("%s: %zu GraphicEQ point%s at or above %.0f Hz (half the %.0f Hz rate) ignored", label,
                     g->fit.points_ignored, g->fit.points_ignored == 1 ? "" : "s", rate_hz / 2.0, rate_hz);
    if (!quiet && g->fit.max_dev_db > HPA_CLI_GRAPHIC_WARN_DB)
        hpa_cli_warn("%s: the GraphicEQ fit misses the curve by up to %.2f dB (at %.0f Hz)", label, g->fit.max_dev_db,
                     g->fit.max_dev_hz);
    return 0;
}

void hpa_cli_graphic_text(const hpa_cli_graphic *g, char *buf, size_t size)
{
    const hpa_eq_fit_result *r = &g->fit;
    const double at = r->max_dev_hz;
    char where[32];
    if (at >= 1000.0)
        snprintf(where, sizeof where, "%.1f kHz", at / 1000.0);
    else
        snprintf(where, sizeof where, "%.0f Hz", at);
    if (r->n_bands == 0)
        snprintf(buf, size, "%zu point%s, a flat curve: no filters", g->points, g->points == 1 ? "" : "s");
    else if (r->n_peaking == 0)
        snprintf(buf, size, "%zu point%s, a constant %+.2f dB: a pair of shelves, exact", g->points,
                 g->points == 1 ? "" : "s", g->constant_db);
    else
        snprintf(buf, size, "%zu points fitted with %zu peaking filters and 2 shelves, within %.2f dB (max at %s)",
                 g->points, r->n_peaking, r->max_dev_db, where);
}

void hpa_cli_graphic_json(FILE *f, const hpa_cli_graphic *g)
{
    if (!g->present) {
        fputs("null", f);
        return;
    }
    const hpa_eq_fit_result *r = &g->fit;
    fprintf(f, "{\"points\": %zu, \"points_ignored\": %zu, \"bands\": %zu, \"peaking\": %zu, \"max_deviation_db\": ",
            g->points, r->points_ignored, r->n_bands, r->n_peaking);
    hpa_json_number(f, r->max_dev_db, 3);
    fputs(", \"max_deviation_hz\": ", f);
    hpa_json_number(f, r->max_dev_hz, 1);
    fputs(", \"rms_deviation_db\": ", f);
    hpa_json_number(f, r->rms_dev_db, 3);
    fputs(", \"judged_lo_hz\": ", f);
    hpa_json_number(f, r->lo_hz, 1);
    fputs(", \"judged_hi_hz\": ", f);
    hpa_json_number(f, r->hi_hz, 1);
    fputs("}", f);
}

int hpa_cli_eq_load_file(const char *path, double rate_hz, int quiet, hpa_cli_eq *eq)
{
    memset(eq, 0, sizeof *eq);
    FILE *f = fopen(path, "rb");
    if (!f) {
        hpa_cli_error("%s: cannot open the EQ file: %s", path, strerror(errno));
        return 1;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        hpa_cli_error("%s: a directory, not an EQ file", path);
        fclose(f);
        return 1;
    }
    size_t cap = 0, len = 0;
    char *text = NULL;
    int rc = 0;
    for (;;) {
        if (len == cap) {
            if (cap >= HPA_CLI_EQ_FILE_MAX) {
                hpa_cli_error("%s: an EQ file of more than %u MB is not an EQ file", path, HPA_CLI_EQ_FILE_MAX >> 20);
                rc = 1;
                break;
            }
            cap = cap ? 2 * cap : 65536;
            char *t = realloc(text, cap);
            if (!t) {
                hpa_cli_error("out of memory");
                rc = 1;
                break;
            }
            text = t;
        }
        size_t n = fread(text + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (!rc && ferror(f)) {
        hpa_cli_error("%s: read error", path);
        rc = 1;
    }
    fclose(f);
    if (!rc)
        rc = hpa_cli_eq_load_text(path, text, len, rate_hz, quiet, eq);
    free(text);
    return rc;
}

int hpa_cli_eq_load_text(const char *label, const char *text, size_t len, double rate_hz, int quiet, hpa_cli_eq *eq)
{
    memset(eq, 0, sizeof *eq);
    hpa_eq_diag items[EQ_DIAGS];
    hpa_eq_diags diags = {items, EQ_DIAGS, 0, 0, 0};
    hpa_eq_doc doc;
    memset(&doc, 0, sizeof doc);
    int err = hpa_eq_parse(text, len, rate_hz, &doc, &diags);
    hpa_eq_band *bands = NULL;
    if (err == HPA_ERR_BUFFER_TOO_SMALL || (err == HPA_OK && doc.n_bands)) {
        /* a first pass counted the bands; the second keeps them */
        size_t nb = doc.n_bands;
        bands = calloc(nb ? nb : 1, sizeof *bands);
        memset(&doc, 0, sizeof doc);
        doc.bands = bands;
        doc.bands_capacity = nb;
        diags.count = diags.errors = diags.warnings = 0;
        err = bands ? hpa_eq_parse(text, len, rate_hz, &doc, &diags) : HPA_ERR_NO_MEMORY;
        if (err == HPA_ERR_BUFFER_TOO_SMALL && doc.n_bands <= nb)
            err = HPA_OK; /* the GraphicEQ points: hpa_cli_eq_graphic reads them */
    }
    for (size_t i = 0; i < diags.count && i < EQ_DIAGS; i++) {
        const hpa_eq_diag *d = &items[i];
        const char *kind = d->severity == HPA_EQ_ERROR ? "" : "warning: ";
        if (d->severity != HPA_EQ_ERROR && quiet)
            continue;
        if (d->severity == HPA_EQ_ERROR && d->line) /* errors as every error, for --json */
            hpa_cli_error("%s:%zu: %s", label, d->line, d->message);
        else if (d->severity == HPA_EQ_ERROR)
            hpa_cli_error("%s: %s", label, d->message);
        else if (d->line)
            fprintf(stderr, "hpamp: %s:%zu: %s%s\n", label, d->line, kind, d->message);
        else
            fprintf(stderr, "hpamp: %s: %s%s\n", label, kind, d->message);
    }
    if (diags.count > EQ_DIAGS && !quiet)
        fprintf(stderr, "hpamp: %s: %zu more diagnostics not shown\n", label, diags.count - EQ_DIAGS);
    if (err == HPA_ERR_NO_MEMORY)
        hpa_cli_error("out of memory");
    else if (err && !diags.errors)
        hpa_cli_error("%s: not a usable EQ file: %s", label, hpa_strerror(err));
    size_t n = doc.n_bands;
    if (!err && hpa_cli_eq_graphic(label, text, len, rate_hz, quiet, &bands, &n, &eq->graphic))
        err = HPA_ERR_INVALID_ARG;
    if (!err && n > HPA_EQ_MAX_BANDS) {
        hpa_cli_error("%s: %zu bands; at most %u", label, n, HPA_EQ_MAX_BANDS);
        err = HPA_ERR_INVALID_ARG;
    }
    if (!err && n)
        hpa_eq_peak_db(bands, n, rate_hz, 0.0, rate_hz / 2.0, &eq->peak_db, &eq->peak_hz);
    const double need = eq->peak_db > 0.0 ? -eq->peak_db : 0.0;
    eq->file_has_preamp = doc.has_preamp;
    eq->file_preamp_db = doc.preamp_db;
    eq->preamp_db = doc.has_preamp && doc.preamp_db < need ? doc.preamp_db : need;
    if (!err && eq->preamp_db < HPA_EQ_PREAMP_MIN_DB) { /* a file's own Preamp is checked by the parser */
        hpa_cli_error("%s: the bands would need %.1f dB of preamp; at most %g dB", label, eq->preamp_db,
                      HPA_EQ_PREAMP_MIN_DB);
        err = HPA_ERR_INVALID_ARG;
    }
    if (err) {
        free(bands);
        memset(eq, 0, sizeof *eq);
        return 1;
    }
    eq->bands = bands;
    eq->n_bands = n;
    return 0;
}

void hpa_cli_eq_free(hpa_cli_eq *eq)
{
    free(eq->bands);
    eq->bands = NULL; /* the counts and figures stay, for the summary */
}
