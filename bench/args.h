/* args.h — the benches' numeric command-line arguments. */
#ifndef HPA_BENCH_ARGS_H
#define HPA_BENCH_ARGS_H

#include <stdlib.h>

/* A whole-string decimal argument; -1 (refused by the range checks) when it is
 * not one.  Not atoi/atof: "5x" or "" would silently read as 5 or 0. */
static inline int arg_int(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    return end != s && *end == '\0' && v >= 0 && v <= 1000000 ? (int)v : -1;
}

static inline double arg_double(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    return end != s && *end == '\0' && v == v ? v : -1.0;
}

#endif
