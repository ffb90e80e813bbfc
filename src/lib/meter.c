/* meter.c — sample peak, true peak, A-weighted energy and loudness behind
 * one shape (meter.h; formulas and sources in docs/meters.md).
 *
 * True peak.  ITU-R BS.1770-4 Annex 2: the signal oversampled 4 times.  The
 * sample itself is phase 0; phases 1/4, 2/4 and 3/4 between each two samples
 * come from 32 neighbours through a Kaiser-windowed sinc (beta 7, each phase
 * unit gain at DC: hpa_polyphase_design, the same design as the limiter's
 * 16x detector), flat within 0.003 dB up to 0.43 fs, in float.  The signal
 * is taken as silent before its first sample.  A stretch of SUB points is
 * skipped when it cannot raise the channel's peak: |y_p| <= max |x| over the
 * stretch's reach * max_p sum |c_p|.
 *
 * A-weighting.  IEC 61672-1 Annex E's analog weighting,
 *   A(s) = k s^4 / ((s + w1)^2 (s + w2) (s + w3) (s + w4)^2),
 * is three second-order sections, each an Audio EQ Cookbook biquad of the
 * EQ (eq.c): a high-pass at f1 with Q 1/2 (the double pole), a high-pass at
 * sqrt(f2 f3) with Q sqrt(f2 f3) / (f2 + f3) (the two poles) and a low-pass
 * at f4 with Q 1/2, run by the EQ's processor (hpa_eq) on up to 8 channels
 * at a time.  The cookbook's bilinear transform is prewarped at each
 * section's own frequency, so the low-pass keeps its corner at f4.  Where f4
 * is at or above Nyquist (rates below 24.4 kHz) the low-pass is left out.
 * The gain k makes 0 dB at 1 kHz: it scales the energy, not the filter.
 *
 * Loudness.  libebur128 (M, S, I, LRA) with EBUR128_MODE_HISTOGRAM: its
 * gating blocks go into fixed histograms instead of a growing list, so
 * adding frames never allocates (the integrated loudness and range are then
 * quantised to 0.01 LU steps of the histogram).
 *
 * Publishing.  The per-channel values live in the audio thread's working
 * copy and are stored, at the end of every add, into atomic words under a
 * sequence counter (odd while writing): a reader copies them and retries if
 * the counter moved, so it sees one add call's values; the writer never
 * waits. */
#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include <ebur128.h>
#include <hpamp/eq.h>
#include <hpamp/meter.h>

#include "internal.h"

#define TP_HALF 16                    /* half of the interpolator's length: 32 taps a phase */
#define TP_TAPS ((size_t)2 * TP_HALF) /* per phase */
#define TP_HIST (TP_TAPS - 1)         /* samples kept from one call to the next */
#define TP_PHASES 4                   /* points per sample period */
#define TP_BETA 7.0                   /* Kaiser shape */
#define BLOCK 1024                    /* frames handled at a time */
#define SUB 128                       /* points interpolated in stretches of this many */
#if BLOCK % SUB != 0
#error "BLOCK must be a multiple of SUB: the stretches read whole"
#endif
#define AW_GROUP HPA_CHANNELS_MAX /* channels one A-weighting processor takes */
#define AW_GROUPS_MAX ((HPA_METER_CHANNELS_MAX + AW_GROUP - 1) / AW_GROUP)
#define LOUDNESS (HPA_METER_MOMENTARY | HPA_METER_SHORTTERM | HPA_METER_INTEGRATED | HPA_METER_RANGE)

/* IEC 61672-1:2013 Annex E: the pole frequencies of the A-weighting, Hz */
#define AW_F1 20.598997
#define AW_F2 107.65265
#define AW_F3 737.86223
#define AW_F4 12194.217

enum { PUB_SPK = 0, PUB_TPK, PUB_AW, PUB_KINDS };

typedef float tp_v4 __attribute__((vector_size(16))); /* four interpolated points */

