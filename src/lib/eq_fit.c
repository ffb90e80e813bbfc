/* eq_fit.c — a GraphicEQ curve realised as a bank of peaking biquads.
 *
 * The curve (hpa_eq_graphic_gain_db: linear in dB on a log-frequency axis,
 * flat beyond its end points) is approximated by
 *
 *   - a low shelf (LSC) an octave above the lower edge of the judged band
 *     (20 Hz .. min(20 kHz, 0.9 Nyquist)), which carries the flat extension
 *     below the curve's first point down to DC,
 *   - a high shelf (HSC) half an octave above the band (at most 0.95
 *     Nyquist), which carries the level towards Nyquist, and
 *   - peaking filters (PK) at fixed centres spaced evenly on a log axis from
 *     half an octave below the band up to the high shelf, each 1.5 spacings
 *     wide (in octaves),
 *
 * with the gains (the only unknowns) solved by damped Gauss-Newton least
 * squares on the dB response over a 1/48-octave grid from 1.25 Hz (plus DC
 * and Nyquist, so that nothing runs away outside the band), with each
 * biquad designed at the actual rate, so that the bilinear transform's
 * warping near Nyquist is part of the model.  The dB response of a cascade
 * is the sum of its sections' dB responses, and a peaking filter's dB
 * response is nearly proportional to its gain, so the problem is almost
 * linear: a Jacobian serves several steps and two of them suffice.
 * Spacings of 1/6, 1/8, 1/10 and 1/12 octave are tried in turn, until one
 * follows the curve within FIT_GOOD_DB, or the best so far is within
 * FIT_STOP_DB and a finer spacing does no better; the best is kept.
 *
 * A constant curve is realised exactly by a shelf pair: a low and a high
 * cookbook shelf of the same centre, gain and Q multiply to a constant
 * (A^2 = 10^(gain/20)) at every frequency, before and after the bilinear
 * transform.
 *
 * The deviation reported is measured again afterwards on a 1/192-octave
 * grid plus the curve's own points (where its slope changes), and the grid's
 * largest local maxima are refined by golden-section search.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include <hpamp/eq.h>

#include "internal.h"

#define FIT_PI 3.14159265358979323846

#define FIT_LO_HZ 20.0            /* the judged band: 20 Hz .. */
#define FIT_HI_HZ 20000.0         /* .. min(20 kHz, */
#define FIT_NYQ_FRACTION 0.9      /*        0.9 Nyquist) */
#define FIT_TOP_NYQ_FRACTION 0.95 /* the high shelf and the PKs: up to this */
#define FIT_SOLVE_PER_OCT 48      /* solving grid, points per octave */
#define FIT_CHECK_PER_OCT 192     /* reporting grid */
#define FIT_OUTSIDE_WEIGHT 0.1    /* weight of the grid above the high shelf */
#define FIT_GOOD_DB 0.05          /* a spacing that reaches this is kept */
#define FIT_STOP_DB 0.5           /* within this, a finer spacing that does no better ends the search */
#define FIT_BW_FACTOR 1.5         /* a PK's bandwidth in spacings */
#define FIT_SHELF_Q 0.70710678118654752440
#define FIT_DIFF_DB 1e-3 /* step of the numerical derivative */
#define FIT_DAMPING 1e-4 /* Levenberg damping, relative to the diagonal */

static const int spacings_per_oct[] = {6, 8, 10, 12};
#define FIT_LAYOUTS (sizeof spacings_per_oct / sizeof spacings_per_oct[0])

/* |H|^2 of a biquad at a frequency given by cos/sin of w and 2w */
typedef struct trig4 {
    double c1, s1, c2, s2;
} trig4;

static double power_at(const hpa_eq_coefs *c, const trig4 *t)
{
    const double nr = c->b0 + c->b1 * t->c1 + c->b2 * t->c2, ni = c->b1 * t->s1 + c->b2 * t->s2;
    const double dr = 1.0 + c->a1 * t->c1 + c->a2 * t->c2, di = c->a1 * t->s1 + c->a2 * t->s2;
    return (nr * nr + ni * ni) / (dr * dr + di * di);
}

