// python/src/module.cc — the _thunderdome extension: one generic binding of the stage kit.
//
// Nothing here knows a particular stage class: stages are created by registry name, their
// params set and read by name through their ParamSchema, and the pure-Python package
// (python/thunderdome) generates one Python class per registered name from stages().
// Frames cross as columns (numpy arrays without copying where the layout allows).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <sys/mman.h>

#include "options.h"  // cli/: the reader options as the CLI takes them
#include "thunderdome/thunderdome.h"

namespace py = pybind11;

namespace {

// ---- errors ---------------------------------------------------------------------------------

// The Python classes td errors become (thunderdome/errors.py hands them over at import).
struct ErrorClasses {
  py::object base, param, column, data, io;
};
ErrorClasses* errorClasses = nullptr;  // leaked on purpose: lives as long as the interpreter

void raise(const py::object& cls, PyObject* fallback, const char* what) {
  PyErr_SetString(cls ? cls.ptr() : fallback, what);
}

void translateErrors(std::exception_ptr p) {
  if (!p) return;
  const ErrorClasses* c = errorClasses;
  try {
    std::rethrow_exception(p);
  } catch (const td::CancelledError& e) {
    PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
  } catch (const td::ParamError& e) {
    raise(c ? c->param : py::object(), PyExc_ValueError, e.what());
  } catch (const td::ColumnError& e) {
    raise(c ? c->column : py::object(), PyExc_ValueError, e.what());
  } catch (const td::DataError& e) {
    raise(c ? c->data : py::object(), PyExc_ValueError, e.what());
  } catch (const td::IoError& e) {
    raise(c ? c->io : py::object(), PyExc_OSError, e.what());
  } catch (const td::Error& e) {
    raise(c ? c->base : py::object(), PyExc_RuntimeError, e.what());
  }
}

// Runs work(ctx) on another thread with the GIL released, checking Python's signals meanwhile:
// Ctrl-C cancels the Context (the fit stops at its next check) and raises KeyboardInterrupt.
// The threads every call may use (0: all of the shared pool); SparkSession's master("local[N]").
std::atomic<int> sessionThreads{0};

template <class F>
auto runReleased(F&& work) -> decltype(work(std::declval<const td::Context&>())) {
  td::Context ctx;
  ctx.threads = sessionThreads.load();
  bool interrupted = false;
  auto fut = std::async(std::launch::async, [&work, &ctx] { return work(ctx); });
  {
    py::gil_scoped_release release;
    while (fut.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
      if (interrupted) continue;
      py::gil_scoped_acquire acquire;
      if (PyErr_CheckSignals() != 0) {
        interrupted = true;  // the KeyboardInterrupt stays set until we raise it below
        ctx.cancel.cancel();
      }
    }
  }
  if (interrupted) {
    try {
      (void)fut.get();
    } catch (...) {  // the CancelledError (or whatever the cancelled call threw)
    }
    throw py::error_already_set();
  }
  return fut.get();
}

// ---- param values ---------------------------------------------------------------------------

std::string pyTypeName(py::handle v) { return py::str(py::type::of(v)).cast<std::string>(); }

// TypeError with PySpark's wording (Params._set around its TypeConverters' messages):
// 'Invalid param value given for param "maxIter". Could not convert ten to int'.
[[noreturn]] void badValue(const td::ParamSpec& spec, py::handle v, std::string_view want) {
  std::string why;
  if (want == "boolean")
    why = "Boolean Param requires value of type bool. Found " + pyTypeName(v) + ".";
  else if (want == "string") why = "Could not convert " + pyTypeName(v) + " to string type";
  else why = "Could not convert " + py::str(v).cast<std::string>() + " to " + std::string(want);
  throw py::type_error("Invalid param value given for param \"" + spec.name + "\". " + why);
}

bool isBool(py::handle v) {
  return py::isinstance<py::bool_>(v) ||
         py::str(py::type::of(v)).cast<std::string>() == "<class 'numpy.bool_'>";
}

bool isInt(py::handle v) {
  if (isBool(v)) return false;
  if (py::isinstance<py::int_>(v)) return true;
  auto np = py::module_::import("numpy");
  return py::isinstance(v, np.attr("integer"));
}

bool isNumber(py::handle v) {
  if (isBool(v)) return false;
  if (py::isinstance<py::int_>(v) || py::isinstance<py::float_>(v)) return true;
  auto np = py::module_::import("numpy");
  return py::isinstance(v, np.attr("number"));
}

std::int64_t toInt(const td::ParamSpec& spec, py::handle v) {
  if (isInt(v)) return v.cast<std::int64_t>();
  if (isNumber(v)) {
    const double d = v.cast<double>();
    if (std::isfinite(d) && d == std::floor(d)) return static_cast<std::int64_t>(d);
  }
  badValue(spec, v, "int");
}

double toDouble(const td::ParamSpec& spec, py::handle v) {
  if (isNumber(v)) return v.cast<double>();
  badValue(spec, v, "float");
}

bool isSequence(py::handle v) {
  if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) return true;
  auto np = py::module_::import("numpy");
  return py::isinstance(v, np.attr("ndarray"));
}

