/* cli: declarative option tables. */
#include "lincls/cli.h"

#include <stdio.h>
#include <string.h>

#define FIELD(params, o, type) ((type *)((char *)(params) + (o)->off))
#define CFIELD(params, o, type) ((const type *)((const char *)(params) + (o)->off))

static const lc_opt *find_opt(const lc_opt *opts, const char *name, size_t len) {
    for (const lc_opt *o = opts; o->name; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) return o;
    return NULL;
}

static int is_table_type(lc_opt_type t) { return t == LC_OPT_CHOICE || t == LC_OPT_ALL || t == LC_OPT_LIST; }

void lc_cli_value(const lc_opt *o, const void *params, char *buf, size_t n) {
    switch (o->type) {
    case LC_OPT_STR: {
        const char *s = *CFIELD(params, o, const char *);
        snprintf(buf, n, "%s", s ? s : "");
        break;
    }
    case LC_OPT_INT: snprintf(buf, n, "%d", *CFIELD(params, o, int)); break;
    case LC_OPT_I64: snprintf(buf, n, "%lld", *CFIELD(params, o, long long)); break;
    case LC_OPT_DOUBLE: {
        double v = *CFIELD(params, o, double);
        snprintf(buf, n, "%.17g", v);
        for (int p = 1; p < 17; p++) { /* shortest round-trip form */
            char t[64];
            snprintf(t, sizeof t, "%.*g", p, v);
            double back;
            if (sscanf(t, "%lf", &back) == 1 && back == v) {
                snprintf(buf, n, "%s", t);
                break;
            }
        }
        break;
    }
    case LC_OPT_FLAG: snprintf(buf, n, "%s", *CFIELD(params, o, int) ? "on" : "off"); break;
    case LC_OPT_CHOICE:
    case LC_OPT_ALL: {
        int v = *CFIELD(params, o, int);
        snprintf(buf, n, "%s", v < 0 && o->type == LC_OPT_ALL ? "all" : lc_names_name(o->names, v));
        break;
    }
    case LC_OPT_LIST: {
        const lc_choice_list *l = CFIELD(params, o, lc_choice_list);
        size_t used = 0;
        buf[0] = '\0';
        for (int i = 0; i < l->n && used < n; i++)
            used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? "," : "", lc_names_name(o->names, l->v[i]));
        break;
    }
    case LC_OPT_POS: {
        const char *s = *CFIELD(params, o, const char *);
        snprintf(buf, n, "%s", s ? s : "");
        break;
    }
    case LC_OPT_REST: snprintf(buf, n, "%d arguments", CFIELD(params, o, lc_rest)->n); break;
    case LC_OPT_END: buf[0] = '\0'; break;
    }
}

/* The help text of o, with "%s" replaced by the names of its table. */
static void help_text(const lc_opt *o, char *buf, size_t n) {
    const char *mark = is_table_type(o->type) ? strstr(o->help, "%s") : NULL;
    if (!mark) {
        snprintf(buf, n, "%s", o->help);
        return;
    }
    char list[1024];
    size_t used = 0;
    list[0] = '\0';
    if (o->type == LC_OPT_ALL) used += (size_t)snprintf(list, sizeof list, "all");
    for (int i = 0; i < o->names->n && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", used ? (o->type == LC_OPT_LIST ? ", " : " | ") : "",
                                 o->names->names[i]);
    snprintf(buf, n, "%.*s%s%s", (int)(mark - o->help), o->help, list, mark + 2);
}

int lc_cli_given(int argc, char **argv, const char *name) {
    size_t len = strlen(name);
    for (int i = 0; i < argc; i++)
        if (strncmp(argv[i], "--", 2) == 0 && strncmp(argv[i] + 2, name, len) == 0 &&
            (argv[i][2 + len] == '\0' || argv[i][2 + len] == '='))
            return 1;
    return 0;
}

