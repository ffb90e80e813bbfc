/* limiter.c — a lookahead true-peak limiter.
 *
 * Detection.  The peak between samples is estimated at 4x the rate: a
 * Kaiser-windowed sinc (16 taps per phase, beta 8, each phase normalised to
 * unit DC gain) interpolates the points 1/4, 2/4 and 3/4 of the way between
 * each pair of samples (ITU-R BS.1770-4 Annex 2 asks for at least 4x).  The
 * estimate q[t] of frame t covers sample t-8 and the three points after it;
 * it needs samples up to t, hence an 8-frame detection delay.  The gain the
 * frame needs is g[t] = min(1, ceiling / q[t]); the channels share one gain.
 *
 * Gain.  h = the minimum of g over the last W+16 frames; r = h after a
 * one-pole release (r falls at once, rises with the release time constant,
 * and is never above h); the gain applied is the moving average of r over the
 * last W frames.  Every value in that average is at most g at the 17 frames
 * [t-W-15, t-W+1] (the averaging window and the minimum windows overlap
 * there), so with the audio delayed by W+15 frames the gain at each output
 * sample is at most the gain needed at that sample and the 8 samples either
 * side — the whole span of the interpolator — and the output's interpolated
 * peaks stay at or below the ceiling.  The moving average makes the attack a
 * smooth ramp of W frames that ends before the peak.
 *
 * The gain aims 0.05 dB below the ceiling: interpolators differ by about
 * 0.02 dB in what they read between samples (libebur128's 4x filter reads
 * some peaks higher than this one), and the margin keeps the output below
 * the ceiling by theirs too.  A sample still above the ceiling after the gain
 * (by rounding, 1e-14) is set to it.
 *
 * Transparency.  When no gain is needed the gain is exactly 1.0 and each
 * sample comes out unchanged, only delayed.  A block whose samples cannot
 * reach the ceiling even between samples (its peak times the interpolator's
 * largest sum of |taps|, history included) skips the interpolation.  */
#include <math.h>
#include <string.h>

#include "internal.h"

#define KAISER_BETA 8.0
#define SNAP 1e-12
#define MARGIN 0.9942697 /* -0.05 dB: other 4x interpolators read up to ~0.02 dB higher */

static double bessel_i0(double x)
{
    double sum = 1.0, term = 1.0;
    for (int k = 1; k < 60; k++) {
        term *= (x / (2.0 * k)) * (x / (2.0 * k));
        sum += term;
        if (term < 1e-17 * sum)
            break;
    }
    return sum;
}

static size_t delay_frames(double rate_hz, double lookahead_ms)
{
    size_t d = (size_t)lround(lookahead_ms * rate_hz / 1000.0);
    return d < HPA_LIM_TAPS + 1 ? HPA_LIM_TAPS + 1 : d;
}

size_t hpa_limiter_doubles(unsigned channels, double rate_hz, double lookahead_ms)
{
    const size_t d = delay_frames(rate_hz, lookahead_ms);
    const size_t win = d - (HPA_LIM_TAPS - 1);
    const size_t minwin = win + HPA_LIM_TAPS;
    /* delay line and its spare, box, deque values and positions (uint64_t, as wide as a double) */
    return 2 * d * channels + win + 2 * (minwin + 1);
}

void hpa_limiter_init(hpa_limiter *l, double *mem, unsigned channels, double rate_hz, double lookahead_ms,
                      double release_ms)
{
    memset(l, 0, sizeof *l);
    l->channels = channels;
    l->delay = delay_frames(rate_hz, lookahead_ms);
    l->win = l->delay - (HPA_LIM_TAPS - 1);
    l->minwin = l->win + HPA_LIM_TAPS;
    l->release_coef = -expm1(-1000.0 / (release_ms * rate_hz));
    l->min_gain = 1.0;
    l->dline = mem;
    l->dspare = l->dline + l->delay * channels;
    l->box = l->dspare + l->delay * channels;
    l->mq_val = l->box + l->win;
    l->mq_pos = (uint64_t *)(void *)(l->mq_val + l->minwin + 1);

    /* the interpolator: tap j of phase p weighs sample n + j - 7 for the
     * point n + p/4 */
    const double half = HPA_LIM_TAPS / 2.0;
    l->l1 = 1.0;
    for (int p = 1; p <= 3; p++) {
        double sum = 0.0, abs_sum = 0.0;
        for (int j = 0; j < HPA_LIM_TAPS; j++) {
            double x = p / 4.0 - (j - 7); /* distance from the tap's sample */
            double s = fabs(x) < 1e-12 ? 1.0 : sin(M_PI * x) / (M_PI * x);
            double r = x / half;
            double w = fabs(r) >= 1.0 ? 0.0 : bessel_i0(KAISER_BETA * sqrt(1.0 - r * r)) / bessel_i0(KAISER_BETA);
            l->phase[p - 1][j] = s * w;
            sum += s * w;
        }
        for (int j = 0; j < HPA_LIM_TAPS; j++) {
            l->phase[p - 1][j] /= sum;
            abs_sum += fabs(l->phase[p - 1][j]);
        }
        if (abs_sum > l->l1)
            l->l1 = abs_sum;
    }
    hpa_limiter_reset(l);
}

