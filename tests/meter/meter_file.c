/* meter_file.c — a file's integrated loudness and true peak by libhpamp's
 * meter, for ebu.sh: one line "I TP" (LUFS, dBTP), exit 1 on failure.
 *
 *   Usage: meter_file FILE */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <hpamp/meter.h>
#include <sndfile.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: meter_file FILE\n", stderr);
        return 2;
    }
    SF_INFO si = {0};
    SNDFILE *f = sf_open(argv[1], SFM_READ, &si);
    if (!f) {
        fprintf(stderr, "meter_file: %s: %s\n", argv[1], sf_strerror(NULL));
        return 1;
    }
    hpa_meter *m = NULL;
    int rc = hpa_meter_create((unsigned)si.channels, (uint32_t)si.samplerate,
                              HPA_METER_INTEGRATED | HPA_METER_TRUE_PEAK, NULL, &m);
    float *buf = malloc(4096 * sizeof *buf * (size_t)si.channels);
    if (rc != HPA_OK || !buf) {
        fprintf(stderr, "meter_file: %s: %s\n", argv[1], hpa_strerror(rc));
        free(buf);
        hpa_meter_destroy(m);
        sf_close(f);
        return 1;
    }
    sf_count_t got;
    while ((got = sf_readf_float(f, buf, 4096)) > 0)
        hpa_meter_add_float(m, buf, (size_t)got);
    hpa_meter_end(m);
    double lufs = 0.0, tp = 0.0;
    hpa_meter_integrated(m, &lufs);
    for (unsigned c = 0; c < (unsigned)si.channels; c++) {
        double v = 0.0;
        hpa_meter_true_peak(m, c, &v);
        tp = v > tp ? v : tp;
    }
    printf("%.3f %.3f\n", lufs, 20.0 * log10(tp));
    hpa_meter_destroy(m);
    free(buf);
    sf_close(f);
    return 0;
}
