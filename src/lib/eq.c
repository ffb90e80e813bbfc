/* eq.c — the parametric equaliser: band checks, Audio EQ Cookbook biquads,
 * responses, and the [RT] processor.
 *
 * Coefficients: Robert Bristow-Johnson, "Cookbook formulae for audio EQ biquad
 * filter coefficients" (formulas in docs/eq.md).  Filter types, defaults and
 * the corner-frequency shelves follow Equalizer APO so that files written for
 * it sound the same here.
 *
 * Structure: transposed direct form II, state in double.  TDF2 keeps two
 * state values per section and channel (direct form I keeps four) and costs
 * the fewest operations per sample; its weakness, internal states larger
 * than the signal in low-frequency high-Q sections, is a fixed-point concern:
 * in double its round-off stays near -300 dBFS.  Direct form I's advantage,
 * tolerating coefficient changes mid-stream, is not needed: a new band set is
 * a new processor and the chain crossfades.
 */
#include <math.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <hpamp/eq.h>

#include "internal.h"

#define EQ_PI 3.14159265358979323846
#define EQ_LN2 0.69314718055994530942

/* Flush states below this (about -600 dBFS) to zero so that decaying filters
 * never reach denormal numbers; a state above EQ_STATE_HUGE or NaN resets. */
#define EQ_STATE_TINY 1e-30
#define EQ_STATE_HUGE 1e300
/* Frames processed between two flushes: short enough that no state can decay
 * from EQ_STATE_TINY into the denormal range (below 2.2e-308) in between
 * unless its pole is so fast that it passes through in a few samples. */
#define EQ_CHUNK_FRAMES 1024u

static const char *const type_names[HPA_EQ_TYPE_COUNT] = {
    [HPA_EQ_PK] = "PK", [HPA_EQ_LSC] = "LSC", [HPA_EQ_HSC] = "HSC", [HPA_EQ_LS] = "LS", [HPA_EQ_HS] = "HS",
    [HPA_EQ_LP] = "LP", [HPA_EQ_HP] = "HP",   [HPA_EQ_BP] = "BP",   [HPA_EQ_NO] = "NO", [HPA_EQ_AP] = "AP",
};

const char *hpa_eq_type_name(hpa_eq_type type)
{
    return ((unsigned)type < HPA_EQ_TYPE_COUNT) ? type_names[type] : NULL;
}

static int ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int same_name(const char *a, const char *b)
{
    while (*a && *b && ascii_lower((unsigned char)*a) == ascii_lower((unsigned char)*b))
        a++, b++;
    return *a == 0 && *b == 0;
}

int hpa_eq_type_from_name(const char *name)
{
    static const struct {
        const char *name;
        hpa_eq_type type;
    } aliases[] = {{"PEQ", HPA_EQ_PK}, {"Modal", HPA_EQ_PK}, {"LPQ", HPA_EQ_LP}, {"HPQ", HPA_EQ_HP}};
    if (!name)
        return HPA_ERR_INVALID_ARG;
    for (int i = 0; i < HPA_EQ_TYPE_COUNT; i++)
        if (same_name(name, type_names[i]))
            return i;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (same_name(name, aliases[i].name))
            return (int)aliases[i].type;
    return HPA_ERR_INVALID_ARG;
}

/* ------------------------------------------------------------------------ */
/* band checks and design                                                   */

static int is_shelf(hpa_eq_type t)
{
    return t == HPA_EQ_LSC || t == HPA_EQ_HSC || t == HPA_EQ_LS || t == HPA_EQ_HS;
}

static int uses_gain(hpa_eq_type t)
{
    return t == HPA_EQ_PK || is_shelf(t);
}

static int rate_ok(double rate_hz)
{
    return rate_hz >= (double)HPA_RATE_MIN_HZ && rate_hz <= (double)HPA_RATE_MAX_HZ; /* false for NaN */
}

/* The checks that need no sample rate; returns a reason or NULL. */
static const char *check_static(const hpa_eq_band *b)
{
    if ((unsigned)b->type >= HPA_EQ_TYPE_COUNT)
        return "unknown filter type";
    if (!isfinite(b->freq_hz))
        return "frequency is not a finite number";
    if (b->freq_hz <= 0.0)
        return "frequency must be > 0 Hz";
    if (b->freq_hz < HPA_EQ_FREQ_MIN_HZ)
        return "frequency below 0.1 Hz is not supported";
    if (!isfinite(b->gain_db))
        return "gain is not a finite number";
    if (uses_gain(b->type) && fabs(b->gain_db) > HPA_EQ_GAIN_MAX_DB)
        return "gain beyond +-30 dB";
    if (!isfinite(b->q))
        return "Q is not a finite number";
    if (b->q < 0.0)
        return "Q must be > 0";
    if (b->q > HPA_EQ_Q_MAX)
        return "Q above 1000";
    if (!isfinite(b->bw_oct))
        return "bandwidth is not a finite number";
    if (b->bw_oct < 0.0)
        return "bandwidth must be > 0 octaves";
    if (b->bw_oct > HPA_EQ_BW_MAX_OCT)
        return "bandwidth above 10 octaves";
    if (!isfinite(b->slope_db))
        return "slope is not a finite number";
    if (b->slope_db < 0.0)
        return "slope must be > 0 dB/octave";
    int widths = (b->q > 0.0) + (b->bw_oct > 0.0) + (b->slope_db > 0.0);
    if (widths > 1)
        return "give only one of Q, bandwidth and slope";
    if (b->slope_db > 0.0 && !is_shelf(b->type))
        return "a slope applies to shelf filters only";
    if (b->bw_oct > 0.0 && is_shelf(b->type))
        return "a bandwidth in octaves does not apply to shelf filters (give Q or a slope)";
    if (widths == 0 && (b->type == HPA_EQ_PK || b->type == HPA_EQ_AP))
        return "peaking and all-pass filters need a Q > 0 or a bandwidth";
    if (b->channel_mask >> HPA_CHANNELS_MAX)
        return "the channel mask names a channel past the eighth";
    return NULL;
}

size_t hpa_eq_bands_for_channel(const hpa_eq_band *bands, size_t n, unsigned channel, hpa_eq_band *out)
{
    size_t k = 0;
    if (!bands || !out || channel >= HPA_CHANNELS_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!bands[i].channel_mask || (bands[i].channel_mask & (1u << channel)))
            out[k++] = bands[i];
    return k;
}

/* Check everything and, when out is not NULL, compute the coefficients.
 * rate_hz 0: only the static checks. */
