// src/optim/lbfgs.cc
#include "thunderdome/optim/lbfgs.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <iterator>
#include <limits>
#include <memory>
#include <type_traits>
#include <utility>

#include "thunderdome/core/error.h"

namespace td::optim {

std::string_view toString(StopReason r) {
  switch (r) {
    case StopReason::kFunctionValues: return "function values converged";
    case StopReason::kGradient: return "gradient converged";
    case StopReason::kMaxIterations: return "max iterations reached";
    case StopReason::kSearchFailed: return "line search failed";
  }
  return "?";
}

namespace {

using Index = std::int64_t;

constexpr double kC1 = 1e-4;  // sufficient decrease (Armijo) constant
constexpr double kC2 = 0.9;   // curvature constant of the strong Wolfe conditions
constexpr int kMaxLineSearchEvals = 40;
constexpr Index kFloatHistoryMinDim = 1024;
constexpr double kInf = std::numeric_limits<double>::infinity();

// ---------------------------------------------------------------- vector kernels
// Every reduction keeps 8 partial sums (lane l sums the elements j ≡ l mod 8 in index order)
// combined in a fixed tree. On x86-64 each kernel has a baseline (SSE2, 2 doubles per register)
// and an AVX2 variant (4 per register), chosen once at start-up; neither has FMA, so nothing is
// contracted and both give the same bits: results do not depend on the machine's vector width,
// nor on threads (the solver's vector work is serial). Passes are fused so that each reads the
// long vectors once.
#pragma GCC diagnostic ignored "-Wpsabi"  // vector types stay inside always-inline helpers

using v2d = double __attribute__((vector_size(16)));
using v4d = double __attribute__((vector_size(32)));
using v2f = float __attribute__((vector_size(8)));
using v4f = float __attribute__((vector_size(16)));
template <class V> struct FloatOf;
template <> struct FloatOf<v2d> { using type = v2f; };
template <> struct FloatOf<v4d> { using type = v4f; };

constexpr int kLanes = 8;

template <class V, class T>
[[gnu::always_inline]] inline V load(const T* p) {
  if constexpr (std::is_same_v<T, double>) {
    V v;
    std::memcpy(&v, p, sizeof v);
    return v;
  } else {
    typename FloatOf<V>::type f;
    std::memcpy(&f, p, sizeof f);
    return __builtin_convertvector(f, V);
  }
}

template <class V, class T>
[[gnu::always_inline]] inline void store(T* p, V v) {
  if constexpr (std::is_same_v<T, double>) {
    std::memcpy(p, &v, sizeof v);
  } else {
    const auto f = __builtin_convertvector(v, typename FloatOf<V>::type);
    std::memcpy(p, &f, sizeof f);
  }
}

// The 8 lanes as K = 8/W registers of W doubles.
template <class V>
struct Acc {
  static constexpr int W = static_cast<int>(sizeof(V) / sizeof(double));
  static constexpr int K = kLanes / W;
  V r[K];
  [[gnu::always_inline]] Acc() {
    for (int k = 0; k < K; ++k) r[k] = V{};
  }
  [[gnu::always_inline]] double sum() const {
    double l[kLanes];
    std::memcpy(l, r, sizeof l);
    return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
  }
};

// The last < 8 elements are processed as one group of zero-padded copies (the padding adds exact
// zeros to the sums, and only the real elements are copied back).
template <class T>
struct Padded {
  T v[kLanes] = {};
};

// Σ a_j·b_j.
template <class V, class T>
[[gnu::always_inline]] inline double dotImpl(const T* a, const double* b, std::int64_t n) {
  constexpr int W = Acc<V>::W, K = Acc<V>::K;
  Acc<V> acc;
  std::int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (int k = 0; k < K; ++k) acc.r[k] += load<V>(a + j + k * W) * load<V>(b + j + k * W);
  if (j < n) {
    Padded<T> pa;
    Padded<double> pb;
    std::copy(a + j, a + n, pa.v);
    std::copy(b + j, b + n, pb.v);
    for (int k = 0; k < K; ++k) acc.r[k] += load<V>(pa.v + k * W) * load<V>(pb.v + k * W);
  }
  return acc.sum();
}

// out = src − a·y (out may alias src); returns s·out.
template <class V, class T>
[[gnu::always_inline]] inline double subtractDotImpl(double* out, const double* src, double a,
                                                     const T* y, const T* s, std::int64_t n) {
  constexpr int W = Acc<V>::W, K = Acc<V>::K;
  Acc<V> acc;
  auto group = [&](double* o, const double* sr, const T* yy, const T* ss) {
    for (int k = 0; k < K; ++k) {
      const V v = load<V>(sr + k * W) - a * load<V>(yy + k * W);
      store<V>(o + k * W, v);
      acc.r[k] += load<V>(ss + k * W) * v;
    }
  };
  std::int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes) group(out + j, src + j, y + j, s + j);
  if (j < n) {
    Padded<double> po, psr;
    Padded<T> py, ps;
    std::copy(src + j, src + n, psr.v);
    std::copy(y + j, y + n, py.v);
    std::copy(s + j, s + n, ps.v);
    group(po.v, psr.v, py.v, ps.v);
    std::copy(po.v, po.v + (n - j), out + j);
  }
  return acc.sum();
}

// d = g·d + c·s in place; returns y·d.
template <class V, class T>
[[gnu::always_inline]] inline double scaleAddDotImpl(double* d, double g, double c, const T* s,
                                                     const T* y, std::int64_t n) {
  constexpr int W = Acc<V>::W, K = Acc<V>::K;
  Acc<V> acc;
  auto group = [&](double* dd, const T* ss, const T* yy) {
    for (int k = 0; k < K; ++k) {
      const V v = g * load<V>(dd + k * W) + c * load<V>(ss + k * W);
      store<V>(dd + k * W, v);
      acc.r[k] += load<V>(yy + k * W) * v;
    }
  };
  std::int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes) group(d + j, s + j, y + j);
  if (j < n) {
    Padded<double> pd;
    Padded<T> ps, py;
    std::copy(d + j, d + n, pd.v);
    std::copy(s + j, s + n, ps.v);
    std::copy(y + j, y + n, py.v);
    group(pd.v, ps.v, py.v);
    std::copy(pd.v, pd.v + (n - j), d + j);
  }
  return acc.sum();
}

