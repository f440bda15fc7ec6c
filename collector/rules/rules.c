#include "civil_time.h"
#include "rules.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonlogic.h"
#include "os.h"
#include "probe.h"
#include "report.h"
#include "rules_builtin.h"
#include "strbuf.h"

#define MAX_ID 64
#define MAX_TITLE 200
#define MAX_TEXT 4000
#define MAX_LIST 32
#define MAX_RENDERED 8192
/* Arrays interpolated into a message show this many items, then "and N more". */
#define TEMPLATE_ITEMS 10

static const char *const severities[] = {"info", "warning", "error", "critical"};

typedef struct rule_set {
    cJSON *doc; /* the parsed file (owned) */
    const char *id, *version;
    char source[256];
    const cJSON **rules; /* the valid rules, borrowed from doc */
    size_t count;
} rule_set;

struct ohc_rules {
    rule_set *sets;
    size_t nsets, cap_sets;
    ohc_rule_problem *problems;
    size_t nproblems, cap_problems;
    int nomem;
};

int ohc_rules_new(ohc_rules **out, ohc_error *err)
{
    *out = calloc(1, sizeof **out);
    return *out ? OHC_OK : ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
}

void ohc_rules_free(ohc_rules *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->nsets; i++) {
        cJSON_Delete(r->sets[i].doc);
        free(r->sets[i].rules);
    }
    free(r->sets);
    free(r->problems);
    free(r);
}

size_t ohc_rules_problem_count(const ohc_rules *r)
{
    return r->nproblems;
}
const ohc_rule_problem *ohc_rules_problem_at(const ohc_rules *r, size_t i)
{
    return i < r->nproblems ? &r->problems[i] : NULL;
}
size_t ohc_rules_set_count(const ohc_rules *r)
{
    return r->nsets;
}

size_t ohc_rules_rule_count(const ohc_rules *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nsets; i++)
        n += r->sets[i].count;
    return n;
}

void ohc_rule_problem_format(char *buf, size_t size, const ohc_rule_problem *p)
{
    if (p->line > 0)
        snprintf(buf, size, "%s:%u:%u: %s", p->source, p->line, p->column, p->message);
    else if (p->where[0] && p->rule_id[0])
        snprintf(buf, size, "%s: %s (rule %s): %s", p->source, p->where, p->rule_id, p->message);
    else if (p->where[0])
        snprintf(buf, size, "%s: %s: %s", p->source, p->where, p->message);
    else
        snprintf(buf, size, "%s: %s", p->source, p->message);
}

static void problem(ohc_rules *r, int code, const char *source, const char *where, const char *rule_id, const char *fmt,
                    ...) OHC_PRINTF(6, 7);

static void problem(ohc_rules *r, int code, const char *source, const char *where, const char *rule_id, const char *fmt,
                    ...)
{
    if (r->nproblems == r->cap_problems) {
        size_t cap = r->cap_problems ? r->cap_problems * 2 : 8;
        ohc_rule_problem *p = realloc(r->problems, cap * sizeof *p);
        if (p == NULL) {
            r->nomem = 1;
            return;
        }
        r->problems = p;
        r->cap_problems = cap;
    }
    ohc_rule_problem *p = &r->problems[r->nproblems++];
    memset(p, 0, sizeof *p);
    p->code = code;
    snprintf(p->source, sizeof p->source, "%s", source);
    snprintf(p->where, sizeof p->where, "%s", where ? where : "");
    snprintf(p->rule_id, sizeof p->rule_id, "%s", rule_id ? rule_id : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->message, sizeof p->message, fmt, ap);
    va_end(ap);
}

/* ---- validation -------------------------------------------------------- */

static int valid_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= MAX_ID)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
            return 0;
    return 1;
}

/* A key that appears twice in an object (cJSON keeps both; readers see the first). */
static const char *duplicate_key(const cJSON *obj)
{
    for (const cJSON *a = obj->child; a != NULL; a = a->next)
        for (const cJSON *b = a->next; b != NULL; b = b->next)
            if (a->string && b->string && strcmp(a->string, b->string) == 0)
                return a->string;
    return NULL;
}

static int key_allowed(const char *key, const char *const *allowed)
{
    for (; *allowed; allowed++)
        if (strcmp(key, *allowed) == 0)
            return 1;
    return 0;
}

/* Checks the {{path}} and {{path|fallback}} placeholders of a template.
 * Returns NULL or a problem text. */
static const char *template_problem(const char *s)
{
    while ((s = strstr(s, "{{")) != NULL) {
        const char *end = strstr(s + 2, "}}");
        if (end == NULL)
            return "'{{' without a closing '}}'";
        while (end[2] == '}') /* a fallback may end in '}': "{{evidence.id|{JOB-ID}}}" */
            end++;
        const char *p = s + 2;
        while (*p == ' ')
            p++;
        const char *q = memchr(p, '|', (size_t)(end - p));
        if (q == NULL)
            q = end;
        while (q > p && q[-1] == ' ')
            q--;
        if (q == p)
            return "empty '{{}}' placeholder";
        for (const char *c = p; c < q; c++)
            if (!isalnum((unsigned char)*c) && *c != '_' && *c != '.' && *c != '-')
                return "a placeholder holds a path of letters, digits, '_', '-' and '.' only (then '|fallback')";
        s = end + 2;
    }
    return NULL;
}

typedef struct vctx {
    ohc_rules *r;
    const char *source;
    const char *rule_id;
    int idx; /* rules[idx] */
    int bad;
} vctx;

static void vproblem(vctx *v, const char *field, const char *fmt, ...) OHC_PRINTF(3, 4);

static void vproblem(vctx *v, const char *field, const char *fmt, ...)
{
    char where[160], msg[256];
    snprintf(where, sizeof where, "rules[%d]%s%s", v->idx, field ? "." : "", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    problem(v->r, OHC_EINVAL, v->source, where, v->rule_id, "%s", msg);
    v->bad = 1;
}

static const cJSON *need_string(vctx *v, const cJSON *rule, const char *name, size_t max, int required)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(rule, name);
    if (s == NULL) {
        if (required)
            vproblem(v, NULL, "missing field '%s'", name);
        return NULL;
    }
    if (!cJSON_IsString(s) || s->valuestring[0] == '\0') {
        vproblem(v, name, "must be a non-empty string");
        return NULL;
    }
    if (strlen(s->valuestring) > max) {
        vproblem(v, name, "longer than %zu characters", max);
        return NULL;
    }
    const char *tp = template_problem(s->valuestring);
    if (tp != NULL && strcmp(name, "message") == 0)
        vproblem(v, name, "%s", tp);
    return s;
}

