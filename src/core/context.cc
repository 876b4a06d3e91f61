// src/core/context.cc
#include "thunderdome/core/context.h"

#include "thunderdome/core/parallel.h"

namespace td {

void runWithContext(const Context& ctx, const std::function<void()>& fn) {
  parallel::runWithThreads(ctx.threads, fn);
}

}  // namespace td
