/* preset_export.c — `hpamp preset export NAME --filter-chain | --lv2`: a
 * preset as a PipeWire filter-chain configuration that loads hpamp.lv2 as a
 * virtual sink, or as an LV2 preset of the plugin (docs/lv2.md).  The port
 * symbols are the parameter table's, the plugin URIs those of src/lv2. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpamp/host/file.h>
#include <hpamp/params.h>

#include "../lv2/ports.h"
#include "preset.h"
#include "preset_export.h"
#include "term.h"

#define EQ_FILE_MAX (1u << 20) /* an [eq] file embedded in an LV2 preset: at most this */

/* the value of each control port for a preset: the plugin's defaults but
 * for what the preset sets */
static void port_values(const hpa_settings *p, double v[HPA_PARAM_COUNT])
{
    for (int i = 0; i < HPA_PARAM_COUNT; i++)
        v[i] = hpa_param_info_get(i)->default_value;
    if (p->has_max_volume && p->max_volume_db < v[HPA_PARAM_VOLUME_DB])
        v[HPA_PARAM_VOLUME_DB] = p->max_volume_db; /* the plugin has no ceiling: start there */
    v[HPA_PARAM_CROSSFEED_ENABLE] = p->has_crossfeed ? 1.0 : 0.0;
    if (p->has_crossfeed) {
        v[HPA_PARAM_CROSSFEED_FCUT_HZ] = p->fcut_hz;
        v[HPA_PARAM_CROSSFEED_FEED_DB] = p->feed_db;
    }
    v[HPA_PARAM_LIMITER_ENABLE] = p->has_limit ? 1.0 : 0.0;
    if (p->has_limit)
        v[HPA_PARAM_LIMITER_CEILING_DBTP] = p->limit_dbtp;
}

/* the preset's EQ as text (malloc'd), from its [eq] lines or its file; NULL
 * and *len 0 for none; NULL with *len 1 after an error line */
static char *eq_text(const hpa_settings *p, size_t *len)
{
    *len = 0;
    if (p->eq_len) {
        char *t = malloc(p->eq_len + 1);
        if (t) {
            memcpy(t, p->eq_text, p->eq_len);
            *len = p->eq_len;
        }
        return t;
    }
    if (!p->eq_file[0])
        return NULL;
    char *t = NULL;
    if (hph_file_read(p->eq_file, EQ_FILE_MAX - 1, HPH_FILE_ANY, &t, len)) {
        hpc_error("%s: cannot read the preset's EQ file (at most %u kB): %s", p->eq_file, EQ_FILE_MAX >> 10,
                  strerror(errno));
        *len = 1;
        return NULL;
    }
    return t;
}

static void export_lv2(const char *name, const hpa_settings *p, const char *eq, size_t eq_len)
{
    double v[HPA_PARAM_COUNT];
    port_values(p, v);
    printf("@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n"
           "@prefix pset: <http://lv2plug.in/ns/ext/presets#> .\n"
           "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
           "@prefix state: <http://lv2plug.in/ns/ext/state#> .\n\n"
           "<" HPA_LV2_PRESET_URI "%s>\n\ta pset:Preset ;\n"
           "\tlv2:appliesTo <" HPA_LV2_STEREO_URI ">, <" HPA_LV2_MONO_URI "> ;\n\trdfs:label ",
           name);
    hpc_json_string(stdout, p->title[0] ? p->title : name); /* JSON's escapes are Turtle's */
    printf(" ;\n\tlv2:port ");
    for (int i = 0; i < HPA_PARAM_COUNT; i++) {
        printf("%s[\n\t\tlv2:symbol \"%s\" ;\n\t\tpset:value ", i ? ", " : "", hpa_param_info_get(i)->symbol);
        hpa_lv2_decimal(stdout, v[i]);
        printf(" ;\n\t]");
    }
    if (eq_len) {
        printf(" ;\n\tstate:state [\n\t\t<" HPA_LV2_EQ_TEXT_URI "> ");
        char *s = malloc(eq_len + 1);
        if (s) {
            memcpy(s, eq, eq_len);
            s[eq_len] = '\0';
            hpc_json_string(stdout, s);
            free(s);
        }
        printf(" ;\n\t]");
    }
    printf(" .\n");
    if (p->has_normalize)
        printf("# [normalize] target_lufs %.1f is left out: it needs the whole file\n", p->normalize_lufs);
}

