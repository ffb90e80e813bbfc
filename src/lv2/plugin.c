/* plugin.c — hpamp.lv2: libhpamp's chain as an LV2 plugin (docs/lv2.md).
 *
 * Thin glue: the ports are the parameter table's (ports.h, the .ttl made from
 * the same table by ttlgen.c), run() hands the host's buffers to
 * hpa_chain_process in chunks and reads the chain's statistics back.  The
 * chain runs at the host's rate with a limiter of HPA_LV2_LOOKAHEAD_MS; its
 * lookahead is the latency reported, and the output is delayed by it (the
 * chain trims it; the plugin puts it back as leading silence).
 *
 * Everything beyond the core is optional (lv2apply gives no features at all):
 *   urid:map + opts:options   size the chunks for bufsz:maxBlockLength
 *   urid:map + work:schedule  the EQ file, a patch:Set on the control port,
 *                             read and designed in work(), crossfaded in by
 *                             the chain (hpa_chain_set_eq is for any thread
 *                             but the audio thread: the worker's)
 *   log:log                   why an EQ file was refused (else stderr)
 *   state:interface           the EQ file's path, or the EQ text of a preset
 *                             (presets.ttl, from hpamp's built-ins); the
 *                             controls are ports: the host keeps them
 * run() never allocates, locks or blocks: it is marked for the audio-thread
 * probe (src/host/rtprobe.h, tests/lv2). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lv2/atom/atom.h>
#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/buf-size/buf-size.h>
#include <lv2/core/lv2.h>
#include <lv2/log/log.h>
#include <lv2/log/logger.h>
#include <lv2/options/options.h>
#include <lv2/patch/patch.h>
#include <lv2/state/state.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>

#include <hpamp/chain.h>
#include <hpamp/eq.h>
#include <hpamp/params.h>

#include "eqload.h"
#include "ports.h"
#include "rtprobe.h"

#define CHUNK_DEFAULT 1024u /* frames per chain call when the host names no maximum block */
#define CHUNK_MAX 16384u    /* the most frames per chain call: longer host blocks are cut */
#define PEAK_FLOOR_DB (-160.0)

typedef struct uris {
    LV2_URID atom_Int, atom_Path, atom_Object, atom_String, bufsz_maxBlockLength;
    LV2_URID patch_Set, patch_Get, patch_property, patch_value, eq_file, eq_text;
} uris;

typedef struct hpa_lv2 {
    uint32_t channels;
    double rate_hz;
    hpa_chain *chain;
    size_t chunk;       /* frames per chain call */
    float *ibuf, *obuf; /* interleaved, chunk frames each */

    const float *in[2];
    float *out[2];
    const float *ctl[HPA_PARAM_COUNT];
    float last[HPA_PARAM_COUNT]; /* the values last given to the chain (NaN: none yet) */
    float *latency, *peak, *gain_reduction, *clips;
    const LV2_Atom_Sequence *control;
    LV2_Atom_Sequence *notify;

    LV2_URID_Map *map;
    LV2_Worker_Schedule *schedule;
    LV2_Log_Logger logger;
    LV2_Atom_Forge forge;
    uris u;

    char eq_path[PATH_MAX]; /* the EQ file playing ("" for none); the audio thread's */
    char *eq_text;          /* or the EQ text a state gave (malloc'd, NUL-terminated); state only */
    int notify_path;        /* send eq_path on the notify port in the next run */
} hpa_lv2;

static void set_controls(hpa_lv2 *p)
{
    for (int i = 0; i < HPA_PARAM_COUNT; i++) {
        if (!p->ctl[i])
            continue;
        const float v = *p->ctl[i];
        if (v != p->last[i]) {                   /* NaN never equals: the first call always sets */
            hpa_chain_set_param(p->chain, i, v); /* a switch the chain cannot do (crossfeed in mono) stays off */
            p->last[i] = v;
        }
    }
}

static const void *find_option(const LV2_Options_Option *opts, LV2_URID key, LV2_URID type)
{
    for (; opts && opts->key; opts++)
        if (opts->key == key && opts->type == type)
            return opts->value;
    return NULL;
}

