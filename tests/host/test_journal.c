/* test_journal — the dose journal (host/dose.h) against IEC 62368-1's
 * arithmetic done here: an hour at 80 dB(A) is (20 µPa)² · 10⁸ · 1 h =
 * 0.04 Pa²h, 2.5 % of the week's 1.6 Pa²h (mode 1) and 7.9 % of 0.506 Pa²h
 * (mode 2, 75 dBA for 40 h); what is written reads back after a reopen (and
 * the compaction it does); a record 8 days old is outside the 7-day window;
 * a torn line is skipped and counted; an acknowledgement holds until 20 h
 * of listening follow it.  The journal lives in a temporary XDG_STATE_HOME,
 * the clock is HPAMP_NOW. */
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <hpamp/host/dose.h>

#define NOW 1700000000.0

static char dir[128];

static void reopen(hph_dose *d, int mode)
{
    char why[512];
    assert_int_equal(hph_dose_open(d, mode, NOW, 1, why, sizeof why), 0);
}

static void journal(void **state)
{
    (void)state;
    hph_dose d;
    reopen(&d, 1);
    assert_true(d.pa2h == 0.0 && d.records == 0);
    const double hour = 4e-10 * 1e8; /* Pa²h of one hour at 80 dB SPL */
    /* an hour at 80 dBA, in minutes, ending an hour ago */
    for (int m = 0; m < 60; m++)
        assert_int_equal(hph_dose_add(&d, NOW - 7200.0 + 60.0 * m, 60.0, 80.0), 0);
    assert_true(fabs(d.pa2h - hour) < 1e-12);
    assert_true(fabs(hph_dose_percent(&d) - 2.5) < 1e-9);
    /* 8 days ago: recorded, but outside the week */
    assert_int_equal(hph_dose_add(&d, NOW - 8 * 86400.0, 600.0, 100.0), 0);
    hph_dose_close(&d);

    reopen(&d, 1);
    assert_true(fabs(d.pa2h - hour) < 1e-9 * hour);
    assert_true(fabs(d.listened_s - 3600.0) < 1e-6);
    hph_dose_close(&d);
    reopen(&d, 2);
    assert_true(fabs(hph_dose_percent(&d) - 100.0 * hour / (4e-10 * pow(10.0, 7.5) * 40.0)) < 1e-6);
    hph_dose_close(&d);

    /* a torn line (no checksum, no newline at the end) */
    char path[256];
    snprintf(path, sizeof path, "%s/hpamp/dose.log", dir);
    int fd = open(path, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "E 1699999990 60.000 0.0", 23), 23);
    close(fd);
    reopen(&d, 1);
    assert_int_equal(d.bad, 1);
    assert_true(fabs(d.pa2h - hour) < 1e-9 * hour);

    /* an acknowledgement an hour ago; 19 h of listening since holds it, 20 h does not */
    assert_int_equal(hph_dose_ack(&d, NOW - 3600.0), 0);
    assert_true(hph_dose_ack_valid(&d));
    assert_int_equal(hph_dose_add(&d, NOW - 3000.0, 19 * 3600.0, 60.0), 0);
    assert_true(hph_dose_ack_valid(&d));
    assert_int_equal(hph_dose_add(&d, NOW - 2000.0, 3600.0, 60.0), 0);
    assert_false(hph_dose_ack_valid(&d));
    hph_dose_close(&d);
    unlink(path);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/hpamp-journal-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    setenv("XDG_STATE_HOME", dir, 1);
    setenv("HPAMP_NOW", "1700000000", 1);
    const struct CMUnitTest tests[] = {cmocka_unit_test(journal)};
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char sub[160];
    snprintf(sub, sizeof sub, "%s/hpamp", dir);
    rmdir(sub);
    rmdir(dir);
    return rc;
}
