/* preset_export.h — `hpamp preset export` (preset_export.c). */
#ifndef HPA_PRESET_EXPORT_H
#define HPA_PRESET_EXPORT_H

/* argv as hpa_cmd_preset has it: argv[1] is "export" */
int hpa_preset_export(int argc, char **argv);

#endif
