// One scan of a message (scanner.py's Scanner._scan_python): set pass, keyword pass, searches, checks.
#include "redact.h"

namespace tamis_redact {
namespace {

// Sorts raw, which comes as sorted runs (one or more per detector, in order): merged pairwise, a few
// passes instead of a whole sort.
void merge_runs(std::vector<Raw> &raw) {
  std::vector<size_t> cuts{0};
  for (size_t k = 1; k < raw.size(); k++)
    if (raw[k] < raw[k - 1]) cuts.push_back(k);
  cuts.push_back(raw.size());
  while (cuts.size() > 2) {
    std::vector<size_t> next{0};
    size_t c = 0;
    for (; c + 2 < cuts.size(); c += 2) {
      std::inplace_merge(raw.begin() + static_cast<long>(cuts[c]), raw.begin() + static_cast<long>(cuts[c + 1]),
                         raw.begin() + static_cast<long>(cuts[c + 2]));
      next.push_back(cuts[c + 2]);
    }
    if (c + 1 < cuts.size()) next.push_back(cuts.back());  // an odd run out, carried to the next pass
    cuts.swap(next);
  }
}

// One character's UTF-8 at o (c not a surrogate); the byte after it.
inline char *put_utf8(char *o, uint32_t c) {
  if (c < 0x80) {
    *o++ = static_cast<char>(c);
  } else if (c < 0x800) {
    *o++ = static_cast<char>(0xC0 | c >> 6);
    *o++ = static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    *o++ = static_cast<char>(0xE0 | c >> 12);
    *o++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    *o++ = static_cast<char>(0x80 | (c & 0x3F));
  } else {
    *o++ = static_cast<char>(0xF0 | c >> 18);
    *o++ = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    *o++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    *o++ = static_cast<char>(0x80 | (c & 0x3F));
  }
  return o;
}

// The UTF-8 of n code units at s into o (room for the worst case): sixteen bytes of units at a time, the
// ASCII ones before the first other one stored at once (most of a text in a European language), that one
// encoded on its own, and on from the unit after it. The end of the output, or nullptr at a surrogate (no
// UTF-8 form).
template <typename T>
char *encode_units(const T *s, long n, char *o) {
  long i = 0;
#if defined(__SSE2__)
  if constexpr (sizeof(T) < 4) {
    constexpr long kStep = 16 / static_cast<long>(sizeof(T));
    const __m128i zero = _mm_setzero_si128();
    while (i + kStep <= n) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + i));
      long ascii;  // the ASCII units before the first other one (kStep: all)
      // every unit is stored as a byte (the ones past `ascii` are written over next): the output has room, as
      // the kStep units left take at least kStep bytes
      if constexpr (sizeof(T) == 1) {
        unsigned high = static_cast<unsigned>(_mm_movemask_epi8(v));
        ascii = high ? __builtin_ctz(high) : kStep;
        _mm_storeu_si128(reinterpret_cast<__m128i *>(o), v);
      } else {
        unsigned other = ~static_cast<unsigned>(_mm_movemask_epi8(
                             _mm_cmpeq_epi16(_mm_and_si128(v, _mm_set1_epi16(static_cast<short>(0xFF80))), zero))) &
                         0xFFFFu;
        ascii = other ? __builtin_ctz(other) / 2 : kStep;
        _mm_storel_epi64(reinterpret_cast<__m128i *>(o), _mm_packus_epi16(v, v));
      }
      o += ascii;
      i += ascii;
      if (ascii == kStep) continue;
      uint32_t c = s[i++];
      if (c >= 0xD800 && c < 0xE000) return nullptr;
      o = put_utf8(o, c);
    }
  }
#endif
  for (; i < n; i++) {
    uint32_t c = s[i];
    if (c >= 0xD800 && c < 0xE000) return nullptr;
    o = put_utf8(o, c);
  }
  return o;
}

// The largest encoding buffer kept between messages (bytes): room for a 1 MiB message of two bytes a
// character; a larger message's is freed after its scan.
constexpr size_t kKeptBuffer = 3u << 20;
// The one buffer kept: a block holding its size (size_t), then its bytes. A scan takes it, or makes its own
// while another scan holds it, and puts it back when done: fresh memory of a message's size each time costs
// its page faults again (measured: about three times the encoding).
std::atomic<char *> spare{nullptr};

}  // namespace

