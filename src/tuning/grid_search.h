// src/tuning/grid_search.h — internal: the parallel (split × param map) fit loop shared by
// CrossValidator and TrainValidationSplit, with thunderdome's shortcuts over Spark:
// row-wise feature stages computed once per distinct setting for the whole dataset (folds are
// row subsets of it), and warm-started regularization paths.
#pragma once

#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "thunderdome/dist/communicator.h"
#include "thunderdome/evaluation/evaluator.h"
#include "thunderdome/pipeline/pipeline.h"
#include "thunderdome/pipeline/stage.h"
#include "thunderdome/tuning/cross_validator.h"

namespace td::tuning {

/// The rows of one training/validation pair.
struct SplitRows {
  std::vector<std::int64_t> train, validation;
};

/// Which shortcuts to take (none changes the metrics the plain fits give, warm starts within
/// the solver's tolerance; a distributed refit gives the model within the solver's tolerance).
struct GridOptions {
  bool reuseFeatures = true;     ///< Featurize once per distinct feature-stage setting.
  bool warmStart = true;         ///< Fit regularization paths from strong to weak.
  bool distributedRefit = true;  ///< Task-parallel ranks refit the best map data-parallel.
  std::int64_t distributedRefitMinRows = 10000;  ///< ... when every rank gets this many rows.
};

/// Data-parallel tuning: the columns an evaluator may read (those its params name) of every
/// rank's prediction rows, in rank order, as one frame on every rank.
Frame gatherForEvaluation(const Frame& predictions, const Params& evaluator,
                          dist::Communicator& comm);

/// Checks that the estimator, evaluator and maps are set and that every map entry addresses a
/// stage of the estimator (or the estimator itself); `who` prefixes messages.
void validateSetup(const std::string& who, const std::shared_ptr<Estimator>& estimator,
                   const std::shared_ptr<Evaluator>& evaluator, const std::vector<ParamMap>& maps);

/// The "reuseFeatures" param (a thunderdome extension, on by default).
ParamSpec reuseFeaturesParam();
/// The "warmStart" param (a thunderdome extension, on by default).
ParamSpec warmStartParam();
/// The "distributedRefit" param (a thunderdome extension, on by default).
ParamSpec distributedRefitParam();
/// The "distributedRefitMinRows" param (a thunderdome extension).
ParamSpec distributedRefitMinRowsParam();

/// Index of the best metric (first wins ties); NaN metrics never win.
std::int64_t bestIndex(const std::vector<double>& metrics, bool largerBetter);

/// One tuning run over `data`.
class GridSearch {
 public:
  /// `ctx.comm` (null: this process alone) spreads the work items over ranks; with
  /// ctx.dataParallel the data is this rank's shard and every fit spans all ranks instead (the
  /// fits run one after another in the same order on every rank, and each metric is computed
  /// on the validation rows of all ranks). ctx.progress gets a report per fit; ctx.cancel stops
  /// the run before its next fit.
  GridSearch(std::shared_ptr<Estimator> estimator, std::shared_ptr<Evaluator> evaluator,
             std::vector<ParamMap> maps, Frame data, GridOptions options, const Context& ctx = {});

  /// Fits every (split, map) with at most `parallelism` fits at once on the shared pool;
  /// returns metrics[split][map]. The first failure cancels the rest and is rethrown.
  /// With a communicator of several ranks, the (split, chain) items are dealt to the ranks'
  /// workers on request, the metrics are gathered to every rank (each rank returns the full
  /// table), and a failure on any rank is rethrown on every rank as a dist::DistributedError
  /// naming that rank.
  std::vector<std::vector<double>> evaluate(const std::vector<SplitRows>& splits,
                                            std::int64_t parallelism);

  /// The model of map `index` fitted on all the data. A collective when spreadsRefit().
  std::shared_ptr<Model> refit(std::size_t index);
  /// Whether this rank refits the best map: every rank when data-parallel or spreadsRefit()
  /// (the refit is a collective), rank 0 alone when the fits were dealt to ranks otherwise,
  /// always in one process.
  [[nodiscard]] bool refitsOnThisRank() const;
  /// Task-parallel on several ranks with options.distributedRefit, an estimator whose stages
  /// all fit data-parallel (and that holds no tuner) and at least as many rows as ranks: the
  /// refit runs data-parallel, each rank fitting its contiguous share of the rows (which it
  /// holds, as every row), so every rank ends with the same model, that of one process within
  /// the solver's tolerance.
  [[nodiscard]] bool spreadsRefit() const { return spreadRefit_; }

