/* test_stages.c — the headphone stages in the chain (issue 4) against
 * independent truths.  One program, one part per argument:
 *
 *   switch     A band-set switch during playback is a crossfade, not a step.
 *              A 50 Hz sine (amplitude 0.25) plays through PK 50 Hz +6 dB,
 *              then the set becomes PK 50 Hz -6 dB (and later the EQ is
 *              switched off).  At the centre frequency a peaking band's gain
 *              is exactly its gain_db (RBJ cookbook), so the amplitudes
 *              before and after are 0.25 * 10^(+-6/20), within 0.01 dB.  During
 *              the switch the output may change from one sample to the next by
 *              at most what the louder steady sine does (A g 2 pi f / fs) plus
 *              the crossfade's share, A |g1 - g0| / fade frames, plus 10 %.
 *              A control run with a 1 ms fade must break that bound (the
 *              measure sees a fast switch).  The same for a crossfeed move
 *              (feed 4.5 -> 9.5 dB, then off) on the crossfed channel of a
 *              left-only 20 Hz sine; the crossfed level changes as the feed
 *              split predicts (crossfed share of the bass = c / (1 + c),
 *              c = 10^(-feed/20); see the crossfeed part), +-0.1 dB.
 *   crossfeed  libbs2b's presets and a continuous setting, measured with
 *              sines through the chain: left input only, the right output is
 *              the crossfed path.  At 20 Hz it lies feed_db below the direct
 *              path (+-0.15 dB); relative to its own 20 Hz level it is -3.01 dB
 *              at fcut (+-0.3 dB) and crosses -3 dB between 0.9 and 1.1 fcut
 *              (libbs2b documents fcut as the cut frequency and feed as the
 *              level at low frequencies).  A mono signal (L = R) keeps its
 *              level within the tolerance derived in mono_bounds() below.
 *              A mono chain refuses to switch the crossfeed on.
 *   limiter    Full-scale square waves (1 kHz, 5 kHz, 11 kHz), a fs/4 sine at
 *              45 degrees (true peak 3 dB above its samples) and real music
 *              (loop_garzul.flac), all driven 12 dB hot, never exceed the
 *              ceiling (-1 dBTP, and -3 dBTP) measured as true peak by
 *              the reference meter (tests/common/tpref), nor its sample peak.  A
 *              quiet signal comes out bit-identical, only delayed by the
 *              reported latency, with no gain reduction metered; a steady
 *              sine 7 dB over the ceiling is metered as 7.05 dB (the limiter
 *              aims 0.05 dB below its ceiling) and comes out at -1.05 dBTP.
 *   headroom   Full-scale pink noise and real music (peak-normalised to
 *              0 dBFS) through a +6 dB low shelf with automatic headroom
 *              never clip; the preamp taken is -6 dB (a shelf's largest gain
 *              is its gain at DC, +6 dB); without the preamp they do clip.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpref.h"
#include <sndfile.h>

#include <hpamp/eq.h>

#include "sigtest.h"

#define MUSIC "/usr/share/sonic-pi/samples/loop_garzul.flac"

typedef struct run_opts {
    uint32_t rate;
    unsigned channels;
    double volume_db;
    double crossfade_ms;
    double lookahead_ms;
    double ceiling_db;
} run_opts;

static hpa_chain *make(const run_opts *o)
{
    hpa_chain_config cfg;
    hpa_chain_config_init(&cfg);
    cfg.in_rate_hz = cfg.out_rate_hz = o->rate;
    cfg.channels = o->channels;
    cfg.max_block_frames = 1024;
    cfg.in_format = cfg.out_format = HPA_FORMAT_F64;
    cfg.dither = HPA_DITHER_NONE;
    cfg.volume_db = o->volume_db;
    cfg.max_volume_db = o->volume_db > 0 ? o->volume_db : 0.0;
    cfg.max_eq_bands = 16;
    cfg.crossfade_ms = o->crossfade_ms;
    cfg.limiter_lookahead_ms = o->lookahead_ms;
    hpa_chain *c = NULL;
    if (!st_ok("hpa_chain_create", hpa_chain_create(&cfg, &c)))
        exit(1);
    if (o->lookahead_ms > 0)
        st_ok("set ceiling", hpa_chain_set_param(c, HPA_PARAM_LIMITER_CEILING_DBTP, o->ceiling_db));
    return c;
}

/* frames of in through c into out (frames * channels), blocks of odd sizes;
 * returns the frames written */
