/* scan.c — scan the listener's music: the integrated loudness of each
 * file with libebur128 (EBUR128_MODE_I) and its true peak with libhpamp's
 * meter (4x oversampled, BS.1770-4 Annex 2; meter.h says why not libebur128's
 * EBUR128_MODE_TRUE_PEAK), files shared out to a pool of pthreads, one per core.
 *
 * Each worker takes the next file from an atomic counter, so long and short
 * files balance themselves.  The calling thread only reports progress. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ebur128.h>

#include <hpamp/host/audiofile.h>
#include <hpamp/host/scan.h>
#include <hpamp/meter.h>
#include <stdarg.h>
#include <stdio.h>

#define READ_FRAMES 16384u
#define MAX_DEPTH 64

/* ------------------------------------------------------------------------ */
/* collecting files                                                         */

static int push(hph_scan *s, const char *path, long long size)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        hph_track *t = realloc(s->tracks, cap * sizeof *t);
        if (!t)
            return -1;
        s->tracks = t;
        s->cap = cap;
    }
    hph_track *t = &s->tracks[s->n];
    memset(t, 0, sizeof *t);
    t->path = strdup(path);
    if (!t->path)
        return -1;
    t->size_bytes = size;
    t->loudness_lufs = NAN;
    t->true_peak_dbtp = NAN;
    t->duration_s = NAN;
    s->n++;
    return 0;
}

/* the error that ends hph_scan_add: its code and message kept in s; -1 */
static int scan_fail(hph_scan *s, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int scan_fail(hph_scan *s, const char *code, const char *fmt, ...)
{
    s->error_code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->error, sizeof s->error, fmt, ap);
    va_end(ap);
    return -1;
}

/* something under a folder that cannot be read: warned, and kept as a
 * skipped track with its reason */
static int push_unread(hph_scan *s, const char *path, const char *why)
{
    if (push(s, path, 0))
        return scan_fail(s, "no-memory", "out of memory");
    hph_track *t = &s->tracks[s->n - 1];
    snprintf(t->why, sizeof t->why, "%s", why);
    t->unread = 1;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct dir_id {
    dev_t dev;
    ino_t ino;
} dir_id;

static int walk(hph_scan *s, const char *path, const struct stat *st, dir_id *stack, int depth);

// NOLINTNEXTLINE(misc-no-recursion): with walk(), at most MAX_DEPTH deep
static int add_path(hph_scan *s, const char *path, dir_id *stack, int depth, int top)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        int e = errno;
        struct stat lst;
        const char *why = e == ENOENT && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)
                              ? "a symbolic link to nothing (its target does not exist)"
                              : strerror(e);
        if (top) {
            return scan_fail(s, e == ENOENT ? "not-found" : "io", "%s: %s", path, why);
        }
        return push_unread(s, path, why);
    }
    if (S_ISDIR(st.st_mode))
        return walk(s, path, &st, stack, depth);
    if (!S_ISREG(st.st_mode)) {
        if (top) {
            return scan_fail(s, "io", "%s: not a regular file or folder", path);
        }
        return 0; /* sockets, fifos, devices inside a folder: not music */
    }
    if (push(s, path, (long long)st.st_size)) {
        return scan_fail(s, "no-memory", "out of memory");
    }
    return 0;
}

