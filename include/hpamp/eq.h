/* eq.h — libhpamp's parametric equaliser: any number of biquads in float64.
 *
 * Coefficients come from Robert Bristow-Johnson's "Cookbook formulae for
 * audio EQ biquad filter coefficients" (the Audio EQ Cookbook); docs/eq.md
 * lists every formula and its source.  The filter types and their defaults
 * are those of Equalizer APO, so that AutoEq's ParametricEQ.txt and the APO
 * lines users paste sound the same here.
 *
 *   hpa_eq_band     one band as a user writes it (type, frequency, gain, width)
 *   hpa_eq_design   one band -> normalised biquad coefficients for a rate
 *   hpa_eq_response the complex response of a band set at any frequency
 *   hpa_eq          a processor: N interleaved channels of doubles, in place
 *   hpa_eq_parse    AutoEq / Equalizer APO text -> bands, preamp, GraphicEQ points
 *   hpa_eq_fit_graphic  a GraphicEQ curve -> peaking filters and two shelves
 *
 * Thread classes as in hpamp.h: [non-RT] may allocate; [RT] never allocates,
 * locks or blocks; [any] is safe from any thread at any time (the [any]
 * functions here only read their arguments and never allocate).
 */
#ifndef HPAMP_EQ_H
#define HPAMP_EQ_H

#include <stddef.h>
#include <stdint.h>

#include <hpamp/hpamp.h>
#include <hpamp/chain.h> /* HPA_RATE_MIN_HZ/MAX_HZ, HPA_CHANNELS_MAX */

