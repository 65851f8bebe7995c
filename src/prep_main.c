/* lincls-prep: the CIFAR-10 -> HDF5 converter driver.
 *
 *   lincls-prep SRC OUT.h5 [--records-per-batch N] [--force] [--quiet] [--help]
 *
 * The work is lc_cifar_convert (src/cifar.c, which also removes its temporary
 * file if the user interrupts); this file parses the command line, prints the summary
 * (stderr) and the JSON result line (stdout), and turns an error into exactly
 * one message line and a non-zero exit code (the lc_err code). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "lincls/blas.h"
#include "lincls/cifar.h"
#include "lincls/cli.h"
#include "lincls/io.h"
#include "lincls/util.h"

static const char k_usage[] =
    "usage: lincls-prep SRC OUT.h5 [options]\n\n"
    "Converts CIFAR-10 in its binary distribution into the lincls HDF5 dataset.\n"
    "SRC is cifar-10-binary.tar.gz (read directly, nothing extracted) or the\n"
    "extracted cifar-10-batches-bin/ folder (or a folder that holds it); '-'\n"
    "reads the archive from standard input.\n"
    "OUT.h5 is written under a temporary name and renamed when complete; an\n"
    "existing OUT.h5 is kept unless --force is given. Summary on stderr, one JSON\n"
    "line on stdout. Exit codes: 0 ok, 2 bad arguments or OUT exists, 3 I/O\n"
    "error, 4 malformed input.";

static void print_summary(const char *src, const char *out, const lc_prep_result *r,
                          int64_t records, double secs) {
    char dur[32];
    fprintf(stderr, "lincls-prep: %s (%s) -> %s in %s\n", src, r->from_archive ? "archive" : "folder",
            out, lc_fmt_duration(secs, dur, sizeof dur));
    fprintf(stderr, "  %lld train rows (5 batches x %lld), %lld test rows, %d classes\n",
            (long long)r->n_train, (long long)records, (long long)r->n_test, r->n_classes);
    fprintf(stderr, "  %5s  %-16s %8s %8s\n", "label", "class", "train", "test");
    int64_t tr = 0, te = 0;
    for (int k = 0; k < r->n_classes; k++) {
        fprintf(stderr, "  %5d  %-16s %8lld %8lld\n", k, r->classes[k], (long long)r->train_count[k],
                (long long)r->test_count[k]);
        tr += r->train_count[k];
        te += r->test_count[k];
    }
    fprintf(stderr, "  %5s  %-16s %8lld %8lld\n", "", "total", (long long)tr, (long long)te);
    fprintf(stderr, "  wrote %s\n", out);
}

static void print_json(const char *out, const lc_prep_result *r, double secs) {
    lc_json j;
    lc_json_begin(&j);
    lc_json_str(&j, "out", out);
    lc_json_str(&j, "source", r->source);
    lc_json_int(&j, "train", r->n_train);
    lc_json_int(&j, "test", r->n_test);
    lc_json_int(&j, "classes", r->n_classes);
    lc_json_num(&j, "seconds", secs);
    lc_json_end(&j);
    printf("%s\n", j.s);
    fflush(stdout);
    lc_json_free(&j);
}

/* Splits argv into positionals and options (with their values), since the
 * option parser takes options only. */
static void split_args(int argc, char **argv, const lc_opt *opts, int nopts, char **pos, int *npos,
                       char **optv, int *noptv) {
    *npos = *noptv = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "-", 1) != 0 || strcmp(a, "-") == 0) {
            if (*npos < 2) pos[*npos] = argv[i];
            (*npos)++;
            continue;
        }
        optv[(*noptv)++] = argv[i];
        if (strncmp(a, "--", 2) != 0 || strchr(a, '=')) continue;
        for (int k = 0; k < nopts; k++)
            if (strcmp(a + 2, opts[k].name) == 0 && opts[k].type != LC_OPT_FLAG && i + 1 < argc)
                optv[(*noptv)++] = argv[++i];
    }
}

int main(int argc, char **argv) {
    lc_blas_autoselect(argv); /* the kernel rule of every lincls program (blas.h) */
    lc_io_init_process(); /* a file-size limit is reported like a full disk */
    long long records = LC_CIFAR_RECORDS;
    int force = 0, quiet = 0;
    const lc_opt opts[] = {
        {"records-per-batch", LC_OPT_I64, &records, "records in each .bin member (official archive: 10000)"},
        {"force", LC_OPT_FLAG, &force, "replace OUT.h5 if it exists"},
        {"quiet", LC_OPT_FLAG, &quiet, "no summary on stderr (errors are still printed)"},
    };
    const int nopts = (int)(sizeof opts / sizeof opts[0]);
    char *pos[2] = {NULL, NULL};
    char *optv[argc > 0 ? argc : 1];
    int npos, noptv, help;
    lc_err e;
    lc_err_clear(&e);

    split_args(argc, argv, opts, nopts, pos, &npos, optv, &noptv);
    if (lc_cli_parse(noptv, optv, opts, nopts, k_usage, 1, &help, &e) == 0 && !help && npos != 2)
        lc_fail(&e, LC_EARG, "expected 2 arguments SRC OUT.h5, got %d (see --help)", npos);
    if (help) return 0;
    if (e.code) {
        fprintf(stderr, "lincls-prep: error: %s\n", e.msg);
        return e.code;
    }

    lc_prep_opts po;
    lc_prep_opts_default(&po);
    po.records_per_batch = records;
    po.force = force;

    const char *src = strcmp(pos[0], "-") == 0 ? "/dev/stdin" : pos[0];
    lc_prep_result res;
    double t0 = lc_now();
    if (lc_cifar_convert(src, pos[1], &po, &res, &e)) {
        fprintf(stderr, "lincls-prep: error: %s\n", e.msg);
        return e.code;
    }
    double secs = lc_now() - t0;
    if (!quiet) print_summary(src, pos[1], &res, records, secs);
    print_json(pos[1], &res, secs);
    return 0;
}
