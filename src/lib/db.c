/* db.c — the headphone and source database (see include/hpamp/db.h).
 *
 * Built-in and user entries go through the same path: CSV text, read by
 * csv.c, checked column by column here.  Strings live in an arena owned by
 * the database; each entry also keeps its lookup keys (normalized names). */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpamp/db.h>

#include "csv.h"

/* data/headphones.csv and data/sources.csv, embedded at build time (tools/embed.c) */
extern const char hpa_db_data_headphones[];
extern const size_t hpa_db_data_headphones_len;
extern const char hpa_db_data_sources[];
extern const size_t hpa_db_data_sources_len;

#define BUILTIN_ORIGIN "built-in"
#define SPEC_ORIGIN "ad-hoc spec"
#define KEY_MAX 256 /* normalized names longer than this are cut for the edit distance */

/* ------------------------------------------------------------------------ */
/* string arena                                                             */

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    char data[];
} chunk;

/* lookup keys of one entry: normalized strings, "" when absent */
typedef struct keys {
    const char *id, *model, *brand_model, *model_out, *brand_model_out;
    const char *aliases; /* the normalized aliases, each followed by '\n' ("" when none) */
} keys;

struct hpa_db {
    hpa_db_headphone *hp;
    keys *hp_keys;
    size_t n_hp, cap_hp;
    hpa_db_source *src;
    keys *src_keys;
    size_t n_src, cap_src;
    chunk *arena;
    unsigned n_specs;
};

static char *arena_alloc(hpa_db *db, size_t n)
{
    chunk *c = db->arena;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 16384 ? n : 16384;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = db->arena;
        c->used = 0;
        c->cap = cap;
        db->arena = c;
    }
    char *p = c->data + c->used;
    c->used += n;
    return p;
}

static const char *arena_strndup(hpa_db *db, const char *s, size_t n)
{
    char *p = arena_alloc(db, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

static const char *arena_strdup(hpa_db *db, const char *s)
{
    return arena_strndup(db, s, strlen(s));
}

/* ------------------------------------------------------------------------ */
/* names                                                                    */

static const char *const hp_type_names[] = {"", "over-ear", "on-ear", "iem", "earbud"};
static const char *const driver_names[] = {"", "dynamic", "planar", "ba", "hybrid", "electrostatic"};
static const char *const back_names[] = {"", "open", "closed", "semi"};
static const char *const src_kind_names[] = {"",    "phone",        "dongle",  "laptop",
                                             "dap", "portable-amp", "dac-amp", "desktop-amp"};
static const char *const output_names[] = {"se", "bal"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *hpa_db_hp_type_name(hpa_db_hp_type t)
{
    return (unsigned)t < COUNT(hp_type_names) ? hp_type_names[t] : NULL;
}

const char *hpa_db_driver_name(hpa_db_driver d)
{
    return (unsigned)d < COUNT(driver_names) ? driver_names[d] : NULL;
}

const char *hpa_db_back_name(hpa_db_back b)
{
    return (unsigned)b < COUNT(back_names) ? back_names[b] : NULL;
}

const char *hpa_db_src_kind_name(hpa_db_src_kind k)
{
    return (unsigned)k < COUNT(src_kind_names) ? src_kind_names[k] : NULL;
}

const char *hpa_db_output_name(hpa_db_output o)
{
    return (unsigned)o < COUNT(output_names) ? output_names[o] : NULL;
}

/* accepted spellings (normalized) -> enum value */
typedef struct alias {
    const char *word;
    int value;
} alias;

static const alias hp_type_aliases[] = {
    {"overear", HPA_DB_TYPE_OVER_EAR}, {"circumaural", HPA_DB_TYPE_OVER_EAR},
    {"onear", HPA_DB_TYPE_ON_EAR},     {"supraaural", HPA_DB_TYPE_ON_EAR},
    {"iem", HPA_DB_TYPE_IEM},          {"inear", HPA_DB_TYPE_IEM},
    {"inearmonitor", HPA_DB_TYPE_IEM}, {"earbud", HPA_DB_TYPE_EARBUD},
    {"earbuds", HPA_DB_TYPE_EARBUD},   {NULL, 0},
};
static const alias driver_aliases[] = {
    {"dynamic", HPA_DB_DRIVER_DYNAMIC},
    {"planar", HPA_DB_DRIVER_PLANAR},
    {"planarmagnetic", HPA_DB_DRIVER_PLANAR},
    {"orthodynamic", HPA_DB_DRIVER_PLANAR},
    {"ba", HPA_DB_DRIVER_BA},
    {"balancedarmature", HPA_DB_DRIVER_BA},
    {"hybrid", HPA_DB_DRIVER_HYBRID},
    {"electrostatic", HPA_DB_DRIVER_ELECTROSTATIC},
    {"estat", HPA_DB_DRIVER_ELECTROSTATIC},
    {NULL, 0},
};
static const alias back_aliases[] = {
    {"open", HPA_DB_BACK_OPEN},       {"openback", HPA_DB_BACK_OPEN},
    {"closed", HPA_DB_BACK_CLOSED},   {"closedback", HPA_DB_BACK_CLOSED},
    {"semi", HPA_DB_BACK_SEMI},       {"semiopen", HPA_DB_BACK_SEMI},
    {"semiclosed", HPA_DB_BACK_SEMI}, {NULL, 0},
};
static const alias src_kind_aliases[] = {
    {"phone", HPA_DB_SRC_PHONE},
    {"dongle", HPA_DB_SRC_DONGLE},
    {"laptop", HPA_DB_SRC_LAPTOP},
    {"computer", HPA_DB_SRC_LAPTOP},
    {"dap", HPA_DB_SRC_DAP},
    {"player", HPA_DB_SRC_DAP},
    {"portableamp", HPA_DB_SRC_PORTABLE_AMP},
    {"portable", HPA_DB_SRC_PORTABLE_AMP},
    {"dacamp", HPA_DB_SRC_DAC_AMP},
    {"desktopamp", HPA_DB_SRC_DESKTOP_AMP},
    {"desktop", HPA_DB_SRC_DESKTOP_AMP},
    {NULL, 0},
};
static const alias output_aliases[] = {
    {"se", HPA_DB_OUTPUT_SE},
    {"singleended", HPA_DB_OUTPUT_SE},
    {"bal", HPA_DB_OUTPUT_BAL},
    {"balanced", HPA_DB_OUTPUT_BAL},
    {NULL, 0},
};
static const alias bool_aliases[] = {
    {"yes", 1}, {"y", 1}, {"true", 1}, {"1", 1}, {"no", 0}, {"n", 0}, {"false", 0}, {"0", 0}, {NULL, 0},
};

static int find_alias(const alias *a, const char *norm)
{
    for (; a->word; a++)
        if (!strcmp(a->word, norm))
            return a->value;
    return -1;
}

static int isalnum_ascii(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

size_t hpa_db_normalize(const char *name, char *out, size_t cap)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)(name ? name : ""); *p; p++) {
        unsigned char ch = *p;
        if (ch >= 'A' && ch <= 'Z')
            ch = (unsigned char)(ch - 'A' + 'a');
        else if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch >= 0x80))
            continue;
        if (out && n + 1 < cap)
            out[n] = (char)ch;
        n++;
    }
    if (out && cap)
        out[n < cap ? n : cap - 1] = 0;
    return n;
}

/* normalized copy in the arena */
static const char *arena_norm(hpa_db *db, const char *a, const char *b)
{
    size_t na = hpa_db_normalize(a, NULL, 0), nb = b ? hpa_db_normalize(b, NULL, 0) : 0;
    char *p = arena_alloc(db, na + nb + 1);
    if (!p)
        return NULL;
    hpa_db_normalize(a, p, na + 1);
    if (b)
        hpa_db_normalize(b, p + na, nb + 1);
    return p;
}

/* an id from free text: ASCII letters and digits lowercased, runs of anything
 * else one '-'; written into out (cap bytes); returns its length */
static size_t slugify(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    int dash = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 2 < cap; p++) {
        unsigned char ch = *p;
        if (ch >= 'A' && ch <= 'Z')
            ch = (unsigned char)(ch - 'A' + 'a');
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
            if (dash && n)
                out[n++] = '-';
            dash = 0;
            out[n++] = (char)ch;
        } else {
            dash = 1;
        }
    }
    out[n] = 0;
    return n;
}

/* ------------------------------------------------------------------------ */
/* numbers                                                                  */

/* A decimal number, whole string, locale-independent: [+-]digits[.digits][e[+-]digits].
 * Correctly rounded when the digits fit 2^53 and the exponent is within 22. */
