/* safety.c — hearing-protection levels (see safety.h). */
#include <stdio.h>

#include "safety.h"

void hpa_safety_unknown(hpa_safety *s, double ceiling_db)
{
    s->ceiling_db = ceiling_db;
    s->start_db = HPA_SAFE_START_UNKNOWN_DB < ceiling_db ? HPA_SAFE_START_UNKNOWN_DB : ceiling_db;
    s->loud_db = s->start_db;
    snprintf(s->basis, sizeof s->basis,
             "headphones and source unknown: start at %.1f dBFS, ceiling %.1f dBFS", s->start_db, s->ceiling_db);
}

double hpa_safety_allow(const hpa_safety *s, double want_db, int acknowledged)
{
    double cap = acknowledged ? s->ceiling_db : (s->loud_db < s->ceiling_db ? s->loud_db : s->ceiling_db);
    return want_db > cap ? cap : want_db;
}