static int design(const hpa_eq_band *b, double rate_hz, hpa_eq_coefs *out, const char **reason)
{
    const char *why = check_static(b);
    if (why) {
        *reason = why;
        return HPA_ERR_INVALID_ARG;
    }
    if (rate_hz == 0.0 && !out)
        return HPA_OK;
    if (!rate_ok(rate_hz)) {
        *reason = "sample rate outside 8 kHz .. 768 kHz";
        return HPA_ERR_RATE;
    }
    const double nyquist = 0.5 * rate_hz;
    if (b->freq_hz >= nyquist) {
        *reason = "frequency must be below the Nyquist frequency (half the sample rate)";
        return HPA_ERR_INVALID_ARG;
    }

    const hpa_eq_type t = b->type;
    /* A = 10^(dBgain/40) for peaking and shelves (cookbook). */
    const double A = uses_gain(t) ? pow(10.0, b->gain_db / 40.0) : 1.0;
    double f0 = b->freq_hz;
    enum { BY_Q, BY_BW, BY_S } width;
    double w = 0.0; /* Q, BW or S */
    if (is_shelf(t)) {
        if (b->slope_db > 0.0)
            width = BY_S, w = b->slope_db / 12.0; /* S = 1 is 12 dB/octave */
        else if (b->q > 0.0)
            width = BY_Q, w = b->q;
        else
            width = BY_S, w = HPA_EQ_DEFAULT_SHELF_S;
        if ((t == HPA_EQ_LS || t == HPA_EQ_HS) && (b->slope_db > 0.0 || b->q > 0.0)) {
            /* Corner frequency (Equalizer APO, after the Behringer DCX2496):
             * the centre lies 10^(|gain| / (80 S)) above (LS) or below (HS).
             * With Q, S follows from the cookbook's S-Q relation. */
            double s = w;
            if (width == BY_Q)
                s = 1.0 / ((1.0 / (w * w) - 2.0) / (A + 1.0 / A) + 1.0);
            const double factor = pow(10.0, fabs(b->gain_db) / (80.0 * s));
            f0 = (t == HPA_EQ_LS) ? f0 * factor : f0 / factor;
            if (!(f0 < nyquist)) {
                *reason = "the corner frequency puts the shelf's centre at or above the Nyquist frequency";
                return HPA_ERR_INVALID_ARG;
            }
            if (!(f0 >= HPA_EQ_FREQ_MIN_HZ)) {
                *reason = "the corner frequency puts the shelf's centre below 0.1 Hz";
                return HPA_ERR_INVALID_ARG;
            }
        }
    } else if (b->bw_oct > 0.0) {
        width = BY_BW, w = b->bw_oct;
    } else if (b->q > 0.0) {
        width = BY_Q, w = b->q;
    } else {
        width = BY_Q, w = (t == HPA_EQ_NO) ? HPA_EQ_DEFAULT_NOTCH_Q : HPA_EQ_DEFAULT_Q;
    }

    const double w0 = 2.0 * EQ_PI * f0 / rate_hz;
    const double cw = cos(w0), sw = sin(w0);
    double alpha;
    switch (width) {
    case BY_Q: alpha = sw / (2.0 * w); break;
    case BY_BW: /* 1/Q = 2 sinh(ln(2)/2 * BW * w0/sin(w0)) */ alpha = sw * sinh(EQ_LN2 / 2.0 * w * w0 / sw); break;
    default: { /* BY_S: 1/Q = sqrt((A + 1/A)(1/S - 1) + 2) */
        const double radicand = (A + 1.0 / A) * (1.0 / w - 1.0) + 2.0;
        if (!(radicand > 0.0)) {
            *reason = "shelf slope too steep for this gain";
            return HPA_ERR_INVALID_ARG;
        }
        alpha = sw / 2.0 * sqrt(radicand);
        break;
    }
    }

    double b0, b1, b2, a0, a1, a2;
    const double two_sqrt_a_alpha = 2.0 * sqrt(A) * alpha;
    switch (t) {
    case HPA_EQ_PK:
        b0 = 1.0 + alpha * A;
        b1 = -2.0 * cw;
        b2 = 1.0 - alpha * A;
        a0 = 1.0 + alpha / A;
        a1 = -2.0 * cw;
        a2 = 1.0 - alpha / A;
        break;
    case HPA_EQ_LSC:
    case HPA_EQ_LS:
        b0 = A * ((A + 1.0) - (A - 1.0) * cw + two_sqrt_a_alpha);
        b1 = 2.0 * A * ((A - 1.0) - (A + 1.0) * cw);
        b2 = A * ((A + 1.0) - (A - 1.0) * cw - two_sqrt_a_alpha);
        a0 = (A + 1.0) + (A - 1.0) * cw + two_sqrt_a_alpha;
        a1 = -2.0 * ((A - 1.0) + (A + 1.0) * cw);
        a2 = (A + 1.0) + (A - 1.0) * cw - two_sqrt_a_alpha;
        break;
    case HPA_EQ_HSC:
    case HPA_EQ_HS:
        b0 = A * ((A + 1.0) + (A - 1.0) * cw + two_sqrt_a_alpha);
        b1 = -2.0 * A * ((A - 1.0) + (A + 1.0) * cw);
        b2 = A * ((A + 1.0) + (A - 1.0) * cw - two_sqrt_a_alpha);
        a0 = (A + 1.0) - (A - 1.0) * cw + two_sqrt_a_alpha;
        a1 = 2.0 * ((A - 1.0) - (A + 1.0) * cw);
        a2 = (A + 1.0) - (A - 1.0) * cw - two_sqrt_a_alpha;
        break;
    case HPA_EQ_LP:
        b1 = 1.0 - cw;
        b0 = b2 = b1 / 2.0;
        a0 = 1.0 + alpha;
        a1 = -2.0 * cw;
        a2 = 1.0 - alpha;
        break;
    case HPA_EQ_HP:
        b1 = -(1.0 + cw);
        b0 = b2 = (1.0 + cw) / 2.0;
        a0 = 1.0 + alpha;
        a1 = -2.0 * cw;
        a2 = 1.0 - alpha;
        break;
    case HPA_EQ_BP: /* constant 0 dB peak gain */
        b0 = alpha;
        b1 = 0.0;
        b2 = -alpha;
        a0 = 1.0 + alpha;
        a1 = -2.0 * cw;
        a2 = 1.0 - alpha;
        break;
    case HPA_EQ_NO:
        b0 = 1.0;
        b1 = -2.0 * cw;
        b2 = 1.0;
        a0 = 1.0 + alpha;
        a1 = -2.0 * cw;
        a2 = 1.0 - alpha;
        break;
    default: /* HPA_EQ_AP */
        b0 = 1.0 - alpha;
        b1 = -2.0 * cw;
        b2 = 1.0 + alpha;
        a0 = 1.0 + alpha;
        a1 = -2.0 * cw;
        a2 = 1.0 - alpha;
        break;
    }
    hpa_eq_coefs c = {b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0};
    /* Stable: both poles strictly inside the unit circle (the stability
     * triangle |a2| < 1, |a1| < 1 + a2); this also catches parameters so
     * extreme that the arithmetic degenerates. */
    if (!(isfinite(c.b0) && isfinite(c.b1) && isfinite(c.b2) && fabs(c.a2) < 1.0 && fabs(c.a1) < 1.0 + c.a2)) {
        *reason = "the parameters give an unstable or degenerate filter at this sample rate";
        return HPA_ERR_INVALID_ARG;
    }
    if (out)
        *out = c;
    return HPA_OK;
}