static void check_logic(vctx *v, const char *field, const cJSON *logic)
{
    ohc_error e;
    ohc_error_clear(&e);
    if (ohc_jl_check(logic, NULL, &e) != OHC_OK) {
        /* e.message starts with the path inside the expression */
        char where[160];
        snprintf(where, sizeof where, "rules[%d].%.60s%s%.80s", v->idx, field, e.message[0] == '[' ? "" : ".",
                 e.message);
        char *colon = strstr(where, ": ");
        const char *msg = e.message;
        const char *mcolon = strstr(e.message, ": ");
        if (colon != NULL && mcolon != NULL) {
            *colon = '\0';
            msg = mcolon + 2;
        } else {
            snprintf(where, sizeof where, "rules[%d].%s", v->idx, field);
        }
        problem(v->r, e.code, v->source, where, v->rule_id, "%s", msg);
        v->bad = 1;
    }
}

static const char *const rule_keys[] = {"id",       "title",   "severity",    "category",   "description", "when",
                                        "evidence", "message", "remediation", "references", "labels",      NULL};

/* Validates rules[idx]; returns 1 when it can be evaluated. */
static int validate_rule(ohc_rules *r, const char *source, int idx, const cJSON *rule)
{
    vctx v = {r, source, NULL, idx, 0};
    if (!cJSON_IsObject(rule)) {
        vproblem(&v, NULL, "a rule must be an object");
        return 0;
    }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(rule, "id");
    if (cJSON_IsString(id) && valid_id(id->valuestring))
        v.rule_id = id->valuestring;
    else if (id == NULL)
        vproblem(&v, NULL, "missing field 'id'");
    else
        vproblem(&v, "id", "must be 1 to %d letters, digits, '-', '_' or '.'", MAX_ID - 1);
    const char *dup = duplicate_key(rule);
    if (dup != NULL)
        vproblem(&v, dup, "appears twice");
    for (const cJSON *k = rule->child; k != NULL; k = k->next)
        if (!key_allowed(k->string, rule_keys))
            vproblem(&v, k->string,
                     "unknown field (expected one of id, title, severity, category, "
                     "description, when, evidence, labels, message, remediation, references)");
    need_string(&v, rule, "title", MAX_TITLE, 1);
    need_string(&v, rule, "category", MAX_ID, 1);
    need_string(&v, rule, "description", MAX_TEXT, 0);
    need_string(&v, rule, "message", MAX_TEXT, 1);
    const cJSON *sev = cJSON_GetObjectItemCaseSensitive(rule, "severity");
    if (sev == NULL)
        vproblem(&v, NULL, "missing field 'severity'");
    else if (!cJSON_IsString(sev) || ohc_severity_rank(sev->valuestring) < 0)
        vproblem(&v, "severity", "unknown severity %s%s%s (expected info, warning, error or critical)",
                 cJSON_IsString(sev) ? "'" : "", cJSON_IsString(sev) ? sev->valuestring : "(not a string)",
                 cJSON_IsString(sev) ? "'" : "");

    const cJSON *when = cJSON_GetObjectItemCaseSensitive(rule, "when");
    if (when == NULL)
        vproblem(&v, NULL, "missing field 'when'");
    else
        check_logic(&v, "when", when);

    const cJSON *ev = cJSON_GetObjectItemCaseSensitive(rule, "evidence");
    if (ev != NULL) {
        if (!cJSON_IsObject(ev) || cJSON_GetArraySize(ev) > MAX_LIST) {
            vproblem(&v, "evidence", "must be an object of at most %d name: path or expression", MAX_LIST);
        } else {
            const cJSON *e;
            cJSON_ArrayForEach(e, ev)
            {
                char field[128];
                snprintf(field, sizeof field, "evidence.%s", e->string);
                if (!valid_id(e->string))
                    vproblem(&v, field, "an evidence name is letters, digits, '-', '_' or '.'");
                else if (cJSON_IsString(e))
                    ; /* a fact path */
                else if (cJSON_IsObject(e) || cJSON_IsArray(e))
                    check_logic(&v, field, e);
                else
                    vproblem(&v, field, "must be a fact path (string) or a JSON Logic expression");
            }
        }
    }

    /* labels: how a reader sees each evidence item ("" = only for the commands). */
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(rule, "labels");
    if (labels != NULL) {
        if (!cJSON_IsObject(labels) || cJSON_GetArraySize(labels) > MAX_LIST) {
            vproblem(&v, "labels", "must be an object of at most %d evidence name: label", MAX_LIST);
        } else {
            const cJSON *l;
            cJSON_ArrayForEach(l, labels)
            {
                char field[128];
                snprintf(field, sizeof field, "labels.%s", l->string);
                if (ev == NULL || cJSON_GetObjectItemCaseSensitive(ev, l->string) == NULL)
                    vproblem(&v, field, "labels an evidence item the rule does not have");
                else if (!cJSON_IsString(l) || strlen(l->valuestring) >= MAX_TITLE)
                    vproblem(&v, field, "must be a text of at most %d bytes (\"\" hides the item)", MAX_TITLE - 1);
            }
        }
    }

    const cJSON *rem = cJSON_GetObjectItemCaseSensitive(rule, "remediation");
    if (rem != NULL) {
        if (!cJSON_IsArray(rem) || cJSON_GetArraySize(rem) > MAX_LIST) {
            vproblem(&v, "remediation", "must be an array of at most %d steps", MAX_LIST);
        } else {
            int i = 0;
            const cJSON *s;
            cJSON_ArrayForEach(s, rem)
            {
                char field[64];
                snprintf(field, sizeof field, "remediation[%d]", i++);
                const cJSON *text = cJSON_GetObjectItemCaseSensitive(s, "text");
                const cJSON *cmds = cJSON_GetObjectItemCaseSensitive(s, "commands");
                int shape_ok = cJSON_IsObject(s) && cJSON_IsString(text) && text->valuestring[0];
                for (const cJSON *k = cJSON_IsObject(s) ? s->child : NULL; k != NULL; k = k->next)
                    if (strcmp(k->string, "text") != 0 && strcmp(k->string, "commands") != 0)
                        shape_ok = 0;
                if (!shape_ok) {
                    vproblem(&v, field, "a step is {\"text\": \"...\", \"commands\": [\"...\"]}");
                    continue;
                }
                const char *tp = template_problem(text->valuestring);
                if (tp != NULL)
                    vproblem(&v, field, "text: %s", tp);
                if (cmds == NULL)
                    continue;
                if (!cJSON_IsArray(cmds) || cJSON_GetArraySize(cmds) > MAX_LIST) {
                    vproblem(&v, field, "commands must be an array of at most %d strings", MAX_LIST);
                    continue;
                }
                const cJSON *c;
                cJSON_ArrayForEach(c, cmds)
                {
                    if (!cJSON_IsString(c) || c->valuestring[0] == '\0' || strlen(c->valuestring) > MAX_TEXT)
                        vproblem(&v, field, "commands must be non-empty strings");
                    else if ((tp = template_problem(c->valuestring)) != NULL)
                        vproblem(&v, field, "command: %s", tp);
                }
            }
        }
    }

    const cJSON *refs = cJSON_GetObjectItemCaseSensitive(rule, "references");
    if (refs != NULL) {
        int ok = cJSON_IsArray(refs) && cJSON_GetArraySize(refs) <= MAX_LIST;
        const cJSON *u;
        if (ok)
            cJSON_ArrayForEach(u, refs) ok &= cJSON_IsString(u) && (strncmp(u->valuestring, "https://", 8) == 0 ||
                                                                    strncmp(u->valuestring, "http://", 7) == 0);
        if (!ok)
            vproblem(&v, "references", "must be an array of http(s) URLs");
    }
    return !v.bad;
}

