/* dose.c — `hpamp dose`: the week's sound dose from the journal
 * (<hpamp/host/dose.h>). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hpamp/host/dose.h>

#include "cli.h"
#include "dose.h"
#include "term.h"

/* ------------------------------------------------------------------------ */
/* hpamp dose                                                               */

static void usage(FILE *f)
{
    fputs("Usage: hpamp dose [--json] [--dose-mode 1|2]\n"
          "       hpamp dose --add SECONDS --level DBA [--dose-mode 1|2]\n"
          "\n"
          "The sound dose of the last 7 days, as `hpamp play --headphones H --source S`\n"
          "recorded it: each day's listening time and exposure, the week's share of the\n"
          "allowance (IEC 62368-1 CSD / ITU-T H.870: mode 1, adults, 80 dBA for 40 h a\n"
          "week = 1.6 Pa²h; mode 2, children and sensitive listeners, 75 dBA for 40 h),\n"
          "and the listening time left at 80, 85 and 90 dBA.\n"
          "\n"
          "  --json            one JSON object on stdout\n"
          "  --dose-mode N     1 (default) or 2\n"
          "  --add SECONDS     record listening done elsewhere: SECONDS at --level dBA,\n"
          "  --level DBA       one journal record a second (each synced), ending now\n"
          "\n"
          "The journal: $XDG_STATE_HOME/hpamp/dose.log (~/.local/state/hpamp/).\n",
          f);
}

static void hms(char *b, size_t len, double s)
{
    if (!isfinite(s) || s > 1e9) {
        snprintf(b, len, "unlimited");
        return;
    }
    if (s < 0)
        s = 0;
    long long m = (long long)floor(s / 60.0 + 0.5);
    snprintf(b, len, "%lld h %02lld min", m / 60, m % 60);
}

static int dose_command(int argc, char **argv);

int hpc_cmd_dose(int argc, char **argv)
{
    int rc = dose_command(argc, argv);
    if (rc && hpc_argv_json(argc, argv))
        hpc_json_failure(stdout, rc);
    return rc;
}

