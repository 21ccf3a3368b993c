// The Python bindings of the native core: the Scanner and Found types, rewrite and check (the tables they
// take are declared in runtime/redact/native.py).
#include "redact.h"

namespace tamis_redact {

PyTypeObject FoundType = {PyVarObject_HEAD_INIT(nullptr, 0)};

namespace {

void scanner_dealloc(ScannerObject *self) {
  delete self->dets;
  delete self->dets_utf8;
  delete self->keyword_re;
  delete self->set;
  delete self->keywords;
  delete self->owner;
  Py_XDECREF(self->spec);
  Py_XDECREF(self->finding);
  Py_TYPE(self)->tp_free(reinterpret_cast<PyObject *>(self));
}

// Quiet RE2 options with a memory budget; leftmost-first unless `longest` (the keyword regex).
RE2::Options options(long max_mem, bool longest = false) { return RE2::Options(max_mem, longest); }

// The bytes of table as ranges [first, last], in order.
std::vector<std::pair<int, int>> table_ranges(const bool *table) {
  std::vector<std::pair<int, int>> r;
  for (int b = 0; b < 256; b++) {
    if (!table[b] || (b > 0 && table[b - 1])) continue;  // a range starts at b
    int e = b;
    while (e + 1 < 256 && table[e + 1]) e++;
    r.push_back({b, e});
  }
  return r;
}

// Ranges as [lo, lo + span]; their count.
int store_ranges(const std::vector<std::pair<int, int>> &r, unsigned char *lo, unsigned char *span) {
  for (size_t k = 0; k < r.size(); k++) {
    lo[k] = static_cast<unsigned char>(r[k].first);
    span[k] = static_cast<unsigned char>(r[k].second - r[k].first);
  }
  return static_cast<int>(r.size());
}

// The bytes of table as at most `most` ranges (0: more are needed).
int byte_ranges(const bool *table, int most, unsigned char *lo, unsigned char *span) {
  std::vector<std::pair<int, int>> r = table_ranges(table);
  return static_cast<int>(r.size()) > most ? 0 : store_ranges(r, lo, span);
}

// The bytes of table within at most `most` ranges, the closest ranges joined (with the bytes between).
int covering_ranges(const bool *table, int most, unsigned char *lo, unsigned char *span) {
  std::vector<std::pair<int, int>> r = table_ranges(table);
  while (static_cast<int>(r.size()) > most) {
    size_t best = 0;
    for (size_t k = 1; k + 1 < r.size(); k++)
      if (r[k + 1].first - r[k].second < r[best + 1].first - r[best].second) best = k;
    r[best].second = r[best + 1].second;
    r.erase(r.begin() + static_cast<long>(best) + 1);
  }
  return store_ranges(r, lo, span);
}

bool bytes_of(PyObject *o, std::string &out) {
  char *buf;
  Py_ssize_t len;
  if (PyBytes_AsStringAndSize(o, &buf, &len) < 0) return false;
  out.assign(buf, static_cast<size_t>(len));
  return true;
}

// The detector as a text that is not ASCII takes it (ScannerObject::dets_utf8).
Detector for_utf8(const Detector &d) {
  Detector u = d;
  if (!d.hints_ascii) {   // a hint's character that is not ASCII may be in the text: no hint holds
    u.has_required = u.has_alphabet = u.has_run = u.has_lead = u.value_by_lead = false;
    u.has_word_start = u.digit_starts = u.relaxed_local = false;
    u.required_single = -1;
    u.required_ranges = u.run_ranges = 0;
    u.streak_min = 0;
    u.streak_max = -1;
  }
  // a match of only ASCII characters (a known ASCII alphabet) is as many bytes long; any other as long as
  // the pattern allows in UTF-8 (max_bytes), else up to four times as many
  if (!(u.has_alphabet && d.max_len >= 0)) u.max_len = d.max_len < 0 ? -1 : d.max_bytes >= 0 ? d.max_bytes : 4 * d.max_len;
  return u;
}

// Scanner(detectors, keyword_spellings, keyword_owner, max_mem, finding_type, keyword_window, longest_keyword,
//         anchor_min_range, keyword_pattern, keyword_hit, keyword_variants)
//   detectors: sequence of (pattern: bytes, group, mode, check code, check fn, strict code, strict fn,
//              reach, exclude: iterable of str, name rank, name, required characters: str, their count,
//              alphabet, run alphabet, run lead, value lead, word start: str, streak min and max: int,
//              longest match or -1, the same in UTF-8 bytes or -1, whether the hints' characters were all
//              ASCII)
int scanner_init(ScannerObject *self, PyObject *args, PyObject *) {
  PyObject *dets, *kw_spellings, *owner, *kw_pattern, *kw_hit, *kw_variants;
  long max_mem, window, longest_keyword, anchor_min;
  PyTypeObject *finding;
  if (!PyArg_ParseTuple(args, "OOO!lO!lllOOO!", &dets, &kw_spellings, &PyDict_Type, &owner, &max_mem, &PyType_Type,
                        &finding, &window, &longest_keyword, &anchor_min, &kw_pattern, &kw_hit, &PyDict_Type,
                        &kw_variants))
    return -1;
  if ((kw_spellings == Py_None) != (kw_pattern == Py_None) || (kw_pattern != Py_None && !PyBytes_Check(kw_pattern)) ||
      (kw_pattern != Py_None && !PyCallable_Check(kw_hit))) {
    PyErr_SetString(PyExc_TypeError, "keyword pattern (bytes) and keyword_hit (callable) go with the spellings");
    return -1;
  }
  std::unique_ptr<RE2> keyword_re;
  if (kw_pattern != Py_None) {
    std::string p;
    if (!bytes_of(kw_pattern, p)) return -1;
    keyword_re = std::make_unique<RE2>(p, options(max_mem, true));
    if (!keyword_re->ok()) {
      PyErr_SetString(PyExc_ValueError, "native RE2 rejects the keyword pattern");
      return -1;
    }
  }
  self->anchor_min = anchor_min;
  self->window = window;
  self->longest_keyword = longest_keyword;
  if (!PyType_IsSubtype(finding, &PyTuple_Type)) {
    PyErr_SetString(PyExc_TypeError, "finding type must be a tuple subclass");
    return -1;
  }
  PyObject *seq = PySequence_Tuple(dets);
  if (seq == nullptr) return -1;
  Py_XDECREF(self->spec);
  self->spec = Py_BuildValue("(NOOO)", seq, kw_spellings, owner, kw_hit);
  if (self->spec == nullptr) return -1;
  Py_INCREF(finding);
  Py_XSETREF(self->finding, finding);
  auto detectors = std::make_unique<std::vector<Detector>>();
  Py_ssize_t count = PyTuple_GET_SIZE(seq);
  bool set_needed = false;
  auto set = std::make_unique<RE2::Set>(options(max_mem * std::max<Py_ssize_t>(1, count)), RE2::UNANCHORED);
  for (Py_ssize_t i = 0; i < count; i++) {
    PyObject *pat, *check_fn, *strict_fn, *exclude, *name, *required, *alphabet, *run, *lead, *value_lead, *word_start;
    int group, mode, check, strict, rank, required_count, streak_min, streak_max, hints_ascii;
    long reach, max_len, max_bytes;
    if (!PyArg_ParseTuple(PyTuple_GET_ITEM(seq, i), "O!iiiOiOlOiOUiUUUUUiillp", &PyBytes_Type, &pat, &group, &mode,
                          &check, &check_fn, &strict, &strict_fn, &reach, &exclude, &rank, &name, &required,
                          &required_count, &alphabet, &run, &lead, &value_lead, &word_start, &streak_min, &streak_max,
                          &max_len, &max_bytes, &hints_ascii))
      return -1;
    if (group < 0 || group > 9) {
      PyErr_SetString(PyExc_ValueError, "group out of range for the native scanner");
      return -1;
    }
    Detector d;
    std::string p;
    if (!bytes_of(pat, p)) return -1;
    d.re = std::make_shared<RE2>(p, options(max_mem));
    if (!d.re->ok() || !d.re->HasGroup(group)) {
      PyErr_Format(PyExc_ValueError, "native RE2 rejects pattern %zd", i);
      return -1;
    }
    d.group = group;
    d.mode = mode;
    d.keyed = mode != MODE_NONE;
    d.check = check;
    d.check_fn = check_fn;
    d.strict = strict;
    d.strict_fn = strict_fn;
    d.relaxes = mode == MODE_RELAXES && strict != CHECK_NONE;
    d.reach = reach;
    d.rank = rank;
    d.name = name;
    d.max_len = max_len;
    d.max_bytes = max_bytes;
    d.hints_ascii = hints_ascii;
    // the hints' characters that can occur in ASCII text (empty: nothing known)
    PyObject *hint_chars[6] = {required, alphabet, run, lead, value_lead, word_start};
    bool *hint_tables[6] = {d.required, d.alphabet, d.run, d.lead, d.value_lead, d.word_start};
    for (int h = 0; h < 6; h++) {
      if (!PyUnicode_IS_ASCII(hint_chars[h])) {
        PyErr_SetString(PyExc_ValueError, "hint characters must be ASCII");
        return -1;
      }
      const char *r = reinterpret_cast<const char *>(PyUnicode_DATA(hint_chars[h]));
      for (Py_ssize_t k = 0; k < PyUnicode_GET_LENGTH(hint_chars[h]); k++)
        hint_tables[h][static_cast<unsigned char>(r[k])] = true;
    }
    d.has_required = PyUnicode_GET_LENGTH(required) > 0 && required_count > 0;
    if (PyUnicode_GET_LENGTH(required) == 1) d.required_single = PyUnicode_READ_CHAR(required, 0);
    d.required_ranges = byte_ranges(d.required, 4, d.range_lo, d.range_span);
    d.required_count = required_count;
    d.has_alphabet = PyUnicode_GET_LENGTH(alphabet) > 0;
    d.has_run = PyUnicode_GET_LENGTH(run) > 0;
    d.run_ranges = d.has_run ? covering_ranges(d.run, 3, d.run_lo, d.run_span) : 0;
    d.has_lead = d.has_run && PyUnicode_GET_LENGTH(lead) > 0;
    d.value_by_lead = group > 0 && PyUnicode_GET_LENGTH(value_lead) > 0;
    d.has_word_start = group == 0 && PyUnicode_GET_LENGTH(word_start) > 0;
    d.streak_min = streak_min;
    d.streak_max = streak_max;
    d.digit_starts = d.has_word_start;
    for (int c = 0; c < 256; c++) d.digit_starts = d.digit_starts && (!d.word_start[c] || is_digit(static_cast<char>(c)));
    d.relaxed_local = d.relaxes && d.strict == CHECK_COUNTRY_CODE && d.value_by_lead && d.has_run && d.has_required &&
                      max_len >= 0;
    std::string lo, hi;  // every match starts with the common prefix of the least and greatest
    size_t prefix = 0;
    if (d.re->PossibleMatchRange(&lo, &hi, 8))
      while (prefix < lo.size() && prefix < hi.size() && lo[prefix] == hi[prefix]) prefix++;
    if (set->Add(p, nullptr) < 0) {
      PyErr_Format(PyExc_ValueError, "native RE2 set rejects pattern %zd", i);
      return -1;
    }
    d.prefixed = prefix >= 2;
    if (d.prefixed) d.prefix = lo.substr(0, prefix);
    d.needs_set = !d.has_required && d.mode != MODE_REQUIRED && !d.prefixed;
    set_needed = set_needed || d.needs_set;
    PyObject *it = PyObject_GetIter(exclude);
    if (it == nullptr) return -1;
    while (PyObject *item = PyIter_Next(it)) {
      Py_ssize_t len;
      const char *s = PyUnicode_AsUTF8AndSize(item, &len);
      Py_DECREF(item);
      if (s == nullptr) {
        Py_DECREF(it);
        return -1;
      }
      d.exclude.emplace(s, static_cast<size_t>(len));
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) return -1;
    detectors->push_back(std::move(d));
  }
  if (count && !set->Compile()) {
    PyErr_SetString(PyExc_ValueError, "native RE2 set does not compile");
    return -1;
  }
  auto owners = std::make_unique<std::unordered_map<std::string, std::vector<int>>>();
  PyObject *key, *value;
  Py_ssize_t at = 0;
  while (PyDict_Next(owner, &at, &key, &value)) {
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(key, &len);
    if (s == nullptr) return -1;
    std::vector<int> idx;
    PyObject *it = PyObject_GetIter(value);
    if (it == nullptr) return -1;
    while (PyObject *item = PyIter_Next(it)) {
      long v = PyLong_AsLong(item);
      Py_DECREF(item);
      if (v < 0 || v >= count) {
        Py_DECREF(it);
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "keyword owner out of range");
        return -1;
      }
      idx.push_back(static_cast<int>(v));
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) return -1;
    std::sort(idx.begin(), idx.end());
    (*owners)[std::string(s, static_cast<size_t>(len))] = std::move(idx);
  }
  std::unique_ptr<KeywordTrie> keywords;
  if (kw_spellings != Py_None) {
    keywords = std::make_unique<KeywordTrie>();
    // keyword character -> its variants that are not ASCII, as code points
    std::unordered_map<uint32_t, std::vector<uint32_t>> variants;
    PyObject *ch, *others;
    Py_ssize_t at_variant = 0;
    while (PyDict_Next(kw_variants, &at_variant, &ch, &others)) {
      if (!PyUnicode_Check(ch) || PyUnicode_GET_LENGTH(ch) != 1 || !PyUnicode_Check(others)) {
        PyErr_SetString(PyExc_TypeError, "keyword variants must map a character to a str");
        return -1;
      }
      std::vector<uint32_t> &v = variants[PyUnicode_READ_CHAR(ch, 0)];
      for (Py_ssize_t k = 0; k < PyUnicode_GET_LENGTH(others); k++) {
        Py_UCS4 x = PyUnicode_READ_CHAR(others, k);
        if (x < 0x80 || (x >= 0xD800 && x < 0xE000)) {
          PyErr_SetString(PyExc_ValueError, "keyword variants must be characters that are not ASCII");
          return -1;
        }
        v.push_back(x);
      }
    }
    if (!build_trie(kw_spellings, *owners, variants, *keywords)) return -1;
  }
  auto utf8 = std::make_unique<std::vector<Detector>>();
  for (const Detector &d : *detectors) utf8->push_back(for_utf8(d));
  delete self->dets;
  delete self->dets_utf8;
  delete self->keyword_re;
  delete self->set;
  delete self->keywords;
  delete self->owner;
  self->dets = detectors.release();
  self->dets_utf8 = utf8.release();
  self->keyword_re = keyword_re.release();
  self->hit_fn = kw_pattern != Py_None ? kw_hit : nullptr;  // borrowed: spec keeps it
  self->set = new std::unique_ptr<RE2::Set>(count ? std::move(set) : nullptr);
  self->set_needed = set_needed;
  self->set_first = 0;
  self->scans = 0;
  self->keywords = keywords.release();
  self->owner = owners.release();
  return 0;
}

// The findings as a list of Finding tuples (the scanner's finding type).
PyObject *findings_list(const ScannerObject *self, const std::vector<Raw> &raw) {
  const std::vector<Detector> &dets = *self->dets;
  PyObject *out = PyList_New(static_cast<Py_ssize_t>(raw.size()));
  if (out == nullptr) return nullptr;
  for (size_t k = 0; k < raw.size(); k++) {
    PyObject *f = self->finding->tp_alloc(self->finding, 3);
    PyObject *s = PyLong_FromLong(raw[k].start), *e = PyLong_FromLong(raw[k].end);
    if (f == nullptr || s == nullptr || e == nullptr) {
      Py_XDECREF(f);
      Py_XDECREF(s);
      Py_XDECREF(e);
      Py_DECREF(out);
      return nullptr;
    }
    PyObject *name = dets[raw[k].det].name;
    Py_INCREF(name);
    PyTuple_SET_ITEM(f, 0, name);
    PyTuple_SET_ITEM(f, 1, s);
    PyTuple_SET_ITEM(f, 2, e);
    // A str and two ints cannot be part of a reference cycle: the collector need not follow thousands of
    // findings (it untracks plain tuples of such items itself, not instances of a tuple subclass).
    PyObject_GC_UnTrack(f);
    PyList_SET_ITEM(out, static_cast<Py_ssize_t>(k), f);
  }
  return out;
}

// scan(text: str, allowed: bytes | None, explain: bool = False) -> list of findings, or None for a text that
// holds a lone surrogate; with explain, (findings, whether the set pass ran, the budget left) for the tests.
PyObject *scanner_scan(ScannerObject *self, PyObject *args) {
  PyObject *text, *allowed;
  int explain = 0;
  if (!PyArg_ParseTuple(args, "UO|p", &text, &allowed, &explain)) return nullptr;
  std::vector<Raw> raw;
  bool set_ran = false;
  long budget_left = 0;
  int done = scan_into(self, text, allowed, raw, set_ran, budget_left);
  if (done < 0) return nullptr;
  if (done == 0) Py_RETURN_NONE;
  PyObject *out = findings_list(self, raw);
  if (out == nullptr) return nullptr;
  if (explain) return Py_BuildValue("(NNl)", out, PyBool_FromLong(set_ran), budget_left);
  return out;
}

// keyword_hits(text) -> per detector, its keyword spans in bytes of the UTF-8 text (tests compare them with
// the Python keyword pass).
PyObject *scanner_keyword_hits(ScannerObject *self, PyObject *args) {
  PyObject *text;
  if (!PyArg_ParseTuple(args, "U", &text)) return nullptr;
  if (self->dets == nullptr) {
    PyErr_SetString(PyExc_ValueError, "an initialised scanner");
    return nullptr;
  }
  Py_ssize_t len;
  Utf8Buffer encoded;
  const char *t = utf8_of(text, encoded, &len);
  if (t == nullptr) return nullptr;
  KeywordHits kwh(self->dets->size());
  StringPiece data(t, static_cast<size_t>(len));
  if (self->keywords != nullptr && PyUnicode_IS_ASCII(text)) {
    keyword_hits(self, data, kwh);
  } else if (self->keywords != nullptr) {
    PyThreadState *save = PyEval_SaveThread();
    if (!keyword_hits_utf8(self, data, kwh, &save)) return nullptr;
    PyEval_RestoreThread(save);
  }
  PyObject *out = PyList_New(static_cast<Py_ssize_t>(kwh.size()));
  if (out == nullptr) return nullptr;
  for (size_t i = 0; i < kwh.size(); i++) {
    PyObject *spans = PyList_New(static_cast<Py_ssize_t>(kwh[i].size()));
    if (spans == nullptr) {
      Py_DECREF(out);
      return nullptr;
    }
    for (size_t k = 0; k < kwh[i].size(); k++) {
      PyObject *pair = Py_BuildValue("(ll)", kwh[i][k].start, kwh[i][k].end);
      if (pair == nullptr) {
        Py_DECREF(spans);
        Py_DECREF(out);
        return nullptr;
      }
      PyList_SET_ITEM(spans, static_cast<Py_ssize_t>(k), pair);
    }
    PyList_SET_ITEM(out, static_cast<Py_ssize_t>(i), spans);
  }
  return out;
}

// set_members() -> the detectors searched only where the RE2 set pass, run first, rules them in (needs_set),
// in order; the tests hold the choice to its rule.
PyObject *scanner_set_members(ScannerObject *self, PyObject *) {
  PyObject *out = PyList_New(0);
  for (size_t i = 0; out != nullptr && self->dets != nullptr && i < self->dets->size(); i++) {
    if (!(*self->dets)[i].needs_set) continue;
    PyObject *v = PyLong_FromSize_t(i);
    if (v == nullptr || PyList_Append(out, v) < 0) Py_CLEAR(out);
    Py_XDECREF(v);
  }
  if (out == nullptr) return nullptr;
  Py_SETREF(out, PyList_AsTuple(out));
  return out;
}


void found_dealloc(FoundObject *self) {
  delete self->raw;
  Py_XDECREF(self->scanner);
  Py_TYPE(self)->tp_free(reinterpret_cast<PyObject *>(self));
}

Py_ssize_t found_length(FoundObject *self) { return static_cast<Py_ssize_t>(self->raw->size()); }

// findings() -> a new list of Finding tuples, sorted as scan sorts them.
PyObject *found_findings(FoundObject *self, PyObject *) { return findings_list(self->scanner, *self->raw); }

// identifiers() -> frozenset of the names found.
PyObject *found_identifiers(FoundObject *self, PyObject *) {
  const std::vector<Detector> &dets = *self->scanner->dets;
  std::vector<char> seen(dets.size(), 0);
  PyObject *out = PyFrozenSet_New(nullptr);
  if (out == nullptr) return nullptr;
  for (const Raw &r : *self->raw) {
    if (seen[static_cast<size_t>(r.det)]) continue;
    seen[static_cast<size_t>(r.det)] = 1;
    if (PySet_Add(out, dets[static_cast<size_t>(r.det)].name) < 0) {
      Py_DECREF(out);
      return nullptr;
    }
  }
  return out;
}

PyMethodDef found_methods[] = {
    {"findings", reinterpret_cast<PyCFunction>(found_findings), METH_NOARGS,
     "findings() -> a new list of the findings, sorted by position"},
    {"identifiers", reinterpret_cast<PyCFunction>(found_identifiers), METH_NOARGS,
     "identifiers() -> frozenset of the identifier names found"},
    {nullptr, nullptr, 0, nullptr},
};

PySequenceMethods found_sequence = {};

// find(text: str, allowed: bytes | None) -> Found (the findings of scan, as records), or None for a text that
// holds a lone surrogate.
PyObject *scanner_find(ScannerObject *self, PyObject *args) {
  PyObject *text, *allowed;
  if (!PyArg_ParseTuple(args, "UO", &text, &allowed)) return nullptr;
  auto raw = std::make_unique<std::vector<Raw>>();
  bool set_ran = false;
  long budget_left = 0;
  int done = scan_into(self, text, allowed, *raw, set_ran, budget_left);
  if (done < 0) return nullptr;
  if (done == 0) Py_RETURN_NONE;
  FoundObject *out = PyObject_New(FoundObject, &FoundType);
  if (out == nullptr) return nullptr;
  Py_INCREF(self);
  out->scanner = self;
  out->raw = raw.release();
  return reinterpret_cast<PyObject *>(out);
}

// lone_surrogate(text) -> the index of its first lone surrogate, or None (json_values.lone_surrogate, which
// encodes the whole text to find out: CPython's encoder reads a str of two bytes a character one character
// at a time). A str of one byte a character holds none; a wider one is read sixteen bytes at a time.
PyObject *lone_surrogate(PyObject *, PyObject *text) {
  if (!PyUnicode_Check(text)) {
    PyErr_SetString(PyExc_TypeError, "lone_surrogate takes a str");
    return nullptr;
  }
  const Py_ssize_t n = PyUnicode_GET_LENGTH(text);
  Py_ssize_t i = 0;
  if (PyUnicode_KIND(text) == PyUnicode_1BYTE_KIND) Py_RETURN_NONE;
  if (PyUnicode_KIND(text) == PyUnicode_2BYTE_KIND) {
    const Py_UCS2 *s = PyUnicode_2BYTE_DATA(text);
#if defined(__SSE2__)
    const __m128i top = _mm_set1_epi16(static_cast<short>(0xF800)), surrogate = _mm_set1_epi16(static_cast<short>(0xD800));
    for (; i + 8 <= n; i += 8) {  // a surrogate is 11011xxx xxxxxxxx
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + i));
      unsigned hits = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi16(_mm_and_si128(v, top), surrogate)));
      if (hits) return PyLong_FromSsize_t(i + __builtin_ctz(hits) / 2);
    }
