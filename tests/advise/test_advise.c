/* test_advise.c — include/hpamp/advise.h: database records to model structs,
 * the verdict and every threshold on both sides, reasons, suggestions.
 *
 * Every expected value is worked out by hand in the comment beside it, with
 * docs/physics.md's formulas: S_V = S_mW + 10·log10(1000/Z), S_V = 94 −
 * 20·log10(V94), V = 10^((L − S_V)/20), V = √(P·R), I = √(P/R), the divider
 * Vload = Voc·Z/(Z + Zout), Vload_max = min(Vlim·Z/(Z+Zout), Imax·Z). */
#include <string.h>

#include <hpamp/advise.h>

#include "mtest.h"

/* a record with every number unknown */
static hpa_db_headphone hp_rec(double z, double s_mw, double s_v, double mv94)
{
    hpa_db_headphone h;
    memset(&h, 0, sizeof h);
    h.id = h.brand = h.model = h.source = h.origin = "";
    h.model = "test headphone";
    h.impedance_ohm = z;
    h.sensitivity_db_mw = s_mw;
    h.sensitivity_db_v = s_v;
    h.mv_for_94db = mv94;
    h.impedance_peak_ohm = h.impedance_peak_hz = h.max_input_mw = h.sensitivity_ref_hz = NAN;
    h.aliases = "";
    return h;
}

static hpa_db_source src_rec(double v, double load, double p32, double p300, double zout, double imax)
{
    hpa_db_source s;
    memset(&s, 0, sizeof s);
    s.id = s.brand = s.source = s.origin = s.gain_settings = "";
    s.model = "test source";
    s.vout_max_rms_v = v;
    s.vout_load_ohm = load;
    s.power_mw_32 = p32;
    s.power_mw_300 = p300;
    s.zout_ohm = zout;
    s.imax_ma = imax;
    s.battery = -1;
    s.snr_db = s.sinad_db = s.noise_uv = s.battery_h = s.load_min_ohm = s.load_max_ohm = s.snr_ref_v = NAN;
    s.aliases = s.mode_of = "";
    return s;
}

#define U NAN

/* ------------------------------------------------------------------------ */
/* headphones                                                               */

static void headphone_conversion(void **state)
{
    (void)state;
    hpa_headphone hp;
    unsigned miss;
    double s;

    /* nothing about impedance or sensitivity: both named */
    hpa_db_headphone r = hp_rec(U, U, U, U);
    assert_inval(hpa_advise_headphone(&r, &hp, &miss));
    assert_int_equal(miss, HPA_REASON_NO_IMPEDANCE | HPA_REASON_NO_SENSITIVITY);
    r = hp_rec(42.4, U, U, U); /* Apple EarPods as the CSV has them */
    assert_inval(hpa_advise_headphone(&r, &hp, &miss));
    assert_int_equal(miss, HPA_REASON_NO_SENSITIVITY);
    r = hp_rec(U, U, 110.0, U);
    assert_inval(hpa_advise_headphone(&r, &hp, &miss));
    assert_int_equal(miss, HPA_REASON_NO_IMPEDANCE);

    /* dB/mW only: 97 dB/mW at 300 ohm -> 97 + 10·log10(1000/300) = 102.2288 dB/V */
    r = hp_rec(300.0, 97.0, U, U);
    assert_ok(hpa_advise_headphone(&r, &hp, &miss));
    assert_int_equal(miss, 0);
    assert_ok(hpa_headphone_sens_db_per_v(&hp, &s));
    assert_near(s, 102.2287875, 1e-6);
    assert_int_equal(hp.zcurve, HPA_ZCURVE_FLAT);

    /* HD 650 row: 300 ohm, 103 dB/V, 288 mV measured, peak 480 ohm at 100 Hz.
     * The measured figure wins: 94 − 20·log10(0.288) = 104.8122 dB/V.  The
     * curve: Re 300, |Z(100 Hz)| = 480 exactly (hpa_zmodel_from_spec), and at
     * 20 kHz with Qms 0.5, Res 180: y = 200 − 0.005 = 199.995, Q·y = 99.9975,
     * 180/(1 + j·99.9975) = 0.0180 − j1.7999, |300.018 − j1.80| = 300.023. */
    r = hp_rec(300.0, U, 103.0, 288.0);
    r.impedance_peak_ohm = 480.0;
    r.impedance_peak_hz = 100.0;
    assert_ok(hpa_advise_headphone(&r, &hp, NULL));
    assert_ok(hpa_headphone_sens_db_per_v(&hp, &s));
    assert_near(s, 104.8122, 1e-4);
    assert_int_equal(hp.zcurve, HPA_ZCURVE_MODEL);
    hpa_impedance z;
    assert_ok(hpa_headphone_z(&hp, 100.0, &z));
    assert_near(hpa_impedance_abs(z), 480.0, 1e-6);
    assert_ok(hpa_headphone_z(&hp, 20000.0, &z));
    assert_near(hpa_impedance_abs(z), 300.023, 0.002);

    /* a "peak" at 20 kHz (AKG K701's row: 90 ohm at 20 kHz) is no bass
     * resonance: the curve stays flat */
    r = hp_rec(62.0, U, 105.0, 295.0);
    r.impedance_peak_ohm = 90.0;
    r.impedance_peak_hz = 20000.0;
    assert_ok(hpa_advise_headphone(&r, &hp, NULL));
    assert_int_equal(hp.zcurve, HPA_ZCURVE_FLAT);
}

/* ------------------------------------------------------------------------ */
/* sources                                                                  */

