/* gear.h — the hearing-protection levels (safety.h) of a named headphone on
 * a named source, from the database and the model, as play and amp use them. */
#ifndef HPC_GEAR_H
#define HPC_GEAR_H

#include <stddef.h>

#include <hpamp/db.h>
#include <hpamp/model.h>
#include <hpamp/safety.h>

/* The model's dB SPL at the ear of a 0 dBFS sine at full volume for the pair
 * hp on src (names or specs, as in advise), and the levels that follow under
 * max_volume_db.  Gear whose SPL cannot be known (an active headphone, a
 * spec missing) gets the levels of unknown gear, with a warning.  cmd starts
 * the messages ("play").  title (may be NULL) receives "HP on SRC" as the
 * database names them.  0, or the exit status after a message (an unknown
 * name: 1 or 2; a pair too loud for the limiter's lowest ceiling: 1). */
int hpc_safety_from_gear(const char *cmd, const char *hp, const char *src, double max_volume_db, hpa_safety *s,
                         char *title, size_t title_len);

/* The database with hp and src resolved (names or specs) to *hi and *si:
 * 0, or the exit status after a message.  The caller destroys *out. */
int hpc_gear_open(const char *hp, const char *src, hpa_db **out, size_t *hi, size_t *si);

/* The headphone's model (its impedance curve) and the source's output
 * impedance, for the response change between them (hpa_fr_deviation_at), of
 * names that hpc_safety_from_gear took: 0, or -1 when either is not known. */
int hpc_gear_response(const char *hp, const char *src, hpa_headphone *model, double *zout_ohm);

#endif
