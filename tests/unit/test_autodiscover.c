/* The cached Autodiscover answers: the documented POX shape (EXCH, EXPR,
 * WEB, mapiHttp, an error answer, a redirect), v2 JSON, ServerVersion, the
 * scan of a profile's folders, the summary beside the registry, and hostile
 * input (each a clear error naming the file, nothing else lost). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* rmdir; mingw has it too */

#include <cmocka.h>

#include "autodiscover.h"
#include "os.h"
#include "report.h"

/* The shape of the [MS-OXDSCLI] / POX response examples (values ours). */
static const char settings_answer[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n"
    "  <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\n"
    "    <User>\n"
    "      <DisplayName>Kim Akers</DisplayName>\n"
    "      <LegacyDN>/o=Contoso/ou=Exchange Administrative Group/cn=Recipients/cn=kim</LegacyDN>\n"
    "      <AutoDiscoverSMTPAddress>kim@contoso.com</AutoDiscoverSMTPAddress>\n"
    "      <DeploymentId>644560b8-a1ce-429c-8ace-23395843f701</DeploymentId>\n"
    "    </User>\n"
    "    <Account>\n"
    "      <AccountType>email</AccountType>\n"
    "      <Action>settings</Action>\n"
    "      <MicrosoftOnline>False</MicrosoftOnline>\n"
    "      <Protocol>\n"
    "        <Type>EXCH</Type>\n"
    "        <Server>b1e5d6c4-1a2b-4c3d-9e8f-00aa11bb22cc@contoso.com</Server>\n"
    "        <ServerDN>/o=Contoso/ou=Exchange Administrative Group/cn=Configuration/cn=Servers/cn=x</ServerDN>\n"
    "        <ServerVersion>73C18A9B</ServerVersion>\n"
    "        <MdbDN>/o=Contoso/cn=Microsoft Private MDB</MdbDN>\n"
    "        <ASUrl>https://mail.contoso.com/EWS/Exchange.asmx</ASUrl>\n"
    "        <EwsUrl>https://mail.contoso.com/EWS/Exchange.asmx</EwsUrl>\n"
    "        <OABUrl>https://mail.contoso.com/OAB/2e3eaccd-85a0-4abe-84f8-603a49801bb6/</OABUrl>\n"
    "        <EcpUrl>https://mail.contoso.com/owa/</EcpUrl>\n"
    "        <EcpUrl-um>?p=customize/voicemail.aspx&amp;exsvurl=1</EcpUrl-um>\n"
    "        <AuthPackage>Kerb</AuthPackage>\n"
    "      </Protocol>\n"
    "      <Protocol>\n"
    "        <Type>EXPR</Type>\n"
    "        <Server>mail.contoso.com</Server>\n"
    "        <SSL>On</SSL>\n"
    "        <AuthPackage>Ntlm</AuthPackage>\n"
    "        <CertPrincipalName>msstd:mail.contoso.com</CertPrincipalName>\n"
    "        <OABUrl>https://mail.contoso.com/OAB/2e3eaccd-85a0-4abe-84f8-603a49801bb6/</OABUrl>\n"
    "      </Protocol>\n"
    "      <Protocol>\n"
    "        <Type>WEB</Type>\n"
    "        <Internal>\n"
    "          <OWAUrl AuthenticationMethod=\"Basic, Fba\">https://mail.contoso.com/owa/</OWAUrl>\n"
    "          <Protocol><Type>EXCH</Type><ASUrl>https://mail.contoso.com/EWS/Exchange.asmx</ASUrl></Protocol>\n"
    "        </Internal>\n"
    "      </Protocol>\n"
    "      <Protocol Type=\"mapiHttp\" Version=\"1\">\n"
    "        <MailStore>\n"
    "          <InternalUrl>https://mail.contoso.com/mapi/emsmdb/?MailboxId=b1e5@contoso.com</InternalUrl>\n"
    "          <ExternalUrl>https://mail.contoso.com/mapi/emsmdb/?MailboxId=b1e5@contoso.com</ExternalUrl>\n"
    "        </MailStore>\n"
    "        <AddressBook>\n"
    "          <InternalUrl>https://mail.contoso.com/mapi/nspi/?MailboxId=b1e5@contoso.com</InternalUrl>\n"
    "        </AddressBook>\n"
    "      </Protocol>\n"
    "    </Account>\n"
    "  </Response>\n"
    "</Autodiscover>\n";

static const char error_answer[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
    "<a:Autodiscover xmlns:a=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">"
    "<a:Response><a:Error Time=\"16:25:31.8212610\" Id=\"2477951404\"><a:ErrorCode>500</a:ErrorCode>"
    "<a:Message>The e-mail address cannot be found.</a:Message><a:DebugData /></a:Error></a:Response>"
    "</a:Autodiscover>";

static const char *str_at(const cJSON *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *cur = o;
    for (char *t = buf; t != NULL;) {
        char *dot = strchr(t, '.');
        if (dot != NULL)
            *dot = '\0';
        cur = cJSON_IsArray(cur) ? cJSON_GetArrayItem(cur, atoi(t)) : cJSON_GetObjectItemCaseSensitive(cur, t);
        t = dot != NULL ? dot + 1 : NULL;
    }
    return cJSON_GetStringValue(cur);
}

static void test_documented_settings_answer(void **state)
{
    (void)state;
    cJSON *a = NULL;
    ohc_error err;
    ohc_error_clear(&err);
    assert_int_equal(ohc_autodiscover_parse(&a, settings_answer, strlen(settings_answer), "x.xml", &err), OHC_OK);
    assert_string_equal(str_at(a, "user.smtp_address"), "kim@contoso.com");
    assert_string_equal(str_at(a, "user.display_name"), "Kim Akers");
    assert_string_equal(str_at(a, "account.action"), "settings");
    assert_string_equal(str_at(a, "account.microsoft_online"), "False");
    assert_string_equal(str_at(a, "protocols.0.type"), "EXCH");
    assert_string_equal(str_at(a, "protocols.0.server_version"), "73C18A9B");
    assert_string_equal(str_at(a, "protocols.0.server_version_decoded"), "15.1.2715");
    assert_string_equal(str_at(a, "protocols.0.auth_package"), "Kerb");
    assert_string_equal(str_at(a, "protocols.0.other.EcpUrl-um"), "?p=customize/voicemail.aspx&exsvurl=1");
    assert_string_equal(str_at(a, "protocols.1.type"), "EXPR");
    assert_string_equal(str_at(a, "protocols.1.cert_principal_name"), "msstd:mail.contoso.com");
    assert_string_equal(str_at(a, "protocols.1.ssl"), "On");
    assert_string_equal(str_at(a, "protocols.2.internal.owa_urls.0.url"), "https://mail.contoso.com/owa/");
    assert_string_equal(str_at(a, "protocols.2.internal.owa_urls.0.authentication_method"), "Basic, Fba");
    assert_string_equal(str_at(a, "protocols.3.type"), "mapiHttp");
    assert_string_equal(str_at(a, "protocols.3.version"), "1");
    assert_string_equal(str_at(a, "protocols.3.internal.mailstore_url"),
                        "https://mail.contoso.com/mapi/emsmdb/?MailboxId=b1e5@contoso.com");
    assert_string_equal(str_at(a, "protocols.3.internal.addressbook_url"),
                        "https://mail.contoso.com/mapi/nspi/?MailboxId=b1e5@contoso.com");
    assert_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItem(a, "protocols"), 3), "external")
                    ? NULL
                    : (void *)0);
    /* One OAB URL, though two protocols name it. */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(a, "oab_urls")), 1);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(a, "error")));
    cJSON_Delete(a);

    assert_int_equal(ohc_autodiscover_parse(&a, error_answer, strlen(error_answer), "e.xml", &err), OHC_OK);
    assert_string_equal(str_at(a, "error.code"), "500");
    assert_string_equal(str_at(a, "error.message"), "The e-mail address cannot be found.");
    assert_string_equal(str_at(a, "error.time"), "16:25:31.8212610");
    assert_string_equal(str_at(a, "error.debug_data"), "");
    cJSON_Delete(a);

    const char *redirect = "<Autodiscover><Response><Account><Action>redirectAddr</Action>"
                           "<RedirectAddr>kim@contoso.mail.onmicrosoft.com</RedirectAddr></Account></Response>"
                           "</Autodiscover>";
    assert_int_equal(ohc_autodiscover_parse(&a, redirect, strlen(redirect), "r.xml", &err), OHC_OK);
    assert_string_equal(str_at(a, "account.redirect_addr"), "kim@contoso.mail.onmicrosoft.com");
    cJSON_Delete(a);
}

