/* chain_vs_soxr.c — what the chain costs on top of the libsoxr it wraps.
 *
 * The same conversion two ways, in memory, measured side by side in one run:
 *
 *   chain  hpa_chain: s16 stereo 44.1 kHz in, s24 352.8 kHz out, linear
 *          filter, TPDF dither, max_block_frames = the block size;
 *   soxr   libsoxr alone with the quality spec the chain asks for
 *          (SOXR_VHQ | SOXR_LINEAR_PHASE, float64 in and out, one thread):
 *          s16 -> double done here, then soxr_process on the same blocks,
 *          output left as doubles.
 *
 * So "chain cost over soxr alone" is everything hpamp adds: format
 * conversion, its chunking and ring, the clip/peak scans, the volume check
 * and TPDF requantization to s24.  Set-up (soxr_create, and the chain's
 * warm-up on silence) is not timed; both sides are timed from the first
 * process call to the end of the drain.
 *
 * Rounds alternate the two sides (and flip their order each round) so slow
 * moments of a noisy machine hit both; the medians and their ratio are
 * printed.  Block sizes 1, 128, 513 and 4096 exercise the tails (DESIGN.md
 * item 11); small blocks use a shorter signal so the run stays quick.
 *
 * Before timing, a short untimed pass checks the two sides agree: the same
 * number of output frames and samples within a few LSB of s24 (the dither).
 *
 * Usage: chain_vs_soxr [--rounds N] [--seconds S] [--blocks B,B,...]
 *                      [--only chain|soxr] [--clock wall|cpu]
 *   --seconds S  one signal length for every block size (default: 60 s for
 *                513 and 4096, 20 s for 128, 4 s for 1)
 *   --only SIDE  run one side once, no table (for bench/callgrind.sh)
 *   --clock cpu  time each side by the CPU time of the thread
 *                (CLOCK_THREAD_CPUTIME_ID) instead of the wall clock
 *                (CLOCK_MONOTONIC, the default): on a loaded machine the
 *                wall clock also counts the time other processes hold the
 *                core, which the CPU time leaves out (caches they disturb
 *                still count)
 * Exit status: 0 done (whatever the numbers), 1 error, 2 usage. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <soxr.h>

#include <hpamp/chain.h>

#include "args.h"
#include "timing.h"

#define IN_RATE 44100u
#define OUT_RATE 352800u
#define CHANNELS 2u
#define GOAL_PERCENT 20.0
#define MAX_ROUNDS 51
#define MAX_BLOCKS 16

/* ---- the test signal: sines plus noise, deterministic ---- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static double noise(void)
{
    /* xorshift64*, uniform in [-1, 1) */
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return (double)((x * 0x2545F4914F6CDD1DULL) >> 11) * 0x1.0p-52 - 1.0;
}

static int16_t *make_signal(size_t frames)
{
    static const double freq[] = {55.0, 440.0, 1000.0, 3150.0, 9000.0, 15500.0, 20000.0};
    static const double amp[] = {0.20, 0.15, 0.10, 0.08, 0.05, 0.03, 0.02};
    const size_t nf = sizeof freq / sizeof freq[0];
    int16_t *s = malloc(frames * CHANNELS * sizeof *s);
    if (!s)
        return NULL;
    rng_state = 0x9E3779B97F4A7C15ULL;
    for (size_t i = 0; i < frames; i++) {
        for (unsigned c = 0; c < CHANNELS; c++) {
            double x = 0.02 * noise();
            for (size_t k = 0; k < nf; k++) {
                /* a slow tremolo keeps the level moving; channels differ in phase */
                double w = 2.0 * M_PI * freq[k] / IN_RATE;
                x += amp[k] * sin(w * (double)i + 0.7 * c + (double)k);
            }
            x *= 0.85 + 0.15 * sin(2.0 * M_PI * 0.5 * (double)i / IN_RATE);
            s[i * CHANNELS + c] = (int16_t)lrint(x * 32767.0);
        }
    }
    return s;
}

