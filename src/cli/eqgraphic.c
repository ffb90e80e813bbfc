/* eqgraphic.c — an EQ text's GraphicEQ curve as bands (hpa_eq_fit_graphic),
 * shared by render and play so that both say the same about it. */
#include <stdlib.h>
#include <string.h>

#include "eqgraphic.h"
#include "term.h"

int hpa_cli_eq_graphic(const char *label, const char *text, size_t len, double rate_hz, int quiet,
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
        hpa_cli_warn("%s: the GraphicEQ fit misses the curve by up to %.2f dB (at %.0f Hz)", label,
                     g->fit.max_dev_db, g->fit.max_dev_hz);
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
