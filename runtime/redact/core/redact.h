// Shared declarations of the data-protection scanner's native core (optional; built as
// tamis.runtime.redact._redact from the .cc files beside this one, see setup.py).
//
// The core runs Scanner.scan in one call: the RE2 set pass, the keyword pass, the exact spans of each
// identifier that may occur (whole message or windows around its keywords), the keyword windows and the
// checks, and returns the sorted findings. The Python binding of RE2 costs about a microsecond per call and
// a dense message needs several calls per finding; here each is a plain C++ call into RE2 (google-re2's
// own, re2_link.h). A message that is not ASCII is read as its UTF-8 form, as the Python path reads it: offsets
// become characters through CharIndex, keyword hits with characters that are not ASCII around them are
// decided by the keyword regex and the Python keywords.keyword_hit, and checks that would read such a
// character are left to Python. Checks without a native form here (IPv6, IBAN, ...) call the Python check,
// so both paths share one definition of each. The RE2
// work runs without the GIL: a service scanning messages on several threads uses several cores.
//
// The Python modules of runtime/redact/ are the definition, and each file here follows the one it is
// named for step by step (keywords.cc: keywords.py, search.cc: search.py, checks.cc: checks.py,
// scanner.cc: scanner.py, rewrite.cc: json_rewrite.py and redactor.py), except where less is read for
// the same findings: the set pass runs first only for detectors nothing else bounds (Detector::needs_set),
// otherwise only once searching for values that do not occur has cost about what it costs (Budget), and
// searches go only near anchors (spans_into). module.cc holds the Python bindings. Every table the Python
// side hands over is declared field by field in runtime/redact/native.py (with the list of C++/Python
// twins); the differential tests in tests/data_protection/test_redact_native.py hold the two to the same
// results.
#ifndef TAMIS_REDACT_H
#define TAMIS_REDACT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "re2_link.h"

namespace tamis_redact {

using tamis_re2::RE2;
using StringPiece = std::string_view;

// Check codes: the Python check functions with a native form (runtime/redact/native.py: NATIVE_CHECKS).
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

// The bytes of the UTF-8 character that starts with byte c (1 for ASCII and for a stray continuation byte).
inline long utf8_width(unsigned char c) { return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }
inline bool utf8_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }
// The code point of the UTF-8 character that starts at p (valid UTF-8: the text of a str).
inline uint32_t utf8_code(const unsigned char *p) {
  if (p[0] < 0x80) return p[0];
  if (p[0] < 0xE0) return (p[0] & 0x1Fu) << 6 | (p[1] & 0x3Fu);
  if (p[0] < 0xF0) return (p[0] & 0x0Fu) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
  return (p[0] & 0x07u) << 18 | (p[1] & 0x3Fu) << 12 | (p[2] & 0x3Fu) << 6 | (p[3] & 0x3Fu);
}
// Whether code point c is a letter of Latin-1 Supplement or Latin Extended-A (U+00C0-U+017F but the signs
// U+00D7 and U+00F7): letters (\pL) in every version of Unicode, the ones European text is made of.
inline bool latin_letter(uint32_t c) { return c >= 0xC0 && c <= 0x17F && c != 0xD7 && c != 0xF7; }
// The start of the character before byte p of UTF-8 text (p > 0).
inline long utf8_before(const char *t, long p) {
  long q = p - 1;
  while (q > 0 && utf8_continuation(static_cast<unsigned char>(t[q]))) q--;
  return q;
}

