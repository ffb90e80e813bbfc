/* stages_vs_sox.c — the headphone stages without resampling, beside sox.
 *
 *   chain  hpa_chain at 44.1 kHz stereo, s16 in and out, no resampler:
 *          10 peaking bands (AutoEq's Sennheiser HD 600 set), libbs2b
 *          crossfeed (default preset), volume -3 dB, true-peak limiter
 *          (-1 dBTP, 2 ms lookahead), TPDF dither; blocks of 4096 and 513
 *          frames; in memory, one thread.
 *   sox    the same ten bands as sox `equalizer` effects (RBJ peaking filters,
 *          the same cookbook), raw s16 from a file in /dev/shm (or $TMPDIR)
 *          to the null output, `--single-threaded`; wall time of the process,
 *          so it includes sox's start-up (a few ms) and reading the file.
 *
 * sox does only the EQ: the chain does more work than its peer.  Rounds
 * alternate the sides (flipping the order each round); medians and their
 * ratio are printed, with the chain's speed in multiples of real time
 * against the goals of 1500x at blocks of 4096 and 1200x at 513 (MISS when
 * below; never a failure).
 * Usage: stages_vs_sox [--rounds N] [--seconds S] [--only chain] [--clock wall|cpu],
 *        or stages_vs_sox [ROUNDS] [SECONDS]   (default 5 rounds, 60 s)
 *   --clock cpu   the chain by the CPU time of its thread, sox by the CPU
 *                 time (user + system) of its processes: for a loaded machine
 *   --only chain  one pass at each block size (4096, then 513), no sox: for
 *                 callgrind, which collects inside chain_loop only; prints
 *                 each output's FNV-1a hash (a faster kernel must keep it)
 * Exit status: 0 done, 1 error, 2 usage, 77 sox missing. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <hpamp/chain.h>
#include <hpamp/eq.h>

#include "args.h"
#include "timing.h"

#define RATE 44100u
#define GOAL_X 1500.0     /* blocks of 4096 */
#define GOAL_X_513 1200.0 /* blocks of 513 */
#define MAX_ROUNDS 51

static const hpa_eq_band bands[10] = {
    {.type = HPA_EQ_LSC, .freq_hz = 105, .gain_db = 6.5, .q = 0.70},
    {.type = HPA_EQ_PK, .freq_hz = 197, .gain_db = -3.5, .q = 0.36},
    {.type = HPA_EQ_PK, .freq_hz = 1454, .gain_db = 1.6, .q = 1.19},
    {.type = HPA_EQ_PK, .freq_hz = 2887, .gain_db = -2.6, .q = 2.16},
    {.type = HPA_EQ_PK, .freq_hz = 4328, .gain_db = 3.8, .q = 3.35},
    {.type = HPA_EQ_PK, .freq_hz = 5975, .gain_db = -2.2, .q = 2.10},
    {.type = HPA_EQ_PK, .freq_hz = 9134, .gain_db = 2.3, .q = 3.40},
    {.type = HPA_EQ_PK, .freq_hz = 65, .gain_db = 0.9, .q = 2.45},
    {.type = HPA_EQ_PK, .freq_hz = 3358, .gain_db = 0.8, .q = 5.01},
    {.type = HPA_EQ_HSC, .freq_hz = 10000, .gain_db = -0.8, .q = 0.70},
};

/* The processing loop alone (callgrind collects only inside it): the signal
 * in blocks, then the drain.  Returns the frames written to out. */
__attribute__((noinline)) static size_t chain_loop(hpa_chain *c, const int16_t *in, size_t frames, size_t block,
                                                   int16_t *out)
{
    const size_t cap = hpa_chain_max_out_frames(c);
    size_t got, total = 0;
    for (size_t pos = 0; pos < frames; pos += block) {
        size_t n = frames - pos < block ? frames - pos : block;
        if (hpa_chain_process(c, in + 2 * pos, n, out + 2 * total, cap, &got))
            exit(1);
        total += got;
    }
    do {
        if (hpa_chain_drain(c, out + 2 * total, cap, &got))
            exit(1);
        total += got;
    } while (got);
    return total;
}

