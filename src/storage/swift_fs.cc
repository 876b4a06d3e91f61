// src/storage/swift_fs.cc — Swift behind the FileSystem interface: URLs to containers and
// objects, ranged reads pinned to an ETag, buffered uploads, trees with their marker last.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <random>

#include "thunderdome/core/error.h"
#include "thunderdome/storage/swift.h"

namespace td::storage {

namespace {

// swift://container/object naming one object (not a prefix).
SwiftUrl objectUrl(const std::string& url, std::string_view verb) {
  SwiftUrl u = parseSwiftUrl(url);
  if (u.isPrefix())
    throw IoError(fmt::format("cannot {} '{}' as one file: it names a prefix", verb, url));
  return u;
}

// The prefix a directory URL stands for: the object part with a '/' appended (empty: the whole
// container).
SwiftUrl directoryUrl(const std::string& url) {
  SwiftUrl u = parseSwiftUrl(url);
  if (!u.object.empty() && u.object.back() != '/') u.object += '/';
  return u;
}

// A tree needs a prefix inside the container: "swift://c/models/m1" -> "models/m1/".
SwiftUrl treeUrl(const std::string& url) {
  SwiftUrl u = directoryUrl(url);
  if (u.object.empty())
    throw IoError(fmt::format("'{}': a tree of files (such as a model) needs a prefix inside the "
                              "container, e.g. swift://{}/models/my-model",
                              url, u.container));
  return u;
}

// One object read by ranges, every range pinned to the ETag it had when opened (for a Dynamic
// Large Object: to each segment's ETag, the segments as listed when opened).
class SwiftRandomAccessFile final : public RandomAccessFile {
 public:
  SwiftRandomAccessFile(std::shared_ptr<SwiftClient> client, SwiftUrl url)
      : client_(std::move(client)), url_(std::move(url)) {
    const ObjectInfo info = client_->head(url_.container, url_.object);
    size_ = info.bytes;
    etag_ = info.etag;
    if (!info.dloManifest.empty()) {
      dlo_ = client_->dloSegments(info);
      size_ = dlo_.bytes;
    }
  }
  [[nodiscard]] std::int64_t size() const override { return size_; }
  std::string read(std::int64_t begin, std::int64_t end) override {
    if (begin < 0 || end < begin || end > size_)
      throw InternalError(fmt::format("'{}': byte range [{}, {}) outside the object's {} bytes",
                                      url_.toString(), begin, end, size_));
    if (dlo_.container.empty())
      return client_->getRange(url_.container, url_.object, begin, end, etag_);
    std::string out;
    std::int64_t at = 0;  // offset of the current segment in the DLO
    for (const auto& seg : dlo_.segments) {
      const std::int64_t b = std::max(begin, at), e = std::min(end, at + seg.bytes);
      if (b < e) out += client_->getRange(dlo_.container, seg.name, b - at, e - at, seg.etag);
      at += seg.bytes;
      if (at >= end) break;
    }
    return out;
  }

 private:
  std::shared_ptr<SwiftClient> client_;
  SwiftUrl url_;
  DloSegments dlo_;
  std::int64_t size_ = 0;
  std::string etag_;
};

// Collects the content, then uploads it once on commit (ETag-checked; an SLO when large).
class SwiftOutputFile final : public OutputFile {
 public:
  SwiftOutputFile(std::shared_ptr<SwiftClient> client, SwiftUrl url)
      : client_(std::move(client)), url_(std::move(url)) {}
  void write(std::string_view data) override {
    if (committed_) throw InternalError(fmt::format("'{}': write after commit", url_.toString()));
    data_ += data;
  }
  void commit() override {
    if (committed_) return;
    client_->put(url_.container, url_.object, data_);
    committed_ = true;
    std::string().swap(data_);
  }

