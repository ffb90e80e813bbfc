/* fuzz_audio.c — a libFuzzer target for audio input: what hpamp does with
 * what libsndfile makes of a file (src/host/audiofile.c, then the chain and
 * the true-peak meter, as render, play and advise use them).
 *
 * The input is a whole file, written to an in-memory file (memfd) and opened
 * by path (/proc/self/fd/N) with hph_audio_open_read, as the command opens
 * its input.  Then, as render does: a sample rate or channel count the chain
 * cannot take is refused; otherwise up to MAX_FRAMES frames are read in
 * blocks and run through two chains at the file's own rate, both with the
 * true-peak limiter at CEILING_DB: one to f64 (the samples checked), one to
 * s16 with TPDF dither (integer requantization of whatever the file holds);
 * the frames also go through the true-peak meter (libhpamp's meter.h) as floats.
 * Aborts when an invariant breaks:
 *   - a refusal gives a reason: one line of printable text;
 *   - an opened file has a codec name, a known edge format, frames >= -1;
 *   - a read returns -1 .. the frames asked; no chain call fails;
 *   - while every sample read is finite, the f64 output is finite and no
 *     sample passes the limiter's ceiling (CEILING_DB + 0.001 dB);
 *   - the true peak of finite samples is finite and >= 0. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpamp/chain.h>
#include <hpamp/params.h>

#include <hpamp/host/audiofile.h>
#include "fuzz_common.h"
#include "fuzz_memfile.h"
#include <hpamp/meter.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BLOCK 1024
#define MAX_FRAMES (1 << 16)
#define CEILING_DB (-1.0)

static void check_line(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    FUZZ_CHECK(n > 0 && n < cap);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

/* one sample of an edge format as a double (full scale 1.0) */
static double sample(hpa_format f, const void *buf, size_t i)
{
    switch (f) {
    case HPA_FORMAT_S16: return ((const int16_t *)buf)[i] / 32768.0;
    case HPA_FORMAT_S24: return ((const int32_t *)buf)[i] / 8388608.0;
    case HPA_FORMAT_S32: return ((const int32_t *)buf)[i] / 2147483648.0;
    case HPA_FORMAT_F32: return ((const float *)buf)[i];
    default: return ((const double *)buf)[i];
    }
}

static hpa_chain *make_chain(const hph_audio_info *info, hpa_format out)
{
    hpa_chain_config cfg;
    hpa_chain_config_init(&cfg);
    cfg.in_rate_hz = cfg.out_rate_hz = info->rate_hz;
    cfg.channels = info->channels;
    cfg.max_block_frames = BLOCK;
    cfg.in_format = info->format;
    cfg.out_format = out;
    cfg.limiter_lookahead_ms = 2.0;
    hpa_chain *c = NULL;
    FUZZ_CHECK(hpa_chain_create(&cfg, &c) == HPA_OK);
    FUZZ_CHECK(hpa_chain_set_param(c, HPA_PARAM_LIMITER_ENABLE, 1.0) == HPA_OK);
    FUZZ_CHECK(hpa_chain_set_param(c, HPA_PARAM_LIMITER_CEILING_DBTP, CEILING_DB) == HPA_OK);
    return c;
}

/* the f64 output: finite and under the ceiling while the input was finite */
static void check_out(const double *out, size_t frames, unsigned channels, int finite_in)
{
    const double ceiling = pow(10.0, (CEILING_DB + 0.001) / 20.0);
    if (!finite_in)
        return;
    for (size_t i = 0; i < frames * channels; i++) {
        FUZZ_CHECK(isfinite(out[i]));
        FUZZ_CHECK(fabs(out[i]) <= ceiling);
    }
}

static void run(hph_audiofile *f, const hph_audio_info *info)
{
    const unsigned ch = info->channels;
    hpa_chain *c64 = make_chain(info, HPA_FORMAT_F64), *c16 = make_chain(info, HPA_FORMAT_S16);
    const size_t cap64 = hpa_chain_max_out_frames(c64), cap16 = hpa_chain_max_out_frames(c16);
    double *in = malloc((size_t)BLOCK * ch * sizeof(double)); /* room for any edge format */
    double *out64 = malloc(cap64 * ch * sizeof(double));
    int16_t *out16 = malloc(cap16 * ch * sizeof(int16_t));
    float *fl = malloc((size_t)BLOCK * ch * sizeof(float));
    hpa_meter *tp = NULL;
    const int metered = hpa_meter_create(ch, info->rate_hz, HPA_METER_TRUE_PEAK, NULL, &tp) == HPA_OK;
    FUZZ_CHECK(in && out64 && out16 && fl);
    int finite_in = 1;
    size_t got;
    for (size_t total = 0; total < MAX_FRAMES;) {
        int64_t n = hph_audio_read(f, in, BLOCK);
        FUZZ_CHECK(n >= -1 && n <= BLOCK);
        if (n <= 0)
            break;
        total += (size_t)n;
        for (size_t i = 0; i < (size_t)n * ch; i++) {
            double v = sample(info->format, in, i);
            finite_in &= isfinite(v) != 0;
            fl[i] = (float)(isfinite(v) ? fmax(-1e30, fmin(1e30, v)) : 0.0);
        }
        if (metered)
            FUZZ_CHECK(hpa_meter_add_float(tp, fl, (size_t)n) == HPA_OK);
        FUZZ_CHECK(hpa_chain_process(c64, in, (size_t)n, out64, cap64, &got) == HPA_OK && got <= cap64);
        check_out(out64, got, ch, finite_in);
        FUZZ_CHECK(hpa_chain_process(c16, in, (size_t)n, out16, cap16, &got) == HPA_OK && got <= cap16);
    }
    do {
        FUZZ_CHECK(hpa_chain_drain(c64, out64, cap64, &got) == HPA_OK && got <= cap64);
        check_out(out64, got, ch, finite_in);
    } while (got);
    do
        FUZZ_CHECK(hpa_chain_drain(c16, out16, cap16, &got) == HPA_OK && got <= cap16);
    while (got);
    if (metered)
        hpa_meter_end(tp);
    for (unsigned c = 0; metered && c < ch; c++) {
        double peak = -1.0;
        FUZZ_CHECK(hpa_meter_true_peak(tp, c, &peak) == HPA_OK && isfinite(peak) && peak >= 0.0);
    }
    hpa_meter_destroy(tp);
    free(fl);
    free(out16);
    free(out64);
    free(in);
    hpa_chain_destroy(c16);
    hpa_chain_destroy(c64);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input(data, size);
    const char *path = fuzz_memfile(data, size);
    hph_audio_info info;
    char why[256];
    memset(why, 'x', sizeof why);
    hph_audiofile *f = hph_audio_open_read(path, &info, why, sizeof why);
    if (!f) {
        check_line(why, sizeof why);
        return 0;
    }
    FUZZ_CHECK(info.format < HPA_FORMAT_COUNT && info.frames >= -1);
    check_line(info.codec, sizeof info.codec);
    if (info.rate_hz >= HPA_RATE_MIN_HZ && info.rate_hz <= HPA_RATE_MAX_HZ && info.channels >= 1 &&
        info.channels <= HPA_CHANNELS_MAX)
        run(f, &info);
    hph_audio_close(f);
    return 0;
}
