/* test_tuning.c — the loudness compensation follows a volume ramp without a
 * click (hph_tuning's band sets handed to the chain, whose swap is a
 * crossfade).
 *
 * A 63 Hz sine (where the compensation moves most) goes through a chain
 * whose volume falls from -30 to -40 dB in 4 s, set every 10 ms, the band
 * set made again at each 0.5 dB step of the listening level (20 sets).  For
 * a sine of constant amplitude and phase, r[n] = y[n+1] - 2 cos(w) y[n] +
 * y[n-1] is exactly 0.  A linear crossfade over L frames between two paths
 * whose outputs differ by d (a sine) adds at most |d| / L at its kinks and
 * 2 sin(w) |d| / L along it; the volume's 10 ms steps, smoothed, add about
 * 6e-6 of the amplitude.  So, with D the largest |H_new - H_old| / |H_old| at
 * 63 Hz of two successive sets (their responses, hpa_eq_response), r stays
 * below D / L (1 + 2 sin w) + 2e-5 of the amplitude.  A path that starts from
 * rest instead of settled steady state (a new set faded in at once), or a
 * set switched without a fade, breaks that bound: the negative control is
 * the same ramp with 1 ms fades, which must exceed the 20 ms bound. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <hpamp/chain.h>
#include <hpamp/eq.h>
#include <hpamp/host/tuning.h>

#define RATE 48000
#define BLOCK 480

/* the largest residue / amplitude over the ramp; sets: the band sets handed over */
static double ramp(double crossfade_ms, int *sets, double *dmax)
{
    hph_tuning t;
    if (hph_tuning_init(&t, RATE, NULL, 0, 0.0))
        abort();
    hph_tuning_set_loudness(&t, 114.8, 80.0, HPA_LOUDNESS_PROGRAMME_LUFS);
    hpa_chain_config cfg;
    hpa_chain_config_init(&cfg);
    cfg.in_rate_hz = cfg.out_rate_hz = RATE;
    cfg.channels = 1;
    cfg.in_format = cfg.out_format = HPA_FORMAT_F64;
    cfg.max_block_frames = BLOCK;
    cfg.volume_db = -30.0;
    cfg.max_eq_bands = (uint32_t)hph_tuning_max_bands(&t);
    cfg.crossfade_ms = crossfade_ms;
    hpa_chain *c = NULL;
    char why[256];
    if (hpa_chain_create(&cfg, &c) || hph_tuning_update(&t, -30.0, why, sizeof why) != 1 ||
        hpa_chain_set_eq(c, t.set, t.n_set, t.preamp_db, NULL, NULL))
        abort();
    const double w = 2.0 * M_PI * 63.0 / RATE;
    const size_t total = (size_t)6 * RATE, start = RATE / 2, ramp_end = start + (size_t)4 * RATE;
    double *y = malloc(total * sizeof *y), in[BLOCK];
    *sets = 0;
    *dmax = 0.0;
    double hre = 0.0, him = 0.0; /* the response at 63 Hz of the set playing */
    hpa_eq_response(t.set, t.n_set, RATE, 63.0, &hre, &him);
    for (size_t n0 = 0; n0 < total; n0 += BLOCK) {
        double vol = -30.0;
        if (n0 >= start)
            vol = n0 >= ramp_end ? -40.0 : -30.0 - 10.0 * (double)(n0 - start) / (double)(ramp_end - start);
        hpa_chain_set_volume_db(c, vol);
        int u = hph_tuning_update(&t, vol, why, sizeof why);
        if (u < 0)
            abort();
        if (u > 0) {
            if (hpa_chain_set_eq(c, t.set, t.n_set, t.preamp_db, NULL, NULL))
                abort();
            ++*sets;
            double re = 0.0, im = 0.0;
            hpa_eq_response(t.set, t.n_set, RATE, 63.0, &re, &im);
            *dmax = fmax(*dmax, hypot(re - hre, im - him) / hypot(hre, him));
            hre = re, him = im;
        }
        for (size_t i = 0; i < BLOCK; i++)
            in[i] = 0.5 * sin(w * (double)(n0 + i));
        size_t got = 0;
        if (hpa_chain_process(c, in, BLOCK, y + n0, BLOCK, &got) || got != BLOCK)
            abort();
    }
    double worst = 0.0;
    for (size_t n = start; n + 1 < total; n++) {
        double amp = 0.0; /* the local amplitude: the largest |y| over the cycle around n */
        for (size_t k = n > 400 ? n - 400 : 0; k < n + 400 && k < total; k++)
            amp = fmax(amp, fabs(y[k]));
        const double r = fabs(y[n + 1] - 2.0 * cos(w) * y[n] + y[n - 1]) / amp;
        if (r > worst)
            worst = r;
    }
    free(y);
    hpa_chain_destroy(c);
    hph_tuning_free(&t);
    return worst;
}

int main(void)
{
    int sets = 0, failed = 0;
    double d = 0.0;
    const double faded = ramp(20.0, &sets, &d);
    const double bound = d / (0.020 * RATE) * (1.0 + 2.0 * sin(2.0 * M_PI * 63.0 / RATE)) + 2e-5;
    int ok = faded < bound && sets >= 19;
    printf("%s  -30 to -40 dB in 4 s, %d band sets crossfaded (successive sets differ by up to %.3f at 63 Hz): "
           "largest residue %.3g of the amplitude (< %.3g)\n",
           ok ? "ok  " : "FAIL", sets, d, faded, bound);
    failed += !ok;
    const double cut = ramp(1.0, &sets, &d);
    ok = cut > bound;
    printf("%s  the same with 1 ms fades (negative control): %.3g (> %.3g)\n", ok ? "ok  " : "FAIL", cut, bound);
    failed += !ok;
    printf("%d passed, %d failed\n", 2 - failed, failed);
    return failed ? 1 : 0;
}
