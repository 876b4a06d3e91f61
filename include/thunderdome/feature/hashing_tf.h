// include/thunderdome/feature/hashing_tf.h
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// Maps a sequence of terms to term frequencies with the hashing trick, with indices identical
/// to Spark 3's HashingTF (MurmurHash3 x86_32 of the UTF-8 bytes, seed 42, non-negative modulo).
class HashingTF final : public Transformer {
  TD_CLASS(HashingTF, "hashingTF", "org.apache.spark.ml.feature.HashingTF",
           "Maps terms to term frequencies with Spark 3's hashing trick (MurmurHash3, seed 42)")
  TD_SPARK_DIFFERENCES(
      "Indices identical to Spark 3 (MurmurHash3 x86_32 of the UTF-8 bytes, seed 42); "
      "`numFeatures` default 2^18, `binary`. Spark 2's legacy hash is available as "
      "`td::murmur3_x86_32_legacy`.")
  TD_SHARED_PARAM(std::string, inputCol, InputCol, shared::inputCol())
  TD_SHARED_PARAM(std::string, outputCol, OutputCol, shared::outputCol())
  TD_SHARED_PARAM(std::int64_t, numFeatures, NumFeatures, shared::numFeatures())
  TD_PARAM(bool, binary, Binary,
           "If true, all non zero counts are set to 1. This is useful for discrete probabilistic "
           "models that model binary events rather than integer counts",
           false)

  HashingTF();
  explicit HashingTF(std::string uid);

  /// The index of one term: nonNegativeMod(murmur3(utf8 bytes, 42), numFeatures).
  [[nodiscard]] std::int64_t indexOf(std::string_view term) const;

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool isRowWise() const override { return true; }
  /// True when `from` is a HashingTF with the same inputCol, outputCol and binary whose
  /// numFeatures is a multiple of this one's: nonNegativeMod(h, m) equals
  /// nonNegativeMod(nonNegativeMod(h, M), m) when m divides M.
  [[nodiscard]] bool derivesFrom(const Transformer& from) const override;
  /// Folds `from`'s vectors: index i becomes i mod numFeatures, the counts of indices that
  /// meet added (binary: 1), indices sorted per row: bit for bit this stage's transform.
  [[nodiscard]] ColumnPtr deriveOutput(const Transformer& from,
                                       const ColumnPtr& fromOutput) const override;

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;
};

}  // namespace td
