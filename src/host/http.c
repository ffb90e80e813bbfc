/* http.c — the local HTTP API and page (see http.h, docs/web.md). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <alsa/asoundlib.h>
#include <cjson/cJSON.h>
#include <microhttpd.h>

#include <hpamp/dose.h>
#include <hpamp/host/http.h>
#include <hpamp/host/preset.h>
#include <hpamp/params.h>
#include <hpamp/settings.h>

/* the page (web/, embedded by tools/embed.c) */
extern const char hpa_db_data_page[], hpa_db_data_script[], hpa_db_data_style[];
extern const size_t hpa_db_data_page_len, hpa_db_data_script_len, hpa_db_data_style_len;

#define HIST 80         /* published snapshots kept: 4 s at the front ends' 50 ms */
#define N_HOSTS 4       /* Host values accepted */
#define CURVE_POINTS 96 /* points of a curve, 20 Hz .. 20 kHz */

static const char CSP[] = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                          "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

typedef struct hist_entry {
    double t;
    double peak[HPA_CHANNELS_MAX];
    uint64_t a_frames;
    double a_energy[HPA_CHANNELS_MAX];
} hist_entry;

struct hph_http {
    struct MHD_Daemon *d;
    hph_session *session;
    hpa_safety safety;
    char token[HPH_HTTP_TOKEN_LEN + 1];
    char token_path[1100];
    char hosts[N_HOSTS][80]; /* "127.0.0.1:PORT", ... */
    int n_hosts;
    hpa_eq_band *bands;
    size_t n_bands;
    double preamp_db, eq_rate_hz;
    hpa_headphone hp;
    int have_hp;
    double zout_ohm;
    char headphones[128], source[128], profile[128];
    int (*apply_preset)(void *user, const char *name, char *why, size_t why_len);
    void *apply_user;
    pthread_mutex_t apply_lock; /* one POST preset at a time */
    atomic_int stopping;
    pthread_mutex_t lock; /* guards what follows */
    char preset[128];     /* the preset in use (the bands too: hph_http_set_eq) */
    hph_http_snapshot snap;
    char file[1024], format[32], backend[32], device[256];
    int have_snap;
    hist_entry hist[HIST];
    unsigned n_hist, head; /* head: the newest */
    uint64_t served, refused;
};

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void say(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t len, const char *fmt, ...)
{
    if (!why || !len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
}

int hph_http_parse_listen(const char *text, char *addr, size_t addr_len, uint16_t *port, int *explicit_addr)
{
    const char *p = text, *colon = NULL;
    char a[128] = "";
    if (!text || !*text || addr_len < 16)
        return -1;
    if (*text == '[') {
        const char *e = strchr(text, ']');
        if (!e || e[1] != ':' || (size_t)(e - text - 1) >= sizeof a)
            return -1;
        memcpy(a, text + 1, (size_t)(e - text - 1));
        a[e - text - 1] = 0;
        p = e + 2;
    } else if ((colon = strrchr(text, ':'))) {
        if ((size_t)(colon - text) >= sizeof a || colon == text)
            return -1;
        memcpy(a, text, (size_t)(colon - text));
        a[colon - text] = 0;
        p = colon + 1;
    }
    char *end;
    errno = 0;
    if (*p < '0' || *p > '9')
        return -1;
    unsigned long v = strtoul(p, &end, 10);
    if (errno || *end || v > 65535)
        return -1;
    if (*a) {
        struct in_addr a4;
        struct in6_addr a6;
        if (inet_pton(AF_INET, a, &a4) != 1 && inet_pton(AF_INET6, a, &a6) != 1)
            return -1; /* an address, not a name: nothing to resolve, nothing to rebind */
        if (strlen(a) >= addr_len)
            return -1;
        snprintf(addr, addr_len, "%s", a);
        *explicit_addr = 1;
    } else {
        snprintf(addr, addr_len, "127.0.0.1");
        *explicit_addr = 0;
    }
    *port = (uint16_t)v;
    return 0;
}

/* ---- responses ---- */

static enum MHD_Result send_body(hph_http *h, struct MHD_Connection *c, unsigned status, const char *type, void *body,
                                 size_t len, enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
    if (!r) {
        if (mode == MHD_RESPMEM_MUST_FREE)
            free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    pthread_mutex_lock(&h->lock);
    h->served++;
    if (status >= 400 && status < 500)
        h->refused++;
    pthread_mutex_unlock(&h->lock);
    return ok;
}

/* a JSON object as the response (consumed) */
static enum MHD_Result send_json(hph_http *h, struct MHD_Connection *c, unsigned status, cJSON *o)
{
    char *s = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (!s)
        return MHD_NO;
    return send_body(h, c, status, "application/json", s, strlen(s), MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result send_error(hph_http *h, struct MHD_Connection *c, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static enum MHD_Result send_error(hph_http *h, struct MHD_Connection *c, unsigned status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", msg);
    cJSON_AddNumberToObject(o, "status", status);
    return send_json(h, c, status, o);
}

/* ---- the request's gates: Host, Origin, token ---- */

static int host_ok(const hph_http *h, const char *host)
{
    for (int i = 0; host && i < h->n_hosts; i++)
        if (!strcasecmp(host, h->hosts[i]))
            return 1;
    return 0;
}

static int origin_ok(const hph_http *h, const char *origin)
{
    if (!origin)
        return 1; /* same-origin GETs and scripts send none */
    if (strncasecmp(origin, "http://", 7) != 0)
        return 0;
    return host_ok(h, origin + 7);
}

static int token_ok(const hph_http *h, struct MHD_Connection *c)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (v && !strncasecmp(v, "Bearer ", 7))
        v += 7;
    else
        v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Hpamp-Token");
    if (!v || strlen(v) != HPH_HTTP_TOKEN_LEN)
        return 0;
    unsigned diff = 0; /* the same time whichever character differs */
    for (int i = 0; i < HPH_HTTP_TOKEN_LEN; i++)
        diff |= (unsigned)(v[i] ^ h->token[i]);
    return diff == 0;
}

/* ---- the state ---- */

static double db_of(double lin)
{
    return lin > 0.0 ? 20.0 * log10(lin) : -INFINITY;
}

static void add_num(cJSON *o, const char *k, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

static double spl_of(const hph_http *h, double db)
{
    return h->safety.spl_known ? h->safety.spl0_db + db : NAN;
}

static void add_str(cJSON *o, const char *k, const char *v)
{
    if (v && *v)
        cJSON_AddStringToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

static cJSON *range_json(int id)
{
    const hpa_param_info *p = hpa_param_info_get(id);
    cJSON *r = cJSON_CreateObject();
    cJSON_AddNumberToObject(r, "min", p->min_value);
    cJSON_AddNumberToObject(r, "max", p->max_value);
    cJSON_AddStringToObject(r, "unit", p->unit);
    return r;
}

static cJSON *state_json(hph_http *h)
{
    hph_session_state ss;
    hph_session_state_get(h->session, &ss);
    cJSON *o = cJSON_CreateObject();
    add_num(o, "volume_db", ss.volume_db);
    add_num(o, "volume_spl_db", spl_of(h, ss.volume_db));
    cJSON_AddBoolToObject(o, "muted", ss.muted);
    cJSON_AddBoolToObject(o, "acknowledged", ss.acknowledged);
    add_num(o, "ceiling_db", h->safety.ceiling_db);
    add_num(o, "ceiling_spl_db", spl_of(h, h->safety.ceiling_db));
    add_num(o, "safe_db", h->safety.loud_db);
    add_num(o, "safe_spl_db", spl_of(h, h->safety.loud_db));
    add_num(o, "limit_dbtp", h->safety.limit_dbtp);
    cJSON_AddBoolToObject(o, "spl_known", h->safety.spl_known);
    add_num(o, "spl_at_0dbfs", h->safety.spl_known ? h->safety.spl0_db : NAN);
    cJSON *eq = cJSON_AddObjectToObject(o, "eq");
    pthread_mutex_lock(&h->lock);
    cJSON_AddBoolToObject(eq, "available", h->n_bands > 0);
    cJSON_AddBoolToObject(eq, "on", ss.eq_on);
    cJSON_AddNumberToObject(eq, "bands", (double)h->n_bands);
    add_num(eq, "preamp_db", h->n_bands ? h->preamp_db : NAN);
    add_str(o, "preset", h->preset);
    pthread_mutex_unlock(&h->lock);
    cJSON *xf = cJSON_AddObjectToObject(o, "crossfeed");
    cJSON_AddBoolToObject(xf, "on", ss.crossfeed_on);
    add_str(o, "headphones", h->headphones);
    add_str(o, "source", h->source);
    add_str(o, "profile", h->profile);
    cJSON *ranges = cJSON_AddObjectToObject(o, "ranges");
    cJSON_AddItemToObject(ranges, "volume_db", range_json(HPA_PARAM_VOLUME_DB));
    pthread_mutex_lock(&h->lock);
    const hph_http_snapshot *sn = &h->snap;
    cJSON *pl = cJSON_AddObjectToObject(o, "player");
    add_str(pl, "file", h->file);
    cJSON_AddNumberToObject(pl, "index", sn->index);
    cJSON_AddNumberToObject(pl, "files", sn->n_files);
    add_num(pl, "position_s", sn->position_s);
    add_num(pl, "length_s", sn->length_s >= 0.0 ? sn->length_s : NAN);
    cJSON_AddNumberToObject(pl, "in_rate_hz", sn->in_rate_hz);
    cJSON *dev = cJSON_AddObjectToObject(o, "device");
    add_str(dev, "backend", h->backend);
    add_str(dev, "name", h->device);
    cJSON_AddNumberToObject(dev, "rate_hz", sn->rate_hz);
    cJSON_AddNumberToObject(dev, "channels", sn->channels);
    add_str(dev, "format", h->format);
    cJSON_AddNumberToObject(dev, "period_frames", sn->period_frames);
    add_num(o, "limiter_db", sn->limiter_db);
    cJSON_AddNumberToObject(o, "clipped", (double)sn->clipped);
    cJSON_AddNumberToObject(o, "xruns", (double)sn->xruns);
    cJSON *dose = cJSON_AddObjectToObject(o, "dose");
    cJSON_AddBoolToObject(dose, "recorded", sn->have_dose);
    add_num(dose, "week_percent", sn->have_dose ? sn->dose_percent : NAN);
    pthread_mutex_unlock(&h->lock);
    return o;
}

/* ---- meters, from the published history ---- */

/* the A-weighted level (dBFS, AES17: a full-scale sine is 0) over the last
 * window_s; -inf in silence, NaN with too little history */
static double level_over(const hph_http *h, double now, double window_s)
{
    if (h->n_hist < 2)
        return NAN;
    const hist_entry *n = &h->hist[h->head], *o = NULL;
    for (unsigned i = 1; i < h->n_hist; i++) {
        const hist_entry *e = &h->hist[(h->head + HIST - i) % HIST];
        if (e->t < now - window_s - 1e-3)
            break;
        o = e;
    }
    if (!o || n->a_frames <= o->a_frames)
        return NAN;
    double e = 0.0;
    for (unsigned c = 0; c < h->snap.channels && c < HPA_CHANNELS_MAX; c++)
        e = fmax(e, n->a_energy[c] - o->a_energy[c]);
    double ms = e / (double)(n->a_frames - o->a_frames);
    return ms > 0.0 ? 10.0 * log10(2.0 * ms) : -INFINITY;
}

static cJSON *meters_json(hph_http *h)
{
    double now = now_mono();
    cJSON *o = cJSON_CreateObject();
    pthread_mutex_lock(&h->lock);
    double peak[HPA_CHANNELS_MAX] = {0};
    for (unsigned i = 0; i < h->n_hist; i++) {
        const hist_entry *e = &h->hist[(h->head + HIST - i) % HIST];
        if (e->t < now - 0.15 && i > 0)
            break;
        for (unsigned c = 0; c < HPA_CHANNELS_MAX; c++)
            peak[c] = fmax(peak[c], e->peak[c]);
    }
    cJSON *pk = cJSON_AddArrayToObject(o, "peak_dbfs");
    for (unsigned c = 0; c < h->snap.channels && c < HPA_CHANNELS_MAX; c++) {
        double d = db_of(peak[c]);
        cJSON_AddItemToArray(pk, isfinite(d) ? cJSON_CreateNumber(d) : cJSON_CreateNull());
    }
    double now_a = level_over(h, now, 0.4), st_a = level_over(h, now, 3.0);
    add_num(o, "level_dbfs_a", now_a);
    add_num(o, "shortterm_dbfs_a", st_a);
    add_num(o, "spl_a_db", spl_of(h, now_a));
    add_num(o, "shortterm_spl_a_db", spl_of(h, st_a));
    add_num(o, "shortterm_lufs", h->snap.have_lufs ? h->snap.lufs_st : NAN);
    add_num(o, "limiter_db", h->snap.limiter_db);
    cJSON_AddNumberToObject(o, "clipped", (double)h->snap.clipped);
    cJSON_AddNumberToObject(o, "xruns", (double)h->snap.xruns);
    add_num(o, "position_s", h->snap.position_s);
    pthread_mutex_unlock(&h->lock);
    hph_session_state ss;
    hph_session_state_get(h->session, &ss);
    add_num(o, "volume_db", ss.volume_db);
    cJSON_AddBoolToObject(o, "muted", ss.muted);
    return o;
}

void hph_http_publish(hph_http *h, const hph_http_snapshot *snap)
{
    double t = now_mono();
    pthread_mutex_lock(&h->lock);
    h->snap = *snap;
    h->snap.file = h->snap.format = h->snap.backend = h->snap.device = NULL;
    snprintf(h->file, sizeof h->file, "%s", snap->file ? snap->file : "");
    snprintf(h->format, sizeof h->format, "%s", snap->format ? snap->format : "");
    snprintf(h->backend, sizeof h->backend, "%s", snap->backend ? snap->backend : "");
    snprintf(h->device, sizeof h->device, "%s", snap->device ? snap->device : "");
    h->have_snap = 1;
    h->head = (h->head + 1) % HIST;
    hist_entry *e = &h->hist[h->head];
    e->t = t;
    memcpy(e->peak, snap->peak, sizeof e->peak);
    e->a_frames = snap->a_frames;
    memcpy(e->a_energy, snap->a_energy, sizeof e->a_energy);
    if (h->n_hist < HIST)
        h->n_hist++;
    pthread_mutex_unlock(&h->lock);
}

/* ---- GET dose, curves, presets, devices ---- */

static cJSON *dose_json(hph_http *h)
{
    cJSON *o = cJSON_CreateObject();
    pthread_mutex_lock(&h->lock);
    const hph_http_snapshot *sn = &h->snap;
    cJSON_AddBoolToObject(o, "recorded", sn->have_dose);
    if (sn->have_dose) {
        cJSON_AddNumberToObject(o, "mode", sn->dose_mode);
        cJSON_AddStringToObject(o, "allowance",
                                sn->dose_mode == 2 ? "75 dBA for 40 h a week" : "80 dBA for 40 h a week");
        add_num(o, "week_percent", sn->dose_percent);
    }
    cJSON *days = cJSON_AddArrayToObject(o, "days");
    for (int i = 0; sn->have_dose && i < HPA_DOSE_DAYS; i++) {
        const hph_dose_day *d = &sn->days[i];
        cJSON *day = cJSON_CreateObject();
        char date[32] = "";
        time_t t = (time_t)d->day_start;
        struct tm tm;
        if (localtime_r(&t, &tm))
            strftime(date, sizeof date, "%Y-%m-%d", &tm);
        cJSON_AddStringToObject(day, "date", date);
        cJSON_AddNumberToObject(day, "listened_s", d->listened_s);
        cJSON_AddNumberToObject(day, "pa2h", d->pa2h);
        add_num(day, "percent", hpa_dose_percent_of(d->pa2h, sn->dose_mode));
        cJSON_AddItemToArray(days, day);
    }
    pthread_mutex_unlock(&h->lock);
    return o;
}

static cJSON *curves_json(hph_http *h)
{
    double f[CURVE_POINTS], db[CURVE_POINTS];
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; i < CURVE_POINTS; i++)
        f[i] = 20.0 * pow(1000.0, (double)i / (CURVE_POINTS - 1));
    cJSON_AddItemToObject(o, "freq_hz", cJSON_CreateDoubleArray(f, CURVE_POINTS));
    pthread_mutex_lock(&h->lock); /* the bands change with POST preset */
    int eq_ok = h->n_bands && hpa_eq_response_db(h->bands, h->n_bands, h->eq_rate_hz, f, db, CURVE_POINTS) == HPA_OK;
    double preamp = h->preamp_db;
    pthread_mutex_unlock(&h->lock);
    if (eq_ok) {
        cJSON_AddItemToObject(o, "eq_db", cJSON_CreateDoubleArray(db, CURVE_POINTS));
        cJSON_AddNumberToObject(o, "eq_preamp_db", preamp);
    } else {
        cJSON_AddNullToObject(o, "eq_db");
        cJSON_AddNullToObject(o, "eq_preamp_db");
    }
    int zok = h->have_hp && isfinite(h->zout_ohm);
    for (int i = 0; zok && i < CURVE_POINTS; i++)
        zok = hpa_fr_deviation_at(&h->hp, h->zout_ohm, f[i], &db[i]) == HPA_OK;
    if (zok) {
        cJSON_AddItemToObject(o, "zout_db", cJSON_CreateDoubleArray(db, CURVE_POINTS));
        cJSON_AddNumberToObject(o, "zout_ohm", h->zout_ohm);
    } else {
        cJSON_AddNullToObject(o, "zout_db");
        cJSON_AddNullToObject(o, "zout_ohm");
    }
    return o;
}

static cJSON *presets_json(hph_http *h)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *b = cJSON_AddArrayToObject(o, "builtin");
    for (size_t i = 0; i < hpa_settings_builtin_count(); i++) {
        const char *name, *text;
        if (hpa_settings_builtin(i, &name, &text) == 0)
            cJSON_AddItemToArray(b, cJSON_CreateString(name));
    }
    cJSON *u = cJSON_AddArrayToObject(o, "user");
    static char names[256][104];
    static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&names_lock);
    size_t n = hph_preset_list_user(names, 256);
    for (size_t i = 0; i < n && i < 256; i++)
        cJSON_AddItemToArray(u, cJSON_CreateString(names[i]));
    pthread_mutex_unlock(&names_lock);
    pthread_mutex_lock(&h->lock);
    add_str(o, "current", h->preset);
    pthread_mutex_unlock(&h->lock);
    return o;
}

static cJSON *devices_json(hph_http *h)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *cur = cJSON_AddObjectToObject(o, "current");
    pthread_mutex_lock(&h->lock);
    add_str(cur, "backend", h->backend);
    add_str(cur, "name", h->device);
    cJSON_AddNumberToObject(cur, "rate_hz", h->snap.rate_hz);
    cJSON_AddNumberToObject(cur, "channels", h->snap.channels);
    add_str(cur, "format", h->format);
    pthread_mutex_unlock(&h->lock);
    cJSON *cards = cJSON_AddArrayToObject(o, "alsa_cards");
    int card = -1;
    while (snd_card_next(&card) == 0 && card >= 0) {
        char *name = NULL;
        cJSON *c = cJSON_CreateObject();
        cJSON_AddNumberToObject(c, "index", card);
        if (snd_card_get_name(card, &name) == 0 && name) {
            cJSON_AddStringToObject(c, "name", name);
            free(name);
        }
        char dev[32];
        snprintf(dev, sizeof dev, "alsa:hw:%d,0", card);
        cJSON_AddStringToObject(c, "device", dev);
        cJSON_AddItemToArray(cards, c);
    }
    return o;
}

/* ---- POST bodies ---- */

typedef struct req {
    char *body;
    size_t len;
    int too_big;
} req;

/* *out from a JSON switch: true, false or "toggle" (-1) */
static int parse_switch(const cJSON *v, double *out)
{
    if (cJSON_IsBool(v)) {
        *out = cJSON_IsTrue(v) ? 1.0 : 0.0;
        return 0;
    }
    if (cJSON_IsString(v) && !strcmp(v->valuestring, "toggle")) {
        *out = -1.0;
        return 0;
    }
    return -1;
}

/* the object's keys are all in allowed (NULL-terminated): 0, or -1 naming the stranger in *bad */
static int only_keys(const cJSON *o, const char *const *allowed, const char **bad)
{
    for (const cJSON *k = o->child; k; k = k->next) {
        int ok = 0;
        for (int i = 0; allowed[i] && !ok; i++)
            ok = k->string && !strcmp(k->string, allowed[i]);
        if (!ok) {
            *bad = k->string ? k->string : "?";
            return -1;
        }
    }
    return 0;
}

static enum MHD_Result post_switch(hph_http *h, struct MHD_Connection *c, const cJSON *b, hph_request what,
                                   const char *key, const char *name)
{
    const char *allowed[] = {key, NULL}, *bad;
    double v;
    if (only_keys(b, allowed, &bad))
        return send_error(h, c, 400, "%s: unknown field '%s' (takes {\"%s\": true, false or \"toggle\"})", name, bad,
                          key);
    if (parse_switch(cJSON_GetObjectItemCaseSensitive(b, key), &v))
        return send_error(h, c, 400, "%s takes {\"%s\": true, false or \"toggle\"}", name, key);
    double on = 0.0;
    hph_verdict vd = hph_session_request(h->session, what, v, &on);
    if (vd == HPH_UNAVAILABLE)
        return send_error(h, c, 409, "%s: nothing to switch (the player was started without it)", name);
    if (vd != HPH_DONE)
        return send_error(h, c, 400, "%s: not a valid request", name);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, key, on > 0.0);
    return send_json(h, c, 200, o);
}

static enum MHD_Result post_volume(hph_http *h, struct MHD_Connection *c, const cJSON *b)
{
    static const char *const allowed[] = {"db", "spl_db", "step_db", "acknowledge", NULL};
    const char *bad;
    char range[96];
    if (only_keys(b, allowed, &bad))
        return send_error(h, c, 400, "volume: unknown field '%s' (takes db, spl_db or step_db, and acknowledge)", bad);
    const cJSON *db = cJSON_GetObjectItemCaseSensitive(b, "db"), *spl = cJSON_GetObjectItemCaseSensitive(b, "spl_db"),
                *step = cJSON_GetObjectItemCaseSensitive(b, "step_db"),
                *ack = cJSON_GetObjectItemCaseSensitive(b, "acknowledge");
    if ((db != NULL) + (spl != NULL) + (step != NULL) != 1)
        return send_error(h, c, 400, "volume takes one of db, spl_db or step_db");
    const cJSON *v = db ? db : spl ? spl : step;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return send_error(h, c, 400, "volume: %s takes a number", v->string);
    if (ack && !cJSON_IsBool(ack))
        return send_error(h, c, 400, "volume: acknowledge takes true or false");
    const hpa_param_info *p = hpa_param_info_get(HPA_PARAM_VOLUME_DB);
    double x = v->valuedouble, lo = p->min_value, hi = p->max_value;
    hph_request what = HPH_REQ_VOLUME_DB;
    if (spl) {
        if (!h->safety.spl_known)
            return send_error(h, c, 409, "volume: dB SPL needs the headphones and the source (play -H and -S)");
        lo += h->safety.spl0_db;
        hi += h->safety.spl0_db;
        if (x < lo || x > hi)
            return send_error(h, c, 400, "volume: spl_db takes %s, not %g",
                              hpa_range_text(lo, hi, "dB SPL", range, sizeof range), x);
        x -= h->safety.spl0_db;
    } else if (step) {
        what = HPH_REQ_VOLUME_STEP;
        if (fabs(x) > hi - lo)
            return send_error(h, c, 400, "volume: step_db takes %s, not %g",
                              hpa_range_text(lo - hi, hi - lo, "dB", range, sizeof range), x);
    } else if (x < lo || x > hi) {
        return send_error(h, c, 400, "volume: db takes %s, not %g",
                          hpa_param_range_text(HPA_PARAM_VOLUME_DB, range, sizeof range), x);
    }
    if (ack && cJSON_IsTrue(ack))
        hph_session_request(h->session, HPH_REQ_ACKNOWLEDGE, 1.0, NULL);
    double applied = NAN;
    hph_verdict vd = hph_session_request(h->session, what, x, &applied);
    if (vd == HPH_INVALID)
        return send_error(h, c, 400, "volume: not a valid request");
    cJSON *o = cJSON_CreateObject();
    add_num(o, "volume_db", applied);
    add_num(o, "volume_spl_db", spl_of(h, applied));
    if (vd == HPH_NEEDS_ACK) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "volume: louder than the safe level (%+.1f dB%s) needs \"acknowledge\": true; held at %+.1f dB",
                 h->safety.loud_db, h->safety.spl_known ? ", 85 dB SPL" : "", applied);
        cJSON_AddStringToObject(o, "error", msg);
        cJSON_AddNumberToObject(o, "status", 409);
        cJSON_AddStringToObject(o, "verdict", "needs_acknowledge");
        return send_json(h, c, 409, o);
    }
    cJSON_AddStringToObject(o, "verdict", vd == HPH_AT_CEILING ? "at_ceiling" : "done");
    return send_json(h, c, 200, o);
}

