/* preset.c — headphone presets: parsing (inih), lookup, `hpamp preset`. */
#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <hpamp/chain.h>
#include <hpamp/eq.h>

#include "cli.h"
#include "preset.h"
#include "preset_export.h"
#include "term.h"

/* Built-in presets.  hd600: AutoEq's ParametricEQ.txt for it, line for line
 * (Jaakko Pasanen, MIT licence; the file in tests/eq/data/sennheiser-hd-600,
 * commit 71532835 of AutoEq's results). */
static const struct {
    const char *name, *text;
} builtins[] = {
    {"crossfeed", "[preset]\ntitle = Gentle crossfeed for any headphone\n"
                  "[crossfeed]\npreset = default\n[limiter]\nceiling_dbtp = -1\n"},
    {"speakers", "[preset]\ntitle = Strong crossfeed: nearer to speakers in a room\n"
                 "[crossfeed]\npreset = jmeier\n[limiter]\nceiling_dbtp = -1\n"},
    {"night", "[preset]\ntitle = Quiet listening: -23 LUFS, -3 dBTP, volume at most -10 dB\n"
              "[normalize]\ntarget_lufs = -23\n[limiter]\nceiling_dbtp = -3\n[volume]\nmax_db = -10\n"},
    {"hd600", "[preset]\ntitle = Sennheiser HD 600 (AutoEq, oratory1990 measurements)\n"
              "[eq]\npreamp = -6.3\n"
              "filter = ON LSC Fc 105 Hz Gain 6.5 dB Q 0.70\n"
              "filter = ON PK Fc 125 Hz Gain -2.7 dB Q 0.55\n"
              "filter = ON PK Fc 8445 Hz Gain 3.3 dB Q 1.61\n"
              "filter = ON PK Fc 522 Hz Gain 0.7 dB Q 1.02\n"
              "filter = ON PK Fc 1298 Hz Gain -1.2 dB Q 2.14\n"
              "filter = ON HSC Fc 10000 Hz Gain -3.1 dB Q 0.70\n"
              "filter = ON PK Fc 3158 Hz Gain -1.8 dB Q 3.67\n"
              "filter = ON PK Fc 2166 Hz Gain 0.9 dB Q 3.32\n"
              "filter = ON PK Fc 6639 Hz Gain 2.2 dB Q 5.82\n"
              "filter = ON PK Fc 5434 Hz Gain -1.2 dB Q 5.70\n"
              "[crossfeed]\npreset = default\n[limiter]\nceiling_dbtp = -1\n"},
};
#define N_BUILTINS (sizeof builtins / sizeof builtins[0])

/* The longest line inih reads whole: it reads into INI_MAX_LINE bytes, the
 * newline and the NUL included, and a longer line would come out split in
 * two lines (the second a line of its own), so longer ones are refused. */
#define PRESET_LINE_MAX (INI_MAX_LINE - 2)

typedef struct parse_ctx {
    hpa_preset *p;
    const char *dir;
    char why[200];
    int bad;      /* a reason is set */
    int bad_line; /* ... found on this line */
    double fcut, feed;
    int have_fcut, have_feed;
    /* the reader: the text left, the line it gave inih last, a line too long */
    const char *next;
    int line, long_line;
    size_t long_len;
} parse_ctx;

/* the first reason, with the line it is on; quoted user text escaped
 * (hpa_cli_escape: no control character in a reason) */
static int fail(parse_ctx *c, const char *fmt, const char *a, const char *b)
{
    if (!c->bad) {
        char raw[sizeof c->why];
        snprintf(raw, sizeof raw, fmt, a, b);
        hpa_cli_escape(c->why, sizeof c->why, raw);
        c->bad = 1;
        c->bad_line = c->line;
    }
    return 0;
}

