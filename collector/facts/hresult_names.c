/* The HRESULT name table. Values are from the Windows SDK headers (bitsmsg.h,
 * mapicode.h, winhttp.h, winerror.h) and the BITS documentation; the two job
 * limit codes (0x80200049, 0x80200050) are from the field (see
 * ../shared/notes/domain.md). Keep the table sorted by value: lookups are a
 * binary search, and a unit test checks the order. */
#include "hresult_names.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

static const ohc_hresult_entry table[] = {
    {0x00000000u, "S_OK", "success"},
    {0x00000001u, "S_FALSE", NULL},
    {0x00040203u, "MAPI_W_NO_SERVICE", NULL},
    {0x00040380u, "MAPI_W_ERRORS_RETURNED", NULL},
    {0x00040481u, "MAPI_W_POSITION_CHANGED", NULL},
    {0x00040482u, "MAPI_W_APPROX_COUNT", NULL},
    {0x00040580u, "MAPI_W_CANCEL_MESSAGE", NULL},
    {0x00040680u, "MAPI_W_PARTIAL_COMPLETION", NULL},
    {0x00200006u, "BG_S_ERROR_CONTEXT_NONE", NULL},
    {0x00200017u, "BG_S_PARTIAL_COMPLETE", NULL},
    {0x0020001Au, "BG_S_UNABLE_TO_DELETE_FILES", NULL},
    {0x0020002Au, "BG_S_PROXY_CHANGED", NULL},
    {0x8000000Au, "E_PENDING", NULL},
    {0x80004001u, "E_NOTIMPL", "not implemented"},
    {0x80004002u, "E_NOINTERFACE", "interface not supported"},
    {0x80004003u, "E_POINTER", NULL},
    {0x80004004u, "E_ABORT", NULL},
    {0x80004005u, "E_FAIL", "unspecified failure"},
    {0x8000FFFFu, "E_UNEXPECTED", "unexpected failure"},
    {0x80010001u, "RPC_E_CALL_REJECTED", NULL},
    {0x80010012u, "RPC_E_SERVER_DIED_DNE", NULL},
    {0x80010105u, "RPC_E_SERVERFAULT", NULL},
    {0x80010106u, "RPC_E_CHANGED_MODE", NULL},
    {0x80010108u, "RPC_E_DISCONNECTED", NULL},
    {0x80040102u, "MAPI_E_NO_SUPPORT", NULL},
    {0x80040103u, "MAPI_E_BAD_CHARWIDTH", NULL},
    {0x80040105u, "MAPI_E_STRING_TOO_LONG", NULL},
    {0x80040106u, "MAPI_E_UNKNOWN_FLAGS", NULL},
    {0x80040107u, "MAPI_E_INVALID_ENTRYID", NULL},
    {0x80040108u, "MAPI_E_INVALID_OBJECT", NULL},
    {0x80040109u, "MAPI_E_OBJECT_CHANGED", NULL},
    {0x8004010Au, "MAPI_E_OBJECT_DELETED", NULL},
    {0x8004010Bu, "MAPI_E_BUSY", NULL},
    {0x8004010Du, "MAPI_E_NOT_ENOUGH_DISK", NULL},
    {0x8004010Eu, "MAPI_E_NOT_ENOUGH_RESOURCES", NULL},
    {0x8004010Fu, "MAPI_E_NOT_FOUND", "MAPI: not found (OAB not generated, not distributed, or no OAB URL)"},
    {0x80040110u, "MAPI_E_VERSION", NULL},
    {0x80040111u, "MAPI_E_LOGON_FAILED", "MAPI: logon failed"},
    {0x80040112u, "MAPI_E_SESSION_LIMIT", NULL},
    {0x80040113u, "MAPI_E_USER_CANCEL", "MAPI: cancelled by the user"},
    {0x80040114u, "MAPI_E_UNABLE_TO_ABORT", NULL},
    {0x80040115u, "MAPI_E_NETWORK_ERROR", "MAPI: network error"},
    {0x80040116u, "MAPI_E_DISK_ERROR", NULL},
    {0x80040117u, "MAPI_E_TOO_COMPLEX", NULL},
    {0x80040118u, "MAPI_E_BAD_COLUMN", NULL},
    {0x80040119u, "MAPI_E_EXTENDED_ERROR", "MAPI: extended error (e.g. the OAB system folder cannot be opened)"},
    {0x8004011Au, "MAPI_E_COMPUTED", NULL},
    {0x8004011Bu, "MAPI_E_CORRUPT_DATA", NULL},
    {0x8004011Cu, "MAPI_E_UNCONFIGURED", NULL},
    {0x8004011Du, "MAPI_E_FAILONEPROVIDER", "MAPI: a provider failed (server unavailable)"},
    {0x8004011Eu, "MAPI_E_UNKNOWN_CPID", NULL},
    {0x8004011Fu, "MAPI_E_UNKNOWN_LCID", NULL},
    {0x80040120u, "MAPI_E_PASSWORD_CHANGE_REQUIRED", NULL},
    {0x80040121u, "MAPI_E_PASSWORD_EXPIRED", NULL},
    {0x80040122u, "MAPI_E_INVALID_WORKSTATION_ACCOUNT", NULL},
    {0x80040123u, "MAPI_E_INVALID_ACCESS_TIME", NULL},
    {0x80040124u, "MAPI_E_ACCOUNT_DISABLED", NULL},
    {0x80040154u, "REGDB_E_CLASSNOTREG", "class not registered"},
    {0x800401F0u, "CO_E_NOTINITIALIZED", NULL},
    {0x80040200u, "MAPI_E_END_OF_SESSION", NULL},
    {0x80040201u, "MAPI_E_UNKNOWN_ENTRYID", NULL},
    {0x80040202u, "MAPI_E_MISSING_REQUIRED_COLUMN", NULL},
    {0x80040301u, "MAPI_E_BAD_VALUE", NULL},
    {0x80040302u, "MAPI_E_INVALID_TYPE", NULL},
    {0x80040303u, "MAPI_E_TYPE_NO_SUPPORT", NULL},
    {0x80040304u, "MAPI_E_UNEXPECTED_TYPE", NULL},
    {0x80040305u, "MAPI_E_TOO_BIG", NULL},
    {0x80040306u, "MAPI_E_DECLINE_COPY", NULL},
    {0x80040307u, "MAPI_E_UNEXPECTED_ID", NULL},
    {0x80040400u, "MAPI_E_UNABLE_TO_COMPLETE", NULL},
    {0x80040401u, "MAPI_E_TIMEOUT", NULL},
    {0x80040402u, "MAPI_E_TABLE_EMPTY", NULL},
    {0x80040403u, "MAPI_E_TABLE_TOO_BIG", NULL},
    {0x80040405u, "MAPI_E_INVALID_BOOKMARK", NULL},
    {0x80040500u, "MAPI_E_WAIT", NULL},
    {0x80040501u, "MAPI_E_CANCEL", NULL},
    {0x80040502u, "MAPI_E_NOT_ME", NULL},
    {0x80040600u, "MAPI_E_CORRUPT_STORE", NULL},
    {0x80040601u, "MAPI_E_NOT_IN_QUEUE", NULL},
    {0x80040602u, "MAPI_E_NO_SUPPRESS", NULL},
    {0x80040604u, "MAPI_E_COLLISION", NULL},
    {0x80040605u, "MAPI_E_NOT_INITIALIZED", NULL},
    {0x80040606u, "MAPI_E_NON_STANDARD", NULL},
    {0x80040607u, "MAPI_E_NO_RECIPIENTS", NULL},
    {0x80040608u, "MAPI_E_SUBMITTED", NULL},
    {0x80040609u, "MAPI_E_HAS_FOLDERS", NULL},
    {0x8004060Au, "MAPI_E_HAS_MESSAGES", NULL},
    {0x8004060Bu, "MAPI_E_FOLDER_CYCLE", NULL},
    {0x80040700u, "MAPI_E_AMBIGUOUS_RECIP", NULL},
    {0x80070002u, "ERROR_FILE_NOT_FOUND", "file not found"},
    {0x80070003u, "ERROR_PATH_NOT_FOUND", "path not found"},
    {0x80070005u, "E_ACCESSDENIED", "access denied"},
    {0x80070006u, "E_HANDLE", NULL},
    {0x80070008u, "ERROR_NOT_ENOUGH_MEMORY", NULL},
    {0x8007000Eu, "E_OUTOFMEMORY", "out of memory"},
    {0x80070015u, "ERROR_NOT_READY", NULL},
    {0x80070020u, "ERROR_SHARING_VIOLATION", NULL},
    {0x80070032u, "ERROR_NOT_SUPPORTED", NULL},
    {0x80070035u, "ERROR_BAD_NETPATH", NULL},
    {0x80070040u, "ERROR_NETNAME_DELETED", NULL},
    {0x80070043u, "ERROR_BAD_NET_NAME", NULL},
    {0x80070050u, "ERROR_FILE_EXISTS", NULL},
    {0x80070057u, "E_INVALIDARG", "invalid argument"},
    {0x80070070u, "ERROR_DISK_FULL", "the disk is full"},
    {0x80070079u, "ERROR_SEM_TIMEOUT", NULL},
    {0x8007007Au, "ERROR_INSUFFICIENT_BUFFER", NULL},
    {0x800700B7u, "ERROR_ALREADY_EXISTS", NULL},
    {0x800703E6u, "ERROR_NOACCESS", "invalid access to memory location"},
    {0x80070422u, "ERROR_SERVICE_DISABLED", "the service is disabled"},
    {0x80070426u, "ERROR_SERVICE_NOT_ACTIVE", "the service is not started"},
    {0x80070490u, "ERROR_NOT_FOUND", NULL},
    {0x800704C7u, "ERROR_CANCELLED", NULL},
    {0x800704C9u, "ERROR_CONNECTION_REFUSED", "the remote computer refused the connection"},
    {0x800704CFu, "ERROR_NETWORK_UNREACHABLE", NULL},
    {0x800704D0u, "ERROR_HOST_UNREACHABLE", NULL},
    {0x8007052Eu, "ERROR_LOGON_FAILURE", NULL},
    {0x80070534u, "ERROR_NONE_MAPPED", "no mapping between account names and security IDs"},
    {0x800705B4u, "ERROR_TIMEOUT", NULL},
    {0x800706BAu, "RPC_S_SERVER_UNAVAILABLE", "the RPC server is unavailable"},
    {0x800706BEu, "RPC_S_CALL_FAILED", NULL},
    {0x800706F4u, "RPC_X_NULL_REF_POINTER", "a null reference pointer was passed to the stub"},
    {0x8007274Cu, "WSAETIMEDOUT", "connection timed out"},
    {0x8007274Du, "WSAECONNREFUSED", "connection refused"},
    {0x80072AF9u, "WSAHOST_NOT_FOUND", "host not found"},
    {0x80072EE1u, "ERROR_WINHTTP_OUT_OF_HANDLES", NULL},
    {0x80072EE2u, "ERROR_WINHTTP_TIMEOUT", "WinHTTP: the request timed out"},
    {0x80072EE4u, "ERROR_WINHTTP_INTERNAL_ERROR", NULL},
    {0x80072EE5u, "ERROR_WINHTTP_INVALID_URL", NULL},
    {0x80072EE6u, "ERROR_WINHTTP_UNRECOGNIZED_SCHEME", NULL},
    {0x80072EE7u, "ERROR_WINHTTP_NAME_NOT_RESOLVED", "WinHTTP: the server name could not be resolved"},
    {0x80072EE9u, "ERROR_WINHTTP_INVALID_OPTION", NULL},
    {0x80072EEBu, "ERROR_WINHTTP_OPTION_NOT_SETTABLE", NULL},
    {0x80072EECu, "ERROR_WINHTTP_SHUTDOWN", NULL},
    {0x80072EEFu, "ERROR_WINHTTP_LOGIN_FAILURE", NULL},
    {0x80072EF1u, "ERROR_WINHTTP_OPERATION_CANCELLED", NULL},
    {0x80072EF2u, "ERROR_WINHTTP_INCORRECT_HANDLE_TYPE", NULL},
    {0x80072EF3u, "ERROR_WINHTTP_INCORRECT_HANDLE_STATE", NULL},
    {0x80072EFDu, "ERROR_WINHTTP_CANNOT_CONNECT", "WinHTTP: could not connect to the server"},
    {0x80072EFEu, "ERROR_WINHTTP_CONNECTION_ERROR", "WinHTTP: the connection was reset or ended"},
    {0x80072F00u, "ERROR_WINHTTP_RESEND_REQUEST", NULL},
    {0x80072F05u, "ERROR_WINHTTP_SECURE_CERT_DATE_INVALID", "WinHTTP: the certificate has expired or is not yet valid"},
    {0x80072F06u, "ERROR_WINHTTP_SECURE_CERT_CN_INVALID", "WinHTTP: the certificate name does not match the host"},
    {0x80072F0Cu, "ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED", NULL},
    {0x80072F0Du, "ERROR_WINHTTP_SECURE_INVALID_CA", "WinHTTP: the certificate chain ends in an untrusted root"},
    {0x80072F19u, "ERROR_WINHTTP_SECURE_CERT_REV_FAILED", NULL},
    {0x80072F44u, "ERROR_WINHTTP_CANNOT_CALL_BEFORE_OPEN", NULL},
    {0x80072F45u, "ERROR_WINHTTP_CANNOT_CALL_BEFORE_SEND", NULL},
    {0x80072F46u, "ERROR_WINHTTP_CANNOT_CALL_AFTER_SEND", NULL},
    {0x80072F47u, "ERROR_WINHTTP_CANNOT_CALL_AFTER_OPEN", NULL},
    {0x80072F76u, "ERROR_WINHTTP_HEADER_NOT_FOUND", NULL},
    {0x80072F78u, "ERROR_WINHTTP_INVALID_SERVER_RESPONSE", NULL},
    {0x80072F79u, "ERROR_WINHTTP_INVALID_HEADER", NULL},
    {0x80072F7Au, "ERROR_WINHTTP_INVALID_QUERY_REQUEST", NULL},
    {0x80072F7Bu, "ERROR_WINHTTP_HEADER_ALREADY_EXISTS", NULL},
    {0x80072F7Cu, "ERROR_WINHTTP_REDIRECT_FAILED", NULL},
    {0x80072F7Du, "ERROR_WINHTTP_SECURE_CHANNEL_ERROR", NULL},
    {0x80072F86u, "ERROR_WINHTTP_BAD_AUTO_PROXY_SCRIPT", "WinHTTP: the PAC script failed"},
    {0x80072F87u, "ERROR_WINHTTP_UNABLE_TO_DOWNLOAD_SCRIPT", "WinHTTP: the PAC file could not be downloaded"},
    {0x80072F89u, "ERROR_WINHTTP_SECURE_INVALID_CERT", NULL},
    {0x80072F8Au, "ERROR_WINHTTP_SECURE_CERT_REVOKED", NULL},
    {0x80072F8Cu, "ERROR_WINHTTP_NOT_INITIALIZED", NULL},
    {0x80072F8Fu, "ERROR_WINHTTP_SECURE_FAILURE", "WinHTTP: the server certificate failed validation"},
    {0x80072F90u, "ERROR_WINHTTP_UNHANDLED_SCRIPT_TYPE", NULL},
    {0x80072F91u, "ERROR_WINHTTP_SCRIPT_EXECUTION_ERROR", NULL},
    {0x80072F92u, "ERROR_WINHTTP_AUTO_PROXY_SERVICE_ERROR", NULL},
    {0x80072F93u, "ERROR_WINHTTP_SECURE_CERT_WRONG_USAGE", NULL},
    {0x80072F94u, "ERROR_WINHTTP_AUTODETECTION_FAILED", "WinHTTP: proxy auto-detection (WPAD) failed"},
    {0x80072F95u, "ERROR_WINHTTP_HEADER_COUNT_EXCEEDED", NULL},
    {0x80072F96u, "ERROR_WINHTTP_HEADER_SIZE_OVERFLOW", NULL},
    {0x80072F97u, "ERROR_WINHTTP_CHUNKED_ENCODING_HEADER_SIZE_OVERFLOW", NULL},
    {0x80072F98u, "ERROR_WINHTTP_RESPONSE_DRAIN_OVERFLOW", NULL},
    {0x80072F99u, "ERROR_WINHTTP_CLIENT_CERT_NO_PRIVATE_KEY", NULL},
    {0x80072F9Au, "ERROR_WINHTTP_CLIENT_CERT_NO_ACCESS_PRIVATE_KEY", NULL},
    {0x80072F9Bu, "ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED_PROXY", NULL},
    {0x80072F9Cu, "ERROR_WINHTTP_SECURE_FAILURE_PROXY", NULL},
    {0x80072F9Du, "ERROR_WINHTTP_RESERVED_189", NULL},
    {0x80072F9Eu, "ERROR_WINHTTP_HTTP_PROTOCOL_MISMATCH", NULL},
    {0x80080005u, "CO_E_SERVER_EXEC_FAILURE", "the COM server could not be started"},
    {0x80080008u, "CO_E_SERVER_STOPPING", NULL},
    {0x80090303u, "SEC_E_TARGET_UNKNOWN", NULL},
    {0x80090304u, "SEC_E_INTERNAL_ERROR", NULL},
    {0x8009030Cu, "SEC_E_LOGON_DENIED", NULL},
    {0x8009030Eu, "SEC_E_NO_CREDENTIALS", NULL},
    {0x80090322u, "SEC_E_WRONG_PRINCIPAL", "the certificate name does not match the target"},
    {0x80090325u, "SEC_E_UNTRUSTED_ROOT", "the certificate chain ends in an untrusted root"},
    {0x80090326u, "SEC_E_ILLEGAL_MESSAGE", NULL},
    {0x80090328u, "SEC_E_CERT_EXPIRED", NULL},
    {0x80092012u, "CRYPT_E_NO_REVOCATION_CHECK", NULL},
    {0x80092013u, "CRYPT_E_REVOCATION_OFFLINE", "the revocation server was offline"},
    {0x80096004u, "TRUST_E_CERT_SIGNATURE", NULL},
    {0x800B0101u, "CERT_E_EXPIRED", "the certificate has expired"},
    {0x800B0109u, "CERT_E_UNTRUSTEDROOT", "the certificate chain ends in an untrusted root"},
    {0x800B010Cu, "CERT_E_REVOKED", NULL},
    {0x800B010Fu, "CERT_E_CN_NO_MATCH", "the certificate name does not match the host"},
    {0x80190064u, "BG_E_HTTP_ERROR_100", "HTTP 100 Continue"},
    {0x80190065u, "BG_E_HTTP_ERROR_101", "HTTP 101 Switching Protocols"},
    {0x801900C8u, "BG_E_HTTP_ERROR_200", "HTTP 200 OK"},
    {0x801900C9u, "BG_E_HTTP_ERROR_201", "HTTP 201 Created"},
    {0x801900CAu, "BG_E_HTTP_ERROR_202", "HTTP 202 Accepted"},
    {0x801900CBu, "BG_E_HTTP_ERROR_203", "HTTP 203 Non-Authoritative Information"},
    {0x801900CCu, "BG_E_HTTP_ERROR_204", "HTTP 204 No Content"},
    {0x801900CDu, "BG_E_HTTP_ERROR_205", "HTTP 205 Reset Content"},
    {0x801900CEu, "BG_E_HTTP_ERROR_206", "HTTP 206 Partial Content"},
    {0x8019012Cu, "BG_E_HTTP_ERROR_300", "HTTP 300 Multiple Choices"},
    {0x8019012Du, "BG_E_HTTP_ERROR_301", "HTTP 301 Moved Permanently"},
    {0x8019012Eu, "BG_E_HTTP_ERROR_302", "HTTP 302 Found"},
    {0x8019012Fu, "BG_E_HTTP_ERROR_303", "HTTP 303 See Other"},
    {0x80190130u, "BG_E_HTTP_ERROR_304", "HTTP 304 Not Modified"},
    {0x80190131u, "BG_E_HTTP_ERROR_305", "HTTP 305 Use Proxy"},
    {0x80190133u, "BG_E_HTTP_ERROR_307", "HTTP 307 Temporary Redirect"},
    {0x80190190u, "BG_E_HTTP_ERROR_400", "HTTP 400 Bad Request"},
    {0x80190191u, "BG_E_HTTP_ERROR_401", "HTTP 401 Unauthorized: authentication failed (credentials, or SSL settings)"},
    {0x80190192u, "BG_E_HTTP_ERROR_402", "HTTP 402 Payment Required"},
    {0x80190193u, "BG_E_HTTP_ERROR_403", "HTTP 403 Forbidden: permissions or SSL required"},
    {0x80190194u, "BG_E_HTTP_ERROR_404",
     "HTTP 404 Not Found: the file is not on the server reached (OAB files missing there)"},
    {0x80190195u, "BG_E_HTTP_ERROR_405", "HTTP 405 Method Not Allowed"},
    {0x80190196u, "BG_E_HTTP_ERROR_406", "HTTP 406 Not Acceptable"},
    {0x80190197u, "BG_E_HTTP_ERROR_407", "HTTP 407 Proxy Authentication Required"},
    {0x80190198u, "BG_E_HTTP_ERROR_408", "HTTP 408 Request Timeout"},
    {0x80190199u, "BG_E_HTTP_ERROR_409", "HTTP 409 Conflict"},
    {0x8019019Au, "BG_E_HTTP_ERROR_410", "HTTP 410 Gone"},
    {0x8019019Bu, "BG_E_HTTP_ERROR_411", "HTTP 411 Length Required"},
    {0x8019019Cu, "BG_E_HTTP_ERROR_412", "HTTP 412 Precondition Failed"},
    {0x8019019Du, "BG_E_HTTP_ERROR_413", "HTTP 413 Payload Too Large"},
    {0x8019019Eu, "BG_E_HTTP_ERROR_414", "HTTP 414 URI Too Long"},
    {0x8019019Fu, "BG_E_HTTP_ERROR_415", "HTTP 415 Unsupported Media Type"},
    {0x801901A0u, "BG_E_HTTP_ERROR_416", "HTTP 416 Range Not Satisfiable"},
    {0x801901A1u, "BG_E_HTTP_ERROR_417", "HTTP 417 Expectation Failed"},
    {0x801901C1u, "BG_E_HTTP_ERROR_449", "HTTP 449 Retry With"},
    {0x801901F4u, "BG_E_HTTP_ERROR_500", "HTTP 500 Internal Server Error"},
    {0x801901F5u, "BG_E_HTTP_ERROR_501", "HTTP 501 Not Implemented"},
    {0x801901F6u, "BG_E_HTTP_ERROR_502", "HTTP 502 Bad Gateway"},
    {0x801901F7u, "BG_E_HTTP_ERROR_503", "HTTP 503 Service Unavailable"},
    {0x801901F8u, "BG_E_HTTP_ERROR_504", "HTTP 504 Gateway Timeout"},
    {0x801901F9u, "BG_E_HTTP_ERROR_505", "HTTP 505 HTTP Version Not Supported"},
    {0x80200001u, "BG_E_NOT_FOUND", "BITS: the job or file was not found"},
    {0x80200002u, "BG_E_INVALID_STATE", "BITS: the job is in a state that does not allow this"},
    {0x80200003u, "BG_E_EMPTY", "BITS: the job has no files"},
    {0x80200004u, "BG_E_FILE_NOT_AVAILABLE", "BITS: the file is not available on the server"},
    {0x80200005u, "BG_E_PROTOCOL_NOT_AVAILABLE", "BITS: no protocol handler for the URL scheme"},
    {0x80200007u, "BG_E_ERROR_CONTEXT_UNKNOWN", NULL},
    {0x80200008u, "BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER", NULL},
    {0x80200009u, "BG_E_ERROR_CONTEXT_LOCAL_FILE", NULL},
    {0x8020000Au, "BG_E_ERROR_CONTEXT_REMOTE_FILE", NULL},
    {0x8020000Bu, "BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT", NULL},
    {0x8020000Cu, "BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION", NULL},
    {0x8020000Du, "BG_E_DESTINATION_LOCKED", NULL},
    {0x8020000Eu, "BG_E_VOLUME_CHANGED", NULL},
    {0x8020000Fu, "BG_E_ERROR_INFORMATION_UNAVAILABLE", NULL},
    {0x80200010u, "BG_E_NETWORK_DISCONNECTED", "BITS: no network connection"},
    {0x80200011u, "BG_E_MISSING_FILE_SIZE", NULL},
    {0x80200012u, "BG_E_INSUFFICIENT_HTTP_SUPPORT", NULL},
    {0x80200013u, "BG_E_INSUFFICIENT_RANGE_SUPPORT", "BITS: the server does not support HTTP ranges"},
    {0x80200014u, "BG_E_REMOTE_NOT_SUPPORTED", NULL},
    {0x80200015u, "BG_E_NEW_OWNER_DIFF_MAPPING", NULL},
    {0x80200016u, "BG_E_NEW_OWNER_NO_FILE_ACCESS", NULL},
    {0x80200018u, "BG_E_PROXY_LIST_TOO_LARGE", NULL},
    {0x80200019u, "BG_E_PROXY_BYPASS_LIST_TOO_LARGE", NULL},
    {0x8020001Bu, "BG_E_INVALID_SERVER_RESPONSE", "BITS: the server sent an invalid response"},
    {0x8020001Cu, "BG_E_TOO_MANY_FILES", NULL},
    {0x8020001Du, "BG_E_LOCAL_FILE_CHANGED", NULL},
    {0x8020001Eu, "BG_E_ERROR_CONTEXT_REMOTE_APPLICATION", NULL},
    {0x8020001Fu, "BG_E_SESSION_NOT_FOUND", NULL},
    {0x80200020u, "BG_E_TOO_LARGE", NULL},
    {0x80200021u, "BG_E_STRING_TOO_LONG", NULL},
    {0x80200022u, "BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH", NULL},
    {0x80200023u, "BG_E_SERVER_EXECUTE_ENABLE", NULL},
    {0x80200024u, "BG_E_NO_PROGRESS", "BITS: the job made no progress within its no-progress timeout"},
    {0x80200025u, "BG_E_USERNAME_TOO_LARGE", NULL},
    {0x80200026u, "BG_E_PASSWORD_TOO_LARGE", NULL},
    {0x80200027u, "BG_E_INVALID_AUTH_TARGET", NULL},
    {0x80200028u, "BG_E_INVALID_AUTH_SCHEME", NULL},
    {0x80200029u, "BG_E_FILE_NOT_FOUND", NULL},
    {0x8020002Bu, "BG_E_INVALID_RANGE", NULL},
    {0x8020002Cu, "BG_E_OVERLAPPING_RANGES", NULL},
    {0x8020002Du, "BG_E_CONNECT_FAILURE", "BITS: could not connect to the server"},
    {0x8020002Eu, "BG_E_CONNECTION_CLOSED", NULL},
    {0x8020002Fu, "BG_E_KEEP_ALIVE_FAILURE", NULL},
    {0x80200030u, "BG_E_MESSAGE_LENGTH_LIMIT_EXCEEDED", NULL},
    {0x80200031u, "BG_E_NAME_RESOLUTION_FAILURE", "BITS: the server name could not be resolved"},
    {0x80200032u, "BG_E_PENDING", NULL},
    {0x80200033u, "BG_E_PIPELINE_FAILURE", NULL},
    {0x80200034u, "BG_E_PROTOCOL_ERROR", NULL},
    {0x80200035u, "BG_E_PROXY_NAME_RESOLUTION_FAILURE", "BITS: the proxy name could not be resolved"},
    {0x80200036u, "BG_E_RECEIVE_FAILURE", NULL},
    {0x80200037u, "BG_E_REQUEST_CANCELED", NULL},
    {0x80200038u, "BG_E_SECURE_CHANNEL_FAILURE", "BITS: the TLS connection failed"},
    {0x80200039u, "BG_E_SEND_FAILURE", NULL},
    {0x8020003Au, "BG_E_SERVER_PROTOCOL_VIOLATION", NULL},
    {0x8020003Bu, "BG_E_TIMEOUT", "BITS: the request timed out"},
    {0x8020003Cu, "BG_E_TRUST_FAILURE", "BITS: the server certificate is not trusted"},
    {0x8020003Du, "BG_E_UNKNOWN_ERROR", NULL},
    {0x8020003Eu, "BG_E_BLOCKED_BY_POLICY", "BITS: the transfer is blocked by policy"},
    {0x8020003Fu, "BG_E_INVALID_PROXY_INFO", NULL},
    {0x80200040u, "BG_E_INVALID_CREDENTIALS", NULL},
    {0x80200049u, "BG_E_TOO_MANY_JOBS_PER_USER",
     "BITS: the per-user job limit is reached (fix: bitsadmin /reset as that user)"},
    {0x80200050u, "BG_E_TOO_MANY_JOBS_PER_MACHINE", "BITS: the per-machine job limit is reached"},
};

