/* tags.c — ReplayGain 2.0 tags from FLAC (libFLAC), Ogg Vorbis
 * (libvorbisfile) and MP3 (ID3v2 TXXX frames, parsed here).  See tags.h. */
#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <FLAC/metadata.h>
#include <ogg/ogg.h>
#include <vorbis/vorbisfile.h>

#include <hpamp/host/tags.h>

#define GAIN_LIMIT_DB 64.0
#define PEAK_LIMIT 64.0

/* a number, then optionally "dB", with spaces around; nothing else */
static int parse_number(const char *s, int allow_db, double *v)
{
    while (*s == ' ' || *s == '\t')
        s++;
    if (!(*s == '+' || *s == '-' || *s == '.' || isdigit((unsigned char)*s)))
        return -1;
    for (const char *p = s; *p && !isspace((unsigned char)*p) && !isalpha((unsigned char)*p); p++)
        if (!(isdigit((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.'))
            return -1; /* "7,03", "0x10", ... */
    char *end;
    double x = strtod(s, &end);
    if (end == s || !isfinite(x))
        return -1;
    /* an exponent is fine ("1e-1"), letters that are not one are not */
    s = end;
    while (*s == ' ' || *s == '\t')
        s++;
    if (allow_db && (s[0] == 'd' || s[0] == 'D') && (s[1] == 'b' || s[1] == 'B')) {
        s += 2;
        while (*s == ' ' || *s == '\t')
            s++;
    }
    if (*s)
        return -1;
    *v = x;
    return 0;
}

int hph_tags_parse_gain(const char *s, double *v)
{
    double x;
    if (parse_number(s, 1, &x) || fabs(x) > GAIN_LIMIT_DB)
        return -1;
    *v = x;
    return 0;
}

int hph_tags_parse_peak(const char *s, double *v)
{
    double x;
    if (parse_number(s, 0, &x) || !(x > 0.0) || x > PEAK_LIMIT)
        return -1;
    *v = x;
    return 0;
}

static void warn(hph_rg_tags *t, const char *key, const char *value, const char *what)
{
    if (t->n_warnings >= HPH_TAGS_MAX_WARNINGS)
        return;
    char shown[48];
    size_t n = 0;
    for (; value[n] && n < sizeof shown - 4; n++)
        shown[n] = isprint((unsigned char)value[n]) ? value[n] : '?';
    if (value[n])
        memcpy(shown + n, "...", 3), n += 3;
    shown[n] = 0;
    snprintf(t->warnings[t->n_warnings++], sizeof t->warnings[0], "%s '%s': %s; ignored", key, shown, what);
}

/* one KEY=value (or an ID3 description and value): keep it if it is ours */
static void take(hph_rg_tags *t, const char *key, size_t key_len, const char *value)
{
    static const struct {
        const char *name;
        int gain; /* 1 gain, 0 peak */
        size_t has_off, val_off;
    } keys[] = {
        {"REPLAYGAIN_TRACK_GAIN", 1, offsetof(hph_rg_tags, has_track_gain), offsetof(hph_rg_tags, track_gain_db)},
        {"REPLAYGAIN_TRACK_PEAK", 0, offsetof(hph_rg_tags, has_track_peak), offsetof(hph_rg_tags, track_peak)},
        {"REPLAYGAIN_ALBUM_GAIN", 1, offsetof(hph_rg_tags, has_album_gain), offsetof(hph_rg_tags, album_gain_db)},
        {"REPLAYGAIN_ALBUM_PEAK", 0, offsetof(hph_rg_tags, has_album_peak), offsetof(hph_rg_tags, album_peak)},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (key_len != strlen(keys[i].name) || strncasecmp(key, keys[i].name, key_len) != 0)
            continue;
        int *has = (int *)((char *)t + keys[i].has_off);
        double *val = (double *)((char *)t + keys[i].val_off);
        double v;
        if (*has)
            return; /* the first of repeated tags counts */
        if (keys[i].gain ? hph_tags_parse_gain(value, &v) : hph_tags_parse_peak(value, &v)) {
            warn(t, keys[i].name, value,
                 keys[i].gain ? "not a gain in dB from -64 to +64" : "not a peak above 0 and at most 64");
            return;
        }
        *has = 1;
        *val = v;
        return;
    }
}

/* a Vorbis comment "KEY=value", length bytes, not necessarily terminated */
static void take_comment(hph_rg_tags *t, const char *entry, size_t length)
{
    const char *eq = memchr(entry, '=', length);
    if (!eq || length > 4096)
        return;
    char value[4097];
    size_t vlen = length - (size_t)(eq + 1 - entry);
    memcpy(value, eq + 1, vlen);
    value[vlen] = 0;
    take(t, entry, (size_t)(eq - entry), value);
}

static void read_flac(const char *path, hph_rg_tags *t)
{
    FLAC__StreamMetadata *tags = NULL;
    if (!FLAC__metadata_get_tags(path, &tags) || !tags)
        return;
    const FLAC__StreamMetadata_VorbisComment *vc = &tags->data.vorbis_comment;
    for (FLAC__uint32 i = 0; i < vc->num_comments; i++)
        if (vc->comments[i].entry)
            take_comment(t, (const char *)vc->comments[i].entry, vc->comments[i].length);
    t->container = "FLAC";
    FLAC__metadata_object_delete(tags);
}

static void read_vorbis(const char *path, hph_rg_tags *t)
{
    OggVorbis_File vf;
    if (ov_fopen(path, &vf) != 0)
        return; /* not Vorbis (Opus, FLAC in Ogg, ...): no tags read */
    vorbis_comment *vc = ov_comment(&vf, -1);
    if (vc)
        for (int i = 0; i < vc->comments; i++)
            if (vc->user_comments[i] && vc->comment_lengths[i] >= 0)
                take_comment(t, vc->user_comments[i], (size_t)vc->comment_lengths[i]);
    t->container = "Ogg Vorbis";
    ov_clear(&vf);
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint32_t syncsafe(const unsigned char *p)
{
    return (uint32_t)(p[0] & 0x7f) << 21 | (uint32_t)(p[1] & 0x7f) << 14 | (uint32_t)(p[2] & 0x7f) << 7 | (p[3] & 0x7f);
}

/* one ID3v2 text string of encoding enc from p[0..n) into out as ASCII
 * (other characters become '?'); returns the bytes used, terminator included */
static size_t id3_string(int enc, const unsigned char *p, size_t n, char *out, size_t out_len)
{
    size_t i = 0, o = 0;
    if (enc == 1 || enc == 2) { /* UTF-16 with BOM, UTF-16BE */
        int le = 0;
        if (enc == 1 && n >= 2 && p[0] == 0xff && p[1] == 0xfe)
            le = 1, i = 2;
        else if (enc == 1 && n >= 2 && p[0] == 0xfe && p[1] == 0xff)
            i = 2;
        for (; i + 1 < n; i += 2) {
            unsigned c = le ? (unsigned)p[i] | (unsigned)p[i + 1] << 8 : (unsigned)p[i] << 8 | p[i + 1];
            if (c == 0) {
                i += 2;
                break;
            }
            if (o + 1 < out_len)
                out[o++] = (char)(c < 0x80 ? c : '?');
        }
    } else { /* ISO-8859-1, UTF-8 */
        for (; i < n; i++) {
            if (p[i] == 0) {
                i++;
                break;
            }
            if (o + 1 < out_len)
                out[o++] = (char)(p[i] < 0x80 ? p[i] : '?');
        }
    }
    out[o] = 0;
    return i > n ? n : i;
}

/* the ID3v2 tag at the start of f (header already in h): its TXXX frames */
static void read_id3(FILE *f, const unsigned char *h, hph_rg_tags *t)
{
    int major = h[3], flags = h[5];
    uint32_t size = syncsafe(h + 6);
    if ((major != 3 && major != 4) || (flags & 0x80) || size > (16u << 20))
        return; /* ID3v2.2, unsynchronised or absurd: not read */
    unsigned char *b = malloc(size ? size : 1);
    if (!b || fread(b, 1, size, f) != size) {
        free(b);
        return;
    }
    size_t pos = 0;
    if (flags & 0x40) { /* extended header */
        if (size < 4) {
            free(b);
            return;
        }
        pos = major == 4 ? syncsafe(b) : be32(b) + 4;
    }
    t->container = "ID3v2";
    while (pos + 10 <= size && b[pos]) {
        uint32_t fsize = major == 4 ? syncsafe(b + pos + 4) : be32(b + pos + 4);
        int fflags = b[pos + 9];
        const unsigned char *body = b + pos + 10;
        if (fsize > size - pos - 10)
            break;
        int skip = major == 4 ? (fflags & 0x0f) : (fflags & 0xe0); /* compressed, encrypted, ... */
        if (!memcmp(b + pos, "TXXX", 4) && fsize >= 2 && !skip) {
            int enc = body[0];
            char desc[64], value[256];
            size_t used = id3_string(enc, body + 1, fsize - 1, desc, sizeof desc);
            id3_string(enc, body + 1 + used, fsize - 1 - used, value, sizeof value);
            take(t, desc, strlen(desc), value);
        }
        pos += 10 + fsize;
    }
    free(b);
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* RFC 7845 5.2: R128_TRACK_GAIN / R128_ALBUM_GAIN, a whole number of 1/256 dB
 * to bring the programme to -23 LUFS; ReplayGain 2.0's reference is -18 */
static void take_r128(hph_rg_tags *t, const char *entry, size_t length, int album)
{
    const char *key = album ? "R128_ALBUM_GAIN=" : "R128_TRACK_GAIN=";
    const size_t kl = strlen(key);
    if (length <= kl || length > 64 || strncasecmp(entry, key, kl) != 0)
        return;
    char value[65];
    memcpy(value, entry + kl, length - kl);
    value[length - kl] = 0;
    char *end;
    long q = strtol(value, &end, 10);
    if (end == value || *end || q < -32768 || q > 32767) {
        warn(t, album ? "R128_ALBUM_GAIN" : "R128_TRACK_GAIN", value, "not a whole number from -32768 to 32767");
        return;
    }
    int *has = album ? &t->has_album_gain : &t->has_track_gain;
    if (!*has) { /* REPLAYGAIN_* tags, where a tagger wrote both, win */
        *has = 1;
        *(album ? &t->album_gain_db : &t->track_gain_db) = (double)q / 256.0 + 5.0;
    }
}

/* the OpusTags packet: "OpusTags", vendor, comments (RFC 7845 5.2) */
static void take_opus_tags(hph_rg_tags *t, const unsigned char *p, size_t n)
{
    if (n < 16 || memcmp(p, "OpusTags", 8) != 0)
        return;
    size_t at = 8 + 4 + (size_t)le32(p + 8);
    if (at + 4 > n)
        return;
    uint32_t count = le32(p + at);
    at += 4;
    for (uint32_t i = 0; i < count && at + 4 <= n; i++) {
        size_t len = le32(p + at);
        at += 4;
        if (len > n - at)
            return;
        take_comment(t, (const char *)p + at, len);
        take_r128(t, (const char *)p + at, len, 0);
        take_r128(t, (const char *)p + at, len, 1);
        at += len;
    }
    t->container = "Ogg Opus";
}

/* Ogg Opus: its second packet, through libogg; 1 when the stream is Opus */
static int read_opus(const char *path, hph_rg_tags *t)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    ogg_sync_state oy;
    ogg_stream_state os;
    ogg_page og;
    ogg_packet op;
    ogg_sync_init(&oy);
    int streams = 0, packets = 0, opus = 0, done = 0;
    for (size_t total = 0; !done && total < (16u << 20);) {
        while (!done && ogg_sync_pageout(&oy, &og) == 1) {
            if (!streams++)
                ogg_stream_init(&os, ogg_page_serialno(&og));
            if (ogg_stream_pagein(&os, &og))
                continue; /* another stream's page */
            while (!done && ogg_stream_packetout(&os, &op) == 1) {
                if (++packets == 1) {
                    opus = op.bytes >= 19 && memcmp(op.packet, "OpusHead", 8) == 0;
                    done = !opus;
                } else {
                    take_opus_tags(t, op.packet, (size_t)op.bytes);
                    done = 1;
                }
            }
        }
        char *buf = ogg_sync_buffer(&oy, 4096);
        size_t got = buf ? fread(buf, 1, 4096, f) : 0;
        if (!got)
            break;
        ogg_sync_wrote(&oy, (long)got);
        total += got;
    }
    if (streams)
        ogg_stream_clear(&os);
    ogg_sync_clear(&oy);
    fclose(f);
    return opus;
}

int hph_tags_read_replaygain(const char *path, hph_rg_tags *t)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    unsigned char h[10];
    size_t got = fread(h, 1, sizeof h, f);
    if (got >= 4 && !memcmp(h, "fLaC", 4)) {
        fclose(f);
        read_flac(path, t);
    } else if (got >= 4 && !memcmp(h, "OggS", 4)) {
        fclose(f);
        if (!read_opus(path, t))
            read_vorbis(path, t);
    } else if (got == 10 && !memcmp(h, "ID3", 3)) {
        /* MP3, or FLAC behind an ID3v2 tag (libFLAC skips it) */
        unsigned char m[4];
        long after = 10L + (long)syncsafe(h + 6) + ((h[5] & 0x10) ? 10 : 0);
        int is_flac = !fseek(f, after, SEEK_SET) && fread(m, 1, 4, f) == 4 && !memcmp(m, "fLaC", 4);
        if (is_flac) {
            fclose(f);
            read_flac(path, t);
        } else {
            fseek(f, 10, SEEK_SET);
            read_id3(f, h, t);
            fclose(f);
        }
    } else {
        fclose(f);
    }
    return 0;
}

hph_rg_pick hph_tags_pick(const hph_rg_tags *t, int album, double *gain_db, double *peak_dbtp)
{
    *gain_db = 0.0;
    *peak_dbtp = NAN;
    if (album && t->has_album_gain) {
        *gain_db = t->album_gain_db;
        if (t->has_album_peak)
            *peak_dbtp = 20.0 * log10(t->album_peak);
        return HPH_RG_ALBUM;
    }
    if (t->has_track_gain) {
        *gain_db = t->track_gain_db;
        if (t->has_track_peak)
            *peak_dbtp = 20.0 * log10(t->track_peak);
        return HPH_RG_TRACK;
    }
    return HPH_RG_NONE;
}

double hph_headroom_preamp(double before_dbtp, double top_dbtp, double eq_peak_db)
{
    const double pre = before_dbtp >= top_dbtp ? -eq_peak_db : top_dbtp - before_dbtp - eq_peak_db;
    return pre < 0.0 ? pre : 0.0;
}