/* ---- the chain side ---- */

typedef struct chain_side {
    hpa_chain *chain;
    int32_t *out;
    size_t max_out;
} chain_side;

static int chain_open(chain_side *s, size_t block)
{
    hpa_chain_config cfg;
    hpa_chain_config_init(&cfg);
    cfg.in_rate_hz = IN_RATE;
    cfg.out_rate_hz = OUT_RATE;
    cfg.channels = CHANNELS;
    cfg.max_block_frames = (uint32_t)block;
    cfg.in_format = HPA_FORMAT_S16;
    cfg.out_format = HPA_FORMAT_S24;
    cfg.filter = HPA_FILTER_LINEAR;
    cfg.dither = HPA_DITHER_TPDF;
    memset(s, 0, sizeof *s);
    int err = hpa_chain_create(&cfg, &s->chain);
    if (err) {
        fprintf(stderr, "chain_vs_soxr: hpa_chain_create: %s\n", hpa_strerror(err));
        return -1;
    }
    s->max_out = hpa_chain_max_out_frames(s->chain);
    s->out = malloc(s->max_out * CHANNELS * sizeof *s->out);
    if (!s->out) {
        hpa_chain_destroy(s->chain);
        return -1;
    }
    return 0;
}

static void chain_close(chain_side *s)
{
    hpa_chain_destroy(s->chain);
    free(s->out);
}

/* Process the whole signal in blocks and drain.  keep (may be NULL) receives
 * the output as doubles (full scale 1.0), at most keep_cap frames.  Returns
 * the frames produced or -1. */
__attribute__((noinline)) static long long chain_run(chain_side *s, const int16_t *sig, size_t frames, size_t block,
                                                     double *keep, size_t keep_cap)
{
    size_t total = 0, pos = 0;
    for (;;) {
        size_t n = frames - pos < block ? frames - pos : block, got = 0;
        int err = n ? hpa_chain_process(s->chain, sig + pos * CHANNELS, n, s->out, s->max_out, &got)
                    : hpa_chain_drain(s->chain, s->out, s->max_out, &got); /* end of input: until 0 */
        if (err) {
            fprintf(stderr, "chain_vs_soxr: chain: %s\n", hpa_strerror(err));
            return -1;
        }
        for (size_t i = 0; keep && i < got && total + i < keep_cap; i++)
            for (unsigned c = 0; c < CHANNELS; c++)
                keep[(total + i) * CHANNELS + c] = s->out[i * CHANNELS + c] / 8388608.0;
        total += got;
        pos += n;
        if (!n && !got)
            break;
    }
    return (long long)total;
}

/* ---- libsoxr alone ---- */

typedef struct soxr_side {
    soxr_t soxr;
    double *in, *out;
    size_t block, out_cap;
} soxr_side;

static int soxr_open(soxr_side *s, size_t block)
{
    soxr_error_t e = NULL;
    soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT64_I, SOXR_FLOAT64_I);
    soxr_quality_spec_t q = soxr_quality_spec(SOXR_VHQ | SOXR_LINEAR_PHASE, 0); /* as resample.c quality_for */
    soxr_runtime_spec_t rt = soxr_runtime_spec(1);
    memset(s, 0, sizeof *s);
    s->block = block;
    /* room for what a block brings plus the largest DFT burst, so a call
     * rarely leaves output waiting inside soxr */
    s->out_cap = block * (OUT_RATE / IN_RATE) + 65536;
    s->soxr = soxr_create(IN_RATE, OUT_RATE, CHANNELS, &e, &io, &q, &rt);
    if (!s->soxr || e) {
        fprintf(stderr, "chain_vs_soxr: soxr_create: %s\n", e ? e : "failed");
        return -1;
    }
    s->in = malloc(block * CHANNELS * sizeof *s->in);
    s->out = malloc(s->out_cap * CHANNELS * sizeof *s->out);
    if (!s->in || !s->out) {
        soxr_delete(s->soxr);
        free(s->in);
        free(s->out);
        return -1;
    }
    return 0;
}

