/* test_session — the listening policy of libhpamp-host (session.h) against
 * the rules written out here: the safe level and the ceiling of safety.h,
 * the acknowledgement, the table's lowest volume, the dose of one second at
 * a known level (IEC 62368-1: 80 dBA for 40 h is 100 %), and the re-ask
 * after 20 h of listening.  The journal goes to a temporary XDG_STATE_HOME;
 * the clock is HPAMP_NOW. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <hpamp/host/session.h>
#include <hpamp/params.h>

typedef struct fake {
    double volume_db;
    int volume_calls, mute, eq, skips;
} fake;

static void f_volume(void *u, double db)
{
    ((fake *)u)->volume_db = db;
    ((fake *)u)->volume_calls++;
}
static void f_mute(void *u, int on)
{
    ((fake *)u)->mute = on;
}
static void f_eq(void *u, int on)
{
    ((fake *)u)->eq = on;
}
static void f_skip(void *u, int d)
{
    ((fake *)u)->skips += d;
}

static hph_session *make(fake *f, const hpa_safety *sf, hph_dose *dose, int with_eq)
{
    hph_session_config cfg = {.safety = *sf, .start_db = sf->start_db, .dose = dose, .rate_hz = 48000};
    hph_session_target t = {
        .user = f, .set_volume_db = f_volume, .set_mute = f_mute, .set_eq = with_eq ? f_eq : NULL, .skip = f_skip};
    hph_session *s = hph_session_new(&cfg, &t);
    assert_non_null(s);
    return s;
}

/* unknown gear: start = safe = -30 dBFS, ceiling 0 */
static void unknown_gear_caps(void **state)
{
    (void)state;
    hpa_safety sf;
    hpa_safety_unknown(&sf, 0.0);
    fake f = {0};
    hph_session *s = make(&f, &sf, NULL, 0);
    double got = 99.0;
    assert_int_equal(hph_session_request(s, HPH_REQ_VOLUME_STEP, 3.0, &got), HPH_NEEDS_ACK);
    assert_true(got == -30.0 && f.volume_db == -30.0);
    assert_int_equal(hph_session_request(s, HPH_REQ_VOLUME_DB, -40.0, &got), HPH_DONE);
    assert_true(got == -40.0);
    /* a step up that the cap would turn into a step down stays where it is */
    assert_int_equal(hph_session_request(s, HPH_REQ_VOLUME_DB, -35.0, &got), HPH_DONE);
    assert_int_equal(hph_session_request(s, HPH_REQ_ACKNOWLEDGE, 1.0, NULL), HPH_DONE);
    assert_int_equal(hph_session_request(s, HPH_REQ_VOLUME_DB, -10.0, &got), HPH_DONE);
    assert_true(got == -10.0);
    assert_int_equal(hph_session_request(s, HPH_REQ_VOLUME_STEP, 15.0, &got), HPH_AT_CEILING);
    assert_true(got == 0.0);
    /* below the table's lowest volume: the lowest */
    const double lo = hpa_param_info_get(HPA_PARAM_VOLUME_DB)->min_value;
    assert_int_equal(hph_session_request(s, HPH_REQ_VOLUME_DB, lo - 50.0, &got), HPH_DONE);
    assert_true(got == lo);
    assert_int_equal(hph_session_request(s, HPH_REQ_VOLUME_DB, NAN, &got), HPH_INVALID);
    hph_session_destroy(s);
}

static void switches(void **state)
{
    (void)state;
    hpa_safety sf;
    hpa_safety_unknown(&sf, 0.0);
    fake f = {0};
    hph_session *s = make(&f, &sf, NULL, 0);
    double on = -1.0;
    assert_int_equal(hph_session_request(s, HPH_REQ_EQ, -1.0, &on), HPH_UNAVAILABLE);
    assert_int_equal(hph_session_request(s, HPH_REQ_CROSSFEED, 1.0, &on), HPH_UNAVAILABLE);
    assert_int_equal(hph_session_request(s, HPH_REQ_MUTE, -1.0, &on), HPH_DONE);
    assert_true(on == 1.0 && f.mute == 1);
    assert_int_equal(hph_session_request(s, HPH_REQ_MUTE, -1.0, &on), HPH_DONE);
    assert_true(on == 0.0 && f.mute == 0);
    assert_int_equal(hph_session_request(s, HPH_REQ_SKIP, -1.0, NULL), HPH_DONE);
    assert_int_equal(f.skips, -1);
    hph_session_destroy(s);
    s = make(&f, &sf, NULL, 1);
    assert_int_equal(hph_session_request(s, HPH_REQ_EQ, 1.0, &on), HPH_DONE);
    assert_true(on == 1.0 && f.eq == 1);
    hph_session_destroy(s);
}

