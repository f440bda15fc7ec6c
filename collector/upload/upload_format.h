/* What a spooled report becomes on the wire, chosen at send time (UploadFormat):
 *
 *   report      the ohc JSON report as it is (one POST).
 *   otlp        OTLP/HTTP logs, JSON encoding (an ExportLogsServiceRequest, one
 *               POST to .../v1/logs): one LogRecord for the report's summary and
 *               one per finding; resource attributes service.name=ohc,
 *               service.version, host.name, host.arch, os.type, os.description,
 *               os.version, os.build_id.
 *   splunk-hec  Splunk HTTP Event Collector envelopes (POSTs to
 *               .../services/collector/event): one for the report
 *               (sourcetype ohc:report) and one per finding (ohc:finding),
 *               with time, host, source=ohc, sourcetype, index when given,
 *               event and fields; as many envelopes per POST as fit in the
 *               batch size (one alone when it is bigger).
 *
 * The spool always keeps the ohc JSON report: the conversion is done for each
 * send, so a report spooled under one format goes out in the format
 * configured when it is sent. The conversion reads the report as untrusted
 * input: any shape is accepted (a missing field is left out), nesting deeper
 * than OHC_FORMAT_MAX_DEPTH is sent as JSON text. */
#ifndef OHC_UPLOAD_FORMAT_H
#define OHC_UPLOAD_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "error.h"

#define OHC_FORMAT_MAX_DEPTH 8

typedef enum ohc_upload_format {
    OHC_UPLOAD_FORMAT_REPORT = 0,
    OHC_UPLOAD_FORMAT_OTLP,
    OHC_UPLOAD_FORMAT_HEC
} ohc_upload_format;

/* The UploadFormat choices, NULL-terminated, in ohc_upload_format order (the
 * settings table uses it). Static. */
extern const char *const ohc_upload_format_names[];

/* "report", "otlp", "splunk-hec". */
const char *ohc_upload_format_name(ohc_upload_format f);

/* A name (case-insensitive) to a format: OHC_OK, or OHC_EINVAL. */
int ohc_upload_format_parse(ohc_upload_format *out, const char *name);

/* The URL a format posts to: url as it is when it has a path, else url with
 * the format's standard path (/v1/logs, /services/collector/event) added.
 * OHC_ELIMIT when it does not fit in size. */
int ohc_upload_format_url(char *out, size_t size, ohc_upload_format f, const char *url);

/* Severity of a finding as OTLP's SeverityNumber: info 9 (INFO), warning 13
 * (WARN), error 17 (ERROR), critical 21 (FATAL); anything else 0
 * (UNSPECIFIED). "none" (a report without findings) is INFO. */
int ohc_otlp_severity_number(const char *severity);

/* The OTLP ExportLogsServiceRequest (JSON) of a report. now_ms is the
 * observed time. *out is new (free()); *out_len its length. OHC_ENOMEM, or
 * OHC_EMALFORMED when report is not a JSON object. */
int ohc_otlp_logs_from_report(char **out, size_t *out_len, const cJSON *report, int64_t now_ms, ohc_error *err);

/* HTTP bodies, each a NUL-terminated string of len bytes. */
typedef struct ohc_upload_bodies {
    size_t count;
    char **data; /* owned: ohc_upload_bodies_free */
    size_t *len;
} ohc_upload_bodies;

void ohc_upload_bodies_free(ohc_upload_bodies *b);

/* The HEC envelopes of a report in batches of at most batch_max bytes (an
 * envelope bigger than that goes alone). index NULL or "": none (the token's
 * default index). */
int ohc_hec_batches_from_report(ohc_upload_bodies *out, const cJSON *report, const char *index, size_t batch_max,
                                ohc_error *err);

/* Extra HTTP headers in the OTEL_EXPORTER_OTLP_HEADERS form
 * ("name=value,name2=value2", values percent-decoded), as "Name: value" lines.
 * Names must be HTTP tokens and may not be ones ohc sets itself (Content-Type,
 * Content-Encoding, Content-Length, Host, User-Agent, Idempotency-Key, Expect);
 * values may not hold control characters. The text is a secret: no error
 * message repeats it. *out is new (free with ohc_upload_bodies_free, which
 * wipes it); an empty text gives no header. */
int ohc_upload_headers_parse(ohc_upload_bodies *out, const char *text, ohc_error *err);

/* The settings table's check of HecIndex: Splunk index names (a-z, 0-9, _
 * and -, not first; at most 80). 0 when good. */
int ohc_hec_index_check(const char *value, char *why, size_t why_size);

/* The settings table's check of UploadHeaders (0 when good). */
int ohc_upload_headers_check(const char *value, char *why, size_t why_size);

#endif
