// include/thunderdome/feature/hashing_tf.h
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "thunderdome/pipeline/stage.h"

namespace td {

/// Maps a sequence of terms to term frequencies with the hashing trick, with indices identical
/// to Spark 3's HashingTF (MurmurHash3 x86_32 of the UTF-8 bytes, seed 42, non-negative modulo).
class HashingTF final : public Transformer {
 public:
  HashingTF();
  explicit HashingTF(std::string uid);
  [[nodiscard]] std::string className() const override { return "HashingTF"; }

  HashingTF& setInputCol(const std::string& v) { set("inputCol", v); return *this; }
  HashingTF& setOutputCol(const std::string& v) { set("outputCol", v); return *this; }
  HashingTF& setNumFeatures(std::int64_t v) { set("numFeatures", v); return *this; }
  HashingTF& setBinary(bool v) { set("binary", v); return *this; }
  [[nodiscard]] std::string getInputCol() const { return getString("inputCol"); }
  [[nodiscard]] std::string getOutputCol() const { return getString("outputCol"); }
  [[nodiscard]] std::int64_t getNumFeatures() const { return getInt("numFeatures"); }
  [[nodiscard]] bool getBinary() const { return getBool("binary"); }

  /// The index of one term: nonNegativeMod(murmur3(utf8 bytes, 42), numFeatures).
  [[nodiscard]] std::int64_t indexOf(std::string_view term) const;

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool isRowWise() const override { return true; }
  [[nodiscard]] std::shared_ptr<PipelineStage> copyStage(const ParamMap& extra) const override {
    return copyWithExtra(*this, extra);
  }
  static const ParamSchema& schema();

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input) const override;
};

}  // namespace td
