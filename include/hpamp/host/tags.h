/* tags.h — ReplayGain 2.0 tags from audio files (a front-end's I/O; libhpamp
 * never reads files).
 *
 *   FLAC         Vorbis comments through libFLAC's metadata API
 *   Ogg Vorbis   Vorbis comments through libvorbisfile
 *   MP3          ID3v2.3/2.4 TXXX frames, parsed here (unsynchronised tags
 *                and compressed/encrypted frames are skipped)
 *
 * Other formats (WAV, Opus, ...) report no tags; the caller measures. */
#ifndef HPAMP_HOST_TAGS_H
#define HPAMP_HOST_TAGS_H

#include <stddef.h>

#define HPH_TAGS_MAX_WARNINGS 8

typedef struct hph_rg_tags {
    int has_track_gain, has_track_peak, has_album_gain, has_album_peak;
    double track_gain_db, album_gain_db; /* REPLAYGAIN_*_GAIN: dB to reach -18 LUFS */
    double track_peak, album_peak;       /* REPLAYGAIN_*_PEAK: linear, full scale = 1 */
    const char *container;               /* "FLAC", "Ogg Vorbis", "ID3v2", or NULL: none read */
    /* malformed values, ignored: one line each, e.g.
     * "REPLAYGAIN_TRACK_GAIN 'loud': not a gain in dB" */
    int n_warnings;
    char warnings[HPH_TAGS_MAX_WARNINGS][160];
} hph_rg_tags;

/* Read the ReplayGain tags of the file at path into t (zeroed first).  A
 * file without tags, or of a format with none, is not an error: returns 0
 * with nothing set.  Returns -1 only when the file cannot be opened. */
int hph_tags_read_replaygain(const char *path, hph_rg_tags *t);

/* Parse one tag value: a gain ("-7.03 dB", "+2.5", "-7,03 dB" is refused) or
 * a peak ("0.988525").  Returns 0 and sets *v, or -1 when malformed or out of
 * range (gains -64..+64 dB, peaks 0 < p <= 64).  Exposed for the tests. */
int hph_tags_parse_gain(const char *s, double *v);
int hph_tags_parse_peak(const char *s, double *v);

#endif
