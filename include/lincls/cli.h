/* cli: one declarative option table per command, bound to the command's
 * parameter struct by field offsets; --help prints every option with its
 * default (the value the struct holds before parsing).
 *
 * A table is a static array of lc_opt ending in LC_OPT_SENTINEL. Value types:
 *   LC_OPT_STR     const char * (points into argv or at a literal; NULL = none)
 *   LC_OPT_INT     int
 *   LC_OPT_I64     long long
 *   LC_OPT_DOUBLE  double; NaN/inf refused
 *   LC_OPT_FLAG    int set to 1, takes no value
 *   LC_OPT_CHOICE  an enum (int-sized): one name of the option's lc_names table
 *   LC_OPT_ALL     the same, or "all" (stored as -1)
 *   LC_OPT_LIST    lc_choice_list: a comma list of names of the table
 *   LC_OPT_POS     a positional argument (const char *); its name is its metavariable
 * For the three table types, "%s" in the help text is replaced by the table's
 * names (" | " between them; ", " for a list), and an unknown name is refused
 * with the list of valid names taken from the same table. */
#ifndef LINCLS_CLI_H
#define LINCLS_CLI_H

#include <stddef.h>

#include "lincls/util.h"

typedef enum {
    LC_OPT_END = 0,
    LC_OPT_STR,
    LC_OPT_INT,
    LC_OPT_I64,
    LC_OPT_DOUBLE,
    LC_OPT_FLAG,
    LC_OPT_CHOICE,
    LC_OPT_ALL,
    LC_OPT_LIST,
    LC_OPT_POS,    /* a positional argument (const char *), in table order;
                      "-" is one too. Every one is required. */
    LC_OPT_REST    /* lc_rest: every positional argument after those, and
                      everything after "--" */
} lc_opt_type;

/* LC_OPT_REST: n arguments; v points into argv, whose slots the parser reuses
 * to hold them in order. */
typedef struct {
    int n;
    char **v;
} lc_rest;

/* The longest option value accepted (a path, a list). */
#define LC_OPT_STRLEN 4096
/* LC_OPT_LIST: up to LC_LIST_MAX names, in the order given (repeats allowed). */
#define LC_LIST_MAX 16
typedef struct {
    int n;
    int v[LC_LIST_MAX];
} lc_choice_list;

typedef struct {
    const char *name;      /* without the leading "--"; NULL ends the table */
    lc_opt_type type;
    size_t off;            /* offsetof(params struct, field) */
    const char *help;
    const lc_names *names; /* the choice types' table */
} lc_opt;

#define LC_OPT_SENTINEL {NULL, LC_OPT_END, 0, NULL, NULL}

/* Parses argv[0..argc) (argv[0] is the first option, not the program) into the
 * struct at params. Accepts "--name value" and "--name=value". Unknown options,
 * missing values and values that do not parse fail naming the flag. If
 * --help/-h is present, prints help to stdout (when print_help is nonzero) and
 * sets *help = 1. Strings point into argv: it must outlive params. */
int lc_cli_parse(int argc, char **argv, const lc_opt *opts, void *params, const char *usage,
                 int print_help, int *help, lc_err *e);

/* Whether argv[0..argc) names option `name` ("--name" or "--name=..."). */
int lc_cli_given(int argc, char **argv, const char *name);

/* The help text: usage, then every option with its default. */
void lc_cli_help(const lc_opt *opts, const void *params, const char *usage);

/* The option's current value in params as text (what --help shows as the
 * default, and what a checkpoint's /config keeps). */
void lc_cli_value(const lc_opt *o, const void *params, char *buf, size_t n);

/* "--name value ..." for every option (flags only when set, strings only when
 * not empty): a command line that reproduces params. */
void lc_cli_format(const lc_opt *opts, const void *params, char *buf, size_t n);

#endif
