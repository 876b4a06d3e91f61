// include/thunderdome/storage/swift.h
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "thunderdome/storage/storage.h"

namespace td::storage {

/// A parsed `swift://container/object` (or `swift://container/prefix/`) URL.
struct SwiftUrl {
  std::string container;
  std::string object;  ///< Object name or prefix; may be empty (the whole container).
  /// True when the URL names every object under a prefix (ends with '/' or names only a
  /// container).
  [[nodiscard]] bool isPrefix() const { return object.empty() || object.back() == '/'; }
  /// Back to text: "swift://container/object".
  [[nodiscard]] std::string toString() const;
};

/// True when `path` starts with "swift://".
bool isSwiftUrl(std::string_view path);

/// Parses a swift:// URL; throws ParamError naming the URL when malformed.
SwiftUrl parseSwiftUrl(std::string_view url);

/// How to authenticate, following the OpenStack client conventions (OS_* variables, clouds.yaml
/// with OS_CLOUD, tempauth's ST_AUTH/ST_USER/ST_KEY, or a pre-authenticated storage URL+token).
struct SwiftCredentials {
  enum class Method { kPreauthenticated, kKeystonePassword, kKeystoneAppCredential, kV1 };
  Method method = Method::kV1;
  std::string authUrl;             ///< Keystone v3 URL or v1 auth URL.
  std::string username, password;  ///< Password auth (v3) or ST_USER/ST_KEY (v1).
  std::string userDomainName = "Default", userDomainId;
  std::string projectName, projectId;
  std::string projectDomainName = "Default", projectDomainId;
  std::string appCredentialId, appCredentialSecret, appCredentialName;
  std::string regionName;          ///< Catalog region; empty = any.
  std::string interface = "public";  ///< Catalog interface.
  std::string storageUrl, token;   ///< Pre-authenticated (OS_STORAGE_URL + OS_AUTH_TOKEN).
  std::string cacert;              ///< CA bundle (OS_CACERT or clouds.yaml cacert).
  bool verifyTls = true;           ///< clouds.yaml verify: false turns it off.

  /// From the environment: OS_STORAGE_URL+OS_AUTH_TOKEN, else OS_CLOUD (clouds.yaml from
  /// ./clouds.yaml, ~/.config/openstack/, /etc/openstack/), else OS_AUTH_URL (application
  /// credential when OS_APPLICATION_CREDENTIAL_ID is set, else password), else ST_AUTH.
  /// Throws IoError when nothing usable is set, naming the variables to set.
  static SwiftCredentials fromEnvironment();
  /// Who is authenticating, for messages: user and project, never a secret.
  [[nodiscard]] std::string who() const;
};

/// Tuning of the client: retries, parallel ranged reads, large-object uploads.
struct SwiftOptions {
  int maxRetries = 10;                       ///< Retries after the first try (transient errors).
  double backoffBaseSeconds = 0.2;           ///< First backoff; doubles each retry, with jitter.
  double backoffMaxSeconds = 8.0;            ///< Backoff cap.
  /// Retries go on until this many seconds have passed since the first try (even beyond
  /// maxRetries), so that a restarting proxy (tens of seconds) is waited out; 0 = maxRetries only.
  double retrySeconds = 60.0;
  std::int64_t rangeChunkBytes = 8 << 20;    ///< Size of each ranged GET of a large object.
  int parallelGets = 4;                      ///< Ranged GETs in flight for one object.
  std::int64_t segmentBytes = 256LL << 20;   ///< Objects above this upload as an SLO.
  bool verifyTls = true;                     ///< TLS certificate verification.
  std::string caBundle;                      ///< CA bundle path (empty = system default).
  long connectTimeoutMs = 10000;             ///< Connect timeout per request.
  long stallTimeoutSeconds = 30;             ///< Abort a transfer stalled this long.
  /// Check every download against the object's MD5 (its ETag, or the segment ETags of a large
  /// object). On by default; off (TD_SWIFT_VERIFY_CHECKSUMS=0, as swift download's
  /// --ignore-checksum) saves one core's MD5 work, 1.4 s per GiB here, where CPU is scarce.
  bool verifyChecksums = true;
  /// A model save's objects (SwiftFileSystem::writeTree) that no marker names are removed by a
  /// later save once they are this old: younger ones may be another run's save still writing.
  double abandonedSaveSeconds = 3600.0;
};

/// One object of a listing.
struct ObjectInfo {
  std::string name;
  std::int64_t bytes = 0;
  std::string hash;  ///< MD5 of the content (for an SLO: as recorded at upload, if known).
  std::string etag;  ///< The ETag exactly as the server sent it (pins ranged reads).
  bool isSlo = false;  ///< A Static Large Object manifest.
  std::string contentType;  ///< From the listing (application/directory marks a directory).
  std::string dloManifest;  ///< X-Object-Manifest "container/prefix" of a Dynamic Large Object.
  std::string treeVersion;  ///< X-Object-Meta-Td-Tree-Version: a tree marker's version.
};

/// The segments of a Dynamic Large Object in read order, each with its size and MD5.
struct DloSegments {
  std::string container;
  std::vector<ObjectInfo> segments;
  std::int64_t bytes = 0;  ///< The DLO's content size: the sum of its segments.
};

class HttpClientHandle;

/// An OpenStack Swift client over libcurl: authenticates (re-authenticating once on 401),
/// retries transient failures with exponential backoff and jitter, reads large objects with
/// parallel ranged GETs that resume on interruption and verifies their MD5, pages through
/// listings, and uploads large objects as Static Large Objects. Thread-safe.
class SwiftClient {
 public:
  SwiftClient(SwiftCredentials credentials, SwiftOptions options = {});
  ~SwiftClient();
  SwiftClient(const SwiftClient&) = delete;
  SwiftClient& operator=(const SwiftClient&) = delete;

