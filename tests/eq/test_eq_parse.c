/* test_eq_parse.c — the AutoEq / Equalizer APO parser and the band checks
 * (cmocka): what parses, which lines warn, which are errors, and that every
 * diagnostic names its line and says why. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <hpamp/eq.h>

#define CAP 64

typedef struct parsed {
    hpa_eq_band bands[CAP];
    size_t lines[CAP];
    hpa_eq_point points[CAP];
    hpa_eq_diag items[CAP];
    hpa_eq_doc doc;
    hpa_eq_diags diags;
    int rc;
} parsed;

static parsed *parse_rate(const char *text, double rate)
{
    static parsed p;
    memset(&p, 0, sizeof p);
    p.doc = (hpa_eq_doc){
        .bands = p.bands, .band_lines = p.lines, .bands_capacity = CAP, .points = p.points, .points_capacity = CAP};
    p.diags = (hpa_eq_diags){.items = p.items, .capacity = CAP};
    p.rc = hpa_eq_parse(text, strlen(text), rate, &p.doc, &p.diags);
    return &p;
}

static parsed *parse(const char *text)
{
    return parse_rate(text, 48000);
}

/* The diagnostic on `line` with `sev` whose message contains every one of
 * the NULL-terminated substrings; fails the test when there is none. */
static const hpa_eq_diag *find_diag(const parsed *p, size_t line, hpa_eq_severity sev, ...)
{
    for (size_t i = 0; i < p->diags.count && i < CAP; i++) {
        const hpa_eq_diag *d = &p->items[i];
        if (d->line != line || d->severity != sev)
            continue;
        va_list ap;
        va_start(ap, sev);
        const char *want;
        int ok = 1;
        while ((want = va_arg(ap, const char *)) != NULL)
            if (!strstr(d->message, want))
                ok = 0;
        va_end(ap);
        if (ok)
            return d;
    }
    print_error("no %s on line %zu with the expected text; diagnostics were:\n", sev ? "error" : "warning", line);
    for (size_t i = 0; i < p->diags.count && i < CAP; i++)
        print_error("  line %zu %s: %s\n", p->items[i].line, p->items[i].severity ? "error" : "warning",
                    p->items[i].message);
    fail();
    return NULL;
}

#define ERR(p, line, ...) find_diag((p), (line), HPA_EQ_ERROR, __VA_ARGS__, (const char *)NULL)
#define WARN(p, line, ...) find_diag((p), (line), HPA_EQ_WARNING, __VA_ARGS__, (const char *)NULL)

/* ---- what parses ---- */

static const char autoeq_hd650[] = "Preamp: -6.1 dB\n"
                                   "Filter 1: ON LSC Fc 105 Hz Gain 6.4 dB Q 0.70\n"
                                   "Filter 2: ON PK Fc 8865 Hz Gain 4.9 dB Q 1.30\n"
                                   "Filter 3: ON PK Fc 121 Hz Gain -3.1 dB Q 0.50\n"
                                   "Filter 4: ON PK Fc 37 Hz Gain 0.7 dB Q 3.76\n"
                                   "Filter 5: ON PK Fc 3159 Hz Gain -1.5 dB Q 3.89\n"
                                   "Filter 6: ON HSC Fc 10000 Hz Gain -2.1 dB Q 0.70\n"
                                   "Filter 7: ON PK Fc 1220 Hz Gain -1.2 dB Q 2.53\n"
                                   "Filter 8: ON PK Fc 2048 Hz Gain 1.1 dB Q 3.26\n"
                                   "Filter 9: ON PK Fc 584 Hz Gain 0.4 dB Q 1.15\n"
                                   "Filter 10: ON PK Fc 5316 Hz Gain -1.0 dB Q 6.00\n";

static void test_autoeq_file(void **state)
{
    (void)state;
    parsed *p = parse_rate(autoeq_hd650, 44100);
    assert_int_equal(p->rc, HPA_OK);
    assert_int_equal(p->diags.count, 0);
    assert_int_equal(p->doc.n_bands, 10);
    assert_true(p->doc.has_preamp);
    assert_true(p->doc.preamp_db == -6.1);
    assert_false(p->doc.has_graphic_eq);
    assert_int_equal(p->bands[0].type, HPA_EQ_LSC);
    assert_true(p->bands[0].freq_hz == 105 && p->bands[0].gain_db == 6.4 && p->bands[0].q == 0.70);
    assert_true(p->bands[0].bw_oct == 0 && p->bands[0].slope_db == 0);
    assert_int_equal(p->bands[5].type, HPA_EQ_HSC);
    assert_true(p->bands[9].freq_hz == 5316 && p->bands[9].gain_db == -1.0 && p->bands[9].q == 6.0);
    for (size_t i = 0; i < 10; i++)
        assert_int_equal(p->lines[i], i + 2);
}

