/* advise.h — does this headphone need an amplifier on this source?
 *
 * The glue between the database (db.h: facts as stated, NaN = unknown) and
 * the model (model.h: physics), and the verdict built on both:
 *
 *   not-needed   the source plays the target cleanly, with headroom to spare,
 *                and its output impedance leaves the response alone (or the
 *                headphone carries its own amplifier);
 *   recommended  it plays the target, but with little headroom, or its output
 *                impedance is above 1/8 of the load or bends the response;
 *   required     it cannot play the target's peaks cleanly (or not even the
 *                average level);
 *   unknown      a fact the answer depends on is not known: which one is in
 *                the reasons (never a guess).
 *
 * The target is an average listening level in dB SPL plus the programme's
 * crest (true peak minus integrated loudness, measured on the listener's
 * music; with no music HPA_ADVISE_DEFAULT_CREST_DB, i.e. 110 dB SPL peaks at
 * 85 dB SPL).  The thresholds and their reasons are in docs/advise.md.
 *
 * Every function here is pure and [any]: no I/O, no global state; none
 * allocates.
 */
#ifndef HPAMP_ADVISE_H
#define HPAMP_ADVISE_H

#include <stddef.h>

#include <hpamp/db.h>
#include <hpamp/hpamp.h>
#include <hpamp/model.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The default average listening level, dB SPL (IEC 62368-1's RS1 limit and
 * the usual "loud but safe" figure). */
#define HPA_ADVISE_DEFAULT_LEVEL_DB 85.0
/* The crest assumed with no music: 85 + 25 = 110 dB SPL peaks, NwAvGuy's
 * rule of thumb (105 compressed pop, 115 classical). */
#define HPA_ADVISE_DEFAULT_CREST_DB 25.0
/* Below this headroom (dB over the target's peaks) an amp is recommended. */
#define HPA_ADVISE_MIN_HEADROOM_DB 3.0
/* Above this peak-to-peak response deviation (dB over 20 Hz - 20 kHz) caused
 * by the output impedance, an amp (a lower output impedance) is recommended. */
#define HPA_ADVISE_MAX_FR_SPREAD_DB 1.0
/* Hiss is audible when the source's noise reaches this level at the ear, dB
 * SPL(A): the threshold of hearing, 0 dB SPL = 20 uPa (ISO 226 puts the
 * threshold at 1 kHz at about 2 dB; 0 is the cautious round figure). */
#define HPA_ADVISE_HISS_THRESHOLD_DB 0.0
/* The band the load and the response are examined over. */
#define HPA_ADVISE_F_LO_HZ 20.0
#define HPA_ADVISE_F_HI_HZ 20000.0

typedef enum hpa_verdict {
    HPA_VERDICT_UNKNOWN = 0,
    HPA_VERDICT_NOT_NEEDED = 1,
    HPA_VERDICT_RECOMMENDED = 2,
    HPA_VERDICT_REQUIRED = 3
} hpa_verdict;

/* Reasons, as bits of hpa_advice.reasons. */
enum {
    HPA_REASON_OWN_AMP = 1u << 0,            /* active headphone: it drives itself (not-needed) */
    HPA_REASON_ENOUGH_HEADROOM = 1u << 1,    /* headroom >= HPA_ADVISE_MIN_HEADROOM_DB */
    HPA_REASON_LOW_ZOUT = 1u << 2,           /* Zout <= Zmin/8 and the response within the limit */
    HPA_REASON_CANNOT_REACH_LEVEL = 1u << 3, /* even the average level is beyond the source (required) */
    HPA_REASON_CLIPS_PEAKS = 1u << 4,        /* the target's peaks clip: headroom < 0 (required) */
    HPA_REASON_LITTLE_HEADROOM = 1u << 5,    /* 0 <= headroom < HPA_ADVISE_MIN_HEADROOM_DB (recommended) */
    HPA_REASON_CURRENT_LIMITED = 1u << 6,    /* the current limit comes first and headroom is short */
    HPA_REASON_HIGH_ZOUT = 1u << 7,          /* Zout > Zmin/8 (recommended) */
    HPA_REASON_FR_DEVIATION = 1u << 8,       /* response spread > HPA_ADVISE_MAX_FR_SPREAD_DB (recommended) */
    HPA_REASON_ZOUT_UNKNOWN = 1u << 9,       /* note: the source's output impedance is not known; the
                                              * level is computed as if it were 0, damping and response
                                              * are not told */
    HPA_REASON_NO_SENSITIVITY = 1u << 10,    /* unknown: the headphone's sensitivity is not known */
    HPA_REASON_NO_IMPEDANCE = 1u << 11,      /* unknown: the headphone's impedance is not known */
    HPA_REASON_NO_SOURCE_OUTPUT = 1u << 12,  /* unknown: neither the source's voltage nor its power is known */
    HPA_REASON_INCONSISTENT = 1u << 13,      /* unknown: the figures contradict each other */
    HPA_REASON_HISS = 1u << 14               /* note: the source's noise is above the threshold of hearing
                                              * at the ear (never decides the verdict by itself) */
};
#define HPA_REASON_COUNT 15

