/* chain.h — libhpamp's streaming chain.
 *
 *   convert in ─ resample/oversample ─ balance/mono ─ EQ ─ crossfeed ─ volume (smoothed, capped)
 *              ─ true-peak limiter ─ requantize (dither) ─ convert out
 *
 * Every stage after the resampler runs at the output rate.  EQ band sets are
 * built off the audio thread (hpa_chain_set_eq in <hpamp/eq.h>) and swapped
 * in with a crossfade; switching the EQ or the crossfeed in or out, or moving
 * the crossfeed's level, is crossfaded too (crossfade_ms).
 *
 * Audio is interleaved; inside the chain every sample is a double.  A chain is
 * made once from a config ([non-RT]); hpa_chain_process() then runs on the
 * audio thread and never allocates, locks or blocks.  Parameters may be set
 * from any thread; they take effect at the next process call and every audible
 * change is smoothed.
 *
 * Lengths are in frames (one sample per channel).
 */
#ifndef HPAMP_CHAIN_H
#define HPAMP_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include <hpamp/hpamp.h>
#include <hpamp/params.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HPA_RATE_MIN_HZ 8000u
#define HPA_RATE_MAX_HZ 768000u
#define HPA_CHANNELS_MAX 8u

/* Sample formats at the chain's edges (host byte order). */
typedef enum hpa_format {
    HPA_FORMAT_S16 = 0, /* int16_t, full scale 32768 */
    HPA_FORMAT_S24,     /* int32_t holding a 24-bit value in its low bits (ALSA S24_LE), full scale 2^23 */
    HPA_FORMAT_S32,     /* int32_t, full scale 2^31 */
    HPA_FORMAT_F32,     /* float, full scale 1.0 */
    HPA_FORMAT_F64,     /* double, full scale 1.0 */
    HPA_FORMAT_COUNT
} hpa_format;

/* The resampler's filter, named as DAC users know them. */
typedef enum hpa_filter {
    HPA_FILTER_LINEAR = 0,   /* linear phase, very high quality (libsoxr VHQ) */
    HPA_FILTER_STEEP,        /* linear phase, flat to 0.995 of the lower Nyquist, >= 150 dB stopband */
    HPA_FILTER_MINIMUM,      /* minimum phase: no pre-ringing, VHQ; rate change below 64x */
    HPA_FILTER_INTERMEDIATE, /* between linear and minimum phase, VHQ */
    HPA_FILTER_COUNT
} hpa_filter;

/* Requantization for integer outputs. */
typedef enum hpa_dither {
    HPA_DITHER_TPDF = 0, /* triangular PDF, 2 LSB peak to peak, flat spectrum */
    HPA_DITHER_SHAPED,   /* TPDF with error-feedback noise shaping that moves noise out of 1-5 kHz */
    HPA_DITHER_NONE,     /* round to nearest */
    HPA_DITHER_COUNT
} hpa_dither;

/* Stages whose output is watched for samples beyond full scale. */
typedef enum hpa_stage {
    HPA_STAGE_INPUT = 0, /* input after conversion to double (float inputs may exceed 1.0) */
    HPA_STAGE_RESAMPLE,  /* after the resampler (inter-sample overs of a hot master show here) */
    HPA_STAGE_VOLUME,    /* after volume */
    HPA_STAGE_OUTPUT,    /* at requantization: integer outputs are clamped here */
    HPA_STAGE_COUNT
} hpa_stage;