struct hpa_meter {
    hpa_allocator alloc;
    unsigned channels, modes;
    uint32_t rate_hz;
    /* the audio thread's working values, PUB_KINDS * channels, and the frames */
    double *val;
    double *last_spk; /* the sample peaks of the last add call */
    uint64_t frames;
    /* published: PUB_KINDS * channels doubles as bits, then the frames */
    _Atomic uint64_t seq;
    _Atomic uint64_t *pub;
    /* true peak */
    float coef[TP_PHASES - 1][TP_TAPS];
    float bound; /* the largest sum |c_p|, with room for float rounding */
    float *tp;   /* per channel: TP_HIST history + BLOCK new samples */
    /* A-weighting */
    hpa_eq *aw[AW_GROUPS_MAX];
    unsigned char *aw_mem;
    double *aw_buf;  /* BLOCK frames of one group */
    double aw_gain2; /* the square of the gain that makes 0 dB at 1 kHz */
    /* loudness */
    ebur128_state *ebu;
    int ebu_failed; /* a reset could not make libebur128's state */
};

/* ---- the A-weighting as EQ bands ---- */

/* the sections for rate_hz: 3, or 2 when f4 is not below Nyquist */
static size_t aweight_bands(double rate_hz, hpa_eq_band bands[3])
{
    const double f23 = sqrt(AW_F2 * AW_F3);
    memset(bands, 0, 3 * sizeof *bands);
    bands[0].type = HPA_EQ_HP;
    bands[0].freq_hz = AW_F1;
    bands[0].q = 0.5;
    bands[1].type = HPA_EQ_HP;
    bands[1].freq_hz = f23;
    bands[1].q = f23 / (AW_F2 + AW_F3);
    bands[2].type = HPA_EQ_LP;
    bands[2].freq_hz = AW_F4;
    bands[2].q = 0.5;
    return AW_F4 < 0.5 * rate_hz ? 3 : 2;
}

/* |H|^2 of the sections at f */
static int aweight_power(double rate_hz, double f, double *pow2)
{
    hpa_eq_band bands[3];
    const size_t n = aweight_bands(rate_hz, bands);
    double re = 0.0, im = 0.0;
    const int rc = hpa_eq_response(bands, n, rate_hz, f, &re, &im);
    *pow2 = re * re + im * im;
    return rc;
}

int hpa_meter_aweight_response_db(double rate_hz, double freq_hz, double *db)
{
    if (!db || !(freq_hz > 0.0 && freq_hz < 0.5 * rate_hz))
        return !(rate_hz >= HPA_RATE_MIN_HZ && rate_hz <= HPA_RATE_MAX_HZ) ? HPA_ERR_RATE : HPA_ERR_INVALID_ARG;
    double p = 0.0, p1k = 0.0;
    int rc = aweight_power(rate_hz, freq_hz, &p);
    if (rc == HPA_OK)
        rc = aweight_power(rate_hz, 1000.0, &p1k);
    if (rc != HPA_OK)
        return rc;
    *db = p > 0.0 ? 10.0 * log10(p / p1k) : -HUGE_VAL;
    return HPA_OK;
}

/* ---- create, reset, destroy ---- */

static size_t aw_groups(unsigned channels)
{
    return (channels + AW_GROUP - 1) / AW_GROUP;
}

static int make_ebu(hpa_meter *m)
{
    int mode = EBUR128_MODE_HISTOGRAM;
    if (m->modes & HPA_METER_MOMENTARY)
        mode |= EBUR128_MODE_M;
    if (m->modes & HPA_METER_SHORTTERM)
        mode |= EBUR128_MODE_S;
    if (m->modes & HPA_METER_INTEGRATED)
        mode |= EBUR128_MODE_I;
    if (m->modes & HPA_METER_RANGE)
        mode |= EBUR128_MODE_LRA;
    m->ebu = ebur128_init(m->channels, m->rate_hz, mode);
    if (!m->ebu)
        return HPA_ERR_NO_MEMORY;
    if (m->channels == 1 && ebur128_set_channel(m->ebu, 0, EBUR128_DUAL_MONO) != EBUR128_SUCCESS)
        return HPA_ERR_NO_MEMORY;
    return HPA_OK;
}