static double run_chain(const int16_t *in, size_t frames, size_t block, int16_t *out)
{
    hpa_chain_config cfg;
    hpa_chain_config_init(&cfg);
    cfg.in_rate_hz = cfg.out_rate_hz = RATE;
    cfg.channels = 2;
    cfg.max_block_frames = (uint32_t)block;
    cfg.in_format = cfg.out_format = HPA_FORMAT_S16;
    cfg.dither = HPA_DITHER_TPDF;
    cfg.volume_db = -3.0;
    cfg.max_eq_bands = 10;
    cfg.limiter_lookahead_ms = 2.0;
    hpa_chain *c = NULL;
    if (hpa_chain_create(&cfg, &c) || hpa_chain_set_eq(c, bands, 10, HPA_EQ_PREAMP_AUTO, NULL, NULL) ||
        hpa_chain_set_param(c, HPA_PARAM_CROSSFEED_ENABLE, 1.0) ||
        hpa_chain_set_param(c, HPA_PARAM_LIMITER_CEILING_DBTP, -1.0)) {
        fprintf(stderr, "stages_vs_sox: cannot set up the chain\n");
        exit(1);
    }
    double t0 = now_s();
    size_t total = chain_loop(c, in, frames, block, out);
    double t = now_s() - t0;
    hpa_chain_destroy(c);
    if (total != frames) {
        fprintf(stderr, "stages_vs_sox: %zu frames in, %zu out\n", frames, total);
        exit(1);
    }
    return t;
}

