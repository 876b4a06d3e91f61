// src/core/parallel.cc
#include "thunderdome/core/parallel.h"

#include <tbb/info.h>

namespace td::parallel {

int defaultConcurrency() { return std::max(1, tbb::info::default_concurrency()); }

}  // namespace td::parallel
