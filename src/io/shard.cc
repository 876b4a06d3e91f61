// src/io/shard.cc — readFrameShard: one rank's share of a dataset for data-parallel training.
// Byte ranges of one file or object (extended to record boundaries, found by a small state
// machine that knows CSV quoting), part files dealt whole, or row-modulo for gzip. The steps are
// ShardReader's, which the collective variant in src/dist/read_shard.cc drives too.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <memory>
#include <numeric>

#include "io_internal.h"
#include "thunderdome/core/error.h"
#include "thunderdome/io/file.h"
#include "thunderdome/io/frame_io.h"
#include "thunderdome/io/shard_reader.h"
#include "thunderdome/storage/storage.h"

namespace td {

namespace {

// ---------------------------------------------------------------- ranged input

// One file or object read by byte ranges; counts the bytes fetched.
class RangedInput {
 public:
  RangedInput() = default;
  RangedInput(const storage::Storage& storage, const std::string& url) : url_(url) {
    std::shared_ptr<storage::RandomAccessFile> file = storage.fileSystem(url)->openRandomAccess(url);
    size_ = file->size();
    read_ = [file](std::int64_t b, std::int64_t e) { return file->read(b, e); };
  }

  // An input over `text` held in memory (named `url` in messages).
  static RangedInput ofText(const std::string& url, const std::string& text) {
    RangedInput in;
    in.url_ = url;
    in.size_ = static_cast<std::int64_t>(text.size());
    in.read_ = [&text](std::int64_t b, std::int64_t e) {
      return text.substr(static_cast<std::size_t>(b), static_cast<std::size_t>(e - b));
    };
    return in;
  }

  [[nodiscard]] std::int64_t size() const { return size_; }
  [[nodiscard]] std::int64_t fetched() const { return fetched_; }
  [[nodiscard]] const std::string& url() const { return url_; }

  // Bytes [b, e) clamped to the input.
  std::string read(std::int64_t b, std::int64_t e) {
    b = std::clamp<std::int64_t>(b, 0, size_);
    e = std::clamp<std::int64_t>(e, b, size_);
    if (b == e) return {};
    fetched_ += e - b;
    return read_(b, e);
  }

 private:
  std::string url_;
  std::int64_t size_ = 0;
  std::int64_t fetched_ = 0;
  std::function<std::string(std::int64_t, std::int64_t)> read_;
};

// ---------------------------------------------------------------- record boundaries

// Where the splitter is, after some bytes: kRecord right after a record's end (or at the start
// of the input); the others follow the CSV tokenizer through fields and quotes.
enum State : std::uint8_t { kRecord, kField, kUnquoted, kQuoted, kQuotedEsc, kQuotedQuote, kClosed };
constexpr int kStates = 7;

// The record-boundary state machine: line-based (a '\n' ends a record) or CSV with quoting (a
// '\n' inside a quoted field does not), mirroring the tokenizer in csv.cc.
struct Splitter {
  bool quoting = false;
  char sep = ',', quote = '"', esc = '"';
  std::int64_t bomLen = 0;  // the UTF-8 BOM the readers drop (not text)

  [[nodiscard]] State step(State s, char c) const {
    if (!quoting) return c == '\n' ? kRecord : kUnquoted;
    switch (s) {
      case kRecord:
      case kField:
        if (c == quote) return kQuoted;
        if (c == sep) return kField;
        return c == '\n' ? kRecord : kUnquoted;
      case kUnquoted:
        if (c == sep) return kField;
        return c == '\n' ? kRecord : kUnquoted;
      case kQuoted:
        if (esc != quote && c == esc) return kQuotedEsc;
        if (c == quote) return esc == quote ? kQuotedQuote : kClosed;
        return kQuoted;
      case kQuotedEsc: return kQuoted;  // an escaped quote or escape, or a literal escape
      case kQuotedQuote:
        if (c == quote) return kQuoted;  // a doubled quote
        [[fallthrough]];                 // the quote closed the field
      case kClosed:
        if (c == sep) return kField;
        if (c == '\n') return kRecord;
        return c == '\r' ? kClosed : kUnquoted;  // anything else is malformed (the reader says)
    }
    return kUnquoted;
  }