static void test_comma_decimals(void **state)
{
    (void)state;
    parsed *p = parse("Preamp: -6,1 dB\n"
                      "Filter 1: ON PK Fc 1000,5 Hz Gain -3,5 dB Q 1,41\n"
                      "Filter 2: ON PK Fc 200 Hz Gain 2 dB BW Oct 0,5\n"
                      "GraphicEQ: 20 -1,5; 20,5 -2,25\n");
    assert_int_equal(p->rc, HPA_OK);
    assert_int_equal(p->diags.count, 0);
    assert_true(p->doc.preamp_db == -6.1);
    assert_true(p->bands[0].freq_hz == 1000.5 && p->bands[0].gain_db == -3.5 && p->bands[0].q == 1.41);
    assert_true(p->bands[1].bw_oct == 0.5 && p->bands[1].q == 0);
    assert_int_equal(p->doc.n_points, 2);
    assert_true(p->points[0].gain_db == -1.5 && p->points[1].freq_hz == 20.5 && p->points[1].gain_db == -2.25);
}

static void test_types_and_widths(void **state)
{
    (void)state;
    parsed *p = parse("Filter: ON PEQ Fc 100 Hz Gain 1 dB Q 2\n"
                      "Filter: ON Modal Fc 100 Hz Gain 1 dB Q 2\n"
                      "Filter: ON LP Fc 15000 Hz\n"
                      "Filter: ON LPQ Fc 15000 Hz Q 0.5\n"
                      "Filter: ON HP Fc 20 Hz\n"
                      "Filter: ON HPQ Fc 20 Hz BW Oct 1.5\n"
                      "Filter: ON BP Fc 1000 Hz Q 3\n"
                      "Filter: ON NO Fc 60 Hz\n"
                      "Filter: ON AP Fc 700 Hz Q 0.7\n"
                      "Filter: ON LS 6dB Fc 100 Hz Gain 5 dB\n"
                      "Filter: ON HS 12 dB Fc 8000 Hz Gain -4 dB\n"
                      "Filter: ON LSC 9 dB Fc 100 Hz Gain 5 dB\n"
                      "Filter: ON HSC Fc 8000 Hz Gain -4 dB\n"
                      "Filter: ON LS Fc 100 Hz Gain 5 dB Q 0.8\n"
                      "filter 15: on pk fc 100HZ gain 1DB q 1\n"
                      "Filter16 : ON PK Fc 1e3 Hz Gain +2 dB Q .5\n");
    assert_int_equal(p->rc, HPA_OK);
    assert_int_equal(p->diags.count, 0);
    assert_int_equal(p->doc.n_bands, 16);
    static const hpa_eq_type want[] = {HPA_EQ_PK,  HPA_EQ_PK, HPA_EQ_LP, HPA_EQ_LP, HPA_EQ_HP, HPA_EQ_HP,
                                       HPA_EQ_BP,  HPA_EQ_NO, HPA_EQ_AP, HPA_EQ_LS, HPA_EQ_HS, HPA_EQ_LSC,
                                       HPA_EQ_HSC, HPA_EQ_LS, HPA_EQ_PK, HPA_EQ_PK};
    for (size_t i = 0; i < 16; i++)
        assert_int_equal(p->bands[i].type, want[i]);
    assert_true(p->bands[2].q == 0 && p->bands[2].gain_db == 0); /* LP: the default Q */
    assert_true(p->bands[5].bw_oct == 1.5);
    assert_true(p->bands[9].slope_db == 6 && p->bands[9].q == 0);
    assert_true(p->bands[10].slope_db == 12);
    assert_true(p->bands[11].slope_db == 9);
    assert_true(p->bands[12].slope_db == 0 && p->bands[12].q == 0); /* S = 0.9 */
    assert_true(p->bands[13].q == 0.8);
    assert_true(p->bands[15].freq_hz == 1000 && p->bands[15].gain_db == 2 && p->bands[15].q == 0.5);
}

static void test_line_endings_bom_and_length(void **state)
{
    (void)state;
    parsed *p = parse("\xEF\xBB\xBFPreamp: -3 dB\r\n\r\nFilter 1: ON PK Fc 100 Hz Gain 1 dB Q 1\r\nbogus\r\n");
    assert_int_equal(p->rc, HPA_OK);
    assert_int_equal(p->doc.n_bands, 1);
    assert_int_equal(p->lines[0], 3);
    WARN(p, 4, "skipped", "'bogus'");
    p = parse("Preamp: -3 dB\rFilter: ON PK Fc 100 Hz Gain 1 dB Q 1\rnope\r");
    assert_int_equal(p->lines[0], 2);
    WARN(p, 3, "'nope'");

    /* the text need not be NUL-terminated: only `len` bytes count */
    const char text[] = "Filter: ON PK Fc 100 Hz Gain 1 dB Q 1\nFilter: ON PK Fc 200 Hz Gain 1 dB Q 1\n";
    hpa_eq_band b[4];
    hpa_eq_doc doc = {.bands = b, .bands_capacity = 4};
    assert_int_equal(hpa_eq_parse(text, 38, 48000, &doc, NULL), HPA_OK);
    assert_int_equal(doc.n_bands, 1);
    /* cut inside the second line: "Filter: ON PK Fc 2" is an error (no Gain) */
    assert_int_equal(hpa_eq_parse(text, 56, 48000, &doc, NULL), HPA_ERR_INVALID_ARG);

    hpa_eq_diag d[2];
    hpa_eq_diags diags = {.items = d, .capacity = 2};
    assert_int_equal(hpa_eq_parse("\xFF\xFEP\0r\0", 6, 0, &doc, &diags), HPA_ERR_INVALID_ARG);
    assert_int_equal(diags.errors, 1);
    assert_int_equal(d[0].line, 0);
    assert_non_null(strstr(d[0].message, "UTF-16"));
}

