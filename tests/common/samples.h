/* samples.h — the CC0 Sonic Pi samples the tests play (apt-get install
 * sonic-pi-samples): one reader for the tests that need a stretch of one. */
#ifndef HPT_SAMPLES_H
#define HPT_SAMPLES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>

#define HPT_SAMPLES "/usr/share/sonic-pi/samples/"

/* seconds of the stereo sample NAME (no .flac) from 1 s in, interleaved
 * doubles (calloc'd, one spare frame); its rate into *rate.  NULL, having
 * printed a "# " line why, when it cannot be read or is shorter than
 * 1 s + seconds. */
static inline double *hpt_sample_read(const char *name, int seconds, size_t *frames, int *rate)
{
    SF_INFO info;
    memset(&info, 0, sizeof info);
    char path[256];
    snprintf(path, sizeof path, HPT_SAMPLES "%s.flac", name);
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (!sf || info.channels != 2 || info.frames < (sf_count_t)(1 + seconds) * info.samplerate) {
        printf("# cannot read %d s of stereo from %s (apt-get install sonic-pi-samples)\n", 1 + seconds, path);
        if (sf)
            sf_close(sf);
        return NULL;
    }
    *frames = (size_t)seconds * (size_t)info.samplerate;
    *rate = info.samplerate;
    double *x = calloc(2 * *frames + 2, sizeof(double));
    if (!x || sf_seek(sf, info.samplerate, SEEK_SET) < 0 ||
        sf_readf_double(sf, x, (sf_count_t)*frames) != (sf_count_t)*frames) {
        printf("# cannot read %s\n", path);
        free(x);
        sf_close(sf);
        return NULL;
    }
    sf_close(sf);
    return x;
}

#endif
