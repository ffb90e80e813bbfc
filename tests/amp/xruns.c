/* xruns.c — PipeWire's own xrun counts for the amp's tests: the numbers
 * pw-top shows in its ERR column, which pw-top 0.3.65 prints only on a
 * terminal.
 *
 * Usage: xruns SECONDS   (ends early on SIGINT or SIGTERM)
 *
 * Binds the server's Profiler (libpipewire-module-profiler, loaded by the
 * default pipewire.conf) and reads one record per graph cycle: the driver's
 * block, each follower's block and the driver's info.  For every node it
 * counts the cycles it took part in and the cycles it did not finish
 * (status other than FINISHED: it was still waiting or running when the
 * cycle ended); for each driver also the change of its own xrun counter.
 * At the end, one line per node (sorted by name):
 *   "node NAME cycles=N errors=E"            a follower
 *   "driver NAME cycles=N errors=E xruns=X quantum=Q rate=R"  a driver,
 *   with the quantum (frames) and rate of its last cycle
 * Exit 0, or 1 when there is no server or no profiler. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pipewire/impl.h>
#include <pipewire/pipewire.h>
/* after pipewire.h: profiler.h uses spa_pod and spa_hook without including them */
#include <pipewire/extensions/profiler.h>
#include <spa/param/profiler.h>
#include <spa/pod/iter.h>
#include <spa/pod/parser.h>

#define MAX_NODES 64
#define FINISHED 3 /* enum pw_node_activation_state: PW_NODE_ACTIVATION_FINISHED */

typedef struct counts {
    char name[128];
    int driver;
    long long cycles, errors;
    int have_xrun;
    int first_xrun, last_xrun;
    int64_t quantum, rate; /* a driver's: its last cycle's duration and rate */
} counts;

typedef struct state {
    struct pw_main_loop *loop;
    struct pw_registry *registry;
    struct spa_hook registry_listener, profiler_listener;
    struct pw_proxy *profiler;
    counts nodes[MAX_NODES];
    int n_nodes;
    long long records;
} state;

static counts *node(state *s, const char *name)
{
    for (int i = 0; i < s->n_nodes; i++)
        if (!strcmp(s->nodes[i].name, name))
            return &s->nodes[i];
    if (s->n_nodes == MAX_NODES)
        return NULL;
    counts *c = &s->nodes[s->n_nodes++];
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    return c;
}

/* a driver or follower block: id, name, prev_signal, signal, awake, finish, status */
static counts *block(state *s, const struct spa_pod *pod)
{
    int32_t id = 0, status = 0;
    const char *name = NULL;
    int64_t prev = 0, sig = 0, awake = 0, fin = 0;
    if (spa_pod_parse_struct(pod, SPA_POD_Int(&id), SPA_POD_String(&name), SPA_POD_Long(&prev), SPA_POD_Long(&sig),
                             SPA_POD_Long(&awake), SPA_POD_Long(&fin), SPA_POD_Int(&status)) < 0 ||
        !name)
        return NULL;
    counts *c = node(s, name);
    if (c) {
        c->cycles++;
        if (status != FINISHED)
            c->errors++;
    }
    return c;
}

static void on_profile(void *data, const struct spa_pod *pod)
{
    state *s = data;
    struct spa_pod *o;
    SPA_POD_STRUCT_FOREACH(pod, o) // NOLINT(performance-no-int-to-ptr): spa's own iteration macro
    {
        if (!spa_pod_is_object_type(o, SPA_TYPE_OBJECT_Profiler))
            continue;
        s->records++;
        int have_info = 0, have_clock = 0;
        int32_t xrun = 0;
        int64_t duration = 0;
        struct spa_fraction rate = {0, 0};
        struct spa_pod_prop *p;
        SPA_POD_OBJECT_FOREACH((struct spa_pod_object *)o, p)
        {
            if (p->key == SPA_PROFILER_info) {
                int64_t count = 0;
                float l0 = 0, l1 = 0, l2 = 0;
                have_info = spa_pod_parse_struct(&p->value, SPA_POD_Long(&count), SPA_POD_Float(&l0),
                                                 SPA_POD_Float(&l1), SPA_POD_Float(&l2), SPA_POD_Int(&xrun)) >= 0;
            } else if (p->key == SPA_PROFILER_clock) {
                int32_t flags = 0, id = 0;
                const char *name = NULL;
                int64_t nsec = 0, position = 0;
                have_clock = spa_pod_parse_struct(&p->value, SPA_POD_Int(&flags), SPA_POD_Int(&id),
                                                  SPA_POD_String(&name), SPA_POD_Long(&nsec), SPA_POD_Fraction(&rate),
                                                  SPA_POD_Long(&position), SPA_POD_Long(&duration)) >= 0;
            } else if (p->key == SPA_PROFILER_driverBlock) {
                counts *c = block(s, &p->value);
                if (c) {
                    c->driver = 1;
                    if (have_clock) {
                        c->quantum = duration;
                        c->rate = rate.denom;
                    }
                    if (have_info) {
                        if (!c->have_xrun)
                            c->first_xrun = xrun;
                        c->have_xrun = 1;
                        c->last_xrun = xrun;
                    }
                }
            } else if (p->key == SPA_PROFILER_followerBlock) {
                block(s, &p->value);
            }
        }
    }
}

