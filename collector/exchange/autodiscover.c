#include "autodiscover.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "civil_time.h"
#include "os.h"
#include "probe.h"
#include "xml.h"

static const ohc_xml_limits pox_limits = {
    .max_bytes = OHC_AUTODISCOVER_MAX_BYTES,
    .max_elements = OHC_AUTODISCOVER_MAX_ELEMENTS,
    .max_depth = OHC_AUTODISCOVER_MAX_DEPTH,
    .max_attrs = OHC_AUTODISCOVER_MAX_ATTRS,
    .max_value = OHC_AUTODISCOVER_MAX_VALUE,
    .max_name = OHC_AUTODISCOVER_MAX_NAME,
};

/* Protocol children that are plain text, with their fact names. */
static const struct {
    const char *element, *key;
} protocol_fields[] = {
    {"Type", "type"},
    {"Server", "server"},
    {"ServerDN", "server_dn"},
    {"ServerVersion", "server_version"},
    {"MdbDN", "mdb_dn"},
    {"PublicFolderServer", "public_folder_server"},
    {"ASUrl", "as_url"},
    {"EwsUrl", "ews_url"},
    {"OOFUrl", "oof_url"},
    {"OABUrl", "oab_url"},
    {"EcpUrl", "ecp_url"},
    {"AuthPackage", "auth_package"},
    {"CertPrincipalName", "cert_principal_name"},
    {"SSL", "ssl"},
};

typedef struct pox_reader {
    cJSON *root; /* the facts being built */
    cJSON *user, *account, *protocols, *error;
    cJSON *protocol; /* the Protocol under Account being read */
    cJSON *other; /* its unknown children */
    char text[OHC_AUTODISCOVER_MAX_VALUE + 1];
    size_t text_len;
    char auth_method[128]; /* OWAUrl's AuthenticationMethod */
    int failed_memory;
} pox_reader;

static const char *open_local(const ohc_xml_reader *r, size_t depth)
{
    return ohc_xml_local_name(ohc_xml_open_element(r, depth));
}

static const char *attr_value(const ohc_xml_attr *attrs, size_t n, const char *local)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ohc_xml_local_name(attrs[i].name), local) == 0 && strncmp(attrs[i].name, "xmlns", 5) != 0)
            return attrs[i].value;
    return NULL;
}

/* Sets obj[key] = s, replacing an earlier value (the last element wins). */
static int set_string(pox_reader *pr, cJSON *obj, const char *key, const char *s)
{
    cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
    if (cJSON_AddStringToObject(obj, key, s) == NULL)
        pr->failed_memory = 1;
    return pr->failed_memory ? OHC_ENOMEM : OHC_OK;
}

static cJSON *child_object(pox_reader *pr, cJSON *parent, const char *key)
{
    cJSON *o = cJSON_GetObjectItemCaseSensitive(parent, key);
    if (o == NULL && (o = cJSON_AddObjectToObject(parent, key)) == NULL)
        pr->failed_memory = 1;
    return o;
}

static cJSON *error_object(ohc_xml_reader *r, pox_reader *pr, const ohc_xml_attr *attrs, size_t n)
{
    (void)r;
    if (pr->error == NULL || cJSON_IsNull(pr->error)) {
        cJSON_DeleteItemFromObjectCaseSensitive(pr->root, "error");
        pr->error = cJSON_AddObjectToObject(pr->root, "error");
        if (pr->error == NULL) {
            pr->failed_memory = 1;
            return NULL;
        }
    }
    const char *time = attr_value(attrs, n, "Time"), *id = attr_value(attrs, n, "Id");
    if (time != NULL)
        set_string(pr, pr->error, "time", time);
    if (id != NULL)
        set_string(pr, pr->error, "id", id);
    return pr->error;
}