// d = −(g·d + c·s) in place; out = [d·p, d·d].
template <class V, class T>
[[gnu::always_inline]] inline void finishImpl(double* d, double g, double c, const T* s,
                                              const double* p, std::int64_t n, double* out) {
  constexpr int W = Acc<V>::W, K = Acc<V>::K;
  Acc<V> a1, a2;
  auto group = [&](double* dd, const T* ss, const double* pp) {
    for (int k = 0; k < K; ++k) {
      const V v = -(g * load<V>(dd + k * W) + c * load<V>(ss + k * W));
      store<V>(dd + k * W, v);
      a1.r[k] += v * load<V>(pp + k * W);
      a2.r[k] += v * v;
    }
  };
  std::int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes) group(d + j, s + j, p + j);
  if (j < n) {
    Padded<double> pd, pp;
    Padded<T> ps;
    std::copy(d + j, d + n, pd.v);
    std::copy(s + j, s + n, ps.v);
    std::copy(p + j, p + n, pp.v);
    group(pd.v, ps.v, pp.v);
    std::copy(pd.v, pd.v + (n - j), d + j);
  }
  out[0] = a1.sum();
  out[1] = a2.sum();
}

// s = xNew − x, y = gNew − g stored as T; out = [sᵀy, yᵀy, sᵀs, gNewᵀgNew, max|s|, max|y|].
template <class V, class T>
[[gnu::always_inline]] inline void pairImpl(const double* xNew, const double* x,
                                            const double* gNew, const double* g, T* s, T* y,
                                            std::int64_t n, double* out) {
  constexpr int W = Acc<V>::W, K = Acc<V>::K;
  Acc<V> sy, yy, ss, gg;
  V sm = {}, ym = {};
  auto group = [&](const double* xn, const double* xo, const double* gn, const double* go, T* so,
                   T* yo) {
    for (int k = 0; k < K; ++k) {
      const V gv = load<V>(gn + k * W);
      const V si = load<V>(xn + k * W) - load<V>(xo + k * W);
      const V yi = gv - load<V>(go + k * W);
      store<V>(so + k * W, si);
      store<V>(yo + k * W, yi);
      sy.r[k] += si * yi;
      yy.r[k] += yi * yi;
      ss.r[k] += si * si;
      gg.r[k] += gv * gv;
      const V sa = si < 0.0 ? -si : si;
      const V ya = yi < 0.0 ? -yi : yi;
      sm = sm > sa ? sm : sa;
      ym = ym > ya ? ym : ya;
    }
  };
  std::int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes) group(xNew + j, x + j, gNew + j, g + j, s + j, y + j);
  if (j < n) {
    Padded<double> pxn, px, pgn, pg;
    Padded<T> ps, py;
    std::copy(xNew + j, xNew + n, pxn.v);
    std::copy(x + j, x + n, px.v);
    std::copy(gNew + j, gNew + n, pgn.v);
    std::copy(g + j, g + n, pg.v);
    group(pxn.v, px.v, pgn.v, pg.v, ps.v, py.v);
    std::copy(ps.v, ps.v + (n - j), s + j);
    std::copy(py.v, py.v + (n - j), y + j);
  }
  out[0] = sy.sum();
  out[1] = yy.sum();
  out[2] = ss.sum();
  out[3] = gg.sum();
  double a[sizeof(V) / sizeof(double)], b[sizeof(V) / sizeof(double)];
  std::memcpy(a, &sm, sizeof a);
  std::memcpy(b, &ym, sizeof b);
  out[4] = *std::max_element(std::begin(a), std::end(a));
  out[5] = *std::max_element(std::begin(b), std::end(b));
}

