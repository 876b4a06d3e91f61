// src/io/frame_io.cc
#include "thunderdome/io/frame_io.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <utility>

#include "thunderdome/core/error.h"
#include "thunderdome/io/file.h"
#include "thunderdome/io/stream.h"
#include "io_internal.h"

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

// ---------------------------------------------------------------- streaming gzip

// Passes bytes on to a sink, inflating them as they arrive when the stream starts with the gzip
// magic bytes; the errors and their wording are gunzip()'s.
class Inflater {
 public:
  Inflater(const ChunkSink& sink, std::string_view sourceName)
      : sink_(sink), source_(sourceName) {}
  ~Inflater() {
    if (zlibReady_) inflateEnd(&zs_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  void feed(std::string_view in) {
    switch (mode_) {
      case Mode::kPlain:
        if (!in.empty()) sink_(in);
        return;
      case Mode::kUnknown: {
        // The magic check needs two bytes, which may arrive in two chunks.
        if (head_.empty() && in.size() >= 2) {
          start(in);
          return;
        }
        head_.append(in);
        if (head_.size() < 2) return;
        const std::string head = std::move(head_);
        head_.clear();
        start(head);
        return;
      }
      default: inflateChunk(in); return;
    }
  }

  void finish() {
    switch (mode_) {
      case Mode::kUnknown:  // under two bytes: not gzip
        mode_ = Mode::kPlain;
        if (!head_.empty()) sink_(std::string_view(head_));
        return;
      case Mode::kPlain: return;
      case Mode::kMember:
        flush();
        throw DataError(fmt::format(
            "cannot read '{}': truncated gzip data (the input ends inside member {})", source_,
            member_));
      case Mode::kBetween:
        flush();
        if (!head_.empty()) garbage(head_.size());
        return;
      case Mode::kGarbage: garbage(garbageBytes_);
    }
  }

 private:
  enum class Mode { kUnknown, kPlain, kMember, kBetween, kGarbage };
  static constexpr std::size_t kPiece = std::size_t{1} << 30;  // zlib counts in uInt
  static constexpr std::size_t kOut = std::size_t{1} << 20;    // inflated bytes per sink call

  [[noreturn]] void garbage(std::uint64_t bytes) const {
    throw DataError(fmt::format(
        "cannot read '{}': invalid gzip data: {} bytes of trailing garbage after member {}",
        source_, bytes, member_));
  }

  void start(std::string_view first) {
    if (!hasGzipMagic(first)) {
      mode_ = Mode::kPlain;
      sink_(first);
      return;
    }
    if (inflateInit2(&zs_, 15 + 32) != Z_OK)  // 32: detect the gzip header
      throw IoError(fmt::format("cannot read '{}': zlib initialisation failed", source_));
    zlibReady_ = true;
    out_.resize(kOut);
    mode_ = Mode::kMember;
    inflateChunk(first);
  }

  void flush() {
    if (outPos_ == 0) return;
    const std::size_t n = outPos_;
    outPos_ = 0;
    sink_(std::string_view(out_.data(), n));
  }

  void inflateChunk(std::string_view in) {
    while (!in.empty()) {
      if (mode_ == Mode::kGarbage) {
        garbageBytes_ += in.size();
        break;
      }
      if (mode_ == Mode::kBetween) {
        // Another member may follow (as `cat a.gz b.gz` makes); anything else is garbage.
        const std::size_t take = std::min(in.size(), 2 - head_.size());
        head_.append(in.substr(0, take));
        in.remove_prefix(take);
        if (head_.size() < 2) break;
        if (!hasGzipMagic(head_)) {
          mode_ = Mode::kGarbage;
          garbageBytes_ = head_.size() + in.size();
          head_.clear();
          break;
        }
        ++member_;
        if (inflateReset(&zs_) != Z_OK)
          throw IoError(fmt::format("cannot read '{}': zlib reset failed", source_));
        mode_ = Mode::kMember;
        const std::string head = std::move(head_);
        head_.clear();
        inflateMember(head);  // two header bytes never end a member
        continue;
      }
      in.remove_prefix(inflateMember(in));
    }
    flush();
  }

  // Inflates `in` until it is used up or the member ends; returns the bytes consumed.
  std::size_t inflateMember(std::string_view in) {
    std::size_t consumed = 0;
    while (consumed < in.size()) {
      const std::size_t piece = std::min(kPiece, in.size() - consumed);
      zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + consumed));
      zs_.avail_in = static_cast<uInt>(piece);
      for (;;) {
        if (outPos_ == out_.size()) flush();
        zs_.next_out = reinterpret_cast<Bytef*>(out_.data() + outPos_);
        zs_.avail_out = static_cast<uInt>(out_.size() - outPos_);
        const int rc = inflate(&zs_, Z_NO_FLUSH);
        outPos_ = out_.size() - zs_.avail_out;
        if (rc == Z_STREAM_END) {
          mode_ = Mode::kBetween;
          return consumed + piece - zs_.avail_in;
        }
        if (rc == Z_OK || rc == Z_BUF_ERROR) {
          if (zs_.avail_in == 0 && zs_.avail_out > 0) break;  // wants more input
          continue;                                           // the output was full
        }
        throw DataError(fmt::format("cannot read '{}': corrupt gzip data in member {}: {}",
                                    source_, member_, zs_.msg != nullptr ? zs_.msg : zError(rc)));
      }
      consumed += piece;
    }
    return consumed;
  }

