# Version and build identification compiled into ohc (report.collector).
find_package(Git QUIET)
set(OHC_BUILD_COMMIT "unknown")
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} describe --always --dirty --abbrev=12
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} OUTPUT_VARIABLE _commit
    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _rc)
  if(_rc EQUAL 0 AND _commit)
    set(OHC_BUILD_COMMIT "${_commit}")
  endif()
endif()
configure_file(${PROJECT_SOURCE_DIR}/collector/base/version.h.in
  ${PROJECT_BINARY_DIR}/generated/ohc_version.h @ONLY)
