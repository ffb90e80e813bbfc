/* advise.c — `hpamp advise`: does this headphone need an amp on this source?
 *
 * Names the gear (the database or an ad-hoc spec), measures the listener's
 * music when given (host/scan.c), asks the library for the verdict
 * (hpamp/advise.h) and prints it: one line first, then the numbers behind
 * it, the tracks that need the most, and the sources that would do the job.
 * How the verdict is reached: docs/advise.md. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hpamp/advise.h>
#include <hpamp/db.h>

#include <hpamp/host/quiet.h>
#include "cli.h"
#include "dbfiles.h"
#include <hpamp/host/scan.h>
#include "eqout.h"
#include "plot.h"
#include "term.h"

#define TRACKS_SHOWN 5
#define SUGGESTIONS_SHOWN 8
#define SKIPPED_SHOWN 10

static void usage(FILE *f)
{
    fputs("Usage: hpamp advise --headphones H --source S [--amp AMP [--gain low|high|DB]]\n"
          "                    [--music FILE|DIR ...] [--level DB] [--json] [--plot FILE]\n"
          "\n"
          "Does this headphone need an amplifier on this source?  The answer comes from\n"
          "physics (sensitivity, impedance, the source's voltage and current limits and\n"
          "output impedance) and from your own music's peaks:\n"
          "  not-needed   it plays loud and clean, with headroom to spare\n"
          "  recommended  little headroom (< 3 dB), or an output impedance above 1/8 of\n"
          "               the headphone's impedance, or a response bent by > 1 dB\n"
          "  required     the peaks clip (or even the average level is out of reach)\n"
          "Then the numbers behind it and the sources in the database that would do.\n"
          "\n"
          "Options:\n"
          "  -H, --headphones H  a headphone: a name from the database (hd600, 'aria 2')\n"
          "                      or a spec: impedance and sensitivity, e.g.\n"
          "                      \"300ohm,97dB/mW\", \"32ohm,122dB/V\", \"300ohm,327mV\" (mV\n"
          "                      for 94 dB SPL); add \"active\" for a headphone with its\n"
          "                      own amplifier\n"
          "  -S, --source S      a phone, dongle, computer jack, player or amp: a name\n"
          "                      ('apple usb-c us', 'sh-6', 'dawn pro bal') or a spec:\n"
          "                      \"1.0V,0.9ohm\", \"5.0V,0.1ohm,50mA\" (RMS volts, output\n"
          "                      impedance, RMS current limit), \"30mW@32ohm\"\n"
          "                      (each figure in a physical range: docs/advise.md)\n"
          "  -A, --amp AMP       an amp after the source (the source is then the DAC,\n"
          "                      its largest output its full scale): where the amp\n"
          "                      clips against the DAC's full scale on each gain\n"
          "                      setting, which setting to use (the lowest that keeps\n"
          "                      the peaks clean) and where the digital volume sits\n"
          "  -G, --gain G        the amp's setting to use: low, high (its lowest or\n"
          "                      highest stated setting) or a gain in dB, -40..60\n"
          "  -m, --music PATH    measure these files, or every audio file under these\n"
          "                      folders (repeatable): their loudness and true peaks set\n"
          "                      the target (default: plan for 110 dB SPL peaks): the\n"
          "                      95th percentile of the tracks' crest by playing time,\n"
          "                      files under 30 s (one-shots) not counted\n"
          "  -P, --percentile P  that percentile, 50..100 (100: the largest crest)\n"
          "  -l, --level DB      average listening level in dB SPL, 40..130 (default 85)\n"
          "  -j, --threads N     measure on N threads (default: one per core)\n"
          "      --json          print one JSON object on stdout (on failure:\n"
          "                      {\"error\": CODE, \"message\": the error line, and\n"
          "                      \"candidates\": [{\"id\", \"name\"}] for a name not found\n"
          "                      or ambiguous})\n"
          "  -p, --plot FILE     draw SPL against volume and the response change (.png\n"
          "                      or .svg)\n"
          "      --compensation-eq OUT  write the EQ that cancels the response change the\n"
          "                      source's output impedance makes (a ParametricEQ file)\n"
          "  -h, --help          show this help\n"
          "\n"
          "Examples:\n"
          "  hpamp advise --headphones hd600 --source 'apple usb-c us'\n"
          "  hpamp advise -H 'dt 880 600' -S sh-6 --music ~/Music --plot dt880.png\n"
          "  hpamp advise -H hd600 -S sh-6 --music ~/Music --percentile 100\n"
          "  hpamp advise -H \"32ohm,110dB/mW\" -S \"1.0V,2ohm\" --level 80\n"
          "  hpamp advise -H hd600 -S 'apple usb-c us' --amp sh-6\n"
          "  hpamp advise -H hd600 -S 'dawn pro se' --amp 'magni 2' --gain high\n"
          "\n"
          "Exit status: 0 answered, 1 cannot tell (a needed fact is not known), no such\n"
          "headphone or source, or no audio in --music; 2 usage error (bad option or spec).\n",
          f);
}

typedef struct advise_opts {
    const char *hp, *src, *plot, *amp, *gain, *comp_eq;
    const char **music;
    size_t n_music;
    double level_db, percentile;
    unsigned threads;
    int json;
} advise_opts;

/* 0 ok; EXIT_USAGE after a message; -1 after --help */
static int parse_args(int argc, char **argv, advise_opts *o)
{
    static const struct option longopts[] = {
        {"headphones", required_argument, 0, 'H'},
        {"headphone", required_argument, 0, 'H'},
        {"source", required_argument, 0, 'S'},
        {"amp", required_argument, 0, 'A'},
        {"gain", required_argument, 0, 'G'},
        {"music", required_argument, 0, 'm'},
        {"level", required_argument, 0, 'l'},
        {"percentile", required_argument, 0, 'P'},
        {"threads", required_argument, 0, 'j'},
        {"json", no_argument, 0, 'J'},
        {"plot", required_argument, 0, 'p'},
        {"compensation-eq", required_argument, 0, 'C'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    o->level_db = HPA_ADVISE_DEFAULT_LEVEL_DB;
    o->percentile = HPA_ADVISE_CREST_PERCENTILE;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":H:S:A:G:P:m:l:j:p:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'H': o->hp = optarg; break;
        case 'S': o->src = optarg; break;
        case 'A': o->amp = optarg; break;
        case 'P':
            if (hpa_parse_double(optarg, 50.0, 100.0, &o->percentile)) {
                hpc_error("advise: --percentile '%s': a percentile from 50 to 100 is expected", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'G': {
            double g;
            if (strcmp(optarg, "low") != 0 && strcmp(optarg, "high") != 0 &&
                hpa_parse_double(optarg, -40.0, 60.0, &g)) {
                hpc_error("advise: --gain '%s': low, high or a gain in dB from -40 to 60 is expected", optarg);
                return EXIT_USAGE;
            }
            o->gain = optarg;
            break;
        }
        case 'm': o->music[o->n_music++] = optarg; break;
        case 'l':
            if (hpa_parse_double(optarg, 40.0, 130.0, &o->level_db)) {
                hpc_error("advise: --level '%s': a level in dB SPL from 40 to 130 is expected", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'j': {
            uint32_t n;
            if (hpc_parse_u32(optarg, 1, 256, &n)) {
                hpc_error("advise: --threads '%s': a whole number from 1 to 256 is expected", optarg);
                return EXIT_USAGE;
            }
            o->threads = n;
            break;
        }
        case 'J': o->json = 1; break;
        case 'p':
            if (hpc_plot_kind_for(optarg) == HPC_PLOT_NONE) {
                hpc_error("advise: --plot '%s': the file name must end in .png or .svg", optarg);
                return EXIT_USAGE;
            }
            o->plot = optarg;
            break;
        case 'C': o->comp_eq = optarg; break;
        case 'h': usage(stdout); return -1;
        case ':':
            hpc_error("advise: option '%s' needs a value (see hpamp advise --help)", argv[optind - 1]);
            return EXIT_USAGE;
        default:
            hpc_error("advise: unknown option '%s' (see hpamp advise --help)", argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        hpc_error("advise: unexpected argument '%s' (music goes after --music; see hpamp advise --help)", argv[optind]);
        return EXIT_USAGE;
    }
    if (o->gain && !o->amp) {
        hpc_error("advise: --gain needs --amp (the amp whose gain it sets; see hpamp advise --help)");
        return EXIT_USAGE;
    }
    if (o->amp && o->plot) {
        hpc_error("advise: --plot draws one source; it does not take --amp yet");
        return EXIT_USAGE;
    }
    if (!o->hp || !o->src) {
        hpc_error("advise: needs --headphones and --source (see hpamp advise --help)");
        return EXIT_USAGE;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* naming the gear                                                          */

static const char *kind_word(hpa_db_kind kind)
{
    return kind == HPA_DB_HEADPHONES ? "headphone" : "source";
}

/* "A, B, C" of the refs into buf */
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

/* A name from the database or an ad-hoc spec.  0 and *index; else the exit
 * status after a message. */
int hpc_db_resolve(hpa_db *db, hpa_db_kind kind, const char *text, const char *opt, size_t *index)
{
    char why[256];
    /* a valid spec is a spec (no name reads as numbers with units) */
    hpa_db *scratch = NULL;
    int spec_err = HPA_ERR_INVALID_ARG;
    if (hpa_db_create_empty(&scratch) == HPA_OK) {
        spec_err = hpa_db_add_spec(scratch, kind, text, NULL, why, sizeof why);
        hpa_db_destroy(scratch);
    }
    if (spec_err == HPA_OK) {
        int e = hpa_db_add_spec(db, kind, text, index, why, sizeof why);
        if (e) {
            hpc_fail(e == HPA_ERR_NO_MEMORY ? "no-memory" : "failed", "%s '%s': %s", opt, text,
                     e == HPA_ERR_NO_MEMORY ? "out of memory" : why);
            return 1;
        }
        return 0;
    }
    hpa_db_match m;
    if (hpa_db_lookup(db, kind, text, &m) != HPA_OK) {
        hpc_error("%s: cannot look up '%s'", opt, text);
        return 1;
    }
    if (m.how != HPA_DB_MATCH_NONE && (m.total == 1 || m.how == HPA_DB_MATCH_EXACT) && m.n == 1) {
        *index = m.refs[0].index;
        return 0;
    }
    /* looks like a spec (a comma, or a number first: "300ohm", "-5ohm",
     * ".5V") but is not one: a usage error saying what is wrong with it */
    const char *p = text;
    while (*p == ' ')
        p++;
    if (*p == '-' || *p == '+')
        p++;
    if (m.how == HPA_DB_MATCH_NONE && (strchr(text, ',') || (*p >= '0' && *p <= '9') || *p == '.')) {
        hpc_fail("bad-spec", "%s '%s': not a %s in the database, nor a spec: %s (expected like %s)", opt, text,
                 kind_word(kind), why,
                 kind == HPA_DB_HEADPHONES ? "\"300ohm,97dB/mW\" or \"32ohm,122dB/V\""
                                           : "\"1.0V,0.9ohm\" or \"5.0V,0.1ohm,50mA\"");
        return EXIT_USAGE;
    }
    char names[4096];
    name_list(db, m.refs, m.n, names, sizeof names);
    hpc_db_candidates(db, m.refs, m.n);
    if (m.how == HPA_DB_MATCH_NONE) {
        if (m.n)
            hpc_fail("not-found", "no %s named '%s' in the database; closest: %s (see hpamp db search)",
                     kind_word(kind), text, names);
        else
            hpc_fail("not-found", "no %s named '%s' in the database (see hpamp db search, or give a spec)",
                     kind_word(kind), text);
    } else if (m.total > m.n) {
        hpc_fail("ambiguous", "'%s' matches %zu %ss: %s and %zu more; say which", text, m.total, kind_word(kind), names,
                 m.total - m.n);
    } else {
        hpc_fail("ambiguous", "'%s' matches %zu %ss: %s; say which%s", text, m.total, kind_word(kind), names,
                 kind == HPA_DB_SOURCES ? " (a device's output: add se or bal)" : "");
    }
    return 1;
}

/* A source name that matches only rows of one device (its modes: outputs,
 * market versions, load ranges) gives all of them in modes[0 .. *n) (cap
 * at most), for hpa_advise_pick_mode once the headphone and the target are
 * known; any other name is resolved as hpc_db_resolve does (*n = 1).
 * 0, or the exit status after a message. */
static int resolve_device(hpa_db *db, const char *text, const char *opt, size_t *modes, size_t cap, size_t *n)
{
    hpa_db_match m;
    if (hpa_db_lookup(db, HPA_DB_SOURCES, text, &m) == HPA_OK && m.how != HPA_DB_MATCH_NONE && m.total > 1 &&
        m.total == m.n && m.n <= cap) {
        const hpa_db_source *first = hpa_db_source_at(db, m.refs[0].index);
        int one_device = 1;
        for (size_t i = 1; i < m.n; i++)
            one_device &= hpa_db_same_device(first, hpa_db_source_at(db, m.refs[i].index));
        if (one_device) {
            for (size_t i = 0; i < m.n; i++)
                modes[i] = m.refs[i].index;
            *n = m.n;
            return 0;
        }
    }
    *n = 1;
    return hpc_db_resolve(db, HPA_DB_SOURCES, text, opt, &modes[0]);
}

/* ------------------------------------------------------------------------ */
/* text                                                                     */

static const char *limit_name(hpa_limit l)
{
    return l == HPA_LIMIT_CURRENT ? "current" : l == HPA_LIMIT_VOLTAGE ? "voltage" : NULL;
}

/* "1.23 kHz" / "62 Hz" */
static void hz_text(double f, char *b, size_t len)
{
    if (f >= 1000.0)
        snprintf(b, len, "%.3g kHz", f / 1000.0);
    else
        snprintf(b, len, "%.3g Hz", f);
}

/* volts with sensible digits */
static void volts_text(double v, char *b, size_t len)
{
    if (v >= 10.0)
        snprintf(b, len, "%.1f V", v);
    else if (v >= 0.1)
        snprintf(b, len, "%.3f V", v);
    else
        snprintf(b, len, "%.1f mV", v * 1000.0);
}

static void milli_text(double v, const char *unit, char *b, size_t len)
{
    if (v >= 100.0)
        snprintf(b, len, "%.0f %s", v, unit);
    else if (v >= 1.0)
        snprintf(b, len, "%.1f %s", v, unit);
    else
        snprintf(b, len, "%.3f %s", v, unit);
}

typedef struct ctx {
    const hpa_db *db;
    const hpa_db_headphone *h;
    const hpa_db_source *s;
    const hpa_db_source *dac;      /* with --amp: the DAC in front of the amp s */
    const hpa_chain_advice *chain; /* with --amp */
    const size_t *modes;           /* the device's modes (table indexes) when the name gave several */
    size_t n_modes, mode_pos;
    hpa_mode_how mode_how;
    char dac_name[512];
    char hp_name[512], src_name[512];
    const hpa_advice *a;
    int have_music;
    const hpa_music_crest *music; /* with --music */
    double percentile;
} ctx;

/* one sentence per reason bit */
static void reason_text(const ctx *c, unsigned bit, char *b, size_t len)
{
    const hpa_advice *a = c->a;
    char v1[32], v2[32], f1[32];
    volts_text(a->required_vrms, v1, sizeof v1);
    volts_text(a->available_vrms, v2, sizeof v2);
    switch (bit) {
    case HPA_REASON_OWN_AMP:
        snprintf(b, len,
                 "it has its own amplifier (noise-cancelling or powered): the source feeds that amplifier, "
                 "not the drivers, so an external amp adds nothing");
        break;
    case HPA_REASON_ENOUGH_HEADROOM:
        snprintf(b, len, "%.1f dB of headroom over %.1f dB SPL peaks (3 dB or more wanted)", a->headroom_db,
                 a->peak_spl_db);
        break;
    case HPA_REASON_LOW_ZOUT:
        snprintf(b, len,
                 "output impedance %.3g ohm is within 1/8 of the headphone's lowest %.4g ohm (%.3g ohm): "
                 "the response changes by %.2f dB peak to peak",
                 a->zout_ohm, a->load_ohm, a->load_ohm / 8.0, a->fr.spread_db);
        break;
    case HPA_REASON_CANNOT_REACH_LEVEL: {
        char v3[32];
        volts_text(a->level_vrms, v3, sizeof v3);
        snprintf(b, len,
                 "it cannot even reach the %.0f dB SPL average: that needs %s, the source gives %s (at most "
                 "%.1f dB SPL)",
                 a->level_db, v3, v2, a->max_spl_db);
        break;
    }
    case HPA_REASON_CLIPS_PEAKS:
        snprintf(b, len, "the peaks clip: %.1f dB SPL needs %s, the source gives %s into %.4g ohm (%.1f dB short)",
                 a->peak_spl_db, v1, v2, a->load_ohm, -a->headroom_db);
        break;
    case HPA_REASON_LITTLE_HEADROOM:
        snprintf(b, len,
                 "only %.1f dB of headroom over %.1f dB SPL peaks (3 dB wanted: data sheets and units vary "
                 "by a dB or two)",
                 a->headroom_db, a->peak_spl_db);
        break;
    case HPA_REASON_CURRENT_LIMITED:
        snprintf(b, len, "current-limited: its %.3g mA limit comes before its voltage into %.4g ohm", a->imax_ma,
                 a->load_ohm);
        break;
    case HPA_REASON_HIGH_ZOUT:
        snprintf(b, len,
                 "output impedance %.3g ohm is above 1/8 of the headphone's lowest %.4g ohm (%.3g ohm): "
                 "damping factor %.3g",
                 a->zout_ohm, a->load_ohm, a->load_ohm / 8.0, a->damping_factor);
        break;
    case HPA_REASON_FR_DEVIATION:
        hz_text(a->fr.worst_hz, f1, sizeof f1);
        snprintf(b, len, "the output impedance bends the response by %.2f dB peak to peak (%+.2f dB at %s)",
                 a->fr.spread_db, a->fr.worst_db, f1);
        break;
    case HPA_REASON_ZOUT_UNKNOWN:
        snprintf(b, len,
                 "the source's output impedance is not known: taken as 0 for the level; damping and the "
                 "response change cannot be told");
        break;
    case HPA_REASON_HISS:
        snprintf(b, len,
                 "it would hiss: its noise (%.3g uV%s) reaches %.1f dB SPL(A) at the ear, above the threshold of "
                 "hearing (%.0f dB SPL)",
                 a->noise_uv, a->noise_from == HPA_NOISE_SNR ? ", from its SNR" : "", a->hiss_spl_db,
                 HPA_ADVISE_HISS_THRESHOLD_DB);
        break;
    case HPA_REASON_NO_SENSITIVITY: snprintf(b, len, "the sensitivity of %s is not known", c->hp_name); break;
    case HPA_REASON_NO_IMPEDANCE: snprintf(b, len, "the impedance of %s is not known", c->hp_name); break;
    case HPA_REASON_NO_SOURCE_OUTPUT:
        snprintf(b, len, "the output voltage or power of %s is not known", c->src_name);
        break;
    case HPA_REASON_INCONSISTENT:
    default: snprintf(b, len, "the figures for %s and %s contradict each other", c->hp_name, c->src_name); break;
    }
}

static int is_amp(const hpa_db_source *s)
{
    return s->kind == HPA_DB_SRC_PORTABLE_AMP || s->kind == HPA_DB_SRC_DAC_AMP || s->kind == HPA_DB_SRC_DESKTOP_AMP;
}

static const char *mode_how_text(hpa_mode_how how)
{
    return how == HPA_MODE_LOAD ? "the one whose load range holds the headphone's impedance"
                                : "the best answer of its modes for this headphone";
}

/* the device's modes, when the name gave several: which was used and why */
static void print_mode(const ctx *c)
{
    char names[2048];
    size_t used = 0;
    names[0] = 0;
    for (size_t i = 0; i < c->n_modes && used < sizeof names; i++) {
        char one[512];
        hpc_db_name(c->db, (hpa_db_ref){HPA_DB_SOURCES, c->modes[i]}, one, sizeof one);
        used += (size_t)snprintf(names + used, sizeof names - used, "%s%s%s", i ? ", " : "", one,
                                 i == c->mode_pos ? " (used)" : "");
    }
    printf("  mode             %zu modes: %s; %s\n", c->n_modes, names, mode_how_text(c->mode_how));
}

/* the gain staging of a DAC into an amp (--amp) */
static void print_chain(const ctx *c)
{
    const hpa_chain_advice *ch = c->chain;
    char v[32], w[32];
    volts_text(ch->dac_v, v, sizeof v);
    printf("  DAC              %s: full scale %s (its largest output)\n", c->dac_name, v);
    volts_text(ch->amp_voc_v, v, sizeof v);
    printf("  amp clips at     %s open circuit\n", v);
    printf("  %-17s%-10s%-16s%-22s%s\n", "gain settings", "gain", "full scale asks", "amp clips", "loudest clean");
    for (unsigned i = 0; i < ch->n_gains; i++) {
        char margin[48];
        volts_text(ch->drive_v[i], w, sizeof w);
        if (ch->clip_margin_db[i] < 0.0)
            snprintf(margin, sizeof margin, "%.1f dB before full", -ch->clip_margin_db[i]);
        else
            snprintf(margin, sizeof margin, "no (%.1f dB spare)", ch->clip_margin_db[i]);
        printf("  %-17s%-+10.3g%-16s%-22s%.1f dB SPL%s\n", "", ch->gain_db[i], w, margin, ch->max_spl_db[i],
               i == ch->chosen ? "  <- used" : "");
    }
    if (ch->chosen_auto)
        printf("  gain             %+.3g dB: %s\n", ch->gain_db[ch->chosen],
               ch->advice.headroom_db >= 0.0 ? "the lowest setting that keeps the peaks clean"
                                             : "no setting keeps the peaks clean: the highest");
    if (isfinite(ch->digital_atten_db))
        printf("  digital volume   %.1f dB below full scale at the %.0f dB SPL average (%.1f bits of the DAC's "
               "resolution)\n",
               ch->digital_atten_db, ch->advice.level_db, ch->bits_lost);
}

/* the one-line verdict */
static void verdict_line(const ctx *c, char *b, size_t len)
{
    const hpa_advice *a = c->a;
    const char *amp = is_amp(c->s) ? "a more powerful amp" : "an amp";
    switch (a->verdict) {
    case HPA_VERDICT_NOT_NEEDED:
        if (a->reasons & HPA_REASON_OWN_AMP)
            snprintf(b, len, "not-needed: %s has its own amplifier; no external amp needed", c->hp_name);
        else
            snprintf(b, len, "not-needed: %s on %s plays %.1f dB SPL peaks with %.1f dB to spare%s", c->hp_name,
                     c->src_name, a->peak_spl_db, a->headroom_db,
                     (a->reasons & HPA_REASON_HISS) ? " - and this source would hiss" : "");
        break;
    case HPA_VERDICT_RECOMMENDED: {
        const char *why = (a->reasons & HPA_REASON_LITTLE_HEADROOM)
                              ? ((a->reasons & HPA_REASON_CURRENT_LIMITED) ? "little headroom, current-limited"
                                                                           : "little headroom")
                          : (a->reasons & HPA_REASON_HIGH_ZOUT) ? "output impedance above 1/8 of the load"
                                                                : "the response is bent by the output impedance";
        /* a short headroom asks for more power; an output impedance problem
         * for an output with a lower impedance, whatever its power */
        if (!(a->reasons & HPA_REASON_LITTLE_HEADROOM))
            amp = is_amp(c->s) ? "an amp with a lower output impedance" : "an amp (a lower output impedance)";
        snprintf(b, len, "recommended: %s for %s on %s (%s; %.1f dB of headroom)", amp, c->hp_name, c->src_name, why,
                 a->headroom_db);
        break;
    }
    case HPA_VERDICT_REQUIRED:
        if (a->reasons & HPA_REASON_CANNOT_REACH_LEVEL)
            snprintf(b, len, "required: %s for %s: %s cannot even reach %.0f dB SPL (at most %.1f dB SPL)", amp,
                     c->hp_name, c->src_name, a->level_db, a->max_spl_db);
        else
            snprintf(b, len, "required: %s for %s: %s clips %.1f dB SPL peaks by %.1f dB%s", amp, c->hp_name,
                     c->src_name, a->peak_spl_db, -a->headroom_db,
                     (a->reasons & HPA_REASON_CURRENT_LIMITED) ? " (current-limited)" : "");
        break;
    case HPA_VERDICT_UNKNOWN:
    default: {
        char r[1600];
        size_t n = 0;
        b[0] = 0;
        n += (size_t)snprintf(b, len, "cannot tell: ");
        int first = 1;
        for (unsigned i = 0; i < HPA_REASON_COUNT && n < len; i++) {
            unsigned bit = 1u << i;
            if (!(a->reasons & bit))
                continue;
            reason_text(c, bit, r, sizeof r);
            n += (size_t)snprintf(b + n, len - n, "%s%s", first ? "" : "; ", r);
            first = 0;
        }
        break;
    }
    }
}

/* which sensitivity figure the model used (measured mV, then dB/V, then dB/mW) */
static void sens_source(const hpa_db_headphone *h, char *b, size_t len)
{
    if (isfinite(h->mv_for_94db) && h->mv_for_94db > 0)
        snprintf(b, len, "from the measured %.4g mV for 94 dB SPL", h->mv_for_94db);
    else if (isfinite(h->sensitivity_db_v) && h->sensitivity_db_v > 0)
        snprintf(b, len, "as stated");
    else
        snprintf(b, len, "from %.4g dB SPL/mW at %.4g ohm", h->sensitivity_db_mw, h->impedance_ohm);
}

static void source_facts(const hpa_db_source *s, char *b, size_t len)
{
    size_t n = 0;
    b[0] = 0;
    if (isfinite(s->vout_max_rms_v)) {
        if (isfinite(s->vout_load_ohm))
            n += (size_t)snprintf(b + n, len - n, "%.4g V into %.4g ohm", s->vout_max_rms_v, s->vout_load_ohm);
        else
            n += (size_t)snprintf(b + n, len - n, "%.4g V", s->vout_max_rms_v);
    }
    if (isfinite(s->power_mw_32) && n < len)
        n += (size_t)snprintf(b + n, len - n, "%s%.4g mW into 32 ohm", n ? ", " : "", s->power_mw_32);
    if (isfinite(s->power_mw_300) && n < len)
        n += (size_t)snprintf(b + n, len - n, "%s%.4g mW into 300 ohm", n ? ", " : "", s->power_mw_300);
    if (isfinite(s->zout_ohm) && n < len)
        n += (size_t)snprintf(b + n, len - n, "%soutput impedance %.4g ohm", n ? ", " : "", s->zout_ohm);
    if (isfinite(s->imax_ma) && n < len)
        n += (size_t)snprintf(b + n, len - n, "%s%.4g mA", n ? ", " : "", s->imax_ma);
    if (!n)
        snprintf(b, len, "no output figures");
}

/* tracks measured, sorted by crest (most first) */
typedef struct measured {
    const hph_track *t;
    double crest;
    int counted; /* counted in the target (long enough to be music) */
} measured;

static int cmp_crest(const void *x, const void *y)
{
    const measured *a = x, *b = y;
    if (a->crest != b->crest)
        return a->crest < b->crest ? 1 : -1;
    return strcmp(a->t->path, b->t->path);
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s && s[1] ? s + 1 : p;
}

static void print_text(const ctx *c, const measured *m, size_t n_m, size_t n_skipped, const hpa_advise_pick *picks,
                       size_t n_picks, size_t total_picks)
{
    const hpa_advice *a = c->a;
    char line[4096], b1[64], b2[64], r[1600];
    verdict_line(c, line, sizeof line);
    printf("%s\n", line);
    if (a->verdict == HPA_VERDICT_UNKNOWN)
        return;
    if (a->reasons & HPA_REASON_OWN_AMP) {
        reason_text(c, HPA_REASON_OWN_AMP, r, sizeof r);
        printf("\n  %s\n", r);
        return;
    }
    char sens[128], facts[512];
    sens_source(c->h, sens, sizeof sens);
    source_facts(c->s, facts, sizeof facts);
    printf("\n");
    printf("  headphone        %s: %.4g ohm nominal, %.1f dB SPL/V (%s)\n", c->hp_name, a->nominal_ohm,
           a->sens_db_per_v, sens);
    printf("  source           %s: %s\n", c->src_name, facts);
    volts_text(a->voc_v, b1, sizeof b1);
    if (a->imax_ma > 0)
        milli_text(a->imax_ma, "mA", b2, sizeof b2);
    else
        snprintf(b2, sizeof b2, "not known");
    printf("                   modelled: %s open circuit, current limit %s\n", b1, b2);
    if (c->n_modes > 1)
        print_mode(c);
    if (c->chain)
        print_chain(c);
    if (c->have_music) {
        printf("  target           %.0f dB SPL average + %.1f dB crest of the music = %.1f dB SPL peaks\n", a->level_db,
               a->crest_db, a->peak_spl_db);
        printf("                   the crest: the %.3gth percentile by playing time of %zu track%s (%.0f s)%s\n",
               c->percentile, c->music->n_counted, c->music->n_counted == 1 ? "" : "s", c->music->seconds,
               c->music->all_short ? "; none lasts 30 s, so every file counts" : "");
    } else
        printf("  target           %.0f dB SPL average + %.0f dB = %.1f dB SPL peaks (no music given: NwAvGuy's "
               "110 dB SPL rule of thumb)\n",
               a->level_db, a->crest_db, a->peak_spl_db);
    hz_text(a->load_hz, b1, sizeof b1);
    if (a->zmax_ohm > a->load_ohm * 1.001) {
        hz_text(a->zmax_hz, b2, sizeof b2);
        printf("  load             %.4g ohm, the lowest |Z| over 20 Hz-20 kHz (at %s; the highest %.4g ohm at %s)\n",
               a->load_ohm, b1, a->zmax_ohm, b2);
    } else {
        printf("  load             %.4g ohm (no impedance curve known: taken as flat)\n", a->load_ohm);
    }
    printf("\n  %-17s%-22s%s\n", "", "the peaks need", "the source delivers");
    char x[64], y[64];
    volts_text(a->required_vrms, x, sizeof x);
    volts_text(a->available_vrms, y, sizeof y);
    printf("  %-17s%-22s%s\n", "voltage (RMS)", x, y);
    milli_text(a->required_ma, "mA", x, sizeof x);
    milli_text(a->available_ma, "mA", y, sizeof y);
    printf("  %-17s%-22s%s\n", "current (RMS)", x, y);
    milli_text(a->required_mw, "mW", x, sizeof x);
    milli_text(a->available_mw, "mW", y, sizeof y);
    printf("  %-17s%-22s%s\n", "power", x, y);
    snprintf(x, sizeof x, "%.1f dB SPL", a->peak_spl_db);
    snprintf(y, sizeof y, "%.1f dB SPL", a->max_spl_db);
    printf("  %-17s%-22s%s\n", "level", x, y);
    printf("\n  headroom         %+.1f dB (the %s limit comes first)\n", a->headroom_db, limit_name(a->limit));
    if (a->reasons & HPA_REASON_ZOUT_UNKNOWN) {
        printf("  damping factor   not known (output impedance not known)\n");
        printf("  response         not known (output impedance not known)\n");
    } else {
        if (isfinite(a->damping_factor))
            printf("  damping factor   %.3g (%.4g ohm / %.3g ohm); 1/8 rule %s\n", a->damping_factor, a->nominal_ohm,
                   a->zout_ohm, a->eighth_rule_ok ? "met" : "NOT met");
        else
            printf("  damping factor   infinite (no output impedance); 1/8 rule met\n");
        hz_text(a->fr.worst_hz, b1, sizeof b1);
        if (a->zmax_ohm > a->load_ohm * 1.001)
            printf("  response         %+.2f dB at %s worst, %.2f dB peak to peak over 20 Hz-20 kHz\n", a->fr.worst_db,
                   b1, a->fr.spread_db);
        else
            printf("  response         unchanged (a flat impedance loses the same at every frequency)\n");
    }
    if (a->noise_from != HPA_NOISE_UNKNOWN)
        printf("  hiss             %.1f dB SPL(A) at the ear from %.3g uV of noise (%s; audible above %.0f dB SPL)\n",
               a->hiss_spl_db, a->noise_uv, a->noise_from == HPA_NOISE_STATED ? "stated" : "from its SNR",
               HPA_ADVISE_HISS_THRESHOLD_DB);
    else
        printf("  hiss             not known (no noise figure or SNR for the source)\n");
    printf("  volume           %.1f dB below full at the %.0f dB SPL average (%.1f bits of a digital volume)\n",
           a->attenuation_db, a->level_db, a->attenuation_db / (20.0 * log10(2.0)));
    if (c->s->battery == 1 || isfinite(c->s->battery_h)) {
        char life[48];
        if (isfinite(c->s->battery_h))
            snprintf(life, sizeof life, "rated %.3g h", c->s->battery_h);
        else
            snprintf(life, sizeof life, "life not known");
        printf("  battery          %s; the %.0f dB SPL average takes %.3g %% of its output power (%.3g of %.3g mW)\n",
               life, a->level_db, a->level_share * 100.0, a->level_mw, a->available_mw);
    }
    printf("\n  why:\n");
    for (unsigned i = 0; i < HPA_REASON_COUNT; i++) {
        unsigned bit = 1u << i;
        if (!(a->reasons & bit))
            continue;
        reason_text(c, bit, r, sizeof r);
        printf("    - %s\n", r);
    }

    if (c->have_music) {
        size_t shown = n_m < TRACKS_SHOWN ? n_m : TRACKS_SHOWN;
        printf("\n  tracks that need the most (%zu of %zu measured", shown, n_m);
        if (n_skipped)
            printf(", %zu skipped", n_skipped);
        printf("):\n");
        printf("    %8s  %10s  %10s  %14s  %s\n", "CREST", "LOUDNESS", "TRUE PEAK", "LOUDEST CLEAN", "TRACK");
        for (size_t i = 0; i < shown; i++) {
            const hph_track *t = m[i].t;
            char shown[1024];
            printf("    %5.1f dB  %5.1f LUFS  %5.1f dBTP  %7.1f dB SPL  %s%s\n", m[i].crest, t->loudness_lufs,
                   t->true_peak_dbtp, a->max_spl_db - m[i].crest,
                   hpa_escape_text(shown, sizeof shown, base_name(t->path)),
                   m[i].counted ? "" : "  (under 30 s: not counted)");
        }
        printf("    (loudest clean: the average level at which the track's true peaks reach the source's limit)\n");
        size_t n_short = 0;
        for (size_t i = 0; i < n_m; i++)
            n_short += !m[i].counted;
        if (n_short) {
            printf("  not counted in the target, shorter than 30 s (one-shots, not music; %zu):", n_short);
            size_t listed = 0;
            for (size_t i = 0; i < n_m && listed < SKIPPED_SHOWN; i++) {
                if (m[i].counted)
                    continue;
                char shown[1024];
                printf("%s %s", listed ? "," : "", hpa_escape_text(shown, sizeof shown, base_name(m[i].t->path)));
                listed++;
            }
            printf("%s\n", n_short > listed ? ", ..." : "");
        }
    }

    if (total_picks) {
        /* two groups, each by headroom: those known to do the job, then
         * those with the level whose output impedance is not known */
        for (int known = 1; known >= 0; known--) {
            size_t in_group = 0, shown = 0;
            for (size_t i = 0; i < n_picks; i++)
                in_group += picks[i].zout_known == known;
            if (!in_group)
                continue;
            const int iem = c->h->type == HPA_DB_TYPE_IEM;
            const char *order = iem ? "an IEM: least hiss, lowest output impedance, finest volume first"
                                    : "most headroom first";
            if (known)
                printf("\n  sources in the database that would do the job (%zu; %s):\n", in_group, order);
            else
                printf("\n  sources with the level for it, output impedance not known (%zu; %s):\n", in_group, order);
            for (size_t i = 0; i < n_picks && shown < SUGGESTIONS_SHOWN; i++) {
                if (picks[i].zout_known != known)
                    continue;
                const hpa_db_source *s = hpa_db_source_at(c->db, picks[i].index);
                char name[512];
                hpc_db_name(c->db, (hpa_db_ref){HPA_DB_SOURCES, picks[i].index}, name, sizeof name);
                char hiss[48] = "";
                if (c->h->type == HPA_DB_TYPE_IEM)
                    snprintf(hiss, sizeof hiss, isfinite(picks[i].hiss_spl_db) ? "  hiss %.1f dB SPL(A)" : "  hiss ?",
                             picks[i].hiss_spl_db);
                printf("    %+6.1f dB  %-52.52s  %s%s\n", picks[i].headroom_db, name, hpa_db_src_kind_name(s->kind),
                       hiss);
                shown++;
            }
            if (in_group > shown)
                printf("    ... and %zu more (hpamp advise --json lists them all)\n", in_group - shown);
        }
    } else {
        printf("\n  no source in the database does the job at this target\n");
    }
}

/* ------------------------------------------------------------------------ */
/* JSON                                                                     */

static void jnum(FILE *f, double v);

static void json_chain(FILE *f, const ctx *c)
{
    const hpa_chain_advice *ch = c->chain;
    fputs(",\n  \"chain\": {\"dac\": {\"id\": ", f);
    hpc_json_string(f, c->dac->id);
    fputs(", \"name\": ", f);
    hpc_json_string(f, c->dac_name);
    fputs("}, \"dac_v\": ", f);
    jnum(f, ch->dac_v);
    fputs(", \"amp_voc_v\": ", f);
    jnum(f, ch->amp_voc_v);
    fputs(", \"settings\": [", f);
    for (unsigned i = 0; i < ch->n_gains; i++) {
        fputs(i ? ", {\"gain_db\": " : "{\"gain_db\": ", f);
        jnum(f, ch->gain_db[i]);
        fputs(", \"drive_v\": ", f);
        jnum(f, ch->drive_v[i]);
        fputs(", \"clip_margin_db\": ", f);
        jnum(f, ch->clip_margin_db[i]);
        fputs(", \"max_spl_db\": ", f);
        jnum(f, ch->max_spl_db[i]);
        fputc('}', f);
    }
    fputs("], \"gain_db\": ", f);
    jnum(f, ch->gain_db[ch->chosen]);
    fprintf(f, ", \"chosen_auto\": %s, \"digital_atten_db\": ", ch->chosen_auto ? "true" : "false");
    jnum(f, ch->digital_atten_db);
    fputs(", \"bits_lost\": ", f);
    jnum(f, ch->bits_lost);
    fputc('}', f);
}

static void jnum(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.6g", v);
    else
        fputs("null", f);
}

static void jkey(FILE *f, const char *k, double v)
{
    fprintf(f, ",\n  \"%s\": ", k);
    jnum(f, v);
}

/* hph_scan_run's progress, drawn on the terminal */
static void show_progress(void *user, double fraction)
{
    hpc_progress_update(user, fraction);
}

static void print_json(const ctx *c, const measured *m, size_t n_m, const hph_scan *scan, const hpa_advise_pick *picks,
                       size_t n_picks)
{
    const hpa_advice *a = c->a;
    FILE *f = stdout;
    char line[4096], r[1600];
    fputs("{\n  \"verdict\": ", f);
    hpc_json_string(f, hpa_verdict_name(a->verdict));
    verdict_line(c, line, sizeof line);
    fputs(",\n  \"summary\": ", f);
    hpc_json_string(f, line);
    fputs(",\n  \"reasons\": [", f);
    int first = 1;
    for (unsigned i = 0; i < HPA_REASON_COUNT; i++) {
        unsigned bit = 1u << i;
        if (!(a->reasons & bit))
            continue;
        reason_text(c, bit, r, sizeof r);
        fputs(first ? "\n    {\"code\": " : ",\n    {\"code\": ", f);
        hpc_json_string(f, hpa_reason_code(bit));
        fputs(", \"text\": ", f);
        hpc_json_string(f, r);
        fputc('}', f);
        first = 0;
    }
    fputs(first ? "]" : "\n  ]", f);
    fputs(",\n  \"headphones\": {\"id\": ", f);
    hpc_json_string(f, c->h->id);
    fputs(", \"name\": ", f);
    hpc_json_string(f, c->hp_name);
    fprintf(f, ", \"active\": %s}", c->h->active ? "true" : "false");
    fputs(",\n  \"source\": {\"id\": ", f);
    hpc_json_string(f, c->s->id);
    fputs(", \"name\": ", f);
    hpc_json_string(f, c->src_name);
    fputs(", \"kind\": ", f);
    hpc_json_string(f, hpa_db_src_kind_name(c->s->kind));
    fputc('}', f);
    jkey(f, "level_db", a->level_db);
    jkey(f, "crest_db", a->crest_db);
    fputs(",\n  \"crest_from\": ", f);
    hpc_json_string(f, c->have_music ? "music" : "default");
    if (c->have_music) {
        jkey(f, "crest_percentile", c->percentile);
        fprintf(f, ",\n  \"crest_tracks\": %zu", c->music->n_counted);
        jkey(f, "crest_seconds", c->music->seconds);
        fprintf(f, ",\n  \"all_short\": %s", c->music->all_short ? "true" : "false");
    }
    jkey(f, "peak_spl_db", a->peak_spl_db);
    jkey(f, "sensitivity_db_v", a->sens_db_per_v);
    jkey(f, "nominal_ohm", a->nominal_ohm);
    jkey(f, "load_ohm", a->load_ohm);
    jkey(f, "load_hz", a->load_hz);
    jkey(f, "voc_v", a->voc_v);
    jkey(f, "imax_ma", a->imax_ma > 0 ? a->imax_ma : NAN);
    jkey(f, "zout_ohm", a->zout_ohm);
    jkey(f, "required_vrms", a->required_vrms);
    jkey(f, "available_vrms", a->available_vrms);
    jkey(f, "required_ma", a->required_ma);
    jkey(f, "available_ma", a->available_ma);
    jkey(f, "required_mw", a->required_mw);
    jkey(f, "available_mw", a->available_mw);
    jkey(f, "level_vrms", a->level_vrms);
    jkey(f, "max_spl_db", a->max_spl_db);
    jkey(f, "headroom_db", a->headroom_db);
    fputs(",\n  \"limit\": ", f);
    if (limit_name(a->limit))
        hpc_json_string(f, limit_name(a->limit));
    else
        fputs("null", f);
    jkey(f, "damping_factor", a->damping_factor);
    fputs(",\n  \"eighth_rule_ok\": ", f);
    fputs(a->eighth_rule_ok < 0 ? "null" : a->eighth_rule_ok ? "true" : "false", f);
    jkey(f, "fr_deviation_db", a->fr.worst_db);
    jkey(f, "fr_deviation_hz", a->fr.worst_hz);
    jkey(f, "fr_spread_db", a->fr.spread_db);
    fputs(",\n  \"noise_from\": ", f);
    if (a->noise_from == HPA_NOISE_UNKNOWN)
        fputs("null", f);
    else
        hpc_json_string(f, a->noise_from == HPA_NOISE_STATED ? "stated" : "snr");
    jkey(f, "noise_uv", a->noise_uv);
    jkey(f, "hiss_spl_db", a->hiss_spl_db);
    jkey(f, "attenuation_db", a->attenuation_db);
    jkey(f, "level_mw", a->level_mw);
    jkey(f, "level_share", a->level_share);
    fprintf(f, ",\n  \"battery\": %s", c->s->battery < 0 ? "null" : c->s->battery ? "true" : "false");
    jkey(f, "battery_h", c->s->battery_h);
    if (c->chain)
        json_chain(f, c);
    if (c->n_modes > 1) {
        fputs(",\n  \"mode\": {\"used\": ", f);
        hpc_json_string(f, hpa_db_source_at(c->db, c->modes[c->mode_pos])->id);
        fputs(", \"how\": ", f);
        hpc_json_string(f, c->mode_how == HPA_MODE_LOAD ? "load-range" : "best");
        fputs(", \"modes\": [", f);
        for (size_t i = 0; i < c->n_modes; i++) {
            fputs(i ? ", " : "", f);
            hpc_json_string(f, hpa_db_source_at(c->db, c->modes[i])->id);
        }
        fputs("]}", f);
    }
    if (c->have_music) {
        fputs(",\n  \"tracks\": [", f);
        for (size_t i = 0; i < n_m; i++) {
            const hph_track *t = m[i].t;
            fputs(i ? ",\n    {\"path\": " : "\n    {\"path\": ", f);
            hpc_json_string(f, t->path);
            fputs(", \"loudness_lufs\": ", f);
            jnum(f, t->loudness_lufs);
            fputs(", \"true_peak_dbtp\": ", f);
            jnum(f, t->true_peak_dbtp);
            fputs(", \"crest_db\": ", f);
            jnum(f, m[i].crest);
            fputs(", \"loudest_clean_db\": ", f);
            jnum(f, a->max_spl_db - m[i].crest);
            fputs(", \"duration_s\": ", f);
            jnum(f, t->duration_s);
            fprintf(f, ", \"counted\": %s", m[i].counted ? "true" : "false");
            fprintf(f, ", \"rate_hz\": %u, \"channels\": %u}", t->rate_hz, t->channels);
        }
        fputs(n_m ? "\n  ]" : "]", f);
        fputs(",\n  \"skipped\": [", f);
        int any = 0;
        for (size_t i = 0; i < scan->n; i++) {
            const hph_track *t = &scan->tracks[i];
            if (t->ok)
                continue;
            fputs(any ? ",\n    {\"path\": " : "\n    {\"path\": ", f);
            hpc_json_string(f, t->path);
            fputs(", \"why\": ", f);
            hpc_json_string(f, t->why);
            fputc('}', f);
            any = 1;
        }
        fputs(any ? "\n  ]" : "]", f);
    }
    fputs(",\n  \"suggestions\": [", f);
    for (size_t i = 0; i < n_picks; i++) {
        const hpa_db_source *s = hpa_db_source_at(c->db, picks[i].index);
        char name[512];
        hpc_db_name(c->db, (hpa_db_ref){HPA_DB_SOURCES, picks[i].index}, name, sizeof name);
        fputs(i ? ",\n    {\"id\": " : "\n    {\"id\": ", f);
        hpc_json_string(f, s->id);
        fputs(", \"name\": ", f);
        hpc_json_string(f, name);
        fputs(", \"kind\": ", f);
        hpc_json_string(f, hpa_db_src_kind_name(s->kind));
        fputs(", \"output\": ", f);
        hpc_json_string(f, hpa_db_output_name(s->output));
        fputs(", \"headroom_db\": ", f);
        jnum(f, picks[i].headroom_db);
        fputs(", \"max_spl_db\": ", f);
        jnum(f, picks[i].max_spl_db);
        fputs(", \"limit\": ", f);
        hpc_json_string(f, limit_name(picks[i].limit) ? limit_name(picks[i].limit) : "");
        fprintf(f, ", \"zout_known\": %s", picks[i].zout_known ? "true" : "false");
        fputs(", \"hiss_spl_db\": ", f);
        jnum(f, picks[i].hiss_spl_db);
        fputs(", \"attenuation_db\": ", f);
        jnum(f, picks[i].attenuation_db);
        fputc('}', f);
    }
    fputs(n_picks ? "\n  ]\n}\n" : "]\n}\n", f);
}

/* ------------------------------------------------------------------------ */

/* --plot's folder must exist and take a new file: said before the analysis
 * (a --music scan can take minutes), not after it.  0, or 1 after a message. */
static int plot_folder_check(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    struct stat st;
    if (stat(dir, &st) != 0) {
        hpc_fail("io", "--plot %s: %s: %s", path, dir, strerror(errno));
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        hpc_fail("io", "--plot %s: %s is not a folder", path, dir);
        return 1;
    }
    if (access(dir, W_OK) != 0) {
        hpc_fail("io", "--plot %s: %s: %s", path, dir, strerror(errno));
        return 1;
    }
    return 0;
}

int hpc_cmd_advise(int argc, char **argv)
{
    hph_quiet_enable(); /* libmpg123's notes stay out of the output (host/quiet.h) */
    advise_opts o;
    memset(&o, 0, sizeof o);
    o.music = calloc((size_t)argc + 1, sizeof *o.music);
    if (!o.music) {
        hpc_fail("no-memory", "out of memory");
        return 1;
    }
    int rc = parse_args(argc, argv, &o);
    if (!rc && o.plot && plot_folder_check(o.plot))
        rc = 1;
    if (rc) {
        free(o.music);
        if (rc > 0 && hpc_argv_json(argc, argv))
            hpc_json_failure(stdout, rc);
        return rc < 0 ? 0 : rc;
    }

    hpa_db *db = NULL;
    hph_scan scan;
    memset(&scan, 0, sizeof scan);
    measured *m = NULL;
    hpa_advise_pick *picks = NULL;
    hpc_plot_track *pt = NULL;
    int answered = 0; /* the --json answer is out */
    rc = 1;
    if (hpc_db_open(&db))
        goto out;

    size_t hi, si;
    int r = hpc_db_resolve(db, HPA_DB_HEADPHONES, o.hp, "--headphones", &hi);
    if (r) {
        rc = r;
        goto out;
    }
    /* a source or amp named by a device with several modes: all of them,
     * one chosen below for this headphone (a DAC before an amp: the first) */
    size_t src_modes[HPA_DB_MAX_MATCHES], n_src_modes = 0, amp_modes[HPA_DB_MAX_MATCHES], n_amp_modes = 0;
    r = resolve_device(db, o.src, "--source", src_modes, HPA_DB_MAX_MATCHES, &n_src_modes);
    if (r) {
        rc = r;
        goto out;
    }
    if (o.amp && (r = resolve_device(db, o.amp, "--amp", amp_modes, HPA_DB_MAX_MATCHES, &n_amp_modes)) != 0) {
        rc = r;
        goto out;
    }
    si = src_modes[0];
    size_t ai = o.amp ? amp_modes[0] : 0;
    const hpa_db_headphone *h = hpa_db_headphone_at(db, hi);
    const hpa_db_source *s = hpa_db_source_at(db, si);
    const hpa_db_source *amp = o.amp ? hpa_db_source_at(db, ai) : NULL;
    /* the amp's settings: the stated ones, or the one --gain names */
    double gains[HPA_DB_MAX_GAINS];
    unsigned n_gains = 0;
    int gain_index = -1;
    if (amp) {
        if (o.gain && strcmp(o.gain, "low") != 0 && strcmp(o.gain, "high") != 0) {
            hpa_parse_double(o.gain, -40.0, 60.0, &gains[0]); /* checked by parse_args */
            n_gains = 1;
            gain_index = 0;
        } else {
            char an[512];
            hpc_db_name(db, (hpa_db_ref){HPA_DB_SOURCES, ai}, an, sizeof an);
            if (!amp->n_gains) {
                hpc_fail("cannot-tell", "the gain settings of %s are not known as numbers (%s): give --gain DB", an,
                         *amp->gain_settings ? amp->gain_settings : "not stated");
                goto out;
            }
            n_gains = amp->n_gains;
            for (unsigned i = 0; i < n_gains; i++)
                gains[i] = amp->gain_db[i];
            if (o.gain) { /* low or high: the lowest or highest stated */
                gain_index = 0;
                for (unsigned i = 1; i < n_gains; i++)
                    if (o.gain[0] == 'l' ? gains[i] < gains[gain_index] : gains[i] > gains[gain_index])
                        gain_index = (int)i;
            }
        }
    }

    /* the music */
    double crest = HPA_ADVISE_DEFAULT_CREST_DB;
    hpa_music_crest music;
    memset(&music, 0, sizeof music);
    size_t n_m = 0, n_skipped = 0, n_warned = 0;
    if (o.n_music) {
        for (size_t i = 0; i < o.n_music; i++) {
            size_t before = scan.n;
            int failed = hph_scan_add(&scan, o.music[i]);
            for (size_t k = before; k < scan.n; k++)
                if (scan.tracks[k].unread)
                    hpc_warn("%s: %s (skipped)", scan.tracks[k].path, scan.tracks[k].why);
            if (failed) {
                hpc_fail(scan.error_code, "%s", scan.error);
                goto out;
            }
        }
        if (!scan.n) {
            hpc_fail("no-audio", "no files in %s%s", o.music[0], o.n_music > 1 ? " and the other --music paths" : "");
            goto out;
        }
        hpc_progress bar;
        hpc_progress_begin(&bar, "measuring", 1);
        hph_scan_run(&scan, o.threads, bar.enabled ? show_progress : NULL, &bar);
        hpc_progress_end(&bar);
        m = malloc(scan.n * sizeof *m);
        if (!m) {
            hpc_fail("no-memory", "out of memory");
            goto out;
        }
        for (size_t i = 0; i < scan.n; i++) {
            const hph_track *t = &scan.tracks[i];
            if (t->ok) {
                m[n_m].t = t;
                m[n_m].crest = t->true_peak_dbtp - t->loudness_lufs;
                n_m++;
            } else {
                /* the unread were warned about while the folders were walked */
                if (!t->unread && n_warned++ < SKIPPED_SHOWN)
                    hpc_warn("%s: %s (skipped)", t->path, t->why);
                n_skipped++;
            }
        }
        if (n_warned > SKIPPED_SHOWN)
            hpc_warn("%zu more files skipped (see --json: skipped)", n_warned - SKIPPED_SHOWN);
        if (!n_m) {
            hpc_fail("no-audio", "no audio to measure in %s%s (%zu file%s, none readable audio with a loudness)",
                     o.music[0], o.n_music > 1 ? " and the other --music paths" : "", scan.n, scan.n == 1 ? "" : "s");
            goto out;
        }
        qsort(m, n_m, sizeof *m, cmp_crest);
        /* the target: a high percentile by playing time of the crest of the
         * files long enough to be music */
        double *cr = malloc(n_m * sizeof *cr), *du = malloc(n_m * sizeof *du);
        unsigned char *cnt = malloc(n_m);
        int ok = cr && du && cnt;
        for (size_t i = 0; ok && i < n_m; i++) {
            cr[i] = m[i].crest;
            du[i] = m[i].t->duration_s;
        }
        ok = ok && hpa_advise_music_crest(cr, du, n_m, o.percentile, HPA_ADVISE_MIN_MUSIC_S, cnt, &music) == HPA_OK;
        for (size_t i = 0; ok && i < n_m; i++)
            m[i].counted = cnt[i];
        free(cr);
        free(du);
        free(cnt);
        if (!ok) {
            hpc_fail("no-memory", "out of memory");
            goto out;
        }
        crest = fmin(60.0, fmax(-20.0, music.crest_db));
    }

    /* the mode of the device that drives the headphone */
    const size_t *modes = o.amp ? amp_modes : src_modes;
    size_t n_modes = o.amp ? n_amp_modes : n_src_modes, mode_pos = 0;
    hpa_mode_how mode_how = HPA_MODE_ONLY;
    if (n_modes > 1 && hpa_advise_pick_mode(db, h, modes, n_modes, o.level_db, crest, &mode_pos, &mode_how) != HPA_OK) {
        hpc_error("advise: cannot choose among the modes of '%s'", o.amp ? o.amp : o.src);
        goto out;
    }
    if (o.amp) {
        ai = amp_modes[mode_pos];
        amp = hpa_db_source_at(db, ai);
    } else {
        si = src_modes[mode_pos];
        s = hpa_db_source_at(db, si);
    }
    hpa_advice a;
    hpa_chain_advice chain;
    const hpa_db_source *dac = NULL;
    size_t dac_i = si;
    if (amp) {
        if (hpa_advise_chain(h, s, amp, gains, n_gains, gain_index, o.level_db, crest, &chain) != HPA_OK) {
            hpc_error("advise: cannot compute the chain (level %.1f dB SPL, crest %.1f dB)", o.level_db, crest);
            goto out;
        }
        a = chain.advice;
        dac = s; /* from here on the source is the amp, fed by the DAC */
        s = amp;
        si = ai;
    } else if (hpa_advise(h, s, o.level_db, crest, &a) != HPA_OK) {
        hpc_error("advise: cannot compute (level %.1f dB SPL, crest %.1f dB)", o.level_db, crest);
        goto out;
    }
    size_t n_src = hpa_db_count(db, HPA_DB_SOURCES), n_picks = 0, total_picks = 0;
    picks = malloc((n_src ? n_src : 1) * sizeof *picks);
    if (!picks) {
        hpc_fail("no-memory", "out of memory");
        goto out;
    }
    hpa_advise_suggest(db, h, o.level_db, crest, si, picks, n_src, &total_picks);
    n_picks = total_picks < n_src ? total_picks : n_src;

    ctx c;
    memset(&c, 0, sizeof c);
    c.db = db;
    c.h = h;
    c.s = s;
    c.a = &a;
    c.have_music = o.n_music > 0;
    c.music = &music;
    c.percentile = o.percentile;
    hpc_db_name(db, (hpa_db_ref){HPA_DB_HEADPHONES, hi}, c.hp_name, sizeof c.hp_name);
    hpc_db_name(db, (hpa_db_ref){HPA_DB_SOURCES, si}, c.src_name, sizeof c.src_name);
    c.modes = modes;
    c.n_modes = n_modes;
    c.mode_pos = mode_pos;
    c.mode_how = mode_how;
    if (dac) {
        c.dac = dac;
        c.chain = &chain;
        hpc_db_name(db, (hpa_db_ref){HPA_DB_SOURCES, dac_i}, c.dac_name, sizeof c.dac_name);
        size_t n = strlen(c.src_name);
        snprintf(c.src_name + n, sizeof c.src_name - n, " at %+.3g dB after %s", chain.gain_db[chain.chosen],
                 c.dac_name);
    }

    /* with --json the answer is printed once nothing can fail any more (the
     * plot comes first), so that stdout holds one object: the answer, or
     * the error; "cannot tell" is an answer (verdict unknown, exit 1) */
    if (a.verdict == HPA_VERDICT_UNKNOWN) {
        char line[4096];
        if (o.json) {
            print_json(&c, m, n_m, &scan, picks, n_picks);
            answered = 1;
        }
        verdict_line(&c, line, sizeof line);
        hpc_fail("cannot-tell", "%s", line);
        rc = 1;
        goto out;
    }
    if (!o.json)
        print_text(&c, m, n_m, n_skipped, picks, n_picks, total_picks);
    fflush(stdout);

    if (o.plot) {
        hpa_headphone hp;
        hpa_source src;
        int zk = 0;
        int have_hp = !h->active && hpa_advise_headphone(h, &hp, NULL) == HPA_OK;
        int have_src = hpa_advise_source(s, &src, &zk, NULL) == HPA_OK;
        if (!have_hp || !isfinite(a.max_spl_db)) {
            hpc_fail("nothing-to-plot", "--plot: nothing to draw: %s has its own amplifier", c.hp_name);
            goto out;
        }
        size_t n_pt = n_m < TRACKS_SHOWN ? n_m : TRACKS_SHOWN;
        pt = calloc(n_pt + 1, sizeof *pt);
        if (!pt) {
            hpc_fail("no-memory", "out of memory");
            goto out;
        }
        for (size_t i = 0; i < n_pt; i++) {
            pt[i].label = base_name(m[i].t->path);
            pt[i].loudness_lufs = m[i].t->loudness_lufs;
            pt[i].crest_db = m[i].crest;
        }
        char title[1200], why[256];
        snprintf(title, sizeof title, "%s on %s: %s", c.hp_name, c.src_name, hpa_verdict_name(a.verdict));
        if (hpc_plot_write(o.plot, title, &hp, have_src ? &src : NULL, zk, &a, pt, n_pt, why, sizeof why)) {
            hpc_fail("io", "--plot %s: %s", o.plot, why);
            goto out;
        }
        if (!o.json) {
            char shown[4096];
            printf("\n  plot written to %s\n", hpa_escape_text(shown, sizeof shown, o.plot));
        }
    }
    if (o.comp_eq && hpc_compensation_eq(o.comp_eq, h, s, c.hp_name, c.src_name, o.json))
        goto out;
    if (o.json) {
        print_json(&c, m, n_m, &scan, picks, n_picks);
        answered = 1;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        hpc_fail("io", "cannot write the output");
        goto out;
    }
    rc = 0;
out:
    if (rc && o.json && !answered)
        hpc_json_failure(stdout, rc);
    free(pt);
    free(picks);
    free(m);
    hph_scan_free(&scan);
    hpa_db_destroy(db);
    free(o.music);
    return rc;
}