static void test_preamps_add_and_empty_text(void **state)
{
    (void)state;
    parsed *p = parse("Preamp: -3 dB\nPreamp: -1.5 dB\n");
    assert_int_equal(p->rc, HPA_OK);
    assert_true(p->doc.preamp_db == -4.5);
    assert_int_equal(p->doc.n_bands, 0);

    p = parse("");
    assert_int_equal(p->rc, HPA_OK);
    WARN(p, 0, "no Preamp, Filter or GraphicEQ line");
    p = parse("# only a comment\n\n   \n");
    assert_int_equal(p->rc, HPA_OK);
    assert_int_equal(p->diags.count, 1);
}

/* The Preamp range docs/eq.md states, -100 .. +30 dB: both ends taken, a
 * hair past either refused, and the sum of several lines held to it too. */
static void test_preamp_range(void **state)
{
    (void)state;
    parsed *p = parse("Preamp: -100 dB\n");
    assert_int_equal(p->rc, HPA_OK);
    assert_true(p->doc.preamp_db == -100.0);
    p = parse("Preamp: 30 dB\n");
    assert_int_equal(p->rc, HPA_OK);
    assert_true(p->doc.preamp_db == 30.0);
    p = parse("Preamp: -100.01 dB\n");
    assert_int_equal(p->rc, HPA_ERR_INVALID_ARG);
    ERR(p, 1, "preamp -100.01 dB", "outside -100..+30 dB");
    p = parse("Preamp: 30.01 dB\n");
    ERR(p, 1, "preamp 30.01 dB", "outside -100..+30 dB");
    p = parse("Preamp: -60 dB\n# two halves\nPreamp: -60 dB\n");
    assert_int_equal(p->rc, HPA_ERR_INVALID_ARG);
    ERR(p, 3, "add up to -120 dB", "outside -100..+30 dB");
    p = parse("Preamp: 20 dB\nPreamp: -20 dB\nPreamp: 30 dB\n"); /* never outside on the way */
    assert_int_equal(p->rc, HPA_OK);
    assert_true(p->doc.preamp_db == 30.0);
}

/* ---- warnings: skipped lines and ignored values ---- */

static void test_unknown_lines_warn(void **state)
{
    (void)state;
    parsed *p = parse("# AutoEq says hello\n"
                      "Device: all\n"
                      "Preamp: -2 dB\n"
                      "this is not a command\n"
                      "Foo: bar\n"
                      "Filter 1: OFF PK Fc 100 Hz Gain 1 dB Q 1\n"
                      "Filter 2: ON None\n"
                      "Filter 3: ON PK Fc 100 Hz Gain 1 dB Q 1\n"
                      "FilterX: ON PK Fc 1 Hz\n"
                      "Filter 4: ON LS 6dB Fc 100 Hz Gain 3 dB BW Oct 1\n"
                      "Filter 5: ON PK 6dB Fc 100 Hz Gain 3 dB Q 1\n"
                      "Filter 6: ON PK Fc 1.000 Hz Gain 3 dB Q 1\n");
    assert_int_equal(p->rc, HPA_OK);
    assert_int_equal(p->diags.errors, 0);
    WARN(p, 2, "Equalizer APO command", "'Device'", "not supported");
    WARN(p, 4, "not a '<command>: <parameters>' line");
    WARN(p, 5, "unknown line", "'Foo: bar'");
    WARN(p, 6, "OFF");
    WARN(p, 9, "unknown line", "FilterX");
    WARN(p, 10, "BW Oct is ignored", "LS");
    WARN(p, 11, "slope applies to shelf filters only");
    WARN(p, 12, "'1.000'", "1000 Hz", "thousands separator");
    assert_int_equal(p->diags.warnings, 8);
    assert_int_equal(p->doc.n_bands, 4);
    assert_int_equal(p->lines[0], 8);
    assert_true(p->bands[1].bw_oct == 0 && p->bands[1].slope_db == 6);
    assert_true(p->bands[2].slope_db == 0 && p->bands[2].q == 1);
    assert_true(p->bands[3].freq_hz == 1000);
}

/* Channel: sections (Equalizer APO): the filters and Preamp lines after a
 * Channel: line apply to the channels it names (L R C SUB RL RR SL SR, or 1
 * to 8; "all" again for every channel): each band's channel_mask says which
 * (bit 0 the first channel; 0 every channel), a Preamp under a selection adds
 * to those channels' channel_preamp_db only.  An unknown channel is an error
 * naming the line. */
