/* version.c — version and error strings. */
#include <hpamp/hpamp.h>

const char *hpa_strerror(int err)
{
    switch (err) {
    case HPA_OK: return "no error";
    case HPA_ERR_INVALID_ARG: return "invalid argument";
    case HPA_ERR_NO_MEMORY: return "out of memory";
    case HPA_ERR_RATE: return "sample rate out of range (8000 to 768000 Hz)";
    case HPA_ERR_CHANNELS: return "channel count out of range (1 to 8 for the chain and EQ, 1 to 64 for a meter)";
    case HPA_ERR_FORMAT: return "unknown sample format";
    case HPA_ERR_BLOCK_TOO_LARGE: return "block larger than max_block_frames";
    case HPA_ERR_BUFFER_TOO_SMALL: return "output buffer too small";
    case HPA_ERR_RESAMPLER: return "resampler failure";
    case HPA_ERR_UNKNOWN_PARAM: return "unknown parameter";
    case HPA_ERR_OVERLAP: return "input and output buffers overlap";
    case HPA_ERR_STATE: return "call not allowed in this state";
    case HPA_ERR_UNSUPPORTED: return "the minimum-phase filter changes the rate by less than 64x";
    default: return "unknown error";
    }
}

const char *hpa_version_string(void)
{
    return HPA_VERSION_STRING;
}

int hpa_version(void)
{
    return HPA_VERSION_MAJOR * 10000 + HPA_VERSION_MINOR * 100 + HPA_VERSION_PATCH;
}
