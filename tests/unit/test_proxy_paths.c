/* The ways out of a user's session: each user's own proxies (their connect
 * tests copied beside the user), the PAC file asked for real on loopback
 * (200, 404, no answer, a closed port, a scheme not fetched), the WinINet
 * bypass-list matcher, and the Exchange hosts known on the PC checked
 * against each user's bypass list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef _WIN32
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

#include "exchange_hosts.h"
#include "pac_fetch.h"
#include "proxy.h"

static void test_bypass_matches(void **state)
{
    (void)state;
    const char *list =
        "<local>; *.corp.contoso.com ,10.*;mail.fabrikam.com;https://owa.contoso.com;oab.contoso.com:8443";
    assert_true(ohc_proxy_bypass_matches(list, "exch01", 443)); /* <local>: no dot */
    assert_true(ohc_proxy_bypass_matches(list, "EX1.Corp.Contoso.com", 443));
    assert_false(ohc_proxy_bypass_matches(list, "corp.contoso.com", 443)); /* "*." needs a name below */
    assert_true(ohc_proxy_bypass_matches(list, "10.1.2.3", 443));
    assert_true(ohc_proxy_bypass_matches(list, "mail.fabrikam.com", 443));
    assert_false(ohc_proxy_bypass_matches(list, "x.mail.fabrikam.com", 443)); /* a bare name is that host alone */
    assert_true(ohc_proxy_bypass_matches(list, "owa.contoso.com", 443)); /* the scheme is not part of the host */
    assert_true(ohc_proxy_bypass_matches(list, "oab.contoso.com", 8443));
    assert_false(ohc_proxy_bypass_matches(list, "oab.contoso.com", 443)); /* another port */
    assert_false(ohc_proxy_bypass_matches(list, "mail.contoso.com", 443));
    assert_false(ohc_proxy_bypass_matches(NULL, "exch01", 443));
    assert_false(ohc_proxy_bypass_matches("", "exch01", 443));
    assert_false(ohc_proxy_bypass_matches("<local>", "fe80::1", 443)); /* an address literal is not a local name */
    assert_true(ohc_proxy_bypass_matches("*", "anything.example", 80));
    assert_true(ohc_proxy_bypass_matches("*contoso*", "mail.contoso.com", 80));
    assert_true(ohc_proxy_bypass_matches("mail.*.com", "mail.contoso.com", 80));
    assert_false(ohc_proxy_bypass_matches("mail.*.org", "mail.contoso.com", 80));
    assert_false(ohc_proxy_bypass_matches(";;; ,", "mail.contoso.com", 80));
}

static void test_url_host(void **state)
{
    (void)state;
    char h[256];
    unsigned port = 0;
    assert_int_equal(ohc_exchange_url_host(h, sizeof h, &port, "https://Mail.Contoso.com/OAB/x/oab.xml"), 0);
    assert_string_equal(h, "mail.contoso.com");
    assert_int_equal(port, 443);
    assert_int_equal(ohc_exchange_url_host(h, sizeof h, &port, "http://u:p@[fe80::1]:8080/x"), 0);
    assert_string_equal(h, "fe80::1");
    assert_int_equal(port, 8080);
    assert_int_equal(ohc_exchange_url_host(h, sizeof h, &port, "HTTP://exch01"), 0);
    assert_int_equal(port, 80);
    assert_int_equal(ohc_exchange_url_host(h, sizeof h, &port, "ftp://x/"), -1);
    assert_int_equal(ohc_exchange_url_host(h, sizeof h, &port, "https://:443/"), -1);
    assert_int_equal(ohc_exchange_url_host(h, sizeof h, &port, "https://a:99999/"), -1);
    assert_int_equal(ohc_exchange_url_host(h, sizeof h, &port, "https://a b/"), -1);
    assert_int_equal(ohc_exchange_url_host(h, 4, &port, "https://abcd/"), -1); /* does not fit */
}