static void test_channel_sections(void **state)
{
    (void)state;
    parsed *p = parse("Preamp: -4 dB\n"
                      "Channel: L\n"
                      "Filter 1: ON PK Fc 1000 Hz Gain 3 dB Q 1\n"
                      "Preamp: -2 dB\n"
                      "Channel: R\n"
                      "# the right channel\n"
                      "Filter 3: ON PK Fc 500 Hz Gain -3 dB Q 1\n"
                      "Channel: L R\n"
                      "Filter 4: ON PK Fc 100 Hz Gain 1 dB Q 1\n"
                      "Channel: all\n"
                      "Filter 5: ON PK Fc 200 Hz Gain 1 dB Q 1\n"
                      "Channel: 2 sub\n"
                      "Filter 6: ON PK Fc 300 Hz Gain 1 dB Q 1\n");
    assert_int_equal(p->rc, HPA_OK);
    assert_int_equal(p->diags.count, 0);
    assert_int_equal(p->doc.n_bands, 5);
    assert_int_equal(p->bands[0].channel_mask, 1u);
    assert_int_equal(p->bands[1].channel_mask, 2u);
    assert_int_equal(p->bands[2].channel_mask, 3u);
    assert_int_equal(p->bands[3].channel_mask, 0u);
    assert_int_equal(p->bands[4].channel_mask, 2u | 8u);
    assert_true(p->doc.preamp_db == -4.0);
    assert_true(p->doc.channel_preamp_db[0] == -2.0 && p->doc.channel_preamp_db[1] == 0.0);
    /* an unknown channel: an error at that line, the rest still read */
    p = parse("Channel: L X\nFilter: ON PK Fc 1000 Hz Gain 3 dB Q 1\nChannel: 9\n");
    assert_int_equal(p->rc, HPA_ERR_INVALID_ARG);
    ERR(p, 1, "unknown channel", "'X'");
    ERR(p, 3, "unknown channel", "'9'");
    assert_int_equal(p->diags.errors, 2);
    p = parse("Channel:\n");
    ERR(p, 1, "names no channel");
    /* a GraphicEQ under a selection: the doc says which channels */
    p = parse("Channel: R\nGraphicEQ: 20 -1; 20000 -1\n");
    assert_int_equal(p->rc, HPA_OK);
    assert_int_equal(p->doc.graphic_channel_mask, 2u);
    /* all channels: accepted, silently, in any case */
    p = parse("Channel: all\nPreamp: -3 dB\nFilter: ON PK Fc 1000 Hz Gain 3 dB Q 1\nChannel:  ALL \n"
              "Filter: ON PK Fc 100 Hz Gain 1 dB Q 1\n");
    assert_int_equal(p->rc, HPA_OK);
    assert_int_equal(p->diags.count, 0);
    assert_int_equal(p->doc.n_bands, 2);
    assert_true(p->doc.preamp_db == -3.0 && p->bands[0].channel_mask == 0 && p->bands[1].channel_mask == 0);
    /* an OFF filter under it adds nothing: its own warning only */
    p = parse("Channel: L\nFilter: OFF PK Fc 1000 Hz Gain 3 dB Q 1\n");
    assert_int_equal(p->rc, HPA_OK);
    WARN(p, 2, "OFF");
}

/* ---- errors: malformed known lines, each naming the line and the reason ---- */

static void test_malformed_lines(void **state)
{
    (void)state;
    parsed *p = parse("Preamp: loud\n"                                      /* 1 */
                      "Filter 2: ON PK Fc abc Hz Gain 1 dB Q 1\n"           /* 2 */
                      "Filter 3: ON PK Fc 100 Hz Q 1\n"                     /* 3 */
                      "Filter 4: ON XYZ Fc 100 Hz Gain 1 dB Q 1\n"          /* 4 */
                      "Filter 5: PK Fc 100 Hz Gain 1 dB Q 1\n"              /* 5 */
                      "Filter 6: ON PK Fc 100 Hz Gain 1 dB Q 1 Q 2\n"       /* 6 */
                      "Filter 7: ON PK Fc 100 Hz Gain 1 dB BW 1\n"          /* 7 */
                      "Filter 8: ON PK Gain 1 dB Q 1\n"                     /* 8 */
                      "Filter 9: ON PK Fc 100 Hz Gain 1 dB\n"               /* 9 */
                      "Filter 10: ON PK Fc 100 kHz Gain 1 dB Q 1\n"         /* 10 */
                      "Filter 11: ON PK Fc 100 Hz Gain 1 dB Q 1 BW Oct 1\n" /* 11 */
                      "Filter 12: ON LS 6 Fc 100 Hz Gain 1 dB\n"            /* 12 */
                      "Preamp: -3 dB extra\n"                               /* 13 */
                      "Filter 14: ON PK Fc 100 Hz Gain 1 dB Q 1\n");        /* 14: fine */
    assert_int_equal(p->rc, HPA_ERR_INVALID_ARG);
    ERR(p, 1, "Preamp needs a gain", "'loud'");
    ERR(p, 2, "Fc needs a frequency", "'abc'");
    ERR(p, 3, "no 'Gain");
    ERR(p, 4, "unsupported filter type", "'XYZ'");
    ERR(p, 5, "expected ON or OFF", "'PK'");
    ERR(p, 6, "Q given twice");
    ERR(p, 7, "expected 'Oct' after 'BW'");
    ERR(p, 8, "no 'Fc");
    ERR(p, 9, "PK filter needs 'Q <q>' or 'BW Oct");
    ERR(p, 10, "unexpected 'kHz'");
    ERR(p, 11, "only one of Q, BW Oct and a slope");
    ERR(p, 12, "expected 'dB' after the slope");
    ERR(p, 13, "unexpected 'extra'");
    assert_int_equal(p->diags.errors, 13);
    assert_int_equal(p->doc.n_bands, 1); /* line 14 still read */
    assert_int_equal(p->lines[0], 14);
}

