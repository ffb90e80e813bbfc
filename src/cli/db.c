/* db.c — `hpamp db list|search|show`: the headphone and source database.
 *
 * The built-in entries come from the library; the user's own files are read
 * here (the library never reads files) and passed to it as text. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hpamp/db.h>
#include <hpamp/host/gear.h>

#include "cli.h"
#include "dbfiles.h"
#include "term.h"

/* the host library's warnings about the user's files, printed */
void hpc_warn_line(void *user, const char *message)
{
    (void)user;
    hpc_warn("%s", message);
}

int hpc_db_open(hpa_db **out)
{
    int err = hph_gear_open(out, hpc_warn_line, NULL);
    if (err) {
        hpc_fail("database", "cannot load the database: %s", hpa_strerror(err));
        return -1;
    }
    return 0;
}

void hpc_db_name(const hpa_db *db, hpa_db_ref ref, char *buf, size_t len)
{
    hph_gear_name(db, ref, buf, len);
}

/* ------------------------------------------------------------------------ */
/* formatting                                                               */

/* shortest %g that reads back as v, without an exponent for ordinary sizes */
static const char *num(double v, char *buf, size_t len)
{
    int plain = fabs(v) >= 1e-4 && fabs(v) < 1e15;
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, len, "%.*g", p, v);
        if (strtod(buf, NULL) == v && !(plain && strchr(buf, 'e')))
            break;
    }
    return buf;
}

static void json_num(FILE *f, double v)
{
    char b[40];
    fputs(isfinite(v) ? num(v, b, sizeof b) : "null", f);
}

static void json_key_str(FILE *f, const char *key, const char *value)
{
    fprintf(f, ", \"%s\": ", key);
    hpc_json_string(f, value);
}

static void json_key_num(FILE *f, const char *key, double v)
{
    fprintf(f, ", \"%s\": ", key);
    json_num(f, v);
}

static void json_headphone(FILE *f, const hpa_db_headphone *h)
{
    fputs("{\"id\": ", f);
    hpc_json_string(f, h->id);
    json_key_str(f, "brand", h->brand);
    json_key_str(f, "model", h->model);
    json_key_str(f, "type", hpa_db_hp_type_name(h->type));
    json_key_str(f, "driver", hpa_db_driver_name(h->driver));
    json_key_str(f, "back", hpa_db_back_name(h->back));
    json_key_num(f, "impedance_ohm", h->impedance_ohm);
    json_key_num(f, "sensitivity_db_mw", h->sensitivity_db_mw);
    json_key_num(f, "sensitivity_db_v", h->sensitivity_db_v);
    json_key_num(f, "mv_for_94db", h->mv_for_94db);
    json_key_num(f, "impedance_peak_ohm", h->impedance_peak_ohm);
    json_key_num(f, "impedance_peak_hz", h->impedance_peak_hz);
    json_key_num(f, "max_input_mw", h->max_input_mw);
    json_key_num(f, "sensitivity_ref_hz", h->sensitivity_ref_hz);
    fprintf(f, ", \"active\": %s", h->active ? "true" : "false");
    json_key_str(f, "aliases", h->aliases);
    json_key_str(f, "source", h->source);
    json_key_str(f, "origin", h->origin);
    fprintf(f, ", \"line\": %u}", h->line);
}

static void json_source(FILE *f, const hpa_db_source *s)
{
    fputs("{\"id\": ", f);
    hpc_json_string(f, s->id);
    json_key_str(f, "brand", s->brand);
    json_key_str(f, "model", s->model);
    json_key_str(f, "kind", hpa_db_src_kind_name(s->kind));
    json_key_str(f, "output", hpa_db_output_name(s->output));
    json_key_num(f, "vout_max_rms_v", s->vout_max_rms_v);
    json_key_num(f, "vout_load_ohm", s->vout_load_ohm);
    json_key_num(f, "power_mw_32", s->power_mw_32);
    json_key_num(f, "power_mw_300", s->power_mw_300);
    json_key_num(f, "zout_ohm", s->zout_ohm);
    json_key_num(f, "imax_ma", s->imax_ma);
    json_key_str(f, "gain_settings", s->gain_settings);
    fputs(", \"gain_db\": [", f);
    for (unsigned i = 0; i < s->n_gains; i++) {
        if (i)
            fputs(", ", f);
        json_num(f, s->gain_db[i]);
    }
    fprintf(f, "], \"battery\": %s", s->battery < 0 ? "null" : s->battery ? "true" : "false");
    json_key_num(f, "battery_h", s->battery_h);
    json_key_num(f, "snr_db", s->snr_db);
    json_key_num(f, "sinad_db", s->sinad_db);
    json_key_num(f, "noise_uv", s->noise_uv);
    json_key_str(f, "mode_of", s->mode_of);
    json_key_num(f, "load_min_ohm", s->load_min_ohm);
    json_key_num(f, "load_max_ohm", s->load_max_ohm);
    json_key_str(f, "aliases", s->aliases);
    json_key_str(f, "source", s->source);
    json_key_str(f, "origin", s->origin);
    fprintf(f, ", \"line\": %u}", s->line);
}

