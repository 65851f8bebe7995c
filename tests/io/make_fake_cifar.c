/* make_fake_cifar: deterministic synthetic CIFAR-10 binary distribution.
 *
 *   make_fake_cifar OUT [--records N] [--format tgz|dir] [--seed S] [--reverse]
 *                   [--fault SPEC] [--pax RECORDS]
 *
 * tgz: OUT is a real gzip'ed ustar archive laid out like the official one: a
 * directory entry cifar-10-batches-bin/ first, then batches.meta.txt,
 * data_batch_1..5.bin, test_batch.bin (--reverse: members in reverse order, to
 * exercise out-of-order streaming). dir: OUT is the extracted folder itself.
 *
 * Images are learnable by a linear classifier: each class has a fixed random
 * template (values 40..215) and each record adds independent noise in
 * [-30, 30]; labels are pseudo-random per (member, record). Everything is a
 * pure function of (seed, member, record, pixel), so any test can recompute it.
 *
 * Faults (one per run), for the converter's refusal tests:
 *   missing:MEMBER   leave MEMBER out          nometa     leave batches.meta.txt out
 *   short:MEMBER     drop its last 100 bytes   long:MEMBER   append one record
 *   badlabel:MEMBER:RECORD[:VALUE]  label byte of RECORD set to VALUE (default 10)
 *   shortmeta        only 9 class names        truncate   cut the .tar.gz at 55%
 *   notgzip          plain (uncompressed) tar  nottar     gzip of text, not a tar
 * --pax RECORDS puts a pax extended header ('x' entry) holding RECORDS (with
 * "\n" for newlines, written as given, malformed or not) before
 * data_batch_1.bin. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define RECORD 3073
#define IMAGE 3072
#define NMEMBERS 7
#define META 0 /* index into k_names */

static const char *const k_names[NMEMBERS] = {
    "batches.meta.txt", "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
    "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"};
static const char *const k_classes[10] = {"airplane", "automobile", "bird", "cat", "deer",
                                          "dog", "frog", "horse", "ship", "truck"};
static const char k_folder[] = "cifar-10-batches-bin";

typedef struct {
    char out[4096];
    long records;
    int tgz, reverse;
    uint64_t seed;
    char fault[32];       /* kind */
    int fault_member;     /* index into k_names, -1 none */
    long fault_record;
    int fault_value;
    char pax[1024];       /* pax records before data_batch_1.bin; "" none */
    size_t pax_len;
} config;

