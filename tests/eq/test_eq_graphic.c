/* test_eq_graphic.c — a GraphicEQ curve fitted with peaking biquads
 * (hpa_eq_fit_graphic, src/lib/eq_fit.c).
 *
 * Every response here is *measured*: the fitted bands go into an hpa_eq
 * processor, an impulse goes through hpa_eq_process, and FFTW gives the
 * spectrum of the impulse response (long enough to have decayed below
 * -140 dB); a frequency between two bins takes the dB of the nearer bins
 * interpolated linearly (bins at most 0.05 Hz apart).  Nothing below uses
 * hpa_eq_response or the fitter's own numbers as a truth.
 *
 * 1. AutoEq truth (data/, MIT): AutoEq's computed `parametric_eq` column of
 *    parametric_eq.csv (HD 600, HD 650), sampled -- linear in dB on a log-f
 *    axis -- at AutoEq's 127 GraphicEQ frequencies and written as AutoEq
 *    writes a GraphicEQ line (integer Hz, gains to 0.1 dB), parsed by
 *    hpa_eq_parse, fitted at 44.1, 48 and 96 kHz; the measured response
 *    must match the CSV column at every row from 20 Hz to 20 kHz.
 * 2. Honesty: for seeded random curves (smooth, steps, narrow notches,
 *    sparse random points) the fitter's reported max deviation equals the
 *    one measured here on a 1/384-octave grid plus the curve's points
 *    (where its slope changes) within 0.02 dB; every band is valid; the
 *    measured response nowhere from DC to Nyquist rises more than 0.1 dB
 *    (AutoEq curves) or 1 dB plus the reported deviation (random curves)
 *    above the curve's highest point -- the fit costs no headroom.
 * 3. Special curves: flat gives 0 bands; a constant (also a single point)
 *    is exact within 0.01 dB from DC to Nyquist; at 8 kHz the points at or
 *    above Nyquist are counted as ignored and the rest is followed.
 * 4. Errors: n = 0, NULL, a bad rate, frequencies not increasing, a cap
 *    too small (the count needed comes back and is enough).
 */
#include <fftw3.h>

#include "eqtest.h"

#define MAX_ROWS 1024
#define AUTOEQ_POINTS 127

/* AutoEq's GraphicEQ frequencies: 20 Hz times 1.0563^k, k = 0..126, rounded
 * to integers (autoeq/constants.py, GRAPHIC_EQ_STEP = 1.0563; its
 * GraphicEQ.txt files list exactly these, from 20 to 19871 Hz). */
static const int autoeq_freqs[AUTOEQ_POINTS] = {
    20,   21,   22,    24,    25,    26,    28,    29,    31,    33,    35,    37,    39,    41,    43,   45,
    48,   51,   54,    57,    60,    63,    67,    70,    74,    79,    83,    88,    93,    98,    103,  109,
    115,  122,  129,   136,   144,   152,   160,   169,   179,   189,   200,   211,   223,   235,   248,  262,
    277,  293,  309,   327,   345,   365,   385,   407,   430,   454,   479,   506,   535,   565,   597,  630,
    666,  703,  743,   785,   829,   876,   925,   977,   1032,  1090,  1152,  1216,  1285,  1357,  1434, 1514,
    1600, 1690, 1785,  1885,  1991,  2104,  2222,  2347,  2479,  2619,  2766,  2922,  3086,  3260,  3444, 3638,
    3842, 4059, 4287,  4529,  4784,  5053,  5337,  5638,  5955,  6291,  6645,  7019,  7414,  7831,  8272, 8738,
    9230, 9750, 10299, 10878, 11491, 12138, 12821, 13543, 14306, 15111, 15962, 16860, 17810, 18812, 19871};

static const char *const phones[] = {"sennheiser-hd-600", "sennheiser-hd-650"};

/* ---- measurement: impulse through hpa_eq_process, FFTW ---- */

typedef struct spectrum {
    double rate;
    size_t n;   /* FFT length */
    double *db; /* n/2 + 1 bins */
} spectrum;

static size_t fft_len(double rate)
{
    size_t n = 1;
    while ((double)n < rate * 23.0) /* ~23 s: bins 0.043 Hz apart and a decayed response */
        n <<= 1;
    return n;
}

