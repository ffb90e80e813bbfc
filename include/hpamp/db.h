/* db.h — the headphone and source database.
 *
 * Built-in entries come from data/headphones.csv and data/sources.csv,
 * compiled into the library; the caller may add its own entries in the same
 * CSV format (the hpamp command reads $XDG_CONFIG_HOME/hpamp/headphones.csv
 * and sources.csv).  The library never reads a file and never prints: the
 * caller passes text, and malformed lines come back as diagnostics
 * ("origin:line: why") in a list the caller supplies, while the rest loads.
 *
 * Every fact keeps the citation it came with (the `source` field).  Unknown
 * numbers are NaN.  Units are in the names: _ohm, _hz, _mw, _v (RMS volts),
 * _ma (RMS milliamps), _db; sensitivity_db_mw is dB SPL for 1 mW,
 * sensitivity_db_v dB SPL for 1 V RMS, mv_for_94db the measured mV RMS that
 * give 94 dB SPL.
 *
 * Names are looked up forgivingly: case, spaces, hyphens and punctuation do
 * not matter ("hd600", "HD-600", "hd 600", "Sennheiser HD600" all find
 * Sennheiser HD 600).  A name may be the model alone, brand and model, the
 * entry's id, one of its aliases (the `aliases` column: "HD 6XX" finds the
 * HD 650), and for a source either of those followed by its output (se or
 * bal).  An exact match wins; otherwise a name that is the start of, then a
 * part of, exactly one entry's name finds it; otherwise its words, in any
 * order, each a word of the entry's brand or model or its category ("pixel
 * dongle", "apple usb-c us": "us" is a word of "... Adapter (US, A2049)", not
 * of "USB-C"); an unknown name answers with the closest names (edit
 * distance; aliases count), always some when the table is not empty.
 *
 * Thread classes: [non-RT] create/add/destroy; the [any] getters, lookup and
 * search only read and may run concurrently with each other, but not with
 * hpa_db_add_text or hpa_db_add_spec on the same database.
 */
#ifndef HPAMP_DB_H
#define HPAMP_DB_H

#include <stddef.h>

#include <hpamp/hpamp.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hpa_db hpa_db;

/* Which table; as a mask, HPA_DB_ANY means both. */
typedef enum hpa_db_kind { HPA_DB_HEADPHONES = 1, HPA_DB_SOURCES = 2, HPA_DB_ANY = 3 } hpa_db_kind;

typedef enum hpa_db_hp_type {
    HPA_DB_TYPE_UNKNOWN = 0,
    HPA_DB_TYPE_OVER_EAR,
    HPA_DB_TYPE_ON_EAR,
    HPA_DB_TYPE_IEM,
    HPA_DB_TYPE_EARBUD
} hpa_db_hp_type;

typedef enum hpa_db_driver {
    HPA_DB_DRIVER_UNKNOWN = 0,
    HPA_DB_DRIVER_DYNAMIC,
    HPA_DB_DRIVER_PLANAR,
    HPA_DB_DRIVER_BA,     /* balanced armature */
    HPA_DB_DRIVER_HYBRID, /* dynamic + balanced armature (or more) */
    HPA_DB_DRIVER_ELECTROSTATIC
} hpa_db_driver;

typedef enum hpa_db_back {
    HPA_DB_BACK_UNKNOWN = 0,
    HPA_DB_BACK_OPEN,
    HPA_DB_BACK_CLOSED,
    HPA_DB_BACK_SEMI /* semi-open or semi-closed */
} hpa_db_back;

