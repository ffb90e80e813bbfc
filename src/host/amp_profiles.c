/* amp_profiles.c — devices.ini, the profiles `hpamp amp` follows (see <hpamp/host/amp.h>). */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hpamp/hpamp.h>
#include <hpamp/host/amp.h>

#define FILE_MAX (1u << 20)

int hph_amp_profiles_path(char *buf, size_t len)
{
    const char *x = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    int n;
    if (x && x[0] == '/')
        n = snprintf(buf, len, "%s/hpamp/devices.ini", x);
    else if (home && *home)
        n = snprintf(buf, len, "%s/.config/hpamp/devices.ini", home);
    else
        return -1;
    return n > 0 && (size_t)n < len ? 0 : -1;
}

typedef struct reader {
    hph_amp_profiles *ps;
    hph_warn_fn warn;
    void *user;
    const char *next;     /* the text left */
    int line;             /* the line last given to inih */
    hph_amp_profile *cur; /* the section being read, NULL before one or in a bad one */
    char section[128];    /* its name as inih gives it with each key */
    int in_section;       /* a [section] line was read */
    int section_line;     /* the line of the last [section] */
} reader;

static void bad_line(reader *r, const char *fmt, const char *a)
{
    char why[400];
    snprintf(why, sizeof why, fmt, a);
    char line[1600];
    snprintf(line, sizeof line, "%s:%d: %s", r->ps->path, r->line, why);
    if (r->warn)
        r->warn(r->user, line);
    r->ps->bad++;
}

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* inih's reader: one line at a time, so that the handler knows the line;
 * a line that is not INI at all is warned about here and given as blank */
static char *next_line(char *str, int num, void *stream)
{
    reader *r = stream;
    if (!r->next || !*r->next)
        return NULL;
    const char *nl = strchr(r->next, '\n');
    size_t len = nl ? (size_t)(nl - r->next) : strlen(r->next);
    r->line++;
    const char *t = skip_ws(r->next);
    size_t tl = len - (size_t)(t - r->next);
    while (tl && (t[tl - 1] == '\r' || t[tl - 1] == ' ' || t[tl - 1] == '\t'))
        tl--;
    int ok = tl == 0 || *t == '#' || *t == ';' || (*t == '[' && t[tl - 1] == ']') || (memchr(t, '=', tl) && *t != '=');
    if (len + 2 > (size_t)num) {
        bad_line(r, "a line longer than %s bytes (skipped)", "200");
        ok = 0;
    } else if (!ok) {
        char shown[120];
        snprintf(shown, sizeof shown, "%.*s", (int)(tl < 100 ? tl : 100), t);
        char esc[240];
        bad_line(r, "not KEY = VALUE, [SECTION] or a # comment: '%s' (skipped)",
                 hpa_escape_text(esc, sizeof esc, shown));
    }
    if (ok && tl && *t == '[')
        r->section_line = r->line;
    if (ok) {
        memcpy(str, r->next, len);
        str[len] = '\n';
        str[len + 1] = 0;
    } else {
        str[0] = '\n';
        str[1] = 0;
    }
    r->next += nl ? len + 1 : len;
    return str;
}

static int parse_db(const char *v, double lo, double hi, double *out)
{
    return hpa_parse_double(v, lo, hi, out);
}

/* a new section: inih (as Debian builds it) says so only by the name that
 * comes with the next key */
