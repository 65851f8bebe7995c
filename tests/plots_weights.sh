#!/usr/bin/env bash
# plot.py weights: the rows of W as class templates from a checkpoint trained on
# images; a clear refusal for a W that is not 3x32x32 pixels.
# shellcheck source=tests/plots_lib.sh
source "$(dirname "$0")/plots_lib.sh"
testdir plots_weights
train_small soft --loss softmax
plot weights soft.h5 -o w.png || fail "weights plot"
png_check w.png 1000 480
plot weights soft.h5 -o w_small.png --cols 2 --width 400 --height 1000 --smooth --title "templates" \
    || fail "weights plot, 2 columns"
png_check w_small.png 400 1000
# a checkpoint whose W is not 3072 wide is refused with one message, no PNG
"$PY" - <<'PYEOF' || fail "making a features-sized checkpoint"
import h5py, numpy as np
with h5py.File("soft.h5", "r") as f, h5py.File("narrow.h5", "w") as g:
    g["model/W"] = np.zeros((10, 64), np.float32)
    g["model/scale"] = np.ones(64, np.float32)
PYEOF
out=$(plot weights narrow.h5 -o narrow.png 2>&1) && fail "a 64-wide W should be refused"
echo "$out" | grep -q 'error:.*3072' || fail "refusal does not explain the width: $out"
[[ ! -e narrow.png ]] || fail "a refused plot left a PNG"
echo "ok: 64-wide W refused: $out"
