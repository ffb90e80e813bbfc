/* rtcheck.c — an LD_PRELOAD interposer that proves the audio thread's
 * real-time sections never allocate, lock, sleep or do I/O.
 *
 * hpamp marks those sections through the weak symbol hph_rt_probe
 * (src/host/rtprobe.h): the render callback (chain, FIFO, meters) on every
 * backend, and PipeWire's whole process callback (dequeue, render, queue).
 * This library defines hph_rt_probe, keeps a per-thread depth, and counts
 * every call below made while the depth is above zero:
 *
 *   malloc calloc realloc free posix_memalign aligned_alloc memalign valloc
 *   pthread_mutex_lock pthread_mutex_timedlock pthread_rwlock_rdlock/wrlock
 *   pthread_cond_wait pthread_cond_timedwait pthread_cond_signal/broadcast
 *   sem_wait sem_timedwait sem_post  nanosleep clock_nanosleep usleep sleep
 *   poll ppoll select epoll_wait read write open fopen fwrite fputs fprintf
 *   printf vfprintf puts fflush
 *
 * At exit it writes one line to the file named by HPA_RTCHECK_OUT (or stderr):
 *   "rtcheck sections=N calls=M first=NAME"
 * The test asserts sections > 0 and calls == 0.  Allocator calls go to
 * glibc's __libc_* entry points; the rest to the next definition (dlsym
 * RTLD_NEXT), looked up before main so the lookup itself is never counted.
 * The allocator part is the suite's allocation spy (tests/common/allocspy.h). */
#include "allocspy.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

/* The allocator is the suite's allocation spy (tests/common/allocspy.c,
 * compiled into this library); a real-time section is one of its watched
 * sections, and the calls below count through it. */
void hph_rt_probe(int enter)
{
    if (enter)
        hpt_spy_begin("audio thread");
    else
        hpt_spy_end();
}

static inline void note(const char *what)
{
    hpt_spy_note(what);
}

/* ---- everything else: forwarded through RTLD_NEXT ---- */
#define NEXT(type, name, args) static type(*next_##name) args
NEXT(int, pthread_mutex_lock, (pthread_mutex_t *));
NEXT(int, pthread_mutex_timedlock, (pthread_mutex_t *, const struct timespec *));
NEXT(int, pthread_rwlock_rdlock, (pthread_rwlock_t *));
NEXT(int, pthread_rwlock_wrlock, (pthread_rwlock_t *));
NEXT(int, pthread_cond_wait, (pthread_cond_t *, pthread_mutex_t *));
NEXT(int, pthread_cond_timedwait, (pthread_cond_t *, pthread_mutex_t *, const struct timespec *));
NEXT(int, pthread_cond_signal, (pthread_cond_t *));
NEXT(int, pthread_cond_broadcast, (pthread_cond_t *));
NEXT(int, sem_wait, (sem_t *));
NEXT(int, sem_timedwait, (sem_t *, const struct timespec *));
NEXT(int, sem_post, (sem_t *));
NEXT(int, nanosleep, (const struct timespec *, struct timespec *));
NEXT(int, clock_nanosleep, (clockid_t, int, const struct timespec *, struct timespec *));
NEXT(int, usleep, (useconds_t));
NEXT(unsigned, sleep, (unsigned));
NEXT(int, poll, (struct pollfd *, nfds_t, int));
NEXT(int, ppoll, (struct pollfd *, nfds_t, const struct timespec *, const sigset_t *));
NEXT(int, select, (int, fd_set *, fd_set *, fd_set *, struct timeval *));
NEXT(int, epoll_wait, (int, struct epoll_event *, int, int));
NEXT(ssize_t, read, (int, void *, size_t));
NEXT(ssize_t, write, (int, const void *, size_t));
NEXT(int, open, (const char *, int, ...));
NEXT(FILE *, fopen, (const char *, const char *));
NEXT(size_t, fwrite, (const void *, size_t, size_t, FILE *));
NEXT(int, fputs, (const char *, FILE *));
NEXT(int, vfprintf, (FILE *, const char *, va_list));
NEXT(int, puts, (const char *));
NEXT(int, fflush, (FILE *));

