# qrt_add_test_executable(TARGET SOURCES ... LIBS ...)
#   One Qt Test executable per module, linking only that module and its dependencies.
function(qrt_add_test_executable target)
    cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
    qt_add_executable(${target} ${ARG_SOURCES})
    target_link_libraries(${target} PRIVATE Qt6::Test ${ARG_LIBS})
    target_include_directories(${target} PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
    qrt_target_warnings(${target})
endfunction()

# qrt_register_test(NAME COMMAND target [ARGS ...] LABELS ... [TIMEOUT s] [ENVIRONMENT k=v ...])
#   Labels: unit, postgres (needs the server scripts/test starts), gui, slow.
function(qrt_register_test name)
    cmake_parse_arguments(ARG "" "COMMAND;TIMEOUT" "ARGS;LABELS;ENVIRONMENT" ${ARGN})
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 300)
    endif()
    add_test(NAME ${name} COMMAND ${ARG_COMMAND} ${ARG_ARGS})
    set_tests_properties(${name} PROPERTIES
        LABELS "${ARG_LABELS}"
        TIMEOUT ${ARG_TIMEOUT}
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;QT_FORCE_STDERR_LOGGING=1;${ARG_ENVIRONMENT}")
    if("postgres" IN_LIST ARG_LABELS)
        # Tests that share the throwaway server run one at a time with each other.
        set_tests_properties(${name} PROPERTIES RESOURCE_LOCK postgres_server)
    endif()
endfunction()
