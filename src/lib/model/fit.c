/* fit.c — fit the driver model (Re, Res, f0, Qms, Le) to a few |Z| points.
 *
 * Start: Small's estimates from the curve (Re from the minimum, f0 and the
 * peak from the maximum below it, Qms from |Z| at the other points, Le from
 * the rise above the minimum); then Levenberg–Marquardt on the residuals
 * r_i = ln|Zmodel(f_i)| − ln|Z_i| (relative errors, so a 550 Ω peak and a
 * 250 Ω plateau weigh alike) over the logarithms of the parameters (which
 * keeps them positive).  No allocation: at most NPAR parameters, the normal
 * equations are solved in place. */
#include <float.h>
#include <string.h>

#include "model_int.h"

enum { P_RE, P_RES, P_F0, P_Q, P_LE, NPAR };

#define FIT_MAX_ITER 300
#define FIT_LAMBDA0 1e-3

typedef struct fit {
    const hpa_zpoint *p;
    size_t n;
    int active[NPAR];          /* parameters being fitted; the others stay at their start value */
    double lo[NPAR], hi[NPAR]; /* bounds on the log-parameters */
} fit;

static void to_model(const double *th, const int *active, hpa_zmodel *m)
{
    m->re_ohm = exp(th[P_RE]);
    m->res_ohm = active[P_RES] ? exp(th[P_RES]) : 0.0;
    m->f0_hz = exp(th[P_F0]);
    m->qms = exp(th[P_Q]);
    m->le_h = active[P_LE] ? exp(th[P_LE]) : 0.0;
    m->lossy_k = 0.0;
    m->lossy_n = 0.0;
}

/* sum of squared residuals; r may be NULL */
static double cost(const fit *F, const double *th, double *r)
{
    hpa_zmodel m;
    double s = 0.0;
    to_model(th, F->active, &m);
    for (size_t i = 0; i < F->n; i++) {
        double e = log(cabs(hpa_model_zmodel_z(&m, F->p[i].freq_hz))) - log(F->p[i].mag_ohm);
        if (r)
            r[i] = e;
        s += e * e;
    }
    return isfinite(s) ? s : DBL_MAX;
}

static void clamp(const fit *F, double *th)
{
    for (int k = 0; k < NPAR; k++) {
        if (th[k] < F->lo[k])
            th[k] = F->lo[k];
        if (th[k] > F->hi[k])
            th[k] = F->hi[k];
    }
}

/* Solve A x = b (NPAR×NPAR, symmetric positive definite after damping) by
 * Gaussian elimination with partial pivoting.  Returns 0 if singular. */
static int solve(double A[NPAR][NPAR], double *b, double *x)
{
    for (int c = 0; c < NPAR; c++) {
        int piv = c;
        for (int r = c + 1; r < NPAR; r++)
            if (fabs(A[r][c]) > fabs(A[piv][c]))
                piv = r;
        if (!(fabs(A[piv][c]) > 1e-300))
            return 0;
        if (piv != c) {
            for (int k = 0; k < NPAR; k++) {
                double t = A[c][k];
                A[c][k] = A[piv][k];
                A[piv][k] = t;
            }
            double t = b[c];
            b[c] = b[piv];
            b[piv] = t;
        }
        for (int r = c + 1; r < NPAR; r++) {
            double f = A[r][c] / A[c][c];
            for (int k = c; k < NPAR; k++)
                A[r][k] -= f * A[c][k];
            b[r] -= f * b[c];
        }
    }
    for (int c = NPAR - 1; c >= 0; c--) {
        double s = b[c];
        for (int k = c + 1; k < NPAR; k++)
            s -= A[c][k] * x[k];
        x[c] = s / A[c][c];
    }
    return 1;
}

/* Levenberg–Marquardt.  The Jacobian is taken by central differences, point
 * by point, and accumulated straight into JᵀJ and Jᵀr: no n-row matrix is
 * stored, so any number of points fits in a fixed stack frame. */
