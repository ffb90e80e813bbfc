/* gear.h — the headphone and source database as every front end sees it:
 * the built-in entries (<hpamp/db.h>) plus the user's own files. */
#ifndef HPAMP_HOST_GEAR_H
#define HPAMP_HOST_GEAR_H

#include <stddef.h>

#include <hpamp/db.h>

/* A warning for the user, one line without "hpamp: " or a newline. */
typedef void (*hph_warn_fn)(void *user, const char *message);

/* Make the database: built-ins, then $XDG_CONFIG_HOME/hpamp/headphones.csv
 * and sources.csv (~/.config/hpamp/ when XDG_CONFIG_HOME is unset, empty or
 * relative).  A missing file is fine; an unreadable one and every malformed
 * line is a warning to `warn` ("FILE:LINE: why"; may be NULL), and the rest
 * loads.  HPA_OK, or the library's error (out of memory). */
int hph_gear_open(hpa_db **out, hph_warn_fn warn, void *user);

/* "Brand Model" of an entry, with " (balanced)" for a balanced output. */
void hph_gear_name(const hpa_db *db, hpa_db_ref ref, char *buf, size_t len);

#endif
