# Cross-compiling ohc for 64-bit Windows with Debian's mingw-w64 (gcc, posix threads).
# Test executables run through Wine: ctest uses CMAKE_CROSSCOMPILING_EMULATOR,
# a wrapper that points Wine at this build's test prefix (scripts/wine-run).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(OHC_MINGW_TRIPLET x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${OHC_MINGW_TRIPLET}-gcc)
set(CMAKE_RC_COMPILER ${OHC_MINGW_TRIPLET}-windres)
set(CMAKE_MC_COMPILER ${OHC_MINGW_TRIPLET}-windmc)
set(CMAKE_FIND_ROOT_PATH /usr/${OHC_MINGW_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR ${CMAKE_CURRENT_LIST_DIR}/../scripts/wine-run)
