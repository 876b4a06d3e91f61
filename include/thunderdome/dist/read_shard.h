// include/thunderdome/dist/read_shard.h — the collective readFrameShard: every rank reads its
// shard (as readFrameShard in thunderdome/io/frame_io.h does) and the ranks agree on the schema.
#pragma once

#include <string>

#include "thunderdome/dist/communicator.h"
#include "thunderdome/frame/frame.h"
#include "thunderdome/io/frame_io.h"

namespace td {

/// Collective form of readFrameShard for rank comm.rank() of comm.size(): the same rows, but
/// every rank ends up with the same schema — column names, order and types as inferring them
/// over all shards' rows together gives (CSV/TSV and JSON Lines; one exception: with a
/// non-empty csv.nullValue a shard whose values in a column are all missing cannot tell them
/// from empty strings and votes for string) — and LibSVM vectors of the largest dimension of
/// any shard (unless numFeatures is set). With CSV quoting on, the ranks exchange the quoting
/// state at their range starts instead of scanning what lies before them. Every rank must
/// call it with the same url and options. A failure on any rank throws DistributedError on
/// every rank, naming the rank ("rank R of N: ...") with that rank's error code.
Frame readFrameShard(const std::string& url, const ReadOptions& options,
                     dist::Communicator& comm, ShardInfo* info = nullptr);

}  // namespace td