static int on_start(ohc_xml_reader *r, void *user, const char *name, const ohc_xml_attr *attrs, size_t n, size_t depth,
                    const char *at)
{
    pox_reader *pr = user;
    const char *local = ohc_xml_local_name(name);
    pr->text_len = 0;
    if (depth == 1) {
        if (strcmp(local, "Autodiscover") != 0)
            return ohc_xml_fail_at(r, at, OHC_EMALFORMED,
                                   "the root element is <%s>, not <Autodiscover>: not an Autodiscover answer", name);
        return OHC_OK;
    }
    const char *parent = open_local(r, depth - 1);
    if (depth == 2 && strcmp(local, "Response") == 0) {
        for (size_t i = 0; i < n; i++)
            if (strcmp(attrs[i].name, "xmlns") == 0)
                set_string(pr, pr->root, "response_schema", attrs[i].value);
    } else if (depth == 3 && strcmp(parent, "Response") == 0) {
        if (strcmp(local, "User") == 0)
            pr->user = child_object(pr, pr->root, "user");
        else if (strcmp(local, "Account") == 0)
            pr->account = child_object(pr, pr->root, "account");
        else if (strcmp(local, "Error") == 0)
            error_object(r, pr, attrs, n);
    } else if (depth == 4 && strcmp(parent, "Account") == 0 && strcmp(local, "Protocol") == 0) {
        if (cJSON_GetArraySize(pr->protocols) >= (int)OHC_AUTODISCOVER_MAX_PROTOCOLS)
            return ohc_xml_fail_at(r, at, OHC_ELIMIT, "more than %u Protocol elements", OHC_AUTODISCOVER_MAX_PROTOCOLS);
        pr->protocol = cJSON_CreateObject();
        pr->other = NULL;
        if (pr->protocol == NULL || !cJSON_AddItemToArray(pr->protocols, pr->protocol)) {
            cJSON_Delete(pr->protocol);
            pr->protocol = NULL;
            pr->failed_memory = 1;
        } else {
            /* mapiHttp comes as <Protocol Type="mapiHttp" Version="1">. */
            const char *type = attr_value(attrs, n, "Type"), *version = attr_value(attrs, n, "Version");
            if (type != NULL)
                set_string(pr, pr->protocol, "type", type);
            if (version != NULL)
                set_string(pr, pr->protocol, "version", version);
        }
    } else if (depth == 4 && strcmp(parent, "Account") == 0 && strcmp(local, "Error") == 0) {
        error_object(r, pr, attrs, n);
    } else if (depth == 6 && strcmp(local, "OWAUrl") == 0) {
        const char *m = attr_value(attrs, n, "AuthenticationMethod");
        snprintf(pr->auth_method, sizeof pr->auth_method, "%s", m != NULL ? m : "");
    }
    return pr->failed_memory ? ohc_xml_fail_at(r, at, OHC_ENOMEM, "out of memory") : OHC_OK;
}