static void lm(const fit *F, double *th)
{
    double lambda = FIT_LAMBDA0;
    double c0 = cost(F, th, NULL);

    for (int it = 0; it < FIT_MAX_ITER && c0 > 1e-24; it++) {
        double JtJ[NPAR][NPAR], Jtr[NPAR];
        memset(JtJ, 0, sizeof JtJ);
        memset(Jtr, 0, sizeof Jtr);

        /* J column k at point i: (r_i(θ + h e_k) − r_i(θ − h e_k)) / 2h */
        const double h = 1e-6;
        for (size_t i = 0; i < F->n; i++) {
            double col[NPAR];
            hpa_zmodel mp, mm;
            double r0;
            {
                hpa_zmodel m0;
                to_model(th, F->active, &m0);
                r0 = log(cabs(hpa_model_zmodel_z(&m0, F->p[i].freq_hz))) - log(F->p[i].mag_ohm);
            }
            for (int k = 0; k < NPAR; k++) {
                if (!F->active[k]) {
                    col[k] = 0.0;
                    continue;
                }
                double tp[NPAR], tm[NPAR];
                memcpy(tp, th, sizeof tp);
                memcpy(tm, th, sizeof tm);
                tp[k] += h;
                tm[k] -= h;
                to_model(tp, F->active, &mp);
                to_model(tm, F->active, &mm);
                double f = F->p[i].freq_hz;
                col[k] = (log(cabs(hpa_model_zmodel_z(&mp, f))) - log(cabs(hpa_model_zmodel_z(&mm, f)))) / (2.0 * h);
            }
            for (int a = 0; a < NPAR; a++) {
                Jtr[a] += col[a] * r0;
                for (int b = 0; b < NPAR; b++)
                    JtJ[a][b] += col[a] * col[b];
            }
        }

        int improved = 0;
        for (int tries = 0; tries < 20 && !improved; tries++) {
            double A[NPAR][NPAR], b[NPAR], d[NPAR], tn[NPAR];
            for (int a = 0; a < NPAR; a++) {
                for (int c = 0; c < NPAR; c++)
                    A[a][c] = JtJ[a][c];
                /* Marquardt's scaling plus a small absolute term: with fewer
                 * points than parameters JᵀJ is singular, and the damping
                 * then keeps the step short along the free directions. */
                A[a][a] += lambda * (JtJ[a][a] + 1e-9);
                if (!F->active[a]) {
                    for (int c = 0; c < NPAR; c++)
                        A[a][c] = A[c][a] = 0.0;
                    A[a][a] = 1.0;
                }
                b[a] = F->active[a] ? -Jtr[a] : 0.0;
            }
            if (!solve(A, b, d)) {
                lambda *= 10.0;
                continue;
            }
            for (int k = 0; k < NPAR; k++)
                tn[k] = th[k] + d[k];
            clamp(F, tn);
            double c1 = cost(F, tn, NULL);
            if (c1 < c0) {
                double rel = (c0 - c1) / c0;
                memcpy(th, tn, sizeof tn);
                c0 = c1;
                lambda = fmax(lambda / 3.0, 1e-12);
                improved = 1;
                if (rel < 1e-12)
                    return;
            } else {
                lambda *= 4.0;
            }
        }
        if (!improved)
            return;
    }
}