  // The state after `bytes`, which start at input position `at`, from state `s`.
  [[nodiscard]] State run(State s, std::string_view bytes, std::int64_t at) const {
    std::size_t i = at < bomLen ? static_cast<std::size_t>(std::min<std::int64_t>(
                                      bomLen - at, static_cast<std::int64_t>(bytes.size())))
                                : 0;
    if (!quoting) {
      if (i >= bytes.size()) return s;
      return bytes.back() == '\n' ? kRecord : kUnquoted;
    }
    for (; i < bytes.size(); ++i) s = step(s, bytes[i]);
    return s;
  }
};

constexpr std::int64_t kLookBlock = 4 << 10;    // boundary and header look-ups (doubling)
constexpr std::int64_t kScanBlock = 4 << 20;    // scanning what lies before a range

// The end of the first non-blank record (the CSV header) from the input's start; 0 without one.
std::int64_t headerEnd(RangedInput& in, const Splitter& sp) {
  State s = kRecord;
  bool nonBlank = false;
  std::int64_t block = kLookBlock;
  for (std::int64_t at = 0; at < in.size(); at += block, block = std::min(block * 2, kScanBlock)) {
    const std::string b = in.read(at, at + block);
    for (std::size_t i = 0; i < b.size(); ++i) {
      const std::int64_t p = at + static_cast<std::int64_t>(i);
      if (p < sp.bomLen) continue;
      s = sp.step(s, b[i]);
      if (s == kRecord) {
        if (nonBlank) return p + 1;
      } else if (b[i] != '\r' && b[i] != '\n') {
        nonBlank = true;
      }
    }
  }
  return in.size();
}

// A byte range of one input and the records that start in it.
struct RangePlan {
  std::int64_t s = 0, e = 0;  // the rank's raw range
  std::string bytes;          // bytes [bytesAt, e) as fetched
  std::int64_t bytesAt = 0;
};

// Fetches the rank's raw range (and, line-based, the byte before it, which decides whether a
// record starts at s).
RangePlan fetchRange(RangedInput& in, const Splitter& sp, int rank, int size) {
  RangePlan p;
  const std::int64_t S = in.size();
  auto cut = [&](int r) {
    return S / size * r + S % size * r / size;  // floor(S * r / size) without overflow
  };
  p.s = cut(rank);
  p.e = cut(rank + 1);
  p.bytesAt = p.s;
  if (p.s == p.e) return p;
  p.bytesAt = sp.quoting || p.s == 0 ? p.s : p.s - 1;
  p.bytes = in.read(p.bytesAt, p.e);
  return p;
}

// The state at p.s when it needs only the fetched bytes (line-based), or by scanning [0, s).
State stateAtStart(RangedInput& in, const Splitter& sp, const RangePlan& p) {
  if (p.s == 0 || p.s == p.e) return kRecord;
  if (!sp.quoting) return p.bytes.front() == '\n' ? kRecord : kUnquoted;
  State st = kRecord;
  for (std::int64_t at = 0; at < p.s; at += kScanBlock)
    st = sp.run(st, in.read(at, std::min(p.s, at + kScanBlock)), at);
  return st;
}

// The text of the records that start in [s, e) (after the header, which is prepended when
// `hdrEnd` > 0) given the state at s; sets info's range.
std::string ownedText(RangedInput& in, const Splitter& sp, const RangePlan& p, State atStart,
                      std::int64_t hdrEnd, ShardInfo& info) {
  std::string text = hdrEnd > 0 ? in.read(0, hdrEnd) : std::string();
  info.begin = info.end = p.s;
  if (p.s == p.e) return text;
  const std::string_view own = std::string_view(p.bytes).substr(static_cast<std::size_t>(p.s - p.bytesAt));
  State st = atStart;
  std::int64_t start = st == kRecord ? p.s : -1;
  if (!sp.quoting) {
    if (start < 0) {
      const auto nl = own.find('\n');
      if (nl != std::string_view::npos) start = p.s + static_cast<std::int64_t>(nl) + 1;
    }
    st = own.back() == '\n' ? kRecord : kUnquoted;
  } else {
    for (std::size_t i = 0; i < own.size(); ++i) {
      const std::int64_t at = p.s + static_cast<std::int64_t>(i);
      if (at < sp.bomLen) continue;
      st = sp.step(st, own[i]);
      if (start < 0 && st == kRecord) start = at + 1;
    }
  }
  if (start < 0 || start >= p.e) return text;  // no record starts in the range
  // The last record goes on to the next record start at or after e.
  std::int64_t end = p.e;
  std::string tail;
  if (st != kRecord) {
    end = in.size();
    std::int64_t block = kLookBlock;
    for (std::int64_t at = p.e; at < in.size(); at += block, block = std::min(block * 2, kScanBlock)) {
      std::string b = in.read(at, at + block);
      std::size_t i = 0;
      if (!sp.quoting) {
        const auto nl = b.find('\n');
        i = nl == std::string::npos ? b.size() : nl + 1;
        st = nl == std::string::npos ? kUnquoted : kRecord;
      } else {
        for (; i < b.size() && st != kRecord; ++i)
          if (at + static_cast<std::int64_t>(i) >= sp.bomLen) st = sp.step(st, b[i]);
      }
      tail.append(b, 0, i);
      if (st == kRecord) {
        end = at + static_cast<std::int64_t>(i);
        break;
      }
    }
  }
  const std::int64_t from = std::max(start, hdrEnd);
  info.begin = start;
  info.end = end;
  if (from >= end) return text;
  if (from < p.e) text.append(own.substr(static_cast<std::size_t>(from - p.s)));
  text.append(tail, static_cast<std::size_t>(std::max<std::int64_t>(0, from - p.e)));
  return text;
}

// ---------------------------------------------------------------- formats

FileFormat resolveFormat(const ReadOptions& o, const std::string& path) {
  return o.format ? formatFromName(*o.format) : formatForPath(path);
}

CsvOptions csvOptionsFor(FileFormat f, CsvOptions csv) {
  if (f == FileFormat::kTsv && csv.sep == ',') csv.sep = '\t';
  return csv;
}

bool isCsv(FileFormat f) { return f == FileFormat::kCsv || f == FileFormat::kTsv; }

Splitter splitterFor(FileFormat f, const ReadOptions& o) {
  Splitter sp;
  if (isCsv(f)) {
    const CsvOptions csv = csvOptionsFor(f, o.csv);
    sp.quoting = csv.quote.has_value();
    sp.sep = csv.sep;
    sp.quote = csv.quote.value_or('"');
    sp.esc = csv.escape;
  }
  return sp;
}

Frame parseText(FileFormat f, const std::string& text, const ReadOptions& o,
                const std::string& source) {
  switch (f) {
    case FileFormat::kCsv:
    case FileFormat::kTsv: return readCsvString(text, csvOptionsFor(f, o.csv), source);
    case FileFormat::kLibSvm: return readLibSvmString(text, o.libsvm, source);
    case FileFormat::kJsonl: return readJsonlString(text, o.jsonl, source);
  }
  throw InternalError("readFrameShard: unknown format");
}

std::int64_t libsvmDimOf(FileFormat f, const Frame& frame) {
  if (f != FileFormat::kLibSvm || !frame.schema().contains("features")) return 0;
  return frame.col<VectorColumn>("features").dim();
}

// ---------------------------------------------------------------- the plan of one rank

// Everything a rank decides and fetches before parsing; the same steps for both variants.
struct ShardJob {
  std::string url;
  ReadOptions options;
  std::shared_ptr<const storage::Storage> storage;  // options.storage, or one from the environment
  int rank = 0, size = 1;
  FileFormat format = FileFormat::kCsv;
  ShardInfo info;
  std::string source;  // the name in error messages
  std::shared_ptr<std::vector<std::int64_t>> partStarts;  // kParts: where each part begins
  // kByteRange
  std::unique_ptr<RangedInput> input;
  Splitter splitter;
  RangePlan range;
  // kParts
  std::vector<std::string> parts;  // all parts, name order
  // kRowModulo
  std::int64_t compressedBytes = 0;

