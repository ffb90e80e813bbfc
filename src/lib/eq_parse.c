/* eq_parse.c — AutoEq ParametricEQ.txt / GraphicEQ.txt and the Equalizer APO
 * subset users paste, from a text buffer (no file I/O, no allocation, no
 * printing, locale-independent numbers).  The grammar is in docs/eq.md.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include <hpamp/eq.h>

#define POINT_GAIN_MIN_DB (-120.0)
#define QUOTE_MAX 24 /* bytes of the input quoted in a message */

/* ------------------------------------------------------------------------ */
/* messages                                                                 */

typedef struct msg {
    char *buf;
    size_t cap; /* including the NUL */
    size_t len;
} msg;

static void m_char(msg *m, char c)
{
    if (m->len + 1 < m->cap) {
        m->buf[m->len++] = c;
        m->buf[m->len] = 0;
    }
}

static void m_str(msg *m, const char *s)
{
    while (*s)
        m_char(m, *s++);
}

/* A piece of the input, made printable: other bytes become '?'. */
static void m_quote(msg *m, const char *s, size_t n)
{
    m_char(m, '\'');
    for (size_t i = 0; i < n && i < QUOTE_MAX; i++) {
        unsigned char c = (unsigned char)s[i];
        m_char(m, (char)((c >= 0x20 && c < 0x7f) ? c : '?'));
    }
    if (n > QUOTE_MAX)
        m_str(m, "...");
    m_char(m, '\'');
}

static void m_uint(msg *m, size_t v)
{
    char d[24];
    int n = 0;
    do
        d[n++] = (char)('0' + v % 10);
    while ((v /= 10) && n < 24);
    while (n)
        m_char(m, d[--n]);
}

/* A number with up to 6 significant digits, like %g but locale-free. */
static void m_num(msg *m, double x)
{
    if (isnan(x)) {
        m_str(m, "nan");
        return;
    }
    if (x < 0) {
        m_char(m, '-');
        x = -x;
    }
    if (isinf(x)) {
        m_str(m, "inf");
        return;
    }
    if (x == 0) {
        m_char(m, '0');
        return;
    }
    int e = (int)floor(log10(x));
    /* Scale to ~6 digits before the point; denormal inputs are lifted first
     * so that the power of ten stays representable. */
    const double y = e < -290 ? x * 1e300 : x;
    const int ey = e < -290 ? e + 300 : e;
    const double mant = y / pow(10.0, ey - 5);
    if (!(mant >= 0.0 && mant < 1e7)) {
        m_char(m, '?');
        return;
    }
    unsigned long digits = (unsigned long)(mant + 0.5);
    if (digits >= 1000000ul) { /* rounding carried into a 7th digit */
        digits = (digits + 5) / 10;
        e++;
    }
    if (digits < 100000ul) { /* log10 rounding put us one digit short */
        digits = (unsigned long)(mant * 10.0 + 0.5);
        e--;
        if (digits >= 1000000ul) {
            digits = (digits + 5) / 10;
            e++;
        }
    }
    char d[6];
    for (int i = 5; i >= 0; i--, digits /= 10)
        d[i] = (char)('0' + digits % 10);
    int nd = 6;
    while (nd > 1 && d[nd - 1] == '0')
        nd--;
    if (e >= -5 && e < 6) {
        if (e < 0) {
            m_str(m, "0.");
            for (int i = -1; i > e; i--)
                m_char(m, '0');
            for (int i = 0; i < nd; i++)
                m_char(m, d[i]);
        } else {
            for (int i = 0; i <= e; i++)
                m_char(m, (char)(i < nd ? d[i] : '0'));
            if (nd > e + 1) {
                m_char(m, '.');
                for (int i = e + 1; i < nd; i++)
                    m_char(m, d[i]);
            }
        }
    } else {
        m_char(m, d[0]);
        if (nd > 1) {
            m_char(m, '.');
            for (int i = 1; i < nd; i++)
                m_char(m, d[i]);
        }
        m_char(m, 'e');
        if (e < 0) {
            m_char(m, '-');
            e = -e;
        }
        m_uint(m, (size_t)e);
    }
}

/* " is outside LO..+HI dB": a range in messages, from the constants */
static void m_outside(msg *m, double lo, double hi, const char *unit)
{
    m_str(m, " is outside ");
    m_num(m, lo);
    m_str(m, lo < 0.0 && hi > 0.0 ? "..+" : "..");
    m_num(m, hi);
    m_str(m, unit);
}

