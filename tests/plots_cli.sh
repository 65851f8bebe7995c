#!/usr/bin/env bash
# --help of the plotting and benchmark scripts; missing inputs refused clearly.
# shellcheck source=tests/plots_lib.sh
source "$(dirname "$0")/plots_lib.sh"
testdir plots_cli
root=$(cd "$(dirname "$0")/.." && pwd)
head -n 1 "$PLOT" | grep -qx '#!/usr/bin/python3' || fail "plot.py shebang is not #!/usr/bin/python3"
plot --help | grep -q 'history' || fail "plot.py --help does not list the subcommands"
for sub in history weights confusion sweep lr; do
    plot "$sub" --help | grep -q -- '--width' || fail "plot.py $sub --help lacks --width"
    out=$(plot "$sub" does-not-exist.h5 -o x.png 2>&1) && fail "$sub: a missing input should fail"
    echo "$out" | grep -q "error:.*does-not-exist" || fail "$sub: message does not name the file: $out"
    [[ ! -e x.png ]] || fail "$sub: a failed plot left x.png"
done
echo "ok: plot.py --help and missing inputs"
bash "$root/scripts/bench-train.sh" --help | grep -q 'PyTorch' || fail "bench-train.sh --help"
"$PY" "$root/scripts/bench_torch.py" --help | grep -q -- '--threads' || fail "bench_torch.py --help"
echo "ok: benchmark scripts --help"
