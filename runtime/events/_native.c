/* Native core of the event matcher (tamis.runtime.events._native).
 *
 * The pure-Python matcher (runtime/events/matcher.py, field_index.py, intervals.py, walker.py) is the
 * definition; this module runs the same per-event steps without the interpreter's per-field overhead.
 * It keeps no state: every call receives the live tables the matcher keeps.
 *
 * THE LAYOUT OF THOSE TABLES IS DECLARED IN runtime/events/native.py (its docstring, field by field, and
 * the functions that build them); the enums below (T_*, E_*, S_*, N_*, R_*, Q_*, I_*) are positions in
 * those tuples and must follow it. Each function here names its Python twin.
 *
 * The tables change while other threads match (runtime/events/matcher.py: the sequence lock). Python code
 * called from here (string finders, fallback evaluators) may let a writer run, so every object used after
 * such a call is held by a strong reference; the matcher retries a match that overlapped a change.
 *
 * Per event nothing is allocated beyond the result sets, probe keys, array trails and the output.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static PyObject *empty_tuple; /* the `trail` of values outside any array */

/* Add every id of a tuple to the set. */
static int add_all(PyObject *set, PyObject *ids)
{
    if (ids == NULL || ids == Py_None)
        return 0;
    Py_ssize_t n = PyTuple_GET_SIZE(ids);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (PySet_Add(set, PyTuple_GET_ITEM(ids, i)) < 0)
            return -1;
    }
    return 0;
}

/* table[key] for a {str: ...} table, or NULL (an error set only for an unhashable key). A str of a fresh
 * event has no hash yet: against a table of a few texts, comparing them costs less than hashing it. */
#define FEW_TEXTS 4
static PyObject *text_lookup(PyObject *table, PyObject *key)
{
    if (PyUnicode_CheckExact(key) && PyDict_GET_SIZE(table) <= FEW_TEXTS &&
        ((PyASCIIObject *)key)->hash == -1) {
        Py_ssize_t pos = 0, len = PyUnicode_GET_LENGTH(key);
        PyObject *k, *v;
        while (PyDict_Next(table, &pos, &k, &v)) {
            if (!PyUnicode_CheckExact(k))
                return PyDict_GetItemWithError(table, key); /* not a table of texts */
            if (PyUnicode_GET_LENGTH(k) == len && PyUnicode_KIND(k) == PyUnicode_KIND(key) &&
                memcmp(PyUnicode_DATA(k), PyUnicode_DATA(key), (size_t)(len * PyUnicode_KIND(key))) == 0)
                return v;
        }
        return NULL;
    }
    return PyDict_GetItemWithError(table, key);
}

/* Probe a {value: ids} table and add the ids found; an unhashable value raises, as dict.get does. */
static int probe_add(PyObject *table, PyObject *key, PyObject *out)
{
    PyObject *hit = text_lookup(table, key);
    if (hit == NULL)
        return PyErr_Occurred() ? -1 : 0;
    return add_all(out, hit);
}

/* Prefix or suffix tables (AFFIX in native.py); twin of string_tests.AffixTables.find. */
static int affix_find(PyObject *groups, PyObject *s, int suffix, PyObject *out)
{
    Py_ssize_t size = PyUnicode_GET_LENGTH(s);
    if (size == 0)
        return 0;
    PyObject *key = PyUnicode_FromOrdinal(PyUnicode_READ_CHAR(s, suffix ? size - 1 : 0));
    if (key == NULL)
        return -1;
    PyObject *tables = PyDict_GetItemWithError(groups, key);
    Py_DECREF(key);
    if (tables == NULL)
        return PyErr_Occurred() ? -1 : 0;
    Py_ssize_t count = PyTuple_GET_SIZE(tables);
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *pair = PyTuple_GET_ITEM(tables, i);
        Py_ssize_t n = PyLong_AsSsize_t(PyTuple_GET_ITEM(pair, 0));
        if (n > size)
            break;
        PyObject *table = PyTuple_GET_ITEM(pair, 1);
        if (PyDict_GET_SIZE(table) == 1) {
            /* One text of this length (the usual case): compare in place instead of slicing and hashing. */
            Py_ssize_t pos = 0;
            PyObject *text, *ids;
            if (!PyDict_Next(table, &pos, &text, &ids))
                continue;
            Py_ssize_t hit = PyUnicode_Tailmatch(s, text, 0, PY_SSIZE_T_MAX, suffix ? 1 : -1);
            if (hit < 0 || (hit == 1 && add_all(out, ids) < 0))
                return -1;
            continue;
        }
        PyObject *seg = n == size ? (Py_INCREF(s), s)
                                  : PyUnicode_Substring(s, suffix ? size - n : 0, suffix ? size : n);
        if (seg == NULL)
            return -1;
        int rc = probe_add(table, seg, out);
        Py_DECREF(seg);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* Positions in a field's SPEC tuple and in its NUMBERS tuple (native.index_spec, native.number_tables),
 * and in an interval tree NODE (intervals.py). */
enum { S_EXACT, S_PREFIX, S_SUFFIX, S_AB_EXCL, S_AB_ALL, S_ALWAYS, S_TRUE, S_FALSE, S_NULL, S_FINDERS,
       S_NUMBERS, S_FALLBACK, S_IP, S_SIZE };
enum { P_HEX, P_V4, P_V6, P_OWNER };
enum { N_EXACT, N_TREES, N_ADDED, N_REMOVED, N_AB_EXCL };
enum { I_CENTER, I_LOWS, I_LOW_INCS, I_LOW_IDS, I_HIGHS, I_HIGH_INCS, I_HIGH_IDS, I_LEFT, I_RIGHT, I_FLAT };

static PyObject *float_seen; /* FLOAT_SEEN of field_index.py: floats met a numeric test */

static int call2(PyObject *fn, PyObject *a, PyObject *b)
{
    PyObject *args[2] = {a, b};
    PyObject *r = PyObject_Vectorcall(fn, args, 2, NULL);
    if (r == NULL)
        return -1;
    Py_DECREF(r);
    return 0;
}

static int set_or(PyObject *set, PyObject *other)
{
    if (PySet_GET_SIZE(other) == 0)
        return 0;
    PyObject *r = PyNumber_InPlaceOr(set, other);
    if (r == NULL)
        return -1;
    Py_DECREF(r);
    return 0;
}

/* The anything-but ids a value meets (Exclusions.kept of runtime/events/exclusions.py): `entry` is the
 * value's (excluded, kept) in BY_VALUE, or NULL when no anything-but excludes it. Whole-set operations:
 * the sets are changed in place by `add` and `remove`, never while one of these runs. */
static int add_kept(PyObject *out, PyObject *all, PyObject *entry)
{
    if (entry == NULL)
        return set_or(out, all);
    PyObject *kept = PyTuple_GET_ITEM(entry, 1);
    if (kept != Py_None)
        return set_or(out, kept);
    if (PySet_GET_SIZE(all) == 0)
        return 0;
    PyObject *diff = PyNumber_Subtract(all, PyTuple_GET_ITEM(entry, 0));
    if (diff == NULL)
        return -1;
    int rc = set_or(out, diff);
    Py_DECREF(diff);
    return rc;
}

static double dbl(PyObject *f) { return PyFloat_AS_DOUBLE(f); }

/* A stabbing key: a double (numeric ranges) or a fixed-width hex str (address blocks, ipaddr.ip_hex);
 * interval ends are of the same kind. */
typedef struct {
    double d;
    PyObject *text; /* NULL for a double */
} Key;

/* The sign of (end - key). */
static inline int cmp_end(PyObject *end, const Key *k)
{
    if (k->text == NULL) {
        double e = dbl(end);
        return (e > k->d) - (e < k->d);
    }
    return PyUnicode_Compare(end, k->text); /* both exact str: no error */
}

/* Whether the interval [lo, hi] (ends inclusive as flagged) contains the key. */
static inline int holds_key(PyObject *lo, PyObject *lo_inc, PyObject *hi, PyObject *hi_inc, const Key *k)
{
    int a = cmp_end(lo, k), b = cmp_end(hi, k);
    return (a < 0 || (a == 0 && lo_inc == Py_True)) && (b > 0 || (b == 0 && hi_inc == Py_True));
}

static int add_unless_removed(PyObject *out, PyObject *id, PyObject *removed)
{
    int gone = PySet_GET_SIZE(removed) ? PySet_Contains(removed, id) : 0;
    return gone < 0 || (!gone && PySet_Add(out, id) < 0) ? -1 : 0;
}

/* Stab an interval tree NODE with a key: twin of intervals.stab_tree (Intervals.stab calls it per tree).
 * Ids in `removed` are skipped (Intervals.stab). */
static int stab_tree(PyObject *node, const Key *k, PyObject *removed, PyObject *out)
{
    while (node != Py_None) {
        PyObject *lows = PyTuple_GET_ITEM(node, I_LOWS), *low_incs = PyTuple_GET_ITEM(node, I_LOW_INCS);
        PyObject *low_ids = PyTuple_GET_ITEM(node, I_LOW_IDS), *highs = PyTuple_GET_ITEM(node, I_HIGHS);
        PyObject *high_incs = PyTuple_GET_ITEM(node, I_HIGH_INCS), *high_ids = PyTuple_GET_ITEM(node, I_HIGH_IDS);
        Py_ssize_t n = PyTuple_GET_SIZE(lows);
        PyObject *hit_ids = NULL;
        Py_ssize_t to = 0; /* report hit_ids[:to] */
        if (PyTuple_GET_ITEM(node, I_FLAT) == Py_True) {
            for (Py_ssize_t i = 0; i < n; i++) {
                if (holds_key(PyTuple_GET_ITEM(lows, i), PyTuple_GET_ITEM(low_incs, i), PyTuple_GET_ITEM(highs, i),
                              PyTuple_GET_ITEM(high_incs, i), k) &&
                    add_unless_removed(out, PyTuple_GET_ITEM(low_ids, i), removed) < 0)
                    return -1;
            }
            return 0;
        }
        int side = cmp_end(PyTuple_GET_ITEM(node, I_CENTER), k); /* > 0: the key is below the center */
        PyObject *next = Py_None;
        if (side > 0) {
            while (to < n) {
                int c = cmp_end(PyTuple_GET_ITEM(lows, to), k);
                if (c < 0 || (c == 0 && PyTuple_GET_ITEM(low_incs, to) == Py_True))
                    to++;
                else
                    break;
            }
            hit_ids = low_ids;
            next = PyTuple_GET_ITEM(node, I_LEFT);
        }
        else if (side < 0) {
            while (to < n) {
                int c = cmp_end(PyTuple_GET_ITEM(highs, to), k);
                if (c > 0 || (c == 0 && PyTuple_GET_ITEM(high_incs, to) == Py_True))
                    to++;
                else
                    break;
            }
            hit_ids = high_ids;
            next = PyTuple_GET_ITEM(node, I_RIGHT);
        }
        else {
            hit_ids = low_ids;
            to = n;
        }
        for (Py_ssize_t i = 0; i < to; i++) {
            if (add_unless_removed(out, PyTuple_GET_ITEM(hit_ids, i), removed) < 0)
                return -1;
        }
        node = next;
    }
    return 0;
}

/* Stab RANGES = (trees, added, removed) (Intervals.stab): the trees, then the intervals in no tree yet. */
static int stab_ranges(PyObject *trees, PyObject *added, PyObject *removed, const Key *k, PyObject *out)
{
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(trees); i++) {
        if (stab_tree(PyTuple_GET_ITEM(trees, i), k, removed, out) < 0)
            return -1;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(added); i++) {
        PyObject *item = PyTuple_GET_ITEM(added, i); /* (low, low_inc, high, high_inc, id) */
        if (holds_key(PyTuple_GET_ITEM(item, 0), PyTuple_GET_ITEM(item, 1), PyTuple_GET_ITEM(item, 2),
                      PyTuple_GET_ITEM(item, 3), k) &&
            PySet_Add(out, PyTuple_GET_ITEM(item, 4)) < 0)
            return -1;
    }
    return 0;
}