#define TABLE_COUNT (sizeof table / sizeof table[0])

static const ohc_hresult_entry *lookup(uint32_t hr)
{
    size_t lo = 0, hi = TABLE_COUNT;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (table[mid].hr == hr)
            return &table[mid];
        if (table[mid].hr < hr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *ohc_hresult_name(uint32_t hr)
{
    const ohc_hresult_entry *e = lookup(hr);
    return e != NULL ? e->name : NULL;
}

const char *ohc_hresult_text(uint32_t hr)
{
    const ohc_hresult_entry *e = lookup(hr);
    return e != NULL ? e->text : NULL;
}

unsigned ohc_hresult_http_status(uint32_t hr)
{
    if ((hr & 0xFFFF0000u) != 0x80190000u)
        return 0;
    unsigned status = hr & 0xFFFFu;
    return status >= 100 && status <= 599 ? status : 0;
}

void ohc_hresult_hex(char out[11], uint32_t hr)
{
    snprintf(out, 11, "0x%08X", (unsigned)hr);
}

int ohc_hresult_parse(uint32_t *out, const char *text)
{
    if (text == NULL)
        return OHC_EMALFORMED;
    while (isspace((unsigned char)*text))
        text++;
    const char *end = text + strlen(text);
    while (end > text && isspace((unsigned char)end[-1]))
        end--;
    size_t len = (size_t)(end - text);
    if (len == 0 || len > 24)
        return OHC_EMALFORMED;
    char buf[25];
    memcpy(buf, text, len);
    buf[len] = '\0';

    int negative = buf[0] == '-';
    const char *digits = negative ? buf + 1 : buf;
    int base = 10;
    if (!negative && (strncmp(digits, "0x", 2) == 0 || strncmp(digits, "0X", 2) == 0)) {
        base = 16;
        digits += 2;
    }
    if (*digits == '\0')
        return OHC_EMALFORMED;
    for (const char *p = digits; *p; p++)
        if (base == 16 ? !isxdigit((unsigned char)*p) : !isdigit((unsigned char)*p))
            return OHC_EMALFORMED;
    errno = 0;
    char *stop = NULL;
    unsigned long long v = strtoull(digits, &stop, base);
    if (errno == ERANGE || stop == NULL || *stop != '\0')
        return OHC_ELIMIT;
    if (negative) {
        if (v > 0x80000000ull)
            return OHC_ELIMIT;
        *out = (uint32_t)((0x100000000ull - v) & 0xFFFFFFFFull);
        return OHC_OK;
    }
    if (v > 0xFFFFFFFFull)
        return OHC_ELIMIT;
    *out = (uint32_t)v;
    return OHC_OK;
}

int ohc_hresult_add_json(cJSON *obj, uint32_t hr)
{
    char hex[11];
    ohc_hresult_hex(hex, hr);
    const char *name = ohc_hresult_name(hr);
    if (cJSON_AddNumberToObject(obj, "hr", (double)hr) == NULL || cJSON_AddStringToObject(obj, "hr_hex", hex) == NULL ||
        (name != NULL ? cJSON_AddStringToObject(obj, "hr_name", name) : cJSON_AddNullToObject(obj, "hr_name")) == NULL)
        return OHC_ENOMEM;
    return OHC_OK;
}

cJSON *ohc_hresult_to_json(uint32_t hr)
{
    cJSON *o = cJSON_CreateObject();
    if (o != NULL && ohc_hresult_add_json(o, hr) != OHC_OK) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

const ohc_hresult_entry *ohc_hresult_table(size_t *out_count)
{
    *out_count = TABLE_COUNT;
    return table;
}
