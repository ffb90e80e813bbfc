/* bits.h — a double's bits as a uint64_t and back, for doubles kept in
 * 64-bit atomics (lock-free, where _Atomic double may not be).  [any]
 * Header only: the library has it through internal.h; the CLI's player,
 * which publishes its meters the same way, includes it directly. */
#ifndef HPA_BITS_H
#define HPA_BITS_H

#include <stdint.h>
#include <string.h>

static inline uint64_t d2u(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static inline double u2d(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

#endif