#ifdef __cplusplus
extern "C" {
#endif

/* Filter types, named as in Equalizer APO. */
typedef enum hpa_eq_type {
    HPA_EQ_PK = 0, /* peaking: gain_db at freq_hz; width q or bw_oct (required) */
    HPA_EQ_LSC,    /* low shelf; freq_hz is the centre (half-gain) frequency; q or slope_db, default S = 0.9 */
    HPA_EQ_HSC,    /* high shelf; as HPA_EQ_LSC */
    HPA_EQ_LS,     /* low shelf; with q or slope_db, freq_hz is the corner frequency (see docs/eq.md);
                      without a width it is HPA_EQ_LSC with S = 0.9, as in Equalizer APO */
    HPA_EQ_HS,     /* high shelf; as HPA_EQ_LS */
    HPA_EQ_LP,     /* 2nd-order low-pass at freq_hz; q or bw_oct, default Q = 1/sqrt(2) */
    HPA_EQ_HP,     /* 2nd-order high-pass; as HPA_EQ_LP */
    HPA_EQ_BP,     /* band-pass, 0 dB at freq_hz; q or bw_oct, default Q = 1/sqrt(2) */
    HPA_EQ_NO,     /* notch at freq_hz; q or bw_oct, default Q = 30 */
    HPA_EQ_AP,     /* 2nd-order all-pass centred on freq_hz; q or bw_oct (required) */
    HPA_EQ_TYPE_COUNT
} hpa_eq_type;

#define HPA_EQ_GAIN_MAX_DB 30.0                 /* |gain_db| of a band may not exceed this */
#define HPA_EQ_PREAMP_MIN_DB (-100.0)           /* the preamp of a band set: this .. */
#define HPA_EQ_PREAMP_MAX_DB 30.0               /* .. this, in the chain, in a file and in a preset */
#define HPA_EQ_FREQ_MIN_HZ 0.1                  /* lowest frequency of a band */
#define HPA_EQ_Q_MAX 1000.0                     /* largest Q */
#define HPA_EQ_BW_MAX_OCT 10.0                  /* widest bandwidth in octaves */
#define HPA_EQ_MAX_BANDS 4096u                  /* most bands one processor holds */
#define HPA_EQ_DEFAULT_Q 0.70710678118654752440 /* LP, HP, BP without a width */
#define HPA_EQ_DEFAULT_NOTCH_Q 30.0             /* NO without a width */
#define HPA_EQ_DEFAULT_SHELF_S 0.9              /* shelves without a width */

/* One band.  Give at most one width: q, bw_oct (not for shelves) or slope_db
 * (shelves only); a zero width field is "not given", and with none given the
 * type's default applies.  gain_db is used by PK and the shelves and ignored
 * (may be anything finite) by the other types.  A designated initializer
 * reads naturally: {.type = HPA_EQ_PK, .freq_hz = 1000, .gain_db = -3, .q = 1.41}. */
typedef struct hpa_eq_band {
    hpa_eq_type type;
    double freq_hz;        /* centre, cut-off or corner frequency: >= 0.1 Hz and below Nyquist */
    double gain_db;        /* |gain_db| <= 30 */
    double q;              /* Q (0 < q <= 1000), or 0 */
    double bw_oct;         /* bandwidth in octaves (0 < bw_oct <= 10), or 0; becomes Q by the cookbook's relation */
    double slope_db;       /* shelf slope in dB/octave (> 0), or 0; S = slope_db / 12 */
    unsigned channel_mask; /* the channels the band filters: bit c for channel c (0 the first, as Equalizer
                            * APO's Channel: 1); 0 = every channel.  Bits for channels a processor does not
                            * have are ignored there.  The response functions below do not look at it: give
                            * them one channel's bands (hpa_eq_bands_for_channel). */
} hpa_eq_band;

/* [any] Copy the bands of `bands` that filter channel `channel` (0 ..
 * HPA_CHANNELS_MAX - 1: mask 0 or the channel's bit) into out, which has
 * room for n; returns how many. */
HPA_API size_t hpa_eq_bands_for_channel(const hpa_eq_band *bands, size_t n, unsigned channel, hpa_eq_band *out);

/* A biquad normalised so that a0 = 1:
 *   H(z) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2) */
typedef struct hpa_eq_coefs {
    double b0, b1, b2, a1, a2;
} hpa_eq_coefs;

/* Which band of a set was refused and why. */
typedef struct hpa_eq_fault {
    size_t band;        /* index into the band array */
    const char *reason; /* static English text, never NULL after a failure */
} hpa_eq_fault;

/* ---- bands and coefficients ---- */

/* [any] "PK", "LSC", ... for a type; NULL when out of range. */
HPA_API const char *hpa_eq_type_name(hpa_eq_type type);

/* [any] A type from its Equalizer APO name, case-insensitively, aliases
 * included (PEQ and Modal are PK, LPQ is LP, HPQ is HP); HPA_ERR_INVALID_ARG
 * when unknown. */
HPA_API int hpa_eq_type_from_name(const char *name);

/* [any] Check one band.  rate_hz 0 skips the checks that need a rate (Nyquist,
 * the shifted centre of a corner shelf, stability); otherwise the band must
 * make a stable biquad at that rate.  Returns HPA_OK, HPA_ERR_RATE (rate
 * outside 8 kHz .. 768 kHz) or HPA_ERR_INVALID_ARG; *reason (if not NULL)
 * receives a static explanation, or NULL on success. */
HPA_API int hpa_eq_band_check(const hpa_eq_band *band, double rate_hz, const char **reason);

/* [any] Check n bands; on failure *fault (if not NULL) names the first bad
 * band and the reason. */
HPA_API int hpa_eq_bands_check(const hpa_eq_band *bands, size_t n, double rate_hz, hpa_eq_fault *fault);

/* [any] The biquad of one band at rate_hz (8 kHz .. 768 kHz).  Same return
 * codes and reasons as hpa_eq_band_check. */
HPA_API int hpa_eq_design(const hpa_eq_band *band, double rate_hz, hpa_eq_coefs *out, const char **reason);

/* [any] The complex response of a cascade of n biquads at freq_hz
 * (0 .. rate_hz/2).  n = 0 gives 1. */
HPA_API void hpa_eq_coefs_response(const hpa_eq_coefs *coefs, size_t n, double freq_hz, double rate_hz, double *re,
                                   double *im);

/* [any] The complex response of a band set at freq_hz (0 .. rate_hz/2);
 * re or im may be NULL.  Fails like hpa_eq_bands_check. */
HPA_API int hpa_eq_response(const hpa_eq_band *bands, size_t n, double rate_hz, double freq_hz, double *re, double *im);

/* [any] The magnitude in dB of a band set at `count` frequencies (for plots
 * and headroom); a zero of the response gives -HUGE_VAL.  Each band is designed
 * once per call.  freqs_hz and db must not overlap. */
HPA_API int hpa_eq_response_db(const hpa_eq_band *bands, size_t n, double rate_hz, const double *freqs_hz, double *db,
                               size_t count);

/* [any] The largest magnitude of a band set between lo_hz and hi_hz
 * (0 <= lo_hz <= hi_hz <= rate_hz/2; 0 and rate_hz/2 for everything), in dB,
 * and where it is (either pointer may be NULL).  Searched in log frequency
 * cell by cell, the bands far from a cell by Chebyshev interpolation and the
 * near ones exactly, every local maximum refined by golden-section search and
 * the best evaluated again exactly (docs/eq.md): the same value as
 * hpa_eq_response_db gives there, within 1e-9 dB of the true maximum, in time
 * linear in the band count (4096 bands: tens of ms); allocates nothing.  This is
 * the headroom an EQ needs; AutoEq's Preamp is minus this over 20 Hz .. 20 kHz. */
HPA_API int hpa_eq_peak_db(const hpa_eq_band *bands, size_t n, double rate_hz, double lo_hz, double hi_hz,
                           double *peak_db, double *at_hz);

/* ---- the processor ---- */

typedef struct hpa_eq_config {
    double rate_hz;                 /* 8000 .. 768000 */
    unsigned channels;              /* 1 .. HPA_CHANNELS_MAX, interleaved */
    size_t max_bands;               /* room for this many bands (hpa_eq_set_bands); 0: the initial count */
    const hpa_allocator *allocator; /* NULL: malloc/free; copied */
} hpa_eq_config;

typedef struct hpa_eq hpa_eq;

/* [any] Defaults: 48 kHz, stereo, max_bands 0, malloc. */
HPA_API void hpa_eq_config_init(hpa_eq_config *cfg);

/* [any] Bytes a processor for cfg holding max(cfg->max_bands, n_bands) bands
 * needs (for hpa_eq_init); 0 when the config is invalid. */
HPA_API size_t hpa_eq_size(const hpa_eq_config *cfg, size_t n_bands);

/* [non-RT] Build a processor in caller memory `mem` (aligned as malloc,
 * `size` >= hpa_eq_size()), for embedding in a larger block.  Does not
 * allocate; hpa_eq_destroy() on it frees nothing.  On failure *out is NULL,
 * and for a bad band *fault (if not NULL) names it. */
HPA_API int hpa_eq_init(void *mem, size_t size, const hpa_eq_config *cfg, const hpa_eq_band *bands, size_t n_bands,
                        hpa_eq_fault *fault, hpa_eq **out);

/* [non-RT] Build a processor in one allocation.  Returns HPA_OK,
 * HPA_ERR_INVALID_ARG (NULL pointers, a bad band, max_bands too small or
 * above HPA_EQ_MAX_BANDS), HPA_ERR_RATE, HPA_ERR_CHANNELS or
 * HPA_ERR_NO_MEMORY; on failure *out is NULL. */
HPA_API int hpa_eq_create(const hpa_eq_config *cfg, const hpa_eq_band *bands, size_t n_bands, hpa_eq_fault *fault,
                          hpa_eq **out);

/* [non-RT] Free a processor made by hpa_eq_create; NULL is a no-op. */
HPA_API void hpa_eq_destroy(hpa_eq *eq);

/* [non-RT] Replace the band set (n_bands <= max_bands) without allocating.
 * Bands that keep their index keep their filter state; new ones start from
 * rest.  Not concurrently with hpa_eq_process: a live change belongs to the
 * chain, which builds a second processor and crossfades.  On failure nothing
 * changes. */
HPA_API int hpa_eq_set_bands(hpa_eq *eq, const hpa_eq_band *bands, size_t n_bands, hpa_eq_fault *fault);

/* [RT] Filter `frames` interleaved frames of buf in place (transposed direct
 * form II, state in double).  Every 1024 frames a section whose states are
 * both below 1e-30 is put to rest (no denormals; silence decays to exact
 * zeros); a state that became NaN, infinite or above 1e300 (from NaN, infinite
 * or overflowing input) resets the processor to rest and is counted.  The
 * output does not depend on how the audio is split into calls.  buf may be
 * NULL only when frames is 0. */
HPA_API int hpa_eq_process(hpa_eq *eq, double *buf, size_t frames);

/* [RT] Return every filter to rest. */
HPA_API void hpa_eq_reset(hpa_eq *eq);

/* [RT] Getters; call from the audio thread or while no process runs. */
HPA_API size_t hpa_eq_band_count(const hpa_eq *eq);
HPA_API int hpa_eq_get_coefs(const hpa_eq *eq, size_t band, hpa_eq_coefs *out);
HPA_API uint64_t hpa_eq_nan_resets(const hpa_eq *eq); /* times the state was reset for NaN/infinity */

/* ---- in the chain ---- */

/* The preamp_db of hpa_chain_set_eq that asks for automatic headroom. */
#define HPA_EQ_PREAMP_AUTO (-1000.0)

/* [non-RT] Give the chain a new band set (n_bands <= the config's
 * max_eq_bands; 0 bands: flat) and preamp.  It is built here, at the chain's
 * output rate, in memory the chain made at creation, and handed to the audio
 * thread through one atomic word; the audio thread crossfades from the old
 * set to the new over crossfade_ms, so a preset switch never clicks.  A set
 * given before the audio thread took the previous one replaces it.  Call from
 * one thread at a time (any thread but the audio thread).
 * preamp_db: HPA_EQ_PREAMP_MIN_DB .. HPA_EQ_PREAMP_MAX_DB (-100 .. +30 dB),
 * or HPA_EQ_PREAMP_AUTO: minus the largest gain of
 * the bands' combined response from 0 Hz to Nyquist (hpa_eq_peak_db), when
 * it is above 0 dB, so that the EQ cannot make a full-scale signal clip.
 * *preamp_out (if not NULL) receives the preamp used.  Returns HPA_OK,
 * HPA_ERR_INVALID_ARG (a bad band: see *fault), HPA_ERR_BUFFER_TOO_SMALL
 * (more bands than max_eq_bands). */
HPA_API int hpa_chain_set_eq(hpa_chain *chain, const hpa_eq_band *bands, size_t n_bands, double preamp_db,
                             double *preamp_out, hpa_eq_fault *fault);

/* [non-RT] hpa_chain_set_eq with a preamp per channel: channel c gets
 * preamp_db + channel_db[c] (channel_db NULL: all 0; HPA_CHANNELS_MAX
 * entries, those past the chain's channels unread), each within
 * HPA_EQ_PREAMP_MIN_DB .. HPA_EQ_PREAMP_MAX_DB.  With bands for some
 * channels only (channel_mask), HPA_EQ_PREAMP_AUTO takes the largest need of
 * any channel (bands' peak + channel_db) so that the channels keep their
 * balance.  May allocate a copy of the bands while it finds their peaks. */
HPA_API int hpa_chain_set_eq_channels(hpa_chain *chain, const hpa_eq_band *bands, size_t n_bands, double preamp_db,
                                      const double *channel_db, double *preamp_out, hpa_eq_fault *fault);

/* ---- parsing AutoEq and Equalizer APO text (no file I/O) ---- */

/* A point of a GraphicEQ curve. */
typedef struct hpa_eq_point {
    double freq_hz;
    double gain_db;
} hpa_eq_point;

typedef enum hpa_eq_severity {
    HPA_EQ_WARNING = 0, /* the line was skipped or a value ignored; the rest is usable */
    HPA_EQ_ERROR = 1    /* the text must not be used */
} hpa_eq_severity;

#define HPA_EQ_DIAG_MESSAGE_MAX 160

typedef struct hpa_eq_diag {
    size_t line; /* 1-based line of the text; 0 for the text as a whole */
    hpa_eq_severity severity;
    char message[HPA_EQ_DIAG_MESSAGE_MAX]; /* English, NUL-terminated; without file or line */
} hpa_eq_diag;

/* Caller-supplied storage for diagnostics. */
typedef struct hpa_eq_diags {
    hpa_eq_diag *items; /* room for `capacity` diagnostics; may be NULL when capacity is 0 */
    size_t capacity;
    size_t count;    /* out: diagnostics produced; beyond capacity only counted */
    size_t errors;   /* out */
    size_t warnings; /* out */
} hpa_eq_diags;

/* What a text holds.  The caller supplies the arrays; hpa_eq_parse fills them
 * and the counts.  Counts are totals even beyond capacity, so a first call
 * with capacities 0 sizes the arrays for a second. */
typedef struct hpa_eq_doc {
    hpa_eq_band *bands; /* in: room for bands_capacity bands (NULL if 0) */
    size_t *band_lines; /* in, optional: line of each band */
    size_t bands_capacity;
    hpa_eq_point *points; /* in: room for points_capacity GraphicEQ points (NULL if 0) */
    size_t points_capacity;
    size_t n_bands;     /* out: Filter lines that are ON, in order */
    size_t n_points;    /* out: GraphicEQ points, frequencies increasing */
    double preamp_db;   /* out: the sum of the Preamp lines (Equalizer APO adds them), 0 if none */
    int has_preamp;     /* out */
    int has_graphic_eq; /* out */
    /* out: Preamp lines under a Channel: selection (Equalizer APO applies
     * them to those channels only), added up per channel; preamp_db holds
     * the ones for every channel */
    double channel_preamp_db[HPA_CHANNELS_MAX];
    unsigned graphic_channel_mask; /* out: the Channel: selection the GraphicEQ line was under (0: all) */
} hpa_eq_doc;

/* [non-RT] Parse `len` bytes of AutoEq ParametricEQ.txt / GraphicEQ.txt or
 * Equalizer APO text (the grammar is in docs/eq.md): Preamp, Filter and
 * GraphicEQ lines; a comma is a decimal mark; comments (#) and blank lines
 * are skipped; other lines are skipped with a warning naming the line; a
 * malformed Preamp/Filter/GraphicEQ line is an error naming the line and the
 * reason.  text need not be NUL-terminated.  rate_hz > 0 also checks each
 * band against that rate (Nyquist); 0 checks only what needs no rate.
 * Never allocates and never prints.  Returns HPA_OK; HPA_ERR_INVALID_ARG when
 * the text had errors (see diags) or an argument is bad; HPA_ERR_RATE;
 * HPA_ERR_BUFFER_TOO_SMALL when there were no errors but bands or points did
 * not fit (the counts say how many there are). */
HPA_API int hpa_eq_parse(const char *text, size_t len, double rate_hz, hpa_eq_doc *doc, hpa_eq_diags *diags);

/* [any] The gain of a GraphicEQ curve at freq_hz: linear in dB between points
 * on a logarithmic frequency axis, flat beyond the ends; 0 for no points. */
HPA_API double hpa_eq_graphic_gain_db(const hpa_eq_point *points, size_t n, double freq_hz);

/* ---- a GraphicEQ curve as peaking filters ---- */

/* What hpa_eq_fit_graphic did and how close it came. */
typedef struct hpa_eq_fit_result {
    size_t n_bands;        /* bands of the fit (written, or needed when cap was too small) */
    size_t n_peaking;      /* of which peaking filters (the rest: a low and a high shelf) */
    size_t points_used;    /* points below the Nyquist frequency */
    size_t points_ignored; /* points at or above it: they cannot be realised and are left out */
    double lo_hz, hi_hz;   /* the band judged: 20 Hz .. min(20 kHz, 0.9 Nyquist) */
    double max_dev_db;     /* largest |fit - curve| over lo_hz .. hi_hz, dB */
    double max_dev_hz;     /* where it is */
    double rms_dev_db;     /* RMS of the deviation on a log-frequency grid over the same band */
} hpa_eq_fit_result;

/* [any] The most bands hpa_eq_fit_graphic can return at rate_hz (a cap that
 * is always enough); 0 for a rate outside 8 kHz .. 768 kHz. */
HPA_API size_t hpa_eq_fit_graphic_max_bands(double rate_hz);

/* [non-RT] Realise the GraphicEQ curve of n points (frequencies increasing,
 * as hpa_eq_parse gives them; interpolated as hpa_eq_graphic_gain_db does)
 * as a bank of biquads for rate_hz: a low shelf, a high shelf and peaking
 * filters at fixed log-spaced centres (1/6 to 1/12 octave apart: the
 * coarsest spacing that does about as well as any finer one), their gains
 * solved by damped Gauss-Newton least squares in dB at that rate (method
 * and accuracy in docs/eq.md).  Points at or above Nyquist are left out of
 * the curve (counted in res->points_ignored).  A flat curve gives 0 bands;
 * a constant one a low and a high shelf that together are exactly that
 * gain.  Every band has |gain_db| <= 30 and passes hpa_eq_bands_check at
 * rate_hz.  Deterministic.  Allocates its working memory (about 1 MB at
 * most) through `allocator` (NULL: malloc) and frees it before returning.
 * res (may be NULL) receives the counts and the deviation from the curve.
 * Returns HPA_OK; HPA_ERR_INVALID_ARG (pts NULL, n = 0, bands NULL with
 * cap > 0, a frequency not > 0 or not increasing, a value not finite);
 * HPA_ERR_RATE; HPA_ERR_NO_MEMORY; HPA_ERR_BUFFER_TOO_SMALL when the fit
 * needs more than cap bands (res->n_bands says how many; nothing written;
 * hpa_eq_fit_graphic_max_bands is always enough). */
HPA_API int hpa_eq_fit_graphic(const hpa_eq_point *pts, size_t n, double rate_hz, const hpa_allocator *allocator,
                               hpa_eq_band *bands, size_t cap, hpa_eq_fit_result *res);

/* ---- EQ text as an owned profile, in one call ---- */

/* A GraphicEQ curve fitted (hpa_eq_profile.graphic). */
typedef struct hpa_eq_graphic_info {
    int present;           /* the text has a GraphicEQ line */
    size_t points;         /* its points */
    hpa_eq_fit_result fit; /* valid when present */
    double constant_db;    /* the gain of a constant curve (fit.n_peaking 0, fit.n_bands 2) */
} hpa_eq_graphic_info;

#define HPA_EQ_PROFILE_DIAGS 32

/* EQ text loaded for one rate. */
typedef struct hpa_eq_profile {
    hpa_eq_band *bands; /* malloc'd: the Filter lines' bands, then the fitted curve's */
    size_t n_bands;
    double preamp_db; /* to use: the file's Preamp, but never less headroom than peak_db needs */
    double channel_preamp_db[HPA_CHANNELS_MAX]; /* added to preamp_db on each channel (Channel: sections'
                                                 * Preamp lines; hpa_chain_set_eq_channels); 0 without */
    int per_channel;                            /* some bands or Preamp lines are for some channels only */
    int file_has_preamp;
    double file_preamp_db;       /* what the text asked for */
    double peak_db, peak_hz;     /* the bands' combined response, 0 Hz .. Nyquist: largest gain and where (the
                              * loudest channel's, with Channel: sections) */
    hpa_eq_graphic_info graphic; /* the text's GraphicEQ curve, fitted */
    hpa_eq_diag diags[HPA_EQ_PROFILE_DIAGS]; /* the parser's first diagnostics */
    size_t n_diags, total_diags, errors, warnings;
    int error;        /* HPA_OK, or why the text cannot be used */
    char reason[200]; /* with error, when the diagnostics do not say it: one line, "" for HPA_ERR_NO_MEMORY */
} hpa_eq_profile;

/* [non-RT] Parse EQ text (hpa_eq_parse's grammar) at rate_hz, fit its
 * GraphicEQ curve, find the bands' peak (hpa_eq_peak_db) and the preamp they
 * need, and check the band count (HPA_EQ_MAX_BANDS) and that preamp
 * (HPA_EQ_PREAMP_MIN_DB at most).  HPA_OK with p filled (free it with
 * hpa_eq_profile_free); or p->error, with the diagnostics and p->reason
 * saying why (nothing to free). */
HPA_API int hpa_eq_profile_load(hpa_eq_profile *p, const char *text, size_t len, double rate_hz);

/* [non-RT] Free the bands; the counts and figures stay for a summary. */
HPA_API void hpa_eq_profile_free(hpa_eq_profile *p);

#ifdef __cplusplus
}
#endif

#endif
