/* internal.h — libhpamp's private declarations, shared by the stage files. */
#ifndef HPA_INTERNAL_H
#define HPA_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <hpamp/chain.h>
#include <hpamp/eq.h>

#include "bits.h"

#if ATOMIC_LLONG_LOCK_FREE != 2
#error "libhpamp needs lock-free 64-bit atomics for its parameters"
#endif

/* ---- format.c: <hpamp/format.h> ---- */
#include <hpamp/format.h>

/* ---- ops.c: whole-block passes, plain C and AVX2 (the same bits) ---- */

typedef struct hpa_ops {
    /* [RT] buf[i] *= g for n samples (nothing when g is exactly 1.0); with a
     * peak, also raises *peak to the largest |buf[i]| (after the gain) and
     * returns how many exceed 1.0 (0 without a peak). */
    uint64_t (*gain_scan)(double *buf, size_t n, double g, double *peak);
    /* [RT] dst[i] = src[i] / 32768 */
    void (*s16_to_double)(const int16_t *src, double *dst, size_t n);
} hpa_ops;

/* [non-RT] The kernels for this CPU (simd 0: the plain C reference kernels). */
const hpa_ops *hpa_ops_get(int simd);

/* ---- volume.c: smoothed gain ---- */

typedef struct hpa_volume {
    double gain; /* gain applied to the last sample */
    double coef; /* one-pole smoothing coefficient: gain += coef * (target - gain) */
} hpa_volume;

void hpa_volume_init(hpa_volume *v, double gain, double smoothing_ms, double rate_hz);

/* [RT] Apply the gain, moving it smoothly towards target. Frames are
 * interleaved with `channels` samples each. Returns 1 when the gain was exactly
 * 1.0 throughout (the samples were left untouched).  With a peak (may be
 * NULL), the same pass scans the result: samples with |y| > 1 are added to
 * *over and *peak is raised to the largest |y|. */
int hpa_volume_process(hpa_volume *v, const hpa_ops *ops, double target, double *buf, size_t frames, unsigned channels,
                       uint64_t *over, double *peak);

/* ---- dither.c: requantization ---- */

#define HPA_SHAPER_TAPS 4
#define HPA_DITHER_LANES 8

typedef struct hpa_requant {
    hpa_format format;
    hpa_dither dither;
    unsigned channels;
    double scale;                                  /* full-scale value of the output format */
    double lo, hi;                                 /* clamp range in output units */
    double ntf[HPA_SHAPER_TAPS];                   /* noise transfer function taps a1..a4 (NTF = 1 + sum a_k z^-k) */
    double err[HPA_CHANNELS_MAX][HPA_SHAPER_TAPS]; /* past total errors, newest first */
    uint64_t pos;                                  /* samples requantized since the reset */
    uint32_t rng[4][HPA_DITHER_LANES];             /* the dither's xorshift128 lanes: x, y, z, w of each */
    int32_t group[HPA_DITHER_LANES];               /* the dither of the current 8 samples, in 2^-31 LSB */
    int simd;                                      /* use the AVX2+FMA kernels (set at init when the CPU has both) */
} hpa_requant;

void hpa_requant_init(hpa_requant *q, hpa_format format, hpa_dither dither, unsigned channels, double rate_hz,
                      uint64_t seed);
void hpa_requant_reset(hpa_requant *q, uint64_t seed);

/* [RT] Requantize interleaved doubles into the integer output format.
 * Returns the number of samples clamped to full scale.  Scans src on the way:
 * adds the samples with |x| > 1 to *over and raises *peak to the largest |x|
 * (either may be NULL). */
uint64_t hpa_requant_process(hpa_requant *q, const double *src, void *dst, size_t frames, uint64_t *over, double *peak);

/* The shaped dither's noise transfer function taps for a rate (for tests and docs). */
void hpa_shaper_design(double rate_hz, double ntf[HPA_SHAPER_TAPS]);

/* ---- resample.c: libsoxr wrapper ---- */

typedef struct hpa_resampler hpa_resampler;

