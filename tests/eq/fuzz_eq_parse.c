/* fuzz_eq_parse.c — a fuzz target for hpa_eq_parse (and what a parsed file
 * feeds: band checks, design, the processor, the peak finder).
 *
 * LLVMFuzzerTestOneInput parses the input at three rates and aborts when an
 * invariant breaks: the return code agrees with the diagnostics; messages
 * are NUL-terminated printable ASCII naming a line that exists; every stored
 * band passes hpa_eq_band_check; GraphicEQ frequencies increase; a file that
 * parses cleanly builds a processor whose output stays finite.
 *
 * With clang and libFuzzer:
 *   clang -g -O1 -fsanitize=fuzzer,address -DHPA_LIBFUZZER -Iinclude \
 *       tests/eq/fuzz_eq_parse.c src/lib/eq.c src/lib/eq_parse.c -lm
 * Without (the meson test, also under -Db_sanitize=address with gcc): a main
 * that runs the target over a seeded corpus of valid and broken files plus
 * random mutations of them (bit flips, byte edits, insertions and deletions,
 * dictionary tokens, splices), each input in a buffer of exactly its size so
 * that AddressSanitizer sees any read past the end.  Arguments: -runs=N
 * (default 40000), -seed=S (or HPA_TEST_SEED), and files to add to the corpus.
 * A broken invariant prints the seed, the iteration and the input.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpamp/eq.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *g_data;
static size_t g_size;
static unsigned long g_stats[4]; /* parses clean, with errors, too small, processors built */

static void fuzz_fail(const char *what)
{
    fprintf(stderr, "fuzz_eq_parse: invariant broken: %s\ninput (%zu bytes): \"", what, g_size);
    for (size_t i = 0; i < g_size; i++) {
        unsigned char c = g_data[i];
        if (c == '\n')
            fputs("\\n", stderr);
        else if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            fputc(c, stderr);
        else
            fprintf(stderr, "\\x%02x", c);
    }
    fputs("\"\n", stderr);
    abort();
}

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond))                                                                                                   \
            fuzz_fail(#cond);                                                                                          \
    } while (0)

static size_t count_lines(const uint8_t *d, size_t n)
{
    size_t lines = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && d[j] != '\n' && d[j] != '\r')
            j++;
        lines++;
        if (j < n && d[j] == '\r' && j + 1 < n && d[j + 1] == '\n')
            j++;
        i = j + 1;
    }
    return lines;
}

