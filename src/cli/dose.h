/* dose.h — the listener's sound dose (IEC 62368-1 CSD, ITU-T H.870): a
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
 * but whose fields are out of range (a time past HPA_DOSE_T_MAX, more than
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
#ifndef HPA_CLI_DOSE_H
#define HPA_CLI_DOSE_H

#include <stddef.h>
#include <stdint.h>

#define HPA_DOSE_WINDOW_S 604800.0            /* 7 days */
#define HPA_DOSE_ACK_LISTEN_S (20.0 * 3600.0) /* the acknowledgement lasts 20 h of listening */
#define HPA_DOSE_DAYS 7
/* a record's fields, or it is a damaged line */
#define HPA_DOSE_T_MAX 100000000000LL /* unix s (the year 5138) */
#define HPA_DOSE_RECORD_S_MAX 86400.0 /* the seconds one E record holds */
#define HPA_DOSE_PA2_MAX 1e10         /* Pa², 194 dB SPL: louder is not sound in air */
#define HPA_DOSE_LISTENED_S_MAX 1e10  /* listening since an acknowledgement, s */

typedef struct hpa_dose_day {
    int64_t day_start; /* unix s of local midnight */
    double listened_s;
    double pa2h; /* exposure, Pa²h */
} hpa_dose_day;

typedef struct hpa_dose {
    char path[1024];
    int fd;                           /* append descriptor, -1 when not open for writing */
    int mode;                         /* 1 or 2 */
    double pa2h;                      /* the week's exposure, Pa²h (window at the last read) */
    double listened_s;                /* the week's listening time */
    int64_t ack_t;                    /* the last acknowledgement (unix s), 0 none */
    double ack_listened_s;            /* listening since it */
    size_t records, bad;              /* records read, lines skipped (torn, damaged) */
    long long skipped_bytes;          /* the oldest bytes not read (a journal over 64 MiB) */
    hpa_dose_day days[HPA_DOSE_DAYS]; /* [0] today .. [6] six days ago */
} hpa_dose;

/* [non-RT] The clock: HPAMP_NOW when set (tests), else the time. */
double hpa_dose_now(void);

/* [non-RT] The journal's path into buf; 0, or -1 when no HOME either. */
int hpa_dose_path(char *buf, size_t len);

/* [non-RT] Read the journal at `now` (mode 1 or 2).  write: compact it and
 * open it for appending (creating the folder).  0, or -1 with why. */
int hpa_dose_open(hpa_dose *d, int mode, double now, int write, char *why, size_t why_len);

/* [non-RT] Append the exposure of `seconds` at `spl_a_db` dB(A) starting at t
 * (synced before it returns); updates the totals.  0 or -1. */
int hpa_dose_add(hpa_dose *d, double t, double seconds, double spl_a_db);

/* [non-RT] Record an acknowledgement at t. 0 or -1. */
int hpa_dose_ack(hpa_dose *d, double t);

/* [non-RT] 1 while an acknowledgement holds (less than 20 h of listening since). */
int hpa_dose_ack_valid(const hpa_dose *d);

/* [any] The allowance of a mode (Pa²h): 1.6 (mode 1) or 0.506 (mode 2). */
double hpa_dose_allowance_pa2h(int mode);

/* [any] p² in Pa² of a level in dB SPL. */
double hpa_dose_pa2(double spl_db);

/* [any] Percent of the allowance. */
double hpa_dose_percent(const hpa_dose *d);

/* [non-RT] Close the append descriptor. */
void hpa_dose_close(hpa_dose *d);

/* `hpamp dose` */
int hpa_cmd_dose(int argc, char **argv);

#endif
