/* test_resample.c — the resampler measured with FFTW against closed forms.
 *
 * The chain runs as a pure resampler: f64 in and out, volume 0 dB, dither
 * none.  Inputs are sines computed in double with exact argument reduction
 * (phase = 2 pi ((m * f) mod fs_in) / fs_in), so the input's own error is at
 * the 1e-16 level.
 *
 * Analysis is bin-exact and unwindowed: every tone is a whole number of Hz and
 * the analysis window is one second of output (fs_out samples, 1 Hz bins), so
 * a tone occupies exactly one bin and an ideal resampler's output has no power
 * anywhere else.  Every deterministic artefact of a rational-ratio resampler
 * fed integer-Hz tones (harmonics, images, aliases) also falls on whole Hz, so
 * nothing leaks; noise-like error is leakage-neutral.  The analyzer itself is
 * calibrated first on synthetic signals with known spurs and noise at -150 dB
 * (rows "analyzer: ...") to show that -140 dB is resolved with margin.
 *
 * The THD+N runs are stereo, 1 kHz on the left and 19 kHz on the right (so a
 * channel mix-up shows as an in-band spur), with blocks of 2999 frames (odd:
 * exercises the chunking tails), of 1 frame and of 4096 (full) frames.
 *
 * Rows:
 *  - THD+N: power of all bins in 20 Hz - 20 kHz except the tone's bin, relative
 *    to the tone's power: <= -140 dB;
 *  - worst spur: the largest single such bin relative to the tone: <= -140 dB;
 *  - timing: the tone's phase against the ideal sin(2 pi f n / fs_out), i.e.
 *    the chain's promise that output frame n lines up with input time
 *    n / out_rate (chain.h), as a delay in output frames;
 *  - images (steep): the largest bin between the input's Nyquist (22.05 kHz,
 *    where chain.h's ">= 150 dB stopband" begins) and the output's, relative
 *    to the tone: <= -150 dB;
 *  - output length: in_frames * out_rate / in_rate frames in total after drain;
 *  - flatness (steep): a multitone of 34 bin-exact tones from 20 Hz to 20 kHz;
 *    each tone's output amplitude over its input amplitude within +-0.01 dB.
 *
 * Usage: test_resample [linear|steep|flatness|calibrate]... (none: all). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigtest.h"

#define IN_RATE 44100u
#define TONE_DBFS (-1.0)
#define SKIP_S 1     /* seconds of output skipped before the analysis window */
#define ANALYSIS_S 1 /* seconds analysed (1 Hz bins) */
#define TAIL_S 1     /* seconds after the window (the end transient) */
#define BLOCK 2999u  /* an odd block size: exercises the chunking tails */

#define LIMIT_THDN_DB (-140.0)
#define LIMIT_SPUR_DB (-140.0)
#define LIMIT_FLAT_DB 0.01
#define LIMIT_STEEP_STOPBAND_DB (-150.0) /* chain.h: steep, ">= 150 dB stopband" */
/* chain.h: "output frame n lines up with input time n / out_rate" */
#define LIMIT_TIMING_FRAMES 0.01

/* sin(2 pi f n / fs) with f and fs integers: exact argument reduction */
static double tone_sample(double amp, uint64_t f_hz, uint64_t n, uint64_t fs, double phase)
{
    uint64_t m = (f_hz * n) % fs;
    return amp * sin(2.0 * M_PI * (double)m / (double)fs + phase);
}

typedef struct thdn {
    double tone_db; /* tone power, dB re (A^2/2) of a full-scale sine */
    double thdn_db; /* rest of 20 Hz-20 kHz over the tone */
    double spur_db; /* worst single bin over the tone */
    double spur_hz;
    double image_db; /* worst single bin above the input's Nyquist (22.05 kHz) over the tone */
    double image_hz;
} thdn;

