/* lv2host.c — a minimal LV2 host for hpamp.lv2's tests: what lv2apply
 * cannot do (block sizes, features, the EQ file, state, output ports).
 *
 * usage: lv2host BUNDLE_SO URI RATE BLOCK [options] < in.f32 > out.f32
 *   audio: raw interleaved float32 on stdin and stdout, as many channels as
 *   the plugin has (1 or 2)
 *   -c SYMBOL=VALUE   a control port (by index: ports.h)
 *   -f                give the features (urid:map, options with
 *                     bufsz:maxBlockLength = BLOCK, worker, log)
 *   -e PATH           patch:Set the EQ file (needs -f): the first -e with
 *                     block 1, the next with block 1 + EQ_GAP, ...; the
 *                     worker runs synchronously after that block
 *   -s FILE           after the run, save the state's EQ path to FILE
 *   -r FILE           before the run, restore the state from FILE's path
 *   -t FILE           before the run, restore a state whose EQ is FILE's text
 *                     (as a preset's state:state gives it)
 * stderr: "latency=N peak_db=X gain_reduction_db=Y clips=Z" at the end, and
 * what the plugin logged, each line prefixed "log: ". */
#include <dlfcn.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lv2/atom/atom.h>
#include <lv2/atom/forge.h>
#include <lv2/buf-size/buf-size.h>
#include <lv2/core/lv2.h>
#include <lv2/log/log.h>
#include <lv2/options/options.h>
#include <lv2/patch/patch.h>
#include <lv2/state/state.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>

#include "../../src/lv2/ports.h"

#define EQ_GAP 64 /* blocks between two -e */
#define MAX_EQ 8

static char *urids[256];
static uint32_t n_urids;

static LV2_URID map_uri(LV2_URID_Map_Handle h, const char *uri)
{
    (void)h;
    for (uint32_t i = 0; i < n_urids; i++)
        if (!strcmp(urids[i], uri))
            return i + 1;
    if (n_urids == 256)
        return 0;
    urids[n_urids] = strdup(uri);
    return ++n_urids;
}

static int log_vprintf(LV2_Log_Handle h, LV2_URID type, const char *fmt, va_list ap)
{
    (void)h;
    (void)type;
    fputs("log: ", stderr);
    return vfprintf(stderr, fmt, ap);
}

static int log_printf(LV2_Log_Handle h, LV2_URID type, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const int n = log_vprintf(h, type, fmt, ap);
    va_end(ap);
    return n;
}

/* the worker: one job at a time, run synchronously after the block */
static unsigned char job[4096];
static uint32_t job_size;
static unsigned char reply[4096];
static uint32_t reply_size;

static LV2_Worker_Status keep(unsigned char *buf, uint32_t *kept, uint32_t size, const void *data)
{
    if (size > 4096)
        return LV2_WORKER_ERR_NO_SPACE;
    memcpy(buf, data, size);
    *kept = size;
    return LV2_WORKER_SUCCESS;
}

static LV2_Worker_Status schedule_work(LV2_Worker_Schedule_Handle h, uint32_t size, const void *data)
{
    (void)h;
    return keep(job, &job_size, size, data);
}

static LV2_Worker_Status respond(LV2_Worker_Respond_Handle h, uint32_t size, const void *data)
{
    (void)h;
    return keep(reply, &reply_size, size, data);
}

/* state: one key, kept in memory */
static char state_value[4096];
static uint32_t state_key, state_type;
static size_t state_size;

static LV2_State_Status store(LV2_State_Handle h, uint32_t key, const void *value, size_t size, uint32_t type,
                              uint32_t flags)
{
    (void)h;
    (void)flags;
    if (size > sizeof state_value)
        return LV2_STATE_ERR_NO_SPACE;
    state_key = key;
    state_type = type;
    state_size = size;
    memcpy(state_value, value, size);
    return LV2_STATE_SUCCESS;
}

static const void *retrieve(LV2_State_Handle h, uint32_t key, size_t *size, uint32_t *type, uint32_t *flags)
{
    (void)h;
    if (key != state_key || !state_size)
        return NULL;
    *size = state_size;
    *type = state_type;
    *flags = LV2_STATE_IS_POD;
    return state_value;
}

