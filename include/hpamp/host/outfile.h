/* outfile.h — an output file that has no name until it is complete.
 *
 * The file is made with O_TMPFILE in OUT's folder (an inode without a name)
 * and linked in as OUT only by hph_outfile_commit, so that a render killed
 * in any way (kill -9, power loss before the link) leaves nothing behind.
 * Where the filesystem has no O_TMPFILE, or an anonymous file cannot be
 * linked, the file is a hidden temporary beside OUT whose name carries this
 * host and process (".NAME.hpamp-HOST.PID-XXXXXX"); the next render into
 * that folder removes such temporaries whose process is gone. */
#ifndef HPAMP_HOST_OUTFILE_H
#define HPAMP_HOST_OUTFILE_H

#include <limits.h>

typedef struct hph_outfile {
    int fd;                 /* open for reading and writing */
    int anonymous;          /* O_TMPFILE: no name until committed */
    int link_via_proc;      /* link through /proc/self/fd (else AT_EMPTY_PATH) */
    const char *path;       /* OUT */
    char tmp[PATH_MAX + 1]; /* the hidden temporary's name, or a name to link through */
} hph_outfile;

/* Create the file for OUT; first removes this host's temporaries of dead
 * processes in OUT's folder.  Returns 0, or -1 with errno set. */
int hph_outfile_create(hph_outfile *o, const char *path);

/* The file is complete (the fd still open): give it OUT's name, replacing
 * whatever is there, and close the fd.  Returns 0, or -1 with errno set,
 * and then nothing is left (OUT as it was). */
int hph_outfile_commit(hph_outfile *o);

/* Give up: close the fd and remove any temporary.  Safe after a failed
 * commit and twice. */
void hph_outfile_abort(hph_outfile *o);

#endif
