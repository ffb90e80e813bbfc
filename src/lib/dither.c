/* dither.c — requantization to integer outputs.
 *
 * TPDF: the difference of two independent uniform numbers in [0, 1) LSB, added
 * before rounding: triangular from -1 to +1 LSB, which makes the total error's
 * first two moments independent of the signal.  The total error power is
 * LSB^2/12 (rounding) + LSB^2/6 (dither) = LSB^2/4, spread flat.
 *
 * Shaped: the same dither inside an error-feedback loop.  The total error e[n]
 * reaches the output through the noise transfer function
 *     NTF(z) = (1 - 2 cos w1 z^-1 + z^-2) (1 - 2 cos w2 z^-1 + z^-2),
 * with zeros on the unit circle at f1 = 2.5 kHz and f2 = 5.5 kHz, where the ear
 * is most sensitive (ISO 226 equal-loudness contours): noise in 1-5 kHz drops
 * by 24-36 dB and rises above 9 kHz, near Nyquist by about 22 dB at 44.1 kHz.
 * Meant for 44.1 and 48 kHz 16-bit output.  Because the NTF is an FIR filter
 * with leading tap 1 the loop is stable for any input; the error fed back is
 * taken before clamping, so it stays within 1.5 LSB.
 *
 * How it runs (DESIGN.md item 7: kernels apart from dispatch).  One kernel per
 * dither mode and output width (int16 for s16, int32 for s24 and s32), chosen
 * once per block by hpa_requant_process; the kernels keep the parameters, the
 * random state and the counters in locals and write them back once per block.
 * Each kernel also scans its input for the chain's statistics (samples beyond
 * full scale, the peak), so the chain need not read the block again.
 *
 * The random numbers come from 8 lanes of Marsaglia's xorshift128 (period
 * 2^128 - 1 each, seeded by splitmix64 from the seed).  Two steps of all 8
 * lanes give the dither of 8 consecutive samples of the stream: sample p,
 * j = p mod 8, takes lane j's word of the first step as u1 and of the second
 * as u2, each shifted to 31 bits, and its dither is (u1 - u2) 2^-31 LSB: the
 * difference of two independent uniforms on a 2^-31 grid in [0, 1), exact as
 * an int32.  That is two AVX2 registers of 32-bit lanes, a shift each and one
 * integer subtraction per 8 samples, then one conversion to double per 4.
 * (Consecutive words of one lane are independent: given the lane's newest
 * word, the next one is a bijection of its oldest, which is uniform.)  The
 * plain C kernels step the lanes the same way, so both give the same bits and
 * may take turns within a block (the SIMD kernel from a multiple of 8 on).
 * tests/unit/test_requant.c checks the dither's distribution (the triangle's
 * CDF at 21 points), its mean and its autocorrelation, and both kernels
 * against a second implementation of this generator.
 *
 * The SIMD kernel works in chunks of 256 samples: a first pass over a chunk
 * (in the L1 cache) takes the peak and looks for magnitudes of 2 or more,
 * infinities and NaN (bit 62 of |x|).  When there are none and the peak is at
 * most 1 - 2/scale, no sample is over and none can be clamped (|x scale| <=
 * scale - 2 and |dither| < 1 keep t within +-(scale - 1)), so the chunk is
 * requantized without the clamp or the counts; otherwise it takes the full
 * path.  Both give the same bits.
 *
 * t = x * scale + dither is rounded once (x * scale is exact: scale is a
 * power of two).  Rounding is to nearest by the 1.5 * 2^52 trick,
 * (t + M) - M, exact for |t| < 2^51; larger values stay beyond full scale and
 * are clamped.  Ties go to even, which a dithered signal meets with
 * probability 0.  The SIMD kernel computes the same t scaled by 2^31 with one
 * fused multiply-add, t' = x * (scale 2^31) + d (d the dither in 2^-31 LSB,
 * an integer), and rounds it to a multiple of 2^31 by adding 1.5 * 2^83:
 * the low 32 bits of that double are the rounded sample (two's complement). */