static enum MHD_Result post_preset(hph_http *h, struct MHD_Connection *c, const cJSON *b)
{
    static const char *const allowed[] = {"name", NULL};
    const char *bad;
    if (only_keys(b, allowed, &bad))
        return send_error(h, c, 400, "preset: unknown field '%s' (takes {\"name\": NAME})", bad);
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(b, "name");
    if (!cJSON_IsString(n) || !n->valuestring[0] || strlen(n->valuestring) >= sizeof h->preset)
        return send_error(h, c, 400, "preset takes {\"name\": NAME} (a name from GET /api/v1/presets)");
    if (!h->apply_preset)
        return send_error(h, c, 409, "preset: this player cannot change its preset live");
    char why[512] = "";
    pthread_mutex_lock(&h->apply_lock);
    int r = h->apply_preset(h->apply_user, n->valuestring, why, sizeof why);
    if (r == HPH_HTTP_APPLIED) {
        pthread_mutex_lock(&h->lock);
        snprintf(h->preset, sizeof h->preset, "%s", n->valuestring);
        pthread_mutex_unlock(&h->lock);
    }
    pthread_mutex_unlock(&h->apply_lock);
    if (r == HPH_HTTP_NO_PRESET)
        return send_error(h, c, 404, "%s", why[0] ? why : "preset: no such preset");
    if (r != HPH_HTTP_APPLIED)
        return send_error(h, c, 409, "%s", why[0] ? why : "preset: cannot be applied");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "preset", n->valuestring);
    return send_json(h, c, 200, o);
}

