/* session.h — the listening policy, one for every front end: volume
 * requests through the safety rules (<hpamp/safety.h>), the acknowledgement
 * to go louder and its re-ask after 20 h of listening, and the sound dose
 * recorded each second.  Keys, the HTTP API and plugin ports all call
 * hph_session_request; the session passes what it allows to its target
 * (the player, the amp) through hph_session_target, whose calls reach the
 * audio thread through the chain's lock-free parameters.
 *
 * [non-RT] Every function; calls from several threads are serialised by
 * the session's own lock (the audio thread never takes it). */
#ifndef HPAMP_HOST_SESSION_H
#define HPAMP_HOST_SESSION_H

#include <stdint.h>

#include <hpamp/chain.h>
#include <hpamp/host/dose.h>
#include <hpamp/safety.h>

/* What a session drives. */
typedef struct hph_session_target {
    void *user;
    void (*set_volume_db)(void *user, double db); /* ramped by the chain */
    void (*set_mute)(void *user, int mute);
    void (*set_eq)(void *user, int on);        /* NULL: no EQ to switch */
    void (*set_crossfeed)(void *user, int on); /* NULL: no crossfeed to switch */
    void (*skip)(void *user, int delta);       /* NULL: nothing to skip */
} hph_session_target;

typedef enum hph_request {
    HPH_REQ_VOLUME_DB = 0, /* value: the volume wanted, dB */
    HPH_REQ_VOLUME_STEP,   /* value: a step from the volume now, dB */
    HPH_REQ_MUTE,          /* value: 1 mute, 0 unmute, -1 toggle */
    HPH_REQ_EQ,            /* the same three values */
    HPH_REQ_CROSSFEED,     /* the same */
    HPH_REQ_ACKNOWLEDGE,   /* the listener allows louder than the safe level (value ignored) */
    HPH_REQ_SKIP           /* value: +1 next, -1 previous */
} hph_request;

/* What became of a request. */
typedef enum hph_verdict {
    HPH_DONE = 0,    /* as asked */
    HPH_AT_CEILING,  /* capped at the ceiling */
    HPH_NEEDS_ACK,   /* capped at the safe level: louder needs HPH_REQ_ACKNOWLEDGE */
    HPH_UNAVAILABLE, /* nothing to switch (no EQ, no crossfeed, nothing to skip) */
    HPH_INVALID      /* an unknown request or a value that is not a number */
} hph_verdict;

typedef struct hph_session_config {
    hpa_safety safety;
    double start_db;  /* the level the start ramp goes to (at most the ceiling) */
    int acknowledged; /* given at the start (--i-understand-loud): never expires */
    hph_dose *dose;   /* the journal to record into (NULL: none); the session does not close it */
    uint32_t rate_hz; /* of the frames the dose is measured on */
    int eq_on, crossfeed_on;
} hph_session_config;

/* Events of hph_session_tick, for the front end to tell the listener. */
typedef struct hph_session_events {
    int recorded;         /* a dose record was written */
    double dose_hundreds; /* > 0: the dose has just reached this many times 100 % */
    int ack_expired;      /* 20 h of listening since the acknowledgement: back to the safe level */
    double last_spl_a_db; /* the last record's dB(A) SPL (-inf in silence), with recorded */
} hph_session_events;

/* What the session holds now. */
typedef struct hph_session_state {
    double volume_db; /* the target */
    int muted, eq_on, crossfeed_on;
    int acknowledged;
    double recorded_s; /* seconds of dose recorded */
    int have_level;
    double last_spl_a_db; /* the last second's dB(A) SPL at the ear */
} hph_session_state;

typedef struct hph_session hph_session;

/* A session over target, starting at cfg->start_db; NULL when out of memory. */
hph_session *hph_session_new(const hph_session_config *cfg, const hph_session_target *target);

/* Ask for something; *applied (may be NULL) receives the value that holds
 * after it (the volume in dB, or the switch's state). */
hph_verdict hph_session_request(hph_session *s, hph_request what, double value, double *applied);

/* The dose step: a_frames output frames A-weighted so far and their
 * per-channel A-weighted sums of squares (cumulative, 1.0 = full scale), at
 * monotonic time now_s.  A count lower than the last one is a new chain's
 * (a new device, a new rate): counted from 0 again.  Each second of output (or all of it, with final)
 * becomes one journal record at the louder channel's dB(A) SPL; with the
 * 20 h re-ask the volume comes back to the safe level. */
void hph_session_tick(hph_session *s, uint64_t a_frames, const double *a_energy, unsigned channels, double now_s,
                      int final, hph_session_events *ev);

void hph_session_state_get(hph_session *s, hph_session_state *st);

/* A new device behind the same listener (the amp moved to another output):
 * its safety, start level, journal (NULL: none) and rate from cfg.  The
 * volume goes to cfg->start_db as the new safety allows it (the old
 * device's volume is never carried over); an acknowledgement given on this
 * session holds, as does cfg->acknowledged; mute, EQ and crossfeed keep
 * their states (cfg->eq_on and crossfeed_on are not read).  Call
 * hph_session_tick with final first to record the last device's rest. */
void hph_session_retarget(hph_session *s, const hph_session_config *cfg);

/* The same device with a new chain at rate_hz (the graph's rate changed);
 * the volume stays. */
void hph_session_set_rate(hph_session *s, uint32_t rate_hz);

void hph_session_destroy(hph_session *s);

#endif