static void new_section(reader *r, const char *section)
{
    const int key_line = r->line;
    r->line = r->section_line; /* warnings name the [section] line */
    r->cur = NULL;
    r->in_section = 1;
    snprintf(r->section, sizeof r->section, "%s", section);
    int dup = 0;
    for (int i = 0; i < r->ps->n; i++)
        dup |= !strcmp(r->ps->p[i].name, section);
    if (dup) {
        bad_line(r, "[%s] again: this section is ignored (the first one counts)", section);
    } else if (r->ps->n >= HPH_AMP_PROFILES_MAX) {
        bad_line(r, "more than %s profiles: the rest are ignored", "64");
    } else if (strlen(section) >= sizeof r->cur->name) {
        bad_line(r, "a section name of 1..127 bytes%s", "");
    } else {
        r->cur = &r->ps->p[r->ps->n++];
        memset(r->cur, 0, sizeof *r->cur);
        snprintf(r->cur->name, sizeof r->cur->name, "%s", section);
        r->cur->line = r->section_line;
    }
    r->line = key_line;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    reader *r = user;
    if (*section && (!r->in_section || strcmp(section, r->section) != 0))
        new_section(r, section);
    hph_amp_profile *p = r->cur;
    if (!p) {
        if (!*section)
            bad_line(r, "'%s' before any [profile] section (skipped)", name);
        return 1;
    }
    char key[64], val[128];
    const char *k = NULL, *v = value;
    if (!strcmp(name, "node"))
        k = "node.name";
    else if (!strcmp(name, "usb") || !strcmp(name, "card") || !strcmp(name, "bluetooth"))
        k = name;
    else if (!strcmp(name, "match")) {
        const char *eq = strchr(value, '=');
        if (!eq || eq == value || eq[1] == 0) {
            bad_line(r, "match takes PROPERTY=VALUE, not '%s'", value);
            return 1;
        }
        snprintf(key, sizeof key, "%.*s", (int)(eq - value), value);
        char *e = key + strlen(key);
        while (e > key && (e[-1] == ' ' || e[-1] == '\t'))
            *--e = 0;
        k = key;
        v = skip_ws(eq + 1);
    }
    if (k) {
        if (p->n_match >= HPH_AMP_MATCH_MAX) {
            bad_line(r, "more than %s matches in one profile", "8");
            return 1;
        }
        if (!strcmp(k, "usb")) {
            char *end1 = NULL, *end2 = NULL;
            unsigned long vid = strtoul(v, &end1, 16), pid = 0;
            if (end1 != v && *end1 == ':')
                pid = strtoul(end1 + 1, &end2, 16);
            if (end1 == v || *end1 != ':' || !end2 || end2 == end1 + 1 || *end2 || vid > 0xffff || pid > 0xffff ||
                *v == '-' || end1[1] == '-') {
                bad_line(r, "usb takes VENDOR:PRODUCT in hex (152a:8750), not '%s'", v);
                return 1;
            }
            snprintf(val, sizeof val, "%04lx:%04lx", vid, pid);
            v = val;
        }
        snprintf(p->match_key[p->n_match], sizeof p->match_key[0], "%s", k);
        snprintf(p->match_val[p->n_match], sizeof p->match_val[0], "%s", v);
        p->n_match++;
        return 1;
    }
    if (!strcmp(name, "headphones") || !strcmp(name, "headphone"))
        snprintf(p->headphones, sizeof p->headphones, "%s", value);
    else if (!strcmp(name, "source"))
        snprintf(p->source, sizeof p->source, "%s", value);
    else if (!strcmp(name, "preset"))
        snprintf(p->preset, sizeof p->preset, "%s", value);
    else if (!strcmp(name, "eq"))
        snprintf(p->eq, sizeof p->eq, "%s", value);
    else if (!strcmp(name, "max-volume") || !strcmp(name, "max_volume")) {
        if (parse_db(value, -120.0, 0.0, &p->max_volume_db))
            bad_line(r, "max-volume takes -120..0 dBFS, not '%s'", value);
        else
            p->has_max_volume = 1;
    } else if (!strcmp(name, "volume")) {
        if (parse_db(value, -120.0, 0.0, &p->volume_db))
            bad_line(r, "volume takes -120..0 dBFS, not '%s'", value);
        else
            p->has_volume = 1;
    } else {
        bad_line(r,
                 "unknown key '%s' (node, usb, card, bluetooth, match, headphones, source, preset, eq, "
                 "max-volume, volume)",
                 name);
    }
    return 1;
}

/* the whole file, NUL-terminated (malloc'd), or NULL: *missing set when there is none */
static char *read_all(const char *path, int *missing, char *why, size_t why_len)
{
    *missing = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT)
            *missing = 1;
        else
            snprintf(why, why_len, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size > (off_t)FILE_MAX) {
        snprintf(why, why_len, "%s: %s", path, !S_ISREG(sb.st_mode) ? "not a regular file" : "larger than 1 MiB");
        close(fd);
        return NULL;
    }
    char *buf = malloc((size_t)sb.st_size + 1);
    size_t got = 0;
    while (buf && got < (size_t)sb.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (!buf) {
        snprintf(why, why_len, "out of memory");
        return NULL;
    }
    buf[got] = 0;
    return buf;
}

int hph_amp_profiles_load(hph_amp_profiles *ps, hph_warn_fn warn, void *user, char *why, size_t why_len)
{
    char path[sizeof ps->path];
    memset(ps, 0, sizeof *ps);
    if (hph_amp_profiles_path(path, sizeof path))
        return 0;
    snprintf(ps->path, sizeof ps->path, "%s", path);
    int missing;
    char *text = read_all(ps->path, &missing, why, why_len);
    if (!text)
        return missing ? 0 : -1;
    reader r = {.ps = ps, .warn = warn, .user = user, .next = text};
    ini_parse_stream(next_line, &r, handler, &r);
    free(text);
    return 0;
}

static int match_one(const hph_amp_profile *p, int i, const hph_amp_output *o)
{
    const char *k = p->match_key[i], *v = p->match_val[i];
    if (!strcmp(k, "usb")) {
        char have[32];
        const char *ven = o->kv[HPH_AMP_K_VENDOR], *pro = o->kv[HPH_AMP_K_PRODUCT];
        if (!*ven || !*pro)
            return 0;
        snprintf(have, sizeof have, "%04lx:%04lx", strtoul(ven, NULL, 0), strtoul(pro, NULL, 0));
        return !strcasecmp(have, v);
    }
    if (!strcmp(k, "card"))
        return (*o->kv[HPH_AMP_K_ACARD] && !fnmatch(v, o->kv[HPH_AMP_K_ACARD], 0)) ||
               (*o->kv[HPH_AMP_K_CARD] && !fnmatch(v, o->kv[HPH_AMP_K_CARD], 0));
    if (!strcmp(k, "bluetooth"))
        return *o->kv[HPH_AMP_K_BT] && !strcasecmp(o->kv[HPH_AMP_K_BT], v);
    for (int j = 0; j < HPH_AMP_NKEYS; j++)
        if (!strcmp(k, hph_amp_key_names[j]))
            return *o->kv[j] && !fnmatch(v, o->kv[j], 0);
    return 0; /* a property the amp does not read */
}

