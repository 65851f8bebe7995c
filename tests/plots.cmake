# Pictures (scripts/plot.py) on tiny synthetic runs: each PNG exists, is a PNG
# and has the requested pixel size. Skipped (77) without Debian's python3-h5py
# and python3-matplotlib.
set(PLOTS_SH ${CMAKE_CURRENT_SOURCE_DIR})
foreach(t history weights confusion sweep cli centroids)
  lincls_test(NAME plots_${t} COMMAND bash ${PLOTS_SH}/plots_${t}.sh
    LABELS plots FIXTURES_REQUIRED fake_data TIMEOUT 240)
endforeach()
