/* test_eq_alloc.c — the EQ allocates only at creation.
 *
 * 1. A counting hpa_allocator: hpa_eq_create makes exactly one allocation of
 *    hpa_eq_size() bytes and hpa_eq_destroy frees exactly that; process,
 *    reset, set_bands and the getters make none; a failing allocator gives
 *    HPA_ERR_NO_MEMORY; hpa_eq_init in caller memory allocates nothing.
 *    hpa_eq_fit_graphic takes its working memory from the allocator it is
 *    given and frees every block, also when any one allocation fails and
 *    when the caller's band array is too small.
 * 2. the suite's allocation spy (tests/common/allocspy.h; glibc, not under a
 *    sanitizer whose runtime owns malloc), compiled into this executable,
 *    counts malloc & co. inside a watched section around
 *    the calls under test -- hpa_eq_process (NaN reset included), reset,
 *    set_bands, the getters, hpa_eq_parse, the responses, the peak finder
 *    and hpa_eq_fit_graphic with an allocator.  This also catches allocations the hpa_allocator cannot see.
 */
#include "eqtest.h"

#include "allocspy.h"

/* ---- 1. the counting hpa_allocator ---- */

/* The counting allocator's own blocks bypass the spy below, so that a call
 * watched by both counts only what the library asks of malloc. */
#define RAW_MALLOC hpt_spy_raw_malloc
#define RAW_FREE hpt_spy_raw_free

typedef struct counter {
    unsigned long allocs, frees;
    size_t last_size;
    void *last_ptr, *freed_ptr;
    int fail;
    unsigned long fail_at; /* fail the allocation with this number (1-based); 0: never */
    unsigned long live;    /* blocks handed out and not yet freed */
} counter;

static void *count_alloc(void *user, size_t size)
{
    counter *c = user;
    c->allocs++;
    c->last_size = size;
    if (c->fail || c->allocs == c->fail_at)
        return NULL;
    c->last_ptr = RAW_MALLOC(size);
    if (c->last_ptr)
        c->live++;
    return c->last_ptr;
}

static void count_free(void *user, void *ptr)
{
    counter *c = user;
    c->frees++;
    c->freed_ptr = ptr;
    if (ptr)
        c->live--;
    RAW_FREE(ptr);
}

/* ---- 2. malloc interposition ---- */

/* the suite's allocation spy (tests/common/allocspy.h) */
#if HPT_SPY
#define INTERPOSE 1
static unsigned long watch_end(void)
{
    hpt_spy_end();
    return hpt_spy_thread_calls();
}
#define WATCH_BEGIN() (hpt_spy_thread_reset(), hpt_spy_begin("eq"))
#define WATCH_END() watch_end()
#else
#define WATCH_BEGIN() ((void)0)
#define WATCH_END() 0ul
#endif

static const hpa_eq_band bands10[10] = {
    {.type = HPA_EQ_LSC, .freq_hz = 105, .gain_db = 6.4, .q = 0.7},
    {.type = HPA_EQ_PK, .freq_hz = 8865, .gain_db = 4.9, .q = 1.3},
    {.type = HPA_EQ_PK, .freq_hz = 121, .gain_db = -3.1, .q = 0.5},
    {.type = HPA_EQ_PK, .freq_hz = 37, .gain_db = 0.7, .q = 3.76},
    {.type = HPA_EQ_PK, .freq_hz = 3159, .gain_db = -1.5, .q = 3.89},
    {.type = HPA_EQ_HSC, .freq_hz = 10000, .gain_db = -2.1, .q = 0.7},
    {.type = HPA_EQ_LS, .freq_hz = 50, .gain_db = 2, .slope_db = 6},
    {.type = HPA_EQ_NO, .freq_hz = 60},
    {.type = HPA_EQ_AP, .freq_hz = 1200, .bw_oct = 2},
    {.type = HPA_EQ_HP, .freq_hz = 15, .q = 0.5},
};

