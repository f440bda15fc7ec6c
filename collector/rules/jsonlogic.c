#include "jsonlogic.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "civil_time.h"
#include "os.h"
#include "strbuf.h"
#include "json_path.h"

#define DEFAULT_MAX_DEPTH 64u
#define DEFAULT_MAX_STEPS 1000000u
#define DEFAULT_MAX_STRING (1u << 20)
/* Data nesting followed when turning arrays into text (JavaScript's String([[1]])). */
#define MAX_DATA_DEPTH 32
#define PATH_MAX_LEN 160
#define JL_NAN ((double)NAN)

/* mingw's isnan/isinf macros go through float and trip -Wfloat-conversion */
static int jl_isnan(double d)
{
    return d != d;
}
static int jl_isinf(double d)
{
    return d == HUGE_VAL || d == -HUGE_VAL;
}

typedef struct jl {
    unsigned max_depth;
    uint64_t max_steps;
    size_t max_string;
    int64_t now_ms;
    uint64_t steps;
    ohc_error *err;
    int failed;
    cJSON *keep; /* intermediate values that results may share: freed when the evaluation ends */
    char path[PATH_MAX_LEN]; /* where the evaluation is, for messages */
} jl;

/* ---- values ------------------------------------------------------------ */

/* A new node standing for v: arrays, objects and strings are shared (reference
 * nodes, so deleting it never frees v's contents); scalars are copied. */
static cJSON *ref_of(const cJSON *v)
{
    if (v == NULL)
        return cJSON_CreateNull();
    switch (v->type & 0xFF) {
    case cJSON_Array: return cJSON_CreateArrayReference(v->child);
    case cJSON_Object: return cJSON_CreateObjectReference(v->child);
    case cJSON_String: return cJSON_CreateStringReference(v->valuestring);
    case cJSON_Number: return cJSON_CreateNumber(v->valuedouble);
    case cJSON_True: return cJSON_CreateTrue();
    case cJSON_False: return cJSON_CreateFalse();
    default: return cJSON_CreateNull();
    }
}

static int fail(jl *j, int code, const char *fmt, ...) OHC_PRINTF(3, 4);

static int fail(jl *j, int code, const char *fmt, ...)
{
    if (!j->failed) {
        char msg[200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        if (j->path[0])
            ohc_error_set(j->err, code, 0, "%s: %s", j->path, msg);
        else
            ohc_error_set(j->err, code, 0, "%s", msg);
        j->failed = code;
    }
    return j->failed;
}

static cJSON *nomem(jl *j)
{
    fail(j, OHC_ENOMEM, "out of memory");
    return NULL;
}

/* Parks an intermediate value until the evaluation ends: results may share its
 * arrays and strings (reference nodes), so it must outlive them. */
static void keep(jl *j, cJSON *v)
{
    if (v == NULL)
        return;
    if (j->keep == NULL)
        j->keep = cJSON_CreateArray();
    if (j->keep == NULL) {
        cJSON_Delete(v); /* nothing can share it yet: the evaluation fails below */
        nomem(j);
        return;
    }
    cJSON_AddItemToArray(j->keep, v);
}

static int step(jl *j, uint64_t n)
{
    j->steps += n;
    if (j->steps > j->max_steps) {
        fail(j, OHC_ELIMIT, "work limit of %llu steps reached", (unsigned long long)j->max_steps);
        return -1;
    }
    return 0;
}

static int is_array(const cJSON *v)
{
    return v != NULL && (v->type & 0xFF) == cJSON_Array;
}
static int is_object(const cJSON *v)
{
    return v != NULL && (v->type & 0xFF) == cJSON_Object;
}
static int is_string(const cJSON *v)
{
    return v != NULL && (v->type & 0xFF) == cJSON_String;
}
static int is_number(const cJSON *v)
{
    return v != NULL && (v->type & 0xFF) == cJSON_Number;
}
static int is_null(const cJSON *v)
{
    return v == NULL || (v->type & 0xFF) == cJSON_NULL || (v->type & 0xFF) == cJSON_Invalid;
}

int ohc_jl_truthy(const cJSON *v)
{
    if (v == NULL)
        return 0;
    switch (v->type & 0xFF) {
    case cJSON_True: return 1;
    case cJSON_Number: return v->valuedouble != 0 && !jl_isnan(v->valuedouble);
    case cJSON_String: return v->valuestring != NULL && v->valuestring[0] != '\0';
    case cJSON_Array: return v->child != NULL;
    case cJSON_Object: return 1;
    default: return 0;
    }
}

/* JavaScript's Number -> String. */
static void number_text(char out[40], double d)
{
    if (jl_isnan(d)) {
        snprintf(out, 40, "NaN");
        return;
    }
    if (jl_isinf(d)) {
        snprintf(out, 40, "%s", d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    if (d == floor(d) && fabs(d) < 1e21) {
        snprintf(out, 40, "%.0f", d == 0 ? 0.0 : d);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, 40, "%.*g", prec, d);
        if (strtod(out, NULL) == d)
            break;
    }
    /* "1.5e-07" -> "1.5e-7" as JavaScript writes it */
    char *e = strchr(out, 'e');
    if (e != NULL) {
        char *digits = e + 2;
        char *nz = digits;
        while (*nz == '0' && nz[1] != '\0')
            nz++;
        memmove(digits, nz, strlen(nz) + 1);
    }
}

static void append_string(ohc_strbuf *sb, const cJSON *v, int depth)
{
    char num[40];
    switch (v == NULL ? cJSON_NULL : v->type & 0xFF) {
    case cJSON_True: ohc_strbuf_append(sb, "true"); break;
    case cJSON_False: ohc_strbuf_append(sb, "false"); break;
    case cJSON_Number:
        number_text(num, v->valuedouble);
        ohc_strbuf_append(sb, num);
        break;
    case cJSON_String: ohc_strbuf_append(sb, v->valuestring ? v->valuestring : ""); break;
    case cJSON_Array: {
        /* [1,[2,3],null] -> "1,2,3," */
        if (depth >= MAX_DATA_DEPTH)
            break;
        const cJSON *e;
        int first = 1;
        cJSON_ArrayForEach(e, v)
        {
            if (!first)
                ohc_strbuf_append_char(sb, ',');
            first = 0;
            if (!is_null(e))
                append_string(sb, e, depth + 1);
        }
        break;
    }
    case cJSON_Object: ohc_strbuf_append(sb, "[object Object]"); break;
    default: ohc_strbuf_append(sb, "null"); break;
    }
}

char *ohc_jl_to_string(const cJSON *value, size_t max)
{
    ohc_strbuf sb = OHC_STRBUF_INIT;
    append_string(&sb, value, 0);
    ohc_strbuf_append(&sb, "");
    if (ohc_strbuf_failed(&sb)) {
        ohc_strbuf_free(&sb);
        return NULL;
    }
    char *s = ohc_strbuf_detach(&sb);
    if (s != NULL && strlen(s) > max)
        s[max] = '\0';
    return s;
}

/* JavaScript's Number(string). */
static double string_number(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '\0')
        return 0;
    char *end;
    double d;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isxdigit((unsigned char)s[2])) {
        unsigned long long u = strtoull(s + 2, &end, 16);
        d = (double)u;
    } else {
        if (!(isdigit((unsigned char)*s) || *s == '-' || *s == '+' || *s == '.'))
            return strncmp(s, "Infinity", 8) == 0 ? HUGE_VAL : JL_NAN;
        d = strtod(s, &end);
    }
    while (isspace((unsigned char)*end))
        end++;
    return *end == '\0' ? d : JL_NAN;
}

