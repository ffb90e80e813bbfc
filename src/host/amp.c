/* amp.c — `hpamp amp`'s PipeWire sink and output (see <hpamp/host/amp.h>). */
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pipewire/pipewire.h>
#include <pipewire/extensions/metadata.h>
#include <spa/param/audio/format-utils.h>
#include <spa/pod/builder.h>
#include <spa/utils/result.h>

#include <hpamp/params.h>

#include <hpamp/host/amp.h>
#include <hpamp/host/session.h>

#include "pwutil.h"
#include "rtprobe.h"

#define LOOKAHEAD_MS 1.5    /* the limiter's: the ceiling is held in true peak */
#define RAMP_BELOW_DB 40.0  /* a ramp starts this far below the start level */
#define RAMP_DB_PER_S 100.0 /* and rises this fast */
#define VOLUME_FLOOR_DB (hpa_param_info_get(HPA_PARAM_VOLUME_DB)->min_value)

const char *const hph_amp_key_names[HPH_AMP_NKEYS] = {
    "node.name",          "node.description",    "node.nick",       "object.serial",    "alsa.card_name",
    "api.alsa.card.name", "api.alsa.path",       "device.bus",      "device.vendor.id", "device.product.id",
    "api.bluez5.address", "device.profile.name", "node.link-group",
};