static int number(parse_ctx *c, const char *name, const char *value, double lo, double hi, double *out)
{
    if (hpa_parse_double(value, lo, hi, out)) {
        char range[64];
        hpa_cli_range_text(lo, hi, "", range, sizeof range);
        char v[64];
        snprintf(v, sizeof v, "%.60s", value);
        char msg[sizeof c->why];
        snprintf(msg, sizeof msg, "%s: '%s' is not a number in %s", name, v, range);
        return fail(c, "%s%s", msg, "");
    }
    return 1;
}

/* a key that sets a live parameter: the table's range (params.h) */
static int param(parse_ctx *c, const char *name, const char *value, int id, double *out)
{
    const hpa_param_info *info = hpa_param_info_get(id);
    return number(c, name, value, info->min_value, info->max_value, out);
}

static int append_eq(parse_ctx *c, const char *prefix, const char *value)
{
    hpa_preset *p = c->p;
    int n = snprintf(p->eq_text + p->eq_len, sizeof p->eq_text - p->eq_len, "%s%s\n", prefix, value);
    if (n < 0 || (size_t)n >= sizeof p->eq_text - p->eq_len)
        return fail(c, "[eq] holds more text than a preset may (%s%s)", "64 KB", "");
    /* check the line on its own so that an error names this line of the preset */
    hpa_eq_diag d[1];
    hpa_eq_diags diags = {d, 1, 0, 0, 0};
    hpa_eq_band band[1];
    hpa_eq_doc doc;
    memset(&doc, 0, sizeof doc);
    doc.bands = band;
    doc.bands_capacity = 1;
    if (hpa_eq_parse(p->eq_text + p->eq_len, (size_t)n, 0.0, &doc, &diags) != HPA_OK || diags.warnings)
        return fail(c, "[eq] %s: %s", prefix[0] == 'F' ? "filter" : "preamp",
                    diags.count ? d[0].message : "not understood");
    p->eq_len += (size_t)n;
    return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    parse_ctx *c = user;
    hpa_preset *p = c->p;
    if (c->bad)
        return 0;
    if (!strcmp(section, "preset")) {
        if (!strcmp(name, "title")) {
            snprintf(p->title, sizeof p->title, "%s", value);
            return 1;
        }
    } else if (!strcmp(section, "eq")) {
        if (!strcmp(name, "file")) {
            if (!*value)
                return fail(c, "[eq] file is empty%s%s", "", "");
            int n = (value[0] == '/' || !c->dir) ? snprintf(p->eq_file, sizeof p->eq_file, "%s", value)
                                                 : snprintf(p->eq_file, sizeof p->eq_file, "%s/%s", c->dir, value);
            if (n < 0 || (size_t)n >= sizeof p->eq_file)
                return fail(c, "[eq] file: the path is too long%s%s", "", "");
            return 1;
        }
        if (!strcmp(name, "filter"))
            return append_eq(c, "Filter: ", value);
        if (!strcmp(name, "preamp")) {
            char line[128];
            snprintf(line, sizeof line, "%.60s dB", value);
            double v;
            if (!number(c, "[eq] preamp", value, HPA_EQ_PREAMP_MIN_DB, HPA_EQ_PREAMP_MAX_DB, &v))
                return 0;
            return append_eq(c, "Preamp: ", line);
        }
    } else if (!strcmp(section, "crossfeed")) {
        if (!strcmp(name, "preset")) {
            const hpa_crossfeed_preset *x = hpa_crossfeed_preset_find(value);
            if (!x)
                return fail(c, "[crossfeed] preset: '%.40s' is not default, cmoy or jmeier%s", value, "");
            p->has_crossfeed = 1;
            p->crossfeed_name = x->name;
            p->fcut_hz = x->fcut_hz;
            p->feed_db = x->feed_db;
            return 1;
        }
        if (!strcmp(name, "fcut_hz"))
            return (c->have_fcut = param(c, "[crossfeed] fcut_hz", value, HPA_PARAM_CROSSFEED_FCUT_HZ, &c->fcut));
        if (!strcmp(name, "feed_db"))
            return (c->have_feed = param(c, "[crossfeed] feed_db", value, HPA_PARAM_CROSSFEED_FEED_DB, &c->feed));
    } else if (!strcmp(section, "limiter")) {
        if (!strcmp(name, "ceiling_dbtp"))
            return (p->has_limit = param(c, "[limiter] ceiling_dbtp", value, HPA_PARAM_LIMITER_CEILING_DBTP,
                                         &p->limit_dbtp));
    } else if (!strcmp(section, "normalize")) {
        if (!strcmp(name, "target_lufs"))
            return (p->has_normalize = number(c, "[normalize] target_lufs", value, -70.0, 0.0, &p->normalize_lufs));
    } else if (!strcmp(section, "volume")) {
        if (!strcmp(name, "max_db"))
            return (p->has_max_volume = param(c, "[volume] max_db", value, HPA_PARAM_VOLUME_DB, &p->max_volume_db));
    } else if (!*section) {
        return fail(c, "'%.40s' comes before any [section]%s", name, "");
    } else {
        return fail(c, "unknown section [%.40s]%s", section, "");
    }
    return fail(c, "unknown key '%.40s' in [%.40s]", name, section);
}