static void source_voltage(void **state)
{
    (void)state;
    hpa_source src;
    int zk;
    hpa_source_basis b;

    /* "1.0V,0.9ohm": open circuit, Zout known */
    hpa_db_source r = src_rec(1.0, U, U, U, 0.9, U);
    assert_ok(hpa_advise_source(&r, &src, &zk, &b));
    assert_int_equal(b, HPA_BASIS_VOLTAGE);
    assert_int_equal(zk, 1);
    assert_near(src.vout_max_v, 1.0, 0.0);
    assert_near(src.vout_load_ohm, 0.0, 0.0);
    assert_near(src.zout_ohm, 0.9, 0.0);
    assert_near(src.imax_ma, 0.0, 0.0);

    /* iPhone 6 (AnandTech): 1.007 V into 330 ohm, 26.4 mW into 32 ohm, Zout
     * not known (0).  At 32 ohm the voltage would give 1.007 V, the rating
     * √(0.0264·32) = 0.9191 V: more than 3 % short (0.9191 < 0.9768), so the
     * current ran out: I = √(0.0264/32) = 28.7228 mA. */
    r = src_rec(1.007, 330.0, 26.4, U, U, U);
    assert_ok(hpa_advise_source(&r, &src, &zk, &b));
    assert_int_equal(b, HPA_BASIS_VOLTAGE);
    assert_int_equal(zk, 0);
    assert_near(src.vout_max_v, 1.007, 0.0);
    assert_near(src.vout_load_ohm, 330.0, 0.0);
    assert_near(src.imax_ma, 28.7228, 1e-4);

    /* HTC One M8: 1.254 V into 33 ohm, 47.6 mW into 32 ohm: √(0.0476·32) =
     * 1.2342 V against 1.254 V, within 3 % (1.2164): no current limit */
    r = src_rec(1.254, 33.0, 47.6, U, U, U);
    assert_ok(hpa_advise_source(&r, &src, NULL, NULL));
    assert_near(src.imax_ma, 0.0, 0.0);
    assert_near(src.vout_max_v, 1.254, 0.0);

    /* 2.0 V open circuit (the highest load of all) but 10 mW into 300 ohm:
     * √(0.01·300) = 1.7321 V, more than 3 % short at a lower load: a current
     * limit of √(0.01/300) = 5.7735 mA; the voltage stays */
    r = src_rec(2.0, U, U, 10.0, 0.0, U);
    assert_ok(hpa_advise_source(&r, &src, NULL, NULL));
    assert_near(src.vout_max_v, 2.0, 0.0);
    assert_near(src.imax_ma, 5.7735027, 1e-6);

    /* 2.0 V stated into 32 ohm but 10 mW into 300 ohm: short at a higher
     * load, so no current limit explains it: that rating becomes the voltage
     * limit, 1.7321 V open circuit (Zout 0) */
    r = src_rec(2.0, 32.0, U, 10.0, 0.0, U);
    assert_ok(hpa_advise_source(&r, &src, NULL, NULL));
    assert_near(src.vout_max_v, 1.7320508, 1e-6);
    assert_near(src.vout_load_ohm, 0.0, 0.0);
    assert_near(src.imax_ma, 0.0, 0.0);

    /* a stated current limit: "5.0V,0.1ohm,50mA" */
    r = src_rec(5.0, U, U, U, 0.1, 50.0);
    assert_ok(hpa_advise_source(&r, &src, NULL, NULL));
    assert_near(src.imax_ma, 50.0, 0.0);
}

static void source_ratings(void **state)
{
    (void)state;
    hpa_source src;
    int zk;
    hpa_source_basis b;

    /* SMSL SH-6: 1300 mW into 32 ohm only: √(1.3·32) = 6.44981 V stated at 32 ohm */
    hpa_db_source r = src_rec(U, U, 1300.0, U, U, U);
    assert_ok(hpa_advise_source(&r, &src, &zk, &b));
    assert_int_equal(b, HPA_BASIS_ONE_RATING);
    assert_int_equal(zk, 0);
    assert_near(src.vout_max_v, 6.4498062, 1e-6);
    assert_near(src.vout_load_ohm, 32.0, 0.0);

    /* FiiO K19 balanced: 8000 mW / 32 ohm, 1100 mW / 300 ohm, Zout 0.6.
     * 300 ohm: √(1.1·300) = 18.1659 V, open circuit ·300.6/300 = 18.2022 V;
     * 32 ohm: √(8·32) = 16 V, ·32.6/32 = 16.3 V < 0.97·18.2022 = 17.656:
     * current-limited at √(8/32) = 0.5 A = 500 mA. */
    r = src_rec(U, U, 8000.0, 1100.0, 0.6, U);
    assert_ok(hpa_advise_source(&r, &src, &zk, &b));
    assert_int_equal(b, HPA_BASIS_TWO_RATINGS);
    assert_int_equal(zk, 1);
    assert_near(src.vout_max_v, 18.2022, 1e-3);
    assert_near(src.imax_ma, 500.0, 1e-9);

    /* docs/model.md's voltage-limited pair: 100 mW / 32, 10 mW / 300 ohm,
     * Zout 0: 1.789 V and 1.732 V agree within 3 %; the lower is kept */
    r = src_rec(U, U, 100.0, 10.0, 0.0, U);
    assert_ok(hpa_advise_source(&r, &src, NULL, NULL));
    assert_near(src.vout_max_v, 1.7320508, 1e-6);
    assert_near(src.imax_ma, 0.0, 0.0);

    /* no output figure at all (Apple's EU dongle): unknown */
    r = src_rec(U, U, U, U, U, U);
    assert_inval(hpa_advise_source(&r, &src, &zk, &b));
    assert_int_equal(b, HPA_BASIS_NONE);
}

/* ------------------------------------------------------------------------ */
/* the verdict                                                              */

