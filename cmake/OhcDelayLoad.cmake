# Delay-loaded system DLLs for ohc.exe (Windows builds only).
#
# A DLL that is not one of Windows' KnownDLLs (winhttp, bcrypt, crypt32,
# secur32, iphlpapi, userenv, urlmon, version) is searched first in the folder of the .exe when
# it is imported the usual way: a copy of ohc.exe in Downloads would load a
# winhttp.dll planted beside it before main runs. Delay-loaded, these DLLs are
# loaded at their first call, by LoadLibrary, after main's first statement
# (SetDefaultDllDirectories(LOAD_LIBRARY_SEARCH_SYSTEM32)) has limited every
# search to System32. (The PE's DependentLoadFlags would do it at load time on
# Windows 10 1607+, but binutils 2.40 cannot emit it and Wine ignores it.)
# https://learn.microsoft.com/windows/win32/dlls/dynamic-link-library-search-order
#
# ohc::delay_<dll> is the delay-import library made by dlltool from the
# exports of mingw-w64's import library, with libdelayimp's helper.
find_program(OHC_DLLTOOL ${OHC_MINGW_TRIPLET}-dlltool REQUIRED)
find_program(OHC_NM ${OHC_MINGW_TRIPLET}-nm REQUIRED)
find_library(OHC_DELAYIMP delayimp REQUIRED)
set(OHC_DELAY_DIR ${PROJECT_BINARY_DIR}/delayload)
file(MAKE_DIRECTORY ${OHC_DELAY_DIR})
add_library(ohc::delayimp UNKNOWN IMPORTED GLOBAL)
set_target_properties(ohc::delayimp PROPERTIES IMPORTED_LOCATION "${OHC_DELAYIMP}")
foreach(dll winhttp bcrypt crypt32 secur32 iphlpapi userenv urlmon version)
  find_library(OHC_IMPLIB_${dll} ${dll} REQUIRED)
  set(_out ${OHC_DELAY_DIR}/lib${dll}_delay.a)
  add_custom_command(OUTPUT ${_out}
    COMMAND sh ${PROJECT_SOURCE_DIR}/cmake/delaylib.sh ${OHC_NM} ${OHC_DLLTOOL} ${OHC_IMPLIB_${dll}} ${dll}.dll ${_out}
    DEPENDS ${PROJECT_SOURCE_DIR}/cmake/delaylib.sh VERBATIM)
  add_custom_target(ohc_delay_${dll} DEPENDS ${_out})
  add_library(ohc::delay_${dll} STATIC IMPORTED GLOBAL)
  set_target_properties(ohc::delay_${dll} PROPERTIES IMPORTED_LOCATION ${_out}
    INTERFACE_LINK_LIBRARIES ohc::delayimp)
  add_dependencies(ohc::delay_${dll} ohc_delay_${dll})
endforeach()
