/* preset.h — `hpamp preset`, and presets by name for render and play. */
#ifndef HPC_PRESET_H
#define HPC_PRESET_H

#include <stddef.h>

#include <hpamp/settings.h>

/* hph_preset_load, its error printed: 0, or 1. */
int hpc_preset_load(const char *name, hpa_settings *s, char *origin, size_t origin_len);

#endif
