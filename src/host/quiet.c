/* quiet.c — keep third-party libraries' stderr out of hpamp's output (see
 * quiet.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <hpamp/host/quiet.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int enabled;
static int depth;      /* sections open now */
static int saved = -1; /* the real stderr while fd 2 is /dev/null */

void hph_quiet_enable(void)
{
    pthread_mutex_lock(&lock);
    enabled = 1;
    pthread_mutex_unlock(&lock);
}

void hph_quiet_begin(void)
{
    pthread_mutex_lock(&lock);
    if (depth++ == 0 && enabled) {
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        if (null < 0 || saved < 0 || dup2(null, STDERR_FILENO) < 0) {
            if (saved >= 0) /* cannot: the libraries stay audible */
                close(saved);
            saved = -1;
        }
        if (null >= 0)
            close(null);
    }
    pthread_mutex_unlock(&lock);
}

void hph_quiet_end(void)
{
    pthread_mutex_lock(&lock);
    if (depth > 0 && --depth == 0 && saved >= 0) {
        dup2(saved, STDERR_FILENO);
        close(saved);
        saved = -1;
    }
    pthread_mutex_unlock(&lock);
}

void hph_stderr_write(const char *s, size_t n)
{
    pthread_mutex_lock(&lock);
    const int fd = saved >= 0 ? saved : STDERR_FILENO;
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        s += w;
        n -= (size_t)w;
    }
    pthread_mutex_unlock(&lock);
}
