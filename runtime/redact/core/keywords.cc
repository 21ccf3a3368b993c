// The keyword pass (keywords.py, scanner.py's Scanner._keyword_hits_ascii and _keyword_hits): the trie of the
// keywords' spellings and the hits it finds.
#include "redact.h"

namespace tamis_redact {
namespace {

// keywords.keyword_bounded for ASCII text.
bool keyword_bounded(const char *t, long n, long s, long e) {
  if (s > 0 && is_alnum(t[s - 1]) && is_alnum(t[s]) && !(is_lower(t[s - 1]) && is_upper(t[s]))) return false;
  if (e < n && is_alnum(t[e]) && is_alnum(t[e - 1]) && !(is_lower(t[e - 1]) && is_upper(t[e]))) {
    long last = 0;  // length of the last separator-delimited word ("exp d": "d")
    for (long i = e - 1; i >= s && t[i] != ' ' && t[i] != '_' && t[i] != '-'; i--) last++;
    return last == 1;
  }
  return true;
}

}  // namespace

// scanner.Scanner._keyword_hits_ascii.
void keyword_hits(const ScannerObject *self, const StringPiece &text, KeywordHits &out) {
  const KeywordTrie &trie = *self->keywords;
  const char *t = text.data();
  long n = static_cast<long>(text.size());
  long pos = 0;
  std::string norm;
  while (pos <= n) {
    long hit;
    KeywordTrie::Hit m = trie.find(t, n, pos, &hit);
    if (m.end < 0) break;
    long b1 = m.end;
    long nxt = b1 > hit ? b1 - 1 : b1;  // share the last character
    pos = nxt > pos ? nxt : pos + 1;
    while (true) {
      const std::vector<int> *served = nullptr;
      long b0 = -1;
      if (hit > 0) {  // the keyword starts after the context character: the spelling the trie walked
        served = trie.served[m.node];
        b0 = hit + 1;
      } else {  // at the start of the text: the first of "the hit itself" and "after its first character"
        for (long cand : {0L, 1L}) {
          if (cand >= b1) continue;
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
      }
      if (served == nullptr || served->empty()) break;
      if (b1 < n && is_alnum(t[b1]) && is_alnum(t[b1 - 1]) && !keyword_bounded(t, n, b0, b1)) {
        // keywords.shorter_keyword: the longest keyword at the same place that stops earlier
        if (b1 - 1 <= b0) break;
        m = trie.match_at(t, n, hit, b1 - 1);
        if (m.end <= b0) break;
        b1 = m.end;
        continue;
      }
      for (int i : *served) out[i].push_back({b0, b1});
      break;
    }
  }
}


namespace {

// One hit of the keyword regex in UTF-8 text: [hit, end), with the trie's node when the trie found it with
// ASCII around it (exact), else found by the regex itself (its keyword then decided by hit_fn).
struct Utf8Hit {
  long hit = -1, end = -1;
  uint32_t node = 0;
  bool exact = false;
};

// Whether some spelling can start at i (an ASCII byte) in UTF-8 text: KeywordTrie::starts where its three
// bytes are ASCII; a byte that is not may be a letter in another case than the spelling's (the walk decides).
inline bool may_start(const KeywordTrie &trie, const unsigned char *u, long i, long n) {
  if ((i + 1 < n && u[i + 1] >= 0x80) || (i + 2 < n && u[i + 2] >= 0x80)) return true;
  return trie.starts(reinterpret_cast<const char *>(u), i, n);
}

// The leftmost-longest hit of the keyword regex at or after pos (a character start), as the Python path's
// keyword_spans finds them in UTF-8 text. The places a hit can start at are those of ASCII text (an ASCII
// context byte before a byte a keyword can start with), the last byte of a character that is not ASCII before
// such a byte (that character the context), and any context before a character that is not ASCII a keyword
// can start with (KeywordTrie::begins). The trie decides a place where the context byte and the keyword's
// first byte are ASCII and its walk does not stop at a character the regex might take (walk_utf8's foreign);
// anywhere else the regex is asked, anchored at that place (no hit starts before it): a character of several
// bytes is a context or a lower-case letter only by its Unicode category, and a letter that is not ASCII
// matches a keyword's in either case. Sixteen places at a time, whatever the bytes: the places of a byte that
// is not ASCII are found by the same masks as the others, so such text stays on the vector path.
bool next_hit_utf8(const ScannerObject *self, const StringPiece &text, long pos, Utf8Hit &out) {
  const KeywordTrie &trie = *self->keywords;
  const char *t = text.data();
  const unsigned char *u = reinterpret_cast<const unsigned char *>(t);
  const long n = static_cast<long>(text.size());
  StringPiece m;
  auto by_regex = [&](long h) {
    if (!self->keyword_re->Match(text, static_cast<size_t>(h), static_cast<size_t>(n), RE2::ANCHOR_START, &m, 1))
      return false;
    out = {h, h + static_cast<long>(m.size()), 0, false};
    return true;
  };
  if (pos == 0 && n > 0) {  // the start of the text: "^" or a context character, whichever is longer
    if (by_regex(0)) return true;
    pos = utf8_width(u[0]);
  }
  // An ASCII context at h before an ASCII byte: the trie's hit, or the regex where the walk met a
  // character it might take.
  auto ascii_place = [&](long h) {
    bool foreign = false;
    KeywordTrie::Hit hit = trie.match_at(t, n, h, n, &foreign);
    if (foreign) return by_regex(h);
    if (hit.end < 0) return false;
    out = {h, hit.end, hit.node, true};
    return true;
  };
  // The character at cs (not ASCII) as the context of a keyword starting at k: whether it is one (or a
  // lower-case letter before a capital) only matters where a keyword follows, which the trie says.
  auto after_foreign = [&](long cs, long k) {
    if (u[k] >= 0x80) return trie.begins(t, k, n) && by_regex(cs);
    if (!may_start(trie, u, k, n)) return false;
    // a letter before a byte that is no capital: neither a context ([^\pL\pN]) nor camelCase (a capital)
    if (!is_upper(t[k]) && latin_letter(utf8_code(u + cs))) return false;
    bool foreign = false;
    if (trie.walk_utf8(t, k, n, &foreign).end < 0 && !foreign) return false;
    return by_regex(cs);
  };
  // An ASCII context at h before a character that is not ASCII (a keyword starting with it, or camelCase)
  auto before_foreign = [&](long h) {
    char c = t[h];
    return (!is_alnum(c) || is_lower(c)) && trie.begins(t, h + 1, n) && by_regex(h);
  };
  // One place h, as the loop below decides it (the last bytes of the text).
  auto decide = [&](long h) -> bool {
    unsigned char c = u[h], x = u[h + 1];
    if (c >= 0x80) return utf8_continuation(x) ? false : utf8_continuation(c) && after_foreign(utf8_before(t, h + 1), h + 1);
    if (x >= 0x80) return before_foreign(h);
    if (!keyword_context(static_cast<char>(c), static_cast<char>(x)) || !may_start(trie, u, h + 1, n)) return false;
    return ascii_place(h);
  };
  long h = pos;
#if defined(__SSE2__)
  const __m128i cont_top = _mm_set1_epi8(static_cast<char>(0xC0));
  for (; h + 19 <= n; h += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(t + h));
    __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i *>(t + h + 1));
    __m128i low = bytes_between(v, 'a', 25);
    __m128i word = _mm_or_si128(_mm_or_si128(low, bytes_between(v, 'A', 25)), bytes_between(v, '0', 9));
    unsigned high = static_cast<unsigned>(_mm_movemask_epi8(v)), high_next = static_cast<unsigned>(_mm_movemask_epi8(w));
    unsigned lower = static_cast<unsigned>(_mm_movemask_epi8(low)), words = static_cast<unsigned>(_mm_movemask_epi8(word));
    // where the next byte is ASCII and a keyword can start with it
    unsigned next_ok = trie.letters_first ? static_cast<unsigned>(_mm_movemask_epi8(
                                                bytes_between(_mm_or_si128(w, _mm_set1_epi8(0x20)), 'a', 25)))
                                          : ~high_next;
    unsigned up_next = static_cast<unsigned>(_mm_movemask_epi8(bytes_between(w, 'A', 25)));
    // ASCII places (keyword_context), as in KeywordTrie::find
    unsigned mask = ((~words & ~high & next_ok) | (lower & up_next)) & 0xFFFFu;
    unsigned cont = 0, special = 0;
    if (high | high_next) {
      cont = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmplt_epi8(v, cont_top)));
      mask |= cont & next_ok;  // the last byte of a character that is not ASCII before an ASCII start
      if (high_next) {  // before a character that is not ASCII a keyword may start with
        unsigned first;
        if (trie.foreign_count <= 4) {
          __m128i any = _mm_setzero_si128();
          for (int k = 0; k < trie.foreign_count; k++)
            any = _mm_or_si128(any, _mm_cmpeq_epi8(w, _mm_set1_epi8(static_cast<char>(trie.foreign_list[k]))));
          first = static_cast<unsigned>(_mm_movemask_epi8(any));
        } else {  // every first byte
          first = high_next & ~static_cast<unsigned>(_mm_movemask_epi8(_mm_cmplt_epi8(w, cont_top)));
        }
        special = first & ((~high & (~words | lower)) | cont) & 0xFFFFu;
      }
    }
    // KeywordTrie::find's filter on the next three bytes, without a branch per place (a byte that is not
    // ASCII among them passes: the walk decides)
    unsigned keep = special;
    for (unsigned rest = mask; rest; rest &= rest - 1) {
      int bit = __builtin_ctz(rest);
      const unsigned char *q = u + h + bit + 1;
      keep |= (static_cast<unsigned>(KeywordTrie::has_bit(trie.triple.data(), KeywordTrie::triple_index(q[0], q[1], q[2]))) |
               static_cast<unsigned>((q[1] | q[2]) >> 7))
              << bit;
    }
    for (; keep; keep &= keep - 1) {
      int bit = __builtin_ctz(keep);
      long at = h + bit;
      bool hit;
      if ((cont >> bit) & 1) hit = after_foreign(utf8_before(t, at + 1), at + 1);
      else if ((special >> bit) & 1) hit = before_foreign(at);
      else hit = ascii_place(at);
      if (hit) return true;
    }
  }