/* [non-RT] Make and warm up a resampler for blocks of at most max_in frames. */
int hpa_resampler_create(hpa_resampler **out, uint32_t in_rate, uint32_t out_rate, unsigned channels, hpa_filter filter,
                         size_t max_in, const hpa_allocator *alloc);
void hpa_resampler_destroy(hpa_resampler *r);
/* [RT] Give the resampler n input frames; all are taken. */
int hpa_resampler_push(hpa_resampler *r, const double *in, size_t n);
/* [RT] The oldest output waiting, as one contiguous run of frames that the
 * caller may change in place: returns its length (0 when none) and sets *run. */
size_t hpa_resampler_peek(hpa_resampler *r, double **run);
/* [RT] The first n frames of the run are taken. */
void hpa_resampler_consume(hpa_resampler *r, size_t n);
/* End of input: everything still inside soxr goes to the output (may need
 * several peeks; call again while the ring was too full to take it all). */
int hpa_resampler_flush(hpa_resampler *r);
/* [non-RT] Start afresh (a new soxr, warmed up again). */
int hpa_resampler_reset(hpa_resampler *r);
double hpa_resampler_latency(const hpa_resampler *r);
/* [any] Output capacity a caller should offer per call. */
size_t hpa_resampler_max_out(const hpa_resampler *r);


/* ---- sinc.c: the Kaiser-windowed sinc (limiter and meter) ---- */

/* The modified Bessel function of the first kind, order 0 (power series). */
double hpa_bessel_i0(double x);
/* The Kaiser window of half-length half (zero at |x| >= half) and shape beta. */
double hpa_kaiser(double x, double half, double beta);
/* sin(pi x) / (pi x), 1 at 0 */
double hpa_sinc(double x);
/* [non-RT] A polyphase interpolator: phases 1 .. phases-1 (phase 0 is the
 * sample itself) of 2 half taps each into bank, tap j of phase p weighing
 * the sample j - (half - 1) frames from the point's frame, for the point p /
 * phases of a sample period after it: sinc(x) kaiser(x, half, beta) with
 * x = p / phases - (j - (half - 1)), each phase scaled to unit gain at DC.
 * Returns the largest sum of |taps| over the phases (1 at least). */
double hpa_polyphase_design(double *bank, unsigned phases, unsigned half, double beta);

/* ---- meter.c ---- */

typedef struct hpa_meter hpa_meter;
/* [RT] The sample peak of each channel over the last add call (channels
 * values), from the thread that adds. */
void hpa_meter_last_peaks(const hpa_meter *m, double *peak);

/* ---- limiter.c: lookahead true-peak limiter with a guard band ---- */

#define HPA_LIM_PHASES 16   /* the detector's points per sample period (16x) */
#define HPA_LIM_HALF 64     /* the detector's half length in samples: 128 taps a phase */
#define HPA_LIM_LP_HALF 108 /* the guard low-pass's half length: 217 taps */

