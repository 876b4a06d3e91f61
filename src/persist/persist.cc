// src/persist/persist.cc — model directories: manifest, checksums, atomic writes.
#include "thunderdome/persist/persist.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include "stage_io.h"
#include "thunderdome/storage/storage.h"

namespace td {

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

}  // namespace

FileTree serializeStage(const PipelineStage& stage) { return serializeParams(stage); }

FileTree serializeParams(const Params& stage) {
  FileTree files;
  persist::writeStageLike(stage, "", files);
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
  checkManifest(files, source);
  return persist::readStage(files, "", source);
}

std::shared_ptr<Params> deserializeParams(const FileTree& files, const std::string& source) {
  checkManifest(files, source);
  return persist::readStageLike(files, "", source);
}

void checkManifest(const FileTree& files, const std::string& source) {
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
  // A value of the wrong JSON type anywhere in the manifest (a string where a number belongs, a
  // file entry that is not an object) makes it corrupt, like a syntax error.
  try {
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
  } catch (const json::exception& e) {
    throw IoError(fmt::format("{}: {} is corrupt ({})", source, kManifest, e.what()));
  }
}

bool modelExists(const std::string& path) { return modelExists(path, storage::Storage()); }

bool modelExists(const std::string& path, const storage::Storage& storage) {
  return storage.fileSystem(path)->treeExists(path, kManifest);
}

void writeFileTree(const FileTree& files, const std::string& path, bool overwrite) {
  writeFileTree(files, path, overwrite, storage::Storage());
}

void writeFileTree(const FileTree& files, const std::string& path, bool overwrite,
                   const storage::Storage& storage) {
  const auto fs = storage.fileSystem(path);
  // The manifest is the tree's marker: written last, so a half-written model never loads.
  if (overwrite)
    fs->writeTree(path, files, kManifest);
  else
    fs->writeNewTree(path, files, kManifest);
}

FileTree readFileTree(const std::string& path) { return readFileTree(path, storage::Storage()); }

FileTree readFileTree(const std::string& path, const storage::Storage& storage) {
  FileTree files = storage.fileSystem(path)->readTree(path);
  if (files.empty()) throw IoError(fmt::format("model '{}' does not exist", path));
  return files;
}

void saveStage(const PipelineStage& stage, const std::string& path, bool overwrite) {
  saveStage(stage, path, overwrite, storage::Storage());
}

void saveStage(const PipelineStage& stage, const std::string& path, bool overwrite,
               const storage::Storage& storage) {
  writeFileTree(serializeStage(stage), path, overwrite, storage);
}

std::shared_ptr<PipelineStage> loadStage(const std::string& path) {
  return loadStage(path, storage::Storage());
}

void saveParams(const Params& p, const std::string& path, bool overwrite) {
  writeFileTree(serializeParams(p), path, overwrite, storage::Storage());
}

std::shared_ptr<Params> loadParams(const std::string& path) {
  return deserializeParams(readFileTree(path, storage::Storage()), path);
}

std::shared_ptr<PipelineStage> loadStage(const std::string& path, const storage::Storage& storage) {
  return deserializeStage(readFileTree(path, storage), path);
}

}  // namespace td