static uint64_t d2u(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

static double u2d(uint64_t u)
{
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

/* ---- the dsp ---- */

hph_amp_dsp *hph_amp_dsp_new(const hph_amp_dsp_config *cfg, char *why, size_t why_len)
{
    hph_amp_dsp *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(why, why_len, "out of memory");
        return NULL;
    }
    hpa_chain_config cc;
    hpa_chain_config_init(&cc);
    cc.in_rate_hz = cc.out_rate_hz = cfg->rate_hz;
    cc.channels = HPH_AMP_CHANNELS;
    cc.max_block_frames = HPH_AMP_MAX_BLOCK;
    cc.in_format = cc.out_format = HPA_FORMAT_F32;
    cc.dither = HPA_DITHER_NONE; /* float out: nothing to requantize */
    cc.volume_db = VOLUME_FLOOR_DB;
    cc.max_volume_db = cfg->max_volume_db;
    cc.limiter_lookahead_ms = LOOKAHEAD_MS;
    if (cfg->n_eq_bands > cc.max_eq_bands)
        cc.max_eq_bands = (uint32_t)cfg->n_eq_bands;
    int err = hpa_chain_create(&cc, &d->chain);
    if (!err && cfg->n_eq_bands)
        err = hpa_chain_set_eq(d->chain, cfg->eq_bands, cfg->n_eq_bands, cfg->eq_preamp_db, NULL, NULL);
    if (!err && cfg->crossfeed) {
        err = hpa_chain_set_param(d->chain, HPA_PARAM_CROSSFEED_FCUT_HZ, cfg->xf_fcut_hz);
        if (!err)
            err = hpa_chain_set_param(d->chain, HPA_PARAM_CROSSFEED_FEED_DB, cfg->xf_feed_db);
        if (!err)
            err = hpa_chain_set_param(d->chain, HPA_PARAM_CROSSFEED_ENABLE, 1.0);
    }
    if (!err)
        err = hpa_chain_set_param(d->chain, HPA_PARAM_LIMITER_CEILING_DBTP, cfg->limit_dbtp);
    if (!err)
        err = hpa_chain_set_param(d->chain, HPA_PARAM_LIMITER_ENABLE, 1.0);
    if (!err) {
        d->scratch_frames = hpa_chain_max_out_frames(d->chain);
        d->scratch = calloc(d->scratch_frames * HPH_AMP_CHANNELS, sizeof(float));
        if (!d->scratch)
            err = HPA_ERR_NO_MEMORY;
    }
    if (!err && hpa_meter_create(HPH_AMP_CHANNELS, cfg->rate_hz, HPA_METER_AWEIGHT, NULL, &d->aw) != HPA_OK)
        err = HPA_ERR_INVALID_ARG;
    if (!err) {
        /* the lookahead's frames: silence in now, so that from here on a
         * process call gives back as many frames as it takes */
        size_t lat = (size_t)llround(hpa_chain_latency_frames(d->chain)), got = 0;
        float *zeros = lat ? calloc(lat * HPH_AMP_CHANNELS, sizeof(float)) : NULL;
        if (lat && !zeros)
            err = HPA_ERR_NO_MEMORY;
        else if (lat && lat <= HPH_AMP_MAX_BLOCK)
            err = hpa_chain_process(d->chain, zeros, lat, d->scratch, d->scratch_frames, &got);
        if (!err && got) /* the lookahead swallows exactly its latency */
            err = HPA_ERR_STATE;
        free(zeros);
    }
    if (err) {
        snprintf(why, why_len, "cannot make the chain at %u Hz: %s", cfg->rate_hz, hpa_strerror(err));
        hph_amp_dsp_free(d);
        return NULL;
    }
    d->rate_hz = cfg->rate_hz;
    d->dose = cfg->dose;
    d->start_db = cfg->start_db;
    d->has_eq = cfg->n_eq_bands > 0;
    d->has_xf = cfg->crossfeed;
    return d;
}

void hph_amp_dsp_free(hph_amp_dsp *d)
{
    if (!d)
        return;
    hpa_chain_destroy(d->chain);
    hpa_meter_destroy(d->aw);
    free(d->scratch);
    free(d);
}

/* ---- the engine ---- */

struct hph_amp_engine {
    struct pw_thread_loop *loop;
    struct pw_context *ctx;
    struct pw_core *core;
    struct spa_hook core_listener;
    struct pw_registry *registry;
    struct spa_hook registry_listener;
    struct pw_metadata *defaults;
    struct spa_hook defaults_listener;
    struct pw_stream *capture, *playback;
    struct spa_hook capture_listener, playback_listener;
    int sync_seq, synced;
    hph_session *session; /* the listening policy over this engine */

    hph_amp_output outputs[HPH_AMP_MAX_OUTPUTS]; /* the loop thread's; copied under the lock */
    int n_outputs;
    /* each output's node, bound for its full properties (the registry's are
     * a few); slots never move: their hooks are linked by address */
    struct out_proxy {
        hph_amp_engine *e;
        uint32_t id;
        struct pw_proxy *proxy;
        struct spa_hook hook;
    } proxies[HPH_AMP_MAX_OUTPUTS];
    char sources[HPH_AMP_MAX_OUTPUTS][3][128]; /* Audio/Source nodes: name, serial, id */
    int n_sources;
    hph_amp_state st;
    char output[128];               /* the playback stream's target, "" none */
    enum pw_stream_state out_state; /* the playback stream's */
    int out_connected;
    char group[64];

    /* shared with the audio thread */
    atomic_int out_ok;    /* the control thread lets the audio thread touch the playback stream */
    atomic_int in_cb;     /* the audio thread is inside the playback callback */
    atomic_int gate;      /* 1: the chain's output, 0: silence */
    atomic_uint ramp_gen; /* a new ramp from the start level - 40 dB */
    _Atomic uint64_t volume_bits, cur_bits;
    atomic_int mute, eq_on, xf_on;
    _Atomic(hph_amp_dsp *) pending;
    _Atomic(hph_amp_dsp *) retired;
    _Atomic uint32_t rate; /* the negotiated rate */
    /* the audio thread's own */
    hph_amp_dsp *dsp;
    unsigned seen_ramp;
    double ramp_db;
    int was_open;
    double a_energy[HPH_AMP_CHANNELS];
    uint64_t a_frames;
    /* meters, written by the audio thread */
    _Atomic uint64_t m_peak[HPH_AMP_CHANNELS], m_aenergy[HPH_AMP_CHANNELS], m_gain, m_lim;
    _Atomic uint64_t m_aframes, m_frames, m_cycles, m_empty, m_clipped, m_limited;
};

static void set_failed(hph_amp_engine *e, const char *what)
{
    if (!e->st.failed) {
        e->st.failed = 1;
        snprintf(e->st.message, sizeof e->st.message, "%s", what);
    }
    pw_thread_loop_signal(e->loop, false);
}

static void on_core_done(void *data, uint32_t id, int seq)
{
    hph_amp_engine *e = data;
    if (id == PW_ID_CORE && seq == e->sync_seq) {
        e->synced = 1;
        pw_thread_loop_signal(e->loop, false);
    }
}

static void on_core_error(void *data, uint32_t id, int seq, int res, const char *message)
{
    hph_amp_engine *e = data;
    (void)seq, (void)message;
    /* only the connection's end is the end: an error about one object (a
     * node that went away while the amp spoke to it) is not */
    if (id == PW_ID_CORE && res == -EPIPE)
        set_failed(e, "the PipeWire server went away");
}

static const struct pw_core_events core_events = {
    .version = PW_VERSION_CORE_EVENTS,
    .done = on_core_done,
    .error = on_core_error,
};

static int on_default_property(void *data, uint32_t subject, const char *key, const char *type, const char *value)
{
    hph_amp_engine *e = data;
    (void)type;
    if (subject != PW_ID_CORE)
        return 0;
    if (!key) { /* everything removed */
        e->st.default_sink[0] = e->st.configured[0] = 0;
    } else if (!strcmp(key, "default.audio.sink")) {
        hph_pw_json_name(value, e->st.default_sink, sizeof e->st.default_sink);
    } else if (!strcmp(key, "default.configured.audio.sink")) {
        hph_pw_json_name(value, e->st.configured, sizeof e->st.configured);
    } else {
        return 0;
    }
    e->st.generation++;
    pw_thread_loop_signal(e->loop, false);
    return 0;
}

static const struct pw_metadata_events default_events = {
    .version = PW_VERSION_METADATA_EVENTS,
    .property = on_default_property,
};

static void fill_kv(hph_amp_output *o, const struct spa_dict *props)
{
    for (int k = 0; k < HPH_AMP_NKEYS; k++) {
        const char *v = spa_dict_lookup(props, hph_amp_key_names[k]);
        if (v || !*o->kv[k])
            snprintf(o->kv[k], sizeof o->kv[k], "%s", v ? v : "");
    }
}

static void on_node_info(void *data, const struct pw_node_info *info)
{
    struct out_proxy *op = data;
    hph_amp_engine *e = op->e;
    if (!info->props)
        return;
    for (int i = 0; i < e->n_outputs; i++)
        if (e->outputs[i].id == op->id) {
            fill_kv(&e->outputs[i], info->props);
            e->st.generation++;
            pw_thread_loop_signal(e->loop, false);
        }
}

static const struct pw_node_events node_events = {
    .version = PW_VERSION_NODE_EVENTS,
    .info = on_node_info,
};

static void bind_output(hph_amp_engine *e, uint32_t id, const char *type)
{
    for (int i = 0; i < HPH_AMP_MAX_OUTPUTS; i++) {
        struct out_proxy *op = &e->proxies[i];
        if (op->proxy)
            continue;
        op->proxy = pw_registry_bind(e->registry, id, type, PW_VERSION_NODE, 0);
        if (!op->proxy)
            return;
        op->e = e;
        op->id = id;
        pw_proxy_add_object_listener(op->proxy, &op->hook, &node_events, op);
        return;
    }
}

static void unbind_output(hph_amp_engine *e, uint32_t id)
{
    for (int i = 0; i < HPH_AMP_MAX_OUTPUTS; i++) {
        struct out_proxy *op = &e->proxies[i];
        if (op->proxy && op->id == id) {
            spa_hook_remove(&op->hook);
            pw_proxy_destroy(op->proxy);
            op->proxy = NULL;
        }
    }
}

static void on_global(void *data, uint32_t id, uint32_t permissions, const char *type, uint32_t version,
                      const struct spa_dict *props)
{
    hph_amp_engine *e = data;
    (void)permissions, (void)version;
    if (!props)
        return;
    if (hph_pw_bind_metadata(e->registry, id, type, props, "default", &e->defaults, &e->defaults_listener,
                             &default_events, e))
        return;
    if (strcmp(type, PW_TYPE_INTERFACE_Node) != 0 || e->n_outputs >= HPH_AMP_MAX_OUTPUTS)
        return;
    const char *cls = spa_dict_lookup(props, PW_KEY_MEDIA_CLASS);
    const char *nm = spa_dict_lookup(props, PW_KEY_NODE_NAME);
    if (cls && nm && !strncmp(cls, "Audio/Source", 12) && e->n_sources < HPH_AMP_MAX_OUTPUTS) {
        const char *serial = spa_dict_lookup(props, PW_KEY_OBJECT_SERIAL);
        snprintf(e->sources[e->n_sources][0], 128, "%s", nm);
        snprintf(e->sources[e->n_sources][1], 128, "%s", serial ? serial : "");
        snprintf(e->sources[e->n_sources][2], 128, "%u", id);
        e->n_sources++;
        return;
    }
    if (!cls || !nm || strcmp(cls, "Audio/Sink") != 0 || !strcmp(nm, HPH_AMP_NODE_NAME))
        return;
    hph_amp_output *o = &e->outputs[e->n_outputs++];
    memset(o, 0, sizeof *o);
    o->id = id;
    fill_kv(o, props);
    bind_output(e, id, type);
    e->st.generation++;
    pw_thread_loop_signal(e->loop, false);
}

static void on_global_remove(void *data, uint32_t id)
{
    hph_amp_engine *e = data;
    char ids[32];
    snprintf(ids, sizeof ids, "%u", id);
    for (int i = 0; i < e->n_sources; i++)
        if (!strcmp(e->sources[i][2], ids)) {
            memmove(&e->sources[i], &e->sources[i + 1], (size_t)(e->n_sources - i - 1) * sizeof e->sources[0]);
            e->n_sources--;
            return;
        }
    unbind_output(e, id);
    for (int i = 0; i < e->n_outputs; i++)
        if (e->outputs[i].id == id) {
            memmove(&e->outputs[i], &e->outputs[i + 1], (size_t)(e->n_outputs - i - 1) * sizeof e->outputs[0]);
            e->n_outputs--;
            e->st.generation++;
            pw_thread_loop_signal(e->loop, false);
            return;
        }
}

static const struct pw_registry_events registry_events = {
    .version = PW_VERSION_REGISTRY_EVENTS,
    .global = on_global,
    .global_remove = on_global_remove,
};

/* with the loop locked */
static int roundtrip(hph_amp_engine *e)
{
    e->synced = 0;
    e->sync_seq = pw_core_sync(e->core, PW_ID_CORE, e->sync_seq);
    while (!e->synced && !e->st.failed)
        if (pw_thread_loop_timed_wait(e->loop, 5) != 0)
            return -ETIMEDOUT;
    return e->st.failed ? -EIO : 0;
}

int hph_amp_engine_sync(hph_amp_engine *e)
{
    pw_thread_loop_lock(e->loop);
    int r = roundtrip(e);
    pw_thread_loop_unlock(e->loop);
    return r;
}

/* the session's target: what it allows reaches the audio thread through atomics */
static void target_volume(void *user, double db)
{
    hph_amp_engine_set_volume(user, db);
}

static void target_mute(void *user, int mute)
{
    hph_amp_engine_set_mute(user, mute);
}

static void target_eq(void *user, int on)
{
    hph_amp_engine *e = user;
    atomic_store(&e->eq_on, on);
}

static void target_crossfeed(void *user, int on)
{
    hph_amp_engine *e = user;
    atomic_store(&e->xf_on, on);
}

hph_session *hph_amp_engine_session(hph_amp_engine *e)
{
    return e->session;
}

int hph_amp_engine_connect(hph_amp_engine **out, char *why, size_t why_len)
{
    *out = NULL;
    hph_amp_engine *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    snprintf(e->group, sizeof e->group, "hpamp-%ld", (long)getpid());
    atomic_store(&e->volume_bits, d2u(VOLUME_FLOOR_DB));
    atomic_store(&e->cur_bits, d2u(VOLUME_FLOOR_DB));
    atomic_store(&e->eq_on, 1);
    atomic_store(&e->xf_on, 1);
    /* until the first output, unknown gear at the volume floor */
    hph_session_config sc = {.start_db = VOLUME_FLOOR_DB, .eq_on = 1, .crossfeed_on = 1};
    hpa_safety_unknown(&sc.safety, 0.0);
    const hph_session_target st = {.user = e,
                                   .set_volume_db = target_volume,
                                   .set_mute = target_mute,
                                   .set_eq = target_eq,
                                   .set_crossfeed = target_crossfeed};
    e->session = hph_session_new(&sc, &st);
    if (!e->session) {
        snprintf(why, why_len, "out of memory");
        free(e);
        return -1;
    }
    if (hph_pw_loop_start("hpamp-amp", &e->loop, &e->ctx, why, why_len)) {
        hph_session_destroy(e->session);
        free(e);
        return -1;
    }
    pw_thread_loop_lock(e->loop);
    e->core = pw_context_connect(e->ctx, NULL, 0);
    if (!e->core) {
        snprintf(why, why_len, "no PipeWire server is running (%s)", strerror(errno));
        pw_thread_loop_unlock(e->loop);
        hph_amp_engine_close(e);
        return -1;
    }
    pw_core_add_listener(e->core, &e->core_listener, &core_events, e);
    e->registry = pw_core_get_registry(e->core, PW_VERSION_REGISTRY, 0);
    pw_registry_add_listener(e->registry, &e->registry_listener, &registry_events, e);
    int late = roundtrip(e);
    if (!late)
        late = roundtrip(e); /* the metadata bound from the globals */
    pw_thread_loop_unlock(e->loop);
    if (late) {
        snprintf(why, why_len, "the PipeWire server does not answer%s%s", e->st.failed ? ": " : "",
                 e->st.failed ? e->st.message : "");
        hph_amp_engine_close(e);
        return -1;
    }
    *out = e;
    return 0;
}

int hph_amp_engine_outputs(hph_amp_engine *e, hph_amp_output *out, int max)
{
    pw_thread_loop_lock(e->loop);
    int n = e->n_outputs < max ? e->n_outputs : max;
    memcpy(out, e->outputs, (size_t)n * sizeof *out);
    pw_thread_loop_unlock(e->loop);
    return n;
}

int hph_amp_engine_has_node(hph_amp_engine *e, const char *name, int *is_sink)
{
    char id[32];
    int found = 0;
    *is_sink = 0;
    pw_thread_loop_lock(e->loop);
    for (int i = 0; i < e->n_outputs && !found; i++) {
        snprintf(id, sizeof id, "%u", e->outputs[i].id);
        found = *is_sink = !strcmp(e->outputs[i].kv[HPH_AMP_K_NAME], name) ||
                           !strcmp(e->outputs[i].kv[HPH_AMP_K_SERIAL], name) || !strcmp(id, name);
    }
    for (int i = 0; i < e->n_sources && !found; i++)
        for (int k = 0; k < 3; k++)
            found |= !strcmp(e->sources[i][k], name);
    pw_thread_loop_unlock(e->loop);
    return found;
}

void hph_amp_engine_state(hph_amp_engine *e, hph_amp_state *st)
{
    pw_thread_loop_lock(e->loop);
    *st = e->st;
    st->rate_hz = atomic_load(&e->rate);
    pw_thread_loop_unlock(e->loop);
}

/* ---- the audio thread ---- */

/* [RT] the capture stream's cycle: the playback stream does the work, now.
 * pw_stream_trigger_process is PipeWire's own graph signalling (a
 * non-blocking eventfd write to wake the peers): it is left outside the
 * section the audio-thread probe watches; everything of the amp's is in it. */
static void on_capture_process(void *data)
{
    hph_amp_engine *e = data;
    atomic_fetch_add_explicit(&e->m_empty, 1, memory_order_relaxed); /* capture cycles */
    atomic_fetch_add(&e->in_cb, 1);
    if (atomic_load(&e->out_ok)) {
        pw_stream_trigger_process(e->playback);
    } else { /* no output: what arrives is dropped */
        hph_rt_enter();
        struct pw_buffer *in = pw_stream_dequeue_buffer(e->capture);
        if (in)
            pw_stream_queue_buffer(e->capture, in);
        hph_rt_leave();
    }
    atomic_fetch_sub(&e->in_cb, 1);
}

static void take_pending(hph_amp_engine *e)
{
    if (!atomic_load_explicit(&e->pending, memory_order_acquire) ||
        atomic_load_explicit(&e->retired, memory_order_acquire))
        return;
    hph_amp_dsp *next = atomic_exchange_explicit(&e->pending, NULL, memory_order_acq_rel);
    atomic_store_explicit(&e->retired, e->dsp, memory_order_release);
    e->dsp = next;
    e->was_open = 0;
    memset(e->a_energy, 0, sizeof e->a_energy);
    e->a_frames = 0;
    atomic_store_explicit(&e->m_aframes, 0, memory_order_relaxed);
    for (unsigned c = 0; c < HPH_AMP_CHANNELS; c++)
        atomic_store_explicit(&e->m_aenergy[c], 0, memory_order_relaxed);
}

/* [RT] n frames of in (NULL: silence) through the chain into out */
static void run_chain(hph_amp_engine *e, const float *in, float *out, size_t n)
{
    hph_amp_dsp *d = e->dsp;
    const int open = atomic_load_explicit(&e->gate, memory_order_acquire);
    if (!d || !open || d->rate_hz != atomic_load_explicit(&e->rate, memory_order_relaxed)) {
        memset(out, 0, n * HPH_AMP_CHANNELS * sizeof(float));
        e->was_open = 0;
        return;
    }
    /* the ramp: from start - 40 dB up to the volume, 100 dB/s */
    const double target = u2d(atomic_load_explicit(&e->volume_bits, memory_order_relaxed));
    const unsigned rg = atomic_load_explicit(&e->ramp_gen, memory_order_acquire);
    if (rg != e->seen_ramp || !e->was_open) {
        e->seen_ramp = rg;
        double from = (d->start_db < target ? d->start_db : target) - RAMP_BELOW_DB;
        e->ramp_db = from < VOLUME_FLOOR_DB ? VOLUME_FLOOR_DB : from;
        e->was_open = 1;
    }
    e->ramp_db += RAMP_DB_PER_S * (double)n / d->rate_hz;
    if (e->ramp_db > target)
        e->ramp_db = target;
    hpa_chain_set_volume_db(d->chain, e->ramp_db);
    hpa_chain_set_mute(d->chain, atomic_load_explicit(&e->mute, memory_order_relaxed));
    double v;
    const double eq = atomic_load_explicit(&e->eq_on, memory_order_relaxed) ? 1.0 : 0.0;
    if (d->has_eq && hpa_chain_get_param(d->chain, HPA_PARAM_EQ_ENABLE, &v) == HPA_OK && v != eq)
        hpa_chain_set_param(d->chain, HPA_PARAM_EQ_ENABLE, eq);
    const double xf = atomic_load_explicit(&e->xf_on, memory_order_relaxed) ? 1.0 : 0.0;
    if (d->has_xf && hpa_chain_get_param(d->chain, HPA_PARAM_CROSSFEED_ENABLE, &v) == HPA_OK && v != xf)
        hpa_chain_set_param(d->chain, HPA_PARAM_CROSSFEED_ENABLE, xf);
    size_t done = 0;
    while (done < n) {
        size_t m = n - done;
        if (m > HPH_AMP_MAX_BLOCK)
            m = HPH_AMP_MAX_BLOCK;
        size_t got = 0;
        const float *src = in ? in + done * HPH_AMP_CHANNELS : NULL;
        if (!src) { /* silence in: the scratch's tail as zeros is not ours to assume */
            memset(d->scratch, 0, m * HPH_AMP_CHANNELS * sizeof(float));
            src = d->scratch;
        }
        if (hpa_chain_process(d->chain, src, m, d->scratch, d->scratch_frames, &got) != HPA_OK)
            got = 0;
        if (got > m)
            got = m;
        memcpy(out + done * HPH_AMP_CHANNELS, d->scratch, got * HPH_AMP_CHANNELS * sizeof(float));
        if (got < m)
            memset(out + (done + got) * HPH_AMP_CHANNELS, 0, (m - got) * HPH_AMP_CHANNELS * sizeof(float));
        done += m;
    }
    /* meters and the dose */
    double pk[HPH_AMP_CHANNELS] = {0};
    for (unsigned c = 0; c < HPH_AMP_CHANNELS; c++)
        pk[c] = u2d(atomic_load_explicit(&e->m_peak[c], memory_order_relaxed));
    for (size_t i = 0; i < n; i++)
        for (unsigned c = 0; c < HPH_AMP_CHANNELS; c++) {
            double s = out[i * HPH_AMP_CHANNELS + c];
            double a = fabs(s);
            if (a > pk[c])
                pk[c] = a;
        }
    if (d->dose) {
        hpa_meter_add_float(d->aw, out, n);
        for (unsigned c = 0; c < HPH_AMP_CHANNELS; c++) {
            double en = 0.0;
            uint64_t frames;
            hpa_meter_aweighted(d->aw, c, &en, &frames);
            e->a_energy[c] += en - d->aw_last[c];
            d->aw_last[c] = en;
        }
        e->a_frames += n;
    }
    for (unsigned c = 0; c < HPH_AMP_CHANNELS; c++) {
        atomic_store_explicit(&e->m_peak[c], d2u(pk[c]), memory_order_relaxed);
        atomic_store_explicit(&e->m_aenergy[c], d2u(e->a_energy[c]), memory_order_relaxed);
    }
    atomic_store_explicit(&e->m_aframes, e->a_frames, memory_order_release);
    hpa_chain_stats s;
    hpa_chain_get_stats(d->chain, &s);
    atomic_store_explicit(&e->m_clipped, s.clipped[HPA_STAGE_OUTPUT], memory_order_relaxed);
    atomic_store_explicit(&e->m_limited, s.limited_frames, memory_order_relaxed);
    atomic_store_explicit(&e->m_lim, d2u(s.limiter_max_reduction_db), memory_order_relaxed);
    atomic_store_explicit(&e->m_gain, d2u(hpa_chain_current_gain(d->chain)), memory_order_relaxed);
    atomic_store_explicit(&e->cur_bits, d2u(e->ramp_db), memory_order_relaxed);
}

/* [RT] the playback stream's cycle, triggered by the capture's */
static void on_playback_process(void *data)
{
    hph_amp_engine *e = data;
    hph_rt_enter();
    atomic_fetch_add(&e->in_cb, 1);
    if (!atomic_load(&e->out_ok)) { /* the stream is being replaced: not ours to touch */
        atomic_fetch_sub(&e->in_cb, 1);
        hph_rt_leave();
        return;
    }
    atomic_fetch_add_explicit(&e->m_cycles, 1, memory_order_relaxed);
    take_pending(e);
    struct pw_buffer *in = pw_stream_dequeue_buffer(e->capture);
    struct pw_buffer *out = pw_stream_dequeue_buffer(e->playback);
    if (out && out->buffer->datas[0].data) {
        struct spa_data *od = &out->buffer->datas[0];
        const size_t stride = HPH_AMP_CHANNELS * sizeof(float);
        size_t cap = od->maxsize / stride;
        size_t n = out->requested ? (size_t)out->requested : cap;
        const float *src = NULL;
        if (in && in->buffer->datas[0].data) {
            struct spa_data *id = &in->buffer->datas[0];
            uint32_t offs = SPA_MIN(id->chunk->offset, id->maxsize);
            uint32_t size = SPA_MIN(id->chunk->size, id->maxsize - offs);
            if (size >= stride) {
                n = size / stride;
                src = (const float *)(const void *)((const unsigned char *)id->data + offs);
            }
        }
        if (n > cap)
            n = cap;
        run_chain(e, src, od->data, n);
        od->chunk->offset = 0;
        od->chunk->stride = (int32_t)stride;
        od->chunk->size = (uint32_t)(n * stride);
        atomic_fetch_add_explicit(&e->m_frames, n, memory_order_relaxed);
    }
    if (in)
        pw_stream_queue_buffer(e->capture, in);
    if (out)
        pw_stream_queue_buffer(e->playback, out);
    atomic_fetch_sub(&e->in_cb, 1);
    hph_rt_leave();
}

/* ---- stream events (the loop thread) ---- */

static void on_capture_param(void *data, uint32_t id, const struct spa_pod *param)
{
    hph_amp_engine *e = data;
    if (id != SPA_PARAM_Format || !param)
        return;
    /* the rate alone (spa_format_audio_raw_parse would bring in SPA's
     * assertion messages on stderr: this library never prints) */
    const struct spa_pod_prop *rp = spa_pod_find_prop(param, NULL, SPA_FORMAT_AUDIO_rate);
    int32_t rate = 0;
    uint32_t n_values = 0, choice = 0;
    const struct spa_pod *v = rp ? spa_pod_get_values(&rp->value, &n_values, &choice) : NULL;
    if (v && n_values >= 1 && spa_pod_get_int(v, &rate) == 0 && rate > 0) {
        atomic_store(&e->rate, (uint32_t)rate);
        e->st.generation++;
    }
    pw_thread_loop_signal(e->loop, false);
}

static void on_capture_state(void *data, enum pw_stream_state old, enum pw_stream_state state, const char *error)
{
    hph_amp_engine *e = data;
    (void)old;
    if (state == PW_STREAM_STATE_ERROR) {
        char m[256];
        snprintf(m, sizeof m, "the amp's PipeWire stream failed: %s", error ? error : "unknown error");
        set_failed(e, m);
    }
}

static void on_playback_state(void *data, enum pw_stream_state old, enum pw_stream_state state, const char *error)
{
    hph_amp_engine *e = data;
    (void)old, (void)error;
    e->st.output_streaming = state == PW_STREAM_STATE_STREAMING;
    e->out_state = state;

    if ((state == PW_STREAM_STATE_ERROR || state == PW_STREAM_STATE_UNCONNECTED) && e->out_connected) {
        /* WirePlumber destroyed the node: its target is gone */
        e->st.output_lost = 1;
        atomic_store(&e->out_ok, 0);
    }
    e->st.generation++;
    pw_thread_loop_signal(e->loop, false);
}

static const struct pw_stream_events capture_events = {
    .version = PW_VERSION_STREAM_EVENTS,
    .state_changed = on_capture_state,
    .param_changed = on_capture_param,
    .process = on_capture_process,
};

static const struct pw_stream_events playback_events = {
    .version = PW_VERSION_STREAM_EVENTS,
    .state_changed = on_playback_state,
    .process = on_playback_process,
};

int hph_amp_engine_start(hph_amp_engine *e, const char *desc, const char *input, char *why, size_t why_len)
{
    pw_thread_loop_lock(e->loop);
    struct pw_properties *cp = pw_properties_new(PW_KEY_MEDIA_TYPE, "Audio", PW_KEY_NODE_GROUP, e->group,
                                                 PW_KEY_NODE_LINK_GROUP, e->group, PW_KEY_APP_NAME, "hpamp", NULL);
    if (input) {
        pw_properties_set(cp, PW_KEY_NODE_NAME, "hpamp.input");
        pw_properties_set(cp, PW_KEY_NODE_DESCRIPTION, desc);
        pw_properties_set(cp, PW_KEY_MEDIA_CATEGORY, "Capture");
        pw_properties_set(cp, PW_KEY_TARGET_OBJECT, input);
        pw_properties_set(cp, PW_KEY_NODE_DONT_RECONNECT, "true");
        int is_sink = 0;
        for (int i = 0; i < e->n_outputs; i++)
            is_sink |= !strcmp(e->outputs[i].kv[HPH_AMP_K_NAME], input) ||
                       !strcmp(e->outputs[i].kv[HPH_AMP_K_SERIAL], input);
        if (is_sink)
            pw_properties_set(cp, PW_KEY_STREAM_CAPTURE_SINK, "true");
    } else {
        pw_properties_set(cp, PW_KEY_NODE_NAME, HPH_AMP_NODE_NAME);
        pw_properties_set(cp, PW_KEY_NODE_DESCRIPTION, desc);
        pw_properties_set(cp, PW_KEY_MEDIA_CLASS, "Audio/Sink");
        pw_properties_set(cp, "node.virtual", "true");
    }
    e->capture = pw_stream_new(e->core, "hpamp sink", cp);
    if (!e->capture) {
        snprintf(why, why_len, "cannot make the PipeWire streams: %s", strerror(errno));
        pw_thread_loop_unlock(e->loop);
        return -1;
    }
    pw_stream_add_listener(e->capture, &e->capture_listener, &capture_events, e);
    uint8_t buf[1024];
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof buf);
    const struct spa_pod *params[1] = {hph_pw_format_pod(&b, SPA_AUDIO_FORMAT_F32, 0, HPH_AMP_CHANNELS)};
    int err = pw_stream_connect(e->capture, PW_DIRECTION_INPUT, PW_ID_ANY,
                                PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS | PW_STREAM_FLAG_RT_PROCESS,
                                params, 1);
    if (err < 0) {
        snprintf(why, why_len, "cannot connect the amp's PipeWire stream: %s", spa_strerror(err));
        pw_thread_loop_unlock(e->loop);
        return -1;
    }
    err = roundtrip(e);
    pw_thread_loop_unlock(e->loop);
    if (err) {
        snprintf(why, why_len, "the PipeWire server does not answer%s%s", e->st.failed ? ": " : "",
                 e->st.failed ? e->st.message : "");
        return -1;
    }
    return 0;
}