  void validate() const {
    if (size < 1)
      throw ParamError(fmt::format("readFrameShard '{}': size must be at least 1, got {}", url, size));
    if (rank < 0 || rank >= size)
      throw ParamError(fmt::format("readFrameShard '{}': rank must be in [0, {}), got {}", url,
                                   size, rank));
  }

  // Lists parts, opens the input, decides the mode and fetches the raw range.
  void prepare() {
    validate();
    storage = detail::storageOr(options.storage);
    options.storage = storage;  // rowModulo's readFrame reads through the same one
    parts = listParts(url, *storage);
    format = resolveFormat(options, parts[0]);
    source = fmt::format("{} (shard {} of {})", url, rank, size);
    if (parts.size() > 1 || parts[0] != url) {
      info.mode = ShardMode::kParts;
      return;
    }
    input = std::make_unique<RangedInput>(*storage, url);
    const std::string head = input->read(0, 3);
    if (hasGzipMagic(head)) {
      info.mode = ShardMode::kRowModulo;
      compressedBytes = input->size();
      input.reset();
      return;
    }
    info.mode = ShardMode::kByteRange;
    splitter = splitterFor(format, options);
    if (head.size() == 3 && head == "\xEF\xBB\xBF") splitter.bomLen = 3;
    range = fetchRange(*input, splitter, rank, size);
  }

