/* eq.c — `hpamp eq fit|targets`: a parametric EQ from a headphone measurement
 * and a target (the engine is libhpamp's eq_auto.c; here only files, options
 * and words).  docs/eq-fit.md. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hpamp/eq_auto.h>

#include "cli.h"
#include "eqout.h"
#include <hpamp/host/eqfile.h>
#include <hpamp/host/outfile.h>
#include <hpamp/host/preset.h>
#include "term.h"

static void usage(FILE *f)
{
    fputs("Usage: hpamp eq fit MEASUREMENT --target NAME|FILE -o OUT [options]\n"
          "       hpamp eq targets\n"
          "\n"
          "fit: make an Equalizer APO ParametricEQ file (as AutoEq writes them) that brings a\n"
          "headphone's measured response to a target: a low shelf, a high shelf and peaking filters.\n"
          "MEASUREMENT is text with frequency and dB columns (REW, squig.link exports) or an\n"
          "AutoEq result CSV (frequency,raw,...); FILE a target in the same form.\n"
          "  -t, --target NAME|FILE   a built-in target (hpamp eq targets) or a file\n"
          "  -o, --output OUT         the ParametricEQ file to write\n"
          "      --bass DB            add a low shelf to the target (105 Hz, Q 0.7), -30..30 dB\n"
          "      --treble DB          add a high shelf to the target (10 kHz, Q 0.7), -30..30 dB\n"
          "      --tilt DB_PER_OCT    tilt the target through 1 kHz, -3..3 dB per octave\n"
          "      --max-filters N      filters to use, 1..32 (default 10)\n"
          "      --max-gain DB        no filter boosts more than this, 0..30 dB (default 6)\n"
          "      --max-q Q            the largest Q of a peaking filter, 0.5..20 (default 6)\n"
          "      --rate HZ            the rate the filters are designed at (default 48000)\n"
          "      --preset NAME        also save a preset NAME using OUT (hpamp render --preset NAME)\n"
          "  -h, --help               this help\n"
          "\n"
          "It prints the residual error: the RMS of measurement + EQ - target over 20 Hz..10 kHz,\n"
          "its mean removed.  Exit status: 0 done, 1 a bad file, 2 a usage error.\n",
          f);
}

typedef struct fit_opts {
    const char *meas, *target, *out, *preset;
    hpa_eq_autofit_config cfg;
} fit_opts;

/* a curve file (or a built-in target) as points; 0, or 1 after the message */
static int load_curve(const char *path, const char *builtin_name, hpa_eq_point **pts, size_t *n)
{
    char why[600];
    if (hph_eq_curve_read(path, builtin_name, pts, n, why, sizeof why) == 0)
        return 0;
    hpc_error("%s", why);
    return 1;
}

/* the preset NAME in the user's folder: [eq] file = OUT (absolute) */
static int save_preset(const char *name, const char *out, const char *meas, const char *target)
{
    char path[PATH_MAX + 128], title[200], why[PATH_MAX + 256];
    snprintf(title, sizeof title, "%.80s to %.80s", meas, target);
    if (hph_preset_save_eq(name, out, title, path, sizeof path, why, sizeof why)) {
        hpc_error("--preset: %s", why);
        return 1;
    }
    printf("preset      %s (%s)\n", name, path);
    return 0;
}

static int preset_name_ok(const char *s)
{
    if (!*s || strlen(s) > 100 || s[0] == '.')
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' ||
              *s == '_' || *s == '.'))
            return 0;
    return 1;
}

