/* test_eq_response.c — every filter type's response against the analytic
 * reference, on a dense grid.
 *
 * Reference: the cookbook's analog prototypes through the pre-warped bilinear
 * transform (eqtest.h), computed without the library's coefficients.  Rows:
 *   - per type (PK LSC HSC LS HS LP HP BP NO AP), over rates 44.1k/48k/96k/
 *     192k, several frequencies, widths (Q, BW, slope, defaults) and gains:
 *     the worst dB deviation of hpa_eq_response_db on a 3000-point log grid
 *     (<= 0.01 dB where the response is above -80 dB, else an absolute
 *     error <= 1e-5), and of hpa_eq_response's complex value;
 *   - semantics checked by measuring the response, not by formula: a peak's
 *     gain at Fc, a BP/notch's -3 dB bandwidth against BW Oct, a shelf's
 *     half-gain point, where an LS/HS corner puts it, the LP/HP -3 dB point
 *     with the default Q;
 *   - hpa_eq_peak_db against a brute-force scan of random band sets.
 */
#include "eqtest.h"

#define GRID 3000

static const hpa_eq_type all_types[] = {HPA_EQ_PK, HPA_EQ_LSC, HPA_EQ_HSC, HPA_EQ_LS, HPA_EQ_HS,
                                        HPA_EQ_LP, HPA_EQ_HP,  HPA_EQ_BP,  HPA_EQ_NO, HPA_EQ_AP};
static const double rates[] = {44100, 48000, 96000, 192000};

typedef struct worst {
    double db;   /* worst |dB difference| where the reference is above -80 dB */
    double lin;  /* worst |H - ref| where it is below */
    double cplx; /* worst |H - ref| / max(|ref|, 1e-4) of the complex response */
    int cases;
    char where[160];
} worst;

static int is_shelf(hpa_eq_type t)
{
    return t == HPA_EQ_LSC || t == HPA_EQ_HSC || t == HPA_EQ_LS || t == HPA_EQ_HS;
}

static void check_band(const hpa_eq_band *b, double fs, worst *w)
{
    static double freqs[GRID], db[GRID];
    const char *why;
    if (hpa_eq_band_check(b, fs, &why) != HPA_OK)
        return; /* e.g. a corner shelf pushed past Nyquist: covered by the parser tests */
    for (int i = 0; i < GRID; i++)
        freqs[i] = exp(log(1.0) + (log(0.4999 * fs) - log(1.0)) * i / (GRID - 1));
    if (!et_ok("hpa_eq_response_db", hpa_eq_response_db(b, 1, fs, freqs, db, GRID)))
        return;
    ref_band r = ref_from_band(b, fs);
    w->cases++;
    for (int i = 0; i < GRID; i++) {
        double complex ref = ref_response(&r, freqs[i], fs);
        double mag = cabs(ref);
        double d;
        if (mag > 1e-4) {
            d = fabs(db[i] - db_of(ref));
            if (d > w->db || isnan(d)) {
                w->db = d;
                snprintf(w->where, sizeof w->where, "%s f=%g g=%g q=%g bw=%g slope=%g fs=%g at %g Hz",
                         hpa_eq_type_name(b->type), b->freq_hz, b->gain_db, b->q, b->bw_oct, b->slope_db, fs, freqs[i]);
            }
        } else {
            d = fabs(pow(10.0, db[i] / 20.0) - mag);
            if (d > w->lin || isnan(d))
                w->lin = d;
        }
        if (i % 7 == 0) {
            double re, im;
            if (hpa_eq_response(b, 1, fs, freqs[i], &re, &im) != HPA_OK) {
                w->cplx = INFINITY;
                continue;
            }
            double e = cabs((re + I * im) - ref) / fmax(mag, 1e-4);
            if (e > w->cplx || isnan(e))
                w->cplx = e;
        }
    }
}

