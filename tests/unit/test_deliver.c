/* The one finish-and-deliver path (collector/pipeline/deliver.h) that
 * `ohc collect`, `ohc upload` and the service share: what the service lacked
 * before it used this path (the dropped count in its reports, a line per
 * attempt in upload.log, the server's Retry-After for the schedule), the
 * order of the finishing steps, and temp files of killed writes removed when
 * the spool is next opened (never one a live process still writes).
 * The HTTP parts run natively against a real server on 127.0.0.1 (a thread
 * here); under Wine they are skipped (test_upload.py covers ohc.exe's uploads). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h> /* rmdir; mingw has it too */
#ifndef _WIN32
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/wait.h>
#endif

#include "deliver.h"
#include "os.h"
#include "scratch_dir.h"
#include "report.h"
#include "spool.h"

static int file_exists(const char *path)
{
    char *data = NULL;
    size_t len = 0;
    int rc = ohc_os_read_file(&data, &len, path, 16u << 20, NULL);
    free(data);
    return rc == OHC_OK;
}

static cJSON *small_report(void)
{
    cJSON *r = cJSON_CreateObject();
    char id[37];
    assert_int_equal(ohc_uuid_v4(id, NULL), OHC_OK);
    cJSON_AddStringToObject(r, "report_id", id);
    cJSON_AddObjectToObject(r, "facts");
    return r;
}

struct printed {
    int calls;
    int files_when_printed; /* the report was stored before it was shown */
    const char *path;
};

static void print_hook(void *ctx, const cJSON *report, const char *json)
{
    struct printed *p = ctx;
    (void)report;
    assert_non_null(json);
    p->calls++;
    p->files_when_printed = file_exists(p->path);
}

/* The service's reports used to lack upload.dropped_reports: now every caller
 * spooling through ohc_report_finish carries the count and consumes it. */
static void test_finish_carries_dropped_count(void **state)
{
    (void)state;
    char dir[700], json_path[800];
    scratch_dir(dir, sizeof dir, "deliver-finish");
    /* beside the spool, as the service's last-report.json (a *.json inside would be quarantined) */
    ohc_spool sp;
    assert_int_equal(ohc_spool_open(&sp, dir, NULL, NULL), OHC_OK);
    char counter[800];
    snprintf(counter, sizeof counter, "%s%cdropped.count", dir, sp.sep);
    assert_int_equal(ohc_os_write_file_atomic(counter, "3\n", 2, NULL), OHC_OK);
    snprintf(json_path, sizeof json_path, "%s-last-report.json", dir);

    cJSON *r = small_report();
    struct printed p = {0, 0, json_path};
    ohc_finish_options o = {.json_path = json_path, .spool = &sp, .print = print_hook, .print_ctx = &p};
    ohc_finished f;
    assert_int_equal(ohc_report_finish(&f, r, &o, NULL), OHC_OK);
    assert_true(f.spooled);
    assert_false(f.failed);
    assert_int_equal(f.file_count, 1);
    assert_string_equal(f.files[0], json_path);
    assert_int_equal(p.calls, 1);
    assert_true(p.files_when_printed);
    const cJSON *d = ohc_report_get(r, "upload.dropped_reports");
    assert_non_null(d);
    assert_int_equal((int)d->valuedouble, 3);
    cJSON *stored = cJSON_Parse(f.json); /* what was spooled carries it too */
    assert_non_null(stored);
    assert_int_equal((int)ohc_report_get(stored, "upload.dropped_reports")->valuedouble, 3);
    cJSON_Delete(stored);
    assert_int_equal(ohc_spool_dropped(&sp), 0); /* consumed by the report that carries it */
    ohc_spool_entry *v = NULL;
    size_t n = 0;
    assert_int_equal(ohc_spool_list(&v, &n, &sp, NULL), OHC_OK);
    assert_int_equal(n, 1);
    free(v);
    ohc_finished_free(&f);
    cJSON_Delete(r);
    ohc_os_remove(json_path, NULL);
    remove_scratch_spool(dir);
}