static size_t feed(hpa_chain *c, unsigned ch, const double *in, size_t frames, double *out)
{
    static const size_t sizes[] = {997, 1, 480, 1024, 13, 701};
    const size_t cap = hpa_chain_max_out_frames(c);
    size_t done = 0, pos = 0, k = 0;
    while (pos < frames) {
        size_t n = sizes[k++ % 6];
        if (n > frames - pos)
            n = frames - pos;
        size_t got = 0;
        if (!st_ok("process", hpa_chain_process(c, in + pos * ch, n, out + done * ch, cap, &got)))
            exit(1);
        pos += n;
        done += got;
    }
    return done;
}

static size_t drain(hpa_chain *c, unsigned ch, double *out)
{
    const size_t cap = hpa_chain_max_out_frames(c);
    size_t done = 0, got;
    do {
        if (!st_ok("drain", hpa_chain_drain(c, out + done * ch, cap, &got)))
            exit(1);
        done += got;
    } while (got);
    return done;
}

/* amplitude of the sine at f in channel c of x, over frames [a, a + n) (a whole number of cycles) */
static double amp_at(const double *x, unsigned ch, unsigned c, size_t a, size_t n, double f, double fs)
{
    double re = 0, im = 0;
    for (size_t i = 0; i < n; i++) {
        double w = 2 * M_PI * f * (double)(a + i) / fs;
        re += x[(a + i) * ch + c] * cos(w);
        im += x[(a + i) * ch + c] * sin(w);
    }
    return 2.0 * hypot(re, im) / (double)n;
}

/* ------------------------------------------------------------------------ */

static double max_step(const double *y, unsigned ch, size_t a, size_t b)
{
    double m = 0;
    for (size_t i = a + 1; i < b; i++)
        for (unsigned c = 0; c < ch; c++) {
            double d = fabs(y[i * ch + c] - y[(i - 1) * ch + c]);
            m = d > m ? d : m;
        }
    return m;
}

