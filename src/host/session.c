/* session.c — the listening policy (see session.h). */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <hpamp/host/session.h>
#include <hpamp/params.h>

struct hph_session {
    pthread_mutex_t lock;
    hph_session_config cfg;
    hph_session_target t;
    double target_db;
    int muted, eq_on, xf_on, acknowledged;
    /* the dose step */
    uint64_t last_frames;
    double last_energy[HPA_CHANNELS_MAX];
    double last_wall;
    double hundreds;
    double recorded_s, last_spl;
    int have_level;
};

hph_session *hph_session_new(const hph_session_config *cfg, const hph_session_target *target)
{
    hph_session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    pthread_mutex_init(&s->lock, NULL);
    s->cfg = *cfg;
    s->t = *target;
    s->target_db = fmin(cfg->start_db, cfg->safety.ceiling_db);
    s->eq_on = cfg->eq_on;
    s->xf_on = cfg->crossfeed_on;
    s->acknowledged = cfg->acknowledged || (cfg->dose && hph_dose_ack_valid(cfg->dose));
    s->hundreds = cfg->dose ? floor(hph_dose_percent(cfg->dose) / 100.0) : 0.0;
    s->last_spl = -INFINITY;
    return s;
}

/* a switch request: 1, 0 or -1 (toggle) applied to *state through set */
static hph_verdict toggle(hph_session *s, void (*set)(void *, int), int *state, double value, double *applied)
{
    if (!set)
        return HPH_UNAVAILABLE;
    int on = value < 0.0 ? !*state : value > 0.0;
    *state = on;
    set(s->t.user, on);
    if (applied)
        *applied = on;
    return HPH_DONE;
}

static hph_verdict volume(hph_session *s, double want, double *applied)
{
    const hpa_param_info *vol = hpa_param_info_get(HPA_PARAM_VOLUME_DB);
    const hpa_safety *sf = &s->cfg.safety;
    hph_verdict v = HPH_DONE;
    double allowed = hpa_safety_allow(sf, want, s->acknowledged);
    if (allowed < want)
        v = s->acknowledged || allowed >= sf->ceiling_db ? HPH_AT_CEILING : HPH_NEEDS_ACK;
    if (allowed < vol->min_value)
        allowed = vol->min_value;
    if (want > s->target_db && allowed < s->target_db)
        allowed = s->target_db; /* never a step down from a request meant to go up */
    s->target_db = allowed;
    s->t.set_volume_db(s->t.user, allowed);
    if (applied)
        *applied = allowed;
    return v;
}

hph_verdict hph_session_request(hph_session *s, hph_request what, double value, double *applied)
{
    if (isnan(value))
        return HPH_INVALID;
    pthread_mutex_lock(&s->lock);
    hph_verdict v = HPH_INVALID;
    switch (what) {
    case HPH_REQ_VOLUME_DB: v = volume(s, value, applied); break;
    case HPH_REQ_VOLUME_STEP: v = volume(s, s->target_db + value, applied); break;
    case HPH_REQ_MUTE: v = toggle(s, s->t.set_mute, &s->muted, value, applied); break;
    case HPH_REQ_EQ: v = toggle(s, s->t.set_eq, &s->eq_on, value, applied); break;
    case HPH_REQ_CROSSFEED: v = toggle(s, s->t.set_crossfeed, &s->xf_on, value, applied); break;
    case HPH_REQ_ACKNOWLEDGE:
        s->acknowledged = 1;
        if (s->cfg.dose)
            hph_dose_ack(s->cfg.dose, hph_dose_now());
        if (applied)
            *applied = 1.0;
        v = HPH_DONE;
        break;
    case HPH_REQ_SKIP:
        if (!s->t.skip) {
            v = HPH_UNAVAILABLE;
        } else {
            s->t.skip(s->t.user, value < 0.0 ? -1 : +1);
            v = HPH_DONE;
        }
        break;
    }
    pthread_mutex_unlock(&s->lock);
    return v;
}