/* 1-based line and column of byte offset `at` in text. */
static void line_col(const char *text, size_t at, unsigned *line, unsigned *col)
{
    unsigned l = 1, c = 1;
    for (size_t i = 0; i < at; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

static int rule_id_taken(const ohc_rules *r, const char *id, const char **where)
{
    for (size_t i = 0; i < r->nsets; i++)
        for (size_t k = 0; k < r->sets[i].count; k++) {
            const cJSON *rid = cJSON_GetObjectItemCaseSensitive(r->sets[i].rules[k], "id");
            if (strcmp(rid->valuestring, id) == 0) {
                *where = r->sets[i].source;
                return 1;
            }
        }
    return 0;
}

static const char *const set_keys[] = {"id", "version", "description", "rules", NULL};

int ohc_rules_add_text(ohc_rules *r, const char *source, const char *text, size_t len)
{
    if (len > OHC_RULES_MAX_FILE_BYTES) {
        problem(r, OHC_ELIMIT, source, NULL, NULL, "larger than %u bytes", OHC_RULES_MAX_FILE_BYTES);
        return r->nomem ? OHC_ENOMEM : OHC_OK;
    }
    const char *end = NULL;
    if (memchr(text, '\0', len) != NULL) {
        problem(r, OHC_EMALFORMED, source, NULL, NULL, "not a text file (holds a NUL byte)");
        return r->nomem ? OHC_ENOMEM : OHC_OK;
    }
    /* len + 1: cJSON wants to see the terminating NUL to reject trailing garbage */
    cJSON *doc = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
    if (doc == NULL) {
        size_t at = end != NULL && end >= text && end <= text + len ? (size_t)(end - text) : 0;
        problem(r, OHC_EMALFORMED, source, NULL, NULL, "%s",
                at >= len ? "not valid JSON: unexpected end of file" : "not valid JSON");
        if (r->nproblems > 0 && !r->nomem) {
            ohc_rule_problem *p = &r->problems[r->nproblems - 1];
            line_col(text, at, &p->line, &p->column);
            if (at < len) {
                char near[24];
                size_t n = 0;
                for (size_t i = at; i < len && n < 16 && text[i] != '\n' && text[i] != '\r'; i++)
                    near[n++] = isprint((unsigned char)text[i]) ? text[i] : '?';
                near[n] = '\0';
                snprintf(p->message, sizeof p->message, "not valid JSON near '%s'", near);
            }
        }
        return r->nomem ? OHC_ENOMEM : OHC_OK;
    }
    int header_ok = 1;
    if (!cJSON_IsObject(doc)) {
        problem(r, OHC_EINVAL, source, NULL, NULL, "a rule file holds one object {id, version, description, rules}");
        cJSON_Delete(doc);
        return r->nomem ? OHC_ENOMEM : OHC_OK;
    }
    const char *dup = duplicate_key(doc);
    if (dup != NULL) {
        problem(r, OHC_EINVAL, source, dup, NULL, "appears twice");
        header_ok = 0;
    }
    for (const cJSON *k = doc->child; k != NULL; k = k->next)
        if (!key_allowed(k->string, set_keys)) {
            problem(r, OHC_EINVAL, source, k->string, NULL, "unknown field (expected id, version, description, rules)");
            header_ok = 0;
        }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(doc, "id");
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(doc, "version");
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(doc, "rules");
    const cJSON *desc = cJSON_GetObjectItemCaseSensitive(doc, "description");
    if (!cJSON_IsString(id) || !valid_id(id->valuestring)) {
        problem(r, OHC_EINVAL, source, id ? "id" : NULL, NULL, "%s",
                id ? "the rule set id must be 1 to 63 letters, digits, '-', '_' or '.'" : "missing field 'id'");
        header_ok = 0;
    }
    if (!cJSON_IsString(version) || version->valuestring[0] == '\0' || strlen(version->valuestring) >= MAX_ID) {
        problem(r, OHC_EINVAL, source, version ? "version" : NULL, NULL, "%s",
                version ? "version must be a short non-empty string (\"1.2.0\")" : "missing field 'version'");
        header_ok = 0;
    }
    if (desc != NULL && !cJSON_IsString(desc)) {
        problem(r, OHC_EINVAL, source, "description", NULL, "must be a string");
        header_ok = 0;
    }
    if (!cJSON_IsArray(rules)) {
        problem(r, OHC_EINVAL, source, rules ? "rules" : NULL, NULL, "%s",
                rules ? "must be an array of rules" : "missing field 'rules'");
        header_ok = 0;
    } else if (cJSON_GetArraySize(rules) > (int)OHC_RULES_MAX_RULES) {
        problem(r, OHC_ELIMIT, source, "rules", NULL, "more than %u rules", OHC_RULES_MAX_RULES);
        header_ok = 0;
    }
    for (size_t i = 0; header_ok && i < r->nsets; i++)
        if (strcmp(r->sets[i].id, id->valuestring) == 0) {
            problem(r, OHC_EINVAL, source, "id", NULL, "rule set '%s' is also defined in %s", id->valuestring,
                    r->sets[i].source);
            header_ok = 0;
        }
    if (!header_ok) {
        cJSON_Delete(doc);
        return r->nomem ? OHC_ENOMEM : OHC_OK;
    }

    rule_set set;
    memset(&set, 0, sizeof set);
    set.doc = doc;
    set.id = id->valuestring;
    set.version = version->valuestring;
    snprintf(set.source, sizeof set.source, "%s", source);
    set.rules = calloc((size_t)cJSON_GetArraySize(rules) + 1, sizeof *set.rules);
    if (set.rules == NULL) {
        cJSON_Delete(doc);
        free(set.rules);
        return OHC_ENOMEM;
    }
    int idx = 0;
    const cJSON *rule;
    cJSON_ArrayForEach(rule, rules)
    {
        if (validate_rule(r, source, idx, rule)) {
            const char *rid = cJSON_GetObjectItemCaseSensitive(rule, "id")->valuestring;
            const char *other = NULL;
            int dup_here = 0;
            for (size_t k = 0; k < set.count; k++)
                dup_here |= strcmp(cJSON_GetObjectItemCaseSensitive(set.rules[k], "id")->valuestring, rid) == 0;
            char where[32];
            snprintf(where, sizeof where, "rules[%d].id", idx);
            if (dup_here)
                problem(r, OHC_EINVAL, source, where, rid, "duplicate rule id '%s' (also earlier in this file)", rid);
            else if (rule_id_taken(r, rid, &other))
                problem(r, OHC_EINVAL, source, where, rid, "duplicate rule id '%s' (also in %s)", rid, other);
            else
                set.rules[set.count++] = rule;
        }
        idx++;
    }
    if (r->nsets == r->cap_sets) {
        size_t cap = r->cap_sets ? r->cap_sets * 2 : 4;
        rule_set *s = realloc(r->sets, cap * sizeof *s);
        if (s == NULL) {
            cJSON_Delete(doc);
            free(set.rules);
            return OHC_ENOMEM;
        }
        r->sets = s;
        r->cap_sets = cap;
    }
    r->sets[r->nsets++] = set;
    return r->nomem ? OHC_ENOMEM : OHC_OK;
}

/* Rule files are *.json (ASCII case ignored). */
static int is_rule_file_name(const char *name)
{
    size_t n = strlen(name);
    if (n < 5)
        return 0;
    const char *ext = name + n - 5;
    return ext[0] == '.' && (ext[1] | 32) == 'j' && (ext[2] | 32) == 's' && (ext[3] | 32) == 'o' &&
           (ext[4] | 32) == 'n';
}

int ohc_rules_load_dir(ohc_rules *r, const char *dir, ohc_error *err)
{
    ohc_os_dirent *files = NULL;
    size_t nfiles = 0;
    int rc = ohc_os_list_dir(&files, &nfiles, dir, err);
    if (rc != OHC_OK)
        return rc;
    /* Keep the rule files at the front, in the listing's name order (the
     * result does not depend on the directory's order). */
    size_t n = 0;
    for (size_t i = 0; i < nfiles; i++) {
        if (!is_rule_file_name(files[i].name))
            continue;
        ohc_os_dirent t = files[n];
        files[n++] = files[i];
        files[i] = t;
    }
    if (n > OHC_RULES_MAX_FILES) {
        ohc_os_dirents_free(files, nfiles);
        return ohc_error_set(err, OHC_ELIMIT, 0, "%s: more than %u rule files", dir, OHC_RULES_MAX_FILES);
    }
    if (n == 0)
        problem(r, OHC_ENOTFOUND, dir, NULL, NULL, "no *.json rule file in this directory");
    for (size_t i = 0; i < n && rc == OHC_OK; i++) {
        ohc_strbuf path = OHC_STRBUF_INIT;
        size_t dl = strlen(dir);
        int sep = dl > 0 && (dir[dl - 1] == '/' || dir[dl - 1] == '\\');
        ohc_strbuf_appendf(&path, "%s%s%s", dir, sep ? "" : "/", files[i].name);
        if (ohc_strbuf_failed(&path)) {
            rc = ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
            break;
        }
        char *text = NULL;
        size_t len = 0;
        ohc_error e;
        ohc_error_clear(&e);
        if (ohc_os_read_file(&text, &len, ohc_strbuf_str(&path), OHC_RULES_MAX_FILE_BYTES, &e) != OHC_OK)
            problem(r, e.code, ohc_strbuf_str(&path), NULL, NULL, "cannot read: %s", e.message);
        else if (ohc_rules_add_text(r, ohc_strbuf_str(&path), text, len) != OHC_OK)
            rc = ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
        free(text);
        ohc_strbuf_free(&path);
    }
    ohc_os_dirents_free(files, nfiles);
    if (rc == OHC_OK && r->nomem)
        rc = ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    return rc;
}

int ohc_rules_load_builtin(ohc_rules *r, ohc_error *err)
{
    for (size_t i = 0; i < ohc_builtin_rules_count; i++) {
        char source[256];
        snprintf(source, sizeof source, "builtin:%s", ohc_builtin_rules[i].name);
        if (ohc_rules_add_text(r, source, (const char *)ohc_builtin_rules[i].data, ohc_builtin_rules[i].len) != OHC_OK)
            return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    }
    return OHC_OK;
}

/* ---- what a rule needs ------------------------------------------------- */

/* The probes an expression reads: the first step of every fact path it names
 * ({"var": "events.outlook_oab..."} needs the events probe). Inside map,
 * filter, all, some, none, reduce and count's test, only the first argument
 * reads the facts; the others read the current element. */
#define MAX_NEEDS 8
typedef struct needs {
    char probe[MAX_NEEDS][32];
    unsigned count;
    int overflow; /* more probes than fit: treated as needing every probe */
} needs;

static void needs_add_path(needs *n, const char *path)
{
    size_t len = strcspn(path, ".");
    if (len == 0)
        return;
    if (len >= sizeof n->probe[0]) {
        n->overflow = 1;
        return;
    }
    for (unsigned i = 0; i < n->count; i++)
        if (strlen(n->probe[i]) == len && strncmp(n->probe[i], path, len) == 0)
            return;
    if (n->count == MAX_NEEDS) {
        n->overflow = 1;
        return;
    }
    memcpy(n->probe[n->count], path, len);
    n->probe[n->count][len] = '\0';
    n->count++;
}

static int is_iterating(const char *op)
{
    static const char *const ops[] = {"map", "filter", "all", "some", "none", "reduce", "count"};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(op, ops[i]) == 0)
            return 1;
    return 0;
}

static void needs_of_logic(needs *n, const cJSON *logic, int depth)
{
    if (depth > 64 || logic == NULL)
        return;
    if (cJSON_IsArray(logic)) {
        const cJSON *e;
        cJSON_ArrayForEach(e, logic) needs_of_logic(n, e, depth + 1);
        return;
    }
    if (!cJSON_IsObject(logic) || logic->child == NULL || logic->child->next != NULL)
        return; /* data, not an operation */
    const cJSON *op = logic->child;
    const char *name = op->string;
    if (strcmp(name, "var") == 0) {
        const cJSON *path = cJSON_IsArray(op) ? cJSON_GetArrayItem(op, 0) : op;
        if (cJSON_IsString(path))
            needs_add_path(n, path->valuestring);
        else
            needs_of_logic(n, path, depth + 1);
        return;
    }
    if (strcmp(name, "missing") == 0 || strcmp(name, "missing_some") == 0) {
        const cJSON *list = strcmp(name, "missing_some") == 0 ? cJSON_GetArrayItem(op, 1) : op;
        const cJSON *e;
        if (cJSON_IsString(list))
            needs_add_path(n, list->valuestring);
        if (cJSON_IsArray(list)) {
            cJSON_ArrayForEach(e, list)
            {
                if (cJSON_IsString(e))
                    needs_add_path(n, e->valuestring);
            }
        }
        return;
    }
    if (is_iterating(name) && cJSON_IsArray(op)) {
        needs_of_logic(n, cJSON_GetArrayItem(op, 0), depth + 1);
        return;
    }
    needs_of_logic(n, op, depth + 1);
}

/* NULL when every probe n needs ran fully, else the first that did not, with
 * its status ("unavailable", "partial", "failed", or "not collected"). With
 * partial_ok, a partial probe counts as run: what it read is real (evidence
 * of a finding), though a rule that did not fire cannot rely on it. */
static const char *needs_unmet(const needs *n, const cJSON *report, int partial_ok, const char **out_status)
{
    const cJSON *probes = cJSON_GetObjectItemCaseSensitive(report, "probes");
    const cJSON *facts = cJSON_GetObjectItemCaseSensitive(report, "facts");
    *out_status = "ok";
    if (n->overflow) {
        const cJSON *p;
        cJSON_ArrayForEach(p, probes)
        {
            const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "status"));
            if (st == NULL || (strcmp(st, "ok") != 0 && !(partial_ok && strcmp(st, "partial") == 0))) {
                *out_status = st ? st : "unknown";
                return p->string;
            }
        }
    }
    for (unsigned i = 0; i < n->count; i++) {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(probes, n->probe[i]);
        const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "status"));
        if (p == NULL) {
            /* facts without a probe status (a report made by hand, a rule
             * fixture): the facts are what there is to check */
            if (cJSON_GetObjectItemCaseSensitive(facts, n->probe[i]) != NULL)
                continue;
            *out_status = "not collected";
            return n->probe[i];
        }
        if (st == NULL || (strcmp(st, "ok") != 0 && !(partial_ok && strcmp(st, "partial") == 0))) {
            *out_status = st ? st : "unknown";
            return n->probe[i];
        }
    }
    return NULL;
}