void hph_amp_engine_describe(hph_amp_engine *e, const char *desc)
{
    pw_thread_loop_lock(e->loop);
    if (e->capture) {
        struct spa_dict_item it[1] = {SPA_DICT_ITEM_INIT(PW_KEY_NODE_DESCRIPTION, desc)};
        struct spa_dict d = SPA_DICT_INIT(it, 1);
        pw_stream_update_properties(e->capture, &d);
    }
    pw_thread_loop_unlock(e->loop);
}

/* wait until the audio thread is outside the playback callback, having seen out_ok 0 */
static void quiesce(hph_amp_engine *e)
{
    atomic_store(&e->out_ok, 0);
    for (int i = 0; i < 2000 && atomic_load(&e->in_cb); i++) {
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
    }
}

/* with the loop locked: a playback stream to output, connected */
static int new_playback(hph_amp_engine *e, const char *output)
{
    struct pw_properties *pp = pw_properties_new(PW_KEY_MEDIA_TYPE, "Audio", PW_KEY_MEDIA_CATEGORY, "Playback",
                                                 PW_KEY_NODE_NAME, "hpamp.output", PW_KEY_NODE_DESCRIPTION,
                                                 "hpamp output", PW_KEY_NODE_GROUP, e->group, PW_KEY_NODE_LINK_GROUP,
                                                 e->group, PW_KEY_NODE_PASSIVE, "true", PW_KEY_NODE_DONT_RECONNECT,
                                                 "true", PW_KEY_APP_NAME, "hpamp", PW_KEY_TARGET_OBJECT, output, NULL);
    e->playback = pw_stream_new(e->core, "hpamp output", pp);
    if (!e->playback)
        return -1;
    pw_stream_add_listener(e->playback, &e->playback_listener, &playback_events, e);
    uint8_t buf[1024];
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof buf);
    const struct spa_pod *params[1] = {hph_pw_format_pod(&b, SPA_AUDIO_FORMAT_F32, 0, HPH_AMP_CHANNELS)};
    /* the capture's cycle triggers it: both run in the same cycle */
    return pw_stream_connect(e->playback, PW_DIRECTION_OUTPUT, PW_ID_ANY,
                             PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS | PW_STREAM_FLAG_RT_PROCESS |
                                 PW_STREAM_FLAG_TRIGGER,
                             params, 1);
}

