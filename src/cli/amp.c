/* amp.c — `hpamp amp`: the headphone amp of the whole desktop, a PipeWire
 * sink every application plays into (engine: <hpamp/host/amp.h>), with the
 * hearing protection of `hpamp play` and profiles that follow the output
 * (<hpamp/host/amp.h>); and `hpamp device list|set`.  See docs/amp.md.
 *
 * This thread chooses the output, builds each profile's chain and watches:
 * on every change of output it gates the sound (after a smoothed mute),
 * puts in the new output's chain at the volume floor, moves the playback
 * stream there and opens the gate: the new device hears a ramp from 40 dB
 * below its profile's start level, never the old device's volume. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hpamp/chain.h>
#include <hpamp/eq.h>

#include <hpamp/host/amp.h>

#include "cli.h"
#include <hpamp/host/dose.h>
#include "dose.h"
#include "eqfile.h"
#include "gear.h"
#include "preset.h"
#include <hpamp/safety.h>
#include "term.h"
#include "tty.h"

#define STEP_DB 0.5

typedef struct amp_opts {
    int set_default, loud_ok, quiet, volume_set, max_set;
    const char *input, *hp, *src, *preset, *eq_file;
    double volume_db, max_volume_db;
    uint32_t dose_mode;
} amp_opts;

/* what one output gets: its profile's levels and chain */
typedef struct gear {
    char output[128];  /* node.name */
    char profile[128]; /* the profile's name, "" none */
    char title[420];   /* "HD 600 on SH-6", or the output's description */
    hpa_safety safety;
    double start_db;
    hpa_settings *preset; /* loaded, or NULL */
    const char *eq_file;
    int crossfeed;
    double fcut, feed;
} gear;

static void usage(FILE *f)
{
    fputs("Usage: hpamp amp [options]\n"
          "\n"
          "The headphone amp of the whole desktop: a PipeWire sink named 'hpamp' that\n"
          "every application can play into.  What arrives runs through the chain (EQ,\n"
          "crossfeed, volume, true-peak limiter) and plays on the output: the default\n"
          "sink, followed as it changes.  Each output gets its profile from\n"
          "$XDG_CONFIG_HOME/hpamp/devices.ini (hpamp device set): headphones, source,\n"
          "preset, volume cap.  On every change of output the sound is muted and ramps\n"
          "up to the new profile's safe level.  Runs until SIGTERM, SIGINT or q.\n"
          "\n"
          "Options:\n"
          "      --default         make the amp the default sink while it runs (the\n"
          "                        previous default comes back when it exits)\n"
          "      --input DEV       take a PipeWire source (line-in, S/PDIF, a USB\n"
          "                        interface) or a sink's monitor instead of being a sink\n"
          "  -H, --headphones H    the headphone, for outputs without a profile\n"
          "  -S, --source S        the source driving it (with -H: levels in dB SPL)\n"
          "  -v, --volume DB       the start volume of outputs whose profile has none\n"
          "                        (default: 85 dB SPL with known gear, else -30 dBFS);\n"
          "                        above that needs --i-understand-loud\n"
          "      --max-volume DB   a hard ceiling for every output, -120..0 (default 0)\n"
          "      --i-understand-loud\n"
          "                        allow volumes above the safe level\n"
          "      --preset NAME     a preset for outputs whose profile names none\n"
          "      --eq FILE         an EQ file for outputs whose profile names none\n"
          "      --dose-mode N     the sound dose's allowance: 1 adults (default),\n"
          "                        2 children and sensitive listeners (as hpamp dose)\n"
          "  -q, --quiet           no status lines\n"
          "  -h, --help            show this help\n"
          "\n"
          "Keys (when standard input is a terminal):\n"
          "  + or Up     volume +0.5 dB        - or Down   volume -0.5 dB\n"
          "  m           mute / unmute         !           allow louder than the safe level\n"
          "  e           EQ in/out             x           crossfeed in/out\n"
          "  q           quit\n"
          "\n"
          "Exit status: 0 stopped (q, SIGTERM, SIGINT), 1 failure, 2 usage error.\n",
          f);
}

