/* eq_profile.c — EQ text as an owned profile in one call (eq.h): bands,
 * the GraphicEQ curve fitted, the bands' peak and the preamp they need, and
 * the diagnostics.  One parse for any real file: the arrays are sized from
 * a scan of the text (lines bound the bands, lines and ';' the points); only
 * a text past those bounds is parsed again with the exact counts. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpamp/eq.h>

#define BANDS_BOUND 65536u
#define POINTS_BOUND (1u << 20)

static int fail(hpa_eq_profile *p, int err, const char *fmt, const char *a, double x, double y)
{
    p->error = err;
    if (err == HPA_ERR_NO_MEMORY)
        p->reason[0] = 0;
    else
        snprintf(p->reason, sizeof p->reason, fmt, a, x, y);
    return err;
}

/* parse with room for nb bands and np points; the diagnostics kept in p */
static int parse(hpa_eq_profile *p, const char *text, size_t len, double rate_hz, hpa_eq_doc *doc, size_t nb, size_t np,
                 hpa_eq_point **pts)
{
    free(p->bands);
    free(*pts);
    p->bands = calloc(nb ? nb : 1, sizeof *p->bands);
    *pts = malloc((np ? np : 1) * sizeof **pts);
    if (!p->bands || !*pts)
        return HPA_ERR_NO_MEMORY;
    memset(doc, 0, sizeof *doc);
    doc->bands = p->bands;
    doc->bands_capacity = nb;
    doc->points = *pts;
    doc->points_capacity = np;
    hpa_eq_diags diags = {p->diags, HPA_EQ_PROFILE_DIAGS, 0, 0, 0};
    int err = hpa_eq_parse(text, len, rate_hz, doc, &diags);
    p->total_diags = diags.count;
    p->n_diags = diags.count < HPA_EQ_PROFILE_DIAGS ? diags.count : HPA_EQ_PROFILE_DIAGS;
    p->errors = diags.errors;
    p->warnings = diags.warnings;
    return err;
}

/* The preamp of each channel: the file's Preamp lines (those for every
 * channel plus a Channel: section's own), lowered alike on every channel
 * until no channel's bands can lift a full-scale signal over 0 dBFS (so the
 * channels keep the balance the file gave them); without any Preamp line,
 * the headroom the loudest channel needs. */
static void headroom(hpa_eq_profile *p, const hpa_eq_doc *doc, size_t n, double rate_hz)
{
    int masked = 0;
    for (size_t k = 0; k < n; k++)
        masked |= p->bands[k].channel_mask != 0;
    for (unsigned c = 0; c < HPA_CHANNELS_MAX; c++)
        masked |= doc->channel_preamp_db[c] != 0.0;
    p->per_channel = masked;
    hpa_eq_band *own = masked && n ? malloc(n * sizeof *own) : NULL;
    if (masked && n && !own) {
        fail(p, HPA_ERR_NO_MEMORY, "", "", 0, 0);
        return;
    }
    double shift = HUGE_VAL; /* the most the preamps may stay as the file has them: min(need - file) */
    p->peak_db = -HUGE_VAL;
    for (unsigned c = 0; c < (masked ? HPA_CHANNELS_MAX : 1u); c++) {
        double peak = 0.0, at = 0.0;
        const size_t m = masked ? hpa_eq_bands_for_channel(p->bands, n, c, own) : n;
        if (m)
            hpa_eq_peak_db(masked ? own : p->bands, m, rate_hz, 0.0, rate_hz / 2.0, &peak, &at);
        if (peak > p->peak_db)
            p->peak_db = peak, p->peak_hz = at;
        const double need = peak > 0.0 ? -peak : 0.0, file = doc->preamp_db + doc->channel_preamp_db[c];
        if (need - (doc->has_preamp ? file : 0.0) < shift)
            shift = need - (doc->has_preamp ? file : 0.0);
    }
    free(own);
    if (!n)
        p->peak_db = 0.0, p->peak_hz = 0.0;
    p->file_has_preamp = doc->has_preamp;
    p->file_preamp_db = doc->preamp_db;
    /* with Preamp lines: lowered by what the worst channel lacks; without: the worst need */
    p->preamp_db = doc->has_preamp ? doc->preamp_db + (shift < 0.0 ? shift : 0.0) : shift;
    for (unsigned c = 0; c < HPA_CHANNELS_MAX; c++)
        p->channel_preamp_db[c] = doc->channel_preamp_db[c];
}

