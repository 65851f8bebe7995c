# tests for this area: the L-BFGS module (pure algorithm, known minimizers) and
# `train --optimizer lbfgs` (learning, resume bit for bit, rank invariance).
lincls_test_exe(test_lbfgs ${CMAKE_CURRENT_SOURCE_DIR}/core/test_lbfgs.c)
lincls_test(NAME lbfgs_unit COMMAND test_lbfgs LABELS "loss;lbfgs")
foreach(part learn ranks resume refuse)
  lincls_test(NAME lbfgs_train_${part} COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/lbfgs_train.sh ${part}
    LABELS "train;lbfgs" FIXTURES_REQUIRED "fake_data;fake_big_data" TIMEOUT 400)
endforeach()
