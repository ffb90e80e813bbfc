/* cli.h — the hpamp command's subcommands. Each takes argv from its own name on. */
#ifndef HPA_CLI_H
#define HPA_CLI_H

int hpa_cmd_render(int argc, char **argv);
int hpa_cmd_preset(int argc, char **argv);
int hpa_cmd_db(int argc, char **argv);
int hpa_cmd_play(int argc, char **argv);
int hpa_cmd_advise(int argc, char **argv);
int hpa_cmd_dose(int argc, char **argv);
int hpa_cmd_amp(int argc, char **argv);
int hpa_cmd_device(int argc, char **argv);

#endif