static int measure(const hpa_eq_band *bands, size_t nb, double rate, spectrum *sp)
{
    sp->rate = rate;
    sp->n = fft_len(rate);
    sp->db = NULL;
    const size_t n = sp->n;
    double *x = fftw_malloc(n * sizeof *x);
    fftw_complex *X = fftw_malloc((n / 2 + 1) * sizeof *X);
    if (!x || !X) {
        fftw_free(x);
        fftw_free(X);
        return 0;
    }
    memset(x, 0, n * sizeof *x);
    x[0] = 1.0;
    hpa_eq_config cfg;
    hpa_eq_config_init(&cfg);
    cfg.rate_hz = rate;
    cfg.channels = 1;
    hpa_eq *eq = NULL;
    int ok = 1;
    if (nb > 0) {
        hpa_eq_fault fault;
        ok = et_ok("hpa_eq_create with the fitted bands", hpa_eq_create(&cfg, bands, nb, &fault, &eq));
        if (ok)
            ok = et_ok("hpa_eq_process", hpa_eq_process(eq, x, n));
        hpa_eq_destroy(eq);
    }
    if (ok) {
        fftw_plan p = fftw_plan_dft_r2c_1d((int)n, x, X, FFTW_ESTIMATE);
        fftw_execute(p);
        fftw_destroy_plan(p);
        sp->db = malloc((n / 2 + 1) * sizeof *sp->db);
        for (size_t k = 0; sp->db && k <= n / 2; k++)
            sp->db[k] = 10.0 * log10(X[k][0] * X[k][0] + X[k][1] * X[k][1]);
    }
    fftw_free(x);
    fftw_free(X);
    return sp->db != NULL;
}

static double spectrum_db(const spectrum *sp, double f)
{
    const double pos = f * (double)sp->n / sp->rate;
    size_t k = (size_t)floor(pos);
    if (k >= sp->n / 2)
        return sp->db[sp->n / 2];
    const double t = pos - (double)k;
    return sp->db[k] + t * (sp->db[k + 1] - sp->db[k]);
}

/* the band this test judges: 20 Hz .. min(20 kHz, 0.9 Nyquist) (as documented) */
static double judged_hi(double rate)
{
    return fmin(20000.0, 0.45 * rate);
}

/* max |measured - curve| on a 1/384-octave grid over the judged band plus
 * the curve's points inside it */
static double measured_max_dev(const spectrum *sp, const hpa_eq_point *pts, size_t n_used, double *at)
{
    const double lo = 20.0, hi = judged_hi(sp->rate);
    const int m = (int)ceil(log2(hi / lo) * 384.0);
    double best = 0.0;
    for (int j = 0; j <= m; j++) {
        const double f = lo * pow(hi / lo, (double)j / m);
        const double d = fabs(spectrum_db(sp, f) - hpa_eq_graphic_gain_db(pts, n_used, f));
        if (d > best)
            best = d, *at = f;
    }
    for (size_t i = 0; i < n_used; i++) {
        const double f = pts[i].freq_hz;
        if (f < lo || f > hi)
            continue;
        const double d = fabs(spectrum_db(sp, f) - hpa_eq_graphic_gain_db(pts, n_used, f));
        if (d > best)
            best = d, *at = f;
    }
    return best;
}

/* the largest measured gain over every bin, DC to Nyquist, above the
 * curve's largest point: what the fit costs in headroom */
static double overshoot(const spectrum *sp, const hpa_eq_point *pts, size_t n)
{
    double top = pts[0].gain_db, peak = -HUGE_VAL, at = 0.0;
    for (size_t i = 1; i < n; i++)
        top = fmax(top, pts[i].gain_db);
    for (size_t k = 0; k <= sp->n / 2; k++)
        if (sp->db[k] > peak)
            peak = sp->db[k], at = (double)k * sp->rate / (double)sp->n;
    et_note("measured peak %+.3f dB at %.1f Hz; the curve's highest point %+.3f dB", peak, at, top);
    return peak - top;
}

static int bands_valid(const hpa_eq_band *b, size_t n, double rate)
{
    if (hpa_eq_bands_check(b, n, rate, NULL) != HPA_OK)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (!(fabs(b[k].gain_db) <= 30.0))
            return 0;
    return 1;
}

