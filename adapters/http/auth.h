// API keys and roles.
//
// A key is a random secret the client sends as `Authorization: Bearer KEY`.
// The key file stores only SHA-256(KEY), one key per line:
//
//   # comment
//   NAME ROLE SHA256_HEX
//
// NAME is the actor recorded in every event the key's requests produce
// ([A-Za-z0-9._-], 1-64 bytes); ROLE is operator, auditor or admin.
//   operator: commands and queries
//   auditor:  read-only: queries, verify, reports, events
//   admin:    payment-method configuration and keys, and queries
// Demo mode adds the fixed keys demo-operator, demo-auditor and demo-admin.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "events/status.h"

namespace folio::http {

enum class Role { kOperator, kAuditor, kAdmin };
std::string_view RoleName(Role r);
std::optional<Role> RoleFromName(std::string_view name);

struct Principal {
  std::string name;
  Role role = Role::kAuditor;
};

class KeyStore {
 public:
  // An empty store (no file): only keys added with Add() are known.
  KeyStore() = default;
  // Loads FILE (missing file: empty, and Create() writes there).
  // Errors: invalid_argument with the line number for a malformed line.
  static Result<std::unique_ptr<KeyStore>> Load(const std::string& path);

  std::optional<Principal> Authenticate(std::string_view key) const;
  // Adds a key (held in memory only).
  void Add(std::string_view key, Principal who);
  // Generates a new key for NAME/ROLE, appends its hash to the file (when the
  // store has one) and returns the key, which is never stored in clear.
  // Errors: invalid_argument (bad name, name taken), io_error.
  Result<std::string> Create(std::string_view name, Role role);
  std::size_t size() const;

 private:
  std::string path_;
  mutable std::shared_mutex mu_;
  std::map<std::string, Principal, std::less<>> by_hash_;  // hex SHA-256 -> who
};

// Hex SHA-256 of a key, as stored in the file.
std::string KeyHash(std::string_view key);
bool ValidKeyName(std::string_view name);

}  // namespace folio::http
