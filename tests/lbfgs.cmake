# tests for this area: the L-BFGS module (pure algorithm, known minimizers) and
# `train --optimizer lbfgs` (learning, resume bit for bit, rank invariance).
lincls_test_exe(test_lbfgs ${CMAKE_CURRENT_SOURCE_DIR}/test_lbfgs.c)
lincls_test(NAME lbfgs_unit COMMAND test_lbfgs LABELS "loss;lbfgs")
lincls_test(NAME lbfgs_train COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/lbfgs_train.sh
  LABELS "train;lbfgs" FIXTURES_REQUIRED "fake_data;fake_big_data" TIMEOUT 400)