static void type_rows(hpa_eq_type t)
{
    static const double freqs[] = {20, 100, 1000, 5000, 15000};
    static const double qs[] = {0.1, 0.5, 0.7071, 2, 10, 60};
    static const double bws[] = {0.1, 0.5, 1, 2, 4};
    static const double gains[] = {-24, -6, 0.5, 6, 15, 30};
    static const double slopes[] = {3, 6, 12, 14};
    worst w = {0};
    for (size_t ri = 0; ri < sizeof rates / sizeof rates[0]; ri++)
        for (size_t fi = 0; fi < sizeof freqs / sizeof freqs[0]; fi++)
            for (size_t gi = 0; gi < sizeof gains / sizeof gains[0]; gi++) {
                hpa_eq_band b = {.type = t, .freq_hz = freqs[fi], .gain_db = gains[gi]};
                check_band(&b, rates[ri], &w); /* the type's default width (or refused) */
                for (size_t qi = 0; qi < sizeof qs / sizeof qs[0]; qi++) {
                    b.q = qs[qi];
                    check_band(&b, rates[ri], &w);
                }
                b.q = 0;
                if (is_shelf(t)) {
                    for (size_t si = 0; si < sizeof slopes / sizeof slopes[0]; si++) {
                        b.slope_db = slopes[si];
                        check_band(&b, rates[ri], &w);
                    }
                } else {
                    for (size_t bi = 0; bi < sizeof bws / sizeof bws[0]; bi++) {
                        b.bw_oct = bws[bi];
                        check_band(&b, rates[ri], &w);
                    }
                }
            }
    char name[96];
    snprintf(name, sizeof name, "%-3s worst |dB - analytic| over %d designs x %d freqs", hpa_eq_type_name(t), w.cases,
             GRID);
    et_le(name, w.db, 0.01, "dB");
    if (w.db > 1e-6)
        et_note("worst at %s", w.where);
    snprintf(name, sizeof name, "%-3s worst |H - analytic| where below -80 dB", hpa_eq_type_name(t));
    et_le(name, w.lin, 1e-5, "");
    snprintf(name, sizeof name, "%-3s worst complex error of hpa_eq_response (relative)", hpa_eq_type_name(t));
    et_le(name, w.cplx, 1e-6, "");
    et_ge("   ... designs checked", w.cases, 100, "");
}

/* ---- semantics, measured on the response ---- */

static double mag_db(const hpa_eq_band *b, double f, double fs)
{
    double re, im;
    if (hpa_eq_response(b, 1, fs, f, &re, &im) != HPA_OK)
        return NAN;
    return 10.0 * log10(re * re + im * im);
}

/* The frequency in (lo, hi) where the response crosses `level` dB (bisection
 * in log frequency; the response must be monotonic there). */
static double crossing(const hpa_eq_band *b, double fs, double lo, double hi, double level)
{
    double dlo = mag_db(b, lo, fs) - level;
    for (int i = 0; i < 200; i++) {
        double mid = sqrt(lo * hi);
        double dm = mag_db(b, mid, fs) - level;
        if ((dm > 0) == (dlo > 0))
            lo = mid, dlo = dm;
        else
            hi = mid;
    }
    return sqrt(lo * hi);
}

