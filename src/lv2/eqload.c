/* eqload.c — an EQ file into a running chain (eqload.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hpamp/eq.h>

#include "eqload.h"

/* the whole file, NUL-free length in *len; NULL with why filled on failure */
static char *read_file(const char *path, size_t *len, char *why, size_t why_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, why_len, "%s: cannot open the EQ file: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, why_len, "%s: not a regular file", path);
        fclose(f);
        return NULL;
    }
    if ((unsigned long long)st.st_size > HPA_LV2_EQ_FILE_MAX) {
        snprintf(why, why_len, "%s: an EQ file of more than %u MB is not an EQ file", path, HPA_LV2_EQ_FILE_MAX >> 20);
        fclose(f);
        return NULL;
    }
    char *text = malloc((size_t)st.st_size + 1);
    if (!text) {
        snprintf(why, why_len, "%s: out of memory", path);
        fclose(f);
        return NULL;
    }
    *len = fread(text, 1, (size_t)st.st_size, f);
    const int bad = ferror(f);
    fclose(f);
    if (bad) {
        snprintf(why, why_len, "%s: read error", path);
        free(text);
        return NULL;
    }
    return text;
}

int hpa_lv2_eq_load(hpa_chain *chain, const char *path, double rate_hz, char *why, size_t why_len)
{
    size_t len = 0;
    char *text = read_file(path, &len, why, why_len);
    if (!text)
        return -1;
    const int rc = hpa_lv2_eq_load_text(chain, path, text, len, rate_hz, why, why_len);
    free(text);
    return rc;
}

int hpa_lv2_eq_load_text(hpa_chain *chain, const char *path, const char *text, size_t len, double rate_hz, char *why,
                         size_t why_len)
{
    /* a first pass counts the bands and points and finds the first error */
    hpa_eq_diag diag[16];
    hpa_eq_diags diags = {diag, sizeof diag / sizeof diag[0], 0, 0, 0};
    hpa_eq_doc doc;
    memset(&doc, 0, sizeof doc);
    int rc = hpa_eq_parse(text, len, rate_hz, &doc, &diags);
    if (rc != HPA_OK && rc != HPA_ERR_BUFFER_TOO_SMALL) {
        for (size_t i = 0; i < diags.count && i < diags.capacity; i++)
            if (diag[i].severity == HPA_EQ_ERROR) {
                if (diag[i].line)
                    snprintf(why, why_len, "%s:%zu: %s", path, diag[i].line, diag[i].message);
                else
                    snprintf(why, why_len, "%s: %s", path, diag[i].message);
                return -1;
            }
        snprintf(why, why_len, "%s: not a usable EQ file: %s", path, hpa_strerror(rc));
        return -1;
    }
    const size_t nb = doc.n_bands, np = doc.n_points;
    const size_t fit_cap = doc.has_graphic_eq ? hpa_eq_fit_graphic_max_bands(rate_hz) : 0;
    hpa_eq_band *bands = malloc((nb + fit_cap + 1) * sizeof *bands);
    hpa_eq_point *pts = malloc((np + 1) * sizeof *pts);
    int failed = 1;
    if (!bands || !pts) {
        snprintf(why, why_len, "%s: out of memory", path);
        goto done;
    }
    memset(&doc, 0, sizeof doc);
    doc.bands = bands;
    doc.bands_capacity = nb;
    doc.points = pts;
    doc.points_capacity = np;
    diags = (hpa_eq_diags){NULL, 0, 0, 0, 0};
    rc = hpa_eq_parse(text, len, rate_hz, &doc, &diags);
    size_t n = nb;
    if (rc == HPA_OK && doc.has_graphic_eq) {
        hpa_eq_fit_result fit;
        rc = hpa_eq_fit_graphic(pts, np, rate_hz, NULL, bands + nb, fit_cap, &fit);
        if (rc != HPA_OK) {
            snprintf(why, why_len, "%s: cannot realise the GraphicEQ curve: %s", path, hpa_strerror(rc));
            goto done;
        }
        for (size_t k = 0; k < fit.n_bands; k++) /* the curve's Channel: section */
            bands[nb + k].channel_mask = doc.graphic_channel_mask;
        n += fit.n_bands;
    }
    if (rc != HPA_OK) {
        snprintf(why, why_len, "%s: not a usable EQ file: %s", path, hpa_strerror(rc));
        goto done;
    }
    double preamp = HPA_EQ_PREAMP_AUTO;
    if (doc.has_preamp) {
        double peak = 0.0;
        if (n && hpa_eq_peak_db(bands, n, rate_hz, 0.0, rate_hz / 2.0, &peak, NULL) != HPA_OK)
            peak = 0.0;
        preamp = fmin(doc.preamp_db, -fmax(peak, 0.0));
        if (preamp < HPA_EQ_PREAMP_MIN_DB) {
            snprintf(why, why_len, "%s: a preamp of %.1f dB is below the lowest, %.0f dB", path, preamp,
                     HPA_EQ_PREAMP_MIN_DB);
            goto done;
        }
    }
    hpa_eq_fault fault = {0, NULL};
    rc = hpa_chain_set_eq_channels(chain, bands, n, preamp, doc.channel_preamp_db, NULL, &fault); /* Channel: */
    if (rc == HPA_ERR_INVALID_ARG && fault.reason)
        snprintf(why, why_len, "%s: band %zu: %s", path, fault.band + 1, fault.reason);
    else if (rc != HPA_OK)
        snprintf(why, why_len, "%s: %s", path, hpa_strerror(rc));
    else
        failed = 0;
done:
    free(bands);
    free(pts);
    return failed ? -1 : 0;
}
