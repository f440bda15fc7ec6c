/* The local OAB copy: the v4 Full Details header ([MS-OXOAB] 2.9: OAB_HDR,
 * the metadata record, the header record's name, DN, container GUID and
 * sequence) from bytes built as the spec lays them out, damaged headers
 * (each an error naming the offset), and one GUID folder's facts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* rmdir; mingw has it too */

#include <cmocka.h>

#include "oab_local.h"
#include "os.h"
#include "report.h"

typedef struct bytes {
    uint8_t b[1024];
    size_t n;
} bytes;

static void put32(bytes *x, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        x->b[x->n++] = (uint8_t)(v >> (8 * i));
}

static void put(bytes *x, const void *p, size_t n)
{
    memcpy(x->b + x->n, p, n);
    x->n += n;
}

/* A v4 udetails.oab head: name, DN, sequence 300 (0x82 0x2C 0x01), container GUID,
 * and a multi-valued binary property before them that must be stepped over. */
static void build_v4(bytes *x)
{
    memset(x, 0, sizeof *x);
    put32(x, 0x20);
    put32(x, 0x1234);
    put32(x, 2);
    static const uint32_t tags[] = {0x68081102u, OHC_OAB_TAG_NAME, OHC_OAB_TAG_DN, OHC_OAB_TAG_SEQUENCE,
                                    OHC_OAB_TAG_CONTAINER_GUID};
    put32(x, 4 + 4 + 5 * 8 + 4); /* metadata: cbSize, header table, object table (empty) */
    put32(x, 5);
    for (int i = 0; i < 5; i++) {
        put32(x, tags[i]);
        put32(x, 0);
    }
    put32(x, 0);
    size_t rec = x->n;
    put32(x, 0); /* cbSize, set below */
    x->b[x->n++] = 0xF8; /* five properties present */
    put(x, "\x02\x03\xAA\xBB\xCC\x00", 6); /* two binaries: 3 bytes, 0 bytes */
    put(x, "\\Global Address List", 21);
    put(x, "/", 2);
    put(x, "\x82\x2C\x01", 3);
    put(x, "2e3eaccd-85a0-4abe-84f8-603a49801bb6", 37);
    uint32_t size = (uint32_t)(x->n - rec);
    for (int i = 0; i < 4; i++)
        x->b[rec + (size_t)i] = (uint8_t)(size >> (8 * i));
}

