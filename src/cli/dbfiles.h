/* dbfiles.h — the database as the hpamp command sees it: the built-in
 * entries plus the user's own files, for every subcommand that names gear. */
#ifndef HPA_CLI_DBFILES_H
#define HPA_CLI_DBFILES_H

#include <stddef.h>

#include <hpamp/db.h>

/* Make the database: built-ins, then $XDG_CONFIG_HOME/hpamp/headphones.csv
 * and sources.csv (~/.config/hpamp/ when XDG_CONFIG_HOME is unset, empty or
 * relative).  A missing file is fine; an unreadable one and every malformed
 * line is a warning on stderr ("hpamp: warning: FILE:LINE: why"), and the
 * rest loads.  0 on success; -1 after printing an error (out of memory). */
int hpa_cli_db_open(hpa_db **out);

/* "Brand Model" of an entry, with " (balanced)" for a balanced output. */
void hpa_cli_db_name(const hpa_db *db, hpa_db_ref ref, char *buf, size_t len);

/* A name from the database or an ad-hoc spec ("300ohm,97dB/mW", "1.0V,0.9ohm")
 * for option `opt`: 0 and *index (a spec is added to db); else the exit
 * status after a message (1, or 2 for a malformed spec).  In advise.c. */
int hpa_cli_db_resolve(hpa_db *db, hpa_db_kind kind, const char *text, const char *opt, size_t *index);

#endif
