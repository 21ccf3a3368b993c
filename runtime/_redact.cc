// Native core of the data-protection scanner (optional; runtime/detectors.py is the definition).
//
// It runs Scanner.scan for ASCII messages in one call: the RE2 set pass, the keyword pass, the exact
// spans of each identifier that hit (whole message or windows around its keywords), the keyword
// windows and the checks, and returns the sorted findings. The Python binding of RE2 costs about a
// microsecond per call and a dense message needs several calls per finding; here each is a plain C++
// call into RE2 (Debian's libre2). Non-ASCII messages, where byte and character offsets differ and
// keyword boundaries follow Unicode categories, stay on the Python path. Checks without a native
// form here (IPv6, IBAN, ...) call the Python check, so both paths share one definition of each. The RE2
// work runs without the GIL: a service scanning messages on several threads uses several cores.
//
// Everything follows runtime/detectors.py step by step; the differential tests in
// tests/test_redact_native.py hold the two to the same findings.
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace {

using re2::RE2;
using re2::StringPiece;

// Check codes: the Python check functions with a native form (tamis.runtime.detectors.NATIVE_CHECKS).
enum Check {
  CHECK_NONE = 0,
  CHECK_PYTHON,  // no native form: call the Python check
  CHECK_CREDIT_CARD,
  CHECK_LUHN,
  CHECK_NUMBER,
  CHECK_SSN_US,
  CHECK_IPV4,
  CHECK_PHONE_NANP,
  CHECK_PHONE_ANY,
  CHECK_VIN,
  CHECK_EXPIRY,
  CHECK_EMAIL,
  CHECK_AWS_SECRET,
  CHECK_HAS_DIGIT,
  CHECK_COUNTRY_CODE,
};

enum Mode { MODE_NONE = 0, MODE_REQUIRED = 1, MODE_RELAXES = 2 };

struct Detector {
  std::unique_ptr<RE2> re;
  int group = 0;
  int mode = MODE_NONE;
  bool keyed = false;
  bool relaxes = false;
  int check = CHECK_NONE;
  int strict = CHECK_NONE;
  PyObject *check_fn = nullptr;   // the Python check (borrowed from the tuple kept in Scanner.spec)
  PyObject *strict_fn = nullptr;
  long reach = 0;
  std::unordered_set<std::string> exclude;
  int rank = 0;  // position of the name in sorted order: findings sort by (start, -end, name)
  // Every match contains one of these characters (when has_required) and is at most max_len long (when
  // >= 0): a search only needs the part of the text those allow (the results are the same).
  bool has_required = false;
  bool required[256] = {};
  long max_len = -1;
  PyObject *name = nullptr;  // borrowed, kept alive by spec
};

struct Span {
  long start, end;
};

struct Raw {
  long start, end;
  int rank, det;
  bool operator<(const Raw &o) const {
    if (start != o.start) return start < o.start;
    if (end != o.end) return end > o.end;  // longer first
    return rank < o.rank;
  }
};

struct ScannerObject {
  PyObject_HEAD
  std::vector<Detector> *dets;
  std::unique_ptr<RE2::Set> *set;
  std::unique_ptr<RE2> *keywords;
  std::unordered_map<std::string, std::vector<int>> *owner;
  long window;             // detectors.KEYWORD_WINDOW
  long longest_keyword;    // detectors._LONGEST_KEYWORD
  PyObject *spec;          // keeps every borrowed object alive
  PyTypeObject *finding;   // tuple subclass the findings are built as
};

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
inline bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool is_alnum(char c) { return is_digit(c) || is_lower(c) || is_upper(c); }
inline char to_lower(char c) { return is_upper(c) ? static_cast<char>(c + 32) : c; }
inline bool in(char c, const char *set) {
  for (; *set; ++set)
    if (*set == c) return true;
  return false;
}

std::string digits_of(const char *t, long s, long e) {
  std::string d;
  for (long i = s; i < e; i++)
    if (is_digit(t[i])) d.push_back(t[i]);
  return d;
}

bool luhn_ok(const std::string &d) {
  int total = 0;
  long n = static_cast<long>(d.size());
  for (long i = 0; i < n; i++) {
    int v = d[n - 1 - i] - '0';
    if (i % 2 == 1) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    total += v;
  }
  return total % 10 == 0;
}

// detectors._standalone_number: not part of a decimal, a version, a date or a longer code.
bool standalone_number(const char *t, long n, long s, long e) {
  long b0 = s >= 2 ? s - 2 : 0;
  long blen = s - b0;
  char bfirst = blen ? t[b0] : 0, blast = blen ? t[s - 1] : 0;
  long alen = std::min(2L, n - e);
  char afirst = alen ? t[e] : 0, asecond = alen > 1 ? t[e + 1] : 0;
  if (blen && in(blast, "/.-:+") && is_alnum(bfirst)) return false;
  if (alen && in(afirst, "/.-:,") && alen > 1 && is_digit(asecond)) return false;
  if (e - s <= 4 && ((blen && blast == ' ' && is_digit(bfirst)) || (alen && afirst == ' ' && alen > 1 && is_digit(asecond))))
    return false;
  return !((blen && blast == '$') || (alen && afirst == '%'));
}

int prefix_int(const std::string &d, int k) {
  int v = 0;
  for (int i = 0; i < k; i++) v = v * 10 + (d[i] - '0');
  return v;
}

bool issuer_ok(const std::string &d) {
  size_t n = d.size();
  int p2 = prefix_int(d, 2), p3 = prefix_int(d, 3), p4 = prefix_int(d, 4), p6 = prefix_int(d, 6);
  if (d[0] == '4') return n == 13 || n == 16 || n == 19;
  if (p2 == 34 || p2 == 37) return n == 15;
  if ((51 <= p2 && p2 <= 55) || (2221 <= p4 && p4 <= 2720)) return n == 16;
  if (p4 == 5019) return n == 16;
  if ((300 <= p3 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39 || p4 == 3095) return 14 <= n && n <= 19;
  if (3528 <= p4 && p4 <= 3589) return 16 <= n && n <= 19;
  if (p4 == 6011 || (644 <= p3 && p3 <= 649) || p2 == 65 || (622126 <= p6 && p6 <= 622925)) return 16 <= n && n <= 19;
  if (p2 == 62) return 16 <= n && n <= 19;
  return false;
}

int vin_value(char c) {
  if (is_digit(c)) return c - '0';
  static const char *letters = "ABCDEFGHJKLMNPRSTUVWXYZ";
  static const int values[] = {1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9};
  for (int i = 0; letters[i]; i++)
    if (letters[i] == c) return values[i];
  return -1;
}

// Result of a native check: 1 holds, 0 fails, -1 undecided here (the Python check decides).
int native_check(int code, const char *t, long n, long s, long e) {
  switch (code) {
    case CHECK_CREDIT_CARD: {
      std::string d = digits_of(t, s, e);
      if (d.size() < 13 || d.size() > 19 || !standalone_number(t, n, s, e)) return 0;
      return issuer_ok(d) && luhn_ok(d);
    }
    case CHECK_LUHN:
      return luhn_ok(digits_of(t, s, e)) && standalone_number(t, n, s, e);
    case CHECK_NUMBER:
      return standalone_number(t, n, s, e);
    case CHECK_SSN_US: {
      std::string d = digits_of(t, s, e);
      if (d.size() != 9 || !standalone_number(t, n, s, e)) return 0;
      int area = prefix_int(d, 3), group = (d[3] - '0') * 10 + (d[4] - '0');
      int serial = std::stoi(d.substr(5));
      return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
    }
    case CHECK_IPV4: {
      // parts of 1-3 ASCII digits decide here; anything else is left to int() in the Python check
      std::vector<Span> parts;
      long p = s;
      for (long i = s; i <= e; i++) {
        if (i == e || t[i] == '.') {
          parts.push_back({p, i});
          p = i + 1;
        }
      }
      if (parts.size() != 4) return 0;
      if (e < n && t[e] == '.' && e + 1 < n && is_digit(t[e + 1])) return 0;
      if (s > 0 && t[s - 1] == '.') return 0;
      for (const Span &part : parts) {
        long len = part.end - part.start;
        if (len < 1 || len > 3) return len > 3 ? 0 : -1;
        int v = 0;
        for (long i = part.start; i < part.end; i++) {
          if (!is_digit(t[i])) return -1;
          v = v * 10 + (t[i] - '0');
        }
        if (v > 255 || (len > 1 && t[part.start] == '0')) return 0;
      }
      return 1;
    }
    case CHECK_PHONE_NANP: {
      std::string d = digits_of(t, s, e);
      if (d.size() == 11 && d[0] == '1') d.erase(0, 1);
      return d.size() == 10 && d[0] != '0' && d[0] != '1' && d[3] != '0' && d[3] != '1' && standalone_number(t, n, s, e);
    }
    case CHECK_PHONE_ANY: {
      size_t k = digits_of(t, s, e).size();
      return k >= 8 && k <= 15 && standalone_number(t, n, s, e);
    }
    case CHECK_VIN: {
      if (e - s != 17) return 0;
      std::string vin(t + s, t + e);
      bool digit = false;
      for (char &c : vin) {
        if (is_lower(c)) c = static_cast<char>(c - 32);
        if (c == 'I' || c == 'O' || c == 'Q') return 0;
        digit = digit || is_digit(c);
      }
      if (!digit) return 0;
      if (!in(vin[0], "12345")) return 1;
      static const int weights[] = {8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2};
      int total = 0;
      for (int i = 0; i < 17; i++) {
        int v = vin_value(vin[i]);
        if (v < 0) return -1;  // outside the VIN alphabet: the Python table decides
        total += v * weights[i];
      }
      int r = total % 11;
      return vin[8] == (r == 10 ? 'X' : static_cast<char>('0' + r));
    }
    case CHECK_EXPIRY: {
      long b0 = s >= 2 ? s - 2 : 0;
      if (s - b0 > 0 && in(t[s - 1], "/-.:") && is_digit(t[b0])) return 0;
      if (e < n && in(t[e], "/-.:") && e + 1 < n && is_digit(t[e + 1])) return 0;
      return 1;
    }
    case CHECK_EMAIL: {
      long at = -1;
      for (long i = e - 1; i >= s; i--)
        if (t[i] == '@') {
          at = i;
          break;
        }
      if (at <= s) return 0;  // no "@", or nothing before it
      bool dot = false;
      for (long i = at + 1; i < e; i++) dot = dot || t[i] == '.';
      for (long i = s; i + 1 < e; i++)
        if (t[i] == '.' && t[i + 1] == '.') return 0;
      return dot && !(at + 1 < e && t[at + 1] == '-');
    }
    case CHECK_AWS_SECRET: {
      bool up = false, low = false;
      for (long i = s; i < e; i++) {
        up = up || is_upper(t[i]);
        low = low || is_lower(t[i]);
      }
      return up && low;
    }
    case CHECK_HAS_DIGIT:
      for (long i = s; i < e; i++)
        if (is_digit(t[i])) return 1;
      return 0;
    case CHECK_COUNTRY_CODE:
      if (t[s] == '+') return 1;
      if (s + 2 <= n && t[s] == '0' && t[s + 1] == '0')
        return s + 2 >= n || in(t[s + 2], "123456789");  // "" in "123..." holds in Python
      return 0;
    default:
      return -1;
  }
}

// 1 holds, 0 fails, -1 a Python exception is set.
int run_check(int code, PyObject *fn, PyObject *text, const char *t, long n, long s, long e) {
  if (code == CHECK_NONE) return 1;
  int r = native_check(code, t, n, s, e);
  if (r >= 0) return r;
  PyObject *res = PyObject_CallFunction(fn, "Oll", text, s, e);
  if (res == nullptr) return -1;
  int truth = PyObject_IsTrue(res);
  Py_DECREF(res);
  return truth;
}

// detectors._spans_into: leftmost-first spans of the detector's group in [pos, end].
void spans_into(const Detector &d, const StringPiece &text, long pos, long end, std::vector<Span> &out) {
  StringPiece sub[10];
  int nsub = d.group + 1;
  long last_required = end;
  if (d.has_required) {
    // A match holds a required character r, so it starts at most at the last one and, at most max_len
    // long, ends by r + max_len; RE2 reads the text past endpos as context, so the matches found in the
    // shorter range are exactly those of the whole range.
    const unsigned char *u = reinterpret_cast<const unsigned char *>(text.data());
    last_required = end - 1;
    while (last_required >= pos && !d.required[u[last_required]]) last_required--;
    if (last_required < pos) return;
    if (d.max_len >= 0) end = std::min(end, last_required + d.max_len);
  }
  while (pos <= end && pos <= last_required) {
    if (!d.re->Match(text, static_cast<size_t>(pos), static_cast<size_t>(end), RE2::UNANCHORED, sub, nsub)) return;
    long s = sub[0].data() - text.data();
    long e = s + static_cast<long>(sub[0].size());
    long nxt;
    if (d.group == 0) {
      out.push_back({s, e});
      nxt = e;
    } else if (sub[d.group].data() != nullptr) {
      long gs = sub[d.group].data() - text.data();
      long ge = gs + static_cast<long>(sub[d.group].size());
      out.push_back({gs, ge});
      nxt = ge;
    } else {
      nxt = e;
    }
    pos = nxt > pos ? nxt : pos + 1;
  }
}

// detectors._keyword_bounded for ASCII text.
bool keyword_bounded(const char *t, long n, long s, long e) {
  if (s > 0 && is_alnum(t[s - 1]) && is_alnum(t[s]) && !(is_lower(t[s - 1]) && is_upper(t[s]))) return false;
  if (e < n && is_alnum(t[e]) && is_alnum(t[e - 1]) && !(is_lower(t[e - 1]) && is_upper(t[e]))) {
    long last = 0;  // length of the last separator-delimited word ("exp d": "d")
    for (long i = e - 1; i >= s && t[i] != ' ' && t[i] != '_' && t[i] != '-'; i--) last++;
    return last == 1;
  }
  return true;
}

using KeywordHits = std::vector<std::vector<Span>>;  // detector index -> keyword spans, in order

// detectors.Scanner._keyword_hits_ascii.
void keyword_hits(const ScannerObject *self, const StringPiece &text, KeywordHits &out) {
  const RE2 &re = **self->keywords;
  const char *t = text.data();
  long n = static_cast<long>(text.size());
  long pos = 0;
  StringPiece m;
  std::string norm;
  while (pos <= n) {
    if (!re.Match(text, static_cast<size_t>(pos), static_cast<size_t>(n), RE2::UNANCHORED, &m, 1)) break;
    long hit = m.data() - t, b1 = hit + static_cast<long>(m.size());
    long nxt = b1 > hit ? b1 - 1 : b1;  // share the last character
    pos = nxt > pos ? nxt : pos + 1;
    long starts[2] = {hit + 1, -1};
    if (hit == 0) {
      starts[0] = 0;
      starts[1] = 1;
    }
    while (true) {
      const std::vector<int> *served = nullptr;
      long b0 = -1;
      for (long cand : starts) {
        if (cand < 0 || cand >= b1) continue;
        norm.clear();
        for (long i = cand; i < b1; i++) {
          char c = t[i];
          if (c != ' ' && c != '_' && c != '-') norm.push_back(to_lower(c));
        }
        auto it = self->owner->find(norm);
        if (it != self->owner->end() && !it->second.empty()) {
          served = &it->second;
          b0 = cand;
          break;
        }
      }
      if (served == nullptr) break;
      if (b1 < n && is_alnum(t[b1]) && is_alnum(t[b1 - 1]) && !keyword_bounded(t, n, b0, b1)) {
        // detectors._shorter_keyword: the longest keyword at the same place that stops earlier
        if (b1 - 1 <= b0) break;
        StringPiece sm;
        if (!re.Match(text, static_cast<size_t>(hit), static_cast<size_t>(b1 - 1), RE2::ANCHOR_START, &sm, 1)) break;
        long se = (sm.data() - t) + static_cast<long>(sm.size());
        if (se <= b0) break;
        b1 = se;
        continue;
      }
      for (int i : *served) out[i].push_back({b0, b1});
      break;
    }
  }
}

// detectors._near_sorted.
bool near(const ScannerObject *self, const std::vector<Span> &kws, long s, long e) {
  long window = self->window;
  long lo = s - window - self->longest_keyword;
  auto it = std::lower_bound(kws.begin(), kws.end(), lo, [](const Span &k, long v) { return k.start < v; });
  for (; it != kws.end(); ++it) {
    if (it->start > e + window) break;
    if (it->end <= s && s - it->end <= window) return true;
    if (it->start >= e && it->start - e <= window) return true;
  }
  return false;
}

void scanner_dealloc(ScannerObject *self) {
  delete self->dets;
  delete self->set;
  delete self->keywords;
  delete self->owner;
  Py_XDECREF(self->spec);
  Py_XDECREF(self->finding);
  Py_TYPE(self)->tp_free(reinterpret_cast<PyObject *>(self));
}

RE2::Options options(long max_mem, bool longest) {
  RE2::Options o;
  o.set_max_mem(max_mem);
  o.set_log_errors(false);
  o.set_longest_match(longest);
  return o;
}

bool bytes_of(PyObject *o, std::string &out) {
  char *buf;
  Py_ssize_t len;
  if (PyBytes_AsStringAndSize(o, &buf, &len) < 0) return false;
  out.assign(buf, static_cast<size_t>(len));
  return true;
}

// Scanner(detectors, keyword_regex, keyword_owner, max_mem, finding_type, keyword_window, longest_keyword)
//   detectors: sequence of (pattern: bytes, group, mode, check code, check fn, strict code, strict fn,
//              reach, exclude: iterable of str, name rank, name)
int scanner_init(ScannerObject *self, PyObject *args, PyObject *) {
  PyObject *dets, *kw_regex, *owner;
  long max_mem, window, longest_keyword;
  PyTypeObject *finding;
  if (!PyArg_ParseTuple(args, "OOO!lO!ll", &dets, &kw_regex, &PyDict_Type, &owner, &max_mem, &PyType_Type, &finding,
                        &window, &longest_keyword))
    return -1;
  self->window = window;
  self->longest_keyword = longest_keyword;
  if (!PyType_IsSubtype(finding, &PyTuple_Type)) {
    PyErr_SetString(PyExc_TypeError, "finding type must be a tuple subclass");
    return -1;
  }
  PyObject *seq = PySequence_Tuple(dets);
  if (seq == nullptr) return -1;
  Py_XDECREF(self->spec);
  self->spec = Py_BuildValue("(NOO)", seq, kw_regex, owner);
  if (self->spec == nullptr) return -1;
  Py_INCREF(finding);
  Py_XSETREF(self->finding, finding);
  auto detectors = std::make_unique<std::vector<Detector>>();
  Py_ssize_t count = PyTuple_GET_SIZE(seq);
  auto set = std::make_unique<RE2::Set>(options(max_mem * std::max<Py_ssize_t>(1, count), false), RE2::UNANCHORED);
  for (Py_ssize_t i = 0; i < count; i++) {
    PyObject *pat, *check_fn, *strict_fn, *exclude, *name, *required;
    int group, mode, check, strict, rank;
    long reach, max_len;
    if (!PyArg_ParseTuple(PyTuple_GET_ITEM(seq, i), "O!iiiOiOlOiOOl", &PyBytes_Type, &pat, &group, &mode, &check,
                          &check_fn, &strict, &strict_fn, &reach, &exclude, &rank, &name, &required, &max_len))
      return -1;
    if (group < 0 || group > 9) {
      PyErr_SetString(PyExc_ValueError, "group out of range for the native scanner");
      return -1;
    }
    Detector d;
    std::string p;
    if (!bytes_of(pat, p)) return -1;
    d.re = std::make_unique<RE2>(p, options(max_mem, false));
    if (!d.re->ok() || d.re->NumberOfCapturingGroups() < group) {
      PyErr_Format(PyExc_ValueError, "native RE2 rejects pattern %zd", i);
      return -1;
    }
    if (set->Add(p, nullptr) < 0) {
      PyErr_Format(PyExc_ValueError, "native RE2 set rejects pattern %zd", i);
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
    if (required != Py_None) {  // the required characters that can occur in ASCII text
      Py_ssize_t rlen;
      const char *r = PyUnicode_AsUTF8AndSize(required, &rlen);
      if (r == nullptr || !PyUnicode_IS_ASCII(required)) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "required characters must be ASCII");
        return -1;
      }
      d.has_required = true;
      for (Py_ssize_t k = 0; k < rlen; k++) d.required[static_cast<unsigned char>(r[k])] = true;
    }
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
  auto keywords = std::make_unique<std::unique_ptr<RE2>>();
  if (kw_regex != Py_None) {
    std::string p;
    if (!bytes_of(kw_regex, p)) return -1;
    keywords->reset(new RE2(p, options(max_mem, true)));
    if (!(*keywords)->ok()) {
      PyErr_SetString(PyExc_ValueError, "native RE2 rejects the keyword pattern");
      return -1;
    }
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
  delete self->dets;
  delete self->set;
  delete self->keywords;
  delete self->owner;
  self->dets = detectors.release();
  self->set = new std::unique_ptr<RE2::Set>(count ? std::move(set) : nullptr);
  self->keywords = keywords.release();
  self->owner = owners.release();
  return 0;
}

// scan(text: str, allowed: bytes | None) -> list of findings, or None for a text that is not ASCII.
PyObject *scanner_scan(ScannerObject *self, PyObject *args) {
  PyObject *text, *allowed;
  if (!PyArg_ParseTuple(args, "UO", &text, &allowed)) return nullptr;
  if (self->dets == nullptr) {
    PyErr_SetString(PyExc_RuntimeError, "scanner not initialised");
    return nullptr;
  }
  if (!PyUnicode_IS_ASCII(text)) Py_RETURN_NONE;
  const std::vector<Detector> &dets = *self->dets;
  const char *mask = nullptr;
  if (allowed != Py_None) {
    if (!PyBytes_Check(allowed) || PyBytes_GET_SIZE(allowed) != static_cast<Py_ssize_t>(dets.size())) {
      PyErr_SetString(PyExc_ValueError, "allowed must be one byte per detector");
      return nullptr;
    }
    mask = PyBytes_AS_STRING(allowed);
  }
  Py_ssize_t len;
  const char *t = PyUnicode_AsUTF8AndSize(text, &len);  // ASCII: the str's own buffer, no copy
  if (t == nullptr) return nullptr;
  long n = static_cast<long>(len);
  StringPiece data(t, static_cast<size_t>(len));
  std::vector<Raw> raw;
  // Candidates whose check (stage 0) or strict check (stage 1) has no native form: decided afterwards, in
  // order, with the GIL, so the RE2 work above runs without it (other threads go on meanwhile).
  struct Pending {
    long start, end;
    int det, stage;
    bool near_keyword;  // for a relaxing detector: whether a keyword is in the window (strict check spared)
  };
  std::vector<Pending> pending;
  Py_BEGIN_ALLOW_THREADS;
  if (*self->set) {
    std::vector<int> hit;
    (*self->set)->Match(data, &hit);
    std::sort(hit.begin(), hit.end());
    if (mask != nullptr) hit.erase(std::remove_if(hit.begin(), hit.end(), [&](int i) { return !mask[i]; }), hit.end());
    KeywordHits kwh;
    bool keyed = false;
    for (int i : hit) keyed = keyed || dets[i].keyed;
    if (keyed && *self->keywords) {
      kwh.resize(dets.size());
      keyword_hits(self, data, kwh);
    }
    static const std::vector<Span> none;
    std::vector<Span> spans;
    for (int i : hit) {
      const Detector &d = dets[i];
      const std::vector<Span> &kws = kwh.empty() ? none : kwh[i];
      spans.clear();
      if (d.mode == MODE_REQUIRED) {
        if (kws.empty()) continue;
        long lo = -1, hi = -1;
        for (const Span &k : kws) {  // windows around the keywords, merged when they touch
          long wlo = std::max(0L, k.start - d.reach), whi = std::min(n, k.end + d.reach);
          if (hi >= 0 && wlo <= hi) {
            hi = std::max(hi, whi);
          } else {
            if (hi >= 0) spans_into(d, data, lo, hi, spans);
            lo = wlo;
            hi = whi;
          }
        }
        if (hi >= 0) spans_into(d, data, lo, hi, spans);
      } else {
        spans_into(d, data, 0, n, spans);
      }
      bool required = d.mode == MODE_REQUIRED;
      for (const Span &sp : spans) {
        long s = sp.start, e = sp.end;
        if (s == e) continue;
        if (required && !near(self, kws, s, e)) continue;
        if (!d.exclude.empty() && d.exclude.count(digits_of(t, s, e))) continue;
        int ok = d.check == CHECK_NONE ? 1 : native_check(d.check, t, n, s, e);
        if (ok < 0) {
          pending.push_back({s, e, i, 0, d.relaxes && near(self, kws, s, e)});
          raw.push_back({s, e, d.rank, -1});  // a place kept in order; filled in or dropped below
          continue;
        }
        if (!ok) continue;
        if (d.relaxes && !near(self, kws, s, e)) {
          ok = native_check(d.strict, t, n, s, e);
          if (ok < 0) {
            pending.push_back({s, e, i, 1, false});
            raw.push_back({s, e, d.rank, -1});
            continue;
          }
          if (!ok) continue;
        }
        raw.push_back({s, e, d.rank, i});
      }
    }
  }
  Py_END_ALLOW_THREADS;
  if (!pending.empty()) {
    // The Python checks, in the order the Python path calls them (its first exception is the one raised).
    size_t next = 0;
    for (Raw &r : raw) {
      if (r.det >= 0) continue;
      const Pending &p = pending[next++];
      const Detector &d = dets[static_cast<size_t>(p.det)];
      int ok = 1;
      if (p.stage == 0) {
        ok = run_check(d.check, d.check_fn, text, t, n, p.start, p.end);
        if (ok < 0) return nullptr;
        if (ok && d.relaxes && !p.near_keyword) {
          ok = run_check(d.strict, d.strict_fn, text, t, n, p.start, p.end);
          if (ok < 0) return nullptr;
        }
      } else {
        ok = run_check(d.strict, d.strict_fn, text, t, n, p.start, p.end);
        if (ok < 0) return nullptr;
      }
      r.det = ok ? p.det : -2;
    }
    raw.erase(std::remove_if(raw.begin(), raw.end(), [](const Raw &r) { return r.det < 0; }), raw.end());
  }
  std::sort(raw.begin(), raw.end());
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
    PyList_SET_ITEM(out, static_cast<Py_ssize_t>(k), f);
  }
  return out;
}


// ---------------------------------------------------------------------------------------------
// De-identification of an ASCII message (runtime/redactor.py: _merged_spans, then _splice_inside_plain_strings
// for a message that starts like JSON, or _splice for any other).

struct Piece {
  long start, end;
  int op;   // 0 mask, 1 redact: the order of their names, as the Python tuples sort
  char ch;  // mask character
  bool operator<(const Piece &o) const {
    if (start != o.start) return start < o.start;
    if (end != o.end) return end < o.end;
    if (op != o.op) return op < o.op;
    return ch < o.ch;
  }
};

inline bool py_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f'); }

// rewrite(message, findings, operations) -> the rewritten message, or None when the Python path must
// decide (not ASCII, a mask character that is not ASCII, or a JSON message whose spans are not all inside
// plain string literals). operations: identifier -> ("mask" | "redact", mask character).
PyObject *rewrite(PyObject *, PyObject *args) {
  PyObject *message, *findings, *ops;
  if (!PyArg_ParseTuple(args, "UO!O!", &message, &PyList_Type, &findings, &PyDict_Type, &ops)) return nullptr;
  if (!PyUnicode_IS_ASCII(message)) Py_RETURN_NONE;
  Py_ssize_t len;
  const char *m = PyUnicode_AsUTF8AndSize(message, &len);
  if (m == nullptr) return nullptr;
  long n = static_cast<long>(len);
  std::vector<Piece> raw;
  Py_ssize_t count = PyList_GET_SIZE(findings);
  raw.reserve(static_cast<size_t>(count));
  for (Py_ssize_t i = 0; i < count; i++) {
    PyObject *f = PyList_GET_ITEM(findings, i);
    if (!PyTuple_Check(f) || PyTuple_GET_SIZE(f) != 3) {
      PyErr_SetString(PyExc_TypeError, "findings must be (identifier, start, end) tuples");
      return nullptr;
    }
    PyObject *op = PyDict_GetItemWithError(ops, PyTuple_GET_ITEM(f, 0));
    if (op == nullptr) {
      if (PyErr_Occurred()) return nullptr;
      continue;
    }
    if (!PyTuple_Check(op) || PyTuple_GET_SIZE(op) != 2) {
      PyErr_SetString(PyExc_TypeError, "operations must map to (operation, mask character)");
      return nullptr;
    }
    PyObject *name = PyTuple_GET_ITEM(op, 0), *ch = PyTuple_GET_ITEM(op, 1);
    int code;
    if (PyUnicode_CompareWithASCIIString(name, "mask") == 0) {
      code = 0;
    } else if (PyUnicode_CompareWithASCIIString(name, "redact") == 0) {
      code = 1;
    } else {
      Py_RETURN_NONE;
    }
    if (!PyUnicode_Check(ch) || PyUnicode_GET_LENGTH(ch) != 1 || !PyUnicode_IS_ASCII(ch)) Py_RETURN_NONE;
    long s = PyLong_AsLong(PyTuple_GET_ITEM(f, 1)), e = PyLong_AsLong(PyTuple_GET_ITEM(f, 2));
    if (PyErr_Occurred()) return nullptr;
    if (s < 0 || e > n || s > e) Py_RETURN_NONE;
    raw.push_back({s, e, code, static_cast<char>(PyUnicode_READ_CHAR(ch, 0))});
  }
  if (raw.empty()) {
    Py_INCREF(message);
    return message;
  }
  std::sort(raw.begin(), raw.end());
  std::vector<Piece> merged;
  long last_end = -1;
  for (const Piece &p : raw) {
    if (p.start < last_end) {
      Piece &prev = merged.back();
      if (p.op > prev.op) {  // the stronger operation wins (redact over mask)
        prev.op = p.op;
        prev.ch = p.ch;
      }
      last_end = std::max(prev.end, p.end);
      prev.end = last_end;
    } else {
      merged.push_back(p);
      last_end = p.end;
    }
  }
  long first = 0;
  while (first < n && py_space(m[first])) first++;
  bool json = first < n && (m[first] == '{' || m[first] == '[');
  bool backslash = false;
  if (json) {
    for (long i = 0; i < n; i++) {
      if (m[i] == '\\') {
        if (i + 1 < n && m[i + 1] == '\\') Py_RETURN_NONE;  // escaped backslashes: the Python path
        backslash = true;
      }
    }
    long scanned = 0;
    bool inside = false;
    for (const Piece &p : merged) {
      if (p.start > scanned) {
        long quotes = 0;
        for (long i = scanned; i < p.start; i++) quotes += m[i] == '"';
        if (backslash)
          for (long i = std::max(0L, scanned - 1); i + 1 < p.start; i++) quotes -= m[i] == '\\' && m[i + 1] == '"';
        inside ^= quotes % 2 != 0;
      }
      if (!inside) Py_RETURN_NONE;
      for (long i = p.start; i < p.end; i++)
        if (m[i] == '"') Py_RETURN_NONE;
      if (backslash)
        for (long i = std::max(0L, p.start - 6); i < std::min(n, p.end + 6); i++)
          if (m[i] == '\\') Py_RETURN_NONE;
      scanned = p.end;
    }
  }
  long out_len = n;
  for (const Piece &p : merged)
    if (p.op == 1) out_len -= p.end - p.start;
  PyObject *out = PyUnicode_New(out_len, 127);
  if (out == nullptr) return nullptr;
  char *o = reinterpret_cast<char *>(PyUnicode_DATA(out));
  long pos = 0;
  for (const Piece &p : merged) {
    memcpy(o, m + pos, static_cast<size_t>(p.start - pos));
    o += p.start - pos;
    if (p.op == 0) {
      memset(o, p.ch, static_cast<size_t>(p.end - p.start));
      o += p.end - p.start;
    }
    pos = p.end;
  }
  memcpy(o, m + pos, static_cast<size_t>(n - pos));
  return out;
}

// keyword_hits(text) -> per detector, its keyword spans (tests compare them with the Python keyword pass).
PyObject *scanner_keyword_hits(ScannerObject *self, PyObject *args) {
  PyObject *text;
  if (!PyArg_ParseTuple(args, "U", &text)) return nullptr;
  if (self->dets == nullptr || !PyUnicode_IS_ASCII(text)) {
    PyErr_SetString(PyExc_ValueError, "an initialised scanner and an ASCII text");
    return nullptr;
  }
  Py_ssize_t len;
  const char *t = PyUnicode_AsUTF8AndSize(text, &len);
  if (t == nullptr) return nullptr;
  KeywordHits kwh(self->dets->size());
  if (*self->keywords) keyword_hits(self, StringPiece(t, static_cast<size_t>(len)), kwh);
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

PyObject *scanner_new(PyTypeObject *type, PyObject *, PyObject *) {
  ScannerObject *self = reinterpret_cast<ScannerObject *>(type->tp_alloc(type, 0));
  if (self != nullptr) {
    self->dets = nullptr;
    self->set = nullptr;
    self->keywords = nullptr;
    self->owner = nullptr;
    self->spec = nullptr;
    self->finding = nullptr;
  }
  return reinterpret_cast<PyObject *>(self);
}

PyMethodDef scanner_methods[] = {
    {"scan", reinterpret_cast<PyCFunction>(scanner_scan), METH_VARARGS,
     "scan(text, allowed) -> sorted findings, or None when text is not ASCII"},
    {"keyword_hits", reinterpret_cast<PyCFunction>(scanner_keyword_hits), METH_VARARGS,
     "keyword_hits(text) -> [[(start, end), ...] per detector] for an ASCII text"},
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
    {nullptr, nullptr, 0, nullptr},
};

PyModuleDef module = {PyModuleDef_HEAD_INIT, "_redact", "Native core of tamis's data-protection scanner.", -1,
                      module_methods};

}  // namespace

PyMODINIT_FUNC PyInit__redact(void) {
  ScannerType.tp_name = "tamis.runtime._redact.Scanner";
  ScannerType.tp_basicsize = sizeof(ScannerObject);
  ScannerType.tp_flags = Py_TPFLAGS_DEFAULT;
  ScannerType.tp_new = scanner_new;
  ScannerType.tp_init = reinterpret_cast<initproc>(scanner_init);
  ScannerType.tp_dealloc = reinterpret_cast<destructor>(scanner_dealloc);
  ScannerType.tp_methods = scanner_methods;
  if (PyType_Ready(&ScannerType) < 0) return nullptr;
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
