/* eqfile.h — an EQ file (AutoEq / Equalizer APO text) read from disk; what
 * it holds is libhpamp's hpa_eq_profile_load (<hpamp/eq.h>). */
#ifndef HPAMP_HOST_EQFILE_H
#define HPAMP_HOST_EQFILE_H

#include <stddef.h>

/* Largest EQ file read (bytes); a larger one is refused. */
#define HPH_EQ_FILE_MAX (16u << 20)

/* Read the EQ file at path into *text (malloc'd, *len bytes).  0; or -1
 * with why ("PATH: reason", or "out of memory"). */
int hph_eq_read_file(const char *path, char **text, size_t *len, char *why, size_t why_len);

#endif
