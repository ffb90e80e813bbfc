/* test_meter.c — libhpamp's meters (meter.h) against truths computed here.
 *
 *   true peak   sines x[n] = A w(n) sin(2 pi f n / fs + phi) (w: 20 ms fades):
 *               fs/4 at 45 degrees reads 0.7071 A in its samples and A as its
 *               true peak; over a sweep of frequencies (0.01 .. 0.42 fs) and
 *               phases the 4x meter reads what the sine itself is at the 4x
 *               grid t = n + p/4, the largest |x(t)| in closed form, within
 *               0.005 dB (the interpolator's ripple up to 0.42 fs),
 *               which lies between A cos(pi f / (4 fs)) and A (within 0.005
 *               dB, measured 0.004 at 0.42 fs); the points
 *               after the last samples count once the input has ended
 *               (two samples of 0.6 then silence: 1.2 sinc(1/2) = 0.764)
 *   per channel sample and true peaks of three channels, each its own
 *   A-weighting IEC 61672-1:2013 Table 3, class 1 acceptance limits
 *               (tests/common/iec61672.h): the A-weighted mean square of a
 *               unit sine over the sine's own mean square, and the designed
 *               response, at every one-third-octave frequency below 0.42 of
 *               44.1, 48 and 96 kHz; measured = designed within 0.05 dB (at
 *               32 kHz the weighting reads 0.3 dB above class 1 at 8 kHz:
 *               docs/meters.md)
 *   loudness    EBU Tech 3341: a stereo 1 kHz sine at -23 dBFS reads -23.0
 *               LUFS momentary (after 1 s) and short-term (after 3.5 s),
 *               within 0.1 LU; EBU Tech 3342 cases 1-3 (1 kHz sines, 20 s at
 *               each of two levels) give LRA 10, 5 and 20 LU within 1 LU
 *               (the integrated cases 1-5 run from gen_ebu's files: ebu.sh)
 *   API         every documented error code
 *
 * Input goes in blocks of random length (seeded: HPA_TEST_SEED replays),
 * through the double and the float entry alike. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpamp/meter.h>

#include "../common/iec61672.h"
#include "../signal/sigtest.h"

#define FS 48000u
#define FADE_S 0.02

static uint64_t rng;

static double db(double x)
{
    return 20.0 * log10(x);
}

/* a raised-cosine fade in and out over FADE_S */
static double fade(size_t n, size_t frames, double rate)
{
    const double f = FADE_S * rate, a = (double)n + 0.5, b = (double)(frames - n) - 0.5;
    const double t = a < f ? a / f : b < f ? b / f : 1.0;
    return t >= 1.0 ? 1.0 : 0.5 - 0.5 * cos(M_PI * t);
}

/* add interleaved doubles in random blocks, alternately as doubles and floats */
static void add_random(hpa_meter *m, const double *x, size_t frames, unsigned ch, int use_float)
{
    float *f = use_float ? calloc(frames * ch, sizeof *f) : NULL;
    if (f)
        for (size_t i = 0; i < frames * ch; i++)
            f[i] = (float)x[i];
    for (size_t done = 0; done < frames;) {
        size_t k = 1 + (size_t)(st_rand_uniform(&rng) * 3000.0);
        k = k < frames - done ? k : frames - done;
        const int rc = f ? hpa_meter_add_float(m, f + done * ch, k) : hpa_meter_add_double(m, x + done * ch, k);
        st_ok("hpa_meter_add", rc);
        done += k;
    }
    free(f);
}

/* ---- true peak ---- */

static double faded_sine(double a, double fr, double phi, double t, size_t frames)
{
    /* the fade evaluated at the nearest sample: it moves over 960 samples, so
     * between two samples it changes by < 1e-5 of A */
    const size_t n = t < 0 ? 0 : (size_t)t >= frames ? frames - 1 : (size_t)t;
    return a * fade(n, frames, FS) * sin(2.0 * M_PI * fr * t + phi);
}

