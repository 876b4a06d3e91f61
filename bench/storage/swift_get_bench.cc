// bench/storage/swift_get_bench.cc — Swift read throughput and time to first row.
//
// Against a Swift (the loopback test server of scripts/swift/swift-test-server.sh, or any
// tempauth / pre-authenticated one; credentials from the environment as SwiftClient takes them):
//   1. uploads a CSV-like object (default 1 GiB) and measures GET throughput of SwiftClient::get
//      and SwiftClient::stream for several parallelGets x rangeChunkBytes, next to
//      `curl -s -o /dev/null` of the same object with a token of the same user;
//   2. uploads a ~200 MB CSV and measures readFrame("swift://...") — time to the first parsed
//      row (ReadOptions::onRows) and to the Frame — against the download alone and against the
//      old way (whole download, then parse);
//   3. deletes the objects (unless --keep).
// Prints markdown tables. bench/storage/run.sh starts a private server and runs it.
#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "thunderdome/io/csv.h"
#include "thunderdome/io/frame_io.h"
#include "thunderdome/io/stream.h"
#include "thunderdome/storage/swift.h"

namespace {

using Clock = std::chrono::steady_clock;
using td::storage::SwiftClient;
using td::storage::SwiftCredentials;
using td::storage::SwiftOptions;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
double mbps(double bytes, double seconds) { return bytes / 1e6 / seconds; }

std::string env(const char* name, const char* fallback = "") {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

std::vector<long long> parseList(const std::string& s) {
  std::vector<long long> out;
  std::size_t at = 0;
  while (at <= s.size()) {
    const auto comma = s.find(',', at);
    const std::string item = s.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    if (!item.empty()) out.push_back(std::stoll(item));
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return out;
}

struct Args {
  std::string container = "td-bench";
  long long sizeMiB = 1024;   // throughput object
  long long csvMiB = 200;     // time-to-first-row object
  std::vector<long long> parallel{1, 2, 4, 8};
  std::vector<long long> chunkMiB{8, 32, 64};
  int repeats = 2;
  bool keep = false;
  bool skipThroughput = false;
  bool skipFirstRow = false;
};

Args parseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error("missing value after " + k);
      return argv[++i];
    };
    if (k == "--container") a.container = val();
    else if (k == "--size-mib") a.sizeMiB = std::stoll(val());
    else if (k == "--csv-mib") a.csvMiB = std::stoll(val());
    else if (k == "--parallel") a.parallel = parseList(val());
    else if (k == "--chunk-mib") a.chunkMiB = parseList(val());
    else if (k == "--repeats") a.repeats = std::stoi(val());
    else if (k == "--keep") a.keep = true;
    else if (k == "--no-throughput") a.skipThroughput = true;
    else if (k == "--no-first-row") a.skipFirstRow = true;
    else if (k == "--help" || k == "-h") {
      std::printf(
          "usage: swift_get_bench [--container C] [--size-mib 1024] [--csv-mib 200]\n"
          "       [--parallel 1,2,4,8] [--chunk-mib 8,32,64] [--repeats 2] [--keep]\n"
          "       [--no-throughput] [--no-first-row]\n"
          "Credentials: ST_AUTH/ST_USER/ST_KEY (tempauth) or OS_STORAGE_URL+OS_AUTH_TOKEN; the\n"
          "curl comparison needs one of these two (Keystone credentials are not supported).\n"
          "TD_SWIFT_MAX_FILE_SIZE (the server's max_file_size) picks the upload segment size.\n");
      std::exit(0);
    } else {
      throw std::runtime_error("unknown argument " + k + " (see --help)");
    }
  }
  return a;
}

