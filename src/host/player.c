/* player.c — decoder thread and audio-thread render callback (see player.h).
 *
 * Chains.  A chain's input format and rate are fixed, so the decoder makes a
 * new one (off the audio thread) whenever a file's rate or sample format
 * differs from the previous file's, and after every skip; consecutive files
 * of one format share a chain and play gaplessly.  Every new chain is made at
 * the volume floor (silence) and the audio thread then sets the listener's
 * volume on it: the chain's smoothing ramps up from silence, so a new chain
 * never starts with a step.
 *
 * Bursts.  With a resampler the chain's output comes in libsoxr's DFT-sized
 * bursts; a FIFO between the chain and the device period absorbs them.  At
 * the end of a chain's run the resampler still holds its filter's delay: the
 * audio thread pushes silence through the chain (process, not drain, which may
 * allocate) until exactly round(frames_in * out / in) frames came out.
 *
 * Skips.  A skip raises a generation counter.  The audio thread fades the
 * period it is rendering to silence, then drops the old generation's data from
 * the ring and outputs silence until the decoder's first track of the new
 * generation (with a fresh chain, which ramps up) arrives. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ebur128.h>

#include <hpamp/chain.h>
#include <hpamp/format.h>
#include <hpamp/meter.h>

#include <hpamp/host/audiofile.h>
#include <hpamp/host/ring.h>
#include <hpamp/host/tags.h>
#include "rtprobe.h"
#include "../lib/bits.h"
#include <hpamp/host/player.h>

#define MAX_BLOCK 2048u /* input frames per chain call */
#define DATA_RING_BYTES (4u << 20)
#define TRACK_SLOTS 8
#define DONE_SLOTS 64
#define MSG_SLOTS 16
#define OUT_RING_S 0.5   /* the output copied for the loudness meter (as floats): 0.5 s of it */
#define LUFS_CHUNK 4096u /* frames the meter takes at a time */
/* the lowest volume: -120 dB, inaudible but not silence (mute is mute) */
#define VOLUME_FLOOR_DB (hpa_param_info_get(HPA_PARAM_VOLUME_DB)->min_value)
#define LIMITER_LOOKAHEAD_MS 1.5                   /* the hard ceiling's lookahead: 1.5 ms of latency */
#define LIVE_CHAINS (TRACK_SLOTS + DONE_SLOTS + 2) /* made and not yet freed, at most */

typedef struct track {
    int index;
    unsigned gen;
    hpa_chain *chain;        /* a new chain starting with this track, or NULL: keep the current */
    unsigned char *new_fifo; /* a larger FIFO for that chain, or NULL */
    size_t new_fifo_frames;
    uint32_t in_rate;
    hpa_format in_format;
    size_t frame_bytes;         /* one frame in the ring: device channels x in_format */
    int64_t length_frames;      /* from the header, -1 unknown */
    double gain_db;             /* --replaygain: the file's gain and headroom, added to the volume */
    _Atomic int64_t end_frames; /* frames the decoder wrote for it, -1 while it still writes */
    /* set by the audio thread, freed by the decoder thread */
    hpa_chain *retire_chain;
    unsigned char *retire_fifo;
} track;

struct hph_player {
    hph_ring data, tracks, done; /* 64-byte aligned: first, so no padding goes before them */
    hph_ring out;                /* the output as floats, for the loudness meter (hph_player_loudness) */
    hph_player_config cfg;
    int configured;
    atomic_int quit;
    atomic_uint gen;
    atomic_int skip_to;
    atomic_int skip_pending; /* a skip the audio thread has not reached yet */
    atomic_int done_gen;     /* the generation whose files are all decoded, -1 none */
    atomic_int any_track;    /* the decoder published at least one track */
    _Atomic uint64_t volume_bits;
    atomic_int eq_on, xf_on;
    /* the crossfeed's settings and the limiter's ceiling now (hph_player_set_crossfeed_params,
     * hph_player_set_limit): the audio thread puts them on its chain */
    atomic_int xf_avail;
    _Atomic uint64_t xf_fcut_bits, xf_feed_bits, limit_bits;
    atomic_int mute;
    atomic_int failures;
    pthread_t decoder;
    int decoder_started;

    /* the EQ band set of every chain (hph_player_set_eq_bands), and the chains
     * made and not yet freed, under eq_lock (never taken by the audio thread) */
    pthread_mutex_t eq_lock;
    hpa_eq_band *eq_bands;
    size_t n_eq_bands, max_eq_bands;
    double eq_preamp_db;
    double eq_channel_db[HPA_CHANNELS_MAX]; /* cfg.eq_channel_db points here when given */
    hpa_chain *live[LIVE_CHAINS];

    /* messages from the decoder thread to the main thread (neither is RT) */
    pthread_mutex_t msg_lock;
    char msgs[MSG_SLOTS][320];
    int msg_head, msg_count;

    /* ---- audio thread only ---- */
    track *cur;
    int discarding;  /* cur belongs to an old generation: drop its data */
    int awaiting;    /* after a skip, until the new generation's first track */
    int64_t cur_pos; /* input frames of cur consumed */
    hpa_chain *chain;
    uint32_t chain_in_rate;
    uint64_t group_in, group_out; /* frames in and out of the current chain */
    unsigned seen_gen;
    double cur_gain_db; /* the gain of the track playing (--replaygain) */
    unsigned char *fifo;
    size_t fifo_cap, fifo_frames, out_frame_bytes;
    unsigned char *stage; /* one block of input, out of the ring */
    unsigned char *zeros; /* one block of silence in any format */
    uint64_t clipped_retired, limited_retired;
    hpa_meter *aw; /* A-weighting of the output, for the dose (meter.h) */
    double *mbuf;  /* the output as doubles for it: max_render_frames frames */
    float *fbuf;   /* and as floats for the loudness meter's ring */
    uint64_t a_frames;
    int stream_ended;

