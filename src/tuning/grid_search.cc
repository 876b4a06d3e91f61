// src/tuning/grid_search.cc
#include "grid_search.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <numeric>
#include <set>
#include <variant>

#include "thunderdome/core/memory.h"
#include "thunderdome/core/parallel.h"
#include "thunderdome/core/work_counters.h"
#include "thunderdome/tuning/validator.h"

namespace td::tuning {

namespace {

// The row indices [begin, end), for Frame::take.
std::vector<std::int64_t> rowRange(std::int64_t begin, std::int64_t end) {
  std::vector<std::int64_t> rows(static_cast<std::size_t>(end - begin));
  std::iota(rows.begin(), rows.end(), begin);
  return rows;
}

// Rows per featurization chunk (a power of two: see GridSearch::featurizeGroup).
constexpr std::int64_t kFeaturizeChunk = 2048;

void collectUids(const PipelineStage& stage, std::set<std::string>& out) {
  out.insert(stage.uid());
  for (const auto& s : stage.subStages()) collectUids(*s, out);
}

// `map` restricted to the stages whose uids are in `uids`.
ParamMap restrict(const ParamMap& map, const std::set<std::string>& uids) {
  ParamMap out;
  for (const auto& [key, value] : map.entries())
    if (uids.count(key.first)) out.putUnchecked(key.first, key.second, value);
  return out;
}

// The warm-startable estimator inside `e` (the estimator itself or a pipeline's last stage).
const PipelineStage* warmStartable(const Estimator& e) {
  if (dynamic_cast<const WarmStartable*>(&e)) return &e;
  if (const auto* p = dynamic_cast<const Pipeline*>(&e))
    if (!p->getStages().empty() && dynamic_cast<const WarmStartable*>(p->getStages().back().get()))
      return p->getStages().back().get();
  return nullptr;
}

// Whether `stage` is or holds a tuner: its data-parallel fit would cut folds from each rank's
// rows, so it could pick another param map than one process does.
bool holdsTuner(const PipelineStage& stage) {
  if (dynamic_cast<const Validator*>(&stage)) return true;
  for (const auto& s : stage.subStages())
    if (holdsTuner(*s)) return true;
  return false;
}

// Approximate bytes a column holds (its storage, not what views share) and its non-zeros
// (vectors: stored entries; string arrays: strings), for the memory trace (TD_TRACE_MEMORY=1).
std::pair<std::int64_t, std::int64_t> residentBytes(const Column& c) {
  const std::int64_t n = c.size();
  if (const auto* v = dynamic_cast<const VectorColumn*>(&c)) {
    const std::int64_t nnz = v->numStored();
    return {v->isDense() ? nnz * 8 : nnz * 12 + (n + 1) * 8, nnz};
  }
  if (const auto* s = dynamic_cast<const StringArrayColumn*>(&c)) {
    std::int64_t bytes = (n + 1) * 8, strings = 0;
    for (std::int64_t i = 0; i < n; ++i)
      for (const std::string_view t : (*s)[i]) bytes += static_cast<std::int64_t>(t.size()) + 8, ++strings;
    return {bytes, strings};
  }
  if (const auto* s = dynamic_cast<const StringColumn*>(&c)) {
    std::int64_t bytes = 0;
    for (std::int64_t i = 0; i < n; ++i) bytes += static_cast<std::int64_t>((*s)[i].size()) + 32;
    return {bytes, n};
  }
  return {n * 8, n};
}

// The trace line of the columns of `f` (those not in `except`): name, MB, bytes per non-zero.
std::string describeColumns(const Frame& f, const Frame* except) {
  std::string out;
  for (const auto& field : f.schema().fields()) {
    if (except && except->schema().contains(field.name)) continue;
    const auto [bytes, nnz] = residentBytes(*f.column(field.name));
    out += fmt::format("{}{}: {:.1f} MB, {} non-zeros, {:.1f} B/nz", out.empty() ? "" : "; ",
                       field.name, static_cast<double>(bytes) / 1e6, nnz,
                       nnz ? static_cast<double>(bytes) / static_cast<double>(nnz) : 0.0);
  }
  return out;
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

ParamSpec reuseFeaturesParam() {
  return {"reuseFeatures",
          "thunderdome extension: compute the leading row-wise feature stages (Tokenizer, "
          "HashingTF) once per distinct setting on the whole dataset and cut every fold out of "
          "the result as a row view, instead of once per fit as Spark does; the metrics are "
          "identical. Each setting is computed when its first fold starts, in chunks of rows, "
          "and freed after its last; columns those stages make only for each other (the "
          "tokens) live one chunk, unless a later stage, the evaluator or a param map names "
          "them. A setting that differs from one still held only in the last of those stages, "
          "when that stage can derive its output from the held one's (HashingTF: numFeatures "
          "divides the held numFeatures), is made from it instead, bit for bit the same",
          ParamType::kBool, ParamValue(true), ParamValidator::any()};
}

ParamSpec warmStartParam() {
  return {"warmStart",
          "thunderdome extension: fit param maps that differ only in regParam from the "
          "strongest to the weakest regularization, each starting from the previous solution; "
          "every fit still converges to tol, so metrics agree with cold starts within the "
          "solver's tolerance",
          ParamType::kBool, ParamValue(true), ParamValidator::any()};
}

ParamSpec distributedRefitParam() {
  return {"distributedRefit",
          "thunderdome extension: under MPI with several ranks, task-parallel (every rank "
          "holds all the rows; not --data-parallel), refit the best param map data-parallel "
          "over all ranks, each rank summing over a contiguous share of the rows, instead of "
          "on rank 0 alone while the others wait. The fold metrics and bestIndex stay bit for "
          "bit those of one process; the refit model equals a one-process fit within the "
          "solver's tolerance (false: rank 0 refits, bit for bit the one-process model). A "
          "pipeline with an estimator that cannot fit data-parallel (those whose section "
          "says nothing of data-parallel fits, e.g. CountVectorizer, StandardScaler) is "
          "refit on rank 0 either way. No effect in one process",
          ParamType::kBool, ParamValue(true), ParamValidator::any()};
}

ParamSpec distributedRefitMinRowsParam() {
  return {"distributedRefitMinRows",
          "thunderdome extension: with distributedRefit, the fewest rows each rank must get "
          "for the refit to be spread over the ranks (>= 1); with fewer, rank 0 refits alone. "
          "Every conjugate-gradient step of a spread fit exchanges a vector of the features' "
          "size and each rank repeats the solver's vector work, which outweighs halving small "
          "data (4,836 rows on 2 ranks: 0.73 s spread against 0.49 s on rank 0; 48,360 rows: "
          "2.9 s against 4.3 s)",
          ParamType::kInt, ParamValue(std::int64_t{10000}), ParamValidator::gtEq(1)};
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

GridSearch::GridSearch(std::shared_ptr<Estimator> estimator, std::shared_ptr<Evaluator> evaluator,
                       std::vector<ParamMap> maps, Frame data, GridOptions options,
                       const Context& ctx)
    : estimator_(std::move(estimator)), evaluator_(std::move(evaluator)), maps_(std::move(maps)),
      data_(std::move(data)), options_(options), fitCtx_(ctx.local()), progress_(ctx.progress) {
  if (ctx.comm && ctx.comm->size() > 1) {
    if (ctx.dataParallel) {
      checkDataParallel(*estimator_);
      dataParallel_ = ctx.comm;
      fitCtx_.comm = ctx.comm;
      fitCtx_.dataParallel = true;
    } else {
      comm_ = ctx.comm;
      // The refit spans the ranks when every stage can fit data-parallel (no nested tuner)
      // and every rank gets at least distributedRefitMinRows rows (and one): else rank 0
      // refits alone, as it always can.
      const std::int64_t minRows = std::max<std::int64_t>(1, options_.distributedRefitMinRows);
      spreadRefit_ = options_.distributedRefit && firstNotDataParallel(*estimator_) == nullptr &&
                     !holdsTuner(*estimator_) && data_.numRows() >= minRows * comm_->size();
    }
  }
  const auto* pipeline = dynamic_cast<const Pipeline*>(estimator_.get());
  if (!options_.reuseFeatures || !pipeline) return;
  const auto& stages = pipeline->getStages();
  std::size_t k = 0;
  while (k < stages.size()) {
    const auto* t = dynamic_cast<const Transformer*>(stages[k].get());
    if (!t || dynamic_cast<const Estimator*>(stages[k].get()) || !t->isRowWise()) break;
    ++k;
  }
  if (k == 0) return;
  prefix_.assign(stages.begin(), stages.begin() + static_cast<std::ptrdiff_t>(k));
  rest_ = std::make_shared<Pipeline>(
      pipeline->uid(), std::vector<std::shared_ptr<PipelineStage>>(
                           stages.begin() + static_cast<std::ptrdiff_t>(k), stages.end()));
  std::set<std::string> prefixUids;
  for (const auto& s : prefix_) prefixUids.insert(s->uid());
  for (const auto& m : maps_) {
    const ParamMap key = restrict(m, prefixUids);
    auto it = std::find(groupKeys_.begin(), groupKeys_.end(), key);
    featureGroup_.push_back(static_cast<std::size_t>(it - groupKeys_.begin()));
    if (it == groupKeys_.end()) groupKeys_.push_back(key);
  }
  findSources();
}

void GridSearch::findSources() {
  // Group g's features derive from group s's when their keys set the stages before the last
  // alike (so the last stage reads the same input), the last stage adds one column, of the
  // same name and type under both settings (so the same columns are kept), and with g's
  // setting it derivesFrom s's (HashingTF: numFeatures divides s's).
  const std::size_t n = groupKeys_.size();
  sources_.assign(n, {});
  lastStage_.assign(n, nullptr);
  lastColumn_.assign(n, {});
  if (n < 2) return;
  std::set<std::string> headUids;
  for (std::size_t j = 0; j + 1 < prefix_.size(); ++j) collectUids(*prefix_[j], headUids);
  if (headUids.count(prefix_.back()->uid())) return;
  std::vector<Field> added(n);
  for (std::size_t g = 0; g < n; ++g) {
    try {
      Schema in = data_.schema();
      for (std::size_t j = 0; j + 1 < prefix_.size(); ++j)
        in = prefix_[j]->copyStage(groupKeys_[g])->transformSchema(in);
      auto last = std::dynamic_pointer_cast<const Transformer>(prefix_.back()->copyStage(groupKeys_[g]));
      if (!last) continue;
      std::vector<Field> fields;
      const Schema out = last->transformSchema(in);
      for (const auto& f : out.fields())
        if (!in.contains(f.name)) fields.push_back(f);
      if (fields.size() != 1) continue;
      added[g] = fields.front();
      lastStage_[g] = std::move(last);
      lastColumn_[g] = added[g].name;
    } catch (const std::exception&) {
      // not derivable: the featurization reports the problem as it would anyway
    }
  }
  for (std::size_t g = 0; g < n; ++g) {
    if (!lastStage_[g]) continue;
    const ParamMap head = restrict(groupKeys_[g], headUids);
    for (std::size_t s = 0; s < n; ++s)
      if (s != g && lastStage_[s] && added[s] == added[g] &&
          restrict(groupKeys_[s], headUids) == head && lastStage_[g]->derivesFrom(*lastStage_[s]))
        sources_[g].push_back(s);
  }
}

bool GridSearch::dealtBefore(std::size_t a, std::size_t b) const {
  const double ca = groupCost(a), cb = groupCost(b);
  return ca != cb ? ca > cb : a < b;
}

std::optional<Frame> GridSearch::deriveGroup(std::size_t g, const std::vector<std::int64_t>* rows,
                                             bool holdingSlot) {
  if (g >= sources_.size()) return std::nullopt;
  for (const std::size_t s : sources_[g]) {
    if (s >= groupSlots_.size()) continue;
    std::optional<Frame> from;
    {
      // Locks are taken one at a time, or (holding g's) waited for only on a group dealt
      // before g, whose holder in turn waits only on groups dealt before it: no cycle.
      GroupSlot& other = *groupSlots_[s];
      std::unique_lock lock(other.mu, std::defer_lock);
      if (holdingSlot && !dealtBefore(s, g)) {
        if (!lock.try_lock()) continue;
      } else {
        lock.lock();
      }
      from = other.frame;  // a cheap copy: the columns are shared
    }
    if (!from || !from->schema().contains(lastColumn_[g])) continue;
    const auto t0 = std::chrono::steady_clock::now();
    const Frame src = rows ? from->take(*rows) : *from;
    ColumnPtr column = lastStage_[g]->deriveOutput(*lastStage_[s], src.column(lastColumn_[g]));
    if (!column) continue;
    // The columns a featurization of g would keep: those of s's, the last stage's replaced.
    const Frame source = rows ? data_.take(*rows) : data_;
    Frame out = source;
    for (const auto& field : src.schema().fields())
      if (!data_.schema().contains(field.name))
        out = out.withColumn(field.name, field.name == lastColumn_[g] ? column : src.column(field.name));
    workCounters().derived.fetch_add(1, std::memory_order_relaxed);
    if (traceMemoryEnabled())
      traceMemory(fmt::format("derived group {} ({}) from group {} ({}) in {:.3f} s", g,
                              groupKeys_[g].toString(), s, groupKeys_[s].toString(),
                              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()),
                  describeColumns(out, &source));
    return out;
  }
  return std::nullopt;
}

Frame GridSearch::featurizeGroup(std::size_t g, const Frame& source) const {
  // Row-wise stages: the whole dataset's output is the rows' outputs in order, so it is made
  // chunk by chunk, and only the columns kept (the features) outlive a chunk: the tokens of
  // one chunk at a time instead of the whole dataset's. Chunks of a power-of-two number of rows
  // are kept as they are by VectorColumn::concat (no copy).
  const ParamMap& key = groupKeys_[g];
  workCounters().featurized.fetch_add(1, std::memory_order_relaxed);
  std::vector<std::shared_ptr<Transformer>> stages;
  for (const auto& p : prefix_) stages.push_back(std::static_pointer_cast<Transformer>(p->copyStage(key)));
  const std::int64_t n = source.numRows();
  std::vector<std::string> kept;                 // columns the prefix adds and the rest may read
  std::vector<std::vector<ColumnPtr>> parts;     // per kept column, its chunks
  std::int64_t begin = 0;
  do {
    const std::int64_t end = std::min(n, begin + kFeaturizeChunk);
    Frame f = source;
    if (begin > 0 || end < n) {
      f = source.take(rowRange(begin, end));
    }
    Frame beforeLast;
    for (std::size_t j = 0; j < stages.size(); ++j) {
      if (j + 1 == stages.size()) beforeLast = f;
      f = stages[j]->transform(f);
    }
    if (begin == 0) {
      // Columns made by earlier prefix stages only to feed later ones (the tokens) are not
      // kept when nothing downstream can read them.
      std::vector<std::string> unused = unusedIntermediates(beforeLast);
      if (!unused.empty()) {
        try {  // the rest of the pipeline must still accept the frame without them
          Frame probe = f;
          for (const auto& name : unused) probe = probe.drop(name);
          (void)rest_->transformSchema(probe.schema());
        } catch (const std::exception&) {
          unused.clear();  // keep everything: the fits report the problem as they would anyway
        }
      }
      for (const auto& field : f.schema().fields())
        if (!source.schema().contains(field.name) &&
            std::find(unused.begin(), unused.end(), field.name) == unused.end())
          kept.push_back(field.name);
      parts.resize(kept.size());
      if (traceMemoryEnabled())
        traceMemory(fmt::format("featurizing group {} ({}), first chunk", g, key.toString()),
                    describeColumns(f, &source));
    }
    for (std::size_t k = 0; k < kept.size(); ++k) parts[k].push_back(f.column(kept[k]));
    begin = end;
  } while (begin < n);
  Frame out = source;
  for (std::size_t k = 0; k < kept.size(); ++k) {
    std::vector<std::shared_ptr<const VectorColumn>> vectors;
    for (const auto& c : parts[k])
      if (auto v = std::dynamic_pointer_cast<const VectorColumn>(c)) vectors.push_back(std::move(v));
    ColumnPtr whole = parts[k].size() == 1       ? parts[k].front()
                      : vectors.size() == parts[k].size() ? VectorColumn::concat(std::move(vectors))
                                                          : concatRows(parts[k]);
    parts[k].clear();
    out = out.withColumn(kept[k], std::move(whole));
  }
  releaseFreeMemory();  // the chunks' tokens and scratch
  if (traceMemoryEnabled())
    traceMemory(fmt::format("featurized group {} ({})", g, key.toString()), describeColumns(out, &source));
  return out;
}

Frame GridSearch::acquireGroup(std::size_t g, double* setupSeconds) {
  GroupSlot& slot = *groupSlots_[g];
  bool made = false;
  {
    std::lock_guard lock(slot.mu);
    made = slot.frame.has_value();
  }
  // Until g's features are made, the groups they may derive from stay (see deriveGroup).
  const bool keepSources = !made && g < sources_.size() && !sources_[g].empty();
  freeDoneGroups(g, keepSources ? &sources_[g] : nullptr);
  std::unique_lock lock(slot.mu);  // one worker featurizes; the others of this group wait
  if (slot.frame) return *slot.frame;
  const auto t0 = std::chrono::steady_clock::now();
  slot.frame = deriveGroup(g, nullptr, true);
  if (!slot.frame) slot.frame = featurizeGroup(g, data_);
  if (setupSeconds)
    *setupSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  Frame out = *slot.frame;
  lock.unlock();
  if (keepSources) freeDoneGroups(g);
  return out;
}

void GridSearch::releaseGroup(std::size_t g) {
  GroupSlot& slot = *groupSlots_[g];
  std::lock_guard lock(slot.mu);
  --slot.pending;  // freed when a worker next starts an item (or the refit), see freeDoneGroups
}

void GridSearch::freeDoneGroups(std::size_t keep, const std::vector<std::size_t>* alsoKeep) {
  // A group whose items are all done goes when a worker starts its next item, not at once:
  // the groups done last on this process (a rank's own, with affinity dealing) stay until the
  // refit, which reuses its group's features when they are still here. One lock at a time.
  bool freed = false;
  for (std::size_t s = 0; s < groupSlots_.size(); ++s) {
    if (s == keep || (alsoKeep && std::find(alsoKeep->begin(), alsoKeep->end(), s) != alsoKeep->end()))
      continue;
    GroupSlot& slot = *groupSlots_[s];
    std::lock_guard lock(slot.mu);
    if (slot.pending == 0 && slot.frame) {
      slot.frame.reset();
      freed = true;
    }
  }
  if (freed) releaseFreeMemory();
}

void GridSearch::itemDone() {
  // The item's fold views, matrices and models are gone: their pages back to the kernel, so
  // that the resident set follows what is in use (the next group's features reuse them).
  releaseFreeMemory();
}

std::vector<std::string> GridSearch::unusedIntermediates(const Frame& beforeLast) const {
  // Every string a downstream stage, the evaluator or a param map could name a column by.
  std::set<std::string> named;
  auto addValue = [&](const ParamValue& v) {
    if (const auto* str = std::get_if<std::string>(&v.variant())) named.insert(*str);
    if (const auto* list = std::get_if<std::vector<std::string>>(&v.variant()))
      named.insert(list->begin(), list->end());
  };
  auto addParams = [&](const Params& p) {
    const ParamMap all = p.extractParamMap();
    for (const auto& [key, value] : all.entries()) addValue(value);
  };
  std::vector<const PipelineStage*> pending;
  for (const auto& s : rest_->getStages()) pending.push_back(s.get());
  while (!pending.empty()) {
    const PipelineStage* s = pending.back();
    pending.pop_back();
    addParams(*s);
    for (const auto& c : s->subStages()) pending.push_back(c.get());
  }
  addParams(*evaluator_);
  for (const auto& m : maps_)
    for (const auto& [key, value] : m.entries()) addValue(value);

  std::vector<std::string> unused;
  for (const auto& field : beforeLast.schema().fields())
    if (!data_.schema().contains(field.name) && named.count(field.name) == 0)
      unused.push_back(field.name);
  return unused;
}

Frame GridSearch::featurized(std::size_t m) {
  const std::size_t g = featureGroup_[m];
  if (g < groupSlots_.size()) {
    std::optional<Frame> out;
    {
      GroupSlot& slot = *groupSlots_[g];
      std::lock_guard lock(slot.mu);
      out = slot.frame;
    }
    if (!out) out = deriveGroup(g, nullptr, false);  // from a group still held
    freeDoneGroups(g);
    if (out) return *out;
  }
  return featurizeGroup(g, data_);  // freed after its last work item (or never made): again
}

Frame GridSearch::featurizedRows(std::size_t m, std::int64_t begin, std::int64_t end) {
  const std::vector<std::int64_t> rows = rowRange(begin, end);
  const std::size_t g = featureGroup_[m];
  if (g < groupSlots_.size()) {
    std::optional<Frame> out;
    {
      GroupSlot& slot = *groupSlots_[g];
      std::lock_guard lock(slot.mu);
      if (slot.frame) out = slot.frame->take(rows);
    }
    if (!out) out = deriveGroup(g, &rows, false);  // from a group still held
    freeDoneGroups(g);
    if (out) return *out;
  }
  return featurizeGroup(g, data_.take(rows));  // row-wise stages: the same rows' features
}

std::shared_ptr<Model> GridSearch::fitRest(std::size_t m, const Frame& train,
                                           const std::shared_ptr<const Model>& init, bool more,
                                           const Context& ctx) const {
  const Estimator& est = rest_ ? static_cast<const Estimator&>(*rest_) : *estimator_;
  return fitWithMap(est, m, train, init, more, ctx);
}

GridSearch::Head GridSearch::fitHead(const Pipeline& pipe, std::size_t m, const Frame& train,
                                     const Frame& validation) const {
  const auto& stages = pipe.getStages();
  Head h{train, validation};
  for (std::size_t j = 0; j + 1 < stages.size(); ++j) {
    const auto copy = stages[j]->copyStage(maps_[m]);
    const std::shared_ptr<Transformer> t =
        copy->isEstimator() ? std::static_pointer_cast<Estimator>(copy)->fit(h.train, fitCtx_)
                            : std::static_pointer_cast<Transformer>(copy);
    h.train = t->transform(h.train, fitCtx_);
    h.validation = t->transform(h.validation);
  }
  return h;
}

std::shared_ptr<Model> GridSearch::fitWithMap(const Estimator& est, std::size_t m,
                                              const Frame& train,
                                              const std::shared_ptr<const Model>& init,
                                              bool more, const Context& ctx) const {
  auto copy = std::static_pointer_cast<Estimator>(est.copyStage(maps_[m]));
  if (more && options_.warmStart) {  // the next map of the chain starts from this fit
    if (auto* target = const_cast<PipelineStage*>(warmStartable(*copy)))
      dynamic_cast<WarmStartable*>(target)->setKeepWarmStartData(true);
  }
  if (init) {
    // The warm-startable stage of the copy, and the matching model inside `init`.
    auto* target = const_cast<PipelineStage*>(warmStartable(*copy));
    std::shared_ptr<const Model> from = init;
    if (const auto* pm = dynamic_cast<const PipelineModel*>(init.get()))
      from = pm->stages().back() ? std::dynamic_pointer_cast<const Model>(pm->stages().back()) : nullptr;
    if (target && from) dynamic_cast<WarmStartable*>(target)->setWarmStart(from);
  }
  return copy->fit(train, ctx);
}

std::vector<std::vector<double>> GridSearch::evaluate(const std::vector<SplitRows>& splits,
                                                      std::int64_t parallelism) {
  const ProgressCallback& progress = progress_;
  const std::size_t numMaps = maps_.size();

  // Chains of maps fitted in sequence: maps equal but for the warm-start param, strongest
  // regularization first. Without warm starts every map is its own chain.
  std::vector<std::vector<std::size_t>> chains;
  const PipelineStage* ws = options_.warmStart ? warmStartable(rest_ ? *rest_ : *estimator_) : nullptr;
  if (ws) {
    const std::string param = dynamic_cast<const WarmStartable*>(ws)->warmStartParam();
    std::vector<ParamMap> keys;
    for (std::size_t m = 0; m < numMaps; ++m) {
      ParamMap key;
      for (const auto& [k, v] : maps_[m].entries())
        if (!(k.first == ws->uid() && k.second == param)) key.putUnchecked(k.first, k.second, v);
      auto it = std::find(keys.begin(), keys.end(), key);
      if (it == keys.end()) {
        keys.push_back(key);
        chains.push_back({m});
      } else {
        chains[static_cast<std::size_t>(it - keys.begin())].push_back(m);
      }
    }
    auto strength = [&](std::size_t m) {
      const auto v = maps_[m].get(ws->uid(), param);
      return v ? v->as<double>() : ws->getDouble(param);
    };
    for (auto& c : chains)
      std::stable_sort(c.begin(), c.end(), [&](std::size_t a, std::size_t b) { return strength(a) > strength(b); });
  } else {
    for (std::size_t m = 0; m < numMaps; ++m) chains.push_back({m});
  }

  // The pipeline a work item fits, and whether its stages before the warm-started last one
  // can be shared along a chain (see the worker).
  const auto* fitted = dynamic_cast<const Pipeline*>(rest_ ? rest_.get() : estimator_.get());
  const bool sharedHead = ws && fitted && fitted->getStages().size() > 1 &&
                          ws == fitted->getStages().back().get();

  const std::int64_t total = static_cast<std::int64_t>(numMaps * splits.size());
  const std::int64_t items = static_cast<std::int64_t>(chains.size() * splits.size());
  // Featurize once per group, when its first work item starts, and let the features go once
  // its last one is done (when a worker starts its next item: see freeDoneGroups); the items
  // are dealt group by group (see dealOrder), so that only the groups in progress hold
  // features. Each work item cuts its split out of its group's frame
  // when it starts and lets go of it when it ends: the folds are row views sharing the
  // featurized columns (see Frame::take), and whatever a fit derives from them lives only that
  // long.
  const std::vector<std::int64_t> order = dealOrder(chains, splits.size());
  if (rest_) {
    groupSlots_.clear();
    for (std::size_t g = 0; g < groupKeys_.size(); ++g) groupSlots_.push_back(std::make_unique<GroupSlot>());
    for (const auto& chain : chains)
      for (std::size_t g : chainGroups(chain)) groupSlots_[g]->pending += static_cast<std::int64_t>(splits.size());
  }
  std::vector<std::vector<double>> metrics(splits.size(), std::vector<double>(numMaps, 0.0));
  std::atomic<std::int64_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::int64_t errorItem = std::numeric_limits<std::int64_t>::max();
  std::mutex mu;  // guards error, errorItem and the progress report
  Progress report{0, total, std::numeric_limits<double>::quiet_NaN()};
  std::vector<std::size_t> foldsDone(numMaps, 0);  // per param map, under `mu`
  const bool larger = evaluator_->isLargerBetter();
  // Several ranks: items come from a queue shared by all ranks' workers; or, data-parallel,
  // every rank fits every item, one after another, each fit spread over all ranks.
  const bool dataParallel = dataParallel_ != nullptr;
  if (dataParallel) parallelism = 1;
  const bool distributed = comm_ && comm_->size() > 1;
  std::unique_ptr<dist::WorkQueue> queue;
  if (distributed) {
    // Dealt with group affinity: a rank keeps to the feature groups it has made, so that few
    // ranks featurize each group (every rank holds all the rows; see dealOrder).
    std::vector<std::int64_t> groups;
    if (rest_)
      for (const std::int64_t item : order)
        groups.push_back(static_cast<std::int64_t>(itemGroup(chains, item)));
    queue = comm_->groupedWorkQueue(items, std::move(groups));
  }
  std::vector<char> mine(static_cast<std::size_t>(items), 0);  // items this rank fitted

  // When the first items the workers take all need one feature group (a job's usual start:
  // the widest group's folds, which the others derive from), that group is made here, on the
  // whole pool, before they start: made by one of them, it ran on that worker's core alone
  // while the others waited for it (bench/README.md, "Featurizing before the workers start").
  if (rest_ && !distributed && !dataParallel && parallelism > 1 && items > 1) {
    auto groupOf = [&](std::int64_t dealt) {
      return itemGroup(chains, order[static_cast<std::size_t>(dealt)]);
    };
    const std::int64_t first = std::min(parallelism, items);
    bool shared = true;
    for (std::int64_t d = 1; d < first; ++d) shared = shared && groupOf(d) == groupOf(0);
    if (shared) {
      try {
        (void)acquireGroup(groupOf(0), nullptr);
      } catch (...) {  // the workers meet it again and report it as any item's failure
      }
    }
  }

  auto worker = [&] {
    // What this worker tells the queue of its last item: the dealer of several ranks learns
    // the items' costs and the featurizing's from it (see dist::WorkDealer).
    dist::ItemDone lastDone;
    for (;;) {
      const std::int64_t dealt = queue ? queue->next(lastDone) : next.fetch_add(1);
      if (dealt < 0 || dealt >= items || failed.load()) return;
      const auto itemStart = std::chrono::steady_clock::now();
      double setupSeconds = 0.0;
      const std::int64_t item = order[static_cast<std::size_t>(dealt)];
      const auto s = static_cast<std::size_t>(item / static_cast<std::int64_t>(chains.size()));
      const auto& chain = chains[static_cast<std::size_t>(item % static_cast<std::int64_t>(chains.size()))];
      try {
        std::shared_ptr<const Model> previous;
        std::size_t group = std::numeric_limits<std::size_t>::max();
        Frame train, validation;
        // The maps of a chain differ only in the warm-start param of the pipeline's last
        // stage, so the stages before it have one setting for the whole chain: they are fitted
        // once per chain (on this split's training rows, never across splits) and each map
        // fits only the last stage on their output. Spark refits them for every map.
        std::optional<Head> head;
        for (std::size_t pos = 0; pos < chain.size(); ++pos) {
          const std::size_t m = chain[pos];
          const std::size_t g = rest_ ? featureGroup_[m] : 0;
          if (g != group) {
            const Frame base = rest_ ? acquireGroup(g, &setupSeconds) : data_;
            train = base.take(splits[s].train);
            validation = base.take(splits[s].validation);
            group = g;
            head.reset();
          }
          std::shared_ptr<Model> model;
          Frame predictions;
          if (sharedHead && chain.size() > 1) {
            if (!head) head = fitHead(*fitted, m, train, validation);
            model = fitWithMap(*std::static_pointer_cast<Estimator>(fitted->getStages().back()), m,
                               head->train, previous, pos + 1 < chain.size(), fitCtx_);
            predictions = model->transform(head->validation, maps_[m]);
          } else {
            model = fitRest(m, train, previous, pos + 1 < chain.size(), fitCtx_);
            predictions = model->transform(validation, maps_[m]);
          }
          const double metric = evaluator_->evaluate(
              dataParallel ? gatherForEvaluation(predictions, *evaluator_, *dataParallel_)
                           : predictions);
          metrics[s][m] = metric;
          previous = model;
          if (traceMemoryEnabled())
            traceMemory(fmt::format("fitted split {} map {} (chain position {})", s, m, pos));
          if (progress) {
            std::lock_guard lock(mu);
            ++report.done;
            // "best" is the best mean over the folds (what avgMetrics will hold), counted once
            // every fold of the param map has finished on this rank: never one fold's metric.
            if (++foldsDone[m] == splits.size()) {
              double sum = 0.0;
              for (std::size_t f = 0; f < splits.size(); ++f) sum += metrics[f][m];
              const double mean = sum / static_cast<double>(splits.size());
              if (std::isnan(report.bestMetric) ||
                  (larger ? mean > report.bestMetric : mean < report.bestMetric))
                report.bestMetric = mean;
            }
            progress(report);
          }
        }
        mine[static_cast<std::size_t>(item)] = 1;
        lastDone = {dealt,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - itemStart).count(),
                    setupSeconds};
        train = validation = Frame();
        head.reset();
        if (rest_)
          for (std::size_t g : chainGroups(chain)) releaseGroup(g);
        itemDone();
      } catch (...) {
        if (queue) queue->cancel();
        std::lock_guard lock(mu);
        failed.store(true);
        if (item < errorItem) {  // report the earliest failing item: deterministic
          errorItem = item;
          error = std::current_exception();
        }
      }
    }
  };
  const std::int64_t workers = std::max<std::int64_t>(1, std::min(parallelism, items));
  parallel::TaskGroup group;
  for (std::int64_t w = 0; w < workers; ++w) group.run(worker);
  group.wait();
  if (queue) {
    queue->finish();
    return gather(metrics, mine, chains, error, errorItem);
  }
  if (error) std::rethrow_exception(error);
  return metrics;
}

std::vector<std::size_t> GridSearch::chainGroups(const std::vector<std::size_t>& chain) const {
  std::vector<std::size_t> out;
  for (std::size_t m : chain)
    if (std::find(out.begin(), out.end(), featureGroup_[m]) == out.end()) out.push_back(featureGroup_[m]);
  return out;
}

double GridSearch::groupCost(std::size_t g) const {
  // A static estimate: a fit costs more the larger its feature space, which the settings of
  // the feature stages say by their integer params (HashingTF's numFeatures, CountVectorizer's
  // vocabSize, NGram's n): the largest of them. 1 without any.
  double cost = 1.0;
  for (const auto& [key, value] : groupKeys_[g].entries())
    if (const auto* i = std::get_if<std::int64_t>(&value.variant())) cost = std::max(cost, static_cast<double>(*i));
  return cost;
}

std::vector<std::int64_t> GridSearch::dealOrder(const std::vector<std::vector<std::size_t>>& chains,
                                                std::size_t numSplits) const {
  // Item i is (split i / chains, chain i % chains). Dealt group by group, the costliest group
  // first (longest processing time first: the cheap items fill the tail), each group's items
  // split by split; ties keep the grid's order.
  const std::size_t numChains = chains.size();
  std::vector<std::int64_t> order(numChains * numSplits);
  std::iota(order.begin(), order.end(), 0);
  if (!rest_) return order;
  auto groupOf = [&](std::int64_t item) { return itemGroup(chains, item); };
  std::vector<double> cost(groupKeys_.size());
  for (std::size_t g = 0; g < cost.size(); ++g) cost[g] = groupCost(g);
  std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
    const std::size_t ga = groupOf(a), gb = groupOf(b);
    if (ga != gb) return cost[ga] != cost[gb] ? cost[ga] > cost[gb] : ga < gb;
    return false;
  });
  return order;
}

std::vector<std::vector<double>> GridSearch::gather(std::vector<std::vector<double>> metrics,
                                                    const std::vector<char>& mine,
                                                    const std::vector<std::vector<std::size_t>>& chains,
                                                    const std::exception_ptr& error,
                                                    std::int64_t errorItem) const {
  // This rank's message: its failure (if any), then the metrics of the items it fitted.
  dist::ByteWriter w;
  w.put<std::uint8_t>(error ? 1 : 0);
  if (error) {
    const dist::ErrorReport e = dist::reportOf(error);
    w.put<std::int32_t>(static_cast<std::int32_t>(e.code)).put<std::int64_t>(errorItem).putString(e.what);
  }
  const std::size_t numChains = chains.size();
  for (std::size_t item = 0; item < mine.size(); ++item) {
    if (!mine[item]) continue;
    const std::size_t s = item / numChains;
    w.put<std::int64_t>(static_cast<std::int64_t>(item));
    for (std::size_t m : chains[item % numChains]) w.put<double>(metrics[s][m]);
  }
  w.put<std::int64_t>(-1);
  const auto all = comm_->allgather(w.bytes());

  // Every rank merges the same messages in the same way: identical tables and errors.
  int failedRank = -1;
  ErrorCode failedCode = ErrorCode::kInternal;
  std::int64_t failedItem = std::numeric_limits<std::int64_t>::max();
  std::string failedWhat;
  std::vector<char> seen(mine.size(), 0);
  for (std::size_t r = 0; r < all.size(); ++r) {
    dist::ByteReader in(all[r]);
    if (in.get<std::uint8_t>()) {
      const auto code = static_cast<ErrorCode>(in.get<std::int32_t>());
      const auto item = in.get<std::int64_t>();
      std::string what = in.getString();
      if (item < failedItem) {  // the earliest failing item, as in one process
        failedRank = static_cast<int>(r);
        failedCode = code;
        failedItem = item;
        failedWhat = std::move(what);
      }
    }
    for (auto item = in.get<std::int64_t>(); item >= 0; item = in.get<std::int64_t>()) {
      const auto i = static_cast<std::size_t>(item);
      const std::size_t s = i / numChains;
      for (std::size_t m : chains[i % numChains]) metrics[s][m] = in.get<double>();
      seen[i] = 1;
    }
  }
  if (failedRank >= 0)
    throw dist::DistributedError(
        failedCode, fmt::format("rank {} of {}: {}", failedRank, all.size(), failedWhat));
  for (std::size_t i = 0; i < seen.size(); ++i)
    if (!seen[i])
      throw InternalError(fmt::format("distributed grid search: work item {} was never fitted", i));
  return metrics;
}

bool GridSearch::refitsOnThisRank() const {
  return dataParallel_ || spreadRefit_ || !comm_ || comm_->rank() == 0;
}

std::shared_ptr<Model> GridSearch::refit(std::size_t index) {
  traceMemory("cross-validation done, refit starts");
  const auto t0 = std::chrono::steady_clock::now();
  const std::clock_t cpu0 = std::clock();
  // Spread: this rank's contiguous share of the rows, fitted data-parallel with every rank's.
  Context ctx = fitCtx_;
  const std::int64_t n = data_.numRows();
  std::int64_t begin = 0, end = n;
  if (spreadRefit_) {
    const auto rank = static_cast<std::int64_t>(comm_->rank());
    const auto size = static_cast<std::int64_t>(comm_->size());
    begin = n * rank / size;
    end = n * (rank + 1) / size;
    ctx.comm = comm_;
    ctx.dataParallel = true;
  }
  std::shared_ptr<Model> model;
  if (!rest_) {
    Frame rows = data_;
    if (spreadRefit_) rows = data_.take(rowRange(begin, end));
    model = estimator_->fit(rows, maps_[index], ctx);
  } else {
    // The prefix models are the prefix transformers with the map applied; the rest is fitted
    // on the featurized data. Together: the same PipelineModel a plain fit gives.
    const Frame train = spreadRefit_ ? featurizedRows(index, begin, end) : featurized(index);
    const auto rest =
        std::static_pointer_cast<PipelineModel>(fitRest(index, train, nullptr, false, ctx));
    std::vector<std::shared_ptr<Transformer>> stages;
    for (const auto& p : prefix_)
      stages.push_back(std::static_pointer_cast<Transformer>(p->copyStage(maps_[index])));
    for (const auto& t : rest->stages()) stages.push_back(t);
    model = std::make_shared<PipelineModel>(estimator_->uid(), std::move(stages));
  }
  if (traceMemoryEnabled())
    traceMemory(fmt::format("refit done in {:.3f} s, {:.3f} s of this process's CPU ({})",
                            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                            static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC,
                            spreadRefit_ ? fmt::format("data-parallel over {} ranks, rows [{}, {}) here",
                                                       comm_->size(), begin, end)
                                         : std::string("this rank alone")));
  return model;
}

Frame gatherForEvaluation(const Frame& predictions, const Params& evaluator,
                          dist::Communicator& comm) {
  // The column names the evaluator's params give, present in the predictions.
  std::vector<std::string> names;
  const ParamMap params = evaluator.extractParamMap();
  for (const auto& [key, value] : params.entries()) {
    const auto* str = std::get_if<std::string>(&value.variant());
    if (str && !str->empty() && predictions.schema().contains(*str) &&
        std::find(names.begin(), names.end(), *str) == names.end())
      names.push_back(*str);
  }
  std::sort(names.begin(), names.end());  // the same order on every rank
  const std::int64_t n = predictions.numRows();
  dist::ByteWriter w;
  w.put<std::int64_t>(n);
  for (const auto& name : names) {
    const DataType t = predictions.schema().field(name).type;
    w.put<std::int32_t>(static_cast<std::int32_t>(t));
    if (t == DataType::kInt64) {
      for (const auto v : predictions.col<Int64Column>(name).values()) w.put<std::int64_t>(v);
    } else if (t == DataType::kDouble) {
      for (const auto v : predictions.col<DoubleColumn>(name).values()) w.put<double>(v);
    } else if (t == DataType::kVector) {
      const auto& col = predictions.col<VectorColumn>(name);
      w.put<std::int64_t>(col.dim());
      std::vector<double> dense(static_cast<std::size_t>(col.dim()));
      for (std::int64_t i = 0; i < n; ++i) {
        std::fill(dense.begin(), dense.end(), 0.0);
        const VectorView v = col[i];
        for (std::int64_t p = 0; p < v.nnz; ++p)
          dense[static_cast<std::size_t>(v.indices ? v.indices[p] : p)] = v.values[p];
        for (double x : dense) w.put<double>(x);
      }
    } else {
      throw ColumnError(fmt::format("data-parallel evaluation: column '{}' of type {} cannot be "
                                    "gathered over the ranks (numeric and vector columns can)",
                                    name, toString(t)));
    }
  }
  const auto all = comm.allgather(w.bytes());
  std::vector<dist::ByteReader> readers;
  std::int64_t total = 0;
  std::vector<std::int64_t> rows;
  for (const auto& bytes : all) {
    readers.emplace_back(bytes);
    rows.push_back(readers.back().get<std::int64_t>());
    total += rows.back();
  }
  std::vector<std::pair<std::string, ColumnPtr>> cols;
  for (const auto& name : names) {
    const DataType t = predictions.schema().field(name).type;
    std::vector<std::int64_t> ints;
    std::vector<double> doubles;
    std::int64_t dim = 0;
    for (std::size_t r = 0; r < readers.size(); ++r) {
      auto& in = readers[r];
      if (static_cast<DataType>(in.get<std::int32_t>()) != t)
        throw InternalError(fmt::format("data-parallel evaluation: rank {} has another type for "
                                        "column '{}'", r, name));
      if (t == DataType::kInt64) {
        for (std::int64_t i = 0; i < rows[r]; ++i) ints.push_back(in.get<std::int64_t>());
      } else if (t == DataType::kDouble) {
        for (std::int64_t i = 0; i < rows[r]; ++i) doubles.push_back(in.get<double>());
      } else {
        dim = in.get<std::int64_t>();
        for (std::int64_t i = 0; i < rows[r] * dim; ++i) doubles.push_back(in.get<double>());
      }
    }
    if (t == DataType::kInt64) cols.emplace_back(name, makeInt64Column(std::move(ints)));
    else if (t == DataType::kDouble) cols.emplace_back(name, makeDoubleColumn(std::move(doubles)));
    else cols.emplace_back(name, VectorColumn::dense(total, dim, std::move(doubles)));
  }
  return Frame(std::move(cols));
}

}  // namespace td::tuning