/* fit into a malloc'd array of the documented worst-case size */
static hpa_eq_band *fit(const hpa_eq_point *pts, size_t n, double rate, hpa_eq_fit_result *res, int *rc)
{
    const size_t cap = hpa_eq_fit_graphic_max_bands(rate);
    hpa_eq_band *b = calloc(cap ? cap : 1, sizeof *b);
    *rc = hpa_eq_fit_graphic(pts, n, rate, NULL, b, cap, res);
    return b;
}

/* ---- 1. AutoEq truth ---- */

/* the CSV column at f, linear in dB on a log-f axis, flat beyond its ends */
static double csv_at(const double *freq, const double *peq, size_t rows, double f)
{
    if (f <= freq[0])
        return peq[0];
    for (size_t i = 1; i < rows; i++)
        if (f <= freq[i]) {
            const double t = log(f / freq[i - 1]) / log(freq[i] / freq[i - 1]);
            return peq[i - 1] + t * (peq[i] - peq[i - 1]);
        }
    return peq[rows - 1];
}

static void check_autoeq(const char *dir, const char *phone)
{
    char path[1024], name[160];
    static double freq[MAX_ROWS], peq[MAX_ROWS];
    snprintf(path, sizeof path, "%s/%s/parametric_eq.csv", dir, phone);
    const size_t rows = et_read_autoeq_csv(path, freq, peq, MAX_ROWS);
    if (!et_true("read parametric_eq.csv: 695 rows", rows == 695))
        return;
    /* the GraphicEQ line as AutoEq writes it */
    static char text[8192];
    size_t len = (size_t)snprintf(text, sizeof text, "GraphicEQ: ");
    for (int i = 0; i < AUTOEQ_POINTS; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%s%d %.1f", i ? "; " : "", autoeq_freqs[i],
                                csv_at(freq, peq, rows, autoeq_freqs[i]));
    text[len++] = '\n';
    static const double rates[] = {44100.0, 48000.0, 96000.0};
    for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
        const double rate = rates[r];
        hpa_eq_point pts[AUTOEQ_POINTS];
        hpa_eq_doc doc = {.points = pts, .points_capacity = AUTOEQ_POINTS};
        hpa_eq_diag items[4];
        hpa_eq_diags diags = {.items = items, .capacity = 4};
        if (!et_ok("hpa_eq_parse the GraphicEQ line", hpa_eq_parse(text, len, rate, &doc, &diags)))
            return;
        et_true("127 points, no bands, no diagnostics", doc.n_points == 127 && doc.n_bands == 0 && !diags.count);
        hpa_eq_fit_result res;
        int rc;
        hpa_eq_band *b = fit(pts, doc.n_points, rate, &res, &rc);
        snprintf(name, sizeof name, "%s @ %.0f Hz: fit", phone, rate);
        et_ok(name, rc);
        snprintf(name, sizeof name, "%s @ %.0f Hz: bands valid, |gain| <= 30 dB", phone, rate);
        et_true(name, rc == HPA_OK && bands_valid(b, res.n_bands, rate));
        spectrum sp;
        if (rc == HPA_OK && measure(b, res.n_bands, rate, &sp)) {
            double worst = 0.0, worst_hz = 0.0, sum = 0.0;
            size_t cnt = 0;
            for (size_t i = 0; i < rows; i++) {
                if (freq[i] < 20.0 || freq[i] > 20000.0)
                    continue;
                const double d = fabs(spectrum_db(&sp, freq[i]) - peq[i]);
                sum += d * d, cnt++;
                if (d > worst)
                    worst = d, worst_hz = freq[i];
            }
            et_note("%zu bands (%zu PK); fitter's own max %.3f dB at %.0f Hz, rms %.3f dB", res.n_bands, res.n_peaking,
                    res.max_dev_db, res.max_dev_hz, res.rms_dev_db);
            double floor_db = 0.0, floor_hz = 0.0; /* how far the 127-point curve itself is from the column */
            for (size_t i = 0; i < rows; i++) {
                const double d = fabs(hpa_eq_graphic_gain_db(pts, doc.n_points, freq[i]) - peq[i]);
                if (freq[i] >= 20.0 && freq[i] <= 20000.0 && d > floor_db)
                    floor_db = d, floor_hz = freq[i];
            }
            et_note("vs AutoEq's column: max at %.0f Hz, rms %.3f dB; the curve itself is off by up to %.3f dB "
                    "(at %.0f Hz)",
                    worst_hz, sqrt(sum / (double)cnt), floor_db, floor_hz);
            snprintf(name, sizeof name, "%s @ %.0f Hz: measured vs AutoEq, 20 Hz..20 kHz", phone, rate);
            et_le(name, worst, 0.2, "dB");
            snprintf(name, sizeof name, "%s @ %.0f Hz: peak DC..Nyquist above the curve's max", phone, rate);
            et_le(name, overshoot(&sp, pts, doc.n_points), 0.1, "dB");
            free(sp.db);
        }
        free(b);
    }
}

