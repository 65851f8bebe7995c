# tests for this area: losses, regularizers, optimizers and `lincls-mpi gradcheck`.

lincls_test_exe(test_loss core/test_loss.c)
lincls_test(NAME loss_unit COMMAND test_loss LABELS loss)

lincls_test_exe(test_optim core/test_optim.c)
lincls_test(NAME optim_unit COMMAND test_optim LABELS loss)

# gradcheck through the launcher: exit code, JSON verdict and messages are
# checked together by a wrapper (PASS_REGULAR_EXPRESSION alone ignores the
# exit code).
set(LC_LOSS_EXPECT sh ${CMAKE_CURRENT_SOURCE_DIR}/loss_expect.sh)
foreach(np 1 2)
  lincls_test(NAME gradcheck_np${np} LABELS loss
    COMMAND ${LC_LOSS_EXPECT} ${np} 0 "^\\{.*\"passed\":true" "PASS" gradcheck)
endforeach()
lincls_test(NAME gradcheck_one_combo LABELS loss
  COMMAND ${LC_LOSS_EXPECT} 2 0 "\"loss\":\"svm2\",\"reg\":\"elastic\".*\"passed\":true" "-"
          gradcheck --loss svm2 --reg elastic --samples 13 --dim 17 --classes 4 --checks 100 --seed 5)
# the check can fail: a gradient scaled by 1.0001 must be caught
lincls_test(NAME gradcheck_detects_wrong_gradient LABELS loss
  COMMAND ${LC_LOSS_EXPECT} 2 1 "\"passed\":false" "FAIL" gradcheck --perturb 1e-4)
lincls_test(NAME gradcheck_bad_loss LABELS loss
  COMMAND ${LC_LOSS_EXPECT} 2 nonzero "-" "--loss.*bogus" gradcheck --loss bogus)
lincls_test(NAME gradcheck_bad_reg LABELS loss
  COMMAND ${LC_LOSS_EXPECT} 1 nonzero "-" "--reg" gradcheck --reg l3)
lincls_test(NAME gradcheck_bad_samples LABELS loss
  COMMAND ${LC_LOSS_EXPECT} 2 nonzero "-" "--samples" gradcheck --samples 0)
lincls_test(NAME gradcheck_bad_flag LABELS loss
  COMMAND ${LC_LOSS_EXPECT} 1 nonzero "-" "--nope" gradcheck --nope 3)
lincls_test(NAME gradcheck_help LABELS loss
  COMMAND ${LC_LOSS_EXPECT} 1 0 "--help" "-" gradcheck --help)
