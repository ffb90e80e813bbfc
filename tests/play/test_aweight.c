/* test_aweight — play's A-weighting filter against IEC 61672-1's table.
 *
 * At 44.1, 48 and 96 kHz, at every nominal frequency of the table from 10 Hz
 * to 20 kHz below 0.42 of the rate, the level of a filtered sine (measured:
 * RMS after the filter over whole periods once it has settled, against the
 * sine's own RMS) and the designed response must both lie within the class 1
 * acceptance limits around the nominal A-weighting.
 *
 * Source: IEC 61672-1:2013 (edition 2.0), Table 3 "Frequency weightings and
 * acceptance limits", columns A and class 1.  The IEC text itself is not
 * freely available and was not read here; the values were checked against
 * the transcription of that table in the phonometry project
 * (github.com/jmrplens/phonometry, tests/reference_data.py, IEC61672_TABLE3,
 * "standard page 22"), and against the 2002 edition's Table 2 as republished
 * in GOST 17187-2010 Table 2, whose class 1 limits include the maximum
 * expanded uncertainty and are each wider by that uncertainty (0.4 to
 * 1.0 dB), consistently.  An earlier version of this table, typed from memory
 * and attributed to the 2002 edition, had the 2002 values at 10 Hz (+3.5) and
 * 20 Hz (+-2.5) among 2013 values elsewhere; it now follows the 2013 table in
 * every row.  The nominal values are also recomputed from the standard's
 * closed form (Annex E) at the exact frequencies 1000·10^(n/10) behind the
 * nominal ones, as a check on the transcription. */
#include <math.h>
#include <stdio.h>

#include "aweight.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static const struct {
    double f, a_db, tol_hi, tol_lo; /* tol_lo < 0; -99 for -infinity */
} table[] = {
    {10, -70.4, 3.0, -99},     {12.5, -63.4, 2.5, -99},  {16, -56.7, 2.0, -4.0},   {20, -50.5, 2.0, -2.0},
    {25, -44.7, 2.0, -1.5},    {31.5, -39.4, 1.5, -1.5}, {40, -34.6, 1.0, -1.0},   {50, -30.2, 1.0, -1.0},
    {63, -26.2, 1.0, -1.0},    {80, -22.5, 1.0, -1.0},   {100, -19.1, 1.0, -1.0},  {125, -16.1, 1.0, -1.0},
    {160, -13.4, 1.0, -1.0},   {200, -10.9, 1.0, -1.0},  {250, -8.6, 1.0, -1.0},   {315, -6.6, 1.0, -1.0},
    {400, -4.8, 1.0, -1.0},    {500, -3.2, 1.0, -1.0},   {630, -1.9, 1.0, -1.0},   {800, -0.8, 1.0, -1.0},
    {1000, 0.0, 0.7, -0.7},    {1250, 0.6, 1.0, -1.0},   {1600, 1.0, 1.0, -1.0},   {2000, 1.2, 1.0, -1.0},
    {2500, 1.3, 1.0, -1.0},    {3150, 1.2, 1.0, -1.0},   {4000, 1.0, 1.0, -1.0},   {5000, 0.5, 1.5, -1.5},
    {6300, -0.1, 1.5, -2.0},   {8000, -1.1, 1.5, -2.5},  {10000, -2.5, 2.0, -3.0}, {12500, -4.3, 2.0, -5.0},
    {16000, -6.6, 2.5, -16.0}, {20000, -9.3, 3.0, -99},
};

/* IEC 61672-1 Annex E: A(f) = 20 log10(f4² f⁴ / ((f² + f1²) √(f² + f2²) √(f² + f3²) (f² + f4²))) − A1000 */
static double a_closed(double f)
{
    const double f1 = 20.598997, f2 = 107.65265, f3 = 737.86223, f4 = 12194.217;
    double f_2 = f * f;
    double r = f4 * f4 * f_2 * f_2 / ((f_2 + f1 * f1) * sqrt(f_2 + f2 * f2) * sqrt(f_2 + f3 * f3) * (f_2 + f4 * f4));
    return 20.0 * log10(r) + 2.000;
}

/* the exact frequency behind a nominal one: 1000 · 10^(n/10) (IEC 61672-1, IEC 61260) */
static double exact(double nominal)
{
    return 1000.0 * pow(10.0, round(10.0 * log10(nominal / 1000.0)) / 10.0);
}

static int failures, checks;

static void check(int ok, const char *what, double rate, double f, double got, double want)
{
    checks++;
    if (!ok)
        failures++;
    printf("%s %s at %.0f Hz, %g Hz: %.3f dB (nominal %.1f)\n", ok ? "ok  " : "FAIL", what, rate, f, got, want);
}

static double measured_db(double rate, double f)
{
    hph_aweight w;
    hph_aweight_init(&w, rate, 1);
    /* settle 2 s (the 20.6 Hz double pole), then measure whole periods over >= 1 s */
    long settle = (long)(2.0 * rate);
    long periods = (long)ceil(f * 1.0);
    long n = (long)llround((double)periods * rate / f);
    double in = 0.0, out = 0.0;
    for (long i = 0; i < settle + n; i++) {
        double x = sin(2.0 * M_PI * f * (double)i / rate);
        double y = hph_aweight_step(&w, 0, x);
        if (i >= settle) {
            in += x * x;
            out += y * y;
        }
    }
    return 10.0 * log10(out / in);
}

int main(void)
{
    const double rates[] = {44100, 48000, 96000};
    for (size_t k = 0; k < sizeof table / sizeof table[0]; k++) {
        double c = a_closed(exact(table[k].f));
        checks++;
        if (fabs(c - table[k].a_db) > 0.051) {
            failures++;
            printf("FAIL table %g Hz: %.1f, closed form %.2f\n", table[k].f, table[k].a_db, c);
        }
    }
    for (size_t r = 0; r < 3; r++) {
        hph_aweight w;
        if (hph_aweight_init(&w, rates[r], 1)) {
            printf("FAIL init %.0f\n", rates[r]);
            return 1;
        }
        for (size_t k = 0; k < sizeof table / sizeof table[0]; k++) {
            double f = exact(table[k].f);
            if (f >= 0.42 * rates[r])
                continue;
            double lo = table[k].tol_lo <= -99 ? -1e9 : table[k].a_db + table[k].tol_lo;
            double hi = table[k].a_db + table[k].tol_hi;
            double d = hph_aweight_response_db(&w, rates[r], f);
            check(d >= lo && d <= hi, "designed", rates[r], f, d, table[k].a_db);
            double m = measured_db(rates[r], f);
            check(m >= lo && m <= hi, "measured", rates[r], f, m, table[k].a_db);
            check(fabs(m - d) < 0.05, "measured = designed (0.05 dB)", rates[r], f, m, d);
        }
    }
    printf("%d checks, %d failed\n", checks, failures);
    return failures != 0;
}