static const struct pw_profiler_events profiler_events = {
    PW_VERSION_PROFILER_EVENTS,
    .profile = on_profile,
};

static void on_global(void *data, uint32_t id, uint32_t perms, const char *type, uint32_t version,
                      const struct spa_dict *props)
{
    state *s = data;
    (void)perms, (void)version, (void)props;
    if (s->profiler || strcmp(type, PW_TYPE_INTERFACE_Profiler) != 0)
        return;
    s->profiler = pw_registry_bind(s->registry, id, type, PW_VERSION_PROFILER, 0);
    if (s->profiler)
        pw_proxy_add_object_listener(s->profiler, &s->profiler_listener, &profiler_events, s);
}

static const struct pw_registry_events registry_events = {
    PW_VERSION_REGISTRY_EVENTS,
    .global = on_global,
};

static void on_timeout(void *data, uint64_t expirations)
{
    (void)expirations;
    pw_main_loop_quit(((state *)data)->loop);
}

static void on_signal(void *data, int sig)
{
    (void)sig;
    pw_main_loop_quit(((state *)data)->loop);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const counts *)a)->name, ((const counts *)b)->name);
}

int main(int argc, char **argv)
{
    char *end = NULL;
    double secs = argc > 1 ? strtod(argv[1], &end) : 0.0;
    if (argc != 2 || !end || *end || !(secs > 0.0)) {
        fprintf(stderr, "usage: xruns SECONDS\n");
        return 2;
    }
    pw_init(&argc, &argv);
    static state s;
    s.loop = pw_main_loop_new(NULL);
    struct pw_context *ctx = s.loop ? pw_context_new(pw_main_loop_get_loop(s.loop), NULL, 0) : NULL;
    /* the profiler's interface is marshalled by its module, on the client's side too */
    if (ctx && !pw_context_load_module(ctx, PW_EXTENSION_MODULE_PROFILER, NULL, NULL)) {
        fprintf(stderr, "xruns: cannot load %s\n", PW_EXTENSION_MODULE_PROFILER);
        return 1;
    }
    struct pw_core *core = ctx ? pw_context_connect(ctx, NULL, 0) : NULL;
    if (!core) {
        fprintf(stderr, "xruns: no PipeWire server\n");
        return 1;
    }
    struct pw_loop *l = pw_main_loop_get_loop(s.loop);
    pw_loop_add_signal(l, SIGINT, on_signal, &s);
    pw_loop_add_signal(l, SIGTERM, on_signal, &s);
    struct spa_source *timer = pw_loop_add_timer(l, on_timeout, &s);
    struct timespec when = {(time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9)};
    pw_loop_update_timer(l, timer, &when, NULL, false);
    s.registry = pw_core_get_registry(core, PW_VERSION_REGISTRY, 0);
    pw_registry_add_listener(s.registry, &s.registry_listener, &registry_events, &s);
    printf("xruns: listening\n");
    fflush(stdout);
    pw_main_loop_run(s.loop);
    if (!s.profiler) {
        fprintf(stderr, "xruns: the server has no profiler (libpipewire-module-profiler)\n");
        return 1;
    }
    qsort(s.nodes, (size_t)s.n_nodes, sizeof s.nodes[0], by_name);
    printf("records %lld\n", s.records);
    for (int i = 0; i < s.n_nodes; i++) {
        const counts *c = &s.nodes[i];
        if (c->driver)
            printf("driver %s cycles=%lld errors=%lld xruns=%d quantum=%lld rate=%lld\n", c->name, c->cycles, c->errors,
                   c->last_xrun - c->first_xrun, (long long)c->quantum, (long long)c->rate);
        else
            printf("node %s cycles=%lld errors=%lld\n", c->name, c->cycles, c->errors);
    }
    pw_proxy_destroy(s.profiler);
    pw_core_disconnect(core);
    pw_context_destroy(ctx);
    pw_main_loop_destroy(s.loop);
    pw_deinit();
    return 0;
}