int hpa_eq_band_check(const hpa_eq_band *band, double rate_hz, const char **reason)
{
    const char *why = "no band";
    int rc = band ? design(band, rate_hz, NULL, &why) : HPA_ERR_INVALID_ARG;
    if (reason)
        *reason = rc == HPA_OK ? NULL : why;
    return rc;
}

int hpa_eq_bands_check(const hpa_eq_band *bands, size_t n, double rate_hz, hpa_eq_fault *fault)
{
    if (fault)
        fault->band = 0, fault->reason = NULL;
    if (n > 0 && !bands) {
        if (fault)
            fault->reason = "no bands";
        return HPA_ERR_INVALID_ARG;
    }
    if (rate_hz != 0.0 && !rate_ok(rate_hz)) {
        if (fault)
            fault->reason = "sample rate outside 8 kHz .. 768 kHz";
        return HPA_ERR_RATE;
    }
    for (size_t i = 0; i < n; i++) {
        const char *why;
        int rc = hpa_eq_band_check(&bands[i], rate_hz, &why);
        if (rc != HPA_OK) {
            if (fault)
                fault->band = i, fault->reason = why;
            return rc;
        }
    }
    return HPA_OK;
}

int hpa_eq_design(const hpa_eq_band *band, double rate_hz, hpa_eq_coefs *out, const char **reason)
{
    const char *why = NULL;
    int rc;
    if (!band || !out) {
        why = "no band or no output";
        rc = HPA_ERR_INVALID_ARG;
    } else {
        rc = design(band, rate_hz, out, &why);
    }
    if (reason)
        *reason = rc == HPA_OK ? NULL : why;
    return rc;
}

/* ------------------------------------------------------------------------ */
/* responses                                                                */

/* H(e^jw) of one biquad (internal.h: expanded about z^-1 = +-1). */
static void biquad_at(const hpa_eq_coefs *c, const hpa_eq_at *at, double *re, double *im)
{
    double nr, ni, dr, di;
    hpa_eq_biquad_nd(c, at, &nr, &ni, &dr, &di);
    const double dd = dr * dr + di * di;
    *re = (nr * dr + ni * di) / dd;
    *im = (ni * dr - nr * di) / dd;
}

static hpa_eq_at at_freq(double freq_hz, double rate_hz)
{
    return hpa_eq_at_w(2.0 * EQ_PI * freq_hz / rate_hz);
}

void hpa_eq_coefs_response(const hpa_eq_coefs *coefs, size_t n, double freq_hz, double rate_hz, double *re, double *im)
{
    double hr = 1.0, hi = 0.0;
    if (coefs && n > 0) {
        const hpa_eq_at at = at_freq(freq_hz, rate_hz);
        for (size_t k = 0; k < n; k++) {
            double r, i;
            biquad_at(&coefs[k], &at, &r, &i);
            const double t = hr * r - hi * i;
            hi = hr * i + hi * r;
            hr = t;
        }
    }
    if (re)
        *re = hr;
    if (im)
        *im = hi;
}

int hpa_eq_response(const hpa_eq_band *bands, size_t n, double rate_hz, double freq_hz, double *re, double *im)
{
    if ((n > 0 && !bands) || !isfinite(freq_hz) || freq_hz < 0.0)
        return HPA_ERR_INVALID_ARG;
    if (!rate_ok(rate_hz))
        return HPA_ERR_RATE;
    if (freq_hz > 0.5 * rate_hz)
        return HPA_ERR_INVALID_ARG;
    const hpa_eq_at at = at_freq(freq_hz, rate_hz);
    double hr = 1.0, hi = 0.0;
    for (size_t k = 0; k < n; k++) {
        hpa_eq_coefs c;
        const char *why;
        int rc = design(&bands[k], rate_hz, &c, &why);
        if (rc != HPA_OK)
            return rc;
        double r, i;
        biquad_at(&c, &at, &r, &i);
        const double t = hr * r - hi * i;
        hi = hr * i + hi * r;
        hr = t;
    }
    if (re)
        *re = hr;
    if (im)
        *im = hi;
    return HPA_OK;
}

int hpa_eq_response_db(const hpa_eq_band *bands, size_t n, double rate_hz, const double *freqs_hz, double *db,
                       size_t count)
{
    if ((n > 0 && !bands) || (count > 0 && (!freqs_hz || !db)))
        return HPA_ERR_INVALID_ARG;
    hpa_eq_fault fault;
    int rc = hpa_eq_bands_check(bands, n, rate_hz, &fault);
    if (rc != HPA_OK)
        return rc;
    if (!rate_ok(rate_hz))
        return HPA_ERR_RATE;
    for (size_t i = 0; i < count; i++)
        if (!(freqs_hz[i] >= 0.0 && freqs_hz[i] <= 0.5 * rate_hz))
            return HPA_ERR_INVALID_ARG;
    for (size_t i = 0; i < count; i++)
        db[i] = 0.0;
    /* Band by band, so each is designed once and nothing is allocated. */
    for (size_t k = 0; k < n; k++) {
        hpa_eq_coefs c;
        const char *why;
        design(&bands[k], rate_hz, &c, &why); /* checked above */
        for (size_t i = 0; i < count; i++) {
            const hpa_eq_at at = at_freq(freqs_hz[i], rate_hz);
            db[i] += hpa_eq_biquad_db(&c, &at);
        }
    }
    return HPA_OK;
}

/* the peak of a band set: eq_peak.c */

double hpa_eq_graphic_gain_db(const hpa_eq_point *points, size_t n, double freq_hz)
{
    if (!points || n == 0)
        return 0.0;
    if (!(freq_hz > points[0].freq_hz))
        return points[0].gain_db;
    if (freq_hz >= points[n - 1].freq_hz)
        return points[n - 1].gain_db;
    size_t lo = 0, hi = n - 1; /* points[lo].f < freq <= points[hi].f */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (points[mid].freq_hz < freq_hz)
            lo = mid;
        else
            hi = mid;
    }
    const double x0 = log(points[lo].freq_hz), x1 = log(points[hi].freq_hz);
    const double t = (log(freq_hz) - x0) / (x1 - x0);
    return points[lo].gain_db + t * (points[hi].gain_db - points[lo].gain_db);
}

