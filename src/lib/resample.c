/* resample.c — sample-rate conversion through libsoxr, made fit for the
 * audio thread.
 *
 * libsoxr works in DFT blocks: its output comes in bursts (over 200,000
 * frames for the long `steep` filter at 352.8 kHz) and it grows its internal
 * FIFOs with realloc() until they reach the size the call pattern needs.  So:
 *  1. soxr only ever sees one call pattern: input in whole chunks of CHUNK
 *     frames (an accumulator collects the caller's blocks, whatever their
 *     size), then output requests of exactly PULL frames until it has no
 *     more, copied into our own ring.  Its FIFOs then stop growing;
 *  2. at creation the resampler is warmed up on silence with that pattern
 *     until the FIFOs are at their high-water mark, measuring the largest
 *     burst, which sizes the ring.  The warm-up length W is a multiple of
 *     in/gcd(in, out), so W * out / in is a whole number of output frames;
 *     the silence soxr still owes for it is dropped from the head of the
 *     output, and the output grid keeps its phase as if the stream had
 *     started fresh (soxr trims its own filter delay).
 * tests/unit/test_rt_alloc.c checks across rate pairs and filters that
 * process() then never allocates. */
#include <math.h>
#include <string.h>

#include <soxr.h>

#include "internal.h"

#define CHUNK 1024u /* input frames per soxr call */
#define PULL 4096u  /* output frames asked of soxr per call */

struct hpa_resampler {
    soxr_t soxr;
    hpa_allocator alloc;
    unsigned channels;
    uint32_t in_rate, out_rate;
    hpa_filter filter;
    size_t max_in;
    uint64_t skip;  /* silent warm-up frames soxr still owes; dropped */
    double latency; /* filter delay in output frames */
    double *ring;   /* output waiting for the caller */
    size_t ring_frames, rd, fill;
    double *pull;                         /* PULL frames: where soxr writes */
    double acc[CHUNK * HPA_CHANNELS_MAX]; /* input waiting for a whole chunk */
    size_t acc_fill;
    double zeros[CHUNK * HPA_CHANNELS_MAX];
};

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static double ratio_of(const hpa_resampler *r)
{
    return (double)r->out_rate / r->in_rate;
}

size_t hpa_resampler_max_out(const hpa_resampler *r)
{
    /* the steady share of a full block plus a margin that drains a burst's
     * backlog within a few calls */
    return (size_t)ceil((double)r->max_in * ratio_of(r)) + (size_t)ceil(4.0 * CHUNK * ratio_of(r)) + 1024;
}

static soxr_quality_spec_t quality_for(hpa_filter f)
{
    soxr_quality_spec_t q;
    switch (f) {
    case HPA_FILTER_STEEP:
        /* 32-bit precision (about 190 dB) pays for the narrow transition band;
         * the pass band ends at 0.995 of the lower Nyquist */
        q = soxr_quality_spec(SOXR_32_BITQ | SOXR_LINEAR_PHASE, 0);
        q.passband_end = 0.995;
        q.stopband_begin = 1.0;
        break;
    case HPA_FILTER_MINIMUM: q = soxr_quality_spec(SOXR_VHQ | SOXR_MINIMUM_PHASE, 0); break;
    case HPA_FILTER_INTERMEDIATE: q = soxr_quality_spec(SOXR_VHQ | SOXR_INTERMEDIATE_PHASE, 0); break;
    default: q = soxr_quality_spec(SOXR_VHQ | SOXR_LINEAR_PHASE, 0); break;
    }
    return q;
}

/* append n frames from the pull buffer to the ring, dropping warm-up frames
 * still owed first; discard: drop everything (warm-up) */
static void keep(hpa_resampler *r, const double *src, size_t n, int discard)
{
    const unsigned ch = r->channels;
    if (discard)
        return;
    if (src == r->ring + ((r->rd + r->fill) % r->ring_frames) * ch) {
        r->fill += n; /* soxr wrote straight into the ring */
        return;
    }
    if (r->skip) {
        size_t drop = n < r->skip ? n : (size_t)r->skip;
        r->skip -= drop;
        src += drop * ch;
        n -= drop;
    }
    while (n) {
        size_t wr = (r->rd + r->fill) % r->ring_frames;
        size_t contiguous = r->ring_frames - wr;
        size_t k = n < contiguous ? n : contiguous;
        memcpy(r->ring + wr * ch, src, k * ch * sizeof(double));
        r->fill += k;
        src += k * ch;
        n -= k;
    }
}

/* Give soxr k input frames (in == NULL: end of input) and pull what it has
 * ready, PULL frames at a time, while the ring has room.  *got receives the
 * frames soxr produced. */