typedef enum hpa_db_src_kind {
    HPA_DB_SRC_UNKNOWN = 0,
    HPA_DB_SRC_PHONE,
    HPA_DB_SRC_DONGLE,       /* USB or Lightning adapter */
    HPA_DB_SRC_LAPTOP,       /* a computer's jack (also desktop-PC onboard audio) */
    HPA_DB_SRC_DAP,          /* digital audio player ("player") */
    HPA_DB_SRC_PORTABLE_AMP, /* battery-powered amp or DAC/amp ("portable") */
    HPA_DB_SRC_DAC_AMP,      /* mains-powered DAC with a headphone amp */
    HPA_DB_SRC_DESKTOP_AMP   /* mains-powered headphone amp ("desktop") */
} hpa_db_src_kind;

typedef enum hpa_db_output {
    HPA_DB_OUTPUT_SE = 0, /* single-ended */
    HPA_DB_OUTPUT_BAL = 1 /* balanced */
} hpa_db_output;

/* A headphone or earphone.  Strings are UTF-8, never NULL (empty when not
 * given), owned by the database. */
typedef struct hpa_db_headphone {
    const char *id; /* stable name, e.g. "sennheiser-hd-600" */
    const char *brand, *model;
    hpa_db_hp_type type;
    hpa_db_driver driver;
    hpa_db_back back;
    double impedance_ohm;      /* nominal impedance */
    double sensitivity_db_mw;  /* dB SPL for 1 mW, as the maker states it */
    double sensitivity_db_v;   /* dB SPL for 1 V RMS */
    double mv_for_94db;        /* measured mV RMS for 94 dB SPL */
    double impedance_peak_ohm; /* the bass resonance peak of |Z| (or the highest |Z| measured) */
    double impedance_peak_hz;  /* where it is */
    double max_input_mw;       /* the maker's power handling */
    double sensitivity_ref_hz; /* the frequency the sensitivity is stated at, where the maker says
                                  * (Beyerdynamic: 500 Hz); NaN: not stated (usually 1 kHz) */
    int active;                /* 1: carries its own amplifier (noise-cancelling or otherwise powered):
                                  * the source drives that amplifier, not the drivers; 0: passive or not
                                  * stated */
    const char *aliases;       /* other names it goes by, separated by ';' ("HD 6XX; HD6XX") */
    const char *source;        /* where the facts come from (citation) */
    const char *origin;        /* "built-in" or the origin name given to hpa_db_add_text */
    unsigned line;             /* line of the entry in its origin (0 for a spec) */
} hpa_db_headphone;

#define HPA_DB_MAX_GAINS 8

/* A source: phone, dongle, computer jack, player, amplifier — one output. */
typedef struct hpa_db_source {
    const char *id, *brand, *model;
    hpa_db_src_kind kind;
    hpa_db_output output;
    double vout_max_rms_v;             /* most RMS volts it gives (the maker's "up to" or a measured clean maximum) */
    double vout_load_ohm;              /* the load vout_max_rms_v was stated into; NaN: none or not stated */
    double power_mw_32;                /* power into 32 ohm (or the nearest stated load: see source) */
    double power_mw_300;               /* power into 300 ohm */
    double zout_ohm;                   /* output impedance */
    double imax_ma;                    /* RMS current limit */
    const char *gain_settings;         /* the gain settings as stated, e.g. "0 / +15.5" or "Hi/Lo Power" */
    double gain_db[HPA_DB_MAX_GAINS];  /* the same, when they are all numbers in dB */
    unsigned n_gains;                  /* 0: none stated, or not as numbers */
    int battery;                       /* 1 battery-powered, 0 not, -1 not stated */
    double battery_h;                  /* rated battery life, hours */
    double snr_db, sinad_db;           /* as stated; conditions differ between rows (see source) */
    double snr_ref_v;                  /* the output voltage snr_db is stated against; NaN: its full output */
    double noise_uv;                   /* output noise, uV RMS A-weighted (as stated) */
    const char *mode_of;               /* rows with the same non-empty mode_of are modes of one device
                                       * (outputs, market versions, load ranges) */
    double load_min_ohm, load_max_ohm; /* this mode applies to headphones of nominal impedance in
                                        * [min, max); NaN: no bound */
    const char *aliases;               /* other names, separated by ';' ("apple dongle; A2049") */
    const char *source, *origin;
    unsigned line;
} hpa_db_source;

