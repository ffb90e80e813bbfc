/* plot.c — `hpamp advise --plot FILE`: PNG or SVG through cairo.
 *
 * Left panel: dB SPL at the ear against the volume control, one line per
 * programme.  A programme of integrated loudness L (LUFS: dB relative to a
 * full-scale sine, the AES17 0 dBFS) at volume v dB plays at
 *   SPL = S_V + 20·log10(Voc·|Z/(Z+Zout)|) + v + L
 * and its peaks are crest dB above that; it is clean while the peaks stay
 * at or below the source's loudest clean level (max_spl_db).
 * Right panel: ΔdB(f) = 20·log10|(Z/(Z+Zout)) / (Zref/(Zref+Zout))|.
 *
 * The file is written beside its final name and renamed over it when
 * complete, so a failure leaves no half-written picture. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cairo-svg.h>

#include <hpamp/safety.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>

#include "plot.h"

#define W 1100.0
#define H 520.0

hpc_plot_kind hpc_plot_kind_for(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return HPC_PLOT_NONE;
    if (!strcasecmp(dot, ".png"))
        return HPC_PLOT_PNG;
    if (!strcasecmp(dot, ".svg"))
        return HPC_PLOT_SVG;
    return HPC_PLOT_NONE;
}

/* ------------------------------------------------------------------------ */
/* output through our own descriptor                                        */

typedef struct sink {
    int fd;
    int err; /* first errno */
} sink;

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int length)
{
    sink *k = closure;
    while (length) {
        ssize_t w = write(k->fd, data, length);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (!k->err)
                k->err = errno;
            return CAIRO_STATUS_WRITE_ERROR;
        }
        data += w;
        length -= (unsigned)w;
    }
    return CAIRO_STATUS_SUCCESS;
}

/* ------------------------------------------------------------------------ */
/* drawing helpers                                                          */

typedef struct panel {
    double x0, y0, w, h; /* the plotting area in device units */
    double xmin, xmax, ymin, ymax;
    int xlog;
} panel;

static double px(const panel *p, double x)
{
    double t = p->xlog ? (log10(x) - log10(p->xmin)) / (log10(p->xmax) - log10(p->xmin))
                       : (x - p->xmin) / (p->xmax - p->xmin);
    return p->x0 + t * p->w;
}

static double py(const panel *p, double y)
{
    return p->y0 + p->h - (y - p->ymin) / (p->ymax - p->ymin) * p->h;
}

static void text(cairo_t *cr, double x, double y, const char *s, double size, double align)
{
    cairo_set_font_size(cr, size);
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    cairo_move_to(cr, x - align * e.x_advance, y);
    cairo_show_text(cr, s);
}

static void frame(cairo_t *cr, const panel *p, const char *title, const char *xlabel, const char *ylabel)
{
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, p->x0, p->y0, p->w, p->h);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_set_line_width(cr, 1.0);
    cairo_rectangle(cr, p->x0, p->y0, p->w, p->h);
    cairo_stroke(cr);
    text(cr, p->x0 + p->w / 2, p->y0 - 10, title, 13, 0.5);
    text(cr, p->x0 + p->w / 2, p->y0 + p->h + 38, xlabel, 12, 0.5);
    cairo_save(cr);
    cairo_move_to(cr, 0, 0);
    cairo_translate(cr, p->x0 - 42, p->y0 + p->h / 2);
    cairo_rotate(cr, -M_PI / 2);
    text(cr, 0, 0, ylabel, 12, 0.5);
    cairo_restore(cr);
}

static void grid_x(cairo_t *cr, const panel *p, double x, const char *label)
{
    cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
    cairo_move_to(cr, px(p, x), p->y0);
    cairo_line_to(cr, px(p, x), p->y0 + p->h);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    text(cr, px(p, x), p->y0 + p->h + 16, label, 11, 0.5);
}

static void grid_y(cairo_t *cr, const panel *p, double y, const char *label)
{
    cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
    cairo_move_to(cr, p->x0, py(p, y));
    cairo_line_to(cr, p->x0 + p->w, py(p, y));
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    text(cr, p->x0 - 6, py(p, y) + 4, label, 11, 1.0);
}

static const double palette[][3] = {
    {0.00, 0.45, 0.70}, {0.84, 0.37, 0.00}, {0.00, 0.62, 0.45},
    {0.80, 0.47, 0.65}, {0.55, 0.45, 0.00}, {0.34, 0.71, 0.91},
};

/* ------------------------------------------------------------------------ */
/* the two panels                                                           */

