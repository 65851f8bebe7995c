# Trainer: end to end, reproducibility across rank counts, resume, failures.
set(TRAIN_SH ${CMAKE_CURRENT_SOURCE_DIR})
lincls_test(NAME train_e2e COMMAND bash ${TRAIN_SH}/train_e2e.sh
  LABELS train FIXTURES_REQUIRED "fake_data;fake_big_data" TIMEOUT 900)
lincls_test(NAME train_rank_invariance COMMAND bash ${TRAIN_SH}/train_invariance.sh
  LABELS train FIXTURES_REQUIRED fake_data TIMEOUT 300)
lincls_test(NAME train_resume COMMAND bash ${TRAIN_SH}/train_resume.sh
  LABELS train FIXTURES_REQUIRED fake_data TIMEOUT 300)
lincls_test(NAME train_bad_flags COMMAND bash ${TRAIN_SH}/train_badflags.sh
  LABELS train FIXTURES_REQUIRED fake_data TIMEOUT 180)
lincls_test(NAME train_failures COMMAND bash ${TRAIN_SH}/train_failures.sh
  LABELS train FIXTURES_REQUIRED fake_data TIMEOUT 180)
lincls_test(NAME train_on_features COMMAND bash ${TRAIN_SH}/train_features.sh
  LABELS "train;features" FIXTURES_REQUIRED fake_big_data TIMEOUT 180)
lincls_test(NAME train_preempt COMMAND bash ${TRAIN_SH}/train_preempt.sh
  LABELS train FIXTURES_REQUIRED fake_data TIMEOUT 600)
# Checkpoints (train, search, sweep) and metrics on a full disk: a real one (a
# small tmpfs; needs root with CAP_SYS_ADMIN, skipped otherwise) and a
# file-size limit (runs anywhere).
foreach(mode tmpfs limit)
  lincls_test(NAME train_full_disk_${mode} COMMAND bash ${TRAIN_SH}/train_full.sh ${mode}
    LABELS "train;search;sweep" FIXTURES_REQUIRED fake_data TIMEOUT 240)
endforeach()
lincls_test(NAME train_outputs_naming_inputs COMMAND bash ${TRAIN_SH}/train_outputs.sh
  LABELS "train;search;sweep" FIXTURES_REQUIRED fake_data TIMEOUT 240)
# Bad checkpoints, weights from another tool, bad resume state (issue 8):
# crafted with h5py (skipped without it).
foreach(group refuse weights)
  lincls_test(NAME read_checkpoint_${group} COMMAND bash ${TRAIN_SH}/read_checkpoint.sh ${group}
    LABELS "train;badinput" FIXTURES_REQUIRED fake_data TIMEOUT 600)
endforeach()
lincls_test(NAME read_resume COMMAND bash ${TRAIN_SH}/read_resume.sh
  LABELS "train;badinput" FIXTURES_REQUIRED fake_data TIMEOUT 600)
# The README's h5py recipe for a dataset file, run as printed, then trained on.
lincls_test(NAME readme_h5py_dataset COMMAND bash ${TRAIN_SH}/readme_h5py.sh
  LABELS "train;badinput" FIXTURES_REQUIRED fake_data TIMEOUT 600)
