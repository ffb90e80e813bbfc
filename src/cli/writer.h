/* writer.h — write an audio file on a thread of its own, so that encoding
 * and the kernel's copy overlap the chain's work on the other core. */
#ifndef HPA_CLI_WRITER_H
#define HPA_CLI_WRITER_H

#include <stddef.h>

#include "../io/audiofile.h"

typedef struct hpa_writer hpa_writer;

/* Start a writer for f with `slots` buffers of slot_bytes each; NULL if out
 * of memory or no thread could be made. */
hpa_writer *hpa_writer_start(hpa_audiofile *f, size_t slot_bytes, int slots);

/* A free buffer to fill (waits for one); NULL once a write has failed. */
void *hpa_writer_buffer(hpa_writer *w);

/* Queue the buffer last handed out, holding `frames` frames. */
void hpa_writer_submit(hpa_writer *w, size_t frames);

/* Wait until everything queued is written and stop the thread.  Returns 0,
 * or -1 with errno as the failed write left it (0 if it gave no reason). */
int hpa_writer_finish(hpa_writer *w);

#endif
