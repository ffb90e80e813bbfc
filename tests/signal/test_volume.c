/* test_volume.c — the volume stage against its closed forms.
 *
 * Chains run without resampling, f64 in and out, so the output is exactly the
 * input times the gain the stage applies.
 *
 * Accuracy: after settling (20 time constants), the RMS ratio of output to
 * input of a sine equals 10^(dB/20) for the requested dB, within +-0.01 dB;
 * requests above max_volume_db (at creation or later) give max_volume_db.
 *
 * Smoothing (volume.c, chain.h): a one-pole smoother on the linear gain,
 *     g[n] = g[n-1] + c (target - g[n-1]),  c = 1 - exp(-1 / (tau * fs)),
 * tau = smoothing_ms.  With a DC input of 1.0 the output is the gain itself, so
 * the test checks, against c computed here:
 *   - the largest sample-to-sample change <= c * |g0 - g1| (the closed-form
 *     bound: the first step is the largest) and < 1 % of |g0 - g1| (no step);
 *   - the trajectory g1 + (g0 - g1)(1 - c)^(n+1), frame by frame;
 *   - the move is complete (within 0.01 dB of the target) after 20 tau;
 *   - no overshoot; hpa_chain_current_gain() equals the applied gain;
 *   - mute ramps the same way, reaches digital silence, and unmute returns to
 *     exactly 0 dB;
 *   - behind a resampler (44.1k -> 96k) the smoother runs at the output rate. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigtest.h"

#define LIMIT_ACCURACY_DB 0.01
#define LIMIT_STEP_FRACTION 0.01 /* largest per-sample change / total change */
#define LIMIT_TRAJECTORY 1e-9    /* |gain - closed form| (the smoother snaps within 1e-12) */
#define LIMIT_DONE_DB 0.01       /* after 20 tau */

static hpa_chain *make_chain(uint32_t rate, double volume_db, double max_db, double smoothing_ms)
{
    hpa_chain_config cfg;
    hpa_chain_config_init(&cfg);
    cfg.in_rate_hz = cfg.out_rate_hz = rate;
    cfg.channels = 1;
    cfg.max_block_frames = 4096;
    cfg.in_format = HPA_FORMAT_F64;
    cfg.out_format = HPA_FORMAT_F64;
    cfg.dither = HPA_DITHER_NONE;
    cfg.volume_db = volume_db;
    cfg.max_volume_db = max_db;
    cfg.smoothing_ms = smoothing_ms;
    hpa_chain *c = NULL;
    if (!st_ok("hpa_chain_create", hpa_chain_create(&cfg, &c)))
        return NULL;
    return c;
}

/* process n frames in blocks; out must hold n frames; gain (may be NULL, then
 * block is free) receives hpa_chain_current_gain() after every block of 1 */
static int run(hpa_chain *c, const double *in, size_t n, double *out, size_t block, double *gain)
{
    const size_t cap = hpa_chain_max_out_frames(c);
    double *tmp = malloc(sizeof(double) * cap);
    if (!tmp)
        exit(99);
    int ok = 1;
    for (size_t pos = 0; ok && pos < n; pos += block) {
        size_t k = n - pos < block ? n - pos : block, got = 0;
        ok = st_ok("hpa_chain_process", hpa_chain_process(c, in + pos, k, tmp, cap, &got));
        if (ok && got != k)
            ok = st_eq_int("hpa_chain_process: frames out == frames in", (long long)got, (long long)k);
        if (ok) {
            memcpy(out + pos, tmp, k * sizeof(double));
            if (gain)
                gain[pos] = hpa_chain_current_gain(c);
        }
    }
    free(tmp);
    return ok;
}

/* ---- accuracy ---- */