static void test_values_out_of_range(void **state)
{
    (void)state;
    parsed *p = parse_rate("Filter 1: ON PK Fc 30000 Hz Gain 1 dB Q 1\n"
                           "Filter 2: ON PK Fc 1000 Hz Gain 1 dB Q 0\n"
                           "Filter 3: ON PK Fc 1000 Hz Gain 1 dB Q -0,5\n"
                           "Filter 4: ON PK Fc 1000 Hz Gain 45.5 dB Q 1\n"
                           "Filter 5: ON PK Fc 0 Hz Gain 1 dB Q 1\n"
                           "Filter 6: ON PK Fc 0.05 Hz Gain 1 dB Q 1\n"
                           "Filter 7: ON PK Fc 1000 Hz Gain 1 dB Q 5000\n"
                           "Filter 8: ON PK Fc 1000 Hz Gain 1 dB BW Oct 0\n"
                           "Filter 9: ON LS 3dB Fc 15000 Hz Gain 30 dB\n"
                           "Filter 10: ON PK Fc 1e999 Hz Gain 1 dB Q 1\n"
                           "Preamp: 200 dB\n"
                           "Filter 12: ON LSC 40 dB Fc 100 Hz Gain 20 dB\n"
                           "Filter 13: ON PK Fc 22050 Hz Gain 1 dB Q 1\n"
                           "Filter 14: ON PK Fc 1e-320 Hz Gain 1 dB Q 1\n"
                           "Filter 15: ON PK Fc 1234567 Hz Gain 1 dB Q 1e-320\n"
                           "Filter 16: ON PK Fc 1000 Hz Gain 1 dB Q 1e-320\n",
                           44100);
    assert_int_equal(p->rc, HPA_ERR_INVALID_ARG);
    ERR(p, 1, "Fc 30000 Hz", "Nyquist", "22050 Hz", "44100 Hz");
    ERR(p, 2, "Q must be > 0", "got 0");
    ERR(p, 3, "Q must be > 0", "got -0.5");
    ERR(p, 4, "gain 45.5 dB", "beyond +-30 dB");
    ERR(p, 5, "Fc must be > 0 Hz");
    ERR(p, 6, "Fc 0.05 Hz", "below the lowest");
    ERR(p, 7, "Q 5000 is above 1000");
    ERR(p, 8, "BW Oct must be > 0");
    ERR(p, 9, "corner frequency", "Nyquist");
    ERR(p, 10, "Fc is not a finite number");
    ERR(p, 11, "preamp 200 dB", "outside");
    ERR(p, 12, "slope too steep");
    ERR(p, 13, "Fc 22050 Hz", "Nyquist");
    ERR(p, 14, "Fc 9.99989e-321 Hz", "below the lowest"); /* the nearest denormal */
    ERR(p, 15, "Fc 1.23457e6 Hz", "Nyquist");
    ERR(p, 16, "unstable or degenerate");
    assert_int_equal(p->diags.errors, 16);
    assert_int_equal(p->doc.n_bands, 0);

    /* without a rate only what needs none is checked */
    p = parse_rate("Filter 1: ON PK Fc 30000 Hz Gain 1 dB Q 1\n", 0);
    assert_int_equal(p->rc, HPA_OK);
    p = parse_rate("Filter 1: ON PK Fc 30000 Hz Gain 1 dB Q 1\n", 96000);
    assert_int_equal(p->rc, HPA_OK);
}

/* ---- GraphicEQ ---- */

static void test_graphic_eq(void **state)
{
    (void)state;
    parsed *p = parse("GraphicEQ: 20 -1.5; 40 -3; 1000 0; 20000 -3;\n");
    assert_int_equal(p->rc, HPA_OK);
    assert_true(p->doc.has_graphic_eq);
    assert_int_equal(p->doc.n_points, 4);
    assert_true(p->points[3].freq_hz == 20000 && p->points[3].gain_db == -3);
    assert_true(hpa_eq_graphic_gain_db(p->points, 4, 10) == -1.5);
    assert_true(hpa_eq_graphic_gain_db(p->points, 4, 20) == -1.5);
    assert_true(fabs(hpa_eq_graphic_gain_db(p->points, 4, sqrt(20.0 * 40.0)) - -2.25) < 1e-12);
    assert_true(hpa_eq_graphic_gain_db(p->points, 4, 30000) == -3);
    assert_true(hpa_eq_graphic_gain_db(NULL, 0, 100) == 0);

    p = parse("GraphicEQ: 20 -1; 20 -2\n");
    ERR(p, 1, "point 2", "not above the previous");
    p = parse("GraphicEQ: 20 -1; abc\n");
    ERR(p, 1, "point 2", "expected '<frequency> <gain>'", "'abc'");
    p = parse("GraphicEQ: 20 -1 30 -2\n");
    ERR(p, 1, "point 1", "expected ';'");
    p = parse("GraphicEQ:\n");
    ERR(p, 1, "no points");
    p = parse("GraphicEQ: 20 -1\nGraphicEQ: 30 -1\n");
    ERR(p, 2, "second GraphicEQ", "line 1");
    p = parse("GraphicEQ: 20 45\n");
    ERR(p, 1, "gain 45 dB");
    p = parse("GraphicEQ: -20 1\n");
    ERR(p, 1, "frequency must be > 0");
}

