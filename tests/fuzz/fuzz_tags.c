/* fuzz_tags.c — a libFuzzer target for the ReplayGain tag reader
 * (src/host/tags.c): FLAC and Ogg Vorbis comments through libFLAC and
 * libvorbisfile, ID3v2 TXXX frames parsed by hpamp itself.
 *
 * The input is a whole file.  It is written to an in-memory file (memfd) and
 * read by path (/proc/self/fd/N), as `render --normalize` reads its input;
 * the same bytes, up to their first NUL, are also given to the two value
 * parsers.  Aborts when an invariant breaks:
 *   - hph_tags_read_replaygain returns 0 (the file can be opened);
 *   - the container is none or one of the four; each has_* flag is 0 or 1;
 *     a value that is set is finite and inside its documented range (gains
 *     -64..+64 dB, peaks above 0 and at most 64); nothing is set without a
 *     container;
 *   - at most HPH_TAGS_MAX_WARNINGS warnings, each a terminated line of
 *     printable ASCII;
 *   - the value parsers accept only finite numbers inside those ranges. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "fuzz_memfile.h"
#include <hpamp/host/tags.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_tags(const hph_rg_tags *t)
{
    static const char *const containers[] = {"FLAC", "Ogg Vorbis", "ID3v2"};
    int known = t->container == NULL;
    for (size_t i = 0; i < sizeof containers / sizeof containers[0]; i++)
        known |= t->container && strcmp(t->container, containers[i]) == 0;
    FUZZ_CHECK(known);
    const int has[4] = {t->has_track_gain, t->has_album_gain, t->has_track_peak, t->has_album_peak};
    for (int i = 0; i < 4; i++) {
        FUZZ_CHECK(has[i] == 0 || has[i] == 1);
        FUZZ_CHECK(!has[i] || t->container);
    }
    FUZZ_CHECK(!t->has_track_gain || (isfinite(t->track_gain_db) && fabs(t->track_gain_db) <= 64.0));
    FUZZ_CHECK(!t->has_album_gain || (isfinite(t->album_gain_db) && fabs(t->album_gain_db) <= 64.0));
    FUZZ_CHECK(!t->has_track_peak || (t->track_peak > 0.0 && t->track_peak <= 64.0));
    FUZZ_CHECK(!t->has_album_peak || (t->album_peak > 0.0 && t->album_peak <= 64.0));
    FUZZ_CHECK(t->n_warnings >= 0 && t->n_warnings <= HPH_TAGS_MAX_WARNINGS);
    for (int i = 0; i < t->n_warnings; i++) {
        size_t n = strnlen(t->warnings[i], sizeof t->warnings[i]);
        FUZZ_CHECK(n > 0 && n < sizeof t->warnings[i]);
        for (size_t k = 0; k < n; k++)
            FUZZ_CHECK(t->warnings[i][k] >= 0x20 && t->warnings[i][k] < 0x7f);
    }
}

static void check_values(const uint8_t *data, size_t size)
{
    size_t n = strnlen((const char *)data, size);
    char *s = malloc(n + 1);
    FUZZ_CHECK(s != NULL);
    memcpy(s, data, n);
    s[n] = 0;
    double v = NAN;
    if (hph_tags_parse_gain(s, &v) == 0)
        FUZZ_CHECK(isfinite(v) && fabs(v) <= 64.0);
    v = NAN;
    if (hph_tags_parse_peak(s, &v) == 0)
        FUZZ_CHECK(v > 0.0 && v <= 64.0);
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input(data, size);
    const char *path = fuzz_memfile(data, size);
    hph_rg_tags t;
    memset(&t, 0x5a, sizeof t); /* the reader must set every field */
    FUZZ_CHECK(hph_tags_read_replaygain(path, &t) == 0);
    check_tags(&t);
    check_values(data, size);
    return 0;
}
