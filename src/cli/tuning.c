/* tuning.c — --loudness-comp and --compensate (tuning.h). */
#include <stdio.h>
#include <string.h>

#include <hpamp/advise.h>
#include <hpamp/params.h>

#include "cli.h"
#include "dbfiles.h"
#include "gear.h"
#include "term.h"
#include "tuning.h"

int hpc_parse_loudness_ref(const char *cmd, const char *opt, int argc, char **argv, int *optind, double *ref_phon)
{
    char r[64];
    *ref_phon = hpa_param_info_get(HPA_PARAM_LOUDNESS_REF_PHON)->default_value;
    if (!opt && *optind < argc) { /* an optional value may stand apart */
        double v;
        if (hpa_parse_double(argv[*optind], -1e9, 1e9, &v) == 0) {
            opt = argv[*optind];
            ++*optind;
        }
    }
    if (opt && hpa_param_parse(opt, HPA_PARAM_LOUDNESS_REF_PHON, ref_phon)) {
        hpc_error("%s: --loudness-comp takes a reference level of %s, not '%s'", cmd,
                  hpa_param_range_text(HPA_PARAM_LOUDNESS_REF_PHON, r, sizeof r), opt);
        return EXIT_USAGE;
    }
    return 0;
}

/* the output-impedance compensation of the pair, from the database */
static int compensation(const char *cmd, hph_tuning *t, const char *hp, const char *src)
{
    hpa_db *db = NULL;
    size_t hi = 0, si = 0;
    int rc = hpc_gear_open(hp, src, &db, &hi, &si);
    if (rc)
        return rc;
    const hpa_db_headphone *h = hpa_db_headphone_at(db, hi);
    hpa_headphone model;
    hpa_source source;
    int zk = 0;
    char name[512];
    if (h->active || hpa_advise_headphone(h, &model, NULL) != HPA_OK) {
        hpc_db_name(db, (hpa_db_ref){HPA_DB_HEADPHONES, hi}, name, sizeof name);
        hpc_error("%s: --compensate needs the impedance of %s, which is not known%s", cmd, name,
                  h->active ? " (it has its own amplifier)" : "");
        hpa_db_destroy(db);
        return EXIT_USAGE;
    }
    if (hpa_advise_source(hpa_db_source_at(db, si), &source, &zk, NULL) != HPA_OK || !zk) {
        hpc_db_name(db, (hpa_db_ref){HPA_DB_SOURCES, si}, name, sizeof name);
        hpc_error("%s: --compensate needs the output impedance of %s, which is not known", cmd, name);
        hpa_db_destroy(db);
        return EXIT_USAGE;
    }
    char why[256];
    rc = hph_tuning_set_compensation(t, &model, source.zout_ohm, why, sizeof why);
    hpa_db_destroy(db); /* the model's curve points live in the database: fitted before */
    if (rc) {
        hpc_error("%s: %s", cmd, why);
        return 1;
    }
    return 0;
}

int hpc_tuning_setup(const char *cmd, hph_tuning *t, const hpa_safety *safety, const char *hp, const char *src,
                     int loudness, double ref_phon, double programme_lufs, int compensate)
{
    if ((loudness || compensate) && (!hp || !src)) {
        hpc_error("%s: %s needs --headphones and --source (%s)", cmd, loudness ? "--loudness-comp" : "--compensate",
                  loudness ? "the listening level comes from the SPL at the ear" : "the impedances of both");
        return EXIT_USAGE;
    }
    if (loudness && !safety->spl_known) {
        hpc_error("%s: --loudness-comp needs the SPL at the ear, and that of %s on %s is not known", cmd, hp, src);
        return EXIT_USAGE;
    }
    if (loudness)
        hph_tuning_set_loudness(t, safety->spl0_db, ref_phon, programme_lufs);
    return compensate ? compensation(cmd, t, hp, src) : 0;
}
