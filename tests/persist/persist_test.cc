// tests/persist/persist_test.cc
#include "thunderdome/persist/persist.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "thunderdome/classification/logistic_regression.h"
#include "thunderdome/evaluation/binary_classification_evaluator.h"
#include "thunderdome/feature/hashing_tf.h"
#include "thunderdome/feature/tokenizer.h"
#include "thunderdome/pipeline/pipeline.h"
#include "thunderdome/tuning/cross_validator.h"
#include "thunderdome/tuning/param_grid_builder.h"
#include "thunderdome/tuning/train_validation_split.h"

namespace td {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class PersistTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("td_persist_" + randomUid("t"));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

Frame training() {
  std::vector<std::string> text;
  std::vector<double> label;
  for (int i = 0; i < 60; ++i) {
    const bool pos = i % 3 == 0;
    text.push_back(std::string(pos ? "spark fast " : "hadoop slow ") + "w" + std::to_string(i % 7) +
                   (i % 5 == 0 ? " spark" : " mapreduce"));
    label.push_back(pos ? 1.0 : 0.0);
  }
  return Frame({{"text", makeStringColumn(text)}, {"label", makeDoubleColumn(label)}});
}

struct Tuned {
  std::shared_ptr<Tokenizer> tok = std::make_shared<Tokenizer>();
  std::shared_ptr<HashingTF> tf = std::make_shared<HashingTF>();
  std::shared_ptr<LogisticRegression> lr = std::make_shared<LogisticRegression>();
  std::shared_ptr<Pipeline> pipeline;
  std::shared_ptr<CrossValidator> cv = std::make_shared<CrossValidator>();
  Tuned() {
    tok->setInputCol("text").setOutputCol("words");
    tf->setInputCol("words").setOutputCol("features");
    lr->setMaxIter(15).setThreshold(0.4);
    pipeline = std::make_shared<Pipeline>(std::vector<std::shared_ptr<PipelineStage>>{tok, tf, lr});
    cv->setEstimator(pipeline)
        .setEvaluator(std::make_shared<BinaryClassificationEvaluator>())
        .setEstimatorParamMaps(ParamGridBuilder()
                                   .addGrid(tf->param("numFeatures"), {16, 256})
                                   .addGrid(lr->param("regParam"), {0.1, 0.001})
                                   .build())
        .setNumFolds(3);
  }
};

void expectSameColumn(const Frame& a, const Frame& b, const std::string& col) {
  const auto& x = a.col<VectorColumn>(col);
  const auto& y = b.col<VectorColumn>(col);
  ASSERT_EQ(x.values().size(), y.values().size());
  for (std::size_t i = 0; i < x.values().size(); ++i)
    ASSERT_EQ(x.values()[i], y.values()[i]) << col << " differs at " << i;  // bit-identical
}

TEST_F(PersistTest, TransformerRoundTripKeepsUidParamsAndDefaults) {
  HashingTF tf;
  tf.setInputCol("words").setNumFeatures(1000).setBinary(true);
  saveStage(tf, path("tf"));
  const auto loaded = loadStageAs<HashingTF>(path("tf"));
  EXPECT_EQ(loaded->uid(), tf.uid());
  EXPECT_EQ(loaded->getNumFeatures(), 1000);
  EXPECT_TRUE(loaded->getBinary());
  EXPECT_TRUE(loaded->isSet("numFeatures"));
  EXPECT_FALSE(loaded->isSet("outputCol"));
  EXPECT_EQ(loaded->getOutputCol(), tf.uid() + "__output");
  EXPECT_EQ(loaded->explainParams(), tf.explainParams());
}

TEST_F(PersistTest, EvaluatorRoundTripThroughSaveParams) {
  BinaryClassificationEvaluator ev;
  ev.setMetricName("areaUnderPR");
  saveParams(ev, path("ev"));
  EXPECT_THROW(saveParams(ev, path("ev")), IoError);  // exists; no overwrite
  const auto back =
      std::dynamic_pointer_cast<BinaryClassificationEvaluator>(loadParams(path("ev")));
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->uid(), ev.uid());
  EXPECT_EQ(back->getMetricName(), "areaUnderPR");
  // loadStage refuses it with a clear message; loadParams also reads stages
  try {
    (void)loadStage(path("ev"));
    FAIL() << "loadStage read an evaluator";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("not a pipeline stage"));
  }
  HashingTF tf;
  tf.setNumFeatures(64);
  saveStage(tf, path("tf"));
  EXPECT_EQ(std::dynamic_pointer_cast<HashingTF>(loadParams(path("tf")))->getNumFeatures(), 64);
}