static trig4 trig_of(double f, double rate)
{
    const double w = 2.0 * FIT_PI * f / rate;
    return (trig4){cos(w), sin(w), cos(2.0 * w), sin(2.0 * w)};
}

/* The layout: shelves first, then the PKs upwards.  The low shelf is
 * centred an octave above the judged band's lower edge, inside the PKs'
 * span: below it the shelf alone holds the curve's first level down to DC,
 * and its transition is shaped by PKs on both sides.  (Centred below the
 * PKs instead, its transition had no PK to correct it, and the lowest PK
 * overshot by a few dB.)  The PKs start half an octave below the band and
 * end at `top`, where the high shelf is centred: half an octave above the
 * band where the rate leaves room, at most 0.95 Nyquist. */
#define FIT_PK_BELOW_OCT 0.5
#define FIT_LSC_ABOVE_OCT 1.0

static size_t layout_count(double lo, double top, int per_oct)
{
    return 2 + (size_t)floor((log2(top / lo) + FIT_PK_BELOW_OCT) * per_oct + 1e-9) + 1;
}

static void layout(double lo, double top, int per_oct, hpa_eq_band *b, size_t n)
{
    memset(b, 0, n * sizeof *b);
    b[0].type = HPA_EQ_LSC, b[0].freq_hz = lo * exp2(FIT_LSC_ABOVE_OCT), b[0].q = FIT_SHELF_Q;
    b[1].type = HPA_EQ_HSC, b[1].freq_hz = top, b[1].q = FIT_SHELF_Q;
    const double first = lo * exp2(-FIT_PK_BELOW_OCT);
    for (size_t k = 2; k < n; k++) {
        b[k].type = HPA_EQ_PK;
        b[k].freq_hz = first * exp2((double)(k - 2) / per_oct);
        if (b[k].freq_hz > top)
            b[k].freq_hz = top;
        b[k].bw_oct = FIT_BW_FACTOR / per_oct;
    }
}

/* Cholesky factorisation and solve (internal.h; eq_auto.c uses them too) */
int hpa_cholesky_factor(double *A, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        double d = A[j * n + j];
        for (size_t k = 0; k < j; k++)
            d -= A[j * n + k] * A[j * n + k];
        if (!(d > 0.0))
            return -1;
        d = sqrt(d);
        A[j * n + j] = d;
        for (size_t i = j + 1; i < n; i++) {
            double s = A[i * n + j];
            for (size_t k = 0; k < j; k++)
                s -= A[i * n + k] * A[j * n + k];
            A[i * n + j] = s / d;
        }
    }
    return 0;
}

void hpa_cholesky_back(const double *L, size_t n, const double *y, double *x)
{
    for (size_t i = 0; i < n; i++) {
        double s = y[i];
        for (size_t k = 0; k < i; k++)
            s -= L[i * n + k] * x[k];
        x[i] = s / L[i * n + i];
    }
    for (size_t i = n; i-- > 0;) {
        double s = x[i];
        for (size_t k = i + 1; k < n; k++)
            s -= L[k * n + i] * x[k];
        x[i] = s / L[i * n + i];
    }
}

/* working memory of one solve */
typedef struct fit_work {
    size_t m, nmax;
    double *weight, *target, *model, *resid;
    trig4 *trig;
    double *prod; /* m: a product of powers */
    double *J;    /* nmax x m: each band's d(dB)/d(gain) */
    double *A;    /* nmax x nmax */
    double *rhs, *step, *gains, *trial;
} fit_work;

static double weighted_cost(const fit_work *w, const double *resid)
{
    double s = 0.0;
    for (size_t j = 0; j < w->m; j++)
        s += w->weight[j] * resid[j] * resid[j];
    return s;
}

/* model and residual for gains g: the dB of the product of the sections'
 * powers, a logarithm per group of 8 sections (|gain| <= 30 dB each, so
 * the product stays far from overflow) */