void hph_http_set_eq(hph_http *h, const hpa_eq_band *bands, size_t n, double preamp_db, double rate_hz)
{
    hpa_eq_band *nb = n ? malloc(n * sizeof *nb) : NULL;
    if (n && !nb)
        n = 0; /* out of memory: no curve rather than the old one */
    if (n)
        memcpy(nb, bands, n * sizeof *nb);
    pthread_mutex_lock(&h->lock);
    hpa_eq_band *old = h->bands;
    h->bands = nb;
    h->n_bands = n;
    h->preamp_db = preamp_db;
    h->eq_rate_hz = rate_hz;
    pthread_mutex_unlock(&h->lock);
    free(old);
}

/* ---- server-sent events ---- */

typedef struct stream {
    hph_http *h;
    char buf[4096];
    size_t len, off;
    double next_t;
} stream;

static ssize_t events_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    stream *s = cls;
    if (s->off >= s->len) {
        double now = now_mono();
        while (now < s->next_t && !s->h->stopping) {
            double w = s->next_t - now;
            struct timespec ts = {0, (long)(fmin(w, 0.05) * 1e9)};
            nanosleep(&ts, NULL);
            now = now_mono();
        }
        if (s->h->stopping)
            return MHD_CONTENT_READER_END_OF_STREAM;
        s->next_t = fmax(s->next_t + 0.1, now - 0.05);
        cJSON *m = meters_json(s->h);
        char *j = m ? cJSON_PrintUnformatted(m) : NULL;
        cJSON_Delete(m);
        if (!j)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        int n = snprintf(s->buf, sizeof s->buf, "event: meters\ndata: %s\n\n", j);
        free(j);
        if (n < 0 || (size_t)n >= sizeof s->buf)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        s->len = (size_t)n;
        s->off = 0;
    }
    size_t k = s->len - s->off < max ? s->len - s->off : max;
    memcpy(buf, s->buf + s->off, k);
    s->off += k;
    return (ssize_t)k;
}