// CSV text of exactly `bytes` bytes: "id,score,text" rows, the last one's text padded.
std::string csvPayload(std::size_t bytes) {
  std::string s;
  s.reserve(bytes + 64);
  s = "id,score,text\n";
  char buf[96];
  std::uint64_t r = 0;
  for (; s.size() + 2 * sizeof buf < bytes; ++r) {
    char* p = buf;
    p = std::to_chars(p, buf + sizeof buf, r).ptr;
    *p++ = ',';
    p = std::to_chars(p, buf + sizeof buf, static_cast<double>(r % 100000) * 0.25).ptr;
    static constexpr std::string_view kWords[] = {",spark streaming words ", ",hadoop map reduce ",
                                                  ",some text here ", ",lorem ipsum dolor "};
    const std::string_view w = kWords[r % 4];
    std::copy(w.begin(), w.end(), p);
    p += w.size();
    p = std::to_chars(p, buf + sizeof buf, r % 997).ptr;
    *p++ = '\n';
    s.append(buf, static_cast<std::size_t>(p - buf));
  }
  s += std::to_string(r) + ",0.5,";
  if (s.size() + 1 < bytes) s.append(bytes - 1 - s.size(), 'x');
  s += '\n';
  return s;
}

// Runs a shell command and returns its standard output.
std::string run(const std::string& cmd) {
  std::string out;
  FILE* f = ::popen(cmd.c_str(), "r");
  if (f == nullptr) throw std::runtime_error("cannot run: " + cmd);
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  ::pclose(f);
  return out;
}

std::string shellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Storage URL and token for curl: pre-authenticated from the environment, else tempauth.
std::pair<std::string, std::string> curlSession() {
  if (!env("OS_STORAGE_URL").empty() && !env("OS_AUTH_TOKEN").empty())
    return {env("OS_STORAGE_URL"), env("OS_AUTH_TOKEN")};
  if (env("ST_AUTH").empty()) return {};
  const std::string headers =
      run("curl --noproxy '*' -s -o /dev/null -D - -H " + shellQuote("X-Auth-User: " + env("ST_USER")) +
          " -H " + shellQuote("X-Auth-Key: " + env("ST_KEY")) + " " + shellQuote(env("ST_AUTH")));
  std::string url, token;
  std::size_t at = 0;
  while (at < headers.size()) {
    auto eol = headers.find('\n', at);
    if (eol == std::string::npos) eol = headers.size();
    std::string line = headers.substr(at, eol - at);
    at = eol + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    if (name == "x-storage-url") url = value;
    if (name == "x-auth-token") token = value;
  }
  return {url, token};
}

// curl's download speed (bytes/s) of url with the token; 0 on failure.
double curlSpeed(const std::string& url, const std::string& token, std::int64_t expectBytes) {
  const std::string out =
      run("curl --noproxy '*' -s -o /dev/null -H " + shellQuote("X-Auth-Token: " + token) +
          " -w '%{speed_download} %{size_download} %{http_code}' " + shellQuote(url));
  double speed = 0, size = 0;
  int code = 0;
  if (std::sscanf(out.c_str(), "%lf %lf %d", &speed, &size, &code) != 3 || code != 200 ||
      static_cast<std::int64_t>(size) != expectBytes) {
    std::fprintf(stderr, "curl failed: %s\n", out.c_str());
    return 0;
  }
  return speed;
}

double md5Throughput(const std::string& data) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const auto t0 = Clock::now();
  EVP_DigestInit_ex(ctx, EVP_md5(), nullptr);
  EVP_DigestUpdate(ctx, data.data(), data.size());
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx, md, &n);
  const double t = since(t0);
  EVP_MD_CTX_free(ctx);
  return mbps(static_cast<double>(data.size()), t);
}

SwiftOptions options(long long parallel, long long chunkBytes) {
  SwiftOptions o;
  o.parallelGets = static_cast<int>(parallel);
  o.rangeChunkBytes = chunkBytes;
  o.verifyChecksums = env("TD_SWIFT_VERIFY_CHECKSUMS", "1") != "0";
  // Uploads: one PUT when the server allows it (TD_SWIFT_MAX_FILE_SIZE), else an SLO.
  const long long maxFile = std::atoll(env("TD_SWIFT_MAX_FILE_SIZE", "5368709122").c_str());
  o.segmentBytes = std::max<long long>(1 << 20, maxFile);
  return o;
}

