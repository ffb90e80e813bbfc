/* fuzz_dose.c — a libFuzzer target for the sound-dose journal reader and
 * its compaction (src/host/dose.c: hph_dose_open, hph_dose_add).
 *
 * Each journal line ends in an FNV-1a checksum, which random mutation would
 * almost never get right, so the input is a journal in which a line ending
 * in '!' stands for that line with its checksum: the harness replaces the
 * '!' by " %08x" of the line's body (FNV-1a 32, written here from its
 * definition).  Other lines go in as they are, so a real journal is an input
 * too.  The journal is written to $XDG_STATE_HOME/hpamp/dose.log in a
 * private temporary folder (TZ=UTC, the clock fixed at NOW below), then:
 *   1. read (hph_dose_open without write): returns 0; no more records and
 *      skipped lines than the text has lines; the week's exposure, listening
 *      time and each day's are finite and >= 0, the days' sum within the
 *      week's; the listening since the acknowledgement finite and >= 0;
 *   2. opened for writing (the journal compacted): returns 0, and one record
 *      appended with hph_dose_add succeeds;
 *   3. read again: no line is skipped, the exposure is the first read's
 *      plus the record added (relative 1e-6, or 1e-12 Pa²h), and the
 *      acknowledgement is kept, with the listening since it (to the
 *      millisecond the journal keeps) plus the second added when it falls
 *      after the acknowledgement. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hpamp/host/dose.h>
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1767225600.0 /* 2026-01-01 00:00:00 UTC */

static char g_journal[1100];
static char g_dir[256];

/* the temporary folder goes at exit: the journal, a stale .tmp, the folders */
static void cleanup(void)
{
    char p[1200];
    unlink(g_journal);
    snprintf(p, sizeof p, "%s.tmp", g_journal);
    unlink(p);
    snprintf(p, sizeof p, "%s/hpamp", g_dir);
    rmdir(p);
    rmdir(g_dir);
}

static void setup(void)
{
    char *dir = g_dir;
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(dir, sizeof g_dir, "%s/hpamp-fuzz-dose-XXXXXX", base);
    FUZZ_CHECK(mkdtemp(dir) != NULL);
    atexit(cleanup);
    FUZZ_CHECK(setenv("XDG_STATE_HOME", dir, 1) == 0);
    FUZZ_CHECK(setenv("TZ", "UTC", 1) == 0);
    tzset();
    char sub[300];
    snprintf(sub, sizeof sub, "%s/hpamp", dir);
    FUZZ_CHECK(mkdir(sub, 0700) == 0);
    FUZZ_CHECK(hph_dose_path(g_journal, sizeof g_journal) == 0);
}

static uint32_t fnv1a(const uint8_t *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 16777619u;
    return h;
}

/* the input as a journal, every "BODY!" line sealed as "BODY %08x" */
static void write_journal(const uint8_t *data, size_t size)
{
    int fd = open(g_journal, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FUZZ_CHECK(fd >= 0);
    size_t cap = size + size / 2 * 8 + 16, n = 0;
    uint8_t *out = malloc(cap);
    FUZZ_CHECK(out != NULL);
    for (size_t i = 0; i < size;) {
        size_t j = i;
        while (j < size && data[j] != '\n')
            j++;
        if (j > i && data[j - 1] == '!') {
            memcpy(out + n, data + i, j - 1 - i);
            n += j - 1 - i;
            n += (size_t)snprintf((char *)out + n, cap - n, " %08x", (unsigned)fnv1a(data + i, j - 1 - i));
        } else {
            memcpy(out + n, data + i, j - i);
            n += j - i;
        }
        if (j < size)
            out[n++] = '\n';
        i = j + 1;
    }
    FUZZ_CHECK(write(fd, out, n) == (ssize_t)n);
    free(out);
    FUZZ_CHECK(close(fd) == 0);
}

static size_t count_lines(const uint8_t *d, size_t n)
{
    size_t lines = 1;
    for (size_t i = 0; i < n; i++)
        lines += d[i] == '\n';
    return lines;
}

static int near(double a, double b)
{
    return fabs(a - b) <= 1e-6 * fmax(fabs(a), fabs(b)) + 1e-12;
}

static void check_totals(const hph_dose *d, size_t lines)
{
    FUZZ_CHECK(d->records + d->bad <= lines);
    FUZZ_CHECK(isfinite(d->pa2h) && d->pa2h >= 0.0);
    FUZZ_CHECK(isfinite(d->listened_s) && d->listened_s >= 0.0);
    FUZZ_CHECK(isfinite(d->ack_listened_s) && d->ack_listened_s >= 0.0);
    FUZZ_CHECK(isfinite(hph_dose_percent(d)));
    double pa2h = 0.0, listened = 0.0;
    for (int k = 0; k < HPA_DOSE_DAYS; k++) {
        FUZZ_CHECK(isfinite(d->days[k].pa2h) && d->days[k].pa2h >= 0.0);
        FUZZ_CHECK(isfinite(d->days[k].listened_s) && d->days[k].listened_s >= 0.0);
        pa2h += d->days[k].pa2h;
        listened += d->days[k].listened_s;
    }
    FUZZ_CHECK(pa2h <= d->pa2h * (1 + 1e-9) + 1e-12 && listened <= d->listened_s * (1 + 1e-9) + 1e-9);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input(data, size);
    if (!g_journal[0])
        setup();
    write_journal(data, size);
    const size_t lines = count_lines(data, size);
    char why[512] = "";
    hph_dose d;

    FUZZ_CHECK(hph_dose_open(&d, 1, NOW, 0, why, sizeof why) == 0);
    FUZZ_CHECK(d.fd < 0);
    check_totals(&d, lines);
    const double pa2h = d.pa2h, ack_listened = d.ack_listened_s;
    const int64_t ack_t = d.ack_t;

    FUZZ_CHECK(hph_dose_open(&d, 1, NOW, 1, why, sizeof why) == 0);
    FUZZ_CHECK(d.fd >= 0);
    check_totals(&d, lines);
    FUZZ_CHECK(near(d.pa2h, pa2h));
    FUZZ_CHECK(hph_dose_add(&d, NOW, 1.0, 80.0) == 0);
    hph_dose_close(&d);
    const double added = hpa_dose_pa2(80.0) / 3600.0;

    FUZZ_CHECK(hph_dose_open(&d, 1, NOW, 0, why, sizeof why) == 0);
    FUZZ_CHECK(d.bad == 0);
    check_totals(&d, d.records + 1);
    FUZZ_CHECK(near(d.pa2h, pa2h + added));
    if (ack_t) {
        FUZZ_CHECK(d.ack_t == ack_t);
        /* the journal keeps it to the millisecond ("%.3f") */
        const double want = ack_listened + ((double)ack_t <= NOW ? 1.0 : 0.0);
        FUZZ_CHECK(fabs(d.ack_listened_s - want) <= 0.0005 + 1e-9 * want);
    }
    return 0;
}
