/* libFuzzer target for settings values (collector/settings.c, with the
 * EventQueries parser event_queries.c): every value the two registry layers
 * (policy, local) hand over comes from the input, of any type: REG_SZ,
 * REG_MULTI_SZ (lines), REG_DWORD, another type, a truncated string, a layer
 * that refuses access, a read error. Then the rest of the input as --set
 * NAME=VALUE assignments; then every effective value is displayed, turned
 * back into its raw form, and EventQueries parsed as the events probe does.
 * The registry itself (UTF-16 to the raw value) is win32/settings_win32.c,
 * which a native fuzzer cannot reach. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event_queries.h"
#include "fuzz_input.h"
#include "settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_reader(ohc_raw_value *out, void *ctx, ohc_setting_source layer, const char *name, ohc_error *err)
{
    fuzz_input *in = ctx;
    (void)layer, (void)name;
    memset(out, 0, sizeof *out);
    uint8_t kind = fuzz_u8(in);
    switch (kind % 8) {
    case 0: return OHC_ENOTFOUND;
    case 1:
    case 2: {
        out->type = kind % 8 == 1 ? OHC_RAW_STRING : OHC_RAW_MULTI;
        char *s = fuzz_str(in, OHC_SETTING_STR_MAX, NULL);
        if (s == NULL)
            return OHC_ENOTFOUND;
        memcpy(out->str, s, strlen(s) + 1);
        free(s);
        out->truncated = (kind & 0x80) != 0;
        out->os_type = out->type == OHC_RAW_MULTI ? 7 : 1;
        return OHC_OK;
    }
    case 3:
    case 4:
        out->type = OHC_RAW_DWORD;
        out->dword = fuzz_u32(in);
        out->os_type = 4;
        return OHC_OK;
    case 5:
        out->type = OHC_RAW_OTHER;
        out->os_type = fuzz_u32(in);
        return OHC_OK;
    case 6: return ohc_error_set(err, OHC_EACCESS, 5, "access denied");
    default: return ohc_error_set(err, OHC_EIO, 1, "read error");
    }
}

static void fuzz_log(void *ctx, const char *msg)
{
    size_t *n = ctx;
    *n += strlen(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    ohc_config cfg;
    if (ohc_config_init(&cfg) != OHC_OK) {
        ohc_config_free(&cfg);
        return 0;
    }
    size_t logged = 0;
    ohc_config_load_with(&cfg, fuzz_reader, &in, fuzz_log, &logged);
    ohc_error err;
    while (in.n > 0) {
        char *assignment = fuzz_str(&in, 4096, NULL);
        if (assignment == NULL)
            break;
        ohc_config_set_assignment(&cfg, assignment, &err);
        free(assignment);
    }
    char buf[OHC_SETTING_STR_MAX + 64];
    static ohc_raw_value raw; /* 2 KB: not on the fuzzer's stack each time */
    for (int id = 0; id < OHC_SETTING_COUNT; id++) {
        ohc_config_display(&cfg, (ohc_setting_id)id, buf, sizeof buf);
        ohc_config_to_raw(&raw, &cfg, (ohc_setting_id)id);
        ohc_config_source(&cfg, (ohc_setting_id)id);
        if (ohc_config_str(&cfg, (ohc_setting_id)id) == NULL)
            abort(); /* never NULL, says settings.h */
        ohc_config_num(&cfg, (ohc_setting_id)id);
    }
    ohc_event_queries q;
    ohc_event_queries_parse(&q, ohc_config_str(&cfg, OHC_SET_EVENT_QUERIES), &err);
    ohc_event_queries_free(&q);
    char why[256];
    ohc_event_queries_check(ohc_config_str(&cfg, OHC_SET_EVENT_QUERIES), why, sizeof why);
    ohc_config_free(&cfg);
    return 0;
}
