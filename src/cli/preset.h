/* preset.h — headphone presets for `hpamp render --preset` and `hpamp preset`.
 *
 * One INI file per headphone (read by inih), built in or in
 * $XDG_CONFIG_HOME/hpamp/presets/NAME.ini (~/.config when unset); a user file
 * of a built-in's name replaces it.  Grammar in docs/chain.md ("Presets"). */
#ifndef HPA_PRESET_H
#define HPA_PRESET_H

#include <stddef.h>

#define HPA_PRESET_PATH_MAX 4096
#define HPA_PRESET_EQ_TEXT_MAX 65536

typedef struct hpa_preset {
    char title[200];                      /* [preset] title (a line holds at most 198 bytes) */
    char eq_file[HPA_PRESET_PATH_MAX];    /* [eq] file, resolved against the preset's folder; "" if none */
    char eq_text[HPA_PRESET_EQ_TEXT_MAX]; /* [eq] filter/preamp lines as Equalizer APO text */
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
} hpa_preset;

/* Parse preset text; dir is the folder relative [eq] file paths start from
 * (NULL: the current one).  Returns 0; the 1-based line of the first error
 * with its reason in why; or -1 for an error of the whole text (why says). */
int hpa_preset_parse(const char *text, const char *dir, hpa_preset *p, char *why, size_t why_len);

/* Find NAME: the user's file first, then the built-ins.  On success returns
 * 0 and fills p (and origin with the file's path or "built-in"); otherwise
 * prints one error line (naming FILE:LINE for a bad file) and returns 1. */
int hpa_preset_load(const char *name, hpa_preset *p, char *origin, size_t origin_len);


#endif
