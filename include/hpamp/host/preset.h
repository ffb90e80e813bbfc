/* preset.h — presets by name: the user's INI files in
 * $XDG_CONFIG_HOME/hpamp/presets/NAME.ini (~/.config when unset or
 * relative), then the built-ins (<hpamp/settings.h>); a user file of a
 * built-in's name replaces it. */
#ifndef HPAMP_HOST_PRESET_H
#define HPAMP_HOST_PRESET_H

#include <stddef.h>

#include <hpamp/settings.h>

/* The user's preset folder into out ("" when there is no HOME either). */
void hph_preset_user_dir(char *out, size_t len);

/* Find NAME and parse it into s.  0 with origin the file's path or
 * "built-in"; or -1 with why a one-line reason that names the file and line
 * ("PATH:LINE: reason") where there is one. */
int hph_preset_load(const char *name, hpa_settings *s, char *origin, size_t origin_len, char *why, size_t why_len);

/* 1 when NAME names a preset (a user file or a built-in), whether or not it
 * parses; 0 otherwise. */
int hph_preset_exists(const char *name);

/* The user's preset names (NAME of each NAME.ini, sorted), at most max of
 * them, each at most 103 bytes: how many there are. */
size_t hph_preset_list_user(char (*names)[104], size_t max);

/* The text of the preset at origin (a path, or "built-in" with name):
 * malloc'd, or NULL. */
char *hph_preset_text(const char *name, const char *origin);

/* Write the user preset NAME (NAME.ini in the user's folder, made when
 * missing) whose EQ is the file eq_path (stored as an absolute path) and
 * whose title is title (line breaks and comment marks become spaces).  The
 * file appears whole or not at all.  0 with path_out its path; or -1 with why
 * a one-line reason. */
int hph_preset_save_eq(const char *name, const char *eq_path, const char *title, char *path_out, size_t path_len,
                       char *why, size_t why_len);

#endif
