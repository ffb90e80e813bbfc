/* test_ops.c — the whole-block kernels of ops.c (the gain with its clip and
 * peak scan, s16 in), both the plain C and the SIMD set this CPU gets,
 * against values computed here: y = x * g as one multiply, the count of
 * |y| > 1 and the largest |y| by a loop over the samples, s / 32768.  The two
 * sets must agree bit for bit with those (and so with each other), at every
 * length 0..67 (the SIMD kernels' tails) and on a long block, with samples
 * straddling 1.0 and the gain 1.0 (no multiply) among the gains. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "seeded.h"

#define LONG_N 4099

static double uniform(uint64_t *s, double lo, double hi)
{
    return lo + (hi - lo) * (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

static void check_gain_scan(const hpa_ops *ops, size_t n, double g, uint64_t *rs)
{
    double *x = malloc((n + 1) * sizeof *x), *y = malloc((n + 1) * sizeof *y), *z = malloc((n + 1) * sizeof *z);
    assert_non_null(x);
    assert_non_null(y);
    assert_non_null(z);
    for (size_t i = 0; i < n; i++)
        x[i] = uniform(rs, -1.6, 1.6);
    if (n > 3)
        x[n / 2] = 1.0, x[n / 3] = -1.0; /* exactly full scale: not over */
    const double start = uniform(rs, 0.0, 0.5);
    /* the truth */
    uint64_t want_over = 0;
    double want_peak = start;
    for (size_t i = 0; i < n; i++) {
        const double v = g == 1.0 ? x[i] : x[i] * g;
        want_over += fabs(v) > 1.0;
        want_peak = fabs(v) > want_peak ? fabs(v) : want_peak;
    }
    /* gain and scan */
    memcpy(y, x, n * sizeof *x);
    double peak = start;
    const uint64_t over = ops->gain_scan(y, n, g, &peak);
    for (size_t i = 0; i < n; i++)
        assert_true(y[i] == (g == 1.0 ? x[i] : x[i] * g));
    assert_int_equal(over, want_over);
    assert_true(peak == want_peak);
    /* gain alone */
    memcpy(z, x, n * sizeof *x);
    assert_int_equal(ops->gain_scan(z, n, g, NULL), 0);
    assert_memory_equal(z, y, n * sizeof *y);
    free(x);
    free(y);
    free(z);
}

static void check_s16(const hpa_ops *ops, size_t n, uint64_t *rs)
{
    int16_t *s = malloc((n + 1) * sizeof *s);
    double *d = malloc((n + 1) * sizeof *d);
    assert_non_null(s);
    assert_non_null(d);
    for (size_t i = 0; i < n; i++)
        s[i] = (int16_t)(rng_next(rs) & 0xFFFF);
    if (n > 2)
        s[0] = INT16_MIN, s[1] = INT16_MAX;
    ops->s16_to_double(s, d, n);
    for (size_t i = 0; i < n; i++) {
        assert_true(d[i] == (double)s[i] / 32768.0);
        assert_true(d[i] * 32768.0 == (double)s[i]); /* exact both ways */
    }
    free(s);
    free(d);
}

static void run_set(const hpa_ops *ops)
{
    static const double gains[] = {1.0, 0.7079457843841379, -1.0, 2.5, 0.0, 1e-300};
    uint64_t rs = g_seed;
    for (size_t n = 0; n < 68; n++) {
        for (size_t k = 0; k < sizeof gains / sizeof gains[0]; k++)
            check_gain_scan(ops, n, gains[k], &rs);
        check_s16(ops, n, &rs);
    }
    for (size_t k = 0; k < sizeof gains / sizeof gains[0]; k++)
        check_gain_scan(ops, LONG_N, gains[k], &rs);
    check_s16(ops, LONG_N, &rs);
}

static void test_plain(void **state)
{
    (void)state;
    run_set(hpa_ops_get(0));
}

static void test_simd(void **state)
{
    (void)state;
    const hpa_ops *simd = hpa_ops_get(1);
    if (simd == hpa_ops_get(0))
        print_message("no SIMD kernels on this CPU: the plain ones again\n");
    run_set(simd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_simd),
    };
    return run_seeded("test_ops", "ops", tests);
}
