/* dose.h — the sound-dose arithmetic: IEC 62368-1's computed sound dose
 * (CSD) and ITU-T H.870's safe-listening allowance.
 *
 * Exposure: an interval of dt seconds at L dB(A) SPL is p²·dt with
 * p² = (20 µPa)²·10^(L/10) Pa².  100 % = 80 dBA for 40 h = 1.6 Pa²h (mode 1;
 * mode 2, ITU-T H.870 for children and sensitive listeners: 75 dBA for 40 h,
 * 0.506 Pa²h), over a rolling 7 days.  An acknowledgement to listen above
 * 85 dBA holds for 20 h of listening (IEC 62368-1, 10.6.3), then is asked
 * again.  The journal that keeps the week is the host library's
 * (<hpamp/host/dose.h>). */
#ifndef HPAMP_DOSE_H
#define HPAMP_DOSE_H

#include <hpamp/hpamp.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HPA_DOSE_WINDOW_S 604800.0            /* 7 days */
#define HPA_DOSE_ACK_LISTEN_S (20.0 * 3600.0) /* the acknowledgement lasts 20 h of listening */
#define HPA_DOSE_DAYS 7

/* [any] p² in Pa² of a level in dB SPL. */
HPA_API double hpa_dose_pa2(double spl_db);

/* [any] The allowance of a mode (Pa²h): 1.6 (mode 1) or 0.506 (mode 2). */
HPA_API double hpa_dose_allowance_pa2h(int mode);

/* [any] An exposure (Pa²h) as percent of a mode's 7-day allowance. */
HPA_API double hpa_dose_percent_of(double pa2h, int mode);

/* [any] 1 while an acknowledgement holds: less than 20 h of listening since. */
HPA_API int hpa_dose_ack_holds(double listened_since_s);

#ifdef __cplusplus
}
#endif

#endif
