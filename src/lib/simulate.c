/* simulate.c — a source's voltage and current limits and its output
 * impedance's divider applied to the music (simulate.h). */
#include <math.h>
#include <string.h>

#include <hpamp/eq.h>
#include <hpamp/simulate.h>

#include "internal.h"

struct hpa_sim {
    hpa_allocator alloc;
    unsigned channels;
    double vclip, iclip; /* sample values where the voltage and the current run out (+inf: never) */
    double gain;         /* the band set's level put back to 0 dB at the reference frequency */
    hpa_eq *eq;          /* the divider; NULL for none */
    uint64_t v_clipped, i_clipped;
};

static double db20(double x)
{
    return 20.0 * log10(x);
}

static uint64_t clip(double *x, size_t n, double lim)
{
    uint64_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (x[i] > lim)
            x[i] = lim, k++;
        else if (x[i] < -lim)
            x[i] = -lim, k++;
    }
    return k;
}

/* the divider's band set: the compensation of the response change, negated
 * (a cookbook peaking or shelving filter of -g dB is the exact inverse of one
 * of +g dB), at 0 dB at the reference frequency */
static int divider_bands(const hpa_sim_config *cfg, double ref_hz, hpa_eq_band *bands, hpa_sim_plan *plan, double *gain)
{
    hpa_compensation comp;
    plan->n_bands = 0;
    *gain = 1.0;
    if (!(cfg->src->zout_ohm > 0.0))
        return HPA_OK;
    int rc = hpa_compensation_fit(cfg->hp, cfg->src->zout_ohm, cfg->rate_hz, bands, HPA_COMPENSATION_MAX_BANDS, &comp);
    if (rc != HPA_OK)
        return rc;
    for (size_t k = 0; k < comp.n_bands; k++)
        bands[k].gain_db = -bands[k].gain_db;
    plan->n_bands = comp.n_bands;
    plan->response_spread_db = comp.change_db;
    plan->response_err_db = comp.max_err_db;
    double at_ref = 0.0;
    if (comp.n_bands && (rc = hpa_eq_response_db(bands, comp.n_bands, cfg->rate_hz, &ref_hz, &at_ref, 1)) != HPA_OK)
        return rc;
    *gain = hpa_db_to_gain(-at_ref);
    return HPA_OK;
}

