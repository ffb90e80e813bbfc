/* sigtest.h — shared helpers of the signal tests (tests/signal).
 *
 * Every signal test is a standalone program with a tolerance table: it prints
 * one line per row (measured value, relation, limit, PASS/FAIL) and exits
 * non-zero when any row fails.  References are computed here from closed forms
 * (sines generated in double, analytic noise powers, transfer functions), never
 * taken from the library's own output.
 *
 * Randomized parts draw their seed from $HPA_TEST_SEED (decimal or 0x hex),
 * else a fixed default; the seed is printed at the start and again with the
 * verdict when anything failed, so a failure can be replayed. */
#ifndef HPA_SIGTEST_H
#define HPA_SIGTEST_H

#include <stddef.h>
#include <stdint.h>

#include <hpamp/chain.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* ---- the tolerance table ---- */

/* Print the program's title; `seed` is printed when `randomized`. */
void st_begin(const char *title, int randomized, uint64_t seed);

/* One row each; the name says what is measured, unit is printed after the numbers. */
int st_le(const char *name, double measured, double limit, const char *unit);     /* measured <= limit */
int st_ge(const char *name, double measured, double limit, const char *unit);     /* measured >= limit */
int st_abs_le(const char *name, double measured, double limit, const char *unit); /* |measured| <= limit */
int st_eq_int(const char *name, long long measured, long long expected);          /* measured == expected */
/* A setup step that must succeed (an hpa_* return code): a row only when it fails. */
int st_ok(const char *what, int rc);
/* Print a note (not a row). */
void st_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Summary line; returns the process exit status (0 all passed, 1 otherwise). */
int st_end(void);

/* The seed: $HPA_TEST_SEED or `fallback`. */
uint64_t st_seed(uint64_t fallback);

/* ---- deterministic random numbers for the tests themselves (splitmix64) ---- */
uint64_t st_rand_u64(uint64_t *state);
double st_rand_uniform(uint64_t *state); /* [0, 1) */
double st_rand_gauss(uint64_t *state);   /* N(0, 1), Box-Muller */

/* ---- running a chain ---- */

/* Push `frames` frames of interleaved `in` (in cfg->in_format) through a chain
 * made from cfg, in blocks of `block` frames (<= cfg->max_block_frames), then
 * drain until it returns 0 frames.  Every return code is checked (a failure is
 * a FAIL row).  On success returns a malloc'd buffer of *out_frames frames in
 * cfg->out_format; NULL on failure.  If gain_trace is not NULL it must hold
 * `frames` doubles and block must be 1 with equal rates: it receives
 * hpa_chain_current_gain() after each frame.  If stats is not NULL it receives
 * the chain's statistics at the end. */
void *st_run_chain(const hpa_chain_config *cfg, const void *in, size_t frames, size_t block, size_t *out_frames,
                   double *gain_trace, hpa_chain_stats *stats);

/* A stereo config at one rate in and out: f64 input, the given output format
 * and dither, max_block_frames = block, the rest hpa_chain_config_init's. */
void st_config_stereo_f64(hpa_chain_config *cfg, uint32_t rate, hpa_format out_format, hpa_dither dither,
                          uint32_t block);

/* A parameter set right after the chain is made (hpa_chain_set_param). */
typedef struct st_param {
    int id;
    double value;
} st_param;

/* st_run_chain with n_params parameters set first (each checked), no gain trace. */
void *st_run_chain_params(const hpa_chain_config *cfg, const st_param *params, size_t n_params, const void *in,
                          size_t frames, size_t block, size_t *out_frames, hpa_chain_stats *stats);

/* ---- spectra (FFTW, double) ---- */

/* One-sided power spectrum of x[0..n) with no window, normalised so that a
 * bin-exact sine of amplitude A in bin k (0 < k < n/2) reads A^2/2 in p[k]
 * and sum(p) equals the mean square of x (Parseval).  p holds n/2 + 1 values. */
void st_power_spectrum(const double *x, size_t n, double *p);

/* Complex DFT bin k of x[0..n) (no window), as amplitude and phase of the
 * cosine it represents: x ~ amp * cos(2 pi k j / n + phase). */
void st_dft_bin(const double *x, size_t n, size_t k, double *amp, double *phase);

/* Welch estimate of a one-sided power spectrum: the signal x (stride `stride`,
 * n samples) is cut into non-overlapping segments of length seg, each windowed
 * with a 4-term Blackman-Harris window (sidelobes -92 dB), and the periodograms
 * are averaged.  p holds seg/2 + 1 values normalised so that sum(p) estimates
 * the mean square of x (each bin holds the power in its bin width fs/seg). */
void st_welch(const double *x, size_t n, size_t stride, size_t seg, double *p);

/* Sum of p over the bins whose centre frequency lies in [f_lo, f_hi), with bin
 * width fs/seg; *k_lo and *k_hi (may be NULL) receive the first and last bin. */
double st_band_power(const double *p, size_t seg, double fs, double f_lo, double f_hi, size_t *k_lo, size_t *k_hi);

/* ---- misc ---- */
static inline double st_db_power(double ratio)
{
    return 10.0 * __builtin_log10(ratio);
}
static inline double st_db_amp(double ratio)
{
    return 20.0 * __builtin_log10(ratio);
}

/* Simpson's rule for f over [a, b] with n (even) intervals. */
double st_integrate(double (*f)(double x, const void *ctx), const void *ctx, double a, double b, int n);

#endif
