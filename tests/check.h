/* check.h: the assertion macros of the C unit tests. A failed CHECK prints
 * where and why and counts into `failures`; main returns failures != 0. */
#ifndef LINCLS_TESTS_CHECK_H
#define LINCLS_TESTS_CHECK_H

#include <math.h>
#include <stdio.h>

static int failures = 0;

#define CHECK(cond, ...)                                                    \
    do {                                                                    \
        if (!(cond)) {                                                      \
            failures++;                                                     \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                   \
            fprintf(stderr, "\n");                                          \
        }                                                                   \
    } while (0)

#define CHECK_NEAR(got, want, tol)                                                            \
    CHECK(fabs((double)(got) - (double)(want)) <= (tol), "got %.9g want %.9g", (double)(got), \
          (double)(want))

#endif
