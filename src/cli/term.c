/* term.c — messages, progress bar and JSON helpers for the hpamp command. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hpamp/chain.h>
#include <hpamp/params.h>

#include <hpamp/host/audiofile.h>
#include <hpamp/host/quiet.h>
#include "term.h"

static char last_message[4096];
static const char *last_code;
static char cand_id[HPC_MAX_CANDIDATES][128], cand_name[HPC_MAX_CANDIDATES][512];
static size_t n_cand;
static int cand_set; /* hpc_candidates was called */
static char *kept;
static size_t kept_len;

void hpc_keep_first_error(char *buf, size_t len)
{
    kept = len ? buf : NULL;
    kept_len = len;
    if (kept)
        kept[0] = 0;
}

static void message(const char *prefix, int keep, const char *code, const char *fmt, va_list ap)
{
    char raw[4096], esc[4096];
    vsnprintf(raw, sizeof raw, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized): the callers va_start it
    hpa_escape_text(esc, sizeof esc, raw);
    /* one write to the real stderr (host/quiet.h: fd 2 may be silenced for a library at this moment) */
    char line[sizeof esc + 32];
    const int n = snprintf(line, sizeof line, "%s%s\n", prefix, esc);
    if (n > 0)
        hph_stderr_write(line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    if (keep) {
        memcpy(last_message, esc, sizeof esc);
        last_code = code;
        if (kept && !kept[0])
            snprintf(kept, kept_len, "%s", esc);
    }
}

void hpc_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    message("hpamp: ", 1, NULL, fmt, ap);
    va_end(ap);
}

void hpc_fail(const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    message("hpamp: ", 1, code, fmt, ap);
    va_end(ap);
}

void hpc_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    message("hpamp: warning: ", 0, NULL, fmt, ap);
    va_end(ap);
}

void hpc_json_failure(FILE *f, int rc)
{
    fputs("{\"error\": ", f);
    hpc_json_string(f, last_code ? last_code : rc == EXIT_USAGE ? "usage" : "failed");
    fputs(", \"message\": ", f);
    hpc_json_string(f, last_message);
    if (cand_set && last_code && (!strcmp(last_code, "not-found") || !strcmp(last_code, "ambiguous"))) {
        fputs(", \"candidates\": [", f);
        for (size_t i = 0; i < n_cand; i++) {
            fputs(i ? ", {\"id\": " : "{\"id\": ", f);
            hpc_json_string(f, cand_id[i]);
            fputs(", \"name\": ", f);
            hpc_json_string(f, cand_name[i]);
            fputc('}', f);
        }
        fputc(']', f);
    }
    fputs("}\n", f);
    fflush(f);
}

void hpc_candidates(const char *const *ids, const char *const *names, size_t n)
{
    cand_set = 1;
    n_cand = n < HPC_MAX_CANDIDATES ? n : HPC_MAX_CANDIDATES;
    for (size_t i = 0; i < n_cand; i++) {
        snprintf(cand_id[i], sizeof cand_id[i], "%s", ids[i]);
        snprintf(cand_name[i], sizeof cand_name[i], "%s", names[i]);
    }
}

int hpc_argv_json(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (!strcmp(argv[i], "--json"))
            return 1;
    return 0;
}

int hpc_parse_crossfeed(const char *arg, const char **name, double *hz, double *db)
{
    const hpa_crossfeed_preset *p = hpa_crossfeed_preset_find(arg);
    if (p) {
        *name = p->name;
        *hz = p->fcut_hz;
        *db = p->feed_db;
        return 0;
    }
    const char *comma = strchr(arg, ',');
    char f[64];
    double h, d;
    if (!comma || (size_t)(comma - arg) >= sizeof f)
        return -1;
    memcpy(f, arg, (size_t)(comma - arg));
    f[comma - arg] = 0;
    if (hpa_param_parse(f, HPA_PARAM_CROSSFEED_FCUT_HZ, &h) ||
        hpa_param_parse(comma + 1, HPA_PARAM_CROSSFEED_FEED_DB, &d))
        return -1;
    *name = NULL;
    *hz = h;
    *db = d;
    return 0;
}

int hpc_parse_raw(const char *cmd, const char *arg, struct hph_audio_raw *raw)
{
    char why[128];
    if (hph_audio_raw_parse(arg, raw, why, sizeof why) == 0)
        return 0;
    hpc_error("%s: --raw %s: %s", cmd, arg, why);
    return -1;
}

const char *hpc_crossfeed_ranges(char *buf, size_t len)
{
    char hz[48], db[48];
    snprintf(buf, len, "%s, %s", hpa_param_range_text(HPA_PARAM_CROSSFEED_FCUT_HZ, hz, sizeof hz),
             hpa_param_range_text(HPA_PARAM_CROSSFEED_FEED_DB, db, sizeof db));
    return buf;
}

const char *hpc_crossfeed_choices(char *buf, size_t len)
{
    char r[96];
    snprintf(buf, len, "default, cmoy, jmeier or HZ,DB (%s)", hpc_crossfeed_ranges(r, sizeof r));
    return buf;
}

int hpc_parse_u32(const char *text, uint32_t min, uint32_t max, uint32_t *out)
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

double hpc_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int hpc_use_color(FILE *f)
{
    const char *nc = getenv("NO_COLOR");
    return isatty(fileno(f)) && !(nc && *nc);
}

void hpc_progress_begin(hpc_progress *p, const char *label, int allow)
{
    p->enabled = allow && isatty(STDERR_FILENO);
    p->start_s = hpc_now_s();
    p->last_draw_s = 0.0;
    p->label = label;
}

void hpc_progress_update(hpc_progress *p, double fraction)
{
    if (!p->enabled)
        return;
    double now = hpc_now_s();
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
        hph_stderr_write(line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

void hpc_progress_end(hpc_progress *p)
{
    if (!p->enabled)
        return;
    /* clear the line so the summary starts clean */
    char line[80];
    int n = snprintf(line, sizeof line, "\r%*s\r", 72, "");
    hph_stderr_write(line, (size_t)n);
}

void hpc_json_string(FILE *f, const char *s)
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

void hpc_json_number(FILE *f, double v, int decimals)
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

void hpc_catch_stop_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

int hpc_interrupted(void)
{
    return stop_signal;
}
