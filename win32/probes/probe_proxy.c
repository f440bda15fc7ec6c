/* The proxy probe on Windows: the machine WinHTTP proxy (API and registry
 * blob), every loaded user's WinINet settings, the proxy environment
 * variables (credentials masked), a bounded TCP connect to each proxy, and
 * a bounded GET of each user's PAC URL (collector/facts/pac_fetch.c).
 * Decoding and comparing is done by collector/facts/proxy.c; this file only asks
 * the OS. Each part is independent: one failing leaves its facts null with
 * the reason and the others are still reported. */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mstcpip.h>
#include <windows.h>
#include <winhttp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os.h"
#include "pac_fetch.h"
#include "probes_win32.h"
#include "proxy.h"
#include "regval.h"
#include "user_hives.h"
#include "win32util.h"

#define CONNECTIONS_KEY L"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections"
#define USER_IE_KEY L"Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"

enum { MAX_PROXIES = 8, CONNECT_TIMEOUT_MS = 2000 };

/* The proxies to test, with which settings named each. */
typedef struct proxy_set {
    ohc_proxy_endpoint eps[MAX_PROXIES];
    cJSON *sources[MAX_PROXIES];
    size_t count;
    size_t skipped; /* beyond MAX_PROXIES */
} proxy_set;

static void proxy_set_add(proxy_set *set, const char *list, const char *source)
{
    ohc_proxy_endpoint tmp[MAX_PROXIES];
    size_t n = 0;
    set->skipped += ohc_proxy_list_parse(tmp, &n, MAX_PROXIES, list, NULL);
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        for (; j < set->count; j++)
            if (set->eps[j].port == tmp[i].port && !_stricmp(set->eps[j].host, tmp[i].host))
                break;
        if (j == set->count) {
            if (set->count == MAX_PROXIES) {
                set->skipped++;
                continue;
            }
            set->eps[j] = tmp[i];
            set->sources[j] = cJSON_CreateArray();
            set->count++;
        }
        if (set->sources[j] != NULL)
            cJSON_AddItemToArray(set->sources[j], cJSON_CreateString(source));
    }
}

static void add_str(cJSON *o, const char *key, const char *s)
{
    if (s != NULL)
        cJSON_AddStringToObject(o, key, s);
    else
        cJSON_AddNullToObject(o, key);
}

/* --- WinHTTP ------------------------------------------------------------ */

