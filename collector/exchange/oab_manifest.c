#include "oab_manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "xml.h"

static const ohc_xml_limits manifest_limits = {
    .max_bytes = OHC_OAB_MANIFEST_MAX_BYTES,
    .max_elements = OHC_OAB_MANIFEST_MAX_ELEMENTS,
    .max_depth = OHC_OAB_MANIFEST_MAX_DEPTH,
    .max_attrs = OHC_OAB_MANIFEST_MAX_ATTRS,
    .max_value = OHC_OAB_MANIFEST_MAX_VALUE,
    .max_name = OHC_OAB_MANIFEST_MAX_NAME,
};

typedef struct manifest_reader {
    ohc_oab_manifest *m;
    /* The file element being read (depth 3 under OAL), its text so far. */
    ohc_oab_file *file;
    char text[OHC_OAB_MANIFEST_MAX_VALUE + 1];
    size_t text_len;
} manifest_reader;

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const ohc_xml_attr *find_attr(const ohc_xml_attr *attrs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(attrs[i].name, name) == 0)
            return &attrs[i];
    return NULL;
}

static int copy_attr(ohc_xml_reader *r, char *out, size_t size, const ohc_xml_attr *attrs, size_t n, const char *name,
                     const char *element)
{
    const ohc_xml_attr *a = find_attr(attrs, n, name);
    if (a == NULL) {
        out[0] = '\0';
        return OHC_OK;
    }
    size_t len = strlen(a->value);
    if (len >= size)
        return ohc_xml_fail_at(r, a->at, OHC_ELIMIT, "%s attribute '%s' longer than %zu bytes", element, name,
                               size - 1);
    memcpy(out, a->value, len + 1);
    return OHC_OK;
}

/* A decimal (or hex) number attribute; absent = -1. */
static int number_attr(ohc_xml_reader *r, int64_t *out, const ohc_xml_attr *attrs, size_t n, const char *name, int hex,
                       const char *element)
{
    const ohc_xml_attr *a = find_attr(attrs, n, name);
    *out = -1;
    if (a == NULL)
        return OHC_OK;
    const char *s = a->value;
    while (is_space(*s))
        s++;
    uint64_t v = 0;
    size_t digits = 0;
    for (; *s && !is_space(*s); s++, digits++) {
        int d = hex ? ohc_ascii_hex_value(*s) : (*s >= '0' && *s <= '9' ? *s - '0' : -1);
        if (d < 0 || digits >= (hex ? 8u : 15u))
            return ohc_xml_fail_at(r, a->at, OHC_EMALFORMED, "%s attribute %s=\"%.40s\" is not a %s number", element,
                                   name, a->value, hex ? "hex" : "decimal");
        v = v * (hex ? 16u : 10u) + (uint64_t)d;
    }
    while (is_space(*s))
        s++;
    if (digits == 0 || *s)
        return ohc_xml_fail_at(r, a->at, OHC_EMALFORMED, "%s attribute %s=\"%.40s\" is not a %s number", element, name,
                               a->value, hex ? "hex" : "decimal");
    *out = (int64_t)v;
    return OHC_OK;
}

static int start_oal(ohc_xml_reader *r, manifest_reader *mr, const ohc_xml_attr *attrs, size_t n, const char *at)
{
    ohc_oab_manifest *m = mr->m;
    if (m->oal_count >= OHC_OAB_MANIFEST_MAX_OALS)
        return ohc_xml_fail_at(r, at, OHC_ELIMIT, "more than %u OAL elements", OHC_OAB_MANIFEST_MAX_OALS);
    ohc_oab_oal *grown = realloc(m->oals, (m->oal_count + 1) * sizeof *grown);
    if (grown == NULL)
        return ohc_xml_fail_at(r, at, OHC_ENOMEM, "out of memory");
    m->oals = grown;
    ohc_oab_oal *o = &m->oals[m->oal_count];
    memset(o, 0, sizeof *o);
    o->first_file = m->file_count;
    m->oal_count++;
    int rc = copy_attr(r, o->id, sizeof o->id, attrs, n, "id", "OAL");
    if (rc == OHC_OK)
        rc = copy_attr(r, o->dn, sizeof o->dn, attrs, n, "dn", "OAL");
    if (rc == OHC_OK)
        rc = copy_attr(r, o->name, sizeof o->name, attrs, n, "name", "OAL");
    return rc;
}

