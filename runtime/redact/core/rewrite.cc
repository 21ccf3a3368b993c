// De-identification of a message (redactor.py: merged_spans, then json_rewrite.py:
// splice_inside_plain_strings for a message that starts like JSON, or splice for any other).
#include "redact.h"

namespace tamis_redact {
namespace {

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

// How many bytes of [p, p + len) are c, where the bytes up to limit may be read: sixteen at a time where
// SSE2 is there (byte counters, summed before they can overflow), the last few with one load masked when
// sixteen can be read (the gaps between findings are mostly shorter than sixteen bytes).
long count_byte(const char *p, long len, char c, const char *limit) {
  long count = 0, i = 0;
#if defined(__SSE2__)
  const __m128i needle = _mm_set1_epi8(c), zero = _mm_setzero_si128();
  while (i + 16 <= len) {
    __m128i acc = zero;
    for (int k = 0; k < 255 && i + 16 <= len; k++, i += 16)  // each match adds 1 (0 - -1) to its byte
      acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p + i)), needle));
    __m128i sums = _mm_sad_epu8(acc, zero);
    count += _mm_cvtsi128_si32(sums) + _mm_extract_epi16(sums, 4);
  }
  if (i < len && limit - (p + i) >= 16) {
    unsigned hits = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p + i)), needle)));
    hits &= (1u << (len - i)) - 1;
    for (; hits; hits &= hits - 1) count++;
    return count;
  }
#else
  (void)limit;
#endif
  for (; i < len; i++) count += p[i] == c;
  return count;
}

inline bool py_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f'); }

#if defined(__SSE2__)
// Which of the 16 / sizeof(T) units at p are c, as 0xFF bytes (every byte of a unit that is).
template <typename T>
inline __m128i units_equal(const T *p, __m128i needle) {
  __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
  if constexpr (sizeof(T) == 2) return _mm_cmpeq_epi16(v, needle);
  else return _mm_cmpeq_epi32(v, needle);
}
template <typename T>
inline __m128i unit_needle(T c) {
  if constexpr (sizeof(T) == 2) return _mm_set1_epi16(static_cast<short>(c));
  else return _mm_set1_epi32(static_cast<int>(c));
}
#endif

// How many of [p, p + len) are c (count_byte where the units are bytes; for wider units sixteen bytes at
// a time as well, each unit that is c adding one to its lane).
template <typename T>
long count_unit(const T *p, long len, T c, const T *limit) {
  if constexpr (sizeof(T) == 1) {
    return count_byte(reinterpret_cast<const char *>(p), len, static_cast<char>(c),
                      reinterpret_cast<const char *>(limit));
  } else {
    (void)limit;
    long count = 0, i = 0;
#if defined(__SSE2__)
    constexpr long kStep = 16 / static_cast<long>(sizeof(T));
    const __m128i needle = unit_needle(c);
    while (i + kStep <= len) {
      __m128i acc = _mm_setzero_si128();  // a lane counts at most 32767 before it is summed
      for (int k = 0; k < 32767 && i + kStep <= len; k++, i += kStep)
        acc = _mm_sub_epi16(acc, units_equal(p + i, needle));
      // every byte of a matching unit is 0xFF: each 16-bit lane holds matches (one per lane for 2-byte
      // units; each 4-byte unit counted in both of its lanes)
      alignas(16) uint16_t lanes[8];
      _mm_store_si128(reinterpret_cast<__m128i *>(lanes), acc);
      long sum = 0;
      for (uint16_t lane : lanes) sum += lane;
      count += sizeof(T) == 2 ? sum : sum / 2;
    }
#endif
    for (; i < len; i++) count += p[i] == c;
    return count;
  }
}

