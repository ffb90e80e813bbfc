/* dbtext.h — the checks on CSV text that the database's fuzz tests share
 * (tests/db/test_fuzz.c with cmocka, tests/fuzz/fuzz_db_csv.c with
 * libFuzzer).  The includer defines DBTEXT_CHECK(cond): its way to fail. */
#ifndef HPA_TESTS_DBTEXT_H
#define HPA_TESTS_DBTEXT_H

#include <math.h>
#include <stddef.h>
#include <string.h>

#include <hpamp/hpamp.h>

#include "csv.h"

/* lines of t[0..n) as the reader counts them: LF, CRLF or a lone CR */
static inline size_t dbtext_lines(const char *t, size_t n)
{
    size_t lines = 1;
    for (size_t i = 0; i < n; i++)
        if (t[i] == '\n' || (t[i] == '\r' && !(i + 1 < n && t[i + 1] == '\n')))
            lines++;
    return lines;
}

/* valid UTF-8 without control characters (tabs, and newlines if allowed, aside) */
static inline int dbtext_clean(const char *s, int allow_newline)
{
    size_t n = strlen(s);
    if (!hpa_utf8_valid(s, n))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t' && !(allow_newline && c == '\n')) || c == 0x7F)
            return 0;
    }
    return 1;
}

/* NaN (not given), or finite within [lo, hi] */
static inline int dbtext_num_ok(double v, double lo, double hi)
{
    return isnan(v) || (isfinite(v) && v >= lo && v <= hi);
}

/* the CSV reader over t[0..n): it always progresses; records start on ever
 * later lines that the text has; a bad record has a reason and no fields;
 * fields are clean strings of the length given */
static inline void dbtext_check_reader(const char *t, size_t n)
{
    size_t lines = dbtext_lines(t, n);
    hpa_csv c;
    DBTEXT_CHECK(hpa_csv_init(&c, t, n) == HPA_OK);
    unsigned last = 0;
    size_t records = 0;
    for (;;) {
        hpa_csv_status s = hpa_csv_next(&c);
        if (s == HPA_CSV_END)
            break;
        DBTEXT_CHECK(++records <= n + 1);
        DBTEXT_CHECK(c.line >= 1 && c.line <= lines);
        DBTEXT_CHECK(c.line > last);
        last = c.line;
        if (s == HPA_CSV_BAD) {
            DBTEXT_CHECK(c.why[0] != 0 && strnlen(c.why, sizeof c.why) < sizeof c.why);
            DBTEXT_CHECK(c.n_fields == 0);
            continue;
        }
        DBTEXT_CHECK(s == HPA_CSV_RECORD);
        DBTEXT_CHECK(c.n_fields >= 1 && c.n_fields <= HPA_CSV_MAX_FIELDS);
        for (size_t i = 0; i < c.n_fields; i++) {
            DBTEXT_CHECK(strlen(c.fields[i]) == c.field_len[i]);
            DBTEXT_CHECK(dbtext_clean(c.fields[i], 1));
        }
    }
    hpa_csv_free(&c);
}

#endif
