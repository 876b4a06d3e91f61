// fuzz/fuzz_common.h — shared by the libFuzzer targets: run a parser on the input and accept
// only thunderdome's own errors (td::Error); any other exception escapes and is a finding, as is
// every sanitizer report, crash, leak or timeout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "thunderdome/core/error.h"

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

}  // namespace td::fuzz