std::vector<td::ParamMap> toParamMaps(py::handle v);

// A Python value as the ParamValue of `spec`'s type; TypeError (PySpark's TypeConverters
// wording) when it cannot be one.
td::ParamValue toParamValue(const td::ParamSpec& spec, py::handle v) {
  switch (spec.type) {
    case td::ParamType::kBool:
      if (isBool(v)) return td::ParamValue(v.cast<bool>());
      badValue(spec, v, "boolean");
    case td::ParamType::kInt: return td::ParamValue(toInt(spec, v));
    case td::ParamType::kDouble: return td::ParamValue(toDouble(spec, v));
    case td::ParamType::kString:
      if (py::isinstance<py::str>(v)) return td::ParamValue(v.cast<std::string>());
      badValue(spec, v, "string");
    case td::ParamType::kStringList: {
      if (!isSequence(v)) badValue(spec, v, "list of strings");
      std::vector<std::string> out;
      for (auto x : v) {
        if (!py::isinstance<py::str>(x)) badValue(spec, v, "list of strings");
        out.push_back(x.cast<std::string>());
      }
      return td::ParamValue(std::move(out));
    }
    case td::ParamType::kIntList: {
      if (!isSequence(v)) badValue(spec, v, "list of ints");
      std::vector<std::int64_t> out;
      try {
        for (auto x : v) out.push_back(toInt(spec, x));
      } catch (const py::type_error&) {
        badValue(spec, v, "list of ints");
      }
      return td::ParamValue(std::move(out));
    }
    case td::ParamType::kDoubleList: {
      if (!isSequence(v)) badValue(spec, v, "list of floats");
      std::vector<double> out;
      try {
        for (auto x : v) out.push_back(toDouble(spec, x));
      } catch (const py::type_error&) {
        badValue(spec, v, "list of floats");
      }
      return td::ParamValue(std::move(out));
    }
    case td::ParamType::kObject: {
      if (!py::isinstance<td::Params>(v)) badValue(spec, v, "a stage or evaluator");
      return td::ParamValue(v.cast<std::shared_ptr<td::Params>>());
    }
    case td::ParamType::kParamMaps:
      return td::ParamValue(std::make_shared<const std::vector<td::ParamMap>>(toParamMaps(v)));
  }
  badValue(spec, v, "a parameter value");
}

py::object toPython(const td::ParamValue& value);

py::list paramMapToPython(const td::ParamMap& map) {
  py::list out;
  for (const auto& [key, value] : map.entries())
    out.append(py::make_tuple(key.first, key.second, toPython(value)));
  return out;
}

py::object toPython(const td::ParamValue& value) {
  return std::visit(
      [](const auto& v) -> py::object {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::shared_ptr<td::Params>>) {
          if (!v) return py::none();
          return py::cast(v);
        } else if constexpr (std::is_same_v<T, std::shared_ptr<const std::vector<td::ParamMap>>>) {
          py::list maps;
          if (v)
            for (const auto& m : *v) maps.append(paramMapToPython(m));
          return maps;
        } else {
          return py::cast(v);
        }
      },
      value.variant());
}

// [(owner, name, value), ...] -> ParamMap (each value converted and validated by its owner).
td::ParamMap toParamMap(py::handle entries) {
  td::ParamMap map;
  for (auto e : entries) {
    auto t = e.cast<py::tuple>();
    auto owner = t[0].cast<std::shared_ptr<td::Params>>();
    const auto name = t[1].cast<std::string>();
    map.put(*owner, name, toParamValue(owner->spec(name), t[2]));
  }
  return map;
}

std::vector<td::ParamMap> toParamMaps(py::handle v) {
  std::vector<td::ParamMap> maps;
  for (auto m : v) maps.push_back(toParamMap(m));
  return maps;
}

// ---- frames ---------------------------------------------------------------------------------

// A numpy array over `data` (n elements, shape `shape`) that keeps `owner` alive, read-only.
template <class T>
py::array viewOf(const T* data, std::vector<py::ssize_t> shape, std::shared_ptr<const void> owner) {
  auto* keep = new std::shared_ptr<const void>(std::move(owner));
  py::capsule base(keep, [](void* p) { delete static_cast<std::shared_ptr<const void>*>(p); });
  py::array a(py::dtype::of<T>(), std::move(shape), {}, data, base);
  py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return a;
}

td::NullMask toMask(py::handle mask, std::int64_t n) {
  auto arr = py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>::ensure(mask);
  if (arr.size() != n) throw td::ParamError("null mask length does not match the column");
  return {arr.data(), arr.data() + arr.size()};
}

