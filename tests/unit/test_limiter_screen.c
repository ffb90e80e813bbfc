/* test_limiter_screen.c — the limiter's window bound changes no bit.
 *
 * The true-peak limiter skips its 16x detector over a run of frames when the
 * largest |sample| of the guard's output in the detector's windows, times the
 * largest sum of |taps| of a phase, plus twice the largest guard residue,
 * stays under the target (src/lib/limiter.c, window_below / quiet_run).  The
 * reference is the same limiter with the bound switched off (no_screen = 1):
 * the detector then runs wherever the loud rule says, as before the bound.
 * Both are fed the same blocks (sizes cycling through 4096, 513, 1, 256, 257,
 * 100, 2048, 7) and must give the same output bytes, the same "touched"
 * answer for every block, and the same gain, guard share, limited-frame
 * count and deepest gain after every block, then the same tail after
 * hpa_limiter_end and a drain of silence.  Signals (44.1 kHz stereo, and
 * mono at 48 kHz, which takes the one-frame guard instead of the stereo AVX
 * one), each also with the limiter switched off for a stretch and the
 * ceiling moved mid-stream:
 *
 *   music     loop_garzul and loop_safari (Sonic Pi, CC0), 2 s from 1 s in,
 *             at -12, -6, 0 and +6 dB;
 *   ramp      the music and white noise under a gain that rises from -40 to
 *             +6 dB over 2 s and falls back, so the bound passes, fails and
 *             passes again at every level between;
 *   bursts    the signs of sinc(n - 1/2), n = -31 .. 32 (inter-sample peaks
 *             of about +10 dB over the samples), one every 2048 samples, at
 *             levels stepping by 1 dB from -40 to +4 dBFS, as they are and
 *             low-passed at 0.85 of Nyquist (little for the guard to take
 *             away, so only the detector's bound decides there);
 *   nyquist   a square at fs/4 (+a +a -a -a) and a sine at 0.497 fs whose
 *             samples sit near zero, at levels from -30 to 0 dBFS;
 *   silence   zeros, then one full-scale click, then zeros;
 *   reenable  a +6 dBFS click while the limiter is off, 1 .. 478 frames
 *             before it is switched on, over a -18 dBFS sine: the click comes
 *             out of the delay after, where the limiter clamps it to the
 *             ceiling.
 *
 * The bound must also be seen to work: on the quiet music and the ramp the
 * screened count is non-zero, and on the loud cases the reference limits
 * (so both paths were exercised).  Exit 0 pass, 1 fail. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include "internal.h"
#include "samples.h"

#define CEILING (-1.0) /* dBTP */

static const size_t BLOCKS[] = {4096, 513, 1, 256, 257, 100, 2048, 7};

typedef struct outcome {
    uint64_t screened;
    uint64_t limited;
} outcome;

static double *frames_alloc(size_t frames, unsigned ch)
{
    double *x = calloc(frames * ch + 1, sizeof(double));
    assert_non_null(x);
    return x;
}

/* one line of what the bound did; it must have passed over some points and the
 * reference must have limited some frames where the case expects it */
static void report(const char *what, outcome o, int screens, int limits)
{
    printf("# %s: %llu points screened, %llu frames limited\n", what, (unsigned long long)o.screened,
           (unsigned long long)o.limited);
    if (screens)
        assert_true(o.screened > 0);
    if (limits)
        assert_true(o.limited > 0);
}

