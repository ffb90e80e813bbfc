/* fuzz_preset.c — a fuzz target for the preset parser (src/cli/preset.c,
 * inih underneath).
 *
 * LLVMFuzzerTestOneInput parses the input (NUL-terminated copy) and aborts
 * when an invariant breaks: a failure gives a line within the text (or -1)
 * and a printable reason; a success gives values inside their documented
 * ranges, EQ text that hpa_eq_parse accepts, and never both an EQ file and
 * EQ lines.  Without libFuzzer (the meson test) a main runs it over seed
 * presets and random mutations of them (byte edits, insertions, deletions,
 * dictionary tokens); -runs=N, -seed=S or HPA_TEST_SEED.
 *   clang -g -O1 -fsanitize=fuzzer,address -DHPA_LIBFUZZER -Iinclude -Isrc/cli \
 *       tests/cli/fuzz_preset.c src/cli/preset.c src/cli/preset_export.c src/cli/term.c -Lbuild/src/lib -lhpamp -linih -lm */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpamp/eq.h>

#include "preset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static hpa_preset g_p;

static void broken(const char *what, const char *text)
{
    fprintf(stderr, "fuzz_preset: invariant broken: %s\ninput: \"%s\"\n", what, text);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    size_t lines = 1;
    for (size_t i = 0; i < size && text[i]; i++)
        lines += text[i] == '\n';
    char why[256] = "";
    int line = hpa_preset_parse(text, "/presets", &g_p, why, sizeof why);
    if (line) {
        if (line < -1 || (line > 0 && (size_t)line > lines))
            broken("error line outside the text", text);
        if (!why[0])
            broken("an error without a reason", text);
        for (const char *s = why; *s; s++)
            if ((unsigned char)*s < 0x20)
                broken("a reason with control characters", text);
    } else {
        const hpa_preset *p = &g_p;
        if (p->has_crossfeed && !(p->fcut_hz >= 300 && p->fcut_hz <= 2000 && p->feed_db >= 1 && p->feed_db <= 15))
            broken("crossfeed out of range", text);
        if (p->has_limit && !(p->limit_dbtp >= -30 && p->limit_dbtp <= 0))
            broken("ceiling out of range", text);
        if (p->has_normalize && !(p->normalize_lufs >= -70 && p->normalize_lufs <= 0))
            broken("target out of range", text);
        if (p->eq_file[0] && p->eq_len)
            broken("both an EQ file and EQ lines", text);
        if (p->eq_len) {
            hpa_eq_doc doc;
            memset(&doc, 0, sizeof doc);
            hpa_eq_diags d = {NULL, 0, 0, 0, 0};
            int rc = hpa_eq_parse(p->eq_text, p->eq_len, 0.0, &doc, &d);
            if ((rc != HPA_OK && rc != HPA_ERR_BUFFER_TOO_SMALL) || d.errors)
                broken("EQ lines the EQ parser refuses", text);
        }
    }
    free(text);
    return 0;
}

#ifndef HPA_LIBFUZZER
static const char *const seeds[] = {
    "[preset]\ntitle = x\n[eq]\npreamp = -6\nfilter = ON PK Fc 1000 Hz Gain 3 dB Q 1\n"
    "[crossfeed]\npreset = cmoy\n[limiter]\nceiling_dbtp = -1\n[normalize]\ntarget_lufs = -18\n[volume]\nmax_db = -3\n",
    "[eq]\nfile = a.txt ; c\n[crossfeed]\nfcut_hz = 700\nfeed_db = 4.5\n",
    "# c\n; c\n[limiter]\nceiling_dbtp=-3\n\n[x]\ny=z\n",
    "[eq]\nfilter = ON LSC Fc 105 Hz Gain 6,5 dB Q 0,7\nfilter = ON HP Fc 20 Hz\n",
};
static const char *const tokens[] = {"[",      "]",           "=",          "\n",         ";",
                                     "#",      "[eq]",        "filter = ",  "preamp = ",  "file = ",
                                     "-1e308", "nan",         "1e-9",       "ON PK Fc ",  " Hz Gain ",
                                     " dB Q ", "[crossfeed]", "fcut_hz = ", "feed_db = ", "preset = jmeier",
                                     "\r\n",   "  ",          "\t"};

static uint64_t rng = 0x5eedULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
}

int main(int argc, char **argv)
{
    long runs = 20000;
    const char *env = getenv("HPA_TEST_SEED");
    if (env && *env)
        rng = strtoull(env, NULL, 0) | 1;
    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "-runs=", 6))
            runs = strtol(argv[i] + 6, NULL, 10);
        else if (!strncmp(argv[i], "-seed=", 6))
            rng = strtoull(argv[i] + 6, NULL, 0) | 1;
    }
    printf("fuzz_preset: %ld runs, seed %llu\n", runs, (unsigned long long)rng);
    enum { MAX = 4096 };
    static uint8_t buf[MAX];
    for (long r = 0; r < runs; r++) {
        const char *s = seeds[rnd() % (sizeof seeds / sizeof seeds[0])];
        size_t n = strlen(s);
        memcpy(buf, s, n); // NOLINT(bugprone-not-null-terminated-result): bytes with a length (n), not a string
        for (int k = 1 + (int)(rnd() % 8); k > 0; k--) {
            size_t at = n ? rnd() % (n + 1) : 0;
            switch (rnd() % 4) {
            case 0:
                if (at < n)
                    buf[at] = (uint8_t)rnd();
                break;
            case 1:
                if (at < n) {
                    memmove(buf + at, buf + at + 1, n - at - 1);
                    n--;
                }
                break;
            default: {
                const char *t = tokens[rnd() % (sizeof tokens / sizeof tokens[0])];
                size_t tl = strlen(t);
                if (n + tl < MAX) {
                    memmove(buf + at + tl, buf + at, n - at);
                    memcpy(buf + at, t, tl); // NOLINT(bugprone-not-null-terminated-result): bytes with a length
                    n += tl;
                }
            }
            }
        }
        uint8_t *exact = malloc(n ? n : 1);
        memcpy(exact, buf, n);
        LLVMFuzzerTestOneInput(exact, n);
        free(exact);
    }
    printf("fuzz_preset: done\n");
    return 0;
}
#endif