/* An int as the double that holds it exactly: 1 (and *d), 0 when beyond 2**53 (it may have no double of
 * its own: the Python evaluator decides it), -1 on error. */
static int int_double(PyObject *v, double *d)
{
    int overflow;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (x == -1 && PyErr_Occurred())
        return -1;
    if (overflow || x > 9007199254740992LL || x < -9007199254740992LL)
        return 0;
    *d = (double)x;
    return 1;
}

/* Numbers (NUMBERS in native.py): returns 1 when decided here, 0 when the fallback must decide, -1 on
 * error. The numeric branch of FieldIndex.evaluate; *excl is set to the value's BY_VALUE entry, if any. */
static int evaluate_number(PyObject *numbers, PyObject *v, PyObject *out, PyObject **excl)
{
    double d;
    if (PyLong_CheckExact(v)) {
        int exact = int_double(v, &d);
        if (exact <= 0)
            return exact;
    }
    else if (PyFloat_CheckExact(v)) {
        d = PyFloat_AS_DOUBLE(v);
        if (!isfinite(d) || (d != 0.0 && fabs(d) < DBL_MIN))
            return 0; /* not a number to the services, or subnormal: the Python evaluator decides */
        if (d == 0.0)
            d = 0.0; /* -0.0 and 0.0 are one value */
        PyObject *mark = PyTuple_Pack(2, float_seen, v);
        if (mark == NULL)
            return -1;
        int rc = PySet_Add(out, float_seen) < 0 || PySet_Add(out, mark) < 0 ? -1 : 0;
        Py_DECREF(mark);
        if (rc < 0)
            return -1;
    }
    else {
        return 0;
    }
    PyObject *exact = PyTuple_GET_ITEM(numbers, N_EXACT), *ab_excl = PyTuple_GET_ITEM(numbers, N_AB_EXCL);
    PyObject *key = NULL; /* a float object only for the tables probed by value */
    if (exact != Py_None || ab_excl != Py_None) {
        key = PyFloat_FromDouble(d);
        if (key == NULL)
            return -1;
    }
    int rc = 0;
    if (exact != Py_None)
        rc = probe_add(exact, key, out);
    Key k = {d, NULL};
    if (rc == 0)
        rc = stab_ranges(PyTuple_GET_ITEM(numbers, N_TREES), PyTuple_GET_ITEM(numbers, N_ADDED),
                         PyTuple_GET_ITEM(numbers, N_REMOVED), &k, out);
    if (rc == 0 && ab_excl != Py_None) {
        PyObject *hit = PyDict_GetItemWithError(ab_excl, key);
        if (hit != NULL)
            *excl = hit;
        else if (PyErr_Occurred())
            rc = -1;
    }
    Py_XDECREF(key);
    return rc < 0 ? -1 : 1;
}

/* Whether str `s` has a lone surrogate (which the services see as "?", string_tests.utf8_safe). */
static int has_surrogate(PyObject *s)
{
    int kind = PyUnicode_KIND(s);
    if (kind == PyUnicode_1BYTE_KIND)
        return 0;
    const void *data = PyUnicode_DATA(s);
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(s); i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c >= 0xD800 && c <= 0xDFFF)
            return 1;
    }
    return 0;
}

/* `v` as the services see it (a new reference): each lone surrogate "?" (string_tests.utf8_safe). */
static PyObject *utf8_safe(PyObject *v)
{
    if (!has_surrogate(v))
        return Py_NewRef(v);
    PyObject *b = PyUnicode_AsEncodedString(v, "utf-8", "replace");
    PyObject *s = b == NULL ? NULL : PyUnicode_DecodeUTF8(PyBytes_AS_STRING(b), PyBytes_GET_SIZE(b), NULL);
    Py_XDECREF(b);
    return s;
}

/* Whether `s` matches the wildcard whose literal runs are `segments` (a tuple of str): 1, 0 or -1. Twin of
 * wildcards.segments_match: each inner run at its leftmost place after the previous one. */
static int segments_match(PyObject *segments, PyObject *s)
{
    Py_ssize_t n = PyTuple_GET_SIZE(segments), len = PyUnicode_GET_LENGTH(s);
    PyObject *head = PyTuple_GET_ITEM(segments, 0), *tail = PyTuple_GET_ITEM(segments, n - 1);
    if (n == 1) {
        int cmp = PyUnicode_Compare(s, head);
        return cmp == -1 && PyErr_Occurred() ? -1 : cmp == 0;
    }
    Py_ssize_t at = PyUnicode_GET_LENGTH(head), end = len - PyUnicode_GET_LENGTH(tail);
    if (end < at)
        return 0;
    Py_ssize_t ok = PyUnicode_Tailmatch(s, head, 0, len, -1);
    if (ok == 1)
        ok = PyUnicode_Tailmatch(s, tail, 0, len, 1);
    if (ok != 1)
        return (int)ok;
    for (Py_ssize_t k = 1; k < n - 1; k++) {
        PyObject *inner = PyTuple_GET_ITEM(segments, k);
        Py_ssize_t found = PyUnicode_Find(s, inner, at, end, 1);
        if (found < 0)
            return found == -1 ? 0 : -1;
        at = found + PyUnicode_GET_LENGTH(inner);
    }
    return 1;
}

/* A WILDCARDS spec (native.py): [ids, segments, ...]; the ids are met when a str meets any wildcard. */
static int wildcards_add(PyObject *spec, PyObject *v, PyObject *out)
{
    if (!PyUnicode_CheckExact(v))
        return 0;
    PyObject *s = utf8_safe(v);
    if (s == NULL)
        return -1;
    int met = 0;
    for (Py_ssize_t k = 1; met == 0 && k < PyList_GET_SIZE(spec); k++)
        met = segments_match(PyList_GET_ITEM(spec, k), s);
    Py_DECREF(s);
    if (met < 0)
        return -1;
    return met ? add_all(out, PyList_GET_ITEM(spec, 0)) : 0;
}

/* ---- a field's wildcard index (string_tests.LiveWildcards.find) ------------------------------------------
 * LEVELS = (TESTS, ...): one per WildcardTests, each TESTS = (exact, prefix, suffix, grams, groups,
 * unkeyed) (WildcardTests.native): `exact` {str: ids}; `prefix`, `suffix` (empty group ids, AFFIX) of
 * the texts groups are filed under, or None; `grams` ((size, {run: group}), ...); `groups` a list, each
 * ((segments, ids), ...) checked one by one, or the `find(s, out)` of an RE2 partition; `unkeyed` such a
 * find or None. Ids in `removed` are no longer in the set. Runs of the value are made once per size. */
#define MAX_GRAM 16

typedef struct {
    PyObject *s, *runs[MAX_GRAM + 1]; /* runs[n]: the value's runs of n characters, a tuple, or NULL */
} Runs;

static PyObject *runs_of(Runs *r, Py_ssize_t n)
{
    if (r->runs[n] != NULL)
        return r->runs[n];
    Py_ssize_t len = PyUnicode_GET_LENGTH(r->s), count = len >= n ? len - n + 1 : 0;
    PyObject *out = PyTuple_New(count);
    for (Py_ssize_t at = 0; out != NULL && at < count; at++) {
        PyObject *run = PyUnicode_Substring(r->s, at, at + n);
        if (run == NULL)
            Py_CLEAR(out);
        else
            PyTuple_SET_ITEM(out, at, run);
    }
    return r->runs[n] = out;
}

static int add_kept_ids(PyObject *out, PyObject *ids, PyObject *removed)
{
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(ids); i++) {
        if (add_unless_removed(out, PyTuple_GET_ITEM(ids, i), removed) < 0)
            return -1;
    }
    return 0;
}

/* A partition's find(s, found), its ids not removed added to out. */
static int call_find(PyObject *find, PyObject *s, PyObject *out, PyObject *removed)
{
    if (PySet_GET_SIZE(removed) == 0)
        return call2(find, s, out);
    PyObject *found = PySet_New(NULL);
    int rc = found == NULL ? -1 : call2(find, s, found);
    if (rc == 0) {
        PyObject *kept = PyNumber_Subtract(found, removed);
        rc = kept == NULL ? -1 : set_or(out, kept);
        Py_XDECREF(kept);
    }
    Py_XDECREF(found);
    return rc;
}

