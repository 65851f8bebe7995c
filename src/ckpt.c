/* ckpt: atomic checkpoint write (temp file + fsync + rename) and read. */
#define _POSIX_C_SOURCE 200809L
#include "lincls/ckpt.h"
#include "lincls/h5util.h"

#include <fcntl.h>
#include <hdf5.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

static int put_classes_attr(hid_t loc, const lc_model *m) {
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, LC_CLASS_NAME_MAX);
    H5Tset_strpad(t, H5T_STR_NULLTERM);
    hsize_t n = (hsize_t)m->n_classes;
    hid_t s = H5Screate_simple(1, &n, NULL);
    hid_t a = H5Acreate2(loc, "classes", t, s, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a >= 0 && H5Awrite(a, t, m->classes) >= 0 ? 0 : -1;
    if (a >= 0) H5Aclose(a);
    H5Sclose(s);
    H5Tclose(t);
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
    if (m->n_classes > 0) rc |= put_classes_attr(g, m);
    H5Gclose(g);
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
    H5Gclose(g);
    return rc;
}

static int write_config(hid_t f, const lc_opt *opts, int nopts) {
    hid_t g = H5Gcreate2(f, "/config", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    int rc = 0;
    for (int i = 0; i < nopts; i++) {
        char buf[LC_OPT_STRLEN + 64];
        lc_cli_value(&opts[i], buf, sizeof buf);
        rc |= lc_h5_put_str_attr(g, opts[i].name, buf);
    }
    H5Gclose(g);
    return rc;
}

/* fsync a file or directory by path. */
static int fsync_path(const char *path, int dir) {
    int fd = open(path, dir ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
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

int lc_ckpt_write(const char *path, const lc_model *m, const lc_ckpt_out *st, lc_err *e) {
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) return lc_fail(e, LC_EIO, "%s: cannot create checkpoint (directory missing or not writable?)", tmp);
    int rc = write_model(f, m);
    if (st->dict) {
        lc_err de = {0};
        rc |= lc_bow_dict_write(f, "/model/dictionary", st->dict, &de) != 0;
    }
    rc |= write_optim(f, st);
    rc |= write_history(f, st->hist);
    if (st->config) rc |= write_config(f, st->config, st->nconfig);
    rc |= H5Fclose(f) < 0;
    if (rc == 0) rc = fsync_path(tmp, 0);
    if (rc == 0) test_delay();
    if (rc == 0) rc = rename(tmp, path);
    if (rc != 0) {
        unlink(tmp);
        return lc_fail(e, LC_EIO, "%s: writing the checkpoint failed (disk full?)", path);
    }
    char dirbuf[4200];
    snprintf(dirbuf, sizeof dirbuf, "%s", path);
    fsync_path(dirname(dirbuf), 1);
    return 0;
}

/* --- reading ------------------------------------------------------------------ */
static int get_dset(hid_t loc, const char *name, hid_t type, size_t expect, void *out) {
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0) return -1;
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0) return -1;
    hid_t s = H5Dget_space(d);
    hssize_t n = H5Sget_simple_extent_npoints(s);
    int rc = (n >= 0 && (size_t)n == expect && H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0)
                 ? 0 : -1;
    H5Sclose(s);
    H5Dclose(d);
    return rc;
}

static hid_t open_ro(const char *path, lc_err *e) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        lc_fail(e, LC_EIO, "%s: cannot open checkpoint", path);
        return -1;
    }
    fclose(probe);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) lc_fail(e, LC_EDATA, "%s: not an HDF5 checkpoint", path);
    return f;
}

int lc_ckpt_read_model(const char *path, lc_model *m, lc_err *e) {
    memset(m, 0, sizeof *m);
    hid_t f = open_ro(path, e);
    if (f < 0) return e->code;
    hid_t d = H5Lexists(f, "/model/W", H5P_DEFAULT) > 0 ? H5Dopen2(f, "/model/W", H5P_DEFAULT) : -1;
    hsize_t dims[2] = {0, 0};
    if (d >= 0) {
        hid_t s = H5Dget_space(d);
        if (H5Sget_simple_extent_ndims(s) != 2) dims[0] = 0;
        else H5Sget_simple_extent_dims(s, dims, NULL);
        H5Sclose(s);
        H5Dclose(d);
    }
    if (dims[0] < 1 || dims[1] < 1 || dims[0] > LC_MAX_CLASSES || dims[1] > (1u << 24)) {
        H5Fclose(f);
        return lc_fail(e, LC_EDATA, "%s: /model/W missing or not a [K,D] matrix", path);
    }
    if (lc_model_alloc(m, (int)dims[0], (int)dims[1], e)) {
        H5Fclose(f);
        return e->code;
    }
    hid_t g = H5Gopen2(f, "/model", H5P_DEFAULT);
    int rc = get_dset(g, "W", H5T_NATIVE_FLOAT, (size_t)m->K * m->D, m->W);
    rc |= get_dset(g, "b", H5T_NATIVE_FLOAT, (size_t)m->K, m->b);
    rc |= get_dset(g, "mean", H5T_NATIVE_FLOAT, (size_t)m->D, m->mean);
    rc |= get_dset(g, "scale", H5T_NATIVE_FLOAT, (size_t)m->D, m->scale);
    char loss[64];
    if (lc_h5_get_str_attr(g, "loss", loss, sizeof loss) == 0) {
        if (lc_loss_parse(loss, &m->loss) != 0) rc = -1;
    }
    m->margin = 1.0f;
    lc_h5_get_attr(g, "margin", H5T_NATIVE_FLOAT, &m->margin);
    lc_h5_get_str_attr(g, "input", m->input, sizeof m->input);
    if (H5Aexists(g, "classes") > 0) {
        hid_t a = H5Aopen(g, "classes", H5P_DEFAULT);
        hid_t s = H5Aget_space(a);
        hssize_t n = H5Sget_simple_extent_npoints(s);
        hid_t t = H5Tcopy(H5T_C_S1);
        H5Tset_size(t, LC_CLASS_NAME_MAX);
        if (n > 0 && n <= LC_MAX_CLASSES && H5Aread(a, t, m->classes) >= 0) m->n_classes = (int)n;
        H5Tclose(t);
        H5Sclose(s);
        H5Aclose(a);
    }
    H5Gclose(g);
    H5Fclose(f);
    if (rc) {
        lc_model_free(m);
        return lc_fail(e, LC_EDATA, "%s: /model is incomplete or has wrong shapes", path);
    }
    lc_model_set_scale(m);
    return 0;
}

