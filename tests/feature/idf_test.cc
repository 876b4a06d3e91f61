// tests/feature/idf_test.cc
#include "thunderdome/feature/idf.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "thunderdome/classification/logistic_regression.h"
#include "thunderdome/core/error.h"
#include "thunderdome/dist/communicator.h"
#include "thunderdome/evaluation/binary_classification_evaluator.h"
#include "thunderdome/feature/hashing_tf.h"
#include "thunderdome/feature/tokenizer.h"
#include "thunderdome/persist/persist.h"
#include "thunderdome/pipeline/pipeline.h"
#include "thunderdome/tuning/cross_validator.h"
#include "thunderdome/tuning/param_grid_builder.h"

namespace td {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// IDFSuite's data (ml and mllib): three documents over 4 features,
//   sparse(4, [1, 3], [1, 2]), dense(0, 1, 2, 3), sparse(4, [1], [1]),
// so df = [0, 3, 1, 2] and m = 3. A column is all sparse or all dense here, so the suite's mixed
// column is given in both layouts (the dense row as sparse keeps its explicit zero).
ColumnPtr suiteSparse() {
  return VectorColumn::sparse(4, {0, 2, 6, 7}, {1, 3, 0, 1, 2, 3, 1},
                              {1.0, 2.0, 0.0, 1.0, 2.0, 3.0, 1.0});
}
ColumnPtr suiteDense() { return VectorColumn::dense(3, 4, {0, 1, 0, 2, 0, 1, 2, 3, 0, 1, 0, 0}); }
Frame features(ColumnPtr c) { return Frame({{"features", std::move(c)}}); }

std::vector<double> sparkIdf(const std::vector<int>& df, int m, int minDocFreq) {
  std::vector<double> out;
  for (int x : df) out.push_back(x >= minDocFreq ? std::log((m + 1.0) / (x + 1.0)) : 0.0);
  return out;
}

std::shared_ptr<IDFModel> fitSuite(ColumnPtr c, std::int64_t minDocFreq = 0) {
  IDF idf;
  idf.setInputCol("features").setOutputCol("idfValue").setMinDocFreq(minDocFreq);
  return stageAs<IDFModel>(idf.fit(features(std::move(c))));
}

void expectNear(const std::vector<double>& a, const std::vector<double>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t k = 0; k < a.size(); ++k) EXPECT_NEAR(a[k], b[k], 1e-12) << k;
}

std::vector<double> stored(const VectorView& v) { return {v.values, v.values + v.nnz}; }
std::vector<std::int32_t> indices(const VectorView& v) { return {v.indices, v.indices + v.nnz}; }

// IDFSuite "compute IDF with default parameter" / mllib "idf": the idf vector, docFreq,
// numDocs and the scaled vectors, sparse in -> sparse out with the same indices.
TEST(IDFTest, SparkDefaultParameterSparse) {
  const auto model = fitSuite(suiteSparse());
  const auto e = sparkIdf({0, 3, 1, 2}, 3, 0);
  expectNear(model->idf(), e);
  EXPECT_DOUBLE_EQ(model->idf()[0], std::log(4.0));
  EXPECT_EQ(model->idf()[1], 0.0);
  EXPECT_THAT(model->docFreq(), ElementsAre(0, 3, 1, 2));
  EXPECT_EQ(model->numDocs(), 3);
  EXPECT_EQ(model->numFeatures(), 4);
  EXPECT_EQ(model->uid().substr(0, 4), "idf_");

  const Frame out = model->transform(features(suiteSparse()));
  const auto& v = out.col<VectorColumn>("idfValue");
  ASSERT_FALSE(v.isDense());
  EXPECT_THAT(indices(v[0]), ElementsAre(1, 3));
  expectNear(stored(v[0]), {1.0 * e[1], 2.0 * e[3]});
  EXPECT_THAT(indices(v[1]), ElementsAre(0, 1, 2, 3));  // the explicit zero stays stored
  expectNear(stored(v[1]), {0.0, 1.0 * e[1], 2.0 * e[2], 3.0 * e[3]});
  EXPECT_THAT(indices(v[2]), ElementsAre(1));
  expectNear(stored(v[2]), {1.0 * e[1]});
}

