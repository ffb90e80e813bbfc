/* dose.c — the sound-dose journal (see <hpamp/host/dose.h>); the
 * arithmetic is libhpamp's (<hpamp/dose.h>). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hpamp/host/dose.h>

#define LINE_MAX_BYTES 160
#define READ_MAX_BYTES (64 << 20) /* see dose.h: the newest 64 MiB of a journal are read */
#define TEMP_STALE_S 3600.0       /* a temporary of ours this old is left over from a crash */

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double hph_dose_now(void)
{
    static double base = -1.0, mono0 = 0.0;
    if (base < 0.0) {
        const char *e = getenv("HPAMP_NOW");
        char *end = NULL;
        double v = e && *e ? strtod(e, &end) : NAN;
        if (e && *e && end != e && isfinite(v) && v >= 0.0) {
            base = v;
        } else {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            base = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
        }
        mono0 = mono_s();
    }
    return base + (mono_s() - mono0);
}

int hph_dose_path(char *buf, size_t len)
{
    const char *x = getenv("XDG_STATE_HOME");
    int n;
    if (x && x[0] == '/') {
        n = snprintf(buf, len, "%s/hpamp/dose.log", x);
    } else {
        const char *h = getenv("HOME");
        if (!h || !*h)
            return -1;
        n = snprintf(buf, len, "%s/.local/state/hpamp/dose.log", h);
    }
    return n > 0 && (size_t)n < len ? 0 : -1;
}

