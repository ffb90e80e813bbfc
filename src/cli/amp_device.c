/* amp_device.c — `hpamp device list [--json]` and `hpamp device set OUTPUT
 * ...`: the outputs PipeWire has, what they are matched by, and the
 * profiles of devices.ini (<hpamp/host/amp.h>) that `hpamp amp` follows. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpamp/host/amp.h>

#include "cli.h"
#include "gear.h"
#include "preset.h"
#include "term.h"

static void usage(FILE *f)
{
    fputs("Usage: hpamp device list [--json]\n"
          "       hpamp device set OUTPUT --headphones H --source S [--preset NAME]\n"
          "                               [--max-volume DB] [--volume DB]\n"
          "\n"
          "The outputs hpamp amp plays on, and their profiles in\n"
          "$XDG_CONFIG_HOME/hpamp/devices.ini (see docs/amp.md).\n"
          "\n"
          "  list          each PipeWire output: its node name, what it can be matched\n"
          "                by (card, USB vendor:product, Bluetooth address) and its profile\n"
          "  set OUTPUT    write the profile of the output named OUTPUT (a node.name):\n"
          "                the headphones and the source on it (names from hpamp db, or\n"
          "                specs), a preset, a volume cap and a start volume\n"
          "  --json        list as one JSON object\n"
          "  -h, --help    this help\n"
          "\n"
          "Exit status: 0 done, 1 failure (no PipeWire, unknown gear), 2 usage error.\n",
          f);
}

int hpc_amp_profiles_load(hph_amp_profiles *ps)
{
    char why[1200];
    if (hph_amp_profiles_load(ps, hpc_warn_line, NULL, why, sizeof why)) {
        hpc_error("%s", why);
        return -1;
    }
    return 0;
}

static const char *profile_of(const hph_amp_profiles *ps, const hph_amp_output *o)
{
    const hph_amp_profile *p = hph_amp_profiles_match(ps, o);
    return p ? p->name : NULL;
}

static int cmd_list(int json)
{
    static hph_amp_profiles ps;
    if (hpc_amp_profiles_load(&ps))
        return 1;
    hph_amp_engine *e;
    char why[512];
    if (hph_amp_engine_connect(&e, why, sizeof why)) {
        hpc_error("device: %s", why);
        return 1;
    }
    static hph_amp_output outs[HPH_AMP_MAX_OUTPUTS];
    int n = hph_amp_engine_outputs(e, outs, HPH_AMP_MAX_OUTPUTS);
    hph_amp_state st;
    hph_amp_engine_state(e, &st);
    hph_amp_engine_close(e);
    if (json) {
        printf("{\"file\": ");
        hpc_json_string(stdout, ps.path);
        printf(", \"default\": ");
        hpc_json_string(stdout, st.default_sink);
        printf(", \"outputs\": [");
        for (int i = 0; i < n; i++) {
            printf("%s{\"id\": %u", i ? ", " : "", outs[i].id);
            for (int k = 0; k < HPH_AMP_NKEYS; k++)
                if (*outs[i].kv[k]) {
                    printf(", ");
                    hpc_json_string(stdout, hph_amp_key_names[k]);
                    printf(": ");
                    hpc_json_string(stdout, outs[i].kv[k]);
                }
            const char *p = profile_of(&ps, &outs[i]);
            printf(", \"profile\": ");
            if (p)
                hpc_json_string(stdout, p);
            else
                printf("null");
            printf("}");
        }
        printf("], \"profiles\": [");
        for (int i = 0; i < ps.n; i++) {
            printf("%s{\"name\": ", i ? ", " : "");
            hpc_json_string(stdout, ps.p[i].name);
            printf(", \"headphones\": ");
            hpc_json_string(stdout, ps.p[i].headphones);
            printf(", \"source\": ");
            hpc_json_string(stdout, ps.p[i].source);
            printf(", \"preset\": ");
            hpc_json_string(stdout, ps.p[i].preset);
            printf("}");
        }
        printf("]}\n");
        return 0;
    }
    printf("devices.ini: %s (%d profile%s)\n", *ps.path ? ps.path : "(no HOME)", ps.n, ps.n == 1 ? "" : "s");
    if (!n)
        printf("no outputs\n");
    for (int i = 0; i < n; i++) {
        const hph_amp_output *o = &outs[i];
        const char *p = profile_of(&ps, o);
        printf("%s %s\n", !strcmp(o->kv[HPH_AMP_K_NAME], st.default_sink) ? "*" : " ", o->kv[HPH_AMP_K_NAME]);
        if (*o->kv[HPH_AMP_K_DESC])
            printf("    description  %s\n", o->kv[HPH_AMP_K_DESC]);
        if (*o->kv[HPH_AMP_K_ACARD] || *o->kv[HPH_AMP_K_CARD])
            printf("    card         %s\n", *o->kv[HPH_AMP_K_ACARD] ? o->kv[HPH_AMP_K_ACARD] : o->kv[HPH_AMP_K_CARD]);
        if (*o->kv[HPH_AMP_K_VENDOR] && *o->kv[HPH_AMP_K_PRODUCT])
            printf("    usb          %04lx:%04lx\n", strtoul(o->kv[HPH_AMP_K_VENDOR], NULL, 0),
                   strtoul(o->kv[HPH_AMP_K_PRODUCT], NULL, 0));
        if (*o->kv[HPH_AMP_K_BT])
            printf("    bluetooth    %s\n", o->kv[HPH_AMP_K_BT]);
        if (*o->kv[HPH_AMP_K_PROFILE])
            printf("    profile.name %s\n", o->kv[HPH_AMP_K_PROFILE]);
        printf("    hpamp profile %s\n", p ? p : "(none: levels as for unknown headphones)");
    }
    return 0;
}

static int cmd_set(int argc, char **argv)
{
    enum { OPT_PRESET = 256, OPT_MAX, OPT_VOL };
    static const struct option longopts[] = {
        {"headphones", required_argument, 0, 'H'},
        {"headphone", required_argument, 0, 'H'},
        {"source", required_argument, 0, 'S'},
        {"preset", required_argument, 0, OPT_PRESET},
        {"max-volume", required_argument, 0, OPT_MAX},
        {"volume", required_argument, 0, OPT_VOL},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    static hph_amp_profile p;
    memset(&p, 0, sizeof p);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":H:S:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'H': snprintf(p.headphones, sizeof p.headphones, "%s", optarg); break;
        case 'S': snprintf(p.source, sizeof p.source, "%s", optarg); break;
        case OPT_PRESET: snprintf(p.preset, sizeof p.preset, "%s", optarg); break;
        case OPT_MAX:
        case OPT_VOL:
            if (hpa_parse_double(optarg, -120.0, 0.0, c == OPT_MAX ? &p.max_volume_db : &p.volume_db)) {
                hpc_error("device set: %s takes -120..0 dBFS, not '%s'", c == OPT_MAX ? "--max-volume" : "--volume",
                          optarg);
                return EXIT_USAGE;
            }
            *(c == OPT_MAX ? &p.has_max_volume : &p.has_volume) = 1;
            break;
        case 'h': usage(stdout); return 0;
        case ':': hpc_error("device set: %s needs a value", argv[optind - 1]); return EXIT_USAGE;
        default: hpc_error("device set: unknown option '%s'", argv[optind - 1]); return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        hpc_error("device set: needs one OUTPUT, a node name (see hpamp device list)");
        return EXIT_USAGE;
    }
    const char *out = argv[optind];
    if (!*out || strlen(out) >= sizeof p.name || strpbrk(out, "[]\n\r=;#")) {
        hpc_error("device set: '%s' is not an output name", out);
        return EXIT_USAGE;
    }
    if (!*p.headphones || !*p.source) {
        hpc_error("device set: --headphones and --source are both needed (the SPL at the ear needs both)");
        return EXIT_USAGE;
    }
    /* the gear must be known: a clear error now, not a surprise at run time */
    hpa_safety s;
    int rc = hpc_safety_from_gear("device set", p.headphones, p.source, 0.0, &s, NULL, 0);
    if (rc)
        return rc;
    if (*p.preset) {
        static hpa_settings pr;
        char origin[HPA_SETTINGS_PATH_MAX + 128];
        if (hpc_preset_load(p.preset, &pr, origin, sizeof origin))
            return 1;
    }
    snprintf(p.name, sizeof p.name, "%s", out);
    snprintf(p.match_key[0], sizeof p.match_key[0], "node.name");
    snprintf(p.match_val[0], sizeof p.match_val[0], "%s", out);
    p.n_match = 1;
    static hph_amp_profiles ps;
    hpc_amp_profiles_load(&ps);
    char why[1200];
    if (hph_amp_profiles_write(&ps, &p, why, sizeof why)) {
        hpc_error("device set: %s", why);
        return 1;
    }
    hph_amp_profiles_path(why, sizeof why);
    printf("%s: [%s] headphones %s, source %s%s%s\n", why, p.name, p.headphones, p.source, *p.preset ? ", preset " : "",
           p.preset);
    return 0;
}

int hpc_cmd_device(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "-h") || !strcmp(sub, "--help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(sub, "list")) {
        int json = 0;
        for (int i = 2; i < argc; i++) {
            if (!strcmp(argv[i], "--json")) {
                json = 1;
            } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
                usage(stdout);
                return 0;
            } else {
                hpc_error("device list: unknown argument '%s' (see hpamp device --help)", argv[i]);
                return EXIT_USAGE;
            }
        }
        return cmd_list(json);
    }
    if (!strcmp(sub, "set"))
        return cmd_set(argc - 1, argv + 1);
    hpc_error("device: unknown subcommand '%s' (list or set)", sub);
    return EXIT_USAGE;
}