/* A flat 100 ohm headphone at 100 dB SPL/V; level 85 + crest 25 = 110 dB SPL
 * peaks need 10^((110 − 100)/20) = 3.16228 V; the average 85 needs
 * 10^(−15/20) = 0.177828 V.  An open-circuit source of v volts and no Zout
 * gives v into it: headroom = 20·log10(v / 3.16228). */
static hpa_advice verdict_for(double v, double zout)
{
    hpa_db_headphone h = hp_rec(100.0, U, 100.0, U);
    hpa_db_source s = src_rec(v, U, U, U, zout, U);
    hpa_advice a;
    assert_ok(hpa_advise(&h, &s, 85.0, 25.0, &a));
    return a;
}

static void thresholds(void **state)
{
    (void)state;
    const double vpeak = 3.16227766;
    /* 3.01 dB of headroom: not needed */
    hpa_advice a = verdict_for(vpeak * pow(10.0, 3.01 / 20.0), 0.0);
    assert_int_equal(a.verdict, HPA_VERDICT_NOT_NEEDED);
    assert_int_equal(a.reasons, HPA_REASON_ENOUGH_HEADROOM | HPA_REASON_LOW_ZOUT);
    assert_near(a.headroom_db, 3.01, 1e-9);
    assert_near(a.required_vrms, vpeak, 1e-7);
    /* I = 3.16228/100 = 31.6228 mA, P = 3.16228²/100 = 100 mW */
    assert_near(a.required_ma, 31.6227766, 1e-6);
    assert_near(a.required_mw, 100.0, 1e-6);
    assert_near(a.peak_spl_db, 110.0, 0.0);
    assert_int_equal(a.limit, HPA_LIMIT_VOLTAGE);
    assert_true(isinf(a.damping_factor)); /* Zout 0 */
    assert_int_equal(a.eighth_rule_ok, 1);
    /* 2.99 dB: recommended, little headroom */
    a = verdict_for(vpeak * pow(10.0, 2.99 / 20.0), 0.0);
    assert_int_equal(a.verdict, HPA_VERDICT_RECOMMENDED);
    assert_int_equal(a.reasons, HPA_REASON_LITTLE_HEADROOM);
    /* 0.01 dB: still recommended; -0.01 dB: the peaks clip, required */
    a = verdict_for(vpeak * pow(10.0, 0.01 / 20.0), 0.0);
    assert_int_equal(a.verdict, HPA_VERDICT_RECOMMENDED);
    a = verdict_for(vpeak * pow(10.0, -0.01 / 20.0), 0.0);
    assert_int_equal(a.verdict, HPA_VERDICT_REQUIRED);
    assert_int_equal(a.reasons, HPA_REASON_CLIPS_PEAKS);
    /* 0.17 V < 0.177828 V: not even the average level */
    a = verdict_for(0.17, 0.0);
    assert_int_equal(a.verdict, HPA_VERDICT_REQUIRED);
    assert_int_equal(a.reasons, HPA_REASON_CANNOT_REACH_LEVEL);
    /* 0.18 V reaches the average but not the peaks */
    a = verdict_for(0.18, 0.0);
    assert_int_equal(a.reasons, HPA_REASON_CLIPS_PEAKS);

    /* the 1/8 rule at 100 ohm: Zout 12.5 passes, 12.6 does not.  With 20 V
     * the divider costs 20·log10(100/112.6) = −1.03 dB, headroom stays
     * 20·log10(20·100/112.6 / 3.16228) = 14.99 dB */
    a = verdict_for(20.0, 12.5);
    assert_int_equal(a.verdict, HPA_VERDICT_NOT_NEEDED);
    assert_near(a.damping_factor, 8.0, 1e-12);
    a = verdict_for(20.0, 12.6);
    assert_int_equal(a.verdict, HPA_VERDICT_RECOMMENDED);
    assert_int_equal(a.reasons, HPA_REASON_ENOUGH_HEADROOM | HPA_REASON_HIGH_ZOUT);
    assert_near(a.headroom_db, 20.0 * log10(20.0 * 100.0 / 112.6 / vpeak), 1e-9);
    assert_near(a.available_vrms, 20.0 * 100.0 / 112.6, 1e-9);
    /* a flat load: the response does not change */
    assert_near(a.fr.spread_db, 0.0, 1e-9);
}

