/* tags.h — ReplayGain 2.0 tags from audio files (a front-end's I/O; libhpamp
 * never reads files).
 *
 *   FLAC         Vorbis comments through libFLAC's metadata API
 *   Ogg Vorbis   Vorbis comments through libvorbisfile
 *   MP3          ID3v2.3/2.4 TXXX frames, parsed here (unsynchronised tags
 *                and compressed/encrypted frames are skipped)
 *   Ogg Opus     the OpusTags packet (libogg): R128_TRACK_GAIN and
 *                R128_ALBUM_GAIN (RFC 7845: 1/256 dB to -23 LUFS) become
 *                ReplayGain gains (+5 dB: to -18 LUFS); Opus has no peak tags
 *
 * Other formats (WAV, ...) report no tags; the caller measures. */
#ifndef HPAMP_HOST_TAGS_H
#define HPAMP_HOST_TAGS_H

#include <stddef.h>

#define HPH_TAGS_MAX_WARNINGS 8

typedef struct hph_rg_tags {
    int has_track_gain, has_track_peak, has_album_gain, has_album_peak;
    double track_gain_db, album_gain_db; /* REPLAYGAIN_*_GAIN: dB to reach -18 LUFS */
    double track_peak, album_peak;       /* REPLAYGAIN_*_PEAK: linear, full scale = 1 */
    const char *container;               /* "FLAC", "Ogg Vorbis", "Ogg Opus", "ID3v2", or NULL: none read */
    /* malformed values, ignored: one line each, e.g.
     * "REPLAYGAIN_TRACK_GAIN 'loud': not a gain in dB" */
    int n_warnings;
    char warnings[HPH_TAGS_MAX_WARNINGS][160];
} hph_rg_tags;

/* Read the ReplayGain tags of the file at path into t (zeroed first).  A
 * file without tags, or of a format with none, is not an error: returns 0
 * with nothing set.  Returns -1 only when the file cannot be opened. */
int hph_tags_read_replaygain(const char *path, hph_rg_tags *t);

typedef enum hph_rg_pick { HPH_RG_NONE = 0, HPH_RG_TRACK, HPH_RG_ALBUM } hph_rg_pick;

/* The gain to play with: the album's when album is set and it is there,
 * else the track's.  *gain_db the gain (0 with none), *peak_dbtp its peak
 * tag in dB (NAN without one).  Which was taken, or HPH_RG_NONE. */
hph_rg_pick hph_tags_pick(const hph_rg_tags *t, int album, double *gain_db, double *peak_dbtp);

/* The EQ's preamp when the programme's peak before it is known (ReplayGain
 * or a measurement): before_dbtp the true peak after the loudness gain,
 * top_dbtp what the output may reach (the limiter's ceiling, or 0),
 * eq_peak_db the bands' largest gain.  Everything in front of the output
 * together stays at or below top when the loudness gain leaves room;
 * otherwise the EQ only takes back its own boost.  At most 0 dB. */
double hph_headroom_preamp(double before_dbtp, double top_dbtp, double eq_peak_db);

/* Parse one tag value: a gain ("-7.03 dB", "+2.5", "-7,03 dB" is refused) or
 * a peak ("0.988525").  Returns 0 and sets *v, or -1 when malformed or out of
 * range (gains -64..+64 dB, peaks 0 < p <= 64).  Exposed for the tests. */
int hph_tags_parse_gain(const char *s, double *v);
int hph_tags_parse_peak(const char *s, double *v);

#endif