/* JavaScript's Number(value). */
static double to_number(const cJSON *v)
{
    switch (v == NULL ? cJSON_NULL : v->type & 0xFF) {
    case cJSON_True: return 1;
    case cJSON_False: return 0;
    case cJSON_Number: return v->valuedouble;
    case cJSON_String: return string_number(v->valuestring ? v->valuestring : "");
    case cJSON_Array: {
        char *s = ohc_jl_to_string(v, DEFAULT_MAX_STRING);
        double d = s ? string_number(s) : JL_NAN;
        free(s);
        return d;
    }
    case cJSON_Object: return JL_NAN;
    default: return 0; /* null */
    }
}

/* JavaScript's parseFloat(value), which "+" and "*" use in the reference implementation. */
static double parse_float(const cJSON *v)
{
    if (is_number(v))
        return v->valuedouble;
    if (!is_string(v) && !is_array(v))
        return JL_NAN;
    char *s = ohc_jl_to_string(v, DEFAULT_MAX_STRING);
    if (s == NULL)
        return JL_NAN;
    const char *p = s;
    while (isspace((unsigned char)*p))
        p++;
    char *end;
    double d = strtod(p, &end);
    /* strtod also reads hex and "nan"; parseFloat does not */
    if (end == p || (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) || isalpha((unsigned char)*p))
        d = strncmp(p, "Infinity", 8) == 0 ? HUGE_VAL : (end == p || isalpha((unsigned char)*p) ? JL_NAN : 0);
    free(s);
    return d;
}

static cJSON *make_number(jl *j, double d)
{
    cJSON *n = cJSON_CreateNumber(d);
    return n ? n : nomem(j);
}

static cJSON *make_bool(jl *j, int b)
{
    cJSON *n = cJSON_CreateBool(b);
    return n ? n : nomem(j);
}

/* Two arrays or objects are the same only when they share their contents (JavaScript compares references). */
static int same_container(const cJSON *a, const cJSON *b)
{
    return a->child != NULL && a->child == b->child;
}

static int strict_equal(const cJSON *a, const cJSON *b)
{
    int ta = a == NULL ? cJSON_NULL : a->type & 0xFF, tb = b == NULL ? cJSON_NULL : b->type & 0xFF;
    if (ta == cJSON_Invalid)
        ta = cJSON_NULL;
    if (tb == cJSON_Invalid)
        tb = cJSON_NULL;
    if (ta != tb)
        return 0;
    switch (ta) {
    case cJSON_Number: return a->valuedouble == b->valuedouble;
    case cJSON_String: return strcmp(a->valuestring, b->valuestring) == 0;
    case cJSON_Array:
    case cJSON_Object: return same_container(a, b);
    default: return 1;
    }
}

/* JavaScript's == (abstract equality), without undefined. */
static int loose_equal(const cJSON *a, const cJSON *b, int depth)
{
    int ta = is_null(a) ? cJSON_NULL : a->type & 0xFF, tb = is_null(b) ? cJSON_NULL : b->type & 0xFF;
    if (ta == cJSON_False)
        ta = cJSON_True; /* one "boolean" type */
    if (tb == cJSON_False)
        tb = cJSON_True;
    if (ta == tb)
        return strict_equal(a, b);
    if (ta == cJSON_NULL || tb == cJSON_NULL || depth > 4)
        return 0;
    if (ta == cJSON_True || tb == cJSON_True || (ta == cJSON_Number && tb == cJSON_String) ||
        (ta == cJSON_String && tb == cJSON_Number)) {
        if ((ta == cJSON_Array || ta == cJSON_Object) || (tb == cJSON_Array || tb == cJSON_Object)) {
            /* bool vs container: ToNumber(bool) == container */
            cJSON n;
            memset(&n, 0, sizeof n);
            n.type = cJSON_Number;
            n.valuedouble = ta == cJSON_True ? to_number(a) : to_number(b);
            return ta == cJSON_True ? loose_equal(&n, b, depth + 1) : loose_equal(a, &n, depth + 1);
        }
        double x = to_number(a), y = to_number(b);
        return x == y;
    }
    /* a container against a number or string: compare its primitive (text) */
    if (ta == cJSON_Array || ta == cJSON_Object || tb == cJSON_Array || tb == cJSON_Object) {
        if ((ta == cJSON_Array || ta == cJSON_Object) && (tb == cJSON_Array || tb == cJSON_Object))
            return 0;
        const cJSON *c = (ta == cJSON_Array || ta == cJSON_Object) ? a : b;
        const cJSON *p = c == a ? b : a;
        char *s = ohc_jl_to_string(c, DEFAULT_MAX_STRING);
        if (s == NULL)
            return 0;
        cJSON t;
        memset(&t, 0, sizeof t);
        t.type = cJSON_String;
        t.valuestring = s;
        int r = loose_equal(&t, p, depth + 1);
        free(s);
        return r;
    }
    return 0;
}

