// tests/core/params_test.cc
#include "thunderdome/core/params.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "thunderdome/core/error.h"

namespace td {
namespace {

using ::testing::HasSubstr;

const ParamSchema& testSchema() {
  static const ParamSchema s{
      {"regParam", "regularization parameter (>= 0)", ParamType::kDouble, ParamValue(0.0),
       ParamValidator::gtEq(0)},
      {"maxIter", "max number of iterations (>= 0)", ParamType::kInt, ParamValue(100),
       ParamValidator::gtEq(0)},
      {"family", "the name of family", ParamType::kString, ParamValue("auto"),
       ParamValidator::oneOf({"auto", "binomial"})},
      {"inputCol", "input column name", ParamType::kString, std::nullopt,
       ParamValidator::nonEmpty()},
      {"fitIntercept", "whether to fit an intercept term", ParamType::kBool, ParamValue(true),
       ParamValidator::any()},
      {"ratio", "a ratio in [0, 1]", ParamType::kDouble, ParamValue(0.5),
       ParamValidator::inRange(0, 1)},
  };
  return s;
}

class Dummy final : public Params {
 public:
  Dummy() : Params(randomUid("dummy"), testSchema()) {}
  [[nodiscard]] std::string className() const override { return "Dummy"; }
  [[nodiscard]] std::shared_ptr<Params> cloneParams() const override {
    return std::make_shared<Dummy>(*this);
  }
};

TEST(ParamsTest, DefaultsAndUserValues) {
  Dummy d;
  EXPECT_EQ(d.getDouble("regParam"), 0.0);
  EXPECT_EQ(d.getInt("maxIter"), 100);
  EXPECT_FALSE(d.isSet("maxIter"));
  EXPECT_TRUE(d.isDefined("maxIter"));
  d.set("maxIter", 10);
  EXPECT_TRUE(d.isSet("maxIter"));
  EXPECT_EQ(d.getInt("maxIter"), 10);
  d.clear("maxIter");
  EXPECT_EQ(d.getInt("maxIter"), 100);
  EXPECT_FALSE(d.isDefined("inputCol"));
}

TEST(ParamsTest, UidHasPrefixAndTwelveHexDigits) {
  Dummy a, b;
  EXPECT_THAT(a.uid(), ::testing::MatchesRegex("dummy_[0-9a-f]{12}"));
  EXPECT_NE(a.uid(), b.uid());
}

TEST(ParamsTest, CoercesExactNumbers) {
  Dummy d;
  d.set("regParam", 1);  // int -> double
  EXPECT_EQ(d.getDouble("regParam"), 1.0);
  d.set("maxIter", 20.0);  // integral double -> int
  EXPECT_EQ(d.getInt("maxIter"), 20);
}

TEST(ParamsTest, UnknownParameterListsValidNames) {
  Dummy d;
  try {
    d.set("lambda", 0.1);
    FAIL() << "expected ParamError";
  } catch (const ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr("has no parameter 'lambda'"));
    EXPECT_THAT(e.what(), HasSubstr("valid: family, fitIntercept, inputCol, maxIter, ratio, regParam"));
    EXPECT_THAT(e.what(), HasSubstr(d.uid()));
  }
}

TEST(ParamsTest, WrongTypeNamesTypeAndValue) {
  Dummy d;
  try {
    d.set("maxIter", "ten");
    FAIL();
  } catch (const ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'maxIter' expects a value of type int, got string \"ten\""));
  }
  EXPECT_THROW(d.set("maxIter", 2.5), ParamError);  // not integral
  EXPECT_THROW(d.set("fitIntercept", 1), ParamError);
}