struct Detector {
  std::shared_ptr<RE2> re;  // shared with the detector's copy for UTF-8 text (ScannerObject::dets_utf8)
  int group = 0;
  int mode = MODE_NONE;
  bool keyed = false;
  bool relaxes = false;
  int check = CHECK_NONE;
  int strict = CHECK_NONE;
  PyObject *check_fn = nullptr;   // the Python check (borrowed from the row kept in ScannerObject::spec)
  PyObject *strict_fn = nullptr;
  long reach = 0;
  std::set<std::string, std::less<>> exclude;  // looked up by string_view: no copy per candidate
  int rank = 0;  // position of the name in sorted order: findings sort by (start, -end, name)
  // detector.SearchHints: every match holds at least required_count of the required characters (when
  // has_required), only characters of the alphabet (when has_alphabet), and is at most max_len long (when
  // >= 0): a search only needs the parts of the text those allow (the results are the same).
  bool has_required = false;
  bool required[256] = {};
  int required_count = 0;
  int required_single = -1;  // the one required character, when there is one
  int required_ranges = 0;   // the required characters as at most four byte ranges (0: more)
  unsigned char range_lo[4] = {}, range_span[4] = {};
  bool has_alphabet = false;
  bool alphabet[256] = {};
  // detector.SearchHints.run_alphabet: the value holds required_count required characters in one run of
  // these (when has_run), so an anchor without them in one run is passed over.
  bool has_run = false;
  bool run[256] = {};
  // The run alphabet and a few bytes more as at most three byte ranges, for sixteen bytes at a time (more
  // bytes in a run only count more anchors: the same findings)
  int run_ranges = 0;
  unsigned char run_lo[3] = {}, run_span[3] = {};
  // detector.SearchHints.run_lead: the bytes that may not come just before the value, which then starts
  // where its run does (when has_lead)
  bool has_lead = false;
  bool lead[256] = {};
  // detector.SearchHints.value_lead: the group is the whole match less its first byte when that byte is
  // not one of these (when value_by_lead): RE2 is asked for the match alone, at a third of the cost
  bool value_by_lead = false;
  bool value_lead[256] = {};
  // Where the value of a match starting at s starts (value_by_lead): after its leading character, if one was
  // matched (a character of several bytes in UTF-8 text)
  long value_start(const char *t, long s) const {
    unsigned char c = static_cast<unsigned char>(t[s]);
    return value_lead[c] ? s : s + utf8_width(c);
  }
  // detector.SearchHints.word_start: a match starts only at one of these bytes after a byte that is no
  // word character (when has_word_start)
  bool has_word_start = false;
  bool word_start[256] = {};
  // detector.SearchHints.streak_min, streak_max: a match starts with that many required bytes in a row,
  // and the text's run of them there is no longer (-1: unknown)
  int streak_min = 0, streak_max = -1;
  bool digit_starts = false;  // every word_start byte is a digit (DigitStarts finds them)
  // A relaxing detector (PhoneNumber) whose reported values are searched for only where they can be
  // reported (see relaxed_spans)
  bool relaxed_local = false;
  long max_len = -1;
  long max_bytes = -1;  // the longest match in UTF-8 bytes (-1: unknown): max_len of dets_utf8
  // Every character of every hint was ASCII, so the hints hold in any text (else, in a text that is not
  // ASCII, the detector is searched without them: dets_utf8)
  bool hints_ascii = true;
  // Whether the RE2 set pass must rule it in before it is searched. The set pass only says which patterns
  // occur somewhere, at about the cost of one DFA pass over the message; a detector whose searches are
  // bounded by anchors, keyword windows or a literal prefix (which RE2 finds with memchr) usually costs
  // less searched directly (see Budget for when it does not).
  bool needs_set = false;
  bool prefixed = false;  // every match starts with the same two bytes or more (RE2 finds them with memchr)
  std::string prefix;     // those bytes
  PyObject *name = nullptr;  // borrowed, kept alive by spec
};

// Set bits of x, inline: x86-64 without POPCNT (the baseline the cores are built for) has no instruction for
// it, and the library call __builtin_popcountll makes costs more than these few operations.
inline long bit_count(uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
  return static_cast<long>((x * 0x0101010101010101ULL) >> 56);
}

// Byte offsets of UTF-8 text -> character offsets (the findings' offsets are characters, as in the
// Python path): the characters before each 64-byte block, counted once per scan sixteen bytes at a time,
// then the character starts in the block before the offset. Made only for a text that is not ASCII.
class CharIndex {
 public:
  CharIndex(const char *t, long n) : blocks_(static_cast<size_t>(n >> 6) + 1), before_(blocks_.size()) {
    const unsigned char *u = reinterpret_cast<const unsigned char *>(t);
    long count = 0;
    for (size_t b = 0; b < blocks_.size(); b++) {
      long s = static_cast<long>(b) << 6;
      uint64_t cont = 0;
      long i = 0;
#if defined(__SSE2__)
      // a continuation byte is 10xxxxxx: as a signed byte, below -64 (0xC0)
      for (; i + 16 <= 64 && s + i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(u + s + i));
        cont |= static_cast<uint64_t>(static_cast<unsigned>(
                    _mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8(static_cast<char>(0xC0))))))
                << i;
      }
