#include "engine/keys.h"

#include <cstring>

#include "engine/utf8.h"

namespace folio::keys {

void PutU64Be(std::string* out, std::uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (56 - 8 * i));
  out->append(b, 8);
}

std::uint64_t GetU64Be(std::string_view in) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v = (v << 8) | static_cast<std::uint8_t>(in[static_cast<std::size_t>(i)]);
  return v;
}

std::string EventKey(std::uint64_t seq) {
  std::string k;
  PutU64Be(&k, seq);
  return k;
}

std::optional<std::uint64_t> ParseEventKey(std::string_view key) {
  if (key.size() != 8) return std::nullopt;
  return GetU64Be(key);
}

std::string StreamIndexKey(std::string_view stream_id, std::uint64_t version) {
  std::string k;
  k.reserve(stream_id.size() + 9);
  k.append(stream_id);
  k.push_back('\0');
  PutU64Be(&k, version);
  return k;
}

std::optional<std::pair<std::string, std::uint64_t>> ParseStreamIndexKey(std::string_view key) {
  if (key.size() < 10 || key[key.size() - 9] != '\0') return std::nullopt;
  std::string_view id = key.substr(0, key.size() - 9);
  if (!IsValidId(id, kStreamIdBytesMax)) return std::nullopt;
  return std::make_pair(std::string(id), GetU64Be(key.substr(key.size() - 8)));
}

std::string StreamHeadKey(std::string_view stream_id) {
  return StreamIndexKey(stream_id, kStreamHeadVersion);
}

std::string IdempotencyKey(std::string_view scope, std::string_view key) {
  std::string k;
  k.reserve(scope.size() + key.size() + 1);
  k.append(scope);
  k.push_back('\0');
  k.append(key);
  return k;
}

std::string EncodeHead(const Head& head) {
  std::string v;
  PutU64Be(&v, head.seq);
  v.append(reinterpret_cast<const char*>(head.hash.data()), head.hash.size());
  return v;
}

std::optional<Head> DecodeHead(std::string_view value) {
  if (value.size() != 8 + sizeof(Hash32)) return std::nullopt;
  Head h;
  h.seq = GetU64Be(value);
  std::memcpy(h.hash.data(), value.data() + 8, h.hash.size());
  return h;
}

bool IsValidId(std::string_view id, std::size_t bytes_max) {
  if (id.empty() || id.size() > bytes_max) return false;
  for (std::size_t i = 0; i < id.size();) {
    if (static_cast<unsigned char>(id[i]) < 0x20) return false;
    const std::size_t n = utf8::SequenceLength(id.substr(i));
    if (n == 0) return false;
    i += n;
  }
  return true;
}

}  // namespace folio::keys