static int json_answered; /* json_refs printed the answer */

/* {"headphones": [...], "sources": [...]} for the refs, keys for the kinds in the mask */
static void json_refs(FILE *f, const hpa_db *db, unsigned kinds, const hpa_db_ref *refs, size_t n)
{
    int first_key = 1;
    json_answered = 1;
    fputc('{', f);
    for (unsigned kind = HPA_DB_HEADPHONES; kind <= HPA_DB_SOURCES; kind <<= 1) {
        if (!(kinds & kind))
            continue;
        fprintf(f, "%s\"%s\": [", first_key ? "" : ", ", kind == HPA_DB_HEADPHONES ? "headphones" : "sources");
        first_key = 0;
        int first = 1;
        for (size_t i = 0; i < n; i++) {
            if ((unsigned)refs[i].kind != kind)
                continue;
            fputs(first ? "\n  " : ",\n  ", f);
            first = 0;
            if (kind == HPA_DB_HEADPHONES)
                json_headphone(f, hpa_db_headphone_at(db, refs[i].index));
            else
                json_source(f, hpa_db_source_at(db, refs[i].index));
        }
        fputs(first ? "]" : "\n]", f);
    }
    fputs("}\n", f);
}

/* display width of UTF-8 text (one column per character) */
static size_t width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

/* s padded or cut (with "...") to exactly w columns */
static void put_cell(FILE *f, const char *s, size_t w)
{
    size_t sw = width(s);
    if (sw <= w) {
        fprintf(f, "%s%*s", s, (int)(w - sw), "");
        return;
    }
    size_t cols = 0;
    const char *p = s;
    for (; *p && cols < w - 3; p++) {
        fputc(*p, f);
        if (((unsigned char)p[1] & 0xC0) != 0x80)
            cols++;
    }
    while (((unsigned char)*p & 0xC0) == 0x80) /* finish the character */
        fputc(*p++, f);
    fputs("...", f);
}

#define NAME_W 44

static void sensitivity_text(const hpa_db_headphone *h, char *buf, size_t len)
{
    char a[40];
    size_t n = 0;
    buf[0] = 0;
    if (isfinite(h->sensitivity_db_mw))
        n += (size_t)snprintf(buf + n, len - n, "%s dB/mW", num(h->sensitivity_db_mw, a, sizeof a));
    if (isfinite(h->sensitivity_db_v) && n < len)
        n += (size_t)snprintf(buf + n, len - n, "%s%s dB/V", n ? ", " : "", num(h->sensitivity_db_v, a, sizeof a));
    if (isfinite(h->mv_for_94db) && n < len)
        snprintf(buf + n, len - n, "%s%s mV@94dB", n ? ", " : "", num(h->mv_for_94db, a, sizeof a));
}

/* "300 ohm", or "-" when not known */
static void with_unit(char *buf, size_t len, double v, const char *unit)
{
    char a[40];
    if (isfinite(v))
        snprintf(buf, len, "%s %s", num(v, a, sizeof a), unit);
    else
        snprintf(buf, len, "-");
}

static void print_headphone_row(FILE *f, const hpa_db_headphone *h)
{
    char name[512], z[48], sens[160];
    snprintf(name, sizeof name, "%s%s%s", h->brand, *h->brand ? " " : "", h->model);
    with_unit(z, sizeof z, h->impedance_ohm, "ohm");
    sensitivity_text(h, sens, sizeof sens);
    fputs("  ", f);
    put_cell(f, name, NAME_W);
    fprintf(f, "  %-8s  %-13s  %-9s  %-30s  %s\n", hpa_db_hp_type_name(h->type),
            h->active ? "active" : hpa_db_driver_name(h->driver), z, *sens ? sens : "-", h->id);
}