static void response_and_current(void **state)
{
    (void)state;
    hpa_advice a;
    /* A headphone of 100 ohm with a 300 ohm resonance at 100 Hz behind 50 ohm:
     * at the peak the divider is 300/350, at the top of the band (|Z| -> Re
     * = 100) 100/150: spread = 20·log10((300/350)/(100/150)) = 2.1829 dB, more
     * than 1 dB; Zout 50 > 100/8 as well. */
    hpa_db_headphone h = hp_rec(100.0, U, 100.0, U);
    h.impedance_peak_ohm = 300.0;
    h.impedance_peak_hz = 100.0;
    hpa_db_source s = src_rec(30.0, U, U, U, 50.0, U);
    assert_ok(hpa_advise(&h, &s, 85.0, 25.0, &a));
    assert_int_equal(a.verdict, HPA_VERDICT_RECOMMENDED);
    assert_true(a.reasons & HPA_REASON_FR_DEVIATION);
    assert_true(a.reasons & HPA_REASON_HIGH_ZOUT);
    assert_near(a.fr.spread_db, 2.1829, 0.005);
    assert_near(a.fr.max_hz, 100.0, 1.0);
    assert_near(a.load_ohm, 100.0, 0.05);

    /* "16ohm,95dB/mW" on "5.0V,0.1ohm,50mA": S_V = 95 + 10·log10(1000/16) =
     * 112.9588 dB/V; voltage would give 5·16/16.1 = 4.969 V, the current
     * 0.05·16 = 0.8 V: current first.  Loudest 112.9588 + 20·log10(0.8) =
     * 111.0206 dB SPL, headroom over 110: 1.0206 dB -> recommended, little
     * headroom, current-limited. */
    h = hp_rec(16.0, 95.0, U, U);
    s = src_rec(5.0, U, U, U, 0.1, 50.0);
    assert_ok(hpa_advise(&h, &s, 85.0, 25.0, &a));
    assert_int_equal(a.verdict, HPA_VERDICT_RECOMMENDED);
    assert_int_equal(a.reasons, HPA_REASON_LITTLE_HEADROOM | HPA_REASON_CURRENT_LIMITED);
    assert_int_equal(a.limit, HPA_LIMIT_CURRENT);
    assert_near(a.available_vrms, 0.8, 1e-12);
    assert_near(a.available_ma, 50.0, 1e-9);
    assert_near(a.max_spl_db, 111.0206, 1e-4);
    assert_near(a.headroom_db, 1.0206, 1e-4);
    assert_near(a.damping_factor, 160.0, 1e-9);
    /* same with 20 dB of headroom more (a quieter 65 dB SPL average): the
     * current limit still comes first, but it is no reason any more */
    assert_ok(hpa_advise(&h, &s, 65.0, 25.0, &a));
    assert_int_equal(a.verdict, HPA_VERDICT_NOT_NEEDED);
    assert_int_equal(a.limit, HPA_LIMIT_CURRENT);
    assert_false(a.reasons & HPA_REASON_CURRENT_LIMITED);
}

static void active_and_unknown(void **state)
{
    (void)state;
    hpa_advice a;
    /* noise-cancelling: not needed, whatever the source (even an unknown one) */
    hpa_db_headphone h = hp_rec(U, U, U, 135.0);
    h.active = 1;
    hpa_db_source s = src_rec(U, U, U, U, U, U);
    assert_ok(hpa_advise(&h, &s, 85.0, 25.0, &a));
    assert_int_equal(a.verdict, HPA_VERDICT_NOT_NEEDED);
    assert_int_equal(a.reasons, HPA_REASON_OWN_AMP);
    assert_true(isnan(a.headroom_db));

    /* no sensitivity and no source output: unknown, both said */
    h = hp_rec(42.4, U, U, U);
    assert_ok(hpa_advise(&h, &s, 85.0, 25.0, &a));
    assert_int_equal(a.verdict, HPA_VERDICT_UNKNOWN);
    assert_int_equal(a.reasons, HPA_REASON_NO_SENSITIVITY | HPA_REASON_NO_SOURCE_OUTPUT);
    assert_true(isnan(a.headroom_db));

    /* output impedance not known: the level decides, and it is said */
    h = hp_rec(100.0, U, 100.0, U);
    s = src_rec(10.0, U, U, U, U, U);
    assert_ok(hpa_advise(&h, &s, 85.0, 25.0, &a));
    assert_int_equal(a.verdict, HPA_VERDICT_NOT_NEEDED);
    assert_int_equal(a.reasons, HPA_REASON_ENOUGH_HEADROOM | HPA_REASON_ZOUT_UNKNOWN);
    assert_true(isnan(a.damping_factor));
    assert_true(isnan(a.zout_ohm));
    assert_int_equal(a.eighth_rule_ok, -1);
    /* 20·log10(10/3.16228) = 10 dB */
    assert_near(a.headroom_db, 10.0, 1e-6);

    /* out of range */
    assert_inval(hpa_advise(&h, &s, 151.0, 25.0, &a));
    assert_inval(hpa_advise(&h, &s, 85.0, NAN, &a));
    assert_inval(hpa_advise(NULL, &s, 85.0, 25.0, &a));
}

static void names(void **state)
{
    (void)state;
    assert_string_equal(hpa_verdict_name(HPA_VERDICT_NOT_NEEDED), "not-needed");
    assert_string_equal(hpa_verdict_name(HPA_VERDICT_RECOMMENDED), "recommended");
    assert_string_equal(hpa_verdict_name(HPA_VERDICT_REQUIRED), "required");
    assert_string_equal(hpa_verdict_name(HPA_VERDICT_UNKNOWN), "unknown");
    assert_null(hpa_verdict_name((hpa_verdict)7));
    assert_string_equal(hpa_reason_code(HPA_REASON_CLIPS_PEAKS), "clips-peaks");
    assert_string_equal(hpa_reason_code(HPA_REASON_HIGH_ZOUT), "high-output-impedance");
    assert_string_equal(hpa_reason_code(HPA_REASON_CURRENT_LIMITED), "current-limited");
    assert_null(hpa_reason_code(HPA_REASON_CLIPS_PEAKS | HPA_REASON_HIGH_ZOUT));
    assert_null(hpa_reason_code(0));
    assert_null(hpa_reason_code(1u << HPA_REASON_COUNT));
    for (unsigned i = 0; i < HPA_REASON_COUNT; i++)
        assert_non_null(hpa_reason_code(1u << i));
}

/* ------------------------------------------------------------------------ */
/* suggestions                                                              */

