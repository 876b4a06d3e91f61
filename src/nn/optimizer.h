// src/nn/optimizer.h — the update rules of AsyncDL's optimizers, as TensorFlow 1's
// tf.train.*Optimizer apply them (the kernels of training_ops: ApplyGradientDescent,
// ApplyMomentum, ApplyAdam, ApplyRMSProp, ApplyAdagrad, ApplyAdadelta), element-wise over raw
// float arrays: the weights, the optimizer's slots and one gradient. Internal (td_nn):
// "nn/optimizer.h".
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace td::nn {

/// An optimizer and its hyper-parameters (TensorFlow 1's defaults; momentum's 0.9 is
/// Sparkflow's build_optimizer default).
struct OptimizerConfig {
  enum class Kind { kSgd, kMomentum, kAdam, kRmsprop, kAdagrad, kAdadelta } kind = Kind::kAdam;
  double learningRate = 0.01;
  double beta1 = 0.9, beta2 = 0.999;       // adam
  double epsilon = 1e-8;                   // adam 1e-8, rmsprop 1e-10, adadelta 1e-8
  double momentum = 0.9;                   // momentum; rmsprop's defaults to 0
  bool useNesterov = false;                // momentum
  double decay = 0.9;                      // rmsprop (TF's decay = rho)
  double rho = 0.95;                       // adadelta
  double initialAccumulatorValue = 0.1;    // adagrad
};

/// The optimizer named `name` (adam, sgd or gradient_descent, momentum, rmsprop, adagrad,
/// adadelta) with its TensorFlow defaults and `learningRate`; ParamError else.
OptimizerConfig optimizerFromName(std::string_view name, double learningRate);

/// Sets one option by TensorFlow's keyword name (learning_rate, beta1, beta2, epsilon,
/// momentum, use_nesterov, decay, rho, initial_accumulator_value); ParamError for a name the
/// optimizer does not take.
void setOptimizerOption(OptimizerConfig& c, std::string_view key, double value);

/// Number of slot arrays (state per weight) the optimizer keeps: sgd 0, momentum 1, adam 2,
/// rmsprop 2 (ms, mom), adagrad 1, adadelta 2.
int numSlots(const OptimizerConfig& c);
/// The slots' initial value (TensorFlow: rmsprop's ms starts at 1, adagrad's accumulator at
/// initial_accumulator_value, everything else at 0), for slot s.
float slotInit(const OptimizerConfig& c, int s);

/// One update of w[begin, end) with gradient g (indexed like w) and the slots (numSlots arrays
/// indexed like w); t is the 1-based step count (adam's bias correction). With `relaxed`, every
/// read and write of w and the slots is a relaxed atomic access (std::atomic_ref): updates from
/// several threads race element by element as Hogwild! allows (one may overwrite another's
/// update of the same element) without undefined behaviour.
void applyUpdate(const OptimizerConfig& c, float* w, float* const* slots, const float* g,
                 std::int64_t begin, std::int64_t end, std::int64_t t, bool relaxed);

}  // namespace td::nn