static void expect_refused(const char *data, size_t len, int code, const char *says)
{
    cJSON *a = (cJSON *)1;
    ohc_error err;
    ohc_error_clear(&err);
    int rc = ohc_autodiscover_parse(&a, data, len, "bad.xml", &err);
    if (rc != code || strstr(err.message, says) == NULL)
        fail_msg("expected %d '%s', got %d '%s'", code, says, rc, err.message);
    assert_null(a);
}

static void test_hostile_answers(void **state)
{
    (void)state;
    expect_refused("this is not XML", 15, OHC_EMALFORMED, "bad.xml line 1, column 1: text outside the root");
    expect_refused("<html><body>Sign in</body></html>", 33, OHC_EMALFORMED, "not <Autodiscover>");
    expect_refused("<Autodiscover/>", 15, OHC_EMALFORMED, "an empty answer");
    const char *lol = "<!DOCTYPE a [<!ENTITY a 'lol'>]><Autodiscover>&a;</Autodiscover>";
    expect_refused(lol, strlen(lol), OHC_EMALFORMED, "DOCTYPE");
    const char utf16[] = "\xFF\xFE<\0A\0/\0>\0";
    expect_refused(utf16, sizeof utf16 - 1, OHC_EMALFORMED, "UTF-16");
    expect_refused(settings_answer, (size_t)(strstr(settings_answer, "</User>") - settings_answer) + 7, OHC_EMALFORMED,
                   "ends inside <Response> (truncated?)");
    /* 40 protocols: past the bound, refused rather than cut silently. */
    char *many = malloc(64 * 1024);
    assert_non_null(many);
    strcpy(many, "<Autodiscover><Response><Account>");
    for (int i = 0; i < 40; i++)
        strcat(many, "<Protocol><Type>EXCH</Type></Protocol>");
    strcat(many, "</Account></Response></Autodiscover>");
    expect_refused(many, strlen(many), OHC_ELIMIT, "more than 32 Protocol elements");
    /* A text run longer than the bound. */
    strcpy(many, "<Autodiscover><Response><User><DisplayName>");
    memset(many + strlen(many), 'x', 5000);
    strcpy(many + 43 + 5000, "</DisplayName></User></Response></Autodiscover>");
    expect_refused(many, strlen(many), OHC_ELIMIT, "longer than 4096 bytes");
    free(many);
    /* Over the size bound: refused before reading. */
    expect_refused(settings_answer, OHC_AUTODISCOVER_MAX_BYTES + 1, OHC_ELIMIT, "more than the");
}

