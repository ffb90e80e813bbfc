/* test_meter_rt.c — the meter's [RT] calls never allocate, lock, sleep or do
 * I/O.  Run by rt.sh under tests/play's rtcheck.so (LD_PRELOAD), which
 * defines hph_rt_probe and counts every allocator, lock, sleep and I/O call
 * made between hph_rt_probe(1) and hph_rt_probe(0).  Here those brackets go
 * around each add (double and float), end, the [any] reads and the loudness
 * reads, for meters with every mode at 1, 2 and 9 channels (two
 * A-weighting groups) and 44.1 and 96 kHz, in blocks of random length
 * (seeded: HPA_TEST_SEED replays) including 0, 1, 1023 .. 1025 and 9000,
 * over 12 s of noise per meter so libebur128's 3 s windows fill and
 * wrap.  Without rtcheck.so the program refuses to run (exit 1). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <hpamp/meter.h>

#include "../signal/sigtest.h"

extern void hph_rt_probe(int enter) __attribute__((weak));

#define RT(expr)                                                                                                       \
    do {                                                                                                               \
        hph_rt_probe(1);                                                                                               \
        expr;                                                                                                          \
        hph_rt_probe(0);                                                                                               \
    } while (0)

int main(void)
{
    if (!hph_rt_probe) {
        fputs("test_meter_rt: run me under rtcheck.so (rt.sh)\n", stderr);
        return 1;
    }
    uint64_t rng = st_seed(0x72746d6574ULL);
    st_begin("meter: no allocation, lock, sleep or I/O in the [RT] calls", 1, rng);
    const unsigned chans[] = {1, 2, 9};
    const uint32_t rates[] = {44100, 96000};
    const size_t fixed[] = {0, 1, 1023, 1024, 1025, 9000};
    const size_t max_block = 9000;
    for (size_t ci = 0; ci < 3; ci++)
        for (size_t ri = 0; ri < 2; ri++) {
            const unsigned ch = chans[ci];
            hpa_meter *m = NULL;
            if (!st_ok("hpa_meter_create", hpa_meter_create(ch, rates[ri], HPA_METER_ALL, NULL, &m)))
                continue;
            double *xd = malloc(max_block * ch * sizeof *xd);
            float *xf = malloc(max_block * ch * sizeof *xf);
            for (size_t i = 0; i < max_block * ch; i++) {
                xd[i] = 0.5 * st_rand_gauss(&rng);
                xf[i] = (float)xd[i];
            }
            const size_t total = (size_t)12 * rates[ri];
            double v = 0.0;
            uint64_t n = 0;
            int bad = 0;
            for (size_t done = 0, call = 0; done < total; call++) {
                size_t k = call < 6 ? fixed[call] : (size_t)(st_rand_uniform(&rng) * (double)max_block);
                k = k < total - done ? k : total - done;
                int rc = 0;
                if (call & 1)
                    RT(rc = hpa_meter_add_float(m, xf, k));
                else
                    RT(rc = hpa_meter_add_double(m, xd, k));
                bad |= rc != HPA_OK;
                RT(hpa_meter_sample_peak(m, ch - 1, &v); hpa_meter_true_peak(m, 0, &v);
                   hpa_meter_aweighted(m, ch - 1, &v, &n); hpa_meter_momentary(m, &v); hpa_meter_shortterm(m, &v));
                if (call % 50 == 0)
                    RT(hpa_meter_integrated(m, &v); hpa_meter_range(m, &v));
                done += k;
            }
            RT(hpa_meter_end(m));
            RT(hpa_meter_integrated(m, &v); hpa_meter_range(m, &v));
            char name[120];
            snprintf(name, sizeof name, "%u ch, %u Hz: every add returned HPA_OK", ch, rates[ri]);
            st_eq_int(name, bad, 0);
            snprintf(name, sizeof name, "%u ch, %u Hz: frames counted", ch, rates[ri]);
            st_eq_int(name, (long long)n, (long long)total);
            free(xd);
            free(xf);
            hpa_meter_destroy(m);
        }
    return st_end();
}
