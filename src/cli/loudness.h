/* loudness.h — integrated loudness and true peak of the listener's music
 * (ITU-R BS.1770 / EBU R128 through libebur128), one file per worker, on
 * every core. */
#ifndef HPA_CLI_LOUDNESS_H
#define HPA_CLI_LOUDNESS_H

#include <stddef.h>
#include <stdint.h>

typedef struct hpa_track {
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
} hpa_track;

typedef struct hpa_scan {
    hpa_track *tracks;
    size_t n, cap;
    size_t n_dirs; /* folders walked */
} hpa_scan;

/* Add a file, or every file under a folder (recursively, in name order;
 * names starting with '.' are left out; a folder met twice on one path, as
 * through a symbolic-link loop, is not walked again).  What cannot be read
 * inside a folder (a dangling link, a folder that cannot be opened or is
 * nested too deep) is warned about and added as a track with ok = 0,
 * unread = 1 and its reason, so that it is counted and listed among the
 * skipped.  Returns 0, or -1 after printing "hpamp: PATH: why" (a path given
 * that does not exist or cannot be read, out of memory). */
int hpa_scan_add(hpa_scan *s, const char *path);

/* Measure every track on `threads` workers (0: one per online core, at most
 * one per file), with a progress bar on stderr when it is a terminal and
 * `progress` is set.  A file libsndfile cannot read, or too short or silent
 * to have a loudness, gets ok = 0 and a reason.  Returns 0, or -1 when the
 * workers cannot be started (message printed). */
int hpa_scan_run(hpa_scan *s, unsigned threads, int progress);

void hpa_scan_free(hpa_scan *s);

#endif