/* x through two limiters (screened and reference) in the same blocks, compared after each */
static outcome compare(const double *x, size_t frames, unsigned ch, double rate)
{
    const size_t nd = hpa_limiter_doubles(ch, rate, 2.0);
    double *ma = calloc(nd, sizeof(double)), *mb = calloc(nd, sizeof(double));
    double *a = frames_alloc(4096, ch), *b = frames_alloc(4096, ch);
    assert_non_null(ma);
    assert_non_null(mb);
    hpa_limiter la, lb;
    hpa_limiter_init(&la, ma, ch, rate, 2.0, 100.0);
    hpa_limiter_init(&lb, mb, ch, rate, 2.0, 100.0);
    lb.no_screen = 1;
    size_t pos = 0, k = 0;
    int ending = 0;
    for (size_t tail = la.delay + 4096; pos < frames || tail;) {
        size_t n = BLOCKS[k++ % (sizeof BLOCKS / sizeof BLOCKS[0])];
        if (pos < frames) {
            n = frames - pos < n ? frames - pos : n;
            memcpy(a, x + pos * ch, n * ch * sizeof(double));
        } else {
            if (!ending) {
                hpa_limiter_end(&la);
                hpa_limiter_end(&lb);
                ending = 1;
            }
            n = tail < n ? tail : n;
            memset(a, 0, n * ch * sizeof(double));
            tail -= n;
        }
        memcpy(b, a, n * ch * sizeof(double));
        double peak = 0.0;
        for (size_t i = 0; i < n * ch; i++)
            peak = fabs(a[i]) > peak ? fabs(a[i]) : peak;
        /* off for a stretch at 40 %, the ceiling 3 dB lower after 70 % */
        const int on = !(pos * 10 >= frames * 4 && pos * 20 < frames * 9);
        const double ceiling = pow(10.0, (CEILING - (pos * 10 >= frames * 7 ? 3.0 : 0.0)) / 20.0);
        const int ta = hpa_limiter_process(&la, a, n, ceiling, on, peak);
        const int tb = hpa_limiter_process(&lb, b, n, ceiling, on, peak);
        if (memcmp(a, b, n * ch * sizeof(double)) != 0) {
            size_t i = 0;
            while (a[i] == b[i] || (a[i] != a[i] && b[i] != b[i]))
                i++;
            fail_msg("frames %zu .. %zu: sample %zu differs: %.17g (screened) vs %.17g (reference)", pos, pos + n - 1,
                     i, a[i], b[i]);
        }
        assert_int_equal(ta, tb);
        assert_true(la.gain == lb.gain);
        assert_true(la.guard == lb.guard);
        assert_true(la.min_gain == lb.min_gain);
        assert_int_equal(la.limited_frames, lb.limited_frames);
        assert_int_equal(lb.screened, 0);
        pos += pos < frames ? n : 0;
    }
    outcome o = {la.screened, lb.limited_frames};
    free(ma);
    free(mb);
    free(a);
    free(b);
    return o;
}

/* 2 s of a Sonic Pi loop from 1 s in (stereo, 44.1 kHz) */
static double *music(const char *file, size_t *frames)
{
    int rate = 0;
    double *x = hpt_sample_read(file, 2, frames, &rate);
    assert_non_null(x);
    assert_int_equal(rate, 44100);
    return x;
}

static void test_music(void **state)
{
    (void)state;
    const char *files[] = {"loop_garzul", "loop_safari"};
    const double gains_db[] = {-12.0, -6.0, 0.0, 6.0};
    for (int f = 0; f < 2; f++) {
        size_t frames = 0;
        double *x = music(files[f], &frames);
        assert_non_null(x);
        double *y = frames_alloc(frames, 2);
        for (int g = 0; g < 4; g++) {
            const double k = pow(10.0, gains_db[g] / 20.0);
            for (size_t i = 0; i < 2 * frames; i++)
                y[i] = x[i] * k;
            char what[64];
            snprintf(what, sizeof what, "music %s %+.0f dB", files[f], gains_db[g]);
            report(what, compare(y, frames, 2, 44100.0), g == 0, g == 3);
        }
        free(x);
        free(y);
    }
}

static void test_ramp(void **state)
{
    (void)state;
    size_t frames = 0;
    double *x = music("loop_garzul", &frames);
    assert_non_null(x);
    uint64_t s = 0x2545F4914F6CDD1DULL;
    for (int kind = 0; kind < 2; kind++) {
        double *y = frames_alloc(frames, 2);
        for (size_t i = 0; i < frames; i++) {
            /* -40 dB -> +6 dB at the middle -> -40 dB */
            const double p = (double)i / (double)frames, d = p < 0.5 ? 2.0 * p : 2.0 - 2.0 * p;
            const double k = pow(10.0, (-40.0 + 46.0 * d) / 20.0);
            for (int c = 0; c < 2; c++) {
                s ^= s >> 12, s ^= s << 25, s ^= s >> 27;
                const double nz = (double)((s * 0x2545F4914F6CDD1DULL) >> 11) * 0x1.0p-53 * 2.0 - 1.0;
                y[2 * i + c] = k * (kind ? 0.5 * nz : x[2 * i + c]);
            }
        }
        report(kind ? "ramp noise" : "ramp music", compare(y, frames, 2, 44100.0), 1, 1);
        free(y);
    }
    free(x);
}

