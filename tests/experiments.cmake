# Experiments at cluster scale: the jobs/*.sbatch scripts submitted to a real, local,
# single-node SLURM (label "slurm"). scripts/slurm-local.sh starts it as the fixture
# "slurm" and stops it afterwards; every test skips (exit 77, "SKIPPED: reason") where
# slurm-wlm / munge are not installed. Run them alone with: ctest -L slurm
#
# All cluster state lives in one short directory under TMPDIR (unix socket paths must
# stay short), named after this build tree so that two build trees on one machine get
# two clusters (slurm-local.sh derives the ports from the directory name too).
string(MD5 _lc_slurm_hash "${CMAKE_CURRENT_BINARY_DIR}")
string(SUBSTRING "${_lc_slurm_hash}" 0 10 _lc_slurm_hash)
set(_lc_tmp "$ENV{TMPDIR}")
if(NOT _lc_tmp)
  set(_lc_tmp /tmp)
endif()
set(LC_SLURM_DIR "${_lc_tmp}/lincls-slurm-${_lc_slurm_hash}")
set(LC_SLURM_ENV "LINCLS_SLURM_DIR=${LC_SLURM_DIR}" "SLURM_CONF=${LC_SLURM_DIR}/etc/slurm.conf")

lincls_test(NAME slurm_start
  COMMAND bash ${LC_TESTS_DIR}/slurm_start.sh
  LABELS slurm FIXTURES_SETUP slurm TIMEOUT 120 ENV ${LC_SLURM_ENV})
lincls_test(NAME slurm_stop
  COMMAND bash ${LC_TESTS_DIR}/slurm_stop.sh
  LABELS slurm TIMEOUT 120 ENV ${LC_SLURM_ENV})
set_tests_properties(slurm_stop PROPERTIES FIXTURES_CLEANUP slurm)

# --help of every job script and helper (no cluster needed).
lincls_test(NAME slurm_jobs_help
  COMMAND bash ${LC_TESTS_DIR}/slurm_job.sh help
  LABELS slurm)

# One test per job script. The jobs share the cluster's 8 task slots, so under
# ctest -j they queue behind each other: generous timeouts.
foreach(job train sweep-array sweep-grouped search scaling)
  lincls_test(NAME slurm_job_${job}
    COMMAND bash ${LC_TESTS_DIR}/slurm_job.sh ${job}
    LABELS slurm FIXTURES_REQUIRED "fake_data;slurm" TIMEOUT 300
    ENV ${LC_SLURM_ENV} LC_SLURM_WAIT=270)
endforeach()
# train.sbatch signalled (by scancel, and by a one-minute time limit), requeued,
# resumed: a few minutes, most of them waiting for SLURM's time-limit signal.
lincls_test(NAME slurm_job_train_preempt
  COMMAND bash ${LC_TESTS_DIR}/slurm_job.sh train-preempt
  LABELS slurm FIXTURES_REQUIRED "fake_data;slurm" TIMEOUT 900
  ENV ${LC_SLURM_ENV} LC_SLURM_WAIT=420)
