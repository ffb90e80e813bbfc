/* http.h — the local control surface: an HTTP API (JSON under /api/v1/)
 * and the page that drives it, for any front end that has a session
 * (`hpamp play --http`, `hpamp amp`).  libmicrohttpd serves, cJSON reads
 * and writes; see docs/web.md for the API.
 *
 * Security: loopback unless the caller names another address; a random
 * token (getrandom) required on every /api/ call (Authorization: Bearer, or
 * X-Hpamp-Token); Host and Origin must name this server (no DNS rebinding,
 * no cross-site POST); bodies over HPH_HTTP_BODY_MAX are refused (413); a
 * strict Content-Security-Policy (the page loads only itself).
 *
 * Threads: the server runs its own threads.  Every change goes through
 * hph_session_request (the one policy path: the safe level, the
 * acknowledgement, the ceiling); everything else it shows is what the front
 * end last gave hph_http_publish, copied under the server's own lock.  The
 * audio thread is never touched.  Nothing here prints: errors come back in
 * `why`. */
#ifndef HPAMP_HOST_HTTP_H
#define HPAMP_HOST_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <hpamp/eq.h>
#include <hpamp/host/dose.h>
#include <hpamp/host/session.h>
#include <hpamp/model.h>
#include <hpamp/safety.h>

#define HPH_HTTP_BODY_MAX 65536 /* bytes of a request body */
#define HPH_HTTP_TOKEN_LEN 64   /* hex characters */

typedef struct hph_http hph_http;

/* Where to listen: "PORT" (loopback), "ADDR:PORT", "[ADDR6]:PORT".  0 with
 * *explicit_addr set when an address was named, -1 when text is not one. */
int hph_http_parse_listen(const char *text, char *addr, size_t addr_len, uint16_t *port, int *explicit_addr);

/* What the server is given once, at start. */
typedef struct hph_http_config {
    const char *listen;   /* as hph_http_parse_listen */
    hph_session *session; /* the one policy path; must outlive the server */
    hpa_safety safety;    /* the levels the session enforces (for dB SPL and the state) */
    /* the EQ for GET curves (NULL: none), at eq_rate_hz; copied */
    const hpa_eq_band *eq_bands;
    size_t n_eq_bands;
    double eq_preamp_db, eq_rate_hz;
    /* the gear for the output-impedance curve (NULL: unknown); copied */
    const hpa_headphone *headphone;
    double zout_ohm;                           /* NaN: unknown */
    const char *headphones, *source, *profile; /* names for the state (NULL: none) */
    const char *token_dir;                     /* where the token file goes (NULL: $XDG_RUNTIME_DIR/hpamp) */
    const char *preset;                        /* the preset in use at the start (NULL: none) */
    /* POST preset: apply the preset NAME live (NULL: the request is refused,
     * 409).  Called on a server thread, never the audio thread, one call at
     * a time; it may load files and build band sets.  Returns
     * HPH_HTTP_APPLIED, HPH_HTTP_NO_PRESET (404) or HPH_HTTP_CANNOT (409),
     * why saying why not.  When it changes the EQ it also calls
     * hph_http_set_eq for GET curves. */
    int (*apply_preset)(void *user, const char *name, char *why, size_t why_len);
    void *apply_user;
} hph_http_config;

enum { HPH_HTTP_APPLIED = 0, HPH_HTTP_NO_PRESET = -1, HPH_HTTP_CANNOT = -2 };

/* What the front end shows now: given to hph_http_publish from its own loop
 * (never from the audio thread). */
typedef struct hph_http_snapshot {
    /* the player */
    const char *file; /* copied */
    int index, n_files;
    double position_s, length_s;
    uint32_t rate_hz, in_rate_hz, channels;
    const char *format, *backend, *device; /* copied */
    uint32_t period_frames;
    /* meters since the last publish */
    double peak[HPA_CHANNELS_MAX]; /* linear, 1.0 = 0 dBFS */
    double limiter_db;             /* gain reduction, >= 0 */
    uint64_t clipped, xruns;
    uint64_t a_frames;                 /* cumulative A-weighted frames */
    double a_energy[HPA_CHANNELS_MAX]; /* cumulative A-weighted sums of squares */
    int have_lufs;                     /* lufs_st is given */
    double lufs_st;                    /* the output's short-term loudness (EBU R 128, 3 s), LUFS */
    /* the dose (have_dose 0: none recorded) */
    int have_dose, dose_mode;
    double dose_percent;
    hph_dose_day days[HPA_DOSE_DAYS];
} hph_http_snapshot;

/* Start serving: the listening address is checked (a non-loopback address
 * only when named), the token made and written (mode 0600) to the token
 * file.  url receives "http://HOST:PORT/#token=TOKEN", token_path the file
 * (empty when there is no runtime folder).  NULL with why on failure. */
hph_http *hph_http_start(const hph_http_config *cfg, char *url, size_t url_len, char *token_path, size_t path_len,
                         char *why, size_t why_len);

/* [non-RT] What the front end shows now (see hph_http_snapshot). */
void hph_http_publish(hph_http *h, const hph_http_snapshot *snap);

/* [non-RT] The EQ GET curves shows from now on (the user's bands at
 * rate_hz; n 0: none); copied. */
void hph_http_set_eq(hph_http *h, const hpa_eq_band *bands, size_t n, double preamp_db, double rate_hz);

/* Requests served so far, and those refused (4xx). */
void hph_http_counts(hph_http *h, uint64_t *served, uint64_t *refused);

/* Stop serving, remove the token file, free everything. */
void hph_http_stop(hph_http *h);

#endif
