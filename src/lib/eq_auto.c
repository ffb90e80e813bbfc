/* eq_auto.c — a parametric EQ from a measurement and a target (eq_auto.h).
 *
 * The fit minimises, in dB on a 1/64-octave grid, the weighted squares of
 *
 *   EQ(f) - (target(f) + bass + treble + tilt - measurement(f)) - c
 *
 * with c, a constant, free (a level is the preamp's business, not the EQ's),
 * over every band's centre frequency, gain and Q at once, by
 * Levenberg-Marquardt with bounds (an active set: a parameter at its bound
 * whose gradient points outwards is held there for the step).  The bands are
 * placed greedily: the two shelves first (105 Hz and 10 kHz, Q 0.7, as AutoEq
 * starts them), then one peaking filter at a time where the smoothed residual
 * is largest, as wide as that residual is at half its height, after each of
 * which every band is refined together.  The curve the fit follows is the
 * difference smoothed over 1/12 octave (AutoEq's window), blended above
 * 10 kHz into one smoothed over 2 octaves and weighted by 0.1 there, where a
 * measurement on a head simulator says little about a listener's ear.
 * Boosts: every filter's gain is bounded by max_gain_db, and where the
 * combined response passes max_gain_db a penalty pulls it back.
 * docs/eq-fit.md has the reasoning and the measured result.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hpamp/eq_auto.h>

#include "internal.h"

#define AF_PI 3.14159265358979323846
#define AF_PER_OCT 64             /* grid points per octave */
#define AF_LO_HZ 20.0             /* the grid: 20 Hz .. */
#define AF_HI_HZ 20000.0          /* .. 20 kHz */
#define AF_JUDGE_HI_HZ 10000.0    /* full weight up to here */
#define AF_TREBLE_WEIGHT 0.1      /* weight above it */
#define AF_SMOOTH_OCT (1.0 / 12)  /* AutoEq's smoothing window */
#define AF_TREBLE_SMOOTH_OCT 2.0  /* AutoEq's treble window */
#define AF_TREBLE_BLEND_HI 14000. /* the treble window takes over from 10 kHz to here */
#define AF_RESEED_OCT (1.0 / 6)   /* smoothing of the residual where the next band goes */
#define AF_PENALTY 10.0           /* weight of the combined boost above max_gain_db */
#define AF_ANCHOR 1e-2            /* weight (relative to all points) of the EQ at 1 kHz: fixes c */
#define AF_GAIN_WEIGHT 1e-4 /* weight (relative to all points) of each band's gain squared: no large opposing bands */
#define AF_MIN_POINTS 8     /* grid points below 10 kHz the curves must share */
#define AF_PK_LO_HZ 20.0    /* peaking filters: 20 Hz .. */
#define AF_PK_HI_HZ 10000.0 /* .. 10 kHz */
#define AF_Q_MIN 0.18
#define AF_CUT_MAX_DB 20.0
#define AF_SHELF_Q 0.7
#define AF_SHELF_Q_MIN 0.4
#define AF_SHELF_Q_MAX 0.7071
#define AF_LS_HZ 105.0
#define AF_LS_LO_HZ 30.0
#define AF_LS_HI_HZ 300.0
#define AF_HS_HZ 10000.0
#define AF_HS_LO_HZ 4000.0
#define AF_HS_HI_HZ 12000.0
#define AF_ITER_STEP 60   /* LM iterations after each added band */
#define AF_ITER_FINAL 400 /* and at the end */

/* ------------------------------------------------------------------------ */
/* curves as text                                                           */
/* ------------------------------------------------------------------------ */

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Split line [p, e) into at most max fields; with semicolons present they
 * alone separate (and commas are decimal marks), else commas, tabs and
 * spaces.  Fields are copied (NUL-terminated, at most 63 chars) into f. */
#define AF_FIELDS 16
#define AF_FIELD_LEN 64
static size_t split_fields(const char *p, const char *e, char f[AF_FIELDS][AF_FIELD_LEN], int *overlong)
{
    int semi = memchr(p, ';', (size_t)(e - p)) != NULL;
    size_t n = 0;
    *overlong = 0;
    while (p < e && n < AF_FIELDS) {
        while (p < e && (is_blank(*p) || (!semi && *p == ',')))
            p++;
        if (p >= e)
            break;
        size_t k = 0;
        while (p < e && !(semi ? *p == ';' : (is_blank(*p) || *p == ','))) {
            if (k + 1 < AF_FIELD_LEN)
                f[n][k++] = (char)(semi && *p == ',' ? '.' : *p);
            else
                *overlong = 1;
            p++;
        }
        while (k > 0 && is_blank(f[n][k - 1]))
            k--;
        f[n][k] = 0;
        n++;
        if (semi && p < e)
            p++; /* the ';' */
    }
    return n;
}

