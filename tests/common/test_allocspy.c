/* test_allocspy.c — the allocation spy counts what it must and nothing else:
 * a malloc/free pair inside a watched section counts 2, the same outside
 * counts 0; sections nest; each thread counts its own calls; allocations made
 * inside another shared library (libsndfile) and inside libc itself (fopen)
 * are seen.  Without the spy (a sanitizer owns malloc) it skips. */
#include "allocspy.h"

#include <pthread.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond, ...)                                                                                               \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            failures++;                                                                                                \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                                                \
            printf(__VA_ARGS__);                                                                                       \
            printf("\n");                                                                                              \
        }                                                                                                              \
    } while (0)

/* through volatile pointers, so the compiler cannot drop the pairs */
static void *(*volatile m)(size_t) = malloc;
static void (*volatile f)(void *) = free;

static void *other_thread(void *arg)
{
    unsigned long *calls = arg;
    hpt_spy_thread_reset();
    void *p = m(16); /* not watched */
    f(p);
    HPT_SPY_COUNTED("other", p = m(16));
    calls[0] = hpt_spy_thread_calls();
    f(p);
    return NULL;
}

int main(void)
{
    if (!HPT_SPY) {
        printf("test_allocspy: skipped: the sanitizer runtime owns malloc (or no glibc)\n");
        return 77;
    }
    hpt_spy_reset();
    hpt_spy_thread_reset();

    /* outside a section: seen by the interposer, not counted */
    unsigned long before = hpt_spy_interposed();
    void *p = m(32);
    f(p);
    CHECK(hpt_spy_interposed() >= before + 2, "the interposer saw %lu calls, want >= 2", hpt_spy_interposed() - before);
    CHECK(hpt_spy_calls() == 0 && hpt_spy_thread_calls() == 0, "unwatched calls counted: %lu", hpt_spy_calls());

    /* inside: a pair counts 2, names the section and the first function */
    HPT_SPY_COUNTED("pair", p = m(32));
    HPT_SPY_COUNTED("pair", f(p));
    CHECK(hpt_spy_thread_calls() == 2, "a watched pair counted %lu, want 2", hpt_spy_thread_calls());
    CHECK(hpt_spy_calls() == 2, "all threads: %lu, want 2", hpt_spy_calls());
    CHECK(hpt_spy_first_where() && !strcmp(hpt_spy_first_where(), "pair"), "first where %s",
          hpt_spy_first_where() ? hpt_spy_first_where() : "(none)");
    CHECK(hpt_spy_first_function() && !strcmp(hpt_spy_first_function(), "malloc"), "first function %s",
          hpt_spy_first_function() ? hpt_spy_first_function() : "(none)");
    CHECK(!strcmp(hpt_spy_thread_last_where(), "pair"), "last where %s", hpt_spy_thread_last_where());
    CHECK(hpt_spy_sections() == 2, "sections %lu, want 2", hpt_spy_sections());

    /* nesting: the inner end leaves the outer section watching */
    hpt_spy_reset();
    hpt_spy_thread_reset();
    hpt_spy_begin("outer");
    hpt_spy_begin("inner");
    hpt_spy_end();
    p = m(8);
    hpt_spy_end();
    f(p);
    CHECK(hpt_spy_thread_calls() == 1, "after an inner end: %lu, want 1", hpt_spy_thread_calls());
    CHECK(!strcmp(hpt_spy_thread_last_where(), "outer"), "nested section named %s", hpt_spy_thread_last_where());

    /* another thread counts its own; this thread's count does not move */
    hpt_spy_reset();
    hpt_spy_thread_reset();
    unsigned long theirs[1] = {0};
    pthread_t th;
    CHECK(pthread_create(&th, NULL, other_thread, theirs) == 0, "pthread_create");
    pthread_join(th, NULL);
    CHECK(theirs[0] == 1, "the other thread counted %lu, want 1", theirs[0]);
    CHECK(hpt_spy_thread_calls() == 0, "this thread counted %lu of the other's", hpt_spy_thread_calls());
    CHECK(hpt_spy_calls() == 1, "all threads %lu, want 1", hpt_spy_calls());

    /* allocations inside libc (fopen's FILE) and another library (libsndfile's handle) */
    hpt_spy_thread_reset();
    FILE *fp = NULL;
    HPT_SPY_COUNTED("fopen", fp = fopen("/dev/null", "r"));
    CHECK(hpt_spy_thread_calls() >= 1, "fopen's allocation not seen");
    if (fp)
        fclose(fp);
    hpt_spy_thread_reset();
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *sf = NULL;
    HPT_SPY_COUNTED("sf_open", sf = sf_open("/nonexistent/allocspy.wav", SFM_READ, &info));
    CHECK(hpt_spy_thread_calls() >= 1, "libsndfile's allocation not seen");
    if (sf)
        sf_close(sf);

    /* the raw allocator bypasses the spy */
    hpt_spy_thread_reset();
    HPT_SPY_COUNTED("raw", hpt_spy_raw_free(hpt_spy_raw_malloc(8)));
    CHECK(hpt_spy_thread_calls() == 0, "the raw allocator was counted: %lu", hpt_spy_thread_calls());

    printf("test_allocspy: %s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
