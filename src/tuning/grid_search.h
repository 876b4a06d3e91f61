// src/tuning/grid_search.h — internal: the parallel (split × param map) fit loop shared by
// CrossValidator and TrainValidationSplit.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "thunderdome/evaluation/evaluator.h"
#include "thunderdome/pipeline/stage.h"
#include "thunderdome/tuning/cross_validator.h"

namespace td::tuning {

/// One training/validation pair.
struct Split {
  Frame train;
  Frame validation;
};

/// Checks that the estimator, evaluator and maps are set and that every map entry addresses a
/// stage of the estimator (or the estimator itself); `who` prefixes messages.
void validateSetup(const std::string& who, const std::shared_ptr<Estimator>& estimator,
                   const std::shared_ptr<Evaluator>& evaluator, const std::vector<ParamMap>& maps);

/// Fits every (split, map) pair with at most `parallelism` fits at once on the shared pool;
/// returns metrics[split][map]. The first failure cancels the remaining fits and is rethrown.
std::vector<std::vector<double>> evaluateGrid(const Estimator& estimator,
                                              const Evaluator& evaluator,
                                              const std::vector<ParamMap>& maps,
                                              const std::vector<Split>& splits,
                                              std::int64_t parallelism,
                                              const TuningProgressCallback& progress);

/// Index of the best metric (first wins ties); NaN metrics never win.
std::int64_t bestIndex(const std::vector<double>& metrics, bool largerBetter);

}  // namespace td::tuning
