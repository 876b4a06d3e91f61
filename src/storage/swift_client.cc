// src/storage/swift_client.cc — Swift over libcurl: auth, retries, ranged parallel reads,
// listings, SLO uploads.
#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

#include <sys/mman.h>

#include "http.h"
#include "swift_parse.h"
#include "thunderdome/core/error.h"
#include "thunderdome/core/parallel.h"
#include "thunderdome/storage/swift.h"

namespace td::storage {

using nlohmann::json;

// ------------------------------------------------------------------------------- URLs
bool isSwiftUrl(std::string_view path) { return path.rfind("swift://", 0) == 0; }

SwiftUrl parseSwiftUrl(std::string_view url) {
  if (!isSwiftUrl(url))
    throw ParamError(fmt::format("'{}' is not a swift:// URL (expected swift://container/object)", url));
  const std::string_view rest = url.substr(8);
  const auto slash = rest.find('/');
  SwiftUrl out;
  out.container = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) out.object = std::string(rest.substr(slash + 1));
  if (out.container.empty())
    throw ParamError(fmt::format("'{}' has no container name (expected swift://container/object)", url));
  return out;
}

std::string SwiftUrl::toString() const { return "swift://" + container + "/" + object; }

namespace {

std::string percentEncode(std::string_view s, bool keepSlash) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keepSlash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// Incremental MD5 (OpenSSL EVP), hex digest.
class Md5 {
 public:
  Md5() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_md5(), nullptr); }
  ~Md5() { EVP_MD_CTX_free(ctx_); }
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;
  void update(std::string_view d) { EVP_DigestUpdate(ctx_, d.data(), d.size()); }
  std::string hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_, md, &n);
    std::string out;
    for (unsigned int i = 0; i < n; ++i) out += fmt::format("{:02x}", md[i]);
    return out;
  }

 private:
  EVP_MD_CTX* ctx_;
};

std::string md5Hex(std::string_view d) {
  Md5 m;
  m.update(d);
  return m.hex();
}

std::string unquote(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

// Percent-decodes an X-Object-Manifest value (libcurl's unescape).
std::string percentDecode(const std::string& s) {
  int n = 0;
  char* out = curl_easy_unescape(nullptr, s.c_str(), static_cast<int>(s.size()), &n);
  if (out == nullptr) return s;
  std::string r(out, static_cast<std::size_t>(n));
  curl_free(out);
  return r;
}

bool retryableStatus(long s) { return s == 408 || s == 429 || s == 498 || s >= 500; }

}  // namespace

// ------------------------------------------------------------------------------- client
struct SwiftClient::Impl {
  SwiftCredentials creds;
  SwiftOptions opts;
  HttpClient http;
  std::mutex authMu;
  std::string storageUrl, token;
  std::uint64_t authGeneration = 0;

  Impl(SwiftCredentials c, SwiftOptions o)
      : creds(std::move(c)), opts(o),
        http(HttpSettings{o.verifyTls && creds.verifyTls,
                          o.caBundle.empty() ? creds.cacert : o.caBundle, o.connectTimeoutMs,
                          o.stallTimeoutSeconds}) {}