static void test_v2_and_server_version(void **state)
{
    (void)state;
    cJSON *a = NULL;
    ohc_error err;
    const char *v2 = "{\"Protocol\":\"Rest\",\"Url\":\"https://outlook.office.com/api\"}";
    assert_int_equal(ohc_autodiscover_v2_parse(&a, v2, strlen(v2), "v.json", &err), OHC_OK);
    assert_string_equal(str_at(a, "url"), "https://outlook.office.com/api");
    cJSON_Delete(a);
    assert_int_equal(ohc_autodiscover_v2_parse(&a, "[1]", 3, "v.json", &err), OHC_EMALFORMED);
    assert_int_equal(ohc_autodiscover_v2_parse(&a, "{\"Protocol\":1}", 14, "v.json", &err), OHC_EMALFORMED);
    assert_non_null(strstr(err.message, "no \"Url\""));
    char v[32];
    assert_int_equal(ohc_autodiscover_server_version(v, sizeof v, "73C18A9B"), 1);
    assert_string_equal(v, "15.1.2715");
    assert_int_equal(ohc_autodiscover_server_version(v, sizeof v, "7382"), 0);
    assert_int_equal(ohc_autodiscover_server_version(v, sizeof v, "7382ZZZZ"), 0);
    assert_string_equal(v, "");
}