static void export_filter_chain(const char *name, const hpa_settings *p)
{
    double v[HPA_PARAM_COUNT];
    port_values(p, v);
    printf("# PipeWire filter-chain: hpamp preset %s through hpamp.lv2 as a virtual sink.\n"
           "# Save as ~/.config/pipewire/pipewire.conf.d/hpamp-%s.conf and restart PipeWire;\n"
           "# the plugin must be on LV2_PATH (meson install puts it in lib/lv2).\n"
           "context.modules = [\n"
           "  { name = libpipewire-module-filter-chain\n"
           "    args = {\n"
           "      node.description = ",
           name, name);
    char label[256];
    snprintf(label, sizeof label, "hpamp: %s", p->title[0] ? p->title : name);
    hpc_json_string(stdout, label);
    printf("\n      media.name = \"hpamp %s\"\n"
           "      filter.graph = {\n"
           "        nodes = [\n"
           "          { type = lv2  name = hpamp  plugin = \"" HPA_LV2_STEREO_URI "\"\n"
           "            control = {",
           name);
    for (int i = 0; i < HPA_PARAM_COUNT; i++) {
        printf(" \"%s\" = ", hpa_param_info_get(i)->symbol);
        hpa_lv2_decimal(stdout, v[i]);
    }
    printf(" } }\n"
           "        ]\n"
           "      }\n"
           "      audio.channels = 2\n"
           "      audio.position = [ FL FR ]\n"
           "      capture.props = { node.name = \"hpamp_%s\"  media.class = Audio/Sink }\n"
           "      playback.props = { node.name = \"hpamp_%s_out\"  node.passive = true }\n"
           "    }\n"
           "  }\n"
           "]\n",
           name, name);
}

static void usage(FILE *f)
{
    fputs("Usage: hpamp preset export NAME --filter-chain\n"
          "       hpamp preset export NAME --lv2\n"
          "\n"
          "A preset for hosts of the hpamp.lv2 plugin (docs/lv2.md), on stdout:\n"
          "  --filter-chain  a PipeWire filter-chain that loads the plugin as a virtual\n"
          "                  sink with the preset's crossfeed, limiter and volume, for\n"
          "                  ~/.config/pipewire/pipewire.conf.d/ (PipeWire cannot give\n"
          "                  the plugin an EQ file: a preset's EQ is left out, with a\n"
          "                  warning)\n"
          "  --lv2           an LV2 preset (Turtle) with the preset's EQ inside, for\n"
          "                  hosts that load presets (jalv, Carla, Ardour)\n"
          "  -h, --help      show this help\n",
          f);
}

int hpc_preset_export(int argc, char **argv)
{
    const char *name = NULL;
    int mode = 0; /* 'f' or 'l' */
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--filter-chain") || !strcmp(argv[i], "--lv2")) {
            const int m = argv[i][2] == 'f' ? 'f' : 'l';
            if (mode && mode != m) {
                hpc_error("preset export: --filter-chain or --lv2, not both");
                return EXIT_USAGE;
            }
            mode = m;
        } else if (argv[i][0] == '-' || name) {
            hpc_error("preset export: unexpected '%s'", argv[i]);
            return EXIT_USAGE;
        } else {
            name = argv[i];
        }
    }
    if (!name || !mode) {
        hpc_error("preset export: needs a NAME and --filter-chain or --lv2 (see hpamp preset export --help)");
        return EXIT_USAGE;
    }
    hpa_settings *p = malloc(sizeof *p);
    char origin[HPA_SETTINGS_PATH_MAX + 128];
    if (!p) {
        hpc_error("out of memory");
        return 1;
    }
    if (hpc_preset_load(name, p, origin, sizeof origin)) {
        free(p);
        return 1;
    }
    int rc = 0;
    if (mode == 'f') {
        if (p->eq_len || p->eq_file[0])
            hpc_warn("preset %s: its EQ is left out: PipeWire's filter-chain cannot give an LV2 plugin a file", name);
        if (p->has_normalize)
            hpc_warn("preset %s: its loudness normalisation is left out: it needs the whole file", name);
        export_filter_chain(name, p);
    } else {
        size_t len;
        char *eq = eq_text(p, &len);
        if (!eq && len)
            rc = 1;
        else
            export_lv2(name, p, eq, len);
        free(eq);
    }
    free(p);
    if (!rc && (fflush(stdout) || ferror(stdout))) {
        hpc_error("preset export: write error on stdout");
        rc = 1;
    }
    return rc;
}