// NOLINTNEXTLINE(misc-no-recursion): folders recurse, at most MAX_DEPTH deep, loops caught
static int walk(hph_scan *s, const char *path, const struct stat *st, dir_id *stack, int depth)
{
    for (int i = 0; i < depth; i++)
        if (stack[i].dev == st->st_dev && stack[i].ino == st->st_ino)
            return 0; /* a loop through a symbolic link */
    if (depth >= MAX_DEPTH) {
        char why[64];
        snprintf(why, sizeof why, "folders nested deeper than %d", MAX_DEPTH);
        return push_unread(s, path, why);
    }
    stack[depth].dev = st->st_dev;
    stack[depth].ino = st->st_ino;
    DIR *d = opendir(path);
    if (!d) {
        if (depth == 0) {
            return scan_fail(s, "io", "%s: %s", path, strerror(errno));
        }
        return push_unread(s, path, strerror(errno));
    }
    s->n_dirs++;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 32;
            char **nn = realloc(names, nc * sizeof *nn);
            if (!nn) {
                rc = -1;
                break;
            }
            names = nn;
            cap = nc;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = -1;
            break;
        }
        n++;
    }
    closedir(d);
    if (rc) {
        scan_fail(s, "no-memory", "out of memory");
    } else {
        if (n)
            qsort(names, n, sizeof *names, cmp_names);
        size_t plen = strlen(path);
        int slash = plen && path[plen - 1] == '/';
        for (size_t i = 0; i < n && !rc; i++) {
            size_t len = plen + 1 + strlen(names[i]) + 1;
            char *child = malloc(len);
            if (!child) {
                rc = scan_fail(s, "no-memory", "out of memory");
                break;
            }
            snprintf(child, len, "%s%s%s", path, slash ? "" : "/", names[i]);
            rc = add_path(s, child, stack, depth + 1, 0);
            free(child);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int hph_scan_add(hph_scan *s, const char *path)
{
    dir_id stack[MAX_DEPTH + 1];
    return add_path(s, path, stack, 0, 1);
}

void hph_scan_free(hph_scan *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->tracks[i].path);
    free(s->tracks);
    memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------------------ */
/* measuring                                                                */

typedef struct pool {
    hph_scan *scan;
    atomic_size_t next;      /* the next file to take */
    atomic_size_t done;      /* files finished */
    atomic_llong bytes_done; /* progress: file bytes, counted as frames go by */
} pool;

static void set_why(hph_track *t, const char *msg)
{
    snprintf(t->why, sizeof t->why, "%s", msg);
    t->ok = 0;
}

/* frames of the edge format to interleaved float, full scale ±1.0 */
static void to_float(hpa_format f, const void *buf, size_t samples, float *out)
{
    switch (f) {
    case HPA_FORMAT_S16: {
        const int16_t *p = buf;
        for (size_t i = 0; i < samples; i++)
            out[i] = (float)p[i] * (1.0f / 32768.0f);
        break;
    }
    case HPA_FORMAT_S24: {
        const int32_t *p = buf;
        for (size_t i = 0; i < samples; i++)
            out[i] = (float)p[i] * (1.0f / 8388608.0f);
        break;
    }
    case HPA_FORMAT_S32: {
        const int32_t *p = buf;
        for (size_t i = 0; i < samples; i++)
            out[i] = (float)((double)p[i] * (1.0 / 2147483648.0));
        break;
    }
    case HPA_FORMAT_F32: memcpy(out, buf, samples * sizeof *out); break;
    case HPA_FORMAT_F64:
    default: {
        const double *p = buf;
        for (size_t i = 0; i < samples; i++)
            out[i] = (float)p[i];
        break;
    }
    }
}

static size_t sample_bytes(hpa_format f)
{
    switch (f) {
    case HPA_FORMAT_S16: return 2;
    case HPA_FORMAT_S24:
    case HPA_FORMAT_S32:
    case HPA_FORMAT_F32: return 4;
    default: return 8;
    }
}

static void measure(pool *p, hph_track *t)
{
    if (t->unread)
        return;
    char why[200];
    hph_audio_info info;
    hph_audiofile *f = hph_audio_open_read(t->path, &info, why, sizeof why);
    if (!f) {
        set_why(t, why);
        atomic_fetch_add(&p->bytes_done, t->size_bytes);
        return;
    }
    t->rate_hz = info.rate_hz;
    t->channels = info.channels;
    ebur128_state *st = NULL;
    hpa_meter *tp = NULL;
    void *buf = NULL;
    float *fbuf = NULL;
    long long credited = 0;
    if (info.channels == 0 || info.channels > 64 || info.rate_hz < 8 || info.rate_hz > 2822400) {
        set_why(t, "a channel count or sample rate the loudness meter cannot take");
        goto out;
    }
    /* integrated loudness by libebur128; the true peak by libhpamp's meter
     * (meter.h: libebur128's under-reads near Nyquist) */
    st = ebur128_init(info.channels, info.rate_hz, EBUR128_MODE_I);
    if (hpa_meter_create(info.channels, info.rate_hz, HPA_METER_TRUE_PEAK, NULL, &tp) == HPA_ERR_RATE) {
        set_why(t, "a sample rate the true-peak meter cannot take (8 to 768 kHz)");
        goto out;
    }
    buf = malloc((size_t)READ_FRAMES * info.channels * sample_bytes(info.format));
    fbuf = malloc((size_t)READ_FRAMES * info.channels * sizeof *fbuf);
    if (!st || !tp || !buf || !fbuf) {
        set_why(t, "out of memory");
        goto out;
    }
    /* a mono file plays in both ears: BS.1770 counts it twice (dual mono), so
     * a mono sine reads the same as the same sine on both stereo channels */
    if (info.channels == 1)
        ebur128_set_channel(st, 0, EBUR128_DUAL_MONO);
    int64_t total = 0;
    for (;;) {
        int64_t got = hph_audio_read(f, buf, READ_FRAMES);
        if (got < 0) {
            snprintf(why, sizeof why, "read error (%s)", hph_audio_error(f));
            set_why(t, why);
            goto out;
        }
        if (got == 0)
            break;
        to_float(info.format, buf, (size_t)got * info.channels, fbuf);
        hpa_meter_add_float(tp, fbuf, (size_t)got);
        if (ebur128_add_frames_float(st, fbuf, (size_t)got) != EBUR128_SUCCESS) {
            set_why(t, "the loudness meter failed (out of memory)");
            goto out;
        }
        total += got;
        if (info.frames > 0 && t->size_bytes > 0) {
            long long upto = (long long)((double)t->size_bytes * fmin(1.0, (double)total / (double)info.frames));
            atomic_fetch_add(&p->bytes_done, upto - credited);
            credited = upto;
        }
    }
    t->duration_s = (double)total / info.rate_hz;
    double lufs = -HUGE_VAL, peak = 0.0;
    hpa_meter_end(tp);
    for (unsigned c = 0; c < info.channels; c++) {
        double v = 0.0;
        hpa_meter_true_peak(tp, c, &v);
        peak = v > peak ? v : peak;
    }
    if (ebur128_loudness_global(st, &lufs) != EBUR128_SUCCESS || !isfinite(lufs)) {
        set_why(t, total == 0 ? "no audio in it (0 frames)"
                              : "too short (under 0.4 s) or too quiet (below -70 LUFS) to have a loudness");
        goto out;
    }
    if (!(peak > 0.0)) {
        set_why(t, "silent");
        goto out;
    }
    t->loudness_lufs = lufs;
    t->true_peak_dbtp = 20.0 * log10(peak);
    t->ok = 1;
out:
    atomic_fetch_add(&p->bytes_done, t->size_bytes - credited);
    free(fbuf);
    free(buf);
    hpa_meter_destroy(tp);
    if (st)
        ebur128_destroy(&st);
    hph_audio_close(f);
}

static void *worker(void *arg)
{
    pool *p = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->scan->n)
            break;
        measure(p, &p->scan->tracks[i]);
        atomic_fetch_add(&p->done, 1);
    }
    return NULL;
}

int hph_scan_run(hph_scan *s, unsigned threads, hph_scan_progress_fn progress, void *user)
{
    if (!s->n)
        return 0;
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1;
    }
    if (threads > s->n)
        threads = (unsigned)s->n;
    if (threads > 256)
        threads = 256;
    pool p;
    p.scan = s;
    atomic_init(&p.next, 0);
    atomic_init(&p.done, 0);
    atomic_init(&p.bytes_done, 0);
    long long total_bytes = 0;
    for (size_t i = 0; i < s->n; i++)
        total_bytes += s->tracks[i].size_bytes;

    pthread_t tid[256];
    unsigned started = 0;
    for (; started < threads; started++)
        if (pthread_create(&tid[started], NULL, worker, &p) != 0)
            break;
    if (started == 0) {
        /* no thread at all: measure here */
        worker(&p);
    }
    if (progress) {
        while (atomic_load(&p.done) < s->n) {
            double frac = total_bytes > 0 ? (double)atomic_load(&p.bytes_done) / (double)total_bytes
                                          : (double)atomic_load(&p.done) / (double)s->n;
            progress(user, frac);
            struct timespec ts = {0, 50L * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        progress(user, 1.0);
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    return 0;
}