/* ------------------------------------------------------------------------ */
/* the processor                                                            */

struct hpa_eq {
    hpa_allocator alloc;
    int owned; /* made by hpa_eq_create: destroy frees it */
    unsigned channels;
    double rate_hz;
    size_t max_bands;
    size_t n_bands;
    uint64_t nan_resets;
    int fma;             /* eq_has_fma at creation: 0 plain, 1 FMA, 2 FMA and AVX */
    hpa_eq_coefs *coefs; /* [max_bands] */
    double *state;       /* [max_bands][channels][2]: TDF2 s1, s2; split: [channels][max_bands][2] */
    /* split: some band filters some channels only (channel_mask); each
     * channel then runs its own list of sections */
    int split;
    size_t n_ch[HPA_CHANNELS_MAX];
    hpa_eq_coefs *ch_coefs; /* [channels][max_bands] */
};

static int eq_has_fma(void);

#define EQ_ALIGN 64u
#define EQ_ROUND(x) (((x) + (EQ_ALIGN - 1)) & ~(size_t)(EQ_ALIGN - 1))

void hpa_eq_config_init(hpa_eq_config *cfg)
{
    if (!cfg)
        return;
    cfg->rate_hz = 48000.0;
    cfg->channels = 2;
    cfg->max_bands = 0;
    cfg->allocator = NULL;
}

/* Config checks shared by size/init/create; *cap receives the band capacity. */
static int config_check(const hpa_eq_config *cfg, size_t n_bands, size_t *cap)
{
    if (!cfg)
        return HPA_ERR_INVALID_ARG;
    if (!rate_ok(cfg->rate_hz))
        return HPA_ERR_RATE;
    if (cfg->channels < 1 || cfg->channels > HPA_CHANNELS_MAX)
        return HPA_ERR_CHANNELS;
    if (cfg->allocator && (!cfg->allocator->alloc || !cfg->allocator->free))
        return HPA_ERR_INVALID_ARG;
    size_t c = cfg->max_bands ? cfg->max_bands : n_bands;
    if (n_bands > c || c > HPA_EQ_MAX_BANDS)
        return HPA_ERR_INVALID_ARG;
    *cap = c;
    return HPA_OK;
}

static size_t layout(size_t cap, unsigned channels, size_t *coefs_off, size_t *state_off)
{
    size_t off = EQ_ROUND(sizeof(struct hpa_eq));
    *coefs_off = off;
    off += EQ_ROUND(cap * sizeof(hpa_eq_coefs));
    off += EQ_ROUND(cap * channels * sizeof(hpa_eq_coefs)); /* ch_coefs */
    *state_off = off;
    off += EQ_ROUND(cap * channels * 2 * sizeof(double));
    return off;
}

/* Design the bands into coefs and, when some band filters some channels
 * only, each channel's list into ch_coefs.  Checked by the caller. */
static void eq_design_all(hpa_eq *eq, const hpa_eq_band *bands, size_t n_bands)
{
    const unsigned all = (1u << eq->channels) - 1u;
    eq->split = 0;
    for (size_t k = 0; k < n_bands; k++) {
        const char *why;
        design(&bands[k], eq->rate_hz, &eq->coefs[k], &why);
        if (bands[k].channel_mask && (bands[k].channel_mask & all) != all)
            eq->split = 1;
    }
    for (unsigned c = 0; c < eq->channels; c++) {
        eq->n_ch[c] = 0;
        for (size_t k = 0; eq->split && k < n_bands; k++)
            if (!bands[k].channel_mask || (bands[k].channel_mask & (1u << c)))
                eq->ch_coefs[c * eq->max_bands + eq->n_ch[c]++] = eq->coefs[k];
    }
}

size_t hpa_eq_size(const hpa_eq_config *cfg, size_t n_bands)
{
    size_t cap, co, so;
    if (config_check(cfg, n_bands, &cap) != HPA_OK)
        return 0;
    return layout(cap, cfg->channels, &co, &so);
}

static int eq_build(void *mem, size_t size, const hpa_eq_config *cfg, size_t cap, const hpa_eq_band *bands,
                    size_t n_bands, hpa_eq **out)
{
    size_t co, so;
    if (size < layout(cap, cfg->channels, &co, &so))
        return HPA_ERR_BUFFER_TOO_SMALL;
    unsigned char *base = mem;
    memset(base, 0, size < so ? size : so); /* the header and coefficients; the state is cleared below */
    hpa_eq *eq = (hpa_eq *)(void *)base;
    eq->alloc = hpa_malloc_allocator;
    eq->alloc.user = NULL;
    if (cfg->allocator)
        eq->alloc = *cfg->allocator;
    eq->owned = 0;
    eq->channels = cfg->channels;
    eq->rate_hz = cfg->rate_hz;
    eq->max_bands = cap;
    eq->n_bands = n_bands;
    eq->nan_resets = 0;
    eq->fma = eq_has_fma();
    eq->coefs = (hpa_eq_coefs *)(void *)(base + co);
    eq->ch_coefs = (hpa_eq_coefs *)(void *)(base + co + EQ_ROUND(cap * sizeof(hpa_eq_coefs)));
    eq->state = (double *)(void *)(base + so);
    eq_design_all(eq, bands, n_bands);
    for (size_t i = 0; i < cap * cfg->channels * 2; i++)
        eq->state[i] = 0.0;
    *out = eq;
    return HPA_OK;
}

int hpa_eq_init(void *mem, size_t size, const hpa_eq_config *cfg, const hpa_eq_band *bands, size_t n_bands,
                hpa_eq_fault *fault, hpa_eq **out)
{
    if (fault)
        fault->band = 0, fault->reason = NULL;
    if (!out)
        return HPA_ERR_INVALID_ARG;
    *out = NULL;
    if (!mem || (n_bands > 0 && !bands) || ((uintptr_t)mem % alignof(max_align_t)) != 0)
        return HPA_ERR_INVALID_ARG;
    size_t cap;
    int rc = config_check(cfg, n_bands, &cap);
    if (rc != HPA_OK)
        return rc;
    rc = hpa_eq_bands_check(bands, n_bands, cfg->rate_hz, fault);
    if (rc != HPA_OK)
        return rc;
    return eq_build(mem, size, cfg, cap, bands, n_bands, out);
}