char *Utf8Buffer::get(size_t size) {
  char *block = spare.exchange(nullptr);
  if (block != nullptr && *reinterpret_cast<size_t *>(block) < size) {
    free(block);
    block = nullptr;
  }
  if (block == nullptr) {
    block = static_cast<char *>(malloc(sizeof(size_t) + size));
    if (block == nullptr) return nullptr;
    *reinterpret_cast<size_t *>(block) = size;
  }
  block_ = block;
  return block + sizeof(size_t);
}

Utf8Buffer::~Utf8Buffer() {
  if (block_ == nullptr) return;
  if (*reinterpret_cast<size_t *>(block_) > kKeptBuffer) {
    free(block_);
    return;
  }
  free(spare.exchange(block_));  // the one kept before (another scan's), if any, goes
}

const char *utf8_of(PyObject *text, Utf8Buffer &buf, Py_ssize_t *len) {
  if (PyUnicode_IS_ASCII(text)) return PyUnicode_AsUTF8AndSize(text, len);  // the str's own bytes
#if !defined(Py_GIL_DISABLED) && PY_VERSION_HEX < 0x030E0000
  // a UTF-8 form CPython made already (PyUnicode_AsUTF8 caches it in the str)
  if (PyUnicode_IS_COMPACT(text) && reinterpret_cast<PyCompactUnicodeObject *>(text)->utf8 != nullptr)
    return PyUnicode_AsUTF8AndSize(text, len);
#endif
  const long n = static_cast<long>(PyUnicode_GET_LENGTH(text));
  const int kind = PyUnicode_KIND(text);
  const size_t most = static_cast<size_t>(n) * (kind == PyUnicode_1BYTE_KIND ? 2 : kind == PyUnicode_2BYTE_KIND ? 3 : 4) + 1;
  char *out = buf.get(most);
  if (out == nullptr) {
    PyErr_NoMemory();
    return nullptr;
  }
  char *end = kind == PyUnicode_1BYTE_KIND   ? encode_units(PyUnicode_1BYTE_DATA(text), n, out)
              : kind == PyUnicode_2BYTE_KIND ? encode_units(PyUnicode_2BYTE_DATA(text), n, out)
                                             : encode_units(PyUnicode_4BYTE_DATA(text), n, out);
  if (end == nullptr) return PyUnicode_AsUTF8AndSize(text, len);  // a lone surrogate: CPython's error
  *end = '\0';
  *len = end - out;
  return out;
}

