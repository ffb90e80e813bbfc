/* ring.h — a lock-free single-producer/single-consumer byte ring.
 *
 * One thread writes, one other thread reads; neither ever waits for the
 * other.  The two positions are free-running 64-bit counters (they never
 * wrap in practice) published with release stores and read with acquire
 * loads, so the bytes a writer copied in are visible to the reader before the
 * position that announces them.  The capacity is a power of two.
 *
 * Thread classes: hph_ring_init / hph_ring_free are [non-RT] (they allocate);
 * every other call is [RT]: no allocation, no lock, no system call.  The
 * read side (read, peek, skip, readable) belongs to the consumer thread, the
 * write side (write, writable) to the producer thread. */
#ifndef HPAMP_HOST_RING_H
#define HPAMP_HOST_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#if ATOMIC_LLONG_LOCK_FREE != 2
#error "the ring needs lock-free 64-bit atomics"
#endif

typedef struct hph_ring { /* NOLINT(clang-analyzer-optin.performance.Padding): head, tail on own cache lines */
    unsigned char *buf;
    size_t size; /* a power of two */
    size_t mask;
    _Alignas(64) _Atomic uint64_t head; /* bytes ever written: the producer's */
    _Alignas(64) _Atomic uint64_t tail; /* bytes ever read: the consumer's */
} hph_ring;

/* [non-RT] Allocate a ring of at least min_bytes (rounded up to a power of
 * two).  0 or -1 when out of memory. */
int hph_ring_init(hph_ring *r, size_t min_bytes);

/* [non-RT] Free the buffer; the ring must no longer be used by either side. */
void hph_ring_free(hph_ring *r);

/* [RT] Bytes the consumer can read now. */
size_t hph_ring_readable(hph_ring *r);

/* [RT] Bytes the producer can write now. */
size_t hph_ring_writable(hph_ring *r);

/* [RT] Copy up to n bytes in; returns the bytes written (less when full). */
size_t hph_ring_write(hph_ring *r, const void *src, size_t n);

/* [RT] Copy up to n bytes out; returns the bytes read (less when empty). */
size_t hph_ring_read(hph_ring *r, void *dst, size_t n);

/* [RT] Copy up to n bytes out without consuming them. */
size_t hph_ring_peek(hph_ring *r, void *dst, size_t n);

/* [RT] Drop up to n readable bytes; returns the bytes dropped. */
size_t hph_ring_skip(hph_ring *r, size_t n);

/* Pointers through a ring: a whole pointer or nothing. [RT] */
int hph_ring_push_ptr(hph_ring *r, void *p); /* 0, or -1 when full */
void *hph_ring_pop_ptr(hph_ring *r);         /* NULL when empty */
void *hph_ring_peek_ptr(hph_ring *r);        /* the next pointer without taking it, or NULL */

#endif