/* The user's own proxies: only the entries whose sources name the user. */
static void test_attach_user_reachability(void **state)
{
    (void)state;
    cJSON *facts = cJSON_Parse(
        "{\"users\":[{\"sid\":\"S-1-5-21-1\",\"proxy_enable\":1,\"proxy_server\":\"p:1\"},"
        "{\"sid\":\"S-1-5-21-2\",\"proxy_enable\":0,\"proxy_server\":\"q:2\"},"
        "{\"sid\":\"S-1-5-21-3\",\"proxy_enable\":null,\"proxy_server\":null,"
        "\"connection_settings\":{\"flags\":3,\"proxy\":\"b:3\",\"malformed\":false}}],"
        "\"reachability\":[{\"proxy\":\"p:1\",\"reachable\":false,\"error\":\"connect: refused\",\"error_code\":10061,"
        "\"sources\":[\"winhttp\",\"user:S-1-5-21-1\"]},"
        "{\"proxy\":\"q:2\",\"reachable\":true,\"error\":null,\"error_code\":null,\"sources\":[\"user:S-1-5-21-2\"]}]"
        "}");
    assert_non_null(facts);
    assert_int_equal(ohc_proxy_attach_user_reachability(facts), 0);
    const cJSON *u = cJSON_GetArrayItem(cJSON_GetObjectItem(facts, "users"), 0);
    const cJSON *mine = cJSON_GetObjectItem(u, "proxy_reachability");
    assert_int_equal(cJSON_GetArraySize(mine), 1);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(mine, 0), "proxy")->valuestring, "p:1");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetArrayItem(mine, 0), "reachable")));
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(mine, 0), "error_code")->valueint, 10061);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(u, "proxy_in_use")));
    u = cJSON_GetArrayItem(cJSON_GetObjectItem(facts, "users"), 1);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(u, "proxy_in_use"))); /* switched off */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(u, "proxy_reachability")), 1);
    u = cJSON_GetArrayItem(cJSON_GetObjectItem(facts, "users"), 2);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(u, "proxy_in_use"))); /* from the blob */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(u, "proxy_reachability")), 0);
    cJSON_Delete(facts);
}

static void test_pac_body_and_url(void **state)
{
    (void)state;
    const char pac[] = "function FindProxyForURL(url, host) { return \"DIRECT\"; }";
    assert_true(ohc_pac_body_defines_function(pac, sizeof pac - 1));
    assert_false(ohc_pac_body_defines_function(pac, 20)); /* cut before the name ends */
    assert_false(ohc_pac_body_defines_function("<html>login</html>", 18));
    assert_false(ohc_pac_body_defines_function("findproxyforurl", 15)); /* the name as PAC defines it */
    assert_false(ohc_pac_body_defines_function(NULL, 0));
    cJSON *u = cJSON_Parse("{\"auto_config_url\":null,\"connection_settings\":{\"flag_names\":[\"direct\","
                           "\"auto_proxy_url\"],\"pac_url\":\"http://w/p.pac\"}}");
    assert_string_equal(ohc_pac_user_url(u), "http://w/p.pac");
    cJSON_ReplaceItemInObject(u, "auto_config_url", cJSON_CreateString("http://a/b.pac"));
    assert_string_equal(ohc_pac_user_url(u), "http://a/b.pac");
    cJSON_Delete(u);
    u = cJSON_Parse("{\"auto_config_url\":\"\",\"connection_settings\":{\"flag_names\":[\"direct\"],"
                    "\"pac_url\":\"http://w/p.pac\"}}");
    assert_null(ohc_pac_user_url(u)); /* the blob keeps the URL but the box is not ticked */
    cJSON_Delete(u);
}

