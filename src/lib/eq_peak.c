/* eq_peak.c — the largest gain of a band set's combined response
 * (hpa_eq_peak_db: the EQ's automatic headroom), in time linear in the band
 * count.  docs/eq.md, "Responses and headroom", describes the method.
 *
 * The combined response in dB, S(w) = sum_k 10 log10 |H_k(e^jw)|^2, is
 * searched in u = ln w.  Each term is analytic in u except near its
 * singularities: where e^u meets a root r = rho e^(j theta) of the band's
 * numerator or denominator, at u = ln(theta' + j |ln rho|) for theta' = theta,
 * -theta and 2 pi - theta (the images on the real w axis that can come near
 * 0 .. pi).  A narrow band's singularities lie close to the real u axis, a
 * broad band's far from it.
 *
 * The range is cut into cells (width PK_H in u, wider below the lowest band).
 * For a cell, a band is *far* when none of its singularities lies inside the
 * Bernstein ellipse E_rho (rho = 5) around the cell: the sum of the far bands
 * is then analytic inside that ellipse, and its Chebyshev interpolant on
 * PK_P nodes is exact to about rho^-PK_P of its scale (far below 1e-12 dB).
 * Every band is far for all but the few cells around its own singularities,
 * so building every cell's interpolant costs PK_P evaluations per band and
 * cell: linear in the band count.  The few *near* bands of a cell are kept
 * and evaluated exactly.  In each cell the search walks from one end to the
 * other with steps of at most 1/8 of the cell and at most half the distance
 * to the nearest near singularity (so a narrow peak is sampled across its
 * width), and refines every local maximum of the walk by golden-section
 * search; the best few are evaluated again exactly, band by band, as
 * hpa_eq_response_db does, and the largest of those values is the answer.
 * An evaluation of S inside a cell costs PK_P + (its near bands) instead of
 * the band count, which is what made the previous search (a golden-section
 * refinement at every band's frequency, each evaluation over every band)
 * quadratic.
 *
 * Zeros exactly at z = 1 or z = -1 (those of HP, LP and BP) are singular at
 * the ends of the range; they are taken out of the bands' numerators and added
 * back as exact terms, m0 10 log10(4 sin^2(w/2)) + mpi 10 log10(4 cos^2(w/2)).
 * The interpolated and near terms are evaluated by expanding each polynomial
 * about z^-1 = 1 (in the lower half of the band) or z^-1 = -1 (upper half), so
 * that a low band's response near 0 Hz does not cancel in its coefficients.
 *
 * Below the lowest singularity w_s by PK_TAIL (a factor e^8 in frequency) S is
 * S(0) + a w^2 + b w^4 + ..., whose largest value there is at an end to within
 * about (w / w_s)^4 ~ 1e-14 of the bands' scale, or it rises monotonically
 * where zeros at z = 1 pull it to -inf at 0 Hz: the lowest cell's lower end
 * and the range's lower end, evaluated exactly, stand for that tail.
 *
 * Nothing is allocated: bands are designed again for each block of PK_K cells
 * (one design serves PK_K * PK_P node evaluations), and the working set lives
 * on the stack (about 40 KB).  Near bands a block cannot hold split the block,
 * and a cell narrower than PK_MIN_W that still has too many (hundreds of
 * notches at one frequency) is searched with exact evaluations.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <hpamp/eq.h>

#include "internal.h"

#define PK_PI 3.14159265358979323846
#define PK_DB_LOG2 3.01029995663981195214 /* 10 log10(2) */