/* a whole field as a number (strtod's syntax; nan and inf are numbers here,
 * refused later as not finite) */
static int field_number(const char *s, double *v)
{
    char *end;
    if (!*s)
        return -1;
    *v = strtod(s, &end);
    return *end ? -1 : 0;
}

static int name_is(const char *s, const char *want)
{
    for (; *s && *want; s++, want++)
        if (tolower((unsigned char)*s) != *want)
            return 0;
    return !*s && !*want;
}

int hpa_eq_curve_parse(const char *text, size_t len, hpa_eq_point *pts, size_t cap, size_t *n_out,
                       hpa_eq_curve_error *err)
{
    hpa_eq_curve_error dummy;
    if (!err)
        err = &dummy;
    err->line = 0, err->reason = NULL;
    if (n_out)
        *n_out = 0;
    if ((!text && len) || (!pts && cap) || !n_out) {
        err->reason = "bad arguments";
        return HPA_ERR_INVALID_ARG;
    }
    size_t n = 0, line = 0, level_col = 1;
    int header_seen = 0;
    double prev = 0.0;
    char f[AF_FIELDS][AF_FIELD_LEN];
    const char *p = text, *end = text ? text + len : NULL;
    while (p && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        line++;
        const char *s = p;
        p = nl ? nl + 1 : end;
        while (s < e && is_blank(*s))
            s++;
        if (s == e || *s == '*' || *s == '#' || *s == ';')
            continue;
        if (memchr(s, 0, (size_t)(e - s))) {
            err->line = line, err->reason = "a NUL byte: this is not a text file";
            return HPA_ERR_INVALID_ARG;
        }
        int overlong;
        size_t nf = split_fields(s, e, f, &overlong);
        double fr, db;
        if (nf == 0) { /* separators only */
            err->line = line, err->reason = "not a point (frequency and level, two numbers)";
            return HPA_ERR_INVALID_ARG;
        }
        if (field_number(f[0], &fr)) {
            if (n > 0 || header_seen) {
                err->line = line, err->reason = "not a point (frequency and level, two numbers)";
                return HPA_ERR_INVALID_ARG;
            }
            header_seen = 1; /* the header: where is the level? */
            for (size_t k = 1; k < nf; k++)
                if (name_is(f[k], "raw"))
                    level_col = k;
            continue;
        }
        if (nf <= level_col || overlong) {
            err->line = line, err->reason = nf <= level_col ? "no level (dB) after the frequency" : "a field too long";
            return HPA_ERR_INVALID_ARG;
        }
        if (field_number(f[level_col], &db)) {
            err->line = line, err->reason = "the level (dB) is not a number";
            return HPA_ERR_INVALID_ARG;
        }
        if (!isfinite(fr) || !isfinite(db)) {
            err->line = line, err->reason = "a value is not finite (NaN or infinity)";
            return HPA_ERR_INVALID_ARG;
        }
        if (!(fr > 0.0)) {
            err->line = line, err->reason = "the frequency must be above 0 Hz";
            return HPA_ERR_INVALID_ARG;
        }
        if (n > 0 && !(fr > prev)) {
            err->line = line, err->reason = fr == prev ? "the same frequency as the line before (a duplicate)"
                                                       : "the frequency is below the line before (unsorted)";
            return HPA_ERR_INVALID_ARG;
        }
        prev = fr;
        if (n < cap)
            pts[n] = (hpa_eq_point){fr, db};
        n++;
    }
    *n_out = n;
    if (n < 2) {
        err->reason = n ? "only one point: a response needs at least two" : "no points";
        return HPA_ERR_INVALID_ARG;
    }
    return n > cap ? HPA_ERR_BUFFER_TOO_SMALL : HPA_OK;
}

/* ------------------------------------------------------------------------ */
/* built-in targets (data/targets, embedded by tools/embed.c)               */
/* ------------------------------------------------------------------------ */

extern const char hpa_db_data_harman_over_ear_2018[], hpa_db_data_harman_in_ear_2019[],
    hpa_db_data_diffuse_field_5128[], hpa_db_data_diffuse_field_gras_kemar[];
