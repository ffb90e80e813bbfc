/* preset.c — presets by name: the user's files, then the built-ins (preset.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpamp/host/preset.h>

void hph_preset_user_dir(char *out, size_t len)
{
    const char *x = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    if (x && x[0] == '/')
        snprintf(out, len, "%s/hpamp/presets", x);
    else if (home && *home)
        snprintf(out, len, "%s/.config/hpamp/presets", home);
    else
        out[0] = 0;
}

static int valid_name(const char *name)
{
    if (!name || !*name || strlen(name) > 100 || name[0] == '.')
        return 0;
    for (const char *s = name; *s; s++)
        if (*s == '/')
            return 0;
    return 1;
}

/* read a whole small text file; NULL on error (errno set) */
static char *read_small(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    int bad = !buf || ferror(f) || !feof(f);
    fclose(f);
    if (bad) {
        free(buf);
        errno = errno ? errno : EFBIG;
        return NULL;
    }
    buf[n] = 0;
    return buf;
}

int hph_preset_load(const char *name, hpa_settings *p, char *origin, size_t origin_len, char *why, size_t why_len)
{
    char reason[256];
    if (!valid_name(name)) {
        snprintf(why, why_len, "preset: '%s' is not a preset name (see hpamp preset list)", name ? name : "");
        return -1;
    }
    char dir[HPA_SETTINGS_PATH_MAX], path[HPA_SETTINGS_PATH_MAX + 128];
    hph_preset_user_dir(dir, sizeof dir);
    if (dir[0]) {
        snprintf(path, sizeof path, "%s/%s.ini", dir, name);
        char *text = read_small(path);
        if (text) {
            int line = hpa_settings_parse(text, dir, p, reason, sizeof reason);
            free(text);
            if (line > 0) {
                snprintf(why, why_len, "%s:%d: %s", path, line, reason);
                return -1;
            }
            if (line < 0) {
                snprintf(why, why_len, "%s: %s", path, reason);
                return -1;
            }
            snprintf(origin, origin_len, "%s", path);
            return 0;
        }
        if (errno != ENOENT) {
            snprintf(why, why_len, "%s: %s", path, strerror(errno));
            return -1;
        }
    }
    int b = hpa_settings_builtin_find(name);
    if (b >= 0) {
        const char *text;
        hpa_settings_builtin((size_t)b, NULL, &text);
        int line = hpa_settings_parse(text, NULL, p, reason, sizeof reason);
        if (line) { /* cannot happen: tests parse every built-in */
            snprintf(why, why_len, "built-in preset %s:%d: %s", name, line, reason);
            return -1;
        }
        snprintf(origin, origin_len, "built-in");
        return 0;
    }
    snprintf(why, why_len, "preset: no preset named '%s' (see hpamp preset list)", name);
    return -1;
}


static int cmp_names(const void *a, const void *b)
{
    return strcmp(a, b);
}

size_t hph_preset_list_user(char (*names)[104], size_t max)
{
    char dir[HPA_SETTINGS_PATH_MAX];
    hph_preset_user_dir(dir, sizeof dir);
    size_t n = 0;
    DIR *d = dir[0] ? opendir(dir) : NULL;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) && n < max) {
            size_t len = strlen(e->d_name);
            if (len > 4 && len < 104 && !strcmp(e->d_name + len - 4, ".ini") && e->d_name[0] != '.') {
                memcpy(names[n], e->d_name, len - 4);
                names[n][len - 4] = 0;
                n++;
            }
        }
        closedir(d);
    }
    qsort(names, n, sizeof names[0], cmp_names);
    return n;
}

char *hph_preset_text(const char *name, const char *origin)
{
    if (strcmp(origin, "built-in") != 0)
        return read_small(origin);
    const char *text;
    int b = hpa_settings_builtin_find(name);
    return b >= 0 && hpa_settings_builtin((size_t)b, NULL, &text) == 0 ? strdup(text) : NULL;
}