static int parse_args(int argc, char **argv, amp_opts *o)
{
    enum { OPT_DEFAULT = 256, OPT_INPUT, OPT_MAX, OPT_LOUD, OPT_PRESET, OPT_EQ, OPT_DOSE };
    static const struct option longopts[] = {
        {"default", no_argument, 0, OPT_DEFAULT},
        {"input", required_argument, 0, OPT_INPUT},
        {"headphones", required_argument, 0, 'H'},
        {"headphone", required_argument, 0, 'H'},
        {"source", required_argument, 0, 'S'},
        {"volume", required_argument, 0, 'v'},
        {"max-volume", required_argument, 0, OPT_MAX},
        {"i-understand-loud", no_argument, 0, OPT_LOUD},
        {"preset", required_argument, 0, OPT_PRESET},
        {"eq", required_argument, 0, OPT_EQ},
        {"dose-mode", required_argument, 0, OPT_DOSE},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    memset(o, 0, sizeof *o);
    o->dose_mode = 1;
    optind = 1;
    opterr = 0;
    int c;
    char r1[96];
    const double floor_db = hpa_param_info_get(HPA_PARAM_VOLUME_DB)->min_value;
    while ((c = getopt_long(argc, argv, ":H:S:v:qh", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_DEFAULT: o->set_default = 1; break;
        case OPT_INPUT: o->input = optarg; break;
        case 'H': o->hp = optarg; break;
        case 'S': o->src = optarg; break;
        case 'v':
            if (hpa_param_parse(optarg, HPA_PARAM_VOLUME_DB, &o->volume_db)) {
                hpc_error("amp: --volume takes %s, not '%s'", hpa_param_range_text(HPA_PARAM_VOLUME_DB, r1, sizeof r1),
                          optarg);
                return EXIT_USAGE;
            }
            o->volume_set = 1;
            break;
        case OPT_MAX:
            if (hpa_parse_double(optarg, floor_db, 0.0, &o->max_volume_db)) {
                hpc_error("amp: --max-volume takes %s, not '%s'", hpa_range_text(floor_db, 0.0, "dBFS", r1, sizeof r1),
                          optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_LOUD: o->loud_ok = 1; break;
        case OPT_PRESET: o->preset = optarg; break;
        case OPT_EQ: o->eq_file = optarg; break;
        case OPT_DOSE:
            if (hpc_parse_u32(optarg, 1, 2, &o->dose_mode)) {
                hpc_error("amp: --dose-mode takes 1 or 2, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'q': o->quiet = 1; break;
        case 'h': usage(stdout); exit(0);
        case ':': hpc_error("amp: %s needs a value (see hpamp amp --help)", argv[optind - 1]); return EXIT_USAGE;
        default: hpc_error("amp: unknown option '%s' (see hpamp amp --help)", argv[optind - 1]); return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        hpc_error("amp: unexpected argument '%s' (see hpamp amp --help)", argv[optind]);
        return EXIT_USAGE;
    }
    if (!o->hp != !o->src) {
        hpc_error("amp: --headphones and --source go together (the SPL at the ear needs both)");
        return EXIT_USAGE;
    }
    if (o->input && o->set_default) {
        hpc_error("amp: --input makes the amp a capture, not a sink: --default does not go with it");
        return EXIT_USAGE;
    }
    return 0;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static double db_of(double lin)
{
    return lin > 0.0 ? 20.0 * log10(lin) : -INFINITY;
}

static void gear_free(gear *g)
{
    free(g->preset);
    g->preset = NULL;
}

/* The levels and the chain's stages for output o: its profile's, else the
 * command line's.  Never fails: what cannot be known is warned about and
 * gets the levels of unknown gear. */
static void gear_for(const amp_opts *o, const hph_amp_profiles *ps, const hph_amp_output *out, gear *g)
{
    memset(g, 0, sizeof *g);
    snprintf(g->output, sizeof g->output, "%s", out->kv[HPH_AMP_K_NAME]);
    const hph_amp_profile *p = hph_amp_profiles_match(ps, out);
    if (p)
        snprintf(g->profile, sizeof g->profile, "%s", p->name);
    const char *hp = p && *p->headphones ? p->headphones : o->hp;
    const char *src = p && *p->source ? p->source : o->src;
    const char *preset = p && *p->preset ? p->preset : o->preset;
    g->eq_file = p && *p->eq ? p->eq : o->eq_file;
    double max_db = o->max_volume_db;
    if (p && p->has_max_volume && p->max_volume_db < max_db)
        max_db = p->max_volume_db;
    if (preset) {
        g->preset = malloc(sizeof *g->preset);
        char origin[HPA_SETTINGS_PATH_MAX + 128];
        if (!g->preset || hpc_preset_load(preset, g->preset, origin, sizeof origin)) {
            hpc_warn("amp: output %s: preset '%s' not used", g->output, preset);
            free(g->preset);
            g->preset = NULL;
        }
    }
    if (g->preset) {
        if (!g->eq_file && g->preset->eq_file[0])
            g->eq_file = g->preset->eq_file;
        if (g->preset->has_crossfeed) {
            g->crossfeed = 1;
            g->fcut = g->preset->fcut_hz;
            g->feed = g->preset->feed_db;
        }
        if (g->preset->has_max_volume && g->preset->max_volume_db < max_db)
            max_db = g->preset->max_volume_db;
    }
    const char *desc = *out->kv[HPH_AMP_K_DESC] ? out->kv[HPH_AMP_K_DESC] : g->output;
    if (hp && src) {
        if (hpc_safety_from_gear("amp", hp, src, max_db, &g->safety, g->title, sizeof g->title)) {
            hpc_warn("amp: output %s%s%s: the headphones or source are not known; levels as for unknown "
                     "headphones (%.0f dBFS)",
                     g->output, p ? ", profile " : "", p ? p->name : "", HPA_SAFE_START_UNKNOWN_DB);
            hpa_safety_unknown(&g->safety, max_db);
            snprintf(g->title, sizeof g->title, "%s", desc);
        }
    } else {
        if (p && (*p->headphones || *p->source))
            hpc_warn("amp: profile %s names %s without %s: levels as for unknown headphones", p->name,
                     *p->headphones ? "headphones" : "a source", *p->headphones ? "a source" : "headphones");
        hpa_safety_unknown(&g->safety, max_db);
        snprintf(g->title, sizeof g->title, "%s", desc);
    }
    if (g->preset && g->preset->has_limit && g->preset->limit_dbtp < g->safety.limit_dbtp)
        g->safety.limit_dbtp = g->preset->limit_dbtp;
    g->start_db = p && p->has_volume ? p->volume_db : o->volume_set ? o->volume_db : g->safety.start_db;
    if (g->start_db > g->safety.ceiling_db)
        g->start_db = g->safety.ceiling_db;
}

/* a chain for g at rate; NULL after a message */
static hph_amp_dsp *dsp_for(const gear *g, uint32_t rate, int acknowledged)
{
    hpa_eq_profile eq;
    memset(&eq, 0, sizeof eq);
    int bad = 0;
    if (g->eq_file)
        bad = hpc_eq_load_file(g->eq_file, rate, 1, &eq);
    else if (g->preset && g->preset->eq_len)
        bad = hpc_eq_load_text("preset", g->preset->eq_text, g->preset->eq_len, rate, 1, &eq);
    if (bad) {
        hpc_warn("amp: output %s: the EQ is left out", g->output);
        memset(&eq, 0, sizeof eq);
    }
    hph_amp_dsp_config dc = {
        .rate_hz = rate,
        .limit_dbtp = g->safety.limit_dbtp,
        .max_volume_db = g->safety.ceiling_db,
        .eq_bands = eq.bands,
        .n_eq_bands = eq.n_bands,
        .eq_preamp_db = eq.preamp_db,
        .crossfeed = g->crossfeed,
        .xf_fcut_hz = g->fcut,
        .xf_feed_db = g->feed,
        .dose = g->safety.spl_known,
        .start_db = hpa_safety_allow(&g->safety, g->start_db, acknowledged),
    };
    char why[320];
    hph_amp_dsp *d = hph_amp_dsp_new(&dc, why, sizeof why);
    hpa_eq_profile_free(&eq);
    if (!d)
        hpc_error("amp: %s", why);
    return d;
}

/* the journal, opened with the first output whose gear is known */
typedef struct dose_track {
    hph_dose dose;
    int open, tried;
} dose_track;

/* the output to play on: the default sink unless it is the amp (or gone),
 * else the current one while it exists, else the first there is */
static int pick_output(const hph_amp_output *outs, int n, const hph_amp_state *st, const char *current)
{
    int cur = -1;
    for (int i = 0; i < n; i++) {
        if (*st->default_sink && !strcmp(outs[i].kv[HPH_AMP_K_NAME], st->default_sink))
            return i;
        if (!strcmp(outs[i].kv[HPH_AMP_K_NAME], current))
            cur = i;
    }
    if (cur >= 0)
        return cur;
    for (int i = 0; i < n; i++)
        if (!*outs[i].kv[HPH_AMP_K_GROUP]) /* not another filter's sink */
            return i;
    return -1;
}

typedef struct amp_run {
    amp_opts o;
    hph_amp_profiles ps;
    hph_amp_engine *e;
    gear g;
    int have_gear;
    uint32_t rate;
    hph_session *s; /* the engine's: the one policy path (keys here, the web page) */
    dose_track dt;
    int tty;
    double peak[HPH_AMP_CHANNELS]; /* since the last status line */
} amp_run;

static void say(amp_run *r, const char *fmt, const char *a, const char *b)
{
    if (r->o.quiet)
        return;
    if (r->tty)
        fputs("\r\033[K", stderr);
    fprintf(stderr, "amp: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
}

/* the dose step of the session: a record each second of output (all of
 * it, with final); the re-ask after 20 h told */
static void dose_tick(amp_run *r, const hph_amp_status *st, int final)
{
    hph_session_events ev;
    hph_session_tick(r->s, st->a_frames, st->a_energy, HPH_AMP_CHANNELS, hpc_now_s(), final, &ev);
    if (ev.ack_expired)
        hpc_warn("amp: 20 h of listening since the acknowledgement: back to %.1f dBFS; '!' to allow louder "
                 "again",
                 r->g.safety.loud_db);
}

/* mute with the chain's smoothing, then gate: silence, no click */
static void fade_out(amp_run *r)
{
    hph_amp_status st;
    hph_amp_engine_set_mute(r->e, 1);
    for (int i = 0; i < 20; i++) {
        hph_amp_engine_status(r->e, &st);
        if (st.gain < 1e-4)
            break;
        sleep_ms(5);
    }
    hph_amp_engine_gate(r->e, 0);
}

static void describe(amp_run *r)
{
    char d[600];
    snprintf(d, sizeof d, "hpamp \xe2\x80\x94 %s", r->g.title);
    hph_amp_engine_describe(r->e, d);
}

/* switch to output o (NULL: none): muted, the new chain, the ramp */
static void switch_output(amp_run *r, const hph_amp_output *o)
{
    fade_out(r);
    if (r->have_gear) {
        hph_amp_status st;
        hph_amp_engine_status(r->e, &st);
        dose_tick(r, &st, 1);
        gear_free(&r->g);
        r->have_gear = 0;
    }
    if (!o) {
        hph_amp_engine_set_output(r->e, NULL);
        say(r, "no output: waiting for one%s%s", "", "");
        return;
    }
    gear_for(&r->o, &r->ps, o, &r->g);
    r->have_gear = 1;
    if (r->g.safety.spl_known && !r->dt.tried) {
        char why[1200];
        r->dt.tried = 1;
        if (hph_dose_open(&r->dt.dose, (int)r->o.dose_mode, hph_dose_now(), 1, why, sizeof why))
            hpc_warn("amp: the sound dose is not recorded: %s", why);
        else
            r->dt.open = 1;
    }
    /* the session gets the new profile's safety: the volume goes to its
     * start level (never the old device's), the dose counts on the new chain */
    const uint32_t rate = r->rate ? r->rate : 48000;
    hph_session_config sc = {.safety = r->g.safety,
                             .start_db = r->g.start_db,
                             .acknowledged = r->o.loud_ok,
                             .dose = r->dt.open && r->g.safety.spl_known ? &r->dt.dose : NULL,
                             .rate_hz = rate};
    hph_session_retarget(r->s, &sc);
    hph_session_state ss;
    hph_session_state_get(r->s, &ss);
    hph_amp_dsp *d = dsp_for(&r->g, rate, ss.acknowledged);
    if (d)
        hph_amp_engine_swap_dsp(r->e, d);
    hph_amp_engine_set_mute(r->e, ss.muted);
    hph_amp_engine_set_output(r->e, r->g.output);
    describe(r);
    if (!r->o.quiet) {
        char line[900];
        snprintf(line, sizeof line, "%.128s%s%.128s%s: %.420s", r->g.output, *r->g.profile ? " (profile " : "",
                 r->g.profile, *r->g.profile ? ")" : "", r->g.title);
        say(r, "output %s%s", line, "");
        snprintf(line, sizeof line, "volume ramps to %+.1f dBFS, ceiling %+.1f dBFS, limiter %+.1f dBTP; %.600s",
                 ss.volume_db, r->g.safety.ceiling_db, r->g.safety.limit_dbtp, r->g.safety.basis);
        say(r, "%s%s", line, "");
    }
    hph_amp_engine_gate(r->e, 1);
}

static void status_line(amp_run *r, const hph_amp_status *st)
{
    char vol[64];
    hph_session_state ss;
    hph_session_state_get(r->s, &ss);
    if (ss.muted)
        snprintf(vol, sizeof vol, "MUTED");
    else if (r->g.safety.spl_known)
        snprintf(vol, sizeof vol, "%+.1f dB (%.1f dB SPL)", ss.volume_db, r->g.safety.spl0_db + ss.volume_db);
    else
        snprintf(vol, sizeof vol, "%+.1f dB", ss.volume_db);
    char dose[64] = "";
    if (r->dt.open)
        snprintf(dose, sizeof dose, " dose week %.1f %%", hph_dose_percent(&r->dt.dose));
    fprintf(stderr, "%samp: %s volume %s%s peak %.1f/%.1f dBFS limiter %.1f dB rate %u frames %llu cycles %llu/%llu%s",
            r->tty ? "\r" : "", r->have_gear ? r->g.output : "(none)", vol, dose, db_of(r->peak[0]), db_of(r->peak[1]),
            st->limiter_db, r->rate, (unsigned long long)st->frames, (unsigned long long)st->empty,
            (unsigned long long)st->cycles, r->tty ? "\033[K" : "\n");
    r->peak[0] = r->peak[1] = 0.0;
    fflush(stderr);
}

/* a key: a request to the session (the same path as the web page's) */
static void key(amp_run *r, int k, int *quit)
{
    switch (k) {
    case '+':
    case '=':
    case HPC_KEY_UP: hph_session_request(r->s, HPH_REQ_VOLUME_STEP, STEP_DB, NULL); break;
    case '-':
    case '_':
    case HPC_KEY_DOWN: hph_session_request(r->s, HPH_REQ_VOLUME_STEP, -STEP_DB, NULL); break;
    case 'm':
    case 'M': hph_session_request(r->s, HPH_REQ_MUTE, -1.0, NULL); break;
    case '!': hph_session_request(r->s, HPH_REQ_ACKNOWLEDGE, 1.0, NULL); break;
    case 'e':
    case 'E': hph_session_request(r->s, HPH_REQ_EQ, -1.0, NULL); break;
    case 'x':
    case 'X': hph_session_request(r->s, HPH_REQ_CROSSFEED, -1.0, NULL); break;
    case 'q':
    case 'Q': *quit = 1; break;
    default: break;
    }
}

int hpc_cmd_amp(int argc, char **argv)
{
    static amp_run run; /* large (profiles): not on the stack */
    amp_run *r = &run;
    memset(r, 0, sizeof *r);
    int rc = parse_args(argc, argv, &r->o);
    if (rc)
        return rc;
    if (hpc_amp_profiles_load(&r->ps))
        return 1;
    if (r->o.hp) { /* the command line's gear must be known now (as play) */
        hpa_safety s;
        rc = hpc_safety_from_gear("amp", r->o.hp, r->o.src, r->o.max_volume_db, &s, NULL, 0);
        if (rc)
            return rc;
    }
    if (r->o.volume_set && !r->o.loud_ok) {
        hpa_safety s;
        hpa_safety_unknown(&s, r->o.max_volume_db);
        if (r->o.hp)
            hpc_safety_from_gear("amp", r->o.hp, r->o.src, r->o.max_volume_db, &s, NULL, 0);
        if (r->o.volume_db > s.loud_db) {
            hpc_error("amp: --volume %+.1f dBFS is above the safe start level of %.1f dBFS (%s); add "
                      "--i-understand-loud to start louder",
                      r->o.volume_db, s.loud_db, s.basis);
            return EXIT_USAGE;
        }
    }
    char why[512];
    if (hph_amp_engine_connect(&r->e, why, sizeof why)) {
        hpc_error("amp: %s", why);
        return 1;
    }
    r->s = hph_amp_engine_session(r->e);
    if (r->o.input) {
        int is_sink;
        if (!hph_amp_engine_has_node(r->e, r->o.input, &is_sink)) {
            hph_amp_output outs[HPH_AMP_MAX_OUTPUTS];
            int n = hph_amp_engine_outputs(r->e, outs, HPH_AMP_MAX_OUTPUTS);
            char list[512] = "";
            for (int i = 0; i < n; i++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                         outs[i].kv[HPH_AMP_K_NAME]);
            hpc_error("amp: --input '%s': PipeWire has no source or sink of that name (sinks: %s)", r->o.input,
                      n ? list : "none");
            hph_amp_engine_close(r->e);
            return 1;
        }
    }
    hph_amp_state st;
    hph_amp_engine_state(r->e, &st);
    char restore[128]; /* what the default was before the amp took it */
    snprintf(restore, sizeof restore, "%s", strcmp(st.configured, HPH_AMP_NODE_NAME) ? st.configured : "");
    hpc_catch_stop_signals();
    if (hph_amp_engine_start(r->e, "hpamp", r->o.input, why, sizeof why)) {
        hpc_error("amp: %s", why);
        hph_amp_engine_close(r->e);
        return 1;
    }
    int keys = isatty(STDIN_FILENO) && hpc_tty_raw(STDIN_FILENO) == 0;
    r->tty = keys && isatty(STDERR_FILENO);
    if (!r->o.quiet)
        say(r, "sink '%s' is up%s", r->o.input ? "hpamp.input" : HPH_AMP_NODE_NAME,
            r->o.input ? " (capturing --input)" : "");

    int claimed = 0, quit = 0;
    unsigned seen_gen = ~0u;
    double last_line = hpc_now_s();
    hph_amp_output outs[HPH_AMP_MAX_OUTPUTS];
    hph_amp_status ms;
    for (;;) {
        if (hpc_interrupted() || quit)
            break;
        hph_amp_engine_state(r->e, &st);
        if (st.failed) {
            if (r->tty)
                fputs("\r\033[K", stderr);
            hpc_error("amp: %s", st.message);
            rc = 1;
            break;
        }
        hph_amp_engine_reap(r->e);
        if (st.generation != seen_gen || st.output_lost) {
            seen_gen = st.generation;
            /* someone chose another default: the amp plays there, and takes the default back */
            if (r->o.set_default && claimed && *st.configured && strcmp(st.configured, HPH_AMP_NODE_NAME) != 0) {
                snprintf(restore, sizeof restore, "%s", st.configured);
                claimed = 0;
            }
            int n = hph_amp_engine_outputs(r->e, outs, HPH_AMP_MAX_OUTPUTS);
            int i = pick_output(outs, n, &st, r->have_gear ? r->g.output : "");
            if (i < 0 && (r->have_gear || st.output_lost)) {
                switch_output(r, NULL);
            } else if (i >= 0 &&
                       (!r->have_gear || st.output_lost || strcmp(outs[i].kv[HPH_AMP_K_NAME], r->g.output) != 0)) {
                if (st.output_lost && r->have_gear && !strcmp(outs[i].kv[HPH_AMP_K_NAME], r->g.output))
                    say(r, "output %s went away%s", r->g.output, "");
                switch_output(r, &outs[i]);
            }
            if (st.rate_hz && st.rate_hz != r->rate) {
                r->rate = st.rate_hz;
                const hph_amp_dsp *cur = hph_amp_engine_dsp(r->e);
                if (r->have_gear && (!cur || cur->rate_hz != r->rate)) {
                    fade_out(r);
                    hph_session_state ss;
                    hph_session_state_get(r->s, &ss);
                    hph_session_set_rate(r->s, r->rate);
                    hph_amp_dsp *d = dsp_for(&r->g, r->rate, ss.acknowledged);
                    if (d)
                        hph_amp_engine_swap_dsp(r->e, d);
                    hph_amp_engine_set_mute(r->e, ss.muted);
                    hph_amp_engine_gate(r->e, 1);
                }
            }
            if (r->o.set_default && !claimed && r->have_gear) {
                if (hph_amp_engine_set_default(r->e, HPH_AMP_NODE_NAME))
                    hpc_warn("amp: cannot make hpamp the default sink (no default metadata)");
                claimed = 1;
            }
        }
        if (keys) {
            int k = hpc_tty_key(STDIN_FILENO, 20);
            if (k < 0)
                keys = 0;
            else if (k)
                key(r, k, &quit);
        } else {
            sleep_ms(20);
        }
        hph_amp_engine_status(r->e, &ms);
        for (unsigned c = 0; c < HPH_AMP_CHANNELS; c++)
            r->peak[c] = ms.peak[c] > r->peak[c] ? ms.peak[c] : r->peak[c];
        if (r->have_gear)
            dose_tick(r, &ms, 0);
        double now = hpc_now_s();
        if (!r->o.quiet && now - last_line >= (r->tty ? 0.1 : 1.0)) {
            status_line(r, &ms);
            last_line = now;
        }
    }
    /* ---- stop: silent first, the default given back, the sink removed ---- */
    fade_out(r);
    hpc_tty_restore();
    if (r->have_gear) {
        hph_amp_engine_status(r->e, &ms);
        dose_tick(r, &ms, 1);
    }
    if (r->o.set_default && !st.failed) {
        if (hph_amp_engine_set_default(r->e, *restore ? restore : NULL))
            hpc_warn("amp: the previous default sink could not be restored");
    }
    hph_amp_engine_close(r->e);
    if (r->tty)
        fputs("\r\033[K", stderr);
    if (!r->o.quiet)
        fprintf(stderr, "amp: stopped%s\n", hpc_interrupted() ? " (signal)" : "");
    gear_free(&r->g);
    if (r->dt.open)
        hph_dose_close(&r->dt.dose);
    return rc;
}