TEST_F(PersistTest, MetadataUsesSparkFieldNames) {
  Tokenizer tok;
  tok.setInputCol("text");
  saveStage(tok, path("tok"));
  std::ifstream in(path("tok") + "/metadata.json");
  const std::string meta((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* key : {"\"class\": \"Tokenizer\"", "\"uid\"", "\"timestamp\"", "\"paramMap\"",
                          "\"defaultParamMap\"", "\"formatVersion\": 1", "\"thunderdomeVersion\""})
    EXPECT_THAT(meta, HasSubstr(key));
  EXPECT_TRUE(fs::exists(path("tok") + "/MANIFEST.json"));
}

TEST_F(PersistTest, CrossValidatorModelRoundTripIsBitIdentical) {
  Tuned t;
  const Frame data = training();
  const auto model = stageAs<CrossValidatorModel>(t.cv->fit(data));
  saveStage(*model, path("cv"));
  const auto loaded = loadStageAs<CrossValidatorModel>(path("cv"));
  EXPECT_EQ(loaded->uid(), model->uid());
  EXPECT_EQ(loaded->avgMetrics(), model->avgMetrics());
  EXPECT_EQ(loaded->stdMetrics(), model->stdMetrics());
  EXPECT_EQ(loaded->foldMetrics(), model->foldMetrics());
  EXPECT_EQ(loaded->bestIndex(), model->bestIndex());
  EXPECT_EQ(loaded->getEstimatorParamMaps(), model->getEstimatorParamMaps());
  EXPECT_EQ(loaded->getInt("numFolds"), 3);
  const Frame a = model->transform(data);
  const Frame b = loaded->transform(data);
  expectSameColumn(a, b, "probability");
  expectSameColumn(a, b, "rawPrediction");
  EXPECT_EQ(a.numeric("prediction"), b.numeric("prediction"));
  // The threshold set on the estimator travels with the model.
  const auto best = stageAs<PipelineModel>(loaded->bestModel());
  EXPECT_EQ(stageAs<LogisticRegressionModel>(best->stages()[2])->getDouble("threshold"), 0.4);
  // Estimator and evaluator are saved too, and the loaded estimator refits the same way.
  const auto refit = stageAs<Pipeline>(loaded->getEstimator())->fit(data, loaded->bestParams());
  expectSameColumn(a, refit->transform(data), "probability");
}

TEST_F(PersistTest, UnfittedCrossValidatorRoundTrip) {
  Tuned t;
  saveStage(*t.cv, path("cvEst"));
  const auto loaded = loadStageAs<CrossValidator>(path("cvEst"));
  EXPECT_EQ(loaded->getEstimatorParamMaps(), t.cv->getEstimatorParamMaps());
  const Frame data = training();
  EXPECT_EQ(stageAs<CrossValidatorModel>(loaded->fit(data))->avgMetrics(),
            stageAs<CrossValidatorModel>(t.cv->fit(data))->avgMetrics());
}

TEST_F(PersistTest, TrainValidationSplitModelRoundTrip) {
  Tuned t;
  TrainValidationSplit tvs;
  tvs.setEstimator(t.pipeline).setEvaluator(std::make_shared<BinaryClassificationEvaluator>())
      .setEstimatorParamMaps(t.cv->getEstimatorParamMaps());
  const Frame data = training();
  const auto model = stageAs<TrainValidationSplitModel>(tvs.fit(data));
  saveStage(*model, path("tvs"));
  const auto loaded = loadStageAs<TrainValidationSplitModel>(path("tvs"));
  EXPECT_EQ(loaded->validationMetrics(), model->validationMetrics());
  expectSameColumn(model->transform(data), loaded->transform(data), "probability");
}

TEST_F(PersistTest, InfiniteInterceptSurvives) {
  const Frame data({{"features", VectorColumn::dense(3, 1, {1, 2, 3})},
                    {"label", makeDoubleColumn({1, 1, 1})}});
  LogisticRegression lr;
  const auto m = stageAs<LogisticRegressionModel>(lr.fit(data));
  ASSERT_TRUE(std::isinf(m->intercept()));
  saveStage(*m, path("inf"));
  EXPECT_EQ(loadStageAs<LogisticRegressionModel>(path("inf"))->intercept(), m->intercept());
}

TEST_F(PersistTest, ExistingDirectoryNeedsOverwrite) {
  Tokenizer a, b;
  saveStage(a, path("m"));
  try {
    saveStage(b, path("m"));
    FAIL();
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("already exists"));
  }
  EXPECT_EQ(loadStage(path("m"))->uid(), a.uid());
  saveStage(b, path("m"), /*overwrite=*/true);
  EXPECT_EQ(loadStage(path("m"))->uid(), b.uid());
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename(), "m") << "no temporary directories left behind";
}

