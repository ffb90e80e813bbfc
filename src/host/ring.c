/* ring.c — the SPSC byte ring (see ring.h). */
#include <stdlib.h>
#include <string.h>

#include <hpamp/host/ring.h>

int hph_ring_init(hph_ring *r, size_t min_bytes)
{
    size_t size = 64;
    while (size < min_bytes)
        size <<= 1;
    r->buf = malloc(size);
    if (!r->buf)
        return -1;
    r->size = size;
    r->mask = size - 1;
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    return 0;
}

void hph_ring_free(hph_ring *r)
{
    free(r->buf);
    r->buf = NULL;
}

size_t hph_ring_readable(hph_ring *r)
{
    uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    return (size_t)(head - tail);
}

size_t hph_ring_writable(hph_ring *r)
{
    uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
    uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    return r->size - (size_t)(head - tail);
}

size_t hph_ring_write(hph_ring *r, const void *src, size_t n)
{
    uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire); /* the reader is done with those */
    uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    size_t room = r->size - (size_t)(head - tail);
    if (n > room)
        n = room;
    size_t at = (size_t)head & r->mask, first = r->size - at;
    if (first > n)
        first = n;
    memcpy(r->buf + at, src, first);
    memcpy(r->buf, (const unsigned char *)src + first, n - first);
    atomic_store_explicit(&r->head, head + n, memory_order_release);
    return n;
}

static size_t copy_out(hph_ring *r, void *dst, size_t n, uint64_t *tail_out)
{
    uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire); /* the bytes are there */
    uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t have = (size_t)(head - tail);
    if (n > have)
        n = have;
    if (dst) {
        size_t at = (size_t)tail & r->mask, first = r->size - at;
        if (first > n)
            first = n;
        memcpy(dst, r->buf + at, first);
        memcpy((unsigned char *)dst + first, r->buf, n - first);
    }
    *tail_out = tail;
    return n;
}

size_t hph_ring_read(hph_ring *r, void *dst, size_t n)
{
    uint64_t tail;
    n = copy_out(r, dst, n, &tail);
    atomic_store_explicit(&r->tail, tail + n, memory_order_release);
    return n;
}

size_t hph_ring_peek(hph_ring *r, void *dst, size_t n)
{
    uint64_t tail;
    return copy_out(r, dst, n, &tail);
}

size_t hph_ring_skip(hph_ring *r, size_t n)
{
    return hph_ring_read(r, NULL, n);
}

int hph_ring_push_ptr(hph_ring *r, void *p)
{
    if (hph_ring_writable(r) < sizeof p)
        return -1;
    hph_ring_write(r, &p, sizeof p);
    return 0;
}

void *hph_ring_pop_ptr(hph_ring *r)
{
    void *p = NULL;
    if (hph_ring_readable(r) < sizeof p)
        return NULL;
    hph_ring_read(r, &p, sizeof p);
    return p;
}

void *hph_ring_peek_ptr(hph_ring *r)
{
    void *p = NULL;
    if (hph_ring_readable(r) < sizeof p)
        return NULL;
    hph_ring_peek(r, &p, sizeof p);
    return p;
}
