/* file.h — a whole (small) file read into memory: the one reader behind EQ
 * files, presets, measurements, targets and the user's gear files. */
#ifndef HPAMP_HOST_FILE_H
#define HPAMP_HOST_FILE_H

#include <stddef.h>

enum {
    HPH_FILE_ANY = 0,    /* whatever reads to an end: a regular file, a pipe, a FIFO */
    HPH_FILE_REGULAR = 1 /* only a regular file: no FIFO that may never end, no device */
};

/* Read the file at path, whole, into *text (malloc'd, NUL-terminated, *len
 * bytes before the NUL).  0; or -1 with errno: open's error (ENOENT, EACCES,
 * ...), EISDIR for a folder, EINVAL for what is not a regular file under
 * HPH_FILE_REGULAR, EFBIG for more than max bytes (or a file that grew past
 * its size while read), ENOMEM, or read's error. */
int hph_file_read(const char *path, size_t max, unsigned flags, char **text, size_t *len);

#endif
