// include/thunderdome/core/state.h
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace td {

class Params;
class ParamMap;
class PipelineStage;
class Evaluator;

/// Where a class writes what it learned (and the stages it holds) when it is saved: fields of
/// its metadata.json, binary arrays under data/, nested stages in sub-directories. Implemented by
/// the model store (td_persist); a class only calls it from its saveState.
class StateWriter {
 public:
  virtual ~StateWriter() = default;
  /// A metadata field holding an integer.
  virtual void putInt(std::string_view key, std::int64_t v) = 0;
  /// A metadata field holding a double (NaN and ±Inf kept as "NaN", "Inf", "-Inf").
  virtual void putDouble(std::string_view key, double v) = 0;
  /// A metadata field holding a string.
  virtual void putString(std::string_view key, std::string_view v) = 0;
  /// A metadata field holding an array of doubles.
  virtual void putDoubles(std::string_view key, const std::vector<double>& v) = 0;
  /// A metadata field holding an array of arrays of doubles.
  virtual void putDoubleRows(std::string_view key, const std::vector<std::vector<double>>& v) = 0;
  /// A metadata field holding an array of arrays of strings (e.g. StringIndexer's labels).
  virtual void putStringRows(std::string_view key,
                             const std::vector<std::vector<std::string>>& v) = 0;
  /// A binary little-endian array data/<name>.f64le, listed in the metadata's "data" field.
  virtual void putArray(std::string_view name, const std::vector<double>& v) = 0;
  /// Param maps in Spark's estimatorParamMaps form ([{parent, name, value, isJson}, ...]).
  virtual void putParamMaps(std::string_view key, const std::vector<ParamMap>& maps) = 0;
  /// A nested stage saved whole in sub-directory `dir`.
  virtual void putStage(std::string_view dir, const PipelineStage& stage) = 0;
  /// A nested evaluator saved in sub-directory `dir`.
  virtual void putEvaluator(std::string_view dir, const Evaluator& evaluator) = 0;
  /// A sequence of stages, as Spark's Pipeline saves them: "stageUids" plus stages/NN_uid/.
  virtual void putStages(const std::vector<std::shared_ptr<PipelineStage>>& stages) = 0;
};

/// Reads back what a class's saveState wrote; every getter throws IoError naming the saved
/// file and the field when it is missing or malformed.
class StateReader {
 public:
  virtual ~StateReader() = default;
  /// Whether the saved state has `key` (for fields added in a later version of a stage).
  [[nodiscard]] virtual bool has(std::string_view key) const = 0;
  [[nodiscard]] virtual std::int64_t getInt(std::string_view key) const = 0;
  [[nodiscard]] virtual double getDouble(std::string_view key) const = 0;
  [[nodiscard]] virtual std::string getString(std::string_view key) const = 0;
  [[nodiscard]] virtual std::vector<double> getDoubles(std::string_view key) const = 0;
  [[nodiscard]] virtual std::vector<std::vector<double>> getDoubleRows(std::string_view key) const = 0;
  [[nodiscard]] virtual std::vector<std::vector<std::string>> getStringRows(
      std::string_view key) const = 0;
  [[nodiscard]] virtual std::vector<double> getArray(std::string_view name) const = 0;
  /// Param maps whose owners are `estimator`, stages nested in it, or `evaluator` (by uid).
  [[nodiscard]] virtual std::vector<ParamMap> getParamMaps(std::string_view key,
                                                           const PipelineStage& estimator,
                                                           const Params& evaluator) const = 0;
  [[nodiscard]] virtual std::shared_ptr<PipelineStage> getStage(std::string_view dir) const = 0;
  [[nodiscard]] virtual std::shared_ptr<Evaluator> getEvaluator(std::string_view dir) const = 0;
  [[nodiscard]] virtual std::vector<std::shared_ptr<PipelineStage>> getStages() const = 0;
  /// Throws IoError prefixed with the saved file's name: for checks of the state read.
  [[noreturn]] virtual void fail(const std::string& message) const = 0;
};

}  // namespace td