static void suggestions(void **state)
{
    (void)state;
    static const char csv[] =
        "id,brand,model,kind,output,vout_max_rms_v,vout_load_ohm,power_mw_32,power_mw_300,zout_ohm,"
        "gain_settings_db,battery,snr_db,sinad_db,source\n"
        "a,T,One Volt,phone,se,1.0,,,,0.5,,,,,t\n"
        "b,T,Ten Volts,desktop-amp,se,10,,,,0.1,,,,,t\n"
        "c,T,Three Volts,dongle,se,3,,,,1,,,,,t\n"
        "d,T,Nothing Known,dongle,se,,,,,,,,,,t\n"
        "e,T,Five Volts,portable-amp,se,5,,,,,,,,,t\n";
    hpa_db *db;
    assert_ok(hpa_db_create_empty(&db));
    assert_ok(hpa_db_add_text(db, HPA_DB_SOURCES, csv, sizeof csv - 1, "test", NULL, NULL));
    /* an ad-hoc spec is never suggested */
    assert_ok(hpa_db_add_spec(db, HPA_DB_SOURCES, "50V", NULL, NULL, 0));
    assert_int_equal(hpa_db_count(db, HPA_DB_SOURCES), 6);

    /* 100 ohm at 100 dB/V needs 3.16228 V for 110 dB SPL; 3 dB more is
     * 4.4668 V: "Ten Volts" (10 dB) and "Five Volts" (3.98 dB) qualify, in
     * that order; 1 V and 3 V fall short, "Nothing Known" is skipped */
    hpa_db_headphone h = hp_rec(100.0, U, 100.0, U);
    hpa_advise_pick picks[8];
    size_t total;
    assert_ok(hpa_advise_suggest(db, &h, 85.0, 25.0, (size_t)-1, picks, 8, &total));
    assert_int_equal(total, 2);
    assert_int_equal(picks[0].index, 1);
    assert_int_equal(picks[1].index, 4);
    assert_near(picks[0].headroom_db, 20.0 * log10(10.0 * 100.0 / 100.1 / 3.16227766), 1e-6);
    assert_near(picks[1].headroom_db, 20.0 * log10(5.0 / 3.16227766), 1e-6);
    assert_int_equal(picks[0].zout_known, 1);
    assert_int_equal(picks[1].zout_known, 0);
    /* room for one: the best, and the count of all */
    assert_ok(hpa_advise_suggest(db, &h, 85.0, 25.0, (size_t)-1, picks, 1, &total));
    assert_int_equal(total, 2);
    assert_int_equal(picks[0].index, 1);
    /* skipping the one in use */
    assert_ok(hpa_advise_suggest(db, &h, 85.0, 25.0, 1, picks, 8, &total));
    assert_int_equal(total, 1);
    assert_int_equal(picks[0].index, 4);
    /* count only */
    assert_ok(hpa_advise_suggest(db, &h, 85.0, 25.0, (size_t)-1, NULL, 0, &total));
    assert_int_equal(total, 2);
    /* an active headphone needs none */
    h.active = 1;
    assert_ok(hpa_advise_suggest(db, &h, 85.0, 25.0, (size_t)-1, picks, 8, &total));
    assert_int_equal(total, 0);
    hpa_db_destroy(db);
}

/* ------------------------------------------------------------------------ */
/* hiss and the volume's travel (issue 15, item 2)                          */

static void hiss_and_volume(void **state)
{
    (void)state;
    hpa_advice a;
    /* an IEM of 115 dB/V, 16 ohm, on a 2 V source with 5 uV(A) of stated
     * noise and no output impedance: hiss = 115 + 20·log10(5e-6) =
     * 115 − 106.0206 = 8.9794 dB SPL(A), above the 0 dB threshold; the
     * loudest clean level 115 + 20·log10(2) = 121.0206, so at 85 dB SPL the
     * volume sits 36.0206 dB below full; 11.0 dB of headroom: not-needed,
     * with the hiss said */
    hpa_db_headphone iem = hp_rec(16.0, U, 115.0, U);
    iem.type = HPA_DB_TYPE_IEM;
    hpa_db_source s = src_rec(2.0, U, U, U, 0.0, U);
    s.noise_uv = 5.0;
    assert_ok(hpa_advise(&iem, &s, 85.0, 25.0, &a));
    assert_int_equal(a.verdict, HPA_VERDICT_NOT_NEEDED);
    assert_int_equal(a.noise_from, HPA_NOISE_STATED);
    assert_near(a.noise_uv, 5.0, 1e-9);
    assert_near(a.hiss_spl_db, 8.9794001, 1e-6);
    assert_true(a.reasons & HPA_REASON_HISS);
    assert_near(a.attenuation_db, 36.0205999, 1e-6);
    assert_string_equal(hpa_reason_code(HPA_REASON_HISS), "audible-hiss");

    /* the same noise through 16 ohm of output impedance into 16 ohm: half
     * the voltage, 6.0206 dB less hiss: 2.9588 dB SPL(A) */
    s.zout_ohm = 16.0;
    assert_ok(hpa_advise(&iem, &s, 85.0, 25.0, &a));
    assert_near(a.hiss_spl_db, 8.9794001 - 6.0205999, 1e-6);

    /* no stated noise: from the SNR against the full output, 120 dB under
     * 2 V is 2 uV: 115 + 20·log10(2e-6) = 1.0206 dB SPL(A) */
    s = src_rec(2.0, U, U, U, 0.0, U);
    s.snr_db = 120.0;
    assert_ok(hpa_advise(&iem, &s, 85.0, 25.0, &a));
    assert_int_equal(a.noise_from, HPA_NOISE_SNR);
    assert_near(a.noise_uv, 2.0, 1e-9);
    assert_near(a.hiss_spl_db, 1.0205999, 1e-6);
    assert_true(a.reasons & HPA_REASON_HISS);

    /* 126 dB of SNR: 1.0024 uV, −5.0 dB SPL(A): below the threshold, no hiss reason */
    s.snr_db = 126.0;
    assert_ok(hpa_advise(&iem, &s, 85.0, 25.0, &a));
    assert_near(a.hiss_spl_db, 115.0 + 20.0 * log10(2.0) - 126.0, 1e-9);
    assert_false(a.reasons & HPA_REASON_HISS);

    /* an SNR stated against 1 V (the Magni 2's row): 1 V · 10^(−126/20) = 0.5012 uV,
     * 115 − 126 = −11 dB SPL(A) */
    s.snr_ref_v = 1.0;
    assert_ok(hpa_advise(&iem, &s, 85.0, 25.0, &a));
    assert_near(a.noise_uv, 0.5011872, 1e-6);
    assert_near(a.hiss_spl_db, -11.0, 1e-9);
    s.snr_ref_v = U;

    /* neither: not known, and no hiss reason */
    s.snr_db = U;
    assert_ok(hpa_advise(&iem, &s, 85.0, 25.0, &a));
    assert_int_equal(a.noise_from, HPA_NOISE_UNKNOWN);
    assert_true(isnan(a.hiss_spl_db));
    assert_false(a.reasons & HPA_REASON_HISS);
    assert_near(a.attenuation_db, 36.0205999, 1e-6);
}