/* x: n samples at fs (n = fs: 1 Hz bins); tone at f_hz (integer) */
static thdn analyse(const double *x, size_t n, double fs, uint64_t f_hz)
{
    double *p = malloc(sizeof(double) * (n / 2 + 1));
    thdn r = {0};
    if (!p)
        exit(99);
    st_power_spectrum(x, n, p);
    const double df = fs / (double)n;
    const size_t k0 = (size_t)llround((double)f_hz / df);
    const size_t lo = (size_t)ceil(20.0 / df), hi = (size_t)floor(20000.0 / df);
    double rest = 0.0, worst = 0.0;
    size_t kworst = 0;
    for (size_t k = lo; k <= hi && k <= n / 2; k++) {
        if (k == k0)
            continue;
        rest += p[k];
        if (p[k] > worst) {
            worst = p[k];
            kworst = k;
        }
    }
    /* images and aliases: everything above the input's Nyquist is stopband */
    double img = 0.0;
    size_t kimg = 0;
    for (size_t k = (size_t)ceil(IN_RATE / 2.0 / df); k <= n / 2; k++)
        if (p[k] > img) {
            img = p[k];
            kimg = k;
        }
    r.image_db = img > 0.0 ? st_db_power(img / p[k0]) : -400.0;
    r.image_hz = (double)kimg * df;
    r.tone_db = st_db_power(p[k0] / 0.5);
    r.thdn_db = st_db_power(rest / p[k0]);
    r.spur_db = worst > 0.0 ? st_db_power(worst / p[k0]) : -400.0;
    r.spur_hz = (double)kworst * df;
    free(p);
    return r;
}

/* ---- the analyzer's own calibration: synthetic signals with known content ---- */
static void calibrate(void)
{
    const size_t fs = 48000, n = 48000;
    const double a = pow(10.0, TONE_DBFS / 20.0);
    double *x = malloc(sizeof(double) * n);
    char name[160];
    if (!x)
        exit(99);

    /* 1. an ideal bin-exact tone: nothing outside its bin (proves no leakage) */
    for (size_t j = 0; j < n; j++)
        x[j] = tone_sample(a, 19000, j, fs, 0.3);
    thdn r = analyse(x, n, (double)fs, 19000);
    st_le("analyzer: ideal 19 kHz tone, THD+N", r.thdn_db, -250.0, "dB");

    /* 2. plus two spurs 150 and 145 dB below it: the worst must read -145 dB */
    for (size_t j = 0; j < n; j++)
        x[j] = tone_sample(a, 1000, j, fs, 0.0) + tone_sample(a * pow(10.0, -150.0 / 20.0), 3000, j, fs, 1.0) +
               tone_sample(a * pow(10.0, -145.0 / 20.0), 15011, j, fs, 2.0);
    r = analyse(x, n, (double)fs, 1000);
    st_abs_le("analyzer: spur at -145 dB, worst spur reads (error)", r.spur_db + 145.0, 0.05, "dB");
    st_abs_le("analyzer: spur at -145 dB, at its frequency (error)", r.spur_hz - 15011.0, 0.0, "Hz");
    double want = st_db_power(pow(10.0, -14.5) + pow(10.0, -15.0));
    st_abs_le("analyzer: spurs -145 & -150 dB, THD+N reads (error)", r.thdn_db - want, 0.05, "dB");

    /* 3. plus white noise of known variance: THD+N = sigma^2 * (19980/24000) / (a^2/2) */
    uint64_t s = 12345; /* fixed: the noise only calibrates the analyzer */
    const double sigma = a * pow(10.0, -150.0 / 20.0);
    for (size_t j = 0; j < n; j++)
        x[j] = tone_sample(a, 1000, j, fs, 0.0) + sigma * st_rand_gauss(&s);
    r = analyse(x, n, (double)fs, 1000);
    want = st_db_power(sigma * sigma * (19980.0 / 24000.0) / (a * a / 2.0));
    snprintf(name, sizeof name, "analyzer: white noise, THD+N %.2f dB expected (error)", want);
    st_abs_le(name, r.thdn_db - want, 0.2, "dB");
    free(x);
}

/* Resample `frames` frames of x (interleaved, `channels` channels); returns the
 * output (f64) or NULL. */
