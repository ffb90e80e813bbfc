/* enospc.c — LD_PRELOAD shim for tests/cli/enospc.sh: a disk that fills up.
 *
 * write(), pwrite(), pwrite64(), writev() and pwritev() on hpamp render's
 * output while it is written (a file without a name, "DIR/#INODE (deleted)"
 * in /proc, or a temporary whose path contains ".hpamp-") behave as on a full
 * disk once the file would grow past HPA_ENOSPC_AFTER bytes: the write that
 * crosses the limit is short (up to the limit), the next one fails with
 * ENOSPC.  Rewriting bytes below the limit (a header update) still works,
 * as on a real full disk.  Every other fd is untouched.
 *
 * HPA_ENOSPC_LOG, if set, names a file that gets one line per refused write
 * (so the test can tell that the shim really was in the path). */
#undef _FILE_OFFSET_BITS /* define pwrite and pwrite64 under their own names */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*pwrite64_fn)(int, const void *, size_t, off64_t);
typedef ssize_t (*writev_fn)(int, const struct iovec *, int);
typedef ssize_t (*pwritev_fn)(int, const struct iovec *, int, off_t);

static long long limit_bytes(void)
{
    const char *s = getenv("HPA_ENOSPC_AFTER");
    if (!s || !*s)
        return -1;
    char *end;
    long long n = strtoll(s, &end, 10);
    if (*end != '\0' || n < 0) { /* a typo must not run the test without the fault */
        fprintf(stderr, "enospc: bad HPA_ENOSPC_AFTER '%s'\n", s);
        abort();
    }
    return n;
}

static void *next(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    if (!f)
        abort();
    return f;
}

/* 1 if fd is hpamp's output being written: an O_TMPFILE file or a temporary */
static int watched(int fd)
{
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0)
        return 0;
    path[n] = 0;
    static const char deleted[] = " (deleted)";
    const char *last = strrchr(path, '/');
    const size_t len = (size_t)n, dl = sizeof deleted - 1;
    if (last && last[1] == '#' && len > dl && strcmp(path + len - dl, deleted) == 0)
        return 1;
    return strstr(path, ".hpamp-") != NULL;
}

static void note(int fd, long long off, size_t count)
{
    const char *log = getenv("HPA_ENOSPC_LOG");
    if (!log || !*log)
        return;
    int lfd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (lfd < 0)
        return;
    char line[128];
    int len = snprintf(line, sizeof line, "ENOSPC fd %d offset %lld count %zu\n", fd, off, count);
    if (len > 0) {
        ssize_t w = ((write_fn)next("write"))(lfd, line, (size_t)len);
        (void)w;
    }
    close(lfd);
}

/* How many of count bytes at offset off may be written: count, fewer (a
 * short write up to the limit), or -1 with errno = ENOSPC. */
static ssize_t allowed(int fd, long long off, size_t count)
{
    long long lim = limit_bytes();
    if (lim < 0 || count == 0 || !watched(fd))
        return (ssize_t)count;
    if (off < 0) /* unseekable: leave it alone */
        return (ssize_t)count;
    if (off + (long long)count <= lim)
        return (ssize_t)count;
    if (off < lim)
        return (ssize_t)(lim - off);
    note(fd, off, count);
    errno = ENOSPC;
    return -1;
}

static long long cur_offset(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0 && (fl & O_APPEND)) {
        struct stat st;
        return fstat(fd, &st) == 0 ? (long long)st.st_size : -1;
    }
    return (long long)lseek(fd, 0, SEEK_CUR);
}

ssize_t write(int fd, const void *buf, size_t count)
{
    static write_fn real;
    if (!real)
        real = (write_fn)next("write");
    ssize_t n = allowed(fd, cur_offset(fd), count);
    return n < 0 ? -1 : real(fd, buf, (size_t)n);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)
{
    static pwrite_fn real;
    if (!real)
        real = (pwrite_fn)next("pwrite");
    ssize_t n = allowed(fd, (long long)offset, count);
    return n < 0 ? -1 : real(fd, buf, (size_t)n, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t offset)
{
    static pwrite64_fn real;
    if (!real)
        real = (pwrite64_fn)next("pwrite64");
    ssize_t n = allowed(fd, (long long)offset, count);
    return n < 0 ? -1 : real(fd, buf, (size_t)n, offset);
}

static size_t iov_total(const struct iovec *iov, int cnt)
{
    size_t t = 0;
    for (int i = 0; i < cnt; i++)
        t += iov[i].iov_len;
    return t;
}

/* Vectored writes: refuse outright when they would cross the limit (a
 * short vectored write is legal too, but this keeps the shim simple). */
ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
    static writev_fn real;
    if (!real)
        real = (writev_fn)next("writev");
    size_t total = iov_total(iov, iovcnt);
    ssize_t n = allowed(fd, cur_offset(fd), total);
    if (n >= 0 && (size_t)n < total) {
        note(fd, cur_offset(fd), total);
        errno = ENOSPC;
        return -1;
    }
    return n < 0 ? -1 : real(fd, iov, iovcnt);
}

ssize_t pwritev(int fd, const struct iovec *iov, int iovcnt, off_t offset)
{
    static pwritev_fn real;
    if (!real)
        real = (pwritev_fn)next("pwritev");
    size_t total = iov_total(iov, iovcnt);
    ssize_t n = allowed(fd, (long long)offset, total);
    if (n >= 0 && (size_t)n < total) {
        note(fd, (long long)offset, total);
        errno = ENOSPC;
        return -1;
    }
    return n < 0 ? -1 : real(fd, iov, iovcnt, offset);
}
