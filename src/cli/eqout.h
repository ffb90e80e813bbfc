/* eqout.h — a band set written as an Equalizer APO ParametricEQ file (the
 * form AutoEq publishes), for `eq fit` and `advise --compensation-eq`. */
#ifndef HPC_EQOUT_H
#define HPC_EQOUT_H

#include <stddef.h>

#include <hpamp/eq.h>

/* "Preamp: X dB" and one "Filter N: ON TYPE Fc F Hz Gain G dB Q Q" line a
 * band (Fc and gain to 0.1, Q to 0.01), written whole or not at all (outfile.h).
 * 0, or 1 after the message. */
int hpc_write_parametric(const char *path, const hpa_eq_band *b, size_t n, double preamp_db);

#include <hpamp/db.h>

/* advise --compensation-eq OUT: the EQ that cancels the response change the
 * source's output impedance makes on the headphone (compensation.h), at
 * 48 kHz, written to OUT, with a summary on stdout unless json.  0, or 1
 * after the message (a fact missing, or OUT not written). */
int hpc_compensation_eq(const char *path, const hpa_db_headphone *h, const hpa_db_source *s, const char *hp_name,
                        const char *src_name, int json);

#endif