#include <float.h>
#include <math.h>
#include <string.h>

#include "internal.h"

#if defined(__FAST_MATH__)
#error "dither.c rounds with (t + 1.5*2^52) - 1.5*2^52, which -ffast-math folds away"
#endif

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HPA_REQUANT_AVX2 1
#include <immintrin.h>
#else
#define HPA_REQUANT_AVX2 0
#endif

#define ALWAYS_INLINE inline __attribute__((always_inline))

#define SHAPER_F1_HZ 2500.0
#define SHAPER_F2_HZ 5500.0

#define ROUND_MAGIC 6755399441055744.0 /* 1.5 * 2^52 */
#define DITHER_BITS 31                 /* each uniform: a lane's word >> 1 */
#define DITHER_GROUP HPA_DITHER_LANES  /* samples per two steps of the lanes: one a lane */

void hpa_shaper_design(double rate_hz, double ntf[HPA_SHAPER_TAPS])
{
    double a = 2.0 * cos(2.0 * M_PI * SHAPER_F1_HZ / rate_hz);
    double b = 2.0 * cos(2.0 * M_PI * SHAPER_F2_HZ / rate_hz);
    /* (1 - a z^-1 + z^-2)(1 - b z^-1 + z^-2) */
    ntf[0] = -(a + b);
    ntf[1] = 2.0 + a * b;
    ntf[2] = -(a + b);
    ntf[3] = 1.0;
}

/* the SIMD kernel needs AVX2 and FMA (every AVX2 CPU but a few VIA ones has both) */
static int cpu_has_avx2_fma(void)
{
#if HPA_REQUANT_AVX2
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0;
#else
    return 0;
#endif
}

void hpa_requant_init(hpa_requant *q, hpa_format format, hpa_dither dither, unsigned channels, double rate_hz,
                      uint64_t seed)
{
    memset(q, 0, sizeof(*q));
    q->format = format;
    q->dither = dither;
    q->channels = channels;
    q->scale = hpa_format_scale(format);
    q->lo = -q->scale;
    q->hi = q->scale - 1.0;
    q->simd = cpu_has_avx2_fma();
    hpa_shaper_design(rate_hz, q->ntf);
    hpa_requant_reset(q, seed);
}

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void hpa_requant_reset(hpa_requant *q, uint64_t seed)
{
    memset(q->err, 0, sizeof(q->err));
    memset(q->group, 0, sizeof(q->group));
    q->pos = 0;
    uint64_t z = seed;
    for (unsigned k = 0; k < HPA_DITHER_LANES; k++) {
        for (unsigned i = 0; i < 4; i += 2) {
            const uint64_t r = splitmix64(&z);
            q->rng[i][k] = (uint32_t)r;
            q->rng[i + 1][k] = (uint32_t)(r >> 32);
        }
        if (!(q->rng[0][k] | q->rng[1][k] | q->rng[2][k] | q->rng[3][k]))
            q->rng[0][k] = 1; /* xorshift's one forbidden state */
    }
}

/* ---- the plain C kernels (the reference: the SIMD kernels give the same bits) ---- */

/* the lanes, in locals of a kernel */
typedef struct rq_rng {
    uint32_t s[4][HPA_DITHER_LANES];
    int32_t group[DITHER_GROUP]; /* the current group's dither, in 2^-31 LSB */
} rq_rng;

/* one step of every lane: the lanes' next words */
static ALWAYS_INLINE void rng_step(rq_rng *r, uint32_t word[HPA_DITHER_LANES])
{
    for (unsigned k = 0; k < HPA_DITHER_LANES; k++) {
        const uint32_t x = r->s[0][k], w = r->s[3][k], t = x ^ (x << 11);
        const uint32_t v = (w ^ (w >> 19)) ^ (t ^ (t >> 8));
        r->s[0][k] = r->s[1][k];
        r->s[1][k] = r->s[2][k];
        r->s[2][k] = w;
        r->s[3][k] = v;
        word[k] = v;
    }
}

