/* mtest.h — assertions shared by the model tests (cmocka 1.1.5 has no float
 * comparison; its integer messages are hex, so errors are shown by name). */
#ifndef HPA_MTEST_H
#define HPA_MTEST_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <hpamp/model.h>

/* a call must return exactly this code */
#define assert_err(expr, want)                                                                                         \
    do {                                                                                                               \
        int got_ = (expr);                                                                                             \
        int want_ = (want);                                                                                            \
        if (got_ != want_)                                                                                             \
            fail_msg("%s: got %d (%s), want %d (%s)", #expr, got_, hpa_strerror(got_), want_, hpa_strerror(want_));    \
    } while (0)

#define assert_ok(expr) assert_err((expr), HPA_OK)
#define assert_inval(expr) assert_err((expr), HPA_ERR_INVALID_ARG)

/* |got - want| <= tol */
#define assert_near(got, want, tol)                                                                                    \
    do {                                                                                                               \
        double g_ = (got), w_ = (want), t_ = (tol);                                                                    \
        if (!(fabs(g_ - w_) <= t_))                                                                                    \
            fail_msg("%s = %.9g, want %.9g +- %.3g", #got, g_, w_, t_);                                                \
    } while (0)

/* |got/want - 1| <= rel */
#define assert_rel(got, want, rel)                                                                                     \
    do {                                                                                                               \
        double g_ = (got), w_ = (want), r_ = (rel);                                                                    \
        if (!(fabs(g_ / w_ - 1.0) <= r_))                                                                              \
            fail_msg("%s = %.9g, want %.9g +- %.3g %%", #got, g_, w_, r_ * 100.0);                                     \
    } while (0)

#endif
