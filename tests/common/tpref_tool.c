/* tpref_tool — the true peak of an audio file by the tests' reference meter
 * (tpref.c: exact band-limited reconstruction, 16 points per sample), for
 * the shell tests.
 *
 *   tpref_tool FILE                          any file libsndfile reads
 *   tpref_tool FILE s16|s24|s32|f32 CH RATE  headerless little-endian PCM
 *                                            (s24: 3 bytes a sample)
 *
 * prints the true peak in dBTP (the largest over the channels, 4 decimals;
 * -inf for silence).  Integer samples are scaled by 2^(bits - 1): full scale
 * is 0 dBFS.  Exit 1 for a file it cannot read, 2 for a usage error. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>

#include "tpref.h"

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 5) {
        fprintf(stderr, "usage: tpref_tool FILE [s16|s24|s32|f32 CHANNELS RATE]\n");
        return 2;
    }
    SF_INFO info;
    memset(&info, 0, sizeof info);
    if (argc == 5) {
        static const struct {
            const char *name;
            int sub;
        } fmts[] = {{"s16", SF_FORMAT_PCM_16},
                    {"s24", SF_FORMAT_PCM_24},
                    {"s32", SF_FORMAT_PCM_32},
                    {"f32", SF_FORMAT_FLOAT}};
        for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++)
            if (!strcmp(argv[2], fmts[i].name))
                info.format = SF_FORMAT_RAW | SF_ENDIAN_LITTLE | fmts[i].sub;
        char *e1 = NULL, *e2 = NULL;
        long chans = strtol(argv[3], &e1, 10), rate = strtol(argv[4], &e2, 10);
        if (!info.format || *e1 || *e2 || e1 == argv[3] || e2 == argv[4] || chans < 1 || chans > 64 || rate < 1 ||
            rate > 10000000) {
            fprintf(stderr, "tpref_tool: bad format, channels or rate: %s %s %s\n", argv[2], argv[3], argv[4]);
            return 2;
        }
        info.channels = (int)chans;
        info.samplerate = (int)rate;
    }
    SNDFILE *sf = sf_open(argv[1], SFM_READ, &info);
    if (!sf) {
        fprintf(stderr, "tpref_tool: %s: %s\n", argv[1], sf_strerror(NULL));
        return 1;
    }
    const size_t frames = info.frames > 0 ? (size_t)info.frames : 0, ch = (size_t)info.channels;
    double *x = malloc(sizeof(double) * (frames ? frames : 1) * ch);
    if (!x) {
        fprintf(stderr, "tpref_tool: %s: out of memory\n", argv[1]);
        sf_close(sf);
        return 1;
    }
    const sf_count_t got = sf_readf_double(sf, x, (sf_count_t)frames);
    sf_close(sf);
    if (got != (sf_count_t)frames) {
        fprintf(stderr, "tpref_tool: %s: read %lld of %zu frames\n", argv[1], (long long)got, frames);
        free(x);
        return 1;
    }
    const double db = tpref_dbtp(x, frames, (unsigned)ch, 16);
    free(x);
    if (isnan(db)) {
        fprintf(stderr, "tpref_tool: %s: out of memory\n", argv[1]);
        return 1;
    }
    if (isinf(db))
        printf("-inf\n");
    else
        printf("%.4f\n", db);
    return 0;
}