static double *resample(uint32_t out_rate, hpa_filter filter, unsigned channels, const double *x, size_t frames,
                        size_t block, size_t *out_frames)
{
    hpa_chain_config cfg;
    hpa_chain_config_init(&cfg);
    cfg.in_rate_hz = IN_RATE;
    cfg.out_rate_hz = out_rate;
    cfg.channels = channels;
    cfg.max_block_frames = 4096;
    cfg.in_format = HPA_FORMAT_F64;
    cfg.out_format = HPA_FORMAT_F64;
    cfg.filter = filter;
    cfg.dither = HPA_DITHER_NONE;
    cfg.volume_db = 0.0;
    return st_run_chain(&cfg, x, frames, block, out_frames, NULL, NULL);
}

static const char *rate_name(uint32_t r)
{
    static char buf[4][32];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%gk", r / 1000.0);
    return buf[i];
}

/* One stereo run: 1 kHz on the left, 19 kHz on the right (a channel mix-up
 * shows as an in-band spur), each analysed on its own. */
static void thdn_case(uint32_t out_rate, hpa_filter filter, size_t block)
{
    static const uint64_t tones[2] = {1000, 19000};
    const size_t in_frames = (size_t)IN_RATE * (SKIP_S + ANALYSIS_S + TAIL_S);
    const double a = pow(10.0, TONE_DBFS / 20.0);
    double *x = malloc(sizeof(double) * 2 * in_frames);
    char pre[96], name[200];
    if (!x)
        exit(99);
    for (size_t m = 0; m < in_frames; m++)
        for (size_t ch = 0; ch < 2; ch++)
            x[2 * m + ch] = tone_sample(a, tones[ch], m, IN_RATE, 0.0);

    snprintf(pre, sizeof pre, "%s->%s %-6s block %4zu", rate_name(IN_RATE), rate_name(out_rate),
             hpa_filter_name(filter), block);
    size_t got = 0;
    double *y = resample(out_rate, filter, 2, x, in_frames, block, &got);
    free(x);
    if (!y)
        return;
    const size_t want_frames = (size_t)((uint64_t)in_frames * out_rate / IN_RATE);
    snprintf(name, sizeof name, "%s: output frames after drain", pre);
    st_eq_int(name, (long long)got, (long long)want_frames);

    const size_t n0 = (size_t)out_rate * SKIP_S, n = (size_t)out_rate * ANALYSIS_S;
    if (got < n0 + n) {
        snprintf(name, sizeof name, "%s: output long enough to analyse", pre);
        st_ge(name, (double)got, (double)(n0 + n), "frames");
        free(y);
        return;
    }
    double *yc = malloc(sizeof(double) * n);
    if (!yc)
        exit(99);
    for (size_t ch = 0; ch < 2; ch++) {
        const uint64_t f_hz = tones[ch];
        char pre2[128];
        snprintf(pre2, sizeof pre2, "%s %5llu Hz", pre, (unsigned long long)f_hz);
        for (size_t j = 0; j < n; j++)
            yc[j] = y[2 * (n0 + j) + ch];
        thdn r = analyse(yc, n, out_rate, f_hz);
        st_note("%s: tone %+.6f dBFS, worst spur at %.0f Hz", pre2, r.tone_db, r.spur_hz);
        snprintf(name, sizeof name, "%s: THD+N 20 Hz-20 kHz", pre2);
        st_le(name, r.thdn_db, LIMIT_THDN_DB, "dB");
        snprintf(name, sizeof name, "%s: worst spur 20 Hz-20 kHz", pre2);
        st_le(name, r.spur_db, LIMIT_SPUR_DB, "dB");
        if (filter == HPA_FILTER_STEEP) {
            /* chain.h: steep has ">= 150 dB stopband", which begins at the lower Nyquist */
            snprintf(name, sizeof name, "%s: worst image >22.05 kHz (%.0f Hz)", pre2, r.image_hz);
            st_le(name, r.image_db, LIMIT_STEEP_STOPBAND_DB, "dB");
        } else {
            st_note("%s: worst image above 22.05 kHz %.1f dB at %.0f Hz", pre2, r.image_db, r.image_hz);
        }

        /* timing: y[n0 + j] should be a * sin(2 pi f (n0 + j) / fs_out) = a * cos(2 pi k0 j / n + phi) */
        double amp, ph;
        st_dft_bin(yc, n, (size_t)f_hz * ANALYSIS_S, &amp, &ph);
        double phi = 2.0 * M_PI * (double)((f_hz * n0) % out_rate) / out_rate - M_PI / 2.0;
        double d = remainder(ph - phi, 2.0 * M_PI);
        double delay = -d * out_rate / (2.0 * M_PI * (double)f_hz) + 0.0; /* + 0.0: no "-0" */
        snprintf(name, sizeof name, "%s: timing vs n/out_rate (delay)", pre2);
        st_abs_le(name, delay, LIMIT_TIMING_FRAMES, "frames");
    }
    free(yc);
    free(y);
}