static LV2_Handle instantiate(const LV2_Descriptor *d, double rate_hz, const char *bundle,
                              const LV2_Feature *const *features)
{
    (void)bundle;
    if (!(rate_hz >= HPA_RATE_MIN_HZ && rate_hz <= HPA_RATE_MAX_HZ) || rate_hz != floor(rate_hz))
        return NULL;
    hpa_lv2 *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->channels = strcmp(d->URI, HPA_LV2_MONO_URI) == 0 ? 1u : 2u;
    p->rate_hz = rate_hz;
    const LV2_Options_Option *opts = NULL;
    LV2_Log_Log *log = NULL;
    for (int i = 0; features && features[i]; i++) {
        if (!strcmp(features[i]->URI, LV2_URID__map))
            p->map = features[i]->data;
        else if (!strcmp(features[i]->URI, LV2_OPTIONS__options))
            opts = features[i]->data;
        else if (!strcmp(features[i]->URI, LV2_WORKER__schedule))
            p->schedule = features[i]->data;
        else if (!strcmp(features[i]->URI, LV2_LOG__log))
            log = features[i]->data;
    }
    lv2_log_logger_init(&p->logger, p->map, log);
    p->chunk = CHUNK_DEFAULT;
    if (p->map) {
        LV2_URID_Map *m = p->map;
        p->u.atom_Int = m->map(m->handle, LV2_ATOM__Int);
        p->u.atom_Path = m->map(m->handle, LV2_ATOM__Path);
        p->u.atom_Object = m->map(m->handle, LV2_ATOM__Object);
        p->u.atom_String = m->map(m->handle, LV2_ATOM__String);
        p->u.bufsz_maxBlockLength = m->map(m->handle, LV2_BUF_SIZE__maxBlockLength);
        p->u.patch_Set = m->map(m->handle, LV2_PATCH__Set);
        p->u.patch_Get = m->map(m->handle, LV2_PATCH__Get);
        p->u.patch_property = m->map(m->handle, LV2_PATCH__property);
        p->u.patch_value = m->map(m->handle, LV2_PATCH__value);
        p->u.eq_file = m->map(m->handle, HPA_LV2_EQ_FILE_URI);
        p->u.eq_text = m->map(m->handle, HPA_LV2_EQ_TEXT_URI);
        lv2_atom_forge_init(&p->forge, m);
        const int32_t *max_block = find_option(opts, p->u.bufsz_maxBlockLength, p->u.atom_Int);
        if (max_block && *max_block > 0)
            p->chunk = (size_t)*max_block < CHUNK_MAX ? (size_t)*max_block : CHUNK_MAX;
    }

    hpa_chain_config cfg;
    hpa_chain_config_init(&cfg);
    cfg.in_rate_hz = cfg.out_rate_hz = (uint32_t)rate_hz;
    cfg.channels = p->channels;
    cfg.max_block_frames = (uint32_t)p->chunk;
    cfg.in_format = cfg.out_format = HPA_FORMAT_F32;
    cfg.volume_db = hpa_param_info_get(HPA_PARAM_VOLUME_DB)->default_value;
    cfg.max_volume_db = hpa_param_info_get(HPA_PARAM_VOLUME_DB)->max_value; /* the port's range is the table's */
    cfg.max_eq_bands = HPA_EQ_MAX_BANDS;
    cfg.limiter_lookahead_ms = HPA_LV2_LOOKAHEAD_MS;
    p->ibuf = malloc(p->chunk * p->channels * sizeof(float));
    p->obuf = malloc(p->chunk * p->channels * sizeof(float));
    if (!p->ibuf || !p->obuf || hpa_chain_create(&cfg, &p->chain) != HPA_OK) {
        free(p->ibuf);
        free(p->obuf);
        free(p);
        return NULL;
    }
    for (int i = 0; i < HPA_PARAM_COUNT; i++)
        p->last[i] = NAN;
    return p;
}