// out = x + t·d.
template <class V>
[[gnu::always_inline]] inline void axpyImpl(double* out, const double* x, double t,
                                            const double* d, std::int64_t n) {
  constexpr int W = Acc<V>::W;
  std::int64_t j = 0;
  for (; j + W <= n; j += W) store<V>(out + j, load<V>(x + j) + t * load<V>(d + j));
  for (; j < n; ++j) out[j] = x[j] + t * d[j];
}

// The two variants of every kernel and the dispatch (decided once).
#if defined(__x86_64__) || defined(__i386__)
const bool kAvx2 = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") != 0;
}();
#define TD_KERNEL(ret, name, impl, params, args)                              \
  [[gnu::target("avx2")]] ret name##Avx2 params { return impl<v4d> args; } \
  ret name##Base params { return impl<v2d> args; }                        \
  inline ret name params { return kAvx2 ? name##Avx2 args : name##Base args; }
#else
#define TD_KERNEL(ret, name, impl, params, args) \
  inline ret name params { return impl<v2d> args; }
#endif

TD_KERNEL(double, dotF, dotImpl, (const float* a, const double* b, Index n), (a, b, n))
TD_KERNEL(double, dotD, dotImpl, (const double* a, const double* b, Index n), (a, b, n))
TD_KERNEL(double, subDotF, subtractDotImpl,
          (double* o, const double* src, double a, const float* y, const float* s, Index n),
          (o, src, a, y, s, n))
TD_KERNEL(double, subDotD, subtractDotImpl,
          (double* o, const double* src, double a, const double* y, const double* s, Index n),
          (o, src, a, y, s, n))
TD_KERNEL(double, addDotF, scaleAddDotImpl, (double* d, double g, double c, const float* s, const float* y, Index n),
          (d, g, c, s, y, n))
TD_KERNEL(double, addDotD, scaleAddDotImpl,
          (double* d, double g, double c, const double* s, const double* y, Index n),
          (d, g, c, s, y, n))
TD_KERNEL(void, finF, finishImpl,
          (double* d, double g, double c, const float* s, const double* p, Index n, double* out),
          (d, g, c, s, p, n, out))
TD_KERNEL(void, finD, finishImpl,
          (double* d, double g, double c, const double* s, const double* p, Index n, double* out),
          (d, g, c, s, p, n, out))
TD_KERNEL(void, pairF, pairImpl,
          (const double* xn, const double* x, const double* gn, const double* g, float* s,
           float* y, Index n, double* out),
          (xn, x, gn, g, s, y, n, out))
TD_KERNEL(void, pairD, pairImpl,
          (const double* xn, const double* x, const double* gn, const double* g, double* s,
           double* y, Index n, double* out),
          (xn, x, gn, g, s, y, n, out))
TD_KERNEL(void, axpy, axpyImpl, (double* out, const double* x, double t, const double* d, Index n),
          (out, x, t, d, n))
#undef TD_KERNEL

inline double dot(const double* a, const double* b, Index n) { return dotD(a, b, n); }
inline double dotT(const float* a, const double* b, Index n) { return dotF(a, b, n); }
inline double dotT(const double* a, const double* b, Index n) { return dotD(a, b, n); }
inline double subtractDot(double* o, const double* src, double a, const float* y, const float* s,
                          Index n) {
  return subDotF(o, src, a, y, s, n);
}
inline double subtractDot(double* o, const double* src, double a, const double* y,
                          const double* s, Index n) {
  return subDotD(o, src, a, y, s, n);
}
inline double scaleAddDot(double* d, double g, double c, const float* s, const float* y,
                          Index n) {
  return addDotF(d, g, c, s, y, n);
}
inline double scaleAddDot(double* d, double g, double c, const double* s, const double* y,
                          Index n) {
  return addDotD(d, g, c, s, y, n);
}
inline void finishDirection(double* d, double g, double c, const float* s, const double* p,
                            Index n, double& dp, double& dd) {
  double out[2];
  finF(d, g, c, s, p, n, out);
  dp = out[0], dd = out[1];
}
inline void finishDirection(double* d, double g, double c, const double* s, const double* p,
                            Index n, double& dp, double& dd) {
  double out[2];
  finD(d, g, c, s, p, n, out);
  dp = out[0], dd = out[1];
}
inline void makePair(const double* xNew, const double* x, const double* gNew, const double* g,
                     float* s, float* y, Index n, double* out) {
  pairF(xNew, x, gNew, g, s, y, n, out);
}
inline void makePair(const double* xNew, const double* x, const double* gNew, const double* g,
                     double* s, double* y, Index n, double* out) {
  pairD(xNew, x, gNew, g, s, y, n, out);
}

// d = −p; returns d·p and d·d.
void steepest(double* d, const double* p, Index n, double& dp, double& dd) {
  for (Index j = 0; j < n; ++j) d[j] = -p[j];
  dp = -dot(p, p, n);
  dd = dot(p, p, n);
}

// ---------------------------------------------------------------- L-BFGS memory
// The last m pairs s = x_{k+1} − x_k, y = g_{k+1} − g_k, stored as T; with T = float each
// vector is stored divided by a power of two (exact) when its largest entry is far from 1, so
// nothing overflows and only negligible entries underflow.
template <class T>
class History {
 public:
  History(Index n, int m)
      : n_(n),
        m_(m),
        // Not value-initialised: a slot's pages are first touched when a pair is stored there.
        S_(new T[static_cast<std::size_t>(n) * static_cast<std::size_t>(m + 1)]),
        Y_(new T[static_cast<std::size_t>(n) * static_cast<std::size_t>(m + 1)]),
        rho_(static_cast<std::size_t>(m + 1)),
        alpha_(rho_.size()),
        sScale_(rho_.size(), 1.0),
        yScale_(rho_.size(), 1.0) {
    for (int i = 0; i <= m; ++i) free_.push_back(i);
  }

  void clear() {
    for (int i : order_) free_.push_back(i);
    order_.clear();
  }
  [[nodiscard]] bool empty() const { return order_.empty(); }

  // Builds s = xNew − x and y = gNew − g in the spare slot and keeps the pair when its curvature
  // is positive (then the oldest pair is evicted when the memory is full). Returns ‖gNew‖².
  double push(const double* xNew, const double* x, const double* gNew, const double* g) {
    const int slot = free_.back();
    T* s = col(S_, slot);
    T* y = col(Y_, slot);
    double st[6];
    makePair(xNew, x, gNew, g, s, y, n_, st);
    const double syv = st[0], yyv = st[1], ssv = st[2], ggv = st[3];
    const double smax = st[4], ymax = st[5];
    if (!(syv > 1e-12 * std::sqrt(ssv * yyv)) || !(yyv > 0.0) || !std::isfinite(syv) || m_ == 0)
      return ggv;
    double sc = 1.0, yc = 1.0;
    if constexpr (std::is_same_v<T, float>) {
      // float covers 2^±126; rescale vectors whose largest entry is beyond 2^±60.
      auto scaleFor = [](double mx) {
        return (mx > 0x1p60 || (mx > 0.0 && mx < 0x1p-60)) ? std::ldexp(1.0, std::ilogb(mx))
                                                            : 1.0;
      };
      sc = scaleFor(smax);
      yc = scaleFor(ymax);
      if (sc != 1.0 || yc != 1.0) {
        const double isc = 1.0 / sc, iyc = 1.0 / yc;  // powers of two: exact
        for (Index i = 0; i < n_; ++i) {
          s[i] = static_cast<T>((xNew[i] - x[i]) * isc);
          y[i] = static_cast<T>((gNew[i] - g[i]) * iyc);
        }
      }
    }
    free_.pop_back();
    if (static_cast<int>(order_.size()) == m_) {
      free_.push_back(order_.back());
      order_.pop_back();
    }
    order_.push_front(slot);
    const auto u = static_cast<std::size_t>(slot);
    rho_[u] = 1.0 / syv;
    sScale_[u] = sc;
    yScale_[u] = yc;
    gamma_ = syv / yyv;
    return ggv;
  }

  // d = −H·p by the two-loop recursion (H = I when empty, else scaled by γ = sᵀy/yᵀy of the
  // newest pair); returns d·p and d·d in dp, dd. Fused: every pass updates the working vector
  // with one stored vector and forms the dot product the next step needs.
  void direction(const double* p, double* d, double& dp, double& dd) {
    const int c = static_cast<int>(order_.size());
    if (c == 0) {
      steepest(d, p, n_, dp, dd);
      return;
    }
    // First loop, newest to oldest: α_i = ρ_i s_iᵀq; q −= α_i y_i.
    double sdot = dotT(col(S_, order_[0]), p, n_);
    double ydot = 0.0;
    const double* src = p;
    for (int k = 0; k < c; ++k) {
      const auto i = static_cast<std::size_t>(order_[static_cast<std::size_t>(k)]);
      alpha_[i] = rho_[i] * sScale_[i] * sdot;
      const T* y = col(Y_, static_cast<int>(i));
      const T* next = k + 1 < c ? col(S_, order_[static_cast<std::size_t>(k) + 1]) : y;
      const double r = subtractDot(d, src, alpha_[i] * yScale_[i], y, next, n_);
      src = d;
      if (k + 1 < c) sdot = r;
      else ydot = r;
    }
    // Second loop, oldest to newest: β = ρ_i y_iᵀd; d += (α_i − β) s_i. The first pass applies
    // d = γ·q, the last one negates and forms d·p, d·d.
    double g = gamma_;
    ydot *= gamma_;  // y_oldestᵀ(γq)
    for (int k = c - 1; k >= 0; --k) {
      const auto i = static_cast<std::size_t>(order_[static_cast<std::size_t>(k)]);
      const double beta = rho_[i] * yScale_[i] * ydot;
      const double coef = (alpha_[i] - beta) * sScale_[i];
      const T* s = col(S_, static_cast<int>(i));
      if (k == 0) {
        finishDirection(d, g, coef, s, p, n_, dp, dd);
      } else {
        ydot = scaleAddDot(d, g, coef, s, col(Y_, order_[static_cast<std::size_t>(k) - 1]), n_);
      }
      g = 1.0;
    }
  }

 private:
  T* col(const std::unique_ptr<T[]>& v, int slot) {
    return v.get() + static_cast<std::size_t>(slot) * static_cast<std::size_t>(n_);
  }

  Index n_;
  int m_;
  std::unique_ptr<T[]> S_, Y_;  // m + 1 slots of n values: m pairs and a spare
  std::vector<double> rho_, alpha_, sScale_, yScale_;
  std::deque<int> order_;  // slots of the kept pairs, newest first
  std::vector<int> free_;
  double gamma_ = 1.0;
};

// ---------------------------------------------------------------- line searches
double finiteOrInf(double v) { return std::isfinite(v) ? v : kInf; }

// Minimiser of the cubic interpolating (a, fa, da) and (b, fb, db), safeguarded to stay well
// inside the interval; falls back to bisection.
double interpolate(double a, double fa, double da, double b, double fb, double db) {
  const double lo = std::min(a, b);
  const double hi = std::max(a, b);
  const double w = hi - lo;
  const double mid = 0.5 * (a + b);
  if (!(std::isfinite(fa) && std::isfinite(fb) && std::isfinite(da) && std::isfinite(db)))
    return mid;
  const double d1 = da + db - 3.0 * (fa - fb) / (a - b);
  const double disc = d1 * d1 - da * db;
  if (!(disc >= 0.0)) return mid;
  const double d2 = std::copysign(std::sqrt(disc), b - a);
  const double denom = db - da + 2.0 * d2;
  if (denom == 0.0) return mid;
  const double t = b - (b - a) * (db + d2 - d1) / denom;
  if (!std::isfinite(t) || t < lo + 0.1 * w || t > hi - 0.1 * w) return mid;
  return t;
}

// Line search along d from the current point (value f0, slope dphi0 < 0) satisfying the strong
// Wolfe conditions (Nocedal & Wright, algorithms 3.5/3.6), through f.lineValue. On success the
// accepted step is in `step` and its value in `value`. Accepts a point with sufficient decrease
// only when the curvature condition cannot be met within the evaluation budget.
bool wolfeSearch(LineObjective& f, double f0, double dphi0, double alpha0, double& step,
                 double& value) {
  if (!(dphi0 < 0.0)) return false;
  auto evalAt = [&](double a, double& da) {
    da = 0.0;
    const double v = finiteOrInf(f.lineValue(a, &da));
    return v;
  };
  auto armijo = [&](double a, double fa) { return fa <= f0 + kC1 * a * dphi0; };
  auto curvature = [&](double da) { return std::abs(da) <= -kC2 * dphi0; };
  auto accept = [&](double a, double fa) {
    step = a;
    value = fa;
    return true;
  };

  // Bracketing phase. havePrevPoint: aPrev > 0 is an evaluated point with sufficient decrease.
  double aPrev = 0.0, fPrev = f0, dPrev = dphi0;
  bool havePrevPoint = false;
  double a = alpha0;
  int evals = 0;
  double aLo = 0, fLo = 0, dLo = 0, aHi = 0, fHi = 0, dHi = 0;
  bool loIsPoint = false;  // whether the "lo" end is an evaluated point (not the start)
  for (;;) {
    double da = 0.0;
    const double fa = evalAt(a, da);
    ++evals;
    if (!armijo(a, fa) || (evals > 1 && fa >= fPrev)) {
      aLo = aPrev, fLo = fPrev, dLo = dPrev, loIsPoint = havePrevPoint;
      aHi = a, fHi = fa, dHi = da;
      break;
    }
    if (curvature(da)) return accept(a, fa);
    if (da >= 0.0) {
      aHi = aPrev, fHi = fPrev, dHi = dPrev;
      aLo = a, fLo = fa, dLo = da;
      loIsPoint = true;
      break;
    }
    // Still descending: keep this point and extrapolate.
    havePrevPoint = true;
    aPrev = a, fPrev = fa, dPrev = da;
    if (evals >= kMaxLineSearchEvals) return accept(a, fa);  // curvature not met
    a *= 4.0;
  }

  // Zoom phase: aLo always satisfies Armijo with the lowest value seen so far.
  while (evals < kMaxLineSearchEvals) {
    const double aj = interpolate(aLo, fLo, dLo, aHi, fHi, dHi);
    if (!(std::abs(aHi - aLo) > 1e-16 * std::max(std::abs(aLo), std::abs(aHi)))) break;
    double dj = 0.0;
    const double fj = evalAt(aj, dj);
    ++evals;
    if (!armijo(aj, fj) || fj >= fLo) {
      aHi = aj, fHi = fj, dHi = dj;
    } else {
      if (curvature(dj)) return accept(aj, fj);
      if (dj * (aHi - aLo) >= 0.0) aHi = aLo, fHi = fLo, dHi = dLo;
      aLo = aj, fLo = fj, dLo = dj;
      loIsPoint = true;
    }
  }
  // Budget exhausted: accept the best point with sufficient decrease, if any.
  if (loIsPoint && aLo > 0.0 && fLo < f0) return accept(aLo, fLo);
  return false;
}

// The L1 part of F.
double l1Term(const std::vector<double>& l1, const double* x, Index n) {
  double s = 0.0;
  for (Index j = 0; j < n; ++j) s += l1[static_cast<std::size_t>(j)] * std::abs(x[j]);
  return s;
}

// The pseudo-gradient of F = f + Σ λ_j|x_j| at x with smooth gradient g.
void pseudoGradient(const std::vector<double>& l1, const double* x, const double* g, double* pg,
                    Index n) {
  for (Index j = 0; j < n; ++j) {
    const double w = l1[static_cast<std::size_t>(j)];
    const double gj = g[j];
    const double xj = x[j];
    if (w == 0.0) {
      pg[j] = gj;
    } else if (xj > 0.0) {
      pg[j] = gj + w;
    } else if (xj < 0.0) {
      pg[j] = gj - w;
    } else if (gj + w < 0.0) {
      pg[j] = gj + w;
    } else if (gj - w > 0.0) {
      pg[j] = gj - w;
    } else {
      pg[j] = 0.0;
    }
  }
}

// OWL-QN backtracking line search along d with projection onto the orthant chosen at x: every
// trial point is evaluated with f.evaluate into (xNew, gNew); the accepted one is the last.
bool owlqnSearch(LineObjective& f, const std::vector<double>& l1, const std::vector<double>& x,
                 double F0, const std::vector<double>& pg, const std::vector<double>& d,
                 double alpha0, std::vector<double>& xNew, std::vector<double>& gNew,
                 double& fNew, double& FNew) {
  const auto n = static_cast<Index>(x.size());
  double a = alpha0;
  for (int it = 0; it < kMaxLineSearchEvals; ++it) {
    for (Index j = 0; j < n; ++j) {
      const auto u = static_cast<std::size_t>(j);
      double v = x[u] + a * d[u];
      if (l1[u] != 0.0) {
        const double xj = x[u];
        const double orth =
            xj > 0.0 ? 1.0 : xj < 0.0 ? -1.0 : (pg[u] < 0.0 ? 1.0 : pg[u] > 0.0 ? -1.0 : 0.0);
        if (v * orth <= 0.0) v = 0.0;
      }
      xNew[u] = v;
    }
    fNew = finiteOrInf(f.evaluate(xNew.data(), gNew.data()));
    FNew = finiteOrInf(fNew + l1Term(l1, xNew.data(), n));
    double decrease = 0.0;
    for (Index j = 0; j < n; ++j) {
      const auto u = static_cast<std::size_t>(j);
      decrease += pg[u] * (xNew[u] - x[u]);
    }
    if (FNew <= F0 + kC1 * decrease && FNew <= F0) return true;
    a *= 0.5;
  }
  return false;
}

// A plain Objective as a LineObjective: every trial point is a full evaluation.
class FunctionLine final : public LineObjective {
 public:
  FunctionLine(const Objective& f, Index n)
      : f_(f), n_(n), xt_(static_cast<std::size_t>(n)), gt_(xt_.size()) {}

  double evaluate(const double* x, double* grad) override { return f_(x, grad); }
  void beginLine(const double* x, const double* d) override {
    x_ = x;
    d_ = d;
    haveLast_ = false;
  }
  double lineValue(double t, double* slope) override {
    for (Index j = 0; j < n_; ++j) xt_[static_cast<std::size_t>(j)] = x_[j] + t * d_[j];
    last_ = f_(xt_.data(), gt_.data());
    lastT_ = t;
    haveLast_ = true;
    double s = 0.0;
    for (Index j = 0; j < n_; ++j) s += gt_[static_cast<std::size_t>(j)] * d_[j];
    *slope = s;
    return last_;
  }
  double acceptStep(double t, const double* xNew, double* grad) override {
    if (!haveLast_ || t != lastT_) {
      double slope = 0.0;
      (void)lineValue(t, &slope);
    }
    std::copy(gt_.begin(), gt_.end(), grad);
    (void)xNew;
    return last_;
  }

 private:
  const Objective& f_;
  Index n_;
  const double* x_ = nullptr;
  const double* d_ = nullptr;
  std::vector<double> xt_, gt_;
  double last_ = 0.0, lastT_ = 0.0;
  bool haveLast_ = false;
};

void validate(const MinimizeOptions& options, Index n) {
  if (options.maxIter < 0)
    throw ParamError(fmt::format("minimize: maxIter must be >= 0 but is {}", options.maxIter));
  if (!(options.tol >= 0.0))
    throw ParamError(fmt::format("minimize: tol must be >= 0 but is {}", options.tol));
  if (options.historySize < 1)
    throw ParamError(
        fmt::format("minimize: historySize must be >= 1 but is {}", options.historySize));
  if (options.fvalMemory < 2)
    throw ParamError(
        fmt::format("minimize: fvalMemory must be >= 2 but is {}", options.fvalMemory));
  if (!options.l1.empty() && static_cast<Index>(options.l1.size()) != n)
    throw ParamError(fmt::format("minimize: {} L1 weights given for dimension {}",
                                 options.l1.size(), n));
  for (std::size_t j = 0; j < options.l1.size(); ++j)
    if (!(options.l1[j] >= 0.0) || !std::isfinite(options.l1[j]))
      throw ParamError(
          fmt::format("minimize: L1 weight {} is {} (must be finite and >= 0)", j, options.l1[j]));
}

template <class T>
MinimizeResult run(LineObjective& f, std::vector<double> x0, const MinimizeOptions& options) {
  const auto n = static_cast<Index>(x0.size());
  const auto nu = static_cast<std::size_t>(n);
  const bool hasL1 =
      std::any_of(options.l1.begin(), options.l1.end(), [](double v) { return v > 0.0; });
  const std::vector<double>& l1 = options.l1;

  MinimizeResult res;
  std::vector<double> x = std::move(x0), g(nu), xNew(nu), gNew(nu), d(nu);
  std::vector<double> pg(hasL1 ? nu : 0);
  double fCur = finiteOrInf(f.evaluate(x.data(), g.data()));
  double FCur = hasL1 ? finiteOrInf(fCur + l1Term(l1, x.data(), n)) : fCur;
  res.objectiveHistory.push_back(FCur);

  double pgNorm2 = 0.0;
  if (hasL1) {
    pseudoGradient(l1, x.data(), g.data(), pg.data(), n);
    pgNorm2 = dot(pg.data(), pg.data(), n);
  } else {
    pgNorm2 = dot(g.data(), g.data(), n);
  }
  const double* p = hasL1 ? pg.data() : g.data();  // the (pseudo-)gradient
  History<T> hist(n, options.historySize);

  auto gradientSmall = [&](double norm2, double F) {
    return std::sqrt(norm2) <= std::max(options.tol * std::abs(F), options.gradientFloor);
  };

  // The last fvalMemory objective values (Breeze's FunctionValuesConverged window).
  std::deque<double> window;
  const double initialValue = FCur;

  bool done = false;
  if (!std::isfinite(FCur)) {
    res.reason = StopReason::kSearchFailed;
    done = true;
  } else if (gradientSmall(pgNorm2, FCur)) {
    res.reason = StopReason::kGradient;
    res.converged = true;
    done = true;
  } else if (options.maxIter == 0) {
    res.reason = StopReason::kMaxIterations;
    done = true;
  }

  while (!done) {
    // Search direction from the (pseudo-)gradient.
    double dp = 0.0, dd = 0.0;
    hist.direction(p, d.data(), dp, dd);
    if (hasL1) {
      // OWL-QN: a coordinate at zero may only leave it in the direction of −pg. Unlike the
      // paper (and Breeze), non-zero coordinates keep their quasi-Newton component even when it
      // disagrees in sign with −pg: inside an orthant F is smooth, zero crossings are handled by
      // the projection in the line search, and the paper's rule makes ill-conditioned problems
      // crawl (thousands of iterations). Descent is still checked below.
      for (Index j = 0; j < n; ++j) {
        const auto u = static_cast<std::size_t>(j);
        if (l1[u] > 0.0 && x[u] == 0.0 && d[u] * pg[u] >= 0.0) d[u] = 0.0;
      }
      dp = dot(d.data(), pg.data(), n);
      dd = dot(d.data(), d.data(), n);
    }
    if (!(dp < 0.0)) {  // not a descent direction: restart from steepest descent
      hist.clear();
      steepest(d.data(), p, n, dp, dd);
    }
    double alpha0 = hist.empty() ? std::min(1.0, 1.0 / std::sqrt(dd)) : 1.0;
    double fNew = 0.0, FNew = 0.0;
    auto search = [&](double a0) {
      if (hasL1) return owlqnSearch(f, l1, x, FCur, pg, d, a0, xNew, gNew, fNew, FNew);
      double t = 0.0;
      f.beginLine(x.data(), d.data());
      if (!wolfeSearch(f, fCur, dp, a0, t, fNew)) return false;
      axpy(xNew.data(), x.data(), t, d.data(), n);
      const double v = finiteOrInf(f.acceptStep(t, xNew.data(), gNew.data()));
      (void)v;  // equal to fNew by the LineObjective contract; fNew is what the search judged
      FNew = fNew;
      return true;
    };
    bool ok = search(alpha0);
    if (!ok && !hist.empty()) {  // retry once from steepest descent without the memory
      hist.clear();
      steepest(d.data(), p, n, dp, dd);
      alpha0 = std::min(1.0, 1.0 / std::sqrt(dd));
      ok = search(alpha0);
    }
    if (!ok) {
      res.reason = StopReason::kSearchFailed;
      break;
    }

    const double gNorm2 = hist.push(xNew.data(), x.data(), gNew.data(), g.data());
    std::swap(x, xNew);
    std::swap(g, gNew);
    fCur = fNew;
    FCur = FNew;
    if (hasL1) {
      pseudoGradient(l1, x.data(), g.data(), pg.data(), n);
      pgNorm2 = dot(pg.data(), pg.data(), n);
    } else {
      pgNorm2 = gNorm2;
      p = g.data();
    }
    ++res.iterations;
    res.objectiveHistory.push_back(FCur);

    window.push_back(FCur);
    if (static_cast<int>(window.size()) > options.fvalMemory) window.pop_front();
    const bool valuesConverged =
        res.iterations >= options.fvalMemory &&
        std::abs(FCur - *std::max_element(window.begin(), window.end())) <=
            options.tol * std::abs(initialValue);
    if (gradientSmall(pgNorm2, FCur)) {
      res.reason = StopReason::kGradient;
      res.converged = true;
      done = true;
    } else if (valuesConverged) {
      res.reason = StopReason::kFunctionValues;
      res.converged = true;
      done = true;
    } else if (res.iterations >= options.maxIter) {
      res.reason = StopReason::kMaxIterations;
      done = true;
    }
  }

  res.value = FCur;
  res.x = std::move(x);
  return res;
}

}  // namespace

MinimizeResult minimize(LineObjective& f, std::vector<double> x0,
                        const MinimizeOptions& options) {
  const auto n = static_cast<Index>(x0.size());
  validate(options, n);
  if (options.compactHistory && n >= kFloatHistoryMinDim)
    return run<float>(f, std::move(x0), options);
  return run<double>(f, std::move(x0), options);
}

MinimizeResult minimize(const Objective& f, std::vector<double> x0,
                        const MinimizeOptions& options) {
  const auto n = static_cast<Index>(x0.size());
  validate(options, n);
  FunctionLine line(f, n);
  return minimize(line, std::move(x0), options);
}

}  // namespace td::optim