static enum MHD_Result send_events(hph_http *h, struct MHD_Connection *c)
{
    stream *s = calloc(1, sizeof *s);
    if (!s)
        return MHD_NO;
    s->h = h;
    s->next_t = now_mono();
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, events_read, s, free);
    if (!r) {
        free(s);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "text/event-stream");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ok = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ok;
}

/* ---- routing ---- */

static enum MHD_Result api(hph_http *h, struct MHD_Connection *c, const char *path, int post, const req *r)
{
    static const char *const gets[] = {"state", "presets", "dose", "curves", "devices", "events", NULL};
    static const char *const posts[] = {"volume", "mute", "eq", "crossfeed", "preset", NULL};
    int is_get = 0, is_post = 0;
    for (int i = 0; gets[i]; i++)
        is_get |= !strcmp(path, gets[i]);
    for (int i = 0; posts[i]; i++)
        is_post |= !strcmp(path, posts[i]);
    if (!is_get && !is_post)
        return send_error(h, c, 404, "no such API: /api/v1/%s", path);
    if (is_get != !post)
        return send_error(h, c, 405, "/api/v1/%s takes %s", path, is_get ? "GET" : "POST");
    if (is_get) {
        if (!strcmp(path, "events"))
            return send_events(h, c);
        cJSON *o = !strcmp(path, "state")     ? state_json(h)
                   : !strcmp(path, "presets") ? presets_json(h)
                   : !strcmp(path, "dose")    ? dose_json(h)
                   : !strcmp(path, "curves")  ? curves_json(h)
                                              : devices_json(h);
        return send_json(h, c, 200, o);
    }
    if (r->too_big)
        return send_error(h, c, 413, "request body over %d bytes", HPH_HTTP_BODY_MAX);
    cJSON *b = r->len ? cJSON_ParseWithLength(r->body, r->len) : NULL;
    if (!cJSON_IsObject(b)) {
        cJSON_Delete(b);
        return send_error(h, c, 400, "/api/v1/%s takes a JSON object", path);
    }
    enum MHD_Result ok;
    if (!strcmp(path, "volume"))
        ok = post_volume(h, c, b);
    else if (!strcmp(path, "mute"))
        ok = post_switch(h, c, b, HPH_REQ_MUTE, "mute", "mute");
    else if (!strcmp(path, "eq"))
        ok = post_switch(h, c, b, HPH_REQ_EQ, "on", "eq");
    else if (!strcmp(path, "preset"))
        ok = post_preset(h, c, b);
    else
        ok = post_switch(h, c, b, HPH_REQ_CROSSFEED, "on", "crossfeed");
    cJSON_Delete(b);
    return ok;
}