static int on_text(ohc_xml_reader *r, void *user, const char *s, size_t n, size_t depth, const char *at)
{
    (void)depth;
    pox_reader *pr = user;
    if (pr->text_len + n > OHC_AUTODISCOVER_MAX_VALUE)
        return ohc_xml_fail_at(r, at, OHC_ELIMIT, "text of <%s> longer than %u bytes", ohc_xml_open_element(r, depth),
                               OHC_AUTODISCOVER_MAX_VALUE);
    memcpy(pr->text + pr->text_len, s, n);
    pr->text_len += n;
    return OHC_OK;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The element's text, trimmed, NUL-terminated in pr->text. */
static const char *trimmed(pox_reader *pr)
{
    size_t b = 0, e = pr->text_len;
    while (b < e && is_space(pr->text[b]))
        b++;
    while (e > b && is_space(pr->text[e - 1]))
        e--;
    memmove(pr->text, pr->text + b, e - b);
    pr->text[e - b] = '\0';
    pr->text_len = 0;
    return pr->text;
}

static int protocol_field(pox_reader *pr, const char *local, const char *text)
{
    for (size_t i = 0; i < sizeof protocol_fields / sizeof protocol_fields[0]; i++) {
        if (strcmp(local, protocol_fields[i].element) != 0)
            continue;
        set_string(pr, pr->protocol, protocol_fields[i].key, text);
        if (strcmp(local, "ServerVersion") == 0) {
            char decoded[32];
            if (ohc_autodiscover_server_version(decoded, sizeof decoded, text))
                set_string(pr, pr->protocol, "server_version_decoded", decoded);
        }
        return OHC_OK;
    }
    if (strcmp(local, "Internal") == 0 || strcmp(local, "External") == 0 || strcmp(local, "MailStore") == 0 ||
        strcmp(local, "AddressBook") == 0)
        return OHC_OK;
    /* Anything else is kept raw, bounded. */
    if (pr->other == NULL && (pr->other = child_object(pr, pr->protocol, "other")) == NULL)
        return OHC_ENOMEM;
    if (cJSON_GetObjectItemCaseSensitive(pr->other, local) == NULL &&
        cJSON_GetArraySize(pr->other) >= (int)OHC_AUTODISCOVER_MAX_OTHER)
        return OHC_OK;
    return set_string(pr, pr->other, local, text);
}

static int on_end(ohc_xml_reader *r, void *user, const char *name, size_t depth, const char *at)
{
    pox_reader *pr = user;
    const char *local = ohc_xml_local_name(name);
    const char *parent = depth > 1 ? open_local(r, depth - 1) : "";
    const char *grand = depth > 2 ? open_local(r, depth - 2) : "";
    const char *text = trimmed(pr);
    if (depth == 4 && strcmp(parent, "User") == 0 && pr->user != NULL) {
        static const char *const user_fields[][2] = {{"DisplayName", "display_name"},
                                                     {"LegacyDN", "legacy_dn"},
                                                     {"DeploymentId", "deployment_id"},
                                                     {"AutoDiscoverSMTPAddress", "smtp_address"}};
        for (size_t i = 0; i < sizeof user_fields / sizeof user_fields[0]; i++)
            if (strcmp(local, user_fields[i][0]) == 0)
                set_string(pr, pr->user, user_fields[i][1], text);
    } else if (depth == 4 && strcmp(parent, "Account") == 0 && pr->account != NULL) {
        static const char *const account_fields[][2] = {{"AccountType", "account_type"},
                                                        {"Action", "action"},
                                                        {"MicrosoftOnline", "microsoft_online"},
                                                        {"RedirectUrl", "redirect_url"},
                                                        {"RedirectAddr", "redirect_addr"}};
        for (size_t i = 0; i < sizeof account_fields / sizeof account_fields[0]; i++)
            if (strcmp(local, account_fields[i][0]) == 0)
                set_string(pr, pr->account, account_fields[i][1], text);
        if (strcmp(local, "Protocol") == 0)
            pr->protocol = pr->other = NULL;
    } else if (strcmp(parent, "Error") == 0 && pr->error != NULL && !cJSON_IsNull(pr->error) &&
               ((depth == 4 && strcmp(grand, "Response") == 0) || (depth == 5 && strcmp(grand, "Account") == 0))) {
        if (strcmp(local, "ErrorCode") == 0)
            set_string(pr, pr->error, "code", text);
        else if (strcmp(local, "Message") == 0)
            set_string(pr, pr->error, "message", text);
        else if (strcmp(local, "DebugData") == 0)
            set_string(pr, pr->error, "debug_data", text);
    } else if (depth == 5 && pr->protocol != NULL && strcmp(parent, "Protocol") == 0) {
        protocol_field(pr, local, text);
    } else if (depth == 6 && pr->protocol != NULL && strcmp(grand, "Protocol") == 0) {
        int internal = strcmp(parent, "Internal") == 0, external = strcmp(parent, "External") == 0;
        int store = strcmp(parent, "MailStore") == 0, book = strcmp(parent, "AddressBook") == 0;
        if ((internal || external) && strcmp(local, "OWAUrl") == 0) {
            cJSON *side = child_object(pr, pr->protocol, internal ? "internal" : "external");
            cJSON *urls = side ? cJSON_GetObjectItemCaseSensitive(side, "owa_urls") : NULL;
            if (side != NULL && urls == NULL)
                urls = cJSON_AddArrayToObject(side, "owa_urls");
            cJSON *u = cJSON_CreateObject();
            if (urls == NULL || u == NULL || !cJSON_AddItemToArray(urls, u)) {
                cJSON_Delete(u);
                pr->failed_memory = 1;
            } else if (cJSON_GetArraySize(urls) <= (int)OHC_AUTODISCOVER_MAX_OTHER) {
                set_string(pr, u, "url", text);
                set_string(pr, u, "authentication_method", pr->auth_method);
            } else {
                cJSON_DeleteItemFromArray(urls, cJSON_GetArraySize(urls) - 1);
            }
        } else if ((store || book) && (strcmp(local, "InternalUrl") == 0 || strcmp(local, "ExternalUrl") == 0)) {
            cJSON *side = child_object(pr, pr->protocol, local[0] == 'I' ? "internal" : "external");
            if (side != NULL)
                set_string(pr, side, store ? "mailstore_url" : "addressbook_url", text);
        }
    }
    return pr->failed_memory ? ohc_xml_fail_at(r, at, OHC_ENOMEM, "out of memory") : OHC_OK;
}

static int add_oab_urls(cJSON *root)
{
    cJSON *urls = cJSON_AddArrayToObject(root, "oab_urls");
    if (urls == NULL)
        return OHC_ENOMEM;
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(root, "protocols"))
    {
        const char *u = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "oab_url"));
        if (u == NULL || *u == '\0')
            continue;
        int seen = 0;
        const cJSON *s;
        cJSON_ArrayForEach(s, urls) seen |= strcmp(s->valuestring, u) == 0;
        if (!seen && !cJSON_AddItemToArray(urls, cJSON_CreateString(u)))
            return OHC_ENOMEM;
    }
    return OHC_OK;
}