#endif
      for (; i < 64 && s + i < n; i++) cont |= static_cast<uint64_t>(utf8_continuation(u[s + i])) << i;
      blocks_[b] = cont;
      before_[b] = count;
      long in_block = std::min(64L, n - s);
      if (in_block > 0) count += in_block - bit_count(cont);
    }
  }
  // The character offset of byte b (a character start, or the text's end); for a byte inside a character,
  // the characters that start before it.
  long operator()(long b) const {
    size_t k = static_cast<size_t>(b >> 6);
    uint64_t below = blocks_[k] & ((uint64_t{1} << (b & 63)) - 1);
    return before_[k] + (b & 63) - bit_count(below);
  }
  // The byte where the character `count` characters before the one at byte b starts (0 at most), b a
  // character start: stepped back by as many bytes as characters are still missing (a byte is at most one).
  long back(long b, long count) const {
    long target = (*this)(b) - count, lo = std::max(0L, b - count);
    while (lo > 0) {
      long index = (*this)(lo) - inside(lo);  // of the character at or around lo
      if (index > target) lo -= index - target;
      else if (inside(lo)) lo--;
      else break;
    }
    return std::max(0L, lo);
  }
  // The byte where the character `count` characters after the one at byte b starts (n at most).
  long ahead(long b, long count, long n) const {
    long target = (*this)(b) + count, hi = std::min(n, b + count);
    while (hi < n) {
      if (inside(hi)) {
        hi++;
      } else {
        long index = (*this)(hi);
        if (index >= target) break;
        hi = std::min(n, hi + target - index);
      }
    }
    return hi;
  }

 private:
  long inside(long b) const { return (blocks_[static_cast<size_t>(b >> 6)] >> (b & 63)) & 1; }
  std::vector<uint64_t> blocks_;  // per block: its continuation bytes, as bits
  std::vector<long> before_;      // per block: the characters before it
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

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
inline bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool is_alnum(char c) { return is_digit(c) || is_lower(c) || is_upper(c); }
inline bool is_word(unsigned char c) { return is_alnum(static_cast<char>(c)) || c == '_'; }
inline char to_lower(char c) { return is_upper(c) ? static_cast<char>(c + 32) : c; }
// Where a keyword can start after the byte c when the next is x (keywords.keyword_regex, ASCII): c neither a
// letter nor a digit, or a lower-case letter before a capital (camelCase).
inline bool keyword_context(char c, char x) { return !is_alnum(c) || (is_lower(c) && is_upper(x)); }

#if defined(__SSE2__)
// Which of the sixteen bytes of v lie in [lo, lo + span], as 0xFF bytes: unsigned, min(v - lo, span) == v - lo.
inline __m128i bytes_between(__m128i v, __m128i lo, __m128i span) {
  __m128i diff = _mm_sub_epi8(v, lo);
  return _mm_cmpeq_epi8(_mm_min_epu8(diff, span), diff);
}
inline __m128i bytes_between(__m128i v, unsigned char lo, unsigned char span) {
  return bytes_between(v, _mm_set1_epi8(static_cast<char>(lo)), _mm_set1_epi8(static_cast<char>(span)));
}

// Up to four byte ranges, their bounds loaded once: which of sixteen bytes lie in one of them, as bits.
struct ByteRanges {
  int count = 0;
  __m128i lo[4], span[4];
  ByteRanges(int n, const unsigned char *los, const unsigned char *spans) : count(n) {
    for (int r = 0; r < n; r++) {
      lo[r] = _mm_set1_epi8(static_cast<char>(los[r]));
      span[r] = _mm_set1_epi8(static_cast<char>(spans[r]));
    }
  }
  unsigned block(const unsigned char *p) const {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
    __m128i any = _mm_setzero_si128();
    for (int r = 0; r < count; r++) any = _mm_or_si128(any, bytes_between(v, lo[r], span[r]));
    return static_cast<unsigned>(_mm_movemask_epi8(any));
  }
};
#endif