typedef struct hpa_chain_config {
    uint32_t in_rate_hz;       /* 8000 .. 768000 */
    uint32_t out_rate_hz;      /* 8000 .. 768000; equal to in_rate_hz: no resampler */
    uint32_t channels;         /* 1 .. 8 */
    uint32_t max_block_frames; /* the most input frames one process call may take (>= 1) */
    hpa_format in_format;
    hpa_format out_format;
    hpa_filter filter;
    hpa_dither dither;
    double volume_db;               /* initial volume; default 0 dB */
    double max_volume_db;           /* hard maximum: no request goes above it; default 0 dB */
    double smoothing_ms;            /* time constant of volume smoothing; default 10 ms */
    uint64_t seed;                  /* dither seed; fixed default so renders are reproducible */
    const hpa_allocator *allocator; /* NULL: malloc/free; copied, must outlive nothing */
    uint32_t max_eq_bands;          /* room for EQ band sets (hpa_chain_set_eq), 0 .. 4096; default 32 */
    double crossfade_ms;            /* length of the EQ and crossfeed crossfades, 1 .. 200; 0 or default: 20 ms */
    double limiter_lookahead_ms;    /* 0: no limiter (default); else its lookahead, 0.5 .. 5 ms (adds latency) */
    double limiter_release_ms;      /* the limiter's release time constant, 1 .. 5000; 0 or default: 100 ms */
    int meter_output;               /* nonzero: the stats carry the output's per-channel peaks and A-weighted
                                       energy (<hpamp/meter.h>; one more pass over the output); default 0 */
} hpa_chain_config;

typedef struct hpa_chain_stats {
    uint64_t frames_in;
    uint64_t frames_out;
    uint64_t clipped[HPA_STAGE_COUNT]; /* samples beyond full scale at each stage's output */
    double peak;                       /* largest |sample| reaching the output, before clamping (1.0 = 0 dBFS) */
    double limiter_max_reduction_db;   /* the most gain the limiter took (>= 0 dB) */
    uint64_t limited_frames;           /* output frames the limiter turned down */
    double eq_preamp_db;               /* the preamp of the band set playing now (see hpa_chain_set_eq) */
    uint64_t float_clamped;            /* float outputs: samples beyond the format's largest finite value
                                          (they would be +-Inf), written as that value; NaN as 0 */
    /* with meter_output (else 0), per output channel, before clamping: */
    double out_peak[HPA_CHANNELS_MAX];       /* largest |sample| since create or reset (1.0 = 0 dBFS) */
    double out_block_peak[HPA_CHANNELS_MAX]; /* largest |sample| written by the last process or drain call */
    double out_aweighted[HPA_CHANNELS_MAX];  /* sum of the squares of the A-weighted output since create or reset
                                                (IEC 61672-1, 0 dB at 1 kHz): / frames_out is its mean square */
} hpa_chain_stats;

/* A libbs2b crossfeed preset. */
typedef struct hpa_crossfeed_preset {
    const char *name; /* "default", "cmoy", "jmeier" */
    double fcut_hz;   /* cut frequency of the crossfed low-pass */
    double feed_db;   /* crossfed sound below the direct sound at low frequencies */
    const char *doc;
} hpa_crossfeed_preset;

/* [any] The presets: i = 0 .. count-1; NULL beyond. */
HPA_API const hpa_crossfeed_preset *hpa_crossfeed_preset_get(int i);
/* [any] A preset by name, or NULL. */
HPA_API const hpa_crossfeed_preset *hpa_crossfeed_preset_find(const char *name);

typedef struct hpa_chain hpa_chain;

/* [any] Fill cfg with defaults: 48 kHz in and out, stereo, 4096 frames, f32 in
 * and out, linear filter, TPDF dither, 0 dB, max 0 dB, 10 ms smoothing. */
HPA_API void hpa_chain_config_init(hpa_chain_config *cfg);

/* [non-RT] Check a config without building anything: HPA_OK or the error
 * create would return. */
HPA_API int hpa_chain_config_check(const hpa_chain_config *cfg);

/* [non-RT] Build a chain.  Everything it needs is allocated here, sized for
 * max_block_frames.  On failure *out is set to NULL. */
HPA_API int hpa_chain_create(const hpa_chain_config *cfg, hpa_chain **out);

/* [non-RT] Free a chain; NULL is a no-op. */
HPA_API void hpa_chain_destroy(hpa_chain *chain);

/* [any] The most output frames one process or drain call can produce: size
 * the output buffer with it. */
