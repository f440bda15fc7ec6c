/* The HTML report: one file a technician attaches to a ticket and anyone can
 * open offline or in a mail client's preview. Everything in it comes from the
 * PC (registry values, event strings, account names) and may hold markup, so
 * every value passes through html_text(); the page has no script, and its CSP
 * forbids every fetch, so even a missed escape could not load anything. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "strbuf.h"

static void html_text(ohc_strbuf *sb, const char *s)
{
    if (s == NULL)
        return;
    const char *run = s;
    for (const char *p = s;; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        case '\0': break;
        default:
            /* C0 controls other than tab/newline are not allowed in HTML text. */
            if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r')
                rep = "&#xFFFD;";
            break;
        }
        if (rep != NULL || *p == '\0') {
            ohc_strbuf_append_len(sb, run, (size_t)(p - run));
            if (*p == '\0')
                return;
            ohc_strbuf_append(sb, rep);
            run = p + 1;
        }
    }
}

static void html_value(ohc_strbuf *sb, const cJSON *v)
{
    char buf[1024];
    ohc_report_scalar_text(buf, sizeof buf, v);
    html_text(sb, buf);
}

/* Only http(s) links become clickable; anything else (javascript:, file:) is text. */
static int is_web_url(const char *u)
{
    return u != NULL && (!strncmp(u, "https://", 8) || !strncmp(u, "http://", 7));
}

static const char *const severity_names[] = {"info", "warning", "error", "critical"};

static const char css[] =
    "body{font:14px/1.45 'Segoe UI',Arial,sans-serif;margin:0;background:#f4f5f7;color:#1d1f23}"
    "main{max-width:1000px;margin:0 auto;padding:20px}"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:26px 0 8px}"
    ".meta{color:#555;margin:0 0 14px}.meta span{margin-right:18px}"
    ".verdict{padding:12px 16px;border-radius:6px;font-weight:600;font-size:16px;color:#fff}"
    ".v-ok{background:#2e7d32}.v-warning{background:#c77700}.v-error,.v-critical{background:#c62828}"
    ".v-failed{background:#555}.v-incomplete{background:#5e35b1}"
    ".gap{color:#5e35b1;font-weight:600;margin:6px 0}.cause{font-size:15px;margin:10px 0}"
    ".unchecked{color:#5e35b1;font-style:italic}.sources li.warn{color:#b71c1c;font-weight:600}"
    ".card{background:#fff;border:1px solid #d8dbe0;border-left:6px solid #999;border-radius:6px;"
    "padding:12px 16px;margin:12px 0}"
    ".s-info{border-left-color:#1565c0}.s-warning{border-left-color:#ef8f00}"
    ".s-error{border-left-color:#d32f2f}.s-critical{border-left-color:#8e0000}"
    ".card h3{margin:0 0 6px;font-size:15px}.sev{display:inline-block;font-size:11px;text-transform:uppercase;"
    "padding:1px 7px;border-radius:9px;color:#fff;margin-right:8px;vertical-align:1px}"
    ".b-info{background:#1565c0}.b-warning{background:#ef8f00}.b-error{background:#d32f2f}"
    ".b-critical{background:#8e0000}.rid{color:#777;font-size:12px;font-weight:normal}"
    "h4{font-size:13px;margin:10px 0 4px;color:#444}"
    "table{border-collapse:collapse;width:100%;background:#fff}"
    "td,th{border:1px solid #d8dbe0;padding:4px 8px;text-align:left;vertical-align:top}"
    "th{background:#eceef1}td.k{width:30%;font-family:Consolas,monospace;font-size:12px}td.l{width:30%}"
    "ul.ev{margin:0;padding-left:18px}"
    "pre{background:#1e1f22;color:#e8e8e8;padding:8px 10px;border-radius:4px;overflow-x:auto;"
    "white-space:pre-wrap;word-break:break-all;margin:4px 0;font:12px/1.4 Consolas,monospace}"
    "pre.facts{background:#fff;color:#1d1f23;border:1px solid #d8dbe0}"
    ".st-ok{color:#2e7d32;font-weight:600}.st-partial,.st-unavailable{color:#c77700;font-weight:600}"
    ".st-failed{color:#c62828;font-weight:600}"
    "details{background:#fff;border:1px solid #d8dbe0;border-radius:4px;margin:6px 0;padding:4px 10px}"
    "summary{cursor:pointer;font-weight:600}footer{color:#777;font-size:12px;margin-top:24px}";

