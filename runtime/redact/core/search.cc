// The searches for one detector's values (search.py's spans_into), read only where its hints allow a match.
#include "redact.h"

namespace tamis_redact {
namespace {

// The loop of search.spans_into from cursor pos: leftmost-first spans of the detector's group in
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
    long s = lead && p > 0 ? utf8_before(text.data(), p) : p;  // the leading character's start
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

}  // namespace

// search.spans_into: the spans one loop of RE2 searches from pos over [pos, end) finds, searching
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
                Budget *budget, DigitStarts *digits) {
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
    lo = z > 0 ? utf8_before(text.data(), z + 1) : 0;  // the start of that character (UTF-8)
    hi = e;
  }
  if (hi >= 0) flush();
}

}  // namespace tamis_redact