/* FNV-1a, 32 bits */
static uint32_t fnv(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

/* the line with its checksum and newline; its length, 0 when too long */
static size_t seal(char *line, size_t cap, const char *body)
{
    size_t n = strlen(body);
    int m = snprintf(line, cap, "%s %08x\n", body, (unsigned)fnv(body, n));
    return m > 0 && (size_t)m < cap ? (size_t)m : 0;
}

typedef struct rec {
    char kind; /* 'E' or 'A' */
    int64_t t;
    double s; /* seconds (E) or listened since (A) */
    double e; /* Pa²s (E) */
} rec;

/* one line without its newline: 0 and *r when whole, its checksum holds and
 * its fields are in range (dose.h) */
static int unseal(const char *line, size_t n, rec *r)
{
    if (n < 12 || n >= LINE_MAX_BYTES || memchr(line, 0, n))
        return -1;
    const char *sp = line + n - 9;
    if (*sp != ' ')
        return -1;
    char hex[9];
    memcpy(hex, sp + 1, 8);
    hex[8] = 0;
    char *end;
    unsigned long crc = strtoul(hex, &end, 16);
    if (*end || crc != fnv(line, (size_t)(sp - line)))
        return -1;
    char body[LINE_MAX_BYTES];
    memcpy(body, line, (size_t)(sp - line));
    body[sp - line] = 0;
    /* "E t s e" or "A t s": whole numbers with strtoll/strtod (an overflow is
     * ERANGE, not undefined); a checksum proves the line whole, not
     * sensible: a field out of range makes it a damaged line too */
    const char kind = body[0];
    if ((kind != 'E' && kind != 'A') || body[1] != ' ')
        return -1;
    errno = 0;
    long long t = strtoll(body + 2, &end, 10);
    if (end == body + 2 || *end != ' ' || errno || t < 0 || t > HPH_DOSE_T_MAX)
        return -1;
    const char *p = end + 1;
    double a = strtod(p, &end), b = 0.0;
    if (end == p)
        return -1;
    if (kind == 'E') {
        if (*end != ' ')
            return -1;
        p = end + 1;
        b = strtod(p, &end);
        if (end == p || *end || !(a >= 0.0 && a <= HPH_DOSE_RECORD_S_MAX && b >= 0.0 && b <= a * HPH_DOSE_PA2_MAX))
            return -1;
    } else if (*end || !(a >= 0.0 && a <= HPH_DOSE_LISTENED_S_MAX)) {
        return -1;
    }
    *r = (rec){kind, (int64_t)t, a, b};
    return 0;
}

static int64_t day_start(double now, int back)
{
    time_t t = (time_t)floor(now);
    struct tm tm;
    localtime_r(&t, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_mday -= back;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

static void account(hph_dose *d, const rec *r, double now)
{
    if (r->kind == 'A') {
        d->ack_t = r->t;
        d->ack_listened_s = r->s;
        return;
    }
    if (d->ack_t && r->t >= d->ack_t)
        d->ack_listened_s += r->s;
    if ((double)r->t < now - HPA_DOSE_WINDOW_S)
        return;
    d->pa2h += r->e / 3600.0;
    d->listened_s += r->s;
    for (int k = 0; k < HPA_DOSE_DAYS; k++)
        if (r->t >= d->days[k].day_start) {
            d->days[k].listened_s += r->s;
            d->days[k].pa2h += r->e / 3600.0;
            break;
        }
}

static int cmp_rec(const void *x, const void *y)
{
    const rec *a = x, *b = y;
    return a->t < b->t ? -1 : a->t > b->t;
}

static int mkdirs(const char *path)
{
    char p[1024];
    snprintf(p, sizeof p, "%s", path);
    char *slash = strrchr(p, '/');
    if (!slash)
        return 0;
    *slash = 0;
    for (char *q = p + 1; *q; q++) {
        if (*q == '/') {
            *q = 0;
            if (mkdir(p, 0700) && errno != EEXIST)
                return -1;
            *q = '/';
        }
    }
    return mkdir(p, 0700) && errno != EEXIST ? -1 : 0;
}

static int write_all(int fd, const char *b, size_t n)
{
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

/* the folder of the journal into dir; the journal's name */
static const char *split_path(const char *path, char *dir, size_t len)
{
    snprintf(dir, len, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return path;
    *slash = 0;
    return path + (slash - dir) + 1;
}

/* temporaries of ours (NAME.tmp, NAME.tmp.XXXXXX) that are regular files
 * and older than TEMP_STALE_S: left by a writer killed while compacting */
static void remove_stale_temps(const char *path)
{
    char dir[1024], prefix[300];
    const char *name = split_path(path, dir, sizeof dir);
    int n = snprintf(prefix, sizeof prefix, "%s.tmp", name);
    if (n <= 0 || (size_t)n >= sizeof prefix)
        return;
    DIR *d = opendir(dir);
    if (!d)
        return;
    double now = (double)time(NULL); /* file times are the real clock's */
    struct dirent *e;
    while ((e = readdir(d))) {
        struct stat st;
        if (strncmp(e->d_name, prefix, (size_t)n) != 0 || (e->d_name[n] && e->d_name[n] != '.'))
            continue;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
            (double)st.st_mtime < now - TEMP_STALE_S)
            unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}

/* the window's records in whole minutes, and the acknowledgement, into a
 * temporary file of a name no one else has (whatever a crash left behind);
 * fsync; rename over the journal; fsync the folder.  0, or -1 with why. */
static int compact(hph_dose *d, rec *recs, size_t n, double now, char *why, size_t why_len)
{
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", d->path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, why_len, "%s: cannot make a temporary file beside it: %s", d->path, strerror(errno));
        return -1;
    }
    if (n)
        qsort(recs, n, sizeof *recs, cmp_rec);
    int err = 0;
    char body[LINE_MAX_BYTES], line[LINE_MAX_BYTES];
    for (size_t i = 0; i < n && !err;) {
        int64_t minute = recs[i].t - recs[i].t % 60; /* t >= 0 (unseal) */
        double s = 0.0, e = 0.0;
        size_t j = i;
        for (; j < n && recs[j].t - minute < 60; j++) {
            s += recs[j].s;
            e += recs[j].e;
        }
        /* the acknowledgement's own minute keeps exact times (listening counted from it) */
        int64_t t = d->ack_t >= minute && d->ack_t < minute + 60 ? recs[i].t : minute;
        if ((double)minute + 60.0 >= now - HPA_DOSE_WINDOW_S) {
            snprintf(body, sizeof body, "E %lld %.3f %.9g", (long long)t, s, e);
            size_t m = seal(line, sizeof line, body);
            err = !m ? EOVERFLOW : write_all(fd, line, m) ? errno : 0;
        }
        i = j;
    }
    if (!err && d->ack_t) {
        snprintf(body, sizeof body, "A %lld %.3f", (long long)d->ack_t, d->ack_listened_s);
        size_t m = seal(line, sizeof line, body);
        err = !m ? EOVERFLOW : write_all(fd, line, m) ? errno : 0;
    }
    if (!err && fsync(fd))
        err = errno;
    close(fd);
    if (!err && rename(tmp, d->path))
        err = errno;
    if (err) {
        unlink(tmp);
        snprintf(why, why_len, "%s: cannot rewrite it (through %s): %s", d->path, tmp, strerror(err));
        return -1;
    }
    char dir[1024];
    split_path(d->path, dir, sizeof dir);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    remove_stale_temps(d->path);
    return 0;
}

typedef struct reader {
    hph_dose *d;
    double now;
    int keep; /* keep the E records (for compaction) */
    rec *recs;
    size_t n, cap;
} reader;

/* one line of the journal (without its newline); -1 when out of memory */
static int take_line(reader *rd, const char *line, size_t len)
{
    rec r;
    if (unseal(line, len, &r)) {
        rd->d->bad++;
        return 0;
    }
    rd->d->records++;
    account(rd->d, &r, rd->now);
    if (r.kind != 'E' || !rd->keep)
        return 0;
    if (rd->n == rd->cap) {
        size_t nc = rd->cap ? 2 * rd->cap : 1024;
        rec *nr = realloc(rd->recs, nc * sizeof *nr);
        if (!nr)
            return -1;
        rd->recs = nr;
        rd->cap = nc;
    }
    rd->recs[rd->n++] = r;
    return 0;
}

/* the journal's lines from fd, at most READ_MAX_BYTES of its end (the
 * first, cut line left out); a line longer than a record is one damaged
 * line; a last line without its newline (torn) too.  0, or -1 with why */
static int read_lines(reader *rd, int fd, off_t size, char *why, size_t why_len)
{
    static char buf[1 << 16];
    size_t have = 0, total = 0;
    int skipping = 0; /* inside a line not to be read */
    if (size > (off_t)READ_MAX_BYTES) {
        /* from the byte before the newest 64 MiB: what comes before its
         * first newline is the end of a line that was cut */
        rd->d->skipped_bytes = (long long)(size - READ_MAX_BYTES);
        if (lseek(fd, size - READ_MAX_BYTES - 1, SEEK_SET) < 0) {
            snprintf(why, why_len, "%s: %s", rd->d->path, strerror(errno));
            return -1;
        }
        skipping = 2; /* 2: not counted as damaged */
    }
    for (;;) {
        size_t want = sizeof buf - have;
        if (want > READ_MAX_BYTES + 1 - total)
            want = READ_MAX_BYTES + 1 - total;
        ssize_t got = want ? read(fd, buf + have, want) : 0;
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            snprintf(why, why_len, "%s: %s", rd->d->path, strerror(errno));
            return -1;
        }
        total += (size_t)got;
        have += (size_t)got;
        size_t at = 0;
        const char *nl;
        while ((nl = memchr(buf + at, '\n', have - at))) {
            size_t len = (size_t)(nl - (buf + at));
            if (!skipping && take_line(rd, buf + at, len)) {
                snprintf(why, why_len, "out of memory");
                return -1;
            }
            skipping = 0;
            at += len + 1;
        }
        memmove(buf, buf + at, have - at);
        have -= at;
        if (have >= LINE_MAX_BYTES) { /* no record is this long (nor the cut one) */
            if (skipping != 1)
                rd->d->bad++;
            skipping = 1;
            have = 0;
        }
        if (got == 0) /* the end, or as much as is read */
            break;
    }
    if (have && !skipping)
        rd->d->bad++; /* torn: the last line without its newline */
    return 0;
}

static const char *file_kind(mode_t m)
{
    return S_ISDIR(m)    ? "a folder"
           : S_ISLNK(m)  ? "a symbolic link"
           : S_ISCHR(m)  ? "a character device"
           : S_ISBLK(m)  ? "a block device"
           : S_ISFIFO(m) ? "a FIFO"
           : S_ISSOCK(m) ? "a socket"
                         : "not a file";
}

int hph_dose_open(hph_dose *d, int mode, double now, int write, char *why, size_t why_len)
{
    memset(d, 0, sizeof *d);
    d->fd = -1;
    d->mode = mode == 2 ? 2 : 1;
    for (int k = 0; k < HPA_DOSE_DAYS; k++)
        d->days[k].day_start = day_start(now, k);
    if (hph_dose_path(d->path, sizeof d->path)) {
        snprintf(why, why_len, "no place for the dose journal (set HOME or XDG_STATE_HOME)");
        return -1;
    }
    /* O_NONBLOCK: a FIFO must not hang the open; only a regular file is read */
    reader rd = {d, now, write, NULL, 0, 0};
    int fd = open(d->path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0 && errno != ENOENT) {
        snprintf(why, why_len, "%s: %s", d->path, strerror(errno));
        return -1;
    }
    if (fd >= 0) {
        struct stat st;
        int err = fstat(fd, &st) ? -1 : 0;
        if (err)
            snprintf(why, why_len, "%s: %s", d->path, strerror(errno));
        else if (!S_ISREG(st.st_mode)) {
            snprintf(why, why_len, "%s: is %s, not a regular file: move it away", d->path, file_kind(st.st_mode));
            err = -1;
        } else {
            err = read_lines(&rd, fd, st.st_size, why, why_len);
        }
        close(fd);
        if (err) {
            free(rd.recs);
            return -1;
        }
    }
    rec *recs = rd.recs;
    size_t n = rd.n;
    if (!write) {
        free(recs);
        return 0;
    }
    if (mkdirs(d->path)) {
        free(recs);
        snprintf(why, why_len, "%s: cannot make its folder: %s", d->path, strerror(errno));
        return -1;
    }
    int cerr = compact(d, recs, n, now, why, why_len);
    free(recs);
    if (cerr)
        return -1;
    d->fd = open(d->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (d->fd < 0) {
        snprintf(why, why_len, "%s: %s", d->path, strerror(errno));
        return -1;
    }
    return 0;
}

static int append(hph_dose *d, const char *body)
{
    char line[LINE_MAX_BYTES];
    size_t m = seal(line, sizeof line, body);
    if (d->fd < 0 || !m)
        return -1;
    /* one write of a whole line: a kill -9 leaves it whole or absent; a torn
     * one (power loss) fails its checksum and is skipped */
    if (write(d->fd, line, m) != (ssize_t)m)
        return -1;
    return fdatasync(d->fd) ? -1 : 0;
}

int hph_dose_add(hph_dose *d, double t, double seconds, double spl_a_db)
{
    if (!(seconds > 0.0) || !isfinite(t))
        return -1;
    double e = isfinite(spl_a_db) ? hpa_dose_pa2(spl_a_db) * seconds : 0.0;
    char body[LINE_MAX_BYTES];
    snprintf(body, sizeof body, "E %lld %.3f %.9g", (long long)floor(t), seconds, e);
    rec r = {'E', (int64_t)floor(t), seconds, e};
    account(d, &r, t);
    return append(d, body);
}

int hph_dose_ack(hph_dose *d, double t)
{
    d->ack_t = (int64_t)floor(t);
    d->ack_listened_s = 0.0;
    char body[LINE_MAX_BYTES];
    snprintf(body, sizeof body, "A %lld 0", (long long)d->ack_t);
    return append(d, body);
}

int hph_dose_ack_valid(const hph_dose *d)
{
    return d->ack_t != 0 && hpa_dose_ack_holds(d->ack_listened_s);
}

double hph_dose_percent(const hph_dose *d)
{
    return hpa_dose_percent_of(d->pa2h, d->mode);
}

void hph_dose_close(hph_dose *d)
{
    if (d->fd >= 0)
        close(d->fd);
    d->fd = -1;
}