static int parse_number(const char *s, double *out)
{
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *p = s;
    int neg = 0, any = 0, sig = 0;
    long exp10 = 0;
    uint64_t mant = 0;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    for (; *p >= '0' && *p <= '9'; p++) {
        any = 1;
        if (sig < 19) {
            mant = mant * 10 + (uint64_t)(*p - '0');
            if (mant)
                sig++;
        } else {
            exp10++;
        }
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++) {
            any = 1;
            if (sig < 19) {
                mant = mant * 10 + (uint64_t)(*p - '0');
                if (mant)
                    sig++;
                exp10--;
            }
        }
    }
    if (!any)
        return -1;
    if (*p == 'e' || *p == 'E') {
        int eneg = 0;
        long e = 0;
        p++;
        if (*p == '+' || *p == '-')
            eneg = *p++ == '-';
        if (!(*p >= '0' && *p <= '9'))
            return -1;
        for (; *p >= '0' && *p <= '9'; p++)
            if (e < 100000)
                e = e * 10 + (*p - '0');
        exp10 += eneg ? -e : e;
    }
    if (*p)
        return -1;
    double v;
    if (mant == 0)
        v = 0.0; // NOLINT(bugprone-branch-clone): zero, and underflow below, are different cases
    else if (mant < (UINT64_C(1) << 53) && exp10 >= -22 && exp10 <= 22)
        v = exp10 < 0 ? (double)mant / p10[-exp10] : (double)mant * p10[exp10];
    else if (exp10 > 400)
        v = INFINITY;
    else if (exp10 < -400)
        v = 0.0;
    else
        v = (double)mant * pow(10.0, (double)exp10);
    if (!isfinite(v))
        return -1;
    *out = neg ? -v : v;
    return 0;
}

/* gain settings "-14 / 0 / +16.5" (an optional "dB" after each) -> numbers; 0 if not all numbers */
static unsigned parse_gains(const char *s, double *g)
{
    unsigned n = 0;
    const char *p = s;
    if (!*s)
        return 0;
    for (;;) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char tok[48];
        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len >= 2 && (p[len - 2] == 'd' || p[len - 2] == 'D') && (p[len - 1] == 'b' || p[len - 1] == 'B')) {
            len -= 2;
            while (len && p[len - 1] == ' ')
                len--;
        }
        if (!len || len >= sizeof tok || n == HPA_DB_MAX_GAINS)
            return 0;
        memcpy(tok, p, len);
        tok[len] = 0;
        if (parse_number(tok, &g[n]))
            return 0;
        n++;
        if (!end)
            return n;
        p = end + 1;
    }
}

/* ------------------------------------------------------------------------ */
/* diagnostics                                                              */

/* a cut by snprintf may split a UTF-8 sequence at the end: drop the partial character */
static void trim_utf8(char *s)
{
    size_t n = strlen(s);
    if (hpa_utf8_valid(s, n))
        return;
    while (n && ((unsigned char)s[n - 1] & 0xC0) == 0x80)
        n--;
    if (n && (unsigned char)s[n - 1] >= 0xC0)
        n--;
    s[n] = 0;
}

static void diag(hpa_db_diags *d, const char *origin, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void diag(hpa_db_diags *d, const char *origin, unsigned line, const char *fmt, ...)
{
    if (!d)
        return;
    d->total++;
    if (!d->items || d->count >= d->capacity)
        return;
    hpa_db_diag *g = &d->items[d->count++];
    g->origin = origin;
    g->line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->message, sizeof g->message, fmt, ap);
    va_end(ap);
    trim_utf8(g->message);
}

/* a field value for a message, on one line: line breaks and tabs as spaces,
 * at most 40 bytes, cut at a character boundary ("..." added); buf >= 48 bytes */
static const char *shown(const char *v, char *buf, size_t cap)
{
    size_t n = strlen(v), k = n;
    if (k > 40) {
        k = 40;
        while (k && ((unsigned char)v[k] & 0xC0) == 0x80)
            k--;
    }
    if (k + 4 > cap)
        k = 0;
    for (size_t i = 0; i < k; i++)
        buf[i] = (char)((v[i] == '\n' || v[i] == '\t') ? ' ' : v[i]);
    memcpy(buf + k, k < n ? "..." : "", k < n ? 4 : 1);
    return buf;
}

/* ------------------------------------------------------------------------ */
/* columns                                                                  */

enum {
    C_ID,
    C_BRAND,
    C_MODEL,
    C_SOURCE,
    /* headphones */
    C_TYPE,
    C_DRIVER,
    C_BACK,
    C_ACTIVE,
    /* sources */
    C_KIND,
    C_OUTPUT,
    C_GAINS,
    C_BATTERY,
    C_TEXT,  /* a string at `offset`, copied */
    C_NUMBER /* a double at `offset` */
};

typedef struct column { /* NOLINT(clang-analyzer-optin.performance.Padding): tables below are positional */
    const char *name, *alias;
    int what;
    size_t offset; /* C_NUMBER */
    double lo, hi; /* C_NUMBER: allowed range, lo excluded when lo_open */
    int lo_open;
} column;

/* The physical range of each figure, in a table or an ad-hoc spec: lo, hi,
 * and 1 when lo itself is excluded.  Wide enough for any real headphone or
 * source (the built-in tables span 6.4-600 ohm, 83-119 dB/mW, 97-125 dB/V,
 * 62-1370 mV, 0.29-21 V, 0.025-45 ohm out, 10.6-8000 mW), narrow enough that
 * a typo cannot reach the model as 1e-300 ohm (-2872 dB SPL).  Listed in
 * docs/advise.md ("Ad-hoc specs"); tests/db/test_db.c tries both ends. */
#define R_IMPEDANCE_OHM 1, 1e4, 0 /* nominal impedance */
#define R_SENS_DB_MW 60, 140, 0   /* dB SPL for 1 mW */
#define R_SENS_DB_V 60, 160, 0    /* dB SPL for 1 V RMS */
#define R_MV_94DB 0.5, 5e4, 0     /* mV RMS for 94 dB SPL: 160 .. 60 dB/V */
#define R_VOUT_V 0.01, 100, 0     /* the largest output, V RMS */
#define R_LOAD_OHM 1, 1e6, 0      /* the load a voltage is stated into */
#define R_POWER_MW 0.01, 1e5, 0   /* the largest power into 32 or 300 ohm, mW */
#define R_ZOUT_OHM 0, 1000, 0     /* output impedance */
#define R_IMAX_MA 0.1, 1e4, 0     /* current limit, mA RMS */

#define R_REF_HZ 20, 20000, 0 /* the frequency a sensitivity is stated at */
#define R_HOURS 0, 1000, 1    /* battery life, hours */
#define R_NOISE_UV 0, 1e5, 1  /* output noise, uV RMS */

#define HPN(field, ...) C_NUMBER, offsetof(hpa_db_headphone, field), __VA_ARGS__
#define SRN(field, ...) C_NUMBER, offsetof(hpa_db_source, field), __VA_ARGS__
#define HPT(field) C_TEXT, offsetof(hpa_db_headphone, field), 0, 0, 0
#define SRT(field) C_TEXT, offsetof(hpa_db_source, field), 0, 0, 0

static const column hp_columns[] = {
    {"id", NULL, C_ID, 0, 0, 0, 0},
    {"brand", NULL, C_BRAND, 0, 0, 0, 0},
    {"model", NULL, C_MODEL, 0, 0, 0, 0},
    {"type", NULL, C_TYPE, 0, 0, 0, 0},
    {"driver", NULL, C_DRIVER, 0, 0, 0, 0},
    {"back", NULL, C_BACK, 0, 0, 0, 0},
    {"impedance_ohm", NULL, HPN(impedance_ohm, R_IMPEDANCE_OHM)},
    {"sensitivity_db_mw", NULL, HPN(sensitivity_db_mw, R_SENS_DB_MW)},
    {"sensitivity_db_v", NULL, HPN(sensitivity_db_v, R_SENS_DB_V)},
    {"spl_measured_mv_for_94db", "mv_for_94db", HPN(mv_for_94db, R_MV_94DB)},
    {"impedance_peak_ohm", NULL, HPN(impedance_peak_ohm, 0, 1e6, 1)},
    {"impedance_peak_hz", NULL, HPN(impedance_peak_hz, 0, 1e5, 1)},
    {"max_input_mw", NULL, HPN(max_input_mw, 0, 1e7, 1)},
    {"sensitivity_ref_hz", NULL, HPN(sensitivity_ref_hz, R_REF_HZ)},
    {"active", NULL, C_ACTIVE, 0, 0, 0, 0},
    {"aliases", NULL, HPT(aliases)},
    {"source", NULL, C_SOURCE, 0, 0, 0, 0},
};

