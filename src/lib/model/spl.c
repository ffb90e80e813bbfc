/* spl.c — volts, current, power and dB SPL at the ear; the loudest clean
 * level and the limit that comes first.
 *
 *   SPL = S_V + 20·log10(V)                      V = 10^((SPL − S_V)/20)
 *   Vload = Voc · |Z/(Z + Zout)|                 (the output-impedance divider)
 *   Vload_max = min(Vlim·|Z/(Z + Zout)|, Imax·|Z|)
 *
 * Sources: docs/model.md. */
#include <float.h>

#include "model_int.h"

int hpa_spl_from_v(double s_db_per_v, double v_rms, double *spl_db)
{
    if (!spl_db || !isfinite(s_db_per_v) || !hpa_model_pos(v_rms))
        return HPA_ERR_INVALID_ARG;
    *spl_db = s_db_per_v + 20.0 * log10(v_rms);
    return HPA_OK;
}

int hpa_v_for_spl(double s_db_per_v, double spl_db, double *v_rms)
{
    if (!v_rms || !isfinite(s_db_per_v) || !isfinite(spl_db))
        return HPA_ERR_INVALID_ARG;
    double v = pow(10.0, (spl_db - s_db_per_v) / 20.0);
    if (!hpa_model_pos(v))
        return HPA_ERR_INVALID_ARG;
    *v_rms = v;
    return HPA_OK;
}

int hpa_divider(double voc_v, double z_ohm, double zout_ohm, double *vload_v)
{
    if (!vload_v || !hpa_model_nonneg(voc_v) || !hpa_model_pos(z_ohm) || !hpa_model_nonneg(zout_ohm))
        return HPA_ERR_INVALID_ARG;
    *vload_v = voc_v * z_ohm / (z_ohm + zout_ohm);
    return HPA_OK;
}

int hpa_requirement_for_spl(const hpa_headphone *hp, double spl_db, hpa_requirement *out)
{
    if (!out || !isfinite(spl_db) || hpa_headphone_check(hp) != HPA_OK)
        return HPA_ERR_INVALID_ARG;
    double s = hpa_model_sens_v(hp);
    double v = pow(10.0, (spl_db - s) / 20.0);
    double z = cabs(hpa_model_headphone_z(hp, hpa_model_ref_hz(hp)));
    hpa_zrange zr;
    if (hpa_headphone_zrange(hp, 20.0, 20000.0, &zr) != HPA_OK)
        return HPA_ERR_INVALID_ARG;
    hpa_requirement r;
    r.vload_v = v;
    r.z_ohm = z;
    r.iload_ma = v / z * 1000.0;
    r.pload_mw = v * v / z * 1000.0;
    r.zmin_ohm = zr.min_ohm;
    r.ipeak_ma = sqrt(2.0) * v / zr.min_ohm * 1000.0;
    if (!hpa_model_pos(r.vload_v) || !isfinite(r.pload_mw) || !isfinite(r.ipeak_ma) || !(r.z_ohm > 0.0))
        return HPA_ERR_INVALID_ARG;
    *out = r;
    return HPA_OK;
}

/* The common part of the operating point: the load at f and the limits. */
typedef struct load_at {
    double f, z, div; /* frequency, |Z|, |Z/(Z+Zout)| */
    double vlim_oc;   /* clean open-circuit volts on this gain (full scale or clipping) */
    double g;         /* gain setting, dB */
    double vload_max; /* the most this load can get */
    hpa_limit limit;  /* which limit gives vload_max */
} load_at;

static int prepare(const hpa_headphone *hp, const hpa_source *src, unsigned gain_index, double freq_hz, load_at *L)
{
    if (hpa_headphone_check(hp) != HPA_OK || hpa_source_check(src) != HPA_OK)
        return HPA_ERR_INVALID_ARG;
    if (!hpa_model_nonneg(freq_hz))
        return HPA_ERR_INVALID_ARG;
    unsigned n = src->n_gains ? src->n_gains : 1;
    if (gain_index >= n)
        return HPA_ERR_INVALID_ARG;

    L->f = freq_hz > 0.0 ? freq_hz : hpa_model_ref_hz(hp);
    double complex z = hpa_model_headphone_z(hp, L->f);
    L->z = cabs(z);
    L->div = cabs(z / (z + src->zout_ohm));
    L->g = src->n_gains ? src->gain_db[gain_index] : 0.0;
    L->vlim_oc = hpa_model_voc_max(src) * pow(10.0, fmin(L->g, 0.0) / 20.0);

    double v_by_voltage = L->vlim_oc * L->div;
    double v_by_current = src->imax_ma > 0.0 ? src->imax_ma / 1000.0 * L->z : INFINITY;
    if (v_by_current < v_by_voltage) {
        L->vload_max = v_by_current;
        L->limit = HPA_LIMIT_CURRENT;
    } else {
        L->vload_max = v_by_voltage;
        L->limit = HPA_LIMIT_VOLTAGE;
    }
    if (!hpa_model_pos(L->z) || !hpa_model_pos(L->div) || !hpa_model_pos(L->vload_max))
        return HPA_ERR_INVALID_ARG;
    return HPA_OK;
}

static int finish(const hpa_headphone *hp, const load_at *L, double voc, double vload, double headroom, int clipped,
                  hpa_operating_point *out)
{
    hpa_operating_point op;
    op.freq_hz = L->f;
    op.z_ohm = L->z;
    op.voc_v = voc;
    op.vload_v = vload;
    op.iload_ma = vload / L->z * 1000.0;
    op.pload_mw = vload * vload / L->z * 1000.0;
    op.spl_db = hpa_model_sens_v(hp) + 20.0 * log10(vload);
    op.vload_max_v = L->vload_max;
    op.headroom_db = headroom;
    op.limit = L->limit;
    op.clipped = clipped;
    if (!hpa_model_pos(op.vload_v) || !isfinite(op.voc_v) || !isfinite(op.pload_mw) || !isfinite(op.spl_db) ||
        !isfinite(op.headroom_db))
        return HPA_ERR_INVALID_ARG;
    *out = op;
    return HPA_OK;
}

int hpa_operating_point_at(const hpa_headphone *hp, const hpa_source *src, unsigned gain_index, double level_dbfs,
                           double volume_db, double freq_hz, hpa_operating_point *out)
{
    load_at L;
    if (!out || !isfinite(level_dbfs) || !isfinite(volume_db) || prepare(hp, src, gain_index, freq_hz, &L) != HPA_OK)
        return HPA_ERR_INVALID_ARG;

    double voc = hpa_model_voc_max(src) * pow(10.0, (L.g + level_dbfs + volume_db) / 20.0);
    double want = voc * L.div;
    int clipped = want > L.vload_max;
    double vload = clipped ? L.vload_max : want;
    double headroom = 20.0 * log10(L.vload_max / want);
    return finish(hp, &L, voc, vload, headroom, clipped, out);
}

int hpa_max_output(const hpa_headphone *hp, const hpa_source *src, unsigned gain_index, double freq_hz,
                   hpa_operating_point *out)
{
    load_at L;
    if (!out || prepare(hp, src, gain_index, freq_hz, &L) != HPA_OK)
        return HPA_ERR_INVALID_ARG;
    return finish(hp, &L, L.vload_max / L.div, L.vload_max, 0.0, 0, out);
}