const hph_amp_profile *hph_amp_profiles_match(const hph_amp_profiles *ps, const hph_amp_output *o)
{
    for (int i = 0; i < ps->n; i++) {
        const hph_amp_profile *p = &ps->p[i];
        int ok = p->n_match > 0;
        for (int m = 0; m < p->n_match && ok; m++)
            ok = match_one(p, m, o);
        if (ok)
            return p;
    }
    return NULL;
}

/* the new file's text, grown as it is written; failed once out of memory */
typedef struct textbuf {
    char *s;
    size_t len, cap;
    int failed;
} textbuf;

static void put(textbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(textbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->failed || n < 0)
        return;
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 4096) + (size_t)n;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->failed = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void put_section(textbuf *f, const hph_amp_profile *p)
{
    put(f, "[%s]\n", p->name);
    for (int i = 0; i < p->n_match; i++) {
        const char *k = p->match_key[i];
        if (!strcmp(k, "node.name"))
            put(f, "node = %s\n", p->match_val[i]);
        else if (!strcmp(k, "usb") || !strcmp(k, "card") || !strcmp(k, "bluetooth"))
            put(f, "%s = %s\n", k, p->match_val[i]);
        else
            put(f, "match = %s=%s\n", k, p->match_val[i]);
    }
    if (*p->headphones)
        put(f, "headphones = %s\n", p->headphones);
    if (*p->source)
        put(f, "source = %s\n", p->source);
    if (*p->preset)
        put(f, "preset = %s\n", p->preset);
    if (*p->eq)
        put(f, "eq = %s\n", p->eq);
    if (p->has_max_volume)
        put(f, "max-volume = %.2f\n", p->max_volume_db);
    if (p->has_volume)
        put(f, "volume = %.2f\n", p->volume_db);
}

/* all of len bytes to fd; 0 or -1 (errno) */
static int write_all(int fd, const char *s, size_t len)
{
    while (len) {
        ssize_t n = write(fd, s, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        s += n;
        len -= (size_t)n;
    }
    return 0;
}

/* 1 when line (not NUL-terminated, len bytes) is the header [name] */
static int is_header(const char *line, size_t len, const char *name)
{
    const char *t = skip_ws(line);
    len -= (size_t)(t - line);
    while (len && (t[len - 1] == ' ' || t[len - 1] == '\t' || t[len - 1] == '\r'))
        len--;
    if (len < 2 || t[0] != '[' || t[len - 1] != ']')
        return 0;
    if (!name)
        return 1;
    /* inih trims the name */
    const char *s = t + 1;
    size_t n = len - 2;
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n == strlen(name) && !memcmp(s, name, n);
}

int hph_amp_profiles_write(const hph_amp_profiles *ps, const hph_amp_profile *p, char *why, size_t why_len)
{
    char path[sizeof ps->path];
    if (hph_amp_profiles_path(path, sizeof path)) {
        snprintf(why, why_len, "neither XDG_CONFIG_HOME nor HOME is set");
        return -1;
    }
    int missing;
    char *text = read_all(path, &missing, why, why_len);
    if (!text && !missing)
        return -1;
    /* the folder */
    char dir[sizeof path];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = 0;
    char parent[sizeof path];
    snprintf(parent, sizeof parent, "%s", dir);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = 0;
        mkdir(parent, 0700);
    }
    if (mkdir(dir, 0700) && errno != EEXIST) {
        snprintf(why, why_len, "%s: %s", dir, strerror(errno));
        free(text);
        return -1;
    }
    char tmp[sizeof path + 32];
    snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path);
    (void)ps;
    /* the old text without the section named p->name, then the section */
    textbuf out = {0};
    int skipping = 0;
    for (const char *s = text; s && *s;) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        if (is_header(s, len, NULL))
            skipping = is_header(s, len, p->name);
        if (!skipping)
            put(&out, "%.*s\n", (int)len, s);
        s = nl ? nl + 1 : NULL;
    }
    if (text && *text)
        put(&out, "\n");
    put_section(&out, p);
    free(text);
    if (out.failed) {
        snprintf(why, why_len, "out of memory");
        free(out.s);
        return -1;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(why, why_len, "%s: %s", dir, strerror(errno));
        free(out.s);
        return -1;
    }
    int bad = write_all(fd, out.s ? out.s : "", out.len) != 0 || fsync(fd) != 0;
    int saved = errno;
    bad |= close(fd) != 0;
    free(out.s);
    if (bad || rename(tmp, path) != 0) {
        snprintf(why, why_len, "%s: %s", path, strerror(bad ? saved : errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}