#define PK_P 24                       /* Chebyshev nodes per cell */
#define PK_H 0.0625                   /* cell width in u = ln w */
#define PK_A_NEAR 2.6                 /* near: inside E_rho, rho = 5: semi-major (rho + 1/rho) / 2 */
#define PK_B_NEAR 2.4                 /* and semi-minor (rho - 1/rho) / 2, in half-widths of the cell */
#define PK_K 16                       /* cells per block (at most 32: a mask) */
#define PK_NEAR 128                   /* near bands one block holds */
#define PK_TAIL 8.0                   /* cells reach this far below the lowest singularity */
#define PK_UNIFORM 1.0                /* uniform cells down to this far below it, doubling widths under that */
#define PK_MIN_W (PK_H / 1024.0)      /* narrowest cell */
#define PK_STEP_MIN (1.0 / 1048576.0) /* shortest walking step, as a fraction of the cell */
#define PK_TOP 8                      /* candidates evaluated exactly at the end */
#define PK_RENORM 8                   /* products taken between two renormalisations */
#define PK_DEPTH 48                   /* blocks waiting to be searched after splits */

typedef struct pk_pt {
    double x, y; /* a singularity x + jy in the u plane, y >= 0 */
} pk_pt;

/* a band as the search uses it */
typedef struct pk_band {
    double c[5];        /* b0 b1 b2 a1 a2 */
    int reduced;        /* the numerator is b0 times zeros at z = +-1 only (LP, HP, BP) */
    int m0, mpi;        /* those zeros at z = 1 and z = -1 */
    int n_root;         /* roots of the (reduced) numerator and the denominator: */
    double th[4], d[4]; /* theta in [0, pi] and |ln rho| */
} pk_band;

/* a near band kept for a block */
typedef struct pk_near {
    double c[5];
    int reduced;
    int n_pt;
    uint32_t mask; /* the block's cells it is near */
    pk_pt pt[4];   /* its roots' principal images, for the walk's steps */
} pk_near;

typedef struct pk_cell {
    double ua, ub;             /* the cell in u */
    int side;                  /* expansions about z^-1 = 1 (0) or -1 (1) */
    int since;                 /* products since the last renormalisation */
    double er[PK_P], ei[PK_P]; /* the expansion variable e at the nodes */
    double pn[PK_P], pd[PK_P]; /* the far bands' products of |N|^2 and |D|^2 */
    int ex[PK_P];              /* their binary exponents taken out (numerator minus denominator) */
} pk_cell;

typedef void (*pk_nodes_fn)(const double *n, const double *d, pk_cell *cell);

typedef struct pk_cand {
    double v, u; /* approximate value, and where (u = ln w) */
} pk_cand;

typedef struct pk_ctx {
    const hpa_eq_band *bands;
    size_t n;
    double rate_hz;
    int m0, mpi;             /* all bands' zeros at z = 1 and z = -1 */
    double cheb[PK_P][PK_P]; /* cos(pi m (j + 1/2) / P); row 1: the nodes */
    pk_near near[PK_NEAR];
    pk_cell cells[PK_K];
    pk_cand top[PK_TOP];
    int n_top;
    pk_nodes_fn nodes;
    hpa_eq_peak_stats *st;
} pk_ctx;

/* ---- bands ---- */

/* the roots of z^2 + p z + q into b as (theta, |ln rho|) */
static void add_roots(pk_band *b, double p, double q)
{
    const double h = -0.5 * p, disc = h * h - q;
    double rho[2], th[2];
    int nr = 1;
    if (disc < 0.0) {
        rho[0] = sqrt(q);
        th[0] = atan2(sqrt(-disc), h);
    } else {
        const double r1 = h + copysign(sqrt(disc), h), r2 = r1 != 0.0 ? q / r1 : 0.0;
        rho[0] = fabs(r1), th[0] = r1 < 0.0 ? PK_PI : 0.0;
        rho[1] = fabs(r2), th[1] = r2 < 0.0 ? PK_PI : 0.0;
        nr = 2;
    }
    for (int i = 0; i < nr; i++) {
        const double d = fabs(log(rho[i]));
        if (!isfinite(d) || (th[i] == 0.0 && d == 0.0))
            continue; /* a root at 0 or infinity; a zero at z = 1 is analytic in u */
        b->th[b->n_root] = th[i], b->d[b->n_root] = d;
        b->n_root++;
    }
}