extern const size_t hpa_db_data_harman_over_ear_2018_len, hpa_db_data_harman_in_ear_2019_len,
    hpa_db_data_diffuse_field_5128_len, hpa_db_data_diffuse_field_gras_kemar_len;

static const struct {
    const char *name, *about, *text;
    const size_t *len;
} targets[] = {
    {"harman-over-ear-2018", "Harman over-ear 2018, bass shelf included (AutoEq)", hpa_db_data_harman_over_ear_2018,
     &hpa_db_data_harman_over_ear_2018_len},
    {"harman-in-ear-2019", "Harman in-ear 2019 v2, bass shelf included (AutoEq)", hpa_db_data_harman_in_ear_2019,
     &hpa_db_data_harman_in_ear_2019_len},
    {"diffuse-field-5128", "diffuse field, B&K 5128 head (AutoEq)", hpa_db_data_diffuse_field_5128,
     &hpa_db_data_diffuse_field_5128_len},
    {"diffuse-field-gras-kemar", "diffuse field, GRAS KEMAR head (AutoEq)", hpa_db_data_diffuse_field_gras_kemar,
     &hpa_db_data_diffuse_field_gras_kemar_len},
};
#define AF_TARGETS (sizeof targets / sizeof targets[0])

const char *hpa_eq_target_builtin(const char *name, size_t *len)
{
    for (size_t i = 0; name && i < AF_TARGETS; i++) {
        const char *a = name, *b = targets[i].name;
        while (*a && tolower((unsigned char)*a) == *b)
            a++, b++;
        if (!*a && !*b) {
            if (len)
                *len = *targets[i].len;
            return targets[i].text;
        }
    }
    return NULL;
}

const char *hpa_eq_target_name(size_t i)
{
    return i < AF_TARGETS ? targets[i].name : NULL;
}

const char *hpa_eq_target_about(size_t i)
{
    return i < AF_TARGETS ? targets[i].about : NULL;
}

/* ------------------------------------------------------------------------ */
/* the fit                                                                  */
/* ------------------------------------------------------------------------ */

void hpa_eq_autofit_config_init(hpa_eq_autofit_config *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof *cfg);
    cfg->rate_hz = 48000.0;
    cfg->max_filters = 10;
    cfg->max_gain_db = 6.0;
    cfg->max_q = 6.0;
}

typedef struct af_work {
    size_t m;      /* grid points */
    size_t nb, np; /* bands, parameters (3 a band) */
    size_t rows;   /* residual rows: m fit, m penalty, 1 anchor */
    size_t anchor; /* grid index nearest 1 kHz */
    double rate, max_gain, wsum, gain_weight;
    double pk_hi, hs_hi;    /* upper bounds of the peaking filters' and the high shelf's frequency */
    double *f, *w, *sw, *d; /* grid, weight, its root, the curve to follow */
    hpa_eq_at *at;
    double *row;    /* nb x m: each band's dB on the grid */
    double *e;      /* m: their sum */
    double *r, *r2; /* rows */
    double *J;      /* np x rows */
    double *A, *g, *step, *x, *xt, *lo, *hi, *rowt;
    hpa_eq_band *b; /* nb */
} af_work;

static void band_from(const af_work *w, size_t k, const double *x, hpa_eq_band *out)
{
    *out = w->b[k];
    out->freq_hz = exp(x[3 * k]);
    out->gain_db = x[3 * k + 1];
    out->q = exp(x[3 * k + 2]);
}

/* band k's dB on the grid into dst */
static void band_row(const af_work *w, size_t k, const double *x, double *dst)
{
    hpa_eq_band b;
    hpa_eq_coefs c;
    band_from(w, k, x, &b);
    if (hpa_eq_design(&b, w->rate, &c, NULL) != HPA_OK) {
        for (size_t j = 0; j < w->m; j++)
            dst[j] = 0.0; /* cannot happen inside the bounds */
        return;
    }
    for (size_t j = 0; j < w->m; j++)
        dst[j] = hpa_eq_biquad_db(&c, &w->at[j]);
}

