#include "engine/append.h"

#include <cstring>

#include "engine/keys.h"
#include "events/codes.h"

namespace folio {

std::string EncodeIdempotencyRecord(const Hash32& fingerprint, const AppendOutcome& outcome) {
  std::string v;
  v.push_back('\x01');
  v.append(reinterpret_cast<const char*>(fingerprint.data()), fingerprint.size());
  keys::PutU64Be(&v, outcome.first_seq);
  keys::PutU64Be(&v, outcome.last_seq);
  keys::PutU64Be(&v, outcome.stream_version);
  std::string_view code = outcome.status.code();
  v.push_back(static_cast<char>(code.size() >> 8));
  v.push_back(static_cast<char>(code.size() & 0xff));
  v.append(code);
  const std::string& msg = outcome.status.message();
  for (int i = 3; i >= 0; --i) v.push_back(static_cast<char>(msg.size() >> (8 * i)));
  v.append(msg);
  return v;
}

std::optional<std::pair<Hash32, AppendOutcome>> DecodeIdempotencyRecord(std::string_view v) {
  constexpr std::size_t kFixed = 1 + 32 + 24 + 2;
  if (v.size() < kFixed + 4 || v[0] != '\x01') return std::nullopt;
  Hash32 fp;
  std::memcpy(fp.data(), v.data() + 1, fp.size());
  AppendOutcome o;
  o.first_seq = keys::GetU64Be(v.substr(33));
  o.last_seq = keys::GetU64Be(v.substr(41));
  o.stream_version = keys::GetU64Be(v.substr(49));
  std::size_t code_len = (static_cast<std::size_t>(static_cast<std::uint8_t>(v[57])) << 8) |
                         static_cast<std::uint8_t>(v[58]);
  if (v.size() < kFixed + code_len + 4) return std::nullopt;
  std::string_view code = v.substr(kFixed, code_len);
  std::size_t pos = kFixed + code_len;
  std::size_t msg_len = 0;
  for (int i = 0; i < 4; ++i) msg_len = (msg_len << 8) | static_cast<std::uint8_t>(v[pos++]);
  if (v.size() != pos + msg_len) return std::nullopt;
  if (!code.empty()) o.status = Status::Error(InternCode(code), std::string(v.substr(pos)));
  o.replayed = true;
  return std::make_pair(fp, o);
}

}  // namespace folio