static void band_prep(const pk_ctx *x, size_t k, pk_band *b)
{
    hpa_eq_coefs c;
    hpa_eq_design(&x->bands[k], x->rate_hz, &c, NULL); /* checked by the caller */
    x->st->designs++;
    b->c[0] = c.b0, b->c[1] = c.b1, b->c[2] = c.b2, b->c[3] = c.a1, b->c[4] = c.a2;
    const hpa_eq_type t = x->bands[k].type;
    b->reduced = t == HPA_EQ_LP || t == HPA_EQ_HP || t == HPA_EQ_BP;
    b->m0 = t == HPA_EQ_HP ? 2 : t == HPA_EQ_BP ? 1 : 0;
    b->mpi = t == HPA_EQ_LP ? 2 : t == HPA_EQ_BP ? 1 : 0;
    b->n_root = 0;
    if (!b->reduced && c.b0 != 0.0)
        add_roots(b, c.b1 / c.b0, c.b2 / c.b0);
    add_roots(b, c.a1, c.a2);
}

/* the principal image of a root in the u plane */
static pk_pt principal(double th, double d)
{
    return (pk_pt){0.5 * log(th * th + d * d), atan2(d, th)};
}

/* a band's numerator (without its zeros at z = +-1 when reduced) and
 * denominator expanded about z^-1 = 1 (side 0) or -1 (side 1) */
static void band_expansion(const double *c, int reduced, int side, double n[3], double d[3])
{
    if (reduced)
        n[0] = c[0], n[1] = n[2] = 0.0;
    else
        hpa_eq_expand(c[0], c[1], c[2], side, n);
    hpa_eq_expand(1.0, c[3], c[4], side, d);
}

/* ---- evaluation ---- */

/* the expansion variable e = e^-jw - s at w for the given side */
static void e_at(double w, int side, double *er, double *ei)
{
    const double sh = sin(0.5 * w), ch = cos(0.5 * w);
    *ei = -2.0 * sh * ch;
    *er = side ? 2.0 * ch * ch : -2.0 * sh * sh;
}

/* the exact terms of the zeros at z = 1 and -1 taken out of the bands:
 * m0 10 log10(4 sin^2(w/2)) + mpi 10 log10(4 cos^2(w/2)) */
static double ends_db(const pk_ctx *x, double w)
{
    double v = 0.0;
    if (x->m0) {
        const double sh = sin(0.5 * w);
        v += x->m0 * 10.0 * log10(4.0 * sh * sh);
    }
    if (x->mpi) {
        const double ch = cos(0.5 * w);
        v += x->mpi * 10.0 * log10(4.0 * ch * ch);
    }
    return v;
}

/* take the binary exponent out of a positive product: returns it, *v keeps
 * the mantissa (in [0.5, 1)) */
static inline int renorm(double *v)
{
    uint64_t bits;
    memcpy(&bits, v, sizeof bits);
    const int e = (int)((bits >> 52) & 0x7ffu);
    if (e == 0 || e == 0x7ff) { /* zero, subnormal, infinite */
        int f = 0;
        if (*v != 0.0 && isfinite(*v))
            *v = frexp(*v, &f);
        return f;
    }
    bits = (bits & ~((uint64_t)0x7ffu << 52)) | ((uint64_t)1022u << 52);
    memcpy(v, &bits, sizeof bits);
    return e - 1022;
}

/* 10 log10(pn / pd) + ex 10 log10(2) */
static double product_db(double pn, double pd, int ex)
{
    return (pn > 0.0 ? 10.0 * log10(pn / pd) : -HUGE_VAL) + PK_DB_LOG2 * ex;
}

/* The cell's approximation of S at u: the far bands' interpolant (coef), the
 * exact end terms, and the cell's near bands exactly. */