static int push_pull(hpa_resampler *r, const double *in, size_t k, int discard, size_t *got)
{
    int first = 1;
    *got = 0;
    for (;;) {
        size_t od = 0;
        /* with the ring full (a caller not taking its output) the rest waits
         * inside soxr */
        size_t olen = (discard || r->ring_frames - r->fill >= PULL) ? PULL : 0;
        if (!first && !olen)
            return HPA_OK;
        const double *src = in ? (first ? in : r->zeros) : NULL;
        /* straight into the ring when a whole PULL fits there and nothing
         * is to be dropped; through the pull buffer otherwise */
        size_t wr = (r->rd + r->fill) % r->ring_frames;
        double *dst = (!discard && !r->skip && r->ring_frames - wr >= PULL) ? r->ring + wr * r->channels : r->pull;
        if (soxr_process(r->soxr, src, first ? k : 0, NULL, dst, olen, &od))
            return HPA_ERR_RESAMPLER;
        first = 0;
        *got += od;
        keep(r, dst, od, discard);
        if (od < PULL)
            return HPA_OK;
    }
}

/* Take n caller frames through the accumulator: soxr sees whole chunks only. */
static int feed(hpa_resampler *r, const double *in, size_t n)
{
    const unsigned ch = r->channels;
    while (n) {
        if (r->acc_fill == 0 && n >= CHUNK) {
            /* a whole chunk of the caller's: no need to copy it */
            size_t got;
            int err = push_pull(r, in, CHUNK, 0, &got);
            if (err)
                return err;
            in += (size_t)CHUNK * ch;
            n -= CHUNK;
            continue;
        }
        size_t k = CHUNK - r->acc_fill;
        if (k > n)
            k = n;
        memcpy(r->acc + r->acc_fill * ch, in, k * ch * sizeof(double));
        r->acc_fill += k;
        in += k * ch;
        n -= k;
        if (r->acc_fill == CHUNK) {
            size_t got;
            int err = push_pull(r, r->acc, CHUNK, 0, &got);
            if (err)
                return err;
            r->acc_fill = 0;
        }
    }
    return HPA_OK;
}

/* Fresh soxr, warmed up on silence; sets skip and latency; *burst receives
 * the largest output of one chunk. */
static int start(hpa_resampler *r, size_t *burst)
{
    soxr_error_t e = NULL;
    soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT64_I, SOXR_FLOAT64_I);
    soxr_quality_spec_t q = quality_for(r->filter);
    soxr_runtime_spec_t rt = soxr_runtime_spec(1); /* one thread: no OpenMP on the audio thread */

    if (r->soxr)
        soxr_delete(r->soxr);
    r->soxr = soxr_create(r->in_rate, r->out_rate, r->channels, &e, &io, &q, &rt);
    if (!r->soxr || e)
        return HPA_ERR_RESAMPLER;

    const uint64_t g = gcd_u64(r->in_rate, r->out_rate);
    const uint64_t step_in = r->in_rate / g, step_out = r->out_rate / g;
    const uint64_t min_chunks = UINT64_C(64) * (1u + (r->in_rate / r->out_rate) / 8u); /* decimation needs more */
    uint64_t fed = 0, emitted = 0;
    size_t got;
    int err = HPA_OK;

    r->rd = r->fill = 0;
    r->skip = 0;
    r->acc_fill = 0;
    *burst = 0;
    /* First a few calls far larger than the steady pattern's: soxr grows a
     * FIFO by the size of the request that does not fit and never shrinks
     * it, so afterwards the steady pattern finds room however its phases
     * line up.  The output still counts towards what is owed. */
    {
        /* decimating filters keep their long FIFOs on the input side */
        const size_t big_in = r->in_rate > r->out_rate ? (size_t)128 * CHUNK : (size_t)16 * CHUNK;
        const size_t big_out = (size_t)16 * PULL;
        size_t frames = big_in > big_out ? big_in : big_out;
        double *tmp = r->alloc.alloc(r->alloc.user, frames * r->channels * sizeof(double));
        if (!tmp)
            return HPA_ERR_NO_MEMORY;
        memset(tmp, 0, big_in * r->channels * sizeof(double));
        for (int round = 0; round < 2 && !err; round++) {
            size_t od = 0;
            if (soxr_process(r->soxr, tmp, big_in, NULL, tmp, big_out, &od))
                err = HPA_ERR_RESAMPLER;
            fed += big_in;
            emitted += od;
            while (!err && od == big_out) {
                if (soxr_process(r->soxr, r->zeros, 0, NULL, tmp, big_out, &od))
                    err = HPA_ERR_RESAMPLER;
                emitted += od;
            }
            memset(tmp, 0, big_in * r->channels * sizeof(double));
        }
        r->alloc.free(r->alloc.user, tmp);
        if (err)
            return err;
    }
    /* then the steady pattern until the FIFOs have settled: enough chunks and
     * four of the largest bursts (soxr's DFT blocks) beyond the filter delay */
    for (;;) {
        if ((err = push_pull(r, r->zeros, CHUNK, 1, &got)))
            return err;
        fed += CHUNK;
        emitted += got;
        if (got > *burst)
            *burst = got;
        double out_so_far = (double)fed * ratio_of(r);
        if (fed >= min_chunks * CHUNK && out_so_far >= 4.0 * (double)*burst + 4.0 * soxr_delay(r->soxr))
            break;
    }
    /* The warm-up must end on a whole number of output frames: the zeros
     * still needed for that wait in the accumulator, ahead of the signal. */
    uint64_t w = (fed + step_in - 1) / step_in * step_in;
    while (w - fed >= CHUNK) {
        if ((err = push_pull(r, r->zeros, CHUNK, 1, &got)))
            return err;
        fed += CHUNK;
        emitted += got;
    }
    memset(r->acc, 0, sizeof r->acc);
    r->acc_fill = (size_t)(w - fed);
    uint64_t owed = w / step_in * step_out;
    /* more output than input accounts for: libsoxr's minimum-phase design
     * goes wrong above about 90x (chain.c refuses it) (negative delay, then a crash when
     * flushing); refuse rather than misalign */
    if (emitted > owed)
        return HPA_ERR_UNSUPPORTED;
    r->skip = owed - emitted;
    r->latency = (double)r->skip + (double)CHUNK * ratio_of(r);
    r->rd = r->fill = 0;
    return HPA_OK;
}

