// include/thunderdome/feature/count_vectorizer.h
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "thunderdome/core/shared_params.h"
#include "thunderdome/pipeline/stage.h"

namespace td {

/// Learns a vocabulary from token arrays, as Spark 3.5's CountVectorizer: the terms whose
/// document frequency lies in [minDF, maxDF] (absolute counts when >= 1, fractions of the
/// number of documents when < 1), the vocabSize most frequent of them (by total count over the
/// corpus), most frequent first.
class CountVectorizer final : public Estimator {
  TD_CLASS(CountVectorizer, "cntVec", "org.apache.spark.ml.feature.CountVectorizer",
           "Learns a vocabulary of the most frequent terms, to count terms per document")
  TD_SPARK_DIFFERENCES(
      "Same params and defaults (`vocabSize=2^18`, `minDF=1.0`, `maxDF=2^63-1`, `minTF=1.0`, "
      "`binary=false`; >= 1 is a count, < 1 a fraction), the same `maxDF must be >= minDF.` "
      "checks (before and after fractions are turned into counts) and the same vocabulary: "
      "terms with minDF <= df <= maxDF, the vocabSize of them with the largest total counts, in "
      "decreasing count. Spark leaves the order of terms of equal count to its partitioning "
      "(RDD.top); here they are in increasing byte order of the term, so the vocabulary is "
      "deterministic. An empty vocabulary is allowed, as in Spark 3.5 (which logs a warning); "
      "no warning is printed here.")
  TD_SHARED_PARAM(std::string, inputCol, InputCol, shared::inputCol())
  TD_SHARED_PARAM(std::string, outputCol, OutputCol, shared::outputCol())
  TD_PARAM(std::int64_t, vocabSize, VocabSize, "max size of the vocabulary", 1 << 18,
           ParamValidator::gt(0))
  TD_PARAM(double, minDF, MinDF,
           "Specifies the minimum number of different documents a term must appear in to be "
           "included in the vocabulary. If this is an integer >= 1, this specifies the number of "
           "documents the term must appear in; if this is a double in [0,1), then this specifies "
           "the fraction of documents.",
           1.0, ParamValidator::gtEq(0.0))
  TD_PARAM(double, maxDF, MaxDF,
           "Specifies the maximum number of different documents a term could appear in to be "
           "included in the vocabulary. A term that appears more than the threshold will be "
           "ignored. If this is an integer >= 1, this specifies the maximum number of documents "
           "the term could appear in; if this is a double in [0,1), then this specifies the "
           "maximum fraction of documents the term could appear in.",
           9.223372036854775807e18, ParamValidator::gtEq(0.0))
  TD_PARAM(double, minTF, MinTF,
           "Filter to ignore rare words in a document. For each document, terms with "
           "frequency/count less than the given threshold are ignored. If this is an integer >= "
           "1, then this specifies a count (of times the term must appear in the document); if "
           "this is a double in [0,1), then this specifies a fraction (out of the document's "
           "token count). Note that the parameter is only used in transform of "
           "CountVectorizerModel and does not affect fitting.",
           1.0, ParamValidator::gtEq(0.0))
  TD_PARAM(bool, binary, Binary, "If True, all non zero counts are set to 1.", false)

  CountVectorizer();
  explicit CountVectorizer(std::string uid);

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data,
                                               const Context& ctx) const override;
};

/// A fitted CountVectorizer, as Spark's CountVectorizerModel: each token array becomes a sparse
/// vector of vocabulary size holding the count of every vocabulary term in it (terms counted
/// fewer than minTF times dropped; 1.0 instead of the count when binary).
class CountVectorizerModel final : public Model {
  TD_MODEL_CLASS(CountVectorizerModel, CountVectorizer, "cntVec",
                 "org.apache.spark.ml.feature.CountVectorizerModel",
                 "A fitted CountVectorizer: counts vocabulary terms per document")
  TD_SPARK_DIFFERENCES(
      "Spark's `vocabulary` is `vocabulary()`; Spark's `new CountVectorizerModel(vocabulary)` "
      "(and PySpark's `from_vocabulary`) is `CountVectorizerModel::fromVocabulary`, which sets "
      "vocabSize to the vocabulary's length as Spark does. minTF < 1 is a fraction of the "
      "document's token count (all tokens, in the vocabulary or not), as in Spark.")

  /// A model with its vocabulary (term i is feature i).
  CountVectorizerModel(std::string uid, std::vector<std::string> vocabulary);
  /// An empty model (what loading starts from).
  explicit CountVectorizerModel(std::string uid);
  /// A model over a given vocabulary with a random uid and vocabSize = its length (Spark's
  /// `new CountVectorizerModel(vocabulary)`); throws ParamError on an empty vocabulary as Spark.
  [[nodiscard]] static std::shared_ptr<CountVectorizerModel> fromVocabulary(
      std::vector<std::string> vocabulary);

  /// The vocabulary: term i is feature i.
  [[nodiscard]] const std::vector<std::string>& vocabulary() const { return dict_->terms; }
  /// The vector dimension of the output (the vocabulary's length).
  [[nodiscard]] std::int64_t vocabularySize() const {
    return static_cast<std::int64_t>(dict_->terms.size());
  }

  TD_MODEL_PARAM(inputCol, InputCol)
  TD_MODEL_PARAM(outputCol, OutputCol)
  TD_MODEL_PARAM(minTF, MinTF)
  TD_MODEL_PARAM(binary, Binary)
  /// The vocabSize the model was fitted with (Spark's model has no setter for it).
  [[nodiscard]] std::int64_t getVocabSize() const { return get(CountVectorizer::vocabSize); }
  /// The minDF the model was fitted with.
  [[nodiscard]] double getMinDF() const { return get(CountVectorizer::minDF); }
  /// The maxDF the model was fitted with.
  [[nodiscard]] double getMaxDF() const { return get(CountVectorizer::maxDF); }

  [[nodiscard]] Schema transformSchema(const Schema& input) const override;
  [[nodiscard]] bool isRowWise() const override { return true; }
  /// vocabularySize.
  [[nodiscard]] std::vector<StateItem> stateSummary() const override;
  /// The vocabulary (metadata field "vocabulary", a list of its terms) and its size.
  void saveState(StateWriter& out) const override;
  /// Reads what saveState wrote, checking the size.
  void loadState(const StateReader& in) override;

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& input, const Context& ctx) const override;

 private:
  // The vocabulary and an open-addressing index over it: each slot holds a term's hash tag
  // (high 32 bits) and its index + 1 (low 32 bits; 0 = empty), so a lookup touches one array
  // and compares the text only when the tags agree.
  struct Dictionary {
    std::vector<std::string> terms;
    std::vector<std::uint64_t> slots;
    std::uint64_t mask = 0;
    /// The index of `t`, or -1.
    [[nodiscard]] std::int32_t find(std::string_view t) const;
  };
  static std::shared_ptr<const Dictionary> makeDictionary(std::vector<std::string> terms);
  std::shared_ptr<const Dictionary> dict_;  // shared between copies
};

}  // namespace td