void hpa_limiter_reset(hpa_limiter *l)
{
    memset(l->dline, 0, l->delay * l->channels * sizeof(double));
    memset(l->dspare, 0, l->delay * l->channels * sizeof(double));
    for (size_t i = 0; i < l->win; i++)
        l->box[i] = 1.0;
    memset(l->hist, 0, sizeof l->hist);
    l->dpos = l->bpos = l->mq_head = l->mq_len = 0;
    l->hpos = 0;
    l->t = 0;
    l->release = 1.0;
    l->box_sum = (double)l->win;
    l->box_below = 0;
    l->gain = 1.0;
}

/* the largest |x| of the point n + p/4 (p = 0..3) over the channels, where
 * n is sample t-8 and the history's newest sample is t */
static double true_peak(const hpa_limiter *l)
{
    double q = 0.0;
    for (unsigned c = 0; c < l->channels; c++) {
        const double *h = l->hist[c];
        double x[HPA_LIM_TAPS];
        for (int j = 0; j < HPA_LIM_TAPS; j++)
            x[j] = h[(l->hpos - (HPA_LIM_TAPS - 1) + j) & (HPA_LIM_HIST - 1)];
        double a = fabs(x[7]);
        q = a > q ? a : q;
        for (int p = 0; p < 3; p++) {
            double y = 0.0;
            for (int j = 0; j < HPA_LIM_TAPS; j++)
                y += l->phase[p][j] * x[j];
            a = fabs(y);
            q = a > q ? a : q;
        }
    }
    return q;
}

/* The block only delayed: out = the delay line's frames, oldest first, then
 * the block's first frames; the delay line takes the block's last frames.  A
 * block at least as long as the delay moves whole runs (its last frames into
 * the spare ring, which becomes the delay line); a shorter one swaps with
 * the ring in at most two contiguous runs. */
static void delay_only(hpa_limiter *l, double *buf, size_t frames)
{
    const size_t ch = l->channels, d = l->delay;
    if (frames >= d) {
        double *next = l->dspare;
        const size_t older = d - l->dpos; /* frames from dpos to the ring's end */
        memcpy(next, buf + (frames - d) * ch, d * ch * sizeof(double));
        memmove(buf + d * ch, buf, (frames - d) * ch * sizeof(double));
        memcpy(buf, l->dline + l->dpos * ch, older * ch * sizeof(double));
        memcpy(buf + older * ch, l->dline, l->dpos * ch * sizeof(double));
        l->dspare = l->dline;
        l->dline = next;
        l->dpos = 0;
        return;
    }
    while (frames) {
        size_t run = d - l->dpos;
        run = run < frames ? run : frames;
        double *r = l->dline + l->dpos * ch;
        for (size_t i = 0; i < run * ch; i++) {
            const double in = buf[i];
            buf[i] = r[i];
            r[i] = in;
        }
        buf += run * ch;
        frames -= run;
        l->dpos += run;
        if (l->dpos == d)
            l->dpos = 0;
    }
}

