/* chain.c — the streaming chain: convert in, resample, EQ, crossfeed,
 * volume, true-peak limiter, requantize, convert out.  One allocation holds
 * the chain, its buffers, three EQ slots and the limiter (libsoxr makes its
 * own); process() only touches memory sized at creation.
 *
 * EQ hand-off.  Three slots hold band sets.  One atomic word holds the mask
 * of the slots the audio thread uses (bits 0-2) and the slot waiting to be
 * taken (bits 4-5, slot + 1; 0 for none).  The audio thread sets a use bit
 * only by taking the waiting slot (one compare-and-swap; a failure waits for
 * the next block) and clears bits when a crossfade ends.  hpa_chain_set_eq
 * first takes back a waiting slot it gave earlier (fetch-and); from then on
 * the use mask can only shrink, so a slot outside it is free to build in.
 * The audio thread uses at most two slots (the one playing and the one it
 * fades from), so one is always free. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <bs2b/bs2b.h>
#include <hpamp/eq.h>
#include <hpamp/meter.h>

#include "internal.h"

#define DEFAULT_SEED 0x68706D70ULL /* "hpmp" */
#define EQ_SLOTS 3
#define EQ_USE_MASK 0x7u
#define EQ_PEND_SHIFT 4
#define EQ_PEND_MASK (0x3u << EQ_PEND_SHIFT)
#define DEFAULT_MAX_EQ_BANDS 32u
#define DEFAULT_CROSSFADE_MS 20.0
#define DEFAULT_RELEASE_MS 100.0
#define EQ_WARM_MS 100.0 /* a band set replacing another runs this long unheard before the fade */

/* A crossfade between two paths of a stage (-1: the stage's input as is). */
typedef struct hpa_fade {
    int cur;     /* the path playing (the target while fading) */
    int from;    /* the path faded out; meaningful while pos < len */
    size_t pos;  /* frames of the fade done */
    size_t len;  /* frames of a fade; pos == warm + len: not fading */
    size_t warm; /* frames the new path runs unheard first (its filters leave rest), or 0 */
} hpa_fade;

/* The balance and mono stage's setting: gains of the left and the right
 * after an optional (L + R)/2. */
typedef struct hpa_lr {
    double gain[2];
    int mono;
} hpa_lr;