void throughput(const Args& a, const SwiftCredentials& creds) {
  const std::string object = "bench-get.csv";
  const auto bytes = static_cast<std::size_t>(a.sizeMiB) << 20;
  SwiftClient up(creds, options(4, 8 << 20));
  up.ensureContainer(a.container);
  {
    std::string data = csvPayload(bytes);
    std::printf("MD5 (OpenSSL, one core, as SwiftClient checks every download): %.0f MB/s\n",
                md5Throughput(data));
    const auto t0 = Clock::now();
    up.put(a.container, object, data);
    std::printf("upload of %zu MiB: %.1f s (%.0f MB/s)\n\n", bytes >> 20, since(t0),
                mbps(static_cast<double>(bytes), since(t0)));
  }
  auto [storageUrl, token] = curlSession();
  if (!token.empty() && storageUrl != up.storageUrl()) {
    std::printf("(curl skipped: its tempauth account %s is not the client's %s)\n\n",
                storageUrl.c_str(), up.storageUrl().c_str());
    token.clear();
  }
  const std::string url = storageUrl + "/" + a.container + "/" + object;

  // Each client run follows a curl run of the same object: the machine's load drifts, so every
  // configuration is compared with the curl run next to it (the median of those ratios).
  struct Cell {
    std::vector<double> curl, get, stream, sized;  // MB/s per repeat
  };
  std::map<std::pair<long long, long long>, Cell> cells;
  for (int rep = 0; rep < a.repeats; ++rep) {
    for (const long long p : a.parallel) {
      for (const long long c : a.chunkMiB) {
        Cell& cell = cells[{p, c}];
        if (!token.empty()) cell.curl.push_back(curlSpeed(url, token, static_cast<std::int64_t>(bytes)) / 1e6);
        SwiftClient client(creds, options(p, c << 20));
        auto t0 = Clock::now();
        {
          const std::string got = client.get(a.container, object);
          if (got.size() != bytes) throw std::runtime_error("short download");
        }
        cell.get.push_back(mbps(static_cast<double>(bytes), since(t0)));
        std::int64_t n = 0;
        t0 = Clock::now();
        client.stream(a.container, object, [&](std::string_view chunk) { n += static_cast<std::int64_t>(chunk.size()); });
        cell.stream.push_back(mbps(static_cast<double>(n), since(t0)));
        // What get() costs with its buffer sized up front (HEAD, reserve, append in order).
        t0 = Clock::now();
        {
          std::string got;
          got.reserve(static_cast<std::size_t>(client.head(a.container, object).bytes));
          client.stream(a.container, object, [&](std::string_view chunk) { got.append(chunk); });
          if (got.size() != bytes) throw std::runtime_error("short download");
        }
        cell.sized.push_back(mbps(static_cast<double>(bytes), since(t0)));
        std::fprintf(stderr, "  rep %d parallel %lld chunk %lld MiB: curl %.0f, get %.0f, stream %.0f, sized %.0f MB/s\n",
                     rep + 1, p, c, cell.curl.empty() ? 0.0 : cell.curl.back(), cell.get.back(),
                     cell.stream.back(), cell.sized.back());
      }
    }
  }
  auto best = [](const std::vector<double>& v) { return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()); };
  auto medianRatio = [](const std::vector<double>& v, const std::vector<double>& curl) {
    std::vector<double> r;
    for (std::size_t i = 0; i < v.size() && i < curl.size(); ++i)
      if (curl[i] > 0) r.push_back(100 * v[i] / curl[i]);
    if (r.empty()) return 0.0;
    std::sort(r.begin(), r.end());
    return r.size() % 2 ? r[r.size() / 2] : (r[r.size() / 2 - 1] + r[r.size() / 2]) / 2;
  };
  std::printf("GET of a %lld MiB object: best MB/s of %d runs; %% curl = median over the runs of the "
              "ratio to the curl run just before\n\n", a.sizeMiB, a.repeats);
  if (token.empty())
    std::printf("(curl skipped: needs ST_AUTH/ST_USER/ST_KEY or OS_STORAGE_URL+OS_AUTH_TOKEN)\n\n");
  std::printf("get(): the object in a std::string; stream(): bytes counted and dropped (what the\n"
              "readers see); sized: stream() appended to a string reserved from a HEAD first.\n\n");
  std::printf("| parallelGets | rangeChunk | curl MB/s | get() MB/s | %% curl | stream() MB/s | %% curl | sized MB/s | %% curl |\n");
  std::printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& [key, cell] : cells)
    std::printf("| %lld | %lld MiB | %.0f | %.0f | %.0f%% | %.0f | %.0f%% | %.0f | %.0f%% |\n", key.first,
                key.second, best(cell.curl), best(cell.get), medianRatio(cell.get, cell.curl),
                best(cell.stream), medianRatio(cell.stream, cell.curl), best(cell.sized),
                medianRatio(cell.sized, cell.curl));
  std::printf("\n");
  if (!a.keep) up.remove(a.container, object);
}