/* ---- 2. honesty on random curves ---- */

static size_t random_curve(uint64_t *s, int kind, hpa_eq_point *pts)
{
    size_t n = 0;
    switch (kind) {
    case 0: { /* smooth: a few broad bumps on the AutoEq grid */
        double c[4], w[4], g[4];
        for (int k = 0; k < 4; k++) {
            c[k] = log2(30.0) + et_uniform(s) * (log2(16000.0) - log2(30.0));
            w[k] = 0.3 + 2.0 * et_uniform(s);
            g[k] = -12.0 + 24.0 * et_uniform(s);
        }
        const double tilt = -3.0 + 6.0 * et_uniform(s);
        for (int i = 0; i < AUTOEQ_POINTS; i++) {
            const double x = log2(autoeq_freqs[i]);
            double v = tilt * (x - 10.0) / 10.0;
            for (int k = 0; k < 4; k++)
                v += g[k] * exp(-0.5 * (x - c[k]) * (x - c[k]) / (w[k] * w[k]));
            pts[n++] = (hpa_eq_point){autoeq_freqs[i], round(v * 10.0) / 10.0};
        }
        break;
    }
    case 1: { /* steps: a staircase of 2..5 levels */
        const int levels = 2 + (int)(et_uniform(s) * 4.0);
        double level[6];
        int edge[6];
        for (int k = 0; k < levels; k++) {
            level[k] = -10.0 + 20.0 * et_uniform(s);
            edge[k] = (int)(et_uniform(s) * AUTOEQ_POINTS);
        }
        for (int i = 0; i < AUTOEQ_POINTS; i++) {
            double v = level[0];
            for (int k = 1; k < levels; k++)
                if (i >= edge[k])
                    v = level[k];
            pts[n++] = (hpa_eq_point){autoeq_freqs[i], v};
        }
        break;
    }
    case 2: { /* narrow notches and spikes: single points off a gentle curve */
        for (int i = 0; i < AUTOEQ_POINTS; i++)
            pts[n++] = (hpa_eq_point){autoeq_freqs[i], 2.0 * sin(i / 20.0)};
        for (int k = 0; k < 3; k++) {
            const int i = 5 + (int)(et_uniform(s) * (AUTOEQ_POINTS - 10));
            pts[i].gain_db = (et_uniform(s) < 0.5 ? -1.0 : 1.0) * (4.0 + 12.0 * et_uniform(s));
        }
        break;
    }
    default: { /* sparse: 3..40 random points, random gains */
        const int m = 3 + (int)(et_uniform(s) * 38.0);
        double f = 15.0 + 60.0 * et_uniform(s);
        for (int i = 0; i < m; i++) {
            pts[n++] = (hpa_eq_point){round(f), -9.0 + 18.0 * et_uniform(s)};
            f = round(f) * (1.1 + et_uniform(s) * 0.8);
            if (f > 22000.0)
                break;
        }
        break;
    }
    }
    return n;
}