// The first backslash at or after i (n: none).
template <typename T>
long next_backslash(const T *m, long i, long n) {
  if constexpr (sizeof(T) == 1) {
    const void *b = i < n ? memchr(m + i, '\\', static_cast<size_t>(n - i)) : nullptr;
    return b == nullptr ? n : static_cast<const T *>(b) - m;
  } else {
#if defined(__SSE2__)
    constexpr long kStep = 16 / static_cast<long>(sizeof(T));
    const __m128i needle = unit_needle(static_cast<T>('\\'));
    for (; i + kStep <= n; i += kStep) {
      unsigned hits = static_cast<unsigned>(_mm_movemask_epi8(units_equal(m + i, needle)));
      if (hits) return i + __builtin_ctz(hits) / static_cast<long>(sizeof(T));
    }
#endif
    while (i < n && m[i] != '\\') i++;
    return i;
  }
}

// Copies len units from src to dst and returns them ORed together (sixteen bytes at a time where SSE2 is
// there): the output's widest character in the same pass as its copy.
template <typename T>
uint32_t copy_or(T *dst, const T *src, long len) {
  long i = 0;
  uint32_t acc = 0;
#if defined(__SSE2__)
  constexpr long kStep = 16 / static_cast<long>(sizeof(T));
  __m128i any = _mm_setzero_si128();
  for (; i + kStep <= len; i += kStep) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(src + i));
    _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + i), v);
    any = _mm_or_si128(any, v);
  }
  alignas(16) T lanes[kStep];
  _mm_store_si128(reinterpret_cast<__m128i *>(lanes), any);
  for (long k = 0; k < kStep; k++) acc |= lanes[k];
#endif
  for (; i < len; i++) acc |= dst[i] = src[i];
  return acc;
}

// rewrite's steps after the merge for a message that is not ASCII, over its code units (one a character,
// of one, two or four bytes: the str's own kind), the same steps as the ASCII path below. The result is
// written straight into a str of the message's kind, its units ORed as they are copied; a str must have
// the smallest kind that holds its characters, so where every character of that kind's range was masked or
// removed (rare) the result is made again at its own kind.
template <typename T>
PyObject *rewrite_units(const T *m, long n, const std::vector<Piece> &merged) {
  long first = 0;
  while (first < n && Py_UNICODE_ISSPACE(m[first])) first++;  // str.lstrip()
  if (first < n && (m[first] == '{' || m[first] == '[')) {  // json_rewrite.splice_inside_plain_strings
    bool backslash = false;
    for (long i = next_backslash(m, 0, n); i < n; i = next_backslash(m, i + 1, n)) {
      if (i + 1 < n && m[i + 1] == '\\') Py_RETURN_NONE;  // escaped backslashes: the Python path
      backslash = true;
    }
    long scanned = 0;
    bool inside = false;
    for (const Piece &p : merged) {
      if (p.start > scanned) {
        long quotes = count_unit(m + scanned, p.start - scanned, static_cast<T>('"'), m + n);
        if (backslash)
          for (long i = std::max(0L, scanned - 1); i + 1 < p.start; i++) quotes -= m[i] == '\\' && m[i + 1] == '"';
        inside ^= quotes % 2 != 0;
      }
      if (!inside) Py_RETURN_NONE;
      if (count_unit(m + p.start, p.end - p.start, static_cast<T>('"'), m + n) != 0) Py_RETURN_NONE;
      if (backslash)
        for (long i = std::max(0L, p.start - 6); i < std::min(n, p.end + 6); i++)
          if (m[i] == '\\') Py_RETURN_NONE;
      scanned = p.end;
    }
  }
  long out_len = n;
  for (const Piece &p : merged)
    if (p.op == 1) out_len -= p.end - p.start;
  // the widest character of the message's kind: 255, 65535 or 1114111 (the kind below ends at 127, 255, 65535)
  const Py_UCS4 widest = sizeof(T) == 1 ? 255 : sizeof(T) == 2 ? 65535 : 1114111;
  const uint32_t kind_floor = sizeof(T) == 1 ? 0x80 : sizeof(T) == 2 ? 0x100 : 0x10000;
  PyObject *out = PyUnicode_New(out_len, widest);
  if (out == nullptr) return nullptr;
  T *base = static_cast<T *>(PyUnicode_DATA(out)), *o = base;
  uint32_t kept = 0;  // the copied units ORed: below kind_floor when none needs this kind
  long pos = 0;
  for (const Piece &p : merged) {
    kept |= copy_or(o, m + pos, p.start - pos);
    o += p.start - pos;
    if (p.op == 0) o = std::fill_n(o, p.end - p.start, static_cast<T>(p.ch));
    pos = p.end;
  }
  kept |= copy_or(o, m + pos, n - pos);
  if (kept >= kind_floor) return out;
  const int kind = sizeof(T) == 1 ? PyUnicode_1BYTE_KIND : sizeof(T) == 2 ? PyUnicode_2BYTE_KIND
                                                        : PyUnicode_4BYTE_KIND;
  PyObject *narrow = PyUnicode_FromKindAndData(kind, base, static_cast<Py_ssize_t>(out_len));
  Py_DECREF(out);
  return narrow;
}

}  // namespace

