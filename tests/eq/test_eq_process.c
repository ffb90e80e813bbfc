/* test_eq_process.c — the [RT] path, hpa_eq_process, measured.
 *
 *   - impulse responses through hpa_eq_process (1, 2 and 3 channels, each
 *     channel its own scaled impulse, awkward block sizes), FFT'd with fftw
 *     and compared with the analytic response (eqtest.h): every type alone
 *     and mixed band sets, at 44.1 and 48 kHz, within 0.01 dB at every bin
 *     above -60 dB and 1e-6 absolute below;
 *   - the same noise through one call, random block sizes, and per-channel
 *     mono processors agrees (stereo kernel == strided kernel);
 *   - silence after a signal decays to exact zeros without a run of
 *     denormals; NaN, infinite and overflowing input reset the state;
 *   - set_bands, caller memory (size/init), get_coefs, argument errors;
 *   - bands for some channels only (channel_mask, Channel: sections): each
 *     channel of a 3-channel processor agrees with a mono processor made of
 *     that channel's bands, listed by hand, in one call and in random blocks;
 *     a band naming only a channel the processor lacks filters nothing.
 */
#include <fftw3.h>

#include "eqtest.h"

#define N_FFT 131072

typedef struct ircase {
    const char *name;
    double fs;
    size_t n;
    hpa_eq_band b[10];
} ircase;

static const ircase cases[] = {
    {"PK 1 kHz +6 Q 1.4", 48000, 1, {{.type = HPA_EQ_PK, .freq_hz = 1000, .gain_db = 6, .q = 1.4}}},
    {"PK 60 Hz -12 BW 0.5", 44100, 1, {{.type = HPA_EQ_PK, .freq_hz = 60, .gain_db = -12, .bw_oct = 0.5}}},
    {"LSC 105 Hz +6.5 Q 0.7", 44100, 1, {{.type = HPA_EQ_LSC, .freq_hz = 105, .gain_db = 6.5, .q = 0.7}}},
    {"HSC 10 kHz -3.1 (S 0.9)", 48000, 1, {{.type = HPA_EQ_HSC, .freq_hz = 10000, .gain_db = -3.1}}},
    {"LS 200 Hz +9 6 dB/oct", 48000, 1, {{.type = HPA_EQ_LS, .freq_hz = 200, .gain_db = 9, .slope_db = 6}}},
    {"HS 4 kHz -6 Q 0.9", 44100, 1, {{.type = HPA_EQ_HS, .freq_hz = 4000, .gain_db = -6, .q = 0.9}}},
    {"LP 5 kHz default Q", 48000, 1, {{.type = HPA_EQ_LP, .freq_hz = 5000}}},
    {"HP 80 Hz Q 2", 44100, 1, {{.type = HPA_EQ_HP, .freq_hz = 80, .q = 2}}},
    {"BP 2 kHz BW 1", 48000, 1, {{.type = HPA_EQ_BP, .freq_hz = 2000, .bw_oct = 1}}},
    {"NO 3 kHz default Q 30", 44100, 1, {{.type = HPA_EQ_NO, .freq_hz = 3000}}},
    {"AP 500 Hz Q 0.8", 48000, 1, {{.type = HPA_EQ_AP, .freq_hz = 500, .q = 0.8}}},
    {"3 bands (a pair + a single)",
     48000,
     3,
     {{.type = HPA_EQ_HP, .freq_hz = 25, .q = 0.7},
      {.type = HPA_EQ_PK, .freq_hz = 3000, .gain_db = -4, .q = 4},
      {.type = HPA_EQ_HSC, .freq_hz = 9000, .gain_db = 2.5, .q = 0.7}}},
    {"10 bands, every type",
     44100,
     10,
     {{.type = HPA_EQ_LSC, .freq_hz = 105, .gain_db = 6.4, .q = 0.7},
      {.type = HPA_EQ_PK, .freq_hz = 8865, .gain_db = 4.9, .q = 1.3},
      {.type = HPA_EQ_PK, .freq_hz = 121, .gain_db = -3.1, .q = 0.5},
      {.type = HPA_EQ_HS, .freq_hz = 12000, .gain_db = -2, .slope_db = 12},
      {.type = HPA_EQ_LS, .freq_hz = 50, .gain_db = 3, .q = 0.6},
      {.type = HPA_EQ_NO, .freq_hz = 60, .q = 10},
      {.type = HPA_EQ_AP, .freq_hz = 1200, .bw_oct = 2},
      {.type = HPA_EQ_BP, .freq_hz = 900, .q = 0.2},
      {.type = HPA_EQ_LP, .freq_hz = 18000, .q = 0.8},
      {.type = HPA_EQ_HP, .freq_hz = 15, .q = 0.5}}},
};