/* Hosts from the cached answers and the earlier probes, and the bypass check per user. */
static void test_exchange_hosts_and_bypass(void **state)
{
    (void)state;
    cJSON *facts = cJSON_Parse(
        "{\"profiles\":[{\"files\":[{\"answer\":{\"protocols\":["
        "{\"type\":\"EXPR\",\"server\":\"Mail.Contoso.com\",\"ews_url\":\"https://mail.contoso.com/EWS/"
        "Exchange.asmx\"},"
        "{\"type\":\"EXCH\",\"server\":\"1234@contoso.com\",\"oab_url\":\"https://oab.contoso.com/OAB/x/\","
        "\"internal\":{\"owa_urls\":[{\"url\":\"https://owa.corp.contoso.com/owa\"}]},"
        "\"other\":{\"Weird\":\"https://not-a-url-field.example/\"}}]}},"
        "{\"answer\":{\"protocol\":\"AutodiscoverV1\",\"url\":\"https://autodiscover.contoso.com/a.xml\"}}]}]}");
    cJSON *prior = cJSON_Parse(
        "{\"bits\":{\"jobs\":[{\"oab\":true,\"urls\":[\"https://cas2.contoso.com/OAB/g/oab.xml\"],"
        "\"error\":{\"remote_url\":\"https://cas2.contoso.com/OAB/g/oab.xml\"}},"
        "{\"oab\":false,\"urls\":[\"https://windowsupdate.example/x\"]}]},"
        "\"events\":{\"bits_client\":{\"transfers\":[{\"oab\":true,\"url\":\"https://cas3.contoso.com/OAB/g/"
        "a.lzx\"}]}},"
        "\"outlook\":{\"users\":[{\"versions\":[{\"rpc\":{\"effective\":{\"ProxyServer\":{\"type\":\"REG_SZ\","
        "\"value\":\"rpc.contoso.com\",\"wrong_type\":false}}}}]}]},"
        "\"proxy\":{\"users\":["
        "{\"sid\":\"S-1-5-21-1\",\"account\":\"CONTOSO\\\\ann\",\"proxy_in_use\":true,\"proxy_server\":\"proxy:8080\","
        "\"proxy_override\":\"<local>;*.corp.contoso.com;mail.contoso.com\",\"auto_config_url\":null},"
        "{\"sid\":\"S-1-5-21-2\",\"account\":null,\"proxy_in_use\":false,\"proxy_server\":null},"
        "{\"sid\":\"S-1-5-21-3\",\"account\":\"CONTOSO\\\\bob\",\"proxy_in_use\":true,\"proxy_server\":\"proxy:8080\","
        "\"proxy_override\":\"*.contoso.com\",\"auto_config_url\":\"http://wpad/p.pac\"}]}}");
    assert_non_null(facts);
    assert_non_null(prior);
    const char *cli[] = {"https://cli.contoso.com/OAB/g/"};
    assert_int_equal(ohc_exchange_hosts_facts(facts, prior, cli, 1), 0);
    const cJSON *hosts = cJSON_GetObjectItem(facts, "exchange_hosts");
    char *s = cJSON_PrintUnformatted(hosts);
    /* every source, deduplicated, lower case; not the EXCH mailbox id, not "other", not a non-OAB job */
    const char *want[] = {"mail.contoso.com", "oab.contoso.com",  "owa.corp.contoso.com", "autodiscover.contoso.com",
                          "rpc.contoso.com",  "cas2.contoso.com", "cas3.contoso.com",     "cli.contoso.com"};
    assert_int_equal(cJSON_GetArraySize(hosts), 8);
    for (size_t i = 0; i < 8; i++)
        assert_non_null(strstr(s, want[i]));
    assert_null(strstr(s, "not-a-url-field"));
    assert_null(strstr(s, "windowsupdate"));
    assert_null(strstr(s, "1234@"));
    assert_non_null(strstr(s, "\"host\":\"mail.contoso.com\",\"port\":443,\"url\":\"https://mail.contoso.com/EWS"));
    assert_non_null(
        strstr(s, "\"host\":\"rpc.contoso.com\",\"port\":443,\"url\":null,\"sources\":[\"outlook_registry\"]"));
    free(s);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(facts, "exchange_hosts_capped")));

    const cJSON *bypass = cJSON_GetObjectItem(facts, "proxy_bypass");
    assert_int_equal(cJSON_GetArraySize(bypass), 2); /* only the users whose proxy is in use */
    const cJSON *ann = cJSON_GetArrayItem(bypass, 0);
    assert_string_equal(cJSON_GetObjectItem(ann, "account")->valuestring, "CONTOSO\\ann");
    s = cJSON_PrintUnformatted(cJSON_GetObjectItem(ann, "hosts_via_proxy"));
    assert_string_equal(s, "[\"oab.contoso.com\",\"autodiscover.contoso.com\",\"rpc.contoso.com\",\"cas2.contoso.com\","
                           "\"cas3.contoso.com\",\"cli.contoso.com\"]");
    free(s);
    s = cJSON_PrintUnformatted(cJSON_GetObjectItem(ann, "hosts_bypassed"));
    assert_string_equal(s, "[\"mail.contoso.com\",\"owa.corp.contoso.com\"]");
    free(s);
    assert_string_equal(cJSON_GetObjectItem(ann, "bypass_suggested")->valuestring,
                        "<local>;*.corp.contoso.com;mail.contoso.com;oab.contoso.com;autodiscover.contoso.com;"
                        "rpc.contoso.com;cas2.contoso.com;cas3.contoso.com;cli.contoso.com");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(ann, "pac_url")));
    const cJSON *bob = cJSON_GetArrayItem(bypass, 1);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(bob, "hosts_via_proxy")), 0);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(bob, "bypass_suggested")));
    assert_string_equal(cJSON_GetObjectItem(bob, "pac_url")->valuestring, "http://wpad/p.pac");
    cJSON_Delete(facts);

    /* Without the proxy probe's facts the comparison is null, not []. */
    facts = cJSON_CreateObject();
    assert_int_equal(ohc_exchange_hosts_facts(facts, NULL, NULL, 0), 0);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(facts, "proxy_bypass")));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(facts, "exchange_hosts")), 0);
    cJSON_Delete(facts);
    cJSON_Delete(prior);
}

