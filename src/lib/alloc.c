/* alloc.c — malloc and free behind the hpa_allocator interface, for the
 * objects whose config leaves the allocator NULL. */
#include <stdlib.h>

#include "internal.h"

static void *malloc_alloc(void *user, size_t size)
{
    (void)user;
    return malloc(size);
}

static void malloc_free(void *user, void *ptr)
{
    (void)user;
    free(ptr);
}

const hpa_allocator hpa_malloc_allocator = {malloc_alloc, malloc_free, NULL};
