/* advise.c — from database facts to a verdict: does this headphone need an
 * amplifier on this source?
 *
 * Facts (db.h, NaN = unknown) become model structs (model.h); the model
 * gives what the target needs and what the source delivers into the lowest
 * |Z| over 20 Hz - 20 kHz; the verdict follows the thresholds in advise.h,
 * whose reasons are in docs/advise.md. */
#include <float.h>
#include <string.h>

#include <hpamp/advise.h>

#include "model_int.h"

/* Slack between two figures of one spec that should agree (rounded ratings):
 * 3 % in voltage, as in hpa_source_from_power_ratings (amp.c). */
#define SPEC_SLACK 0.03

static int known_pos(double x)
{
    return isfinite(x) && x > 0.0;
}

/* ------------------------------------------------------------------------ */
/* db records to model structs                                              */

int hpa_advise_headphone(const hpa_db_headphone *rec, hpa_headphone *hp, unsigned *missing)
{
    unsigned miss = 0;
    if (!rec || !hp)
        return HPA_ERR_INVALID_ARG;
    if (!known_pos(rec->impedance_ohm))
        miss |= HPA_REASON_NO_IMPEDANCE;
    int has_mw = known_pos(rec->sensitivity_db_mw) && rec->sensitivity_db_mw < 194.0;
    int has_v = known_pos(rec->sensitivity_db_v) && rec->sensitivity_db_v < 194.0;
    int has_94 = known_pos(rec->mv_for_94db);
    if (!has_mw && !has_v && !has_94)
        miss |= HPA_REASON_NO_SENSITIVITY;
    if (missing)
        *missing = miss;
    if (miss)
        return HPA_ERR_INVALID_ARG;

    hpa_headphone h;
    hpa_headphone_init(&h);
    h.nominal_ohm = rec->impedance_ohm;
    h.sens_db_per_mw = has_mw ? rec->sensitivity_db_mw : 0.0;
    h.sens_db_per_v = has_v ? rec->sensitivity_db_v : 0.0;
    h.v94_mv = has_94 ? rec->mv_for_94db : 0.0;
    /* the bass resonance, when the record gives it above the nominal figure
     * (a peak at the top of the band, as some rows give for a rising
     * response, is not a resonance: those stay flat) */
    if (known_pos(rec->impedance_peak_ohm) && known_pos(rec->impedance_peak_hz) &&
        rec->impedance_peak_ohm > rec->impedance_ohm * 1.02 && rec->impedance_peak_hz < 1000.0) {
        hpa_zmodel m;
        if (hpa_zmodel_from_spec(rec->impedance_ohm, rec->impedance_peak_ohm, rec->impedance_peak_hz, 0.0, 0.0, &m) ==
            HPA_OK) {
            h.zcurve = HPA_ZCURVE_MODEL;
            h.zmodel = m;
        }
    }
    if (hpa_headphone_check(&h) != HPA_OK) {
        if (missing)
            *missing = HPA_REASON_INCONSISTENT;
        return HPA_ERR_INVALID_ARG;
    }
    *hp = h;
    return HPA_OK;
}

