/* alsa.c — ALSA playback through libasound, on an audio thread of our own.
 *
 * Open a PCM by name, negotiate format (in the caller's order of preference),
 * channels, rate (alsa-lib's own resampler off: the chain resamples when the
 * device refuses the rate), a period down to 64 frames and a buffer of four
 * periods.  The thread loop is:
 *
 *   render one period (the [RT] callback: chain, meters)  ->  snd_pcm_writei
 *
 * snd_pcm_writei is the one place the thread waits: for room in the device's
 * buffer.  An underrun (-EPIPE) or a suspend (-ESTRPIPE) is counted and
 * recovered with snd_pcm_recover; the thread then goes on rendering period by
 * period in real time, so nothing is replayed in a burst.  A device that
 * vanishes (-ENODEV, -EBADFD, or a recover that fails) stops playback with a
 * message.  When the decoder is late the callback returns fewer frames and
 * the loop writes what it has and retries shortly: the device keeps playing
 * from its buffer, and only a real underrun counts as one. */
#include <alsa/asoundlib.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"

typedef struct alsa_dev {
    hph_device base;
    snd_pcm_t *pcm;
    hph_device_request req;
    hph_device_info info;
    void *buf; /* one period in the chain's format (4 bytes a sample at most) */
    pthread_t thread;
    int thread_started;
    atomic_int stop;
    atomic_int failed;
    atomic_int finished;
    _Atomic uint64_t xruns;
    _Atomic uint64_t callbacks;
    char message[256]; /* written by the thread before `failed` is raised */
} alsa_dev;

static void silent_error_handler(const char *file, int line, const char *function, int err, const char *fmt, ...)
{
    (void)file, (void)line, (void)function, (void)err, (void)fmt; /* our messages say it in one line */
}

static snd_pcm_format_t alsa_format(hph_dev_format f)
{
    switch (f) {
    case HPH_DEV_S16: return SND_PCM_FORMAT_S16_LE;
    case HPH_DEV_S24_3LE: return SND_PCM_FORMAT_S24_3LE;
    case HPH_DEV_S24: return SND_PCM_FORMAT_S24_LE;
    case HPH_DEV_S32: return SND_PCM_FORMAT_S32_LE;
    default: return SND_PCM_FORMAT_FLOAT_LE;
    }
}

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

static void fail(alsa_dev *d, const char *fmt, const char *detail)
{
    snprintf(d->message, sizeof d->message, fmt, d->info.name, detail);
    atomic_store_explicit(&d->failed, 1, memory_order_release);
}

/* 1: the device is gone (stop), 0: recovered */
static int handle_error(alsa_dev *d, int err)
{
    if (err == -EPIPE || err == -ESTRPIPE || err == -EINTR) {
        if (err != -EINTR)
            atomic_fetch_add_explicit(&d->xruns, 1, memory_order_relaxed);
        int r = snd_pcm_recover(d->pcm, err, 1);
        if (r == 0)
            return 0;
        err = r;
    }
    if (err == -ENODEV || err == -EBADFD || err == -ENOTTY || err == -EIO)
        fail(d, "ALSA device '%s' disappeared: %s", snd_strerror(err));
    else
        fail(d, "ALSA device '%s' failed: %s", snd_strerror(err));
    return 1;
}

static void *alsa_thread(void *arg)
{
    alsa_dev *d = arg;
    const size_t samples_per_frame = d->info.channels;
    const size_t dev_frame_bytes = samples_per_frame * hph_dev_format_bytes(d->info.format);
    const long starve_us = (long)(250000.0 * d->info.period_frames / d->info.rate_hz) + 1;
    int ended = 0;

    while (!atomic_load_explicit(&d->stop, memory_order_acquire)) {
        size_t n = d->req.render(d->req.user, d->buf, d->info.period_frames, &ended);
        atomic_fetch_add_explicit(&d->callbacks, 1, memory_order_relaxed);
        if (n == 0) {
            if (ended)
                break;
            sleep_us(starve_us); /* the decoder is late: the device plays from its buffer meanwhile */
            continue;
        }
        if (d->info.format == HPH_DEV_S24_3LE)
            hph_pack_s24_3le(d->buf, n * samples_per_frame);
        const unsigned char *p = d->buf;
        size_t left = n;
        while (left && !atomic_load_explicit(&d->stop, memory_order_acquire)) {
            snd_pcm_sframes_t w = snd_pcm_writei(d->pcm, p, left);
            if (w == -EAGAIN)
                continue;
            if (w < 0) {
                if (handle_error(d, (int)w))
                    return NULL;
                continue;
            }
            p += (size_t)w * dev_frame_bytes;
            left -= (size_t)w;
        }
    }
    if (atomic_load_explicit(&d->stop, memory_order_acquire)) {
        snd_pcm_drop(d->pcm);
    } else {
        int err = snd_pcm_drain(d->pcm); /* play out what the buffer holds */
        if (err < 0 && err != -EPIPE && err != -ESTRPIPE) {
            fail(d, "ALSA device '%s' failed while draining: %s", snd_strerror(err));
            return NULL;
        }
    }
    atomic_store_explicit(&d->finished, 1, memory_order_release);
    return NULL;
}

