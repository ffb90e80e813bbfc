/* render.c — `hpamp render IN -o OUT`: a file through the chain to a file.
 *
 * The output is a file without a name (outfile.h) that becomes OUT only
 * when everything succeeded, so a failed, interrupted or killed render
 * leaves neither OUT nor a temporary file behind. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#include <hpamp/chain.h>
#include <hpamp/eq.h>

#include <hpamp/host/audiofile.h>
#include <hpamp/host/quiet.h>
#include <hpamp/host/render.h>
#include <hpamp/host/scan.h>
#include <hpamp/host/tags.h>
#include "cli.h"
#include "eqfile.h"
#include "gear.h"
#include "tuning.h"
#include <hpamp/host/outfile.h>
#include "preset.h"
#include "simulate.h"
#include "term.h"
#include <hpamp/host/writer.h>

#define BLOCK_FRAMES 4096u
#define WRITE_SLOTS 4

/* What failed, for --json: "input", "output", "eq", "preset", "chain" or
 * "memory" (usage errors and interruptions are told by the exit status). */
static const char *fail_code = "failed";

static void usage(FILE *f)
{
    char vol[48], xf[96], lim[48], bal[48], ref[48];
    /* the ranges come from the parameter table (params.h) */
    fprintf(f,
            "Usage: hpamp render IN -o OUT [options]\n"
            "\n"
            "Play a file through hpamp's DAC chain and write the result: resample or\n"
            "oversample, equalize, crossfeed, set the volume, limit true peaks,\n"
            "requantize with dither.  Reads WAV, FLAC, Ogg\n"
            "Vorbis, MP3 and whatever else libsndfile knows; writes WAV or FLAC, chosen by\n"
            "OUT's extension (a WAV that may pass 4 GiB is written as RF64).  OUT appears\n"
            "only when it is complete.  IN '-' is standard input: a WAV, FLAC or other\n"
            "stream libsndfile reads, or headerless PCM with --raw.\n"
            "\n"
            "Options:\n"
            "  -o, --output FILE   where to write (.wav or .flac); never the input itself\n"
            "      --raw ENC:RATE:CH  IN is headerless PCM: ENC s8, u8, s16le, s16be, s24le,\n"
            "                      s24be (3 bytes), s32le, s32be, f32le, f32be, f64le or f64be,\n"
            "                      e.g. --raw s16le:48000:2\n"
            "  -r, --rate HZ       output sample rate, 8000..768000, FLAC up to 655350\n"
            "                      (default: the input's)\n"
            "  -f, --filter NAME   resampling filter (default: linear):\n"
            "                        linear        linear phase, very high quality\n"
            "                        steep         linear phase, flat to 0.995 of Nyquist, >=150 dB stopband\n"
            "                        minimum       minimum phase: no pre-ringing (rate change < 64x)\n"
            "                        intermediate  between linear and minimum phase\n"
            "  -b, --bits N        output samples: 16, 24, 32, float or double (FLAC: 16 or 24)\n"
            "                      (default: the input's, 24 for decoded lossy files)\n"
            "  -v, --volume DB     gain, %s (default 0); above 0 dB may clip.  A level\n"
            "                      below what the output holds (16-bit: peaks under\n"
            "                      -96 dBFS) lives on in the dither noise, or rounds to\n"
            "                      silence with --dither none; float keeps it\n"
            "  -d, --dither NAME   requantization to integers (default: tpdf):\n"
            "                        tpdf    triangular dither, flat noise\n"
            "                        shaped  noise moved out of 1-5 kHz (for 44.1/48 kHz 16-bit)\n"
            "                        none    plain rounding\n"
            "      --eq FILE       EQ from an AutoEq ParametricEQ.txt or GraphicEQ.txt or Equalizer\n"
            "                      APO text (Preamp, Filter and GraphicEQ lines; a GraphicEQ\n"
            "                      curve is fitted with peaking filters); the preamp is the file's or\n"
            "                      what the bands' combined response needs, whichever is lower,\n"
            "                      so the EQ never makes a full-scale signal clip\n"
            "      --crossfeed X   libbs2b crossfeed for stereo: default (700 Hz, 4.5 dB),\n"
            "                      cmoy (700 Hz, 6 dB), jmeier (650 Hz, 9.5 dB) or HZ,DB\n"
            "                      (%s)\n"
            "      --limit DBTP    true-peak limiter with this ceiling, %s\n"
            "                      (2 ms attack; the band-limited waveform stays under it,\n"
            "                      docs/limiter.md)\n"
            "      --balance DB    turn one side down, %s: positive the left, negative\n"
            "                      the right (never a boost; stereo)\n"
            "      --mono          (L + R)/2 to both ears, for hearing on one side (stereo)\n"
            "      --simulate-source S  write the music as source S (a name from hpamp db or a\n"
            "                      spec like \"1.0V,75ohm\" or \"5.0V,0.1ohm,50mA\") would put it on\n"
            "                      the headphone of -H (a name or \"300ohm,97dB/mW\"): its output\n"
            "                      impedance's divider over the headphone's Z(f), and hard\n"
            "                      clipping where its voltage or current runs out (the level\n"
            "                      is printed); needs -H (docs/simulate.md)\n"
            "      --level DB      with --simulate-source: the music's loudness plays at DB\n"
            "                      dB SPL, 40..130 (default 85)\n"
            "      --normalize LUFS  bring the input's loudness to LUFS, -70..0 (e.g. -18): from\n"
            "                      its ReplayGain 2.0 track tags (FLAC, Ogg Vorbis, MP3 ID3v2,\n"
            "                      Opus R128_TRACK_GAIN)\n"
            "                      when it has them, else measured (EBU R128, libebur128);\n"
            "                      without --limit the gain stops where the input's peak\n"
            "                      would pass 0 dBTP.  It reads IN twice: a file, not '-'\n"
            "      --album         with --normalize: the album gain and peak tags\n"
            "      --normalize-measure  with --normalize: measure even when tags are present\n"
            "      --preset NAME   a headphone preset (hpamp preset list): its EQ, crossfeed,\n"
            "                      limiter, normalisation and volume ceiling; flags given\n"
            "                      here win over the preset's\n"
            "  -H, --headphones H  the headphone, as in advise (a database name or a spec),\n"
            "  -S, --source S      and the source driving it: for the two below (the\n"
            "                      headphone alone for --simulate-source)\n"
            "      --loudness-comp [REF_PHON]  loudness compensation (ISO 226:2003): the\n"
            "                      music heard at the level the volume gives on this gear\n"
            "                      keeps the balance it has at REF_PHON, %s\n"
            "                      (default 80); docs/loudness-comp.md\n"
            "      --compensate    cancel the response change the source's output\n"
            "                      impedance makes on the headphone (docs/compensation.md)\n"
            "      --json          print the summary as one JSON object on stdout; on failure\n"
            "                      {\"error\": CODE, \"message\": the error line}, CODE one of\n"
            "                      usage, input, output, eq, preset, chain, memory, interrupted\n"
            "  -q, --quiet         print nothing but errors\n"
            "  -h, --help          show this help\n"
            "\n"
            "When nothing changes the signal (same rate, 0 dB, same or wider format) the\n"
            "output is bit-identical to the input and no dither is added.\n"
            "\n"
            "Examples:\n"
            "  hpamp render song.flac -o song-352k.wav --rate 352800 --filter steep --bits 24\n"
            "  hpamp render song.wav -o quiet.flac --volume -6 --bits 16 --dither shaped\n"
            "  hpamp render song.flac -o hd600.flac --eq ParametricEQ.txt --crossfeed cmoy --limit -1\n"
            "  hpamp render song.flac -o dongle.flac --simulate-source \"apple usb-c us\" --headphones hd650\n"
            "\n"
            "Exit status: 0 done, 1 failure (bad file, disk full, ...), 2 usage error,\n"
            "130 interrupted.\n",
            hpa_param_range_text(HPA_PARAM_VOLUME_DB, vol, sizeof vol), hpc_crossfeed_ranges(xf, sizeof xf),
            hpa_param_range_text(HPA_PARAM_LIMITER_CEILING_DBTP, lim, sizeof lim),
            hpa_param_range_text(HPA_PARAM_BALANCE_DB, bal, sizeof bal),
            hpa_param_range_text(HPA_PARAM_LOUDNESS_REF_PHON, ref, sizeof ref));
}