/* the residual rows for the summed response e into r; returns the cost */
static double residual(const af_work *w, const double *e, const double *x, double *r)
{
    const size_t m = w->m;
    double c = 0.0;
    for (size_t j = 0; j < m; j++)
        c += w->w[j] * (e[j] - w->d[j]);
    c /= w->wsum;
    double cost = 0.0;
    for (size_t j = 0; j < m; j++) {
        r[j] = w->sw[j] * (e[j] - w->d[j] - c);
        const double over = e[j] - w->max_gain;
        r[m + j] = over > 0.0 ? sqrt(AF_PENALTY * w->w[j]) * over : 0.0;
        cost += r[j] * r[j] + r[m + j] * r[m + j];
    }
    r[2 * m] = sqrt(AF_ANCHOR * w->wsum) * e[w->anchor];
    cost += r[2 * m] * r[2 * m];
    const double lg = sqrt(w->gain_weight * w->wsum);
    for (size_t k = 0; k < w->nb; k++) {
        r[2 * m + 1 + k] = lg * x[3 * k + 1];
        cost += r[2 * m + 1 + k] * r[2 * m + 1 + k];
    }
    return cost;
}

static void sum_rows(af_work *w)
{
    for (size_t j = 0; j < w->m; j++) {
        double s = 0.0;
        for (size_t k = 0; k < w->nb; k++)
            s += w->row[k * w->m + j];
        w->e[j] = s;
    }
}

/* Levenberg-Marquardt over every parameter of the w->nb bands, from w->x;
 * w->row, w->e and w->r follow the accepted parameters.  Returns the cost. */
static double refine(af_work *w, int iters)
{
    const size_t m = w->m, np = 3 * w->nb, R = w->rows;
    for (size_t k = 0; k < w->nb; k++)
        band_row(w, k, w->x, &w->row[k * m]);
    sum_rows(w);
    double cost = residual(w, w->e, w->x, w->r), lambda = 1e-3;
    for (int it = 0; it < iters; it++) {
        /* Jacobian by forward differences: a parameter moves one band's row */
        for (size_t p = 0; p < np; p++) {
            const size_t k = p / 3;
            const double h = (p % 3 == 1) ? 1e-4 : 1e-6;
            memcpy(w->xt, w->x, np * sizeof *w->xt);
            w->xt[p] += h;
            band_row(w, k, w->xt, w->rowt);
            for (size_t j = 0; j < m; j++)
                w->rowt[j] = w->e[j] - w->row[k * m + j] + w->rowt[j];
            double *col = &w->J[p * R];
            residual(w, w->rowt, w->xt, col);
            for (size_t i = 0; i < R; i++)
                col[i] = (col[i] - w->r[i]) / h;
        }
        for (size_t a = 0; a < np; a++) {
            double s = 0.0;
            for (size_t i = 0; i < R; i++)
                s += w->J[a * R + i] * w->r[i];
            w->g[a] = s;
        }
        /* the active set: at a bound with the descent pointing out */
        int fixed[3 * HPA_EQ_AUTOFIT_MAX_FILTERS];
        for (size_t a = 0; a < np; a++)
            fixed[a] = (w->x[a] <= w->lo[a] && w->g[a] > 0.0) || (w->x[a] >= w->hi[a] && w->g[a] < 0.0);
        int accepted = 0;
        double new_cost = cost;
        for (int tries = 0; tries < 12 && !accepted; tries++) {
            for (size_t a = 0; a < np; a++)
                for (size_t c = 0; c <= a; c++) {
                    double s = 0.0;
                    if (!fixed[a] && !fixed[c])
                        for (size_t i = 0; i < R; i++)
                            s += w->J[a * R + i] * w->J[c * R + i];
                    else if (a == c)
                        s = 1.0;
                    w->A[a * np + c] = w->A[c * np + a] = s;
                }
            for (size_t a = 0; a < np; a++) {
                w->A[a * np + a] = w->A[a * np + a] * (1.0 + lambda) + 1e-9;
                w->xt[a] = fixed[a] ? 0.0 : -w->g[a];
            }
            if (hpa_cholesky_factor(w->A, np)) {
                lambda *= 10.0;
                continue;
            }
            hpa_cholesky_back(w->A, np, w->xt, w->step);
            for (size_t a = 0; a < np; a++) {
                const double v = w->x[a] + (fixed[a] ? 0.0 : w->step[a]);
                w->xt[a] = v < w->lo[a] ? w->lo[a] : v > w->hi[a] ? w->hi[a] : v;
            }
            double *trial_rows = w->J; /* reuse: the Jacobian is rebuilt next iteration */
            for (size_t k = 0; k < w->nb; k++)
                band_row(w, k, w->xt, &trial_rows[k * m]);
            for (size_t j = 0; j < m; j++) {
                double s = 0.0;
                for (size_t k = 0; k < w->nb; k++)
                    s += trial_rows[k * m + j];
                w->rowt[j] = s;
            }
            new_cost = residual(w, w->rowt, w->xt, w->r2);
            if (new_cost < cost) {
                accepted = 1;
                memcpy(w->x, w->xt, np * sizeof *w->x);
                memcpy(w->row, trial_rows, w->nb * m * sizeof *w->row);
                memcpy(w->e, w->rowt, m * sizeof *w->e);
                memcpy(w->r, w->r2, R * sizeof *w->r);
                lambda = fmax(lambda * 0.3, 1e-9);
            } else {
                lambda *= 4.0;
                /* the Jacobian was overwritten: rebuild it before trying again */
                break;
            }
        }
        if (!accepted) {
            if (lambda > 1e8)
                break;
            continue;
        }
        const double gain = cost - new_cost;
        cost = new_cost;
        if (gain < 1e-10 * cost)
            break;
    }
    return cost;
}

