/* tuning.c — the user's EQ with the compensations added (tuning.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpamp/host/tuning.h>

int hph_tuning_init(hph_tuning *t, double rate_hz, const hpa_eq_band *user, size_t n_user, double user_preamp_db)
{
    memset(t, 0, sizeof *t);
    t->rate_hz = rate_hz;
    t->user = n_user ? user : NULL;
    t->n_user = n_user;
    t->user_preamp_db = user_preamp_db;
    t->listen_phon = NAN;
    t->cap = n_user + HPA_COMPENSATION_MAX_BANDS + HPA_LOUDNESS_COMP_BANDS;
    t->set = malloc(t->cap * sizeof *t->set);
    return t->set ? 0 : -1;
}

void hph_tuning_set_loudness(hph_tuning *t, double spl0_db, double ref_phon, double programme_lufs)
{
    t->loudness = 1;
    t->spl0_db = spl0_db;
    t->ref_phon = ref_phon;
    t->programme_lufs = programme_lufs;
    t->listen_phon = NAN;
}

int hph_tuning_set_compensation(hph_tuning *t, const hpa_headphone *hp, double zout_ohm, char *why, size_t why_len)
{
    t->n_comp = 0;
    if (zout_ohm <= 0.0)
        return 0; /* no divider: nothing changes */
    int err = hpa_compensation_fit(hp, zout_ohm, t->rate_hz, t->comp, HPA_COMPENSATION_MAX_BANDS, &t->comp_info);
    if (err != HPA_OK) {
        snprintf(why, why_len, "the output-impedance compensation: %s", hpa_strerror(err));
        return -1;
    }
    t->n_comp = t->comp_info.n_bands;
    t->listen_phon = NAN;
    return 0;
}

int hph_tuning_set_user(hph_tuning *t, const hpa_eq_band *user, size_t n_user, double user_preamp_db)
{
    size_t cap = n_user + HPA_COMPENSATION_MAX_BANDS + HPA_LOUDNESS_COMP_BANDS;
    if (cap > t->cap) {
        hpa_eq_band *set = realloc(t->set, cap * sizeof *set);
        if (!set)
            return -1;
        t->set = set;
        t->cap = cap;
    }
    t->user = n_user ? user : NULL;
    t->n_user = n_user;
    t->user_preamp_db = user_preamp_db;
    t->listen_phon = NAN; /* the next update makes the set again */
    return 0;
}

size_t hph_tuning_max_bands(const hph_tuning *t)
{
    return t->cap;
}

int hph_tuning_update(hph_tuning *t, double volume_db, char *why, size_t why_len)
{
    double listen = NAN;
    if (t->loudness) {
        listen = hpa_loudness_listen_phon(t->spl0_db, volume_db, t->programme_lufs);
        if (!isfinite(listen)) {
            snprintf(why, why_len, "the listening level is not a number");
            return -1;
        }
        if (listen > t->ref_phon) /* at or above the reference: flat */
            listen = t->ref_phon;
        if (listen == t->listen_phon)
            return 0;
    } else if (!isnan(t->listen_phon)) {
        return 0; /* fixed bands: made once */
    }
    size_t n = 0;
    if (t->n_user)
        memcpy(t->set, t->user, t->n_user * sizeof *t->set);
    n += t->n_user;
    memcpy(t->set + n, t->comp, t->n_comp * sizeof *t->set);
    n += t->n_comp;
    t->loud_rms_db = 0.0;
    if (t->loudness && listen < t->ref_phon) {
        size_t k = 0;
        int err = hpa_loudness_comp_bands(listen, t->ref_phon, t->rate_hz, t->set + n, t->cap - n, &k, &t->loud_rms_db);
        if (err != HPA_OK) {
            snprintf(why, why_len, "the loudness compensation at %.1f phon: %s", listen, hpa_strerror(err));
            return -1;
        }
        n += k;
    }
    double preamp = t->n_user ? t->user_preamp_db : 0.0;
    if (n > t->n_user) {
        double peak = 0.0;
        int err = hpa_eq_peak_db(t->set, n, t->rate_hz, 0.0, t->rate_hz / 2.0, &peak, NULL);
        if (err != HPA_OK) {
            snprintf(why, why_len, "the tuned EQ's headroom: %s", hpa_strerror(err));
            return -1;
        }
        /* with loudness compensation the set is made again at every step of
         * the volume: the room the volume leaves below full scale is used,
         * so that a bass boost at a low level does not lower the level too */
        const double room = t->loudness && volume_db < 0.0 ? -volume_db : 0.0;
        const double need = -peak + room;
        if (need < preamp)
            preamp = need;
    }
    if (preamp < HPA_EQ_PREAMP_MIN_DB)
        preamp = HPA_EQ_PREAMP_MIN_DB;
    t->n_set = n;
    t->preamp_db = preamp;
    t->listen_phon = t->loudness ? listen : 0.0;
    return 1;
}

void hph_tuning_free(hph_tuning *t)
{
    free(t->set);
    t->set = NULL;
}
