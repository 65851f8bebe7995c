/* features: not written yet */
#include "lincls/util.h"
