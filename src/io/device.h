/* device.h — audio output devices: ALSA (libasound) and PipeWire (a native
 * pw_stream), behind one pull interface.
 *
 * The backend owns the audio thread.  It calls the render callback whenever
 * the device wants audio; the callback fills a buffer in the chain's output
 * format (hpa_device_info.chain_format) and the backend converts at the edge
 * where the device's format differs in packing only (S24_3LE).  The callback
 * runs on the audio thread and must not allocate, lock or block.
 *
 * Open:   hpa_device_open     [non-RT] negotiates rate, format, channels, period
 * Run:    hpa_device_start    [non-RT] starts the audio thread (or stream)
 * Watch:  hpa_device_poll     [any]    xruns, failure, end of stream
 * Stop:   hpa_device_stop     [non-RT] stops and joins; hpa_device_close frees */
#ifndef HPA_IO_DEVICE_H
#define HPA_IO_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include <hpamp/chain.h>

/* What the device itself takes, named as ALSA names it. */
typedef enum hpa_dev_format {
    HPA_DEV_S16 = 0, /* S16_LE */
    HPA_DEV_S24_3LE, /* 24 bits packed in 3 bytes */
    HPA_DEV_S24,     /* S24_LE: 24 bits in the low bits of 4 bytes */
    HPA_DEV_S32,     /* S32_LE */
    HPA_DEV_F32,     /* FLOAT_LE */
    HPA_DEV_FORMAT_COUNT
} hpa_dev_format;

/* [RT] Fill up to `frames` frames of buf (chain format, interleaved).
 * Returns the frames written; fewer than asked (even 0) when the decoder is
 * late.  Sets *ended once every frame of the stream has been rendered. */
typedef size_t (*hpa_render_fn)(void *user, void *buf, size_t frames, int *ended);

typedef enum hpa_backend { HPA_BACKEND_AUTO = 0, HPA_BACKEND_ALSA, HPA_BACKEND_PIPEWIRE } hpa_backend;

typedef struct hpa_device_request {
    hpa_backend backend;
    const char *name; /* ALSA PCM name, or a PipeWire target; NULL or "": the default */
    uint32_t rate_hz; /* the rate asked for; the device may give another */
    uint32_t channels;
    hpa_dev_format prefer[HPA_DEV_FORMAT_COUNT]; /* formats in order of preference */
    int n_prefer;
    uint32_t period_frames; /* 64 .. 8192 */
    hpa_render_fn render;
    void *user;
    const char *app_name; /* shown by PipeWire */
} hpa_device_request;

typedef struct hpa_device_info {
    hpa_backend backend;
    char name[128]; /* the device as opened */
    uint32_t rate_hz;
    uint32_t channels;
    hpa_dev_format format;
    hpa_format chain_format;    /* what render must produce */
    uint32_t period_frames;     /* frames per callback (PipeWire: the quantum asked for) */
    uint32_t buffer_frames;     /* ALSA's buffer; PipeWire: 0 */
    uint32_t max_render_frames; /* the most frames one render call is asked for */
} hpa_device_info;

typedef struct hpa_device_status {
    uint64_t xruns;     /* device underruns (recovered) */
    uint64_t callbacks; /* render calls so far */
    int failed;         /* the device failed: playback has stopped */
    int finished;       /* the stream ended and was drained */
    char message[256];  /* why it failed */
} hpa_device_status;

typedef struct hpa_device hpa_device;

/* [non-RT] Open a device.  On failure returns a negative errno-like code and
 * writes one line (no trailing newline) to why. */
int hpa_device_open(const hpa_device_request *req, hpa_device **out, hpa_device_info *info, char *why, size_t why_len);
int hpa_device_start(hpa_device *d);
void hpa_device_poll(hpa_device *d, hpa_device_status *st);
void hpa_device_stop(hpa_device *d);
void hpa_device_close(hpa_device *d);

/* [non-RT] 1 when a PipeWire server answers (used to choose the backend). */
int hpa_pipewire_available(void);

/* Names for messages and JSON. */
const char *hpa_backend_name(hpa_backend b);
const char *hpa_dev_format_name(hpa_dev_format f);
/* The format named s (an ALSA name as hpa_dev_format_name gives, any case);
 * -1 for a name it does not know. */
int hpa_dev_format_parse(const char *s, hpa_dev_format *f);
size_t hpa_dev_format_bytes(hpa_dev_format f);
hpa_format hpa_dev_format_chain(hpa_dev_format f);

/* [RT] Pack chain-format S24 (int32, low 24 bits) to S24_3LE, in place. */
void hpa_pack_s24_3le(void *buf, size_t samples);

/* Backend entry points (alsa.c, pipewire.c), through hpa_device_open. */
typedef struct hpa_device_ops {
    int (*start)(hpa_device *d);
    void (*poll)(hpa_device *d, hpa_device_status *st);
    void (*stop)(hpa_device *d);
    void (*close)(hpa_device *d);
} hpa_device_ops;

struct hpa_device {
    const hpa_device_ops *ops;
};

int hpa_alsa_open(const hpa_device_request *req, hpa_device **out, hpa_device_info *info, char *why, size_t why_len);
int hpa_pipewire_open(const hpa_device_request *req, hpa_device **out, hpa_device_info *info, char *why,
                      size_t why_len);

#endif