/* TPDF dither of sample p in LSB: (u1 - u2) 2^-31, u1 and u2 lane j's words
 * of two steps shifted to 31 bits, j = p mod 8; exact, as is the SIMD
 * kernel's int32 difference */
static ALWAYS_INLINE double tpdf_lsb(rq_rng *r, uint64_t p)
{
    const unsigned j = (unsigned)(p % DITHER_GROUP);
    if (j == 0) {
        uint32_t u1[HPA_DITHER_LANES], u2[HPA_DITHER_LANES];
        rng_step(r, u1);
        rng_step(r, u2);
        for (unsigned k = 0; k < DITHER_GROUP; k++)
            r->group[k] = (int32_t)(u1[k] >> (32 - DITHER_BITS)) - (int32_t)(u2[k] >> (32 - DITHER_BITS));
    }
    return (double)r->group[j] * 0x1.0p-31;
}

static ALWAYS_INLINE void rng_load(rq_rng *r, const hpa_requant *q)
{
    memcpy(r->s, q->rng, sizeof r->s);
    memcpy(r->group, q->group, sizeof r->group);
}

static ALWAYS_INLINE void rng_store(hpa_requant *q, const rq_rng *r)
{
    memcpy(q->rng, r->s, sizeof r->s);
    memcpy(q->group, r->group, sizeof r->group);
}

static ALWAYS_INLINE double round_nearest(double t)
{
#if FLT_EVAL_METHOD == 0
    return (t + ROUND_MAGIC) - ROUND_MAGIC;
#else
    return nearbyint(t);
#endif
}

/* what every kernel gets */
typedef struct rq_run {
    hpa_requant *q;
    double scale, lo, hi;
    uint64_t pos; /* stream position of the first sample */
} rq_run;

/* what every kernel adds to: the scan of its input for the chain's statistics */
typedef struct rq_scan {
    uint64_t over; /* samples with |x| > 1 */
    double peak;   /* largest |x| */
} rq_scan;

/* The clamp keeps NaN out of the integer conversion (NaN never arrives: the
 * input conversion cleans it), in the same way as the SIMD kernel's min/max:
 * min(r, hi) = r < hi ? r : hi, max(v, lo) = v > lo ? v : lo. */
static ALWAYS_INLINE double clamp(double r, double lo, double hi)
{
    double v = r < hi ? r : hi;
    return v > lo ? v : lo;
}

/* TPDF (dithered) or plain rounding (NONE), to int16 or int32 */
static ALWAYS_INLINE uint64_t plain_kernel(const rq_run *run, const double *src, void *dst, size_t n, rq_scan *scan,
                                           const int dithered, const int s16)
{
    const double scale = run->scale, lo = run->lo, hi = run->hi;
    const uint64_t pos = run->pos;
    int16_t *d16 = dst;
    int32_t *d32 = dst;
    uint64_t clipped = 0, over = 0;
    double peak = scan->peak;
    rq_rng rng;
    if (dithered)
        rng_load(&rng, run->q);

    for (size_t i = 0; i < n; i++) {
        const double x = src[i], a = fabs(x);
        over += a > 1.0;
        peak = a > peak ? a : peak;
        double t = x * scale;
        if (dithered)
            t += tpdf_lsb(&rng, pos + i);
        const double r = round_nearest(t), v = clamp(r, lo, hi);
        clipped += v != r;
        if (s16)
            d16[i] = (int16_t)v;
        else
            d32[i] = (int32_t)v;
    }
    if (dithered)
        rng_store(run->q, &rng);
    scan->over += over;
    scan->peak = peak;
    return clipped;
}

