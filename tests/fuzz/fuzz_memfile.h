/* fuzz_memfile.h — an input as a file with a path, kept in memory: the
 * readers under test (libsndfile, libFLAC, libvorbisfile, hpamp's own) take
 * a path, as the command gives them.  One memfd, rewritten for each input;
 * its path is /proc/self/fd/N. */
#ifndef HPA_FUZZ_MEMFILE_H
#define HPA_FUZZ_MEMFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"

/* the input's bytes as a file; returns its path (static storage) */
static inline const char *fuzz_memfile(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("hpamp-fuzz", MFD_CLOEXEC);
        FUZZ_CHECK(fd >= 0);
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    FUZZ_CHECK(ftruncate(fd, 0) == 0);
    for (size_t done = 0; done < size;) {
        ssize_t w = pwrite(fd, data + done, size - done, (off_t)done);
        FUZZ_CHECK(w > 0);
        done += (size_t)w;
    }
    return path;
}

#endif