static int tests_find(PyObject *tests, Runs *r, PyObject *out, PyObject *removed, PyObject *reached)
{
    PyObject *s = r->s;
    PyObject *hit = PyDict_GetItemWithError(PyTuple_GET_ITEM(tests, 0), s);
    if (hit == NULL && PyErr_Occurred())
        return -1;
    if (hit != NULL && add_kept_ids(out, hit, removed) < 0)
        return -1;
    if (PySet_Clear(reached) < 0)
        return -1;
    for (int k = 1; k <= 2; k++) {
        PyObject *affix = PyTuple_GET_ITEM(tests, k);
        if (affix != Py_None && (add_all(reached, PyTuple_GET_ITEM(affix, 0)) < 0 ||
                                 affix_find(PyTuple_GET_ITEM(affix, 1), s, k == 2, reached) < 0))
            return -1;
    }
    PyObject *grams = PyTuple_GET_ITEM(tests, 3);
    for (Py_ssize_t g = 0; g < PyTuple_GET_SIZE(grams); g++) {
        PyObject *pair = PyTuple_GET_ITEM(grams, g), *table = PyTuple_GET_ITEM(pair, 1);
        Py_ssize_t n = PyLong_AsSsize_t(PyTuple_GET_ITEM(pair, 0));
        if (n == 0) { /* an empty inner run ("**" holds one): every value holds it */
            PyObject *empty = PyUnicode_New(0, 0);
            PyObject *group = empty == NULL ? NULL : PyDict_GetItemWithError(table, empty);
            Py_XDECREF(empty);
            if (group == NULL ? PyErr_Occurred() != NULL : PySet_Add(reached, group) < 0)
                return -1;
            continue;
        }
        if (n < 0 || n > MAX_GRAM) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "wildcards: run length out of range");
            return -1;
        }
        PyObject *runs = runs_of(r, n);
        if (runs == NULL)
            return -1;
        for (Py_ssize_t at = 0; at < PyTuple_GET_SIZE(runs); at++) {
            PyObject *group = PyDict_GetItemWithError(table, PyTuple_GET_ITEM(runs, at));
            if (group == NULL ? PyErr_Occurred() != NULL : PySet_Add(reached, group) < 0)
                return -1;
        }
    }
    PyObject *groups = PyTuple_GET_ITEM(tests, 4);
    Py_ssize_t pos = 0;
    PyObject *index;
    Py_hash_t hash;
    while (_PySet_NextEntry(reached, &pos, &index, &hash)) {
        Py_ssize_t k = PyLong_AsSsize_t(index);
        if (k < 0 || k >= PyList_GET_SIZE(groups)) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_IndexError, "wildcards: group out of range");
            return -1;
        }
        PyObject *group = PyList_GET_ITEM(groups, k);
        if (!PyTuple_CheckExact(group)) {
            Py_INCREF(group); /* the partition's find runs Python code */
            int rc = call_find(group, s, out, removed);
            Py_DECREF(group);
            if (rc < 0)
                return -1;
            continue;
        }
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(group); i++) {
            PyObject *item = PyTuple_GET_ITEM(group, i);
            int met = segments_match(PyTuple_GET_ITEM(item, 0), s);
            if (met < 0 || (met && add_kept_ids(out, PyTuple_GET_ITEM(item, 1), removed) < 0))
                return -1;
        }
    }
    PyObject *unkeyed = PyTuple_GET_ITEM(tests, 5);
    return unkeyed == Py_None ? 0 : call_find(unkeyed, s, out, removed);
}

/* wildcards_find(LEVELS, removed, s, out): the wildcards of a field that str `s` matches, added to out. */
static PyObject *native_wildcards_find(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4 || !PyTuple_CheckExact(args[0]) || !PyAnySet_Check(args[1]) ||
        !PyUnicode_CheckExact(args[2]) || !PySet_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError, "wildcards_find(levels, removed, s, out)");
        return NULL;
    }
    Runs r = {NULL, {NULL}};
    PyObject *v = args[2], *levels = Py_NewRef(args[0]), *reached = PySet_New(NULL);
    int rc = reached == NULL ? -1 : 0;
    if (rc == 0) {
        r.s = utf8_safe(v);
        rc = r.s == NULL ? -1 : 0;
    }
    for (Py_ssize_t i = 0; rc == 0 && i < PyTuple_GET_SIZE(levels); i++)
        rc = tests_find(PyTuple_GET_ITEM(levels, i), &r, args[3], args[1], reached);
    for (int n = 0; n <= MAX_GRAM; n++)
        Py_XDECREF(r.runs[n]);
    Py_XDECREF(r.s);
    Py_XDECREF(reached);
    Py_DECREF(levels);
    if (rc < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* Address blocks (S_IP = (ip_hex, RANGES of IPv4 blocks | None, RANGES of IPv6 blocks | None, owner)): the
 * value read as an address (ipaddr.ip_hex, cached), stabbed into the IPv4 blocks with its first 8 hex
 * digits and into the IPv6 ones when it is an IPv6 address; each block's id is its condition's in `owner`.
 * Twin of the address branch of FieldIndex.evaluate. */
static int evaluate_address(PyObject *ip, PyObject *v, PyObject *out)
{
    PyObject *hex = PyObject_CallOneArg(PyTuple_GET_ITEM(ip, P_HEX), v);
    if (hex == NULL)
        return -1;
    if (hex == Py_None || !PyUnicode_CheckExact(hex)) {
        Py_DECREF(hex);
        return 0;
    }
    PyObject *found = PySet_New(NULL), *owner = PyTuple_GET_ITEM(ip, P_OWNER);
    int rc = found == NULL ? -1 : 0;
    for (int side = P_V4; rc == 0 && side <= P_V6; side++) {
        PyObject *ranges = PyTuple_GET_ITEM(ip, side);
        Py_ssize_t len = PyUnicode_GET_LENGTH(hex);
        if (ranges == Py_None || (side == P_V6 && len != 32))
            continue;
        PyObject *text = side == P_V4 ? PyUnicode_Substring(hex, 0, len < 8 ? len : 8) : Py_NewRef(hex);
        if (text == NULL) {
            rc = -1;
            break;
        }
        Key k = {0.0, text};
        rc = stab_ranges(PyTuple_GET_ITEM(ranges, 0), PyTuple_GET_ITEM(ranges, 1), PyTuple_GET_ITEM(ranges, 2),
                         &k, found);
        Py_DECREF(text);
    }
    Py_ssize_t pos = 0;
    PyObject *id;
    Py_hash_t hash;
    while (rc == 0 && _PySet_NextEntry(found, &pos, &id, &hash)) {
        PyObject *cond = PyDict_GetItemWithError(owner, id);
        if (cond == NULL && PyErr_Occurred())
            rc = -1;
        else
            rc = PySet_Add(out, cond != NULL ? cond : id);
    }
    Py_XDECREF(found);
    Py_DECREF(hex);
    return rc;
}

/* One leaf value against a field's SPEC (native.field_spec); twin of FieldIndex.evaluate. The caller holds
 * a reference to `spec` (finders may run Python code). */
static int evaluate(PyObject *spec, PyObject *v, PyObject *out)
{
    if (PyDict_CheckExact(spec))
        return probe_add(spec, v, out);
    if (PyList_CheckExact(spec))
        return wildcards_add(spec, v, out);
    if (!PyTuple_CheckExact(spec))
        return call2(spec, v, out);
    PyObject *excl = NULL; /* the value's BY_VALUE entry: the anything-but ids excluding it */
    if (PyUnicode_CheckExact(v)) {
        PyObject *ip = PyTuple_GET_ITEM(spec, S_IP);
        if (ip != Py_None) { /* addresses see the address; the string tests below, the value as written */
            Py_INCREF(ip);
            int rc = evaluate_address(ip, v, out);
            Py_DECREF(ip);
            if (rc < 0)
                return -1;
        }
        PyObject *t = PyTuple_GET_ITEM(spec, S_EXACT);
        if (t != Py_None && probe_add(t, v, out) < 0)
            return -1;
        t = PyTuple_GET_ITEM(spec, S_PREFIX);
        if (t != Py_None) {
            if (add_all(out, PyTuple_GET_ITEM(t, 0)) < 0 || affix_find(PyTuple_GET_ITEM(t, 1), v, 0, out) < 0)
                return -1;
        }
        t = PyTuple_GET_ITEM(spec, S_SUFFIX);
        if (t != Py_None) {
            if (add_all(out, PyTuple_GET_ITEM(t, 0)) < 0 || affix_find(PyTuple_GET_ITEM(t, 1), v, 1, out) < 0)
                return -1;
        }
        t = PyTuple_GET_ITEM(spec, S_FINDERS);
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(t); i++) {
            if (call2(PyTuple_GET_ITEM(t, i), v, out) < 0)
                return -1;
        }
        t = PyTuple_GET_ITEM(spec, S_AB_EXCL);
        if (t != Py_None) {
            excl = PyDict_GetItemWithError(t, v);
            if (excl == NULL && PyErr_Occurred())
                return -1;
        }
    }
    else if (v == Py_True || v == Py_False || v == Py_None) {
        if (add_all(out, PyTuple_GET_ITEM(spec, v == Py_True ? S_TRUE : v == Py_False ? S_FALSE : S_NULL)) < 0)
            return -1;
    }
    else if (PyDict_CheckExact(v) || PyList_CheckExact(v)) {
        return 0; /* not leaf values */
    }
    else {
        PyObject *numbers = PyTuple_GET_ITEM(spec, S_NUMBERS);
        if (numbers == Py_False)
            return call2(PyTuple_GET_ITEM(spec, S_FALLBACK), v, out);
        if (numbers != Py_None) {
            int rc = evaluate_number(numbers, v, out, &excl);
            if (rc < 0)
                return -1;
            if (rc == 0)
                return call2(PyTuple_GET_ITEM(spec, S_FALLBACK), v, out);
        }
    }
    Py_XINCREF(excl);
    int rc = add_kept(out, PyTuple_GET_ITEM(spec, S_AB_ALL), excl);
    Py_XDECREF(excl);
    if (rc < 0)
        return -1;
    return add_all(out, PyTuple_GET_ITEM(spec, S_ALWAYS));
}

