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
    int64_t pos; /* read from standard input: this reader's byte position in it */
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

/* Reads n bytes at offset at of a source (a descriptor, standard input's
 * kept head); returns how many. */
typedef size_t (*read_at_fn)(void *src, void *buf, size_t n, int64_t at);

typedef struct fd_src {
    int fd;
    int64_t base; /* where the file starts in it */
} fd_src;

static size_t fd_read_at(void *src, void *buf, size_t n, int64_t at)
{
    const fd_src *d = src;
    ssize_t got = pread(d->fd, buf, n, (off_t)(d->base + at));
    return got < 0 ? 0 : (size_t)got;
}

/* The frame count a WAV's header gives (its data chunk's size), or -1 when
 * it gives none or this is not a PCM WAV: libsndfile reports only what the
 * file holds when it is shorter than its header says.  The sizes a writer
 * that cannot seek puts there (0, ~0, sox's 0x7ffff000) give none. */
static int64_t wav_header_frames(read_at_fn rd, void *src, int sf_format, int channels)
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
    unsigned char h[12];
    int64_t frames = -1;
    if (rd(src, h, 12, 0) == 12 && !memcmp(h, "RIFF", 4) && !memcmp(h + 8, "WAVE", 4)) {
        int64_t at = 12;
        for (int chunk = 0; chunk < 1000 && rd(src, h, 8, at) == 8; chunk++) {
            const uint32_t size = h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
            if (!memcmp(h, "data", 4)) {
                if (size != 0 && size != UINT32_MAX && size != 0x7ffff000u) /* written as a stream, no length */
                    frames = (int64_t)(size / ((uint32_t)width * (uint32_t)channels));
                break;
            }
            at += 8 + (int64_t)size + (size & 1);
        }
    }
    return frames;
}

/* ---- standard input ----
 * One stream for the whole process.  A regular file there is read with
 * pread from where it started.  A pipe is read once; its first
 * HPH_STDIN_REPLAY_BYTES are kept so that a second reader (play's probe,
 * then its decoder) and libsndfile's seeks back into the header are served
 * from memory.  libsndfile's WAV parser seeks past the data chunk to look
 * for chunks after it: a read that far ahead of the stream (beyond what
 * could be kept) reads as the end, without consuming the stream. */
static struct {
    int init, regular;
    int64_t base, size;  /* a regular file: where it started, its length from there */
    unsigned char *head; /* a pipe: bytes [0, got) while got <= HPH_STDIN_REPLAY_BYTES */
    int head_gone;       /* a reader went past them: no going back */
    int64_t got;         /* a pipe: bytes taken from it so far */
} in0;

