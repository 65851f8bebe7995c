/* model: not written yet */
#include "lincls/util.h"