// One column from Python: (kind, data, nullMask or None). Kinds: bigint, double, boolean
// (numpy arrays), string (list of str), array<string> (list of lists), vector (2-D float64
// array: dense rows) and sparse (dim, offsets, indices, values).
td::ColumnPtr columnFromPython(const std::string& kind, py::handle data, py::handle mask) {
  std::shared_ptr<td::Column> col;
  if (kind == "bigint") {
    auto a = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(data);
    col =
        std::make_shared<td::Int64Column>(std::vector<std::int64_t>(a.data(), a.data() + a.size()));
  } else if (kind == "double") {
    auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(data);
    col = std::make_shared<td::DoubleColumn>(std::vector<double>(a.data(), a.data() + a.size()));
  } else if (kind == "boolean") {
    auto a = py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>::ensure(data);
    col = std::make_shared<td::BooleanColumn>(
        std::vector<std::uint8_t>(a.data(), a.data() + a.size()));
  } else if (kind == "string") {
    col = std::make_shared<td::StringColumn>(data.cast<std::vector<std::string>>());
  } else if (kind == "array<string>") {
    col = td::StringArrayColumn::fromRows(data.cast<std::vector<std::vector<std::string>>>());
  } else if (kind == "vector") {
    auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(data);
    if (a.ndim() != 2) throw td::ParamError("a dense vector column needs a 2-D array");
    col = td::VectorColumn::dense(a.shape(0), a.shape(1),
                                  std::vector<double>(a.data(), a.data() + a.size()));
  } else if (kind == "sparse") {
    auto t = data.cast<py::tuple>();
    auto off = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(t[1]);
    auto idx = py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>::ensure(t[2]);
    auto val = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(t[3]);
    col = td::VectorColumn::sparse(t[0].cast<std::int64_t>(), {off.data(), off.data() + off.size()},
                                   {idx.data(), idx.data() + idx.size()},
                                   {val.data(), val.data() + val.size()});
  } else {
    throw td::ParamError("unknown column kind '" + kind + "'");
  }
  if (!mask.is_none()) col->setNulls(toMask(mask, col->size()));
  return col;
}

td::Frame frameFromColumns(py::list columns) {
  std::vector<std::pair<std::string, td::ColumnPtr>> cols;
  for (auto c : columns) {
    auto t = c.cast<py::tuple>();
    cols.emplace_back(t[0].cast<std::string>(),
                      columnFromPython(t[1].cast<std::string>(), t[2], t[3]));
  }
  return td::Frame(std::move(cols));
}

// Column `name` for Python: numeric columns as read-only numpy views of the column's storage,
// strings as a list, string arrays as a list of lists, vectors as ("dense", 2-D view) or
// ("sparse", dim, offsets, indices, values).
py::object columnToPython(const td::Frame& f, const std::string& name) {
  const td::ColumnPtr& c = f.column(name);
  const auto n = static_cast<py::ssize_t>(c->size());
  switch (c->type()) {
    case td::DataType::kInt64: {
      const auto v = static_cast<const td::Int64Column&>(*c).values();
      return viewOf(v.data(), {n}, c);
    }
    case td::DataType::kDouble: {
      const auto v = static_cast<const td::DoubleColumn&>(*c).values();
      return viewOf(v.data(), {n}, c);
    }
    case td::DataType::kBoolean: {
      const auto& b = static_cast<const td::BooleanColumn&>(*c);
      py::array_t<bool> out(n);
      auto* p = out.mutable_data();
      for (py::ssize_t i = 0; i < n; ++i) p[i] = b[i];
      return out;
    }
    case td::DataType::kString: {
      const auto& s = static_cast<const td::StringColumn&>(*c);
      py::list out(n);
      for (py::ssize_t i = 0; i < n; ++i) {
        const std::string& x = s[i];
        PyList_SET_ITEM(
            out.ptr(), i,
            PyUnicode_DecodeUTF8(x.data(), static_cast<py::ssize_t>(x.size()), "replace"));
      }
      return out;
    }
    case td::DataType::kStringArray: {
      const auto& s = static_cast<const td::StringArrayColumn&>(*c);
      py::list out(n);
      for (py::ssize_t i = 0; i < n; ++i) {
        const auto row = s[i];
        py::list r(row.size());
        for (std::size_t k = 0; k < row.size(); ++k) r[k] = py::str(row[k].data(), row[k].size());
        out[i] = r;
      }
      return out;
    }
    case td::DataType::kVector: {
      const auto& v = static_cast<const td::VectorColumn&>(*c);
      const auto dim = static_cast<py::ssize_t>(v.dim());
      if (v.isDense()) {
        const auto vals = v.values();  // contiguous rows (a view's copy is kept with the column)
        return py::make_tuple("dense", viewOf(vals.data(), {n, dim}, c));
      }
      const auto off = v.offsets();
      const auto idx = v.indices();
      const auto vals = v.values();
      return py::make_tuple("sparse", v.dim(),
                            viewOf(off.data(), {static_cast<py::ssize_t>(off.size())}, c),
                            viewOf(idx.data(), {static_cast<py::ssize_t>(idx.size())}, c),
                            viewOf(vals.data(), {static_cast<py::ssize_t>(vals.size())}, c));
    }
  }
  return py::none();
}