// rewrite(message, findings, operations) -> the rewritten message, or None when the Python path must
// decide (a mask character that is not ASCII, or a JSON message whose spans are not all inside plain string
// literals). Findings count characters: a message that is not ASCII is rewritten by rewrite_units.
// findings: a list of (identifier, start, end), or a Found; operations:
// identifier -> ("mask" | "redact", mask character).
PyObject *rewrite(PyObject *, PyObject *args) {
  PyObject *message, *findings, *ops;
  if (!PyArg_ParseTuple(args, "UOO!", &message, &findings, &PyDict_Type, &ops)) return nullptr;
  const bool native = Py_TYPE(findings) == &FoundType;
  if (!native && !PyList_Check(findings)) {
    PyErr_SetString(PyExc_TypeError, "findings must be a list or a Found");
    return nullptr;
  }
  const bool ascii = PyUnicode_IS_ASCII(message);
  const long n = static_cast<long>(PyUnicode_GET_LENGTH(message));  // findings count characters
  const char *m = ascii ? reinterpret_cast<const char *>(PyUnicode_DATA(message)) : nullptr;
  std::vector<Piece> raw;
  struct Decoded {
    PyObject *ident = nullptr;
    int code = -1;  // 0 mask, 1 redact, -1 no operation
    char ch = 0;
  };
  // An identifier's operation: 1 decoded, 0 one the Python path must decide, -1 a Python error raised.
  auto decode = [ops](PyObject *ident, Decoded &op) -> int {
    op.ident = ident;  // borrowed: the findings outlive this call
    PyObject *entry = PyDict_GetItemWithError(ops, ident);
    if (entry == nullptr) {
      op.code = -1;  // no operation for this identifier
      return PyErr_Occurred() ? -1 : 1;
    }
    if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 2) {
      PyErr_SetString(PyExc_TypeError, "operations must map to (operation, mask character)");
      return -1;
    }
    PyObject *name = PyTuple_GET_ITEM(entry, 0), *ch = PyTuple_GET_ITEM(entry, 1);
    if (PyUnicode_Check(name) && PyUnicode_CompareWithASCIIString(name, "mask") == 0) {
      op.code = 0;
    } else if (PyUnicode_Check(name) && PyUnicode_CompareWithASCIIString(name, "redact") == 0) {
      op.code = 1;
    } else {
      return 0;
    }
    if (!PyUnicode_Check(ch) || PyUnicode_GET_LENGTH(ch) != 1 || !PyUnicode_IS_ASCII(ch)) return 0;
    op.ch = static_cast<char>(PyUnicode_READ_CHAR(ch, 0));
    return 1;
  };
  if (native) {  // records: each detector's operation decoded once
    const FoundObject *found = reinterpret_cast<const FoundObject *>(findings);
    const std::vector<Detector> &dets = *found->scanner->dets;
    std::vector<Decoded> per(dets.size());
    std::vector<char> known(dets.size(), 0);
    raw.reserve(found->raw->size());
    for (const Raw &r : *found->raw) {
      size_t d = static_cast<size_t>(r.det);
      if (!known[d]) {
        int ok = decode(dets[d].name, per[d]);
        if (ok < 0) return nullptr;
        if (ok == 0) Py_RETURN_NONE;
        known[d] = 1;
      }
      if (per[d].code < 0) continue;
      if (r.start < 0 || r.end > n || r.start > r.end) Py_RETURN_NONE;  // found in another text
      raw.push_back({r.start, r.end, per[d].code, per[d].ch});
    }
  } else {
    Py_ssize_t count = PyList_GET_SIZE(findings);
    raw.reserve(static_cast<size_t>(count));
    constexpr size_t kSeen = 16;
    Decoded seen[kSeen];
    size_t seen_count = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
      PyObject *f = PyList_GET_ITEM(findings, i);
      if (!PyTuple_Check(f) || PyTuple_GET_SIZE(f) != 3) {
        PyErr_SetString(PyExc_TypeError, "findings must be (identifier, start, end) tuples");
        return nullptr;
      }
      // Findings share a handful of identifier objects: their operations are decoded once per identity.
      PyObject *ident = PyTuple_GET_ITEM(f, 0);
      size_t slot = 0;
      while (slot < seen_count && seen[slot].ident != ident) slot++;
      Decoded op;
      if (slot < seen_count) {
        op = seen[slot];
      } else {
        int ok = decode(ident, op);
        if (ok < 0) return nullptr;
        if (ok == 0) Py_RETURN_NONE;
        if (seen_count < kSeen) seen[seen_count++] = op;
      }
      if (op.code < 0) continue;
      long s = PyLong_AsLong(PyTuple_GET_ITEM(f, 1)), e = PyLong_AsLong(PyTuple_GET_ITEM(f, 2));
      if (PyErr_Occurred()) return nullptr;
      if (s < 0 || e > n || s > e) Py_RETURN_NONE;
      raw.push_back({s, e, op.code, op.ch});
    }
  }
  if (raw.empty()) {
    Py_INCREF(message);
    return message;
  }
  if (!std::is_sorted(raw.begin(), raw.end())) std::sort(raw.begin(), raw.end());
  std::vector<Piece> merged;
  merged.reserve(raw.size());
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
  if (!ascii) {
    switch (PyUnicode_KIND(message)) {
      case PyUnicode_1BYTE_KIND:
        return rewrite_units(PyUnicode_1BYTE_DATA(message), n, merged);
      case PyUnicode_2BYTE_KIND:
        return rewrite_units(PyUnicode_2BYTE_DATA(message), n, merged);
      default:
        return rewrite_units(PyUnicode_4BYTE_DATA(message), n, merged);
    }
  }
  long first = 0;
  while (first < n && py_space(m[first])) first++;
  bool json = first < n && (m[first] == '{' || m[first] == '[');
  bool backslash = false;
  if (json) {
    for (const char *b = static_cast<const char *>(memchr(m, '\\', static_cast<size_t>(n))); b != nullptr;
         b = static_cast<const char *>(memchr(b + 1, '\\', static_cast<size_t>(m + n - b - 1)))) {
      if (b + 1 < m + n && b[1] == '\\') Py_RETURN_NONE;  // escaped backslashes: the Python path
      backslash = true;
    }
    long scanned = 0;
    bool inside = false;
    for (const Piece &p : merged) {
      if (p.start > scanned) {
        long quotes = count_byte(m + scanned, p.start - scanned, '"', m + n);
        if (backslash)
          for (long i = std::max(0L, scanned - 1); i + 1 < p.start; i++) quotes -= m[i] == '\\' && m[i + 1] == '"';
        inside ^= quotes % 2 != 0;
      }
      if (!inside) Py_RETURN_NONE;
      if (count_byte(m + p.start, p.end - p.start, '"', m + n) != 0) Py_RETURN_NONE;
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
  if (out_len == n) {  // masks alone: the message copied whole, then each span masked in place
    memcpy(o, m, static_cast<size_t>(n));
    for (const Piece &p : merged) memset(o + p.start, p.ch, static_cast<size_t>(p.end - p.start));
    return out;
  }
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

}  // namespace tamis_redact