typedef struct hpa_limiter {
    unsigned channels;
    size_t win;    /* attack: the moving-average length W in frames */
    size_t minwin; /* sliding-minimum length: 2 HALF + W - 1 */
    size_t delay;  /* D = LP_HALF + 2 HALF + W - 2: output frame n is input frame n - D */
    size_t ring;   /* frames in each ring, a power of two > D + LP_HALF */
    double release_coef;
    double target_ratio; /* the gain aims at ceiling * this: the detector's proven under-read */
    double engage;       /* |x| * engage >= target: the frame may reach the ceiling (>= l1 of LP * detector) */
    double *xh;          /* input ring, interleaved, `ring` frames */
    double *lh;          /* the guard band's output, per channel, mirrored (2 ring doubles each) */
    double *hh;          /* the largest |input - guard output| of each frame over the channels, mirrored */
    double *box_s;       /* the last W released gains */
    double *box_c;       /* the last W released engagement levels (1 = bypass, 0 = guard) */
    double *mq_val;      /* sliding-minimum deque of the gain: values ... */
    uint64_t *mq_pos;    /* ... and their times; minwin + 1 entries each */
    const double *lp;    /* the guard low-pass, taps 0..LP_HALF (symmetric) */
    const double *bank;  /* the detector, HPA_LIM_PHASES - 1 phases of 2 HALF taps */
    size_t bpos, mq_head, mq_len;
    uint64_t t;         /* input frames seen */
    uint64_t lh_next;   /* the first frame whose guard output is not yet in lh */
    uint64_t last_loud; /* + 1: the newest input frame with |x| * engage >= target (0: none) */
    uint64_t off_until; /* frames that came in while switched off are in the delay line until this t */
    uint64_t last_trig; /* + 1: the newest detection point that engaged the guard band (0: none) */
    double release, release_c;
    double box_sum, box_c_sum;
    size_t box_below, box_c_below, box_c_above; /* entries of box_s below 1; of box_c below 1 and above 0 */
    int active;                                 /* the per-frame path ran last (lh is current) */
    uint64_t start;                             /* the first input frame of the stream */
    uint64_t end;                               /* the stream's end (hpa_limiter_end), 0 before it */
    int fade_in, fade_out;                      /* the stream's edges fade (loud there); fade_in -1: not yet known */
    double gain;                                /* gain applied to the last frame */
    double guard;                               /* the guard band's share of the last frame, 0 .. 1 */
    double min_gain;                            /* lowest gain since the stats were reset */
    uint64_t limited_frames;
    double l1_det; /* the largest sum of |taps| of a detector phase */
    double curve;  /* bound of |y''| / 8^2 / 2 per unit of the window's largest |sample|: the quarter-point screen */
    double (*dot)(const double *a, const double *b);      /* the detector's 128-tap product (plain or AVX2 + FMA) */
    double (*absmax)(const double *w, size_t n);          /* the largest |w[j]| (plain or AVX) */
    int (*within)(const double *y, size_t n, double lim); /* every |y[j]| <= lim, no NaN (plain or AVX) */
    void (*guard8)(const double *lp, const double *s, double *out); /* 8 stereo frames of the guard (AVX), or NULL */
    uint64_t screened; /* detection points the window bound passed over (for the tests) */
    int no_screen;     /* [test] 1: run the detector wherever the loud rule says, never skip it by the window bound */
} hpa_limiter;

/* [non-RT] Doubles of memory a limiter needs (for the chain's one block). */
size_t hpa_limiter_doubles(unsigned channels, double rate_hz, double lookahead_ms);
/* [non-RT] Set up in mem (hpa_limiter_doubles() doubles, 8-byte aligned). */
void hpa_limiter_init(hpa_limiter *l, double *mem, unsigned channels, double rate_hz, double lookahead_ms,
                      double release_ms);
/* [RT] Back to rest: empty delay line, gain 1. */
void hpa_limiter_reset(hpa_limiter *l);
/* [RT] The input has ended: what follows is the silence that pushes out the
 * lookahead, and the output ends at this frame too.  A loud stream's last
 * frames fade out so that cutting it there leaves no step (docs/limiter.md). */
void hpa_limiter_end(hpa_limiter *l);
/* [RT] Limit frames of buf in place to ceiling (linear, true peak); with
 * enable 0 the gain releases to 1 and the signal is only delayed.  peak is the
 * largest |x| of the block (the caller's scan; only read when enabled).
 * Returns 1 when some sample was changed (not only delayed). */
int hpa_limiter_process(hpa_limiter *l, double *buf, size_t frames, double ceiling, int enable, double peak);

/* ---- eq.c, eq_peak.c: a biquad's response, evaluated accurately ----
 *
 * A polynomial c0 + c1 z^-1 + c2 z^-2 on the unit circle is evaluated expanded
 * about z^-1 = s (s = 1 for w <= pi/2, -1 above): e0 + e1 e + e2 e^2 with
 * e = e^-jw - s, whose real part is -2 sin^2(w/2) or 2 cos^2(w/2).  With e0
 * summed without intermediate rounding, a low band's response near 0 Hz (where
 * c0 + c1 cos w + c2 cos 2w cancels to about w0^2) keeps its precision: the
 * error is that of the coefficients, not 1e-16 / w^2. */

