/* resample.c — sample-rate conversion through libsoxr, made fit for the
 * audio thread.
 *
 * libsoxr works in DFT blocks: its output comes in bursts (over 200,000
 * frames for the long `steep` filter at 352.8 kHz) and it grows its internal
 * FIFOs with realloc() until they reach the size the call pattern needs.  So:
 *  1. input goes to soxr in chunks of at most CHUNK frames, and after each
 *     chunk everything soxr has ready is pulled into our own ring: soxr always
 *     sees the same call pattern, so its FIFOs stop growing;
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

#define CHUNK 1024u

struct hpa_resampler {
    soxr_t soxr;
    hpa_allocator alloc;
    unsigned channels;
    uint32_t in_rate, out_rate;
    hpa_filter filter;
    size_t max_in;
    uint64_t skip;     /* silent warm-up frames soxr still owes; dropped */
    double latency;    /* filter delay in output frames */
    double *ring;      /* output waiting for the caller */
    size_t ring_frames, rd, fill;
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
    case HPA_FILTER_MINIMUM:
        q = soxr_quality_spec(SOXR_VHQ | SOXR_MINIMUM_PHASE, 0);
        break;
    case HPA_FILTER_INTERMEDIATE:
        q = soxr_quality_spec(SOXR_VHQ | SOXR_INTERMEDIATE_PHASE, 0);
        break;
    default:
        q = soxr_quality_spec(SOXR_VHQ | SOXR_LINEAR_PHASE, 0);
        break;
    }
    return q;
}

/* Give soxr k input frames (in == NULL: end of input) and pull everything it
 * has ready into the ring.  With discard the ring is scribbled over and kept
 * empty (warm-up).  *got receives the frames soxr produced. */
static int push_pull(hpa_resampler *r, const double *in, size_t k, int discard, size_t *got)
{
    const unsigned ch = r->channels;
    int first = 1;
    *got = 0;
    for (;;) {
        size_t wr = (r->rd + r->fill) % r->ring_frames;
        size_t room = r->ring_frames - r->fill;
        size_t contiguous = r->ring_frames - wr;
        size_t olen = room < contiguous ? room : contiguous;
        size_t od = 0;
        if (!olen && !first)
            return HPA_OK; /* ring full: the rest waits inside soxr */
        const double *src = in ? (first ? in : r->zeros) : NULL;
        if (soxr_process(r->soxr, src, first ? k : 0, NULL, r->ring + wr * ch, olen, &od))
            return HPA_ERR_RESAMPLER;
        first = 0;
        *got += od;
        if (discard) {
            /* nothing kept */
        } else if (r->skip && r->fill == 0) {
            size_t drop = od < r->skip ? od : (size_t)r->skip;
            r->skip -= drop;
            r->rd = (wr + drop) % r->ring_frames;
            r->fill = od - drop;
        } else {
            r->fill += od;
        }
        if (od < olen || olen == 0)
            return HPA_OK;
    }
}

static int feed(hpa_resampler *r, const double *in, size_t n, int discard, size_t *burst)
{
    while (n) {
        size_t k = n < CHUNK ? n : CHUNK, got = 0;
        int err = push_pull(r, in, k, discard, &got);
        if (err)
            return err;
        if (burst && got > *burst)
            *burst = got;
        in += k * r->channels;
        n -= k;
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
    const uint64_t min_chunks = 64u * (1u + (r->in_rate / r->out_rate) / 8u); /* decimation needs more */
    uint64_t fed = 0, emitted = 0;
    size_t got;
    int err;

    r->rd = r->fill = 0;
    r->skip = 0;
    *burst = 0;
    /* until the FIFOs have settled: enough chunks and four of the largest
     * bursts (soxr's DFT blocks) beyond the filter delay */
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
    /* up to a whole number of output frames */
    uint64_t w = (fed + step_in - 1) / step_in * step_in;
    while (fed < w) {
        size_t k = (w - fed) < CHUNK ? (size_t)(w - fed) : CHUNK;
        if ((err = push_pull(r, r->zeros, k, 1, &got)))
            return err;
        fed += k;
        emitted += got;
    }
    uint64_t owed = fed / step_in * step_out;
    if (emitted > owed)
        return HPA_ERR_RESAMPLER;
    r->skip = owed - emitted;
    r->latency = (double)r->skip;
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

int hpa_resampler_create(hpa_resampler **out, uint32_t in_rate, uint32_t out_rate, unsigned channels,
                         hpa_filter filter, size_t max_in, const hpa_allocator *alloc)
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
    int err = alloc_ring(r, 65536);
    if (!err)
        err = start(r, &burst);
    if (!err) {
        size_t need = 2 * burst + 2 * hpa_resampler_max_out(r) + (size_t)ceil(CHUNK * ratio_of(r)) + 1;
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
    r->alloc.free(r->alloc.user, r);
}

/* copy up to cap frames from the ring */
static size_t emit(hpa_resampler *r, double *out, size_t cap)
{
    const unsigned ch = r->channels;
    size_t n = r->fill < cap ? r->fill : cap, done = 0;
    while (done < n) {
        size_t contiguous = r->ring_frames - r->rd;
        size_t k = (n - done) < contiguous ? (n - done) : contiguous;
        memcpy(out + done * ch, r->ring + r->rd * ch, k * ch * sizeof(double));
        r->rd = (r->rd + k) % r->ring_frames;
        r->fill -= k;
        done += k;
    }
    return n;
}

int hpa_resampler_process(hpa_resampler *r, const double *in, size_t n, double *out, size_t cap,
                          size_t *produced)
{
    int err = feed(r, in, n, 0, NULL);
    *produced = emit(r, out, cap);
    return err;
}

int hpa_resampler_drain(hpa_resampler *r, double *out, size_t cap, size_t *produced)
{
    size_t got;
    int err = push_pull(r, NULL, 0, 0, &got);
    *produced = emit(r, out, cap);
    return err;
}

double hpa_resampler_latency(const hpa_resampler *r)
{
    return r->latency;
}