/* smoothed copy of src over +-half grid points (truncated at the ends) */
static void smooth(const double *src, double *dst, size_t m, size_t half)
{
    for (size_t j = 0; j < m; j++) {
        const size_t a = j > half ? j - half : 0, b = j + half < m ? j + half : m - 1;
        double s = 0.0;
        for (size_t i = a; i <= b; i++)
            s += src[i];
        dst[j] = s / (double)(b - a + 1);
    }
}

static void set_bounds(af_work *w, size_t k, double max_q)
{
    double *lo = &w->lo[3 * k], *hi = &w->hi[3 * k];
    const hpa_eq_type t = w->b[k].type;
    const double flo = t == HPA_EQ_LSC ? AF_LS_LO_HZ : t == HPA_EQ_HSC ? AF_HS_LO_HZ : AF_PK_LO_HZ;
    const double fhi = t == HPA_EQ_LSC ? AF_LS_HI_HZ : t == HPA_EQ_HSC ? w->hs_hi : w->pk_hi;
    lo[0] = log(flo), hi[0] = log(fhi);
    lo[1] = -AF_CUT_MAX_DB, hi[1] = w->max_gain;
    if (t == HPA_EQ_PK)
        lo[2] = log(AF_Q_MIN), hi[2] = log(max_q);
    else
        lo[2] = log(AF_SHELF_Q_MIN), hi[2] = log(AF_SHELF_Q_MAX);
}

static void add_band(af_work *w, hpa_eq_type type, double fc, double gain, double q, double max_q)
{
    const size_t k = w->nb++;
    memset(&w->b[k], 0, sizeof w->b[k]);
    w->b[k].type = type;
    set_bounds(w, k, max_q);
    const double v[3] = {log(fc), gain, log(q)};
    for (int i = 0; i < 3; i++)
        w->x[3 * k + i] = v[i] < w->lo[3 * k + i]   ? w->lo[3 * k + i]
                          : v[i] > w->hi[3 * k + i] ? w->hi[3 * k + i]
                                                    : v[i];
}

/* where the next peaking filter goes: the largest smoothed residual below
 * 10 kHz, as wide as it is at half its height */
static void seed_peak(af_work *w, double *tmp, double *tmp2, double max_q)
{
    const size_t m = w->m;
    double c = 0.0;
    for (size_t j = 0; j < m; j++)
        c += w->w[j] * (w->e[j] - w->d[j]);
    c /= w->wsum;
    for (size_t j = 0; j < m; j++)
        tmp[j] = w->d[j] - w->e[j] + c;
    smooth(tmp, tmp2, m, (size_t)lround(AF_RESEED_OCT * AF_PER_OCT / 2));
    size_t best = 0;
    for (size_t j = 0; j < m; j++)
        if (w->f[j] <= w->pk_hi && fabs(tmp2[j]) > fabs(tmp2[best]))
            best = j;
    const double peak = tmp2[best];
    size_t a = best, b = best;
    while (a > 0 && tmp2[a - 1] * peak > 0.5 * peak * peak)
        a--;
    while (b + 1 < m && tmp2[b + 1] * peak > 0.5 * peak * peak)
        b++;
    const double bw = fmax(log2(w->f[b] / w->f[a]), 2.0 / AF_PER_OCT), p2 = exp2(bw);
    add_band(w, HPA_EQ_PK, w->f[best], peak, sqrt(p2) / (p2 - 1.0), max_q);
}

