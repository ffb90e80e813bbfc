/* test_eq_peak.c — the automatic headroom (hpa_eq_peak_db) against an
 * independent evaluation, and its work linear in the band count.
 *
 * 1. The reference, written here: the designed biquads (hpa_eq_design) as
 *    long doubles, the product of their magnitude responses
 *    |N(e^jw)|^2 / |D(e^jw)|^2 evaluated straightforwardly in long double (64-bit
 *    mantissa, so its own rounding is far below what is checked) on a dense
 *    grid: 24 000 points uniform in ln f from 0.5 Hz to Nyquist, both ends,
 *    and, for the narrow sets, 801 points around each band's frequency at
 *    1/(40 Q) of a natural-log unit; every grid maximum within 0.05 dB of the
 *    best then refined on the same evaluation by grids of 21 points, each a
 *    tenth as wide as the last, around the best point, down to 1e-13.  The
 *    library's peak must equal it within 1e-9 dB, and the reference's value at
 *    the returned frequency must equal the returned peak within 1e-9 dB, on
 *    seeded random band sets (every type, 44.1 / 48 / 96 kHz): small sets with
 *    Q up to 1000, sub-ranges, and sets of 256, 1024 and 4096 bands.
 * 2. The work, counted inside the library (hpa_eq_peak_db_counted): band
 *    designs and single-band response evaluations per band, at 4096 bands
 *    against 64 bands of the same distribution: at most 2x (linear work; the
 *    quadratic search before it did 60x more per band at 4096).
 *
 * HPA_TEST_SEED replays a run; the seed is printed, and again on failure.
 */
#include "eqtest.h"

#include "internal.h"

#define GRID 24000
#define LOCAL 400 /* points each side of a band's frequency (narrow sets) */

typedef struct lcoef {
    long double b0, b1, b2, a1, a2;
} lcoef;

typedef struct refset {
    lcoef *c;
    size_t n;
} refset;

/* 10 log10 of the product of the |H_k(e^jw)|^2, in long double */
static long double ref_db(const refset *s, long double w)
{
    const long double c1 = cosl(w), s1 = sinl(w), c2 = cosl(2 * w), s2 = sinl(2 * w);
    long double pn = 1, pd = 1;
    long e = 0;
    for (size_t k = 0; k < s->n; k++) {
        const lcoef *c = &s->c[k];
        const long double nr = c->b0 + c->b1 * c1 + c->b2 * c2, ni = c->b1 * s1 + c->b2 * s2;
        const long double dr = 1 + c->a1 * c1 + c->a2 * c2, di = c->a1 * s1 + c->a2 * s2;
        pn *= nr * nr + ni * ni;
        pd *= dr * dr + di * di;
        if (k % 64 == 63) {
            int en, ed;
            pn = frexpl(pn, &en);
            pd = frexpl(pd, &ed);
            e += en - ed;
        }
    }
    if (pn == 0)
        return -INFINITY;
    return 10 * log10l(pn / pd) + 10 * log10l(2) * (long double)e;
}

typedef struct pt {
    long double u, v;
} pt;

static int by_u(const void *a, const void *b)
{
    const long double x = ((const pt *)a)->u, y = ((const pt *)b)->u;
    return (x > y) - (x < y);
}

/* the maximum of ref_db over [a, b] in u = ln w: 21 points across, then
 * again around the best of them, the span a tenth each time, to 1e-13 */
static long double ref_refine(const refset *s, long double a, long double b, long double *at)
{
    long double best = -INFINITY, best_u = a;
    while (b - a > 1e-13L) {
        const long double h = (b - a) / 20;
        for (int i = 0; i <= 20; i++) {
            const long double u = a + h * i, v = ref_db(s, expl(u));
            if (v > best)
                best = v, best_u = u;
        }
        a = fmaxl(a, best_u - h), b = fminl(b, best_u + h);
    }
    *at = best_u;
    return best;
}

