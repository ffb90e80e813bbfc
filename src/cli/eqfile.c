/* eqfile.c — an EQ file as bands for render and play (eqfile.h): the
 * diagnostics, the GraphicEQ curve (hpa_eq_fit_graphic) and the preamp, so
 * that both commands say the same about the same file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hpamp/host/eqfile.h>

#include "eqfile.h"
#include "term.h"

void hpc_graphic_text(const hpa_eq_graphic_info *g, char *buf, size_t size)
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

void hpc_graphic_json(FILE *f, const hpa_eq_graphic_info *g)
{
    if (!g->present) {
        fputs("null", f);
        return;
    }
    const hpa_eq_fit_result *r = &g->fit;
    fprintf(f, "{\"points\": %zu, \"points_ignored\": %zu, \"bands\": %zu, \"peaking\": %zu, \"max_deviation_db\": ",
            g->points, r->points_ignored, r->n_bands, r->n_peaking);
    hpc_json_number(f, r->max_dev_db, 3);
    fputs(", \"max_deviation_hz\": ", f);
    hpc_json_number(f, r->max_dev_hz, 1);
    fputs(", \"rms_deviation_db\": ", f);
    hpc_json_number(f, r->rms_dev_db, 3);
    fputs(", \"judged_lo_hz\": ", f);
    hpc_json_number(f, r->lo_hz, 1);
    fputs(", \"judged_hi_hz\": ", f);
    hpc_json_number(f, r->hi_hz, 1);
    fputs("}", f);
}

int hpc_eq_load_file(const char *path, double rate_hz, int quiet, hpa_eq_profile *eq)
{
    memset(eq, 0, sizeof *eq);
    char why[4400];
    char *text;
    size_t len;
    if (hph_eq_read_file(path, &text, &len, why, sizeof why)) {
        hpc_error("%s", why);
        return 1;
    }
    int rc = hpc_eq_load_text(path, text, len, rate_hz, quiet, eq);
    free(text);
    return rc;
}

int hpc_eq_load_text(const char *label, const char *text, size_t len, double rate_hz, int quiet, hpa_eq_profile *eq)
{
    int err = hpa_eq_profile_load(eq, text, len, rate_hz);
    for (size_t i = 0; i < eq->n_diags; i++) {
        const hpa_eq_diag *d = &eq->diags[i];
        const char *kind = d->severity == HPA_EQ_ERROR ? "" : "warning: ";
        if (d->severity != HPA_EQ_ERROR && quiet)
            continue;
        if (d->severity == HPA_EQ_ERROR && d->line) /* errors as every error, for --json */
            hpc_error("%s:%zu: %s", label, d->line, d->message);
        else if (d->severity == HPA_EQ_ERROR)
            hpc_error("%s: %s", label, d->message);
        else if (d->line)
            fprintf(stderr, "hpamp: %s:%zu: %s%s\n", label, d->line, kind, d->message);
        else
            fprintf(stderr, "hpamp: %s: %s%s\n", label, kind, d->message);
    }
    if (eq->total_diags > HPA_EQ_PROFILE_DIAGS && !quiet)
        fprintf(stderr, "hpamp: %s: %zu more diagnostics not shown\n", label, eq->total_diags - HPA_EQ_PROFILE_DIAGS);
    if (err == HPA_ERR_NO_MEMORY) {
        hpc_error("out of memory");
    } else if (err && eq->reason[0]) {
        hpc_error("%s: %s", label, eq->reason);
    } else if (!err && !quiet) {
        const hpa_eq_fit_result *r = &eq->graphic.fit;
        if (eq->graphic.present && r->points_ignored)
            hpc_warn("%s: %zu GraphicEQ point%s at or above %.0f Hz (half the %.0f Hz rate) ignored", label,
                     r->points_ignored, r->points_ignored == 1 ? "" : "s", rate_hz / 2.0, rate_hz);
        if (eq->graphic.present && r->max_dev_db > HPC_GRAPHIC_WARN_DB)
            hpc_warn("%s: the GraphicEQ fit misses the curve by up to %.2f dB (at %.0f Hz)", label, r->max_dev_db,
                     r->max_dev_hz);
    }
    if (err) {
        memset(eq, 0, sizeof *eq);
        return 1;
    }
    return 0;
}