static double cell_eval(pk_ctx *x, const pk_cell *cell, const double *coef, const int *nl, int nn, double u)
{
    const double c = 0.5 * (cell->ua + cell->ub), r = 0.5 * (cell->ub - cell->ua);
    const double t = (u - c) / r;
    double b1 = 0.0, b2 = 0.0;
    for (int k = PK_P - 1; k >= 1; k--) {
        const double b0 = 2.0 * t * b1 - b2 + coef[k];
        b2 = b1, b1 = b0;
    }
    const double w = exp(u);
    double v = t * b1 - b2 + coef[0] + ends_db(x, w);
    if (nn == 0)
        return v;
    hpa_eq_at a;
    a.side = cell->side;
    e_at(w, cell->side, &a.er, &a.ei);
    double pn = 1.0, pd = 1.0;
    int ex = 0;
    for (int i = 0; i < nn; i++) {
        const pk_near *b = &x->near[nl[i]];
        double n[3], d[3], nr, ni, dr, di;
        band_expansion(b->c, b->reduced, cell->side, n, d);
        hpa_eq_poly(n, &a, &nr, &ni);
        hpa_eq_poly(d, &a, &dr, &di);
        pn *= nr * nr + ni * ni;
        pd *= dr * dr + di * di;
        if (i % PK_RENORM == PK_RENORM - 1)
            ex += renorm(&pn) - renorm(&pd);
    }
    x->st->band_evals += (uint64_t)nn;
    return v + product_db(pn, pd, ex);
}

/* S at the points w[0..m) exactly, band by band as hpa_eq_response_db does */
static void exact_eval(pk_ctx *x, const double *w, double *v, int m)
{
    hpa_eq_at at[PK_TOP + 2];
    for (int i = 0; i < m; i++) {
        at[i] = hpa_eq_at_w(w[i]);
        v[i] = 0.0;
    }
    for (size_t k = 0; k < x->n; k++) {
        hpa_eq_coefs c;
        hpa_eq_design(&x->bands[k], x->rate_hz, &c, NULL);
        x->st->designs++;
        for (int i = 0; i < m; i++)
            v[i] += hpa_eq_biquad_db(&c, &at[i]);
    }
    x->st->band_evals += (uint64_t)x->n * (uint64_t)m;
}

/* ---- the search ---- */

/* keep the PK_TOP best candidates */
static void offer(pk_ctx *x, double v, double u)
{
    if (!(v == v))
        return;
    int i = x->n_top;
    if (i == PK_TOP) {
        if (!(v > x->top[PK_TOP - 1].v))
            return;
        i--;
    } else {
        x->n_top++;
    }
    while (i > 0 && x->top[i - 1].v < v) {
        x->top[i] = x->top[i - 1];
        i--;
    }
    x->top[i] = (pk_cand){v, u};
}

/* what the walk evaluates: a cell's approximation, or S exactly */
typedef struct pk_fn {
    const pk_cell *cell; /* NULL: exactly */
    const double *coef;
    const int *nl;
    int nn;
} pk_fn;

static double fn_at(pk_ctx *x, const pk_fn *f, double u)
{
    if (f->cell)
        return cell_eval(x, f->cell, f->coef, f->nl, f->nn, u);
    const double w = exp(u);
    double v;
    exact_eval(x, &w, &v, 1);
    return v;
}

/* golden-section search for a maximum of f on [a, b] (values va, vb at the
 * ends); offers the best point it saw */
static void refine(pk_ctx *x, const pk_fn *f, double a, double b, double va, double vb)
{
    const double g = 0.61803398874989484820;
    double best = va, best_u = a;
    if (vb > best)
        best = vb, best_u = b;
    double x1 = b - g * (b - a), x2 = a + g * (b - a);
    double f1 = fn_at(x, f, x1), f2 = fn_at(x, f, x2);
    for (int it = 0; it < 80 && b - a > 1e-10 * fmax(1.0, fabs(a)); it++) {
        if (f1 >= f2) {
            b = x2, x2 = x1, f2 = f1;
            x1 = b - g * (b - a);
            f1 = fn_at(x, f, x1);
        } else {
            a = x1, x1 = x2, f1 = f2;
            x2 = a + g * (b - a);
            f2 = fn_at(x, f, x2);
        }
        if (f1 > best)
            best = f1, best_u = x1;
        if (f2 > best)
            best = f2, best_u = x2;
    }
    offer(x, best, best_u);
}

