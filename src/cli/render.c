/* render.c — `hpamp render IN -o OUT`: a file through the chain to a file.
 *
 * The output is written to a temporary file beside OUT and renamed over it
 * only when everything succeeded, so a failed or interrupted render leaves
 * neither OUT nor the temporary file behind. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hpamp/chain.h>

#include "../io/audiofile.h"
#include "cli.h"
#include "term.h"
#include "writer.h"

#define BLOCK_FRAMES 4096u
#define WRITE_SLOTS 4

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

static void usage(FILE *f)
{
    fputs("Usage: hpamp render IN -o OUT [options]\n"
          "\n"
          "Play a file through hpamp's DAC chain and write the result: resample or\n"
          "oversample, set the volume, requantize with dither.  Reads WAV, FLAC, Ogg\n"
          "Vorbis, MP3 and whatever else libsndfile knows; writes WAV or FLAC, chosen by\n"
          "OUT's extension.\n"
          "\n"
          "Options:\n"
          "  -o, --output FILE   where to write (.wav or .flac); never the input itself\n"
          "  -r, --rate HZ       output sample rate, 8000..768000 (default: the input's)\n"
          "  -f, --filter NAME   resampling filter (default: linear):\n"
          "                        linear        linear phase, very high quality\n"
          "                        steep         linear phase, flat to 0.995 of Nyquist, >=150 dB stopband\n"
          "                        minimum       minimum phase: no pre-ringing (rate change < 64x)\n"
          "                        intermediate  between linear and minimum phase\n"
          "  -b, --bits N        output samples: 16, 24, 32, float or double (FLAC: 16 or 24)\n"
          "                      (default: the input's, 24 for decoded lossy files)\n"
          "  -v, --volume DB     gain in dB, -120..+24 (default 0); above 0 dB may clip\n"
          "  -d, --dither NAME   requantization to integers (default: tpdf):\n"
          "                        tpdf    triangular dither, flat noise\n"
          "                        shaped  noise moved out of 1-5 kHz (for 44.1/48 kHz 16-bit)\n"
          "                        none    plain rounding\n"
          "      --json          print the summary as one JSON object on stdout\n"
          "  -q, --quiet         print nothing but errors\n"
          "  -h, --help          show this help\n"
          "\n"
          "When nothing changes the signal (same rate, 0 dB, same or wider format) the\n"
          "output is bit-identical to the input and no dither is added.\n"
          "\n"
          "Examples:\n"
          "  hpamp render song.flac -o song-352k.wav --rate 352800 --filter steep --bits 24\n"
          "  hpamp render song.wav -o quiet.flac --volume -6 --bits 16 --dither shaped\n"
          "\n"
          "Exit status: 0 done, 1 failure (bad file, disk full, ...), 2 usage error,\n"
          "130 interrupted.\n",
          f);
}

typedef struct render_opts {
    const char *in, *out;
    uint32_t rate;      /* 0: keep */
    hpa_filter filter;
    int bits;           /* 0: keep; 16, 24, 32; 'f' float; 'd' double */
    double volume_db;
    hpa_dither dither;
    int json, quiet;
} render_opts;

static int parse_bits(const char *s)
{
    if (!strcmp(s, "16")) return 16;
    if (!strcmp(s, "24")) return 24;
    if (!strcmp(s, "32")) return 32;
    if (!strcmp(s, "float") || !strcmp(s, "f32")) return 'f';
    if (!strcmp(s, "double") || !strcmp(s, "f64")) return 'd';
    return -1;
}

static hpa_format format_for_bits(int bits, hpa_format in)
{
    switch (bits) {
    case 16: return HPA_FORMAT_S16;
    case 24: return HPA_FORMAT_S24;
    case 32: return HPA_FORMAT_S32;
    case 'f': return HPA_FORMAT_F32;
    case 'd': return HPA_FORMAT_F64;
    default: return in == HPA_FORMAT_F64 ? HPA_FORMAT_S24 : in; /* decoded lossy: 24-bit */
    }
}