int ohc_autodiscover_parse(cJSON **out, const char *data, size_t len, const char *doc_name, ohc_error *err)
{
    *out = NULL;
    pox_reader *pr = calloc(1, sizeof *pr);
    if (pr == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    pr->root = cJSON_CreateObject();
    pr->protocols = pr->root ? cJSON_AddArrayToObject(pr->root, "protocols") : NULL;
    if (pr->protocols == NULL || cJSON_AddNullToObject(pr->root, "error") == NULL) {
        cJSON_Delete(pr->root);
        free(pr);
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    }
    pr->error = cJSON_GetObjectItemCaseSensitive(pr->root, "error");
    ohc_xml_handler h = {.user = pr, .start = on_start, .text = on_text, .end = on_end};
    int rc = ohc_xml_parse(data, len, doc_name, &pox_limits, &h, err);
    if (rc == OHC_OK && add_oab_urls(pr->root) != OHC_OK)
        rc = ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    if (rc == OHC_OK && pr->user == NULL && pr->account == NULL && cJSON_IsNull(pr->error))
        rc = ohc_error_set(err, OHC_EMALFORMED, 0, "%s: no Response/User, Account or Error: an empty answer", doc_name);
    if (rc == OHC_OK)
        *out = pr->root;
    else
        cJSON_Delete(pr->root);
    free(pr);
    return rc;
}

int ohc_autodiscover_v2_parse(cJSON **out, const char *data, size_t len, const char *doc_name, ohc_error *err)
{
    *out = NULL;
    if (len > OHC_AUTODISCOVER_MAX_BYTES)
        return ohc_error_set(err, OHC_ELIMIT, 0, "%s is %zu bytes, more than the %u accepted", doc_name, len,
                             OHC_AUTODISCOVER_MAX_BYTES);
    cJSON *doc = cJSON_ParseWithLength(data, len);
    if (doc == NULL || !cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return ohc_error_set(err, OHC_EMALFORMED, 0, "%s: not a JSON object", doc_name);
    }
    const char *protocol = cJSON_GetStringValue(cJSON_GetObjectItem(doc, "Protocol"));
    const char *url = cJSON_GetStringValue(cJSON_GetObjectItem(doc, "Url"));
    if (url == NULL) {
        cJSON_Delete(doc);
        return ohc_error_set(err, OHC_EMALFORMED, 0, "%s: no \"Url\" string: not an Autodiscover v2 answer", doc_name);
    }
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || cJSON_AddStringToObject(o, "url", url) == NULL ||
        (protocol ? cJSON_AddStringToObject(o, "protocol", protocol) : cJSON_AddNullToObject(o, "protocol")) == NULL) {
        cJSON_Delete(o);
        cJSON_Delete(doc);
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    }
    cJSON_Delete(doc);
    *out = o;
    return OHC_OK;
}

