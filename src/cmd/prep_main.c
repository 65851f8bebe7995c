/* lincls-prep: the CIFAR-10 -> HDF5 converter driver.
 *
 *   lincls-prep SRC OUT.h5 [--records-per-batch N] [--force] [--quiet] [--help]
 *
 * The work is lc_cifar_convert (src/io/cifar.c, which also removes its temporary
 * file if the user interrupts); this file parses the command line, prints the summary
 * (stderr) and the JSON result line (stdout), and turns an error into exactly
 * one message line and a non-zero exit code (the lc_err code). */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
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

typedef struct {
    const char *src, *out;
    long long records;
    int force, quiet;
} prep_params;

#define OPT(name, type, field, help) {name, type, offsetof(prep_params, field), help, NULL}
static const lc_opt options[] = {
    OPT("SRC", LC_OPT_POS, src, "the archive, a folder, or - (standard input)"),
    OPT("OUT.h5", LC_OPT_POS, out, "the dataset file to write"),
    OPT("records-per-batch", LC_OPT_I64, records, "records in each .bin member (official archive: 10000)"),
    OPT("force", LC_OPT_FLAG, force, "replace OUT.h5 if it exists"),
    OPT("quiet", LC_OPT_FLAG, quiet, "no summary on stderr (errors are still printed)"),
    LC_OPT_SENTINEL,
};
#undef OPT

int main(int argc, char **argv) {
    lc_blas_autoselect(argv); /* the kernel rule of every lincls program (blas.h) */
    lc_io_init_process(); /* a file-size limit is reported like a full disk */
    prep_params p = {NULL, NULL, LC_CIFAR_RECORDS, 0, 0};
    int help = 0;
    lc_err e;
    lc_err_clear(&e);
    lc_cli_parse(argc - 1, argv + 1, options, &p, k_usage, 1, &help, &e);
    if (help && !e.code) return 0;
    if (e.code) {
        fprintf(stderr, "lincls-prep: error: %s\n", e.msg);
        return e.code;
    }

    lc_prep_opts po;
    lc_prep_opts_default(&po);
    po.records_per_batch = p.records;
    po.force = p.force;
    po.records_name = "--records-per-batch";
    po.force_name = "--force";

    const char *src = strcmp(p.src, "-") == 0 ? "/dev/stdin" : p.src;
    lc_prep_result res;
    double t0 = lc_now();
    if (lc_cifar_convert(src, p.out, &po, &res, &e)) {
        fprintf(stderr, "lincls-prep: error: %s\n", e.msg);
        return e.code;
    }
    double secs = lc_now() - t0;
    if (!p.quiet) print_summary(src, p.out, &res, p.records, secs);
    print_json(p.out, &res, secs);
    return 0;
}