static const size_t blocks[] = {1, 7, 513, 4096, 1000, 3};

/* Run `frames` frames through eq in the cycling block sizes. */
static int run_blocks(hpa_eq *eq, double *buf, size_t frames, unsigned ch)
{
    size_t done = 0, bi = 0;
    while (done < frames) {
        size_t n = blocks[bi++ % (sizeof blocks / sizeof blocks[0])];
        if (n > frames - done)
            n = frames - done;
        int rc = hpa_eq_process(eq, buf + done * ch, n);
        if (rc != HPA_OK)
            return rc;
        done += n;
    }
    return HPA_OK;
}

static void ir_rows(void)
{
    double *ir = fftw_malloc(sizeof(double) * N_FFT);
    fftw_complex *spec = fftw_malloc(sizeof(fftw_complex) * (N_FFT / 2 + 1));
    fftw_plan plan = fftw_plan_dft_r2c_1d(N_FFT, ir, spec, FFTW_ESTIMATE);
    double *buf = malloc(sizeof(double) * N_FFT * 3);
    double worst_db = 0, worst_lin = 0, worst_tail = 0;
    int runs = 0;
    char where[128] = "";
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        const ircase *c = &cases[ci];
        for (unsigned ch = 1; ch <= 3; ch++) {
            hpa_eq_config cfg;
            hpa_eq_config_init(&cfg);
            cfg.rate_hz = c->fs;
            cfg.channels = ch;
            hpa_eq *eq;
            hpa_eq_fault fault;
            if (!et_ok(c->name, hpa_eq_create(&cfg, c->b, c->n, &fault, &eq)))
                continue;
            memset(buf, 0, sizeof(double) * N_FFT * ch);
            for (unsigned k = 0; k < ch; k++)
                buf[k] = (double)(k + 1); /* channel k: impulse of height k+1 */
            if (!et_ok("hpa_eq_process", run_blocks(eq, buf, N_FFT, ch))) {
                hpa_eq_destroy(eq);
                continue;
            }
            hpa_eq_destroy(eq);
            for (unsigned k = 0; k < ch; k++) {
                runs++;
                for (size_t i = 0; i < N_FFT; i++)
                    ir[i] = buf[i * ch + k] / (double)(k + 1);
                for (size_t i = N_FFT - 1000; i < N_FFT; i++)
                    worst_tail = fmax(worst_tail, fabs(ir[i]));
                fftw_execute(plan);
                for (size_t bin = 0; bin <= N_FFT / 2; bin++) {
                    double f = (double)bin * c->fs / N_FFT;
                    if (bin == N_FFT / 2)
                        f = c->fs * 0.4999999; /* tan() at Nyquist is infinite in the reference */
                    double complex ref = ref_set_response(c->b, c->n, f, c->fs);
                    double complex got = spec[bin][0] + I * spec[bin][1];
                    if (cabs(ref) > 1e-3) {
                        double d = fabs(db_of(got) - db_of(ref));
                        if (d > worst_db || isnan(d)) {
                            worst_db = d;
                            snprintf(where, sizeof where, "%s, %u ch, channel %u, %.1f Hz", c->name, ch, k, f);
                        }
                    } else {
                        worst_lin = fmax(worst_lin, cabs(got - ref));
                    }
                }
            }
        }
    }
    et_le("IR tail (last 1000 of 131072 samples): max |h|", worst_tail, 1e-10, "");
    et_le("process() IR + FFT vs analytic, every bin above -60 dB", worst_db, 0.01, "dB");
    if (worst_db > 1e-6)
        et_note("worst at %s", where);
    et_le("process() IR + FFT vs analytic, |H - ref| below -60 dB", worst_lin, 1e-6, "");
    et_ge("   ... impulse responses measured", runs, 13 * 6, "");
    free(buf);
    fftw_destroy_plan(plan);
    fftw_free(spec);
    fftw_free(ir);
}