void firstRow(const Args& a, const SwiftCredentials& creds) {
  const std::string object = "bench-first-row.csv";
  const auto bytes = static_cast<std::size_t>(a.csvMiB) << 20;
  SwiftClient up(creds, options(4, 8 << 20));
  up.ensureContainer(a.container);
  std::int64_t expectRows = 0;
  {
    const std::string data = csvPayload(bytes);
    expectRows = static_cast<std::int64_t>(std::count(data.begin(), data.end(), '\n')) - 1;
    up.put(a.container, object, data);
  }
  const std::string path = "swift://" + a.container + "/" + object;
  const SwiftOptions defaults;  // what readFrame's client uses
  std::printf("readFrame(\"%s\") of %lld MiB (%lld rows), SwiftOptions defaults (parallelGets %d, "
              "rangeChunk %lld MiB), best of %d\n\n",
              path.c_str(), a.csvMiB, static_cast<long long>(expectRows), defaults.parallelGets,
              static_cast<long long>(defaults.rangeChunkBytes >> 20), a.repeats);
  double dl = 1e9, first = 1e9, total = 1e9, oldGet = 1e9, oldParse = 1e9, first1 = 1e9;
  for (int rep = 0; rep < a.repeats; ++rep) {
    SwiftClient client(creds, defaults);
    auto t0 = Clock::now();
    client.stream(a.container, object, [](std::string_view) {});
    dl = std::min(dl, since(t0));

    double tFirst = -1;
    td::ReadOptions ro;
    t0 = Clock::now();
    ro.onRows = [&](std::int64_t rows) {
      if (rows > 0 && tFirst < 0) tFirst = since(t0);
    };
    const td::Frame f = td::readFrame(path, ro);
    total = std::min(total, since(t0));
    first = std::min(first, tFirst);
    if (f.numRows() != expectRows) throw std::runtime_error("readFrame: wrong row count");

    // The same with 1 MiB ranges: the first row waits only for the first range.
    SwiftClient small(creds, options(defaults.parallelGets, 1 << 20));
    double tFirst1 = -1;
    t0 = Clock::now();
    const td::Frame g = td::readCsvStream(
        [&](const td::ChunkSink& sink) {
          td::inflateStream([&](const td::ChunkSink& raw) { small.stream(a.container, object, raw); },
                            sink, path);
        },
        {}, path, [&](std::int64_t rows) {
          if (rows > 0 && tFirst1 < 0) tFirst1 = since(t0);
        });
    first1 = std::min(first1, tFirst1);

    // Before streaming: the whole object first, then the parse.
    t0 = Clock::now();
    const std::string text = client.get(a.container, object);
    oldGet = std::min(oldGet, since(t0));
    t0 = Clock::now();
    const td::Frame h = td::readCsvString(text, {}, path);
    oldParse = std::min(oldParse, since(t0));
  }
  std::printf("| measure | seconds |\n|---|---:|\n");
  std::printf("| download alone (SwiftClient::stream, bytes dropped) | %.2f |\n", dl);
  std::printf("| readFrame: first row parsed (8 MiB ranges) | %.3f |\n", first);
  std::printf("| readCsvStream with 1 MiB ranges: first row parsed | %.3f |\n", first1);
  std::printf("| readFrame: Frame ready (streamed) | %.2f |\n", total);
  std::printf("| before: get() then readCsvString | %.2f + %.2f = %.2f |\n\n", oldGet, oldParse,
              oldGet + oldParse);
  if (!a.keep) up.remove(a.container, object);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Args a = parseArgs(argc, argv);
    const SwiftCredentials creds = SwiftCredentials::fromEnvironment();
    if (!a.skipThroughput) throughput(a, creds);
    if (!a.skipFirstRow) firstRow(a, creds);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "swift_get_bench: %s\n", e.what());
    return 1;
  }
}