/* ---- evaluation -------------------------------------------------------- */

static void render_scalar(ohc_strbuf *sb, const cJSON *v)
{
    if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        char *s = cJSON_PrintUnformatted(v);
        ohc_strbuf_append_len(sb, s ? s : "?", s ? strnlen(s, 200) : 1);
        free(s);
    } else if (v == NULL || cJSON_IsNull(v)) {
        ohc_strbuf_append(sb, "(none)");
    } else {
        char *s = ohc_jl_to_string(v, MAX_RENDERED);
        ohc_strbuf_append(sb, s ? s : "?");
        free(s);
    }
}

/* Arrays show their distinct items (the same job URL ten times is one item
 * "url (10 times)"), at most TEMPLATE_ITEMS of them, then "and N more". */
static void render_value(ohc_strbuf *sb, const cJSON *v)
{
    if (!cJSON_IsArray(v)) {
        render_scalar(sb, v);
        return;
    }
    int shown = 0, covered = 0, total = cJSON_GetArraySize(v);
    const cJSON *e;
    cJSON_ArrayForEach(e, v)
    {
        int seen = 0, times = 0;
        for (const cJSON *x = v->child; x != e && !seen; x = x->next)
            seen = cJSON_Compare(x, e, 1);
        if (seen)
            continue;
        if (shown == TEMPLATE_ITEMS) {
            ohc_strbuf_appendf(sb, " and %d more", total - covered);
            break;
        }
        for (const cJSON *x = e; x != NULL; x = x->next)
            times += cJSON_Compare(x, e, 1);
        if (shown++)
            ohc_strbuf_append(sb, ", ");
        render_scalar(sb, e);
        if (times > 1)
            ohc_strbuf_appendf(sb, " (%d times)", times);
        covered += times;
    }
    if (total == 0)
        ohc_strbuf_append(sb, "(none)");
}