TEST(ParamsTest, OutOfRangeNamesValueAndRule) {
  Dummy d;
  try {
    d.set("regParam", -0.5);
    FAIL();
  } catch (const ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr("Dummy " + d.uid()));
    EXPECT_THAT(e.what(), HasSubstr("'regParam' given invalid value -0.5 (must be >= 0)"));
  }
  EXPECT_THROW(d.set("ratio", 1.5), ParamError);
  EXPECT_NO_THROW(d.set("ratio", 1.0));
  try {
    d.set("family", "multinomial");
    FAIL();
  } catch (const ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr("must be one of {auto, binomial}"));
  }
  EXPECT_THROW(d.set("inputCol", ""), ParamError);
  EXPECT_EQ(d.getDouble("regParam"), 0.0) << "a rejected value must not be stored";
}

TEST(ParamsTest, UnsetWithoutDefaultIsAnError) {
  Dummy d;
  try {
    (void)d.getString("inputCol");
    FAIL();
  } catch (const ParamError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'inputCol' is not set and has no default"));
  }
}

// An example value (ParamExample) is recorded in the spec, converted to the param's type, and
// is not a default: the param stays required.
TEST(ParamsTest, ExampleValueIsNotADefault) {
  ParamSchema s;
  const Param<std::int64_t> k(s, "k", "number of components", kNoDefault, ParamValidator::gt(0),
                              ParamExample{3});
  const Param<std::vector<double>> splits(s, "splits", "split points", kNoDefault,
                                          ParamValidator::any(),
                                          ParamExample{std::vector<double>{0.0, 1.0, 2.0}});
  ASSERT_EQ(s.size(), 2U);
  EXPECT_FALSE(s[0].defaultValue.has_value());
  ASSERT_TRUE(s[0].example.has_value());
  EXPECT_EQ(s[0].example->type(), ParamType::kInt);
  EXPECT_EQ(*s[0].example, ParamValue(std::int64_t{3}));
  ASSERT_TRUE(s[1].example.has_value());
  EXPECT_EQ(*s[1].example, ParamValue(std::vector<double>{0.0, 1.0, 2.0}));
  EXPECT_FALSE(testSchema()[3].example.has_value());  // inputCol: no example
}

TEST(ParamsTest, ExplainParamsSortedLikeSpark) {
  Dummy d;
  d.set("maxIter", 10);
  EXPECT_EQ(d.explainParam("maxIter"),
            "maxIter: max number of iterations (>= 0) (default: 100, current: 10)");
  EXPECT_EQ(d.explainParam("inputCol"), "inputCol: input column name (undefined)");
  const std::string all = d.explainParams();
  EXPECT_EQ(all.substr(0, all.find('\n')), "family: the name of family (default: \"auto\")");
  EXPECT_LT(all.find("maxIter"), all.find("regParam"));
}

TEST(ParamsTest, ParamMapKeyedByUidAndValidated) {
  Dummy a, b;
  ParamMap m;
  m.put(a.param("maxIter"), 5).put(b, "maxIter", 7);
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(m.get(a.uid(), "maxIter")->as<std::int64_t>(), 5);
  EXPECT_EQ(m.get(b.uid(), "maxIter")->as<std::int64_t>(), 7);
  EXPECT_THROW(m.put(a.param("maxIter"), -1), ParamError);
  EXPECT_THROW((void)a.param("nope"), ParamError);
  a.applyParamMap(m);
  EXPECT_EQ(a.getInt("maxIter"), 5);
  const ParamMap extracted = a.extractParamMap();
  EXPECT_EQ(extracted.get(a.uid(), "maxIter")->as<std::int64_t>(), 5);
  EXPECT_EQ(extracted.get(a.uid(), "regParam")->as<double>(), 0.0);
  EXPECT_FALSE(extracted.contains(b.uid(), "maxIter"));
}

TEST(ParamsTest, ValueRendering) {
  EXPECT_EQ(ParamValue(0.1).toString(), "0.1");
  EXPECT_EQ(ParamValue(1000).toString(), "1000");
  EXPECT_EQ(ParamValue(std::vector<std::string>{"a", "b"}).toString(), "[\"a\", \"b\"]");
  EXPECT_EQ(ParamValue(std::numeric_limits<double>::infinity()).toString(), "Inf");
  EXPECT_EQ(ParamValue("x").type(), ParamType::kString);  // not bool
}

}  // namespace
}  // namespace td
