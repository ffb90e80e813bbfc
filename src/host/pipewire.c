/* pipewire.c — playback as a native PipeWire stream (libpipewire-0.3).
 *
 * A pw_thread_loop runs PipeWire's events; the stream is made with
 * PW_STREAM_FLAG_RT_PROCESS, so its process callback runs on PipeWire's data
 * thread, which is the audio thread: it dequeues a buffer, lets the render
 * callback (the chain) fill the frames the graph asks for, and queues it.
 * Nothing else happens there.
 *
 * Before connecting, the server's "settings" metadata tells the graph's rate
 * (clock.rate, clock.force-rate, clock.allowed-rates): the stream asks for the
 * file's rate when the graph may switch to it, and otherwise for the graph's
 * rate, so that the chain (libsoxr) resamples rather than PipeWire.  The sink
 * list tells whether a named target exists, so `--device pipewire:NAME` for a
 * missing NAME fails at once with a clear message instead of waiting. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <pipewire/pipewire.h>
#include <pipewire/extensions/metadata.h>
#include <spa/param/audio/format-utils.h>
#include <spa/pod/builder.h>
#include <spa/utils/result.h>

#include "backend.h"
#include "pwutil.h"
#include "rtprobe.h"

#define MAX_RENDER 8192u /* PipeWire's default quantum limit */
#define MAX_SINKS 32

typedef struct pw_dev {
    hph_device base;
    hph_device_request req;
    hph_device_info info;

    struct pw_thread_loop *loop;
    struct pw_context *ctx;
    struct pw_core *core;
    struct spa_hook core_listener;
    struct pw_registry *registry;
    struct spa_hook registry_listener;
    struct pw_metadata *settings;
    struct spa_hook settings_listener;
    struct pw_metadata *defaults;
    struct spa_hook defaults_listener;
    struct pw_stream *stream;
    struct spa_hook stream_listener;

    int sync_seq, synced;
    uint32_t settings_id;
    uint32_t clock_rate, force_rate, allowed[16];
    int n_allowed;
    char sinks[MAX_SINKS][3][96]; /* node.name, object.serial, id */
    int n_sinks;
    char default_sink[96];
    enum pw_stream_state state;
    int negotiated; /* the server accepted our format */
    int drained;
    int started; /* data thread: tried to get real-time priority */
    size_t stride;

    atomic_int failed;
    atomic_int running; /* started: the process callback renders (silence before) */
    atomic_int ended;   /* the render callback said the stream ended */
    atomic_int finished;
    _Atomic uint64_t underruns; /* buffers padded because the decoder was late, or none to fill */
    _Atomic uint64_t callbacks;
    char message[256];
} pw_dev;

static void set_failed(pw_dev *d, const char *fmt, const char *a, const char *b)
{
    if (atomic_load(&d->failed))
        return;
    snprintf(d->message, sizeof d->message, fmt, a, b);
    atomic_store_explicit(&d->failed, 1, memory_order_release);
}

/* ---- core, registry and settings ---- */

static void on_core_done(void *data, uint32_t id, int seq)
{
    pw_dev *d = data;
    if (id == PW_ID_CORE && seq == d->sync_seq) {
        d->synced = 1;
        pw_thread_loop_signal(d->loop, false);
    }
}

static void on_core_error(void *data, uint32_t id, int seq, int res, const char *message)
{
    pw_dev *d = data;
    (void)seq;
    if (id == PW_ID_CORE) {
        if (res == -EPIPE)
            set_failed(d, "the PipeWire server went away (%s%s)", spa_strerror(res), "");
        else
            set_failed(d, "PipeWire error: %s (%s)", message ? message : "?", spa_strerror(res));
        pw_thread_loop_signal(d->loop, false);
    }
}

static const struct pw_core_events core_events = {
    .version = PW_VERSION_CORE_EVENTS,
    .done = on_core_done,
    .error = on_core_error,
};

static void parse_allowed(pw_dev *d, const char *v)
{
    d->n_allowed = 0;
    while (*v && d->n_allowed < 16) {
        while (*v && (*v < '0' || *v > '9'))
            v++;
        if (!*v)
            break;
        char *end;
        unsigned long r = strtoul(v, &end, 10);
        d->allowed[d->n_allowed++] = (uint32_t)r;
        v = end;
    }
}

