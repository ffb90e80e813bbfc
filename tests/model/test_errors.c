/* test_errors.c — bad input: negative, zero, NaN and infinite values, NULL
 * pointers, inconsistent specs.  Every call must return HPA_ERR_INVALID_ARG,
 * never crash, and leave its outputs untouched. */
#include <hpamp/model.h>

#include "mtest.h"

#define SENT 12345.678 /* an output value that must survive a failed call */

static const double bad_pos[] = {0.0, -1.0, -300.0, NAN, INFINITY, -INFINITY};
static const double bad_nonneg[] = {-1e-9, -1.0, NAN, INFINITY, -INFINITY};
static const double bad_any[] = {NAN, INFINITY, -INFINITY};
#define N(a) (sizeof(a) / sizeof((a)[0]))

static hpa_headphone good_hp(void)
{
    hpa_headphone hp;
    hpa_headphone_init(&hp);
    hp.nominal_ohm = 32.0;
    hp.sens_db_per_mw = 100.0;
    return hp;
}

static hpa_source good_src(void)
{
    hpa_source s;
    hpa_source_init(&s);
    s.vout_max_v = 1.0;
    s.zout_ohm = 1.0;
    return s;
}

static void scalar_functions(void **state)
{
    (void)state;
    double x = SENT;
    int ok = 7;

    for (size_t i = 0; i < N(bad_pos); i++) {
        double b = bad_pos[i];
        assert_inval(hpa_sens_mw_to_v(97.0, b, &x)); /* impedance */
        assert_inval(hpa_sens_v_to_mw(97.0, b, &x));
        assert_inval(hpa_sens_from_v94(b, &x));     /* millivolts */
        assert_inval(hpa_spl_from_v(100.0, b, &x)); /* volts */
        assert_inval(hpa_divider(1.0, b, 1.0, &x)); /* load */
        assert_inval(hpa_damping_factor(b, 1.0, &x));
        assert_inval(hpa_eighth_rule(b, 1.0, &ok));
    }
    for (size_t i = 0; i < N(bad_nonneg); i++) {
        double b = bad_nonneg[i];
        assert_inval(hpa_divider(1.0, 32.0, b, &x)); /* Zout */
        assert_inval(hpa_divider(b, 32.0, 1.0, &x)); /* Voc */
        assert_inval(hpa_damping_factor(32.0, b, &x));
        assert_inval(hpa_eighth_rule(32.0, b, &ok));
    }
    for (size_t i = 0; i < N(bad_any); i++) {
        double b = bad_any[i];
        assert_inval(hpa_sens_mw_to_v(b, 300.0, &x)); /* sensitivity */
        assert_inval(hpa_sens_v_to_mw(b, 300.0, &x));
        assert_inval(hpa_spl_from_v(b, 1.0, &x));
        assert_inval(hpa_v_for_spl(b, 100.0, &x));
        assert_inval(hpa_v_for_spl(100.0, b, &x));
    }
    assert_near(x, SENT, 0.0);
    assert_int_equal(ok, 7);

    /* NULL outputs */
    assert_inval(hpa_sens_mw_to_v(97.0, 300.0, NULL));
    assert_inval(hpa_sens_v_to_mw(97.0, 300.0, NULL));
    assert_inval(hpa_sens_from_v94(288.0, NULL));
    assert_inval(hpa_spl_from_v(100.0, 1.0, NULL));
    assert_inval(hpa_v_for_spl(100.0, 90.0, NULL));
    assert_inval(hpa_divider(1.0, 32.0, 1.0, NULL));
    assert_inval(hpa_damping_factor(32.0, 1.0, NULL));
    assert_inval(hpa_eighth_rule(32.0, 1.0, NULL));

    /* NaN in, NaN out, never a crash */
    hpa_impedance z = {NAN, 0.0};
    assert_true(isnan(hpa_impedance_abs(z)));
}