static void test_bursts(void **state)
{
    (void)state;
    const size_t every = 2048, levels = 45, frames = every * levels;
    double *x = frames_alloc(frames, 2);
    for (size_t b = 0; b < levels; b++) {
        const double a = pow(10.0, (-40.0 + (double)b) / 20.0);
        for (int n = -31; n <= 32; n++) {
            const double v = (double)n - 0.5, sinc = sin(M_PI * v) / (M_PI * v);
            const size_t at = b * every + 512 + (size_t)(n + 31);
            x[2 * at] = x[2 * at + 1] = sinc > 0 ? a : -a;
        }
    }
    report("bursts", compare(x, frames, 2, 44100.0), 1, 1);
    /* the same through a low-pass at 0.85 of Nyquist (Hann-windowed sinc, 2 x 40 + 1
     * taps): no guard residue to speak of, the peak still between the samples */
    double *y = frames_alloc(frames, 2);
    for (size_t i = 0; i < frames; i++) {
        double acc = 0.0;
        for (int k = -40; k <= 40; k++) {
            if ((ptrdiff_t)i - k < 0 || (size_t)((ptrdiff_t)i - k) >= frames)
                continue;
            const double h = 0.85 * (k ? sin(M_PI * 0.85 * k) / (M_PI * 0.85 * k) : 1.0) *
                             (0.5 + 0.5 * cos(M_PI * k / 41.0));
            acc += h * x[2 * (size_t)((ptrdiff_t)i - k)];
        }
        y[2 * i] = y[2 * i + 1] = acc;
    }
    report("band-limited bursts", compare(y, frames, 2, 44100.0), 1, 1);
    free(x);
    free(y);
}

static void test_nyquist(void **state)
{
    (void)state;
    const size_t each = 8192;
    const double levels_db[] = {-30.0, -20.0, -16.0, -14.0, -12.0, -9.0, -6.0, -3.0, 0.0};
    const size_t nl = sizeof levels_db / sizeof levels_db[0], frames = 2 * each * nl;
    double *x = frames_alloc(frames, 2), *m = frames_alloc(frames, 1);
    for (size_t l = 0; l < nl; l++) {
        const double a = pow(10.0, levels_db[l] / 20.0);
        for (size_t i = 0; i < each; i++) {
            const size_t sq = 2 * l * each + i, sn = sq + each;
            x[2 * sq] = x[2 * sq + 1] = (i & 2) ? -a : a;
            /* 0.497 fs, samples near zero at the start: the peaks are between them */
            x[2 * sn] = a * sin(2.0 * M_PI * 0.497 * (double)i + 0.5 * M_PI * 0.006);
            x[2 * sn + 1] = -x[2 * sn];
        }
    }
    for (size_t i = 0; i < frames; i++)
        m[i] = x[2 * i];
    report("nyquist, stereo 44.1 kHz", compare(x, frames, 2, 44100.0), 1, 1);
    report("nyquist, mono 48 kHz", compare(m, frames, 1, 48000.0), 1, 1);
    free(x);
    free(m);
}

static void test_silence(void **state)
{
    (void)state;
    const size_t frames = (size_t)3 * 44100, click = 44100;
    double *x = frames_alloc(frames, 2);
    x[2 * click] = 1.0;
    x[2 * click + 1] = -1.0;
    report("silence and a click", compare(x, frames, 2, 44100.0), 0, 1);
    free(x);
}

/* a click of +6 dBFS while the limiter is off, d frames before it is switched on,
 * over a sine at -18 dBFS: its delayed frame comes out after, where the per-frame
 * path clamps it (the detector saw it while off) */
