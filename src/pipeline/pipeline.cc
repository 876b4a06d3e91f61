// src/pipeline/pipeline.cc
#include "thunderdome/pipeline/pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <numeric>
#include <set>

#include "thunderdome/core/parallel.h"

namespace td {

namespace {
using Names = std::set<std::string, std::less<>>;

// Rows per block when consecutive row-wise stages run block by block (a power of two, so that
// vector outputs are kept as chunks).
constexpr std::int64_t kStreamRows = 1 << 15;

// `f` with only the columns named in `keep` (in f's order).
Frame keepColumns(const Frame& f, const Names& keep) {
  std::vector<std::string> names;
  for (const auto& field : f.schema().fields())
    if (keep.contains(field.name)) names.push_back(field.name);
  return names.size() == f.numColumns() ? f : f.select(names);
}

// `run` (row-wise transformers) applied to `input`, keeping the columns named in `keep`. Two
// or more stages over more than one block of rows run block by block, as Spark's pipelined
// stages do: a block goes through every stage and only the new columns in `keep` are kept and
// assembled, so the intermediate columns of the run never exist for all rows at once.
Frame applyRun(const std::vector<const Transformer*>& run, const Frame& input, const Names& keep,
               const Context& ctx) {
  if (run.size() < 2 || input.numRows() <= kStreamRows) {
    Frame f = input;
    for (const Transformer* t : run) f = t->transform(f, ctx);
    return keepColumns(f, keep);
  }
  // Every stage's schema error before any work; the columns the run makes that are kept.
  Schema s = input.schema();
  Names reads;
  for (const Transformer* t : run) {
    s = t->transformSchema(s);
    for (auto& c : t->columnsRead()) reads.insert(std::move(c));
  }
  std::vector<std::string> made;
  for (const auto& f : s.fields())
    if (keep.contains(f.name) && !input.schema().contains(f.name)) made.push_back(f.name);
  const Frame source = keepColumns(input, reads);
  if (source.numColumns() == 0) {  // nothing to cut into blocks
    Frame f = input;
    for (const Transformer* t : run) f = t->transform(f, ctx);
    return keepColumns(f, keep);
  }
  // Blocks run in parallel (each stage also runs in parallel within a block); the first
  // failing block's error, in row order, is the one reported.
  const std::int64_t numBlocks = parallel::numBlocks(input.numRows(), kStreamRows);
  std::vector<std::vector<ColumnPtr>> parts(made.size(),
                                            std::vector<ColumnPtr>(static_cast<std::size_t>(numBlocks)));
  std::vector<std::exception_ptr> failed(static_cast<std::size_t>(numBlocks));
  // Blocks after a failed one are skipped; those before it still run, so that an earlier
  // error (blocks need not start in order) is the one reported.
  std::atomic<std::int64_t> firstFailed{numBlocks};
  const auto& fields = source.schema().fields();
  parallel::forBlocks(input.numRows(), kStreamRows, [&](std::int64_t b, std::int64_t begin,
                                                        std::int64_t end) {
    if (b > firstFailed.load(std::memory_order_relaxed)) return;
    try {
      std::vector<std::int64_t> rows(static_cast<std::size_t>(end - begin));
      std::iota(rows.begin(), rows.end(), begin);
      std::vector<std::pair<std::string, ColumnPtr>> cols;
      cols.reserve(fields.size());
      for (const auto& f : fields) cols.emplace_back(f.name, source.column(f.name)->take(rows));
      // Errors name rows as in the whole frame: by line, else by index (from `begin`).
      auto origins = std::make_shared<RowOrigins>();
      if (const auto& o = source.origins(); o && !o->line.empty()) {
        origins->sources = o->sources;
        origins->line.assign(o->line.begin() + begin, o->line.begin() + end);
        if (!o->source.empty())
          origins->source.assign(o->source.begin() + begin, o->source.begin() + end);
      }
      origins->firstRow = begin + (source.origins() ? source.origins()->firstRow : 0);
      Frame block = Frame(std::move(cols)).withOrigins(std::move(origins));
      for (const Transformer* t : run) block = t->transform(block, ctx);
      for (std::size_t k = 0; k < made.size(); ++k)
        parts[k][static_cast<std::size_t>(b)] = block.column(made[k]);
    } catch (...) {
      failed[static_cast<std::size_t>(b)] = std::current_exception();
      std::int64_t seen = firstFailed.load();
      while (b < seen && !firstFailed.compare_exchange_weak(seen, b)) {
      }
    }
  });
  for (const auto& e : failed)
    if (e) std::rethrow_exception(e);
  Frame out = keepColumns(input, keep);
  for (std::size_t k = 0; k < made.size(); ++k) {
    out = out.withColumn(made[k], concatRows(parts[k]));
    parts[k].clear();
  }
  return out;
}

// The stages from `from` on that can join a run: transformers (not estimators) that are
// row-wise, up to `limit` (exclusive).
template <class Stage>
std::size_t runEnd(const std::vector<std::shared_ptr<Stage>>& stages, std::size_t from,
                   std::size_t limit) {
  std::size_t k = from;
  while (k < limit && !stages[k]->isEstimator() &&
         std::static_pointer_cast<Transformer>(stages[k])->isRowWise())
    ++k;
  return k;
}
}  // namespace

Pipeline::Pipeline(std::vector<std::shared_ptr<PipelineStage>> stages)
    : Pipeline(randomUid(kUidPrefix), std::move(stages)) {}

Pipeline::Pipeline(std::string uid, std::vector<std::shared_ptr<PipelineStage>> stages)
    : Estimator(std::move(uid), schema()) {
  setStages(std::move(stages));
}

Pipeline& Pipeline::setStages(std::vector<std::shared_ptr<PipelineStage>> stages) {
  std::set<const PipelineStage*> seen;
  std::set<std::string> uids;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    if (!stages[i]) throw ParamError(fmt::format("{}: stage {} is null", describe(), i));
    if (!seen.insert(stages[i].get()).second)
      throw ParamError(fmt::format("{}: stage {} ({}) appears more than once", describe(), i,
                                   stages[i]->describe()));
    if (!uids.insert(stages[i]->uid()).second)
      throw ParamError(fmt::format("{}: two stages share the uid '{}'", describe(),
                                   stages[i]->uid()));
  }
  stages_ = std::move(stages);
  return *this;
}

