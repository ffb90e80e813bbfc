/* eqtest.h — shared helpers of the EQ tests (tests/eq), header-only.
 *
 * 1. A tolerance table: one printed row per check (measured, relation, limit,
 *    PASS/FAIL); et_end() returns the exit status.
 * 2. The independent reference: the Audio EQ Cookbook's *analog* prototypes
 *    H(s), evaluated at s = jW with W = tan(w/2) / tan(w0/2), which is what
 *    the bilinear transform with the cookbook's pre-warping maps to the
 *    digital frequency w.  Nothing here uses the library's coefficients.
 * 3. Seeded random numbers (splitmix64): HPA_TEST_SEED replays a run.
 */
#ifndef HPA_EQTEST_H
#define HPA_EQTEST_H

#include <complex.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpamp/eq.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* ---- tolerance table ---- */

static int et_rows, et_failed;
static uint64_t et_seed_used;
static int et_randomized;

static inline void et_begin(const char *title)
{
    printf("== %s ==\n", title);
}

static inline int et_row(int ok, const char *name, double measured, const char *rel, double limit, const char *unit)
{
    et_rows++;
    if (!ok)
        et_failed++;
    printf("%-64s %14.6g %s %-10.6g %-6s %s\n", name, measured, rel, limit, unit, ok ? "PASS" : "FAIL");
    return ok;
}

static inline int et_le(const char *name, double measured, double limit, const char *unit)
{
    return et_row(measured <= limit, name, measured, "<=", limit, unit); /* NaN fails */
}

static inline int et_ge(const char *name, double measured, double limit, const char *unit)
{
    return et_row(measured >= limit, name, measured, ">=", limit, unit);
}

static inline int et_true(const char *name, int cond)
{
    return et_row(cond != 0, name, cond, "==", 1, "");
}

static inline int et_ok(const char *what, int rc)
{
    if (rc == HPA_OK)
        return 1;
    et_rows++;
    et_failed++;
    printf("%-64s rc=%d (%s) FAIL\n", what, rc, hpa_strerror(rc));
    return 0;
}