#define LOOK(name) next_##name = dlsym(RTLD_NEXT, #name)
/* Each wrapper looks up its next definition itself when the constructor
 * has not yet: a library's constructor that runs before this one (the TLS
 * stack under libmicrohttpd locks and reads) calls through it. */

__attribute__((constructor)) static void rtcheck_init(void)
{
    LOOK(pthread_mutex_lock);
    LOOK(pthread_mutex_timedlock);
    LOOK(pthread_rwlock_rdlock);
    LOOK(pthread_rwlock_wrlock);
    LOOK(pthread_cond_wait);
    LOOK(pthread_cond_timedwait);
    LOOK(pthread_cond_signal);
    LOOK(pthread_cond_broadcast);
    LOOK(sem_wait);
    LOOK(sem_timedwait);
    LOOK(sem_post);
    LOOK(nanosleep);
    LOOK(clock_nanosleep);
    LOOK(usleep);
    LOOK(sleep);
    LOOK(poll);
    LOOK(ppoll);
    LOOK(select);
    LOOK(epoll_wait);
    LOOK(read);
    LOOK(write);
    LOOK(open);
    LOOK(fopen);
    LOOK(fwrite);
    LOOK(fputs);
    LOOK(vfprintf);
    LOOK(puts);
    LOOK(fflush);
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
    note("pthread_mutex_lock");
    if (!next_pthread_mutex_lock)
        LOOK(pthread_mutex_lock);
    return next_pthread_mutex_lock(m);
}
int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *t)
{
    note("pthread_mutex_timedlock");
    if (!next_pthread_mutex_timedlock)
        LOOK(pthread_mutex_timedlock);
    return next_pthread_mutex_timedlock(m, t);
}
int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
    note("pthread_rwlock_rdlock");
    if (!next_pthread_rwlock_rdlock)
        LOOK(pthread_rwlock_rdlock);
    return next_pthread_rwlock_rdlock(l);
}
int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
    note("pthread_rwlock_wrlock");
    if (!next_pthread_rwlock_wrlock)
        LOOK(pthread_rwlock_wrlock);
    return next_pthread_rwlock_wrlock(l);
}
int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    note("pthread_cond_wait");
    if (!next_pthread_cond_wait)
        LOOK(pthread_cond_wait);
    return next_pthread_cond_wait(c, m);
}
int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *t)
{
    note("pthread_cond_timedwait");
    if (!next_pthread_cond_timedwait)
        LOOK(pthread_cond_timedwait);
    return next_pthread_cond_timedwait(c, m, t);
}
int pthread_cond_signal(pthread_cond_t *c)
{
    note("pthread_cond_signal");
    if (!next_pthread_cond_signal)
        LOOK(pthread_cond_signal);
    return next_pthread_cond_signal(c);
}
int pthread_cond_broadcast(pthread_cond_t *c)
{
    note("pthread_cond_broadcast");
    if (!next_pthread_cond_broadcast)
        LOOK(pthread_cond_broadcast);
    return next_pthread_cond_broadcast(c);
}
int sem_wait(sem_t *s)
{
    note("sem_wait");
    if (!next_sem_wait)
        LOOK(sem_wait);
    return next_sem_wait(s);
}
int sem_timedwait(sem_t *s, const struct timespec *t)
{
    note("sem_timedwait");
    if (!next_sem_timedwait)
        LOOK(sem_timedwait);
    return next_sem_timedwait(s, t);
}
int sem_post(sem_t *s)
{
    note("sem_post");
    if (!next_sem_post)
        LOOK(sem_post);
    return next_sem_post(s);
}
int nanosleep(const struct timespec *a, struct timespec *b)
{
    note("nanosleep");
    if (!next_nanosleep)
        LOOK(nanosleep);
    return next_nanosleep(a, b);
}
int clock_nanosleep(clockid_t c, int f, const struct timespec *a, struct timespec *b)
{
    note("clock_nanosleep");
    if (!next_clock_nanosleep)
        LOOK(clock_nanosleep);
    return next_clock_nanosleep(c, f, a, b);
}
int usleep(useconds_t u)
{
    note("usleep");
    if (!next_usleep)
        LOOK(usleep);
    return next_usleep(u);
}
unsigned sleep(unsigned s)
{
    note("sleep");
    if (!next_sleep)
        LOOK(sleep);
    return next_sleep(s);
}
int poll(struct pollfd *f, nfds_t n, int t)
{
    note("poll");
    if (!next_poll)
        LOOK(poll);
    return next_poll(f, n, t);
}
int ppoll(struct pollfd *f, nfds_t n, const struct timespec *t, const sigset_t *s)
{
    note("ppoll");
    if (!next_ppoll)
        LOOK(ppoll);
    return next_ppoll(f, n, t, s);
}
int select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *t)
{
    note("select");
    if (!next_select)
        LOOK(select);
    return next_select(n, r, w, e, t);
}
int epoll_wait(int fd, struct epoll_event *e, int n, int t)
{
    note("epoll_wait");
    if (!next_epoll_wait)
        LOOK(epoll_wait);
    return next_epoll_wait(fd, e, n, t);
}
ssize_t read(int fd, void *b, size_t n)
{
    note("read");
    if (!next_read)
        LOOK(read);
    return next_read(fd, b, n);
}
ssize_t write(int fd, const void *b, size_t n)
{
    note("write");
    if (!next_write)
        LOOK(write);
    return next_write(fd, b, n);
}
int open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    note("open");
    if (!next_open)
        LOOK(open);
    return next_open(path, flags, mode);
}
FILE *fopen(const char *path, const char *mode)
{
    note("fopen");
    if (!next_fopen)
        LOOK(fopen);
    return next_fopen(path, mode);
}
size_t fwrite(const void *p, size_t a, size_t b, FILE *f)
{
    note("fwrite");
    if (!next_fwrite)
        LOOK(fwrite);
    return next_fwrite(p, a, b, f);
}
int fputs(const char *s, FILE *f)
{
    note("fputs");
    if (!next_fputs)
        LOOK(fputs);
    return next_fputs(s, f);
}
int vfprintf(FILE *f, const char *fmt, va_list ap)
{
    note("vfprintf");
    if (!next_vfprintf)
        LOOK(vfprintf);
    return next_vfprintf(f, fmt, ap);
}
int fprintf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    note("fprintf");
    if (!next_vfprintf)
        LOOK(vfprintf);
    int r = next_vfprintf(f, fmt, ap);
    va_end(ap);
    return r;
}
int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    note("printf");
    if (!next_vfprintf)
        LOOK(vfprintf);
    int r = next_vfprintf(stdout, fmt, ap);
    va_end(ap);
    return r;
}
int puts(const char *s)
{
    note("puts");
    if (!next_puts)
        LOOK(puts);
    return next_puts(s);
}
int fflush(FILE *f)
{
    note("fflush");
    if (!next_fflush)
        LOOK(fflush);
    return next_fflush(f);
}

__attribute__((destructor)) static void rtcheck_report(void)
{
    const char *path = getenv("HPA_RTCHECK_OUT");
    char line[256];
    const char *f = hpt_spy_first_function();
    int n = snprintf(line, sizeof line, "rtcheck sections=%lu calls=%lu first=%s\n", hpt_spy_sections(),
                     hpt_spy_calls(), f ? f : "-");
    if (!next_open)
        LOOK(open);
    int fd = path ? next_open(path, O_WRONLY | O_CREAT | O_APPEND, 0644) : 2;
    if (fd >= 0) {
        if (!next_write)
            LOOK(write);
        next_write(fd, line, (size_t)n);
        if (path)
            close(fd);
    }
}
