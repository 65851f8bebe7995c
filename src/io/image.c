/* image: decode a user's image file with stb_image, resize it to 32x32 with
 * stb_image_resize, and lay it out as a dataset row (planar RGB). */
#define _POSIX_C_SOURCE 200809L
#include "lincls/image.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h>
#include <stb_image_resize.h>

void lc_image_hwc_to_planar(const uint8_t *hwc, uint8_t *planar) {
    enum { NPIX = LC_IMAGE_SIDE * LC_IMAGE_SIDE };
    for (int i = 0; i < NPIX; i++)
        for (int c = 0; c < 3; c++) planar[c * NPIX + i] = hwc[3 * i + c];
}

int lc_image_load32(const char *path, uint8_t *out, int *w, int *h, lc_err *e) {
    /* Open the file ourselves: the system's reason ("No such file or
     * directory", "Permission denied", "Is a directory") says more than the
     * decoder's "can't fopen". A pipe, socket or device is refused before
     * the open, which would wait for a writer forever on a FIFO. */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
        return lc_fail(e, LC_EIO, "%s: cannot read image: not a regular file (a device, pipe or socket)", path);
    FILE *f = fopen(path, "rb");
    if (!f) return lc_fail(e, LC_EIO, "%s: cannot open image: %s", path, strerror(errno));
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return lc_fail(e, LC_EIO, "%s: cannot read image: %s", path, strerror(EISDIR));
    }
    int x = 0, y = 0, n = 0;
    errno = 0;
    unsigned char *pix = stbi_load_from_file(f, &x, &y, &n, 3);
    int read_error = ferror(f), err = errno;
    fclose(f);
    if (!pix) {
        if (read_error) return lc_fail(e, LC_EIO, "%s: cannot read image: %s", path, strerror(err ? err : EIO));
        const char *why = stbi_failure_reason();
        return lc_fail(e, LC_EDATA, "%s: not an image the decoder can read (%s)", path,
                       why ? why : "no reason given");
    }
    if (w) *w = x;
    if (h) *h = y;
    unsigned char hwc[LC_IMAGE_BYTES];
    int ok = 1;
    if (x == LC_IMAGE_SIDE && y == LC_IMAGE_SIDE)
        memcpy(hwc, pix, sizeof hwc);
    else
        ok = stbir_resize_uint8(pix, x, y, 0, hwc, LC_IMAGE_SIDE, LC_IMAGE_SIDE, 0, 3);
    stbi_image_free(pix);
    if (!ok) return lc_fail(e, LC_ENOMEM, "%s: resizing the %dx%d image to 32x32 failed (out of memory?)", path, x, y);
    lc_image_hwc_to_planar(hwc, out);
    return 0;
}
