/* rtprobe.h — marks the audio thread's real-time sections.
 *
 * hpa_rt_probe is a weak reference: in a normal run nothing defines it and the
 * marks cost one predictable branch.  The play suite's LD_PRELOAD interposer
 * (tests/play/rtcheck.c) defines it and counts every allocator, lock, sleep
 * and I/O call made on a thread while it is inside a marked section. */
#ifndef HPA_IO_RTPROBE_H
#define HPA_IO_RTPROBE_H

extern void hpa_rt_probe(int enter) __attribute__((weak));

static inline void hpa_rt_enter(void)
{
    if (hpa_rt_probe)
        hpa_rt_probe(1);
}

static inline void hpa_rt_leave(void)
{
    if (hpa_rt_probe)
        hpa_rt_probe(0);
}

#endif
