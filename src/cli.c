/* cli: declarative option tables. */
#include "lincls/cli.h"

#include <stdio.h>
#include <string.h>

static const lc_opt *find_opt(const lc_opt *opts, int nopts, const char *name, size_t len) {
    for (int i = 0; i < nopts; i++)
        if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0) return &opts[i];
    return NULL;
}

void lc_cli_value(const lc_opt *o, char *buf, size_t n) {
    switch (o->type) {
    case LC_OPT_STR: snprintf(buf, n, "%s", (const char *)o->ptr); break;
    case LC_OPT_INT: snprintf(buf, n, "%d", *(const int *)o->ptr); break;
    case LC_OPT_I64: snprintf(buf, n, "%lld", *(const long long *)o->ptr); break;
    case LC_OPT_DOUBLE: snprintf(buf, n, "%.17g", *(const double *)o->ptr); {
            /* shortest round-trip form */
            double v = *(const double *)o->ptr;
            for (int p = 1; p < 17; p++) {
                char t[64];
                snprintf(t, sizeof t, "%.*g", p, v);
                double back;
                if (sscanf(t, "%lf", &back) == 1 && back == v) {
                    snprintf(buf, n, "%s", t);
                    break;
                }
            }
        }
        break;
    case LC_OPT_FLAG: snprintf(buf, n, "%s", *(const int *)o->ptr ? "on" : "off"); break;
    }
}

static void print_help(const lc_opt *opts, int nopts, const char *usage) {
    printf("%s\n\nOptions (default in brackets):\n", usage);
    for (int i = 0; i < nopts; i++) {
        char def[256], left[64];
        lc_cli_value(&opts[i], def, sizeof def);
        const char *meta = opts[i].type == LC_OPT_FLAG ? "" :
                           opts[i].type == LC_OPT_STR ? " S" :
                           opts[i].type == LC_OPT_DOUBLE ? " X" : " N";
        snprintf(left, sizeof left, "--%s%s", opts[i].name, meta);
        if (opts[i].type == LC_OPT_FLAG)
            printf("  %-22s %s\n", left, opts[i].help);
        else
            printf("  %-22s %s [%s]\n", left, opts[i].help, def[0] ? def : "none");
    }
    printf("  %-22s %s\n", "--help", "print this help and exit");
    fflush(stdout);
}

int lc_cli_parse(int argc, char **argv, const lc_opt *opts, int nopts, const char *usage,
                 int do_print, int *help, lc_err *e) {
    *help = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            if (do_print) print_help(opts, nopts, usage);
            *help = 1;
            return 0;
        }
    }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0)
            return lc_fail(e, LC_EARG, "unexpected argument '%s' (options start with --; see --help)", a);
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const lc_opt *o = find_opt(opts, nopts, name, len);
        if (!o) return lc_fail(e, LC_EARG, "unknown option '--%.*s' (see --help)", (int)len, name);
        if (o->type == LC_OPT_FLAG) {
            if (eq) return lc_fail(e, LC_EARG, "option --%s takes no value", o->name);
            *(int *)o->ptr = 1;
            continue;
        }
        const char *val;
        if (eq) {
            val = eq + 1;
        } else {
            if (i + 1 >= argc) return lc_fail(e, LC_EARG, "option --%s needs a value", o->name);
            val = argv[++i];
        }
        long long l;
        double d;
        switch (o->type) {
        case LC_OPT_STR:
            if (strlen(val) >= LC_OPT_STRLEN)
                return lc_fail(e, LC_EARG, "value of --%s is too long", o->name);
            snprintf((char *)o->ptr, LC_OPT_STRLEN, "%s", val);
            break;
        case LC_OPT_INT:
            if (lc_parse_long(val, &l))
                return lc_fail(e, LC_EARG, "--%s: '%s' is not an integer", o->name, val);
            if (l < -2147483647LL || l > 2147483647LL)
                return lc_fail(e, LC_EARG, "--%s: %s is out of range (at most 2147483647 in size)", o->name, val);
            *(int *)o->ptr = (int)l;
            break;
        case LC_OPT_I64:
            if (lc_parse_long(val, &l))
                return lc_fail(e, LC_EARG, "--%s: '%s' is not an integer", o->name, val);
            *(long long *)o->ptr = l;
            break;
        case LC_OPT_DOUBLE:
            if (lc_parse_double(val, &d))
                return lc_fail(e, LC_EARG, "--%s: '%s' is not a finite number", o->name, val);
            *(double *)o->ptr = d;
            break;
        case LC_OPT_FLAG: break;
        }
    }
    return 0;
}

void lc_cli_format(const lc_opt *opts, int nopts, char *buf, size_t n) {
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < nopts && used < n; i++) {
        char v[LC_OPT_STRLEN + 8];
        if (opts[i].type == LC_OPT_FLAG) {
            if (*(const int *)opts[i].ptr)
                used += (size_t)snprintf(buf + used, n - used, "%s--%s", used ? " " : "", opts[i].name);
            continue;
        }
        lc_cli_value(&opts[i], v, sizeof v);
        if (opts[i].type == LC_OPT_STR && v[0] == '\0') continue;
        int quote = strpbrk(v, " \t'\"$\\") != NULL;
        used += (size_t)snprintf(buf + used, n - used, quote ? "%s--%s '%s'" : "%s--%s %s",
                                 used ? " " : "", opts[i].name, v);
    }
}
