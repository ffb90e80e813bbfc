/* audiofile.c — libsndfile at the edges: every file format libsndfile knows
 * (WAV, FLAC, Ogg Vorbis, MP3, AIFF, ...) in, WAV or FLAC out.
 *
 * Integer files are read as integers so that nothing is rounded on the way
 * in: 8/16-bit as s16, 24-bit as s24, 32-bit as s32; float files as f32;
 * lossy and other codecs decode to f64. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sndfile.h>

#include <hpamp/host/audiofile.h>
#include <hpamp/host/quiet.h>

struct hph_audiofile {
    SNDFILE *sf;
    int fd;                              /* written files: the caller's descriptor, behind libsndfile's virtual I/O */
    int write_errno;                     /* first failed write: libsndfile ignores some (FLAC's last frame) */
    uint64_t max_data_bytes, data_bytes; /* written: a plain WAV's limit (0: none), and so far */
    hph_audio_info info;
    int64_t frames_read;
    int quiet;     /* MPEG: libmpg123 prints notes while decoding (quiet.h) */
    char why[160]; /* a failure found here, not by libsndfile */
    int32_t *conv; /* s24 <-> libsndfile's left-justified int */
    size_t conv_frames;
};

static void set_why(char *why, size_t len, const char *msg)
{
    if (why && len)
        snprintf(why, len, "%s", msg);
}

static hpa_format edge_format(int sf_format, char *codec, size_t codec_len)
{
    int major = sf_format & SF_FORMAT_TYPEMASK, sub = sf_format & SF_FORMAT_SUBMASK;
    const char *container = "audio";
    SF_FORMAT_INFO fi = {.format = major};
    char name[24];
    if (sf_command(NULL, SFC_GET_FORMAT_INFO, &fi, sizeof fi) == 0 && fi.name) {
        /* "FLAC (Free Lossless Audio Codec)" -> "FLAC" */
        snprintf(name, sizeof name, "%s", fi.name);
        name[strcspn(name, " (")] = 0;
        container = name;
    }
    hpa_format f;
    const char *depth;
    switch (sub) {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
        f = HPA_FORMAT_S16;
        depth = "8-bit";
        break;
    case SF_FORMAT_PCM_16:
        f = HPA_FORMAT_S16;
        depth = "16-bit";
        break;
    case SF_FORMAT_PCM_24:
        f = HPA_FORMAT_S24;
        depth = "24-bit";
        break;
    case SF_FORMAT_PCM_32:
        f = HPA_FORMAT_S32;
        depth = "32-bit";
        break;
    case SF_FORMAT_FLOAT:
        f = HPA_FORMAT_F32;
        depth = "float";
        break;
    case SF_FORMAT_DOUBLE:
        f = HPA_FORMAT_F64;
        depth = "double";
        break;
    default:
        f = HPA_FORMAT_F64;
        depth = "decoded";
        break;
    }
    if (sub == SF_FORMAT_VORBIS)
        depth = "Vorbis";
    else if (sub == SF_FORMAT_OPUS)
        depth = "Opus";
    else if (sub == SF_FORMAT_MPEG_LAYER_III)
        depth = "MP3", container = "MPEG";
    snprintf(codec, codec_len, "%.20s %s", container, depth);
    return f;
}

/* 1 if libsndfile's frame count for this format is the file's own (the
 * data chunk's size, FLAC's STREAMINFO), not an estimate from the bit rate */
static int count_is_exact(int sf_format)
{
    if ((sf_format & SF_FORMAT_TYPEMASK) == SF_FORMAT_FLAC)
        return 1;
    switch (sf_format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
    case SF_FORMAT_PCM_16:
    case SF_FORMAT_PCM_24:
    case SF_FORMAT_PCM_32:
    case SF_FORMAT_FLOAT:
    case SF_FORMAT_DOUBLE:
    case SF_FORMAT_ULAW:
    case SF_FORMAT_ALAW: return 1;
    default: return 0;
    }
}

/* The frame count a WAV's header gives (its data chunk's size), or -1 when
 * it gives none or this is not a PCM WAV: libsndfile reports only what the
 * file holds when it is shorter than its header says. */
