/* test_amp.c — the source and what it delivers: the divider, voltages stated
 * at a load, limits derived from power ratings, gain settings, operating
 * points at a digital level and volume, the loudest clean level and which
 * limit comes first.
 *
 * Every expected value is worked out by hand in the comment beside it
 * (Ohm's law, P = V²/R, the divider Vload = Voc·Z/(Z+Zout), SPL = S_V +
 * 20·log10 V), never copied from the library's output. */
#include <hpamp/model.h>

#include "mtest.h"

/* HD 600 as the maker states it (headphones.csv): 300 ohm, 97 dB SPL/mW,
 * i.e. 102.2287875 dB/V (docs/physics.md's worked example). */
static hpa_headphone hd600(void)
{
    hpa_headphone hp;
    hpa_headphone_init(&hp);
    hp.nominal_ohm = 300.0;
    hp.sens_db_per_mw = 97.0;
    return hp;
}

/* a flat resistive load of z ohm at 100 dB/V */
static hpa_headphone flat(double z)
{
    hpa_headphone hp;
    hpa_headphone_init(&hp);
    hp.nominal_ohm = z;
    hp.sens_db_per_v = 100.0;
    return hp;
}

static hpa_source source(double v, double zout, double imax_ma)
{
    hpa_source s;
    hpa_source_init(&s);
    s.vout_max_v = v;
    s.zout_ohm = zout;
    s.imax_ma = imax_ma;
    return s;
}

static void divider(void **state)
{
    (void)state;
    double v;
    /* 1 V behind 10 ohm into 32 ohm: 32/42 = 0.76190476 V */
    assert_ok(hpa_divider(1.0, 32.0, 10.0, &v));
    assert_near(v, 32.0 / 42.0, 1e-12);
    assert_near(v, 0.76190476, 1e-8);
    /* IEC 61938's 120 ohm source into a 32 ohm headphone: 32/152 = 0.21052632,
     * i.e. -13.53 dB */
    assert_ok(hpa_divider(1.0, 32.0, 120.0, &v));
    assert_near(v, 0.21052632, 1e-8);
    /* no output impedance: all of it */
    assert_ok(hpa_divider(2.5, 16.0, 0.0, &v));
    assert_near(v, 2.5, 0.0);
}

static void voltage_at_named_load(void **state)
{
    (void)state;
    /* "2 V into 32 ohm" from a 1 ohm output: open circuit 2·(32+1)/32 = 2.0625 V;
     * into 300 ohm it then gives 2.0625·300/301 = 2.0556478 V */
    hpa_source s = source(2.0, 1.0, 0.0);
    s.vout_load_ohm = 32.0;
    double voc;
    assert_ok(hpa_source_voc_max(&s, &voc));
    assert_near(voc, 2.0625, 1e-12);

    hpa_headphone hp = flat(300.0);
    hpa_operating_point op;
    assert_ok(hpa_max_output(&hp, &s, 0, 0.0, &op));
    assert_near(op.vload_v, 2.0556478, 1e-7);
    assert_int_equal(op.limit, HPA_LIMIT_VOLTAGE);

    /* stated open circuit: unchanged */
    s.vout_load_ohm = 0.0;
    assert_ok(hpa_source_voc_max(&s, &voc));
    assert_near(voc, 2.0, 0.0);
}

