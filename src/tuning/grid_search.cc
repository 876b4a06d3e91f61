// src/tuning/grid_search.cc
#include "grid_search.h"

#include <fmt/format.h>
#include <tbb/task_group.h>

#include <atomic>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <set>

#include "thunderdome/pipeline/pipeline.h"

namespace td::tuning {

namespace {
void collectUids(const PipelineStage& stage, std::set<std::string>& out) {
  out.insert(stage.uid());
  if (const auto* p = dynamic_cast<const Pipeline*>(&stage))
    for (const auto& s : p->getStages()) collectUids(*s, out);
}
}  // namespace

void validateSetup(const std::string& who, const std::shared_ptr<Estimator>& estimator,
                   const std::shared_ptr<Evaluator>& evaluator, const std::vector<ParamMap>& maps) {
  if (!estimator) throw ParamError(who + ": parameter 'estimator' is not set");
  if (!evaluator) throw ParamError(who + ": parameter 'evaluator' is not set");
  if (maps.empty())
    throw ParamError(who + ": parameter 'estimatorParamMaps' is empty (build a grid with "
                           "ParamGridBuilder; an empty builder gives one empty map)");
  std::set<std::string> uids;
  collectUids(*estimator, uids);
  for (std::size_t i = 0; i < maps.size(); ++i) {
    for (const auto& [key, value] : maps[i].entries()) {
      if (uids.count(key.first) == 0) {
        std::string known;
        for (const auto& u : uids) known += (known.empty() ? "" : ", ") + u;
        throw ParamError(fmt::format(
            "{}: estimatorParamMaps[{}] sets '{}.{}' but no stage of the estimator has uid '{}' "
            "(stages: {})",
            who, i, key.first, key.second, key.first, known));
      }
    }
  }
}

std::vector<std::vector<double>> evaluateGrid(const Estimator& estimator,
                                              const Evaluator& evaluator,
                                              const std::vector<ParamMap>& maps,
                                              const std::vector<Split>& splits,
                                              std::int64_t parallelism,
                                              const TuningProgressCallback& progress) {
  const std::int64_t numMaps = static_cast<std::int64_t>(maps.size());
  const std::int64_t total = numMaps * static_cast<std::int64_t>(splits.size());
  std::vector<std::vector<double>> metrics(splits.size(), std::vector<double>(maps.size(), 0.0));

  std::atomic<std::int64_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::int64_t errorTask = std::numeric_limits<std::int64_t>::max();
  std::mutex mu;  // guards error, errorTask and the progress report
  TuningProgress report{0, total, std::numeric_limits<double>::quiet_NaN()};
  const bool larger = evaluator.isLargerBetter();

  auto worker = [&] {
    for (;;) {
      const std::int64_t task = next.fetch_add(1);
      if (task >= total || failed.load()) return;
      const auto s = static_cast<std::size_t>(task / numMaps);
      const auto m = static_cast<std::size_t>(task % numMaps);
      try {
        const auto model = estimator.fit(splits[s].train, maps[m]);
        const double metric = evaluator.evaluate(model->transform(splits[s].validation, maps[m]));
        metrics[s][m] = metric;
        if (progress) {
          std::lock_guard lock(mu);
          ++report.done;
          if (std::isnan(report.bestMetric) || (larger ? metric > report.bestMetric
                                                       : metric < report.bestMetric))
            report.bestMetric = metric;
          progress(report);
        }
      } catch (...) {
        std::lock_guard lock(mu);
        failed.store(true);
        if (task < errorTask) {  // report the earliest failing task: deterministic
          errorTask = task;
          error = std::current_exception();
        }
      }
    }
  };

  const std::int64_t workers = std::max<std::int64_t>(1, std::min(parallelism, total));
  tbb::task_group group;
  for (std::int64_t w = 0; w < workers; ++w) group.run(worker);
  group.wait();
  if (error) std::rethrow_exception(error);
  return metrics;
}

std::int64_t bestIndex(const std::vector<double>& metrics, bool largerBetter) {
  std::int64_t best = -1;
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    if (std::isnan(metrics[i])) continue;
    if (best < 0 || (largerBetter ? metrics[i] > metrics[static_cast<std::size_t>(best)]
                                  : metrics[i] < metrics[static_cast<std::size_t>(best)]))
      best = static_cast<std::int64_t>(i);
  }
  return best < 0 ? 0 : best;
}

}  // namespace td::tuning