/* the walk's next step from u: at most 1/8 of the cell and half the distance
 * to the nearest near singularity, at least PK_STEP_MIN of the cell */
static double step_from(const pk_ctx *x, const pk_fn *f, double u, double width)
{
    double r2 = width * width / 16.0;
    for (int i = 0; i < f->nn; i++) {
        const pk_near *b = &x->near[f->nl[i]];
        for (int j = 0; j < b->n_pt; j++) {
            const double dx = u - b->pt[j].x, dy = b->pt[j].y;
            r2 = fmin(r2, dx * dx + dy * dy);
        }
    }
    return fmax(0.5 * sqrt(r2), PK_STEP_MIN * width);
}

/* walk [ua, ub] (in `fixed` equal steps, or as step_from says) and refine
 * every local maximum of the walk */
static void walk(pk_ctx *x, const pk_fn *f, double ua, double ub, int fixed)
{
    const double width = ub - ua;
    double u0 = ua, v0 = fn_at(x, f, ua);
    double um = u0, vm = v0; /* the point before u0 */
    int rising = 1;          /* u0 is no lower than the point before it */
    while (u0 < ub) {
        const double step = fixed ? width / fixed : step_from(x, f, u0, width);
        double u1 = u0 + step;
        if (!(u1 > u0) || ub - u1 < 1e-3 * step) /* the end, or a range too narrow to step in */
            u1 = ub;
        const double v1 = fn_at(x, f, u1);
        if (rising && v0 >= v1)
            refine(x, f, um, u1, vm, v1);
        rising = v1 >= v0;
        um = u0, vm = v0, u0 = u1, v0 = v1;
    }
    if (rising)
        refine(x, f, um, u0, vm, v0);
}

/* ---- blocks of cells ---- */

static void cell_init(pk_cell *cell, const pk_ctx *x, double ua, double ub)
{
    cell->ua = ua, cell->ub = ub;
    const double c = 0.5 * (ua + ub), r = 0.5 * (ub - ua);
    cell->side = exp(c) > 0.5 * PK_PI;
    cell->since = 0;
    for (int j = 0; j < PK_P; j++) {
        e_at(exp(c + r * x->cheb[1][j]), cell->side, &cell->er[j], &cell->ei[j]);
        cell->pn[j] = cell->pd[j] = 1.0;
        cell->ex[j] = 0;
    }
}

static void cell_renorm(pk_cell *cell)
{
    for (int j = 0; j < PK_P; j++)
        cell->ex[j] += renorm(&cell->pn[j]) - renorm(&cell->pd[j]);
    cell->since = 0;
}

/* |N|^2 and |D|^2 of one band (expansions n, d) into the products at a
 * cell's nodes: nearly all of the search's arithmetic, in a plain and an
 * AVX2/FMA build of the same loop (chosen at run time) */
static inline __attribute__((always_inline)) void nodes_k(const double *n, const double *d, pk_cell *cell)
{
    const double n0 = n[0], n1 = n[1], n2 = n[2], d0 = d[0], d1 = d[1], d2 = d[2];
    const double *restrict er_ = cell->er, *restrict ei_ = cell->ei;
    double *restrict pn = cell->pn, *restrict pd = cell->pd;
    for (int j = 0; j < PK_P; j++) {
        const double er = er_[j], ei = ei_[j];
        const double e2r = er * er - ei * ei, e2i = 2.0 * er * ei;
        const double nr = n0 + n1 * er + n2 * e2r, ni = n1 * ei + n2 * e2i;
        const double dr = d0 + d1 * er + d2 * e2r, di = d1 * ei + d2 * e2i;
        pn[j] *= nr * nr + ni * ni;
        pd[j] *= dr * dr + di * di;
    }
}

