/* engine.h — the engine of `hpamp amp`: a PipeWire sink every application
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
 * The output is chosen by the caller (amp_engine_set_output), never by
 * WirePlumber: the playback stream names its target and has
 * node.dont-reconnect, so a new device is never fed before the caller has
 * gated the sound and put in the new device's chain.  When the output
 * vanishes WirePlumber destroys the playback node; the engine reports it
 * (amp_state.output_lost) and waits for the caller to name another.
 *
 * Threads: the caller's (control), PipeWire's event thread (registry,
 * metadata, stream states) and its data thread (the audio thread, which only
 * runs amp_dsp).  A chain is handed to the audio thread by pointer
 * (amp_engine_swap_dsp) and handed back to be freed (amp_engine_reap).
 * The audio thread never allocates, locks or blocks (rtprobe.h marks it). */
#ifndef HPA_AMP_ENGINE_H
#define HPA_AMP_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include <hpamp/chain.h>
#include <hpamp/eq.h>

#include <hpamp/meter.h>

#define AMP_NODE_NAME "hpamp"
#define AMP_CHANNELS 2u
#define AMP_MAX_BLOCK 8192u /* PipeWire's largest quantum */
#define AMP_MAX_OUTPUTS 64

/* The node properties an output is matched by (devices.ini "match = KEY=VALUE"). */
enum {
    AMP_K_NAME = 0, /* node.name */
    AMP_K_DESC,     /* node.description */
    AMP_K_NICK,     /* node.nick */
    AMP_K_SERIAL,   /* object.serial */
    AMP_K_CARD,     /* alsa.card_name */
    AMP_K_ACARD,    /* api.alsa.card.name */
    AMP_K_PATH,     /* api.alsa.path */
    AMP_K_BUS,      /* device.bus */
    AMP_K_VENDOR,   /* device.vendor.id */
    AMP_K_PRODUCT,  /* device.product.id */
    AMP_K_BT,       /* api.bluez5.address */
    AMP_K_PROFILE,  /* device.profile.name (a card's headphone profile) */
    AMP_K_GROUP,    /* node.link-group (filters: not real outputs) */
    AMP_NKEYS
};
extern const char *const amp_key_names[AMP_NKEYS];

typedef struct amp_output {
    uint32_t id;
    char kv[AMP_NKEYS][128]; /* "" when the node does not say */
} amp_output;

/* What the audio thread runs: one chain, made for one rate and one profile. */
typedef struct amp_dsp {
    hpa_chain *chain;
    float *scratch; /* hpa_chain_max_out_frames() frames */
    size_t scratch_frames;
    uint32_t rate_hz;
    int dose;                     /* A-weight the output for the sound dose */
    int has_eq, has_xf;           /* the keys e and x switch only what is there */
    double start_db;              /* the profile's start level: a ramp begins 40 dB below it */
    hpa_meter *aw;                /* A-weighting of the output (the dose; meter.h) */
    double aw_last[AMP_CHANNELS]; /* its energies at the last read */
} amp_dsp;

typedef struct amp_dsp_config {
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
} amp_dsp_config;

/* [non-RT] Build a chain (volume at the floor: silent until ramped) and
 * prime the limiter's lookahead so that each process call returns as many
 * frames as it takes.  NULL with why. */
amp_dsp *amp_dsp_new(const amp_dsp_config *cfg, char *why, size_t why_len);
void amp_dsp_free(amp_dsp *d);

typedef struct amp_engine amp_engine;

typedef struct amp_state {
    uint32_t rate_hz;       /* the graph's rate as the capture stream negotiated it; 0 before */
    int output_lost;        /* the playback node went away (its target vanished) */
    int output_streaming;   /* the playback stream is linked and running */
    int failed;             /* the server went away */
    char message[256];      /* why, when failed */
    char default_sink[128]; /* default.audio.sink, "" when none */
    char configured[128];   /* default.configured.audio.sink, "" when none */
    unsigned generation;    /* changes whenever the outputs or the defaults change */
} amp_state;

typedef struct amp_status {
    double gain;                   /* the chain's gain now (linear) */
    double peak[AMP_CHANNELS];     /* output peaks since the last call */
    double a_energy[AMP_CHANNELS]; /* A-weighted sum of squares (cumulative) */
    uint64_t a_frames;             /* frames in it */
    uint64_t frames;               /* frames processed */
    uint64_t cycles, empty;        /* the output's cycles; the sink's cycles */
    uint64_t clipped, limited;     /* from the chain */
    double limiter_db;
    double volume_db; /* what the ramp sets now */
} amp_status;

/* [non-RT] Connect to PipeWire and learn the outputs and the defaults.
 * 0, or -1 with why (no server, no answer). */
int amp_engine_connect(amp_engine **out, char *why, size_t why_len);

/* [non-RT] The outputs (Audio/Sink nodes other than the amp's own sink),
 * up to max; returns how many. */
int amp_engine_outputs(amp_engine *e, amp_output *out, int max);

/* [non-RT] 1 when a sink or a source of that node.name, object.serial or id exists. */
int amp_engine_has_node(amp_engine *e, const char *name, int *is_sink);

/* [non-RT] A copy of the state. */
void amp_engine_state(amp_engine *e, amp_state *st);

/* [non-RT] Make the sink (description desc) or, with input set, a stream
 * that captures input (a source, or a sink's monitor); and the playback
 * stream, not yet connected.  0 or -1 with why. */
int amp_engine_start(amp_engine *e, const char *desc, const char *input, char *why, size_t why_len);

/* [non-RT] Send the sound to output (a node.name), or nowhere (NULL).  The
 * caller gates the sound first (amp_engine_gate).  0 or -1. */
int amp_engine_set_output(amp_engine *e, const char *output);

/* [non-RT] Update the sink's description. */
void amp_engine_describe(amp_engine *e, const char *desc);

/* [any] Gate: 0 outputs silence at once (no ramp); 1 lets the chain through
 * and restarts the ramp: from the dsp's start level − 40 dB up to the
 * volume at 100 dB/s. */
void amp_engine_gate(amp_engine *e, int open);

/* [any] Controls: the volume the ramp goes to, mute (smoothed by the chain). */
void amp_engine_set_volume(amp_engine *e, double db);
void amp_engine_set_mute(amp_engine *e, int mute);
void amp_engine_set_switch(amp_engine *e, int eq_on, int xf_on);

/* [non-RT] Hand dsp to the audio thread (it takes it at its next cycle;
 * one still pending is replaced and freed); the one it played goes back to
 * amp_engine_reap. */
void amp_engine_swap_dsp(amp_engine *e, amp_dsp *dsp);
/* [non-RT] Free what the audio thread gave back; 1 when a dsp is still pending. */
int amp_engine_reap(amp_engine *e);
/* [non-RT] The dsp the audio thread runs or will run next (for its rate). */
const amp_dsp *amp_engine_dsp(amp_engine *e);

/* [any] Meters. */
void amp_engine_status(amp_engine *e, amp_status *st);

/* [non-RT] Write default.configured.audio.sink (a node.name; NULL removes
 * the key, as WirePlumber's own "no preference"). */
int amp_engine_set_default(amp_engine *e, const char *name);

/* [non-RT] Wait until the server has handled everything sent (5 s at most). */
int amp_engine_sync(amp_engine *e);

/* [non-RT] Destroy the streams and disconnect; the dsps are freed. */
void amp_engine_close(amp_engine *e);

#endif
