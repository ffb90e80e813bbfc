/* csv.h — libhpamp's CSV reader (private): RFC 4180 with a forgiving edge.
 *
 *   - fields separated by commas; a field in double quotes may hold commas,
 *     line breaks and doubled quotes ("" for one ");
 *   - records end at LF, CRLF or a lone CR;
 *   - spaces and tabs around a field are dropped (inside quotes they stay);
 *   - blank lines and lines whose first character is '#' are skipped;
 *   - a UTF-8 byte-order mark at the start is skipped;
 *   - a quote inside an unquoted field is taken literally.
 *
 * A malformed record (an unterminated quote, text after a closing quote, a
 * control character, invalid UTF-8, too many fields or bytes) is reported
 * with its line and a reason, and reading goes on at the next line, so one
 * bad line never hides the rest of a file.
 *
 * The reader keeps no pointer to anything but the text it reads and its own
 * buffer; it never prints.  [non-RT]: hpa_csv_init allocates.
 */
#ifndef HPA_CSV_H
#define HPA_CSV_H

#include <stddef.h>

#define HPA_CSV_MAX_FIELDS 64
#define HPA_CSV_MAX_RECORD 65536 /* bytes of one record, line breaks inside quotes included */
#define HPA_CSV_WHY_LEN 96

typedef enum hpa_csv_status {
    HPA_CSV_END = 0,    /* no more records */
    HPA_CSV_RECORD = 1, /* fields[0 .. n_fields) hold a record that started at `line` */
    HPA_CSV_BAD = 2     /* the record that started at `line` is malformed: see `why` (no fields) */
} hpa_csv_status;

typedef struct hpa_csv {
    const char *text;
    size_t len, pos;
    unsigned next_line; /* line of text[pos] (1-based) */
    char *buf;          /* the current record's fields, each NUL-terminated */
    size_t cap;
    /* the current record */
    unsigned line; /* line the record starts on */
    size_t n_fields;
    const char *fields[HPA_CSV_MAX_FIELDS];
    size_t field_len[HPA_CSV_MAX_FIELDS];
    char why[HPA_CSV_WHY_LEN];
} hpa_csv;

/* [non-RT] Start reading len bytes of text (need not be NUL-terminated; the
 * text must outlive the reader).  Returns HPA_OK or HPA_ERR_NO_MEMORY. */
int hpa_csv_init(hpa_csv *c, const char *text, size_t len);

/* [non-RT] Free the reader's buffer; the reader may then be init'ed again. */
void hpa_csv_free(hpa_csv *c);

/* [non-RT] Read the next record (hpa_csv_status). */
hpa_csv_status hpa_csv_next(hpa_csv *c);

/* 1 if s[0..n) is valid UTF-8 (no overlongs, surrogates or values past U+10FFFF). */
int hpa_utf8_valid(const char *s, size_t n);

#endif