static void release_ring(hpa_resampler *r)
{
    if (r->ring)
        r->alloc.free(r->alloc.user, r->ring);
    r->ring = NULL;
    r->ring_frames = 0;
}

static int alloc_ring(hpa_resampler *r, size_t frames)
{
    release_ring(r);
    r->ring = r->alloc.alloc(r->alloc.user, frames * r->channels * sizeof(double));
    if (!r->ring)
        return HPA_ERR_NO_MEMORY;
    r->ring_frames = frames;
    return HPA_OK;
}

int hpa_resampler_create(hpa_resampler **out, uint32_t in_rate, uint32_t out_rate, unsigned channels, hpa_filter filter,
                         size_t max_in, const hpa_allocator *alloc)
{
    *out = NULL;
    hpa_resampler *r = alloc->alloc(alloc->user, sizeof(*r));
    if (!r)
        return HPA_ERR_NO_MEMORY;
    memset(r, 0, sizeof(*r));
    r->alloc = *alloc;
    r->channels = channels;
    r->in_rate = in_rate;
    r->out_rate = out_rate;
    r->filter = filter;
    r->max_in = max_in;

    /* warm up into a scratch ring to learn the burst, then size the real one */
    size_t burst = 0;
    int err = HPA_OK;
    r->pull = alloc->alloc(alloc->user, (size_t)PULL * channels * sizeof(double));
    if (!r->pull)
        err = HPA_ERR_NO_MEMORY;
    if (!err)
        err = alloc_ring(r, PULL);
    if (!err)
        err = start(r, &burst);
    if (!err) {
        size_t need = 2 * burst + 2 * hpa_resampler_max_out(r) + (size_t)ceil(CHUNK * ratio_of(r)) + PULL;
        if (need > r->ring_frames)
            err = alloc_ring(r, need);
    }
    if (err) {
        hpa_resampler_destroy(r);
        return err;
    }
    *out = r;
    return HPA_OK;
}

int hpa_resampler_reset(hpa_resampler *r)
{
    size_t burst;
    return start(r, &burst);
}

void hpa_resampler_destroy(hpa_resampler *r)
{
    if (!r)
        return;
    if (r->soxr)
        soxr_delete(r->soxr);
    release_ring(r);
    if (r->pull)
        r->alloc.free(r->alloc.user, r->pull);
    r->alloc.free(r->alloc.user, r);
}

int hpa_resampler_push(hpa_resampler *r, const double *in, size_t n)
{
    return feed(r, in, n);
}

size_t hpa_resampler_peek(hpa_resampler *r, double **run)
{
    size_t contiguous = r->ring_frames - r->rd;
    *run = r->ring + r->rd * r->channels;
    return r->fill < contiguous ? r->fill : contiguous;
}

void hpa_resampler_consume(hpa_resampler *r, size_t n)
{
    r->rd = (r->rd + n) % r->ring_frames;
    r->fill -= n;
    if (!r->fill)
        r->rd = 0; /* empty: soxr writes at the start again, where the cache still holds the ring */
}

int hpa_resampler_flush(hpa_resampler *r)
{
    size_t got;
    int err = HPA_OK;
    if (r->acc_fill) {
        /* the last partial chunk, then end of input */
        err = push_pull(r, r->acc, r->acc_fill, 0, &got);
        r->acc_fill = 0;
    }
    if (!err)
        err = push_pull(r, NULL, 0, 0, &got);
    return err;
}

double hpa_resampler_latency(const hpa_resampler *r)
{
    return r->latency;
}