static enum MHD_Result page(hph_http *h, struct MHD_Connection *c, const char *url)
{
    const char *data, *type;
    size_t len;
    if (!strcmp(url, "/") || !strcmp(url, "/index.html")) {
        data = hpa_db_data_page, len = hpa_db_data_page_len, type = "text/html; charset=utf-8";
    } else if (!strcmp(url, "/app.js")) {
        data = hpa_db_data_script, len = hpa_db_data_script_len, type = "text/javascript; charset=utf-8";
    } else if (!strcmp(url, "/app.css")) {
        data = hpa_db_data_style, len = hpa_db_data_style_len, type = "text/css; charset=utf-8";
    } else {
        return send_error(h, c, 404, "not found: %s", url);
    }
    /* MHD takes a non-const pointer; with MHD_RESPMEM_PERSISTENT it only reads it */
    union {
        const char *in;
        void *out;
    } body = {.in = data};
    return send_body(h, c, 200, type, body.out, len, MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    hph_http *h = cls;
    req *r = *con_cls;
    int post = !strcmp(method, "POST");
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        *con_cls = r;
        /* the gates that need no body answer at once (the body is not read) */
        if (!host_ok(h, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host")))
            return send_error(h, c, 403, "the Host header must name this server (%s)", h->hosts[0]);
        if (!origin_ok(h, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin")))
            return send_error(h, c, 403, "cross-origin requests are refused");
        if (!strncmp(url, "/api/", 5) && !token_ok(h, c))
            return send_error(h, c, 401, "a valid token is needed (Authorization: Bearer TOKEN)");
        if (!post && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
            return send_error(h, c, 405, "method %s is not allowed", method);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > HPH_HTTP_BODY_MAX)
            return send_error(h, c, 413, "request body over %d bytes", HPH_HTTP_BODY_MAX);
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        if (!r->too_big && r->len + n <= HPH_HTTP_BODY_MAX) {
            char *nb = realloc(r->body, r->len + n + 1);
            if (!nb)
                return MHD_NO;
            r->body = nb;
            memcpy(r->body + r->len, upload, n);
            r->len += n;
        } else {
            r->too_big = 1;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (!strncmp(url, "/api/v1/", 8))
        return api(h, c, url + 8, post, r);
    if (!strncmp(url, "/api/", 5))
        return send_error(h, c, 404, "no such API: %s (this server speaks /api/v1/)", url);
    if (post)
        return send_error(h, c, 405, "%s takes GET", url);
    return page(h, c, url);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    req *r = *con_cls;
    if (r) {
        free(r->body);
        free(r);
        *con_cls = NULL;
    }
}

static void quiet_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    (void)fmt;
    (void)ap;
}

/* ---- the token ---- */

static int make_token(char *out)
{
    unsigned char raw[HPH_HTTP_TOKEN_LEN / 2];
    size_t got = 0;
    while (got < sizeof raw) {
        ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

/* the token to dir/http-PORT.token, mode 0600, whole or not at all */
static int write_token(hph_http *h, const char *dir, uint16_t port, char *why, size_t why_len)
{
    if (mkdir(dir, 0700) && errno != EEXIST) {
        say(why, why_len, "%s: %s", dir, strerror(errno));
        return -1;
    }
    struct stat st;
    if (lstat(dir, &st) || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077)) {
        say(why, why_len, "%s: not a private folder of this user", dir);
        return -1;
    }
    char tmp[1200];
    snprintf(h->token_path, sizeof h->token_path, "%s/http-%u.token", dir, (unsigned)port);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", h->token_path, (long)getpid());
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        say(why, why_len, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    char line[HPH_HTTP_TOKEN_LEN + 2];
    snprintf(line, sizeof line, "%s\n", h->token);
    int bad = fchmod(fd, 0600) || write(fd, line, strlen(line)) != (ssize_t)strlen(line);
    bad |= close(fd) != 0;
    if (bad || rename(tmp, h->token_path)) {
        say(why, why_len, "%s: %s", h->token_path, strerror(errno));
        unlink(tmp);
        h->token_path[0] = 0;
        return -1;
    }
    return 0;
}

/* ---- start and stop ---- */

static void add_host(hph_http *h, const char *addr, int v6, uint16_t port)
{
    if (h->n_hosts < N_HOSTS)
        snprintf(h->hosts[h->n_hosts++], sizeof h->hosts[0], v6 ? "[%s]:%u" : "%s:%u", addr, (unsigned)port);
}

hph_http *hph_http_start(const hph_http_config *cfg, char *url, size_t url_len, char *token_path, size_t path_len,
                         char *why, size_t why_len)
{
    char addr[64];
    uint16_t port;
    int explicit_addr;
    if (hph_http_parse_listen(cfg->listen, addr, sizeof addr, &port, &explicit_addr)) {
        say(why, why_len, "--http takes [ADDR:]PORT (a numeric address, a port 0..65535), not '%s'",
            cfg->listen ? cfg->listen : "");
        return NULL;
    }
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    int v6 = strchr(addr, ':') != NULL;
    if (v6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        inet_pton(AF_INET6, addr, &s6->sin6_addr);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        inet_pton(AF_INET, addr, &s4->sin_addr);
    }
    hph_http *h = calloc(1, sizeof *h);
    if (!h) {
        say(why, why_len, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&h->lock, NULL);
    pthread_mutex_init(&h->apply_lock, NULL);
    h->apply_preset = cfg->apply_preset;
    h->apply_user = cfg->apply_user;
    snprintf(h->preset, sizeof h->preset, "%s", cfg->preset ? cfg->preset : "");
    h->session = cfg->session;
    h->safety = cfg->safety;
    h->zout_ohm = cfg->zout_ohm;
    if (cfg->headphone) {
        h->hp = *cfg->headphone;
        h->have_hp = 1;
    }
    snprintf(h->headphones, sizeof h->headphones, "%s", cfg->headphones ? cfg->headphones : "");
    snprintf(h->source, sizeof h->source, "%s", cfg->source ? cfg->source : "");
    snprintf(h->profile, sizeof h->profile, "%s", cfg->profile ? cfg->profile : "");
    if (cfg->n_eq_bands && cfg->eq_bands) {
        h->bands = calloc(cfg->n_eq_bands, sizeof *h->bands);
        if (!h->bands) {
            say(why, why_len, "out of memory");
            hph_http_stop(h);
            return NULL;
        }
        memcpy(h->bands, cfg->eq_bands, cfg->n_eq_bands * sizeof *h->bands);
        h->n_bands = cfg->n_eq_bands;
        h->preamp_db = cfg->eq_preamp_db;
        h->eq_rate_hz = cfg->eq_rate_hz;
    }
    if (make_token(h->token)) {
        say(why, why_len, "no random numbers for the token: %s", strerror(errno));
        hph_http_stop(h);
        return NULL;
    }
    h->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | (v6 ? MHD_USE_IPv6 : 0),
                            port, NULL, NULL, handle, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, h, MHD_OPTION_CONNECTION_LIMIT, 256u,
                            MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_EXTERNAL_LOGGER, quiet_log, NULL,
                            MHD_OPTION_END);
    if (!h->d) {
        say(why, why_len, "cannot listen on %s%s%s:%u (%s)", v6 ? "[" : "", addr, v6 ? "]" : "", (unsigned)port,
            errno ? strerror(errno) : "port in use?");
        hph_http_stop(h);
        return NULL;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    if (di && di->port)
        port = di->port;
    /* the names a browser may use for this server */
    add_host(h, addr, v6, port);
    if (!explicit_addr || !strcmp(addr, "127.0.0.1") || !strcmp(addr, "::1")) {
        add_host(h, "localhost", 0, port);
        if (strcmp(addr, "127.0.0.1") != 0)
            add_host(h, "127.0.0.1", 0, port);
        if (strcmp(addr, "::1") != 0)
            add_host(h, "::1", 1, port);
    }
    if (token_path && path_len)
        token_path[0] = 0;
    char dir[1024];
    const char *rt = getenv("XDG_RUNTIME_DIR");
    if (cfg->token_dir)
        snprintf(dir, sizeof dir, "%s", cfg->token_dir);
    else if (rt && rt[0] == '/')
        snprintf(dir, sizeof dir, "%s/hpamp", rt);
    else
        dir[0] = 0;
    if (dir[0] && write_token(h, dir, port, why, why_len)) {
        hph_http_stop(h);
        return NULL;
    }
    if (token_path && path_len)
        snprintf(token_path, path_len, "%s", h->token_path);
    snprintf(url, url_len, "http://%s/#token=%s", h->hosts[0], h->token);
    return h;
}

void hph_http_counts(hph_http *h, uint64_t *served, uint64_t *refused)
{
    pthread_mutex_lock(&h->lock);
    *served = h->served;
    *refused = h->refused;
    pthread_mutex_unlock(&h->lock);
}

void hph_http_stop(hph_http *h)
{
    if (!h)
        return;
    h->stopping = 1;
    if (h->d)
        MHD_stop_daemon(h->d);
    if (h->token_path[0])
        unlink(h->token_path);
    free(h->bands);
    pthread_mutex_destroy(&h->lock);
    pthread_mutex_destroy(&h->apply_lock);
    free(h);
}
