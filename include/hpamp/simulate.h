/* simulate.h — what a source does to a headphone, applied to the music:
 * `hpamp render --simulate-source S --headphones H --level L` (docs/simulate.md).
 *
 * The volume is set so that the programme's loudness plays at L dB SPL at
 * the headphone's reference frequency.  Then the source's open-circuit
 * voltage follows the samples and
 *   1. clips where it passes the source's clipping voltage (hpa_source_voc_max),
 *   2. reaches the headphone through the divider Z(f)/(Z(f) + Zout): the
 *      response change ΔdB(f) of model.h (hpa_fr_deviation_at, 0 dB at the
 *      reference frequency), realised as a band set (the negated
 *      hpa_compensation_fit, within about 0.1 dB over 20 Hz .. 20 kHz),
 *   3. clips where the current V/|Z(ref)| passes the source's current limit.
 * Samples stay in the music's scale: a sine at the reference frequency below
 * both limits comes out unchanged.
 *
 * Units: a sine of peak sample value x is 20·log10(x) dBFS (AES17: 0 dBFS is
 * a full-scale sine), and the volts are RMS, as in model.h. */
#ifndef HPAMP_SIMULATE_H
#define HPAMP_SIMULATE_H

#include <stddef.h>
#include <stdint.h>

#include <hpamp/hpamp.h>
#include <hpamp/compensation.h>
#include <hpamp/model.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hpa_sim_config {
    const hpa_headphone *hp;        /* with a sensitivity and an impedance (hpa_headphone_check) */
    const hpa_source *src;          /* hpa_source_check; gain setting 0 */
    double rate_hz;                 /* 44100 .. 768000 */
    unsigned channels;              /* 1 .. HPA_CHANNELS_MAX, interleaved */
    double level_db;                /* dB SPL the programme's loudness plays at, 0 .. 150 */
    double loudness_dbfs;           /* the programme's loudness in dB re a full-scale sine (LUFS of a stereo
                                     * file), -100 .. +20 */
    const hpa_allocator *allocator; /* NULL: malloc/free */
} hpa_sim_config;

/* What the simulation does, for the summary. */
typedef struct hpa_sim_plan {
    double ref_hz;             /* the headphone's reference frequency */
    double zref_ohm;           /* |Z| there */
    double sens_db_per_v;      /* the headphone's sensitivity */
    double spl0_db;            /* dB SPL of a 0 dBFS sine at ref_hz: level_db − loudness_dbfs */
    double vload_fs_v;         /* RMS volts at the headphone for a 0 dBFS sine at ref_hz */
    double voc_fs_v;           /* open-circuit volts the source must give for it */
    double voc_max_v;          /* the source's clipping voltage (open circuit) */
    double volt_clip_dbfs;     /* the sine level where the voltage runs out */
    double curr_clip_dbfs;     /* where the current runs out (at |Z(ref)|); +inf without a current limit */
    double clip_dbfs;          /* the lower of the two */
    hpa_limit limit;           /* which limit that is (HPA_LIMIT_VOLTAGE or HPA_LIMIT_CURRENT) */
    double response_spread_db; /* the divider's peak-to-peak ΔdB over 20 Hz .. 20 kHz */
    double response_err_db;    /* the band set's largest error against ΔdB there */
    size_t n_bands;            /* bands of the divider's filter (0: Zout 0 or a flat load) */
} hpa_sim_plan;

typedef struct hpa_sim hpa_sim;

/* [non-RT] Work out the plan and build the processor (one allocation, and
 * the compensation fit's working memory, freed before it returns).  plan
 * may be NULL.  Returns HPA_OK, HPA_ERR_INVALID_ARG (a NULL pointer, a
 * headphone or source that fails its check, a level out of range),
 * HPA_ERR_RATE, HPA_ERR_CHANNELS or HPA_ERR_NO_MEMORY. */
HPA_API int hpa_sim_create(const hpa_sim_config *cfg, hpa_sim **out, hpa_sim_plan *plan);

/* [non-RT] NULL is a no-op. */
HPA_API void hpa_sim_destroy(hpa_sim *sim);

/* [RT] Clip at the voltage, filter through the divider, clip at the
 * current, in place; frames of interleaved doubles. */
HPA_API int hpa_sim_process(hpa_sim *sim, double *buf, size_t frames);

/* [RT] Samples clipped so far at the voltage limit and at the current limit
 * (either pointer may be NULL). */
HPA_API void hpa_sim_clipped(const hpa_sim *sim, uint64_t *voltage, uint64_t *current);

#ifdef __cplusplus
}
#endif

#endif
