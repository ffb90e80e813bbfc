/* safety.h — the hearing-protection rules of every front end (play, amp,
 * the page, the plugin), in one place.
 *
 * Levels, all in dBFS of the chain's volume (a full-scale sine, 0 dBFS RMS
 * per AES17, reaches `v` dBFS at volume v):
 *   start    where playback ramps to from silence when no --volume is given;
 *   loud     above it the listener must acknowledge (--i-understand-loud, or
 *            the key '!'), asked again after 20 h of listening (dose.h);
 *   ceiling  the most the volume may be (--max-volume, and with a known pair
 *            the volume that plays a full-scale sine at the SPL ceiling);
 *   limit    the true-peak ceiling of the chain's limiter, its last stage
 *            before requantization: whatever the input (square waves,
 *            inter-sample overs, floats above full scale) and whatever the
 *            volume, the output's true peak stays at or below it.
 *
 * Unknown headphone or source: start = loud = −30 dBFS; ceiling = limit =
 * --max-volume (0 dBFS by default).
 * Known pair (the model of advise: SPL at the ear of a 0 dBFS sine at full
 * volume, spl0): start = loud = 85 − spl0 (85 dBA, the acknowledgement level
 * of EN 50332-3 / IEC 62368-1); limit = ceiling = min(0, 100 − spl0,
 * --max-volume) (100 dBA, the EN 50332-2 maximum). */
#ifndef HPAMP_SAFETY_H
#define HPAMP_SAFETY_H

#include <hpamp/db.h>
#include <hpamp/model.h>
#include <hpamp/params.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HPA_SAFE_START_UNKNOWN_DB (-30.0)
#define HPA_SAFE_LOUD_SPL_DB 85.0     /* acknowledgement above (EN 50332-3, IEC 62368-1 RS1) */
#define HPA_SAFE_CEILING_SPL_DB 100.0 /* hard ceiling (EN 50332-2 / IEC 62368-1 RS2) */
/* the chain limiter's lowest ceiling, from the parameter table */
#define HPA_LIMIT_MIN_DBTP (hpa_param_info_get(HPA_PARAM_LIMITER_CEILING_DBTP)->min_value)

typedef struct hpa_safety {
    double start_db;
    double loud_db;
    double ceiling_db;
    double limit_dbtp; /* the limiter's ceiling (clamped to -30 .. 0) */
    int spl_known;     /* 1 with a model: spl0_db is valid */
    double spl0_db;    /* dB SPL at the ear of a 0 dBFS sine at volume 0 dB */
    char basis[640];   /* one line: where the numbers come from */
} hpa_safety;

/* Levels for an unknown headphone and source, under a ceiling. */
HPA_API void hpa_safety_unknown(hpa_safety *s, double ceiling_db);

/* Levels for a known pair: spl0_db as above, max_volume_db from --max-volume,
 * ceiling_spl_db the SPL ceiling (HPA_SAFE_CEILING_SPL_DB). */
HPA_API void hpa_safety_from_model(hpa_safety *s, double spl0_db, double max_volume_db, double ceiling_spl_db);

/* The volume a request may have: capped at the ceiling, and at `loud` unless
 * acknowledged. */
HPA_API double hpa_safety_allow(const hpa_safety *s, double want_db, int acknowledged);

/* [any] The one definition of "SPL at 0 dBFS": the dB SPL at the ear of a
 * full-scale (0 dBFS) sine at volume 0 dB, from the model (model.h:
 * hpa_operating_point_at on gain_index, the load at the headphone's
 * sensitivity frequency).  HPA_OK, or the model's error when a figure it
 * needs is missing. */
HPA_API int hpa_spl_at_full_scale(const hpa_headphone *hp, const hpa_source *src, unsigned gain_index, double *spl_db);

/* What hpa_safety_from_gear found. */
typedef enum hpa_safety_gear {
    HPA_SAFETY_GEAR_KNOWN = 0,   /* levels from the model */
    HPA_SAFETY_GEAR_ACTIVE,      /* the headphone has its own amplifier: levels as unknown */
    HPA_SAFETY_GEAR_UNKNOWN_SPL, /* a figure the model needs is missing: levels as unknown */
    HPA_SAFETY_GEAR_TOO_LOUD     /* the SPL ceiling would be below the limiter's lowest: refuse to play */
} hpa_safety_gear;

/* [any] Levels for a pair from the database: the model's SPL at 0 dBFS,
 * then hpa_safety_from_model, or hpa_safety_unknown as the result says.
 * With HPA_SAFETY_GEAR_TOO_LOUD s holds the model's levels (ceiling_db below
 * HPA_LIMIT_MIN_DBTP) and must not be played with. */
HPA_API hpa_safety_gear hpa_safety_from_gear(hpa_safety *s, const hpa_db_headphone *h, const hpa_db_source *src,
                                             double max_volume_db);

#ifdef __cplusplus
}
#endif

#endif
