// The checks with a native form (checks.py's, code by code: native.NATIVE_CHECKS), for ASCII text.
#include "redact.h"

namespace tamis_redact {
namespace {

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

// checks._standalone_number: not part of a decimal, a version, a date or a longer code.
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

}  // namespace

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
  return r >= 0 ? r : python_check(fn, text, s, e);
}

int python_check(PyObject *fn, PyObject *text, long s, long e) {
  PyObject *res = PyObject_CallFunction(fn, "Oll", text, s, e);
  if (res == nullptr) return -1;
  int truth = PyObject_IsTrue(res);
  Py_DECREF(res);
  return truth;
}

// checks.digits_of: the characters of [s, e) that are digits (str.isdigit, Unicode's), as UTF-8.
std::string digits_utf8(const char *t, long s, long e) {
  std::string out;
  const unsigned char *u = reinterpret_cast<const unsigned char *>(t);
  for (long i = s; i < e;) {
    long w = std::min(utf8_width(u[i]), e - i);
    Py_UCS4 c = u[i];
    if (w > 1) {  // decoded: the text came from a str, so it is well-formed
      c &= 0xFFu >> (w + 1);
      for (long k = 1; k < w; k++) c = c << 6 | (u[i + k] & 0x3F);
    }
    if (Py_UNICODE_ISDIGIT(c)) out.append(t + i, static_cast<size_t>(w));
    i += w;
  }
  return out;
}

}  // namespace tamis_redact
