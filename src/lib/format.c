/* format.c — sample-format conversion at the chain's edges (one kernel per
 * direction, switched per block, never per sample). */
#include <float.h>
#include <math.h>
#include <string.h>

#include "internal.h"

static const struct {
    const char *name;
    size_t bytes;
    int bits;
    double scale;
} formats[HPA_FORMAT_COUNT] = {
    [HPA_FORMAT_S16] = {"s16", 2, 16, 32768.0},      [HPA_FORMAT_S24] = {"s24", 4, 24, 8388608.0},
    [HPA_FORMAT_S32] = {"s32", 4, 32, 2147483648.0}, [HPA_FORMAT_F32] = {"f32", 4, 24, 0.0},
    [HPA_FORMAT_F64] = {"f64", 8, 53, 0.0},
};

const char *hpa_format_name(hpa_format f)
{
    return ((unsigned)f < HPA_FORMAT_COUNT) ? formats[f].name : NULL;
}

size_t hpa_format_bytes(hpa_format f)
{
    return ((unsigned)f < HPA_FORMAT_COUNT) ? formats[f].bytes : 0;
}

int hpa_format_bits(hpa_format f)
{
    return ((unsigned)f < HPA_FORMAT_COUNT) ? formats[f].bits : 0;
}

double hpa_format_scale(hpa_format f)
{
    return ((unsigned)f < HPA_FORMAT_COUNT) ? formats[f].scale : 0.0;
}

static inline double clean(double x)
{
    return isfinite(x) ? x : 0.0;
}

uint64_t hpa_to_double(hpa_format f, const void *src, double *dst, size_t n)
{
    uint64_t over = 0;
    size_t i;
    switch (f) {
    case HPA_FORMAT_S16: {
        const int16_t *s = src;
        for (i = 0; i < n; i++)
            dst[i] = s[i] * (1.0 / 32768.0);
        return 0; /* integers cannot exceed full scale */
    }
    case HPA_FORMAT_S24: {
        const int32_t *s = src;
        for (i = 0; i < n; i++) {
            /* sign-extend the low 24 bits, ignoring whatever the top byte holds */
            int32_t v = (int32_t)((uint32_t)s[i] << 8) >> 8;
            dst[i] = v * (1.0 / 8388608.0);
        }
        return 0;
    }
    case HPA_FORMAT_S32: {
        const int32_t *s = src;
        for (i = 0; i < n; i++)
            dst[i] = s[i] * (1.0 / 2147483648.0);
        return 0;
    }
    case HPA_FORMAT_F32: {
        const float *s = src;
        for (i = 0; i < n; i++) {
            double x = clean((double)s[i]);
            over += fabs(x) > 1.0;
            dst[i] = x;
        }
        return over;
    }
    case HPA_FORMAT_F64: {
        const double *s = src;
        for (i = 0; i < n; i++) {
            double x = clean(s[i]);
            over += fabs(x) > 1.0;
            dst[i] = x;
        }
        return over;
    }
    default: return 0;
    }
}

void hpa_from_double_exact(hpa_format f, const double *src, void *dst, size_t n)
{
    size_t i;
    switch (f) {
    case HPA_FORMAT_S16: {
        int16_t *d = dst;
        for (i = 0; i < n; i++)
            d[i] = (int16_t)(src[i] * 32768.0);
        break;
    }
    case HPA_FORMAT_S24: {
        int32_t *d = dst;
        for (i = 0; i < n; i++)
            d[i] = (int32_t)(src[i] * 8388608.0);
        break;
    }
    case HPA_FORMAT_S32: {
        int32_t *d = dst;
        for (i = 0; i < n; i++)
            d[i] = (int32_t)(src[i] * 2147483648.0);
        break;
    }
    case HPA_FORMAT_F32: {
        float *d = dst;
        for (i = 0; i < n; i++)
            d[i] = (float)src[i];
        break;
    }
    case HPA_FORMAT_F64: memcpy(dst, src, n * sizeof(double)); break;
    default: break;
    }
}

uint64_t hpa_from_double_finite(hpa_format f, const double *src, void *dst, size_t n)
{
    uint64_t clamped = 0;
    size_t i;
    if (f == HPA_FORMAT_F32) {
        float *d = dst;
        for (i = 0; i < n; i++) {
            double x = src[i];
            if (!(fabs(x) <= FLT_MAX)) { /* beyond float's range, or NaN */
                x = isnan(x) ? 0.0 : copysign(FLT_MAX, x);
                clamped++;
            }
            d[i] = (float)x;
        }
    } else if (f == HPA_FORMAT_F64) {
        double *d = dst;
        for (i = 0; i < n; i++) {
            double x = src[i];
            if (!isfinite(x)) {
                x = isnan(x) ? 0.0 : copysign(DBL_MAX, x);
                clamped++;
            }
            d[i] = x;
        }
    }
    return clamped;
}