#ifndef _WIN32
/* A loopback server: answers each connection with `answer`, or never (NULL)
 * until stopped. */
struct server {
    int fd, port;
    const char *answer;
    pthread_t thread;
    int held[8], nheld;
};

static void *serve(void *arg)
{
    struct server *s = arg;
    for (;;) {
        int c = accept(s->fd, NULL, NULL);
        if (c < 0)
            return NULL;
        char buf[4096];
        size_t got = 0;
        while (got < sizeof buf - 1) { /* the request's headers */
            ssize_t r = recv(c, buf + got, sizeof buf - 1 - got, 0);
            if (r <= 0)
                break;
            got += (size_t)r;
            buf[got] = '\0';
            if (strstr(buf, "\r\n\r\n") != NULL)
                break;
        }
        if (s->answer == NULL && s->nheld < 8) {
            s->held[s->nheld++] = c; /* silent: the client must give up */
            continue;
        }
        if (s->answer != NULL)
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
    for (int i = 0; i < s->nheld; i++)
        close(s->held[i]);
}

static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, (struct sockaddr *)&a, sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd); /* nothing listens there now */
    return ntohs(a.sin_port);
}

static const cJSON *fetch_of(const cJSON *facts, int i)
{
    return cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(facts, "users"), i), "pac_fetch");
}
#endif

/* Real requests on loopback: a PAC (200), a 404, a server that never
 * answers, a closed port, a file:// URL (not fetched), a user without a PAC. */