/* A value a fallback replaces: missing, null, "" or []. */
static int is_empty_value(const cJSON *v)
{
    return v == NULL || cJSON_IsNull(v) || (cJSON_IsString(v) && v->valuestring[0] == '\0') ||
           (cJSON_IsArray(v) && cJSON_GetArraySize(v) == 0);
}

typedef struct template_data {
    const cJSON *facts;
    const cJSON *evidence;
    const cJSON *unchecked; /* evidence name -> why it could not be checked */
    const cJSON *report; /* its probes' status */
    int command; /* a remediation command: a fallback stands for a value not checked, and "" is no command */
    const cJSON *partial; /* evidence computed from what was read, for commands only (see make_finding) */
} template_data;

/* The value a command may use for an evidence item that is "not checked":
 * what the probes that did run gave, when it is not empty. */
static const cJSON *partial_value(const template_data *d, const char *path)
{
    if (!d->command || d->partial == NULL)
        return NULL;
    const cJSON *v = ohc_jl_get(d->partial, path);
    return v != NULL && !cJSON_IsNull(v) && !(cJSON_IsArray(v) && cJSON_GetArraySize(v) == 0) ? v : NULL;
}

/* Replaces {{path}} by the value at path: "evidence.NAME..." from the finding's
 * evidence, anything else from the facts; {{path|text}} shows text when the
 * value is missing, null, "" or []. A value whose probe did not run fully
 * reads "not checked (...)", never a count of 0. A new string (caller frees)
 * or NULL. */
static char *render_template(const char *tpl, const template_data *d)
{
    ohc_strbuf sb = OHC_STRBUF_INIT;
    const char *s = tpl;
    while (*s) {
        const char *open = strstr(s, "{{");
        const char *close = open ? strstr(open + 2, "}}") : NULL;
        if (open == NULL || close == NULL) {
            ohc_strbuf_append(&sb, s);
            break;
        }
        while (close[2] == '}')
            close++;
        ohc_strbuf_append_len(&sb, s, (size_t)(open - s));
        char path[256], fallback[512];
        const char *p = open + 2, *q = close, *bar = memchr(open + 2, '|', (size_t)(close - open - 2));
        fallback[0] = '\0';
        if (bar != NULL) {
            snprintf(fallback, sizeof fallback, "%.*s", (int)(close - bar - 1), bar + 1);
            q = bar;
        }
        while (*p == ' ')
            p++;
        while (q > p && q[-1] == ' ')
            q--;
        snprintf(path, sizeof path, "%.*s", (int)(q - p), p);
        const cJSON *v;
        const char *why = NULL;
        char whybuf[96];
        if (strncmp(path, "evidence.", 9) == 0) {
            char name[MAX_ID];
            snprintf(name, sizeof name, "%.*s", (int)strcspn(path + 9, "."), path + 9);
            why = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d->unchecked, name));
            v = ohc_jl_get(d->evidence, path + 9);
            const cJSON *pv = why != NULL ? partial_value(d, path + 9) : NULL;
            if (pv != NULL) {
                v = pv;
                why = NULL;
            }
        } else {
            needs n;
            memset(&n, 0, sizeof n);
            needs_add_path(&n, path);
            const char *status;
            const char *probe = needs_unmet(&n, d->report, 1, &status);
            if (probe != NULL) {
                snprintf(whybuf, sizeof whybuf, "%.31s %.40s", probe, status);
                why = whybuf;
            }
            v = ohc_jl_get(d->facts, path);
        }
        if (why != NULL && !(d->command && bar != NULL))
            ohc_strbuf_appendf(&sb, "not checked (%s)", why);
        else if (why != NULL)
            ohc_strbuf_append(&sb, fallback);
        else if (bar != NULL && is_empty_value(v))
            ohc_strbuf_append(&sb, fallback);
        else
            render_value(&sb, v);
        s = close + 2;
        if (sb.len > MAX_RENDERED)
            break;
    }
    if (ohc_strbuf_failed(&sb)) {
        ohc_strbuf_free(&sb);
        return NULL;
    }
    char *out = ohc_strbuf_detach(&sb);
    if (out == NULL)
        out = calloc(1, 1);
    else if (strlen(out) > MAX_RENDERED)
        out[MAX_RENDERED] = '\0';
    return out;
}

