/* tty.h — keys from a terminal in raw mode, restored on every way out. */
#ifndef HPA_CLI_TTY_H
#define HPA_CLI_TTY_H

enum {
    HPA_KEY_NONE = 0,
    HPA_KEY_UP = 0x100, /* arrow keys, after the ASCII range */
    HPA_KEY_DOWN,
    HPA_KEY_LEFT,
    HPA_KEY_RIGHT,
};

/* Put the terminal on fd (stdin) into raw mode: no echo, no line buffering,
 * signals (Ctrl-C) still delivered.  The previous mode is restored by
 * hpa_tty_restore, at exit, and around Ctrl-Z (SIGTSTP/SIGCONT).  0, or -1
 * when fd is not a terminal. */
int hpa_tty_raw(int fd);

/* Restore the terminal (idempotent, async-signal-safe). */
void hpa_tty_restore(void);

/* Wait up to timeout_ms for a key; returns the key (ASCII, or HPA_KEY_*),
 * HPA_KEY_NONE on timeout, -1 at end of input. */
int hpa_tty_key(int fd, int timeout_ms);

/* Columns of the terminal on fd (80 when unknown). */
int hpa_tty_columns(int fd);

#endif
