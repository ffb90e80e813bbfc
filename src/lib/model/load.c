/* load.c — the headphone as a load: impedance curve Z(f) and sensitivity.
 *
 * Z(f) is flat, interpolated from measured points, or the electrical model
 *   Z = Re + jωLe + K(jω)^n + 1/(1/Res + 1/(jωLces) + jωCmes),
 * with the parallel RLC written through f0 and Qms:
 *   1/(1/Res + 1/(jωLces) + jωCmes) = Res / (1 + jQms·(f/f0 − f0/f)),
 * since ω0 = 1/√(Lces·Cmes) and Qms = ω0·Cmes·Res = Res/(ω0·Lces).
 * Formulas and sources: docs/model.md. */
#include <float.h>

#include "model_int.h"

/* ------------------------------------------------------------------------ */
/* model                                                                    */

int hpa_model_zmodel_valid(const hpa_zmodel *m)
{
    if (!hpa_model_pos(m->re_ohm) || !hpa_model_nonneg(m->le_h) || !hpa_model_nonneg(m->lossy_k) ||
        !hpa_model_nonneg(m->res_ohm))
        return 0;
    if (m->lossy_k > 0.0 && !(isfinite(m->lossy_n) && m->lossy_n > 0.0 && m->lossy_n <= 1.0))
        return 0;
    if (m->res_ohm > 0.0 && (!hpa_model_pos(m->f0_hz) || !hpa_model_pos(m->qms)))
        return 0;
    return 1;
}

double complex hpa_model_zmodel_z(const hpa_zmodel *m, double f_hz)
{
    double w = 2.0 * HPA_MODEL_PI * f_hz;
    double complex z = m->re_ohm + I * (w * m->le_h);

    if (m->lossy_k > 0.0) {
        /* K(jω)^n = K·ω^n·(cos(nπ/2) + j·sin(nπ/2)) */
        double a = m->lossy_k * pow(w, m->lossy_n);
        double ph = m->lossy_n * HPA_MODEL_PI / 2.0;
        z += a * cos(ph) + I * (a * sin(ph));
    }
    if (m->res_ohm > 0.0) {
        double y = f_hz / m->f0_hz - m->f0_hz / f_hz;
        z += m->res_ohm / (1.0 + I * (m->qms * y));
    }
    return z;
}

int hpa_zmodel_eval(const hpa_zmodel *m, double f_hz, hpa_impedance *z)
{
    if (!m || !z || !hpa_model_pos(f_hz) || !hpa_model_zmodel_valid(m))
        return HPA_ERR_INVALID_ARG;
    double complex v = hpa_model_zmodel_z(m, f_hz);
    if (!isfinite(creal(v)) || !isfinite(cimag(v)))
        return HPA_ERR_INVALID_ARG;
    z->re_ohm = creal(v);
    z->im_ohm = cimag(v);
    return HPA_OK;
}

int hpa_zmodel_from_spec(double re_ohm, double peak_ohm, double f0_hz, double qms, double le_h, hpa_zmodel *m)
{
    if (!m || !hpa_model_pos(re_ohm) || !hpa_model_pos(peak_ohm) || !hpa_model_pos(f0_hz) || !hpa_model_nonneg(qms) ||
        !hpa_model_nonneg(le_h))
        return HPA_ERR_INVALID_ARG;
    if (qms == 0.0)
        qms = HPA_ZMODEL_DEFAULT_QMS;
    /* At f0 the RLC is purely resistive (Res), so |Z(f0)|² = (Re + Res)² + (ω0·Le)²:
     * Res = √(peak² − (ω0·Le)²) − Re. */
    double x = 2.0 * HPA_MODEL_PI * f0_hz * le_h;
    if (!(peak_ohm > x))
        return HPA_ERR_INVALID_ARG;
    double res = sqrt(peak_ohm * peak_ohm - x * x) - re_ohm;
    if (!(res > 0.0))
        return HPA_ERR_INVALID_ARG;
    m->re_ohm = re_ohm;
    m->le_h = le_h;
    m->lossy_k = 0.0;
    m->lossy_n = 0.0;
    m->res_ohm = res;
    m->f0_hz = f0_hz;
    m->qms = qms;
    return HPA_OK;
}

/* ------------------------------------------------------------------------ */
/* measured points                                                          */

int hpa_model_zpoints_valid(const hpa_zpoint *p, size_t n, int has_phase)
{
    if (!p || n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!hpa_model_pos(p[i].freq_hz) || !hpa_model_pos(p[i].mag_ohm))
            return 0;
        if (has_phase && !(isfinite(p[i].phase_deg) && fabs(p[i].phase_deg) <= 90.0))
            return 0;
        if (i > 0 && !(p[i].freq_hz > p[i - 1].freq_hz))
            return 0;
    }
    return 1;
}

static double complex polar_deg(double mag, double deg)
{
    double ph = deg * HPA_MODEL_PI / 180.0;
    return mag * cos(ph) + I * (mag * sin(ph));
}

