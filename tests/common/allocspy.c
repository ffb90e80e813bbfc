/* allocspy.c — the one allocation spy of the test suite (allocspy.h). */
#include "allocspy.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

static _Thread_local int t_depth;
static _Thread_local const char *t_where;
static _Thread_local unsigned long t_calls;
static _Thread_local const char *t_last_where;
static atomic_ulong g_calls, g_sections, g_interposed;
static const char *_Atomic g_first_where;
static const char *_Atomic g_first_function;

void hpt_spy_begin(const char *where)
{
    if (t_depth++ == 0) {
        t_where = where ? where : "?";
        atomic_fetch_add_explicit(&g_sections, 1, memory_order_relaxed);
    }
}

void hpt_spy_end(void)
{
    if (t_depth > 0)
        t_depth--;
}

void hpt_spy_note(const char *function)
{
    if (t_depth <= 0)
        return;
    const char *expected = NULL;
    t_calls++;
    t_last_where = t_where;
    atomic_fetch_add_explicit(&g_calls, 1, memory_order_relaxed);
    if (atomic_compare_exchange_strong(&g_first_where, &expected, t_where))
        atomic_store(&g_first_function, function);
}

unsigned long hpt_spy_thread_calls(void)
{
    return t_calls;
}

const char *hpt_spy_thread_last_where(void)
{
    return t_last_where ? t_last_where : "-";
}

void hpt_spy_thread_reset(void)
{
    t_calls = 0;
    t_last_where = NULL;
}

unsigned long hpt_spy_calls(void)
{
    return atomic_load(&g_calls);
}

unsigned long hpt_spy_sections(void)
{
    return atomic_load(&g_sections);
}

const char *hpt_spy_first_where(void)
{
    return atomic_load(&g_first_where);
}

const char *hpt_spy_first_function(void)
{
    return atomic_load(&g_first_function);
}

void hpt_spy_reset(void)
{
    atomic_store(&g_calls, 0);
    atomic_store(&g_sections, 0);
    atomic_store(&g_first_where, NULL);
    atomic_store(&g_first_function, NULL);
}

unsigned long hpt_spy_interposed(void)
{
    return atomic_load(&g_interposed);
}

#if HPT_SPY

/* glibc's own allocator entry points, under the interposed malloc family:
 * the names are reserved because they are the implementation's. */
/* NOLINTBEGIN(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void __libc_free(void *ptr);
extern void *__libc_memalign(size_t alignment, size_t size);
/* NOLINTEND(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */

static inline void seen(const char *function)
{
    atomic_fetch_add_explicit(&g_interposed, 1, memory_order_relaxed);
    hpt_spy_note(function);
}

void *hpt_spy_raw_malloc(size_t size)
{
    return __libc_malloc(size);
}

void hpt_spy_raw_free(void *ptr)
{
    __libc_free(ptr);
}

void *malloc(size_t size)
{
    seen("malloc");
    return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
    seen("calloc");
    return __libc_calloc(n, size);
}

void *realloc(void *ptr, size_t size)
{
    seen("realloc");
    return __libc_realloc(ptr, size);
}

void free(void *ptr)
{
    if (ptr)
        seen("free");
    __libc_free(ptr);
}

int posix_memalign(void **out, size_t alignment, size_t size)
{
    seen("posix_memalign");
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)))
        return EINVAL;
    void *p = __libc_memalign(alignment, size);
    if (!p && size)
        return ENOMEM;
    *out = p;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size)
{
    seen("aligned_alloc");
    return __libc_memalign(alignment, size);
}

void *memalign(size_t alignment, size_t size);
void *memalign(size_t alignment, size_t size)
{
    seen("memalign");
    return __libc_memalign(alignment, size);
}

void *valloc(size_t size)
{
    seen("valloc");
    return __libc_memalign((size_t)sysconf(_SC_PAGESIZE), size);
}

void *pvalloc(size_t size);
void *pvalloc(size_t size)
{
    seen("pvalloc");
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return __libc_memalign(page, (size + page - 1) & ~(page - 1));
}

#else

void *hpt_spy_raw_malloc(size_t size)
{
    return malloc(size);
}

void hpt_spy_raw_free(void *ptr)
{
    free(ptr);
}

#endif