  const ChunkSink& sink_;
  std::string source_;
  Mode mode_ = Mode::kUnknown;
  z_stream zs_{};
  bool zlibReady_ = false;
  int member_ = 1;
  std::string head_;  // the first bytes of the stream or of the next member
  std::uint64_t garbageBytes_ = 0;
  std::string out_;
  std::size_t outPos_ = 0;
};

}  // namespace

namespace detail {

ChunkSource partsSource(const std::vector<std::string>& parts, bool dropHeaders,
                        const storage::Storage& storage,
                        std::shared_ptr<std::vector<std::int64_t>> partStarts) {
  std::vector<ChunkSource> sources;
  sources.reserve(parts.size());
  for (const auto& p : parts) sources.push_back(pathSource(p, storage));
  return [sources = std::move(sources), dropHeaders, partStarts](const ChunkSink& sink) {
    bool any = false;
    char last = '\n';
    std::int64_t lines = 0;  // '\n' delivered so far (counted only for partStarts)
    const auto deliver = [&](std::string_view chunk) {
      if (partStarts) lines += std::count(chunk.begin(), chunk.end(), '\n');
      sink(chunk);
    };
    if (partStarts) partStarts->clear();
    for (std::size_t i = 0; i < sources.size(); ++i) {
      if (partStarts) partStarts->push_back(lines);
      bool skipping = dropHeaders && i > 0;
      sources[i]([&](std::string_view chunk) {
        if (skipping) {
          const auto nl = chunk.find('\n');
          if (nl == std::string_view::npos) return;
          chunk.remove_prefix(nl + 1);
          skipping = false;
        }
        if (chunk.empty()) return;
        any = true;
        last = chunk.back();
        deliver(chunk);
      });
      if (any && last != '\n') {
        deliver("\n");
        last = '\n';
      }
    }
  };
}

Frame partOrigins(const Frame& frame, const std::vector<std::string>& parts, bool dropHeaders,
                  const std::vector<std::int64_t>& partStarts) {
  const auto& in = frame.origins();
  if (!in || partStarts.size() != parts.size() || parts.empty()) return frame;
  auto out = std::make_shared<RowOrigins>();
  out->sources = parts;
  out->line.reserve(in->line.size());
  out->source.reserve(in->line.size());
  for (const std::int64_t line : in->line) {
    // The part holding stream line `line`: the last one that starts before it.
    const auto it = std::upper_bound(partStarts.begin(), partStarts.end(), line - 1);
    const auto p = static_cast<std::size_t>(std::max<std::ptrdiff_t>(it - partStarts.begin(), 1) - 1);
    const bool skipped = dropHeaders && p > 0;
    out->source.push_back(static_cast<std::uint32_t>(p));
    out->line.push_back(line > 0 ? line - partStarts[p] + (skipped ? 1 : 0) : 0);
  }
  return frame.withOrigins(std::move(out));
}

}  // namespace detail