#endif
    for (; i < n; i++)
      if ((s[i] & 0xF800) == 0xD800) return PyLong_FromSsize_t(i);
    Py_RETURN_NONE;
  }
  const Py_UCS4 *s = PyUnicode_4BYTE_DATA(text);
  for (; i < n; i++)
    if (s[i] >= 0xD800 && s[i] < 0xE000) return PyLong_FromSsize_t(i);
  Py_RETURN_NONE;
}

PyObject *scanner_new(PyTypeObject *type, PyObject *, PyObject *) {
  ScannerObject *self = reinterpret_cast<ScannerObject *>(type->tp_alloc(type, 0));
  if (self != nullptr) {
    self->dets = nullptr;
    self->dets_utf8 = nullptr;
    self->keyword_re = nullptr;
    self->hit_fn = nullptr;
    self->set = nullptr;
    self->set_needed = false;
    self->set_first = 0;
    self->scans = 0;
    self->keywords = nullptr;
    self->owner = nullptr;
    self->spec = nullptr;
    self->finding = nullptr;
  }
  return reinterpret_cast<PyObject *>(self);
}

PyMethodDef scanner_methods[] = {
    {"scan", reinterpret_cast<PyCFunction>(scanner_scan), METH_VARARGS,
     "scan(text, allowed, explain=False) -> sorted findings, or None when text has a lone surrogate; with explain, "
     "(findings, whether the RE2 set pass ran, the waste budget left)"},
    {"find", reinterpret_cast<PyCFunction>(scanner_find), METH_VARARGS,
     "find(text, allowed) -> Found, the findings of scan held natively, or None when text has a lone surrogate"},
    {"keyword_hits", reinterpret_cast<PyCFunction>(scanner_keyword_hits), METH_VARARGS,
     "keyword_hits(text) -> [[(start, end), ...] per detector], byte offsets of the UTF-8 text"},
    {"set_members", reinterpret_cast<PyCFunction>(scanner_set_members), METH_NOARGS,
     "set_members() -> indices of the detectors the RE2 set pass must rule in before they are searched"},
    {nullptr, nullptr, 0, nullptr},
};

