/* simulate.h — render --simulate-source S --headphones H: the gear found and
 * libhpamp's simulation (<hpamp/simulate.h>) made, and its summary line. */
#ifndef HPC_SIMULATE_H
#define HPC_SIMULATE_H

#include <stddef.h>
#include <stdint.h>

#include <hpamp/simulate.h>

/* The source and headphone by name or spec (as advise takes them), the
 * simulation for `level_db` dB SPL of a programme of loudness_dbfs.  0 and
 * *sim, *plan and title ("SOURCE on HEADPHONE"); else the exit status after
 * one error line: 2 for a name or spec that is not known (a usage error), 1
 * for gear the model cannot use or a rate below 44.1 kHz. */
int hpc_sim_make(const char *src, const char *hp, double level_db, double loudness_dbfs, uint32_t rate_hz,
                 unsigned channels, hpa_sim **sim, hpa_sim_plan *plan, char *title, size_t title_len);

/* The summary: the level, where it clips and why, the response change, the
 * samples clipped. */
void hpc_sim_print(const hpa_sim *sim, const hpa_sim_plan *plan, const char *title, double level_db,
                   double loudness_dbfs);

#endif