    /* ---- published by the audio thread ---- */
    atomic_int st_index;
    _Atomic int64_t st_pos, st_length;
    atomic_uint st_rate;
    _Atomic uint64_t st_gain_bits;
    _Atomic uint64_t st_peak_bits[HPA_CHANNELS_MAX];
    _Atomic uint64_t st_clipped, st_starved, st_frames_out, st_limited, st_limit_db_bits;
    _Atomic uint64_t st_aenergy_bits[HPA_CHANNELS_MAX], st_aframes;
    _Atomic uint64_t st_rg_gain_bits;
    atomic_int st_ended, st_resampling;

    /* ---- decoder thread only ---- */
    size_t planned_fifo_frames;

    /* ---- the loudness meter's thread only (hph_player_loudness) ---- */
    ebur128_state *lufs;
    float *lufs_buf;
};

static void sleep_ms(double ms)
{
    struct timespec ts = {(time_t)(ms / 1000.0), (long)(fmod(ms, 1000.0) * 1e6)};
    nanosleep(&ts, NULL);
}

static void post_message(hph_player *p, const char *path, const char *why)
{
    pthread_mutex_lock(&p->msg_lock);
    if (p->msg_count < MSG_SLOTS) {
        snprintf(p->msgs[(p->msg_head + p->msg_count) % MSG_SLOTS], sizeof p->msgs[0], "%s: %s", path, why);
        p->msg_count++;
    }
    pthread_mutex_unlock(&p->msg_lock);
}

int hph_player_message(hph_player *p, char *buf, size_t len)
{
    int got = 0;
    pthread_mutex_lock(&p->msg_lock);
    if (p->msg_count) {
        snprintf(buf, len, "%s", p->msgs[p->msg_head]);
        p->msg_head = (p->msg_head + 1) % MSG_SLOTS;
        p->msg_count--;
        got = 1;
    }
    pthread_mutex_unlock(&p->msg_lock);
    return got;
}

int hph_player_failures(hph_player *p)
{
    return atomic_load(&p->failures);
}

hph_player *hph_player_new(void)
{
    hph_player *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    pthread_mutex_init(&p->msg_lock, NULL);
    pthread_mutex_init(&p->eq_lock, NULL);
    atomic_init(&p->done_gen, -1);
    atomic_init(&p->st_index, -1);
    atomic_init(&p->st_length, -1);
    atomic_init(&p->st_rg_gain_bits, d2u(NAN));
    return p;
}