static void headphone_fields(void **state)
{
    (void)state;
    double x = SENT;
    hpa_headphone hp;

    assert_inval(hpa_headphone_check(NULL));
    hpa_headphone_init(NULL); /* no-op, no crash */

    hp = good_hp();
    assert_ok(hpa_headphone_check(&hp));
    for (size_t i = 0; i < N(bad_pos); i++) {
        hp = good_hp();
        hp.nominal_ohm = bad_pos[i];
        assert_inval(hpa_headphone_check(&hp));
        assert_inval(hpa_headphone_sens_db_per_v(&hp, &x));
    }
    for (size_t i = 0; i < N(bad_nonneg); i++) {
        hp = good_hp();
        hp.sens_db_per_mw = bad_nonneg[i];
        assert_inval(hpa_headphone_check(&hp));
        hp = good_hp();
        hp.sens_db_per_v = bad_nonneg[i];
        assert_inval(hpa_headphone_check(&hp));
        hp = good_hp();
        hp.v94_mv = bad_nonneg[i];
        assert_inval(hpa_headphone_check(&hp));
        hp = good_hp();
        hp.ref_hz = bad_nonneg[i];
        assert_inval(hpa_headphone_check(&hp));
    }
    /* no sensitivity at all */
    hp = good_hp();
    hp.sens_db_per_mw = 0.0;
    assert_inval(hpa_headphone_check(&hp));
    /* a sensitivity beyond 194 dB SPL */
    hp = good_hp();
    hp.sens_db_per_v = 250.0;
    assert_inval(hpa_headphone_check(&hp));
    /* an unknown curve kind */
    hp = good_hp();
    hp.zcurve = (hpa_zcurve_kind)7;
    assert_inval(hpa_headphone_check(&hp));
    assert_near(x, SENT, 0.0);
}

static void headphone_curves(void **state)
{
    (void)state;
    hpa_headphone hp;
    hpa_impedance z = {SENT, SENT};

    /* points: missing, unsorted, duplicated, negative, NaN, phase out of range */
    const hpa_zpoint unsorted[] = {{1000.0, 30.0, 0.0}, {100.0, 40.0, 0.0}};
    const hpa_zpoint dup[] = {{100.0, 30.0, 0.0}, {100.0, 40.0, 0.0}};
    const hpa_zpoint neg[] = {{100.0, -30.0, 0.0}, {1000.0, 40.0, 0.0}};
    const hpa_zpoint zero_f[] = {{0.0, 30.0, 0.0}, {1000.0, 40.0, 0.0}};
    const hpa_zpoint nan_z[] = {{100.0, NAN, 0.0}, {1000.0, 40.0, 0.0}};
    const hpa_zpoint phase[] = {{100.0, 30.0, 120.0}, {1000.0, 40.0, 0.0}};
    const hpa_zpoint *bad[] = {unsorted, dup, neg, zero_f, nan_z};

    hp = good_hp();
    hp.zcurve = HPA_ZCURVE_POINTS;
    assert_inval(hpa_headphone_check(&hp)); /* NULL points */
    for (size_t i = 0; i < N(bad); i++) {
        hp.zpoints = bad[i];
        hp.n_zpoints = 2;
        assert_inval(hpa_headphone_check(&hp));
        assert_inval(hpa_headphone_z(&hp, 1000.0, &z));
        assert_inval(hpa_zpoints_eval(bad[i], 2, 0, 1000.0, &z));
    }
    hp.zpoints = phase;
    hp.zpoints_have_phase = 1;
    assert_inval(hpa_headphone_check(&hp));
    hp.zpoints_have_phase = 0; /* phase ignored: fine */
    assert_ok(hpa_headphone_check(&hp));
    hp.n_zpoints = 0;
    assert_inval(hpa_headphone_check(&hp));
    assert_inval(hpa_zpoints_eval(phase, 0, 0, 1000.0, &z));
    assert_inval(hpa_zpoints_eval(NULL, 2, 0, 1000.0, &z));

    /* model: Re <= 0, negative parts, resonance without f0 or Q, lossy n out of (0, 1] */
    hpa_zmodel good = {250.0, 0.001, 0.0, 0.0, 300.0, 62.0, 0.5};
    hpa_zmodel m;
    assert_ok(hpa_zmodel_eval(&good, 100.0, &z));
    z.re_ohm = z.im_ohm = SENT;
    for (size_t i = 0; i < N(bad_pos); i++) {
        m = good;
        m.re_ohm = bad_pos[i];
        assert_inval(hpa_zmodel_eval(&m, 100.0, &z));
        m = good;
        m.f0_hz = bad_pos[i];
        assert_inval(hpa_zmodel_eval(&m, 100.0, &z));
        m = good;
        m.qms = bad_pos[i];
        assert_inval(hpa_zmodel_eval(&m, 100.0, &z));
        assert_inval(hpa_zmodel_eval(&good, bad_pos[i], &z)); /* frequency */
    }
    for (size_t i = 0; i < N(bad_nonneg); i++) {
        m = good;
        m.le_h = bad_nonneg[i];
        assert_inval(hpa_zmodel_eval(&m, 100.0, &z));
        m = good;
        m.res_ohm = bad_nonneg[i];
        assert_inval(hpa_zmodel_eval(&m, 100.0, &z));
        m = good;
        m.lossy_k = bad_nonneg[i];
        assert_inval(hpa_zmodel_eval(&m, 100.0, &z));
    }
    m = good;
    m.lossy_k = 0.1;
    m.lossy_n = 0.0;
    assert_inval(hpa_zmodel_eval(&m, 100.0, &z));
    m.lossy_n = 1.5;
    assert_inval(hpa_zmodel_eval(&m, 100.0, &z));
    m.lossy_n = NAN;
    assert_inval(hpa_zmodel_eval(&m, 100.0, &z));
    assert_inval(hpa_zmodel_eval(NULL, 100.0, &z));
    assert_inval(hpa_zmodel_eval(&good, 100.0, NULL));
    hp = good_hp();
    hp.zcurve = HPA_ZCURVE_MODEL; /* zmodel all zero from init: Re = 0 */
    assert_inval(hpa_headphone_check(&hp));
    assert_near(z.re_ohm, SENT, 0.0);
    assert_near(z.im_ohm, SENT, 0.0);
}

