/* fuzz_common.h — what the fuzz targets in tests/fuzz share: a broken
 * invariant prints the condition, where it is, and the input (escaped,
 * the first 2 KiB), then aborts, which libFuzzer and the corpus driver
 * (driver.c) both report as a failure. */
#ifndef HPA_FUZZ_COMMON_H
#define HPA_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static const uint8_t *fuzz_data_;
static size_t fuzz_size_;

/* the input being tried, for the message of a broken invariant */
static inline void fuzz_input(const uint8_t *data, size_t size)
{
    fuzz_data_ = data;
    fuzz_size_ = size;
}

__attribute__((noreturn)) static inline void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: invariant broken: %s\ninput (%zu bytes): \"", file, line, what, fuzz_size_);
    for (size_t i = 0; i < fuzz_size_ && i < 2048; i++) {
        unsigned c = fuzz_data_[i];
        if (c == '\n')
            fputs("\\n", stderr);
        else if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            fputc((int)c, stderr);
        else
            fprintf(stderr, "\\x%02x", c);
    }
    fputs(fuzz_size_ > 2048 ? "\"...\n" : "\"\n", stderr);
    abort();
}

#define FUZZ_CHECK(cond)                                                                                               \
    do {                                                                                                               \
        if (!(cond))                                                                                                   \
            fuzz_fail(__FILE__, __LINE__, #cond);                                                                      \
    } while (0)

#endif
