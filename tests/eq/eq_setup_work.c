/* eq_setup_work.c — the EQ set-up of `hpamp render --eq`, stage by stage,
 * for eq_setup_scaling.sh to count under callgrind.
 *
 * Usage: eq_setup_work N   an Equalizer APO text of N Filter lines (seeded),
 *                          then stage_parse (hpa_eq_parse twice: count, keep),
 *                          stage_peak (hpa_eq_peak_db, 0 Hz .. Nyquist) and
 *                          stage_chain (hpa_chain_create with room for N
 *                          bands, hpa_chain_set_eq), each a function of its own
 *        eq_setup_work --sanitized   prints 1 when built with a sanitizer
 *                          (valgrind cannot run it), else 0
 * Exit status: 0 done, 1 a stage failed, 2 usage. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpamp/chain.h>
#include <hpamp/eq.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || defined(__SANITIZE_UNDEFINED__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

#define RATE 48000.0

__attribute__((noinline)) static int stage_parse(const char *text, size_t len, hpa_eq_band *bands, size_t n)
{
    hpa_eq_doc doc;
    memset(&doc, 0, sizeof doc);
    if (hpa_eq_parse(text, len, RATE, &doc, NULL) != HPA_ERR_BUFFER_TOO_SMALL || doc.n_bands != n)
        return 1;
    memset(&doc, 0, sizeof doc);
    doc.bands = bands;
    doc.bands_capacity = n;
    return hpa_eq_parse(text, len, RATE, &doc, NULL) != HPA_OK || doc.n_bands != n;
}

__attribute__((noinline)) static int stage_peak(const hpa_eq_band *bands, size_t n, double *peak)
{
    return hpa_eq_peak_db(bands, n, RATE, 0.0, RATE / 2.0, peak, NULL) != HPA_OK;
}

__attribute__((noinline)) static int stage_chain(const hpa_eq_band *bands, size_t n, double preamp)
{
    hpa_chain_config cfg;
    hpa_chain_config_init(&cfg);
    cfg.in_rate_hz = cfg.out_rate_hz = (uint32_t)RATE;
    cfg.max_eq_bands = (uint32_t)n;
    hpa_chain *c = NULL;
    int err = hpa_chain_create(&cfg, &c);
    if (!err)
        err = hpa_chain_set_eq(c, bands, n, preamp, NULL, NULL);
    hpa_chain_destroy(c);
    return err != HPA_OK;
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--sanitized")) {
        printf("%d\n", SANITIZED);
        return 0;
    }
    char *end = NULL;
    const long nl = argc == 2 ? strtol(argv[1], &end, 10) : 0;
    if (!end || *end || nl < 1 || nl > (long)HPA_EQ_MAX_BANDS) {
        fprintf(stderr, "usage: eq_setup_work N (1..%u) | --sanitized\n", HPA_EQ_MAX_BANDS);
        return 2;
    }
    const size_t n = (size_t)nl, cap = 16 + 80 * n;
    char *text = malloc(cap);
    hpa_eq_band *bands = calloc(n, sizeof *bands);
    if (!text || !bands) {
        free(text);
        free(bands);
        return 1;
    }
    /* peaking filters from 20 Hz to 20 kHz in a scrambled order, gains and Qs
     * from a fixed sequence: the same spread at every N */
    size_t len = (size_t)snprintf(text, cap, "Preamp: -3 dB\n");
    for (size_t i = 0; i < n; i++) {
        const double x = fmod(0.6180339887498949 * (double)(i + 1), 1.0);
        len += (size_t)snprintf(text + len, cap - len, "Filter %zu: ON PK Fc %.2f Hz Gain %.2f dB Q %.2f\n", i + 1,
                                20.0 * pow(1000.0, x), sin(7.0 * (double)i), 0.5 + 4.0 * fmod(3.7 * x, 1.0));
    }
    double peak = 0.0;
    int err = stage_parse(text, len, bands, n) || stage_peak(bands, n, &peak) ||
              stage_chain(bands, n, peak > 0.0 ? -peak : 0.0);
    free(text);
    free(bands);
    if (err)
        fprintf(stderr, "eq_setup_work: a stage failed\n");
    return err;
}
