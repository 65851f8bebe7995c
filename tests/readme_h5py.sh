#!/usr/bin/env bash
# The README's "Making a dataset file with h5py" function, run exactly as
# printed: the images and labels of fake.h5 (as [N, 32, 32, 3] arrays, the
# way image libraries return them) written through it train bitwise the same
# model as fake.h5 itself; an empty test split written through it works too.
source "$(dirname "$0")/read_lib.sh"
testdir readme_h5py
readme=$(dirname "$0")/../README.md
# the first python block after the heading, verbatim
"$PY" - "$readme" > snippet.py <<'PY' || fail "no python block under 'Making a dataset file with h5py' in README.md"
import sys
text = open(sys.argv[1], encoding="utf-8").read()
rest = text.split("### Making a dataset file with h5py", 1)[1]
block = rest.split("```python\n", 1)[1].split("```", 1)[0]
assert "def write_lincls_dataset" in block
sys.stdout.write(block)
PY
"$PY" - <<'PY' || fail "the README's snippet failed"
import h5py, numpy as np
exec(open("snippet.py").read())
with h5py.File("../fake.h5") as d:
    classes = [c.decode() for c in d["classes"][:]]
    xt = d["train/images"][:].transpose(0, 2, 3, 1)  # -> [N, 32, 32, 3]
    xv = d["test/images"][:].transpose(0, 2, 3, 1)
    yt = [int(v) for v in d["train/labels"][:]]      # plain Python ints
    yv = d["test/labels"][:]
write_lincls_dataset("mine.h5", classes, xt, yt, xv, yv)
write_lincls_dataset("mine_notest.h5", classes, xt, yt, np.zeros((0, 32, 32, 3), np.uint8), [])
PY
echo "ok: the README's function wrote mine.h5 and mine_notest.h5"
d=(--val 40 --epochs 2 --batch 64 --quiet)
mpi 2 train --data ../fake.h5 "${d[@]}" --checkpoint ref.h5 > ref.json 2>&1 || fail "training on fake.h5: $(cat ref.json)"
expect_ok "train on the README-made file" mpi 2 train --data mine.h5 "${d[@]}" --checkpoint mine_ckpt.h5
same_model ref.h5 mine_ckpt.h5 || fail "the README-made file trains a different model than fake.h5"
echo "ok: the README-made file trains bitwise the same model as fake.h5"
expect_ok "eval on the README-made file" mpi 2 eval --data mine.h5 --model mine_ckpt.h5
expect_ok "train on the README-made file without test images" mpi 2 train --data mine_notest.h5 "${d[@]}"
[[ $(tail -n 1 ok.json | json_get test_acc) == null ]] || fail "no test images: test_acc is not null"