static const column src_columns[] = {
    {"id", NULL, C_ID, 0, 0, 0, 0},
    {"brand", NULL, C_BRAND, 0, 0, 0, 0},
    {"model", NULL, C_MODEL, 0, 0, 0, 0},
    {"kind", NULL, C_KIND, 0, 0, 0, 0},
    {"output", NULL, C_OUTPUT, 0, 0, 0, 0},
    {"vout_max_rms_v", NULL, SRN(vout_max_rms_v, R_VOUT_V)},
    {"vout_load_ohm", NULL, SRN(vout_load_ohm, R_LOAD_OHM)},
    {"power_mw_32", NULL, SRN(power_mw_32, R_POWER_MW)},
    {"power_mw_300", NULL, SRN(power_mw_300, R_POWER_MW)},
    {"zout_ohm", NULL, SRN(zout_ohm, R_ZOUT_OHM)},
    {"imax_ma", NULL, SRN(imax_ma, R_IMAX_MA)},
    {"gain_settings_db", "gain_settings", C_GAINS, 0, 0, 0, 0},
    {"battery", NULL, C_BATTERY, 0, 0, 0, 0},
    {"battery_h", NULL, SRN(battery_h, R_HOURS)},
    {"snr_db", NULL, SRN(snr_db, 0, 250, 1)},
    {"snr_ref_v", NULL, SRN(snr_ref_v, R_VOUT_V)},
    {"sinad_db", NULL, SRN(sinad_db, 0, 250, 1)},
    {"noise_uv", NULL, SRN(noise_uv, R_NOISE_UV)},
    {"mode_of", NULL, SRT(mode_of)},
    {"load_min_ohm", NULL, SRN(load_min_ohm, R_LOAD_OHM)},
    {"load_max_ohm", NULL, SRN(load_max_ohm, R_LOAD_OHM)},
    {"aliases", NULL, SRT(aliases)},
    {"source", NULL, C_SOURCE, 0, 0, 0, 0},
};

/* the header's column names -> entries of the column table (-1: ignored) */
typedef struct layout {
    const column *cols;
    size_t n_cols;
    int map[HPA_CSV_MAX_FIELDS];
    size_t n_fields;
} layout;

static void init_headphone(hpa_db_headphone *h)
{
    memset(h, 0, sizeof *h);
    h->id = h->brand = h->model = h->source = h->origin = h->aliases = "";
    h->impedance_ohm = h->sensitivity_db_mw = h->sensitivity_db_v = h->mv_for_94db = NAN;
    h->impedance_peak_ohm = h->impedance_peak_hz = h->max_input_mw = h->sensitivity_ref_hz = NAN;
}

static void init_source(hpa_db_source *s)
{
    memset(s, 0, sizeof *s);
    s->id = s->brand = s->model = s->source = s->origin = s->gain_settings = s->mode_of = s->aliases = "";
    s->vout_max_rms_v = s->vout_load_ohm = s->power_mw_32 = s->power_mw_300 = NAN;
    s->zout_ohm = s->imax_ma = s->snr_db = s->sinad_db = NAN;
    s->battery_h = s->noise_uv = s->load_min_ohm = s->load_max_ohm = s->snr_ref_v = NAN;
    s->battery = -1;
}

/* one staged entry of the text being added */
typedef struct staged {
    union {
        hpa_db_headphone hp;
        hpa_db_source src;
    } e;
    char id[96];  /* the id, final once named */
    int id_given; /* from the id column */
    int dropped;
    int twin;       /* a source id that gets its output appended */
    size_t replace; /* index of the entry it replaces, SIZE_MAX: none */
    keys k;         /* made by commit */
} staged;

/* an enum column: normalized value looked up in the aliases */
static int enum_field(const alias *aliases, const char *value, int *out)
{
    char norm[64];
    if (hpa_db_normalize(value, norm, sizeof norm) >= sizeof norm)
        return -1;
    int v = find_alias(aliases, norm);
    if (v < 0)
        return -1;
    *out = v;
    return 0;
}

/* fill one staged entry from a record; 0, or -1 after reporting why */
static int parse_row(hpa_db *db, hpa_db_kind kind, const layout *lay, const hpa_csv *csv, const char *origin,
                     const char *origin_copy, hpa_db_diags *diags, staged *st)
{
    char sb[48];
    const char *brand = "", *model = "", *source = "", *gains = "";
    unsigned line = csv->line;
    memset(st, 0, sizeof *st);
    if (kind == HPA_DB_HEADPHONES)
        init_headphone(&st->e.hp);
    else
        init_source(&st->e.src);
    size_t n = csv->n_fields;
    if (n > lay->n_fields) { /* tolerate trailing empty fields */
        for (size_t i = lay->n_fields; i < n; i++)
            if (csv->field_len[i]) {
                diag(diags, origin, line, "expected %zu fields, found %zu", lay->n_fields, n);
                return -1;
            }
        n = lay->n_fields;
    }
    if (n < lay->n_fields) {
        diag(diags, origin, line, "expected %zu fields, found %zu", lay->n_fields, n);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (lay->map[i] < 0)
            continue;
        const column *col = &lay->cols[lay->map[i]];
        const char *v = csv->fields[i];
        int iv;
        switch (col->what) {
        case C_ID:
            if (*v) {
                if (!slugify(v, st->id, sizeof st->id)) {
                    diag(diags, origin, line, "id '%s' has no letters or digits", shown(v, sb, sizeof sb));
                    return -1;
                }
                st->id_given = 1;
            }
            break;
        case C_BRAND: brand = v; break;
        case C_MODEL: model = v; break;
        case C_SOURCE: source = v; break;
        case C_GAINS: gains = v; break;
        case C_TEXT: {
            const char *t = arena_strdup(db, v);
            if (!t)
                return -2;
            *(const char **)(void *)((char *)&st->e + col->offset) = t;
            break;
        }
        case C_NUMBER:
            if (*v) {
                double x;
                if (parse_number(v, &x)) {
                    diag(diags, origin, line, "%s '%s' is not a number", col->name, shown(v, sb, sizeof sb));
                    return -1;
                }
                if (x < col->lo || (col->lo_open && x == col->lo) || x > col->hi) {
                    diag(diags, origin, line, "%s %s is out of range (%s%g .. %g)", col->name, shown(v, sb, sizeof sb),
                         col->lo_open ? "above " : "", col->lo, col->hi);
                    return -1;
                }
                *(double *)((char *)&st->e + col->offset) = x;
            }
            break;
        default: {
            static const struct {
                int what;
                const alias *aliases;
                const char *expect;
            } enums[] = {
                {C_TYPE, hp_type_aliases, "over-ear, on-ear, iem or earbud"},
                {C_DRIVER, driver_aliases, "dynamic, planar, ba, hybrid or electrostatic"},
                {C_BACK, back_aliases, "open, closed or semi"},
                {C_ACTIVE, bool_aliases, "yes or no"},
                {C_KIND, src_kind_aliases, "phone, dongle, laptop, dap, portable-amp, dac-amp or desktop-amp"},
                {C_OUTPUT, output_aliases, "se or bal"},
                {C_BATTERY, bool_aliases, "yes or no"},
            };
            if (!*v)
                break;
            for (size_t k = 0; k < COUNT(enums); k++) {
                if (enums[k].what != col->what)
                    continue;
                if (enum_field(enums[k].aliases, v, &iv)) {
                    diag(diags, origin, line, "%s '%s' is not one of %s", col->name, shown(v, sb, sizeof sb),
                         enums[k].expect);
                    return -1;
                }
                switch (col->what) {
                case C_TYPE: st->e.hp.type = (hpa_db_hp_type)iv; break;
                case C_DRIVER: st->e.hp.driver = (hpa_db_driver)iv; break;
                case C_BACK: st->e.hp.back = (hpa_db_back)iv; break;
                case C_ACTIVE: st->e.hp.active = iv; break;
                case C_KIND: st->e.src.kind = (hpa_db_src_kind)iv; break;
                case C_OUTPUT: st->e.src.output = (hpa_db_output)iv; break;
                case C_BATTERY: st->e.src.battery = iv; break;
                }
            }
        }
        }
    }
    if (!*model) {
        diag(diags, origin, line, "the model is empty");
        return -1;
    }
    if (strchr(brand, '\n') || strchr(model, '\n')) {
        diag(diags, origin, line, "a brand or model holds a line break");
        return -1;
    }
    const char *b = arena_strdup(db, brand), *m = arena_strdup(db, model), *s = arena_strdup(db, source);
    if (!b || !m || !s)
        return -2;
    if (kind == HPA_DB_HEADPHONES) {
        hpa_db_headphone *h = &st->e.hp;
        h->brand = b;
        h->model = m;
        h->source = s;
        h->origin = origin_copy;
        h->line = line;
    } else {
        hpa_db_source *r = &st->e.src;
        if (!(r->gain_settings = arena_strdup(db, gains)))
            return -2;
        r->n_gains = parse_gains(gains, r->gain_db);
        r->brand = b;
        r->model = m;
        r->source = s;
        r->origin = origin_copy;
        r->line = line;
    }
    return 0;
}

