/* hpamp.h — libhpamp: a headphone amplifier and DAC in software.
 *
 * Version, error codes and the export macro.  Include <hpamp/chain.h> for the
 * streaming chain; this header is included by every other public header.
 *
 * Thread classes used in every function comment:
 *   [non-RT] may allocate, lock or block: create, configure, destroy;
 *   [RT]     safe on the audio thread: never allocates, locks or blocks;
 *   [any]    safe from any thread at any time.
 */
#ifndef HPAMP_HPAMP_H
#define HPAMP_HPAMP_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(HPA_BUILDING_LIBRARY) && defined(__GNUC__)
#define HPA_API __attribute__((visibility("default")))
#else
#define HPA_API
#endif

#define HPA_VERSION_MAJOR 0
#define HPA_VERSION_MINOR 1
#define HPA_VERSION_PATCH 0
#define HPA_VERSION_STRING "0.1.0"

/* Every function that can fail returns 0 (HPA_OK) or one of these negative codes. */
typedef enum hpa_error {
    HPA_OK = 0,
    HPA_ERR_INVALID_ARG = -1,      /* a NULL pointer or a value out of its range */
    HPA_ERR_NO_MEMORY = -2,        /* the allocator returned NULL */
    HPA_ERR_RATE = -3,             /* a sample rate outside 8 kHz .. 768 kHz */
    HPA_ERR_CHANNELS = -4,         /* a channel count outside 1 .. 8 (chain, EQ) or 1 .. 64 (meter) */
    HPA_ERR_FORMAT = -5,           /* an unknown sample format */
    HPA_ERR_BLOCK_TOO_LARGE = -6,  /* more input frames than max_block_frames */
    HPA_ERR_BUFFER_TOO_SMALL = -7, /* the output buffer cannot hold the result */
    HPA_ERR_RESAMPLER = -8,        /* the resampler (libsoxr) failed */
    HPA_ERR_UNKNOWN_PARAM = -9,    /* no parameter with that id or symbol */
    HPA_ERR_OVERLAP = -10,         /* input and output buffers overlap */
    HPA_ERR_STATE = -11,           /* the call is not allowed now (e.g. process after drain) */
    HPA_ERR_UNSUPPORTED = -12      /* a valid combination this build cannot do (see hpa_chain_config_check) */
} hpa_error;

/* An optional allocator for the objects that take one (chain, EQ): every
 * allocation they make themselves goes through it.  NULL: malloc/free. */
typedef struct hpa_allocator {
    void *(*alloc)(void *user, size_t size); /* returns NULL on failure; alignment as malloc */
    void (*free)(void *user, void *ptr);
    void *user;
} hpa_allocator;

/* [any] A static English description of an error code; never NULL. */
HPA_API const char *hpa_strerror(int err);

/* [any] The library's version as "MAJOR.MINOR.PATCH". */
HPA_API const char *hpa_version_string(void);

/* text with control characters escaped (\n, \t, \xNN, \u0080..), invalid
 * UTF-8 bytes as \xNN, cut to fit len: user text made safe for a one-line
 * message.  Returns out. */
HPA_API char *hpa_escape_text(char *out, size_t len, const char *text);

/* text as a finite number in min..max, the whole text: 0, or -1. */
HPA_API int hpa_parse_double(const char *text, double min, double max, double *out);

/* [any] The library's version as MAJOR*10000 + MINOR*100 + PATCH. */
HPA_API int hpa_version(void);

#ifdef __cplusplus
}
#endif

#endif
