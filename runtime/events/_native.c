/* Native core of the event matcher (tamis.runtime.events._native).
 *
 * The pure-Python matcher (runtime/events/matcher.py, field_index.py, walker.py, rule_trie.py) is the
 * definition; this module runs the same per-event steps without the interpreter's per-field overhead.
 * It keeps no state: every call receives the tables the matcher builds once per rule set.
 *
 * THE LAYOUT OF THOSE TABLES IS DECLARED IN runtime/events/native.py (its docstring, field by field, and
 * the functions that build them); the enums below (E_*, S_*, N_*) are positions in those tuples and must
 * follow it. Each function here names its Python twin.
 *
 * Per event nothing is allocated beyond the result sets, probe keys, array trails and the output.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <float.h>
#include <math.h>
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

/* Probe a {value: ids} table and add the ids found; an unhashable value raises, as dict.get does. */
static int probe_add(PyObject *table, PyObject *key, PyObject *out)
{
    PyObject *hit = PyDict_GetItemWithError(table, key);
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
    Py_UCS4 edge = PyUnicode_READ_CHAR(s, suffix ? size - 1 : 0);
    PyObject *key = PyLong_FromUnsignedLong(edge);
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
            PyDict_Next(table, &pos, &text, &ids);
            Py_ssize_t hit = PyUnicode_Tailmatch(s, text, 0, PY_SSIZE_T_MAX, suffix ? 1 : -1);
            if (hit < 0 || (hit == 1 && add_all(out, ids) < 0))
                return -1;
            continue;
        }
        PyObject *seg = n == size ? (Py_INCREF(s), s)
                                  : PyUnicode_Substring(s, suffix ? size - n : 0, suffix ? size : n);
        if (seg == NULL)
            return -1;
        int rc = probe_add(PyTuple_GET_ITEM(pair, 1), seg, out);
        Py_DECREF(seg);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* Positions in a field's SPEC tuple and in its NUMBERS tuple (native.index_spec, native.number_tables). */
enum { S_EXACT, S_PREFIX, S_SUFFIX, S_AB_KEPT, S_AB_ALL, S_ALWAYS, S_TRUE, S_FALSE, S_NULL, S_FINDERS,
       S_NUMBERS, S_FALLBACK, S_SIZE };
enum { N_EXACT, N_POINTS, N_AT, N_GAP, N_AB_KEPT };

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

/* Numbers (NUMBERS in native.py): returns 1 when decided here, 0 when the fallback must decide, -1 on
 * error. The numeric branch of FieldIndex.evaluate. */
static int evaluate_number(PyObject *numbers, PyObject *v, PyObject *out, PyObject **kept)
{
    double d;
    if (PyLong_CheckExact(v)) {
        int overflow;
        long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (x == -1 && PyErr_Occurred())
            return -1;
        /* Integers beyond 2**53 may have no double of their own: the Python evaluator decides them. */
        if (overflow || x > 9007199254740992LL || x < -9007199254740992LL)
            return 0;
        d = (double)x;
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
    PyObject *exact = PyTuple_GET_ITEM(numbers, N_EXACT), *ab_kept = PyTuple_GET_ITEM(numbers, N_AB_KEPT);
    PyObject *key = NULL; /* a float object only for the tables probed by value */
    if (exact != Py_None || ab_kept != Py_None) {
        key = PyFloat_FromDouble(d);
        if (key == NULL)
            return -1;
    }
    int rc = 0;
    if (exact != Py_None)
        rc = probe_add(exact, key, out);
    PyObject *points = PyTuple_GET_ITEM(numbers, N_POINTS);
    if (rc == 0 && points != Py_None) {
        /* bisect_left over the sorted points */
        Py_ssize_t lo = 0, hi = PyTuple_GET_SIZE(points);
        while (lo < hi) {
            Py_ssize_t mid = (lo + hi) / 2;
            if (PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(points, mid)) < d)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < PyTuple_GET_SIZE(points) && PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(points, lo)) == d)
            rc = add_all(out, PyTuple_GET_ITEM(PyTuple_GET_ITEM(numbers, N_AT), lo));
        else
            rc = add_all(out, PyTuple_GET_ITEM(PyTuple_GET_ITEM(numbers, N_GAP), lo));
    }
    if (rc == 0 && ab_kept != Py_None) {
        PyObject *hit = PyDict_GetItemWithError(ab_kept, key);
        if (hit != NULL)
            *kept = hit;
        else if (PyErr_Occurred())
            rc = -1;
    }
    Py_XDECREF(key);
    return rc < 0 ? -1 : 1;
}

