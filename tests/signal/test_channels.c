/* test_channels.c — balance and mono in the chain (issue 14, item 3), against
 * closed forms computed here.
 *
 *   balance  a 1 kHz sine on both channels: balance_db +6 leaves the right
 *            channel as it is and puts the left exactly 6 dB lower
 *            (20·log10 of the amplitude ratio, +-0.001 dB); -6 the other way
 *            round; +20 is clamped to the table's +12 dB.  Never a boost.
 *   mono     a sine on the left only with mono on: both outputs are
 *            (L + R)/2, 20·log10(1/2) = -6.02 dB under the input (+-0.001 dB).
 *   live     balance 0 -> -12 dB, then mono on, during playback at a crest of
 *            a 5 Hz sine: the largest sample-to-sample step stays under the
 *            bound of a 20 ms linear crossfade between the two steady states
 *            (the sine's own slope plus the level change spread over the
 *            fade, +10 %); the same chain with a 1 ms fade breaks that bound
 *            (the control).
 * The parameters are found by symbol (hpa_param_find), as every front end
 * finds them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigtest.h"

static int param_id(const char *symbol)
{
    int id = hpa_param_find(symbol);
    if (id < 0) {
        st_eq_int(symbol, id, 0); /* a FAIL row: the table has no such parameter */
        exit(st_end());
    }
    return id;
}

static hpa_chain *make(uint32_t fs, double fade_ms)
{
    hpa_chain_config cfg;
    hpa_chain_config_init(&cfg);
    cfg.in_rate_hz = cfg.out_rate_hz = fs;
    cfg.channels = 2;
    cfg.max_block_frames = 1024;
    cfg.in_format = cfg.out_format = HPA_FORMAT_F64;
    cfg.dither = HPA_DITHER_NONE;
    cfg.crossfade_ms = fade_ms;
    hpa_chain *c = NULL;
    if (!st_ok("hpa_chain_create", hpa_chain_create(&cfg, &c)))
        exit(1);
    return c;
}

static size_t feed(hpa_chain *c, const double *in, size_t frames, double *out)
{
    static const size_t sizes[] = {997, 1, 480, 1024, 13, 701};
    size_t done = 0, pos = 0, k = 0;
    while (pos < frames) {
        size_t n = sizes[k++ % 6], got = 0;
        if (n > frames - pos)
            n = frames - pos;
        if (!st_ok("process", hpa_chain_process(c, in + pos * 2, n, out + done * 2, hpa_chain_max_out_frames(c), &got)))
            exit(1);
        pos += n;
        done += got;
    }
    return done;
}

/* amplitude of the sine at f in channel ch of x over [a, a + n) (whole cycles) */
static double amp_at(const double *x, unsigned ch, size_t a, size_t n, double f, double fs)
{
    double re = 0, im = 0;
    for (size_t i = 0; i < n; i++) {
        const double w = 2 * M_PI * f * (double)(a + i) / fs;
        re += x[(a + i) * 2 + ch] * cos(w);
        im += x[(a + i) * 2 + ch] * sin(w);
    }
    return 2.0 * hypot(re, im) / (double)n;
}

static double db(double r)
{
    return 20.0 * log10(r);
}

/* the levels in dB of each output channel against amplitude A, after the
 * chain has settled (the second half of one second) */
static void levels(double bal, int mono, double left_amp, double right_amp, double out_db[2])
{
    const uint32_t fs = 48000;
    const double f = 1000.0;
    hpa_chain *c = make(fs, 20.0);
    st_ok("balance", hpa_chain_set_param(c, param_id("balance_db"), bal));
    st_ok("mono", hpa_chain_set_param(c, param_id("mono"), mono));
    double *in = malloc(sizeof(double) * 2 * fs), *out = malloc(sizeof(double) * 2 * fs);
    if (!in || !out)
        exit(99);
    for (size_t i = 0; i < fs; i++) {
        const double s = sin(2 * M_PI * f * (double)i / fs);
        in[2 * i] = left_amp * s;
        in[2 * i + 1] = right_amp * s;
    }
    size_t got = feed(c, in, fs, out);
    st_eq_int("frames out", (long long)got, fs);
    const double ref = left_amp > right_amp ? left_amp : right_amp;
    for (unsigned k = 0; k < 2; k++)
        out_db[k] = db(amp_at(out, k, fs / 2, fs / 2, f, fs) / ref);
    hpa_chain_destroy(c);
    free(in);
    free(out);
}

static void part_balance(void)
{
    double d[2];
    levels(6.0, 0, 0.5, 0.5, d);
    st_abs_le("balance +6: left - (-6 dB)", d[0] + 6.0, 0.001, "dB");
    st_abs_le("balance +6: right unchanged", d[1], 0.001, "dB");
    levels(-6.0, 0, 0.5, 0.5, d);
    st_abs_le("balance -6: left unchanged", d[0], 0.001, "dB");
    st_abs_le("balance -6: right - (-6 dB)", d[1] + 6.0, 0.001, "dB");
    levels(20.0, 0, 0.5, 0.5, d);
    st_abs_le("balance +20 clamped to +12: left - (-12 dB)", d[0] + 12.0, 0.001, "dB");
    st_abs_le("balance +20: right unchanged (never a boost)", d[1], 0.001, "dB");
}