static void true_peak_sweep(void)
{
    const size_t frames = FS / 2;
    double *x = calloc(frames, sizeof *x);
    const double freqs[] = {0.01, 0.05, 0.1, 0.13, 0.2, 0.25, 0.3, 0.33, 0.37, 0.4, 0.42};
    const double phases[] = {0.0, 17.0, 45.0, 72.5, 90.0, 133.0};
    double worst = 0.0;
    int bad_bounds = 0;
    for (size_t fi = 0; fi < sizeof freqs / sizeof freqs[0]; fi++)
        for (size_t pi = 0; pi < sizeof phases / sizeof phases[0]; pi++) {
            const double a = 0.8, fr = freqs[fi], phi = phases[pi] * M_PI / 180.0;
            double grid = 0.0;
            for (size_t n = 0; n < frames; n++) {
                x[n] = faded_sine(a, fr, phi, (double)n, frames);
                for (int p = 0; p < 4; p++) {
                    const double v = fabs(faded_sine(a, fr, phi, (double)n + p / 4.0, frames));
                    grid = v > grid ? v : grid;
                }
            }
            hpa_meter *m = NULL;
            if (!st_ok("hpa_meter_create", hpa_meter_create(1, FS, HPA_METER_TRUE_PEAK, NULL, &m)))
                continue;
            add_random(m, x, frames, 1, (int)(pi & 1));
            hpa_meter_end(m);
            double tp = 0.0;
            st_ok("hpa_meter_true_peak", hpa_meter_true_peak(m, 0, &tp));
            hpa_meter_destroy(m);
            const double err = fabs(db(tp) - db(grid));
            if (err > worst)
                worst = err;
            if (!(tp <= a * 1.00058 && tp >= a * cos(M_PI * fr / 4.0) * 0.99942)) { /* 0.005 dB */
                bad_bounds++;
                st_note("f %.2f fs, phase %.1f: true peak %.6f outside [A cos(pi f/4), A] = [%.6f, %.6f]", fr,
                        phases[pi], tp, a * cos(M_PI * fr / 4.0), a);
            }
        }
    st_le("true peak vs the sine at the 4x grid, worst over 11 frequencies x 6 phases", worst, 0.005, "dB");
    st_eq_int("true peaks outside A cos(pi f / 4 fs) .. A", bad_bounds, 0);
    free(x);
}

static void true_peak_quarter(void)
{
    /* fs/4 at 45 degrees: the samples are +-A sin(45) = 0.7071 A, the waveform reaches A halfway between them */
    const size_t frames = FS / 2;
    double *x = calloc(frames, sizeof *x);
    for (size_t n = 0; n < frames; n++)
        x[n] = fade(n, frames, FS) *
               sin(M_PI / 2.0 * (double)(n % 4) + M_PI / 4.0); /* n mod 4: no rounding of a large argument */
    hpa_meter *m = NULL;
    if (st_ok("hpa_meter_create", hpa_meter_create(1, FS, HPA_METER_TRUE_PEAK | HPA_METER_SAMPLE_PEAK, NULL, &m))) {
        add_random(m, x, frames, 1, 0);
        hpa_meter_end(m);
        double sp = 0.0, tp = 0.0;
        hpa_meter_sample_peak(m, 0, &sp);
        hpa_meter_true_peak(m, 0, &tp);
        st_abs_le("fs/4 at 45 degrees, full scale: sample peak - sin(45 degrees)", sp - sqrt(0.5), 2e-16, "");
        st_abs_le("fs/4 at 45 degrees, full scale: true peak", db(tp), 0.005, "dBTP");
        hpa_meter_destroy(m);
    }
    free(x);
}

static void true_peak_end(void)
{
    /* 64 frames of silence, then 0.6 0.6: the waveform between the two is
     * 2 * 0.6 sinc(1/2) = 1.2 * 2 / pi; its point needs the 16 frames after */
    double x[66] = {0};
    x[64] = x[65] = 0.6;
    hpa_meter *m = NULL;
    if (!st_ok("hpa_meter_create", hpa_meter_create(1, FS, HPA_METER_TRUE_PEAK, NULL, &m)))
        return;
    hpa_meter_add_double(m, x, 66);
    double before = 0.0, after = 0.0;
    hpa_meter_true_peak(m, 0, &before);
    hpa_meter_end(m);
    hpa_meter_true_peak(m, 0, &after);
    st_abs_le("two samples 0.6 at the end, before end(): the samples", before - 0.6, 1e-7, "");
    st_abs_le("after end(): 1.2 sinc(1/2) (the window: within 0.5 %)", after / (2.4 / M_PI) - 1.0, 0.005, "");
    hpa_meter_destroy(m);
}