static void nodes_plain(const double *n, const double *d, pk_cell *cell)
{
    nodes_k(n, d, cell);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("avx2,fma"))) static void nodes_avx2(const double *n, const double *d, pk_cell *cell)
{
    nodes_k(n, d, cell);
}

static pk_nodes_fn nodes_fn(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? nodes_avx2 : nodes_plain;
}
#else
static pk_nodes_fn nodes_fn(void)
{
    return nodes_plain;
}
#endif

/* one far band into a cell's nodes */
static void cell_add(const pk_ctx *x, pk_cell *cell, const pk_band *b)
{
    double n[3], d[3];
    band_expansion(b->c, b->reduced, cell->side, n, d);
    x->nodes(n, d, cell);
    if (++cell->since == PK_RENORM)
        cell_renorm(cell);
}

/* the block's region where a singularity can be near one of its cells */
typedef struct pk_region {
    double w2lo, w2hi; /* |theta' + jd|^2 between these */
    double ymax;       /* and y below this, */
    double tan_ymax;   /* that is d < theta' tan(ymax) for theta' > 0 (ymax < pi/2) */
} pk_region;

/* whether the singularity theta' + jd is near cells; adds them to *mask */
static void near_image(double th, double d, const pk_region *g, const pk_cell *cells, int k, uint32_t *mask)
{
    const double w2 = th * th + d * d;
    if (!(w2 >= g->w2lo && w2 <= g->w2hi))
        return;
    if (th > 0.0 && g->ymax < 0.5 * PK_PI && !(d < th * g->tan_ymax))
        return;
    const double y = atan2(d, th);
    if (y >= g->ymax)
        return;
    const double xs = 0.5 * log(w2);
    for (int j = 0; j < k; j++) {
        const double c = 0.5 * (cells[j].ua + cells[j].ub), r = 0.5 * (cells[j].ub - cells[j].ua);
        const double tx = (xs - c) / r, ty = y / r;
        const double s = sqrt((tx - 1.0) * (tx - 1.0) + ty * ty) + sqrt((tx + 1.0) * (tx + 1.0) + ty * ty);
        if (s < 2.0 * PK_A_NEAR)
            *mask |= 1u << j;
    }
}

/* the cells of a block a band is near, as a mask: where one of its roots'
 * images theta, -theta, 2 pi - theta lies inside a cell's ellipse */
static uint32_t near_mask(const pk_band *b, const pk_cell *cells, int k, const pk_region *g)
{
    uint32_t mask = 0;
    for (int i = 0; i < b->n_root; i++) {
        const double th = b->th[i], d = b->d[i];
        near_image(th, d, g, cells, k, &mask);
        if (th > 0.0 && g->ymax > 0.5 * PK_PI)
            near_image(-th, d, g, cells, k, &mask);
        if (th < PK_PI)
            near_image(2.0 * PK_PI - th, d, g, cells, k, &mask);
    }
    return mask;
}

/* Build the interpolants of k cells (x->cells) and search them.  Returns 0,
 * or -1 when their near bands overflow (nothing was searched). */