/* Reading the event along the path trie (NODE in native.py). Values met inside arrays of objects are
 * queued in `trailed` as (pid, value, trail), trail naming the (array id, index) they sit at.
 * walk_node, visit, descend and leaves twin walker.walk, walker._visit, walker.descend and walker.leaves. */
enum { T_NODE, T_SPECS, T_ABSENT, T_ACCESS, T_RESIDUAL, T_NAMES, T_PAIRED, T_SIZE };
enum { E_CHILD, E_PID, E_POSITIONAL, E_TRACKED, E_RECORD };
enum { R_NUMBERS, R_OTHERS, R_ALL, R_ORDER, R_NAMES };
enum { Q_EVALUATE, Q_SPEC, Q_PID, Q_ABSENT };
#define MAX_NESTING 1100 /* beyond the nesting any JSON decoder here accepts */

typedef struct {
    PyObject *specs, *matched;
    PyObject *seen, *trailed, *values; /* NULL until the walk has something to put in them */
} WalkState;

static PyObject *extend_trail(PyObject *trail, PyObject *marker, Py_ssize_t index)
{
    Py_ssize_t n = PyTuple_GET_SIZE(trail);
    PyObject *out = PyTuple_New(n + 1);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyTuple_GET_ITEM(trail, i);
        Py_INCREF(item);
        PyTuple_SET_ITEM(out, i, item);
    }
    PyObject *i = PyLong_FromSsize_t(index);
    PyObject *pair = i == NULL ? NULL : PyTuple_Pack(2, marker, i);
    Py_XDECREF(i);
    if (pair == NULL) {
        Py_DECREF(out);
        return NULL;
    }
    PyTuple_SET_ITEM(out, n, pair);
    return out;
}

static int too_deep(int depth)
{
    if (depth <= MAX_NESTING)
        return 0;
    PyErr_SetString(PyExc_RecursionError, "the event is nested too deeply");
    return 1;
}

/* The SPEC of a pid (a new reference, Py_None when the field has no access condition). */
static PyObject *spec_of(PyObject *specs, PyObject *pid)
{
    Py_ssize_t k = PyLong_AsSsize_t(pid);
    if (k < 0 || k >= PyList_GET_SIZE(specs)) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_IndexError, "match: path id out of range");
        return NULL;
    }
    return Py_NewRef(PyList_GET_ITEM(specs, k));
}

/* Keep a value for the conditions tested per candidate: values[pid] is the value itself, or the list of
 * them from the second on (a leaf is never a list, so the two cannot be confused). */
static int record_value(PyObject *values, PyObject *pid, PyObject *v)
{
    PyObject *have = PyDict_GetItemWithError(values, pid);
    if (have == NULL)
        return PyErr_Occurred() ? -1 : PyDict_SetItem(values, pid, v);
    if (PyList_CheckExact(have))
        return PyList_Append(have, v);
    PyObject *list = PyList_New(2);
    if (list == NULL)
        return -1;
    PyList_SET_ITEM(list, 0, Py_NewRef(have));
    PyList_SET_ITEM(list, 1, Py_NewRef(v));
    int rc = PyDict_SetItem(values, pid, list);
    Py_DECREF(list);
    return rc;
}

/* The per-event containers are made when first needed: most events fill few of them. */
static int need(PyObject **slot, PyObject *(*make)(void))
{
    if (*slot == NULL)
        *slot = make();
    return *slot == NULL ? -1 : 0;
}

static PyObject *new_set(void) { return PySet_New(NULL); }
static PyObject *new_list(void) { return PyList_New(0); }

static int leaves(WalkState *st, PyObject *v, PyObject *trail, PyObject *entry, int depth)
{
    if (too_deep(depth))
        return -1;
    PyObject *pid = PyTuple_GET_ITEM(entry, E_PID);
    if (!PyList_CheckExact(v)) {
        if (PyTuple_GET_SIZE(trail) > 0) {
            PyObject *item = PyTuple_Pack(3, pid, v, trail);
            if (item == NULL)
                return -1;
            int rc = need(&st->trailed, new_list) < 0 ? -1 : PyList_Append(st->trailed, item);
            Py_DECREF(item);
            return rc;
        }
        PyObject *spec = spec_of(st->specs, pid);
        if (spec == NULL)
            return -1;
        int rc = spec == Py_None ? 0 : evaluate(spec, v, st->matched);
        Py_DECREF(spec);
        if (rc == 0 && PyTuple_GET_ITEM(entry, E_TRACKED) == Py_True)
            rc = need(&st->seen, new_set) < 0 ? -1 : PySet_Add(st->seen, pid);
        if (rc == 0 && PyTuple_GET_ITEM(entry, E_RECORD) == Py_True)
            rc = need(&st->values, PyDict_New) < 0 ? -1 : record_value(st->values, pid, v);
        return rc;
    }
    /* Elements of a purely scalar array never combine with another field, so need no position. */
    int mixed = 0;
    if (PyTuple_GET_ITEM(entry, E_POSITIONAL) == Py_True) {
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(v) && !mixed; i++) {
            PyObject *e = PyList_GET_ITEM(v, i);
            mixed = PyDict_CheckExact(e) || PyList_CheckExact(e);
        }
    }
    PyObject *marker = mixed ? PyLong_FromVoidPtr(v) : NULL;
    if (mixed && marker == NULL)
        return -1;
    int rc = 0;
    for (Py_ssize_t i = 0; rc == 0 && i < PyList_GET_SIZE(v); i++) {
        PyObject *e = PyList_GET_ITEM(v, i);
        if (PyDict_CheckExact(e))
            continue;
        Py_INCREF(e);
        PyObject *inner = mixed ? extend_trail(trail, marker, i) : (Py_INCREF(trail), trail);
        rc = inner == NULL ? -1 : leaves(st, e, inner, entry, depth + 1);
        Py_XDECREF(inner);
        Py_DECREF(e);
    }
    Py_XDECREF(marker);
    return rc;
}

static int walk_node(WalkState *st, PyObject *obj, PyObject *node, PyObject *trail, int depth);

static int descend(WalkState *st, PyObject *items, PyObject *node, PyObject *trail, int depth)
{
    if (too_deep(depth))
        return -1;
    int positional = PyList_GET_ITEM(node, 1) == Py_True;
    PyObject *marker = positional ? PyLong_FromVoidPtr(items) : NULL;
    if (positional && marker == NULL)
        return -1;
    int rc = 0;
    for (Py_ssize_t i = 0; rc == 0 && i < PyList_GET_SIZE(items); i++) {
        PyObject *item = PyList_GET_ITEM(items, i);
        int is_dict = PyDict_CheckExact(item);
        if (!is_dict && !PyList_CheckExact(item))
            continue;
        Py_INCREF(item);
        PyObject *inner = positional ? extend_trail(trail, marker, i) : (Py_INCREF(trail), trail);
        if (inner == NULL)
            rc = -1;
        else if (is_dict)
            rc = walk_node(st, item, node, inner, depth + 1);
        else
            rc = descend(st, item, node, inner, depth + 1);
        Py_XDECREF(inner);
        Py_DECREF(item);
    }
    Py_XDECREF(marker);
    return rc;
}

/* One value found under a trie entry (walker._visit). */
static int visit(WalkState *st, PyObject *v, PyObject *entry, PyObject *trail, int depth)
{
    int rc = 0;
    int is_dict = PyDict_CheckExact(v);
    if (PyTuple_GET_ITEM(entry, E_PID) != Py_None && !is_dict)
        rc = leaves(st, v, trail, entry, depth + 1);
    PyObject *child = PyTuple_GET_ITEM(entry, E_CHILD);
    if (rc == 0 && child != Py_None) {
        if (is_dict)
            rc = walk_node(st, v, child, trail, depth + 1);
        else if (PyList_CheckExact(v))
            rc = descend(st, v, child, trail, depth + 1);
    }
    return rc;
}

/* The smaller side: the node's keys looked up in the object, or the object's keys in the node. */
static int walk_node(WalkState *st, PyObject *obj, PyObject *node, PyObject *trail, int depth)
{
    if (too_deep(depth))
        return -1;
    if (!PyList_CheckExact(node) || PyList_GET_SIZE(node) != 2 || !PyDict_CheckExact(PyList_GET_ITEM(node, 0))) {
        PyErr_SetString(PyExc_TypeError, "match: bad path node");
        return -1;
    }
    PyObject *entries = Py_NewRef(PyList_GET_ITEM(node, 0));
    int by_object = PyDict_GET_SIZE(obj) < PyDict_GET_SIZE(entries);
    PyObject *from = by_object ? obj : entries, *other = by_object ? entries : obj;
    Py_ssize_t pos = 0;
    PyObject *key, *item;
    int rc = 0;
    while (rc == 0 && PyDict_Next(from, &pos, &key, &item)) {
        PyObject *found = PyDict_GetItemWithError(other, key);
        if (found == NULL) {
            if (PyErr_Occurred())
                rc = -1;
            continue;
        }
        PyObject *v = Py_NewRef(by_object ? item : found), *entry = Py_NewRef(by_object ? found : item);
        rc = visit(st, v, entry, trail, depth);
        Py_DECREF(v);
        Py_DECREF(entry);
    }
    Py_DECREF(entries);
    return rc;
}

/* ---- after the walk: EventMatcher._finish up to its last steps --------------------------------------- */

typedef struct {
    PyObject *matched, *residual;
    PyObject *seen, *values, *failed, *scratch; /* NULL until needed */
    /* with values inside arrays of objects (else NULL): */
    PyObject *free, *hits, *pending, *trailed; /* hits: {id: [trail, ...]}, `evaluated` of _finish by id */
    PyObject *by_pid; /* {pid: [(pid, value, trail), ...]}: `trailed` by path (in_arrays of _finish) */
} Finish;

/* `pending[id] = pid` or `free.add(id)`: an `exists: false` met by absence, when arrays of objects hold
 * values of the path or not. */
static int absent_met(Finish *f, PyObject *id, PyObject *pid)
{
    if (f->free == NULL)
        return 0;
    int in_arrays = PyDict_Contains(f->by_pid, pid);
    if (in_arrays < 0)
        return -1;
    return in_arrays ? PyDict_SetItem(f->pending, id, pid) : PySet_Add(f->free, id);
}