/* ---- consistency across block sizes and channel layouts ---- */

static void consistency_rows(void)
{
    uint64_t s = et_seed(7);
    const ircase *c = &cases[12]; /* 10 bands: five stereo pairs; 3 bands below: a pair and a single */
    const size_t frames = 48000;
    double worst_blocks = 0, worst_layout = 0;
    for (int set = 0; set < 2; set++) {
        const ircase *cs = set ? &cases[11] : c;
        for (unsigned ch = 1; ch <= 4; ch++) {
            const size_t len = frames * ch;
            double *src = malloc(sizeof(double) * len), *a = malloc(sizeof(double) * len);
            double *b = malloc(sizeof(double) * len), *m = malloc(sizeof(double) * frames);
            for (size_t i = 0; i < len; i++)
                src[i] = 2.0 * et_uniform(&s) - 1.0;
            memcpy(a, src, sizeof(double) * len);
            memcpy(b, src, sizeof(double) * len);
            hpa_eq_config cfg;
            hpa_eq_config_init(&cfg);
            cfg.rate_hz = cs->fs;
            cfg.channels = ch;
            hpa_eq *e1 = NULL, *e2 = NULL;
            et_ok("create", hpa_eq_create(&cfg, cs->b, cs->n, NULL, &e1));
            et_ok("create", hpa_eq_create(&cfg, cs->b, cs->n, NULL, &e2));
            hpa_eq_process(e1, a, frames); /* one call */
            size_t done = 0;
            while (done < frames) { /* random blocks, 0 included */
                size_t n = et_rand(&s) % 2000;
                if (n > frames - done)
                    n = frames - done;
                hpa_eq_process(e2, b + done * ch, n);
                done += n;
            }
            for (size_t i = 0; i < len; i++)
                worst_blocks = fmax(worst_blocks, fabs(a[i] - b[i]));
            /* each channel alone through a mono processor (the strided kernel) */
            cfg.channels = 1;
            for (unsigned k = 0; k < ch; k++) {
                hpa_eq *mono = NULL;
                et_ok("create mono", hpa_eq_create(&cfg, cs->b, cs->n, NULL, &mono));
                for (size_t i = 0; i < frames; i++)
                    m[i] = src[i * ch + k];
                hpa_eq_process(mono, m, frames);
                for (size_t i = 0; i < frames; i++)
                    worst_layout = fmax(worst_layout, fabs(m[i] - a[i * ch + k]));
                hpa_eq_destroy(mono);
            }
            hpa_eq_destroy(e1);
            hpa_eq_destroy(e2);
            free(src);
            free(a);
            free(b);
            free(m);
        }
    }
    et_le("one call vs random blocks (0..1999 frames), 1-4 ch: max |diff|", worst_blocks, 1e-12, "");
    et_le("interleaved 1-4 ch vs each channel through mono: max |diff|", worst_layout, 1e-12, "");
}

/* ---- bands for some channels only ---- */

