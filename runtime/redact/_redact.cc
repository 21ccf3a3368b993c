// Native core of the data-protection scanner (optional; runtime/detectors.py is the definition).
//
// It runs Scanner.scan for ASCII messages in one call: the RE2 set pass, the keyword pass, the exact
// spans of each identifier that may occur (whole message or windows around its keywords), the keyword
// windows and the checks, and returns the sorted findings. The Python binding of RE2 costs about a
// microsecond per call and a dense message needs several calls per finding; here each is a plain C++
// call into RE2 (Debian's libre2). Non-ASCII messages, where byte and character offsets differ and
// keyword boundaries follow Unicode categories, stay on the Python path. Checks without a native
// form here (IPv6, IBAN, ...) call the Python check, so both paths share one definition of each. The RE2
// work runs without the GIL: a service scanning messages on several threads uses several cores.
//
// Everything follows runtime/detectors.py step by step, except where less is read for the same findings:
// the set pass runs first only for detectors nothing else bounds (Detector::needs_set), otherwise only
// once searching for values that do not occur has cost about what it costs (Budget), and searches go
// only near anchors (spans_into). The differential tests in tests/test_redact_native.py hold the two to
// the same findings.
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

using re2::RE2;
using re2::StringPiece;

// Check codes: the Python check functions with a native form (tamis.runtime.redact.detectors.NATIVE_CHECKS).
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
  std::set<std::string, std::less<>> exclude;  // looked up by string_view: no copy per candidate
  int rank = 0;  // position of the name in sorted order: findings sort by (start, -end, name)
  // detectors.SearchHints: every match holds at least required_count of the required characters (when
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
  // detectors.SearchHints.run_alphabet: the value holds required_count required characters in one run of
  // these (when has_run), so an anchor without them in one run is passed over.
  bool has_run = false;
  bool run[256] = {};
  // The run alphabet and a few bytes more as at most three byte ranges, for sixteen bytes at a time (more
  // bytes in a run only count more anchors: the same findings)
  int run_ranges = 0;
  unsigned char run_lo[3] = {}, run_span[3] = {};
  // detectors.SearchHints.run_lead: the bytes that may not come just before the value, which then starts
  // where its run does (when has_lead)
  bool has_lead = false;
  bool lead[256] = {};
  // detectors.SearchHints.value_lead: the group is the whole match less its first byte when that byte is
  // not one of these (when value_by_lead): RE2 is asked for the match alone, at a third of the cost
  bool value_by_lead = false;
  bool value_lead[256] = {};
  // Where the value of a match starting at s starts (value_by_lead): after its leading byte, if one was matched
  long value_start(const char *t, long s) const { return s + !value_lead[static_cast<unsigned char>(t[s])]; }
  // detectors.SearchHints.word_start: a match starts only at one of these bytes after a byte that is no
  // word character (when has_word_start)
  bool has_word_start = false;
  bool word_start[256] = {};
  // detectors.SearchHints.streak_min, streak_max: a match starts with that many required bytes in a row,
  // and the text's run of them there is no longer (-1: unknown)
  int streak_min = 0, streak_max = -1;
  bool digit_starts = false;  // every word_start byte is a digit (DigitStarts finds them)
  // A relaxing detector (PhoneNumber) whose reported values are searched for only where they can be
  // reported (see relaxed_spans)
  bool relaxed_local = false;
  long max_len = -1;
  // Whether the RE2 set pass must rule it in before it is searched. The set pass only says which patterns
  // occur somewhere, at about the cost of one DFA pass over the message; a detector whose searches are
  // bounded by anchors, keyword windows or a literal prefix (which RE2 finds with memchr) usually costs
  // less searched directly (see Budget for when it does not).
  bool needs_set = false;
  bool prefixed = false;  // every match starts with the same two bytes or more (RE2 finds them with memchr)
  std::string prefix;     // those bytes
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

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
inline bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool is_alnum(char c) { return is_digit(c) || is_lower(c) || is_upper(c); }
inline bool is_word(unsigned char c) { return is_alnum(static_cast<char>(c)) || c == '_'; }
inline char to_lower(char c) { return is_upper(c) ? static_cast<char>(c + 32) : c; }
// Where a keyword can start after the byte c when the next is x (detectors.keyword_regex, ASCII): c neither a
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

