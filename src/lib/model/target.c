/* target.c — the music's crest for the target: a high percentile of the
 * per-track crest by playing time, over the files long enough to be music.
 * docs/advise.md ("The target"). */
#include <math.h>
#include <stdint.h>

#include <hpamp/advise.h>

int hpa_advise_music_crest(const double *crest_db, const double *duration_s, size_t n, double percentile, double min_s,
                           unsigned char *counted, hpa_music_crest *out)
{
    if (!crest_db || !duration_s || !counted || !out || n == 0 || !(percentile >= 50.0 && percentile <= 100.0) ||
        !(min_s >= 0.0) || !isfinite(min_s))
        return HPA_ERR_INVALID_ARG;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(crest_db[i]) || !isfinite(duration_s[i]) || duration_s[i] < 0.0)
            return HPA_ERR_INVALID_ARG;
    /* the files long enough to be music; none: every file (all are short) */
    size_t nc = 0;
    for (size_t i = 0; i < n; i++)
        nc += counted[i] = duration_s[i] >= min_s;
    out->all_short = nc == 0;
    if (!nc)
        for (size_t i = 0; i < n; i++)
            counted[i] = 1, nc++;
    double total = 0.0;
    for (size_t i = 0; i < n; i++)
        if (counted[i])
            total += duration_s[i];
    /* the smallest crest c whose tracks at or below it play for at least
     * percentile % of the time (percentile 100: the largest crest) */
    const double want = total * percentile / 100.0;
    size_t at = SIZE_MAX;
    for (size_t j = 0; j < n; j++) {
        if (!counted[j] || (at != SIZE_MAX && crest_db[j] >= crest_db[at]))
            continue;
        double below = 0.0;
        for (size_t i = 0; i < n; i++)
            if (counted[i] && crest_db[i] <= crest_db[j])
                below += duration_s[i];
        if (below >= want * (1.0 - 1e-12))
            at = j;
    }
    if (at == SIZE_MAX) /* rounding: the largest */
        for (size_t j = 0; j < n; j++)
            if (counted[j] && (at == SIZE_MAX || crest_db[j] > crest_db[at]))
                at = j;
    out->crest_db = crest_db[at];
    out->track = at;
    out->n_counted = nc;
    out->seconds = total;
    return HPA_OK;
}