static double round_to(double v, double step)
{
    return round(v / step) * step;
}

int hpa_eq_autofit(const hpa_eq_point *meas, size_t n_meas, const hpa_eq_point *target, size_t n_target,
                   const hpa_eq_autofit_config *cfg, const hpa_allocator *allocator, hpa_eq_band *bands, size_t cap,
                   hpa_eq_autofit_result *res, const char **reason)
{
    const char *dummy;
    if (!reason)
        reason = &dummy;
    *reason = NULL;
    if (res)
        memset(res, 0, sizeof *res);
    if (!meas || !target || !cfg || n_meas < 2 || n_target < 2 || (!bands && cap)) {
        *reason = "bad arguments";
        return HPA_ERR_INVALID_ARG;
    }
    if (!(cfg->rate_hz >= HPA_RATE_MIN_HZ && cfg->rate_hz <= HPA_RATE_MAX_HZ)) {
        *reason = "the rate must be 8 kHz .. 768 kHz";
        return HPA_ERR_RATE;
    }
    if (cfg->max_filters < 1 || cfg->max_filters > HPA_EQ_AUTOFIT_MAX_FILTERS || !(cfg->max_gain_db >= 0.0) ||
        !(cfg->max_gain_db <= HPA_EQ_GAIN_MAX_DB) || !(cfg->max_q >= 0.5 && cfg->max_q <= 20.0) ||
        !(fabs(cfg->bass_db) <= 30.0) || !(fabs(cfg->treble_db) <= 30.0) || !(fabs(cfg->tilt_db_oct) <= 3.0)) {
        *reason = "a setting is out of its range";
        return HPA_ERR_INVALID_ARG;
    }
    for (size_t i = 0; i < n_meas; i++)
        if (!(meas[i].freq_hz > 0.0) || !isfinite(meas[i].gain_db) || (i && !(meas[i].freq_hz > meas[i - 1].freq_hz))) {
            *reason = "the measurement's frequencies must be above 0 and increasing, its levels finite";
            return HPA_ERR_INVALID_ARG;
        }
    for (size_t i = 0; i < n_target; i++)
        if (!(target[i].freq_hz > 0.0) || !isfinite(target[i].gain_db) ||
            (i && !(target[i].freq_hz > target[i - 1].freq_hz))) {
            *reason = "the target's frequencies must be above 0 and increasing, its levels finite";
            return HPA_ERR_INVALID_ARG;
        }
    if (cap < cfg->max_filters) {
        *reason = "no room for the bands";
        return HPA_ERR_BUFFER_TOO_SMALL;
    }
    const double lo = fmax(AF_LO_HZ, fmax(meas[0].freq_hz, target[0].freq_hz));
    const double hi = fmin(AF_HI_HZ, fmin(meas[n_meas - 1].freq_hz, target[n_target - 1].freq_hz));
    const double nyq = 0.5 * cfg->rate_hz;
    size_t m = 0, judged = 0;
    for (int k = 0;; k++) {
        const double f = AF_LO_HZ * exp2((double)k / AF_PER_OCT);
        if (f > AF_HI_HZ * 1.0001)
            break;
        if (f >= lo * 0.9999 && f <= hi * 1.0001 && f < 0.95 * nyq) {
            m++;
            judged += f <= AF_JUDGE_HI_HZ;
        }
    }
    if (judged < AF_MIN_POINTS) {
        *reason = "the measurement and the target share too little of 20 Hz .. 10 kHz (no overlap)";
        return HPA_ERR_INVALID_ARG;
    }

    const hpa_allocator *al = allocator ? allocator : &hpa_malloc_allocator;
    const size_t nbmax = cfg->max_filters, npmax = 3 * nbmax, R = 2 * m + 1 + nbmax;
    const size_t doubles = 9 * m + nbmax * m + 2 * R + npmax * (R > m * nbmax ? R : m * nbmax) + npmax * npmax +
                           7 * npmax + 2 * m;
    const size_t bytes = doubles * sizeof(double) + m * sizeof(hpa_eq_at) + nbmax * sizeof(hpa_eq_band);
    double *mem = al->alloc(al->user, bytes);
    if (!mem) {
        *reason = "out of memory";
        return HPA_ERR_NO_MEMORY;
    }
    af_work W = {0}, *w = &W;
    double *q = mem;
#define TAKE(ptr, count) ((ptr) = q, q += (count))
    TAKE(w->f, m), TAKE(w->w, m), TAKE(w->sw, m), TAKE(w->d, m), TAKE(w->e, m), TAKE(w->rowt, m);
    double *raw_d, *tmp, *tmp2, *fine;
    TAKE(raw_d, m), TAKE(tmp, m), TAKE(fine, m);
    TAKE(tmp2, m), TAKE(w->r2, R);
    TAKE(w->row, nbmax * m), TAKE(w->r, R);
    TAKE(w->J, npmax * (R > m * nbmax ? R : m * nbmax));
    TAKE(w->A, npmax * npmax), TAKE(w->g, npmax), TAKE(w->step, npmax), TAKE(w->x, npmax), TAKE(w->xt, npmax);
    TAKE(w->lo, npmax), TAKE(w->hi, npmax);
#undef TAKE
    w->at = (hpa_eq_at *)(void *)q;
    w->b = (hpa_eq_band *)(void *)(w->at + m);
    const int whole = cfg->whole_band != 0;
    const double judge_hi = whole ? AF_HI_HZ : AF_JUDGE_HI_HZ;
    w->gain_weight = whole ? AF_GAIN_WEIGHT * 1e-2 : AF_GAIN_WEIGHT;
    w->pk_hi = whole ? fmin(AF_HI_HZ, 0.45 * cfg->rate_hz) : AF_PK_HI_HZ;
    w->hs_hi = whole ? fmin(AF_HI_HZ, 0.45 * cfg->rate_hz) : AF_HS_HI_HZ;
    w->m = m, w->rows = R, w->rate = cfg->rate_hz, w->max_gain = cfg->max_gain_db;

    /* the grid, the curve to follow and its weights */
    const hpa_eq_band shelf[2] = {
        {.type = HPA_EQ_LSC, .freq_hz = AF_LS_HZ, .gain_db = cfg->bass_db, .q = AF_SHELF_Q},
        {.type = HPA_EQ_HSC, .freq_hz = AF_HS_HZ, .gain_db = cfg->treble_db, .q = AF_SHELF_Q}};
    /* the target's shelves at a rate where 20 kHz is far from Nyquist, so
     * that they are the same whatever rate the EQ is for */
    const double shelf_rate = 192000.0;
    size_t j = 0;
    for (int k = 0; j < m; k++) {
        const double f = AF_LO_HZ * exp2((double)k / AF_PER_OCT);
        if (!(f >= lo * 0.9999 && f <= hi * 1.0001 && f < 0.95 * nyq))
            continue;
        const double ff = fmin(fmax(f, lo), hi);
        double sh = 0.0;
        (void)hpa_eq_response_db(shelf, 2, shelf_rate, &ff, &sh, 1);
        w->f[j] = ff;
        raw_d[j] = hpa_eq_graphic_gain_db(target, n_target, ff) + sh + cfg->tilt_db_oct * log2(ff / 1000.0) -
                   hpa_eq_graphic_gain_db(meas, n_meas, ff);
        w->w[j] = ff <= judge_hi ? 1.0 : AF_TREBLE_WEIGHT;
        w->sw[j] = sqrt(w->w[j]);
        w->at[j] = hpa_eq_at_w(2.0 * AF_PI * ff / cfg->rate_hz);
        j++;
    }
    smooth(raw_d, fine, m, (size_t)lround(AF_SMOOTH_OCT * AF_PER_OCT / 2));
    smooth(raw_d, tmp, m, (size_t)lround(AF_TREBLE_SMOOTH_OCT * AF_PER_OCT / 2));
    w->wsum = 0.0;
    w->anchor = 0;
    for (j = 0; j < m; j++) {
        const double t = fmin(fmax(log2(w->f[j] / AF_JUDGE_HI_HZ) / log2(AF_TREBLE_BLEND_HI / AF_JUDGE_HI_HZ), 0.0),
                              1.0);
        w->d[j] = whole ? raw_d[j] : (1.0 - t) * fine[j] + t * tmp[j];
        w->wsum += w->w[j];
        if (fabs(log(w->f[j] / 1000.0)) < fabs(log(w->f[w->anchor] / 1000.0)))
            w->anchor = j;
    }

    /* greedy placement, refined after each band */
    const size_t n = cfg->max_filters;
    w->nb = 0;
    if (n >= 3) {
        add_band(w, HPA_EQ_LSC, AF_LS_HZ, 0.0, AF_SHELF_Q, cfg->max_q);
        add_band(w, HPA_EQ_HSC, fmin(AF_HS_HZ, 0.4 * cfg->rate_hz), 0.0, AF_SHELF_Q, cfg->max_q);
        refine(w, AF_ITER_STEP);
    } else {
        for (j = 0; j < m; j++)
            w->e[j] = 0.0;
    }
    while (w->nb < n) {
        seed_peak(w, tmp, tmp2, cfg->max_q);
        refine(w, w->nb == n ? AF_ITER_FINAL : AF_ITER_STEP);
    }

    /* out, rounded as printed and held inside the bounds */
    for (size_t k = 0; k < n; k++) {
        hpa_eq_band b;
        band_from(w, k, w->x, &b);
        b.freq_hz = round_to(b.freq_hz, 0.1);
        b.gain_db = round_to(b.gain_db, 0.1);
        if (b.gain_db > cfg->max_gain_db)
            b.gain_db = floor(cfg->max_gain_db * 10.0) / 10.0;
        b.q = round_to(b.q, 0.01);
        const double qmax = b.type == HPA_EQ_PK ? cfg->max_q : AF_SHELF_Q_MAX;
        if (b.q > qmax)
            b.q = floor(qmax * 100.0) / 100.0;
        if (b.gain_db == 0.0)
            b.gain_db = 0.0; /* no -0.0 */
        bands[k] = b;
    }
    al->free(al->user, mem);

    double peak = 0.0;
    int rc = hpa_eq_peak_db(bands, n, cfg->rate_hz, 0.0, nyq, &peak, NULL);
    if (rc == HPA_OK)
        rc = hpa_eq_bands_check(bands, n, 44100.0, NULL);
    if (rc == HPA_OK)
        rc = hpa_eq_bands_check(bands, n, HPA_RATE_MAX_HZ, NULL);
    if (rc != HPA_OK) {
        *reason = "the fit made a band that does not work at 44.1 .. 768 kHz (a bug)";
        return HPA_ERR_INVALID_ARG;
    }
    if (res) {
        res->n_bands = n;
        res->preamp_db = peak > 0.0 ? -ceil(peak * 10.0 - 1e-9) / 10.0 : 0.0;
        res->lo_hz = lo, res->hi_hz = hi;
        (void)hpa_eq_autofit_residual(meas, n_meas, target, n_target, bands, n, cfg->rate_hz, AF_LO_HZ, AF_JUDGE_HI_HZ,
                                      &res->rms_db);
        (void)hpa_eq_autofit_residual(meas, n_meas, target, n_target, NULL, 0, cfg->rate_hz, AF_LO_HZ, AF_JUDGE_HI_HZ,
                                      &res->rms_before_db);
    }
    return HPA_OK;
}