/* ---- capacities ---- */

static void test_capacities(void **state)
{
    (void)state;
    const char *text = "Filter: ON PK Fc 100 Hz Gain 1 dB Q 1\n"
                       "Filter: ON PK Fc 200 Hz Gain 1 dB Q 1\n"
                       "Filter: ON PK Fc 300 Hz Gain 1 dB Q 1\n"
                       "a\nb\nc\n"
                       "GraphicEQ: 20 1; 30 2; 40 3\n";
    hpa_eq_band b[2];
    hpa_eq_point pt[1];
    hpa_eq_diag d[1];
    hpa_eq_doc doc = {.bands = b, .bands_capacity = 2, .points = pt, .points_capacity = 1};
    hpa_eq_diags diags = {.items = d, .capacity = 1};
    assert_int_equal(hpa_eq_parse(text, strlen(text), 48000, &doc, &diags), HPA_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(doc.n_bands, 3);
    assert_int_equal(doc.n_points, 3);
    assert_true(b[1].freq_hz == 200 && pt[0].freq_hz == 20);
    assert_int_equal(diags.count, 3);
    assert_int_equal(diags.warnings, 3);
    assert_int_equal(d[0].line, 4);
    /* counting only */
    hpa_eq_doc count = {0};
    assert_int_equal(hpa_eq_parse(text, strlen(text), 48000, &count, NULL), HPA_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(count.n_bands, 3);
}

static void test_parse_arguments(void **state)
{
    (void)state;
    hpa_eq_doc doc = {0};
    hpa_eq_diags diags = {0};
    assert_int_equal(hpa_eq_parse("x", 1, 48000, NULL, &diags), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_eq_parse(NULL, 1, 48000, &doc, &diags), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_eq_parse(NULL, 0, 48000, &doc, &diags), HPA_OK); /* empty */
    assert_int_equal(hpa_eq_parse("x", 1, 5, &doc, &diags), HPA_ERR_RATE);
    assert_int_equal(hpa_eq_parse("x", 1, NAN, &doc, &diags), HPA_ERR_RATE);
    doc.bands_capacity = 3; /* with no array */
    assert_int_equal(hpa_eq_parse("x", 1, 48000, &doc, &diags), HPA_ERR_INVALID_ARG);
    doc.bands_capacity = 0;
    diags.capacity = 2;
    assert_int_equal(hpa_eq_parse("x", 1, 48000, &doc, &diags), HPA_ERR_INVALID_ARG);
}

/* ---- the band checks and the processor's API contract ---- */

static void expect_band_error(hpa_eq_band b, double rate, int rc, const char *reason_part)
{
    const char *why = NULL;
    assert_int_equal(hpa_eq_band_check(&b, rate, &why), rc);
    assert_non_null(why);
    if (!strstr(why, reason_part))
        fail_msg("reason '%s' lacks '%s'", why, reason_part);
}

static void test_band_checks(void **state)
{
    (void)state;
    const double r = 48000;
    expect_band_error((hpa_eq_band){.type = HPA_EQ_TYPE_COUNT, .freq_hz = 1}, r, HPA_ERR_INVALID_ARG, "type");
    expect_band_error((hpa_eq_band){.type = HPA_EQ_PK, .freq_hz = 24000, .q = 1}, r, HPA_ERR_INVALID_ARG, "Nyquist");
    expect_band_error((hpa_eq_band){.type = HPA_EQ_PK, .freq_hz = 0, .q = 1}, r, HPA_ERR_INVALID_ARG, "> 0");
    expect_band_error((hpa_eq_band){.type = HPA_EQ_PK, .freq_hz = NAN, .q = 1}, r, HPA_ERR_INVALID_ARG, "finite");
    expect_band_error((hpa_eq_band){.type = HPA_EQ_PK, .freq_hz = 100, .q = -1}, r, HPA_ERR_INVALID_ARG, "Q");
    expect_band_error((hpa_eq_band){.type = HPA_EQ_PK, .freq_hz = 100}, r, HPA_ERR_INVALID_ARG, "need a Q");
    expect_band_error((hpa_eq_band){.type = HPA_EQ_AP, .freq_hz = 100}, r, HPA_ERR_INVALID_ARG, "need a Q");
    expect_band_error((hpa_eq_band){.type = HPA_EQ_PK, .freq_hz = 100, .gain_db = 30.5, .q = 1}, r, HPA_ERR_INVALID_ARG,
                      "30 dB");
    expect_band_error((hpa_eq_band){.type = HPA_EQ_PK, .freq_hz = 100, .gain_db = INFINITY, .q = 1}, r,
                      HPA_ERR_INVALID_ARG, "gain");
    expect_band_error((hpa_eq_band){.type = HPA_EQ_PK, .freq_hz = 100, .q = 1, .bw_oct = 1}, r, HPA_ERR_INVALID_ARG,
                      "only one");
    expect_band_error((hpa_eq_band){.type = HPA_EQ_PK, .freq_hz = 100, .slope_db = 6}, r, HPA_ERR_INVALID_ARG, "shelf");
    expect_band_error((hpa_eq_band){.type = HPA_EQ_LSC, .freq_hz = 100, .bw_oct = 1}, r, HPA_ERR_INVALID_ARG, "shelf");
    expect_band_error((hpa_eq_band){.type = HPA_EQ_LSC, .freq_hz = 100, .gain_db = 20, .slope_db = 40}, r,
                      HPA_ERR_INVALID_ARG, "too steep");
    expect_band_error((hpa_eq_band){.type = HPA_EQ_LS, .freq_hz = 20000, .gain_db = 12, .slope_db = 6}, r,
                      HPA_ERR_INVALID_ARG, "corner");
    expect_band_error((hpa_eq_band){.type = HPA_EQ_PK, .freq_hz = 100, .q = 1}, 1000, HPA_ERR_RATE, "rate");
    /* gain is ignored (only required finite) by the types without one */
    const char *why = "unset";
    hpa_eq_band lp = {.type = HPA_EQ_LP, .freq_hz = 1000, .gain_db = 99};
    assert_int_equal(hpa_eq_band_check(&lp, r, &why), HPA_OK);
    assert_null(why);
    /* rate 0: the Nyquist check is skipped */
    hpa_eq_band hi = {.type = HPA_EQ_PK, .freq_hz = 30000, .q = 1};
    assert_int_equal(hpa_eq_band_check(&hi, 0, NULL), HPA_OK);
    hpa_eq_fault fault;
    hpa_eq_band set[3] = {lp, lp, hi};
    assert_int_equal(hpa_eq_bands_check(set, 3, r, &fault), HPA_ERR_INVALID_ARG);
    assert_int_equal(fault.band, 2);
    assert_non_null(strstr(fault.reason, "Nyquist"));
    hpa_eq_coefs c;
    assert_int_equal(hpa_eq_design(&hi, r, &c, &why), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_eq_design(&lp, r, NULL, &why), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_eq_design(&lp, 0, &c, &why), HPA_ERR_RATE);
}

static void test_names(void **state)
{
    (void)state;
    for (int t = 0; t < HPA_EQ_TYPE_COUNT; t++)
        assert_int_equal(hpa_eq_type_from_name(hpa_eq_type_name((hpa_eq_type)t)), t);
    assert_int_equal(hpa_eq_type_from_name("peq"), HPA_EQ_PK);
    assert_int_equal(hpa_eq_type_from_name("MODAL"), HPA_EQ_PK);
    assert_int_equal(hpa_eq_type_from_name("lpq"), HPA_EQ_LP);
    assert_int_equal(hpa_eq_type_from_name("HPQ"), HPA_EQ_HP);
    assert_int_equal(hpa_eq_type_from_name("PKX"), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_eq_type_from_name(NULL), HPA_ERR_INVALID_ARG);
    assert_null(hpa_eq_type_name(HPA_EQ_TYPE_COUNT));
    assert_null(hpa_eq_type_name((hpa_eq_type)-1));
}

static void test_processor_arguments(void **state)
{
    (void)state;
    hpa_eq_band b = {.type = HPA_EQ_PK, .freq_hz = 1000, .gain_db = 3, .q = 1};
    hpa_eq_band bad = {.type = HPA_EQ_PK, .freq_hz = 30000, .gain_db = 3, .q = 1};
    hpa_eq_config cfg;
    hpa_eq_config_init(&cfg);
    assert_true(cfg.rate_hz == 48000 && cfg.channels == 2 && cfg.max_bands == 0 && cfg.allocator == NULL);
    hpa_eq *eq = (hpa_eq *)&cfg; /* must be overwritten with NULL on failure */
    hpa_eq_fault fault;
    assert_int_equal(hpa_eq_create(NULL, &b, 1, NULL, &eq), HPA_ERR_INVALID_ARG);
    assert_null(eq);
    assert_int_equal(hpa_eq_create(&cfg, &b, 1, NULL, NULL), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_eq_create(&cfg, NULL, 1, NULL, &eq), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_eq_create(&cfg, &bad, 1, &fault, &eq), HPA_ERR_INVALID_ARG);
    assert_null(eq);
    assert_int_equal(fault.band, 0);
    assert_non_null(fault.reason);
    cfg.channels = 0;
    assert_int_equal(hpa_eq_create(&cfg, &b, 1, NULL, &eq), HPA_ERR_CHANNELS);
    cfg.channels = 9;
    assert_int_equal(hpa_eq_create(&cfg, &b, 1, NULL, &eq), HPA_ERR_CHANNELS);
    cfg.channels = 2;
    cfg.rate_hz = 7999;
    assert_int_equal(hpa_eq_create(&cfg, &b, 1, NULL, &eq), HPA_ERR_RATE);
    cfg.rate_hz = NAN;
    assert_int_equal(hpa_eq_create(&cfg, &b, 1, NULL, &eq), HPA_ERR_RATE);
    cfg.rate_hz = 48000;
    cfg.max_bands = HPA_EQ_MAX_BANDS + 1;
    assert_int_equal(hpa_eq_create(&cfg, &b, 1, NULL, &eq), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_eq_size(&cfg, 1), 0);
    hpa_eq_band two[2] = {b, b};
    cfg.max_bands = 1;
    assert_int_equal(hpa_eq_create(&cfg, two, 2, NULL, &eq), HPA_ERR_INVALID_ARG);
    cfg.max_bands = 0;
    hpa_allocator half = {NULL, NULL, NULL};
    cfg.allocator = &half;
    assert_int_equal(hpa_eq_create(&cfg, &b, 1, NULL, &eq), HPA_ERR_INVALID_ARG);
    cfg.allocator = NULL;

    /* zero bands: a valid pass-through */
    assert_int_equal(hpa_eq_create(&cfg, NULL, 0, NULL, &eq), HPA_OK);
    double x[4] = {0.5, -0.25, 1, 0};
    assert_int_equal(hpa_eq_process(eq, x, 2), HPA_OK);
    assert_true(x[0] == 0.5 && x[1] == -0.25 && x[2] == 1);
    hpa_eq_destroy(eq);

    assert_int_equal(hpa_eq_create(&cfg, &b, 1, NULL, &eq), HPA_OK);
    assert_int_equal(hpa_eq_process(NULL, x, 2), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_eq_process(eq, NULL, 2), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_eq_process(eq, NULL, 0), HPA_OK);
    hpa_eq_coefs c;
    assert_int_equal(hpa_eq_get_coefs(eq, 1, &c), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_eq_get_coefs(eq, 0, &c), HPA_OK);
    assert_int_equal(hpa_eq_band_count(eq), 1);
    assert_int_equal(hpa_eq_band_count(NULL), 0);
    assert_int_equal(hpa_eq_nan_resets(NULL), 0);
    assert_int_equal(hpa_eq_set_bands(NULL, &b, 1, NULL), HPA_ERR_INVALID_ARG);
    hpa_eq_reset(NULL);
    hpa_eq_reset(eq);
    hpa_eq_destroy(eq);
    hpa_eq_destroy(NULL);

    /* responses */
    double re, im, db[2], f[2] = {100, 30000};
    assert_int_equal(hpa_eq_response(&b, 1, 48000, 25000, &re, &im), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_eq_response(&b, 1, 48000, -1, &re, &im), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_eq_response(&b, 1, 100, 10, &re, &im), HPA_ERR_RATE);
    assert_int_equal(hpa_eq_response(&bad, 1, 48000, 100, &re, &im), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_eq_response(NULL, 0, 48000, 100, &re, &im), HPA_OK);
    assert_true(re == 1 && im == 0);
    assert_int_equal(hpa_eq_response_db(&b, 1, 48000, f, db, 2), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_eq_response_db(&b, 1, 48000, f, db, 1), HPA_OK);
    double peak;
    assert_int_equal(hpa_eq_peak_db(&b, 1, 48000, 100, 50, &peak, NULL), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_eq_peak_db(&b, 1, 48000, 0, 24001, &peak, NULL), HPA_ERR_INVALID_ARG);
    assert_int_equal(hpa_eq_peak_db(&b, 1, 48000, 10, 10, &peak, NULL), HPA_OK);
    assert_int_equal(hpa_eq_peak_db(&b, 1, 48000, 0, 24000, &peak, NULL), HPA_OK);
    assert_true(fabs(peak - 3) < 1e-9);
    assert_int_equal(hpa_eq_peak_db(NULL, 0, 48000, 0, 24000, &peak, NULL), HPA_OK);
    assert_true(peak == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_autoeq_file),
        cmocka_unit_test(test_comma_decimals),
        cmocka_unit_test(test_types_and_widths),
        cmocka_unit_test(test_line_endings_bom_and_length),
        cmocka_unit_test(test_preamps_add_and_empty_text),
        cmocka_unit_test(test_preamp_range),
        cmocka_unit_test(test_channel_sections),
        cmocka_unit_test(test_unknown_lines_warn),
        cmocka_unit_test(test_malformed_lines),
        cmocka_unit_test(test_values_out_of_range),
        cmocka_unit_test(test_graphic_eq),
        cmocka_unit_test(test_capacities),
        cmocka_unit_test(test_parse_arguments),
        cmocka_unit_test(test_band_checks),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_processor_arguments),
    };
    return cmocka_run_group_tests_name("eq_parse", tests, NULL, NULL);
}