static void accuracy_case(double max_db, double request_db, double expect_db, int at_create)
{
    const uint32_t rate = 48000;
    const size_t settle = (size_t)(20 * 0.010 * rate), n = rate; /* 20 tau, then 1 s */
    double *x = malloc(sizeof(double) * (settle + n)), *y = malloc(sizeof(double) * (settle + n));
    char name[200];
    if (!x || !y)
        exit(99);
    for (size_t j = 0; j < settle + n; j++)
        x[j] = 0.25 * sin(2.0 * M_PI * fmod(997.0 * (double)j, rate) / rate);

    hpa_chain *c = make_chain(rate, at_create ? request_db : 0.0, max_db, 10.0);
    if (!c)
        goto out;
    if (!at_create && !st_ok("hpa_chain_set_volume_db", hpa_chain_set_volume_db(c, request_db)))
        goto out;
    double got_param = NAN;
    if (!st_ok("hpa_chain_get_param", hpa_chain_get_param(c, HPA_PARAM_VOLUME_DB, &got_param)))
        goto out;
    if (!run(c, x, settle + n, y, 1024, NULL))
        goto out;
    long double sx = 0.0L, sy = 0.0L;
    for (size_t j = settle; j < settle + n; j++) {
        sx += (long double)x[j] * x[j];
        sy += (long double)y[j] * y[j];
    }
    double db = st_db_power((double)(sy / sx));
    snprintf(name, sizeof name, "max %+5.1f dB, %s %+6.1f dB: output/input RMS re %+6.1f dB", max_db,
             at_create ? "created at" : "set", request_db, expect_db);
    st_abs_le(name, db - expect_db, LIMIT_ACCURACY_DB, "dB");
    if (expect_db != request_db) {
        snprintf(name, sizeof name, "max %+5.1f dB, %s %+6.1f dB: volume_db reads back clamped", max_db,
                 at_create ? "created at" : "set", request_db);
        st_abs_le(name, got_param - expect_db, 0.0, "dB");
    }
out:
    hpa_chain_destroy(c);
    free(x);
    free(y);
}

/* ---- ramps: DC input, 1-frame calls, output == gain ---- */

typedef enum { MOVE_VOLUME, MOVE_MUTE, MOVE_UNMUTE } move_kind;

static void ramp_case(uint32_t rate, double smoothing_ms, move_kind kind, double from_db, double to_db)
{
    const double tau = smoothing_ms / 1000.0;
    const double coef = 1.0 - exp(-1.0 / (tau * rate)); /* the closed form, computed here */
    const size_t pre = 64, n = (size_t)ceil(30.0 * tau * rate), n20 = (size_t)ceil(20.0 * tau * rate);
    const double g0 = kind == MOVE_UNMUTE ? 0.0 : pow(10.0, from_db / 20.0);
    const double g1 = kind == MOVE_MUTE ? 0.0 : pow(10.0, to_db / 20.0);
    const double change = fabs(g1 - g0);
    char pre_name[96], name[200];
    double *one = malloc(sizeof(double) * n), *y = malloc(sizeof(double) * (pre + n)),
           *g = malloc(sizeof(double) * (pre + n));
    if (!one || !y || !g)
        exit(99);
    for (size_t j = 0; j < n; j++)
        one[j] = 1.0;
    switch (kind) {
    case MOVE_VOLUME:
        snprintf(pre_name, sizeof pre_name, "%gk tau %g ms: %+g -> %+g dB", rate / 1000.0, smoothing_ms, from_db,
                 to_db);
        break;
    case MOVE_MUTE:
        snprintf(pre_name, sizeof pre_name, "%gk tau %g ms: mute at %+g dB", rate / 1000.0, smoothing_ms, from_db);
        break;
    case MOVE_UNMUTE:
        snprintf(pre_name, sizeof pre_name, "%gk tau %g ms: unmute to %+g dB", rate / 1000.0, smoothing_ms, to_db);
        break;
    }

    hpa_chain *c = make_chain(rate, from_db, 0.0, smoothing_ms);
    if (!c)
        goto out;
    if (kind == MOVE_UNMUTE) {
        /* mute, then let the chain forget the ramp: reset jumps to the target while silent */
        if (!st_ok("hpa_chain_set_mute", hpa_chain_set_mute(c, 1)) || !st_ok("hpa_chain_reset", hpa_chain_reset(c)))
            goto out;
    }
    /* steady at g0 */
    if (!run(c, one, pre, y, 1, g))
        goto out;
    snprintf(name, sizeof name, "%s: steady gain before the move (error)", pre_name);
    st_abs_le(name, y[pre - 1] - g0, 1e-15, "");
    int rc = kind == MOVE_VOLUME ? hpa_chain_set_volume_db(c, to_db) : hpa_chain_set_mute(c, kind == MOVE_MUTE);
    if (!st_ok("set volume/mute", rc))
        goto out;
    if (!run(c, one, n, y + pre, 1, g + pre))
        goto out;

    double max_step = 0.0, max_dev = 0.0, overshoot = 0.0, gain_vs_out = 0.0;
    double closed = g0 - g1; /* (g0 - g1)(1 - c)^(n+1), by repeated multiplication */
    for (size_t j = pre; j < pre + n; j++) {
        double step = fabs(y[j] - y[j - 1]);
        if (step > max_step)
            max_step = step;
        closed *= 1.0 - coef;
        double dev = fabs(y[j] - (g1 + closed));
        if (dev > max_dev)
            max_dev = dev;
        double past = g1 > g0 ? y[j] - g1 : g1 - y[j]; /* > 0: beyond the target */
        if (past > overshoot)
            overshoot = past;
        if (fabs(g[j] - y[j]) > gain_vs_out)
            gain_vs_out = fabs(g[j] - y[j]);
    }
    const double bound = coef * change;
    snprintf(name, sizeof name, "%s: largest step, bound c|g0-g1| = %.4g", pre_name, bound);
    st_le(name, max_step, bound * (1.0 + 1e-9), "");
    snprintf(name, sizeof name, "%s: largest step / |g0-g1|", pre_name);
    st_le(name, max_step / change, LIMIT_STEP_FRACTION, "");
    snprintf(name, sizeof name, "%s: |gain - one-pole closed form|", pre_name);
    st_le(name, max_dev, LIMIT_TRAJECTORY, "");
    snprintf(name, sizeof name, "%s: overshoot beyond target", pre_name);
    st_le(name, overshoot, 0.0, "");
    snprintf(name, sizeof name, "%s: |current_gain() - applied gain|", pre_name);
    st_le(name, gain_vs_out, 0.0, "");
    if (g1 > 0.0) {
        snprintf(name, sizeof name, "%s: level after 20 tau re target", pre_name);
        st_abs_le(name, st_db_amp(y[pre + n20 - 1] / g1), LIMIT_DONE_DB, "dB");
        snprintf(name, sizeof name, "%s: gain after 30 tau re target (snapped)", pre_name);
        st_abs_le(name, y[pre + n - 1] - g1, 0.0, "");
    } else {
        /* muting: e^-20 of the start after 20 tau, digital silence once snapped */
        snprintf(name, sizeof name, "%s: level after 20 tau re start", pre_name);
        st_le(name, st_db_amp(y[pre + n20 - 1] / g0), -20.0 * 20.0 / log(10.0) + 0.01, "dB");
        snprintf(name, sizeof name, "%s: output after 30 tau (digital silence)", pre_name);
        st_abs_le(name, y[pre + n - 1], 0.0, "");
    }
out:
    hpa_chain_destroy(c);
    free(one);
    free(y);
    free(g);
}

