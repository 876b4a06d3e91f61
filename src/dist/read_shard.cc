// src/dist/read_shard.cc — the collective readFrameShard: each rank reads its shard with
// ShardReader (td_io) and the ranks exchange, over the Communicator, the CSV quoting state at
// their range starts and what their rows say about the schema and the LibSVM dimension.
#include "thunderdome/dist/read_shard.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "thunderdome/core/error.h"
#include "thunderdome/io/shard_reader.h"

namespace td {

namespace {

bool isCsv(FileFormat f) { return f == FileFormat::kCsv || f == FileFormat::kTsv; }

// ---------------------------------------------------------------- agreement

// One column's evidence for the shared type: what its values were in this shard.
enum Kind : std::uint8_t {
  kNoValue = 0,    // no rows, or every value missing
  kInt = 1,
  kDouble = 2,
  kNumText = 3,    // JSON Lines strings "NaN"/"Infinity"/"-Infinity" (numbers next to numbers)
  kText = 4,
  kStrings = 5,    // array<string>
  kVec = 6,
  kBool = 7,
};

struct ColumnEvidence {
  std::string name;
  DataType type = DataType::kString;
  Kind kind = kNoValue;
};

std::vector<ColumnEvidence> evidenceOf(FileFormat f, const Frame& frame) {
  std::vector<ColumnEvidence> out;
  for (const auto& field : frame.schema().fields()) {
    ColumnEvidence ev{field.name, field.type, kNoValue};
    if (frame.numRows() > 0) {
      switch (field.type) {
        case DataType::kInt64: ev.kind = kInt; break;
        case DataType::kDouble: ev.kind = kDouble; break;
        case DataType::kStringArray: ev.kind = kStrings; break;
        case DataType::kVector: ev.kind = kVec; break;
        case DataType::kBoolean: ev.kind = kBool; break;
        case DataType::kString: {
          const auto& col = frame.col<StringColumn>(field.name);
          bool allNull = true, allNumText = true;
          for (std::int64_t r = 0; r < frame.numRows(); ++r) {
            if (col.isNull(r)) continue;
            allNull = false;
            const std::string_view v = col[r];
            if (v != "NaN" && v != "Infinity" && v != "-Infinity") allNumText = false;
          }
          if (allNull) {  // no value to tell the type by
            ev.kind = kNoValue;
          } else if (allNumText && f == FileFormat::kJsonl) {
            ev.kind = kNumText;
          } else {
            ev.kind = kText;
          }
          break;
        }
      }
    }
    out.push_back(std::move(ev));
  }
  return out;
}

std::string packEvidence(std::int64_t rows, std::int64_t dim, const std::vector<ColumnEvidence>& cols) {
  dist::ByteWriter w;
  w.put(rows).put(dim).put(static_cast<std::uint64_t>(cols.size()));
  for (const auto& c : cols)
    w.putString(c.name).put(static_cast<std::uint8_t>(c.type)).put(static_cast<std::uint8_t>(c.kind));
  const auto& b = w.bytes();
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

struct RankEvidence {
  std::int64_t rows = 0, dim = 0;
  std::vector<ColumnEvidence> cols;
};

RankEvidence unpackEvidence(const std::string& s) {
  dist::ByteReader r(std::span<const std::byte>(reinterpret_cast<const std::byte*>(s.data()), s.size()));
  RankEvidence e;
  e.rows = r.get<std::int64_t>();
  e.dim = r.get<std::int64_t>();
  const auto n = r.get<std::uint64_t>();
  for (std::uint64_t i = 0; i < n; ++i) {
    ColumnEvidence c;
    c.name = r.getString();
    c.type = static_cast<DataType>(r.get<std::uint8_t>());
    c.kind = static_cast<Kind>(r.get<std::uint8_t>());
    e.cols.push_back(std::move(c));
  }
  return e;
}

// The schema inference over all shards' rows gives: columns in the order first seen over the
// ranks, the join of the shards' evidence as the type.
Schema mergedSchema(FileFormat f, const std::vector<RankEvidence>& all, const std::string& url) {
  std::vector<std::string> names;
  for (const auto& e : all)
    for (const auto& c : e.cols)
      if (std::find(names.begin(), names.end(), c.name) == names.end()) names.push_back(c.name);
  std::vector<Field> fields;
  for (const auto& name : names) {
    int maxScalar = kNoValue;
    bool numText = false, sawBool = false;
    int structured = -1, structuredRank = -1, scalarRank = -1;
    for (std::size_t r = 0; r < all.size(); ++r) {
      const auto it = std::find_if(all[r].cols.begin(), all[r].cols.end(),
                                   [&](const ColumnEvidence& c) { return c.name == name; });
      if (it == all[r].cols.end()) continue;  // JSON Lines: the key never appears there
      switch (it->kind) {
        case kNoValue: break;
        case kNumText: numText = true; scalarRank = static_cast<int>(r); break;
        case kBool: sawBool = true; scalarRank = static_cast<int>(r); break;
        case kStrings:
        case kVec:
          if (structured >= 0 && structured != it->kind)
            throw DataError(fmt::format(
                "{}: column '{}' holds vectors in one shard and string arrays in another "
                "(ranks {} and {})", url, name, structuredRank, r));
          structured = it->kind;
          structuredRank = static_cast<int>(r);
          break;
        default:
          maxScalar = std::max<int>(maxScalar, it->kind);
          scalarRank = static_cast<int>(r);
      }
    }
    if (structured >= 0 && scalarRank >= 0)
      throw DataError(fmt::format(
          "{}: column '{}' holds {} in rank {}'s shard but scalars in rank {}'s", url, name,
          structured == kVec ? "vectors" : "string arrays", structuredRank, scalarRank));
    DataType type = DataType::kString;
    if (structured == kVec) type = DataType::kVector;
    else if (structured == kStrings) type = DataType::kStringArray;
    else if (sawBool) type = maxScalar == kNoValue && !numText ? DataType::kBoolean : DataType::kString;
    else if (maxScalar == kText) type = DataType::kString;
    else if (maxScalar == kDouble) type = DataType::kDouble;
    else if (maxScalar == kInt) type = numText ? DataType::kDouble : DataType::kInt64;  // nulls stay
    (void)f;
    fields.push_back(Field{name, type});
  }
  return Schema(std::move(fields));
}

bool inferring(FileFormat f, const ReadOptions& o) {
  if (isCsv(f)) return !o.csv.schema && o.csv.inferSchema;
  if (f == FileFormat::kJsonl) return !o.jsonl.schema;
  return false;
}

// Runs `local` on every rank and exchanges its result; a failure anywhere throws the same
// DistributedError on every rank, naming the first rank that failed.
std::vector<std::string> exchange(dist::Communicator& comm, const std::function<std::string()>& local) {
  dist::ByteWriter w;
  try {
    const std::string payload = local();
    w.put<std::uint8_t>(1).putString(payload);
  } catch (const Error& e) {
    w.put<std::uint8_t>(0).put(static_cast<std::int32_t>(e.code())).putString(e.what());
  } catch (const std::exception& e) {
    w.put<std::uint8_t>(0).put(static_cast<std::int32_t>(ErrorCode::kInternal)).putString(e.what());
  }
  const auto all = comm.allgather(w.bytes());
  std::vector<std::string> out;
  for (std::size_t r = 0; r < all.size(); ++r) {
    dist::ByteReader rd(all[r]);
    if (rd.get<std::uint8_t>() == 0) {
      const auto code = static_cast<ErrorCode>(rd.get<std::int32_t>());
      throw dist::DistributedError(code, fmt::format("rank {} of {}: {}", r, all.size(), rd.getString()));
    }
    out.push_back(rd.getString());
  }
  return out;
}

}  // namespace

Frame readFrameShard(const std::string& url, const ReadOptions& options, dist::Communicator& comm,
                     ShardInfo* info) {
  ShardReader reader(url, options, comm.rank(), comm.size());
  // 1: every rank fetches its range; with CSV quoting the ranks exchange the state machine's
  // transitions over their ranges, so each knows the quoting state where its range starts.
  const auto prepared = exchange(comm, [&] {
    reader.prepare();
    std::string t(ShardReader::kScanStates, '\0');
    if (reader.needsStartState()) {
      const auto tr = reader.transitions();
      for (std::size_t s = 0; s < tr.size(); ++s) t[s] = static_cast<char>(tr[s]);
    }
    return t;
  });
  // 2: parse the shard; exchange what it says about the schema and the LibSVM dimension.
  Frame frame;
  const auto evidence = exchange(comm, [&] {
    std::optional<std::uint8_t> atStart;
    if (reader.needsStartState()) {
      std::uint8_t s = ShardReader::kRecordStart;
      for (int r = 0; r < comm.rank(); ++r)
        s = static_cast<std::uint8_t>(prepared[static_cast<std::size_t>(r)][s]);
      atStart = s;
    }
    frame = reader.read(atStart);
    return packEvidence(frame.numRows(), reader.libsvmDim(frame),
                        evidenceOf(reader.format(), frame));
  });
  // 3: parse again with what the ranks agreed on, when this shard alone inferred otherwise.
  exchange(comm, [&] {
    std::vector<RankEvidence> all;
    for (const auto& e : evidence) all.push_back(unpackEvidence(e));
    if (reader.readAllRows()) return std::string();  // inferred over all rows
    const FileFormat format = reader.format();
    ReadOptions agreed = options;
    bool again = false;
    if (format == FileFormat::kLibSvm && options.libsvm.numFeatures == 0) {
      std::int64_t dim = 0;
      for (const auto& e : all) dim = std::max(dim, e.dim);
      if (dim != reader.libsvmDim(frame) && dim > 0) {
        agreed.libsvm.numFeatures = dim;
        again = true;
      }
    } else if (inferring(format, options)) {
      const Schema schema = mergedSchema(format, all, url);
      if (!(schema == frame.schema())) {
        if (isCsv(format)) agreed.csv.schema = schema;
        else agreed.jsonl.schema = schema;
        again = true;
      }
    }
    if (again) frame = reader.reparse(agreed);
    return std::string();
  });
  reader.info().libsvmDim = reader.libsvmDim(frame);
  if (options.onRows) options.onRows(frame.numRows());
  if (info) *info = std::move(reader.info());
  return frame;
}

}  // namespace td
