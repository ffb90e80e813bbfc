/* writer.c — a single-producer, single-consumer queue of output buffers and
 * the thread that writes them in order. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include <hpamp/host/writer.h>

struct hph_writer {
    hph_audiofile *file;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int slots;
    void **buf;
    size_t *frames;
    int head, count; /* queued slots start at head */
    int filling;     /* slot handed to the producer, -1 if none */
    int done;        /* producer has finished */
    int failed;      /* a write failed: errno in err */
    int err;
};

static void *run(void *arg)
{
    hph_writer *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->count && !w->done)
            pthread_cond_wait(&w->changed, &w->lock);
        if (!w->count)
            break;
        int slot = w->head;
        pthread_mutex_unlock(&w->lock);
        int rc = w->failed ? 0 : hph_audio_write(w->file, w->buf[slot], w->frames[slot]);
        int e = errno;
        pthread_mutex_lock(&w->lock);
        if (rc && !w->failed) {
            w->failed = 1;
            w->err = e;
        }
        w->head = (w->head + 1) % w->slots;
        w->count--;
        pthread_cond_broadcast(&w->changed);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

static void release(hph_writer *w)
{
    if (w->buf)
        for (int i = 0; i < w->slots; i++)
            free(w->buf[i]);
    free(w->buf);
    free(w->frames);
    free(w);
}

hph_writer *hph_writer_start(hph_audiofile *f, size_t slot_bytes, int slots)
{
    hph_writer *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->file = f;
    w->slots = slots;
    w->filling = -1;
    w->buf = calloc((size_t)slots, sizeof *w->buf);
    w->frames = calloc((size_t)slots, sizeof *w->frames);
    int ok = w->buf && w->frames;
    for (int i = 0; ok && i < slots; i++)
        ok = (w->buf[i] = malloc(slot_bytes)) != NULL;
    if (!ok) {
        release(w);
        return NULL;
    }
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->changed, NULL);
    if (pthread_create(&w->thread, NULL, run, w)) {
        pthread_cond_destroy(&w->changed);
        pthread_mutex_destroy(&w->lock);
        release(w);
        return NULL;
    }
    return w;
}

void *hph_writer_buffer(hph_writer *w)
{
    pthread_mutex_lock(&w->lock);
    while (w->count == w->slots && !w->failed)
        pthread_cond_wait(&w->changed, &w->lock);
    void *p = NULL;
    if (!w->failed) {
        w->filling = (w->head + w->count) % w->slots;
        p = w->buf[w->filling];
    }
    pthread_mutex_unlock(&w->lock);
    return p;
}

void hph_writer_submit(hph_writer *w, size_t frames)
{
    pthread_mutex_lock(&w->lock);
    if (w->filling >= 0) {
        w->frames[w->filling] = frames;
        w->filling = -1;
        w->count++;
        pthread_cond_broadcast(&w->changed);
    }
    pthread_mutex_unlock(&w->lock);
}

int hph_writer_finish(hph_writer *w)
{
    pthread_mutex_lock(&w->lock);
    w->done = 1;
    pthread_cond_broadcast(&w->changed);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    int failed = w->failed, err = w->err;
    pthread_cond_destroy(&w->changed);
    pthread_mutex_destroy(&w->lock);
    release(w);
    errno = err;
    return failed ? -1 : 0;
}
