/* params.c — the one table of live parameters (see params.h). */
#include <string.h>

#include <hpamp/params.h>

static const hpa_param_info table[HPA_PARAM_COUNT] = {
    [HPA_PARAM_VOLUME_DB] = {HPA_PARAM_VOLUME_DB, "volume_db", "Volume", "dB", -120.0, 24.0, 0.0, 0,
                             "Output level in dB relative to full scale; never above the chain's maximum."},
    [HPA_PARAM_MUTE] = {HPA_PARAM_MUTE, "mute", "Mute", "", 0.0, 1.0, 0.0, 1,
                        "Silence the output with the same smooth ramp as any volume change."},
};

int hpa_param_count(void)
{
    return HPA_PARAM_COUNT;
}

const hpa_param_info *hpa_param_info_get(int id)
{
    return (id >= 0 && id < HPA_PARAM_COUNT) ? &table[id] : NULL;
}

int hpa_param_find(const char *symbol)
{
    if (symbol)
        for (int i = 0; i < HPA_PARAM_COUNT; i++)
            if (strcmp(table[i].symbol, symbol) == 0)
                return i;
    return HPA_ERR_UNKNOWN_PARAM;
}