/* Returns the WinHTTP proxy in effect (API when it answered, else the blob), or NULL. Caller frees. */
static char *collect_winhttp(cJSON *facts, proxy_set *set, ohc_error *partial)
{
    cJSON *w = cJSON_AddObjectToObject(facts, "winhttp");
    if (w == NULL)
        return NULL;
    WINHTTP_PROXY_INFO info;
    memset(&info, 0, sizeof info);
    int api_ok = WinHttpGetDefaultProxyConfiguration(&info) != FALSE;
    char *api_proxy = NULL, *api_bypass = NULL;
    if (api_ok) {
        api_proxy = ohc_utf8_from_w(info.lpszProxy);
        api_bypass = ohc_utf8_from_w(info.lpszProxyBypass);
        cJSON *api = cJSON_AddObjectToObject(w, "api");
        if (api != NULL) {
            const char *name = ohc_winhttp_access_name(info.dwAccessType);
            if (name != NULL)
                cJSON_AddStringToObject(api, "access_type", name);
            else
                cJSON_AddNumberToObject(api, "access_type", info.dwAccessType);
            add_str(api, "proxy", api_proxy);
            add_str(api, "bypass", api_bypass);
        }
        cJSON_AddNullToObject(w, "api_error");
        if (info.lpszProxy)
            GlobalFree(info.lpszProxy);
        if (info.lpszProxyBypass)
            GlobalFree(info.lpszProxyBypass);
    } else {
        ohc_error e;
        ohc_error_clear(&e);
        DWORD code = GetLastError();
        ohc_win32_error(&e, ohc_err_from_win32(code), code, "WinHttpGetDefaultProxyConfiguration");
        cJSON_AddNullToObject(w, "api");
        cJSON_AddStringToObject(w, "api_error", e.message);
        *partial = e;
    }

    BYTE *data = NULL;
    DWORD type = 0, len = 0;
    ohc_error e;
    ohc_error_clear(&e);
    int rc =
        ohc_reg_read(&data, &type, &len, HKEY_LOCAL_MACHINE, CONNECTIONS_KEY, L"WinHttpSettings", KEY_WOW64_64KEY, &e);
    ohc_proxy_blob blob;
    if (ohc_proxy_blob_decode(&blob, rc == OHC_OK ? data : NULL, len, OHC_BLOB_WINHTTP) == OHC_OK) {
        cJSON *reg = ohc_proxy_blob_to_json(&blob, data, len, OHC_BLOB_WINHTTP);
        if (reg != NULL && rc != OHC_OK && rc != OHC_ENOTFOUND)
            cJSON_AddStringToObject(reg, "error", e.message);
        if (reg != NULL && rc == OHC_OK && type != OHC_REG_BINARY)
            cJSON_AddStringToObject(reg, "type", ohc_regval_type_name(type));
        cJSON_AddItemToObject(w, "registry", reg);
    }
    free(data);

    const char *reg_proxy = ohc_proxy_blob_winhttp_proxy(&blob);
    int api_named = api_ok && info.dwAccessType == WINHTTP_ACCESS_TYPE_NAMED_PROXY && api_proxy && api_proxy[0];
    const char *effective = api_ok ? (api_named ? api_proxy : NULL) : reg_proxy;
    cJSON_AddBoolToObject(w, "direct", effective == NULL);
    cJSON_AddBoolToObject(w, "api_registry_differ",
                          ohc_proxy_winhttp_differ(api_ok, info.dwAccessType, api_proxy, api_bypass, &blob));
    if (api_named)
        proxy_set_add(set, api_proxy, "winhttp");
    if (reg_proxy != NULL)
        proxy_set_add(set, reg_proxy, "winhttp_registry");
    char *result = effective ? _strdup(effective) : NULL;
    ohc_proxy_blob_free(&blob);
    free(api_proxy);
    free(api_bypass);
    return result;
}

/* --- users -------------------------------------------------------------- */

static cJSON *collect_user(const ohc_user_hive *h, const char *winhttp_proxy, proxy_set *set, cJSON *differ)
{
    cJSON *u = ohc_user_hive_to_json(h);
    if (u == NULL)
        return NULL;
    HKEY ie = NULL;
    if (RegOpenKeyExW(h->root, USER_IE_KEY, 0, KEY_READ, &ie) != ERROR_SUCCESS)
        ie = NULL;
    ohc_proxy_user_values in;
    memset(&in, 0, sizeof in);
    if (ie != NULL) {
        in.proxy_enable = ohc_reg_query_json(ie, L"ProxyEnable", REG_DWORD);
        in.proxy_server = ohc_reg_query_json(ie, L"ProxyServer", REG_SZ);
        in.proxy_override = ohc_reg_query_json(ie, L"ProxyOverride", REG_SZ);
        in.auto_config_url = ohc_reg_query_json(ie, L"AutoConfigURL", REG_SZ);
    }
    BYTE *data = NULL;
    DWORD type = 0, len = 0;
    ohc_error e;
    ohc_error_clear(&e);
    int rc = ie != NULL ? ohc_reg_read(&data, &type, &len, ie, L"Connections", L"DefaultConnectionSettings", 0, &e)
                        : OHC_ENOTFOUND;
    if (ie != NULL)
        RegCloseKey(ie);
    in.connections = rc == OHC_OK ? data : NULL;
    in.connections_len = rc == OHC_OK ? len : 0;
    in.connections_error = rc != OHC_OK && rc != OHC_ENOTFOUND ? e.message : NULL;
    ohc_proxy_user_proxies found;
    int differs = ohc_proxy_user_facts(u, &in, winhttp_proxy, &found);
    char label[220];
    snprintf(label, sizeof label, "user:%s", h->sid);
    /* A configured proxy is tested even when switched off: it may be switched on again. */
    if (found.proxy_server != NULL)
        proxy_set_add(set, found.proxy_server, label);
    if (found.blob_proxy != NULL)
        proxy_set_add(set, found.blob_proxy, label);
    if (differs > 0)
        cJSON_AddItemToArray(differ, cJSON_CreateString(h->sid));
    free(data);
    return u;
}

