/* params.c — the one table of live parameters (see params.h). */
#include <string.h>

#include <hpamp/params.h>

static const hpa_param_info table[HPA_PARAM_COUNT] = {
    [HPA_PARAM_VOLUME_DB] =
        {HPA_PARAM_VOLUME_DB, "volume_db", "Volume", "dB", -120.0, 24.0, 0.0, 0,
         "Output gain in dB, never above the chain's maximum; the lowest is that gain, not silence."},
    [HPA_PARAM_MUTE] = {HPA_PARAM_MUTE, "mute", "Mute", "", 0.0, 1.0, 0.0, 1,
                        "Silence the output with the same smooth ramp as any volume change."},
    [HPA_PARAM_EQ_ENABLE] = {HPA_PARAM_EQ_ENABLE, "eq_enable", "EQ", "", 0.0, 1.0, 1.0, 1,
                             "Switch the parametric EQ in or out; the change is a 20 ms crossfade."},
    [HPA_PARAM_CROSSFEED_ENABLE] = {HPA_PARAM_CROSSFEED_ENABLE, "crossfeed_enable", "Crossfeed", "", 0.0, 1.0, 0.0, 1,
                                    "Switch the crossfeed (libbs2b, stereo only) in or out, crossfaded."},
    [HPA_PARAM_CROSSFEED_FCUT_HZ] = {HPA_PARAM_CROSSFEED_FCUT_HZ, "crossfeed_fcut_hz", "Crossfeed cut", "Hz", 300.0,
                                     2000.0, 700.0, 0, "Cut frequency of the crossfed low-pass; moves are crossfaded."},
    [HPA_PARAM_CROSSFEED_FEED_DB] = {HPA_PARAM_CROSSFEED_FEED_DB, "crossfeed_feed_db", "Crossfeed level", "dB", 1.0,
                                     15.0, 4.5, 0,
                                     "How far below the direct sound the crossfed sound lies at low frequencies."},
    [HPA_PARAM_LIMITER_ENABLE] = {HPA_PARAM_LIMITER_ENABLE, "limiter_enable", "Limiter", "", 0.0, 1.0, 1.0, 1,
                                  "Switch the true-peak limiter on or off (chains built with a lookahead)."},
    [HPA_PARAM_LIMITER_CEILING_DBTP] = {HPA_PARAM_LIMITER_CEILING_DBTP, "limiter_ceiling_dbtp", "Ceiling", "dBTP",
                                        -30.0, 0.0, -1.0, 0,
                                        "The true-peak level the limiter never lets the output exceed."},
    [HPA_PARAM_LOUDNESS_COMP_ENABLE] = {HPA_PARAM_LOUDNESS_COMP_ENABLE, "loudness_comp_enable", "Loudness compensation",
                                        "", 0.0, 1.0, 0.0, 1,
                                        "Below the reference level, add the difference of the ISO 226 "
                                        "equal-loudness contours as EQ (needs the SPL at the ear)."},
    [HPA_PARAM_LOUDNESS_REF_PHON] = {HPA_PARAM_LOUDNESS_REF_PHON, "loudness_ref_phon", "Loudness reference", "phon",
                                     40.0, 90.0, 80.0, 0,
                                     "The listening level music is balanced for; compensation is zero there."},
    [HPA_PARAM_BALANCE_DB] = {HPA_PARAM_BALANCE_DB, "balance_db", "Balance", "dB", -12.0, 12.0, 0.0, 0,
                              "Turn one side down (positive: the left, negative: the right); never a boost."},
    [HPA_PARAM_MONO] = {HPA_PARAM_MONO, "mono", "Mono", "", 0.0, 1.0, 0.0, 1,
                        "Send (L + R)/2 to both ears, for hearing on one side; crossfaded."},
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