static char tmp[256];

static void open_dose(hph_dose *d)
{
    char why[512];
    assert_int_equal(hph_dose_open(d, 1, hph_dose_now(), 1, why, sizeof why), 0);
}

/* one second of a sine at -20 dBFS with 0 dBFS = 100 dB SPL: 80 dB(A) SPL,
 * 1/144000 of the week's allowance (80 dBA for 40 h) */
static void dose_one_second(void **state)
{
    (void)state;
    hpa_safety sf;
    hpa_safety_from_model(&sf, 100.0, 0.0, 100.0);
    hph_dose d;
    open_dose(&d);
    const double before = d.pa2h;
    fake f = {0};
    hph_session *s = make(&f, &sf, &d, 0);
    const double ms = 0.5 * pow(10.0, -20.0 / 10.0); /* mean square of the sine */
    double energy[2] = {48000 * ms, 48000 * ms * 0.25};
    hph_session_events ev;
    hph_session_tick(s, 48000, energy, 2, 10.0, 0, &ev);
    assert_int_equal(ev.recorded, 1);
    assert_true(fabs(ev.last_spl_a_db - 80.0) < 1e-9);
    /* (20 µPa)² 10^8 Pa² for 1/3600 h */
    const double want = 4e-10 * 1e8 / 3600.0;
    assert_true(fabs((d.pa2h - before) - want) < 1e-12);
    assert_true(fabs(hpa_dose_percent_of(want, 1) - 100.0 / 144000.0) < 1e-12);
    /* less than a second later, less than a second of frames: no record */
    energy[0] += 100 * ms;
    hph_session_tick(s, 48100, energy, 2, 10.5, 0, &ev);
    assert_int_equal(ev.recorded, 0);
    hph_session_destroy(s);
    hph_dose_close(&d);
}

/* louder allowed (an acknowledgement in the journal, 80000 s ago), then
 * 20 h of listening since it: back to the safe level (85 dB SPL) */
static void ack_expires(void **state)
{
    (void)state;
    hpa_safety sf;
    hpa_safety_from_model(&sf, 110.0, 0.0, 100.0); /* safe -25 dBFS, ceiling -10 */
    hph_dose d;
    open_dose(&d);
    assert_int_equal(hph_dose_ack(&d, hph_dose_now() - 80000.0), 0);
    fake f = {0};
    hph_session *s = make(&f, &sf, &d, 0);
    double got;
    assert_int_equal(hph_session_request(s, HPH_REQ_VOLUME_DB, -15.0, &got), HPH_DONE);
    assert_true(got == -15.0);
    double energy[1] = {0.0};
    hph_session_events ev;
    const uint64_t frames = (uint64_t)48000 * (20 * 3600 - 1);
    hph_session_tick(s, frames, energy, 1, 1.0, 0, &ev);
    assert_int_equal(ev.ack_expired, 0); /* 1 s short of 20 h */
    hph_session_tick(s, frames + 96000, energy, 1, 3.0, 0, &ev);
    assert_int_equal(ev.ack_expired, 1);
    assert_true(f.volume_db == sf.loud_db && fabs(sf.loud_db - (-25.0)) < 1e-12);
    assert_int_equal(hph_session_request(s, HPH_REQ_VOLUME_DB, -15.0, &got), HPH_NEEDS_ACK);
    hph_session_destroy(s);
    hph_dose_close(&d);
}

/* the amp moves from an insensitive pair (0 dBFS = 90 dB SPL: safe -5,
 * ceiling 0) at -2 dBFS, acknowledged, to a sensitive one (0 dBFS = 120 dB
 * SPL: safe -35, ceiling -20) whose profile starts at -40: the volume goes
 * to -40, never the -2 of the other device; the acknowledgement given
 * before holds (louder up to the new ceiling, and no further); mute stays;
 * the dose step counts from 0 frames of the new chain and records at the
 * new device's SPL (-20 dBFS sine = 100 dB SPL there) */
