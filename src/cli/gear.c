/* gear.c — the levels of a named pair (see gear.h); moved from play.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <hpamp/advise.h>
#include <hpamp/db.h>
#include <hpamp/model.h>

#include "dbfiles.h"
#include "gear.h"
#include "term.h"

int hpa_cli_safety_from_gear(const char *cmd, const char *hp, const char *src, double max_volume_db, hpa_safety *s,
                             char *title, size_t title_len)
{
    hpa_db *db = NULL;
    if (hpa_cli_db_open(&db))
        return 1;
    size_t hi = 0, si = 0;
    int rc = hpa_cli_db_resolve(db, HPA_DB_HEADPHONES, hp, "--headphones", &hi);
    if (!rc)
        rc = hpa_cli_db_resolve(db, HPA_DB_SOURCES, src, "--source", &si);
    if (rc) {
        hpa_db_destroy(db);
        return rc;
    }
    const hpa_db_headphone *h = hpa_db_headphone_at(db, hi);
    const hpa_db_source *sr = hpa_db_source_at(db, si);
    hpa_headphone hm;
    hpa_source sm;
    hpa_operating_point op;
    char hname[512], sname[512];
    hpa_cli_db_name(db, (hpa_db_ref){HPA_DB_HEADPHONES, hi}, hname, sizeof hname);
    hpa_cli_db_name(db, (hpa_db_ref){HPA_DB_SOURCES, si}, sname, sizeof sname);
    if (h->active) {
        hpa_cli_warn("%s: %s has its own amplifier: its SPL is not known from the source; levels as for unknown "
                     "headphones",
                     cmd, hname);
        hpa_safety_unknown(s, max_volume_db);
    } else if (hpa_advise_headphone(h, &hm, NULL) != HPA_OK || hpa_advise_source(sr, &sm, NULL, NULL) != HPA_OK ||
               hpa_operating_point_at(&hm, &sm, 0, 0.0, 0.0, 0.0, &op) != HPA_OK || !isfinite(op.spl_db)) {
        hpa_cli_warn("%s: the SPL of %s on %s is not known (sensitivity, impedance or output missing); levels as "
                     "for unknown headphones",
                     cmd, hname, sname);
        hpa_safety_unknown(s, max_volume_db);
    } else {
        hpa_safety_from_model(s, op.spl_db, max_volume_db, HPA_SAFE_CEILING_SPL_DB);
        if (s->ceiling_db < HPA_LIMIT_MIN_DBTP) {
            hpa_cli_error("%s: %s on %s reaches %.1f dB SPL at 0 dBFS: the %.0f dB SPL ceiling would be %.1f dBFS, "
                          "below the limiter's lowest (%.0f dBTP); use a quieter source or gain setting",
                          cmd, hname, sname, op.spl_db, HPA_SAFE_CEILING_SPL_DB, s->ceiling_db, HPA_LIMIT_MIN_DBTP);
            hpa_db_destroy(db);
            return 1;
        }
        char basis[sizeof s->basis];
        snprintf(basis, sizeof basis, "%.180s on %.180s: %.250s", hname, sname, s->basis);
        memcpy(s->basis, basis, sizeof basis);
    }
    if (title && title_len)
        snprintf(title, title_len, "%.200s on %.200s", hname, sname);
    hpa_db_destroy(db);
    return 0;
}
