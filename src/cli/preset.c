/* preset.c — `hpamp preset`, and presets loaded for the other commands
 * with their errors printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpamp/host/preset.h>

#include "cli.h"
#include "preset.h"
#include "preset_export.h"
#include "term.h"

int hpc_preset_load(const char *name, hpa_settings *s, char *origin, size_t origin_len)
{
    char why[HPA_SETTINGS_PATH_MAX + 512];
    if (hph_preset_load(name, s, origin, origin_len, why, sizeof why) == 0)
        return 0;
    hpc_error("%s", why);
    return 1;
}

static void usage(FILE *f)
{
    fputs("Usage: hpamp preset list\n"
          "       hpamp preset show NAME\n"
          "       hpamp preset export NAME --filter-chain | --lv2\n"
          "\n"
          "Headphone presets for `hpamp render --preset NAME`: EQ (AutoEq or Equalizer\n"
          "APO lines, or a file), crossfeed, limiter, loudness normalisation and a volume\n"
          "ceiling, one INI file per headphone.  Built-in presets, plus yours in\n"
          "$XDG_CONFIG_HOME/hpamp/presets/NAME.ini (~/.config/hpamp/presets); yours\n"
          "replace a built-in of the same name.\n"
          "\n"
          "  list        the presets, where each comes from, and its title\n"
          "  show NAME   the preset's text and what it sets\n"
          "  export NAME for hpamp.lv2: a PipeWire filter-chain, or an LV2 preset\n"
          "  -h, --help  show this help\n",
          f);
}

static void describe(const hpa_settings *p)
{
    if (p->eq_file[0])
        printf("  eq         file %s\n", p->eq_file);
    else if (p->eq_len) {
        size_t lines = 0;
        for (size_t i = 0; i < p->eq_len; i++)
            lines += p->eq_text[i] == '\n';
        printf("  eq         %zu line%s of Equalizer APO text (Preamp, Filter)\n", lines, lines == 1 ? "" : "s");
    }
    if (p->has_crossfeed)
        printf("  crossfeed  %s%s%.0f Hz, %.1f dB\n", p->crossfeed_name ? p->crossfeed_name : "",
               p->crossfeed_name ? ": " : "", p->fcut_hz, p->feed_db);
    if (p->has_limit)
        printf("  limiter    %.2f dBTP\n", p->limit_dbtp);
    if (p->has_normalize)
        printf("  normalize  %.1f LUFS\n", p->normalize_lufs);
    if (p->has_max_volume)
        printf("  volume     at most %+.1f dB\n", p->max_volume_db);
}

int hpc_cmd_preset(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    if (!strcmp(argv[1], "export"))
        return hpc_preset_export(argc, argv);
    for (int i = 2; i < argc; i++) /* preset list --help, preset show --help: the one help */
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        }
    if (!strcmp(argv[1], "list")) {
        if (argc > 2) {
            hpc_error("preset list: unexpected '%s'", argv[2]);
            return EXIT_USAGE;
        }
        /* the user's files, then the built-ins they do not replace */
        char names[256][104];
        size_t n_user = hph_preset_list_user(names, 256);
        int rc = 0;
        for (size_t i = 0; i < n_user; i++) {
            hpa_settings *p = malloc(sizeof *p);
            char origin[HPA_SETTINGS_PATH_MAX + 128];
            if (!p)
                return 1;
            if (hpc_preset_load(names[i], p, origin, sizeof origin) == 0)
                printf("%-16s %-8s %s\n", names[i], "user", p->title);
            else
                rc = 1;
            free(p);
        }
        for (size_t b = 0; b < hpa_settings_builtin_count(); b++) {
            const char *bname, *btext;
            hpa_settings_builtin(b, &bname, &btext);
            int replaced = 0;
            for (size_t i = 0; i < n_user; i++)
                replaced |= !strcmp(names[i], bname);
            if (replaced)
                continue;
            hpa_settings *p = malloc(sizeof *p);
            char why[256];
            if (!p)
                return 1;
            hpa_settings_parse(btext, NULL, p, why, sizeof why);
            printf("%-16s %-8s %s\n", bname, "built-in", p->title);
            free(p);
        }
        return rc;
    }
    if (!strcmp(argv[1], "show")) {
        if (argc != 3) {
            hpc_error("preset show: needs one NAME (see hpamp preset list)");
            return EXIT_USAGE;
        }
        hpa_settings *p = malloc(sizeof *p);
        char origin[HPA_SETTINGS_PATH_MAX + 128];
        if (!p)
            return 1;
        if (hpc_preset_load(argv[2], p, origin, sizeof origin)) {
            free(p);
            return 1;
        }
        printf("%s (%s)%s%s\n", argv[2], origin, p->title[0] ? ": " : "", p->title);
        describe(p);
        printf("\n");
        char *text = hph_preset_text(argv[2], origin);
        if (text)
            fputs(text, stdout);
        free(text);
        free(p);
        return 0;
    }
    hpc_error("preset: unknown command '%s' (list, show or export)", argv[1]);
    return EXIT_USAGE;
}