static int on_settings_property(void *data, uint32_t subject, const char *key, const char *type, const char *value)
{
    pw_dev *d = data;
    (void)type;
    if (subject != PW_ID_CORE || !key || !value)
        return 0;
    if (!strcmp(key, "clock.rate"))
        d->clock_rate = (uint32_t)strtoul(value, NULL, 10);
    else if (!strcmp(key, "clock.force-rate"))
        d->force_rate = (uint32_t)strtoul(value, NULL, 10);
    else if (!strcmp(key, "clock.allowed-rates"))
        parse_allowed(d, value);
    return 0;
}

static const struct pw_metadata_events settings_events = {
    .version = PW_VERSION_METADATA_EVENTS,
    .property = on_settings_property,
};

static int on_default_property(void *data, uint32_t subject, const char *key, const char *type, const char *value)
{
    pw_dev *d = data;
    (void)type;
    if (subject == PW_ID_CORE && key && value && !strcmp(key, "default.audio.sink"))
        hph_pw_json_name(value, d->default_sink, sizeof d->default_sink);
    return 0;
}

static const struct pw_metadata_events default_events = {
    .version = PW_VERSION_METADATA_EVENTS,
    .property = on_default_property,
};

static void on_global(void *data, uint32_t id, uint32_t permissions, const char *type, uint32_t version,
                      const struct spa_dict *props)
{
    pw_dev *d = data;
    (void)permissions, (void)version;
    if (!props)
        return;
    if (hph_pw_bind_metadata(d->registry, id, type, props, "settings", &d->settings, &d->settings_listener,
                             &settings_events, d) ||
        hph_pw_bind_metadata(d->registry, id, type, props, "default", &d->defaults, &d->defaults_listener,
                             &default_events, d))
        return;
    if (!strcmp(type, PW_TYPE_INTERFACE_Node) && d->n_sinks < MAX_SINKS) {
        const char *cls = spa_dict_lookup(props, PW_KEY_MEDIA_CLASS);
        if (cls && !strcmp(cls, "Audio/Sink")) {
            const char *nm = spa_dict_lookup(props, PW_KEY_NODE_NAME);
            const char *serial = spa_dict_lookup(props, PW_KEY_OBJECT_SERIAL);
            snprintf(d->sinks[d->n_sinks][0], 96, "%s", nm ? nm : "");
            snprintf(d->sinks[d->n_sinks][1], 96, "%s", serial ? serial : "");
            snprintf(d->sinks[d->n_sinks][2], 96, "%u", id);
            d->n_sinks++;
        }
    }
}

static const struct pw_registry_events registry_events = {
    .version = PW_VERSION_REGISTRY_EVENTS,
    .global = on_global,
};

/* with the loop locked: wait until the server has answered everything sent so far */
static int roundtrip(pw_dev *d)
{
    d->synced = 0;
    d->sync_seq = pw_core_sync(d->core, PW_ID_CORE, d->sync_seq);
    while (!d->synced && !atomic_load(&d->failed))
        if (pw_thread_loop_timed_wait(d->loop, 5) != 0)
            return -ETIMEDOUT;
    return atomic_load(&d->failed) ? -EIO : 0;
}

/* ---- the stream ---- */

static void on_state_changed(void *data, enum pw_stream_state old, enum pw_stream_state state, const char *error)
{
    pw_dev *d = data;
    (void)old;
    d->state = state;
    if (state == PW_STREAM_STATE_ERROR)
        set_failed(d, "PipeWire stream failed: %s%s", error ? error : "unknown error", "");
    else if (state == PW_STREAM_STATE_UNCONNECTED && d->started)
        set_failed(d, "PipeWire disconnected the stream (the sink went away?)%s%s", "", "");
    pw_thread_loop_signal(d->loop, false);
}

static void on_param_changed(void *data, uint32_t id, const struct spa_pod *param)
{
    pw_dev *d = data;
    if (id == SPA_PARAM_Format && param)
        d->negotiated = 1;
    pw_thread_loop_signal(d->loop, false);
}