static void part_switch(void)
{
    const uint32_t fs = 48000;
    const double f = 50.0, A = 0.25;
    const double g_up = pow(10.0, 6.0 / 20.0), g_down = pow(10.0, -6.0 / 20.0);
    const hpa_eq_band up = {.type = HPA_EQ_PK, .freq_hz = f, .gain_db = 6.0, .q = 1.0};
    const hpa_eq_band down = {.type = HPA_EQ_PK, .freq_hz = f, .gain_db = -6.0, .q = 1.0};
    const size_t seg = fs; /* 1 s per segment: 50 whole cycles */
    double *in = malloc(sizeof(double) * 2 * seg), *out = malloc(sizeof(double) * 2 * 3 * seg);
    if (!in || !out)
        exit(99);

    for (int control = 0; control < 2; control++) {
        const double fade_ms = control ? 1.0 : 20.0;
        const double fade = fade_ms * fs / 1000.0;
        run_opts o = {fs, 2, 0.0, fade_ms, 0.0, -1.0};
        hpa_chain *c = make(&o);
        st_ok("set_eq +6", hpa_chain_set_eq(c, &up, 1, 0.0, NULL, NULL));
        size_t t = 0, got = 0;
        for (int s = 0; s < 3; s++) {
            for (size_t i = 0; i < seg; i++)
                in[2 * i] = in[2 * i + 1] = A * cos(2 * M_PI * f * (double)(t + i) / fs); /* switches at a crest */
            if (s == 1)
                st_ok("set_eq -6", hpa_chain_set_eq(c, &down, 1, 0.0, NULL, NULL));
            if (s == 2)
                st_ok("eq_enable 0", hpa_chain_set_param(c, HPA_PARAM_EQ_ENABLE, 0.0));
            got += feed(c, 2, in, seg, out + got * 2);
            t += seg;
        }
        hpa_chain_destroy(c);
        const double slope = 2 * M_PI * f / fs;
        const double bound1 = 1.1 * (A * g_up * slope + A * (g_up - g_down) / fade);
        const double bound2 = 1.1 * (A * 1.0 * slope + A * (1.0 - g_down) / fade);
        const double step1 = max_step(out, 2, seg - 100, seg + seg / 2);
        const double step2 = max_step(out, 2, 2 * seg - 100, 2 * seg + seg / 2);
        if (!control) {
            st_abs_le("PK +6 dB at its centre: amplitude error",
                      st_db_amp(amp_at(out, 2, 0, seg / 2, seg / 2, f, fs) / (A * g_up)), 0.01, "dB");
            st_abs_le("after the switch to -6 dB: amplitude error",
                      st_db_amp(amp_at(out, 2, 1, seg + seg / 2, seg / 2, f, fs) / (A * g_down)), 0.01, "dB");
            st_abs_le("after eq_enable 0: amplitude error",
                      st_db_amp(amp_at(out, 2, 0, 2 * seg + seg / 2, seg / 2, f, fs) / A), 0.01, "dB");
            st_le("band-set switch, 20 ms fade: largest step", step1, bound1, "");
            st_le("EQ off, 20 ms fade: largest step", step2, bound2, "");
        } else {
            /* the bound for a 20 ms fade must catch a 1 ms one */
            const double b20 = 1.1 * (A * g_up * slope + A * (g_up - g_down) / (20.0 * fs / 1000.0));
            st_ge("control: a 1 ms fade breaks the 20 ms bound (ratio)", step1 / b20, 1.5, "x");
        }
    }

    /* a crossfeed move during playback (default 700 Hz / 4.5 dB -> 9.5 dB,
     * then off): a 20 Hz sine on the left only; the right output is the
     * crossfed path.  Its steady amplitudes before and after (measured)
     * bound the largest step the same way; a 1 ms fade must break it. */
    for (int control = 0; control < 2; control++) {
        const double xf_f = 20.0;
        const double fade_ms = control ? 1.0 : 20.0;
        run_opts o = {fs, 2, 0.0, fade_ms, 0.0, -1.0};
        hpa_chain *c = make(&o);
        st_ok("crossfeed on", hpa_chain_set_param(c, HPA_PARAM_CROSSFEED_ENABLE, 1.0));
        size_t t = 0, got = 0;
        for (int s = 0; s < 3; s++) {
            for (size_t i = 0; i < seg; i++) {
                in[2 * i] = A * cos(2 * M_PI * xf_f * (double)(t + i) / fs);
                in[2 * i + 1] = 0.0;
            }
            if (s == 1)
                st_ok("feed 9.5 dB", hpa_chain_set_param(c, HPA_PARAM_CROSSFEED_FEED_DB, 9.5));
            if (s == 2)
                st_ok("crossfeed off", hpa_chain_set_param(c, HPA_PARAM_CROSSFEED_ENABLE, 0.0));
            got += feed(c, 2, in, seg, out + got * 2);
            t += seg;
        }
        hpa_chain_destroy(c);
        const double a0 = amp_at(out, 2, 1, seg / 2, seg / 2, xf_f, fs);
        const double a1 = amp_at(out, 2, 1, seg + seg / 2, seg / 2, xf_f, fs);
        const double slope = 2 * M_PI * xf_f / fs;
        const double bound = 1.1 * ((a0 > a1 ? a0 : a1) * slope + fabs(a1 - a0) / (20.0 * fs / 1000.0));
        /* the right channel only: the left's level moves less */
        double step = 0;
        for (size_t i = seg - 100; i < seg + seg / 2; i++) {
            double d = fabs(out[2 * i + 1] - out[2 * (i - 1) + 1]);
            step = d > step ? d : step;
        }
        if (!control) {
            st_abs_le("crossfeed 4.5 -> 9.5 dB: crossfed level change vs 10^(-5/20) (20 Hz)",
                      st_db_amp(a1 / a0) - st_db_amp(pow(10.0, -5.0 / 20.0) * (1.0 + pow(10.0, -4.5 / 20.0)) /
                                                     (1.0 + pow(10.0, -9.5 / 20.0))),
                      0.1, "dB");
            st_le("crossfeed level move, 20 ms fade: largest step (right)", step, bound, "");
            double off = 0;
            for (size_t i = 2 * seg - 100; i < 2 * seg + seg / 2; i++) {
                double d = fabs(out[2 * i + 1] - out[2 * (i - 1) + 1]);
                off = d > off ? d : off;
            }
            st_le("crossfeed off, 20 ms fade: largest step (right)", off,
                  1.1 * (a1 * slope + a1 / (20.0 * fs / 1000.0)), "");
            st_le("crossfeed off: right channel silent at the end", fabs(out[2 * (3 * seg - 1) + 1]), 0.0, "");
        } else {
            st_ge("control: a 1 ms crossfeed move breaks the 20 ms bound (ratio)", step / bound, 1.5, "x");
        }
    }
    free(in);
    free(out);
}