static void test_v4_header(void **state)
{
    (void)state;
    bytes x;
    build_v4(&x);
    ohc_oab_details_header h;
    ohc_error err;
    assert_int_equal(ohc_oab_details_header_parse(&h, x.b, x.n, &err), OHC_OK);
    assert_int_equal(h.v4, 1);
    assert_int_equal(h.version, 0x20);
    assert_int_equal(h.serial, 0x1234);
    assert_int_equal(h.total_records, 2);
    assert_string_equal(h.name, "\\Global Address List");
    assert_string_equal(h.dn, "/");
    assert_string_equal(h.container_guid, "2e3eaccd-85a0-4abe-84f8-603a49801bb6");
    assert_int_equal(h.sequence, 300);

    /* Older formats: OAB_HDR only, not an error. */
    uint8_t v2[12] = {0x07, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(ohc_oab_details_header_parse(&h, v2, sizeof v2, &err), OHC_OK);
    assert_int_equal(h.v4, 0);
    assert_int_equal(h.sequence, -1);
}

static void expect_bad(const uint8_t *b, size_t n, const char *says)
{
    ohc_oab_details_header h;
    ohc_error err;
    ohc_error_clear(&err);
    int rc = ohc_oab_details_header_parse(&h, b, n, &err);
    if (rc == OHC_OK || strstr(err.message, says) == NULL)
        fail_msg("expected an error saying '%s', got %d '%s'", says, rc, err.message);
}

static void test_damaged_headers(void **state)
{
    (void)state;
    bytes x;
    build_v4(&x);
    expect_bad(x.b, 8, "shorter than its 12-byte OAB_HDR");
    expect_bad(x.b, 16, "metadata record is cut off");
    expect_bad(x.b, 40, "goes past the bytes read");
    expect_bad(x.b, x.n - 10, "header record of");
    bytes y = x;
    y.b[16] = 0xFF, y.b[17] = 0xFF; /* 65535 properties */
    expect_bad(y.b, y.n, "property table does not fit");
    size_t seq_at = x.n - 37 - 3;
    y = x;
    y.b[seq_at] = 0x85; /* a number with a length byte that is none */
    expect_bad(y.b, y.n, "no length (not 0x81-0x84)");
    y = x;
    y.b[x.n - 1] = 'x'; /* the GUID string loses its NUL */
    expect_bad(y.b, y.n, "has no end in its record");
    y = x;
    y.b[20] = 0x48, y.b[21] = 0x00; /* the first property's type becomes 0x0048 */
    expect_bad(y.b, y.n, "property type 0x0048 has no known encoding");
}

static void test_folder_facts(void **state)
{
    (void)state;
    char base[512], id[37], dir[700], file[800];
    if (ohc_os_getenv("TEMP", base, sizeof base) != OHC_OK && ohc_os_getenv("TMPDIR", base, sizeof base) != OHC_OK)
        snprintf(base, sizeof base, "/tmp");
    assert_int_equal(ohc_uuid_v4(id, NULL), OHC_OK);
    snprintf(dir, sizeof dir, "%s%cohc-oablocal-%s", base, ohc_os_path_sep(), id);
    assert_int_equal(ohc_os_mkdir_p(dir, NULL), OHC_OK);
    bytes x;
    build_v4(&x);
    snprintf(file, sizeof file, "%s%cudetails.oab", dir, ohc_os_path_sep());
    assert_int_equal(ohc_os_write_file_atomic(file, x.b, x.n, NULL), OHC_OK);
    char other[800];
    snprintf(other, sizeof other, "%s%cubrowse.oab", dir, ohc_os_path_sep());
    assert_int_equal(ohc_os_write_file_atomic(other, "12345", 5, NULL), OHC_OK);

    cJSON *folders = cJSON_CreateArray();
    assert_int_equal(ohc_oab_local_folder(folders, dir, "2e3eaccd-85a0-4abe-84f8-603a49801bb6", ohc_os_utc_now_ms()),
                     0);
    const cJSON *f = cJSON_GetArrayItem(folders, 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(f, "files")), 2);
    assert_int_equal((int)cJSON_GetObjectItem(f, "total_size")->valuedouble, (int)x.n + 5);
    const cJSON *d = cJSON_GetObjectItem(f, "details");
    assert_int_equal((int)cJSON_GetObjectItem(d, "sequence")->valuedouble, 300);
    assert_string_equal(cJSON_GetObjectItem(d, "version_hex")->valuestring, "0x20");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(f, "details_error")));
    cJSON_Delete(folders);

    /* A damaged header: the error is in the facts, the files still listed. */
    assert_int_equal(ohc_os_write_file_atomic(file, x.b, 30, NULL), OHC_OK);
    folders = cJSON_CreateArray();
    assert_int_equal(ohc_oab_local_folder(folders, dir, "x", ohc_os_utc_now_ms()), 1);
    f = cJSON_GetArrayItem(folders, 0);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(f, "details")));
    assert_non_null(strstr(cJSON_GetObjectItem(cJSON_GetObjectItem(f, "details_error"), "message")->valuestring,
                           "udetails.oab offset 12"));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(f, "files")), 2);
    cJSON_Delete(folders);

    assert_int_equal(ohc_os_remove(file, NULL), OHC_OK);
    assert_int_equal(ohc_os_remove(other, NULL), OHC_OK);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v4_header),
        cmocka_unit_test(test_damaged_headers),
        cmocka_unit_test(test_folder_facts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