int hpa_eq_create(const hpa_eq_config *cfg, const hpa_eq_band *bands, size_t n_bands, hpa_eq_fault *fault, hpa_eq **out)
{
    if (fault)
        fault->band = 0, fault->reason = NULL;
    if (!out)
        return HPA_ERR_INVALID_ARG;
    *out = NULL;
    if (n_bands > 0 && !bands)
        return HPA_ERR_INVALID_ARG;
    size_t cap;
    int rc = config_check(cfg, n_bands, &cap);
    if (rc != HPA_OK)
        return rc;
    rc = hpa_eq_bands_check(bands, n_bands, cfg->rate_hz, fault);
    if (rc != HPA_OK)
        return rc;
    size_t co, so;
    const size_t size = layout(cap, cfg->channels, &co, &so);
    hpa_allocator a = hpa_malloc_allocator;
    if (cfg->allocator)
        a = *cfg->allocator;
    void *mem = a.alloc(a.user, size);
    if (!mem)
        return HPA_ERR_NO_MEMORY;
    hpa_eq *eq;
    rc = eq_build(mem, size, cfg, cap, bands, n_bands, &eq);
    if (rc != HPA_OK) {
        a.free(a.user, mem);
        return rc;
    }
    eq->owned = 1;
    *out = eq;
    return HPA_OK;
}

void hpa_eq_destroy(hpa_eq *eq)
{
    if (eq && eq->owned)
        eq->alloc.free(eq->alloc.user, eq);
}

int hpa_eq_set_bands(hpa_eq *eq, const hpa_eq_band *bands, size_t n_bands, hpa_eq_fault *fault)
{
    if (fault)
        fault->band = 0, fault->reason = NULL;
    if (!eq || (n_bands > 0 && !bands))
        return HPA_ERR_INVALID_ARG;
    if (n_bands > eq->max_bands) {
        if (fault)
            fault->band = eq->max_bands, fault->reason = "more bands than the processor's max_bands";
        return HPA_ERR_INVALID_ARG;
    }
    int rc = hpa_eq_bands_check(bands, n_bands, eq->rate_hz, fault);
    if (rc != HPA_OK)
        return rc;
    const int was_split = eq->split;
    eq_design_all(eq, bands, n_bands);
    if (eq->split || was_split) { /* the sections moved between channels: from rest */
        hpa_eq_reset(eq);
    } else {
        const size_t per = (size_t)eq->channels * 2;
        for (size_t k = eq->n_bands; k < n_bands; k++)
            for (size_t i = 0; i < per; i++)
                eq->state[k * per + i] = 0.0;
    }
    eq->n_bands = n_bands;
    return HPA_OK;
}

/* ---- kernels ----
 *
 * Sections run in groups of up to four over a whole chunk, sample by sample
 * within the group: the group's recursions are independent, so they overlap
 * in the pipeline instead of each waiting on its own feedback latency.  Every
 * channel sees exactly the same arithmetic in every kernel (same operations,
 * same order), so results do not depend on the channel count or block size.
 * Stereo, the common case, runs both channels in one SIMD register where the
 * compiler offers GNU vector extensions; elsewhere channels run one by one. */

#define EQ_GROUP 4

#if defined(__GNUC__)
#define EQ_INLINE static inline __attribute__((always_inline))
#else
#define EQ_INLINE static inline
#endif
/* Unroll the loops over a group so that its states live in registers. */
#if defined(__clang__)
#define EQ_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define EQ_UNROLL _Pragma("GCC unroll 4")
#else
#define EQ_UNROLL
#endif

/* g (1..4) consecutive sections over one channel: st points at the first
 * section's two states for this channel, the next section's are `per` on. */
EQ_INLINE void group_strided(const hpa_eq_coefs *c, double *st, size_t per, double *p, size_t frames, size_t stride,
                             int g)
{
    double b0[EQ_GROUP], b1[EQ_GROUP], b2[EQ_GROUP], a1[EQ_GROUP], a2[EQ_GROUP], s1[EQ_GROUP], s2[EQ_GROUP];
    for (int k = 0; k < g; k++) {
        b0[k] = c[k].b0, b1[k] = c[k].b1, b2[k] = c[k].b2, a1[k] = c[k].a1, a2[k] = c[k].a2;
        s1[k] = st[k * per], s2[k] = st[k * per + 1];
    }
    for (size_t i = 0; i < frames; i++) {
        double x = p[i * stride];
        EQ_UNROLL
        for (int k = 0; k < g; k++) {
            const double y = b0[k] * x + s1[k];
            s1[k] = b1[k] * x - a1[k] * y + s2[k];
            s2[k] = b2[k] * x - a2[k] * y;
            x = y;
        }
        p[i * stride] = x;
    }
    for (int k = 0; k < g; k++)
        st[k * per] = s1[k], st[k * per + 1] = s2[k];
}

/* group_strided with g known at compile time in each branch. */
static void single_any(const hpa_eq_coefs *c, double *st, size_t per, double *p, size_t frames, size_t stride, size_t g)
{
    switch (g) {
    case 4: group_strided(c, st, per, p, frames, stride, 4); break;
    case 3: group_strided(c, st, per, p, frames, stride, 3); break;
    case 2: group_strided(c, st, per, p, frames, stride, 2); break;
    default: group_strided(c, st, per, p, frames, stride, 1); break;
    }
}

#if defined(__GNUC__) && !defined(HPA_EQ_NO_VECTOR)
#define EQ_VECTOR 1
typedef double eq_v2d __attribute__((vector_size(16)));

/* g (1..4) consecutive sections over two adjacent channels in one SIMD
 * register: st points at the first section's states of the left channel
 * (s1, s2, then the right channel's s1, s2), the next section's are `per` on. */
EQ_INLINE void group_pair(const hpa_eq_coefs *c, double *st, size_t per, double *p, size_t frames, size_t stride, int g)
{
    eq_v2d b0[EQ_GROUP], b1[EQ_GROUP], b2[EQ_GROUP], a1[EQ_GROUP], a2[EQ_GROUP], s1[EQ_GROUP], s2[EQ_GROUP];
    for (int k = 0; k < g; k++) {
        const double *q = st + k * per;
        b0[k] = (eq_v2d){c[k].b0, c[k].b0};
        b1[k] = (eq_v2d){c[k].b1, c[k].b1};
        b2[k] = (eq_v2d){c[k].b2, c[k].b2};
        a1[k] = (eq_v2d){c[k].a1, c[k].a1};
        a2[k] = (eq_v2d){c[k].a2, c[k].a2};
        s1[k] = (eq_v2d){q[0], q[2]};
        s2[k] = (eq_v2d){q[1], q[3]};
    }
    for (size_t i = 0; i < frames; i++) {
        eq_v2d x;
        memcpy(&x, p + i * stride, sizeof x);
        EQ_UNROLL
        for (int k = 0; k < g; k++) {
            const eq_v2d y = b0[k] * x + s1[k];
            s1[k] = b1[k] * x - a1[k] * y + s2[k];
            s2[k] = b2[k] * x - a2[k] * y;
            x = y;
        }
        memcpy(p + i * stride, &x, sizeof x);
    }
    for (int k = 0; k < g; k++) {
        double *q = st + k * per;
        q[0] = s1[k][0], q[1] = s2[k][0], q[2] = s1[k][1], q[3] = s2[k][1];
    }
}