static void html_evidence(ohc_strbuf *sb, const cJSON *finding)
{
    const cJSON *ev = cJSON_GetObjectItemCaseSensitive(finding, "evidence");
    const cJSON *unchecked = cJSON_GetObjectItemCaseSensitive(finding, "unchecked");
    if (ev == NULL || cJSON_GetArraySize(ev) == 0)
        return;
    ohc_strbuf_append(sb, "<h4>Evidence</h4><table>");
    const cJSON *e;
    cJSON_ArrayForEach(e, ev)
    {
        if (e->string != NULL) {
            const char *label = ohc_report_evidence_label(finding, e->string);
            if (label != NULL && label[0] == '\0')
                continue; /* feeds the commands only */
            ohc_strbuf_append(sb, label ? "<tr><td class=\"l\">" : "<tr><td class=\"k\">");
            html_text(sb, label ? label : e->string);
            ohc_strbuf_append(sb, "</td><td>");
            const char *why = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(unchecked, e->string));
            char **items = NULL;
            size_t n = 0;
            if (why != NULL) {
                ohc_strbuf_append(sb, "<span class=\"unchecked\">not checked (");
                html_text(sb, why);
                ohc_strbuf_append(sb, ")</span>");
            } else if (ohc_report_plain_items(&items, &n, e) != OHC_OK || n == 0) {
                ohc_strbuf_append(sb, "(none)");
            } else if (n == 1) {
                html_text(sb, items[0]);
            } else {
                ohc_strbuf_append(sb, "<ul class=\"ev\">");
                for (size_t i = 0; i < n; i++) {
                    ohc_strbuf_append(sb, "<li>");
                    html_text(sb, items[i]);
                    ohc_strbuf_append(sb, "</li>");
                }
                ohc_strbuf_append(sb, "</ul>");
            }
            ohc_report_plain_items_free(items, n);
            ohc_strbuf_append(sb, "</td></tr>");
        } else if (cJSON_IsObject(e)) {
            /* {fact|path|name, value, ...}: the name on the left, the rest on the right */
            const char *k = ohc_report_evidence_name(e);
            ohc_strbuf_append(sb, "<tr><td class=\"k\">");
            html_text(sb, k ? k : "");
            ohc_strbuf_append(sb, "</td><td>");
            const cJSON *m;
            int first = 1;
            cJSON_ArrayForEach(m, e)
            {
                if (cJSON_IsString(m) && m->valuestring == k)
                    continue;
                if (!first)
                    ohc_strbuf_append(sb, "<br>");
                first = 0;
                if (strcmp(m->string, "value") != 0) {
                    html_text(sb, m->string);
                    ohc_strbuf_append(sb, ": ");
                }
                html_value(sb, m);
            }
            ohc_strbuf_append(sb, "</td></tr>");
        } else {
            ohc_strbuf_append(sb, "<tr><td colspan=\"2\">");
            html_value(sb, e);
            ohc_strbuf_append(sb, "</td></tr>");
        }
    }
    ohc_strbuf_append(sb, "</table>");
}

static void html_remediation(ohc_strbuf *sb, const cJSON *steps)
{
    if (cJSON_GetArraySize(steps) == 0)
        return;
    ohc_strbuf_append(sb, "<h4>What to do</h4><ol>");
    const cJSON *s;
    cJSON_ArrayForEach(s, steps)
    {
        ohc_strbuf_append(sb, "<li>");
        html_text(sb, ohc_report_step_text(s));
        const cJSON *cmds = ohc_report_step_commands(s);
        if (cJSON_IsString(cmds)) {
            ohc_strbuf_append(sb, "<pre><code>");
            html_text(sb, cmds->valuestring);
            ohc_strbuf_append(sb, "</code></pre>");
        } else {
            const cJSON *c;
            cJSON_ArrayForEach(c, cmds)
            {
                if (!cJSON_IsString(c))
                    continue;
                /* one block per command, so each can be selected and copied alone */
                ohc_strbuf_append(sb, "<pre><code>");
                html_text(sb, c->valuestring);
                ohc_strbuf_append(sb, "</code></pre>");
            }
        }
        ohc_strbuf_append(sb, "</li>");
    }
    ohc_strbuf_append(sb, "</ol>");
}

