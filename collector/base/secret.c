#include "secret.h"

#include <stdlib.h>
#include <string.h>

void ohc_secret_wipe(void *p, size_t n)
{
    /* Stores through a volatile pointer are observable: none is dropped. */
    volatile unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        b[i] = 0;
}

void ohc_secret_free(char *s)
{
    if (s == NULL)
        return;
    ohc_secret_wipe(s, strlen(s));
    free(s);
}