int ohc_autodiscover_server_version(char *out, size_t size, const char *hex)
{
    if (size > 0)
        out[0] = '\0';
    if (hex == NULL || strlen(hex) != 8)
        return 0;
    uint32_t v = 0;
    for (size_t i = 0; i < 8; i++) {
        int d = ohc_ascii_hex_value(hex[i]);
        if (d < 0)
            return 0;
        v = (v << 4) | (uint32_t)d;
    }
    snprintf(out, size, "%u.%u.%u", (unsigned)((v >> 22) & 0x3F), (unsigned)((v >> 16) & 0x3F), (unsigned)(v & 0x7FFF));
    return 1;
}

/* ------------------------------------------------------------------------ */
/* The cache folders of one profile. */

typedef enum file_format { FMT_POX, FMT_V2 } file_format;

static int ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && ohc_ascii_casecmp(s + n - m, suffix) == 0;
}

/* Which files of a folder are answers: folder 0 keeps "<name> - Autodiscover.xml". */
static int wanted(int folder, const char *name, file_format *fmt)
{
    if (folder == 0) {
        *fmt = FMT_POX;
        return ends_with_ci(name, "autodiscover.xml");
    }
    if (ends_with_ci(name, ".xml")) {
        *fmt = FMT_POX;
        return 1;
    }
    if (folder == 1 && ends_with_ci(name, ".json")) {
        *fmt = FMT_V2;
        return 1;
    }
    return 0;
}

static void path_join(char *out, size_t size, const char *a, const char *b)
{
    char sep = ohc_os_path_sep();
    size_t n = strlen(a);
    snprintf(out, size, "%s%s%s", a, n > 0 && (a[n - 1] == '/' || a[n - 1] == '\\') ? "" : (char[]){sep, 0}, b);
}

static cJSON *error_json(const ohc_error *err)
{
    return ohc_error_to_json(err);
}

static int read_one(cJSON *files, const char *path, const ohc_os_dirent *d, file_format fmt, int64_t now_ms)
{
    cJSON *f = cJSON_CreateObject();
    if (f == NULL || !cJSON_AddItemToArray(files, f)) {
        cJSON_Delete(f);
        return -1;
    }
    char modified[32];
    ohc_format_rfc3339_utc(modified, d->mtime_ms);
    cJSON_AddStringToObject(f, "path", path);
    cJSON_AddStringToObject(f, "modified", modified);
    cJSON_AddNumberToObject(f, "age_days", (double)((now_ms - d->mtime_ms) / 3600000) / 24.0);
    cJSON_AddNumberToObject(f, "size", (double)d->size);
    cJSON_AddStringToObject(f, "format", fmt == FMT_POX ? "pox" : "v2");
    ohc_error err;
    ohc_error_clear(&err);
    char *data = NULL;
    size_t len = 0;
    cJSON *answer = NULL;
    int rc = ohc_os_read_file(&data, &len, path, OHC_AUTODISCOVER_MAX_BYTES, &err);
    if (rc == OHC_OK)
        rc = fmt == FMT_POX ? ohc_autodiscover_parse(&answer, data, len, d->name, &err)
                            : ohc_autodiscover_v2_parse(&answer, data, len, d->name, &err);
    free(data);
    if (rc == OHC_ENOMEM)
        return -1;
    cJSON_AddStringToObject(f, "status", rc == OHC_OK ? "ok" : "error");
    cJSON_AddItemToObject(f, "error", rc == OHC_OK ? cJSON_CreateNull() : error_json(&err));
    cJSON_AddItemToObject(f, "answer", rc == OHC_OK ? answer : cJSON_CreateNull());
    return rc == OHC_OK ? 0 : 1;
}

