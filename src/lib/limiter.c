/* limiter.c — a lookahead true-peak limiter whose ceiling holds on the
 * band-limited signal.  Design, bound and sources: docs/limiter.md.
 *
 * Why a guard band.  Content close to Nyquist hides its peaks between the
 * samples, and no interpolator of finite length reads it: a sine at
 * (1 - e) fs/2 whose samples sit near zero still swings to full scale between
 * them, and its samples reveal that only over about 1/(2e) samples.  So the
 * limiter, wherever its output may come near the ceiling, plays the signal
 * through a linear-phase guard low-pass (flat to 0.907 of Nyquist, 20 kHz at
 * 44.1 kHz; at least 90 dB down from 0.96 of Nyquist), and the detector reads
 * that band-limited signal exactly.  Far below the ceiling the guard is out
 * and the samples pass untouched (bit-exact, only delayed); it fades in and
 * out over the attack and release like the gain.
 *
 * Detection.  The guard's output is interpolated at 16 points per sample
 * period by a Kaiser-windowed sinc of 128 taps a phase (flat within 1e-4 to
 * 0.96 of Nyquist, its images at least 80 dB down), so on the guard's band the
 * detector reads the band-limited waveform itself at those points.  Between
 * the points a signal band-limited to B cannot rise above the nearest point's
 * value / (1 - (pi B / (16 fs))^2 / 2) (for B = 0.96 fs/2: 0.0387 dB), so the
 * gain aims at the ceiling times that factor, less the detector's ripple: what
 * it reads at the points bounds the waveform everywhere.
 *
 * Gain.  g[u] = min(1, target / q[u]) for the detection point u; h = the
 * minimum of g over 2 HALF + W - 1 points; r = h after a one-pole release
 * (falls at once, rises with the release time constant, never above h); the
 * gain applied is the average of r over W frames.  With the alignment below,
 * every output frame within HALF frames of a detection point u — the whole
 * span of its interpolator — gets a gain at most g[u], and around an isolated
 * peak the gain is constant over that span, so the output's waveform there is
 * g[u] times the detected one.  The same path, with 0 where a frame may come
 * near the ceiling and 1 elsewhere, moves the guard band in and out.
 *
 * Timing, for input frame t: the guard output of frame t - P (P = LP_HALF);
 * detection at u = t - P - HALF; the minimum for i = u - HALF + 1; the gain of
 * output frame v = i - W + 1 = t - D with D = P + 2 HALF + W - 2.
 *
 * When the guard goes in.  At detection point u the waveform is at most the
 * detected band's peak q plus what the guard takes away, and that residue
 * (the band above 0.907 of Nyquist) is estimated, not read: twice its
 * largest sample over the detector's window.  The guard goes in where
 * q + 2 residue reaches the target, so music, whose top octave is
 * small, keeps every bit until the limiter has work to do.
 *
 * Transparency and cost.  A frame is loud when |x| * engage >= target, where
 * engage is at least the largest gain of guard and detector together (about
 * 4.3): the detector runs only where a loud frame lies within its reach, and a
 * block with none, at rest, is only delayed (whole runs copied). */
#include <math.h>
#include <string.h>

#include "internal.h"

#define LP_HALF HPA_LIM_LP_HALF
#define HALF HPA_LIM_HALF
#define PHASES HPA_LIM_PHASES
#define DET_TAPS ((size_t)2 * HALF)
#define SNAP 1e-12
#define LP_PASS 0.907    /* the guard's passband edge, a fraction of Nyquist */
#define LP_STOP 0.96     /* its stopband edge: the band the detector must read */
#define LP_BETA 8.96     /* Kaiser beta for 90 dB (0.1102 (A - 8.7)) */
#define DET_BETA 7.857   /* Kaiser beta for 80 dB */
#define DET_RIPPLE 2e-4  /* the detector's passband ripple (1e-4) and the guard's leakage, with room */
#define RESIDUE_GAIN 2.0 /* the guard's residue's waveform over its samples: a rule, measured (docs/limiter.md) */
#define REACH (2 * LP_HALF + 2 * HALF - 1) /* input frames one detection point depends on */
#define FADE 192                           /* frames of the fade at a loud stream's edges */
#define ENGAGE_MIN 4.0                     /* frames within 12 dB of the target are loud, whatever the filters' gains */

