/* term.h — what every hpamp subcommand shares: messages, progress, JSON. */
#ifndef HPA_CLI_TERM_H
#define HPA_CLI_TERM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define EXIT_USAGE 2

/* "hpamp: <message>" on stderr, always one line: the message goes through
 * hpa_cli_escape, so a newline or an escape sequence in a file name cannot
 * split it or drive the terminal.  hpa_cli_error keeps the message for
 * hpa_cli_json_failure; hpa_cli_fail also gives it a short code for --json
 * ("not-found", "ambiguous", "io", ...). */
void hpa_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hpa_cli_fail(const char *code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hpa_cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* From now on also keep the first error's message (what follows "hpamp: ",
 * escaped) in buf, so that a command can repeat it as JSON; buf[0] is 0 until then. */
void hpa_cli_keep_first_error(char *buf, size_t len);

/* text into out (len bytes, always terminated; cut at a whole character),
 * printable: \n, \r and \t for those, \xNN for the other C0 controls, DEL
 * and bytes that are not UTF-8, \u0080-\u009f for the C1 controls; the
 * rest (UTF-8 text, backslashes) as it is.  Returns out. */
char *hpa_cli_escape(char *out, size_t len, const char *text);

/* --json on failure: one object on f (stdout), {"error": CODE, "message":
 * MESSAGE}, MESSAGE the last hpa_cli_error/hpa_cli_fail line (without
 * "hpamp: "), CODE the one given to hpa_cli_fail, else "usage" when rc is
 * EXIT_USAGE and "failed" otherwise.  hpa_cli_argv_json: 1 when argv holds
 * --json (before any "--"), so a usage error found before the option parser
 * reaches --json is answered in JSON too. */
void hpa_cli_json_failure(FILE *f, int rc);
/* The entries a not-found or ambiguous name could mean (id and shown name,
 * copied, at most HPA_CLI_MAX_CANDIDATES): hpa_cli_json_failure adds them as
 * "candidates": [{"id": ..., "name": ...}] to the next failure whose code is
 * "not-found" or "ambiguous" (a missing file, also "not-found", has none). */
#define HPA_CLI_MAX_CANDIDATES 8
void hpa_cli_candidates(const char *const *ids, const char *const *names, size_t n);
int hpa_cli_argv_json(int argc, char **argv);

/* Parse helpers: 0 on success, -1 if text is not a whole number / finite double in range. */
int hpa_parse_double(const char *text, double min, double max, double *out);
int hpa_parse_u32(const char *text, uint32_t min, uint32_t max, uint32_t *out);

/* "LO..HI UNIT" ("-120..+24 dB", "300..2000 Hz") into buf; returns buf. */
const char *hpa_cli_range_text(double lo, double hi, const char *unit, char *buf, size_t len);
/* The range of live parameter id from the one table (params.h), as above:
 * what --help and the error messages say, so they never disagree with it. */
const char *hpa_cli_param_range(int id, char *buf, size_t len);
/* text as a value of parameter id inside the table's range: 0, or -1. */
int hpa_cli_parse_param(const char *text, int id, double *out);

/* --crossfeed X: a libbs2b preset (default, cmoy, jmeier) or HZ,DB inside
 * the table's ranges.  0 with *name (NULL for HZ,DB), *hz and *db; or -1. */
int hpa_cli_parse_crossfeed(const char *arg, const char **name, double *hz, double *db);
/* the ranges of HZ,DB: "300..2000 Hz, 1..15 dB" */
const char *hpa_cli_crossfeed_ranges(char *buf, size_t len);
/* what --crossfeed takes, for messages:
 * "default, cmoy, jmeier or HZ,DB (300..2000 Hz, 1..15 dB)" */
const char *hpa_cli_crossfeed_choices(char *buf, size_t len);

/* A progress bar on stderr, drawn only when stderr is a terminal. */
typedef struct hpa_progress {
    int enabled;
    double start_s;
    double last_draw_s;
    const char *label;
} hpa_progress;

void hpa_progress_begin(hpa_progress *p, const char *label, int allow);
void hpa_progress_update(hpa_progress *p, double fraction);
void hpa_progress_end(hpa_progress *p);

/* Catch SIGINT, SIGTERM and SIGHUP so a long job can stop cleanly: the
 * handler only records the signal.  hpa_cli_interrupted: that signal's
 * number, 0 while none came. */
void hpa_cli_catch_stop_signals(void);
int hpa_cli_interrupted(void);

/* Monotonic seconds. */
double hpa_now_s(void);

/* Colour on stdout only when it is a terminal and NO_COLOR is unset. */
int hpa_use_color(FILE *f);

/* JSON writing: strings escaped, non-finite numbers as null. */
void hpa_json_string(FILE *f, const char *s);
void hpa_json_number(FILE *f, double v, int decimals);

#endif