void hph_session_tick(hph_session *s, uint64_t a_frames, const double *a_energy, unsigned channels, double now_s,
                      int final, hph_session_events *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->last_spl_a_db = -INFINITY;
    pthread_mutex_lock(&s->lock);
    hph_dose *d = s->cfg.dose;
    if (a_frames < s->last_frames) { /* a new chain: its count starts from 0 */
        s->last_frames = 0;
        memset(s->last_energy, 0, sizeof s->last_energy);
    }
    if (!d || a_frames == s->last_frames || !s->cfg.rate_hz)
        goto out;
    uint64_t n = a_frames - s->last_frames;
    if (!final && n < s->cfg.rate_hz && now_s - s->last_wall < 1.0)
        goto out;
    double e = 0.0;
    for (unsigned c = 0; c < channels && c < HPA_CHANNELS_MAX; c++) {
        double ec = a_energy[c] - s->last_energy[c];
        if (ec > e)
            e = ec;
        s->last_energy[c] = a_energy[c];
    }
    s->last_frames = a_frames;
    s->last_wall = now_s;
    /* dBFS per AES17 (a full-scale sine is 0 dB: mean square 1/2), to dB SPL by the model */
    double ms = e / (double)n;
    double spl = ms > 0.0 ? s->cfg.safety.spl0_db + 10.0 * log10(2.0 * ms) : -INFINITY;
    double secs = (double)n / s->cfg.rate_hz;
    s->last_spl = spl;
    s->have_level = 1;
    s->recorded_s += secs;
    hph_dose_add(d, hph_dose_now() - secs, secs, spl);
    ev->recorded = 1;
    ev->last_spl_a_db = spl;
    double h = floor(hph_dose_percent(d) / 100.0);
    if (h > s->hundreds) {
        s->hundreds = h;
        ev->dose_hundreds = h;
    }
    /* 20 h of listening since the acknowledgement: ask again */
    if (s->acknowledged && !s->cfg.acknowledged && !hph_dose_ack_valid(d)) {
        s->acknowledged = 0;
        ev->ack_expired = 1;
        if (s->target_db > s->cfg.safety.loud_db) {
            s->target_db = s->cfg.safety.loud_db;
            s->t.set_volume_db(s->t.user, s->target_db); /* ramped by the chain */
        }
    }
out:
    pthread_mutex_unlock(&s->lock);
}

void hph_session_state_get(hph_session *s, hph_session_state *st)
{
    pthread_mutex_lock(&s->lock);
    st->volume_db = s->target_db;
    st->muted = s->muted;
    st->eq_on = s->eq_on;
    st->crossfeed_on = s->xf_on;
    st->acknowledged = s->acknowledged;
    st->recorded_s = s->recorded_s;
    st->have_level = s->have_level;
    st->last_spl_a_db = s->last_spl;
    pthread_mutex_unlock(&s->lock);
}

void hph_session_retarget(hph_session *s, const hph_session_config *cfg)
{
    pthread_mutex_lock(&s->lock);
    const int eq_on = s->cfg.eq_on, xf_on = s->cfg.crossfeed_on;
    s->cfg = *cfg;
    s->cfg.eq_on = eq_on;
    s->cfg.crossfeed_on = xf_on;
    s->acknowledged = s->acknowledged || cfg->acknowledged || (cfg->dose && hph_dose_ack_valid(cfg->dose));
    if (cfg->dose)
        s->hundreds = floor(hph_dose_percent(cfg->dose) / 100.0);
    /* the new device's start level, never the old device's volume */
    s->target_db = -INFINITY;
    volume(s, cfg->start_db, NULL);
    pthread_mutex_unlock(&s->lock);
}

void hph_session_set_rate(hph_session *s, uint32_t rate_hz)
{
    pthread_mutex_lock(&s->lock);
    s->cfg.rate_hz = rate_hz;
    pthread_mutex_unlock(&s->lock);
}

void hph_session_destroy(hph_session *s)
{
    if (!s)
        return;
    pthread_mutex_destroy(&s->lock);
    free(s);
}