struct hpa_chain {
    hpa_chain_config cfg;
    hpa_allocator alloc;
    _Atomic uint64_t params[HPA_PARAM_COUNT]; /* doubles as bits: lock-free from any thread */
    hpa_resampler *rs;
    const hpa_ops *ops; /* whole-block kernels for this CPU */
    hpa_volume vol;
    hpa_requant rq;
    double *buf_in;  /* max_block_frames * channels */
    double *scratch; /* max(max_out, max_block_frames) * channels: the path faded out */
    size_t max_out;
    /* EQ */
    _Atomic unsigned eq_word; /* use mask and waiting slot (see the top of the file) */
    unsigned char *eq_mem[EQ_SLOTS];
    size_t eq_bytes;
    hpa_eq *eq_slot[EQ_SLOTS];
    double eq_gain[EQ_SLOTS][HPA_CHANNELS_MAX]; /* the preamp of each slot and channel, linear */
    int eq_uniform[EQ_SLOTS];                   /* every channel's preamp the same */
    double eq_preamp_db[EQ_SLOTS];
    int eq_ident[EQ_SLOTS]; /* no bands and 0 dB: the identity */
    int eq_active;          /* the band set taken last (-1: none yet); audio thread */
    unsigned eq_owned;      /* the use bits the audio thread set; audio thread */
    hpa_fade eq_fade;
    size_t eq_warm; /* frames of a new band set's warm-up (EQ_WARM_MS) */
    /* crossfeed: two libbs2b states so a level change can crossfade */
    int xf_ok; /* stereo and a rate libbs2b takes */
    t_bs2bd xf[2];
    hpa_fade xf_fade;
    /* balance and mono (stereo): two settings so that a move can crossfade */
    hpa_lr lr[2];
    hpa_fade lr_fade;
    /* limiter */
    int has_lim;
    hpa_limiter lim;
    size_t lim_skip; /* output frames still to drop (the lookahead's start) */
    size_t lim_tail; /* frames drain still owes */
    int drained;
    int started;    /* a block went through since create/reset: before that, changes need no fade */
    int exact_ints; /* integer input into an as-wide integer output */
    hpa_chain_stats stats;
    hpa_meter *out_meter; /* cfg.meter_output: the output's peaks and A-weighted energy */
};

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
    cfg->max_eq_bands = DEFAULT_MAX_EQ_BANDS;
    cfg->crossfade_ms = DEFAULT_CROSSFADE_MS;
    cfg->limiter_lookahead_ms = 0.0;
    cfg->limiter_release_ms = DEFAULT_RELEASE_MS;
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
    if (cfg->max_eq_bands > HPA_EQ_MAX_BANDS)
        return HPA_ERR_INVALID_ARG;
    if (!(cfg->crossfade_ms == 0.0 || (cfg->crossfade_ms >= 1.0 && cfg->crossfade_ms <= 200.0)))
        return HPA_ERR_INVALID_ARG;
    if (!(cfg->limiter_lookahead_ms == 0.0 || (cfg->limiter_lookahead_ms >= 0.5 && cfg->limiter_lookahead_ms <= 5.0)))
        return HPA_ERR_INVALID_ARG;
    if (!(cfg->limiter_release_ms == 0.0 || (cfg->limiter_release_ms >= 1.0 && cfg->limiter_release_ms <= 5000.0)))
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
    if (mute >= 0.5) /* the lowest volume is -120 dB, not silence: mute is */
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
    const size_t scratch_frames = max_out > cfg->max_block_frames ? max_out : cfg->max_block_frames;
    const size_t head = round_up16(sizeof(hpa_chain));
    const size_t in_bytes = round_up16((size_t)cfg->max_block_frames * ch * sizeof(double));
    const size_t scratch_bytes = round_up16(scratch_frames * ch * sizeof(double));
    hpa_eq_config ec;
    hpa_eq_config_init(&ec);
    ec.rate_hz = cfg->out_rate_hz;
    ec.channels = cfg->channels;
    ec.max_bands = cfg->max_eq_bands;
    const size_t eq_bytes = round_up16(hpa_eq_size(&ec, 0));
    const double lookahead_ms = cfg->limiter_lookahead_ms;
    const size_t lim_bytes =
        lookahead_ms > 0.0
            ? round_up16(hpa_limiter_doubles(cfg->channels, cfg->out_rate_hz, lookahead_ms) * sizeof(double))
            : 0;
    if (!eq_bytes) {
        hpa_resampler_destroy(rs);
        return HPA_ERR_INVALID_ARG;
    }

    unsigned char *mem = alloc.alloc(alloc.user, head + in_bytes + scratch_bytes + EQ_SLOTS * eq_bytes + lim_bytes);
    if (!mem) {
        hpa_resampler_destroy(rs);
        return HPA_ERR_NO_MEMORY;
    }
    memset(mem, 0, head);
    hpa_chain *c = (hpa_chain *)mem;
    c->cfg = *cfg;
    c->cfg.allocator = NULL;
    if (c->cfg.crossfade_ms == 0.0)
        c->cfg.crossfade_ms = DEFAULT_CROSSFADE_MS;
    if (c->cfg.limiter_release_ms == 0.0)
        c->cfg.limiter_release_ms = DEFAULT_RELEASE_MS;
    c->alloc = alloc;
    c->rs = rs;
    c->ops = hpa_ops_get(1);
    c->buf_in = (double *)(mem + head);
    c->scratch = (double *)(mem + head + in_bytes);
    c->max_out = max_out;
    c->exact_ints = hpa_format_scale(cfg->in_format) > 0.0 && hpa_format_scale(cfg->out_format) > 0.0 &&
                    hpa_format_bits(cfg->in_format) <= hpa_format_bits(cfg->out_format);

    for (int i = 0; i < HPA_PARAM_COUNT; i++)
        atomic_init(&c->params[i], d2u(hpa_param_info_get(i)->default_value));
    atomic_store(&c->params[HPA_PARAM_VOLUME_DB], d2u(clamp_param(c, HPA_PARAM_VOLUME_DB, cfg->volume_db)));

    /* EQ: three empty slots, none playing */
    unsigned char *p = mem + head + in_bytes + scratch_bytes;
    c->eq_bytes = eq_bytes;
    for (int i = 0; i < EQ_SLOTS; i++, p += eq_bytes) {
        c->eq_mem[i] = p;
        for (unsigned k = 0; k < HPA_CHANNELS_MAX; k++)
            c->eq_gain[i][k] = 1.0;
        c->eq_uniform[i] = 1;
        c->eq_ident[i] = 1;
    }
    atomic_init(&c->eq_word, 0u);
    c->eq_active = -1;
    const size_t fade_len = (size_t)lround(c->cfg.crossfade_ms * cfg->out_rate_hz / 1000.0);
    c->eq_fade = (hpa_fade){.cur = -1, .from = -1, .pos = fade_len, .len = fade_len};
    c->eq_warm = (size_t)lround(EQ_WARM_MS * cfg->out_rate_hz / 1000.0);
    c->xf_fade = c->eq_fade;
    c->lr_fade = c->eq_fade;

    /* crossfeed: libbs2b's state embedded (bs2b_open would malloc) */
    c->xf_ok = cfg->channels == 2 && cfg->out_rate_hz >= BS2B_MINSRATE && cfg->out_rate_hz <= BS2B_MAXSRATE;
    for (int i = 0; i < 2; i++) {
        c->xf[i].level = BS2B_DEFAULT_CLEVEL;
        c->xf[i].srate = 0;
        if (c->xf_ok)
            bs2b_set_srate(&c->xf[i], cfg->out_rate_hz);
    }

    /* limiter */
    if (lim_bytes) {
        c->has_lim = 1;
        hpa_limiter_init(&c->lim, (double *)(void *)p, cfg->channels, cfg->out_rate_hz, lookahead_ms,
                         c->cfg.limiter_release_ms);
        c->lim_skip = c->lim_tail = c->lim.delay;
    }
    c->stats.eq_preamp_db = 0.0;

    hpa_volume_init(&c->vol, target_gain(c), cfg->smoothing_ms, cfg->out_rate_hz);
    hpa_requant_init(&c->rq, cfg->out_format, cfg->dither, cfg->channels, cfg->out_rate_hz, cfg->seed);
    if (cfg->meter_output) {
        err = hpa_meter_create(cfg->channels, cfg->out_rate_hz, HPA_METER_SAMPLE_PEAK | HPA_METER_AWEIGHT, &c->alloc,
                               &c->out_meter);
        if (err) {
            hpa_chain_destroy(c);
            return err;
        }
    }
    *out = c;
    return HPA_OK;
}