typedef struct render_opts {
    const char *in, *out;
    uint32_t rate; /* 0: keep */
    hpa_filter filter;
    int bits; /* 0: keep; 16, 24, 32; 'f' float; 'd' double */
    double volume_db;
    hpa_dither dither;
    int json, quiet;
    int raw_set;                /* --raw */
    const char *eq_file;        /* --eq */
    int crossfeed;              /* --crossfeed given */
    const char *crossfeed_name; /* preset name, or NULL for HZ,DB */
    int crossfeed_from_preset;  /* the crossfeed is the preset's, not --crossfeed's */
    double xf_fcut_hz, xf_feed_db;
    int limit; /* --limit given */
    int mono;  /* --mono */
    double limit_dbtp;
    double balance_db;               /* --balance */
    const char *sim_source, *sim_hp; /* --simulate-source, --headphones */
    double sim_level_db;             /* --level */
    int normalize;                   /* --normalize given */
    double normalize_lufs;
    int album;             /* --album: ReplayGain album tags */
    int normalize_measure; /* --normalize-measure: ignore ReplayGain tags */
    const char *preset;    /* --preset NAME */
    int has_max_volume;    /* from the preset */
    double max_volume_db;
    const char *eq_text; /* the preset's inline EQ */
    size_t eq_len;
    const char *eq_label; /* the EQ file, or "preset NAME"; NULL: no EQ */
    char preset_label[128];
    const char *hp, *src; /* --headphones, --source */
    double ref_phon;      /* --loudness-comp's reference */
    int loudness;         /* --loudness-comp */
    int compensate;       /* --compensate */
    hph_audio_raw raw;    /* --raw */
} render_opts;