HPA_API size_t hpa_chain_max_out_frames(const hpa_chain *chain);

/* [RT] Process in_frames (<= max_block_frames) of interleaved input into out,
 * which holds out_capacity frames (give it hpa_chain_max_out_frames()).
 * *out_frames receives the frames written.  All input is always consumed.
 * With a resampler the output comes in bursts (libsoxr works in DFT blocks):
 * a call may return fewer or more frames than in_frames * out/in, and one with
 * in_frames 0 returns output still waiting.  in may be NULL only when
 * in_frames is 0.  Buffers must not overlap. */
HPA_API int hpa_chain_process(hpa_chain *chain, const void *in, size_t in_frames, void *out, size_t out_capacity,
                              size_t *out_frames);

/* [non-RT] End of input: write what the resampler still holds.  Call until
 * *out_frames is 0; afterwards process() returns HPA_ERR_STATE until reset.
 * Not for the audio thread: libsoxr may allocate while it flushes. */
HPA_API int hpa_chain_drain(hpa_chain *chain, void *out, size_t out_capacity, size_t *out_frames);

/* [non-RT] Forget all signal history (resampler, smoothing, dither error) and
 * statistics; parameters are kept and the volume jumps to its target while
 * silent. */
HPA_API int hpa_chain_reset(hpa_chain *chain);

/* [any] Set a parameter (see params.h); the value is clamped to its range
 * and, for the volume, to max_volume_db.  Lock-free.  Switching on the
 * crossfeed in a chain that is not stereo or runs above 384 kHz, or the
 * limiter in one made without a lookahead, or a balance or mono in a chain
 * that is not stereo, is HPA_ERR_UNSUPPORTED. */
HPA_API int hpa_chain_set_param(hpa_chain *chain, int id, double value);

/* [any] The value last set (after clamping). */
HPA_API int hpa_chain_get_param(const hpa_chain *chain, int id, double *value);

/* [any] Shorthands for the volume parameters. */
HPA_API int hpa_chain_set_volume_db(hpa_chain *chain, double db);
HPA_API int hpa_chain_set_mute(hpa_chain *chain, int mute);

/* [RT] The gain the volume stage applies at this moment (linear), for meters
 * and tests.  Call from the audio thread or while no process runs. */
HPA_API double hpa_chain_current_gain(const hpa_chain *chain);

/* [any] Latency of the chain in output frames (the resampler's group delay
 * plus the limiter's lookahead; 0 without either).  The chain already trims
 * it: output frame n lines up with input time n / out_rate, and drain
 * returns the limiter's last lookahead. */
HPA_API double hpa_chain_latency_frames(const hpa_chain *chain);

/* [any] The limiter's share of hpa_chain_latency_frames: its lookahead plus
 * the true-peak detector's delay (0 without a limiter).  The rest is the
 * resampler's group delay. */
HPA_API double hpa_chain_limiter_latency_frames(const hpa_chain *chain);

/* [RT] Copy the statistics. Call from the audio thread or while no process runs. */
HPA_API void hpa_chain_get_stats(const hpa_chain *chain, hpa_chain_stats *stats);

/* [any] Names used by the CLI and the docs; NULL for an out-of-range value. */
HPA_API const char *hpa_format_name(hpa_format f);
HPA_API const char *hpa_filter_name(hpa_filter f);
HPA_API const char *hpa_dither_name(hpa_dither d);
HPA_API const char *hpa_stage_name(hpa_stage s);

/* [any] Parse a name back; returns the enum value or HPA_ERR_INVALID_ARG. */
HPA_API int hpa_filter_from_name(const char *name);
HPA_API int hpa_dither_from_name(const char *name);

/* [any] Bytes of one sample of a format, or 0 if unknown. */
HPA_API size_t hpa_format_bytes(hpa_format f);

/* [any] Significant bits of a format (16, 24, 32; 24 for f32, 53 for f64). */
HPA_API int hpa_format_bits(hpa_format f);

#ifdef __cplusplus
}
#endif

#endif