static int block_try(pk_ctx *x, int k)
{
    pk_cell *cells = x->cells;
    double lo = cells[0].ua, hi = cells[k - 1].ub, rmax = 0.0;
    for (int j = 0; j < k; j++)
        rmax = fmax(rmax, 0.5 * (cells[j].ub - cells[j].ua));
    const double ymax = PK_B_NEAR * rmax;
    const pk_region g = {exp(2.0 * (lo - PK_A_NEAR * rmax)), exp(2.0 * (hi + PK_A_NEAR * rmax)), ymax,
                         ymax < 0.5 * PK_PI ? tan(ymax) : HUGE_VAL};
    int n_near = 0;
    for (size_t bi = 0; bi < x->n; bi++) {
        pk_band b;
        band_prep(x, bi, &b);
        const uint32_t mask = near_mask(&b, cells, k, &g);
        if (mask) {
            if (n_near == PK_NEAR)
                return -1;
            pk_near *e = &x->near[n_near++];
            memcpy(e->c, b.c, sizeof e->c);
            e->reduced = b.reduced;
            e->mask = mask;
            e->n_pt = b.n_root;
            for (int i = 0; i < b.n_root; i++)
                e->pt[i] = principal(b.th[i], b.d[i]);
        }
        for (int j = 0; j < k; j++)
            if (!(mask & (1u << j)))
                cell_add(x, &cells[j], &b);
        x->st->band_evals += (uint64_t)(k - __builtin_popcount(mask)) * PK_P;
    }
    for (int j = 0; j < k; j++) {
        pk_cell *cell = &cells[j];
        cell_renorm(cell);
        double f[PK_P], coef[PK_P];
        int finite = 1;
        for (int i = 0; i < PK_P; i++) {
            f[i] = product_db(cell->pn[i], cell->pd[i], cell->ex[i]);
            finite &= isfinite(f[i]) != 0;
        }
        if (!finite) { /* a far band's product underflowed: no interpolant, search exactly */
            const pk_fn exact = {NULL, NULL, NULL, 0};
            walk(x, &exact, cell->ua, cell->ub, 32);
            continue;
        }
        for (int m = 0; m < PK_P; m++) {
            double s = 0.0;
            for (int i = 0; i < PK_P; i++)
                s += f[i] * x->cheb[m][i];
            coef[m] = s * (m ? 2.0 : 1.0) / PK_P;
        }
        int nl[PK_NEAR], nn = 0;
        for (int i = 0; i < n_near; i++)
            if (x->near[i].mask & (1u << j))
                nl[nn++] = i;
        const pk_fn f_cell = {cell, coef, nl, nn};
        walk(x, &f_cell, cell->ua, cell->ub, 0);
    }
    return 0;
}

/* Cells [bounds[j], bounds[j + 1]), k of them: searched as one block or, when
 * their near bands overflow, as two halves (a single cell: as two cells of
 * half its width), down to cells narrower than PK_MIN_W, which are searched
 * with exact evaluations. */
typedef struct pk_item {
    double b[PK_K + 1];
    int k;
} pk_item;

static void search_block(pk_ctx *x, const double *bounds, int k)
{
    pk_item todo[PK_DEPTH];
    int nt = 1;
    memcpy(todo[0].b, bounds, (size_t)(k + 1) * sizeof(double));
    todo[0].k = k;
    while (nt > 0) {
        const pk_item it = todo[--nt];
        for (int j = 0; j < it.k; j++)
            cell_init(&x->cells[j], x, it.b[j], it.b[j + 1]);
        if (block_try(x, it.k) == 0)
            continue;
        const double ua = it.b[0], ub = it.b[it.k];
        if (nt + 2 > PK_DEPTH || (it.k == 1 && ub - ua < PK_MIN_W)) {
            const pk_fn exact = {NULL, NULL, NULL, 0};
            walk(x, &exact, ua, ub, 32);
            continue;
        }
        if (it.k > 1) {
            const int h = it.k / 2;
            pk_item *upper = &todo[nt++], *lower = &todo[nt++];
            memcpy(upper->b, it.b + h, (size_t)(it.k - h + 1) * sizeof(double));
            upper->k = it.k - h;
            memcpy(lower->b, it.b, (size_t)(h + 1) * sizeof(double));
            lower->k = h;
        } else {
            pk_item *two = &todo[nt++];
            two->b[0] = ua, two->b[1] = 0.5 * (ua + ub), two->b[2] = ub;
            two->k = 2;
        }
    }
}

/* ---- the whole range ---- */

