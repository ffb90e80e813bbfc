/* preset_export.h — `hpamp preset export` (preset_export.c). */
#ifndef HPC_PRESET_EXPORT_H
#define HPC_PRESET_EXPORT_H

/* argv as hpc_cmd_preset has it: argv[1] is "export" */
int hpc_preset_export(int argc, char **argv);

#endif