// The keyword regex of keywords.keyword_regex, for ASCII text, as a trie of its spellings (lower case;
// each space of a keyword spelled as nothing, " ", "_" or "-": keywords.keyword_spellings). A regex
// search costs a few hundred nanoseconds before it reads a byte and a dense message has a keyword every
// ~140 bytes; the trie is walked only where a keyword can start. Same leftmost-longest hits: the
// differential tests compare them with the Python keyword pass, which runs the regex.
struct KeywordTrie {
  struct Hit {
    long end = -1;  // -1: none
    uint32_t node = 0;
  };
  // The root is node 0, the others are numbered from 1. A child is reached through a double array: node
  // x's child on symbol s sits in slot base[x] + s when check of that slot is x + 1, so each byte of a walk
  // costs a few loads where a list of edges was searched (the walks were a third of the keyword pass). A
  // child is held as a code, its number shifted left by one with its terminal flag in the low bit (code 0:
  // none).
  std::vector<const std::vector<int> *> served;  // per node: a terminal's detectors (keyword_owner)
  std::vector<uint32_t> base;                     // per node: where its children's slots start
  std::vector<uint32_t> check;                    // per slot: its owner plus one (0: free)
  std::vector<uint32_t> next;                     // per slot: the child's code
  uint32_t root[256] = {};                        // the root's children by byte, either case: codes
  unsigned char sym[256] = {};                    // byte -> symbol (1..), either case; 0: in no spelling
  // The first three bytes of the spellings folded to five bits each (either case of a letter folds to the
  // same value; a few other bytes pass with it), as bits; a spelling of one or two bytes sets every third
  // byte it leaves open. What a place must start with before the trie is walked from it.
  std::vector<uint64_t> triple = std::vector<uint64_t>(512);
  bool letters_first = true;  // every spelling starts with a letter
  // The characters that are not ASCII a case-insensitive match takes for a node's next characters
  // (keywords.keyword_variants), as (node << 21 | code point): where a walk in UTF-8 text stops at a
  // character that is not ASCII, the regex can go on only if it is one of these for the node the walk had
  // reached before it. foreign_node: per node, whether it has any (most have none).
  std::unordered_set<uint64_t> foreign;
  std::vector<char> foreign_node;
  // The first bytes of the characters that are not ASCII a keyword can start with: a spelling's own first
  // character or a variant of one (the root's entries of foreign). No other byte that is not ASCII starts a
  // keyword; at most four of them are also kept as a list, for sixteen bytes at a time.
  bool foreign_first[256] = {};
  int foreign_count = 0;
  unsigned char foreign_list[4] = {};

  static uint64_t foreign_key(uint32_t node, uint32_t code) { return uint64_t{node} << 21 | code; }
  // Whether the regex, at node `node`, might go on with the character at cs (not ASCII) where the trie
  // does not: a variant of one of the node's next characters.
  bool continues(uint32_t node, const char *t, long cs) const {
    return foreign_node[node] && foreign.count(foreign_key(node, utf8_code(reinterpret_cast<const unsigned char *>(t + cs))));
  }
  // Whether a keyword can start with the character at j (not ASCII): a spelling's first character, its
  // bytes as they are, or a variant of one.
  bool begins(const char *t, long j, long n) const {
    const unsigned char *u = reinterpret_cast<const unsigned char *>(t);
    if (!foreign_first[u[j]]) return false;
    if (continues(0, t, j)) return true;
    uint32_t code = root[u[j]];
    for (long k = j + 1; code != 0 && k < n && utf8_continuation(u[k]); k++) {
      uint32_t node = code >> 1;
      unsigned s = sym[u[k]];
      if (s == 0 || check[base[node] + s] != node + 1) return false;
      code = next[base[node] + s];
    }
    return code != 0;
  }

  // walk for UTF-8 text: *foreign is set where the walk stopped at a character that is not ASCII that the
  // regex, which folds the case of every letter, might have taken (continues, for the node reached at that
  // character's first byte).
  Hit walk_utf8(const char *t, long from, long limit, bool *foreign) const {
    const unsigned char *u = reinterpret_cast<const unsigned char *>(t);
    Hit best;
    if (from >= limit) return best;
    uint32_t code = root[u[from]];
    if (code == 0) {
      if (u[from] >= 0x80 && continues(0, t, from)) *foreign = true;
      return best;
    }
    uint32_t at_char = 0;  // the node reached before the character being read, and where it starts
    long char_start = from;
    for (long j = from + 1;; j++) {
      uint32_t node = code >> 1;
      if (code & 1) best = {j, node};
      if (j >= limit) break;
      unsigned char b = u[j];
      if (!utf8_continuation(b)) {
        at_char = node;
        char_start = j;
      }
      unsigned s = sym[b];
      size_t slot = base[node] + s;
      if (s == 0 || check[slot] != node + 1) {
        if (b >= 0x80 && continues(at_char, t, char_start)) *foreign = true;
        break;
      }
      code = next[slot];
    }
    return best;
  }