/* ------------------------------------------------------------------------ */

typedef struct xf_meas {
    double l, r; /* output amplitudes for a left-only sine of amplitude 1 */
} xf_meas;

static xf_meas xf_measure(hpa_chain *c, double f, double fs, int mono)
{
    const size_t n = (size_t)fs; /* 1 s: whole cycles for integer f */
    const size_t settle = (size_t)fs / 2;
    double *in = malloc(sizeof(double) * 2 * (n + settle)), *out = malloc(sizeof(double) * 2 * (n + settle));
    if (!in || !out)
        exit(99);
    for (size_t i = 0; i < n + settle; i++) {
        in[2 * i] = 0.25 * sin(2 * M_PI * f * (double)i / fs);
        in[2 * i + 1] = mono ? in[2 * i] : 0.0;
    }
    hpa_chain_reset(c);
    size_t got = feed(c, 2, in, n + settle, out);
    if (got != n + settle)
        st_eq_int("crossfeed: frames out", (long long)got, (long long)n + (long long)settle);
    xf_meas m = {amp_at(out, 2, 0, settle, n, f, fs) / 0.25, amp_at(out, 2, 1, settle, n, f, fs) / 0.25};
    free(in);
    free(out);
    return m;
}

static void part_crossfeed(void)
{
    const uint32_t rates[] = {44100, 48000};
    for (int ri = 0; ri < 2; ri++) {
        const double fs = rates[ri];
        for (int pi = 0; pi < 4; pi++) {
            const hpa_crossfeed_preset *p = hpa_crossfeed_preset_get(pi);
            const hpa_crossfeed_preset custom = {"1000 Hz, 3 dB", 1000.0, 3.0, ""};
            if (!p)
                p = &custom;
            run_opts o = {rates[ri], 2, 0.0, 1.0, 0.0, -1.0};
            hpa_chain *c = make(&o);
            st_ok("fcut", hpa_chain_set_param(c, HPA_PARAM_CROSSFEED_FCUT_HZ, p->fcut_hz));
            st_ok("feed", hpa_chain_set_param(c, HPA_PARAM_CROSSFEED_FEED_DB, p->feed_db));
            st_ok("crossfeed on", hpa_chain_set_param(c, HPA_PARAM_CROSSFEED_ENABLE, 1.0));
            char name[160];
            xf_meas lf = xf_measure(c, 20.0, fs, 0);
            snprintf(name, sizeof name, "%s @%g: crossfed - direct at 20 Hz, error vs -%.1f dB", p->name, fs,
                     p->feed_db);
            st_abs_le(name, st_db_amp(lf.r / lf.l) + p->feed_db, 0.15, "dB");
            xf_meas at = xf_measure(c, p->fcut_hz, fs, 0);
            snprintf(name, sizeof name, "%s @%g: crossfed path at fcut %.0f Hz vs 20 Hz, error vs -3.01 dB", p->name,
                     fs, p->fcut_hz);
            st_abs_le(name, st_db_amp(at.r / lf.r) + 3.0103, 0.3, "dB");
            xf_meas lo = xf_measure(c, round(0.9 * p->fcut_hz), fs, 0),
                    hi = xf_measure(c, round(1.1 * p->fcut_hz), fs, 0);
            snprintf(name, sizeof name, "%s @%g: crossfed level at 0.9 fcut above -3 dB", p->name, fs);
            st_ge(name, st_db_amp(lo.r / lf.r), -3.0103, "dB");
            snprintf(name, sizeof name, "%s @%g: crossfed level at 1.1 fcut below -3 dB", p->name, fs);
            st_le(name, st_db_amp(hi.r / lf.r), -3.0103, "dB");
            /* mono: level across the band */
            double lo_db = 1e9, hi_db = -1e9;
            for (int bi = 0; 20.0 * pow(2.0, bi / 3.0) <= 20000.0; bi++) { /* third octaves */
                const double f = 20.0 * pow(2.0, bi / 3.0);
                xf_meas m = xf_measure(c, round(f), fs, 1);
                double db = st_db_amp(m.l);
                lo_db = db < lo_db ? db : lo_db;
                hi_db = db > hi_db ? db : hi_db;
            }
            /* bs2b splits the feed between the paths so that at low
             * frequencies direct + crossfed = 1 (mono bass keeps its level):
             * the highest mono level is 0 dB; at high frequencies only the
             * direct path remains, 1 / (1 + 10^(-feed/20)) of the sum, the
             * lowest level the mono signal can reach */
            const double floor_db = -st_db_amp(1.0 + pow(10.0, -p->feed_db / 20.0));
            snprintf(name, sizeof name, "%s @%g: mono, highest level 20 Hz - 20 kHz", p->name, fs);
            st_abs_le(name, hi_db, 0.1, "dB");
            snprintf(name, sizeof name, "%s @%g: mono, lowest level - (%.2f dB)", p->name, fs, floor_db);
            st_ge(name, lo_db - floor_db, -0.1, "dB");
            hpa_chain_destroy(c);
        }
    }
    run_opts o = {48000, 1, 0.0, 20.0, 0.0, -1.0};
    hpa_chain *c = make(&o);
    st_eq_int("mono chain: crossfeed_enable 1 refused", hpa_chain_set_param(c, HPA_PARAM_CROSSFEED_ENABLE, 1.0),
              HPA_ERR_UNSUPPORTED);
    hpa_chain_destroy(c);
}