static void pair_any(const hpa_eq_coefs *c, double *st, size_t per, double *p, size_t frames, size_t stride, size_t g)
{
    switch (g) {
    case 4: group_pair(c, st, per, p, frames, stride, 4); break;
    case 3: group_pair(c, st, per, p, frames, stride, 3); break;
    case 2: group_pair(c, st, per, p, frames, stride, 2); break;
    default: group_pair(c, st, per, p, frames, stride, 1); break;
    }
}
#endif

/* Fused multiply-add kernels, for x86-64 processors that have FMA (chosen at
 * run time, eq_has_fma).  The same recursion in five operations instead of
 * nine, each rounded once:
 *
 *     y  = fma(b0, x, s1)
 *     s1 = fma(-a1, y, fma(b1, x, s2))
 *     s2 = fma(-a2, y, b2 * x)
 *
 * Within one processor every channel still sees the same arithmetic: the
 * strided (scalar) and the paired (SIMD) FMA kernels are used together, never
 * one with the plain other.  Results differ from the plain kernels by
 * rounding only (about 1e-16 relative per section). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(HPA_EQ_NO_FMA)
#define EQ_FMA 1
#include <immintrin.h>
#define EQ_FMA_FN static inline __attribute__((always_inline, target("fma")))

EQ_FMA_FN void group_strided_fma(const hpa_eq_coefs *c, double *st, size_t per, double *p, size_t frames, size_t stride,
                                 int g)
{
    double b0[EQ_GROUP], b1[EQ_GROUP], b2[EQ_GROUP], na1[EQ_GROUP], na2[EQ_GROUP], s1[EQ_GROUP], s2[EQ_GROUP];
    for (int k = 0; k < g; k++) {
        b0[k] = c[k].b0, b1[k] = c[k].b1, b2[k] = c[k].b2, na1[k] = -c[k].a1, na2[k] = -c[k].a2;
        s1[k] = st[k * per], s2[k] = st[k * per + 1];
    }
    for (size_t i = 0; i < frames; i++) {
        double x = p[i * stride];
        EQ_UNROLL
        for (int k = 0; k < g; k++) {
            const double y = __builtin_fma(b0[k], x, s1[k]);
            s1[k] = __builtin_fma(na1[k], y, __builtin_fma(b1[k], x, s2[k]));
            s2[k] = __builtin_fma(na2[k], y, b2[k] * x);
            x = y;
        }
        p[i * stride] = x;
    }
    for (int k = 0; k < g; k++)
        st[k * per] = s1[k], st[k * per + 1] = s2[k];
}

EQ_FMA_FN void group_pair_fma(const hpa_eq_coefs *c, double *st, size_t per, double *p, size_t frames, size_t stride,
                              int g)
{
    __m128d b0[EQ_GROUP], b1[EQ_GROUP], b2[EQ_GROUP], na1[EQ_GROUP], na2[EQ_GROUP], s1[EQ_GROUP], s2[EQ_GROUP];
    for (int k = 0; k < g; k++) {
        const double *q = st + k * per;
        b0[k] = _mm_set1_pd(c[k].b0);
        b1[k] = _mm_set1_pd(c[k].b1);
        b2[k] = _mm_set1_pd(c[k].b2);
        na1[k] = _mm_set1_pd(-c[k].a1);
        na2[k] = _mm_set1_pd(-c[k].a2);
        s1[k] = _mm_setr_pd(q[0], q[2]);
        s2[k] = _mm_setr_pd(q[1], q[3]);
    }
    for (size_t i = 0; i < frames; i++) {
        __m128d x = _mm_loadu_pd(p + i * stride);
        EQ_UNROLL
        for (int k = 0; k < g; k++) {
            const __m128d y = _mm_fmadd_pd(b0[k], x, s1[k]);
            s1[k] = _mm_fmadd_pd(na1[k], y, _mm_fmadd_pd(b1[k], x, s2[k]));
            s2[k] = _mm_fmadd_pd(na2[k], y, _mm_mul_pd(b2[k], x));
            x = y;
        }
        _mm_storeu_pd(p + i * stride, x);
    }
    for (int k = 0; k < g; k++) {
        double *q = st + k * per;
        double lo[2], hi[2];
        _mm_storeu_pd(lo, s1[k]);
        _mm_storeu_pd(hi, s2[k]);
        q[0] = lo[0], q[1] = hi[0], q[2] = lo[1], q[3] = hi[1];
    }
}

/* Stereo with AVX: two sections of both channels in one 256-bit register,
 * the upper section one frame behind the lower (a software pipeline along
 * the cascade).  Section j of the pass works on frame i - j in iteration i:
 * lane 0 of pair m holds section 2m at frame i - 2m, lane 1 section 2m + 1
 * at frame i - 2m - 1.  Every lane's input is an output of the iteration
 * before (lane 1: the same pair's lane 0; lane 0: the pair below's lane 1),
 * so the pairs of one iteration are independent of each other.  Each lane does exactly the arithmetic of group_pair_fma, so the
 * samples are bit-identical to it; what changes is that one instruction now
 * advances four recursions.  The first and last 2P - 1 iterations of a pass
 * have lanes outside the chunk: their states are kept by a blend.  An odd
 * section count fills the last lane with an identity section (b0 = 1), exact
 * in floating point.  EQ_STAGGER_PAIRS pairs at most per pass keep the
 * states in the sixteen registers. */
#define EQ_STAGGER_PAIRS 4
#define EQ_STAGGER_MIN_FRAMES 32

typedef struct eq_pass4 {
    __m256d b0, b1, b2, na1, na2;
} eq_pass4;

#define EQ_AVX_FN static inline __attribute__((always_inline, target("avx,fma")))

EQ_AVX_FN __m256d eq_lane_mask(long lo_frame, long hi_frame, long frames)
{
    const double lo = (lo_frame >= 0 && lo_frame < frames) ? -1.0 : 0.0;
    const double hi = (hi_frame >= 0 && hi_frame < frames) ? -1.0 : 0.0;
    return _mm256_setr_pd(lo, lo, hi, hi);
}