/* SHAPED: the error-feedback loop, over interleaved frames */
static ALWAYS_INLINE uint64_t shaped_kernel(const rq_run *run, const double *src, void *dst, size_t n, rq_scan *scan,
                                            const int s16)
{
    hpa_requant *q = run->q;
    const double scale = run->scale, lo = run->lo, hi = run->hi;
    const double n0 = q->ntf[0], n1 = q->ntf[1], n2 = q->ntf[2], n3 = q->ntf[3];
    const unsigned ch = q->channels;
    const uint64_t pos = run->pos;
    int16_t *d16 = dst;
    int32_t *d32 = dst;
    uint64_t clipped = 0, over = 0;
    double peak = scan->peak;
    double err[HPA_CHANNELS_MAX][HPA_SHAPER_TAPS];
    memcpy(err, q->err, ch * sizeof err[0]);
    rq_rng rng;
    rng_load(&rng, q);
    unsigned c = 0; /* blocks are whole frames */

    for (size_t i = 0; i < n; i++) {
        const double x = src[i], a = fabs(x);
        over += a > 1.0;
        peak = a > peak ? a : peak;
        double *e = err[c];
        /* y = x + sum a_k e[n-k]; the newest error last, off the rest of the sum */
        const double y = x * scale + n3 * e[3] + n2 * e[2] + n1 * e[1] + n0 * e[0];
        const double r = round_nearest(y + tpdf_lsb(&rng, pos + i)), v = clamp(r, lo, hi);
        e[3] = e[2];
        e[2] = e[1];
        e[1] = e[0];
        e[0] = r - y;     /* before clamping */
        if (e[0] != e[0]) /* NaN: only after x * scale overflowed; it would stay in the loop */
            e[0] = 0.0;
        clipped += v != r;
        if (s16)
            d16[i] = (int16_t)v;
        else
            d32[i] = (int32_t)v;
        if (++c == ch)
            c = 0;
    }
    memcpy(q->err, err, ch * sizeof err[0]);
    rng_store(q, &rng);
    scan->over += over;
    scan->peak = peak;
    return clipped;
}

#if HPA_REQUANT_AVX2
/* ---- AVX2 + FMA: the plain kernel eight samples at a time, the same bits ---- */

#define AVX2 __attribute__((target("avx2,fma")))
#define SIMD_CHUNK 256 /* samples per first pass: 2 KiB of input, in L1 */

static AVX2 ALWAYS_INLINE int64_t sum_epi64(__m256i v)
{
    __m128i s = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    return _mm_cvtsi128_si64(s) + _mm_extract_epi64(s, 1);
}

/* the lanes in registers */
typedef struct rq_lanes {
    __m256i x, y, z, w;
} rq_lanes;

/* xorshift128, all 8 lanes: t = x ^ x << 11; x, y, z = y, z, w; w ^= w >> 19 ^ t ^ t >> 8 */
static AVX2 ALWAYS_INLINE __m256i lanes_step(rq_lanes *l)
{
    const __m256i t = _mm256_xor_si256(l->x, _mm256_slli_epi32(l->x, 11));
    const __m256i h = _mm256_xor_si256(_mm256_xor_si256(l->w, _mm256_srli_epi32(l->w, 19)),
                                       _mm256_xor_si256(t, _mm256_srli_epi32(t, 8)));
    l->x = l->y;
    l->y = l->z;
    l->z = l->w;
    l->w = h;
    return h;
}

/* the dither of the next 8 samples in 2^-31 LSB, as doubles: lo (samples 0-3) and hi (4-7) */
static AVX2 ALWAYS_INLINE void lanes_tpdf(rq_lanes *l, __m256d *lo, __m256d *hi)
{
    const __m256i u1 = _mm256_srli_epi32(lanes_step(l), 32 - DITHER_BITS);
    const __m256i u2 = _mm256_srli_epi32(lanes_step(l), 32 - DITHER_BITS);
    const __m256i d = _mm256_sub_epi32(u1, u2);
    *lo = _mm256_cvtepi32_pd(_mm256_castsi256_si128(d));
    *hi = _mm256_cvtepi32_pd(_mm256_extracti128_si256(d, 1));
}