/* The smoother runs at the output rate: a move behind a 44.1k -> 96k resampler,
 * DC input, checked against the closed form with c computed for 96 kHz.  The
 * resampled DC is 1 only to the filter's passband accuracy (a few 1e-9), so
 * the trajectory is compared with an absolute tolerance of RS_TOL (1e-7): a
 * smoother running at the input rate would be off by more than 0.1. */
#define RS_TOL 1e-7
static void ramp_resampled_case(void)
{
    const uint32_t in_rate = 44100, out_rate = 96000;
    const double smoothing_ms = 10.0, g0 = 1.0, g1 = 0.01;
    const double coef = 1.0 - exp(-1.0 / (smoothing_ms / 1000.0 * out_rate));
    const size_t block = 441, in_frames = in_rate, set_at = in_rate / 2; /* input frame of the move */
    const char *pre = "44.1k->96k tau 10 ms: +0 -> -40 dB";
    char name[200];
    hpa_chain_config cfg;
    hpa_chain_config_init(&cfg);
    cfg.in_rate_hz = in_rate;
    cfg.out_rate_hz = out_rate;
    cfg.channels = 1;
    cfg.max_block_frames = block;
    cfg.in_format = cfg.out_format = HPA_FORMAT_F64;
    cfg.dither = HPA_DITHER_NONE;
    cfg.smoothing_ms = smoothing_ms;
    hpa_chain *c = NULL;
    if (!st_ok("hpa_chain_create", hpa_chain_create(&cfg, &c)))
        return;
    const size_t cap = hpa_chain_max_out_frames(c);
    const size_t total_cap = (size_t)out_rate * 2 + cap;
    double *one = malloc(sizeof(double) * block), *tmp = malloc(sizeof(double) * cap),
           *y = malloc(sizeof(double) * total_cap);
    if (!one || !tmp || !y)
        exit(99);
    for (size_t j = 0; j < block; j++)
        one[j] = 1.0;
    size_t total = 0, m_set = 0;
    int ok = 1;
    for (size_t pos = 0; ok && pos < in_frames; pos += block) {
        if (pos == set_at - set_at % block) {
            ok = st_ok("hpa_chain_set_volume_db", hpa_chain_set_volume_db(c, -40.0));
            m_set = total; /* the first output frame after the set carries the first step */
        }
        size_t got = 0;
        if (ok)
            ok = st_ok("hpa_chain_process", hpa_chain_process(c, one, block, tmp, cap, &got));
        if (ok && total + got <= total_cap) {
            memcpy(y + total, tmp, got * sizeof(double));
            total += got;
        }
    }
    const size_t n = (size_t)ceil(20.0 * smoothing_ms / 1000.0 * out_rate);
    if (ok && !st_ge("44.1k->96k: output frames after the move", (double)(total - m_set), (double)n, "frames"))
        ok = 0;
    if (ok) {
        double settled = 0.0, max_step = 0.0, max_dev = 0.0, closed = g0 - g1;
        for (size_t m = m_set - 1000; m < m_set; m++)
            settled = fmax(settled, fabs(y[m] - g0));
        for (size_t m = m_set; m < m_set + n; m++) {
            max_step = fmax(max_step, fabs(y[m] - y[m - 1]));
            closed *= 1.0 - coef;
            max_dev = fmax(max_dev, fabs(y[m] - (g1 + closed)));
        }
        snprintf(name, sizeof name, "%s: resampled DC before the move re 1", pre);
        st_le(name, settled, RS_TOL, "");
        snprintf(name, sizeof name, "%s: largest step, bound c|g0-g1| = %.4g", pre, coef * (g0 - g1));
        st_le(name, max_step, coef * (g0 - g1) + RS_TOL, "");
        snprintf(name, sizeof name, "%s: |gain - closed form at 96 kHz|", pre);
        st_le(name, max_dev, RS_TOL, "");
        snprintf(name, sizeof name, "%s: level after 20 tau re target", pre);
        st_abs_le(name, st_db_amp(y[m_set + n - 1] / g1), LIMIT_DONE_DB, "dB");
    }
    hpa_chain_destroy(c);
    free(one);
    free(tmp);
    free(y);
}