 private:
  // Merges every rank's metrics (and failures) into the full table; see evaluate().
  std::vector<std::vector<double>> gather(std::vector<std::vector<double>> metrics,
                                          const std::vector<char>& mine,
                                          const std::vector<std::vector<std::size_t>>& chains,
                                          const std::exception_ptr& error,
                                          std::int64_t errorItem) const;
  // The featurized rows of `source` (the whole dataset, or a shard of it) for feature group g,
  // made chunk by chunk (see the .cc).
  [[nodiscard]] Frame featurizeGroup(std::size_t g, const Frame& source) const;
  // Finds, per group, the groups its features can be derived from (sources_, see the .cc).
  void findSources();
  // Group g's featurized rows (all, or `rows` of the dataset) derived from the features a
  // source group holds on this process (Transformer::deriveOutput), or nullopt when none can
  // give them. `holdingSlot`: the caller holds group g's lock (only sources dealt before g
  // are waited for; the others are skipped while locked).
  std::optional<Frame> deriveGroup(std::size_t g, const std::vector<std::int64_t>* rows,
                                   bool holdingSlot);
  // Whether group a's items are dealt before group b's (see dealOrder).
  [[nodiscard]] bool dealtBefore(std::size_t a, std::size_t b) const;
  // Group g's featurized dataset, made by the first work item that needs it.
  // `setupSeconds`, if given, grows by the time spent making them when this call did.
  Frame acquireGroup(std::size_t g, double* setupSeconds = nullptr);
  // One work item of group g is done (see freeDoneGroups).
  void releaseGroup(std::size_t g);
  // Frees the features of every group but `keep` (and those in `alsoKeep`) whose work items
  // are all done.
  void freeDoneGroups(std::size_t keep, const std::vector<std::size_t>* alsoKeep = nullptr);
  // After each work item: returns the memory it freed to the kernel.
  static void itemDone();
  // The feature groups of the maps of a chain (one, unless warm starts are off).
  [[nodiscard]] std::vector<std::size_t> chainGroups(const std::vector<std::size_t>& chain) const;
  // The feature group work item `item` starts in: its chain's (item % chains) first map's.
  [[nodiscard]] std::size_t itemGroup(const std::vector<std::vector<std::size_t>>& chains,
                                      std::int64_t item) const {
    return featureGroup_[chains[static_cast<std::size_t>(item) % chains.size()].front()];
  }
  // The estimated relative cost of a fit in feature group g (see dealOrder).
  [[nodiscard]] double groupCost(std::size_t g) const;
  // The order in which the (split, chain) work items are dealt: group by group, costliest first.
  [[nodiscard]] std::vector<std::int64_t> dealOrder(const std::vector<std::vector<std::size_t>>& chains,
                                                    std::size_t numSplits) const;
  // The columns the prefix adds before its last stage that no later stage, evaluator or map
  // names (the tokens feeding HashingTF): dropped from the featurized frames. `beforeLast` is
  // the input of the last prefix stage.
  [[nodiscard]] std::vector<std::string> unusedIntermediates(const Frame& beforeLast) const;
  // The featurized whole dataset for the feature-stage setting of map `m`.
  Frame featurized(std::size_t m);
  // Rows [begin, end) of featurized(m): cut from the group's frame while it is held, else
  // featurized alone.
  Frame featurizedRows(std::size_t m, std::int64_t begin, std::int64_t end);
  // Fits map m on `train` (warm-started from `init` when given) with `ctx`.
  // `more`: another map of the chain follows, warm-started from this fit on the same frame.
  std::shared_ptr<Model> fitRest(std::size_t m, const Frame& train,
                                 const std::shared_ptr<const Model>& init, bool more,
                                 const Context& ctx) const;
  // As fitRest, fitting a copy of `est` (the whole rest, or only its last stage) with map m.
  std::shared_ptr<Model> fitWithMap(const Estimator& est, std::size_t m, const Frame& train,
                                    const std::shared_ptr<const Model>& init, bool more,
                                    const Context& ctx) const;
  // The stages before the last of `pipe`, fitted with map m on `train` (each estimator on the
  // output of the stages before it, as Pipeline::fit does), and `train` and `validation`
  // transformed by them: what the last stage of every map of a warm-start chain is fitted on.
  struct Head {
    Frame train, validation;
  };
  Head fitHead(const Pipeline& pipe, std::size_t m, const Frame& train,
               const Frame& validation) const;

  std::shared_ptr<Estimator> estimator_;
  std::shared_ptr<Evaluator> evaluator_;
  std::vector<ParamMap> maps_;
  Frame data_;
  GridOptions options_;
  std::shared_ptr<dist::Communicator> comm_;          // task-parallel ranks (null: none)
  std::shared_ptr<dist::Communicator> dataParallel_;  // data-parallel ranks (null: none)
  Context fitCtx_;                                    // what each fit runs with
  bool spreadRefit_ = false;                          // see spreadsRefit()
  ProgressCallback progress_;
  // Shared featurization: the leading row-wise transformers of a Pipeline estimator.
  std::vector<std::shared_ptr<PipelineStage>> prefix_;
  std::shared_ptr<Pipeline> rest_;         // the remaining stages (null: no reuse)
  std::vector<std::size_t> featureGroup_;  // map -> index into groupKeys_
  std::vector<ParamMap> groupKeys_;
  // Per group: its featurized whole dataset while work items still need it.
  struct GroupSlot {
    std::mutex mu;
    std::optional<Frame> frame;
    std::int64_t pending = 0;  // work items of the group not yet done
  };
  std::vector<std::unique_ptr<GroupSlot>> groupSlots_;
  // Per group: the groups whose features its own derive from (the keys differ only in the
  // last prefix stage, which derivesFrom that group's setting and adds the same column),
  // lowest first; that stage with the group's setting, and the column it adds.
  std::vector<std::vector<std::size_t>> sources_;
  std::vector<std::shared_ptr<const Transformer>> lastStage_;
  std::vector<std::string> lastColumn_;
};

}  // namespace td::tuning