// The memory of toPandas' blocks: anonymous mappings asking for transparent huge pages, and a
// small cache of the blocks pandas has freed, so that a later toPandas of a similar size
// writes into pages that are already mapped instead of faulting in (and having the kernel
// zero) fresh ones, which is about a third of a fresh copy's time. Blocks of at least kMinBytes
// only. The cache holds the kMaxBlocks most recently freed blocks, kMaxBytes in all; a cached
// block is MADV_FREE'd, so the kernel may take its pages back under memory pressure (a later
// write then faults them in again).
class BlockPool {
 public:
  static constexpr std::size_t kMaxBytes = std::size_t{256} << 20;
  static constexpr std::size_t kMaxBlocks = 2;
  /// Smaller blocks come from numpy's allocator (a mapping of their own would cost more).
  static constexpr std::size_t kMinBytes = std::size_t{4} << 20;

  // A mapping of at least `bytes` bytes (a cached one if one fits, else a fresh one).
  void* take(std::size_t bytes, std::size_t& mapped) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto it = free_.begin(); it != free_.end(); ++it) {
        if (it->second >= bytes && it->second <= 2 * bytes) {
          void* p = it->first;
          mapped = it->second;
          cached_ -= mapped;
          free_.erase(it);
          return p;
        }
      }
    }
    mapped = roundUp(bytes);
    void* p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)  // NOLINT(performance-no-int-to-ptr): the mmap API
      throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    madvise(p, mapped, MADV_HUGEPAGE);  // a hint: fewer, larger page faults
#endif
    return p;
  }

  // Gives a mapping back: cached (the oldest cached ones unmapped to make room), or unmapped
  // when it is larger than the whole cache.
  void give(void* p, std::size_t mapped) {
    std::vector<std::pair<void*, std::size_t>> evicted;
    if (mapped <= kMaxBytes) {
#ifdef MADV_FREE
      madvise(p, mapped, MADV_FREE);
#endif
      std::lock_guard<std::mutex> lock(mu_);
      while (!free_.empty() && (free_.size() >= kMaxBlocks || cached_ + mapped > kMaxBytes)) {
        evicted.push_back(free_.front());
        cached_ -= free_.front().second;
        free_.erase(free_.begin());
      }
      free_.emplace_back(p, mapped);
      cached_ += mapped;
    } else {
      evicted.emplace_back(p, mapped);
    }
    for (const auto& [q, n] : evicted) munmap(q, n);
  }

 private:
  static std::size_t roundUp(std::size_t bytes) {
    constexpr std::size_t kHuge = std::size_t{2} << 20;
    return (std::max<std::size_t>(bytes, 1) + kHuge - 1) / kHuge * kHuge;
  }
  std::mutex mu_;
  std::vector<std::pair<void*, std::size_t>> free_;
  std::size_t cached_ = 0;
};

BlockPool& blockPool() {
  static auto* pool = new BlockPool();  // leaked on purpose: blocks may outlive module teardown
  return *pool;
}

// Columns `names` (all double, or all bigint, without nulls) copied into one new C-contiguous
// (columns x rows) array: the block a pandas DataFrame of them holds, filled in parallel on the
// shared pool with the GIL released (toPandas). Its memory comes from blockPool().
template <class T, class C>
py::array numericBlock(const td::Frame& f, const std::vector<std::string>& names) {
  std::vector<const T*> src;
  for (const auto& n : names) src.push_back(f.col<C>(n).values().data());
  const std::int64_t rows = f.numRows();
  const auto cols = static_cast<py::ssize_t>(names.size());
  const std::size_t bytes = sizeof(T) * static_cast<std::size_t>(cols) *
                            static_cast<std::size_t>(rows);
  py::array_t<T> out;
  if (bytes < BlockPool::kMinBytes) {  // small: numpy's own allocation
    out = py::array_t<T>({cols, static_cast<py::ssize_t>(rows)});
  } else {
    std::size_t mapped = 0;
    void* mem = blockPool().take(bytes, mapped);
    struct Mapping {
      void* p;
      std::size_t n;
    };
    py::capsule owner(new Mapping{mem, mapped}, [](void* m) {
      auto* map = static_cast<Mapping*>(m);
      blockPool().give(map->p, map->n);
      delete map;
    });
    out = py::array_t<T>({cols, static_cast<py::ssize_t>(rows)}, static_cast<T*>(mem), owner);
  }
  T* dst = out.mutable_data();
  {
    py::gil_scoped_release release;
    constexpr std::int64_t kBlock = 1 << 16;
    const std::int64_t perCol = td::parallel::numBlocks(rows, kBlock);
    td::parallel::forBlocks(cols * perCol, 1, [&](std::int64_t, std::int64_t b, std::int64_t) {
      const std::int64_t c = b / perCol;
      const std::int64_t begin = (b % perCol) * kBlock;
      const std::int64_t end = std::min(rows, begin + kBlock);
      std::copy(src[static_cast<std::size_t>(c)] + begin, src[static_cast<std::size_t>(c)] + end,
                dst + c * rows + begin);
    });
  }
  return out;
}