int hph_amp_engine_set_output(hph_amp_engine *e, const char *output)
{
    quiesce(e);
    pw_thread_loop_lock(e->loop);
    /* A new stream for each output.  The old one (silent: its callbacks are
     * gone) stays linked until the new one is, so that the amp's node group
     * always has a driver: destroyed first, it left the group without one
     * and PipeWire sometimes never gave it the new output's (no cycles, no
     * sound, tests/amp/switch.sh). */
    e->out_connected = 0;
    struct pw_stream *old = e->playback;
    if (old)
        spa_hook_remove(&e->playback_listener);
    e->playback = NULL;
    e->st.output_lost = 0;
    e->st.output_streaming = 0;
    e->out_state = PW_STREAM_STATE_UNCONNECTED;
    snprintf(e->output, sizeof e->output, "%s", output ? output : "");
    int err = 0;
    if (output) {
        err = new_playback(e, output);
        if (err >= 0) {
            /* linked (paused or streaming) or failed, 2 s at most */
            for (int i = 0; i < 20 && !e->st.failed && e->out_state != PW_STREAM_STATE_ERROR &&
                            e->out_state != PW_STREAM_STATE_PAUSED && e->out_state != PW_STREAM_STATE_STREAMING;
                 i++)
                pw_thread_loop_timed_wait(e->loop, 1);
            e->out_connected = 1;
            if (e->out_state == PW_STREAM_STATE_ERROR)
                e->st.output_lost = 1;
            else
                atomic_store(&e->out_ok, 1);
        }
    }
    if (old)
        pw_stream_destroy(old);
    /* the sink paused and resumed: PipeWire places the group again, on the
     * new output's driver */
    if (e->capture && output) {
        pw_stream_set_active(e->capture, false);
        pw_stream_set_active(e->capture, true);
    }
    pw_thread_loop_unlock(e->loop);
    return err < 0 ? -1 : 0;
}

