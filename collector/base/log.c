#include "log.h"

#include <stddef.h>

#include "ascii.h"

ohc_log_level ohc_log_level_from_name(const char *name)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    for (int i = 0; i < 4; i++)
        if (name != NULL && ohc_ascii_ieq(name, names[i]))
            return (ohc_log_level)i;
    return OHC_LOG_INFO;
}
