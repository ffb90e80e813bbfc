/* iso226.c — ISO 226:2003 equal-loudness contours and the loudness
 * compensation made from them (iso226.h). */
#include <math.h>
#include <string.h>

#include <hpamp/eq_auto.h>
#include <hpamp/iso226.h>

/* ISO 226:2003 Table 1: frequency (Hz), alpha_f, L_U (dB), T_f (dB); the
 * source of these numbers is named in data/iso226.md */
static const double iso_f[HPA_ISO226_POINTS] = {20,   25,   31.5, 40,   50,   63,   80,   100,   125,  160,
                                                200,  250,  315,  400,  500,  630,  800,  1000,  1250, 1600,
                                                2000, 2500, 3150, 4000, 5000, 6300, 8000, 10000, 12500};
static const double iso_af[HPA_ISO226_POINTS] = {0.532, 0.506, 0.480, 0.455, 0.432, 0.409, 0.387, 0.367, 0.349, 0.330,
                                                 0.315, 0.301, 0.288, 0.276, 0.267, 0.259, 0.253, 0.250, 0.246, 0.244,
                                                 0.243, 0.243, 0.243, 0.242, 0.242, 0.245, 0.254, 0.271, 0.301};
static const double iso_lu[HPA_ISO226_POINTS] = {-31.6, -27.2, -23.0, -19.1, -15.9, -13.0, -10.3, -8.1,  -6.2, -4.5,
                                                 -3.1,  -2.0,  -1.1,  -0.4,  0.0,   0.3,   0.5,   0.0,   -2.7, -4.1,
                                                 -1.0,  1.7,   2.5,   1.2,   -2.1,  -7.1,  -11.2, -10.7, -3.1};
static const double iso_tf[HPA_ISO226_POINTS] = {78.5, 68.7, 59.5, 51.1, 44.0, 37.5, 31.5, 26.5, 22.1, 17.9,
                                                 14.4, 11.4, 8.6,  6.2,  4.4,  3.0,  2.2,  2.4,  3.5,  1.7,
                                                 -1.3, -4.2, -6.0, -5.4, -1.5, 6.0,  12.6, 13.9, 12.3};

double hpa_iso226_freq(size_t i)
{
    return i < HPA_ISO226_POINTS ? iso_f[i] : NAN;
}

/* formula (4.1) of the standard at table row i */
static double spl_at(double phon, size_t i)
{
    const double af = 4.47e-3 * (pow(10.0, 0.025 * phon) - 1.15) +
                      pow(0.4 * pow(10.0, (iso_tf[i] + iso_lu[i]) / 10.0 - 9.0), iso_af[i]);
    return 10.0 / iso_af[i] * log10(af) - iso_lu[i] + 94.0;
}

double hpa_iso226_spl(double phon, double freq_hz)
{
    if (!(phon >= HPA_ISO226_PHON_MIN))
        phon = HPA_ISO226_PHON_MIN;
    if (phon > HPA_ISO226_PHON_MAX)
        phon = HPA_ISO226_PHON_MAX;
    if (!(freq_hz > iso_f[0]))
        return spl_at(phon, 0);
    if (freq_hz >= iso_f[HPA_ISO226_POINTS - 1])
        return spl_at(phon, HPA_ISO226_POINTS - 1);
    size_t i = 0;
    while (iso_f[i + 1] < freq_hz)
        i++;
    const double t = log(freq_hz / iso_f[i]) / log(iso_f[i + 1] / iso_f[i]);
    return (1.0 - t) * spl_at(phon, i) + t * spl_at(phon, i + 1);
}

double hpa_loudness_comp_db(double listen_phon, double ref_phon, double freq_hz)
{
    const double l = fmin(fmax(listen_phon, HPA_ISO226_PHON_MIN), HPA_ISO226_PHON_MAX);
    const double r = fmin(fmax(ref_phon, HPA_ISO226_PHON_MIN), HPA_ISO226_PHON_MAX);
    return (hpa_iso226_spl(l, freq_hz) - l) - (hpa_iso226_spl(r, freq_hz) - r);
}

int hpa_loudness_comp_bands(double listen_phon, double ref_phon, double rate_hz, hpa_eq_band *bands, size_t cap,
                            size_t *n, double *rms_db)
{
    if (n)
        *n = 0;
    if (!n || !bands || !isfinite(listen_phon) || !isfinite(ref_phon))
        return HPA_ERR_INVALID_ARG;
    if (cap < HPA_LOUDNESS_COMP_BANDS)
        return HPA_ERR_BUFFER_TOO_SMALL;
    /* the curve on a 1/12-octave grid, limited; the "measurement" is flat */
    enum { PER_OCT = 12, PTS = 12 * 10 };
    hpa_eq_point flat[PTS], curve[PTS];
    size_t m = 0;
    for (int k = 0; k < PTS; k++) {
        const double f = 20.0 * exp2((double)k / PER_OCT);
        if (f > 12500.0)
            break;
        flat[m] = (hpa_eq_point){f, 0.0};
        curve[m] = (hpa_eq_point){f, fmin(hpa_loudness_comp_db(listen_phon, ref_phon, f), HPA_LOUDNESS_COMP_MAX_DB)};
        m++;
    }
    hpa_eq_autofit_config cfg;
    hpa_eq_autofit_config_init(&cfg);
    cfg.rate_hz = rate_hz;
    cfg.max_filters = HPA_LOUDNESS_COMP_BANDS;
    cfg.max_gain_db = HPA_LOUDNESS_COMP_MAX_DB;
    cfg.max_q = 2.0; /* smooth contours need no narrow bands */
    hpa_eq_autofit_result res;
    int rc = hpa_eq_autofit(flat, m, curve, m, &cfg, NULL, bands, cap, &res, NULL);
    if (rc != HPA_OK)
        return rc;
    *n = res.n_bands;
    if (rms_db)
        *rms_db = res.rms_db;
    return HPA_OK;
}

double hpa_loudness_listen_phon(double spl0_db, double volume_db, double programme_lufs)
{
    const double l = spl0_db + volume_db + programme_lufs;
    if (!isfinite(l))
        return NAN;
    return HPA_LOUDNESS_STEP_DB * round(l / HPA_LOUDNESS_STEP_DB);
}