  // The longest spelling that starts at `from` and ends by `limit`, ignoring ASCII case (walk_utf8 when
  // `foreign` is given).
  Hit walk(const char *t, long from, long limit, bool *foreign = nullptr) const {
    if (foreign != nullptr) return walk_utf8(t, from, limit, foreign);
    Hit best;
    if (from >= limit) return best;
    uint32_t code = root[static_cast<unsigned char>(t[from])];
    for (long j = from + 1; code != 0; j++) {
      uint32_t node = code >> 1;
      if (code & 1) best = {j, node};
      if (j >= limit) break;
      unsigned s = sym[static_cast<unsigned char>(t[j])];
      size_t slot = base[node] + s;
      if (s == 0 || check[slot] != node + 1) break;
      code = next[slot];
    }
    return best;
  }

  // The longest hit of the keyword regex that starts at h and ends by limit: at the start of the text
  // the keyword itself; after a character that is neither a letter nor a digit; or after a lower-case
  // letter, a keyword spelled with a capital first letter (camelCase). ASCII context (see walk for foreign).
  Hit match_at(const char *t, long n, long h, long limit, bool *foreign = nullptr) const {
    Hit best = h == 0 ? walk(t, 0, limit, foreign) : Hit{};
    if (h + 1 < n && h + 1 < limit && keyword_context(t[h], t[h + 1])) {
      Hit other = walk(t, h + 1, limit, foreign);
      if (other.end > best.end) best = other;
    }
    return best;
  }

  // The leftmost-longest hit at or after pos; its start in *hit.
  Hit find(const char *t, long n, long pos, long *hit) const {
    if (pos == 0 && n > 0) {
      Hit m = match_at(t, n, 0, n);
      if (m.end >= 0) {
        *hit = 0;
        return m;
      }
      pos = 1;
    }
    long h = pos;
#if defined(__SSE2__)
    const uint64_t *tri = triple.data();
    // Sixteen bytes at a time (SSE2 is part of every x86-64): the places where keyword_context holds, as a
    // bit mask.
    for (; h + 17 <= n; h += 16) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(t + h));
      __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i *>(t + h + 1));
      __m128i low = bytes_between(v, 'a', 25), next_up = bytes_between(w, 'A', 25);
      __m128i word = _mm_or_si128(_mm_or_si128(low, bytes_between(v, 'A', 25)), bytes_between(v, '0', 9));
      unsigned other = ~static_cast<unsigned>(_mm_movemask_epi8(word));
      if (letters_first)  // a keyword follows the boundary only where a letter does
        other &= static_cast<unsigned>(_mm_movemask_epi8(bytes_between(_mm_or_si128(w, _mm_set1_epi8(0x20)), 'a', 25)));
      unsigned mask = (other | static_cast<unsigned>(_mm_movemask_epi8(_mm_and_si128(low, next_up)))) & 0xFFFFu;
      // the places whose next three bytes can start a spelling, decided without a branch per place (they
      // are unpredictable; the few that remain are walked)
      unsigned keep = 0;
      if (h + 19 <= n) {  // every place's three bytes are in the text
        const unsigned char *u = reinterpret_cast<const unsigned char *>(t + h + 1);
        for (unsigned rest = mask; rest; rest &= rest - 1) {
          int bit = __builtin_ctz(rest);
          keep |= static_cast<unsigned>(has_bit(tri, triple_index(u[bit], u[bit + 1], u[bit + 2]))) << bit;
        }
      } else {
        for (unsigned rest = mask; rest; rest &= rest - 1) {
          int bit = __builtin_ctz(rest);
          keep |= static_cast<unsigned>(starts(t, h + bit + 1, n)) << bit;
        }
      }
      for (; keep; keep &= keep - 1) {
        long at = h + __builtin_ctz(keep);
        Hit m = match_at(t, n, at, n);
        if (m.end >= 0) {
          *hit = at;
          return m;
        }
      }
    }