/* --- environment -------------------------------------------------------- */

static void collect_environment(cJSON *facts, proxy_set *set)
{
    cJSON *env = cJSON_AddObjectToObject(facts, "environment");
    if (env == NULL)
        return;
    static const char *const names[] = {"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"};
    for (size_t i = 0; i < 3; i++) {
        char raw[4096], masked[4096];
        int rc = ohc_os_getenv(names[i], raw, sizeof raw);
        if (rc == OHC_OK) {
            ohc_proxy_mask_credentials(masked, sizeof masked, raw);
            cJSON_AddStringToObject(env, names[i], masked);
            if (i < 2) {
                char label[32];
                snprintf(label, sizeof label, "env:%s", names[i]);
                proxy_set_add(set, raw, label); /* the parser drops the credentials */
            }
        } else {
            cJSON_AddNullToObject(env, names[i]);
            if (rc == OHC_ELIMIT) {
                char key[32];
                snprintf(key, sizeof key, "%s_error", names[i]);
                cJSON_AddStringToObject(env, key, "longer than 4095 bytes: not read");
            }
        }
        SecureZeroMemory(raw, sizeof raw);
    }
}

/* --- reachability ------------------------------------------------------- */

/* One connect test on its own thread, so that a slow name lookup cannot hold
 * up the others. Shared by the thread and the probe: the last one to let go
 * frees it, so a lookup that outlives the probe writes into live memory. */
typedef struct reach_job {
    LONG refs;
    LONG done;
    ohc_proxy_endpoint ep;
    uint64_t started_ms;
    uint64_t elapsed_ms;
    int reachable;
    DWORD error;
    const char *stage; /* "resolve", "connect" */
    unsigned addresses_tried;
    char address[INET6_ADDRSTRLEN + 8]; /* the one that answered, else the last tried (with port) */
} reach_job;

static void reach_release(reach_job *j)
{
    if (InterlockedDecrement(&j->refs) == 0)
        free(j);
}

/* One non-blocking connect to addr within left_ms; 0 and *reachable, or the
 * Winsock error. */
static DWORD connect_one(const struct addrinfo *addr, uint64_t left_ms, int *reachable)
{
    *reachable = 0;
    SOCKET s = socket(addr->ai_family, addr->ai_socktype, addr->ai_protocol);
    u_long nonblocking = 1;
    if (s == INVALID_SOCKET || ioctlsocket(s, (long)FIONBIO, &nonblocking) != 0) {
        DWORD e = (DWORD)WSAGetLastError();
        if (s != INVALID_SOCKET)
            closesocket(s);
        return e;
    }
    /* Windows answers a refused SYN (a RST) by sending the SYN again and
     * reports WSAECONNREFUSED only after about 2 s: with the probe's 2 s
     * budget nearly every closed port read as a timeout. No SYN
     * retransmissions: a refusal fails at once. Older Windows and Wine
     * refuse the option; the connect then goes on as before.
     * https://learn.microsoft.com/windows/win32/winsock/sio-tcp-initial-rto */
    TCP_INITIAL_RTO_PARAMETERS rto = {TCP_INITIAL_RTO_UNSPECIFIED_RTT, TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS};
    DWORD got = 0;
    WSAIoctl(s, SIO_TCP_INITIAL_RTO, &rto, sizeof rto, NULL, 0, &got, NULL, NULL);
    DWORD error = 0;
    if (connect(s, addr->ai_addr, (int)addr->ai_addrlen) == 0) {
        *reachable = 1;
    } else if ((error = (DWORD)WSAGetLastError()) == WSAEWOULDBLOCK) {
        fd_set wr, ex;
        FD_ZERO(&wr);
        FD_ZERO(&ex);
        FD_SET(s, &wr);
        FD_SET(s, &ex);
        struct timeval tv = {(long)(left_ms / 1000), (long)(left_ms % 1000) * 1000};
        int n = select(0, NULL, &wr, &ex, &tv);
        int soerr = 0, sl = sizeof soerr;
        if (n == 0) {
            error = WSAETIMEDOUT;
        } else if (n < 0) {
            error = (DWORD)WSAGetLastError();
        } else if (getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&soerr, &sl) == 0 && soerr != 0) {
            error = (DWORD)soerr;
        } else if (FD_ISSET(s, &wr)) {
            *reachable = 1;
            error = 0;
        } else {
            error = WSAECONNREFUSED;
        }
    }
    closesocket(s);
    return error;
}

