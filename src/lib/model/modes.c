/* modes.c — a device with several modes (its outputs, market versions,
 * load ranges): which one applies to this headphone.  docs/advise.md
 * ("A device's modes"). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <hpamp/advise.h>

int hpa_db_same_device(const hpa_db_source *a, const hpa_db_source *b)
{
    if (!a || !b)
        return 0;
    if (*a->mode_of || *b->mode_of)
        return !strcmp(a->mode_of, b->mode_of);
    return !strcmp(a->brand, b->brand) && !strcmp(a->model, b->model);
}

/* does the mode's load range hold impedance z? (a bound not stated holds) */
static int in_range(const hpa_db_source *s, double z)
{
    if (isfinite(s->load_min_ohm) && s->load_min_ohm > 0.0 && z < s->load_min_ohm)
        return 0;
    if (isfinite(s->load_max_ohm) && s->load_max_ohm > 0.0 && z >= s->load_max_ohm)
        return 0;
    return 1;
}

/* the verdicts from best to worst */
static int rank(hpa_verdict v)
{
    switch (v) {
    case HPA_VERDICT_NOT_NEEDED: return 0;
    case HPA_VERDICT_RECOMMENDED: return 1;
    case HPA_VERDICT_REQUIRED: return 2;
    case HPA_VERDICT_UNKNOWN: break;
    }
    return 3;
}

/* 1 if answer x is better than y for headphone h */
static int better(const hpa_advice *x, const hpa_advice *y, int iem)
{
    if (rank(x->verdict) != rank(y->verdict))
        return rank(x->verdict) < rank(y->verdict);
    if (iem && isfinite(x->hiss_spl_db) != isfinite(y->hiss_spl_db))
        return isfinite(x->hiss_spl_db);
    if (iem && isfinite(x->hiss_spl_db) && x->hiss_spl_db != y->hiss_spl_db)
        return x->hiss_spl_db < y->hiss_spl_db;
    if (isfinite(x->headroom_db) != isfinite(y->headroom_db))
        return isfinite(x->headroom_db);
    return isfinite(x->headroom_db) && x->headroom_db > y->headroom_db;
}

int hpa_advise_pick_mode(const hpa_db *db, const hpa_db_headphone *h, const size_t *src_index, size_t n,
                         double level_db, double crest_db, size_t *chosen, hpa_mode_how *how)
{
    if (!db || !h || !src_index || !chosen || n == 0)
        return HPA_ERR_INVALID_ARG;
    size_t count = hpa_db_count(db, HPA_DB_SOURCES);
    for (size_t i = 0; i < n; i++)
        if (src_index[i] >= count)
            return HPA_ERR_INVALID_ARG;
    /* the modes whose load range holds the impedance (all when none does) */
    double z = h->impedance_ohm;
    size_t fit = 0, first_fit = 0;
    for (size_t i = 0; i < n; i++)
        if (!(isfinite(z) && z > 0.0) || in_range(hpa_db_source_at(db, src_index[i]), z)) {
            if (!fit++)
                first_fit = i;
        }
    int use_all = fit == 0;
    hpa_mode_how why = n == 1 ? HPA_MODE_ONLY : fit == 1 ? HPA_MODE_LOAD : HPA_MODE_BEST;
    if (fit == 1) {
        *chosen = first_fit;
        if (how)
            *how = why;
        return HPA_OK;
    }
    const int iem = h->type == HPA_DB_TYPE_IEM;
    size_t best = SIZE_MAX;
    hpa_advice best_a;
    memset(&best_a, 0, sizeof best_a);
    for (size_t i = 0; i < n; i++) {
        const hpa_db_source *s = hpa_db_source_at(db, src_index[i]);
        if (!use_all && isfinite(z) && z > 0.0 && !in_range(s, z))
            continue;
        hpa_advice a;
        int e = hpa_advise(h, s, level_db, crest_db, &a);
        if (e != HPA_OK)
            return e;
        if (best == SIZE_MAX || better(&a, &best_a, iem)) {
            best = i;
            best_a = a;
        }
    }
    *chosen = best;
    if (how)
        *how = why;
    return HPA_OK;
}