int main(void)
{
    st_begin("volume: accuracy, clamp to max_volume_db, one-pole smoothing against its closed form", 0, 0);

    static const struct {
        double max_db, request_db, expect_db;
        int at_create;
    } acc[] = {
        {0.0, -0.5, -0.5, 0},
        {0.0, -6.0, -6.0, 0},
        {0.0, -20.0, -20.0, 0},
        {0.0, -40.0, -40.0, 0},
        {0.0, -60.0, -60.0, 0},
        {0.0, -100.0, -100.0, 0},
        {6.0, 0.0, 0.0, 0},
        {6.0, 6.0, 6.0, 0},
        {6.0, -6.0, -6.0, 1},
        /* clamps: a request above max_volume_db gives max_volume_db */
        {0.0, 6.0, 0.0, 0},
        {6.0, 12.0, 6.0, 0},
        {-10.0, 0.0, -10.0, 0},
        {0.0, 3.0, 0.0, 1},
        {-10.0, 0.0, -10.0, 1},
    };
    for (size_t i = 0; i < sizeof acc / sizeof acc[0]; i++)
        accuracy_case(acc[i].max_db, acc[i].request_db, acc[i].expect_db, acc[i].at_create);

    ramp_case(48000, 10.0, MOVE_VOLUME, 0.0, -40.0);
    ramp_case(48000, 10.0, MOVE_VOLUME, -40.0, 0.0);
    ramp_case(44100, 5.0, MOVE_VOLUME, -6.0, -46.0);
    ramp_case(96000, 25.0, MOVE_VOLUME, -20.0, -3.0);
    ramp_case(48000, 10.0, MOVE_MUTE, 0.0, 0.0);
    ramp_case(48000, 10.0, MOVE_UNMUTE, 0.0, 0.0);
    ramp_resampled_case();
    return st_end();
}