/* read the header; 0 and the layout, or -1 (reported) when nothing can load */
static int parse_header(hpa_db_kind kind, const hpa_csv *csv, const char *origin, hpa_db_diags *diags, layout *lay)
{
    char sb[48];
    lay->cols = kind == HPA_DB_HEADPHONES ? hp_columns : src_columns;
    lay->n_cols = kind == HPA_DB_HEADPHONES ? COUNT(hp_columns) : COUNT(src_columns);
    lay->n_fields = csv->n_fields;
    int seen[COUNT(src_columns) > COUNT(hp_columns) ? COUNT(src_columns) : COUNT(hp_columns)] = {0};
    int bad = 0;
    for (size_t i = 0; i < csv->n_fields; i++) {
        char name[64];
        size_t len = csv->field_len[i];
        lay->map[i] = -1;
        if (len >= sizeof name) {
            diag(diags, origin, csv->line, "unknown column '%s' (ignored)", shown(csv->fields[i], sb, sizeof sb));
            continue;
        }
        for (size_t k = 0; k <= len; k++) {
            char ch = csv->fields[i][k];
            name[k] = (char)((ch >= 'A' && ch <= 'Z') ? ch - 'A' + 'a' : (ch == ' ' || ch == '-') ? '_' : ch);
        }
        for (size_t c = 0; c < lay->n_cols; c++) {
            if (!strcmp(name, lay->cols[c].name) || (lay->cols[c].alias && !strcmp(name, lay->cols[c].alias))) {
                if (seen[c]++) {
                    diag(diags, origin, csv->line, "column '%s' appears twice; nothing loaded", lay->cols[c].name);
                    bad = 1;
                }
                lay->map[i] = (int)c;
            }
        }
        if (lay->map[i] < 0)
            diag(diags, origin, csv->line, "unknown column '%s' (ignored)", shown(csv->fields[i], sb, sizeof sb));
    }
    for (size_t c = 0; c < lay->n_cols; c++) {
        if ((lay->cols[c].what == C_BRAND || lay->cols[c].what == C_MODEL) && !seen[c]) {
            diag(diags, origin, csv->line, "no '%s' column in the header line; nothing loaded", lay->cols[c].name);
            bad = 1;
        }
    }
    return bad ? -1 : 0;
}

/* ------------------------------------------------------------------------ */
/* adding entries                                                           */

/* the aliases ("HD 6XX; HD6XX") normalized, each followed by '\n' */
static const char *arena_aliases(hpa_db *db, const char *aliases)
{
    size_t total = 0;
    for (const char *p = aliases; *p;) {
        size_t n = strcspn(p, ";");
        char raw[KEY_MAX + 1];
        snprintf(raw, sizeof raw, "%.*s", (int)(n < KEY_MAX ? n : KEY_MAX), p);
        size_t k = hpa_db_normalize(raw, NULL, 0);
        total += k ? k + 1 : 0;
        p += n + (p[n] == ';');
    }
    char *out = arena_alloc(db, total + 1), *w = out;
    if (!out)
        return NULL;
    for (const char *p = aliases; *p;) {
        size_t n = strcspn(p, ";");
        char raw[KEY_MAX + 1];
        snprintf(raw, sizeof raw, "%.*s", (int)(n < KEY_MAX ? n : KEY_MAX), p);
        size_t k = hpa_db_normalize(raw, w, total + 1 - (size_t)(w - out));
        if (k) {
            w += k;
            *w++ = '\n';
        }
        p += n + (p[n] == ';');
    }
    *w = 0;
    return out;
}

static int make_keys(hpa_db *db, hpa_db_kind kind, const void *entry, keys *k)
{
    if (kind == HPA_DB_HEADPHONES) {
        const hpa_db_headphone *h = entry;
        k->id = arena_norm(db, h->id, NULL);
        k->model = arena_norm(db, h->model, NULL);
        k->brand_model = arena_norm(db, h->brand, h->model);
        k->model_out = k->brand_model_out = "";
        k->aliases = arena_aliases(db, h->aliases);
    } else {
        const hpa_db_source *s = entry;
        char bm[1024];
        k->id = arena_norm(db, s->id, NULL);
        k->model = arena_norm(db, s->model, NULL);
        k->brand_model = arena_norm(db, s->brand, s->model);
        k->model_out = arena_norm(db, s->model, hpa_db_output_name(s->output));
        snprintf(bm, sizeof bm, "%s %s", s->brand, s->model);
        k->brand_model_out = arena_norm(db, bm, hpa_db_output_name(s->output));
        k->aliases = arena_aliases(db, s->aliases);
    }
    return (k->id && k->model && k->brand_model && k->model_out && k->brand_model_out && k->aliases) ? 0 : -1;
}

static int find_id(const hpa_db *db, hpa_db_kind kind, const char *id)
{
    size_t n = kind == HPA_DB_HEADPHONES ? db->n_hp : db->n_src;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(kind == HPA_DB_HEADPHONES ? db->hp[i].id : db->src[i].id, id))
            return (int)i;
    return -1;
}

/* Grow an entry array (elements of `size` bytes) and its parallel key array
 * so that n + more fit; *entries and *k are updated as each realloc succeeds. */
static int grow(void **entries, keys **k, size_t size, size_t *cap, size_t n, size_t more)
{
    if (n + more <= *cap)
        return 0;
    size_t c = *cap ? *cap : 64;
    while (c < n + more)
        c *= 2;
    void *e = realloc(*entries, c * size);
    if (!e)
        return -1;
    *entries = e;
    keys *kk = realloc(*k, c * sizeof *kk);
    if (!kk)
        return -1;
    *k = kk;
    *cap = c;
    return 0;
}

static int reserve(hpa_db *db, hpa_db_kind kind, size_t more)
{
    int rc;
    void *e;
    if (kind == HPA_DB_HEADPHONES) {
        e = db->hp;
        rc = grow(&e, &db->hp_keys, sizeof *db->hp, &db->cap_hp, db->n_hp, more);
        db->hp = e;
    } else {
        e = db->src;
        rc = grow(&e, &db->src_keys, sizeof *db->src, &db->cap_src, db->n_src, more);
        db->src = e;
    }
    return rc;
}

/* A set of ids -> values, open addressing; the keys are not copied. */
typedef struct idset {
    const char **key;
    size_t *val;
    size_t mask;
} idset;

static int idset_init(idset *set, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap <<= 1;
    set->key = calloc(cap, sizeof *set->key);
    set->val = malloc(cap * sizeof *set->val);
    set->mask = cap - 1;
    return set->key && set->val ? 0 : -1;
}

static void idset_free(idset *set)
{
    free(set->key);
    free(set->val);
}

/* the slot of key: holding it, or the empty one where it goes */
static size_t idset_slot(const idset *set, const char *key)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211u;
    size_t i = (size_t)h & set->mask;
    while (set->key[i] && strcmp(set->key[i], key) != 0)
        i = (i + 1) & set->mask;
    return i;
}

/* the value of key, or SIZE_MAX */
static size_t idset_get(const idset *set, const char *key)
{
    size_t i = idset_slot(set, key);
    return set->key[i] ? set->val[i] : SIZE_MAX;
}

static void idset_put(idset *set, const char *key, size_t val)
{
    size_t i = idset_slot(set, key);
    set->key[i] = key;
    set->val[i] = val;
}

/* put the staged entries into the table (space reserved): each replaces the
 * entry at its `replace` index, or is appended.  Everything that can fail
 * happens before the first entry is written. */
static int commit(hpa_db *db, hpa_db_kind kind, staged *st, size_t n_st, size_t *added)
{
    size_t count = 0;
    for (size_t i = 0; i < n_st; i++) {
        if (st[i].dropped)
            continue;
        const char *id = arena_strdup(db, st[i].id);
        if (!id)
            return -1;
        if (kind == HPA_DB_HEADPHONES)
            st[i].e.hp.id = id;
        else
            st[i].e.src.id = id;
        if (make_keys(db, kind, &st[i].e, &st[i].k))
            return -1;
    }
    for (size_t i = 0; i < n_st; i++) {
        if (st[i].dropped)
            continue;
        if (kind == HPA_DB_HEADPHONES) {
            size_t j = st[i].replace != SIZE_MAX ? st[i].replace : db->n_hp++;
            db->hp[j] = st[i].e.hp;
            db->hp_keys[j] = st[i].k;
        } else {
            size_t j = st[i].replace != SIZE_MAX ? st[i].replace : db->n_src++;
            db->src[j] = st[i].e.src;
            db->src_keys[j] = st[i].k;
        }
        count++;
    }
    if (added)
        *added = count;
    return 0;
}