int hpa_advise_source(const hpa_db_source *rec, hpa_source *src, int *zout_known, hpa_source_basis *basis)
{
    if (basis)
        *basis = HPA_BASIS_NONE;
    if (!rec || !src)
        return HPA_ERR_INVALID_ARG;
    int zk = isfinite(rec->zout_ohm) && rec->zout_ohm >= 0.0;
    double zout = zk ? rec->zout_ohm : 0.0;
    double imax = known_pos(rec->imax_ma) ? rec->imax_ma : 0.0;
    /* the power ratings, as (P, R) */
    double rp[2], rr[2];
    int nr = 0;
    if (known_pos(rec->power_mw_32)) {
        rp[nr] = rec->power_mw_32;
        rr[nr++] = 32.0;
    }
    if (known_pos(rec->power_mw_300)) {
        rp[nr] = rec->power_mw_300;
        rr[nr++] = 300.0;
    }

    hpa_source s;
    hpa_source_init(&s);
    s.output = rec->output == HPA_DB_OUTPUT_BAL ? HPA_OUTPUT_BALANCED : HPA_OUTPUT_SINGLE_ENDED;
    s.battery = rec->battery > 0;
    hpa_source_basis b;

    if (known_pos(rec->vout_max_rms_v)) {
        b = HPA_BASIS_VOLTAGE;
        double load = known_pos(rec->vout_load_ohm) ? rec->vout_load_ohm : INFINITY;
        double voc = isfinite(load) ? rec->vout_max_rms_v * (load + zout) / load : rec->vout_max_rms_v;
        double imax_r = 0.0;
        for (int i = 0; i < nr; i++) {
            double v_r = sqrt(rp[i] / 1000.0 * rr[i]);
            double v_pred = voc * rr[i] / (rr[i] + zout);
            if (!(v_r < v_pred * (1.0 - SPEC_SLACK)))
                continue; /* the rating agrees with the voltage (or promises more: keep the voltage) */
            if (rr[i] < load) {
                /* less than the voltage gives at a lower load: the current ran out */
                double i_ma = sqrt(rp[i] / 1000.0 / rr[i]) * 1000.0;
                imax_r = imax_r > 0.0 ? fmin(imax_r, i_ma) : i_ma;
            } else {
                /* short at a higher load: that rating is the voltage limit */
                voc = v_r * (rr[i] + zout) / rr[i];
                load = INFINITY;
            }
        }
        if (isfinite(load)) {
            s.vout_max_v = rec->vout_max_rms_v;
            s.vout_load_ohm = load;
        } else {
            s.vout_max_v = voc;
            s.vout_load_ohm = 0.0;
        }
        if (imax_r > 0.0)
            imax = imax > 0.0 ? fmin(imax, imax_r) : imax_r;
    } else if (nr == 2) {
        b = HPA_BASIS_TWO_RATINGS;
        if (hpa_source_from_power_ratings(rp[0], rr[0], rp[1], rr[1], zout, &s, NULL) != HPA_OK)
            return HPA_ERR_INVALID_ARG;
        if (s.imax_ma > 0.0)
            imax = imax > 0.0 ? fmin(imax, s.imax_ma) : s.imax_ma;
    } else if (nr == 1) {
        b = HPA_BASIS_ONE_RATING;
        s.vout_max_v = sqrt(rp[0] / 1000.0 * rr[0]);
        s.vout_load_ohm = rr[0];
    } else {
        return HPA_ERR_INVALID_ARG;
    }
    s.zout_ohm = zout;
    s.imax_ma = imax;
    s.n_gains = 0;
    if (basis)
        *basis = b;
    if (hpa_source_check(&s) != HPA_OK)
        return HPA_ERR_INVALID_ARG;
    *src = s;
    if (zout_known)
        *zout_known = zk;
    return HPA_OK;
}

/* ------------------------------------------------------------------------ */
/* the verdict                                                              */

static void advice_clear(hpa_advice *a, double level_db, double crest_db)
{
    const double nan = NAN;
    a->verdict = HPA_VERDICT_UNKNOWN;
    a->reasons = 0;
    a->level_db = level_db;
    a->crest_db = crest_db;
    a->peak_spl_db = level_db + crest_db;
    a->sens_db_per_v = a->nominal_ohm = nan;
    a->load_ohm = a->load_hz = a->zmax_ohm = a->zmax_hz = nan;
    a->basis = HPA_BASIS_NONE;
    a->voc_v = a->imax_ma = a->zout_ohm = nan;
    a->required_vrms = a->required_ma = a->required_mw = a->level_vrms = a->level_mw = a->level_share = nan;
    a->available_vrms = a->available_ma = a->available_mw = nan;
    a->max_spl_db = a->headroom_db = nan;
    a->limit = HPA_LIMIT_NONE;
    a->damping_factor = nan;
    a->eighth_rule_ok = -1;
    a->fr.ref_hz = a->fr.zref_ohm = nan;
    a->fr.max_db = a->fr.max_hz = a->fr.min_db = a->fr.min_hz = nan;
    a->fr.worst_db = a->fr.worst_hz = a->fr.spread_db = nan;
    a->noise_from = HPA_NOISE_UNKNOWN;
    a->noise_uv = a->hiss_spl_db = a->attenuation_db = nan;
}