/* One leaf value against its field's SPEC (native.field_spec); twin of FieldIndex.evaluate. */
static int evaluate(PyObject *spec, PyObject *v, PyObject *out)
{
    if (PyDict_CheckExact(spec))
        return probe_add(spec, v, out);
    if (!PyTuple_CheckExact(spec))
        return call2(spec, v, out);
    PyObject *kept = PyTuple_GET_ITEM(spec, S_AB_ALL); /* anything-but ids the value does not exclude */
    if (PyUnicode_CheckExact(v)) {
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
        t = PyTuple_GET_ITEM(spec, S_AB_KEPT);
        if (t != Py_None) {
            /* anything-but over plain strings: the conditions the value leaves standing, precomputed. */
            PyObject *hit = PyDict_GetItemWithError(t, v);
            if (hit != NULL)
                kept = hit;
            else if (PyErr_Occurred())
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
            int rc = evaluate_number(numbers, v, out, &kept);
            if (rc < 0)
                return -1;
            if (rc == 0)
                return call2(PyTuple_GET_ITEM(spec, S_FALLBACK), v, out);
        }
    }
    if (add_all(out, kept) < 0)
        return -1;
    return add_all(out, PyTuple_GET_ITEM(spec, S_ALWAYS));
}

/* Reading the event along the path trie (PATH_NODE in native.py). Values met inside arrays of objects
 * are queued in `trailed` as (pid, value, trail), trail naming the (array id, index) they sit at.
 * walk_node, descend and leaves twin walker.walk_generic, walker.descend and walker.leaves. */
/* Positions in a PATH_NODE's entries (native.path_tables). */
enum { E_KEY, E_CHILD, E_PID, E_POSITIONAL, E_TRACKED };
#define MAX_NESTING 1100 /* beyond the nesting any JSON decoder here accepts */

typedef struct {
    PyObject *specs, *matched, *seen, *trailed;
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

static int leaves(WalkState *st, PyObject *v, PyObject *trail, PyObject *pid, int positional, int tracked,
                  int depth)
{
    if (too_deep(depth))
        return -1;
    if (!PyList_CheckExact(v)) {
        if (PyTuple_GET_SIZE(trail) > 0) {
            PyObject *item = PyTuple_Pack(3, pid, v, trail);
            if (item == NULL)
                return -1;
            int rc = PyList_Append(st->trailed, item);
            Py_DECREF(item);
            return rc;
        }
        if (evaluate(PyTuple_GET_ITEM(st->specs, PyLong_AsSsize_t(pid)), v, st->matched) < 0)
            return -1;
        return tracked && st->seen != Py_None ? PySet_Add(st->seen, pid) : 0;
    }
    /* Elements of a purely scalar array never combine with another field, so need no position. */
    int mixed = 0;
    if (positional) {
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
        rc = inner == NULL ? -1 : leaves(st, e, inner, pid, positional, tracked, depth + 1);
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
    int positional = PyTuple_GET_ITEM(node, 1) == Py_True;
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

static int walk_node(WalkState *st, PyObject *obj, PyObject *node, PyObject *trail, int depth)
{
    if (too_deep(depth))
        return -1;
    PyObject *entries = PyTuple_GET_ITEM(node, 0);
    Py_ssize_t n = PyTuple_GET_SIZE(entries);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *entry = PyTuple_GET_ITEM(entries, i);
        PyObject *v = PyDict_GetItemWithError(obj, PyTuple_GET_ITEM(entry, E_KEY));
        if (v == NULL) {
            if (PyErr_Occurred())
                return -1;
            continue;
        }
        Py_INCREF(v); /* evaluators may run Python code; keep the value alive whatever they do */
        int rc = 0;
        PyObject *pid = PyTuple_GET_ITEM(entry, E_PID);
        int is_dict = PyDict_CheckExact(v);
        if (pid != Py_None && !is_dict)
            rc = leaves(st, v, trail, pid, PyTuple_GET_ITEM(entry, E_POSITIONAL) == Py_True,
                        PyTuple_GET_ITEM(entry, E_TRACKED) == Py_True, depth + 1);
        PyObject *child = PyTuple_GET_ITEM(entry, E_CHILD);
        if (rc == 0 && child != Py_None) {
            if (is_dict)
                rc = walk_node(st, v, child, trail, depth + 1);
            else if (PyList_CheckExact(v))
                rc = descend(st, v, child, trail, depth + 1);
        }
        Py_DECREF(v);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* The rule trie (RULE_NODE in native.py): twin of rule_trie.collect. */
static PyObject *collect(PyObject *root, PyObject *matched)
{
    PyObject *items = PySequence_Tuple(matched);
    if (items == NULL)
        return NULL;
    Py_ssize_t nitems = PyTuple_GET_SIZE(items);
    Py_ssize_t cap = 64, top = 0;
    PyObject **stack = PyMem_Malloc(cap * sizeof(PyObject *));
    if (stack == NULL) {
        Py_DECREF(items);
        return PyErr_NoMemory();
    }
    PyObject *out = PyList_New(0);
    if (out == NULL)
        goto fail;
    stack[top++] = root; /* borrowed: the trie is owned by the matcher for the whole call */
    while (top > 0) {
        PyObject *node = stack[--top];
        PyObject *names = PyTuple_GET_ITEM(node, 0);
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(names); i++) {
            if (PyList_Append(out, PyTuple_GET_ITEM(names, i)) < 0)
                goto fail;
        }
        PyObject *children = PyTuple_GET_ITEM(node, 1);
        Py_ssize_t nchildren = PyDict_GET_SIZE(children);
        if (nchildren == 0)
            continue;
        if (top + (nchildren < nitems ? nchildren : nitems) > cap) {
            cap = 2 * (top + (nchildren < nitems ? nchildren : nitems));
            PyObject **grown = PyMem_Realloc(stack, cap * sizeof(PyObject *));
            if (grown == NULL) {
                PyErr_NoMemory();
                goto fail;
            }
            stack = grown;
        }
        if (nchildren <= nitems) {
            Py_ssize_t pos = 0;
            PyObject *key, *child;
            while (PyDict_Next(children, &pos, &key, &child)) {
                int has = PySet_Contains(matched, key);
                if (has < 0)
                    goto fail;
                if (has)
                    stack[top++] = child;
            }
        }
        else {
            for (Py_ssize_t i = 0; i < nitems; i++) {
                PyObject *child = PyDict_GetItemWithError(children, PyTuple_GET_ITEM(items, i));
                if (child != NULL)
                    stack[top++] = child;
                else if (PyErr_Occurred())
                    goto fail;
            }
        }
    }
    PyMem_Free(stack);
    Py_DECREF(items);
    return out;
fail:
    PyMem_Free(stack);
    Py_XDECREF(out);
    Py_DECREF(items);
    return NULL;
}

static PyObject *native_collect(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyTuple_CheckExact(args[0]) || !PyAnySet_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "collect(root, matched)");
        return NULL;
    }
    return collect(args[0], args[1]);
}

/* Whether every condition id of the tuple is in the set. */
static int all_in(PyObject *ids, PyObject *set)
{
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(ids); i++) {
        int has = PySet_Contains(set, PyTuple_GET_ITEM(ids, i));
        if (has <= 0)
            return has;
    }
    return 1;
}