static void check_one(const uint8_t *data, size_t size, double rate, size_t bcap, size_t pcap, size_t dcap)
{
    hpa_eq_band bands[16];
    size_t lines[16];
    hpa_eq_point points[64];
    hpa_eq_diag items[8];
    hpa_eq_doc doc = {.bands = bcap ? bands : NULL,
                      .band_lines = bcap ? lines : NULL,
                      .bands_capacity = bcap,
                      .points = pcap ? points : NULL,
                      .points_capacity = pcap};
    hpa_eq_diags diags = {.items = dcap ? items : NULL, .capacity = dcap};
    const int rc = hpa_eq_parse((const char *)data, size, rate, &doc, &diags);
    const size_t nlines = count_lines(data, size);

    CHECK(rc == HPA_OK || rc == HPA_ERR_INVALID_ARG || rc == HPA_ERR_BUFFER_TOO_SMALL);
    g_stats[rc == HPA_OK ? 0 : rc == HPA_ERR_INVALID_ARG ? 1 : 2]++;
    CHECK(diags.count == diags.errors + diags.warnings);
    CHECK((rc == HPA_ERR_INVALID_ARG) == (diags.errors > 0));
    CHECK(rc != HPA_ERR_BUFFER_TOO_SMALL || doc.n_bands > bcap || doc.n_points > pcap);
    CHECK(rc != HPA_OK || (doc.n_bands <= bcap && doc.n_points <= pcap));
    for (size_t i = 0; i < diags.count && i < dcap; i++) {
        const hpa_eq_diag *d = &items[i];
        size_t len = strnlen(d->message, sizeof d->message);
        CHECK(len > 0 && len < sizeof d->message);
        for (size_t k = 0; k < len; k++)
            CHECK(d->message[k] >= 0x20 && d->message[k] < 0x7f);
        CHECK(d->line <= nlines);
        CHECK(d->severity == HPA_EQ_ERROR || d->severity == HPA_EQ_WARNING);
    }
    CHECK(isfinite(doc.preamp_db));
    for (size_t i = 0; i < doc.n_bands && i < bcap; i++) {
        CHECK(hpa_eq_band_check(&bands[i], rate, NULL) == HPA_OK);
        CHECK(lines[i] >= 1 && lines[i] <= nlines);
        CHECK(i == 0 || lines[i] > lines[i - 1]);
    }
    for (size_t i = 0; i < doc.n_points && i < pcap; i++) {
        CHECK(points[i].freq_hz > 0 && isfinite(points[i].freq_hz) && isfinite(points[i].gain_db));
        CHECK(i == 0 || points[i].freq_hz > points[i - 1].freq_hz);
    }
    if (doc.n_points > 0 && doc.n_points <= pcap)
        CHECK(isfinite(hpa_eq_graphic_gain_db(points, doc.n_points, 1000.0)));

    /* A clean file at a real rate must make a working processor. */
    if (rc == HPA_OK && rate > 0 && doc.n_bands > 0) {
        hpa_eq_config cfg;
        hpa_eq_config_init(&cfg);
        cfg.rate_hz = rate;
        hpa_eq *eq = NULL;
        CHECK(hpa_eq_create(&cfg, bands, doc.n_bands, NULL, &eq) == HPA_OK);
        g_stats[3]++;
        double buf[2 * 256];
        for (size_t i = 0; i < 256; i++)
            buf[2 * i] = buf[2 * i + 1] = (double)(i % 37) / 18.0 - 1.0;
        CHECK(hpa_eq_process(eq, buf, 256) == HPA_OK);
        for (size_t i = 0; i < sizeof buf / sizeof buf[0]; i++)
            CHECK(isfinite(buf[i]));
        hpa_eq_destroy(eq);
        double peak;
        CHECK(hpa_eq_peak_db(bands, doc.n_bands, rate, 20, 0.5 * rate, &peak, NULL) == HPA_OK);
        CHECK(isfinite(peak));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_data = data;
    g_size = size;
    check_one(data, size, 44100, 16, 64, 8);
    check_one(data, size, 0, 16, 64, 8);
    check_one(data, size, 8000, 2, 1, 1);
    return 0;
}

#ifndef HPA_LIBFUZZER

static const char *const seeds[] = {
    "Preamp: -6.1 dB\n"
    "Filter 1: ON LSC Fc 105 Hz Gain 6.4 dB Q 0.70\n"
    "Filter 2: ON PK Fc 8865 Hz Gain 4.9 dB Q 1.30\n"
    "Filter 3: ON PK Fc 121 Hz Gain -3.1 dB Q 0.50\n"
    "Filter 6: ON HSC Fc 10000 Hz Gain -2.1 dB Q 0.70\n",
    "Preamp: -6,1 dB\r\nFilter: ON PK Fc 1000,5 Hz Gain -3,5 dB BW Oct 0,5\r\n",
    "Filter: ON LS 6dB Fc 100 Hz Gain 5 dB\nFilter: ON HS 12 dB Fc 8000 Hz Gain -4 dB\n"
    "Filter: ON LP Fc 15000 Hz\nFilter: ON HPQ Fc 20 Hz Q 0.5\nFilter: ON NO Fc 60 Hz\n"
    "Filter: ON AP Fc 700 Hz Q 0.7\nFilter: ON BP Fc 1000 Hz BW Oct 2\nFilter: OFF PK Fc 1 Hz\n",
    "GraphicEQ: 20 -1.5; 21 -1.6; 22 -1.7; 1000 0; 10000 3,5; 20000 -3;\n",
    "# comment\nChannel: L R\nDevice: Speakers\nInclude: other.txt\nFilter 1: ON None\n",
    "\xEF\xBB\xBFPreamp: 0 dB\nFilter 1: ON PEQ Fc 1.000 Hz Gain 1e1 dB Q .5\n",
    "Filter 1: ON PK Fc 30000 Hz Gain 45 dB Q 0\nFilter 2: ON XYZ\nPreamp: loud\nGraphicEQ: 20 1; 10 2\n",
    "Filter: ON LSC 40 dB Fc 100 Hz Gain 20 dB\nFilter: ON LS 3dB Fc 15000 Hz Gain 30 dB\n",
    "",
};

static const char *const dict[] = {
    "Filter",
    "Filter 1:",
    "Preamp:",
    "GraphicEQ:",
    ": ",
    "ON ",
    "OFF ",
    "PK ",
    "LSC ",
    "HSC ",
    "LS ",
    "HS ",
    "LP ",
    "HP ",
    "BP ",
    "NO ",
    "AP ",
    "PEQ ",
    "Modal ",
    "LPQ ",
    "HPQ ",
    "None",
    "Fc ",
    " Hz ",
    "Gain ",
    " dB ",
    "Q ",
    "BW Oct ",
    "6dB ",
    "; ",
    ";",
    ",",
    ".",
    "-",
    "+",
    "e",
    "E",
    "1e308",
    "1e-308",
    "1e-320",
    "4e-324",
    "0",
    "-0",
    "1.000",
    "99999999999999999999999",
    "0.0000001",
    "30",
    "-30",
    "22050",
    "24000",
    "\n",
    "\r\n",
    "\r",
    "#",
    " ",
    "\t",
    "\xC2\xA0",
    "\xFF\xFE",
    "\xEF\xBB\xBF",
    "nan",
    "inf",
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

#define MAX_INPUT 4096

typedef struct input {
    uint8_t *d;
    size_t n;
} input;

static void insert(input *in, size_t at, const uint8_t *src, size_t len)
{
    if (in->n + len > MAX_INPUT)
        len = MAX_INPUT - in->n;
    memmove(in->d + at + len, in->d + at, in->n - at);
    memcpy(in->d + at, src, len);
    in->n += len;
}

static void mutate(input *in, const input *corpus, size_t ncorpus)
{
    int edits = 1 + (int)(rnd() % 8);
    for (int e = 0; e < edits; e++) {
        size_t at = in->n ? rnd() % (in->n + 1) : 0;
        switch (rnd() % 9) {
        case 0: /* flip a bit */
            if (in->n)
                in->d[rnd() % in->n] ^= (uint8_t)(1u << (rnd() % 8));
            break;
        case 1: /* set a byte */
            if (in->n)
                in->d[rnd() % in->n] = (uint8_t)rnd();
            break;
        case 2: { /* insert random bytes */
            uint8_t b[8];
            size_t k = 1 + rnd() % 8;
            for (size_t i = 0; i < k; i++)
                b[i] = (uint8_t)rnd();
            insert(in, at, b, k);
            break;
        }
        case 3: { /* delete a range */
            if (!in->n)
                break;
            size_t from = rnd() % in->n, k = 1 + rnd() % 16;
            if (from + k > in->n)
                k = in->n - from;
            memmove(in->d + from, in->d + from + k, in->n - from - k);
            in->n -= k;
            break;
        }
        case 4: { /* duplicate a range */
            if (!in->n)
                break;
            uint8_t tmp[64];
            size_t from = rnd() % in->n, k = 1 + rnd() % 64;
            if (from + k > in->n)
                k = in->n - from;
            memcpy(tmp, in->d + from, k);
            insert(in, at, tmp, k);
            break;
        }
        case 5:
        case 6: { /* a dictionary token */
            const char *t = dict[rnd() % (sizeof dict / sizeof dict[0])];
            insert(in, at, (const uint8_t *)t, strlen(t));
            break;
        }
        case 7: { /* splice in part of another corpus entry */
            const input *o = &corpus[rnd() % ncorpus];
            if (!o->n)
                break;
            size_t from = rnd() % o->n, k = 1 + rnd() % 128;
            if (from + k > o->n)
                k = o->n - from;
            insert(in, at, o->d + from, k);
            break;
        }
        default: /* truncate */ in->n = at; break;
        }
    }
}

static int add_file(input *corpus, size_t *n, size_t cap, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f || *n >= cap)
        return f ? (fclose(f), 0) : -1;
    uint8_t *d = malloc(MAX_INPUT);
    size_t got = d ? fread(d, 1, MAX_INPUT, f) : 0;
    fclose(f);
    corpus[*n].d = d;
    corpus[*n].n = got;
    (*n)++;
    return 0;
}

int main(int argc, char **argv)
{
    long runs = 40000;
    const char *env = getenv("HPA_TEST_SEED");
    uint64_t seed = (env && *env) ? strtoull(env, NULL, 0) : 0x5eed0e9ull;
    enum { CORPUS_MAX = 64 };
    input corpus[CORPUS_MAX];
    size_t ncorpus = 0;
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        corpus[ncorpus].n = strlen(seeds[i]);
        corpus[ncorpus].d = malloc(MAX_INPUT);
        memcpy(corpus[ncorpus].d, seeds[i], corpus[ncorpus].n);
        ncorpus++;
    }
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "-runs=", 6) == 0)
            runs = strtol(argv[i] + 6, NULL, 10);
        else if (strncmp(argv[i], "-seed=", 6) == 0)
            seed = strtoull(argv[i] + 6, NULL, 0);
        else if (add_file(corpus, &ncorpus, CORPUS_MAX, argv[i]) != 0)
            fprintf(stderr, "fuzz_eq_parse: cannot read %s\n", argv[i]);
    }
    printf("fuzz_eq_parse: %ld runs, seed %llu (replay: HPA_TEST_SEED=%llu)\n", runs, (unsigned long long)seed,
           (unsigned long long)seed);
    fflush(stdout);
    rng_state = seed;

    /* every corpus entry unmutated first */
    for (size_t i = 0; i < ncorpus; i++) {
        uint8_t *exact = malloc(corpus[i].n ? corpus[i].n : 1);
        memcpy(exact, corpus[i].d, corpus[i].n);
        LLVMFuzzerTestOneInput(exact, corpus[i].n);
        free(exact);
    }
    input work = {malloc(MAX_INPUT), 0};
    for (long r = 0; r < runs; r++) {
        const input *base = &corpus[rnd() % ncorpus];
        memcpy(work.d, base->d, base->n);
        work.n = base->n;
        mutate(&work, corpus, ncorpus);
        uint8_t *exact = malloc(work.n ? work.n : 1); /* exactly the input: ASan sees over-reads */
        memcpy(exact, work.d, work.n);
        LLVMFuzzerTestOneInput(exact, work.n);
        free(exact);
        /* keep some mutants as new bases, so edits accumulate */
        if (ncorpus < CORPUS_MAX && rnd() % 64 == 0) {
            corpus[ncorpus].d = malloc(MAX_INPUT);
            memcpy(corpus[ncorpus].d, work.d, work.n);
            corpus[ncorpus].n = work.n;
            ncorpus++;
        } else if (rnd() % 256 == 0) {
            size_t victim = sizeof seeds / sizeof seeds[0] + rnd() % (CORPUS_MAX - sizeof seeds / sizeof seeds[0]);
            if (victim < ncorpus) {
                memcpy(corpus[victim].d, work.d, work.n);
                corpus[victim].n = work.n;
            }
        }
    }
    free(work.d);
    for (size_t i = 0; i < ncorpus; i++)
        free(corpus[i].d);
    printf("fuzz_eq_parse: done, no invariant broken; parses: %lu clean, %lu with errors, %lu too small; "
           "%lu processors built and run\n",
           g_stats[0], g_stats[1], g_stats[2], g_stats[3]);
    return 0;
}

#endif