static void spec_and_fit(void **state)
{
    (void)state;
    hpa_zmodel m = {SENT, SENT, SENT, SENT, SENT, SENT, SENT};

    /* from a spec: peak not above Re, bad numbers, inductance above the peak */
    assert_inval(hpa_zmodel_from_spec(250.0, 250.0, 62.0, 0.5, 0.0, &m));
    assert_inval(hpa_zmodel_from_spec(250.0, 200.0, 62.0, 0.5, 0.0, &m));
    assert_inval(hpa_zmodel_from_spec(20.0, 100.0, 100.0, 1.0, 1.0, &m)); /* ω0·Le = 628 > 100 */
    for (size_t i = 0; i < N(bad_pos); i++) {
        assert_inval(hpa_zmodel_from_spec(bad_pos[i], 550.0, 62.0, 0.5, 0.0, &m));
        assert_inval(hpa_zmodel_from_spec(250.0, bad_pos[i], 62.0, 0.5, 0.0, &m));
        assert_inval(hpa_zmodel_from_spec(250.0, 550.0, bad_pos[i], 0.5, 0.0, &m));
    }
    for (size_t i = 0; i < N(bad_nonneg); i++) {
        assert_inval(hpa_zmodel_from_spec(250.0, 550.0, 62.0, bad_nonneg[i], 0.0, &m));
        assert_inval(hpa_zmodel_from_spec(250.0, 550.0, 62.0, 0.5, bad_nonneg[i], &m));
    }
    assert_inval(hpa_zmodel_from_spec(250.0, 550.0, 62.0, 0.5, 0.0, NULL));

    /* fit: too few points, NULL, unsorted, NaN, negative */
    const hpa_zpoint ok3[] = {{20.0, 361.0, 0.0}, {62.0, 550.0, 0.0}, {1000.0, 266.0, 0.0}};
    const hpa_zpoint unsorted[] = {{62.0, 550.0, 0.0}, {20.0, 361.0, 0.0}, {1000.0, 266.0, 0.0}};
    const hpa_zpoint nan3[] = {{20.0, 361.0, 0.0}, {62.0, NAN, 0.0}, {1000.0, 266.0, 0.0}};
    const hpa_zpoint neg3[] = {{20.0, 361.0, 0.0}, {62.0, -550.0, 0.0}, {1000.0, 266.0, 0.0}};
    const hpa_zpoint inf3[] = {{20.0, 361.0, 0.0}, {INFINITY, 550.0, 0.0}, {1000.0, 266.0, 0.0}};
    assert_inval(hpa_zmodel_fit(ok3, 2, &m));
    assert_inval(hpa_zmodel_fit(ok3, 0, &m));
    assert_inval(hpa_zmodel_fit(NULL, 3, &m));
    assert_inval(hpa_zmodel_fit(ok3, 3, NULL));
    assert_inval(hpa_zmodel_fit(unsorted, 3, &m));
    assert_inval(hpa_zmodel_fit(nan3, 3, &m));
    assert_inval(hpa_zmodel_fit(neg3, 3, &m));
    assert_inval(hpa_zmodel_fit(inf3, 3, &m));
    assert_near(m.re_ohm, SENT, 0.0);
    assert_near(m.qms, SENT, 0.0);

    /* three good points do fit */
    assert_ok(hpa_zmodel_fit(ok3, 3, &m));
}

