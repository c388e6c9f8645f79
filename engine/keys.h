// Key and value layouts of the log's column families (docs/log-format.md).
//
//   events       key := seq:u64be                       value := envelope bytes
//   streams      key := stream_id 0x00 version:u64be    value := seq:u64be
//                key := stream_id 0x00 0xFF*8            value := head version:u64be
//   idempotency  key := scope 0x00 key                  value := IdempotencyRecord
//   state        aggregate snapshots of the domain (engine/domain/aggregates.h)
//   meta         key := "head"                          value := seq:u64be hash:32
//                key := "schema_version"                value := u16be
//
// Stream ids and idempotency scopes never contain bytes below 0x20, so the
// 0x00 separator keeps every stream's keys contiguous and ordered by version.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "events/hash.h"

namespace folio::keys {

inline constexpr std::size_t kStreamIdBytesMax = 200;
inline constexpr std::size_t kIdempotencyKeyBytesMax = 200;

void PutU64Be(std::string* out, std::uint64_t v);
std::uint64_t GetU64Be(std::string_view in);  // REQUIRES: in.size() >= 8

std::string EventKey(std::uint64_t seq);
std::optional<std::uint64_t> ParseEventKey(std::string_view key);

std::string StreamIndexKey(std::string_view stream_id, std::uint64_t version);
// Splits a streams key into (stream_id, version); nullopt when malformed.
std::optional<std::pair<std::string, std::uint64_t>> ParseStreamIndexKey(std::string_view key);

// The stream's head record: sorts after every version of the stream.
std::string StreamHeadKey(std::string_view stream_id);
inline constexpr std::uint64_t kStreamHeadVersion = UINT64_MAX;
std::string IdempotencyKey(std::string_view scope, std::string_view key);

inline constexpr std::string_view kMetaHead = "head";
inline constexpr std::string_view kMetaSchemaVersion = "schema_version";

struct Head {
  std::uint64_t seq = 0;
  Hash32 hash = kGenesisHash;
};
std::string EncodeHead(const Head& head);
std::optional<Head> DecodeHead(std::string_view value);

// True when `id` is a valid stream id or idempotency scope/key: 1..max bytes,
// valid UTF-8 (ids appear in JSON: answers, the event feed, Kafka), no byte
// below 0x20.
bool IsValidId(std::string_view id, std::size_t bytes_max);

}  // namespace folio::keys