  // Sleeps before retry `attempt` (1-based): base * 2^(attempt-1), capped, full jitter.
  void backoff(int attempt) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    const double cap = std::min(opts.backoffMaxSeconds,
                                opts.backoffBaseSeconds * static_cast<double>(1LL << std::min(attempt - 1, 20)));
    std::uniform_real_distribution<double> jitter(cap / 2, cap);
    std::this_thread::sleep_for(std::chrono::duration<double>(jitter(rng)));
  }

  // True when try `attempt` (0-based) was the last: at least maxRetries retries done and the
  // retry budget (retrySeconds since the first try) spent.
  [[nodiscard]] bool outOfRetries(int attempt, std::chrono::steady_clock::time_point start) const {
    if (attempt < opts.maxRetries) return false;
    const std::chrono::duration<double> spent = std::chrono::steady_clock::now() - start;
    return spent.count() >= opts.retrySeconds;
  }

  // Performs an auth request with retries on transient failures.
  HttpResponse authRequest(const HttpRequest& req) {
    HttpResponse resp;
    TransportError err;
    const auto start = std::chrono::steady_clock::now();
    for (int attempt = 0;; ++attempt) {
      const bool ok = http.perform(req, resp, err);
      if (ok && !retryableStatus(resp.status)) return resp;
      if (outOfRetries(attempt, start)) {
        if (!ok)
          throw IoError(fmt::format("swift: cannot reach the auth service {} after {} tries: {}",
                                    req.url, attempt + 1, err.message));
        throw IoError(fmt::format("swift: auth service {} answered HTTP {} after {} tries",
                                  req.url, resp.status, attempt + 1));
      }
      backoff(attempt + 1);
    }
  }

  void authenticateV1() {
    HttpRequest req{"GET", creds.authUrl, {{"X-Auth-User", creds.username}, {"X-Auth-Key", creds.password}}};
    const HttpResponse r = authRequest(req);
    if (r.status == 401 || r.status == 403)
      throw IoError(fmt::format("swift: authentication as {} was refused by {} (HTTP {}): check "
                                "ST_USER and ST_KEY",
                                creds.who(), creds.authUrl, r.status));
    if (r.status / 100 != 2 || r.header("x-storage-url").empty() || r.header("x-auth-token").empty())
      throw IoError(fmt::format("swift: unexpected answer from {} (HTTP {})", creds.authUrl, r.status));
    storageUrl = r.header("x-storage-url");
    token = r.header("x-auth-token");
  }

  void authenticateKeystone() {
    std::string url = creds.authUrl;
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (url.size() < 3 || url.substr(url.size() - 3) != "/v3") url += "/v3";
    url += "/auth/tokens";
    json identity;
    json body;
    if (creds.method == SwiftCredentials::Method::kKeystoneAppCredential) {
      json ac = {{"secret", creds.appCredentialSecret}};
      if (!creds.appCredentialId.empty()) {
        ac["id"] = creds.appCredentialId;
      } else {
        ac["name"] = creds.appCredentialName;
        ac["user"] = {{"name", creds.username}, {"domain", {{"name", creds.userDomainName}}}};
      }
      body = {{"auth", {{"identity", {{"methods", {"application_credential"}},
                                      {"application_credential", ac}}}}}};
    } else {
      json user = {{"name", creds.username}, {"password", creds.password}};
      user["domain"] = creds.userDomainId.empty() ? json{{"name", creds.userDomainName}}
                                                  : json{{"id", creds.userDomainId}};
      json project = creds.projectId.empty()
                         ? json{{"name", creds.projectName},
                                {"domain", creds.projectDomainId.empty()
                                               ? json{{"name", creds.projectDomainName}}
                                               : json{{"id", creds.projectDomainId}}}}
                         : json{{"id", creds.projectId}};
      body = {{"auth", {{"identity", {{"methods", {"password"}}, {"password", {{"user", user}}}}},
                        {"scope", {{"project", project}}}}}};
    }
    const std::string payload = body.dump();
    HttpRequest req{"POST", url, {{"Content-Type", "application/json"}}, payload};
    const HttpResponse r = authRequest(req);
    if (r.status == 401 || r.status == 403)
      throw IoError(fmt::format("swift: Keystone at {} refused {} (HTTP {}): check the OS_* "
                                "credentials",
                                creds.authUrl, creds.who(), r.status));
    if (r.status != 201 || r.header("x-subject-token").empty())
      throw IoError(fmt::format("swift: unexpected answer from Keystone at {} (HTTP {})",
                                creds.authUrl, r.status));
    const std::string found =
        detail::findObjectStoreEndpoint(r.body, creds.interface, creds.regionName);
    if (found.empty())
      throw IoError(fmt::format("swift: Keystone's catalog for {} has no object-store endpoint "
                                "with interface '{}'{}",
                                creds.who(), creds.interface,
                                creds.regionName.empty() ? "" : " in region '" + creds.regionName + "'"));
    storageUrl = found;
    token = r.header("x-subject-token");
  }

  // Authenticates unless a newer token than `seenGeneration` already exists.
  void authenticate(std::uint64_t seenGeneration) {
    std::lock_guard lock(authMu);
    if (authGeneration != seenGeneration) return;  // another thread re-authenticated already
    switch (creds.method) {
      case SwiftCredentials::Method::kPreauthenticated:
        if (authGeneration > 0)
          throw IoError("swift: the pre-authenticated token (OS_AUTH_TOKEN) was refused (HTTP "
                        "401): it expired or is invalid");
        storageUrl = creds.storageUrl;
        token = creds.token;
        break;
      case SwiftCredentials::Method::kV1: authenticateV1(); break;
      default: authenticateKeystone(); break;
    }
    while (!storageUrl.empty() && storageUrl.back() == '/') storageUrl.pop_back();
    ++authGeneration;
  }

  std::pair<std::string, std::string> session(std::uint64_t& generation) {
    {
      std::lock_guard lock(authMu);
      if (authGeneration > 0) {
        generation = authGeneration;
        return {storageUrl, token};
      }
    }
    authenticate(0);
    std::lock_guard lock(authMu);
    generation = authGeneration;
    return {storageUrl, token};
  }

  std::string objectPath(const std::string& container, const std::string& object) const {
    return "/" + percentEncode(container, false) +
           (object.empty() ? "" : "/" + percentEncode(object, true));
  }

  // Sends a request to the storage URL + `path`, re-authenticating once on 401 and retrying
  // transient failures. `prepare` may adjust the request before each try (e.g. its Range).
  HttpResponse send(HttpRequest req, const std::string& path, const std::string& what,
                    const std::function<void(HttpRequest&)>& prepare = {}) {
    bool reauthed = false;
    HttpResponse resp;
    TransportError err;
    const auto start = std::chrono::steady_clock::now();
    for (int attempt = 0;; ++attempt) {
      std::uint64_t gen = 0;
      const auto [base, tok] = session(gen);
      HttpRequest r = req;
      r.url = base + path;
      r.headers.emplace_back("X-Auth-Token", tok);
      if (prepare) prepare(r);
      const bool ok = http.perform(r, resp, err);
      if (ok && resp.status == 401 && !reauthed) {
        reauthed = true;
        authenticate(gen);
        --attempt;  // re-auth does not use up a retry
        continue;
      }
      if (ok && (resp.status == 401 || resp.status == 403))
        throw IoError(fmt::format("{}: access denied for {} (HTTP {})", what, creds.who(), resp.status));
      if (ok && !retryableStatus(resp.status)) return resp;
      if (outOfRetries(attempt, start)) {
        if (!ok)
          throw IoError(fmt::format("{}: giving up after {} tries: {}", what, attempt + 1, err.message));
        throw IoError(fmt::format("{}: giving up after {} tries: HTTP {}", what, attempt + 1, resp.status));
      }
      backoff(attempt + 1);
    }
  }

  // Downloads bytes [begin, end) into `sink`; every retry asks only for the bytes still
  // missing (Range from the current position), so an interrupted transfer resumes.
  void getRange(const std::string& container, const std::string& object, std::int64_t begin,
                std::int64_t end, const std::string& etag,
                const std::function<void(std::int64_t, std::string_view)>& sink) {
    const std::string what = fmt::format("swift://{}/{}", container, object);
    std::int64_t pos = begin;
    HttpRequest req{"GET"};
    req.onData = [&](std::string_view d) {
      const auto room = static_cast<std::size_t>(end - pos);
      if (d.size() > room) d = d.substr(0, room);  // a server ignoring Range: keep what fits
      sink(pos, d);
      pos += static_cast<std::int64_t>(d.size());
      return true;
    };
    auto prepare = [&](HttpRequest& r) {
      r.headers.emplace_back("Range", fmt::format("bytes={}-{}", pos, end - 1));
      if (!etag.empty()) r.headers.emplace_back("If-Match", etag);
    };
    int stalls = 0;
    while (pos < end) {
      const std::int64_t before = pos;
      const HttpResponse resp = send(req, objectPath(container, object), what, prepare);
      if (resp.status == 404)
        throw IoError(fmt::format("{}: object not found (container '{}', object '{}')", what,
                                  container, object));
      if (resp.status == 412)
        throw IoError(fmt::format("{}: the object changed during the download (ETag no longer {})",
                                  what, etag));
      if (resp.status != 206 && resp.status != 200)
        throw IoError(fmt::format("{}: ranged GET answered HTTP {}", what, resp.status));
      if (pos == before && ++stalls > opts.maxRetries)
        throw IoError(fmt::format("{}: the download stopped at byte {} of {}", what, pos, end));
    }
  }
};