static int die(const char *msg)
{
    fprintf(stderr, "lv2host: %s\n", msg);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 5)
        return die("usage: lv2host SO URI RATE BLOCK [-c SYM=VAL] [-f] [-e PATH] [-s FILE] [-r FILE]");
    const char *so = argv[1], *uri = argv[2];
    const double rate = strtod(argv[3], NULL);
    const uint32_t block = (uint32_t)strtoul(argv[4], NULL, 10);
    if (block == 0)
        return die("BLOCK must be at least 1");
    int with_features = 0;
    const char *eq[MAX_EQ];
    int n_eq = 0;
    const char *save_to = NULL, *restore_from = NULL, *restore_text = NULL;
    const char *ctl_sym[32];
    float ctl_val[32];
    int n_ctl = 0;
    for (int i = 5; i < argc; i++) {
        if (!strcmp(argv[i], "-f")) {
            with_features = 1;
        } else if (i + 1 < argc && !strcmp(argv[i], "-c") && n_ctl < 32) {
            char *eqs = strchr(argv[++i], '=');
            if (!eqs)
                return die("-c SYMBOL=VALUE");
            *eqs = '\0';
            ctl_sym[n_ctl] = argv[i];
            ctl_val[n_ctl++] = strtof(eqs + 1, NULL);
        } else if (i + 1 < argc && !strcmp(argv[i], "-e") && n_eq < MAX_EQ) {
            eq[n_eq++] = argv[++i];
        } else if (i + 1 < argc && !strcmp(argv[i], "-s")) {
            save_to = argv[++i];
        } else if (i + 1 < argc && !strcmp(argv[i], "-r")) {
            restore_from = argv[++i];
        } else if (i + 1 < argc && !strcmp(argv[i], "-t")) {
            restore_text = argv[++i];
        } else {
            return die("unknown option");
        }
    }
    void *lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        return die(dlerror());
    LV2_Descriptor_Function get = (LV2_Descriptor_Function)dlsym(lib, "lv2_descriptor");
    const LV2_Descriptor *d = NULL;
    for (uint32_t i = 0; get && (d = get(i)); i++)
        if (!strcmp(d->URI, uri))
            break;
    if (!d)
        return die("no such plugin");

    LV2_URID_Map map = {NULL, map_uri};
    const int32_t max_block = (int32_t)block;
    LV2_Options_Option opts[] = {{LV2_OPTIONS_INSTANCE, 0, map_uri(NULL, LV2_BUF_SIZE__maxBlockLength),
                                  sizeof max_block, map_uri(NULL, LV2_ATOM__Int), &max_block},
                                 {LV2_OPTIONS_INSTANCE, 0, 0, 0, 0, NULL}};
    LV2_Worker_Schedule sched = {NULL, schedule_work};
    LV2_Log_Log log = {NULL, log_printf, log_vprintf};
    LV2_Feature f_map = {LV2_URID__map, &map}, f_opts = {LV2_OPTIONS__options, opts},
                f_work = {LV2_WORKER__schedule, &sched}, f_log = {LV2_LOG__log, &log};
    const LV2_Feature *feats[] = {&f_map, &f_opts, &f_work, &f_log, NULL};
    const LV2_Feature *none[] = {NULL};
    LV2_Handle h = d->instantiate(d, rate, ".", with_features ? feats : none);
    if (!h)
        return die("instantiate failed");

    const uint32_t ch = strcmp(uri, HPA_LV2_MONO_URI) == 0 ? 1 : 2;
    float *in[2], *out[2], ctl[HPA_PARAM_COUNT], outs[4];
    for (uint32_t c = 0; c < ch; c++) {
        in[c] = calloc(block, sizeof(float));
        out[c] = calloc(block, sizeof(float));
        d->connect_port(h, c, in[c]);
        d->connect_port(h, ch + c, out[c]);
    }
    for (int i = 0; i < HPA_PARAM_COUNT; i++) {
        const hpa_param_info *p = hpa_param_info_get(i);
        ctl[i] = (float)p->default_value;
        for (int k = 0; k < n_ctl; k++)
            if (!strcmp(ctl_sym[k], p->symbol))
                ctl[i] = ctl_val[k];
        d->connect_port(h, hpa_lv2_param_port(ch, i), &ctl[i]);
    }
    for (int i = 0; i < 4; i++)
        d->connect_port(h, hpa_lv2_extra_port(ch, i), &outs[i]);
    /* the atom ports: a sequence in, room for a few events out */
    union {
        LV2_Atom_Sequence seq;
        unsigned char bytes[8192];
    } control, notify;
    LV2_Atom_Forge forge;
    lv2_atom_forge_init(&forge, &map);
    if (with_features) {
        d->connect_port(h, hpa_lv2_extra_port(ch, HPA_LV2_ATOM_CONTROL), &control);
        d->connect_port(h, hpa_lv2_extra_port(ch, HPA_LV2_ATOM_NOTIFY), &notify);
    }
    const LV2_Worker_Interface *wi = d->extension_data ? d->extension_data(LV2_WORKER__interface) : NULL;
    const LV2_State_Interface *si = d->extension_data ? d->extension_data(LV2_STATE__interface) : NULL;
    if (restore_from) {
        FILE *f = fopen(restore_from, "r");
        if (!f || !fgets(state_value, sizeof state_value, f))
            return die("cannot read the state file");
        fclose(f);
        state_value[strcspn(state_value, "\n")] = '\0';
        state_key = map_uri(NULL, HPA_LV2_EQ_FILE_URI);
        state_type = map_uri(NULL, LV2_ATOM__Path);
        state_size = strlen(state_value) + 1;
        if (!si || si->restore(h, retrieve, NULL, 0, none) != LV2_STATE_SUCCESS)
            fprintf(stderr, "lv2host: restore failed\n");
    }
    if (restore_text) {
        FILE *f = fopen(restore_text, "rb");
        state_size = f ? fread(state_value, 1, sizeof state_value - 1, f) : 0;
        if (f)
            fclose(f);
        state_value[state_size++] = '\0';
        state_key = map_uri(NULL, HPA_LV2_EQ_TEXT_URI);
        state_type = map_uri(NULL, LV2_ATOM__String);
        if (!si || si->restore(h, retrieve, NULL, 0, none) != LV2_STATE_SUCCESS)
            fprintf(stderr, "lv2host: restore failed\n");
    }
    if (d->activate)
        d->activate(h);

    float *frame = malloc((size_t)block * ch * sizeof(float));
    size_t n, blocks = 0;
    while ((n = fread(frame, ch * sizeof(float), block, stdin)) > 0) {
        for (size_t i = 0; i < n; i++)
            for (uint32_t c = 0; c < ch; c++)
                in[c][i] = frame[i * ch + c];
        if (with_features) {
            lv2_atom_forge_set_buffer(&forge, control.bytes, sizeof control.bytes);
            LV2_Atom_Forge_Frame seq, obj;
            lv2_atom_forge_sequence_head(&forge, &seq, 0);
            const size_t k = (blocks - 1) / EQ_GAP;
            if (blocks >= 1 && (blocks - 1) % EQ_GAP == 0 && k < (size_t)n_eq) {
                lv2_atom_forge_frame_time(&forge, 0);
                lv2_atom_forge_object(&forge, &obj, 0, map_uri(NULL, LV2_PATCH__Set));
                lv2_atom_forge_key(&forge, map_uri(NULL, LV2_PATCH__property));
                lv2_atom_forge_urid(&forge, map_uri(NULL, HPA_LV2_EQ_FILE_URI));
                lv2_atom_forge_key(&forge, map_uri(NULL, LV2_PATCH__value));
                lv2_atom_forge_path(&forge, eq[k], (uint32_t)strlen(eq[k]));
                lv2_atom_forge_pop(&forge, &obj);
            }
            lv2_atom_forge_pop(&forge, &seq);
            notify.seq.atom.size = sizeof notify.bytes - sizeof(LV2_Atom);
            notify.seq.atom.type = 0;
        }
        d->run(h, (uint32_t)n);
        if (job_size && wi) { /* the worker, then its reply, before the next block */
            wi->work(h, respond, NULL, job_size, job);
            job_size = 0;
            if (reply_size)
                wi->work_response(h, reply_size, reply);
            reply_size = 0;
        }
        for (size_t i = 0; i < n; i++)
            for (uint32_t c = 0; c < ch; c++)
                frame[i * ch + c] = out[c][i];
        fwrite(frame, ch * sizeof(float), n, stdout);
        blocks++;
    }
    fprintf(stderr, "latency=%g peak_db=%g gain_reduction_db=%g clips=%g\n", outs[0], outs[1], outs[2], outs[3]);
    if (save_to) {
        state_size = 0;
        if (!si || si->save(h, store, NULL, 0, none) != LV2_STATE_SUCCESS)
            return die("save failed");
        FILE *f = fopen(save_to, "w");
        if (!f)
            return die("cannot write the state file");
        fprintf(f, "%s\n", state_size ? state_value : "");
        fclose(f);
    }
    if (d->deactivate)
        d->deactivate(h);
    d->cleanup(h);
    for (uint32_t c = 0; c < ch; c++) {
        free(in[c]);
        free(out[c]);
    }
    free(frame);
    return 0;
}
