/* timing.h — the benches' clock and medians. */
#ifndef HPA_BENCH_TIMING_H
#define HPA_BENCH_TIMING_H

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TIMING_MAX_ROUNDS 64 /* the most values median() takes */

/* The clock now_s reads: CLOCK_MONOTONIC (wall time, the default) or a CPU
 * time clock (a bench's --clock cpu). */
static clockid_t timing_clock = CLOCK_MONOTONIC;

static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(timing_clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* the median of v[0 .. n), 1 <= n <= TIMING_MAX_ROUNDS; v is left as it is */
static inline double median(const double *v, int n)
{
    double tmp[TIMING_MAX_ROUNDS];
    if (n > TIMING_MAX_ROUNDS)
        n = TIMING_MAX_ROUNDS;
    memcpy(tmp, v, (size_t)n * sizeof *tmp);
    qsort(tmp, (size_t)n, sizeof *tmp, cmp_double);
    return n % 2 ? tmp[n / 2] : 0.5 * (tmp[n / 2 - 1] + tmp[n / 2]);
}

#endif