static unsigned staged_line(hpa_db_kind kind, const staged *st)
{
    return kind == HPA_DB_HEADPHONES ? st->e.hp.line : st->e.src.line;
}

/* name the staged entries and find the ones they replace: ids generated from
 * brand and model where not given (a source named like another row of this
 * text with another output, or whose name plus output is an id already in
 * the table, gets its output appended); an id twice in the text is reported
 * and the later row dropped.  0, or -1 out of memory. */
static int resolve_ids(hpa_db *db, hpa_db_kind kind, staged *st, size_t n_st, const char *origin, hpa_db_diags *diags)
{
    size_t n_table = hpa_db_count(db, kind);
    idset set, gen = {NULL, NULL, 0};
    for (size_t i = 0; i < n_st; i++) {
        st[i].replace = SIZE_MAX;
        if (st[i].id_given)
            continue;
        const char *brand = kind == HPA_DB_HEADPHONES ? st[i].e.hp.brand : st[i].e.src.brand;
        const char *model = kind == HPA_DB_HEADPHONES ? st[i].e.hp.model : st[i].e.src.model;
        char name[1024];
        snprintf(name, sizeof name, "%s %s", brand, model);
        if (!slugify(name, st[i].id, sizeof st[i].id - 8))
            snprintf(st[i].id, sizeof st[i].id, "entry-%u", staged_line(kind, &st[i]));
    }
    if (idset_init(&set, n_table + n_st))
        goto fail;
    for (size_t j = 0; j < n_table; j++)
        idset_put(&set, kind == HPA_DB_HEADPHONES ? db->hp[j].id : db->src[j].id, j);
    if (kind == HPA_DB_SOURCES) {
        /* gen: generated id -> the output of its rows, or 2 when they differ */
        if (idset_init(&gen, n_st))
            goto fail;
        for (size_t i = 0; i < n_st; i++) {
            if (st[i].id_given)
                continue;
            size_t o = idset_get(&gen, st[i].id);
            if (o == SIZE_MAX)
                idset_put(&gen, st[i].id, (size_t)st[i].e.src.output);
            else if (o != (size_t)st[i].e.src.output)
                idset_put(&gen, st[i].id, 2);
        }
        for (size_t i = 0; i < n_st; i++) {
            if (st[i].id_given)
                continue;
            char with_out[sizeof st[i].id];
            snprintf(with_out, sizeof with_out, "%.87s-%s", st[i].id, hpa_db_output_name(st[i].e.src.output));
            st[i].twin = idset_get(&gen, st[i].id) == 2 ||
                         (idset_get(&set, with_out) != SIZE_MAX && idset_get(&set, st[i].id) == SIZE_MAX);
        }
        /* rename only now: gen's keys point into st[].id */
        for (size_t i = 0; i < n_st; i++) {
            if (!st[i].twin)
                continue;
            char with_out[sizeof st[i].id];
            snprintf(with_out, sizeof with_out, "%.87s-%s", st[i].id, hpa_db_output_name(st[i].e.src.output));
            memcpy(st[i].id, with_out, sizeof with_out);
        }
        idset_free(&gen);
    }
    /* set: id -> table index, or n_table + staged index for this text's rows */
    for (size_t i = 0; i < n_st; i++) {
        size_t v = idset_get(&set, st[i].id);
        if (v != SIZE_MAX && v >= n_table) {
            diag(diags, origin, staged_line(kind, &st[i]), "id '%s' was already used on line %u; this line is skipped",
                 st[i].id, staged_line(kind, &st[v - n_table]));
            st[i].dropped = 1;
            continue;
        }
        st[i].replace = v;
        idset_put(&set, st[i].id, n_table + i);
    }
    idset_free(&set);
    return 0;
fail:
    idset_free(&set);
    idset_free(&gen);
    return -1;
}

int hpa_db_add_text(hpa_db *db, hpa_db_kind kind, const char *text, size_t len, const char *origin, hpa_db_diags *diags,
                    size_t *added)
{
    if (added)
        *added = 0;
    if (!db || (!text && len) || (kind != HPA_DB_HEADPHONES && kind != HPA_DB_SOURCES))
        return HPA_ERR_INVALID_ARG;
    if (!origin)
        origin = "(text)";
    hpa_csv csv;
    if (hpa_csv_init(&csv, text, len))
        return HPA_ERR_NO_MEMORY;
    const char *origin_copy = arena_strdup(db, origin);
    staged *st = NULL;
    size_t n_st = 0, cap_st = 0;
    int err = HPA_OK, have_header = 0;
    layout lay;
    memset(&lay, 0, sizeof lay);
    if (!origin_copy) {
        err = HPA_ERR_NO_MEMORY;
        goto out;
    }
    for (;;) {
        hpa_csv_status s = hpa_csv_next(&csv);
        if (s == HPA_CSV_END)
            break;
        if (s == HPA_CSV_BAD) {
            diag(diags, origin, csv.line, "%s%s", csv.why, have_header ? "" : " (in the header line); nothing loaded");
            if (!have_header)
                goto out;
            continue;
        }
        if (!have_header) {
            if (parse_header(kind, &csv, origin, diags, &lay))
                goto out;
            have_header = 1;
            continue;
        }
        if (n_st == HPA_DB_MAX_TEXT_ENTRIES) {
            diag(diags, origin, csv.line, "more than %u entries in one text; the rest is not loaded",
                 HPA_DB_MAX_TEXT_ENTRIES);
            break;
        }
        if (n_st == cap_st) {
            size_t cap = cap_st ? cap_st * 2 : 64;
            staged *p = realloc(st, cap * sizeof *p);
            if (!p) {
                err = HPA_ERR_NO_MEMORY;
                goto out;
            }
            st = p;
            cap_st = cap;
        }
        int r = parse_row(db, kind, &lay, &csv, origin, origin_copy, diags, &st[n_st]);
        if (r == -2) {
            err = HPA_ERR_NO_MEMORY;
            goto out;
        }
        if (r == 0)
            n_st++;
    }
    /* on failure the tables are untouched (arena strings stay unused until
     * hpa_db_destroy) */
    if (resolve_ids(db, kind, st, n_st, origin, diags) || reserve(db, kind, n_st) || commit(db, kind, st, n_st, added))
        err = HPA_ERR_NO_MEMORY;
out:
    free(st);
    hpa_csv_free(&csv);
    return err;
}

/* ------------------------------------------------------------------------ */
/* create / destroy / get                                                   */

int hpa_db_create_empty(hpa_db **out)
{
    if (!out)
        return HPA_ERR_INVALID_ARG;
    *out = calloc(1, sizeof **out);
    return *out ? HPA_OK : HPA_ERR_NO_MEMORY;
}

const char *hpa_db_builtin_text(hpa_db_kind kind, size_t *len)
{
    const char *t = kind == HPA_DB_HEADPHONES ? hpa_db_data_headphones
                    : kind == HPA_DB_SOURCES  ? hpa_db_data_sources
                                              : NULL;
    if (len)
        *len = kind == HPA_DB_HEADPHONES ? hpa_db_data_headphones_len
               : kind == HPA_DB_SOURCES  ? hpa_db_data_sources_len
                                         : 0;
    return t;
}

int hpa_db_create(hpa_db **out)
{
    int err = hpa_db_create_empty(out);
    if (err)
        return err;
    for (int k = HPA_DB_HEADPHONES; k <= HPA_DB_SOURCES; k++) {
        size_t len;
        const char *t = hpa_db_builtin_text((hpa_db_kind)k, &len);
        err = hpa_db_add_text(*out, (hpa_db_kind)k, t, len, BUILTIN_ORIGIN, NULL, NULL);
        if (err) {
            hpa_db_destroy(*out);
            *out = NULL;
            return err;
        }
    }
    return HPA_OK;
}

void hpa_db_destroy(hpa_db *db)
{
    if (!db)
        return;
    for (chunk *c = db->arena; c;) {
        chunk *next = c->next;
        free(c);
        c = next;
    }
    free(db->hp);
    free(db->hp_keys);
    free(db->src);
    free(db->src_keys);
    free(db);
}