/* options into o: 0, -1 after --help, else the exit status */
static int parse_fit(int argc, char **argv, fit_opts *o)
{
    enum { O_BASS = 256, O_TREBLE, O_TILT, O_FILTERS, O_GAIN, O_Q, O_RATE, O_PRESET };
    static const struct option longopts[] = {
        {"target", required_argument, NULL, 't'},
        {"output", required_argument, NULL, 'o'},
        {"bass", required_argument, NULL, O_BASS},
        {"treble", required_argument, NULL, O_TREBLE},
        {"tilt", required_argument, NULL, O_TILT},
        {"max-filters", required_argument, NULL, O_FILTERS},
        {"max-gain", required_argument, NULL, O_GAIN},
        {"max-q", required_argument, NULL, O_Q},
        {"rate", required_argument, NULL, O_RATE},
        {"preset", required_argument, NULL, O_PRESET},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    hpa_eq_autofit_config_init(&o->cfg);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":t:o:h", longopts, NULL)) != -1) {
        double v;
        uint32_t u;
        switch (c) {
        case 't': o->target = optarg; break;
        case 'o': o->out = optarg; break;
#define NUMBER(lo, hi, field, what)                                                                                    \
    if (hpa_parse_double(optarg, lo, hi, &v)) {                                                                        \
        hpc_error("eq fit: %s '%s': " what " is expected", argv[optind - 1], optarg);                                  \
        return EXIT_USAGE;                                                                                             \
    }                                                                                                                  \
    o->cfg.field = v;                                                                                                  \
    break;
        case O_BASS: NUMBER(-30.0, 30.0, bass_db, "a gain from -30 to 30 dB")
        case O_TREBLE: NUMBER(-30.0, 30.0, treble_db, "a gain from -30 to 30 dB")
        case O_TILT: NUMBER(-3.0, 3.0, tilt_db_oct, "a tilt from -3 to 3 dB per octave")
        case O_GAIN: NUMBER(0.0, 30.0, max_gain_db, "a gain from 0 to 30 dB")
        case O_Q: NUMBER(0.5, 20.0, max_q, "a Q from 0.5 to 20")
#undef NUMBER
        case O_FILTERS:
            if (hpc_parse_u32(optarg, 1, HPA_EQ_AUTOFIT_MAX_FILTERS, &u)) {
                hpc_error("eq fit: --max-filters '%s': a whole number from 1 to %u is expected", optarg,
                          HPA_EQ_AUTOFIT_MAX_FILTERS);
                return EXIT_USAGE;
            }
            o->cfg.max_filters = u;
            break;
        case O_RATE:
            if (hpc_parse_u32(optarg, 8000, 768000, &u)) {
                hpc_error("eq fit: --rate '%s': a rate from 8000 to 768000 Hz is expected", optarg);
                return EXIT_USAGE;
            }
            o->cfg.rate_hz = u;
            break;
        case O_PRESET:
            if (!preset_name_ok(optarg)) {
                hpc_error("eq fit: --preset '%s': a name of letters, digits, '-', '_' and '.' is expected", optarg);
                return EXIT_USAGE;
            }
            o->preset = optarg;
            break;
        case 'h': usage(stdout); return -1;
        case ':':
            hpc_error("eq fit: option '%s' needs a value (see hpamp eq --help)", argv[optind - 1]);
            return EXIT_USAGE;
        default: hpc_error("eq fit: unknown option '%s' (see hpamp eq --help)", argv[optind - 1]); return EXIT_USAGE;
        }
    }
    if (optind < argc)
        o->meas = argv[optind++];
    if (optind < argc) {
        hpc_error("eq fit: unexpected argument '%s' (see hpamp eq --help)", argv[optind]);
        return EXIT_USAGE;
    }
    if (!o->meas || !o->target || !o->out) {
        hpc_error("eq fit: %s is missing (see hpamp eq --help)", !o->meas     ? "MEASUREMENT"
                                                                 : !o->target ? "--target"
                                                                              : "-o OUT");
        return EXIT_USAGE;
    }
    return 0;
}

static int cmd_fit(int argc, char **argv)
{
    fit_opts o;
    int rc = parse_fit(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    hpa_eq_point *meas = NULL, *target = NULL;
    size_t nm = 0, nt = 0;
    const int builtin = hpa_eq_target_builtin(o.target, NULL) != NULL;
    if (load_curve(o.meas, NULL, &meas, &nm) || load_curve(o.target, builtin ? o.target : NULL, &target, &nt)) {
        free(meas);
        return 1;
    }
    hpa_eq_band bands[HPA_EQ_AUTOFIT_MAX_FILTERS];
    hpa_eq_autofit_result res;
    const char *why = NULL;
    int err = hpa_eq_autofit(meas, nm, target, nt, &o.cfg, NULL, bands, HPA_EQ_AUTOFIT_MAX_FILTERS, &res, &why);
    free(meas);
    free(target);
    if (err != HPA_OK) {
        hpc_error("%s: %s", o.meas, why ? why : hpa_strerror(err));
        return 1;
    }
    if (hpc_write_parametric(o.out, bands, res.n_bands, res.preamp_db))
        return 1;
    size_t pk = 0;
    for (size_t k = 0; k < res.n_bands; k++)
        pk += bands[k].type == HPA_EQ_PK;
    printf("measurement %s (%zu points)\n", o.meas, nm);
    printf("target      %s%s; bass %+.1f dB, treble %+.1f dB, tilt %+.2f dB/oct\n", o.target,
           builtin ? " (built in)" : "", o.cfg.bass_db, o.cfg.treble_db, o.cfg.tilt_db_oct);
    printf("filters     %zu (%zu shelves, %zu peaking) for %.0f Hz, boosts <= %+.1f dB, Q <= %.2g\n", res.n_bands,
           res.n_bands - pk, pk, o.cfg.rate_hz, o.cfg.max_gain_db, o.cfg.max_q);
    printf("residual    %.2f dB RMS over 20 Hz..10 kHz, mean removed (%.2f dB without EQ)\n", res.rms_db,
           res.rms_before_db);
    printf("preamp      %.1f dB\n", res.preamp_db);
    printf("wrote       %s\n", o.out);
    if (o.preset && save_preset(o.preset, o.out, o.meas, o.target))
        return 1;
    return 0;
}

int hpc_cmd_eq(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "fit"))
        return cmd_fit(argc - 1, argv + 1);
    if (!strcmp(argv[1], "targets")) {
        if (argc > 2) {
            if (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help")) {
                usage(stdout);
                return 0;
            }
            hpc_error("eq targets: unexpected argument '%s'", argv[2]);
            return EXIT_USAGE;
        }
        for (size_t i = 0; hpa_eq_target_name(i); i++)
            printf("%-26s %s\n", hpa_eq_target_name(i), hpa_eq_target_about(i));
        return 0;
    }
    hpc_error("eq: unknown subcommand '%s' (fit or targets; see hpamp eq --help)", argv[1]);
    return EXIT_USAGE;
}