void hpa_chain_destroy(hpa_chain *c)
{
    if (!c)
        return;
    hpa_resampler_destroy(c->rs);
    hpa_meter_destroy(c->out_meter);
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

/* samples with |x| > 1; raises *peak to the largest |x| */
static uint64_t count_over(const hpa_chain *c, double *x, size_t n, double *peak)
{
    return c->ops->gain_scan(x, n, 1.0, peak);
}

static double param(const hpa_chain *c, int id)
{
    return u2d(atomic_load_explicit(&c->params[id], memory_order_relaxed));
}

/* out = from * (1 - w) + out * w, w rising linearly over the fade */
static void fade_mix(hpa_fade *f, double *out, const double *from, size_t frames, unsigned ch)
{
    const double step = 1.0 / (double)f->len;
    size_t i = 0;
    for (; i < frames && f->pos < f->warm + f->len; i++) {
        const double w = ++f->pos <= f->warm ? 0.0 : (double)(f->pos - f->warm) * step;
        for (unsigned k = 0; k < ch; k++) {
            const size_t j = i * ch + k;
            out[j] = from[j] + w * (out[j] - from[j]);
        }
    }
}

static int fading(const hpa_fade *f)
{
    return f->pos < f->warm + f->len;
}

/* a fade to path `to`; at once when nothing played yet (instant); warm:
 * frames the new path runs unheard first */
static void fade_start(hpa_fade *f, int to, int instant, size_t warm)
{
    f->from = f->cur;
    f->cur = to;
    f->warm = warm;
    f->pos = instant ? warm + f->len : 0;
}

/* ---- EQ ---- */

static void eq_release_unused(hpa_chain *c)
{
    unsigned keep = 0;
    if (c->eq_active >= 0)
        keep |= 1u << c->eq_active;
    if (c->eq_fade.cur >= 0)
        keep |= 1u << c->eq_fade.cur;
    if (fading(&c->eq_fade) && c->eq_fade.from >= 0)
        keep |= 1u << c->eq_fade.from;
    const unsigned drop = c->eq_owned & ~keep;
    if (drop) {
        atomic_fetch_and_explicit(&c->eq_word, ~drop, memory_order_release);
        c->eq_owned &= ~drop;
    }
}

static int eq_path_touches(const hpa_chain *c, int slot)
{
    return slot >= 0 && !c->eq_ident[slot];
}

static void eq_run(hpa_chain *c, int slot, double *buf, size_t frames)
{
    if (slot < 0 || c->eq_ident[slot])
        return;
    hpa_eq_process(c->eq_slot[slot], buf, frames);
    const unsigned ch = c->cfg.channels;
    if (c->eq_uniform[slot]) {
        c->ops->gain_scan(buf, frames * ch, c->eq_gain[slot][0], NULL); /* the preamp */
        return;
    }
    for (size_t i = 0; i < frames; i++) /* a preamp per channel (Channel: sections) */
        for (unsigned k = 0; k < ch; k++)
            buf[i * ch + k] *= c->eq_gain[slot][k];
}

/* The EQ stage; returns 1 when it changed the samples. */
static int eq_stage(hpa_chain *c, double *buf, size_t frames)
{
    hpa_fade *f = &c->eq_fade;
    if (!fading(f)) {
        unsigned w = atomic_load_explicit(&c->eq_word, memory_order_acquire);
        if (w & EQ_PEND_MASK) {
            const int slot = (int)((w & EQ_PEND_MASK) >> EQ_PEND_SHIFT) - 1;
            const unsigned nw = (w & ~EQ_PEND_MASK) | (1u << slot);
            if (atomic_compare_exchange_strong_explicit(&c->eq_word, &w, nw, memory_order_acq_rel,
                                                        memory_order_relaxed)) {
                c->eq_owned |= 1u << slot;
                c->eq_active = slot;
            }
        }
        const int want = param(c, HPA_PARAM_EQ_ENABLE) >= 0.5 ? c->eq_active : -1;
        if (want != f->cur) {
            if (want >= 0 && want == c->eq_active && c->eq_slot[want] && f->cur != want)
                hpa_eq_reset(c->eq_slot[want]); /* from rest, faded in */
            /* one band set for another: the new one's filters start from
             * rest, and a low band takes tens of ms to settle; unheard */
            const size_t warm = want >= 0 && f->cur >= 0 ? c->eq_warm : 0;
            fade_start(f, want, !c->started, warm);
        }
        eq_release_unused(c);
        c->stats.eq_preamp_db = f->cur >= 0 ? c->eq_preamp_db[f->cur] : 0.0;
    }
    if (!fading(f)) {
        if (!eq_path_touches(c, f->cur))
            return 0;
        eq_run(c, f->cur, buf, frames);
        return 1;
    }
    const size_t n = frames * c->cfg.channels;
    memcpy(c->scratch, buf, n * sizeof(double));
    eq_run(c, f->from, c->scratch, frames);
    eq_run(c, f->cur, buf, frames);
    fade_mix(f, buf, c->scratch, frames, c->cfg.channels);
    if (!fading(f))
        eq_release_unused(c);
    return 1;
}

/* A stereo stage of two paths (-1: as it is) under fade f: the path playing,
 * or while fading both, mixed; returns 1 when it changed the samples. */
static int run_paths(hpa_chain *c, hpa_fade *f, void (*run)(hpa_chain *, int, double *, size_t), double *buf,
                     size_t frames)
{
    if (!fading(f)) {
        if (f->cur < 0)
            return 0;
        run(c, f->cur, buf, frames);
        return 1;
    }
    memcpy(c->scratch, buf, frames * 2 * sizeof(double));
    run(c, f->from, c->scratch, frames);
    run(c, f->cur, buf, frames);
    fade_mix(f, buf, c->scratch, frames, 2);
    return 1;
}

/* ---- balance and mono (stereo) ---- */

static void lr_from_params(const hpa_chain *c, hpa_lr *p)
{
    const double b = param(c, HPA_PARAM_BALANCE_DB); /* the other side goes down, never up */
    p->gain[0] = b > 0.0 ? hpa_db_to_gain(-b) : 1.0;
    p->gain[1] = b < 0.0 ? hpa_db_to_gain(b) : 1.0;
    p->mono = param(c, HPA_PARAM_MONO) >= 0.5;
}

static void lr_run(hpa_chain *c, int path, double *buf, size_t frames)
{
    if (path < 0)
        return;
    const hpa_lr *p = &c->lr[path];
    for (size_t i = 0; i < frames; i++) {
        double l = buf[2 * i], r = buf[2 * i + 1];
        if (p->mono)
            l = r = 0.5 * (l + r);
        buf[2 * i] = l * p->gain[0];
        buf[2 * i + 1] = r * p->gain[1];
    }
}

/* The balance and mono stage, before the EQ (so that per-channel EQ still
 * shapes each ear); a change crossfades from the old setting to the new. */
static int lr_stage(hpa_chain *c, double *buf, size_t frames)
{
    hpa_fade *f = &c->lr_fade;
    if (c->cfg.channels != 2)
        return 0;
    if (!fading(f)) {
        hpa_lr want;
        lr_from_params(c, &want);
        const int ident = want.gain[0] == 1.0 && want.gain[1] == 1.0 && !want.mono;
        if (ident && f->cur >= 0) {
            fade_start(f, -1, !c->started, 0);
        } else if (!ident && (f->cur < 0 || c->lr[f->cur].gain[0] != want.gain[0] ||
                              c->lr[f->cur].gain[1] != want.gain[1] || c->lr[f->cur].mono != want.mono)) {
            const int k = f->cur < 0 ? 0 : 1 - f->cur;
            c->lr[k] = want;
            fade_start(f, k, !c->started, 0);
        }
    }
    return run_paths(c, f, lr_run, buf, frames);
}

/* ---- crossfeed (libbs2b) ---- */

static uint32_t xf_level_from_params(const hpa_chain *c)
{
    uint32_t fcut = (uint32_t)lround(param(c, HPA_PARAM_CROSSFEED_FCUT_HZ));
    uint32_t feed = (uint32_t)lround(param(c, HPA_PARAM_CROSSFEED_FEED_DB) * 10.0);
    return fcut | (feed << 16);
}

static void xf_run(hpa_chain *c, int path, double *buf, size_t frames)
{
    if (path < 0)
        return;
    while (frames) { /* libbs2b counts frames in an int */
        const int n = frames > (1u << 20) ? (1 << 20) : (int)frames;
        bs2b_cross_feed_d(&c->xf[path], buf, n);
        buf += (size_t)n * 2;
        frames -= (size_t)n;
    }
}

static int xf_stage(hpa_chain *c, double *buf, size_t frames)
{
    hpa_fade *f = &c->xf_fade;
    if (!c->xf_ok)
        return 0;
    if (!fading(f)) {
        const int on = param(c, HPA_PARAM_CROSSFEED_ENABLE) >= 0.5;
        const uint32_t level = xf_level_from_params(c);
        if (on && (f->cur < 0 || c->xf[f->cur].level != level)) {
            const int k = f->cur < 0 ? 0 : 1 - f->cur;
            bs2b_set_level(&c->xf[k], level);
            bs2b_clear(&c->xf[k]);
            if (f->cur >= 0)
                c->xf[k].lfs = c->xf[f->cur].lfs; /* start from the playing filters' state */
            fade_start(f, k, !c->started, 0);
        } else if (!on && f->cur >= 0) {
            fade_start(f, -1, !c->started, 0);
        }
    }
    return run_paths(c, f, xf_run, buf, frames);
}

/* [RT] the output's per-channel peaks and A-weighted energy (cfg.meter_output) */
static void meter_output(hpa_chain *c, const double *buf, size_t frames)
{
    double pk[HPA_CHANNELS_MAX];
    hpa_meter_add_double(c->out_meter, buf, frames);
    hpa_meter_last_peaks(c->out_meter, pk);
    for (unsigned k = 0; k < c->cfg.channels; k++)
        if (pk[k] > c->stats.out_block_peak[k])
            c->stats.out_block_peak[k] = pk[k];
}

/* EQ, crossfeed, volume, limiter, requantization and output conversion of
 * the frames in buf, with the clip and peak counts of the stages from the
 * resampler's output on.  Returns the frames written to out: fewer than
 * `frames` while the limiter's lookahead is filling.  When no stage touches
 * the samples and the volume is exactly 1.0 and stays there (the usual
 * case), one scan serves the resample and the volume stages, and for integer
 * outputs that scan is the requantizer's own pass over the block. */
static size_t finish(hpa_chain *c, double *buf, size_t frames, void *out)
{
    const unsigned ch = c->cfg.channels;
    size_t n = frames * ch;
    const hpa_format of = c->cfg.out_format;
    const double target = target_gain(c);
    const int quiet_stages = !c->has_lim && !fading(&c->eq_fade) && !eq_path_touches(c, c->eq_fade.cur) &&
                             !(atomic_load_explicit(&c->eq_word, memory_order_relaxed) & EQ_PEND_MASK) &&
                             !fading(&c->xf_fade) && c->xf_fade.cur < 0 && !fading(&c->lr_fade) && c->lr_fade.cur < 0;
    const int unity = quiet_stages && c->vol.gain == 1.0 && target == 1.0;
    uint64_t over = 0;
    double peak = 0.0;

    if (c->rs && !unity) {
        double resampled_peak = 0.0; /* the peak is taken at the output */
        c->stats.clipped[HPA_STAGE_RESAMPLE] += count_over(c, buf, n, &resampled_peak);
    }
    int touched = lr_stage(c, buf, frames);
    touched |= eq_stage(c, buf, frames);
    touched |= xf_stage(c, buf, frames);
    /* with the limiter, the volume stage's pass also counts its overs and
     * takes the peak the limiter needs; without, the requantizer does */
    double vol_peak = 0.0;
    int untouched = hpa_volume_process(&c->vol, c->ops, target, buf, frames, ch,
                                       c->has_lim ? &c->stats.clipped[HPA_STAGE_VOLUME] : NULL,
                                       c->has_lim ? &vol_peak : NULL) &&
                    !touched;

    if (c->has_lim) {
        const int on = param(c, HPA_PARAM_LIMITER_ENABLE) >= 0.5;
        if (hpa_limiter_process(&c->lim, buf, frames, hpa_db_to_gain(param(c, HPA_PARAM_LIMITER_CEILING_DBTP)), on,
                                vol_peak))
            untouched = 0; /* gain exactly 1.0: the samples are only delayed */
        const size_t skip = frames < c->lim_skip ? frames : c->lim_skip;
        c->lim_skip -= skip;
        buf += skip * ch;
        frames -= skip;
        n = frames * ch;
        c->stats.limited_frames = c->lim.limited_frames;
        c->stats.limiter_max_reduction_db = c->lim.min_gain < 1.0 ? -20.0 * log10(c->lim.min_gain) : 0.0;
    }

    if (hpa_format_scale(of) == 0.0) {
        /* float output: overs are counted, not clamped (floats carry them);
         * only what the format cannot hold is (it would be +-Inf) */
        over = count_over(c, buf, n, &peak);
        c->stats.clipped[HPA_STAGE_OUTPUT] += over;
        c->stats.float_clamped += hpa_from_double_finite(of, buf, out, n);
    } else if (untouched && !c->rs && c->exact_ints) {
        /* bit-transparent: every sample is already an integer of the output */
        over = count_over(c, buf, n, &peak);
        hpa_from_double_exact(of, buf, out, n);
    } else {
        c->stats.clipped[HPA_STAGE_OUTPUT] += hpa_requant_process(&c->rq, buf, out, frames, &over, &peak);
    }

    if (c->rs && unity)
        c->stats.clipped[HPA_STAGE_RESAMPLE] += over;
    if (!c->has_lim)
        c->stats.clipped[HPA_STAGE_VOLUME] += over;
    if (peak > c->stats.peak)
        c->stats.peak = peak;
    if (c->out_meter && frames)
        meter_output(c, buf, frames);
    c->stats.frames_out += frames;
    c->started = 1;
    return frames;
}

#define RS_SLICE 1024u /* input frames pushed to the resampler before its output is finished */

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
        size_t got = finish(c, run, n, (unsigned char *)out + done * frame_bytes); /* counts the resample stage too */
        hpa_resampler_consume(c->rs, n);
        done += got;
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
    memset(c->stats.out_block_peak, 0, sizeof c->stats.out_block_peak);
    if (!in_frames && !c->rs)
        return HPA_OK;

    if (c->cfg.in_format == HPA_FORMAT_S16) /* the common case: a SIMD kernel */
        c->ops->s16_to_double(in, c->buf_in, in_frames * ch);
    else
        c->stats.clipped[HPA_STAGE_INPUT] += hpa_to_double(c->cfg.in_format, in, c->buf_in, in_frames * ch);
    c->stats.frames_in += in_frames;

    if (c->rs) {
        /* a slice at a time, each slice's output finished while it is still
         * in the cache (upsampling 8x, a 4096-frame block would leave 512 KB
         * in the ring); soxr sees the same whole chunks either way, and
         * every stage after it is a stream, so the output is the same */
        int err = HPA_OK;
        size_t i = 0;
        if (in_frames > RS_SLICE) {
            const size_t frame_bytes = ch * hpa_format_bytes(c->cfg.out_format);
            for (; in_frames - i > RS_SLICE && !err; i += RS_SLICE) {
                err = hpa_resampler_push(c->rs, c->buf_in + i * ch, RS_SLICE);
                *out_frames += take_output(c, (unsigned char *)out + *out_frames * frame_bytes,
                                           out_capacity - *out_frames);
            }
            out = (unsigned char *)out + *out_frames * frame_bytes;
        }
        if (!err) /* the last slice (or a call without input: what is waiting) */
            err = hpa_resampler_push(c->rs, c->buf_in + i * ch, in_frames - i);
        *out_frames += take_output(c, out, out_capacity - *out_frames);
        return err;
    }
    *out_frames = finish(c, c->buf_in, in_frames, out);
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
    memset(c->stats.out_block_peak, 0, sizeof c->stats.out_block_peak);
    c->drained = 1;
    if (c->rs) {
        int err = hpa_resampler_flush(c->rs);
        *out_frames = take_output(c, out, out_capacity);
        if (err || *out_frames)
            return err;
    }
    /* the limiter's lookahead: silence pushes out the last frames */
    if (c->has_lim && c->lim_tail == c->lim.delay && c->lim_tail)
        hpa_limiter_end(&c->lim);
    while (c->lim_tail && *out_frames == 0) {
        size_t n = c->lim_tail < c->cfg.max_block_frames ? c->lim_tail : c->cfg.max_block_frames;
        if (n > out_capacity)
            n = out_capacity;
        if (!n)
            break;
        memset(c->buf_in, 0, n * c->cfg.channels * sizeof(double));
        c->lim_tail -= n;
        *out_frames = finish(c, c->buf_in, n, out);
    }
    return HPA_OK;
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
    if (c->out_meter)
        hpa_meter_reset(c->out_meter); /* no loudness: nothing allocates */
    c->drained = 0;
    c->started = 0;
    /* fades end at once (silence), filters rest */
    c->eq_fade.pos = c->eq_fade.warm + c->eq_fade.len;
    c->xf_fade.pos = c->xf_fade.len;
    c->lr_fade.pos = c->lr_fade.len;
    for (int i = 0; i < EQ_SLOTS; i++)
        if (c->eq_slot[i] && (c->eq_owned & (1u << i)))
            hpa_eq_reset(c->eq_slot[i]);
    eq_release_unused(c);
    c->stats.eq_preamp_db = c->eq_fade.cur >= 0 ? c->eq_preamp_db[c->eq_fade.cur] : 0.0;
    if (c->xf_ok)
        for (int i = 0; i < 2; i++)
            bs2b_clear(&c->xf[i]);
    if (c->has_lim) {
        hpa_limiter_reset(&c->lim);
        c->lim.limited_frames = 0;
        c->lim.min_gain = 1.0;
        c->lim_skip = c->lim_tail = c->lim.delay;
    }
    return HPA_OK;
}