// The same data dense: dense in -> dense out, identical idf.
TEST(IDFTest, SparkDefaultParameterDense) {
  const auto model = fitSuite(suiteDense());
  const auto e = sparkIdf({0, 3, 1, 2}, 3, 0);
  expectNear(model->idf(), e);
  const Frame out = model->transform(features(suiteDense()));
  const auto& v = out.col<VectorColumn>("idfValue");
  ASSERT_TRUE(v.isDense());
  expectNear(stored(v[0]), {0.0, 1.0 * e[1], 0.0, 2.0 * e[3]});
  expectNear(stored(v[1]), {0.0, 1.0 * e[1], 2.0 * e[2], 3.0 * e[3]});
  expectNear(stored(v[2]), {0.0, 1.0 * e[1], 0.0, 0.0});
  // A model fitted on sparse rows scales dense rows alike.
  const Frame cross = fitSuite(suiteSparse())->transform(features(suiteDense()));
  EXPECT_EQ(stored(cross.col<VectorColumn>("idfValue")[1]), stored(v[1]));
}

// IDFSuite "compute IDF with setter" / mllib "idf minimum document frequency filtering"
// (minDocFreq = 1), and minDocFreq = 2, where docFreq reports 0 for the filtered term.
TEST(IDFTest, SparkMinDocFreq) {
  auto model = fitSuite(suiteSparse(), 1);
  expectNear(model->idf(), sparkIdf({0, 3, 1, 2}, 3, 1));
  EXPECT_EQ(model->idf()[0], 0.0);
  EXPECT_THAT(model->docFreq(), ElementsAre(0, 3, 1, 2));
  EXPECT_EQ(model->getMinDocFreq(), 1);
  const Frame out = model->transform(features(suiteSparse()));
  expectNear(stored(out.col<VectorColumn>("idfValue")[1]),
             {0.0, 0.0, 2.0 * std::log(2.0), 3.0 * std::log(4.0 / 3.0)});

  model = fitSuite(suiteDense(), 2);
  expectNear(model->idf(), {0.0, 0.0, 0.0, std::log(4.0 / 3.0)});
  EXPECT_THAT(model->docFreq(), ElementsAre(0, 3, 0, 2));
}

// Hand-computed: 4 documents tokenized and hashed; "spark" in 3, "hadoop" in 1, "the" in all 4;
// counts count once per document; negative values and explicit zeros are no occurrence.
TEST(IDFTest, HandComputedTinyCorpus) {
  // Columns: 0 "spark", 1 "hadoop", 2 "the", 3 a term seen only as 0 or negative.
  const auto col = VectorColumn::sparse(4, {0, 3, 5, 7, 9}, {0, 2, 3, 0, 2, 0, 2, 1, 2},
                                        {2.0, 1.0, 0.0, 1.0, 3.0, 5.0, 1.0, 1.0, 1.0});
  IDF idf;
  idf.setInputCol("features");
  const auto model = stageAs<IDFModel>(idf.fit(features(col)));
  EXPECT_THAT(model->docFreq(), ElementsAre(3, 1, 4, 0));
  expectNear(model->idf(), {std::log(5.0 / 4.0), std::log(5.0 / 2.0), 0.0, std::log(5.0)});
  const auto dense = VectorColumn::dense(2, 4, {1, 0, 0, -1, 0, 0, 0, 0});
  EXPECT_THAT(stageAs<IDFModel>(idf.fit(features(dense)))->docFreq(), ElementsAre(1, 0, 0, 0));
  // The default output column is uid + "__output", as Spark's.
  const Frame out = model->transform(features(col));
  EXPECT_TRUE(out.schema().contains(idf.uid() + "__output"));
}