 private:
  std::shared_ptr<SwiftClient> client_;
  SwiftUrl url_;
  std::string data_;
  bool committed_ = false;
};

}  // namespace

SwiftFileSystem::SwiftFileSystem(std::shared_ptr<SwiftClient> client) : client_(std::move(client)) {
  if (!client_) throw InternalError("SwiftFileSystem: no client");
}

SwiftFileSystem::SwiftFileSystem(ClientFactory factory) : factory_(std::move(factory)) {
  if (!factory_) throw InternalError("SwiftFileSystem: no client factory");
}

std::shared_ptr<SwiftFileSystem> SwiftFileSystem::fromEnvironment() {
  return std::make_shared<SwiftFileSystem>(ClientFactory([] { return SwiftClient::fromEnvironment(); }));
}

std::shared_ptr<SwiftClient> SwiftFileSystem::client() {
  std::lock_guard lock(mu_);
  if (!client_) client_ = factory_();
  return client_;
}

std::string SwiftFileSystem::read(const std::string& url) {
  const SwiftUrl u = objectUrl(url, "read");
  return client()->get(u.container, u.object);
}

void SwiftFileSystem::stream(const std::string& url,
                             const std::function<void(std::string_view)>& sink) {
  const SwiftUrl u = objectUrl(url, "read");
  client()->stream(u.container, u.object, sink);
}

std::unique_ptr<RandomAccessFile> SwiftFileSystem::openRandomAccess(const std::string& url) {
  return std::make_unique<SwiftRandomAccessFile>(client(), objectUrl(url, "read"));
}

FileInfo SwiftFileSystem::stat(const std::string& url) {
  const SwiftUrl u = objectUrl(url, "stat");
  const ObjectInfo info = client()->head(u.container, u.object);
  const auto slash = u.object.find_last_of('/');
  const std::int64_t bytes =
      info.dloManifest.empty() ? info.bytes : client()->dloSegments(info).bytes;
  return FileInfo{url, slash == std::string::npos ? u.object : u.object.substr(slash + 1), bytes,
                  info.etag};
}

bool SwiftFileSystem::exists(const std::string& url) {
  const SwiftUrl u = parseSwiftUrl(url);
  return client()->exists(u.container, u.object);
}

bool SwiftFileSystem::isDirectory(const std::string& url) { return parseSwiftUrl(url).isPrefix(); }

std::vector<FileInfo> SwiftFileSystem::list(const std::string& url, bool /*recursive*/) {
  const SwiftUrl u = directoryUrl(url);
  std::vector<FileInfo> out;
  for (const auto& o : client()->list(u.container, u.object)) {
    if (o.name.empty() || o.name.back() == '/') continue;  // pseudo-directory markers
    // Directory markers: what `swift upload` makes for an empty sub-directory.
    if (o.contentType.rfind("application/directory", 0) == 0) continue;
    out.push_back(FileInfo{"swift://" + u.container + "/" + o.name, o.name.substr(u.object.size()),
                           o.bytes, o.hash});
  }
  std::sort(out.begin(), out.end(), [](const FileInfo& a, const FileInfo& b) { return a.url < b.url; });
  return out;
}

void SwiftFileSystem::write(const std::string& url, std::string_view data) {
  const SwiftUrl u = objectUrl(url, "write");
  client()->put(u.container, u.object, data);
}

std::unique_ptr<OutputFile> SwiftFileSystem::create(const std::string& url) {
  return std::make_unique<SwiftOutputFile>(client(), objectUrl(url, "write"));
}

void SwiftFileSystem::remove(const std::string& url) {
  const SwiftUrl u = objectUrl(url, "remove");
  client()->remove(u.container, u.object);
}

bool SwiftFileSystem::treeExists(const std::string& url, const std::string& marker) {
  const SwiftUrl u = treeUrl(url);
  return client()->exists(u.container, u.object + marker);
}

namespace {
constexpr const char* kVersions = ".td-versions/";  // a tree's versions, under its prefix
std::int64_t nowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The version component of `name` under `versionsPrefix` ("" when `name` is not under it).
std::string versionOf(const std::string& name, const std::string& versionsPrefix) {
  if (name.rfind(versionsPrefix, 0) != 0) return {};
  const auto end = name.find('/', versionsPrefix.size());
  return name.substr(versionsPrefix.size(),
                     end == std::string::npos ? std::string::npos : end - versionsPrefix.size());
}
}  // namespace

void SwiftFileSystem::writeTree(const std::string& url, const FileMap& files,
                                const std::string& marker) {
  writeTreeVersion(url, files, marker, /*onlyIfAbsent=*/false);
}

void SwiftFileSystem::writeNewTree(const std::string& url, const FileMap& files,
                                   const std::string& marker) {
  if (treeExists(url, marker))
    throw IoError(fmt::format("'{}' already exists (use --overwrite to replace it)", url));
  writeTreeVersion(url, files, marker, /*onlyIfAbsent=*/true);
}

void SwiftFileSystem::writeTreeVersion(const std::string& url, const FileMap& files,
                                       const std::string& marker, bool onlyIfAbsent) {
  const SwiftUrl u = treeUrl(url);
  const auto c = client();
  c->ensureContainer(u.container);
  // The new version under new names; the old tree (if any) stays whole meanwhile.
  const std::int64_t started = nowMicros();
  // The start time (µs), then a random tag: two runs starting in the same microsecond still
  // write under different names.
  const std::string version =
      fmt::format("{}-{:08x}", started, std::random_device{}());
  const std::string versions = u.object + kVersions;
  const std::string base = versions + version + "/";
  for (const auto& [rel, bytes] : files)
    if (rel != marker) c->put(u.container, base + rel, bytes);
  // The switch: one PUT of the marker naming the new version.
  const auto m = files.find(marker);
  if (m == files.end())
    throw InternalError(fmt::format("'{}': tree without its marker '{}'", url, marker));
  const std::string markerName = u.object + marker;
  std::string previous;  // the version the marker named until now
  if (onlyIfAbsent) {
    // Swift refuses this PUT (412) when the marker already exists; two PUTs in flight at once
    // both pass that check, and the later one is kept: so the marker is read back, and the run
    // it does not name has lost. (Two PUTs that overlap that read can both win; Swift has no
    // atomic create. The tree is whole either way.)
    bool lost = false;
    try {
      c->put(u.container, markerName, m->second,
             {{"X-Object-Meta-Td-Tree-Version", version}, {"If-None-Match", "*"}});
    } catch (const IoError&) {
      if (!c->exists(u.container, markerName)) throw;
      lost = true;
    }
    if (!lost) lost = c->head(u.container, markerName).treeVersion != version;
    if (lost) {
      for (const auto& o : c->list(u.container, base)) c->remove(u.container, o.name);
      throw IoError(fmt::format("'{}' was created by another run while this one was saving; it "
                                "was left as it is (use --overwrite to replace it)",
                                url));
    }
  } else {
    if (c->exists(u.container, markerName))
      previous = c->head(u.container, markerName).treeVersion;
    c->put(u.container, markerName, m->second, {{"X-Object-Meta-Td-Tree-Version", version}});
  }
  // Then the replaced version goes, with what killed saves left behind (versions older than
  // abandonedSaveSeconds, an hour by default); a younger version may be another run's save
  // still writing, and stays.
  const auto abandoned = static_cast<std::int64_t>(c->options().abandonedSaveSeconds * 1e6);
  const auto stale = [&](const std::string& v) {
    if (v == version) return false;
    if (v == previous) return true;
    std::int64_t t = 0;
    const std::string_view start = std::string_view(v).substr(0, v.find('-'));
    const auto [p, ec] = std::from_chars(start.data(), start.data() + start.size(), t);
    if (ec != std::errc() || p != start.data() + start.size()) return true;  // not ours
    return t < started - abandoned;
  };
  for (const auto& o : c->list(u.container, u.object)) {
    if (o.name == markerName) continue;
    const std::string v = versionOf(o.name, versions);
    if (v.empty() || stale(v)) c->remove(u.container, o.name);  // "" : files of a pre-version tree
  }
  // A save killed between the segments of a large object (put() makes an SLO above the segment
  // size) and its manifest leaves segments no manifest points to: they go by the same rule.
  std::vector<ObjectInfo> segments;
  try {
    segments = c->list(u.container + "_segments", versions);
  } catch (const IoError&) {
    return;  // no segments container: no large object was ever written here
  }
  for (const auto& o : segments) {
    const std::string v = versionOf(o.name, versions);
    if (!v.empty() && stale(v)) c->remove(u.container + "_segments", o.name);
  }
}

FileMap SwiftFileSystem::readTree(const std::string& url) {
  const SwiftUrl u = treeUrl(url);
  const auto c = client();
  FileMap files;
  const std::string markerPrefix = u.object + kVersions;
  std::string version;
  for (const auto& o : c->list(u.container, u.object)) {
    if (o.name.rfind(markerPrefix, 0) == 0) continue;  // versions: below
    const ObjectInfo info = c->head(u.container, o.name);
    if (!info.treeVersion.empty()) version = info.treeVersion;
    files[o.name.substr(u.object.size())] = c->get(u.container, o.name);
  }
  if (version.empty() && !files.empty()) return files;  // written before versions existed
  if (version.empty()) {
    // No marker: the files of the newest version, so that the caller sees an incomplete tree
    // (not a missing one).
    for (const auto& o : c->list(u.container, markerPrefix)) {
      const std::string v = o.name.substr(
          markerPrefix.size(), o.name.find('/', markerPrefix.size()) - markerPrefix.size());
      if (version.empty() || v > version) version = v;
    }
    if (version.empty()) return files;
  }
  const std::string base = markerPrefix + version + "/";
  for (const auto& o : c->list(u.container, base))
    files[o.name.substr(base.size())] = c->get(u.container, o.name);
  return files;
}

}  // namespace td::storage