int hpa_chain_set_param(hpa_chain *c, int id, double value)
{
    if (!c)
        return HPA_ERR_INVALID_ARG;
    if (id < 0 || id >= HPA_PARAM_COUNT)
        return HPA_ERR_UNKNOWN_PARAM;
    double v = clamp_param(c, id, value);
    if ((id == HPA_PARAM_CROSSFEED_ENABLE && v == 1.0 && !c->xf_ok) ||
        (id == HPA_PARAM_LIMITER_ENABLE && v == 1.0 && !c->has_lim) ||
        ((id == HPA_PARAM_BALANCE_DB || id == HPA_PARAM_MONO) && v != 0.0 && c->cfg.channels != 2)) {
        atomic_store_explicit(&c->params[id], d2u(0.0), memory_order_relaxed);
        return HPA_ERR_UNSUPPORTED;
    }
    atomic_store_explicit(&c->params[id], d2u(v), memory_order_relaxed);
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
    if (!c)
        return 0.0;
    return (c->rs ? hpa_resampler_latency(c->rs) : 0.0) + hpa_chain_limiter_latency_frames(c);
}

double hpa_chain_limiter_latency_frames(const hpa_chain *c)
{
    return c && c->has_lim ? (double)c->lim.delay : 0.0;
}

/* ---- EQ band sets from another thread ---- */