static void clear_values(hpa_meter *m)
{
    const size_t n = (size_t)PUB_KINDS * m->channels;
    memset(m->val, 0, n * sizeof *m->val);
    memset(m->last_spk, 0, m->channels * sizeof *m->last_spk);
    m->frames = 0;
    atomic_fetch_add_explicit(&m->seq, 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    for (size_t i = 0; i <= n; i++)
        atomic_store_explicit(&m->pub[i], 0, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->seq, 1, memory_order_release);
    if (m->tp)
        memset(m->tp, 0, (size_t)m->channels * (TP_HIST + BLOCK) * sizeof *m->tp);
    for (size_t g = 0; g < AW_GROUPS_MAX; g++)
        if (m->aw[g])
            hpa_eq_reset(m->aw[g]);
}

static void design_true_peak(hpa_meter *m)
{
    double bank[(TP_PHASES - 1) * TP_TAPS];
    const double l1 = hpa_polyphase_design(bank, TP_PHASES, TP_HALF, TP_BETA);
    for (size_t p = 0; p < TP_PHASES - 1; p++)
        for (size_t i = 0; i < TP_TAPS; i++)
            m->coef[p][i] = (float)bank[p * TP_TAPS + i];
    m->bound = (float)l1 * 1.0001f; /* float rounding in the sums */
}

/* the A-weighting processors in one block */
static int make_aweight(hpa_meter *m)
{
    hpa_eq_band bands[3];
    const size_t nb = aweight_bands(m->rate_hz, bands);
    double p1k = 0.0;
    if (aweight_power(m->rate_hz, 1000.0, &p1k) != HPA_OK || !(p1k > 0.0))
        return HPA_ERR_RATE;
    m->aw_gain2 = 1.0 / p1k;
    const size_t groups = aw_groups(m->channels);
    size_t off[AW_GROUPS_MAX], total = (size_t)BLOCK * AW_GROUP * sizeof(double);
    hpa_eq_config cfg[AW_GROUPS_MAX];
    for (size_t g = 0; g < groups; g++) {
        hpa_eq_config_init(&cfg[g]);
        cfg[g].rate_hz = m->rate_hz;
        cfg[g].channels = (unsigned)(g + 1 < groups ? AW_GROUP : m->channels - g * AW_GROUP);
        const size_t bytes = hpa_eq_size(&cfg[g], nb);
        if (!bytes)
            return HPA_ERR_RATE;
        off[g] = total;
        total += (bytes + 63) & ~(size_t)63;
    }
    m->aw_mem = m->alloc.alloc(m->alloc.user, total);
    if (!m->aw_mem)
        return HPA_ERR_NO_MEMORY;
    m->aw_buf = (double *)(void *)m->aw_mem;
    for (size_t g = 0; g < groups; g++) {
        const int rc = hpa_eq_init(m->aw_mem + off[g], hpa_eq_size(&cfg[g], nb), &cfg[g], bands, nb, NULL, &m->aw[g]);
        if (rc != HPA_OK)
            return rc;
    }
    return HPA_OK;
}

int hpa_meter_create(unsigned channels, uint32_t rate_hz, unsigned modes, const hpa_allocator *alloc, hpa_meter **out)
{
    if (!out)
        return HPA_ERR_INVALID_ARG;
    *out = NULL;
    if (!modes || (modes & ~(unsigned)HPA_METER_ALL))
        return HPA_ERR_INVALID_ARG;
    if (channels < 1 || channels > HPA_METER_CHANNELS_MAX)
        return HPA_ERR_CHANNELS;
    if (rate_hz < HPA_RATE_MIN_HZ || rate_hz > HPA_RATE_MAX_HZ)
        return HPA_ERR_RATE;
    const hpa_allocator a = alloc ? *alloc : hpa_malloc_allocator;
    if (!a.alloc || !a.free)
        return HPA_ERR_INVALID_ARG;
    const size_t nval = (size_t)PUB_KINDS * channels;
    const size_t tp_floats = modes & HPA_METER_TRUE_PEAK ? (size_t)channels * (TP_HIST + BLOCK) : 0;
    const size_t bytes = sizeof(hpa_meter) + (nval + channels) * sizeof(double) + (nval + 1) * sizeof(uint64_t) +
                         tp_floats * sizeof(float);
    unsigned char *mem = a.alloc(a.user, bytes);
    if (!mem)
        return HPA_ERR_NO_MEMORY;
    memset(mem, 0, bytes);
    hpa_meter *m = (hpa_meter *)(void *)mem;
    m->alloc = a;
    m->channels = channels;
    m->modes = modes;
    m->rate_hz = rate_hz;
    unsigned char *p = mem + sizeof(hpa_meter);
    m->val = (double *)(void *)p;
    p += nval * sizeof(double);
    m->last_spk = (double *)(void *)p;
    p += channels * sizeof(double);
    m->pub = (_Atomic uint64_t *)(void *)p;
    p += (nval + 1) * sizeof(uint64_t);
    m->tp = tp_floats ? (float *)(void *)p : NULL;
    atomic_init(&m->seq, 0);
    for (size_t i = 0; i <= nval; i++)
        atomic_init(&m->pub[i], 0);
    int rc = HPA_OK;
    if (modes & HPA_METER_TRUE_PEAK)
        design_true_peak(m);
    if (modes & HPA_METER_AWEIGHT)
        rc = make_aweight(m);
    if (rc == HPA_OK && (modes & LOUDNESS))
        rc = make_ebu(m);
    if (rc != HPA_OK) {
        hpa_meter_destroy(m);
        return rc;
    }
    clear_values(m);
    *out = m;
    return HPA_OK;
}

void hpa_meter_destroy(hpa_meter *m)
{
    if (!m)
        return;
    if (m->ebu)
        ebur128_destroy(&m->ebu);
    if (m->aw_mem)
        m->alloc.free(m->alloc.user, m->aw_mem);
    m->alloc.free(m->alloc.user, m);
}

int hpa_meter_reset(hpa_meter *m)
{
    if (!m)
        return HPA_ERR_INVALID_ARG;
    clear_values(m);
    if (!(m->modes & LOUDNESS))
        return HPA_OK;
    if (m->ebu)
        ebur128_destroy(&m->ebu);
    const int rc = make_ebu(m);
    m->ebu_failed = rc != HPA_OK;
    if (m->ebu_failed && m->ebu)
        ebur128_destroy(&m->ebu);
    return rc;
}

/* ---- adding frames ---- */

static void publish(hpa_meter *m)
{
    const size_t n = (size_t)PUB_KINDS * m->channels;
    atomic_fetch_add_explicit(&m->seq, 1, memory_order_relaxed); /* odd: writing */
    atomic_thread_fence(memory_order_release);
    for (size_t i = 0; i < n; i++)
        atomic_store_explicit(&m->pub[i], d2u(m->val[i]), memory_order_relaxed);
    atomic_store_explicit(&m->pub[n], m->frames, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->seq, 1, memory_order_release); /* even: done */
}

/* the buffer of channel c holds TP_HIST + n samples: interpolate the n
 * stretches of points they complete, then keep the last TP_HIST samples */
static void tp_channel(hpa_meter *m, float *s, size_t n, double *peak_io)
{
    float peak = (float)*peak_io;
    for (size_t m0 = 0; m0 < n; m0 += SUB) {
        const size_t len = n - m0 < SUB ? n - m0 : SUB;
        /* the samples this stretch of points reaches: s[m0 .. m0 + len + TP_HIST) */
        float reach = 0.0f;
        for (size_t k = m0; k < m0 + len + TP_HIST; k++) {
            const float a = fabsf(s[k]);
            reach = a > reach ? a : reach;
        }
        if (reach * m->bound <= peak)
            continue;
        for (size_t p = 0; p < TP_PHASES - 1; p++) {
            /* whole stretches of SUB points, 4 at a time (GCC's vector
             * extension: the same operations as the scalar loop, lane by
             * lane); BLOCK is a multiple of SUB, so the reads stay in the
             * channel's buffer, and the points past len are not used */
            tp_v4 acc[SUB / 4];
            memset(acc, 0, sizeof acc);
            for (size_t i = 0; i < TP_TAPS; i++) {
                const float k = m->coef[p][i];
                const tp_v4 c = {k, k, k, k};
                const float *x = s + m0 + i;
                for (size_t j = 0; j < SUB / 4; j++) {
                    tp_v4 v;
                    memcpy(&v, x + 4 * j, sizeof v);
                    acc[j] += c * v;
                }
            }
            for (size_t j = 0; j < len; j++) {
                const float a = fabsf(acc[j / 4][j % 4]);
                peak = a > peak ? a : peak;
            }
        }
    }
    if ((double)peak > *peak_io)
        *peak_io = peak;
    memmove(s, s + n, TP_HIST * sizeof *s);
}

/* one block of at most BLOCK frames, from doubles or floats (the other NULL);
 * both NULL: silence */
static void add_block(hpa_meter *m, const double *xd, const float *xf, size_t n)
{
    const unsigned ch = m->channels;
    double *spk = m->val + (size_t)PUB_SPK * ch, *tpk = m->val + (size_t)PUB_TPK * ch;
    double *aw = m->val + (size_t)PUB_AW * ch;
    const int want_tp = m->tp != NULL; /* made for HPA_METER_TRUE_PEAK */
    for (unsigned c = 0; c < ch; c++) {
        double pk = 0.0;
        float *dst = want_tp ? m->tp + (size_t)c * (TP_HIST + BLOCK) + TP_HIST : NULL;
        if (xd) {
            for (size_t k = 0; k < n; k++) {
                const double v = xd[k * ch + c], a = fabs(v);
                pk = a > pk ? a : pk;
                if (dst)
                    dst[k] = (float)v;
            }
        } else if (xf) {
            for (size_t k = 0; k < n; k++) {
                const float v = xf[k * ch + c];
                const double a = fabs((double)v);
                pk = a > pk ? a : pk;
                if (dst)
                    dst[k] = v;
            }
        } else if (dst) {
            memset(dst, 0, n * sizeof *dst);
        }
        m->last_spk[c] = pk > m->last_spk[c] ? pk : m->last_spk[c];
        spk[c] = pk > spk[c] ? pk : spk[c];
        tpk[c] = pk > tpk[c] ? pk : tpk[c]; /* phase 0: the samples themselves */
        if (want_tp)
            tp_channel(m, m->tp + (size_t)c * (TP_HIST + BLOCK), n, &tpk[c]);
    }
    if ((m->modes & HPA_METER_AWEIGHT) && (xd || xf)) {
        for (unsigned c0 = 0, g = 0; c0 < ch; c0 += AW_GROUP, g++) {
            const unsigned gc = ch - c0 < AW_GROUP ? ch - c0 : AW_GROUP;
            double *b = m->aw_buf;
            for (size_t k = 0; k < n; k++)
                for (unsigned c = 0; c < gc; c++)
                    b[k * gc + c] = xd ? xd[k * ch + c0 + c] : (double)xf[k * ch + c0 + c];
            hpa_eq_process(m->aw[g], b, n);
            for (unsigned c = 0; c < gc; c++) {
                double e = 0.0;
                for (size_t k = 0; k < n; k++)
                    e += b[k * gc + c] * b[k * gc + c];
                aw[c0 + c] += e * m->aw_gain2;
            }
        }
    }
    if (xd || xf)
        m->frames += n;
}

static int add_frames(hpa_meter *m, const double *xd, const float *xf, size_t n)
{
    if (!m || (!xd && !xf && n))
        return HPA_ERR_INVALID_ARG;
    if (m->ebu_failed)
        return HPA_ERR_STATE;
    if (m->ebu && n) {
        /* histogram mode: libebur128 adds without allocating (the only error is NOMEM) */
        if (xd)
            ebur128_add_frames_double(m->ebu, xd, n);
        else
            ebur128_add_frames_float(m->ebu, xf, n);
    }
    memset(m->last_spk, 0, m->channels * sizeof *m->last_spk);
    if (m->modes & (HPA_METER_SAMPLE_PEAK | HPA_METER_TRUE_PEAK | HPA_METER_AWEIGHT)) {
        for (size_t done = 0; done < n;) {
            const size_t k = n - done < BLOCK ? n - done : BLOCK;
            add_block(m, xd ? xd + done * m->channels : NULL, xf ? xf + done * m->channels : NULL, k);
            done += k;
        }
    } else {
        m->frames += n;
    }
    publish(m);
    return HPA_OK;
}

int hpa_meter_add_double(hpa_meter *m, const double *frames, size_t n)
{
    return add_frames(m, frames, NULL, n);
}

int hpa_meter_add_float(hpa_meter *m, const float *frames, size_t n)
{
    return add_frames(m, NULL, frames, n);
}

int hpa_meter_end(hpa_meter *m)
{
    if (!m)
        return HPA_ERR_INVALID_ARG;
    if (m->modes & HPA_METER_TRUE_PEAK) {
        add_block(m, NULL, NULL, TP_HALF); /* the last points' neighbours: silence */
        publish(m);
    }
    return HPA_OK;
}

/* ---- reading ---- */

unsigned hpa_meter_modes(const hpa_meter *m)
{
    return m ? m->modes : 0;
}

unsigned hpa_meter_channels(const hpa_meter *m)
{
    return m ? m->channels : 0;
}

/* one published value and the frames, as one add call left them */
static int read_pub(const hpa_meter *m, unsigned channel, unsigned mode, int kind, double *v, uint64_t *frames)
{
    if (!m || channel >= m->channels)
        return HPA_ERR_INVALID_ARG;
    if (!(m->modes & mode))
        return HPA_ERR_STATE;
    const size_t at = (size_t)kind * m->channels + channel, nf = (size_t)PUB_KINDS * m->channels;
    uint64_t s0, s1, bits, fr;
    do {
        s0 = atomic_load_explicit(&m->seq, memory_order_acquire);
        bits = atomic_load_explicit(&m->pub[at], memory_order_relaxed);
        fr = atomic_load_explicit(&m->pub[nf], memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
        s1 = atomic_load_explicit(&m->seq, memory_order_relaxed);
    } while ((s0 & 1u) || s0 != s1);
    if (v)
        *v = u2d(bits);
    if (frames)
        *frames = fr;
    return HPA_OK;
}

int hpa_meter_sample_peak(const hpa_meter *m, unsigned channel, double *peak)
{
    return peak ? read_pub(m, channel, HPA_METER_SAMPLE_PEAK, PUB_SPK, peak, NULL) : HPA_ERR_INVALID_ARG;
}

int hpa_meter_true_peak(const hpa_meter *m, unsigned channel, double *peak)
{
    return peak ? read_pub(m, channel, HPA_METER_TRUE_PEAK, PUB_TPK, peak, NULL) : HPA_ERR_INVALID_ARG;
}

int hpa_meter_aweighted(const hpa_meter *m, unsigned channel, double *energy, uint64_t *frames)
{
    return read_pub(m, channel, HPA_METER_AWEIGHT, PUB_AW, energy, frames);
}

static int loudness(hpa_meter *m, unsigned mode, double *out)
{
    if (!m || !out)
        return HPA_ERR_INVALID_ARG;
    if (!(m->modes & mode) || !m->ebu)
        return HPA_ERR_STATE;
    int rc;
    switch (mode) {
    case HPA_METER_MOMENTARY: rc = ebur128_loudness_momentary(m->ebu, out); break;
    case HPA_METER_SHORTTERM: rc = ebur128_loudness_shortterm(m->ebu, out); break;
    case HPA_METER_INTEGRATED: rc = ebur128_loudness_global(m->ebu, out); break;
    default: rc = ebur128_loudness_range(m->ebu, out); break;
    }
    return rc == EBUR128_SUCCESS ? HPA_OK : HPA_ERR_STATE;
}

int hpa_meter_momentary(hpa_meter *m, double *lufs)
{
    return loudness(m, HPA_METER_MOMENTARY, lufs);
}

int hpa_meter_shortterm(hpa_meter *m, double *lufs)
{
    return loudness(m, HPA_METER_SHORTTERM, lufs);
}

int hpa_meter_integrated(hpa_meter *m, double *lufs)
{
    return loudness(m, HPA_METER_INTEGRATED, lufs);
}

int hpa_meter_range(hpa_meter *m, double *lu)
{
    return loudness(m, HPA_METER_RANGE, lu);
}

/* ---- for the chain ---- */

void hpa_meter_last_peaks(const hpa_meter *m, double *peak)
{
    memcpy(peak, m->last_spk, m->channels * sizeof *peak);
}
