/* eq_setup.c — how long an EQ of N bands takes before the first sample.
 *
 * The set-up `hpamp render --eq FILE` does (hpa_eq_profile_load, src/lib/eq_profile.c), in
 * memory, for an Equalizer APO text of N `Filter:` lines (peaking filters
 * and shelves, seeded, 20 Hz .. 20 kHz, Q 0.5 .. 5, +-1 dB), at 48 kHz:
 *
 *   parse  hpa_eq_parse twice (a first pass counts the bands, the second
 *          keeps them)
 *   peak   hpa_eq_peak_db over 0 Hz .. Nyquist (the automatic headroom)
 *   chain  hpa_chain_create with room for N bands, hpa_chain_set_eq
 *
 * for N = 64, 256, 1024 and 4096, beside two peers in the same run:
 *
 *   linear    the same set-up at 64 bands, times N / 64: a set-up linear
 *             in the band count takes about 1x that at every N;
 *   previous  the quadratic peak search hpamp used before (kept here, as it
 *             was, for the comparison): a 1/48-octave scan from 1 Hz and
 *             every band's frequency refined by golden-section search,
 *             each evaluation over every band.  At 4096 bands it takes
 *             about a minute, so by default it runs up to 1024 bands
 *             (--previous-max 4096 for all).  Its peak must agree with
 *             hpamp's within 1e-6 dB (else the bench fails: the two would
 *             not be doing the same work).
 *
 * Rounds alternate the sides; medians are printed.  Goal (issue 9, item 12):
 * 4096 bands ready in under 0.5 s (MISS when not; never a failure).
 *
 * Usage: eq_setup [--rounds N] [--previous-max N] [--clock wall|cpu]
 * Exit status: 0 done (whatever the numbers), 1 error, 2 usage. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hpamp/chain.h>
#include <hpamp/eq.h>

#include "args.h"
#include "timing.h"

#define RATE 48000.0
#define GOAL_S 0.5
#define MAX_ROUNDS 51
#define N_SIZES 4

static const size_t sizes[N_SIZES] = {64, 256, 1024, 4096};

/* ---- the EQ text ---- */

static double uniform(uint64_t *s)
{
    *s ^= *s >> 12, *s ^= *s << 25, *s ^= *s >> 27;
    return (double)((*s * 0x2545F4914F6CDD1DULL) >> 11) * 0x1.0p-53;
}

/* N Filter lines, as AutoEq and Equalizer APO write them; malloc'd */
static char *eq_text(size_t n, size_t *len)
{
    const size_t cap = 32 + n * 96;
    char *t = malloc(cap);
    if (!t)
        return NULL;
    uint64_t s = 0x2545F4914F6CDD1DULL + n;
    size_t k = (size_t)snprintf(t, cap, "Preamp: -6 dB\n");
    for (size_t i = 0; i < n; i++) {
        const double u = uniform(&s);
        const char *type = u < 0.05 ? "LSC" : u < 0.1 ? "HSC" : "PK";
        k += (size_t)snprintf(t + k, cap - k, "Filter %zu: ON %s Fc %.2f Hz Gain %.2f dB Q %.2f\n", i + 1, type,
                              20.0 * pow(1000.0, uniform(&s)), 2.0 * uniform(&s) - 1.0, 0.5 + 4.5 * uniform(&s));
    }
    *len = k;
    return t;
}

/* ---- the set-up, as render does it ---- */

typedef struct setup {
    double parse_s, peak_s, chain_s;
    double peak_db;
} setup;

