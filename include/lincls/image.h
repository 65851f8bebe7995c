/* image: a user's image file (PNG, JPEG, PPM/PGM, BMP, GIF, TGA, ... anything
 * stb_image decodes) as one 3x32x32 planar uint8 image, the layout of a
 * dataset row (R plane, G plane, B plane, each row-major 32x32).
 *
 * Decoding and resizing are stb_image's and stb_image_resize's (Debian
 * libstb-dev); the only pixel code here is the layout change:
 *   - the decoder converts grey to RGB and drops alpha (desired channels = 3);
 *   - an image of another size is resized to 32x32 with stbir_resize_uint8
 *     (linear colour space, its default filters: Mitchell when shrinking,
 *     Catmull-Rom when enlarging), stretched to 32x32 without cropping, so a
 *     non-square image changes aspect ratio; a 32x32 image is used as it is,
 *     pixel for pixel;
 *   - interleaved RGB (height x width x 3) becomes planar 3 x 32 x 32. */
#ifndef LINCLS_IMAGE_H
#define LINCLS_IMAGE_H

#include <stdint.h>

#include "lincls/util.h"

#define LC_IMAGE_SIDE 32
#define LC_IMAGE_BYTES (3 * LC_IMAGE_SIDE * LC_IMAGE_SIDE)

/* Decodes path into out (LC_IMAGE_BYTES). *w, *h (may be NULL) get the file's
 * own size. Fails with LC_EIO when the file cannot be opened (naming it and
 * the system's reason) and LC_EDATA when it is not an image the decoder reads
 * (naming it and the decoder's reason). */
int lc_image_load32(const char *path, uint8_t *out, int *w, int *h, lc_err *e);

/* Layout conversion alone: interleaved RGB 32x32x3 -> planar 3x32x32. */
void lc_image_hwc_to_planar(const uint8_t *hwc, uint8_t *planar);

#endif
