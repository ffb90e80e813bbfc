/* eqfile.c — an EQ file read from disk (eqfile.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpamp/host/eqfile.h>
#include <hpamp/host/file.h>

int hph_eq_read_file(const char *path, char **text_out, size_t *len_out, char *why, size_t why_len)
{
    if (hph_file_read(path, HPH_EQ_FILE_MAX, HPH_FILE_ANY, text_out, len_out) == 0)
        return 0;
    if (errno == EISDIR)
        snprintf(why, why_len, "%s: a directory, not an EQ file", path);
    else if (errno == EFBIG)
        snprintf(why, why_len, "%s: an EQ file of more than %u MB is not an EQ file", path, HPH_EQ_FILE_MAX >> 20);
    else if (errno == ENOMEM)
        snprintf(why, why_len, "out of memory");
    else
        snprintf(why, why_len, "%s: cannot open the EQ file: %s", path, strerror(errno));
    return -1;
}

int hph_eq_curve_read(const char *path, const char *builtin_name, hpa_eq_point **pts, size_t *n, char *why,
                      size_t why_len)
{
    size_t len = 0;
    char *text = NULL;
    *pts = NULL;
    *n = 0;
    const char *t = builtin_name ? hpa_eq_target_builtin(builtin_name, &len) : NULL;
    if (!t) {
        if (hph_file_read(path, HPH_CURVE_FILE_MAX, HPH_FILE_REGULAR, &text, &len)) {
            snprintf(why, why_len, "%s: cannot read: %s", path,
                     errno == EFBIG ? "larger than 16 MiB, not a frequency response" : strerror(errno));
            return -1;
        }
        t = text;
    }
    size_t lines = 2;
    for (size_t i = 0; i < len; i++)
        lines += t[i] == '\n';
    *pts = malloc(lines * sizeof **pts);
    if (!*pts) {
        free(text);
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    hpa_eq_curve_error err;
    int rc = hpa_eq_curve_parse(t, len, *pts, lines, n, &err);
    free(text);
    if (rc != HPA_OK) {
        if (err.line)
            snprintf(why, why_len, "%s:%zu: %s", path, err.line, err.reason);
        else
            snprintf(why, why_len, "%s: %s", path, err.reason ? err.reason : hpa_strerror(rc));
        free(*pts);
        *pts = NULL;
        *n = 0;
        return -1;
    }
    return 0;
}