static void split_rows(void)
{
    uint64_t s = et_seed(11);
    const size_t frames = 24000, ch = 3;
    const hpa_eq_band all[] = {
        {.type = HPA_EQ_PK, .freq_hz = 1000, .gain_db = 6, .q = 1.4, .channel_mask = 1u},
        {.type = HPA_EQ_LSC, .freq_hz = 100, .gain_db = -4, .q = 0.7, .channel_mask = 2u},
        {.type = HPA_EQ_HSC, .freq_hz = 8000, .gain_db = 3},
        {.type = HPA_EQ_PK, .freq_hz = 300, .gain_db = -2, .q = 2, .channel_mask = 3u},
        {.type = HPA_EQ_HP, .freq_hz = 30, .channel_mask = 1u | 8u}, /* channel 4 does not exist here */
    };
    /* by hand: channel 0 has bands 0, 2, 3, 4; channel 1 has 1, 2, 3; channel 2 only 2 */
    hpa_eq_band c0[] = {all[0], all[2], all[3], all[4]}, c1[] = {all[1], all[2], all[3]}, c2[] = {all[2]};
    /* a mono processor has one channel: its bands name it (or every channel) */
    for (int k = 0; k < 4; k++)
        c0[k].channel_mask = 0;
    for (int k = 0; k < 3; k++)
        c1[k].channel_mask = 0;
    c2[0].channel_mask = 0;
    const hpa_eq_band *own[3] = {c0, c1, c2};
    const size_t n_own[3] = {4, 3, 1};
    double *src = malloc(sizeof(double) * frames * ch), *a = malloc(sizeof(double) * frames * ch);
    double *b = malloc(sizeof(double) * frames * ch), *m = malloc(sizeof(double) * frames);
    for (size_t i = 0; i < frames * ch; i++)
        src[i] = 2.0 * et_uniform(&s) - 1.0;
    memcpy(a, src, sizeof(double) * frames * ch);
    memcpy(b, src, sizeof(double) * frames * ch);
    hpa_eq_config cfg;
    hpa_eq_config_init(&cfg);
    cfg.channels = (unsigned)ch;
    hpa_eq *e1 = NULL, *e2 = NULL;
    et_ok("create split", hpa_eq_create(&cfg, all, 5, NULL, &e1));
    et_ok("create split", hpa_eq_create(&cfg, all, 5, NULL, &e2));
    hpa_eq_process(e1, a, frames);
    for (size_t done = 0; done < frames;) {
        size_t n = et_rand(&s) % 1500;
        if (n > frames - done)
            n = frames - done;
        hpa_eq_process(e2, b + done * ch, n);
        done += n;
    }
    double worst = 0, worst_blocks = 0;
    cfg.channels = 1;
    for (size_t k = 0; k < ch; k++) {
        hpa_eq *mono = NULL;
        et_ok("create mono", hpa_eq_create(&cfg, own[k], n_own[k], NULL, &mono));
        for (size_t i = 0; i < frames; i++)
            m[i] = src[i * ch + k];
        hpa_eq_process(mono, m, frames);
        for (size_t i = 0; i < frames; i++) {
            worst = fmax(worst, fabs(m[i] - a[i * ch + k]));
            worst_blocks = fmax(worst_blocks, fabs(a[i * ch + k] - b[i * ch + k]));
        }
        hpa_eq_destroy(mono);
    }
    et_le("channel masks: each channel vs a mono processor of its own bands: max |diff|", worst, 1e-12, "");
    et_le("channel masks: one call vs random blocks: max |diff|", worst_blocks, 1e-12, "");
    const hpa_eq_band bad = {.type = HPA_EQ_PK, .freq_hz = 1000, .gain_db = 1, .q = 1, .channel_mask = 1u << 8};
    et_true("a mask past the eighth channel is refused", hpa_eq_band_check(&bad, 48000, NULL) == HPA_ERR_INVALID_ARG);
    /* a band for channel 2 only, in a mono processor: nothing to filter */
    cfg.channels = 1;
    hpa_eq *lone = NULL;
    double x[4] = {1, 0.5, -0.25, 0.125};
    et_ok("create mono", hpa_eq_create(&cfg, &all[1], 1, NULL, &lone));
    hpa_eq_process(lone, x, 4);
    et_true("a band for a channel the processor lacks leaves the signal alone",
            x[0] == 1 && x[1] == 0.5 && x[2] == -0.25 && x[3] == 0.125);
    hpa_eq_destroy(lone);
    hpa_eq_band got[5];
    et_true("hpa_eq_bands_for_channel(0) finds 4", hpa_eq_bands_for_channel(all, 5, 0, got) == 4);
    et_true("hpa_eq_bands_for_channel(3) finds 2", hpa_eq_bands_for_channel(all, 5, 3, got) == 2);
    hpa_eq_destroy(e1);
    hpa_eq_destroy(e2);
    free(src);
    free(a);
    free(b);
    free(m);
}

/* ---- clean state: denormals, NaN, infinity ---- */

static size_t count_subnormal(const double *x, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += fpclassify(x[i]) == FP_SUBNORMAL;
    return k;
}