static void add_rule_error(cJSON *report, const rule_set *set, const char *rule_id, const ohc_error *e)
{
    ohc_error x = *e;
    snprintf(x.message, sizeof x.message, "rule %.63s (%.60s): %.120s", rule_id, set->source, e->message);
    ohc_report_add_error(report, "rules", &x);
    cJSON *errors = cJSON_GetObjectItemCaseSensitive(report, "errors");
    cJSON *last = errors ? cJSON_GetArrayItem(errors, cJSON_GetArraySize(errors) - 1) : NULL;
    if (last != NULL) {
        cJSON_AddStringToObject(last, "file", set->source);
        cJSON_AddStringToObject(last, "rule_id", rule_id);
    }
}

/* Adds cmd to the step's commands unless it is there already. */
static void add_command(cJSON *cmds, const char *cmd)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, cmds)
    {
        if (cJSON_IsString(x) && strcmp(x->valuestring, cmd) == 0)
            return;
    }
    cJSON_AddItemToArray(cmds, cJSON_CreateString(cmd));
}

/* A command that is one placeholder of an evidence list ("{{evidence.fixes}}")
 * becomes one command per distinct item: the rule builds each exact command
 * (per user, per Office version) in its evidence. Returns 1 when it did. */
static int expand_commands(cJSON *cmds, const char *tpl, const template_data *d)
{
    size_t n = strlen(tpl);
    if (n < 15 || strncmp(tpl, "{{evidence.", 11) != 0 || strcmp(tpl + n - 2, "}}") != 0 ||
        strstr(tpl + 2, "{{") != NULL)
        return 0;
    char name[MAX_ID];
    size_t len = strcspn(tpl + 11, "|}");
    if (len == 0 || len >= sizeof name)
        return 0;
    memcpy(name, tpl + 11, len);
    name[len] = '\0';
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(d->evidence, name);
    if (cJSON_GetObjectItemCaseSensitive(d->unchecked, name) != NULL)
        v = partial_value(d, name);
    if (!cJSON_IsArray(v))
        return 0;
    int added = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, v)
    {
        if (cJSON_IsString(e) && e->valuestring[0] != '\0') {
            add_command(cmds, e->valuestring);
            added = 1;
        }
    }
    return added;
}

/* Builds the finding of a rule that fired. NULL when out of memory. An
 * evidence item whose probe did not run fully is null, with the reason in
 * the finding's "unchecked" (so "0 failures" never stands for "not read"). */
static cJSON *make_finding(const rule_set *set, const cJSON *rule, const cJSON *facts, const ohc_jl_options *opts,
                           cJSON *report)
{
    const char *rule_id = cJSON_GetObjectItemCaseSensitive(rule, "id")->valuestring;
    cJSON *f = cJSON_CreateObject();
    if (f == NULL)
        return NULL;
    cJSON_AddStringToObject(f, "rule_set", set->id);
    cJSON_AddStringToObject(f, "rule_id", rule_id);
    cJSON_AddStringToObject(f, "severity", cJSON_GetObjectItemCaseSensitive(rule, "severity")->valuestring);
    cJSON_AddStringToObject(f, "category", cJSON_GetObjectItemCaseSensitive(rule, "category")->valuestring);
    cJSON_AddStringToObject(f, "title", cJSON_GetObjectItemCaseSensitive(rule, "title")->valuestring);

    cJSON *evidence = cJSON_AddObjectToObject(f, "evidence");
    cJSON *unchecked = cJSON_CreateObject();
    /* An item a probe could not fully read is null in the evidence ("not
     * checked", never a count of 0), but what the other probes gave still
     * makes exact commands: a URL from a BITS job when the event log was not
     * read. Kept here, for the commands only; never in the report. */
    cJSON *partial = cJSON_CreateObject();
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(rule, "evidence"))
    {
        cJSON *val = NULL;
        needs n;
        memset(&n, 0, sizeof n);
        if (cJSON_IsString(e))
            needs_add_path(&n, e->valuestring);
        else
            needs_of_logic(&n, e, 0);
        const char *status;
        const char *probe = needs_unmet(&n, report, 1, &status);
        if (probe != NULL) {
            char why[96];
            snprintf(why, sizeof why, "%.31s %.40s", probe, status);
            cJSON_AddStringToObject(unchecked, e->string, why);
            val = cJSON_CreateNull();
            cJSON *res = NULL;
            ohc_error err;
            ohc_error_clear(&err);
            if (!cJSON_IsString(e) && ohc_jl_apply(&res, e, facts, opts, &err) == OHC_OK) {
                cJSON *copy = cJSON_Duplicate(res, 1); /* res may share the facts */
                if (copy != NULL && (partial == NULL || !cJSON_AddItemToObject(partial, e->string, copy)))
                    cJSON_Delete(copy);
            }
            cJSON_Delete(res);
        } else if (cJSON_IsString(e)) {
            const cJSON *got = ohc_jl_get(facts, e->valuestring);
            val = got ? cJSON_Duplicate(got, 1) : cJSON_CreateNull();
        } else {
            ohc_error err;
            ohc_error_clear(&err);
            cJSON *res = NULL;
            if (ohc_jl_apply(&res, e, facts, opts, &err) != OHC_OK) {
                add_rule_error(report, set, rule_id, &err);
                val = cJSON_CreateNull();
            } else {
                val = cJSON_Duplicate(res, 1); /* res may share the facts */
                cJSON_Delete(res);
            }
        }
        if (val != NULL && evidence != NULL)
            cJSON_AddItemToObject(evidence, e->string, val);
        else
            cJSON_Delete(val);
    }
    template_data td = {facts, evidence, unchecked, report, 0, NULL};
    template_data cmd_td = td;
    cmd_td.command = 1;
    cmd_td.partial = partial;

    char *msg = render_template(cJSON_GetObjectItemCaseSensitive(rule, "message")->valuestring, &td);
    cJSON_AddStringToObject(f, "message", msg ? msg : "");
    free(msg);

    cJSON *steps = cJSON_AddArrayToObject(f, "remediation");
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(rule, "remediation"))
    {
        cJSON *step = cJSON_CreateObject();
        char *text = render_template(cJSON_GetObjectItemCaseSensitive(s, "text")->valuestring, &td);
        cJSON_AddStringToObject(step, "text", text ? text : "");
        free(text);
        cJSON *cmds = cJSON_AddArrayToObject(step, "commands");
        const cJSON *c;
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(s, "commands"))
        {
            if (expand_commands(cmds, c->valuestring, &cmd_td))
                continue;
            char *cmd = render_template(c->valuestring, &cmd_td);
            /* "{{evidence.x|}}": a command only when x holds one. The same
             * command twice (two users, one repair) is one line. */
            if (cmd == NULL || cmd[0] != '\0')
                add_command(cmds, cmd ? cmd : "");
            free(cmd);
        }
        /* A step whose text renders empty ("{{evidence.x|}}") and that has no
         * command left does not apply to this PC: it is left out. */
        const char *step_text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(step, "text"));
        int empty = step_text != NULL && step_text[0] == '\0' && cJSON_GetArraySize(cmds) == 0;
        if (steps != NULL && step != NULL && !empty)
            cJSON_AddItemToArray(steps, step);
        else
            cJSON_Delete(step);
    }
    const cJSON *refs = cJSON_GetObjectItemCaseSensitive(rule, "references");
    cJSON_AddItemToObject(f, "references", refs ? cJSON_Duplicate(refs, 1) : cJSON_CreateArray());
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(rule, "labels");
    if (labels != NULL)
        cJSON_AddItemToObject(f, "evidence_labels", cJSON_Duplicate(labels, 1));
    if (unchecked != NULL && cJSON_GetArraySize(unchecked) > 0)
        cJSON_AddItemToObject(f, "unchecked", unchecked);
    else
        cJSON_Delete(unchecked);
    cJSON_Delete(partial);
    return f;
}