static int64_t wav_header_frames(const char *path, int sf_format, int channels)
{
    int major = sf_format & SF_FORMAT_TYPEMASK, width;
    if ((major != SF_FORMAT_WAV && major != SF_FORMAT_WAVEX) || channels < 1)
        return -1;
    switch (sf_format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_U8:
    case SF_FORMAT_ULAW:
    case SF_FORMAT_ALAW: width = 1; break;
    case SF_FORMAT_PCM_16: width = 2; break;
    case SF_FORMAT_PCM_24: width = 3; break;
    case SF_FORMAT_PCM_32:
    case SF_FORMAT_FLOAT: width = 4; break;
    case SF_FORMAT_DOUBLE: width = 8; break;
    default: return -1;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    unsigned char h[12];
    int64_t frames = -1;
    if (pread(fd, h, 12, 0) == 12 && !memcmp(h, "RIFF", 4) && !memcmp(h + 8, "WAVE", 4)) {
        off_t at = 12;
        for (int chunk = 0; chunk < 1000 && pread(fd, h, 8, at) == 8; chunk++) {
            const uint32_t size = h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
            if (!memcmp(h, "data", 4)) {
                if (size != 0 && size != UINT32_MAX) /* 0 and ~0: written as a stream, no length */
                    frames = (int64_t)(size / ((uint32_t)width * (uint32_t)channels));
                break;
            }
            at += 8 + (off_t)size + (size & 1);
        }
    }
    close(fd);
    return frames;
}

hph_audiofile *hph_audio_open_read(const char *path, hph_audio_info *info, char *why, size_t why_len)
{
    SF_INFO si;
    memset(&si, 0, sizeof si);
    struct stat st;
    if (stat(path, &st) != 0) {
        set_why(why, why_len, strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        set_why(why, why_len, strerror(EISDIR));
        return NULL;
    }
    if (S_ISREG(st.st_mode) && st.st_size == 0) {
        set_why(why, why_len, "empty file, not audio");
        return NULL;
    }
    /* can we read the file at all?  Then whatever libsndfile says is about
     * its contents (it says "File does not exist" when libmpg123 gives up) */
    if (S_ISREG(st.st_mode)) {
        int probe = open(path, O_RDONLY | O_CLOEXEC);
        if (probe < 0) {
            set_why(why, why_len, strerror(errno));
            return NULL;
        }
        close(probe);
    }
    hph_quiet_begin(); /* libmpg123 prints its notes while libsndfile probes */
    SNDFILE *sf = sf_open(path, SFM_READ, &si);
    const int sf_err = sf ? 0 : sf_error(NULL), saved_errno = errno;
    hph_quiet_end();
    if (!sf) {
        const char *msg = sf_strerror(NULL);
        if (sf_err == SF_ERR_SYSTEM || strstr(msg, "System error"))
            set_why(why, why_len, strerror(saved_errno ? saved_errno : EIO));
        else if (sf_err == SF_ERR_UNRECOGNISED_FORMAT || strstr(msg, "ormat not recognised") ||
                 strstr(msg, "nknown format") || strstr(msg, "does not exist"))
            set_why(why, why_len, "not an audio file libsndfile can read (corrupt or unsupported format)");
        else
            snprintf(why, why_len, "corrupt or unsupported audio (libsndfile: %s)", msg);
        return NULL;
    }
    const int64_t said = S_ISREG(st.st_mode) ? wav_header_frames(path, si.format, si.channels) : -1;
    if (said > si.frames) {
        snprintf(why, why_len, "cut short: its header gives %lld frames, the file holds %lld", (long long)said,
                 (long long)si.frames);
        sf_close(sf);
        return NULL;
    }
    hph_audiofile *f = calloc(1, sizeof *f);
    if (!f) {
        sf_close(sf);
        set_why(why, why_len, "out of memory");
        return NULL;
    }
    f->sf = sf;
    f->fd = -1;
    const int sub = si.format & SF_FORMAT_SUBMASK;
    f->quiet = (si.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG || sub == SF_FORMAT_MPEG_LAYER_I ||
               sub == SF_FORMAT_MPEG_LAYER_II || sub == SF_FORMAT_MPEG_LAYER_III;
    f->info.rate_hz = (uint32_t)si.samplerate;
    f->info.channels = (uint32_t)si.channels;
    f->info.frames = si.frames > 0 && si.frames < SF_COUNT_MAX ? (int64_t)si.frames : -1;
    f->info.frames_exact = f->info.frames >= 0 && S_ISREG(st.st_mode) && count_is_exact(si.format);
    f->info.format = edge_format(si.format, f->info.codec, sizeof f->info.codec);
    *info = f->info;
    return f;
}

hph_container hph_audio_container_for(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return HPH_CONTAINER_NONE;
    if (strcasecmp(dot, ".wav") == 0)
        return HPH_CONTAINER_WAV;
    if (strcasecmp(dot, ".flac") == 0)
        return HPH_CONTAINER_FLAC;
    return HPH_CONTAINER_NONE;
}

int hph_audio_container_supports(hph_container c, hpa_format f)
{
    if (c == HPH_CONTAINER_WAV || c == HPH_CONTAINER_RF64)
        return 1;
    if (c == HPH_CONTAINER_FLAC)
        return f == HPA_FORMAT_S16 || f == HPA_FORMAT_S24;
    return 0;
}

/* Virtual I/O over our descriptor, so that every write error is seen: the
 * FLAC encoder writes its last frame while libsndfile closes the file and
 * libsndfile does not report a failure there. */
static sf_count_t vio_filelen(void *user)
{
    struct stat st;
    return fstat(((hph_audiofile *)user)->fd, &st) ? -1 : (sf_count_t)st.st_size;
}

static sf_count_t vio_seek(sf_count_t offset, int whence, void *user)
{
    return (sf_count_t)lseek(((hph_audiofile *)user)->fd, (off_t)offset, whence);
}

static sf_count_t vio_read(void *ptr, sf_count_t count, void *user)
{
    ssize_t n = read(((hph_audiofile *)user)->fd, ptr, (size_t)count);
    return n < 0 ? 0 : (sf_count_t)n;
}

static sf_count_t vio_write(const void *ptr, sf_count_t count, void *user)
{
    hph_audiofile *f = user;
    const char *p = ptr;
    sf_count_t done = 0;
    while (done < count) {
        ssize_t n = write(f->fd, p + done, (size_t)(count - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (!f->write_errno)
                f->write_errno = n < 0 ? errno : EIO;
            break;
        }
        done += n;
    }
    return done;
}

static sf_count_t vio_tell(void *user)
{
    return (sf_count_t)lseek(((hph_audiofile *)user)->fd, 0, SEEK_CUR);
}

hph_audiofile *hph_audio_open_write_fd(int fd, hph_container c, const hph_audio_info *info, char *why, size_t why_len)
{
    SF_INFO si;
    memset(&si, 0, sizeof si);
    si.samplerate = (int)info->rate_hz;
    si.channels = (int)info->channels;
    int sub;
    switch (info->format) {
    case HPA_FORMAT_S16: sub = SF_FORMAT_PCM_16; break;
    case HPA_FORMAT_S24: sub = SF_FORMAT_PCM_24; break;
    case HPA_FORMAT_S32: sub = SF_FORMAT_PCM_32; break;
    case HPA_FORMAT_F32: sub = SF_FORMAT_FLOAT; break;
    default: sub = SF_FORMAT_DOUBLE; break;
    }
    int major = SF_FORMAT_WAV;
    if (c == HPH_CONTAINER_FLAC)
        major = SF_FORMAT_FLAC;
    else if (c == HPH_CONTAINER_RF64)
        major = SF_FORMAT_RF64;
    else if (info->channels > 2 || info->format != HPA_FORMAT_S16)
        major = SF_FORMAT_WAVEX; /* WAVE_FORMAT_EXTENSIBLE: channel mask and >16-bit done right */
    si.format = major | sub;
    if (!sf_format_check(&si)) {
        set_why(why, why_len, "this container cannot hold that rate, channel count and sample format");
        return NULL;
    }
    hph_audiofile *f = calloc(1, sizeof *f);
    if (!f) {
        set_why(why, why_len, "out of memory");
        return NULL;
    }
    f->fd = fd;
    f->info = *info;
    if (c == HPH_CONTAINER_WAV)
        f->max_data_bytes = HPH_WAV_MAX_DATA_BYTES;
    SF_VIRTUAL_IO vio = {vio_filelen, vio_seek, vio_read, vio_write, vio_tell};
    f->sf = sf_open_virtual(&vio, SFM_WRITE, &si, f);
    if (!f->sf) {
        set_why(why, why_len, sf_strerror(NULL));
        free(f);
        return NULL;
    }
    /* RF64 that stays under 4 GiB is turned into a plain WAV at the end */
    if (c == HPH_CONTAINER_RF64)
        sf_command(f->sf, SFC_RF64_AUTO_DOWNGRADE, NULL, SF_TRUE);
    return f;
}

static int32_t *conv_buf(hph_audiofile *f, size_t frames)
{
    if (frames > f->conv_frames) {
        int32_t *p = realloc(f->conv, frames * f->info.channels * sizeof(int32_t));
        if (!p)
            return NULL;
        f->conv = p;
        f->conv_frames = frames;
    }
    return f->conv;
}

int64_t hph_audio_read(hph_audiofile *f, void *buf, size_t frames)
{
    sf_count_t n;
    if (f->quiet)
        hph_quiet_begin();
    switch (f->info.format) {
    case HPA_FORMAT_S16: n = sf_readf_short(f->sf, buf, (sf_count_t)frames); break;
    case HPA_FORMAT_S24: {
        int32_t *d = buf;
        n = sf_readf_int(f->sf, d, (sf_count_t)frames);
        for (sf_count_t i = 0; i < n * (sf_count_t)f->info.channels; i++)
            d[i] >>= 8; /* libsndfile left-justifies 24-bit samples in an int */
        break;
    }
    case HPA_FORMAT_S32: n = sf_readf_int(f->sf, buf, (sf_count_t)frames); break;
    case HPA_FORMAT_F32: n = sf_readf_float(f->sf, buf, (sf_count_t)frames); break;
    default: n = sf_readf_double(f->sf, buf, (sf_count_t)frames); break;
    }
    if (f->quiet)
        hph_quiet_end();
    if (n == 0 && sf_error(f->sf) != SF_ERR_NO_ERROR) {
        if (f->quiet) /* libsndfile says only "Unspecified internal error" */
            snprintf(f->why, sizeof f->why, "corrupt MPEG audio: the decoder (libmpg123) gave up");
        return -1;
    }
    f->frames_read += n;
    if (n == 0 && f->info.frames_exact && f->frames_read < f->info.frames) {
        /* the end came before the header's count: cut short, or being cut */
        snprintf(f->why, sizeof f->why,
                 "the audio ends after %lld of the %lld frames its header gives (cut short, or truncated while "
                 "being read)",
                 (long long)f->frames_read, (long long)f->info.frames);
        return -1;
    }
    return (int64_t)n;
}

int hph_audio_write(hph_audiofile *f, const void *buf, size_t frames)
{
    sf_count_t n, want = (sf_count_t)frames;
    if (!frames)
        return 0;
    const uint64_t bytes = (uint64_t)frames * f->info.channels * hpa_format_bytes(f->info.format);
    if (f->max_data_bytes && f->data_bytes + bytes > f->max_data_bytes) {
        errno = EFBIG; /* a WAV's sizes would wrap */
        return -1;
    }
    f->data_bytes += bytes;
    errno = 0;
    switch (f->info.format) {
    case HPA_FORMAT_S16: n = sf_writef_short(f->sf, buf, want); break;
    case HPA_FORMAT_S24: {
        int32_t *t = conv_buf(f, frames);
        const int32_t *s = buf;
        if (!t) {
            errno = ENOMEM;
            return -1;
        }
        for (size_t i = 0; i < frames * f->info.channels; i++)
            t[i] = (int32_t)((uint32_t)s[i] << 8);
        n = sf_writef_int(f->sf, t, want);
        break;
    }
    case HPA_FORMAT_S32: n = sf_writef_int(f->sf, buf, want); break;
    case HPA_FORMAT_F32: n = sf_writef_float(f->sf, buf, want); break;
    default: n = sf_writef_double(f->sf, buf, want); break;
    }
    if (n == want)
        return 0;
    errno = f->write_errno;
    return -1;
}

int hph_audio_close(hph_audiofile *f)
{
    if (!f)
        return 0;
    if (f->quiet)
        hph_quiet_begin();
    int rc = sf_close(f->sf) == 0 ? 0 : -1;
    if (f->quiet)
        hph_quiet_end();
    if (f->fd >= 0 && f->write_errno) { /* a written file: the descriptor stays the caller's */
        errno = f->write_errno;
        rc = -1;
    }
    free(f->conv);
    free(f);
    return rc;
}

const char *hph_audio_error(hph_audiofile *f)
{
    if (f && f->why[0])
        return f->why;
    return sf_strerror(f ? f->sf : NULL);
}