static void power_ratings_voltage_limited(void **state)
{
    (void)state;
    /* issue 3's example: rated 100 mW at 32 ohm and 10 mW at 300 ohm.
     * V = sqrt(P·R): at 300 ohm sqrt(0.010·300) = sqrt 3 = 1.7320508 V; at 32 ohm
     * sqrt(0.100·32) = sqrt 3.2 = 1.7888544 V.  The low-impedance rating is not
     * below what 1.732 V gives (it is 3 % above), so nothing shows a current
     * limit: both ratings are voltage-limited.  The model keeps the lower
     * voltage, sqrt 3 V, and no current limit (unknown). */
    hpa_source s;
    hpa_source_init(&s);
    hpa_limit lim = HPA_LIMIT_NONE;
    assert_ok(hpa_source_from_power_ratings(100.0, 32.0, 10.0, 300.0, 0.0, &s, &lim));
    assert_int_equal(lim, HPA_LIMIT_VOLTAGE);
    assert_near(s.vout_max_v, sqrt(3.0), 1e-12);
    assert_near(s.imax_ma, 0.0, 0.0);

    /* the order of the two ratings does not matter */
    hpa_source s2;
    hpa_source_init(&s2);
    assert_ok(hpa_source_from_power_ratings(10.0, 300.0, 100.0, 32.0, 0.0, &s2, NULL));
    assert_near(s2.vout_max_v, sqrt(3.0), 1e-12);

    /* into 32 ohm the model then gives (sqrt 3)²/32 W = 3/32 W = 93.75 mW: never
     * more than the 100 mW rating */
    hpa_headphone hp = flat(32.0);
    hpa_operating_point op;
    assert_ok(hpa_max_output(&hp, &s, 0, 0.0, &op));
    assert_near(op.pload_mw, 93.75, 1e-9);
    assert_int_equal(op.limit, HPA_LIMIT_VOLTAGE);
}

static void power_ratings_current_limited(void **state)
{
    (void)state;
    /* 200 mW at 32 ohm and 30 mW at 300 ohm, Zout 0.
     * 300 ohm: V = sqrt(0.030·300) = sqrt 9 = 3 V.  With 3 V, 32 ohm would get
     * 9/32 W = 281 mW, but the rating is 200 mW (V = sqrt(6.4) = 2.5298 V, 16 %
     * short): current-limited, I = sqrt(P/R) = sqrt(0.2/32) = sqrt(0.00625)
     * = 0.079056942 A = 79.056942 mA. */
    hpa_source s;
    hpa_source_init(&s);
    hpa_limit lim = HPA_LIMIT_NONE;
    assert_ok(hpa_source_from_power_ratings(200.0, 32.0, 30.0, 300.0, 0.0, &s, &lim));
    assert_int_equal(lim, HPA_LIMIT_CURRENT);
    assert_near(s.vout_max_v, 3.0, 1e-12);
    assert_near(s.imax_ma, 79.056942, 1e-6);

    /* The derived source reproduces both ratings and predicts a third:
     * 32 ohm: min(3, 0.0790569·32 = 2.5298) -> current, 2.5298²/32 = 200 mW;
     * 300 ohm: min(3, 23.7) -> voltage, 30 mW;
     * 16 ohm: I²R = 0.00625·16 = 0.1 W = 100 mW, current. */
    hpa_operating_point op;
    hpa_headphone hp = flat(32.0);
    assert_ok(hpa_max_output(&hp, &s, 0, 0.0, &op));
    assert_near(op.pload_mw, 200.0, 1e-9);
    assert_int_equal(op.limit, HPA_LIMIT_CURRENT);
    hp = flat(300.0);
    assert_ok(hpa_max_output(&hp, &s, 0, 0.0, &op));
    assert_near(op.pload_mw, 30.0, 1e-9);
    assert_int_equal(op.limit, HPA_LIMIT_VOLTAGE);
    hp = flat(16.0);
    assert_ok(hpa_max_output(&hp, &s, 0, 0.0, &op));
    assert_near(op.pload_mw, 100.0, 1e-9);
    assert_near(op.iload_ma, 79.056942, 1e-6);
    assert_int_equal(op.limit, HPA_LIMIT_CURRENT);
}

