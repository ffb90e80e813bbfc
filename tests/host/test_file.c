/* test_file.c — hph_file_read (file.h): the bytes written are the bytes read,
 * NUL-terminated; a file of exactly max bytes reads and one more is EFBIG; a
 * folder is EISDIR, a missing file ENOENT; a FIFO with no writer is refused
 * at once under HPH_FILE_REGULAR (EINVAL, no hang) and read to its end under
 * HPH_FILE_ANY; a 200 kB stream through a FIFO grows the buffer and comes
 * back whole; the preset writer stores the EQ file's absolute path. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <hpamp/host/file.h>
#include <hpamp/host/preset.h>

static char dir[] = "/tmp/hpamp-test-file.XXXXXX";

static void put(const char *path, const char *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void test_regular(void **state)
{
    (void)state;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/a.txt", dir);
    const char body[] = "Preamp: -3 dB\nFilter 1: ON PK Fc 100 Hz Gain 3 dB Q 1\n\0tail";
    put(path, body, sizeof body - 1);
    char *t = NULL;
    size_t n = 0;
    assert_int_equal(hph_file_read(path, 4096, HPH_FILE_REGULAR, &t, &n), 0);
    assert_int_equal(n, sizeof body - 1);
    assert_memory_equal(t, body, n);
    assert_int_equal(t[n], 0);
    free(t);

    /* exactly max reads; one byte less allowed is too big */
    assert_int_equal(hph_file_read(path, sizeof body - 1, HPH_FILE_ANY, &t, &n), 0);
    free(t);
    errno = 0;
    assert_int_equal(hph_file_read(path, sizeof body - 2, HPH_FILE_ANY, &t, &n), -1);
    assert_int_equal(errno, EFBIG);
    assert_null(t);

    /* empty */
    snprintf(path, sizeof path, "%s/empty.txt", dir);
    put(path, "", 0);
    assert_int_equal(hph_file_read(path, 10, HPH_FILE_REGULAR, &t, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(t[0], 0);
    free(t);
}

static void test_refusals(void **state)
{
    (void)state;
    char *t = NULL;
    size_t n = 0;
    errno = 0;
    assert_int_equal(hph_file_read(dir, 10, HPH_FILE_ANY, &t, &n), -1);
    assert_int_equal(errno, EISDIR);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/missing", dir);
    assert_int_equal(hph_file_read(path, 10, HPH_FILE_ANY, &t, &n), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(hph_file_read("/dev/zero", 1 << 16, HPH_FILE_REGULAR, &t, &n), -1);
    assert_int_equal(errno, EINVAL);
    /* a device that never ends: EFBIG at max, not a hang */
    assert_int_equal(hph_file_read("/dev/zero", 1 << 16, HPH_FILE_ANY, &t, &n), -1);
    assert_int_equal(errno, EFBIG);
    /* a FIFO nobody writes: refused at once */
    snprintf(path, sizeof path, "%s/fifo0", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(hph_file_read(path, 10, HPH_FILE_REGULAR, &t, &n), -1);
    assert_int_equal(errno, EINVAL);
}

typedef struct feeder {
    char path[PATH_MAX];
    const unsigned char *bytes;
    size_t n;
} feeder;

static void *feed(void *arg)
{
    feeder *f = arg;
    int fd = open(f->path, O_WRONLY);
    if (fd < 0)
        return NULL;
    size_t done = 0;
    while (done < f->n) {
        ssize_t w = write(fd, f->bytes + done, f->n - done > 1000 ? 1000 : f->n - done);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    close(fd);
    return NULL;
}

static void test_stream(void **state)
{
    (void)state;
    enum { N = 200000 };
    unsigned char *bytes = malloc(N);
    assert_non_null(bytes);
    uint32_t x = 12345;
    for (size_t i = 0; i < N; i++) {
        x = x * 1664525u + 1013904223u;
        bytes[i] = (unsigned char)(x >> 24);
    }
    feeder f = {.bytes = bytes, .n = N};
    snprintf(f.path, sizeof f.path, "%s/fifo1", dir);
    assert_int_equal(mkfifo(f.path, 0600), 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, feed, &f), 0);
    char *t = NULL;
    size_t n = 0;
    assert_int_equal(hph_file_read(f.path, 1u << 20, HPH_FILE_ANY, &t, &n), 0);
    pthread_join(th, NULL);
    assert_int_equal(n, N);
    assert_memory_equal(t, bytes, N);
    free(t);

    /* the same stream with max one byte short: EFBIG */
    snprintf(f.path, sizeof f.path, "%s/fifo2", dir);
    assert_int_equal(mkfifo(f.path, 0600), 0);
    assert_int_equal(pthread_create(&th, NULL, feed, &f), 0);
    int rc = hph_file_read(f.path, N - 1, HPH_FILE_ANY, &t, &n);
    int e = errno;
    pthread_join(th, NULL);
    assert_int_equal(rc, -1);
    assert_int_equal(e, EFBIG);
    free(bytes);
}

static void test_preset_save(void **state)
{
    (void)state;
    char cfg[PATH_MAX], eq[PATH_MAX], out[PATH_MAX + 128], why[PATH_MAX + 256];
    snprintf(cfg, sizeof cfg, "%s/config", dir);
    setenv("XDG_CONFIG_HOME", cfg, 1);
    snprintf(eq, sizeof eq, "%s/fit.txt", dir);
    put(eq, "Preamp: -1 dB\n", 14);
    /* a relative EQ path is stored absolute */
    assert_int_equal(chdir(dir), 0);
    assert_int_equal(hph_preset_save_eq("mine", "fit.txt", "a\nb # c", out, sizeof out, why, sizeof why), 0);
    char want[PATH_MAX + 160];
    snprintf(want, sizeof want, "%s/hpamp/presets/mine.ini", cfg);
    assert_string_equal(out, want);
    char *t = NULL;
    size_t n = 0;
    assert_int_equal(hph_file_read(out, 4096, HPH_FILE_REGULAR, &t, &n), 0);
    char body[PATH_MAX + 200];
    snprintf(body, sizeof body, "# made by hpamp eq fit\n[preset]\ntitle = a b   c\n[eq]\nfile = %s\n", eq);
    assert_string_equal(t, body);
    free(t);
    assert_int_equal(hph_preset_save_eq("../x", "fit.txt", "t", out, sizeof out, why, sizeof why), -1);
    assert_non_null(strstr(why, "not a preset name"));
    assert_int_equal(hph_preset_save_eq("y", "none.txt", "t", out, sizeof out, why, sizeof why), -1);
    assert_non_null(strstr(why, "none.txt"));
}

/* the scratch folder, removed depth first */
static int remove_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    return remove(path);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regular),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_stream),
        cmocka_unit_test(test_preset_save),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
        rc = rc ? rc : 1;
    return rc;
}