/* inih's reader: the next line into str (num bytes), its "\r\n" or "\n"
 * given as "\n"; a line that does not fit ends the text, marked too long */
static char *next_line(char *str, int num, void *stream)
{
    parse_ctx *c = stream;
    if (!*c->next || c->long_line)
        return NULL;
    const char *nl = strchr(c->next, '\n');
    size_t len = nl ? (size_t)(nl - c->next) : strlen(c->next);
    size_t text = len && c->next[len - 1] == '\r' ? len - 1 : len;
    c->line++;
    if (text > PRESET_LINE_MAX || text + 2 > (size_t)num) {
        c->long_line = c->line;
        c->long_len = text;
        return NULL;
    }
    memcpy(str, c->next, text);
    str[text] = '\n';
    str[text + 1] = 0;
    c->next += nl ? len + 1 : len;
    return str;
}

/* why inih refused line n of text (not the handler: the line's form) */
static void form_error(const char *text, int n, char *why, size_t why_len)
{
    for (int i = 1; i < n && text; i++) {
        text = strchr(text, '\n');
        text = text ? text + 1 : NULL;
    }
    while (text && (*text == ' ' || *text == '\t'))
        text++;
    if (text && *text == '[')
        snprintf(why, why_len, "a [section] line without its closing ']'");
    else
        snprintf(why, why_len, "not an INI line (KEY = VALUE, [SECTION] or # comment)");
}

