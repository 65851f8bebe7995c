/* loss: not written yet */
#include "lincls/util.h"
