# cJSON, cmocka, libcurl, zlib as imported targets ohc::cjson, ohc::cmocka, ohc::curl, ohc::zlib.
# Natively they come from Debian's -dev packages; for mingw from the cache that
# scripts/bootstrap fills from Debian's source packages (OHC_MINGW_DEPS).
function(ohc_import name lib incdir)
  add_library(ohc::${name} UNKNOWN IMPORTED GLOBAL)
  set_target_properties(ohc::${name} PROPERTIES IMPORTED_LOCATION "${lib}"
    INTERFACE_INCLUDE_DIRECTORIES "${incdir}")
endfunction()

if(WIN32)
  set(OHC_MINGW_DEPS "$ENV{OHC_MINGW_DEPS}" CACHE PATH "Cross-built cJSON/cmocka/curl (scripts/bootstrap)")
  if(NOT EXISTS "${OHC_MINGW_DEPS}/.complete")
    message(FATAL_ERROR "OHC_MINGW_DEPS='${OHC_MINGW_DEPS}' is not a finished dependency cache: run scripts/bootstrap")
  endif()
  ohc_import(cjson "${OHC_MINGW_DEPS}/lib/libcjson.a" "${OHC_MINGW_DEPS}/include")
  ohc_import(cmocka "${OHC_MINGW_DEPS}/lib/libcmocka.a" "${OHC_MINGW_DEPS}/include")
  ohc_import(curl "${OHC_MINGW_DEPS}/lib/libcurl.a" "${OHC_MINGW_DEPS}/include")
  find_library(OHC_ZLIB NAMES libz.a z REQUIRED)
  ohc_import(zlib "${OHC_ZLIB}" "/usr/x86_64-w64-mingw32/include")
  set_property(TARGET ohc::curl PROPERTY INTERFACE_COMPILE_DEFINITIONS CURL_STATICLIB)
  set_property(TARGET ohc::curl PROPERTY INTERFACE_LINK_LIBRARIES
    ohc::zlib ws2_32 crypt32 bcrypt secur32 advapi32 iphlpapi)
else()
  find_library(OHC_CJSON cjson REQUIRED)
  find_path(OHC_CJSON_INC cjson/cJSON.h REQUIRED)
  ohc_import(cjson "${OHC_CJSON}" "${OHC_CJSON_INC}")
  find_library(OHC_CMOCKA cmocka REQUIRED)
  find_path(OHC_CMOCKA_INC cmocka.h REQUIRED)
  ohc_import(cmocka "${OHC_CMOCKA}" "${OHC_CMOCKA_INC}")
  find_package(CURL REQUIRED)
  add_library(ohc::curl ALIAS CURL::libcurl)
  find_package(ZLIB REQUIRED)
  add_library(ohc::zlib ALIAS ZLIB::ZLIB)
endif()
