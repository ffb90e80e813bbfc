/* amp.h — the engine of `hpamp amp` (libhpamp-host): a PipeWire sink every application
 * plays into, the chain on what arrives, and a stream to the real output.
 *
 *   apps ──▶ [capture stream, media.class Audio/Sink, node.name "hpamp"]
 *                 │ process: trigger the playback stream (same cycle)
 *                 ▼
 *            [playback stream, target.object = the output]  ──▶ output
 *                 process [RT]: dequeue both buffers, run the chain, queue both
 *
 * Both streams are in one node group and one link group (PipeWire's loopback
 * pattern): they run in the same graph cycle, so the amp adds no buffering
 * beyond the quantum and the limiter's lookahead, and WirePlumber never links
 * the amp's output back into its own sink.  The streams take F32 at whatever
 * rate the graph runs (no rate in their formats): the amp follows the graph's
 * rate and never resamples.
 *
 * The output is chosen by the caller (hph_amp_engine_set_output), never by
 * WirePlumber: the playback stream names its target and has
 * node.dont-reconnect, so a new device is never fed before the caller has
 * gated the sound and put in the new device's chain.  When the output
 * vanishes WirePlumber destroys the playback node; the engine reports it
 * (hph_amp_state.output_lost) and waits for the caller to name another.
 *
 * Threads: the caller's (control), PipeWire's event thread (registry,
 * metadata, stream states) and its data thread (the audio thread, which only
 * runs hph_amp_dsp).  A chain is handed to the audio thread by pointer
 * (hph_amp_engine_swap_dsp) and handed back to be freed (hph_amp_engine_reap).
 * The audio thread never allocates, locks or blocks (rtprobe.h marks it).
 *
 * Like all of libhpamp-host it never prints or exits: errors come back as
 * return codes with a reason in the caller's buffer, warnings through an
 * hph_warn_fn. */
#ifndef HPAMP_HOST_AMP_H
#define HPAMP_HOST_AMP_H

#include <stddef.h>
#include <stdint.h>

#include <hpamp/chain.h>
#include <hpamp/eq.h>
#include <hpamp/host/gear.h>
#include <hpamp/host/session.h>
#include <hpamp/meter.h>

#define HPH_AMP_NODE_NAME "hpamp"
#define HPH_AMP_CHANNELS 2u
#define HPH_AMP_MAX_BLOCK 8192u /* PipeWire's largest quantum */
#define HPH_AMP_MAX_OUTPUTS 64

/* The node properties an output is matched by (devices.ini "match = KEY=VALUE"). */
enum {
    HPH_AMP_K_NAME = 0, /* node.name */
    HPH_AMP_K_DESC,     /* node.description */
    HPH_AMP_K_NICK,     /* node.nick */
    HPH_AMP_K_SERIAL,   /* object.serial */
    HPH_AMP_K_CARD,     /* alsa.card_name */
    HPH_AMP_K_ACARD,    /* api.alsa.card.name */
    HPH_AMP_K_PATH,     /* api.alsa.path */
    HPH_AMP_K_BUS,      /* device.bus */
    HPH_AMP_K_VENDOR,   /* device.vendor.id */
    HPH_AMP_K_PRODUCT,  /* device.product.id */
    HPH_AMP_K_BT,       /* api.bluez5.address */
    HPH_AMP_K_PROFILE,  /* device.profile.name (a card's headphone profile) */
    HPH_AMP_K_GROUP,    /* node.link-group (filters: not real outputs) */
    HPH_AMP_NKEYS
};
extern const char *const hph_amp_key_names[HPH_AMP_NKEYS];

typedef struct hph_amp_output {
    uint32_t id;
    char kv[HPH_AMP_NKEYS][128]; /* "" when the node does not say */
} hph_amp_output;