static int parse_args(int argc, char **argv, render_opts *o)
{
    static const struct option longopts[] = {
        {"output", required_argument, 0, 'o'}, {"rate", required_argument, 0, 'r'},
        {"filter", required_argument, 0, 'f'}, {"bits", required_argument, 0, 'b'},
        {"volume", required_argument, 0, 'v'}, {"dither", required_argument, 0, 'd'},
        {"json", no_argument, 0, 'J'},         {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0},
    };
    int c, v;
    memset(o, 0, sizeof *o);
    o->filter = HPA_FILTER_LINEAR;
    o->dither = HPA_DITHER_TPDF;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:r:f:b:v:d:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': o->out = optarg; break;
        case 'r':
            if (hpa_parse_u32(optarg, HPA_RATE_MIN_HZ, HPA_RATE_MAX_HZ, &o->rate)) {
                hpa_cli_error("render: --rate takes a whole number of Hz from 8000 to 768000, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'f':
            if ((v = hpa_filter_from_name(optarg)) < 0) {
                hpa_cli_error("render: --filter takes linear, steep, minimum or intermediate, not '%s'", optarg);
                return EXIT_USAGE;
            }
            o->filter = (hpa_filter)v;
            break;
        case 'b':
            if ((o->bits = parse_bits(optarg)) < 0) {
                hpa_cli_error("render: --bits takes 16, 24, 32, float or double, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'v':
            if (hpa_parse_double(optarg, -120.0, 24.0, &o->volume_db)) {
                hpa_cli_error("render: --volume takes dB from -120 to +24, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'd':
            if ((v = hpa_dither_from_name(optarg)) < 0) {
                hpa_cli_error("render: --dither takes tpdf, shaped or none, not '%s'", optarg);
                return EXIT_USAGE;
            }
            o->dither = (hpa_dither)v;
            break;
        case 'J': o->json = 1; break;
        case 'q': o->quiet = 1; break;
        case 'h': usage(stdout); exit(0);
        case ':':
            hpa_cli_error("render: %s needs a value (see hpamp render --help)", argv[optind - 1]);
            return EXIT_USAGE;
        default:
            hpa_cli_error("render: unknown option '%s' (see hpamp render --help)", argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        o->in = argv[optind++];
    if (optind < argc) {
        hpa_cli_error("render: one input file only; unexpected '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    if (!o->in || !o->out) {
        hpa_cli_error("render: needs an input file and -o OUTPUT (see hpamp render --help)");
        return EXIT_USAGE;
    }
    return 0;
}

/* 1 if a and b name the same existing file */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) || stat(b, &sb))
        return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* create a temporary file beside path; returns fd, fills tmp */
static int make_temp_beside(const char *path, char *tmp, size_t len)
{
    char *copy1 = strdup(path), *copy2 = strdup(path);
    int fd = -1;
    if (copy1 && copy2) {
        const char *dir = dirname(copy1), *base = basename(copy2);
        /* ".NAME.hpamp-XXXXXX", NAME cut so the whole stays within NAME_MAX */
        if ((size_t)snprintf(tmp, len, "%s/.%.*s.hpamp-XXXXXX", dir, 240, base) < len) {
            fd = mkostemp(tmp, O_CLOEXEC);
            if (fd >= 0) {
                mode_t mask = umask(0);
                umask(mask);
                fchmod(fd, 0666 & ~mask);
            }
        } else {
            errno = ENAMETOOLONG;
        }
    } else {
        errno = ENOMEM;
    }
    free(copy1);
    free(copy2);
    return fd;
}

static int is_int_format(hpa_format f)
{
    return f == HPA_FORMAT_S16 || f == HPA_FORMAT_S24 || f == HPA_FORMAT_S32;
}

static double dbfs(double peak)
{
    return peak > 0.0 ? 20.0 * log10(peak) : -INFINITY;
}

static void print_side_json(FILE *f, const char *path, const hpa_audio_info *info, int64_t frames)
{
    fputs("{\"path\": ", f);
    hpa_json_string(f, path);
    fprintf(f, ", \"rate\": %u, \"channels\": %u, \"format\": \"%s\", \"frames\": %lld}", info->rate_hz,
            info->channels, hpa_format_name(info->format), (long long)frames);
}

typedef struct render_result {
    hpa_audio_info in, out;
    int64_t frames_in, frames_out;
    hpa_chain_stats stats;
    double latency, seconds;
} render_result;

static void print_summary(const render_opts *o, const render_result *r)
{
    double rt = r->seconds > 0.0 ? ((double)r->frames_in / r->in.rate_hz) / r->seconds : INFINITY;
    uint64_t clipped = r->stats.clipped[HPA_STAGE_OUTPUT];
    int resampled = r->in.rate_hz != r->out.rate_hz;
    if (o->json) {
        printf("{\"input\": ");
        print_side_json(stdout, o->in, &r->in, r->frames_in);
        printf(", \"output\": ");
        print_side_json(stdout, o->out, &r->out, r->frames_out);
        printf(", \"filter\": \"%s\", \"resampled\": %s, \"dither\": \"%s\", \"volume_db\": ",
               hpa_filter_name(o->filter), resampled ? "true" : "false", hpa_dither_name(o->dither));
        hpa_json_number(stdout, o->volume_db, 2);
        printf(", \"peak_dbfs\": ");
        hpa_json_number(stdout, dbfs(r->stats.peak), 2);
        printf(", \"clipped_samples\": %llu, \"clipped_by_stage\": {", (unsigned long long)clipped);
        for (int s = 0; s < HPA_STAGE_COUNT; s++)
            printf("%s\"%s\": %llu", s ? ", " : "", hpa_stage_name((hpa_stage)s),
                   (unsigned long long)r->stats.clipped[s]);
        printf("}, \"latency_frames\": ");
        hpa_json_number(stdout, r->latency, 1);
        printf(", \"seconds\": ");
        hpa_json_number(stdout, r->seconds, 3);
        printf(", \"realtime_factor\": ");
        hpa_json_number(stdout, rt, 1);
        printf("}\n");
        return;
    }
    if (o->quiet)
        return;
    printf("input   %s\n        %s, %u Hz, %u ch, %lld frames (%.2f s)\n", o->in, r->in.codec, r->in.rate_hz,
           r->in.channels, (long long)r->frames_in, (double)r->frames_in / r->in.rate_hz);
    printf("output  %s\n        %s, %u Hz, %u ch, %lld frames\n", o->out, hpa_format_name(r->out.format),
           r->out.rate_hz, r->out.channels, (long long)r->frames_out);
    static const char *const what[HPA_FILTER_COUNT] = {
        [HPA_FILTER_LINEAR] = "linear phase, very high quality",
        [HPA_FILTER_STEEP] = "linear phase, flat to 0.995 of Nyquist",
        [HPA_FILTER_MINIMUM] = "minimum phase, no pre-ringing",
        [HPA_FILTER_INTERMEDIATE] = "between linear and minimum phase",
    };
    if (resampled)
        printf("filter  %s: %s (its %.1f ms delay is trimmed)\n", hpa_filter_name(o->filter), what[o->filter],
               1000.0 * r->latency / r->out.rate_hz);
    else
        printf("filter  none (no rate change)\n");
    printf("volume  %+.2f dB, dither %s\n", o->volume_db,
           is_int_format(r->out.format) ? hpa_dither_name(o->dither) : "n/a (float output)");
    printf("peak    %.2f dBFS, clipped samples %llu\n", dbfs(r->stats.peak), (unsigned long long)clipped);
    printf("speed   %.1fx realtime (%.2f s)\n", rt, r->seconds);
}

int hpa_cmd_render(int argc, char **argv)
{
    render_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;

    if (hpa_audio_container_for(o.out) == HPA_CONTAINER_NONE) {
        hpa_cli_error("render: %s: output must end in .wav or .flac", o.out);
        return EXIT_USAGE;
    }
    if (!strcmp(o.in, o.out) || same_file(o.in, o.out)) {
        hpa_cli_error("render: %s: refusing to write over the input file", o.out);
        return EXIT_USAGE;
    }

    char why[256];
    render_result r;
    memset(&r, 0, sizeof r);
    hpa_audiofile *in = hpa_audio_open_read(o.in, &r.in, why, sizeof why);
    if (!in) {
        hpa_cli_error("%s: %s", o.in, why);
        return 1;
    }
    if (r.in.rate_hz < HPA_RATE_MIN_HZ || r.in.rate_hz > HPA_RATE_MAX_HZ) {
        hpa_cli_error("%s: sample rate %u Hz is not supported (8000 to 768000 Hz)", o.in, r.in.rate_hz);
        hpa_audio_close(in);
        return 1;
    }
    if (r.in.channels < 1 || r.in.channels > HPA_CHANNELS_MAX) {
        hpa_cli_error("%s: %u channels are not supported (1 to %u)", o.in, r.in.channels, HPA_CHANNELS_MAX);
        hpa_audio_close(in);
        return 1;
    }

    hpa_container container = hpa_audio_container_for(o.out);
    r.out = r.in;
    r.out.rate_hz = o.rate ? o.rate : r.in.rate_hz;
    r.out.format = format_for_bits(o.bits, r.in.format);
    if (container == HPA_CONTAINER_FLAC && !hpa_audio_container_supports(container, r.out.format)) {
        if (o.bits) {
            hpa_cli_error("render: %s: FLAC holds 16- or 24-bit samples; use --bits 16 or 24, or a .wav", o.out);
            hpa_audio_close(in);
            return EXIT_USAGE;
        }
        r.out.format = HPA_FORMAT_S24; /* a float or 32-bit source into FLAC: its best depth */
    }

    hpa_chain_config cfg;
    hpa_chain_config_init(&cfg);
    cfg.in_rate_hz = r.in.rate_hz;
    cfg.out_rate_hz = r.out.rate_hz;
    cfg.channels = r.in.channels;
    cfg.max_block_frames = BLOCK_FRAMES;
    cfg.in_format = r.in.format;
    cfg.out_format = r.out.format;
    cfg.filter = o.filter;
    cfg.dither = o.dither;
    cfg.volume_db = o.volume_db;
    cfg.max_volume_db = 24.0; /* offline: the volume asked for is the volume given */
    hpa_chain *chain = NULL;
    int err = hpa_chain_create(&cfg, &chain);
    if (err) {
        hpa_cli_error("%s: cannot set up the chain: %s", o.in, hpa_strerror(err));
        hpa_audio_close(in);
        return 1;
    }
    r.latency = hpa_chain_latency_frames(chain);

    size_t max_out = hpa_chain_max_out_frames(chain);
    void *ibuf = malloc((size_t)BLOCK_FRAMES * r.in.channels * hpa_format_bytes(r.in.format));
    char tmp[4096];
    int fd = -1;
    hpa_audiofile *out = NULL;
    hpa_writer *writer = NULL;
    rc = 1;
    if (!ibuf) {
        hpa_cli_error("out of memory");
        goto done;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    fd = make_temp_beside(o.out, tmp, sizeof tmp);
    if (fd < 0) {
        hpa_cli_error("%s: cannot create the output file: %s", o.out, strerror(errno));
        goto done;
    }
    out = hpa_audio_open_write_fd(fd, container, &r.out, why, sizeof why);
    if (!out) {
        close(fd);
        hpa_cli_error("%s: %s", o.out, why);
        goto fail_unlink;
    }
    /* encoding and writing run on the other core, a few blocks behind */
    writer = hpa_writer_start(out, max_out * r.out.channels * hpa_format_bytes(r.out.format), WRITE_SLOTS);
    if (!writer) {
        hpa_cli_error("out of memory");
        goto fail_unlink;
    }

    hpa_progress prog;
    hpa_progress_begin(&prog, "render", !o.quiet && !o.json);
    double t0 = hpa_now_s();
    int failed = 0;
    for (;;) {
        if (interrupted)
            break;
        int64_t n = hpa_audio_read(in, ibuf, BLOCK_FRAMES);
        size_t produced = 0;
        if (n < 0) {
            hpa_progress_end(&prog);
            hpa_cli_error("%s: read error: %s", o.in, hpa_audio_error(in));
            failed = 1;
            break;
        }
        void *obuf = hpa_writer_buffer(writer);
        if (!obuf)
            break; /* a write failed: hpa_writer_finish says why */
        if (n == 0) {
            err = hpa_chain_drain(chain, obuf, max_out, &produced);
        } else {
            r.frames_in += n;
            err = hpa_chain_process(chain, ibuf, (size_t)n, obuf, max_out, &produced);
        }
        if (err) {
            hpa_progress_end(&prog);
            hpa_cli_error("%s: processing failed: %s", o.in, hpa_strerror(err));
            failed = 1;
            break;
        }
        hpa_writer_submit(writer, produced);
        r.frames_out += (int64_t)produced;
        if (n == 0 && produced == 0)
            break;
        if (r.in.frames > 0)
            hpa_progress_update(&prog, (double)r.frames_in / (double)r.in.frames);
    }
    int werr = hpa_writer_finish(writer);
    writer = NULL;
    hpa_progress_end(&prog);
    if (werr && !failed) {
        int e = errno;
        hpa_cli_error("%s: write failed: %s", o.out, e ? strerror(e) : hpa_audio_error(out));
        goto fail_unlink;
    }
    if (failed)
        goto fail_unlink;
    if (interrupted) {
        hpa_cli_error("interrupted; %s not written", o.out);
        rc = 128 + interrupted;
        goto fail_unlink;
    }
    errno = 0;
    err = hpa_audio_close(out);
    out = NULL;
    if (err) {
        hpa_cli_error("%s: finishing the file failed: %s", o.out, errno ? strerror(errno) : "libsndfile error");
        goto fail_unlink;
    }
    if (rename(tmp, o.out)) {
        hpa_cli_error("%s: cannot rename the finished file into place: %s", o.out, strerror(errno));
        goto fail_unlink;
    }
    r.seconds = hpa_now_s() - t0;
    hpa_chain_get_stats(chain, &r.stats);
    print_summary(&o, &r);
    rc = 0;
    goto done;

fail_unlink:
    if (writer)
        hpa_writer_finish(writer);
    hpa_audio_close(out);
    out = NULL;
    unlink(tmp);
    if (rc == 0)
        rc = 1;
done:
    hpa_audio_close(in);
    hpa_chain_destroy(chain);
    free(ibuf);
    return rc;
}
