/* fuzz_db_spec.c — a libFuzzer target for ad-hoc gear specs
 * (hpa_db_add_spec in src/lib/db.c: `--headphones "300ohm,97dB/mW"`,
 * `--source "1.0V,0.9ohm"`).
 *
 * The input, up to its first NUL, is one spec, added as a headphone and as a
 * source to a database that already holds the built-in entries.  Aborts
 * when an invariant breaks:
 *   - the result is HPA_OK or HPA_ERR_INVALID_ARG;
 *   - a refusal gives a one-line reason (valid UTF-8, no control characters)
 *     and leaves the table as it was;
 *   - an acceptance adds exactly one entry at the index returned, whose model
 *     is the spec without its outer blanks, with the facts a spec must give
 *     (an impedance and a sensitivity; a voltage or a power), every number
 *     inside the range hpa_db_add_spec documents, and an id that finds it;
 *   - the same spec added twice gets two different ids. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpamp/db.h>
#include <hpamp/hpamp.h>

#include "csv.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static hpa_db *g_db;

static int in(double v, double lo, double hi, int lo_open)
{
    return isnan(v) || (v >= lo && v <= hi && !(lo_open && v == lo));
}

static int clean_line(const char *s)
{
    size_t n = strlen(s);
    if (!n || !hpa_utf8_valid(s, n))
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
            return 0;
    return 1;
}

/* the spec without spaces and tabs around it, as the entry's model keeps it */
static void trimmed(const char *spec, char *out, size_t cap)
{
    while (*spec == ' ' || *spec == '\t')
        spec++;
    size_t n = strlen(spec);
    while (n && (spec[n - 1] == ' ' || spec[n - 1] == '\t'))
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, spec, n);
    out[n] = 0;
}

static void found_by_id(hpa_db_kind kind, size_t idx, const char *id)
{
    hpa_db_match m;
    FUZZ_CHECK(hpa_db_lookup(g_db, kind, id, &m) == HPA_OK);
    FUZZ_CHECK(m.how == HPA_DB_MATCH_EXACT && m.total == 1 && m.n == 1);
    FUZZ_CHECK(m.refs[0].kind == kind && m.refs[0].index == idx);
}

/* add the spec to one table; the id it got into id_out ("" when refused) */
static void try_kind(hpa_db_kind kind, const char *spec, char *id_out, size_t id_cap)
{
    char why[200];
    memset(why, 'x', sizeof why);
    size_t before = hpa_db_count(g_db, kind), idx = SIZE_MAX;
    int rc = hpa_db_add_spec(g_db, kind, spec, &idx, why, sizeof why);
    id_out[0] = 0;
    FUZZ_CHECK(rc == HPA_OK || rc == HPA_ERR_INVALID_ARG);
    if (rc != HPA_OK) {
        FUZZ_CHECK(memchr(why, 0, sizeof why) != NULL);
        FUZZ_CHECK(clean_line(why));
        FUZZ_CHECK(hpa_db_count(g_db, kind) == before);
        return;
    }
    FUZZ_CHECK(hpa_db_count(g_db, kind) == before + 1 && idx == before);
    char model[600];
    trimmed(spec, model, sizeof model);
    const char *id;
    if (kind == HPA_DB_HEADPHONES) {
        const hpa_db_headphone *h = hpa_db_headphone_at(g_db, idx);
        FUZZ_CHECK(h != NULL && strcmp(h->model, model) == 0 && h->brand[0] == 0);
        FUZZ_CHECK(!isnan(h->impedance_ohm));
        FUZZ_CHECK(!isnan(h->sensitivity_db_mw) || !isnan(h->sensitivity_db_v) || !isnan(h->mv_for_94db));
        FUZZ_CHECK(in(h->impedance_ohm, 0, 1e6, 1) && in(h->sensitivity_db_mw, 50, 150, 0) &&
                   in(h->sensitivity_db_v, 50, 160, 0) && in(h->mv_for_94db, 0, 1e5, 1));
        FUZZ_CHECK(hpa_db_hp_type_name(h->type) && hpa_db_driver_name(h->driver) && hpa_db_back_name(h->back));
        FUZZ_CHECK(h->line == 0);
        id = h->id;
    } else {
        const hpa_db_source *s = hpa_db_source_at(g_db, idx);
        FUZZ_CHECK(s != NULL && strcmp(s->model, model) == 0 && s->brand[0] == 0);
        FUZZ_CHECK(!isnan(s->vout_max_rms_v) || !isnan(s->power_mw_32) || !isnan(s->power_mw_300));
        FUZZ_CHECK(in(s->vout_max_rms_v, 0, 1000, 1) && in(s->vout_load_ohm, 0, 1e7, 1) &&
                   in(s->power_mw_32, 0, 1e7, 1) && in(s->power_mw_300, 0, 1e7, 1) && in(s->zout_ohm, 0, 1e5, 0) &&
                   in(s->imax_ma, 0, 1e5, 1));
        FUZZ_CHECK(hpa_db_src_kind_name(s->kind) && hpa_db_output_name(s->output));
        FUZZ_CHECK(s->battery >= -1 && s->battery <= 1);
        FUZZ_CHECK(s->line == 0);
        id = s->id;
    }
    FUZZ_CHECK(strncmp(id, "spec-", 5) == 0);
    found_by_id(kind, idx, id);
    snprintf(id_out, id_cap, "%s", id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input(data, size);
    if (!g_db)
        FUZZ_CHECK(hpa_db_create(&g_db) == HPA_OK);
    size_t n = strnlen((const char *)data, size);
    char *spec = malloc(n + 1);
    FUZZ_CHECK(spec != NULL);
    memcpy(spec, data, n);
    spec[n] = 0;
    for (int k = 0; k < 2; k++) {
        hpa_db_kind kind = k ? HPA_DB_SOURCES : HPA_DB_HEADPHONES;
        char a[32], b[32];
        try_kind(kind, spec, a, sizeof a);
        try_kind(kind, spec, b, sizeof b);
        FUZZ_CHECK(!a[0] == !b[0]);
        FUZZ_CHECK(!a[0] || strcmp(a, b) != 0);
    }
    free(spec);
    /* a fresh database now and then, so that the tables stay small */
    if (hpa_db_count(g_db, HPA_DB_HEADPHONES) + hpa_db_count(g_db, HPA_DB_SOURCES) > 400) {
        hpa_db_destroy(g_db);
        g_db = NULL;
    }
    return 0;
}