static int start_file(ohc_xml_reader *r, manifest_reader *mr, ohc_oab_file_kind kind, const char *element,
                      const ohc_xml_attr *attrs, size_t n, const char *at)
{
    ohc_oab_manifest *m = mr->m;
    if (m->file_count >= OHC_OAB_MANIFEST_MAX_FILES)
        return ohc_xml_fail_at(r, at, OHC_ELIMIT, "more than %u Full/Diff/Template elements",
                               OHC_OAB_MANIFEST_MAX_FILES);
    ohc_oab_file *grown = realloc(m->files, (m->file_count + 1) * sizeof *grown);
    if (grown == NULL)
        return ohc_xml_fail_at(r, at, OHC_ENOMEM, "out of memory");
    m->files = grown;
    ohc_oab_file *f = &m->files[m->file_count++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    m->oals[m->oal_count - 1].file_count++;
    int rc = number_attr(r, &f->seq, attrs, n, "seq", 0, element);
    if (rc == OHC_OK)
        rc = number_attr(r, &f->ver, attrs, n, "ver", 0, element);
    if (rc == OHC_OK)
        rc = number_attr(r, &f->size, attrs, n, "size", 0, element);
    if (rc == OHC_OK)
        rc = number_attr(r, &f->uncompressed_size, attrs, n, "uncompressedsize", 0, element);
    if (rc == OHC_OK)
        rc = number_attr(r, &f->langid, attrs, n, "langid", 1, element);
    if (rc == OHC_OK)
        rc = copy_attr(r, f->sha, sizeof f->sha, attrs, n, "SHA", element);
    if (rc == OHC_OK)
        rc = copy_attr(r, f->type, sizeof f->type, attrs, n, "type", element);
    mr->file = f;
    mr->text_len = 0;
    return rc;
}

static int on_start(ohc_xml_reader *r, void *user, const char *name, const ohc_xml_attr *attrs, size_t n, size_t depth,
                    const char *at)
{
    manifest_reader *mr = user;
    if (depth == 1)
        return strcmp(name, "OAB") == 0
                   ? OHC_OK
                   : ohc_xml_fail_at(r, at, OHC_EMALFORMED, "the root element is <%s>, not <OAB>: not an OAB manifest",
                                     name);
    if (depth == 2 && strcmp(name, "OAL") == 0)
        return start_oal(r, mr, attrs, n, at);
    if (depth == 3 && strcmp(ohc_xml_open_element(r, 2), "OAL") == 0 && mr->m->oal_count > 0) {
        if (strcmp(name, "Full") == 0)
            return start_file(r, mr, OHC_OAB_FULL, "Full", attrs, n, at);
        if (strcmp(name, "Diff") == 0)
            return start_file(r, mr, OHC_OAB_DIFF, "Diff", attrs, n, at);
        if (strcmp(name, "Template") == 0)
            return start_file(r, mr, OHC_OAB_TEMPLATE, "Template", attrs, n, at);
    }
    return OHC_OK;
}

/* Text inside a file element is its file name; elsewhere it is dropped. */
static int on_text(ohc_xml_reader *r, void *user, const char *s, size_t n, size_t depth, const char *at)
{
    manifest_reader *mr = user;
    if (mr->file == NULL || depth != 3)
        return OHC_OK;
    if (mr->text_len + n > OHC_OAB_MANIFEST_MAX_VALUE)
        return ohc_xml_fail_at(r, at, OHC_ELIMIT, "text of a file element longer than %u bytes",
                               OHC_OAB_MANIFEST_MAX_VALUE);
    memcpy(mr->text + mr->text_len, s, n);
    mr->text_len += n;
    return OHC_OK;
}

static int on_end(ohc_xml_reader *r, void *user, const char *name, size_t depth, const char *at)
{
    (void)name;
    manifest_reader *mr = user;
    if (depth != 3 || mr->file == NULL)
        return OHC_OK;
    size_t b = 0, e = mr->text_len;
    while (b < e && is_space(mr->text[b]))
        b++;
    while (e > b && is_space(mr->text[e - 1]))
        e--;
    if (e - b >= sizeof mr->file->name)
        return ohc_xml_fail_at(r, at, OHC_ELIMIT, "file name longer than %zu bytes", sizeof mr->file->name - 1);
    memcpy(mr->file->name, mr->text + b, e - b);
    mr->file->name[e - b] = '\0';
    mr->file = NULL;
    return OHC_OK;
}

int ohc_oab_manifest_parse(ohc_oab_manifest *out, const char *data, size_t len, ohc_error *err)
{
    memset(out, 0, sizeof *out);
    manifest_reader *mr = calloc(1, sizeof *mr);
    if (mr == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    mr->m = out;
    ohc_xml_handler h = {.user = mr, .start = on_start, .text = on_text, .end = on_end};
    int rc = ohc_xml_parse(data, len, "oab.xml", &manifest_limits, &h, err);
    free(mr);
    if (rc != OHC_OK)
        ohc_oab_manifest_free(out);
    return rc;
}

void ohc_oab_manifest_free(ohc_oab_manifest *m)
{
    if (m == NULL)
        return;
    free(m->oals);
    free(m->files);
    memset(m, 0, sizeof *m);
}

const ohc_oab_file *ohc_oab_manifest_full(const ohc_oab_manifest *m, size_t oal_index)
{
    if (oal_index >= m->oal_count)
        return NULL;
    const ohc_oab_oal *o = &m->oals[oal_index];
    const ohc_oab_file *best = NULL;
    for (size_t i = o->first_file; i < o->first_file + o->file_count && i < m->file_count; i++)
        if (m->files[i].kind == OHC_OAB_FULL && (best == NULL || m->files[i].seq > best->seq))
            best = &m->files[i];
    return best;
}

static void add_num(cJSON *o, const char *name, int64_t v)
{
    if (v < 0)
        cJSON_AddNullToObject(o, name);
    else
        cJSON_AddNumberToObject(o, name, (double)v);
}

static cJSON *file_json(const ohc_oab_file *f)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    add_num(o, "seq", f->seq);
    if (f->kind != OHC_OAB_DIFF)
        add_num(o, "ver", f->ver);
    add_num(o, "size", f->size);
    if (f->kind == OHC_OAB_FULL) {
        add_num(o, "uncompressed_size", f->uncompressed_size);
        cJSON_AddStringToObject(o, "sha", f->sha);
    }
    if (f->kind == OHC_OAB_TEMPLATE) {
        char lcid[16];
        if (f->langid >= 0)
            snprintf(lcid, sizeof lcid, "%04X", (unsigned)f->langid);
        f->langid >= 0 ? (void)cJSON_AddStringToObject(o, "langid", lcid) : (void)cJSON_AddNullToObject(o, "langid");
        cJSON_AddStringToObject(o, "type", f->type);
    }
    cJSON_AddStringToObject(o, "file", f->name);
    return o;
}

cJSON *ohc_oab_manifest_to_json(const ohc_oab_manifest *m)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *oals = cJSON_AddArrayToObject(root, "oals");
    if (oals == NULL) {
        cJSON_Delete(root);
        return NULL;
    }
    int64_t max_seq = -1;
    for (size_t i = 0; i < m->oal_count; i++) {
        const ohc_oab_oal *o = &m->oals[i];
        cJSON *jo = cJSON_CreateObject();
        cJSON_AddItemToArray(oals, jo);
        cJSON_AddStringToObject(jo, "id", o->id);
        cJSON_AddStringToObject(jo, "dn", o->dn);
        cJSON_AddStringToObject(jo, "name", o->name);
        const ohc_oab_file *full = ohc_oab_manifest_full(m, i);
        if (full != NULL) {
            cJSON_AddItemToObject(jo, "full", file_json(full));
            if (full->seq > max_seq)
                max_seq = full->seq;
        } else {
            cJSON_AddNullToObject(jo, "full");
        }
        cJSON *diffs = cJSON_AddArrayToObject(jo, "diffs");
        cJSON *templates = cJSON_AddArrayToObject(jo, "templates");
        for (size_t k = o->first_file; k < o->first_file + o->file_count && k < m->file_count; k++) {
            const ohc_oab_file *f = &m->files[k];
            if (f->kind == OHC_OAB_DIFF)
                cJSON_AddItemToArray(diffs, file_json(f));
            else if (f->kind == OHC_OAB_TEMPLATE)
                cJSON_AddItemToArray(templates, file_json(f));
        }
    }
    add_num(root, "full_seq_max", max_seq);
    return root;
}
