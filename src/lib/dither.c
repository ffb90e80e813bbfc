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
 * 2^128 - 1 each, seeded by splitmix64 from the seed).  A step of all 8 lanes
 * gives the dither of 4 consecutive samples of the stream: sample p takes
 * lane 2j as u1 and lane 2j + 1 as u2, j = p mod 4.  That is one AVX2
 * register of 32-bit lanes per 4 samples, with only shifts and xors; each
 * 64-bit half holds one sample's pair, which becomes two doubles in [1, 2)
 * by a shift, a mask and the exponent bits (no conversion).  The plain C
 * kernels step the lanes the same way, so both give the same bits and may
 * take turns within a block (the SIMD kernel from a multiple of 4 on).  Over
 * 2^26 samples the dither's mean, variance (1/6 LSB^2), u1-u2 correlation and
 * autocorrelation at lags 1-40 are within what chance gives (1.2e-4).
 *
 * Rounding is to nearest by the 1.5 * 2^52 trick, (t + M) - M, exact for
 * |t| < 2^51; larger values stay beyond full scale and are clamped.  Ties go
 * to even, which a dithered signal meets with probability 0. */
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

static int cpu_has_avx2(void)
{
#if HPA_REQUANT_AVX2
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? 1 : 0;
#else
    return 0;
#endif
}

void hpa_requant_init(hpa_requant *q, hpa_format format, hpa_dither dither, unsigned channels,
                      double rate_hz, uint64_t seed)
{
    memset(q, 0, sizeof(*q));
    q->format = format;
    q->dither = dither;
    q->channels = channels;
    q->scale = hpa_format_scale(format);
    q->lo = -q->scale;
    q->hi = q->scale - 1.0;
    q->simd = cpu_has_avx2();
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
    uint32_t group[HPA_DITHER_LANES];
} rq_rng;

/* one step of every lane: the next group's words */
static ALWAYS_INLINE void rng_step(rq_rng *r)
{
    for (unsigned k = 0; k < HPA_DITHER_LANES; k++) {
        const uint32_t x = r->s[0][k], w = r->s[3][k], t = x ^ (x << 11);
        const uint32_t v = (w ^ (w >> 19)) ^ (t ^ (t >> 8));
        r->s[0][k] = r->s[1][k];
        r->s[1][k] = r->s[2][k];
        r->s[2][k] = w;
        r->s[3][k] = v;
        r->group[k] = v;
    }
}

/* TPDF dither of sample p in LSB: u1 - u2, each uniform on a 2^-32 grid in
 * [0, 1); exact, as is the SIMD kernel's (1 + u1) - (1 + u2) */
static ALWAYS_INLINE double tpdf_lsb(rq_rng *r, uint64_t p)
{
    const unsigned j = (unsigned)(p & 3u);
    if (j == 0)
        rng_step(r);
    return ((double)r->group[2 * j] - (double)r->group[2 * j + 1]) * 0x1.0p-32;
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
    uint64_t pos;   /* stream position of the first sample */
} rq_run;