/* JavaScript's a < b (and friends): -1, 0, 1 as a compares to b, or 2 when unordered (NaN). */
static int compare(const cJSON *a, const cJSON *b)
{
    char *sa = NULL, *sb = NULL;
    const char *pa = NULL, *pb = NULL;
    if (is_string(a))
        pa = a->valuestring;
    else if (is_array(a) || is_object(a))
        pa = sa = ohc_jl_to_string(a, DEFAULT_MAX_STRING);
    if (is_string(b))
        pb = b->valuestring;
    else if (is_array(b) || is_object(b))
        pb = sb = ohc_jl_to_string(b, DEFAULT_MAX_STRING);
    int r;
    if (pa != NULL && pb != NULL) {
        int c = strcmp(pa, pb);
        r = c < 0 ? -1 : c > 0;
    } else {
        double x = pa ? string_number(pa) : to_number(a);
        double y = pb ? string_number(pb) : to_number(b);
        r = (jl_isnan(x) || jl_isnan(y)) ? 2 : (x < y ? -1 : x > y);
    }
    free(sa);
    free(sb);
    return r;
}

/* ---- var ------------------------------------------------------------------ */

/* Follows a dotted path ("a.b.0") from data. Returns the value (borrowed),
 * or NULL when a step does not exist. Each step is one unit of work. */
static const cJSON *lookup(jl *j, const cJSON *data, const char *path, int *found)
{
    *found = 1;
    if (path[0] == '\0')
        return data;
    const cJSON *cur = data;
    const char *p = path;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (is_null(cur) || step(j, 1) != 0) {
            *found = 0;
            return NULL;
        }
        /* walking a cJSON array is linear: an index costs in proportion */
        if (is_array(cur) && isdigit((unsigned char)p[0]) && step(j, strtoul(p, NULL, 10) / 64) != 0) {
            *found = 0;
            return NULL;
        }
        const cJSON *next = ohc_json_step(cur, p, n);
        if (next == NULL) {
            *found = 0;
            return NULL;
        }
        cur = next;
        if (dot == NULL)
            return cur;
        p = dot + 1;
    }
}

/* A var argument (string, number or null) as a path. Returns 0 and fills buf, or -1. */
static int path_of(jl *j, const cJSON *a, char *buf, size_t size)
{
    if (is_null(a)) {
        buf[0] = '\0';
        return 0;
    }
    if (is_string(a)) { /* the usual case: no conversion */
        size_t n = strlen(a->valuestring);
        if (n >= size)
            n = size - 1;
        memcpy(buf, a->valuestring, n);
        buf[n] = '\0';
        return 0;
    }
    char *s = ohc_jl_to_string(a, size);
    if (s == NULL) {
        nomem(j);
        return -1;
    }
    snprintf(buf, size, "%s", s);
    free(s);
    return 0;
}

/* ---- evaluation -------------------------------------------------------- */

static cJSON *eval(jl *j, const cJSON *logic, const cJSON *data, unsigned depth);
static size_t path_push(jl *j, const char *name, int idx);
static void path_pop(jl *j, size_t len);

/* Evaluates argument i of an operation, with "[i]" in the error path. */
static cJSON *eval_at(jl *j, const cJSON *args, int i, const cJSON *data, unsigned depth)
{
    size_t mark = path_push(j, NULL, i);
    cJSON *v = eval(j, cJSON_GetArrayItem(args, i), data, depth);
    path_pop(j, mark);
    return v;
}

typedef cJSON *(*op_fn)(jl *j, const cJSON *args, int argc, const cJSON *data, unsigned depth);

/* Evaluates every argument: a new array of results (owned). */
static cJSON *eval_args(jl *j, const cJSON *args, const cJSON *data, unsigned depth)
{
    cJSON *out = cJSON_CreateArray();
    if (out == NULL)
        return nomem(j);
    const cJSON *a;
    int i = 0;
    cJSON_ArrayForEach(a, args)
    {
        size_t mark = path_push(j, NULL, i++);
        cJSON *v = eval(j, a, data, depth + 1);
        path_pop(j, mark);
        if (v == NULL) {
            cJSON_Delete(out);
            return NULL;
        }
        cJSON_AddItemToArray(out, v);
    }
    return out;
}

static const cJSON *arg(const cJSON *args, int i)
{
    return cJSON_GetArrayItem(args, i);
}

static cJSON *op_var(jl *j, const cJSON *args, int argc, const cJSON *data, unsigned depth)
{
    (void)depth;
    char path[512];
    if (path_of(j, arg(args, 0), path, sizeof path) != 0)
        return NULL;
    int found;
    const cJSON *v = lookup(j, data, path, &found);
    if (j->failed)
        return NULL;
    if (!found)
        return argc > 1 ? ref_of(arg(args, 1)) : cJSON_CreateNull();
    cJSON *r = ref_of(v);
    return r ? r : nomem(j);
}