/* with an IEM the suggestions put low noise, then low output impedance, then
 * the least attenuation first; with other headphones the most headroom */
static void suggestions_for_iems(void **state)
{
    (void)state;
    static const char csv[] = "id,brand,model,kind,output,vout_max_rms_v,zout_ohm,snr_db,noise_uv,source\n"
                              "loud,T,Loud Noisy,desktop-amp,se,20,0.1,110,,t\n" /* 20 V, 63.2 uV of noise */
                              "quiet,T,Quiet,dongle,se,2,1.0,,1.0,t\n"           /* 2 V, 1 uV */
                              "quiet2,T,Quiet Low Z,dongle,se,4,0.1,,1.0,t\n"    /* 4 V, 1 uV, lower Zout */
                              "unknown,T,No Noise Figure,dongle,se,3,0.1,,,t\n"; /* noise unknown: last */
    hpa_db *db;
    assert_ok(hpa_db_create_empty(&db));
    assert_ok(hpa_db_add_text(db, HPA_DB_SOURCES, csv, sizeof csv - 1, "test", NULL, NULL));
    hpa_db_headphone iem = hp_rec(16.0, U, 115.0, U);
    iem.type = HPA_DB_TYPE_IEM;
    hpa_advise_pick p[8];
    size_t total;
    /* all four play 110 dB SPL peaks from 115 dB/V (need 0.178 V) with room */
    assert_ok(hpa_advise_suggest(db, &iem, 85.0, 25.0, (size_t)-1, p, 8, &total));
    assert_int_equal(total, 4);
    /* hiss: quiet and quiet2 equal (1 uV, the divider 16/17 and 16/16.1
     * differ: quiet2 lower Zout loses less, so more hiss: 16/16.1 > 16/17);
     * quiet (Zout 1.0) first by hiss, then quiet2, then loud, then unknown */
    assert_int_equal(p[0].index, 1);
    assert_int_equal(p[1].index, 2);
    assert_int_equal(p[2].index, 0);
    assert_int_equal(p[3].index, 3);
    assert_near(p[0].hiss_spl_db, 115.0 + 20.0 * log10(1e-6 * 16.0 / 17.0), 1e-9);
    assert_near(p[2].hiss_spl_db, 115.0 + 20.0 * log10(20.0 * pow(10.0, -110.0 / 20.0) * 16.0 / 16.1), 1e-9);
    assert_true(isnan(p[3].hiss_spl_db));
    /* the same IEM as an over-ear: by headroom, the 20 V amp first */
    iem.type = HPA_DB_TYPE_OVER_EAR;
    assert_ok(hpa_advise_suggest(db, &iem, 85.0, 25.0, (size_t)-1, p, 8, &total));
    assert_int_equal(p[0].index, 0);
    hpa_db_destroy(db);
}

/* ------------------------------------------------------------------------ */
/* gain staging: a 2 V DAC into an amp of 0 / +10 / +20 dB and 10 V (issue 15, item 1) */

