// src/persist/persist.cc — model directories: manifest, checksums, atomic writes.
#include "thunderdome/persist/persist.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "stage_io.h"
#include "thunderdome/storage/swift.h"

namespace td {

namespace fs = std::filesystem;
using nlohmann::json;

std::string_view libraryVersion() { return "0.1.0"; }

namespace {

constexpr const char* kManifest = "MANIFEST.json";

std::string crc32Hex(const std::string& bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  std::size_t off = 0;
  while (off < bytes.size()) {
    const auto chunk = static_cast<uInt>(std::min<std::size_t>(bytes.size() - off, 1U << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data() + off), chunk);
    off += chunk;
  }
  return fmt::format("{:08x}", static_cast<unsigned long>(crc));
}

std::string randomSuffix() {
  std::random_device rd;
  return fmt::format("{:08x}", rd());
}

}  // namespace

FileTree serializeStage(const PipelineStage& stage) {
  FileTree files;
  persist::writeStage(stage, "", files);
  json manifest;
  manifest["formatVersion"] = kModelFormatVersion;
  manifest["thunderdomeVersion"] = std::string(libraryVersion());
  manifest["class"] = stage.className();
  manifest["uid"] = stage.uid();
  json list = json::object();
  for (const auto& [path, bytes] : files)
    list[path] = {{"bytes", bytes.size()}, {"crc32", crc32Hex(bytes)}};
  manifest["files"] = list;
  files[kManifest] = manifest.dump(2) + "\n";
  return files;
}

std::shared_ptr<PipelineStage> deserializeStage(const FileTree& files, const std::string& source) {
  auto it = files.find(kManifest);
  if (it == files.end())
    throw IoError(fmt::format("{}: not a complete thunderdome model ({} is missing: the save "
                              "did not finish, or this is not a model)",
                              source, kManifest));
  json manifest;
  try {
    manifest = json::parse(it->second);
  } catch (const json::exception& e) {
    throw IoError(fmt::format("{}: {} is corrupt ({})", source, kManifest, e.what()));
  }
  const int version = manifest.value("formatVersion", -1);
  if (version < 1 || version > kModelFormatVersion)
    throw IoError(fmt::format("{}: model format version {} is not supported by thunderdome {} "
                              "(reads versions 1 to {})",
                              source, version, libraryVersion(), kModelFormatVersion));
  if (!manifest.contains("files") || !manifest["files"].is_object())
    throw IoError(fmt::format("{}: {} has no file list", source, kManifest));
  for (const auto& [path, info] : manifest["files"].items()) {
    auto f = files.find(path);
    if (f == files.end())
      throw IoError(fmt::format("{}: file '{}' listed in the manifest is missing", source, path));
    const auto bytes = info.value("bytes", std::uint64_t{0});
    if (f->second.size() != bytes)
      throw IoError(fmt::format("{}: file '{}' has {} bytes, the manifest says {} (truncated or "
                                "edited)",
                                source, path, f->second.size(), bytes));
    const std::string crc = crc32Hex(f->second);
    if (crc != info.value("crc32", std::string()))
      throw IoError(fmt::format("{}: file '{}' fails its checksum (crc32 {} instead of {}): the "
                                "file was edited or damaged",
                                source, path, crc, info.value("crc32", std::string())));
  }
  return persist::readStage(files, "", source);
}

namespace {

// "swift://c/models/m1" -> container "c", prefix "models/m1/".
std::pair<std::string, std::string> swiftPrefix(const std::string& path) {
  auto url = storage::parseSwiftUrl(path);
  if (url.object.empty())
    throw IoError(fmt::format("'{}': a model needs a prefix inside the container, e.g. "
                              "swift://{}/models/my-model",
                              path, url.container));
  if (url.object.back() != '/') url.object += '/';
  return {url.container, url.object};
}

// Objects under a prefix, uploaded with the manifest last: a model whose upload stopped
// half-way has no manifest and is never loadable.
void writeSwiftTree(const FileTree& files, const std::string& path, bool overwrite) {
  const auto [container, prefix] = swiftPrefix(path);
  auto client = storage::SwiftClient::fromEnvironment();
  client->ensureContainer(container);
  if (client->exists(container, prefix + kManifest)) {
    if (!overwrite)
      throw IoError(fmt::format("'{}' already exists (use --overwrite to replace it)", path));
    client->remove(container, prefix + kManifest);  // the old model stops being loadable first
  }
  for (const auto& [rel, bytes] : files)
    if (rel != kManifest) client->put(container, prefix + rel, bytes);
  if (auto m = files.find(kManifest); m != files.end())
    client->put(container, prefix + m->first, m->second);
  for (const auto& o : client->list(container, prefix))  // leftovers of a replaced model
    if (files.count(o.name.substr(prefix.size())) == 0) client->remove(container, o.name);
}

FileTree readSwiftTree(const std::string& path) {
  const auto [container, prefix] = swiftPrefix(path);
  auto client = storage::SwiftClient::fromEnvironment();
  FileTree files;
  for (const auto& o : client->list(container, prefix))
    files[o.name.substr(prefix.size())] = client->get(container, o.name);
  if (files.empty()) throw IoError(fmt::format("model '{}' does not exist", path));
  return files;
}

}  // namespace

bool modelExists(const std::string& path) {
  if (storage::isSwiftUrl(path)) {
    const auto [container, prefix] = swiftPrefix(path);
    return storage::SwiftClient::fromEnvironment()->exists(container, prefix + kManifest);
  }
  return fs::exists(path);
}

void writeFileTree(const FileTree& files, const std::string& path, bool overwrite) {
  if (storage::isSwiftUrl(path)) {
    writeSwiftTree(files, path, overwrite);
    return;
  }
  const fs::path target(path);
  if (fs::exists(target) && !overwrite)
    throw IoError(fmt::format("'{}' already exists (use --overwrite to replace it)", path));
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(parent))
    throw IoError(fmt::format("cannot save to '{}': directory '{}' does not exist", path,
                              parent.string()));
  const fs::path tmp = parent / (target.filename().string() + ".tmp-" + randomSuffix());
  try {
    fs::create_directory(tmp);
    // Write the manifest last so that even the temporary tree is never loadable half-written.
    auto writeOne = [&](const std::string& rel, const std::string& bytes) {
      const fs::path p = tmp / rel;
      fs::create_directories(p.parent_path());
      std::ofstream out(p, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      out.close();
      if (!out) throw IoError(fmt::format("cannot write '{}'", p.string()));
    };
    for (const auto& [rel, bytes] : files)
      if (rel != kManifest) writeOne(rel, bytes);
    if (auto m = files.find(kManifest); m != files.end()) writeOne(m->first, m->second);
    if (fs::exists(target)) {
      const fs::path old = parent / (target.filename().string() + ".old-" + randomSuffix());
      fs::rename(target, old);
      fs::rename(tmp, target);
      fs::remove_all(old);
    } else {
      fs::rename(tmp, target);
    }
  } catch (const fs::filesystem_error& e) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    throw IoError(fmt::format("cannot save to '{}': {}", path, e.code().message()));
  } catch (...) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    throw;
  }
}

FileTree readFileTree(const std::string& path) {
  if (storage::isSwiftUrl(path)) return readSwiftTree(path);
  const fs::path root(path);
  if (!fs::exists(root)) throw IoError(fmt::format("model '{}' does not exist", path));
  if (!fs::is_directory(root))
    throw IoError(fmt::format("model '{}' is not a directory", path));
  FileTree files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw IoError(fmt::format("cannot read '{}'", entry.path().string()));
    files[fs::relative(entry.path(), root).generic_string()] = std::move(bytes);
  }
  return files;
}

void saveStage(const PipelineStage& stage, const std::string& path, bool overwrite) {
  writeFileTree(serializeStage(stage), path, overwrite);
}

std::shared_ptr<PipelineStage> loadStage(const std::string& path) {
  return deserializeStage(readFileTree(path), path);
}

}  // namespace td