static void die(const char *fmt, const char *arg) {
    fprintf(stderr, "make_fake_cifar: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    exit(2);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n);
    if (!p) die("out of memory%s", "");
    return p;
}

/* splitmix64 finalizer: a good 64-bit mix, used as a counter-based generator. */
static uint64_t mix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t draw(uint64_t seed, uint64_t stream, uint64_t index) {
    return mix(mix(seed * 0x2545f4914f6cdd1dull + stream) ^ index);
}

/* Builds one member's bytes in a malloc'd buffer (length in *len). */
static uint8_t *make_member(const config *c, int m, size_t *len) {
    if (m == META) {
        char *t = xmalloc(512);
        size_t n = 0;
        int k = strcmp(c->fault, "shortmeta") == 0 ? 9 : 10;
        for (int i = 0; i < k; i++) n += (size_t)sprintf(t + n, "%s\n", k_classes[i]);
        n += (size_t)sprintf(t + n, "\n"); /* the official file ends with a blank line */
        *len = n;
        return (uint8_t *)t;
    }
    size_t n = (size_t)c->records * RECORD;
    uint8_t *b = xmalloc(n + RECORD);
    uint8_t tmpl[10][IMAGE];
    for (int k = 0; k < 10; k++)
        for (int p = 0; p < IMAGE; p++) tmpl[k][p] = (uint8_t)(40 + draw(c->seed, 1000 + k, p) % 176);
    for (long r = 0; r < c->records; r++) {
        uint8_t *rec = b + (size_t)r * RECORD;
        int label = (int)(draw(c->seed, 2000 + m, r) % 10);
        rec[0] = (uint8_t)label;
        for (int p = 0; p < IMAGE; p++) {
            int v = tmpl[label][p] + (int)(draw(c->seed, 3000 + m, (uint64_t)r * IMAGE + p) % 61) - 30;
            rec[1 + p] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
    if (c->fault_member == m) {
        if (strcmp(c->fault, "short") == 0) n = n > 100 ? n - 100 : 0;
        if (strcmp(c->fault, "long") == 0) { memcpy(b + n, b, RECORD); n += RECORD; }
        if (strcmp(c->fault, "badlabel") == 0) b[(size_t)c->fault_record * RECORD] = (uint8_t)c->fault_value;
    }
    *len = n;
    return b;
}

static int member_present(const config *c, int m) {
    if (m == META && strcmp(c->fault, "nometa") == 0) return 0;
    return !(strcmp(c->fault, "missing") == 0 && c->fault_member == m);
}

/* --- tar writer ------------------------------------------------------------ */

static void put_octal(char *dst, size_t width, unsigned long long v) {
    snprintf(dst, width, "%0*llo", (int)width - 1, v);
}

static void tar_header(gzFile g, const char *name, size_t size, char type) {
    char h[512];
    memset(h, 0, sizeof h);
    snprintf(h, 100, "%s", name);
    put_octal(h + 100, 8, type == '5' ? 0755 : 0644);
    put_octal(h + 108, 8, 0);
    put_octal(h + 116, 8, 0);
    put_octal(h + 124, 12, size);
    put_octal(h + 136, 12, 1230768000ull); /* fixed mtime: byte-identical reruns */
    h[156] = type;
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memcpy(h + 265, "root", 4);
    memcpy(h + 297, "root", 4);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++) sum += (unsigned char)h[i];
    snprintf(h + 148, 8, "%06o", sum);
    h[155] = ' ';
    gzwrite(g, h, 512);
}

static void tar_data(gzFile g, const uint8_t *d, size_t n) {
    static const char zero[512];
    if (n) gzwrite(g, d, (unsigned)n);
    if (n % 512) gzwrite(g, zero, (unsigned)(512 - n % 512));
}

static void write_tgz(const config *c) {
    int plain = strcmp(c->fault, "notgzip") == 0;
    gzFile g = gzopen(c->out, plain ? "wbT" : "wb6"); /* T: zlib's uncompressed mode */
    if (!g) die("cannot create %s", c->out);
    if (strcmp(c->fault, "nottar") == 0) {
        for (int i = 0; i < 200; i++) gzputs(g, "this is a gzip'ed text file, not a tar archive\n");
        gzclose(g);
        return;
    }
    size_t total = 0;
    char name[256];
    snprintf(name, sizeof name, "%s/", k_folder);
    tar_header(g, name, 0, '5');
    total += 512;
    for (int j = 0; j < NMEMBERS; j++) {
        int m = c->reverse ? NMEMBERS - 1 - j : j;
        if (!member_present(c, m)) continue;
        size_t len;
        uint8_t *d = make_member(c, m, &len);
        if (c->pax_len && m == 1) {
            snprintf(name, sizeof name, "%s/PaxHeaders/%s", k_folder, k_names[m]);
            tar_header(g, name, c->pax_len, 'x');
            tar_data(g, (const uint8_t *)c->pax, c->pax_len);
            total += 512 + (c->pax_len + 511) / 512 * 512;
        }
        snprintf(name, sizeof name, "%s/%s", k_folder, k_names[m]);
        tar_header(g, name, len, '0');
        tar_data(g, d, len);
        total += 512 + (len + 511) / 512 * 512;
        free(d);
    }
    /* End marker (two zero blocks), padded to tar's 10240-byte record. */
    static const uint8_t zero[512];
    total += 1024;
    tar_data(g, zero, 512);
    tar_data(g, zero, 512);
    for (; total % 10240; total += 512) tar_data(g, zero, 512);
    if (gzclose(g) != Z_OK) die("cannot write %s", c->out);
    if (strcmp(c->fault, "truncate") == 0) {
        struct stat st;
        if (stat(c->out, &st) != 0 || truncate(c->out, st.st_size * 55 / 100) != 0)
            die("cannot truncate %s", c->out);
    }
}

/* --- folder writer --------------------------------------------------------- */

static void mkdirs(const char *path) {
    char p[4096];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0755);
            *s = '/';
        }
    if (mkdir(p, 0755) != 0 && errno != EEXIST) die("cannot create directory %s", path);
}

static void write_dir(const config *c) {
    mkdirs(c->out);
    char path[4400];
    for (int m = 0; m < NMEMBERS; m++) {
        snprintf(path, sizeof path, "%s/%s", c->out, k_names[m]);
        if (!member_present(c, m)) {
            unlink(path);
            continue;
        }
        size_t len;
        uint8_t *d = make_member(c, m, &len);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(d, 1, len, f) != len || fclose(f) != 0) die("cannot write %s", path);
        free(d);
    }
}

