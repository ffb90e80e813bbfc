/* test_eq_autoeq.c — our response to AutoEq's ParametricEQ.txt against
 * AutoEq's own computed response.
 *
 * For each headphone in data/ (argv[1]): parse ParametricEQ.txt at 44.1 kHz
 * (no diagnostics, 10 bands, the preamp); compare with the `parametric_eq`
 * column of parametric_eq.csv (AutoEq's sum of biquad responses, without the
 * preamp) at every row from 20 Hz to 20 kHz:
 *   - hpa_eq_response_db:                         max |diff| <= 0.15 dB
 *   - the [RT] path: the impulse response of hpa_eq_process, its DTFT at
 *     each row's frequency:                       max |diff| <= 0.15 dB
 *   - -hpa_eq_peak_db against the file's Preamp:  |diff| <= 0.15 dB
 * The .txt rounds AutoEq's parameters, so about 0.1 dB is the floor here; the
 * 48 kHz figures are printed for information (AutoEq's files assume 44.1).
 */
#include "eqtest.h"

#define FS 44100.0
#define IR_LEN 65536
#define MAX_ROWS 1024

static const char *const phones[] = {"sennheiser-hd-650", "sennheiser-hd-600"};

static void check_phone(const char *dir, const char *phone)
{
    char path[1024], name[128];
    static double freq[MAX_ROWS], peq[MAX_ROWS], ours[MAX_ROWS];
    printf("-- %s\n", phone);

    snprintf(path, sizeof path, "%s/%s/ParametricEQ.txt", dir, phone);
    size_t len;
    char *text = et_read_file(path, &len);
    if (!et_true("read ParametricEQ.txt", text != NULL)) {
        printf("   (%s)\n", path);
        return;
    }
    hpa_eq_band bands[32];
    hpa_eq_diag items[8];
    hpa_eq_doc doc = {.bands = bands, .bands_capacity = 32};
    hpa_eq_diags diags = {.items = items, .capacity = 8};
    int rc = hpa_eq_parse(text, len, FS, &doc, &diags);
    free(text);
    et_ok("hpa_eq_parse", rc);
    for (size_t i = 0; i < diags.count && i < 8; i++)
        et_note("line %zu: %s", items[i].line, items[i].message);
    et_true("no diagnostics", diags.count == 0);
    et_true("10 bands and a preamp", doc.n_bands == 10 && doc.has_preamp);
    if (rc != HPA_OK)
        return;

    snprintf(path, sizeof path, "%s/%s/parametric_eq.csv", dir, phone);
    size_t rows = et_read_autoeq_csv(path, freq, peq, MAX_ROWS);
    et_true("read parametric_eq.csv: 695 rows", rows == 695);
    size_t m = 0;
    for (size_t i = 0; i < rows; i++)
        if (freq[i] >= 20.0 && freq[i] <= 20000.0)
            freq[m] = freq[i], peq[m] = peq[i], m++;

    /* the band set's response */
    et_ok("hpa_eq_response_db", hpa_eq_response_db(bands, doc.n_bands, FS, freq, ours, m));
    double worst = 0, rms = 0, at = 0;
    for (size_t i = 0; i < m; i++) {
        double d = fabs(ours[i] - peq[i]);
        rms += d * d;
        if (d > worst)
            worst = d, at = freq[i];
    }
    rms = sqrt(rms / (double)m);
    snprintf(name, sizeof name, "%s: response vs AutoEq, max |diff| (%zu rows, 20 Hz-20 kHz)", phone, m);
    et_le(name, worst, 0.15, "dB");
    et_note("max at %.2f Hz; rms %.4f dB", at, rms);

    /* the [RT] path: impulse response through the processor, DTFT at each row */
    hpa_eq_config cfg;
    hpa_eq_config_init(&cfg);
    cfg.rate_hz = FS;
    cfg.channels = 2;
    hpa_eq *eq = NULL;
    double *ir = calloc((size_t)IR_LEN * 2, sizeof(double));
    if (et_ok("hpa_eq_create", hpa_eq_create(&cfg, bands, doc.n_bands, NULL, &eq)) && ir) {
        ir[0] = ir[1] = 1.0;
        for (size_t done = 0; done < IR_LEN; done += 441) /* 10 ms blocks */
            hpa_eq_process(eq, ir + done * 2, done + 441 <= IR_LEN ? 441 : IR_LEN - done);
        double worst_rt = 0, at_rt = 0, tail = 0;
        for (size_t i = IR_LEN - 100; i < IR_LEN; i++)
            tail = fmax(tail, fabs(ir[2 * i]));
        size_t last = 0; /* the response is exactly 0 once the state has been put to rest */
        for (size_t n = 0; n < IR_LEN; n++)
            if (ir[2 * n + 1] != 0.0)
                last = n;
        for (size_t i = 0; i < m; i++) {
            const double w = 2.0 * M_PI * freq[i] / FS; /* H(f) = sum h[n] e^{-jwn}, right channel */
            double re = 0, im = 0;
            for (size_t n = 0; n <= last; n++) {
                re += ir[2 * n + 1] * cos(w * (double)n);
                im -= ir[2 * n + 1] * sin(w * (double)n);
            }
            double d = fabs(10.0 * log10(re * re + im * im) - peq[i]);
            if (d > worst_rt)
                worst_rt = d, at_rt = freq[i];
        }
        et_le("   impulse response tail (last 100 samples)", tail, 1e-12, "");
        snprintf(name, sizeof name, "%s: process() IR vs AutoEq, max |diff|", phone);
        et_le(name, worst_rt, 0.15, "dB");
        et_note("max at %.2f Hz", at_rt);
    }
    hpa_eq_destroy(eq);
    free(ir);

    /* the preamp AutoEq printed is -max(sum of responses) over 20 Hz .. 20 kHz, rounded to 0.1 dB */
    double peak, peak_at;
    et_ok("hpa_eq_peak_db", hpa_eq_peak_db(bands, doc.n_bands, FS, 20, 20000, &peak, &peak_at));
    snprintf(name, sizeof name, "%s: |-peak_db(20..20k) - Preamp| (%.3f dB at %.0f Hz)", phone, peak, peak_at);
    et_le(name, fabs(-peak - doc.preamp_db), 0.15, "dB");
    double full;
    hpa_eq_peak_db(bands, doc.n_bands, FS, 0, FS / 2, &full, &peak_at);
    et_note("over 0 .. Nyquist: %.3f dB at %.0f Hz (the low shelf's full gain at DC)", full, peak_at);

    /* for information: the same bands at 48 kHz */
    double worst48 = 0;
    if (hpa_eq_response_db(bands, doc.n_bands, 48000, freq, ours, m) == HPA_OK)
        for (size_t i = 0; i < m; i++)
            worst48 = fmax(worst48, fabs(ours[i] - peq[i]));
    et_note("at 48 kHz instead: max |diff| %.3f dB (AutoEq designed for 44.1 kHz)", worst48);
}

int main(int argc, char **argv)
{
    const char *dir = et_data_dir(argc, argv);
    if (!dir)
        return 2;
    et_begin("EQ vs AutoEq's computed response (ParametricEQ.txt at 44.1 kHz)");
    for (size_t i = 0; i < sizeof phones / sizeof phones[0]; i++)
        check_phone(dir, phones[i]);
    return et_end();
}