/* The largest gain of the bands' response on any of the chain's channels
 * plus that channel's preamp offset (channel_db may be NULL), in dB. */
static int eq_need_db(hpa_chain *c, const hpa_eq_band *bands, size_t n_bands, const double *channel_db, double *need)
{
    const double rate = c->cfg.out_rate_hz;
    int masked = 0, err = HPA_OK;
    for (size_t k = 0; k < n_bands; k++)
        masked |= bands[k].channel_mask != 0;
    double common = 0.0;
    if (!masked && (err = hpa_eq_peak_db(bands, n_bands, rate, 0.0, rate / 2.0, &common, NULL)))
        return err;
    hpa_eq_band *own = NULL;
    if (masked && !(own = c->alloc.alloc(c->alloc.user, n_bands * sizeof *own)))
        return HPA_ERR_NO_MEMORY;
    *need = -HUGE_VAL;
    for (unsigned k = 0; k < c->cfg.channels && !err; k++) {
        double peak = common;
        if (masked)
            err = hpa_eq_peak_db(own, hpa_eq_bands_for_channel(bands, n_bands, k, own), rate, 0.0, rate / 2.0, &peak,
                                 NULL);
        peak += channel_db ? channel_db[k] : 0.0;
        if (peak > *need)
            *need = peak;
    }
    if (own)
        c->alloc.free(c->alloc.user, own);
    return err;
}