/* A report that cannot be written to one place still goes to the others. */
static void test_finish_keeps_going_after_a_failed_write(void **state)
{
    (void)state;
    char dir[700], bad[900];
    scratch_dir(dir, sizeof dir, "deliver-partial");
    ohc_spool sp;
    assert_int_equal(ohc_spool_open(&sp, dir, NULL, NULL), OHC_OK);
    snprintf(bad, sizeof bad, "%s%cno-such-dir%creport.json", dir, sp.sep, sp.sep);
    cJSON *r = small_report();
    ohc_finish_options o = {.json_path = bad, .spool = &sp};
    ohc_finished f;
    ohc_error err;
    ohc_error_clear(&err);
    assert_int_not_equal(ohc_report_finish(&f, r, &o, &err), OHC_OK);
    assert_true(f.failed);
    assert_true(f.spooled);
    assert_int_equal(f.file_count, 0);
    assert_true(err.message[0] != '\0');
    ohc_finished_free(&f);
    cJSON_Delete(r);
    remove_scratch_spool(dir);
}

/* Temp files of writers that were killed go when the spool is opened; a
 * file whose writer still runs stays (its name carries the writer's pid). */
static void test_orphan_temp_files(void **state)
{
    (void)state;
#ifdef _WIN32
    skip(); /* needs fork(); the Windows half (OpenProcess) is exercised by test_upload_faults under Wine */
#else
    char dir[700];
    scratch_dir(dir, sizeof dir, "deliver-orphans");
    ohc_spool sp;
    assert_int_equal(ohc_spool_open(&sp, dir, NULL, NULL), OHC_OK);
    pid_t dead = fork();
    if (dead == 0)
        _exit(0);
    assert_true(dead > 0);
    waitpid(dead, NULL, 0);
    pid_t live = fork();
    if (live == 0) {
        pause();
        _exit(0);
    }
    assert_true(live > 0);
    char killed[800], running[800], other[800];
    snprintf(killed, sizeof killed, "%s/1700000000000-6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b.json.tmp.%ld", dir,
             (long)dead);
    snprintf(running, sizeof running, "%s/1700000000001-6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b.json.tmp.%ld", dir,
             (long)live);
    snprintf(other, sizeof other, "%s/notes.txt", dir);
    FILE *f;
    assert_non_null(f = fopen(killed, "wb"));
    fputs("{\"half", f);
    fclose(f);
    assert_non_null(f = fopen(running, "wb"));
    fputs("{\"half", f);
    fclose(f);
    assert_non_null(f = fopen(other, "wb"));
    fclose(f);
    /* both are seconds old: the old rule (an hour) kept both */
    ohc_spool sp2;
    assert_int_equal(ohc_spool_open(&sp2, dir, NULL, NULL), OHC_OK);
    assert_false(file_exists(killed));
    assert_true(file_exists(running));
    assert_true(file_exists(other));
    kill(live, SIGKILL);
    waitpid(live, NULL, 0);
    assert_int_equal(ohc_spool_remove_orphans(&sp2), 1);
    assert_false(file_exists(running));
    remove(other);
    remove_scratch_spool(dir);
#endif
}

#ifndef _WIN32
/* A one-connection-at-a-time HTTP server on 127.0.0.1 that answers every
 * POST with the status and headers it was given. */
struct server {
    int fd;
    int port;
    const char *answer; /* whole response */
    int requests;
    pthread_t thread;
};

static void *serve(void *arg)
{
    struct server *s = arg;
    for (;;) {
        int c = accept(s->fd, NULL, NULL);
        if (c < 0)
            return NULL;
        char buf[65536];
        size_t got = 0;
        long want = -1;
        for (;;) { /* headers, then Content-Length bytes */
            ssize_t r = recv(c, buf + got, sizeof buf - 1 - got, 0);
            if (r <= 0)
                break;
            got += (size_t)r;
            buf[got] = '\0';
            char *end = strstr(buf, "\r\n\r\n");
            if (end != NULL) {
                char *cl = strcasestr(buf, "content-length:");
                want = (long)(end + 4 - buf) + (cl ? strtol(cl + 15, NULL, 10) : 0);
            }
            if (want >= 0 && (long)got >= want)
                break;
        }
        __atomic_add_fetch(&s->requests, 1, __ATOMIC_SEQ_CST);
        send(c, s->answer, strlen(s->answer), 0);
        close(c);
    }
}