static void evaluate(fit_work *w, hpa_eq_band *b, size_t n, const double *g, double rate, double *resid)
{
    for (size_t j = 0; j < w->m; j++)
        w->model[j] = 0.0, w->prod[j] = 1.0;
    for (size_t k = 0; k < n; k++) {
        b[k].gain_db = g[k];
        hpa_eq_coefs c;
        if (hpa_eq_design(&b[k], rate, &c, NULL) == HPA_OK)
            for (size_t j = 0; j < w->m; j++)
                w->prod[j] *= power_at(&c, &w->trig[j]);
        if (k % 8 == 7 || k + 1 == n)
            for (size_t j = 0; j < w->m; j++)
                w->model[j] += 10.0 * log10(w->prod[j]), w->prod[j] = 1.0;
    }
    for (size_t j = 0; j < w->m; j++)
        resid[j] = w->model[j] - w->target[j];
}

static double clamp_gain(double g)
{
    return g > HPA_EQ_GAIN_MAX_DB ? HPA_EQ_GAIN_MAX_DB : g < -HPA_EQ_GAIN_MAX_DB ? -HPA_EQ_GAIN_MAX_DB : g;
}

/* The Jacobian (each band's d(dB)/d(gain) on the grid, by central
 * differences, one-sided at the gain limits) at the gains g. */
static void jacobian(fit_work *w, const hpa_eq_band *b, size_t n, const double *g, double rate)
{
    for (size_t k = 0; k < n; k++) {
        double *jk = &w->J[k * w->m];
        hpa_eq_band t = b[k];
        const double up = clamp_gain(g[k] + FIT_DIFF_DB), down = clamp_gain(g[k] - FIT_DIFF_DB);
        hpa_eq_coefs cu, cd;
        t.gain_db = up;
        const int ok = hpa_eq_design(&t, rate, &cu, NULL) == HPA_OK;
        t.gain_db = down;
        if (!ok || hpa_eq_design(&t, rate, &cd, NULL) != HPA_OK) { /* cannot happen: valid by construction */
            memset(jk, 0, w->m * sizeof *jk);
            continue;
        }
        for (size_t j = 0; j < w->m; j++)
            jk[j] = 10.0 * log10(power_at(&cu, &w->trig[j]) / power_at(&cd, &w->trig[j])) / (up - down);
    }
}

/* A = J^T W J (n x n) */
static void normal_matrix(fit_work *w, size_t n)
{
    for (size_t a = 0; a < n; a++) {
        const double *ja = &w->J[a * w->m];
        for (size_t c = 0; c <= a; c++) {
            const double *jc = &w->J[c * w->m];
            double s = 0.0;
            for (size_t j = 0; j < w->m; j++)
                s += w->weight[j] * ja[j] * jc[j];
            w->A[a * n + c] = w->A[c * n + a] = s;
        }
    }
}

/* Damped Gauss-Newton on the gains of the n bands in b (layout fixed).  The
 * dB response is almost linear in the gains, so a Jacobian serves several
 * steps (the chord method); it is recomputed FIT_OUTER times, and a step
 * that does not lower the cost is halved. */
#define FIT_OUTER 2
#define FIT_INNER 6

static void solve_gains(fit_work *w, hpa_eq_band *b, size_t n, double rate)
{
    double *g = w->gains;
    for (size_t k = 0; k < n; k++)
        g[k] = 0.0;
    evaluate(w, b, n, g, rate, w->resid);
    double cost = weighted_cost(w, w->resid);
    for (int outer = 0; outer < FIT_OUTER; outer++) {
        jacobian(w, b, n, g, rate);
        normal_matrix(w, n);
        /* a little Levenberg damping keeps the overlapping bells from
         * trading large opposite gains */
        for (size_t a = 0; a < n; a++)
            w->A[a * n + a] = w->A[a * n + a] * (1.0 + FIT_DAMPING) + 1e-12;
        if (hpa_cholesky_factor(w->A, n))
            break;
        int moved_any = 0;
        for (int inner = 0; inner < FIT_INNER; inner++) {
            for (size_t a = 0; a < n; a++) {
                const double *ja = &w->J[a * w->m];
                double s = 0.0;
                for (size_t j = 0; j < w->m; j++)
                    s += w->weight[j] * ja[j] * w->resid[j];
                w->rhs[a] = -s;
            }
            hpa_cholesky_back(w->A, n, w->rhs, w->step);
            double scale = 1.0, moved = 0.0;
            int ok = 0;
            for (int half = 0; half < 8 && !ok; half++, scale *= 0.5) { // NOLINT(cert-flp30-c): counted by half
                for (size_t k = 0; k < n; k++)
                    w->trial[k] = clamp_gain(g[k] + scale * w->step[k]);
                evaluate(w, b, n, w->trial, rate, w->resid);
                const double c2 = weighted_cost(w, w->resid);
                if (c2 < cost) {
                    for (size_t k = 0; k < n; k++) {
                        moved = fmax(moved, fabs(w->trial[k] - g[k]));
                        g[k] = w->trial[k];
                    }
                    cost = c2;
                    ok = 1;
                }
            }
            if (!ok) {
                evaluate(w, b, n, g, rate, w->resid); /* back to the best */
                break;
            }
            moved_any = 1;
            if (moved < 1e-6)
                break;
        }
        if (!moved_any)
            break;
    }
    for (size_t k = 0; k < n; k++)
        b[k].gain_db = g[k];
}