static void part_mono(void)
{
    double d[2];
    const double half = db(0.5); /* -6.0206 dB */
    levels(0.0, 1, 0.5, 0.0, d);
    st_abs_le("mono, left-only input: left - 20log10(1/2)", d[0] - half, 0.001, "dB");
    st_abs_le("mono, left-only input: right - 20log10(1/2)", d[1] - half, 0.001, "dB");
    levels(-6.0, 1, 0.5, 0.0, d);
    st_abs_le("mono and balance -6: left - 20log10(1/2)", d[0] - half, 0.001, "dB");
    st_abs_le("mono and balance -6: right - (20log10(1/2) - 6)", d[1] - (half - 6.0), 0.001, "dB");
}

static double max_step(const double *y, size_t a, size_t b)
{
    double m = 0;
    for (size_t i = a + 1; i < b; i++)
        for (unsigned k = 0; k < 2; k++) {
            const double d = fabs(y[i * 2 + k] - y[(i - 1) * 2 + k]);
            m = d > m ? d : m;
        }
    return m;
}

static void part_live(void)
{
    const uint32_t fs = 48000;
    const double f = 5.0, A = 0.25, g = pow(10.0, -12.0 / 20.0);
    const size_t win = 2 * fs / 5; /* two whole cycles */
    const size_t seg = fs;
    const double slope = 2 * M_PI * f / fs;
    double *in = malloc(sizeof(double) * 2 * seg), *out = malloc(sizeof(double) * 2 * 3 * seg);
    if (!in || !out)
        exit(99);
    for (int control = 0; control < 2; control++) {
        const double fade_ms = control ? 1.0 : 20.0, fade = 20.0 * fs / 1000.0;
        hpa_chain *c = make(fs, fade_ms);
        size_t t = 0, got = 0;
        for (int s = 0; s < 3; s++) {
            for (size_t i = 0; i < seg; i++) { /* left full, right half: mono moves both */
                const double x = A * cos(2 * M_PI * f * (double)(t + i) / fs);
                in[2 * i] = x;
                in[2 * i + 1] = 0.5 * x;
            }
            if (s == 1)
                st_ok("balance -12", hpa_chain_set_param(c, param_id("balance_db"), -12.0));
            if (s == 2)
                st_ok("mono on", hpa_chain_set_param(c, param_id("mono"), 1.0));
            got += feed(c, in, seg, out + got * 2);
            t += seg;
        }
        hpa_chain_destroy(c);
        /* balance: the right goes from A/2 to A/2 * g; mono: the left from A
         * to 0.75 A, the right from A/2 g to 0.75 A g */
        const double bound1 = 1.1 * (A * slope + 0.5 * A * (1.0 - g) / fade);
        const double bound2 = 1.1 * (A * slope + A * 0.25 / fade);
        const double step1 = max_step(out, seg - 100, seg + seg / 2);
        const double step2 = max_step(out, 2 * seg - 100, 2 * seg + seg / 2);
        if (!control) {
            st_abs_le("after balance -12: right level + 12 dB",
                      db(amp_at(out, 1, seg + seg / 2, win, f, fs) / (0.5 * A)) + 12.0, 0.001, "dB");
            st_abs_le("after mono: left level - 20log10(0.75)",
                      db(amp_at(out, 0, 2 * seg + seg / 2, win, f, fs) / A) - db(0.75), 0.001, "dB");
            st_le("balance move, 20 ms fade: largest step", step1, bound1, "");
            st_le("mono on, 20 ms fade: largest step", step2, bound2, "");
        } else {
            st_ge("control: a 1 ms balance fade breaks the 20 ms bound (ratio)", step1 / bound1, 1.5, "x");
            st_ge("control: a 1 ms mono fade breaks the 20 ms bound (ratio)", step2 / bound2, 1.5, "x");
        }
    }
    free(in);
    free(out);
}

int main(int argc, char **argv)
{
    const char *part = argc > 1 ? argv[1] : "";
    if (!strcmp(part, "balance")) {
        st_begin("balance: the other side attenuated by exactly that many dB", 0, 0);
        part_balance();
    } else if (!strcmp(part, "mono")) {
        st_begin("mono: (L + R)/2 to both ears", 0, 0);
        part_mono();
    } else if (!strcmp(part, "live")) {
        st_begin("balance and mono moved during playback: crossfaded, no click", 0, 0);
        part_live();
    } else {
        fprintf(stderr, "usage: test_channels balance|mono|live\n");
        return 2;
    }
    return st_end();
}
