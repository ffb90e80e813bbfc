/* gainstage.c — a DAC's line out into an amp and its gain settings: where
 * the amp clips against the DAC's full scale, the loudest clean level on
 * each setting, which setting to use, and where the digital volume sits.
 * Formulas: docs/advise.md ("Gain staging"). */
#include <math.h>
#include <string.h>

#include <hpamp/advise.h>

static int known_pos(double x)
{
    return isfinite(x) && x > 0.0;
}

/* the amp as it behaves behind this DAC on one setting: a record whose
 * voltage is min(its own clipping voltage, the DAC's full scale × gain),
 * open circuit; its power ratings stay (they tell its current limit), and
 * its noise, when only its SNR is known, is taken against its own full
 * output (the SNR's reference), not the lowered one */
static hpa_db_source chain_record(const hpa_db_source *amp, double amp_voc, double drive_v)
{
    hpa_db_source r = *amp;
    r.vout_max_rms_v = fmin(amp_voc, drive_v);
    r.vout_load_ohm = NAN;
    if (!known_pos(r.noise_uv) && known_pos(r.snr_db))
        r.noise_uv = (known_pos(r.snr_ref_v) ? r.snr_ref_v : amp_voc) * pow(10.0, -r.snr_db / 20.0) * 1e6;
    return r;
}

int hpa_advise_chain(const hpa_db_headphone *h, const hpa_db_source *dac, const hpa_db_source *amp,
                     const double *gains_db, unsigned n_gains, int gain_index, double level_db, double crest_db,
                     hpa_chain_advice *out)
{
    if (!h || !dac || !amp || !gains_db || !out || n_gains < 1 || n_gains > HPA_DB_MAX_GAINS ||
        (gain_index >= 0 && (unsigned)gain_index >= n_gains))
        return HPA_ERR_INVALID_ARG;
    for (unsigned i = 0; i < n_gains; i++)
        if (!isfinite(gains_db[i]) || gains_db[i] < -40.0 || gains_db[i] > 60.0)
            return HPA_ERR_INVALID_ARG;
    hpa_chain_advice c;
    memset(&c, 0, sizeof c);
    c.dac_v = c.amp_voc_v = c.digital_atten_db = c.bits_lost = NAN;
    c.n_gains = n_gains;
    for (unsigned i = 0; i < n_gains; i++) {
        c.gain_db[i] = gains_db[i];
        c.drive_v[i] = c.clip_margin_db[i] = c.max_spl_db[i] = NAN;
    }
    c.chosen = gain_index >= 0 ? (unsigned)gain_index : 0;
    c.chosen_auto = gain_index < 0;

    /* the DAC's full scale and the amp's own limit, as the model has them */
    hpa_source ds, as;
    int dk = hpa_advise_source(dac, &ds, NULL, NULL) == HPA_OK && hpa_source_voc_max(&ds, &c.dac_v) == HPA_OK;
    int ak = hpa_advise_source(amp, &as, NULL, NULL) == HPA_OK && hpa_source_voc_max(&as, &c.amp_voc_v) == HPA_OK;
    if (!dk || !ak || h->active) {
        /* the verdict says what is missing (or that the headphone drives itself) */
        int e = hpa_advise(h, dk ? amp : dac, level_db, crest_db, &c.advice);
        if (e != HPA_OK)
            return e;
        if (!h->active)
            c.advice.verdict = HPA_VERDICT_UNKNOWN;
        *out = c;
        return HPA_OK;
    }

    /* every setting: what full scale asks, where the amp clips, the loudest clean level */
    int clean = -1;
    for (unsigned i = 0; i < n_gains; i++) {
        c.drive_v[i] = c.dac_v * pow(10.0, gains_db[i] / 20.0);
        c.clip_margin_db[i] = 20.0 * log10(c.amp_voc_v / c.drive_v[i]);
        hpa_db_source r = chain_record(amp, c.amp_voc_v, c.drive_v[i]);
        hpa_advice a;
        int e = hpa_advise(h, &r, level_db, crest_db, &a);
        if (e != HPA_OK)
            return e;
        c.max_spl_db[i] = a.max_spl_db;
        /* the lowest setting that keeps the peaks clean */
        if (isfinite(a.headroom_db) && a.headroom_db >= 0.0 && (clean < 0 || gains_db[i] < gains_db[clean]))
            clean = (int)i;
    }
    if (gain_index < 0) {
        if (clean >= 0) {
            c.chosen = (unsigned)clean;
        } else {
            unsigned hi = 0;
            for (unsigned i = 1; i < n_gains; i++)
                if (gains_db[i] > gains_db[hi])
                    hi = i;
            c.chosen = hi;
        }
    }
    hpa_db_source r = chain_record(amp, c.amp_voc_v, c.drive_v[c.chosen]);
    int e = hpa_advise(h, &r, level_db, crest_db, &c.advice);
    if (e != HPA_OK)
        return e;
    if (c.advice.noise_from == HPA_NOISE_STATED && !known_pos(amp->noise_uv))
        c.advice.noise_from = HPA_NOISE_SNR; /* chain_record's figure came from the amp's SNR */
    /* the digital volume at the listening level, below the unclipped full scale */
    const hpa_advice *a = &c.advice;
    if (isfinite(a->sens_db_per_v) && isfinite(a->load_ohm)) {
        double zo = isfinite(a->zout_ohm) ? a->zout_ohm : 0.0;
        double full = a->sens_db_per_v + 20.0 * log10(c.drive_v[c.chosen] * a->load_ohm / (a->load_ohm + zo));
        c.digital_atten_db = full - level_db;
        c.bits_lost = c.digital_atten_db / (20.0 * log10(2.0));
    }
    *out = c;
    return HPA_OK;
}
