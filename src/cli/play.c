/* play.c — `hpamp play FILE...`: files through the chain to a sound device,
 * live, with keys and hearing protection.
 *
 * Threads: this one (arguments, keys, status), the decoder (player.c) and the
 * audio thread (the backend's: alsa.c or pipewire.c) which runs the chain.
 * See docs/play.md. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hpamp/advise.h>
#include <hpamp/chain.h>
#include <hpamp/db.h>
#include <hpamp/eq.h>
#include <hpamp/model.h>

#include "../io/audiofile.h"
#include "../io/device.h"
#include "preset.h"
#include "cli.h"
#include "dbfiles.h"
#include "dose.h"
#include "eqfile.h"
#include "gear.h"
#include "player.h"
#include "safety.h"
#include "term.h"
#include "tty.h"

#define STEP_DB 0.5
#define DEFAULT_PERIOD 1024u

static void usage(FILE *f)
{
    char vol[48], ceil[48], xf[96];
    const double floor_db = hpa_param_info_get(HPA_PARAM_VOLUME_DB)->min_value;
    /* the ranges come from the parameter table (params.h) */
    fprintf(f,
            "Usage: hpamp play FILE... [options]\n"
            "\n"
            "Play files through hpamp's DAC chain to a sound device: PipeWire when a\n"
            "server is running, ALSA otherwise.  The device is opened at the first file's\n"
            "rate and format when it takes them (bit-perfect at 0 dB); otherwise the chain\n"
            "resamples and requantizes.\n"
            "\n"
            "Options:\n"
            "  -d, --device DEV      where to play:\n"
            "                          alsa:NAME        an ALSA PCM (e.g. alsa:hw:1,0; 'aplay -L' lists them)\n"
            "                          alsa             ALSA's default\n"
            "                          pipewire:TARGET  a PipeWire sink by node.name, serial or id\n"
            "                          pipewire         PipeWire's default sink\n"
            "                          NAME             an ALSA PCM name\n"
            "  -H, --headphones H    the headphone: a database name or a spec, as in advise\n"
            "  -S, --source S        the source driving it: a name or a spec, as in advise;\n"
            "                        with both, volumes show dB SPL at the ear, playback\n"
            "                        starts at 85 dB SPL and never exceeds 100 dB SPL\n"
            "  -v, --volume DB       start volume, %s, at most the ceiling (default:\n"
            "                        85 dB SPL with -H and -S, else -30 dBFS); playback\n"
            "                        starts muted and ramps to it.  Above that level needs\n"
            "                        --i-understand-loud; the lowest, %g dB, is not mute (m)\n"
            "      --max-volume DB   hard ceiling, %s (default 0): no key or flag\n"
            "                        goes above it; a true-peak limiter at the end of the\n"
            "                        chain holds every output to it (or to 100 dB SPL)\n"
            "      --i-understand-loud\n"
            "                        allow volumes above the safe level (85 dB SPL, or\n"
            "                        -30 dBFS with unknown headphones, which may already\n"
            "                        be loud)\n"
            "      --eq FILE         EQ from an AutoEq ParametricEQ.txt or GraphicEQ.txt or an\n"
            "                        Equalizer APO file, with automatic headroom (key e: in/out)\n"
            "      --crossfeed X     libbs2b crossfeed for stereo: default, cmoy, jmeier or\n"
            "                        HZ,DB (%s; key x: in/out)\n"
            "      --dose-mode N     the sound dose's allowance (with -H and -S): 1, adults,\n"
            "                        80 dBA for 40 h a week (default); 2, children and\n"
            "                        sensitive listeners, 75 dBA (ITU-T H.870); see hpamp dose\n"
            "      --period FRAMES   frames per device period, 64..8192 (default 1024)\n"
            "  -r, --rate HZ         ask the device for this rate (default: the file's)\n"
            "      --format FMT      the device's sample format: S16_LE, S24_3LE, S24_LE,\n"
            "                        S32_LE or FLOAT_LE (default: the file's depth when\n"
            "                        the device takes it, else wider); the device must take\n"
            "                        it.  PipeWire takes all but S24_3LE\n"
            "      --preset NAME     a headphone preset (hpamp preset list): its EQ,\n"
            "                        crossfeed, volume cap and limiter ceiling; flags given\n"
            "                        here win, a cap only lowers the ceiling\n"
            "      --json            status lines as JSON on stderr, a summary on stdout\n"
            "  -q, --quiet           no status lines\n"
            "  -h, --help            show this help\n"
            "\n"
            "Keys (when standard input is a terminal):\n"
            "  + or Up     volume +0.5 dB        - or Down   volume -0.5 dB\n"
            "  m           mute / unmute         !           allow louder than the safe level\n"
            "  n or Right  next file             p or Left   previous file\n"
            "  e           EQ in/out (--eq)      x           crossfeed in/out (--crossfeed)\n"
            "  q           quit\n"
            "Without a terminal no keys are read and a status line goes to stderr each\n"
            "second, so play can be scripted.\n"
            "\n"
            "Exit status: 0 done, 1 failure (device, file), 2 usage error, 128+N on signal N.\n",
            hpa_cli_param_range(HPA_PARAM_VOLUME_DB, vol, sizeof vol), floor_db,
            hpa_cli_range_text(floor_db, 0.0, "dBFS", ceil, sizeof ceil), hpa_cli_crossfeed_ranges(xf, sizeof xf));
}

