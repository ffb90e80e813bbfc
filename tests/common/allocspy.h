/* allocspy.h — the one allocation spy of the test suite.
 *
 * allocspy.c replaces malloc, calloc, realloc, free, posix_memalign,
 * aligned_alloc, memalign, valloc and pvalloc in whatever it is linked into
 * (a test executable, or the LD_PRELOAD library tests/play/rtcheck.so) and
 * forwards each call to glibc's own __libc_* entry points.  A call counts
 * when the calling thread is inside a watched section (hpt_spy_begin ...
 * hpt_spy_end; sections nest).  Other interposers (locks, sleeps, I/O in
 * rtcheck.c) count through hpt_spy_note.
 *
 * The spy exists only with glibc and without a sanitizer whose runtime owns
 * malloc: then HPT_SPY is 1.  Otherwise every function below is still there
 * but counts nothing, and tests skip (exit 77) when !HPT_SPY.
 *
 * Compile allocspy.c into the target itself (not a static library that the
 * linker may leave out), with -fno-builtin so the compiler cannot fold or
 * drop the allocator calls under test. */
#ifndef HPT_ALLOCSPY_H
#define HPT_ALLOCSPY_H

#include <stddef.h>
#include <stdlib.h> /* defines __GLIBC__ */

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HPT_UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define HPT_UNDER_SANITIZER 1
#endif
#endif

#if defined(__GLIBC__) && !defined(HPT_UNDER_SANITIZER)
#define HPT_SPY 1
#else
#define HPT_SPY 0
#endif

/* Watch this thread's calls from here, naming the code under test. */
void hpt_spy_begin(const char *where);
/* End the innermost watched section of this thread. */
void hpt_spy_end(void);
/* Count a call to function (a name with static storage) if this thread is watched. */
void hpt_spy_note(const char *function);

/* This thread's counted calls since its last hpt_spy_thread_reset, and the
 * section that made the latest one. */
unsigned long hpt_spy_thread_calls(void);
const char *hpt_spy_thread_last_where(void);
void hpt_spy_thread_reset(void);

/* All threads since the last hpt_spy_reset: counted calls, watched sections
 * entered, and the first offender (its section and the function it called;
 * NULL when none). */
unsigned long hpt_spy_calls(void);
unsigned long hpt_spy_sections(void);
const char *hpt_spy_first_where(void);
const char *hpt_spy_first_function(void);
void hpt_spy_reset(void);

/* Every allocator call that reached the spy, watched or not: proves the
 * interposition took. */
unsigned long hpt_spy_interposed(void);

/* glibc's allocator without the spy, for a test's own bookkeeping. */
void *hpt_spy_raw_malloc(size_t size);
void hpt_spy_raw_free(void *ptr);

/* Run expr inside a watched section named label. */
#define HPT_SPY_COUNTED(label, expr)                                                                                   \
    do {                                                                                                               \
        hpt_spy_begin(label);                                                                                          \
        expr;                                                                                                          \
        hpt_spy_end();                                                                                                 \
    } while (0)

#endif
