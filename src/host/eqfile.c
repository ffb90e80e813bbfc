/* eqfile.c — an EQ file read from disk (eqfile.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hpamp/host/eqfile.h>

int hph_eq_read_file(const char *path, char **text_out, size_t *len_out, char *why, size_t why_len)
{
    *text_out = NULL;
    *len_out = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, why_len, "%s: cannot open the EQ file: %s", path, strerror(errno));
        return -1;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        snprintf(why, why_len, "%s: a directory, not an EQ file", path);
        fclose(f);
        return -1;
    }
    size_t cap = 0, len = 0;
    char *text = NULL;
    int rc = 0;
    for (;;) {
        if (len == cap) {
            if (cap >= HPH_EQ_FILE_MAX) {
                snprintf(why, why_len, "%s: an EQ file of more than %u MB is not an EQ file", path,
                         HPH_EQ_FILE_MAX >> 20);
                rc = -1;
                break;
            }
            cap = cap ? 2 * cap : 65536;
            char *t = realloc(text, cap);
            if (!t) {
                snprintf(why, why_len, "out of memory");
                rc = -1;
                break;
            }
            text = t;
        }
        size_t n = fread(text + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (!rc && ferror(f)) {
        snprintf(why, why_len, "%s: read error", path);
        rc = -1;
    }
    fclose(f);
    if (rc) {
        free(text);
        return -1;
    }
    *text_out = text;
    *len_out = len;
    return 0;
}
