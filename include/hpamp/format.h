/* format.h — sample formats at the chain's edges: converting interleaved
 * samples of any hpa_format (chain.h) to doubles and back, the one
 * conversion every front end and the chain itself use. */
#ifndef HPAMP_FORMAT_H
#define HPAMP_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include <hpamp/chain.h>

#ifdef __cplusplus
extern "C" {
#endif

/* [RT] Convert n samples of format f to double; NaN and infinities become 0.
 * Returns the number of samples beyond full scale (|x| > 1). */
HPA_API uint64_t hpa_to_double(hpa_format f, const void *src, double *dst, size_t n);

/* [RT] Write n doubles as float formats (no clamp: floats may exceed 1.0) or
 * as integers that are exactly representable (the bit-transparent path). */
HPA_API void hpa_from_double_exact(hpa_format f, const double *src, void *dst, size_t n);

/* [RT] Write n doubles as a float format, finite always: a sample beyond
 * the format's largest finite value becomes that value with its sign (a NaN
 * becomes 0).  Returns how many were changed; the others are written as
 * hpa_from_double_exact writes them. */
HPA_API uint64_t hpa_from_double_finite(hpa_format f, const double *src, void *dst, size_t n);

/* Full-scale value of an integer format (32768, 2^23, 2^31), 0 for floats. */
HPA_API double hpa_format_scale(hpa_format f);

#ifdef __cplusplus
}
#endif

#endif