/* Drops the "rules" entries an earlier evaluation left in report.errors. */
static void drop_rule_errors(cJSON *errors)
{
    cJSON *e = errors ? errors->child : NULL;
    while (e != NULL) {
        cJSON *next = e->next;
        const cJSON *src = cJSON_GetObjectItemCaseSensitive(e, "source");
        if (cJSON_IsString(src) && strcmp(src->valuestring, "rules") == 0)
            cJSON_Delete(cJSON_DetachItemViaPointer(errors, e));
        e = next;
    }
}

typedef struct ranked {
    cJSON *finding;
    int rank;
    size_t order;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->rank != y->rank)
        return y->rank - x->rank;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* What could not be checked: summary.not_checked (one entry per rule that did
 * not fire but could not be fully evaluated) and summary.incomplete (why: a
 * probe, an input file, the rules themselves). */
typedef struct gaps {
    cJSON *not_checked;
    cJSON *incomplete;
} gaps;

static cJSON *gap_reason(gaps *g, const char *source, const char *status, const char *message)
{
    cJSON *x;
    cJSON_ArrayForEach(x, g->incomplete)
    {
        const char *src = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "source"));
        if (status != NULL && src != NULL && strcmp(src, source) == 0)
            return x;
    }
    cJSON *e = cJSON_CreateObject();
    if (e == NULL)
        return NULL;
    cJSON_AddStringToObject(e, "source", source);
    if (status != NULL)
        cJSON_AddStringToObject(e, "status", status);
    cJSON_AddStringToObject(e, "message", message);
    cJSON_AddArrayToObject(e, "rules");
    cJSON_AddItemToArray(g->incomplete, e);
    return e;
}

/* A rule that did not fire although a probe it reads did not run fully. */
static void gap_probe(gaps *g, const cJSON *rule, const char *probe, const char *status, const cJSON *probes)
{
    const char *why = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(probes, probe), "error"), "message"));
    char msg[400];
    if (strcmp(status, "not collected") == 0)
        snprintf(msg, sizeof msg, "the %.31s probe was not part of this collection", probe);
    else
        snprintf(msg, sizeof msg, "the %.31s probe was %s%s%.300s", probe, status, why ? ": " : "", why ? why : "");
    const char *rule_id = cJSON_GetObjectItemCaseSensitive(rule, "id")->valuestring;
    cJSON *nc = cJSON_CreateObject();
    if (nc != NULL) {
        cJSON_AddStringToObject(nc, "rule_id", rule_id);
        cJSON_AddStringToObject(nc, "title", cJSON_GetObjectItemCaseSensitive(rule, "title")->valuestring);
        cJSON_AddStringToObject(nc, "probe", probe);
        cJSON_AddStringToObject(nc, "reason", msg);
        cJSON_AddItemToArray(g->not_checked, nc);
    }
    cJSON *reason = gap_reason(g, probe, status, msg);
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(reason, "rules"), cJSON_CreateString(rule_id));
}

/* Input files the events probe read with damage or could not read: the
 * events they held may be missing, whatever the rules say. */
static void gap_inputs(gaps *g, const cJSON *facts)
{
    const cJSON *fe;
    cJSON_ArrayForEach(fe, ohc_jl_get(facts, "events.file_errors"))
    {
        const char *file = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fe, "file"));
        const char *why = ohc_report_str(fe, "error.message");
        char msg[400];
        snprintf(msg, sizeof msg, "%.200s: %.190s", file ? file : "?", why ? why : "damaged");
        cJSON *e = gap_reason(g, "input", NULL, msg);
        if (e != NULL && file != NULL)
            cJSON_AddStringToObject(e, "file", file);
    }
}

