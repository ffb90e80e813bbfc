/* dose.h — the journal of the listener's sound dose (IEC 62368-1 CSD, ITU-T H.870): a
 * journal of A-weighted exposure in $XDG_STATE_HOME/hpamp/dose.log
 * (~/.local/state/hpamp/ when XDG_STATE_HOME is unset, empty or relative),
 * read as a rolling 7-day window, and the acknowledgement to go above 85 dBA
 * with the listening time since it.
 *
 * The journal is append-only text, one record a line, each ending in a
 * checksum of the line (FNV-1a, 32 bits):
 *   E <start unix s> <seconds> <exposure Pa²s> <crc>   exposure of an interval
 *   A <unix s> <listened s since> <crc>               the last acknowledgement
 * Each record is one write() of a whole line, then fdatasync: a kill -9
 * loses at most the record being written, and a torn or damaged line fails
 * its checksum and is skipped (the rest reads).  A line whose checksum holds
 * but whose fields are out of range (a time past HPH_DOSE_T_MAX, more than
 * a day of seconds in one record, more exposure than sound in air can carry)
 * is damaged too.  On open the journal is compacted: records older than 7
 * days dropped, the rest merged into whole minutes, written to a temporary
 * file of a fresh name (NAME.tmp.XXXXXX: whatever a crash left behind is in
 * no writer's way, and such leftovers over an hour old are removed), fsynced
 * and renamed over the old one (then the folder fsynced), so the file is
 * always either the old journal or the new one.
 *
 * Only a regular file is read (a folder, a device, a FIFO is refused), and
 * only its newest 64 MiB: a week of nonstop play writes about 27 MB, and a
 * writer compacts it each time it opens.
 *
 * Exposure: an interval of dt seconds at L dB(A) SPL is p²·dt with
 * p² = (20 µPa)²·10^(L/10) Pa².  100 % = 80 dBA for 40 h = 1.6 Pa²h (mode 1;
 * mode 2, ITU-T H.870 for children and sensitive listeners: 75 dBA,
 * 0.506 Pa²h).  Tests set the clock with HPAMP_NOW (unix seconds). */
#ifndef HPAMP_HOST_DOSE_H
#define HPAMP_HOST_DOSE_H

#include <stddef.h>
#include <stdint.h>

#include <hpamp/dose.h>

/* a record's fields, or it is a damaged line */
#define HPH_DOSE_T_MAX 100000000000LL /* unix s (the year 5138) */
#define HPH_DOSE_RECORD_S_MAX 86400.0 /* the seconds one E record holds */
#define HPH_DOSE_PA2_MAX 1e10         /* Pa², 194 dB SPL: louder is not sound in air */
#define HPH_DOSE_LISTENED_S_MAX 1e10  /* listening since an acknowledgement, s */

typedef struct hph_dose_day {
    int64_t day_start; /* unix s of local midnight */
    double listened_s;
    double pa2h; /* exposure, Pa²h */
} hph_dose_day;

typedef struct hph_dose {
    char path[1024];
    int fd;                           /* append descriptor, -1 when not open for writing */
    int mode;                         /* 1 or 2 */
    double pa2h;                      /* the week's exposure, Pa²h (window at the last read) */
    double listened_s;                /* the week's listening time */
    int64_t ack_t;                    /* the last acknowledgement (unix s), 0 none */
    double ack_listened_s;            /* listening since it */
    size_t records, bad;              /* records read, lines skipped (torn, damaged) */
    long long skipped_bytes;          /* the oldest bytes not read (a journal over 64 MiB) */
    hph_dose_day days[HPA_DOSE_DAYS]; /* [0] today .. [6] six days ago */
} hph_dose;

/* [non-RT] The clock: HPAMP_NOW when set (tests), else the time. */
double hph_dose_now(void);

/* [non-RT] The journal's path into buf; 0, or -1 when no HOME either. */
int hph_dose_path(char *buf, size_t len);

/* [non-RT] Read the journal at `now` (mode 1 or 2).  write: compact it and
 * open it for appending (creating the folder).  0, or -1 with why. */
int hph_dose_open(hph_dose *d, int mode, double now, int write, char *why, size_t why_len);

/* [non-RT] Append the exposure of `seconds` at `spl_a_db` dB(A) starting at t
 * (synced before it returns); updates the totals.  0 or -1. */
int hph_dose_add(hph_dose *d, double t, double seconds, double spl_a_db);

/* [non-RT] Record an acknowledgement at t. 0 or -1. */
int hph_dose_ack(hph_dose *d, double t);

/* [non-RT] 1 while an acknowledgement holds (less than 20 h of listening since). */
int hph_dose_ack_valid(const hph_dose *d);

/* [any] Percent of the allowance: the week's exposure by its mode. */
double hph_dose_percent(const hph_dose *d);

/* [non-RT] Close the append descriptor. */
void hph_dose_close(hph_dose *d);

#endif
