/* profiles.h — which headphones and source are on which output:
 * $XDG_CONFIG_HOME/hpamp/devices.ini (~/.config/hpamp/ when unset), read by
 * inih.  One section per profile; the first whose every match holds for an
 * output is its profile (docs/amp.md):
 *
 *   [usb-dac]
 *   node = alsa_output.usb-Topping_E30-00.analog-stereo   # node.name
 *   usb = 152a:8750                                        # device.vendor.id:device.product.id
 *   card = E30                                             # api.alsa.card.name or alsa.card_name
 *   bluetooth = 00:11:22:33:44:55                          # api.bluez5.address
 *   match = device.profile.name=analog-stereo-headphones   # any node property (glob)
 *   headphones = Sennheiser HD 600
 *   source = Topping E30
 *   preset = hd600
 *   eq = /path/to/ParametricEQ.txt
 *   max-volume = -10
 *   volume = -35
 *
 * A bad line is a warning naming FILE:LINE and the rest loads. */
#ifndef HPA_AMP_PROFILES_H
#define HPA_AMP_PROFILES_H

#include <stddef.h>

#include "engine.h"

#define AMP_PROFILES_MAX 64
#define AMP_MATCH_MAX 8

typedef struct amp_profile {
    char name[128];
    int line; /* of its [section] */
    int n_match;
    char match_key[AMP_MATCH_MAX][64]; /* a node property, or "usb" / "card" */
    char match_val[AMP_MATCH_MAX][128];
    char headphones[256], source[256], preset[128], eq[1024];
    int has_max_volume, has_volume;
    double max_volume_db, volume_db;
} amp_profile;

typedef struct amp_profiles {
    char path[1024];
    amp_profile p[AMP_PROFILES_MAX];
    int n;
    int bad; /* lines warned about */
} amp_profiles;

/* The file's path into buf; 0, or -1 when neither XDG_CONFIG_HOME nor HOME. */
int amp_profiles_path(char *buf, size_t len);

/* Read the file (a missing one is no profiles); every bad line is a warning
 * "FILE:LINE: why" on stderr.  0, or -1 after an error (unreadable). */
int amp_profiles_load(amp_profiles *ps);

/* The profile of an output, or NULL. */
const amp_profile *amp_profiles_match(const amp_profiles *ps, const amp_output *o);

/* Replace (or add) the section named p->name, keeping the rest of the file
 * as it is; written to a temporary and renamed over.  0, or -1 with why. */
int amp_profiles_write(const amp_profiles *ps, const amp_profile *p, char *why, size_t why_len);

#endif
