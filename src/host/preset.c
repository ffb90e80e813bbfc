/* preset.c — presets by name: the user's files, then the built-ins (preset.h). */
#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hpamp/host/file.h>
#include <hpamp/host/outfile.h>
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
    char *text = NULL;
    size_t len = 0;
    return hph_file_read(path, (1u << 20) - 1, HPH_FILE_REGULAR, &text, &len) == 0 ? text : NULL;
}

int hph_preset_exists(const char *name)
{
    if (!valid_name(name))
        return 0;
    char dir[HPA_SETTINGS_PATH_MAX], path[HPA_SETTINGS_PATH_MAX + 128];
    struct stat st;
    hph_preset_user_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/%s.ini", dir, name);
    return (dir[0] && stat(path, &st) == 0) || hpa_settings_builtin_find(name) >= 0;
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

int hph_preset_save_eq(const char *name, const char *eq_path, const char *title, char *path_out, size_t path_len,
                       char *why, size_t why_len)
{
    char dir[PATH_MAX], abs_eq[PATH_MAX];
    hph_preset_user_dir(dir, sizeof dir);
    if (!dir[0]) {
        snprintf(why, why_len, "neither XDG_CONFIG_HOME nor HOME is set: no folder for presets");
        return -1;
    }
    if (!valid_name(name)) {
        snprintf(why, why_len, "'%s' is not a preset name", name ? name : "");
        return -1;
    }
    if (!realpath(eq_path, abs_eq)) {
        snprintf(why, why_len, "cannot resolve %s: %s", eq_path, strerror(errno));
        return -1;
    }
    for (char *c = dir + 1; *c; c++) /* mkdir -p */
        if (*c == '/') {
            *c = 0;
            (void)mkdir(dir, 0777);
            *c = '/';
        }
    if (mkdir(dir, 0777) && errno != EEXIST) {
        snprintf(why, why_len, "%s: cannot create: %s", dir, strerror(errno));
        return -1;
    }
    if ((size_t)snprintf(path_out, path_len, "%s/%s.ini", dir, name) >= path_len) {
        snprintf(why, why_len, "%s: the preset's path is too long", dir);
        return -1;
    }
    char clean[200];
    snprintf(clean, sizeof clean, "%s", title ? title : name);
    for (char *c = clean; *c; c++)
        if (*c == '\n' || *c == '\r' || *c == ';' || *c == '#')
            *c = ' ';
    char text[PATH_MAX + 512];
    int n = snprintf(text, sizeof text, "# made by hpamp eq fit\n[preset]\ntitle = %s\n[eq]\nfile = %s\n", clean,
                     abs_eq);
    if (n < 0 || (size_t)n >= sizeof text) {
        snprintf(why, why_len, "%s: the EQ file's path is too long", abs_eq);
        return -1;
    }
    hph_outfile o;
    if (hph_outfile_create(&o, path_out)) {
        snprintf(why, why_len, "%s: cannot create: %s", path_out, strerror(errno));
        return -1;
    }
    size_t done = 0;
    while (done < (size_t)n) {
        ssize_t w = write(o.fd, text + done, (size_t)n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = w < 0 ? errno : EIO;
            hph_outfile_abort(&o);
            snprintf(why, why_len, "%s: cannot write: %s", path_out, strerror(e));
            return -1;
        }
        done += (size_t)w;
    }
    if (hph_outfile_commit(&o)) {
        snprintf(why, why_len, "%s: cannot write: %s", path_out, strerror(errno));
        return -1;
    }
    return 0;
}
