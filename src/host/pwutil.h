/* pwutil.h — the PipeWire plumbing shared by the player's device
 * (pipewire.c) and the amp's engine (amp.c): the event thread and its
 * context (and so the audio thread's priority), the format a stream offers.
 * Internal to libhpamp-host. */
#ifndef HPAMP_HOST_PWUTIL_H
#define HPAMP_HOST_PWUTIL_H

#include <stddef.h>
#include <stdint.h>

#include <pipewire/extensions/metadata.h>
#include <pipewire/pipewire.h>
#include <spa/pod/builder.h>

/* pw_init, PipeWire's own log quietened (unless PIPEWIRE_DEBUG), an event
 * thread named name with its context, started.  The context loads
 * client-rt.conf (its module-rt makes the data thread SCHED_FIFO at
 * PipeWire's rt.prio, as for pw-play), or client.conf when the environment
 * has HPAMP_NO_RT_PRIORITY (tests on a shared machine).  0, or -1 with why (and
 * nothing left to free). */
int hph_pw_loop_start(const char *name, struct pw_thread_loop **loop, struct pw_context **ctx, char *why,
                      size_t why_len);

/* Stop the event thread (unlocked), destroy the context and the loop, pw_deinit. */
void hph_pw_loop_stop(struct pw_thread_loop *loop, struct pw_context *ctx);

/* With the loop locked: the registry and the core (each may be NULL) let go
 * of with their listeners, the loop unlocked and stopped (hph_pw_loop_stop). */
void hph_pw_end(struct pw_thread_loop *loop, struct pw_context *ctx, struct pw_registry *registry,
                struct spa_hook *registry_hook, struct pw_core *core, struct spa_hook *core_hook);

/* In a registry's global event: a global that is the metadata object named
 * name ("default", "settings") is bound into *md, with events (data) on
 * hook, unless *md is already bound.  1 when it was, else 0. */
int hph_pw_bind_metadata(struct pw_registry *registry, uint32_t id, const char *type, const struct spa_dict *props,
                         const char *name, struct pw_metadata **md, struct spa_hook *hook,
                         const struct pw_metadata_events *events, void *data);

/* A metadata bound by hph_pw_bind_metadata let go of (NULL: nothing). */
void hph_pw_unbind_metadata(struct pw_metadata **md, struct spa_hook *hook);

/* The node name in a "default" metadata value, JSON { "name": "speakers" },
 * into out ("" when there is none). */
void hph_pw_json_name(const char *value, char *out, size_t len);

/* An EnumFormat of format (a spa_audio_format), channels in the usual
 * order (FL FR FC LFE RL RR SL SR; mono for one), at rate_hz (0: no rate,
 * the graph's). */
const struct spa_pod *hph_pw_format_pod(struct spa_pod_builder *b, uint32_t format, uint32_t rate_hz,
                                        uint32_t channels);

#endif
