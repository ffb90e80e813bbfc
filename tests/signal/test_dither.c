/* test_dither.c — requantization error against the theory of non-subtractive
 * TPDF dither and against the shaper's analytic noise transfer function.
 *
 * The chain runs without resampling at unity gain, f64 in (values off the
 * integer grid, so the bit-transparent path is not taken) and integer out.
 * The error is the output minus the ideal input, in LSB: e = out - x * scale,
 * computed exactly in double.  Two input channels:
 *   ch0  a -60 dBFS sine at 997 Hz;
 *   ch1  digital silence plus a constant 0.37 LSB (off the grid).
 *
 * Theory (Wannamaker, Lipshitz & Vanderkooy, "A theory of non-subtractive
 * dither", 2000): TPDF dither of 2 LSB peak to peak added before rounding makes
 * the total error's first two moments independent of the signal; its mean is 0
 * and its variance LSB^2/12 (rounding) + LSB^2/6 (dither) = LSB^2/4, white.
 *
 * Shaped: the same total error e[n] reaches the output through the noise
 * transfer function whose zeros dither.c documents: on the unit circle at
 * f1 = 2.5 kHz and f2 = 5.5 kHz.  The test builds |NTF(f)| as the product of
 * |1 - z_k e^{-jw}| over the four zeros z_k = e^{+-j 2 pi f1/fs}, e^{+-j 2 pi f2/fs}
 * (it does not call hpa_shaper_design) and integrates |NTF|^2 * LSB^2/4 over
 * each band numerically.
 *
 * Spectra are Welch estimates (4-term Blackman-Harris, 4096-point segments,
 * 2^20 frames per run), whose band sums estimate band powers; the estimation
 * error of every band here is below 0.1 dB, far inside the 1 dB tolerances.
 * The dither's randomness comes from the chain's seed, printed at the start. */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigtest.h"

#define FRAMES (1u << 20)
#define SEG 4096u
#define BLOCK 4096u
#define SINE_DBFS (-60.0)
#define SINE_HZ 997.0
#define DC_LSB 0.37

#define LIMIT_POWER_DB 1.0           /* measured error power vs theory */
#define LIMIT_FLAT_DB 1.0            /* low band vs high band density (TPDF) */
#define LIMIT_SHAPED_GAIN_DB (-10.0) /* shaped vs TPDF, each 500 Hz band of 1-5 kHz */
#define LIMIT_NTF_DB 1.0             /* shaped band power vs |NTF|^2 LSB^2/4 */
#define LIMIT_MEAN_LSB 0.01          /* TPDF error mean: 0 in theory; sigma/sqrt(n) = 0.0005 */

static const double SIGMA2 = 0.25; /* total error variance in LSB^2 */

/* the input, interleaved stereo, for an output full scale `scale` */
static double *make_input(double rate, double scale)
{
    double *x = malloc(sizeof(double) * 2 * FRAMES);
    if (!x)
        exit(99);
    const double a = pow(10.0, SINE_DBFS / 20.0);
    for (size_t j = 0; j < FRAMES; j++) {
        x[2 * j] = a * sin(2.0 * M_PI * fmod(SINE_HZ * (double)j, rate) / rate);
        x[2 * j + 1] = DC_LSB / scale;
    }
    return x;
}

/* run the chain and return the error out - x*scale in LSB (interleaved stereo) */
static double *error_lsb(uint32_t rate, hpa_format fmt, hpa_dither dither, uint64_t seed, const double *x,
                         hpa_chain_stats *stats)
{
    hpa_chain_config cfg;
    st_config_stereo_f64(&cfg, rate, fmt, dither, BLOCK);
    cfg.volume_db = 0.0;
    cfg.seed = seed;
    size_t got = 0;
    void *out = st_run_chain(&cfg, x, FRAMES, BLOCK, &got, NULL, stats);
    if (!out)
        return NULL;
    char name[120];
    snprintf(name, sizeof name, "%s %gk %s: output frames == input frames", hpa_format_name(fmt), rate / 1000.0,
             hpa_dither_name(dither));
    if (!st_eq_int(name, (long long)got, FRAMES)) {
        free(out);
        return NULL;
    }
    const double scale = fmt == HPA_FORMAT_S16 ? 32768.0 : 8388608.0;
    double *e = malloc(sizeof(double) * 2 * FRAMES);
    if (!e)
        exit(99);
    for (size_t i = 0; i < 2 * (size_t)FRAMES; i++) {
        double v = fmt == HPA_FORMAT_S16 ? (double)((const int16_t *)out)[i] : (double)((const int32_t *)out)[i];
        e[i] = v - x[i] * scale;
    }
    free(out);
    return e;
}

static void mean_power(const double *e, size_t ch, double *mean, double *power)
{
    long double s = 0.0L, s2 = 0.0L;
    for (size_t j = 0; j < FRAMES; j++) {
        double v = e[2 * j + ch];
        s += v;
        s2 += (long double)v * v;
    }
    *mean = (double)(s / FRAMES);
    *power = (double)(s2 / FRAMES);
}