static int dose_command(int argc, char **argv)
{
    enum { OPT_JSON = 256, OPT_MODE, OPT_ADD, OPT_LEVEL };
    static const struct option longopts[] = {
        {"json", no_argument, 0, OPT_JSON},     {"dose-mode", required_argument, 0, OPT_MODE},
        {"add", required_argument, 0, OPT_ADD}, {"level", required_argument, 0, OPT_LEVEL},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0},
    };
    int json = 0, c;
    uint32_t mode = 1;
    double add_s = 0.0, level = NAN;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_JSON: json = 1; break;
        case OPT_MODE:
            if (hpc_parse_u32(optarg, 1, 2, &mode)) {
                hpc_error("dose: --dose-mode takes 1 or 2, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_ADD:
            if (hpa_parse_double(optarg, 1.0, 7.0 * 86400.0, &add_s)) {
                hpc_error("dose: --add takes 1 to 604800 seconds, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_LEVEL:
            if (hpa_parse_double(optarg, 0.0, 150.0, &level)) {
                hpc_error("dose: --level takes 0 to 150 dBA, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'h': usage(stdout); return 0;
        case ':': hpc_error("dose: %s needs a value", argv[optind - 1]); return EXIT_USAGE;
        default: hpc_error("dose: unknown option '%s' (see hpamp dose --help)", argv[optind - 1]); return EXIT_USAGE;
        }
    }
    if (optind < argc || (add_s > 0.0) != isfinite(level)) {
        hpc_error("dose: --add and --level go together; no other arguments (see hpamp dose --help)");
        return EXIT_USAGE;
    }
    double now = hph_dose_now();
    hph_dose d;
    char why[1200];
    if (add_s > 0.0) {
        if (hph_dose_open(&d, (int)mode, now, 1, why, sizeof why)) {
            hpc_fail("journal", "dose: %s", why);
            return 1;
        }
        if (d.bad)
            hpc_warn("dose: %zu damaged line%s dropped from %s", d.bad, d.bad == 1 ? "" : "s", d.path);
        /* one record a minute (what the journal compacts to anyway): each is
         * synced before the next, so a kill loses at most the minute being
         * written, and a week's --add is 10080 syncs, not 604800 */
        const double t0 = now - add_s;
        for (double done = 0.0; done < add_s;) {
            double secs = fmin(60.0, add_s - done);
            if (hph_dose_add(&d, t0 + done, secs, level)) {
                hpc_fail("journal", "dose: %s: %s", d.path, strerror(errno));
                hph_dose_close(&d);
                return 1;
            }
            done += secs;
            if (getenv("HPAMP_DOSE_PROGRESS")) { /* tests: the seconds synced so far */
                printf("%.3f\n", done);
                fflush(stdout);
            }
        }
        hph_dose_close(&d);
    }
    if (hph_dose_open(&d, (int)mode, now, 0, why, sizeof why)) {
        hpc_fail("journal", "dose: %s", why);
        return 1;
    }
    const double allow = hpa_dose_allowance_pa2h(d.mode);
    const double left = allow - d.pa2h;
    const double at[3] = {80.0, 85.0, 90.0};
    if (json) {
        printf("{\"mode\": %d, \"allowance_pa2h\": ", d.mode);
        hpc_json_number(stdout, allow, 4);
        printf(", \"window_s\": %.0f, \"now\": %.0f, \"path\": ", HPA_DOSE_WINDOW_S, floor(now));
        hpc_json_string(stdout, d.path);
        printf(", \"records\": %zu, \"skipped_lines\": %zu, \"skipped_bytes\": %lld, \"week\": {\"listened_s\": ",
               d.records, d.bad, d.skipped_bytes);
        hpc_json_number(stdout, d.listened_s, 1);
        printf(", \"pa2h\": ");
        hpc_json_number(stdout, d.pa2h, 12);
        printf(", \"percent\": ");
        hpc_json_number(stdout, hph_dose_percent(&d), 9);
        printf("}, \"remaining_s\": {");
        for (int i = 0; i < 3; i++) {
            printf("%s\"%.0f\": ", i ? ", " : "", at[i]);
            hpc_json_number(stdout, left > 0 ? left / hpa_dose_pa2(at[i]) * 3600.0 : 0.0, 1);
        }
        printf("}, \"days\": [");
        for (int k = 0; k < HPA_DOSE_DAYS; k++) {
            printf("%s{\"day_start\": %lld, \"listened_s\": ", k ? ", " : "", (long long)d.days[k].day_start);
            hpc_json_number(stdout, d.days[k].listened_s, 1);
            printf(", \"pa2h\": ");
            hpc_json_number(stdout, d.days[k].pa2h, 12);
            printf(", \"percent\": ");
            hpc_json_number(stdout, 100.0 * d.days[k].pa2h / allow, 3);
            printf("}");
        }
        printf("], \"acknowledged\": %s, \"ack_listened_s\": ", hph_dose_ack_valid(&d) ? "true" : "false");
        hpc_json_number(stdout, d.ack_t ? d.ack_listened_s : 0.0, 1);
        printf("}\n");
        return 0;
    }
    printf("Sound dose, last 7 days (mode %d: 100 %% = %s dBA for 40 h = %.3g Pa²h)\n\n", d.mode,
           d.mode == 2 ? "75" : "80", allow);
    printf("  %-12s %14s %10s\n", "day", "listened", "dose");
    for (int k = 0; k < HPA_DOSE_DAYS; k++) {
        char day[32], l[32];
        time_t t = (time_t)d.days[k].day_start;
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(day, sizeof day, "%a %Y-%m-%d", &tm);
        hms(l, sizeof l, d.days[k].listened_s);
        printf("  %-12s %14s %9.1f %%\n", k == 0 ? "today" : day, l, 100.0 * d.days[k].pa2h / allow);
    }
    char l[32];
    hms(l, sizeof l, d.listened_s);
    printf("  %-12s %14s %9.1f %%\n\n", "week", l, hph_dose_percent(&d));
    printf("  time left this week:");
    for (int i = 0; i < 3; i++) {
        char r[32];
        hms(r, sizeof r, left > 0 ? left / hpa_dose_pa2(at[i]) * 3600.0 : 0.0);
        printf("%s %s at %.0f dBA", i ? "," : "", r, at[i]);
    }
    printf("\n");
    if (d.ack_t)
        printf("  louder than 85 dBA: %s (%.1f h of listening since the acknowledgement)\n",
               hph_dose_ack_valid(&d) ? "acknowledged" : "to be acknowledged again", d.ack_listened_s / 3600.0);
    if (d.bad)
        printf("  (%zu damaged line%s skipped in %s)\n", d.bad, d.bad == 1 ? "" : "s", d.path);
    if (d.skipped_bytes)
        printf("  (the oldest %lld bytes of %s not read: only its newest 64 MiB are)\n", d.skipped_bytes, d.path);
    return 0;
}
