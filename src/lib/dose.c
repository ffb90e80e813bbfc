/* dose.c — the sound-dose arithmetic of IEC 62368-1 and ITU-T H.870 (see
 * <hpamp/dose.h>). */
#include <math.h>

#include <hpamp/dose.h>

#define P0_PA 20e-6

double hpa_dose_pa2(double spl_db)
{
    return P0_PA * P0_PA * pow(10.0, spl_db / 10.0);
}

double hpa_dose_allowance_pa2h(int mode)
{
    return hpa_dose_pa2(mode == 2 ? 75.0 : 80.0) * 40.0;
}

double hpa_dose_percent_of(double pa2h, int mode)
{
    return 100.0 * pa2h / hpa_dose_allowance_pa2h(mode);
}

int hpa_dose_ack_holds(double listened_since_s)
{
    return listened_since_s < HPA_DOSE_ACK_LISTEN_S;
}
