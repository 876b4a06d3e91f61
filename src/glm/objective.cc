// src/glm/objective.cc
#include "glm/objective.h"

#include "glm/objective_impl.h"

#include <stdexcept>

namespace td::glm {

std::vector<double> Problem::l1Weights(double l1, bool standardization) const {
  std::vector<double> out;
  if (!(l1 > 0.0) || k() == 0) return out;
  if (stats.merged())  // a merged group's split is the L2 penalty's alone
    throw std::logic_error("glm::Problem: an L1 penalty on merged features");
  out.assign(static_cast<std::size_t>(dim()), 0.0);
  for (std::size_t c = 0; c < static_cast<std::size_t>(k()); ++c)
    out[c] = l1 * (standardization ? 1.0 : scaling.invStd[c]);
  return out;
}

std::vector<double> Problem::toCompact(const std::vector<double>& coef, double intercept) const {
  const auto ku = static_cast<std::size_t>(k());
  std::vector<double> z(static_cast<std::size_t>(dim()), 0.0);
  for (std::size_t c = 0; c < ku; ++c) {
    if (!stats.merged()) {
      z[c] = coef[static_cast<std::size_t>(stats.active[c])] * stats.sigma[c];
      continue;
    }
    double u = 0.0;  // a merged group: its margin Σ a_j w_j, exactly as coef gives it
    for (auto q = static_cast<std::size_t>(stats.memberPtr[c]);
         q < static_cast<std::size_t>(stats.memberPtr[c + 1]); ++q)
      u += stats.memberRatio[q] * coef[static_cast<std::size_t>(stats.memberFeature[q])];
    z[c] = u * stats.sigma[c];
  }
  if (scaling.fitIntercept) {
    double s = 0.0;
    for (std::size_t c = 0; c < ku; ++c) s += z[c] * scaling.scaledMean[c];
    z[ku] = intercept + s;
  }
  return z;
}

std::vector<double> Problem::coefficients(const std::vector<double>& z, std::int64_t d) const {
  std::vector<double> coef(static_cast<std::size_t>(d), 0.0);
  for (std::size_t c = 0; c < static_cast<std::size_t>(k()); ++c) {
    const double u = z[c] * scaling.invStd[c];
    if (!stats.merged()) {
      coef[static_cast<std::size_t>(stats.active[c])] = u;
      continue;
    }
    for (auto q = static_cast<std::size_t>(stats.memberPtr[c]);
         q < static_cast<std::size_t>(stats.memberPtr[c + 1]); ++q)
      coef[static_cast<std::size_t>(stats.memberFeature[q])] = scaling.memberCoef[q] * u;
  }
  return coef;
}

template class DenseObjective<BinomialLogisticLoss>;
template class SparseObjective<BinomialLogisticLoss>;

}  // namespace td::glm