/* the low 32 bits of each 64-bit lane of a and b, in order: a's four, then b's */
static AVX2 ALWAYS_INLINE __m256i low_words(__m256d a, __m256d b)
{
    const __m256 s = _mm256_shuffle_ps(_mm256_castpd_ps(a), _mm256_castpd_ps(b), 0x88); /* a0 a1 b0 b1 | a2 a3 b2 b3 */
    return _mm256_permute4x64_epi64(_mm256_castps_si256(s), 0xD8);
}

static AVX2 ALWAYS_INLINE void store8(void *dst, size_t i, __m256i v, const int s16)
{
    if (s16)
        _mm_storeu_si128((__m128i *)((int16_t *)dst + i),
                         _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1)));
    else
        _mm256_storeu_si256((__m256i *)((int32_t *)dst + i), v);
}

/* 8 samples that cannot be over or clamped: t' + 1.5 * 2^83, whose low words are the samples */
static AVX2 ALWAYS_INLINE void fast8(rq_lanes *l, const double *src, void *dst, size_t i, __m256d sc31, __m256d magic31,
                                     const int dithered, const int s16)
{
    __m256d d0 = _mm256_setzero_pd(), d1 = _mm256_setzero_pd();
    if (dithered)
        lanes_tpdf(l, &d0, &d1);
    const __m256d t0 = _mm256_add_pd(_mm256_fmadd_pd(_mm256_loadu_pd(src + i), sc31, d0), magic31);
    const __m256d t1 = _mm256_add_pd(_mm256_fmadd_pd(_mm256_loadu_pd(src + i + 4), sc31, d1), magic31);
    store8(dst, i, low_words(t0, t1), s16);
}

/* n and run->pos are multiples of 8: two steps of the lanes are the dither of
 * the next 8 samples */
