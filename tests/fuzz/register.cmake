# Registers the fuzz smoke test in a normal (gcc) build: tests/CMakeLists.txt
# does `include(${CMAKE_CURRENT_SOURCE_DIR}/fuzz/register.cmake)`. The script
# builds the fuzzers with clang into build-fuzz and runs each for a fixed
# number of inputs; it skips (77) where clang/libFuzzer are missing.
if(NOT AIOTUNE_FUZZ)
    add_test(NAME fuzz_smoke
             COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/run_fuzzers.sh --runs 25000)
    set_tests_properties(fuzz_smoke PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600
                         LABELS "fuzz" RUN_SERIAL TRUE)
endif()