static void state_rows(void)
{
    uint64_t s = 99;
    const unsigned ch = 2;
    size_t worst_sub = 0, worst_sub_b1 = 0;
    double last_nonzero_s = 0;
    int all_zero = 1;
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        const ircase *c = &cases[ci];
        const size_t noise = (size_t)(0.5 * c->fs), quiet = (size_t)(20 * c->fs);
        double *buf = malloc(sizeof(double) * (noise + quiet) * ch);
        for (size_t i = 0; i < noise * ch; i++)
            buf[i] = 2.0 * et_uniform(&s) - 1.0;
        memset(buf + noise * ch, 0, sizeof(double) * quiet * ch);
        for (int mode = 0; mode < 2; mode++) {
            hpa_eq_config cfg;
            hpa_eq_config_init(&cfg);
            cfg.rate_hz = c->fs;
            cfg.channels = ch;
            hpa_eq *eq = NULL;
            if (!et_ok("create", hpa_eq_create(&cfg, c->b, c->n, NULL, &eq)))
                continue;
            double *w = malloc(sizeof(double) * (noise + quiet) * ch);
            memcpy(w, buf, sizeof(double) * (noise + quiet) * ch);
            if (mode == 0) {
                hpa_eq_process(eq, w, noise + quiet); /* one huge call: flushed every 1024 frames */
            } else {
                for (size_t i = 0; i < noise + quiet; i++) /* one frame per call */
                    hpa_eq_process(eq, w + i * ch, 1);
            }
            size_t sub = count_subnormal(w, (noise + quiet) * ch);
            if (mode == 0)
                worst_sub = sub > worst_sub ? sub : worst_sub;
            else
                worst_sub_b1 = sub > worst_sub_b1 ? sub : worst_sub_b1;
            size_t last = 0;
            for (size_t i = 0; i < (noise + quiet) * ch; i++)
                if (w[i] != 0.0)
                    last = i / ch;
            double t = (double)(last - noise) / c->fs;
            if (t > last_nonzero_s)
                last_nonzero_s = t;
            if (last + 1 >= noise + quiet) {
                all_zero = 0;
                et_note("%s (%s): still not zero at the end: %g", c->name, mode ? "1 frame per call" : "1 call",
                        w[(noise + quiet) * ch - 1]);
            }
            hpa_eq_destroy(eq);
            free(w);
        }
        free(buf);
    }
    et_le("subnormal output samples, 20 s of silence after noise (1 call)", (double)worst_sub, 64, "");
    et_le("subnormal output samples, same, one frame per call", (double)worst_sub_b1, 64, "");
    et_true("output reaches exact zero in the silence", all_zero);
    et_le("   latest non-zero sample after the noise stops", last_nonzero_s, 10, "s");

    /* NaN / infinity / overflow: the state resets, the next block is clean
     * and equals a fresh processor's output. */
    const ircase *c = &cases[12];
    hpa_eq_config cfg;
    hpa_eq_config_init(&cfg);
    cfg.rate_hz = c->fs;
    cfg.channels = ch;
    static const double poison[] = {NAN, INFINITY, -INFINITY, 1e308};
    int resets_ok = 1, clean_ok = 1;
    for (size_t pi = 0; pi < sizeof poison / sizeof poison[0]; pi++) {
        hpa_eq *eq = NULL, *fresh = NULL;
        hpa_eq_create(&cfg, c->b, c->n, NULL, &eq);
        hpa_eq_create(&cfg, c->b, c->n, NULL, &fresh);
        double blk[2 * 512], ref[2 * 512];
        for (size_t i = 0; i < (size_t)2 * 512; i++)
            blk[i] = 2.0 * et_uniform(&s) - 1.0;
        hpa_eq_process(eq, blk, 512);
        blk[2 * 100 + 1] = poison[pi];
        blk[2 * 101 + 1] = poison[pi];
        hpa_eq_process(eq, blk, 512);
        if (hpa_eq_nan_resets(eq) != 1)
            resets_ok = 0;
        for (size_t i = 0; i < (size_t)2 * 512; i++)
            blk[i] = ref[i] = 2.0 * et_uniform(&s) - 1.0;
        hpa_eq_process(eq, blk, 512);
        hpa_eq_process(fresh, ref, 512);
        for (size_t i = 0; i < (size_t)2 * 512; i++)
            if (!(blk[i] == ref[i]))
                clean_ok = 0;
        hpa_eq_destroy(eq);
        hpa_eq_destroy(fresh);
    }
    et_true("NaN, +-inf, 1e308 input: exactly one reset counted each", resets_ok);
    et_true("   ... and the next block equals a fresh processor's", clean_ok);
}

/* ---- set_bands, caller memory, coefficients ---- */

/* Equal values, element by element.  Not memcmp: a NaN in both would compare
 * equal bit for bit (and +0 and -0 unequal); a NaN here must fail. */