py::object nullMask(const td::Frame& f, const std::string& name) {
  const td::ColumnPtr& c = f.column(name);
  if (!c->hasNulls()) return py::none();
  py::array_t<bool> out(c->size());
  auto* p = out.mutable_data();
  for (std::int64_t i = 0; i < c->size(); ++i) p[i] = c->isNull(i);
  return out;
}

// ---- model state ----------------------------------------------------------------------------

// Collects what a stage's saveState writes (numbers, strings, arrays) into a dict, so Python
// reaches a model's learned values (coefficients, intercept, labels, ...) with no code per class.
class DictStateWriter final : public td::StateWriter {
 public:
  py::dict out;
  void putInt(std::string_view k, std::int64_t v) override { out[py::str(std::string(k))] = v; }
  void putDouble(std::string_view k, double v) override { out[py::str(std::string(k))] = v; }
  void putString(std::string_view k, std::string_view v) override {
    out[py::str(std::string(k))] = std::string(v);
  }
  void putDoubles(std::string_view k, const std::vector<double>& v) override {
    out[py::str(std::string(k))] =
        py::array_t<double>(static_cast<py::ssize_t>(v.size()), v.data());
  }
  void putDoubleRows(std::string_view k, const std::vector<std::vector<double>>& v) override {
    out[py::str(std::string(k))] = v;
  }
  void putStringRows(std::string_view k, const std::vector<std::vector<std::string>>& v) override {
    out[py::str(std::string(k))] = v;
  }
  void putArray(std::string_view k, const std::vector<double>& v) override {
    out[py::str(std::string(k))] =
        py::array_t<double>(static_cast<py::ssize_t>(v.size()), v.data());
  }
  void putParamMaps(std::string_view, const std::vector<td::ParamMap>&) override {}
  void putStage(std::string_view, const td::PipelineStage&) override {}
  void putEvaluator(std::string_view, const td::Evaluator&) override {}
  void putStages(const std::vector<std::shared_ptr<td::PipelineStage>>&) override {}
};

// The training summary a fitted model keeps in memory (Spark's model.summary, the parts the
// C++ fit computes: objective history, iterations and, for linear regression, its training
// metrics), as a dict; None for a model without one (loaded, or a class Spark gives none).
py::object trainingSummary(const td::Params& p) {
  py::dict d;
  auto objective = [&d](const std::vector<double>& history, std::int64_t iterations) {
    d["objectiveHistory"] = history;
    d["totalIterations"] = iterations;
  };
  if (auto* lr = dynamic_cast<const td::LogisticRegressionModel*>(&p)) {
    if (lr->summary().objectiveHistory.empty()) return py::none();
    objective(lr->summary().objectiveHistory, lr->summary().totalIterations);
  } else if (auto* svc = dynamic_cast<const td::LinearSVCModel*>(&p)) {
    if (svc->summary().objectiveHistory.empty()) return py::none();
    objective(svc->summary().objectiveHistory, svc->summary().totalIterations);
  } else if (auto* mlp = dynamic_cast<const td::MultilayerPerceptronClassificationModel*>(&p)) {
    if (mlp->summary().objectiveHistory.empty()) return py::none();
    objective(mlp->summary().objectiveHistory, mlp->summary().totalIterations);
  } else if (auto* lin = dynamic_cast<const td::LinearRegressionModel*>(&p)) {
    if (!lin->hasSummary()) return py::none();
    const td::LinearRegressionTrainingSummary& s = lin->summary();
    objective(s.objectiveHistory, s.totalIterations);
    d["meanSquaredError"] = s.meanSquaredError;
    d["rootMeanSquaredError"] = s.rootMeanSquaredError;
    d["meanAbsoluteError"] = s.meanAbsoluteError;
    d["r2"] = s.r2;
    d["r2adj"] = s.r2adj;
    d["explainedVariance"] = s.explainedVariance;
    d["residuals"] = py::array_t<double>(static_cast<py::ssize_t>(s.residuals.size()),
                                         s.residuals.data());
    d["numInstances"] = s.numInstances;
    d["degreesOfFreedom"] = s.degreesOfFreedom;
    if (!s.diagInvAtWA.empty()) {
      d["coefficientStandardErrors"] = s.coefficientStandardErrors();
      d["tValues"] = s.tValues();
      d["pValues"] = s.pValues();
    }
  } else {
    return py::none();
  }
  return d;
}

std::shared_ptr<td::PipelineStage> asStage(const std::shared_ptr<td::Params>& p) {
  auto s = std::dynamic_pointer_cast<td::PipelineStage>(p);
  if (!s) throw td::ParamError(p->describe() + " is not a pipeline stage");
  return s;
}

