#include "adapters/http/auth.h"

#include <openssl/rand.h>

#include <fstream>
#include <mutex>
#include <sstream>

#include "events/codes.h"
#include "events/hash.h"

namespace folio::http {

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kOperator:
      return "operator";
    case Role::kAuditor:
      return "auditor";
    case Role::kAdmin:
      return "admin";
  }
  return "unknown";
}

std::optional<Role> RoleFromName(std::string_view name) {
  if (name == "operator") return Role::kOperator;
  if (name == "auditor") return Role::kAuditor;
  if (name == "admin") return Role::kAdmin;
  return std::nullopt;
}

std::string KeyHash(std::string_view key) {
  Hash32 h = Sha256(key);
  return ToHex(h);
}

bool ValidKeyName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<std::unique_ptr<KeyStore>> KeyStore::Load(const std::string& path) {
  auto ks = std::make_unique<KeyStore>();
  ks->path_ = path;
  std::ifstream in(path);
  if (!in) return ks;  // created on the first Create()
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name, role, hash, extra;
    fields >> name >> role >> hash;
    auto r = RoleFromName(role);
    bool hex = hash.size() == 64 && hash.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (!ValidKeyName(name) || !r || !hex || (fields >> extra)) {
      return Status::Error(codes::kInvalidArgument,
                           path + ":" + std::to_string(line_no) +
                               ": expected 'NAME ROLE SHA256_HEX' (role operator|auditor|admin)");
    }
    ks->by_hash_[hash] = Principal{name, *r};
  }
  return ks;
}

std::optional<Principal> KeyStore::Authenticate(std::string_view key) const {
  if (key.empty() || key.size() > 256) return std::nullopt;
  std::string h = KeyHash(key);
  std::shared_lock lock(mu_);
  auto it = by_hash_.find(h);
  if (it == by_hash_.end()) return std::nullopt;
  return it->second;
}

void KeyStore::Add(std::string_view key, Principal who) {
  std::unique_lock lock(mu_);
  by_hash_[KeyHash(key)] = std::move(who);
}

Result<std::string> KeyStore::Create(std::string_view name, Role role) {
  if (!ValidKeyName(name)) {
    return Status::Error(codes::kInvalidArgument,
                         "key names are 1-64 characters of A-Z a-z 0-9 . _ -");
  }
  std::uint8_t raw[24];
  if (RAND_bytes(raw, sizeof raw) != 1) {
    return Status::Error(codes::kIoError, "no randomness for a new key");
  }
  std::string key = "fk_" + ToHex({raw, sizeof raw});
  std::unique_lock lock(mu_);
  for (const auto& [h, p] : by_hash_) {
    if (p.name == name) {
      return Status::Error(codes::kInvalidArgument,
                           "a key named '" + std::string(name) + "' exists");
    }
  }
  std::string hash = KeyHash(key);
  if (!path_.empty()) {
    std::ofstream out(path_, std::ios::app);
    out << name << " " << RoleName(role) << " " << hash << "\n";
    out.flush();
    if (!out) return Status::Error(codes::kIoError, "cannot append to " + path_);
  }
  by_hash_[hash] = Principal{std::string(name), role};
  return key;
}

std::size_t KeyStore::size() const {
  std::shared_lock lock(mu_);
  return by_hash_.size();
}

}  // namespace folio::http