void lc_cli_help(const lc_opt *opts, const void *params, const char *usage) {
    printf("%s\n\nOptions (default in brackets):\n", usage);
    for (const lc_opt *o = opts; o->name; o++) {
        if (o->type == LC_OPT_POS || o->type == LC_OPT_REST) continue; /* the usage line names them */
        char def[LC_OPT_STRLEN + 64], left[64], help[2048];
        lc_cli_value(o, params, def, sizeof def);
        help_text(o, help, sizeof help);
        const char *meta = o->type == LC_OPT_FLAG ? "" :
                           o->type == LC_OPT_INT || o->type == LC_OPT_I64 ? " N" :
                           o->type == LC_OPT_DOUBLE ? " X" : " S";
        snprintf(left, sizeof left, "--%s%s", o->name, meta);
        if (o->type == LC_OPT_FLAG)
            printf("  %-22s %s\n", left, help);
        else
            printf("  %-22s %s [%s]\n", left, help, def[0] ? def : "none");
    }
    printf("  %-22s %s\n", "--help", "print this help and exit");
    fflush(stdout);
}

/* Unknown name v of o's table: the message lists the table. */
static int unknown_name(const lc_opt *o, const char *v, const char *item, lc_err *e) {
    char list[1024];
    lc_names_list(o->names, list, sizeof list);
    if (o->type == LC_OPT_LIST) return lc_fail(e, LC_EARG, "--%s: unknown item '%s' (%s)", o->name, item, list);
    if (o->type == LC_OPT_ALL) return lc_fail(e, LC_EARG, "--%s: unknown %s '%s' (all, %s)", o->name, o->names->what, v, list);
    if (!o->names->what) return lc_fail(e, LC_EARG, "--%s: '%s' is not one of %s", o->name, v, list);
    return lc_fail(e, LC_EARG, "--%s: unknown %s '%s' (%s)", o->name, o->names->what, v, list);
}

static int parse_list(const lc_opt *o, const char *val, lc_choice_list *l, lc_err *e) {
    l->n = 0;
    for (const char *p = val; *p;) {
        size_t len = strcspn(p, ",");
        if (len > 0) {
            char item[64];
            snprintf(item, sizeof item, "%.*s", (int)(len < 63 ? len : 63), p);
            if (l->n == LC_LIST_MAX) return lc_fail(e, LC_EARG, "--%s: more than %d items", o->name, LC_LIST_MAX);
            int v = len < 63 ? lc_names_find(o->names, item) : -1;
            if (v < 0) return unknown_name(o, val, item, e);
            l->v[l->n++] = v;
        }
        p += len;
        if (*p == ',') p++;
    }
    if (l->n == 0) return lc_fail(e, LC_EARG, "--%s: empty list", o->name);
    return 0;
}