int hpa_sim_create(const hpa_sim_config *cfg, hpa_sim **out, hpa_sim_plan *plan_out)
{
    if (!out)
        return HPA_ERR_INVALID_ARG;
    *out = NULL;
    if (!cfg || hpa_headphone_check(cfg->hp) != HPA_OK || hpa_source_check(cfg->src) != HPA_OK)
        return HPA_ERR_INVALID_ARG;
    if (!(cfg->rate_hz >= 44100.0 && cfg->rate_hz <= HPA_RATE_MAX_HZ))
        return HPA_ERR_RATE;
    if (cfg->channels < 1 || cfg->channels > HPA_CHANNELS_MAX)
        return HPA_ERR_CHANNELS;
    if (!(cfg->level_db >= 0.0 && cfg->level_db <= 150.0) ||
        !(cfg->loudness_dbfs >= -100.0 && cfg->loudness_dbfs <= 20.0))
        return HPA_ERR_INVALID_ARG;
    if (cfg->allocator && (!cfg->allocator->alloc || !cfg->allocator->free))
        return HPA_ERR_INVALID_ARG;

    hpa_sim_plan plan;
    memset(&plan, 0, sizeof plan);
    plan.ref_hz = cfg->hp->ref_hz > 0.0 ? cfg->hp->ref_hz : 1000.0;
    hpa_impedance z;
    int rc = hpa_headphone_z(cfg->hp, plan.ref_hz, &z);
    if (!rc)
        rc = hpa_headphone_sens_db_per_v(cfg->hp, &plan.sens_db_per_v);
    if (!rc)
        rc = hpa_source_voc_max(cfg->src, &plan.voc_max_v);
    if (rc)
        return rc;
    plan.zref_ohm = hpa_impedance_abs(z);
    /* |Z / (Z + Zout)| at the reference, Z complex */
    const double zo = cfg->src->zout_ohm, den = hypot(z.re_ohm + zo, z.im_ohm);
    const double d_ref = plan.zref_ohm / den;
    plan.spl0_db = cfg->level_db - cfg->loudness_dbfs;
    plan.vload_fs_v = pow(10.0, (plan.spl0_db - plan.sens_db_per_v) / 20.0);
    plan.voc_fs_v = plan.vload_fs_v / d_ref;
    const double vclip = plan.voc_max_v / plan.voc_fs_v;
    const double iclip = cfg->src->imax_ma > 0.0 ? cfg->src->imax_ma / 1000.0 * plan.zref_ohm / plan.vload_fs_v
                                                 : HUGE_VAL;
    plan.volt_clip_dbfs = db20(vclip);
    plan.curr_clip_dbfs = isfinite(iclip) ? db20(iclip) : HUGE_VAL;
    plan.limit = iclip < vclip ? HPA_LIMIT_CURRENT : HPA_LIMIT_VOLTAGE;
    plan.clip_dbfs = plan.limit == HPA_LIMIT_CURRENT ? plan.curr_clip_dbfs : plan.volt_clip_dbfs;

    hpa_eq_band bands[HPA_COMPENSATION_MAX_BANDS];
    double gain = 1.0;
    if ((rc = divider_bands(cfg, plan.ref_hz, bands, &plan, &gain)) != HPA_OK)
        return rc;

    hpa_allocator a = hpa_malloc_allocator;
    if (cfg->allocator)
        a = *cfg->allocator;
    hpa_eq_config ec;
    hpa_eq_config_init(&ec);
    ec.rate_hz = cfg->rate_hz;
    ec.channels = cfg->channels;
    ec.max_bands = plan.n_bands ? plan.n_bands : 1;
    const size_t head = (sizeof(hpa_sim) + 63u) & ~(size_t)63u, eq_bytes = hpa_eq_size(&ec, plan.n_bands);
    unsigned char *mem = a.alloc(a.user, head + eq_bytes);
    if (!mem)
        return HPA_ERR_NO_MEMORY;
    hpa_sim *s = (hpa_sim *)(void *)mem;
    memset(s, 0, sizeof *s);
    s->alloc = a;
    s->channels = cfg->channels;
    s->vclip = vclip;
    s->iclip = iclip;
    s->gain = gain;
    if (plan.n_bands && (rc = hpa_eq_init(mem + head, eq_bytes, &ec, bands, plan.n_bands, NULL, &s->eq)) != HPA_OK) {
        a.free(a.user, mem);
        return rc;
    }
    if (plan_out)
        *plan_out = plan;
    *out = s;
    return HPA_OK;
}

void hpa_sim_destroy(hpa_sim *s)
{
    if (s)
        s->alloc.free(s->alloc.user, s);
}

int hpa_sim_process(hpa_sim *s, double *buf, size_t frames)
{
    if (!s || (frames && !buf))
        return HPA_ERR_INVALID_ARG;
    const size_t n = frames * s->channels;
    s->v_clipped += clip(buf, n, s->vclip);
    if (s->eq) {
        hpa_eq_process(s->eq, buf, frames);
        for (size_t i = 0; i < n; i++)
            buf[i] *= s->gain;
    }
    if (isfinite(s->iclip))
        s->i_clipped += clip(buf, n, s->iclip);
    return HPA_OK;
}

void hpa_sim_clipped(const hpa_sim *s, uint64_t *voltage, uint64_t *current)
{
    if (voltage)
        *voltage = s ? s->v_clipped : 0;
    if (current)
        *current = s ? s->i_clipped : 0;
}
