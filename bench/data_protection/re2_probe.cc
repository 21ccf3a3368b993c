// Design probe for the redactor (bench/data_protection/re2_probe.py builds and runs it; needs Debian's libre2-dev).
//
// Not part of tamis: it measures what RE2 itself costs, natively, for the ways a single-pass redactor could
// find exact spans, against the floor of the redaction targets (one RE2 set match over the message):
//   set        one RE2::Set match (the floor);
//   per-id     the set, then every identifier that hit searched over the whole message (leftmost-first,
//              non-overlapping, as runtime/detectors.py does through the Python binding);
//   combined   one alternation of all patterns, whole matches only (one DFA pass; which identifier matched
//              and the overlaps the alternation hides would still need local work).
// A second table prices one RE2 call per match: every match of the per-id loop found again by a search
// bounded to exactly its own bytes, asking for the identifier's value group as the redactor must. No
// redactor that makes an RE2 call per finding can cost less than the set plus this.
// Input: a folder with pats.txt (one "group<TAB>pattern" per line) and messages m*.txt.
#include <re2/re2.h>
#include <re2/set.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

static std::string slurp(const std::string &path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

template <typename F>
static double micros(int rounds, F f) {
  auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; r++) f();
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / rounds;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    std::cerr << "usage: re2_probe DIR MESSAGE...\n";
    return 2;
  }
  std::string dir = argv[1];
  std::vector<std::string> pats;
  std::vector<int> groups;
  {
    std::ifstream f(dir + "/pats.txt");
    std::string line;
    while (std::getline(f, line)) {
      size_t tab = line.find('\t');
      groups.push_back(std::stoi(line.substr(0, tab)));
      pats.push_back(line.substr(tab + 1));
    }
  }
  RE2::Options opt;
  opt.set_max_mem(64 << 20);
  opt.set_log_errors(false);
  std::vector<std::unique_ptr<RE2>> each;
  RE2::Set set(opt, RE2::UNANCHORED);
  std::string alternation;
  for (size_t i = 0; i < pats.size(); i++) {
    each.emplace_back(new RE2(pats[i], opt));
    set.Add(pats[i], nullptr);
    alternation += (i ? "|(?:" : "(?:") + pats[i] + ")";
  }
  set.Compile();
  RE2 combined(alternation, opt);
  std::cout << "| message | bytes | set (floor) | per-id spans | per-id / floor | combined pass | combined / floor |\n"
            << "|---|---:|---:|---:|---:|---:|---:|\n";
  std::ostringstream calls;
  calls << "\n| message | matches | one call per match | per match | calls / floor | set + calls / floor |\n"
        << "|---|---:|---:|---:|---:|---:|\n";
  for (int a = 2; a < argc; a++) {
    std::string text = slurp(dir + "/" + argv[a]);
    int rounds = text.size() < 5000 ? 20000 : 40;
    std::vector<int> hit;
    double floor = micros(rounds, [&] { hit.clear(); set.Match(text, &hit); });
    long found = 0;
    double per_id = micros(rounds, [&] {
      hit.clear();
      set.Match(text, &hit);
      found = 0;
      for (int i : hit) {
        re2::StringPiece in(text), m;
        size_t pos = 0;
        while (pos <= text.size() && each[i]->Match(in, pos, text.size(), RE2::UNANCHORED, &m, 1)) {
          found++;
          size_t end = m.data() - text.data() + m.size();
          pos = end > pos ? end : pos + 1;
        }
      }
    });
    double pass = micros(rounds, [&] {
      re2::StringPiece in(text), m;
      size_t pos = 0;
      while (pos <= text.size() && combined.Match(in, pos, text.size(), RE2::UNANCHORED, &m, 1)) {
        size_t end = m.data() - text.data() + m.size();
        pos = end > pos ? end : pos + 1;
      }
    });
    struct Located {
      int id;
      size_t start, end;
    };
    std::vector<Located> located;
    for (int i : hit) {
      re2::StringPiece in(text), m;
      size_t pos = 0;
      while (pos <= text.size() && each[i]->Match(in, pos, text.size(), RE2::UNANCHORED, &m, 1)) {
        size_t start = m.data() - text.data(), end = start + m.size();
        located.push_back({i, start, end});
        pos = end > pos ? end : pos + 1;
      }
    }
    long again = 0;
    double per_call = micros(rounds, [&] {
      re2::StringPiece in(text), sub[10];
      again = 0;
      for (const Located &l : located) again += each[l.id]->Match(in, l.start, l.end, RE2::UNANCHORED, sub, groups[l.id] + 1);
    });
    calls << "| " << argv[a] << " | " << again << " | " << per_call << " µs | "
          << (located.empty() ? 0.0 : per_call * 1000 / located.size()) << " ns | " << per_call / floor << "x | "
          << (floor + per_call) / floor << "x |\n";
    std::cout << "| " << argv[a] << " | " << text.size() << " | " << floor << " µs | " << per_id << " µs ("
              << found << " matches, " << hit.size() << " ids hit) | " << per_id / floor << "x | " << pass
              << " µs | " << pass / floor << "x |\n";
  }
  std::cout << calls.str();
  return 0;
}
