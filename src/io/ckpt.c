/* ckpt: checkpoint write (built in memory, written atomically by io) and read. */
#define _POSIX_C_SOURCE 200809L
#include "lincls/ckpt.h"
#include "lincls/h5util.h"
#include "lincls/io.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --- history ---------------------------------------------------------------- */
int lc_history_push(lc_history *h, double loss, double train_acc, double val_acc, double lr,
                    double seconds, lc_err *e) {
    if (h->n == h->cap) {
        int cap = h->cap ? 2 * h->cap : 64;
        double **cols[5] = {&h->loss, &h->train_acc, &h->val_acc, &h->lr, &h->seconds};
        for (int c = 0; c < 5; c++) {
            double *p = realloc(*cols[c], sizeof(double) * (size_t)cap);
            if (!p) return lc_fail(e, LC_ENOMEM, "out of memory growing the history");
            *cols[c] = p;
        }
        h->cap = cap;
    }
    h->loss[h->n] = loss;
    h->train_acc[h->n] = train_acc;
    h->val_acc[h->n] = val_acc;
    h->lr[h->n] = lr;
    h->seconds[h->n] = seconds;
    h->n++;
    return 0;
}

void lc_history_free(lc_history *h) {
    free(h->loss);
    free(h->train_acc);
    free(h->val_acc);
    free(h->lr);
    free(h->seconds);
    memset(h, 0, sizeof *h);
}

