/* paramtab.c — prints libhpamp's parameter table, one line per parameter:
 *   SYMBOL MIN MAX DEFAULT TOGGLE UNIT
 * so that tests/lv2 compare the plugin's ports with the table itself, read
 * through the public API, never with numbers pasted into a script. */
#include <stdio.h>

#include <hpamp/params.h>

int main(void)
{
    for (int i = 0; i < hpa_param_count(); i++) {
        const hpa_param_info *p = hpa_param_info_get(i);
        printf("%s %.17g %.17g %.17g %d %s\n", p->symbol, p->min_value, p->max_value, p->default_value, p->is_toggle,
               p->unit[0] ? p->unit : "-");
    }
    return 0;
}