/* The reference peak over [lo_hz, hi_hz]; *at_hz where. */
static double ref_peak(const hpa_eq_band *bands, size_t n, double fs, double lo_hz, double hi_hz, int narrow,
                       double *at_hz)
{
    refset s = {calloc(n ? n : 1, sizeof(lcoef)), n};
    for (size_t k = 0; k < n; k++) {
        hpa_eq_coefs c;
        hpa_eq_design(&bands[k], fs, &c, NULL);
        s.c[k] = (lcoef){c.b0, c.b1, c.b2, c.a1, c.a2};
    }
    const long double two_pi_fs = 2 * 3.141592653589793238462643383279502884L / fs;
    const long double wlo = two_pi_fs * lo_hz, whi = two_pi_fs * hi_hz;
    const size_t cap = GRID + 2 + (narrow ? n * (2 * LOCAL + 1) : 0);
    pt *p = calloc(cap, sizeof *p);
    size_t m = 0;
    const long double ua = logl(lo_hz > 0 ? wlo : two_pi_fs * 0.5L), ub = logl(whi);
    for (size_t i = 0; i < GRID; i++)
        p[m++].u = ua + (ub - ua) * (long double)i / (GRID - 1);
    for (size_t k = 0; narrow && k < n; k++) {
        const long double uk = logl(two_pi_fs * bands[k].freq_hz), q = bands[k].q > 0 ? bands[k].q : 1;
        for (int j = -LOCAL; j <= LOCAL; j++) {
            const long double u = uk + j / (40 * q);
            if (u > ua && u < ub)
                p[m++].u = u;
        }
    }
    for (size_t i = 0; i < m; i++)
        p[i].v = ref_db(&s, expl(p[i].u));
    qsort(p, m, sizeof *p, by_u);
    long double best = -INFINITY, best_u = ua;
    for (size_t i = 0; i < m; i++)
        if (p[i].v > best)
            best = p[i].v, best_u = p[i].u;
    long double top = best;
    for (size_t i = 0; i < m; i++) {
        const int left = i == 0 || p[i].v >= p[i - 1].v, right = i + 1 == m || p[i].v >= p[i + 1].v;
        if (!(left && right) || p[i].v < top - 0.05L)
            continue;
        long double at;
        const long double v = ref_refine(&s, p[i > 0 ? i - 1 : i].u, p[i + 1 < m ? i + 1 : i].u, &at);
        if (v > best)
            best = v, best_u = at;
    }
    long double w_best = expl(best_u);
    if (lo_hz == 0) { /* DC itself (the grid starts at 0.5 Hz) */
        const long double v = ref_db(&s, 0);
        if (v > best)
            best = v, w_best = 0;
    }
    *at_hz = (double)(w_best / two_pi_fs);
    free(p);
    free(s.c);
    return (double)best;
}

/* the reference's value at one frequency */
static double ref_at(const hpa_eq_band *bands, size_t n, double fs, double f)
{
    refset s = {calloc(n ? n : 1, sizeof(lcoef)), n};
    for (size_t k = 0; k < n; k++) {
        hpa_eq_coefs c;
        hpa_eq_design(&bands[k], fs, &c, NULL);
        s.c[k] = (lcoef){c.b0, c.b1, c.b2, c.a1, c.a2};
    }
    const double v = (double)ref_db(&s, 2 * 3.141592653589793238462643383279502884L * f / fs);
    free(s.c);
    return v;
}

static const double rates[] = {44100, 48000, 96000};

#define ALL_TYPES 13
#define PK_AND_SHELVES 8

/* A random band of the first `kinds` types below; q_max bounds the width. */
static hpa_eq_band random_band(uint64_t *s, double fs, double q_max, double gain_max, int kinds)
{
    static const hpa_eq_type ty[ALL_TYPES] = {HPA_EQ_PK,  HPA_EQ_PK, HPA_EQ_PK, HPA_EQ_PK, HPA_EQ_LSC,
                                              HPA_EQ_HSC, HPA_EQ_LS, HPA_EQ_HS, HPA_EQ_LP, HPA_EQ_HP,
                                              HPA_EQ_BP,  HPA_EQ_NO, HPA_EQ_AP};
    for (;;) {
        hpa_eq_band b = {.type = ty[et_rand(s) % (uint64_t)kinds],
                         .freq_hz = 20 * pow(1000, et_uniform(s)),
                         .gain_db = gain_max * (2 * et_uniform(s) - 1),
                         .q = 0.3 * pow(q_max / 0.3, et_uniform(s))};
        if (b.type != HPA_EQ_PK && b.q > 20)
            b.q = 20; /* a Q 1000 shelf or low-pass is a resonance like a narrow peak; fewer of them */
        if (hpa_eq_band_check(&b, fs, NULL) == HPA_OK)
            return b;
    }
}

typedef struct tally {
    double diff; /* worst |peak - reference| */
    double self; /* worst |reference at at_hz - peak| */
    char where[200];
} tally;