int hpa_limiter_process(hpa_limiter *l, double *buf, size_t frames, double ceiling, int enable, double peak)
{
    int touched = 0;
    const unsigned ch = l->channels;
    int detect = 0;
    if (enable) {
        for (unsigned c = 0; c < ch; c++)
            for (int j = 0; j < HPA_LIM_HIST; j++) {
                double a = fabs(l->hist[c][j]);
                peak = a > peak ? a : peak;
            }
        detect = peak * l->l1 > ceiling * MARGIN;
    }
    if (!detect && l->release == 1.0 && l->box_below == 0 && (l->mq_len == 0 || l->mq_val[l->mq_head] == 1.0)) {
        /* at rest and nothing to detect: the gain stays exactly 1.0, so the
         * block is only delayed; the gain state takes `frames` values of 1.0
         * at once (the minimum's deque collapses to its newest entry) */
        delay_only(l, buf, frames);
        if (frames) {
            /* the history keeps the newest HPA_LIM_HIST input frames (now in the delay line) */
            size_t keep = frames < HPA_LIM_HIST ? frames : HPA_LIM_HIST;
            for (size_t k = keep; k > 0; k--) {
                /* input frame frames - k: still in the delay line k slots behind
                 * the write position, or already out at output frame frames - k + delay */
                const double *src = k <= l->delay ? l->dline + ((l->dpos + l->delay - k) % l->delay) * ch
                                                  : buf + (frames - k + l->delay) * ch;
                l->hpos = (l->hpos + 1) & (HPA_LIM_HIST - 1);
                for (unsigned c = 0; c < ch; c++)
                    l->hist[c][l->hpos] = src[c];
            }
            l->t += frames;
            l->mq_head = 0;
            l->mq_len = 1;
            l->mq_val[0] = 1.0;
            l->mq_pos[0] = l->t - 1;
            l->bpos = (l->bpos + frames) % l->win;
            l->gain = 1.0;
        }
        return 0;
    }
    const size_t cap = l->minwin + 1;
    const double target = ceiling * MARGIN;
    for (size_t i = 0; i < frames; i++) {
        double *x = buf + i * ch;
        l->hpos = (l->hpos + 1) & (HPA_LIM_HIST - 1);
        for (unsigned c = 0; c < ch; c++)
            l->hist[c][l->hpos] = x[c];
        double g = 1.0;
        if (detect) {
            double q = true_peak(l);
            if (q > target)
                g = target / q;
        }
        const uint64_t t = l->t++;
        /* sliding minimum of g over the last minwin frames */
        while (l->mq_len && l->mq_val[(l->mq_head + l->mq_len - 1) % cap] >= g)
            l->mq_len--;
        l->mq_val[(l->mq_head + l->mq_len) % cap] = g;
        l->mq_pos[(l->mq_head + l->mq_len) % cap] = t;
        l->mq_len++;
        while (l->mq_pos[l->mq_head] + l->minwin <= t) {
            l->mq_head = (l->mq_head + 1) % cap;
            l->mq_len--;
        }
        const double h = l->mq_val[l->mq_head];
        /* release: fall at once, rise slowly, never above h */
        double r = l->release;
        if (h <= r)
            r = h;
        else {
            r += l->release_coef * (h - r);
            if (h - r <= SNAP)
                r = h;
        }
        l->release = r;
        /* moving average over win frames */
        const double old = l->box[l->bpos];
        l->box_below += (r < 1.0) - (old < 1.0);
        l->box_sum += r - old;
        l->box[l->bpos] = r;
        if (++l->bpos == l->win)
            l->bpos = 0;
        double s;
        if (l->box_below == 0) {
            s = 1.0;
            l->box_sum = (double)l->win; /* no drift */
        } else {
            s = l->box_sum / (double)l->win;
            if (s > 1.0)
                s = 1.0;
        }
        l->gain = s;
        if (s < 1.0) {
            touched = 1;
            l->limited_frames++;
            if (s < l->min_gain)
                l->min_gain = s;
        }
        /* the delay line */
        double *d = l->dline + l->dpos * ch;
        for (unsigned c = 0; c < ch; c++) {
            double in = x[c], y = s == 1.0 ? d[c] : d[c] * s;
            if (enable && fabs(y) > ceiling) { /* rounding only: keeps the samples within the ceiling */
                y = y > 0 ? ceiling : -ceiling;
                touched = 1;
            }
            x[c] = y;
            d[c] = in;
        }
        if (++l->dpos == l->delay)
            l->dpos = 0;
    }
    return touched;
}