SwiftClient::SwiftClient(SwiftCredentials credentials, SwiftOptions options)
    : impl_(std::make_unique<Impl>(std::move(credentials), options)) {}

SwiftClient::~SwiftClient() = default;

std::shared_ptr<SwiftClient> SwiftClient::fromEnvironment() {
  SwiftOptions o;
  if (const char* seg = std::getenv("TD_SWIFT_SEGMENT_BYTES")) o.segmentBytes = std::atoll(seg);
  if (const char* r = std::getenv("TD_SWIFT_MAX_RETRIES")) o.maxRetries = std::atoi(r);
  if (const char* t = std::getenv("TD_SWIFT_RETRY_SECONDS")) o.retrySeconds = std::atof(t);
  if (const char* v = std::getenv("TD_SWIFT_VERIFY_CHECKSUMS"))
    o.verifyChecksums = std::string_view(v) != "0" && std::string_view(v) != "false";
  if (const char* a = std::getenv("TD_SWIFT_ABANDONED_SAVE_SECONDS"))
    o.abandonedSaveSeconds = std::atof(a);
  return std::make_shared<SwiftClient>(SwiftCredentials::fromEnvironment(), o);
}

const SwiftOptions& SwiftClient::options() const { return impl_->opts; }

std::string SwiftClient::storageUrl() {
  std::uint64_t gen = 0;
  return impl_->session(gen).first;
}

