// tests/evaluation/multiclass_classification_evaluator_test.cc
#include "thunderdome/evaluation/multiclass_classification_evaluator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "thunderdome/core/error.h"
#include "thunderdome/io/csv.h"
#include "../testing/io_helpers.h"

namespace td {
namespace {

using ::testing::HasSubstr;
using td::testing::messageOf;

// Spark's MulticlassMetricsSuite: (prediction, label) pairs whose confusion matrix (rows are
// labels, columns predictions) is [[2, 1, 1], [1, 3, 0], [0, 0, 1]].
Frame sparkSuite(std::vector<double> weights = {}) {
  const std::vector<double> prediction{0, 0, 0, 1, 1, 1, 1, 2, 2};
  const std::vector<double> label{0, 1, 0, 0, 1, 1, 1, 2, 0};
  if (weights.empty()) weights.assign(prediction.size(), 1.0);
  return Frame({{"prediction", makeDoubleColumn(prediction)},
                {"label", makeDoubleColumn(label)},
                {"w", makeDoubleColumn(weights)}});
}

double metric(const std::string& name, double metricLabel = 0.0, double beta = 1.0,
              const Frame& f = sparkSuite()) {
  MulticlassClassificationEvaluator e;
  e.setMetricName(name).setMetricLabel(metricLabel).setBeta(beta);
  return e.evaluate(f);
}

TEST(MulticlassClassificationEvaluator, SparksMulticlassMetricsSuite) {
  const double tp[] = {2.0 / 4, 3.0 / 4, 1.0 / 1};   // recall = true positive rate
  const double fp[] = {1.0 / 5, 1.0 / 5, 1.0 / 8};   // false positive rate
  const double pr[] = {2.0 / 3, 3.0 / 4, 1.0 / 2};   // precision
  const double share[] = {4.0 / 9, 4.0 / 9, 1.0 / 9};
  const auto f = [&](int k, double beta) {
    const double b2 = beta * beta;
    return (1 + b2) * pr[k] * tp[k] / (b2 * pr[k] + tp[k]);
  };
  for (int k = 0; k < 3; ++k) {
    EXPECT_DOUBLE_EQ(metric("truePositiveRateByLabel", k), tp[k]);
    EXPECT_DOUBLE_EQ(metric("recallByLabel", k), tp[k]);
    EXPECT_DOUBLE_EQ(metric("falsePositiveRateByLabel", k), fp[k]);
    EXPECT_DOUBLE_EQ(metric("precisionByLabel", k), pr[k]);
    EXPECT_DOUBLE_EQ(metric("fMeasureByLabel", k), f(k, 1.0));
    EXPECT_DOUBLE_EQ(metric("fMeasureByLabel", k, 2.0), f(k, 2.0));
  }
  double wr = 0, wp = 0, wfp = 0, wf1 = 0, wf2 = 0;
  for (int k = 0; k < 3; ++k) {
    wr += tp[k] * share[k];
    wp += pr[k] * share[k];
    wfp += fp[k] * share[k];
    wf1 += f(k, 1.0) * share[k];
    wf2 += f(k, 2.0) * share[k];
  }
  EXPECT_DOUBLE_EQ(metric("accuracy"), 6.0 / 9);
  EXPECT_DOUBLE_EQ(metric("weightedRecall"), wr);
  EXPECT_DOUBLE_EQ(metric("weightedTruePositiveRate"), wr);
  EXPECT_DOUBLE_EQ(metric("weightedPrecision"), wp);
  EXPECT_DOUBLE_EQ(metric("weightedFalsePositiveRate"), wfp);
  EXPECT_DOUBLE_EQ(metric("weightedFMeasure"), wf1);
  EXPECT_DOUBLE_EQ(metric("weightedFMeasure", 0, 2.0), wf2);
  EXPECT_DOUBLE_EQ(metric("f1"), wf1);
  EXPECT_DOUBLE_EQ(metric("hammingLoss"), 3.0 / 9);
  // f1 is the default; the rates of errors are smaller-is-better.
  MulticlassClassificationEvaluator e;
  EXPECT_EQ(e.getMetricName(), "f1");
  EXPECT_TRUE(e.isLargerBetter());
  for (const char* m : {"weightedFalsePositiveRate", "falsePositiveRateByLabel", "logLoss",
                        "hammingLoss"})
    EXPECT_FALSE(e.setMetricName(m).isLargerBetter()) << m;
  // The confusion counts a report draws.
  const ConfusionCounts c = e.confusion(sparkSuite());
  EXPECT_DOUBLE_EQ(c.cells.at({0.0, 1.0}), 1.0);
  EXPECT_DOUBLE_EQ(c.cells.at({1.0, 1.0}), 3.0);
  EXPECT_DOUBLE_EQ(c.total, 9.0);
}

TEST(MulticlassClassificationEvaluator, AWeightIsARepeatedRow) {
  // Weight 2 on the last row = that row twice.
  MulticlassClassificationEvaluator e;
  e.setWeightCol("w");
  const Frame weighted = sparkSuite({1, 1, 1, 1, 1, 1, 1, 1, 2});
  const Frame repeated({{"prediction", makeDoubleColumn({0, 0, 0, 1, 1, 1, 1, 2, 2, 2})},
                        {"label", makeDoubleColumn({0, 1, 0, 0, 1, 1, 1, 2, 0, 0})}});
  MulticlassClassificationEvaluator plain;
  for (const char* m : {"f1", "accuracy", "weightedPrecision", "weightedFalsePositiveRate",
                        "hammingLoss", "precisionByLabel"}) {
    e.setMetricName(m);
    plain.setMetricName(m);
    EXPECT_DOUBLE_EQ(e.evaluate(weighted), plain.evaluate(repeated)) << m;
  }
}

TEST(MulticlassClassificationEvaluator, LogLossAsSparkAndScikitLearn) {
  // Spark's suite (and scikit-learn's log_loss on the same rows).
  const Frame f({{"label", makeDoubleColumn({1, 2, 0, 1})},
                 {"prediction", makeDoubleColumn({1, 0, 0, 1})},
                 {"probability", VectorColumn::dense(4, 3, {0.1, 0.8, 0.1, 0.9, 0.05, 0.05,
                                                            0.8, 0.2, 0.0, 0.3, 0.65, 0.05})}});
  MulticlassClassificationEvaluator e;
  e.setMetricName("logLoss");
  EXPECT_DOUBLE_EQ(e.evaluate(f),
                   -(std::log(0.8) + std::log(0.05) + std::log(0.8) + std::log(0.65)) / 4);
  // A zero probability is clipped to eps.
  const Frame zero({{"label", makeDoubleColumn({2})},
                    {"prediction", makeDoubleColumn({0})},
                    {"probability", VectorColumn::dense(1, 3, {0.8, 0.2, 0.0})}});
  EXPECT_DOUBLE_EQ(e.evaluate(zero), -std::log(1e-15));
  const Frame bad({{"label", makeDoubleColumn({3})},
                   {"prediction", makeDoubleColumn({0})},
                   {"probability", VectorColumn::dense(1, 3, {0.8, 0.2, 0.0})}});
  EXPECT_THAT(messageOf<DataError>([&] { (void)e.evaluate(bad); }),
              HasSubstr("label 3 at row 0 is not a class index of the 3-class probability"));
  EXPECT_THROW(e.setEps(0.5), ParamError);
}

TEST(MulticlassClassificationEvaluator, BadInputIsNamed) {
  MulticlassClassificationEvaluator e;
  e.setMetricName("precisionByLabel").setMetricLabel(7);
  EXPECT_THAT(messageOf<DataError>([&] { (void)e.evaluate(sparkSuite()); }),
              HasSubstr("metricLabel 7 is not a label of column 'label' (labels: 0, 1, 2)"));
  const Frame one({{"prediction", makeDoubleColumn({1, 1})}, {"label", makeDoubleColumn({1, 1})}});
  e.setMetricName("falsePositiveRateByLabel").setMetricLabel(1);
  EXPECT_THAT(messageOf<DataError>([&] { (void)e.evaluate(one); }),
              HasSubstr("every row has that label"));
  const Frame nulls = readCsvString("label,prediction\n1,0\n,1\n", {}, "p.csv");
  EXPECT_THAT(messageOf<DataError>([&] { (void)MulticlassClassificationEvaluator().evaluate(nulls); }),
              HasSubstr("column 'label' holds a null (a missing value) at p.csv:3"));
  EXPECT_THAT(messageOf<DataError>(
                  [&] { (void)MulticlassClassificationEvaluator().evaluate(sparkSuite().take(std::vector<std::int64_t>{})); }),
              HasSubstr("empty dataset"));
  EXPECT_THROW(MulticlassClassificationEvaluator().setMetricName("auc"), ParamError);
  EXPECT_THROW(MulticlassClassificationEvaluator().setBeta(0.0), ParamError);
}

}  // namespace
}  // namespace td
