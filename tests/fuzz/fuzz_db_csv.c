/* fuzz_db_csv.c — a libFuzzer target for the database's CSV text: the CSV
 * reader (src/lib/csv.c) and the tables built from it (src/lib/db.c), the
 * path a user's headphones.csv / sources.csv takes.
 *
 * The input is the text of one file.  It is read by the CSV reader, then
 * loaded as a headphone table and as a source table, then loaded again into
 * the same tables; aborts (fuzz_fail) when an invariant breaks:
 *   - the reader always progresses, records start on ever later lines that
 *     the text has, a bad record has a reason and no fields, fields are
 *     valid UTF-8 without control characters (newlines inside quotes aside);
 *   - loading returns HPA_OK; each diagnostic is on a line of the text with a
 *     clean message; every entry has an id and a model, clean strings,
 *     numbers in their documented ranges (or NaN), named enum values;
 *   - every entry is found by its own id (an exact match that lists it);
 *   - the same text added again replaces its entries (the count holds);
 *   - lookup and search with pieces of the text stay in bounds. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpamp/db.h>
#include <hpamp/hpamp.h>

#include "csv.h"
#include "fuzz_common.h"

#define DBTEXT_CHECK(cond) FUZZ_CHECK(cond)
#include "dbtext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the entry i of a table is among the refs of an exact lookup of its id */
static void check_found_by_id(const hpa_db *db, hpa_db_kind kind, size_t i, const char *id)
{
    char norm[512];
    if (hpa_db_normalize(id, norm, sizeof norm) == 0)
        return; /* an id of punctuation only has no lookup form */
    hpa_db_match m;
    FUZZ_CHECK(hpa_db_lookup(db, kind, id, &m) == HPA_OK);
    FUZZ_CHECK(m.how == HPA_DB_MATCH_EXACT);
    FUZZ_CHECK(m.n >= 1 && m.n <= HPA_DB_MAX_MATCHES && m.n <= m.total);
    if (m.total > m.n)
        return;
    int seen = 0;
    for (size_t k = 0; k < m.n; k++)
        seen |= m.refs[k].kind == kind && m.refs[k].index == i;
    FUZZ_CHECK(seen);
}

static void check_entries(const hpa_db *db, hpa_db_kind kind, size_t lines, const char *origin)
{
    size_t n = hpa_db_count(db, kind);
    for (size_t i = 0; i < n; i++) {
        if (kind == HPA_DB_HEADPHONES) {
            const hpa_db_headphone *h = hpa_db_headphone_at(db, i);
            FUZZ_CHECK(h != NULL);
            FUZZ_CHECK(dbtext_clean(h->id, 0) && dbtext_clean(h->brand, 0) && dbtext_clean(h->model, 0));
            FUZZ_CHECK(dbtext_clean(h->source, 1));
            FUZZ_CHECK(*h->model && *h->id);
            FUZZ_CHECK(strcmp(h->origin, origin) == 0);
            FUZZ_CHECK(h->line >= 1 && h->line <= lines);
            FUZZ_CHECK(dbtext_num_ok(h->impedance_ohm, 0, 1e6) && dbtext_num_ok(h->sensitivity_db_mw, 50, 150));
            FUZZ_CHECK(dbtext_num_ok(h->sensitivity_db_v, 50, 160) && dbtext_num_ok(h->mv_for_94db, 0, 1e5));
            FUZZ_CHECK(!(h->impedance_ohm <= 0) && !(h->mv_for_94db <= 0));
            FUZZ_CHECK(dbtext_num_ok(h->impedance_peak_ohm, 0, 1e7) && dbtext_num_ok(h->impedance_peak_hz, 0, 1e6));
            FUZZ_CHECK(dbtext_num_ok(h->max_input_mw, 0, 1e7));
            FUZZ_CHECK(hpa_db_hp_type_name(h->type) && hpa_db_driver_name(h->driver) && hpa_db_back_name(h->back));
            FUZZ_CHECK(h->active == 0 || h->active == 1);
            check_found_by_id(db, kind, i, h->id);
        } else {
            const hpa_db_source *s = hpa_db_source_at(db, i);
            FUZZ_CHECK(s != NULL);
            FUZZ_CHECK(dbtext_clean(s->id, 0) && dbtext_clean(s->brand, 0) && dbtext_clean(s->model, 0));
            FUZZ_CHECK(dbtext_clean(s->source, 1) && dbtext_clean(s->gain_settings, 1));
            FUZZ_CHECK(*s->model && *s->id);
            FUZZ_CHECK(strcmp(s->origin, origin) == 0);
            FUZZ_CHECK(s->line >= 1 && s->line <= lines);
            FUZZ_CHECK(dbtext_num_ok(s->vout_max_rms_v, 0, 1000) && !(s->vout_max_rms_v <= 0));
            FUZZ_CHECK(dbtext_num_ok(s->zout_ohm, 0, 1e5));
            FUZZ_CHECK(dbtext_num_ok(s->vout_load_ohm, 0, 1e7) && dbtext_num_ok(s->power_mw_32, 0, 1e7) &&
                       dbtext_num_ok(s->power_mw_300, 0, 1e7) && dbtext_num_ok(s->imax_ma, 0, 1e5));
            FUZZ_CHECK(s->n_gains <= HPA_DB_MAX_GAINS);
            for (unsigned g = 0; g < s->n_gains; g++)
                FUZZ_CHECK(isfinite(s->gain_db[g]));
            FUZZ_CHECK(hpa_db_src_kind_name(s->kind) && hpa_db_output_name(s->output));
            FUZZ_CHECK(s->battery >= -1 && s->battery <= 1);
            check_found_by_id(db, kind, i, s->id);
        }
    }
}