void SwiftClient::ensureContainer(const std::string& container) {
  const auto what = fmt::format("swift://{}", container);
  const auto r = impl_->send({"PUT"}, impl_->objectPath(container, ""), what);
  if (r.status != 201 && r.status != 202 && r.status != 204)
    throw IoError(fmt::format("{}: cannot create the container (HTTP {})", what, r.status));
}

ObjectInfo SwiftClient::head(const std::string& container, const std::string& object) {
  const auto what = fmt::format("swift://{}/{}", container, object);
  const auto r = impl_->send({"HEAD"}, impl_->objectPath(container, object), what);
  if (r.status == 404)
    throw IoError(fmt::format("{}: object not found (container '{}', object '{}')", what, container, object));
  if (r.status / 100 != 2) throw IoError(fmt::format("{}: HEAD answered HTTP {}", what, r.status));
  ObjectInfo info{object, std::atoll(r.header("content-length").c_str()), unquote(r.header("etag")),
                  r.header("etag"), !r.header("x-static-large-object").empty()};
  // For an SLO the ETag is not the content's MD5; uploads record it as metadata.
  if (info.isSlo) info.hash = r.header("x-object-meta-td-md5");
  info.dloManifest = r.header("x-object-manifest");
  info.treeVersion = r.header("x-object-meta-td-tree-version");
  if (!info.dloManifest.empty()) info.hash.clear();  // a DLO's ETag is not its content's MD5
  return info;
}

bool SwiftClient::exists(const std::string& container, const std::string& object) {
  const auto what = fmt::format("swift://{}/{}", container, object);
  const auto r = impl_->send({"HEAD"}, impl_->objectPath(container, object), what);
  if (r.status == 404) return false;
  if (r.status / 100 != 2) throw IoError(fmt::format("{}: HEAD answered HTTP {}", what, r.status));
  return true;
}

DloSegments SwiftClient::dloSegments(const ObjectInfo& manifest) {
  const std::string value = percentDecode(manifest.dloManifest);
  const auto slash = value.find('/');
  if (slash == std::string::npos || slash == 0)
    throw IoError(fmt::format("swift object '{}': X-Object-Manifest '{}' is not container/prefix",
                              manifest.name, manifest.dloManifest));
  DloSegments out;
  out.container = value.substr(0, slash);
  // Swift reads a DLO's segments in name order from the listing of the prefix (every page).
  out.segments = list(out.container, value.substr(slash + 1));
  for (auto& seg : out.segments) {
    seg.etag = "\"" + seg.hash + "\"";
    out.bytes += seg.bytes;
  }
  return out;
}