PyTypeObject ScannerType = {PyVarObject_HEAD_INIT(nullptr, 0)};

// check(code, text, start, end) -> 1 holds, 0 fails, -1 left to the Python check (tests compare the two).
PyObject *check(PyObject *, PyObject *args) {
  int code;
  PyObject *text;
  long s, e;
  if (!PyArg_ParseTuple(args, "iUll", &code, &text, &s, &e)) return nullptr;
  Py_ssize_t len;
  const char *t = PyUnicode_AsUTF8AndSize(text, &len);
  if (t == nullptr) return nullptr;
  if (!PyUnicode_IS_ASCII(text) || s < 0 || e > len || s >= e) {
    PyErr_SetString(PyExc_ValueError, "an ASCII text and a non-empty span inside it");
    return nullptr;
  }
  return PyLong_FromLong(native_check(code, t, static_cast<long>(len), s, e));
}

PyMethodDef module_methods[] = {
    {"check", check, METH_VARARGS, "check(code, text, start, end) -> 1, 0, or -1 (the Python check decides)"},
    {"rewrite", rewrite, METH_VARARGS, "rewrite(message, findings, operations) -> str, or None (Python decides)"},
    {"lone_surrogate", lone_surrogate, METH_O, "lone_surrogate(text) -> index of its first lone surrogate, or None"},
    {nullptr, nullptr, 0, nullptr},
};