/* one iteration of a pass of P pairs; masked: the ramp iterations */
EQ_AVX_FN void eq_stagger_step(const eq_pass4 *k, __m256d *s1, __m256d *s2, __m256d *yp, double *p, long i, long frames,
                               int P, int masked)
{
    const __m256d in = _mm256_castpd128_pd256(masked && (i < 0 || i >= frames) ? _mm_setzero_pd()
                                                                               : _mm_loadu_pd(p + 2 * i));
    __m256d last = in;
    /* downwards, so that yp[m - 1] is still the last iteration's */
    EQ_UNROLL
    for (int m = P - 1; m >= 0; m--) {
        /* lane 0: the pair below's lane 1 one iteration ago (or the input);
         * lane 1: this pair's lane 0 one iteration ago */
        const __m256d x = m == 0 ? _mm256_permute2f128_pd(in, yp[0], 0x20)
                                 : _mm256_permute2f128_pd(yp[m - 1], yp[m], 0x21);
        const __m256d y = _mm256_fmadd_pd(k[m].b0, x, s1[m]);
        const __m256d n1 = _mm256_fmadd_pd(k[m].na1, y, _mm256_fmadd_pd(k[m].b1, x, s2[m]));
        const __m256d n2 = _mm256_fmadd_pd(k[m].na2, y, _mm256_mul_pd(k[m].b2, x));
        if (masked) {
            const __m256d v = eq_lane_mask(i - 2 * m, i - 2 * m - 1, frames);
            s1[m] = _mm256_blendv_pd(s1[m], n1, v);
            s2[m] = _mm256_blendv_pd(s2[m], n2, v);
        } else {
            s1[m] = n1, s2[m] = n2;
        }
        yp[m] = y;
        if (m == P - 1)
            last = y;
    }
    const long out = i - (2 * P - 1);
    if (!masked || (out >= 0 && out < frames))
        _mm_storeu_pd(p + 2 * out, _mm256_extractf128_pd(last, 1));
}

/* n (1 .. 2P) sections over a stereo chunk, P pairs */
EQ_AVX_FN void eq_stagger_pass(const hpa_eq_coefs *c, double *st, size_t n, double *p, size_t frames_u, int P)
{
    eq_pass4 k[EQ_STAGGER_PAIRS];
    __m256d s1[EQ_STAGGER_PAIRS], s2[EQ_STAGGER_PAIRS], yp[EQ_STAGGER_PAIRS];
    for (int m = 0; m < P; m++) {
        const hpa_eq_coefs *lo = &c[2 * m];
        const double *q = st + 8 * m;
        if ((size_t)(2 * m + 1) < n) {
            const hpa_eq_coefs *hi = &c[2 * m + 1];
            k[m].b0 = _mm256_setr_pd(lo->b0, lo->b0, hi->b0, hi->b0);
            k[m].b1 = _mm256_setr_pd(lo->b1, lo->b1, hi->b1, hi->b1);
            k[m].b2 = _mm256_setr_pd(lo->b2, lo->b2, hi->b2, hi->b2);
            k[m].na1 = _mm256_setr_pd(-lo->a1, -lo->a1, -hi->a1, -hi->a1);
            k[m].na2 = _mm256_setr_pd(-lo->a2, -lo->a2, -hi->a2, -hi->a2);
            s1[m] = _mm256_setr_pd(q[0], q[2], q[4], q[6]);
            s2[m] = _mm256_setr_pd(q[1], q[3], q[5], q[7]);
        } else { /* the identity in the last lane */
            k[m].b0 = _mm256_setr_pd(lo->b0, lo->b0, 1.0, 1.0);
            k[m].b1 = _mm256_setr_pd(lo->b1, lo->b1, 0.0, 0.0);
            k[m].b2 = _mm256_setr_pd(lo->b2, lo->b2, 0.0, 0.0);
            k[m].na1 = _mm256_setr_pd(-lo->a1, -lo->a1, 0.0, 0.0);
            k[m].na2 = _mm256_setr_pd(-lo->a2, -lo->a2, 0.0, 0.0);
            s1[m] = _mm256_setr_pd(q[0], q[2], 0.0, 0.0);
            s2[m] = _mm256_setr_pd(q[1], q[3], 0.0, 0.0);
        }
        yp[m] = _mm256_setzero_pd();
    }
    const long frames = (long)frames_u, ramp = 2 * P - 1;
    long i = 0;
    for (; i < ramp && i < frames; i++)
        eq_stagger_step(k, s1, s2, yp, p, i, frames, P, 1);
    for (; i < frames; i++)
        eq_stagger_step(k, s1, s2, yp, p, i, frames, P, 0);
    for (; i < frames + ramp; i++)
        eq_stagger_step(k, s1, s2, yp, p, i, frames, P, 1);
    for (int m = 0; m < P; m++) {
        double *q = st + 8 * m;
        double a[4], b[4];
        _mm256_storeu_pd(a, s1[m]);
        _mm256_storeu_pd(b, s2[m]);
        q[0] = a[0], q[1] = b[0], q[2] = a[1], q[3] = b[1];
        if ((size_t)(2 * m + 1) < n)
            q[4] = a[2], q[5] = b[2], q[6] = a[3], q[7] = b[3];
    }
}

__attribute__((target("avx,fma"))) static void run_chunk_stereo_avx(const hpa_eq_coefs *coefs, double *state, size_t n,
                                                                    double *p, size_t frames)
{
    /* passes of at most 2 * EQ_STAGGER_PAIRS sections, as even as can be */
    const size_t max = 2 * EQ_STAGGER_PAIRS, passes = (n + max - 1) / max;
    for (size_t k = 0, left = passes; k < n; left--) {
        const size_t g = (n - k + left - 1) / left;
        double *st = &state[k * 4];
        switch ((g + 1) / 2) {
#if EQ_STAGGER_PAIRS >= 5
        case 5: eq_stagger_pass(&coefs[k], st, g, p, frames, 5); break;
#endif
#if EQ_STAGGER_PAIRS >= 4
        case 4: eq_stagger_pass(&coefs[k], st, g, p, frames, 4); break;
#endif
#if EQ_STAGGER_PAIRS >= 3
        case 3: eq_stagger_pass(&coefs[k], st, g, p, frames, 3); break;
#endif
        case 2: eq_stagger_pass(&coefs[k], st, g, p, frames, 2); break;
        default: eq_stagger_pass(&coefs[k], st, g, p, frames, 1); break;
        }
        k += g;
    }
}

