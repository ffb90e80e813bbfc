/* device.c — choose a backend and share the small helpers. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "device.h"

int hpa_device_open(const hpa_device_request *req, hpa_device **out, hpa_device_info *info, char *why, size_t why_len)
{
    *out = NULL;
    memset(info, 0, sizeof *info);
    if (req->backend == HPA_BACKEND_ALSA)
        return hpa_alsa_open(req, out, info, why, why_len);
    if (req->backend == HPA_BACKEND_PIPEWIRE)
        return hpa_pipewire_open(req, out, info, why, why_len);
    /* auto: PipeWire when a server answers, ALSA otherwise */
    if (hpa_pipewire_available())
        return hpa_pipewire_open(req, out, info, why, why_len);
    return hpa_alsa_open(req, out, info, why, why_len);
}

int hpa_device_start(hpa_device *d)
{
    return d->ops->start(d);
}

void hpa_device_poll(hpa_device *d, hpa_device_status *st)
{
    d->ops->poll(d, st);
}

void hpa_device_stop(hpa_device *d)
{
    if (d)
        d->ops->stop(d);
}

void hpa_device_close(hpa_device *d)
{
    if (d)
        d->ops->close(d);
}

const char *hpa_backend_name(hpa_backend b)
{
    switch (b) {
    case HPA_BACKEND_ALSA: return "alsa";
    case HPA_BACKEND_PIPEWIRE: return "pipewire";
    default: return "auto";
    }
}

const char *hpa_dev_format_name(hpa_dev_format f)
{
    static const char *const names[HPA_DEV_FORMAT_COUNT] = {"S16_LE", "S24_3LE", "S24_LE", "S32_LE", "FLOAT_LE"};
    return (unsigned)f < HPA_DEV_FORMAT_COUNT ? names[f] : "?";
}

int hpa_dev_format_parse(const char *s, hpa_dev_format *f)
{
    for (int i = 0; i < HPA_DEV_FORMAT_COUNT; i++)
        if (!strcasecmp(s, hpa_dev_format_name((hpa_dev_format)i))) {
            *f = (hpa_dev_format)i;
            return 0;
        }
    return -1;
}

size_t hpa_dev_format_bytes(hpa_dev_format f)
{
    static const size_t bytes[HPA_DEV_FORMAT_COUNT] = {2, 3, 4, 4, 4};
    return (unsigned)f < HPA_DEV_FORMAT_COUNT ? bytes[f] : 0;
}

hpa_format hpa_dev_format_chain(hpa_dev_format f)
{
    switch (f) {
    case HPA_DEV_S16: return HPA_FORMAT_S16;
    case HPA_DEV_S24_3LE: /* the chain writes S24 in int32; the backend packs */
    case HPA_DEV_S24: return HPA_FORMAT_S24;
    case HPA_DEV_S32: return HPA_FORMAT_S32;
    default: return HPA_FORMAT_F32;
    }
}

void hpa_pack_s24_3le(void *buf, size_t samples)
{
    const int32_t *src = buf;
    unsigned char *dst = buf;
    for (size_t i = 0; i < samples; i++) { /* dst never overtakes src: 3 <= 4 bytes */
        uint32_t v = (uint32_t)src[i];
        dst[3 * i] = (unsigned char)v;
        dst[3 * i + 1] = (unsigned char)(v >> 8);
        dst[3 * i + 2] = (unsigned char)(v >> 16);
    }
}
