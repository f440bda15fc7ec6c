/* Secrets in memory (the upload token, a proxy password): wiped before the
 * memory is freed or goes out of scope, in a way the compiler keeps. A plain
 * memset before free() or a return is a dead store that -O2 removes (GCC
 * did, in ohc_config_load_with and the upload token's reading). The Windows
 * code uses SecureZeroMemory, which is the same thing. */
#ifndef OHC_SECRET_H
#define OHC_SECRET_H

#include <stddef.h>

/* Sets n bytes at p to zero; never optimised away. p may be NULL when n is 0. */
void ohc_secret_wipe(void *p, size_t n);

/* Wipes the NUL-terminated heap string s, then frees it. NULL is allowed. */
void ohc_secret_free(char *s);

#endif