int ohc_autodiscover_scan_profile(cJSON *profile, const char *local_appdata, int64_t now_ms)
{
    static const char *const folders[] = {"Microsoft/Outlook", "Microsoft/Outlook/16",
                                          "Microsoft/Outlook/16/AutoDiscover"};
    cJSON *folders_json = cJSON_AddArrayToObject(profile, "folders");
    cJSON *files = cJSON_AddArrayToObject(profile, "files");
    if (folders_json == NULL || files == NULL)
        return -1;
    int bad = 0;
    for (size_t i = 0; i < sizeof folders / sizeof folders[0]; i++) {
        char rel[64], dir[1024];
        snprintf(rel, sizeof rel, "%s", folders[i]);
        for (char *c = rel; *c; c++)
            if (*c == '/')
                *c = ohc_os_path_sep();
        path_join(dir, sizeof dir, local_appdata, rel);
        cJSON *fj = cJSON_CreateObject();
        if (fj == NULL || !cJSON_AddItemToArray(folders_json, fj)) {
            cJSON_Delete(fj);
            return -1;
        }
        cJSON_AddStringToObject(fj, "path", dir);
        ohc_os_dirent *list = NULL;
        size_t count = 0;
        ohc_error err;
        ohc_error_clear(&err);
        int rc = ohc_os_list_dir(&list, &count, dir, &err);
        if (rc != OHC_OK) {
            cJSON_AddStringToObject(fj, "status", rc == OHC_ENOTFOUND ? "absent" : "error");
            cJSON_AddItemToObject(fj, "error", rc == OHC_ENOTFOUND ? cJSON_CreateNull() : error_json(&err));
            bad += rc != OHC_ENOTFOUND;
            continue;
        }
        cJSON_AddStringToObject(fj, "status", "read");
        cJSON_AddNullToObject(fj, "error");
        size_t taken = 0;
        int capped = 0;
        for (size_t k = 0; k < count; k++) {
            file_format fmt;
            if (!wanted((int)i, list[k].name, &fmt))
                continue;
            if (taken == OHC_AUTODISCOVER_MAX_FILES) {
                capped = 1;
                break;
            }
            taken++;
            char path[1400];
            path_join(path, sizeof path, dir, list[k].name);
            int r = read_one(files, path, &list[k], fmt, now_ms);
            if (r < 0) {
                ohc_os_dirents_free(list, count);
                return -1;
            }
            bad += r;
        }
        cJSON_AddNumberToObject(fj, "files", (double)taken);
        cJSON_AddBoolToObject(fj, "capped", capped);
        ohc_os_dirents_free(list, count);
    }
    return bad;
}

/* ------------------------------------------------------------------------ */
/* The summary: flat responses, distinct OAB URLs, the registry beside them. */

static const cJSON *outlook_user(const cJSON *outlook, const char *sid)
{
    const cJSON *u;
    if (sid == NULL)
        return NULL;
    cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(outlook, "users"))
    {
        const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(u, "sid"));
        if (s != NULL && ohc_ascii_casecmp(s, sid) == 0)
            return u;
    }
    return NULL;
}

/* The registry's Outlook Anywhere values of a user: the newest Office version
 * that has any, as {version, ProxyServer, ProxyServerPrincipalName,
 * mutual_auth, MapiHttpDisabled}; NULL when the user has none. */
