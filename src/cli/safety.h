/* safety.h — the hearing-protection rules of `hpamp play`, in one place.
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
#ifndef HPA_CLI_SAFETY_H
#define HPA_CLI_SAFETY_H

#include <hpamp/params.h>

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
void hpa_safety_unknown(hpa_safety *s, double ceiling_db);

/* Levels for a known pair: spl0_db as above, max_volume_db from --max-volume,
 * ceiling_spl_db the SPL ceiling (HPA_SAFE_CEILING_SPL_DB). */
void hpa_safety_from_model(hpa_safety *s, double spl0_db, double max_volume_db, double ceiling_spl_db);

/* The volume a request may have: capped at the ceiling, and at `loud` unless
 * acknowledged. */
double hpa_safety_allow(const hpa_safety *s, double want_db, int acknowledged);

#endif
