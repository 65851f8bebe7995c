/* blas: OpenBLAS's kernel for this CPU (see blas.h). */
#define _POSIX_C_SOURCE 200809L
#include "lincls/blas.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lincls/util.h"

#define REEXEC_ENV "LINCLS_BLAS_REEXEC"

/* Is `word` one of the space-separated words of `list`? */
static int has_word(const char *list, const char *word) {
    size_t n = strlen(word);
    for (const char *p = list; (p = strstr(p, word)) != NULL; p += n) {
        int starts = p == list || p[-1] == ' ' || p[-1] == '\t';
        int ends = p[n] == '\0' || p[n] == ' ' || p[n] == '\t' || p[n] == '\n';
        if (starts && ends) return 1;
    }
    return 0;
}

const char *lc_blas_best_coretype(const char *flags) {
    if (!flags || !has_word(flags, "sse2") || !has_word(flags, "pni")) return NULL;
    if (has_word(flags, "avx512f") && has_word(flags, "avx512bw") && has_word(flags, "avx512vl") &&
        has_word(flags, "avx512dq"))
        return has_word(flags, "avx512_bf16") ? "Cooperlake" : "SkylakeX";
    if (has_word(flags, "avx2") && has_word(flags, "fma")) return "Haswell";
    if (has_word(flags, "avx")) return "SandyBridge";
    return "Prescott";
}

/* OpenBLAS 0.3's x86-64 core names, by the instruction set of their kernels. */
static const struct {
    const char *name;
    int level;
} k_cores[] = {
    {"katmai", 0},     {"coppermine", 0},   {"northwood", 0},  {"banias", 0},      {"athlon", 0},
    {"opteron", 0},    {"prescott", 1},     {"core2", 1},      {"penryn", 1},      {"dunnington", 1},
    {"nehalem", 1},    {"atom", 1},         {"opteron_sse3", 1}, {"barcelona", 1}, {"nano", 1},
    {"bobcat", 1},     {"sandybridge", 2},  {"bulldozer", 2},  {"piledriver", 2},  {"steamroller", 2},
    {"haswell", 3},    {"excavator", 3},    {"zen", 3},        {"skylakex", 4},    {"cooperlake", 5},
    {"sapphirerapids", 5},
};

int lc_blas_core_level(const char *name) {
    if (!name) return -1;
    for (size_t i = 0; i < sizeof k_cores / sizeof *k_cores; i++)
        if (strcasecmp(name, k_cores[i].name) == 0) return k_cores[i].level;
    return -1;
}

const char *lc_blas_choose(const char *flags, const char *loaded, const char *env, const char *automark) {
    const char *best = lc_blas_best_coretype(flags);
    if (!best) return NULL; /* not an x86-64 CPU we can judge: OpenBLAS knows best */
    if (env && *env) {
        if (!automark || strcasecmp(automark, env) != 0) return NULL; /* the user's choice */
        /* set by lincls, possibly on another machine: decide again here */
        return strcasecmp(env, best) == 0 ? NULL : best;
    }
    int have = lc_blas_core_level(loaded);
    if (have < 0) return NULL; /* a core this table does not know: leave it */
    return have < lc_blas_core_level(best) ? best : NULL;
}

char *lc_blas_cpu_flags(char *buf, size_t n) {
    if (n == 0) return buf;
    buf[0] = '\0';
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return buf;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        if (strncmp(line, "flags", 5) != 0) continue;
        const char *colon = strchr(line, ':');
        if (!colon) continue;
        snprintf(buf, n, "%s", colon + 1);
        size_t len = strlen(buf);
        if (len > 0 && buf[len - 1] == '\n') buf[len - 1] = '\0';
        break; /* the first processor's: OpenBLAS runs the same kernels on every core */
    }
    free(line);
    fclose(f);
    return buf;
}

/* setenv, or unsetenv for NULL */
static void put_env(const char *name, const char *value) {
    if (value) setenv(name, value, 1);
    else unsetenv(name);
}

void lc_blas_autoselect(char **argv) {
    if (getenv(REEXEC_ENV)) return; /* once per process image chain */
    char flags[16384];
    const char *env = getenv("OPENBLAS_CORETYPE"), *mark = getenv(LC_BLAS_AUTO_ENV);
    const char *want = lc_blas_choose(lc_blas_cpu_flags(flags, sizeof flags), openblas_get_corename(), env, mark);
    if (!want) return;
    char *old_env = env ? strdup(env) : NULL, *old_mark = mark ? strdup(mark) : NULL;
    setenv("OPENBLAS_CORETYPE", want, 1);
    setenv(LC_BLAS_AUTO_ENV, want, 1);
    setenv(REEXEC_ENV, "1", 1);
    fflush(NULL);
    execv("/proc/self/exe", argv);
    /* no /proc or no exec: keep running on the kernel already loaded */
    put_env("OPENBLAS_CORETYPE", old_env);
    put_env(LC_BLAS_AUTO_ENV, old_mark);
    unsetenv(REEXEC_ENV);
    free(old_env);
    free(old_mark);
}

const char *lc_blas_describe(char *buf, size_t n) {
    char flags[16384];
    const char *core = openblas_get_corename(), *config = openblas_get_config();
    const char *env = getenv("OPENBLAS_CORETYPE"), *mark = getenv(LC_BLAS_AUTO_ENV);
    const char *best = lc_blas_best_coretype(lc_blas_cpu_flags(flags, sizeof flags));
    char why[160];
    if (!env || !*env)
        snprintf(why, sizeof why, "chosen by OpenBLAS");
    else if (mark && strcasecmp(mark, env) == 0)
        snprintf(why, sizeof why, "chosen by lincls for this CPU");
    else
        snprintf(why, sizeof why, "OPENBLAS_CORETYPE=%.60s set by the user", env);
    char hint[96] = "";
    if (best && lc_blas_core_level(core) >= 0 && lc_blas_core_level(core) < lc_blas_core_level(best))
        snprintf(hint, sizeof hint, "; this CPU could run %s", best);
    snprintf(buf, n, "%s; kernel %s (%s%s)", config ? config : "unknown BLAS", core ? core : "?", why, hint);
    return buf;
}

void lc_blas_log(void) {
    char buf[1024];
    lc_log("  blas: %s\n", lc_blas_describe(buf, sizeof buf));
}