// The findings of one scan of text (str) into raw, sorted, their offsets in characters; allowed: bytes |
// None. 1 done, 0 a text the Python path takes (one holding a lone surrogate, which has no UTF-8), -1 a
// Python error raised. set_ran and budget_left: for explain. A text that is not ASCII is read as UTF-8, as
// the Python path reads it: the same byte windows (dets_utf8), its offsets made characters (CharIndex).
int scan_into(ScannerObject *self, PyObject *text, PyObject *allowed, std::vector<Raw> &raw, bool &set_ran,
              long &budget_left) {
  if (self->dets == nullptr) {
    PyErr_SetString(PyExc_RuntimeError, "scanner not initialised");
    return -1;
  }
  const bool utf8 = !PyUnicode_IS_ASCII(text);
  const std::vector<Detector> &dets = utf8 ? *self->dets_utf8 : *self->dets;
  const char *mask = nullptr;
  if (allowed != Py_None) {
    if (!PyBytes_Check(allowed) || PyBytes_GET_SIZE(allowed) != static_cast<Py_ssize_t>(dets.size())) {
      PyErr_SetString(PyExc_ValueError, "allowed must be one byte per detector");
      return -1;
    }
    mask = PyBytes_AS_STRING(allowed);
  }
  Py_ssize_t len;
  Utf8Buffer encoded;  // the UTF-8 of a text that is not ASCII, unless CPython keeps one
  const char *t = utf8_of(text, encoded, &len);
  if (t == nullptr) {
    if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) return -1;
    PyErr_Clear();
    return 0;
  }
  long n = static_cast<long>(len);
  StringPiece data(t, static_cast<size_t>(len));
  // Candidates whose check (stage 0) or strict check (stage 1) has no native form: decided afterwards, in
  // order, with the GIL, so the RE2 work above runs without it (other threads go on meanwhile). start and
  // end in bytes, cstart and cend in characters (the Python check's).
  struct Pending {
    long start, end, cstart, cend;
    int det, stage;
    bool near_keyword;  // for a relaxing detector: whether a keyword is in the window (strict check spared)
  };
  std::vector<Pending> pending;
  set_ran = false;
  budget_left = 0;
  bool failed = false;  // a Python error raised in the keyword pass (the GIL is then held)
  PyThreadState *save = PyEval_SaveThread();
  {
    std::unique_ptr<CharIndex> chars;  // byte -> character offsets, for a text that is not ASCII
    if (utf8) chars = std::make_unique<CharIndex>(t, n);
    std::vector<char> occurs;  // per detector, once the set pass has run (empty before)
    auto set_pass = [&]() {
      std::vector<int> slots;
      RE2::Set::ErrorInfo error{};
      bool any = (*self->set)->Match(data, &slots, &error);
      // A set pass that failed (its DFA out of memory) rules nothing out: every detector is searched.
      occurs.assign(dets.size(), !any && error.kind != RE2::Set::kNoError ? 1 : 0);
      for (int i : slots) occurs[static_cast<size_t>(i)] = 1;
      set_ran = true;
    };
    // Set pass first when some detector is searched only where it rules it in, or when searching without
    // it lately cost more than it (but every kProbeEvery-th scan looks again).
    unsigned long nth = __atomic_fetch_add(&self->scans, 1UL, __ATOMIC_RELAXED);
    bool probe = nth % kProbeEvery == 0;
    bool learnt = !probe && __atomic_load_n(&self->set_first, __ATOMIC_RELAXED);
    if (self->set_needed || learnt) set_pass();
    std::vector<int> hit;
    for (size_t i = 0; i < dets.size(); i++)
      if ((mask == nullptr || mask[i]) && (occurs.empty() || occurs[i])) hit.push_back(static_cast<int>(i));
    Budget budget{n + 4096};
    KeywordHits kwh, kwc;  // per detector its keyword spans in bytes, and (UTF-8) in characters for Near
    bool keyed = false;
    for (int i : hit) keyed = keyed || dets[i].keyed;
    if (keyed && self->keywords != nullptr) {
      kwh.resize(dets.size());
      if (!utf8) {
        keyword_hits(self, data, kwh);
      } else if (!keyword_hits_utf8(self, data, kwh, &save)) {
        failed = true;
        hit.clear();
      } else {
        kwc.resize(dets.size());
        for (size_t i = 0; i < kwh.size(); i++)
          for (const Span &k : kwh[i]) kwc[i].push_back({(*chars)(k.start), (*chars)(k.end)});
      }
    }
    static const std::vector<Span> none;
    std::vector<Span> spans;
    std::unique_ptr<DigitStarts> digit_starts;  // made when a keyword window first needs it
    std::vector<long> codes;                    // country_codes, found when a phone detector first needs them
    std::vector<Span> wide;                     // (UTF-8) keyword spans widened by the window, for relaxed_spans
    bool codes_found = false;
    auto starts_for = [&](const Detector &d) -> DigitStarts * {
      if (!d.digit_starts) return nullptr;
      if (!digit_starts)
        digit_starts = std::make_unique<DigitStarts>(reinterpret_cast<const unsigned char *>(t), n);
      return digit_starts.get();
    };
    // The spans of one detector; with a budget, only until the budget is spent (budget->spent).
    auto collect = [&](const Detector &d, const std::vector<Span> &kws, Budget *b) {
      spans.clear();
      if (d.mode == MODE_REQUIRED) {
        long lo = -1, hi = -1;
        for (const Span &k : kws) {  // windows around the keywords, merged when they touch
          // reach characters on each side (UTF-8: as many bytes as they take, the Python path's window)
          long wlo = utf8 ? chars->back(k.start, d.reach) : std::max(0L, k.start - d.reach);
          long whi = utf8 ? chars->ahead(k.end, d.reach, n) : std::min(n, k.end + d.reach);
          if (hi >= 0 && wlo <= hi) {
            hi = std::max(hi, whi);
          } else {
            if (hi >= 0) spans_into(d, data, lo, hi, self->anchor_min, spans, b, starts_for(d));
            if (b != nullptr && b->spent) return;
            lo = wlo;
            hi = whi;
          }
        }
        if (hi >= 0) spans_into(d, data, lo, hi, self->anchor_min, spans, b, starts_for(d));
      } else if (d.relaxed_local) {
        if (!codes_found) {
          country_codes(t, n, codes);
          codes_found = true;
        }
        if (!utf8) {
          relaxed_spans(d, data, kws, codes, self->window, self->anchor_min, spans, b);
        } else {  // each keyword widened by the window in characters, as many bytes as they take
          wide.clear();
          for (const Span &k : kws) wide.push_back({chars->back(k.start, self->window), chars->ahead(k.end, self->window, n)});
          relaxed_spans(d, data, wide, codes, 0, self->anchor_min, spans, b);
        }
      } else {
        spans_into(d, data, 0, n, self->anchor_min, spans, b);
      }
    };
    for (int i : hit) {
      if (!occurs.empty() && !occurs[static_cast<size_t>(i)]) continue;  // ruled out by a later set pass
      const Detector &d = dets[i];
      const std::vector<Span> &kws = kwh.empty() ? none : kwh[i];
      if (d.mode == MODE_REQUIRED && kws.empty()) continue;
      collect(d, kws, occurs.empty() ? &budget : nullptr);
      if (budget.spent && occurs.empty()) {  // searching for absent values has cost a set pass: run it
        set_pass();
        if (!occurs[static_cast<size_t>(i)]) continue;
        collect(d, kws, nullptr);
      }
      bool required = d.mode == MODE_REQUIRED;
      Near near(self, utf8 ? (kwc.empty() ? none : kwc[i]) : kws);
      // A native check on UTF-8 text: left to the Python check where a character that is not ASCII is read.
      auto check = [&](int code, long s, long e) {
        return utf8 && foreign_near(t, n, s, e) ? -1 : native_check(code, t, n, s, e);
      };
      for (const Span &sp : spans) {
        long s = sp.start, e = sp.end;
        if (s == e) continue;
        long cs = utf8 ? (*chars)(s) : s, ce = utf8 ? (*chars)(e) : e;
        if (required && !near(cs, ce)) continue;
        if (!d.exclude.empty()) {
          if (utf8 && foreign_near(t, n, s + 2, e - 2)) {  // a byte of the value is not ASCII
            if (d.exclude.count(digits_utf8(t, s, e))) continue;
          } else {
            Digits digits(t, s, e);
            if (!digits.over && d.exclude.count(digits.view())) continue;
          }
        }
        int ok = d.check == CHECK_NONE ? 1 : check(d.check, s, e);
        if (ok < 0) {
          pending.push_back({s, e, cs, ce, i, 0, d.relaxes && near(cs, ce)});
          raw.push_back({cs, ce, d.rank, -1});  // a place kept in order; filled in or dropped below
          continue;
        }
        if (!ok) continue;
        if (d.relaxes && !near(cs, ce)) {
          ok = check(d.strict, s, e);
          if (ok < 0) {
            pending.push_back({s, e, cs, ce, i, 1, false});
            raw.push_back({cs, ce, d.rank, -1});
            continue;
          }
          if (!ok) continue;
        }
        raw.push_back({cs, ce, d.rank, i});
      }
    }
    budget_left = budget.left;
    if (!learnt && !self->set_needed && !failed)
      __atomic_store_n(&self->set_first, budget.spent ? 1 : 0, __ATOMIC_RELAXED);
  }
  if (failed) return -1;  // the keyword pass took the GIL back to raise
  PyEval_RestoreThread(save);
  if (!pending.empty()) {
    // The Python checks, in the order the Python path calls them (its first exception is the one raised).
    size_t next = 0;
    for (Raw &r : raw) {
      if (r.det >= 0) continue;
      const Pending &p = pending[next++];
      const Detector &d = dets[static_cast<size_t>(p.det)];
      auto check = [&](int code, PyObject *fn) {
        if (code == CHECK_NONE) return 1;
        int r = utf8 && foreign_near(t, n, p.start, p.end) ? -1 : native_check(code, t, n, p.start, p.end);
        return r >= 0 ? r : python_check(fn, text, p.cstart, p.cend);
      };
      int ok = 1;
      if (p.stage == 0) {
        ok = check(d.check, d.check_fn);
        if (ok < 0) return -1;
        if (ok && d.relaxes && !p.near_keyword) {
          ok = check(d.strict, d.strict_fn);
          if (ok < 0) return -1;
        }
      } else {
        ok = check(d.strict, d.strict_fn);
        if (ok < 0) return -1;
      }
      r.det = ok ? p.det : -2;
    }
    raw.erase(std::remove_if(raw.begin(), raw.end(), [](const Raw &r) { return r.det < 0; }), raw.end());
  }
  merge_runs(raw);
  return 1;
}

}  // namespace tamis_redact