static void per_channel(void)
{
    /* ch 0: 0.5 sin(pi n / 2): samples 0, 0.5, 0, -0.5; ch 1: 0.25 sin(pi n / 2 + pi / 4);
     * ch 2: silence */
    const size_t frames = FS / 4;
    double *x = calloc(frames * 3, sizeof *x);
    for (size_t n = 0; n < frames; n++) {
        const double w = fade(n, frames, FS);
        x[3 * n] = 0.5 * w * sin(M_PI / 2.0 * (double)(n % 4));
        x[3 * n + 1] = 0.25 * w * sin(M_PI / 2.0 * (double)(n % 4) + M_PI / 4.0);
        x[3 * n + 2] = 0.0;
    }
    const double want_sp[3] = {0.5, 0.25 * sqrt(0.5), 0.0}, want_tp[3] = {0.5, 0.25, 0.0};
    for (int use_float = 0; use_float < 2; use_float++) {
        hpa_meter *m = NULL;
        if (!st_ok("hpa_meter_create", hpa_meter_create(3, FS, HPA_METER_SAMPLE_PEAK | HPA_METER_TRUE_PEAK, NULL, &m)))
            continue;
        add_random(m, x, frames, 3, use_float);
        hpa_meter_end(m);
        for (unsigned c = 0; c < 3; c++) {
            double sp = -1.0, tp = -1.0;
            char name[160];
            hpa_meter_sample_peak(m, c, &sp);
            hpa_meter_true_peak(m, c, &tp);
            snprintf(name, sizeof name, "%s, channel %u: sample peak - %.7f", use_float ? "float" : "double", c,
                     want_sp[c]);
            st_abs_le(name, sp - want_sp[c], use_float ? 1e-7 : 1e-16, "");
            snprintf(name, sizeof name, "%s, channel %u: true peak / %.2f (0.003 dB)", use_float ? "float" : "double",
                     c, want_tp[c]);
            st_abs_le(name, c < 2 ? tp / want_tp[c] - 1.0 : tp, 3.5e-4, "");
        }
        hpa_meter_destroy(m);
    }
    free(x);
}

/* ---- A-weighting ---- */

/* the A-weighted level of a unit sine at f: the meter's mean square after a
 * 2 s settling over the sine's own, over whole periods of >= 1 s */
static double aweighted_db(uint32_t rate, double f)
{
    const size_t settle = 2 * (size_t)rate;
    const size_t n = (size_t)llround(ceil(f) * rate / f);
    double *x = calloc(settle + n, sizeof *x), in = 0.0;
    for (size_t i = 0; i < settle + n; i++) {
        x[i] = sin(2.0 * M_PI * f * (double)i / rate);
        if (i >= settle)
            in += x[i] * x[i];
    }
    hpa_meter *m = NULL;
    double level = NAN, e1 = 0.0, e2 = 0.0;
    uint64_t n1 = 0, n2 = 0;
    if (st_ok("hpa_meter_create", hpa_meter_create(1, rate, HPA_METER_AWEIGHT, NULL, &m))) {
        add_random(m, x, settle, 1, 0);
        hpa_meter_aweighted(m, 0, &e1, &n1);
        add_random(m, x + settle, n, 1, 0);
        hpa_meter_aweighted(m, 0, &e2, &n2);
        if (n2 - n1 == n)
            level = 10.0 * log10((e2 - e1) / in);
        hpa_meter_destroy(m);
    }
    free(x);
    return level;
}