/* Where the source's noise figure came from. */
typedef enum hpa_noise_from {
    HPA_NOISE_UNKNOWN = 0, /* neither a noise figure nor an SNR */
    HPA_NOISE_STATED = 1,  /* the source's noise_uv (A-weighted output noise) */
    HPA_NOISE_SNR = 2      /* its SNR, against snr_ref_v where stated, else against its largest
                            * output voltage (makers state SNR at full output): noise = V · 10^(−SNR/20) */
} hpa_noise_from;

/* How a db source became a model source. */
typedef enum hpa_source_basis {
    HPA_BASIS_NONE = 0,       /* no output figure: unknown */
    HPA_BASIS_VOLTAGE = 1,    /* its stated voltage (the power ratings, if any, checked against it) */
    HPA_BASIS_ONE_RATING = 2, /* one power rating: V = √(P·R) at R */
    HPA_BASIS_TWO_RATINGS = 3 /* two power ratings: hpa_source_from_power_ratings */
} hpa_source_basis;

/* The answer, and the numbers behind it.  Volts and currents are RMS; the
 * load is |Z| where it is lowest over 20 Hz - 20 kHz (the most current, the
 * largest divider loss).  A number that cannot be told is NaN. */
typedef struct hpa_advice {
    hpa_verdict verdict;
    unsigned reasons; /* HPA_REASON_* bits */

    /* the target */
    double level_db;    /* average listening level, dB SPL */
    double crest_db;    /* programme crest, dB */
    double peak_spl_db; /* level_db + crest_db */

    /* the headphone */
    double sens_db_per_v; /* the sensitivity used (hpa_headphone_sens_db_per_v) */
    double nominal_ohm;
    double load_ohm, load_hz; /* lowest |Z| over the band and where */
    double zmax_ohm, zmax_hz; /* highest |Z| over the band and where */

    /* the source as modelled */
    hpa_source_basis basis;
    double voc_v;    /* open-circuit clipping voltage */
    double imax_ma;  /* current limit; 0 = not known (not modelled) */
    double zout_ohm; /* NaN when not known (then taken as 0 for the level) */

    /* what the target's peaks need, into load_ohm */
    double required_vrms, required_ma, required_mw;
    double level_vrms; /* volts for the average level alone */
    double level_mw;   /* the power of the average level into load_ohm (level_vrms²/load) */

    /* what the source delivers into load_ohm */
    double available_vrms, available_ma, available_mw;
    double max_spl_db;  /* sens_db_per_v + 20·log10(available_vrms): the loudest clean sine */
    double level_share; /* level_mw / available_mw: the share of the source's output power the
                         * average level takes (for a battery source: what the listening costs) */
    double headroom_db; /* max_spl_db − peak_spl_db */
    hpa_limit limit;    /* the limit that comes first into this load */

    /* output impedance (NaN when zout is not known) */
    double damping_factor; /* nominal / Zout; +inf for Zout = 0 */
    int eighth_rule_ok;    /* 1 Zout <= load/8, 0 not, -1 not known */
    hpa_fr_deviation fr;   /* over the band; fields NaN when not known */

    /* noise and the volume control */
    hpa_noise_from noise_from;
    double noise_uv;       /* the source's output noise, uV RMS (A-weighted when stated so) */
    double hiss_spl_db;    /* that noise at the ear: sens_db_per_v + 20·log10(noise · Z/(Z + Zout)),
                            * Z the nominal impedance; dB SPL(A); NaN when not known */
    double attenuation_db; /* how far below its full output the volume sits at the average
                            * listening level: max_spl_db − level_db (the knob's or the digital
                            * volume's travel above the listening level) */
} hpa_advice;

/* [any] A db headphone as a model headphone: nominal impedance, the
 * sensitivities it has (NaN -> 0, unknown), and, when the record gives the
 * bass resonance's peak |Z| and its frequency above the nominal impedance, an
 * impedance curve hpa_zmodel_from_spec(nominal, peak, f0, default width, no
 * inductance); otherwise a flat curve.  *missing (may be NULL) receives
 * HPA_REASON_NO_IMPEDANCE / HPA_REASON_NO_SENSITIVITY bits; the call returns
 * HPA_ERR_INVALID_ARG when either is missing (or for NULL arguments). */
