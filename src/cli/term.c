/* term.c — messages, progress bar and JSON helpers for the hpamp command. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../io/quiet.h"
#include "term.h"

static char *kept;
static size_t kept_len;

void hpa_cli_keep_first_error(char *buf, size_t len)
{
    kept = len ? buf : NULL;
    kept_len = len;
    if (kept)
        kept[0] = 0;
}

/* "hpamp: " PREFIX MESSAGE "\n" to the real stderr in one write (io/quiet.h:
 * fd 2 may be silenced for a library at this moment) */
static void say_line(const char *prefix, const char *fmt, va_list ap)
{
    char small[1024], *line = small;
    va_list again;
    va_copy(again, ap);
    const int n = vsnprintf(NULL, 0, fmt, again); // NOLINT(clang-analyzer-valist.Uninitialized): va_copy above
    va_end(again);
    if (n < 0)
        return;
    const size_t pl = strlen(prefix), len = 7 + pl + (size_t)n + 1;
    if (len + 1 > sizeof small && !(line = malloc(len + 1)))
        return;
    snprintf(line, len + 1, "hpamp: %s", prefix);
    vsnprintf(line + 7 + pl, (size_t)n + 1, fmt, ap);
    line[len - 1] = '\n';
    hpa_stderr_write(line, len);
    if (line != small)
        free(line);
}

void hpa_cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (kept && !kept[0]) {
        va_list again;
        va_copy(again, ap);
        vsnprintf(kept, kept_len, fmt, again); // NOLINT(clang-analyzer-valist.Uninitialized): va_copy above
        va_end(again);
    }
    say_line("", fmt, ap);
    va_end(ap);
}

void hpa_cli_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say_line("warning: ", fmt, ap);
    va_end(ap);
}

int hpa_parse_double(const char *text, double min, double max, double *out)
{
    char *end;
    if (!text || !*text)
        return -1;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || *end || !isfinite(v) || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int hpa_parse_u32(const char *text, uint32_t min, uint32_t max, uint32_t *out)
{
    char *end;
    if (!text || *text < '0' || *text > '9')
        return -1;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

double hpa_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int hpa_use_color(FILE *f)
{
    const char *nc = getenv("NO_COLOR");
    return isatty(fileno(f)) && !(nc && *nc);
}

void hpa_progress_begin(hpa_progress *p, const char *label, int allow)
{
    p->enabled = allow && isatty(STDERR_FILENO);
    p->start_s = hpa_now_s();
    p->last_draw_s = 0.0;
    p->label = label;
}

void hpa_progress_update(hpa_progress *p, double fraction)
{
    if (!p->enabled)
        return;
    double now = hpa_now_s();
    if (now - p->last_draw_s < 0.1 && fraction < 1.0)
        return;
    p->last_draw_s = now;
    if (fraction < 0.0)
        fraction = 0.0;
    if (fraction > 1.0)
        fraction = 1.0;
    const int width = 30;
    int filled = (int)(fraction * width + 0.5);
    double elapsed = now - p->start_s;
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < filled ? '#' : '-';
    bar[width] = 0;
    char line[160];
    int n;
    if (fraction > 0.01 && fraction < 1.0) {
        double eta = elapsed * (1.0 - fraction) / fraction;
        n = snprintf(line, sizeof line, "\r%s [%s] %3.0f%%  %.1f s left ", p->label, bar, fraction * 100.0, eta);
    } else {
        n = snprintf(line, sizeof line, "\r%s [%s] %3.0f%%             ", p->label, bar, fraction * 100.0);
    }
    if (n > 0)
        hpa_stderr_write(line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

void hpa_progress_end(hpa_progress *p)
{
    if (!p->enabled)
        return;
    /* clear the line so the summary starts clean */
    char line[80];
    int n = snprintf(line, sizeof line, "\r%*s\r", 72, "");
    hpa_stderr_write(line, (size_t)n);
}

void hpa_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void hpa_json_number(FILE *f, double v, int decimals)
{
    if (!isfinite(v))
        fputs("null", f);
    else
        fprintf(f, "%.*f", decimals, v);
}

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
}

void hpa_cli_catch_stop_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

int hpa_cli_interrupted(void)
{
    return stop_signal;
}
