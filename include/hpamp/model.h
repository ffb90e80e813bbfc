/* model.h — the headphone–amplifier model: what a source does to a headphone.
 *
 *   headphone:  nominal impedance, sensitivity (dB SPL/mW, dB SPL/V or mV for
 *               94 dB SPL), impedance curve Z(f) from points or from a model
 *   source:     full-scale voltage, current limit, output impedance, gains
 *   results:    volts, current, power and dB SPL at any level and volume; the
 *               loudest clean level and the limit hit first; the frequency-
 *               response deviation caused by the output impedance; damping
 *               factor; the 1/8 rule
 *
 * Every function here is pure: no allocation, no I/O, no global state.  All
 * are [any]: safe from any thread at any time, the audio thread included.
 * Each returns HPA_OK or HPA_ERR_INVALID_ARG (a NULL pointer, a NaN or
 * infinity, or a value out of its range such as a negative or zero
 * impedance) and writes its results through pointers; on error the outputs
 * are left untouched.  Units are in the names: _ohm, _v (RMS volts), _ma (RMS
 * milliamps), _mw, _hz, _h (henries), _db, _dbfs.  The formulas and their
 * sources are in docs/model.md.
 *
 * Voltages and currents are RMS values of a sine.  0 dBFS is the RMS level of
 * a full-scale sine (AES17), so a source's full-scale voltage is the RMS
 * voltage of a full-scale sine at full volume.
 */
#ifndef HPAMP_MODEL_H
#define HPAMP_MODEL_H

#include <stddef.h>

#include <hpamp/hpamp.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* impedance                                                                */

/* A complex impedance: resistance + j·reactance. */
typedef struct hpa_impedance {
    double re_ohm; /* resistance */
    double im_ohm; /* reactance: positive inductive, negative capacitive */
} hpa_impedance;

/* One measured point of an impedance curve. */
typedef struct hpa_zpoint {
    double freq_hz;   /* > 0; points are given in strictly increasing frequency */
    double mag_ohm;   /* |Z| > 0 */
    double phase_deg; /* phase of Z, -90 .. 90; used only when the curve says it has phase */
} hpa_zpoint;

/* The electrical model of a dynamic driver:
 *
 *   Z(f) = Re + jωLe + K·(jω)^n + 1 / (1/Res + 1/(jωLces) + jωCmes)
 *
 * the voice coil's resistance Re, its inductance Le and (optionally) a lossy
 * inductance K·(jω)^n (Leach 2002; n = 0.5 is Vanderkooy's semi-inductance),
 * in series with a parallel RLC for the mechanical resonance, written through
 * its peak Res at f0 and its mechanical Q, Qms = 2π·f0·Cmes·Res (Thiele/Small).
 * At f0, without inductance, |Z| = Re + Res. */
typedef struct hpa_zmodel {
    double re_ohm;  /* voice-coil DC resistance Re, > 0 */
    double le_h;    /* series inductance Le in henries, >= 0 */
    double lossy_k; /* Leach's K in ohm·s^n, >= 0; 0 = no lossy inductance */
    double lossy_n; /* Leach's exponent n, 0 < n <= 1 (used when lossy_k > 0) */
    double res_ohm; /* height of the resonance above Re, >= 0; 0 = no resonance */
    double f0_hz;   /* resonance frequency, > 0 when res_ohm > 0 */
    double qms;     /* mechanical Q (width: the -3 dB band of the RLC is f0/Qms), > 0 when res_ohm > 0 */
} hpa_zmodel;

/* Qms assumed by hpa_zmodel_from_spec() when a spec gives no width.  This is
 * the value fitted to the one full measured headphone curve we have (the
 * DT 1990 Pro, see docs/model.md), not a published typical value. */
#define HPA_ZMODEL_DEFAULT_QMS 0.5

/* How a headphone's impedance varies with frequency. */
typedef enum hpa_zcurve_kind {
    HPA_ZCURVE_FLAT = 0,   /* nominal_ohm at every frequency, resistive */
    HPA_ZCURVE_POINTS = 1, /* measured points, interpolated on log frequency */
    HPA_ZCURVE_MODEL = 2   /* the electrical model hpa_zmodel */
} hpa_zcurve_kind;

/* [any] Z of the model at f_hz (> 0). */
HPA_API int hpa_zmodel_eval(const hpa_zmodel *m, double f_hz, hpa_impedance *z);

/* [any] Build a model from the few numbers a spec sheet or review gives: the
 * DC resistance (or, failing it, the impedance at the minimum above the
 * resonance), the peak impedance and its frequency, the width as Qms (0: use
 * HPA_ZMODEL_DEFAULT_QMS) and the inductance Le (0: none).  Res is set so
 * that |Z(f0)| equals peak_ohm exactly, inductance included; peak_ohm must
 * exceed |Re + jω0·Le|. */
