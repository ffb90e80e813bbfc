/* play.c — `hpamp play FILE...`: files through the chain to a sound device,
 * live, with keys and hearing protection.
 *
 * Threads: this one (arguments, keys, status), the decoder (player.c) and the
 * audio thread (the backend's: alsa.c or pipewire.c) which runs the chain.
 * See docs/play.md. */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hpamp/chain.h>

#include "../io/audiofile.h"
#include "../io/device.h"
#include "cli.h"
#include "player.h"
#include "safety.h"
#include "term.h"
#include "tty.h"

#define STEP_DB 0.5
#define DEFAULT_PERIOD 1024u

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

static void usage(FILE *f)
{
    fputs("Usage: hpamp play FILE... [options]\n"
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
          "  -v, --volume DB       start volume, dBFS (default -30); playback starts muted\n"
          "                        and ramps to it.  Above -30 needs --i-understand-loud\n"
          "      --max-volume DB   hard ceiling, -120..0 dBFS (default 0): no key or flag\n"
          "                        goes above it\n"
          "      --i-understand-loud\n"
          "                        allow volumes above the safe level of -30 dBFS (with\n"
          "                        unknown headphones, -30 dBFS may already be loud)\n"
          "      --period FRAMES   frames per device period, 64..8192 (default 1024)\n"
          "  -r, --rate HZ         ask the device for this rate (default: the file's)\n"
          "      --json            status lines as JSON on stderr, a summary on stdout\n"
          "  -q, --quiet           no status lines\n"
          "  -h, --help            show this help\n"
          "\n"
          "Keys (when standard input is a terminal):\n"
          "  + or Up     volume +0.5 dB        - or Down   volume -0.5 dB\n"
          "  m           mute / unmute         !           allow louder than -30 dBFS\n"
          "  n or Right  next file             p or Left   previous file\n"
          "  q           quit\n"
          "Without a terminal no keys are read and a status line goes to stderr each\n"
          "second, so play can be scripted.\n"
          "\n"
          "Exit status: 0 done, 1 failure (device, file), 2 usage error, 128+N on signal N.\n",
          f);
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
    uint32_t period, rate;
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
    enum { OPT_MAX = 256, OPT_LOUD, OPT_PERIOD, OPT_JSON };
    static const struct option longopts[] = {
        {"device", required_argument, 0, 'd'},   {"volume", required_argument, 0, 'v'},
        {"max-volume", required_argument, 0, OPT_MAX}, {"i-understand-loud", no_argument, 0, OPT_LOUD},
        {"period", required_argument, 0, OPT_PERIOD}, {"rate", required_argument, 0, 'r'},
        {"json", no_argument, 0, OPT_JSON},      {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},           {0, 0, 0, 0},
    };
    int c;
    memset(o, 0, sizeof *o);
    o->period = DEFAULT_PERIOD;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":d:v:r:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (parse_device(optarg, o)) {
                hpa_cli_error("play: --device takes alsa[:NAME], pipewire[:TARGET] or an ALSA name, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'v':
            if (hpa_parse_double(optarg, -120.0, 24.0, &o->volume_db)) {
                hpa_cli_error("play: --volume takes dB from -120 to 0, not '%s'", optarg);
                return EXIT_USAGE;
            }
            o->volume_set = 1;
            break;
        case OPT_MAX:
            if (hpa_parse_double(optarg, -120.0, 0.0, &o->max_volume_db)) {
                hpa_cli_error("play: --max-volume takes dBFS from -120 to 0, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_LOUD: o->loud_ok = 1; break;
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
        case OPT_JSON: o->json = 1; break;
        case 'q': o->quiet = 1; break;
        case 'h': usage(stdout); exit(0);
        case ':':
            hpa_cli_error("play: %s needs a value (see hpamp play --help)", argv[optind - 1]);
            return EXIT_USAGE;
        default:
            hpa_cli_error("play: unknown option '%s' (see hpamp play --help)", argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        hpa_cli_error("play: needs at least one file (see hpamp play --help)");
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
    const hpa_dev_format *l = src == HPA_FORMAT_S16 ? s16 : src == HPA_FORMAT_S24 ? s24
                            : src == HPA_FORMAT_F32 ? f32 : s32;
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

typedef struct play_ui {
    const play_opts *o;
    const char *const *files;
    int n_files;
    int tty;               /* status drawn in place on a terminal (stderr) */
    const char *note;      /* shown for a while on the status line */
    double note_until;
    uint64_t xruns;
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
        fprintf(stderr, ", \"muted\": %s, \"peak_dbfs\": [", st->muted ? "true" : "false");
        for (uint32_t c = 0; c < st->channels; c++) {
            fprintf(stderr, "%s", c ? ", " : "");
            hpa_json_number(stderr, db_of(st->peak[c]), 1);
        }
        fprintf(stderr, "], \"clipped\": %llu, \"xruns\": %llu, \"underruns\": %llu}\n",
                (unsigned long long)st->clipped, (unsigned long long)ui->xruns, (unsigned long long)st->starved);
        return;
    }
    char vol[32];
    if (st->muted)
        snprintf(vol, sizeof vol, "MUTED");
    else
        snprintf(vol, sizeof vol, "%+.1f dB", st->volume_db);
    if (!ui->tty) {
        fprintf(stderr, "play: [%d/%d] %s %s/%s volume %s peak", st->index + 1, ui->n_files, name, pos, len, vol);
        for (uint32_t c = 0; c < st->channels && c < 2; c++)
            fprintf(stderr, "%s%.1f", c ? "/" : " ", db_of(st->peak[c]));
        fprintf(stderr, " dBFS clipped %llu xruns %llu underruns %llu\n", (unsigned long long)st->clipped,
                (unsigned long long)ui->xruns, (unsigned long long)st->starved);
        return;
    }
    int cols = hpa_tty_columns(STDERR_FILENO);
    char l[16], r[16];
    meter(l, 10, st->peak[0]);
    meter(r, 10, st->channels > 1 ? st->peak[1] : st->peak[0]);
    char line[512];
    const char *note = ui->note && hpa_now_s() < ui->note_until ? ui->note : "";
    int n = snprintf(line, sizeof line, "[%d/%d] %s  %s/%s  vol %s  L %s R %s  clip %llu  xrun %llu%s%s",
                     st->index + 1, ui->n_files, name, pos, len, vol, l, r, (unsigned long long)st->clipped,
                     (unsigned long long)(ui->xruns + st->starved), *note ? "  " : "", note);
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

    /* ---- hearing protection: the start level and the ceiling ---- */
    hpa_safety safety;
    hpa_safety_unknown(&safety, o.max_volume_db);
    double start_db = o.volume_set ? o.volume_db : safety.start_db;
    if (start_db > safety.ceiling_db) {
        hpa_cli_warn("play: --volume %+.1f is above the ceiling; capped at --max-volume %+.1f dBFS", start_db,
                     safety.ceiling_db);
        start_db = safety.ceiling_db;
    }
    if (start_db > safety.loud_db && !o.loud_ok) {
        hpa_cli_error("play: --volume %+.1f dBFS is above the safe start level of %.1f dBFS (%s); add "
                      "--i-understand-loud to start louder",
                      start_db, safety.loud_db, safety.basis);
        return EXIT_USAGE;
    }
    int acknowledged = o.loud_ok;

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
    req.n_prefer = prefer_formats(info.format, req.prefer);
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

    hpa_player_config pc;
    memset(&pc, 0, sizeof pc);
    pc.files = files;
    pc.n_files = n_files;
    pc.out_rate_hz = di.rate_hz;
    pc.channels = di.channels;
    pc.out_format = di.chain_format;
    pc.max_render_frames = di.max_render_frames;
    pc.start_volume_db = start_db;
    pc.max_volume_db = safety.ceiling_db;
    pc.filter = HPA_FILTER_LINEAR;
    pc.dither = HPA_DITHER_TPDF;
    if (hpa_player_configure(player, &pc, why, sizeof why)) {
        hpa_cli_error("%s", why);
        hpa_device_close(dev);
        hpa_player_destroy(player);
        return 1;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

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
    play_ui ui = {.o = &o, .files = files, .n_files = n_files, .tty = keys && isatty(STDERR_FILENO)};
    if (!o.quiet && !o.json)
        fprintf(stderr, "play: %s '%s', %u Hz, %u ch, %s, period %u%s; volume %+.1f dB, ceiling %+.1f dBFS\n",
                hpa_backend_name(di.backend), di.name, di.rate_hz, di.channels, hpa_dev_format_name(di.format),
                di.period_frames, di.buffer_frames ? "" : " (quantum)", start_db, safety.ceiling_db);

    double t0 = hpa_now_s();
    if (hpa_device_start(dev) < 0) {
        hpa_tty_restore();
        hpa_cli_error("%s: cannot start playback", di.name);
        hpa_device_close(dev);
        hpa_player_destroy(player);
        return 1;
    }

    double target = start_db, last_line = hpa_now_s(), last_draw = 0.0;
    int muted = 0, quit = 0;
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
        if (interrupted) {
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
            case '+': case '=': case HPA_KEY_UP: want = target + STEP_DB; break;
            case '-': case '_': case HPA_KEY_DOWN: want = target - STEP_DB; break;
            case 'm': case 'M':
                muted = !muted;
                hpa_player_set_mute(player, muted);
                break;
            case '!':
                acknowledged = 1;
                set_note(&ui, "louder allowed (up to the ceiling)");
                break;
            case 'n': case 'N': case HPA_KEY_RIGHT: hpa_player_skip(player, +1); break;
            case 'p': case 'P': case HPA_KEY_LEFT: hpa_player_skip(player, -1); break;
            case 'q': case 'Q': quit = 1; break;
            default: break;
            }
            if (want != target) {
                double allowed = hpa_safety_allow(&safety, want, acknowledged);
                if (allowed < want && want > target)
                    set_note(&ui, acknowledged || allowed >= safety.ceiling_db ? "at the ceiling (--max-volume)"
                                                                               : "louder needs '!' or --i-understand-loud");
                if (allowed < -120.0)
                    allowed = -120.0;
                if (want > target && allowed < target)
                    allowed = target; /* never a step down from a key meant to go up */
                target = allowed;
                hpa_player_set_volume_db(player, target);
            }
        } else {
            sleep_ms(50);
        }
        hpa_player_status_get(player, &st);
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
        printf(", \"clipped_samples\": %llu, \"xruns\": %llu, \"underruns\": %llu, \"result\": \"%s\"}\n",
               (unsigned long long)st.clipped, (unsigned long long)ds.xruns, (unsigned long long)st.starved, result);
    }
    hpa_device_close(dev);
    hpa_player_destroy(player);
    if (interrupted)
        return 128 + interrupted;
    if (rc)
        return rc;
    return failures ? 1 : 0;
}
