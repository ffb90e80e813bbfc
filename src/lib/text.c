/* text.c — small text helpers every front end shares: escaping user text
 * for a one-line message, parsing a number inside a range, and the ranges
 * of the parameter table as text. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpamp/hpamp.h>
#include <hpamp/params.h>

/* the length of the UTF-8 character at s (2 to 4), 0 when it is not one */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    if (!n || c > 0xF4)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    /* no overlong forms, no surrogates, nothing above U+10FFFF */
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) || (c == 0xF0 && s[1] < 0x90) ||
        (c == 0xF4 && s[1] > 0x8F))
        return 0;
    return n;
}

char *hpa_escape_text(char *out, size_t len, const char *text)
{
    size_t n = 0;
    if (!len)
        return out;
    for (const unsigned char *s = (const unsigned char *)(text ? text : ""); *s;) {
        char piece[8];
        size_t k, adv = 1;
        if (*s == '\n' || *s == '\r' || *s == '\t') {
            k = (size_t)snprintf(piece, sizeof piece, "\\%c", *s == '\n' ? 'n' : *s == '\r' ? 'r' : 't');
        } else if (*s < 0x20 || *s == 0x7F) {
            k = (size_t)snprintf(piece, sizeof piece, "\\x%02x", *s);
        } else if (*s < 0x80) {
            piece[0] = (char)*s;
            k = 1;
        } else if ((adv = utf8_len(s)) == 0) {
            k = (size_t)snprintf(piece, sizeof piece, "\\x%02x", *s);
            adv = 1;
        } else if (adv == 2 && s[0] == 0xC2 && s[1] < 0xA0) { /* C1: U+0080..U+009F */
            k = (size_t)snprintf(piece, sizeof piece, "\\u%04x", s[1]);
        } else {
            memcpy(piece, s, adv);
            k = adv;
        }
        if (n + k >= len)
            break;
        memcpy(out + n, piece, k);
        n += k;
        s += adv;
    }
    out[n] = 0;
    return out;
}

int hpa_parse_double(const char *text, double min, double max, double *out)
{
    char *end;
    if (!text || !*text)
        return -1;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || *end || !isfinite(v) || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

const char *hpa_range_text(double lo, double hi, const char *unit, char *buf, size_t len)
{
    /* a + on the top only when the range crosses zero: -120..+24, -30..0, 300..2000 */
    snprintf(buf, len, lo < 0.0 && hi > 0.0 ? "%g..%+g%s%s" : "%g..%g%s%s", lo, hi, unit && *unit ? " " : "",
             unit ? unit : "");
    return buf;
}

const char *hpa_param_range_text(int id, char *buf, size_t len)
{
    const hpa_param_info *p = hpa_param_info_get(id);
    return hpa_range_text(p->min_value, p->max_value, p->unit, buf, len);
}

int hpa_param_parse(const char *text, int id, double *out)
{
    const hpa_param_info *p = hpa_param_info_get(id);
    return hpa_parse_double(text, p->min_value, p->max_value, out);
}
