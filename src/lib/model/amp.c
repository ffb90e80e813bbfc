/* amp.c — the source (DAC, amp, phone, dongle) as a Thévenin source with a
 * voltage limit and a current limit.
 *
 * A voltage stated into a load R is referred to open circuit through the
 * divider: Voc = V·(R + Zout)/R.  Power ratings become voltages and currents
 * by V = √(P·R) and I = √(P/R).  Sources: docs/model.md. */
#include "model_int.h"

/* Slack allowed between two figures of one spec that should agree (rounded
 * ratings, e.g. "100 mW" for 104 mW is 2 % in voltage): 3 % in voltage. */
#define SPEC_SLACK 0.03

void hpa_source_init(hpa_source *src)
{
    if (!src)
        return;
    src->vout_max_v = 0.0;
    src->vout_load_ohm = 0.0;
    src->imax_ma = 0.0;
    src->zout_ohm = 0.0;
    for (unsigned i = 0; i < HPA_SOURCE_MAX_GAINS; i++)
        src->gain_db[i] = 0.0;
    src->n_gains = 0;
    src->battery = 0;
    src->output = HPA_OUTPUT_SINGLE_ENDED;
}

/* vout_load_ohm: 0 or +infinity = open circuit */
static int open_circuit(const hpa_source *src)
{
    return src->vout_load_ohm == 0.0 || (isinf(src->vout_load_ohm) && src->vout_load_ohm > 0.0);
}

double hpa_model_voc_max(const hpa_source *src)
{
    if (open_circuit(src))
        return src->vout_max_v;
    return src->vout_max_v * (src->vout_load_ohm + src->zout_ohm) / src->vout_load_ohm;
}

int hpa_source_check(const hpa_source *src)
{
    if (!src || !hpa_model_pos(src->vout_max_v) || !hpa_model_nonneg(src->imax_ma) || !hpa_model_nonneg(src->zout_ohm))
        return HPA_ERR_INVALID_ARG;
    if (!open_circuit(src) && !hpa_model_pos(src->vout_load_ohm))
        return HPA_ERR_INVALID_ARG;
    if (src->n_gains > HPA_SOURCE_MAX_GAINS)
        return HPA_ERR_INVALID_ARG;
    for (unsigned i = 0; i < src->n_gains; i++)
        if (!isfinite(src->gain_db[i]) || fabs(src->gain_db[i]) > 100.0)
            return HPA_ERR_INVALID_ARG;
    if (src->output != HPA_OUTPUT_SINGLE_ENDED && src->output != HPA_OUTPUT_BALANCED)
        return HPA_ERR_INVALID_ARG;
    /* a voltage stated into a load cannot need more current than the limit */
    if (!open_circuit(src) && src->imax_ma > 0.0 &&
        src->vout_max_v / src->vout_load_ohm * 1000.0 > src->imax_ma * (1.0 + SPEC_SLACK))
        return HPA_ERR_INVALID_ARG;
    if (!isfinite(hpa_model_voc_max(src)))
        return HPA_ERR_INVALID_ARG;
    return HPA_OK;
}

int hpa_source_voc_max(const hpa_source *src, double *voc_v)
{
    if (!voc_v || hpa_source_check(src) != HPA_OK)
        return HPA_ERR_INVALID_ARG;
    *voc_v = hpa_model_voc_max(src);
    return HPA_OK;
}

int hpa_source_voc_full_scale(const hpa_source *src, unsigned gain_index, double *voc_v)
{
    if (!voc_v || hpa_source_check(src) != HPA_OK)
        return HPA_ERR_INVALID_ARG;
    unsigned n = src->n_gains ? src->n_gains : 1;
    if (gain_index >= n)
        return HPA_ERR_INVALID_ARG;
    double g = src->n_gains ? src->gain_db[gain_index] : 0.0;
    double voc = hpa_model_voc_max(src);
    /* full scale on this gain, but never past the clipping voltage */
    *voc_v = voc * pow(10.0, fmin(g, 0.0) / 20.0);
    return HPA_OK;
}

int hpa_source_from_power_ratings(double p1_mw, double r1_ohm, double p2_mw, double r2_ohm, double zout_ohm,
                                  hpa_source *src, hpa_limit *low_z_limit)
{
    if (!src || !hpa_model_pos(p1_mw) || !hpa_model_pos(r1_ohm) || !hpa_model_pos(p2_mw) || !hpa_model_pos(r2_ohm) ||
        !hpa_model_nonneg(zout_ohm) || r1_ohm == r2_ohm)
        return HPA_ERR_INVALID_ARG;

    /* lo: the lower-impedance load, hi: the higher */
    double p_lo = p1_mw, r_lo = r1_ohm, p_hi = p2_mw, r_hi = r2_ohm;
    if (r1_ohm > r2_ohm) {
        p_lo = p2_mw;
        r_lo = r2_ohm;
        p_hi = p1_mw;
        r_hi = r1_ohm;
    }
    /* volts at each load, V = √(P·R), and open-circuit equivalents */
    double v_lo = sqrt(p_lo / 1000.0 * r_lo);
    double v_hi = sqrt(p_hi / 1000.0 * r_hi);
    double voc_lo = v_lo * (r_lo + zout_ohm) / r_lo;
    double voc_hi = v_hi * (r_hi + zout_ohm) / r_hi;

    hpa_limit lim;
    double vmax, imax_ma;
    if (voc_lo < voc_hi * (1.0 - SPEC_SLACK)) {
        /* less than the voltage limit would give: the current ran out, I = √(P/R) */
        lim = HPA_LIMIT_CURRENT;
        vmax = voc_hi;
        imax_ma = sqrt(p_lo / 1000.0 / r_lo) * 1000.0;
    } else {
        lim = HPA_LIMIT_VOLTAGE;
        vmax = fmin(voc_lo, voc_hi);
        imax_ma = 0.0;
    }
    if (!isfinite(vmax) || !isfinite(imax_ma))
        return HPA_ERR_INVALID_ARG;
    src->vout_max_v = vmax;
    src->vout_load_ohm = 0.0;
    src->imax_ma = imax_ma;
    src->zout_ohm = zout_ohm;
    if (low_z_limit)
        *low_z_limit = lim;
    return HPA_OK;
}