static cJSON *registry_view(const cJSON *user)
{
    const cJSON *versions = cJSON_GetObjectItemCaseSensitive(user, "versions"), *v, *chosen = NULL;
    cJSON_ArrayForEach(v, versions)
    {
        const cJSON *eff = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(v, "rpc"), "effective");
        if (cJSON_GetArraySize(eff) > 0)
            chosen = v; /* versions come oldest first */
    }
    const cJSON *mapi = cJSON_GetObjectItemCaseSensitive(user, "mapi_http_disabled");
    if (chosen == NULL && (mapi == NULL || cJSON_IsNull(mapi)))
        return NULL;
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    const cJSON *eff =
        chosen ? cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(chosen, "rpc"), "effective") : NULL;
    const char *ver = chosen ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(chosen, "version")) : NULL;
    ver ? cJSON_AddStringToObject(o, "version", ver) : cJSON_AddNullToObject(o, "version");
    static const char *const names[] = {"ProxyServer", "ProxyServerPrincipalName"};
    for (size_t i = 0; i < 2; i++) {
        const cJSON *val = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(eff, names[i]), "value");
        cJSON_IsString(val) ? cJSON_AddStringToObject(o, names[i], val->valuestring)
                            : cJSON_AddNullToObject(o, names[i]);
    }
    /* Where the principal name comes from decides where a repair belongs (a GPO wins). */
    const char *src = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(eff, "ProxyServerPrincipalName"), "source"));
    src ? cJSON_AddStringToObject(o, "principal_name_source", src) : cJSON_AddNullToObject(o, "principal_name_source");
    const cJSON *flags = chosen ? cJSON_GetObjectItemCaseSensitive(chosen, "proxy_server_flags") : NULL;
    const cJSON *mutual = cJSON_GetObjectItemCaseSensitive(flags, "mutual_auth");
    cJSON_IsBool(mutual) ? cJSON_AddBoolToObject(o, "mutual_auth", cJSON_IsTrue(mutual))
                         : cJSON_AddNullToObject(o, "mutual_auth");
    const cJSON *mv = cJSON_GetObjectItemCaseSensitive(mapi, "value");
    cJSON_IsNumber(mv) ? cJSON_AddNumberToObject(o, "MapiHttpDisabled", mv->valuedouble)
                       : cJSON_AddNullToObject(o, "MapiHttpDisabled");
    return o;
}

/* The mailbox server's version from the answer's ServerVersion (EXCH first,
 * else the first protocol that has one that decodes), as facts
 * {server_version, decoded, major, minor, build, protocol}; a JSON null when none. */
static cJSON *exchange_version(const cJSON *answer)
{
    const cJSON *chosen = NULL, *p;
    for (int pass = 0; pass < 2 && chosen == NULL; pass++) {
        cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(answer, "protocols"))
        {
            const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "type"));
            char d[32];
            if ((pass == 1 || (type != NULL && strcmp(type, "EXCH") == 0)) &&
                ohc_autodiscover_server_version(
                    d, sizeof d, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "server_version")))) {
                chosen = p;
                break;
            }
        }
    }
    if (chosen == NULL)
        return cJSON_CreateNull();
    const char *hex = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(chosen, "server_version"));
    uint32_t v = (uint32_t)strtoul(hex, NULL, 16);
    char d[32];
    ohc_autodiscover_server_version(d, sizeof d, hex);
    cJSON *o = cJSON_CreateObject();
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(chosen, "type"));
    if (o == NULL || cJSON_AddStringToObject(o, "server_version", hex) == NULL ||
        cJSON_AddStringToObject(o, "decoded", d) == NULL ||
        cJSON_AddNumberToObject(o, "major", (v >> 22) & 0x3F) == NULL ||
        cJSON_AddNumberToObject(o, "minor", (v >> 16) & 0x3F) == NULL ||
        cJSON_AddNumberToObject(o, "build", v & 0x7FFF) == NULL ||
        (type ? cJSON_AddStringToObject(o, "protocol", type) : cJSON_AddNullToObject(o, "protocol")) == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* The EXPR protocol's AuthPackage, else NULL. */
static const char *expr_auth_package(const cJSON *answer)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(answer, "protocols"))
    {
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "type"));
        if (type != NULL && strcmp(type, "EXPR") == 0)
            return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "auth_package"));
    }
    return NULL;
}

/* The EXPR protocol's CertPrincipalName, else NULL. */
static const char *expr_principal(const cJSON *answer)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(answer, "protocols"))
    {
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "type"));
        if (type != NULL && strcmp(type, "EXPR") == 0)
            return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "cert_principal_name"));
    }
    return NULL;
}

/* Mutual authentication on, and the registry's principal name is not
 * msstd:<CertPrincipalName> of the cached EXPR answer: 1; else 0 (including
 * when either side is missing, or the answer says "none": nothing to compare). */
