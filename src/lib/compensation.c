/* compensation.c — the EQ that cancels the output impedance's response change
 * (compensation.h): −ΔdB(f) fitted by hpa_eq_autofit over the whole band,
 * with more bands until the error is within the goal. */
#include <math.h>
#include <string.h>

#include <hpamp/compensation.h>
#include <hpamp/eq_auto.h>

#define CP_CHECK_OCT 96 /* the grid the error is measured on */
#define CP_LO_HZ 20.0
#define CP_HI_HZ 20000.0
#define CP_POINTS 480 /* 20 Hz .. 20 kHz, about 1/48 octave apart */

/* the largest |ΔdB + EQ − c| with the best c (the midrange), over the
 * check grid; *c receives c */
static int max_error(const hpa_headphone *hp, double zout, double rate, const hpa_eq_band *b, size_t n, double *err,
                     double *c)
{
    double lo = INFINITY, hi = -INFINITY;
    for (int k = 0;; k++) {
        double f = CP_LO_HZ * exp2((double)k / CP_CHECK_OCT), d, eq = 0.0;
        if (f > CP_HI_HZ)
            f = CP_HI_HZ;
        if (hpa_fr_deviation_at(hp, zout, f, &d) != HPA_OK)
            return HPA_ERR_INVALID_ARG;
        if (n && hpa_eq_response_db(b, n, rate, &f, &eq, 1) != HPA_OK)
            return HPA_ERR_INVALID_ARG;
        lo = fmin(lo, d + eq), hi = fmax(hi, d + eq);
        if (f >= CP_HI_HZ)
            break;
    }
    *err = 0.5 * (hi - lo);
    *c = 0.5 * (hi + lo);
    return HPA_OK;
}

int hpa_compensation_fit(const hpa_headphone *hp, double zout_ohm, double rate_hz, hpa_eq_band *bands, size_t cap,
                         hpa_compensation *out)
{
    if (!out || !bands || !(zout_ohm > 0.0) || !isfinite(zout_ohm) || hpa_headphone_check(hp) != HPA_OK)
        return HPA_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);
    if (!(rate_hz >= 44100.0 && rate_hz <= HPA_RATE_MAX_HZ))
        return HPA_ERR_RATE;
    if (cap > HPA_COMPENSATION_MAX_BANDS)
        cap = HPA_COMPENSATION_MAX_BANDS;
    hpa_eq_point meas[CP_POINTS], flat[CP_POINTS];
    for (int k = 0; k < CP_POINTS; k++) {
        const double f = CP_LO_HZ * pow(CP_HI_HZ / CP_LO_HZ, (double)k / (CP_POINTS - 1));
        double d;
        if (hpa_fr_deviation_at(hp, zout_ohm, f, &d) != HPA_OK)
            return HPA_ERR_INVALID_ARG;
        meas[k] = (hpa_eq_point){f, d};
        flat[k] = (hpa_eq_point){f, 0.0};
    }
    double err, c;
    int rc = max_error(hp, zout_ohm, rate_hz, NULL, 0, &err, &c);
    if (rc != HPA_OK)
        return rc;
    out->change_db = 2.0 * err;
    out->max_err_db = err, out->offset_db = c;
    if (err <= HPA_COMPENSATION_GOAL_DB || cap == 0)
        return HPA_OK;
    static const unsigned counts[] = {1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32};
    hpa_eq_band trial[HPA_COMPENSATION_MAX_BANDS];
    for (size_t i = 0; i < sizeof counts / sizeof counts[0] && counts[i] <= cap; i++) {
        hpa_eq_autofit_config cfg;
        hpa_eq_autofit_config_init(&cfg);
        cfg.rate_hz = rate_hz;
        cfg.max_filters = counts[i];
        cfg.max_gain_db = 12.0;
        cfg.whole_band = 1;
        hpa_eq_autofit_result res;
        rc = hpa_eq_autofit(meas, CP_POINTS, flat, CP_POINTS, &cfg, NULL, trial, HPA_COMPENSATION_MAX_BANDS, &res,
                            NULL);
        if (rc != HPA_OK)
            return rc;
        double e2, c2;
        rc = max_error(hp, zout_ohm, rate_hz, trial, res.n_bands, &e2, &c2);
        if (rc != HPA_OK)
            return rc;
        if (e2 < out->max_err_db) {
            memcpy(bands, trial, res.n_bands * sizeof *bands);
            out->n_bands = res.n_bands, out->max_err_db = e2, out->offset_db = c2;
        }
        if (out->max_err_db <= HPA_COMPENSATION_GOAL_DB)
            break;
    }
    return HPA_OK;
}