static void flatness_case(uint32_t out_rate)
{
    /* 30 log-spaced tones 20 Hz .. 20 kHz plus four near the top, Schroeder phases */
    uint64_t f[40];
    int nt = 0;
    for (int i = 0; i < 30; i++) {
        uint64_t v = (uint64_t)llround(20.0 * pow(1000.0, i / 29.0));
        if (nt == 0 || v != f[nt - 1])
            f[nt++] = v;
    }
    const uint64_t top[] = {17000, 18000, 19000, 19500};
    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++)
        f[nt++] = top[i];
    const double a = 0.02; /* 34 tones: peak <= 0.68 */

    const size_t in_frames = (size_t)IN_RATE * (SKIP_S + ANALYSIS_S + TAIL_S);
    double *x = calloc(in_frames, sizeof(double));
    if (!x)
        exit(99);
    for (int i = 0; i < nt; i++) {
        double ph = -M_PI * (double)i * (double)i / nt;
        for (size_t m = 0; m < in_frames; m++)
            x[m] += tone_sample(a, f[i], m, IN_RATE, ph);
    }
    size_t got = 0;
    double *y = resample(out_rate, HPA_FILTER_STEEP, 1, x, in_frames, BLOCK, &got);
    free(x);
    if (!y)
        return;
    const size_t n0 = (size_t)out_rate * SKIP_S, n = (size_t)out_rate * ANALYSIS_S;
    char name[200];
    if (got < n0 + n) {
        st_ge("flatness: output long enough to analyse", (double)got, (double)(n0 + n), "frames");
        free(y);
        return;
    }
    double *p = malloc(sizeof(double) * (n / 2 + 1));
    if (!p)
        exit(99);
    st_power_spectrum(y + n0, n, p);
    double worst = 0.0;
    for (int i = 0; i < nt; i++) {
        double g = st_db_amp(sqrt(2.0 * p[f[i] * ANALYSIS_S]) / a);
        snprintf(name, sizeof name, "%s->%s steep: passband gain at %5llu Hz", rate_name(IN_RATE), rate_name(out_rate),
                 (unsigned long long)f[i]);
        st_abs_le(name, g, LIMIT_FLAT_DB, "dB");
        if (fabs(g) > fabs(worst))
            worst = g;
    }
    st_note("%s->%s steep: largest passband deviation over %d tones %+.6f dB", rate_name(IN_RATE), rate_name(out_rate),
            nt, worst);
    free(p);
    free(y);
}

static int wanted(int argc, char **argv, const char *what)
{
    if (argc < 2)
        return 1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], what) == 0)
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    static const uint32_t rates[] = {48000, 352800};
    st_begin("resampling: THD+N, spurs, timing and passband of the f64 resampler (FFTW, bin-exact)", 0, 0);

    if (wanted(argc, argv, "calibrate") || wanted(argc, argv, "linear") || wanted(argc, argv, "steep"))
        calibrate();
    for (int fi = 0; fi < 2; fi++) {
        hpa_filter filter = fi ? HPA_FILTER_STEEP : HPA_FILTER_LINEAR;
        if (!wanted(argc, argv, hpa_filter_name(filter)))
            continue;
        for (size_t r = 0; r < 2; r++)
            thdn_case(rates[r], filter, BLOCK);
        /* the extremes of the block size: one frame per call, and full blocks */
        thdn_case(48000, filter, 1);
        thdn_case(352800, filter, 4096);
    }
    if (wanted(argc, argv, "flatness"))
        for (size_t r = 0; r < 2; r++)
            flatness_case(rates[r]);
    return st_end();
}
