/* tty.h — keys from a terminal in raw mode, restored on every way out. */
#ifndef HPC_TTY_H
#define HPC_TTY_H

enum {
    HPC_KEY_NONE = 0,
    HPC_KEY_UP = 0x100, /* arrow keys, after the ASCII range */
    HPC_KEY_DOWN,
    HPC_KEY_LEFT,
    HPC_KEY_RIGHT,
};

/* Put the terminal on fd (stdin) into raw mode: no echo, no line buffering,
 * signals (Ctrl-C) still delivered.  The previous mode is restored by
 * hpc_tty_restore, at exit, and around Ctrl-Z (SIGTSTP/SIGCONT).  0, or -1
 * when fd is not a terminal. */
int hpc_tty_raw(int fd);

/* Restore the terminal (idempotent, async-signal-safe). */
void hpc_tty_restore(void);

/* Wait up to timeout_ms for a key; returns the key (ASCII, or HPA_KEY_*),
 * HPC_KEY_NONE on timeout, -1 at end of input. */
int hpc_tty_key(int fd, int timeout_ms);

/* Columns of the terminal on fd (80 when unknown). */
int hpc_tty_columns(int fd);

#endif
