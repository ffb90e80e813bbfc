/* tuning.h — the band set a front end hands the chain when the sound is
 * tuned to the listener: the user's EQ, plus the output-impedance
 * compensation (compensation.h) and the loudness compensation for the
 * listening level (iso226.h), which moves with the volume.
 * docs/loudness-comp.md, docs/compensation.md.
 *
 * [non-RT] every function: fitting a loudness band set takes about 0.1 s;
 * the result goes to the chain with hpa_chain_set_eq, whose band-set swap is
 * a crossfade. */
#ifndef HPAMP_HOST_TUNING_H
#define HPAMP_HOST_TUNING_H

#include <stddef.h>

#include <hpamp/compensation.h>
#include <hpamp/eq.h>
#include <hpamp/iso226.h>

typedef struct hph_tuning {
    double rate_hz;
    const hpa_eq_band *user; /* the user's EQ (may be NULL): kept by reference */
    size_t n_user;
    double user_preamp_db; /* its preamp (0 without bands) */
    int loudness;          /* hph_tuning_set_loudness was called */
    double spl0_db, ref_phon, programme_lufs;
    hpa_eq_band comp[HPA_COMPENSATION_MAX_BANDS]; /* the output-impedance compensation */
    size_t n_comp;
    hpa_compensation comp_info;
    double listen_phon; /* the level of the set made last (NAN: none yet) */
    double loud_rms_db; /* how closely its loudness bands follow the contours */
    hpa_eq_band *set;   /* the set made last: user, compensation, loudness */
    size_t n_set, cap;
    double preamp_db;
} hph_tuning;

/* Start with the user's bands (n_user 0: none) at rate_hz.  0, or -1 (out of
 * memory). */
int hph_tuning_init(hph_tuning *t, double rate_hz, const hpa_eq_band *user, size_t n_user, double user_preamp_db);

/* Loudness compensation for gear whose full-scale sine reaches spl0_db at the
 * ear at volume 0 dB, balanced at ref_phon, for music playing at
 * programme_lufs (HPA_LOUDNESS_PROGRAMME_LUFS unless known). */
void hph_tuning_set_loudness(hph_tuning *t, double spl0_db, double ref_phon, double programme_lufs);

/* The output-impedance compensation of a source of zout_ohm on hp.  0, or -1
 * with why. */
int hph_tuning_set_compensation(hph_tuning *t, const hpa_headphone *hp, double zout_ohm, char *why, size_t why_len);

/* The band set for the volume volume_db: 1 when it differs from the set made
 * last (t->set, t->n_set, t->preamp_db hold the new one: hand it to the
 * chain), 0 when the listening level is on the same HPA_LOUDNESS_STEP_DB
 * step, -1 with why on failure.  The loudness part is the contour
 * difference at the level (flat at or above the reference).  The preamp is
 * the user's, lowered only as far as needed to keep the whole set's peak
 * plus the volume at or below 0 dBFS. */
int hph_tuning_update(hph_tuning *t, double volume_db, char *why, size_t why_len);

/* Another user EQ (a preset chosen live), kept by reference as at init;
 * the next hph_tuning_update makes the set again.  0, or -1 (out of memory:
 * nothing changed). */
int hph_tuning_set_user(hph_tuning *t, const hpa_eq_band *user, size_t n_user, double user_preamp_db);

/* Bands a chain must have room for. */
size_t hph_tuning_max_bands(const hph_tuning *t);

void hph_tuning_free(hph_tuning *t);

#endif