static int run_setup(const char *text, size_t len, size_t n, setup *out)
{
    double t0 = now_s();
    hpa_eq_doc doc;
    memset(&doc, 0, sizeof doc);
    int err = hpa_eq_parse(text, len, RATE, &doc, NULL);
    if (err != HPA_ERR_BUFFER_TOO_SMALL || doc.n_bands != n)
        return 1;
    hpa_eq_band *bands = calloc(n, sizeof *bands);
    if (!bands)
        return 1;
    memset(&doc, 0, sizeof doc);
    doc.bands = bands;
    doc.bands_capacity = n;
    if (hpa_eq_parse(text, len, RATE, &doc, NULL) != HPA_OK || doc.n_bands != n) {
        free(bands);
        return 1;
    }
    double t1 = now_s();
    double peak = 0.0, at = 0.0;
    err = hpa_eq_peak_db(bands, n, RATE, 0.0, RATE / 2.0, &peak, &at);
    double t2 = now_s();
    const double preamp = fmin(peak > 0.0 ? -peak : 0.0, doc.preamp_db);
    hpa_chain_config cfg;
    hpa_chain_config_init(&cfg);
    cfg.in_rate_hz = cfg.out_rate_hz = (uint32_t)RATE;
    cfg.max_eq_bands = (uint32_t)n;
    hpa_chain *c = NULL;
    if (!err)
        err = hpa_chain_create(&cfg, &c);
    if (!err)
        err = hpa_chain_set_eq(c, bands, n, preamp, NULL, NULL);
    double t3 = now_s();
    hpa_chain_destroy(c);
    free(bands);
    out->parse_s = t1 - t0, out->peak_s = t2 - t1, out->chain_s = t3 - t2;
    out->peak_db = peak;
    return err != HPA_OK;
}

/* ---- the previous peak search (hpamp before issue 9, item 12), as it was ---- */

#define PREV_PI 3.14159265358979323846
#define PREV_CACHE 64

typedef struct prev_ctx {
    const hpa_eq_band *bands;
    size_t n;
    double rate_hz;
    hpa_eq_coefs cache[PREV_CACHE]; /* the first PREV_CACHE bands, designed once */
} prev_ctx;

static double prev_eval(const prev_ctx *p, double f)
{
    const double w = 2.0 * PREV_PI * f / p->rate_hz;
    const double c1 = cos(w), s1 = sin(w), c2 = cos(2.0 * w), s2 = sin(2.0 * w);
    double sum = 0.0;
    for (size_t k = 0; k < p->n; k++) {
        hpa_eq_coefs tmp;
        const hpa_eq_coefs *c = &p->cache[k];
        if (k >= PREV_CACHE) {
            hpa_eq_design(&p->bands[k], p->rate_hz, &tmp, NULL);
            c = &tmp;
        }
        const double nr = c->b0 + c->b1 * c1 + c->b2 * c2, ni = -(c->b1 * s1 + c->b2 * s2);
        const double dr = 1.0 + c->a1 * c1 + c->a2 * c2, di = -(c->a1 * s1 + c->a2 * s2);
        const double dd = dr * dr + di * di;
        const double re = (nr * dr + ni * di) / dd, im = (ni * dr - nr * di) / dd;
        const double pw = re * re + im * im;
        sum += pw > 0.0 ? 10.0 * log10(pw) : -HUGE_VAL;
    }
    return sum;
}

static void prev_refine(const prev_ctx *p, double lo, double hi, double *best)
{
    const double g = 0.61803398874989484820;
    double a = log(lo), b = log(hi);
    double x1 = b - g * (b - a), x2 = a + g * (b - a);
    double f1 = prev_eval(p, exp(x1)), f2 = prev_eval(p, exp(x2));
    for (int it = 0; it < 60 && (b - a) > 1e-10; it++) {
        if (f1 >= f2) {
            b = x2, x2 = x1, f2 = f1;
            x1 = b - g * (b - a);
            f1 = prev_eval(p, exp(x1));
        } else {
            a = x1, x1 = x2, f1 = f2;
            x2 = a + g * (b - a);
            f2 = prev_eval(p, exp(x2));
        }
        *best = fmax(*best, fmax(f1, f2));
    }
}

