// tests/glm/loss_test.cc — the binomial logistic loss of the GLM kit.
#include "glm/loss.h"

#include <gtest/gtest.h>

#include <cmath>

namespace td::glm {
namespace {

using L = BinomialLogisticLoss;

TEST(GlmLossTest, BinomialTermsMatchSoftplusAndSigmoidBitForBit) {
  for (double y : {0.0, 1.0})
    for (double m : {-40.0, -3.5, -1e-3, -0.0, 0.0, 1e-3, 0.7, 2.0, 35.0}) {
      const RowTerms t = L::terms(y, m, 1.0);
      EXPECT_EQ(t.loss, y > 0.5 ? softplus(-m) : softplus(m)) << y << " " << m;
      EXPECT_EQ(t.deriv, sigmoid(m) - y) << y << " " << m;
    }
}

TEST(GlmLossTest, BinomialDerivativesMatchFiniteDifferences) {
  const double h = 1e-5;
  for (double y : {0.0, 1.0})
    for (double m : {-6.0, -1.3, -0.2, 0.0, 0.4, 1.7, 5.0})
      for (double w : {1.0, 0.25, 3.0}) {
        const double dl = (L::terms(y, m + h, w).loss - L::terms(y, m - h, w).loss) / (2 * h);
        EXPECT_NEAR(L::terms(y, m, w).deriv, dl, 1e-8 * (1 + std::abs(dl))) << y << " " << m;
        const double d2 = (L::terms(y, m + h, w).deriv - L::terms(y, m - h, w).deriv) / (2 * h);
        EXPECT_NEAR(L::curvature(y, m, w), d2, 1e-8 * (1 + std::abs(d2))) << y << " " << m;
      }
}

TEST(GlmLossTest, BinomialIsStableAtExtremeMargins) {
  EXPECT_EQ(L::terms(1.0, 800.0, 1.0).loss, 0.0);
  EXPECT_DOUBLE_EQ(L::terms(0.0, 800.0, 1.0).loss, 800.0);
  EXPECT_EQ(L::terms(0.0, -800.0, 2.0).deriv, 0.0);
  EXPECT_EQ(L::curvature(0.0, 800.0, 1.0), 0.0);
  EXPECT_EQ(L::curvature(1.0, 0.0, 2.0), 0.5);
}

}  // namespace
}  // namespace td::glm