static int alsa_start(hph_device *base)
{
    alsa_dev *d = (alsa_dev *)base;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    /* real-time priority when allowed (root, or an rtprio limit); else a normal thread */
    struct sched_param sp = {.sched_priority = 20};
    pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
    pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
    pthread_attr_setschedparam(&attr, &sp);
    int err = getenv("HPAMP_NO_RT_PRIORITY") ? EPERM : pthread_create(&d->thread, &attr, alsa_thread, d);
    pthread_attr_destroy(&attr);
    if (err)
        err = pthread_create(&d->thread, NULL, alsa_thread, d);
    if (err)
        return -err;
    d->thread_started = 1;
    return 0;
}

static void alsa_poll(hph_device *base, hph_device_status *st)
{
    alsa_dev *d = (alsa_dev *)base;
    memset(st, 0, sizeof *st);
    st->xruns = atomic_load_explicit(&d->xruns, memory_order_relaxed);
    st->callbacks = atomic_load_explicit(&d->callbacks, memory_order_relaxed);
    st->failed = atomic_load_explicit(&d->failed, memory_order_acquire);
    st->finished = atomic_load_explicit(&d->finished, memory_order_acquire);
    if (st->failed)
        snprintf(st->message, sizeof st->message, "%s", d->message);
}

static void alsa_stop(hph_device *base)
{
    alsa_dev *d = (alsa_dev *)base;
    if (!d->thread_started)
        return;
    atomic_store_explicit(&d->stop, 1, memory_order_release);
    pthread_join(d->thread, NULL);
    d->thread_started = 0;
}

static void alsa_close(hph_device *base)
{
    alsa_dev *d = (alsa_dev *)base;
    alsa_stop(base);
    if (d->pcm)
        snd_pcm_close(d->pcm);
    free(d->buf);
    free(d);
    snd_config_update_free_global(); /* alsa-lib's parsed configuration, cached globally */
}

static const hph_device_ops alsa_ops = {alsa_start, alsa_poll, alsa_stop, alsa_close};

/* one line: what failed and why */
#define WHY(...) snprintf(why, why_len, __VA_ARGS__)

