// include/thunderdome/pipeline/pipeline.h
#pragma once

#include <memory>
#include <vector>

#include "thunderdome/pipeline/stage.h"

namespace td {

class PipelineModel;

/// A sequence of stages fitted in order (Spark's Pipeline).
class Pipeline final : public Estimator {
 public:
  explicit Pipeline(std::vector<std::shared_ptr<PipelineStage>> stages = {});
  Pipeline(std::string uid, std::vector<std::shared_ptr<PipelineStage>> stages);
  [[nodiscard]] std::string className() const override { return "Pipeline"; }

  Pipeline& setStages(std::vector<std::shared_ptr<PipelineStage>> stages);
  [[nodiscard]] const std::vector<std::shared_ptr<PipelineStage>>& getStages() const {
    return stages_;
  }
  /// The stage with uid `uid`, or null.
  [[nodiscard]] std::shared_ptr<PipelineStage> findStage(std::string_view uid) const;

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  /// Copies every stage with `extra` (so a ParamMap can reach any stage by uid).
  [[nodiscard]] std::shared_ptr<PipelineStage> copyStage(const ParamMap& extra) const override;

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data) const override;

 private:
  std::vector<std::shared_ptr<PipelineStage>> stages_;
};

/// The fitted pipeline: transformers applied in order (Spark's PipelineModel).
class PipelineModel final : public Model {
 public:
  PipelineModel(std::string uid, std::vector<std::shared_ptr<Transformer>> stages);
  [[nodiscard]] std::string className() const override { return "PipelineModel"; }
  [[nodiscard]] const std::vector<std::shared_ptr<Transformer>>& stages() const {
    return stages_;
  }
  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] std::shared_ptr<PipelineStage> copyStage(const ParamMap& extra) const override;

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input) const override;

 private:
  std::vector<std::shared_ptr<Transformer>> stages_;
};

/// Makes `stage` fit data-parallel over `comm`'s ranks (see DataParallelFittable): sets the
/// communicator on the stage itself or, for a Pipeline, on each of its stages, recursively.
/// Transformers need nothing (they are row-wise); an estimator that cannot fit data-parallel
/// throws td::ParamError naming it.
void enableDataParallel(PipelineStage& stage, const std::shared_ptr<dist::Communicator>& comm);

}  // namespace td
