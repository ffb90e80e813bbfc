/* notmpfile.c — LD_PRELOAD shim for tests/cli/kill9.sh: a filesystem
 * without O_TMPFILE (as vfat or some network filesystems are).  open() and
 * openat() with O_TMPFILE fail with EOPNOTSUPP, as the kernel answers there;
 * every other open is passed on. */
#undef _FILE_OFFSET_BITS /* define open64 and openat64 under their own names */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>

typedef int (*open_fn)(const char *, int, ...);
typedef int (*openat_fn)(int, const char *, int, ...);

static void *next(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    if (!f)
        abort();
    return f;
}

static int refused(int flags)
{
    if ((flags & O_TMPFILE) != O_TMPFILE)
        return 0;
    errno = EOPNOTSUPP;
    return 1;
}

/* the mode argument is there only when O_CREAT or O_TMPFILE is */
#define MODE_ARG(flags, mode)                                                                                          \
    do {                                                                                                               \
        if ((flags) & (O_CREAT | O_TMPFILE)) {                                                                         \
            va_list ap;                                                                                                \
            va_start(ap, flags);                                                                                       \
            (mode) = (mode_t)va_arg(ap, int);                                                                          \
            va_end(ap);                                                                                                \
        }                                                                                                              \
    } while (0)

int open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    MODE_ARG(flags, mode);
    return refused(flags) ? -1 : ((open_fn)next("open"))(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    mode_t mode = 0;
    MODE_ARG(flags, mode);
    return refused(flags) ? -1 : ((open_fn)next("open64"))(path, flags, mode);
}

int openat(int dir, const char *path, int flags, ...)
{
    mode_t mode = 0;
    MODE_ARG(flags, mode);
    return refused(flags) ? -1 : ((openat_fn)next("openat"))(dir, path, flags, mode);
}

int openat64(int dir, const char *path, int flags, ...)
{
    mode_t mode = 0;
    MODE_ARG(flags, mode);
    return refused(flags) ? -1 : ((openat_fn)next("openat64"))(dir, path, flags, mode);
}