#endif
  for (; h + 1 < n; h++)
    if (decide(h)) return true;
  return false;
}

}  // namespace

// Scanner._keyword_hits for UTF-8 text that is not ASCII: the hits of next_hit_utf8, each one's keyword
// decided as keyword_hits does where the trie found it with only ASCII from its context byte to the byte
// after it, else by the Python definition itself (scanner.keyword_hit, through hit_fn, with the GIL: a
// keyword's Unicode case and the letter categories around it).
bool keyword_hits_utf8(const ScannerObject *self, const StringPiece &text, KeywordHits &out, PyThreadState **save) {
  const KeywordTrie &trie = *self->keywords;
  const char *t = text.data();
  const unsigned char *u = reinterpret_cast<const unsigned char *>(t);
  long n = static_cast<long>(text.size());
  PyObject *data = nullptr;  // the text as bytes, for hit_fn (made at its first call)
  bool ok = true;
  long pos = 0;
  Utf8Hit m;
  while (pos <= n && next_hit_utf8(self, text, pos, m)) {
    long hit = m.hit, b1 = m.end;
    long nxt = b1 > hit ? b1 - 1 : b1;  // share the last character (its first byte)
    while (nxt > hit && utf8_continuation(u[nxt])) nxt--;
    pos = nxt > pos ? nxt : pos + 1;
    bool ascii = m.exact && hit > 0;
    for (long i = hit; ascii && i <= std::min(b1, n - 1); i++) ascii = u[i] < 0x80;
    if (ascii) {  // keyword_hits' steps (after the start of the text, the context is one byte)
      long b0 = hit + 1;
      const std::vector<int> *served = trie.served[m.node];
      while (served != nullptr && !served->empty()) {
        if (b1 < n && is_alnum(t[b1]) && is_alnum(t[b1 - 1]) && !keyword_bounded(t, n, b0, b1)) {
          if (b1 - 1 <= b0) break;
          KeywordTrie::Hit shorter = trie.match_at(t, n, hit, b1 - 1);
          if (shorter.end <= b0) break;
          b1 = shorter.end;
          served = trie.served[shorter.node];
          continue;
        }
        for (int i : *served) out[i].push_back({b0, b1});
        break;
      }
      continue;
    }
    PyEval_RestoreThread(*save);
    if (data == nullptr) data = PyBytes_FromStringAndSize(t, n);
    PyObject *res = data == nullptr ? nullptr : PyObject_CallFunction(self->hit_fn, "Oll", data, hit, b1);
    long k0 = 0, k1 = 0;
    PyObject *served = nullptr;
    ok = res != nullptr && (res == Py_None || PyArg_ParseTuple(res, "llO!", &k0, &k1, &PyTuple_Type, &served));
    for (Py_ssize_t k = 0; ok && res != Py_None && k < PyTuple_GET_SIZE(served); k++) {
      long i = PyLong_AsLong(PyTuple_GET_ITEM(served, k));
      ok = i >= 0 && i < static_cast<long>(out.size()) && k0 >= 0 && k0 < k1 && k1 <= n;
      if (ok) out[static_cast<size_t>(i)].push_back({k0, k1});
      else if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "keyword_hit gave a span or detector out of range");
    }
    Py_XDECREF(res);
    if (!ok) {
      Py_XDECREF(data);
      return false;  // the GIL held, the error set
    }
    *save = PyEval_SaveThread();
  }
  if (data != nullptr) {
    PyEval_RestoreThread(*save);
    Py_DECREF(data);
    *save = PyEval_SaveThread();
  }
  for (auto &spans : out)  // hits come in order, but a detector's list must be sorted by start for Near
    if (!std::is_sorted(spans.begin(), spans.end(), [](const Span &a, const Span &b) { return a.start < b.start; }))
      std::stable_sort(spans.begin(), spans.end(), [](const Span &a, const Span &b) { return a.start < b.start; });
  return true;
}