/* ------------------------------------------------------------------------ */
/* the parser's state and diagnostics                                       */

typedef struct parser {
    double rate_hz;
    hpa_eq_doc *doc;
    hpa_eq_diags *diags;
    size_t line;
    size_t errors;
    size_t known_lines;    /* Preamp, Filter and GraphicEQ lines seen */
    size_t graphic_line;   /* line of the GraphicEQ, 0 if none yet */
    unsigned channel_mask; /* the Channel: selection in force (0: every channel) */
    hpa_eq_diag cur;       /* the diagnostic being written */
    msg m;
} parser;

static msg *begin(parser *p, hpa_eq_severity sev, size_t line)
{
    p->cur.line = line;
    p->cur.severity = sev;
    p->cur.message[0] = 0;
    p->m.buf = p->cur.message;
    p->m.cap = sizeof p->cur.message;
    p->m.len = 0;
    return &p->m;
}

static void end(parser *p)
{
    if (p->cur.severity == HPA_EQ_ERROR)
        p->errors++;
    hpa_eq_diags *d = p->diags;
    if (!d)
        return;
    if (d->count < d->capacity)
        d->items[d->count] = p->cur;
    d->count++;
    if (p->cur.severity == HPA_EQ_ERROR)
        d->errors++;
    else
        d->warnings++;
}

static msg *error(parser *p)
{
    return begin(p, HPA_EQ_ERROR, p->line);
}

static msg *warning(parser *p)
{
    return begin(p, HPA_EQ_WARNING, p->line);
}

/* ------------------------------------------------------------------------ */
/* the lexer                                                                */

typedef enum tkind { T_END, T_WORD, T_NUM, T_PUNCT } tkind;

typedef struct tok {
    tkind kind;
    const char *s;
    size_t n;
    double value; /* T_NUM */
} tok;

typedef struct lex {
    const char *p, *e;
} lex;

static int is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Spaces, tabs and the UTF-8 no-break space (which some locales write). */
static size_t space_len(const char *p, const char *e)
{
    unsigned char c = (unsigned char)*p;
    if (c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == '\n')
        return 1;
    if (c == 0xC2 && p + 1 < e && (unsigned char)p[1] == 0xA0)
        return 2;
    return 0;
}

static const char *skip_space(const char *p, const char *e)
{
    size_t k;
    while (p < e && (k = space_len(p, e)) > 0)
        p += k;
    return p;
}

static double scale10(double m, long e)
{
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (m == 0.0)
        return 0.0;
    while (e > 22) {
        m *= 1e22;
        e -= 22;
        if (isinf(m))
            return m;
    }
    while (e < -22) {
        m /= 1e22;
        e += 22;
        if (m == 0.0)
            return 0.0;
    }
    return e >= 0 ? m * p10[e] : m / p10[-e];
}

/* A number: [+-] digits [(.|,) digits] [(e|E) [+-] digits], at least one
 * mantissa digit; the comma is a decimal mark.  Exact (correctly rounded)
 * for up to 15 significant digits and exponents within +-22; returns the
 * length read, 0 if there is no number at p. */
static size_t read_number(const char *p, const char *e, double *out)
{
    const char *s = p;
    int neg = 0;
    if (s < e && (*s == '+' || *s == '-'))
        neg = (*s++ == '-');
    uint64_t mant = 0;
    int sig = 0; /* significant digits kept in mant */
    long exp10 = 0;
    int any = 0;
    while (s < e && is_digit((unsigned char)*s)) {
        any = 1;
        if (sig < 19) {
            if (mant || *s != '0') {
                mant = mant * 10 + (uint64_t)(*s - '0');
                sig++;
            }
        } else {
            exp10++;
        }
        s++;
    }
    if (s < e && (*s == '.' || *s == ',')) {
        const char *t = s + 1;
        int frac_any = 0;
        while (t < e && is_digit((unsigned char)*t)) {
            frac_any = 1;
            if (sig < 19) {
                if (mant || *t != '0') {
                    mant = mant * 10 + (uint64_t)(*t - '0');
                    sig++;
                }
                exp10--;
            }
            t++;
        }
        if (any || frac_any) {
            any = 1;
            s = t;
        }
    }
    if (!any)
        return 0;
    if (s < e && (*s == 'e' || *s == 'E')) {
        const char *t = s + 1;
        int eneg = 0;
        if (t < e && (*t == '+' || *t == '-'))
            eneg = (*t++ == '-');
        if (t < e && is_digit((unsigned char)*t)) {
            long ev = 0;
            while (t < e && is_digit((unsigned char)*t)) {
                if (ev < 100000)
                    ev = ev * 10 + (*t - '0');
                t++;
            }
            exp10 += eneg ? -ev : ev;
            s = t;
        }
    }
    double v = scale10((double)mant, exp10);
    *out = neg ? -v : v;
    return (size_t)(s - p);
}