int hpa_chain_set_eq(hpa_chain *c, const hpa_eq_band *bands, size_t n_bands, double preamp_db, double *preamp_out,
                     hpa_eq_fault *fault)
{
    return hpa_chain_set_eq_channels(c, bands, n_bands, preamp_db, NULL, preamp_out, fault);
}

int hpa_chain_set_eq_channels(hpa_chain *c, const hpa_eq_band *bands, size_t n_bands, double preamp_db,
                              const double *channel_db, double *preamp_out, hpa_eq_fault *fault)
{
    if (fault)
        fault->band = 0, fault->reason = NULL;
    if (!c || (n_bands && !bands))
        return HPA_ERR_INVALID_ARG;
    if (n_bands > c->cfg.max_eq_bands)
        return HPA_ERR_BUFFER_TOO_SMALL;
    const double rate = c->cfg.out_rate_hz;
    int err = hpa_eq_bands_check(bands, n_bands, rate, fault);
    if (err)
        return err;
    for (unsigned k = 0; channel_db && k < c->cfg.channels; k++)
        if (!isfinite(channel_db[k]))
            return HPA_ERR_INVALID_ARG;
    if (preamp_db == HPA_EQ_PREAMP_AUTO) {
        double need = 0.0;
        if ((err = eq_need_db(c, bands, n_bands, channel_db, &need)))
            return err;
        preamp_db = need > 0.0 ? -need : 0.0;
    }
    for (unsigned k = 0; k < c->cfg.channels; k++) {
        const double v = preamp_db + (channel_db ? channel_db[k] : 0.0);
        if (!(v >= HPA_EQ_PREAMP_MIN_DB && v <= HPA_EQ_PREAMP_MAX_DB)) {
            if (fault)
                fault->reason = "the preamp is outside HPA_EQ_PREAMP_MIN_DB .. HPA_EQ_PREAMP_MAX_DB";
            return HPA_ERR_INVALID_ARG;
        }
    }

    /* take back a set not yet taken; from now on the use mask only shrinks */
    const unsigned old = atomic_fetch_and_explicit(&c->eq_word, ~EQ_PEND_MASK, memory_order_acq_rel);
    const unsigned used = old & EQ_USE_MASK;
    int slot = 0;
    while (slot < EQ_SLOTS && (used & (1u << slot)))
        slot++;
    if (slot == EQ_SLOTS) /* cannot happen: the audio thread holds at most two */
        return HPA_ERR_STATE;

    hpa_eq_config ec;
    hpa_eq_config_init(&ec);
    ec.rate_hz = rate;
    ec.channels = c->cfg.channels;
    ec.max_bands = c->cfg.max_eq_bands;
    hpa_eq *eq = NULL;
    err = hpa_eq_init(c->eq_mem[slot], c->eq_bytes, &ec, bands, n_bands, fault, &eq);
    if (err) {
        if (old & EQ_PEND_MASK) /* give the earlier set back */
            atomic_fetch_or_explicit(&c->eq_word, old & EQ_PEND_MASK, memory_order_release);
        return err;
    }
    c->eq_slot[slot] = eq;
    c->eq_preamp_db[slot] = preamp_db;
    c->eq_uniform[slot] = 1;
    c->eq_ident[slot] = n_bands == 0;
    for (unsigned k = 0; k < c->cfg.channels; k++) {
        const double db = preamp_db + (channel_db ? channel_db[k] : 0.0);
        c->eq_gain[slot][k] = hpa_db_to_gain(db);
        c->eq_uniform[slot] &= c->eq_gain[slot][k] == c->eq_gain[slot][0];
        c->eq_ident[slot] &= db == 0.0;
    }
    if (preamp_out)
        *preamp_out = preamp_db;
    atomic_fetch_or_explicit(&c->eq_word, (unsigned)(slot + 1) << EQ_PEND_SHIFT, memory_order_release);
    return HPA_OK;
}