/* What the audio thread runs: one chain, made for one rate and one profile. */
typedef struct hph_amp_dsp {
    hpa_chain *chain;
    float *scratch; /* hpa_chain_max_out_frames() frames */
    size_t scratch_frames;
    uint32_t rate_hz;
    int dose;                         /* A-weight the output for the sound dose */
    int has_eq, has_xf;               /* the keys e and x switch only what is there */
    double start_db;                  /* the profile's start level: a ramp begins 40 dB below it */
    hpa_meter *aw;                    /* A-weighting of the output (the dose; meter.h) */
    double aw_last[HPH_AMP_CHANNELS]; /* its energies at the last read */
} hph_amp_dsp;

typedef struct hph_amp_dsp_config {
    uint32_t rate_hz;
    double limit_dbtp;    /* the limiter's ceiling */
    double max_volume_db; /* the chain's hard maximum */
    const hpa_eq_band *eq_bands;
    size_t n_eq_bands;
    double eq_preamp_db;
    int crossfeed;
    double xf_fcut_hz, xf_feed_db;
    int dose; /* A-weight the output */
    double start_db;
} hph_amp_dsp_config;

/* [non-RT] Build a chain (volume at the floor: silent until ramped) and
 * prime the limiter's lookahead so that each process call returns as many
 * frames as it takes.  NULL with why. */
hph_amp_dsp *hph_amp_dsp_new(const hph_amp_dsp_config *cfg, char *why, size_t why_len);
void hph_amp_dsp_free(hph_amp_dsp *d);

typedef struct hph_amp_engine hph_amp_engine;

typedef struct hph_amp_state {
    uint32_t rate_hz;       /* the graph's rate as the capture stream negotiated it; 0 before */
    int output_lost;        /* the playback node went away (its target vanished) */
    int output_streaming;   /* the playback stream is linked and running */
    int failed;             /* the server went away */
    char message[256];      /* why, when failed */
    char default_sink[128]; /* default.audio.sink, "" when none */
    char configured[128];   /* default.configured.audio.sink, "" when none */
    unsigned generation;    /* changes whenever the outputs or the defaults change */
} hph_amp_state;

typedef struct hph_amp_status {
    double gain;                       /* the chain's gain now (linear) */
    double peak[HPH_AMP_CHANNELS];     /* output peaks since the last call */
    double a_energy[HPH_AMP_CHANNELS]; /* A-weighted sum of squares (cumulative) */
    uint64_t a_frames;                 /* frames in it */
    uint64_t frames;                   /* frames processed */
    uint64_t cycles, empty;            /* the output's cycles; the sink's cycles */
    uint64_t clipped, limited;         /* from the chain */
    double limiter_db;
    double volume_db; /* what the ramp sets now */
} hph_amp_status;

/* The listening policy over this engine (<hpamp/host/session.h>): every
 * front end (keys, the web page) asks it for volume, steps, mute, EQ,
 * crossfeed and the acknowledgement, and calls hph_session_tick with
 * hph_amp_status's A-weighted energy each second for the dose.  The engine
 * makes it at connect (unknown gear at the volume floor until the caller
 * gives it an output's safety with hph_session_retarget) and destroys it at
 * close.  Its calls reach the audio thread through the engine's atomics. */
hph_session *hph_amp_engine_session(hph_amp_engine *e);

/* [non-RT] Connect to PipeWire and learn the outputs and the defaults.
 * 0, or -1 with why (no server, no answer). */
int hph_amp_engine_connect(hph_amp_engine **out, char *why, size_t why_len);

/* [non-RT] The outputs (Audio/Sink nodes other than the amp's own sink),
 * up to max; returns how many. */
int hph_amp_engine_outputs(hph_amp_engine *e, hph_amp_output *out, int max);

/* [non-RT] 1 when a sink or a source of that node.name, object.serial or id exists. */
int hph_amp_engine_has_node(hph_amp_engine *e, const char *name, int *is_sink);

/* [non-RT] A copy of the state. */
void hph_amp_engine_state(hph_amp_engine *e, hph_amp_state *st);

/* [non-RT] Make the sink (description desc) or, with input set, a stream
 * that captures input (a source, or a sink's monitor); and the playback
 * stream, not yet connected.  0 or -1 with why. */
int hph_amp_engine_start(hph_amp_engine *e, const char *desc, const char *input, char *why, size_t why_len);

