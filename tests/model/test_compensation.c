/* test_compensation.c — hpa_compensation_fit (compensation.h) against the
 * model's closed form and the cookbook's analog prototypes.
 *
 * For each headphone below, the change a source's output impedance makes is
 * worked here with the test's own complex arithmetic (the divider
 * |Z/(Z+Zout)| against its value at 1 kHz, Z = Re + jωLe + Res/(1 + jQ(f/f0 −
 * f0/f)), the model's form with K = 0), the fitted bands' response from the
 * analog prototypes through the bilinear map (tests/eq/eqtest.h, not the
 * library's coefficients); the sum must be flat within 0.1 dB (peak to
 * midrange) on a 1/192-octave grid over 20 Hz .. 20 kHz, at 44.1, 48, 96 and
 * 768 kHz.  Every band boosts at most 12 dB and passes the stability check. */
#include <complex.h>
#include <math.h>

#include <hpamp/compensation.h>

#include "../eq/eqtest.h"

typedef struct zcase {
    const char *name;
    double re, le, res, f0, q, zout;
} zcase;

static double complex z_of(const zcase *c, double f)
{
    double complex z = c->re + I * 2.0 * M_PI * f * c->le;
    if (c->res > 0.0)
        z += c->res / (1.0 + I * c->q * (f / c->f0 - c->f0 / f));
    return z;
}

static double change_db(const zcase *c, double f)
{
    const double complex z = z_of(c, f), zr = z_of(c, 1000.0);
    return 20.0 * log10(cabs(z / (z + c->zout)) / cabs(zr / (zr + c->zout)));
}

int main(void)
{
    static const zcase cases[] = {
        {"300-ohm dynamic (resonance 62 Hz, 550 ohm peak), Zout 120 ohm", 250, 0, 300, 62, 0.5, 120},
        {"300-ohm dynamic, Zout 33 ohm", 250, 0, 300, 62, 0.5, 33},
        {"300-ohm dynamic, Zout 10 ohm", 250, 0, 300, 62, 0.5, 10},
        {"32-ohm with 1 mH (treble rises), Zout 10 ohm", 32, 0.001, 0, 0, 0, 10},
        {"32-ohm, 0.1 mH, resonance 100 Hz, Zout 2.2 ohm", 30, 0.0001, 20, 100, 1.0, 2.2},
        {"32-ohm resistive (planar), Zout 10 ohm: nothing to do", 32, 0, 0, 0, 0, 10},
    };
    static const double rates[] = {44100, 48000, 96000, 768000};
    et_begin("compensation EQ against the divider's closed form");
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const zcase *c = &cases[k];
        hpa_headphone hp;
        hpa_headphone_init(&hp);
        hp.nominal_ohm = c->re;
        hp.sens_db_per_v = 100.0;
        hp.zcurve = HPA_ZCURVE_MODEL;
        hp.zmodel.re_ohm = c->re;
        hp.zmodel.le_h = c->le;
        hp.zmodel.res_ohm = c->res;
        hp.zmodel.f0_hz = c->f0;
        hp.zmodel.qms = c->q;
        for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
            hpa_eq_band b[HPA_COMPENSATION_MAX_BANDS];
            hpa_compensation comp;
            char what[256];
            snprintf(what, sizeof what, "%s at %.0f Hz: fitted", c->name, rates[r]);
            if (!et_ok(what, hpa_compensation_fit(&hp, c->zout, rates[r], b, HPA_COMPENSATION_MAX_BANDS, &comp)))
                continue;
            double lo = INFINITY, hi = -INFINITY, chlo = INFINITY, chhi = -INFINITY;
            for (int i = 0;; i++) {
                const double f = fmin(20.0 * exp2(i / 192.0), 20000.0);
                const double ch = change_db(c, f);
                const double v = ch + (comp.n_bands ? db_of(ref_set_response(b, comp.n_bands, f, rates[r])) : 0.0);
                lo = fmin(lo, v), hi = fmax(hi, v), chlo = fmin(chlo, ch), chhi = fmax(chhi, ch);
                if (f >= 20000.0)
                    break;
            }
            double maxgain = 0.0;
            for (size_t i = 0; i < comp.n_bands; i++)
                maxgain = fmax(maxgain, b[i].gain_db);
            et_note("%s at %.0f Hz: change %.3f dB p-p, %zu bands, left %.4f dB", c->name, rates[r], chhi - chlo,
                    comp.n_bands, 0.5 * (hi - lo));
            snprintf(what, sizeof what, "%s at %.0f Hz: change + EQ flat (half p-p)", c->name, rates[r]);
            et_le(what, 0.5 * (hi - lo), 0.1, "dB");
            snprintf(what, sizeof what, "%s at %.0f Hz: the error it reports is the one here", c->name, rates[r]);
            et_le(what, fabs(comp.max_err_db - 0.5 * (hi - lo)), 0.01, "dB");
            snprintf(what, sizeof what, "%s at %.0f Hz: largest boost", c->name, rates[r]);
            et_le(what, maxgain, 12.0, "dB");
            snprintf(what, sizeof what, "%s at %.0f Hz: stable, valid", c->name, rates[r]);
            et_true(what, hpa_eq_bands_check(b, comp.n_bands, rates[r], NULL) == HPA_OK);
        }
    }
    hpa_headphone hp;
    hpa_headphone_init(&hp);
    hp.nominal_ohm = 32, hp.sens_db_per_v = 100;
    hpa_eq_band b[4];
    hpa_compensation comp;
    et_true("Zout 0 is refused", hpa_compensation_fit(&hp, 0.0, 48000, b, 4, &comp) == HPA_ERR_INVALID_ARG);
    et_true("a NaN Zout is refused", hpa_compensation_fit(&hp, NAN, 48000, b, 4, &comp) == HPA_ERR_INVALID_ARG);
    et_true("a rate of 8 kHz is refused", hpa_compensation_fit(&hp, 10, 8000, b, 4, &comp) == HPA_ERR_RATE);
    return et_end();
}
