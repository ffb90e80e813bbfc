/* play.c — `hpamp play FILE...`: files through the chain to a sound device,
 * live, with keys and hearing protection.
 *
 * Threads: this one (arguments, keys, status), the decoder (player.c) and the
 * audio thread (the backend's: alsa.c or pipewire.c) which runs the chain.
 * See docs/play.md. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hpamp/advise.h>
#include <hpamp/chain.h>
#include <hpamp/db.h>
#include <hpamp/eq.h>
#include <hpamp/model.h>

#include <hpamp/host/audiofile.h>
#include <hpamp/host/device.h>
#include "preset.h"
#include "cli.h"
#include "dbfiles.h"
#include <hpamp/host/dose.h>
#include <hpamp/host/eqfile.h>
#include <hpamp/host/http.h>
#include <hpamp/host/preset.h>
#include <hpamp/host/session.h>
#include "dose.h"
#include "eqfile.h"
#include "gear.h"
#include <hpamp/host/player.h>
#include <hpamp/safety.h>
#include "term.h"
#include "tty.h"
#include "tuning.h"

#define STEP_DB 0.5
#define DEFAULT_PERIOD 1024u
#define LIVE_EQ_BANDS 512u /* a preset's EQ chosen on the control page: the most bands it may have */

static void usage(FILE *f)
{
    char vol[48], ceil[48], xf[96], ref[48];
    const double floor_db = hpa_param_info_get(HPA_PARAM_VOLUME_DB)->min_value;
    /* the ranges come from the parameter table (params.h) */
    fprintf(f,
            "Usage: hpamp play FILE... [options]\n"
            "\n"
            "Play files through hpamp's DAC chain to a sound device: PipeWire when a\n"
            "server is running, ALSA otherwise.  The device is opened at the first file's\n"
            "rate and format when it takes them (bit-perfect at 0 dB); otherwise the chain\n"
            "resamples and requantizes.  FILE '-' is standard input (WAV, FLAC or another\n"
            "stream libsndfile reads, or headerless PCM with --raw), e.g.\n"
            "  sox song.flac -t wav - | hpamp play -\n"
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
            "      --loudness-comp [REF_PHON]\n"
            "                        loudness compensation (ISO 226:2003, with -H and -S):\n"
            "                        the music keeps the balance it has at REF_PHON, %s\n"
            "                        (default 80), at the level the volume gives; it\n"
            "                        follows the volume in 0.5 dB steps, crossfaded\n"
            "      --compensate      cancel the response change the source's output\n"
            "                        impedance makes on the headphone (with -H and -S)\n"
            "      --replaygain track|album\n"
            "                        play each file at -18 LUFS by its ReplayGain 2.0 tags\n"
            "                        (FLAC, Ogg Vorbis, MP3 ID3v2) or Opus R128 tags (album:\n"
            "                        the album gain where there is one); with a peak tag the\n"
            "                        EQ's headroom is taken as render --normalize takes it.\n"
            "                        Untagged files play as they are\n"
            "      --balance DB      turn one side down, -12..+12 dB: positive the left,\n"
            "                        negative the right (never a boost; stereo devices)\n"
            "      --mono            (L + R)/2 to both ears, for hearing on one side\n"
            "      --dose-mode N     the sound dose's allowance (with -H and -S): 1, adults,\n"
            "                        80 dBA for 40 h a week (default); 2, children and\n"
            "                        sensitive listeners, 75 dBA (ITU-T H.870); see hpamp dose\n"
            "      --period FRAMES   frames per device period, 64..8192 (default 1024)\n"
            "  -r, --rate HZ         ask the device for this rate (default: the file's)\n"
            "      --raw ENC:RATE:CH the files are headerless PCM: ENC s8, u8, s16le, s16be,\n"
            "                        s24le, s24be (3 bytes), s32le, s32be, f32le, f32be,\n"
            "                        f64le or f64be, e.g. --raw s16le:48000:2\n"
            "      --format FMT      the device's sample format: S16_LE, S24_3LE, S24_LE,\n"
            "                        S32_LE or FLOAT_LE (default: the file's depth when\n"
            "                        the device takes it, else wider); the device must take\n"
            "                        it.  PipeWire takes all but S24_3LE\n"
            "      --preset NAME     a headphone preset (hpamp preset list): its EQ,\n"
            "                        crossfeed, volume cap and limiter ceiling; flags given\n"
            "                        here win, a cap only lowers the ceiling\n"
            "      --http [ADDR:]PORT\n"
            "                        serve the control page and API (docs/web.md) on\n"
            "                        127.0.0.1:PORT (0: any free port), or on ADDR when\n"
            "                        given; prints the address with its token\n"
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
            hpa_param_range_text(HPA_PARAM_VOLUME_DB, vol, sizeof vol), floor_db,
            hpa_range_text(floor_db, 0.0, "dBFS", ceil, sizeof ceil), hpc_crossfeed_ranges(xf, sizeof xf),
            hpa_param_range_text(HPA_PARAM_LOUDNESS_REF_PHON, ref, sizeof ref));
}

typedef struct play_opts {
    const char **files;
    int n_files;
    hph_backend backend;
    const char *device;
    double volume_db;
    int volume_set;
    double max_volume_db;
    int loud_ok;
    const char *hp, *src;
    uint32_t period, rate, dose_mode;
    int format_set;
    hph_dev_format format; /* --format: the only one the device may take */
    const char *eq_file;
    const char *eq_text; /* the preset's inline EQ lines, or NULL */
    size_t eq_len;
    const char *preset; /* --preset NAME */
    int crossfeed;
    double xf_fcut_hz, xf_feed_db;
    double balance_db; /* --balance */
    int mono;          /* --mono */
    int json, quiet;
    int loudness; /* --loudness-comp */
    double ref_phon;
    int compensate; /* --compensate */
    int replaygain; /* --replaygain: 0, 1 track, 2 album */
    int raw_set;    /* --raw */
    hph_audio_raw raw;
    const char *http; /* --http [ADDR:]PORT, or NULL */
} play_opts;