/* missing: the keys whose value is null or "" (json-logic-js). */
static cJSON *missing_of(jl *j, const cJSON *keys, const cJSON *data)
{
    cJSON *out = cJSON_CreateArray();
    if (out == NULL)
        return nomem(j);
    const cJSON *k;
    cJSON_ArrayForEach(k, keys)
    {
        char path[512];
        if (step(j, 1) != 0 || path_of(j, k, path, sizeof path) != 0) {
            cJSON_Delete(out);
            return NULL;
        }
        int found;
        const cJSON *v = lookup(j, data, path, &found);
        if (!found || is_null(v) || (is_string(v) && v->valuestring[0] == '\0')) {
            cJSON *r = ref_of(k);
            if (r == NULL) {
                cJSON_Delete(out);
                return nomem(j);
            }
            cJSON_AddItemToArray(out, r);
        }
    }
    return out;
}

static cJSON *op_missing(jl *j, const cJSON *args, int argc, const cJSON *data, unsigned depth)
{
    (void)depth;
    const cJSON *keys = argc > 0 && is_array(arg(args, 0)) ? arg(args, 0) : args;
    return missing_of(j, keys, data);
}

static cJSON *op_missing_some(jl *j, const cJSON *args, int argc, const cJSON *data, unsigned depth)
{
    (void)depth;
    (void)argc;
    double need = to_number(arg(args, 0));
    const cJSON *opts = arg(args, 1);
    if (!is_array(opts)) {
        fail(j, OHC_EINVAL, "missing_some needs [count, [keys]]");
        return NULL;
    }
    cJSON *miss = missing_of(j, opts, data);
    if (miss == NULL)
        return NULL;
    if ((double)(cJSON_GetArraySize(opts) - cJSON_GetArraySize(miss)) >= need) {
        cJSON_Delete(miss);
        cJSON *e = cJSON_CreateArray();
        return e ? e : nomem(j);
    }
    return miss;
}

static cJSON *op_if(jl *j, const cJSON *args, int argc, const cJSON *data, unsigned depth)
{
    int i = 0;
    for (; i + 1 < argc; i += 2) {
        cJSON *c = eval_at(j, args, i, data, depth + 1);
        if (c == NULL)
            return NULL;
        int t = ohc_jl_truthy(c);
        cJSON_Delete(c);
        if (t)
            return eval_at(j, args, i + 1, data, depth + 1);
    }
    if (i < argc)
        return eval_at(j, args, i, data, depth + 1);
    cJSON *n = cJSON_CreateNull();
    return n ? n : nomem(j);
}

static cJSON *op_and_or(jl *j, const cJSON *args, int argc, const cJSON *data, unsigned depth, int is_or)
{
    cJSON *v = NULL;
    for (int i = 0; i < argc; i++) {
        cJSON_Delete(v);
        v = eval_at(j, args, i, data, depth + 1);
        if (v == NULL)
            return NULL;
        if (ohc_jl_truthy(v) == is_or)
            return v;
    }
    if (v == NULL) {
        fail(j, OHC_EINVAL, "needs at least one argument");
        return NULL;
    }
    return v;
}

static cJSON *op_and(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    return op_and_or(j, a, n, d, depth, 0);
}
static cJSON *op_or(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    return op_and_or(j, a, n, d, depth, 1);
}

/* Evaluates the first argument of map/filter/...; a non-array counts as []. */
static cJSON *eval_array_arg(jl *j, const cJSON *args, const cJSON *data, unsigned depth)
{
    cJSON *v = eval_at(j, args, 0, data, depth + 1);
    if (v == NULL)
        return NULL;
    if (!is_array(v)) {
        cJSON_Delete(v);
        v = cJSON_CreateArray();
        if (v == NULL)
            return nomem(j);
    }
    return v;
}

enum { ITER_MAP, ITER_FILTER, ITER_ALL, ITER_SOME, ITER_NONE, ITER_COUNT };

static cJSON *iterate(jl *j, const cJSON *args, int argc, const cJSON *data, unsigned depth, int kind)
{
    cJSON *arr = eval_array_arg(j, args, data, depth);
    if (arr == NULL)
        return NULL;
    const cJSON *logic = argc > 1 ? arg(args, 1) : NULL;
    cJSON *out = NULL;
    if (kind == ITER_MAP || kind == ITER_FILTER) {
        out = cJSON_CreateArray();
        if (out == NULL) {
            cJSON_Delete(arr);
            return nomem(j);
        }
    }
    int any = 0, every = 1, count = 0, n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        n++;
        if (step(j, 1) != 0)
            goto error;
        if (kind == ITER_COUNT && logic == NULL) {
            count++;
            continue;
        }
        cJSON *v = eval_at(j, args, 1, e, depth + 1);
        if (v == NULL)
            goto error;
        if (kind == ITER_MAP) {
            cJSON_AddItemToArray(out, v);
            continue;
        }
        int t = ohc_jl_truthy(v);
        cJSON_Delete(v);
        if (kind == ITER_FILTER && t) {
            cJSON *r = ref_of(e);
            if (r == NULL) {
                nomem(j);
                goto error;
            }
            cJSON_AddItemToArray(out, r);
        }
        any |= t;
        every &= t;
        count += t;
        if ((kind == ITER_SOME || kind == ITER_NONE) && t)
            break;
        if (kind == ITER_ALL && !t)
            break;
    }
    keep(j, arr);
    if (j->failed) {
        cJSON_Delete(out);
        return NULL;
    }
    switch (kind) {
    case ITER_MAP:
    case ITER_FILTER: return out;
    case ITER_ALL: return make_bool(j, n > 0 && every);
    case ITER_SOME: return make_bool(j, any);
    case ITER_NONE: return make_bool(j, !any);
    default: return make_number(j, count);
    }
error:
    keep(j, arr);
    cJSON_Delete(out);
    return NULL;
}