size_t hpa_db_count(const hpa_db *db, hpa_db_kind kind)
{
    if (!db)
        return 0;
    return kind == HPA_DB_HEADPHONES ? db->n_hp : kind == HPA_DB_SOURCES ? db->n_src : 0;
}

const hpa_db_headphone *hpa_db_headphone_at(const hpa_db *db, size_t i)
{
    return db && i < db->n_hp ? &db->hp[i] : NULL;
}

const hpa_db_source *hpa_db_source_at(const hpa_db *db, size_t i)
{
    return db && i < db->n_src ? &db->src[i] : NULL;
}

/* ------------------------------------------------------------------------ */
/* ad-hoc specs                                                             */

static int spec_fail(char *why, size_t why_len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int spec_fail(char *why, size_t why_len, const char *fmt, ...)
{
    if (why && why_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_len, fmt, ap);
        va_end(ap);
        trim_utf8(why);
        /* the spec is quoted in the reason: its control characters would
         * reach the terminal (an escape sequence, a line break) */
        for (char *c = why; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f)
                *c = *c == '\t' ? ' ' : '?';
    }
    return HPA_ERR_INVALID_ARG;
}

/* split "12.5dB/mW" (spaces removed, lowercased) into the number and the unit */
static int split_quantity(const char *tok, double *value, const char **unit)
{
    char num[64];
    size_t i = 0;
    if (tok[i] == '+' || tok[i] == '-')
        i++;
    while ((tok[i] >= '0' && tok[i] <= '9') || tok[i] == '.')
        i++;
    if (tok[i] == 'e' && ((tok[i + 1] >= '0' && tok[i + 1] <= '9') ||
                          ((tok[i + 1] == '-' || tok[i + 1] == '+') && tok[i + 2] >= '0' && tok[i + 2] <= '9'))) {
        i += 2;
        while (tok[i] >= '0' && tok[i] <= '9')
            i++;
    }
    if (i == 0 || i >= sizeof num)
        return -1;
    memcpy(num, tok, i);
    num[i] = 0;
    if (parse_number(num, value))
        return -1;
    *unit = tok + i;
    return 0;
}

static int is_unit(const char *u, const char *const *names)
{
    for (; *names; names++)
        if (!strcmp(u, *names))
            return 1;
    return 0;
}

static const char *const u_ohm[] = {"ohm", "ohms", "\xce\xa9", "\xe2\x84\xa6", NULL};
static const char *const u_db_mw[] = {"db/mw", "dbspl/mw", "db/1mw", "dbspl/1mw", NULL};
static const char *const u_db_v[] = {"db/v", "dbspl/v", "db/vrms", "db/1v", "dbspl/1v", "db/1vrms", NULL};
static const char *const u_mv94[] = {"mv", "mv@94db", "mv/94db", "mvfor94db", NULL};
static const char *const u_v[] = {"v", "vrms", NULL};
static const char *const u_ma[] = {"ma", "marms", NULL};

typedef struct spec_qty {
    const char *name, *unit;
    double *field;
    double lo, hi;
    int lo_open;
} spec_qty;

static int set_qty(const spec_qty *q, double v, char *why, size_t why_len)
{
    if (!isnan(*q->field))
        return spec_fail(why, why_len, "the %s is given twice", q->name);
    if (v < q->lo || (q->lo_open && v == q->lo) || v > q->hi)
        return spec_fail(why, why_len, "the %s %g %s is out of range (%s%g .. %g %s)", q->name, v, q->unit,
                         q->lo_open ? "above " : "", q->lo, q->hi, q->unit);
    *q->field = v;
    return 0;
}

int hpa_db_add_spec(hpa_db *db, hpa_db_kind kind, const char *spec, size_t *index, char *why, size_t why_len)
{
    if (why && why_len)
        why[0] = 0;
    if (!db || !spec || (kind != HPA_DB_HEADPHONES && kind != HPA_DB_SOURCES))
        return spec_fail(why, why_len, "no spec");
    size_t slen = strlen(spec);
    if (slen > 512 || !hpa_utf8_valid(spec, slen))
        return spec_fail(why, why_len, "the spec is too long or not UTF-8");
    staged st;
    memset(&st, 0, sizeof st);
    if (kind == HPA_DB_HEADPHONES)
        init_headphone(&st.e.hp);
    else
        init_source(&st.e.src);
    hpa_db_headphone *h = &st.e.hp;
    hpa_db_source *s = &st.e.src;
    int n_tokens = 0, have_output = 0;
    const char *p = spec;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char tok[128], raw[128];
        size_t n = 0;
        if (len >= sizeof tok)
            return spec_fail(why, why_len, "a part of the spec is too long");
        memcpy(raw, p, len);
        raw[len] = 0;
        for (size_t i = 0; i < len; i++) {
            char ch = p[i];
            if (ch == ' ' || ch == '\t')
                continue;
            tok[n++] = (char)((ch >= 'A' && ch <= 'Z') ? ch - 'A' + 'a' : ch);
        }
        tok[n] = 0;
        double v;
        const char *unit;
        int iv;
        if (!n) {
            if (end || n_tokens == 0)
                return spec_fail(why, why_len, "an empty part in '%s'", spec);
        } else if (split_quantity(tok, &v, &unit) == 0) {
            int r = -1;
            if (kind == HPA_DB_HEADPHONES) {
                spec_qty q[] = {{"impedance", "ohm", &h->impedance_ohm, R_IMPEDANCE_OHM},
                                {"sensitivity", "dB/mW", &h->sensitivity_db_mw, R_SENS_DB_MW},
                                {"sensitivity", "dB/V", &h->sensitivity_db_v, R_SENS_DB_V},
                                {"level for 94 dB SPL", "mV", &h->mv_for_94db, R_MV_94DB}};
                const char *const *units[] = {u_ohm, u_db_mw, u_db_v, u_mv94};
                for (size_t k = 0; k < COUNT(q) && r < 0; k++)
                    if (is_unit(unit, units[k]))
                        r = set_qty(&q[k], v, why, why_len) ? 1 : 0;
                if (r < 0)
                    return spec_fail(why, why_len,
                                     "'%s': a headphone spec takes ohm, dB/mW, dB/V or mV (for 94 dB SPL)", raw);
            } else {
                double load = NAN;
                char u[64];
                snprintf(u, sizeof u, "%s", unit);
                char *at = strchr(u, '@');
                if (at) { /* "...@32ohm" */
                    const char *lu;
                    *at = 0;
                    if (split_quantity(at + 1, &load, &lu) || !(is_unit(lu, u_ohm) || !*lu) || !(load > 0))
                        return spec_fail(why, why_len, "'%s': a load is written like @32ohm", raw);
                }
                if (is_unit(u, u_v)) {
                    spec_qty q = {"voltage", "V", &s->vout_max_rms_v, R_VOUT_V};
                    r = set_qty(&q, v, why, why_len) ? 1 : 0;
                    if (!r && at) {
                        spec_qty ql = {"load", "ohm", &s->vout_load_ohm, R_LOAD_OHM};
                        r = set_qty(&ql, load, why, why_len) ? 1 : 0;
                    }
                } else if (!strcmp(u, "mw") && at) {
                    if (load != 32 && load != 300)
                        return spec_fail(why, why_len, "'%s': power ratings are kept at 32 or 300 ohm only", raw);
                    spec_qty q = {load == 32 ? "power at 32 ohm" : "power at 300 ohm", "mW",
                                  load == 32 ? &s->power_mw_32 : &s->power_mw_300, R_POWER_MW};
                    r = set_qty(&q, v, why, why_len) ? 1 : 0;
                } else if (is_unit(u, u_ohm) && !at) {
                    spec_qty q = {"output impedance", "ohm", &s->zout_ohm, R_ZOUT_OHM};
                    r = set_qty(&q, v, why, why_len) ? 1 : 0;
                } else if (is_unit(u, u_ma) && !at) {
                    spec_qty q = {"current limit", "mA", &s->imax_ma, R_IMAX_MA};
                    r = set_qty(&q, v, why, why_len) ? 1 : 0;
                }
                if (r < 0)
                    return spec_fail(why, why_len,
                                     "'%s': a source spec takes V (or V@LOADohm), ohm, mA or mW@32ohm/mW@300ohm", raw);
            }
            if (r > 0)
                return HPA_ERR_INVALID_ARG;
        } else {
            char norm[64];
            hpa_db_normalize(tok, norm, sizeof norm);
            int ok = 0;
            if (kind == HPA_DB_HEADPHONES) {
                if (!enum_field(hp_type_aliases, tok, &iv))
                    ok = 1, h->type = (hpa_db_hp_type)iv;
                else if (!enum_field(driver_aliases, tok, &iv))
                    ok = 1, h->driver = (hpa_db_driver)iv;
                else if (!enum_field(back_aliases, tok, &iv))
                    ok = 1, h->back = (hpa_db_back)iv;
                else if (!strcmp(norm, "active") || !strcmp(norm, "anc") || !strcmp(norm, "noisecancelling"))
                    ok = 1, h->active = 1;
            } else {
                if (!enum_field(src_kind_aliases, tok, &iv))
                    ok = 1, s->kind = (hpa_db_src_kind)iv;
                else if (!enum_field(output_aliases, tok, &iv))
                    ok = 1, s->output = (hpa_db_output)iv, have_output = 1;
                else if (!strcmp(norm, "battery"))
                    ok = 1, s->battery = 1;
            }
            if (!ok)
                return spec_fail(why, why_len, "'%s' is not a number with a unit (like %s)", raw,
                                 kind == HPA_DB_HEADPHONES ? "300ohm, 97dB/mW or 122dB/V" : "1.0V, 0.9ohm or 50mA");
        }
        n_tokens++;
        if (!end)
            break;
        p = end + 1;
    }
    (void)have_output;
    if (kind == HPA_DB_HEADPHONES) {
        if (isnan(h->impedance_ohm))
            return spec_fail(why, why_len, "'%s' needs an impedance (like 300ohm)", spec);
        if (isnan(h->sensitivity_db_mw) && isnan(h->sensitivity_db_v) && isnan(h->mv_for_94db))
            return spec_fail(why, why_len, "'%s' needs a sensitivity (like 97dB/mW, 122dB/V or 288mV)", spec);
    } else if (isnan(s->vout_max_rms_v) && isnan(s->power_mw_32) && isnan(s->power_mw_300)) {
        return spec_fail(why, why_len, "'%s' needs a voltage (like 1.0V) or a power (like 30mW@32ohm)", spec);
    }
    if (reserve(db, kind, 1))
        return spec_fail(why, why_len, "out of memory"), HPA_ERR_NO_MEMORY;
    /* trim the spec for the model name */
    while (*spec == ' ' || *spec == '\t')
        spec++;
    slen = strlen(spec);
    while (slen && (spec[slen - 1] == ' ' || spec[slen - 1] == '\t'))
        slen--;
    const char *model = arena_strndup(db, spec, slen), *origin = arena_strdup(db, SPEC_ORIGIN);
    if (!model || !origin)
        return spec_fail(why, why_len, "out of memory"), HPA_ERR_NO_MEMORY;
    do
        snprintf(st.id, sizeof st.id, "spec-%u", ++db->n_specs);
    while (find_id(db, kind, st.id) >= 0);
    st.replace = SIZE_MAX;
    if (kind == HPA_DB_HEADPHONES) {
        h->model = model;
        h->source = h->origin = origin;
    } else {
        s->model = model;
        s->source = s->origin = origin;
    }
    size_t added;
    if (commit(db, kind, &st, 1, &added))
        return spec_fail(why, why_len, "out of memory"), HPA_ERR_NO_MEMORY;
    if (index)
        *index = hpa_db_count(db, kind) - 1;
    return HPA_OK;
}

