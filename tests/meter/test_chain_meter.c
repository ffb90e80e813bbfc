/* test_chain_meter.c — hpa_chain_stats' per-channel output meters
 * (hpa_chain_config.meter_output) against truths computed here.
 *
 * A stereo chain at 48 kHz, f64 in and out at 0 dB, so its output is its
 * input: channel 0 a 1 kHz sine of amplitude 0.5 (a 48-sample period whose
 * samples include +-0.5 exactly: sin(2 pi k / 48), k = 12 and 36), channel 1
 * the same at 0.25 and 45 degrees (its peak sample 0.25 sin(2 pi 6 / 48 +
 * pi / 4) = 0.25).  Then:
 *   out_peak        0.5 and 0.25 (bit for bit)
 *   out_block_peak  of the last call: a final block of silence reads 0
 *   out_aweighted   the A-weighted mean square over 2 .. 5 s (after the
 *                   filters settle) is the sine's own, A^2 / 2, within
 *                   0.01 dB: the A-weighting is 0 dB at 1 kHz (IEC 61672-1)
 *   bit-identical   a chain with the meters and one without write the same
 *                   bytes, for f32 in and s24 out with TPDF dither and the
 *                   limiter on, in blocks of random length
 *   without meter_output every meter field stays 0. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpamp/chain.h>

#include "../signal/sigtest.h"

#define FS 48000u
#define BLOCK 1000u

static double tone(size_t n, unsigned c)
{
    const double w = 2.0 * M_PI * (double)(n % 48) / 48.0;
    return c == 0 ? 0.5 * sin(w) : 0.25 * sin(w + M_PI / 4.0);
}

static void meters(void)
{
    hpa_chain_config cfg;
    st_config_stereo_f64(&cfg, FS, HPA_FORMAT_F64, HPA_DITHER_NONE, BLOCK);
    cfg.meter_output = 1;
    hpa_chain *c = NULL;
    if (!st_ok("hpa_chain_create", hpa_chain_create(&cfg, &c)))
        return;
    double in[2 * BLOCK], out[2 * BLOCK];
    hpa_chain_stats s2 = {0}, s5 = {0}, s;
    size_t got = 0;
    for (size_t b = 0; b < 5 * FS / BLOCK; b++) {
        for (size_t i = 0; i < BLOCK; i++)
            for (unsigned k = 0; k < 2; k++)
                in[2 * i + k] = tone(b * BLOCK + i, k);
        st_ok("hpa_chain_process", hpa_chain_process(c, in, BLOCK, out, BLOCK, &got));
        if (b + 1 == 2 * FS / BLOCK)
            hpa_chain_get_stats(c, &s2);
    }
    hpa_chain_get_stats(c, &s5);
    int same = got == BLOCK;
    for (size_t i = 0; i < (size_t)2 * BLOCK; i++)
        same &= in[i] == out[i];
    st_eq_int("output = input (f64, 0 dB)", same, 1);
    st_abs_le("out_peak[0] - 0.5", s5.out_peak[0] - 0.5, 0.0, "");
    st_abs_le("out_peak[1] - 0.25", s5.out_peak[1] - 0.25, 0.0, "");
    st_abs_le("out_block_peak[0] - 0.5", s5.out_block_peak[0] - 0.5, 0.0, "");
    for (unsigned k = 0; k < 2; k++) {
        const double a = k == 0 ? 0.5 : 0.25;
        const double ms = (s5.out_aweighted[k] - s2.out_aweighted[k]) / (double)(s5.frames_out - s2.frames_out);
        char name[120];
        snprintf(name, sizeof name, "channel %u: A-weighted mean square over A^2/2, 1 kHz", k);
        st_abs_le(name, 10.0 * log10(ms / (a * a / 2.0)), 0.01, "dB");
    }
    memset(in, 0, sizeof in);
    st_ok("hpa_chain_process", hpa_chain_process(c, in, BLOCK, out, BLOCK, &got));
    hpa_chain_get_stats(c, &s);
    st_abs_le("a block of silence: out_block_peak[0]", s.out_block_peak[0], 0.0, "");
    st_abs_le("... and out_peak[0] keeps 0.5", s.out_peak[0] - 0.5, 0.0, "");
    st_ok("hpa_chain_reset", hpa_chain_reset(c));
    hpa_chain_get_stats(c, &s);
    st_eq_int("after reset: out_peak[0] and out_aweighted[0] are 0", s.out_peak[0] == 0.0 && s.out_aweighted[0] == 0.0,
              1);
    hpa_chain_destroy(c);
}

static void identical(void)
{
    uint64_t rng = st_seed(0x6368616dULL);
    const size_t frames = (size_t)3 * FS;
    float *in = malloc(frames * 2 * sizeof *in);
    for (size_t i = 0; i < frames * 2; i++)
        in[i] = (float)(1.2 * tone(i / 2, (unsigned)(i & 1)) + 0.3 * st_rand_gauss(&rng) * 0.3);
    unsigned char *out[2];
    size_t n_out[2] = {0, 0};
    hpa_chain_stats st[2];
    for (int with = 0; with < 2; with++) {
        hpa_chain_config cfg;
        st_config_stereo_f64(&cfg, FS, HPA_FORMAT_S24, HPA_DITHER_TPDF, 4096);
        cfg.in_format = HPA_FORMAT_F32;
        cfg.limiter_lookahead_ms = 2.0;
        cfg.meter_output = with;
        hpa_chain *c = NULL;
        out[with] = calloc(frames + 1000, (size_t)8);
        if (!st_ok("hpa_chain_create", hpa_chain_create(&cfg, &c)))
            return;
        st_ok("limiter on", hpa_chain_set_param(c, HPA_PARAM_LIMITER_ENABLE, 1.0));
        uint64_t r = 7;
        for (size_t done = 0; done < frames;) {
            size_t k = 1 + (size_t)(st_rand_uniform(&r) * 4095.0), got = 0;
            k = k < frames - done ? k : frames - done;
            st_ok("hpa_chain_process", hpa_chain_process(c, in + 2 * done, k, out[with] + n_out[with] * 8, k, &got));
            n_out[with] += got;
            done += k;
        }
        hpa_chain_get_stats(c, &st[with]);
        hpa_chain_destroy(c);
    }
    st_eq_int("the same frames out with and without the meters", (long long)n_out[1], (long long)n_out[0]);
    st_eq_int("the same bytes (f32 -> s24, TPDF, limiter)", memcmp(out[0], out[1], n_out[0] * 8) == 0, 1);
    st_eq_int("without meter_output the meters stay 0", st[0].out_peak[0] == 0.0 && st[0].out_aweighted[1] == 0.0, 1);
    st_eq_int("with them, out_peak[1] is set", st[1].out_peak[1] > 0.0, 1);
    free(out[0]);
    free(out[1]);
    free(in);
}

int main(void)
{
    st_begin("the chain's output meters (hpa_chain_stats)", 1, st_seed(0x6368616dULL));
    meters();
    identical();
    return st_end();
}
