/* pwutil.c — PipeWire plumbing shared by pipewire.c and amp.c (see pwutil.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spa/param/audio/format-utils.h>

#include "pwutil.h"

int hph_pw_loop_start(const char *name, struct pw_thread_loop **loop, struct pw_context **ctx, char *why,
                      size_t why_len)
{
    *loop = NULL;
    *ctx = NULL;
    pw_init(NULL, NULL);
    if (!getenv("PIPEWIRE_DEBUG"))
        pw_log_set_level(SPA_LOG_LEVEL_ERROR); /* warnings (no D-Bus, no rtkit) are not ours to print */
    struct pw_thread_loop *l = pw_thread_loop_new(name, NULL);
    if (!l) {
        snprintf(why, why_len, "cannot start PipeWire's event thread: %s", strerror(errno));
        pw_deinit();
        return -1;
    }
    /* client-rt.conf, as pw-play and pw-cat: its module-rt puts PipeWire's
     * data thread at SCHED_FIFO (rt.prio 88) directly, or through RTKit
     * where the rlimits do not allow it; client.conf (no module-rt, the
     * data thread at normal priority) when HPAMP_NO_RT_PRIORITY is set */
    const char *no_rt = getenv("HPAMP_NO_RT_PRIORITY");
    struct pw_properties *props = pw_properties_new(PW_KEY_CONFIG_NAME,
                                                    no_rt && *no_rt ? "client.conf" : "client-rt.conf", NULL);
    struct pw_context *c = pw_context_new(pw_thread_loop_get_loop(l), props, 0);
    if (!c) {
        snprintf(why, why_len, "cannot make a PipeWire context: %s", strerror(errno));
        pw_thread_loop_destroy(l);
        pw_deinit();
        return -1;
    }
    if (pw_thread_loop_start(l) != 0) {
        snprintf(why, why_len, "cannot start PipeWire's event thread");
        pw_context_destroy(c);
        pw_thread_loop_destroy(l);
        pw_deinit();
        return -1;
    }
    *loop = l;
    *ctx = c;
    return 0;
}

void hph_pw_loop_stop(struct pw_thread_loop *loop, struct pw_context *ctx)
{
    pw_thread_loop_stop(loop);
    if (ctx)
        pw_context_destroy(ctx);
    pw_thread_loop_destroy(loop);
    pw_deinit();
}

void hph_pw_end(struct pw_thread_loop *loop, struct pw_context *ctx, struct pw_registry *registry,
                struct spa_hook *registry_hook, struct pw_core *core, struct spa_hook *core_hook)
{
    if (registry) {
        spa_hook_remove(registry_hook);
        pw_proxy_destroy((struct pw_proxy *)registry);
    }
    if (core) {
        spa_hook_remove(core_hook);
        pw_core_disconnect(core);
    }
    pw_thread_loop_unlock(loop);
    hph_pw_loop_stop(loop, ctx);
}

const struct spa_pod *hph_pw_format_pod(struct spa_pod_builder *b, uint32_t format, uint32_t rate_hz, uint32_t channels)
{
    static const uint32_t pos[8] = {SPA_AUDIO_CHANNEL_FL,  SPA_AUDIO_CHANNEL_FR, SPA_AUDIO_CHANNEL_FC,
                                    SPA_AUDIO_CHANNEL_LFE, SPA_AUDIO_CHANNEL_RL, SPA_AUDIO_CHANNEL_RR,
                                    SPA_AUDIO_CHANNEL_SL,  SPA_AUDIO_CHANNEL_SR};
    struct spa_audio_info_raw ai = {.format = (enum spa_audio_format)format, .rate = rate_hz, .channels = channels};
    if (channels == 1)
        ai.position[0] = SPA_AUDIO_CHANNEL_MONO;
    else
        for (uint32_t i = 0; i < channels && i < 8; i++)
            ai.position[i] = pos[i];
    return spa_format_audio_raw_build(b, SPA_PARAM_EnumFormat, &ai);
}

int hph_pw_bind_metadata(struct pw_registry *registry, uint32_t id, const char *type, const struct spa_dict *props,
                         const char *name, struct pw_metadata **md, struct spa_hook *hook,
                         const struct pw_metadata_events *events, void *data)
{
    if (*md || !props || strcmp(type, PW_TYPE_INTERFACE_Metadata) != 0)
        return 0;
    const char *n = spa_dict_lookup(props, PW_KEY_METADATA_NAME);
    if (!n || strcmp(n, name) != 0)
        return 0;
    *md = pw_registry_bind(registry, id, type, PW_VERSION_METADATA, 0);
    if (!*md)
        return 0;
    pw_metadata_add_listener(*md, hook, events, data);
    return 1;
}

void hph_pw_unbind_metadata(struct pw_metadata **md, struct spa_hook *hook)
{
    if (!*md)
        return;
    spa_hook_remove(hook);
    pw_proxy_destroy((struct pw_proxy *)*md);
    *md = NULL;
}

void hph_pw_json_name(const char *value, char *out, size_t len)
{
    out[0] = 0;
    const char *p = value ? strstr(value, "\"name\"") : NULL;
    if (p && (p = strchr(p + 6, ':')) && (p = strchr(p, '"')))
        snprintf(out, len, "%.*s", (int)strcspn(p + 1, "\""), p + 1);
}
