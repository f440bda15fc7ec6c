#include "oab_local.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil_time.h"
#include "os.h"
#include "probe.h"

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

typedef struct cursor {
    const uint8_t *base, *p, *end;
    ohc_error *err;
} cursor;

static int bad(cursor *c, const char *what)
{
    return ohc_error_set(c->err, OHC_EMALFORMED, 0, "udetails.oab offset %zu: %s", (size_t)(c->p - c->base), what);
}

/* Integer32 as the v4 records encode it: one byte up to 0x7F, or 0x81-0x84
 * followed by that many little-endian bytes. */
static int read_int(cursor *c, uint32_t *out)
{
    if (c->p >= c->end)
        return bad(c, "a number runs past the end of the record");
    uint8_t b = *c->p;
    if (b <= 0x7F) {
        c->p++;
        *out = b;
        return OHC_OK;
    }
    if (b < 0x81 || b > 0x84)
        return bad(c, "a number starts with a byte that is no length (not 0x81-0x84)");
    size_t n = (size_t)(b - 0x80);
    if ((size_t)(c->end - c->p) < n + 1)
        return bad(c, "a number runs past the end of the record");
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint32_t)c->p[1 + i] << (8 * i);
    c->p += n + 1;
    *out = v;
    return OHC_OK;
}

/* A NUL-terminated string; copied into out (truncated to size - 1) when out is not NULL. */
static int read_string(cursor *c, char *out, size_t size)
{
    const uint8_t *nul = memchr(c->p, 0, (size_t)(c->end - c->p));
    if (nul == NULL)
        return bad(c, "a string has no end in its record");
    if (out != NULL) {
        size_t n = (size_t)(nul - c->p);
        if (n >= size)
            n = size - 1;
        memcpy(out, c->p, n);
        out[n] = '\0';
    }
    c->p = nul + 1;
    return OHC_OK;
}

/* One value of property type `type` (the tag's low 16 bits, multi-valued bit removed). */
static int read_value(cursor *c, uint32_t type, uint32_t *num, char *str, size_t str_size)
{
    uint32_t n;
    switch (type) {
    case 0x0003: /* PtypInteger32 */ return read_int(c, num);
    case 0x000B: /* PtypBoolean */
        if (c->p >= c->end)
            return bad(c, "a boolean runs past the end of the record");
        *num = *c->p++;
        return OHC_OK;
    case 0x001E: /* PtypString8 */
    case 0x001F: /* PtypString (UTF-8 in the file) */ return read_string(c, str, str_size);
    case 0x0102: /* PtypBinary: length, bytes */
        if (read_int(c, &n) != OHC_OK)
            return c->err->code;
        if ((size_t)(c->end - c->p) < n)
            return bad(c, "a binary value runs past the end of the record");
        c->p += n;
        return OHC_OK;
    default: {
        char what[80];
        snprintf(what, sizeof what, "property type 0x%04X has no known encoding", (unsigned)type);
        return bad(c, what);
    }
    }
}

