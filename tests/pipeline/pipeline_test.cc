// tests/pipeline/pipeline_test.cc
#include "thunderdome/pipeline/pipeline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

#include "thunderdome/classification/logistic_regression.h"
#include "thunderdome/core/error.h"
#include "thunderdome/core/shared_params.h"
#include "thunderdome/dist/communicator.h"
#include "thunderdome/feature/hashing_tf.h"
#include "thunderdome/feature/one_hot_encoder.h"
#include "thunderdome/feature/standard_scaler.h"
#include "thunderdome/feature/string_indexer.h"
#include "thunderdome/feature/vector_assembler.h"
#include "thunderdome/feature/tokenizer.h"
#include "../testing/frame_equal.h"
#include "../testing/io_helpers.h"

namespace td {
namespace {

using ::testing::HasSubstr;
using td::testing::framesIdentical;
using td::testing::messageOf;

std::atomic<int> g_fits{0};
std::atomic<int> g_transforms{0};
std::vector<std::vector<std::string>> g_seen;  // the columns each CenterModel transform saw

// A tiny real estimator: learns the mean of inputCol; its model adds (x - mean) as outputCol.
const ParamSchema& centerSchema() {
  static const ParamSchema s{shared::inputCol(), shared::outputCol()};
  return s;
}

class CenterModel final : public Model {
 public:
  CenterModel(const Params& parent, double mean) : Model(parent.uid(), centerSchema()), mean_(mean) {
    copyValuesFrom(parent);
  }
  [[nodiscard]] std::string className() const override { return "CenterModel"; }
  [[nodiscard]] std::shared_ptr<Params> cloneParams() const override {
    return std::make_shared<CenterModel>(*this);
  }
  [[nodiscard]] Schema transformSchema(const Schema& in) const override {
    in.requireType(describe(), getString("inputCol"), DataType::kDouble);
    return in.with({getString("outputCol"), DataType::kDouble});
  }
  double mean_;

 protected:
  [[nodiscard]] Frame transformImpl(const Frame& in, const Context& /*ctx*/) const override {
    ++g_transforms;
    g_seen.push_back(in.columnNames());
    auto v = in.numeric(getString("inputCol"));
    for (auto& x : v) x -= mean_;
    return in.withColumn(getString("outputCol"), makeDoubleColumn(v));
  }
};

class Center final : public Estimator {
 public:
  Center() : Estimator(randomUid("center"), centerSchema()) {}
  [[nodiscard]] std::string className() const override { return "Center"; }
  [[nodiscard]] std::shared_ptr<Params> cloneParams() const override {
    return std::make_shared<Center>(*this);
  }
  [[nodiscard]] Schema transformSchema(const Schema& in) const override {
    in.requireType(describe(), getString("inputCol"), DataType::kDouble);
    return in.with({getString("outputCol"), DataType::kDouble});
  }