static double prev_peak(const hpa_eq_band *bands, size_t n, double rate_hz)
{
    prev_ctx *p = calloc(1, sizeof *p);
    if (!p)
        return NAN;
    p->bands = bands, p->n = n, p->rate_hz = rate_hz;
    for (size_t k = 0; k < n && k < PREV_CACHE; k++)
        hpa_eq_design(&bands[k], rate_hz, &p->cache[k], NULL);
    const double lo_hz = 0.0, hi_hz = rate_hz / 2.0, step = pow(2.0, 1.0 / 48.0);
    const double v_lo = prev_eval(p, lo_hz), v_hi = prev_eval(p, hi_hz);
    double best = fmax(v_lo, v_hi);
    double prev2 = -HUGE_VAL, prev = v_lo, f_prev = lo_hz;
    for (double f = 1.0; f < hi_hz; f *= step) { // NOLINT(cert-flp30-c): a geometric grid; step > 1 bounds the count
        const double v = prev_eval(p, f);
        best = fmax(best, v);
        if (f_prev > 0.0 && prev >= prev2 && prev >= v)
            prev_refine(p, fmax(f_prev / step, lo_hz), f, &best);
        prev2 = prev, prev = v, f_prev = f;
    }
    if (f_prev > 0.0 && f_prev < hi_hz && prev >= prev2 && prev >= v_hi)
        prev_refine(p, fmax(f_prev / step, lo_hz), hi_hz, &best);
    for (size_t k = 0; k < n; k++) {
        const double fk = bands[k].freq_hz;
        best = fmax(best, prev_eval(p, fk));
        const double a = fmax(fk / step, lo_hz), b = fmin(fk * step, hi_hz);
        if (a > 0.0 && a < b)
            prev_refine(p, a, b, &best);
    }
    free(p);
    return best;
}

/* the previous set-up: the same, with the previous peak search */
static int run_previous(const char *text, size_t len, size_t n, setup *out)
{
    if (run_setup(text, len, n, out)) /* for the parse and chain times */
        return 1;
    hpa_eq_band *bands = calloc(n, sizeof *bands);
    hpa_eq_doc doc;
    memset(&doc, 0, sizeof doc);
    doc.bands = bands;
    doc.bands_capacity = n;
    if (!bands || hpa_eq_parse(text, len, RATE, &doc, NULL) != HPA_OK) {
        free(bands);
        return 1;
    }
    double t0 = now_s();
    out->peak_db = prev_peak(bands, n, RATE);
    out->peak_s = now_s() - t0;
    free(bands);
    return 0;
}

static double total(const setup *s)
{
    return s->parse_s + s->peak_s + s->chain_s;
}

static void usage(FILE *f)
{
    fputs("Usage: eq_setup [--rounds N] [--previous-max N] [--clock wall|cpu]\n"
          "  --rounds N        rounds of each side, 1..51 (default 5; the previous search: 3 at most)\n"
          "  --previous-max N  run the previous search up to N bands (default 1024; 0: not at all)\n"
          "  --clock cpu       time by the process's CPU time instead of the wall clock\n",
          f);
}

