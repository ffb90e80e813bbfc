/* truepeak — the true peak of raw interleaved PCM, measured by libebur128
 * (an implementation independent of hpamp's limiter: its own 4x polyphase
 * interpolator, ITU-R BS.1770-4 Annex 2), to check play's ceiling.
 *
 *   truepeak FILE s16|s32|f32 CHANNELS RATE
 *
 * prints "true_peak_dbtp=X sample_peak_dbfs=Y frames=N" (the largest over
 * the channels; -inf for silence). */
#include <ebur128.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 4096

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: truepeak FILE s16|s32|f32 CHANNELS RATE\n");
        return 2;
    }
    int fmt = !strcmp(argv[2], "s16") ? 0 : !strcmp(argv[2], "s32") ? 1 : !strcmp(argv[2], "f32") ? 2 : -1;
    char *ch_end, *rate_end;
    unsigned long ch = strtoul(argv[3], &ch_end, 10), rate = strtoul(argv[4], &rate_end, 10);
    if (fmt < 0 || *ch_end || *rate_end || ch < 1 || ch > 8 || rate < 8000) {
        fprintf(stderr, "truepeak: bad arguments\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    ebur128_state *st = ebur128_init((unsigned)ch, rate, EBUR128_MODE_TRUE_PEAK | EBUR128_MODE_SAMPLE_PEAK);
    if (!st)
        return 1;
    size_t sb = fmt == 0 ? 2 : 4;
    static unsigned char raw[BLOCK * 8 * 4];
    static float fl[BLOCK * 8];
    size_t frames = 0, n;
    while ((n = fread(raw, sb * ch, BLOCK, f)) > 0) {
        for (size_t i = 0; i < n * ch; i++) {
            if (fmt == 0) {
                int16_t v;
                memcpy(&v, raw + 2 * i, 2);
                fl[i] = (float)(v / 32768.0);
            } else if (fmt == 1) {
                int32_t v;
                memcpy(&v, raw + 4 * i, 4);
                fl[i] = (float)(v / 2147483648.0);
            } else {
                memcpy(&fl[i], raw + 4 * i, 4);
            }
        }
        if (ebur128_add_frames_float(st, fl, n) != EBUR128_SUCCESS)
            return 1;
        frames += n;
    }
    fclose(f);
    double tp = 0.0, sp = 0.0;
    for (unsigned c = 0; c < ch; c++) {
        double a, b;
        ebur128_true_peak(st, c, &a);
        ebur128_sample_peak(st, c, &b);
        if (a > tp)
            tp = a;
        if (b > sp)
            sp = b;
    }
    ebur128_destroy(&st);
    printf("true_peak_dbtp=%.3f sample_peak_dbfs=%.3f frames=%zu\n", tp > 0 ? 20 * log10(tp) : -INFINITY,
           sp > 0 ? 20 * log10(sp) : -INFINITY, frames);
    return 0;
}