 protected:
  [[nodiscard]] std::shared_ptr<Model> fitImpl(const Frame& data,
                                               const Context& /*ctx*/) const override {
    ++g_fits;
    const auto v = data.numeric(getString("inputCol"));
    double s = 0;
    for (double x : v) s += x;
    return std::make_shared<CenterModel>(*this, s / static_cast<double>(v.size()));
  }
};

Frame numbers() { return Frame({{"x", makeDoubleColumn({1, 2, 3, 6})}}); }

TEST(PipelineTest, FitsInOrderAndTransformsOnlyUpToLastEstimator) {
  auto first = std::make_shared<Center>();
  first->set("inputCol", "x").set("outputCol", "x1");
  auto second = std::make_shared<Center>();
  second->set("inputCol", "x1").set("outputCol", "x2");
  Pipeline p({first, second});
  g_fits = 0;
  g_transforms = 0;
  const auto model = stageAs<PipelineModel>(p.fit(numbers()));
  EXPECT_EQ(g_fits.load(), 2);
  EXPECT_EQ(g_transforms.load(), 1) << "the last estimator's model is not applied during fit";
  EXPECT_EQ(model->uid(), p.uid());
  ASSERT_EQ(model->stages().size(), 2u);
  EXPECT_EQ(model->stages()[0]->uid(), first->uid()) << "a model keeps its estimator's uid";
  EXPECT_DOUBLE_EQ(stageAs<CenterModel>(model->stages()[0])->mean_, 3.0);
  EXPECT_DOUBLE_EQ(stageAs<CenterModel>(model->stages()[1])->mean_, 0.0);
  const Frame out = model->transform(numbers());
  EXPECT_EQ(out.columnNames(), (std::vector<std::string>{"x", "x1", "x2"}));
  EXPECT_DOUBLE_EQ(out.col<DoubleColumn>("x2")[3], 3.0);
}

// A column no later stage reads is dropped as soon as it has been used: in fit (which returns
// no frame) and in transformSelect, whose result is transform(...).select(columns).
TEST(PipelineTest, ColumnsNoLaterStageReadsAreReleasedEarly) {
  std::vector<std::shared_ptr<PipelineStage>> stages;
  for (const auto& [in, out] : std::vector<std::pair<std::string, std::string>>{
           {"x", "x1"}, {"x1", "x2"}, {"x2", "x3"}}) {
    auto c = std::make_shared<Center>();
    c->set("inputCol", in).set("outputCol", out);
    stages.push_back(c);
  }
  const Frame data({{"x", makeDoubleColumn({1, 2, 3, 6})}, {"junk", makeDoubleColumn({0, 0, 0, 0})}});
  g_seen.clear();
  const auto model = stageAs<PipelineModel>(Pipeline(stages).fit(data));
  using Names = std::vector<std::vector<std::string>>;
  EXPECT_EQ(g_seen, (Names{{"x", "junk"}, {"x1"}}));
  g_seen.clear();
  const Frame out = model->transformSelect(data, {"x3", "x"});
  EXPECT_EQ(g_seen, (Names{{"x"}, {"x", "x1"}, {"x", "x2"}})) << "x is asked for, x1 is not";
  EXPECT_EQ(out.columnNames(), (std::vector<std::string>{"x3", "x"}));
  EXPECT_TRUE(framesIdentical(out, model->transform(data).select({"x3", "x"})));
  // An output column no stage makes is the usual error, before any stage runs.
  g_seen.clear();
  EXPECT_THROW((void)model->transformSelect(data, {"nope"}), ColumnError);
  EXPECT_TRUE(g_seen.empty());
}

// Consecutive row-wise stages over many rows run block by block (fit: the models between two
// estimators; transformSelect: the whole run): the results, the fitted statistics and the
// errors are those of whole-frame runs.
TEST(PipelineTest, StreamedRunsGiveTheResultsOfWholeFrames) {
  const std::int64_t n = 100000;  // about three blocks
  std::vector<double> x(static_cast<std::size_t>(n));
  std::vector<std::string> c(static_cast<std::size_t>(n));
  for (std::int64_t r = 0; r < n; ++r) {
    x[static_cast<std::size_t>(r)] = static_cast<double>(r % 97) * 0.5 - 3.0;
    c[static_cast<std::size_t>(r)] = "v" + std::to_string(r * 7 % 13);
  }
  const Frame data({{"x", makeDoubleColumn(x)}, {"c", makeStringColumn(c)}});
  auto indexer = std::make_shared<StringIndexer>();
  indexer->setInputCol("c").setOutputCol("ci");
  auto encoder = std::make_shared<OneHotEncoder>();
  encoder->setInputCols({"ci"}).setOutputCols({"cv"});
  auto assembler = std::make_shared<VectorAssembler>();
  assembler->setInputCols({"x", "cv"}).setOutputCol("f");
  auto scaler = std::make_shared<StandardScaler>();
  scaler->setInputCol("f").setOutputCol("s");
  const auto model = stageAs<PipelineModel>(Pipeline({indexer, encoder, assembler, scaler}).fit(data));
  // The same stages fitted and applied one whole frame at a time.
  const auto im = stageAs<StringIndexerModel>(indexer->fit(data));
  const Frame a = im->transform(data);
  const auto em = stageAs<OneHotEncoderModel>(encoder->fit(a));
  const Frame b = assembler->transform(em->transform(a));
  const auto sm = stageAs<StandardScalerModel>(scaler->fit(b));
  const auto& streamedScaler = *stageAs<StandardScalerModel>(model->stages()[3]);
  EXPECT_EQ(streamedScaler.std(), sm->std()) << "fitted on the streamed assembler output";
  const Frame whole = sm->transform(b).select({"s", "x"});
  EXPECT_TRUE(framesIdentical(model->transformSelect(data, {"s", "x"}), whole));
  EXPECT_TRUE(framesIdentical(model->transform(data).select({"s", "x"}), whole));
  // Unseen labels in the third and fourth blocks (which may run first): the error names the
  // earlier row, as a whole-frame run does.
  c[70001] = "new";
  c[99000] = "newer";
  const Frame bad({{"x", makeDoubleColumn(x)}, {"c", makeStringColumn(c)}});
  const std::string want = messageOf<DataError>([&] { (void)model->transform(bad); });
  EXPECT_THAT(want, HasSubstr("Unseen label: new"));
  EXPECT_EQ(messageOf<DataError>([&] { (void)model->transformSelect(bad, {"s"}); }), want);
}

TEST(PipelineTest, SchemaErrorsComeBeforeAnyFit) {
  auto first = std::make_shared<Center>();
  first->set("inputCol", "x").set("outputCol", "x1");
  auto broken = std::make_shared<Center>();
  broken->set("inputCol", "nope").set("outputCol", "x2");
  Pipeline p({first, broken});
  g_fits = 0;
  try {
    (void)p.fit(numbers());
    FAIL();
  } catch (const ColumnError& e) {
    EXPECT_THAT(e.what(), HasSubstr("Center " + broken->uid()));
    EXPECT_THAT(e.what(), HasSubstr("'nope' does not exist (available: x, x1)"));
  }
  EXPECT_EQ(g_fits.load(), 0);
}

TEST(PipelineTest, ParamMapReachesStagesByUid) {
  auto c = std::make_shared<Center>();
  c->set("inputCol", "x").set("outputCol", "a");
  Pipeline p({c});
  ParamMap extra;
  extra.put(c->param("outputCol"), "b");
  const Frame out = p.fit(numbers(), extra)->transform(numbers());
  EXPECT_TRUE(out.schema().contains("b"));
  EXPECT_EQ(c->getString("outputCol"), "a") << "fit(df, map) must not change the original stage";
}

TEST(PipelineTest, RejectsTheSameStageTwice) {
  auto c = std::make_shared<Center>();
  try {
    Pipeline p({c, c});
    FAIL();
  } catch (const ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr("appears more than once"));
  }
}

TEST(PipelineTest, EmptyPipelineIsIdentity) {
  Pipeline p;
  const Frame out = p.fit(numbers())->transform(numbers());
  EXPECT_EQ(out.columnNames(), numbers().columnNames());
}

TEST(PipelineTest, TextPipelineEndToEnd) {
  const Frame train({{"text", makeStringColumn({"a b c spark", "b d", "spark f", "hadoop x",
                                                "spark who", "g d a"})},
                     {"label", makeDoubleColumn({1, 0, 1, 0, 1, 0})}});
  auto tok = std::make_shared<Tokenizer>();
  tok->setInputCol("text").setOutputCol("words");
  auto tf = std::make_shared<HashingTF>();
  tf->setInputCol("words").setOutputCol("features").setNumFeatures(100);
  auto lr = std::make_shared<LogisticRegression>();
  lr->setMaxIter(20).setRegParam(0.01);
  Pipeline p({tok, tf, lr});
  const auto model = stageAs<PipelineModel>(p.fit(train));
  const Frame test({{"text", makeStringColumn({"spark spark", "hadoop d"})}});
  const Frame out = model->transform(test);
  const auto& pred = out.col<DoubleColumn>("prediction");
  EXPECT_EQ(pred[0], 1.0);
  EXPECT_EQ(pred[1], 0.0);
  EXPECT_EQ(stageAs<LogisticRegressionModel>(model->stages()[2])->numFeatures(), 100);
}

TEST(PipelineTest, DataParallelCheckReachesNestedEstimatorsAndRejectsOthers) {
  auto tok = std::make_shared<Tokenizer>();
  auto lr = std::make_shared<LogisticRegression>();
  auto inner = std::make_shared<Pipeline>(std::vector<std::shared_ptr<PipelineStage>>{lr});
  Pipeline p({tok, inner});
  EXPECT_NO_THROW(checkDataParallel(p));  // LogisticRegression, through the nested pipeline
  EXPECT_TRUE(lr->supportsDataParallel());

  auto center = std::make_shared<Center>();
  center->set("inputCol", "x").set("outputCol", "x1");
  Pipeline q({std::make_shared<Pipeline>(std::vector<std::shared_ptr<PipelineStage>>{center})});
  Context ctx;  // a data-parallel fit is refused before any work
  ctx.comm = std::make_shared<dist::LocalCommunicator>();
  ctx.dataParallel = true;
  try {
    (void)q.fit(numbers(), ctx);
    FAIL() << "an estimator without data-parallel support was accepted";
  } catch (const ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr(center->uid()));
    EXPECT_THAT(e.what(), HasSubstr("Center"));
    EXPECT_THAT(e.what(), HasSubstr("cannot be fitted data-parallel"));
  }
}

}  // namespace
}  // namespace td
