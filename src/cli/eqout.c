/* eqout.c — a band set as an Equalizer APO ParametricEQ file (eqout.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <hpamp/advise.h>
#include <hpamp/compensation.h>

#include "eqout.h"
#include <hpamp/host/outfile.h>
#include "term.h"

int hpc_write_parametric(const char *path, const hpa_eq_band *b, size_t n, double preamp_db)
{
    hph_outfile o;
    if (hph_outfile_create(&o, path)) {
        hpc_error("%s: cannot create: %s", path, strerror(errno));
        return 1;
    }
    FILE *f = fdopen(dup(o.fd), "w");
    int bad = !f;
    if (f) {
        fprintf(f, "Preamp: %.1f dB\n", preamp_db);
        for (size_t k = 0; k < n; k++)
            fprintf(f, "Filter %zu: ON %s Fc %.1f Hz Gain %.1f dB Q %.2f\n", k + 1, hpa_eq_type_name(b[k].type),
                    b[k].freq_hz, b[k].gain_db, b[k].q);
        bad = fflush(f) != 0 || ferror(f);
        bad |= fclose(f) != 0;
    }
    if (bad) {
        hpc_error("%s: cannot write: %s", path, strerror(errno));
        hph_outfile_abort(&o);
        return 1;
    }
    if (hph_outfile_commit(&o)) {
        hpc_error("%s: cannot write: %s", path, strerror(errno));
        return 1;
    }
    return 0;
}


int hpc_compensation_eq(const char *path, const hpa_db_headphone *h, const hpa_db_source *s, const char *hp_name,
                        const char *src_name, int json)
{
    hpa_headphone hp;
    hpa_source src;
    int zk = 0;
    if (h->active || hpa_advise_headphone(h, &hp, NULL) != HPA_OK) {
        hpc_fail("cannot-tell", "--compensation-eq: the impedance of %s is not known%s", hp_name,
                 h->active ? " (it has its own amplifier)" : "");
        return 1;
    }
    if (hpa_advise_source(s, &src, &zk, NULL) != HPA_OK || !zk) {
        hpc_fail("cannot-tell", "--compensation-eq: the output impedance of %s is not known", src_name);
        return 1;
    }
    hpa_eq_band b[HPA_COMPENSATION_MAX_BANDS];
    hpa_compensation comp;
    memset(&comp, 0, sizeof comp);
    int err = src.zout_ohm > 0.0
                  ? hpa_compensation_fit(&hp, src.zout_ohm, 48000.0, b, HPA_COMPENSATION_MAX_BANDS, &comp)
                  : HPA_OK;
    if (err != HPA_OK) {
        hpc_fail("failed", "--compensation-eq: %s", hpa_strerror(err));
        return 1;
    }
    double peak = 0.0;
    if (comp.n_bands && hpa_eq_peak_db(b, comp.n_bands, 48000.0, 0.0, 24000.0, &peak, NULL) != HPA_OK)
        peak = 0.0;
    if (hpc_write_parametric(path, b, comp.n_bands, peak > 0.0 ? -ceil(peak * 10.0 - 1e-9) / 10.0 : 0.0))
        return 1;
    if (!json) {
        char shown[4096];
        printf("\n  compensation EQ (output impedance %.3g ohm): %zu band%s; the change of %.2f dB peak to peak\n"
               "  over 20 Hz..20 kHz is left at +-%.3f dB; written to %s\n",
               src.zout_ohm, comp.n_bands, comp.n_bands == 1 ? "" : "s", comp.change_db, comp.max_err_db,
               hpa_escape_text(shown, sizeof shown, path));
    }
    return 0;
}