int hpa_eq_autofit_residual(const hpa_eq_point *meas, size_t n_meas, const hpa_eq_point *target, size_t n_target,
                            const hpa_eq_band *bands, size_t n_bands, double rate_hz, double lo_hz, double hi_hz,
                            double *rms_db)
{
    if (!meas || !target || !rms_db || !n_target || (!bands && n_bands))
        return HPA_ERR_INVALID_ARG;
    *rms_db = NAN;
    if (n_bands && hpa_eq_bands_check(bands, n_bands, rate_hz, NULL) != HPA_OK)
        return HPA_ERR_INVALID_ARG;
    double mean = 0.0, m2 = 0.0;
    size_t count = 0;
    for (size_t i = 0; i < n_meas; i++) {
        const double f = meas[i].freq_hz;
        if (f < lo_hz || f > hi_hz || f < target[0].freq_hz || f > target[n_target - 1].freq_hz || f >= 0.5 * rate_hz)
            continue;
        double eq = 0.0;
        if (n_bands && hpa_eq_response_db(bands, n_bands, rate_hz, &f, &eq, 1) != HPA_OK)
            return HPA_ERR_INVALID_ARG;
        const double v = meas[i].gain_db + eq - hpa_eq_graphic_gain_db(target, n_target, f);
        count++;
        const double dlt = v - mean;
        mean += dlt / (double)count;
        m2 += dlt * (v - mean);
    }
    if (count < 2)
        return HPA_ERR_INVALID_ARG;
    *rms_db = sqrt(m2 / (double)count);
    return HPA_OK;
}
