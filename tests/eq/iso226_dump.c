/* iso226_dump.c — what libhpamp says about ISO 226 and loudness compensation,
 * as text for iso226.sh to compare with its own python3 arithmetic:
 *   spl PHON FREQ DB        the contour at every tabulated frequency
 *   at PHON FREQ DB         the contour between tabulated frequencies
 *   band LISTEN REF RATE TYPE FC GAIN Q   the fitted compensation's bands
 */
#include <stdio.h>

#include <hpamp/iso226.h>

int main(void)
{
    static const double phons[] = {20, 30, 40, 50, 60, 70, 80, 90};
    for (size_t p = 0; p < sizeof phons / sizeof phons[0]; p++)
        for (size_t i = 0; i < HPA_ISO226_POINTS; i++)
            printf("spl %g %g %.6f\n", phons[p], hpa_iso226_freq(i), hpa_iso226_spl(phons[p], hpa_iso226_freq(i)));
    static const double between[] = {10, 22, 707, 1100, 11000, 16000};
    for (size_t i = 0; i < sizeof between / sizeof between[0]; i++)
        printf("at 60 %g %.6f\n", between[i], hpa_iso226_spl(60, between[i]));
    static const double pairs[][3] = {{40, 80, 48000},  {60, 80, 44100}, {30, 80, 96000},
                                      {70, 85, 768000}, {80, 80, 48000}, {90, 80, 48000}};
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        hpa_eq_band b[HPA_LOUDNESS_COMP_BANDS];
        size_t n = 0;
        int rc = hpa_loudness_comp_bands(pairs[k][0], pairs[k][1], pairs[k][2], b, HPA_LOUDNESS_COMP_BANDS, &n, NULL);
        if (rc != HPA_OK) {
            printf("error %g %g %d\n", pairs[k][0], pairs[k][1], rc);
            continue;
        }
        for (size_t i = 0; i < n; i++)
            printf("band %g %g %g %s %.1f %.1f %.2f\n", pairs[k][0], pairs[k][1], pairs[k][2],
                   hpa_eq_type_name(b[i].type), b[i].freq_hz, b[i].gain_db, b[i].q);
    }
    return 0;
}