int hpa_eq_peak_db_counted(const hpa_eq_band *bands, size_t n, double rate_hz, double lo_hz, double hi_hz,
                           double *peak_db, double *at_hz, hpa_eq_peak_stats *stats)
{
    if (n > 0 && !bands)
        return HPA_ERR_INVALID_ARG;
    if (!(rate_hz >= (double)HPA_RATE_MIN_HZ && rate_hz <= (double)HPA_RATE_MAX_HZ))
        return HPA_ERR_RATE;
    if (!(lo_hz >= 0.0 && lo_hz <= hi_hz && hi_hz <= 0.5 * rate_hz))
        return HPA_ERR_INVALID_ARG;
    hpa_eq_fault fault;
    int rc = hpa_eq_bands_check(bands, n, rate_hz, &fault);
    if (rc != HPA_OK)
        return rc;

    hpa_eq_peak_stats none = {0, 0};
    pk_ctx x;
    x.bands = bands, x.n = n, x.rate_hz = rate_hz, x.n_top = 0, x.st = stats ? stats : &none;
    x.m0 = x.mpi = 0;
    x.nodes = nodes_fn();

    const double to_w = 2.0 * PK_PI / rate_hz;
    const double w_lo = lo_hz * to_w, w_hi = hi_hz * to_w;
    double ends_w[2] = {w_lo, w_hi}, ends_v[2];
    exact_eval(&x, ends_w, ends_v, 2);
    double best = ends_v[0], best_w = w_lo;
    if (ends_v[1] > best)
        best = ends_v[1], best_w = w_hi;

    if (n > 0 && w_hi > w_lo) {
        /* the lowest singularity, and the zeros at z = +-1 */
        double low2 = HUGE_VAL;
        for (size_t k = 0; k < n; k++) {
            pk_band b;
            band_prep(&x, k, &b);
            x.m0 += b.m0, x.mpi += b.mpi;
            for (int i = 0; i < b.n_root; i++)
                low2 = fmin(low2, b.th[i] * b.th[i] + b.d[i] * b.d[i]);
        }
        const double u_hi = log(w_hi);
        const double low = low2 < HUGE_VAL ? fmin(0.5 * log(low2), u_hi) : u_hi;
        const double u_floor = low - PK_TAIL, u_uniform = low - PK_UNIFORM;
        const double u_stop = w_lo > 0.0 ? fmax(log(w_lo), u_floor) : u_floor;
        for (int m = 0; m < PK_P; m++)
            for (int j = 0; j < PK_P; j++)
                x.cheb[m][j] = cos(PK_PI * m * (j + 0.5) / PK_P);
        /* cells from the top down in blocks of PK_K, each block's bounds ascending */
        double u = u_hi, width = PK_H;
        while (u > u_stop) {
            double b[PK_K + 1];
            int k = 0;
            b[PK_K] = u;
            while (k < PK_K && u > u_stop) {
                if (u <= u_uniform)
                    width *= 2.0;
                double next = u - width;
                if (next - u_stop < 0.25 * width)
                    next = u_stop;
                k++;
                b[PK_K - k] = next;
                u = next;
            }
            search_block(&x, b + PK_K - k, k);
        }
        /* the best candidates again, exactly */
        double w[PK_TOP], v[PK_TOP];
        for (int i = 0; i < x.n_top; i++)
            w[i] = fmin(fmax(exp(x.top[i].u), w_lo), w_hi);
        exact_eval(&x, w, v, x.n_top);
        for (int i = 0; i < x.n_top; i++)
            if (v[i] > best)
                best = v[i], best_w = w[i];
    }
    if (peak_db)
        *peak_db = best;
    if (at_hz)
        *at_hz = fmin(fmax(best_w / to_w, lo_hz), hi_hz);
    return HPA_OK;
}

int hpa_eq_peak_db(const hpa_eq_band *bands, size_t n, double rate_hz, double lo_hz, double hi_hz, double *peak_db,
                   double *at_hz)
{
    return hpa_eq_peak_db_counted(bands, n, rate_hz, lo_hz, hi_hz, peak_db, at_hz, NULL);
}