int lc_ckpt_read_state(const char *path, lc_optim *opt, int64_t *step, int64_t *epoch,
                       uint64_t *seed, lc_history *hist, lc_err *e) {
    hid_t f = open_ro(path, e);
    if (f < 0) return e->code;
    int rc = -1;
    hid_t g = H5Lexists(f, "/optim", H5P_DEFAULT) > 0 ? H5Gopen2(f, "/optim", H5P_DEFAULT) : -1;
    if (g >= 0) {
        long long s = 0, ep = 0, t = 0;
        unsigned long long sd = 0;
        char kind[32];
        rc = lc_h5_get_attr(g, "step", H5T_NATIVE_LLONG, &s);
        rc |= lc_h5_get_attr(g, "epoch", H5T_NATIVE_LLONG, &ep);
        rc |= lc_h5_get_attr(g, "seed", H5T_NATIVE_ULLONG, &sd);
        rc |= lc_h5_get_attr(g, "t", H5T_NATIVE_LLONG, &t);
        rc |= lc_h5_get_str_attr(g, "kind", kind, sizeof kind);
        if (rc == 0 && strcmp(kind, lc_optim_name(opt->kind)) != 0) {
            H5Gclose(g);
            H5Fclose(f);
            return lc_fail(e, LC_EARG, "%s: checkpoint was trained with --optimizer %s, not %s", path,
                           kind, lc_optim_name(opt->kind));
        }
        if (opt->nstate >= 1) rc |= get_dset(g, "s1", H5T_NATIVE_FLOAT, opt->n, opt->s1);
        if (opt->nstate >= 2) rc |= get_dset(g, "s2", H5T_NATIVE_FLOAT, opt->n, opt->s2);
        opt->t = t;
        *step = s;
        *epoch = ep;
        *seed = sd;
        H5Gclose(g);
    }
    if (rc == 0 && hist && H5Lexists(f, "/history/loss", H5P_DEFAULT) > 0) {
        hid_t d = H5Dopen2(f, "/history/loss", H5P_DEFAULT);
        hid_t s = H5Dget_space(d);
        hssize_t n = H5Sget_simple_extent_npoints(s);
        H5Sclose(s);
        H5Dclose(d);
        double *cols[5];
        const char *names[5] = {"loss", "train_acc", "val_acc", "lr", "seconds"};
        for (int c = 0; c < 5; c++) cols[c] = calloc((size_t)(n > 0 ? n : 1), sizeof(double));
        hid_t hg = H5Gopen2(f, "/history", H5P_DEFAULT);
        for (int c = 0; c < 5; c++)
            if (!cols[c] || get_dset(hg, names[c], H5T_NATIVE_DOUBLE, (size_t)n, cols[c])) rc = -1;
        H5Gclose(hg);
        for (hssize_t i = 0; rc == 0 && i < n; i++)
            if (lc_history_push(hist, cols[0][i], cols[1][i], cols[2][i], cols[3][i], cols[4][i], e))
                rc = -1;
        for (int c = 0; c < 5; c++) free(cols[c]);
    }
    H5Fclose(f);
    if (rc) return lc_fail(e, LC_EDATA, "%s: optimizer state or history missing or wrong size", path);
    return 0;
}

int lc_ckpt_read_config(const char *path, const char *name, char *buf, size_t n) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return -1;
    int rc = -1;
    if (H5Lexists(f, "/config", H5P_DEFAULT) > 0) {
        hid_t g = H5Gopen2(f, "/config", H5P_DEFAULT);
        rc = lc_h5_get_str_attr(g, name, buf, n);
        H5Gclose(g);
    }
    H5Fclose(f);
    return rc;
}