int hpa_eq_profile_load(hpa_eq_profile *p, const char *text, size_t len, double rate_hz)
{
    memset(p, 0, sizeof *p);
    size_t lines = 1, semis = 0;
    for (size_t i = 0; i < len; i++) {
        lines += text[i] == '\n';
        semis += text[i] == ';';
    }
    size_t nb = lines < BANDS_BOUND ? lines : BANDS_BOUND;
    size_t np = lines + semis < POINTS_BOUND ? lines + semis : POINTS_BOUND;
    hpa_eq_doc doc;
    memset(&doc, 0, sizeof doc);
    hpa_eq_point *pts = NULL;
    int err = parse(p, text, len, rate_hz, &doc, nb, np, &pts);
    if (err == HPA_ERR_BUFFER_TOO_SMALL) /* past the bounds: the exact counts */
        err = parse(p, text, len, rate_hz, &doc, doc.n_bands, doc.n_points, &pts);
    if (err == HPA_ERR_NO_MEMORY)
        fail(p, err, "", "", 0, 0);
    else if (err && !p->errors)
        fail(p, err, "not a usable EQ file: %s", hpa_strerror(err), 0, 0);
    else if (err)
        p->error = err; /* the diagnostics say why */
    size_t n = doc.n_bands;
    if (!p->error && doc.has_graphic_eq) {
        const size_t cap = hpa_eq_fit_graphic_max_bands(rate_hz);
        hpa_eq_band *grown = realloc(p->bands, (n + cap) * sizeof *grown);
        if (!grown) {
            fail(p, HPA_ERR_NO_MEMORY, "", "", 0, 0);
        } else {
            p->bands = grown;
            hpa_eq_graphic_info *g = &p->graphic;
            int rc = hpa_eq_fit_graphic(pts, doc.n_points, rate_hz, NULL, grown + n, cap, &g->fit);
            if (rc != HPA_OK) {
                fail(p, rc, "cannot realise the GraphicEQ curve: %s", hpa_strerror(rc), 0, 0);
            } else {
                g->present = 1;
                g->points = doc.n_points;
                if (g->fit.n_bands && !g->fit.n_peaking)
                    g->constant_db = grown[n].gain_db;
                for (size_t k = 0; k < g->fit.n_bands; k++) /* the curve's Channel: selection */
                    grown[n + k].channel_mask = doc.graphic_channel_mask;
                n += g->fit.n_bands;
            }
        }
    }
    free(pts);
    if (!p->error && n > HPA_EQ_MAX_BANDS)
        fail(p, HPA_ERR_INVALID_ARG, "%s%.0f bands; at most %.0f", "", (double)n, (double)HPA_EQ_MAX_BANDS);
    if (!p->error)
        headroom(p, &doc, n, rate_hz);
    if (!p->error && p->preamp_db < HPA_EQ_PREAMP_MIN_DB) /* a file's own Preamp is checked by the parser */
        fail(p, HPA_ERR_INVALID_ARG, "%sthe bands would need %.1f dB of preamp; at most %g dB", "", p->preamp_db,
             HPA_EQ_PREAMP_MIN_DB);
    if (p->error) {
        free(p->bands);
        p->bands = NULL;
        return p->error;
    }
    p->n_bands = n;
    return HPA_OK;
}

void hpa_eq_profile_free(hpa_eq_profile *p)
{
    free(p->bands);
    p->bands = NULL; /* the counts and figures stay, for a summary */
}