static void connect_port(LV2_Handle h, uint32_t port, void *data)
{
    hpa_lv2 *p = h;
    const uint32_t ch = p->channels;
    if (port < ch) {
        p->in[port] = data;
    } else if (port < 2 * ch) {
        p->out[port - ch] = data;
    } else if (port < hpa_lv2_extra_port(ch, 0)) {
        p->ctl[port - 2 * ch] = data;
    } else {
        switch (port - hpa_lv2_extra_port(ch, 0)) {
        case HPA_LV2_OUT_LATENCY: p->latency = data; break;
        case HPA_LV2_OUT_PEAK: p->peak = data; break;
        case HPA_LV2_OUT_GAIN_REDUCTION: p->gain_reduction = data; break;
        case HPA_LV2_OUT_CLIPS: p->clips = data; break;
        case HPA_LV2_ATOM_CONTROL: p->control = data; break;
        case HPA_LV2_ATOM_NOTIFY: p->notify = data; break;
        default: break;
        }
    }
}

/* The controls as they are now, then the chain from rest: the volume starts
 * at its value instead of sliding there from the default. */
static void activate(LV2_Handle h)
{
    hpa_lv2 *p = h;
    for (int i = 0; i < HPA_PARAM_COUNT; i++)
        p->last[i] = NAN;
    set_controls(p);
    hpa_chain_reset(p->chain);
    p->notify_path = 1;
}

/* the events of the control port: a patch:Set of the EQ file goes to the
 * worker, a patch:Get asks for the path */
static void read_control(hpa_lv2 *p)
{
    if (!p->control || !p->map)
        return;
    LV2_ATOM_SEQUENCE_FOREACH(p->control, ev)
    {
        if (ev->body.type != p->u.atom_Object)
            continue;
        const LV2_Atom_Object *obj = (const LV2_Atom_Object *)&ev->body;
        if (obj->body.otype == p->u.patch_Get) {
            p->notify_path = 1;
        } else if (obj->body.otype == p->u.patch_Set) {
            const LV2_Atom *property = NULL, *value = NULL;
            lv2_atom_object_get(obj, p->u.patch_property, &property, p->u.patch_value, &value, 0);
            if (property && property->type == p->forge.URID &&
                ((const LV2_Atom_URID *)property)->body == p->u.eq_file && value && value->type == p->u.atom_Path &&
                value->size > 0 && value->size <= PATH_MAX && p->schedule)
                p->schedule->schedule_work(p->schedule->handle, value->size, LV2_ATOM_BODY_CONST(value));
        }
    }
}

static void write_notify(hpa_lv2 *p)
{
    if (!p->notify || !p->map)
        return;
    const uint32_t capacity = p->notify->atom.size;
    lv2_atom_forge_set_buffer(&p->forge, (uint8_t *)p->notify, capacity);
    LV2_Atom_Forge_Frame seq, obj;
    if (!lv2_atom_forge_sequence_head(&p->forge, &seq, 0))
        return;
    if (p->notify_path) {
        lv2_atom_forge_frame_time(&p->forge, 0);
        lv2_atom_forge_object(&p->forge, &obj, 0, p->u.patch_Set);
        lv2_atom_forge_key(&p->forge, p->u.patch_property);
        lv2_atom_forge_urid(&p->forge, p->u.eq_file);
        lv2_atom_forge_key(&p->forge, p->u.patch_value);
        lv2_atom_forge_path(&p->forge, p->eq_path, (uint32_t)strlen(p->eq_path));
        lv2_atom_forge_pop(&p->forge, &obj);
        p->notify_path = 0;
    }
    lv2_atom_forge_pop(&p->forge, &seq);
}