static void check_diags(const hpa_db_diags *d, const char *origin, size_t lines)
{
    FUZZ_CHECK(d->count <= d->capacity && d->count <= d->total);
    for (size_t i = 0; i < d->count; i++) {
        FUZZ_CHECK(d->items[i].origin == origin);
        FUZZ_CHECK(d->items[i].line >= 1 && d->items[i].line <= lines);
        FUZZ_CHECK(strnlen(d->items[i].message, sizeof d->items[i].message) < sizeof d->items[i].message);
        FUZZ_CHECK(d->items[i].message[0] && dbtext_clean(d->items[i].message, 0));
    }
}

/* a lookup and a search with the bytes t[at .. at+len) as the name */
static void query(const hpa_db *db, const char *t, size_t n, size_t at, size_t len)
{
    char name[80];
    if (at > n)
        at = n;
    if (len > n - at)
        len = n - at;
    if (len >= sizeof name)
        len = sizeof name - 1;
    memcpy(name, t + at, len);
    name[len] = 0;
    hpa_db_match m;
    FUZZ_CHECK(hpa_db_lookup(db, HPA_DB_ANY, name, &m) == HPA_OK);
    FUZZ_CHECK(m.n <= HPA_DB_MAX_MATCHES);
    FUZZ_CHECK(m.how == HPA_DB_MATCH_NONE ? m.n <= HPA_DB_CLOSEST : (m.n >= 1 && m.n <= m.total));
    for (size_t i = 0; i < m.n; i++)
        FUZZ_CHECK(m.refs[i].index < hpa_db_count(db, m.refs[i].kind));
    hpa_db_ref refs[4];
    size_t total = 0;
    FUZZ_CHECK(hpa_db_search(db, HPA_DB_ANY, name, refs, 4, &total) == HPA_OK);
    FUZZ_CHECK(total <= hpa_db_count(db, HPA_DB_HEADPHONES) + hpa_db_count(db, HPA_DB_SOURCES));
    for (size_t i = 0; i < total && i < 4; i++)
        FUZZ_CHECK(refs[i].index < hpa_db_count(db, refs[i].kind));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input(data, size);
    const char *t = (const char *)data;
    const size_t lines = dbtext_lines(t, size);
    dbtext_check_reader(t, size);

    static const char origin[] = "fuzz.csv";
    hpa_db *db = NULL;
    FUZZ_CHECK(hpa_db_create_empty(&db) == HPA_OK);
    size_t first[2] = {0, 0};
    for (int round = 0; round < 2; round++) {
        for (int k = 0; k < 2; k++) {
            hpa_db_kind kind = k ? HPA_DB_SOURCES : HPA_DB_HEADPHONES;
            hpa_db_diag items[8];
            hpa_db_diags d = {items, 8, 0, 0};
            size_t added = 0;
            FUZZ_CHECK(hpa_db_add_text(db, kind, t, size, origin, &d, &added) == HPA_OK);
            check_diags(&d, origin, lines);
            if (round == 0) {
                FUZZ_CHECK(hpa_db_count(db, kind) == added);
                first[k] = added;
            } else {
                /* every entry has an id, so all of them replace the first round's */
                FUZZ_CHECK(added == first[k] && hpa_db_count(db, kind) == first[k]);
            }
            check_entries(db, kind, lines, origin);
        }
    }
    query(db, t, size, 0, size);
    query(db, t, size, size / 3, 12);
    query(db, t, size, size / 2, 3);
    hpa_db_destroy(db);
    return 0;
}