/* [non-RT] Send the sound to output (a node.name), or nowhere (NULL).  The
 * caller gates the sound first (hph_amp_engine_gate).  0 or -1. */
int hph_amp_engine_set_output(hph_amp_engine *e, const char *output);

/* [non-RT] Update the sink's description. */
void hph_amp_engine_describe(hph_amp_engine *e, const char *desc);

/* [any] Gate: 0 outputs silence at once (no ramp); 1 lets the chain through
 * and restarts the ramp: from the dsp's start level − 40 dB up to the
 * volume at 100 dB/s. */
void hph_amp_engine_gate(hph_amp_engine *e, int open);

/* [any] Controls: the volume the ramp goes to, mute (smoothed by the chain).
 * A front end's requests go through the session instead; these are the
 * session's target, and mute is also the caller's fade before a switch. */
void hph_amp_engine_set_volume(hph_amp_engine *e, double db);
void hph_amp_engine_set_mute(hph_amp_engine *e, int mute);

/* [non-RT] Hand dsp to the audio thread (it takes it at its next cycle;
 * one still pending is replaced and freed); the one it played goes back to
 * hph_amp_engine_reap. */
void hph_amp_engine_swap_dsp(hph_amp_engine *e, hph_amp_dsp *dsp);
/* [non-RT] Free what the audio thread gave back; 1 when a dsp is still pending. */
int hph_amp_engine_reap(hph_amp_engine *e);
/* [non-RT] The dsp the audio thread runs or will run next (for its rate). */
const hph_amp_dsp *hph_amp_engine_dsp(hph_amp_engine *e);

/* [any] Meters. */
void hph_amp_engine_status(hph_amp_engine *e, hph_amp_status *st);

/* [non-RT] Write default.configured.audio.sink (a node.name; NULL removes
 * the key, as WirePlumber's own "no preference"). */
int hph_amp_engine_set_default(hph_amp_engine *e, const char *name);

/* [non-RT] Wait until the server has handled everything sent (5 s at most). */
int hph_amp_engine_sync(hph_amp_engine *e);

/* [non-RT] Destroy the streams and disconnect; the dsps are freed. */
void hph_amp_engine_close(hph_amp_engine *e);

/* ---- profiles: which headphones and source are on which output:
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
 * A bad line is a warning naming FILE:LINE and the rest loads. ---- */

#define HPH_AMP_PROFILES_MAX 64
#define HPH_AMP_MATCH_MAX 8

typedef struct hph_amp_profile {
    char name[128];
    int line; /* of its [section] */
    int n_match;
    char match_key[HPH_AMP_MATCH_MAX][64]; /* a node property, or "usb" / "card" */
    char match_val[HPH_AMP_MATCH_MAX][128];
    char headphones[256], source[256], preset[128], eq[1024];
    int has_max_volume, has_volume;
    double max_volume_db, volume_db;
} hph_amp_profile;

typedef struct hph_amp_profiles {
    char path[1024];
    hph_amp_profile p[HPH_AMP_PROFILES_MAX];
    int n;
    int bad; /* lines warned about */
} hph_amp_profiles;

/* The file's path into buf; 0, or -1 when neither XDG_CONFIG_HOME nor HOME. */
int hph_amp_profiles_path(char *buf, size_t len);

/* Read the file (a missing one is no profiles); every bad line is a warning
 * "FILE:LINE: why" to warn (may be NULL) and the rest loads.  0, or -1 with
 * why when the file cannot be read. */
int hph_amp_profiles_load(hph_amp_profiles *ps, hph_warn_fn warn, void *user, char *why, size_t why_len);

/* The profile of an output, or NULL. */
const hph_amp_profile *hph_amp_profiles_match(const hph_amp_profiles *ps, const hph_amp_output *o);

/* Replace (or add) the section named p->name, keeping the rest of the file
 * as it is; written to a temporary and renamed over.  0, or -1 with why. */
int hph_amp_profiles_write(const hph_amp_profiles *ps, const hph_amp_profile *p, char *why, size_t why_len);

#endif