static int parse_bits(const char *s)
{
    if (!strcmp(s, "16"))
        return 16;
    if (!strcmp(s, "24"))
        return 24;
    if (!strcmp(s, "32"))
        return 32;
    if (!strcmp(s, "float") || !strcmp(s, "f32"))
        return 'f';
    if (!strcmp(s, "double") || !strcmp(s, "f64"))
        return 'd';
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
        {"output", required_argument, 0, 'o'},
        {"rate", required_argument, 0, 'r'},
        {"filter", required_argument, 0, 'f'},
        {"bits", required_argument, 0, 'b'},
        {"volume", required_argument, 0, 'v'},
        {"dither", required_argument, 0, 'd'},
        {"json", no_argument, 0, 'J'},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {"eq", required_argument, 0, 'E'},
        {"crossfeed", required_argument, 0, 'X'},
        {"limit", required_argument, 0, 'L'},
        {"normalize", required_argument, 0, 'N'},
        {"preset", required_argument, 0, 'P'},
        {"album", no_argument, 0, 'A'},
        {"normalize-measure", no_argument, 0, 'M'},
        {"headphones", required_argument, 0, 'H'},
        {"headphone", required_argument, 0, 'H'},
        {"source", required_argument, 0, 'S'},
        {"loudness-comp", optional_argument, 0, 'C'},
        {"compensate", no_argument, 0, 'Z'},
        {"balance", required_argument, 0, 'B'},
        {"mono", no_argument, 0, 'm'},
        {"simulate-source", required_argument, 0, 401},
        {"level", required_argument, 0, 403},
        {"raw", required_argument, 0, 'W'},
        {0, 0, 0, 0},
    };
    int c, v;
    char r1[96]; /* a range, for a message */
    memset(o, 0, sizeof *o);
    o->sim_level_db = 85.0;
    o->filter = HPA_FILTER_LINEAR;
    o->dither = HPA_DITHER_TPDF;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:r:f:b:v:d:H:S:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': o->out = optarg; break;
        case 'r':
            if (hpc_parse_u32(optarg, HPA_RATE_MIN_HZ, HPA_RATE_MAX_HZ, &o->rate)) {
                hpc_error("render: --rate takes a whole number of Hz from 8000 to 768000, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'f':
            if ((v = hpa_filter_from_name(optarg)) < 0) {
                hpc_error("render: --filter takes linear, steep, minimum or intermediate, not '%s'", optarg);
                return EXIT_USAGE;
            }
            o->filter = (hpa_filter)v;
            break;
        case 'b':
            if ((o->bits = parse_bits(optarg)) < 0) {
                hpc_error("render: --bits takes 16, 24, 32, float or double, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'v':
            if (hpa_param_parse(optarg, HPA_PARAM_VOLUME_DB, &o->volume_db)) {
                hpc_error("render: --volume takes %s, not '%s'",
                          hpa_param_range_text(HPA_PARAM_VOLUME_DB, r1, sizeof r1), optarg);
                return EXIT_USAGE;
            }
            break;
        case 'd':
            if ((v = hpa_dither_from_name(optarg)) < 0) {
                hpc_error("render: --dither takes tpdf, shaped or none, not '%s'", optarg);
                return EXIT_USAGE;
            }
            o->dither = (hpa_dither)v;
            break;
        case 'E': o->eq_file = optarg; break;
        case 'B':
            if (hpa_param_parse(optarg, HPA_PARAM_BALANCE_DB, &o->balance_db)) {
                hpc_error("render: --balance takes %s, not '%s'",
                          hpa_param_range_text(HPA_PARAM_BALANCE_DB, r1, sizeof r1), optarg);
                return EXIT_USAGE;
            }
            break;
        case 'm': o->mono = 1; break;
        case 401: o->sim_source = optarg; break;
        case 403:
            if (hpa_parse_double(optarg, 40.0, 130.0, &o->sim_level_db)) {
                hpc_error("render: --level takes 40..130 dB SPL, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'X':
            if (hpc_parse_crossfeed(optarg, &o->crossfeed_name, &o->xf_fcut_hz, &o->xf_feed_db)) {
                hpc_error("render: --crossfeed takes %s, not '%s'", hpc_crossfeed_choices(r1, sizeof r1), optarg);
                return EXIT_USAGE;
            }
            o->crossfeed = 1;
            break;
        case 'L':
            if (hpa_param_parse(optarg, HPA_PARAM_LIMITER_CEILING_DBTP, &o->limit_dbtp)) {
                hpc_error("render: --limit takes a ceiling of %s, not '%s'",
                          hpa_param_range_text(HPA_PARAM_LIMITER_CEILING_DBTP, r1, sizeof r1), optarg);
                return EXIT_USAGE;
            }
            o->limit = 1;
            break;
        case 'N':
            if (hpa_parse_double(optarg, -70.0, 0.0, &o->normalize_lufs)) {
                hpc_error("render: --normalize takes a loudness in LUFS from -70 to 0, not '%s'", optarg);
                return EXIT_USAGE;
            }
            o->normalize = 1;
            break;
        case 'P': o->preset = optarg; break;
        case 'A': o->album = 1; break;
        case 'M': o->normalize_measure = 1; break;
        case 'H': o->hp = optarg; break;
        case 'S': o->src = optarg; break;
        case 'C':
            if (hpc_parse_loudness_ref("render", optarg, argc, argv, &optind, &o->ref_phon))
                return EXIT_USAGE;
            o->loudness = 1;
            break;
        case 'Z': o->compensate = 1; break;
        case 'W':
            if (hpc_parse_raw("render", optarg, &o->raw))
                return EXIT_USAGE;
            o->raw_set = 1;
            break;
        case 'J': o->json = 1; break;
        case 'q': o->quiet = 1; break;
        case 'h': usage(stdout); exit(0);
        case ':': hpc_error("render: %s needs a value (see hpamp render --help)", argv[optind - 1]); return EXIT_USAGE;
        default:
            hpc_error("render: unknown option '%s' (see hpamp render --help)", argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        o->in = argv[optind++];
    if (optind < argc) {
        hpc_error("render: one input file only; unexpected '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    if (!o->in || !o->out) {
        hpc_error("render: needs an input file and -o OUTPUT (see hpamp render --help)");
        return EXIT_USAGE;
    }
    if (o->sim_source && !o->hp) {
        hpc_error("render: --simulate-source needs --headphones (the headphone it drives)");
        return EXIT_USAGE;
    }
    if ((o->hp || o->src) && !o->sim_source && !o->loudness && !o->compensate) {
        hpc_error("render: --headphones and --source are for --loudness-comp, --compensate or --simulate-source");
        return EXIT_USAGE;
    }
    o->sim_hp = o->sim_source ? o->hp : NULL;
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

static int is_int_format(hpa_format f)
{
    return f == HPA_FORMAT_S16 || f == HPA_FORMAT_S24 || f == HPA_FORMAT_S32;
}

static double dbfs(double peak)
{
    return peak > 0.0 ? 20.0 * log10(peak) : -INFINITY;
}

/* container: the output's ("wav", "rf64", "flac"), NULL for the input */
static void print_side_json(FILE *f, const char *path, const hph_audio_info *info, int64_t frames,
                            const char *container)
{
    fputs("{\"path\": ", f);
    hpc_json_string(f, path);
    fprintf(f, ", \"rate\": %u, \"channels\": %u, \"format\": \"%s\", \"frames\": %lld", info->rate_hz, info->channels,
            hpa_format_name(info->format), (long long)frames);
    if (container)
        fprintf(f, ", \"container\": \"%s\"", container);
    fputc('}', f);
}

typedef struct render_result {
    hph_audio_info in, out;
    int64_t frames_in, frames_out;
    hpa_chain_stats stats;
    double latency, seconds;
    double limiter_frames;      /* the limiter's share of the latency */
    hpa_eq_profile eq;          /* the EQ file: bands, preamp, its combined response, GraphicEQ fit */
    int eq_preamp_from_peak;    /* the preamp came from the programme's known true peak (--normalize) */
    double eq_peak_before_db;   /* then: the true peak before the EQ (input + loudness gain), dBTP */
    double in_lufs, in_tp_dbtp; /* --normalize: the input's loudness and true peak */
    double norm_gain_db;        /* the gain applied for it */
    double norm_wanted_db;      /* the gain the target asked for */
    const char *norm_source;    /* "replaygain-track", "replaygain-album" or "measured" */
    double rg_gain_db;          /* the ReplayGain tag used (NAN: measured) */
    int rg_album_missing;       /* --album, but the file has only track tags */
    const char *container;      /* what OUT became: "wav", "rf64" (a WAV over 4 GiB) or "flac" */
    int tuned;                  /* --loudness-comp or --compensate: */
    double listen_phon;         /* the listening level (NAN without --loudness-comp) */
    double loud_rms_db;         /* how closely the loudness bands follow the contours */
    size_t n_comp, tuned_bands; /* the compensation's bands; all bands */
    double tuned_preamp_db;
} render_result;

/* Could OUT pass what a plain WAV holds (HPH_WAV_MAX_DATA_BYTES)?  From
 * the input's frame count, with a margin where that is an estimate (lossy
 * files); when the count is unknown (a pipe), it could. */
static int wav_may_overflow(const render_result *r)
{
    if (r->in.frames < 0)
        return 1;
    double frames = (double)r->in.frames * r->out.rate_hz / r->in.rate_hz + 1.0;
    if (!r->in.frames_exact)
        frames *= 1.125;
    return frames * r->out.channels * (double)hpa_format_bytes(r->out.format) > (double)HPH_WAV_MAX_DATA_BYTES;
}

/* --normalize: the input's integrated loudness and true peak
 * (hph_measure_ebur128, a first pass).  Returns 0, or 1 after printing why
 * not. */
static int measure_input(const char *path, double *lufs, double *tp_dbtp)
{
    char why[512];
    int rc = hph_measure_ebur128(path, lufs, tp_dbtp, why, sizeof why);
    if (rc == 0)
        return 0;
    if (rc == -2)
        fail_code = "memory";
    hpc_error("%s", why);
    return 1;
}

#define LIMITER_LOOKAHEAD_MS 2.0

/* Automatic headroom when the programme's true peak is known (--normalize):
 * the EQ's preamp is taken from everything in front of the output together
 * -- the input's true peak, the loudness gain, the bands' largest gain (the
 * crossfeed adds none: docs/chain.md) -- instead of from the bands alone as
 * if the programme reached full scale, and it replaces the file's Preamp
 * (which assumes that too).  Without the limiter the sum stays at or below
 * 0 dBTP.  With it, the sum stays at or below the ceiling when the loudness
 * gain leaves room, and otherwise the EQ only takes back its own boost, so
 * that it never makes the limiter work harder than the loudness gain does. */
static void headroom_from_peak(const render_opts *o, render_result *r)
{
    const double before = r->in_tp_dbtp + r->norm_gain_db;
    r->eq.preamp_db = hph_headroom_preamp(before, o->limit ? o->limit_dbtp : 0.0, r->eq.peak_db);
    r->eq_preamp_from_peak = 1;
    r->eq_peak_before_db = before;
}

static void print_summary(const render_opts *o, const render_result *r)
{
    double rt = r->seconds > 0.0 ? ((double)r->frames_in / r->in.rate_hz) / r->seconds : INFINITY;
    uint64_t clipped = r->stats.clipped[HPA_STAGE_OUTPUT];
    int resampled = r->in.rate_hz != r->out.rate_hz;
    if (o->json) {
        printf("{\"input\": ");
        print_side_json(stdout, o->in, &r->in, r->frames_in, NULL);
        printf(", \"output\": ");
        print_side_json(stdout, o->out, &r->out, r->frames_out, r->container);
        printf(", \"filter\": \"%s\", \"resampled\": %s, \"dither\": \"%s\", \"volume_db\": ",
               hpa_filter_name(o->filter), resampled ? "true" : "false", hpa_dither_name(o->dither));
        hpc_json_number(stdout, o->volume_db, 2);
        printf(", \"peak_dbfs\": ");
        hpc_json_number(stdout, dbfs(r->stats.peak), 2);
        printf(", \"clipped_samples\": %llu, \"float_clamped_samples\": %llu, \"clipped_by_stage\": {",
               (unsigned long long)clipped, (unsigned long long)r->stats.float_clamped);
        for (int s = 0; s < HPA_STAGE_COUNT; s++)
            printf("%s\"%s\": %llu", s ? ", " : "", hpa_stage_name((hpa_stage)s),
                   (unsigned long long)r->stats.clipped[s]);
        printf("}, \"eq\": ");
        if (o->eq_label) {
            printf("{\"file\": ");
            hpc_json_string(stdout, o->eq_label);
            printf(", \"bands\": %zu, \"preamp_db\": ", r->eq.n_bands);
            hpc_json_number(stdout, r->eq.preamp_db, 2);
            /* what set the preamp: the programme's known true peak, the file, or the bands' peak alone */
            printf(", \"preamp_basis\": \"%s\", \"peak_before_eq_dbtp\": ",
                   r->eq_preamp_from_peak                                             ? "true-peak"
                   : r->eq.file_has_preamp && r->eq.preamp_db == r->eq.file_preamp_db ? "file"
                                                                                      : "bands");
            if (r->eq_preamp_from_peak)
                hpc_json_number(stdout, r->eq_peak_before_db, 2);
            else
                printf("null");
            printf(", \"file_preamp_db\": ");
            if (r->eq.file_has_preamp)
                hpc_json_number(stdout, r->eq.file_preamp_db, 2);
            else
                printf("null");
            printf(", \"response_peak_db\": ");
            hpc_json_number(stdout, r->eq.peak_db, 2);
            printf(", \"response_peak_hz\": ");
            hpc_json_number(stdout, r->eq.peak_hz, 1);
            printf(", \"graphic_eq\": ");
            hpc_graphic_json(stdout, &r->eq.graphic);
            printf("}");
        } else {
            printf("null");
        }
        printf(", \"crossfeed\": ");
        if (o->crossfeed) {
            printf("{\"preset\": ");
            if (o->crossfeed_name)
                hpc_json_string(stdout, o->crossfeed_name);
            else
                printf("null");
            printf(", \"fcut_hz\": ");
            hpc_json_number(stdout, o->xf_fcut_hz, 0);
            printf(", \"feed_db\": ");
            hpc_json_number(stdout, o->xf_feed_db, 1);
            printf("}");
        } else {
            printf("null");
        }
        printf(", \"limiter\": ");
        if (o->limit) {
            printf("{\"ceiling_dbtp\": ");
            hpc_json_number(stdout, o->limit_dbtp, 2);
            printf(", \"lookahead_ms\": ");
            hpc_json_number(stdout, LIMITER_LOOKAHEAD_MS, 1);
            printf(", \"max_reduction_db\": ");
            hpc_json_number(stdout, r->stats.limiter_max_reduction_db, 2);
            printf(", \"limited_frames\": %llu}", (unsigned long long)r->stats.limited_frames);
        } else {
            printf("null");
        }
        printf(", \"normalize\": ");
        if (o->normalize) {
            printf("{\"target_lufs\": ");
            hpc_json_number(stdout, o->normalize_lufs, 2);
            printf(", \"input_lufs\": ");
            hpc_json_number(stdout, r->in_lufs, 2);
            printf(", \"input_true_peak_dbtp\": ");
            hpc_json_number(stdout, r->in_tp_dbtp, 2);
            printf(", \"gain_db\": ");
            hpc_json_number(stdout, r->norm_gain_db, 2);
            printf(", \"wanted_gain_db\": ");
            hpc_json_number(stdout, r->norm_wanted_db, 2);
            printf(", \"source\": \"%s\", \"replaygain_gain_db\": ", r->norm_source);
            hpc_json_number(stdout, r->rg_gain_db, 2);
            printf("}");
        } else {
            printf("null");
        }
        printf(", \"loudness_comp\": ");
        if (o->loudness)
            printf("{\"listen_phon\": %.1f, \"ref_phon\": %.1f}", r->listen_phon, o->ref_phon);
        else
            printf("null");
        printf(", \"compensation_bands\": ");
        if (o->compensate)
            printf("%zu", r->n_comp);
        else
            printf("null");
        printf(", \"latency_frames\": ");
        hpc_json_number(stdout, r->latency, 1);
        printf(", \"seconds\": ");
        hpc_json_number(stdout, r->seconds, 3);
        printf(", \"realtime_factor\": ");
        hpc_json_number(stdout, rt, 1);
        printf("}\n");
        return;
    }
    if (o->quiet)
        return;
    printf("input   %s\n        %s, %u Hz, %u ch, %lld frames (%.2f s)\n", o->in, r->in.codec, r->in.rate_hz,
           r->in.channels, (long long)r->frames_in, (double)r->frames_in / r->in.rate_hz);
    printf("output  %s\n        %s, %u Hz, %u ch, %lld frames%s\n", o->out, hpa_format_name(r->out.format),
           r->out.rate_hz, r->out.channels, (long long)r->frames_out,
           strcmp(r->container, "rf64") ? "" : ", RF64 (a WAV over 4 GiB)");
    static const char *const what[HPA_FILTER_COUNT] = {
        [HPA_FILTER_LINEAR] = "linear phase, very high quality",
        [HPA_FILTER_STEEP] = "linear phase, flat to 0.995 of Nyquist",
        [HPA_FILTER_MINIMUM] = "minimum phase, no pre-ringing",
        [HPA_FILTER_INTERMEDIATE] = "between linear and minimum phase",
    };
    if (resampled)
        printf("filter  %s: %s (its %.1f ms delay is trimmed)\n", hpa_filter_name(o->filter), what[o->filter],
               1000.0 * (r->latency - r->limiter_frames) / r->out.rate_hz);
    else
        printf("filter  none (no rate change)\n");
    if (o->preset)
        printf("preset  %s\n", o->preset);
    if (o->eq_label) {
        printf("eq      %s: %zu band%s\n", o->eq_label, r->eq.n_bands, r->eq.n_bands == 1 ? "" : "s");
        if (r->eq.graphic.present) {
            char g[192];
            hpc_graphic_text(&r->eq.graphic, g, sizeof g);
            printf("        GraphicEQ: %s\n", g);
        }
        /* a few millionths of a dB print as 0.00, not -0.00 */
        const double pre = fabs(r->eq.preamp_db) < 0.005 ? 0.0 : r->eq.preamp_db;
        const double pk = fabs(r->eq.peak_db) < 0.005 ? 0.0 : r->eq.peak_db;
        if (r->eq_preamp_from_peak)
            printf("        preamp %+.2f dB: the programme's true peak after the loudness gain (%+.2f dBTP)\n"
                   "        plus the bands' combined response (its peak: %+.2f dB",
                   pre, r->eq_peak_before_db, pk);
        else if (r->eq.file_has_preamp && r->eq.preamp_db == r->eq.file_preamp_db)
            printf("        preamp %+.2f dB, the file's (the bands' combined response peaks at %+.2f dB", pre, pk);
        else
            printf("        preamp %+.2f dB, headroom for the bands' combined response (its peak: %+.2f dB", pre, pk);
        if (r->eq.peak_db > 0.0 && r->eq.peak_hz < 1.0)
            printf(" at DC)\n");
        else if (r->eq.peak_db > 0.0)
            printf(" at %.0f Hz)\n", r->eq.peak_hz);
        else
            printf(")\n");
        if (r->eq_preamp_from_peak)
            printf("        %s%s\n",
                   !o->limit                              ? "kept at or below 0 dBTP"
                   : r->eq_peak_before_db < o->limit_dbtp ? "kept at or below the limiter's ceiling"
                                                          : "the loudness gain alone reaches the limiter's ceiling: "
                                                            "the EQ takes back its own boost",
                   r->eq.file_has_preamp
                       ? "\n        (the file's Preamp, meant for a full-scale programme, is not used)"
                       : "");
        else if (r->eq.file_has_preamp && r->eq.preamp_db != r->eq.file_preamp_db)
            printf("        (the file asks %+.2f dB: too little to keep a full-scale signal from clipping)\n",
                   r->eq.file_preamp_db);
    }
    if (o->crossfeed) {
        if (o->crossfeed_name)
            printf("crossfeed %s: %.0f Hz, %.1f dB (libbs2b)\n", o->crossfeed_name, o->xf_fcut_hz, o->xf_feed_db);
        else
            printf("crossfeed %.0f Hz, %.1f dB (libbs2b)\n", o->xf_fcut_hz, o->xf_feed_db);
    }
    if (o->normalize) {
        if (isfinite(r->rg_gain_db)) {
            printf("normalize to %.1f LUFS: ReplayGain %s gain %+.2f dB (tag; reference -18 LUFS, so the input is "
                   "%.1f LUFS), ",
                   o->normalize_lufs, strcmp(r->norm_source, "replaygain-album") ? "track" : "album", r->rg_gain_db,
                   r->in_lufs);
            if (isfinite(r->in_tp_dbtp))
                printf("peak %.1f dBFS; ", r->in_tp_dbtp);
            else
                printf("no peak tag; ");
            printf("gain %+.2f dB\n", r->norm_gain_db);
            if (r->rg_album_missing)
                printf("        (--album: the file has no album gain tag; its track gain was used)\n");
        } else if (!isfinite(r->in_lufs))
            printf("normalize to %.1f LUFS: the input has no gated loudness (silent, or shorter than EBU R128's "
                   "0.4 s block); no gain\n",
                   o->normalize_lufs);
        else
            printf("normalize to %.1f LUFS: input %.1f LUFS, %.1f dBTP; gain %+.2f dB\n", o->normalize_lufs, r->in_lufs,
                   r->in_tp_dbtp, r->norm_gain_db);
        if (r->norm_gain_db < r->norm_wanted_db)
            printf("        (not %+.2f dB: the input's %s would pass 0 dBTP; --limit reaches the target)\n",
                   r->norm_wanted_db, isfinite(r->rg_gain_db) ? "peak" : "true peak");
    }
    if (o->loudness)
        printf("loudness compensation: listening at %.1f phon against %.1f phon (ISO 226:2003), %s\n", r->listen_phon,
               o->ref_phon, r->listen_phon < o->ref_phon ? "5 bands" : "flat at or above the reference");
    if (o->compensate)
        printf("compensate the output impedance: %zu band%s\n", r->n_comp, r->n_comp == 1 ? "" : "s");
    if (r->tuned)
        printf("        %zu bands in all, preamp %+.2f dB\n", r->tuned_bands, r->tuned_preamp_db);
    if (o->limit)
        printf("limiter %.2f dBTP ceiling, %.1f ms lookahead: took up to %.2f dB, from %llu frames\n", o->limit_dbtp,
               LIMITER_LOOKAHEAD_MS, r->stats.limiter_max_reduction_db, (unsigned long long)r->stats.limited_frames);
    if (o->has_max_volume)
        printf("ceiling volume at most %+.1f dB (preset)%s\n", o->max_volume_db,
               o->volume_db + r->norm_gain_db > o->max_volume_db ? ": the volume was held there" : "");
    printf("volume  %+.2f dB, dither %s\n", o->volume_db,
           is_int_format(r->out.format) ? hpa_dither_name(o->dither) : "n/a (float output)");
    printf("peak    %.2f dBFS, clipped samples %llu\n", dbfs(r->stats.peak), (unsigned long long)clipped);
    if (r->stats.float_clamped)
        printf("        %llu samples beyond the float range (they would be infinite) written as its largest "
               "value, %s\n",
               (unsigned long long)r->stats.float_clamped, r->out.format == HPA_FORMAT_F32 ? "3.4e38" : "1.8e308");
    printf("speed   %.1fx realtime (%.2f s)\n", rt, r->seconds);
}

/* hph_render_run's progress and its stop: the bar, and ^C */
static void show_progress(void *user, double fraction)
{
    hpc_progress_update(user, fraction);
}

static int stop_now(void *user)
{
    (void)user;
    return hpc_interrupted() != 0;
}

static int render_main(const render_opts *op);

/* --json among the arguments (before a "--"), known before they are parsed
 * so that a usage error is JSON too */
static int wants_json(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (!strcmp(argv[i], "--json"))
            return 1;
    return 0;
}

static int render_cmd(int argc, char **argv);

int hpc_cmd_render(int argc, char **argv)
{
    hph_quiet_enable(); /* libmpg123's notes stay out of the output (host/quiet.h) */
    char message[1024];
    const int json = wants_json(argc, argv);
    if (json)
        hpc_keep_first_error(message, sizeof message);
    const int rc = render_cmd(argc, argv);
    hpc_keep_first_error(NULL, 0);
    if (rc && json) {
        /* the failure as one object on stdout; stderr has had its line */
        printf("{\"error\": ");
        hpc_json_string(stdout, rc == EXIT_USAGE ? "usage" : rc >= 128 ? "interrupted" : fail_code);
        printf(", \"message\": ");
        hpc_json_string(stdout, message[0] ? message : "failed");
        printf("}\n");
    }
    return rc;
}

static int render_cmd(int argc, char **argv)
{
    render_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    hpa_settings *preset = NULL;
    if (o.preset) {
        char origin[HPA_SETTINGS_PATH_MAX + 128];
        preset = malloc(sizeof *preset);
        if (!preset) {
            fail_code = "memory";
            hpc_error("out of memory");
            return 1;
        }
        if (hpc_preset_load(o.preset, preset, origin, sizeof origin)) {
            fail_code = "preset";
            free(preset);
            return 1;
        }
        /* the preset fills in what the flags did not say */
        if (!o.eq_file && preset->eq_file[0])
            o.eq_file = preset->eq_file;
        else if (!o.eq_file && preset->eq_len) {
            o.eq_text = preset->eq_text;
            o.eq_len = preset->eq_len;
        }
        if (!o.crossfeed && preset->has_crossfeed) {
            o.crossfeed = 1;
            o.crossfeed_from_preset = 1;
            o.crossfeed_name = preset->crossfeed_name;
            o.xf_fcut_hz = preset->fcut_hz;
            o.xf_feed_db = preset->feed_db;
        }
        if (!o.limit && preset->has_limit) {
            o.limit = 1;
            o.limit_dbtp = preset->limit_dbtp;
        }
        if (!o.normalize && preset->has_normalize) {
            o.normalize = 1;
            o.normalize_lufs = preset->normalize_lufs;
        }
        if (preset->has_max_volume) {
            o.has_max_volume = 1;
            o.max_volume_db = preset->max_volume_db;
        }
    }
    if ((o.album || o.normalize_measure) && !o.normalize) {
        hpc_error("render: %s works with --normalize LUFS", o.album ? "--album" : "--normalize-measure");
        free(preset);
        return EXIT_USAGE;
    }
    if (o.eq_file)
        o.eq_label = o.eq_file;
    else if (o.eq_len) {
        snprintf(o.preset_label, sizeof o.preset_label, "preset %s", o.preset);
        o.eq_label = o.preset_label;
    }
    rc = render_main(&o);
    free(preset);
    return rc;
}

static int render_main(const render_opts *op)
{
    render_opts o = *op;
    int rc;

    if (hph_audio_container_for(o.out) == HPH_CONTAINER_NONE) {
        hpc_error("render: %s: output must end in .wav or .flac", o.out);
        return EXIT_USAGE;
    }
    struct stat ist, ost;
    const int from_stdin = !strcmp(o.in, HPH_AUDIO_STDIN);
    if (!strcmp(o.in, o.out) || same_file(o.in, o.out) ||
        (from_stdin && fstat(0, &ist) == 0 && stat(o.out, &ost) == 0 && ist.st_dev == ost.st_dev &&
         ist.st_ino == ost.st_ino)) {
        hpc_error("render: %s: refusing to write over the input file", o.out);
        return EXIT_USAGE;
    }
    if (o.normalize && (from_stdin || o.raw_set)) {
        hpc_error("%s: --normalize reads the input twice (to measure, then to render); give a file%s", o.in,
                  from_stdin ? ": standard input is read once" : " with a header, not --raw");
        return EXIT_USAGE;
    }
    if (stat(o.out, &ost) == 0 && S_ISDIR(ost.st_mode)) {
        fail_code = "output";
        hpc_error("%s: is a folder; give a file name", o.out);
        return 1;
    }

    char why[256];
    render_result r;
    memset(&r, 0, sizeof r);
    hph_audiofile *in = hph_audio_open_read_as(o.in, o.raw_set ? &o.raw : NULL, &r.in, why, sizeof why);
    if (!in) {
        fail_code = "input";
        hpc_error("%s: %s", o.in, why);
        return 1;
    }
    if (r.in.rate_hz < HPA_RATE_MIN_HZ || r.in.rate_hz > HPA_RATE_MAX_HZ) {
        fail_code = "input";
        hpc_error("%s: sample rate %u Hz is not supported (8000 to 768000 Hz)", o.in, r.in.rate_hz);
        hph_audio_close(in);
        return 1;
    }
    if (r.in.channels < 1 || r.in.channels > HPA_CHANNELS_MAX) {
        fail_code = "input";
        hpc_error("%s: %u channels are not supported (1 to %u)", o.in, r.in.channels, HPA_CHANNELS_MAX);
        hph_audio_close(in);
        return 1;
    }

    hph_container container = hph_audio_container_for(o.out);
    r.out = r.in;
    r.out.rate_hz = o.rate ? o.rate : r.in.rate_hz;
    if (container == HPH_CONTAINER_FLAC && r.out.rate_hz > HPH_FLAC_MAX_RATE_HZ) {
        if (o.rate)
            hpc_error("render: --rate %u: a FLAC file holds at most %u Hz; use a lower --rate or a .wav", o.rate,
                      HPH_FLAC_MAX_RATE_HZ);
        else
            hpc_error("render: %s: a FLAC file holds at most %u Hz and the input is %u Hz; give --rate %u or "
                      "lower, or use a .wav",
                      o.out, HPH_FLAC_MAX_RATE_HZ, r.in.rate_hz, HPH_FLAC_MAX_RATE_HZ);
        hph_audio_close(in);
        return EXIT_USAGE;
    }
    r.out.format = format_for_bits(o.bits, r.in.format);
    if (container == HPH_CONTAINER_FLAC && !hph_audio_container_supports(container, r.out.format)) {
        if (o.bits) {
            hpc_error("render: %s: FLAC holds 16- or 24-bit samples; use --bits 16 or 24, or a .wav", o.out);
            hph_audio_close(in);
            return EXIT_USAGE;
        }
        r.out.format = HPA_FORMAT_S24; /* a float or 32-bit source into FLAC: its best depth */
    }
    /* a WAV's sizes are 32-bit: one that may pass 4 GiB is written as RF64 */
    if (container == HPH_CONTAINER_WAV && wav_may_overflow(&r))
        container = HPH_CONTAINER_RF64;

    if (o.normalize) {
        struct stat st;
        if (stat(o.in, &st) || !S_ISREG(st.st_mode)) {
            hpc_error("%s: --normalize reads the input twice; give a file, not a pipe", o.in);
            hph_audio_close(in);
            return EXIT_USAGE;
        }
        /* ReplayGain 2.0: a gain tag G is what brings the programme to the
         * reference loudness, -18 LUFS, so the programme's loudness is
         * L = -18 - G and the gain to a target T is T - L = G + (T + 18).
         * The peak tag (linear, 1 = full scale) stands in for the true peak. */
        hph_rg_tags tags;
        int tagged = 0;
        r.rg_gain_db = NAN;
        r.norm_source = "measured";
        if (!o.normalize_measure && hph_tags_read_replaygain(o.in, &tags) == 0) {
            for (int i = 0; i < tags.n_warnings; i++)
                hpc_warn("%s: %s tag %s", o.in, tags.container, tags.warnings[i]);
            const hph_rg_pick pick = hph_tags_pick(&tags, o.album, &r.rg_gain_db, &r.in_tp_dbtp);
            tagged = pick != HPH_RG_NONE;
            r.rg_album_missing = o.album && pick == HPH_RG_TRACK;
            r.norm_source = pick == HPH_RG_ALBUM ? "replaygain-album" : "replaygain-track";
            if (!tagged) {
                r.rg_gain_db = NAN;
                r.norm_source = "measured";
            }
            if (tagged)
                r.in_lufs = -18.0 - r.rg_gain_db;
        }
        if (!tagged && measure_input(o.in, &r.in_lufs, &r.in_tp_dbtp)) {
            fail_code = "input";
            hph_audio_close(in);
            return 1;
        }
        if (isfinite(r.in_lufs)) {
            r.norm_wanted_db = r.norm_gain_db = o.normalize_lufs - r.in_lufs;
            /* the programme's true peak is known: without a limiter the gain
             * stops where it would pass 0 dBTP */
            if (!o.limit && isfinite(r.in_tp_dbtp) && r.in_tp_dbtp + r.norm_gain_db > 0.0)
                r.norm_gain_db = -r.in_tp_dbtp;
            /* volume and loudness gain together stay inside the volume's range */
            const hpa_param_info *vol = hpa_param_info_get(HPA_PARAM_VOLUME_DB);
            if (r.norm_gain_db > vol->max_value - o.volume_db)
                r.norm_gain_db = vol->max_value - o.volume_db;
            if (r.norm_gain_db < vol->min_value - o.volume_db)
                r.norm_gain_db = vol->min_value - o.volume_db;
        }
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
    cfg.volume_db = o.volume_db + r.norm_gain_db;
    /* offline: the volume asked for is the volume given */
    cfg.max_volume_db = hpa_param_info_get(HPA_PARAM_VOLUME_DB)->max_value;
    if (o.has_max_volume) { /* the preset's ceiling: nothing goes above it */
        cfg.max_volume_db = o.max_volume_db;
        if (cfg.volume_db > o.max_volume_db)
            cfg.volume_db = o.max_volume_db;
    }
    if (o.crossfeed && o.crossfeed_from_preset && r.in.channels != 2) {
        /* a headphone preset serves mono files too: its crossfeed has nothing to cross */
        if (!o.quiet)
            hpc_warn("%s: %u channel%s: preset %s's crossfeed left out (it needs stereo)", o.in, r.in.channels,
                     r.in.channels == 1 ? "" : "s", o.preset);
        o.crossfeed = 0;
    }
    if (o.crossfeed && r.in.channels != 2) {
        fail_code = "input";
        hpc_error("%s: crossfeed needs a stereo input; this one has %u channel%s", o.in, r.in.channels,
                  r.in.channels == 1 ? "" : "s");
        hph_audio_close(in);
        return 1;
    }
    if ((o.balance_db != 0.0 || o.mono) && r.in.channels != 2) {
        fail_code = "input";
        hpc_error("%s: %s needs a stereo input; this one has %u channel%s", o.in, o.mono ? "--mono" : "--balance",
                  r.in.channels, r.in.channels == 1 ? "" : "s");
        hph_audio_close(in);
        return 1;
    }
    if (o.crossfeed && r.out.rate_hz > 384000) {
        fail_code = "chain";
        hpc_error("render: crossfeed (libbs2b) works up to 384000 Hz, not %u Hz", r.out.rate_hz);
        hph_audio_close(in);
        return 1;
    }
    if (o.eq_label && (o.eq_file ? hpc_eq_load_file(o.eq_file, r.out.rate_hz, o.quiet, &r.eq)
                                 : hpc_eq_load_text(o.eq_label, o.eq_text, o.eq_len, r.out.rate_hz, o.quiet, &r.eq))) {
        fail_code = "eq";
        hph_audio_close(in);
        return 1;
    }
    if (o.eq_label && o.normalize && isfinite(r.in_lufs) && isfinite(r.in_tp_dbtp))
        headroom_from_peak(&o, &r);
    /* --loudness-comp, --compensate: bands added to the EQ */
    hph_tuning tune;
    if (hph_tuning_init(&tune, r.out.rate_hz, r.eq.bands, r.eq.n_bands, o.eq_label ? r.eq.preamp_db : 0.0)) {
        fail_code = "memory";
        hpc_error("out of memory");
        hpa_eq_profile_free(&r.eq);
        hph_audio_close(in);
        return 1;
    }
    if (o.loudness || o.compensate) {
        hpa_safety safety;
        hpa_safety_unknown(&safety, 0.0);
        const double lufs = o.normalize && isfinite(r.in_lufs) ? r.in_lufs : HPA_LOUDNESS_PROGRAMME_LUFS;
        rc = o.hp && o.src ? hpc_safety_from_gear("render", o.hp, o.src, 0.0, &safety, NULL, 0) : 0;
        if (!rc)
            rc = hpc_tuning_setup("render", &tune, &safety, o.hp, o.src, o.loudness, o.ref_phon, lufs, o.compensate);
        if (!rc && hph_tuning_update(&tune, cfg.volume_db, why, sizeof why) < 0) {
            hpc_error("render: %s", why);
            rc = 1;
        }
        if (rc) {
            fail_code = "eq";
            hph_tuning_free(&tune);
            hpa_eq_profile_free(&r.eq);
            hph_audio_close(in);
            return rc;
        }
        r.tuned = 1;
        r.listen_phon = o.loudness ? tune.listen_phon : NAN;
        r.loud_rms_db = tune.loud_rms_db;
        r.n_comp = tune.n_comp;
        r.tuned_bands = tune.n_set;
        r.tuned_preamp_db = tune.preamp_db;
    }
    cfg.max_eq_bands = (uint32_t)(r.tuned ? tune.n_set : r.eq.n_bands);
    if (o.limit)
        cfg.limiter_lookahead_ms = LIMITER_LOOKAHEAD_MS;
    /* --simulate-source: the chain hands doubles to the simulation, a second
     * chain makes the output's format (and its dither) of them */
    hpa_sim *sim = NULL;
    hpa_sim_plan plan;
    char sim_title[600];
    double sim_lufs = 0.0;
    if (o.sim_source) {
        double tp = 0.0;
        if (!o.normalize && measure_input(o.in, &r.in_lufs, &tp)) { /* --normalize has it */
            hph_tuning_free(&tune);
            hpa_eq_profile_free(&r.eq);
            hph_audio_close(in);
            return 1;
        }
        if (!isfinite(r.in_lufs)) {
            fail_code = "input";
            hpc_error("%s: no gated loudness (silent, or shorter than 0.4 s): --level has nothing to set", o.in);
            hph_tuning_free(&tune);
            hpa_eq_profile_free(&r.eq);
            hph_audio_close(in);
            return 1;
        }
        /* a mono file plays on both ears: as loud as a stereo one with both channels alike */
        sim_lufs = r.in_lufs + (r.in.channels == 1 ? 10.0 * log10(2.0) : 0.0) + cfg.volume_db;
        int src = hpc_sim_make(o.sim_source, o.sim_hp, o.sim_level_db, sim_lufs, r.out.rate_hz, r.in.channels, &sim,
                               &plan, sim_title, sizeof sim_title);
        if (src) {
            hph_tuning_free(&tune);
            hpa_eq_profile_free(&r.eq);
            hph_audio_close(in);
            return src;
        }
    }
    hpa_chain_config post_cfg = cfg;
    if (sim) {
        cfg.out_format = HPA_FORMAT_F64;
        cfg.dither = HPA_DITHER_NONE;
    }
    hpa_chain *chain = NULL, *post = NULL;
    int err = hpa_chain_create(&cfg, &chain);
    if (!err && sim) {
        post_cfg.in_rate_hz = post_cfg.out_rate_hz;
        post_cfg.in_format = HPA_FORMAT_F64;
        post_cfg.max_block_frames = (uint32_t)hpa_chain_max_out_frames(chain);
        post_cfg.volume_db = post_cfg.max_volume_db = 0.0;
        post_cfg.limiter_lookahead_ms = 0.0;
        err = hpa_chain_create(&post_cfg, &post);
    }
    /* the tuned set holds the EQ file's bands (their channel masks too) plus the compensations */
    if (!err && r.tuned)
        err = hpa_chain_set_eq_channels(chain, tune.set, tune.n_set, tune.preamp_db, r.eq.channel_preamp_db, NULL,
                                        NULL);
    else if (!err && o.eq_label)
        err = hpa_chain_set_eq_channels(chain, r.eq.bands, r.eq.n_bands, r.eq.preamp_db, r.eq.channel_preamp_db, NULL,
                                        NULL);
    hph_tuning_free(&tune);
    hpa_eq_profile_free(&r.eq);
    if (!err && o.crossfeed) {
        hpa_chain_set_param(chain, HPA_PARAM_CROSSFEED_FCUT_HZ, o.xf_fcut_hz);
        hpa_chain_set_param(chain, HPA_PARAM_CROSSFEED_FEED_DB, o.xf_feed_db);
        err = hpa_chain_set_param(chain, HPA_PARAM_CROSSFEED_ENABLE, 1.0);
    }
    if (!err && o.limit)
        err = hpa_chain_set_param(chain, HPA_PARAM_LIMITER_CEILING_DBTP, o.limit_dbtp);
    if (!err && o.balance_db != 0.0)
        err = hpa_chain_set_param(chain, HPA_PARAM_BALANCE_DB, o.balance_db);
    if (!err && o.mono)
        err = hpa_chain_set_param(chain, HPA_PARAM_MONO, 1.0);
    if (err) {
        fail_code = "chain";
        hpc_error("%s: cannot set up the chain: %s", o.in, hpa_strerror(err));
        hpa_chain_destroy(chain);
        hpa_chain_destroy(post);
        hpa_sim_destroy(sim);
        hph_audio_close(in);
        return 1;
    }
    r.latency = hpa_chain_latency_frames(chain);
    r.limiter_frames = hpa_chain_limiter_latency_frames(chain);

    size_t max_out = hpa_chain_max_out_frames(chain);
    void *ibuf = malloc((size_t)BLOCK_FRAMES * r.in.channels * hpa_format_bytes(r.in.format));
    double *mid = sim ? malloc(max_out * r.in.channels * sizeof(double)) : NULL;
    hph_outfile of = {.fd = -1};
    hph_audiofile *out = NULL;
    hph_writer *writer = NULL;
    rc = 1;
    if (!ibuf || (sim && !mid)) {
        fail_code = "memory";
        hpc_error("out of memory");
        goto done;
    }

    hpc_catch_stop_signals();

    if (hph_outfile_create(&of, o.out)) {
        fail_code = "output";
        hpc_error("%s: cannot create the output file: %s", o.out, strerror(errno));
        goto done;
    }
    out = hph_audio_open_write_fd(of.fd, container, &r.out, why, sizeof why);
    if (!out) {
        fail_code = "output";
        hpc_error("%s: %s", o.out, why);
        goto fail_unlink;
    }
    /* encoding and writing run on the other core, a few blocks behind */
    writer = hph_writer_start(out, max_out * r.out.channels * hpa_format_bytes(r.out.format), WRITE_SLOTS);
    if (!writer) {
        fail_code = "memory";
        hpc_error("out of memory");
        goto fail_unlink;
    }

    hpc_progress prog;
    hpc_progress_begin(&prog, "render", !o.quiet && !o.json);
    double t0 = hpc_now_s();
    int failed = 0;
    hph_render_job job = {.in = in,
                          .chain = chain,
                          .writer = writer,
                          .in_buf = ibuf,
                          .block_frames = BLOCK_FRAMES,
                          .max_out = max_out,
                          .total_frames = r.in.frames,
                          .progress = show_progress,
                          .stop = stop_now,
                          .user = &prog,
                          .sim = sim,
                          .post = post,
                          .mid = mid};
    hph_render_result rr;
    hph_render_status st = hph_render_run(&job, &rr);
    r.frames_in = rr.frames_in;
    r.frames_out = rr.frames_out;
    if (st == HPH_RENDER_INPUT || st == HPH_RENDER_CHAIN) {
        hpc_progress_end(&prog);
        fail_code = st == HPH_RENDER_INPUT ? "input" : "chain";
        hpc_error("%s: %s", o.in, rr.why);
        failed = 1;
    }
    int werr = hph_writer_finish(writer);
    writer = NULL;
    hpc_progress_end(&prog);
    if (werr && !failed) {
        int e = errno;
        fail_code = "output";
        if (e == EFBIG && container == HPH_CONTAINER_WAV)
            hpc_error("%s: write failed: the output grew past a WAV's 4 GiB (the input is longer than its "
                      "header said)",
                      o.out);
        else
            hpc_error("%s: write failed: %s", o.out, e ? strerror(e) : hph_audio_error(out));
        goto fail_unlink;
    }
    if (failed)
        goto fail_unlink;
    if (hpc_interrupted()) {
        fail_code = "interrupted";
        hpc_error("interrupted; %s not written", o.out);
        rc = 128 + hpc_interrupted();
        goto fail_unlink;
    }
    errno = 0;
    err = hph_audio_close(out);
    out = NULL;
    if (err) {
        fail_code = "output";
        hpc_error("%s: finishing the file failed: %s", o.out, errno ? strerror(errno) : "libsndfile error");
        goto fail_unlink;
    }
    char magic[4];
    r.container = container == HPH_CONTAINER_FLAC ? "flac"
                  : container == HPH_CONTAINER_RF64 && pread(of.fd, magic, sizeof magic, 0) == 4 &&
                          !memcmp(magic, "RF64", 4)
                      ? "rf64"
                      : "wav";
    if (hph_outfile_commit(&of)) {
        fail_code = "output";
        hpc_error("%s: cannot put the finished file in place: %s", o.out, strerror(errno));
        goto fail_unlink;
    }
    r.seconds = hpc_now_s() - t0;
    hpa_chain_get_stats(chain, &r.stats);
    if (post) { /* what reached the file is the second chain's */
        hpa_chain_stats ps;
        hpa_chain_get_stats(post, &ps);
        r.stats.peak = ps.peak;
        r.stats.clipped[HPA_STAGE_OUTPUT] = ps.clipped[HPA_STAGE_OUTPUT];
        r.stats.float_clamped = ps.float_clamped;
    }
    print_summary(&o, &r);
    if (sim && !o.quiet && !o.json)
        hpc_sim_print(sim, &plan, sim_title, o.sim_level_db, sim_lufs);
    rc = 0;
    goto done;

fail_unlink:
    if (writer)
        hph_writer_finish(writer);
    hph_audio_close(out);
    out = NULL;
    hph_outfile_abort(&of);
    if (rc == 0)
        rc = 1;
done:
    hph_audio_close(in);
    hpa_chain_destroy(chain);
    hpa_chain_destroy(post);
    hpa_sim_destroy(sim);
    free(mid);
    free(ibuf);
    return rc;
}