/* ------------------------------------------------------------------------ */
/* lookup and search                                                        */

/* optimal-string-alignment (Damerau–Levenshtein) distance of two byte strings;
 * *to_prefix gets the distance from a to the closest start of b */
static unsigned osa_distance(const char *a, size_t na, const char *b, size_t nb, unsigned *to_prefix)
{
    unsigned rows[3][KEY_MAX + 1];
    unsigned *pp = rows[0], *prev = rows[1], *cur = rows[2];
    if (na > KEY_MAX)
        na = KEY_MAX;
    if (nb > KEY_MAX)
        nb = KEY_MAX;
    for (size_t j = 0; j <= nb; j++)
        prev[j] = (unsigned)j;
    for (size_t i = 1; i <= na; i++) {
        cur[0] = (unsigned)i;
        for (size_t j = 1; j <= nb; j++) {
            unsigned cost = a[i - 1] != b[j - 1];
            unsigned d = prev[j] + 1;
            if (cur[j - 1] + 1 < d)
                d = cur[j - 1] + 1;
            if (prev[j - 1] + cost < d)
                d = prev[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < d)
                d = pp[j - 2] + 1;
            cur[j] = d;
        }
        unsigned *t = pp;
        pp = prev;
        prev = cur;
        cur = t;
    }
    unsigned m = prev[0];
    for (size_t j = 1; j <= nb; j++)
        if (prev[j] < m)
            m = prev[j];
    *to_prefix = m;
    return prev[nb];
}

static const keys *keys_of(const hpa_db *db, hpa_db_kind kind, size_t i)
{
    return kind == HPA_DB_HEADPHONES ? &db->hp_keys[i] : &db->src_keys[i];
}

static hpa_db_match_how match_key(const char *key, const char *q, size_t qn)
{
    if (!*key)
        return HPA_DB_MATCH_NONE;
    if (!strcmp(key, q))
        return HPA_DB_MATCH_EXACT;
    if (!strncmp(key, q, qn))
        return HPA_DB_MATCH_PREFIX;
    if (strstr(key, q))
        return HPA_DB_MATCH_SUBSTRING;
    return HPA_DB_MATCH_NONE;
}

/* The next word of [*p, end) into w (normalized, cap bytes): words are cut
 * at spaces and at ASCII punctuation other than '-', '.', '_' and '\'', so
 * "USB-C to 3.5 mm Adapter (US, A2049)" has the words usbc, to, 35, mm,
 * adapter, us, a2049.  Returns 0 when no word is left. */
static int next_word(const char **p, char *w, size_t cap)
{
    const unsigned char *s = (const unsigned char *)*p;
    for (;;) {
        while (*s && *s < 0x80 && !isalnum_ascii(*s) && !strchr("-._'", *s))
            s++;
        if (!*s) {
            *p = (const char *)s;
            return 0;
        }
        const unsigned char *e = s;
        while (*e && (*e >= 0x80 || isalnum_ascii(*e) || strchr("-._'", *e)))
            e++;
        char raw[KEY_MAX + 1];
        size_t n = (size_t)(e - s) < KEY_MAX ? (size_t)(e - s) : KEY_MAX;
        memcpy(raw, s, n);
        raw[n] = 0;
        s = e;
        if (hpa_db_normalize(raw, w, cap)) { /* "-" alone is no word */
            *p = (const char *)s;
            return 1;
        }
    }
}

/* is the normalized word w one of the words of text? */
static int has_word(const char *text, const char *w)
{
    char x[KEY_MAX + 1];
    for (const char *p = text ? text : ""; next_word(&p, x, sizeof x);)
        if (!strcmp(x, w))
            return 1;
    return 0;
}

/* does the normalized word w name a category of the entry (its type,
 * driver or back; its kind or output), in any spelling the CSV accepts? */
static int names_category(const hpa_db *db, hpa_db_kind kind, size_t i, const char *w)
{
    if (kind == HPA_DB_HEADPHONES) {
        const hpa_db_headphone *h = &db->hp[i];
        int v;
        return ((v = find_alias(hp_type_aliases, w)) >= 0 && v == (int)h->type && h->type) ||
               ((v = find_alias(driver_aliases, w)) >= 0 && v == (int)h->driver && h->driver) ||
               ((v = find_alias(back_aliases, w)) >= 0 && v == (int)h->back && h->back);
    }
    const hpa_db_source *s = &db->src[i];
    int v;
    return ((v = find_alias(src_kind_aliases, w)) >= 0 && v == (int)s->kind && s->kind) ||
           ((v = find_alias(output_aliases, w)) >= 0 && v == (int)s->output);
}

/* every word of the query is a word of the entry's brand or model or names
 * its category, and at least one is a name word */
static int words_match(const hpa_db *db, hpa_db_kind kind, size_t i, const char *query)
{
    const char *brand = kind == HPA_DB_HEADPHONES ? db->hp[i].brand : db->src[i].brand;
    const char *model = kind == HPA_DB_HEADPHONES ? db->hp[i].model : db->src[i].model;
    const char *aliases = kind == HPA_DB_HEADPHONES ? db->hp[i].aliases : db->src[i].aliases;
    char w[KEY_MAX + 1];
    int named = 0, any = 0;
    for (const char *p = query; next_word(&p, w, sizeof w); any = 1) {
        if (has_word(brand, w) || has_word(model, w) || has_word(aliases, w))
            named = 1;
        else if (!names_category(db, kind, i, w))
            return 0;
    }
    return any && named;
}

/* the edit distance of q to the closest of an entry's names and aliases (a
 * typo in the whole name, or in the start of a longer name: one more for what
 * the name leaves out) */
