/* main.c — the hpamp command: dispatch to a subcommand. */
#include <stdio.h>
#include <string.h>

#include <hpamp/hpamp.h>

#include "cli.h"
#include "term.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"render", hpc_cmd_render, "play a file through the DAC chain into a file (resample, volume, dither)"},
    {"preset", hpc_cmd_preset, "headphone presets for render: list, show, export"},
    {"db", hpc_cmd_db, "the headphone and source database: list, search, show"},
    {"play", hpc_cmd_play, "play files through the DAC chain to PipeWire or ALSA, live, with hearing protection"},
    {"advise", hpc_cmd_advise, "does this headphone need an amp on this source? (with your music)"},
    {"eq", hpc_cmd_eq, "an EQ from a headphone measurement and a target: fit, targets"},
    {"amp", hpc_cmd_amp, "the amp of the whole desktop: a PipeWire sink with the chain and hearing protection"},
    {"device", hpc_cmd_device, "the outputs amp plays on and their profiles: list, set"},
    {"dose", hpc_cmd_dose, "your sound dose of the last 7 days, as play recorded it"},
};

static void usage(FILE *f)
{
    fputs("Usage: hpamp COMMAND [options]\n"
          "\n"
          "hpamp is a headphone amplifier and DAC in software.\n"
          "\n"
          "Commands:\n",
          f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "Run 'hpamp COMMAND --help' for a command's options.\n"
          "  -h, --help     this help\n"
          "  -V, --version  print the version\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
        printf("hpamp %s\n", hpa_version_string());
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(cmd, commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    hpc_error("unknown command '%s' (see hpamp --help)", cmd);
    return EXIT_USAGE;
}
