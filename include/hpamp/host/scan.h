/* scan.h — integrated loudness and true peak of the listener's music
 * (ITU-R BS.1770 / EBU R128 through libebur128), one file per worker, on
 * every core. */
#ifndef HPAMP_HOST_SCAN_H
#define HPAMP_HOST_SCAN_H

#include <stddef.h>
#include <stdint.h>

typedef struct hph_track {
    char *path;
    long long size_bytes; /* for the progress bar's weights */
    int ok;               /* 1 measured; 0 skipped, `why` says why */
    int unread;           /* skipped while collecting (a dangling link, a folder that
                           * cannot be read): warned about then, never measured */
    char why[200];
    double loudness_lufs;  /* integrated loudness (EBUR128_MODE_I) */
    double true_peak_dbtp; /* the highest true peak over the channels (EBUR128_MODE_TRUE_PEAK) */
    double duration_s;
    uint32_t rate_hz, channels;
} hph_track;

typedef struct hph_scan {
    hph_track *tracks;
    size_t n, cap;
    size_t n_dirs;          /* folders walked */
    const char *error_code; /* after a failed hph_scan_add: "not-found", "io" or "no-memory" */
    char error[1200];       /* ... and its message, "PATH: why" */
} hph_scan;

/* Progress of hph_scan_run, 0 .. 1, called on the calling thread about 20
 * times a second and once with 1 at the end. */
typedef void (*hph_scan_progress_fn)(void *user, double fraction);

/* Add a file, or every file under a folder (recursively, in name order;
 * names starting with '.' are left out; a folder met twice on one path, as
 * through a symbolic-link loop, is not walked again).  What cannot be read
 * inside a folder (a dangling link, a folder that cannot be opened or is
 * nested too deep) is added as a track with ok = 0, unread = 1 and its
 * reason, so that the caller can warn about it and count it among the
 * skipped.  Returns 0, or -1 with s->error_code and s->error set (a path
 * given that does not exist or cannot be read, out of memory). */
int hph_scan_add(hph_scan *s, const char *path);

/* Measure every track on `threads` workers (0: one per online core, at most
 * one per file), reporting to `progress` (may be NULL).  A file libsndfile
 * cannot read, or too short or silent to have a loudness, gets ok = 0 and a
 * reason.  Returns 0. */
int hph_scan_run(hph_scan *s, unsigned threads, hph_scan_progress_fn progress, void *user);

void hph_scan_free(hph_scan *s);

/* One file's integrated loudness (LUFS) and true peak (dBTP, libebur128's
 * EBUR128_MODE_TRUE_PEAK), what render --normalize plans with.  0; -1 with
 * why ("PATH: reason"); or -2 out of memory. */
int hph_measure_ebur128(const char *path, double *lufs, double *tp_dbtp, char *why, size_t why_len);

#endif