/* the source's output noise in volts and where it came from (voc: its open-circuit maximum) */
static hpa_noise_from source_noise(const hpa_db_source *s, double voc, double *noise_v)
{
    if (known_pos(s->noise_uv)) {
        *noise_v = s->noise_uv * 1e-6;
        return HPA_NOISE_STATED;
    }
    if (known_pos(s->snr_db) && known_pos(voc)) {
        *noise_v = (known_pos(s->snr_ref_v) ? s->snr_ref_v : voc) * pow(10.0, -s->snr_db / 20.0);
        return HPA_NOISE_SNR;
    }
    *noise_v = NAN;
    return HPA_NOISE_UNKNOWN;
}

static int target_ok(double level_db, double crest_db)
{
    return isfinite(level_db) && level_db >= 0.0 && level_db <= 150.0 && isfinite(crest_db) && crest_db >= -20.0 &&
           crest_db <= 60.0;
}

/* the numbers for a checked headphone on a checked source */
static int compute(const hpa_headphone *hp, const hpa_source *src, int zout_known, hpa_advice *a)
{
    double s;
    hpa_zrange zr;
    if (hpa_headphone_sens_db_per_v(hp, &s) != HPA_OK ||
        hpa_headphone_zrange(hp, HPA_ADVISE_F_LO_HZ, HPA_ADVISE_F_HI_HZ, &zr) != HPA_OK)
        return HPA_ERR_INVALID_ARG;
    a->sens_db_per_v = s;
    a->nominal_ohm = hp->nominal_ohm;
    a->load_ohm = zr.min_ohm;
    a->load_hz = zr.min_hz;
    a->zmax_ohm = zr.max_ohm;
    a->zmax_hz = zr.max_hz;

    double voc;
    if (hpa_source_voc_max(src, &voc) != HPA_OK)
        return HPA_ERR_INVALID_ARG;
    a->voc_v = voc;
    a->imax_ma = src->imax_ma;
    a->zout_ohm = zout_known ? src->zout_ohm : NAN;

    /* what the peaks need, and the average alone */
    double vreq, vlev;
    if (hpa_v_for_spl(s, a->peak_spl_db, &vreq) != HPA_OK || hpa_v_for_spl(s, a->level_db, &vlev) != HPA_OK)
        return HPA_ERR_INVALID_ARG;
    double z = zr.min_ohm;
    a->required_vrms = vreq;
    a->required_ma = vreq / z * 1000.0;
    a->required_mw = vreq * vreq / z * 1000.0;
    a->level_vrms = vlev;
    a->level_mw = vlev * vlev / z * 1000.0;

    /* what the source gives into the lowest |Z| */
    hpa_operating_point op;
    if (hpa_max_output(hp, src, 0, zr.min_hz, &op) != HPA_OK)
        return HPA_ERR_INVALID_ARG;
    a->available_vrms = op.vload_max_v;
    a->available_ma = op.vload_max_v / op.z_ohm * 1000.0;
    a->available_mw = op.vload_max_v * op.vload_max_v / op.z_ohm * 1000.0;
    a->max_spl_db = s + 20.0 * log10(op.vload_max_v);
    a->headroom_db = a->max_spl_db - a->peak_spl_db;
    a->limit = op.limit;

    if (zout_known) {
        int ok;
        if (hpa_damping_factor(hp->nominal_ohm, src->zout_ohm, &a->damping_factor) != HPA_OK ||
            hpa_eighth_rule(zr.min_ohm, src->zout_ohm, &ok) != HPA_OK ||
            hpa_fr_deviation_band(hp, src->zout_ohm, HPA_ADVISE_F_LO_HZ, HPA_ADVISE_F_HI_HZ, &a->fr) != HPA_OK)
            return HPA_ERR_INVALID_ARG;
        a->eighth_rule_ok = ok;
    }
    if (!isfinite(a->headroom_db) || !isfinite(a->required_mw) || !isfinite(a->available_mw))
        return HPA_ERR_INVALID_ARG;
    a->attenuation_db = a->max_spl_db - a->level_db;
    a->level_share = a->level_mw / a->available_mw;
    return HPA_OK;
}