// The trie of keywords.keyword_spellings (an iterable of non-empty str, lower case), over their UTF-8
// bytes; each spelling's detectors are those keyword_owner gives its separator-free form.
// variants: keywords.keyword_variants, as code points; each spelling's node before each of its characters
// takes that character's variants (KeywordTrie::foreign).
bool build_trie(PyObject *spellings, const std::unordered_map<std::string, std::vector<int>> &owners,
                const std::unordered_map<uint32_t, std::vector<uint32_t>> &variants, KeywordTrie &trie) {
  std::vector<std::vector<std::pair<unsigned char, uint32_t>>> children(1);
  std::vector<const std::vector<int> *> served(1, nullptr);
  std::vector<bool> terminal(1, false);
  PyObject *it = PyObject_GetIter(spellings);
  if (it == nullptr) return false;
  std::string norm;
  while (PyObject *item = PyIter_Next(it)) {
    Py_ssize_t len = 0;
    const char *w = PyUnicode_Check(item) ? PyUnicode_AsUTF8AndSize(item, &len) : nullptr;
    if (w == nullptr || len == 0) {
      Py_DECREF(item);
      Py_DECREF(it);
      if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "keyword spellings must be non-empty str");
      return false;
    }
    uint32_t node = 0;
    norm.clear();
    for (Py_ssize_t j = 0; j < len; j++) {
      unsigned char c = static_cast<unsigned char>(to_lower(w[j]));
      if (!utf8_continuation(c)) {  // a character starts here, after `node`
        auto found = variants.find(utf8_code(reinterpret_cast<const unsigned char *>(w + j)));
        if (found != variants.end())
          for (uint32_t x : found->second) trie.foreign.insert(KeywordTrie::foreign_key(node, x));
      }
      if (c != ' ' && c != '_' && c != '-') norm.push_back(static_cast<char>(c));
      uint32_t next = 0;
      for (auto &edge : children[node])
        if (edge.first == c) next = edge.second;
      if (next == 0) {
        next = static_cast<uint32_t>(children.size());
        children[node].push_back({c, next});
        children.emplace_back();
        served.push_back(nullptr);
        terminal.push_back(false);
      }
      node = next;
    }
    terminal[node] = true;
    auto found = owners.find(norm);
    served[node] = found == owners.end() ? nullptr : &found->second;
    Py_DECREF(item);
  }
  Py_DECREF(it);
  if (PyErr_Occurred()) return false;
  // symbols: the bytes the spellings hold (lower case), numbered from 1; a capital letter is its lower case
  unsigned nsym = 0;
  for (const auto &edges : children)
    for (const auto &edge : edges)
      if (trie.sym[edge.first] == 0) {
        if (nsym == 255) {  // symbols are bytes: a policy whose keywords hold more distinct bytes than that
          PyErr_SetString(PyExc_ValueError, "too many distinct bytes in the keywords for the trie");
          return false;
        }
        trie.sym[edge.first] = static_cast<unsigned char>(++nsym);
      }
  for (int c = 'A'; c <= 'Z'; c++) trie.sym[c] = trie.sym[c + 32];
  auto code = [&terminal](uint32_t node) { return node << 1 | (terminal[node] ? 1u : 0u); };
  // each node's children placed at the first base whose slots are all free (first fit, from the first free slot)
  trie.served = served;
  trie.base.assign(children.size(), 0);
  size_t first_free = 1;
  for (size_t x = 0; x < children.size(); x++) {
    if (x == 0 || children[x].empty()) continue;  // the root's children are reached through trie.root
    size_t low = trie.sym[children[x].front().first];
    for (const auto &edge : children[x]) low = std::min<size_t>(low, trie.sym[edge.first]);
    size_t b = first_free > low ? first_free - low : 0;
    for (;; b++) {
      bool fits = true;
      for (const auto &edge : children[x]) {
        size_t slot = b + trie.sym[edge.first];
        if (slot < trie.check.size() && trie.check[slot] != 0) {
          fits = false;
          break;
        }
      }
      if (fits) break;
    }
    trie.base[x] = static_cast<uint32_t>(b);
    for (const auto &edge : children[x]) {
      size_t slot = b + trie.sym[edge.first];
      if (slot >= trie.check.size()) {
        trie.check.resize(slot + 1, 0);
        trie.next.resize(slot + 1, 0);
      }
      trie.check[slot] = static_cast<uint32_t>(x + 1);
      trie.next[slot] = code(edge.second);
    }
    while (first_free < trie.check.size() && trie.check[first_free] != 0) first_free++;
  }
  // every base plus any symbol is a slot (a walk reads check there before it knows whether the child exists)
  size_t top = 0;
  for (uint32_t b : trie.base) top = std::max<size_t>(top, b);
  trie.check.resize(top + nsym + 1, 0);
  trie.next.resize(top + nsym + 1, 0);
  auto set_all = [&trie](unsigned a, unsigned b) {  // a spelling of one or two bytes: any third byte
    for (unsigned c = 0; c < 32; c++) KeywordTrie::set_bit(trie.triple, KeywordTrie::triple_index(a, b, c));
  };
  for (auto &a : children[0]) {
    // (a spelling that starts with a byte that is not ASCII never starts in ASCII text; in UTF-8 text every
    // place before such a byte is looked at anyway: next_hit_utf8)
    trie.letters_first = trie.letters_first && ((a.first >= 'a' && a.first <= 'z') || a.first >= 0x80);
    if (terminal[a.second])
      for (unsigned b = 0; b < 32; b++) set_all(a.first, b);
    for (auto &b : children[a.second]) {
      if (terminal[b.second]) set_all(a.first, b.first);
      for (auto &c : children[b.second])
        KeywordTrie::set_bit(trie.triple, KeywordTrie::triple_index(a.first, b.first, c.first));
    }
  }
  for (auto &edge : children[0]) {  // a keyword's first letter in either case
    trie.root[edge.first] = code(edge.second);
    if (edge.first >= 'a' && edge.first <= 'z') trie.root[edge.first - 32] = code(edge.second);
  }
  trie.foreign_node.assign(children.size(), 0);
  auto first_byte = [&trie](unsigned char lead) {
    if (trie.foreign_first[lead]) return;
    trie.foreign_first[lead] = true;
    if (trie.foreign_count < 4) trie.foreign_list[trie.foreign_count] = lead;
    trie.foreign_count++;
  };
  for (uint64_t key : trie.foreign) {
    uint32_t node = static_cast<uint32_t>(key >> 21), x = static_cast<uint32_t>(key & 0x1FFFFF);
    trie.foreign_node[node] = 1;
    if (node == 0)  // a keyword's first character: the first byte of x in UTF-8
      first_byte(static_cast<unsigned char>(x < 0x800 ? 0xC0 | x >> 6 : x < 0x10000 ? 0xE0 | x >> 12 : 0xF0 | x >> 18));
  }
  for (auto &edge : children[0])
    if (edge.first >= 0x80) first_byte(edge.first);
  return true;
}

}  // namespace tamis_redact