/* the whole band set over all channels, in groups of EQ_GROUP sections */
__attribute__((target("fma"))) static void run_chunk_fma(const hpa_eq_coefs *coefs, double *state, size_t n, size_t ch,
                                                         double *p, size_t frames)
{
    const size_t per = ch * 2;
    for (size_t k = 0; k < n;) {
        const size_t g = n - k < EQ_GROUP ? n - k : EQ_GROUP;
        size_t c = 0;
        for (; c + 1 < ch; c += 2) {
            double *st = &state[k * per + 2 * c];
            switch (g) {
            case 4: group_pair_fma(&coefs[k], st, per, p + c, frames, ch, 4); break;
            case 3: group_pair_fma(&coefs[k], st, per, p + c, frames, ch, 3); break;
            case 2: group_pair_fma(&coefs[k], st, per, p + c, frames, ch, 2); break;
            default: group_pair_fma(&coefs[k], st, per, p + c, frames, ch, 1); break;
            }
        }
        for (; c < ch; c++) {
            double *st = &state[k * per + 2 * c];
            switch (g) {
            case 4: group_strided_fma(&coefs[k], st, per, p + c, frames, ch, 4); break;
            case 3: group_strided_fma(&coefs[k], st, per, p + c, frames, ch, 3); break;
            case 2: group_strided_fma(&coefs[k], st, per, p + c, frames, ch, 2); break;
            default: group_strided_fma(&coefs[k], st, per, p + c, frames, ch, 1); break;
            }
        }
        k += g;
    }
}

/* g (1 .. EQ_GROUP) sections of one channel, its states two apart (split) */
__attribute__((target("fma"))) static void one_channel_fma(const hpa_eq_coefs *coefs, double *st, size_t g, double *p,
                                                           size_t frames, size_t stride)
{
    switch (g) {
    case 4: group_strided_fma(coefs, st, 2, p, frames, stride, 4); break;
    case 3: group_strided_fma(coefs, st, 2, p, frames, stride, 3); break;
    case 2: group_strided_fma(coefs, st, 2, p, frames, stride, 2); break;
    default: group_strided_fma(coefs, st, 2, p, frames, stride, 1); break;
    }
}

static int eq_has_fma(void)
{
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("fma"))
        return 0;
    return __builtin_cpu_supports("avx") ? 2 : 1;
}
#else
static int eq_has_fma(void)
{
    return 0;
}
#endif

/* split: each channel through its own sections, state [channel][band][2] */
static void run_chunk_split(hpa_eq *eq, double *p, size_t frames)
{
    const size_t ch = eq->channels;
    for (size_t c = 0; c < ch; c++) {
        const hpa_eq_coefs *coefs = &eq->ch_coefs[c * eq->max_bands];
        double *state = &eq->state[c * eq->max_bands * 2];
        for (size_t k = 0, n = eq->n_ch[c]; k < n;) {
            const size_t g = n - k < EQ_GROUP ? n - k : EQ_GROUP;
#ifdef EQ_FMA
            if (eq->fma) {
                one_channel_fma(&coefs[k], &state[k * 2], g, p + c, frames, ch);
                k += g;
                continue;
            }
#endif
            single_any(&coefs[k], &state[k * 2], 2, p + c, frames, ch, g);
            k += g;
        }
    }
}

static void run_chunk(hpa_eq *eq, double *p, size_t frames)
{
    const size_t ch = eq->channels, per = ch * 2, n = eq->n_bands;
    if (eq->split) {
        run_chunk_split(eq, p, frames);
        return;
    }
#ifdef EQ_FMA
    /* short chunks: the pipeline's ramps would cost more than they save; the
     * paired FMA kernel gives the same samples */
    if (eq->fma == 2 && ch == 2 && frames >= EQ_STAGGER_MIN_FRAMES) {
        run_chunk_stereo_avx(eq->coefs, eq->state, n, p, frames);
        return;
    }
    if (eq->fma) {
        run_chunk_fma(eq->coefs, eq->state, n, ch, p, frames);
        return;
    }
#endif
    for (size_t k = 0; k < n;) {
        const size_t g = n - k < EQ_GROUP ? n - k : EQ_GROUP;
        size_t c = 0;
#ifdef EQ_VECTOR
        for (; c + 1 < ch; c += 2)
            pair_any(&eq->coefs[k], &eq->state[k * per + 2 * c], per, p + c, frames, ch, g);
#endif
        for (; c < ch; c++)
            single_any(&eq->coefs[k], &eq->state[k * per + 2 * c], per, p + c, frames, ch, g);
        k += g;
    }
}

/* Put a section to rest when both its states are tiny; returns 0 when a
 * state is NaN, infinite or huge.  Both states go together: zeroing one
 * alone leaves the other unbalanced, and with zero input that can sustain a
 * small oscillation at the threshold instead of letting it die away. */
static int clean_state(hpa_eq *eq)
{
    double *s = eq->state;
    const size_t pairs = (eq->split ? eq->max_bands : eq->n_bands) * eq->channels;
    int ok = 1;
    for (size_t i = 0; i < pairs; i++, s += 2) {
        const double a = fabs(s[0]), b = fabs(s[1]);
        if (a < EQ_STATE_TINY && b < EQ_STATE_TINY)
            s[0] = s[1] = 0.0;
        else if (!(a <= EQ_STATE_HUGE && b <= EQ_STATE_HUGE))
            ok = 0;
    }
    return ok;
}

int hpa_eq_process(hpa_eq *eq, double *buf, size_t frames)
{
    if (!eq || (frames > 0 && !buf))
        return HPA_ERR_INVALID_ARG;
    if (eq->n_bands == 0)
        return HPA_OK;
    while (frames > 0) {
        const size_t n = frames < EQ_CHUNK_FRAMES ? frames : EQ_CHUNK_FRAMES;
        run_chunk(eq, buf, n);
        if (!clean_state(eq)) {
            hpa_eq_reset(eq);
            eq->nan_resets++;
        }
        buf += n * eq->channels;
        frames -= n;
    }
    return HPA_OK;
}

void hpa_eq_reset(hpa_eq *eq)
{
    if (!eq)
        return;
    const size_t count = eq->max_bands * eq->channels * 2;
    for (size_t i = 0; i < count; i++)
        eq->state[i] = 0.0;
}

size_t hpa_eq_band_count(const hpa_eq *eq)
{
    return eq ? eq->n_bands : 0;
}

int hpa_eq_get_coefs(const hpa_eq *eq, size_t band, hpa_eq_coefs *out)
{
    if (!eq || !out || band >= eq->n_bands)
        return HPA_ERR_INVALID_ARG;
    *out = eq->coefs[band];
    return HPA_OK;
}

uint64_t hpa_eq_nan_resets(const hpa_eq *eq)
{
    return eq ? eq->nan_resets : 0;
}
