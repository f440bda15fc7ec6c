/* ohc.exe's ohc_platform (collector/pipeline/platform.h): the probes of
 * win32/probes/, the registry as the settings store, the proxy Windows picks,
 * and `ohc service`. main_win32.c hands it to ohc_cli_main. */
#ifndef OHC_PLATFORM_WIN32_H
#define OHC_PLATFORM_WIN32_H

#include "platform.h"

/* Static; filled on the first call. */
const ohc_platform *ohc_win32_platform(void);

#endif
