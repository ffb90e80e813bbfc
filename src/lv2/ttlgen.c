/* ttlgen.c — writes hpamp.lv2's manifest.ttl and hpamp.ttl at build time.
 *
 * The control ports are the hpa_param_info table's entries, read here
 * through libhpamp's public API: symbol, name, unit, range, default, toggle
 * and comment come from the table, never from a hand-written file.  The port
 * indices come from ports.h, which the plugin uses too.
 *
 * usage: hpamp-lv2-ttl OUTDIR BINARY  (BINARY: the module's file name) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpamp/params.h>

#include "ports.h"

static const char *prefixes = "@prefix atom: <http://lv2plug.in/ns/ext/atom#> .\n"
                              "@prefix bufsz: <http://lv2plug.in/ns/ext/buf-size#> .\n"
                              "@prefix doap: <http://usefulinc.com/ns/doap#> .\n"
                              "@prefix log: <http://lv2plug.in/ns/ext/log#> .\n"
                              "@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n"
                              "@prefix opts: <http://lv2plug.in/ns/ext/options#> .\n"
                              "@prefix patch: <http://lv2plug.in/ns/ext/patch#> .\n"
                              "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                              "@prefix state: <http://lv2plug.in/ns/ext/state#> .\n"
                              "@prefix units: <http://lv2plug.in/ns/extensions/units#> .\n"
                              "@prefix urid: <http://lv2plug.in/ns/ext/urid#> .\n"
                              "@prefix work: <http://lv2plug.in/ns/ext/worker#> .\n\n";

/* "\t\tKEY VALUE ;\n" with the value as hpa_lv2_decimal writes it */
static void number_property(FILE *f, const char *key, double v)
{
    fprintf(f, "\t\t%s ", key);
    hpa_lv2_decimal(f, v);
    fputs(" ;\n", f);
}

/* a Turtle string literal */
static void string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static const char *unit_of(const char *unit)
{
    if (!strcmp(unit, "dB") || !strcmp(unit, "dBTP"))
        return "units:db";
    if (!strcmp(unit, "Hz"))
        return "units:hz";
    return NULL;
}

static void audio_port(FILE *f, uint32_t index, int output, const char *symbol, const char *name)
{
    fprintf(f,
            "[\n\t\ta lv2:AudioPort, lv2:%s ;\n\t\tlv2:index %u ;\n\t\tlv2:symbol \"%s\" ;\n\t\tlv2:name \"%s\" ;\n\t]",
            output ? "OutputPort" : "InputPort", index, symbol, name);
}

static void output_port(FILE *f, uint32_t index, const char *symbol, const char *name, double min, double max,
                        const char *extra)
{
    fprintf(f,
            "[\n\t\ta lv2:ControlPort, lv2:OutputPort ;\n\t\tlv2:index %u ;\n\t\tlv2:symbol \"%s\" ;\n"
            "\t\tlv2:name \"%s\" ;\n",
            index, symbol, name);
    number_property(f, "lv2:minimum", min);
    number_property(f, "lv2:maximum", max);
    fprintf(f, "%s\t]", extra);
}

