/* backend.h — the contract between device.c and its backends (alsa.c,
 * pipewire.c); private to the host library.  Front ends see only
 * <hpamp/host/device.h>. */
#ifndef HPH_HOST_BACKEND_H
#define HPH_HOST_BACKEND_H

#include <hpamp/host/device.h>

/* Backend entry points (alsa.c, pipewire.c), through hph_device_open. */
typedef struct hph_device_ops {
    int (*start)(hph_device *d);
    void (*poll)(hph_device *d, hph_device_status *st);
    void (*stop)(hph_device *d);
    void (*close)(hph_device *d);
} hph_device_ops;

struct hph_device {
    const hph_device_ops *ops;
};

int hph_alsa_open(const hph_device_request *req, hph_device **out, hph_device_info *info, char *why, size_t why_len);
int hph_pipewire_open(const hph_device_request *req, hph_device **out, hph_device_info *info, char *why,
                      size_t why_len);

#endif
