/* eqfile.h — an EQ file (AutoEq / Equalizer APO text) read from disk; what
 * it holds is libhpamp's hpa_eq_profile_load (<hpamp/eq.h>). */
#ifndef HPAMP_HOST_EQFILE_H
#define HPAMP_HOST_EQFILE_H

#include <stddef.h>

#include <hpamp/eq.h>
#include <hpamp/eq_auto.h>

/* Largest EQ file read (bytes); a larger one is refused. */
#define HPH_EQ_FILE_MAX (16u << 20)

/* Read the EQ file at path into *text (malloc'd, *len bytes).  0; or -1
 * with why ("PATH: reason", or "out of memory"). */
int hph_eq_read_file(const char *path, char **text, size_t *len, char *why, size_t why_len);

/* Largest frequency-response file read (a measurement or a target), bytes. */
#define HPH_CURVE_FILE_MAX (16u << 20)

/* A frequency response as points: the built-in target builtin_name when it
 * is one (hpa_eq_target_builtin), else the two-column or AutoEq CSV file at
 * path (a regular file).  0 with *pts (malloc'd) and *n; or -1 with why
 * ("PATH:LINE: reason" where the fault has a line). */
int hph_eq_curve_read(const char *path, const char *builtin_name, hpa_eq_point **pts, size_t *n, char *why,
                      size_t why_len);

#endif