HPA_API int hpa_zmodel_from_spec(double re_ohm, double peak_ohm, double f0_hz, double qms, double le_h, hpa_zmodel *m);

/* [any] Fit Re, Res, f0, Qms and Le to n >= 3 points of |Z| (phase is not
 * used; frequencies strictly increasing) by least squares on log |Z|
 * (Levenberg–Marquardt), started from Small's impedance-curve estimates.
 * Works with as few points as a review quotes (e.g. the value at 20 Hz, the
 * peak, 1 kHz and the minimum).  The resonance is the highest point below
 * the lowest one; unless a neighbour on each side lies within half an octave,
 * that point is taken as the peak itself and f0 stays on it.  Re is kept at
 * or below the lowest point (|Z| >= Re everywhere in this model); Le is
 * fitted only when a point lies above the minimum, the resonance only when
 * the curve rises 2 % above the minimum below it.  The lossy inductance is
 * not fitted (lossy_k = 0).  Deterministic. */
HPA_API int hpa_zmodel_fit(const hpa_zpoint *points, size_t n, hpa_zmodel *m);

/* [any] Interpolate a measured curve at f_hz: log |Z| and phase linearly
 * against log f between neighbours (a straight line on a Bode plot), the end
 * values held outside the measured range.  With has_phase 0 Z is taken as
 * resistive (phase 0). */
HPA_API int hpa_zpoints_eval(const hpa_zpoint *points, size_t n, int has_phase, double f_hz, hpa_impedance *z);

/* [any] |Z| of a complex impedance (never fails; NaN in, NaN out). */
HPA_API double hpa_impedance_abs(hpa_impedance z);

/* ------------------------------------------------------------------------ */
/* headphone                                                                */

typedef struct hpa_headphone {
    double nominal_ohm; /* the maker's nominal impedance, > 0 */
    /* Sensitivity: give whichever is known; 0 = unknown.  When several are
     * given, the measured v94_mv wins, then sens_db_per_v, then
     * sens_db_per_mw (see hpa_headphone_sens_db_per_v). */
    double sens_db_per_mw; /* dB SPL for 1 mW (into nominal_ohm) */
    double sens_db_per_v;  /* dB SPL for 1 V RMS */
    double v94_mv;         /* measured mV RMS for 94 dB SPL */
    double ref_hz;         /* frequency the sensitivity refers to; 0 = 1 kHz */
    hpa_zcurve_kind zcurve;
    const hpa_zpoint *zpoints; /* HPA_ZCURVE_POINTS: caller-owned, n_zpoints >= 1, kept by reference */
    size_t n_zpoints;
    int zpoints_have_phase; /* 1: use phase_deg of the points; 0: magnitudes only */
    hpa_zmodel zmodel;      /* HPA_ZCURVE_MODEL */
} hpa_headphone;

/* [any] Defaults: everything 0 (unknown), flat curve, 1 kHz reference.  Set
 * nominal_ohm and one sensitivity before use. */
HPA_API void hpa_headphone_init(hpa_headphone *hp);

/* [any] HPA_OK if every field is usable, else HPA_ERR_INVALID_ARG. */
HPA_API int hpa_headphone_check(const hpa_headphone *hp);

/* [any] Z of the headphone at f_hz (> 0) from its curve. */
HPA_API int hpa_headphone_z(const hpa_headphone *hp, double f_hz, hpa_impedance *z);

/* The extremes of |Z| over a band. */
typedef struct hpa_zrange {
    double min_ohm, min_hz;
    double max_ohm, max_hz;
} hpa_zrange;

/* [any] Smallest and largest |Z| over f_lo_hz .. f_hi_hz (0 < lo <= hi, at
 * most 40 octaves apart),
 * searched on a 1/96-octave grid plus the curve's own points and resonance. */
HPA_API int hpa_headphone_zrange(const hpa_headphone *hp, double f_lo_hz, double f_hi_hz, hpa_zrange *out);

/* [any] The headphone's sensitivity in dB SPL/V, from the best figure it has
 * (measured mV for 94 dB, else dB/V, else dB/mW converted at nominal_ohm). */
HPA_API int hpa_headphone_sens_db_per_v(const hpa_headphone *hp, double *s_db_per_v);

/* ------------------------------------------------------------------------ */
/* sensitivity and level                                                    */

/* [any] S_V = S_mW + 10·log10(1000 / Z): dB SPL/mW to dB SPL/V at z_ohm. */
HPA_API int hpa_sens_mw_to_v(double s_db_per_mw, double z_ohm, double *s_db_per_v);

