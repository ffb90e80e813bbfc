/* gear.c — the levels of a named pair (see gear.h): names resolved and the
 * model's verdict (libhpamp's hpa_safety_from_gear) told. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <hpamp/advise.h>
#include <hpamp/db.h>
#include <hpamp/safety.h>

#include "dbfiles.h"
#include "gear.h"
#include "term.h"

int hpc_gear_open(const char *hp, const char *src, hpa_db **out, size_t *hi, size_t *si)
{
    hpa_db *db = NULL;
    *out = NULL;
    if (hpc_db_open(&db))
        return 1;
    int rc = hpc_db_resolve(db, HPA_DB_HEADPHONES, hp, "--headphones", hi);
    if (!rc)
        rc = hpc_db_resolve(db, HPA_DB_SOURCES, src, "--source", si);
    if (rc) {
        hpa_db_destroy(db);
        return rc;
    }
    *out = db;
    return 0;
}

int hpc_safety_from_gear(const char *cmd, const char *hp, const char *src, double max_volume_db, hpa_safety *s,
                         char *title, size_t title_len)
{
    hpa_db *db = NULL;
    size_t hi = 0, si = 0;
    int rc = hpc_gear_open(hp, src, &db, &hi, &si);
    if (rc)
        return rc;
    char hname[512], sname[512];
    hpc_db_name(db, (hpa_db_ref){HPA_DB_HEADPHONES, hi}, hname, sizeof hname);
    hpc_db_name(db, (hpa_db_ref){HPA_DB_SOURCES, si}, sname, sizeof sname);
    switch (hpa_safety_from_gear(s, hpa_db_headphone_at(db, hi), hpa_db_source_at(db, si), max_volume_db)) {
    case HPA_SAFETY_GEAR_ACTIVE:
        hpc_warn("%s: %s has its own amplifier: its SPL is not known from the source; levels as for unknown "
                 "headphones",
                 cmd, hname);
        break;
    case HPA_SAFETY_GEAR_UNKNOWN_SPL:
        hpc_warn("%s: the SPL of %s on %s is not known (sensitivity, impedance or output missing); levels as "
                 "for unknown headphones",
                 cmd, hname, sname);
        break;
    case HPA_SAFETY_GEAR_TOO_LOUD:
        hpc_error("%s: %s on %s reaches %.1f dB SPL at 0 dBFS: the %.0f dB SPL ceiling would be %.1f dBFS, "
                  "below the limiter's lowest (%.0f dBTP); use a quieter source or gain setting",
                  cmd, hname, sname, s->spl0_db, HPA_SAFE_CEILING_SPL_DB, s->ceiling_db, HPA_LIMIT_MIN_DBTP);
        hpa_db_destroy(db);
        return 1;
    case HPA_SAFETY_GEAR_KNOWN: {
        char basis[sizeof s->basis];
        snprintf(basis, sizeof basis, "%.180s on %.180s: %.250s", hname, sname, s->basis);
        memcpy(s->basis, basis, sizeof basis);
        break;
    }
    }
    if (title && title_len)
        snprintf(title, title_len, "%.200s on %.200s", hname, sname);
    hpa_db_destroy(db);
    return 0;
}

int hpc_gear_response(const char *hp, const char *src, hpa_headphone *model, double *zout_ohm)
{
    hpa_db *db = NULL;
    size_t hi = 0, si = 0;
    if (hpc_db_open(&db))
        return -1;
    int ok = !hpc_db_resolve(db, HPA_DB_HEADPHONES, hp, "--headphones", &hi) &&
             !hpc_db_resolve(db, HPA_DB_SOURCES, src, "--source", &si) &&
             hpa_advise_headphone(hpa_db_headphone_at(db, hi), model, NULL) == HPA_OK;
    if (ok)
        *zout_ohm = hpa_db_source_at(db, si)->zout_ohm;
    hpa_db_destroy(db);
    return ok && isfinite(*zout_ohm) ? 0 : -1;
}