/* the CPU time (user + system) of the finished child processes (the shell and sox) */
static double children_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           1e-6 * (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static double run_sox(const char *raw)
{
    char cmd[4096];
    int n = snprintf(cmd, sizeof cmd, "sox --single-threaded -V1 -t raw -r %u -e signed-integer -b 16 -c 2 '%s' -n",
                     RATE, raw);
    for (int i = 0; i < 10; i++) {
        const hpa_eq_band *b = &bands[i];
        if (b->type == HPA_EQ_PK)
            n += snprintf(cmd + n, sizeof cmd - (size_t)n, " equalizer %g %gq %g", b->freq_hz, b->q, b->gain_db);
        else /* the shelves: sox's bass/treble are RBJ shelves too */
            n += snprintf(cmd + n, sizeof cmd - (size_t)n, " %s %g %g %gq", b->type == HPA_EQ_LSC ? "bass" : "treble",
                          b->gain_db, b->freq_hz, b->q);
    }
    double t0 = timing_clock == CLOCK_MONOTONIC ? now_s() : children_cpu_s();
    /* cert-env33-c: a bench-only sox run; the command is our fixed text, numbers, and the
     * raw file's path, which main refuses when it holds a quote */
    // NOLINTNEXTLINE(cert-env33-c)
    int rc = system(cmd);
    double t = (timing_clock == CLOCK_MONOTONIC ? now_s() : children_cpu_s()) - t0;
    if (rc != 0) {
        fprintf(stderr, "stages_vs_sox: sox failed (%d): %s\n", rc, cmd);
        exit(1);
    }
    return t;
}

static void usage(FILE *f)
{
    fputs("Usage: stages_vs_sox [--rounds N] [--seconds S] [--only chain] [--clock wall|cpu]\n"
          "       (or: stages_vs_sox [ROUNDS] [SECONDS])\n"
          "  --rounds N    rounds of each side, 1..51 (default 5)\n"
          "  --seconds S   signal length (default 60)\n"
          "  --only chain  one pass of the chain at each block size, no sox, no table (for callgrind)\n"
          "  --clock cpu   CPU time instead of wall time: the chain's thread, sox's processes\n",
          f);
}

int main(int argc, char **argv)
{
    int rounds = 5, only_chain = 0, npos = 0;
    double seconds = 60.0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        /* clang-analyzer-core.NonNullParamChecker: argv[i] is not NULL for i < argc (C11
         * 5.1.2.2.1); the analyzer takes v's NULL (i + 1 == argc) for the next a */
        // NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker)
        if (!strcmp(a, "--rounds") && v) {
            rounds = arg_int(argv[++i]);
        } else if (!strcmp(a, "--seconds") && v) {
            seconds = arg_double(argv[++i]);
        } else if (!strcmp(a, "--clock") && v && (!strcmp(v, "wall") || !strcmp(v, "cpu"))) {
            timing_clock = !strcmp(v, "cpu") ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC;
            i++;
        } else if (!strcmp(a, "--only") && v && !strcmp(v, "chain")) {
            only_chain = 1;
            i++;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (a[0] != '-' && npos < 2) { /* the positional form: ROUNDS SECONDS */
            if (npos++ == 0)
                rounds = arg_int(a);
            else
                seconds = arg_double(a);
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (rounds < 1 || rounds > MAX_ROUNDS || !(seconds > 0 && seconds <= 600)) {
        usage(stderr);
        return 2;
    }
    /* cert-env33-c: a fixed command, bench only: is sox on PATH? */
    // NOLINTNEXTLINE(cert-env33-c)
    if (!only_chain && system("command -v sox >/dev/null 2>&1") != 0) {
        printf("stages_vs_sox: skipped: sox is not installed\n");
        return 77;
    }
    const size_t frames = (size_t)(seconds * RATE);
    int16_t *in = malloc(frames * 2 * sizeof *in), *out = malloc(frames * 2 * sizeof *out);
    if (!in || !out)
        return 1;
    uint64_t s = 0x9E3779B97F4A7C15ULL;
    for (size_t i = 0; i < frames; i++)
        for (int c = 0; c < 2; c++) {
            s ^= s >> 12, s ^= s << 25, s ^= s >> 27;
            double nz = (double)((s * 0x2545F4914F6CDD1DULL) >> 11) * 0x1.0p-53 - 0.5;
            double x = 0.35 * sin(2 * M_PI * (220.0 + 110.0 * c) * (double)i / RATE) +
                       0.2 * sin(2 * M_PI * 3150.0 * (double)i / RATE) + 0.1 * nz;
            in[2 * i + c] = (int16_t)lrint(x * 32767.0);
        }
    if (only_chain) {
        const size_t blocks[] = {4096, 513};
        for (int b = 0; b < 2; b++) {
            const double t = run_chain(in, frames, blocks[b], out);
            uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a of the output: a change to a kernel must keep it */
            for (size_t i = 0; i < frames * 2; i++)
                h = (h ^ (uint16_t)out[i]) * 0x100000001b3ULL;
            printf("chain, blocks of %zu: %.5f s, output FNV-1a %016llx\n", blocks[b], t, (unsigned long long)h);
        }
        free(in);
        free(out);
        return 0;
    }
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (strchr(dir, '\'')) { /* run_sox quotes the path for the shell with '...' */
        fprintf(stderr, "stages_vs_sox: TMPDIR holds a quote: %s\n", dir);
        return 1;
    }
    char raw[512];
    snprintf(raw, sizeof raw, "%s/hpamp-stages-bench-%ld.raw", dir, (long)getpid());
    FILE *f = fopen(raw, "wb");
    if (!f || fwrite(in, sizeof *in, frames * 2, f) != frames * 2 || fclose(f)) {
        fprintf(stderr, "stages_vs_sox: cannot write %s\n", raw);
        return 1;
    }
    printf("stages_vs_sox: %.0f s of 44.1 kHz stereo, %d rounds (medians, %s)\n", seconds, rounds,
           timing_clock == CLOCK_MONOTONIC ? "wall clock" : "CPU time");
    printf("  chain: 10-band EQ + crossfeed + volume + limiter + TPDF, s16 -> s16; sox: the 10 bands only\n");
    const size_t blocks[] = {4096, 513};
    double ts[MAX_ROUNDS], tx[MAX_ROUNDS];
    for (int r = 0; r < rounds; r++) {
        if (r % 2) {
            tx[r] = run_sox(raw);
            ts[r] = run_chain(in, frames, 4096, out);
        } else {
            ts[r] = run_chain(in, frames, 4096, out);
            tx[r] = run_sox(raw);
        }
    }
    double mc = median(ts, rounds), mx = median(tx, rounds);
    printf("  %-28s %8.3f s  %7.0fx realtime  %s (goal %.0fx)\n", "chain, blocks of 4096", mc, seconds / mc,
           seconds / mc >= GOAL_X ? "ok  " : "MISS", GOAL_X);
    printf("  %-28s %8.3f s  %7.0fx realtime\n", "sox equalizer x10", mx, seconds / mx);
    printf("  chain is %.2fx as fast as sox\n", mx / mc);
    for (int r = 0; r < rounds; r++)
        ts[r] = run_chain(in, frames, blocks[1], out);
    mc = median(ts, rounds);
    printf("  %-28s %8.3f s  %7.0fx realtime  %s (goal %.0fx)\n", "chain, blocks of 513", mc, seconds / mc,
           seconds / mc >= GOAL_X_513 ? "ok  " : "MISS", GOAL_X_513);
    unlink(raw);
    free(in);
    free(out);
    return 0;
}