/* --- command line ---------------------------------------------------------- */

static int find_member(const char *name) {
    for (int m = 0; m < NMEMBERS; m++)
        if (strcmp(name, k_names[m]) == 0) return m;
    return -1;
}

/* SPEC: kind[:MEMBER[:RECORD[:VALUE]]] */
static void parse_fault(config *c, const char *spec) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", spec);
    char *kind = strtok(buf, ":"), *member = strtok(NULL, ":"), *rec = strtok(NULL, ":"),
         *val = strtok(NULL, ":");
    if (!kind) die("bad --fault '%s'", spec);
    snprintf(c->fault, sizeof c->fault, "%s", kind);
    int needs_member = !strcmp(kind, "missing") || !strcmp(kind, "short") || !strcmp(kind, "long") ||
                       !strcmp(kind, "badlabel");
    int plain = !strcmp(kind, "truncate") || !strcmp(kind, "notgzip") || !strcmp(kind, "nottar") ||
                !strcmp(kind, "nometa") || !strcmp(kind, "shortmeta");
    if (!needs_member && !plain) die("unknown fault '%s'", kind);
    if (needs_member) {
        if (!member || (c->fault_member = find_member(member)) < 0) die("fault needs a member name: '%s'", spec);
        if ((!strcmp(kind, "short") || !strcmp(kind, "long") || !strcmp(kind, "badlabel")) &&
            c->fault_member == META)
            die("fault '%s' applies to a .bin member", spec);
    }
    if (!strcmp(kind, "badlabel")) {
        if (!rec) die("badlabel needs MEMBER:RECORD: '%s'", spec);
        c->fault_record = atol(rec);
        c->fault_value = val ? atoi(val) : 10;
    }
}

/* RECORDS with "\n" turned into newlines. */
static void parse_pax(config *c, const char *v) {
    size_t n = 0;
    for (const char *p = v; *p && n + 1 < sizeof c->pax; p++) {
        if (p[0] == '\\' && p[1] == 'n') {
            c->pax[n++] = '\n';
            p++;
        } else {
            c->pax[n++] = *p;
        }
    }
    c->pax_len = n;
}

static void usage(void) {
    printf("usage: make_fake_cifar OUT [--records N] [--format tgz|dir] [--seed S] [--reverse]\n"
           "                       [--fault missing:MEMBER|short:MEMBER|long:MEMBER|\n"
           "                                badlabel:MEMBER:RECORD[:VALUE]|truncate|notgzip|\n"
           "                                nottar|nometa|shortmeta] [--pax RECORDS]\n"
           "Defaults: --records 60 (per member) --format tgz --seed 1\n");
}

int main(int argc, char **argv) {
    config c = {.records = 60, .tgz = 1, .seed = 1, .fault_member = -1};
    int have_out = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help")) { usage(); return 0; }
        if (!strcmp(a, "--reverse")) { c.reverse = 1; continue; }
        if (a[0] != '-') {
            if (have_out++) die("more than one OUT: '%s'", a);
            snprintf(c.out, sizeof c.out, "%s", a);
            continue;
        }
        if (!v) die("option %s needs a value", a);
        i++;
        if (!strcmp(a, "--records")) c.records = atol(v);
        else if (!strcmp(a, "--seed")) c.seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--format") && (!strcmp(v, "tgz") || !strcmp(v, "dir"))) c.tgz = !strcmp(v, "tgz");
        else if (!strcmp(a, "--fault")) parse_fault(&c, v);
        else if (!strcmp(a, "--pax")) parse_pax(&c, v);
        else die("bad option or value: %s", a);
    }
    if (!have_out) { usage(); return 2; }
    if (c.records < 1 || c.records > 100000) die("--records must be 1..100000", "");
    if (!strcmp(c.fault, "badlabel") && (c.fault_record < 0 || c.fault_record >= c.records))
        die("badlabel record out of range", "");
    if (!c.tgz && (!strcmp(c.fault, "truncate") || !strcmp(c.fault, "notgzip") || !strcmp(c.fault, "nottar")))
        die("fault '%s' needs --format tgz", c.fault);
    if (c.pax_len && !c.tgz) die("--pax needs --format tgz%s", "");
    if (c.tgz) write_tgz(&c);
    else write_dir(&c);
    return 0;
}
