// bench/membw.cc — STREAM-like triad bandwidth: a[i] = b[i] + s·c[i] over double arrays.
//
//   membw [--mib 2,16,512] [--threads 1,N] [--reps 15]
//
// For each array size (MiB per array) and thread count, persistent threads (first-touch
// initialised, so each owns its slice) run the triad `reps` times; small arrays are swept
// several times per sample so each sample lasts >= ~2 ms. Bandwidth counts STREAM's 24 bytes
// per element (read b, read c, write a; the write-allocate read is not counted). Prints a JSON
// array: {mibPerArray, threads, bestGBs, medianGBs}; GB = 1e9 bytes.
#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

std::vector<long> parseList(const std::string& s) {
  std::vector<long> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(std::stol(item));
  return out;
}

struct Result {
  double best = 0.0, median = 0.0;
};

Result triad(std::size_t n, int threads, int reps) {
  auto* a = static_cast<double*>(std::aligned_alloc(64, ((n * 8 + 63) / 64) * 64));
  auto* b = static_cast<double*>(std::aligned_alloc(64, ((n * 8 + 63) / 64) * 64));
  auto* c = static_cast<double*>(std::aligned_alloc(64, ((n * 8 + 63) / 64) * 64));
  const double bytesPerSweep = 24.0 * static_cast<double>(n);
  // Sweeps per sample: at least ~64 MB of traffic per timed sample.
  const int sweeps = static_cast<int>(std::max(1.0, 64e6 / bytesPerSweep));
  std::vector<double> samples;
  std::barrier sync(threads);
  std::chrono::steady_clock::time_point t0;
  auto worker = [&](int t) {
    const std::size_t lo = n * static_cast<std::size_t>(t) / static_cast<std::size_t>(threads);
    const std::size_t hi = n * static_cast<std::size_t>(t + 1) / static_cast<std::size_t>(threads);
    for (std::size_t i = lo; i < hi; ++i) {
      a[i] = 0.0;
      b[i] = 1.0 + static_cast<double>(i & 7);
      c[i] = 2.0;
    }
    const double s = 3.0;
    for (int r = 0; r < reps + 1; ++r) {  // the first sample warms up and is dropped
      sync.arrive_and_wait();
      if (t == 0) t0 = std::chrono::steady_clock::now();
      sync.arrive_and_wait();
      for (int k = 0; k < sweeps; ++k) {
        double* __restrict ap = a;
        const double* __restrict bp = b;
        const double* __restrict cp = c;
        for (std::size_t i = lo; i < hi; ++i) ap[i] = bp[i] + s * cp[i];
        std::atomic_signal_fence(std::memory_order_seq_cst);
      }
      sync.arrive_and_wait();
      if (t == 0 && r > 0) {
        const double sec =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        samples.push_back(bytesPerSweep * sweeps / sec / 1e9);
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker, t);
  worker(0);
  for (auto& th : pool) th.join();
  volatile double sink = a[n / 2];
  (void)sink;
  std::free(a);
  std::free(b);
  std::free(c);
  std::sort(samples.begin(), samples.end());
  return {samples.back(), samples[samples.size() / 2]};
}

}  // namespace

int main(int argc, char** argv) {
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<long> mib{2, 16, 512};
  std::vector<long> threads{1, hw};
  int reps = 15;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view a = argv[i];
    if (a == "--mib") mib = parseList(argv[i + 1]);
    else if (a == "--threads") threads = parseList(argv[i + 1]);
    else if (a == "--reps") reps = std::max(1, std::atoi(argv[i + 1]));
    else {
      std::fprintf(stderr, "usage: membw [--mib 2,16,512] [--threads 1,%d] [--reps 15]\n", hw);
      return 2;
    }
  }
  threads.erase(std::unique(threads.begin(), threads.end()), threads.end());
  std::printf("[");
  bool first = true;
  for (long m : mib) {
    for (long t : threads) {
      const std::size_t n = static_cast<std::size_t>(m) * 1024 * 1024 / 8;
      const Result r = triad(n, static_cast<int>(t), reps);
      std::printf("%s\n  {\"mibPerArray\": %ld, \"threads\": %ld, \"bestGBs\": %.3f, \"medianGBs\": %.3f}",
                  first ? "" : ",", m, t, r.best, r.median);
      first = false;
      std::fflush(stdout);
    }
  }
  std::printf("\n]\n");
  return 0;
}