static void source_fields(void **state)
{
    (void)state;
    hpa_source s;
    double x = SENT;

    assert_inval(hpa_source_check(NULL));
    hpa_source_init(NULL); /* no-op */
    s = good_src();
    assert_ok(hpa_source_check(&s));
    for (size_t i = 0; i < N(bad_pos); i++) {
        s = good_src();
        s.vout_max_v = bad_pos[i];
        assert_inval(hpa_source_check(&s));
        assert_inval(hpa_source_voc_max(&s, &x));
    }
    for (size_t i = 0; i < N(bad_nonneg); i++) {
        s = good_src();
        s.zout_ohm = bad_nonneg[i];
        assert_inval(hpa_source_check(&s));
        s = good_src();
        s.imax_ma = bad_nonneg[i];
        assert_inval(hpa_source_check(&s));
    }
    s = good_src();
    s.vout_load_ohm = -32.0;
    assert_inval(hpa_source_check(&s));
    s.vout_load_ohm = NAN;
    assert_inval(hpa_source_check(&s));
    s.vout_load_ohm = -INFINITY;
    assert_inval(hpa_source_check(&s));
    s.vout_load_ohm = INFINITY; /* open circuit, like 0 */
    assert_ok(hpa_source_check(&s));

    s = good_src();
    s.n_gains = HPA_SOURCE_MAX_GAINS + 1;
    assert_inval(hpa_source_check(&s));
    s.n_gains = 2;
    s.gain_db[1] = NAN;
    assert_inval(hpa_source_check(&s));
    s = good_src();
    s.output = (hpa_output)5;
    assert_inval(hpa_source_check(&s));

    /* inconsistent: "2 V into 16 ohm" needs 125 mA, but the limit is 50 mA */
    s = good_src();
    s.vout_max_v = 2.0;
    s.vout_load_ohm = 16.0;
    s.imax_ma = 50.0;
    assert_inval(hpa_source_check(&s));

    s = good_src();
    assert_inval(hpa_source_voc_max(&s, NULL));
    assert_inval(hpa_source_voc_full_scale(&s, 1, &x)); /* one setting only: index 0 */
    assert_inval(hpa_source_voc_full_scale(&s, 0, NULL));
    assert_near(x, SENT, 0.0);
}

static void power_ratings(void **state)
{
    (void)state;
    hpa_source s = good_src();
    hpa_limit lim = (hpa_limit)9;

    assert_inval(hpa_source_from_power_ratings(100.0, 32.0, 10.0, 32.0, 0.0, &s, &lim)); /* same load */
    for (size_t i = 0; i < N(bad_pos); i++) {
        double b = bad_pos[i];
        assert_inval(hpa_source_from_power_ratings(b, 32.0, 10.0, 300.0, 0.0, &s, &lim));
        assert_inval(hpa_source_from_power_ratings(100.0, b, 10.0, 300.0, 0.0, &s, &lim));
        assert_inval(hpa_source_from_power_ratings(100.0, 32.0, b, 300.0, 0.0, &s, &lim));
        assert_inval(hpa_source_from_power_ratings(100.0, 32.0, 10.0, b, 0.0, &s, &lim));
    }
    for (size_t i = 0; i < N(bad_nonneg); i++)
        assert_inval(hpa_source_from_power_ratings(100.0, 32.0, 10.0, 300.0, bad_nonneg[i], &s, &lim));
    assert_inval(hpa_source_from_power_ratings(100.0, 32.0, 10.0, 300.0, 0.0, NULL, &lim));
    assert_near(s.vout_max_v, 1.0, 0.0);
    assert_int_equal(lim, 9);
}