/* Condition `id` was met by a value at `trail`: hits[id].append(trail). Values of one array of scalars
 * share their trail object: kept once (consistent's `tried`). */
static int hit(Finish *f, PyObject *id, PyObject *trail)
{
    PyObject *trails = PyDict_GetItemWithError(f->hits, id);
    if (trails == NULL) {
        if (PyErr_Occurred())
            return -1;
        trails = PyList_New(0);
        int rc = trails == NULL ? -1 : PyDict_SetItem(f->hits, id, trails);
        Py_XDECREF(trails);
        if (rc < 0)
            return -1;
    }
    Py_ssize_t have = PyList_GET_SIZE(trails);
    if (have > 0 && PyList_GET_ITEM(trails, have - 1) == trail)
        return 0;
    return PyList_Append(trails, trail);
}

/* Values met inside arrays of objects, each evaluated on its own, the ids it meets noted with its trail,
 * and filed by path (the first loop of _finish). */
static int evaluate_trailed(Finish *f, PyObject *specs)
{
    if (need(&f->scratch, new_set) < 0)
        return -1;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(f->trailed); i++) {
        PyObject *item = Py_NewRef(PyList_GET_ITEM(f->trailed, i)); /* (pid, value, trail) */
        PyObject *pid = PyTuple_GET_ITEM(item, 0);
        PyObject *items = PyDict_GetItemWithError(f->by_pid, pid);
        int rc = 0;
        if (items != NULL) {
            rc = PyList_Append(items, item);
        }
        else if (PyErr_Occurred()) {
            rc = -1;
        }
        else {
            items = PyList_New(1);
            rc = items == NULL ? -1 : PyDict_SetItem(f->by_pid, pid, items);
            if (rc == 0)
                PyList_SET_ITEM(items, 0, Py_NewRef(item));
            Py_XDECREF(items);
        }
        PyObject *spec = rc < 0 ? NULL : spec_of(specs, pid);
        if (spec == NULL)
            rc = -1;
        else if (spec != Py_None) {
            PyObject *ids = f->scratch, *id;
            rc = PySet_Clear(ids) < 0 ? -1 : evaluate(spec, PyTuple_GET_ITEM(item, 1), ids);
            Py_ssize_t pos = 0;
            Py_hash_t hash;
            while (rc == 0 && _PySet_NextEntry(ids, &pos, &id, &hash)) {
                if (PyLong_CheckExact(id)) /* not the float marks */
                    rc = hit(f, id, PyTuple_GET_ITEM(item, 2));
            }
            if (rc == 0)
                rc = set_or(f->matched, ids);
        }
        Py_XDECREF(spec);
        Py_DECREF(item);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* A range-only condition tested per candidate (RANGES of native.condition_test: (SPEC, low, low_inclusive,
 * high, high_inclusive, ...)) against an integer an exact double holds: 1 or 0, or 2 when the SPEC must
 * decide (not such an integer), -1 on error. The numeric branch of FieldIndex.evaluate without its sets. */
static int ranges_hold(PyObject *ranges, PyObject *v)
{
    double d;
    int exact = PyLong_CheckExact(v) ? int_double(v, &d) : 0;
    if (exact <= 0)
        return exact < 0 ? -1 : 2;
    for (Py_ssize_t i = 1; i + 3 < PyTuple_GET_SIZE(ranges); i += 4) {
        double lo = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(ranges, i));
        double hi = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(ranges, i + 2));
        if ((lo < d || (lo == d && PyTuple_GET_ITEM(ranges, i + 1) == Py_True)) &&
            (d < hi || (d == hi && PyTuple_GET_ITEM(ranges, i + 3) == Py_True)))
            return 1;
    }
    return 0;
}

/* Whether value `v` meets condition `id` tested per candidate (its SPEC, and its RANGES or NULL): 1, 0 or
 * -1. The float marks a numeric test leaves go to `matched`, as the Python evaluators put them there. */
static int value_meets(Finish *f, PyObject *id, PyObject *spec, PyObject *ranges, PyObject *v)
{
    int met = ranges == NULL ? 2 : ranges_hold(ranges, v);
    if (met != 2)
        return met;
    if (PyDict_CheckExact(spec)) { /* exact strings: the table says it without a set */
        met = text_lookup(spec, v) != NULL;
        return !met && PyErr_Occurred() ? -1 : met;
    }
    PyObject *scratch = f->scratch;
    if (PySet_Clear(scratch) < 0 || evaluate(spec, v, scratch) < 0)
        return -1;
    if (PySet_GET_SIZE(scratch) == 0)
        return 0;
    /* the one-condition test adds only its id, and the float marks */
    met = PySet_Contains(scratch, id);
    int floats = met < 0 ? -1 : PySet_Contains(scratch, float_seen);
    return floats < 0 || (floats && set_or(f->matched, scratch) < 0) ? -1 : met;
}

/* Whether condition `id` holds: 1, 0, or -1 on error. Twin of `holds` in EventMatcher._finish. */
static int holds(Finish *f, PyObject *id)
{
    int has = PySet_Contains(f->matched, id);
    if (has != 0)
        return has;
    has = f->failed == NULL ? 0 : PySet_Contains(f->failed, id);
    if (has != 0)
        return has < 0 ? -1 : 0;
    PyObject *test = PyDict_GetItemWithError(f->residual, id);
    if (test == NULL) { /* an access condition: the index said no */
        if (PyErr_Occurred())
            return -1;
        return need(&f->failed, new_set) < 0 || PySet_Add(f->failed, id) < 0 ? -1 : 0;
    }
    Py_INCREF(test);
    PyObject *spec = PyTuple_GET_ITEM(test, Q_SPEC), *pid = PyTuple_GET_ITEM(test, Q_PID), *ranges = NULL;
    if (PyTuple_CheckExact(spec) && PyTuple_GET_SIZE(spec) > 1 && PyTuple_CheckExact(PyTuple_GET_ITEM(spec, 0))) {
        ranges = spec; /* RANGES: integers decided here, other values by its SPEC */
        spec = PyTuple_GET_ITEM(spec, 0);
    }
    int ok = 0, rc = need(&f->scratch, new_set);
    /* the path's values outside arrays of objects: one that meets the condition is enough */
    PyObject *values = rc == 0 && f->values != NULL ? PyDict_GetItemWithError(f->values, pid) : NULL;
    if (values == NULL && PyErr_Occurred())
        rc = -1;
    if (values != NULL) {
        Py_INCREF(values);
        int many = PyList_CheckExact(values);
        Py_ssize_t count = many ? PyList_GET_SIZE(values) : 1;
        for (Py_ssize_t i = 0; rc == 0 && !ok && i < count; i++) {
            PyObject *v = Py_NewRef(many ? PyList_GET_ITEM(values, i) : values);
            int met = value_meets(f, id, spec, ranges, v);
            Py_DECREF(v);
            if (met < 0)
                rc = -1;
            else
                ok = met;
        }
        Py_DECREF(values);
    }
    if (rc == 0 && ok && f->free != NULL)
        rc = PySet_Add(f->free, id);
    /* the path's values inside arrays of objects, each noted with its trail when it meets the condition */
    PyObject *items = rc == 0 && f->by_pid != NULL ? PyDict_GetItemWithError(f->by_pid, pid) : NULL;
    if (items == NULL && PyErr_Occurred())
        rc = -1;
    Py_XINCREF(items);
    for (Py_ssize_t i = 0; rc == 0 && items != NULL && i < PyList_GET_SIZE(items); i++) {
        PyObject *item = Py_NewRef(PyList_GET_ITEM(items, i)); /* (pid, value, trail) */
        int met = value_meets(f, id, spec, ranges, PyTuple_GET_ITEM(item, 1));
        if (met < 0) {
            rc = -1;
        }
        else if (met) {
            ok = 1;
            rc = hit(f, id, PyTuple_GET_ITEM(item, 2));
        }
        Py_DECREF(item);
    }
    Py_XDECREF(items);
    if (rc == 0 && PyTuple_GET_ITEM(test, Q_ABSENT) == Py_True) {
        int seen = f->seen == NULL ? 0 : PySet_Contains(f->seen, pid);
        if (seen < 0)
            rc = -1;
        else if (!seen) {
            ok = 1;
            rc = absent_met(f, id, pid);
        }
    }
    if (rc == 0 && (!ok && need(&f->failed, new_set) < 0))
        rc = -1;
    if (rc == 0 && PySet_Add(ok ? f->matched : f->failed, id) < 0)
        rc = -1;
    Py_DECREF(test);
    return rc < 0 ? -1 : ok;
}

/* Append to `out` the keys of `table` (a dict keyed by condition ids) that are in `matched`, walking the
 * smaller side (the access keys of _finish: `access.keys() & matched`). */
static int met_keys(PyObject *matched, PyObject *table, PyObject *out)
{
    Py_ssize_t pos = 0;
    PyObject *id, *value;
    Py_hash_t hash;
    if (PySet_GET_SIZE(matched) < PyDict_GET_SIZE(table)) {
        while (_PySet_NextEntry(matched, &pos, &id, &hash)) {
            int has = PyLong_CheckExact(id) ? PyDict_Contains(table, id) : 0;
            if (has < 0 || (has && PyList_Append(out, id) < 0))
                return -1;
        }
        return 0;
    }
    while (PyDict_Next(table, &pos, &id, &value)) {
        int has = PySet_Contains(matched, id);
        if (has < 0 || (has && PyList_Append(out, id) < 0))
            return -1;
    }
    return 0;
}

#define PAIR_TRAILS 256 /* array_consistency.PAIR_TRAILS */

/* Whether two trails pick the same element of every array both name: 1, 0 or -1. The values of one
 * element share its trail object; an array's marker is one object per visit of the array. */