static void next(lex *L, tok *t)
{
    L->p = skip_space(L->p, L->e);
    t->s = L->p;
    t->n = 0;
    t->value = 0.0;
    if (L->p >= L->e) {
        t->kind = T_END;
        return;
    }
    unsigned char c = (unsigned char)*L->p;
    if (is_alpha(c)) {
        const char *q = L->p;
        while (q < L->e && is_alpha((unsigned char)*q))
            q++;
        t->kind = T_WORD;
        t->n = (size_t)(q - L->p);
        L->p = q;
        return;
    }
    if (is_digit(c) || c == '+' || c == '-' || c == '.' || c == ',') {
        size_t n = read_number(L->p, L->e, &t->value);
        if (n > 0) {
            t->kind = T_NUM;
            t->n = n;
            L->p += n;
            return;
        }
    }
    t->kind = T_PUNCT;
    t->n = 1;
    L->p++;
}

static int span_is(const char *s, size_t n, const char *word)
{
    size_t i = 0;
    for (; i < n && word[i]; i++) {
        unsigned char a = (unsigned char)s[i], b = (unsigned char)word[i];
        if (a >= 'A' && a <= 'Z')
            a = (unsigned char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (unsigned char)(b - 'A' + 'a');
        if (a != b)
            return 0;
    }
    return i == n && word[i] == 0;
}

static int word_is(const tok *t, const char *word)
{
    return t->kind == T_WORD && span_is(t->s, t->n, word);
}

static void m_tok(msg *m, const tok *t)
{
    if (t->kind == T_END)
        m_str(m, "the end of the line");
    else
        m_quote(m, t->s, t->n);
}

/* A Channel: line's selection: Equalizer APO's names (L R C SUB RL RR SL
 * SR, in its 7.1 order) or numbers 1 to 8, separated by spaces or commas;
 * "all" for every channel.  An unknown name is an error at the line. */
static void parse_channel(parser *p, const char *s, const char *e)
{
    static const char *const names[HPA_CHANNELS_MAX] = {"L", "R", "C", "SUB", "RL", "RR", "SL", "SR"};
    unsigned mask = 0;
    int all = 0, words = 0;
    while (s < e) {
        while (s < e && (*s == ' ' || *s == '\t' || *s == ','))
            s++;
        const char *w = s;
        while (s < e && !(*s == ' ' || *s == '\t' || *s == ','))
            s++;
        const size_t n = (size_t)(s - w);
        if (!n)
            break;
        words++;
        int ch = -1;
        for (unsigned c = 0; c < HPA_CHANNELS_MAX; c++) {
            const char num[2] = {(char)('1' + c), 0};
            if (span_is(w, n, names[c]) || span_is(w, n, num))
                ch = (int)c;
        }
        if (span_is(w, n, "all")) {
            all = 1;
        } else if (ch < 0) {
            msg *m = error(p);
            m_str(m, "unknown channel ");
            m_quote(m, w, n);
            m_str(m, " (Channel: takes L R C SUB RL RR SL SR, 1 to 8, or all)");
            end(p);
            return;
        } else {
            mask |= 1u << ch;
        }
    }
    if (!words) {
        m_str(error(p), "Channel: names no channel (L, R, ..., 1 to 8, or all)");
        end(p);
        return;
    }
    p->channel_mask = all ? 0 : mask;
}

/* ------------------------------------------------------------------------ */
/* Filter lines                                                             */

static int type_of(const tok *t)
{
    static const struct {
        const char *name;
        hpa_eq_type type;
    } names[] = {
        {"PK", HPA_EQ_PK}, {"PEQ", HPA_EQ_PK},  {"Modal", HPA_EQ_PK}, {"LP", HPA_EQ_LP}, {"LPQ", HPA_EQ_LP},
        {"HP", HPA_EQ_HP}, {"HPQ", HPA_EQ_HP},  {"BP", HPA_EQ_BP},    {"LS", HPA_EQ_LS}, {"LSC", HPA_EQ_LSC},
        {"HS", HPA_EQ_HS}, {"HSC", HPA_EQ_HSC}, {"NO", HPA_EQ_NO},    {"AP", HPA_EQ_AP},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (word_is(t, names[i].name))
            return (int)names[i].type;
    return -1;
}

static int is_shelf(hpa_eq_type t)
{
    return t == HPA_EQ_LSC || t == HPA_EQ_HSC || t == HPA_EQ_LS || t == HPA_EQ_HS;
}

static int uses_gain(hpa_eq_type t)
{
    return t == HPA_EQ_PK || is_shelf(t);
}

/* Equalizer APO reads "1.000" (a mark before exactly three digits, no
 * exponent, five characters or more) as a thousands separator, because Room
 * EQ Wizard wrote frequencies that way; so do we, with a warning. */
static int rew_thousands(const tok *t)
{
    if (t->n < 5)
        return 0;
    for (size_t i = 0; i < t->n; i++)
        if (t->s[i] == 'e' || t->s[i] == 'E')
            return 0;
    char mark = t->s[t->n - 4];
    return mark == '.' || mark == ',';
}

/* Read "<number>" after a keyword; on failure report and return 0. */
static int expect_number(parser *p, lex *L, const char *key, const char *what, double *v, tok *numtok)
{
    tok t;
    next(L, &t);
    if (t.kind != T_NUM) {
        msg *m = error(p);
        m_str(m, key);
        m_str(m, " needs ");
        m_str(m, what);
        m_str(m, ", found ");
        m_tok(m, &t);
        end(p);
        return 0;
    }
    *v = t.value;
    if (numtok)
        *numtok = t;
    return 1;
}

static void duplicate(parser *p, const char *key)
{
    msg *m = error(p);
    m_str(m, key);
    m_str(m, " given twice");
    end(p);
}

static void parse_filter(parser *p, const char *s, const char *e)
{
    lex L = {s, e};
    tok t;
    next(&L, &t);
    if (!(word_is(&t, "ON") || word_is(&t, "OFF"))) {
        msg *m = error(p);
        m_str(m, "expected ON or OFF after 'Filter:', found ");
        m_tok(m, &t);
        end(p);
        return;
    }
    if (word_is(&t, "OFF")) {
        m_str(warning(p), "filter is OFF; skipped");
        end(p);
        return;
    }
    next(&L, &t);
    if (word_is(&t, "None")) /* Equalizer APO's placeholder for no filter */
        return;
    const int type = type_of(&t);
    if (type < 0) {
        msg *m = error(p);
        if (t.kind == T_WORD) {
            m_str(m, "unsupported filter type ");
            m_tok(m, &t);
            m_str(m, " (known: PK PEQ Modal LP LPQ HP HPQ BP LS LSC HS HSC NO AP)");
        } else {
            m_str(m, "expected a filter type after ON, found ");
            m_tok(m, &t);
        }
        end(p);
        return;
    }
    const char *tname = hpa_eq_type_name((hpa_eq_type)type);

    hpa_eq_band b = {.type = (hpa_eq_type)type};
    int have_fc = 0, have_gain = 0, have_q = 0, have_bw = 0, have_slope = 0;
    double slope = 0.0;

    next(&L, &t);
    if (t.kind == T_NUM) { /* "LS 6dB": a slope right after the type */
        slope = t.value;
        have_slope = 1;
        next(&L, &t);
        if (!word_is(&t, "dB")) {
            msg *m = error(p);
            m_str(m, "expected 'dB' after the slope, found ");
            m_tok(m, &t);
            end(p);
            return;
        }
        next(&L, &t);
    }
    while (t.kind != T_END) {
        if (word_is(&t, "Fc")) {
            tok num;
            if (have_fc) {
                duplicate(p, "Fc");
                return;
            }
            if (!expect_number(p, &L, "Fc", "a frequency in Hz", &b.freq_hz, &num))
                return;
            have_fc = 1;
            if (rew_thousands(&num)) {
                b.freq_hz *= 1000.0;
                msg *m = warning(p);
                m_str(m, "Fc ");
                m_quote(m, num.s, num.n);
                m_str(m, " read as ");
                m_num(m, b.freq_hz);
                m_str(m, " Hz: a mark before exactly three digits is a thousands separator (as in Equalizer APO)");
                end(p);
            }
            next(&L, &t);
            if (word_is(&t, "Hz"))
                next(&L, &t);
        } else if (word_is(&t, "Gain")) {
            if (have_gain) {
                duplicate(p, "Gain");
                return;
            }
            if (!expect_number(p, &L, "Gain", "a value in dB", &b.gain_db, NULL))
                return;
            have_gain = 1;
            next(&L, &t);
            if (word_is(&t, "dB"))
                next(&L, &t);
        } else if (word_is(&t, "Q")) {
            if (have_q) {
                duplicate(p, "Q");
                return;
            }
            if (!expect_number(p, &L, "Q", "a number", &b.q, NULL))
                return;
            have_q = 1;
            next(&L, &t);
        } else if (word_is(&t, "BW")) {
            if (have_bw) {
                duplicate(p, "BW Oct");
                return;
            }
            next(&L, &t);
            if (!word_is(&t, "Oct")) {
                msg *m = error(p);
                m_str(m, "expected 'Oct' after 'BW' (the bandwidth is given in octaves), found ");
                m_tok(m, &t);
                end(p);
                return;
            }
            if (!expect_number(p, &L, "BW Oct", "a bandwidth in octaves", &b.bw_oct, NULL))
                return;
            have_bw = 1;
            next(&L, &t);
        } else {
            msg *m = error(p);
            m_str(m, "unexpected ");
            m_tok(m, &t);
            m_str(m, " in a ");
            m_str(m, tname);
            m_str(m, " filter (expected Fc, Gain, Q or BW Oct)");
            end(p);
            return;
        }
    }

    /* Values ignored the way Equalizer APO ignores them. */
    if (have_bw && is_shelf(b.type)) {
        msg *m = warning(p);
        m_str(m, "BW Oct is ignored on a ");
        m_str(m, tname);
        m_str(m, " shelf (give Q or a slope)");
        end(p);
        have_bw = 0;
        b.bw_oct = 0.0;
    }
    if (have_slope && !is_shelf(b.type)) {
        msg *m = warning(p);
        m_str(m, "a slope applies to shelf filters only; ignored on ");
        m_str(m, tname);
        end(p);
        have_slope = 0;
        slope = 0.0;
    }
    if (!uses_gain(b.type))
        b.gain_db = 0.0; /* LP, HP, BP, NO, AP have no gain */

    msg *m;
    const char *why;
    hpa_eq_doc *d = p->doc;
    if (!have_fc) {
        m = error(p);
        m_str(m, "no 'Fc <frequency> Hz'");
        goto fail;
    }
    if (!have_gain && uses_gain(b.type)) {
        m = error(p);
        m_str(m, "no 'Gain <gain> dB' (a ");
        m_str(m, tname);
        m_str(m, " filter needs one)");
        goto fail;
    }
    if (have_q + have_bw + have_slope > 1) {
        m = error(p);
        m_str(m, "give only one of Q, BW Oct and a slope");
        goto fail;
    }
    if (!isfinite(b.freq_hz)) {
        m = error(p);
        m_str(m, "Fc is not a finite number");
        goto fail;
    }
    if (b.freq_hz <= 0.0) {
        m = error(p);
        m_str(m, "Fc must be > 0 Hz (got ");
        m_num(m, b.freq_hz);
        m_str(m, ")");
        goto fail;
    }
    if (b.freq_hz < HPA_EQ_FREQ_MIN_HZ) {
        m = error(p);
        m_str(m, "Fc ");
        m_num(m, b.freq_hz);
        m_str(m, " Hz is below the lowest supported frequency, 0.1 Hz");
        goto fail;
    }
    if (p->rate_hz > 0.0 && b.freq_hz >= 0.5 * p->rate_hz) {
        m = error(p);
        m_str(m, "Fc ");
        m_num(m, b.freq_hz);
        m_str(m, " Hz is not below the Nyquist frequency (");
        m_num(m, 0.5 * p->rate_hz);
        m_str(m, " Hz at ");
        m_num(m, p->rate_hz);
        m_str(m, " Hz)");
        goto fail;
    }
    if (uses_gain(b.type) && !(fabs(b.gain_db) <= HPA_EQ_GAIN_MAX_DB)) {
        m = error(p);
        m_str(m, "gain ");
        m_num(m, b.gain_db);
        m_str(m, " dB is beyond +-");
        m_num(m, HPA_EQ_GAIN_MAX_DB);
        m_str(m, " dB");
        goto fail;
    }
    if (have_q && !(b.q > 0.0)) {
        m = error(p);
        m_str(m, "Q must be > 0 (got ");
        m_num(m, b.q);
        m_str(m, ")");
        goto fail;
    }
    if (have_q && !(b.q <= HPA_EQ_Q_MAX)) {
        m = error(p);
        m_str(m, "Q ");
        m_num(m, b.q);
        m_str(m, " is above ");
        m_num(m, HPA_EQ_Q_MAX);
        goto fail;
    }
    if (have_bw && !(b.bw_oct > 0.0)) {
        m = error(p);
        m_str(m, "BW Oct must be > 0 (got ");
        m_num(m, b.bw_oct);
        m_str(m, ")");
        goto fail;
    }
    if (have_bw && !(b.bw_oct <= HPA_EQ_BW_MAX_OCT)) {
        m = error(p);
        m_str(m, "BW Oct ");
        m_num(m, b.bw_oct);
        m_str(m, " is wider than ");
        m_num(m, HPA_EQ_BW_MAX_OCT);
        m_str(m, " octaves");
        goto fail;
    }
    if (have_slope && !(slope > 0.0 && isfinite(slope))) {
        m = error(p);
        m_str(m, "the slope must be > 0 dB per octave (got ");
        m_num(m, slope);
        m_str(m, ")");
        goto fail;
    }
    b.slope_db = have_slope ? slope : 0.0;
    if (!have_q && !have_bw && (b.type == HPA_EQ_PK || b.type == HPA_EQ_AP)) {
        m = error(p);
        m_str(m, "a ");
        m_str(m, tname);
        m_str(m, " filter needs 'Q <q>' or 'BW Oct <octaves>'");
        goto fail;
    }
    if (hpa_eq_band_check(&b, p->rate_hz > 0.0 ? p->rate_hz : 0.0, &why) != HPA_OK) {
        m = error(p);
        m_str(m, why);
        goto fail;
    }

    if (d->n_bands < d->bands_capacity) {
        d->bands[d->n_bands] = b;
        d->bands[d->n_bands].channel_mask = p->channel_mask;
        if (d->band_lines)
            d->band_lines[d->n_bands] = p->line;
    }
    d->n_bands++;
    return;
fail:
    end(p);
}

/* ------------------------------------------------------------------------ */
/* Preamp and GraphicEQ lines                                               */

static void parse_preamp(parser *p, const char *s, const char *e)
{
    lex L = {s, e};
    tok t, u;
    next(&L, &t);
    if (t.kind != T_NUM) {
        msg *m = error(p);
        m_str(m, "Preamp needs a gain in dB ('Preamp: -6.1 dB'), found ");
        m_tok(m, &t);
        end(p);
        return;
    }
    next(&L, &u);
    if (word_is(&u, "dB"))
        next(&L, &u);
    if (u.kind != T_END) {
        msg *m = error(p);
        m_str(m, "unexpected ");
        m_tok(m, &u);
        m_str(m, " after the preamp gain");
        end(p);
        return;
    }
    /* each line, and the sum of all: several Preamp lines add up (under a
     * Channel: selection, on those channels) */
    double sum = p->doc->preamp_db + t.value;
    for (unsigned c = 0; c < HPA_CHANNELS_MAX; c++)
        if (!p->channel_mask || (p->channel_mask & (1u << c))) {
            const double v = p->doc->preamp_db + p->doc->channel_preamp_db[c] + t.value;
            if (!(v >= HPA_EQ_PREAMP_MIN_DB && v <= HPA_EQ_PREAMP_MAX_DB))
                sum = v; /* a channel's lines add up past the range */
        }
    if (!(t.value >= HPA_EQ_PREAMP_MIN_DB && t.value <= HPA_EQ_PREAMP_MAX_DB) ||
        !(sum >= HPA_EQ_PREAMP_MIN_DB && sum <= HPA_EQ_PREAMP_MAX_DB)) {
        msg *m = error(p);
        m_str(m, "preamp ");
        m_num(m, t.value);
        if (t.value >= HPA_EQ_PREAMP_MIN_DB && t.value <= HPA_EQ_PREAMP_MAX_DB) {
            m_str(m, " dB makes the Preamp lines add up to ");
            m_num(m, sum);
        }
        m_str(m, " dB");
        m_outside(m, HPA_EQ_PREAMP_MIN_DB, HPA_EQ_PREAMP_MAX_DB, " dB");
        end(p);
        return;
    }
    if (!p->channel_mask)
        p->doc->preamp_db += t.value;
    for (unsigned c = 0; c < HPA_CHANNELS_MAX; c++)
        if (p->channel_mask & (1u << c))
            p->doc->channel_preamp_db[c] += t.value;
    p->doc->has_preamp = 1;
}

static void parse_graphic(parser *p, const char *s, const char *e)
{
    if (p->graphic_line) {
        msg *m = error(p);
        m_str(m, "a second GraphicEQ line (the first is line ");
        m_uint(m, p->graphic_line);
        m_str(m, ")");
        end(p);
        return;
    }
    p->graphic_line = p->line;
    p->doc->graphic_channel_mask = p->channel_mask;
    hpa_eq_doc *d = p->doc;
    d->has_graphic_eq = 1;
    lex L = {s, e};
    tok t;
    size_t k = 0; /* points read */
    double last_f = 0.0;
    for (;;) {
        next(&L, &t);
        if (t.kind == T_END)
            break;
        if (t.kind == T_PUNCT && *t.s == ';')
            continue; /* an empty entry, e.g. a trailing ';' */
        tok g = t;
        if (t.kind == T_NUM)
            next(&L, &g);
        if (t.kind != T_NUM || g.kind != T_NUM) {
            msg *m = error(p);
            m_str(m, "GraphicEQ point ");
            m_uint(m, k + 1);
            m_str(m, ": expected '<frequency> <gain>', found ");
            m_tok(m, t.kind != T_NUM ? &t : &g);
            end(p);
            return;
        }
        const double f = t.value, gain = g.value;
        k++;
        msg *m = NULL;
        if (!(f > 0.0) || !isfinite(f)) {
            m = error(p);
            m_str(m, "GraphicEQ point ");
            m_uint(m, k);
            m_str(m, ": frequency must be > 0 Hz (got ");
            m_num(m, f);
            m_str(m, ")");
        } else if (k > 1 && !(f > last_f)) {
            m = error(p);
            m_str(m, "GraphicEQ point ");
            m_uint(m, k);
            m_str(m, ": frequency ");
            m_num(m, f);
            m_str(m, " Hz is not above the previous one (");
            m_num(m, last_f);
            m_str(m, " Hz)");
        } else if (!(gain >= POINT_GAIN_MIN_DB && gain <= HPA_EQ_GAIN_MAX_DB)) {
            m = error(p);
            m_str(m, "GraphicEQ point ");
            m_uint(m, k);
            m_str(m, ": gain ");
            m_num(m, gain);
            m_str(m, " dB");
            m_outside(m, POINT_GAIN_MIN_DB, HPA_EQ_GAIN_MAX_DB, " dB");
        }
        if (m) {
            end(p);
            return;
        }
        last_f = f;
        if (d->n_points < d->points_capacity) {
            d->points[d->n_points].freq_hz = f;
            d->points[d->n_points].gain_db = gain;
        }
        d->n_points++;
        next(&L, &t);
        if (t.kind == T_END)
            break;
        if (!(t.kind == T_PUNCT && *t.s == ';')) {
            m = error(p);
            m_str(m, "GraphicEQ point ");
            m_uint(m, k);
            m_str(m, ": expected ';' between points, found ");
            m_tok(m, &t);
            end(p);
            return;
        }
    }
    if (k == 0) {
        m_str(error(p), "GraphicEQ line has no points");
        end(p);
    }
}

/* ------------------------------------------------------------------------ */
/* lines                                                                    */

static const char *const apo_commands[] = {
    "Device", "Include", "Copy", "Delay",    "Convolution",        "Stage",     "If",        "ElseIf",
    "Else",   "EndIf",   "Eval", "Loudness", "LoudnessCorrection", "VSTPlugin", "Crossfeed",
};

static void parse_line(parser *p, const char *s, const char *e)
{
    s = skip_space(s, e);
    if (s == e || *s == '#')
        return; /* blank or comment */
    const char *colon = memchr(s, ':', (size_t)(e - s));
    if (!colon) {
        msg *m = warning(p);
        m_str(m, "not a '<command>: <parameters>' line; skipped: ");
        m_quote(m, s, (size_t)(e - s));
        end(p);
        return;
    }
    const char *ce = colon; /* command = [s, ce) without trailing spaces */
    while (ce > s && (ce[-1] == ' ' || ce[-1] == '\t'))
        ce--;
    const size_t cn = (size_t)(ce - s);
    const char *rest = colon + 1;

    if (cn >= 6 && span_is(s, 6, "Filter")) {
        int numbered = 1; /* "Filter", "Filter 1", "Filter1" */
        for (size_t i = 6; i < cn; i++)
            if (!(is_digit((unsigned char)s[i]) || s[i] == ' ' || s[i] == '\t'))
                numbered = 0;
        if (numbered) {
            p->known_lines++;
            parse_filter(p, rest, e);
            return;
        }
    } else if (span_is(s, cn, "Preamp")) {
        p->known_lines++;
        parse_preamp(p, rest, e);
        return;
    } else if (span_is(s, cn, "GraphicEQ")) {
        p->known_lines++;
        parse_graphic(p, rest, e);
        return;
    } else if (span_is(s, cn, "Channel")) {
        parse_channel(p, rest, e);
        return;
    }
    msg *m = warning(p);
    for (size_t i = 0; i < sizeof apo_commands / sizeof apo_commands[0]; i++)
        if (span_is(s, cn, apo_commands[i])) {
            m_str(m, "Equalizer APO command ");
            m_quote(m, s, cn);
            m_str(m, " is not supported; line skipped");
            end(p);
            return;
        }
    m_str(m, "unknown line skipped: ");
    m_quote(m, s, (size_t)(e - s));
    end(p);
}

int hpa_eq_parse(const char *text, size_t len, double rate_hz, hpa_eq_doc *doc, hpa_eq_diags *diags)
{
    if (diags) {
        diags->count = diags->errors = diags->warnings = 0;
        if (diags->capacity > 0 && !diags->items)
            return HPA_ERR_INVALID_ARG;
    }
    if (!doc || (len > 0 && !text))
        return HPA_ERR_INVALID_ARG;
    if ((doc->bands_capacity > 0 && !doc->bands) || (doc->points_capacity > 0 && !doc->points))
        return HPA_ERR_INVALID_ARG;
    if (rate_hz != 0.0 && !(rate_hz >= (double)HPA_RATE_MIN_HZ && rate_hz <= (double)HPA_RATE_MAX_HZ))
        return HPA_ERR_RATE;
    doc->n_bands = doc->n_points = 0;
    doc->preamp_db = 0.0;
    doc->has_preamp = doc->has_graphic_eq = 0;
    memset(doc->channel_preamp_db, 0, sizeof doc->channel_preamp_db);
    doc->graphic_channel_mask = 0;

    parser p;
    memset(&p, 0, sizeof p);
    p.rate_hz = rate_hz;
    p.doc = doc;
    p.diags = diags;

    size_t i = 0;
    if (len >= 2 && (((unsigned char)text[0] == 0xFF && (unsigned char)text[1] == 0xFE) ||
                     ((unsigned char)text[0] == 0xFE && (unsigned char)text[1] == 0xFF))) {
        m_str(begin(&p, HPA_EQ_ERROR, 0), "the text is UTF-16; save it as UTF-8");
        end(&p);
        return HPA_ERR_INVALID_ARG;
    }
    if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB && (unsigned char)text[2] == 0xBF)
        i = 3; /* UTF-8 byte order mark */

    while (i < len) {
        size_t j = i;
        while (j < len && text[j] != '\n' && text[j] != '\r')
            j++;
        p.line++;
        parse_line(&p, text + i, text + j);
        if (j < len && text[j] == '\r' && j + 1 < len && text[j + 1] == '\n')
            j++;
        i = j + 1;
    }
    if (p.known_lines == 0 && p.errors == 0) {
        m_str(begin(&p, HPA_EQ_WARNING, 0), "no Preamp, Filter or GraphicEQ line found");
        end(&p);
    }
    if (p.errors > 0)
        return HPA_ERR_INVALID_ARG;
    if (doc->n_bands > doc->bands_capacity || doc->n_points > doc->points_capacity)
        return HPA_ERR_BUFFER_TOO_SMALL;
    return HPA_OK;
}
