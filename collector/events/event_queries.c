#include "event_queries.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static int parse_number(uint32_t *out, const char *s, uint32_t min, uint32_t max)
{
    uint64_t n = 0;
    if (*s == '\0')
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        n = n * 10u + (uint64_t)(*s - '0');
        if (n > max)
            return 0;
    }
    if (n < min)
        return 0;
    *out = (uint32_t)n;
    return 1;
}

static int valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > OHC_EVENT_QUERY_NAME_MAX)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* One line into q (pointers into line). OHC_OK or OHC_EINVAL with why. */
static int parse_line(ohc_event_query *q, uint32_t *ids, char *line, char *why, size_t why_size)
{
    memset(q, 0, sizeof *q);
    char *save = line;
    unsigned seen = 0;
    while (save != NULL) {
        char *part = save;
        char *semi = strchr(part, ';');
        save = semi ? semi + 1 : NULL;
        if (semi)
            *semi = '\0';
        part = trim(part);
        if (*part == '\0')
            continue;
        char *eq = strchr(part, '=');
        if (eq == NULL) {
            snprintf(why, why_size, "'%.40s' is not key=value", part);
            return OHC_EINVAL;
        }
        *eq = '\0';
        char *key = trim(part), *value = trim(eq + 1);
        static const char *const keys[] = {"name", "channel", "provider", "ids", "days", "max"};
        unsigned k = 0;
        while (k < 6 && strcmp(key, keys[k]) != 0)
            k++;
        if (k == 6) {
            snprintf(why, why_size, "unknown key '%.40s' (name, channel, provider, ids, days, max)", key);
            return OHC_EINVAL;
        }
        if (seen & (1u << k)) {
            snprintf(why, why_size, "%s given twice", keys[k]);
            return OHC_EINVAL;
        }
        seen |= 1u << k;
        switch (k) {
        case 0:
            if (!valid_name(value)) {
                snprintf(why, why_size, "name '%.48s' is not 1 to %u of a-z, 0-9 and _", value,
                         OHC_EVENT_QUERY_NAME_MAX);
                return OHC_EINVAL;
            }
            q->name = value;
            break;
        case 1: q->channel = value; break;
        case 2: q->provider = *value ? value : NULL; break;
        case 3:
            for (char *id = value; id != NULL;) {
                char *comma = strchr(id, ',');
                if (comma)
                    *comma = '\0';
                uint32_t n;
                if (q->id_count == OHC_EVENTS_MAX_IDS) {
                    snprintf(why, why_size, "more than %u ids", OHC_EVENTS_MAX_IDS);
                    return OHC_EINVAL;
                }
                if (!parse_number(&n, trim(id), 0, 65535)) {
                    snprintf(why, why_size, "ids: '%.20s' is not an event id 0..65535", trim(id));
                    return OHC_EINVAL;
                }
                ids[q->id_count++] = n;
                id = comma ? comma + 1 : NULL;
            }
            q->ids = ids;
            break;
        case 4: {
            uint32_t n;
            if (!parse_number(&n, value, 1, 365)) {
                snprintf(why, why_size, "days '%.20s' is not 1..365", value);
                return OHC_EINVAL;
            }
            q->days = n;
            break;
        }
        default: {
            uint32_t n;
            if (!parse_number(&n, value, 1, OHC_EVENTS_MAX_MAX)) {
                snprintf(why, why_size, "max '%.20s' is not 1..%u", value, OHC_EVENTS_MAX_MAX);
                return OHC_EINVAL;
            }
            q->max_events = n;
            break;
        }
        }
    }
    if (q->name == NULL || q->channel == NULL) {
        snprintf(why, why_size, "name and channel are required");
        return OHC_EINVAL;
    }
    size_t nbuilt = 0;
    const ohc_event_query *builtin = ohc_events_default_queries(&nbuilt);
    for (size_t i = 0; i < nbuilt; i++)
        if (!strcmp(builtin[i].name, q->name)) {
            snprintf(why, why_size, "name %s is a built-in query", q->name);
            return OHC_EINVAL;
        }
    ohc_error err;
    ohc_error_clear(&err);
    if (ohc_events_query_check(q, &err) != OHC_OK) {
        snprintf(why, why_size, "%.150s", err.message);
        return OHC_EINVAL;
    }
    return OHC_OK;
}

int ohc_event_queries_parse(ohc_event_queries *out, const char *lines, ohc_error *err)
{
    memset(out, 0, sizeof *out);
    if (lines == NULL || *lines == '\0')
        return OHC_OK;
    size_t len = strlen(lines);
    out->text = malloc(len + 1);
    if (out->text == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    memcpy(out->text, lines, len + 1);
    unsigned lineno = 0;
    for (char *line = out->text; line != NULL;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        char *t = trim(line);
        line = nl ? nl + 1 : NULL;
        if (*t == '\0')
            continue;
        char why[200];
        if (out->count == OHC_EVENT_QUERIES_MAX) {
            ohc_event_queries_free(out);
            return ohc_error_set(err, OHC_ELIMIT, 0, "more than %u event queries", OHC_EVENT_QUERIES_MAX);
        }
        ohc_event_query *q = &out->q[out->count];
        if (parse_line(q, out->ids[out->count], t, why, sizeof why) != OHC_OK) {
            ohc_event_queries_free(out);
            return ohc_error_set(err, OHC_EINVAL, 0, "event query line %u: %s", lineno, why);
        }
        for (size_t i = 0; i < out->count; i++)
            if (!strcmp(out->q[i].name, q->name)) {
                ohc_error_set(err, OHC_EINVAL, 0, "event query line %u: name %s used twice", lineno, q->name);
                ohc_event_queries_free(out);
                return OHC_EINVAL;
            }
        out->count++;
    }
    return OHC_OK;
}

void ohc_event_queries_free(ohc_event_queries *q)
{
    free(q->text);
    memset(q, 0, sizeof *q);
}

int ohc_event_queries_check(const char *lines, char *why, size_t why_size)
{
    ohc_event_queries *q = malloc(sizeof *q);
    if (q == NULL) {
        snprintf(why, why_size, "out of memory");
        return OHC_ENOMEM;
    }
    ohc_error err;
    ohc_error_clear(&err);
    int rc = ohc_event_queries_parse(q, lines, &err);
    if (rc != OHC_OK)
        snprintf(why, why_size, "%s", err.message);
    ohc_event_queries_free(q);
    free(q);
    return rc;
}

size_t ohc_event_queries_for(ohc_event_query *out, size_t cap, const ohc_collect_options *options)
{
    size_t nbuilt = 0, n = 0;
    const ohc_event_query *builtin = ohc_events_default_queries(&nbuilt);
    for (size_t i = 0; i < nbuilt && n < cap; i++)
        out[n++] = builtin[i];
    for (size_t i = 0; options != NULL && options->event_queries != NULL && i < options->event_query_count && n < cap;
         i++)
        out[n++] = options->event_queries[i];
    return n;
}