HPA_API int hpa_advise_headphone(const hpa_db_headphone *rec, hpa_headphone *hp, unsigned *missing);

/* [any] A db source as a model source (one gain setting: the most it gives).
 *   - a stated voltage (at its load, or open circuit: the highest load of
 *     all) is the voltage limit; a power rating at a lower load than that,
 *     more than 3 % below what the voltage would give there, is
 *     current-limited: I = √(P/R) becomes the current limit (the rule of
 *     hpa_source_from_power_ratings: the highest-impedance figure sets the
 *     voltage); a rating at a higher load that falls short lowers the
 *     voltage limit to it (never promising more than a rating);
 *   - else two power ratings: hpa_source_from_power_ratings;
 *   - else one rating: V = √(P·R) stated into R;
 *   - a stated current limit (imax_ma) always applies.
 * An unknown output impedance is taken as 0 and *zout_known (may be NULL)
 * set to 0.  *basis (may be NULL) says which rule applied.  Returns
 * HPA_ERR_INVALID_ARG when there is no output figure or the figures
 * contradict each other (then *basis is HPA_BASIS_NONE for the former). */
HPA_API int hpa_advise_source(const hpa_db_source *rec, hpa_source *src, int *zout_known, hpa_source_basis *basis);

/* [any] The verdict for headphone h on source s at an average level of
 * level_db dB SPL (0 .. 150) with a programme crest of crest_db (-20 .. 60;
 * use HPA_ADVISE_DEFAULT_CREST_DB with no music).  An active headphone gives
 * not-needed without looking at the source.  Missing facts give
 * HPA_VERDICT_UNKNOWN with the reasons; that is still HPA_OK.  Returns
 * HPA_ERR_INVALID_ARG only for NULL pointers or levels out of range. */
HPA_API int hpa_advise(const hpa_db_headphone *h, const hpa_db_source *s, double level_db, double crest_db,
                       hpa_advice *out);

/* One source that would do the job. */
typedef struct hpa_advise_pick {
    size_t index; /* in the database's source table */
    double headroom_db;
    double max_spl_db;
    hpa_limit limit;
    int zout_known;
    double zout_ohm;       /* NaN when not known */
    double hiss_spl_db;    /* the source's noise at the ear, dB SPL(A); NaN when not known */
    double attenuation_db; /* the volume's travel above the average listening level */
} hpa_advise_pick;

/* [any] The database's sources on which h gets the verdict not-needed at
 * this target, the largest headroom first (ties: table order); for an IEM
 * (sensitive: hiss and a cramped volume matter more than power) the least
 * hiss first (unknown last), then the lowest output impedance (unknown
 * last), then the least attenuation at the listening level (the finest
 * volume steps around it).  Sources with
 * no known output are skipped, and so are ad-hoc specs and the table index
 * `skip` (pass (size_t)-1 to skip none).  Writes up to cap picks and the
 * number of all into *total.  An active headphone or one with unknown facts
 * has no picks. */
HPA_API int hpa_advise_suggest(const hpa_db *db, const hpa_db_headphone *h, double level_db, double crest_db,
                               size_t skip, hpa_advise_pick *picks, size_t cap, size_t *total);

/* ------------------------------------------------------------------------ */
/* A DAC's line out into an amp: gain staging (issue 15)                     */

/* The answer for DAC -> amp -> headphone.  The DAC's largest output (its
 * record's voltage or power, open circuit) is its full scale; the amp
 * multiplies it by its gain, up to its own clipping voltage (the amp's
 * record as hpa_advise_source models it; its current limit and output
 * impedance stay).  Volts RMS, open circuit unless said. */
typedef struct hpa_chain_advice {
    hpa_advice advice; /* the verdict for the chain on the setting used */
    double dac_v;      /* the DAC's full-scale output */
    double amp_voc_v;  /* the amp's own clipping voltage */
    unsigned n_gains;  /* the settings examined */
    double gain_db[HPA_DB_MAX_GAINS];
    double drive_v[HPA_DB_MAX_GAINS];        /* dac_v · 10^(gain/20): what full scale asks of the amp */
    double clip_margin_db[HPA_DB_MAX_GAINS]; /* 20·log10(amp_voc / drive): < 0 the amp clips before the
                                              * DAC reaches full scale (the top of the digital range is
                                              * unusable by that much) */
    double max_spl_db[HPA_DB_MAX_GAINS];     /* the loudest clean level at the ear on each setting */
    unsigned chosen;                         /* the setting used (index) */
    int chosen_auto;                         /* 1: picked as the lowest setting that keeps the peaks clean (the
                              * highest when none does); 0: the caller's */
    double digital_atten_db;                 /* where the DAC's digital volume sits at the average listening level,
                              * dB below full scale (unclipped): S + 20·log10(drive·Z/(Z+Zout)) − L */
    double bits_lost;                        /* digital_atten_db / 20·log10(2): the DAC's resolution it costs */
} hpa_chain_advice;