#endif
    for (; h + 1 < n; h++) {
      if (!keyword_context(t[h], t[h + 1]) || !starts(t, h + 1, n)) continue;
      Hit m = match_at(t, n, h, n);
      if (m.end >= 0) {
        *hit = h;
        return m;
      }
    }
    return {};
  }

  static bool has_bit(const uint64_t *bits, unsigned i) { return (bits[i >> 6] >> (i & 63)) & 1; }
  static void set_bit(std::vector<uint64_t> &bits, unsigned i) { bits[i >> 6] |= uint64_t{1} << (i & 63); }

  // Whether some spelling can start at i (its first three bytes, folded; at the end of the text, its first).
  bool starts(const char *t, long i, long n) const {
    if (i + 2 >= n) return root[static_cast<unsigned char>(t[i])] != 0;
    return has_bit(triple.data(), triple_index(static_cast<unsigned char>(t[i]), static_cast<unsigned char>(t[i + 1]),
                                        static_cast<unsigned char>(t[i + 2])));
  }
  static unsigned triple_index(unsigned a, unsigned b, unsigned c) { return (a & 31) << 10 | (b & 31) << 5 | (c & 31); }
};

struct ScannerObject {
  PyObject_HEAD
  std::vector<Detector> *dets;
  // The detectors as a text that is not ASCII takes them (UTF-8: offsets in bytes, up to four bytes a
  // character): the longest match four times as long unless the alphabet is ASCII, hints only where every
  // character of them is ASCII
  std::vector<Detector> *dets_utf8;
  RE2 *keyword_re;     // keywords.keyword_regex (longest match), for the hits the trie cannot decide in UTF-8
  PyObject *hit_fn;    // scanner.keyword_hit bound to the regex and owners: such a hit's keyword, with the GIL
  std::unique_ptr<RE2::Set> *set;  // every detector's pattern, slot i for detector i
  bool set_needed;                  // some detector has needs_set: the set pass runs first
  // Whether the last scan without the set pass first spent its Budget (then the next scans run the set
  // pass first, as a policy of many identifiers on ordinary messages should), and how many scans began;
  // every kProbeEvery-th scan goes without it again to see whether that still holds. Read and written
  // with atomics: scans run on several threads at once, without the GIL.
  int set_first;
  unsigned long scans;
  KeywordTrie *keywords;  // nullptr: no keywords
  std::unordered_map<std::string, std::vector<int>> *owner;
  long window;             // keywords.KEYWORD_WINDOW
  long longest_keyword;    // keywords.LONGEST_KEYWORD
  long anchor_min;         // native.ANCHOR_MIN_RANGE
  PyObject *spec;          // keeps every borrowed object alive
  PyTypeObject *finding;   // tuple subclass the findings are built as
};

inline bool in(char c, const char *set) {
  for (; *set; ++set)
    if (*set == c) return true;
  return false;
}

// checks.has_country_code: the value starts with "+" or with "00" and a digit 1-9 (inline: search.cc's
// country_codes asks at every '+' and '0' of a message).
inline bool country_code_at(const char *t, long n, long s) {
  if (t[s] == '+') return true;
  if (s + 2 <= n && t[s] == '0' && t[s + 1] == '0')
    return s + 2 >= n || in(t[s + 2], "123456789");  // "" in "123..." holds in Python
  return false;
}

// The digits of [s, e), on the stack: a check runs on every candidate, and a card number's 16 digits are
// past std::string's inline capacity (a heap allocation each). The values checked hold a few dozen
// digits at most; `over` says there were more than it keeps (the check is then left to Python).
struct Digits {
  char buf[64];
  size_t len = 0;
  bool over = false;
  Digits(const char *t, long s, long e) {
    for (long i = s; i < e; i++) {
      if (!is_digit(t[i])) continue;
      if (len == sizeof buf) {
        over = true;
        return;
      }
      buf[len++] = t[i];
    }
  }
  size_t size() const { return len; }
  char operator[](size_t i) const { return buf[i]; }
  std::string_view view() const { return {buf, len}; }
};