int hph_alsa_open(const hph_device_request *req, hph_device **out, hph_device_info *info, char *why, size_t why_len)
{
    const char *name = req->name && *req->name ? req->name : "default";
    snd_lib_error_set_handler(silent_error_handler);

    alsa_dev *d = calloc(1, sizeof *d);
    if (!d) {
        WHY("out of memory");
        return -ENOMEM;
    }
    d->base.ops = &alsa_ops;
    d->req = *req;
    snprintf(d->info.name, sizeof d->info.name, "%s", name);
    d->info.backend = HPH_BACKEND_ALSA;

    int err = snd_pcm_open(&d->pcm, name, SND_PCM_STREAM_PLAYBACK, 0);
    if (err < 0) {
        if (err == -ENOENT || err == -ENODEV)
            WHY("ALSA device '%s' not found (%s); 'aplay -L' lists the names", name, snd_strerror(err));
        else
            WHY("ALSA device '%s' cannot be opened: %s", name, snd_strerror(err));
        d->pcm = NULL;
        goto fail;
    }

    snd_pcm_hw_params_t *hw;
    snd_pcm_hw_params_alloca(&hw);
    if ((err = snd_pcm_hw_params_any(d->pcm, hw)) < 0) {
        WHY("ALSA device '%s' gives no configuration: %s", name, snd_strerror(err));
        goto fail;
    }
    if ((err = snd_pcm_hw_params_set_access(d->pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED)) < 0) {
        WHY("ALSA device '%s' does not take interleaved writes: %s", name, snd_strerror(err));
        goto fail;
    }
    int found = -1;
    for (int i = 0; i < req->n_prefer && found < 0; i++)
        if (snd_pcm_hw_params_test_format(d->pcm, hw, alsa_format(req->prefer[i])) == 0)
            found = i;
    if (found < 0 && req->n_prefer == 1) {
        WHY("ALSA device '%s' does not take %s", name, hph_dev_format_name(req->prefer[0]));
        err = -EINVAL;
        goto fail;
    }
    if (found < 0) {
        WHY("ALSA device '%s' takes none of S16_LE, S24_3LE, S24_LE, S32_LE, FLOAT_LE", name);
        err = -EINVAL;
        goto fail;
    }
    d->info.format = req->prefer[found];
    snd_pcm_hw_params_set_format(d->pcm, hw, alsa_format(d->info.format));
    if ((err = snd_pcm_hw_params_set_channels(d->pcm, hw, req->channels)) < 0) {
        WHY("ALSA device '%s' cannot play %u channels: %s", name, req->channels, snd_strerror(err));
        goto fail;
    }
    snd_pcm_hw_params_set_rate_resample(d->pcm, hw, 0); /* the chain resamples, better */
    unsigned rate = req->rate_hz;
    if ((err = snd_pcm_hw_params_set_rate_near(d->pcm, hw, &rate, NULL)) < 0) {
        WHY("ALSA device '%s' refuses %u Hz: %s", name, req->rate_hz, snd_strerror(err));
        goto fail;
    }
    if (rate < HPA_RATE_MIN_HZ || rate > HPA_RATE_MAX_HZ) {
        WHY("ALSA device '%s' offers %u Hz, outside 8000..768000 Hz", name, rate);
        err = -EINVAL;
        goto fail;
    }
    snd_pcm_uframes_t period = req->period_frames;
    snd_pcm_hw_params_set_period_size_near(d->pcm, hw, &period, NULL);
    snd_pcm_uframes_t buffer = period * 4;
    snd_pcm_hw_params_set_buffer_size_near(d->pcm, hw, &buffer);
    if ((err = snd_pcm_hw_params(d->pcm, hw)) < 0) {
        WHY("ALSA device '%s' refuses the configuration: %s", name, snd_strerror(err));
        goto fail;
    }
    snd_pcm_hw_params_get_period_size(hw, &period, NULL);
    snd_pcm_hw_params_get_buffer_size(hw, &buffer);
    if (period < 1 || period > 65536) {
        WHY("ALSA device '%s' chose an unusable period of %lu frames", name, (unsigned long)period);
        err = -EINVAL;
        goto fail;
    }

    snd_pcm_sw_params_t *sw;
    snd_pcm_sw_params_alloca(&sw);
    snd_pcm_sw_params_current(d->pcm, sw);
    snd_pcm_sw_params_set_start_threshold(d->pcm, sw, buffer - period > 0 ? buffer - period : buffer);
    snd_pcm_sw_params_set_avail_min(d->pcm, sw, period);
    if ((err = snd_pcm_sw_params(d->pcm, sw)) < 0) {
        WHY("ALSA device '%s' refuses its start settings: %s", name, snd_strerror(err));
        goto fail;
    }
    if ((err = snd_pcm_prepare(d->pcm)) < 0) {
        WHY("ALSA device '%s' cannot be prepared: %s", name, snd_strerror(err));
        goto fail;
    }

    d->info.rate_hz = rate;
    d->info.channels = req->channels;
    d->info.chain_format = hph_dev_format_chain(d->info.format);
    d->info.period_frames = (uint32_t)period;
    d->info.buffer_frames = (uint32_t)buffer;
    d->info.max_render_frames = (uint32_t)period;
    d->buf = malloc((size_t)period * req->channels * 4);
    if (!d->buf) {
        WHY("out of memory");
        err = -ENOMEM;
        goto fail;
    }
    *info = d->info;
    *out = &d->base;
    return 0;

fail:
    if (d->pcm)
        snd_pcm_close(d->pcm);
    free(d);
    snd_config_update_free_global();
    return err < 0 ? err : -EIO;
}
