// fuzz/fuzz_common.h — shared by the libFuzzer targets: run a parser on the input and accept
// only thunderdome's own errors (td::Error); any other exception escapes and is a finding, as is
// every sanitizer report, crash, leak or timeout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/io_internal.h"
#include "thunderdome/core/error.h"
#include "thunderdome/frame/frame.h"

namespace td::fuzz {

/// The input as text.
inline std::string_view text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Runs `f`, swallowing td::Error (a clean rejection of bad input).
template <class F>
void expectCleanRejection(F&& f) {
  try {
    f();
  } catch (const td::Error&) {
  }
}

/// A frame read under mode PERMISSIVE or DROPMALFORMED holds only valid UTF-8 without NUL in
/// its names and string cells: anything else is a finding (abort).
inline void expectCleanText(const td::Frame& f) {
  for (const auto& name : f.columnNames()) {
    if (td::detail::firstBadText(name) != std::string_view::npos) __builtin_trap();
    const auto& c = f.column(name);
    if (c->type() != td::DataType::kString) continue;
    const auto& s = static_cast<const td::StringColumn&>(*c);
    for (std::int64_t r = 0; r < f.numRows(); ++r)
      if (td::detail::firstBadText(s[r]) != std::string_view::npos) __builtin_trap();
  }
}

}  // namespace td::fuzz
