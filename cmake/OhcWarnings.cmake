# Warnings for every ohc target (not for third-party code, which is never built here).
add_library(ohc_warnings INTERFACE)
target_compile_options(ohc_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wformat-security -Wconversion
  -Wno-sign-conversion -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition
  -Wcast-qual -Wpointer-arith -Wundef -Wvla -Wnull-dereference -Wimplicit-fallthrough
  -Wdouble-promotion)
if(OHC_WERROR)
  target_compile_options(ohc_warnings INTERFACE -Werror)
endif()
if(WIN32)
  # Unicode Win32 API everywhere; Windows 7 is the oldest target (wevtapi, BITS 4).
  target_compile_definitions(ohc_warnings INTERFACE UNICODE _UNICODE WIN32_LEAN_AND_MEAN
    _WIN32_WINNT=0x0601 __USE_MINGW_ANSI_STDIO=1)
else()
  target_compile_definitions(ohc_warnings INTERFACE _GNU_SOURCE)
  target_compile_options(ohc_warnings INTERFACE -fstack-protector-strong)
  if(OHC_FUZZ)
    # Every ohc target gets libFuzzer's coverage instrumentation, ASan and UBSan
    # (any UB report is fatal); tests/fuzz links the fuzzer's main.
    target_compile_options(ohc_warnings INTERFACE -fsanitize=fuzzer-no-link,address,undefined
      -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
    target_link_options(ohc_warnings INTERFACE -fsanitize=address,undefined)
  elseif(OHC_SANITIZE)
    # float-cast-overflow too: GCC leaves it out of "undefined" (clang, in the
    # fuzzers, has it), and untrusted JSON numbers are cast to integers.
    target_compile_options(ohc_warnings INTERFACE -fsanitize=address,undefined,float-cast-overflow
      -fno-sanitize-recover=undefined,float-cast-overflow -fno-omit-frame-pointer)
    target_link_options(ohc_warnings INTERFACE -fsanitize=address,undefined,float-cast-overflow)
  endif()
endif()
