/* seeded.h — the random-but-replayable harness the unit tests share.
 *
 * A run picks a seed (HPA_TEST_SEED replays one), prints it, and prints it
 * again with the replay command when any test fails. */
#ifndef HPA_TESTS_SEEDED_H
#define HPA_TESTS_SEEDED_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static uint64_t g_seed __attribute__((unused));

/* splitmix64 */
static inline uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline uint64_t pick_seed(void)
{
    const char *env = getenv("HPA_TEST_SEED");
    if (env && *env)
        return strtoull(env, NULL, 0);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t s = (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
    return rng_next(&s);
}

/* Run a cmocka group under a fresh seed (in g_seed); 0 when all passed. */
#define run_seeded(prog, group, tests)                                                                                 \
    __extension__({                                                                                                    \
        g_seed = pick_seed();                                                                                          \
        printf("%s: seed %" PRIu64 " (replay with HPA_TEST_SEED=%" PRIu64 ")\n", prog, g_seed, g_seed);                \
        fflush(stdout);                                                                                                \
        int failed_ = cmocka_run_group_tests_name(group, tests, NULL, NULL);                                           \
        if (failed_)                                                                                                   \
            printf("%s: FAILED with seed %" PRIu64 " (replay with HPA_TEST_SEED=%" PRIu64 ")\n", prog, g_seed,         \
                   g_seed);                                                                                            \
        failed_ ? 1 : 0;                                                                                               \
    })

#endif