int ohc_oab_details_header_parse(ohc_oab_details_header *out, const uint8_t *data, size_t len, ohc_error *err)
{
    ohc_error local;
    if (err == NULL)
        err = &local;
    memset(out, 0, sizeof *out);
    out->sequence = -1;
    if (len < 12)
        return ohc_error_set(err, OHC_EMALFORMED, 0, "udetails.oab: %zu bytes, shorter than its 12-byte OAB_HDR", len);
    out->version = le32(data);
    out->serial = le32(data + 4);
    out->total_records = le32(data + 8);
    if (out->version != 0x20)
        return OHC_OK;
    cursor c = {data, data + 12, data + len, err};
    /* The metadata record: cbSize, then the header record's property table. */
    if (len < 20)
        return bad(&c, "the metadata record is cut off (a prefix of the file too short?)");
    uint32_t meta_size = le32(c.p);
    if (meta_size < 8 || meta_size > len - 12)
        return ohc_error_set(err, meta_size > len - 12 ? OHC_ELIMIT : OHC_EMALFORMED, 0,
                             "udetails.oab offset 12: metadata record of %u bytes %s", (unsigned)meta_size,
                             meta_size < 8 ? "is too short" : "goes past the bytes read");
    const uint8_t *meta_end = c.p + meta_size;
    uint32_t atts = le32(c.p + 4);
    if (atts > OHC_OAB_LOCAL_MAX_ATTRS || (size_t)atts * 8 > (size_t)(meta_end - (c.p + 8)))
        return bad(&c, "the header record's property table does not fit its metadata record");
    const uint8_t *table = c.p + 8;
    c.p = meta_end;
    /* The header record: cbSize, presence bits (MSB of the first byte first), values in table order. */
    if ((size_t)(c.end - c.p) < 4)
        return bad(&c, "the header record is cut off");
    uint32_t rec_size = le32(c.p);
    if (rec_size < 4 || rec_size > (size_t)(c.end - c.p))
        return ohc_error_set(err, rec_size < 4 ? OHC_EMALFORMED : OHC_ELIMIT, 0,
                             "udetails.oab offset %zu: header record of %u bytes %s", (size_t)(c.p - data),
                             (unsigned)rec_size, rec_size < 4 ? "is too short" : "goes past the bytes read");
    cursor r = {data, c.p + 4, c.p + rec_size, err};
    size_t bits = ((size_t)atts + 7) / 8;
    if ((size_t)(r.end - r.p) < bits)
        return bad(&r, "the header record's presence bits do not fit it");
    const uint8_t *present = r.p;
    r.p += bits;
    for (uint32_t i = 0; i < atts; i++) {
        if (!(present[i / 8] & (0x80u >> (i % 8))))
            continue;
        uint32_t tag = le32(table + (size_t)i * 8);
        uint32_t type = tag & 0xFFFFu;
        char *str = NULL;
        size_t str_size = 0;
        if (tag == OHC_OAB_TAG_NAME)
            str = out->name, str_size = sizeof out->name;
        else if (tag == OHC_OAB_TAG_DN)
            str = out->dn, str_size = sizeof out->dn;
        else if (tag == OHC_OAB_TAG_CONTAINER_GUID)
            str = out->container_guid, str_size = sizeof out->container_guid;
        uint32_t num = 0;
        if (type & 0x1000u) { /* multi-valued: count, then the values */
            uint32_t count;
            if (read_int(&r, &count) != OHC_OK)
                return err->code;
            for (uint32_t k = 0; k < count; k++)
                if (read_value(&r, type & ~0x1000u, &num, NULL, 0) != OHC_OK)
                    return err->code;
            continue;
        }
        if (read_value(&r, type, &num, str, str_size) != OHC_OK)
            return err->code;
        if (tag == OHC_OAB_TAG_SEQUENCE)
            out->sequence = num;
    }
    out->v4 = 1;
    return OHC_OK;
}

/* ------------------------------------------------------------------------ */

static int read_head(uint8_t **out, size_t *out_len, const char *path, ohc_error *err)
{
    *out = NULL;
    *out_len = 0;
    ohc_os_file *f = NULL;
    int rc = ohc_os_file_open_read(&f, path, err);
    if (rc != OHC_OK)
        return rc;
    uint8_t *buf = malloc(OHC_OAB_LOCAL_HEAD_MAX);
    if (buf == NULL) {
        ohc_os_file_close(f);
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    }
    size_t len = 0;
    while (len < OHC_OAB_LOCAL_HEAD_MAX) {
        size_t got = 0;
        rc = ohc_os_file_read(f, buf + len, OHC_OAB_LOCAL_HEAD_MAX - len, &got, err);
        if (rc != OHC_OK || got == 0)
            break;
        len += got;
    }
    ohc_os_file_close(f);
    if (rc != OHC_OK) {
        free(buf);
        return rc;
    }
    *out = buf;
    *out_len = len;
    return OHC_OK;
}