int lc_cli_parse(int argc, char **argv, const lc_opt *opts, void *params, const char *usage,
                 int do_print, int *help, lc_err *e) {
    *help = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            if (do_print) lc_cli_help(opts, params, usage);
            *help = 1;
            return 0;
        }
    }
    int npos = 0, given = 0, dashes = 0; /* positionals in the table; given; after "--" */
    lc_rest *rest = NULL;
    for (const lc_opt *o = opts; o->name; o++) {
        npos += o->type == LC_OPT_POS;
        if (o->type == LC_OPT_REST) {
            rest = FIELD(params, o, lc_rest);
            rest->n = 0;
            rest->v = argv;
        }
    }
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        if (rest && !dashes && strcmp(a, "--") == 0) {
            dashes = 1;
            continue;
        }
        if ((npos > 0 || rest) && (dashes || a[0] != '-' || strcmp(a, "-") == 0)) {
            if (given < npos) {
                int k = 0;
                for (const lc_opt *o = opts; o->name; o++)
                    if (o->type == LC_OPT_POS && k++ == given) *FIELD(params, o, const char *) = a;
                given++;
            } else if (rest) {
                argv[rest->n++] = a; /* slot rest->n <= i: already read */
            } else {
                given++;
            }
            continue;
        }
        if (strncmp(a, "--", 2) != 0)
            return lc_fail(e, LC_EARG, "unexpected argument '%s' (options start with --; see --help)", a);
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const lc_opt *o = find_opt(opts, name, len);
        if (!o) return lc_fail(e, LC_EARG, "unknown option '--%.*s' (see --help)", (int)len, name);
        if (o->type == LC_OPT_FLAG) {
            if (eq) return lc_fail(e, LC_EARG, "option --%s takes no value", o->name);
            *FIELD(params, o, int) = 1;
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
        int v;
        switch (o->type) {
        case LC_OPT_STR:
            if (strlen(val) >= LC_OPT_STRLEN)
                return lc_fail(e, LC_EARG, "value of --%s is too long", o->name);
            *FIELD(params, o, const char *) = val;
            break;
        case LC_OPT_INT:
            if (lc_parse_long(val, &l))
                return lc_fail(e, LC_EARG, "--%s: '%s' is not an integer", o->name, val);
            if (l < -2147483647LL || l > 2147483647LL)
                return lc_fail(e, LC_EARG, "--%s: %s is out of range (at most 2147483647 in size)", o->name, val);
            *FIELD(params, o, int) = (int)l;
            break;
        case LC_OPT_I64:
            if (lc_parse_long(val, &l))
                return lc_fail(e, LC_EARG, "--%s: '%s' is not an integer", o->name, val);
            *FIELD(params, o, long long) = l;
            break;
        case LC_OPT_DOUBLE:
            if (lc_parse_double(val, &d))
                return lc_fail(e, LC_EARG, "--%s: '%s' is not a finite number", o->name, val);
            *FIELD(params, o, double) = d;
            break;
        case LC_OPT_CHOICE:
        case LC_OPT_ALL:
            v = o->type == LC_OPT_ALL && strcmp(val, "all") == 0 ? -1 : lc_names_find(o->names, val);
            if (v < 0 && !(o->type == LC_OPT_ALL && strcmp(val, "all") == 0)) return unknown_name(o, val, val, e);
            *FIELD(params, o, int) = v;
            break;
        case LC_OPT_LIST:
            if (parse_list(o, val, FIELD(params, o, lc_choice_list), e)) return e->code;
            break;
        case LC_OPT_FLAG:
        case LC_OPT_POS:
        case LC_OPT_REST:
        case LC_OPT_END: break;
        }
    }
    if (given != npos) {
        char names[256];
        size_t used = 0;
        names[0] = '\0';
        for (const lc_opt *o = opts; o->name && used < sizeof names; o++)
            if (o->type == LC_OPT_POS)
                used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", used ? " " : "", o->name);
        return lc_fail(e, LC_EARG, "expected %d argument%s %s, got %d (see --help)", npos, npos == 1 ? "" : "s",
                       names, given);
    }
    return 0;
}

void lc_cli_format(const lc_opt *opts, const void *params, char *buf, size_t n) {
    size_t used = 0;
    buf[0] = '\0';
    for (const lc_opt *o = opts; o->name && used < n; o++) {
        char v[LC_OPT_STRLEN + 8];
        if (o->type == LC_OPT_FLAG) {
            if (*CFIELD(params, o, int))
                used += (size_t)snprintf(buf + used, n - used, "%s--%s", used ? " " : "", o->name);
            continue;
        }
        lc_cli_value(o, params, v, sizeof v);
        if (o->type == LC_OPT_POS || o->type == LC_OPT_REST) continue;
        if (o->type == LC_OPT_STR && v[0] == '\0') continue;
        int quote = strpbrk(v, " \t'\"$\\") != NULL;
        used += (size_t)snprintf(buf + used, n - used, quote ? "%s--%s '%s'" : "%s--%s %s",
                                 used ? " " : "", o->name, v);
    }
}
