/* tuning.h — --loudness-comp and --compensate of render and play: the
 * gear's facts into an hph_tuning (include/hpamp/host/tuning.h). */
#ifndef HPC_TUNING_H
#define HPC_TUNING_H

#include <hpamp/host/tuning.h>
#include <hpamp/safety.h>

/* --loudness-comp [REF_PHON]: the reference from opt (--loudness-comp=80) or
 * from the next argument when that is a number (then *optind moves past it);
 * default 80.  0, or EXIT_USAGE after a message. */
int hpc_parse_loudness_ref(const char *cmd, const char *opt, int argc, char **argv, int *optind, double *ref_phon);

/* What was asked for, with the gear (hp, src: names or specs, NULL when not
 * given) whose SPL at 0 dBFS is in safety.  Fills t (already initialised
 * with the user's bands).  0, or the exit status after a message: 2 when
 * the gear needed is not given or not known. */
int hpc_tuning_setup(const char *cmd, hph_tuning *t, const hpa_safety *safety, const char *hp, const char *src,
                     int loudness, double ref_phon, double programme_lufs, int compensate);

#endif