int hph_player_configure(hph_player *p, const hph_player_config *cfg, char *why, size_t why_len)
{
    p->cfg = *cfg;
    const size_t ch = cfg->channels;
    p->out_frame_bytes = ch * hpa_format_bytes(cfg->out_format);
    p->fifo_cap = cfg->max_render_frames + MAX_BLOCK;
    p->planned_fifo_frames = p->fifo_cap;
    p->fifo = malloc(p->fifo_cap * p->out_frame_bytes);
    p->stage = malloc((size_t)MAX_BLOCK * ch * 8);
    p->zeros = calloc((size_t)MAX_BLOCK * ch, 8);
    if (!p->fifo || !p->stage || !p->zeros || hph_ring_init(&p->data, DATA_RING_BYTES) ||
        hph_ring_init(&p->tracks, TRACK_SLOTS * sizeof(void *)) ||
        hph_ring_init(&p->done, DONE_SLOTS * sizeof(void *))) {
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    p->max_eq_bands = cfg->max_eq_bands > cfg->n_eq_bands ? cfg->max_eq_bands : cfg->n_eq_bands;
    p->eq_bands = malloc((p->max_eq_bands ? p->max_eq_bands : 1) * sizeof *p->eq_bands);
    if (!p->eq_bands) {
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    if (cfg->n_eq_bands)
        memcpy(p->eq_bands, cfg->eq_bands, cfg->n_eq_bands * sizeof *p->eq_bands);
    p->n_eq_bands = cfg->n_eq_bands;
    p->eq_preamp_db = cfg->eq_preamp_db;
    if (cfg->eq_channel_db) { /* a copy: hph_player_set_eq_channels may change it */
        memcpy(p->eq_channel_db, cfg->eq_channel_db, sizeof p->eq_channel_db);
        p->cfg.eq_channel_db = p->eq_channel_db;
    }
    /* the output for the short-term loudness, read off the audio thread */
    const size_t out_frames = (size_t)(OUT_RING_S * cfg->out_rate_hz);
    p->lufs = ebur128_init(ch, cfg->out_rate_hz, EBUR128_MODE_S);
    p->lufs_buf = malloc(LUFS_CHUNK * ch * sizeof *p->lufs_buf);
    p->fbuf = malloc((size_t)cfg->max_render_frames * ch * sizeof *p->fbuf);
    if (!p->lufs || !p->lufs_buf || !p->fbuf || hph_ring_init(&p->out, out_frames * ch * sizeof(float))) {
        snprintf(why, why_len, "the loudness meter: %u Hz, %u channels not supported", cfg->out_rate_hz, cfg->channels);
        return -1;
    }
    p->mbuf = malloc((size_t)cfg->max_render_frames * ch * sizeof *p->mbuf);
    if (!p->mbuf || hpa_meter_create(ch, cfg->out_rate_hz, HPA_METER_AWEIGHT, NULL, &p->aw) != HPA_OK) {
        snprintf(why, why_len, "A-weighting: %u Hz, %u channels not supported", cfg->out_rate_hz, cfg->channels);
        return -1;
    }
    atomic_store(&p->volume_bits, d2u(cfg->start_volume_db));
    atomic_store(&p->eq_on, cfg->n_eq_bands > 0);
    atomic_store(&p->xf_on, cfg->crossfeed && cfg->channels == 2);
    atomic_store(&p->xf_avail, cfg->crossfeed && cfg->channels == 2);
    atomic_store(&p->xf_fcut_bits, d2u(cfg->xf_fcut_hz));
    atomic_store(&p->xf_feed_bits, d2u(cfg->xf_feed_db));
    atomic_store(&p->limit_bits, d2u(cfg->limit_dbtp));
    p->configured = 1;
    return 0;
}

void hph_player_set_volume_db(hph_player *p, double db)
{
    if (db > p->cfg.max_volume_db) /* the chain caps it too; the ceiling is checked twice */
        db = p->cfg.max_volume_db;
    if (db < VOLUME_FLOOR_DB)
        db = VOLUME_FLOOR_DB;
    atomic_store_explicit(&p->volume_bits, d2u(db), memory_order_relaxed);
}

void hph_player_set_mute(hph_player *p, int mute)
{
    atomic_store_explicit(&p->mute, !!mute, memory_order_relaxed);
}

void hph_player_skip(hph_player *p, int delta)
{
    int at = atomic_load(&p->skip_pending) ? atomic_load(&p->skip_to) : atomic_load(&p->st_index);
    int to = (at < 0 ? 0 : at) + delta;
    if (to < 0)
        to = 0;
    atomic_store(&p->skip_to, to);
    atomic_store(&p->skip_pending, 1);
    atomic_fetch_add_explicit(&p->gen, 1, memory_order_release);
}

/* ------------------------------------------------------------------------ */
/* decoder thread                                                           */

/* a chain made (registered: 1) or freed (0), for hph_player_set_eq_bands */
static void chain_register(hph_player *p, hpa_chain *c, int made)
{
    if (!c)
        return;
    pthread_mutex_lock(&p->eq_lock);
    for (int i = 0; i < LIVE_CHAINS; i++)
        if (p->live[i] == (made ? NULL : c)) {
            p->live[i] = made ? c : NULL;
            break;
        }
    pthread_mutex_unlock(&p->eq_lock);
}

static void chain_free(hph_player *p, hpa_chain *c)
{
    chain_register(p, c, 0);
    hpa_chain_destroy(c);
}

static void free_track(hph_player *p, track *t)
{
    if (!t)
        return;
    chain_free(p, t->retire_chain);
    free(t->retire_fifo);
    chain_free(p, t->chain); /* set only while the audio thread has not taken it */
    free(t->new_fifo);
    free(t);
}

static void collect_done(hph_player *p)
{
    track *t;
    while ((t = hph_ring_pop_ptr(&p->done)))
        free_track(p, t);
}

void hph_player_set_eq_channels(hph_player *p, const double *channel_db)
{
    pthread_mutex_lock(&p->eq_lock);
    if (channel_db)
        memcpy(p->eq_channel_db, channel_db, sizeof p->eq_channel_db);
    else
        memset(p->eq_channel_db, 0, sizeof p->eq_channel_db);
    p->cfg.eq_channel_db = p->eq_channel_db;
    pthread_mutex_unlock(&p->eq_lock);
}

int hph_player_set_eq_bands(hph_player *p, const hpa_eq_band *bands, size_t n, double preamp_db, char *why,
                            size_t why_len)
{
    if (n > p->max_eq_bands) {
        snprintf(why, why_len, "%zu EQ bands: the player has room for %zu", n, p->max_eq_bands);
        return -1;
    }
    int err = HPA_OK;
    pthread_mutex_lock(&p->eq_lock);
    if (n)
        memcpy(p->eq_bands, bands, n * sizeof *bands);
    p->n_eq_bands = n;
    p->eq_preamp_db = preamp_db;
    for (int i = 0; i < LIVE_CHAINS && !err; i++)
        if (p->live[i])
            err = hpa_chain_set_eq_channels(p->live[i], p->eq_bands, n, preamp_db, p->cfg.eq_channel_db, NULL, NULL);
    pthread_mutex_unlock(&p->eq_lock);
    if (err)
        snprintf(why, why_len, "cannot set the EQ: %s", hpa_strerror(err));
    return err ? -1 : 0;
}

static int changed(hph_player *p, unsigned my_gen)
{
    return atomic_load(&p->quit) || atomic_load_explicit(&p->gen, memory_order_acquire) != my_gen;
}

/* --replaygain: the file's gain (its tags; 0 without), and with an EQ and a
 * peak tag the headroom render takes (hph_headroom_preamp) in place of the
 * band set's own preamp; NAN when the file has no tag */
static double replaygain_db(hph_player *p, const char *path)
{
    hph_rg_tags tags;
    double gain = 0.0, peak = NAN;
    if (!p->cfg.replaygain || hph_tags_read_replaygain(path, &tags) ||
        hph_tags_pick(&tags, p->cfg.replaygain == 2, &gain, &peak) == HPH_RG_NONE)
        return NAN;
    pthread_mutex_lock(&p->eq_lock);
    double eq_peak = 0.0;
    if (p->n_eq_bands && isfinite(peak) &&
        hpa_eq_peak_db(p->eq_bands, p->n_eq_bands, p->cfg.out_rate_hz, 0.0, p->cfg.out_rate_hz / 2.0, &eq_peak, NULL) ==
            HPA_OK)
        gain += hph_headroom_preamp(peak + gain, p->cfg.limit_dbtp, eq_peak) - p->eq_preamp_db;
    pthread_mutex_unlock(&p->eq_lock);
    return gain;
}

/* decode one file into the ring; returns 0 when done with it */
static void decode_file(hph_player *p, int idx, unsigned my_gen, int *need_chain, uint32_t *last_rate,
                        hpa_format *last_format)
{
    const char *path = p->cfg.files[idx];
    char why[256];
    hph_audio_info info;
    hph_audiofile *f = hph_audio_open_read_as(path, p->cfg.raw, &info, why, sizeof why);
    if (!f) {
        post_message(p, path, why);
        atomic_fetch_add(&p->failures, 1);
        return;
    }
    const uint32_t dch = p->cfg.channels;
    int upmix = info.channels == 1 && dch == 2;
    if (info.channels != dch && !upmix) {
        snprintf(why, sizeof why, "%u channels; the device was opened for %u (skipped)", info.channels, dch);
        post_message(p, path, why);
        atomic_fetch_add(&p->failures, 1);
        hph_audio_close(f);
        return;
    }
    if (info.rate_hz < HPA_RATE_MIN_HZ || info.rate_hz > HPA_RATE_MAX_HZ) {
        snprintf(why, sizeof why, "sample rate %u Hz is not supported (8000 to 768000 Hz)", info.rate_hz);
        post_message(p, path, why);
        atomic_fetch_add(&p->failures, 1);
        hph_audio_close(f);
        return;
    }
    track *t = calloc(1, sizeof *t);
    const size_t sb = hpa_format_bytes(info.format);
    unsigned char *in = malloc((size_t)MAX_BLOCK * info.channels * sb);
    unsigned char *wide = upmix ? malloc((size_t)MAX_BLOCK * dch * sb) : NULL;
    if (!t || !in || (upmix && !wide)) {
        post_message(p, path, "out of memory");
        atomic_fetch_add(&p->failures, 1);
        goto out;
    }
    t->index = idx;
    t->gen = my_gen;
    t->in_rate = info.rate_hz;
    t->in_format = info.format;
    t->frame_bytes = dch * sb;
    t->length_frames = info.frames;
    t->gain_db = replaygain_db(p, path);
    atomic_init(&t->end_frames, -1);

    size_t planned = p->planned_fifo_frames;
    if (*need_chain || info.rate_hz != *last_rate || info.format != *last_format) {
        hpa_chain_config cc;
        hpa_chain_config_init(&cc);
        cc.in_rate_hz = info.rate_hz;
        cc.out_rate_hz = p->cfg.out_rate_hz;
        cc.channels = dch;
        cc.max_block_frames = MAX_BLOCK;
        cc.in_format = info.format;
        cc.out_format = p->cfg.out_format;
        cc.filter = p->cfg.filter;
        cc.dither = p->cfg.dither;
        cc.volume_db = VOLUME_FLOOR_DB; /* from the floor: the audio thread sets the volume, the chain ramps */
        cc.max_volume_db = p->cfg.max_volume_db;
        cc.limiter_lookahead_ms = LIMITER_LOOKAHEAD_MS; /* the hard ceiling: always on */
        if (p->max_eq_bands > cc.max_eq_bands)
            cc.max_eq_bands = (uint32_t)p->max_eq_bands;
        int err = hpa_chain_create(&cc, &t->chain);
        if (!err) { /* the band set as it is now, and later ones as they come */
            pthread_mutex_lock(&p->eq_lock);
            if (p->n_eq_bands || p->eq_preamp_db != 0.0)
                err = hpa_chain_set_eq_channels(t->chain, p->eq_bands, p->n_eq_bands, p->eq_preamp_db,
                                                p->cfg.eq_channel_db, NULL, NULL);
            pthread_mutex_unlock(&p->eq_lock);
            chain_register(p, t->chain, 1);
        }
        if (!err && atomic_load(&p->xf_avail) && dch == 2) {
            err = hpa_chain_set_param(t->chain, HPA_PARAM_CROSSFEED_FCUT_HZ, u2d(atomic_load(&p->xf_fcut_bits)));
            if (!err)
                err = hpa_chain_set_param(t->chain, HPA_PARAM_CROSSFEED_FEED_DB, u2d(atomic_load(&p->xf_feed_bits)));
        }
        if (!err) /* the switches as they are now; the audio thread follows them */
            err = hpa_chain_set_param(t->chain, HPA_PARAM_EQ_ENABLE, atomic_load(&p->eq_on) ? 1.0 : 0.0);
        if (!err && dch == 2)
            err = hpa_chain_set_param(t->chain, HPA_PARAM_CROSSFEED_ENABLE, atomic_load(&p->xf_on) ? 1.0 : 0.0);
        if (!err)
            err = hpa_chain_set_param(t->chain, HPA_PARAM_LIMITER_CEILING_DBTP, u2d(atomic_load(&p->limit_bits)));
        if (!err)
            err = hpa_chain_set_param(t->chain, HPA_PARAM_LIMITER_ENABLE, 1.0);
        if (!err && dch == 2)
            err = hpa_chain_set_param(t->chain, HPA_PARAM_BALANCE_DB, p->cfg.balance_db);
        if (!err && dch == 2)
            err = hpa_chain_set_param(t->chain, HPA_PARAM_MONO, p->cfg.mono ? 1.0 : 0.0);
        if (err) {
            snprintf(why, sizeof why, "cannot set up the chain: %s", hpa_strerror(err));
            post_message(p, path, why);
            atomic_fetch_add(&p->failures, 1);
            goto out;
        }
        size_t need = p->cfg.max_render_frames + hpa_chain_max_out_frames(t->chain);
        if (need > planned) {
            t->new_fifo = malloc(need * p->out_frame_bytes);
            if (!t->new_fifo) {
                post_message(p, path, "out of memory");
                atomic_fetch_add(&p->failures, 1);
                goto out;
            }
            t->new_fifo_frames = need;
            planned = need;
        }
    }
    while (hph_ring_push_ptr(&p->tracks, t)) {
        if (changed(p, my_gen))
            goto out; /* never published */
        collect_done(p);
        sleep_ms(2);
    }
    /* published: the audio thread will switch to this chain and FIFO */
    atomic_store(&p->any_track, 1);
    p->planned_fifo_frames = planned;
    if (t->chain) {
        *need_chain = 0;
        *last_rate = info.rate_hz;
        *last_format = info.format;
    }

    int64_t written = 0;
    for (;;) {
        if (changed(p, my_gen))
            break;
        int64_t n = hph_audio_read(f, in, MAX_BLOCK);
        if (n < 0) {
            post_message(p, path, hph_audio_error(f));
            atomic_fetch_add(&p->failures, 1);
            break;
        }
        if (n == 0)
            break;
        const unsigned char *src = in;
        if (upmix) {
            for (int64_t i = 0; i < n; i++) {
                memcpy(wide + (size_t)i * 2 * sb, in + (size_t)i * sb, sb);
                memcpy(wide + (size_t)i * 2 * sb + sb, in + (size_t)i * sb, sb);
            }
            src = wide;
        }
        size_t bytes = (size_t)n * t->frame_bytes, off = 0;
        while (off < bytes && !changed(p, my_gen)) {
            size_t room = hph_ring_writable(&p->data) / t->frame_bytes * t->frame_bytes;
            if (room == 0) {
                collect_done(p);
                sleep_ms(2);
                continue;
            }
            if (room > bytes - off)
                room = bytes - off;
            off += hph_ring_write(&p->data, src + off, room);
        }
        written += (int64_t)(off / t->frame_bytes);
        if (off < bytes)
            break;
    }
    atomic_store_explicit(&t->end_frames, written, memory_order_release);
    t = NULL; /* the audio thread owns it now */
out:
    free_track(p, t); /* NULL once published */
    free(in);
    free(wide);
    hph_audio_close(f);
}

static void *decoder_main(void *arg)
{
    hph_player *p = arg;
    unsigned my_gen = atomic_load_explicit(&p->gen, memory_order_acquire);
    int idx = 0, need_chain = 1;
    uint32_t last_rate = 0;
    hpa_format last_format = HPA_FORMAT_COUNT;
    while (!atomic_load(&p->quit)) {
        collect_done(p);
        unsigned g = atomic_load_explicit(&p->gen, memory_order_acquire);
        if (g != my_gen) {
            my_gen = g;
            idx = atomic_load(&p->skip_to);
            need_chain = 1; /* a fresh chain after a skip: no history, and it ramps up */
            continue;
        }
        if (idx >= p->cfg.n_files) {
            atomic_store_explicit(&p->done_gen, (int)my_gen, memory_order_release);
            sleep_ms(5);
            continue;
        }
        decode_file(p, idx, my_gen, &need_chain, &last_rate, &last_format);
        if (atomic_load_explicit(&p->gen, memory_order_acquire) == my_gen)
            idx++;
    }
    return NULL;
}

int hph_player_start(hph_player *p, double timeout_s)
{
    if (pthread_create(&p->decoder, NULL, decoder_main, p))
        return -1;
    p->decoder_started = 1;
    /* prefill: half the ring, or everything there is */
    for (int waited_ms = 0; waited_ms < timeout_s * 1000.0; waited_ms += 2) {
        if (hph_ring_readable(&p->data) >= p->data.size / 2)
            break;
        if (atomic_load_explicit(&p->done_gen, memory_order_acquire) == (int)atomic_load(&p->gen))
            break;
        sleep_ms(2);
    }
    return atomic_load(&p->any_track) ? 0 : -1;
}

/* ------------------------------------------------------------------------ */
/* the audio thread                                                         */

static void retire_current_chain(hph_player *p, track *into)
{
    if (!p->chain)
        return;
    hpa_chain_stats s;
    hpa_chain_get_stats(p->chain, &s);
    p->clipped_retired += s.clipped[HPA_STAGE_OUTPUT];
    p->limited_retired += s.limited_frames;
    into->retire_chain = p->chain;
    p->chain = NULL;
}

static void to_done(hph_player *p, track *t)
{
    /* the done ring holds more tracks than can be in flight; if it were ever
     * full the track would leak rather than block */
    (void)hph_ring_push_ptr(&p->done, t);
}

/* frames the current chain still owes for its input (resampler tail) */
static uint64_t tail_owed(const hph_player *p)
{
    if (!p->chain)
        return 0;
    if (p->chain_in_rate == p->cfg.out_rate_hz) /* only the limiter's lookahead */
        return p->group_in > p->group_out ? p->group_in - p->group_out : 0;
    uint64_t want = (p->group_in * p->cfg.out_rate_hz + p->chain_in_rate / 2) / p->chain_in_rate;
    return want > p->group_out ? want - p->group_out : 0;
}

/* one call of silence through the chain, keeping only what it still owes */
static void flush_tail_step(hph_player *p)
{
    uint64_t owed = tail_owed(p);
    size_t got = 0;
    hpa_chain_process(p->chain, p->zeros, MAX_BLOCK, p->fifo + p->fifo_frames * p->out_frame_bytes,
                      p->fifo_cap - p->fifo_frames, &got);
    if (got == 0) { /* nothing more will come: give up on the rest */
        p->group_out += owed;
        return;
    }
    size_t keep = got < owed ? got : (size_t)owed;
    p->fifo_frames += keep;
    p->group_out += got;
}

/* take a track's larger FIFO, keeping what the old one holds */
static void adopt_fifo(hph_player *p, track *t)
{
    if (!t->new_fifo)
        return;
    memcpy(t->new_fifo, p->fifo, p->fifo_frames * p->out_frame_bytes);
    t->retire_fifo = p->fifo;
    p->fifo = t->new_fifo;
    p->fifo_cap = t->new_fifo_frames;
    t->new_fifo = NULL;
}

/* a new chain from a track: the old one's tail first, then switch */
static int switch_chain(hph_player *p, track *t)
{
    if (tail_owed(p)) {
        if (p->fifo_frames + hpa_chain_max_out_frames(p->chain) <= p->fifo_cap)
            flush_tail_step(p);
        return 0; /* not yet (the FIFO always has room: it holds max_render + max_out) */
    }
    retire_current_chain(p, t);
    adopt_fifo(p, t);
    p->chain = t->chain;
    t->chain = NULL;
    p->chain_in_rate = t->in_rate;
    p->group_in = p->group_out = 0;
    return 1;
}

static void scale_sample(hpa_format f, unsigned char *buf, size_t i, double g)
{
    switch (f) {
    case HPA_FORMAT_S16: {
        int16_t v;
        memcpy(&v, buf + 2 * i, 2);
        v = (int16_t)lrint(v * g);
        memcpy(buf + 2 * i, &v, 2);
        break;
    }
    case HPA_FORMAT_S24:
    case HPA_FORMAT_S32: {
        int32_t v;
        memcpy(&v, buf + 4 * i, 4);
        v = (int32_t)lrint(v * g);
        memcpy(buf + 4 * i, &v, 4);
        break;
    }
    case HPA_FORMAT_F32: {
        float v;
        memcpy(&v, buf + 4 * i, 4);
        v = (float)(v * g);
        memcpy(buf + 4 * i, &v, 4);
        break;
    }
    default: break;
    }
}

static void publish_peaks(hph_player *p, const unsigned char *buf, size_t frames)
{
    const unsigned ch = p->cfg.channels;
    double peak[HPA_CHANNELS_MAX] = {0};
    hpa_to_double(p->cfg.out_format, buf, p->mbuf, frames * ch);
    for (size_t i = 0; i < frames; i++)
        for (unsigned c = 0; c < ch; c++) {
            double a = fabs(p->mbuf[i * ch + c]);
            if (a > peak[c])
                peak[c] = a;
        }
    hpa_meter_add_double(p->aw, p->mbuf, frames); /* the sound dose's A-weighted energy */
    if (ch) { /* a copy for the loudness meter, whole frames, dropped when it is full (hph_player_loudness) */
        const size_t fb = (size_t)ch * sizeof *p->fbuf;
        size_t n = hph_ring_writable(&p->out) / fb;
        n = n < frames ? n : frames;
        for (size_t i = 0; i < n * ch; i++)
            p->fbuf[i] = (float)p->mbuf[i];
        hph_ring_write(&p->out, p->fbuf, n * fb);
    }
    p->a_frames += frames;
    for (unsigned c = 0; c < ch; c++) {
        double e = 0.0;
        uint64_t n;
        hpa_meter_aweighted(p->aw, c, &e, &n);
        atomic_store_explicit(&p->st_aenergy_bits[c], d2u(e), memory_order_relaxed);
    }
    atomic_store_explicit(&p->st_aframes, p->a_frames, memory_order_release);
    for (unsigned c = 0; c < ch; c++) {
        uint64_t old = atomic_load_explicit(&p->st_peak_bits[c], memory_order_relaxed);
        while (peak[c] > u2d(old) &&
               !atomic_compare_exchange_weak_explicit(&p->st_peak_bits[c], &old, d2u(peak[c]), memory_order_relaxed,
                                                      memory_order_relaxed)) {
        }
    }
}

/* [RT] a parameter onto the chain when it differs (the chain clamps it to its range: compared after) */
static void set_if_changed(hpa_chain *c, int id, double want)
{
    double v;
    if (hpa_chain_get_param(c, id, &v) == HPA_OK && v != want) {
        hpa_chain_set_param(c, id, want);
    }
}

/* [RT] the EQ and crossfeed switches onto the chain, when they differ (a set
 * restarts nothing when unchanged, but a get is cheaper) */
static void apply_switches(hph_player *p)
{
    double v;
    double eq = atomic_load_explicit(&p->eq_on, memory_order_relaxed) ? 1.0 : 0.0;
    if (hpa_chain_get_param(p->chain, HPA_PARAM_EQ_ENABLE, &v) == HPA_OK && v != eq)
        hpa_chain_set_param(p->chain, HPA_PARAM_EQ_ENABLE, eq);
    if (p->cfg.channels == 2 && atomic_load_explicit(&p->xf_avail, memory_order_relaxed)) {
        double xf = atomic_load_explicit(&p->xf_on, memory_order_relaxed) ? 1.0 : 0.0;
        set_if_changed(p->chain, HPA_PARAM_CROSSFEED_FCUT_HZ,
                       u2d(atomic_load_explicit(&p->xf_fcut_bits, memory_order_relaxed)));
        set_if_changed(p->chain, HPA_PARAM_CROSSFEED_FEED_DB,
                       u2d(atomic_load_explicit(&p->xf_feed_bits, memory_order_relaxed)));
        if (hpa_chain_get_param(p->chain, HPA_PARAM_CROSSFEED_ENABLE, &v) == HPA_OK && v != xf)
            hpa_chain_set_param(p->chain, HPA_PARAM_CROSSFEED_ENABLE, xf);
    }
    set_if_changed(p->chain, HPA_PARAM_LIMITER_CEILING_DBTP,
                   u2d(atomic_load_explicit(&p->limit_bits, memory_order_relaxed)));
}

/* [RT] the listener's volume and the track's gain onto the chain (which caps
 * the sum at the ceiling) */
static void set_volume(hph_player *p)
{
    hpa_chain_set_volume_db(p->chain,
                            u2d(atomic_load_explicit(&p->volume_bits, memory_order_relaxed)) + p->cur_gain_db);
}

size_t hph_player_render(void *user, void *buf, size_t frames, int *ended)
{
    hph_player *p = user;
    hph_rt_enter();
    const unsigned g = atomic_load_explicit(&p->gen, memory_order_acquire);
    const size_t fb_out = p->out_frame_bytes;
    int starved = 0, transition = 0, skipped_now = 0;
    *ended = 0;

    if (g != p->seen_gen) { /* a skip: fade what is playing, then drop the rest */
        p->seen_gen = g;
        skipped_now = p->fifo_frames > 0 || (p->cur && !p->discarding);
        if (p->cur)
            p->discarding = 1;
        p->awaiting = 1;
        p->group_in = p->group_out = 0; /* the old chain's tail is not wanted */
    }
    if (p->chain) {
        set_volume(p);
        hpa_chain_set_mute(p->chain, atomic_load_explicit(&p->mute, memory_order_relaxed));
        apply_switches(p);
    }

    size_t out = 0;
    if (skipped_now) {
        /* the fade-out is this period of what was already in the FIFO */
        out = p->fifo_frames < frames ? p->fifo_frames : frames;
        memcpy(buf, p->fifo, out * fb_out);
        p->fifo_frames = 0;
        for (size_t i = 0; i < out; i++)
            for (unsigned c = 0; c < p->cfg.channels; c++)
                scale_sample(p->cfg.out_format, buf, i * p->cfg.channels + c, 1.0 - (double)(i + 1) / (double)out);
        transition = 1;
        goto pad;
    }

    while (p->fifo_frames < frames) {
        if (!p->cur) {
            track *t = hph_ring_peek_ptr(&p->tracks);
            if (!t) {
                int dg = atomic_load_explicit(&p->done_gen, memory_order_acquire);
                if (dg == (int)g && !hph_ring_peek_ptr(&p->tracks)) {
                    if (tail_owed(p)) {
                        if (p->fifo_frames + hpa_chain_max_out_frames(p->chain) > p->fifo_cap)
                            break;
                        flush_tail_step(p);
                        continue;
                    }
                    p->stream_ended = 1;
                } else {
                    starved = 1;
                }
                break;
            }
            if (t->gen != g) { /* queued before a skip */
                hph_ring_pop_ptr(&p->tracks);
                adopt_fifo(p, t); /* the decoder sized later FIFOs on it */
                p->cur = t;
                p->discarding = 1;
                p->cur_pos = 0;
                continue;
            }
            if (t->chain && !switch_chain(p, t))
                break;
            hph_ring_pop_ptr(&p->tracks);
            p->cur = t;
            p->discarding = 0;
            if (p->awaiting) {
                p->awaiting = 0;
                atomic_store_explicit(&p->skip_pending, 0, memory_order_relaxed);
            }
            p->cur_pos = 0;
            atomic_store_explicit(&p->st_index, t->index, memory_order_relaxed);
            atomic_store_explicit(&p->st_rate, t->in_rate, memory_order_relaxed);
            atomic_store_explicit(&p->st_length, t->length_frames, memory_order_relaxed);
            atomic_store_explicit(&p->st_resampling, t->in_rate != p->cfg.out_rate_hz, memory_order_relaxed);
            p->cur_gain_db = isnan(t->gain_db) ? 0.0 : t->gain_db;
            atomic_store_explicit(&p->st_rg_gain_bits, d2u(t->gain_db), memory_order_relaxed);
            if (p->chain) {
                set_volume(p);
                hpa_chain_set_mute(p->chain, atomic_load_explicit(&p->mute, memory_order_relaxed));
                apply_switches(p);
            }
            continue;
        }

        track *t = p->cur;
        const int64_t end = atomic_load_explicit(&t->end_frames, memory_order_acquire);
        size_t avail = hph_ring_readable(&p->data) / t->frame_bytes;
        if (end >= 0 && (int64_t)avail > end - p->cur_pos)
            avail = (size_t)(end - p->cur_pos);
        if (end >= 0 && p->cur_pos >= end) { /* finished */
            to_done(p, t);
            p->cur = NULL;
            p->discarding = 0;
            continue;
        }
        if (p->discarding) {
            p->cur_pos += (int64_t)(hph_ring_skip(&p->data, avail * t->frame_bytes) / t->frame_bytes);
            if (end < 0 || p->cur_pos < end)
                break; /* the decoder is still writing it */
            continue;
        }
        if (avail == 0) {
            starved = 1;
            break;
        }
        size_t need_out = frames - p->fifo_frames, need_in = need_out;
        if (t->in_rate != p->cfg.out_rate_hz)
            need_in = (size_t)(((uint64_t)need_out * t->in_rate + p->cfg.out_rate_hz - 1) / p->cfg.out_rate_hz);
        if (need_in > MAX_BLOCK)
            need_in = MAX_BLOCK;
        if (need_in > avail)
            need_in = avail;
        if (need_in == 0)
            need_in = 1;
        hph_ring_read(&p->data, p->stage, need_in * t->frame_bytes);
        size_t got = 0;
        hpa_chain_process(p->chain, p->stage, need_in, p->fifo + p->fifo_frames * fb_out, p->fifo_cap - p->fifo_frames,
                          &got);
        p->fifo_frames += got;
        p->cur_pos += (int64_t)need_in;
        p->group_in += need_in;
        p->group_out += got;
    }
    transition = (p->awaiting || p->discarding) && !p->stream_ended;

    out = p->fifo_frames < frames ? p->fifo_frames : frames;
    memcpy(buf, p->fifo, out * fb_out);
    memmove(p->fifo, p->fifo + out * fb_out, (p->fifo_frames - out) * fb_out);
    p->fifo_frames -= out;

pad:
    publish_peaks(p, buf, out);
    atomic_fetch_add_explicit(&p->st_frames_out, out, memory_order_relaxed);
    if (out < frames && transition) {
        /* intentional silence while a skip settles: the device must not run dry */
        memset((unsigned char *)buf + out * fb_out, 0, (frames - out) * fb_out);
        out = frames;
    } else if (out < frames && starved) {
        atomic_fetch_add_explicit(&p->st_starved, 1, memory_order_relaxed);
    }
    if (p->chain) {
        hpa_chain_stats s;
        hpa_chain_get_stats(p->chain, &s);
        atomic_store_explicit(&p->st_clipped, p->clipped_retired + s.clipped[HPA_STAGE_OUTPUT], memory_order_relaxed);
        atomic_store_explicit(&p->st_gain_bits, d2u(hpa_chain_current_gain(p->chain)), memory_order_relaxed);
        atomic_store_explicit(&p->st_limited, p->limited_retired + s.limited_frames, memory_order_relaxed);
        atomic_store_explicit(&p->st_limit_db_bits, d2u(s.limiter_max_reduction_db), memory_order_relaxed);
    }
    atomic_store_explicit(&p->st_pos, p->cur_pos, memory_order_relaxed);
    if (p->stream_ended && p->fifo_frames == 0) {
        *ended = 1;
        atomic_store_explicit(&p->st_ended, 1, memory_order_release);
    }
    hph_rt_leave();
    return out;
}

void hph_player_set_eq(hph_player *p, int on)
{
    atomic_store_explicit(&p->eq_on, on ? 1 : 0, memory_order_relaxed);
}

void hph_player_set_crossfeed(hph_player *p, int on)
{
    atomic_store_explicit(&p->xf_on, on ? 1 : 0, memory_order_relaxed);
}

void hph_player_set_crossfeed_params(hph_player *p, double fcut_hz, double feed_db)
{
    if (p->cfg.channels != 2)
        return;
    atomic_store_explicit(&p->xf_fcut_bits, d2u(fcut_hz), memory_order_relaxed);
    atomic_store_explicit(&p->xf_feed_bits, d2u(feed_db), memory_order_relaxed);
    atomic_store_explicit(&p->xf_avail, 1, memory_order_release);
}

void hph_player_set_limit(hph_player *p, double dbtp)
{
    atomic_store_explicit(&p->limit_bits, d2u(dbtp), memory_order_relaxed);
}

double hph_player_loudness(hph_player *p)
{
    const unsigned ch = p->cfg.channels;
    const size_t fb = ch * sizeof *p->lufs_buf;
    size_t got;
    if (!p->lufs || !ch)
        return NAN;
    while ((got = hph_ring_read(&p->out, p->lufs_buf, LUFS_CHUNK * fb) / fb) > 0)
        ebur128_add_frames_float(p->lufs, p->lufs_buf, got);
    double lufs = NAN;
    if (ebur128_loudness_shortterm(p->lufs, &lufs) != EBUR128_SUCCESS)
        return NAN;
    return lufs;
}

void hph_player_status_get(hph_player *p, hph_player_status *st)
{
    memset(st, 0, sizeof *st);
    st->index = atomic_load_explicit(&p->st_index, memory_order_relaxed);
    st->in_rate_hz = atomic_load_explicit(&p->st_rate, memory_order_relaxed);
    int64_t pos = atomic_load_explicit(&p->st_pos, memory_order_relaxed);
    int64_t len = atomic_load_explicit(&p->st_length, memory_order_relaxed);
    st->position_s = st->in_rate_hz ? (double)pos / st->in_rate_hz : 0.0;
    st->length_s = st->in_rate_hz && len >= 0 ? (double)len / st->in_rate_hz : -1.0;
    st->volume_db = u2d(atomic_load_explicit(&p->volume_bits, memory_order_relaxed));
    st->muted = atomic_load_explicit(&p->mute, memory_order_relaxed);
    st->gain = u2d(atomic_load_explicit(&p->st_gain_bits, memory_order_relaxed));
    st->channels = p->cfg.channels;
    for (unsigned c = 0; c < p->cfg.channels && c < HPA_CHANNELS_MAX; c++)
        st->peak[c] = u2d(atomic_exchange_explicit(&p->st_peak_bits[c], 0, memory_order_relaxed));
    st->clipped = atomic_load_explicit(&p->st_clipped, memory_order_relaxed);
    st->starved = atomic_load_explicit(&p->st_starved, memory_order_relaxed);
    st->frames_out = atomic_load_explicit(&p->st_frames_out, memory_order_relaxed);
    st->ended = atomic_load_explicit(&p->st_ended, memory_order_acquire);
    st->resampling = atomic_load_explicit(&p->st_resampling, memory_order_relaxed);
    st->limited_frames = atomic_load_explicit(&p->st_limited, memory_order_relaxed);
    st->eq_on = atomic_load_explicit(&p->eq_on, memory_order_relaxed);
    st->crossfeed_on = atomic_load_explicit(&p->xf_on, memory_order_relaxed);
    st->limiter_db = u2d(atomic_load_explicit(&p->st_limit_db_bits, memory_order_relaxed));
    st->a_frames = atomic_load_explicit(&p->st_aframes, memory_order_acquire);
    st->rg_gain_db = u2d(atomic_load_explicit(&p->st_rg_gain_bits, memory_order_relaxed));
    for (unsigned c = 0; c < p->cfg.channels && c < HPA_CHANNELS_MAX; c++)
        st->a_energy[c] = u2d(atomic_load_explicit(&p->st_aenergy_bits[c], memory_order_relaxed));
}

void hph_player_destroy(hph_player *p)
{
    if (!p)
        return;
    atomic_store(&p->quit, 1);
    if (p->decoder_started)
        pthread_join(p->decoder, NULL);
    if (p->configured) {
        collect_done(p);
        track *t;
        while ((t = hph_ring_pop_ptr(&p->tracks)))
            free_track(p, t);
        free_track(p, p->cur);
        chain_free(p, p->chain);
    }
    hph_ring_free(&p->data);
    hph_ring_free(&p->tracks);
    hph_ring_free(&p->done);
    hph_ring_free(&p->out);
    if (p->lufs)
        ebur128_destroy(&p->lufs);
    free(p->lufs_buf);
    free(p->fbuf);
    free(p->fifo);
    free(p->stage);
    free(p->zeros);
    free(p->mbuf);
    hpa_meter_destroy(p->aw);
    pthread_mutex_destroy(&p->msg_lock);
    pthread_mutex_destroy(&p->eq_lock);
    free(p->eq_bands);
    free(p);
}
