/* file.c — a whole file read into memory (file.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hpamp/host/file.h>

int hph_file_read(const char *path, size_t max, unsigned flags, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | ((flags & HPH_FILE_REGULAR) ? O_NONBLOCK : 0));
    if (fd < 0)
        return -1;
    struct stat st;
    char *buf = NULL;
    int e = 0;
    size_t cap = 0, n = 0;
    if (fstat(fd, &st)) {
        e = errno;
    } else if (S_ISDIR(st.st_mode)) {
        e = EISDIR;
    } else if ((flags & HPH_FILE_REGULAR) && !S_ISREG(st.st_mode)) {
        e = EINVAL;
    } else if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > (uintmax_t)max) {
        e = EFBIG;
    } else {
        /* a regular file's size plus one byte, to see it did not grow; else grow as it comes */
        cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : (max < 65535 ? max + 1 : 65536);
        if (!(buf = malloc(cap + 1)))
            e = ENOMEM;
    }
    while (!e) {
        if (n == cap) {
            if (S_ISREG(st.st_mode) || cap > max) { /* it grew while read, or it is too long */
                e = EFBIG;
                break;
            }
            size_t want = cap > max / 2 ? max + 1 : 2 * cap;
            char *t = realloc(buf, want + 1);
            if (!t) {
                e = ENOMEM;
                break;
            }
            buf = t;
            cap = want;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            e = errno;
            break;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > max)
            e = EFBIG;
    }
    close(fd);
    if (e) {
        free(buf);
        errno = e;
        return -1;
    }
    buf[n] = 0;
    *text = buf;
    *len = n;
    return 0;
}