static int trails_meet(PyObject *x, PyObject *y)
{
    if (x == y)
        return 1;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(x); i++) {
        PyObject *p = PyTuple_GET_ITEM(x, i);
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(y); j++) {
            PyObject *q = PyTuple_GET_ITEM(y, j);
            PyObject *pa = PyTuple_GET_ITEM(p, 0), *qa = PyTuple_GET_ITEM(q, 0);
            if (pa != qa && PyLong_AsVoidPtr(pa) != PyLong_AsVoidPtr(qa))
                continue;
            Py_ssize_t pi = PyLong_AsSsize_t(PyTuple_GET_ITEM(p, 1)), qi = PyLong_AsSsize_t(PyTuple_GET_ITEM(q, 1));
            if (PyErr_Occurred())
                return -1;
            if (pi != qi)
                return 0;
        }
    }
    return 1;
}

/* Whether a value that met access condition `a` (its trails `first`, NULL when met outside arrays or
 * by absence) and one that met its partner `b` can sit in one choice of array elements (1, 0 or -1): the
 * filter of the paired groups. Twin of the PAIRED loop of _finish and array_consistency.trails_agree. */
static int pair_agrees(Finish *f, PyObject *first, PyObject *b)
{
    if (first == NULL)
        return 1;
    int in_free = PySet_Contains(f->free, b);
    if (in_free != 0)
        return in_free;
    PyObject *second = PyDict_GetItemWithError(f->hits, b);
    if (second == NULL)
        return PyErr_Occurred() ? -1 : 1; /* met with no trail (by absence): consistency decides */
    Py_ssize_t n = PyList_GET_SIZE(first), m = PyList_GET_SIZE(second);
    if (n == 0 || m == 0 || n * m > PAIR_TRAILS)
        return 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        for (Py_ssize_t j = 0; j < m; j++) {
            int meet = trails_meet(PyList_GET_ITEM(first, i), PyList_GET_ITEM(second, j));
            if (meet != 0)
                return meet;
        }
    }
    return 0;
}

/* The groups of `bucket` whose other conditions all hold, appended to `passed`. */
static int test_bucket(Finish *f, PyObject *bucket, PyObject *passed)
{
    Py_INCREF(bucket);
    int ok = 1;
    for (Py_ssize_t r = 0; ok >= 0 && r < PyTuple_GET_SIZE(bucket); r++) {
        PyObject *group = PyTuple_GET_ITEM(bucket, r), *others = PyTuple_GET_ITEM(group, R_OTHERS);
        ok = 1;
        for (Py_ssize_t o = 0; ok == 1 && o < PyTuple_GET_SIZE(others); o++)
            ok = holds(f, PyTuple_GET_ITEM(others, o));
        if (ok == 1 && PyList_Append(passed, group) < 0)
            ok = -1;
    }
    Py_DECREF(bucket);
    return ok < 0 ? -1 : 0;
}

/* For the PAIRED loop: when every value met inside arrays of objects sits in an element of one array (one
 * visit of it: each trail one pair, all with one marker object), the ids met in each element, as
 * {index: [id, ...]}; else Py_None (pairs are then compared trail by trail). A new reference, NULL on error. */
static PyObject *by_element(Finish *f)
{
    PyObject *out = PyDict_New(), *marker = NULL, *id, *trails;
    Py_ssize_t pos = 0;
    while (out != NULL && PyDict_Next(f->hits, &pos, &id, &trails)) {
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(trails); k++) {
            PyObject *trail = PyList_GET_ITEM(trails, k);
            PyObject *pair = PyTuple_GET_SIZE(trail) == 1 ? PyTuple_GET_ITEM(trail, 0) : NULL;
            if (pair == NULL || (marker != NULL && PyTuple_GET_ITEM(pair, 0) != marker)) {
                Py_DECREF(out);
                return Py_NewRef(Py_None);
            }
            marker = PyTuple_GET_ITEM(pair, 0);
            PyObject *index = PyTuple_GET_ITEM(pair, 1), *ids = PyDict_GetItemWithError(out, index);
            if (ids == NULL) {
                ids = PyErr_Occurred() ? NULL : PyList_New(0);
                if (ids == NULL || PyDict_SetItem(out, index, ids) < 0) {
                    Py_XDECREF(ids);
                    Py_CLEAR(out);
                    break;
                }
                Py_DECREF(ids);
            }
            if (PyList_Append(ids, id) < 0) {
                Py_CLEAR(out);
                break;
            }
        }
    }
    return out;
}

/* The partners of access condition `a` (PARTNERS = {partner: groups}) met by values that one choice of
 * array elements can hold together with a value that met `a`, put in `met`. Twin of the PAIRED loop of
 * _finish: the same pairs, found from the partners or, when `elements` (by_element) says where each id was
 * met and a's elements hold fewer ids than it has partners, from those elements. */
static int met_partners(Finish *f, PyObject *a, PyObject *partners, PyObject **elements, PyObject *met)
{
    if (PyList_SetSlice(met, 0, PyList_GET_SIZE(met), NULL) < 0)
        return -1;
    /* the trails of `a`, or NULL when any element will do (met outside arrays, or by absence) */
    PyObject *first = NULL;
    if (f->free != NULL) {
        int in_free = PySet_Contains(f->free, a);
        if (in_free < 0)
            return -1;
        first = in_free ? NULL : PyDict_GetItemWithError(f->hits, a);
        if (first == NULL && PyErr_Occurred())
            return -1;
    }
    if (first == NULL)
        return met_keys(f->matched, partners, met);
    if (*elements == NULL && (*elements = by_element(f)) == NULL)
        return -1;
    Py_ssize_t reached = 0; /* the ids met in a's elements: the element route's work */
    for (Py_ssize_t k = 0; *elements != Py_None && k < PyList_GET_SIZE(first); k++) {
        PyObject *pair = PyTuple_GET_ITEM(PyList_GET_ITEM(first, k), 0);
        PyObject *ids = PyDict_GetItemWithError(*elements, PyTuple_GET_ITEM(pair, 1));
        if (ids == NULL && PyErr_Occurred())
            return -1;
        reached += ids == NULL ? 0 : PyList_GET_SIZE(ids);
    }
    if (*elements == Py_None || PyDict_GET_SIZE(partners) <= reached) {
        /* nested or several arrays, or fewer partners than ids in a's elements: trail against trail */
        Py_ssize_t pos = 0;
        PyObject *b, *bucket;
        while (PyDict_Next(partners, &pos, &b, &bucket)) {
            int has = PySet_Contains(f->matched, b);
            int agrees = has > 0 ? pair_agrees(f, first, b) : has;
            if (agrees < 0 || (agrees && PyList_Append(met, b) < 0))
                return -1;
        }
        return 0;
    }
    /* partners met outside arrays, then those met in an element where `a` was met */
    if (met_keys(f->free, partners, met) < 0)
        return -1;
    Py_ssize_t before = PyList_GET_SIZE(met);
    Py_INCREF(first);
    int rc = 0;
    for (Py_ssize_t k = 0; rc == 0 && k < PyList_GET_SIZE(first); k++) {
        PyObject *pair = PyTuple_GET_ITEM(PyList_GET_ITEM(first, k), 0);
        PyObject *ids = PyDict_GetItemWithError(*elements, PyTuple_GET_ITEM(pair, 1));
        if (ids == NULL) {
            rc = PyErr_Occurred() ? -1 : 0;
            continue;
        }
        for (Py_ssize_t i = 0; rc == 0 && i < PyList_GET_SIZE(ids); i++) {
            PyObject *b = PyList_GET_ITEM(ids, i);
            int has = PyDict_Contains(partners, b);
            if (has > 0 && k > 0) { /* met in two of a's elements: once is enough */
                for (Py_ssize_t j = before; has > 0 && j < PyList_GET_SIZE(met); j++)
                    has = PyList_GET_ITEM(met, j) != b;
            }
            if (has < 0 || (has && PyList_Append(met, b) < 0))
                rc = -1;
        }
    }
    Py_DECREF(first);
    return rc;
}

/* The groups filed under `key` in `table` (ACCESS, or one access condition's partners) whose other
 * conditions hold, appended to `passed`; none when nothing is filed there (a change since the key was met). */
static int test_filed(Finish *f, PyObject *table, PyObject *key, PyObject *passed)
{
    PyObject *bucket = PyDict_GetItemWithError(table, key);
    if (bucket == NULL)
        return PyErr_Occurred() ? -1 : 0;
    return test_bucket(f, bucket, passed);
}

/* The groups of the sub-rules whose conditions all hold (the candidate loop of _finish), as a list: those
 * of EVERY, of the access conditions met, and of the pairs met together (PAIRED, looked up for the access
 * conditions met). */
static PyObject *passed_records(Finish *f, PyObject *access, PyObject *paired)
{
    PyObject *keys = PyList_New(0), *passed = PyList_New(0), *every = PyLong_FromLong(-2);
    PyObject *partners = NULL, *met = NULL, *elements = NULL;
    if (keys == NULL || passed == NULL || every == NULL || PyList_Append(keys, every) < 0 ||
        met_keys(f->matched, access, keys) < 0)
        goto fail;
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(keys); k++) {
        PyObject *a = PyList_GET_ITEM(keys, k);
        if (test_filed(f, access, a, passed) < 0)
            goto fail;
        /* an access condition with partners (its ACCESS entry may hold no group of its own) */
        partners = PyDict_GET_SIZE(paired) > 0 ? PyDict_GetItemWithError(paired, a) : NULL;
        if (partners == NULL) {
            if (PyErr_Occurred())
                goto fail;
            continue;
        }
        Py_INCREF(partners); /* a change may alter it during a callback: a torn read, retried */
        if ((met == NULL && (met = PyList_New(0)) == NULL) || met_partners(f, a, partners, &elements, met) < 0)
            goto fail;
        for (Py_ssize_t j = 0; j < PyList_GET_SIZE(met); j++) {
            if (test_filed(f, partners, PyList_GET_ITEM(met, j), passed) < 0)
                goto fail;
        }
        Py_CLEAR(partners);
    }
    Py_DECREF(keys);
    Py_DECREF(every);
    Py_XDECREF(met);
    Py_XDECREF(elements);
    return passed;
fail:
    Py_XDECREF(keys);
    Py_XDECREF(passed);
    Py_XDECREF(every);
    Py_XDECREF(partners);
    Py_XDECREF(met);
    Py_XDECREF(elements);
    return NULL;
}