/* Values met inside arrays of objects (the first loop of EventMatcher._finish): evaluate each into its own
 * set (EventMatcher._finish needs to know
 * which conditions each array element met) and into `matched`; `free` keeps what was met outside them.
 * Returns (matched, seen, trailed, free, [(trail, ids), ...]). */
static PyObject *evaluate_trailed(PyObject *specs, PyObject *matched, PyObject *seen, PyObject *trailed)
{
    PyObject *free = PySet_New(matched), *evaluated = PyList_New(0), *out = NULL;
    if (free == NULL || evaluated == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(trailed); i++) {
        PyObject *item = PyList_GET_ITEM(trailed, i); /* (pid, value, trail) */
        PyObject *ids = PySet_New(NULL);
        if (ids == NULL)
            goto done;
        Py_ssize_t pid = PyLong_AsSsize_t(PyTuple_GET_ITEM(item, 0));
        int rc = evaluate(PyTuple_GET_ITEM(specs, pid), PyTuple_GET_ITEM(item, 1), ids);
        if (rc == 0 && PySet_GET_SIZE(ids) > 0) {
            PyObject *pair = PyTuple_Pack(2, PyTuple_GET_ITEM(item, 2), ids);
            rc = pair == NULL || PyList_Append(evaluated, pair) < 0 ? -1 : 0;
            Py_XDECREF(pair);
            if (rc == 0) {
                /* set |= ids */
                PyObject *r = PyNumber_InPlaceOr(matched, ids);
                rc = r == NULL ? -1 : 0;
                Py_XDECREF(r);
            }
        }
        Py_DECREF(ids);
        if (rc < 0)
            goto done;
    }
    out = PyTuple_Pack(5, matched, seen, trailed, free, evaluated);
done:
    Py_XDECREF(free);
    Py_XDECREF(evaluated);
    return out;
}

/* match(obj, TABLES): the whole per-event pass (TABLES and the results: native.py). Decides the event
 * when it needs neither the array-consistency check (no rule value sat inside an array of objects) nor
 * the exact-number re-check (no float met a numeric test); otherwise hands its sets back for
 * EventMatcher._finish. Twin of EventMatcher._match_obj with the Python walk (and _finish's `exists:
 * false` fill-in and _collect). */