TEST(IDFTest, ParamsAndErrors) {
  IDF idf;
  EXPECT_EQ(idf.getMinDocFreq(), 0);
  try {
    idf.setMinDocFreq(-1);
    FAIL();
  } catch (const ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr("IDF " + idf.uid()));
    EXPECT_THAT(e.what(), HasSubstr("'minDocFreq' given invalid value -1"));
  }
  idf.setInputCol("text");
  try {
    (void)idf.fit(Frame({{"text", makeStringColumn({"a b"})}}));
    FAIL();
  } catch (const ColumnError& e) {
    EXPECT_THAT(e.what(), HasSubstr("IDF " + idf.uid()));
    EXPECT_THAT(e.what(), HasSubstr("column 'text' must be of type vector but is string"));
  }
  idf.setInputCol("features");
  try {
    (void)idf.fit(features(VectorColumn::sparse(4, {0}, {}, {})));
    FAIL();
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("IDF " + idf.uid()));
    EXPECT_THAT(e.what(), HasSubstr("cannot fit on empty data: column 'features' has no rows"));
  }
  const auto model = stageAs<IDFModel>(idf.fit(features(suiteSparse())));
  try {
    (void)model->transform(features(VectorColumn::dense(1, 5, {1, 2, 3, 4, 5})));
    FAIL();
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("IDFModel " + model->uid()));
    EXPECT_THAT(e.what(), HasSubstr("column 'features' holds vectors of dimension 5 but the "
                                    "model was fitted on dimension 4"));
  }
  try {
    (void)model->transform(Frame({{"features", makeDoubleColumn({1.0})}}));
    FAIL();
  } catch (const ColumnError& e) {
    EXPECT_THAT(e.what(), HasSubstr("IDFModel " + model->uid()));
  }
}

// Tuning cuts folds as row views: a view transforms like the rows of the whole.
TEST(IDFTest, RowViewsTransformLikeTheWhole) {
  const auto model = fitSuite(suiteSparse());
  const std::vector<std::int64_t> rows{2, 0};
  const Frame whole = model->transform(features(suiteSparse()));
  const Frame part = model->transform(features(suiteSparse()).take(rows));
  for (std::size_t k = 0; k < rows.size(); ++k)
    EXPECT_EQ(part.col<VectorColumn>("idfValue")[static_cast<std::int64_t>(k)].toString(),
              whole.col<VectorColumn>("idfValue")[rows[k]].toString());
}

// IDFSuite "IDF read/write" and "IDFModel read/write": params, idf, docFreq, numDocs and the
// transformed output survive a save/load round trip.
TEST(IDFTest, SaveLoadRoundTrip) {
  const auto dir = std::filesystem::temp_directory_path() / randomUid("td_idf");
  std::filesystem::create_directories(dir);
  IDF idf;
  idf.setInputCol("myInputCol").setOutputCol("myOutputCol").setMinDocFreq(5);
  saveStage(idf, (dir / "idf").string());
  const auto loadedIdf = stageAs<IDF>(loadStage((dir / "idf").string()));
  EXPECT_EQ(loadedIdf->getMinDocFreq(), 5);
  EXPECT_EQ(loadedIdf->explainParams(), idf.explainParams());

  const auto model = fitSuite(suiteSparse(), 1);
  saveStage(*model, (dir / "model").string());
  const auto loaded = stageAs<IDFModel>(loadStage((dir / "model").string()));
  EXPECT_EQ(loaded->uid(), model->uid());
  EXPECT_EQ(loaded->idf(), model->idf());
  EXPECT_EQ(loaded->docFreq(), model->docFreq());
  EXPECT_EQ(loaded->numDocs(), 3);
  EXPECT_EQ(loaded->getMinDocFreq(), 1);
  EXPECT_EQ(loaded->explainParams(), model->explainParams());
  const Frame fa = model->transform(features(suiteSparse()));
  const Frame fb = loaded->transform(features(suiteSparse()));
  const auto& a = fa.col<VectorColumn>("idfValue");
  const auto& b = fb.col<VectorColumn>("idfValue");
  for (std::int64_t r = 0; r < 3; ++r) EXPECT_EQ(a[r].toString(), b[r].toString());
  const auto summary = loaded->stateSummary();
  ASSERT_EQ(summary.size(), 2u);
  EXPECT_EQ(summary[0].value, ParamValue(4));
  EXPECT_EQ(summary[1].value, ParamValue(3));
  std::filesystem::remove_all(dir);
}

// Two ranks holding the same shard: the all-reduced counts are those of the doubled data.
class TwinRanks final : public dist::Communicator {
 public:
  [[nodiscard]] int rank() const override { return 0; }
  [[nodiscard]] int size() const override { return 2; }
  void allreduceSum(std::span<double> v) override {
    for (double& x : v) x *= 2;
  }
  void allreduceMax(std::span<double>) override {}
  void broadcast(std::vector<std::byte>&, int) override {}
  std::vector<std::vector<std::byte>> gather(std::span<const std::byte>, int) override {
    return {};
  }
  std::vector<std::vector<std::byte>> allgather(std::span<const std::byte>) override { return {}; }
  void barrier() override {}
  [[noreturn]] void abort(int) override { std::abort(); }
  std::unique_ptr<dist::WorkQueue> workQueue(std::int64_t items) override {
    return std::make_unique<dist::LocalWorkQueue>(items);
  }
};

