/* fr.c — what the output impedance does to the frequency response, damping
 * factor and the 1/8 rule.
 *
 *   ΔdB(f) = 20·log10 |(Z(f)/(Z(f)+Zout)) / (Zref/(Zref+Zout))|
 *   DF = Z/Zout;  NwAvGuy: Zout <= Z/8
 *
 * Sources: docs/model.md. */
#include <float.h>

#include "model_int.h"

/* |Z/(Z+Zout)| in dB at f */
static double divider_db(const hpa_headphone *hp, double zout, double f)
{
    double complex z = hpa_model_headphone_z(hp, f);
    return 20.0 * log10(cabs(z / (z + zout)));
}

int hpa_fr_deviation_at(const hpa_headphone *hp, double zout_ohm, double f_hz, double *db)
{
    if (!db || !hpa_model_nonneg(zout_ohm) || !hpa_model_pos(f_hz) || hpa_headphone_check(hp) != HPA_OK)
        return HPA_ERR_INVALID_ARG;
    double d = divider_db(hp, zout_ohm, f_hz) - divider_db(hp, zout_ohm, hpa_model_ref_hz(hp));
    if (!isfinite(d))
        return HPA_ERR_INVALID_ARG;
    *db = d;
    return HPA_OK;
}

typedef struct fr_ctx {
    const hpa_headphone *hp;
    double zout, ref_db;
    hpa_fr_deviation r;
} fr_ctx;

static void fr_visit(void *p, double f)
{
    fr_ctx *c = p;
    double d = divider_db(c->hp, c->zout, f) - c->ref_db;
    if (d > c->r.max_db) {
        c->r.max_db = d;
        c->r.max_hz = f;
    }
    if (d < c->r.min_db) {
        c->r.min_db = d;
        c->r.min_hz = f;
    }
}

int hpa_fr_deviation_band(const hpa_headphone *hp, double zout_ohm, double f_lo_hz, double f_hi_hz,
                          hpa_fr_deviation *out)
{
    if (!out || !hpa_model_nonneg(zout_ohm) || !hpa_model_band_ok(f_lo_hz, f_hi_hz) ||
        hpa_headphone_check(hp) != HPA_OK)
        return HPA_ERR_INVALID_ARG;
    fr_ctx c;
    c.hp = hp;
    c.zout = zout_ohm;
    c.r.ref_hz = hpa_model_ref_hz(hp);
    c.r.zref_ohm = cabs(hpa_model_headphone_z(hp, c.r.ref_hz));
    c.ref_db = divider_db(hp, zout_ohm, c.r.ref_hz);
    c.r.max_db = -DBL_MAX;
    c.r.min_db = DBL_MAX;
    c.r.max_hz = c.r.min_hz = 0.0;
    hpa_model_sweep(hp, f_lo_hz, f_hi_hz, fr_visit, &c);
    if (!isfinite(c.r.max_db) || !isfinite(c.r.min_db) || c.r.max_db == -DBL_MAX)
        return HPA_ERR_INVALID_ARG;
    if (fabs(c.r.max_db) >= fabs(c.r.min_db)) {
        c.r.worst_db = c.r.max_db;
        c.r.worst_hz = c.r.max_hz;
    } else {
        c.r.worst_db = c.r.min_db;
        c.r.worst_hz = c.r.min_hz;
    }
    c.r.spread_db = c.r.max_db - c.r.min_db;
    *out = c.r;
    return HPA_OK;
}

int hpa_damping_factor(double z_ohm, double zout_ohm, double *df)
{
    if (!df || !hpa_model_pos(z_ohm) || !hpa_model_nonneg(zout_ohm))
        return HPA_ERR_INVALID_ARG;
    *df = zout_ohm > 0.0 ? z_ohm / zout_ohm : INFINITY;
    return HPA_OK;
}

int hpa_eighth_rule(double z_ohm, double zout_ohm, int *ok)
{
    if (!ok || !hpa_model_pos(z_ohm) || !hpa_model_nonneg(zout_ohm))
        return HPA_ERR_INVALID_ARG;
    /* Zout <= Z/8, written as 8·Zout <= Z so that Z = 8·Zout passes exactly */
    *ok = 8.0 * zout_ohm <= z_ohm;
    return HPA_OK;
}
