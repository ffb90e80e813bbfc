/* term.h — what every hpamp subcommand shares: messages, progress, JSON. */
#ifndef HPA_CLI_TERM_H
#define HPA_CLI_TERM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define EXIT_USAGE 2

/* "hpamp: <message>" on stderr, one line. */
void hpa_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hpa_cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* From now on also keep the first error's message (what follows "hpamp: ")
 * in buf, so that a command can repeat it as JSON; buf[0] is 0 until then. */
void hpa_cli_keep_first_error(char *buf, size_t len);

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