static void gain_staging(void **state)
{
    (void)state;
    /* a flat 300 ohm, 100 dB/V headphone; 85 dB SPL + 25 dB = 110 dB SPL
     * peaks need 10^(10/20) = 3.1623 V */
    hpa_db_headphone h = hp_rec(300.0, U, 100.0, U);
    hpa_db_source dac = src_rec(2.0, U, U, U, 0.0, U);
    hpa_db_source amp = src_rec(10.0, U, U, U, 0.0, U);
    const double g[3] = {0.0, 10.0, 20.0};
    hpa_chain_advice c;
    assert_ok(hpa_advise_chain(&h, &dac, &amp, g, 3, -1, 85.0, 25.0, &c));
    assert_near(c.dac_v, 2.0, 1e-12);
    assert_near(c.amp_voc_v, 10.0, 1e-12);
    /* full scale asks 2 V, 6.3246 V, 20 V of the amp */
    assert_near(c.drive_v[0], 2.0, 1e-9);
    assert_near(c.drive_v[1], 2.0 * sqrt(10.0), 1e-9);
    assert_near(c.drive_v[2], 20.0, 1e-9);
    /* margins 20·log10(10/drive): +13.979, +3.979, -6.021 (the amp clips
     * 6.02 dB before the DAC's full scale on +20 dB) */
    assert_near(c.clip_margin_db[0], 13.9794001, 1e-6);
    assert_near(c.clip_margin_db[1], 3.9794001, 1e-6);
    assert_near(c.clip_margin_db[2], -6.0205999, 1e-6);
    /* loudest clean: 100 + 20·log10(2) = 106.021, 116.021, and the amp's
     * 10 V: 120 dB SPL */
    assert_near(c.max_spl_db[0], 106.0205999, 1e-6);
    assert_near(c.max_spl_db[1], 116.0205999, 1e-6);
    assert_near(c.max_spl_db[2], 120.0, 1e-6);
    /* the lowest setting that keeps 110 dB SPL clean: +10 dB, 6.02 dB of
     * headroom; the digital volume sits 116.021 - 85 = 31.021 dB below full
     * scale there, 31.021 / 6.0206 = 5.153 bits */
    assert_int_equal(c.chosen, 1);
    assert_true(c.chosen_auto);
    assert_int_equal(c.advice.verdict, HPA_VERDICT_NOT_NEEDED);
    assert_near(c.advice.headroom_db, 6.0205999, 1e-6);
    assert_near(c.digital_atten_db, 31.0205999, 1e-6);
    assert_near(c.bits_lost, 31.0205999 / (20.0 * log10(2.0)), 1e-6);

    /* the caller's setting: 0 dB clips the peaks by 3.98 dB (required);
     * the digital volume at 85 dB SPL: 106.021 - 85 = 21.021 dB */
    assert_ok(hpa_advise_chain(&h, &dac, &amp, g, 3, 0, 85.0, 25.0, &c));
    assert_int_equal(c.chosen, 0);
    assert_false(c.chosen_auto);
    assert_int_equal(c.advice.verdict, HPA_VERDICT_REQUIRED);
    assert_near(c.advice.headroom_db, -3.9794001, 1e-6);
    assert_near(c.digital_atten_db, 21.0205999, 1e-6);

    /* no setting is enough for 125 dB SPL peaks (need 17.78 V, the amp has
     * 10 V): the highest gain, required */
    assert_ok(hpa_advise_chain(&h, &dac, &amp, g, 3, -1, 85.0, 40.0, &c));
    assert_int_equal(c.chosen, 2);
    assert_int_equal(c.advice.verdict, HPA_VERDICT_REQUIRED);

    /* a DAC with no output figure: cannot tell */
    hpa_db_source mute = src_rec(U, U, U, U, U, U);
    assert_ok(hpa_advise_chain(&h, &mute, &amp, g, 3, -1, 85.0, 25.0, &c));
    assert_int_equal(c.advice.verdict, HPA_VERDICT_UNKNOWN);
    assert_true(c.advice.reasons & HPA_REASON_NO_SOURCE_OUTPUT);

    /* bad arguments */
    assert_inval(hpa_advise_chain(&h, &dac, &amp, g, 0, -1, 85.0, 25.0, &c));
    assert_inval(hpa_advise_chain(&h, &dac, &amp, g, 3, 3, 85.0, 25.0, &c));
    const double wild = 100.0;
    assert_inval(hpa_advise_chain(&h, &dac, &amp, &wild, 1, -1, 85.0, 25.0, &c));
    assert_inval(hpa_advise_chain(NULL, &dac, &amp, g, 3, -1, 85.0, 25.0, &c));
}

/* ------------------------------------------------------------------------ */
/* a device's modes chosen for the headphone (issue 15, item 5)             */

static void modes(void **state)
{
    (void)state;
    static const char csv[] =
        "id,brand,model,kind,output,vout_max_rms_v,zout_ohm,noise_uv,mode_of,load_min_ohm,load_max_ohm,source\n"
        "jack-low,L,Jack low,laptop,se,1.25,,,jack,,150,t\n"    /* 1.25 V below 150 ohm */
        "jack-high,L,Jack high,laptop,se,3,,,jack,150,1000,t\n" /* 3 V from 150 ohm to 1 kohm */
        "d-se,D,Dongle,dongle,se,2,0.1,1,,,,t\n"                /* se and bal of one device */
        "d-bal,D,Dongle,dongle,bal,4,0.1,4,,,,t\n";
    hpa_db *db;
    assert_ok(hpa_db_create_empty(&db));
    assert_ok(hpa_db_add_text(db, HPA_DB_SOURCES, csv, sizeof csv - 1, "test", NULL, NULL));
    assert_true(hpa_db_same_device(hpa_db_source_at(db, 0), hpa_db_source_at(db, 1)));
    assert_true(hpa_db_same_device(hpa_db_source_at(db, 2), hpa_db_source_at(db, 3)));
    assert_false(hpa_db_same_device(hpa_db_source_at(db, 1), hpa_db_source_at(db, 2)));
    const size_t jack[2] = {0, 1}, dongle[2] = {2, 3};
    size_t pos;
    hpa_mode_how how;
    /* by the load: 300 ohm is in [150, 1000): the 3 V mode; 32 ohm below 150 */
    hpa_db_headphone h = hp_rec(300.0, U, 100.0, U);
    assert_ok(hpa_advise_pick_mode(db, &h, jack, 2, 85.0, 25.0, &pos, &how));
    assert_int_equal(pos, 1);
    assert_int_equal(how, HPA_MODE_LOAD);
    h.impedance_ohm = 32.0;
    assert_ok(hpa_advise_pick_mode(db, &h, jack, 2, 85.0, 25.0, &pos, &how));
    assert_int_equal(pos, 0);
    assert_int_equal(how, HPA_MODE_LOAD);
    /* 150 ohm exactly: the upper range (min included, max excluded) */
    h.impedance_ohm = 150.0;
    assert_ok(hpa_advise_pick_mode(db, &h, jack, 2, 85.0, 25.0, &pos, &how));
    assert_int_equal(pos, 1);
    /* se 2 V and bal 4 V into 32 ohm at 100 dB/V: 110 dB SPL peaks need
     * 3.162 V: se clips (required), bal plays them: bal, by the verdict */
    h = hp_rec(32.0, U, 100.0, U);
    assert_ok(hpa_advise_pick_mode(db, &h, dongle, 2, 85.0, 25.0, &pos, &how));
    assert_int_equal(pos, 1);
    assert_int_equal(how, HPA_MODE_BEST);
    /* an IEM of 120 dB/V: both not-needed; the se's 1 uV hisses less than
     * the bal's 4 uV (120 + 20·log10(1e-6·16/16.1) = 0.05 against 12.1
     * dB SPL(A)): se */
    hpa_db_headphone iem = hp_rec(16.0, U, 120.0, U);
    iem.type = HPA_DB_TYPE_IEM;
    assert_ok(hpa_advise_pick_mode(db, &iem, dongle, 2, 85.0, 25.0, &pos, &how));
    assert_int_equal(pos, 0);
    /* the same as an over-ear: most headroom, bal */
    iem.type = HPA_DB_TYPE_OVER_EAR;
    assert_ok(hpa_advise_pick_mode(db, &iem, dongle, 2, 85.0, 25.0, &pos, &how));
    assert_int_equal(pos, 1);
    /* bad arguments */
    const size_t out_of_range[1] = {4};
    assert_inval(hpa_advise_pick_mode(db, &iem, out_of_range, 1, 85.0, 25.0, &pos, &how));
    assert_inval(hpa_advise_pick_mode(db, &iem, dongle, 0, 85.0, 25.0, &pos, &how));
    hpa_db_destroy(db);
}