namespace {
// Sizes `data` to `n` bytes for a download to fill. A large buffer is first given transparent
// huge pages (Linux with THP in madvise mode, Debian's default): filling 1 GiB of fresh 4 KiB
// pages costs 262,144 page faults, which on loopback halved get()'s throughput.
void sizeForDownload(std::string& data, std::size_t n) {
  data.reserve(n);
#ifdef MADV_HUGEPAGE
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  if (n >= 2 * kHuge) {
    const auto p = reinterpret_cast<std::uintptr_t>(data.data());
    const std::uintptr_t b = (p + kHuge - 1) & ~(kHuge - 1), e = (p + n) & ~(kHuge - 1);
    if (e > b) (void)madvise(reinterpret_cast<void*>(b), e - b, MADV_HUGEPAGE);
  }
#endif
  data.resize(n);
}
}  // namespace

std::string SwiftClient::get(const std::string& container, const std::string& object) {
  const ObjectInfo info = head(container, object);
  std::string data;
  const auto ignore = [](std::string_view) {};
  // The result is sized once and every range is written into its place (no regrowth, no
  // intermediate buffer).
  if (!info.dloManifest.empty()) {
    const DloSegments dlo = dloSegments(info);
    sizeForDownload(data, static_cast<std::size_t>(dlo.bytes));
    std::int64_t at = 0;
    for (const auto& seg : dlo.segments) {
      streamObject(dlo.container, seg.name, seg, ignore, data.data() + at);
      at += seg.bytes;
    }
    return data;
  }
  sizeForDownload(data, static_cast<std::size_t>(info.bytes));
  streamObject(container, object, info, ignore, data.data());
  return data;
}

std::string SwiftClient::getRange(const std::string& container, const std::string& object,
                                  std::int64_t begin, std::int64_t end, const std::string& etag) {
  std::string data;
  if (begin < 0 || end <= begin) return data;
  data.reserve(static_cast<std::size_t>(end - begin));
  impl_->getRange(container, object, begin, end, etag,
                  [&](std::int64_t, std::string_view d) { data.append(d); });
  return data;
}

void SwiftClient::stream(const std::string& container, const std::string& object,
                         const std::function<void(std::string_view)>& onChunk) {
  const ObjectInfo info = head(container, object);
  if (info.dloManifest.empty()) return streamObject(container, object, info, onChunk);
  // A Dynamic Large Object: its segments in order, each checked against its own MD5.
  const DloSegments dlo = dloSegments(info);
  for (const auto& seg : dlo.segments) streamObject(dlo.container, seg.name, seg, onChunk);
}

