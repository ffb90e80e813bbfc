/* test_ceiling.c — the true-peak limiter's ceiling, measured by the tests' own
 * reference meter (tests/common/tpref.c: the exact band-limited
 * reconstruction on a 16x grid, proven by test_tpref), never by libebur128
 * or the library's interpolator.
 *
 * A stereo chain at one rate in and out (44.1, 48 or 96 kHz: the argument),
 * f64 input, the limiter made with a 2 ms lookahead, switched on, ceiling
 * -1 dBTP, volume 0 dB, fed in blocks of 1024 frames and drained.  Inputs:
 *
 *   square F     full-scale squares at 1, 5, 6 and 11.025 kHz, 1 s (each
 *                checked to have no line at Nyquist: an odd period, or a
 *                zero alternating sum over an even one)
 *   burst +-K    the signs of sinc(n - 1/2), n = -K+1 .. K (K = 16, 32, 48),
 *                at full scale, one every 2048 samples, 1 s: each burst's
 *                reconstruction peaks at (4/pi) sum_{m<=K} 1/(2m-1) between
 *                its middle samples, +9.6 .. +11.4 dBTP
 *   sine .497fs  a sine at 0.497 fs, amplitude 1 and 2 (0 and +6 dBFS), 1 s
 *   noise +20dB  uniform white noise, +-10 (+20 dBFS), independent channels,
 *                1 s, seeded (the seed is printed; HPA_TEST_SEED replays)
 *   music +N dB  2 s of loop_garzul and loop_safari (Sonic Pi, CC0) from 1 s
 *                in, times 2 and 4 (+6, +12 dB); at 48 and 96 kHz the same
 *                samples are played at that rate
 *
 * each to f64 (no dither), s16 and s24 with TPDF dither, and at 44.1 kHz s16
 * with shaped dither.  Every output's reference true peak must be at most
 * the ceiling + 0.01 dB (dither included: integer outputs are scaled by
 * 2^(bits-1)).  The music must also come within 1 dB of the ceiling (the
 * limiter works, it does not just turn everything down).  One row per case:
 * signal, rate, format, the input's and the output's true peak, and the
 * margin (output - ceiling) as the measured value, and where the output's
 * peak is (an overshoot at 0 s or at the end is the ringing of the signal's
 * abrupt start or end, which the limiter must hold too). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>

#include "samples.h"
#include "sigtest.h"
#include "tpref.h"

#define CEILING_DBTP (-1.0)
#define TOLERANCE_DB 0.01
#define FACTOR 16
#define BLOCK 1024

typedef struct sig {
    char name[32];
    double *x; /* stereo, interleaved */
    size_t frames;
    int music;
} sig;

typedef struct outfmt {
    const char *name;
    hpa_format format;
    hpa_dither dither;
    double scale; /* full scale of the integer format */
} outfmt;

static const outfmt FORMATS[] = {
    {"f64", HPA_FORMAT_F64, HPA_DITHER_NONE, 1.0},
    {"s16 tpdf", HPA_FORMAT_S16, HPA_DITHER_TPDF, 32768.0},
    {"s24 tpdf", HPA_FORMAT_S24, HPA_DITHER_TPDF, 8388608.0},
    {"s16 shaped", HPA_FORMAT_S16, HPA_DITHER_SHAPED, 32768.0},
};

static double *alloc_frames(size_t frames)
{
    double *x = calloc(2 * frames, sizeof(double));
    if (!x)
        exit(99);
    return x;
}

static sig square(uint32_t fs, uint32_t f)
{
    sig s = {.frames = fs, .x = alloc_frames(fs)};
    snprintf(s.name, sizeof s.name, "square %g kHz", f / 1000.0);
    for (size_t i = 0; i < s.frames; i++)
        s.x[2 * i] = s.x[2 * i + 1] = 2 * (((uint64_t)f * i) % fs) < fs ? 1.0 : -1.0;
    /* the sampled square repeats every fs / gcd(f, fs) samples */
    uint32_t a = f, b = fs;
    while (b) {
        uint32_t t = a % b;
        a = b;
        b = t;
    }
    const size_t period = fs / a;
    long long alt = 0;
    for (size_t i = 0; period % 2 == 0 && i < period; i++)
        alt += (i % 2 ? -1 : 1) * (long long)s.x[2 * i];
    char name[96];
    snprintf(name, sizeof name, "%s @%u: no line at Nyquist (period %zu, alternating sum)", s.name, fs, period);
    st_eq_int(name, alt, 0);
    return s;
}

static sig burst(uint32_t fs, int k)
{
    sig s = {.frames = fs, .x = alloc_frames(fs)};
    snprintf(s.name, sizeof s.name, "burst +-%d", k);
    for (size_t start = 0; start + 2 * (size_t)k <= s.frames; start += 2048)
        for (int n = -k + 1; n <= k; n++) {
            const double u = n - 0.5; /* the sign of sinc(u) */
            const size_t i = start + (size_t)(n + k - 1);
            s.x[2 * i] = s.x[2 * i + 1] = sin(M_PI * u) / u > 0 ? 1.0 : -1.0;
        }
    return s;
}

static sig sine(uint32_t fs, double amp, const char *what)
{
    sig s = {.frames = fs, .x = alloc_frames(fs)};
    snprintf(s.name, sizeof s.name, "sine .497fs %s", what);
    for (size_t i = 0; i < s.frames; i++)
        s.x[2 * i] = s.x[2 * i + 1] = amp * sin(2 * M_PI * 0.497 * (double)i + 0.3);
    return s;
}