static void html_references(ohc_strbuf *sb, const cJSON *refs)
{
    if (cJSON_GetArraySize(refs) == 0)
        return;
    ohc_strbuf_append(sb, "<h4>References</h4><ul>");
    const cJSON *r;
    cJSON_ArrayForEach(r, refs)
    {
        const char *url = cJSON_IsString(r) ? r->valuestring : ohc_report_str(r, "url");
        const char *title = cJSON_IsString(r) ? NULL : ohc_report_str(r, "title");
        ohc_strbuf_append(sb, "<li>");
        if (is_web_url(url)) {
            ohc_strbuf_append(sb, "<a rel=\"noreferrer\" href=\"");
            html_text(sb, url);
            ohc_strbuf_append(sb, "\">");
            html_text(sb, title ? title : url);
            ohc_strbuf_append(sb, "</a>");
        } else {
            html_text(sb, title);
            if (title && url)
                ohc_strbuf_append(sb, " ");
            html_text(sb, url);
        }
        ohc_strbuf_append(sb, "</li>");
    }
    ohc_strbuf_append(sb, "</ul>");
}

static void html_finding(ohc_strbuf *sb, const cJSON *f)
{
    int rank = ohc_severity_rank(ohc_report_str(f, "severity"));
    const char *sev = rank >= 0 ? severity_names[rank] : "info";
    ohc_strbuf_appendf(sb, "<section class=\"card s-%s\"><h3><span class=\"sev b-%s\">%s</span>", sev, sev,
                       rank >= 0 ? sev : "unknown");
    html_text(sb, ohc_report_str(f, "title") ? ohc_report_str(f, "title") : "(untitled)");
    const char *rid = ohc_report_str(f, "rule_id");
    if (rid) {
        ohc_strbuf_append(sb, " <span class=\"rid\">");
        const char *set = ohc_report_str(f, "rule_set");
        if (set) {
            html_text(sb, set);
            ohc_strbuf_append(sb, " / ");
        }
        html_text(sb, rid);
        ohc_strbuf_append(sb, "</span>");
    }
    ohc_strbuf_append(sb, "</h3><p>");
    html_text(sb, ohc_report_str(f, "message"));
    ohc_strbuf_append(sb, "</p>");
    html_evidence(sb, f);
    html_remediation(sb, cJSON_GetObjectItemCaseSensitive(f, "remediation"));
    html_references(sb, cJSON_GetObjectItemCaseSensitive(f, "references"));
    ohc_strbuf_append(sb, "</section>");
}

static void html_verdict(ohc_strbuf *sb, const cJSON *report, const cJSON **sorted, size_t n)
{
    ohc_verdict v;
    ohc_verdict_of(&v, report);
    switch (v.kind) {
    case OHC_VERDICT_FAILED:
        ohc_strbuf_append(sb, "<div class=\"verdict v-failed\">Collection failed: no probe could run</div>");
        break;
    case OHC_VERDICT_INCOMPLETE:
        ohc_strbuf_appendf(sb,
                           "<div class=\"verdict v-incomplete\">Incomplete: no problem found in what could be "
                           "checked, but %zu check(s) could not run (see Not checked)</div>",
                           v.not_checked);
        break;
    case OHC_VERDICT_OK: ohc_strbuf_append(sb, "<div class=\"verdict v-ok\">OK: no problem found</div>"); break;
    default:
        ohc_strbuf_appendf(sb, "<div class=\"verdict v-%s\">%s: %d critical, %d error, %d warning, %d info</div>",
                           severity_names[v.worst], v.kind == OHC_VERDICT_PROBLEM ? "Problem found" : "Warning",
                           v.counts[3], v.counts[2], v.counts[1], v.counts[0]);
        if (v.incomplete)
            ohc_strbuf_appendf(sb,
                               "<p class=\"gap\">Not everything could be checked: %zu check(s) could not run "
                               "(see Not checked).</p>",
                               v.not_checked);
    }
    const char *cause = ohc_report_likely_cause(sorted, n);
    if (cause != NULL) {
        ohc_strbuf_append(sb, "<p class=\"cause\">Most likely cause: <b>");
        html_text(sb, cause);
        ohc_strbuf_append(sb, "</b></p>");
    }
}

