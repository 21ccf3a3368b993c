// RE2's entry points in the google-re2 wheel's extension, and the self-test that vouches for them (the
// reasons are in re2_link.h).
//
// What this relies on, each checked by link() before the core is used:
// - the extension exports the entry points below under their Itanium C++ ABI names (libstdc++, C++11
//   strings, RE2's string_view being std::string_view), else dlsym fails and the reason names the symbol;
// - RE2's objects fit the storage re2_link.h reserves: each is built in a poisoned buffer and the bytes it
//   wrote are measured;
// - Options keeps its memory budget in its first 8 bytes: the quiet defaults must hold the exported
//   kDefaultMaxMem there, and a small budget written there must make a large pattern fail to compile;
// - the canned "quiet" options are RE2's defaults otherwise (UTF-8, Perl classes): probed by matching;
// - Options keeps longest_match_ at byte kLongestByte (after max_mem_, encoding_ and posix_syntax_): the
//   quiet defaults hold 0 there, and a 1 written there makes "a|ab" match "ab" where it matched "a".
#include "re2_link.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <new>

namespace tamis_re2 {
namespace {

// RE2::Options::CannedOptions: DefaultOptions, Latin1, POSIX, Quiet.
constexpr int kQuiet = 3;
// Where Options keeps longest_match_: int64_t max_mem_, int encoding_, bool posix_syntax_, then it.
constexpr size_t kLongestByte = 13;

struct EntryPoints {
  void (*options_new)(void *self, int canned);
  const int *default_max_mem;  // a static const int
  void (*regex_new)(void *self, std::string_view pattern, const void *options);
  void (*regex_delete)(void *self);
  int (*program_size)(const void *self);
  bool (*match)(const void *self, std::string_view text, size_t startpos, size_t endpos, int anchor,
                std::string_view *submatch, int nsubmatch);
  bool (*possible_match_range)(const void *self, std::string *min, std::string *max, int maxlen);
  bool (*check_rewrite)(const void *self, std::string_view rewrite, std::string *error);
  void (*set_new)(void *self, const void *options, int anchor);
  void (*set_delete)(void *self);
  int (*set_add)(void *self, std::string_view pattern, std::string *error);
  bool (*set_compile)(void *self);
  bool (*set_match)(const void *self, std::string_view text, std::vector<int> *slots, void *error);
};

EntryPoints fn;

template <typename T>
bool find(void *lib, const char *name, T &slot, std::string &why) {
  void *p = dlsym(lib, name);
  if (p == nullptr) {
    why = std::string("google-re2's extension does not export ") + name;
    return false;
  }
  slot = reinterpret_cast<T>(p);
  return true;
}

// How many leading bytes of a buffer `build` wrote to (at least), trying two poison values so that a
// byte that happens to equal one of them is still seen.
template <typename Build, typename Destroy>
size_t bytes_written(Build build, Destroy destroy) {
  constexpr size_t kProbe = 4096;
  size_t used = 0;
  for (unsigned char poison : {0xA5, 0x5A}) {
    alignas(16) static unsigned char buffer[kProbe];
    std::memset(buffer, poison, kProbe);
    build(buffer);
    size_t last = kProbe;
    while (last > 0 && buffer[last - 1] == poison) last--;
    destroy(buffer);
    used = std::max(used, last);
  }
  return used;
}

std::string self_test() {
  size_t options_size = bytes_written([](void *b) { fn.options_new(b, kQuiet); }, [](void *) {});
  if (options_size > kOptionsBytes) return "RE2::Options is larger than the core reserves";
  alignas(16) unsigned char options[kOptionsBytes];
  fn.options_new(options, kQuiet);
  int64_t max_mem;
  std::memcpy(&max_mem, options, sizeof max_mem);
  if (max_mem != *fn.default_max_mem) return "RE2::Options does not keep its memory budget first";
  size_t regex_size = bytes_written([&](void *b) { fn.regex_new(b, "(a+)(b*)\\d", options); },
                                    [](void *b) { fn.regex_delete(b); });
  if (regex_size > kRegexBytes) return "RE2 is larger than the core reserves";
  size_t set_size = bytes_written([&](void *b) { fn.set_new(b, options, RE2::UNANCHORED); },
                                  [](void *b) { fn.set_delete(b); });
  if (set_size > kSetBytes) return "RE2::Set is larger than the core reserves";

  // The budget written in place holds: a pattern of a few thousand instructions does not compile in 4 KiB.
  {
    RE2::Options small(4096);
    RE2 big("[a-z]{300}", small);
    if (big.ok()) return "RE2 ignores the memory budget the core sets";
  }
  RE2::Options quiet(*fn.default_max_mem);
  {
    RE2 bad("(", quiet);
    if (bad.ok()) return "RE2 accepts an unbalanced parenthesis";
  }
  RE2 re("(a+)(b*)\\d", quiet);  // Perl classes, as in the default (not POSIX) syntax
  std::string_view sub[3];
  std::string_view text = "xaab7";
  if (!re.ok() || !re.Match(text, 0, text.size(), RE2::UNANCHORED, sub, 3) || sub[0] != "aab7" ||
      sub[1] != "aa" || sub[2] != "b" || sub[0].data() != text.data() + 1)
    return "RE2::Match does not find what it must";
  if (re.Match(text, 0, text.size(), RE2::ANCHOR_START, sub, 1)) return "RE2::Match ignores its anchor";
  if (!re.HasGroup(2) || re.HasGroup(3))
    return "RE2 miscounts capturing groups";
  RE2 dot("^.$", quiet);  // one character of UTF-8 (not Latin-1, where é is two)
  std::string_view e_acute = "\xc3\xa9";
  if (!dot.Match(e_acute, 0, e_acute.size(), RE2::UNANCHORED, nullptr, 0)) return "RE2 does not read UTF-8";
  std::string lo, hi;
  if (!re.PossibleMatchRange(&lo, &hi, 4) || lo.compare(0, 1, "a") != 0) return "RE2::PossibleMatchRange fails";
  {
    alignas(16) unsigned char probe[kOptionsBytes];
    fn.options_new(probe, kQuiet);
    if (probe[kLongestByte] != 0) return "RE2::Options does not keep longest_match where the core writes it";
    RE2 first("a|ab", quiet);
    RE2 longest("a|ab", RE2::Options(*fn.default_max_mem, true));
    std::string_view ab = "ab", m;
    if (!first.Match(ab, 0, 2, RE2::UNANCHORED, &m, 1) || m != "a" || !longest.Match(ab, 0, 2, RE2::UNANCHORED, &m, 1) ||
        m != "ab")
      return "RE2::Options does not keep longest_match where the core writes it";
  }
  RE2::Set set(quiet, RE2::UNANCHORED);
  if (set.Add("a\\d", nullptr) != 0 || set.Add("b", nullptr) != 1 || !set.Compile())
    return "RE2::Set does not compile";
  std::vector<int> slots;
  RE2::Set::ErrorInfo info;
  if (!set.Match("xa1", &slots, &info) || slots != std::vector<int>{0} || info.kind != RE2::Set::kNoError)
    return "RE2::Set::Match does not find what it must";
  return "";
}

}  // namespace

std::string link(const char *path) {
  // RTLD_NOLOAD: the binding's extension is already loaded (module.cc imports it first); this only
  // returns its handle, and keeps it loaded for the life of the process.
  void *lib = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
  if (lib == nullptr) return std::string("cannot open google-re2's extension: ") + dlerror();
  std::string why;
  bool found =
      find(lib, "_ZN3re23RE27OptionsC1ENS0_13CannedOptionsE", fn.options_new, why) &&
      find(lib, "_ZN3re23RE27Options14kDefaultMaxMemE", fn.default_max_mem, why) &&
      find(lib, "_ZN3re23RE2C1ESt17basic_string_viewIcSt11char_traitsIcEERKNS0_7OptionsE", fn.regex_new, why) &&
      find(lib, "_ZN3re23RE2D1Ev", fn.regex_delete, why) &&
      find(lib, "_ZNK3re23RE211ProgramSizeEv", fn.program_size, why) &&
      find(lib, "_ZNK3re23RE25MatchESt17basic_string_viewIcSt11char_traitsIcEEmmNS0_6AnchorEPS4_i", fn.match, why) &&
      find(lib,
           "_ZNK3re23RE218PossibleMatchRangeEPNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEES7_i",
           fn.possible_match_range, why) &&
      find(lib,
           "_ZNK3re23RE218CheckRewriteStringESt17basic_string_viewIcSt11char_traitsIcEEPNSt7__cxx1112basic_"
           "stringIcS3_SaIcEEE",
           fn.check_rewrite, why) &&
      find(lib, "_ZN3re23RE23SetC1ERKNS0_7OptionsENS0_6AnchorE", fn.set_new, why) &&
      find(lib, "_ZN3re23RE23SetD1Ev", fn.set_delete, why) &&
      find(lib,
           "_ZN3re23RE23Set3AddESt17basic_string_viewIcSt11char_traitsIcEEPNSt7__cxx1112basic_stringIcS4_SaIcEEE",
           fn.set_add, why) &&
      find(lib, "_ZN3re23RE23Set7CompileEv", fn.set_compile, why) &&
      find(lib,
           "_ZNK3re23RE23Set5MatchESt17basic_string_viewIcSt11char_traitsIcEEPSt6vectorIiSaIiEEPNS1_9ErrorInfoE",
           fn.set_match, why);
  if (!found) return why;
  return self_test();
}

RE2::Options::Options(int64_t max_mem, bool longest) {
  fn.options_new(storage_, kQuiet);
  std::memcpy(storage_, &max_mem, sizeof max_mem);  // set_max_mem (the layout link() checked)
  storage_[kLongestByte] = longest ? 1 : 0;         // set_longest_match (likewise)
}

RE2::RE2(std::string_view pattern, const Options &options) { fn.regex_new(storage_, pattern, options.raw()); }
RE2::~RE2() { fn.regex_delete(storage_); }
bool RE2::ok() const { return fn.program_size(storage_) > 0; }  // no program: the pattern did not compile

bool RE2::Match(std::string_view text, size_t startpos, size_t endpos, Anchor anchor, std::string_view *submatch,
                int nsubmatch) const {
  return fn.match(storage_, text, startpos, endpos, anchor, submatch, nsubmatch);
}

bool RE2::PossibleMatchRange(std::string *min, std::string *max, int maxlen) const {
  return fn.possible_match_range(storage_, min, max, maxlen);
}

bool RE2::HasGroup(int group) const {
  std::string rewrite = "\\" + std::to_string(group), error;
  return group >= 0 && group <= 9 && fn.check_rewrite(storage_, rewrite, &error);
}

RE2::Set::Set(const Options &options, Anchor anchor) { fn.set_new(storage_, options.raw(), anchor); }
RE2::Set::~Set() { fn.set_delete(storage_); }
int RE2::Set::Add(std::string_view pattern, std::string *error) { return fn.set_add(storage_, pattern, error); }
bool RE2::Set::Compile() { return fn.set_compile(storage_); }

bool RE2::Set::Match(std::string_view text, std::vector<int> *slots, ErrorInfo *error) const {
  return fn.set_match(storage_, text, slots, error);
}

}  // namespace tamis_re2
