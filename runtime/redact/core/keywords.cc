// The keyword pass for ASCII text (keywords.py, scanner.py's Scanner._keyword_hits_ascii): the trie of the
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


// The trie of keywords.keyword_spellings (an iterable of non-empty ASCII str, lower case); each
// spelling's detectors are those keyword_owner gives its separator-free form.
bool build_trie(PyObject *spellings, const std::unordered_map<std::string, std::vector<int>> &owners,
                KeywordTrie &trie) {
  std::vector<std::vector<std::pair<unsigned char, uint32_t>>> children(1);
  std::vector<const std::vector<int> *> served(1, nullptr);
  std::vector<bool> terminal(1, false);
  PyObject *it = PyObject_GetIter(spellings);
  if (it == nullptr) return false;
  std::string norm;
  while (PyObject *item = PyIter_Next(it)) {
    Py_ssize_t len = 0;
    const char *w = PyUnicode_Check(item) && PyUnicode_IS_ASCII(item) ? PyUnicode_AsUTF8AndSize(item, &len) : nullptr;
    if (w == nullptr || len == 0) {
      Py_DECREF(item);
      Py_DECREF(it);
      if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "keyword spellings must be non-empty ASCII str");
      return false;
    }
    uint32_t node = 0;
    norm.clear();
    for (Py_ssize_t j = 0; j < len; j++) {
      unsigned char c = static_cast<unsigned char>(to_lower(w[j]));
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
      if (trie.sym[edge.first] == 0) trie.sym[edge.first] = static_cast<unsigned char>(++nsym);
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
    trie.letters_first = trie.letters_first && a.first >= 'a' && a.first <= 'z';
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
  return true;
}

}  // namespace tamis_redact