static void soxr_close(soxr_side *s)
{
    soxr_delete(s->soxr);
    free(s->in);
    free(s->out);
}

static void keep_frames(double *keep, size_t keep_cap, size_t at, const double *out, size_t got)
{
    for (size_t i = 0; keep && i < got && at + i < keep_cap; i++)
        for (unsigned c = 0; c < CHANNELS; c++)
            keep[(at + i) * CHANNELS + c] = out[i * CHANNELS + c];
}

__attribute__((noinline)) static long long soxr_run(soxr_side *s, const int16_t *sig, size_t frames, size_t block,
                                                    double *keep, size_t keep_cap)
{
    size_t total = 0;
    for (size_t pos = 0; pos < frames; pos += block) {
        size_t n = frames - pos < block ? frames - pos : block;
        const int16_t *src = sig + pos * CHANNELS;
        for (size_t i = 0; i < n * CHANNELS; i++)
            s->in[i] = src[i] * (1.0 / 32768.0);
        size_t used = 0;
        while (used < n) {
            size_t idone = 0, odone = 0;
            soxr_error_t e = soxr_process(s->soxr, s->in + used * CHANNELS, n - used, &idone, s->out, s->out_cap,
                                          &odone);
            if (e) {
                fprintf(stderr, "chain_vs_soxr: soxr_process: %s\n", e);
                return -1;
            }
            keep_frames(keep, keep_cap, total, s->out, odone);
            total += odone;
            used += idone;
        }
    }
    for (;;) { /* end of input: drain */
        size_t odone = 0;
        soxr_error_t e = soxr_process(s->soxr, NULL, 0, NULL, s->out, s->out_cap, &odone);
        if (e) {
            fprintf(stderr, "chain_vs_soxr: soxr_process (drain): %s\n", e);
            return -1;
        }
        if (!odone)
            break;
        keep_frames(keep, keep_cap, total, s->out, odone);
        total += odone;
    }
    return (long long)total;
}

/* ---- one measurement of each side ---- */

typedef struct timing {
    double run_s, setup_s;
    long long frames_out;
} timing;

static int time_chain(const int16_t *sig, size_t frames, size_t block, timing *t)
{
    chain_side s;
    double t0 = now_s();
    if (chain_open(&s, block))
        return -1;
    double t1 = now_s();
    t->frames_out = chain_run(&s, sig, frames, block, NULL, 0);
    t->run_s = now_s() - t1;
    t->setup_s = t1 - t0;
    chain_close(&s);
    return t->frames_out < 0 ? -1 : 0;
}

static int time_soxr(const int16_t *sig, size_t frames, size_t block, timing *t)
{
    soxr_side s;
    double t0 = now_s();
    if (soxr_open(&s, block))
        return -1;
    double t1 = now_s();
    t->frames_out = soxr_run(&s, sig, frames, block, NULL, 0);
    t->run_s = now_s() - t1;
    t->setup_s = t1 - t0;
    soxr_close(&s);
    return t->frames_out < 0 ? -1 : 0;
}

/* Untimed: do both sides agree?  Same frame count, and samples within a few
 * LSB of s24 (TPDF dither is +-1 LSB, rounding 0.5 LSB).  The first output
 * frames are left out: a fresh soxr's onset differs from one that has seen
 * silence (the chain's warm-up) for about 40 output frames here. */
