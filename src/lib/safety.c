/* safety.c — hearing-protection levels (see safety.h). */
#include <math.h>
#include <stdio.h>

#include <hpamp/advise.h>
#include <hpamp/safety.h>

static double min2(double a, double b)
{
    return a < b ? a : b;
}

static double limit_of(double c)
{
    return c > 0.0 ? 0.0 : c < HPA_LIMIT_MIN_DBTP ? HPA_LIMIT_MIN_DBTP : c;
}

void hpa_safety_unknown(hpa_safety *s, double ceiling_db)
{
    s->ceiling_db = ceiling_db;
    s->limit_dbtp = limit_of(ceiling_db);
    s->spl_known = 0;
    s->spl0_db = 0.0;
    s->start_db = min2(HPA_SAFE_START_UNKNOWN_DB, ceiling_db);
    s->loud_db = s->start_db;
    snprintf(s->basis, sizeof s->basis, "headphones and source unknown: start at %.1f dBFS, ceiling %.1f dBFS",
             s->start_db, s->ceiling_db);
}

void hpa_safety_from_model(hpa_safety *s, double spl0_db, double max_volume_db, double ceiling_spl_db)
{
    s->spl_known = 1;
    s->spl0_db = spl0_db;
    s->ceiling_db = min2(min2(0.0, ceiling_spl_db - spl0_db), max_volume_db);
    s->limit_dbtp = limit_of(s->ceiling_db);
    s->loud_db = min2(HPA_SAFE_LOUD_SPL_DB - spl0_db, s->ceiling_db);
    s->start_db = s->loud_db;
    snprintf(s->basis, sizeof s->basis,
             "0 dBFS is %.1f dB SPL at the ear: %.0f dB SPL at %.1f dBFS, ceiling %.1f dBFS (%.1f dB SPL)", spl0_db,
             HPA_SAFE_LOUD_SPL_DB, s->loud_db, s->ceiling_db, spl0_db + s->ceiling_db);
}

double hpa_safety_allow(const hpa_safety *s, double want_db, int acknowledged)
{
    double cap = acknowledged ? s->ceiling_db : min2(s->loud_db, s->ceiling_db);
    return want_db > cap ? cap : want_db;
}

int hpa_spl_at_full_scale(const hpa_headphone *hp, const hpa_source *src, unsigned gain_index, double *spl_db)
{
    hpa_operating_point op;
    int err = hpa_operating_point_at(hp, src, gain_index, 0.0, 0.0, 0.0, &op);
    if (err)
        return err;
    if (!isfinite(op.spl_db))
        return HPA_ERR_INVALID_ARG;
    *spl_db = op.spl_db;
    return HPA_OK;
}

hpa_safety_gear hpa_safety_from_gear(hpa_safety *s, const hpa_db_headphone *h, const hpa_db_source *src,
                                     double max_volume_db)
{
    hpa_headphone hp;
    hpa_source so;
    double spl0;
    if (h->active) {
        hpa_safety_unknown(s, max_volume_db);
        return HPA_SAFETY_GEAR_ACTIVE;
    }
    if (hpa_advise_headphone(h, &hp, NULL) != HPA_OK || hpa_advise_source(src, &so, NULL, NULL) != HPA_OK ||
        hpa_spl_at_full_scale(&hp, &so, 0, &spl0) != HPA_OK) {
        hpa_safety_unknown(s, max_volume_db);
        return HPA_SAFETY_GEAR_UNKNOWN_SPL;
    }
    hpa_safety_from_model(s, spl0, max_volume_db, HPA_SAFE_CEILING_SPL_DB);
    return s->ceiling_db < HPA_LIMIT_MIN_DBTP ? HPA_SAFETY_GEAR_TOO_LOUD : HPA_SAFETY_GEAR_KNOWN;
}
