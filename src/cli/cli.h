/* cli.h — the hpamp command's subcommands. Each takes argv from its own name on. */
#ifndef HPC_H
#define HPC_H

int hpc_cmd_render(int argc, char **argv);
int hpc_cmd_preset(int argc, char **argv);
int hpc_cmd_db(int argc, char **argv);
int hpc_cmd_play(int argc, char **argv);
int hpc_cmd_advise(int argc, char **argv);
int hpc_cmd_dose(int argc, char **argv);
int hpc_cmd_eq(int argc, char **argv);
int hpc_cmd_amp(int argc, char **argv);
int hpc_cmd_device(int argc, char **argv);

struct hph_amp_profiles;
/* devices.ini (<hpamp/host/amp.h>), its bad lines warned about; 0, or -1
 * after an error (printed). */
int hpc_amp_profiles_load(struct hph_amp_profiles *ps);

#endif