static void power_ratings_with_zout(void **state)
{
    (void)state;
    /* 125 mW at 32 ohm and 25 mW at 300 ohm from a 2 ohm output.
     * 300 ohm: V = sqrt(7.5) = 2.7386128 V, open circuit 2.7386128·302/300
     * = 2.7568702 V.  32 ohm: V = sqrt(4) = 2 V, open circuit 2·34/32 = 2.125 V,
     * far below 2.757: current-limited, I = sqrt(0.125/32) = 0.0625 A = 62.5 mA. */
    hpa_source s;
    hpa_source_init(&s);
    hpa_limit lim = HPA_LIMIT_NONE;
    assert_ok(hpa_source_from_power_ratings(125.0, 32.0, 25.0, 300.0, 2.0, &s, &lim));
    assert_int_equal(lim, HPA_LIMIT_CURRENT);
    assert_near(s.vout_max_v, sqrt(7.5) * 302.0 / 300.0, 1e-12);
    assert_near(s.imax_ma, 62.5, 1e-9);
    assert_near(s.zout_ohm, 2.0, 0.0);
}

static void dongle_operating_points(void **state)
{
    (void)state;
    /* HD 600 on "1.0V,0.9ohm" (issue 3's ad-hoc example, Apple-dongle-like).
     * At 0 dBFS, full volume: Vload = 1·300/300.9 = 0.99700897 V;
     * 20·log10(300/300.9) = -20·log10(1.003) = -0.02601866 dB, so
     * SPL = 102.2287875 - 0.0260187 = 102.2027688 dB;
     * I = 0.99700897/300 = 3.3233632 mA; P = 0.99700897²/300 = 3.3134230 mW. */
    hpa_headphone hp = hd600();
    hpa_source s = source(1.0, 0.9, 0.0);
    hpa_operating_point op;
    assert_ok(hpa_operating_point_at(&hp, &s, 0, 0.0, 0.0, 0.0, &op));
    assert_near(op.freq_hz, 1000.0, 0.0);
    assert_near(op.z_ohm, 300.0, 0.0);
    assert_near(op.voc_v, 1.0, 1e-12);
    assert_near(op.vload_v, 0.99700897, 1e-8);
    assert_near(op.spl_db, 102.2027688, 1e-6);
    assert_near(op.iload_ma, 3.3233632, 1e-6);
    assert_near(op.pload_mw, 3.3134230, 1e-6);
    assert_near(op.headroom_db, 0.0, 1e-12);
    assert_int_equal(op.clipped, 0);
    assert_int_equal(op.limit, HPA_LIMIT_VOLTAGE);

    /* -20 dBFS: everything in volts /10, SPL -20 dB, 20 dB of headroom */
    assert_ok(hpa_operating_point_at(&hp, &s, 0, -20.0, 0.0, 0.0, &op));
    assert_near(op.vload_v, 0.099700897, 1e-9);
    assert_near(op.spl_db, 82.2027688, 1e-6);
    assert_near(op.headroom_db, 20.0, 1e-9);

    /* -10 dBFS with the volume at -10 dB: the same -20 dB */
    assert_ok(hpa_operating_point_at(&hp, &s, 0, -10.0, -10.0, 0.0, &op));
    assert_near(op.spl_db, 82.2027688, 1e-6);

    /* +3 dBFS (a true-peak over): asks 10^(3/20) = 1.4125375 V, clips at 1 V;
     * headroom -3 dB, values are the limit's */
    assert_ok(hpa_operating_point_at(&hp, &s, 0, 3.0, 0.0, 0.0, &op));
    assert_near(op.voc_v, 1.4125375, 1e-7);
    assert_int_equal(op.clipped, 1);
    assert_near(op.headroom_db, -3.0, 1e-9);
    assert_near(op.vload_v, 0.99700897, 1e-8);

    /* the loudest clean level is the 0 dBFS one: 102.2027688 dB SPL */
    assert_ok(hpa_max_output(&hp, &s, 0, 0.0, &op));
    assert_near(op.spl_db, 102.2027688, 1e-6);
    assert_near(op.headroom_db, 0.0, 0.0);
}