int hpa_zmodel_fit(const hpa_zpoint *points, size_t n, hpa_zmodel *out)
{
    if (!out || n < 3 || !hpa_model_zpoints_valid(points, n, 0))
        return HPA_ERR_INVALID_ARG;

    const hpa_zpoint *p = points;
    fit F;
    F.p = p;
    F.n = n;

    /* Re: the minimum of the curve (it lies above Re by the small tails of
     * the resonance and the inductance). */
    size_t imin = 0;
    for (size_t i = 1; i < n; i++)
        if (p[i].mag_ohm < p[imin].mag_ohm)
            imin = i;
    double re = p[imin].mag_ohm;

    /* The resonance: the highest point below the minimum's frequency (the
     * curve of a dynamic driver peaks in the bass, falls to a minimum, then
     * rises with the inductance). */
    size_t ipk = 0;
    for (size_t i = 1; i < imin; i++)
        if (p[i].mag_ohm > p[ipk].mag_ohm)
            ipk = i;
    int has_res = imin > 0 && p[ipk].mag_ohm > 1.02 * re;

    double f0 = has_res ? p[ipk].freq_hz : sqrt(p[0].freq_hz * p[n - 1].freq_hz);
    double zpk = has_res ? p[ipk].mag_ohm : re;
    double res = has_res ? zpk - re : 0.0;

    /* Qms from each point on the resonance's skirts.  For Z = Re + Res/(1+jQy),
     * y = f/f0 − f0/f:  |Z|² = ((Re+Res)² + Re²Q²y²) / (1 + Q²y²), so
     * Q²y² = (Zpk² − |Z|²) / (|Z|² − Re²).  (At |Z|² = Re·Zpk this is Small's
     * Qms = f0·√r0 / (f2 − f1).)  Geometric mean of the estimates. */
    double q = 1.0;
    if (has_res) {
        double lsum = 0.0;
        int cnt = 0;
        for (size_t i = 0; i < imin; i++) {
            double z = p[i].mag_ohm;
            if (i == ipk || !(z > 1.001 * re) || !(z < zpk))
                continue;
            double y = p[i].freq_hz / f0 - f0 / p[i].freq_hz;
            double q2y2 = (zpk * zpk - z * z) / (z * z - re * re);
            double qi = sqrt(q2y2) / fabs(y);
            if (isfinite(qi) && qi > 0.0) {
                lsum += log(qi);
                cnt++;
            }
        }
        if (cnt > 0)
            q = exp(lsum / cnt);
    }

    /* Le from the highest point above the minimum: |Z|² ≈ Re² + (ωLe)². */
    double le = 0.0;
    int has_le = 0;
    if (imin + 1 < n && p[n - 1].mag_ohm > 1.001 * re) {
        double z = p[n - 1].mag_ohm;
        le = sqrt(z * z - re * re) / (2.0 * HPA_MODEL_PI * p[n - 1].freq_hz);
        has_le = le > 0.0;
    }
    if (!has_le)
        le = 1e-9;

    double th[NPAR];
    th[P_RE] = log(re * (has_res ? 0.99 : 1.0));
    th[P_RES] = log(res > 0.0 ? res : 1e-9);
    th[P_F0] = log(f0);
    th[P_Q] = log(q);
    th[P_LE] = log(le);

    /* f0 is fitted only when the data pin the peak down: a point within half
     * an octave on each side of the highest one.  Otherwise the highest point
     * is all we know of the resonance (a review's "550 ohm at 62 Hz"), and it
     * is taken as the peak itself: f0 stays there. */
    int f0_free = has_res && ipk > 0 && p[ipk].freq_hz / p[ipk - 1].freq_hz <= 1.4142135623730951 &&
                  p[ipk + 1].freq_hz / p[ipk].freq_hz <= 1.4142135623730951;

    F.active[P_RE] = 1;
    F.active[P_RES] = has_res;
    F.active[P_F0] = f0_free;
    F.active[P_Q] = has_res;
    F.active[P_LE] = has_le;

    /* bounds: Re no higher than the lowest point (in this model |Z| >= Re at
     * every frequency: the RLC's and the inductances' real parts are >= 0),
     * Res within two decades of the data, f0 inside the measured range,
     * Qms 0.05 .. 50, Le up to ten times the data's largest |Z| at the
     * lowest frequency */
    double zmax = 0.0;
    for (size_t i = 0; i < n; i++)
        zmax = fmax(zmax, p[i].mag_ohm);
    F.lo[P_RE] = log(re * 1e-3);
    F.hi[P_RE] = log(re);
    F.lo[P_RES] = log(1e-9);
    F.hi[P_RES] = log(zmax * 100.0);
    F.lo[P_F0] = log(p[0].freq_hz);
    F.hi[P_F0] = log(p[n - 1].freq_hz);
    F.lo[P_Q] = log(0.05);
    F.hi[P_Q] = log(50.0);
    F.lo[P_LE] = log(1e-9);
    F.hi[P_LE] = log(fmax(1e-9, 10.0 * zmax / (2.0 * HPA_MODEL_PI * p[0].freq_hz)));
    clamp(&F, th);

    lm(&F, th);

    hpa_zmodel m;
    to_model(th, F.active, &m);
    if (!has_res) {
        m.res_ohm = 0.0;
        m.f0_hz = 0.0;
        m.qms = 0.0;
    }
    if (!hpa_model_zmodel_valid(&m))
        return HPA_ERR_INVALID_ARG;
    *out = m;
    return HPA_OK;
}