/* One diagnostic: origin is the very pointer passed to hpa_db_add_text (the
 * caller's string), line is 1-based; message says why, without the origin. */
typedef struct hpa_db_diag {
    const char *origin;
    unsigned line;
    char message[160];
} hpa_db_diag;

/* The caller's list: items[0 .. capacity) storage; the library appends up
 * to capacity entries and counts every diagnostic in total (total > count
 * means some were dropped).  Set count = total = 0 before the first use. */
typedef struct hpa_db_diags {
    hpa_db_diag *items;
    size_t capacity;
    size_t count;
    size_t total;
} hpa_db_diags;

/* [non-RT] A database holding the built-in entries.  On failure *out is NULL. */
HPA_API int hpa_db_create(hpa_db **out);

/* [non-RT] An empty database (no built-in entries). */
HPA_API int hpa_db_create_empty(hpa_db **out);

/* [non-RT] Free it; NULL is a no-op. */
HPA_API void hpa_db_destroy(hpa_db *db);

/* [any] The built-in CSV text of one table (HPA_DB_HEADPHONES or
 * HPA_DB_SOURCES), NUL-terminated; *len (may be NULL) gets its length.
 * NULL for any other kind. */
HPA_API const char *hpa_db_builtin_text(hpa_db_kind kind, size_t *len);

/* Entries one text may add; the rest of a longer text is reported and skipped. */
#define HPA_DB_MAX_TEXT_ENTRIES 100000u

/* [non-RT] Add the entries of len bytes of CSV text to one table (see
 * data/SOURCES.md for the format: a header line naming the columns, `brand`
 * and `model` required).  origin names the text in diagnostics and in each
 * entry's `origin` (it is copied for the entries, not for the diagnostics).
 * A malformed line is reported in diags (may be NULL) and skipped; the other
 * lines load.  An entry whose id is already in the table from an earlier
 * text replaces it; the same id twice in one text is reported.  *added (may
 * be NULL) receives the number of entries added or replaced.  Pointers to
 * entries obtained before are invalid afterwards.
 * Returns HPA_OK (even when lines were skipped), HPA_ERR_INVALID_ARG or
 * HPA_ERR_NO_MEMORY (then the table is as before the call). */
HPA_API int hpa_db_add_text(hpa_db *db, hpa_db_kind kind, const char *text, size_t len, const char *origin,
                            hpa_db_diags *diags, size_t *added);

/* [non-RT] Add an entry made from an ad-hoc spec, comma-separated numbers
 * with units (case and spaces do not matter):
 *   headphones: impedance "300ohm" (required) and a sensitivity "97dB/mW",
 *               "122dB/V" or "288mV" (mV for 94 dB SPL; one at least);
 *               words: a type (iem, over-ear, ...), a driver (planar, ...),
 *               "active" or "anc".
 *   sources:    a voltage "1.0V" (or "2V@32ohm": stated into a load) or a
 *               power "30mW@32ohm" / "25mW@300ohm" (one at least), output
 *               impedance "0.9ohm", current limit "50mA"; words: a kind
 *               (phone, dongle, ...), se or bal, battery.
 * Each figure must lie in its physical range (impedance 1-10000 ohm,
 * 60-140 dB/mW, 60-160 dB/V, 0.5-50000 mV, 0.01-100 V, load 1-1e6 ohm,
 * 0.01-1e5 mW, output impedance 0-1000 ohm, 0.1-10000 mA; the same as the
 * tables' columns; docs/advise.md).
 * The entry's model is the spec, its brand empty, its id "spec-N", its
 * source and origin "ad-hoc spec".  *index (may be NULL) receives its index.
 * On HPA_ERR_INVALID_ARG, why (may be NULL) receives a one-line reason. */
