/* writer.h — write an audio file on a thread of its own, so that encoding
 * and the kernel's copy overlap the chain's work on the other core. */
#ifndef HPAMP_HOST_WRITER_H
#define HPAMP_HOST_WRITER_H

#include <stddef.h>

#include <hpamp/host/audiofile.h>

typedef struct hph_writer hph_writer;

/* Start a writer for f with `slots` buffers of slot_bytes each; NULL if out
 * of memory or no thread could be made. */
hph_writer *hph_writer_start(hph_audiofile *f, size_t slot_bytes, int slots);

/* A free buffer to fill (waits for one); NULL once a write has failed. */
void *hph_writer_buffer(hph_writer *w);

/* Queue the buffer last handed out, holding `frames` frames. */
void hph_writer_submit(hph_writer *w, size_t frames);

/* Wait until everything queued is written and stop the thread.  Returns 0,
 * or -1 with errno as the failed write left it (0 if it gave no reason). */
int hph_writer_finish(hph_writer *w);

#endif