TEST(IDFTest, DataParallelSumsOverRanks) {
  Context ctx;
  ctx.comm = std::make_shared<TwinRanks>();
  ctx.dataParallel = true;
  IDF idf;
  idf.setInputCol("features");
  const auto model = stageAs<IDFModel>(idf.fit(features(suiteSparse()), ctx));
  EXPECT_EQ(model->numDocs(), 6);
  EXPECT_THAT(model->docFreq(), ElementsAre(0, 6, 2, 4));
  expectNear(model->idf(), sparkIdf({0, 6, 2, 4}, 6, 0));
}

// Tokenizer -> HashingTF -> IDF -> LogisticRegression, tuned by CrossValidator over
// HashingTF.numFeatures on the Spark tuning guide's documents.
TEST(IDFTest, InACrossValidatedPipeline) {
  const Frame training({
      {"text",
       makeStringColumn({"a b c d e spark", "b d", "spark f g h", "hadoop mapreduce", "b spark who",
                         "g d a y", "spark fly", "was mapreduce", "e spark program", "a e c l",
                         "spark compile", "hadoop software"})},
      {"label", makeDoubleColumn({1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0})},
  });
  auto tok = std::make_shared<Tokenizer>();
  tok->setInputCol("text").setOutputCol("words");
  auto tf = std::make_shared<HashingTF>();
  tf->setInputCol("words").setOutputCol("tf");
  auto idf = std::make_shared<IDF>();
  idf->setInputCol("tf").setOutputCol("features");
  auto lr = std::make_shared<LogisticRegression>();
  lr->setMaxIter(10).setRegParam(0.01);
  auto pipeline =
      std::make_shared<Pipeline>(std::vector<std::shared_ptr<PipelineStage>>{tok, tf, idf, lr});
  CrossValidator cv;
  cv.setEstimator(pipeline)
      .setEvaluator(std::make_shared<BinaryClassificationEvaluator>())
      .setEstimatorParamMaps(
          ParamGridBuilder().addGrid(tf->param("numFeatures"), {10, 100, 1000}).build())
      .setNumFolds(2);
  const auto cvModel = stageAs<CrossValidatorModel>(cv.fit(training));
  ASSERT_EQ(cvModel->avgMetrics().size(), 3u);
  for (double m : cvModel->avgMetrics()) EXPECT_TRUE(m >= 0.0 && m <= 1.0) << m;
  const auto best = stageAs<PipelineModel>(cvModel->bestModel());
  ASSERT_EQ(best->stages().size(), 4u);
  const auto idfModel = stageAs<IDFModel>(best->stages()[2]);
  const std::int64_t numFeatures =
      std::vector<std::int64_t>{10, 100, 1000}[static_cast<std::size_t>(cvModel->bestIndex())];
  EXPECT_EQ(idfModel->numFeatures(), numFeatures);
  EXPECT_EQ(idfModel->numDocs(), 12);
  // At "spark"'s hashed index: df = the documents with a term hashed there (6 hold "spark"; at
  // 10 features other terms may collide), idf = ln(13 / (df + 1)).
  tf->setNumFeatures(numFeatures);
  const auto j = tf->indexOf("spark");
  const auto& text = training.col<StringColumn>("text");
  std::int64_t df = 0;
  for (std::int64_t r = 0; r < text.size(); ++r) {
    bool hit = false;
    for (const auto& t : Tokenizer::tokenize(text[r])) hit = hit || tf->indexOf(t) == j;
    df += hit;
  }
  EXPECT_GE(df, 6);
  EXPECT_EQ(idfModel->docFreq()[static_cast<std::size_t>(j)], df);
  EXPECT_DOUBLE_EQ(idfModel->idf()[static_cast<std::size_t>(j)],
                   std::log(13.0 / (static_cast<double>(df) + 1.0)));
  const Frame out = cvModel->transform(training);
  const auto pred = out.numeric("prediction");
  const auto label = out.numeric("label");
  int correct = 0;
  for (std::size_t r = 0; r < pred.size(); ++r) correct += pred[r] == label[r];
  EXPECT_GE(correct, 10);
}

}  // namespace
}  // namespace td