static void run(LV2_Handle h, uint32_t n_frames)
{
    hpa_lv2 *p = h;
    hph_rt_enter();
    set_controls(p);
    read_control(p);
    const uint32_t ch = p->channels;
    float peak = 0.0f;
    for (uint32_t done = 0; done < n_frames;) {
        const size_t n = n_frames - done < p->chunk ? n_frames - done : p->chunk;
        for (uint32_t c = 0; c < ch; c++) {
            const float *in = p->in[c] + done;
            for (size_t i = 0; i < n; i++)
                p->ibuf[i * ch + c] = in[i];
        }
        size_t got = 0;
        if (hpa_chain_process(p->chain, p->ibuf, n, p->obuf, n, &got) != HPA_OK)
            got = 0;
        /* while the limiter's lookahead fills, the chain gives fewer frames:
         * the first ones of the output are that delay's silence */
        const size_t lead = n - got;
        for (uint32_t c = 0; c < ch; c++) {
            float *out = p->out[c] + done;
            for (size_t i = 0; i < lead; i++)
                out[i] = 0.0f;
            for (size_t i = 0; i < got; i++) {
                const float y = p->obuf[i * ch + c];
                const float a = fabsf(y);
                peak = a > peak ? a : peak;
                out[lead + i] = y;
            }
        }
        done += (uint32_t)n;
    }
    hpa_chain_stats st;
    hpa_chain_get_stats(p->chain, &st);
    if (p->latency)
        *p->latency = (float)hpa_chain_latency_frames(p->chain);
    if (p->peak)
        *p->peak = peak > 0.0f ? (float)fmax(20.0 * log10((double)peak), PEAK_FLOOR_DB) : (float)PEAK_FLOOR_DB;
    if (p->gain_reduction)
        *p->gain_reduction = (float)st.limiter_max_reduction_db;
    if (p->clips)
        *p->clips = (float)st.clipped[HPA_STAGE_OUTPUT];
    write_notify(p);
    hph_rt_leave();
}

static void cleanup(LV2_Handle h)
{
    hpa_lv2 *p = h;
    hpa_chain_destroy(p->chain);
    free(p->eq_text);
    free(p->ibuf);
    free(p->obuf);
    free(p);
}

/* ---- the EQ file: read and designed off the audio thread ---- */

/* Load the EQ file at path into the chain; on failure log why and leave the
 * EQ playing as it was.  Any thread but the audio thread. */
static int load_eq(hpa_lv2 *p, const char *path)
{
    char why[HPA_LV2_EQ_WHY_MAX];
    if (hpa_lv2_eq_load(p->chain, path, p->rate_hz, why, sizeof why) != 0) {
        lv2_log_error(&p->logger, "hpamp: %s; the EQ playing is kept\n", why);
        return -1;
    }
    return 0;
}

static LV2_Worker_Status work(LV2_Handle h, LV2_Worker_Respond_Function respond, LV2_Worker_Respond_Handle rh,
                              uint32_t size, const void *data)
{
    hpa_lv2 *p = h;
    char path[PATH_MAX];
    if (size == 0 || size > sizeof path)
        return LV2_WORKER_ERR_UNKNOWN;
    memcpy(path, data, size);
    path[size - 1] = '\0';
    if (load_eq(p, path) != 0)
        return LV2_WORKER_SUCCESS; /* handled: logged, nothing changes */
    respond(rh, (uint32_t)strlen(path) + 1, path);
    return LV2_WORKER_SUCCESS;
}

/* on the audio thread: the new EQ is playing, its path is the parameter's value */
static LV2_Worker_Status work_response(LV2_Handle h, uint32_t size, const void *data)
{
    hpa_lv2 *p = h;
    if (size == 0 || size > sizeof p->eq_path)
        return LV2_WORKER_ERR_UNKNOWN;
    memcpy(p->eq_path, data, size);
    p->eq_path[size - 1] = '\0';
    p->notify_path = 1;
    return LV2_WORKER_SUCCESS;
}

/* ---- state: the EQ file's path (the controls are ports: the host keeps them) ---- */

static const void *find_feature(const LV2_Feature *const *features, const char *uri)
{
    for (int i = 0; features && features[i]; i++)
        if (!strcmp(features[i]->URI, uri))
            return features[i]->data;
    return NULL;
}

static void free_path(const LV2_Feature *const *features, char *path)
{
    const LV2_State_Free_Path *fp = find_feature(features, LV2_STATE__freePath);
    if (!path)
        return;
    if (fp)
        fp->free_path(fp->handle, path);
    else
        free(path);
}

static LV2_State_Status save(LV2_Handle h, LV2_State_Store_Function store, LV2_State_Handle sh, uint32_t flags,
                             const LV2_Feature *const *features)
{
    (void)flags;
    hpa_lv2 *p = h;
    if (!p->map)
        return LV2_STATE_ERR_NO_FEATURE;
    if (!p->eq_path[0] && p->eq_text)
        return store(sh, p->u.eq_text, p->eq_text, strlen(p->eq_text) + 1, p->u.atom_String,
                     LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE);
    if (!p->eq_path[0])
        return LV2_STATE_SUCCESS;
    const LV2_State_Map_Path *mp = find_feature(features, LV2_STATE__mapPath);
    char *abstract = mp ? mp->abstract_path(mp->handle, p->eq_path) : NULL;
    const char *v = abstract ? abstract : p->eq_path;
    const LV2_State_Status st = store(sh, p->u.eq_file, v, strlen(v) + 1, p->u.atom_Path,
                                      LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE);
    free_path(features, abstract);
    return st;
}