static void test_reenable(void **state)
{
    (void)state;
    const size_t nd = hpa_limiter_doubles(2, 44100.0, 2.0), on_at = 2048, frames = 4096;
    double *ma = calloc(nd, sizeof(double)), *mb = calloc(nd, sizeof(double));
    double *a = frames_alloc(frames, 2), *b = frames_alloc(frames, 2);
    assert_non_null(ma);
    assert_non_null(mb);
    const double ceiling = pow(10.0, CEILING / 20.0);
    size_t clamped = 0;
    for (size_t d = 1; d < 480; d += 3) {
        hpa_limiter la, lb;
        hpa_limiter_init(&la, ma, 2, 44100.0, 2.0, 100.0);
        hpa_limiter_init(&lb, mb, 2, 44100.0, 2.0, 100.0);
        lb.no_screen = 1;
        for (size_t i = 0; i < frames; i++) /* -18 dBFS at 100 Hz: loud enough for the per-frame path */
            a[2 * i] = a[2 * i + 1] = 0.125 * sin(2.0 * M_PI * 100.0 * (double)i / 44100.0);
        a[2 * (on_at - d)] = a[2 * (on_at - d) + 1] = 2.0;
        memcpy(b, a, frames * 2 * sizeof(double));
        for (size_t pos = 0; pos < frames; pos += 256) {
            const int on = pos >= on_at;
            double peak = 0.0;
            for (size_t i = 0; i < (size_t)2 * 256; i++)
                peak = fabs(a[2 * pos + i]) > peak ? fabs(a[2 * pos + i]) : peak;
            assert_int_equal(hpa_limiter_process(&la, a + 2 * pos, 256, ceiling, on, peak),
                             hpa_limiter_process(&lb, b + 2 * pos, 256, ceiling, on, peak));
        }
        assert_memory_equal(a, b, frames * 2 * sizeof(double));
        for (size_t i = 0; i < 2 * frames; i++)
            clamped += b[i] == ceiling;
    }
    printf("# a click before the limiter is switched on: %zu samples clamped\n", clamped);
    assert_true(clamped > 0);
    free(ma);
    free(mb);
    free(a);
    free(b);
}

/* The same click over silence: with nothing loud arriving after the switch the
 * limiter may take its fast path, which must still not let the click through
 * (the ceiling is a closed form here: no output sample above it). */
static void test_reenable_silent(void **state)
{
    (void)state;
    const size_t nd = hpa_limiter_doubles(2, 44100.0, 2.0), on_at = 2048, frames = 4096;
    double *m = calloc(nd, sizeof(double));
    double *a = frames_alloc(frames, 2);
    assert_non_null(m);
    const double ceiling = pow(10.0, CEILING / 20.0);
    size_t over = 0;
    for (size_t d = 1; d < 480; d += 3)
        for (size_t bi = 0; bi < 3; bi++) {
            const size_t block = (size_t[]){256, 64, 1}[bi];
            hpa_limiter l;
            hpa_limiter_init(&l, m, 2, 44100.0, 2.0, 100.0);
            memset(a, 0, frames * 2 * sizeof(double));
            a[2 * (on_at - d)] = 2.0;
            a[2 * (on_at - d) + 1] = -2.0;
            for (size_t pos = 0; pos < frames; pos += block) {
                double peak = 0.0;
                for (size_t i = 0; i < 2 * block; i++)
                    peak = fabs(a[2 * pos + i]) > peak ? fabs(a[2 * pos + i]) : peak;
                hpa_limiter_process(&l, a + 2 * pos, block, ceiling, pos >= on_at, peak);
            }
            for (size_t i = 2 * on_at; i < 2 * frames; i++)
                over += fabs(a[i]) > ceiling;
        }
    printf("# a click before the limiter is switched on, then silence: %zu samples above the ceiling\n", over);
    assert_int_equal(over, 0);
    free(m);
    free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_music),           cmocka_unit_test(test_ramp),    cmocka_unit_test(test_bursts),
        cmocka_unit_test(test_nyquist),         cmocka_unit_test(test_silence), cmocka_unit_test(test_reenable),
        cmocka_unit_test(test_reenable_silent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