static void aweighting(void)
{
    const uint32_t rates[] = {44100, 48000, 96000};
    for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
        int out_m = 0, out_d = 0, apart = 0, rows = 0;
        double worst_apart = 0.0;
        for (size_t k = 0; k < IEC61672_ROWS; k++) {
            const struct iec61672_row *row = &iec61672_table[k];
            const double f = iec61672_exact(row->f);
            if (f >= 0.42 * rates[r])
                continue;
            rows++;
            const double lo = row->tol_lo <= -99 ? -1e9 : row->a_db + row->tol_lo, hi = row->a_db + row->tol_hi;
            double d = NAN;
            st_ok("hpa_meter_aweight_response_db", hpa_meter_aweight_response_db(rates[r], f, &d));
            const double mdb = aweighted_db(rates[r], f);
            if (!(d >= lo && d <= hi)) {
                out_d++;
                st_note("%u Hz, %g Hz: designed %.3f dB outside %.1f .. %.1f", rates[r], row->f, d, lo, hi);
            }
            if (!(mdb >= lo && mdb <= hi)) {
                out_m++;
                st_note("%u Hz, %g Hz: measured %.3f dB outside %.1f .. %.1f", rates[r], row->f, mdb, lo, hi);
            }
            const double gap = fabs(mdb - d);
            apart += !(gap <= 0.05);
            worst_apart = gap > worst_apart ? gap : worst_apart;
        }
        char name[160];
        snprintf(name, sizeof name, "%u Hz: measured levels outside IEC 61672-1 class 1 (of %d frequencies)", rates[r],
                 rows);
        st_eq_int(name, out_m, 0);
        snprintf(name, sizeof name, "%u Hz: designed responses outside class 1", rates[r]);
        st_eq_int(name, out_d, 0);
        snprintf(name, sizeof name, "%u Hz: largest |measured - designed|", rates[r]);
        st_le(name, worst_apart, 0.05, "dB");
    }
}

/* ---- loudness ---- */

/* a stereo 1 kHz sine, 20 s at each of the levels (dBFS peak), into x */
static double *tone_steps(const double *dbfs, size_t steps, double seconds, size_t *frames)
{
    const size_t per = (size_t)(seconds * FS);
    double *x = calloc(per * steps * 2, sizeof *x);
    for (size_t s = 0; s < steps; s++)
        for (size_t n = 0; n < per; n++) {
            const size_t i = s * per + n;
            x[2 * i] = x[2 * i + 1] = pow(10.0, dbfs[s] / 20.0) * sin(2.0 * M_PI * 1000.0 * (double)i / FS);
        }
    *frames = per * steps;
    return x;
}

static void loudness(void)
{
    const double level = -23.0;
    size_t frames = 0;
    double *x = tone_steps(&level, 1, 3.5, &frames);
    hpa_meter *m = NULL;
    if (st_ok("hpa_meter_create", hpa_meter_create(2, FS, HPA_METER_MOMENTARY | HPA_METER_SHORTTERM, NULL, &m))) {
        double mo = 0.0, sh = 0.0;
        add_random(m, x, FS, 2, 0);
        st_ok("hpa_meter_momentary", hpa_meter_momentary(m, &mo));
        st_abs_le("EBU 3341: stereo 1 kHz at -23 dBFS, momentary after 1 s + 23", mo + 23.0, 0.1, "LU");
        add_random(m, x + (size_t)2 * FS, frames - FS, 2, 1);
        st_ok("hpa_meter_shortterm", hpa_meter_shortterm(m, &sh));
        st_abs_le("EBU 3341: the same, short-term after 3.5 s + 23", sh + 23.0, 0.1, "LU");
        hpa_meter_destroy(m);
    }
    free(x);
    /* EBU Tech 3342 cases 1-3 */
    const struct {
        double a, b, lra;
    } lra_cases[] = {{-20.0, -30.0, 10.0}, {-20.0, -15.0, 5.0}, {-40.0, -20.0, 20.0}};
    for (size_t k = 0; k < 3; k++) {
        const double lv[2] = {lra_cases[k].a, lra_cases[k].b};
        x = tone_steps(lv, 2, 20.0, &frames);
        if (st_ok("hpa_meter_create", hpa_meter_create(2, FS, HPA_METER_RANGE, NULL, &m))) {
            double lra = 0.0;
            add_random(m, x, frames, 2, (int)(k & 1));
            st_ok("hpa_meter_range", hpa_meter_range(m, &lra));
            char name[120];
            snprintf(name, sizeof name, "EBU 3342 case %zu (%g then %g dBFS): LRA - %g", k + 1, lv[0], lv[1],
                     lra_cases[k].lra);
            st_abs_le(name, lra - lra_cases[k].lra, 1.0, "LU");
            hpa_meter_destroy(m);
        }
        free(x);
    }
}

