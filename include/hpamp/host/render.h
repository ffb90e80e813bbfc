/* render.h — a file through the chain into the threaded writer: the loop of
 * `hpamp render`, for any front end that renders. */
#ifndef HPAMP_HOST_RENDER_H
#define HPAMP_HOST_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include <hpamp/chain.h>
#include <hpamp/simulate.h>
#include <hpamp/host/audiofile.h>
#include <hpamp/host/writer.h>

typedef enum hph_render_status {
    HPH_RENDER_DONE = 0, /* the input read to its end and drained */
    HPH_RENDER_STOPPED,  /* stop() said so */
    HPH_RENDER_INPUT,    /* reading the input failed (why says) */
    HPH_RENDER_CHAIN,    /* the chain failed (why says) */
    HPH_RENDER_WRITE     /* the writer failed: hph_writer_finish says why */
} hph_render_status;

typedef struct hph_render_job {
    hph_audiofile *in;
    hpa_chain *chain;
    hph_writer *writer; /* its buffers hold max_out frames */
    void *in_buf;       /* room for block_frames frames of the input's format */
    size_t block_frames;
    size_t max_out;                                /* hpa_chain_max_out_frames(chain) */
    int64_t total_frames;                          /* the input's length for progress (<= 0: unknown) */
    void (*progress)(void *user, double fraction); /* may be NULL */
    int (*stop)(void *user);                       /* may be NULL: 1 stops before the next block */
    void *user;
    /* optional (render --simulate-source): the chain writes doubles into
     * mid (max_out frames), sim works on them in place, and post (same rate
     * and channels, f64 in, max_block_frames >= max_out, no resampler or
     * limiter) converts them for the writer */
    hpa_sim *sim;
    hpa_chain *post;
    double *mid;
} hph_render_job;

typedef struct hph_render_result {
    int64_t frames_in, frames_out;
    char why[512]; /* with HPH_RENDER_INPUT / HPH_RENDER_CHAIN */
} hph_render_result;

/* Read, process and hand to the writer block by block until the input ends
 * (then drain the chain), stop() says so, or something fails.  The writer
 * is left for the caller to finish. */
hph_render_status hph_render_run(const hph_render_job *job, hph_render_result *res);

#endif
