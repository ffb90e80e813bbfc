/* eqload.h — an EQ file (AutoEq ParametricEQ/GraphicEQ, Equalizer APO) into
 * a running chain, for the LV2 plugin's worker and state restore.  Never on
 * the audio thread: it reads the file and allocates. */
#ifndef HPA_LV2_EQLOAD_H
#define HPA_LV2_EQLOAD_H

#include <stddef.h>

#include <hpamp/chain.h>

#define HPA_LV2_EQ_WHY_MAX 512
#define HPA_LV2_EQ_FILE_MAX (16u << 20) /* a larger file is not an EQ file */

/* Read, parse and design the EQ file at path for rate_hz and hand it to the
 * chain (hpa_chain_set_eq: crossfaded in).  The preamp is the file's, but
 * never less headroom than the bands' largest gain needs (0 Hz .. Nyquist);
 * without a Preamp line, exactly that headroom.  Returns 0, or -1 with one
 * line in why ("PATH:LINE: reason") and the chain's EQ untouched. */
int hpa_lv2_eq_load(hpa_chain *chain, const char *path, double rate_hz, char *why, size_t why_len);

/* The same for EQ text (a preset's); label names it in why. */
int hpa_lv2_eq_load_text(hpa_chain *chain, const char *label, const char *text, size_t len, double rate_hz, char *why,
                         size_t why_len);

#endif