static void print_source_row(FILE *f, const hpa_db_source *s)
{
    char name[512], v[48], p[48], z[48];
    snprintf(name, sizeof name, "%s%s%s", s->brand, *s->brand ? " " : "", s->model);
    with_unit(v, sizeof v, s->vout_max_rms_v, "V");
    with_unit(p, sizeof p, s->power_mw_32, "mW@32");
    with_unit(z, sizeof z, s->zout_ohm, "ohm");
    fputs("  ", f);
    put_cell(f, name, NAME_W);
    fprintf(f, "  %-12s  %-3s  %-8s  %-12s  %-9s  %s\n", hpa_db_src_kind_name(s->kind), hpa_db_output_name(s->output),
            v, p, z, s->id);
}

/* the tables of the kinds in the mask; with skip_empty, a table without rows is left out */
static void print_table(FILE *f, const hpa_db *db, unsigned kinds, const hpa_db_ref *refs, size_t n, int skip_empty)
{
    size_t n_hp = 0, n_src = 0;
    for (size_t i = 0; i < n; i++)
        *(refs[i].kind == HPA_DB_HEADPHONES ? &n_hp : &n_src) += 1;
    if (skip_empty && !n_hp)
        kinds &= ~(unsigned)HPA_DB_HEADPHONES;
    if (skip_empty && !n_src)
        kinds &= ~(unsigned)HPA_DB_SOURCES;
    if (kinds & HPA_DB_HEADPHONES) {
        fprintf(f, "Headphones (%zu)\n", n_hp);
        if (n_hp) {
            fputs("  ", f);
            put_cell(f, "NAME", NAME_W);
            fprintf(f, "  %-8s  %-13s  %-9s  %-30s  %s\n", "TYPE", "DRIVER", "IMPEDANCE", "SENSITIVITY", "ID");
        }
        for (size_t i = 0; i < n; i++)
            if (refs[i].kind == HPA_DB_HEADPHONES)
                print_headphone_row(f, hpa_db_headphone_at(db, refs[i].index));
    }
    if (kinds & HPA_DB_SOURCES) {
        if (kinds & HPA_DB_HEADPHONES)
            fputc('\n', f);
        fprintf(f, "Sources (%zu)\n", n_src);
        if (n_src) {
            fputs("  ", f);
            put_cell(f, "NAME", NAME_W);
            fprintf(f, "  %-12s  %-3s  %-8s  %-12s  %-9s  %s\n", "KIND", "OUT", "VOUT MAX", "POWER @32", "ZOUT", "ID");
        }
        for (size_t i = 0; i < n; i++)
            if (refs[i].kind == HPA_DB_SOURCES)
                print_source_row(f, hpa_db_source_at(db, refs[i].index));
    }
}