const char* kindName(td::StageKind k) {
  switch (k) {
    case td::StageKind::kTransformer: return "Transformer";
    case td::StageKind::kEstimator: return "Estimator";
    case td::StageKind::kModel: return "Model";
    case td::StageKind::kEvaluator: return "Evaluator";
  }
  return "";
}

py::object defaultOf(const td::ParamSpec& s) {
  return s.defaultValue ? toPython(*s.defaultValue) : py::none();
}

}  // namespace

PYBIND11_MODULE(_thunderdome, m) {
  m.doc() = "thunderdome's C++ core: frames, the stage registry, fitting, tuning and persistence";
  py::register_exception_translator(translateErrors);
  m.def("_register_errors",
        [](py::object base, py::object param, py::object column, py::object data, py::object io) {
          errorClasses = new ErrorClasses{std::move(base), std::move(param), std::move(column),
                                          std::move(data), std::move(io)};
        });
  m.def("version", [] { return std::string(td::libraryVersion()); });
  m.def("set_threads", [](int n) {
    if (n < 0) throw td::ParamError("the number of threads must be >= 0 (0: all cores)");
    sessionThreads = n;
  });
  m.def("threads", [] { return sessionThreads.load(); });

  // The registry: one dict per class, with its params' names, docs, types and defaults.
  m.def("stages", [] {
    py::list out;
    for (const auto& s : td::builtinStages()) {
      py::list params;
      for (const auto& p : *s.params) {
        params.append(py::dict(py::arg("name") = p.name, py::arg("doc") = p.doc,
                               py::arg("type") = std::string(td::toString(p.type)),
                               py::arg("hasDefault") = p.defaultValue.has_value(),
                               py::arg("default") = defaultOf(p)));
      }
      out.append(py::dict(py::arg("name") = s.name, py::arg("kind") = kindName(s.kind),
                          py::arg("summary") = s.summary, py::arg("sparkClass") = s.sparkClass,
                          py::arg("uidPrefix") = s.uidPrefix, py::arg("params") = params));
    }
    return out;
  });

  py::class_<td::Frame>(m, "Frame", "A columnar table (thunderdome's DataFrame storage)")
      .def(py::init<>())
      .def_static("from_columns", &frameFromColumns)
      .def("num_rows", &td::Frame::numRows)
      .def("column_names", &td::Frame::columnNames)
      .def("column_types",
           [](const td::Frame& f) {
             std::vector<std::string> t;
             for (const auto& fld : f.schema().fields()) t.emplace_back(td::toString(fld.type));
             return t;
           })
      .def("column", &columnToPython)
      .def("null_mask", &nullMask)
      .def("double_block", &numericBlock<double, td::DoubleColumn>)
      .def("int64_block", &numericBlock<std::int64_t, td::Int64Column>)
      .def("select", &td::Frame::select)
      .def("drop", &td::Frame::drop)
      .def("with_column_of",
           [](const td::Frame& f, std::string name, const td::Frame& src,
              const std::string& srcName) {
             return f.withColumn(std::move(name), src.column(srcName));
           })
      .def("with_column",
           [](const td::Frame& f, std::string name, const std::string& kind, py::handle data,
              py::handle mask) {
             return f.withColumn(std::move(name), columnFromPython(kind, data, mask));
           })
      .def("take",
           [](const td::Frame& f,
              py::array_t<std::int64_t, py::array::c_style | py::array::forcecast> rows) {
             return f.take({rows.data(), static_cast<std::size_t>(rows.size())});
           })
      .def("random_split", &td::Frame::randomSplit)
      .def("show", &td::Frame::show, py::arg("n") = 20, py::arg("truncate") = true);

  // spark.read: the CLI's reader options (Spark's names, the same checks and messages), with
  // PySpark's defaults (no header, no schema inference) unless the options say otherwise.
  m.def(
      "read_frame",
      [](const std::string& path, const std::string& format,
         std::map<std::string, std::string> options) {
        options.emplace("header", "false");
        options.emplace("inferSchema", "false");
        std::optional<std::string> fmt;
        if (!format.empty()) fmt = format;
        const td::ReadOptions o = td::cli::makeReadOptions(options, {}, fmt);
        py::gil_scoped_release release;
        return td::readFrame(path, o);
      },
      py::arg("path"), py::arg("format") = "",
      py::arg("options") = std::map<std::string, std::string>{});

  // df.write: one file in `format` with the CLI's reader option names for the CSV layout
  // (header, sep, quote, escape, nullValue), Spark's defaults (no header).
  m.def(
      "write_frame",
      [](const td::Frame& f, const std::string& path, const std::string& format,
         std::map<std::string, std::string> options) {
        options.emplace("header", "false");
        td::WriteOptions w;
        if (!format.empty()) w.format = format;
        w.csv = td::cli::makeReadOptions(options, {}, w.format).csv;
        py::gil_scoped_release release;
        td::writeFrame(f, path, w);
      },
      py::arg("frame"), py::arg("path"), py::arg("format") = "",
      py::arg("options") = std::map<std::string, std::string>{});

  // dynamic_attr: the Python object made for a stage is kept on its handle (weakly), so the same
  // C++ stage always comes back as the same Python object (cv.getEstimator() is pipeline).
  py::class_<td::Params, std::shared_ptr<td::Params>>(
      m, "Stage", "Any registered stage, model or evaluator", py::dynamic_attr())
      .def_static(
          "create",
          [](const std::string& cls, std::string uid) {
            const auto& info = td::findStageInfo(cls);
            if (uid.empty()) uid = td::randomUid(info.uidPrefix);
            return td::createInstance(cls, uid);
          },
          py::arg("cls"), py::arg("uid") = "")
      .def_property_readonly("uid", &td::Params::uid)
      .def("class_name", &td::Params::className)
      .def("has_param", &td::Params::hasParam)
      .def("param_type",
           [](const td::Params& p, std::string_view name) {
             return std::string(td::toString(p.spec(name).type));
           })
      .def("set",
           [](td::Params& p, const std::string& name, py::handle value) {
             if (value.is_none()) {
               (void)p.spec(name);
               p.clear(name);
             } else {
               p.set(name, toParamValue(p.spec(name), value));
             }
           })
      .def("get", [](const td::Params& p,
                     std::string_view name) { return toPython(p.getOrDefault(name)); })
      .def("get_default",
           [](const td::Params& p, std::string_view name) {
             auto d = p.getDefault(name);
             return d ? toPython(*d) : py::none();
           })
      .def("is_set", [](const td::Params& p, std::string_view n) { return p.isSet(n); })
      .def("is_defined", [](const td::Params& p, std::string_view n) { return p.isDefined(n); })
      .def("has_default",
           [](const td::Params& p, std::string_view n) { return p.getDefault(n).has_value(); })
      .def("clear", [](td::Params& p, std::string_view n) { p.clear(n); })
      .def("explain_param", &td::Params::explainParam)
      .def("explain_params", &td::Params::explainParams)
      .def("user_values",
           [](const td::Params& p) {
             py::dict d;
             for (const auto& [k, v] : p.userValues()) d[py::str(k)] = toPython(v);
             return d;
           })
      .def("is_estimator",
           [](const td::Params& p) {
             auto* s = dynamic_cast<const td::PipelineStage*>(&p);
             return s != nullptr && s->isEstimator();
           })
      .def("copy",
           [](const td::Params& p, py::list extra) -> std::shared_ptr<td::Params> {
             const td::ParamMap map = toParamMap(extra);
             if (auto* s = dynamic_cast<const td::PipelineStage*>(&p)) return s->copyStage(map);
             if (auto* e = dynamic_cast<const td::Evaluator*>(&p)) return e->copyEvaluator(map);
             auto c = p.cloneParams();
             c->applyParamMap(map);
             return c;
           })
      .def("fit",
           [](const std::shared_ptr<td::Params>& p, const td::Frame& f, py::list extra) {
             auto est = std::dynamic_pointer_cast<td::Estimator>(p);
             if (!est) throw td::ParamError(p->describe() + " is not an estimator: it has no fit");
             const td::ParamMap map = toParamMap(extra);
             return std::static_pointer_cast<td::Params>(runReleased([&](const td::Context& ctx) {
               return map.empty() ? est->fit(f, ctx) : est->fit(f, map, ctx);
             }));
           })
      .def("transform",
           [](const std::shared_ptr<td::Params>& p, const td::Frame& f, py::list extra) {
             auto tr = std::dynamic_pointer_cast<td::Transformer>(p);
             if (!tr)
               throw td::ParamError(p->describe() + " is not a transformer: it has no transform");
             const td::ParamMap map = toParamMap(extra);
             if (!map.empty()) tr = std::static_pointer_cast<td::Transformer>(tr->copyStage(map));
             return runReleased([&](const td::Context& ctx) { return tr->transform(f, ctx); });
           })
      // The output schema for an input schema given as "name type" pairs (Spark's type names,
      // as the CLI's schema option): [(name, type), ...].
      .def("transform_schema",
           [](const std::shared_ptr<td::Params>& p,
              const std::vector<std::pair<std::string, std::string>>& fields) {
             std::string ddl;
             for (const auto& [n, t] : fields) ddl += (ddl.empty() ? "" : ", ") + n + " " + t;
             const td::Schema in = fields.empty() ? td::Schema() : td::cli::parseSchemaDdl(ddl);
             std::vector<std::pair<std::string, std::string>> out;
             const td::Schema result =
                 asStage(p)->transformSchema(in);  // kept: fields() refers into it
             for (const auto& f : result.fields())
               out.emplace_back(f.name, std::string(td::toString(f.type)));
             return out;
           })
      .def("evaluate",
           [](const std::shared_ptr<td::Params>& p, const td::Frame& f, py::list extra) {
             auto ev = std::dynamic_pointer_cast<td::Evaluator>(p);
             if (!ev) throw td::ParamError(p->describe() + " is not an evaluator");
             const td::ParamMap map = toParamMap(extra);
             if (!map.empty()) ev = ev->copyEvaluator(map);
             return runReleased([&](const td::Context& ctx) { return ev->evaluate(f, ctx); });
           })
      .def("is_larger_better",
           [](const td::Params& p) {
             return dynamic_cast<const td::Evaluator&>(p).isLargerBetter();
           })
      .def("sub_stages",
           [](const std::shared_ptr<td::Params>& p) {
             std::vector<std::shared_ptr<td::Params>> out;
             for (auto& s : asStage(p)->subStages()) out.push_back(s);
             return out;
           })
      .def("set_stages",
           [](const std::shared_ptr<td::Params>& p,
              const std::vector<std::shared_ptr<td::Params>>& stages) {
             auto pipe = std::dynamic_pointer_cast<td::Pipeline>(p);
             if (!pipe) throw td::ParamError(p->describe() + " has no stages to set");
             std::vector<std::shared_ptr<td::PipelineStage>> s;
             for (const auto& x : stages) s.push_back(asStage(x));
             pipe->setStages(std::move(s));
           })
      .def("state",
           [](const td::Params& p) {
             DictStateWriter w;
             p.saveState(w);
             return w.out;
           })
      .def("tuning",
           [](const std::shared_ptr<td::Params>& p) -> py::object {
             auto* t = asStage(p)->asTuningModel();
             if (t == nullptr) return py::none();
             py::dict d;
             d["bestModel"] = std::static_pointer_cast<td::Params>(t->bestModel());
             d["bestIndex"] = t->bestIndex();
             d["metrics"] = t->metrics();
             py::list maps;
             for (const auto& m : t->getEstimatorParamMaps()) maps.append(paramMapToPython(m));
             d["estimatorParamMaps"] = maps;
             d["estimator"] = std::static_pointer_cast<td::Params>(t->getEstimator());
             d["evaluator"] = std::static_pointer_cast<td::Params>(t->getEvaluator());
             if (auto* cv = dynamic_cast<const td::CrossValidatorModel*>(t)) {
               d["avgMetrics"] = cv->avgMetrics();
               d["stdMetrics"] = cv->stdMetrics();
               d["foldMetrics"] = cv->foldMetrics();
             }
             if (auto* tvs = dynamic_cast<const td::TrainValidationSplitModel*>(t))
               d["validationMetrics"] = tvs->validationMetrics();
             return d;
           })
      .def("training_summary", &trainingSummary)
      // OneVsRestModel: the per-class binary models (Spark's models), class k at index k.
      .def("ovr_models",
           [](const std::shared_ptr<td::Params>& p) {
             auto ovr = std::dynamic_pointer_cast<td::OneVsRestModel>(p);
             if (!ovr) throw td::ParamError(p->describe() + " is not a OneVsRestModel");
             std::vector<std::shared_ptr<td::Params>> out;
             for (const auto& m : ovr->models()) out.push_back(m);
             return out;
           })
      .def("save",
           [](const std::shared_ptr<td::Params>& p, const std::string& path, bool overwrite) {
             py::gil_scoped_release release;
             if (auto s = std::dynamic_pointer_cast<td::PipelineStage>(p)) {
               td::saveStage(*s, path, overwrite);
             } else {
               td::saveParams(*p, path, overwrite);  // an evaluator
             }
           })
      .def("__repr__", [](const td::Params& p) { return p.uid(); });

  // Spark's BinaryClassificationMetrics of a score column (a vector: element 1, or a double)
  // against a label column, by the C++ evaluator: (rocX, rocY, prX, prY, thresholds).
  m.def(
      "binary_curves",
      [](const td::Frame& f, const std::string& scoreCol, const std::string& labelCol,
         const std::string& weightCol, std::int64_t numBins) {
        td::BinaryClassificationEvaluator ev;
        ev.setRawPredictionCol(scoreCol).setLabelCol(labelCol).setNumBins(numBins);
        if (!weightCol.empty()) ev.setWeightCol(weightCol);
        td::BinaryCurves c;
        {
          py::gil_scoped_release release;
          c = ev.curves(f);
        }
        std::vector<double> rx, ry, px, py_;
        for (const auto& pt : c.roc) rx.push_back(pt.x), ry.push_back(pt.y);
        for (const auto& pt : c.pr) px.push_back(pt.x), py_.push_back(pt.y);
        return py::make_tuple(rx, ry, px, py_, c.thresholds);
      },
      py::arg("frame"), py::arg("score_col"), py::arg("label_col"), py::arg("weight_col") = "",
      py::arg("num_bins") = 0);

  m.def("load", [](const std::string& path) {
    py::gil_scoped_release release;
    return td::loadParams(path);  // a stage, model or evaluator
  });
}
