/* csv.c — libhpamp's CSV reader (see csv.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpamp/hpamp.h>

#include "csv.h"

int hpa_csv_init(hpa_csv *c, const char *text, size_t len)
{
    memset(c, 0, sizeof *c);
    if (!text)
        len = 0;
    c->text = text;
    c->len = len;
    c->next_line = 1;
    if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB && (unsigned char)text[2] == 0xBF)
        c->pos = 3;
    /* a record's field bytes never outnumber the text bytes it took (CRLF in
     * quotes shrinks to LF), plus one NUL per field */
    c->cap = (len < HPA_CSV_MAX_RECORD ? len : HPA_CSV_MAX_RECORD) + HPA_CSV_MAX_FIELDS + 8;
    c->buf = malloc(c->cap);
    return c->buf ? HPA_OK : HPA_ERR_NO_MEMORY;
}

void hpa_csv_free(hpa_csv *c)
{
    free(c->buf);
    c->buf = NULL;
    c->cap = 0;
}

static int is_eol(const hpa_csv *c, size_t p)
{
    return p < c->len && (c->text[p] == '\n' || c->text[p] == '\r');
}

/* length of the line break at p (1 or 2 for CRLF); p must be at a line break */
static size_t eol_len(const hpa_csv *c, size_t p)
{
    return (c->text[p] == '\r' && p + 1 < c->len && c->text[p + 1] == '\n') ? 2 : 1;
}

static void skip_blanks(hpa_csv *c)
{
    while (c->pos < c->len && (c->text[c->pos] == ' ' || c->text[c->pos] == '\t'))
        c->pos++;
}

/* move past the end of the current physical line */
static void skip_line(hpa_csv *c)
{
    while (c->pos < c->len && !is_eol(c, c->pos))
        c->pos++;
    if (c->pos < c->len) {
        c->pos += eol_len(c, c->pos);
        c->next_line++;
    }
}

static hpa_csv_status bad(hpa_csv *c, const char *why)
{
    if (why)
        snprintf(c->why, sizeof c->why, "%s", why);
    c->n_fields = 0;
    skip_line(c);
    return HPA_CSV_BAD;
}

int hpa_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned char b = s[i];
        if (b < 0x80) {
            i++;
            continue;
        }
        size_t k;
        unsigned long cp;
        if (b >= 0xC2 && b <= 0xDF) {
            k = 1;
            cp = b & 0x1F;
        } else if (b >= 0xE0 && b <= 0xEF) {
            k = 2;
            cp = b & 0x0F;
        } else if (b >= 0xF0 && b <= 0xF4) {
            k = 3;
            cp = b & 0x07;
        } else {
            return 0;
        }
        if (i + k >= n)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* a field's bytes: no control characters but tab (and, quoted, line feed) */
static int check_field(hpa_csv *c, const char *f, size_t n, int quoted)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)f[i];
        if ((ch < 0x20 && ch != '\t' && !(quoted && ch == '\n')) || ch == 0x7F) {
            snprintf(c->why, sizeof c->why, "field %zu holds a control character (byte 0x%02x)", c->n_fields + 1, ch);
            return -1;
        }
    }
    if (!hpa_utf8_valid(f, n)) {
        snprintf(c->why, sizeof c->why, "field %zu is not valid UTF-8", c->n_fields + 1);
        return -1;
    }
    return 0;
}

hpa_csv_status hpa_csv_next(hpa_csv *c)
{
    c->n_fields = 0;
    c->why[0] = 0;
    if (!c->buf)
        return HPA_CSV_END;
    /* skip blank and comment lines */
    for (;;) {
        if (c->pos >= c->len)
            return HPA_CSV_END;
        size_t p = c->pos;
        while (p < c->len && (c->text[p] == ' ' || c->text[p] == '\t'))
            p++;
        if (p >= c->len) {
            c->pos = c->len;
            return HPA_CSV_END;
        }
        if (is_eol(c, p) || c->text[c->pos] == '#') {
            c->pos = p;
            skip_line(c);
            continue;
        }
        break;
    }
    const size_t start = c->pos;
    size_t out = 0;
    c->line = c->next_line;
    for (;;) {
        if (c->n_fields == HPA_CSV_MAX_FIELDS)
            return bad(c, "more than 64 fields");
        skip_blanks(c);
        const size_t fstart = out;
        int quoted = 0;
        if (c->pos < c->len && c->text[c->pos] == '"') {
            quoted = 1;
            c->pos++;
            for (;;) {
                if (c->pos - start >= HPA_CSV_MAX_RECORD)
                    return bad(c, "record longer than 65536 bytes");
                if (c->pos >= c->len) {
                    snprintf(c->why, sizeof c->why, "a quoted field is never closed");
                    /* go on from the line after the one the record began on */
                    c->pos = start;
                    c->next_line = c->line;
                    return bad(c, NULL);
                }
                char ch = c->text[c->pos];
                if (ch == '"') {
                    if (c->pos + 1 < c->len && c->text[c->pos + 1] == '"') {
                        c->buf[out++] = '"';
                        c->pos += 2;
                        continue;
                    }
                    c->pos++;
                    break;
                }
                if (ch == '\n' || ch == '\r') {
                    c->pos += eol_len(c, c->pos);
                    c->next_line++;
                    c->buf[out++] = '\n';
                    continue;
                }
                c->buf[out++] = ch;
                c->pos++;
            }
            skip_blanks(c);
            if (c->pos < c->len && c->text[c->pos] != ',' && !is_eol(c, c->pos))
                return bad(c, "text after a closing quote (a quote inside a quoted field must be doubled)");
        } else {
            while (c->pos < c->len && c->text[c->pos] != ',' && !is_eol(c, c->pos)) {
                if (c->pos - start >= HPA_CSV_MAX_RECORD)
                    return bad(c, "record longer than 65536 bytes");
                c->buf[out++] = c->text[c->pos++];
            }
            while (out > fstart && (c->buf[out - 1] == ' ' || c->buf[out - 1] == '\t'))
                out--;
        }
        if (check_field(c, c->buf + fstart, out - fstart, quoted))
            return bad(c, NULL);
        c->buf[out++] = 0;
        c->fields[c->n_fields] = c->buf + fstart;
        c->field_len[c->n_fields] = out - 1 - fstart;
        c->n_fields++;
        if (c->pos >= c->len)
            break;
        if (c->text[c->pos] == ',') {
            c->pos++;
            continue;
        }
        c->pos += eol_len(c, c->pos);
        c->next_line++;
        break;
    }
    return HPA_CSV_RECORD;
}