static cJSON *details_json(const ohc_oab_details_header *h)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    char hex[16];
    snprintf(hex, sizeof hex, "0x%X", (unsigned)h->version);
    cJSON_AddStringToObject(o, "file", "udetails.oab");
    cJSON_AddNumberToObject(o, "version", h->version);
    cJSON_AddStringToObject(o, "version_hex", hex);
    cJSON_AddNumberToObject(o, "serial", h->serial);
    cJSON_AddNumberToObject(o, "total_records", h->total_records);
    if (h->v4) {
        cJSON_AddStringToObject(o, "name", h->name);
        cJSON_AddStringToObject(o, "dn", h->dn);
        cJSON_AddStringToObject(o, "container_guid", h->container_guid);
        h->sequence >= 0 ? (void)cJSON_AddNumberToObject(o, "sequence", (double)h->sequence)
                         : (void)cJSON_AddNullToObject(o, "sequence");
    } else {
        /* Not a v4 Full Details file: no header record is documented to read. */
        cJSON_AddNullToObject(o, "name");
        cJSON_AddNullToObject(o, "dn");
        cJSON_AddNullToObject(o, "container_guid");
        cJSON_AddNullToObject(o, "sequence");
    }
    return o;
}

int ohc_oab_local_folder(cJSON *folders, const char *path, const char *folder_name, int64_t now_ms)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || !cJSON_AddItemToArray(folders, o)) {
        cJSON_Delete(o);
        return -1;
    }
    cJSON_AddStringToObject(o, "folder", folder_name);
    cJSON_AddStringToObject(o, "path", path);
    cJSON *files = cJSON_AddArrayToObject(o, "files");
    if (files == NULL)
        return -1;
    ohc_os_dirent *list = NULL;
    size_t count = 0;
    ohc_error err;
    ohc_error_clear(&err);
    int problems = 0;
    int rc = ohc_os_list_dir(&list, &count, path, &err);
    if (rc != OHC_OK) {
        cJSON_AddItemToObject(o, "list_error", ohc_error_to_json(&err));
        problems = 1;
    } else {
        cJSON_AddNullToObject(o, "list_error");
    }
    uint64_t total = 0;
    int64_t newest = INT64_MIN;
    int has_details = 0;
    for (size_t i = 0; i < count; i++) {
        total += list[i].size;
        if (list[i].mtime_ms > newest)
            newest = list[i].mtime_ms;
        has_details |= strcmp(list[i].name, "udetails.oab") == 0;
        if (i >= OHC_OAB_LOCAL_MAX_FILES)
            continue;
        cJSON *f = cJSON_CreateObject();
        if (f == NULL || !cJSON_AddItemToArray(files, f)) {
            cJSON_Delete(f);
            ohc_os_dirents_free(list, count);
            return -1;
        }
        char when[32];
        ohc_format_rfc3339_utc(when, list[i].mtime_ms);
        cJSON_AddStringToObject(f, "name", list[i].name);
        cJSON_AddNumberToObject(f, "size", (double)list[i].size);
        cJSON_AddStringToObject(f, "modified", when);
    }
    ohc_os_dirents_free(list, count);
    cJSON_AddBoolToObject(o, "files_capped", count > OHC_OAB_LOCAL_MAX_FILES);
    cJSON_AddNumberToObject(o, "total_size", (double)total);
    if (newest != INT64_MIN) {
        char when[32];
        ohc_format_rfc3339_utc(when, newest);
        cJSON_AddStringToObject(o, "newest_modified", when);
        cJSON_AddNumberToObject(o, "newest_age_days", (double)((now_ms - newest) / 3600000) / 24.0);
    } else {
        cJSON_AddNullToObject(o, "newest_modified");
        cJSON_AddNullToObject(o, "newest_age_days");
    }
    if (!has_details) {
        cJSON_AddNullToObject(o, "details");
        cJSON_AddNullToObject(o, "details_error");
        return problems;
    }
    char file[1200];
    snprintf(file, sizeof file, "%s%cudetails.oab", path, ohc_os_path_sep());
    uint8_t *head = NULL;
    size_t len = 0;
    ohc_oab_details_header h;
    ohc_error_clear(&err);
    rc = read_head(&head, &len, file, &err);
    if (rc == OHC_OK)
        rc = ohc_oab_details_header_parse(&h, head, len, &err);
    free(head);
    if (rc == OHC_ENOMEM)
        return -1;
    if (rc != OHC_OK) {
        cJSON_AddNullToObject(o, "details");
        cJSON_AddItemToObject(o, "details_error", ohc_error_to_json(&err));
        return 1;
    }
    cJSON *d = details_json(&h);
    if (d == NULL)
        return -1;
    cJSON_AddItemToObject(o, "details", d);
    cJSON_AddNullToObject(o, "details_error");
    return problems;
}