static void compare(const hpa_eq_band *b, size_t n, double fs, double lo, double hi, int narrow, tally *t, int trial)
{
    double peak = NAN, at = NAN, ref_hz;
    if (!et_ok("hpa_eq_peak_db", hpa_eq_peak_db(b, n, fs, lo, hi, &peak, &at)))
        return;
    const double ref = ref_peak(b, n, fs, lo, hi, narrow, &ref_hz);
    const double d = fabs(peak - ref);
    const double self = (at >= lo && at <= hi) ? fabs(ref_at(b, n, fs, at) - peak) : INFINITY;
    if (!(d <= t->diff))
        snprintf(t->where, sizeof t->where,
                 "set %d: %zu bands at %g Hz: peak %.12f at %.6f Hz, reference %.12f at %.6f Hz", trial, n, fs, peak,
                 at, ref, ref_hz);
    t->diff = fmax(t->diff, d);
    if (!(d == d))
        t->diff = INFINITY;
    t->self = fmax(t->self, self);
    if (!(self == self))
        t->self = INFINITY;
}

static void report(const char *what, const tally *t)
{
    char name[128];
    snprintf(name, sizeof name, "%s: |peak - reference|", what);
    if (!et_le(name, t->diff, 1e-9, "dB") || t->diff > 1e-10)
        et_note("worst: %s", t->where);
    snprintf(name, sizeof name, "%s: |reference at at_hz - peak|", what);
    et_le(name, t->self, 1e-9, "dB");
}

/* `sets` random sets of 1 .. max_n bands of every type; over a random
 * sub-range when sub, else 0 Hz .. Nyquist */
static void small_sets(uint64_t *s, const char *what, int sets, size_t max_n, double q_max, double gain_max, int sub)
{
    tally t = {0, 0, ""};
    for (int trial = 0; trial < sets; trial++) {
        const double fs = rates[trial % 3];
        hpa_eq_band b[16];
        const size_t n = 1 + et_rand(s) % max_n;
        for (size_t k = 0; k < n; k++)
            b[k] = random_band(s, fs, q_max, gain_max, ALL_TYPES);
        double lo = 0, hi = fs / 2;
        if (sub)
            lo = 30 * pow(100, et_uniform(s)), hi = fmin(lo * (1.5 + 50 * et_uniform(s)), fs / 2);
        compare(b, n, fs, lo, hi, 1, &t, trial);
    }
    report(what, &t);
}

static void accuracy_rows(uint64_t *s)
{
    small_sets(s, "60 sets of 1-16 bands, Q up to 1000", 60, 16, 1000, 20, 0);
    small_sets(s, "20 sets over a sub-range [lo, hi]", 20, 12, 30, 15, 1);

    static const size_t big[] = {256, 1024, 4096};
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        const size_t n = big[i];
        hpa_eq_band *b = calloc(n, sizeof *b);
        tally g = {0, 0, ""};
        for (int trial = 0; trial < 2; trial++) { /* peaking filters and shelves, then every type */
            const double fs = rates[(i + (size_t)trial) % 3];
            for (size_t k = 0; k < n; k++)
                b[k] = random_band(s, fs, 10, 3, trial ? ALL_TYPES : PK_AND_SHELVES);
            compare(b, n, fs, 0, fs / 2, 0, &g, trial);
        }
        char what[64];
        snprintf(what, sizeof what, "2 sets of %zu bands, Q up to 10", n);
        report(what, &g);
        free(b);
    }
}

static void work_rows(uint64_t *s)
{
    static const size_t sizes[] = {64, 4096};
    double evals[2], designs[2];
    for (int i = 0; i < 2; i++) {
        const size_t n = sizes[i];
        hpa_eq_band *b = calloc(n, sizeof *b);
        for (size_t k = 0; k < n; k++)
            b[k] = random_band(s, 48000, 10, 3, PK_AND_SHELVES);
        hpa_eq_peak_stats st = {0, 0};
        double peak;
        et_ok("hpa_eq_peak_db_counted", hpa_eq_peak_db_counted(b, n, 48000, 0, 24000, &peak, NULL, &st));
        evals[i] = (double)st.band_evals / (double)n;
        designs[i] = (double)st.designs / (double)n;
        et_note("%zu bands: %" PRIu64 " designs, %" PRIu64 " band evaluations (%.0f per band)", n, st.designs,
                st.band_evals, evals[i]);
        free(b);
    }
    et_le("band evaluations per band, 4096 bands / 64 bands", evals[1] / evals[0], 2.0, "x");
    et_le("designs per band, 4096 bands / 64 bands", designs[1] / designs[0], 2.0, "x");
}

int main(void)
{
    uint64_t s = et_seed(20261127);
    et_begin("EQ peak: work per band");
    work_rows(&s);
    et_begin("EQ peak (automatic headroom) vs a dense long-double evaluation");
    accuracy_rows(&s);
    return et_end();
}