/* ------------------------------------------------------------------------ */

static double *read_music(size_t *frames, uint32_t *rate)
{
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *sf = sf_open(MUSIC, SFM_READ, &info);
    if (!sf || info.channels != 2) {
        st_ok("open " MUSIC, HPA_ERR_INVALID_ARG);
        exit(1);
    }
    double *x = malloc(sizeof(double) * 2 * (size_t)info.frames);
    if (!x)
        exit(99);
    *frames = (size_t)sf_readf_double(sf, x, info.frames);
    *rate = (uint32_t)info.samplerate;
    sf_close(sf);
    return x;
}

/* true peak (dBTP) by the tests' reference meter (tests/common/tpref: the
 * exact band-limited waveform at 16x; libebur128's 4x filter reads these
 * outputs up to 0.06 dB high and near Nyquist far low) and sample peak (dBFS)
 * of stereo x */
static void measure_peaks(const double *x, size_t frames, uint32_t rate, double *tp_db, double *sp_db)
{
    (void)rate;
    double sp = 0;
    for (size_t i = 0; i < 2 * frames; i++)
        sp = fabs(x[i]) > sp ? fabs(x[i]) : sp;
    *tp_db = tpref_dbtp(x, frames, 2, 16);
    if (isnan(*tp_db))
        exit(99);
    *sp_db = st_db_amp(sp);
}