static char tmp_root[600];

/* rel uses '/'; the platform's separator goes into the path. */
static void native_path(char *out, size_t size, const char *rel)
{
    snprintf(out, size, "%s%c%s", tmp_root, ohc_os_path_sep(), rel);
    for (char *c = out + strlen(tmp_root); *c; c++)
        if (*c == '/')
            *c = ohc_os_path_sep();
}

static void write_file(const char *rel, const char *data, size_t len)
{
    char path[900];
    native_path(path, sizeof path, rel);
    assert_int_equal(ohc_os_write_file_atomic(path, data, len, NULL), OHC_OK);
}

static void remove_file(const char *rel)
{
    char path[900];
    native_path(path, sizeof path, rel);
    assert_int_equal(ohc_os_remove(path, NULL), OHC_OK);
}

static void remove_dir(const char *rel)
{
    char path[900];
    native_path(path, sizeof path, rel);
    assert_int_equal(rmdir(path), 0);
}

static void test_scan_and_summary(void **state)
{
    (void)state;
    char base[512], id[37], dir[900];
    if (ohc_os_getenv("TEMP", base, sizeof base) != OHC_OK && ohc_os_getenv("TMPDIR", base, sizeof base) != OHC_OK)
        snprintf(base, sizeof base, "/tmp");
    assert_int_equal(ohc_uuid_v4(id, NULL), OHC_OK);
    snprintf(tmp_root, sizeof tmp_root, "%s%cohc-autodiscover-%s", base, ohc_os_path_sep(), id);
    native_path(dir, sizeof dir, "Microsoft/Outlook/16");
    assert_int_equal(ohc_os_mkdir_p(dir, NULL), OHC_OK);
    write_file("Microsoft/Outlook/0123456789abcdef0123456789abcdef - Autodiscover.xml", settings_answer,
               strlen(settings_answer));
    write_file("Microsoft/Outlook/notes.xml", "ignored", 7); /* not an answer's name in that folder */
    write_file("Microsoft/Outlook/16/broken.xml", "<Autodiscover><Response>", 24);
    write_file("Microsoft/Outlook/16/v2.json", "{\"Protocol\":\"Rest\",\"Url\":\"https://x/api\"}", 41);

    cJSON *facts = cJSON_CreateObject();
    cJSON *profiles = cJSON_AddArrayToObject(facts, "profiles");
    cJSON *p = cJSON_CreateObject();
    cJSON_AddItemToArray(profiles, p);
    cJSON_AddStringToObject(p, "user", "CONTOSO\\kim");
    cJSON_AddStringToObject(p, "sid", "S-1-5-21-1-2-3-1001");
    int64_t now = ohc_os_utc_now_ms();
    assert_int_equal(ohc_autodiscover_scan_profile(p, tmp_root, now), 1); /* broken.xml */
    const cJSON *folders = cJSON_GetObjectItem(p, "folders");
    assert_int_equal(cJSON_GetArraySize(folders), 3);
    assert_string_equal(str_at(p, "folders.0.status"), "read");
    assert_string_equal(str_at(p, "folders.2.status"), "absent");
    const cJSON *files = cJSON_GetObjectItem(p, "files");
    assert_int_equal(cJSON_GetArraySize(files), 3);
    assert_string_equal(str_at(p, "files.0.status"), "ok");
    assert_string_equal(str_at(p, "files.0.answer.user.smtp_address"), "kim@contoso.com");
    assert_string_equal(str_at(p, "files.1.status"), "error");
    assert_non_null(strstr(str_at(p, "files.1.error.message"), "broken.xml line 1"));
    assert_string_equal(str_at(p, "files.2.format"), "v2");

    /* The registry says mutual authentication with another principal name. */
    cJSON *outlook = cJSON_Parse(
        "{\"users\":[{\"sid\":\"S-1-5-21-1-2-3-1001\",\"mapi_http_disabled\":null,\"versions\":[{\"version\":\"16.0\","
        "\"rpc\":{\"effective\":{\"ProxyServer\":{\"value\":\"mail.contoso.com\",\"source\":\"policy\"},"
        "\"ProxyServerPrincipalName\":{\"value\":\"msstd:legacy.contoso.com\",\"source\":\"policy\"}}},"
        "\"proxy_server_flags\":{\"mutual_auth\":true}}]}]}");
    assert_non_null(outlook);
    assert_int_equal(ohc_autodiscover_summarise(facts, outlook), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(facts, "responses")), 3);
    assert_string_equal(str_at(facts, "responses.0.smtp_address"), "kim@contoso.com");
    assert_string_equal(str_at(facts, "responses.0.cert_principal_name"), "msstd:mail.contoso.com");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(facts, "responses"), 0),
                                                 "cert_principal_name_mismatch")));
    assert_string_equal(str_at(facts, "responses.0.registry.ProxyServerPrincipalName"), "msstd:legacy.contoso.com");
    /* the mailbox server's version (EXCH's ServerVersion 73C18A9B) and the EXPR AuthPackage, as sent */
    assert_string_equal(str_at(facts, "responses.0.exchange_version.decoded"), "15.1.2715");
    assert_string_equal(str_at(facts, "responses.0.exchange_version.protocol"), "EXCH");
    const cJSON *ev =
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(facts, "responses"), 0), "exchange_version");
    assert_int_equal(cJSON_GetObjectItem(ev, "major")->valueint, 15);
    assert_int_equal(cJSON_GetObjectItem(ev, "minor")->valueint, 1);
    assert_string_equal(str_at(facts, "responses.0.expr_auth_package"), "Ntlm");
    const cJSON *v2 = cJSON_GetArrayItem(cJSON_GetObjectItem(facts, "responses"), 2); /* the v2 answer has none */
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(v2, "exchange_version")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(v2, "expr_auth_package")));
    assert_string_equal(str_at(facts, "oab_urls.0"),
                        "https://mail.contoso.com/OAB/2e3eaccd-85a0-4abe-84f8-603a49801bb6/");
    cJSON_Delete(facts);

    /* The same principal name (case aside): no mismatch. */
    cJSON_Delete(outlook);
    outlook = cJSON_Parse(
        "{\"users\":[{\"sid\":\"S-1-5-21-1-2-3-1001\",\"versions\":[{\"version\":\"16.0\",\"rpc\":{\"effective\":{"
        "\"ProxyServerPrincipalName\":{\"value\":\"msstd:MAIL.contoso.com\"}}},\"proxy_server_flags\":{\"mutual_auth\":"
        "true}}]}]}");
    facts = cJSON_CreateObject();
    profiles = cJSON_AddArrayToObject(facts, "profiles");
    p = cJSON_CreateObject();
    cJSON_AddItemToArray(profiles, p);
    cJSON_AddStringToObject(p, "sid", "S-1-5-21-1-2-3-1001");
    assert_int_equal(ohc_autodiscover_scan_profile(p, tmp_root, now), 1);
    assert_int_equal(ohc_autodiscover_summarise(facts, outlook), 0);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(facts, "responses"), 0),
                                                  "cert_principal_name_mismatch")));
    cJSON_Delete(facts);
    cJSON_Delete(outlook);

    remove_file("Microsoft/Outlook/0123456789abcdef0123456789abcdef - Autodiscover.xml");
    remove_file("Microsoft/Outlook/notes.xml");
    remove_file("Microsoft/Outlook/16/broken.xml");
    remove_file("Microsoft/Outlook/16/v2.json");
    remove_dir("Microsoft/Outlook/16");
    remove_dir("Microsoft/Outlook");
    remove_dir("Microsoft");
    assert_int_equal(rmdir(tmp_root), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_documented_settings_answer),
        cmocka_unit_test(test_hostile_answers),
        cmocka_unit_test(test_v2_and_server_version),
        cmocka_unit_test(test_scan_and_summary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
