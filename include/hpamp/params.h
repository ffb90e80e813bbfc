/* params.h — the one table of live parameters.
 *
 * Every parameter that may change while audio runs is described here once:
 * the CLI flags, plugin ports, web controls and docs are generated from this
 * table.  Values are doubles in the unit named by the table. */
#ifndef HPAMP_PARAMS_H
#define HPAMP_PARAMS_H

#include <hpamp/hpamp.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hpa_param_id {
    HPA_PARAM_VOLUME_DB = 0,        /* volume in dB, clamped to the chain's max_volume_db; the lowest
                                     * (-120 dB) is that gain, not silence: silence is HPA_PARAM_MUTE */
    HPA_PARAM_MUTE,                 /* 0 or 1; muting ramps like any volume change */
    HPA_PARAM_EQ_ENABLE,            /* 0 or 1; the EQ band set (hpa_chain_set_eq) in or out, crossfaded */
    HPA_PARAM_CROSSFEED_ENABLE,     /* 0 or 1; stereo chains only (others refuse 1), crossfaded */
    HPA_PARAM_CROSSFEED_FCUT_HZ,    /* crossfeed cut frequency, 300 .. 2000 Hz (libbs2b), whole hertz */
    HPA_PARAM_CROSSFEED_FEED_DB,    /* crossfeed level at low frequencies, 1 .. 15 dB, in 0.1 dB steps */
    HPA_PARAM_LIMITER_ENABLE,       /* 0 or 1; needs a chain made with limiter_lookahead_ms > 0 */
    HPA_PARAM_LIMITER_CEILING_DBTP, /* the limiter's ceiling in dB true peak, -30 .. 0 */
    HPA_PARAM_LOUDNESS_COMP_ENABLE, /* 0 or 1; loudness compensation (iso226.h): the chain stores it, the host
                                     * that knows the SPL at the ear applies it as EQ bands */
    HPA_PARAM_LOUDNESS_REF_PHON,    /* the level music is balanced for, 40 .. 90 phon (default 80) */
    HPA_PARAM_BALANCE_DB,           /* -12 .. +12 dB: positive turns the left down, negative the right (never a
                                     * boost); stereo chains only (others refuse non-zero), crossfaded */
    HPA_PARAM_MONO,                 /* 0 or 1; (L + R)/2 to both ears, before the EQ; stereo only, crossfaded */
    HPA_PARAM_COUNT
} hpa_param_id;

typedef struct hpa_param_info { /* NOLINT(clang-analyzer-optin.performance.Padding): public ABI, order fixed */
    hpa_param_id id;
    const char *symbol; /* stable machine name, e.g. "volume_db" */
    const char *name;   /* human name, e.g. "Volume" */
    const char *unit;   /* "dB", "" for switches */
    double min_value;
    double max_value;
    double default_value;
    int is_toggle;   /* 1 for on/off parameters */
    const char *doc; /* one sentence for --help and the docs */
} hpa_param_info;

/* [any] Number of parameters in the table (HPA_PARAM_COUNT). */
HPA_API int hpa_param_count(void);

/* [any] The table entry for id, or NULL when id is out of range. */
HPA_API const hpa_param_info *hpa_param_info_get(int id);

/* [any] The id whose symbol equals `symbol`, or HPA_ERR_UNKNOWN_PARAM. */
HPA_API int hpa_param_find(const char *symbol);

/* "LO..HI UNIT" ("-120..+24 dB", "300..2000 Hz") into buf; returns buf. */
HPA_API const char *hpa_range_text(double lo, double hi, const char *unit, char *buf, size_t len);
/* The range of parameter id from the table, as above: what --help, the
 * error messages and every front end say, so they never disagree with it. */
HPA_API const char *hpa_param_range_text(int id, char *buf, size_t len);
/* text as a value of parameter id inside the table's range: 0, or -1. */
HPA_API int hpa_param_parse(const char *text, int id, double *out);

#ifdef __cplusplus
}
#endif

#endif
