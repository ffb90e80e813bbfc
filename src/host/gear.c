/* gear.c — the database as front ends see it: the built-in entries plus
 * the user's own files (see gear.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hpamp/host/file.h>
#include <hpamp/host/gear.h>

static void say(hph_warn_fn warn, void *user, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(hph_warn_fn warn, void *user, const char *fmt, ...)
{
    if (!warn)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    warn(user, line);
}

#define USER_FILE_MAX (16u << 20) /* bytes; a bigger "CSV" is a mistake */
#define MAX_WARNINGS 100

/* ------------------------------------------------------------------------ */
/* loading                                                                  */

/* the whole file into a malloc'ed buffer; NULL with errno set (ENOENT: none) */
static char *read_file(const char *path, size_t *len)
{
    char *text = NULL;
    return hph_file_read(path, USER_FILE_MAX, HPH_FILE_REGULAR, &text, len) == 0 ? text : NULL;
}

static void load_user_file(hpa_db *db, hpa_db_kind kind, const char *dir, const char *name, hph_warn_fn warn,
                           void *user)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/hpamp/%s", dir, name) >= sizeof path)
        return;
    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text) {
        if (errno != ENOENT && errno != ENOTDIR)
            say(warn, user, "%s: %s (not loaded)", path, errno == EFBIG ? "larger than 16 MiB" : strerror(errno));
        return;
    }
    hpa_db_diag items[MAX_WARNINGS];
    hpa_db_diags diags = {items, MAX_WARNINGS, 0, 0};
    int err = hpa_db_add_text(db, kind, text, len, path, &diags, NULL);
    for (size_t i = 0; i < diags.count; i++)
        say(warn, user, "%s:%u: %s", items[i].origin, items[i].line, items[i].message);
    if (diags.total > diags.count)
        say(warn, user, "%s: %zu more problems not shown", path, diags.total - diags.count);
    if (err)
        say(warn, user, "%s: %s (not loaded)", path, hpa_strerror(err));
    free(text);
}

int hph_gear_open(hpa_db **out, hph_warn_fn warn, void *user)
{
    int err = hpa_db_create(out);
    if (err)
        return err;
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    char dir[4096];
    if (xdg && xdg[0] == '/')
        snprintf(dir, sizeof dir, "%s", xdg);
    else if (home && *home)
        snprintf(dir, sizeof dir, "%s/.config", home);
    else
        return 0;
    load_user_file(*out, HPA_DB_HEADPHONES, dir, "headphones.csv", warn, user);
    load_user_file(*out, HPA_DB_SOURCES, dir, "sources.csv", warn, user);
    return 0;
}

void hph_gear_name(const hpa_db *db, hpa_db_ref ref, char *buf, size_t len)
{
    const char *brand, *model, *suffix = "";
    if (ref.kind == HPA_DB_HEADPHONES) {
        const hpa_db_headphone *h = hpa_db_headphone_at(db, ref.index);
        brand = h ? h->brand : "";
        model = h ? h->model : "?";
    } else {
        const hpa_db_source *s = hpa_db_source_at(db, ref.index);
        brand = s ? s->brand : "";
        model = s ? s->model : "?";
        if (s && s->output == HPA_DB_OUTPUT_BAL)
            suffix = " (balanced)";
    }
    snprintf(buf, len, "%s%s%s%s", brand, *brand ? " " : "", model, suffix);
}