/* ---- the deviation, measured again ---- */

typedef struct judge {
    const hpa_eq_point *pts;
    size_t n_pts;
    const hpa_eq_coefs *coefs;
    size_t n_bands;
    double rate;
} judge;

static double deviation_at(const judge *J, double f)
{
    const trig4 t = trig_of(f, J->rate);
    double db = 0.0, prod = 1.0;
    for (size_t k = 0; k < J->n_bands; k++) {
        prod *= power_at(&J->coefs[k], &t);
        if (k % 8 == 7 || k + 1 == J->n_bands)
            db += 10.0 * log10(prod), prod = 1.0;
    }
    return db - hpa_eq_graphic_gain_db(J->pts, J->n_pts, f);
}

/* the largest |deviation| in [a, b] near a grid maximum, by golden section on log f */
static double refine(const judge *J, double a, double b, double *at)
{
    const double r = 0.61803398874989484820;
    double x0 = log(a), x3 = log(b);
    double x1 = x3 - r * (x3 - x0), x2 = x0 + r * (x3 - x0);
    double f1 = fabs(deviation_at(J, exp(x1))), f2 = fabs(deviation_at(J, exp(x2)));
    for (int i = 0; i < 40; i++) {
        if (f1 >= f2) {
            x3 = x2, x2 = x1, f2 = f1;
            x1 = x3 - r * (x3 - x0);
            f1 = fabs(deviation_at(J, exp(x1)));
        } else {
            x0 = x1, x1 = x2, f1 = f2;
            x2 = x0 + r * (x3 - x0);
            f2 = fabs(deviation_at(J, exp(x2)));
        }
    }
    *at = f1 >= f2 ? exp(x1) : exp(x2);
    return f1 >= f2 ? f1 : f2;
}

/* max and RMS |deviation| over [lo, hi] */
static int measure(const hpa_eq_point *pts, size_t n_pts, const hpa_eq_band *bands, size_t n_bands, double rate,
                   double lo, double hi, const hpa_allocator *al, double *max_db, double *max_hz, double *rms_db)
{
    hpa_eq_coefs *coefs = n_bands ? al->alloc(al->user, n_bands * sizeof *coefs) : NULL;
    if (n_bands && !coefs)
        return HPA_ERR_NO_MEMORY;
    for (size_t k = 0; k < n_bands; k++)
        if (hpa_eq_design(&bands[k], rate, &coefs[k], NULL) != HPA_OK)
            coefs[k] = (hpa_eq_coefs){1.0, 0.0, 0.0, 0.0, 0.0};
    const judge J = {pts, n_pts, coefs, n_bands, rate};
    const double oct = log2(hi / lo);
    const size_t m = (size_t)ceil(oct * FIT_CHECK_PER_OCT);
    double best = -1.0, best_hz = lo, sum = 0.0;
    double prev2 = -1.0, prev = -1.0, fprev2 = lo, fprev = lo;
    /* the log grid, with the curve's points (where its slope changes)
     * merged in; each local maximum of the grid is refined */
    size_t p = 0;
    while (p < n_pts && pts[p].freq_hz <= lo)
        p++;
    for (size_t j = 0; j <= m;) {
        const double fg = j == m ? hi : lo * exp2(oct * (double)j / (double)m);
        double f;
        int on_grid;
        if (p < n_pts && pts[p].freq_hz < fg && pts[p].freq_hz < hi) {
            f = pts[p++].freq_hz, on_grid = 0;
        } else {
            f = fg, on_grid = 1;
            if (p < n_pts && pts[p].freq_hz == fg)
                p++;
            j++;
        }
        const double d = fabs(deviation_at(&J, f));
        if (on_grid)
            sum += d * d;
        if (d > best)
            best = d, best_hz = f;
        if (prev >= prev2 && prev >= d && prev >= 0.5 * best && prev2 >= 0.0) {
            double at;
            const double v = refine(&J, fprev2, f, &at);
            if (v > best)
                best = v, best_hz = at;
        }
        prev2 = prev, fprev2 = fprev;
        prev = d, fprev = f;
    }
    if (coefs)
        al->free(al->user, coefs);
    *max_db = best;
    *max_hz = best_hz;
    *rms_db = sqrt(sum / (double)(m + 1));
    return HPA_OK;
}