static AVX2 ALWAYS_INLINE uint64_t avx2_kernel(const rq_run *run, const double *src, void *dst, size_t n, rq_scan *scan,
                                               const int dithered, const int s16)
{
    hpa_requant *q = run->q;
    /* t' = x * scale 2^31 + d, a multiple of 2^31 after adding 1.5 * 2^83 */
    const __m256d sc31 = _mm256_set1_pd(run->scale * 0x1.0p31), magic31 = _mm256_set1_pd(0x1.8p83);
    const __m256d unit31 = _mm256_set1_pd(0x1.0p-31), lo = _mm256_set1_pd(run->lo), hi = _mm256_set1_pd(run->hi);
    const __m256d one = _mm256_set1_pd(1.0), absmask = _mm256_castsi256_pd(_mm256_set1_epi64x(INT64_MAX));
    /* bit 62 of |x| is set for |x| >= 2, inf and NaN */
    const __m256i big = _mm256_set1_epi64x(INT64_C(1) << 62);
    /* at most this, no sample can be over or clamped: |x scale| <= scale - 2, |d| < 1 */
    const double safe = 1.0 - 2.0 / run->scale;
    rq_lanes l = {_mm256_loadu_si256((const __m256i *)q->rng[0]), _mm256_loadu_si256((const __m256i *)q->rng[1]),
                  _mm256_loadu_si256((const __m256i *)q->rng[2]), _mm256_loadu_si256((const __m256i *)q->rng[3])};
    __m256i clipped = _mm256_setzero_si256(), over = _mm256_setzero_si256();
    double peak = scan->peak;

    for (size_t c = 0; c < n; c += SIMD_CHUNK) {
        const size_t end = n - c < SIMD_CHUNK ? n : c + SIMD_CHUNK;
        /* first pass: the peak (NaN left out, as the plain kernel does) and any |x| >= 2 or NaN */
        __m256d pk0 = _mm256_setzero_pd(), pk1 = _mm256_setzero_pd();
        __m256i bits = _mm256_setzero_si256();
        for (size_t i = c; i < end; i += 8) {
            const __m256d a0 = _mm256_and_pd(_mm256_loadu_pd(src + i), absmask);
            const __m256d a1 = _mm256_and_pd(_mm256_loadu_pd(src + i + 4), absmask);
            pk0 = _mm256_max_pd(a0, pk0);
            pk1 = _mm256_max_pd(a1, pk1);
            bits = _mm256_or_si256(bits, _mm256_castpd_si256(_mm256_or_pd(a0, a1)));
        }
        const __m256d pk = _mm256_max_pd(pk0, pk1);
        __m128d p2 = _mm_max_pd(_mm256_castpd256_pd128(pk), _mm256_extractf128_pd(pk, 1));
        p2 = _mm_max_pd(p2, _mm_unpackhi_pd(p2, p2));
        const double cpeak = _mm_cvtsd_f64(p2);
        peak = cpeak > peak ? cpeak : peak;

        if (cpeak <= safe && _mm256_testz_si256(bits, big)) {
            /* nothing to clamp or count: the rounded sample is the low word;
             * 16 at a time, so the lanes' four words rotate without moves */
            size_t i = c;
            for (; i + 16 <= end; i += 16) {
                fast8(&l, src, dst, i, sc31, magic31, dithered, s16);
                fast8(&l, src, dst, i + 8, sc31, magic31, dithered, s16);
            }
            if (i < end)
                fast8(&l, src, dst, i, sc31, magic31, dithered, s16);
            continue;
        }
        /* the full path: round, clamp, count */
        for (size_t i = c; i < end; i += 8) {
            __m256d d[2] = {_mm256_setzero_pd(), _mm256_setzero_pd()};
            __m256i v[2];
            if (dithered)
                lanes_tpdf(&l, &d[0], &d[1]);
            for (int h = 0; h < 2; h++) {
                const __m256d x = _mm256_loadu_pd(src + i + (size_t)4 * (size_t)h);
                over = _mm256_sub_epi64(over,
                                        _mm256_castpd_si256(_mm256_cmp_pd(_mm256_and_pd(x, absmask), one, _CMP_GT_OQ)));
                const __m256d t = _mm256_fmadd_pd(x, sc31, d[h]);
                const __m256d r = _mm256_mul_pd(_mm256_sub_pd(_mm256_add_pd(t, magic31), magic31), unit31);
                const __m256d vv = _mm256_max_pd(_mm256_min_pd(r, hi), lo);
                clipped = _mm256_sub_epi64(clipped, _mm256_castpd_si256(_mm256_cmp_pd(vv, r, _CMP_NEQ_UQ)));
                v[h] = _mm256_castsi128_si256(_mm256_cvttpd_epi32(vv));
            }
            store8(dst, i, _mm256_inserti128_si256(v[0], _mm256_castsi256_si128(v[1]), 1), s16);
        }
    }
    if (dithered && n) {
        _mm256_storeu_si256((__m256i *)q->rng[0], l.x);
        _mm256_storeu_si256((__m256i *)q->rng[1], l.y);
        _mm256_storeu_si256((__m256i *)q->rng[2], l.z);
        _mm256_storeu_si256((__m256i *)q->rng[3], l.w);
    }
    scan->peak = peak;
    scan->over += (uint64_t)sum_epi64(over);
    return (uint64_t)sum_epi64(clipped);
}

static AVX2 uint64_t avx2_tpdf_s16(const rq_run *r, const double *s, void *d, size_t n, rq_scan *sc)
{
    return avx2_kernel(r, s, d, n, sc, 1, 1);
}
static AVX2 uint64_t avx2_tpdf_s32(const rq_run *r, const double *s, void *d, size_t n, rq_scan *sc)
{
    return avx2_kernel(r, s, d, n, sc, 1, 0);
}
static AVX2 uint64_t avx2_none_s16(const rq_run *r, const double *s, void *d, size_t n, rq_scan *sc)
{
    return avx2_kernel(r, s, d, n, sc, 0, 1);
}
static AVX2 uint64_t avx2_none_s32(const rq_run *r, const double *s, void *d, size_t n, rq_scan *sc)
{
    return avx2_kernel(r, s, d, n, sc, 0, 0);
}
#endif