void SwiftClient::streamObject(const std::string& container, const std::string& object,
                               const ObjectInfo& info,
                               const std::function<void(std::string_view)>& onChunk,
                               char* dest) {
  const auto what = fmt::format("swift://{}/{}", container, object);
  const std::int64_t size = info.bytes;
  const std::int64_t chunk = std::max<std::int64_t>(1, impl_->opts.rangeChunkBytes);
  const std::int64_t numChunks = size == 0 ? 0 : (size + chunk - 1) / chunk;
  // The ETag pins every range to the same version of the object.
  const std::string pin = info.etag;
  Md5 md5;
  const bool verify = impl_->opts.verifyChecksums && !info.hash.empty();

  // Chunks are fetched by a few I/O threads (a sliding window) and delivered in order.
  struct Slot {
    std::string data;
    bool done = false;
  };
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::int64_t, Slot> ready;
  std::int64_t nextToFetch = 0, nextToDeliver = 0;
  std::exception_ptr error;
  const int window = std::max(1, impl_->opts.parallelGets);
  const int threads = static_cast<int>(std::min<std::int64_t>(window, numChunks));

  auto fetcher = [&](int) {
    for (;;) {
      std::int64_t i;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return error || nextToFetch >= numChunks || nextToFetch < nextToDeliver + window; });
        if (error || nextToFetch >= numChunks) return;
        i = nextToFetch++;
        ready[i];
      }
      const std::int64_t b = i * chunk, e = std::min(size, b + chunk);
      std::string buf;
      char* out = dest ? dest + b : nullptr;
      if (!dest) {
        buf.resize(static_cast<std::size_t>(e - b));
        out = buf.data();
      }
      try {
        impl_->getRange(container, object, b, e, pin, [&](std::int64_t at, std::string_view d) {
          std::memcpy(out + (at - b), d.data(), d.size());
        });
      } catch (...) {
        std::lock_guard lock(mu);
        if (!error) error = std::current_exception();
        cv.notify_all();
        return;
      }
      std::lock_guard lock(mu);
      ready[i].data = std::move(buf);
      ready[i].done = true;
      cv.notify_all();
    }
  };
  auto deliverer = [&] {
    while (true) {
      std::string owned;
      std::string_view data;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] {
          return error || nextToDeliver >= numChunks ||
                 (ready.count(nextToDeliver) && ready[nextToDeliver].done);
        });
        if (error || nextToDeliver >= numChunks) return;
        owned = std::move(ready[nextToDeliver].data);
        ready.erase(nextToDeliver);
      }
      if (dest) {
        const std::int64_t b = nextToDeliver * chunk;
        data = std::string_view(dest + b, static_cast<std::size_t>(std::min(size, b + chunk) - b));
      } else {
        data = owned;
      }
      if (verify) md5.update(data);
      const bool last = nextToDeliver + 1 == numChunks;
      if (last && verify && md5.hex() != info.hash) {
        std::lock_guard lock(mu);
        error = std::make_exception_ptr(IoError(fmt::format(
            "{}: checksum mismatch: downloaded {} bytes do not match the object's MD5 {}", what,
            size, info.hash)));
        cv.notify_all();
        return;
      }
      try {
        onChunk(data);
      } catch (...) {
        std::lock_guard lock(mu);
        error = std::current_exception();
        cv.notify_all();
        return;
      }
      std::lock_guard lock(mu);
      ++nextToDeliver;
      cv.notify_all();
    }
  };
  if (numChunks > 0) {
    parallel::runIoThreads(threads + 1, [&](int t) {
      if (t == 0) deliverer();
      else fetcher(t);
    });
  } else if (verify && info.hash != md5Hex("")) {
    throw IoError(fmt::format("{}: checksum mismatch on an empty object", what));
  }
  if (error) std::rethrow_exception(error);
}

std::vector<ObjectInfo> SwiftClient::list(const std::string& container, const std::string& prefix) {
  const auto what = fmt::format("swift://{}/{}", container, prefix);
  std::vector<ObjectInfo> out;
  std::string marker;
  for (;;) {
    std::string path = impl_->objectPath(container, "") + "?format=json&prefix=" +
                       percentEncode(prefix, false);
    if (!marker.empty()) path += "&marker=" + percentEncode(marker, false);
    const auto r = impl_->send({"GET"}, path, what);
    if (r.status == 404)
      throw IoError(fmt::format("{}: container '{}' not found", what, container));
    if (r.status == 204) break;
    if (r.status != 200) throw IoError(fmt::format("{}: listing answered HTTP {}", what, r.status));
    marker = detail::parseListingPage(r.body, what, out);
    if (marker.empty()) break;
  }
  return out;
}

