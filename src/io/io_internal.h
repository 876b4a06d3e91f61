// src/io/io_internal.h — internal: helpers shared by the readers in src/io.
#pragma once

#include <string>
#include <vector>

#include "thunderdome/io/stream.h"

namespace td::detail {

/// The parts of a dataset as one stream, in order: each part through pathSource, a CSV part's
/// header line dropped after the first part's when `dropHeaders`, a missing final newline added
/// between parts (the same text the parts' concatenation made before reads streamed).
ChunkSource partsSource(std::vector<std::string> parts, bool dropHeaders);

}  // namespace td::detail
