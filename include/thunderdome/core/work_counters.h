// include/thunderdome/core/work_counters.h — process-wide totals of the solver work a job did.
#pragma once

#include <atomic>
#include <cstdint>

namespace td {

/// What the model fits of this process did, summed over every fit since the last reset():
/// what `thunderdome fit --json` reports as "work" (the cost of a job in counts, not seconds).
/// Thread-safe (relaxed atomics); the totals do not depend on the number of threads.
struct WorkCounters {
  std::atomic<std::int64_t> fits{0};        ///< optimizer runs (models fitted)
  std::atomic<std::int64_t> iterations{0};  ///< optimizer iterations (Newton or L-BFGS)
  std::atomic<std::int64_t> cgSteps{0};     ///< conjugate-gradient steps (Hessian-vector products)
  /// Passes over a design matrix: for Newton-CG 2 + 3 per iteration (margins, gradient and
  /// Hessian diagonal) + 2 per CG step (X·v and Xᵀ·(D·Xv)); for L-BFGS 2 + 2 per iteration. An
  /// estimate from the counts above, the model bench/run_bench.py's bandwidth table uses.
  std::atomic<std::int64_t> passes{0};
  /// Tuning's feature groups (see reuseFeatures) made by running the feature stages, and those
  /// derived from another group's features instead (Transformer::deriveOutput). Unlike the
  /// totals above these depend on scheduling: a group derives only from one held at the time.
  std::atomic<std::int64_t> featurized{0};
  std::atomic<std::int64_t> derived{0};

  /// Adds one fit of `iterations` iterations and `cgSteps` CG steps (0: an L-BFGS fit).
  void addFit(std::int64_t iters, std::int64_t cg) {
    fits.fetch_add(1, std::memory_order_relaxed);
    iterations.fetch_add(iters, std::memory_order_relaxed);
    cgSteps.fetch_add(cg, std::memory_order_relaxed);
    passes.fetch_add(cg > 0 ? 2 + 3 * iters + 2 * cg : 2 + 2 * iters, std::memory_order_relaxed);
  }
  /// Zeroes every total.
  void reset() {
    fits = 0;
    iterations = 0;
    cgSteps = 0;
    passes = 0;
    featurized = 0;
    derived = 0;
  }
};

/// The process's counters.
WorkCounters& workCounters();

}  // namespace td