std::shared_ptr<PipelineStage> Pipeline::findStage(std::string_view uid) const {
  for (const auto& s : stages_)
    if (s->uid() == uid) return s;
  return nullptr;
}

Schema Pipeline::transformSchema(const Schema& input) const {
  Schema s = input;
  for (const auto& st : stages_) s = st->transformSchema(s);
  return s;
}

std::shared_ptr<PipelineStage> Pipeline::copyStage(const ParamMap& extra) const {
  std::vector<std::shared_ptr<PipelineStage>> copies;
  copies.reserve(stages_.size());
  for (const auto& st : stages_) copies.push_back(st->copyStage(extra));
  auto p = std::make_shared<Pipeline>(uid(), std::move(copies));
  p->applyParamMap(extra);
  return p;
}

std::shared_ptr<Model> Pipeline::fitImpl(const Frame& data, const Context& ctx) const {
  // Index of the last estimator: stages after it are not executed during fit.
  std::ptrdiff_t last = -1;
  for (std::size_t i = 0; i < stages_.size(); ++i)
    if (stages_[i]->isEstimator()) last = static_cast<std::ptrdiff_t>(i);

  // readLater[i]: the columns stages after i read; a transformed frame keeps only those, so
  // a column no later stage needs is released as soon as it has been used.
  std::vector<Names> readLater(stages_.size());
  for (std::size_t i = stages_.size(); i-- > 1;) {
    readLater[i - 1] = readLater[i];
    for (auto& c : stages_[i]->columnsRead()) readLater[i - 1].insert(std::move(c));
  }
  Frame current = data;
  std::vector<std::shared_ptr<Transformer>> fitted;
  for (std::size_t i = 0; i < stages_.size(); ++i) {
    const auto& st = stages_[i];
    std::shared_ptr<Transformer> t;
    if (st->isEstimator()) {
      t = std::static_pointer_cast<Estimator>(st)->fit(current, ctx);
    } else {
      t = std::static_pointer_cast<Transformer>(st);
    }
    fitted.push_back(t);
    if (static_cast<std::ptrdiff_t>(i) == last) current = Frame();
    if (static_cast<std::ptrdiff_t>(i) >= last) continue;
    // This stage and the row-wise transformers after it (before the next estimator) run
    // together, block by block when they are several.
    std::vector<const Transformer*> run{t.get()};
    const std::size_t end = t->isRowWise() ? runEnd(stages_, i + 1, static_cast<std::size_t>(last)) : i + 1;
    for (std::size_t k = i + 1; k < end; ++k) {
      fitted.push_back(std::static_pointer_cast<Transformer>(stages_[k]));
      run.push_back(fitted.back().get());
    }
    current = applyRun(run, current, readLater[end - 1], ctx);
    i = end - 1;
  }
  return std::make_shared<PipelineModel>(uid(), std::move(fitted));
}