/* What could not be checked, and why (summary.incomplete). */
static void html_not_checked(ohc_strbuf *sb, const cJSON *report)
{
    const cJSON *gaps = ohc_report_get(report, "summary.incomplete");
    int no_summary = !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(report, "summary"));
    if (cJSON_GetArraySize(gaps) == 0 && !no_summary)
        return;
    ohc_strbuf_append(sb, "<h2 id=\"not-checked\">Not checked</h2><ul class=\"gaps\">");
    if (cJSON_GetArraySize(gaps) == 0)
        ohc_strbuf_append(sb, "<li>No rule was evaluated: nothing was checked.</li>");
    const cJSON *g;
    cJSON_ArrayForEach(g, gaps)
    {
        ohc_strbuf_append(sb, "<li>");
        html_text(sb, ohc_report_str(g, "message"));
        const cJSON *rules = cJSON_GetObjectItemCaseSensitive(g, "rules");
        if (cJSON_GetArraySize(rules) > 0) {
            ohc_strbuf_append(sb, "<br>Checks that could not run: ");
            const cJSON *r;
            int first = 1;
            cJSON_ArrayForEach(r, rules)
            {
                if (!cJSON_IsString(r))
                    continue;
                ohc_strbuf_append(sb, first ? "" : ", ");
                first = 0;
                html_text(sb, r->valuestring);
            }
        }
        ohc_strbuf_append(sb, "</li>");
    }
    ohc_strbuf_append(sb, "</ul>");
}

static void html_probes(ohc_strbuf *sb, const cJSON *report)
{
    ohc_strbuf_append(sb, "<h2>Probes</h2><table><tr><th>Probe</th><th>Status</th><th>Time</th>"
                          "<th>Detail</th></tr>");
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(report, "probes"))
    {
        const char *st = ohc_report_str(p, "status");
        static const char *const known[] = {"ok", "partial", "unavailable", "failed"};
        const char *cls = "failed";
        for (size_t i = 0; i < 4; i++)
            if (st && !strcmp(st, known[i]))
                cls = known[i];
        const cJSON *dur = cJSON_GetObjectItemCaseSensitive(p, "duration_ms");
        ohc_strbuf_append(sb, "<tr><td>");
        html_text(sb, p->string);
        ohc_strbuf_appendf(sb, "</td><td class=\"st-%s\">", cls);
        html_text(sb, st ? st : "?");
        ohc_strbuf_appendf(sb, "</td><td>%.0f ms</td><td>", cJSON_IsNumber(dur) ? dur->valuedouble : 0.0);
        html_text(sb, ohc_report_str(p, "error.message"));
        ohc_strbuf_append(sb, "</td></tr>");
    }
    ohc_strbuf_append(sb, "</table>");
}