static void limit_case(const char *what, const double *in, size_t frames, uint32_t rate, double ceiling)
{
    run_opts o = {rate, 2, 12.0, 20.0, 2.0, ceiling};
    hpa_chain *c = make(&o);
    double *out = malloc(sizeof(double) * 2 * (frames + 4096));
    if (!out)
        exit(99);
    size_t got = feed(c, 2, in, frames, out);
    got += drain(c, 2, out + got * 2);
    char name[200];
    snprintf(name, sizeof name, "%s: frames out", what);
    st_eq_int(name, (long long)got, (long long)frames);
    double tp, sp, tp_in, sp_in;
    measure_peaks(out, got, rate, &tp, &sp);
    measure_peaks(in, frames, rate, &tp_in, &sp_in);
    hpa_chain_stats s;
    hpa_chain_get_stats(c, &s);
    st_note("%s: input %.2f dBTP + 12 dB; reduction up to %.2f dB", what, tp_in, s.limiter_max_reduction_db);
    snprintf(name, sizeof name, "%s @%u: true peak (reference, 16x) - ceiling %.0f dBTP", what, rate, ceiling);
    st_le(name, tp - ceiling, 0.0, "dB");
    snprintf(name, sizeof name, "%s @%u: sample peak - ceiling", what, rate);
    st_le(name, sp - ceiling, 0.0, "dB");
    hpa_chain_destroy(c);
    free(out);
}