static inline void et_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void et_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("   ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

static inline int et_end(void)
{
    printf("== %d rows, %d failed%s", et_rows, et_failed, et_failed ? " -- FAIL" : " -- PASS");
    if (et_failed && et_randomized)
        printf(" (seed %" PRIu64 ", replay with HPA_TEST_SEED=%" PRIu64 ")", et_seed_used, et_seed_used);
    printf(" ==\n");
    return et_failed ? 1 : 0;
}

/* ---- seeded random numbers ---- */

static inline uint64_t et_seed(uint64_t fallback)
{
    const char *s = getenv("HPA_TEST_SEED");
    uint64_t v = (s && *s) ? strtoull(s, NULL, 0) : fallback;
    et_seed_used = v;
    et_randomized = 1;
    printf("   seed %" PRIu64 "\n", v);
    return v;
}

static inline uint64_t et_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline double et_uniform(uint64_t *s)
{
    return (double)(et_rand(s) >> 11) * 0x1.0p-53;
}

/* ---- the analog reference ---- */

/* What a band means, written out again from the cookbook and Equalizer APO's
 * documented conventions: the analog centre frequency and Q. */
typedef struct ref_band {
    hpa_eq_type type;
    double f0; /* analog centre / cut-off, Hz (after a corner shelf's shift) */
    double A;  /* 10^(gain/40); 1 for types without gain */
    double Q;
} ref_band;

static inline ref_band ref_from_band(const hpa_eq_band *b, double fs)
{
    ref_band r;
    r.type = b->type;
    int gain_type = b->type == HPA_EQ_PK || b->type == HPA_EQ_LSC || b->type == HPA_EQ_HSC || b->type == HPA_EQ_LS ||
                    b->type == HPA_EQ_HS;
    int shelf = gain_type && b->type != HPA_EQ_PK;
    r.A = gain_type ? pow(10.0, b->gain_db / 40.0) : 1.0;
    r.f0 = b->freq_hz;
    if (shelf) {
        /* S = slope / 12, default 0.9; 1/Q = sqrt((A + 1/A)(1/S - 1) + 2) */
        double S;
        if (b->q > 0) {
            r.Q = b->q;
            S = 1.0 / ((1.0 / (r.Q * r.Q) - 2.0) / (r.A + 1.0 / r.A) + 1.0);
        } else {
            S = b->slope_db > 0 ? b->slope_db / 12.0 : 0.9;
            r.Q = 1.0 / sqrt((r.A + 1.0 / r.A) * (1.0 / S - 1.0) + 2.0);
        }
        /* LS/HS with a width: Fc is the corner; the centre is 10^(|g|/(80 S))
         * towards the shelf's flat part's far side (Equalizer APO). */
        if ((b->type == HPA_EQ_LS || b->type == HPA_EQ_HS) && (b->q > 0 || b->slope_db > 0)) {
            double k = pow(10.0, fabs(b->gain_db) / 80.0 / S);
            r.f0 = b->type == HPA_EQ_LS ? r.f0 * k : r.f0 / k;
        }
    } else if (b->bw_oct > 0) {
        /* digital BLT relation: 1/Q = 2 sinh(ln2/2 * BW * w0 / sin w0) */
        double w0 = 2 * M_PI * r.f0 / fs;
        r.Q = 1.0 / (2.0 * sinh(log(2.0) / 2.0 * b->bw_oct * w0 / sin(w0)));
    } else if (b->q > 0) {
        r.Q = b->q;
    } else {
        r.Q = b->type == HPA_EQ_NO ? 30.0 : 1.0 / sqrt(2.0);
    }
    return r;
}

/* The analog prototype at s. */
static inline double complex ref_analog(const ref_band *r, double complex s)
{
    const double Q = r->Q, A = r->A, sA = sqrt(A);
    const double complex den = s * s + s / Q + 1.0;
    switch (r->type) {
    case HPA_EQ_LP: return 1.0 / den;
    case HPA_EQ_HP: return s * s / den;
    case HPA_EQ_BP: return (s / Q) / den;
    case HPA_EQ_NO: return (s * s + 1.0) / den;
    case HPA_EQ_AP: return (s * s - s / Q + 1.0) / den;
    case HPA_EQ_PK: return (s * s + s * (A / Q) + 1.0) / (s * s + s / (A * Q) + 1.0);
    case HPA_EQ_LS:
    case HPA_EQ_LSC: return A * (s * s + (sA / Q) * s + A) / (A * s * s + (sA / Q) * s + 1.0);
    default: /* HS, HSC */ return A * (A * s * s + (sA / Q) * s + 1.0) / (s * s + (sA / Q) * s + A);
    }
}

/* The digital response the bilinear transform gives at f (0 <= f < fs/2). */
static inline double complex ref_response(const ref_band *r, double f, double fs)
{
    const double W = tan(M_PI * f / fs) / tan(M_PI * r->f0 / fs);
    return ref_analog(r, I * W);
}

static inline double complex ref_set_response(const hpa_eq_band *bands, size_t n, double f, double fs)
{
    double complex h = 1.0;
    for (size_t k = 0; k < n; k++) {
        ref_band r = ref_from_band(&bands[k], fs);
        h *= ref_response(&r, f, fs);
    }
    return h;
}

static inline double db_of(double complex h)
{
    return 20.0 * log10(cabs(h));
}

/* ---- small file helper for the data tests ---- */

static inline char *et_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    if (len)
        *len = n;
    return buf;
}

/* AutoEq's parametric_eq.csv (tests/eq/data): the frequency and
 * parametric_eq columns of up to max rows; the count read (0: unreadable) */
static inline size_t et_read_autoeq_csv(const char *path, double *freq, double *peq, size_t max)
{
    size_t len;
    char *text = et_read_file(path, &len);
    if (!text)
        return 0;
    size_t n = 0;
    char *line = strchr(text, '\n'); /* skip the header */
    while (line && n < max) {
        double f, p, fixed;
        if (sscanf(line + 1, "%lf,%lf,%lf", &f, &p, &fixed) == 3)
            freq[n] = f, peq[n] = p, n++;
        line = strchr(line + 1, '\n');
    }
    free(text);
    return n;
}

/* the data folder of a test run as `test DATA_DIR`; NULL after a usage line */
static inline const char *et_data_dir(int argc, char **argv)
{
    if (argc >= 2)
        return argv[1];
    fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
    return NULL;
}

#endif