TEST_F(PersistTest, FailedSaveLeavesNothing) {
  Tokenizer a;
  EXPECT_THROW(saveStage(a, path("missing/parent/m")), IoError);
  CrossValidator incomplete;  // no estimator: serialization fails before anything is written
  EXPECT_THROW(saveStage(incomplete, path("cv")), ParamError);
  EXPECT_FALSE(fs::exists(path("cv")));
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(PersistTest, TruncatedDataFileIsDetected) {
  Tuned t;
  const auto model = t.pipeline->fit(training());
  saveStage(*model, path("pm"));
  fs::path coef;
  for (const auto& e : fs::recursive_directory_iterator(path("pm")))
    if (e.path().filename() == "coefficients.f64le") coef = e.path();
  ASSERT_FALSE(coef.empty());
  fs::resize_file(coef, fs::file_size(coef) - 8);
  try {
    (void)loadStage(path("pm"));
    FAIL();
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("coefficients.f64le"));
    EXPECT_THAT(e.what(), HasSubstr("truncated or edited"));
  }
}

TEST_F(PersistTest, EditedMetadataFailsItsChecksum) {
  HashingTF tf;
  tf.setInputCol("w").setNumFeatures(1000);
  saveStage(tf, path("tf"));
  const std::string meta = path("tf") + "/metadata.json";
  std::string text;
  {
    std::ifstream in(meta);
    text.assign((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  const auto pos = text.find("1000");
  ASSERT_NE(pos, std::string::npos);
  text.replace(pos, 4, "2000");  // same size, different content
  std::ofstream(meta) << text;
  try {
    (void)loadStage(path("tf"));
    FAIL();
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("metadata.json' fails its checksum"));
  }
}

TEST_F(PersistTest, MissingManifestOrNewerVersionIsClear) {
  Tokenizer tok;
  saveStage(tok, path("a"));
  fs::remove(path("a") + "/MANIFEST.json");
  try {
    (void)loadStage(path("a"));
    FAIL();
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("not a complete thunderdome model"));
  }
  FileTree files = serializeStage(tok);
  auto& manifest = files["MANIFEST.json"];
  manifest.replace(manifest.find("\"formatVersion\": 1"), 18, "\"formatVersion\": 9");
  try {
    (void)deserializeStage(files, "mem");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("model format version 9 is not supported"));
  }
  EXPECT_THROW((void)loadStage(path("does-not-exist")), IoError);
}

// Found by the model fuzzer: a manifest value of the wrong JSON type escaped as nlohmann's
// type_error (uncaught by the CLI's error handling) instead of a clear IoError.
TEST_F(PersistTest, ManifestValuesOfTheWrongTypeMakeItCorrupt) {
  const FileTree good = serializeStage(Tokenizer());
  const auto corrupt = [&](const std::string& from, const std::string& to) {
    FileTree files = good;
    auto& manifest = files["MANIFEST.json"];
    const auto at = manifest.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    manifest.replace(at, from.size(), to);
    try {
      (void)deserializeStage(files, "mem");
      ADD_FAILURE() << "loaded a manifest with " << to;
    } catch (const IoError& e) {
      EXPECT_THAT(e.what(), HasSubstr("mem: MANIFEST.json is corrupt ([json.exception.type_error"))
          << to;
    }
  };
  corrupt("\"formatVersion\": 1", "\"formatVersion\": \"1\"");
  corrupt("\"bytes\": ", "\"bytes\": \"1\", \"x\": ");
  corrupt("\"crc32\": \"", "\"crc32\": 7, \"y\": \"");
}

}  // namespace
}  // namespace td