static void semantics_rows(void)
{
    const double fs = 48000;
    char name[96];

    /* A peak's gain at Fc is exactly its gain. */
    double worst = 0;
    for (int gi = 0; gi <= 24; gi++) /* -30..30 dB in 2.5 dB steps */
        for (int fi = 0; 30 * pow(3.1, fi) < 20000; fi++) {
            const double g = -30 + 2.5 * gi, f = 30 * pow(3.1, fi);
            hpa_eq_band b = {.type = HPA_EQ_PK, .freq_hz = f, .gain_db = g, .q = 1.7};
            worst = fmax(worst, fabs(mag_db(&b, f, fs) - g));
        }
    et_le("PK: |response at Fc - gain|, -30..+30 dB, 30 Hz..20 kHz", worst, 1e-9, "dB");

    /* BP and notch: the -3 dB points are BW Oct apart.  The cookbook's
     * relation 1/Q = 2 sinh(ln2/2 BW w0/sin w0) undoes the bilinear warping
     * at the centre frequency; the band edges are warped a little more, so
     * the match is close at low frequencies and looser near Nyquist (measured:
     * 2 octaves at 8 kHz / 48 kHz come out 1.92 octaves). */
    static const double bw_list[] = {0.25, 1.0, 2.0};
    static const double f_list[] = {100, 1000, 8000};
    double worst_lo = 0, worst_hi = 0;
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++) {
            double f0 = f_list[j], bw = bw_list[i], e;
            hpa_eq_band bp = {.type = HPA_EQ_BP, .freq_hz = f0, .bw_oct = bw};
            double lo = crossing(&bp, fs, f0 / 64, f0, -10 * log10(2.0));
            double hi = crossing(&bp, fs, f0, fmin(f0 * 64, 0.4999 * fs), -10 * log10(2.0));
            e = fabs(log2(hi / lo) - bw) / bw;
            hpa_eq_band no = {.type = HPA_EQ_NO, .freq_hz = f0, .bw_oct = bw};
            lo = crossing(&no, fs, f0 / 64, f0 * 0.999999, -10 * log10(2.0));
            hi = crossing(&no, fs, f0 * 1.000001, fmin(f0 * 64, 0.4999 * fs), -10 * log10(2.0));
            e = fmax(e, fabs(log2(hi / lo) - bw) / bw);
            if (f0 <= 1000)
                worst_lo = fmax(worst_lo, e);
            else
                worst_hi = fmax(worst_hi, e);
        }
    et_le("BP/NO: -3 dB bandwidth vs BW Oct (relative), Fc <= 1 kHz @48k", worst_lo, 0.0015, "");
    et_le("BP/NO: -3 dB bandwidth vs BW Oct (relative), Fc 8 kHz @48k", worst_hi, 0.05, "");

    /* LP/HP with the default Q (1/sqrt 2): -3.01 dB at Fc, Butterworth. */
    hpa_eq_band lp = {.type = HPA_EQ_LP, .freq_hz = 2000};
    hpa_eq_band hp = {.type = HPA_EQ_HP, .freq_hz = 2000};
    et_le("LP default Q: |response at Fc + 3.0103| dB", fabs(mag_db(&lp, 2000, fs) + 10 * log10(2.0)), 1e-9, "dB");
    et_le("HP default Q: |response at Fc + 3.0103| dB", fabs(mag_db(&hp, 2000, fs) + 10 * log10(2.0)), 1e-9, "dB");
    /* AP: unity magnitude everywhere. */
    hpa_eq_band ap = {.type = HPA_EQ_AP, .freq_hz = 700, .q = 3};
    double worst_ap = 0;
    for (int i = 0; pow(1.05, i) < 0.5 * fs; i++)
        worst_ap = fmax(worst_ap, fabs(mag_db(&ap, pow(1.05, i), fs)));
    et_le("AP: |magnitude| from 1 Hz to Nyquist", worst_ap, 1e-9, "dB");

    /* Shelves by centre: half the gain at Fc; the full gain at the far end. */
    worst = 0;
    double worst_end = 0;
    for (int gi = 0; gi <= 8; gi++) { /* -18..18 dB in 4.5 dB steps */
        const double g = -18 + 4.5 * gi;
        hpa_eq_band ls = {.type = HPA_EQ_LSC, .freq_hz = 300, .gain_db = g, .q = 0.7};
        hpa_eq_band hs = {.type = HPA_EQ_HSC, .freq_hz = 3000, .gain_db = g};
        worst = fmax(worst, fabs(mag_db(&ls, 300, fs) - g / 2));
        worst = fmax(worst, fabs(mag_db(&hs, 3000, fs) - g / 2));
        worst_end = fmax(worst_end, fabs(mag_db(&ls, 0, fs) - g));
        worst_end = fmax(worst_end, fabs(mag_db(&hs, 0.5 * fs, fs) - g));
    }
    et_le("LSC/HSC: |response at Fc - gain/2|", worst, 1e-9, "dB");
    et_le("LSC/HSC: |response at DC / Nyquist - gain|", worst_end, 1e-9, "dB");

    /* LS/HS with a slope: Fc is the corner; the half-gain point lies
     * 10^(|g|/(80 S)) away, S = slope/12 (Equalizer APO, DCX2496). */
    worst = 0;
    static const double sl[] = {6, 9, 12};
    for (size_t i = 0; i < 3; i++)
        for (int gi = 0; gi <= 4; gi++) { /* -12..12 dB in 6 dB steps */
            const double g = -12 + 6.0 * gi;
            if (g == 0)
                continue;
            double S = sl[i] / 12, k = pow(10.0, fabs(g) / 80 / S);
            hpa_eq_band ls = {.type = HPA_EQ_LS, .freq_hz = 200, .gain_db = g, .slope_db = sl[i]};
            hpa_eq_band hs = {.type = HPA_EQ_HS, .freq_hz = 6000, .gain_db = g, .slope_db = sl[i]};
            double c = crossing(&ls, fs, 10, 5000, g / 2);
            worst = fmax(worst, fabs(log2(c / (200 * k))));
            c = crossing(&hs, fs, 200, 23000, g / 2);
            worst = fmax(worst, fabs(log2(c / (6000 / k))));
        }
    et_le("LS/HS slope: half-gain point vs corner * 10^(|g|/(80 S)) [octaves]", worst, 1e-6, "oct");
    /* Without a width LS/HS equal LSC/HSC with S = 0.9. */
    hpa_eq_band ls0 = {.type = HPA_EQ_LS, .freq_hz = 150, .gain_db = 5};
    hpa_eq_band lsc = {.type = HPA_EQ_LSC, .freq_hz = 150, .gain_db = 5, .slope_db = 0.9 * 12};
    worst = 0;
    for (int i = 0; 5 * pow(1.1, i) < 24000; i++) {
        const double f = 5 * pow(1.1, i);
        worst = fmax(worst, fabs(mag_db(&ls0, f, fs) - mag_db(&lsc, f, fs)));
    }
    snprintf(name, sizeof name, "LS without width == LSC with S 0.9 (slope 10.8 dB)");
    et_le(name, worst, 1e-9, "dB");
}

