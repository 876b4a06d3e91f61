// tests/evaluation/binary_classification_evaluator_test.cc
#include "thunderdome/evaluation/binary_classification_evaluator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "thunderdome/core/error.h"

namespace td {
namespace {

using ::testing::HasSubstr;

Frame scored(const std::vector<double>& scores, const std::vector<double>& labels) {
  return Frame({{"rawPrediction", makeDoubleColumn(scores)}, {"label", makeDoubleColumn(labels)}});
}

double metric(const std::vector<double>& scores, const std::vector<double>& labels,
              const std::string& name) {
  BinaryClassificationEvaluator ev;
  ev.setMetricName(name);
  return ev.evaluate(scored(scores, labels));
}

struct Vector {
  std::vector<double> scores, labels;
  double auroc, aupr;
};

// ../shared/reference/spark-ml-semantics.md §4 (first row is the pyspark doctest).
const Vector kVectors[] = {
    {{0.1, 0.1, 0.4, 0.6, 0.6, 0.6, 0.8}, {0, 1, 0, 0, 1, 1, 1}, 0.70833333333333326, 0.83392857142857141},
    {{0.9, 0.8, 0.7, 0.6, 0.5, 0.4}, {1, 1, 0, 1, 0, 0}, 0.888889, 0.902778},
    {{0.9, 0.8, 0.8, 0.3, 0.1}, {1, 0, 1, 0, 1}, 0.583333, 0.794444},
    {{0.5, 0.5, 0.5, 0.5}, {1, 0, 1, 0}, 0.5, 0.5},
    {{0.1, 0.2, 0.8, 0.9}, {1, 1, 0, 0}, 0.0, 0.291667},
};

TEST(BinaryClassificationEvaluatorTest, SparkReferenceVectors) {
  for (const auto& v : kVectors) {
    EXPECT_NEAR(metric(v.scores, v.labels, "areaUnderROC"), v.auroc, 1e-6);
    EXPECT_NEAR(metric(v.scores, v.labels, "areaUnderPR"), v.aupr, 1e-6);
  }
}

TEST(BinaryClassificationEvaluatorTest, PysparkDoctestExactDigits) {
  // pyspark: 0.70... and 0.83... from BinaryClassificationEvaluator's doctest.
  const auto& v = kVectors[0];
  EXPECT_DOUBLE_EQ(metric(v.scores, v.labels, "areaUnderROC"), 17.0 / 24.0);
}

TEST(BinaryClassificationEvaluatorTest, HandComputedAucWithTies) {
  // Mann-Whitney by hand: positives {0.9,0.8,0.1}, negatives {0.8,0.3}:
  // pairs won: 0.9>0.8,0.9>0.3, 0.8=0.8 (1/2), 0.8>0.3, 0.1 loses both -> 3.5/6.
  EXPECT_DOUBLE_EQ(metric({0.9, 0.8, 0.8, 0.3, 0.1}, {1, 0, 1, 0, 1}, "areaUnderROC"), 3.5 / 6.0);
}

TEST(BinaryClassificationEvaluatorTest, UsesElementOneOfRawPredictionVector) {
  // rawPrediction vectors [-m, m]: the score is m.
  auto raw = VectorColumn::dense(4, 2, {-0.1, 0.1, -0.9, 0.9, -0.4, 0.4, -0.7, 0.7});
  const Frame f({{"rawPrediction", raw}, {"label", makeDoubleColumn({0, 1, 0, 1})}});
  BinaryClassificationEvaluator ev;
  EXPECT_EQ(ev.getMetricName(), "areaUnderROC");
  EXPECT_TRUE(ev.isLargerBetter());
  EXPECT_DOUBLE_EQ(ev.evaluate(f), 1.0);
}

TEST(BinaryClassificationEvaluatorTest, WeightsCountAsRepeatedRows) {
  const Frame weighted({{"rawPrediction", makeDoubleColumn({0.9, 0.5, 0.2})},
                        {"label", makeDoubleColumn({1, 0, 1})},
                        {"w", makeDoubleColumn({1, 1, 2})}});
  BinaryClassificationEvaluator ev;
  ev.setWeightCol("w");
  EXPECT_DOUBLE_EQ(ev.evaluate(weighted),
                   metric({0.9, 0.5, 0.2, 0.2}, {1, 0, 1, 1}, "areaUnderROC"));
}

TEST(BinaryClassificationEvaluatorTest, NumBinsDownSamplesLikeSpark) {
  std::vector<double> s, l;
  for (int i = 0; i < 5000; ++i) {
    s.push_back(i / 5000.0);
    l.push_back((i * 7919) % 3 == 0 ? 1 : 0);
  }
  BinaryClassificationEvaluator exact, binned;
  binned.setNumBins(1000);
  const double a = exact.evaluate(scored(s, l));
  const double b = binned.evaluate(scored(s, l));
  EXPECT_NEAR(a, b, 1e-3);
  const auto c = binaryCurves(s, l, {}, 1000);
  EXPECT_EQ(c.thresholds.size(), 1000u);  // 5000 distinct scores / grouping 5
}

TEST(BinaryClassificationEvaluatorTest, ErrorsNameColumnAndValue) {
  BinaryClassificationEvaluator ev;
  try {
    (void)ev.evaluate(scored({0.1, 0.2}, {1, 1}));
    FAIL();
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("single class"));
    EXPECT_THAT(e.what(), HasSubstr("'label'"));
  }
  EXPECT_THROW((void)ev.evaluate(scored({}, {})), DataError);
  EXPECT_THROW((void)ev.evaluate(scored({0.1, std::nan("")}, {1, 0})), DataError);
  const Frame noRaw({{"score", makeDoubleColumn({0.1})}, {"label", makeDoubleColumn({1})}});
  try {
    (void)ev.evaluate(noRaw);
    FAIL();
  } catch (const ColumnError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'rawPrediction' does not exist (available: score, label)"));
  }
  EXPECT_THROW(ev.setMetricName("accuracy"), ParamError);
}

}  // namespace
}  // namespace td