static const hpa_crossfeed_preset xf_presets[] = {
    {"default", 700.0, 4.5, "libbs2b's default: close to a virtual speaker placement (700 Hz, 4.5 dB)"},
    {"cmoy", 700.0, 6.0, "Chu Moy's crossfeed circuit (700 Hz, 6 dB)"},
    {"jmeier", 650.0, 9.5, "Jan Meier's crossfeed circuit (650 Hz, 9.5 dB)"},
};

const hpa_crossfeed_preset *hpa_crossfeed_preset_get(int i)
{
    return (i >= 0 && i < (int)(sizeof xf_presets / sizeof xf_presets[0])) ? &xf_presets[i] : NULL;
}

const hpa_crossfeed_preset *hpa_crossfeed_preset_find(const char *name)
{
    if (name)
        for (size_t i = 0; i < sizeof xf_presets / sizeof xf_presets[0]; i++)
            if (strcmp(xf_presets[i].name, name) == 0)
                return &xf_presets[i];
    return NULL;
}

void hpa_chain_get_stats(const hpa_chain *c, hpa_chain_stats *s)
{
    if (!c || !s)
        return;
    *s = c->stats;
    for (unsigned k = 0; c->out_meter && k < c->cfg.channels; k++) {
        hpa_meter_sample_peak(c->out_meter, k, &s->out_peak[k]);
        hpa_meter_aweighted(c->out_meter, k, &s->out_aweighted[k], NULL);
    }
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