static const char text[] = "Preamp: -6.1 dB\n"
                           "Filter 1: ON LSC Fc 105 Hz Gain 6.4 dB Q 0.70\n"
                           "Filter 2: ON PK Fc 8865 Hz Gain 4,9 dB Q 1.30\n"
                           "Device: all\n"
                           "Filter 3: ON PK Fc 99999 Hz Gain 45 dB Q 0\n"
                           "GraphicEQ: 20 -1; 30 -2; 40 -3\n";

int main(void)
{
    et_begin("EQ: allocation only at creation");
    counter cnt = {0};
    hpa_allocator alloc = {count_alloc, count_free, &cnt};
    uint64_t s = 3;
    unsigned long calls = 0, c;

    for (unsigned ch = 1; ch <= 3; ch++) {
        hpa_eq_config cfg;
        hpa_eq_config_init(&cfg);
        cfg.rate_hz = 44100;
        cfg.channels = ch;
        cfg.max_bands = 12;
        cfg.allocator = &alloc;
        cnt = (counter){0};
        hpa_eq *eq = NULL;
        if (!et_ok("hpa_eq_create with a counting allocator", hpa_eq_create(&cfg, bands10, 10, NULL, &eq)))
            continue;
        char name[96];
        snprintf(name, sizeof name, "%u ch: create made exactly one allocation", ch);
        et_true(name, cnt.allocs == 1 && cnt.frees == 0);
        et_true("   ... of hpa_eq_size() bytes", cnt.last_size == hpa_eq_size(&cfg, 10));

        double *buf = malloc(sizeof(double) * 4096 * ch);
        for (size_t i = 0; i < (size_t)4096 * ch; i++)
            buf[i] = 2.0 * et_uniform(&s) - 1.0;
        unsigned long before = cnt.allocs + cnt.frees;
        hpa_eq_coefs coefs;
        static const size_t sizes[] = {0, 1, 513, 4096, 7, 1024, 1025};
        WATCH_BEGIN();
        for (int rep = 0; rep < 50; rep++)
            for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
                hpa_eq_process(eq, buf, sizes[k]);
        buf[5] = NAN;
        hpa_eq_process(eq, buf, 4096); /* NaN: state reset */
        hpa_eq_reset(eq);
        hpa_eq_set_bands(eq, bands10, 7, NULL);
        hpa_eq_set_bands(eq, bands10, 10, NULL);
        hpa_eq_get_coefs(eq, 3, &coefs);
        (void)hpa_eq_band_count(eq);
        (void)hpa_eq_nan_resets(eq);
        c = WATCH_END();
        calls += c;
        snprintf(name, sizeof name, "%u ch: process/reset/set_bands/getters: allocator calls", ch);
        et_le(name, (double)(cnt.allocs + cnt.frees - before), 0, "");
        et_true("   ... and the NaN reset happened", hpa_eq_nan_resets(eq) == 1);
        void *block = cnt.last_ptr;
        hpa_eq_destroy(eq);
        et_true("   destroy freed exactly the one block", cnt.frees == 1 && cnt.freed_ptr == block);
        free(buf);
    }

    /* a failing allocator */
    hpa_eq_config cfg;
    hpa_eq_config_init(&cfg);
    cfg.allocator = &alloc;
    cnt = (counter){.fail = 1};
    hpa_eq *eq = (hpa_eq *)&cfg;
    et_true("failing allocator: HPA_ERR_NO_MEMORY, *out NULL, nothing freed",
            hpa_eq_create(&cfg, bands10, 10, NULL, &eq) == HPA_ERR_NO_MEMORY && eq == NULL && cnt.frees == 0);
    /* caller memory: no allocation at all */
    cnt = (counter){0};
    size_t size = hpa_eq_size(&cfg, 10);
    void *mem = malloc(size);
    WATCH_BEGIN();
    int rc = hpa_eq_init(mem, size, &cfg, bands10, 10, NULL, &eq);
    double x[64] = {0};
    hpa_eq_process(eq, x, 32);
    hpa_eq_destroy(eq);
    c = WATCH_END();
    calls += c;
    et_true("init in caller memory, process, destroy: no allocator call",
            rc == HPA_OK && cnt.allocs == 0 && cnt.frees == 0);
    free(mem);

    /* the parser and the [any] functions */
    hpa_eq_band b[4];
    hpa_eq_point pt[4];
    hpa_eq_diag d[4];
    hpa_eq_doc doc = {.bands = b, .bands_capacity = 4, .points = pt, .points_capacity = 4};
    hpa_eq_diags diags = {.items = d, .capacity = 4};
    double f[3] = {20, 1000, 20000}, db[3], peak, re, im;
    hpa_eq_coefs co;
    WATCH_BEGIN();
    hpa_eq_parse(text, sizeof text - 1, 44100, &doc, &diags);
    hpa_eq_response(bands10, 10, 44100, 1000, &re, &im);
    hpa_eq_response_db(bands10, 10, 44100, f, db, 3);
    hpa_eq_peak_db(bands10, 10, 44100, 0, 22050, &peak, NULL);
    hpa_eq_design(&bands10[0], 44100, &co, NULL);
    hpa_eq_bands_check(bands10, 10, 44100, NULL);
    c = WATCH_END();
    calls += c;
    et_true("   (the parse above found its error and its warning)", diags.errors == 1 && diags.warnings == 1);

    /* the GraphicEQ fit: working memory through the allocator only, all freed */
    hpa_eq_point curve[127];
    for (int i = 0; i < 127; i++)
        curve[i] = (hpa_eq_point){round(20.0 * pow(1.0563, i)), 4.0 * sin(i / 11.0)};
    hpa_eq_band fitted[256];
    hpa_eq_fit_result res;
    cnt = (counter){0};
    WATCH_BEGIN();
    rc = hpa_eq_fit_graphic(curve, 127, 48000, &alloc, fitted, 256, &res);
    c = WATCH_END();
    calls += c;
    et_true("GraphicEQ fit with a counting allocator: OK", rc == HPA_OK && res.n_bands > 2);
    et_true("   it allocated, and freed every block", cnt.allocs > 0 && cnt.live == 0 && cnt.frees == cnt.allocs);
    const unsigned long fit_allocs = cnt.allocs;
    int all_fail_clean = 1;
    for (unsigned long k = 1; k <= fit_allocs; k++) {
        cnt = (counter){.fail_at = k};
        WATCH_BEGIN();
        rc = hpa_eq_fit_graphic(curve, 127, 48000, &alloc, fitted, 256, &res);
        c = WATCH_END();
        calls += c;
        if (rc != HPA_ERR_NO_MEMORY || cnt.live != 0)
            all_fail_clean = 0;
    }
    char fname[128];
    snprintf(fname, sizeof fname, "   allocation k of %lu fails: HPA_ERR_NO_MEMORY, nothing leaked", fit_allocs);
    et_true(fname, all_fail_clean);
    cnt = (counter){0};
    WATCH_BEGIN();
    rc = hpa_eq_fit_graphic(curve, 127, 48000, &alloc, fitted, 4, &res);
    c = WATCH_END();
    calls += c;
    et_true("   cap too small: HPA_ERR_BUFFER_TOO_SMALL, every block freed",
            rc == HPA_ERR_BUFFER_TOO_SMALL && cnt.live == 0 && cnt.allocs > 0);

#ifdef INTERPOSE
    et_le("malloc & co. called inside all the calls above (interposed)", (double)calls, 0, "");
    /* prove the interposer is live */
    WATCH_BEGIN();
    void *probe = malloc(16);
    free(probe);
    c = WATCH_END();
    et_true("   interposer live: a probe malloc+free is counted", c == 2);
#else
    (void)calls;
    et_note("malloc interposition not built (sanitizer or not glibc): hpa_allocator counts only");
#endif
    return et_end();
}
