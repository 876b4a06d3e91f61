// src/io/parse.cc — number and keyword parsing shared by the text readers.
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

#include "io_internal.h"

namespace td::detail {

namespace {

// Clinger's fast path: "digits[.digits][e[+-]digits]" with at most 19 digits whose value m is
// at most 2^53 and a decimal exponent in [-22, 22] is m * 10^e or m / 10^-e, both operands
// exact doubles, so one correctly rounded operation gives the correctly rounded value (what
// from_chars gives). False (v untouched) for anything else, which from_chars then parses.
bool fastDecimal(std::string_view s, double& v) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  std::uint64_t m = 0;
  int digits = 0;
  int exp10 = 0;
  std::size_t i = 0;
  const std::size_t n = s.size();
  for (; i < n && s[i] >= '0' && s[i] <= '9'; ++i, ++digits)
    m = m * 10 + static_cast<unsigned>(s[i] - '0');
  if (i < n && s[i] == '.') {
    for (++i; i < n && s[i] >= '0' && s[i] <= '9'; ++i, ++digits, --exp10)
      m = m * 10 + static_cast<unsigned>(s[i] - '0');
  }
  if (digits == 0 || digits > 19) return false;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool negExp = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) negExp = s[i++] == '-';
    int e = 0;
    int expDigits = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9' && expDigits < 4; ++i, ++expDigits)
      e = e * 10 + (s[i] - '0');
    if (expDigits == 0) return false;
    exp10 += negExp ? -e : e;
  }
  if (i != n || m > (std::uint64_t{1} << 53) || exp10 < -22 || exp10 > 22) return false;
  const auto d = static_cast<double>(m);
  v = exp10 >= 0 ? d * kPow10[exp10] : d / kPow10[-exp10];
  return true;
}

}  // namespace

bool iequals(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

bool parseDouble(std::string_view s, double& out) {
  if (s.empty()) return false;
  bool neg = false;
  std::string_view rest = s;
  if (rest[0] == '+' || rest[0] == '-') {
    neg = rest[0] == '-';
    rest.remove_prefix(1);
  }
  if (rest.empty()) return false;
  if (!(rest[0] >= '0' && rest[0] <= '9') && rest[0] != '.') {
    if (iequals(rest, "nan")) {
      out = std::numeric_limits<double>::quiet_NaN();
      return true;
    }
    if (iequals(rest, "inf") || iequals(rest, "infinity")) {
      out = neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
      return true;
    }
    return false;
  }
  double v = 0.0;
  if (fastDecimal(rest, v)) {
    out = neg ? -v : v;
    return true;
  }
  const char* e = rest.data() + rest.size();
  auto [p, ec] = std::from_chars(rest.data(), e, v, std::chars_format::general);
  if (p != e) return false;
  if (ec == std::errc::result_out_of_range) {
    v = std::strtod(std::string(rest).c_str(), nullptr);  // overflow -> inf, underflow -> 0
  } else if (ec != std::errc()) {
    return false;
  }
  out = neg ? -v : v;
  return true;
}

}  // namespace td::detail