void SwiftClient::put(const std::string& container, const std::string& object,
                      std::string_view data,
                      const std::vector<std::pair<std::string, std::string>>& headers) {
  const auto what = fmt::format("swift://{}/{}", container, object);
  auto putOne = [&](const std::string& c, const std::string& o, std::string_view bytes,
                    std::vector<std::pair<std::string, std::string>> headers,
                    const std::string& query, const std::string& etag = "") {
    const std::string md5 = etag.empty() ? md5Hex(bytes) : etag;
    headers.emplace_back("ETag", md5);
    for (int attempt = 0;; ++attempt) {
      HttpRequest req{"PUT", "", headers, bytes};
      const auto r = impl_->send(req, impl_->objectPath(c, o) + query, fmt::format("swift://{}/{}", c, o));
      // 202: Swift accepted the PUT but keeps a concurrent, newer write of the same name (its
      // object servers answered 409 on the timestamp): as if ours was written and replaced at
      // once. Callers that must know whose write stands (create-if-absent) read it back.
      if (r.status == 201 || r.status == 202) return md5;
      if (r.status == 404)
        throw IoError(fmt::format("swift://{}/{}: container '{}' not found", c, o, c));
      if (r.status == 422 && attempt < 1) continue;  // body corrupted in transit: send again
      if (r.status == 413)
        throw IoError(fmt::format("swift://{}/{}: object too large for the cluster (HTTP 413); "
                                  "lower the segment size",
                                  c, o));
      throw IoError(fmt::format("swift://{}/{}: upload answered HTTP {}{}", c, o, r.status,
                                r.status == 422 ? " (ETag mismatch: the data was corrupted in transit)" : ""));
    }
  };
  const auto segBytes = static_cast<std::size_t>(std::max<std::int64_t>(1, impl_->opts.segmentBytes));
  if (data.size() <= segBytes) {
    putOne(container, object, data, headers, "");
    return;
  }
  auto putManifest = [&](const std::string& c, const std::string& o, const std::string& body,
                         const std::string& sloEtag, const std::string& contentMd5) {
    auto h = headers;
    h.emplace_back("X-Object-Meta-Td-Md5", contentMd5);
    putOne(c, o, body, h, "?multipart-manifest=put", sloEtag);
  };
  // Static Large Object: segments first (in parallel), then the manifest.
  const std::string segContainer = container + "_segments";
  ensureContainer(segContainer);
  const std::size_t n = (data.size() + segBytes - 1) / segBytes;
  const auto stamp = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
  std::vector<json> segments(n);
  std::mutex mu;
  std::size_t next = 0;
  const int threads = static_cast<int>(std::min<std::size_t>(n, static_cast<std::size_t>(std::max(1, impl_->opts.parallelGets))));
  parallel::runIoThreads(threads, [&](int) {
    for (;;) {
      std::size_t i;
      {
        std::lock_guard lock(mu);
        if (next >= n) return;
        i = next++;
      }
      const std::string_view part = data.substr(i * segBytes, segBytes);
      const std::string segName = fmt::format("{}/slo/{}/{}/{:08d}", object, stamp, data.size(), i);
      const std::string md5 = putOne(segContainer, segName, part, {}, "");
      segments[i] = {{"path", "/" + segContainer + "/" + segName}, {"etag", md5}, {"size_bytes", part.size()}};
    }
  });
  const std::string manifest = json(segments).dump();
  // The manifest PUT is checked against the SLO ETag: the MD5 of the segments' MD5s.
  std::string etags;
  for (const auto& seg : segments) etags += seg["etag"].get<std::string>();
  putManifest(container, object, manifest, md5Hex(etags), md5Hex(data));
  (void)what;
}

void SwiftClient::remove(const std::string& container, const std::string& object) {
  const auto what = fmt::format("swift://{}/{}", container, object);
  const auto h = impl_->send({"HEAD"}, impl_->objectPath(container, object), what);
  if (h.status == 404) return;
  // An SLO manifest is deleted together with its segments.
  const bool slo = !h.header("x-static-large-object").empty();
  HttpRequest req{"DELETE"};
  if (slo) req.headers.emplace_back("Accept", "application/json");
  const auto r = impl_->send(req, impl_->objectPath(container, object) +
                                      (slo ? "?multipart-manifest=delete" : ""), what);
  if (r.status / 100 != 2 && r.status != 404)
    throw IoError(fmt::format("{}: delete answered HTTP {}", what, r.status));
  if (slo) {  // the bulk-delete answer is 200 with its own status inside
    try {
      const auto j = json::parse(r.body);
      const std::string st = j.value("Response Status", std::string("200 OK"));
      if (st.rfind("2", 0) != 0 && st.rfind("404", 0) != 0)
        throw IoError(fmt::format("{}: delete of the large object failed: {}", what, st));
    } catch (const json::exception&) {
    }
  }
}

}  // namespace td::storage