static sig noise(uint32_t fs, uint64_t seed)
{
    sig s = {.frames = fs, .x = alloc_frames(fs)};
    snprintf(s.name, sizeof s.name, "noise +20 dB");
    uint64_t state = seed;
    for (size_t i = 0; i < 2 * s.frames; i++)
        s.x[i] = 10.0 * (2.0 * st_rand_uniform(&state) - 1.0);
    return s;
}

/* 2 s of a stereo file from 1 s in, times gain */
static sig music(const char *file, double gain_db)
{
    int rate = 0;
    sig s = {.music = 1};
    s.x = hpt_sample_read(file, 2, &s.frames, &rate);
    if (!s.x)
        exit(1);
    const double g = pow(10.0, gain_db / 20.0);
    for (size_t i = 0; i < 2 * s.frames; i++)
        s.x[i] *= g;
    snprintf(s.name, sizeof s.name, "%s +%.0f dB", file, gain_db);
    return s;
}

/* the output of the chain as doubles, full scale 1.0 */
static double *as_double(const void *out, size_t frames, const outfmt *f)
{
    double *y = alloc_frames(frames);
    for (size_t i = 0; i < 2 * frames; i++) {
        if (f->format == HPA_FORMAT_F64)
            y[i] = ((const double *)out)[i];
        else if (f->format == HPA_FORMAT_S16)
            y[i] = ((const int16_t *)out)[i] / f->scale;
        else
            y[i] = ((const int32_t *)out)[i] / f->scale;
    }
    return y;
}

static double g_worst = -INFINITY;
static char g_worst_case[200];

static void run_case(const sig *s, double tp_in, uint32_t fs, const outfmt *f)
{
    hpa_chain_config cfg;
    st_config_stereo_f64(&cfg, fs, f->format, f->dither, BLOCK);
    cfg.limiter_lookahead_ms = 2.0;
    const st_param params[] = {{HPA_PARAM_LIMITER_ENABLE, 1.0}, {HPA_PARAM_LIMITER_CEILING_DBTP, CEILING_DBTP}};
    size_t got = 0;
    void *out = st_run_chain_params(&cfg, params, 2, s->x, s->frames, BLOCK, &got, NULL);
    if (!out)
        exit(1);
    char name[200];
    if (got != s->frames) {
        snprintf(name, sizeof name, "%.31s @%u %s: frames out", s->name, fs, f->name);
        st_eq_int(name, (long long)got, (long long)s->frames);
    }
    double *y = as_double(out, got, f);
    free(out);
    double at = 0;
    const double peak = tpref_peak(y, got, 2, FACTOR, -TPREF_GUARD, (long)got + TPREF_GUARD, NULL, &at);
    free(y);
    if (peak < 0)
        exit(99);
    const double tp = st_db_amp(peak), margin = tp - CEILING_DBTP;
    snprintf(name, sizeof name, "%-18.31s %6u %-10s in %+6.2f out %+7.3f dBTP at %6.3f s; out - ceiling", s->name, fs,
             f->name, tp_in, tp, at / fs);
    st_le(name, margin, TOLERANCE_DB, "dB");
    if (s->music) {
        snprintf(name, sizeof name, "%-18.31s %6u %-10s reaches the ceiling within 1 dB", s->name, fs, f->name);
        st_ge(name, margin, -1.0, "dB");
    }
    if (margin > g_worst) {
        g_worst = margin;
        snprintf(g_worst_case, sizeof g_worst_case, "%.31s @%u %s", s->name, fs, f->name);
    }
}

static void run_rate(uint32_t fs, uint64_t seed)
{
    sig sigs[16];
    size_t n = 0;
    const uint32_t sq[] = {1000, 5000, 6000, 11025};
    for (int i = 0; i < 4; i++)
        sigs[n++] = square(fs, sq[i]);
    for (int k = 16; k <= 48; k += 16)
        sigs[n++] = burst(fs, k);
    sigs[n++] = sine(fs, 1.0, "0 dB");
    sigs[n++] = sine(fs, 2.0, "+6 dB");
    sigs[n++] = noise(fs, seed);
    const char *files[] = {"loop_garzul", "loop_safari"};
    for (int i = 0; i < 2; i++) {
        sigs[n++] = music(files[i], 6.0);
        sigs[n++] = music(files[i], 12.0);
    }
    st_note("rows: signal, rate, output format, the input's and the output's true peak (reference meter), where "
            "the output's is; measured: output - ceiling");
    for (size_t i = 0; i < n; i++) {
        const double tp_in = tpref_dbtp(sigs[i].x, sigs[i].frames, 2, FACTOR);
        for (size_t f = 0; f < sizeof FORMATS / sizeof FORMATS[0]; f++)
            if (FORMATS[f].dither != HPA_DITHER_SHAPED || fs == 44100)
                run_case(&sigs[i], tp_in, fs, &FORMATS[f]);
        free(sigs[i].x);
    }
}

int main(int argc, char **argv)
{
    const uint64_t seed = st_seed(0xce111e5);
    uint32_t rates[3] = {44100, 48000, 96000};
    size_t nr = 3;
    if (argc == 2) {
        char *end = NULL;
        rates[0] = (uint32_t)strtoul(argv[1], &end, 10);
        nr = 1;
        if (*end || (rates[0] != 44100 && rates[0] != 48000 && rates[0] != 96000)) {
            fprintf(stderr, "usage: test_ceiling [44100|48000|96000]\n");
            return 2;
        }
    } else if (argc > 2) {
        fprintf(stderr, "usage: test_ceiling [44100|48000|96000]\n");
        return 2;
    }
    st_begin("the limiter's ceiling (-1 dBTP) under the reference meter (tests/common/tpref.c, 16x exact)", 1, seed);
    for (size_t r = 0; r < nr; r++)
        run_rate(rates[r], seed);
    st_note("worst: %+.3f dB over the ceiling (%s)", g_worst, g_worst_case);
    return st_end();
}