// The keyword regex of detectors.keyword_regex, for ASCII text, as a trie of its spellings (lower case;
// each space of a keyword spelled as nothing, " ", "_" or "-": detectors.keyword_spellings). A regex
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

  // The longest spelling that starts at `from` and ends by `limit`, ignoring case.
  Hit walk(const char *t, long from, long limit) const {
    Hit best;
    if (from >= limit) return best;
    uint32_t code = root[static_cast<unsigned char>(t[from])];
    for (long j = from + 1; code != 0; j++) {
      uint32_t node = code >> 1;
      if (code & 1) best = {j, node};
      if (j >= limit) break;
      unsigned s = sym[static_cast<unsigned char>(t[j])];
      if (s == 0) break;
      size_t slot = base[node] + s;
      if (check[slot] != node + 1) break;
      code = next[slot];
    }
    return best;
  }

  // The longest hit of the keyword regex that starts at h and ends by limit: at the start of the text
  // the keyword itself; after a character that is neither a letter nor a digit; or after a lower-case
  // letter, a keyword spelled with a capital first letter (camelCase).
  Hit match_at(const char *t, long n, long h, long limit) const {
    Hit best = h == 0 ? walk(t, 0, limit) : Hit{};
    if (h + 1 < n && h + 1 < limit && keyword_context(t[h], t[h + 1])) {
      Hit other = walk(t, h + 1, limit);
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
  long window;             // detectors.KEYWORD_WINDOW
  long longest_keyword;    // detectors._LONGEST_KEYWORD
  long anchor_min;         // detectors._ANCHOR_MIN_RANGE
  PyObject *spec;          // keeps every borrowed object alive
  PyTypeObject *finding;   // tuple subclass the findings are built as
};

inline bool in(char c, const char *set) {
  for (; *set; ++set)
    if (*set == c) return true;
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

bool luhn_ok(const Digits &d) {
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

int prefix_int(const Digits &d, size_t from, size_t k) {
  int v = 0;
  for (size_t i = from; i < from + k; i++) v = v * 10 + (d[i] - '0');
  return v;
}

bool issuer_ok(const Digits &d) {
  size_t n = d.size();
  int p2 = prefix_int(d, 0, 2), p3 = prefix_int(d, 0, 3), p4 = prefix_int(d, 0, 4), p6 = prefix_int(d, 0, 6);
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

// detectors.has_country_code: the value starts with "+" or with "00" and a digit 1-9.
bool country_code_at(const char *t, long n, long s) {
  if (t[s] == '+') return true;
  if (s + 2 <= n && t[s] == '0' && t[s + 1] == '0')
    return s + 2 >= n || in(t[s + 2], "123456789");  // "" in "123..." holds in Python
  return false;
}

// Result of a native check: 1 holds, 0 fails, -1 undecided here (the Python check decides).
int native_check(int code, const char *t, long n, long s, long e) {
  switch (code) {
    case CHECK_CREDIT_CARD: {
      Digits d(t, s, e);
      if (d.over) return -1;
      if (d.size() < 13 || d.size() > 19 || !standalone_number(t, n, s, e)) return 0;
      return issuer_ok(d) && luhn_ok(d);
    }
    case CHECK_LUHN: {
      Digits d(t, s, e);
      if (d.over) return -1;
      return luhn_ok(d) && standalone_number(t, n, s, e);
    }
    case CHECK_NUMBER:
      return standalone_number(t, n, s, e);
    case CHECK_SSN_US: {
      Digits d(t, s, e);
      if (d.over) return -1;
      if (d.size() != 9 || !standalone_number(t, n, s, e)) return 0;
      int area = prefix_int(d, 0, 3), group = prefix_int(d, 3, 2), serial = prefix_int(d, 5, 4);
      return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
    }
    case CHECK_IPV4: {
      // parts of 1-3 ASCII digits decide here; anything else is left to int() in the Python check
      Span parts[4];
      int count = 0;
      long p = s;
      for (long i = s; i <= e; i++) {
        if (i == e || t[i] == '.') {
          if (count == 4) return 0;  // more than four parts
          parts[count++] = {p, i};
          p = i + 1;
        }
      }
      if (count != 4) return 0;
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
      Digits d(t, s, e);
      if (d.over) return -1;
      size_t o = d.size() == 11 && d[0] == '1' ? 1 : 0;  // the country code 1 left out
      return d.size() - o == 10 && d[o] != '0' && d[o] != '1' && d[o + 3] != '0' && d[o + 3] != '1' &&
             standalone_number(t, n, s, e);
    }
    case CHECK_PHONE_ANY: {
      Digits d(t, s, e);
      if (d.over) return -1;
      return d.size() >= 8 && d.size() <= 15 && standalone_number(t, n, s, e);
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
      return country_code_at(t, n, s);
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

// The loop of detectors._spans_into from cursor pos: leftmost-first spans of the detector's group in
// [pos, end), keeping only matches that start by last_start, at most `limit` of them; returns the cursor
// after them. The first search may start at `from` (>= pos) when no match starts in [pos, from): it then
// finds what a search from pos would; with start_first, a match starting at `from` itself is asked for
// first (anchored). *found tells whether the last search found a match it kept.
long search_from(const Detector &d, const StringPiece &text, long pos, long from, long end, long last_start,
                 long limit, bool *found, std::vector<Span> &out, Budget *budget, bool start_first = false) {
  StringPiece sub[10];
  int nsub = d.value_by_lead ? 1 : d.group + 1;
  *found = false;
  const unsigned char *u = reinterpret_cast<const unsigned char *>(text.data());
  while (limit-- > 0 && pos <= end && pos <= last_start) {
    if (from < pos) from = pos;
    if (*found && d.has_required && d.required_count > 1) {
      // after a match, the rest of a range often holds too few required characters for another one
      int count = 0;
      for (long i = from; i < end && count < d.required_count; i++) count += d.required[u[i]];
      if (count < d.required_count) return pos;
    }
    // A match that likely starts at `from` (the start of a run of the characters a match holds) is asked
    // for there first: a search anchored at its start finds its end and is done, where one that is not
    // must also run backwards from the end to find the start (about half the cost). No match starts
    // before `from`, so one found there is the leftmost; if there is none, the search goes on after it.
    bool anchored = start_first && from <= last_start &&
                    d.re->Match(text, static_cast<size_t>(from), static_cast<size_t>(end), RE2::ANCHOR_START, sub, nsub);
    if (start_first && !anchored) from++;
    start_first = false;
    if ((!anchored &&
         !d.re->Match(text, static_cast<size_t>(from), static_cast<size_t>(end), RE2::UNANCHORED, sub, nsub)) ||
        sub[0].data() - text.data() > last_start) {
      // a search that found nothing read its range (for a literal prefix at memchr's pace: measured, an
      // absent one costs a thirtieth of a set pass); one that found a value is no waste
      if (budget != nullptr)
        budget->charge(kByteCost * (d.prefixed ? (end - from) / 64 : end - from) + kSearchCost, out);
      *found = false;
      return pos;
    }
    *found = true;
    long s = sub[0].data() - text.data();
    long e = s + static_cast<long>(sub[0].size());
    long nxt;
    if (d.group == 0) {
      out.push_back({s, e});
      nxt = e;
    } else if (d.value_by_lead) {  // (?:^|[^E])(value): the leading byte, if one was matched, is not in E
      out.push_back({d.value_start(text.data(), s), e});
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
  return pos;
}

// The positions in [i, end) holding one of a detector's required characters, in order. A lone character
// is found with memchr; up to four ranges of bytes (the digits...) sixteen bytes at a time, as a bit mask
// walked bit by bit, where SSE2 is there (every x86-64); any other set byte by byte.
class RequiredChars {
 public:
  RequiredChars(const Detector &d, const unsigned char *u, long end)
      :
#if defined(__SSE2__)
        ranges_(d.required_ranges, d.range_lo, d.range_span),
#endif
        d_(d), u_(u), end_(end) {
  }

  // Pass over a lone required character that is a run of its own (neither neighbour in the run
  // alphabet): with count >= 2 in one run, no anchor's run holds it (the caller knows).
  void skip_isolated() { isolated_ = d_.required_single >= 0 && d_.has_run; }

  // The first position >= i (end: none).
  long next(long i) {
    if (i >= end_) return end_;
    if (isolated_) return next_joined(i);
    if (d_.required_single >= 0) {
      const void *hit = std::memchr(u_ + i, d_.required_single, static_cast<size_t>(end_ - i));
      return hit == nullptr ? end_ : static_cast<const unsigned char *>(hit) - u_;
    }
#if defined(__SSE2__)
    if (d_.required_ranges > 0) {
      while (true) {
        if (i >= base_ && i < base_ + 16) {  // inside the current block: its remaining bits
          unsigned rest = mask_ & (~0u << (i - base_));
          if (rest) return base_ + __builtin_ctz(rest);
          i = base_ + 16;
        }
        if (i + 16 > end_) break;
        base_ = i;
        mask_ = block(u_ + i);
      }
    }
#endif
    for (; i < end_; i++)
      if (d_.required[u_[i]]) return i;
    return end_;
  }

#if defined(__SSE2__)
  // The required characters among the sixteen bytes at p, as bits.
  unsigned block(const unsigned char *p) const { return ranges_.block(p); }
#endif

 private:
  bool joined(long i) const { return (i > 0 && d_.run[u_[i - 1]]) || (i + 1 < end_ && d_.run[u_[i + 1]]); }

  // next() for skip_isolated: memchr, then both neighbours looked at
  long next_joined(long i) {
    while (i < end_) {
      const void *hit = std::memchr(u_ + i, d_.required_single, static_cast<size_t>(end_ - i));
      if (hit == nullptr) break;
      i = static_cast<const unsigned char *>(hit) - u_;
      if (joined(i)) return i;
      i++;
    }
    return end_;
  }

  bool isolated_ = false;
#if defined(__SSE2__)
  ByteRanges ranges_;
  long base_ = -32;  // the current block [base_, base_ + 16) and its bits
  unsigned mask_ = 0;
#endif
  const Detector &d_;
  const unsigned char *u_;
  long end_;
};

// The anchors of a detector in [pos, end), in order (see spans_into): required characters with at
// least k of them among the L characters that end with them (k = 1 or no bound L: every required
// character). Required characters before pos are not counted: every match searched for starts at or
// after pos, so its k-th required character is still an anchor.
class Anchors {
 public:
  Anchors(const Detector &d, const unsigned char *u, long pos, long end)
      :
#if defined(__SSE2__)
        run_(d.run_ranges, d.run_lo, d.run_span),
#endif
        d_(d), u_(u), pos_(pos), end_(end), chars_(d, u, end), i_(pos), base_(pos) {
    L_ = d.max_len;
    k_ = L_ >= 0 && d.required_count <= 64 ? std::max(1, d.required_count) : 1;
#if defined(__SSE2__)
    // (a lone required character is found faster with memchr: the ring below counts them)
    blocks_ = d.required_ranges > 0 && d.required_single < 0 && k_ > 1 && L_ <= 48;
    run_checked_ = blocks_ && d.has_run && d.run_ranges > 0;
#endif
    // a lone required character, k of them in one run: one with no neighbour in the run is no anchor's
    if (k_ >= 2 && d.has_run) chars_.skip_isolated();
  }

  // The first anchor >= at_least not returned yet (-1: none); calls come with at_least increasing. With
  // a run alphabet, only an anchor with k required characters in the run of it that ends with it (and
  // within the L characters ending with it): a value's k-th required character is one.
  long next(long at_least) {
    while (true) {
      long at = next_counted(at_least);
      if (at < 0 || (d_.has_lead ? lead_ok(at) : run_checked_ || k_ <= 1 || !d_.has_run || in_run(at))) return at;
      work_++;
      at_least = at + 1;
    }
  }

  // Candidates looked at and passed over since the last call (the caller's Budget counts them).
  long take_work() {
    long w = work_;
    work_ = 0;
    return w;
  }

 private:
  bool in_run(long at) const {
    long stop = std::max(pos_, L_ >= 0 ? at - L_ + 1 : pos_);
    int count = 0;
    for (long j = at; j >= stop && d_.run[u_[j]]; j--)
      if (d_.required[u_[j]] && ++count >= k_) return true;
    return false;
  }

  // With a lead: the value starts where the run of `at` does, within the L characters ending with `at`
  // and not before pos (a match searched for starts at or after pos, its leading character with it), after
  // a byte that may lead it (or at the start of the text), and holds k required characters by `at`. The
  // run's start and count are carried from the last candidate when `at` is in the same run, so a long run
  // is read once, not once per candidate in it.
  bool lead_ok(long at) {
    if (!d_.run[u_[at]]) return false;
    long j = at;
    long count = d_.required[u_[at]];
    while (j > pos_ && d_.run[u_[j - 1]] && j - 1 != lead_at_) count += d_.required[u_[--j]];
    if (j > pos_ && j - 1 == lead_at_ && d_.run[u_[j - 1]]) {  // in the last candidate's run
      j = lead_start_;
      count += lead_count_;
    }
    lead_at_ = at;
    lead_start_ = j;
    lead_count_ = count;
    if (j > 0 && (d_.run[u_[j - 1]] || d_.lead[u_[j - 1]])) return false;  // no run start, or a bad lead
    return (L_ < 0 || at - j < L_) && count >= k_;
  }

  long next_counted(long at_least) {
#if defined(__SSE2__)
    if (blocks_) return next_by_blocks(at_least);
#endif
    while ((i_ = chars_.next(i_)) < end_) {
      long at = i_++;
      ring_[slot_] = at;
      slot_ = slot_ + 1 == k_ ? 0 : slot_ + 1;
      seen_++;
      // ring_[slot_] is now the k-th most recent required character, this one counted (once k are seen)
      if (at >= at_least && (k_ == 1 || (seen_ >= k_ && (L_ < 0 || ring_[slot_] > at - L_)))) return at;
    }
    return -1;
  }

#if defined(__SSE2__)
  // Sixteen bytes at a time: the last 64 bytes' required characters as bits (bit b: position
  // base_ - 48 + b). A block where fewer than k of them fall among the L bytes before it and its own 16 has
  // no anchor and is passed over whole; in the others each required character is counted.
  long next_by_blocks(long at_least) {
    const uint64_t window = (uint64_t{1} << L_) - 1;  // the L bits ending at a position's own
    const int k = k_, shift = static_cast<int>(49 - L_);
    // the state in locals (registers) while the loop runs, written back when it returns
    long base = base_;
    uint64_t bits = bits_, breaks = breaks_;  // breaks: read only in a block with candidates
    unsigned rest = rest_;
    bool loaded = loaded_;
    long found = -1;
    while (base + 16 <= end_) {
      if (!loaded) {
        unsigned own = chars_.block(u_ + base);
        bits = (bits >> 16) | (static_cast<uint64_t>(own) << 48);
        loaded = true;
        // an anchor is a required character itself: a block without one is passed at once
        rest = own != 0 && popcount(bits >> shift) >= k ? own : 0;
        if (run_checked_ && rest) {  // the last 64 bytes' breaks: one new block after the last one read
          breaks = base == breaks_base_ + 16 ? (breaks >> 16) | (breaks_block(base) << 48) : breaks_before(base + 16);
          breaks_base_ = base;
        }
      }
      while (rest) {
        work_++;
        int bit = __builtin_ctz(rest);
        long at = base + bit;
        uint64_t mine = (bits >> (shift + bit)) & window;
        if (run_checked_) {  // only the required characters after the last break
          // The run of this character (bits: 64 bytes ending with this block's): with fewer than k
          // required characters in it up to this block's end, none of its characters here is an anchor.
          const int i = 48 + bit;
          uint64_t below = breaks & ((uint64_t{1} << i) - 1), above = breaks & ~((uint64_t{2} << i) - 1);
          int e = above ? __builtin_ctzll(above) : 64;
          uint64_t run = (e == 64 ? ~uint64_t{0} : (uint64_t{1} << e) - 1) &
                         (below ? ~((uint64_t{2} << (63 - __builtin_clzll(below))) - 1) : ~uint64_t{0});
          if (popcount(bits & run) < k) {
            rest = e == 64 ? 0 : rest & ~((1u << (e - 48)) - 1);
            continue;
          }
          uint64_t b = (breaks >> (shift + bit)) & window;
          if (b) mine &= ~((uint64_t{2} << (63 - __builtin_clzll(b))) - 1);
        }
        rest &= rest - 1;
        if (at >= at_least && popcount(mine) >= k) {
          found = at;
          break;
        }
      }
      if (found >= 0) break;
      base += 16;
      loaded = false;
    }
    base_ = base;
    bits_ = bits;
    breaks_ = breaks;
    rest_ = rest;
    loaded_ = loaded;
    if (found >= 0) return found;
    for (; base_ < end_; base_++) {  // the last bytes, one at a time, with the exact rule
      if (!d_.required[u_[base_]] || base_ < at_least) continue;
      int count = 0;
      for (long j = std::max(pos_, base_ - L_ + 1); j <= base_; j++) count += d_.required[u_[j]];
      if (count >= k_ && (!run_checked_ || in_run(base_))) return base_++;
    }
    return -1;
  }
  // The 64 bytes ending at `stop` outside the run alphabet, as bits (bit b: position stop - 64 + b); the
  // bytes before pos count as such (no required character there is counted either).
  uint64_t breaks_before(long stop) const {
    uint64_t out = 0;
    for (int b = 0; b < 4; b++) out |= breaks_block(stop - 64 + 16 * b) << (16 * b);
    return out;
  }
  uint64_t breaks_block(long s) const {
    if (s < 0) return 0xFFFF;
    uint64_t m = ~run_.block(u_ + s) & 0xFFFFu;
    if (s < pos_) m |= pos_ - s >= 16 ? 0xFFFFu : (1u << (pos_ - s)) - 1;
    return m;
  }
  // Set bits (x86-64 without POPCNT has no instruction for it; the library call costs more than this).
  static int popcount(uint64_t x) {
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return static_cast<int>((x * 0x0101010101010101ULL) >> 56);
  }
  ByteRanges run_;
  bool blocks_ = false, loaded_ = false;
  uint64_t bits_ = 0, breaks_ = 0;
  long breaks_base_ = -64;  // the block whose breaks are the last 16 of breaks_
  unsigned rest_ = 0;  // the current block's required characters not yet returned
#endif
  const Detector &d_;
  const unsigned char *u_;
  long pos_, end_;
  RequiredChars chars_;
  long i_, base_;
  long L_ = -1;
  int k_ = 1;
  bool run_checked_ = false;  // next_by_blocks applies the run alphabet itself
  long lead_at_ = -2, lead_start_ = 0, lead_count_ = 0;  // lead_ok's last candidate, its run's start and count
  long work_ = 0;  // candidates passed over since take_work
  long ring_[64];  // read only once written (seen_ >= k_)
  int slot_ = 0;
  long seen_ = 0;
};

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

// The spans of a detector in a short range [pos, end) (a keyword's window), as search_from finds them, by
// searches anchored where a match can start, when the hints say where that is: with a word start (\b and
// a word character first), at a word_start byte after a byte that is no word character (or at the start
// of the text); with a value lead ((?:^|[^E])(value)), at a byte outside E before a byte of E, the value
// starting after it (or at the start of the text). Only where the value's run holds the required
// characters the longest match needs. Such a search finds the end of the match and stops, where an
// unanchored one also runs backwards to find its start (a third of the time, measured), and starts that
// cannot hold a match are passed over without asking RE2; the first start where one is found is the
// leftmost match's, and the next one is looked for from its end.
bool anchored_starts(const Detector &d) {
  return d.max_len >= 0 && (d.has_word_start || (d.value_by_lead && d.has_run));
}

void anchored_spans(const Detector &d, const StringPiece &text, long pos, long end, std::vector<Span> &out,
                    Budget *budget, DigitStarts *digits) {
  const unsigned char *u = reinterpret_cast<const unsigned char *>(text.data());
  const long L = d.max_len;
  const int k = std::max(1, d.required_count);
  const bool lead = !d.has_word_start;  // else a value lead
  StringPiece match;
  // p: where the value starts; with a lead, the match starts one byte before it (at 0: at p)
  digits = d.digit_starts ? digits : nullptr;
  for (long p = lead && pos > 0 ? pos + 1 : pos; p < end; p++) {
    if (digits != nullptr) {
      if ((p = digits->next(p, end)) >= end) break;
      if (!d.word_start[u[p]]) continue;
    } else if (lead ? !d.value_lead[u[p]] || (p > 0 && d.value_lead[u[p - 1]])
                    : !d.word_start[u[p]] || (p > 0 && is_word(u[p - 1]))) {
      continue;
    }
    // the value's first k bytes are in its run (when it has one): the k-th at least
    if (d.has_run && (p + k - 1 >= end || !d.run[u[p + k - 1]])) continue;
    if (!lead && (d.streak_min > 0 || d.streak_max >= 0)) {  // the run of required bytes the match starts with
      long j = p, most = d.streak_max >= 0 ? std::min(end, p + d.streak_max + 1) : end;
      while (j < most && d.required[u[j]]) j++;
      if (j - p < d.streak_min || (d.streak_max >= 0 && j - p > d.streak_max)) continue;
    }
    int count = 0;
    for (long i = p, stop = std::min(end, p + L); i < stop && count < k; i++) {
      if (d.has_run && !d.run[u[i]]) break;
      count += d.required[u[i]];
    }
    if (count < k) continue;
    long s = lead && p > 0 ? p - 1 : p;
    if (!d.re->Match(text, static_cast<size_t>(s), static_cast<size_t>(end), RE2::ANCHOR_START, &match, 1)) {
      if (budget != nullptr && budget->charge(kSearchCost, out)) return;
      continue;
    }
    long e = s + static_cast<long>(match.size());
    if (lead) s = d.value_start(text.data(), s);
    out.push_back({s, e});
    // the next match starts at or after e (its value one byte later with a lead)
    if (e > s) p = lead ? e : e - 1;
  }
}

// The spans of a detector whose matches all start with the same bytes (a custom regex such as
// EID-\d{9}-US), as search_from finds them: those bytes found with memchr and memcmp, and at each place a search
// anchored there (an unanchored search, which finds them with memchr too, also runs backwards from each
// match's end to find its start). The first place where one is found is the leftmost match's.
void prefix_spans(const Detector &d, const StringPiece &text, long pos, long end, std::vector<Span> &out,
                  Budget *budget) {
  const char *t = text.data();
  const long m = static_cast<long>(d.prefix.size());
  StringPiece match;
  long i = pos;
  while (i + m <= end) {
    const void *hit = std::memchr(t + i, d.prefix[0], static_cast<size_t>(end - m + 1 - i));
    if (hit == nullptr) break;
    long p = static_cast<const char *>(hit) - t;
    if (std::memcmp(t + p + 1, d.prefix.data() + 1, static_cast<size_t>(m - 1)) != 0) {
      i = p + 1;
      continue;
    }
    if (!d.re->Match(text, static_cast<size_t>(p), static_cast<size_t>(end), RE2::ANCHOR_START, &match, 1)) {
      if (budget != nullptr && budget->charge(kSearchCost, out)) return;
      i = p + 1;
      continue;
    }
    long e = p + static_cast<long>(match.size());
    out.push_back({p, e});
    i = e > p ? e : p + 1;
  }
  // what memchr read after the last value (at memchr's pace, as search_from charges a prefixed search)
  if (budget != nullptr) budget->charge(kByteCost * (end - i) / 64 + kSearchCost, out);
}

// detectors._spans_into: the spans one loop of RE2 searches from pos over [pos, end) finds, searching
// only where the detector's hints allow a match.
//
// An anchor is a required character with at least required_count of them among the max_len characters
// that end with it. Every match holds one (its required_count-th required character), so a match starting
// at or after the cursor c starts at or after q - max_len + 1 for the first anchor q >= c; when one
// required character is enough and the alphabet is known, also at or after the start of the run of
// alphabet characters just before q (what a match holds before its first required character). With a
// run alphabet, only the required characters of one run count (a timestamp's digits, split by ':' and
// 'T', are no phone number); with a lead as well, only those of a run that starts after a character
// that may lead the value (an IPv6 address after a letter is part of a word). Anchors
// less than max_len apart form a cluster: a match starting by its last anchor ends by that anchor plus
// max_len, so one search over the cluster finds those matches exactly as a search over the whole range
// (RE2 reads the text past endpos as context); a match found past the last anchor may be cut short by
// the cluster's end, so it is dropped, and the next cluster, whose bounds hold it whole, finds it.
//
// With a budget, it stops (budget->spent) once the budget is spent before the detector's first match.
void spans_into(const Detector &d, const StringPiece &text, long pos, long end, long anchor_min, std::vector<Span> &out,
                Budget *budget, DigitStarts *digits = nullptr) {
  bool found;
  if (!d.has_required && d.prefixed && d.group == 0) {
    prefix_spans(d, text, pos, end, out, budget);
    return;
  }
  if (!d.has_required) {
    search_from(d, text, pos, pos, end, end, end - pos + 2, &found, out, budget);
    return;
  }
  const unsigned char *u = reinterpret_cast<const unsigned char *>(text.data());
  if (end - pos < anchor_min && anchored_starts(d)) {
    anchored_spans(d, text, pos, end, out, budget, digits);
    return;
  }
  if (end - pos < anchor_min) {
    // A short range (a keyword's window): finding anchors would cost about what it saves. A match
    // starts by the last required character and ends by that plus max_len.
    long last = end - 1;
    while (last >= pos && !d.required[u[last]]) last--;
    if (last < pos) return;
    long stop = d.max_len >= 0 ? std::min(end, last + d.max_len) : end;
    search_from(d, text, pos, pos, stop, last, end - pos + 2, &found, out, budget);
    return;
  }
  const long L = d.max_len;
  Anchors anchors(d, u, pos, end);
  long c = pos;  // no match starts in [pos, c)
  // the next anchor, its cost (and that of the candidates passed over on the way) charged to the budget
  auto next = [&](long at_least) {
    long at = anchors.next(at_least);
    if (budget != nullptr) budget->charge(kAnchorCost + kCandidateCost * anchors.take_work(), out);
    return at;
  };
  long q = next(c);
  while (q >= 0 && c <= end) {
    if (budget != nullptr && budget->spent) return;
    long from = std::max(c, L >= 0 ? q - L + 1 : c);
    if (d.has_alphabet) {
      // a match that holds q lies in q's run of alphabet characters, one that does not starts after q
      long j = q;
      while (j > from && d.alphabet[u[j - 1]]) j--;
      from = j;
    }
    if (L < 0) {  // unbounded: one match at a time, each from the first anchor after the last
      c = search_from(d, text, c, from, end, end, 1, &found, out, budget, d.has_alphabet);
      if (!found) return;
      // a value group may end before the anchor its match went through: that anchor is then still the
      // first required character at or after the cursor
      q = q >= c ? q : next(c);
      continue;
    }
    long last = q;  // the cluster's last anchor
    long nq;
    while ((nq = next(last + 1)) >= 0 && nq - last < L) {
      last = nq;
      if (budget != nullptr && budget->spent) return;
    }
    c = std::max(search_from(d, text, c, from, std::min(end, last + L), last, end - c + 2, &found, out, budget,
                             d.has_alphabet),
                 last + 1);
    if (budget != nullptr && budget->spent) return;
    q = nq >= 0 && nq < c ? next(c) : nq;
  }
}

// The positions where a value passes the country-code check (country_code_at), in order.
void country_codes(const char *t, long n, std::vector<long> &out) {
  long i = 0;
#if defined(__SSE2__)
  const __m128i plus = _mm_set1_epi8('+'), zero = _mm_set1_epi8('0');
  for (; i + 18 <= n; i += 16) {
    __m128i v0 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(t + i));
    __m128i v1 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(t + i + 1));
    __m128i v2 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(t + i + 2));
    __m128i zeros = _mm_and_si128(_mm_cmpeq_epi8(v0, zero), _mm_cmpeq_epi8(v1, zero));
    __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v0, plus), _mm_and_si128(zeros, bytes_between(v2, '1', 8)));
    for (unsigned m = static_cast<unsigned>(_mm_movemask_epi8(hit)); m; m &= m - 1) out.push_back(i + __builtin_ctz(m));
  }
#endif
  for (; i < n; i++)
    if (country_code_at(t, n, i)) out.push_back(i);
}

// The spans of a relaxing detector (PhoneNumber) that can be reported: its whole-message chain of
// leftmost-first matches is searched only where a value may lie near one of its keywords (as near() asks)
// or start with a country code (its strict check): elsewhere none would be reported, and on a message full
// of digits the rest is most of the work. Exact because its matches are a leading byte and the value
// (value_by_lead), whose bytes are all run-alphabet ones: no match goes past a byte outside the run
// alphabet except by starting with it, so from the last such byte before a region (or the start of the
// text) the chain finds the whole-message chain's values in the region. Regions whose chains would meet are
// searched as one; each search ends max_len past its region and keeps only values starting in it (a value
// starting later may be cut short there).
// `codes`: country_codes of the text (found once per scan, for every phone detector of the policy).
void relaxed_spans(const Detector &d, const StringPiece &text, const std::vector<Span> &kws,
                   const std::vector<long> &codes, long window, long anchor_min, std::vector<Span> &out,
                   Budget *budget) {
  const unsigned char *u = reinterpret_cast<const unsigned char *>(text.data());
  const long n = static_cast<long>(text.size()), L = d.max_len;
  long lo = -1, hi = -1;  // the current region: the chain from lo, its values starting before hi
  auto flush = [&]() {
    size_t had = out.size();
    spans_into(d, text, lo, std::min(n, hi + L), anchor_min, out, budget);
    while (out.size() > had && out.back().start >= hi) out.pop_back();  // the chain's values come in order
  };
  size_t k = 0, c = 0;
  while (k < kws.size() || c < codes.size()) {
    long a, e;  // a region of value starts [a, e): near keyword k, or at country code c
    if (c >= codes.size() || (k < kws.size() && kws[k].start - window - L < codes[c])) {
      a = std::max(0L, kws[k].start - window - L);
      e = std::min(n, kws[k].end + window + 1);
      k++;
    } else {
      a = codes[c++];
      e = a + 1;
    }
    if (hi >= 0 && a <= hi) {
      hi = std::max(hi, e);
      continue;
    }
    long z = a - 1, stop = hi >= 0 ? hi : 0;
    while (z >= stop && d.run[u[z]]) z--;
    if (hi >= 0 && z < stop) {  // no byte outside the run alphabet since the last region: one chain
      hi = std::max(hi, e);
      continue;
    }
    if (hi >= 0) {
      flush();
      if (budget != nullptr && budget->spent) return;
    }
    lo = std::max(z, 0L);
    hi = e;
  }
  if (hi >= 0) flush();
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
        // detectors._shorter_keyword: the longest keyword at the same place that stops earlier
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

// detectors._near_sorted, for one detector's spans in order: the first keyword that can be near a span is
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

// The trie of detectors.keyword_spellings (an iterable of non-empty ASCII str, lower case); each
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

// Scanner(detectors, keyword_spellings, keyword_owner, max_mem, finding_type, keyword_window, longest_keyword,
//         anchor_min_range)
//   detectors: sequence of (pattern: bytes, group, mode, check code, check fn, strict code, strict fn,
//              reach, exclude: iterable of str, name rank, name, required characters: str, their count,
//              alphabet, run alphabet, run lead, value lead, word start: str, streak min and max: int,
//              longest match or -1)
int scanner_init(ScannerObject *self, PyObject *args, PyObject *) {
  PyObject *dets, *kw_spellings, *owner;
  long max_mem, window, longest_keyword, anchor_min;
  PyTypeObject *finding;
  if (!PyArg_ParseTuple(args, "OOO!lO!lll", &dets, &kw_spellings, &PyDict_Type, &owner, &max_mem, &PyType_Type,
                        &finding, &window, &longest_keyword, &anchor_min))
    return -1;
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
  self->spec = Py_BuildValue("(NOO)", seq, kw_spellings, owner);
  if (self->spec == nullptr) return -1;
  Py_INCREF(finding);
  Py_XSETREF(self->finding, finding);
  auto detectors = std::make_unique<std::vector<Detector>>();
  Py_ssize_t count = PyTuple_GET_SIZE(seq);
  bool set_needed = false;
  auto set = std::make_unique<RE2::Set>(options(max_mem * std::max<Py_ssize_t>(1, count), false), RE2::UNANCHORED);
  for (Py_ssize_t i = 0; i < count; i++) {
    PyObject *pat, *check_fn, *strict_fn, *exclude, *name, *required, *alphabet, *run, *lead, *value_lead, *word_start;
    int group, mode, check, strict, rank, required_count, streak_min, streak_max;
    long reach, max_len;
    if (!PyArg_ParseTuple(PyTuple_GET_ITEM(seq, i), "O!iiiOiOlOiOUiUUUUUiil", &PyBytes_Type, &pat, &group, &mode, &check,
                          &check_fn, &strict, &strict_fn, &reach, &exclude, &rank, &name, &required,
                          &required_count, &alphabet, &run, &lead, &value_lead, &word_start, &streak_min, &streak_max, &max_len))
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
    if (!build_trie(kw_spellings, *owners, *keywords)) return -1;
  }
  delete self->dets;
  delete self->set;
  delete self->keywords;
  delete self->owner;
  self->dets = detectors.release();
  self->set = new std::unique_ptr<RE2::Set>(count ? std::move(set) : nullptr);
  self->set_needed = set_needed;
  self->set_first = 0;
  self->scans = 0;
  self->keywords = keywords.release();
  self->owner = owners.release();
  return 0;
}

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

// The findings of one scan of text (str) into raw, sorted; allowed: bytes | None. 1 done, 0 a text that is
// not ASCII (the Python path's), -1 a Python error raised. set_ran and budget_left: for explain.
int scan_into(ScannerObject *self, PyObject *text, PyObject *allowed, std::vector<Raw> &raw, bool &set_ran,
              long &budget_left) {
  if (self->dets == nullptr) {
    PyErr_SetString(PyExc_RuntimeError, "scanner not initialised");
    return -1;
  }
  if (!PyUnicode_IS_ASCII(text)) return 0;
  const std::vector<Detector> &dets = *self->dets;
  const char *mask = nullptr;
  if (allowed != Py_None) {
    if (!PyBytes_Check(allowed) || PyBytes_GET_SIZE(allowed) != static_cast<Py_ssize_t>(dets.size())) {
      PyErr_SetString(PyExc_ValueError, "allowed must be one byte per detector");
      return -1;
    }
    mask = PyBytes_AS_STRING(allowed);
  }
  Py_ssize_t len;
  const char *t = PyUnicode_AsUTF8AndSize(text, &len);  // ASCII: the str's own buffer, no copy
  if (t == nullptr) return -1;
  long n = static_cast<long>(len);
  StringPiece data(t, static_cast<size_t>(len));
  // Candidates whose check (stage 0) or strict check (stage 1) has no native form: decided afterwards, in
  // order, with the GIL, so the RE2 work above runs without it (other threads go on meanwhile).
  struct Pending {
    long start, end;
    int det, stage;
    bool near_keyword;  // for a relaxing detector: whether a keyword is in the window (strict check spared)
  };
  std::vector<Pending> pending;
  set_ran = false;
  budget_left = 0;
  Py_BEGIN_ALLOW_THREADS;
  {
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
    KeywordHits kwh;
    bool keyed = false;
    for (int i : hit) keyed = keyed || dets[i].keyed;
    if (keyed && self->keywords != nullptr) {
      kwh.resize(dets.size());
      keyword_hits(self, data, kwh);
    }
    static const std::vector<Span> none;
    std::vector<Span> spans;
    std::unique_ptr<DigitStarts> digit_starts;  // made when a keyword window first needs it
    std::vector<long> codes;                    // country_codes, found when a phone detector first needs them
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
          long wlo = std::max(0L, k.start - d.reach), whi = std::min(n, k.end + d.reach);
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
        relaxed_spans(d, data, kws, codes, self->window, self->anchor_min, spans, b);
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
      Near near(self, kws);
      for (const Span &sp : spans) {
        long s = sp.start, e = sp.end;
        if (s == e) continue;
        if (required && !near(s, e)) continue;
        if (!d.exclude.empty()) {
          Digits digits(t, s, e);
          if (!digits.over && d.exclude.count(digits.view())) continue;
        }
        int ok = d.check == CHECK_NONE ? 1 : native_check(d.check, t, n, s, e);
        if (ok < 0) {
          pending.push_back({s, e, i, 0, d.relaxes && near(s, e)});
          raw.push_back({s, e, d.rank, -1});  // a place kept in order; filled in or dropped below
          continue;
        }
        if (!ok) continue;
        if (d.relaxes && !near(s, e)) {
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
    budget_left = budget.left;
    if (!learnt && !self->set_needed) __atomic_store_n(&self->set_first, budget.spent ? 1 : 0, __ATOMIC_RELAXED);
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
        if (ok < 0) return -1;
        if (ok && d.relaxes && !p.near_keyword) {
          ok = run_check(d.strict, d.strict_fn, text, t, n, p.start, p.end);
          if (ok < 0) return -1;
        }
      } else {
        ok = run_check(d.strict, d.strict_fn, text, t, n, p.start, p.end);
        if (ok < 0) return -1;
      }
      r.det = ok ? p.det : -2;
    }
    raw.erase(std::remove_if(raw.begin(), raw.end(), [](const Raw &r) { return r.det < 0; }), raw.end());
  }
  merge_runs(raw);
  return 1;
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
// is not ASCII; with explain, (findings, whether the set pass ran, the budget left) for the tests.
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


// The findings of one scan held as C++ records until Python asks for them as Finding tuples: apply, whose
// caller usually wants the rewritten message alone, hands them to rewrite and makes the tuples only when
// its outcome's findings are read (thousands of tuples and ints made and freed were a tenth of a dense
// message's time).
struct FoundObject {
  PyObject_HEAD
  ScannerObject *scanner;  // a strong reference: the detectors' names
  std::vector<Raw> *raw;
};

PyTypeObject FoundType = {PyVarObject_HEAD_INIT(nullptr, 0)};

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

// rewrite(message, findings, operations) -> the rewritten message, or None when the Python path must
// decide (not ASCII, a mask character that is not ASCII, or a JSON message whose spans are not all inside
// plain string literals). findings: a list of (identifier, start, end), or a Found; operations:
// identifier -> ("mask" | "redact", mask character).
PyObject *rewrite(PyObject *, PyObject *args) {
  PyObject *message, *findings, *ops;
  if (!PyArg_ParseTuple(args, "UOO!", &message, &findings, &PyDict_Type, &ops)) return nullptr;
  const bool native = Py_TYPE(findings) == &FoundType;
  if (!native && !PyList_Check(findings)) {
    PyErr_SetString(PyExc_TypeError, "findings must be a list or a Found");
    return nullptr;
  }
  if (!PyUnicode_IS_ASCII(message)) Py_RETURN_NONE;
  Py_ssize_t len;
  const char *m = PyUnicode_AsUTF8AndSize(message, &len);
  if (m == nullptr) return nullptr;
  long n = static_cast<long>(len);
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
  if (self->keywords != nullptr) keyword_hits(self, StringPiece(t, static_cast<size_t>(len)), kwh);
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
// is not ASCII.
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

PyObject *scanner_new(PyTypeObject *type, PyObject *, PyObject *) {
  ScannerObject *self = reinterpret_cast<ScannerObject *>(type->tp_alloc(type, 0));
  if (self != nullptr) {
    self->dets = nullptr;
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
     "scan(text, allowed, explain=False) -> sorted findings, or None when text is not ASCII; with explain, "
     "(findings, whether the RE2 set pass ran, the waste budget left)"},
    {"find", reinterpret_cast<PyCFunction>(scanner_find), METH_VARARGS,
     "find(text, allowed) -> Found, the findings of scan held natively, or None when text is not ASCII"},
    {"keyword_hits", reinterpret_cast<PyCFunction>(scanner_keyword_hits), METH_VARARGS,
     "keyword_hits(text) -> [[(start, end), ...] per detector] for an ASCII text"},
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