/* [RT] PipeWire's data thread: the audio thread */
static void on_process(void *data)
{
    pw_dev *d = data;
    hph_rt_enter();
    atomic_fetch_add_explicit(&d->callbacks, 1, memory_order_relaxed);
    struct pw_buffer *b = pw_stream_dequeue_buffer(d->stream);
    if (!b) {
        atomic_fetch_add_explicit(&d->underruns, 1, memory_order_relaxed);
        hph_rt_leave();
        return;
    }
    struct spa_data *sd = &b->buffer->datas[0];
    size_t n = 0;
    if (sd->data) {
        size_t max = sd->maxsize / d->stride;
        n = b->requested ? (size_t)b->requested : d->info.period_frames;
        if (n > max)
            n = max;
        if (n > MAX_RENDER)
            n = MAX_RENDER;
        int ended = 0;
        size_t got = 0;
        const int running = atomic_load_explicit(&d->running, memory_order_acquire);
        if (running && !atomic_load_explicit(&d->ended, memory_order_relaxed))
            got = d->req.render(d->req.user, sd->data, n, &ended);
        if (got < n) {
            memset((unsigned char *)sd->data + got * d->stride, 0, (n - got) * d->stride);
            if (running && !ended && !atomic_load_explicit(&d->ended, memory_order_relaxed))
                atomic_fetch_add_explicit(&d->underruns, 1, memory_order_relaxed);
        }
        if (ended)
            atomic_store_explicit(&d->ended, 1, memory_order_release);
        sd->chunk->offset = 0;
        sd->chunk->stride = (int32_t)d->stride;
        sd->chunk->size = (uint32_t)(n * d->stride);
    }
    pw_stream_queue_buffer(d->stream, b);
    hph_rt_leave();
}

static void on_drained(void *data)
{
    pw_dev *d = data;
    d->drained = 1;
    pw_thread_loop_signal(d->loop, false);
}

static const struct pw_stream_events stream_events = {
    .version = PW_VERSION_STREAM_EVENTS,
    .state_changed = on_state_changed,
    .param_changed = on_param_changed,
    .process = on_process,
    .drained = on_drained,
};

static enum spa_audio_format spa_format(hph_dev_format f)
{
    switch (f) {
    case HPH_DEV_S16: return SPA_AUDIO_FORMAT_S16_LE;
    case HPH_DEV_S24: return SPA_AUDIO_FORMAT_S24_32_LE;
    case HPH_DEV_S32: return SPA_AUDIO_FORMAT_S32_LE;
    default: return SPA_AUDIO_FORMAT_F32_LE;
    }
}

/* ---- device ops ---- */

static int pwd_start(hph_device *base)
{
    pw_dev *d = (pw_dev *)base;
    pw_thread_loop_lock(d->loop);
    d->started = 1;
    atomic_store_explicit(&d->running, 1, memory_order_release);
    pw_thread_loop_unlock(d->loop);
    return 0;
}

static void pwd_poll(hph_device *base, hph_device_status *st)
{
    pw_dev *d = (pw_dev *)base;
    memset(st, 0, sizeof *st);
    /* the stream ended: let PipeWire play out what is queued, then report */
    if (atomic_load_explicit(&d->ended, memory_order_acquire) && !atomic_load(&d->finished) &&
        !atomic_load(&d->failed)) {
        pw_thread_loop_lock(d->loop);
        d->drained = 0;
        pw_stream_flush(d->stream, true);
        struct timespec t0, t;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        do { /* 3 s at most: a stream that never reports drained still ends */
            pw_thread_loop_timed_wait(d->loop, 1);
            clock_gettime(CLOCK_MONOTONIC, &t);
        } while (!d->drained && !atomic_load(&d->failed) && t.tv_sec - t0.tv_sec < 3);
        pw_thread_loop_unlock(d->loop);
        atomic_store(&d->finished, 1);
    }
    st->xruns = atomic_load_explicit(&d->underruns, memory_order_relaxed);
    st->callbacks = atomic_load_explicit(&d->callbacks, memory_order_relaxed);
    st->failed = atomic_load_explicit(&d->failed, memory_order_acquire);
    st->finished = atomic_load(&d->finished);
    if (st->failed)
        snprintf(st->message, sizeof st->message, "%s", d->message);
}

