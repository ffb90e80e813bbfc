/* player.h — the engine of `hpamp play`: a decoder thread and the audio
 * thread's render callback, joined by lock-free rings.
 *
 *   decoder thread [non-RT]                       audio thread [RT]
 *   ─────────────────────                         ─────────────────
 *   open file, make a chain when the format       pop track, switch chain
 *   changes ──▶ tracks ring (track *) ───────────▶ read samples ──▶ chain ──▶ FIFO ──▶ device period
 *   decode ───▶ data ring (samples, file format) ─▶
 *   free ◀──── done ring (finished tracks, retired chains, old FIFOs) ◀──
 *
 * The audio thread never allocates, locks or blocks: everything it touches is
 * made by the decoder thread and handed over by pointer; what it is done with
 * goes back through the done ring to be freed there.  Controls (volume, mute,
 * skip) are atomics that any thread may set; the audio thread passes the
 * volume to the chain's smoothed parameter, the only way the level changes. */
#ifndef HPAMP_HOST_PLAYER_H
#define HPAMP_HOST_PLAYER_H

#include <stddef.h>
#include <stdint.h>

#include <hpamp/chain.h>
#include <hpamp/eq.h>

#include <hpamp/host/audiofile.h>
#include <hpamp/host/device.h>

typedef struct hph_player hph_player;

typedef struct hph_player_config {
    const char *const *files; /* "-": standard input (audiofile.h) */
    int n_files;
    const hph_audio_raw *raw;   /* the files are headerless PCM of this kind; NULL: they say */
    uint32_t out_rate_hz;       /* the device's */
    uint32_t channels;          /* the device's; mono files are doubled to 2 */
    hpa_format out_format;      /* the chain's output (the device's chain format) */
    uint32_t max_render_frames; /* the most frames one render call asks for */
    double start_volume_db;     /* the level the start ramp goes to */
    double max_volume_db;       /* the ceiling: the chains' max_volume_db */
    double limit_dbtp;          /* the chains' true-peak limiter ceiling (-30 .. 0), always on */
    hpa_filter filter;
    hpa_dither dither;
    const hpa_eq_band *eq_bands; /* --eq at out_rate_hz (NULL: none); must outlive the player */
    size_t n_eq_bands;
    double eq_preamp_db;         /* the EQ's preamp (play: the file's, at most minus the bands' peak) */
    const double *eq_channel_db; /* NULL, or HPA_CHANNELS_MAX dB added per channel (hpa_eq_profile) */
    size_t max_eq_bands;         /* room for hph_player_set_eq_bands (0: n_eq_bands) */
    int crossfeed;               /* --crossfeed: on at the start (stereo only) */
    int replaygain;              /* --replaygain: 0 off, 1 track, 2 album (ReplayGain 2.0 / Opus R128 tags) */
    int mono;                    /* --mono (stereo devices only) */
    double xf_fcut_hz, xf_feed_db;
    double balance_db; /* --balance (stereo devices only) */
} hph_player_config;

typedef struct hph_player_status {
    int index;                   /* file playing (0-based), -1 before the first */
    double position_s, length_s; /* length -1 when unknown */
    uint32_t in_rate_hz;
    double volume_db; /* the target */
    int muted;
    double gain;                   /* the gain the chain applies now (linear) */
    double peak[HPA_CHANNELS_MAX]; /* output peaks since the last status call (1.0 = 0 dBFS) */
    uint32_t channels;
    uint64_t clipped;    /* samples clipped at the output, all chains */
    uint64_t starved;    /* render calls the decoder could not fill */
    uint64_t frames_out; /* frames rendered from files (no padding) */
    int ended;
    int resampling;                    /* the current chain resamples */
    int eq_on, crossfeed_on;           /* the switches (meaningful with --eq, --crossfeed) */
    double limiter_db;                 /* the most gain the current chain's limiter took (>= 0 dB) */
    uint64_t limited_frames;           /* frames the limiter turned down, all chains */
    uint64_t a_frames;                 /* output frames A-weighted so far (cumulative) */
    double a_energy[HPA_CHANNELS_MAX]; /* their A-weighted sum of squares per channel (1.0 = full scale) */
    double rg_gain_db;                 /* --replaygain: the gain of the file playing (NAN: none, no tag) */
} hph_player_status;

/* [non-RT] An empty player: its address is the device's render user data. */
hph_player *hph_player_new(void);

/* [non-RT] Size everything for the device; 0 or -1 with why. */
int hph_player_configure(hph_player *p, const hph_player_config *cfg, char *why, size_t why_len);

/* [non-RT] Start the decoder thread and wait (up to timeout_s) until the ring
 * holds enough to start the device or the decoder is done.  0, or -1 when no
 * file could be decoded. */
int hph_player_start(hph_player *p, double timeout_s);

/* [RT] The device's render callback (hph_render_fn). */
size_t hph_player_render(void *user, void *buf, size_t frames, int *ended);

/* [any] Controls. */
void hph_player_set_volume_db(hph_player *p, double db);
void hph_player_set_mute(hph_player *p, int mute);
void hph_player_skip(hph_player *p, int delta);       /* +1 next file, -1 previous */
void hph_player_set_eq(hph_player *p, int on);        /* bypass (0) or not; crossfaded */
void hph_player_set_crossfeed(hph_player *p, int on); /* the same */

/* [non-RT] A new EQ band set (at most max_eq_bands) for the chain playing,
 * those queued and those made later: each chain crossfades to it
 * (hpa_chain_set_eq).  0, or -1 with why. */
int hph_player_set_eq_bands(hph_player *p, const hpa_eq_band *bands, size_t n, double preamp_db, char *why,
                            size_t why_len);

/* [non-RT] The per-channel preamps (HPA_CHANNELS_MAX dB, NULL: none) the
 * next hph_player_set_eq_bands and every chain made later use. */
void hph_player_set_eq_channels(hph_player *p, const double *channel_db);

/* [any] The crossfeed's corner and level (libbs2b, the parameter table's
 * ranges) for the chain playing and those made later, crossfaded; it makes
 * the crossfeed switchable on a stereo device started without it. */
void hph_player_set_crossfeed_params(hph_player *p, double fcut_hz, double feed_db);

/* [any] The true-peak limiter's ceiling (dBTP) for the chain playing and
 * those made later. */
void hph_player_set_limit(hph_player *p, double dbtp);

/* [non-RT, one thread] The short-term loudness (EBU R 128, 3 s, LUFS) of
 * the output: the audio thread copies its output into a ring, this reads it
 * into libebur128.  Call it a few times a second (the ring holds 0.5 s; what
 * overflows is dropped).  -inf in silence, NaN when unknown. */
double hph_player_loudness(hph_player *p);

/* [any] Status; resets the peak meters. */
void hph_player_status_get(hph_player *p, hph_player_status *st);

/* [non-RT] Take one pending message from the decoder ("FILE: why"); 0 when none. */
int hph_player_message(hph_player *p, char *buf, size_t len);

/* [non-RT] Files that could not be played. */
int hph_player_failures(hph_player *p);

/* [non-RT] Stop the decoder and free everything; the device must be stopped. */
void hph_player_destroy(hph_player *p);

#endif
