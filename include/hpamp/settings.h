/* settings.h — one set of listening settings: the EQ, crossfeed, limiter,
 * normalisation and volume cap a preset, the command's flags, an HTTP
 * request or a plugin's state describe.  Every number is checked against the
 * parameter table (params.h): no range is restated anywhere else.
 *
 * Preset text is INI (read by inih), the grammar in docs/chain.md
 * ("Presets"); the built-in presets live here too.  Finding a preset by name
 * among the user's files is the host library's (<hpamp/host/preset.h>). */
#ifndef HPAMP_SETTINGS_H
#define HPAMP_SETTINGS_H

#include <stddef.h>

#include <hpamp/hpamp.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HPA_SETTINGS_PATH_MAX 4096
#define HPA_SETTINGS_EQ_TEXT_MAX 65536

typedef struct hpa_settings {
    char title[200];                        /* [preset] title (a line holds at most 198 bytes) */
    char eq_file[HPA_SETTINGS_PATH_MAX];    /* [eq] file, resolved against the preset's folder; "" if none */
    char eq_text[HPA_SETTINGS_EQ_TEXT_MAX]; /* [eq] filter/preamp lines as Equalizer APO text */
    size_t eq_len;
    int has_crossfeed;          /* [crossfeed] preset = NAME, or fcut_hz + feed_db */
    const char *crossfeed_name; /* static, or NULL for numbers */
    double fcut_hz, feed_db;
    int has_limit; /* [limiter] ceiling_dbtp */
    double limit_dbtp;
    int has_normalize; /* [normalize] target_lufs */
    double normalize_lufs;
    int has_max_volume; /* [volume] max_db: the volume never goes above it */
    double max_volume_db;
} hpa_settings;

/* [non-RT] Parse preset text into s; dir is the folder relative [eq] file
 * paths start from (NULL: the current one).  Returns 0; the 1-based line of
 * the first error with its reason in why; or -1 for an error of the whole
 * text (why says). */
HPA_API int hpa_settings_parse(const char *text, const char *dir, hpa_settings *s, char *why, size_t why_len);

/* [any] The built-in presets: how many, the i-th's name and text (0, or -1
 * past the end), and the index of a name (-1 when there is none). */
HPA_API size_t hpa_settings_builtin_count(void);
HPA_API int hpa_settings_builtin(size_t i, const char **name, const char **text);
HPA_API int hpa_settings_builtin_find(const char *name);

#ifdef __cplusplus
}
#endif

#endif
