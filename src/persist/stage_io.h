// src/persist/stage_io.h — internal: per-class serialization of stages into a FileTree.
#pragma once

#include <memory>
#include <string>

#include "thunderdome/evaluation/evaluator.h"
#include "thunderdome/persist/persist.h"
#include "thunderdome/pipeline/stage.h"

namespace td::persist {

/// Writes `stage` (and everything nested in it) under `prefix` ("" or "dir/").
void writeStage(const PipelineStage& stage, const std::string& prefix, FileTree& out);
/// Reads the stage stored under `prefix`; `source` names the model in errors.
std::shared_ptr<PipelineStage> readStage(const FileTree& files, const std::string& prefix,
                                         const std::string& source);
/// Reads any registered class's instance (a stage or an evaluator) stored under `prefix`.
std::shared_ptr<Params> readStageLike(const FileTree& files, const std::string& prefix,
                                      const std::string& source);
/// Writes any registered class's instance (params, then its saveState) under `prefix`.
void writeStageLike(const Params& p, const std::string& prefix, FileTree& out);
/// Writes an evaluator under `prefix`.
void writeEvaluator(const Evaluator& ev, const std::string& prefix, FileTree& out);
/// Reads the evaluator stored under `prefix`.
std::shared_ptr<Evaluator> readEvaluator(const FileTree& files, const std::string& prefix,
                                         const std::string& source);

}  // namespace td::persist