static int fit_constant(double gain, double lo, double hi, hpa_eq_band *bands, size_t cap, hpa_eq_fit_result *res)
{
    if (gain == 0.0) {
        res->n_bands = 0;
        return HPA_OK;
    }
    res->n_bands = 2;
    if (cap < 2)
        return HPA_ERR_BUFFER_TOO_SMALL;
    const double f = sqrt(lo * hi);
    bands[0] = (hpa_eq_band){.type = HPA_EQ_LSC, .freq_hz = f, .gain_db = gain, .q = FIT_SHELF_Q};
    bands[1] = (hpa_eq_band){.type = HPA_EQ_HSC, .freq_hz = f, .gain_db = gain, .q = FIT_SHELF_Q};
    return HPA_OK;
}

/* where the PKs end and the high shelf sits: half an octave above the
 * judged band, within 0.9 Nyquist */
static double fit_top(double hi, double nyq)
{
    return fmin(hi * 1.41421356237309504880, FIT_TOP_NYQ_FRACTION * nyq);
}

size_t hpa_eq_fit_graphic_max_bands(double rate_hz)
{
    if (!(rate_hz >= (double)HPA_RATE_MIN_HZ && rate_hz <= (double)HPA_RATE_MAX_HZ))
        return 0;
    const double hi = fmin(FIT_HI_HZ, FIT_NYQ_FRACTION * 0.5 * rate_hz);
    return layout_count(FIT_LO_HZ, fit_top(hi, 0.5 * rate_hz), spacings_per_oct[FIT_LAYOUTS - 1]);
}

