/* outfile.c — an output file that has no name until it is complete (see
 * outfile.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hpamp/host/outfile.h>

#define TAG ".hpamp-"
#define HOST_MAX 32 /* the part of the host name kept in a temporary's name */

/* OUT's folder into dir ("." for a bare name); returns OUT's last part, or
 * NULL if the folder does not fit */
static const char *split_path(const char *path, char *dir, size_t len)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 1;
    if (n >= len)
        return NULL;
    if (!slash)
        memcpy(dir, ".", 2);
    else if (n == 0)
        memcpy(dir, "/", 2);
    else {
        memcpy(dir, path, n);
        dir[n] = 0;
    }
    return slash ? slash + 1 : path;
}

/* this host's name as it goes into a temporary's name */
static void host_tag(char *out, size_t len)
{
    char h[256] = "";
    if (gethostname(h, sizeof h - 1) != 0 || !h[0])
        snprintf(h, sizeof h, "host");
    h[sizeof h - 1] = 0;
    snprintf(out, len, "%.*s", HOST_MAX, h);
    for (char *p = out; *p; p++)
        if (*p == '/')
            *p = '_';
}

/* If name is a temporary ".NAME.hpamp-HOST.PID-XXXXXX" made on this host
 * by a process that no longer exists: 1.  A live process keeps its own. */
static int stale_temporary(const char *name, const char *host)
{
    const char *tag = NULL;
    for (const char *p = strstr(name, TAG); p; p = strstr(p + 1, TAG))
        tag = p;
    if (name[0] != '.' || !tag)
        return 0;
    const char *rest = tag + strlen(TAG);
    const char *dash = strrchr(rest, '-');
    if (!dash || strlen(dash + 1) != 6)
        return 0;
    const char *dot = NULL;
    for (const char *p = rest; p < dash; p++)
        if (*p == '.')
            dot = p;
    if (!dot || (size_t)(dot - rest) != strlen(host) || strncmp(rest, host, strlen(host)) != 0)
        return 0;
    long pid = 0;
    for (const char *p = dot + 1; p < dash; p++) {
        if (*p < '0' || *p > '9' || pid > 100000000L)
            return 0;
        pid = pid * 10 + (*p - '0');
    }
    if (pid <= 0 || pid == (long)getpid())
        return 0;
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* remove this host's temporaries of dead processes from dir (our own
 * regular files only); what cannot be removed is left alone */
static void remove_stale(const char *dir, const char *host)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    const struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        if (!stale_temporary(e->d_name, host) || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode) || st.st_uid != geteuid())
            continue;
        unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}

/* the temporary's name for OUT in o->tmp, its last 6 characters "XXXXXX" */
static int temp_template(hph_outfile *o)
{
    char dir[PATH_MAX], host[HOST_MAX + 1], tail[HOST_MAX + 48];
    const char *base = split_path(o->path, dir, sizeof dir);
    if (!base) {
        errno = ENAMETOOLONG;
        return -1;
    }
    host_tag(host, sizeof host);
    remove_stale(dir, host);
    int tl = snprintf(tail, sizeof tail, TAG "%s.%ld-XXXXXX", host, (long)getpid());
    /* ".NAME" + tail within NAME_MAX: NAME is cut if need be */
    int keep = NAME_MAX - 1 - tl;
    if ((size_t)snprintf(o->tmp, sizeof o->tmp, "%s/.%.*s%s", dir, keep, base, tail) >= sizeof o->tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

/* replace the template's last 6 characters with fresh random ones */
static void fill_random(char *name)
{
    static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    static unsigned long count;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long x = (unsigned long)ts.tv_nsec ^ ((unsigned long)ts.tv_sec << 20) ^ ((unsigned long)getpid() << 8) ^
                      (++count * 0x9e3779b97f4a7c15UL);
    char *p = name + strlen(name) - 6;
    for (int i = 0; i < 6; i++) {
        x ^= x >> 13;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 29;
        p[i] = set[x % (sizeof set - 1)];
    }
}

/* give the anonymous file fd the name `to`, by the means the probe found */
static int link_as(const hph_outfile *o, int fd, const char *to)
{
    if (o->link_via_proc) {
        char proc[64];
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
        return linkat(AT_FDCWD, proc, AT_FDCWD, to, AT_SYMLINK_FOLLOW);
    }
    return linkat(fd, "", AT_FDCWD, to, AT_EMPTY_PATH);
}

/* link the anonymous file fd under a fresh temporary name (in o->tmp) */
static int link_temporary(hph_outfile *o, int fd)
{
    for (int tries = 0; tries < 100; tries++) {
        fill_random(o->tmp);
        if (link_as(o, fd, o->tmp) == 0)
            return 0;
        if (errno != EEXIST)
            return -1;
    }
    return -1;
}

/* Can an anonymous file in dir be linked in at the end?  /proc may be
 * missing, and AT_EMPTY_PATH needs a capability.  An anonymous file can be
 * linked only once, so a second, empty one is tried now, under a temporary's
 * name that is taken away again at once.  Sets o->link_via_proc. */
static int linkable(hph_outfile *o, const char *dir)
{
    int probe = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (probe < 0)
        return 0;
    int ok = 0;
    for (int via_proc = 1; via_proc >= 0 && !ok; via_proc--) {
        o->link_via_proc = via_proc;
        ok = link_temporary(o, probe) == 0;
    }
    if (ok)
        unlink(o->tmp);
    close(probe);
    return ok;
}

int hph_outfile_create(hph_outfile *o, const char *path)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    o->path = path;
    if (temp_template(o))
        return -1;
    char dir[PATH_MAX];
    split_path(path, dir, sizeof dir);
    int fd = linkable(o, dir) ? open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0666) : -1;
    if (fd >= 0) {
        o->fd = fd;
        o->anonymous = 1;
        return 0;
    }
    /* no O_TMPFILE here: a hidden temporary, renamed over OUT at the end */
    fd = mkostemp(o->tmp, O_CLOEXEC);
    if (fd < 0)
        return -1;
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    o->fd = fd;
    return 0;
}

int hph_outfile_commit(hph_outfile *o)
{
    int e;
    if (o->anonymous) {
        if (link_as(o, o->fd, o->path) != 0) {
            /* OUT exists: link beside it and rename over it, which replaces
             * it in one step */
            if (errno != EEXIST || link_temporary(o, o->fd) != 0)
                goto fail;
            if (rename(o->tmp, o->path) != 0) {
                e = errno;
                unlink(o->tmp);
                errno = e;
                goto fail;
            }
        }
        o->tmp[0] = 0;
        e = close(o->fd) ? errno : 0;
        o->fd = -1;
        if (e) { /* a late write error: the file is not what was written */
            unlink(o->path);
            errno = e;
            return -1;
        }
        return 0;
    }
    e = close(o->fd) ? errno : 0;
    o->fd = -1;
    if (e) {
        errno = e;
        goto fail;
    }
    if (rename(o->tmp, o->path) != 0)
        goto fail;
    o->tmp[0] = 0;
    return 0;
fail:
    e = errno;
    hph_outfile_abort(o);
    errno = e;
    return -1;
}

void hph_outfile_abort(hph_outfile *o)
{
    if (o->fd >= 0)
        close(o->fd);
    o->fd = -1;
    if (!o->anonymous && o->tmp[0])
        unlink(o->tmp);
    o->tmp[0] = 0;
}