// Work spent searching for a detector that has found nothing yet: what the set pass would have spared
// had it said the detector occurs nowhere. A message whose every digit is an anchor (a long run of
// digits, a table of numbers), or a policy of a hundred identifiers most of which never occur, can make
// that many times the set pass's own cost; once it reaches about the cost of a set pass of simple
// patterns over the message (RE2 bytes, a fixed amount per search, a few per anchor), the scan runs the
// set pass and goes on with the detectors it rules in, and the next scans run it first
// (ScannerObject::set_first): the worst case stays near running it first always.
struct Budget {
  long left;
  bool spent = false;
  bool charge(long units, const std::vector<Span> &found) {
    if (found.empty() && (left -= units) < 0) spent = true;
    return spent;
  }
};
// Costs in bytes of the set pass (measured: a search that finds nothing costs about two set-pass bytes
// per byte it reads, plus a fixed cost)
constexpr long kByteCost = 2;
constexpr long kSearchCost = 128;   // an RE2 search's fixed cost
constexpr long kAnchorCost = 16;    // an anchor handed to spans_into
constexpr long kCandidateCost = 4;  // a candidate anchor looked at and passed over
constexpr unsigned long kProbeEvery = 16;  // a scan in this many tries without the set pass first again

// The digits that start a word (after a byte that is no word character, or at the start of the text),
// as bits, worked out 64 bytes at a time as keyword windows ask for them: the windows of the identifiers
// whose values start with a digit overlap, and each looked at every byte of its own.
class DigitStarts {
 public:
  DigitStarts(const unsigned char *u, long n)
      : u_(u), n_(n), bits_(static_cast<size_t>(n >> 6) + 1), done_(static_cast<size_t>(n >> 6) + 1) {}

  // The first one in [p, end) (end: none).
  long next(long p, long end) {
    while (p < end) {
      long c = p >> 6;
      uint64_t m = chunk(c) & (~uint64_t{0} << (p & 63));
      if (m) return std::min(end, (c << 6) + __builtin_ctzll(m));
      p = (c + 1) << 6;
    }
    return end;
  }

 private:
  uint64_t chunk(long c) {
    if (!done_[static_cast<size_t>(c)]) {
      bits_[static_cast<size_t>(c)] = compute(c << 6);
      done_[static_cast<size_t>(c)] = 1;
    }
    return bits_[static_cast<size_t>(c)];
  }
  uint64_t compute(long s) const {
    uint64_t out = 0;
#if defined(__SSE2__)
    if (s >= 1 && s + 64 <= n_) {
      for (int b = 0; b < 4; b++) {
        const unsigned char *p = u_ + s + 16 * b;
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
        __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p - 1));
        __m128i word = _mm_or_si128(_mm_or_si128(bytes_between(w, '0', 9), bytes_between(w, 'A', 25)),
                                    _mm_or_si128(bytes_between(w, 'a', 25), _mm_cmpeq_epi8(w, _mm_set1_epi8('_'))));
        unsigned m = static_cast<unsigned>(_mm_movemask_epi8(_mm_andnot_si128(word, bytes_between(v, '0', 9))));
        out |= static_cast<uint64_t>(m) << (16 * b);
      }
      return out;
    }
#endif
    for (long i = s; i < std::min(n_, s + 64); i++)
      if (is_digit(static_cast<char>(u_[i])) && (i == 0 || !is_word(u_[i - 1]))) out |= uint64_t{1} << (i - s);
    return out;
  }
  const unsigned char *u_;
  long n_;
  std::vector<uint64_t> bits_;
  std::vector<char> done_;
};

using KeywordHits = std::vector<std::vector<Span>>;  // detector index -> keyword spans, in order

// keywords.near_sorted, for one detector's spans in order: the first keyword that can be near a span is
// carried from one span to the next (starts only grow), where a binary search per span was a few percent
// of a dense message's time.
class Near {
 public:
  Near(const ScannerObject *self, const std::vector<Span> &kws)
      : window_(self->window), longest_(self->longest_keyword), begin_(kws.begin()), it_(kws.begin()),
        end_(kws.end()) {}

  // Whether a keyword lies within the window of [s, e) (spans come in order; one that does not is looked
  // up again).
  bool operator()(long s, long e) {
    long lo = s - window_ - longest_;
    if (it_ != begin_ && (it_ - 1)->start >= lo)
      it_ = std::lower_bound(begin_, end_, lo, [](const Span &k, long v) { return k.start < v; });
    while (it_ != end_ && it_->start < lo) ++it_;
    for (auto it = it_; it != end_; ++it) {
      if (it->start > e + window_) break;
      if (it->end <= s && s - it->end <= window_) return true;
      if (it->start >= e && it->start - e <= window_) return true;
    }
    return false;
  }

