/* test_amp — the amp's profiles as libhpamp-host exports them
 * (<hpamp/host/amp.h>): devices.ini in a temporary XDG_CONFIG_HOME, read
 * with its bad lines given to the caller's warning function as FILE:LINE
 * (never printed by the library) and the rest loaded; an output matched by
 * its node name and by its USB ids; a section written back replaces only
 * itself; an unreadable file is an error with the file's name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <hpamp/host/amp.h>

static char dir[128], path[256];
static char warned[8][1600];
static int n_warned;

static void collect(void *user, const char *message)
{
    (void)user;
    if (n_warned < 8)
        snprintf(warned[n_warned], sizeof warned[0], "%s", message);
    n_warned++;
}

static void put_file(const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static hph_amp_output output(const char *name, const char *vendor, const char *product)
{
    hph_amp_output o;
    memset(&o, 0, sizeof o);
    snprintf(o.kv[HPH_AMP_K_NAME], sizeof o.kv[0], "%s", name);
    snprintf(o.kv[HPH_AMP_K_VENDOR], sizeof o.kv[0], "%s", vendor);
    snprintf(o.kv[HPH_AMP_K_PRODUCT], sizeof o.kv[0], "%s", product);
    return o;
}

static void load_and_match(void **state)
{
    (void)state;
    put_file("[speakers]\n"
             "node = speakers\n"
             "volume = loud\n"   /* line 3: not a number */
             "this is not ini\n" /* line 4 */
             "\n"
             "[usb-dac]\n"
             "usb = 152a:8750\n"
             "max-volume = -20\n");
    static hph_amp_profiles ps;
    char why[512] = "";
    n_warned = 0;
    assert_int_equal(hph_amp_profiles_load(&ps, collect, NULL, why, sizeof why), 0);
    assert_int_equal(ps.n, 2);
    assert_int_equal(ps.bad, 2);
    assert_int_equal(n_warned, 2);
    char want[400];
    snprintf(want, sizeof want, "%s:3: ", path);
    assert_memory_equal(warned[0], want, strlen(want));
    snprintf(want, sizeof want, "%s:4: ", path);
    assert_memory_equal(warned[1], want, strlen(want));
    assert_false(ps.p[0].has_volume);
    assert_true(ps.p[1].has_max_volume);
    assert_true(ps.p[1].max_volume_db == -20.0);

    hph_amp_output spk = output("speakers", "", ""), dac = output("alsa_output.usb", "0x152a", "0x8750"),
                   other = output("hdmi", "0x152a", "0x8751");
    const hph_amp_profile *p = hph_amp_profiles_match(&ps, &spk);
    assert_non_null(p);
    assert_string_equal(p->name, "speakers");
    p = hph_amp_profiles_match(&ps, &dac);
    assert_non_null(p);
    assert_string_equal(p->name, "usb-dac");
    assert_null(hph_amp_profiles_match(&ps, &other));

    /* no warning function: the same, silently */
    assert_int_equal(hph_amp_profiles_load(&ps, NULL, NULL, why, sizeof why), 0);
    assert_int_equal(ps.bad, 2);
}

static void write_back(void **state)
{
    (void)state;
    put_file("# mine\n[a]\nnode = a\n\n[b]\nnode = b\nvolume = -40\n");
    static hph_amp_profiles ps;
    char why[512];
    assert_int_equal(hph_amp_profiles_load(&ps, NULL, NULL, why, sizeof why), 0);
    hph_amp_profile np;
    memset(&np, 0, sizeof np);
    snprintf(np.name, sizeof np.name, "a");
    snprintf(np.match_key[0], sizeof np.match_key[0], "node.name");
    snprintf(np.match_val[0], sizeof np.match_val[0], "x");
    np.n_match = 1;
    np.has_max_volume = 1;
    np.max_volume_db = -12.5;
    assert_int_equal(hph_amp_profiles_write(&ps, &np, why, sizeof why), 0);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char text[512];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    assert_string_equal(text, "# mine\n[b]\nnode = b\nvolume = -40\n\n[a]\nnode = x\nmax-volume = -12.50\n");
    assert_int_equal(hph_amp_profiles_load(&ps, NULL, NULL, why, sizeof why), 0);
    assert_int_equal(ps.n, 2);
}

static void unreadable(void **state)
{
    (void)state;
    unlink(path);
    assert_int_equal(mkdir(path, 0700), 0); /* a folder where the file should be */
    static hph_amp_profiles ps;
    char why[512] = "";
    assert_int_equal(hph_amp_profiles_load(&ps, NULL, NULL, why, sizeof why), -1);
    assert_non_null(strstr(why, path));
    rmdir(path);
    /* none at all: no profiles, no error */
    assert_int_equal(hph_amp_profiles_load(&ps, NULL, NULL, why, sizeof why), 0);
    assert_int_equal(ps.n, 0);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/hpamp-test-amp-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    char sub[200];
    snprintf(sub, sizeof sub, "%s/hpamp", dir);
    mkdir(sub, 0700);
    snprintf(path, sizeof path, "%s/devices.ini", sub);
    setenv("XDG_CONFIG_HOME", dir, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(load_and_match),
        cmocka_unit_test(write_back),
        cmocka_unit_test(unreadable),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(path);
    rmdir(sub);
    rmdir(dir);
    return rc;
}