  // The transitions of the raw range from every state (for the quoting state exchange).
  [[nodiscard]] std::array<State, kStates> transitions() const {
    std::array<State, kStates> t{kRecord, kField, kUnquoted, kQuoted, kQuotedEsc, kQuotedQuote, kClosed};
    if (range.s == range.e) return t;
    const std::string_view own =
        std::string_view(range.bytes).substr(static_cast<std::size_t>(range.s - range.bytesAt));
    for (int s = 0; s < kStates; ++s)
      t[static_cast<std::size_t>(s)] = splitter.run(static_cast<State>(s), own, range.s);
    return t;
  }

  [[nodiscard]] bool needsStateExchange() const {
    return info.mode == ShardMode::kByteRange && splitter.quoting;
  }

  // The parts of each rank: largest first to the least loaded rank (ties: name, lowest rank).
  [[nodiscard]] std::vector<std::string> myParts() {
    std::vector<std::int64_t> bytes(parts.size(), 0);
    std::map<std::string, std::int64_t> sizes;  // one listing, not a request per part
    const auto fs = storage->fileSystem(url);
    for (const auto& f : fs->list(url, /*recursive=*/false)) sizes[f.url] = f.bytes;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      bytes[i] = sizes[parts[i]];
      // A listing gives a Swift Dynamic Large Object's manifest size, 0: its size is that of
      // its segments, which stat() sums (one HEAD and one listing per such part).
      if (bytes[i] == 0) bytes[i] = fs->stat(parts[i]).bytes;
    }
    std::vector<std::size_t> order(parts.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return bytes[a] > bytes[b]; });
    std::vector<std::int64_t> load(static_cast<std::size_t>(size), 0);
    std::vector<std::string> mine;
    for (const std::size_t i : order) {
      const auto r = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
      load[r] += bytes[i];
      if (static_cast<int>(r) == rank) {
        mine.push_back(parts[i]);
        info.bytesFetched += bytes[i];
      }
    }
    std::sort(mine.begin(), mine.end());
    return mine;
  }

  // This rank's text (kByteRange, kParts) given the state at the range start.
  std::string text(State atStart) {
    if (info.mode == ShardMode::kByteRange) {
      const bool header = isCsv(format) && options.csv.header;
      const std::int64_t hdr = header ? headerEnd(*input, splitter) : 0;
      std::string t = ownedText(*input, splitter, range, atStart, hdr, info);
      info.bytesFetched = input->fetched();
      source = fmt::format("{} (shard {} of {}: bytes {}-{})", url, rank, size, info.begin, info.end);
      return t;
    }
    info.parts = myParts();
    const bool header = isCsv(format) && options.csv.header;
    if (info.parts.empty()) {
      if (!header) return {};
      // No parts: the first part's header still names the columns (a ranged read of it, or
      // the whole part when it is compressed).
      RangedInput first(*storage, parts[0]);
      Splitter sp = splitterFor(format, options);
      const std::string head = first.read(0, 3);
      std::string t;
      if (hasGzipMagic(head)) {
        detail::partsSource({parts[0]}, false, *storage)([&](std::string_view c) { t.append(c); });
        RangedInput unpacked = RangedInput::ofText(parts[0], t);
        if (t.compare(0, 3, "\xEF\xBB\xBF") == 0) sp.bomLen = 3;
        t = unpacked.read(0, headerEnd(unpacked, sp));
      } else {
        if (head == "\xEF\xBB\xBF") sp.bomLen = 3;
        t = first.read(0, headerEnd(first, sp));
      }
      info.bytesFetched = first.fetched();
      return t;
    }
    std::string t;
    partStarts = std::make_shared<std::vector<std::int64_t>>();
    detail::partsSource(info.parts, header, *storage, partStarts)(
        [&](std::string_view c) { t.append(c); });
    source = fmt::format("{} (shard {} of {}: {} part(s) from {})", url, rank, size,
                         info.parts.size(), info.parts.front());
    return t;
  }