int hpa_eq_fit_graphic(const hpa_eq_point *pts, size_t n, double rate_hz, const hpa_allocator *allocator,
                       hpa_eq_band *bands, size_t cap, hpa_eq_fit_result *res)
{
    hpa_eq_fit_result dummy;
    if (!res)
        res = &dummy;
    memset(res, 0, sizeof *res);
    if (!pts || n == 0 || (cap > 0 && !bands))
        return HPA_ERR_INVALID_ARG;
    if (!(rate_hz >= (double)HPA_RATE_MIN_HZ && rate_hz <= (double)HPA_RATE_MAX_HZ))
        return HPA_ERR_RATE;
    for (size_t i = 0; i < n; i++)
        if (!(pts[i].freq_hz > 0.0) || !isfinite(pts[i].freq_hz) || !isfinite(pts[i].gain_db) ||
            (i > 0 && !(pts[i].freq_hz > pts[i - 1].freq_hz)))
            return HPA_ERR_INVALID_ARG;
    const hpa_allocator *al = allocator ? allocator : &hpa_malloc_allocator;
    const double nyq = 0.5 * rate_hz;
    size_t kept = 0;
    while (kept < n && pts[kept].freq_hz < nyq)
        kept++;
    const double lo = FIT_LO_HZ, hi = fmin(FIT_HI_HZ, FIT_NYQ_FRACTION * nyq);
    res->points_used = kept;
    res->points_ignored = n - kept;
    res->lo_hz = lo;
    res->hi_hz = hi;

    int constant = 1;
    for (size_t i = 1; i < kept; i++)
        if (pts[i].gain_db != pts[0].gain_db)
            constant = 0;
    const double c = kept ? pts[0].gain_db : 0.0;
    if (constant && fabs(c) <= HPA_EQ_GAIN_MAX_DB) {
        int rc = fit_constant(c, lo, hi, bands, cap, res);
        if (rc != HPA_OK)
            return rc;
        return measure(pts, kept, bands, res->n_bands, rate_hz, lo, hi, al, &res->max_dev_db, &res->max_dev_hz,
                       &res->rms_dev_db);
    }

    /* the solving grid: DC, then a log grid from four octaves below the
     * judged band (where the curve is flat: the low shelf must hold it down
     * to DC) to `top`, weighted less from there to 0.97 Nyquist, and Nyquist */
    const double top = fit_top(hi, nyq);
    const double glo = lo / 16.0, ghi = fmax(top, 0.97 * nyq);
    const double goct = log2(ghi / glo);
    const size_t mlog = (size_t)ceil(goct * FIT_SOLVE_PER_OCT) + 1;
    fit_work w;
    memset(&w, 0, sizeof w);
    w.m = mlog + 2;
    w.nmax = layout_count(lo, top, spacings_per_oct[FIT_LAYOUTS - 1]);
    const size_t m = w.m, nm = w.nmax;
    const size_t doubles = 5 * m + nm * m + nm * nm + 4 * nm;
    const size_t bytes = doubles * sizeof(double) + m * sizeof(trig4) + 2 * nm * sizeof(hpa_eq_band);
    unsigned char *mem = al->alloc(al->user, bytes);
    if (!mem)
        return HPA_ERR_NO_MEMORY;
    double *d = (double *)mem;
    w.trig = (trig4 *)d;
    d += 4 * m;
    w.weight = d, d += m;
    w.target = d, d += m;
    w.model = d, d += m;
    w.resid = d, d += m;
    w.prod = d, d += m;
    w.J = d, d += nm * m;
    w.A = d, d += nm * nm;
    w.rhs = d, d += nm;
    w.step = d, d += nm;
    w.gains = d, d += nm;
    w.trial = d, d += nm;
    hpa_eq_band *cand = (hpa_eq_band *)d, *best = cand + nm;
    for (size_t j = 0; j < m; j++) {
        const double f = j == 0 ? 0.0 : j == m - 1 ? nyq : glo * exp2(goct * (double)(j - 1) / (double)(mlog - 1));
        w.trig[j] = trig_of(f, rate_hz);
        w.weight[j] = f <= top ? 1.0 : FIT_OUTSIDE_WEIGHT;
        w.target[j] = hpa_eq_graphic_gain_db(pts, kept, f);
    }

    int rc = HPA_OK;
    size_t best_n = 0;
    double best_max = HUGE_VAL;
    for (size_t L = 0; L < FIT_LAYOUTS; L++) {
        const size_t nb = layout_count(lo, top, spacings_per_oct[L]);
        layout(lo, top, spacings_per_oct[L], cand, nb);
        solve_gains(&w, cand, nb, rate_hz);
        double mx, mhz, rms;
        rc = measure(pts, kept, cand, nb, rate_hz, lo, hi, al, &mx, &mhz, &rms);
        if (rc != HPA_OK)
            break;
        if (!(mx < best_max) && best_max <= FIT_STOP_DB)
            break; /* close, and finer spacing stopped paying */
        if (!(mx < best_max))
            continue;
        best_max = mx, best_n = nb;
        memcpy(best, cand, nb * sizeof *cand);
        res->max_dev_db = mx, res->max_dev_hz = mhz, res->rms_dev_db = rms;
        if (mx <= FIT_GOOD_DB)
            break;
    }
    if (rc == HPA_OK) {
        res->n_bands = best_n;
        res->n_peaking = best_n - 2;
        if (cap < best_n)
            rc = HPA_ERR_BUFFER_TOO_SMALL;
        else
            memcpy(bands, best, best_n * sizeof *best);
    }
    al->free(al->user, mem);
    return rc;
}