/* "  label       value", the value wrapped at spaces to 100 columns */
static void fact(FILE *f, const char *label, const char *value)
{
    const size_t indent = 24, right = 100;
    fprintf(f, "  %-*s", (int)(indent - 2), label);
    size_t col = indent;
    const char *p = value;
    while (*p) {
        const char *e = p;
        while (*e && *e != ' ' && *e != '\n')
            e++;
        size_t ww = 0;
        for (const char *q = p; q < e; q++)
            ww += ((unsigned char)*q & 0xC0) != 0x80;
        if (col > indent && col + 1 + ww > right) {
            fprintf(f, "\n%*s", (int)indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', f);
            col++;
        }
        fwrite(p, 1, (size_t)(e - p), f);
        col += ww;
        p = e;
        while (*p == ' ')
            p++;
        if (*p == '\n') {
            p++;
            col = right; /* a line break in the text starts a new line */
        }
    }
    fputc('\n', f);
}

static void fact_num(FILE *f, const char *label, double v, const char *unit)
{
    char a[40], b[96];
    if (isfinite(v))
        snprintf(b, sizeof b, "%s %s", num(v, a, sizeof a), unit);
    else
        snprintf(b, sizeof b, "not known (%s)", unit);
    fact(f, label, b);
}

static void fact_text(FILE *f, const char *label, const char *v)
{
    fact(f, label, *v ? v : "not known");
}

static void fact_origin(FILE *f, const char *origin, unsigned line, const char *builtin_file)
{
    char b[4200];
    if (!strcmp(origin, "built-in"))
        snprintf(b, sizeof b, "built-in (%s, line %u)", builtin_file, line);
    else if (line)
        snprintf(b, sizeof b, "%s:%u", origin, line);
    else
        snprintf(b, sizeof b, "%s", origin);
    fact(f, "entry from", b);
}

static void show_headphone(FILE *f, const hpa_db_headphone *h)
{
    fprintf(f, "%s%s%s (headphone)\n", h->brand, *h->brand ? " " : "", h->model);
    fact(f, "id", h->id);
    fact_text(f, "brand", h->brand);
    fact(f, "model", h->model);
    fact_text(f, "type", hpa_db_hp_type_name(h->type));
    fact_text(f, "driver", hpa_db_driver_name(h->driver));
    fact_text(f, "back", hpa_db_back_name(h->back));
    fact_num(f, "impedance", h->impedance_ohm, "ohm, nominal");
    fact_num(f, "sensitivity", h->sensitivity_db_mw, "dB SPL/mW");
    fact_num(f, "sensitivity", h->sensitivity_db_v, "dB SPL/V");
    if (isfinite(h->sensitivity_ref_hz))
        fact_num(f, "  stated at", h->sensitivity_ref_hz, "Hz");
    fact_num(f, "level measured", h->mv_for_94db, "mV RMS for 94 dB SPL");
    fact_num(f, "impedance peak", h->impedance_peak_ohm, "ohm");
    fact_num(f, "impedance peak at", h->impedance_peak_hz, "Hz");
    fact_num(f, "power handling", h->max_input_mw, "mW");
    fact(f, "own amplifier", h->active ? "yes (noise-cancelling or powered: it drives itself)" : "no");
    if (*h->aliases)
        fact_text(f, "also called", h->aliases);
    fact_text(f, "source", h->source);
    fact_origin(f, h->origin, h->line, "data/headphones.csv");
}

static void show_source(FILE *f, const hpa_db_source *s)
{
    char g[600], a[40];
    fprintf(f, "%s%s%s (source, %s output)\n", s->brand, *s->brand ? " " : "", s->model,
            s->output == HPA_DB_OUTPUT_BAL ? "balanced" : "single-ended");
    fact(f, "id", s->id);
    fact_text(f, "brand", s->brand);
    fact(f, "model", s->model);
    fact_text(f, "kind", hpa_db_src_kind_name(s->kind));
    fact(f, "output", s->output == HPA_DB_OUTPUT_BAL ? "bal (balanced)" : "se (single-ended)");
    fact_num(f, "max output voltage", s->vout_max_rms_v, "V RMS");
    fact_num(f, "  stated into", s->vout_load_ohm, "ohm");
    fact_num(f, "power into 32 ohm", s->power_mw_32, "mW");
    fact_num(f, "power into 300 ohm", s->power_mw_300, "mW");
    fact_num(f, "output impedance", s->zout_ohm, "ohm");
    fact_num(f, "current limit", s->imax_ma, "mA RMS");
    if (s->n_gains) {
        size_t n = (size_t)snprintf(g, sizeof g, "%s (", s->gain_settings);
        for (unsigned i = 0; i < s->n_gains && n < sizeof g; i++)
            n += (size_t)snprintf(g + n, sizeof g - n, "%s%s", i ? ", " : "", num(s->gain_db[i], a, sizeof a));
        if (n < sizeof g)
            snprintf(g + n, sizeof g - n, " dB)");
        fact(f, "gain settings", g);
    } else {
        fact_text(f, "gain settings", s->gain_settings);
    }
    fact(f, "battery", s->battery < 0 ? "not known" : s->battery ? "yes" : "no");
    fact_num(f, "battery life", s->battery_h, "h");
    fact_num(f, "SNR", s->snr_db, "dB");
    fact_num(f, "SINAD", s->sinad_db, "dB");
    fact_num(f, "output noise", s->noise_uv, "uV RMS, A-weighted");
    if (*s->mode_of)
        fact_text(f, "a mode of", s->mode_of);
    if (isfinite(s->load_min_ohm))
        fact_num(f, "  for loads from", s->load_min_ohm, "ohm");
    if (isfinite(s->load_max_ohm))
        fact_num(f, "  for loads below", s->load_max_ohm, "ohm");
    if (*s->aliases)
        fact_text(f, "also called", s->aliases);
    fact_text(f, "source", s->source);
    fact_origin(f, s->origin, s->line, "data/sources.csv");
}

/* ------------------------------------------------------------------------ */
/* subcommands                                                              */

static const char *const usage_db =
    "Usage: hpamp db list [--headphones|--sources] [--json]\n"
    "       hpamp db search TEXT... [--headphones|--sources] [--json]\n"
    "       hpamp db show NAME... [--json]\n"
    "\n"
    "The database of headphones and sources (phones, dongles, computer jacks,\n"
    "players, portable and desktop amplifiers), every fact with where it came from.\n"
    "\n"
    "  list    every entry\n"
    "  search  entries matching every word of TEXT: part of a name or id, or a\n"
    "          category (iem, planar, open, active, dongle, desktop-amp, bal, battery...)\n"
    "  show    every fact about one entry, with units and the source of each\n"
    "\n"
    "Names are forgiving: case, spaces and hyphens do not matter (hd600, HD-600 and\n"
    "'sennheiser hd 600' all find Sennheiser HD 600); a source's output may follow\n"
    "its name ('dawn pro bal'); words may come in any order, and a category counts\n"
    "as a word ('pixel dongle', 'apple usb-c us').\n"
    "\n"
    "Your own entries: $XDG_CONFIG_HOME/hpamp/headphones.csv and sources.csv\n"
    "(~/.config/hpamp/ by default), in the format of the built-in tables (see\n"
    "data/SOURCES.md: a header line naming the columns, brand and model required).\n"
    "An entry with a built-in entry's id replaces it.  Malformed lines are reported\n"
    "as warnings and skipped.\n"
    "\n"
    "Run 'hpamp db COMMAND --help' for a command's options.  With --json, a\n"
    "failure prints {\"error\": CODE, \"message\": the error line} on stdout (and\n"
    "\"candidates\": [{\"id\", \"name\"}] when a name is not found or ambiguous).\n"
    "Exit status: 0 found, 1 nothing found or no such entry, 2 usage error.\n";

static const char *const usage_list =
    "Usage: hpamp db list [--headphones|--sources] [--json]\n"
    "\n"
    "List every headphone and source in the database: built-in entries and yours.\n"
    "\n"
    "Options:\n"
    "      --headphones  headphones only\n"
    "      --sources     sources only\n"
    "      --json        one JSON object: {\"headphones\": [...], \"sources\": [...]},\n"
    "                    unknown numbers as null\n"
    "  -h, --help        show this help\n";

static const char *const usage_search =
    "Usage: hpamp db search TEXT... [--headphones|--sources] [--json]\n"
    "\n"
    "List the entries matching every word of TEXT.  A word matches when it is part\n"
    "of an entry's brand and model or id (case, spaces, hyphens and other\n"
    "punctuation do not matter: a TEXT without a letter or digit is refused),\n"
    "or names its category: over-ear, on-ear, iem, earbud; dynamic, planar, ba,\n"
    "hybrid; open, closed, semi; active (own amplifier); phone, dongle, laptop, dap,\n"
    "portable-amp, dac-amp, desktop-amp; se, bal; battery.\n"
    "\n"
    "Options:\n"
    "      --headphones  headphones only\n"
    "      --sources     sources only\n"
    "      --json        one JSON object: {\"headphones\": [...], \"sources\": [...]}\n"
    "  -h, --help        show this help\n"
    "\n"
    "Examples:\n"
    "  hpamp db search sennheiser iem\n"
    "  hpamp db search planar open\n"
    "  hpamp db search --sources battery\n"
    "\n"
    "Exit status: 0 something matched, 1 nothing did, 2 usage error.\n";

static const char *const usage_show =
    "Usage: hpamp db show NAME... [--json]\n"
    "\n"
    "Print every fact about one headphone or source, with its unit and the source\n"
    "it came from.  NAME is forgiving: hd600, HD-600, 'sennheiser hd 600' and\n"
    "'pixel dongle' all work (see hpamp db --help).  When a device has several\n"
    "outputs, all are shown unless NAME ends in se or bal.\n"
    "\n"
    "Options:\n"
    "      --json        one JSON object: {\"headphones\": [...], \"sources\": [...]}\n"
    "  -h, --help        show this help\n"
    "\n"
    "Exit status: 0 shown, 1 no such entry (the closest names are suggested) or\n"
    "several match, 2 usage error.\n";

typedef struct db_opts {
    unsigned kinds;
    int json;
    char text[1024]; /* the words after the subcommand, joined by spaces */
    int n_words;
} db_opts;

/* 0 ok; EXIT_USAGE after a message; -1 after --help */
static int parse_db_args(const char *sub, const char *usage, int allow_kinds, int argc, char **argv, db_opts *o)
{
    static const struct option longopts[] = {
        {"headphones", no_argument, 0, 'H'},
        {"sources", no_argument, 0, 'S'},
        {"json", no_argument, 0, 'J'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    int c;
    memset(o, 0, sizeof *o);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'H':
        case 'S':
            if (!allow_kinds) {
                hpc_error("db %s: unknown option '%s' (see hpamp db %s --help)", sub, argv[optind - 1], sub);
                return EXIT_USAGE;
            }
            o->kinds |= c == 'H' ? HPA_DB_HEADPHONES : HPA_DB_SOURCES;
            break;
        case 'J': o->json = 1; break;
        case 'h': fputs(usage, stdout); return -1;
        default:
            hpc_error("db %s: unknown option '%s' (see hpamp db %s --help)", sub, argv[optind - 1], sub);
            return EXIT_USAGE;
        }
    }
    if (!o->kinds)
        o->kinds = HPA_DB_ANY;
    size_t n = 0;
    for (int i = optind; i < argc; i++) {
        size_t len = strlen(argv[i]);
        if (n + len + 2 > sizeof o->text) {
            hpc_error("db %s: the text is too long", sub);
            return EXIT_USAGE;
        }
        if (n)
            o->text[n++] = ' ';
        memcpy(o->text + n, argv[i], len + 1);
        n += len;
        o->n_words++;
    }
    return 0;
}

static int cmd_list(int argc, char **argv)
{
    db_opts o;
    int rc = parse_db_args("list", usage_list, 1, argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (o.n_words) {
        hpc_error("db list: takes no names; unexpected '%s' (did you mean hpamp db search?)", argv[optind]);
        return EXIT_USAGE;
    }
    hpa_db *db;
    if (hpc_db_open(&db))
        return 1;
    size_t total = 0;
    hpa_db_search(db, (hpa_db_kind)o.kinds, "", NULL, 0, &total);
    hpa_db_ref *refs = malloc((total ? total : 1) * sizeof *refs);
    if (!refs) {
        hpc_fail("no-memory", "out of memory");
        hpa_db_destroy(db);
        return 1;
    }
    hpa_db_search(db, (hpa_db_kind)o.kinds, "", refs, total, &total);
    if (o.json)
        json_refs(stdout, db, o.kinds, refs, total);
    else
        print_table(stdout, db, o.kinds, refs, total, 0);
    free(refs);
    hpa_db_destroy(db);
    return 0;
}

static int cmd_search(int argc, char **argv)
{
    db_opts o;
    int rc = parse_db_args("search", usage_search, 1, argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (!o.n_words) {
        hpc_error("db search: needs TEXT to look for (see hpamp db search --help)");
        return EXIT_USAGE;
    }
    /* a word is letters and digits (the rest is left out of names, as in
     * lookups): a text without one would match everything */
    if (!hpa_db_normalize(o.text, NULL, 0)) {
        hpc_error("db search: '%s' has no letter or digit to look for (hpamp db list lists everything)", o.text);
        return EXIT_USAGE;
    }
    hpa_db *db;
    if (hpc_db_open(&db))
        return 1;
    size_t total = 0;
    hpa_db_search(db, (hpa_db_kind)o.kinds, o.text, NULL, 0, &total);
    hpa_db_ref *refs = malloc((total ? total : 1) * sizeof *refs);
    if (!refs) {
        hpc_fail("no-memory", "out of memory");
        hpa_db_destroy(db);
        return 1;
    }
    hpa_db_search(db, (hpa_db_kind)o.kinds, o.text, refs, total, &total);
    if (o.json)
        json_refs(stdout, db, o.kinds, refs, total);
    else if (total)
        print_table(stdout, db, o.kinds, refs, total, 1);
    if (!total)
        hpc_fail("not-found", "nothing in the database matches '%s'", o.text);
    free(refs);
    hpa_db_destroy(db);
    return total ? 0 : 1;
}

/* "A, B, C" of the refs into buf */
void hpc_db_candidates(const hpa_db *db, const hpa_db_ref *refs, size_t n)
{
    static char names[HPC_MAX_CANDIDATES][512];
    const char *ids[HPC_MAX_CANDIDATES], *shown[HPC_MAX_CANDIDATES];
    size_t k = n < HPC_MAX_CANDIDATES ? n : HPC_MAX_CANDIDATES;
    for (size_t i = 0; i < k; i++) {
        ids[i] = refs[i].kind == HPA_DB_HEADPHONES ? hpa_db_headphone_at(db, refs[i].index)->id
                                                   : hpa_db_source_at(db, refs[i].index)->id;
        hpc_db_name(db, refs[i], names[i], sizeof names[i]);
        shown[i] = names[i];
    }
    hpc_candidates(ids, shown, k);
}

static void name_list(const hpa_db *db, const hpa_db_ref *refs, size_t n, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < n && used < len; i++) {
        char name[512];
        hpc_db_name(db, refs[i], name, sizeof name);
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", name);
    }
}

static int cmd_show(int argc, char **argv)
{
    db_opts o;
    int rc = parse_db_args("show", usage_show, 0, argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (!o.n_words) {
        hpc_error("db show: needs a NAME (see hpamp db show --help)");
        return EXIT_USAGE;
    }
    hpa_db *db;
    if (hpc_db_open(&db))
        return 1;
    hpa_db_match m;
    char names[4096];
    rc = 1;
    if (hpa_db_lookup(db, HPA_DB_ANY, o.text, &m)) {
        hpc_error("db show: cannot look up '%s'", o.text);
    } else if (m.how == HPA_DB_MATCH_NONE) {
        name_list(db, m.refs, m.n, names, sizeof names);
        hpc_db_candidates(db, m.refs, m.n);
        if (m.n)
            hpc_fail("not-found", "no headphone or source named '%s'; closest: %s", o.text, names);
        else
            hpc_fail("not-found", "no headphone or source named '%s' (try hpamp db search)", o.text);
    } else if (m.how != HPA_DB_MATCH_EXACT && m.total > 1) {
        name_list(db, m.refs, m.n, names, sizeof names);
        hpc_db_candidates(db, m.refs, m.n);
        if (m.total > m.n)
            hpc_fail("ambiguous", "'%s' matches %zu entries: %s and %zu more; say which (or try hpamp db search %s)",
                     o.text, m.total, names, m.total - m.n, o.text);
        else
            hpc_fail("ambiguous", "'%s' matches %zu entries: %s; say which", o.text, m.total, names);
    } else {
        if (o.json) {
            json_refs(stdout, db, HPA_DB_ANY, m.refs, m.n);
        } else {
            for (size_t i = 0; i < m.n; i++) {
                if (i)
                    fputc('\n', stdout);
                if (m.refs[i].kind == HPA_DB_HEADPHONES)
                    show_headphone(stdout, hpa_db_headphone_at(db, m.refs[i].index));
                else
                    show_source(stdout, hpa_db_source_at(db, m.refs[i].index));
            }
        }
        rc = 0;
    }
    hpa_db_destroy(db);
    return rc;
}

int hpc_cmd_db(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_db, stderr);
        return EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help")) {
        fputs(usage_db, stdout);
        return 0;
    }
    int rc;
    if (!strcmp(sub, "list")) {
        rc = cmd_list(argc - 1, argv + 1);
    } else if (!strcmp(sub, "search")) {
        rc = cmd_search(argc - 1, argv + 1);
    } else if (!strcmp(sub, "show")) {
        rc = cmd_show(argc - 1, argv + 1);
    } else {
        hpc_error("db: unknown command '%s' (list, search or show; see hpamp db --help)", sub);
        rc = EXIT_USAGE;
    }
    /* --json: a failure is an object too (a search that finds nothing
     * answers with empty lists) */
    if (rc && !json_answered && hpc_argv_json(argc, argv))
        hpc_json_failure(stdout, rc);
    return rc;
}
