// src/io/frame_io.cc
#include "thunderdome/io/frame_io.h"

#include <fmt/format.h>

#include <array>
#include <utility>

#include "thunderdome/core/error.h"
#include "thunderdome/io/file.h"
#include "thunderdome/storage/swift.h"

namespace td {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

struct NamedFormat {
  std::string_view name;
  FileFormat format;
};

// Names and extensions (without the dot) are the same set.
constexpr std::array<NamedFormat, 6> kNames{{{"csv", FileFormat::kCsv},
                                              {"tsv", FileFormat::kTsv},
                                              {"libsvm", FileFormat::kLibSvm},
                                              {"svm", FileFormat::kLibSvm},
                                              {"jsonl", FileFormat::kJsonl},
                                              {"json", FileFormat::kJsonl}}};

FileFormat resolve(const std::optional<std::string>& format, const std::string& path) {
  return format ? formatFromName(*format) : formatForPath(path);
}

// CSV options for `format`: TSV forces a tab unless the separator was changed from ','.
CsvOptions csvFor(FileFormat format, CsvOptions csv) {
  if (format == FileFormat::kTsv && csv.sep == ',') csv.sep = '\t';
  return csv;
}

}  // namespace

std::string_view toString(FileFormat format) {
  switch (format) {
    case FileFormat::kCsv: return "csv";
    case FileFormat::kTsv: return "tsv";
    case FileFormat::kLibSvm: return "libsvm";
    case FileFormat::kJsonl: return "jsonl";
  }
  return "?";
}

FileFormat formatFromName(std::string_view name) {
  const std::string n = lower(name);
  for (const auto& f : kNames)
    if (f.name == n) return f.format;
  throw ParamError(fmt::format(
      "unknown file format '{}' (valid formats: csv, tsv, libsvm (or svm), jsonl (or json))",
      name));
}

FileFormat formatForPath(const std::string& path) {
  const std::string base = stripGzExtension(path);
  const auto dot = base.rfind('.');
  const auto slash = base.find_last_of('/');
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) {
    const std::string ext = lower(std::string_view(base).substr(dot + 1));
    for (const auto& f : kNames)
      if (f.name == ext) return f.format;
  }
  throw ParamError(fmt::format(
      "cannot tell the file format of '{}' from its extension (supported: .csv, .tsv, .libsvm, "
      ".svm, .jsonl, .json, each optionally followed by .gz); use --format csv|tsv|libsvm|jsonl",
      path));
}

Frame readFrame(const std::string& path, const ReadOptions& options) {
  const std::vector<std::string> parts = listParts(path);
  if (parts.size() > 1 || parts[0] != path) {
    // A directory or prefix of part files, read as one dataset in name order. Each CSV part
    // with a header carries it; only the first one's is kept.
    const FileFormat format = resolve(options.format, parts[0]);
    const bool csv = format == FileFormat::kCsv || format == FileFormat::kTsv;
    std::string text;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      std::string part = readFileToString(parts[i]);
      std::string_view body = part;
      if (csv && options.csv.header && i > 0) {
        const auto nl = body.find('\n');
        body = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
      }
      text.append(body);
      if (!text.empty() && text.back() != '\n') text += '\n';
    }
    switch (format) {
      case FileFormat::kCsv:
      case FileFormat::kTsv: return readCsvString(text, csvFor(format, options.csv), path);
      case FileFormat::kLibSvm: return readLibSvmString(text, options.libsvm, path);
      case FileFormat::kJsonl: return readJsonlString(text, options.jsonl, path);
    }
  }
  const FileFormat format = resolve(options.format, path);
  switch (format) {
    case FileFormat::kCsv:
    case FileFormat::kTsv: return readCsv(path, csvFor(format, options.csv));
    case FileFormat::kLibSvm: return readLibSvm(path, options.libsvm);
    case FileFormat::kJsonl: return readJsonl(path, options.jsonl);
  }
  throw InternalError("readFrame: unknown format");
}

void writeFrame(const Frame& frame, const std::string& path, const WriteOptions& options) {
  if (isGzipPath(path))
    throw ParamError(fmt::format(
        "cannot write '{}': writing gzip-compressed files is not supported (write the plain "
        "file and compress it afterwards)",
        path));
  const FileFormat format = resolve(options.format, path);
  if (storage::isSwiftUrl(path)) {  // render, then one checked upload
    switch (format) {
      case FileFormat::kCsv:
      case FileFormat::kTsv: writeStringToFile(path, writeCsvString(frame, csvFor(format, options.csv))); return;
      case FileFormat::kLibSvm:
        writeStringToFile(path, writeLibSvmString(frame, options.labelCol, options.featuresCol));
        return;
      case FileFormat::kJsonl: writeStringToFile(path, writeJsonlString(frame)); return;
    }
  }
  switch (format) {
    case FileFormat::kCsv:
    case FileFormat::kTsv: writeCsv(frame, path, csvFor(format, options.csv)); return;
    case FileFormat::kLibSvm: writeLibSvm(frame, path, options.labelCol, options.featuresCol); return;
    case FileFormat::kJsonl: writeJsonl(frame, path); return;
  }
  throw InternalError("writeFrame: unknown format");
}

}  // namespace td
