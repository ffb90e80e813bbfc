/* ports.h — the port layout of hpamp.lv2, shared by the plugin (plugin.c)
 * and the .ttl generator (ttlgen.c), so the two can never disagree.
 *
 *   audio inputs    0 .. ch-1
 *   audio outputs   ch .. 2ch-1
 *   controls        2ch + id, one per entry of the hpa_param_info table
 *   outputs         latency, peak, limiter gain reduction, clip count
 *   atom ports      control (patch:Set of the EQ file), notify
 *
 * Both plugins (stereo, mono) have the same ports but for the audio ones. */
#ifndef HPA_LV2_PORTS_H
#define HPA_LV2_PORTS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <hpamp/params.h>

#define HPA_LV2_URI "urn:hpamp:lv2"
#define HPA_LV2_STEREO_URI HPA_LV2_URI ":stereo"
#define HPA_LV2_MONO_URI HPA_LV2_URI ":mono"
#define HPA_LV2_EQ_FILE_URI HPA_LV2_URI "#eq_file" /* the patch:Parameter holding the EQ file's path */
#define HPA_LV2_EQ_TEXT_URI HPA_LV2_URI "#eq_text" /* state: an EQ as text (a preset's), when no file is set */
#define HPA_LV2_PRESET_URI HPA_LV2_URI ":preset:"  /* + a built-in preset's name */

/* the limiter's lookahead: the latency the plugin reports (as `hpamp render --limit`) */
#define HPA_LV2_LOOKAHEAD_MS 2.0

/* the output ports after the controls, in order */
enum {
    HPA_LV2_OUT_LATENCY = 0,
    HPA_LV2_OUT_PEAK,
    HPA_LV2_OUT_GAIN_REDUCTION,
    HPA_LV2_OUT_CLIPS,
    HPA_LV2_ATOM_CONTROL,
    HPA_LV2_ATOM_NOTIFY,
    HPA_LV2_EXTRA_COUNT
};

static inline uint32_t hpa_lv2_param_port(uint32_t channels, int id)
{
    return 2u * channels + (uint32_t)id;
}

static inline uint32_t hpa_lv2_extra_port(uint32_t channels, int which)
{
    return 2u * channels + (uint32_t)HPA_PARAM_COUNT + (uint32_t)which;
}

static inline uint32_t hpa_lv2_port_count(uint32_t channels)
{
    return hpa_lv2_extra_port(channels, HPA_LV2_EXTRA_COUNT);
}

/* v as a decimal that reads back as exactly v, never an integer literal
 * (Turtle would type it xsd:integer) nor an exponent: -120.0, 4.5, 0.001 */
static inline void hpa_lv2_decimal(FILE *f, double v)
{
    char buf[400];
    int prec = 1;
    for (; prec < 340; prec++) {
        snprintf(buf, sizeof buf, "%.*f", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, f);
}

#endif