static void pwd_stop(hph_device *base)
{
    pw_dev *d = (pw_dev *)base;
    if (!d->loop)
        return;
    pw_thread_loop_lock(d->loop);
    atomic_store_explicit(&d->running, 0, memory_order_release);
    if (d->stream)
        pw_stream_set_active(d->stream, false);
    pw_thread_loop_unlock(d->loop);
}

static void pwd_close(hph_device *base)
{
    pw_dev *d = (pw_dev *)base;
    if (d->loop) {
        pw_thread_loop_lock(d->loop);
        if (d->stream) {
            d->started = 0;
            pw_stream_destroy(d->stream);
        }
        hph_pw_unbind_metadata(&d->defaults, &d->defaults_listener);
        hph_pw_unbind_metadata(&d->settings, &d->settings_listener);
        hph_pw_end(d->loop, d->ctx, d->registry, &d->registry_listener, d->core, &d->core_listener);
    }
    free(d);
}

static const hph_device_ops pw_ops = {pwd_start, pwd_poll, pwd_stop, pwd_close};

static int rate_allowed(const pw_dev *d, uint32_t rate)
{
    for (int i = 0; i < d->n_allowed; i++)
        if (d->allowed[i] == rate)
            return 1;
    return 0;
}

#define WHY(...) snprintf(why, why_len, __VA_ARGS__)