/* --- small HDF5 writers ------------------------------------------------------ */
static int put_dset(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                    const void *data) {
    hid_t s = H5Screate_simple(rank, dims, NULL);
    hid_t d = H5Dcreate2(loc, name, type, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = d >= 0 && H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0 ? 0 : -1;
    if (d >= 0) H5Dclose(d);
    H5Sclose(s);
    return rc;
}

static int write_model(hid_t f, const lc_model *m) {
    hid_t g = H5Gcreate2(f, "/model", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    hsize_t kd[2] = {(hsize_t)m->K, (hsize_t)m->D}, k = (hsize_t)m->K, d = (hsize_t)m->D;
    int rc = put_dset(g, "W", H5T_NATIVE_FLOAT, 2, kd, m->W);
    rc |= put_dset(g, "b", H5T_NATIVE_FLOAT, 1, &k, m->b);
    rc |= put_dset(g, "mean", H5T_NATIVE_FLOAT, 1, &d, m->mean);
    rc |= put_dset(g, "scale", H5T_NATIVE_FLOAT, 1, &d, m->scale);
    rc |= lc_h5_put_str_attr(g, "loss", lc_loss_name(m->loss));
    rc |= lc_h5_put_attr(g, "margin", H5T_NATIVE_FLOAT, &m->margin);
    rc |= lc_h5_put_str_attr(g, "input", m->input);
    if (m->n_classes > 0)
        rc |= lc_h5_put_names_attr(g, "classes", m->classes[0], LC_CLASS_NAME_MAX, m->n_classes,
                                   LC_CLASS_NAME_MAX);
    H5Gclose(g);
    return rc;
}

/* The pairs go out oldest first, so the file does not depend on where the
 * ring happened to start (the iteration only depends on their order). */
static int write_lbfgs(hid_t g, const lc_lbfgs *s) {
    long long iter = s->iter, nfev = s->nfev;
    int rc = lc_h5_put_int_attr(g, "m", s->m) | lc_h5_put_int_attr(g, "count", s->count);
    rc |= lc_h5_put_attr(g, "iter", H5T_NATIVE_LLONG, &iter);
    rc |= lc_h5_put_attr(g, "nfev", H5T_NATIVE_LLONG, &nfev);
    rc |= lc_h5_put_attr(g, "f", H5T_NATIVE_DOUBLE, &s->f);
    rc |= lc_h5_put_attr(g, "f_prev", H5T_NATIVE_DOUBLE, &s->f_prev);
    rc |= lc_h5_put_attr(g, "aux", H5T_NATIVE_DOUBLE, &s->aux);
    rc |= lc_h5_put_attr(g, "step_length", H5T_NATIVE_DOUBLE, &s->step);
    hsize_t n = (hsize_t)s->n, cn[2] = {(hsize_t)s->count, (hsize_t)s->n}, c = (hsize_t)s->count;
    rc |= put_dset(g, "x", H5T_NATIVE_DOUBLE, 1, &n, s->x);
    rc |= put_dset(g, "g", H5T_NATIVE_DOUBLE, 1, &n, s->g);
    double *buf = malloc(sizeof(double) * (s->count ? (size_t)s->count * s->n : 1));
    double *rho = malloc(sizeof(double) * (size_t)(s->count ? s->count : 1));
    if (!buf || !rho) rc = -1;
    for (int pass = 0; rc == 0 && pass < 2; pass++) {
        const double *src = pass == 0 ? s->S : s->Y;
        for (int i = 0; i < s->count; i++) {
            int slot = (s->head + i) % s->m;
            memcpy(buf + (size_t)i * s->n, src + (size_t)slot * s->n, sizeof(double) * s->n);
            rho[i] = s->rho[slot];
        }
        rc |= put_dset(g, pass == 0 ? "S" : "Y", H5T_NATIVE_DOUBLE, 2, cn, buf);
    }
    if (rc == 0) rc |= put_dset(g, "rho", H5T_NATIVE_DOUBLE, 1, &c, rho);
    free(buf);
    free(rho);
    return rc;
}

static int write_optim(hid_t f, const lc_ckpt_out *st) {
    hid_t g = H5Gcreate2(f, "/optim", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    long long step = st->step, epoch = st->epoch;
    unsigned long long seed = st->seed;
    int rc = lc_h5_put_attr(g, "step", H5T_NATIVE_LLONG, &step);
    rc |= lc_h5_put_attr(g, "epoch", H5T_NATIVE_LLONG, &epoch);
    rc |= lc_h5_put_attr(g, "seed", H5T_NATIVE_ULLONG, &seed);
    rc |= lc_h5_put_str_attr(g, "rng", "counter-based: draws are a function of (seed, stream, step)");
    const lc_optim *o = st->opt;
    if (o) {
        long long t = o->t;
        rc |= lc_h5_put_str_attr(g, "kind", lc_optim_name(o->kind));
        rc |= lc_h5_put_attr(g, "t", H5T_NATIVE_LLONG, &t);
        rc |= lc_h5_put_attr(g, "mu", H5T_NATIVE_FLOAT, &o->mu);
        rc |= lc_h5_put_attr(g, "rho", H5T_NATIVE_FLOAT, &o->rho);
        rc |= lc_h5_put_attr(g, "beta1", H5T_NATIVE_FLOAT, &o->beta1);
        rc |= lc_h5_put_attr(g, "beta2", H5T_NATIVE_FLOAT, &o->beta2);
        rc |= lc_h5_put_attr(g, "eps", H5T_NATIVE_FLOAT, &o->eps);
        hsize_t n = (hsize_t)o->n;
        if (o->nstate >= 1) rc |= put_dset(g, "s1", H5T_NATIVE_FLOAT, 1, &n, o->s1);
        if (o->nstate >= 2) rc |= put_dset(g, "s2", H5T_NATIVE_FLOAT, 1, &n, o->s2);
    }
    if (st->lbfgs) rc |= write_lbfgs(g, st->lbfgs);
    H5Gclose(g);
    return rc;
}

static int write_history(hid_t f, const lc_history *h) {
    hid_t g = H5Gcreate2(f, "/history", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    int rc = 0;
    hsize_t n = (hsize_t)(h ? h->n : 0);
    if (h && h->n > 0) {
        int *ep = malloc(sizeof(int) * (size_t)h->n);
        if (!ep) rc = -1;
        for (int i = 0; ep && i < h->n; i++) ep[i] = i + 1;
        if (ep) rc |= put_dset(g, "epoch", H5T_NATIVE_INT, 1, &n, ep);
        free(ep);
        rc |= put_dset(g, "loss", H5T_NATIVE_DOUBLE, 1, &n, h->loss);
        rc |= put_dset(g, "train_acc", H5T_NATIVE_DOUBLE, 1, &n, h->train_acc);
        rc |= put_dset(g, "val_acc", H5T_NATIVE_DOUBLE, 1, &n, h->val_acc);
        rc |= put_dset(g, "lr", H5T_NATIVE_DOUBLE, 1, &n, h->lr);
        rc |= put_dset(g, "seconds", H5T_NATIVE_DOUBLE, 1, &n, h->seconds);
    }
    if (h && h->part_steps > 0) {
        rc |= lc_h5_put_attr(g, "partial_loss", H5T_NATIVE_DOUBLE, &h->part_loss);
        rc |= lc_h5_put_attr(g, "partial_correct", H5T_NATIVE_DOUBLE, &h->part_correct);
        rc |= lc_h5_put_attr(g, "partial_steps", H5T_NATIVE_LLONG, &h->part_steps);
    }
    H5Gclose(g);
    return rc;
}

static int write_config(hid_t f, const lc_opt *opts, const void *params) {
    hid_t g = H5Gcreate2(f, "/config", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    int rc = 0;
    for (const lc_opt *o = opts; o->name; o++) {
        char buf[LC_OPT_STRLEN + 64];
        lc_cli_value(o, params, buf, sizeof buf);
        rc |= lc_h5_put_str_attr(g, o->name, buf);
    }
    H5Gclose(g);
    return rc;
}

/* Test hook: LINCLS_CKPT_DELAY_MS pauses between writing the temporary file
 * and renaming it, so a test can kill the job in the middle of a write. */
static void test_delay(void) {
    const char *s = getenv("LINCLS_CKPT_DELAY_MS");
    if (!s) return;
    long ms = atol(s);
    if (ms <= 0) return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The checkpoint is built in memory (HDF5's core driver, no backing store),
 * so no HDF5 call touches the disk and none can fail on a full one; the
 * finished image is then written as bytes through the atomic writer, whose
 * errors name the file and the system's reason. */
static void *build_image(const char *path, const lc_model *m, const lc_ckpt_out *st, size_t *size) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0 || H5Pset_fapl_core(fapl, (size_t)1 << 20, 0) < 0) {
        if (fapl >= 0) H5Pclose(fapl);
        return NULL;
    }
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (f < 0) return NULL;
    int rc = write_model(f, m);
    if (st->dict) {
        lc_err de = {0};
        rc |= lc_bow_dict_write(f, "/model/dictionary", st->dict, &de) != 0;
    }
    rc |= write_optim(f, st);
    rc |= write_history(f, st->hist);
    if (st->config) rc |= write_config(f, st->config, st->params);
    rc |= H5Fflush(f, H5F_SCOPE_GLOBAL) < 0;
    ssize_t n = rc ? -1 : H5Fget_file_image(f, NULL, 0);
    void *img = n > 0 ? malloc((size_t)n) : NULL;
    if (img && H5Fget_file_image(f, img, (size_t)n) != n) {
        free(img);
        img = NULL;
    }
    H5Fclose(f); /* memory only */
    *size = img ? (size_t)n : 0;
    return img;
}

int lc_ckpt_write(const char *path, const lc_model *m, const lc_ckpt_out *st, lc_err *e) {
    lc_h5_quiet();
    size_t size = 0;
    void *img = build_image(path, m, st, &size);
    if (!img) {
        char msg[256];
        return lc_fail(e, LC_EIO, "%s: cannot build the checkpoint: %s", path, lc_h5_errmsg(msg, sizeof msg));
    }
    lc_out o;
    int rc = lc_out_open(&o, path, 0, e);
    if (rc == 0) rc = lc_out_write(&o, img, size, e);
    free(img);
    if (rc == 0) {
        test_delay();
        return lc_out_commit(&o, 1, e);
    }
    lc_out_discard(&o);
    return rc;
}

/* --- reading ------------------------------------------------------------------
 * A checkpoint may come from anywhere (another tool, an edited file): every
 * dataset and attribute is checked for shape, type and value before use, and
 * a failure names the file, the object, what was expected and what was found. */

/* Dataset `name` of group g (shown as /grp/name) into out as float: exactly
 * `expect` numbers (integer or float in the file), of rank `rank` with dims
 * `want` when rank is 2, any shape holding `expect` numbers when rank is 1
 * (a mean image stored as [3,32,32] is its 3072 numbers in order).
 * LC_H5_MISSING when absent. */
static int get_floats(hid_t g, const char *path, const char *grp, const char *name, int rank,
                      const hsize_t *want, size_t expect, float *out, lc_err *e) {
    char full[64], found[256], shape[64];
    snprintf(full, sizeof full, "/%s/%s", grp, name);
    int r;
    hsize_t dims[2] = {0, 0};
    H5T_class_t cls;
    size_t sz;
    if (lc_h5_dset_shape(g, name, 2, &r, dims, &cls, &sz, NULL) == LC_H5_MISSING) return LC_H5_MISSING;
    int ok = (cls == H5T_FLOAT || cls == H5T_INTEGER) && r >= 1;
    if (ok && rank == 2) ok = r == 2 && dims[0] == want[0] && dims[1] == want[1];
    const char *why = ok ? lc_h5_dset_unreadable(g, name, found, sizeof found) : NULL;
    if (why) return lc_fail(e, LC_EDATA, "%s: %s cannot be read: %s", path, full, why);
    hid_t d = ok ? H5Dopen2(g, name, H5P_DEFAULT) : -1;
    if (d >= 0) {
        hid_t s = H5Dget_space(d);
        ok = H5Sget_simple_extent_npoints(s) == (hssize_t)expect;
        H5Sclose(s);
        ok = ok && H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0;
        H5Dclose(d);
    }
    if (ok) return 0;
    if (rank == 2) snprintf(shape, sizeof shape, "[%llu,%llu]", (unsigned long long)want[0], (unsigned long long)want[1]);
    else snprintf(shape, sizeof shape, "[%zu]", expect);
    return lc_fail(e, LC_EDATA, "%s: %s must be float32 %s, found %s", path, full, shape,
                   lc_h5_dset_found(g, name, found, sizeof found));
}

/* The first non-finite value of v (n values), or -1. */
static long long first_nonfinite(const float *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) return (long long)i;
    return -1;
}

static int bad_attr(const char *path, const char *obj, hid_t loc, const char *name, const char *want, lc_err *e) {
    char found[160];
    return lc_fail(e, LC_EDATA, "%s: %s attribute %s must be %s, found %s", path, obj, name, want,
                   lc_h5_attr_found(loc, name, found, sizeof found));
}

static hid_t open_ro(const char *path, lc_err *e) {
    lc_h5_quiet();
    const char *why = lc_file_problem(path);
    if (why) {
        lc_fail(e, LC_EIO, "%s: cannot open checkpoint: it %s", path, why);
        return -1;
    }
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) lc_fail(e, LC_EDATA, "%s: not an HDF5 checkpoint", path);
    return f;
}

/* /model attributes (all optional): loss, margin, input, classes. */
static int read_model_attrs(const char *path, hid_t g, lc_model *m, lc_err *e) {
    char loss[64];
    int rc = lc_h5_get_str_attr(g, "loss", loss, sizeof loss);
    if (rc == LC_H5_WRONG) return bad_attr(path, "/model", g, "loss", "one string", e);
    char names[256];
    if (rc == 0 && lc_loss_parse(loss, &m->loss) != 0)
        return lc_fail(e, LC_EDATA, "%s: /model attribute loss is \"%s\", not one of %s", path, loss,
                       lc_names_list(&lc_loss_names, names, sizeof names));
    rc = lc_h5_get_attr(g, "margin", H5T_NATIVE_FLOAT, &m->margin);
    if (rc == LC_H5_WRONG) return bad_attr(path, "/model", g, "margin", "one number", e);
    if (!(isfinite(m->margin) && m->margin >= 0))
        return lc_fail(e, LC_EDATA, "%s: /model attribute margin is %g (must be finite and >= 0)", path,
                       (double)m->margin);
    rc = lc_h5_get_str_attr(g, "input", m->input, sizeof m->input);
    if (rc == LC_H5_MISSING) m->input[0] = '\0'; /* unknown: weights from elsewhere */
    else if (rc) return bad_attr(path, "/model", g, "input", "one string (\"images\" or a features recipe)", e);
    if (H5Aexists(g, "classes") > 0) {
        hid_t a = H5Aopen(g, "classes", H5P_DEFAULT);
        hid_t s = a >= 0 ? H5Aget_space(a) : -1;
        hssize_t n = s >= 0 ? H5Sget_simple_extent_npoints(s) : -1;
        rc = n == m->K && H5Sget_simple_extent_type(s) == H5S_SIMPLE
                 ? lc_h5_read_strings(a, 1, (size_t)n, &m->classes[0][0], LC_CLASS_NAME_MAX) : -1;
        if (s >= 0) H5Sclose(s);
        if (a >= 0) H5Aclose(a);
        if (rc) {
            char want[64];
            snprintf(want, sizeof want, "%d class names (strings), one per row of /model/W", m->K);
            return bad_attr(path, "/model", g, "classes", want, e);
        }
        m->n_classes = m->K;
    }
    return 0;
}

int lc_ckpt_read_weights(const char *path, lc_model *m, int *has_norm, lc_err *e) {
    memset(m, 0, sizeof *m);
    if (has_norm) *has_norm = 0;
    hid_t f = open_ro(path, e);
    if (f < 0) return e->code;
    int rank;
    hsize_t dims[2] = {0, 0};
    H5T_class_t cls;
    size_t sz;
    char found[256];
    int rc = lc_h5_dset_shape(f, "/model/W", 2, &rank, dims, &cls, &sz, NULL);
    if (rc == LC_H5_MISSING) {
        lc_fail(e, LC_EDATA, "%s: no dataset /model/W (a checkpoint has /model/W float32 [K,D] and /model/b [K])", path);
    } else if (rank != 2 || dims[0] < 1 || dims[1] < 1 || dims[0] > LC_MAX_CLASSES || dims[1] > (1u << 24) ||
               (cls != H5T_FLOAT && cls != H5T_INTEGER)) {
        int flipped = rank == 2 && dims[0] > LC_MAX_CLASSES && dims[1] >= 1 && dims[1] <= LC_MAX_CLASSES;
        lc_fail(e, LC_EDATA, "%s: /model/W must be float32 [K,D] (K classes <= %d, D inputs <= %u), found %s%s", path,
                LC_MAX_CLASSES, 1u << 24, lc_h5_dset_found(f, "/model/W", found, sizeof found),
                flipped ? " (this W looks transposed: store W.T)" : "");
    } else {
        /* a bias of D values next to W [D,K] with D <= 256 gives W away as transposed */
        hsize_t bd[1] = {0};
        if (lc_h5_dset_shape(f, "/model/b", 1, &rank, bd, &cls, &sz, NULL) == 0 && rank == 1 && bd[0] == dims[1] &&
            dims[0] != dims[1])
            lc_fail(e, LC_EDATA, "%s: /model/W is [%llu,%llu] but /model/b has %llu values: W must be [K,D] "
                    "(this W looks transposed: store W.T)", path, (unsigned long long)dims[0],
                    (unsigned long long)dims[1], (unsigned long long)bd[0]);
    }
    const char *why = e->code ? NULL : lc_h5_dset_unreadable(f, "/model/W", found, sizeof found);
    if (why) lc_fail(e, LC_EDATA, "%s: /model/W cannot be read: %s", path, why);
    if (!e->code && lc_model_alloc(m, (int)dims[0], (int)dims[1], e) == LC_ENOMEM) {
        lc_err_clear(e);
        lc_fail(e, LC_ENOMEM, "%s: /model/W [%llu,%llu] needs %.3g GB: out of memory", path,
                (unsigned long long)dims[0], (unsigned long long)dims[1], (double)dims[0] * (double)dims[1] * 4e-9);
    }
    if (e->code) {
        H5Fclose(f);
        return e->code;
    }
    const int K = m->K, D = m->D;
    hid_t g = H5Gopen2(f, "/model", H5P_DEFAULT);
    rc = get_floats(g, path, "model", "W", 2, dims, (size_t)K * D, m->W, e);
    if (!e->code && get_floats(g, path, "model", "b", 1, NULL, (size_t)K, m->b, e) == LC_H5_MISSING)
        lc_fail(e, LC_EDATA, "%s: no dataset /model/b (float32 [%d], the bias; W is [%d,%d])", path, K, K, D);
    int has_mean = 0, has_scale = 0;
    if (!e->code) {
        has_mean = get_floats(g, path, "model", "mean", 1, NULL, (size_t)D, m->mean, e) == 0;
        if (!e->code) has_scale = get_floats(g, path, "model", "scale", 1, NULL, (size_t)D, m->scale, e) == 0;
    }
    if (!e->code && has_mean != has_scale)
        lc_fail(e, LC_EDATA, "%s: /model has %s but no %s (x' = (x - mean) / scale needs both, or neither)", path,
                has_mean ? "mean" : "scale", has_mean ? "scale" : "mean");
    if (!e->code && !has_mean && !has_norm)
        lc_fail(e, LC_EDATA, "%s: /model/mean and /model/scale (float32 [%d]) are missing", path, D);
    if (!e->code) read_model_attrs(path, g, m, e);
    H5Gclose(g);
    H5Fclose(f);
    /* a non-finite model gives meaningless scores: refuse it where it is read */
    long long i;
    if (!e->code && (i = first_nonfinite(m->W, (size_t)K * D)) >= 0)
        lc_fail(e, LC_EDATA, "%s: /model/W has a non-finite value (%g) at [%lld,%lld]", path, (double)m->W[i],
                i / D, i % D);
    if (!e->code && (i = first_nonfinite(m->b, (size_t)K)) >= 0)
        lc_fail(e, LC_EDATA, "%s: /model/b has a non-finite value (%g) at [%lld]", path, (double)m->b[i], i);
    if (!e->code && (i = first_nonfinite(m->mean, (size_t)D)) >= 0)
        lc_fail(e, LC_EDATA, "%s: /model/mean has a non-finite value (%g) at [%lld]", path, (double)m->mean[i], i);
    for (int d = 0; !e->code && d < D; d++)
        if (!(isfinite(m->scale[d]) && m->scale[d] > 0 && isfinite(1.0f / m->scale[d])))
            lc_fail(e, LC_EDATA, "%s: /model/scale must be finite and > 0, found %g at [%d]", path,
                    (double)m->scale[d], d);
    if (e->code) {
        lc_model_free(m);
        return e->code;
    }
    if (has_norm) *has_norm = has_mean;
    lc_model_set_scale(m);
    return 0;
}

/* The epoch in progress (lc_history.part_*): all three attributes or none. */
static int read_partial(hid_t f, lc_history *h) {
    h->part_loss = h->part_correct = 0;
    h->part_steps = 0;
    if (H5Lexists(f, "/history", H5P_DEFAULT) <= 0) return 0;
    hid_t g = H5Gopen2(f, "/history", H5P_DEFAULT);
    if (g < 0) return -1;
    int rc = 0;
    if (H5Aexists(g, "partial_steps") > 0) {
        rc |= lc_h5_get_attr(g, "partial_loss", H5T_NATIVE_DOUBLE, &h->part_loss);
        rc |= lc_h5_get_attr(g, "partial_correct", H5T_NATIVE_DOUBLE, &h->part_correct);
        rc |= lc_h5_get_attr(g, "partial_steps", H5T_NATIVE_LLONG, &h->part_steps);
        if (h->part_steps < 0) rc = -1;
    }
    H5Gclose(g);
    return rc;
}

int lc_ckpt_read_model(const char *path, lc_model *m, lc_err *e) {
    return lc_ckpt_read_weights(path, m, NULL, e);
}

int lc_ckpt_check_fits(const char *path, const lc_model *m, const char *data, int K, int D, const char *input,
                       lc_err *e) {
    if (m->K == K && m->D == D) {
        if (!m->input[0] || !input || strcmp(m->input, input) == 0) return 0;
        return lc_fail(e, LC_EDATA, "%s: the model was trained on input \"%.200s\" but %s holds \"%.200s\" "
                       "(the same K and D, but other inputs: its scores would mean nothing)", path, m->input, data,
                       input);
    }
    return lc_fail(e, LC_EDATA, "%s: /model/W is [%d,%d] but %s has K=%d classes and D=%d inputs: W must be [%d,%d]%s",
                   path, m->K, m->D, data, K, D, K, D,
                   m->K == D && m->D == K ? " (this W is transposed: store W.T)" : "");
}

int lc_ckpt_read_state(const char *path, lc_optim *opt, int64_t *step, int64_t *epoch,
                       uint64_t *seed, lc_history *hist, lc_err *e) {
    hid_t f = open_ro(path, e);
    if (f < 0) return e->code;
    int rank;
    hsize_t d0[1];
    H5T_class_t cls;
    size_t sz;
    hid_t g = -1;
    if (H5Lexists(f, "/optim", H5P_DEFAULT) > 0) g = H5Gopen2(f, "/optim", H5P_DEFAULT);
    if (g < 0) {
        H5Fclose(f);
        return lc_fail(e, LC_EDATA, "%s: no group /optim: not a training checkpoint (its weights can start a run, not continue one)",
                       path);
    }
    long long s = 0, ep = 0, t = 0;
    unsigned long long sd = 0;
    char kind[32];
    const struct { const char *name; hid_t type; void *v; } num[] = {
        {"step", H5T_NATIVE_LLONG, &s}, {"epoch", H5T_NATIVE_LLONG, &ep},
        {"seed", H5T_NATIVE_ULLONG, &sd}, {"t", H5T_NATIVE_LLONG, &t}};
    for (size_t i = 0; i < sizeof num / sizeof *num && !e->code; i++)
        if (lc_h5_get_attr(g, num[i].name, num[i].type, num[i].v))
            bad_attr(path, "/optim", g, num[i].name, "one integer", e);
    if (!e->code && lc_h5_get_str_attr(g, "kind", kind, sizeof kind))
        bad_attr(path, "/optim", g, "kind", "one string (the optimizer)", e);
    if (!e->code && strcmp(kind, lc_optim_name(opt->kind)) != 0)
        lc_fail(e, LC_EARG, "%s: checkpoint was trained with optimizer %s, not %s", path, kind,
                lc_optim_name(opt->kind));
    /* counts of updates and epochs: negative ones would index before the data */
    if (!e->code && s < 0) lc_fail(e, LC_EDATA, "%s: /optim attribute step is %lld (must be >= 0)", path, s);
    if (!e->code && ep < 0) lc_fail(e, LC_EDATA, "%s: /optim attribute epoch is %lld (must be >= 0)", path, ep);
    if (!e->code && (t < 0 || t > s))
        lc_fail(e, LC_EDATA, "%s: /optim attribute t is %lld (must be 0..step = %lld)", path, t, s);
    /* optimizer state: s1 (velocity, or second moments for adagrad and
     * rmsprop), s2 (adam's second moments, >= 0) */
    const char *st[2] = {"s1", "s2"};
    float *sv[2] = {opt->s1, opt->s2};
    for (int k = 0; k < opt->nstate && !e->code; k++) {
        if (get_floats(g, path, "optim", st[k], 1, NULL, opt->n, sv[k], e) == LC_H5_MISSING)
            lc_fail(e, LC_EDATA, "%s: no dataset /optim/%s (the %s optimizer state, float32 [%zu])", path, st[k],
                    lc_optim_name(opt->kind), opt->n);
        int moment = (k == 1) || opt->kind == LC_OPT_ADAGRAD || opt->kind == LC_OPT_RMSPROP;
        for (size_t i = 0; !e->code && i < opt->n; i++)
            if (!isfinite(sv[k][i]) || (moment && sv[k][i] < 0))
                lc_fail(e, LC_EDATA, "%s: /optim/%s has %s value %g at [%zu]", path, st[k],
                        isfinite(sv[k][i]) ? "a negative second-moment" : "a non-finite", (double)sv[k][i], i);
    }
    H5Gclose(g);
    if (!e->code) {
        opt->t = t;
        *step = s;
        *epoch = ep;
        *seed = sd;
    }
    if (!e->code && hist && lc_h5_dset_shape(f, "/history/loss", 1, &rank, d0, &cls, &sz, NULL) == 0) {
        if (rank != 1 || d0[0] > (1u << 24))
            lc_fail(e, LC_EDATA, "%s: /history/loss must be float64 [epochs] (at most 2^24), found %s", path,
                    lc_h5_dset_found(f, "/history/loss", (char[160]){0}, 160));
        hssize_t n = e->code ? 0 : (hssize_t)d0[0];
        double *cols[5] = {0};
        const char *names[5] = {"loss", "train_acc", "val_acc", "lr", "seconds"};
        for (int c = 0; c < 5 && !e->code; c++) cols[c] = lc_calloc((size_t)(n > 0 ? n : 1), sizeof(double), e);
        hid_t hg = e->code ? -1 : H5Gopen2(f, "/history", H5P_DEFAULT);
        for (int c = 0; c < 5 && hg >= 0 && !e->code; c++) {
            char found[160];
            hid_t d = -1;
            if (lc_h5_dset_shape(hg, names[c], 1, &rank, d0, &cls, &sz, NULL) == 0 && rank == 1 && d0[0] == (hsize_t)n &&
                (cls == H5T_FLOAT || cls == H5T_INTEGER))
                d = H5Dopen2(hg, names[c], H5P_DEFAULT);
            if (d < 0 || H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, cols[c]) < 0)
                lc_fail(e, LC_EDATA, "%s: /history/%s must be float64 [%lld] like /history/loss, found %s", path,
                        names[c], (long long)n, lc_h5_dset_found(hg, names[c], found, sizeof found));
            if (d >= 0) H5Dclose(d);
        }
        if (hg >= 0) H5Gclose(hg);
        for (hssize_t i = 0; !e->code && i < n; i++)
            lc_history_push(hist, cols[0][i], cols[1][i], cols[2][i], cols[3][i], cols[4][i], e);
        for (int c = 0; c < 5; c++) free(cols[c]);
    }
    if (!e->code && hist && read_partial(f, hist))
        lc_fail(e, LC_EDATA, "%s: /history attributes partial_loss, partial_correct, partial_steps must be one number each (steps >= 0)", path);
    H5Fclose(f);
    return e->code;
}

/* Dataset `name` of g as exactly `expect` finite doubles (a float class in the
 * file): 0, or -1 when absent, of another size or type, or not finite. */
static int get_doubles(hid_t g, const char *name, size_t expect, double *out) {
    int rank;
    hsize_t dims[2];
    H5T_class_t cls;
    size_t sz;
    char why[160];
    if (lc_h5_dset_shape(g, name, 2, &rank, dims, &cls, &sz, NULL) != 0 || cls != H5T_FLOAT ||
        lc_h5_dset_unreadable(g, name, why, sizeof why))
        return -1;
    hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
    if (d < 0) return -1;
    hid_t sp = H5Dget_space(d);
    int ok = H5Sget_simple_extent_npoints(sp) == (hssize_t)expect &&
             H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0;
    H5Sclose(sp);
    H5Dclose(d);
    for (size_t i = 0; ok && i < expect; i++) ok = isfinite(out[i]);
    return ok ? 0 : -1;
}

int lc_ckpt_read_lbfgs(const char *path, lc_lbfgs *s, lc_err *e) {
    hid_t f = open_ro(path, e);
    if (f < 0) return e->code;
    hid_t g = H5Lexists(f, "/optim", H5P_DEFAULT) > 0 ? H5Gopen2(f, "/optim", H5P_DEFAULT) : -1;
    int m = 0, count = -1, rc = g < 0 ? -1 : 0;
    long long iter = 0, nfev = 0;
    if (rc == 0) {
        rc |= lc_h5_get_attr(g, "m", H5T_NATIVE_INT, &m);
        rc |= lc_h5_get_attr(g, "count", H5T_NATIVE_INT, &count);
    }
    if (rc == 0 && m != s->m) {
        H5Gclose(g);
        H5Fclose(f);
        return lc_fail(e, LC_EARG, "%s: L-BFGS state with history %d, this run has --lbfgs-history %d", path, m,
                       s->m);
    }
    if (rc == 0 && (count < 0 || count > s->m)) rc = -1;
    if (rc == 0) {
        rc |= lc_h5_get_attr(g, "iter", H5T_NATIVE_LLONG, &iter);
        rc |= lc_h5_get_attr(g, "nfev", H5T_NATIVE_LLONG, &nfev);
        rc |= lc_h5_get_attr(g, "f", H5T_NATIVE_DOUBLE, &s->f);
        rc |= lc_h5_get_attr(g, "f_prev", H5T_NATIVE_DOUBLE, &s->f_prev);
        rc |= lc_h5_get_attr(g, "aux", H5T_NATIVE_DOUBLE, &s->aux);
        rc |= lc_h5_get_attr(g, "step_length", H5T_NATIVE_DOUBLE, &s->step);
        rc |= get_doubles(g, "x", s->n, s->x);
        rc |= get_doubles(g, "g", s->n, s->g);
        if (count > 0) {
            /* oldest first in the file: the ring starts at slot 0 */
            rc |= get_doubles(g, "S", (size_t)count * s->n, s->S);
            rc |= get_doubles(g, "Y", (size_t)count * s->n, s->Y);
            rc |= get_doubles(g, "rho", (size_t)count, s->rho);
        }
        for (int i = 0; rc == 0 && i < count; i++)
            if (!(s->rho[i] > 0)) rc = -1; /* 1 / (y.s) of a stored pair is positive */
        if (rc == 0 && (iter < 0 || nfev < 1 || !isfinite(s->f))) rc = -1;
    }
    if (g >= 0) H5Gclose(g);
    H5Fclose(f);
    if (rc)
        return lc_fail(e, LC_EDATA, "%s: the L-BFGS state in /optim (attrs m, count, iter, nfev, f, f_prev, aux, "
                       "step_length; float64 x, g [%zu], S, Y [count, %zu], rho [count], finite) is missing or wrong",
                       path, s->n, s->n);
    s->count = count;
    s->head = 0;
    s->iter = iter;
    s->nfev = nfev;
    return 0;
}

int lc_ckpt_read_config(const char *path, const char *name, char *buf, size_t n) {
    lc_h5_quiet();
    buf[0] = '\0';
    if (lc_file_problem(path)) return LC_H5_MISSING; /* the model read names the problem */
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return LC_H5_MISSING;
    int rc = LC_H5_MISSING;
    if (H5Lexists(f, "/config", H5P_DEFAULT) > 0) {
        hid_t g = H5Gopen2(f, "/config", H5P_DEFAULT);
        rc = g >= 0 ? lc_h5_get_str_attr(g, name, buf, n) : LC_H5_WRONG;
        if (g >= 0) H5Gclose(g);
    }
    H5Fclose(f);
    return rc;
}