static int samples_equal(const double *x, const double *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(x[i] == y[i]))
            return 0;
    return 1;
}

static int coefs_equal(const hpa_eq_coefs *a, const hpa_eq_coefs *b)
{
    return a->b0 == b->b0 && a->b1 == b->b1 && a->b2 == b->b2 && a->a1 == b->a1 && a->a2 == b->a2;
}

static void api_rows(void)
{
    const ircase *c10 = &cases[12], *c3 = &cases[11];
    hpa_eq_config cfg;
    hpa_eq_config_init(&cfg);
    cfg.rate_hz = 44100;
    cfg.channels = 2;
    cfg.max_bands = 10;
    hpa_eq *eq = NULL;
    et_ok("create with room for 10, 3 bands", hpa_eq_create(&cfg, c3->b, 3, NULL, &eq));
    et_true("band_count 3", hpa_eq_band_count(eq) == 3);
    et_ok("set_bands 10", hpa_eq_set_bands(eq, c10->b, 10, NULL));
    int same = hpa_eq_band_count(eq) == 10;
    for (size_t k = 0; k < 10; k++) {
        hpa_eq_coefs got, want;
        hpa_eq_get_coefs(eq, k, &got);
        hpa_eq_design(&c10->b[k], 44100, &want, NULL);
        same &= coefs_equal(&got, &want);
    }
    et_true("set_bands: coefficients equal hpa_eq_design's", same);
    hpa_eq_band eleven[11];
    memcpy(eleven, c10->b, sizeof(hpa_eq_band) * 10);
    eleven[10] = c10->b[0];
    hpa_eq_fault fault;
    et_true("set_bands 11 > max_bands: HPA_ERR_INVALID_ARG",
            hpa_eq_set_bands(eq, eleven, 11, &fault) == HPA_ERR_INVALID_ARG && fault.reason != NULL);
    hpa_eq_band bad[3] = {c3->b[0], c3->b[1], {.type = HPA_EQ_PK, .freq_hz = 30000, .gain_db = 1, .q = 1}};
    et_true("set_bands with Fc above Nyquist: error naming band 2",
            hpa_eq_set_bands(eq, bad, 3, &fault) == HPA_ERR_INVALID_ARG && fault.band == 2 && fault.reason);
    et_true("   ... and nothing changed", hpa_eq_band_count(eq) == 10);
    hpa_eq_destroy(eq);

    /* caller memory */
    cfg.max_bands = 0;
    size_t size = hpa_eq_size(&cfg, 10);
    et_true("hpa_eq_size > 0", size > 0);
    void *mem = aligned_alloc(64, (size + 64) & ~(size_t)63);
    hpa_eq *a = NULL, *b = NULL;
    et_true("init with size - 1: HPA_ERR_BUFFER_TOO_SMALL",
            hpa_eq_init(mem, size - 1, &cfg, c10->b, 10, NULL, &a) == HPA_ERR_BUFFER_TOO_SMALL && a == NULL);
    et_true("init misaligned: HPA_ERR_INVALID_ARG",
            hpa_eq_init((char *)mem + 8, size, &cfg, c10->b, 10, NULL, &a) == HPA_ERR_INVALID_ARG);
    et_ok("init in caller memory", hpa_eq_init(mem, size, &cfg, c10->b, 10, NULL, &a));
    et_ok("create", hpa_eq_create(&cfg, c10->b, 10, NULL, &b));
    double x[2 * 2000], y[2 * 2000];
    uint64_t s = 5;
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
        x[i] = y[i] = 2.0 * et_uniform(&s) - 1.0;
    hpa_eq_process(a, x, 2000);
    hpa_eq_process(b, y, 2000);
    et_true("caller-memory processor == created processor", samples_equal(x, y, sizeof x / sizeof x[0]));
    hpa_eq_destroy(a); /* frees nothing: the memory is ours */
    hpa_eq_destroy(b);
    free(mem);
}

int main(void)
{
    et_begin("EQ process(): impulse response + FFT vs the analytic response");
    ir_rows();
    et_begin("EQ process(): block sizes and channel layouts");
    consistency_rows();
    et_begin("EQ process(): denormals, NaN and infinity");
    state_rows();
    et_begin("EQ processor API");
    api_rows();
    et_begin("EQ process(): bands for some channels only");
    split_rows();
    return et_end();
}
