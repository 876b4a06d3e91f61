// src/nn/optimizer.cc — TensorFlow 1's update rules (see nn/optimizer.h).
#include "nn/optimizer.h"

#include <fmt/format.h>

#include <atomic>
#include <cmath>

#include "thunderdome/core/error.h"

namespace td::nn {

using Kind = OptimizerConfig::Kind;

OptimizerConfig optimizerFromName(std::string_view name, double learningRate) {
  OptimizerConfig c;
  c.learningRate = learningRate;
  if (name == "adam") {
    c.kind = Kind::kAdam;
  } else if (name == "sgd" || name == "gradient_descent") {
    c.kind = Kind::kSgd;
  } else if (name == "momentum") {
    c.kind = Kind::kMomentum;
  } else if (name == "rmsprop") {
    c.kind = Kind::kRmsprop;
    c.momentum = 0.0;
    c.epsilon = 1e-10;
  } else if (name == "adagrad") {
    c.kind = Kind::kAdagrad;
  } else if (name == "adadelta") {
    c.kind = Kind::kAdadelta;
  } else {
    throw ParamError(fmt::format(
        "unknown optimizer '{}' (supported: adam, sgd, gradient_descent, momentum, rmsprop, "
        "adagrad, adadelta)",
        name));
  }
  return c;
}

void setOptimizerOption(OptimizerConfig& c, std::string_view key, double v) {
  auto takes = [&](std::initializer_list<Kind> kinds) {
    for (const Kind k : kinds)
      if (c.kind == k) return true;
    return false;
  };
  bool ok = true;
  if (key == "learning_rate") c.learningRate = v;
  else if (key == "beta1" && takes({Kind::kAdam})) c.beta1 = v;
  else if (key == "beta2" && takes({Kind::kAdam})) c.beta2 = v;
  else if (key == "epsilon" && takes({Kind::kAdam, Kind::kRmsprop, Kind::kAdadelta})) c.epsilon = v;
  else if (key == "momentum" && takes({Kind::kMomentum, Kind::kRmsprop})) c.momentum = v;
  else if (key == "use_nesterov" && takes({Kind::kMomentum})) c.useNesterov = v != 0.0;
  else if (key == "decay" && takes({Kind::kRmsprop})) c.decay = v;
  else if (key == "rho" && takes({Kind::kAdadelta})) c.rho = v;
  else if (key == "initial_accumulator_value" && takes({Kind::kAdagrad}))
    c.initialAccumulatorValue = v;
  else ok = false;
  if (!ok)
    throw ParamError(fmt::format("optimizerOptions: unknown option '{}' for this optimizer", key));
  if (!std::isfinite(v))
    throw ParamError(fmt::format("optimizerOptions: option '{}' is not finite", key));
}

int numSlots(const OptimizerConfig& c) {
  switch (c.kind) {
    case Kind::kSgd: return 0;
    case Kind::kMomentum: return 1;
    case Kind::kAdam: return 2;
    case Kind::kRmsprop: return 2;
    case Kind::kAdagrad: return 1;
    case Kind::kAdadelta: return 2;
  }
  return 0;
}

float slotInit(const OptimizerConfig& c, int s) {
  if (c.kind == Kind::kRmsprop && s == 0) return 1.0f;
  if (c.kind == Kind::kAdagrad) return static_cast<float>(c.initialAccumulatorValue);
  return 0.0f;
}

namespace {

// Plain or relaxed-atomic element access.
template <bool Relaxed>
struct Access {
  static float load(float* p) {
    if constexpr (Relaxed) return std::atomic_ref<float>(*p).load(std::memory_order_relaxed);
    else return *p;
  }
  static void store(float* p, float v) {
    if constexpr (Relaxed) std::atomic_ref<float>(*p).store(v, std::memory_order_relaxed);
    else *p = v;
  }
};

template <bool R>
void update(const OptimizerConfig& c, float* w, float* const* slots, const float* g,
            std::int64_t begin, std::int64_t end, std::int64_t t) {
  using A = Access<R>;
  const auto lr = static_cast<float>(c.learningRate);
  switch (c.kind) {
    case Kind::kSgd:
      for (std::int64_t i = begin; i < end; ++i) A::store(w + i, A::load(w + i) - lr * g[i]);
      return;
    case Kind::kMomentum: {
      // accum = momentum·accum + g; w −= lr·accum (Nesterov: w −= lr·g + lr·momentum·accum).
      const auto mu = static_cast<float>(c.momentum);
      float* acc = slots[0];
      for (std::int64_t i = begin; i < end; ++i) {
        const float a = mu * A::load(acc + i) + g[i];
        A::store(acc + i, a);
        const float step = c.useNesterov ? lr * g[i] + lr * mu * a : lr * a;
        A::store(w + i, A::load(w + i) - step);
      }
      return;
    }
    case Kind::kAdam: {
      // lr_t = lr·√(1−β2^t)/(1−β1^t); m = β1 m + (1−β1) g; v = β2 v + (1−β2) g²;
      // w −= lr_t·m/(√v + ε).
      const double b1 = c.beta1, b2 = c.beta2;
      const auto td = static_cast<double>(t);
      const auto lrt = static_cast<float>(c.learningRate * std::sqrt(1.0 - std::pow(b2, td)) /
                                          (1.0 - std::pow(b1, td)));
      const auto fb1 = static_cast<float>(b1), fb2 = static_cast<float>(b2);
      const auto eps = static_cast<float>(c.epsilon);
      float* m = slots[0];
      float* v = slots[1];
      for (std::int64_t i = begin; i < end; ++i) {
        const float mi = A::load(m + i) + (g[i] - A::load(m + i)) * (1.0f - fb1);
        const float vi = A::load(v + i) + (g[i] * g[i] - A::load(v + i)) * (1.0f - fb2);
        A::store(m + i, mi);
        A::store(v + i, vi);
        A::store(w + i, A::load(w + i) - lrt * mi / (std::sqrt(vi) + eps));
      }
      return;
    }
    case Kind::kRmsprop: {
      // ms = ms + (g² − ms)(1 − decay); mom = momentum·mom + lr·g/√(ms + ε); w −= mom.
      const auto decay = static_cast<float>(c.decay), mu = static_cast<float>(c.momentum);
      const auto eps = static_cast<float>(c.epsilon);
      float* ms = slots[0];
      float* mom = slots[1];
      for (std::int64_t i = begin; i < end; ++i) {
        const float s = A::load(ms + i) + (g[i] * g[i] - A::load(ms + i)) * (1.0f - decay);
        const float mo = mu * A::load(mom + i) + lr * g[i] / std::sqrt(s + eps);
        A::store(ms + i, s);
        A::store(mom + i, mo);
        A::store(w + i, A::load(w + i) - mo);
      }
      return;
    }
    case Kind::kAdagrad: {
      // accum += g²; w −= lr·g/√accum.
      float* acc = slots[0];
      for (std::int64_t i = begin; i < end; ++i) {
        const float a = A::load(acc + i) + g[i] * g[i];
        A::store(acc + i, a);
        A::store(w + i, A::load(w + i) - lr * g[i] / std::sqrt(a));
      }
      return;
    }
    case Kind::kAdadelta: {
      // accum = ρ accum + (1−ρ) g²; u = √(accum_update + ε)/√(accum + ε)·g;
      // accum_update = ρ accum_update + (1−ρ) u²; w −= lr·u.
      const auto rho = static_cast<float>(c.rho), eps = static_cast<float>(c.epsilon);
      float* acc = slots[0];
      float* accu = slots[1];
      for (std::int64_t i = begin; i < end; ++i) {
        const float a = A::load(acc + i) * rho + g[i] * g[i] * (1.0f - rho);
        const float u = std::sqrt(A::load(accu + i) + eps) / std::sqrt(a + eps) * g[i];
        A::store(acc + i, a);
        A::store(accu + i, A::load(accu + i) * rho + u * u * (1.0f - rho));
        A::store(w + i, A::load(w + i) - lr * u);
      }
      return;
    }
  }
}

}  // namespace

void applyUpdate(const OptimizerConfig& c, float* w, float* const* slots, const float* g,
                 std::int64_t begin, std::int64_t end, std::int64_t t, bool relaxed) {
  if (relaxed) update<true>(c, w, slots, g, begin, end, t);
  else update<false>(c, w, slots, g, begin, end, t);
}

}  // namespace td::nn