int ohc_rules_evaluate(const ohc_rules *r, cJSON *report, ohc_error *err)
{
    const cJSON *facts = cJSON_GetObjectItemCaseSensitive(report, "facts");
    if (!cJSON_IsObject(facts))
        return ohc_error_set(err, OHC_EINVAL, 0, "the report has no facts object");
    cJSON *errors = cJSON_GetObjectItemCaseSensitive(report, "errors");
    if (!cJSON_IsArray(errors)) {
        cJSON_DeleteItemFromObjectCaseSensitive(report, "errors");
        errors = cJSON_AddArrayToObject(report, "errors");
    }
    drop_rule_errors(errors);
    ohc_jl_options opts;
    memset(&opts, 0, sizeof opts);
    const cJSON *gen = cJSON_GetObjectItemCaseSensitive(report, "generated_at");
    int64_t now;
    if (cJSON_IsString(gen) && ohc_civil_parse_rfc3339(&now, gen->valuestring, 0) == OHC_OK)
        opts.now_ms = now;

    for (size_t i = 0; i < r->nproblems; i++) {
        const ohc_rule_problem *p = &r->problems[i];
        ohc_error e;
        ohc_error_clear(&e);
        e.code = p->code;
        ohc_rule_problem_format(e.message, sizeof e.message, p);
        ohc_report_add_error(report, "rules", &e);
        cJSON *last = cJSON_GetArrayItem(errors, cJSON_GetArraySize(errors) - 1);
        if (last != NULL) {
            cJSON_AddStringToObject(last, "file", p->source);
            if (p->line) {
                cJSON_AddNumberToObject(last, "line", p->line);
                cJSON_AddNumberToObject(last, "column", p->column);
            }
            if (p->rule_id[0])
                cJSON_AddStringToObject(last, "rule_id", p->rule_id);
        }
    }

    size_t total = ohc_rules_rule_count(r), nfound = 0, evaluated = 0, failed = 0;
    ranked *found = calloc(total + 1, sizeof *found);
    if (found == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    int counts[5] = {0};
    int oom = 0;
    const cJSON *probes = cJSON_GetObjectItemCaseSensitive(report, "probes");
    gaps g = {cJSON_CreateArray(), cJSON_CreateArray()};
    if (g.not_checked == NULL || g.incomplete == NULL) {
        cJSON_Delete(g.not_checked);
        cJSON_Delete(g.incomplete);
        free(found);
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    }
    for (size_t i = 0; i < r->nproblems; i++) {
        char msg[400];
        ohc_rule_problem_format(msg, sizeof msg, &r->problems[i]);
        gap_reason(&g, "rules", NULL, msg);
    }
    for (size_t i = 0; i < r->nsets; i++) {
        const rule_set *set = &r->sets[i];
        for (size_t k = 0; k < set->count; k++) {
            const cJSON *rule = set->rules[k];
            const char *rule_id = cJSON_GetObjectItemCaseSensitive(rule, "id")->valuestring;
            ohc_error e;
            ohc_error_clear(&e);
            int fired = 0;
            evaluated++;
            if (ohc_jl_test(&fired, cJSON_GetObjectItemCaseSensitive(rule, "when"), facts, &opts, &e) != OHC_OK) {
                failed++;
                add_rule_error(report, set, rule_id, &e);
                char msg[400];
                snprintf(msg, sizeof msg, "rule %.63s could not be evaluated: %.300s", rule_id, e.message);
                cJSON *reason = gap_reason(&g, "rules", NULL, msg);
                cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(reason, "rules"), cJSON_CreateString(rule_id));
                continue;
            }
            if (!fired) {
                needs n;
                memset(&n, 0, sizeof n);
                needs_of_logic(&n, cJSON_GetObjectItemCaseSensitive(rule, "when"), 0);
                const char *status;
                const char *probe = needs_unmet(&n, report, 0, &status);
                if (probe != NULL)
                    gap_probe(&g, rule, probe, status, probes);
                continue;
            }
            cJSON *f = make_finding(set, rule, facts, &opts, report);
            if (f == NULL) {
                oom = 1;
                continue;
            }
            int rank = ohc_severity_rank(cJSON_GetObjectItemCaseSensitive(rule, "severity")->valuestring) + 1;
            counts[rank]++;
            found[nfound].finding = f;
            found[nfound].rank = rank;
            found[nfound].order = nfound;
            nfound++;
        }
    }
    qsort(found, nfound, sizeof *found, cmp_ranked);
    cJSON *findings = cJSON_CreateArray();
    for (size_t i = 0; i < nfound; i++) {
        if (findings != NULL)
            cJSON_AddItemToArray(findings, found[i].finding);
        else
            cJSON_Delete(found[i].finding);
    }
    free(found);
    if (findings == NULL) {
        cJSON_Delete(g.not_checked);
        cJSON_Delete(g.incomplete);
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    }
    if (cJSON_GetObjectItemCaseSensitive(report, "findings") != NULL)
        cJSON_ReplaceItemInObjectCaseSensitive(report, "findings", findings);
    else
        cJSON_AddItemToObject(report, "findings", findings);

    gap_inputs(&g, facts);
    if (evaluated == 0)
        gap_reason(&g, "rules", NULL, "no rule was loaded: nothing was checked");
    cJSON *summary = cJSON_CreateObject();
    if (summary == NULL) {
        cJSON_Delete(g.not_checked);
        cJSON_Delete(g.incomplete);
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    }
    int highest = 0;
    for (int i = 1; i <= 4; i++)
        if (counts[i])
            highest = i;
    cJSON_AddStringToObject(summary, "highest_severity", highest ? severities[highest - 1] : "none");
    cJSON *c = cJSON_AddObjectToObject(summary, "counts");
    for (int i = 1; i <= 4; i++)
        cJSON_AddNumberToObject(c, severities[i - 1], counts[i]);
    cJSON_AddNumberToObject(summary, "findings", (double)nfound);
    cJSON_AddNumberToObject(summary, "rules_evaluated", (double)evaluated);
    cJSON_AddNumberToObject(summary, "rule_errors", (double)(failed + r->nproblems));
    cJSON *sets = cJSON_AddArrayToObject(summary, "rule_sets");
    for (size_t i = 0; i < r->nsets; i++) {
        cJSON *s = cJSON_CreateObject();
        cJSON_AddStringToObject(s, "id", r->sets[i].id);
        cJSON_AddStringToObject(s, "version", r->sets[i].version);
        cJSON_AddStringToObject(s, "source", r->sets[i].source);
        cJSON_AddNumberToObject(s, "rules", (double)r->sets[i].count);
        if (sets != NULL && s != NULL)
            cJSON_AddItemToArray(sets, s);
        else
            cJSON_Delete(s);
    }
    cJSON_AddItemToObject(summary, "incomplete", g.incomplete);
    cJSON_AddItemToObject(summary, "not_checked", g.not_checked);
    if (cJSON_GetObjectItemCaseSensitive(report, "summary") != NULL)
        cJSON_ReplaceItemInObjectCaseSensitive(report, "summary", summary);
    else
        cJSON_AddItemToObject(report, "summary", summary);
    ohc_verdict v;
    ohc_verdict_of(&v, report);
    cJSON_AddStringToObject(summary, "verdict", ohc_verdict_name(v.kind));
    cJSON_AddNumberToObject(summary, "exit_code", v.exit_code);
    if (oom)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory building findings");
    return OHC_OK;
}

int ohc_rules_apply(cJSON *report, const char *dir, ohc_error *err)
{
    ohc_rules *rules = NULL;
    int rc = ohc_rules_new(&rules, err);
    if (rc != OHC_OK)
        return rc;
    if (dir != NULL) {
        ohc_error e;
        ohc_error_clear(&e);
        rc = ohc_rules_load_dir(rules, dir, &e);
        if (rc == OHC_ENOMEM) {
            ohc_rules_free(rules);
            return ohc_error_set(err, rc, 0, "out of memory");
        }
        if (rc != OHC_OK) {
            /* evaluate the built-in rules, and say why */
            ohc_rules_free(rules);
            rules = NULL;
            if ((rc = ohc_rules_new(&rules, err)) != OHC_OK)
                return rc;
            char msg[OHC_ERROR_MESSAGE_MAX];
            snprintf(msg, sizeof msg, "rules directory %.100s: %.100s (the built-in rules were used)", dir, e.message);
            snprintf(e.message, sizeof e.message, "%s", msg);
            dir = NULL;
            rc = ohc_rules_load_builtin(rules, err);
            if (rc == OHC_OK)
                rc = ohc_rules_evaluate(rules, report, err);
            if (rc == OHC_OK)
                ohc_report_add_error(report, "rules", &e);
            ohc_rules_free(rules);
            return rc;
        }
    } else {
        rc = ohc_rules_load_builtin(rules, err);
    }
    if (rc == OHC_OK)
        rc = ohc_rules_evaluate(rules, report, err);
    ohc_rules_free(rules);
    return rc;
}
