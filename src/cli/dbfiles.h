/* dbfiles.h — the database as the hpamp command sees it: the built-in
 * entries plus the user's own files, for every subcommand that names gear. */
#ifndef HPC_DBFILES_H
#define HPC_DBFILES_H

#include <stddef.h>

#include <hpamp/db.h>

/* Make the database: built-ins, then $XDG_CONFIG_HOME/hpamp/headphones.csv
 * and sources.csv (~/.config/hpamp/ when XDG_CONFIG_HOME is unset, empty or
 * relative).  A missing file is fine; an unreadable one and every malformed
 * line is a warning on stderr ("hpamp: warning: FILE:LINE: why"), and the
 * rest loads.  0 on success; -1 after printing an error (out of memory). */
int hpc_db_open(hpa_db **out);

/* "Brand Model" of an entry, with " (balanced)" for a balanced output. */
void hpc_db_name(const hpa_db *db, hpa_db_ref ref, char *buf, size_t len);

/* Keep refs (ids and names) as the candidates of the next --json failure
 * (term.h: hpc_candidates). */
void hpc_db_candidates(const hpa_db *db, const hpa_db_ref *refs, size_t n);

/* A name from the database or an ad-hoc spec ("300ohm,97dB/mW", "1.0V,0.9ohm")
 * for option `opt`: 0 and *index (a spec is added to db); else the exit
 * status after a message (1, or 2 for a malformed spec).  In advise.c. */
int hpc_db_resolve(hpa_db *db, hpa_db_kind kind, const char *text, const char *opt, size_t *index);

#endif