/* [any] The inverse: S_mW = S_V − 10·log10(1000 / Z). */
HPA_API int hpa_sens_v_to_mw(double s_db_per_v, double z_ohm, double *s_db_per_mw);

/* [any] S_V = 94 − 20·log10(V94) from a measured "mV RMS for 94 dB SPL". */
HPA_API int hpa_sens_from_v94(double v94_mv, double *s_db_per_v);

/* [any] SPL = S_V + 20·log10(V), v_rms > 0. */
HPA_API int hpa_spl_from_v(double s_db_per_v, double v_rms, double *spl_db);

/* [any] V = 10^((SPL − S_V)/20): the RMS volts at the headphone for spl_db. */
HPA_API int hpa_v_for_spl(double s_db_per_v, double spl_db, double *v_rms);

/* [any] Voltage divider of a resistive source into a resistive load:
 * Vload = Voc · Z / (Z + Zout); z_ohm > 0, zout_ohm >= 0, voc_v >= 0. */
HPA_API int hpa_divider(double voc_v, double z_ohm, double zout_ohm, double *vload_v);

/* What a headphone needs for a given SPL (at its reference frequency). */
typedef struct hpa_requirement {
    double vload_v;  /* RMS volts at the headphone */
    double z_ohm;    /* |Z| at the reference frequency */
    double iload_ma; /* RMS current V/|Z| */
    double pload_mw; /* V²/|Z| */
    double zmin_ohm; /* smallest |Z| over 20 Hz .. 20 kHz */
    double ipeak_ma; /* √2·V / Zmin: the peak current a full-level tone could draw where Z is lowest */
} hpa_requirement;

/* [any] What the headphone needs to play spl_db. */
HPA_API int hpa_requirement_for_spl(const hpa_headphone *hp, double spl_db, hpa_requirement *out);

/* ------------------------------------------------------------------------ */
/* source (DAC, amp, phone, dongle)                                         */

#define HPA_SOURCE_MAX_GAINS 8

typedef enum hpa_output { HPA_OUTPUT_SINGLE_ENDED = 0, HPA_OUTPUT_BALANCED = 1 } hpa_output;

/* A source's output as a Thévenin equivalent with two limits.  All the
 * numbers describe the one output the headphone is plugged into (for a
 * balanced output: the balanced figures, Zout being both legs together);
 * `output` and `battery` are informational. */
typedef struct hpa_source {
    double vout_max_v;                    /* RMS volts at full scale and full volume on the gain vout_max_v was stated
                            * at: also the most the output swings before it clips, > 0 */
    double vout_load_ohm;                 /* the load vout_max_v was stated into; 0 (or +inf) = open circuit */
    double imax_ma;                       /* RMS current limit; 0 = unknown (not modelled) */
    double zout_ohm;                      /* output impedance, resistive, >= 0 */
    double gain_db[HPA_SOURCE_MAX_GAINS]; /* each gain setting's full-scale level relative to the setting
                                           * vout_max_v was stated at (which is 0 dB), within +-100 dB;
                                           * a positive gain clips before full scale */
    unsigned n_gains;                     /* 0 = a single setting at 0 dB */
    int battery;                          /* 1 if battery powered */
    hpa_output output;
} hpa_source;

/* [any] Defaults: everything 0, single-ended, one gain setting. */
HPA_API void hpa_source_init(hpa_source *src);

/* [any] HPA_OK if every field is usable and consistent (a voltage stated at a
 * load must not need more than the current limit), else HPA_ERR_INVALID_ARG. */
HPA_API int hpa_source_check(const hpa_source *src);

/* [any] The open-circuit voltage at which the output clips: vout_max_v
 * referred back to no load, Voc = V·(R + Zout)/R when stated into R. */
HPA_API int hpa_source_voc_max(const hpa_source *src, double *voc_v);

/* [any] The open-circuit full-scale voltage on gain setting gain_index (the
 * clipping voltage for a gain above 0 dB). */
HPA_API int hpa_source_voc_full_scale(const hpa_source *src, unsigned gain_index, double *voc_v);

/* Which limit bounds the output. */
typedef enum hpa_limit {
    HPA_LIMIT_NONE = 0,    /* below both limits */
    HPA_LIMIT_VOLTAGE = 1, /* the voltage: full scale, or the output's clipping voltage */
    HPA_LIMIT_CURRENT = 2  /* the current limit */
} hpa_limit;