static void results(void **state)
{
    (void)state;
    hpa_headphone hp = good_hp();
    hpa_source s = good_src();
    hpa_operating_point op;
    op.vload_v = SENT;
    hpa_requirement r;
    r.vload_v = SENT;
    hpa_fr_deviation fr;
    fr.max_db = SENT;
    hpa_zrange zr;
    zr.min_ohm = SENT;
    double x = SENT;

    for (size_t i = 0; i < N(bad_any); i++) {
        double b = bad_any[i];
        assert_inval(hpa_operating_point_at(&hp, &s, 0, b, 0.0, 0.0, &op)); /* level */
        assert_inval(hpa_operating_point_at(&hp, &s, 0, 0.0, b, 0.0, &op)); /* volume */
        assert_inval(hpa_requirement_for_spl(&hp, b, &r));
    }
    for (size_t i = 0; i < N(bad_nonneg); i++) {
        double b = bad_nonneg[i];
        assert_inval(hpa_operating_point_at(&hp, &s, 0, 0.0, 0.0, b, &op)); /* frequency */
        assert_inval(hpa_max_output(&hp, &s, 0, b, &op));
        assert_inval(hpa_fr_deviation_at(&hp, b, 100.0, &x)); /* Zout */
        assert_inval(hpa_fr_deviation_band(&hp, b, 20.0, 20000.0, &fr));
    }
    for (size_t i = 0; i < N(bad_pos); i++) {
        double b = bad_pos[i];
        assert_inval(hpa_fr_deviation_at(&hp, 1.0, b, &x)); /* frequency */
        assert_inval(hpa_fr_deviation_band(&hp, 1.0, b, 20000.0, &fr));
        assert_inval(hpa_fr_deviation_band(&hp, 1.0, 20.0, b, &fr));
        assert_inval(hpa_headphone_zrange(&hp, b, 20000.0, &zr));
        assert_inval(hpa_headphone_zrange(&hp, 20.0, b, &zr));
    }
    /* a band too wide to search (more than 40 octaves) */
    assert_inval(hpa_fr_deviation_band(&hp, 1.0, 1e-300, 1e300, &fr));
    assert_inval(hpa_headphone_zrange(&hp, 1e-6, 1e9, &zr));
    /* band upside down */
    assert_inval(hpa_fr_deviation_band(&hp, 1.0, 20000.0, 20.0, &fr));
    assert_inval(hpa_headphone_zrange(&hp, 20000.0, 20.0, &zr));
    /* gain setting that does not exist */
    assert_inval(hpa_operating_point_at(&hp, &s, 1, 0.0, 0.0, 0.0, &op));
    assert_inval(hpa_max_output(&hp, &s, 1, 0.0, &op));
    /* NULLs */
    assert_inval(hpa_operating_point_at(NULL, &s, 0, 0.0, 0.0, 0.0, &op));
    assert_inval(hpa_operating_point_at(&hp, NULL, 0, 0.0, 0.0, 0.0, &op));
    assert_inval(hpa_operating_point_at(&hp, &s, 0, 0.0, 0.0, 0.0, NULL));
    assert_inval(hpa_max_output(NULL, &s, 0, 0.0, &op));
    assert_inval(hpa_max_output(&hp, NULL, 0, 0.0, &op));
    assert_inval(hpa_max_output(&hp, &s, 0, 0.0, NULL));
    assert_inval(hpa_requirement_for_spl(NULL, 90.0, &r));
    assert_inval(hpa_requirement_for_spl(&hp, 90.0, NULL));
    assert_inval(hpa_fr_deviation_at(NULL, 1.0, 100.0, &x));
    assert_inval(hpa_fr_deviation_at(&hp, 1.0, 100.0, NULL));
    assert_inval(hpa_fr_deviation_band(NULL, 1.0, 20.0, 20000.0, &fr));
    assert_inval(hpa_fr_deviation_band(&hp, 1.0, 20.0, 20000.0, NULL));
    assert_inval(hpa_headphone_zrange(NULL, 20.0, 20000.0, &zr));
    assert_inval(hpa_headphone_zrange(&hp, 20.0, 20000.0, NULL));
    assert_inval(hpa_headphone_z(&hp, 100.0, NULL));
    /* a bad headphone or source makes every result fail */
    hpa_headphone bad_hp = hp;
    bad_hp.nominal_ohm = -32.0;
    hpa_source bad_src = s;
    bad_src.zout_ohm = NAN;
    assert_inval(hpa_operating_point_at(&bad_hp, &s, 0, 0.0, 0.0, 0.0, &op));
    assert_inval(hpa_operating_point_at(&hp, &bad_src, 0, 0.0, 0.0, 0.0, &op));
    assert_inval(hpa_max_output(&bad_hp, &s, 0, 0.0, &op));
    assert_inval(hpa_requirement_for_spl(&bad_hp, 90.0, &r));
    assert_inval(hpa_fr_deviation_band(&bad_hp, 1.0, 20.0, 20000.0, &fr));
    /* absurd levels whose volts underflow to 0 are refused, not -inf dB */
    assert_inval(hpa_operating_point_at(&hp, &s, 0, -1e6, 0.0, 0.0, &op));
    assert_inval(hpa_requirement_for_spl(&hp, -1e6, &r));

    assert_near(op.vload_v, SENT, 0.0);
    assert_near(r.vload_v, SENT, 0.0);
    assert_near(fr.max_db, SENT, 0.0);
    assert_near(zr.min_ohm, SENT, 0.0);
    assert_near(x, SENT, 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scalar_functions), cmocka_unit_test(headphone_fields), cmocka_unit_test(headphone_curves),
        cmocka_unit_test(spec_and_fit),     cmocka_unit_test(source_fields),    cmocka_unit_test(power_ratings),
        cmocka_unit_test(results),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
