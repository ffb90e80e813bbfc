/* device.h — audio output devices: ALSA (libasound) and PipeWire (a native
 * pw_stream), behind one pull interface.
 *
 * The backend owns the audio thread.  It calls the render callback whenever
 * the device wants audio; the callback fills a buffer in the chain's output
 * format (hph_device_info.chain_format) and the backend converts at the edge
 * where the device's format differs in packing only (S24_3LE).  The callback
 * runs on the audio thread and must not allocate, lock or block.
 *
 * Open:   hph_device_open     [non-RT] negotiates rate, format, channels, period
 * Run:    hph_device_start    [non-RT] starts the audio thread (or stream)
 * Watch:  hph_device_poll     [any]    xruns, failure, end of stream
 * Stop:   hph_device_stop     [non-RT] stops and joins; hph_device_close frees */
#ifndef HPAMP_HOST_DEVICE_H
#define HPAMP_HOST_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include <hpamp/chain.h>

/* What the device itself takes, named as ALSA names it. */
typedef enum hph_dev_format {
    HPH_DEV_S16 = 0, /* S16_LE */
    HPH_DEV_S24_3LE, /* 24 bits packed in 3 bytes */
    HPH_DEV_S24,     /* S24_LE: 24 bits in the low bits of 4 bytes */
    HPH_DEV_S32,     /* S32_LE */
    HPH_DEV_F32,     /* FLOAT_LE */
    HPH_DEV_FORMAT_COUNT
} hph_dev_format;

/* [RT] Fill up to `frames` frames of buf (chain format, interleaved).
 * Returns the frames written; fewer than asked (even 0) when the decoder is
 * late.  Sets *ended once every frame of the stream has been rendered. */
typedef size_t (*hph_render_fn)(void *user, void *buf, size_t frames, int *ended);

typedef enum hph_backend { HPH_BACKEND_AUTO = 0, HPH_BACKEND_ALSA, HPH_BACKEND_PIPEWIRE } hph_backend;

typedef struct hph_device_request {
    hph_backend backend;
    const char *name; /* ALSA PCM name, or a PipeWire target; NULL or "": the default */
    uint32_t rate_hz; /* the rate asked for; the device may give another */
    uint32_t channels;
    hph_dev_format prefer[HPH_DEV_FORMAT_COUNT]; /* formats in order of preference */
    int n_prefer;
    uint32_t period_frames; /* 64 .. 8192 */
    hph_render_fn render;
    void *user;
    const char *app_name; /* shown by PipeWire */
} hph_device_request;

typedef struct hph_device_info {
    hph_backend backend;
    char name[128]; /* the device as opened */
    uint32_t rate_hz;
    uint32_t channels;
    hph_dev_format format;
    hpa_format chain_format;    /* what render must produce */
    uint32_t period_frames;     /* frames per callback (PipeWire: the quantum asked for) */
    uint32_t buffer_frames;     /* ALSA's buffer; PipeWire: 0 */
    uint32_t max_render_frames; /* the most frames one render call is asked for */
} hph_device_info;

typedef struct hph_device_status {
    uint64_t xruns;     /* device underruns (recovered) */
    uint64_t callbacks; /* render calls so far */
    int failed;         /* the device failed: playback has stopped */
    int finished;       /* the stream ended and was drained */
    char message[256];  /* why it failed */
} hph_device_status;

typedef struct hph_device hph_device;

/* [non-RT] Open a device.  On failure returns a negative errno-like code and
 * writes one line (no trailing newline) to why. */
int hph_device_open(const hph_device_request *req, hph_device **out, hph_device_info *info, char *why, size_t why_len);
int hph_device_start(hph_device *d);
void hph_device_poll(hph_device *d, hph_device_status *st);
void hph_device_stop(hph_device *d);
void hph_device_close(hph_device *d);

/* [non-RT] 1 when a PipeWire server answers (used to choose the backend). */
int hph_pipewire_available(void);

/* Names for messages and JSON. */
const char *hph_backend_name(hph_backend b);
const char *hph_dev_format_name(hph_dev_format f);
/* The format named s (an ALSA name as hph_dev_format_name gives, any case);
 * -1 for a name it does not know. */
int hph_dev_format_parse(const char *s, hph_dev_format *f);
size_t hph_dev_format_bytes(hph_dev_format f);
hpa_format hph_dev_format_chain(hph_dev_format f);

/* [RT] Pack chain-format S24 (int32, low 24 bits) to S24_3LE, in place. */
void hph_pack_s24_3le(void *buf, size_t samples);

#endif