/* what every kernel adds to: the scan of its input for the chain's statistics */
typedef struct rq_scan {
    uint64_t over;  /* samples with |x| > 1 */
    double peak;    /* largest |x| */
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
static ALWAYS_INLINE uint64_t plain_kernel(const rq_run *run, const double *src, void *dst, size_t n,
                                           rq_scan *scan, const int dithered, const int s16)
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
static ALWAYS_INLINE uint64_t shaped_kernel(const rq_run *run, const double *src, void *dst, size_t n,
                                            rq_scan *scan, const int s16)
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
        e[0] = r - y; /* before clamping */
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
/* ---- AVX2: the plain kernel four samples at a time, the same bits ---- */

#define AVX2 __attribute__((target("avx2")))

static AVX2 ALWAYS_INLINE int64_t sum_epi64(__m256i v)
{
    __m128i s = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    return _mm_cvtsi128_si64(s) + _mm_extract_epi64(s, 1);
}

/* n and run->pos are multiples of 4: each step of the lanes is the dither of
 * the next 4 samples, sample j's u1 in the low and u2 in the high half of
 * 64-bit lane j */
static AVX2 ALWAYS_INLINE uint64_t avx2_kernel(const rq_run *run, const double *src, void *dst, size_t n,
                                               rq_scan *scan, const int dithered, const int s16)
{
    hpa_requant *q = run->q;
    const __m256d scale = _mm256_set1_pd(run->scale), lo = _mm256_set1_pd(run->lo), hi = _mm256_set1_pd(run->hi);
    const __m256d magic = _mm256_set1_pd(ROUND_MAGIC), one = _mm256_set1_pd(1.0);
    const __m256d absmask = _mm256_castsi256_pd(_mm256_set1_epi64x(INT64_MAX));
    /* a 32-bit word w at bits 20-51 of a double of exponent 0: 1 + w 2^-32 */
    const __m256i mant = _mm256_set1_epi64x(INT64_C(0x000FFFFFFFF00000)), exp0 = _mm256_set1_epi64x(INT64_C(0x3FF0000000000000));
    __m256i sx = _mm256_loadu_si256((const __m256i *)q->rng[0]), sy = _mm256_loadu_si256((const __m256i *)q->rng[1]);
    __m256i sz = _mm256_loadu_si256((const __m256i *)q->rng[2]), sw = _mm256_loadu_si256((const __m256i *)q->rng[3]);
    __m256i clipped = _mm256_setzero_si256(), over = _mm256_setzero_si256();
    __m256d peak = _mm256_set1_pd(scan->peak);
    int16_t *d16 = dst;
    int32_t *d32 = dst;

    for (size_t i = 0; i < n; i += 4) {
        const __m256d x = _mm256_loadu_pd(src + i), a = _mm256_and_pd(x, absmask);
        over = _mm256_sub_epi64(over, _mm256_castpd_si256(_mm256_cmp_pd(a, one, _CMP_GT_OQ)));
        peak = _mm256_max_pd(a, peak);
        __m256d t = _mm256_mul_pd(x, scale);
        if (dithered) {
            /* xorshift128: t = x ^ x << 11; x, y, z = y, z, w; w ^= w >> 19 ^ t ^ t >> 8 */
            const __m256i tt = _mm256_xor_si256(sx, _mm256_slli_epi32(sx, 11));
            const __m256i h = _mm256_xor_si256(_mm256_xor_si256(sw, _mm256_srli_epi32(sw, 19)),
                                               _mm256_xor_si256(tt, _mm256_srli_epi32(tt, 8)));
            sx = sy;
            sy = sz;
            sz = sw;
            sw = h;
            const __m256i b1 = _mm256_or_si256(_mm256_and_si256(_mm256_slli_epi64(h, 20), mant), exp0);
            const __m256i b2 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi64(h, 12), mant), exp0);
            t = _mm256_add_pd(t, _mm256_sub_pd(_mm256_castsi256_pd(b1), _mm256_castsi256_pd(b2)));
        }
        const __m256d r = _mm256_sub_pd(_mm256_add_pd(t, magic), magic);
        const __m256d v = _mm256_max_pd(_mm256_min_pd(r, hi), lo);
        clipped = _mm256_sub_epi64(clipped, _mm256_castpd_si256(_mm256_cmp_pd(v, r, _CMP_NEQ_UQ)));
        const __m128i o = _mm256_cvttpd_epi32(v);
        if (s16)
            _mm_storel_epi64((__m128i *)(d16 + i), _mm_packs_epi32(o, o));
        else
            _mm_storeu_si128((__m128i *)(d32 + i), o);
    }
    if (dithered && n) {
        _mm256_storeu_si256((__m256i *)q->rng[0], sx);
        _mm256_storeu_si256((__m256i *)q->rng[1], sy);
        _mm256_storeu_si256((__m256i *)q->rng[2], sz);
        _mm256_storeu_si256((__m256i *)q->rng[3], sw);
        _mm256_storeu_si256((__m256i *)q->group, sw);
    }
    __m128d p2 = _mm_max_pd(_mm256_castpd256_pd128(peak), _mm256_extractf128_pd(peak, 1));
    p2 = _mm_max_pd(p2, _mm_unpackhi_pd(p2, p2));
    scan->peak = _mm_cvtsd_f64(p2);
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

uint64_t hpa_requant_process(hpa_requant *q, const double *src, void *dst, size_t frames, uint64_t *over,
                             double *peak)
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
    case HPA_DITHER_SHAPED:
        plain = s16 ? shaped_s16 : shaped_s32;
        break;
    case HPA_DITHER_NONE:
        plain = s16 ? plain_none_s16 : plain_none_s32;
#if HPA_REQUANT_AVX2
        if (q->simd)
            simd = s16 ? avx2_none_s16 : avx2_none_s32;
#endif
        break;
    default: /* HPA_DITHER_TPDF */
        plain = s16 ? plain_tpdf_s16 : plain_tpdf_s32;
#if HPA_REQUANT_AVX2
        if (q->simd)
            simd = s16 ? avx2_tpdf_s16 : avx2_tpdf_s32;
#endif
        break;
    }

    if (!simd) {
        clipped = plain(&run, src, dst, n, &scan);
    } else {
        /* the plain kernel up to a multiple of 4 in the stream, the SIMD
         * kernel four at a time from there, the plain kernel for the rest */
        unsigned char *out = dst;
        size_t head = (size_t)((4u - (q->pos & 3u)) & 3u);
        head = head < n ? head : n;
        const size_t body = (n - head) & ~(size_t)3, tail = n - head - body;
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