static unsigned name_distance(const keys *k, const char *q, size_t qn)
{
    const char *ks[] = {k->id, k->model, k->brand_model, k->model_out};
    unsigned d = UINT32_MAX;
    for (size_t j = 0; j < COUNT(ks) + 1; j++) {
        const char *key = j < COUNT(ks) ? ks[j] : k->aliases;
        while (*key) {
            size_t kn = j < COUNT(ks) ? strlen(key) : strcspn(key, "\n");
            unsigned dp, dj = osa_distance(q, qn, key, kn, &dp);
            if (dp + 1 < dj)
                dj = dp + 1;
            if (dj < d)
                d = dj;
            if (j < COUNT(ks))
                break;
            key += kn + 1; /* the next alias */
        }
    }
    return d;
}

/* fill out->refs with up to HPA_DB_CLOSEST entries within `limit`, closest
 * first (ties: table order) */
static void closest(const hpa_db *db, hpa_db_kind kinds, const char *q, size_t qn, unsigned limit, hpa_db_match *out)
{
    unsigned best[HPA_DB_CLOSEST];
    for (int kind = HPA_DB_HEADPHONES; kind <= HPA_DB_SOURCES; kind <<= 1) {
        if (!((unsigned)kinds & (unsigned)kind))
            continue;
        size_t n = hpa_db_count(db, (hpa_db_kind)kind);
        for (size_t i = 0; i < n; i++) {
            unsigned d = name_distance(keys_of(db, (hpa_db_kind)kind, i), q, qn);
            if (d > limit)
                continue;
            size_t at = out->n;
            while (at > 0 && best[at - 1] > d)
                at--;
            if (at >= HPA_DB_CLOSEST)
                continue;
            size_t last = out->n < HPA_DB_CLOSEST ? out->n : HPA_DB_CLOSEST - 1;
            for (size_t m = last; m > at; m--) {
                best[m] = best[m - 1];
                out->refs[m] = out->refs[m - 1];
            }
            best[at] = d;
            out->refs[at] = (hpa_db_ref){(hpa_db_kind)kind, i};
            if (out->n < HPA_DB_CLOSEST)
                out->n++;
        }
    }
}

int hpa_db_lookup(const hpa_db *db, hpa_db_kind kinds, const char *name, hpa_db_match *out)
{
    if (!db || !name || !out || !((unsigned)kinds & HPA_DB_ANY) || ((unsigned)kinds & ~(unsigned)HPA_DB_ANY))
        return HPA_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);
    char q[KEY_MAX + 1];
    hpa_db_normalize(name, q, sizeof q);
    size_t qn = strlen(q);
    if (!qn)
        return HPA_OK;
    for (int kind = HPA_DB_HEADPHONES; kind <= HPA_DB_SOURCES; kind <<= 1) {
        if (!((unsigned)kinds & (unsigned)kind))
            continue;
        size_t n = hpa_db_count(db, (hpa_db_kind)kind);
        for (size_t i = 0; i < n; i++) {
            const keys *k = keys_of(db, (hpa_db_kind)kind, i);
            const char *ks[] = {k->id, k->model, k->brand_model, k->model_out, k->brand_model_out};
            hpa_db_match_how how = HPA_DB_MATCH_NONE;
            for (size_t j = 0; j < COUNT(ks); j++) {
                hpa_db_match_how h = match_key(ks[j], q, qn);
                if (h > how)
                    how = h;
            }
            for (const char *a = k->aliases; *a; a = strchr(a, '\n') + 1) {
                char one[KEY_MAX + 1];
                size_t an = strcspn(a, "\n");
                snprintf(one, sizeof one, "%.*s", (int)(an < KEY_MAX ? an : KEY_MAX), a);
                hpa_db_match_how h = match_key(one, q, qn);
                if (h > how)
                    how = h;
            }
            if (how == HPA_DB_MATCH_NONE || how < out->how)
                continue;
            if (how > out->how) {
                out->how = how;
                out->total = out->n = 0;
            }
            if (out->n < HPA_DB_MAX_MATCHES)
                out->refs[out->n++] = (hpa_db_ref){(hpa_db_kind)kind, i};
            out->total++;
        }
    }
    if (out->how != HPA_DB_MATCH_NONE)
        return HPA_OK;
    /* no name holds the whole text: the entries that have each of its words */
    for (int kind = HPA_DB_HEADPHONES; kind <= HPA_DB_SOURCES; kind <<= 1) {
        if (!((unsigned)kinds & (unsigned)kind))
            continue;
        size_t n = hpa_db_count(db, (hpa_db_kind)kind);
        for (size_t i = 0; i < n; i++) {
            if (!words_match(db, (hpa_db_kind)kind, i, name))
                continue;
            if (out->n < HPA_DB_MAX_MATCHES)
                out->refs[out->n++] = (hpa_db_ref){(hpa_db_kind)kind, i};
            out->total++;
        }
    }
    if (out->total) {
        out->how = HPA_DB_MATCH_WORDS;
        return HPA_OK;
    }
    /* nothing: the closest names, within an edit distance of about half the
     * name; when none is that close, the closest there are */
    unsigned limit = qn / 2 > 2 ? (unsigned)(qn / 2) : 2;
    closest(db, kinds, q, qn, limit, out);
    if (!out->n)
        closest(db, kinds, q, qn, UINT32_MAX, out);
    return HPA_OK;
}

/* does one normalized word name the entry's category? */
static int word_is_category(const char *w, size_t wn, const char *const *cats)
{
    for (; *cats; cats++) {
        if (!**cats)
            continue;
        char c[32];
        hpa_db_normalize(*cats, c, sizeof c);
        if (!strcmp(c, w) || (wn >= 3 && strstr(c, w)))
            return 1;
    }
    return 0;
}

static int entry_matches(const hpa_db *db, hpa_db_kind kind, size_t i, const char *w, size_t wn)
{
    const keys *k = keys_of(db, kind, i);
    if (strstr(k->brand_model, w) || strstr(k->id, w) || strstr(k->aliases, w))
        return 1;
    if (kind == HPA_DB_HEADPHONES) {
        const hpa_db_headphone *h = &db->hp[i];
        const char *cats[] = {hpa_db_hp_type_name(h->type),
                              hpa_db_driver_name(h->driver),
                              hpa_db_back_name(h->back),
                              h->active ? "active" : "",
                              h->active ? "anc" : "",
                              h->active ? "noise-cancelling" : "",
                              NULL};
        return word_is_category(w, wn, cats);
    }
    const hpa_db_source *s = &db->src[i];
    const char *cats[] = {hpa_db_src_kind_name(s->kind),
                          hpa_db_output_name(s->output),
                          s->output == HPA_DB_OUTPUT_BAL ? "balanced" : "single-ended",
                          s->battery == 1 ? "battery" : "",
                          s->kind == HPA_DB_SRC_DAP ? "player" : "",
                          NULL};
    return word_is_category(w, wn, cats);
}

int hpa_db_search(const hpa_db *db, hpa_db_kind kinds, const char *text, hpa_db_ref *refs, size_t cap, size_t *total)
{
    if (!db || !text || (!refs && cap) || !((unsigned)kinds & HPA_DB_ANY) || ((unsigned)kinds & ~(unsigned)HPA_DB_ANY))
        return HPA_ERR_INVALID_ARG;
    enum { MAX_WORDS = 16 };
    char words[MAX_WORDS][KEY_MAX + 1];
    size_t n_words = 0;
    for (const char *p = text; *p && n_words < MAX_WORDS;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        const char *e = p;
        while (*e && *e != ' ' && *e != '\t' && *e != '\n')
            e++;
        char raw[KEY_MAX + 1];
        size_t len = (size_t)(e - p) < KEY_MAX ? (size_t)(e - p) : KEY_MAX;
        memcpy(raw, p, len);
        raw[len] = 0;
        if (hpa_db_normalize(raw, words[n_words], sizeof words[n_words]))
            n_words++;
        p = e;
    }
    size_t count = 0;
    for (int kind = HPA_DB_HEADPHONES; kind <= HPA_DB_SOURCES; kind <<= 1) {
        if (!((unsigned)kinds & (unsigned)kind))
            continue;
        size_t n = hpa_db_count(db, (hpa_db_kind)kind);
        for (size_t i = 0; i < n; i++) {
            size_t w = 0;
            while (w < n_words && entry_matches(db, (hpa_db_kind)kind, i, words[w], strlen(words[w])))
                w++;
            if (w < n_words)
                continue;
            if (count < cap)
                refs[count] = (hpa_db_ref){(hpa_db_kind)kind, i};
            count++;
        }
    }
    if (total)
        *total = count;
    return HPA_OK;
}