  // kRowModulo: all rows, then every size-th from rank.
  Frame rowModulo() {
    Frame all = readFrame(url, options);
    std::vector<std::int64_t> rows;
    for (std::int64_t i = rank; i < all.numRows(); i += size) rows.push_back(i);
    info.bytesFetched = compressedBytes;
    return all.take(rows);
  }
};

}  // namespace

// ---------------------------------------------------------------- ShardReader

struct ShardReader::Impl {
  ShardJob job;
  std::string text;  // the shard's text, kept for reparse()
};

ShardReader::ShardReader(std::string url, ReadOptions options, int rank, int size)
    : impl_(std::make_unique<Impl>()) {
  impl_->job.url = std::move(url);
  impl_->job.options = std::move(options);
  impl_->job.rank = rank;
  impl_->job.size = size;
}

ShardReader::~ShardReader() = default;

void ShardReader::prepare() { impl_->job.prepare(); }

FileFormat ShardReader::format() const { return impl_->job.format; }

bool ShardReader::needsStartState() const { return impl_->job.needsStateExchange(); }

ShardReader::Transitions ShardReader::transitions() const {
  static_assert(kStates == kScanStates && kRecord == kRecordStart);
  Transitions out{};
  const auto t = impl_->job.transitions();
  for (std::size_t s = 0; s < out.size(); ++s) out[s] = static_cast<std::uint8_t>(t[s]);
  return out;
}

Frame ShardReader::read(std::optional<std::uint8_t> startState) {
  ShardJob& job = impl_->job;
  if (job.info.mode == ShardMode::kRowModulo) return job.rowModulo();
  State atStart = kRecord;
  if (startState && job.needsStateExchange()) {
    if (*startState >= kStates)
      throw InternalError(fmt::format("ShardReader::read: scanner state {} out of range", *startState));
    atStart = static_cast<State>(*startState);
  } else if (job.info.mode == ShardMode::kByteRange) {
    atStart = stateAtStart(*job.input, job.splitter, job.range);
  }
  impl_->text = job.text(atStart);
  Frame frame = parseText(job.format, impl_->text, job.options, job.source);
  if (job.partStarts)  // row provenance: each row's part and line in it
    frame = detail::partOrigins(frame, job.info.parts,
                                isCsv(job.format) && job.options.csv.header, *job.partStarts);
  if (job.input) job.info.bytesFetched = job.input->fetched();
  return frame;
}

bool ShardReader::readAllRows() const { return impl_->job.info.mode == ShardMode::kRowModulo; }

Frame ShardReader::reparse(const ReadOptions& options) const {
  if (readAllRows()) throw InternalError("ShardReader::reparse: a row-modulo shard keeps no text");
  return parseText(impl_->job.format, impl_->text, options, impl_->job.source);
}

std::int64_t ShardReader::libsvmDim(const Frame& frame) const {
  return libsvmDimOf(impl_->job.format, frame);
}

ShardInfo& ShardReader::info() { return impl_->job.info; }

// ---------------------------------------------------------------- public API

Frame readFrameShard(const std::string& url, const ReadOptions& options, int rank, int size,
                     ShardInfo* info) {
  ShardReader reader(url, options, rank, size);
  reader.prepare();
  Frame frame = reader.read();
  reader.info().libsvmDim = reader.libsvmDim(frame);
  if (options.onRows) options.onRows(frame.numRows());
  if (info) *info = std::move(reader.info());
  return frame;
}

}  // namespace td