static int parse_device(const char *s, play_opts *o)
{
    if (!strcmp(s, "alsa") || !strcmp(s, "alsa:")) {
        o->backend = HPH_BACKEND_ALSA;
        o->device = NULL;
    } else if (!strncmp(s, "alsa:", 5)) {
        o->backend = HPH_BACKEND_ALSA;
        o->device = s + 5;
    } else if (!strcmp(s, "pipewire") || !strcmp(s, "pipewire:")) {
        o->backend = HPH_BACKEND_PIPEWIRE;
        o->device = NULL;
    } else if (!strncmp(s, "pipewire:", 9)) {
        o->backend = HPH_BACKEND_PIPEWIRE;
        o->device = s + 9;
    } else if (*s) {
        o->backend = HPH_BACKEND_ALSA;
        o->device = s;
    } else {
        return -1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, play_opts *o)
{
    enum {
        OPT_MAX = 256,
        OPT_LOUD,
        OPT_PERIOD,
        OPT_JSON,
        OPT_DOSE_MODE,
        OPT_EQ,
        OPT_XF,
        OPT_PRESET,
        OPT_FORMAT,
        OPT_LOUDNESS,
        OPT_COMPENSATE,
        OPT_REPLAYGAIN,
        OPT_RAW,
        OPT_HTTP
    };
    enum { OPT_BALANCE = 320, OPT_MONO }; /* issue 14: per-ear options */
    static const struct option longopts[] = {
        {"device", required_argument, 0, 'd'},
        {"volume", required_argument, 0, 'v'},
        {"headphones", required_argument, 0, 'H'},
        {"headphone", required_argument, 0, 'H'},
        {"source", required_argument, 0, 'S'},
        {"dose-mode", required_argument, 0, OPT_DOSE_MODE},
        {"eq", required_argument, 0, OPT_EQ},
        {"crossfeed", required_argument, 0, OPT_XF},
        {"balance", required_argument, 0, OPT_BALANCE},
        {"mono", no_argument, 0, OPT_MONO},
        {"preset", required_argument, 0, OPT_PRESET},
        {"max-volume", required_argument, 0, OPT_MAX},
        {"i-understand-loud", no_argument, 0, OPT_LOUD},
        {"period", required_argument, 0, OPT_PERIOD},
        {"rate", required_argument, 0, 'r'},
        {"format", required_argument, 0, OPT_FORMAT},
        {"loudness-comp", optional_argument, 0, OPT_LOUDNESS},
        {"compensate", no_argument, 0, OPT_COMPENSATE},
        {"replaygain", required_argument, 0, OPT_REPLAYGAIN},
        {"raw", required_argument, 0, OPT_RAW},
        {"json", no_argument, 0, OPT_JSON},
        {"http", required_argument, 0, OPT_HTTP},
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
                hpc_error("play: --device takes alsa[:NAME], pipewire[:TARGET] or an ALSA name, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'v':
            if (hpa_param_parse(optarg, HPA_PARAM_VOLUME_DB, &o->volume_db)) {
                hpc_error("play: --volume takes %s, not '%s'", hpa_param_range_text(HPA_PARAM_VOLUME_DB, r1, sizeof r1),
                          optarg);
                return EXIT_USAGE;
            }
            o->volume_set = 1;
            break;
        case OPT_MAX:
            if (hpa_parse_double(optarg, floor_db, 0.0, &o->max_volume_db)) {
                hpc_error("play: --max-volume takes %s, not '%s'", hpa_range_text(floor_db, 0.0, "dBFS", r1, sizeof r1),
                          optarg);
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
            if (hpc_parse_crossfeed(optarg, &name, &o->xf_fcut_hz, &o->xf_feed_db)) {
                hpc_error("play: --crossfeed takes %s, not '%s'", hpc_crossfeed_choices(r1, sizeof r1), optarg);
                return EXIT_USAGE;
            }
            o->crossfeed = 1;
            break;
        }
        case OPT_BALANCE:
            if (hpa_param_parse(optarg, HPA_PARAM_BALANCE_DB, &o->balance_db)) {
                hpc_error("play: --balance takes %s, not '%s'",
                          hpa_param_range_text(HPA_PARAM_BALANCE_DB, r1, sizeof r1), optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_MONO: o->mono = 1; break;
        case OPT_DOSE_MODE:
            if (hpc_parse_u32(optarg, 1, 2, &o->dose_mode)) {
                hpc_error("play: --dose-mode takes 1 or 2, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_PERIOD:
            if (hpc_parse_u32(optarg, 64, 8192, &o->period)) {
                hpc_error("play: --period takes 64 to 8192 frames, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'r':
            if (hpc_parse_u32(optarg, HPA_RATE_MIN_HZ, HPA_RATE_MAX_HZ, &o->rate)) {
                hpc_error("play: --rate takes a whole number of Hz from 8000 to 768000, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_FORMAT:
            if (hph_dev_format_parse(optarg, &o->format)) {
                hpc_error("play: --format takes S16_LE, S24_3LE, S24_LE, S32_LE or FLOAT_LE, not '%s'", optarg);
                return EXIT_USAGE;
            }
            o->format_set = 1;
            break;
        case OPT_LOUDNESS:
            if (hpc_parse_loudness_ref("play", optarg, argc, argv, &optind, &o->ref_phon))
                return EXIT_USAGE;
            o->loudness = 1;
            break;
        case OPT_COMPENSATE: o->compensate = 1; break;
        case OPT_REPLAYGAIN:
            if (strcmp(optarg, "track") != 0 && strcmp(optarg, "album") != 0) {
                hpc_error("play: --replaygain takes track or album, not '%s'", optarg);
                return EXIT_USAGE;
            }
            o->replaygain = strcmp(optarg, "album") == 0 ? 2 : 1;
            break;
        case OPT_RAW:
            if (hpc_parse_raw("play", optarg, &o->raw))
                return EXIT_USAGE;
            o->raw_set = 1;
            break;
        case OPT_JSON: o->json = 1; break;
        case OPT_HTTP: {
            char addr[64];
            uint16_t port;
            int named;
            if (hph_http_parse_listen(optarg, addr, sizeof addr, &port, &named)) {
                hpc_error("play: --http takes [ADDR:]PORT (a numeric address, a port 0..65535), not '%s'", optarg);
                return EXIT_USAGE;
            }
            o->http = optarg;
            break;
        }
        case 'q': o->quiet = 1; break;
        case 'h': usage(stdout); exit(0);
        case ':': hpc_error("play: %s needs a value (see hpamp play --help)", argv[optind - 1]); return EXIT_USAGE;
        default: hpc_error("play: unknown option '%s' (see hpamp play --help)", argv[optind - 1]); return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        hpc_error("play: needs at least one file (see hpamp play --help)");
        return EXIT_USAGE;
    }
    if ((o->loudness || o->compensate) && !o->hp) {
        hpc_error("play: %s needs --headphones and --source (%s)", o->loudness ? "--loudness-comp" : "--compensate",
                  o->loudness ? "the listening level comes from the SPL at the ear" : "the impedances of both");
        return EXIT_USAGE;
    }
    if (!o->hp != !o->src) {
        hpc_error("play: --headphones and --source go together (the SPL at the ear needs both)");
        return EXIT_USAGE;
    }
    if (o->format_set && o->format == HPH_DEV_S24_3LE && o->backend == HPH_BACKEND_PIPEWIRE) {
        hpc_error("play: --format S24_3LE is for ALSA devices; PipeWire takes S16_LE, S24_LE, S32_LE or FLOAT_LE");
        return EXIT_USAGE;
    }
    o->files = (const char **)argv + optind;
    o->n_files = argc - optind;
    return 0;
}

/* formats for the device, best first: the source's own depth exactly, then wider, then float */
static int prefer_formats(hpa_format src, hph_dev_format *out)
{
    static const hph_dev_format s16[] = {HPH_DEV_S16, HPH_DEV_S32, HPH_DEV_S24, HPH_DEV_S24_3LE, HPH_DEV_F32};
    static const hph_dev_format s24[] = {HPH_DEV_S32, HPH_DEV_S24, HPH_DEV_S24_3LE, HPH_DEV_F32, HPH_DEV_S16};
    static const hph_dev_format s32[] = {HPH_DEV_S32, HPH_DEV_F32, HPH_DEV_S24, HPH_DEV_S24_3LE, HPH_DEV_S16};
    static const hph_dev_format f32[] = {HPH_DEV_F32, HPH_DEV_S32, HPH_DEV_S24, HPH_DEV_S24_3LE, HPH_DEV_S16};
    const hph_dev_format *l = src == HPA_FORMAT_S16   ? s16
                              : src == HPA_FORMAT_S24 ? s24
                              : src == HPA_FORMAT_F32 ? f32
                                                      : s32;
    memcpy(out, l, sizeof s16);
    return HPH_DEV_FORMAT_COUNT;
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

typedef struct play_ui {
    const play_opts *o;
    const char *const *files;
    int n_files;
    int tty;          /* status drawn in place on a terminal (stderr) */
    const char *note; /* shown for a while on the status line */
    double note_until;
    uint64_t xruns;
    const hpa_safety *safety;
    hph_session *session;
    hph_dose *dose;     /* NULL: not recorded */
    double listen_phon; /* --loudness-comp: the level compensated for (else NAN) */
} play_ui;

static void draw_status(play_ui *ui, const hph_player_status *st, int final)
{
    char pos[16], len[16];
    fmt_time(pos, sizeof pos, st->position_s);
    fmt_time(len, sizeof len, st->length_s);
    const char *name = st->index >= 0 && st->index < ui->n_files ? base_name(ui->files[st->index]) : "-";
    if (ui->o->json) {
        fprintf(stderr, "{\"file\": ");
        hpc_json_string(stderr, st->index >= 0 && st->index < ui->n_files ? ui->files[st->index] : "");
        fprintf(stderr, ", \"index\": %d, \"position_s\": ", st->index);
        hpc_json_number(stderr, st->position_s, 2);
        fprintf(stderr, ", \"volume_db\": ");
        hpc_json_number(stderr, st->volume_db, 1);
        fprintf(stderr, ", \"gain_db\": ");
        hpc_json_number(stderr, db_of(st->gain), 2);
        if (ui->safety->spl_known) {
            fprintf(stderr, ", \"volume_spl_db\": ");
            hpc_json_number(stderr, ui->safety->spl0_db + st->volume_db, 1);
        }
        if (ui->o->eq_file || ui->o->eq_text || ui->o->loudness || ui->o->compensate)
            fprintf(stderr, ", \"eq\": %s", st->eq_on ? "true" : "false");
        if (ui->o->crossfeed)
            fprintf(stderr, ", \"crossfeed\": %s", st->crossfeed_on ? "true" : "false");
        if (ui->o->loudness)
            fprintf(stderr, ", \"loudness_phon\": %.1f", ui->listen_phon);
        if (ui->o->replaygain) {
            fprintf(stderr, ", \"replaygain_db\": ");
            hpc_json_number(stderr, st->rg_gain_db, 2);
        }
        fprintf(stderr, ", \"limiter_db\": ");
        hpc_json_number(stderr, st->limiter_db, 2);
        fprintf(stderr, ", \"limited_frames\": %llu", (unsigned long long)st->limited_frames);
        fprintf(stderr, ", \"muted\": %s, \"peak_dbfs\": [", st->muted ? "true" : "false");
        for (uint32_t c = 0; c < st->channels; c++) {
            fprintf(stderr, "%s", c ? ", " : "");
            hpc_json_number(stderr, db_of(st->peak[c]), 1);
        }
        fprintf(stderr, "], \"clipped\": %llu, \"xruns\": %llu, \"underruns\": %llu}\n",
                (unsigned long long)st->clipped, (unsigned long long)ui->xruns, (unsigned long long)st->starved);
        return;
    }
    char vol[64];
    if (st->muted)
        snprintf(vol, sizeof vol, "MUTED");
    else if (ui->o->loudness)
        snprintf(vol, sizeof vol, "%+.1f dB (%.1f dB SPL, %.1f phon)", st->volume_db,
                 ui->safety->spl0_db + st->volume_db, ui->listen_phon);
    else if (ui->safety->spl_known)
        snprintf(vol, sizeof vol, "%+.1f dB (%.1f dB SPL)", st->volume_db, ui->safety->spl0_db + st->volume_db);
    else
        snprintf(vol, sizeof vol, "%+.1f dB", st->volume_db);
    char sw[48] = "";
    const int has_eq = ui->o->eq_file || ui->o->eq_text || ui->o->loudness || ui->o->compensate;
    if (has_eq || ui->o->crossfeed)
        snprintf(sw, sizeof sw, "%s%s%s%s", has_eq ? " EQ " : "", has_eq ? (st->eq_on ? "in" : "out") : "",
                 ui->o->crossfeed ? " xf " : "", ui->o->crossfeed ? (st->crossfeed_on ? "in" : "out") : "");
    char dose[96] = "";
    if (ui->dose) {
        hph_session_state ss;
        hph_session_state_get(ui->session, &ss);
        snprintf(dose, sizeof dose, " %.0f dBA, dose today %.1f %% week %.1f %%",
                 ss.have_level && isfinite(ss.last_spl_a_db) ? ss.last_spl_a_db : 0.0,
                 hpa_dose_percent_of(ui->dose->days[0].pa2h, ui->dose->mode), hph_dose_percent(ui->dose));
    }
    if (!ui->tty) {
        fprintf(stderr, "play: [%d/%d] %s %s/%s volume %s%s%s peak", st->index + 1, ui->n_files, name, pos, len, vol,
                dose, sw);
        for (uint32_t c = 0; c < st->channels && c < 2; c++)
            fprintf(stderr, "%s%.1f", c ? "/" : " ", db_of(st->peak[c]));
        fprintf(stderr, " dBFS limiter %.1f dB clipped %llu xruns %llu underruns %llu\n", st->limiter_db,
                (unsigned long long)st->clipped, (unsigned long long)ui->xruns, (unsigned long long)st->starved);
        return;
    }
    int cols = hpc_tty_columns(STDERR_FILENO);
    char l[16], r[16];
    meter(l, 10, st->peak[0]);
    meter(r, 10, st->channels > 1 ? st->peak[1] : st->peak[0]);
    char line[512];
    const char *note = ui->note && hpc_now_s() < ui->note_until ? ui->note : "";
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
    ui->note_until = hpc_now_s() + 2.0;
}

/* The session's dose step (session.h), its events told: 1 when a record was
 * written. */
static int dose_step(play_ui *ui, const hph_player_status *st, int final)
{
    hph_session_events ev;
    hph_session_tick(ui->session, st->a_frames, st->a_energy, st->channels, hpc_now_s(), final, &ev);
    if (ev.dose_hundreds > 0.0 && ui->dose) {
        if (ui->tty)
            fputs("\r\033[K", stderr);
        hpc_warn("play: your sound dose has reached %.0f %% of the week's allowance (%s); consider a break or a "
                 "lower volume (hpamp dose)",
                 100.0 * ev.dose_hundreds, ui->dose->mode == 2 ? "75 dBA for 40 h" : "80 dBA for 40 h");
    }
    if (ev.ack_expired) {
        set_note(ui, "20 h since louder was allowed: back to 85 dB SPL; '!' to allow again");
        if (ui->tty)
            fputs("\r\033[K", stderr);
        hpc_warn("play: 20 h of listening since the acknowledgement: back to %.1f dBFS (85 dB SPL); "
                 "'!' to allow louder again",
                 ui->safety->loud_db);
    }
    return ev.recorded;
}

/* the session drives the player */
static void target_volume(void *p, double db)
{
    hph_player_set_volume_db(p, db);
}
static void target_mute(void *p, int on)
{
    hph_player_set_mute(p, on);
}
static void target_eq(void *p, int on)
{
    hph_player_set_eq(p, on);
}
static void target_crossfeed(void *p, int on)
{
    hph_player_set_crossfeed(p, on);
}
static void target_skip(void *p, int delta)
{
    hph_player_skip(p, delta);
}

/* what the control page shows (http.h), from this loop */
static void http_publish(hph_http *http, const play_ui *ui, const hph_player_status *st, const hph_device_info *di,
                         double lufs_st)
{
    hph_http_snapshot sn;
    memset(&sn, 0, sizeof sn);
    sn.file = st->index >= 0 && st->index < ui->n_files ? ui->files[st->index] : NULL;
    sn.index = st->index;
    sn.n_files = ui->n_files;
    sn.position_s = st->position_s;
    sn.length_s = st->length_s;
    sn.rate_hz = di->rate_hz;
    sn.in_rate_hz = st->in_rate_hz;
    sn.channels = st->channels;
    sn.format = hph_dev_format_name(di->format);
    sn.backend = hph_backend_name(di->backend);
    sn.device = di->name;
    sn.period_frames = di->period_frames;
    memcpy(sn.peak, st->peak, sizeof sn.peak);
    sn.limiter_db = st->limiter_db;
    sn.clipped = st->clipped;
    sn.xruns = ui->xruns + st->starved;
    sn.a_frames = st->a_frames;
    memcpy(sn.a_energy, st->a_energy, sizeof sn.a_energy);
    sn.have_lufs = 1;
    sn.lufs_st = lufs_st;
    if (ui->dose) {
        sn.have_dose = 1;
        sn.dose_mode = ui->dose->mode;
        sn.dose_percent = hph_dose_percent(ui->dose);
        memcpy(sn.days, ui->dose->days, sizeof sn.days);
    }
    hph_http_publish(http, &sn);
}

/* POST preset (http.h): a preset chosen on the control page, applied while
 * playing by the rules --preset follows at the start: its EQ with the
 * headroom it needs (hph_tuning_update, the band set crossfaded in), its
 * crossfeed, its limiter ceiling (only below the start's), its volume cap
 * (the volume turned down to it; the ceiling stays). */
typedef struct live_preset {
    pthread_mutex_t lock; /* the tuning: this and the loop's loudness steps */
    hph_tuning *tune;
    hph_player *player;
    hph_session *session;
    hph_http *_Atomic http;
    hpa_eq_profile eq; /* the preset's EQ playing: the tuning keeps its bands */
    double rate_hz;
    uint32_t channels;
    size_t room;            /* EQ bands the player has room for */
    double base_limit_dbtp; /* the limiter's ceiling without a preset's */
} live_preset;

/* the preset's EQ text (inline or its file) as a profile at rate_hz: 0, or -1 with why */
static int live_eq_load(const hpa_settings *s, const char *name, double rate_hz, hpa_eq_profile *eq, char *why,
                        size_t len)
{
    memset(eq, 0, sizeof *eq);
    char *file_text = NULL;
    const char *text = s->eq_text;
    size_t tlen = s->eq_len;
    if (s->eq_file[0]) {
        if (hph_eq_read_file(s->eq_file, &file_text, &tlen, why, len))
            return -1;
        text = file_text;
    }
    if (!tlen) {
        free(file_text);
        return 0;
    }
    int err = hpa_eq_profile_load(eq, text, tlen, rate_hz);
    free(file_text);
    if (err == HPA_OK)
        return 0;
    const char *label = s->eq_file[0] ? s->eq_file : name;
    for (size_t i = 0; i < eq->n_diags; i++)
        if (eq->diags[i].severity == HPA_EQ_ERROR) {
            snprintf(why, len, "preset %s: %s:%zu: %s", name, label, eq->diags[i].line, eq->diags[i].message);
            return -1;
        }
    snprintf(why, len, "preset %s: %s: %s", name, label, eq->reason[0] ? eq->reason : hpa_strerror(err));
    return -1;
}

static int apply_preset(void *user, const char *name, char *why, size_t len)
{
    live_preset *lp = user;
    if (!hph_preset_exists(name)) {
        snprintf(why, len, "preset: no preset named '%s' (GET /api/v1/presets lists them)", name);
        return HPH_HTTP_NO_PRESET;
    }
    hpa_settings *s = malloc(sizeof *s);
    char origin[HPA_SETTINGS_PATH_MAX + 128];
    hpa_eq_profile eq;
    if (!s) {
        snprintf(why, len, "out of memory");
        return HPH_HTTP_CANNOT;
    }
    if (hph_preset_load(name, s, origin, sizeof origin, why, len) ||
        live_eq_load(s, name, lp->rate_hz, &eq, why, len)) {
        free(s);
        return HPH_HTTP_CANNOT;
    }
    if (eq.n_bands + HPA_COMPENSATION_MAX_BANDS + HPA_LOUDNESS_COMP_BANDS > lp->room) {
        snprintf(why, len, "preset %s: %zu EQ bands; the player has room for %u", name, eq.n_bands, LIVE_EQ_BANDS);
        hpa_eq_profile_free(&eq);
        free(s);
        return HPH_HTTP_CANNOT;
    }
    hph_session_state ss;
    hph_session_state_get(lp->session, &ss);
    pthread_mutex_lock(&lp->lock);
    hph_tuning *t = lp->tune;
    const hpa_eq_profile old = lp->eq;
    int bad = hph_tuning_set_user(t, eq.bands, eq.n_bands, eq.preamp_db);
    if (bad)
        snprintf(why, len, "out of memory");
    else if (hph_tuning_update(t, ss.volume_db, why, len) < 0)
        bad = 1;
    if (!bad) {
        hph_player_set_eq_channels(lp->player, eq.channel_preamp_db);
        bad = hph_player_set_eq_bands(lp->player, t->set, t->n_set, t->preamp_db, why, len);
    }
    if (bad) { /* back to the EQ playing */
        char ignored[320];
        hph_tuning_set_user(t, old.bands, old.n_bands, old.preamp_db);
        hph_player_set_eq_channels(lp->player, old.channel_preamp_db);
        if (hph_tuning_update(t, ss.volume_db, ignored, sizeof ignored) >= 0)
            hph_player_set_eq_bands(lp->player, t->set, t->n_set, t->preamp_db, ignored, sizeof ignored);
    } else {
        lp->eq = eq;
    }
    const int eq_on = t->n_set > 0;
    pthread_mutex_unlock(&lp->lock);
    if (bad) {
        hpa_eq_profile_free(&eq);
        free(s);
        return HPH_HTTP_CANNOT;
    }
    hpa_eq_profile old_eq = old;
    hpa_eq_profile_free(&old_eq);
    hph_session_request(lp->session, HPH_REQ_EQ, eq_on ? 1.0 : 0.0, NULL);
    if (lp->channels == 2 && s->has_crossfeed)
        hph_player_set_crossfeed_params(lp->player, s->fcut_hz, s->feed_db);
    hph_session_request(lp->session, HPH_REQ_CROSSFEED, s->has_crossfeed ? 1.0 : 0.0, NULL);
    hph_player_set_limit(lp->player,
                         s->has_limit && s->limit_dbtp < lp->base_limit_dbtp ? s->limit_dbtp : lp->base_limit_dbtp);
    if (s->has_max_volume && ss.volume_db > s->max_volume_db)
        hph_session_request(lp->session, HPH_REQ_VOLUME_DB, s->max_volume_db, NULL);
    hph_http *http = atomic_load(&lp->http);
    if (http)
        hph_http_set_eq(http, eq.bands, eq.n_bands, eq.preamp_db, lp->rate_hz);
    free(s);
    return HPH_HTTP_APPLIED;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int hpc_cmd_play(int argc, char **argv)
{
    play_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    /* --format S24_3LE where the automatic choice is PipeWire, which cannot honour it */
    if (o.format_set && o.format == HPH_DEV_S24_3LE && o.backend == HPH_BACKEND_AUTO && hph_pipewire_available()) {
        hpc_error("play: --format S24_3LE is for ALSA devices and PipeWire is running; give --device "
                  "alsa:NAME, or another format");
        return EXIT_USAGE;
    }
    /* --preset: it fills in what the flags did not say (as render) */
    static hpa_settings preset_store; /* static: o points into it until the end */
    hpa_settings *preset = NULL;
    char preset_label[200] = "";
    if (o.preset) {
        char origin[HPA_SETTINGS_PATH_MAX + 128];
        preset = &preset_store;
        if (hpc_preset_load(o.preset, preset, origin, sizeof origin))
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
        rc = hpc_safety_from_gear("play", o.hp, o.src, o.max_volume_db, &safety, NULL, 0);
        if (rc)
            return rc;
    } else {
        hpa_safety_unknown(&safety, o.max_volume_db);
    }
    if (o.loudness && !safety.spl_known) {
        hpc_error("play: --loudness-comp needs the SPL at the ear, and that of %s on %s is not known", o.hp, o.src);
        return EXIT_USAGE;
    }
    /* the preset's [limiter] ceiling only lowers the limit (preset.c keeps it in the limiter's range) */
    if (preset && preset->has_limit && preset->limit_dbtp < safety.limit_dbtp)
        safety.limit_dbtp = preset->limit_dbtp;
    double start_db = o.volume_set ? o.volume_db : safety.start_db;
    if (start_db > safety.ceiling_db) {
        hpc_warn("play: --volume %+.1f is above the ceiling; capped at %+.1f dBFS", start_db, safety.ceiling_db);
        start_db = safety.ceiling_db;
    }
    /* the sound dose and the last acknowledgement (only with an SPL to record) */
    hph_dose dose;
    int have_dose = 0;
    if (safety.spl_known) {
        char dwhy[1200];
        if (hph_dose_open(&dose, (int)o.dose_mode, hph_dose_now(), 1, dwhy, sizeof dwhy))
            hpc_warn("play: the sound dose is not recorded: %s", dwhy);
        else
            have_dose = 1;
    }
    int stored_ack = have_dose && hph_dose_ack_valid(&dose);
    if (start_db > safety.loud_db && !o.loud_ok && !stored_ack) {
        hpc_error("play: --volume %+.1f dBFS is above the safe start level of %.1f dBFS (%s); add "
                  "--i-understand-loud to start louder",
                  start_db, safety.loud_db, safety.basis);
        if (have_dose)
            hph_dose_close(&dose);
        return EXIT_USAGE;
    }
    if (o.loud_ok && have_dose)
        hph_dose_ack(&dose, hph_dose_now());

    /* ---- the first playable file sets the device's format ---- */
    int failures = 0, first = -1;
    hph_audio_info info;
    char why[320];
    for (int i = 0; i < o.n_files && first < 0; i++) {
        hph_audiofile *f = hph_audio_open_read_as(o.files[i], o.raw_set ? &o.raw : NULL, &info, why, sizeof why);
        if (!f) {
            hpc_error("%s: %s", o.files[i], why);
            failures++;
            continue;
        }
        hph_audio_close(f);
        if (info.rate_hz < HPA_RATE_MIN_HZ || info.rate_hz > HPA_RATE_MAX_HZ || info.channels < 1 ||
            info.channels > HPA_CHANNELS_MAX) {
            hpc_error("%s: %u Hz, %u channels: not supported", o.files[i], info.rate_hz, info.channels);
            failures++;
            continue;
        }
        first = i;
    }
    if (first < 0)
        return 1;
    const char *const *files = o.files + first;
    int n_files = o.n_files - first;

    hph_device_request req;
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
    req.render = hph_player_render;
    req.app_name = "hpamp";

    hph_player *player = hph_player_new();
    if (!player) {
        hpc_error("out of memory");
        return 1;
    }
    req.user = player;
    hph_device *dev = NULL;
    hph_device_info di;
    if (hph_device_open(&req, &dev, &di, why, sizeof why) < 0) {
        hpc_error("%s", why);
        hph_player_destroy(player);
        return 1;
    }

    hpa_eq_profile eq;
    memset(&eq, 0, sizeof eq);
    if ((o.eq_file && hpc_eq_load_file(o.eq_file, di.rate_hz, 0, &eq)) ||
        (!o.eq_file && o.eq_text && hpc_eq_load_text(preset_label, o.eq_text, o.eq_len, di.rate_hz, 0, &eq))) {
        hph_device_close(dev);
        hph_player_destroy(player);
        if (have_dose)
            hph_dose_close(&dose);
        return 1;
    }
    /* --loudness-comp, --compensate: bands added to the EQ; the loudness
     * part follows the volume (the loop below) */
    hph_tuning tune;
    if (hph_tuning_init(&tune, di.rate_hz, eq.bands, eq.n_bands, eq.preamp_db)) {
        hpc_error("out of memory");
        rc = 1;
    } else {
        rc = hpc_tuning_setup("play", &tune, &safety, o.hp, o.src, o.loudness, o.ref_phon, HPA_LOUDNESS_PROGRAMME_LUFS,
                              o.compensate);
        if (!rc && hph_tuning_update(&tune, start_db, why, sizeof why) < 0) {
            hpc_error("play: %s", why);
            rc = 1;
        }
    }
    if (rc) {
        hph_tuning_free(&tune);
        hpa_eq_profile_free(&eq);
        hph_device_close(dev);
        hph_player_destroy(player);
        if (have_dose)
            hph_dose_close(&dose);
        return rc;
    }
    const int tuned = o.loudness || o.compensate;
    hph_player_config pc;
    memset(&pc, 0, sizeof pc);
    pc.eq_bands = tune.set;
    pc.n_eq_bands = tune.n_set;
    pc.eq_preamp_db = tune.preamp_db;
    pc.max_eq_bands = hph_tuning_max_bands(&tune);
    if (o.http && pc.max_eq_bands < LIVE_EQ_BANDS + HPA_COMPENSATION_MAX_BANDS + HPA_LOUDNESS_COMP_BANDS)
        pc.max_eq_bands = LIVE_EQ_BANDS + HPA_COMPENSATION_MAX_BANDS + HPA_LOUDNESS_COMP_BANDS;
    pc.eq_channel_db = eq.channel_preamp_db;
    pc.crossfeed = o.crossfeed;
    pc.replaygain = o.replaygain;
    pc.xf_fcut_hz = o.xf_fcut_hz;
    pc.xf_feed_db = o.xf_feed_db;
    pc.balance_db = o.balance_db;
    pc.mono = o.mono;
    pc.files = files;
    pc.raw = o.raw_set ? &o.raw : NULL;
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
    if (hph_player_configure(player, &pc, why, sizeof why)) {
        hpc_error("%s", why);
        hph_device_close(dev);
        hph_player_destroy(player);
        hph_tuning_free(&tune);
        return 1;
    }

    hpc_catch_stop_signals();

    const char *result = "done";
    int started = hph_player_start(player, 5.0) == 0;
    char msg[320];
    while (hph_player_message(player, msg, sizeof msg)) {
        hpc_error("%s", msg);
        failures++;
    }
    if (!started) {
        hph_device_close(dev);
        hph_player_destroy(player);
        hph_tuning_free(&tune);
        return 1;
    }

    int from_stdin = 0; /* then standard input is audio, not keys */
    for (int i = 0; i < n_files; i++)
        from_stdin |= !strcmp(files[i], HPH_AUDIO_STDIN);
    int keys = !from_stdin && isatty(STDIN_FILENO) && hpc_tty_raw(STDIN_FILENO) == 0;
    play_ui ui = {.o = &o, .files = files, .n_files = n_files, .tty = keys && isatty(STDERR_FILENO), .safety = &safety};
    if (!o.quiet && !o.json) {
        fprintf(stderr,
                "play: %s '%s', %u Hz, %u ch, %s, period %u%s; volume %+.1f dB, ceiling %+.1f dBFS, "
                "limiter %+.1f dBTP\n",
                hph_backend_name(di.backend), di.name, di.rate_hz, di.channels, hph_dev_format_name(di.format),
                di.period_frames, di.buffer_frames ? "" : " (quantum)", start_db, safety.ceiling_db, safety.limit_dbtp);
        fprintf(stderr, "play: %s\n", safety.basis);
        if (o.loudness)
            fprintf(stderr, "play: loudness compensation (ISO 226:2003) against %.1f phon: now %.1f phon\n", o.ref_phon,
                    tune.listen_phon);
        if (o.compensate)
            fprintf(stderr, "play: output-impedance compensation: %zu band%s\n", tune.n_comp,
                    tune.n_comp == 1 ? "" : "s");
        if (eq.graphic.present) {
            char g[192];
            hpc_graphic_text(&eq.graphic, g, sizeof g);
            fprintf(stderr, "play: GraphicEQ: %s\n", g);
        }
    }

    double t0 = hpc_now_s();
    if (hph_device_start(dev) < 0) {
        hpc_tty_restore();
        hpc_error("%s: cannot start playback", di.name);
        hph_device_close(dev);
        hph_player_destroy(player);
        hph_tuning_free(&tune);
        return 1;
    }

    /* the listening policy: keys (and later front ends) ask the session */
    hph_session_config scfg = {.safety = safety,
                               .start_db = start_db,
                               .acknowledged = o.loud_ok,
                               .dose = have_dose ? &dose : NULL,
                               .rate_hz = di.rate_hz,
                               .eq_on = tune.n_set > 0 || tuned,
                               .crossfeed_on = o.crossfeed && di.channels == 2};
    /* with --http a preset may bring an EQ or a crossfeed later */
    const int xf_ok = (o.crossfeed || o.http) && di.channels == 2;
    if (o.http && !o.crossfeed && xf_ok) { /* switchable, libbs2b's default until a preset says */
        const hpa_crossfeed_preset *xd = hpa_crossfeed_preset_find("default");
        hph_player_set_crossfeed_params(player, xd->fcut_hz, xd->feed_db);
    }
    hph_session_target starget = {.user = player,
                                  .set_volume_db = target_volume,
                                  .set_mute = target_mute,
                                  .set_eq = eq.n_bands || tuned || o.http ? target_eq : NULL,
                                  .set_crossfeed = xf_ok ? target_crossfeed : NULL,
                                  .skip = target_skip};
    hph_session *session = hph_session_new(&scfg, &starget);
    if (!session) {
        hph_device_stop(dev);
        hpc_tty_restore();
        hpc_fail("no-memory", "out of memory");
        hph_device_close(dev);
        hph_player_destroy(player);
        if (have_dose)
            hph_dose_close(&dose);
        hph_tuning_free(&tune);
        return 1;
    }
    ui.session = session;
    ui.listen_phon = o.loudness ? tune.listen_phon : NAN;
    ui.dose = have_dose ? &dose : NULL;
    hph_http *http = NULL;
    live_preset lp = {.tune = &tune,
                      .player = player,
                      .session = session,
                      .eq = eq, /* the start's EQ (its bands: lp.eq frees them, eq keeps its summary) */
                      .rate_hz = di.rate_hz,
                      .channels = di.channels,
                      .room = pc.max_eq_bands,
                      .base_limit_dbtp = safety.limit_dbtp};
    pthread_mutex_init(&lp.lock, NULL);
    if (o.http) {
        char url[256], tpath[1100];
        hpa_headphone hpm;
        double zout = NAN;
        int have_z = o.hp && hpc_gear_response(o.hp, o.src, &hpm, &zout) == 0;
        hph_http_config hc = {.listen = o.http,
                              .session = session,
                              .safety = safety,
                              .eq_bands = lp.eq.bands,
                              .n_eq_bands = lp.eq.n_bands,
                              .eq_preamp_db = lp.eq.preamp_db,
                              .eq_rate_hz = di.rate_hz,
                              .headphone = have_z ? &hpm : NULL,
                              .zout_ohm = have_z ? zout : NAN,
                              .headphones = o.hp,
                              .source = o.src,
                              .profile = o.preset,
                              .preset = o.preset,
                              .apply_preset = apply_preset,
                              .apply_user = &lp};
        http = hph_http_start(&hc, url, sizeof url, tpath, sizeof tpath, why, sizeof why);
        atomic_store(&lp.http, http);
        if (!http) {
            hph_device_stop(dev);
            hpc_tty_restore();
            hpc_error("play: %s", why);
            hph_device_close(dev);
            hph_session_destroy(session);
            hph_player_destroy(player);
            hpa_eq_profile_free(&lp.eq);
            pthread_mutex_destroy(&lp.lock);
            if (have_dose)
                hph_dose_close(&dose);
            hph_tuning_free(&tune);
            return 1;
        }
        char addr[64];
        uint16_t port;
        int named = 0;
        hph_http_parse_listen(o.http, addr, sizeof addr, &port, &named);
        if (named && strcmp(addr, "127.0.0.1") != 0 && strcmp(addr, "::1") != 0)
            hpc_warn("play: --http %s: the control page is reachable from other machines (the token still guards it)",
                     o.http);
        fprintf(stderr, "play: control page %s%s%s%s\n", url, tpath[0] ? " (token in " : "", tpath,
                tpath[0] ? ")" : "");
        fflush(stderr);
    }
    double last_line = hpc_now_s(), last_draw = 0.0;
    int quit = 0;
    hph_device_status ds;
    hph_player_status st;
    for (;;) {
        while (hph_player_message(player, msg, sizeof msg)) {
            if (ui.tty)
                fputs("\r\033[K", stderr);
            hpc_error("%s", msg);
            failures++;
        }
        hph_device_poll(dev, &ds);
        ui.xruns = ds.xruns;
        if (ds.failed) {
            if (ui.tty)
                fputs("\r\033[K", stderr);
            hpc_error("%s", ds.message);
            result = "device failed";
            rc = 1;
            break;
        }
        if (ds.finished)
            break;
        if (hpc_interrupted()) {
            result = "interrupted";
            break;
        }
        if (quit) {
            result = "quit";
            break;
        }
        if (keys) {
            int k = hpc_tty_key(STDIN_FILENO, 50);
            double on = 0.0;
            hph_verdict v = HPH_DONE;
            switch (k) {
            case -1: keys = 0; break; /* end of input: stop reading keys, keep playing */
            case '+':
            case '=':
            case HPC_KEY_UP: v = hph_session_request(session, HPH_REQ_VOLUME_STEP, STEP_DB, NULL); break;
            case '-':
            case '_':
            case HPC_KEY_DOWN: hph_session_request(session, HPH_REQ_VOLUME_STEP, -STEP_DB, NULL); break;
            case 'm':
            case 'M': hph_session_request(session, HPH_REQ_MUTE, -1.0, NULL); break;
            case '!':
                hph_session_request(session, HPH_REQ_ACKNOWLEDGE, 1.0, NULL);
                set_note(&ui, "louder allowed (up to the ceiling)");
                break;
            case 'e':
            case 'E':
                if (hph_session_request(session, HPH_REQ_EQ, -1.0, &on) == HPH_UNAVAILABLE)
                    set_note(&ui, "no EQ (--eq FILE)");
                else
                    set_note(&ui, on > 0.0 ? "EQ in" : "EQ out (bypassed)");
                break;
            case 'x':
            case 'X':
                if (hph_session_request(session, HPH_REQ_CROSSFEED, -1.0, &on) == HPH_UNAVAILABLE)
                    set_note(&ui, "no crossfeed (--crossfeed, stereo)");
                else
                    set_note(&ui, on > 0.0 ? "crossfeed in" : "crossfeed out (bypassed)");
                break;
            case 'n':
            case 'N':
            case HPC_KEY_RIGHT: hph_session_request(session, HPH_REQ_SKIP, +1.0, NULL); break;
            case 'p':
            case 'P':
            case HPC_KEY_LEFT: hph_session_request(session, HPH_REQ_SKIP, -1.0, NULL); break;
            case 'q':
            case 'Q': quit = 1; break;
            default: break;
            }
            if (v == HPH_AT_CEILING)
                set_note(&ui, "at the ceiling");
            else if (v == HPH_NEEDS_ACK)
                set_note(&ui, "louder needs '!' or --i-understand-loud");
        } else {
            sleep_ms(50);
        }
        if (o.loudness) { /* the loudness compensation follows the volume, a step at a time */
            hph_session_state ss;
            hph_session_state_get(session, &ss);
            pthread_mutex_lock(&lp.lock); /* POST preset changes the tuning too */
            int u = hph_tuning_update(&tune, ss.volume_db, why, sizeof why);
            if (u > 0 && hph_player_set_eq_bands(player, tune.set, tune.n_set, tune.preamp_db, why, sizeof why))
                u = -1;
            pthread_mutex_unlock(&lp.lock);
            if (u < 0) {
                if (ui.tty)
                    fputs("\r\033[K", stderr);
                hpc_warn("play: %s", why);
            }
        }
        pthread_mutex_lock(&lp.lock);
        ui.listen_phon = o.loudness ? tune.listen_phon : NAN;
        pthread_mutex_unlock(&lp.lock);
        hph_player_status_get(player, &st);
        dose_step(&ui, &st, 0);
        if (http)
            http_publish(http, &ui, &st, &di, hph_player_loudness(player));
        double now = hpc_now_s();
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
        hph_player_set_mute(player, 1);
        for (int i = 0; i < 40; i++) {
            hph_player_status_get(player, &st);
            if (st.gain < 1e-4)
                break;
            sleep_ms(5);
        }
    }
    hph_device_stop(dev);
    hpc_tty_restore();
    hph_player_status_get(player, &st);
    dose_step(&ui, &st, 1);
    while (hph_player_message(player, msg, sizeof msg)) {
        hpc_error("%s", msg);
        failures++;
    }
    double seconds = hpc_now_s() - t0;
    if (!o.quiet && !o.json) {
        if (ui.tty)
            fputs("\r\033[K", stderr);
        fprintf(stderr, "play: %s after %.1f s: %llu frames, clipped %llu, xruns %llu, underruns %llu\n", result,
                seconds, (unsigned long long)st.frames_out, (unsigned long long)st.clipped,
                (unsigned long long)ds.xruns, (unsigned long long)st.starved);
    }
    if (o.json) {
        printf("{\"backend\": \"%s\", \"device\": ", hph_backend_name(di.backend));
        hpc_json_string(stdout, di.name);
        printf(", \"rate\": %u, \"channels\": %u, \"format\": \"%s\", \"period_frames\": %u, \"buffer_frames\": %u",
               di.rate_hz, di.channels, hph_dev_format_name(di.format), di.period_frames, di.buffer_frames);
        printf(", \"files\": %d, \"failed_files\": %d, \"frames_out\": %llu, \"seconds\": ", n_files, failures,
               (unsigned long long)st.frames_out);
        hpc_json_number(stdout, seconds, 3);
        printf(", \"volume_db\": ");
        hph_session_state ss;
        hph_session_state_get(session, &ss);
        hpc_json_number(stdout, ss.volume_db, 2);
        printf(", \"max_volume_db\": ");
        hpc_json_number(stdout, safety.ceiling_db, 2);
        printf(", \"limit_dbtp\": ");
        hpc_json_number(stdout, safety.limit_dbtp, 2);
        printf(", \"start_volume_db\": ");
        hpc_json_number(stdout, start_db, 2);
        if (safety.spl_known) {
            printf(", \"spl_at_0dbfs\": ");
            hpc_json_number(stdout, safety.spl0_db, 2);
            printf(", \"ceiling_spl_db\": ");
            hpc_json_number(stdout, safety.spl0_db + safety.ceiling_db, 2);
        }
        printf(", \"limited_frames\": %llu", (unsigned long long)st.limited_frames);
        printf(", \"eq_bands\": %zu, \"eq\": %s, \"crossfeed\": %s", eq.n_bands, st.eq_on ? "true" : "false",
               st.crossfeed_on ? "true" : "false");
        if (o.loudness)
            printf(", \"loudness_ref_phon\": %.1f, \"loudness_phon\": %.1f", o.ref_phon, tune.listen_phon);
        if (o.compensate)
            printf(", \"compensation_bands\": %zu", tune.n_comp);
        printf(", \"graphic_eq\": ");
        hpc_graphic_json(stdout, &eq.graphic);
        if (have_dose) {
            printf(", \"dose_percent\": ");
            hpc_json_number(stdout, hph_dose_percent(&dose), 4);
            printf(", \"dose_recorded_s\": ");
            hpc_json_number(stdout, ss.recorded_s, 3);
        }
        printf(", \"clipped_samples\": %llu, \"xruns\": %llu, \"underruns\": %llu, \"result\": \"%s\"}\n",
               (unsigned long long)st.clipped, (unsigned long long)ds.xruns, (unsigned long long)st.starved, result);
    }
    hph_device_close(dev);
    hph_http_stop(http);
    hph_session_destroy(session);
    hph_player_destroy(player);
    hph_tuning_free(&tune);
    hpa_eq_profile_free(&lp.eq);
    pthread_mutex_destroy(&lp.lock);
    if (have_dose)
        hph_dose_close(&dose);
    if (hpc_interrupted())
        return 128 + hpc_interrupted();
    if (rc)
        return rc;
    return failures ? 1 : 0;
}