/* the hiss at the ear from the source's noise, into the nominal impedance */
static void hiss(const hpa_db_source *s, hpa_advice *a)
{
    double nv;
    a->noise_from = source_noise(s, a->voc_v, &nv);
    if (a->noise_from == HPA_NOISE_UNKNOWN)
        return;
    double z = a->nominal_ohm, zo = isfinite(a->zout_ohm) ? a->zout_ohm : 0.0;
    a->noise_uv = nv * 1e6;
    a->hiss_spl_db = a->sens_db_per_v + 20.0 * log10(nv * z / (z + zo));
    if (a->hiss_spl_db > HPA_ADVISE_HISS_THRESHOLD_DB)
        a->reasons |= HPA_REASON_HISS;
}

static void decide(hpa_advice *a, int zout_known)
{
    unsigned r = 0;
    hpa_verdict v;
    if (!zout_known)
        r |= HPA_REASON_ZOUT_UNKNOWN;
    int high_zout = zout_known && a->eighth_rule_ok == 0;
    int fr_dev = zout_known && a->fr.spread_db > HPA_ADVISE_MAX_FR_SPREAD_DB;
    if (high_zout)
        r |= HPA_REASON_HIGH_ZOUT;
    if (fr_dev)
        r |= HPA_REASON_FR_DEVIATION;
    int short_headroom = a->headroom_db < HPA_ADVISE_MIN_HEADROOM_DB;
    if (short_headroom && a->limit == HPA_LIMIT_CURRENT)
        r |= HPA_REASON_CURRENT_LIMITED;

    if (a->level_vrms > a->available_vrms) {
        v = HPA_VERDICT_REQUIRED;
        r |= HPA_REASON_CANNOT_REACH_LEVEL;
    } else if (a->headroom_db < 0.0) {
        v = HPA_VERDICT_REQUIRED;
        r |= HPA_REASON_CLIPS_PEAKS;
    } else if (short_headroom || high_zout || fr_dev) {
        v = HPA_VERDICT_RECOMMENDED;
        if (short_headroom)
            r |= HPA_REASON_LITTLE_HEADROOM;
        else
            r |= HPA_REASON_ENOUGH_HEADROOM;
    } else {
        v = HPA_VERDICT_NOT_NEEDED;
        r |= HPA_REASON_ENOUGH_HEADROOM;
        if (zout_known)
            r |= HPA_REASON_LOW_ZOUT;
    }
    a->verdict = v;
    a->reasons = r;
}

int hpa_advise(const hpa_db_headphone *h, const hpa_db_source *s, double level_db, double crest_db, hpa_advice *out)
{
    if (!h || !s || !out || !target_ok(level_db, crest_db))
        return HPA_ERR_INVALID_ARG;
    hpa_advice a;
    advice_clear(&a, level_db, crest_db);

    if (h->active) {
        a.verdict = HPA_VERDICT_NOT_NEEDED;
        a.reasons = HPA_REASON_OWN_AMP;
        *out = a;
        return HPA_OK;
    }
    hpa_headphone hp;
    hpa_source src;
    unsigned missing = 0;
    int zk = 0;
    hpa_source_basis basis = HPA_BASIS_NONE;
    int hp_ok = hpa_advise_headphone(h, &hp, &missing) == HPA_OK;
    int src_ok = hpa_advise_source(s, &src, &zk, &basis) == HPA_OK;
    if (!src_ok)
        missing |= basis == HPA_BASIS_NONE && !known_pos(s->vout_max_rms_v) && !known_pos(s->power_mw_32) &&
                           !known_pos(s->power_mw_300)
                       ? HPA_REASON_NO_SOURCE_OUTPUT
                       : HPA_REASON_INCONSISTENT;
    a.basis = basis;
    if (hp_ok) {
        a.nominal_ohm = hp.nominal_ohm;
        double sv;
        if (hpa_headphone_sens_db_per_v(&hp, &sv) == HPA_OK)
            a.sens_db_per_v = sv;
    }
    if (!hp_ok || !src_ok) {
        a.reasons = missing;
        *out = a;
        return HPA_OK;
    }
    if (compute(&hp, &src, zk, &a) != HPA_OK) {
        advice_clear(&a, level_db, crest_db);
        a.reasons = HPA_REASON_INCONSISTENT;
        *out = a;
        return HPA_OK;
    }
    decide(&a, zk);
    hiss(s, &a);
    *out = a;
    return HPA_OK;
}