void hph_amp_engine_gate(hph_amp_engine *e, int open)
{
    if (open)
        atomic_fetch_add_explicit(&e->ramp_gen, 1, memory_order_release);
    atomic_store_explicit(&e->gate, open, memory_order_release);
}

void hph_amp_engine_set_volume(hph_amp_engine *e, double db)
{
    atomic_store(&e->volume_bits, d2u(db));
}

void hph_amp_engine_set_mute(hph_amp_engine *e, int mute)
{
    atomic_store(&e->mute, mute);
}

void hph_amp_engine_swap_dsp(hph_amp_engine *e, hph_amp_dsp *dsp)
{
    hph_amp_engine_reap(e);
    /* a dsp still pending was never taken: the audio thread exchanges it out
     * atomically, so what comes back here is ours to free */
    hph_amp_dsp_free(atomic_exchange(&e->pending, dsp));
}

int hph_amp_engine_reap(hph_amp_engine *e)
{
    hph_amp_dsp *old = atomic_exchange(&e->retired, NULL);
    hph_amp_dsp_free(old);
    return atomic_load(&e->pending) != NULL;
}

const hph_amp_dsp *hph_amp_engine_dsp(hph_amp_engine *e)
{
    hph_amp_dsp *p = atomic_load(&e->pending);
    return p ? p : e->dsp;
}