static void current_limit_first(void **state)
{
    (void)state;
    /* "5.0V,0.1ohm,50mA" (issue 3's ad-hoc example) into a 16 ohm IEM.
     * Voltage would allow 5·16/16.1 = 4.9689441 V; the current limit allows
     * 0.050·16 = 0.8 V.  The current limit comes first: 0.8 V, 50 mA,
     * 0.8²/16 = 40 mW.  At 0 dBFS the request is over by
     * 20·log10(0.8/4.9689441) = 20·log10(0.161) = -15.863482 dB. */
    hpa_headphone hp = flat(16.0);
    hpa_source s = source(5.0, 0.1, 50.0);
    hpa_operating_point op;
    assert_ok(hpa_max_output(&hp, &s, 0, 0.0, &op));
    assert_int_equal(op.limit, HPA_LIMIT_CURRENT);
    assert_near(op.vload_v, 0.8, 1e-12);
    assert_near(op.iload_ma, 50.0, 1e-9);
    assert_near(op.pload_mw, 40.0, 1e-9);
    /* SPL at 100 dB/V: 100 + 20·log10 0.8 = 100 - 1.9382003 = 98.0617997 */
    assert_near(op.spl_db, 98.0617997, 1e-6);

    assert_ok(hpa_operating_point_at(&hp, &s, 0, 0.0, 0.0, 0.0, &op));
    assert_int_equal(op.clipped, 1);
    assert_near(op.headroom_db, -15.863482, 1e-6);
    assert_near(op.vload_v, 0.8, 1e-12);

    /* at -20 dBFS it asks 0.49689441 V, under the limit: 4.136518 dB to spare */
    assert_ok(hpa_operating_point_at(&hp, &s, 0, -20.0, 0.0, 0.0, &op));
    assert_int_equal(op.clipped, 0);
    assert_near(op.vload_v, 0.49689441, 1e-8);
    assert_near(op.headroom_db, 4.136518, 1e-6);

    /* into 300 ohm the voltage comes first: 5·300/300.1 = 4.9983339 V,
     * 16.661113 mA < 50 mA */
    hp = flat(300.0);
    assert_ok(hpa_max_output(&hp, &s, 0, 0.0, &op));
    assert_int_equal(op.limit, HPA_LIMIT_VOLTAGE);
    assert_near(op.vload_v, 4.9983339, 1e-7);
    assert_near(op.iload_ma, 16.661113, 1e-6);
}

static void gain_settings(void **state)
{
    (void)state;
    /* a desktop amp, 4 V open circuit on its 0 dB gain, also -10 dB and +6 dB */
    hpa_source s = source(4.0, 0.0, 0.0);
    s.n_gains = 3;
    s.gain_db[0] = 0.0;
    s.gain_db[1] = -10.0;
    s.gain_db[2] = 6.0;
    double voc;

    /* low gain: full scale is 4·10^(-10/20) = 4/sqrt 10 = 1.2649111 V */
    assert_ok(hpa_source_voc_full_scale(&s, 1, &voc));
    assert_near(voc, 1.2649111, 1e-7);
    /* high gain: full scale would be 4·10^(6/20) = 7.98 V but the output clips at 4 V */
    assert_ok(hpa_source_voc_full_scale(&s, 2, &voc));
    assert_near(voc, 4.0, 1e-12);
    /* no fourth setting */
    assert_inval(hpa_source_voc_full_scale(&s, 3, &voc));

    hpa_headphone hp = flat(300.0);
    hpa_operating_point op;
    /* +6 dB gain at 0 dBFS: over by 6 dB, clipped */
    assert_ok(hpa_operating_point_at(&hp, &s, 2, 0.0, 0.0, 0.0, &op));
    assert_int_equal(op.clipped, 1);
    assert_near(op.headroom_db, -6.0, 1e-9);
    assert_near(op.vload_v, 4.0, 1e-12);
    /* at -6 dBFS it reaches exactly the clipping voltage */
    assert_ok(hpa_operating_point_at(&hp, &s, 2, -6.0, 0.0, 0.0, &op));
    assert_near(op.headroom_db, 0.0, 1e-9);
    assert_near(op.vload_v, 4.0, 1e-9);
    /* the loudest on low gain is its full scale, 1.2649111 V:
     * SPL = 100 + 20·log10(4) - 10 = 100 + 12.0411998 - 10 = 102.0411998 */
    assert_ok(hpa_max_output(&hp, &s, 1, 0.0, &op));
    assert_near(op.vload_v, 1.2649111, 1e-7);
    assert_near(op.spl_db, 102.0411998, 1e-6);
}