#define SKIP_ONSET 128u
static int check_agreement(const int16_t *sig, size_t frames)
{
    const size_t block = 4096, cap = frames * (OUT_RATE / IN_RATE) + 8;
    double *a = calloc(cap * CHANNELS, sizeof *a), *b = calloc(cap * CHANNELS, sizeof *b);
    chain_side cs;
    soxr_side ss;
    int rc = -1;
    if (!a || !b || chain_open(&cs, block))
        goto out_free;
    if (soxr_open(&ss, block)) {
        chain_close(&cs);
        goto out_free;
    }
    long long na = chain_run(&cs, sig, frames, block, a, cap);
    long long nb = soxr_run(&ss, sig, frames, block, b, cap);
    chain_close(&cs);
    soxr_close(&ss);
    if (na < 0 || nb < 0)
        goto out_free;
    double worst = 0.0;
    size_t n = (size_t)(na < nb ? na : nb);
    for (size_t i = (size_t)SKIP_ONSET * CHANNELS; i < n * CHANNELS; i++) {
        double ref = b[i] > 1.0 ? 1.0 : b[i] < -1.0 ? -1.0 : b[i];
        double d = fabs(a[i] - ref) * 8388608.0;
        worst = d > worst ? d : worst;
    }
    printf("check: %.1f s of signal, chain %lld frames, soxr %lld frames (expected %zu); largest difference "
           "after the first %u frames %.2f LSB of s24 -> %s\n",
           (double)frames / IN_RATE, na, nb, frames * (OUT_RATE / IN_RATE), SKIP_ONSET, worst,
           (na == nb && worst <= 2.0) ? "same conversion" : "MISMATCH");
    fflush(stdout);
    if (na != nb || worst > 2.0)
        fprintf(stderr, "chain_vs_soxr: the two sides do not do the same conversion; timings are not comparable\n");
    else
        rc = 0;
out_free:
    free(a);
    free(b);
    return rc;
}

/* ---- main ---- */

static void usage(FILE *f)
{
    fputs("Usage: chain_vs_soxr [--rounds N] [--seconds S] [--blocks B,B,...] [--only chain|soxr]\n"
          "                     [--clock wall|cpu]\n",
          f);
}

static double default_seconds(size_t block)
{
    return block >= 513 ? 60.0 : block >= 128 ? 20.0 : 4.0;
}