void hph_amp_engine_status(hph_amp_engine *e, hph_amp_status *st)
{
    memset(st, 0, sizeof *st);
    for (unsigned c = 0; c < HPH_AMP_CHANNELS; c++) {
        st->peak[c] = u2d(atomic_exchange_explicit(&e->m_peak[c], 0, memory_order_relaxed));
        st->a_energy[c] = u2d(atomic_load_explicit(&e->m_aenergy[c], memory_order_relaxed));
    }
    st->a_frames = atomic_load_explicit(&e->m_aframes, memory_order_acquire);
    st->gain = u2d(atomic_load_explicit(&e->m_gain, memory_order_relaxed));
    st->frames = atomic_load_explicit(&e->m_frames, memory_order_relaxed);
    st->cycles = atomic_load_explicit(&e->m_cycles, memory_order_relaxed);
    st->empty = atomic_load_explicit(&e->m_empty, memory_order_relaxed);
    st->clipped = atomic_load_explicit(&e->m_clipped, memory_order_relaxed);
    st->limited = atomic_load_explicit(&e->m_limited, memory_order_relaxed);
    st->limiter_db = u2d(atomic_load_explicit(&e->m_lim, memory_order_relaxed));
    st->volume_db = u2d(atomic_load_explicit(&e->cur_bits, memory_order_relaxed));
}