int hpa_preset_parse(const char *text, const char *dir, hpa_preset *p, char *why, size_t why_len)
{
    memset(p, 0, sizeof *p);
    parse_ctx c;
    memset(&c, 0, sizeof c);
    c.p = p;
    c.dir = dir;
    c.next = text;
    int line = ini_parse_stream(next_line, &c, handler, &c);
    if (line == 0 && c.long_line) {
        snprintf(why, why_len, "the line is %zu bytes long; a preset line holds at most %d", c.long_len,
                 PRESET_LINE_MAX);
        return c.long_line;
    }
    if (line == 0 && (c.have_fcut || c.have_feed)) {
        if (p->has_crossfeed || !(c.have_fcut && c.have_feed)) {
            snprintf(why, why_len, "[crossfeed] takes either preset or both fcut_hz and feed_db");
            return -1;
        }
        p->has_crossfeed = 1;
        p->crossfeed_name = NULL;
        p->fcut_hz = c.fcut;
        p->feed_db = c.feed;
    }
    if (line < 0) {
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    if (line > 0) {
        /* the first error: the handler's, or the form of an earlier line */
        if (c.bad && c.bad_line == line)
            snprintf(why, why_len, "%s", c.why);
        else
            form_error(text, line, why, why_len);
        return line;
    }
    if (p->eq_file[0] && p->eq_len) {
        snprintf(why, why_len, "[eq] takes a file or filter lines, not both");
        return -1;
    }
    return 0;
}

static void user_dir(char *out, size_t len)
{
    const char *x = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    if (x && x[0] == '/')
        snprintf(out, len, "%s/hpamp/presets", x);
    else if (home && *home)
        snprintf(out, len, "%s/.config/hpamp/presets", home);
    else
        out[0] = 0;
}

static int valid_name(const char *name)
{
    if (!name || !*name || strlen(name) > 100 || name[0] == '.')
        return 0;
    for (const char *s = name; *s; s++)
        if (*s == '/')
            return 0;
    return 1;
}

/* read a whole small text file; NULL on error (errno set) */
static char *read_small(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    int bad = !buf || ferror(f) || !feof(f);
    fclose(f);
    if (bad) {
        free(buf);
        errno = errno ? errno : EFBIG;
        return NULL;
    }
    buf[n] = 0;
    return buf;
}

int hpa_preset_load(const char *name, hpa_preset *p, char *origin, size_t origin_len)
{
    char why[256];
    if (!valid_name(name)) {
        hpa_cli_error("preset: '%s' is not a preset name (see hpamp preset list)", name ? name : "");
        return 1;
    }
    char dir[HPA_PRESET_PATH_MAX], path[HPA_PRESET_PATH_MAX + 128];
    user_dir(dir, sizeof dir);
    if (dir[0]) {
        snprintf(path, sizeof path, "%s/%s.ini", dir, name);
        char *text = read_small(path);
        if (text) {
            int line = hpa_preset_parse(text, dir, p, why, sizeof why);
            free(text);
            if (line > 0) {
                hpa_cli_error("%s:%d: %s", path, line, why);
                return 1;
            }
            if (line < 0) {
                hpa_cli_error("%s: %s", path, why);
                return 1;
            }
            snprintf(origin, origin_len, "%s", path);
            return 0;
        }
        if (errno != ENOENT) {
            hpa_cli_error("%s: %s", path, strerror(errno));
            return 1;
        }
    }
    for (size_t i = 0; i < N_BUILTINS; i++)
        if (!strcmp(builtins[i].name, name)) {
            int line = hpa_preset_parse(builtins[i].text, NULL, p, why, sizeof why);
            if (line) { /* cannot happen: tests parse every built-in */
                hpa_cli_error("built-in preset %s:%d: %s", name, line, why);
                return 1;
            }
            snprintf(origin, origin_len, "built-in");
            return 0;
        }
    hpa_cli_error("preset: no preset named '%s' (see hpamp preset list)", name);
    return 1;
}

static void usage(FILE *f)
{
    fputs("Usage: hpamp preset list\n"
          "       hpamp preset show NAME\n"
          "       hpamp preset export NAME --filter-chain | --lv2\n"
          "\n"
          "Headphone presets for `hpamp render --preset NAME`: EQ (AutoEq or Equalizer\n"
          "APO lines, or a file), crossfeed, limiter, loudness normalisation and a volume\n"
          "ceiling, one INI file per headphone.  Built-in presets, plus yours in\n"
          "$XDG_CONFIG_HOME/hpamp/presets/NAME.ini (~/.config/hpamp/presets); yours\n"
          "replace a built-in of the same name.\n"
          "\n"
          "  list        the presets, where each comes from, and its title\n"
          "  show NAME   the preset's text and what it sets\n"
          "  export NAME for hpamp.lv2: a PipeWire filter-chain, or an LV2 preset\n"
          "  -h, --help  show this help\n",
          f);
}

static void describe(const hpa_preset *p)
{
    if (p->eq_file[0])
        printf("  eq         file %s\n", p->eq_file);
    else if (p->eq_len) {
        size_t lines = 0;
        for (size_t i = 0; i < p->eq_len; i++)
            lines += p->eq_text[i] == '\n';
        printf("  eq         %zu line%s of Equalizer APO text (Preamp, Filter)\n", lines, lines == 1 ? "" : "s");
    }
    if (p->has_crossfeed)
        printf("  crossfeed  %s%s%.0f Hz, %.1f dB\n", p->crossfeed_name ? p->crossfeed_name : "",
               p->crossfeed_name ? ": " : "", p->fcut_hz, p->feed_db);
    if (p->has_limit)
        printf("  limiter    %.2f dBTP\n", p->limit_dbtp);
    if (p->has_normalize)
        printf("  normalize  %.1f LUFS\n", p->normalize_lufs);
    if (p->has_max_volume)
        printf("  volume     at most %+.1f dB\n", p->max_volume_db);
}

int hpa_cmd_preset(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    if (!strcmp(argv[1], "export"))
        return hpa_preset_export(argc, argv);
    for (int i = 2; i < argc; i++) /* preset list --help, preset show --help: the one help */
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        }
    char dir[HPA_PRESET_PATH_MAX];
    user_dir(dir, sizeof dir);
    if (!strcmp(argv[1], "list")) {
        if (argc > 2) {
            hpa_cli_error("preset list: unexpected '%s'", argv[2]);
            return EXIT_USAGE;
        }
        /* the user's files, then the built-ins they do not replace */
        char names[256][104];
        size_t n_user = 0;
        DIR *d = dir[0] ? opendir(dir) : NULL;
        if (d) {
            struct dirent *e;
            while ((e = readdir(d)) && n_user < 256) {
                size_t len = strlen(e->d_name);
                if (len > 4 && len < 104 && !strcmp(e->d_name + len - 4, ".ini") && e->d_name[0] != '.') {
                    memcpy(names[n_user], e->d_name, len - 4);
                    names[n_user][len - 4] = 0;
                    n_user++;
                }
            }
            closedir(d);
        }
        qsort(names, n_user, sizeof names[0], (int (*)(const void *, const void *))strcmp);
        int rc = 0;
        for (size_t i = 0; i < n_user; i++) {
            hpa_preset *p = malloc(sizeof *p);
            char origin[HPA_PRESET_PATH_MAX + 128];
            if (!p)
                return 1;
            if (hpa_preset_load(names[i], p, origin, sizeof origin) == 0)
                printf("%-16s %-8s %s\n", names[i], "user", p->title);
            else
                rc = 1;
            free(p);
        }
        for (size_t b = 0; b < N_BUILTINS; b++) {
            int replaced = 0;
            for (size_t i = 0; i < n_user; i++)
                replaced |= !strcmp(names[i], builtins[b].name);
            if (replaced)
                continue;
            hpa_preset *p = malloc(sizeof *p);
            char why[256];
            if (!p)
                return 1;
            hpa_preset_parse(builtins[b].text, NULL, p, why, sizeof why);
            printf("%-16s %-8s %s\n", builtins[b].name, "built-in", p->title);
            free(p);
        }
        return rc;
    }
    if (!strcmp(argv[1], "show")) {
        if (argc != 3) {
            hpa_cli_error("preset show: needs one NAME (see hpamp preset list)");
            return EXIT_USAGE;
        }
        hpa_preset *p = malloc(sizeof *p);
        char origin[HPA_PRESET_PATH_MAX + 128];
        if (!p)
            return 1;
        if (hpa_preset_load(argv[2], p, origin, sizeof origin)) {
            free(p);
            return 1;
        }
        printf("%s (%s)%s%s\n", argv[2], origin, p->title[0] ? ": " : "", p->title);
        describe(p);
        printf("\n");
        if (!strcmp(origin, "built-in")) {
            for (size_t b = 0; b < N_BUILTINS; b++)
                if (!strcmp(builtins[b].name, argv[2]))
                    fputs(builtins[b].text, stdout);
        } else {
            char *text = read_small(origin);
            if (text)
                fputs(text, stdout);
            free(text);
        }
        free(p);
        return 0;
    }
    hpa_cli_error("preset: unknown command '%s' (list, show or export)", argv[1]);
    return EXIT_USAGE;
}