static cJSON *op_map(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    return iterate(j, a, n, d, depth, ITER_MAP);
}
static cJSON *op_filter(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    return iterate(j, a, n, d, depth, ITER_FILTER);
}
static cJSON *op_all(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    return iterate(j, a, n, d, depth, ITER_ALL);
}
static cJSON *op_some(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    return iterate(j, a, n, d, depth, ITER_SOME);
}
static cJSON *op_none(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    return iterate(j, a, n, d, depth, ITER_NONE);
}
static cJSON *op_count(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    return iterate(j, a, n, d, depth, ITER_COUNT);
}

static cJSON *op_reduce(jl *j, const cJSON *args, int argc, const cJSON *data, unsigned depth)
{
    cJSON *arr = eval_array_arg(j, args, data, depth);
    if (arr == NULL)
        return NULL;
    keep(j, arr);
    cJSON *acc = argc > 2 ? eval_at(j, args, 2, data, depth + 1) : cJSON_CreateNull();
    if (acc == NULL)
        return j->failed ? NULL : nomem(j);
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        /* {"current", "accumulator"} is the data of each call; it is kept, as the
         * new accumulator may share it */
        cJSON *ctx = cJSON_CreateObject();
        cJSON *cur = ref_of(e);
        if (step(j, 1) != 0 || ctx == NULL || cur == NULL) {
            cJSON_Delete(ctx);
            cJSON_Delete(cur);
            cJSON_Delete(acc);
            return j->failed ? NULL : nomem(j);
        }
        cJSON_AddItemToObject(ctx, "current", cur);
        cJSON_AddItemToObject(ctx, "accumulator", acc);
        keep(j, ctx);
        acc = eval_at(j, args, 1, ctx, depth + 1);
        if (acc == NULL)
            return NULL;
    }
    return acc;
}

/* ---- eager operators: args are already evaluated ----------------------- */

static cJSON *op_eq(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)n;
    (void)d;
    (void)depth;
    return make_bool(j, loose_equal(arg(a, 0), arg(a, 1), 0));
}
static cJSON *op_ne(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)n;
    (void)d;
    (void)depth;
    return make_bool(j, !loose_equal(arg(a, 0), arg(a, 1), 0));
}
static cJSON *op_seq(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)n;
    (void)d;
    (void)depth;
    return make_bool(j, strict_equal(arg(a, 0), arg(a, 1)));
}
static cJSON *op_sne(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)n;
    (void)d;
    (void)depth;
    return make_bool(j, !strict_equal(arg(a, 0), arg(a, 1)));
}
static cJSON *op_not(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)n;
    (void)d;
    (void)depth;
    return make_bool(j, !ohc_jl_truthy(arg(a, 0)));
}
static cJSON *op_notnot(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)n;
    (void)d;
    (void)depth;
    return make_bool(j, ohc_jl_truthy(arg(a, 0)));
}

/* <, <=, >, >=: the 3-argument form (a < b < c) for < and <=. */
static cJSON *relational(jl *j, const cJSON *a, int n, int lt, int or_equal)
{
    int ok = 1;
    int pairs = (n >= 3 && lt) ? 2 : 1;
    for (int i = 0; i < pairs && ok; i++) {
        int c = compare(arg(a, i), arg(a, i + 1));
        if (c == 2)
            ok = 0;
        else if (lt)
            ok = or_equal ? c <= 0 : c < 0;
        else
            ok = or_equal ? c >= 0 : c > 0;
    }
    return make_bool(j, ok);
}
static cJSON *op_lt(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)d;
    (void)depth;
    return relational(j, a, n, 1, 0);
}
static cJSON *op_le(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)d;
    (void)depth;
    return relational(j, a, n, 1, 1);
}
static cJSON *op_gt(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)d;
    (void)depth;
    return relational(j, a, n, 0, 0);
}
static cJSON *op_ge(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)d;
    (void)depth;
    return relational(j, a, n, 0, 1);
}

static cJSON *op_minmax(jl *j, const cJSON *a, int n, int is_max)
{
    if (n == 0)
        return cJSON_CreateNull(); /* Math.max() is -Infinity, which JSON cannot hold */
    double best = is_max ? -HUGE_VAL : HUGE_VAL;
    const cJSON *e;
    cJSON_ArrayForEach(e, a)
    {
        double x = to_number(e);
        if (jl_isnan(x))
            return cJSON_CreateNull();
        if (is_max ? x > best : x < best)
            best = x;
    }
    return make_number(j, best);
}
static cJSON *op_max(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)d;
    (void)depth;
    return op_minmax(j, a, n, 1);
}
static cJSON *op_min(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)d;
    (void)depth;
    return op_minmax(j, a, n, 0);
}

static cJSON *number_or_null(jl *j, double x)
{
    if (jl_isnan(x) || jl_isinf(x)) {
        cJSON *n = cJSON_CreateNull();
        return n ? n : nomem(j);
    }
    return make_number(j, x);
}

static cJSON *op_add(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)n;
    (void)d;
    (void)depth;
    double s = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, a) s += parse_float(e);
    return number_or_null(j, s);
}
static cJSON *op_mul(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)d;
    (void)depth;
    double p = 1;
    const cJSON *e;
    cJSON_ArrayForEach(e, a) p *= parse_float(e);
    return number_or_null(j, n == 0 ? JL_NAN : p);
}
static cJSON *op_sub(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)d;
    (void)depth;
    return number_or_null(j, n == 1 ? -to_number(arg(a, 0)) : to_number(arg(a, 0)) - to_number(arg(a, 1)));
}
static cJSON *op_div(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)n;
    (void)d;
    (void)depth;
    return number_or_null(j, to_number(arg(a, 0)) / to_number(arg(a, 1)));
}
static cJSON *op_mod(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)n;
    (void)d;
    (void)depth;
    return number_or_null(j, fmod(to_number(arg(a, 0)), to_number(arg(a, 1))));
}

