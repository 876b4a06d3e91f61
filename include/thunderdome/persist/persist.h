// include/thunderdome/persist/persist.h
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "thunderdome/evaluation/evaluator.h"
#include "thunderdome/pipeline/stage.h"

namespace td::storage {
class Storage;
}

namespace td {

/// The files of a saved stage: relative path -> content. What a model directory (or a set of
/// objects under a storage prefix) holds, with MANIFEST.json listing every other file.
using FileTree = std::map<std::string, std::string>;

/// The model format this build writes and the newest it reads.
inline constexpr int kModelFormatVersion = 1;

/// This library's version, recorded in every saved stage.
std::string_view libraryVersion();

/// Serializes any stage (transformer, estimator, model, pipeline, tuning model, with nested
/// stages) into files: metadata.json per stage (class, uid, params set and defaults, versions,
/// timestamp), binary data for learned arrays, and a MANIFEST.json with every file's size and
/// CRC-32, meant to be written last.
FileTree serializeStage(const PipelineStage& stage);

/// Rebuilds a stage from files written by serializeStage after checking the manifest (every
/// file present with its size and checksum) and the format version; throws IoError naming
/// `source` and the offending file otherwise.
std::shared_ptr<PipelineStage> deserializeStage(const FileTree& files, const std::string& source);

/// serializeStage for any registered instance: a stage or an evaluator.
FileTree serializeParams(const Params& p);
/// deserializeStage for any registered instance: a stage or an evaluator.
std::shared_ptr<Params> deserializeParams(const FileTree& files, const std::string& source);
/// Checks the manifest of `files` (every listed file present with its size and checksum, a
/// format version this build reads); throws IoError naming `source` and the offending file.
void checkManifest(const FileTree& files, const std::string& source);

/// Saves `stage` as directory `path`, atomically: the files are written to a temporary sibling
/// directory that is renamed into place, so the directory appears whole or not at all (under a
/// swift:// prefix: one object per file, the manifest last). An existing `path` is an IoError
/// unless `overwrite`. The overloads without a Storage use one from the environment.
void saveStage(const PipelineStage& stage, const std::string& path, bool overwrite = false);
/// As above, through `storage`.
void saveStage(const PipelineStage& stage, const std::string& path, bool overwrite,
               const storage::Storage& storage);

/// Loads a stage saved by saveStage.
std::shared_ptr<PipelineStage> loadStage(const std::string& path);
/// As above, through `storage`.
std::shared_ptr<PipelineStage> loadStage(const std::string& path, const storage::Storage& storage);

/// saveStage for any registered instance: a stage or an evaluator (PySpark's evaluators are
/// MLWritable too), through a Storage from the environment.
void saveParams(const Params& p, const std::string& path, bool overwrite = false);
/// Loads what saveParams or saveStage wrote: a stage or an evaluator.
std::shared_ptr<Params> loadParams(const std::string& path);

/// Loads a stage and casts it to T (ParamError naming both classes if it is another class).
template <class T>
std::shared_ptr<T> loadStageAs(const std::string& path) {
  return stageAs<T>(loadStage(path));
}

/// Whether a saved model exists at `path` (a directory, or a complete model — one with its
/// manifest — under a swift:// prefix).
bool modelExists(const std::string& path);
/// As above, through `storage`.
bool modelExists(const std::string& path, const storage::Storage& storage);

/// Writes `files` as a directory tree at `path`, atomically (see saveStage). A swift:// path
/// stores one object per file under that prefix, the manifest last, so a half-written model
/// is never loadable.
void writeFileTree(const FileTree& files, const std::string& path, bool overwrite);
/// As above, through `storage`.
void writeFileTree(const FileTree& files, const std::string& path, bool overwrite,
                   const storage::Storage& storage);

/// Reads every regular file under directory `path` (or every object under a swift:// prefix)
/// into a FileTree.
FileTree readFileTree(const std::string& path);
/// As above, through `storage`.
FileTree readFileTree(const std::string& path, const storage::Storage& storage);

}  // namespace td