static void check_honesty(void)
{
    static const char *const kinds[] = {"smooth", "steps", "notches", "sparse"};
    static const double rates[] = {44100.0, 48000.0};
    uint64_t s = et_seed(20261126);
    double worst_gap = 0.0;
    for (int kind = 0; kind < 4; kind++) {
        for (int trial = 0; trial < 3; trial++) {
            hpa_eq_point pts[AUTOEQ_POINTS];
            const size_t n = random_curve(&s, kind, pts);
            const double rate = rates[trial % 2];
            hpa_eq_fit_result res;
            int rc;
            char name[160];
            hpa_eq_band *b = fit(pts, n, rate, &res, &rc);
            snprintf(name, sizeof name, "%s #%d @ %.0f Hz: fit, bands valid", kinds[kind], trial, rate);
            et_true(name, rc == HPA_OK && bands_valid(b, res.n_bands, rate));
            spectrum sp;
            if (rc == HPA_OK && measure(b, res.n_bands, rate, &sp)) {
                size_t used = 0;
                while (used < n && pts[used].freq_hz < rate / 2.0)
                    used++;
                double at = 0.0;
                const double meas = measured_max_dev(&sp, pts, used, &at);
                et_note("%zu points, %zu bands: reported max %.4f dB at %.0f Hz, measured %.4f dB at %.0f Hz", n,
                        res.n_bands, res.max_dev_db, res.max_dev_hz, meas, at);
                snprintf(name, sizeof name, "%s #%d: |reported - measured| max deviation", kinds[kind], trial);
                et_le(name, fabs(res.max_dev_db - meas), 0.02, "dB");
                snprintf(name, sizeof name, "%s #%d: peak DC..Nyquist above the curve's max", kinds[kind], trial);
                et_le(name, overshoot(&sp, pts, used), 1.0 + res.max_dev_db, "dB");
                worst_gap = fmax(worst_gap, fabs(res.max_dev_db - meas));
                free(sp.db);
            }
            free(b);
        }
    }
    et_note("largest gap between reported and measured max deviation: %.4f dB", worst_gap);
}

/* ---- 3. special curves ---- */

/* max |measured - gain| over every bin from DC to Nyquist */
static double flatness(const spectrum *sp, double gain)
{
    double worst = 0.0;
    for (size_t k = 0; k <= sp->n / 2; k++)
        worst = fmax(worst, fabs(sp->db[k] - gain));
    return worst;
}

static void check_special(void)
{
    hpa_eq_point pts[AUTOEQ_POINTS];
    hpa_eq_fit_result res;
    int rc;
    spectrum sp;
    for (int i = 0; i < AUTOEQ_POINTS; i++)
        pts[i] = (hpa_eq_point){autoeq_freqs[i], 0.0};
    hpa_eq_band *b = fit(pts, AUTOEQ_POINTS, 48000.0, &res, &rc);
    et_true("flat curve: 0 bands", rc == HPA_OK && res.n_bands == 0);
    free(b);

    static const double consts[] = {6.0, -30.0, 0.1};
    static const double rates[] = {44100.0, 96000.0, 8000.0};
    for (int c = 0; c < 3; c++) {
        for (int i = 0; i < AUTOEQ_POINTS; i++)
            pts[i].gain_db = consts[c];
        b = fit(pts, AUTOEQ_POINTS, rates[c], &res, &rc);
        char name[128];
        snprintf(name, sizeof name, "constant %+.1f dB @ %.0f Hz: DC..Nyquist within", consts[c], rates[c]);
        if (et_ok("fit a constant", rc) && measure(b, res.n_bands, rates[c], &sp)) {
            et_le(name, flatness(&sp, consts[c]), 0.01, "dB");
            free(sp.db);
        }
        free(b);
    }

    const hpa_eq_point one = {1000.0, -4.5};
    b = fit(&one, 1, 48000.0, &res, &rc);
    if (et_ok("fit one point", rc) && measure(b, res.n_bands, 48000.0, &sp)) {
        et_le("one point (1 kHz, -4.5 dB): DC..Nyquist within", flatness(&sp, -4.5), 0.01, "dB");
        free(sp.db);
    }
    free(b);

    /* 8 kHz: Nyquist 4 kHz; AutoEq's points from 4117 Hz up are ignored */
    size_t above = 0;
    for (int i = 0; i < AUTOEQ_POINTS; i++) {
        const double x = log2(autoeq_freqs[i]);
        pts[i] = (hpa_eq_point){autoeq_freqs[i], 5.0 * sin(x * 1.7) + (autoeq_freqs[i] >= 4000 ? 20.0 : 0.0)};
        above += autoeq_freqs[i] >= 4000;
    }
    b = fit(pts, AUTOEQ_POINTS, 8000.0, &res, &rc);
    et_true("8 kHz: fit, bands valid", rc == HPA_OK && bands_valid(b, res.n_bands, 8000.0));
    et_true("8 kHz: the points at or above 4 kHz are counted as ignored",
            res.points_ignored == above && res.points_used == AUTOEQ_POINTS - above);
    et_true("8 kHz: judged up to 3600 Hz", fabs(res.hi_hz - 3600.0) < 1e-9 && res.lo_hz == 20.0);
    if (rc == HPA_OK && measure(b, res.n_bands, 8000.0, &sp)) {
        double at = 0.0;
        const double meas = measured_max_dev(&sp, pts, AUTOEQ_POINTS - above, &at);
        et_note("8 kHz: %zu bands, reported %.4f dB, measured %.4f dB at %.0f Hz", res.n_bands, res.max_dev_db, meas,
                at);
        et_le("8 kHz: |reported - measured| max deviation", fabs(res.max_dev_db - meas), 0.02, "dB");
        et_le("8 kHz: the curve below Nyquist is followed", meas, 0.5, "dB");
        free(sp.db);
    }
    free(b);
}

