/* The native build's ohc_platform (collector/pipeline/platform.h). */
#ifndef OHC_PLATFORM_POSIX_H
#define OHC_PLATFORM_POSIX_H

#include "platform.h"

/* Static; filled on the first call. */
const ohc_platform *ohc_posix_platform(void);

#endif