static DWORD WINAPI reach_main(void *arg)
{
    reach_job *j = arg;
    char port[8];
    snprintf(port, sizeof port, "%u", (unsigned)j->ep.port);
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    j->stage = "resolve";
    int rc = getaddrinfo(j->ep.host, port, &hints, &ai);
    if (rc != 0) {
        j->error = (DWORD)WSAGetLastError();
        if (j->error == 0)
            j->error = (DWORD)rc;
    } else {
        j->stage = "connect";
        /* Every address the name has, in the resolver's order, as a client
         * would try them, until one answers or the budget is spent. */
        for (const struct addrinfo *a = ai; a != NULL && !j->reachable; a = a->ai_next) {
            uint64_t spent = ohc_os_monotonic_ms() - j->started_ms;
            if (spent >= CONNECT_TIMEOUT_MS) {
                if (j->error == 0)
                    j->error = WSAETIMEDOUT;
                break;
            }
            j->error = connect_one(a, CONNECT_TIMEOUT_MS - spent, &j->reachable);
            j->addresses_tried++;
            char text[INET6_ADDRSTRLEN + 8] = "";
            DWORD tl = sizeof text;
            if (WSAAddressToStringA(a->ai_addr, (DWORD)a->ai_addrlen, NULL, text, &tl) == 0)
                snprintf(j->address, sizeof j->address, "%s", text);
        }
        freeaddrinfo(ai);
    }
    j->elapsed_ms = ohc_os_monotonic_ms() - j->started_ms;
    InterlockedExchange(&j->done, 1);
    reach_release(j);
    return 0;
}

