/* driver.c — runs a libFuzzer target over files, without libFuzzer: the
 * corpus regression test (suite 'fuzz').  Linked with one fuzz target (its
 * LLVMFuzzerTestOneInput), it feeds every regular file under each argument
 * (a file, or a folder read in name order, one level deep) to the target,
 * each in a buffer of exactly its size so that AddressSanitizer sees a read
 * past the end.  A target aborts on a broken invariant, so reaching the end
 * is the pass; a folder without a file, or a file that cannot be read, is a
 * failure (a corpus that vanished must not pass as empty).
 * Usage: DRIVER FILE|FOLDER...   prints "NAME: N inputs, B bytes". */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t g_inputs, g_bytes;

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fclose(f);
            fprintf(stderr, "%s: out of memory\n", path);
            return -1;
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        uint8_t *more = realloc(buf, 2 * cap);
        if (!more)
            free(buf);
        buf = more;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        fprintf(stderr, "%s: read error\n", path);
        return -1;
    }
    /* exactly the input's bytes, so that a read past its end is caught */
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    if (n)
        memcpy(exact, buf, n);
    free(buf);
    fprintf(stderr, "input %s (%zu bytes)\n", path, n);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    g_inputs++;
    g_bytes += n;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "%s: %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int err = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **more = realloc((void *)names, cap * sizeof *names);
            if (!more) {
                err = -1;
                break;
            }
            names = more;
        }
        names[n] = strdup(e->d_name);
        if (!names[n]) {
            err = -1;
            break;
        }
        n++;
    }
    closedir(d);
    if (n)
        qsort((void *)names, n, sizeof *names, by_name);
    size_t files = 0;
    for (size_t i = 0; i < n && !err; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            err = run_file(path);
            files++;
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free((void *)names);
    if (!err && files == 0) {
        fprintf(stderr, "%s: no input in it\n", dir);
        err = -1;
    }
    return err;
}

int main(int argc, char **argv)
{
    const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|FOLDER...\n", name);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        if (S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i]))
            return 1;
    }
    printf("%s: %zu inputs, %zu bytes, no invariant broken\n", name, g_inputs, g_bytes);
    return 0;
}