char *ohc_report_to_html(const cJSON *report)
{
    ohc_strbuf sb = OHC_STRBUF_INIT;
    size_t n = 0;
    const cJSON **sorted = ohc_report_sorted_findings(report, &n);
    if (sorted == NULL)
        return NULL;
    const char *host = ohc_report_str(report, "host.computer_name");
    const char *when = ohc_report_str(report, "generated_at");

    ohc_strbuf_append(&sb, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                           "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">"
                           "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                           "<meta name=\"referrer\" content=\"no-referrer\"><title>ohc report: ");
    html_text(&sb, host ? host : "unknown host");
    ohc_strbuf_append(&sb, " ");
    html_text(&sb, when);
    ohc_strbuf_appendf(&sb, "</title><style>%s</style></head><body><main>", css);

    ohc_strbuf_append(&sb, "<h1>Outlook Health Collector report</h1><p class=\"meta\"><span>Host: <b>");
    html_text(&sb, host ? host : "(unknown)");
    ohc_strbuf_append(&sb, "</b></span><span>");
    html_text(&sb, ohc_report_str(report, "host.os.product_name"));
    ohc_strbuf_append(&sb, " ");
    html_text(&sb, ohc_report_str(report, "host.os.version"));
    ohc_strbuf_append(&sb, "</span><span>Run as: ");
    html_text(&sb, ohc_report_str(report, "host.run_as.account"));
    ohc_strbuf_append(&sb, "</span><span>Time (UTC): ");
    html_text(&sb, when);
    ohc_strbuf_append(&sb, "</span><span>Report: ");
    html_text(&sb, ohc_report_str(report, "report_id"));
    ohc_strbuf_append(&sb, "</span></p>");
    char fresh[256];
    if (ohc_report_new_events_summary(fresh, sizeof fresh, report)) {
        ohc_strbuf_append(&sb, "<p class=\"meta\"><span>New events: ");
        html_text(&sb, fresh);
        ohc_strbuf_append(&sb, "</span></p>");
    }

    const cJSON *infos = ohc_report_get(report, "facts.events.file_info");
    if (cJSON_GetArraySize(infos) > 0) {
        ohc_strbuf_append(&sb, "<p class=\"meta\">Events from saved event logs (.evtx), not read live on this PC:</p>"
                               "<ul class=\"sources\">");
        const cJSON *info;
        char line[1024];
        cJSON_ArrayForEach(info, infos)
        {
            int warn = 0;
            ohc_report_event_source_line(line, sizeof line, info, &warn);
            ohc_strbuf_append(&sb, warn ? "<li class=\"warn\">" : "<li>");
            html_text(&sb, line);
            ohc_strbuf_append(&sb, "</li>");
        }
        ohc_strbuf_append(&sb, "</ul>");
    }
    html_verdict(&sb, report, sorted, n);
    ohc_strbuf_appendf(&sb, "<h2>Findings (%zu)</h2>", n);
    if (n == 0)
        ohc_strbuf_append(&sb, "<p>None.</p>");
    for (size_t i = 0; i < n; i++)
        html_finding(&sb, sorted[i]);
    free(sorted);

    html_not_checked(&sb, report);
    html_probes(&sb, report);

    const cJSON *errors = cJSON_GetObjectItemCaseSensitive(report, "errors");
    if (cJSON_GetArraySize(errors) > 0) {
        ohc_strbuf_append(&sb, "<h2>Errors of the collection</h2><ul>");
        const cJSON *e;
        cJSON_ArrayForEach(e, errors)
        {
            ohc_strbuf_append(&sb, "<li><b>");
            html_text(&sb, ohc_report_str(e, "source"));
            ohc_strbuf_append(&sb, "</b>: ");
            html_text(&sb, ohc_report_str(e, "message"));
            ohc_strbuf_append(&sb, "</li>");
        }
        ohc_strbuf_append(&sb, "</ul>");
    }

    ohc_strbuf_append(&sb, "<h2>Facts</h2>");
    const cJSON *probe_facts;
    cJSON_ArrayForEach(probe_facts, cJSON_GetObjectItemCaseSensitive(report, "facts"))
    {
        char *json = cJSON_Print(probe_facts);
        ohc_strbuf_append(&sb, "<details><summary>");
        html_text(&sb, probe_facts->string);
        ohc_strbuf_append(&sb, "</summary><pre class=\"facts\">");
        html_text(&sb, json ? json : "(out of memory)");
        ohc_strbuf_append(&sb, "</pre></details>");
        free(json);
    }
    ohc_strbuf_append(&sb, "<footer>");
    html_text(&sb, ohc_report_str(report, "collector.name"));
    ohc_strbuf_append(&sb, " ");
    html_text(&sb, ohc_report_str(report, "collector.version"));
    ohc_strbuf_append(&sb, " (");
    html_text(&sb, ohc_report_str(report, "collector.build"));
    ohc_strbuf_append(&sb, ", ");
    html_text(&sb, ohc_report_str(report, "collector.platform"));
    ohc_strbuf_append(&sb, ")</footer></main></body></html>\n");

    if (ohc_strbuf_failed(&sb)) {
        ohc_strbuf_free(&sb);
        return NULL;
    }
    return ohc_strbuf_detach(&sb);
}
