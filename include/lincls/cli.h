/* cli: one declarative option table per subcommand; --help prints every option
 * with its default (the value the variable holds before parsing). */
#ifndef LINCLS_CLI_H
#define LINCLS_CLI_H

#include "lincls/util.h"

typedef enum {
    LC_OPT_STR,    /* char buf[LC_OPT_STRLEN] */
    LC_OPT_INT,    /* int */
    LC_OPT_I64,    /* long long */
    LC_OPT_DOUBLE, /* double; NaN/inf refused */
    LC_OPT_FLAG    /* int set to 1, takes no value */
} lc_opt_type;

#define LC_OPT_STRLEN 4096

typedef struct {
    const char *name;  /* without the leading "--" */
    lc_opt_type type;
    void *ptr;
    const char *help;
} lc_opt;

/* Parses argv[0..argc) (argv[0] is the first option, not the program). Accepts
 * "--name value" and "--name=value". Unknown options, missing values and values
 * that do not parse fail naming the flag. If --help/-h is present, prints help
 * to stdout (when print_help is nonzero) and sets *help = 1. */
int lc_cli_parse(int argc, char **argv, const lc_opt *opts, int nopts, const char *usage,
                 int print_help, int *help, lc_err *e);

/* The option's current value as text (what --help shows as the default). */
void lc_cli_value(const lc_opt *o, char *buf, size_t n);

/* Reconstruct "--name value ..." for every option that differs from nothing:
 * used to print reproducible command lines. Writes all options. */
void lc_cli_format(const lc_opt *opts, int nopts, char *buf, size_t n);

#endif