static cJSON *op_merge(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)n;
    (void)d;
    (void)depth;
    cJSON *out = cJSON_CreateArray();
    if (out == NULL)
        return nomem(j);
    const cJSON *e;
    cJSON_ArrayForEach(e, a)
    {
        const cJSON *items = is_array(e) ? e : NULL;
        const cJSON *x;
        if (items == NULL) {
            cJSON *r = ref_of(e);
            if (r == NULL || step(j, 1) != 0) {
                cJSON_Delete(r);
                cJSON_Delete(out);
                return j->failed ? NULL : nomem(j);
            }
            cJSON_AddItemToArray(out, r);
            continue;
        }
        cJSON_ArrayForEach(x, items)
        {
            cJSON *r = ref_of(x);
            if (r == NULL || step(j, 1) != 0) {
                cJSON_Delete(r);
                cJSON_Delete(out);
                return j->failed ? NULL : nomem(j);
            }
            cJSON_AddItemToArray(out, r);
        }
    }
    return out;
}

static cJSON *op_in(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)n;
    (void)d;
    (void)depth;
    const cJSON *needle = arg(a, 0), *hay = arg(a, 1);
    if (is_string(hay)) {
        char *s = ohc_jl_to_string(needle, j->max_string);
        if (s == NULL)
            return nomem(j);
        if (step(j, 1 + strlen(hay->valuestring) / 64) != 0) {
            free(s);
            return NULL;
        }
        int r = strstr(hay->valuestring, s) != NULL;
        free(s);
        return make_bool(j, r);
    }
    if (is_array(hay)) {
        const cJSON *e;
        cJSON_ArrayForEach(e, hay)
        {
            if (step(j, 1) != 0)
                return NULL;
            if (strict_equal(e, needle))
                return make_bool(j, 1);
        }
    }
    return make_bool(j, 0);
}

static cJSON *make_string(jl *j, ohc_strbuf *sb)
{
    ohc_strbuf_append(sb, "");
    if (ohc_strbuf_failed(sb)) {
        ohc_strbuf_free(sb);
        return nomem(j);
    }
    if (sb->len > j->max_string) {
        ohc_strbuf_free(sb);
        fail(j, OHC_ELIMIT, "string longer than %zu bytes", j->max_string);
        return NULL;
    }
    cJSON *s = cJSON_CreateString(ohc_strbuf_str(sb));
    ohc_strbuf_free(sb);
    return s ? s : nomem(j);
}

static cJSON *op_cat(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)n;
    (void)d;
    (void)depth;
    ohc_strbuf sb = OHC_STRBUF_INIT;
    const cJSON *e;
    cJSON_ArrayForEach(e, a)
    {
        append_string(&sb, e, 0);
        if (sb.len > j->max_string || step(j, 1 + sb.len / 256) != 0)
            break;
    }
    if (j->failed) {
        ohc_strbuf_free(&sb);
        return NULL;
    }
    return make_string(j, &sb);
}

/* Code points, so that a UTF-8 character is never cut. */
static size_t utf8_count(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static const char *utf8_skip(const char *s, size_t cps)
{
    while (*s && cps > 0) {
        s++;
        while (((unsigned char)*s & 0xC0) == 0x80)
            s++;
        cps--;
    }
    return s;
}

static cJSON *op_substr(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)d;
    (void)depth;
    char *s = ohc_jl_to_string(arg(a, 0), j->max_string);
    if (s == NULL)
        return nomem(j);
    double len = (double)utf8_count(s);
    double start = n > 1 ? to_number(arg(a, 1)) : 0;
    if (jl_isnan(start))
        start = 0;
    start = trunc(start);
    if (start < 0)
        start = fmax(0, len + start);
    if (start > len)
        start = len;
    double count = len - start;
    if (n > 2) {
        double l = trunc(to_number(arg(a, 2)));
        if (jl_isnan(l))
            l = 0;
        count = l < 0 ? fmax(0, len - start + l) : fmin(l, len - start);
    }
    const char *from = utf8_skip(s, (size_t)start);
    const char *to = utf8_skip(from, (size_t)count);
    ohc_strbuf sb = OHC_STRBUF_INIT;
    ohc_strbuf_append_len(&sb, from, (size_t)(to - from));
    free(s);
    return make_string(j, &sb);
}

/* ---- extensions -------------------------------------------------------- */

static int to_u32(const cJSON *v, uint32_t *out)
{
    double x = to_number(v);
    if (jl_isnan(x) || x < 0 || x > 4294967295.0 || x != floor(x))
        return -1;
    *out = (uint32_t)x;
    return 0;
}

static cJSON *op_band(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)n;
    (void)d;
    (void)depth;
    uint32_t x, y;
    if (to_u32(arg(a, 0), &x) != 0 || to_u32(arg(a, 1), &y) != 0) {
        cJSON *r = cJSON_CreateNull(); /* not unsigned 32-bit numbers */
        return r ? r : nomem(j);
    }
    return make_number(j, (double)(x & y));
}

static cJSON *op_hex(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)n;
    (void)d;
    (void)depth;
    const cJSON *v = arg(a, 0);
    if (is_number(v))
        return make_number(j, v->valuedouble);
    if (is_string(v)) {
        const char *s = v->valuestring;
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
            s += 2;
        size_t len = strlen(s);
        if (len > 0 && len <= 16 && strspn(s, "0123456789abcdefABCDEF") == len)
            return make_number(j, (double)strtoull(s, NULL, 16));
    }
    cJSON *r = cJSON_CreateNull();
    return r ? r : nomem(j);
}

