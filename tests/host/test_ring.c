/* test_ring — the SPSC byte ring (ring.h) against a plain model: a queue of
 * bytes with a fixed capacity.  Sizes round up to a power of two; writes,
 * reads, peeks and skips of every length across the wrap give exactly the
 * model's bytes and counts (the smallest ring is 64 bytes); pointers go through whole or not at all; and a
 * producer and a consumer thread moving 64 MiB of a known sequence lose,
 * repeat and reorder nothing. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <hpamp/host/ring.h>

static void sizes(void **state)
{
    (void)state;
    const size_t asks[] = {1, 2, 3, 100, 4096, 4097, 1000000};
    for (size_t i = 0; i < sizeof asks / sizeof asks[0]; i++) {
        hph_ring r;
        assert_int_equal(hph_ring_init(&r, asks[i]), 0);
        assert_true(r.size >= asks[i] && (r.size & (r.size - 1)) == 0);
        assert_true(r.size == 64 || r.size / 2 < asks[i]); /* the smallest power of two that holds it */
        assert_int_equal(hph_ring_writable(&r), r.size);
        assert_int_equal(hph_ring_readable(&r), 0);
        hph_ring_free(&r);
    }
}

/* every operation against the model: q holds the bytes in order */
static void against_model(void **state)
{
    (void)state;
    hph_ring r;
    assert_int_equal(hph_ring_init(&r, 64), 0);
    unsigned char q[64], in[100], out[100];
    size_t qn = 0;
    unsigned next = 0, seed = 12345;
    for (int step = 0; step < 20000; step++) {
        seed = seed * 1103515245u + 12345u;
        const size_t n = (seed >> 16) % 80;
        const int op = (int)((seed >> 8) % 4);
        if (op == 0) {
            for (size_t i = 0; i < n; i++)
                in[i] = (unsigned char)(next + i);
            const size_t want = n < 64 - qn ? n : 64 - qn;
            assert_int_equal(hph_ring_write(&r, in, n), want);
            memcpy(q + qn, in, want);
            qn += want;
            next += (unsigned)want;
        } else {
            const size_t want = n < qn ? n : qn;
            if (op == 3) {
                assert_int_equal(hph_ring_skip(&r, n), want);
            } else {
                memset(out, 0xEE, sizeof out);
                assert_int_equal(op == 1 ? hph_ring_read(&r, out, n) : hph_ring_peek(&r, out, n), want);
                assert_memory_equal(out, q, want);
            }
            if (op != 2) {
                memmove(q, q + want, qn - want);
                qn -= want;
            }
        }
        assert_int_equal(hph_ring_readable(&r), qn);
        assert_int_equal(hph_ring_writable(&r), 64 - qn);
    }
    hph_ring_free(&r);
}

static void pointers(void **state)
{
    (void)state;
    hph_ring r;
    assert_int_equal(hph_ring_init(&r, 4 * sizeof(void *)), 0);
    int cells[8];
    const size_t fit = r.size / sizeof(void *);
    assert_null(hph_ring_pop_ptr(&r));
    for (size_t i = 0; i < fit; i++)
        assert_int_equal(hph_ring_push_ptr(&r, &cells[i]), 0);
    assert_int_equal(hph_ring_push_ptr(&r, &cells[7]), -1); /* full: nothing half-written */
    assert_ptr_equal(hph_ring_peek_ptr(&r), &cells[0]);
    for (size_t i = 0; i < fit; i++)
        assert_ptr_equal(hph_ring_pop_ptr(&r), &cells[i]);
    assert_null(hph_ring_pop_ptr(&r));
    assert_null(hph_ring_peek_ptr(&r));
    hph_ring_free(&r);
}

#define TOTAL (64u << 20)

static void *producer(void *arg)
{
    hph_ring *r = arg;
    uint32_t buf[333];
    uint64_t sent = 0; /* in uint32 units */
    while (sent < TOTAL / 4) {
        size_t n = 0;
        while (n < 333 && sent + n < TOTAL / 4) {
            buf[n] = (uint32_t)((sent + n) * 2654435761u);
            n++;
        }
        size_t done = 0;
        while (done < n * 4)
            done += hph_ring_write(r, (unsigned char *)buf + done, n * 4 - done);
        sent += n;
    }
    return NULL;
}

static void two_threads(void **state)
{
    (void)state;
    hph_ring r;
    assert_int_equal(hph_ring_init(&r, 4096), 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, producer, &r), 0);
    unsigned char buf[1000];
    uint64_t got = 0, bad = 0;
    unsigned char word[4];
    size_t wn = 0;
    while (got < TOTAL) {
        size_t n = hph_ring_read(&r, buf, sizeof buf);
        for (size_t i = 0; i < n; i++) {
            word[wn++] = buf[i];
            if (wn == 4) {
                uint32_t v;
                memcpy(&v, word, 4);
                bad += v != (uint32_t)(((got + i + 1) / 4 - 1) * 2654435761u);
                wn = 0;
            }
        }
        got += n;
    }
    pthread_join(t, NULL);
    assert_int_equal(bad, 0);
    assert_int_equal(hph_ring_readable(&r), 0);
    hph_ring_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sizes),
        cmocka_unit_test(against_model),
        cmocka_unit_test(pointers),
        cmocka_unit_test(two_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