/* ---- 4. errors ---- */

static void check_errors(void)
{
    hpa_eq_point pts[AUTOEQ_POINTS];
    for (int i = 0; i < AUTOEQ_POINTS; i++)
        pts[i] = (hpa_eq_point){autoeq_freqs[i], 3.0 * sin(i / 9.0)};
    hpa_eq_band b[8];
    hpa_eq_fit_result res;
    et_true("n = 0: invalid", hpa_eq_fit_graphic(pts, 0, 48000.0, NULL, b, 8, &res) == HPA_ERR_INVALID_ARG);
    et_true("pts NULL: invalid", hpa_eq_fit_graphic(NULL, 5, 48000.0, NULL, b, 8, &res) == HPA_ERR_INVALID_ARG);
    et_true("bands NULL, cap 8: invalid",
            hpa_eq_fit_graphic(pts, 5, 48000.0, NULL, NULL, 8, &res) == HPA_ERR_INVALID_ARG);
    et_true("rate 1000 Hz: HPA_ERR_RATE", hpa_eq_fit_graphic(pts, 5, 1000.0, NULL, b, 8, &res) == HPA_ERR_RATE);
    hpa_eq_point bad[3] = {{100.0, 1.0}, {100.0, 2.0}, {200.0, 0.0}};
    et_true("repeated frequency: invalid",
            hpa_eq_fit_graphic(bad, 3, 48000.0, NULL, b, 8, &res) == HPA_ERR_INVALID_ARG);
    bad[1].freq_hz = NAN;
    et_true("NaN frequency: invalid", hpa_eq_fit_graphic(bad, 3, 48000.0, NULL, b, 8, &res) == HPA_ERR_INVALID_ARG);

    int rc = hpa_eq_fit_graphic(pts, AUTOEQ_POINTS, 48000.0, NULL, b, 8, &res);
    et_true("cap 8: HPA_ERR_BUFFER_TOO_SMALL, the count needed (> 8)",
            rc == HPA_ERR_BUFFER_TOO_SMALL && res.n_bands > 8);
    const size_t need = res.n_bands;
    et_true("the count needed is within hpa_eq_fit_graphic_max_bands", need <= hpa_eq_fit_graphic_max_bands(48000.0));
    hpa_eq_band *big = calloc(need, sizeof *big);
    rc = hpa_eq_fit_graphic(pts, AUTOEQ_POINTS, 48000.0, NULL, big, need, &res);
    et_true("cap = the count needed: OK, that many bands", rc == HPA_OK && res.n_bands == need);
    free(big);
    et_true("max_bands of a bad rate is 0", hpa_eq_fit_graphic_max_bands(1000.0) == 0);
}

int main(int argc, char **argv)
{
    const char *dir = et_data_dir(argc, argv);
    if (!dir)
        return 2;
    static void (*const parts[])(void) = {check_honesty, check_special, check_errors};
    static const char *const titles[] = {"GraphicEQ fit: reported deviation vs measured",
                                         "GraphicEQ fit: flat, constant, one point, 8 kHz", "GraphicEQ fit: errors"};
    et_begin("GraphicEQ fit: AutoEq truth (measured through hpa_eq_process + FFTW)");
    check_autoeq(dir, phones[0]);
    check_autoeq(dir, phones[1]);
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        et_begin(titles[i]);
        parts[i]();
    }
    fftw_cleanup();
    return et_end();
}