int hph_amp_engine_set_default(hph_amp_engine *e, const char *name)
{
    pw_thread_loop_lock(e->loop);
    int r = -1;
    if (e->defaults) {
        char json[256];
        if (name)
            snprintf(json, sizeof json, "{ \"name\": \"%s\" }", name);
        r = pw_metadata_set_property(e->defaults, PW_ID_CORE, "default.configured.audio.sink",
                                     name ? "Spa:String:JSON" : NULL, name ? json : NULL);
        if (r >= 0)
            r = roundtrip(e);
    }
    pw_thread_loop_unlock(e->loop);
    return r < 0 ? -1 : 0;
}

void hph_amp_engine_close(hph_amp_engine *e)
{
    if (!e)
        return;
    if (e->loop) {
        quiesce(e);
        pw_thread_loop_lock(e->loop);
        if (e->playback) {
            spa_hook_remove(&e->playback_listener);
            pw_stream_destroy(e->playback);
        }
        if (e->capture)
            pw_stream_destroy(e->capture);
        e->playback = e->capture = NULL;
        for (int i = 0; i < HPH_AMP_MAX_OUTPUTS; i++)
            if (e->proxies[i].proxy)
                unbind_output(e, e->proxies[i].id);
        hph_pw_unbind_metadata(&e->defaults, &e->defaults_listener);
        hph_pw_end(e->loop, e->ctx, e->registry, &e->registry_listener, e->core, &e->core_listener);
    }
    hph_amp_dsp_free(atomic_exchange(&e->pending, NULL));
    hph_amp_dsp_free(atomic_exchange(&e->retired, NULL));
    hph_amp_dsp_free(e->dsp);
    hph_session_destroy(e->session);
    free(e);
}