static void server_start(struct server *s, const char *answer)
{
    memset(s, 0, sizeof *s);
    s->answer = answer;
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->fd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0; /* a free port */
    assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s->fd, 8), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &len), 0);
    s->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void server_stop(struct server *s)
{
    shutdown(s->fd, SHUT_RDWR);
    close(s->fd);
    pthread_join(s->thread, NULL);
}

static char *read_text(const char *path)
{
    char *data = NULL;
    size_t len = 0;
    if (ohc_os_read_file(&data, &len, path, 1u << 20, NULL) != OHC_OK)
        return NULL;
    return data;
}

struct said {
    char last[1024];
    int lines;
};

static void capture(void *ctx, ohc_log_level level, const char *msg)
{
    struct said *s = ctx;
    (void)level;
    snprintf(s->last, sizeof s->last, "%s", msg);
    s->lines++;
}
#endif

/* Every caller's attempts reach upload.log (the service's did not), and the
 * server's Retry-After reaches the caller (the service's schedule got 0). */
static void test_deliver_logs_attempts_and_retry_after(void **state)
{
    (void)state;
#ifdef _WIN32
    skip(); /* the server here is POSIX sockets; ohc.exe's uploads are tested by test_upload.py */
#else
    struct server srv;
    server_start(&srv, "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 120\r\nContent-Length: 4\r\n"
                       "Connection: close\r\n\r\nbusy");
    char dir[700], url[128];
    scratch_dir(dir, sizeof dir, "deliver-retry");
    snprintf(url, sizeof url, "http://127.0.0.1:%d/reports", srv.port);
    ohc_spool sp;
    assert_int_equal(ohc_spool_open(&sp, dir, NULL, NULL), OHC_OK);
    cJSON *r = small_report();
    ohc_finish_options fo = {.spool = &sp};
    ohc_finished f;
    assert_int_equal(ohc_report_finish(&f, r, &fo, NULL), OHC_OK);

    struct said said = {"", 0};
    ohc_deliver_options d;
    memset(&d, 0, sizeof d);
    d.upload.url = url;
    d.upload.allow_http = 1;
    d.upload.token = "s3cret-token-value";
    d.upload.max_attempts = 1; /* as the service: one run, then the schedule */
    d.upload.backoff_max_ms = 1000;
    d.log = capture;
    d.log_ctx = &said;
    ohc_delivery out;
    ohc_error err;
    assert_int_equal(ohc_spool_deliver(&out, &sp, &d, &err), OHC_OK);
    assert_int_equal(srv.requests, 1);
    assert_int_equal(out.stats.retried_later, 1);
    assert_int_equal(out.pending, 1);
    assert_int_equal(out.stats.retry_after_ms, 120000);
    assert_non_null(strstr(said.last, "kept for a retry"));

    char logpath[800];
    snprintf(logpath, sizeof logpath, "%s/upload.log", dir);
    char *log = read_text(logpath);
    assert_non_null(log);
    char attempt[128];
    snprintf(attempt, sizeof attempt, "upload %s attempt=1", ohc_report_str(r, "report_id"));
    assert_non_null(strstr(log, attempt));
    assert_non_null(strstr(log, "result=retry status=503"));
    assert_non_null(strstr(log, "retry_after_ms=120000"));
    assert_null(strstr(log, "s3cret")); /* never the token */
    free(log);

    /* upload.log rotates at about 1 MB even though it is opened for appending */
    FILE *big = fopen(logpath, "ab");
    assert_non_null(big);
    for (int i = 0; i < 1100; i++)
        fprintf(big, "%01023d\n", i);
    fclose(big);
    assert_int_equal(ohc_spool_deliver(&out, &sp, &d, &err), OHC_OK);
    char old[820];
    snprintf(old, sizeof old, "%s.1", logpath);
    assert_true(file_exists(old));
    log = read_text(logpath);
    assert_non_null(log);
    assert_true(strlen(log) < 4096);
    free(log);
    remove(old);

    server_stop(&srv);
    ohc_finished_free(&f);
    cJSON_Delete(r);
    remove(logpath);
    remove_scratch_spool(dir);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finish_carries_dropped_count),
        cmocka_unit_test(test_finish_keeps_going_after_a_failed_write),
        cmocka_unit_test(test_orphan_temp_files),
        cmocka_unit_test(test_deliver_logs_attempts_and_retry_after),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