static int stdin_init(char *why, size_t why_len)
{
    if (in0.init)
        return 0;
    struct stat st;
    if (fstat(0, &st) != 0) {
        set_why(why, why_len, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        set_why(why, why_len, strerror(EISDIR));
        return -1;
    }
    if (S_ISREG(st.st_mode)) {
        off_t at = lseek(0, 0, SEEK_CUR);
        in0.regular = 1;
        in0.base = at > 0 ? (int64_t)at : 0;
        in0.size = (int64_t)st.st_size > in0.base ? (int64_t)st.st_size - in0.base : 0;
    } else if (!(in0.head = malloc(HPH_STDIN_REPLAY_BYTES))) {
        set_why(why, why_len, "out of memory");
        return -1;
    }
    in0.init = 1;
    return 0;
}

/* read count bytes of the pipe into dst (taking them from it), keeping
 * them while they fit in the head; returns how many (fewer at its end) */
static int64_t pipe_take(void *dst, int64_t count)
{
    int64_t done = 0;
    while (done < count) {
        ssize_t n = read(0, (char *)dst + done, (size_t)(count - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (!in0.head_gone && in0.got + n <= (int64_t)HPH_STDIN_REPLAY_BYTES)
            memcpy(in0.head + in0.got, (char *)dst + done, (size_t)n);
        else if (!in0.head_gone) {
            in0.head_gone = 1;
            free(in0.head);
            in0.head = NULL;
        }
        in0.got += n;
        done += n;
    }
    return done;
}

static sf_count_t in0_filelen(void *user)
{
    (void)user;
    return in0.regular ? (sf_count_t)in0.size : SF_COUNT_MAX;
}

static sf_count_t in0_seek(sf_count_t offset, int whence, void *user)
{
    hph_audiofile *f = user;
    int64_t to;
    if (whence == SEEK_SET)
        to = offset;
    else if (whence == SEEK_CUR)
        to = f->pos + offset;
    else if (in0.regular)
        to = in0.size + offset;
    else
        return -1; /* a pipe's end is not known */
    if (to < 0 || (!in0.regular && to < in0.got && in0.head_gone))
        return -1;
    f->pos = to;
    return to;
}

static sf_count_t in0_read(void *ptr, sf_count_t count, void *user)
{
    hph_audiofile *f = user;
    if (count <= 0)
        return 0;
    if (in0.regular) {
        int64_t done = 0;
        while (done < count) {
            ssize_t n = pread(0, (char *)ptr + done, (size_t)(count - done), (off_t)(in0.base + f->pos + done));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            done += n;
        }
        f->pos += done;
        return done;
    }
    int64_t done = 0;
    if (f->pos < in0.got) { /* again, from the head */
        if (in0.head_gone)
            return 0;
        done = in0.got - f->pos < count ? in0.got - f->pos : count;
        memcpy(ptr, in0.head + f->pos, (size_t)done);
        f->pos += done;
    }
    if (f->pos > in0.got) { /* ahead of the stream: skip to there while it can be kept */
        if (in0.head_gone || f->pos > (int64_t)HPH_STDIN_REPLAY_BYTES)
            return done;
        unsigned char skip[4096];
        while (in0.got < f->pos) {
            int64_t want = f->pos - in0.got < (int64_t)sizeof skip ? f->pos - in0.got : (int64_t)sizeof skip;
            if (pipe_take(skip, want) < want)
                return done;
        }
    }
    if (done < count) {
        int64_t n = pipe_take((char *)ptr + done, count - done);
        f->pos += n;
        done += n;
    }
    return done;
}

static sf_count_t in0_write(const void *ptr, sf_count_t count, void *user)
{
    (void)ptr, (void)count, (void)user;
    return 0;
}

static sf_count_t in0_tell(void *user)
{
    return ((hph_audiofile *)user)->pos;
}

static size_t head_read_at(void *src, void *buf, size_t n, int64_t at)
{
    (void)src;
    if (in0.head_gone || at >= in0.got)
        return 0;
    if ((int64_t)n > in0.got - at)
        n = (size_t)(in0.got - at);
    memcpy(buf, in0.head + at, n);
    return n;
}

int hph_audio_raw_parse(const char *spec, hph_audio_raw *raw, char *why, size_t why_len)
{
    static const struct {
        const char *name;
        int sub, endian;
        hpa_format f;
    } encs[] = {
        {"s8", SF_FORMAT_PCM_S8, 0, HPA_FORMAT_S16},
        {"u8", SF_FORMAT_PCM_U8, 0, HPA_FORMAT_S16},
        {"s16le", SF_FORMAT_PCM_16, SF_ENDIAN_LITTLE, HPA_FORMAT_S16},
        {"s16be", SF_FORMAT_PCM_16, SF_ENDIAN_BIG, HPA_FORMAT_S16},
        {"s24le", SF_FORMAT_PCM_24, SF_ENDIAN_LITTLE, HPA_FORMAT_S24},
        {"s24be", SF_FORMAT_PCM_24, SF_ENDIAN_BIG, HPA_FORMAT_S24},
        {"s32le", SF_FORMAT_PCM_32, SF_ENDIAN_LITTLE, HPA_FORMAT_S32},
        {"s32be", SF_FORMAT_PCM_32, SF_ENDIAN_BIG, HPA_FORMAT_S32},
        {"f32le", SF_FORMAT_FLOAT, SF_ENDIAN_LITTLE, HPA_FORMAT_F32},
        {"f32be", SF_FORMAT_FLOAT, SF_ENDIAN_BIG, HPA_FORMAT_F32},
        {"f64le", SF_FORMAT_DOUBLE, SF_ENDIAN_LITTLE, HPA_FORMAT_F64},
        {"f64be", SF_FORMAT_DOUBLE, SF_ENDIAN_BIG, HPA_FORMAT_F64},
    };
    const char *c1 = strchr(spec, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c1 || !c2) {
        set_why(why, why_len, "takes ENCODING:RATE:CHANNELS, e.g. s16le:48000:2");
        return -1;
    }
    size_t i, n = sizeof encs / sizeof encs[0];
    for (i = 0; i < n; i++)
        if (strlen(encs[i].name) == (size_t)(c1 - spec) && !strncasecmp(spec, encs[i].name, (size_t)(c1 - spec)))
            break;
    if (i == n) {
        set_why(why, why_len,
                "the encoding is one of s8 u8 s16le s16be s24le s24be s32le s32be f32le f32be f64le f64be");
        return -1;
    }
    char *end;
    errno = 0;
    unsigned long rate = strtoul(c1 + 1, &end, 10);
    if (errno || end != c2 || c1[1] < '0' || c1[1] > '9' || rate < HPA_RATE_MIN_HZ || rate > HPA_RATE_MAX_HZ) {
        set_why(why, why_len, "the rate is a whole number of Hz from 8000 to 768000");
        return -1;
    }
    unsigned long ch = strtoul(c2 + 1, &end, 10);
    if (errno || *end || c2[1] < '0' || c2[1] > '9' || ch < 1 || ch > HPA_CHANNELS_MAX) {
        snprintf(why, why_len, "the channels are 1 to %u", HPA_CHANNELS_MAX);
        return -1;
    }
    raw->format = encs[i].f;
    raw->sf_subtype = encs[i].sub | encs[i].endian;
    raw->rate_hz = (uint32_t)rate;
    raw->channels = (uint32_t)ch;
    return 0;
}

/* libsndfile's reason for not opening, as one line without the path */
static void open_failure(char *why, size_t why_len, int sf_err, int saved_errno)
{
    const char *msg = sf_strerror(NULL);
    if (sf_err == SF_ERR_SYSTEM || strstr(msg, "System error"))
        set_why(why, why_len, strerror(saved_errno ? saved_errno : EIO));
    else if (sf_err == SF_ERR_UNRECOGNISED_FORMAT || strstr(msg, "ormat not recognised") ||
             strstr(msg, "nknown format") || strstr(msg, "does not exist") || strstr(msg, "lost sync"))
        set_why(why, why_len, "not an audio file libsndfile can read (corrupt or unsupported format)");
    else
        snprintf(why, why_len, "corrupt or unsupported audio (libsndfile: %s)", msg);
}

hph_audiofile *hph_audio_open_read(const char *path, hph_audio_info *info, char *why, size_t why_len)
{
    return hph_audio_open_read_as(path, NULL, info, why, why_len);
}

hph_audiofile *hph_audio_open_read_as(const char *path, const hph_audio_raw *raw, hph_audio_info *info, char *why,
                                      size_t why_len)
{
    SF_INFO si;
    memset(&si, 0, sizeof si);
    if (raw) {
        si.format = SF_FORMAT_RAW | raw->sf_subtype;
        si.samplerate = (int)raw->rate_hz;
        si.channels = (int)raw->channels;
    }
    const int is_stdin = !strcmp(path, HPH_AUDIO_STDIN);
    struct stat st;
    if (is_stdin) {
        if (stdin_init(why, why_len))
            return NULL;
        if (!in0.regular && in0.head_gone) {
            set_why(why, why_len, "standard input has been read already: a stream is read once");
            return NULL;
        }
        memset(&st, 0, sizeof st);
        st.st_mode = in0.regular ? S_IFREG : S_IFIFO;
        st.st_size = (off_t)in0.size;
    } else if (stat(path, &st) != 0) {
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
    if (S_ISREG(st.st_mode) && !is_stdin) {
        int probe = open(path, O_RDONLY | O_CLOEXEC);
        if (probe < 0) {
            set_why(why, why_len, strerror(errno));
            return NULL;
        }
        close(probe);
    }
    hph_audiofile *f = calloc(1, sizeof *f);
    if (!f) {
        set_why(why, why_len, "out of memory");
        return NULL;
    }
    f->fd = -1;
    hph_quiet_begin(); /* libmpg123 prints its notes while libsndfile probes */
    SNDFILE *sf;
    unsigned char first;
    if (is_stdin && raw && in0_read(&first, 1, f) < 1) { /* libsndfile takes an empty raw stream */
        hph_quiet_end();
        set_why(why, why_len, "empty, no audio");
        free(f);
        return NULL;
    }
    f->pos = 0;
    if (is_stdin) {
        SF_VIRTUAL_IO vio = {in0_filelen, in0_seek, in0_read, in0_write, in0_tell};
        sf = sf_open_virtual(&vio, SFM_READ, &si, f);
    } else {
        sf = sf_open(path, SFM_READ, &si);
    }
    const int sf_err = sf ? 0 : sf_error(NULL), saved_errno = errno;
    hph_quiet_end();
    if (!sf) {
        open_failure(why, why_len, sf_err, saved_errno);
        free(f);
        return NULL;
    }
    const int stream = is_stdin && !in0.regular;
    int64_t said = -1;
    if (stream)
        said = wav_header_frames(head_read_at, NULL, si.format, si.channels);
    else if (S_ISREG(st.st_mode)) {
        fd_src src = {is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC), is_stdin ? in0.base : 0};
        if (src.fd >= 0)
            said = wav_header_frames(fd_read_at, &src, si.format, si.channels);
        if (!is_stdin && src.fd >= 0)
            close(src.fd);
    }
    if (!stream && said > si.frames) {
        snprintf(why, why_len, "cut short: its header gives %lld frames, the file holds %lld", (long long)said,
                 (long long)si.frames);
        sf_close(sf);
        free(f);
        return NULL;
    }
    f->sf = sf;
    const int sub = si.format & SF_FORMAT_SUBMASK, major = si.format & SF_FORMAT_TYPEMASK;
    f->quiet = major == SF_FORMAT_MPEG || sub == SF_FORMAT_MPEG_LAYER_I || sub == SF_FORMAT_MPEG_LAYER_II ||
               sub == SF_FORMAT_MPEG_LAYER_III;
    f->info.rate_hz = (uint32_t)si.samplerate;
    f->info.channels = (uint32_t)si.channels;
    f->info.frames = si.frames > 0 && si.frames < SF_COUNT_MAX ? (int64_t)si.frames : -1;
    f->info.frames_exact = f->info.frames >= 0 && S_ISREG(st.st_mode) && count_is_exact(si.format);
    if (stream) { /* a stream's length: what a WAV's header or FLAC's STREAMINFO says, as a hint */
        if (major == SF_FORMAT_WAV || major == SF_FORMAT_WAVEX)
            f->info.frames = said;
        else if (major != SF_FORMAT_FLAC)
            f->info.frames = -1;
    }
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