static int ascii_icontains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++) {
        size_t i = 0;
        while (i < n && p[i] && tolower((unsigned char)p[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return 1;
    }
    return n == 0;
}

static cJSON *op_ieq(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)n;
    (void)d;
    (void)depth;
    const cJSON *x = arg(a, 0), *y = arg(a, 1);
    return make_bool(j, is_string(x) && is_string(y) && ohc_ascii_ieq(x->valuestring, y->valuestring));
}

static cJSON *op_icontains(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)n;
    (void)d;
    (void)depth;
    const cJSON *hay = arg(a, 0), *needle = arg(a, 1);
    if (!is_string(needle))
        return make_bool(j, 0);
    if (is_string(hay)) {
        if (step(j, 1 + strlen(hay->valuestring) / 16) != 0)
            return NULL;
        return make_bool(j, ascii_icontains(hay->valuestring, needle->valuestring));
    }
    const cJSON *e;
    if (is_array(hay))
        cJSON_ArrayForEach(e, hay)
        {
            if (step(j, 1) != 0)
                return NULL;
            if (is_string(e) && ohc_ascii_ieq(e->valuestring, needle->valuestring))
                return make_bool(j, 1);
        }
    return make_bool(j, 0);
}

static cJSON *op_hours_since(jl *j, const cJSON *a, int n, const cJSON *d, unsigned depth)
{
    (void)n;
    (void)d;
    (void)depth;
    const cJSON *v = arg(a, 0);
    int64_t t;
    if (!is_string(v) || ohc_civil_parse_rfc3339(&t, v->valuestring, 0) != OHC_OK) {
        cJSON *r = cJSON_CreateNull();
        return r ? r : nomem(j);
    }
    return make_number(j, (double)(j->now_ms - t) / 3600000.0);
}

/* ---- operator table ------------------------------------------------------- */

static const struct op {
    const char *name;
    op_fn fn;
    int min_args, max_args; /* -1: no maximum */
    int lazy; /* gets its arguments unevaluated */
} ops[] = {
    {"var", op_var, 0, 2, 0},
    {"missing", op_missing, 0, -1, 0},
    {"missing_some", op_missing_some, 2, 2, 0},
    {"if", op_if, 0, -1, 1},
    {"?:", op_if, 0, -1, 1},
    {"==", op_eq, 2, 2, 0},
    {"===", op_seq, 2, 2, 0},
    {"!=", op_ne, 2, 2, 0},
    {"!==", op_sne, 2, 2, 0},
    {"!", op_not, 1, 1, 0},
    {"!!", op_notnot, 1, 1, 0},
    {"or", op_or, 1, -1, 1},
    {"and", op_and, 1, -1, 1},
    {">", op_gt, 2, 2, 0},
    {">=", op_ge, 2, 2, 0},
    {"<", op_lt, 2, 3, 0},
    {"<=", op_le, 2, 3, 0},
    {"max", op_max, 0, -1, 0},
    {"min", op_min, 0, -1, 0},
    {"+", op_add, 0, -1, 0},
    {"-", op_sub, 1, 2, 0},
    {"*", op_mul, 1, -1, 0},
    {"/", op_div, 2, 2, 0},
    {"%", op_mod, 2, 2, 0},
    {"map", op_map, 2, 2, 1},
    {"filter", op_filter, 2, 2, 1},
    {"reduce", op_reduce, 2, 3, 1},
    {"all", op_all, 2, 2, 1},
    {"none", op_none, 2, 2, 1},
    {"some", op_some, 2, 2, 1},
    {"merge", op_merge, 0, -1, 0},
    {"in", op_in, 2, 2, 0},
    {"cat", op_cat, 0, -1, 0},
    {"substr", op_substr, 1, 3, 0},
    /* extensions */
    {"band", op_band, 2, 2, 0},
    {"hex", op_hex, 1, 1, 0},
    {"count", op_count, 1, 2, 1},
    {"ieq", op_ieq, 2, 2, 0},
    {"icontains", op_icontains, 2, 2, 0},
    {"hours_since", op_hours_since, 1, 1, 0},
};

static const struct op *find_op(const char *name)
{
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (ops[i].name[0] == name[0] && strcmp(ops[i].name, name) == 0)
            return &ops[i];
    return NULL;
}

/* The path grows while descending so errors say where they happened. */
static size_t path_push(jl *j, const char *name, int idx)
{
    size_t len = strlen(j->path), room = sizeof j->path - len - 1;
    char *p = j->path + len;
    if (name != NULL) { /* hot: no printf */
        size_t n = strlen(name);
        if (len > 0 && room > 0) {
            *p++ = '.';
            room--;
        }
        if (n > room)
            n = room;
        memcpy(p, name, n);
        p[n] = '\0';
    } else if (room >= 12) {
        char digits[12];
        int n = 0;
        unsigned u = idx < 0 ? 0u : (unsigned)idx;
        do
            digits[n++] = (char)('0' + u % 10);
        while ((u /= 10) != 0);
        *p++ = '[';
        while (n > 0)
            *p++ = digits[--n];
        *p++ = ']';
        *p = '\0';
    }
    return len;
}

static void path_pop(jl *j, size_t len)
{
    if (!j->failed)
        j->path[len] = '\0';
}

static cJSON *eval(jl *j, const cJSON *logic, const cJSON *data, unsigned depth)
{
    if (j->failed)
        return NULL;
    if (depth > j->max_depth) {
        fail(j, OHC_ELIMIT, "rule nested deeper than %u levels", j->max_depth);
        return NULL;
    }
    if (step(j, 1) != 0)
        return NULL;
    if (is_array(logic))
        return eval_args(j, logic, data, depth); /* an array literal: its elements are evaluated */
    if (!is_object(logic) || logic->child == NULL || logic->child->next != NULL) {
        cJSON *r = ref_of(logic); /* a literal (an object that is not one operation is data too) */
        return r ? r : nomem(j);
    }
    const cJSON *node = logic->child;
    const struct op *op = find_op(node->string);
    size_t mark = path_push(j, node->string, 0);
    if (op == NULL) {
        fail(j, OHC_EINVAL, "unknown operator '%s'", node->string);
        return NULL;
    }
    /* {"op": x} is {"op": [x]} */
    cJSON *wrapped = NULL;
    const cJSON *args = node;
    if (!is_array(node)) {
        wrapped = cJSON_CreateArray();
        cJSON *r = ref_of(node);
        if (wrapped == NULL || r == NULL) {
            cJSON_Delete(wrapped);
            cJSON_Delete(r);
            return nomem(j);
        }
        cJSON_AddItemToArray(wrapped, r);
        args = wrapped;
    }
    int argc = cJSON_GetArraySize(args);
    cJSON *result = NULL;
    if (argc < op->min_args || (op->max_args >= 0 && argc > op->max_args)) {
        fail(j, OHC_EINVAL, "wrong number of arguments for '%s'", op->name);
    } else if (op->lazy) {
        result = op->fn(j, args, argc, data, depth);
    } else {
        cJSON *vals = eval_args(j, args, data, depth);
        if (vals != NULL)
            result = op->fn(j, vals, argc, data, depth);
        keep(j, vals);
    }
    keep(j, wrapped);
    if (result == NULL && !j->failed)
        nomem(j);
    path_pop(j, mark);
    return result;
}

