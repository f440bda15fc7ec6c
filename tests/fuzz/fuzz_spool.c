/* libFuzzer target for the upload spool (collector/spool.c, and upload.c's
 * drain): file names and contents found in a spool directory are untrusted
 * (anything may have been put there, or left half-written). Each input is a
 * set of files, created in a fresh directory: for each, a kind byte (a name as
 * given, or one shaped like ours: 13 digits, '-', a UUID, ".json"), the name,
 * a 16-bit length and the content. Then: list (quarantines what is not ours,
 * removes stale temp files), enforce the bounds (limits and "now" from the
 * input), drain (reads each report, quarantines what is not a JSON report
 * with a report_id, converts it to the format the input picks: the report,
 * OTLP, or HEC batches of a size it picks; the POST goes to 127.0.0.1 port 0,
 * where nothing can listen: refused at once), add a report under an id from
 * the input, set one aside with a note, and parse a Retry-After answer. */
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_input.h"
#include "spool.h"
#include "upload.h"

#define MAX_FILES 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[256];

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw);
static void remove_root(void)
{
    nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static void shaped_name(char *out, size_t size, fuzz_input *in)
{
    static const char hex[] = "0123456789abcdef";
    char uuid[37];
    for (int i = 0; i < 36; i++)
        uuid[i] = (i == 8 || i == 13 || i == 18 || i == 23) ? '-' : hex[fuzz_u8(in) & 15];
    uuid[36] = '\0';
    snprintf(out, size, "%013llu-%s.json", (unsigned long long)fuzz_u32(in) * 1000ull, uuid);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (root[0] == '\0') {
        /* In memory (tmpfs) when the machine has it: the spool fsyncs every file
         * it writes, which on a busy disk took over libFuzzer's 1 s once (seen
         * here: a timeout inside fsync, not in ohc's code). */
        struct stat st;
        const char *tmp = getenv("TMPDIR");
        if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0)
            tmp = "/dev/shm";
        snprintf(root, sizeof root, "%s/ohc-fuzz-spool.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (mkdtemp(root) == NULL)
            abort();
        atexit(remove_root);
    }
    char dir[300];
    snprintf(dir, sizeof dir, "%s/spool", root);
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    if (mkdir(dir, 0700) != 0)
        abort();

    fuzz_input in = {data, size};
    size_t files = fuzz_u8(&in) % (MAX_FILES + 1);
    for (size_t i = 0; i < files && in.n > 0; i++) {
        uint8_t kind = fuzz_u8(&in);
        char name[128];
        if (kind & 1) {
            shaped_name(name, sizeof name, &in);
        } else {
            char *s = fuzz_str(&in, 80, NULL);
            if (s == NULL)
                break;
            for (char *c = s; *c; c++)
                if (*c == '/')
                    *c = '_';
            snprintf(name, sizeof name, "%s", (!strcmp(s, "") || !strcmp(s, ".") || !strcmp(s, "..")) ? "x" : s);
            free(s);
        }
        size_t len = fuzz_u8(&in);
        len |= (size_t)fuzz_u8(&in) << 8;
        if (len > in.n)
            len = in.n;
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        FILE *f = fopen(path, "wb");
        if (f != NULL) {
            fwrite(in.p, 1, len, f);
            fclose(f);
        }
        in.p += len, in.n -= len;
        ohc_spool_name_valid(name);
    }

    ohc_spool sp;
    ohc_spool_limits limits = {fuzz_u8(&in) % 6, (uint64_t)fuzz_u32(&in) % 100000, fuzz_u8(&in) % 40};
    int64_t now = 1764000000000LL + (int64_t)fuzz_u32(&in) * 1000;
    ohc_error err;
    if (ohc_spool_open(&sp, dir, &limits, &err) != OHC_OK)
        return 0;
    ohc_spool_entry *v = NULL;
    size_t n = 0;
    if (ohc_spool_list(&v, &n, &sp, &err) == OHC_OK) {
        for (size_t i = 0; i < n; i++)
            if (!ohc_spool_name_valid(v[i].name))
                abort(); /* the list holds only names shaped like ours */
        if (n > 0 && (fuzz_u8(&in) & 1))
            ohc_spool_set_aside(&sp, v[0].name, "rejected", "HTTP 400 {\"error\":\"bad\"}", &err);
        free(v);
    }
    unsigned dropped;
    ohc_spool_enforce(&sp, now, NULL, &dropped, &err);

    ohc_upload_config cfg = {0};
    cfg.url = "http://127.0.0.1:0/reports";
    cfg.allow_http = 1;
    cfg.proxy = "";
    cfg.max_attempts = 1;
    cfg.connect_timeout_ms = 100;
    cfg.timeout_ms = 200;
    /* the format of the send: a spooled report is converted (OTLP, HEC batches) before the POST */
    uint8_t format = fuzz_u8(&in);
    cfg.format = (ohc_upload_format)(format % 3);
    cfg.token = "fuzz-token";
    cfg.batch_max_bytes = 1u + (uint32_t)(format >> 2) * 256u;
    ohc_uploader *u;
    if (ohc_uploader_new(&u, &cfg, &err) == OHC_OK) {
        ohc_upload_stats st;
        ohc_upload_drain(u, &sp, &st, &err);
        ohc_uploader_free(u);
    }

    char *id = fuzz_str(&in, 64, NULL);
    size_t jlen;
    uint8_t *json = fuzz_rest(&in, &jlen);
    if (id != NULL && json != NULL) {
        char added[64];
        ohc_spool_add(&sp, added, &dropped, id, json, jlen, &err);
        uint32_t ms;
        ohc_upload_parse_retry_after(&ms, id, now);
    }
    free(id);
    free(json);
    return 0;
}