void Pipeline::saveState(StateWriter& out) const { out.putStages(stages_); }

void Pipeline::loadState(const StateReader& in) { setStages(in.getStages()); }

PipelineModel::PipelineModel(std::string uid, std::vector<std::shared_ptr<Transformer>> stages)
    : Model(std::move(uid), schema()), stages_(std::move(stages)) {}

Schema PipelineModel::transformSchema(const Schema& input) const {
  Schema s = input;
  for (const auto& st : stages_) s = st->transformSchema(s);
  return s;
}

std::shared_ptr<PipelineStage> PipelineModel::copyStage(const ParamMap& extra) const {
  std::vector<std::shared_ptr<Transformer>> copies;
  for (const auto& st : stages_)
    copies.push_back(std::static_pointer_cast<Transformer>(st->copyStage(extra)));
  return std::make_shared<PipelineModel>(uid(), std::move(copies));
}

Frame PipelineModel::transformImpl(const Frame& input, const Context& ctx) const {
  Frame current = input;
  for (const auto& st : stages_) current = st->transform(current, ctx);
  return current;
}

Frame PipelineModel::transformSelect(Frame input, const std::vector<std::string>& columns,
                                     const Context& ctx) const {
  // Every stage's error, and an unknown output column, before any work.
  const Schema out = transformSchema(input.schema());
  for (const auto& c : columns) (void)out.field(c);
  // live[i]: the columns wanted once stages [0, i) have run.
  std::vector<Names> live(stages_.size() + 1);
  live.back().insert(columns.begin(), columns.end());
  for (std::size_t i = stages_.size(); i-- > 0;) {
    live[i] = live[i + 1];
    for (auto& c : stages_[i]->columnsRead()) live[i].insert(std::move(c));
  }
  Frame current = keepColumns(input, live[0]);
  input = Frame();  // the caller's columns that no stage reads go now
  for (std::size_t i = 0; i < stages_.size();) {
    // A stage alone, or a run of row-wise ones (block by block).
    const std::size_t end = stages_[i]->isRowWise() ? std::max(runEnd(stages_, i, stages_.size()), i + 1) : i + 1;
    std::vector<const Transformer*> run;
    for (std::size_t k = i; k < end; ++k) run.push_back(stages_[k].get());
    current = applyRun(run, current, live[end], ctx);
    i = end;
  }
  return current.select(columns);
}

void PipelineModel::saveState(StateWriter& out) const { out.putStages(subStages()); }

void PipelineModel::loadState(const StateReader& in) {
  std::vector<std::shared_ptr<Transformer>> ts;
  for (auto& s : in.getStages()) {
    if (s->isEstimator())
      in.fail(fmt::format("stage {} of a PipelineModel is not a Transformer", s->describe()));
    ts.push_back(std::static_pointer_cast<Transformer>(s));
  }
  stages_ = std::move(ts);
}

}  // namespace td
