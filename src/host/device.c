/* device.c — choose a backend and share the small helpers. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "backend.h"

int hph_device_open(const hph_device_request *req, hph_device **out, hph_device_info *info, char *why, size_t why_len)
{
    *out = NULL;
    memset(info, 0, sizeof *info);
    if (req->backend == HPH_BACKEND_ALSA)
        return hph_alsa_open(req, out, info, why, why_len);
    if (req->backend == HPH_BACKEND_PIPEWIRE)
        return hph_pipewire_open(req, out, info, why, why_len);
    /* auto: PipeWire when a server answers, ALSA otherwise */
    if (hph_pipewire_available())
        return hph_pipewire_open(req, out, info, why, why_len);
    return hph_alsa_open(req, out, info, why, why_len);
}

int hph_device_start(hph_device *d)
{
    return d->ops->start(d);
}

void hph_device_poll(hph_device *d, hph_device_status *st)
{
    d->ops->poll(d, st);
}

void hph_device_stop(hph_device *d)
{
    if (d)
        d->ops->stop(d);
}

void hph_device_close(hph_device *d)
{
    if (d)
        d->ops->close(d);
}

const char *hph_backend_name(hph_backend b)
{
    switch (b) {
    case HPH_BACKEND_ALSA: return "alsa";
    case HPH_BACKEND_PIPEWIRE: return "pipewire";
    default: return "auto";
    }
}

const char *hph_dev_format_name(hph_dev_format f)
{
    static const char *const names[HPH_DEV_FORMAT_COUNT] = {"S16_LE", "S24_3LE", "S24_LE", "S32_LE", "FLOAT_LE"};
    return (unsigned)f < HPH_DEV_FORMAT_COUNT ? names[f] : "?";
}

int hph_dev_format_parse(const char *s, hph_dev_format *f)
{
    for (int i = 0; i < HPH_DEV_FORMAT_COUNT; i++)
        if (!strcasecmp(s, hph_dev_format_name((hph_dev_format)i))) {
            *f = (hph_dev_format)i;
            return 0;
        }
    return -1;
}

size_t hph_dev_format_bytes(hph_dev_format f)
{
    static const size_t bytes[HPH_DEV_FORMAT_COUNT] = {2, 3, 4, 4, 4};
    return (unsigned)f < HPH_DEV_FORMAT_COUNT ? bytes[f] : 0;
}

hpa_format hph_dev_format_chain(hph_dev_format f)
{
    switch (f) {
    case HPH_DEV_S16: return HPA_FORMAT_S16;
    case HPH_DEV_S24_3LE: /* the chain writes S24 in int32; the backend packs */
    case HPH_DEV_S24: return HPA_FORMAT_S24;
    case HPH_DEV_S32: return HPA_FORMAT_S32;
    default: return HPA_FORMAT_F32;
    }
}

void hph_pack_s24_3le(void *buf, size_t samples)
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