static void spl_panel(cairo_t *cr, const panel *p, double spl_fs, const hpa_advice *a, const hpc_plot_track *t,
                      size_t n)
{
    char b[64];
    cairo_set_line_width(cr, 1.0);
    for (int i = 0; p->xmin + 10.0 * i <= p->xmax + 1e-9; i++) {
        const double x = p->xmin + 10.0 * i;
        snprintf(b, sizeof b, "%.0f", x);
        grid_x(cr, p, x, b);
    }
    for (int i = 0; p->ymin + 10.0 * i <= p->ymax + 1e-9; i++) {
        const double y = p->ymin + 10.0 * i;
        snprintf(b, sizeof b, "%.0f", y);
        grid_y(cr, p, y, b);
    }
    cairo_save(cr);
    cairo_rectangle(cr, p->x0, p->y0, p->w, p->h);
    cairo_clip(cr);

    /* the source's loudest clean sine */
    cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
    cairo_set_line_width(cr, 1.5);
    double dash[] = {6.0, 4.0};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, p->x0, py(p, a->max_spl_db));
    cairo_line_to(cr, p->x0 + p->w, py(p, a->max_spl_db));
    cairo_stroke(cr);
    /* the target average level */
    double dot[] = {2.0, 3.0};
    cairo_set_dash(cr, dot, 2, 0);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    cairo_move_to(cr, p->x0, py(p, a->level_db));
    cairo_line_to(cr, p->x0 + p->w, py(p, a->level_db));
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);

    /* a full-scale sine, for reference */
    cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    cairo_set_line_width(cr, 1.0);
    cairo_move_to(cr, px(p, p->xmin), py(p, spl_fs + p->xmin));
    cairo_line_to(cr, px(p, p->xmax), py(p, spl_fs + p->xmax));
    cairo_stroke(cr);

    /* each programme: solid while clean, dashed past its clip point */
    for (size_t i = 0; i < n; i++) {
        const double *c = palette[i % (sizeof palette / sizeof palette[0])];
        double base = spl_fs + t[i].loudness_lufs; /* SPL at volume 0 */
        double vclip = a->max_spl_db - t[i].crest_db - base;
        double v_end = fmin(fmax(vclip, p->xmin), p->xmax);
        cairo_set_source_rgb(cr, c[0], c[1], c[2]);
        cairo_set_line_width(cr, 2.2);
        cairo_move_to(cr, px(p, p->xmin), py(p, base + p->xmin));
        cairo_line_to(cr, px(p, v_end), py(p, base + v_end));
        cairo_stroke(cr);
        if (vclip < p->xmax) {
            double d[] = {5.0, 4.0};
            cairo_set_dash(cr, d, 2, 0);
            cairo_set_line_width(cr, 1.2);
            cairo_move_to(cr, px(p, v_end), py(p, base + v_end));
            cairo_line_to(cr, px(p, p->xmax), py(p, base + p->xmax));
            cairo_stroke(cr);
            cairo_set_dash(cr, NULL, 0, 0);
            if (vclip >= p->xmin) {
                cairo_arc(cr, px(p, vclip), py(p, base + vclip), 4.0, 0, 2 * M_PI);
                cairo_fill(cr);
            }
        }
    }
    cairo_restore(cr);

    /* legend, on a light box so the lines behind it do not cross the text */
    double lx = p->x0 + 10, ly = p->y0 + 18;
    cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
    cairo_rectangle(cr, p->x0 + 4, p->y0 + 4, 230, 15.0 * (double)(n + 3) + 8);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
    snprintf(b, sizeof b, "loudest clean sine %.1f dB SPL", a->max_spl_db);
    text(cr, lx, ly, b, 11, 0);
    ly += 15;
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    snprintf(b, sizeof b, "target average %.0f dB SPL", a->level_db);
    text(cr, lx, ly, b, 11, 0);
    ly += 15;
    cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
    text(cr, lx, ly, "full-scale sine", 11, 0);
    for (size_t i = 0; i < n; i++) {
        ly += 15;
        const double *c = palette[i % (sizeof palette / sizeof palette[0])];
        cairo_set_source_rgb(cr, c[0], c[1], c[2]);
        char lab[48];
        snprintf(lab, sizeof lab, "%.36s", t[i].label);
        snprintf(b, sizeof b, "%s", lab);
        text(cr, lx, ly, b, 11, 0);
    }
}

static void fr_panel(cairo_t *cr, panel *p, const hpa_headphone *hp, const hpa_source *src, int zout_known)
{
    char b[64];
    enum { N = 400 };
    double db[N], fr[N];
    double worst = 0.0;
    int ok = zout_known && src && hp;
    if (ok) {
        for (int i = 0; i < N; i++) {
            fr[i] = 20.0 * pow(1000.0, (double)i / (N - 1));
            if (hpa_fr_deviation_at(hp, src->zout_ohm, fr[i], &db[i]) != HPA_OK) {
                ok = 0;
                break;
            }
            worst = fmax(worst, fabs(db[i]));
        }
    }
    double span = 1.0;
    while (span < worst * 1.15 && span < 40.0)
        span *= 2.0;
    p->ymin = -span;
    p->ymax = span;
    static const double ticks[] = {20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000};
    static const char *const tl[] = {"20", "50", "100", "200", "500", "1k", "2k", "5k", "10k", "20k"};
    cairo_set_line_width(cr, 1.0);
    for (size_t i = 0; i < sizeof ticks / sizeof ticks[0]; i++)
        grid_x(cr, p, ticks[i], tl[i]);
    for (int k = -4; k <= 4; k++) {
        double y = span * k / 4.0;
        snprintf(b, sizeof b, "%+.*f", span < 4 ? 2 : 1, y);
        grid_y(cr, p, y, b);
    }
    if (!ok) {
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        text(cr, p->x0 + p->w / 2, p->y0 + p->h / 2, "the source's output impedance is not known", 13, 0.5);
        return;
    }
    cairo_save(cr);
    cairo_rectangle(cr, p->x0, p->y0, p->w, p->h);
    cairo_clip(cr);
    cairo_set_source_rgb(cr, 0.0, 0.45, 0.70);
    cairo_set_line_width(cr, 2.2);
    for (int i = 0; i < N; i++) {
        if (i == 0)
            cairo_move_to(cr, px(p, fr[i]), py(p, db[i]));
        else
            cairo_line_to(cr, px(p, fr[i]), py(p, db[i]));
    }
    cairo_stroke(cr);
    cairo_restore(cr);
}