/* a state without an EQ file: its EQ text, or flat */
static LV2_State_Status restore_text(hpa_lv2 *p, LV2_State_Retrieve_Function retrieve, LV2_State_Handle sh)
{
    size_t size = 0;
    uint32_t type = 0, flags = 0;
    const char *text = retrieve(sh, p->u.eq_text, &size, &type, &flags);
    p->eq_path[0] = '\0';
    p->notify_path = 1;
    free(p->eq_text);
    p->eq_text = NULL;
    if (!text || type != p->u.atom_String || size == 0) {
        hpa_chain_set_eq(p->chain, NULL, 0, 0.0, NULL, NULL);
        return LV2_STATE_SUCCESS;
    }
    char why[HPA_LV2_EQ_WHY_MAX];
    const size_t len = strnlen(text, size);
    if (hpa_lv2_eq_load_text(p->chain, "the preset's EQ", text, len, p->rate_hz, why, sizeof why) != 0) {
        lv2_log_error(&p->logger, "hpamp: %s; the EQ playing is kept\n", why);
        return LV2_STATE_ERR_UNKNOWN;
    }
    p->eq_text = malloc(len + 1);
    if (p->eq_text) {
        memcpy(p->eq_text, text, len);
        p->eq_text[len] = '\0';
    }
    return LV2_STATE_SUCCESS;
}

static LV2_State_Status restore(LV2_Handle h, LV2_State_Retrieve_Function retrieve, LV2_State_Handle sh, uint32_t flags,
                                const LV2_Feature *const *features)
{
    (void)flags;
    hpa_lv2 *p = h;
    if (!p->map)
        return LV2_STATE_ERR_NO_FEATURE;
    size_t size = 0;
    uint32_t type = 0, vflags = 0;
    const char *v = retrieve(sh, p->u.eq_file, &size, &type, &vflags);
    if (!v || type != p->u.atom_Path || size == 0 || memchr(v, '\0', size) == NULL)
        return restore_text(p, retrieve, sh);
    const LV2_State_Map_Path *mp = find_feature(features, LV2_STATE__mapPath);
    char *absolute = mp ? mp->absolute_path(mp->handle, v) : NULL;
    const char *path = absolute ? absolute : v;
    LV2_State_Status st = LV2_STATE_SUCCESS;
    if (strlen(path) >= sizeof p->eq_path) {
        lv2_log_error(&p->logger, "hpamp: %s: the EQ file's path is too long; the EQ playing is kept\n", path);
        st = LV2_STATE_ERR_UNKNOWN;
    } else if (load_eq(p, path) == 0) {
        snprintf(p->eq_path, sizeof p->eq_path, "%s", path); /* fits: checked above */
        free(p->eq_text);
        p->eq_text = NULL;
        p->notify_path = 1;
    } else {
        st = LV2_STATE_ERR_UNKNOWN;
    }
    free_path(features, absolute);
    return st;
}

static const void *extension_data(const char *uri)
{
    static const LV2_Worker_Interface worker = {work, work_response, NULL};
    static const LV2_State_Interface state = {save, restore};
    if (!strcmp(uri, LV2_WORKER__interface))
        return &worker;
    if (!strcmp(uri, LV2_STATE__interface))
        return &state;
    return NULL;
}

LV2_SYMBOL_EXPORT const LV2_Descriptor *lv2_descriptor(uint32_t index)
{
    static const LV2_Descriptor descriptors[] = {
        {HPA_LV2_STEREO_URI, instantiate, connect_port, activate, run, NULL, cleanup, extension_data},
        {HPA_LV2_MONO_URI, instantiate, connect_port, activate, run, NULL, cleanup, extension_data},
    };
    return index < sizeof descriptors / sizeof descriptors[0] ? &descriptors[index] : NULL;
}