double complex hpa_model_zpoints_z(const hpa_zpoint *p, size_t n, int has_phase, double f_hz)
{
    if (f_hz <= p[0].freq_hz)
        return polar_deg(p[0].mag_ohm, has_phase ? p[0].phase_deg : 0.0);
    if (f_hz >= p[n - 1].freq_hz)
        return polar_deg(p[n - 1].mag_ohm, has_phase ? p[n - 1].phase_deg : 0.0);

    /* the last point at or below f: p[lo].freq <= f < p[hi].freq */
    size_t lo = 0, hi = n - 1;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (p[mid].freq_hz <= f_hz)
            lo = mid;
        else
            hi = mid;
    }
    double t = log(f_hz / p[lo].freq_hz) / log(p[hi].freq_hz / p[lo].freq_hz);
    double mag = exp(log(p[lo].mag_ohm) + t * log(p[hi].mag_ohm / p[lo].mag_ohm));
    double deg = has_phase ? p[lo].phase_deg + t * (p[hi].phase_deg - p[lo].phase_deg) : 0.0;
    return polar_deg(mag, deg);
}

int hpa_zpoints_eval(const hpa_zpoint *points, size_t n, int has_phase, double f_hz, hpa_impedance *z)
{
    if (!z || !hpa_model_pos(f_hz) || !hpa_model_zpoints_valid(points, n, has_phase))
        return HPA_ERR_INVALID_ARG;
    double complex v = hpa_model_zpoints_z(points, n, has_phase, f_hz);
    z->re_ohm = creal(v);
    z->im_ohm = cimag(v);
    return HPA_OK;
}

double hpa_impedance_abs(hpa_impedance z)
{
    return hypot(z.re_ohm, z.im_ohm);
}

/* ------------------------------------------------------------------------ */
/* headphone                                                                */

void hpa_headphone_init(hpa_headphone *hp)
{
    if (!hp)
        return;
    hp->nominal_ohm = 0.0;
    hp->sens_db_per_mw = 0.0;
    hp->sens_db_per_v = 0.0;
    hp->v94_mv = 0.0;
    hp->ref_hz = 0.0;
    hp->zcurve = HPA_ZCURVE_FLAT;
    hp->zpoints = NULL;
    hp->n_zpoints = 0;
    hp->zpoints_have_phase = 0;
    hp->zmodel.re_ohm = 0.0;
    hp->zmodel.le_h = 0.0;
    hp->zmodel.lossy_k = 0.0;
    hp->zmodel.lossy_n = 0.0;
    hp->zmodel.res_ohm = 0.0;
    hp->zmodel.f0_hz = 0.0;
    hp->zmodel.qms = 0.0;
}

/* A sensitivity in dB SPL: 0 means unknown; otherwise above 0 and below
 * 194 dB SPL = 20·log10(101325 Pa / 20 µPa), the usual ceiling for sound in
 * air (a mere sanity bound: no headphone comes near it). */
static int sens_ok(double s)
{
    return isfinite(s) && s >= 0.0 && s < 194.0;
}

int hpa_headphone_check(const hpa_headphone *hp)
{
    if (!hp || !hpa_model_pos(hp->nominal_ohm))
        return HPA_ERR_INVALID_ARG;
    if (!sens_ok(hp->sens_db_per_mw) || !sens_ok(hp->sens_db_per_v) || !hpa_model_nonneg(hp->v94_mv))
        return HPA_ERR_INVALID_ARG;
    if (hp->sens_db_per_mw == 0.0 && hp->sens_db_per_v == 0.0 && hp->v94_mv == 0.0)
        return HPA_ERR_INVALID_ARG; /* no sensitivity at all */
    if (!hpa_model_nonneg(hp->ref_hz))
        return HPA_ERR_INVALID_ARG;
    switch (hp->zcurve) {
    case HPA_ZCURVE_FLAT: break;
    case HPA_ZCURVE_POINTS:
        if (!hpa_model_zpoints_valid(hp->zpoints, hp->n_zpoints, hp->zpoints_have_phase))
            return HPA_ERR_INVALID_ARG;
        break;
    case HPA_ZCURVE_MODEL:
        if (!hpa_model_zmodel_valid(&hp->zmodel))
            return HPA_ERR_INVALID_ARG;
        break;
    default: return HPA_ERR_INVALID_ARG;
    }
    /* S_V must come out finite and the sensitivity in range */
    double s = hpa_model_sens_v(hp);
    if (!isfinite(s))
        return HPA_ERR_INVALID_ARG;
    return HPA_OK;
}

double hpa_model_ref_hz(const hpa_headphone *hp)
{
    return hp->ref_hz > 0.0 ? hp->ref_hz : HPA_MODEL_DEFAULT_REF_HZ;
}

double complex hpa_model_headphone_z(const hpa_headphone *hp, double f_hz)
{
    switch (hp->zcurve) {
    case HPA_ZCURVE_POINTS: return hpa_model_zpoints_z(hp->zpoints, hp->n_zpoints, hp->zpoints_have_phase, f_hz);
    case HPA_ZCURVE_MODEL: return hpa_model_zmodel_z(&hp->zmodel, f_hz);
    case HPA_ZCURVE_FLAT:
    default: return hp->nominal_ohm;
    }
}