/* ---- the analytic NTF, from its zeros ---- */
typedef struct ntf_ctx {
    double fs;
} ntf_ctx;

static double ntf_mag2(double f, const void *vctx)
{
    const ntf_ctx *c = vctx;
    const double zf[2] = {2500.0, 5500.0}; /* dither.c: zeros on the unit circle */
    const double complex zinv = cexp(-I * 2.0 * M_PI * f / c->fs);
    double complex h = 1.0;
    for (int k = 0; k < 2; k++)
        for (int s = -1; s <= 1; s += 2)
            h *= 1.0 - cexp(I * s * 2.0 * M_PI * zf[k] / c->fs) * zinv;
    double m = cabs(h);
    return m * m;
}

/* expected power in the bins k_lo..k_hi of a Welch spectrum (bin width fs/SEG),
 * for white total error SIGMA2 shaped by |NTF|^2 (or flat when ctx is NULL) */
static double band_theory(const ntf_ctx *ctx, double fs, size_t k_lo, size_t k_hi)
{
    const double df = fs / SEG;
    double f0 = ((double)k_lo - 0.5) * df, f1 = ((double)k_hi + 0.5) * df;
    if (f0 < 0.0)
        f0 = 0.0;
    if (f1 > fs / 2)
        f1 = fs / 2;
    double integral = ctx ? st_integrate(ntf_mag2, ctx, f0, f1, 4000) : f1 - f0;
    return SIGMA2 * integral / (fs / 2.0);
}

static void tpdf24(uint64_t seed)
{
    const uint32_t rate = 48000;
    const double scale = 8388608.0;
    double *x = make_input(rate, scale);
    hpa_chain_stats st;
    double *e = error_lsb(rate, HPA_FORMAT_S24, HPA_DITHER_TPDF, seed, x, &st);
    free(x);
    if (!e)
        return;
    st_eq_int("s24 tpdf 48k: samples clamped at the output", (long long)st.clipped[HPA_STAGE_OUTPUT], 0);
    double *p = malloc(sizeof(double) * (SEG / 2 + 1));
    if (!p)
        exit(99);
    static const char *const chname[2] = {"-60 dBFS sine", "silence+0.37 LSB"};
    char name[200];
    for (size_t ch = 0; ch < 2; ch++) {
        double mean, power;
        mean_power(e, ch, &mean, &power);
        snprintf(name, sizeof name, "s24 tpdf 48k %s: total error power vs LSB^2/4", chname[ch]);
        st_abs_le(name, st_db_power(power / SIGMA2), LIMIT_POWER_DB, "dB");
        snprintf(name, sizeof name, "s24 tpdf 48k %s: error mean", chname[ch]);
        st_abs_le(name, mean, LIMIT_MEAN_LSB, "LSB");

        st_welch(e + ch, FRAMES, 2, SEG, p);
        /* the noise floor over 20 Hz-20 kHz relative to a full-scale sine (power 1/2) */
        size_t lo, hi;
        double band = st_band_power(p, SEG, rate, 20.0, 20000.0, &lo, &hi);
        double floor_meas = st_db_power(band * 0x1.0p-46 / 0.5);
        double floor_theory = st_db_power(band_theory(NULL, rate, lo, hi) * 0x1.0p-46 / 0.5);
        snprintf(name, sizeof name, "s24 tpdf 48k %s: floor 20-20k re FS sine %.2f dB (error)", chname[ch],
                 floor_theory);
        st_abs_le(name, floor_meas - floor_theory, LIMIT_POWER_DB, "dB");

        /* flat: every 4 kHz band against theory, and low against high density */
        for (int bi = 0; bi < 6; bi++) { /* 0, 4000, ..., 20000 Hz */
            const double f = 4000.0 * bi;
            double b = st_band_power(p, SEG, rate, f > 0 ? f : 20.0, f + 4000.0, &lo, &hi);
            snprintf(name, sizeof name, "s24 tpdf 48k %s: band %5.0f-%5.0f Hz vs flat theory", chname[ch],
                     f > 0 ? f : 20.0, f + 4000.0);
            st_abs_le(name, st_db_power(b / band_theory(NULL, rate, lo, hi)), LIMIT_POWER_DB, "dB");
        }
        size_t l1, h1, l2, h2;
        double low = st_band_power(p, SEG, rate, 20.0, 4000.0, &l1, &h1) / (double)(h1 - l1 + 1);
        double high = st_band_power(p, SEG, rate, 16000.0, 23900.0, &l2, &h2) / (double)(h2 - l2 + 1);
        snprintf(name, sizeof name, "s24 tpdf 48k %s: density 20-4k vs 16k-23.9k", chname[ch]);
        st_abs_le(name, st_db_power(low / high), LIMIT_FLAT_DB, "dB");
    }
    free(p);
    free(e);
}