typedef struct hpa_eq_at {
    double er, ei; /* e = e^-jw - s */
    int side;      /* 0: s = 1, 1: s = -1 */
} hpa_eq_at;

static inline hpa_eq_at hpa_eq_at_w(double w)
{
    const double sh = __builtin_sin(0.5 * w), ch = __builtin_cos(0.5 * w);
    hpa_eq_at a;
    a.side = w > 1.57079632679489661923;
    a.ei = -2.0 * sh * ch;
    a.er = a.side ? 2.0 * ch * ch : -2.0 * sh * sh;
    return a;
}

/* a + b and its rounding error (Knuth's two-sum) */
static inline double hpa_two_sum(double a, double b, double *err)
{
    const double s = a + b, bb = s - a;
    *err = (a - (s - bb)) + (b - bb);
    return s;
}

/* c0 + c1 z^-1 + c2 z^-2 as e[0] + e[1] e + e[2] e^2 about z^-1 = s */
static inline void hpa_eq_expand(double c0, double c1, double c2, int side, double e[3])
{
    const double s = side ? -1.0 : 1.0;
    double r1, r2;
    const double t = hpa_two_sum(c0, c2, &r1);
    const double u = hpa_two_sum(t, s * c1, &r2);
    e[0] = u + (r1 + r2);
    e[1] = c1 + 2.0 * s * c2;
    e[2] = c2;
}

/* the expanded polynomial at a */
static inline void hpa_eq_poly(const double e[3], const hpa_eq_at *a, double *re, double *im)
{
    const double e2r = a->er * a->er - a->ei * a->ei, e2i = 2.0 * a->er * a->ei;
    *re = e[0] + e[1] * a->er + e[2] * e2r;
    *im = e[1] * a->ei + e[2] * e2i;
}

/* a biquad's numerator N and denominator D at a */
static inline void hpa_eq_biquad_nd(const hpa_eq_coefs *c, const hpa_eq_at *a, double *nr, double *ni, double *dr,
                                    double *di)
{
    double n[3], d[3];
    hpa_eq_expand(c->b0, c->b1, c->b2, a->side, n);
    hpa_eq_expand(1.0, c->a1, c->a2, a->side, d);
    hpa_eq_poly(n, a, nr, ni);
    hpa_eq_poly(d, a, dr, di);
}

/* 10 log10 |H(e^jw)|^2 of one biquad (-HUGE_VAL at a zero) */
static inline double hpa_eq_biquad_db(const hpa_eq_coefs *c, const hpa_eq_at *a)
{
    double nr, ni, dr, di;
    hpa_eq_biquad_nd(c, a, &nr, &ni, &dr, &di);
    const double nn = nr * nr + ni * ni;
    return nn > 0.0 ? 10.0 * __builtin_log10(nn / (dr * dr + di * di)) : -__builtin_huge_val();
}

/* ---- eq_peak.c: the peak finder's work, counted (for the tests) ---- */

typedef struct hpa_eq_peak_stats {
    uint64_t designs;    /* bands designed (coefficients computed) */
    uint64_t band_evals; /* one band's response evaluated at one frequency */
} hpa_eq_peak_stats;

/* hpa_eq_peak_db, adding the work done to *stats (if not NULL). */
int hpa_eq_peak_db_counted(const hpa_eq_band *bands, size_t n, double rate_hz, double lo_hz, double hi_hz,
                           double *peak_db, double *at_hz, hpa_eq_peak_stats *stats);

/* ---- helpers ---- */

/* eq_fit.c: Cholesky factorisation of a symmetric positive definite A (n x n,
 * row-major) in place, its lower triangle becoming L with A = L L^T (0, or -1
 * when A is not positive definite); and x = A^-1 y from that factor. */
int hpa_cholesky_factor(double *A, size_t n);
void hpa_cholesky_back(const double *L, size_t n, const double *y, double *x);

/* malloc/free as an hpa_allocator (alloc.c) */
extern const hpa_allocator hpa_malloc_allocator;

static inline double hpa_db_to_gain(double db)
{
    return __builtin_pow(10.0, db / 20.0);
}

#endif