// ---------------------------------------------------------------- sources

void inflateStream(const ChunkSource& source, const ChunkSink& sink, std::string_view sourceName) {
  Inflater inflater(sink, sourceName);
  source([&](std::string_view chunk) { inflater.feed(chunk); });
  inflater.finish();
}

ChunkSource pathSource(const std::string& path) { return pathSource(path, storage::Storage()); }

ChunkSource pathSource(const std::string& path, const storage::Storage& storage) {
  auto fs = storage.fileSystem(path);
  if (fs->isDirectory(path))
    throw IoError(fmt::format("cannot read '{}' as one file: it names a directory or prefix", path));
  if (!fs->remote())
    return [path, fs = std::move(fs)](const ChunkSink& sink) {
      const std::string raw = fs->read(path);
      if (hasGzipMagic(raw)) {
        const std::string text = gunzip(raw, path);
        sink(text);
      } else {
        sink(raw);
      }
    };
  return [path, fs = std::move(fs)](const ChunkSink& sink) {
    inflateStream([&](const ChunkSink& raw) { fs->stream(path, raw); }, sink, path);
  };
}

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
  const auto storage = detail::storageOr(options.storage);
  const std::vector<std::string> parts = listParts(path, *storage);
  const bool dataset = parts.size() > 1 || parts[0] != path;
  const FileFormat format = resolve(options.format, parts[0]);
  const bool csv = format == FileFormat::kCsv || format == FileFormat::kTsv;
  if (!dataset && !storage->fileSystem(path)->remote()) {
    // A local file: read whole, parsed in one go (the fastest way from a local disk).
    Frame frame;
    switch (format) {
      case FileFormat::kCsv:
      case FileFormat::kTsv: frame = readCsv(path, csvFor(format, options.csv), *storage); break;
      case FileFormat::kLibSvm: frame = readLibSvm(path, options.libsvm, *storage); break;
      case FileFormat::kJsonl: frame = readJsonl(path, options.jsonl, *storage); break;
    }
    if (options.onRows) options.onRows(frame.numRows());
    return frame;
  }
  // A remote object, or a dataset of part files in name order, parsed as it arrives. Each CSV
  // part with a header carries it; only the first one's is kept.
  const bool dropHeaders = csv && options.csv.header;
  auto partStarts = dataset ? std::make_shared<std::vector<std::int64_t>>() : nullptr;
  const ChunkSource source = dataset
                                 ? detail::partsSource(parts, dropHeaders, *storage, partStarts)
                                 : pathSource(path, *storage);
  Frame frame;
  switch (format) {
    case FileFormat::kCsv:
    case FileFormat::kTsv:
      frame = readCsvStream(source, csvFor(format, options.csv), path, options.onRows);
      break;
    case FileFormat::kLibSvm:
      frame = readLibSvmStream(source, options.libsvm, path, options.onRows);
      break;
    case FileFormat::kJsonl:
      frame = readJsonlStream(source, options.jsonl, path, options.onRows);
      break;
  }
  return dataset ? detail::partOrigins(frame, parts, dropHeaders, *partStarts) : frame;
}

void writeFrame(const Frame& frame, const std::string& path, const WriteOptions& options) {
  if (isGzipPath(path))
    throw ParamError(fmt::format(
        "cannot write '{}': writing gzip-compressed files is not supported (write the plain "
        "file and compress it afterwards)",
        path));
  const FileFormat format = resolve(options.format, path);
  const auto storage = detail::storageOr(options.storage);
  switch (format) {
    case FileFormat::kCsv:
    case FileFormat::kTsv: writeCsv(frame, path, csvFor(format, options.csv), *storage); return;
    case FileFormat::kLibSvm:
      writeLibSvm(frame, path, options.labelCol, options.featuresCol, *storage);
      return;
    case FileFormat::kJsonl: writeJsonl(frame, path, *storage); return;
  }
  throw InternalError("writeFrame: unknown format");
}

}  // namespace td
