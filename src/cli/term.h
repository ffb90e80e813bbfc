/* term.h — what every hpamp subcommand shares: messages, progress, JSON. */
#ifndef HPC_TERM_H
#define HPC_TERM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define EXIT_USAGE 2

/* "hpamp: <message>" on stderr, always one line: the message goes through
 * hpa_escape_text, so a newline or an escape sequence in a file name cannot
 * split it or drive the terminal.  hpc_error keeps the message for
 * hpc_json_failure; hpc_fail also gives it a short code for --json
 * ("not-found", "ambiguous", "io", ...). */
void hpc_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hpc_fail(const char *code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hpc_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* an hph_warn_fn of the host library: the message as a warning (defined in db.c) */
void hpc_warn_line(void *user, const char *message);

/* From now on also keep the first error's message (what follows "hpamp: ",
 * escaped) in buf, so that a command can repeat it as JSON; buf[0] is 0 until then. */
void hpc_keep_first_error(char *buf, size_t len);

/* text into out (len bytes, always terminated; cut at a whole character),
 * printable: \n, \r and \t for those, \xNN for the other C0 controls, DEL
 * and bytes that are not UTF-8, \u0080-\u009f for the C1 controls; the
 * rest (UTF-8 text, backslashes) as it is.  Returns out. */
char *hpa_escape_text(char *out, size_t len, const char *text);

/* --json on failure: one object on f (stdout), {"error": CODE, "message":
 * MESSAGE}, MESSAGE the last hpc_error/hpc_fail line (without
 * "hpamp: "), CODE the one given to hpc_fail, else "usage" when rc is
 * EXIT_USAGE and "failed" otherwise.  hpc_argv_json: 1 when argv holds
 * --json (before any "--"), so a usage error found before the option parser
 * reaches --json is answered in JSON too. */
void hpc_json_failure(FILE *f, int rc);
/* The entries a not-found or ambiguous name could mean (id and shown name,
 * copied, at most HPC_MAX_CANDIDATES): hpc_json_failure adds them as
 * "candidates": [{"id": ..., "name": ...}] to the next failure whose code is
 * "not-found" or "ambiguous" (a missing file, also "not-found", has none). */
#define HPC_MAX_CANDIDATES 8
void hpc_candidates(const char *const *ids, const char *const *names, size_t n);
int hpc_argv_json(int argc, char **argv);

/* Parse helper: 0 on success, -1 if text is not a whole number in range. */
int hpc_parse_u32(const char *text, uint32_t min, uint32_t max, uint32_t *out);


/* --crossfeed X: a libbs2b preset (default, cmoy, jmeier) or HZ,DB inside
 * the table's ranges.  0 with *name (NULL for HZ,DB), *hz and *db; or -1. */
int hpc_parse_crossfeed(const char *arg, const char **name, double *hz, double *db);
/* --raw ENC:RATE:CH for command cmd ("render", "play"): 0 with *raw set, or
 * -1 after one error line (a usage error) */
struct hph_audio_raw;
int hpc_parse_raw(const char *cmd, const char *arg, struct hph_audio_raw *raw);
/* the ranges of HZ,DB: "300..2000 Hz, 1..15 dB" */
const char *hpc_crossfeed_ranges(char *buf, size_t len);
/* what --crossfeed takes, for messages:
 * "default, cmoy, jmeier or HZ,DB (300..2000 Hz, 1..15 dB)" */
const char *hpc_crossfeed_choices(char *buf, size_t len);

/* A progress bar on stderr, drawn only when stderr is a terminal. */
typedef struct hpc_progress {
    int enabled;
    double start_s;
    double last_draw_s;
    const char *label;
} hpc_progress;

void hpc_progress_begin(hpc_progress *p, const char *label, int allow);
void hpc_progress_update(hpc_progress *p, double fraction);
void hpc_progress_end(hpc_progress *p);

/* Catch SIGINT, SIGTERM and SIGHUP so a long job can stop cleanly: the
 * handler only records the signal.  hpc_interrupted: that signal's
 * number, 0 while none came. */
void hpc_catch_stop_signals(void);
int hpc_interrupted(void);

/* Monotonic seconds. */
double hpc_now_s(void);

/* Colour on stdout only when it is a terminal and NO_COLOR is unset. */
int hpc_use_color(FILE *f);

/* JSON writing: strings escaped, non-finite numbers as null. */
void hpc_json_string(FILE *f, const char *s);
void hpc_json_number(FILE *f, double v, int decimals);

#endif