/* [any] Gain staging of DAC dac into amp amp for headphone h.  The settings
 * are gains_db[0 .. n_gains) (1 .. HPA_DB_MAX_GAINS, each -40 .. +60 dB; pass
 * amp->gain_db / amp->n_gains for the amp's own); use (gain_index < n_gains)
 * or, with gain_index < 0, the lowest setting on which the target's peaks
 * stay clean (headroom >= 0), else the highest.  An active headphone, or a
 * missing fact (the DAC's or the amp's output, the headphone's), gives the
 * verdict unknown / not-needed in out->advice as hpa_advise does.  Returns
 * HPA_ERR_INVALID_ARG for NULL pointers, no settings, a gain or level out of
 * range. */
HPA_API int hpa_advise_chain(const hpa_db_headphone *h, const hpa_db_source *dac, const hpa_db_source *amp,
                             const double *gains_db, unsigned n_gains, int gain_index, double level_db, double crest_db,
                             hpa_chain_advice *out);

/* ------------------------------------------------------------------------ */
/* a device's modes (issue 15)                                              */

/* [any] 1 when two sources are modes of one device: the same non-empty
 * mode_of, or (without one) the same brand and model (one device's se and
 * bal rows). */
HPA_API int hpa_db_same_device(const hpa_db_source *a, const hpa_db_source *b);

/* How hpa_advise_pick_mode chose. */
typedef enum hpa_mode_how {
    HPA_MODE_ONLY = 0, /* one mode applies */
    HPA_MODE_LOAD = 1, /* the only one whose load range holds the headphone's impedance */
    HPA_MODE_BEST = 2  /* the best answer of those that apply: verdict (not-needed, recommended,
                         * required, unknown), then for an IEM the least hiss, else the most
                         * headroom, then table order */
} hpa_mode_how;

/* [any] Of the sources src_index[0 .. n) of database db (modes of one
 * device), the one that applies to headphone h at this target: those whose
 * [load_min_ohm, load_max_ohm) holds h's nominal impedance (all when none
 * does, or the impedance is not known), and of those the best answer.
 * *chosen receives the position in src_index, *how (may be NULL) why.
 * Returns HPA_ERR_INVALID_ARG for NULL pointers, n == 0, an index out of
 * range or a target out of range. */
HPA_API int hpa_advise_pick_mode(const hpa_db *db, const hpa_db_headphone *h, const size_t *src_index, size_t n,
                                 double level_db, double crest_db, size_t *chosen, hpa_mode_how *how);

/* ------------------------------------------------------------------------ */
/* the music's crest for the target (issue 15)                              */

/* A file shorter than this is not counted as music in the target (a
 * one-shot, a jingle, a test tone): the 30 s after which a play counts as a
 * stream (Spotify, routenote.com/blog/spotify-pay-differently-depending-song-length/). */
#define HPA_ADVISE_MIN_MUSIC_S 30.0
/* The percentile of the per-track crest, by playing time, the target plans
 * for: the tracks a listener plays 95 % of the time stay clean. */
#define HPA_ADVISE_CREST_PERCENTILE 95.0

typedef struct hpa_music_crest {
    double crest_db;  /* the crest the target uses */
    size_t track;     /* the track whose crest it is */
    size_t n_counted; /* tracks counted */
    double seconds;   /* their playing time */
    int all_short;    /* 1: no track reached min_s, so every one counted */
} hpa_music_crest;

/* [any] Of n tracks (crest_db[i] = true peak − integrated loudness,
 * duration_s[i]), those of at least min_s seconds count (counted[i] = 1; when
 * none does, all do and out->all_short = 1); the crest is the smallest c such
 * that the counted tracks with a crest <= c play for at least percentile % of
 * the counted time (percentile 50 .. 100; 100 is the largest crest).  No
 * allocation: O(n²).  HPA_ERR_INVALID_ARG for NULL pointers, n == 0, a
 * percentile or a figure out of range. */
HPA_API int hpa_advise_music_crest(const double *crest_db, const double *duration_s, size_t n, double percentile,
                                   double min_s, unsigned char *counted, hpa_music_crest *out);

/* [any] "not-needed", "recommended", "required", "unknown"; NULL out of range. */
HPA_API const char *hpa_verdict_name(hpa_verdict v);

/* [any] The short code of one reason bit ("clips-peaks", "high-output-impedance"...); NULL if
 * the argument is not exactly one known bit. */
HPA_API const char *hpa_reason_code(unsigned reason);

#ifdef __cplusplus
}
#endif

#endif