static int principal_mismatch(const cJSON *registry, const char *cert_principal)
{
    const cJSON *mutual = cJSON_GetObjectItemCaseSensitive(registry, "mutual_auth");
    const char *reg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(registry, "ProxyServerPrincipalName"));
    if (!cJSON_IsTrue(mutual) || reg == NULL || cert_principal == NULL || *cert_principal == '\0')
        return 0;
    const char *name = reg;
    if (ohc_ascii_strncasecmp(name, "msstd:", 6) == 0)
        name += 6;
    const char *cert = cert_principal;
    if (ohc_ascii_casecmp(cert, "none") == 0)
        return 0; /* the server turns the check off: nothing to agree with */
    if (ohc_ascii_strncasecmp(cert, "msstd:", 6) == 0)
        cert += 6;
    return ohc_ascii_casecmp(name, cert) != 0;
}

int ohc_autodiscover_summarise(cJSON *facts, const cJSON *outlook)
{
    cJSON *responses = cJSON_AddArrayToObject(facts, "responses");
    cJSON *oab_urls = cJSON_AddArrayToObject(facts, "oab_urls");
    if (responses == NULL || oab_urls == NULL)
        return -1;
    const cJSON *profile;
    cJSON_ArrayForEach(profile, cJSON_GetObjectItemCaseSensitive(facts, "profiles"))
    {
        const char *user = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(profile, "user"));
        const char *sid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(profile, "sid"));
        const cJSON *ouser = outlook_user(outlook, sid);
        const cJSON *file;
        cJSON_ArrayForEach(file, cJSON_GetObjectItemCaseSensitive(profile, "files"))
        {
            const cJSON *answer = cJSON_GetObjectItemCaseSensitive(file, "answer");
            cJSON *r = cJSON_CreateObject();
            if (r == NULL || !cJSON_AddItemToArray(responses, r)) {
                cJSON_Delete(r);
                return -1;
            }
            user ? cJSON_AddStringToObject(r, "user", user) : cJSON_AddNullToObject(r, "user");
            sid ? cJSON_AddStringToObject(r, "sid", sid) : cJSON_AddNullToObject(r, "sid");
            static const char *const copied[] = {"path", "modified", "age_days", "format", "status", "error"};
            for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++) {
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(file, copied[i]);
                cJSON_AddItemToObject(r, copied[i], v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull());
            }
            const char *smtp = cJSON_GetStringValue(
                cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(answer, "user"), "smtp_address"));
            smtp ? cJSON_AddStringToObject(r, "smtp_address", smtp) : cJSON_AddNullToObject(r, "smtp_address");
            const char *at = smtp ? strrchr(smtp, '@') : NULL;
            at &&at[1] ? cJSON_AddStringToObject(r, "smtp_domain", at + 1) : cJSON_AddNullToObject(r, "smtp_domain");
            const cJSON *err = cJSON_GetObjectItemCaseSensitive(answer, "error");
            cJSON_AddItemToObject(r, "answer_error", err ? cJSON_Duplicate(err, 1) : cJSON_CreateNull());
            const char *cert = expr_principal(answer);
            cert ? cJSON_AddStringToObject(r, "cert_principal_name", cert)
                 : cJSON_AddNullToObject(r, "cert_principal_name");
            cJSON *ver = exchange_version(answer);
            if (ver == NULL || !cJSON_AddItemToObject(r, "exchange_version", ver)) {
                cJSON_Delete(ver);
                return -1;
            }
            const char *auth = expr_auth_package(answer);
            auth ? cJSON_AddStringToObject(r, "expr_auth_package", auth)
                 : cJSON_AddNullToObject(r, "expr_auth_package");
            cJSON *registry = ouser ? registry_view(ouser) : NULL;
            cJSON_AddBoolToObject(r, "cert_principal_name_mismatch", principal_mismatch(registry, cert));
            cJSON_AddItemToObject(r, "registry", registry ? registry : cJSON_CreateNull());
            const cJSON *url;
            cJSON_ArrayForEach(url, cJSON_GetObjectItemCaseSensitive(answer, "oab_urls"))
            {
                int seen = 0;
                const cJSON *s;
                cJSON_ArrayForEach(s, oab_urls) seen |= strcmp(s->valuestring, url->valuestring) == 0;
                if (!seen && !cJSON_AddItemToArray(oab_urls, cJSON_CreateString(url->valuestring)))
                    return -1;
            }
        }
    }
    return 0;
}
