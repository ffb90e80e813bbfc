/* gen_ebu.c — write the EBU Tech 3341 test signals that can be made in code
 * (docs/physics.md, "Loudness and peaks"), as 48 kHz 24-bit WAV files, so that
 * `hpamp advise --music` measures them like any music.
 *
 *   Usage: gen_ebu DIR
 *
 * Loudness cases: "X dBFS" is a 1 kHz sine of peak amplitude 10^(X/20) on
 * both channels of a stereo file, which BS.1770 reads as X LUFS.
 *   case1  -23 dBFS, 20 s                              -> I = -23.0 LUFS
 *   case2  -33 dBFS, 20 s                              -> I = -33.0
 *   case3  -36 / -23 / -36 dBFS, 10 / 60 / 10 s        -> I = -23.0
 *   case4  -72 / -36 / -23 / -36 / -72, 10/10/60/10/10 -> I = -23.0
 *   case5  -26 / -20 / -26 dBFS, 20 / 20.1 / 20 s      -> I = -23.0
 *   (tolerance +-0.1 LU)
 * True-peak cases (EBU Tech 3341 Table 2 as docs/physics.md gives them), 2 s each,
 * x[n] = A·sin(2π·(f/fs)·n + φ), faded in and out over 50 ms (see FADE_S):
 *   tp1  fs/4, 0°,    A 0.5   -> -6.02 dBTP   (20·log10 0.5)
 *   tp2  fs/4, 45°,   A 0.5   -> -6.02
 *   tp3  fs/6, 60°,   A 0.5   -> -6.02
 *   tp4  fs/8, 67.5°, A 0.5   -> -6.02
 *   tp5  fs/4, 45°,   A 1.41  -> +2.98 dBTP   (20·log10 1.41)
 *   (tolerance +0.2 / -0.4 dB)
 * And one of ours: mono1k  a mono 1 kHz sine at -23 dBFS, 20 s, which hpamp
 * counts as dual mono (one signal in both ears): -23.0 LUFS.
 *
 * The sample values are written as 24-bit integers by libsndfile (float in,
 * scaled by 2^23 and rounded); the quantization is 140 dB below full scale,
 * far below every tolerance. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>

#define FS 48000
#define PI 3.14159265358979323846

typedef struct seg {
    double dbfs, seconds;
} seg;

static int write_file(const char *dir, const char *name, int channels, const float *buf, sf_count_t frames)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.wav", dir, name);
    SF_INFO si;
    memset(&si, 0, sizeof si);
    si.samplerate = FS;
    si.channels = channels;
    si.format = SF_FORMAT_WAV | SF_FORMAT_PCM_24;
    SNDFILE *f = sf_open(path, SFM_WRITE, &si);
    if (!f) {
        fprintf(stderr, "gen_ebu: %s: %s\n", path, sf_strerror(NULL));
        return -1;
    }
    /* clip-free: no sample is at or above full scale in these cases */
    sf_command(f, SFC_SET_CLIPPING, NULL, SF_TRUE);
    if (sf_writef_float(f, buf, frames) != frames) {
        fprintf(stderr, "gen_ebu: %s: %s\n", path, sf_strerror(f));
        sf_close(f);
        return -1;
    }
    return sf_close(f) ? -1 : 0;
}

/* a 1 kHz sine through segments of levels, continuous phase, on `channels` */
static int loudness_case(const char *dir, const char *name, const seg *s, int n, int channels)
{
    sf_count_t frames = 0;
    for (int i = 0; i < n; i++)
        frames += (sf_count_t)llround(s[i].seconds * FS);
    float *buf = malloc((size_t)frames * (size_t)channels * sizeof *buf);
    if (!buf)
        return -1;
    sf_count_t k = 0;
    for (int i = 0; i < n; i++) {
        double a = pow(10.0, s[i].dbfs / 20.0);
        sf_count_t len = (sf_count_t)llround(s[i].seconds * FS);
        for (sf_count_t j = 0; j < len; j++, k++) {
            float v = (float)(a * sin(2.0 * PI * 1000.0 * (double)k / FS));
            for (int c = 0; c < channels; c++)
                buf[k * channels + c] = v;
        }
    }
    int rc = write_file(dir, name, channels, buf, frames);
    free(buf);
    return rc;
}

/* The true-peak sines are faded in and out over FADE_S (raised cosine):
 * a sine that starts or stops on a non-zero sample is a step from silence,
 * and a step has inter-sample overshoot of its own (Gibbs) that a true-peak
 * meter must report; it is not what these cases measure. */
#define FADE_S 0.05

static int peak_case(const char *dir, const char *name, double div, double phase_deg, double amp)
{
    const sf_count_t frames = 2 * (sf_count_t)FS, fade = (sf_count_t)(FADE_S * FS);
    float *buf = malloc((size_t)frames * 2 * sizeof *buf);
    if (!buf)
        return -1;
    for (sf_count_t n = 0; n < frames; n++) {
        double g = 1.0;
        sf_count_t edge = n < frames - 1 - n ? n : frames - 1 - n;
        if (edge < fade)
            g = 0.5 - 0.5 * cos(PI * (double)edge / (double)fade);
        float v = (float)(g * amp * sin(2.0 * PI * (double)n / div + phase_deg * PI / 180.0));
        buf[2 * n] = buf[2 * n + 1] = v;
    }
    int rc = write_file(dir, name, 2, buf, frames);
    free(buf);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_ebu DIR\n");
        return 2;
    }
    const char *d = argv[1];
    static const seg c1[] = {{-23, 20}};
    static const seg c2[] = {{-33, 20}};
    static const seg c3[] = {{-36, 10}, {-23, 60}, {-36, 10}};
    static const seg c4[] = {{-72, 10}, {-36, 10}, {-23, 60}, {-36, 10}, {-72, 10}};
    static const seg c5[] = {{-26, 20}, {-20, 20.1}, {-26, 20}};
    int rc = 0;
    rc |= loudness_case(d, "case1", c1, 1, 2);
    rc |= loudness_case(d, "case2", c2, 1, 2);
    rc |= loudness_case(d, "case3", c3, 3, 2);
    rc |= loudness_case(d, "case4", c4, 5, 2);
    rc |= loudness_case(d, "case5", c5, 3, 2);
    rc |= loudness_case(d, "mono1k", c1, 1, 1);
    rc |= peak_case(d, "tp1", 4.0, 0.0, 0.5);
    rc |= peak_case(d, "tp2", 4.0, 45.0, 0.5);
    rc |= peak_case(d, "tp3", 6.0, 60.0, 0.5);
    rc |= peak_case(d, "tp4", 8.0, 67.5, 0.5);
    rc |= peak_case(d, "tp5", 4.0, 45.0, 1.41);
    return rc ? 1 : 0;
}