static uint64_t plain_tpdf_s16(const rq_run *r, const double *s, void *d, size_t n, rq_scan *sc)
{
    return plain_kernel(r, s, d, n, sc, 1, 1);
}
static uint64_t plain_tpdf_s32(const rq_run *r, const double *s, void *d, size_t n, rq_scan *sc)
{
    return plain_kernel(r, s, d, n, sc, 1, 0);
}
static uint64_t plain_none_s16(const rq_run *r, const double *s, void *d, size_t n, rq_scan *sc)
{
    return plain_kernel(r, s, d, n, sc, 0, 1);
}
static uint64_t plain_none_s32(const rq_run *r, const double *s, void *d, size_t n, rq_scan *sc)
{
    return plain_kernel(r, s, d, n, sc, 0, 0);
}
static uint64_t shaped_s16(const rq_run *r, const double *s, void *d, size_t n, rq_scan *sc)
{
    return shaped_kernel(r, s, d, n, sc, 1);
}
static uint64_t shaped_s32(const rq_run *r, const double *s, void *d, size_t n, rq_scan *sc)
{
    return shaped_kernel(r, s, d, n, sc, 0);
}

typedef uint64_t (*kernel_fn)(const rq_run *, const double *, void *, size_t, rq_scan *);

uint64_t hpa_requant_process(hpa_requant *q, const double *src, void *dst, size_t frames, uint64_t *over, double *peak)
{
    const size_t n = frames * q->channels;
    const int s16 = q->format == HPA_FORMAT_S16;
    const size_t width = s16 ? sizeof(int16_t) : sizeof(int32_t);
    rq_scan scan = {0, peak ? *peak : 0.0};
    rq_run run = {q, q->scale, q->lo, q->hi, q->pos};
    kernel_fn plain, simd = NULL;
    uint64_t clipped = 0;

    if (q->scale == 0.0 || !n) /* not an integer format, or nothing to do */
        return 0;
    switch (q->dither) {
    case HPA_DITHER_SHAPED: plain = s16 ? shaped_s16 : shaped_s32; break;
    case HPA_DITHER_NONE: plain = s16 ? plain_none_s16 : plain_none_s32;
#if HPA_REQUANT_AVX2
        if (q->simd)
            simd = s16 ? avx2_none_s16 : avx2_none_s32;
#endif
        break;
    default: /* HPA_DITHER_TPDF */ plain = s16 ? plain_tpdf_s16 : plain_tpdf_s32;
#if HPA_REQUANT_AVX2
        if (q->simd)
            simd = s16 ? avx2_tpdf_s16 : avx2_tpdf_s32;
#endif
        break;
    }

    if (!simd) {
        clipped = plain(&run, src, dst, n, &scan);
    } else {
        /* the plain kernel up to a multiple of 8 in the stream, the SIMD
         * kernel eight at a time from there, the plain kernel for the rest */
        unsigned char *out = dst;
        size_t head = (size_t)((DITHER_GROUP - q->pos % DITHER_GROUP) % DITHER_GROUP);
        head = head < n ? head : n;
        const size_t body = (n - head) / DITHER_GROUP * DITHER_GROUP, tail = n - head - body;
        if (head)
            clipped += plain(&run, src, out, head, &scan);
        run.pos += head;
        if (body)
            clipped += simd(&run, src + head, out + head * width, body, &scan);
        run.pos += body;
        if (tail)
            clipped += plain(&run, src + head + body, out + (head + body) * width, tail, &scan);
    }
    q->pos += n;
    if (over)
        *over += scan.over;
    if (peak)
        *peak = scan.peak;
    return clipped;
}