int hph_pipewire_open(const hph_device_request *req, hph_device **out, hph_device_info *info, char *why, size_t why_len)
{
    const char *target = req->name && *req->name ? req->name : NULL;
    int err = 0;
    /* PipeWire's streams take no packed 24-bit here (the buffer is filled in
     * place, 4 bytes a sample): the first other format preferred */
    hph_dev_format fmt = HPH_DEV_FORMAT_COUNT;
    for (int i = 0; i < req->n_prefer && fmt == HPH_DEV_FORMAT_COUNT; i++)
        if (req->prefer[i] != HPH_DEV_S24_3LE)
            fmt = req->prefer[i];
    if (fmt == HPH_DEV_FORMAT_COUNT) {
        WHY("PipeWire takes S16_LE, S24_LE, S32_LE or FLOAT_LE, not S24_3LE");
        return -EINVAL;
    }
    pw_dev *d = calloc(1, sizeof *d);
    if (!d) {
        WHY("out of memory");
        return -ENOMEM;
    }
    d->base.ops = &pw_ops;
    d->req = *req;
    d->info.backend = HPH_BACKEND_PIPEWIRE;
    if (hph_pw_loop_start("hpamp-pw", &d->loop, &d->ctx, why, why_len)) {
        free(d);
        return -EIO;
    }
    pw_thread_loop_lock(d->loop);
    d->core = pw_context_connect(d->ctx, NULL, 0);
    if (!d->core) {
        err = -errno;
        WHY("no PipeWire server is running (%s)", strerror(errno));
        goto fail_locked;
    }
    pw_core_add_listener(d->core, &d->core_listener, &core_events, d);
    d->registry = pw_core_get_registry(d->core, PW_VERSION_REGISTRY, 0);
    pw_registry_add_listener(d->registry, &d->registry_listener, &registry_events, d);
    /* two round trips: the globals, then the metadata bound from them */
    int late = roundtrip(d);
    if (!late)
        late = roundtrip(d);
    if (late) {
        WHY("the PipeWire server does not answer%s%s", atomic_load(&d->failed) ? ": " : "",
            atomic_load(&d->failed) ? d->message : "");
        err = -ETIMEDOUT;
        goto fail_locked;
    }

    if (target) {
        int found = 0;
        for (int i = 0; i < d->n_sinks && !found; i++)
            for (int k = 0; k < 3; k++)
                found |= !strcmp(d->sinks[i][k], target);
        if (!found) {
            char list[256] = "";
            for (int i = 0; i < d->n_sinks; i++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", d->sinks[i][0]);
            WHY("PipeWire has no sink '%s' (sinks: %s)", target, d->n_sinks ? list : "none");
            err = -ENOENT;
            goto fail_locked;
        }
    } else if (d->n_sinks == 0) {
        WHY("PipeWire has no audio sink to play to%s", "");
        err = -ENOENT;
        goto fail_locked;
    }

    /* the rate: the file's when the graph may run at it, else the graph's */
    uint32_t rate = req->rate_hz;
    uint32_t graph = d->force_rate ? d->force_rate : d->clock_rate ? d->clock_rate : 48000;
    int may_switch = !d->force_rate && rate_allowed(d, rate);
    if (rate != graph && !may_switch)
        rate = graph;

    struct pw_properties *props = pw_properties_new(PW_KEY_MEDIA_TYPE, "Audio", PW_KEY_MEDIA_CATEGORY, "Playback",
                                                    PW_KEY_MEDIA_ROLE, "Music", PW_KEY_APP_NAME,
                                                    req->app_name ? req->app_name : "hpamp", PW_KEY_NODE_NAME,
                                                    req->app_name ? req->app_name : "hpamp", NULL);
    pw_properties_setf(props, PW_KEY_NODE_LATENCY, "%u/%u", req->period_frames, rate);
    if (may_switch)
        pw_properties_setf(props, PW_KEY_NODE_RATE, "1/%u", rate);
    if (target) {
        pw_properties_set(props, PW_KEY_TARGET_OBJECT, target);
        pw_properties_set(props, PW_KEY_NODE_DONT_RECONNECT, "true");
    }
    d->stream = pw_stream_new(d->core, "hpamp playback", props);
    if (!d->stream) {
        WHY("cannot make a PipeWire stream: %s", strerror(errno));
        err = -EIO;
        goto fail_locked;
    }
    pw_stream_add_listener(d->stream, &d->stream_listener, &stream_events, d);

    uint8_t pod_buf[1024];
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(pod_buf, sizeof pod_buf);
    const struct spa_pod *params[1] = {hph_pw_format_pod(&b, spa_format(fmt), rate, req->channels)};
    d->stride = req->channels * hph_dev_format_bytes(fmt);
    d->info.rate_hz = rate;
    d->info.channels = req->channels;
    d->info.format = fmt;
    d->info.chain_format = hph_dev_format_chain(fmt);
    d->info.period_frames = req->period_frames;
    d->info.buffer_frames = 0;
    d->info.max_render_frames = MAX_RENDER;
    snprintf(d->info.name, sizeof d->info.name, "%s",
             target               ? target
             : d->default_sink[0] ? d->default_sink
                                  : "default");

    err = pw_stream_connect(d->stream, PW_DIRECTION_OUTPUT, PW_ID_ANY,
                            PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS | PW_STREAM_FLAG_RT_PROCESS, params,
                            1);
    if (err < 0) {
        WHY("cannot connect the PipeWire stream: %s", spa_strerror(err));
        goto fail_locked;
    }
    /* wait for the link and the format, 5 s at most; until started the
     * process callback plays silence */
    for (int i = 0; i < 5 && !atomic_load(&d->failed) && !(d->negotiated && d->state >= PW_STREAM_STATE_PAUSED);)
        if (pw_thread_loop_timed_wait(d->loop, 1) != 0)
            i++;
    if (atomic_load(&d->failed)) {
        WHY("%s", d->message);
        err = -EIO;
        goto fail_locked;
    }
    if (!d->negotiated || d->state < PW_STREAM_STATE_PAUSED) {
        WHY("PipeWire did not link the stream to a sink within 5 s (is WirePlumber running?)%s", "");
        err = -ETIMEDOUT;
        goto fail_locked;
    }
    pw_thread_loop_unlock(d->loop);
    *info = d->info;
    *out = &d->base;
    return 0;

fail_locked:
    pw_thread_loop_unlock(d->loop);
    pwd_close(&d->base);
    return err ? err : -EIO;
}

int hph_pipewire_available(void)
{
    const char *remote = getenv("PIPEWIRE_REMOTE");
    const char *dir = getenv("PIPEWIRE_RUNTIME_DIR");
    if (!dir || !*dir)
        dir = getenv("XDG_RUNTIME_DIR");
    if (!remote || !*remote)
        remote = "pipewire-0";
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int n = remote[0] == '/' ? snprintf(sa.sun_path, sizeof sa.sun_path, "%s", remote)
                             : snprintf(sa.sun_path, sizeof sa.sun_path, "%s/%s", dir ? dir : "", remote);
    if (n <= 0 || (size_t)n >= sizeof sa.sun_path || (remote[0] != '/' && (!dir || !*dir)))
        return 0;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    int ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return ok;
}