static void plugin(FILE *f, const char *uri, const char *name, uint32_t ch)
{
    fprintf(f, "<%s>\n\ta lv2:Plugin, lv2:AmplifierPlugin ;\n\tdoap:name \"%s\" ;\n", uri, name);
    fputs("\tdoap:license <http://opensource.org/licenses/MIT> ;\n"
          "\tlv2:optionalFeature lv2:hardRTCapable, urid:map, opts:options, work:schedule, log:log ;\n"
          "\topts:supportedOption bufsz:maxBlockLength ;\n"
          "\tlv2:extensionData work:interface, state:interface ;\n"
          "\tpatch:writable <" HPA_LV2_EQ_FILE_URI "> ;\n"
          "\tlv2:port ",
          f);
    static const char *const stereo_sym[2][2] = {{"in_l", "in_r"}, {"out_l", "out_r"}};
    static const char *const stereo_name[2][2] = {{"Left in", "Right in"}, {"Left out", "Right out"}};
    for (int out = 0; out < 2; out++)
        for (uint32_t c = 0; c < ch; c++) {
            audio_port(f, (uint32_t)out * ch + c, out, ch == 1 ? (out ? "out" : "in") : stereo_sym[out][c],
                       ch == 1 ? (out ? "Out" : "In") : stereo_name[out][c]);
            fputs(", ", f);
        }
    for (int id = 0; id < hpa_param_count(); id++) {
        const hpa_param_info *p = hpa_param_info_get(id);
        fprintf(f,
                "[\n\t\ta lv2:ControlPort, lv2:InputPort ;\n\t\tlv2:index %u ;\n\t\tlv2:symbol \"%s\" ;\n"
                "\t\tlv2:name ",
                hpa_lv2_param_port(ch, id), p->symbol);
        string(f, p->name);
        fputs(" ;\n\t\trdfs:comment ", f);
        string(f, p->doc);
        fputs(" ;\n", f);
        number_property(f, "lv2:default", p->default_value);
        number_property(f, "lv2:minimum", p->min_value);
        number_property(f, "lv2:maximum", p->max_value);
        if (p->is_toggle)
            fputs("\t\tlv2:portProperty lv2:toggled, lv2:integer ;\n", f);
        if (unit_of(p->unit))
            fprintf(f, "\t\tunits:unit %s ;\n", unit_of(p->unit));
        fputs("\t], ", f);
    }
    output_port(f, hpa_lv2_extra_port(ch, HPA_LV2_OUT_LATENCY), "latency", "Latency", 0.0, 1e6,
                "\t\tlv2:designation lv2:latency ;\n\t\tlv2:portProperty lv2:reportsLatency, lv2:integer ;\n"
                "\t\tunits:unit units:frame ;\n");
    fputs(", ", f);
    output_port(f, hpa_lv2_extra_port(ch, HPA_LV2_OUT_PEAK), "peak_db", "Peak", -160.0, 60.0,
                "\t\trdfs:comment \"The largest sample of the last block at the output, in dBFS.\" ;\n"
                "\t\tunits:unit units:db ;\n");
    fputs(", ", f);
    output_port(f, hpa_lv2_extra_port(ch, HPA_LV2_OUT_GAIN_REDUCTION), "gain_reduction_db", "Limiter gain reduction",
                0.0, 100.0,
                "\t\trdfs:comment \"The most gain the limiter took since the plugin was activated.\" ;\n"
                "\t\tunits:unit units:db ;\n");
    fputs(", ", f);
    output_port(f, hpa_lv2_extra_port(ch, HPA_LV2_OUT_CLIPS), "clips", "Clipped samples", 0.0, 1e9,
                "\t\trdfs:comment \"Samples beyond full scale at the output since the plugin was activated.\" ;\n"
                "\t\tlv2:portProperty lv2:integer ;\n");
    fprintf(f,
            ", [\n\t\ta atom:AtomPort, lv2:InputPort ;\n\t\tatom:bufferType atom:Sequence ;\n"
            "\t\tatom:supports patch:Message ;\n\t\tlv2:designation lv2:control ;\n"
            "\t\tlv2:portProperty lv2:connectionOptional ;\n"
            "\t\tlv2:index %u ;\n\t\tlv2:symbol \"control\" ;\n\t\tlv2:name \"Control\" ;\n\t], "
            "[\n\t\ta atom:AtomPort, lv2:OutputPort ;\n\t\tatom:bufferType atom:Sequence ;\n"
            "\t\tatom:supports patch:Message ;\n\t\tlv2:designation lv2:control ;\n"
            "\t\tlv2:portProperty lv2:connectionOptional ;\n"
            "\t\tlv2:index %u ;\n\t\tlv2:symbol \"notify\" ;\n\t\tlv2:name \"Notify\" ;\n\t] .\n\n",
            hpa_lv2_extra_port(ch, HPA_LV2_ATOM_CONTROL), hpa_lv2_extra_port(ch, HPA_LV2_ATOM_NOTIFY));
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "hpamp-lv2-ttl: %s: cannot create\n", path);
    return f;
}

static int close_out(FILE *f, const char *name)
{
    if (ferror(f) | fclose(f)) {
        fprintf(stderr, "hpamp-lv2-ttl: %s: write error\n", name);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: hpamp-lv2-ttl OUTDIR BINARY\n");
        return 2;
    }
    const char *dir = argv[1], *binary = argv[2];
    FILE *f = open_out(dir, "manifest.ttl");
    if (!f)
        return 1;
    fputs("@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n"
          "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n",
          f);
    const char *uris[2] = {HPA_LV2_STEREO_URI, HPA_LV2_MONO_URI};
    for (int i = 0; i < 2; i++)
        fprintf(f, "<%s>\n\ta lv2:Plugin ;\n\tlv2:binary <%s> ;\n\trdfs:seeAlso <hpamp.ttl>, <presets.ttl> .\n\n",
                uris[i], binary);
    if (close_out(f, "manifest.ttl"))
        return 1;

    f = open_out(dir, "hpamp.ttl");
    if (!f)
        return 1;
    fputs(prefixes, f);
    fputs("<" HPA_LV2_EQ_FILE_URI ">\n\ta lv2:Parameter ;\n\trdfs:label \"EQ file\" ;\n"
          "\trdfs:comment \"An AutoEq ParametricEQ.txt or GraphicEQ.txt, or Equalizer APO text.\" ;\n"
          "\trdfs:range atom:Path .\n\n"
          "<" HPA_LV2_EQ_TEXT_URI ">\n\ta lv2:Parameter ;\n\trdfs:label \"EQ text\" ;\n"
          "\trdfs:comment \"A preset's EQ as Equalizer APO text (state only, when no EQ file is set).\" ;\n"
          "\trdfs:range atom:String .\n\n",
          f);
    plugin(f, HPA_LV2_STEREO_URI, "hpamp", 2);
    plugin(f, HPA_LV2_MONO_URI, "hpamp (mono)", 1);
    return close_out(f, "hpamp.ttl");
}