/* ---- the API's error codes ---- */

static void api(void)
{
    hpa_meter *m = (hpa_meter *)&rng;
    st_eq_int("create: out NULL", hpa_meter_create(2, FS, HPA_METER_ALL, NULL, NULL), HPA_ERR_INVALID_ARG);
    st_eq_int("create: no modes", hpa_meter_create(2, FS, 0, NULL, &m), HPA_ERR_INVALID_ARG);
    st_eq_int("create: failure sets *out NULL", m == NULL, 1);
    st_eq_int("create: unknown mode bit", hpa_meter_create(2, FS, 1u << 7, NULL, &m), HPA_ERR_INVALID_ARG);
    st_eq_int("create: 0 channels", hpa_meter_create(0, FS, HPA_METER_ALL, NULL, &m), HPA_ERR_CHANNELS);
    st_eq_int("create: 65 channels", hpa_meter_create(65, FS, HPA_METER_ALL, NULL, &m), HPA_ERR_CHANNELS);
    st_eq_int("create: 7999 Hz", hpa_meter_create(2, 7999, HPA_METER_ALL, NULL, &m), HPA_ERR_RATE);
    st_eq_int("create: 768001 Hz", hpa_meter_create(2, 768001, HPA_METER_ALL, NULL, &m), HPA_ERR_RATE);
    if (!st_ok("create: 64 channels at 8 kHz, every mode", hpa_meter_create(64, 8000, HPA_METER_ALL, NULL, &m)))
        return;
    st_eq_int("modes", hpa_meter_modes(m), HPA_METER_ALL);
    st_eq_int("channels", hpa_meter_channels(m), 64);
    double v = 1.0;
    st_eq_int("sample peak before any frame", hpa_meter_sample_peak(m, 63, &v) == HPA_OK && v == 0.0, 1);
    st_eq_int("channel 64 of 64", hpa_meter_true_peak(m, 64, &v), HPA_ERR_INVALID_ARG);
    st_eq_int("add: NULL frames", hpa_meter_add_double(m, NULL, 1), HPA_ERR_INVALID_ARG);
    st_eq_int("add: NULL and 0 frames", hpa_meter_add_float(m, NULL, 0), HPA_OK);
    st_eq_int("reset", hpa_meter_reset(m), HPA_OK);
    st_eq_int("integrated after reset, no input: -inf", hpa_meter_integrated(m, &v) == HPA_OK && v == -HUGE_VAL, 1);
    hpa_meter_destroy(m);
    if (!st_ok("create: sample peak only", hpa_meter_create(1, FS, HPA_METER_SAMPLE_PEAK, NULL, &m)))
        return;
    st_eq_int("true peak not asked for", hpa_meter_true_peak(m, 0, &v), HPA_ERR_STATE);
    st_eq_int("A-weighting not asked for", hpa_meter_aweighted(m, 0, &v, NULL), HPA_ERR_STATE);
    st_eq_int("loudness not asked for", hpa_meter_integrated(m, &v), HPA_ERR_STATE);
    st_eq_int("read into NULL", hpa_meter_sample_peak(m, 0, NULL), HPA_ERR_INVALID_ARG);
    hpa_meter_destroy(m);
    hpa_meter_destroy(NULL);
    st_eq_int("response below 8 kHz rate", hpa_meter_aweight_response_db(7999, 1000, &v), HPA_ERR_RATE);
    st_eq_int("response at Nyquist", hpa_meter_aweight_response_db(48000, 24000, &v), HPA_ERR_INVALID_ARG);
}

int main(void)
{
    rng = st_seed(0x6d65746572ULL); /* "meter" */
    st_begin("meters: true peak, per-channel peaks, A-weighting, loudness", 1, rng);
    true_peak_quarter();
    true_peak_sweep();
    true_peak_end();
    per_channel();
    aweighting();
    loudness();
    api();
    return st_end();
}