int main(int argc, char **argv)
{
    int rounds = 5;
    double seconds = 0.0; /* 0: per block size */
    size_t blocks[MAX_BLOCKS] = {4096, 513, 128, 1};
    int nblocks = 4;
    const char *only = NULL;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--rounds") && v) {
            rounds = arg_int(v);
            i++;
        } else if (!strcmp(a, "--seconds") && v) {
            seconds = arg_double(v);
            i++;
        } else if (!strcmp(a, "--only") && v) {
            only = v;
            i++;
        } else if (!strcmp(a, "--clock") && v && (!strcmp(v, "wall") || !strcmp(v, "cpu"))) {
            timing_clock = !strcmp(v, "cpu") ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC;
            i++;
        } else if (!strcmp(a, "--blocks") && v) {
            char *copy = strdup(v), *save = NULL;
            nblocks = 0;
            for (char *t = strtok_r(copy, ",", &save); t && nblocks < MAX_BLOCKS; t = strtok_r(NULL, ",", &save))
                blocks[nblocks++] = (size_t)strtoul(t, NULL, 10);
            free(copy);
            i++;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (rounds < 1 || rounds > MAX_ROUNDS || nblocks < 1 || seconds < 0.0 || seconds > 3600.0 ||
        (only && strcmp(only, "chain") != 0 && strcmp(only, "soxr") != 0)) {
        usage(stderr);
        return 2;
    }
    for (int b = 0; b < nblocks; b++)
        if (blocks[b] < 1 || blocks[b] > (1u << 20)) {
            usage(stderr);
            return 2;
        }

    double longest = 0.0;
    for (int b = 0; b < nblocks; b++) {
        double s = seconds > 0.0 ? seconds : default_seconds(blocks[b]);
        longest = s > longest ? s : longest;
    }
    const size_t max_frames = (size_t)(longest * IN_RATE);
    int16_t *sig = make_signal(max_frames);
    if (!sig) {
        fprintf(stderr, "chain_vs_soxr: out of memory\n");
        return 1;
    }

    if (only) { /* one side, one pass: for callgrind */
        int rc = 0;
        for (int b = 0; b < nblocks && !rc; b++) {
            size_t frames = (size_t)((seconds > 0.0 ? seconds : default_seconds(blocks[b])) * IN_RATE);
            timing t;
            rc = !strcmp(only, "chain") ? time_chain(sig, frames, blocks[b], &t)
                                        : time_soxr(sig, frames, blocks[b], &t);
            if (!rc)
                printf("%s block %zu: %lld frames out in %.3f s\n", only, blocks[b], t.frames_out, t.run_s);
        }
        free(sig);
        return rc ? 1 : 0;
    }

    printf("chain_vs_soxr: hpamp %s chain vs libsoxr %s alone, in memory\n", hpa_version_string(), soxr_version());
    printf("conversion: s16 stereo %u Hz -> %u Hz; chain: s24 out, linear filter, TPDF dither; "
           "soxr: VHQ linear phase, float64 I/O, 1 thread\n",
           IN_RATE, OUT_RATE);
    printf("%d rounds per block size, sides alternating; times exclude set-up; medians; %s\n\n", rounds,
           timing_clock == CLOCK_MONOTONIC ? "wall clock" : "CPU time of the thread");

    if (check_agreement(sig, max_frames < 2 * (size_t)IN_RATE ? max_frames : 2 * (size_t)IN_RATE)) {
        free(sig);
        return 1;
    }

    printf("\n%6s %8s  %12s %10s  %12s %10s  %12s\n", "block", "signal", "chain s", "x realtime", "soxr s",
           "x realtime", "chain cost");
    double headline = NAN;
    size_t headline_block = 0;
    double setup_chain = NAN, setup_soxr = NAN;
    for (int b = 0; b < nblocks; b++) {
        const size_t block = blocks[b];
        const double secs = seconds > 0.0 ? seconds : default_seconds(block);
        const size_t frames = (size_t)(secs * IN_RATE);
        double tc[MAX_ROUNDS], ts[MAX_ROUNDS], sc[MAX_ROUNDS], ss[MAX_ROUNDS];
        for (int r = 0; r < rounds; r++) {
            timing a, s;
            int err;
            if (r % 2 == 0)
                err = time_chain(sig, frames, block, &a) || time_soxr(sig, frames, block, &s);
            else
                err = time_soxr(sig, frames, block, &s) || time_chain(sig, frames, block, &a);
            if (err) {
                free(sig);
                return 1;
            }
            if (a.frames_out != s.frames_out) {
                fflush(stdout);
                fprintf(stderr, "chain_vs_soxr: block %zu: chain gave %lld frames, soxr %lld\n", block, a.frames_out,
                        s.frames_out);
                free(sig);
                return 1;
            }
            tc[r] = a.run_s;
            ts[r] = s.run_s;
            sc[r] = a.setup_s;
            ss[r] = s.setup_s;
        }
        double mc = median(tc, rounds), ms = median(ts, rounds);
        double cost = (mc / ms - 1.0) * 100.0;
        printf("%6zu %7.0fs  %12.4f %10.1f  %12.4f %10.1f  %+11.1f %%\n", block, secs, mc, secs / mc, ms, secs / ms,
               cost);
        fflush(stdout);
        if (block == 4096 || (isnan(headline) && b == nblocks - 1)) {
            headline = cost;
            headline_block = block;
            setup_chain = median(sc, rounds);
            setup_soxr = median(ss, rounds);
        }
    }
    if (!isnan(headline)) {
        printf("\nset-up, not timed above (block %zu): hpa_chain_create %.1f ms (includes the warm-up on "
               "silence), soxr_create %.1f ms\n",
               headline_block, setup_chain * 1e3, setup_soxr * 1e3);
        printf("chain cost over soxr alone (block %zu): %+.1f %%   goal <= %.0f %%   %s\n", headline_block, headline,
               GOAL_PERCENT, headline <= GOAL_PERCENT ? "PASS" : "MISS (reported, not a failure)");
    }
    free(sig);
    return 0;
}
