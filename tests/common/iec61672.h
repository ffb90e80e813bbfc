/* iec61672.h — IEC 61672-1's A-weighting table, for the tests that check an
 * A-weighting (tests/meter/test_meter.c).
 *
 * Source: IEC 61672-1:2013 (edition 2.0), Table 3 "Frequency weightings and
 * acceptance limits", columns A and class 1.  The IEC text itself is not
 * freely available and was not read here; the values were checked against
 * the transcription of that table in the phonometry project
 * (github.com/jmrplens/phonometry, tests/reference_data.py, IEC61672_TABLE3,
 * "standard page 22"), and against the 2002 edition's Table 2 as republished
 * in GOST 17187-2010 Table 2, whose class 1 limits include the maximum
 * expanded uncertainty and are each wider by that uncertainty (0.4 to
 * 1.0 dB), consistently.  The nominal values are also recomputed from the
 * standard's closed form (Annex E, a_closed below) at the exact frequencies
 * 1000·10^(n/10) behind the nominal ones, as a check on the transcription. */
#ifndef HPA_TEST_IEC61672_H
#define HPA_TEST_IEC61672_H

#include <math.h>

static const struct iec61672_row {
    double f, a_db, tol_hi, tol_lo; /* tol_lo < 0; -99 for -infinity */
} iec61672_table[] = {
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
static inline double iec61672_a_db(double f)
{
    const double f1 = 20.598997, f2 = 107.65265, f3 = 737.86223, f4 = 12194.217;
    double f_2 = f * f;
    double r = f4 * f4 * f_2 * f_2 / ((f_2 + f1 * f1) * sqrt(f_2 + f2 * f2) * sqrt(f_2 + f3 * f3) * (f_2 + f4 * f4));
    return 20.0 * log10(r) + 2.000;
}

/* the exact frequency behind a nominal one: 1000 · 10^(n/10) (IEC 61672-1, IEC 61260) */
static inline double iec61672_exact(double nominal)
{
    return 1000.0 * pow(10.0, round(10.0 * log10(nominal / 1000.0)) / 10.0);
}

#define IEC61672_ROWS (sizeof iec61672_table / sizeof iec61672_table[0])

#endif