static void retarget(void **state)
{
    (void)state;
    hpa_safety a, b;
    hpa_safety_from_model(&a, 90.0, 0.0, 100.0);
    hpa_safety_from_model(&b, 120.0, 0.0, 100.0);
    assert_true(fabs(b.loud_db - (-35.0)) < 1e-12 && fabs(b.ceiling_db - (-20.0)) < 1e-12);
    hph_dose d;
    open_dose(&d);
    fake f = {0};
    hph_session *s = make(&f, &a, &d, 0);
    double got;
    assert_int_equal(hph_session_request(s, HPH_REQ_ACKNOWLEDGE, 1.0, NULL), HPH_DONE);
    assert_int_equal(hph_session_request(s, HPH_REQ_VOLUME_DB, -2.0, &got), HPH_DONE);
    assert_int_equal(hph_session_request(s, HPH_REQ_MUTE, 1.0, NULL), HPH_DONE);
    const double ms = 0.5 * pow(10.0, -20.0 / 10.0);
    double energy[2] = {96000 * ms, 0.0};
    hph_session_events ev;
    hph_session_tick(s, 96000, energy, 2, 5.0, 1, &ev);
    assert_int_equal(ev.recorded, 1);
    assert_true(fabs(ev.last_spl_a_db - 70.0) < 1e-9);

    hph_session_config cfg = {.safety = b, .start_db = -40.0, .dose = &d, .rate_hz = 44100};
    hph_session_retarget(s, &cfg);
    assert_true(f.volume_db == -40.0);
    hph_session_state st;
    hph_session_state_get(s, &st);
    assert_true(st.volume_db == -40.0 && st.muted == 1 && st.acknowledged == 1);
    /* a start above the new ceiling comes down to it */
    cfg.start_db = -3.0;
    hph_session_retarget(s, &cfg);
    assert_true(f.volume_db == -20.0);
    assert_int_equal(hph_session_request(s, HPH_REQ_VOLUME_DB, -30.0, &got), HPH_DONE);
    assert_int_equal(hph_session_request(s, HPH_REQ_VOLUME_DB, -10.0, &got), HPH_AT_CEILING);
    assert_true(got == -20.0);
    /* the new chain's first second, at 44.1 kHz */
    double e2[2] = {44100 * ms, 0.0};
    hph_session_tick(s, 44100, e2, 2, 7.0, 0, &ev);
    assert_int_equal(ev.recorded, 1);
    assert_true(fabs(ev.last_spl_a_db - 100.0) < 1e-9);
    /* the same device, a new chain at 48 kHz: the volume stays; its count
     * starts from 0 again (half a second of the -20 dBFS sine) */
    hph_session_set_rate(s, 48000);
    double e3[2] = {24000 * ms, 0.0};
    hph_session_tick(s, 24000, e3, 2, 9.0, 1, &ev);
    assert_int_equal(ev.recorded, 1);
    assert_true(fabs(ev.last_spl_a_db - 100.0) < 1e-9);
    hph_session_state_get(s, &st);
    assert_true(fabs(st.recorded_s - (2.0 + 1.0 + 0.5)) < 1e-9);
    hph_session_state_get(s, &st);
    assert_true(st.volume_db == -20.0);
    /* a device with no journal: nothing recorded */
    cfg.dose = NULL;
    hph_session_retarget(s, &cfg);
    hph_session_tick(s, 48000, energy, 2, 11.0, 1, &ev);
    assert_int_equal(ev.recorded, 0);
    (void)got;
    hph_session_destroy(s);
    hph_dose_close(&d);
}

int main(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/hpamp-session-XXXXXX");
    if (!mkdtemp(tmp))
        return 1;
    setenv("XDG_STATE_HOME", tmp, 1);
    setenv("HPAMP_NOW", "1700000000", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unknown_gear_caps), cmocka_unit_test(switches), cmocka_unit_test(dose_one_second),
        cmocka_unit_test(ack_expires),       cmocka_unit_test(retarget),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char path[400];
    snprintf(path, sizeof path, "%s/hpamp/dose.log", tmp); /* what the journal made */
    unlink(path);
    snprintf(path, sizeof path, "%s/hpamp", tmp);
    rmdir(path);
    rmdir(tmp);
    return rc;
}
