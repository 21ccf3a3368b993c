// The RE2 the core runs: the one inside the google-re2 wheel (tamis's own dependency), reached at import
// time instead of a system library and headers, so that `pip install` needs a C++17 compiler and nothing
// from the OS package manager, and the core and the Python binding share one RE2 build (the same answers
// by construction). bench/RESULTS.md ("fresh-install build") holds the measurements behind this choice.
//
// How: the binding's extension (re2._re2) exports RE2's C++ entry points. re2_link.cc looks each one up by
// its Itanium-ABI name (dlsym on the already loaded extension), so the wheel carries no link to another
// shared library. The classes below hold RE2's objects as opaque storage and call those entry points;
// they offer just the calls the core makes. `link` refuses (the import of _redact fails and the Python
// path runs, with the reason in tamis.runtime.info()) where an entry point is missing or a self-test of
// the layout this relies on fails (see re2_link.cc), rather than risk a wrong answer.
#ifndef TAMIS_RE2_LINK_H
#define TAMIS_RE2_LINK_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#if defined(__GLIBCXX__) && !_GLIBCXX_USE_CXX11_ABI
#error "the google-re2 wheels use libstdc++'s C++11 string ABI; build with _GLIBCXX_USE_CXX11_ABI=1"
#endif

namespace tamis_re2 {

// Upper bounds of the objects' sizes; link() measures the real ones and refuses if they do not fit.
constexpr size_t kOptionsBytes = 64;
constexpr size_t kRegexBytes = 512;
constexpr size_t kSetBytes = 256;

// Looks up RE2's entry points in the loaded extension at `path` and self-tests them. Returns "" when
// the core may use them, else why not.
std::string link(const char *path);

class RE2 {
 public:
  enum Anchor { UNANCHORED = 0, ANCHOR_START = 1, ANCHOR_BOTH = 2 };

  // RE2's quiet defaults (UTF-8, Perl classes, leftmost-first, no logging) with a memory budget, and
  // leftmost-longest matching where `longest` (the keyword regex, as keywords.keyword_regex asks).
  class Options {
   public:
    explicit Options(int64_t max_mem, bool longest = false);
    const void *raw() const { return storage_; }

   private:
    alignas(16) unsigned char storage_[kOptionsBytes];
  };

  class Set {
   public:
    struct ErrorInfo {
      int kind = 0;  // 0: no error; otherwise the set's DFA ran out of memory (or was not compiled)
      unsigned char spare[28] = {};
    };
    static constexpr int kNoError = 0;
    Set(const Options &options, Anchor anchor);
    ~Set();
    Set(const Set &) = delete;
    Set &operator=(const Set &) = delete;
    int Add(std::string_view pattern, std::string *error);  // the slot, or -1
    bool Compile();
    bool Match(std::string_view text, std::vector<int> *slots, ErrorInfo *error) const;

   private:
    alignas(16) unsigned char storage_[kSetBytes];
  };

  RE2(std::string_view pattern, const Options &options);
  ~RE2();
  RE2(const RE2 &) = delete;
  RE2 &operator=(const RE2 &) = delete;
  bool ok() const;
  bool Match(std::string_view text, size_t startpos, size_t endpos, Anchor anchor, std::string_view *submatch,
             int nsubmatch) const;
  bool PossibleMatchRange(std::string *min, std::string *max, int maxlen) const;
  bool HasGroup(int group) const;  // whether capturing group `group` (0-9) exists

 private:
  alignas(16) unsigned char storage_[kRegexBytes];
};

}  // namespace tamis_re2

#endif  // TAMIS_RE2_LINK_H
