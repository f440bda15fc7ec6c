/* A bounded reader for the small XML subset that servers and caches send ohc
 * (the OAB manifest, cached Autodiscover answers): untrusted bytes.
 *
 * It reads elements, attributes, text, comments, processing instructions,
 * CDATA, the five predefined entities and character references, and refuses
 * the rest with a message naming the document, line and column: a DOCTYPE (so
 * no entity can be declared or expanded), undeclared entities, an encoding
 * other than UTF-8 (UTF-16, a declaration naming another encoding, invalid
 * UTF-8), and every bound in ohc_xml_limits. It never allocates more than
 * the bounds allow. Namespaces are not resolved: names come as written
 * ("a:Response"); ohc_xml_local_name drops the prefix. */
#ifndef OHC_XML_H
#define OHC_XML_H

#include <stddef.h>

#include "error.h"

typedef struct ohc_xml_limits {
    size_t max_bytes; /* of the whole document */
    size_t max_elements;
    size_t max_depth;
    size_t max_attrs; /* per element */
    size_t max_value; /* bytes of one attribute value or text run, decoded */
    size_t max_name; /* bytes of an element or attribute name */
} ohc_xml_limits;

/* An attribute as the start callback sees it: decoded, NUL-terminated,
 * valid during the callback. */
typedef struct ohc_xml_attr {
    const char *name;
    const char *value;
    const char *at; /* where it starts in the document, for ohc_xml_fail_at */
} ohc_xml_attr;

typedef struct ohc_xml_reader ohc_xml_reader;

/* Callbacks; any may be NULL. depth is the element's own depth (root = 1).
 * A callback returns OHC_OK to go on; anything else stops the parse, which
 * then returns that code (use ohc_xml_fail for a message with a position).
 * text is called with decoded pieces of character data (CDATA included)
 * of the innermost open element, possibly several times per element. */
typedef struct ohc_xml_handler {
    void *user;
    int (*start)(ohc_xml_reader *r, void *user, const char *name, const ohc_xml_attr *attrs, size_t count, size_t depth,
                 const char *at);
    int (*text)(ohc_xml_reader *r, void *user, const char *text, size_t len, size_t depth, const char *at);
    int (*end)(ohc_xml_reader *r, void *user, const char *name, size_t depth, const char *at);
} ohc_xml_handler;

/* Parses len bytes of data (no NUL needed) named doc_name in messages
 * ("oab.xml line 3, column 7: ..."). OHC_OK, or OHC_EMALFORMED / OHC_ELIMIT
 * / OHC_ENOMEM with err->message, or what a callback returned. */
int ohc_xml_parse(const char *data, size_t len, const char *doc_name, const ohc_xml_limits *limits,
                  const ohc_xml_handler *handler, ohc_error *err);

/* For callbacks: records the first failure, at a position of the document
 * (an `at` the reader handed out), and returns code. */
int ohc_xml_fail_at(ohc_xml_reader *r, const char *at, int code, const char *fmt, ...) OHC_PRINTF(4, 5);

/* The name of the open element at depth (1 = root), or "" beyond the open ones. */
const char *ohc_xml_open_element(const ohc_xml_reader *r, size_t depth);

/* "Response" for "a:Response" and for "Response". */
const char *ohc_xml_local_name(const char *name);

#endif
