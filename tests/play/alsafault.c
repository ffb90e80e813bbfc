/* alsafault.c — an LD_PRELOAD interposer that makes snd_pcm_writei report
 * errors, so play's ALSA error handling runs on a PCM without a clock.
 *
 * HPA_ALSAFAULT="N:ERR[,N:ERR...]": the Nth call of snd_pcm_writei (counted
 * from 1 over the process) returns -ERR without writing anything, ERR one of
 * EPIPE (an underrun), ESTRPIPE (a suspend), ENODEV or EIO (the device gone).
 * Every other call goes to alsa-lib's.  At exit one line goes to the file
 * named by HPA_ALSAFAULT_OUT (or stderr): "alsafault calls=C injected=I".
 *
 * This is fault injection, not a real underrun: alsa-lib's state is not XRUN
 * when the error is returned.  What it exercises is hpamp's side: the error
 * counted, snd_pcm_recover (alsa-lib's own, on the real PCM), the same frames
 * written again, or playback stopped with one line for a device that went. */
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <alsa/asoundlib.h>

#define MAX_FAULTS 16

static struct {
    unsigned long at;
    int err;
} faults[MAX_FAULTS];
static int n_faults;
static atomic_ulong calls, injected;
static snd_pcm_sframes_t (*next_writei)(snd_pcm_t *, const void *, snd_pcm_uframes_t);

static int err_named(const char *s)
{
    if (!strcmp(s, "EPIPE"))
        return EPIPE;
    if (!strcmp(s, "ESTRPIPE"))
        return ESTRPIPE;
    if (!strcmp(s, "ENODEV"))
        return ENODEV;
    if (!strcmp(s, "EIO"))
        return EIO;
    return 0;
}

__attribute__((constructor)) static void alsafault_init(void)
{
    next_writei = (snd_pcm_sframes_t(*)(snd_pcm_t *, const void *, snd_pcm_uframes_t))dlsym(RTLD_NEXT,
                                                                                            "snd_pcm_writei");
    const char *spec = getenv("HPA_ALSAFAULT");
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec ? spec : "");
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok && n_faults < MAX_FAULTS;
         tok = strtok_r(NULL, ",", &save)) {
        char *name;
        unsigned long at = strtoul(tok, &name, 10);
        if (name != tok && *name++ == ':' && err_named(name)) {
            faults[n_faults].at = at;
            faults[n_faults].err = err_named(name);
            n_faults++;
        } else {
            fprintf(stderr, "alsafault: bad entry '%s' in HPA_ALSAFAULT\n", tok);
            exit(3);
        }
    }
}

__attribute__((destructor)) static void alsafault_report(void)
{
    const char *path = getenv("HPA_ALSAFAULT_OUT");
    FILE *f = path ? fopen(path, "w") : stderr;
    if (!f)
        return;
    fprintf(f, "alsafault calls=%lu injected=%lu\n", atomic_load(&calls), atomic_load(&injected));
    if (f != stderr)
        fclose(f);
}

snd_pcm_sframes_t snd_pcm_writei(snd_pcm_t *pcm, const void *buffer, snd_pcm_uframes_t size)
{
    const unsigned long k = atomic_fetch_add(&calls, 1) + 1;
    for (int i = 0; i < n_faults; i++)
        if (faults[i].at == k) {
            atomic_fetch_add(&injected, 1);
            return -faults[i].err;
        }
    return next_writei(pcm, buffer, size);
}