static void part_limiter(void)
{
    const uint32_t rates[] = {44100, 48000};
    const double ceilings[] = {-1.0, -3.0};
    for (int ri = 0; ri < 2; ri++) {
        const uint32_t fs = rates[ri];
        const size_t n = fs; /* 1 s */
        double *x = malloc(sizeof(double) * 2 * n);
        if (!x)
            exit(99);
        for (int ci = 0; ci < 2; ci++) {
            const double sq_f[] = {1000.0, 5000.0, 11000.0};
            for (int k = 0; k < 3; k++) {
                for (size_t i = 0; i < n; i++) {
                    double ph = fmod(sq_f[k] * (double)i / fs, 1.0);
                    x[2 * i] = x[2 * i + 1] = ph < 0.5 ? 1.0 : -1.0;
                }
                char what[64];
                snprintf(what, sizeof what, "square %.0f Hz", sq_f[k]);
                limit_case(what, x, n, fs, ceilings[ci]);
            }
            for (size_t i = 0; i < n; i++) {
                x[2 * i] = sin(M_PI / 2.0 * (double)i + M_PI / 4.0) / sqrt(2.0) * 2.0;
                x[2 * i + 1] = x[2 * i] * 0.5;
            }
            limit_case("fs/4 sine at 45 deg", x, n, fs, ceilings[ci]);
        }
        free(x);
    }
    size_t mf;
    uint32_t mr;
    double *m = read_music(&mf, &mr);
    limit_case("loop_garzul.flac", m, mf, mr, -1.0);
    limit_case("loop_garzul.flac", m, mf, mr, -3.0);

    /* the output does not depend on how the audio is split into blocks: odd
     * sizes (1, 13, 480, 701, 997, 1024) against one frame at a time, with a
     * quiet stretch (the limiter at rest) between loud ones */
    {
        const size_t n = mf < 3 * (size_t)mr ? mf : 3 * (size_t)mr;
        double *x = malloc(sizeof(double) * 2 * n), *a = malloc(sizeof(double) * 2 * (n + 4096)),
               *b = malloc(sizeof(double) * 2 * (n + 4096));
        if (!x || !a || !b)
            exit(99);
        for (size_t i = 0; i < 2 * n; i++)
            x[i] = m[i] * ((i / 2) % mr < mr / 2 ? 1.0 : 0.1);
        run_opts o = {mr, 2, 12.0, 20.0, 2.0, -1.0};
        hpa_chain *c1 = make(&o), *c2 = make(&o);
        size_t g1 = feed(c1, 2, x, n, a);
        g1 += drain(c1, 2, a + 2 * g1);
        size_t g2 = 0, got;
        for (size_t i = 0; i < n; i++) {
            if (!st_ok("process", hpa_chain_process(c2, x + 2 * i, 1, b + 2 * g2, hpa_chain_max_out_frames(c2), &got)))
                exit(1);
            g2 += got;
        }
        g2 += drain(c2, 2, b + 2 * g2);
        long long diff = 0;
        for (size_t i = 0; i < 2 * g1 && i < 2 * g2; i++)
            diff += a[i] != b[i];
        st_eq_int("blocks of odd sizes vs one frame at a time: frames", (long long)g1, (long long)g2);
        st_eq_int("blocks of odd sizes vs one frame at a time: samples that differ", diff, 0);
        hpa_chain_destroy(c1);
        hpa_chain_destroy(c2);
        free(x);
        free(a);
        free(b);
    }

    /* transparency: quiet music is only delayed, bit for bit */
    {
        run_opts o = {mr, 2, 0.0, 20.0, 2.0, -1.0};
        hpa_chain *c = make(&o);
        double *q = malloc(sizeof(double) * 2 * mf), *out = malloc(sizeof(double) * 2 * (mf + 4096));
        if (!q || !out)
            exit(99);
        double tp, sp;
        for (size_t i = 0; i < 2 * mf; i++)
            q[i] = m[i] * 0.5;
        measure_peaks(q, mf, mr, &tp, &sp);
        st_note("quiet music: %.2f dBTP", tp);
        size_t got = feed(c, 2, q, mf, out);
        got += drain(c, 2, out + got * 2);
        long long diff = 0;
        for (size_t i = 0; i < 2 * mf && i < 2 * got; i++)
            diff += q[i] != out[i];
        st_eq_int("below the ceiling: samples changed (latency trimmed)", diff, 0);
        st_eq_int("below the ceiling: frames out", (long long)got, (long long)mf);
        hpa_chain_stats s;
        hpa_chain_get_stats(c, &s);
        st_eq_int("below the ceiling: limited frames", (long long)s.limited_frames, 0);
        st_abs_le("below the ceiling: reduction metered", s.limiter_max_reduction_db, 0.0, "dB");
        /* the 2 ms attack, the guard's 108 frames and the detector's 2 x 64 - 2 */
        st_abs_le("latency = 2 ms attack + 234 frames", hpa_chain_latency_frames(c) - (round(0.002 * mr) + 234), 0.0,
                  "frames");
        hpa_chain_destroy(c);
        free(q);
        free(out);
    }
    /* metering: a steady 1 kHz sine 7 dB over a -1 dBTP ceiling (it peaks at +6 dBTP) */
    {
        const uint32_t fs = 48000;
        const size_t n = fs;
        run_opts o = {fs, 2, 0.0, 20.0, 2.0, -1.0};
        hpa_chain *c = make(&o);
        double *x = malloc(sizeof(double) * 2 * n), *out = malloc(sizeof(double) * 2 * (n + 4096));
        if (!x || !out)
            exit(99);
        const double a = pow(10.0, 6.0 / 20.0);
        for (size_t i = 0; i < n; i++)
            x[2 * i] = x[2 * i + 1] = a * sin(2 * M_PI * 1000.0 * (double)i / fs);
        size_t got = feed(c, 2, x, n, out);
        hpa_chain_stats s;
        hpa_chain_get_stats(c, &s);
        /* the limiter aims 0.05 dB below its ceiling (limiter.c, docs/chain.md) */
        st_abs_le("steady sine 7 dB over: reduction metered - 7.05 dB", s.limiter_max_reduction_db - 7.05, 0.01, "dB");
        st_abs_le("steady sine: output amplitude at the end vs -1.05 dBTP",
                  st_db_amp(amp_at(out, 2, 0, got - 4800, 4800, 1000.0, fs)) + 1.05, 0.01, "dB");
        hpa_chain_destroy(c);
        free(x);
        free(out);
    }
    free(m);
}

/* ------------------------------------------------------------------------ */