  /// A new client from the environment's credentials (SwiftCredentials::fromEnvironment) and
  /// TD_SWIFT_SEGMENT_BYTES / TD_SWIFT_MAX_RETRIES; each call makes another client.
  static std::shared_ptr<SwiftClient> fromEnvironment();

  /// The storage URL in use (authenticating if needed).
  std::string storageUrl();
  /// Creates the container if it does not exist.
  void ensureContainer(const std::string& container);
  /// Size and hash of an object; throws IoError (404 names container and object).
  ObjectInfo head(const std::string& container, const std::string& object);
  /// Whether the object exists.
  bool exists(const std::string& container, const std::string& object);
  /// The whole object, downloaded with parallel ranged GETs and checked against its ETag.
  std::string get(const std::string& container, const std::string& object);
  /// Streams the object in order to `onChunk` as it downloads (parallel ranged GETs, in-order
  /// delivery, resume on interruption); the MD5 is checked before the last chunk is delivered
  /// for single objects.
  void stream(const std::string& container, const std::string& object,
              const std::function<void(std::string_view)>& onChunk);
  /// Bytes [begin, end) of the object (a range inside it: end <= its size; empty when
  /// end <= begin), by ranged GETs that are retried and resume where an interrupted transfer
  /// stopped; with `etag` (ObjectInfo::etag) the read is pinned to that version (If-Match) and a
  /// changed object throws IoError.
  std::string getRange(const std::string& container, const std::string& object,
                       std::int64_t begin, std::int64_t end, const std::string& etag = {});
  /// The segments a DLO manifest (ObjectInfo::dloManifest) names, from every listing page.
  DloSegments dloSegments(const ObjectInfo& manifest);
  /// Objects whose names start with `prefix`, in name order, paging through the listing.
  std::vector<ObjectInfo> list(const std::string& container, const std::string& prefix);
  /// Uploads `data` (ETag-checked) with extra request `headers` (e.g. X-Object-Meta-*); above
  /// segmentBytes as an SLO with segments in "<container>_segments".
  void put(const std::string& container, const std::string& object, std::string_view data,
           const std::vector<std::pair<std::string, std::string>>& headers = {});
  /// Deletes an object (an SLO together with its segments); a missing object is not an error.
  void remove(const std::string& container, const std::string& object);

  /// The options this client was made with.
  [[nodiscard]] const SwiftOptions& options() const;

 private:
  // Downloads one (non-DLO) object in parallel ranged GETs, checks its MD5 and hands its bytes
  // to onChunk in order; with `dest` (room for info.bytes) the ranges land there directly and
  // onChunk sees views into it (get(): no copy between the socket's buffer and the result).
  void streamObject(const std::string& container, const std::string& object,
                    const ObjectInfo& info, const std::function<void(std::string_view)>& onChunk,
                    char* dest = nullptr);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Swift behind the storage layer: swift://container/object URLs for files, and
/// swift://container/prefix/ (or swift://container) for directories. Whole reads download with
/// parallel ranged GETs, streams deliver the object as it downloads, ranged reads are pinned to
/// the ETag seen when the object was opened, writes are one ETag-checked upload (an SLO when
/// large). A tree (a model) is written as a new version under new object names
/// (PREFIX/.td-versions/STAMP/...), then its marker object is replaced in one PUT that names the
/// version (X-Object-Meta-Td-Tree-Version), then the old version is deleted: until the marker
/// switches, the old tree stays whole and loadable.
class SwiftFileSystem final : public FileSystem {
 public:
  /// Makes the client when first needed (credentials are read then, not before).
  using ClientFactory = std::function<std::shared_ptr<SwiftClient>()>;
  /// Over `client`.
  explicit SwiftFileSystem(std::shared_ptr<SwiftClient> client);
  /// Over the client `factory` makes on the first request.
  explicit SwiftFileSystem(ClientFactory factory);
  /// A file system whose client SwiftClient::fromEnvironment() makes on the first request.
  static std::shared_ptr<SwiftFileSystem> fromEnvironment();

  [[nodiscard]] bool remote() const override { return true; }
  std::string read(const std::string& url) override;
  void stream(const std::string& url, const std::function<void(std::string_view)>& sink) override;
  std::unique_ptr<RandomAccessFile> openRandomAccess(const std::string& url) override;
  FileInfo stat(const std::string& url) override;
  bool exists(const std::string& url) override;
  bool isDirectory(const std::string& url) override;
  std::vector<FileInfo> list(const std::string& url, bool recursive) override;
  void write(const std::string& url, std::string_view data) override;
  std::unique_ptr<OutputFile> create(const std::string& url) override;
  void remove(const std::string& url) override;
  bool treeExists(const std::string& url, const std::string& marker) override;
  void writeTree(const std::string& url, const FileMap& files, const std::string& marker) override;
  /// As writeTree, with the marker uploaded under `If-None-Match: *` and read back: a run that
  /// finds another's marker deletes its own objects and throws IoError. Swift has no atomic
  /// create: two runs whose marker uploads overlap can both succeed (the later tree is there).
  void writeNewTree(const std::string& url, const FileMap& files,
                    const std::string& marker) override;
  FileMap readTree(const std::string& url) override;

  /// The client (made now if it was not yet).
  std::shared_ptr<SwiftClient> client();

 private:
  void writeTreeVersion(const std::string& url, const FileMap& files, const std::string& marker,
                        bool onlyIfAbsent);
  std::mutex mu_;
  ClientFactory factory_;
  std::shared_ptr<SwiftClient> client_;
};

}  // namespace td::storage