static double dot_plain(const double *a, const double *b)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    for (size_t j = 0; j < DET_TAPS; j += 4) {
        s0 += a[j] * b[j];
        s1 += a[j + 1] * b[j + 1];
        s2 += a[j + 2] * b[j + 2];
        s3 += a[j + 3] * b[j + 3];
    }
    return (s0 + s1) + (s2 + s3);
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
__attribute__((target("avx2,fma"))) static double dot_avx2(const double *a, const double *b)
{
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd(), s2 = _mm256_setzero_pd(), s3 = _mm256_setzero_pd();
    for (size_t j = 0; j < DET_TAPS; j += 16) {
        s0 = _mm256_fmadd_pd(_mm256_loadu_pd(a + j), _mm256_loadu_pd(b + j), s0);
        s1 = _mm256_fmadd_pd(_mm256_loadu_pd(a + j + 4), _mm256_loadu_pd(b + j + 4), s1);
        s2 = _mm256_fmadd_pd(_mm256_loadu_pd(a + j + 8), _mm256_loadu_pd(b + j + 8), s2);
        s3 = _mm256_fmadd_pd(_mm256_loadu_pd(a + j + 12), _mm256_loadu_pd(b + j + 12), s3);
    }
    const __m256d s = _mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3));
    const __m128d h = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
    return _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
}
#endif

/* the largest |x| of n doubles (n a multiple of 4), 0 for none: a maximum is
 * exact, so any order gives the same; a NaN is passed over, as here */
static double absmax_plain(const double *w, size_t n)
{
    double m = 0.0;
    for (size_t j = 0; j < n; j++)
        m = fabs(w[j]) > m ? fabs(w[j]) : m;
    return m;
}

