/* rtprobe.h — marks the audio thread's real-time sections.
 *
 * hph_rt_probe is a weak reference: in a normal run nothing defines it and the
 * marks cost one predictable branch.  The play suite's LD_PRELOAD interposer
 * (tests/play/rtcheck.c) defines it and counts every allocator, lock, sleep
 * and I/O call made on a thread while it is inside a marked section. */
#ifndef HPAMP_HOST_RTPROBE_H
#define HPAMP_HOST_RTPROBE_H

extern void hph_rt_probe(int enter) __attribute__((weak));

static inline void hph_rt_enter(void)
{
    if (hph_rt_probe)
        hph_rt_probe(1);
}

static inline void hph_rt_leave(void)
{
    if (hph_rt_probe)
        hph_rt_probe(0);
}

#endif