static void test_pac_fetch_loopback(void **state)
{
    (void)state;
#ifdef _WIN32
    skip(); /* POSIX sockets here; ohc.exe's PAC check is tested under Wine by test_proxy_pac.sh */
#else
    struct server ok, missing, silent;
    static const char pac[] = "function FindProxyForURL(url, host) { return \"DIRECT\"; }\n";
    char answer[512];
    snprintf(answer, sizeof answer,
             "HTTP/1.1 200 OK\r\nContent-Type: application/x-ns-proxy-autoconfig\r\nContent-Length: %zu\r\n"
             "Connection: close\r\n\r\n%s",
             sizeof pac - 1, pac);
    server_start(&ok, answer);
    server_start(&missing, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found");
    server_start(&silent, NULL);
    int closed = closed_port();
    char json[2048];
    snprintf(json, sizeof json,
             "{\"users\":[{\"sid\":\"a\",\"auto_config_url\":\"http://127.0.0.1:%d/proxy.pac\"},"
             "{\"sid\":\"b\",\"auto_config_url\":\"http://127.0.0.1:%d/gone.pac\"},"
             "{\"sid\":\"c\",\"auto_config_url\":\"http://127.0.0.1:%d/slow.pac\"},"
             "{\"sid\":\"d\",\"auto_config_url\":\"http://u:secret@127.0.0.1:%d/closed.pac\"},"
             "{\"sid\":\"e\",\"auto_config_url\":\"file://c:/proxy.pac\"},"
             "{\"sid\":\"f\",\"auto_config_url\":null},"
             "{\"sid\":\"g\",\"auto_config_url\":\"http://127.0.0.1:%d/proxy.pac\"}]}",
             ok.port, missing.port, silent.port, closed, ok.port);
    cJSON *facts = cJSON_Parse(json);
    assert_non_null(facts);
    assert_int_equal(ohc_pac_check_users(facts, 1500, NULL, NULL), 0);

    const cJSON *a = fetch_of(facts, 0);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(a, "answered")));
    assert_int_equal(cJSON_GetObjectItem(a, "http_status")->valueint, 200);
    assert_int_equal(cJSON_GetObjectItem(a, "bytes")->valueint, (int)(sizeof pac - 1));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(a, "defines_find_proxy_for_url")));
    assert_string_equal(cJSON_GetObjectItem(a, "content_type")->valuestring, "application/x-ns-proxy-autoconfig");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(a, "error")));

    const cJSON *b = fetch_of(facts, 1);
    assert_int_equal(cJSON_GetObjectItem(b, "http_status")->valueint, 404);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(b, "defines_find_proxy_for_url")));

    const cJSON *c = fetch_of(facts, 2);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(c, "answered")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(c, "http_status")));
    assert_int_equal(cJSON_GetObjectItem(c, "error_code")->valueint, 28); /* CURLE_OPERATION_TIMEDOUT */

    const cJSON *d = fetch_of(facts, 3);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(d, "fetched")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(d, "answered")));
    assert_int_equal(cJSON_GetObjectItem(d, "error_code")->valueint, 7); /* CURLE_COULDNT_CONNECT */
    assert_null(strstr(cJSON_GetObjectItem(d, "url")->valuestring, "secret")); /* no password in a report */

    const cJSON *e = fetch_of(facts, 4);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(e, "fetched")));
    assert_non_null(strstr(cJSON_GetObjectItem(e, "skipped")->valuestring, "not an http"));
    assert_true(cJSON_IsNull(fetch_of(facts, 5)));
    /* the same URL is asked once and reported for both users */
    assert_int_equal(cJSON_GetObjectItem(fetch_of(facts, 6), "http_status")->valueint, 200);
    assert_int_equal(cJSON_GetObjectItem(facts, "pac_urls_skipped")->valueint, 0); /* 4 distinct http URLs */
    cJSON_Delete(facts);
    /* As the service nothing is fetched (a URL the user chose), and each user says why. */
    facts = cJSON_Parse(json);
    assert_int_equal(ohc_pac_check_users(facts, 1500, NULL, "as the service: not fetched"), 0);
    a = fetch_of(facts, 0);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(a, "fetched")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(a, "answered")));
    assert_string_equal(cJSON_GetObjectItem(a, "skipped")->valuestring, "as the service: not fetched");
    cJSON_Delete(facts);
    server_stop(&ok);
    server_stop(&missing);
    server_stop(&silent);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bypass_matches),
        cmocka_unit_test(test_url_host),
        cmocka_unit_test(test_attach_user_reachability),
        cmocka_unit_test(test_pac_body_and_url),
        cmocka_unit_test(test_exchange_hosts_and_bypass),
        cmocka_unit_test(test_pac_fetch_loopback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