HPA_API int hpa_db_add_spec(hpa_db *db, hpa_db_kind kind, const char *spec, size_t *index, char *why, size_t why_len);

/* [any] Number of entries in one table (0 for a NULL db or another kind). */
HPA_API size_t hpa_db_count(const hpa_db *db, hpa_db_kind kind);

/* [any] Entry i of a table, NULL when i is out of range. */
HPA_API const hpa_db_headphone *hpa_db_headphone_at(const hpa_db *db, size_t i);
HPA_API const hpa_db_source *hpa_db_source_at(const hpa_db *db, size_t i);

/* An entry: its table (HPA_DB_HEADPHONES or HPA_DB_SOURCES) and index. */
typedef struct hpa_db_ref {
    hpa_db_kind kind;
    size_t index;
} hpa_db_ref;

typedef enum hpa_db_match_how {
    HPA_DB_MATCH_NONE = 0,      /* nothing matched; refs are the closest names (may be none) */
    HPA_DB_MATCH_WORDS = 1,     /* each word of the name is a word of these entries' names or
                                  * names their category (at least one a name word) */
    HPA_DB_MATCH_SUBSTRING = 2, /* the name is a part of these entries' names */
    HPA_DB_MATCH_PREFIX = 3,    /* the name is the start of these entries' names */
    HPA_DB_MATCH_EXACT = 4      /* these entries have exactly this name (several: one device's outputs,
                                  * or a headphone and a source of the same name) */
} hpa_db_match_how;

#define HPA_DB_MAX_MATCHES 8
#define HPA_DB_CLOSEST 5

typedef struct hpa_db_match {
    hpa_db_match_how how;
    size_t total; /* entries that matched this way (may exceed n); 0 with MATCH_NONE */
    size_t n;     /* refs filled: the first min(total, HPA_DB_MAX_MATCHES) matches in
                                  * table order, or up to HPA_DB_CLOSEST closest names */
    hpa_db_ref refs[HPA_DB_MAX_MATCHES];
} hpa_db_match;

/* [any] Look a name up in the tables of the mask `kinds`.  Found one entry:
 * how != HPA_DB_MATCH_NONE and total == 1.  Returns HPA_OK or
 * HPA_ERR_INVALID_ARG (NULL pointer, no table in the mask). */
HPA_API int hpa_db_lookup(const hpa_db *db, hpa_db_kind kinds, const char *name, hpa_db_match *out);

/* [any] Entries matching every word of text: a word matches when it is part
 * of the entry's brand+model or id, or names its category (a type such as
 * iem, a driver such as planar, a back such as open, a kind such as dongle,
 * an output se/bal, "active" for headphones with their own amplifier,
 * "battery" for battery-powered sources).  Case, spaces inside a word and
 * hyphens do not matter.  Writes up to cap refs in table order (headphones
 * first) and the number of all matches into *total.  An empty text matches
 * everything. */
HPA_API int hpa_db_search(const hpa_db *db, hpa_db_kind kinds, const char *text, hpa_db_ref *refs, size_t cap,
                          size_t *total);

/* [any] Names of the enum values as the CSV writes them ("over-ear", "ba",
 * "semi", "portable-amp", "bal"...); "" for UNKNOWN, NULL out of range. */
HPA_API const char *hpa_db_hp_type_name(hpa_db_hp_type t);
HPA_API const char *hpa_db_driver_name(hpa_db_driver d);
HPA_API const char *hpa_db_back_name(hpa_db_back b);
HPA_API const char *hpa_db_src_kind_name(hpa_db_src_kind k);
HPA_API const char *hpa_db_output_name(hpa_db_output o);

/* [any] Write the lookup form of a name into out (cap bytes, NUL-terminated,
 * cut to fit): ASCII letters lowercased, ASCII punctuation and spaces
 * dropped, other UTF-8 kept.  Returns the full length it needed. */
HPA_API size_t hpa_db_normalize(const char *name, char *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif
