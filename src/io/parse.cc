// src/io/parse.cc — number and keyword parsing shared by the text readers.
#include <charconv>
#include <cstdlib>
#include <limits>
#include <string>

#include "io_internal.h"

namespace td::detail {

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
  const char* e = rest.data() + rest.size();
  double v = 0.0;
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
