/* simulate.c — the gear and the simulation of render --simulate-source
 * (simulate.h): names resolved as advise resolves them, the model's
 * structs from the database's facts, the summary. */
#include <math.h>
#include <stdio.h>

#include <hpamp/advise.h>
#include <hpamp/db.h>

#include "dbfiles.h"
#include "simulate.h"
#include "term.h"

int hpc_sim_make(const char *src, const char *hp, double level_db, double loudness_dbfs, uint32_t rate_hz,
                 unsigned channels, hpa_sim **sim, hpa_sim_plan *plan, char *title, size_t title_len)
{
    hpa_db *db = NULL;
    if (hpc_db_open(&db))
        return 1;
    size_t hi = 0, si = 0;
    int rc = hpc_db_resolve(db, HPA_DB_SOURCES, src, "--simulate-source", &si);
    if (!rc)
        rc = hpc_db_resolve(db, HPA_DB_HEADPHONES, hp, "--headphones", &hi);
    if (rc) { /* not in the database: the command line is wrong */
        hpa_db_destroy(db);
        return EXIT_USAGE;
    }
    char hname[256], sname[256];
    hpc_db_name(db, (hpa_db_ref){HPA_DB_HEADPHONES, hi}, hname, sizeof hname);
    hpc_db_name(db, (hpa_db_ref){HPA_DB_SOURCES, si}, sname, sizeof sname);
    snprintf(title, title_len, "%s on %s", sname, hname);
    hpa_headphone h;
    hpa_source s;
    unsigned missing = 0;
    int zout_known = 1;
    rc = 1;
    if (hpa_advise_headphone(hpa_db_headphone_at(db, hi), &h, &missing) != HPA_OK)
        hpc_error("render: --simulate-source: %s: its %s not known", hname,
                  (missing & HPA_REASON_NO_SENSITIVITY) ? "sensitivity is" : "impedance is");
    else if (hpa_advise_source(hpa_db_source_at(db, si), &s, &zout_known, NULL) != HPA_OK)
        hpc_error("render: --simulate-source: %s: its output voltage or power is not known, or its figures "
                  "contradict each other",
                  sname);
    else if (rate_hz < 44100)
        hpc_error("render: --simulate-source needs an output rate of 44100 Hz or more, not %u Hz", rate_hz);
    else {
        hpa_sim_config cfg = {.hp = &h,
                              .src = &s,
                              .rate_hz = rate_hz,
                              .channels = channels,
                              .level_db = level_db,
                              .loudness_dbfs = loudness_dbfs};
        int err = hpa_sim_create(&cfg, sim, plan);
        if (err)
            hpc_error("render: cannot simulate %s: %s", title, hpa_strerror(err));
        else
            rc = 0;
        if (!err && !zout_known)
            hpc_warn("%s: its output impedance is not known; simulated as 0 ohm (no response change)", sname);
    }
    hpa_db_destroy(db);
    return rc;
}

void hpc_sim_print(const hpa_sim *sim, const hpa_sim_plan *p, const char *title, double level_db, double loudness_dbfs)
{
    uint64_t v = 0, i = 0;
    hpa_sim_clipped(sim, &v, &i);
    printf("simulate %s at %.1f dB SPL (the music at %.1f LUFS): 0 dBFS = %.1f dB SPL, %.3f V at %.0f Hz\n", title,
           level_db, loudness_dbfs, p->spl0_db, p->vload_fs_v, p->ref_hz);
    printf("        clips above %.2f dBFS: the %s runs out (%s)%s\n", p->clip_dbfs,
           p->limit == HPA_LIMIT_CURRENT ? "current" : "voltage",
           p->limit == HPA_LIMIT_CURRENT ? "the source's current limit into |Z| at the reference"
                                         : "the source's clipping voltage",
           p->clip_dbfs >= 0.0 ? "; above full scale, so the music never reaches it" : "");
    if (p->n_bands)
        printf("        response %.2f dB peak to peak over 20 Hz - 20 kHz (output impedance into Z(f)), as %zu "
               "bands within %.2f dB\n",
               p->response_spread_db, p->n_bands, p->response_err_db);
    else
        printf("        response within %.2f dB peak to peak: left as it is (a low output impedance or a flat "
               "load)\n",
               p->response_spread_db);
    printf("        clipped %llu samples (voltage %llu, current %llu)\n", (unsigned long long)v + (unsigned long long)i,
           (unsigned long long)v, (unsigned long long)i);
}
