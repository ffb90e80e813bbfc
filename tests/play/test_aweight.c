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
#include "../common/iec61672.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

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
    for (size_t k = 0; k < IEC61672_ROWS; k++) {
        double c = iec61672_a_db(iec61672_exact(iec61672_table[k].f));
        checks++;
        if (fabs(c - iec61672_table[k].a_db) > 0.051) {
            failures++;
            printf("FAIL table %g Hz: %.1f, closed form %.2f\n", iec61672_table[k].f, iec61672_table[k].a_db, c);
        }
    }
    for (size_t r = 0; r < 3; r++) {
        hph_aweight w;
        if (hph_aweight_init(&w, rates[r], 1)) {
            printf("FAIL init %.0f\n", rates[r]);
            return 1;
        }
        for (size_t k = 0; k < IEC61672_ROWS; k++) {
            double f = iec61672_exact(iec61672_table[k].f);
            if (f >= 0.42 * rates[r])
                continue;
            double lo = iec61672_table[k].tol_lo <= -99 ? -1e9 : iec61672_table[k].a_db + iec61672_table[k].tol_lo;
            double hi = iec61672_table[k].a_db + iec61672_table[k].tol_hi;
            double d = hph_aweight_response_db(&w, rates[r], f);
            check(d >= lo && d <= hi, "designed", rates[r], f, d, iec61672_table[k].a_db);
            double m = measured_db(rates[r], f);
            check(m >= lo && m <= hi, "measured", rates[r], f, m, iec61672_table[k].a_db);
            check(fabs(m - d) < 0.05, "measured = designed (0.05 dB)", rates[r], f, m, d);
        }
    }
    printf("%d checks, %d failed\n", checks, failures);
    return failures != 0;
}
