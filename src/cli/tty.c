/* tty.c — raw terminal keys for `hpamp play`. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "tty.h"

static struct termios saved;
static volatile sig_atomic_t raw_fd = -1; /* the fd in raw mode, -1 when restored */
static volatile sig_atomic_t saved_ok;
static struct sigaction old_tstp, old_cont;

void hpc_tty_restore(void)
{
    if (raw_fd >= 0) {
        tcsetattr(raw_fd, TCSAFLUSH, &saved);
        raw_fd = -1;
    }
}

static int enter_raw(int fd)
{
    struct termios t = saved;
    t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | IEXTEN);
    t.c_iflag &= ~(tcflag_t)(IXON | ICRNL);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(fd, TCSAFLUSH, &t))
        return -1;
    raw_fd = fd;
    return 0;
}

static int tstp_fd = -1;

static void on_tstp(int sig)
{
    (void)sig;
    int e = errno;
    int fd = raw_fd;
    hpc_tty_restore();
    tstp_fd = fd;
    /* stop for real, with the default action */
    signal(SIGTSTP, SIG_DFL);
    raise(SIGTSTP);
    errno = e;
}

static void on_cont(int sig)
{
    (void)sig;
    int e = errno;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_tstp;
    sigaction(SIGTSTP, &sa, NULL);
    if (tstp_fd >= 0 && saved_ok)
        enter_raw(tstp_fd);
    errno = e;
}

int hpc_tty_raw(int fd)
{
    if (!isatty(fd) || tcgetattr(fd, &saved))
        return -1;
    saved_ok = 1;
    if (enter_raw(fd))
        return -1;
    atexit(hpc_tty_restore);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_tstp;
    sigaction(SIGTSTP, &sa, &old_tstp);
    sa.sa_handler = on_cont;
    sigaction(SIGCONT, &sa, &old_cont);
    tstp_fd = fd;
    return 0;
}

static int read_byte(int fd, int timeout_ms)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int r = poll(&pfd, 1, timeout_ms);
    if (r <= 0)
        return -2; /* timed out, or poll interrupted by a signal: no key */
    unsigned char c;
    ssize_t n = read(fd, &c, 1);
    if (n == 0)
        return -1;
    if (n < 0)
        return -2;
    return c;
}

int hpc_tty_key(int fd, int timeout_ms)
{
    int c = read_byte(fd, timeout_ms);
    if (c == -1)
        return -1;
    if (c < 0)
        return HPC_KEY_NONE;
    if (c != 0x1b)
        return c;
    /* ESC [ A..D (or ESC O A..D): arrow keys; a lone ESC is ignored */
    int c2 = read_byte(fd, 30);
    if (c2 != '[' && c2 != 'O')
        return HPC_KEY_NONE;
    int c3 = read_byte(fd, 30);
    switch (c3) {
    case 'A': return HPC_KEY_UP;
    case 'B': return HPC_KEY_DOWN;
    case 'C': return HPC_KEY_RIGHT;
    case 'D': return HPC_KEY_LEFT;
    default: return HPC_KEY_NONE;
    }
}

int hpc_tty_columns(int fd)
{
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
        return ws.ws_col;
    return 80;
}