static PyObject *native_match(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyDict_CheckExact(args[0]) || !PyTuple_CheckExact(args[1]) ||
        PyTuple_GET_SIZE(args[1]) != 5) {
        PyErr_SetString(PyExc_TypeError, "match(obj, (node, specs, absent, few, root))");
        return NULL;
    }
    PyObject *node = PyTuple_GET_ITEM(args[1], 0), *specs = PyTuple_GET_ITEM(args[1], 1);
    PyObject *absent = PyTuple_GET_ITEM(args[1], 2), *few = PyTuple_GET_ITEM(args[1], 3);
    PyObject *root = PyTuple_GET_ITEM(args[1], 4), *out = NULL;
    if (!PyTuple_CheckExact(node) || !PyTuple_CheckExact(specs) || !PyTuple_CheckExact(absent) ||
        !(few == Py_None || PyTuple_CheckExact(few)) || !PyTuple_CheckExact(root)) {
        PyErr_SetString(PyExc_TypeError, "match: bad tables");
        return NULL;
    }
    PyObject *matched = PySet_New(NULL);
    PyObject *seen = PyTuple_GET_SIZE(absent) > 0 ? PySet_New(NULL) : (Py_INCREF(Py_None), Py_None);
    PyObject *trailed = PyList_New(0);
    if (matched == NULL || seen == NULL || trailed == NULL)
        goto done;
    WalkState st = {specs, matched, seen, trailed};
    if (walk_node(&st, args[0], node, empty_tuple, 0) < 0)
        goto done;
    int floats = PySet_Contains(matched, float_seen);
    if (floats < 0)
        goto done;
    if (PyList_GET_SIZE(trailed) > 0) {
        out = evaluate_trailed(specs, matched, seen, trailed);
        goto done;
    }
    if (floats) {
        out = PyTuple_Pack(3, matched, seen, trailed);
        goto done;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(absent); i++) {
        PyObject *pair = PyTuple_GET_ITEM(absent, i);
        int has = PySet_Contains(seen, PyTuple_GET_ITEM(pair, 0));
        if (has < 0 || (!has && add_all(matched, PyTuple_GET_ITEM(pair, 1)) < 0))
            goto done;
    }
    if (few == Py_None) {
        out = collect(root, matched);
        goto done;
    }
    out = PyList_New(0);
    for (Py_ssize_t i = 0; out != NULL && i < PyTuple_GET_SIZE(few); i++) {
        PyObject *pair = PyTuple_GET_ITEM(few, i);
        int ok = all_in(PyTuple_GET_ITEM(pair, 0), matched);
        if (ok < 0 || (ok && PyList_Append(out, PyTuple_GET_ITEM(pair, 1)) < 0))
            Py_CLEAR(out);
    }
done:
    Py_XDECREF(matched);
    Py_XDECREF(seen);
    Py_XDECREF(trailed);
    return out;
}

/* touching(names, conditions_by_name, ids): the first name whose conditions meet the set `ids`, or None
 * (EventMatcher._match_in_arrays: a candidate none of whose conditions sits only inside arrays is a match). */
static PyObject *native_touching(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyList_CheckExact(args[0]) || !PyDict_CheckExact(args[1]) || !PyAnySet_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "touching(names, conditions_by_name, ids)");
        return NULL;
    }
    PyObject *ids = args[2];
    Py_ssize_t nids = PySet_GET_SIZE(ids);
    if (nids == 0)
        Py_RETURN_NONE;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(args[0]); i++) {
        PyObject *name = PyList_GET_ITEM(args[0], i);
        PyObject *conds = PyDict_GetItemWithError(args[1], name);
        if (conds == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetObject(PyExc_KeyError, name);
            return NULL;
        }
        /* iterate the smaller set, probe the larger */
        PyObject *small = PySet_GET_SIZE(conds) <= nids ? conds : ids, *large = small == conds ? ids : conds;
        PyObject *it = PyObject_GetIter(small), *item;
        if (it == NULL)
            return NULL;
        int hit = 0;
        while (!hit && (item = PyIter_Next(it)) != NULL) {
            hit = PySet_Contains(large, item);
            Py_DECREF(item);
        }
        Py_DECREF(it);
        if (hit < 0 || PyErr_Occurred())
            return NULL;
        if (hit)
            return Py_NewRef(name);
    }
    Py_RETURN_NONE;
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
     "match(obj, tables): the names matched, or (matched, seen, trailed) to finish in Python."},
    {"touching", (PyCFunction)(void (*)(void))native_touching, METH_FASTCALL,
     "touching(names, conditions_by_name, ids): the first name whose conditions meet ids, or None."},
    {"floats_exact", (PyCFunction)(void (*)(void))native_floats_exact, METH_FASTCALL,
     "floats_exact(text, floats): whether the long number tokens of text that read as floats are exact."},
    {"collect", (PyCFunction)(void (*)(void))native_collect, METH_FASTCALL,
     "collect(root, matched): names of the rules whose conditions are all in matched."},
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