static void shaped16(uint32_t rate, uint64_t seed)
{
    const double scale = 32768.0;
    const ntf_ctx ntf = {rate};
    char pre[64], name[200];
    snprintf(pre, sizeof pre, "s16 %gk", rate / 1000.0);
    double *x = make_input(rate, scale);
    hpa_chain_stats st_t, st_s;
    double *et = error_lsb(rate, HPA_FORMAT_S16, HPA_DITHER_TPDF, seed, x, &st_t);
    double *es = error_lsb(rate, HPA_FORMAT_S16, HPA_DITHER_SHAPED, seed + 1, x, &st_s);
    free(x);
    if (!et || !es) {
        free(et);
        free(es);
        return;
    }
    snprintf(name, sizeof name, "%s tpdf: samples clamped at the output", pre);
    st_eq_int(name, (long long)st_t.clipped[HPA_STAGE_OUTPUT], 0);
    snprintf(name, sizeof name, "%s shaped: samples clamped at the output", pre);
    st_eq_int(name, (long long)st_s.clipped[HPA_STAGE_OUTPUT], 0);

    const size_t nb = SEG / 2 + 1;
    double *pt[2], *ps[2];
    for (size_t ch = 0; ch < 2; ch++) {
        pt[ch] = malloc(sizeof(double) * nb);
        ps[ch] = malloc(sizeof(double) * nb);
        if (!pt[ch] || !ps[ch])
            exit(99);
        st_welch(et + ch, FRAMES, 2, SEG, pt[ch]);
        st_welch(es + ch, FRAMES, 2, SEG, ps[ch]);
    }

    /* total error powers: TPDF LSB^2/4; shaped LSB^2/4 times the mean of |NTF|^2 over 0..fs/2 */
    const double shaped_total = SIGMA2 * st_integrate(ntf_mag2, &ntf, 0.0, rate / 2.0, 20000) / (rate / 2.0);
    st_note("%s: analytic shaped total error power %.4f LSB^2 (%+.2f dB re TPDF)", pre, shaped_total,
            st_db_power(shaped_total / SIGMA2));
    for (size_t ch = 0; ch < 2; ch++) {
        double mean, power;
        mean_power(et, ch, &mean, &power);
        snprintf(name, sizeof name, "%s tpdf ch%zu: total error power vs LSB^2/4", pre, ch);
        st_abs_le(name, st_db_power(power / SIGMA2), LIMIT_POWER_DB, "dB");
        mean_power(es, ch, &mean, &power);
        snprintf(name, sizeof name, "%s shaped ch%zu: total error power vs NTF theory", pre, ch);
        st_abs_le(name, st_db_power(power / shaped_total), LIMIT_NTF_DB, "dB");
    }

    /* shaped against flat TPDF in every 500 Hz band of 1-5 kHz (both channels' spectra averaged) */
    for (int bi = 0; bi < 8; bi++) { /* 1000, 1500, ..., 4500 Hz */
        const double f = 1000.0 + 500.0 * bi;
        double t = 0.0, s = 0.0;
        for (size_t ch = 0; ch < 2; ch++) {
            t += st_band_power(pt[ch], SEG, rate, f, f + 500.0, NULL, NULL);
            s += st_band_power(ps[ch], SEG, rate, f, f + 500.0, NULL, NULL);
        }
        snprintf(name, sizeof name, "%s shaped vs tpdf: band %4.0f-%4.0f Hz", pre, f, f + 500.0);
        st_le(name, st_db_power(s / t), LIMIT_SHAPED_GAIN_DB, "dB");
    }

    /* shaped band powers against the analytic NTF, per channel */
    const double bands[][2] = {{100, 1000},   {1000, 2000},   {3000, 4500}, {6000, 9000},
                               {9000, 14000}, {14000, 20000}, {20000, 0}};
    for (size_t ch = 0; ch < 2; ch++)
        for (size_t b = 0; b < sizeof bands / sizeof bands[0]; b++) {
            double f0 = bands[b][0], f1 = bands[b][1] > 0 ? bands[b][1] : rate / 2.0 - 100.0;
            size_t lo, hi;
            double meas = st_band_power(ps[ch], SEG, rate, f0, f1, &lo, &hi);
            double want = band_theory(&ntf, rate, lo, hi);
            snprintf(name, sizeof name, "%s shaped ch%zu: band %5.0f-%5.0f Hz vs NTF (%+.1f dB re tpdf)", pre, ch, f0,
                     f1, st_db_power(want / band_theory(NULL, rate, lo, hi)));
            st_abs_le(name, st_db_power(meas / want), LIMIT_NTF_DB, "dB");
        }
    for (size_t ch = 0; ch < 2; ch++) {
        free(pt[ch]);
        free(ps[ch]);
    }
    free(et);
    free(es);
}

int main(void)
{
    const uint64_t seed = st_seed(0x5EED0D17ULL);
    st_begin("dither: TPDF error power and flatness, shaped noise vs TPDF and vs its analytic NTF", 1, seed);
    tpdf24(seed);
    shaped16(44100, seed + 2);
    shaped16(48000, seed + 4);
    return st_end();
}
