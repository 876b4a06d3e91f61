// include/thunderdome/pipeline/pipeline.h
#pragma once

#include <memory>
#include <vector>

#include "thunderdome/pipeline/stage.h"

namespace td {

class PipelineModel;

/// A sequence of stages fitted in order (Spark's Pipeline).
class Pipeline final : public Estimator {
  TD_CLASS(Pipeline, "pipeline", "org.apache.spark.ml.Pipeline",
           "A sequence of stages fitted in order: estimators are fitted, transformers applied")

  explicit Pipeline(std::vector<std::shared_ptr<PipelineStage>> stages = {});
  Pipeline(std::string uid, std::vector<std::shared_ptr<PipelineStage>> stages);
  /// An empty pipeline (what loading starts from).
  explicit Pipeline(std::string uid) : Pipeline(std::move(uid), {}) {}

  Pipeline& setStages(std::vector<std::shared_ptr<PipelineStage>> stages);
  [[nodiscard]] const std::vector<std::shared_ptr<PipelineStage>>& getStages() const {
    return stages_;
  }
  /// The stage with uid `uid`, or null.
  [[nodiscard]] std::shared_ptr<PipelineStage> findStage(std::string_view uid) const;

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  /// Copies every stage with `extra` (so a ParamMap can reach any stage by uid).
  [[nodiscard]] std::shared_ptr<PipelineStage> copyStage(const ParamMap& extra) const override;
  [[nodiscard]] std::vector<std::shared_ptr<PipelineStage>> subStages() const override {
    return stages_;
  }
  /// Its estimators are checked one by one (checkDataParallel).
  [[nodiscard]] bool supportsDataParallel() const override { return true; }
  void saveState(StateWriter& out) const override;
  void loadState(const StateReader& in) override;

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data, const Context& ctx) const override;

 private:
  std::vector<std::shared_ptr<PipelineStage>> stages_;
};

/// The fitted pipeline: transformers applied in order (Spark's PipelineModel).
class PipelineModel final : public Model {
  TD_CLASS(PipelineModel, "pipeline", "org.apache.spark.ml.PipelineModel",
           "A fitted Pipeline: its transformers and fitted models applied in order")

  PipelineModel(std::string uid, std::vector<std::shared_ptr<Transformer>> stages);
  /// An empty model (what loading starts from).
  explicit PipelineModel(std::string uid) : PipelineModel(std::move(uid), {}) {}
  [[nodiscard]] const std::vector<std::shared_ptr<Transformer>>& stages() const {
    return stages_;
  }
  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] std::shared_ptr<PipelineStage> copyStage(const ParamMap& extra) const override;
  [[nodiscard]] std::vector<std::shared_ptr<PipelineStage>> subStages() const override {
    return {stages_.begin(), stages_.end()};
  }
  void saveState(StateWriter& out) const override;
  void loadState(const StateReader& in) override;
  /// Runs the stages in order and, after each, drops the columns that no later stage reads
  /// (columnsRead) and `columns` do not name; returns `columns`.
  [[nodiscard]] Frame transformSelect(Frame input, const std::vector<std::string>& columns,
                                      const Context& ctx = {}) const override;

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;

 private:
  std::vector<std::shared_ptr<Transformer>> stages_;
};

}  // namespace td