/* ---- array consistency (runtime/events/array_consistency.py) -------------------------------------------
 * Twin of EventMatcher._consistent and array_consistency.consistent/merge. The search runs only for the
 * passed groups with two or more conditions met only inside arrays of objects (or one met by a deferred
 * absence), over the trails the walk collected: its cost follows the event's matched work, not the rule
 * count. Trails are tuples of (array marker, index) pairs made by the walk of this call; the elements
 * chosen so far are a stack of C pairs. */

typedef struct {
    void *array;
    Py_ssize_t index;
} Pick;

typedef struct {
    Pick *picks; /* the elements chosen so far, as a stack */
    Py_ssize_t n, cap;
    PyObject *hits;    /* Finish.hits: the trails of the values that met each condition */
    PyObject *by_pid;  /* Finish.by_pid: the values of each path inside arrays, with their trails */
    PyObject *pending; /* {condition id: pid}: `exists: false` met only if the chosen elements hold no value */
} Search;

/* Push the pairs of `trail` not chosen yet: 1 (and *added, how many were pushed), 0 when the trail picks
 * another element of an array chosen already (nothing pushed), -1 on error. Twin of merge. */
static int merge_trail(Search *s, PyObject *trail, Py_ssize_t *added)
{
    Py_ssize_t base = s->n, n = PyTuple_GET_SIZE(trail);
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *pair = PyTuple_GET_ITEM(trail, k);
        void *array = PyLong_AsVoidPtr(PyTuple_GET_ITEM(pair, 0));
        Py_ssize_t index = PyLong_AsSsize_t(PyTuple_GET_ITEM(pair, 1));
        if (PyErr_Occurred()) {
            s->n = base;
            return -1;
        }
        Py_ssize_t j = 0;
        while (j < base && s->picks[j].array != array)
            j++;
        if (j < base) {
            if (s->picks[j].index != index) {
                s->n = base;
                return 0;
            }
            continue;
        }
        if (s->n == s->cap) {
            Py_ssize_t cap = s->cap ? 2 * s->cap : 16;
            Pick *grown = PyMem_Realloc(s->picks, (size_t)cap * sizeof(Pick));
            if (grown == NULL) {
                s->n = base;
                PyErr_NoMemory();
                return -1;
            }
            s->picks = grown;
            s->cap = cap;
        }
        s->picks[s->n].array = array;
        s->picks[s->n].index = index;
        s->n++;
    }
    *added = s->n - base;
    return 1;
}

/* Can conditions needed[i:] hold with values from elements consistent with those chosen? 1, 0 or -1 on
 * error. Twin of consistent: conditions in the lexical order of their paths; an `exists: false` met by
 * absence holds when no value of its path sits in the elements chosen so far. */
static int consistent(Search *s, PyObject *const *needed, Py_ssize_t count, Py_ssize_t i)
{
    if (i == count)
        return 1;
    PyObject *id = needed[i], *pid = PyDict_GetItemWithError(s->pending, id);
    Py_ssize_t added;
    if (pid == NULL && PyErr_Occurred())
        return -1;
    if (pid != NULL) {
        PyObject *items = PyDict_GetItemWithError(s->by_pid, pid);
        int absent = 1;
        if (items == NULL && PyErr_Occurred())
            return -1;
        for (Py_ssize_t k = 0; absent && items != NULL && k < PyList_GET_SIZE(items); k++) {
            int r = merge_trail(s, PyTuple_GET_ITEM(PyList_GET_ITEM(items, k), 2), &added);
            if (r < 0)
                return -1;
            if (r) {
                s->n -= added;
                absent = 0;
            }
        }
        if (absent)
            return consistent(s, needed, count, i + 1);
    }
    PyObject *trails = PyDict_GetItemWithError(s->hits, id);
    if (trails == NULL)
        return PyErr_Occurred() ? -1 : 0;
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(trails); k++) {
        int r = merge_trail(s, PyList_GET_ITEM(trails, k), &added);
        if (r <= 0) {
            if (r < 0)
                return -1;
            continue;
        }
        r = consistent(s, needed, count, i + 1);
        s->n -= added;
        if (r != 0)
            return r;
    }
    return 0;
}

/* The passed groups whose conditions can all come from consistent array elements, as a new list. Twin of
 * EventMatcher._consistent. */
static PyObject *consistent_groups(Finish *f, PyObject *passed)
{
    Search s = {NULL, 0, 0, f->hits, f->by_pid, f->pending};
    PyObject *out = PyList_New(0), **needed = NULL;
    Py_ssize_t cap = 0;
    for (Py_ssize_t g = 0; out != NULL && g < PyList_GET_SIZE(passed); g++) {
        PyObject *group = PyList_GET_ITEM(passed, g), *order = PyTuple_GET_ITEM(group, R_ORDER);
        Py_ssize_t n = PyTuple_GET_SIZE(order), count = 0;
        if (n > cap) {
            PyObject **grown = PyMem_Realloc(needed, (size_t)n * sizeof(PyObject *));
            if (grown == NULL) {
                PyErr_NoMemory();
                goto fail;
            }
            needed = grown;
            cap = n;
        }
        /* the conditions met only inside arrays of objects (or by deferred absence), in the group's order */
        for (Py_ssize_t k = 0; k < n; k++) {
            PyObject *id = PyTuple_GET_ITEM(order, k);
            int met = PySet_Contains(f->matched, id);
            int in_free = met > 0 ? PySet_Contains(f->free, id) : 0;
            if (met < 0 || in_free < 0)
                goto fail;
            if (met && !in_free)
                needed[count++] = id;
        }
        /* One positional condition can always pick its own element; two or more must agree. */
        int pending = count == 1 ? PyDict_Contains(f->pending, needed[0]) : 0;
        if (pending < 0)
            goto fail;
        int keep = count == 0 || (count == 1 && !pending);
        if (!keep) {
            keep = consistent(&s, needed, count, 0);
            if (keep < 0)
                goto fail;
        }
        if (keep && PyList_Append(out, group) < 0)
            goto fail;
    }
    goto done;
fail:
    Py_CLEAR(out);
done:
    PyMem_Free(needed);
    PyMem_Free(s.picks);
    return out;
}

typedef struct {
    Py_ssize_t number;
    PyObject *name; /* borrowed from its group */
} Named;

/* Sort by rule number: insertion sort for short runs, else quicksort on the middle of three (the passed
 * rules of one event; qsort's calls through a pointer cost more than the comparisons). */
static void sort_named(Named *a, Py_ssize_t n)
{
    while (n > 16) {
        Py_ssize_t mid = n / 2, i = 0, j = n - 1;
        Py_ssize_t x = a[0].number, y = a[mid].number, z = a[n - 1].number;
        Py_ssize_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        while (i <= j) {
            while (a[i].number < pivot)
                i++;
            while (a[j].number > pivot)
                j--;
            if (i <= j) {
                Named t = a[i];
                a[i++] = a[j];
                a[j--] = t;
            }
        }
        /* recurse into the smaller side, loop on the larger: depth stays logarithmic */
        if (j + 1 < n - i) {
            sort_named(a, j + 1);
            a += i;
            n -= i;
        }
        else {
            sort_named(a + i, n - i);
            n = j + 1;
        }
    }
    for (Py_ssize_t i = 1; i < n; i++) {
        Named t = a[i];
        Py_ssize_t j = i;
        for (; j > 0 && a[j - 1].number > t.number; j--)
            a[j] = a[j - 1];
        a[j] = t;
    }
}

/* The names of the passed groups' rules, in the order of their numbers (the order rules were added), each
 * once: the groups carry their rules' names beside their numbers (R_NAMES), two lists a change grows and
 * shrinks in place (read here up to the shorter: a change caught between the two is a torn read, retried). */
static PyObject *named(PyObject *passed)
{
    Py_ssize_t count = 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(passed); i++)
        count += PyList_GET_SIZE(PyTuple_GET_ITEM(PyList_GET_ITEM(passed, i), R_NUMBERS));
    Named *all = PyMem_Malloc((count ? count : 1) * sizeof(Named));
    if (all == NULL)
        return PyErr_NoMemory();
    Py_ssize_t cap = count;
    count = 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(passed); i++) {
        PyObject *group = PyList_GET_ITEM(passed, i);
        PyObject *numbers = PyTuple_GET_ITEM(group, R_NUMBERS), *names = PyTuple_GET_ITEM(group, R_NAMES);
        Py_ssize_t n = PyList_GET_SIZE(numbers);
        if (PyList_GET_SIZE(names) < n)
            n = PyList_GET_SIZE(names);
        for (Py_ssize_t k = 0; k < n && count < cap; k++) {
            all[count].number = PyLong_AsSsize_t(PyList_GET_ITEM(numbers, k));
            all[count++].name = PyList_GET_ITEM(names, k);
        }
    }
    sort_named(all, count);
    PyObject *out = PyErr_Occurred() ? NULL : PyList_New(0);
    for (Py_ssize_t i = 0; out != NULL && i < count; i++) {
        if (i > 0 && all[i].number == all[i - 1].number)
            continue;
        if (PyList_Append(out, all[i].name) < 0)
            Py_CLEAR(out);
    }
    PyMem_Free(all);
    return out;
}

/* match(obj, TABLES): the whole per-event pass (TABLES and the results: native.py), array consistency
 * included. Decides the event unless a float met a numeric test (the exact-number re-check); then hands
 * its sets back for EventMatcher._settle. Twin of EventMatcher._match_obj with the Python walk,
 * EventMatcher._finish and EventMatcher._settle. */