/* ------------------------------------------------------------------------ */
/* suggestions                                                              */

/* -1, 0 or 1 for ascending order of two figures, an unknown (NaN) last */
static int cmp_known(double x, double y)
{
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return (x > y) - (x < y);
}

/* 1 if pick x goes before pick y: more headroom first, then table order; for
 * an IEM less hiss, then a lower output impedance, then less attenuation */
static int before(const hpa_advise_pick *x, const hpa_advise_pick *y, int iem)
{
    if (iem) {
        int c = cmp_known(x->hiss_spl_db, y->hiss_spl_db);
        if (!c)
            c = cmp_known(x->zout_ohm, y->zout_ohm);
        if (!c)
            c = cmp_known(x->attenuation_db, y->attenuation_db);
        if (c)
            return c < 0;
    } else if (x->headroom_db != y->headroom_db) {
        return x->headroom_db > y->headroom_db;
    }
    return x->index < y->index;
}

int hpa_advise_suggest(const hpa_db *db, const hpa_db_headphone *h, double level_db, double crest_db, size_t skip,
                       hpa_advise_pick *picks, size_t cap, size_t *total)
{
    if (!db || !h || !total || (cap && !picks) || !target_ok(level_db, crest_db))
        return HPA_ERR_INVALID_ARG;
    size_t n_all = 0, n = 0;
    size_t count = hpa_db_count(db, HPA_DB_SOURCES);
    const int iem = h->type == HPA_DB_TYPE_IEM;
    if (!h->active) {
        for (size_t i = 0; i < count; i++) {
            const hpa_db_source *s = hpa_db_source_at(db, i);
            if (!s || i == skip || !strcmp(s->origin, "ad-hoc spec"))
                continue;
            hpa_advice a;
            if (hpa_advise(h, s, level_db, crest_db, &a) != HPA_OK || a.verdict != HPA_VERDICT_NOT_NEEDED)
                continue;
            hpa_advise_pick p = {
                i,          a.headroom_db, a.max_spl_db,    a.limit, !(a.reasons & HPA_REASON_ZOUT_UNKNOWN),
                a.zout_ohm, a.hiss_spl_db, a.attenuation_db};
            n_all++;
            /* insertion into the best cap so far */
            size_t at = n;
            while (at > 0 && before(&p, &picks[at - 1], iem))
                at--;
            if (at >= cap)
                continue;
            size_t last = n < cap ? n : cap - 1;
            for (size_t k = last; k > at; k--)
                picks[k] = picks[k - 1];
            picks[at] = p;
            if (n < cap)
                n++;
        }
    }
    *total = n_all;
    return HPA_OK;
}

/* ------------------------------------------------------------------------ */
/* names                                                                    */

const char *hpa_verdict_name(hpa_verdict v)
{
    switch (v) {
    case HPA_VERDICT_UNKNOWN: return "unknown";
    case HPA_VERDICT_NOT_NEEDED: return "not-needed";
    case HPA_VERDICT_RECOMMENDED: return "recommended";
    case HPA_VERDICT_REQUIRED: return "required";
    }
    return NULL;
}

const char *hpa_reason_code(unsigned reason)
{
    static const char *const codes[HPA_REASON_COUNT] = {
        "own-amplifier",         "enough-headroom",          "low-output-impedance", "cannot-reach-level",
        "clips-peaks",           "little-headroom",          "current-limited",      "high-output-impedance",
        "response-deviation",    "output-impedance-unknown", "sensitivity-unknown",  "impedance-unknown",
        "source-output-unknown", "inconsistent-figures",     "audible-hiss",
    };
    for (unsigned i = 0; i < HPA_REASON_COUNT; i++)
        if (reason == 1u << i)
            return codes[i];
    return NULL;
}
