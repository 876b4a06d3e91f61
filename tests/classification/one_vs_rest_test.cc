// tests/classification/one_vs_rest_test.cc
#include "thunderdome/classification/one_vs_rest.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "thunderdome/classification/linear_svc.h"
#include "thunderdome/classification/logistic_regression.h"
#include "thunderdome/core/error.h"
#include "thunderdome/persist/persist.h"
#include "thunderdome/registry/registry.h"

namespace {

using td::Frame;
using td::LogisticRegression;
using td::LogisticRegressionModel;
using td::OneVsRest;
using td::OneVsRestModel;
using td::VectorColumn;

// Three noisy blobs in 3 dimensions (deterministic LCG), labels 0, 1, 2.
struct Data {
  std::vector<double> y, w, x;  // x row-major, 3 per row
};

const Data& blobs() {
  static const Data data = [] {
    std::uint64_t s = 7;
    auto uniform = [&] {
      s = s * 6364136223846793005ULL + 1442695040888963407ULL;
      return static_cast<double>(s >> 11) / 9007199254740992.0;
    };
    const double centres[3][3] = {{0.0, 0.0, 1.0}, {2.0, 1.0, 0.0}, {0.0, 2.5, -1.0}};
    Data d;
    for (int i = 0; i < 150; ++i) {
      const int k = i % 3;
      d.y.push_back(k);
      d.w.push_back(1.0 + static_cast<double>(i % 4));
      for (int j = 0; j < 3; ++j) d.x.push_back(centres[k][j] + 2.0 * (uniform() - 0.5) * 1.6);
    }
    return d;
  }();
  return data;
}

Frame toFrame(const Data& d, bool weights = false) {
  const auto n = static_cast<std::int64_t>(d.y.size());
  std::vector<std::pair<std::string, td::ColumnPtr>> cols{
      {"label", td::makeDoubleColumn(d.y)}, {"features", VectorColumn::dense(n, 3, d.x)}};
  if (weights) cols.emplace_back("weight", td::makeDoubleColumn(d.w));
  return Frame(std::move(cols));
}

std::shared_ptr<LogisticRegression> baseLr() {
  auto lr = std::make_shared<LogisticRegression>();
  lr->setRegParam(0.01);
  return lr;
}

std::shared_ptr<OneVsRestModel> fitOvr(const OneVsRest& ovr, const Frame& f) {
  return td::stageAs<OneVsRestModel>(ovr.fit(f));
}

TEST(OneVsRestTest, DefaultsMatchSpark) {
  OneVsRest ovr;
  EXPECT_EQ(ovr.uid().rfind("oneVsRest_", 0), 0u);
  EXPECT_EQ(ovr.getString("featuresCol"), "features");
  EXPECT_EQ(ovr.getString("labelCol"), "label");
  EXPECT_FALSE(ovr.isDefined("weightCol"));
  EXPECT_EQ(ovr.getString("predictionCol"), "prediction");
  EXPECT_EQ(ovr.getString("rawPredictionCol"), "rawPrediction");
  EXPECT_EQ(ovr.getParallelism(), 1);
  EXPECT_EQ(ovr.classifierOrNull(), nullptr);
  EXPECT_THROW(ovr.setParallelism(0), td::ParamError);
  EXPECT_NE(ovr.explainParams().find("classifier"), std::string::npos);
}

TEST(OneVsRestTest, EachSubModelIsTheBinaryFitOnRelabelledData) {
  OneVsRest ovr;
  ovr.setClassifier(baseLr());
  const Frame f = toFrame(blobs());
  const auto model = fitOvr(ovr, f);
  ASSERT_EQ(model->numClasses(), 3);
  for (int k = 0; k < 3; ++k) {
    std::vector<double> yk;
    for (double y : blobs().y) yk.push_back(y == k ? 1.0 : 0.0);
    const auto direct = td::stageAs<LogisticRegressionModel>(
        baseLr()->fit(f.withColumn("label", td::makeDoubleColumn(yk))));
    const auto sub = td::stageAs<LogisticRegressionModel>(model->models()[static_cast<std::size_t>(k)]);
    EXPECT_EQ(sub->coefficients(), direct->coefficients()) << k;
    EXPECT_EQ(sub->intercept(), direct->intercept()) << k;
    EXPECT_EQ(sub->getString("labelCol"), "mc2b$" + std::to_string(k));
  }
}

TEST(OneVsRestTest, RawPredictionIsEachModelsMarginAndPredictionItsArgmax) {
  OneVsRest ovr;
  ovr.setClassifier(baseLr());
  const Frame f = toFrame(blobs());
  const auto model = fitOvr(ovr, f);
  const Frame out = model->transform(f);
  const auto& raw = out.col<VectorColumn>("rawPrediction");
  const auto pred = out.numeric("prediction");
  const auto& X = f.col<VectorColumn>("features");
  int correct = 0;
  for (std::int64_t i = 0; i < f.numRows(); ++i) {
    ASSERT_EQ(raw[i].size, 3);
    std::size_t best = 0;
    for (std::size_t k = 0; k < 3; ++k) {
      const auto sub = td::stageAs<LogisticRegressionModel>(model->models()[k]);
      EXPECT_EQ(raw[i].at(static_cast<std::int64_t>(k)), sub->margin(X[i]));
      if (raw[i].at(static_cast<std::int64_t>(k)) > raw[i].at(static_cast<std::int64_t>(best))) best = k;
    }
    EXPECT_EQ(pred[static_cast<std::size_t>(i)], static_cast<double>(best));
    correct += pred[static_cast<std::size_t>(i)] == blobs().y[static_cast<std::size_t>(i)];
  }
  EXPECT_GT(correct, 120);  // well separated blobs
  EXPECT_FALSE(out.schema().contains("probability"));
}

TEST(OneVsRestTest, ParallelFitsGiveTheSameModels) {
  OneVsRest ovr;
  ovr.setClassifier(baseLr());
  const auto serial = fitOvr(ovr, toFrame(blobs()));
  ovr.setParallelism(3);
  const auto parallel = fitOvr(ovr, toFrame(blobs()));
  for (std::size_t k = 0; k < 3; ++k)
    EXPECT_EQ(td::stageAs<LogisticRegressionModel>(serial->models()[k])->coefficients(),
              td::stageAs<LogisticRegressionModel>(parallel->models()[k])->coefficients());
}

TEST(OneVsRestTest, WeightColumnReachesTheClassifier) {
  OneVsRest ovr;
  ovr.setClassifier(baseLr()).setWeightCol("weight");
  const Frame f = toFrame(blobs(), true);
  const auto model = fitOvr(ovr, f);
  std::vector<double> y1;
  for (double y : blobs().y) y1.push_back(y == 1 ? 1.0 : 0.0);
  auto lr = baseLr();
  lr->setWeightCol("weight");
  const auto direct = td::stageAs<LogisticRegressionModel>(
      lr->fit(f.withColumn("label", td::makeDoubleColumn(y1))));
  EXPECT_EQ(td::stageAs<LogisticRegressionModel>(model->models()[1])->coefficients(),
            direct->coefficients());
}

TEST(OneVsRestTest, WorksWithLinearSVC) {
  OneVsRest ovr;
  auto svc = std::make_shared<td::LinearSVC>();
  svc->setRegParam(0.01);
  ovr.setClassifier(svc);
  const Frame f = toFrame(blobs());
  const auto model = fitOvr(ovr, f);
  const Frame out = model->transform(f);
  const auto& raw = out.col<VectorColumn>("rawPrediction");
  const auto& X = f.col<VectorColumn>("features");
  for (std::int64_t i = 0; i < 5; ++i)
    for (std::size_t k = 0; k < 3; ++k)
      EXPECT_EQ(raw[i].at(static_cast<std::int64_t>(k)),
                td::stageAs<td::LinearSVCModel>(model->models()[k])->margin(X[i]));
}

TEST(OneVsRestTest, SaveLoadRoundTrip) {
  OneVsRest ovr;
  ovr.setClassifier(baseLr()).setPredictionCol("pred").setParallelism(2);
  const auto est = td::stageAs<OneVsRest>(td::deserializeStage(td::serializeStage(ovr), "memory:o"));
  EXPECT_EQ(est->uid(), ovr.uid());
  EXPECT_EQ(est->getParallelism(), 2);
  ASSERT_NE(est->classifierOrNull(), nullptr);
  EXPECT_EQ(est->classifierOrNull()->uid(), ovr.classifierOrNull()->uid());
  EXPECT_EQ(est->classifierOrNull()->getDouble("regParam"), 0.01);

  const Frame f = toFrame(blobs());
  const auto model = fitOvr(ovr, f);
  const auto loaded =
      td::stageAs<OneVsRestModel>(td::deserializeStage(td::serializeStage(*model), "memory:o"));
  ASSERT_EQ(loaded->numClasses(), 3);
  for (std::size_t k = 0; k < 3; ++k)
    EXPECT_EQ(td::stageAs<LogisticRegressionModel>(loaded->models()[k])->coefficients(),
              td::stageAs<LogisticRegressionModel>(model->models()[k])->coefficients());
  const Frame a = model->transform(f), b = loaded->transform(f);
  EXPECT_EQ(a.numeric("pred"), b.numeric("pred"));
  for (std::int64_t i = 0; i < f.numRows(); ++i)
    for (std::int64_t k = 0; k < 3; ++k)
      EXPECT_EQ(a.col<VectorColumn>("rawPrediction")[i].at(k),
                b.col<VectorColumn>("rawPrediction")[i].at(k));
}

TEST(OneVsRestTest, InvalidLabelThrowsDataError) {
  for (double bad : {-1.0, 1.5, std::nan("")}) {
    Data d = blobs();
    d.y[8] = bad;
    OneVsRest ovr;
    ovr.setClassifier(baseLr());
    try {
      (void)ovr.fit(toFrame(d));
      FAIL() << bad;
    } catch (const td::DataError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("row 8"), std::string::npos) << msg;
      EXPECT_NE(msg.find("label"), std::string::npos) << msg;
      EXPECT_NE(msg.find(ovr.uid()), std::string::npos) << msg;
    }
  }
}

TEST(OneVsRestTest, ClassifierMustBeABinaryClassifier) {
  OneVsRest ovr;
  auto scaler = td::createStage("StandardScaler", "scaler_1");
  try {
    ovr.set("classifier", td::ParamValue(std::static_pointer_cast<td::Params>(scaler)));
    FAIL();
  } catch (const td::ParamError& e) {
    EXPECT_NE(std::string(e.what()).find("classifier"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)ovr.fit(toFrame(blobs())), td::ParamError);  // classifier not set
}

}  // namespace