static PyObject *native_match(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs < 2 || nargs > 3 || !PyDict_CheckExact(args[0]) || !PyTuple_CheckExact(args[1]) ||
        PyTuple_GET_SIZE(args[1]) != T_SIZE) {
        PyErr_SetString(PyExc_TypeError, "match(obj, (node, specs, absent, access, residual, names, paired)[, any])");
        return NULL;
    }
    PyObject *tables = args[1];
    PyObject *node = PyTuple_GET_ITEM(tables, T_NODE), *specs = PyTuple_GET_ITEM(tables, T_SPECS);
    PyObject *absent = PyTuple_GET_ITEM(tables, T_ABSENT), *out = NULL, *passed = NULL;
    if (!PyList_CheckExact(node) || !PyList_CheckExact(specs) || !PyDict_CheckExact(absent) ||
        !PyDict_CheckExact(PyTuple_GET_ITEM(tables, T_ACCESS)) ||
        !PyDict_CheckExact(PyTuple_GET_ITEM(tables, T_RESIDUAL)) ||
        !PyDict_CheckExact(PyTuple_GET_ITEM(tables, T_NAMES)) ||
        !PyDict_CheckExact(PyTuple_GET_ITEM(tables, T_PAIRED))) {
        PyErr_SetString(PyExc_TypeError, "match: bad tables");
        return NULL;
    }
    Finish f = {PySet_New(NULL), PyTuple_GET_ITEM(tables, T_RESIDUAL), NULL, NULL, NULL, NULL,
                NULL, NULL, NULL, NULL, NULL};
    if (f.matched == NULL)
        goto done;
    WalkState st = {specs, f.matched, NULL, NULL, NULL};
    int walked = walk_node(&st, args[0], node, empty_tuple, 0);
    f.seen = st.seen, f.trailed = st.trailed, f.values = st.values; /* made by the walk when needed */
    if (walked < 0)
        goto done;
    if (f.trailed != NULL && PyList_GET_SIZE(f.trailed) > 0) {
        f.free = PySet_New(f.matched); /* satisfied outside arrays of objects: no position constraint */
        f.hits = PyDict_New();
        f.pending = PyDict_New();
        f.by_pid = PyDict_New();
        if (f.free == NULL || f.hits == NULL || f.pending == NULL || f.by_pid == NULL ||
            evaluate_trailed(&f, specs) < 0)
            goto done;
    }
    else {
        Py_CLEAR(f.trailed);
    }
    Py_ssize_t pos = 0;
    PyObject *pid, *ids;
    while (PyDict_Next(absent, &pos, &pid, &ids)) {
        int has = f.seen == NULL ? 0 : PySet_Contains(f.seen, pid);
        if (has < 0)
            goto done;
        if (has)
            continue;
        if (add_all(f.matched, ids) < 0)
            goto done;
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(ids); i++) {
            if (absent_met(&f, PyTuple_GET_ITEM(ids, i), pid) < 0)
                goto done;
        }
    }
    passed = passed_records(&f, PyTuple_GET_ITEM(tables, T_ACCESS), PyTuple_GET_ITEM(tables, T_PAIRED));
    if (passed == NULL)
        goto done;
    int floats = PySet_Contains(f.matched, float_seen);
    if (floats < 0)
        goto done;
    if (floats) {
        out = Py_BuildValue("(OOOOOO)", f.matched, f.free ? f.free : Py_None, f.hits ? f.hits : Py_None,
                            f.pending ? f.pending : Py_None, f.trailed ? f.trailed : Py_None, passed);
        goto done;
    }
    if (f.free != NULL && PyList_GET_SIZE(passed) > 0) {
        PyObject *kept = consistent_groups(&f, passed);
        if (kept == NULL)
            goto done;
        Py_SETREF(passed, kept);
    }
    if (nargs == 3 && PyObject_IsTrue(args[2]))
        out = PyBool_FromLong(PyList_GET_SIZE(passed) > 0); /* whether any rule matched: no names */
    else
        out = named(passed);
done:
    Py_XDECREF(passed);
    Py_XDECREF(f.matched);
    Py_XDECREF(f.seen);
    Py_XDECREF(f.values);
    Py_XDECREF(f.failed);
    Py_XDECREF(f.scratch);
    Py_XDECREF(f.free);
    Py_XDECREF(f.hits);
    Py_XDECREF(f.pending);
    Py_XDECREF(f.trailed);
    Py_XDECREF(f.by_pid);
    return out;
}

/* ---- the exact-number re-check (event_json.floats_exact) ---------------------------------------------- */

static int number_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
}

/* A decimal literal as (negative, significant digits, exponent): value = digits * 10**exponent, the
 * digits without leading or trailing zeros (empty for zero). Returns 0 when `s` is not a decimal literal. */
static int parse_decimal(const char *s, Py_ssize_t n, char *digits, Py_ssize_t cap, Py_ssize_t *ndigits,
                         long long *exponent, int *negative)
{
    Py_ssize_t i = 0, count = 0;
    long long exp = 0, frac = 0;
    int seen_digit = 0, seen_point = 0;
    *negative = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        *negative = s[i++] == '-';
    for (; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            seen_digit = 1;
            if (seen_point)
                frac++;
            if (count == 0 && c == '0')
                continue; /* leading zeros carry no value */
            if (count >= cap)
                return 0;
            digits[count++] = c;
        }
        else if (c == '.' && !seen_point) {
            seen_point = 1;
        }
        else {
            break;
        }
    }
    if (!seen_digit)
        return 0;
    if (i < n) {
        if (s[i] != 'e' && s[i] != 'E')
            return 0;
        i++;
        int exp_negative = 0;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            exp_negative = s[i++] == '-';
        if (i >= n)
            return 0;
        for (; i < n; i++) {
            if (s[i] < '0' || s[i] > '9')
                return 0;
            if (exp < 1000000000000LL)
                exp = exp * 10 + (s[i] - '0');
        }
        if (exp_negative)
            exp = -exp;
    }
    /* trailing zeros move into the exponent */
    long long trailing = 0;
    while (count > 0 && digits[count - 1] == '0') {
        count--;
        trailing++;
    }
    *ndigits = count;
    *exponent = exp - frac + trailing;
    return 1;
}

/* Whether two decimal literals have the same value (as decimal.Decimal compares them). */
static int same_decimal(const char *a, Py_ssize_t na, const char *b, Py_ssize_t nb)
{
    char da[512], db[512];
    Py_ssize_t ca, cb;
    long long ea, eb;
    int sa, sb;
    if (!parse_decimal(a, na, da, sizeof da, &ca, &ea, &sa) || !parse_decimal(b, nb, db, sizeof db, &cb, &eb, &sb))
        return -1;
    if (ca == 0 || cb == 0)
        return ca == cb; /* zero equals zero whatever its sign */
    return sa == sb && ca == cb && ea == eb && memcmp(da, db, (size_t)ca) == 0;
}

/* floats_exact(text, floats): the token loop of event_json.floats_exact. For every run of bytes that
 * can belong to a JSON number, 16 or more long, that float() reads as one of `floats`: is it written with
 * the value of that double's shortest form? (Shorter tokens have at most 15 significant digits, which a
 * double always keeps; so do longer ones with at most 15 in the normal range, skipped without printing the
 * double.) Returns False at the first that is not. */
static PyObject *native_floats_exact(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyBytes_Check(args[0]) || !PyAnySet_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "floats_exact(text: bytes, floats: set)");
        return NULL;
    }
    const char *s = PyBytes_AS_STRING(args[0]);
    Py_ssize_t n = PyBytes_GET_SIZE(args[0]), i = 0;
    char small[128];
    while (i < n) {
        if (!number_byte((unsigned char)s[i])) {
            i++;
            continue;
        }
        Py_ssize_t j = i;
        while (j < n && number_byte((unsigned char)s[j]))
            j++;
        Py_ssize_t len = j - i;
        if (len >= 16) {
            char *token = len < (Py_ssize_t)sizeof small ? small : PyMem_Malloc((size_t)len + 1);
            if (token == NULL)
                return PyErr_NoMemory();
            memcpy(token, s + i, (size_t)len);
            token[len] = '\0';
            char digits[32];
            Py_ssize_t ndigits;
            long long exponent;
            int negative;
            if (parse_decimal(token, len, digits, sizeof digits, &ndigits, &exponent, &negative) &&
                (ndigits == 0 || (ndigits <= 15 && exponent + ndigits - 1 >= -307 && exponent + ndigits - 1 <= 307))) {
                /* At most 15 significant digits in the normal range (or zero): a double keeps such a decimal,
                 * so its shortest form has the same value; no need to print it. */
                if (token != small)
                    PyMem_Free(token);
                i = j;
                continue;
            }
            char *end = NULL;
            double d = PyOS_string_to_double(token, &end, NULL);
            int verdict = 1; /* 1: fine, 0: not exact, -1: error */
            if (d == -1.0 && PyErr_Occurred()) {
                PyErr_Clear(); /* not a number to float(): digits and letters run together in a string */
            }
            else if (end == token + len) {
                PyObject *key = PyFloat_FromDouble(d);
                int member = key == NULL ? -1 : PySet_Contains(args[1], key);
                Py_XDECREF(key);
                if (member < 0) {
                    verdict = -1;
                }
                else if (member) {
                    char *shortest = PyOS_double_to_string(d, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
                    if (shortest == NULL) {
                        verdict = -1;
                    }
                    else {
                        if (strcmp(shortest, token) != 0) {
                            int same = same_decimal(token, len, shortest, (Py_ssize_t)strlen(shortest));
                            verdict = same == 1 ? 1 : 0; /* unparsable as a decimal: not known to be exact */
                        }
                        PyMem_Free(shortest);
                    }
                }
            }
            if (token != small)
                PyMem_Free(token);
            if (verdict < 0)
                return NULL;
            if (verdict == 0)
                Py_RETURN_FALSE;
        }
        i = j;
    }
    Py_RETURN_TRUE;
}


static PyMethodDef methods[] = {
    {"match", (PyCFunction)(void (*)(void))native_match, METH_FASTCALL,
     "match(obj, tables): the names matched, or the sets EventMatcher._settle finishes with."},
    {"wildcards_find", (PyCFunction)(void (*)(void))native_wildcards_find, METH_FASTCALL,
     "wildcards_find(levels, removed, s, out): add the ids of the wildcards s matches (LiveWildcards.find)."},
    {"floats_exact", (PyCFunction)(void (*)(void))native_floats_exact, METH_FASTCALL,
     "floats_exact(text, floats): whether the long number tokens of text that read as floats are exact."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native",
                                    "Native core of the tamis event matcher.", -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__native(void)
{
    empty_tuple = PyTuple_New(0);
    float_seen = PyLong_FromLong(-1);
    if (empty_tuple == NULL || float_seen == NULL)
        return NULL;
    return PyModule_Create(&module);
}
