/* render.c — a file through the chain into the writer (render.h). */
#include <stdio.h>
#include <string.h>

#include <hpamp/host/render.h>

hph_render_status hph_render_run(const hph_render_job *job, hph_render_result *res)
{
    memset(res, 0, sizeof *res);
    for (;;) {
        if (job->stop && job->stop(job->user))
            return HPH_RENDER_STOPPED;
        int64_t n = hph_audio_read(job->in, job->in_buf, job->block_frames);
        if (n < 0) {
            snprintf(res->why, sizeof res->why, "read error: %s", hph_audio_error(job->in));
            return HPH_RENDER_INPUT;
        }
        void *obuf = hph_writer_buffer(job->writer);
        if (!obuf)
            return HPH_RENDER_WRITE;
        void *cbuf = job->sim ? (void *)job->mid : obuf; /* where the chain writes */
        size_t produced = 0;
        int err;
        if (n == 0) {
            err = hpa_chain_drain(job->chain, cbuf, job->max_out, &produced);
        } else {
            res->frames_in += n;
            err = hpa_chain_process(job->chain, job->in_buf, (size_t)n, cbuf, job->max_out, &produced);
        }
        if (!err && job->sim && produced) { /* the source and the headphone, then the output's format */
            hpa_sim_process(job->sim, job->mid, produced);
            err = hpa_chain_process(job->post, job->mid, produced, obuf, job->max_out, &produced);
        }
        if (err) {
            snprintf(res->why, sizeof res->why, "processing failed: %s", hpa_strerror(err));
            return HPH_RENDER_CHAIN;
        }
        hph_writer_submit(job->writer, produced);
        res->frames_out += (int64_t)produced;
        if (n == 0 && produced == 0)
            return HPH_RENDER_DONE;
        if (job->progress && job->total_frames > 0)
            job->progress(job->user, (double)res->frames_in / (double)job->total_frames);
    }
}
