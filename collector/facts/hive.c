#include "hive.h"

#include <string.h>

int ohc_sid_is_service_account(const char *sid)
{
    return sid != NULL && (!strcmp(sid, "S-1-5-18") || !strcmp(sid, "S-1-5-19") || !strcmp(sid, "S-1-5-20"));
}

int ohc_hive_name_is_user(const char *name)
{
    if (name == NULL || strncmp(name, "S-1-", 4) != 0)
        return 0;
    size_t n = strlen(name);
    if (n >= 8 && !strcmp(name + n - 8, "_Classes"))
        return 0;
    /* A SID is "S-1-" then digits and dashes only: anything else is not a profile. */
    for (const char *p = name + 4; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '-'))
            return 0;
    return !ohc_sid_is_service_account(name);
}