/* ------------------------------------------------------------------------ */

static void draw(cairo_t *cr, const char *title, const hpa_headphone *hp, const hpa_source *src, int zout_known,
                 const hpa_advice *a, const hpc_plot_track *t, size_t n)
{
    cairo_set_source_rgb(cr, 0.97, 0.97, 0.97);
    cairo_paint(cr);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    text(cr, W / 2, 24, title, 15, 0.5);

    /* the full-scale sine's SPL at full volume (safety.h: the one definition play uses too) */
    double spl_fs = a->max_spl_db;
    if (src)
        hpa_spl_at_full_scale(hp, src, 0, &spl_fs);
    panel left = {80, 70, 520, 370, -60, 0, 0, 0, 0};
    double top = fmax(fmax(a->max_spl_db, spl_fs), a->peak_spl_db);
    for (size_t i = 0; i < n; i++)
        top = fmax(top, spl_fs + t[i].loudness_lufs);
    left.ymax = fmin(160.0, ceil((top + 5.0) / 10.0) * 10.0);
    left.ymin = left.ymax - 100.0;
    frame(cr, &left, "dB SPL at the ear against the volume control", "volume (dB below full)", "dB SPL");
    spl_panel(cr, &left, spl_fs, a, t, n);

    panel right = {700, 70, 370, 370, 20, 20000, -1, 1, 1};
    char rt[96];
    if (zout_known && src)
        snprintf(rt, sizeof rt, "response change from %.3g ohm output impedance", src->zout_ohm);
    else
        snprintf(rt, sizeof rt, "response change from the output impedance");
    frame(cr, &right, rt, "frequency (Hz)", "dB");
    fr_panel(cr, &right, hp, src, zout_known);
}

int hpc_plot_write(const char *path, const char *title, const hpa_headphone *hp, const hpa_source *src, int zout_known,
                   const hpa_advice *a, const hpc_plot_track *tracks, size_t n_tracks, char *why, size_t why_len)
{
    hpc_plot_kind kind = hpc_plot_kind_for(path);
    if (kind == HPC_PLOT_NONE) {
        snprintf(why, why_len, "the file name must end in .png or .svg");
        return -1;
    }
    size_t len = strlen(path) + 16;
    char *tmp = malloc(len);
    if (!tmp) {
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    snprintf(tmp, len, "%s.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(why, why_len, "%s", strerror(errno));
        free(tmp);
        return -1;
    }
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    sink k = {fd, 0};
    cairo_status_t st;
    if (kind == HPC_PLOT_SVG) {
        cairo_surface_t *s = cairo_svg_surface_create_for_stream(sink_write, &k, W, H);
        cairo_t *cr = cairo_create(s);
        draw(cr, title, hp, src, zout_known, a, tracks, n_tracks);
        st = cairo_status(cr);
        cairo_destroy(cr);
        cairo_surface_finish(s);
        if (st == CAIRO_STATUS_SUCCESS)
            st = cairo_surface_status(s);
        cairo_surface_destroy(s);
    } else {
        cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)W, (int)H);
        cairo_t *cr = cairo_create(s);
        draw(cr, title, hp, src, zout_known, a, tracks, n_tracks);
        st = cairo_status(cr);
        cairo_destroy(cr);
        if (st == CAIRO_STATUS_SUCCESS)
            st = cairo_surface_write_to_png_stream(s, sink_write, &k);
        cairo_surface_destroy(s);
    }
    int rc = 0;
    if (st != CAIRO_STATUS_SUCCESS || k.err) {
        snprintf(why, why_len, "%s", k.err ? strerror(k.err) : cairo_status_to_string(st));
        rc = -1;
    }
    if (close(fd) != 0 && !rc) {
        snprintf(why, why_len, "%s", strerror(errno));
        rc = -1;
    }
    if (!rc && rename(tmp, path) != 0) {
        snprintf(why, why_len, "%s", strerror(errno));
        rc = -1;
    }
    if (rc)
        unlink(tmp);
    free(tmp);
    /* cairo's toy text keeps fonts from fontconfig for the life of the
     * process; hand them back, so leak checkers see a clean exit (the
     * picture is drawn once per run) */
    cairo_debug_reset_static_data();
    FcFini();
    return rc;
}
