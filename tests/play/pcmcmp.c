/* pcmcmp.c — compare what a device received with what went in.
 *
 *   pcmcmp FORMAT CHANNELS REF CAPTURE THRESHOLD FROM_S RATE [GAIN_DB]
 *
 * REF and CAPTURE are raw interleaved files of FORMAT (s16, s32 or f32).
 * Alignment: the first frame whose first-channel sample exceeds THRESHOLD (in
 * full-scale units, e.g. 0.01; in the capture THRESHOLD scaled by GAIN_DB,
 * the gain the capture is expected to have) is found in each file; their distance is the
 * capture's offset (0 for a capture that starts with the stream).  From
 * FROM_S seconds of REF to REF's end, every sample is compared with the
 * capture's.  Prints one line:
 *
 *   offset=N compared=M expected=E mismatches=K max_diff=D gain_db=G
 *
 * (D in units of the format's LSB, 1.0 for floats being full scale; G the
 * RMS ratio capture/reference over the compared span) and exits 0 when
 * K == 0, 1 otherwise, 2 on bad arguments or input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double *load(const char *path, const char *fmt, size_t *n, double *lsb)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long bytes = ftell(f);
    if (bytes < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    size_t sb = !strcmp(fmt, "s16") ? 2 : 4;
    *n = (size_t)bytes / sb;
    unsigned char *raw = malloc((size_t)bytes + 1);
    double *x = malloc((*n + 1) * sizeof *x);
    if (!raw || !x || fread(raw, 1, (size_t)bytes, f) != (size_t)bytes) {
        fclose(f);
        free(raw);
        free(x);
        return NULL;
    }
    fclose(f);
    for (size_t i = 0; i < *n; i++) {
        if (sb == 2) {
            short v;
            memcpy(&v, raw + 2 * i, 2);
            x[i] = v;
            *lsb = 32768.0;
        } else if (!strcmp(fmt, "s32")) {
            int v;
            memcpy(&v, raw + 4 * i, 4);
            x[i] = v;
            *lsb = 2147483648.0;
        } else {
            float v;
            memcpy(&v, raw + 4 * i, 4);
            x[i] = v;
            *lsb = 1.0;
        }
    }
    free(raw);
    return x;
}

/* a whole-string number, or exit 2 (bad arguments); not atof, which reads "x" as 0 */
static double num(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || v != v) {
        fprintf(stderr, "pcmcmp: bad number '%s'\n", s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    if (argc != 8 && argc != 9) {
        fprintf(stderr, "usage: pcmcmp s16|s32|f32 CHANNELS REF CAPTURE THRESHOLD FROM_S RATE [GAIN_DB]\n");
        return 2;
    }
    const double chd = num(argv[2]);
    size_t ch = chd >= 1 && chd <= 64 && chd == floor(chd) ? (size_t)chd : 0, nr, nc;
    double scale = 1.0, scale2 = 1.0;
    double *r = load(argv[3], argv[1], &nr, &scale), *c = load(argv[4], argv[1], &nc, &scale2);
    double thr = num(argv[5]), from_s = num(argv[6]), rate = num(argv[7]);
    double thr_c = thr * pow(10.0, (argc == 9 ? num(argv[8]) : 0.0) / 20.0);
    if (!r || !c || ch < 1) {
        fprintf(stderr, "pcmcmp: cannot read the inputs\n");
        free(r);
        free(c);
        return 2;
    }
    size_t fr = nr / ch, fc = nc / ch, ar = fr, ac = fc;
    for (size_t i = 0; i < fr; i++)
        if (fabs(r[i * ch]) / scale > thr) {
            ar = i;
            break;
        }
    for (size_t i = 0; i < fc; i++)
        if (fabs(c[i * ch]) / scale > thr_c) {
            ac = i;
            break;
        }
    if (ar == fr || ac == fc) {
        printf("offset=? compared=0 expected=0 mismatches=0 max_diff=0 gain_db=nan (no signal above the threshold)\n");
        free(r);
        free(c);
        return 1;
    }
    long off = (long)ac - (long)ar;
    size_t from = (size_t)(from_s * rate), compared = 0, mism = 0, first_bad = 0;
    double maxd = 0.0, er = 0.0, ec = 0.0;
    for (size_t i = from; i < fr; i++) {
        long j = (long)i + off;
        if (j < 0 || (size_t)j >= fc)
            break;
        for (size_t k = 0; k < ch; k++) {
            double a = r[i * ch + k], b = c[(size_t)j * ch + k], d = fabs(a - b);
            if (d != 0.0 && !mism++)
                first_bad = i;
            maxd = d > maxd ? d : maxd;
            er += a * a;
            ec += b * b;
        }
        compared++;
    }
    double g = er > 0 ? 10.0 * log10(ec / er) : NAN;
    printf("offset=%ld compared=%zu expected=%zu mismatches=%zu first_mismatch=%zu max_diff=%g gain_db=%.3f\n", off,
           compared, fr > from ? fr - from : 0, mism, first_bad, maxd, g);
    free(r);
    free(c);
    return mism ? 1 : 0;
}