PyModuleDef module = {PyModuleDef_HEAD_INIT, "_redact", "Native core of tamis's data-protection scanner.", -1,
                      module_methods};

}  // namespace
}  // namespace tamis_redact

using namespace tamis_redact;  // the types and tables above, for the init function

PyMODINIT_FUNC PyInit__redact(void) {
  {  // the RE2 of google-re2's extension (re2_link.h); the import fails, with the reason, where it cannot serve
    PyObject *binding = PyImport_ImportModule("re2._re2");
    if (binding == nullptr) return nullptr;
    PyObject *file = PyObject_GetAttrString(binding, "__file__");
    Py_DECREF(binding);
    if (file == nullptr) return nullptr;
    const char *path = PyUnicode_AsUTF8(file);
    std::string why = path == nullptr ? std::string() : tamis_re2::link(path);
    Py_DECREF(file);
    if (path == nullptr) return nullptr;
    if (!why.empty()) {
      PyErr_Format(PyExc_ImportError, "the redactor's core cannot use google-re2's RE2: %s", why.c_str());
      return nullptr;
    }
  }
  ScannerType.tp_name = "tamis.runtime._redact.Scanner";
  ScannerType.tp_basicsize = sizeof(ScannerObject);
  ScannerType.tp_flags = Py_TPFLAGS_DEFAULT;
  ScannerType.tp_new = scanner_new;
  ScannerType.tp_init = reinterpret_cast<initproc>(scanner_init);
  ScannerType.tp_dealloc = reinterpret_cast<destructor>(scanner_dealloc);
  ScannerType.tp_methods = scanner_methods;
  if (PyType_Ready(&ScannerType) < 0) return nullptr;
  FoundType.tp_name = "tamis.runtime._redact.Found";
  FoundType.tp_basicsize = sizeof(FoundObject);
  FoundType.tp_flags = Py_TPFLAGS_DEFAULT;
  FoundType.tp_dealloc = reinterpret_cast<destructor>(found_dealloc);
  FoundType.tp_methods = found_methods;
  found_sequence.sq_length = reinterpret_cast<lenfunc>(found_length);
  FoundType.tp_as_sequence = &found_sequence;
  FoundType.tp_doc = "The findings of one scan, held natively (Scanner.find).";
  if (PyType_Ready(&FoundType) < 0) return nullptr;
  PyObject *m = PyModule_Create(&module);
  if (m == nullptr) return nullptr;
  Py_INCREF(&ScannerType);
  if (PyModule_AddObject(m, "Scanner", reinterpret_cast<PyObject *>(&ScannerType)) < 0) {
    Py_DECREF(&ScannerType);
    Py_DECREF(m);
    return nullptr;
  }
  return m;
}