static int within_plain(const double *y, size_t n, double lim)
{
    int r = 1;
    for (size_t j = 0; j < n; j++)
        r &= fabs(y[j]) <= lim;
    return r;
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx"))) static double absmax_avx(const double *w, size_t n)
{
    const __m256d sign = _mm256_set1_pd(-0.0);
    __m256d m0 = _mm256_setzero_pd(), m1 = _mm256_setzero_pd();
    size_t j = 0;
    for (; j + 8 <= n; j += 8) {
        m0 = _mm256_max_pd(_mm256_andnot_pd(sign, _mm256_loadu_pd(w + j)), m0);
        m1 = _mm256_max_pd(_mm256_andnot_pd(sign, _mm256_loadu_pd(w + j + 4)), m1);
    }
    for (; j < n; j += 4)
        m0 = _mm256_max_pd(_mm256_andnot_pd(sign, _mm256_loadu_pd(w + j)), m0);
    m0 = _mm256_max_pd(m0, m1);
    const __m128d h = _mm_max_pd(_mm256_castpd256_pd128(m0), _mm256_extractf128_pd(m0, 1));
    return _mm_cvtsd_f64(_mm_max_sd(h, _mm_unpackhi_pd(h, h)));
}

/* 1 when every |y[j]| of n doubles is at most lim (a NaN is not) */
__attribute__((target("avx"))) static int within_avx(const double *y, size_t n, double lim)
{
    const __m256d sign = _mm256_set1_pd(-0.0), top = _mm256_set1_pd(lim);
    __m256d ok = _mm256_cmp_pd(top, top, _CMP_EQ_OQ); /* all ones (lim is not NaN) */
    size_t j = 0;
    for (; j + 4 <= n; j += 4)
        ok = _mm256_and_pd(ok, _mm256_cmp_pd(_mm256_andnot_pd(sign, _mm256_loadu_pd(y + j)), top, _CMP_LE_OQ));
    int r = _mm256_movemask_pd(ok) == 0xF;
    for (; j < n; j++)
        r &= fabs(y[j]) <= lim;
    return r;
}

/* 4 x 2 frames (f0 + j, 2 channels each) of the guard from the linear window
 * s (frame i of s is input frame f0 - LP_HALF + i), into out (2 doubles a frame) */
__attribute__((target("avx"))) static void guard8_stereo_avx(const double *lp, const double *s, double *out)
{
    const double *c = s + (ptrdiff_t)2 * LP_HALF; /* frame f0 */
    const __m256d l0 = _mm256_set1_pd(lp[0]);
    __m256d a0 = _mm256_mul_pd(l0, _mm256_loadu_pd(c)), a1 = _mm256_mul_pd(l0, _mm256_loadu_pd(c + 4)),
            a2 = _mm256_mul_pd(l0, _mm256_loadu_pd(c + 8)), a3 = _mm256_mul_pd(l0, _mm256_loadu_pd(c + 12));
#pragma GCC unroll 4
    for (int k = 1; k <= LP_HALF; k++) {
        const __m256d lk = _mm256_set1_pd(lp[k]);
        const double *m = c - (ptrdiff_t)2 * k, *p = c + (ptrdiff_t)2 * k;
        /* hides that tap k + 2 reads what tap k read 4 doubles along: gcc
         * otherwise keeps those loads in registers it rotates each tap (ten
         * register moves and a spill: 29 instructions a tap; now, 4 taps a
         * pass, about 21).  The same multiplies and adds in the same order. */
        __asm__("" : "+r"(m), "+r"(p));
        a0 = _mm256_add_pd(a0, _mm256_mul_pd(lk, _mm256_add_pd(_mm256_loadu_pd(m), _mm256_loadu_pd(p))));
        a1 = _mm256_add_pd(a1, _mm256_mul_pd(lk, _mm256_add_pd(_mm256_loadu_pd(m + 4), _mm256_loadu_pd(p + 4))));
        a2 = _mm256_add_pd(a2, _mm256_mul_pd(lk, _mm256_add_pd(_mm256_loadu_pd(m + 8), _mm256_loadu_pd(p + 8))));
        a3 = _mm256_add_pd(a3, _mm256_mul_pd(lk, _mm256_add_pd(_mm256_loadu_pd(m + 12), _mm256_loadu_pd(p + 12))));
    }
    _mm256_storeu_pd(out, a0);
    _mm256_storeu_pd(out + 4, a1);
    _mm256_storeu_pd(out + 8, a2);
    _mm256_storeu_pd(out + 12, a3);
}
#endif

static size_t attack_frames(double rate_hz, double lookahead_ms)
{
    long w = lround(lookahead_ms * rate_hz / 1000.0);
    return w < 1 ? 1 : (size_t)w;
}

static size_t ring_frames(size_t delay)
{
    size_t r = 1024;
    while (r < delay + (size_t)2 * LP_HALF + 1 + 1024)
        r *= 2;
    return r;
}

size_t hpa_limiter_doubles(unsigned channels, double rate_hz, double lookahead_ms)
{
    const size_t w = attack_frames(rate_hz, lookahead_ms);
    const size_t delay = LP_HALF + 2 * HALF + w - 2;
    const size_t ring = ring_frames(delay);
    const size_t minwin = (size_t)2 * HALF + w - 1;
    /* input ring, mirrored guard rings, the mirrored guard-band residue, two boxes, the deque (values and positions), guard taps, detector */
    return ring * channels + 2 * ring * channels + 2 * ring + 2 * w + 2 * (minwin + 1) + (LP_HALF + 1) +
           (PHASES - 1) * DET_TAPS;
}

void hpa_limiter_init(hpa_limiter *l, double *mem, unsigned channels, double rate_hz, double lookahead_ms,
                      double release_ms)
{
    memset(l, 0, sizeof *l);
    l->channels = channels;
    l->win = attack_frames(rate_hz, lookahead_ms);
    l->minwin = (size_t)2 * HALF + l->win - 1;
    l->delay = LP_HALF + 2 * HALF + l->win - 2;
    l->ring = ring_frames(l->delay);
    l->release_coef = -expm1(-1000.0 / (release_ms * rate_hz));
    l->min_gain = 1.0;
    double *p = mem;
    l->xh = p;
    p += l->ring * channels;
    l->lh = p;
    p += 2 * l->ring * channels;
    l->hh = p;
    p += 2 * l->ring;
    l->box_s = p;
    p += l->win;
    l->box_c = p;
    p += l->win;
    l->mq_val = p;
    p += l->minwin + 1;
    l->mq_pos = (uint64_t *)(void *)p;
    p += l->minwin + 1;
    double *lp = p;
    p += LP_HALF + 1;
    double *bank = p;

    /* the guard low-pass: a Kaiser-windowed sinc cut midway between its edges, unit gain at DC */
    const double fc = 0.25 * (LP_PASS + LP_STOP); /* cycles a sample: (pass + stop) / 2 of fs / 2 */
    double sum = 0.0;
    for (int k = 0; k <= LP_HALF; k++) {
        lp[k] = 2.0 * fc * hpa_sinc(2.0 * fc * k) * hpa_kaiser(k, LP_HALF + 1.0, LP_BETA);
        sum += k ? 2.0 * lp[k] : lp[k];
    }
    double l1_lp = 0.0;
    for (int k = 0; k <= LP_HALF; k++) {
        lp[k] /= sum;
        l1_lp += (k ? 2.0 : 1.0) * fabs(lp[k]);
    }
    /* the detector: tap j (0 .. 2 HALF - 1) of phase p weighs the guard's frame
     * u + j - (HALF - 1) for the point u + p / PHASES; each phase unit gain at DC */
    l->l1_det = hpa_polyphase_design(bank, PHASES, HALF, DET_BETA);
    l->lp = lp;
    l->bank = bank;
    /* the kernel's second derivative, summed in |.| over the taps, at the worst
     * offset (64 offsets a period, by central differences; 5 % of room for
     * the grid, the differences and the phases' normalisation): |y''| at most
     * that times the window's largest |sample|; over an eighth of a sample
     * (the farthest from a quarter point) the waveform rises by at most half
     * of it times (1/8)^2 */
    double d2max = 0.0;
    for (int k = 0; k < 64; k++) {
        const double t = k / 64.0, e = 1e-3;
        double s2 = 0.0;
        for (int j = -HALF; j <= HALF; j++) {
            const double x = t - j;
            const double kp = hpa_sinc(x + e) * hpa_kaiser(x + e, HALF, DET_BETA),
                         k0 = hpa_sinc(x) * hpa_kaiser(x, HALF, DET_BETA),
                         km = hpa_sinc(x - e) * hpa_kaiser(x - e, HALF, DET_BETA);
            s2 += fabs((kp - 2.0 * k0 + km) / (e * e));
        }
        d2max = s2 > d2max ? s2 : d2max;
    }
    l->curve = 0.5 * d2max * 1.05 / 64.0;
    l->dot = dot_plain;
    l->absmax = absmax_plain;
    l->within = within_plain;
    l->guard8 = NULL;
#if defined(__x86_64__) || defined(__i386__)
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        l->dot = dot_avx2;
    if (__builtin_cpu_supports("avx")) {
        l->absmax = absmax_avx;
        l->within = within_avx;
        l->guard8 = guard8_stereo_avx;
    }
#endif
    /* between the points a waveform of bandwidth LP_STOP fs/2 rises at most by
     * 1 / (1 - x^2 / 2), x = pi LP_STOP / (2 PHASES): Bernstein + Taylor, docs/limiter.md */
    const double x = M_PI * LP_STOP / (2.0 * PHASES);
    l->target_ratio = (1.0 - 0.5 * x * x) * (1.0 - DET_RIPPLE);
    l->engage = l1_lp * l->l1_det * (1.0 + 1e-9);
    if (l->engage < ENGAGE_MIN)
        l->engage = ENGAGE_MIN;
    hpa_limiter_reset(l);
}

void hpa_limiter_reset(hpa_limiter *l)
{
    memset(l->xh, 0, l->ring * l->channels * sizeof(double));
    memset(l->lh, 0, 2 * l->ring * l->channels * sizeof(double));
    memset(l->hh, 0, 2 * l->ring * sizeof(double));
    for (size_t i = 0; i < l->win; i++)
        l->box_s[i] = l->box_c[i] = 1.0;
    l->bpos = l->mq_head = l->mq_len = 0;
    l->t = 2 * (uint64_t)l->ring; /* the frames before the first are zeros already in the rings */
    l->lh_next = l->t;
    l->last_loud = l->last_trig = 0;
    l->off_until = 0;
    l->release = l->release_c = 1.0;
    l->box_sum = l->box_c_sum = (double)l->win;
    l->box_below = l->box_c_below = 0;
    l->box_c_above = l->win;
    l->active = 0;
    l->start = l->t;
    l->end = 0;
    l->fade_in = -1;
    l->fade_out = 0;
    l->gain = 1.0;
    l->guard = 0.0;
}

void hpa_limiter_end(hpa_limiter *l)
{
    l->end = l->t;
    l->fade_out = l->last_trig && l->last_trig - 1 + l->delay + REACH >= l->end;
}

/* output frame v may fall in an edge's fade (or the start's is not decided yet) */
static int at_edge(const hpa_limiter *l, uint64_t v)
{
    return l->fade_in < 0 || (l->fade_in > 0 && v - l->start < FADE) || l->fade_out;
}

/* the edges of a stream the guard band is in at: the guard's ringing before
 * the first frame and after the last is not in the output, so a
 * raised-cosine fade over FADE frames takes the signal to zero there instead
 * of a cut (a stream the guard never touched near an edge keeps every bit) */
static double edge_gain(hpa_limiter *l, uint64_t v)
{
    const size_t len = l->delay < FADE ? l->delay : FADE;
    if (l->fade_in < 0 && v >= l->start)
        l->fade_in = l->last_trig != 0;
    double w = 1.0;
    if (l->fade_in > 0 && v >= l->start && v - l->start < len) {
        const double a = sin(0.5 * M_PI * ((double)(v - l->start) + 0.5) / (double)len);
        w = a * a;
    }
    if (l->fade_out && v < l->end && l->end - v <= len) {
        const double a = sin(0.5 * M_PI * ((double)(l->end - v) - 0.5) / (double)len);
        w *= a * a;
    } else if (l->fade_out && v >= l->end)
        w = 0.0;
    return w;
}

/* the guard's output for input frame f (needs input frames f - P .. f) into the mirrored rings */
static void guard_frame(hpa_limiter *l, uint64_t f)
{
    const size_t ch = l->channels, mask = l->ring - 1;
    const double *lp = l->lp;
    double hp = 0.0;
    for (size_t c = 0; c < ch; c++) {
        const double x = l->xh[(f & mask) * ch + c];
        double acc = lp[0] * x;
        for (int k = 1; k <= LP_HALF; k++)
            acc += lp[k] * (l->xh[((f - k) & mask) * ch + c] + l->xh[((f + k) & mask) * ch + c]);
        double *r = l->lh + c * 2 * l->ring;
        r[f & mask] = acc;
        r[(f & mask) + l->ring] = acc;
        const double a = fabs(x - acc);
        hp = a > hp ? a : hp;
    }
    l->hh[f & mask] = l->hh[(f & mask) + l->ring] = hp;
}

/* The guard's output for frames f0 .. f0 + n - 1 (n <= GUARD_RUN), whose
 * input frames are in the ring.  Stereo goes through guard_run_stereo: the
 * window is copied out of the ring in order, then each lane (a frame and a
 * channel) does guard_frame's multiplies and adds in guard_frame's order, so
 * the results are the same bits. */
#define GUARD_RUN 256


/* one frame of the stereo guard from the linear window (as guard_frame) */
static void guard1_stereo(const double *lp, const double *s, double *out)
{
    const double *c = s + (ptrdiff_t)2 * LP_HALF;
    for (int ch = 0; ch < 2; ch++) {
        double acc = lp[0] * c[ch];
        for (int k = 1; k <= LP_HALF; k++)
            acc += lp[k] * (c[ch - 2 * k] + c[ch + 2 * k]);
        out[ch] = acc;
    }
}

static void guard_run(hpa_limiter *l, uint64_t f0, size_t n)
{
    if (l->channels != 2 || !l->guard8) {
        for (size_t i = 0; i < n; i++)
            guard_frame(l, f0 + i);
        return;
    }
    const size_t ring = l->ring, mask = ring - 1;
    double s[2 * (GUARD_RUN + 2 * LP_HALF)], out[2 * GUARD_RUN];
    /* the input frames f0 - P .. f0 + n - 1 + P, in order, out of the ring */
    const size_t len = n + (size_t)2 * LP_HALF;
    for (size_t done = 0; done < len;) {
        const size_t at = (size_t)((f0 - LP_HALF + done) & mask);
        const size_t run = ring - at < len - done ? ring - at : len - done;
        memcpy(s + 2 * done, l->xh + 2 * at, 2 * run * sizeof(double));
        done += run;
    }
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        l->guard8(l->lp, s + 2 * i, out + 2 * i);
    for (; i < n; i++)
        guard1_stereo(l->lp, s + 2 * i, out + 2 * i);
    double *r0 = l->lh, *r1 = l->lh + 2 * ring;
    for (i = 0; i < n; i++) {
        const size_t at = (size_t)((f0 + i) & mask);
        const double *x = s + 2 * (i + LP_HALF);
        const double g0 = out[2 * i], g1 = out[2 * i + 1];
        r0[at] = r0[at + ring] = g0;
        r1[at] = r1[at + ring] = g1;
        double hp = 0.0;
        const double a0 = fabs(x[0] - g0), a1 = fabs(x[1] - g1);
        hp = a0 > hp ? a0 : hp;
        hp = a1 > hp ? a1 : hp;
        l->hh[at] = l->hh[at + ring] = hp;
    }
}

/* the largest guard-band residue |x - guard(x)| over the detector's window of point u */
static double residue(const hpa_limiter *l, uint64_t u)
{
    return l->absmax(l->hh + ((u - (HALF - 1)) & (l->ring - 1)), DET_TAPS);
}

/* the largest |waveform| over the 16 points of frame u's period, over the channels */
static double detect(const hpa_limiter *l, uint64_t u, double target)
{
    const size_t mask = l->ring - 1;
    /* first the quarter points: between them the waveform rises at most by
     * curve times the window's largest |sample| (Taylor, with |y''| bounded by
     * the kernel's second derivative); when that bound stays under the target
     * no gain is needed, and the quarter points' reading serves the guard's rule */
    double bound = 0.0, quarter = 0.0;
    for (size_t c = 0; c < l->channels; c++) {
        const double *w = l->lh + c * 2 * l->ring + ((u - (HALF - 1)) & mask); /* contiguous: mirrored */
        double q4 = fabs(w[HALF - 1]), big;
        for (int ph = PHASES / 4; ph < PHASES; ph += PHASES / 4) {
            const double a = fabs(l->dot(l->bank + (size_t)(ph - 1) * DET_TAPS, w));
            q4 = a > q4 ? a : q4;
        }
        big = l->absmax(w, DET_TAPS);
        const double b = q4 + l->curve * big;
        bound = b > bound ? b : bound;
        quarter = q4 > quarter ? q4 : quarter;
    }
    if (bound < target)
        return quarter; /* no gain needed; the quarter points' reading for the guard's rule */
    double q = 0.0;
    for (size_t c = 0; c < l->channels; c++) {
        const double *w = l->lh + c * 2 * l->ring + ((u - (HALF - 1)) & mask);
        double a = fabs(w[HALF - 1]);
        q = a > q ? a : q;
        for (int ph = 1; ph < PHASES; ph++) {
            a = fabs(l->dot(l->bank + (size_t)(ph - 1) * DET_TAPS, w));
            q = a > q ? a : q;
        }
    }
    return q;
}

/* one step of the release: fall to v at once, rise towards it with coef, snap when close */
static double release(double r, double v, double coef)
{
    if (v <= r)
        return v;
    r += coef * (v - r);
    return v - r <= SNAP ? v : r;
}

static double frame_peak(const double *x, unsigned ch)
{
    double m = 0.0;
    for (unsigned c = 0; c < ch; c++) {
        const double a = fabs(x[c]);
        m = a > m ? a : m;
    }
    return m;
}

/* i % cap for i < 2 cap (the deque's head plus its length), without a division */
static size_t wrap(size_t i, size_t cap)
{
    return i >= cap ? i - cap : i;
}

static int at_rest(const hpa_limiter *l)
{
    return l->release == 1.0 && l->box_below == 0 && (l->mq_len == 0 || l->mq_val[l->mq_head] == 1.0) &&
           l->release_c == 1.0 && l->box_c_below == 0;
}

/* the largest |w[j]| of any n doubles */
static double absmax_any(const hpa_limiter *l, const double *w, size_t n)
{
    const size_t v = n & ~(size_t)3;
    double m = v ? l->absmax(w, v) : 0.0;
    for (size_t j = v; j < n; j++)
        m = fabs(w[j]) > m ? fabs(w[j]) : m;
    return m;
}

/* The window bound: 1 when, for each of the n detection points u0 ..
 * u0 + n - 1, detect() could only return a q with q + RESIDUE_GAIN residue < target,
 * so that the detector gives gain 1 and leaves the guard band out there
 * whatever it reads: skipping it changes no bit.  Every value detect()
 * compares is a phase's 128-tap product (or the sample itself) over the
 * guard's output in the point's window, so at most the window's largest |w|
 * times the phases' largest sum of |taps| (l1_det; the product's rounding,
 * under 1e-13 of it, is inside the 1e-9 of room); the residue is at most
 * the largest hh over the same frames; and a rounded sum is monotonic in its
 * terms.  The windows of the n points are the frames u0 - (HALF - 1) ..
 * u0 + n - 1 + HALF of lh and hh (a NaN there is passed over: detect()'s
 * comparisons are false on it too, gain 1, no guard). */
static int window_below(const hpa_limiter *l, uint64_t u0, size_t n, double target)
{
    const size_t at = (size_t)((u0 - (HALF - 1)) & (l->ring - 1)), len = n + DET_TAPS - 1; /* mirrored: contiguous */
    double big = 0.0;
    for (size_t c = 0; c < l->channels; c++) {
        const double m = absmax_any(l, l->lh + c * 2 * l->ring + at, len);
        big = m > big ? m : big;
    }
    return big * (l->l1_det * (1.0 + 1e-9)) + RESIDUE_GAIN * absmax_any(l, l->hh + at, len) < target;
}

/* A run of n frames (its input in the ring, its guard output in lh) whose
 * detection points the window bound passed, from rest: the per-frame path
 * would push gain 1 into the minimum, release and averages that are all 1
 * already, leave the guard band out (no trigger within the minimum's reach
 * of the run) and write each delayed frame as it is.  So when no output
 * frame is at an edge's fade and none would be clamped (nor is NaN, which
 * the per-frame path reports as touched), the run is the delay alone, and
 * the state is what the per-frame path leaves: the deque holds the last
 * point's 1, the averages' position moves on, last_loud is the run's last
 * loud frame.  Returns 0, having changed nothing, when the run needs the
 * per-frame path. */
static int quiet_run(hpa_limiter *l, double *x, size_t n, double ceiling, int enable, double loud)
{
    const size_t ch = l->channels, ring = l->ring, mask = ring - 1;
    const uint64_t t0 = l->t, u0 = t0 - LP_HALF - HALF, v0 = t0 - l->delay;
    if (!at_rest(l) || at_edge(l, v0) || (l->last_trig && l->last_trig - 1 + l->minwin > u0))
        return 0;
    const double lim = enable ? ceiling : INFINITY;
    for (size_t done = 0; done < n;) {
        const size_t at = (size_t)((v0 + done) & mask), run = ring - at < n - done ? ring - at : n - done;
        if (!l->within(l->xh + at * ch, run * ch, lim))
            return 0;
        done += run;
    }
    if (enable)
        for (size_t j = n; j-- > 0;)
            if (frame_peak(x + j * ch, ch) >= loud) {
                l->last_loud = t0 + j + 1;
                break;
            }
    for (size_t done = 0; done < n;) {
        const size_t at = (size_t)((v0 + done) & mask), run = ring - at < n - done ? ring - at : n - done;
        memcpy(x + done * ch, l->xh + at * ch, run * ch * sizeof(double));
        done += run;
    }
    l->t += n;
    l->mq_val[l->mq_head] = 1.0;
    l->mq_pos[l->mq_head] = u0 + n - 1;
    l->mq_len = 1;
    l->bpos = (l->bpos + n) % l->win;
    l->box_sum = l->box_c_sum = (double)l->win;
    l->gain = 1.0;
    l->guard = 0.0;
    l->screened += n;
    return 1;
}

/* A block at rest that cannot come near the ceiling: written to the input
 * ring and read back D frames later, in whole runs. */
static void delay_only(hpa_limiter *l, double *buf, size_t frames)
{
    const size_t ch = l->channels, ring = l->ring, mask = ring - 1;
    const size_t chunk_max = ring - l->delay - 1;
    while (frames) {
        const size_t n = frames < chunk_max ? frames : chunk_max;
        /* in: frames t .. t + n - 1 */
        for (size_t done = 0; done < n;) {
            const size_t at = (size_t)((l->t + done) & mask);
            size_t run = ring - at < n - done ? ring - at : n - done;
            memcpy(l->xh + at * ch, buf + done * ch, run * ch * sizeof(double));
            done += run;
        }
        /* out: frames t - D .. t - D + n - 1 */
        for (size_t done = 0; done < n;) {
            const size_t at = (size_t)((l->t - l->delay + done) & mask);
            size_t run = ring - at < n - done ? ring - at : n - done;
            memcpy(buf + done * ch, l->xh + at * ch, run * ch * sizeof(double));
            done += run;
        }
        l->t += n;
        buf += n * ch;
        frames -= n;
    }
    l->active = 0;
    l->mq_len = 0;
    l->gain = 1.0;
    l->guard = 0.0;
}

int hpa_limiter_process(hpa_limiter *l, double *buf, size_t frames, double ceiling, int enable, double peak)
{
    const unsigned ch = l->channels;
    const size_t mask = l->ring - 1;
    const double target = ceiling * l->target_ratio;
    const double loud = target / l->engage; /* |x| >= loud: the frame may reach the ceiling */
    if (!frames)
        return 0;
    const int quiet_before = l->last_loud == 0 || l->last_loud - 1 + REACH < l->t;
    const int edges = at_edge(l, l->t - l->delay);
    /* switched off, nothing is looked at on the way in: until those frames are
     * out, what the delay alone lets out is clamped to the ceiling */
    if (!enable)
        l->off_until = l->t + frames + l->delay;
    if (!edges && at_rest(l) && quiet_before && (!enable || peak < loud) &&
        (l->last_trig == 0 || l->last_trig - 1 + l->minwin <= l->t - LP_HALF - HALF)) {
        delay_only(l, buf, frames);
        int clamped = 0;
        if (enable && l->off_until && !l->within(buf, frames * ch, ceiling)) /* as the per-frame path clamps */
            for (size_t i = 0; i < frames * ch; i++)
                if (fabs(buf[i]) > ceiling) {
                    buf[i] = buf[i] > 0 ? ceiling : -ceiling;
                    clamped = 1;
                }
        if (enable && l->off_until && l->t >= l->off_until)
            l->off_until = 0;
        return clamped;
    }
    if (!l->active) {
        /* catch up: the guard output of every frame still to be read */
        uint64_t from = l->t - l->delay;
        if (l->lh_next > from)
            from = l->lh_next;
        for (uint64_t f = from; f + LP_HALF < l->t; f++)
            guard_frame(l, f);
        l->active = 1;
    }
    int touched = 0, screened = 0;
    const size_t cap = l->minwin + 1;
    for (size_t i = 0; i < frames; i++) {
        if (i % GUARD_RUN == 0) {
            /* the next run of frames into the ring and through the guard at
             * once (each frame's guard output as guard_frame gives it); the
             * ring holds D + 2 P + 1024 frames, so nothing still to be read
             * is overwritten */
            const size_t n = frames - i < GUARD_RUN ? frames - i : GUARD_RUN;
            for (size_t k = 0; k < n; k++)
                memcpy(l->xh + ((l->t + k) & mask) * ch, buf + (i + k) * ch, ch * sizeof(double));
            guard_run(l, l->t - LP_HALF, n);
            l->lh_next = l->t - LP_HALF + n;
            /* the run's detection points, when the window bound shows the detector has nothing to do there */
            screened = !l->no_screen && (!enable || window_below(l, l->t - LP_HALF - HALF, n, target));
            if (screened && quiet_run(l, buf + i * ch, n, ceiling, enable, loud)) {
                i += n - 1;
                continue;
            }
        }
        double *x = buf + i * ch;
        const uint64_t t = l->t++;
        if (enable && frame_peak(x, ch) >= loud)
            l->last_loud = t + 1;

        /* detection at u: only where a loud frame lies within reach of its window */
        const uint64_t u = t - LP_HALF - HALF;
        double g = 1.0;
        if (enable && l->last_loud && l->last_loud - 1 + REACH >= t && screened)
            l->screened++;
        else if (enable && l->last_loud && l->last_loud - 1 + REACH >= t) {
            const double q = detect(l, u, target);
            if (q > target)
                g = target / q;
            /* the guard band goes in where the waveform may come near the target: the
             * detected band plus a bound on what the guard takes away */
            if (q > target || q + RESIDUE_GAIN * residue(l, u) >= target)
                l->last_trig = u + 1;
        }
        /* sliding minimum of g over the last minwin points */
        while (l->mq_len && l->mq_val[wrap(l->mq_head + l->mq_len - 1, cap)] >= g)
            l->mq_len--;
        l->mq_val[wrap(l->mq_head + l->mq_len, cap)] = g;
        l->mq_pos[wrap(l->mq_head + l->mq_len, cap)] = u;
        l->mq_len++;
        while (l->mq_pos[l->mq_head] + l->minwin <= u) {
            l->mq_head = wrap(l->mq_head + 1, cap);
            l->mq_len--;
        }
        const double h = l->mq_val[l->mq_head];
        const double he = l->last_trig && l->last_trig - 1 + l->minwin > u ? 0.0 : 1.0;
        /* release: fall at once, rise slowly, never above the minimum */
        l->release = release(l->release, h, l->release_coef);
        l->release_c = release(l->release_c, he, l->release_coef);
        const double r = l->release, rc = l->release_c;
        /* moving averages over win frames */
        const double old = l->box_s[l->bpos], oldc = l->box_c[l->bpos];
        l->box_below += (r < 1.0) - (old < 1.0);
        l->box_sum += r - old;
        l->box_s[l->bpos] = r;
        l->box_c_below += (rc < 1.0) - (oldc < 1.0);
        l->box_c_above += (rc > 0.0) - (oldc > 0.0);
        l->box_c_sum += rc - oldc;
        l->box_c[l->bpos] = rc;
        if (++l->bpos == l->win)
            l->bpos = 0;
        double s = 1.0, c = 0.0;
        if (l->box_below == 0)
            l->box_sum = (double)l->win; /* no drift */
        else if ((s = l->box_sum / (double)l->win) > 1.0)
            s = 1.0;
        if (l->box_c_below == 0)
            l->box_c_sum = (double)l->win;
        else if (l->box_c_above == 0) {
            l->box_c_sum = 0.0;
            c = 1.0;
        } else {
            c = 1.0 - l->box_c_sum / (double)l->win;
            c = c < 0.0 ? 0.0 : c > 1.0 ? 1.0 : c;
        }
        l->gain = s;
        l->guard = c;
        if (s < 1.0) {
            l->limited_frames++;
            if (s < l->min_gain)
                l->min_gain = s;
        }
        /* the output: frame v = t - D, through the guard band as far as it is in */
        const uint64_t v = t - l->delay;
        const double *d = l->xh + (v & mask) * ch;
        if (at_edge(l, v))
            s *= edge_gain(l, v);
        for (unsigned k = 0; k < ch; k++) {
            double z = d[k];
            if (c > 0.0) {
                const double g2 = l->lh[(size_t)k * 2 * l->ring + (v & mask)];
                z = c == 1.0 ? g2 : z + c * (g2 - z);
            }
            double y = s == 1.0 ? z : z * s;
            if (enable && fabs(y) > ceiling) /* rounding only: keeps the samples within the ceiling */
                y = y > 0 ? ceiling : -ceiling;
            if (y != d[k])
                touched = 1;
            x[k] = y;
        }
    }
    return touched;
}