int hpa_headphone_z(const hpa_headphone *hp, double f_hz, hpa_impedance *z)
{
    if (!z || !hpa_model_pos(f_hz) || hpa_headphone_check(hp) != HPA_OK)
        return HPA_ERR_INVALID_ARG;
    double complex v = hpa_model_headphone_z(hp, f_hz);
    if (!isfinite(creal(v)) || !isfinite(cimag(v)))
        return HPA_ERR_INVALID_ARG;
    z->re_ohm = creal(v);
    z->im_ohm = cimag(v);
    return HPA_OK;
}

void hpa_model_sweep(const hpa_headphone *hp, double lo_hz, double hi_hz, hpa_model_visit_fn fn, void *ctx)
{
    double octaves = log2(hi_hz / lo_hz);
    long steps = (long)ceil(octaves * HPA_MODEL_GRID_PER_OCTAVE);
    if (steps < 1)
        steps = 1;
    for (long i = 0; i <= steps; i++) {
        double f = (i == steps) ? hi_hz : lo_hz * exp2(octaves * (double)i / (double)steps);
        fn(ctx, f);
    }
    if (hp->zcurve == HPA_ZCURVE_POINTS) {
        for (size_t i = 0; i < hp->n_zpoints; i++) {
            double f = hp->zpoints[i].freq_hz;
            if (f >= lo_hz && f <= hi_hz)
                fn(ctx, f);
        }
    } else if (hp->zcurve == HPA_ZCURVE_MODEL && hp->zmodel.res_ohm > 0.0) {
        double f = hp->zmodel.f0_hz;
        if (f >= lo_hz && f <= hi_hz)
            fn(ctx, f);
    }
}

typedef struct zrange_ctx {
    const hpa_headphone *hp;
    hpa_zrange r;
} zrange_ctx;

static void zrange_visit(void *p, double f)
{
    zrange_ctx *c = p;
    double a = cabs(hpa_model_headphone_z(c->hp, f));
    if (a < c->r.min_ohm) {
        c->r.min_ohm = a;
        c->r.min_hz = f;
    }
    if (a > c->r.max_ohm) {
        c->r.max_ohm = a;
        c->r.max_hz = f;
    }
}

int hpa_headphone_zrange(const hpa_headphone *hp, double f_lo_hz, double f_hi_hz, hpa_zrange *out)
{
    if (!out || !hpa_model_band_ok(f_lo_hz, f_hi_hz) || hpa_headphone_check(hp) != HPA_OK)
        return HPA_ERR_INVALID_ARG;
    zrange_ctx c = {hp, {DBL_MAX, 0.0, -DBL_MAX, 0.0}};
    hpa_model_sweep(hp, f_lo_hz, f_hi_hz, zrange_visit, &c);
    if (!isfinite(c.r.min_ohm) || !isfinite(c.r.max_ohm) || !(c.r.min_ohm > 0.0))
        return HPA_ERR_INVALID_ARG;
    *out = c.r;
    return HPA_OK;
}

/* ------------------------------------------------------------------------ */
/* sensitivity                                                              */

int hpa_sens_mw_to_v(double s_db_per_mw, double z_ohm, double *s_db_per_v)
{
    if (!s_db_per_v || !isfinite(s_db_per_mw) || !hpa_model_pos(z_ohm))
        return HPA_ERR_INVALID_ARG;
    /* 1 mW into Z takes √(0.001·Z) volts */
    *s_db_per_v = s_db_per_mw + 10.0 * log10(1000.0 / z_ohm);
    return HPA_OK;
}

int hpa_sens_v_to_mw(double s_db_per_v, double z_ohm, double *s_db_per_mw)
{
    if (!s_db_per_mw || !isfinite(s_db_per_v) || !hpa_model_pos(z_ohm))
        return HPA_ERR_INVALID_ARG;
    *s_db_per_mw = s_db_per_v - 10.0 * log10(1000.0 / z_ohm);
    return HPA_OK;
}

int hpa_sens_from_v94(double v94_mv, double *s_db_per_v)
{
    if (!s_db_per_v || !hpa_model_pos(v94_mv))
        return HPA_ERR_INVALID_ARG;
    *s_db_per_v = 94.0 - 20.0 * log10(v94_mv / 1000.0);
    return HPA_OK;
}

double hpa_model_sens_v(const hpa_headphone *hp)
{
    if (hp->v94_mv > 0.0)
        return 94.0 - 20.0 * log10(hp->v94_mv / 1000.0);
    if (hp->sens_db_per_v > 0.0)
        return hp->sens_db_per_v;
    if (hp->sens_db_per_mw > 0.0)
        return hp->sens_db_per_mw + 10.0 * log10(1000.0 / hp->nominal_ohm);
    return NAN;
}

int hpa_headphone_sens_db_per_v(const hpa_headphone *hp, double *s_db_per_v)
{
    if (!s_db_per_v || hpa_headphone_check(hp) != HPA_OK)
        return HPA_ERR_INVALID_ARG;
    *s_db_per_v = hpa_model_sens_v(hp);
    return HPA_OK;
}