/* ------------------------------------------------------------------------ */
/* battery: the share of the output power the listening level takes (issue 15, item 3) */

static void level_share(void **state)
{
    (void)state;
    /* 32 ohm at 100 dB/V on a 2 V source (no Zout): 85 dB SPL needs
     * 10^(-15/20) = 0.177828 V, 0.177828²/32 = 0.988212 mW; the source gives
     * 2²/32 = 125 mW there: 0.790569 % */
    hpa_db_headphone h = hp_rec(32.0, U, 100.0, U);
    hpa_db_source s = src_rec(2.0, U, U, U, 0.0, U);
    s.battery = 1;
    s.battery_h = 12.0;
    hpa_advice a;
    assert_ok(hpa_advise(&h, &s, 85.0, 25.0, &a));
    assert_near(a.level_mw, 0.98821176, 1e-7);
    assert_near(a.available_mw, 125.0, 1e-9);
    assert_near(a.level_share, 0.98821176 / 125.0, 1e-9);
}

/* ------------------------------------------------------------------------ */
/* the music's crest: a percentile by playing time (issue 15, item 4)       */

static void music_crest(void **state)
{
    (void)state;
    /* a 2 s one-shot of crest 30 (not counted); songs of 200 s / 12 dB,
     * 200 s / 14 dB, 175 s / 16 dB and 30 s / 22 dB: 605 s, 95 % is 574.75 s;
     * up to 14 dB 400 s, up to 16 dB 575 s: the crest is 16 dB (the 22 dB
     * song is the loudest 5 % of the time) */
    const double crest[5] = {30.0, 12.0, 14.0, 16.0, 22.0};
    const double dur[5] = {2.0, 200.0, 200.0, 175.0, 30.0};
    unsigned char counted[5];
    hpa_music_crest mc;
    assert_ok(hpa_advise_music_crest(crest, dur, 5, 95.0, HPA_ADVISE_MIN_MUSIC_S, counted, &mc));
    assert_near(mc.crest_db, 16.0, 0.0);
    assert_int_equal(mc.track, 3);
    assert_int_equal(mc.n_counted, 4);
    assert_near(mc.seconds, 605.0, 1e-9);
    assert_false(mc.all_short);
    assert_int_equal(counted[0], 0);
    assert_int_equal(counted[4], 1);
    /* 100: the largest counted crest, 22 (the one-shot's 30 still not) */
    assert_ok(hpa_advise_music_crest(crest, dur, 5, 100.0, HPA_ADVISE_MIN_MUSIC_S, counted, &mc));
    assert_near(mc.crest_db, 22.0, 0.0);
    /* 60 %: 363 s; up to 14 dB 400 s: 14 */
    assert_ok(hpa_advise_music_crest(crest, dur, 5, 60.0, HPA_ADVISE_MIN_MUSIC_S, counted, &mc));
    assert_near(mc.crest_db, 14.0, 0.0);
    /* all short: every file counts: 5 s / 10 dB and 1 s / 30 dB, 95 % of 6 s
     * is 5.7 s: 30 dB */
    const double c2[2] = {10.0, 30.0}, d2[2] = {5.0, 1.0};
    assert_ok(hpa_advise_music_crest(c2, d2, 2, 95.0, HPA_ADVISE_MIN_MUSIC_S, counted, &mc));
    assert_true(mc.all_short);
    assert_int_equal(mc.n_counted, 2);
    assert_near(mc.crest_db, 30.0, 0.0);
    /* bad arguments */
    assert_inval(hpa_advise_music_crest(crest, dur, 0, 95.0, 30.0, counted, &mc));
    assert_inval(hpa_advise_music_crest(crest, dur, 5, 40.0, 30.0, counted, &mc));
    assert_inval(hpa_advise_music_crest(crest, dur, 5, 95.0, NAN, counted, &mc));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(headphone_conversion),
        cmocka_unit_test(source_voltage),
        cmocka_unit_test(source_ratings),
        cmocka_unit_test(thresholds),
        cmocka_unit_test(response_and_current),
        cmocka_unit_test(active_and_unknown),
        cmocka_unit_test(names),
        cmocka_unit_test(suggestions),
        cmocka_unit_test(hiss_and_volume),
        cmocka_unit_test(suggestions_for_iems),
        cmocka_unit_test(gain_staging),
        cmocka_unit_test(modes),
        cmocka_unit_test(level_share),
        cmocka_unit_test(music_crest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