typedef struct play_opts {
    const char **files;
    int n_files;
    hpa_backend backend;
    const char *device;
    double volume_db;
    int volume_set;
    double max_volume_db;
    int loud_ok;
    const char *hp, *src;
    uint32_t period, rate, dose_mode;
    int format_set;
    hpa_dev_format format; /* --format: the only one the device may take */
    const char *eq_file;
    const char *eq_text; /* the preset's inline EQ lines, or NULL */
    size_t eq_len;
    const char *preset; /* --preset NAME */
    int crossfeed;
    double xf_fcut_hz, xf_feed_db;
    int json, quiet;
} play_opts;

static int parse_device(const char *s, play_opts *o)
{
    if (!strcmp(s, "alsa") || !strcmp(s, "alsa:")) {
        o->backend = HPA_BACKEND_ALSA;
        o->device = NULL;
    } else if (!strncmp(s, "alsa:", 5)) {
        o->backend = HPA_BACKEND_ALSA;
        o->device = s + 5;
    } else if (!strcmp(s, "pipewire") || !strcmp(s, "pipewire:")) {
        o->backend = HPA_BACKEND_PIPEWIRE;
        o->device = NULL;
    } else if (!strncmp(s, "pipewire:", 9)) {
        o->backend = HPA_BACKEND_PIPEWIRE;
        o->device = s + 9;
    } else if (*s) {
        o->backend = HPA_BACKEND_ALSA;
        o->device = s;
    } else {
        return -1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, play_opts *o)
{
    enum { OPT_MAX = 256, OPT_LOUD, OPT_PERIOD, OPT_JSON, OPT_DOSE_MODE, OPT_EQ, OPT_XF, OPT_PRESET, OPT_FORMAT };
    static const struct option longopts[] = {
        {"device", required_argument, 0, 'd'},
        {"volume", required_argument, 0, 'v'},
        {"headphones", required_argument, 0, 'H'},
        {"headphone", required_argument, 0, 'H'},
        {"source", required_argument, 0, 'S'},
        {"dose-mode", required_argument, 0, OPT_DOSE_MODE},
        {"eq", required_argument, 0, OPT_EQ},
        {"crossfeed", required_argument, 0, OPT_XF},
        {"preset", required_argument, 0, OPT_PRESET},
        {"max-volume", required_argument, 0, OPT_MAX},
        {"i-understand-loud", no_argument, 0, OPT_LOUD},
        {"period", required_argument, 0, OPT_PERIOD},
        {"rate", required_argument, 0, 'r'},
        {"format", required_argument, 0, OPT_FORMAT},
        {"json", no_argument, 0, OPT_JSON},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    int c;
    char r1[96]; /* a range, for a message */
    const double floor_db = hpa_param_info_get(HPA_PARAM_VOLUME_DB)->min_value;
    memset(o, 0, sizeof *o);
    o->period = DEFAULT_PERIOD;
    o->dose_mode = 1;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":d:v:r:H:S:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (parse_device(optarg, o)) {
                hpa_cli_error("play: --device takes alsa[:NAME], pipewire[:TARGET] or an ALSA name, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'v':
            if (hpa_cli_parse_param(optarg, HPA_PARAM_VOLUME_DB, &o->volume_db)) {
                hpa_cli_error("play: --volume takes %s, not '%s'",
                              hpa_cli_param_range(HPA_PARAM_VOLUME_DB, r1, sizeof r1), optarg);
                return EXIT_USAGE;
            }
            o->volume_set = 1;
            break;
        case OPT_MAX:
            if (hpa_parse_double(optarg, floor_db, 0.0, &o->max_volume_db)) {
                hpa_cli_error("play: --max-volume takes %s, not '%s'",
                              hpa_cli_range_text(floor_db, 0.0, "dBFS", r1, sizeof r1), optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_LOUD: o->loud_ok = 1; break;
        case 'H': o->hp = optarg; break;
        case 'S': o->src = optarg; break;
        case OPT_EQ: o->eq_file = optarg; break;
        case OPT_PRESET: o->preset = optarg; break;
        case OPT_XF: {
            const char *name;
            if (hpa_cli_parse_crossfeed(optarg, &name, &o->xf_fcut_hz, &o->xf_feed_db)) {
                hpa_cli_error("play: --crossfeed takes %s, not '%s'", hpa_cli_crossfeed_choices(r1, sizeof r1), optarg);
                return EXIT_USAGE;
            }
            o->crossfeed = 1;
            break;
        }
        case OPT_DOSE_MODE:
            if (hpa_parse_u32(optarg, 1, 2, &o->dose_mode)) {
                hpa_cli_error("play: --dose-mode takes 1 or 2, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_PERIOD:
            if (hpa_parse_u32(optarg, 64, 8192, &o->period)) {
                hpa_cli_error("play: --period takes 64 to 8192 frames, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'r':
            if (hpa_parse_u32(optarg, HPA_RATE_MIN_HZ, HPA_RATE_MAX_HZ, &o->rate)) {
                hpa_cli_error("play: --rate takes a whole number of Hz from 8000 to 768000, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_FORMAT:
            if (hpa_dev_format_parse(optarg, &o->format)) {
                hpa_cli_error("play: --format takes S16_LE, S24_3LE, S24_LE, S32_LE or FLOAT_LE, not '%s'", optarg);
                return EXIT_USAGE;
            }
            o->format_set = 1;
            break;
        case OPT_JSON: o->json = 1; break;
        case 'q': o->quiet = 1; break;
        case 'h': usage(stdout); exit(0);
        case ':': hpa_cli_error("play: %s needs a value (see hpamp play --help)", argv[optind - 1]); return EXIT_USAGE;
        default:
            hpa_cli_error("play: unknown option '%s' (see hpamp play --help)", argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        hpa_cli_error("play: needs at least one file (see hpamp play --help)");
        return EXIT_USAGE;
    }
    if (!o->hp != !o->src) {
        hpa_cli_error("play: --headphones and --source go together (the SPL at the ear needs both)");
        return EXIT_USAGE;
    }
    if (o->format_set && o->format == HPA_DEV_S24_3LE && o->backend == HPA_BACKEND_PIPEWIRE) {
        hpa_cli_error("play: --format S24_3LE is for ALSA devices; PipeWire takes S16_LE, S24_LE, S32_LE or FLOAT_LE");
        return EXIT_USAGE;
    }
    o->files = (const char **)argv + optind;
    o->n_files = argc - optind;
    return 0;
}

/* formats for the device, best first: the source's own depth exactly, then wider, then float */
static int prefer_formats(hpa_format src, hpa_dev_format *out)
{
    static const hpa_dev_format s16[] = {HPA_DEV_S16, HPA_DEV_S32, HPA_DEV_S24, HPA_DEV_S24_3LE, HPA_DEV_F32};
    static const hpa_dev_format s24[] = {HPA_DEV_S32, HPA_DEV_S24, HPA_DEV_S24_3LE, HPA_DEV_F32, HPA_DEV_S16};
    static const hpa_dev_format s32[] = {HPA_DEV_S32, HPA_DEV_F32, HPA_DEV_S24, HPA_DEV_S24_3LE, HPA_DEV_S16};
    static const hpa_dev_format f32[] = {HPA_DEV_F32, HPA_DEV_S32, HPA_DEV_S24, HPA_DEV_S24_3LE, HPA_DEV_S16};
    const hpa_dev_format *l = src == HPA_FORMAT_S16   ? s16
                              : src == HPA_FORMAT_S24 ? s24
                              : src == HPA_FORMAT_F32 ? f32
                                                      : s32;
    memcpy(out, l, sizeof s16);
    return HPA_DEV_FORMAT_COUNT;
}

static double db_of(double lin)
{
    return lin > 0.0 ? 20.0 * log10(lin) : -INFINITY;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void fmt_time(char *buf, size_t len, double s)
{
    if (s < 0) {
        snprintf(buf, len, "?:??");
        return;
    }
    int m = (int)(s / 60.0);
    snprintf(buf, len, "%d:%04.1f", m, s - 60.0 * m);
}

static void meter(char *buf, int width, double peak)
{
    /* -60 .. 0 dBFS; '!' at 0 dBFS or over */
    double db = db_of(peak);
    int n = db <= -60.0 ? 0 : db >= 0.0 ? width : (int)((db + 60.0) / 60.0 * width + 0.5);
    for (int i = 0; i < width; i++)
        buf[i] = i < n ? '#' : '-';
    if (peak >= 1.0)
        buf[width - 1] = '!';
    buf[width] = 0;
}

typedef struct dose_meter {
    int have;
    hpa_dose *d;
    uint32_t rate;
    double spl0;
    double hundreds; /* warnings given: floor(percent / 100) */
    uint64_t last_frames;
    double last_energy[HPA_CHANNELS_MAX];
    double last_wall;
    double last_spl; /* the last second's dB(A) SPL, -inf in silence */
    double recorded_s;
    int have_level;
} dose_meter;

typedef struct play_ui {
    const play_opts *o;
    const char *const *files;
    int n_files;
    int tty;          /* status drawn in place on a terminal (stderr) */
    const char *note; /* shown for a while on the status line */
    double note_until;
    uint64_t xruns;
    const hpa_safety *safety;
    struct dose_meter *dm;
} play_ui;

static void draw_status(play_ui *ui, const hpa_player_status *st, int final)
{
    char pos[16], len[16];
    fmt_time(pos, sizeof pos, st->position_s);
    fmt_time(len, sizeof len, st->length_s);
    const char *name = st->index >= 0 && st->index < ui->n_files ? base_name(ui->files[st->index]) : "-";
    if (ui->o->json) {
        fprintf(stderr, "{\"file\": ");
        hpa_json_string(stderr, st->index >= 0 && st->index < ui->n_files ? ui->files[st->index] : "");
        fprintf(stderr, ", \"index\": %d, \"position_s\": ", st->index);
        hpa_json_number(stderr, st->position_s, 2);
        fprintf(stderr, ", \"volume_db\": ");
        hpa_json_number(stderr, st->volume_db, 1);
        fprintf(stderr, ", \"gain_db\": ");
        hpa_json_number(stderr, db_of(st->gain), 2);
        if (ui->safety->spl_known) {
            fprintf(stderr, ", \"volume_spl_db\": ");
            hpa_json_number(stderr, ui->safety->spl0_db + st->volume_db, 1);
        }
        if (ui->o->eq_file || ui->o->eq_text)
            fprintf(stderr, ", \"eq\": %s", st->eq_on ? "true" : "false");
        if (ui->o->crossfeed)
            fprintf(stderr, ", \"crossfeed\": %s", st->crossfeed_on ? "true" : "false");
        fprintf(stderr, ", \"limiter_db\": ");
        hpa_json_number(stderr, st->limiter_db, 2);
        fprintf(stderr, ", \"limited_frames\": %llu", (unsigned long long)st->limited_frames);
        fprintf(stderr, ", \"muted\": %s, \"peak_dbfs\": [", st->muted ? "true" : "false");
        for (uint32_t c = 0; c < st->channels; c++) {
            fprintf(stderr, "%s", c ? ", " : "");
            hpa_json_number(stderr, db_of(st->peak[c]), 1);
        }
        fprintf(stderr, "], \"clipped\": %llu, \"xruns\": %llu, \"underruns\": %llu}\n",
                (unsigned long long)st->clipped, (unsigned long long)ui->xruns, (unsigned long long)st->starved);
        return;
    }
    char vol[64];
    if (st->muted)
        snprintf(vol, sizeof vol, "MUTED");
    else if (ui->safety->spl_known)
        snprintf(vol, sizeof vol, "%+.1f dB (%.1f dB SPL)", st->volume_db, ui->safety->spl0_db + st->volume_db);
    else
        snprintf(vol, sizeof vol, "%+.1f dB", st->volume_db);
    char sw[48] = "";
    const int has_eq = ui->o->eq_file || ui->o->eq_text;
    if (has_eq || ui->o->crossfeed)
        snprintf(sw, sizeof sw, "%s%s%s%s", has_eq ? " EQ " : "", has_eq ? (st->eq_on ? "in" : "out") : "",
                 ui->o->crossfeed ? " xf " : "", ui->o->crossfeed ? (st->crossfeed_on ? "in" : "out") : "");
    char dose[96] = "";
    if (ui->dm && ui->dm->have)
        snprintf(dose, sizeof dose, " %.0f dBA, dose today %.1f %% week %.1f %%",
                 ui->dm->have_level && isfinite(ui->dm->last_spl) ? ui->dm->last_spl : 0.0,
                 100.0 * ui->dm->d->days[0].pa2h / hpa_dose_allowance_pa2h(ui->dm->d->mode),
                 hpa_dose_percent(ui->dm->d));
    if (!ui->tty) {
        fprintf(stderr, "play: [%d/%d] %s %s/%s volume %s%s%s peak", st->index + 1, ui->n_files, name, pos, len, vol,
                dose, sw);
        for (uint32_t c = 0; c < st->channels && c < 2; c++)
            fprintf(stderr, "%s%.1f", c ? "/" : " ", db_of(st->peak[c]));
        fprintf(stderr, " dBFS limiter %.1f dB clipped %llu xruns %llu underruns %llu\n", st->limiter_db,
                (unsigned long long)st->clipped, (unsigned long long)ui->xruns, (unsigned long long)st->starved);
        return;
    }
    int cols = hpa_tty_columns(STDERR_FILENO);
    char l[16], r[16];
    meter(l, 10, st->peak[0]);
    meter(r, 10, st->channels > 1 ? st->peak[1] : st->peak[0]);
    char line[512];
    const char *note = ui->note && hpa_now_s() < ui->note_until ? ui->note : "";
    int n = snprintf(line, sizeof line,
                     "[%d/%d] %s  %s/%s  vol %s%s%s  L %s R %s  lim %.1f dB  clip %llu  xrun %llu%s%s", st->index + 1,
                     ui->n_files, name, pos, len, vol, dose, sw, l, r, st->limiter_db, (unsigned long long)st->clipped,
                     (unsigned long long)ui->xruns + st->starved, *note ? "  " : "", note);
    if (n >= cols)
        line[cols - 1] = 0;
    fprintf(stderr, "\r%s\033[K%s", line, final ? "\n" : "");
    fflush(stderr);
}

static void set_note(play_ui *ui, const char *note)
{
    ui->note = note;
    ui->note_until = hpa_now_s() + 2.0;
}

/* The dose: each second of output (or what played since, when the device runs
 * faster than real time) as one journal record: its A-weighted energy, the
 * louder channel, mapped to dB SPL by the model (0 dBFS sine = spl0). */

/* 1 when a record was written */
static int dose_step(dose_meter *m, const hpa_player_status *st, int final, play_ui *ui)
{
    if (!m->have || st->a_frames <= m->last_frames)
        return 0;
    uint64_t n = st->a_frames - m->last_frames;
    double wall = hpa_now_s();
    if (!final && n < m->rate && wall - m->last_wall < 1.0)
        return 0;
    double e = 0.0;
    for (uint32_t c = 0; c < st->channels && c < HPA_CHANNELS_MAX; c++) {
        double ec = st->a_energy[c] - m->last_energy[c];
        if (ec > e)
            e = ec;
        m->last_energy[c] = st->a_energy[c];
    }
    m->last_frames = st->a_frames;
    m->last_wall = wall;
    /* dBFS per AES17 (a full-scale sine is 0 dB: mean square 1/2) */
    double ms = e / (double)n;
    double spl = ms > 0.0 ? m->spl0 + 10.0 * log10(2.0 * ms) : -INFINITY;
    double secs = (double)n / m->rate;
    m->last_spl = spl;
    m->have_level = 1;
    m->recorded_s += secs;
    hpa_dose_add(m->d, hpa_dose_now() - secs, secs, spl);
    double h = floor(hpa_dose_percent(m->d) / 100.0);
    if (h > m->hundreds) {
        m->hundreds = h;
        if (ui->tty)
            fputs("\r\033[K", stderr);
        hpa_cli_warn("play: your sound dose has reached %.0f %% of the week's allowance (%s); consider a break or a "
                     "lower volume (hpamp dose)",
                     100.0 * h, m->d->mode == 2 ? "75 dBA for 40 h" : "80 dBA for 40 h");
    }
    return 1;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int hpa_cmd_play(int argc, char **argv)
{
    play_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    /* --format S24_3LE where the automatic choice is PipeWire, which cannot honour it */
    if (o.format_set && o.format == HPA_DEV_S24_3LE && o.backend == HPA_BACKEND_AUTO && hpa_pipewire_available()) {
        hpa_cli_error("play: --format S24_3LE is for ALSA devices and PipeWire is running; give --device "
                      "alsa:NAME, or another format");
        return EXIT_USAGE;
    }
    /* --preset: it fills in what the flags did not say (as render) */
    static hpa_preset preset_store; /* static: o points into it until the end */
    hpa_preset *preset = NULL;
    char preset_label[200] = "";
    if (o.preset) {
        char origin[HPA_PRESET_PATH_MAX + 128];
        preset = &preset_store;
        if (hpa_preset_load(o.preset, preset, origin, sizeof origin))
            return 1;
        snprintf(preset_label, sizeof preset_label, "preset %s", o.preset);
        if (!o.eq_file && preset->eq_file[0]) {
            o.eq_file = preset->eq_file;
        } else if (!o.eq_file && preset->eq_len) {
            o.eq_text = preset->eq_text;
            o.eq_len = preset->eq_len;
        }
        if (!o.crossfeed && preset->has_crossfeed) {
            o.crossfeed = 1;
            o.xf_fcut_hz = preset->fcut_hz;
            o.xf_feed_db = preset->feed_db;
        }
        /* a cap only lowers the ceiling: the lower of --max-volume and the preset's */
        if (preset->has_max_volume && preset->max_volume_db < o.max_volume_db)
            o.max_volume_db = preset->max_volume_db;
    }

    /* ---- hearing protection: the start level and the ceiling ---- */
    hpa_safety safety;
    if (o.hp) {
        rc = hpa_cli_safety_from_gear("play", o.hp, o.src, o.max_volume_db, &safety, NULL, 0);
        if (rc)
            return rc;
    } else {
        hpa_safety_unknown(&safety, o.max_volume_db);
    }
    /* the preset's [limiter] ceiling only lowers the limit (preset.c keeps it in the limiter's range) */
    if (preset && preset->has_limit && preset->limit_dbtp < safety.limit_dbtp)
        safety.limit_dbtp = preset->limit_dbtp;
    double start_db = o.volume_set ? o.volume_db : safety.start_db;
    if (start_db > safety.ceiling_db) {
        hpa_cli_warn("play: --volume %+.1f is above the ceiling; capped at %+.1f dBFS", start_db, safety.ceiling_db);
        start_db = safety.ceiling_db;
    }
    /* the sound dose and the last acknowledgement (only with an SPL to record) */
    hpa_dose dose;
    int have_dose = 0;
    if (safety.spl_known) {
        char dwhy[1200];
        if (hpa_dose_open(&dose, (int)o.dose_mode, hpa_dose_now(), 1, dwhy, sizeof dwhy))
            hpa_cli_warn("play: the sound dose is not recorded: %s", dwhy);
        else
            have_dose = 1;
    }
    int stored_ack = have_dose && hpa_dose_ack_valid(&dose);
    if (start_db > safety.loud_db && !o.loud_ok && !stored_ack) {
        hpa_cli_error("play: --volume %+.1f dBFS is above the safe start level of %.1f dBFS (%s); add "
                      "--i-understand-loud to start louder",
                      start_db, safety.loud_db, safety.basis);
        if (have_dose)
            hpa_dose_close(&dose);
        return EXIT_USAGE;
    }
    int acknowledged = o.loud_ok || stored_ack;
    if (o.loud_ok && have_dose)
        hpa_dose_ack(&dose, hpa_dose_now());

    /* ---- the first playable file sets the device's format ---- */
    int failures = 0, first = -1;
    hpa_audio_info info;
    char why[320];
    for (int i = 0; i < o.n_files && first < 0; i++) {
        hpa_audiofile *f = hpa_audio_open_read(o.files[i], &info, why, sizeof why);
        if (!f) {
            hpa_cli_error("%s: %s", o.files[i], why);
            failures++;
            continue;
        }
        hpa_audio_close(f);
        if (info.rate_hz < HPA_RATE_MIN_HZ || info.rate_hz > HPA_RATE_MAX_HZ || info.channels < 1 ||
            info.channels > HPA_CHANNELS_MAX) {
            hpa_cli_error("%s: %u Hz, %u channels: not supported", o.files[i], info.rate_hz, info.channels);
            failures++;
            continue;
        }
        first = i;
    }
    if (first < 0)
        return 1;
    const char *const *files = o.files + first;
    int n_files = o.n_files - first;

    hpa_device_request req;
    memset(&req, 0, sizeof req);
    req.backend = o.backend;
    req.name = o.device;
    req.rate_hz = o.rate ? o.rate : info.rate_hz;
    req.channels = info.channels == 1 ? 2 : info.channels;
    if (o.format_set) {
        req.prefer[0] = o.format;
        req.n_prefer = 1;
    } else {
        req.n_prefer = prefer_formats(info.format, req.prefer);
    }
    req.period_frames = o.period;
    req.render = hpa_player_render;
    req.app_name = "hpamp";

    hpa_player *player = hpa_player_new();
    if (!player) {
        hpa_cli_error("out of memory");
        return 1;
    }
    req.user = player;
    hpa_device *dev = NULL;
    hpa_device_info di;
    if (hpa_device_open(&req, &dev, &di, why, sizeof why) < 0) {
        hpa_cli_error("%s", why);
        hpa_player_destroy(player);
        return 1;
    }

    hpa_cli_eq eq;
    memset(&eq, 0, sizeof eq);
    if ((o.eq_file && hpa_cli_eq_load_file(o.eq_file, di.rate_hz, 0, &eq)) ||
        (!o.eq_file && o.eq_text && hpa_cli_eq_load_text(preset_label, o.eq_text, o.eq_len, di.rate_hz, 0, &eq))) {
        hpa_device_close(dev);
        hpa_player_destroy(player);
        if (have_dose)
            hpa_dose_close(&dose);
        return 1;
    }
    hpa_player_config pc;
    memset(&pc, 0, sizeof pc);
    pc.eq_bands = eq.bands;
    pc.n_eq_bands = eq.n_bands;
    pc.eq_preamp_db = eq.preamp_db;
    pc.crossfeed = o.crossfeed;
    pc.xf_fcut_hz = o.xf_fcut_hz;
    pc.xf_feed_db = o.xf_feed_db;
    pc.files = files;
    pc.n_files = n_files;
    pc.out_rate_hz = di.rate_hz;
    pc.channels = di.channels;
    pc.out_format = di.chain_format;
    pc.max_render_frames = di.max_render_frames;
    pc.start_volume_db = start_db;
    pc.max_volume_db = safety.ceiling_db;
    pc.limit_dbtp = safety.limit_dbtp;
    pc.filter = HPA_FILTER_LINEAR;
    pc.dither = HPA_DITHER_TPDF;
    if (hpa_player_configure(player, &pc, why, sizeof why)) {
        hpa_cli_error("%s", why);
        hpa_device_close(dev);
        hpa_player_destroy(player);
        return 1;
    }

    hpa_cli_catch_stop_signals();

    const char *result = "done";
    int started = hpa_player_start(player, 5.0) == 0;
    char msg[320];
    while (hpa_player_message(player, msg, sizeof msg)) {
        hpa_cli_error("%s", msg);
        failures++;
    }
    if (!started) {
        hpa_device_close(dev);
        hpa_player_destroy(player);
        return 1;
    }

    int keys = isatty(STDIN_FILENO) && hpa_tty_raw(STDIN_FILENO) == 0;
    play_ui ui = {.o = &o, .files = files, .n_files = n_files, .tty = keys && isatty(STDERR_FILENO), .safety = &safety};
    if (!o.quiet && !o.json) {
        fprintf(stderr,
                "play: %s '%s', %u Hz, %u ch, %s, period %u%s; volume %+.1f dB, ceiling %+.1f dBFS, "
                "limiter %+.1f dBTP\n",
                hpa_backend_name(di.backend), di.name, di.rate_hz, di.channels, hpa_dev_format_name(di.format),
                di.period_frames, di.buffer_frames ? "" : " (quantum)", start_db, safety.ceiling_db, safety.limit_dbtp);
        fprintf(stderr, "play: %s\n", safety.basis);
        if (eq.graphic.present) {
            char g[192];
            hpa_cli_graphic_text(&eq.graphic, g, sizeof g);
            fprintf(stderr, "play: GraphicEQ: %s\n", g);
        }
    }

    double t0 = hpa_now_s();
    if (hpa_device_start(dev) < 0) {
        hpa_tty_restore();
        hpa_cli_error("%s: cannot start playback", di.name);
        hpa_device_close(dev);
        hpa_player_destroy(player);
        return 1;
    }

    double target = start_db, last_line = hpa_now_s(), last_draw = 0.0;
    dose_meter dm = {.have = have_dose,
                     .d = &dose,
                     .rate = di.rate_hz,
                     .spl0 = safety.spl0_db,
                     .hundreds = have_dose ? floor(hpa_dose_percent(&dose) / 100.0) : 0};
    ui.dm = &dm;
    int muted = 0, quit = 0, eq_on = eq.n_bands > 0, xf_on = o.crossfeed && di.channels == 2;
    hpa_device_status ds;
    hpa_player_status st;
    for (;;) {
        while (hpa_player_message(player, msg, sizeof msg)) {
            if (ui.tty)
                fputs("\r\033[K", stderr);
            hpa_cli_error("%s", msg);
            failures++;
        }
        hpa_device_poll(dev, &ds);
        ui.xruns = ds.xruns;
        if (ds.failed) {
            if (ui.tty)
                fputs("\r\033[K", stderr);
            hpa_cli_error("%s", ds.message);
            result = "device failed";
            rc = 1;
            break;
        }
        if (ds.finished)
            break;
        if (hpa_cli_interrupted()) {
            result = "interrupted";
            break;
        }
        if (quit) {
            result = "quit";
            break;
        }
        if (keys) {
            int k = hpa_tty_key(STDIN_FILENO, 50);
            double want = target;
            switch (k) {
            case -1: keys = 0; break; /* end of input: stop reading keys, keep playing */
            case '+':
            case '=':
            case HPA_KEY_UP: want = target + STEP_DB; break;
            case '-':
            case '_':
            case HPA_KEY_DOWN: want = target - STEP_DB; break;
            case 'm':
            case 'M':
                muted = !muted;
                hpa_player_set_mute(player, muted);
                break;
            case '!':
                acknowledged = 1;
                if (have_dose)
                    hpa_dose_ack(&dose, hpa_dose_now());
                set_note(&ui, "louder allowed (up to the ceiling)");
                break;
            case 'e':
            case 'E':
                if (!eq.n_bands) {
                    set_note(&ui, "no EQ (--eq FILE)");
                } else {
                    eq_on = !eq_on;
                    hpa_player_set_eq(player, eq_on);
                    set_note(&ui, eq_on ? "EQ in" : "EQ out (bypassed)");
                }
                break;
            case 'x':
            case 'X':
                if (!o.crossfeed || di.channels != 2) {
                    set_note(&ui, "no crossfeed (--crossfeed, stereo)");
                } else {
                    xf_on = !xf_on;
                    hpa_player_set_crossfeed(player, xf_on);
                    set_note(&ui, xf_on ? "crossfeed in" : "crossfeed out (bypassed)");
                }
                break;
            case 'n':
            case 'N':
            case HPA_KEY_RIGHT: hpa_player_skip(player, +1); break;
            case 'p':
            case 'P':
            case HPA_KEY_LEFT: hpa_player_skip(player, -1); break;
            case 'q':
            case 'Q': quit = 1; break;
            default: break;
            }
            if (want != target) {
                double allowed = hpa_safety_allow(&safety, want, acknowledged);
                if (allowed < want && want > target)
                    set_note(&ui, acknowledged || allowed >= safety.ceiling_db
                                      ? "at the ceiling"
                                      : "louder needs '!' or --i-understand-loud");
                if (allowed < hpa_param_info_get(HPA_PARAM_VOLUME_DB)->min_value)
                    allowed = hpa_param_info_get(HPA_PARAM_VOLUME_DB)->min_value;
                if (want > target && allowed < target)
                    allowed = target; /* never a step down from a key meant to go up */
                target = allowed;
                hpa_player_set_volume_db(player, target);
            }
        } else {
            sleep_ms(50);
        }
        hpa_player_status_get(player, &st);
        if (dose_step(&dm, &st, 0, &ui)) {
            /* 20 h of listening since the acknowledgement: ask again */
            if (acknowledged && !o.loud_ok && !hpa_dose_ack_valid(&dose)) {
                acknowledged = 0;
                set_note(&ui, "20 h since louder was allowed: back to 85 dB SPL; '!' to allow again");
                if (ui.tty)
                    fputs("\r\033[K", stderr);
                hpa_cli_warn("play: 20 h of listening since the acknowledgement: back to %.1f dBFS (85 dB SPL); "
                             "'!' to allow louder again",
                             safety.loud_db);
                if (target > safety.loud_db) {
                    target = safety.loud_db;
                    hpa_player_set_volume_db(player, target); /* ramped by the chain */
                }
            }
        }
        double now = hpa_now_s();
        if (!o.quiet) {
            if (ui.tty && !o.json) {
                if (now - last_draw >= 0.1) {
                    draw_status(&ui, &st, 0);
                    last_draw = now;
                }
            } else if (now - last_line >= 1.0) {
                draw_status(&ui, &st, 0);
                last_line = now;
            }
        }
    }

    /* ---- stop: ramp down first when stopping early ---- */
    if (!ds.finished && !ds.failed) {
        hpa_player_set_mute(player, 1);
        for (int i = 0; i < 40; i++) {
            hpa_player_status_get(player, &st);
            if (st.gain < 1e-4)
                break;
            sleep_ms(5);
        }
    }
    hpa_device_stop(dev);
    hpa_tty_restore();
    hpa_player_status_get(player, &st);
    dose_step(&dm, &st, 1, &ui);
    while (hpa_player_message(player, msg, sizeof msg)) {
        hpa_cli_error("%s", msg);
        failures++;
    }
    double seconds = hpa_now_s() - t0;
    if (!o.quiet && !o.json) {
        if (ui.tty)
            fputs("\r\033[K", stderr);
        fprintf(stderr, "play: %s after %.1f s: %llu frames, clipped %llu, xruns %llu, underruns %llu\n", result,
                seconds, (unsigned long long)st.frames_out, (unsigned long long)st.clipped,
                (unsigned long long)ds.xruns, (unsigned long long)st.starved);
    }
    if (o.json) {
        printf("{\"backend\": \"%s\", \"device\": ", hpa_backend_name(di.backend));
        hpa_json_string(stdout, di.name);
        printf(", \"rate\": %u, \"channels\": %u, \"format\": \"%s\", \"period_frames\": %u, \"buffer_frames\": %u",
               di.rate_hz, di.channels, hpa_dev_format_name(di.format), di.period_frames, di.buffer_frames);
        printf(", \"files\": %d, \"failed_files\": %d, \"frames_out\": %llu, \"seconds\": ", n_files, failures,
               (unsigned long long)st.frames_out);
        hpa_json_number(stdout, seconds, 3);
        printf(", \"volume_db\": ");
        hpa_json_number(stdout, target, 2);
        printf(", \"max_volume_db\": ");
        hpa_json_number(stdout, safety.ceiling_db, 2);
        printf(", \"limit_dbtp\": ");
        hpa_json_number(stdout, safety.limit_dbtp, 2);
        printf(", \"start_volume_db\": ");
        hpa_json_number(stdout, start_db, 2);
        if (safety.spl_known) {
            printf(", \"spl_at_0dbfs\": ");
            hpa_json_number(stdout, safety.spl0_db, 2);
            printf(", \"ceiling_spl_db\": ");
            hpa_json_number(stdout, safety.spl0_db + safety.ceiling_db, 2);
        }
        printf(", \"limited_frames\": %llu", (unsigned long long)st.limited_frames);
        printf(", \"eq_bands\": %zu, \"eq\": %s, \"crossfeed\": %s", eq.n_bands, st.eq_on ? "true" : "false",
               st.crossfeed_on ? "true" : "false");
        printf(", \"graphic_eq\": ");
        hpa_cli_graphic_json(stdout, &eq.graphic);
        if (have_dose) {
            printf(", \"dose_percent\": ");
            hpa_json_number(stdout, hpa_dose_percent(&dose), 4);
            printf(", \"dose_recorded_s\": ");
            hpa_json_number(stdout, dm.recorded_s, 3);
        }
        printf(", \"clipped_samples\": %llu, \"xruns\": %llu, \"underruns\": %llu, \"result\": \"%s\"}\n",
               (unsigned long long)st.clipped, (unsigned long long)ds.xruns, (unsigned long long)st.starved, result);
    }
    hpa_device_close(dev);
    hpa_player_destroy(player);
    hpa_cli_eq_free(&eq);
    if (have_dose)
        hpa_dose_close(&dose);
    if (hpa_cli_interrupted())
        return 128 + hpa_cli_interrupted();
    if (rc)
        return rc;
    return failures ? 1 : 0;
}
