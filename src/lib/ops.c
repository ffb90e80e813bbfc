/* ops.c — the chain's passes over whole blocks: a constant gain, the clip
 * and peak scan, and s16 in.  DESIGN.md item 7: the plain C kernels are the
 * reference; the AVX2 ones (chosen once, hpa_ops_get, where the CPU has AVX2)
 * give the same bits, since each output is the same single operation (x * g,
 * s * 2^-15) and the scan's results are exact (a count, and the largest |x|,
 * which does not depend on the order the samples are compared in).
 *
 * The gain and the scan share one pass: the volume stage multiplies and the
 * limiter needs the block's peak, so the block is read once for both. */
#include <math.h>

#include "internal.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HPA_OPS_AVX2 1
#include <immintrin.h>
#else
#define HPA_OPS_AVX2 0
#endif

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* ---- plain C ---- */

/* buf *= g unless g is exactly 1.0; with peak, count |y| > 1 and raise *peak */
static ALWAYS_INLINE uint64_t plain_gain_scan_k(double *buf, size_t n, double g, double *peak, const int mul,
                                                const int scan)
{
    uint64_t over = 0;
    double p = scan ? *peak : 0.0;
    for (size_t i = 0; i < n; i++) {
        double y = buf[i];
        if (mul)
            buf[i] = y = y * g;
        if (scan) {
            const double a = fabs(y);
            over += a > 1.0;
            p = a > p ? a : p;
        }
    }
    if (scan)
        *peak = p;
    return over;
}

static uint64_t plain_gain_scan(double *buf, size_t n, double g, double *peak)
{
    if (g == 1.0)
        return peak ? plain_gain_scan_k(buf, n, g, peak, 0, 1) : 0;
    return peak ? plain_gain_scan_k(buf, n, g, peak, 1, 1) : plain_gain_scan_k(buf, n, g, peak, 1, 0);
}

static void plain_s16_to_double(const int16_t *s, double *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        d[i] = s[i] * (1.0 / 32768.0);
}

static const hpa_ops plain_ops = {plain_gain_scan, plain_s16_to_double};

#if HPA_OPS_AVX2
/* ---- AVX2: four samples at a time, the plain kernel for the last 0-3 ---- */

#define AVX2 __attribute__((target("avx2")))

static AVX2 ALWAYS_INLINE uint64_t avx2_gain_scan_k(double *buf, size_t n, double g, double *peak, const int mul,
                                                    const int scan)
{
    const __m256d gv = _mm256_set1_pd(g), one = _mm256_set1_pd(1.0);
    const __m256d absmask = _mm256_castsi256_pd(_mm256_set1_epi64x(INT64_MAX));
    __m256i over = _mm256_setzero_si256();
    __m256d p = _mm256_set1_pd(scan ? *peak : 0.0);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m256d y = _mm256_loadu_pd(buf + i);
        if (mul) {
            y = _mm256_mul_pd(y, gv);
            _mm256_storeu_pd(buf + i, y);
        }
        if (scan) {
            const __m256d a = _mm256_and_pd(y, absmask);
            over = _mm256_sub_epi64(over, _mm256_castpd_si256(_mm256_cmp_pd(a, one, _CMP_GT_OQ)));
            p = _mm256_max_pd(a, p); /* a > p ? a : p, as the plain kernel */
        }
    }
    uint64_t total = 0;
    if (scan) {
        __m128d p2 = _mm_max_pd(_mm256_castpd256_pd128(p), _mm256_extractf128_pd(p, 1));
        p2 = _mm_max_pd(p2, _mm_unpackhi_pd(p2, p2));
        *peak = _mm_cvtsd_f64(p2);
        const __m128i o = _mm_add_epi64(_mm256_castsi256_si128(over), _mm256_extracti128_si256(over, 1));
        total = (uint64_t)(_mm_cvtsi128_si64(o) + _mm_extract_epi64(o, 1));
    }
    return total + plain_gain_scan_k(buf + i, n - i, g, peak, mul, scan);
}

static AVX2 uint64_t avx2_gain_scan(double *buf, size_t n, double g, double *peak)
{
    if (g == 1.0)
        return peak ? avx2_gain_scan_k(buf, n, g, peak, 0, 1) : 0;
    return peak ? avx2_gain_scan_k(buf, n, g, peak, 1, 1) : avx2_gain_scan_k(buf, n, g, peak, 1, 0);
}

static AVX2 void avx2_s16_to_double(const int16_t *s, double *d, size_t n)
{
    const __m256d k = _mm256_set1_pd(1.0 / 32768.0);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256i w = _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)(s + i)));
        _mm256_storeu_pd(d + i, _mm256_mul_pd(_mm256_cvtepi32_pd(_mm256_castsi256_si128(w)), k));
        _mm256_storeu_pd(d + i + 4, _mm256_mul_pd(_mm256_cvtepi32_pd(_mm256_extracti128_si256(w, 1)), k));
    }
    plain_s16_to_double(s + i, d + i, n - i);
}

static const hpa_ops avx2_ops = {avx2_gain_scan, avx2_s16_to_double};
#endif

const hpa_ops *hpa_ops_get(int simd)
{
#if HPA_OPS_AVX2
    if (simd) {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx2"))
            return &avx2_ops;
    }
#else
    (void)simd;
#endif
    return &plain_ops;
}
