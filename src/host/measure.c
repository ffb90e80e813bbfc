/* measure.c — one file's loudness by libebur128 alone (see scan.h). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <ebur128.h>

#include <hpamp/format.h>
#include <hpamp/host/audiofile.h>
#include <hpamp/host/scan.h>

int hph_measure_ebur128(const char *path, double *lufs, double *tp_dbtp, char *why, size_t why_len)
{
    char reason[256];
    hph_audio_info info;
    hph_audiofile *f = hph_audio_open_read(path, &info, reason, sizeof reason);
    if (!f) {
        snprintf(why, why_len, "%s: %s", path, reason);
        return -1;
    }
    ebur128_state *st = ebur128_init(info.channels, info.rate_hz,
                                     EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK | EBUR128_MODE_HISTOGRAM);
    const size_t block = 4096, n = block * info.channels;
    void *raw = malloc(n * hpa_format_bytes(info.format));
    double *x = malloc(n * sizeof *x);
    int rc = -1;
    if (!st || !raw || !x) {
        snprintf(why, why_len, "out of memory");
        rc = -2;
        goto out;
    }
    for (;;) {
        int64_t got = hph_audio_read(f, raw, block);
        if (got < 0) {
            snprintf(why, why_len, "%s: read error: %s", path, hph_audio_error(f));
            goto out;
        }
        if (got == 0)
            break;
        hpa_to_double(info.format, raw, x, (size_t)got * info.channels); /* non-finite samples read as 0 */
        if (ebur128_add_frames_double(st, x, (size_t)got) != EBUR128_SUCCESS) {
            snprintf(why, why_len, "%s: loudness measurement failed", path);
            goto out;
        }
    }
    double l = -HUGE_VAL, tp = 0.0;
    ebur128_loudness_global(st, &l);
    for (unsigned c = 0; c < info.channels; c++) {
        double v = 0.0;
        ebur128_true_peak(st, c, &v);
        tp = v > tp ? v : tp;
    }
    *lufs = l;
    *tp_dbtp = tp > 0.0 ? 20.0 * log10(tp) : -HUGE_VAL;
    rc = 0;
out:
    if (st)
        ebur128_destroy(&st);
    free(raw);
    free(x);
    hph_audio_close(f);
    return rc;
}