static void requirement(void **state)
{
    (void)state;
    /* HD 600 (102.2287875 dB/V, 300 ohm) at 110 dB SPL:
     * 1 mW (97 dB) takes sqrt(0.3) V and 13 dB more is 10^(13/20) in volts:
     * V = sqrt(0.3)·10^(13/20) = 0.54772256·4.4668359 = 2.4465868 V;
     * P = 10^(13/10) mW = 19.952623 mW; I = 2.4465868/300 = 8.1552893 mA;
     * flat curve, so Zmin = 300 and Ipeak = sqrt 2·8.1552893 = 11.533321 mA. */
    hpa_headphone hp = hd600();
    hpa_requirement r;
    assert_ok(hpa_requirement_for_spl(&hp, 110.0, &r));
    assert_near(r.vload_v, 2.4465868, 1e-6);
    assert_near(r.pload_mw, 19.952623, 1e-5);
    assert_near(r.iload_ma, 8.1552893, 1e-6);
    assert_near(r.zmin_ohm, 300.0, 1e-12);
    assert_near(r.ipeak_ma, 11.533321, 1e-5);
}

static void load_at_a_frequency(void **state)
{
    (void)state;
    /* The HD 650 figures of docs/physics.md as points: 480 ohm at 100 Hz, 320 ohm
     * at 1 kHz.  Behind 120 ohm (IEC 61938's source), 1 V open circuit:
     * at 100 Hz the load gets 480/600 = 0.8 V and 0.8/480 = 1.6666667 mA;
     * at 1 kHz 320/440 = 0.72727273 V and 2.2727273 mA. */
    const hpa_zpoint p[] = {{100.0, 480.0, 0.0}, {1000.0, 320.0, 0.0}};
    hpa_headphone hp;
    hpa_headphone_init(&hp);
    hp.nominal_ohm = 300.0;
    hp.sens_db_per_v = 103.0;
    hp.zcurve = HPA_ZCURVE_POINTS;
    hp.zpoints = p;
    hp.n_zpoints = 2;
    hpa_source s = source(1.0, 120.0, 0.0);
    hpa_operating_point op;
    assert_ok(hpa_operating_point_at(&hp, &s, 0, 0.0, 0.0, 100.0, &op));
    assert_near(op.z_ohm, 480.0, 1e-9);
    assert_near(op.vload_v, 0.8, 1e-12);
    assert_near(op.iload_ma, 1.6666667, 1e-7);
    assert_ok(hpa_operating_point_at(&hp, &s, 0, 0.0, 0.0, 0.0, &op));
    assert_near(op.z_ohm, 320.0, 1e-9);
    assert_near(op.vload_v, 0.72727273, 1e-8);
    assert_near(op.iload_ma, 2.2727273, 1e-7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(divider),
        cmocka_unit_test(voltage_at_named_load),
        cmocka_unit_test(power_ratings_voltage_limited),
        cmocka_unit_test(power_ratings_current_limited),
        cmocka_unit_test(power_ratings_with_zout),
        cmocka_unit_test(dongle_operating_points),
        cmocka_unit_test(current_limit_first),
        cmocka_unit_test(gain_settings),
        cmocka_unit_test(requirement),
        cmocka_unit_test(load_at_a_frequency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