static void collect_reachability(cJSON *facts, proxy_set *set)
{
    cJSON *arr = cJSON_AddArrayToObject(facts, "reachability");
    cJSON_AddNumberToObject(facts, "reachability_skipped", (double)set->skipped);
    if (arr == NULL || set->count == 0)
        return;
    WSADATA wsa;
    int wsa_ok = WSAStartup(MAKEWORD(2, 2), &wsa) == 0;
    reach_job *jobs[MAX_PROXIES] = {0};
    HANDLE threads[MAX_PROXIES];
    DWORD nthreads = 0;
    uint64_t start = ohc_os_monotonic_ms();
    for (size_t i = 0; i < set->count && wsa_ok; i++) {
        reach_job *j = calloc(1, sizeof *j);
        if (j == NULL)
            continue;
        j->refs = 2;
        j->ep = set->eps[i];
        j->started_ms = start;
        HANDLE t = CreateThread(NULL, 256 * 1024, reach_main, j, STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
        if (t == NULL) {
            free(j);
            continue;
        }
        jobs[i] = j;
        threads[nthreads++] = t;
    }
    if (nthreads > 0)
        WaitForMultipleObjects(nthreads, threads, TRUE, CONNECT_TIMEOUT_MS + 500);
    for (DWORD i = 0; i < nthreads; i++)
        CloseHandle(threads[i]);
    int all_done = 1;
    for (size_t i = 0; i < set->count; i++) {
        cJSON *r = cJSON_CreateObject();
        if (r == NULL)
            break;
        char hp[300];
        const ohc_proxy_endpoint *ep = &set->eps[i];
        snprintf(hp, sizeof hp, strchr(ep->host, ':') ? "[%s]:%u" : "%s:%u", ep->host, (unsigned)ep->port);
        cJSON_AddStringToObject(r, "proxy", hp);
        cJSON_AddStringToObject(r, "host", ep->host);
        cJSON_AddNumberToObject(r, "port", ep->port);
        reach_job *j = jobs[i];
        if (j != NULL && InterlockedCompareExchange(&j->done, 1, 1) == 1) {
            cJSON_AddBoolToObject(r, "reachable", j->reachable);
            if (j->reachable) {
                cJSON_AddNullToObject(r, "error");
                cJSON_AddNullToObject(r, "error_code");
            } else {
                ohc_error e;
                ohc_error_clear(&e);
                ohc_win32_error(&e, OHC_ENETWORK, j->error, j->stage);
                cJSON_AddStringToObject(r, "error", e.message);
                cJSON_AddNumberToObject(r, "error_code", j->error);
            }
            cJSON_AddNumberToObject(r, "elapsed_ms", (double)j->elapsed_ms);
            cJSON_AddNumberToObject(r, "addresses_tried", j->addresses_tried);
            if (j->address[0])
                cJSON_AddStringToObject(r, "address", j->address);
            else
                cJSON_AddNullToObject(r, "address");
        } else {
            all_done &= j == NULL;
            cJSON_AddBoolToObject(r, "reachable", 0);
            cJSON_AddStringToObject(r, "error",
                                    j ? "timed out (name lookup still running)"
                                      : (wsa_ok ? "could not start the test" : "Winsock unavailable"));
            cJSON_AddNumberToObject(r, "error_code", WSAETIMEDOUT);
            cJSON_AddNumberToObject(r, "elapsed_ms", (double)(ohc_os_monotonic_ms() - start));
        }
        if (j != NULL)
            reach_release(j);
        cJSON_AddItemToObject(r, "sources", set->sources[i]);
        set->sources[i] = NULL;
        cJSON_AddItemToArray(arr, r);
    }
    /* A lookup still running keeps Winsock: cleaning up under it would fail it. */
    if (wsa_ok && all_done)
        WSACleanup();
}

void ohc_win32_probe_proxy(ohc_probe_output *out, const ohc_probe_context *ctx)
{
    cJSON *facts = cJSON_CreateObject();
    if (facts == NULL) {
        ohc_probe_take_facts(out, NULL);
        return;
    }
    proxy_set set;
    memset(&set, 0, sizeof set);
    ohc_error partial;
    ohc_error_clear(&partial);

    char *winhttp_proxy = collect_winhttp(facts, &set, &partial);

    cJSON *users = cJSON_AddArrayToObject(facts, "users");
    cJSON *differ = cJSON_CreateArray();
    ohc_user_hive *hives = NULL;
    size_t nhives = 0;
    int capped = 0;
    ohc_error e;
    ohc_error_clear(&e);
    if (ohc_user_hives_list(&hives, &nhives, &capped, &e) != OHC_OK)
        partial = e;
    for (size_t i = 0; i < nhives && users != NULL && differ != NULL; i++)
        cJSON_AddItemToArray(users, collect_user(&hives[i], winhttp_proxy, &set, differ));
    ohc_user_hives_free(hives, nhives);
    cJSON_AddBoolToObject(facts, "users_capped", capped);

    collect_environment(facts, &set);
    collect_reachability(facts, &set);
    /* Each user's own proxies and PAC file, where a rule can name the user. */
    if (ohc_proxy_attach_user_reachability(facts) != 0 ||
        ohc_pac_check_users(facts, OHC_PAC_TIMEOUT_MS, ctx->options->ca_file,
                            ctx->options->as_service || ohc_win32_running_as_service()
                                ? "as the service: a PAC URL is set by the user (HKCU), and LocalSystem does not "
                                  "fetch URLs a standard user chooses; run `ohc collect` as the user to check it"
                                : NULL) != 0) {
        cJSON_Delete(facts);
        cJSON_Delete(differ);
        for (size_t i = 0; i < set.count; i++)
            cJSON_Delete(set.sources[i]);
        free(winhttp_proxy);
        ohc_probe_take_facts(out, NULL);
        return;
    }
    cJSON_AddItemToObject(facts, "winhttp_user_differ", differ);
    for (size_t i = 0; i < set.count; i++)
        cJSON_Delete(set.sources[i]);
    free(winhttp_proxy);

    if (partial.code != OHC_OK) {
        out->status = OHC_PROBE_PARTIAL;
        out->error = partial;
    }
    ohc_probe_take_facts(out, facts);
}