static void init(jl *j, const ohc_jl_options *o, ohc_error *err)
{
    memset(j, 0, sizeof *j);
    j->max_depth = o && o->max_depth ? o->max_depth : DEFAULT_MAX_DEPTH;
    j->max_steps = o && o->max_steps ? o->max_steps : DEFAULT_MAX_STEPS;
    j->max_string = o && o->max_string ? o->max_string : DEFAULT_MAX_STRING;
    j->now_ms = o && o->now_ms ? o->now_ms : ohc_os_utc_now_ms();
    j->err = err;
}

/* Ends an evaluation: frees the parked intermediates. When `result` may share
 * them, it is first replaced by a deep copy. */
static cJSON *finish(jl *j, cJSON *result)
{
    if (result != NULL && j->keep != NULL && (is_array(result) || is_object(result) || is_string(result))) {
        cJSON *copy = cJSON_Duplicate(result, 1);
        cJSON_Delete(result);
        result = copy;
        if (result == NULL)
            nomem(j);
    }
    cJSON_Delete(j->keep);
    j->keep = NULL;
    if (j->failed) {
        cJSON_Delete(result);
        return NULL;
    }
    return result;
}

int ohc_jl_apply(cJSON **out, const cJSON *logic, const cJSON *data, const ohc_jl_options *opts, ohc_error *err)
{
    jl j;
    init(&j, opts, err);
    *out = finish(&j, eval(&j, logic, data, 0));
    if (*out == NULL) {
        if (!j.failed)
            fail(&j, OHC_ENOMEM, "out of memory");
        return j.failed;
    }
    return OHC_OK;
}

int ohc_jl_test(int *out, const cJSON *logic, const cJSON *data, const ohc_jl_options *opts, ohc_error *err)
{
    jl j;
    init(&j, opts, err);
    *out = 0;
    cJSON *v = eval(&j, logic, data, 0);
    *out = ohc_jl_truthy(v);
    cJSON_Delete(v);
    cJSON_Delete(j.keep);
    if (j.failed) {
        *out = 0;
        return j.failed;
    }
    if (v == NULL)
        return ohc_error_set(err, OHC_ENOMEM, 0, "out of memory");
    return OHC_OK;
}

static int check(jl *j, const cJSON *logic, unsigned depth)
{
    if (depth > j->max_depth) {
        return fail(j, OHC_ELIMIT, "rule nested deeper than %u levels", j->max_depth);
    }
    if (is_array(logic)) {
        const cJSON *e;
        int i = 0;
        cJSON_ArrayForEach(e, logic)
        {
            size_t mark = path_push(j, NULL, i++);
            if (check(j, e, depth + 1) != 0)
                return j->failed;
            path_pop(j, mark);
        }
        return 0;
    }
    if (!is_object(logic))
        return 0;
    if (logic->child == NULL || logic->child->next != NULL)
        return fail(j, OHC_EINVAL, "an object must hold exactly one operator, this one has %s keys",
                    logic->child == NULL ? "no" : "several");
    const cJSON *node = logic->child;
    size_t mark = path_push(j, node->string, 0);
    const struct op *op = find_op(node->string);
    if (op == NULL)
        return fail(j, OHC_EINVAL, "unknown operator '%s'", node->string);
    int argc = is_array(node) ? cJSON_GetArraySize(node) : 1;
    if (argc < op->min_args || (op->max_args >= 0 && argc > op->max_args)) {
        char msg[96];
        if (op->max_args < 0)
            snprintf(msg, sizeof msg, "'%s' takes at least %d argument(s), not %d", op->name, op->min_args, argc);
        else if (op->min_args == op->max_args)
            snprintf(msg, sizeof msg, "'%s' takes %d argument(s), not %d", op->name, op->min_args, argc);
        else
            snprintf(msg, sizeof msg, "'%s' takes %d to %d arguments, not %d", op->name, op->min_args, op->max_args,
                     argc);
        return fail(j, OHC_EINVAL, "%s", msg);
    }
    if (is_array(node)) {
        const cJSON *e;
        int i = 0;
        cJSON_ArrayForEach(e, node)
        {
            size_t m2 = path_push(j, NULL, i++);
            if (check(j, e, depth + 1) != 0)
                return j->failed;
            path_pop(j, m2);
        }
    } else if (check(j, node, depth + 1) != 0) {
        return j->failed;
    }
    path_pop(j, mark);
    return 0;
}

int ohc_jl_check(const cJSON *logic, const ohc_jl_options *opts, ohc_error *err)
{
    jl j;
    init(&j, opts, err);
    return check(&j, logic, 0) ? j.failed : OHC_OK;
}

const cJSON *ohc_jl_get(const cJSON *data, const char *path)
{
    jl j;
    init(&j, NULL, NULL);
    int found;
    const cJSON *v = lookup(&j, data, path ? path : "", &found);
    return found ? v : NULL;
}
