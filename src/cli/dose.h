/* dose.h — `hpamp dose`. */
#ifndef HPC_DOSE_H
#define HPC_DOSE_H

int hpc_cmd_dose(int argc, char **argv);

#endif
