/* chain.c — the streaming chain: convert in, resample, volume, requantize,
 * convert out.  One allocation holds the chain and its buffers (libsoxr makes
 * its own); process() only touches memory sized at creation. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define DEFAULT_SEED 0x68706D70ULL /* "hpmp" */

struct hpa_chain {
    hpa_chain_config cfg;
    hpa_allocator alloc;
    _Atomic uint64_t params[HPA_PARAM_COUNT]; /* doubles as bits: lock-free from any thread */
    hpa_resampler *rs;
    hpa_volume vol;
    hpa_requant rq;
    double *buf_in;       /* max_block_frames * channels */
    size_t max_out;
    int drained;
    int exact_ints;       /* integer input into an as-wide integer output */
    hpa_chain_stats stats;
};

static inline uint64_t d2u(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static inline double u2d(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

void hpa_chain_config_init(hpa_chain_config *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof(*cfg));
    cfg->in_rate_hz = 48000;
    cfg->out_rate_hz = 48000;
    cfg->channels = 2;
    cfg->max_block_frames = 4096;
    cfg->in_format = HPA_FORMAT_F32;
    cfg->out_format = HPA_FORMAT_F32;
    cfg->filter = HPA_FILTER_LINEAR;
    cfg->dither = HPA_DITHER_TPDF;
    cfg->volume_db = 0.0;
    cfg->max_volume_db = 0.0;
    cfg->smoothing_ms = 10.0;
    cfg->seed = DEFAULT_SEED;
    cfg->allocator = NULL;
}

static int rate_ok(uint32_t r)
{
    return r >= HPA_RATE_MIN_HZ && r <= HPA_RATE_MAX_HZ;
}

int hpa_chain_config_check(const hpa_chain_config *cfg)
{
    const hpa_param_info *vol = hpa_param_info_get(HPA_PARAM_VOLUME_DB);
    if (!cfg)
        return HPA_ERR_INVALID_ARG;
    if (!rate_ok(cfg->in_rate_hz) || !rate_ok(cfg->out_rate_hz))
        return HPA_ERR_RATE;
    if (cfg->channels < 1 || cfg->channels > HPA_CHANNELS_MAX)
        return HPA_ERR_CHANNELS;
    if ((unsigned)cfg->in_format >= HPA_FORMAT_COUNT || (unsigned)cfg->out_format >= HPA_FORMAT_COUNT)
        return HPA_ERR_FORMAT;
    if (cfg->max_block_frames < 1 || cfg->max_block_frames > (1u << 24))
        return HPA_ERR_INVALID_ARG;
    if ((unsigned)cfg->filter >= HPA_FILTER_COUNT || (unsigned)cfg->dither >= HPA_DITHER_COUNT)
        return HPA_ERR_INVALID_ARG;
    if (!isfinite(cfg->volume_db) || !isfinite(cfg->max_volume_db) || cfg->max_volume_db > vol->max_value ||
        cfg->max_volume_db < vol->min_value)
        return HPA_ERR_INVALID_ARG;
    if (!(cfg->smoothing_ms >= 0.0 && cfg->smoothing_ms <= 10000.0))
        return HPA_ERR_INVALID_ARG;
    if (cfg->allocator && (!cfg->allocator->alloc || !cfg->allocator->free))
        return HPA_ERR_INVALID_ARG;
    /* libsoxr's minimum-phase design fails above about 90x (a negative
     * delay, then a crash when flushing): allow less than 64x */
    if (cfg->filter == HPA_FILTER_MINIMUM &&
        (cfg->out_rate_hz >= 64.0 * cfg->in_rate_hz || cfg->in_rate_hz >= 64.0 * cfg->out_rate_hz))
        return HPA_ERR_UNSUPPORTED;
    return HPA_OK;
}

static double clamp_param(const hpa_chain *c, int id, double v)
{
    const hpa_param_info *info = hpa_param_info_get(id);
    if (isnan(v))
        v = info->default_value;
    if (v < info->min_value)
        v = info->min_value;
    if (v > info->max_value)
        v = info->max_value;
    if (id == HPA_PARAM_VOLUME_DB && v > c->cfg.max_volume_db)
        v = c->cfg.max_volume_db;
    if (info->is_toggle)
        v = v >= 0.5 ? 1.0 : 0.0;
    return v;
}

/* the linear gain the parameters ask for now */
static double target_gain(const hpa_chain *c)
{
    double db = u2d(atomic_load_explicit(&c->params[HPA_PARAM_VOLUME_DB], memory_order_relaxed));
    double mute = u2d(atomic_load_explicit(&c->params[HPA_PARAM_MUTE], memory_order_relaxed));
    if (mute >= 0.5 || db <= hpa_param_info_get(HPA_PARAM_VOLUME_DB)->min_value)
        return 0.0;
    return hpa_db_to_gain(db);
}

static size_t round_up16(size_t n)
{
    return (n + 15u) & ~(size_t)15u;
}

int hpa_chain_create(const hpa_chain_config *cfg, hpa_chain **out)
{
    int err;
    if (!out)
        return HPA_ERR_INVALID_ARG;
    *out = NULL;
    if ((err = hpa_chain_config_check(cfg)))
        return err;

    const size_t ch = cfg->channels;
    hpa_allocator alloc = hpa_malloc_allocator;
    if (cfg->allocator)
        alloc = *cfg->allocator;

    /* the resampler first: its warm-up tells how much output a call may bring */
    hpa_resampler *rs = NULL;
    if (cfg->in_rate_hz != cfg->out_rate_hz) {
        err = hpa_resampler_create(&rs, cfg->in_rate_hz, cfg->out_rate_hz, cfg->channels, cfg->filter,
                                   cfg->max_block_frames, &alloc);
        if (err)
            return err;
    }
    const size_t max_out = rs ? hpa_resampler_max_out(rs) : cfg->max_block_frames;
    const size_t head = round_up16(sizeof(hpa_chain));
    const size_t in_bytes = round_up16((size_t)cfg->max_block_frames * ch * sizeof(double));

    unsigned char *mem = alloc.alloc(alloc.user, head + in_bytes);
    if (!mem) {
        hpa_resampler_destroy(rs);
        return HPA_ERR_NO_MEMORY;
    }
    memset(mem, 0, head);
    hpa_chain *c = (hpa_chain *)mem;
    c->cfg = *cfg;
    c->cfg.allocator = NULL;
    c->alloc = alloc;
    c->rs = rs;
    c->buf_in = (double *)(mem + head);
    c->max_out = max_out;
    c->exact_ints = hpa_format_scale(cfg->in_format) > 0.0 && hpa_format_scale(cfg->out_format) > 0.0 &&
                    hpa_format_bits(cfg->in_format) <= hpa_format_bits(cfg->out_format);

    for (int i = 0; i < HPA_PARAM_COUNT; i++)
        atomic_init(&c->params[i], d2u(hpa_param_info_get(i)->default_value));
    atomic_store(&c->params[HPA_PARAM_VOLUME_DB], d2u(clamp_param(c, HPA_PARAM_VOLUME_DB, cfg->volume_db)));

    hpa_volume_init(&c->vol, target_gain(c), cfg->smoothing_ms, cfg->out_rate_hz);
    hpa_requant_init(&c->rq, cfg->out_format, cfg->dither, cfg->channels, cfg->out_rate_hz, cfg->seed);
    *out = c;
    return HPA_OK;
}

void hpa_chain_destroy(hpa_chain *c)
{
    if (!c)
        return;
    hpa_resampler_destroy(c->rs);
    c->alloc.free(c->alloc.user, c);
}

size_t hpa_chain_max_out_frames(const hpa_chain *c)
{
    return c ? c->max_out : 0;
}

static int overlaps(const void *a, size_t alen, const void *b, size_t blen)
{
    uintptr_t a0 = (uintptr_t)a, b0 = (uintptr_t)b;
    return alen && blen && a0 < b0 + blen && b0 < a0 + alen;
}

static uint64_t count_over(const double *x, size_t n, double *peak)
{
    uint64_t over = 0;
    double p = *peak;
    for (size_t i = 0; i < n; i++) {
        double a = fabs(x[i]);
        over += a > 1.0;
        p = a > p ? a : p;
    }
    *peak = p;
    return over;
}

/* Volume, requantization and output conversion of the frames in buf, with
 * the clip and peak counts of the stages from the resampler's output on.
 * hpa_volume_process leaves the samples untouched exactly when the gain is
 * 1.0 and stays there (the usual case): then one scan serves the resample and
 * the volume stages, and for integer outputs that scan is the requantizer's
 * own pass over the block. */
static void finish(hpa_chain *c, double *buf, size_t frames, void *out)
{
    const size_t n = frames * c->cfg.channels;
    const hpa_format of = c->cfg.out_format;
    const double target = target_gain(c);
    const int unity = c->vol.gain == 1.0 && target == 1.0;
    uint64_t over = 0;
    double peak = 0.0;

    if (c->rs && !unity) {
        double resampled_peak = 0.0; /* the peak is taken after the volume */
        c->stats.clipped[HPA_STAGE_RESAMPLE] += count_over(buf, n, &resampled_peak);
    }
    int untouched = hpa_volume_process(&c->vol, target, buf, frames, c->cfg.channels);

    if (hpa_format_scale(of) == 0.0) {
        /* float output: no clamp (floats carry overs), overs are counted */
        over = count_over(buf, n, &peak);
        c->stats.clipped[HPA_STAGE_OUTPUT] += over;
        hpa_from_double_exact(of, buf, out, n);
    } else if (untouched && !c->rs && c->exact_ints) {
        /* bit-transparent: every sample is already an integer of the output */
        over = count_over(buf, n, &peak);
        hpa_from_double_exact(of, buf, out, n);
    } else {
        c->stats.clipped[HPA_STAGE_OUTPUT] += hpa_requant_process(&c->rq, buf, out, frames, &over, &peak);
    }

    if (c->rs && unity)
        c->stats.clipped[HPA_STAGE_RESAMPLE] += over;
    c->stats.clipped[HPA_STAGE_VOLUME] += over;
    if (peak > c->stats.peak)
        c->stats.peak = peak;
    c->stats.frames_out += frames;
}

/* Finish the resampler's waiting output where it lies, run by run (volume
 * works in place), into out: up to cap frames. */
static size_t take_output(hpa_chain *c, void *out, size_t cap)
{
    const size_t frame_bytes = c->cfg.channels * hpa_format_bytes(c->cfg.out_format);
    size_t done = 0;
    while (done < cap) {
        double *run;
        size_t n = hpa_resampler_peek(c->rs, &run);
        if (!n)
            break;
        if (n > cap - done)
            n = cap - done;
        finish(c, run, n, (unsigned char *)out + done * frame_bytes); /* counts the resample stage too */
        hpa_resampler_consume(c->rs, n);
        done += n;
    }
    return done;
}

int hpa_chain_process(hpa_chain *c, const void *in, size_t in_frames, void *out, size_t out_capacity,
                      size_t *out_frames)
{
    if (out_frames)
        *out_frames = 0;
    if (!c || !out_frames || (!in && in_frames) || !out)
        return HPA_ERR_INVALID_ARG;
    if (c->drained)
        return HPA_ERR_STATE;
    if (in_frames > c->cfg.max_block_frames)
        return HPA_ERR_BLOCK_TOO_LARGE;
    if (out_capacity < (c->rs ? c->max_out : in_frames))
        return HPA_ERR_BUFFER_TOO_SMALL;
    const size_t ch = c->cfg.channels;
    if (overlaps(in, in_frames * ch * hpa_format_bytes(c->cfg.in_format), out,
                 out_capacity * ch * hpa_format_bytes(c->cfg.out_format)))
        return HPA_ERR_OVERLAP;
    if (!in_frames && !c->rs)
        return HPA_OK;

    c->stats.clipped[HPA_STAGE_INPUT] += hpa_to_double(c->cfg.in_format, in, c->buf_in, in_frames * ch);
    c->stats.frames_in += in_frames;

    if (c->rs) {
        int err = hpa_resampler_push(c->rs, c->buf_in, in_frames);
        *out_frames = take_output(c, out, out_capacity);
        return err;
    }
    finish(c, c->buf_in, in_frames, out);
    *out_frames = in_frames;
    return HPA_OK;
}

int hpa_chain_drain(hpa_chain *c, void *out, size_t out_capacity, size_t *out_frames)
{
    if (out_frames)
        *out_frames = 0;
    if (!c || !out || !out_frames)
        return HPA_ERR_INVALID_ARG;
    if (c->rs && out_capacity < c->max_out)
        return HPA_ERR_BUFFER_TOO_SMALL;
    c->drained = 1;
    if (!c->rs)
        return HPA_OK;
    int err = hpa_resampler_flush(c->rs);
    *out_frames = take_output(c, out, out_capacity);
    return err;
}

int hpa_chain_reset(hpa_chain *c)
{
    if (!c)
        return HPA_ERR_INVALID_ARG;
    if (c->rs) {
        int err = hpa_resampler_reset(c->rs);
        if (err)
            return err;
    }
    c->vol.gain = target_gain(c);
    hpa_requant_reset(&c->rq, c->cfg.seed);
    memset(&c->stats, 0, sizeof(c->stats));
    c->drained = 0;
    return HPA_OK;
}

int hpa_chain_set_param(hpa_chain *c, int id, double value)
{
    if (!c)
        return HPA_ERR_INVALID_ARG;
    if (id < 0 || id >= HPA_PARAM_COUNT)
        return HPA_ERR_UNKNOWN_PARAM;
    atomic_store_explicit(&c->params[id], d2u(clamp_param(c, id, value)), memory_order_relaxed);
    return HPA_OK;
}

int hpa_chain_get_param(const hpa_chain *c, int id, double *value)
{
    if (!c || !value)
        return HPA_ERR_INVALID_ARG;
    if (id < 0 || id >= HPA_PARAM_COUNT)
        return HPA_ERR_UNKNOWN_PARAM;
    *value = u2d(atomic_load_explicit(&c->params[id], memory_order_relaxed));
    return HPA_OK;
}

int hpa_chain_set_volume_db(hpa_chain *c, double db)
{
    return hpa_chain_set_param(c, HPA_PARAM_VOLUME_DB, db);
}

int hpa_chain_set_mute(hpa_chain *c, int mute)
{
    return hpa_chain_set_param(c, HPA_PARAM_MUTE, mute ? 1.0 : 0.0);
}

double hpa_chain_current_gain(const hpa_chain *c)
{
    return c ? c->vol.gain : 0.0;
}

double hpa_chain_latency_frames(const hpa_chain *c)
{
    return (c && c->rs) ? hpa_resampler_latency(c->rs) : 0.0;
}

void hpa_chain_get_stats(const hpa_chain *c, hpa_chain_stats *s)
{
    if (c && s)
        *s = c->stats;
}

static const char *const filter_names[HPA_FILTER_COUNT] = {"linear", "steep", "minimum", "intermediate"};
static const char *const dither_names[HPA_DITHER_COUNT] = {"tpdf", "shaped", "none"};
static const char *const stage_names[HPA_STAGE_COUNT] = {"input", "resample", "volume", "output"};

const char *hpa_filter_name(hpa_filter f)
{
    return (unsigned)f < HPA_FILTER_COUNT ? filter_names[f] : NULL;
}

const char *hpa_dither_name(hpa_dither d)
{
    return (unsigned)d < HPA_DITHER_COUNT ? dither_names[d] : NULL;
}

const char *hpa_stage_name(hpa_stage s)
{
    return (unsigned)s < HPA_STAGE_COUNT ? stage_names[s] : NULL;
}

static int find_name(const char *const *names, int n, const char *name)
{
    if (name)
        for (int i = 0; i < n; i++)
            if (strcmp(names[i], name) == 0)
                return i;
    return HPA_ERR_INVALID_ARG;
}

int hpa_filter_from_name(const char *name)
{
    return find_name(filter_names, HPA_FILTER_COUNT, name);
}

int hpa_dither_from_name(const char *name)
{
    return find_name(dither_names, HPA_DITHER_COUNT, name);
}
