/* safety.h — the hearing-protection rules of `hpamp play`, in one place.
 *
 * Three levels, all in dBFS of the chain's volume:
 *   start    where playback ramps to from silence when no --volume is given;
 *   loud     above it the listener must acknowledge (--i-understand-loud, or
 *            the key '!'); EN 60950-1/EN 60065 style: the default is safe;
 *   ceiling  the hard maximum (--max-volume): the chain's max_volume_db, so
 *            no key, flag or preset can go above it.
 *
 * Today the headphone and source are unknown: start = loud = −30 dBFS, the
 * ceiling is --max-volume (0 dBFS by default).  With the model (issue 5, the
 * advise work), hpa_safety_from_model will put `start` and `loud` at 85 dBA
 * and the ceiling at 100 dBA (EN 50332) for the known headphone on the known
 * source, and the acknowledgement will expire after 20 h of listening; the
 * callers below do not change. */
#ifndef HPA_CLI_SAFETY_H
#define HPA_CLI_SAFETY_H

#define HPA_SAFE_START_UNKNOWN_DB (-30.0)

typedef struct hpa_safety {
    double start_db;
    double loud_db;
    double ceiling_db;
    char basis[160]; /* one line: where the numbers come from */
} hpa_safety;

/* Levels for an unknown headphone and source, under a ceiling. */
void hpa_safety_unknown(hpa_safety *s, double ceiling_db);

/* The volume a request may have: capped at the ceiling, and at `loud` unless
 * acknowledged. */
double hpa_safety_allow(const hpa_safety *s, double want_db, int acknowledged);

#endif
