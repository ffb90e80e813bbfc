/* audiofile.h — audio files through libsndfile, in the chain's edge formats. */
#ifndef HPAMP_HOST_AUDIOFILE_H
#define HPAMP_HOST_AUDIOFILE_H

#include <stddef.h>
#include <stdint.h>

#include <hpamp/chain.h>

typedef struct hph_audiofile hph_audiofile;

typedef struct hph_audio_info {
    uint32_t rate_hz;
    uint32_t channels;
    int64_t frames;    /* -1 when the file does not say */
    int frames_exact;  /* frames is the file's own count (PCM in a file, FLAC), not an estimate */
    hpa_format format; /* the edge format samples are read or written in */
    char codec[32];    /* "FLAC 16-bit", "WAV float", "Ogg Vorbis", ... */
} hph_audio_info;

/* Open a file for reading.  On failure returns NULL and writes a one-line
 * reason (without the path) to why.  The path "-" is standard input (a
 * file named "-" is "./-"): a pipe is read as a stream, once.  Its first
 * HPH_STDIN_REPLAY_BYTES are kept, so it may be opened again (one reader at
 * a time) until a reader has gone past them: a probe of the format, then
 * the real read.  A stream has no known length (frames -1) unless a WAV's
 * header or FLAC's STREAMINFO gives one. */
hph_audiofile *hph_audio_open_read(const char *path, hph_audio_info *info, char *why, size_t why_len);

#define HPH_AUDIO_STDIN "-"
#define HPH_STDIN_REPLAY_BYTES (1u << 20)

/* Headerless PCM: how to read it. */
typedef struct hph_audio_raw {
    hpa_format format; /* the edge format it is read into (s16, s24, s32, f32, f64) */
    int sf_subtype;    /* the bytes' encoding, as hph_audio_raw_parse found it */
    uint32_t rate_hz;
    uint32_t channels;
} hph_audio_raw;

/* "ENC:RATE:CHANNELS", ENC one of s8 u8 s16le s16be s24le s24be s32le s32be
 * f32le f32be f64le f64be (ffmpeg's names; s24 is 3 bytes), RATE 8000 to
 * 768000, CHANNELS 1 to HPA_CHANNELS_MAX.  0, or -1 with why. */
int hph_audio_raw_parse(const char *spec, hph_audio_raw *raw, char *why, size_t why_len);

/* hph_audio_open_read, or with raw set the file (or "-") as headerless PCM. */
hph_audiofile *hph_audio_open_read_as(const char *path, const hph_audio_raw *raw, hph_audio_info *info, char *why,
                                      size_t why_len);

/* Output containers chosen by extension; RF64 is a .wav that may pass
 * 4 GiB (libsndfile writes RF64 and, when it stays smaller, a plain WAV). */
typedef enum { HPH_CONTAINER_NONE = 0, HPH_CONTAINER_WAV, HPH_CONTAINER_FLAC, HPH_CONTAINER_RF64 } hph_container;

/* The most sample bytes a plain WAV holds: its sizes are 32-bit, and the
 * header (with a PEAK chunk for float samples) comes out of the same 4 GiB. */
#define HPH_WAV_MAX_DATA_BYTES (UINT32_C(0xFFFFFFFF) - UINT32_C(4096))

/* The container for a path's extension (case-insensitive .wav / .flac), or NONE. */
hph_container hph_audio_container_for(const char *path);

/* The highest rate a FLAC file can hold: its frame headers code the rate in
 * at most 16 bits of 10 Hz steps, and libsndfile refuses more. */
#define HPH_FLAC_MAX_RATE_HZ 655350u

/* 1 if the container can store samples of this format. */
int hph_audio_container_supports(hph_container c, hpa_format f);

/* Open an already-created file descriptor for writing.  The descriptor
 * stays the caller's (hph_audio_close does not close it); hph_audio_close
 * fails if any write failed, even one libsndfile did not report. */
hph_audiofile *hph_audio_open_write_fd(int fd, hph_container c, const hph_audio_info *info, char *why, size_t why_len);

/* Read up to frames frames into buf (info.format samples). Returns frames
 * read, 0 at the end, -1 on error. */
int64_t hph_audio_read(hph_audiofile *f, void *buf, size_t frames);

/* Write frames; returns 0 or -1 with errno set (0 if the system gave no
 * reason).  A plain WAV refuses to pass HPH_WAV_MAX_DATA_BYTES (EFBIG)
 * rather than wrap its sizes. */
int hph_audio_write(hph_audiofile *f, const void *buf, size_t frames);

/* Close; returns 0 or -1 if finishing the file failed. NULL is a no-op. */
int hph_audio_close(hph_audiofile *f);

/* libsndfile's last error text for this file. */
const char *hph_audio_error(hph_audiofile *f);

#endif
