# tests for this area: `lincls-mpi predict` on image files, the recipe parser
# it uses, and the image loader. predict_tool writes image files from dataset
# rows (stb_image_write, and PPM/PGM by hand) and computes the expected answers
# with its own double-precision loops.
lincls_test_exe(predict_tool ${CMAKE_CURRENT_SOURCE_DIR}/predict_tool.c)
target_include_directories(predict_tool PRIVATE ${STB_INCLUDE_DIR})

set(PREDICT_SH bash ${CMAKE_CURRENT_SOURCE_DIR}/predict.sh $<TARGET_FILE:predict_tool>)
lincls_test(NAME predict_setup COMMAND ${PREDICT_SH} setup
  LABELS predict FIXTURES_REQUIRED fake_data FIXTURES_SETUP predict_models TIMEOUT 600)
foreach(part values json formats refuse)
  lincls_test(NAME predict_${part} COMMAND ${PREDICT_SH} ${part}
    LABELS predict FIXTURES_REQUIRED predict_models TIMEOUT 300)
endforeach()

lincls_test_exe(test_predict ${CMAKE_CURRENT_SOURCE_DIR}/test_predict.c)
target_include_directories(test_predict PRIVATE ${STB_INCLUDE_DIR})
lincls_test(NAME predict_unit
  COMMAND sh -c "rm -rf predict_unit && mkdir predict_unit && \"$<TARGET_FILE:test_predict>\" predict_unit"
  LABELS predict)