int main(int argc, char **argv)
{
    int rounds = 5, prev_max = 1024, bad = argc % 2 == 0; /* options come in pairs */
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *opt = argv[i], *val = argv[i + 1];
        if (!strcmp(opt, "--rounds"))
            rounds = arg_int(val);
        else if (!strcmp(opt, "--previous-max"))
            prev_max = arg_int(val);
        else if (!strcmp(opt, "--clock") && !strcmp(val, "cpu"))
            timing_clock = CLOCK_PROCESS_CPUTIME_ID;
        else if (!(!strcmp(opt, "--clock") && !strcmp(val, "wall")))
            bad = 1;
    }
    if (bad || rounds < 1 || rounds > MAX_ROUNDS || prev_max < 0) {
        usage(stderr);
        return 2;
    }
    char *text[N_SIZES];
    size_t len[N_SIZES];
    for (int i = 0; i < N_SIZES; i++)
        if (!(text[i] = eq_text(sizes[i], &len[i])))
            return 1;

    /* Each round runs every size, then the previous search where it runs
     * (its rounds: at most 3), first or last in turn, so that a busy moment of
     * the machine falls on all of them.  Medians per size. */
    static double a[N_SIZES][MAX_ROUNDS], b[N_SIZES][MAX_ROUNDS], c[N_SIZES][MAX_ROUNDS], d[N_SIZES][MAX_ROUNDS];
    static double e[N_SIZES][MAX_ROUNDS];
    double t_parse[N_SIZES], t_peak[N_SIZES], t_chain[N_SIZES], t_all[N_SIZES], t_prev[N_SIZES];
    double peak[N_SIZES], peak_prev[N_SIZES];
    int np[N_SIZES] = {0};
    const int prev_rounds = rounds < 3 ? rounds : 3;
    for (int r = 0; r < rounds; r++) {
        for (int pass = 0; pass < 2; pass++) {
            const int prev_pass = (r % 2) ? pass == 0 : pass == 1;
            for (int i = 0; i < N_SIZES; i++) {
                setup s;
                if (prev_pass) {
                    if ((int)sizes[i] > prev_max || r >= prev_rounds)
                        continue;
                    if (run_previous(text[i], len[i], sizes[i], &s))
                        goto fail;
                    e[i][np[i]++] = total(&s);
                    peak_prev[i] = s.peak_db;
                } else {
                    if (run_setup(text[i], len[i], sizes[i], &s))
                        goto fail;
                    a[i][r] = s.parse_s, b[i][r] = s.peak_s, c[i][r] = s.chain_s, d[i][r] = total(&s);
                    peak[i] = s.peak_db;
                }
            }
        }
    }
    for (int i = 0; i < N_SIZES; i++) {
        t_parse[i] = median(a[i], rounds), t_peak[i] = median(b[i], rounds), t_chain[i] = median(c[i], rounds);
        t_all[i] = median(d[i], rounds);
        t_prev[i] = np[i] ? median(e[i], np[i]) : NAN;
        if (np[i] && !(fabs(peak[i] - peak_prev[i]) <= 1e-6)) {
            fprintf(stderr, "eq_setup: %zu bands: peak %.12f dB, the previous search %.12f dB: not the same work\n",
                    sizes[i], peak[i], peak_prev[i]);
            goto fail;
        }
    }

    printf("eq_setup: the set-up of an EQ of N bands (parse, automatic headroom, chain), 48 kHz, %d rounds "
           "(medians, %s time)\n",
           rounds, timing_clock == CLOCK_MONOTONIC ? "wall" : "CPU");
    printf("  %5s %9s %9s %9s %9s %12s %13s %10s %12s\n", "bands", "parse s", "peak s", "chain s", "total s",
           "64 x N/64 s", "total/linear", "previous s", "speed-up");
    const double per_band = t_all[0] / (double)sizes[0];
    for (int i = 0; i < N_SIZES; i++) {
        const double lin = per_band * (double)sizes[i];
        printf("  %5zu %9.5f %9.5f %9.5f %9.5f %12.5f %12.2fx", sizes[i], t_parse[i], t_peak[i], t_chain[i], t_all[i],
               lin, t_all[i] / lin);
        if (t_prev[i] == t_prev[i])
            printf(" %10.4f %11.0fx\n", t_prev[i], t_prev[i] / t_all[i]);
        else
            printf(" %10s %12s\n", "-", "-");
    }
    for (int i = 0; i < N_SIZES; i++)
        if (t_prev[i] == t_prev[i])
            printf("  %zu bands: peak %.9f dB, the previous search %.9f dB (|difference| %.2g dB)\n", sizes[i], peak[i],
                   peak_prev[i], fabs(peak[i] - peak_prev[i]));
    printf("  4096 bands ready in %.3f s, goal < %.1f s: %s\n", t_all[N_SIZES - 1], GOAL_S,
           t_all[N_SIZES - 1] < GOAL_S ? "PASS" : "MISS");
    for (int i = 0; i < N_SIZES; i++)
        free(text[i]);
    return 0;
fail:
    fprintf(stderr, "eq_setup: the set-up failed\n");
    for (int i = 0; i < N_SIZES; i++)
        free(text[i]);
    return 1;
}