 private:
  long window_, longest_;
  std::vector<Span>::const_iterator begin_, it_, end_;
};

// The findings of one scan held as C++ records until Python asks for them as Finding tuples: apply, whose
// caller usually wants the rewritten message alone, hands them to rewrite and makes the tuples only when
// its outcome's findings are read (thousands of tuples and ints made and freed were a tenth of a dense
// message's time).
struct FoundObject {
  PyObject_HEAD
  ScannerObject *scanner;  // a strong reference: the detectors' names
  std::vector<Raw> *raw;
};

// The Found type (module.cc): rewrite takes its records as they are.
extern PyTypeObject FoundType;

// checks.cc
int native_check(int code, const char *t, long n, long s, long e);
// Whether a byte of [s - 2, e + 2) is not ASCII: a native check, which reads at most two characters on each
// side of a value, then leaves the decision to the Python check (Unicode digits and letters).
inline bool foreign_near(const char *t, long n, long s, long e) {
  for (long i = std::max(0L, s - 2), stop = std::min(n, e + 2); i < stop; i++)
    if (static_cast<unsigned char>(t[i]) >= 0x80) return true;
  return false;
}
// checks.digits_of of [s, e) as UTF-8 (Unicode digits too), for a value that is not ASCII.
std::string digits_utf8(const char *t, long s, long e);
int run_check(int code, PyObject *fn, PyObject *text, const char *t, long n, long s, long e);
// The Python check fn(text, start, end) (character offsets): 1 holds, 0 fails, -1 a Python exception set.
int python_check(PyObject *fn, PyObject *text, long s, long e);

// keywords.cc
void keyword_hits(const ScannerObject *self, const StringPiece &text, KeywordHits &out);
// keyword_hits for UTF-8 text that is not ASCII; save: the thread state to take the GIL back with when a hit
// the trie cannot decide goes to hit_fn. False: a Python error raised (with the GIL held).
bool keyword_hits_utf8(const ScannerObject *self, const StringPiece &text, KeywordHits &out, PyThreadState **save);
bool build_trie(PyObject *spellings, const std::unordered_map<std::string, std::vector<int>> &owners,
                const std::unordered_map<uint32_t, std::vector<uint32_t>> &variants, KeywordTrie &trie);

// search.cc
void spans_into(const Detector &d, const StringPiece &text, long pos, long end, long anchor_min, std::vector<Span> &out,
                Budget *budget, DigitStarts *digits = nullptr);
void country_codes(const char *t, long n, std::vector<long> &out);
void relaxed_spans(const Detector &d, const StringPiece &text, const std::vector<Span> &kws,
                   const std::vector<long> &codes, long window, long anchor_min, std::vector<Span> &out,
                   Budget *budget);

// scanner.cc
// The memory a scan encodes a text into (utf8_of): the one kept between scans when it is free, else its own.
class Utf8Buffer {
 public:
  Utf8Buffer() = default;
  Utf8Buffer(const Utf8Buffer &) = delete;
  Utf8Buffer &operator=(const Utf8Buffer &) = delete;
  ~Utf8Buffer();
  char *get(size_t size);  // room for size bytes (nullptr: none), until this buffer goes
 private:
  char *block_ = nullptr;
};
// The UTF-8 form of a str, its length in *len: an ASCII str's own bytes, the UTF-8 CPython keeps in the str
// where it made it already, else encoded into buf (not kept by the str: a message is usually scanned once,
// and CPython's encoder reads a str of two bytes a character one character at a time, this sixteen bytes
// of ASCII at a time). nullptr, with UnicodeEncodeError set, for a lone surrogate (MemoryError where
// there is no room for it).
const char *utf8_of(PyObject *text, Utf8Buffer &buf, Py_ssize_t *len);
int scan_into(ScannerObject *self, PyObject *text, PyObject *allowed, std::vector<Raw> &raw, bool &set_ran,
              long &budget_left);

// rewrite.cc
PyObject *rewrite(PyObject *, PyObject *args);

}  // namespace tamis_redact

#endif  // TAMIS_REDACT_H
