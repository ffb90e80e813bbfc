/* plot.h — `hpamp advise --plot`: the curves behind the verdict, through cairo. */
#ifndef HPC_PLOT_H
#define HPC_PLOT_H

#include <stddef.h>

#include <hpamp/advise.h>
#include <hpamp/model.h>

/* One programme on the SPL-against-volume panel. */
typedef struct hpc_plot_track {
    const char *label;
    double loudness_lufs; /* integrated loudness: the average level relative to a full-scale sine */
    double crest_db;      /* true peak minus loudness */
} hpc_plot_track;

typedef enum { HPC_PLOT_NONE = 0, HPC_PLOT_PNG, HPC_PLOT_SVG } hpc_plot_kind;

/* The kind for a path's extension (.png or .svg, any case), or NONE. */
hpc_plot_kind hpc_plot_kind_for(const char *path);

/* Write the figure: left, dB SPL at the ear against the volume control for
 * each track (solid while clean, dashed past the point where its peaks clip,
 * a dot there), the source's clipping level and the target; right, the
 * frequency-response deviation caused by the output impedance, 20 Hz - 20 kHz
 * on a log axis.  hp and src are the model structs the advice was computed
 * from (src NULL or zout_known 0: the right panel says it cannot be told).
 * Returns 0, or -1 with a one-line reason in why. */
int hpc_plot_write(const char *path, const char *title, const hpa_headphone *hp, const hpa_source *src, int zout_known,
                   const hpa_advice *a, const hpc_plot_track *tracks, size_t n_tracks, char *why, size_t why_len);

#endif