/* [any] Derive the limits from a spec that gives only power ratings at two
 * loads (V = √(P·R) at each, referred to open circuit through zout_ohm).  The
 * higher-impedance rating sets the voltage; a lower-impedance rating more
 * than 3 % (0.26 dB) below what that voltage would give is current-limited,
 * and then I = √(P/R) there becomes the current limit.  Otherwise both are
 * voltage-limited: vout_max_v is the lower of the two open-circuit voltages
 * (never promising more than either rating) and imax_ma stays 0 (unknown).
 * Writes vout_max_v, vout_load_ohm (0), imax_ma and zout_ohm into *src, the
 * other fields untouched; *low_z_limit (may be NULL) receives the limit at
 * the lower-impedance load. */
HPA_API int hpa_source_from_power_ratings(double p1_mw, double r1_ohm, double p2_mw, double r2_ohm, double zout_ohm,
                                          hpa_source *src, hpa_limit *low_z_limit);

/* ------------------------------------------------------------------------ */
/* results                                                                  */

typedef struct hpa_operating_point {
    double freq_hz;     /* frequency the load was taken at */
    double z_ohm;       /* |Z| there */
    double voc_v;       /* open-circuit volts the signal asks of the source (before any limit) */
    double vload_v;     /* RMS volts at the headphone, after the limits */
    double iload_ma;    /* RMS current */
    double pload_mw;    /* V²/|Z| (the real power when Z is resistive) */
    double spl_db;      /* S_V + 20·log10(vload_v): dB SPL at the ear */
    double vload_max_v; /* the most this load can get: min(Vlim·|Z/(Z+Zout)|, Imax·|Z|) */
    double headroom_db; /* 20·log10(vload_max / requested vload): negative when the request is over */
    hpa_limit limit;    /* the limit that comes first for this load (never NONE) */
    int clipped;        /* 1 when the request exceeded it and the values are the limit's */
} hpa_operating_point;

/* [any] The result of playing a sine at level_dbfs (0 = full scale) with the
 * volume at volume_db (0 = full, negative = quieter) on gain setting
 * gain_index, with the load taken at freq_hz (0 = the headphone's ref_hz).
 * spl_db uses the sensitivity at ref_hz: at another frequency it is the SPL
 * a headphone with a flat response would give. */
HPA_API int hpa_operating_point_at(const hpa_headphone *hp, const hpa_source *src, unsigned gain_index,
                                   double level_dbfs, double volume_db, double freq_hz, hpa_operating_point *out);

/* [any] The loudest clean level on gain_index, with the load taken at
 * freq_hz (0 = ref_hz): vload_v = vload_max_v, set by the limit that comes
 * first (`limit`: the voltage, i.e. full scale or the clipping voltage, or
 * the current); voc_v is the open-circuit voltage that gives it, headroom_db
 * is 0 and clipped 0. */
HPA_API int hpa_max_output(const hpa_headphone *hp, const hpa_source *src, unsigned gain_index, double freq_hz,
                           hpa_operating_point *out);

/* Frequency-response deviation caused by the output impedance. */
typedef struct hpa_fr_deviation {
    double ref_hz, zref_ohm;   /* the reference frequency and |Z| there */
    double max_db, max_hz;     /* highest ΔdB and where */
    double min_db, min_hz;     /* lowest ΔdB and where */
    double worst_db, worst_hz; /* the ΔdB of largest magnitude (signed) and where */
    double spread_db;          /* max_db − min_db: the peak-to-peak ripple */
} hpa_fr_deviation;

/* [any] ΔdB(f) = 20·log10 |(Z(f)/(Z(f)+Zout)) / (Zref/(Zref+Zout))| at f_hz,
 * Zref = Z at the headphone's ref_hz. */
HPA_API int hpa_fr_deviation_at(const hpa_headphone *hp, double zout_ohm, double f_hz, double *db);

/* [any] ΔdB over f_lo_hz .. f_hi_hz (0 < lo <= hi, at most 40 octaves
 * apart; 20 and 20000 for the audio band) on a 1/96-octave grid plus the curve's points and resonance. */
HPA_API int hpa_fr_deviation_band(const hpa_headphone *hp, double zout_ohm, double f_lo_hz, double f_hi_hz,
                                  hpa_fr_deviation *out);

/* [any] Damping factor Z/Zout (z_ohm > 0, zout_ohm >= 0); +infinity for
 * Zout = 0. */
HPA_API int hpa_damping_factor(double z_ohm, double zout_ohm, double *df);

/* [any] NwAvGuy's rule: *ok = 1 when Zout <= Z/8.  Use the smallest |Z| over
 * the band (hpa_headphone_zrange) for headphones whose impedance dips below
 * nominal, such as multi-driver IEMs. */
HPA_API int hpa_eighth_rule(double z_ohm, double zout_ohm, int *ok);

#ifdef __cplusplus
}
#endif

#endif
