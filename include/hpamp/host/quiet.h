/* quiet.h — keep third-party libraries' stderr out of hpamp's output.
 *
 * libmpg123, which libsndfile decodes MP3 with, prints its own notes ("Note:
 * Illegal Audio-MPEG-Header ...") to fd 2, and nothing outside libsndfile
 * can switch that off.  Inside a quiet section fd 2 points at /dev/null.
 * Sections nest and may run on several threads at once (advise measures
 * files in parallel); fd 2 is the real stderr again when the last ends.
 * hpamp's own messages go through hph_stderr_write, which reaches the real
 * stderr even inside a section.  Sections do nothing until a command that
 * writes to stderr only through hph_stderr_write calls hph_quiet_enable. */
#ifndef HPAMP_HOST_QUIET_H
#define HPAMP_HOST_QUIET_H

#include <stddef.h>

void hph_quiet_enable(void);
void hph_quiet_begin(void);
void hph_quiet_end(void);

/* Write n bytes to the real stderr (one write where it can). */
void hph_stderr_write(const char *s, size_t n);

#endif