static void headroom_case(const char *what, const double *x, size_t frames, uint32_t rate)
{
    const hpa_eq_band shelf = {.type = HPA_EQ_LSC, .freq_hz = 105.0, .gain_db = 6.0, .q = 0.7};
    for (int control = 0; control < 2; control++) {
        run_opts o = {rate, 2, 0.0, 20.0, 0.0, -1.0};
        hpa_chain *c = make(&o);
        double pre = 0.0;
        st_ok("set_eq", hpa_chain_set_eq(c, &shelf, 1, control ? 0.0 : HPA_EQ_PREAMP_AUTO, &pre, NULL));
        double *out = malloc(sizeof(double) * 2 * frames);
        if (!out)
            exit(99);
        feed(c, 2, x, frames, out);
        hpa_chain_stats s;
        hpa_chain_get_stats(c, &s);
        char name[160];
        if (!control) {
            snprintf(name, sizeof name, "%s, +6 dB shelf, auto headroom: preamp + 6 dB", what);
            st_abs_le(name, pre + 6.0, 0.001, "dB");
            snprintf(name, sizeof name, "%s, +6 dB shelf, auto headroom: samples over full scale", what);
            st_eq_int(name, (long long)s.clipped[HPA_STAGE_OUTPUT], 0);
            snprintf(name, sizeof name, "%s, +6 dB shelf, auto headroom: peak", what);
            st_le(name, st_db_amp(s.peak), 0.0, "dBFS");
        } else {
            snprintf(name, sizeof name, "control: %s, +6 dB shelf, no preamp: peak above 0 dBFS", what);
            st_ge(name, st_db_amp(s.peak), 0.5, "dBFS");
        }
        hpa_chain_destroy(c);
        free(out);
    }
}

static void part_headroom(void)
{
    /* pink noise: white noise through Paul Kellet's refined pink filter
     * (+-0.05 dB from 9.2 Hz to Nyquist at 44.1 kHz), scaled to a 0 dBFS peak */
    const uint32_t fs = 44100;
    const size_t n = (size_t)10 * fs;
    double *x = malloc(sizeof(double) * 2 * n);
    if (!x)
        exit(99);
    uint64_t seed = st_seed(0x70696e6bULL);
    for (unsigned ch = 0; ch < 2; ch++) {
        double b[7] = {0};
        for (size_t i = 0; i < n; i++) {
            double w = st_rand_gauss(&seed);
            b[0] = 0.99886 * b[0] + w * 0.0555179;
            b[1] = 0.99332 * b[1] + w * 0.0750759;
            b[2] = 0.96900 * b[2] + w * 0.1538520;
            b[3] = 0.86650 * b[3] + w * 0.3104856;
            b[4] = 0.55000 * b[4] + w * 0.5329522;
            b[5] = -0.7616 * b[5] - w * 0.0168980;
            x[2 * i + ch] = b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + w * 0.5362;
            b[6] = w * 0.115926;
        }
    }
    double peak = 0;
    for (size_t i = 0; i < 2 * n; i++)
        peak = fabs(x[i]) > peak ? fabs(x[i]) : peak;
    for (size_t i = 0; i < 2 * n; i++)
        x[i] /= peak;
    headroom_case("pink noise at 0 dBFS", x, n, fs);
    free(x);

    size_t mf;
    uint32_t mr;
    double *m = read_music(&mf, &mr);
    peak = 0;
    for (size_t i = 0; i < 2 * mf; i++)
        peak = fabs(m[i]) > peak ? fabs(m[i]) : peak;
    for (size_t i = 0; i < 2 * mf; i++)
        m[i] /= peak;
    headroom_case("loop_garzul.flac at 0 dBFS", m, mf, mr);
    free(m);
}

int main(int argc, char **argv)
{
    const char *part = argc > 1 ? argv[1] : "";
    if (!strcmp(part, "switch")) {
        st_begin("EQ band-set switch and bypass: crossfaded, no step", 0, 0);
        part_switch();
    } else if (!strcmp(part, "crossfeed")) {
        st_begin("crossfeed (libbs2b): presets' cutoff, feed level and mono level", 0, 0);
        part_crossfeed();
    } else if (!strcmp(part, "limiter")) {
        st_begin("true-peak limiter: never above the ceiling (reference meter, 16x), transparent below it", 0, 0);
        part_limiter();
    } else if (!strcmp(part, "headroom")) {
        st_begin("automatic headroom: a +6 dB bass shelf never clips", 1, st_seed(0x70696e6bULL));
        part_headroom();
    } else {
        fprintf(stderr, "usage: test_stages switch|crossfeed|limiter|headroom\n");
        return 2;
    }
    return st_end();
}