/* ---- the peak finder against brute force ---- */

static void peak_rows(void)
{
    uint64_t s = et_seed(20240604);
    double worst_miss = 0, worst_self = 0;
    static double f[200000], db[200000];
    for (int trial = 0; trial < 40; trial++) {
        const double fs = rates[trial % 4];
        hpa_eq_band b[12];
        size_t n = 1 + et_rand(&s) % 12;
        for (size_t k = 0; k < n; k++) {
            static const hpa_eq_type ty[] = {HPA_EQ_PK,  HPA_EQ_PK, HPA_EQ_PK, HPA_EQ_LSC,
                                             HPA_EQ_HSC, HPA_EQ_HP, HPA_EQ_LP, HPA_EQ_NO};
            b[k] = (hpa_eq_band){.type = ty[et_rand(&s) % 8],
                                 .freq_hz = 20 * pow(1000, et_uniform(&s)),
                                 .gain_db = -15 + 30 * et_uniform(&s),
                                 .q = 0.3 * pow(100, et_uniform(&s))};
            if (b[k].freq_hz >= 0.45 * fs)
                b[k].freq_hz = 0.3 * fs;
        }
        double peak, at;
        if (!et_ok("hpa_eq_peak_db", hpa_eq_peak_db(b, n, fs, 0, 0.5 * fs, &peak, &at)))
            continue;
        size_t m = 0;
        for (size_t i = 0; i < 199000; i++)
            f[m++] = 1.0 * pow(0.5 * fs, (double)i / 198999);
        for (size_t k = 0; k < n; k++)
            f[m++] = b[k].freq_hz;
        f[m++] = 0.0;
        if (!et_ok("hpa_eq_response_db", hpa_eq_response_db(b, n, fs, f, db, m)))
            continue;
        double brute = -INFINITY;
        for (size_t i = 0; i < m; i++)
            brute = fmax(brute, db[i]);
        worst_miss = fmax(worst_miss, brute - peak);
        double here;
        double g[1] = {at};
        hpa_eq_response_db(b, n, fs, g, &here, 1);
        worst_self = fmax(worst_self, fabs(here - peak));
    }
    et_le("peak_db: brute-force max (199k pts) - peak_db, 40 random sets", worst_miss, 0.001, "dB");

    /* a sub-range, and the cascade of designed coefficients */
    double worst_range = 0, worst_cascade = 0;
    for (int trial = 0; trial < 10; trial++) {
        const double fs = rates[trial % 4];
        hpa_eq_band b[8];
        hpa_eq_coefs c[8];
        size_t n = 1 + et_rand(&s) % 8;
        for (size_t k = 0; k < n; k++) {
            b[k] = (hpa_eq_band){.type = HPA_EQ_PK,
                                 .freq_hz = 20 * pow(1000, et_uniform(&s)),
                                 .gain_db = -12 + 24 * et_uniform(&s),
                                 .q = 0.5 + 5 * et_uniform(&s)};
            hpa_eq_design(&b[k], fs, &c[k], NULL);
        }
        const double lo = 100 + 400 * et_uniform(&s), hi = lo * (2 + 30 * et_uniform(&s));
        double peak, at;
        if (!et_ok("hpa_eq_peak_db (range)", hpa_eq_peak_db(b, n, fs, lo, hi, &peak, &at)))
            continue;
        size_t m = 0;
        for (size_t i = 0; i < 100000; i++)
            f[m++] = lo * pow(hi / lo, (double)i / 99999);
        hpa_eq_response_db(b, n, fs, f, db, m);
        double brute = -INFINITY;
        for (size_t i = 0; i < m; i++)
            brute = fmax(brute, db[i]);
        worst_range = fmax(worst_range, fabs(brute - peak));
        if (!(at >= lo && at <= hi))
            worst_range = INFINITY;
        for (size_t i = 0; i < m; i += 97) {
            double re, im, re2, im2;
            hpa_eq_coefs_response(c, n, f[i], fs, &re, &im);
            hpa_eq_response(b, n, fs, f[i], &re2, &im2);
            worst_cascade = fmax(worst_cascade, hypot(re - re2, im - im2));
        }
    }
    et_le("peak_db over [lo, hi] vs brute force there (|diff|, at_hz inside)", worst_range, 0.001, "dB");
    et_le("coefs_response(design(bands)) == response(bands)", worst_cascade, 0, "");
    et_le("peak_db: |response at at_hz - peak_db|", worst_self, 1e-9, "dB");

    /* A lone narrow peak between the 1/48-octave grid points. */
    hpa_eq_band narrow[2] = {{.type = HPA_EQ_PK, .freq_hz = 1234.5, .gain_db = 12, .q = 900},
                             {.type = HPA_EQ_HSC, .freq_hz = 8000, .gain_db = -3}};
    double peak, at;
    hpa_eq_peak_db(narrow, 2, 48000, 0, 24000, &peak, &at);
    double want = mag_db(&narrow[0], 1234.5, 48000) + mag_db(&narrow[1], 1234.5, 48000);
    et_le("peak_db: Q 900 +12 dB peak found (|peak - response at Fc|)", fabs(peak - want), 0.01, "dB");
}

int main(void)
{
    et_begin("EQ response vs the cookbook's analog prototypes (bilinear, pre-warped)");
    for (size_t i = 0; i < sizeof all_types / sizeof all_types[0]; i++)
        type_rows(all_types[i]);
    et_begin("EQ semantics measured on the response");
    semantics_rows();
    et_begin("EQ peak finder");
    peak_rows();
    return et_end();
}
