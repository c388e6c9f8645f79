// A small command-line parser for `folio` subcommands: `--name value`,
// `--name=value`, boolean `--flag`, positional arguments, and `--help`.
// Unknown options are errors, never ignored.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "events/status.h"

namespace folio::cli {

struct ArgSpec {
  std::set<std::string> with_value;  // e.g. {"data", "from"}
  std::set<std::string> flags;       // e.g. {"json"}
};

class Args {
 public:
  static Result<Args> Parse(const std::vector<std::string>& argv, const ArgSpec& spec);

  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  std::optional<std::string> Get(const std::string& name) const;
  std::string GetOr(const std::string& name, const std::string& fallback) const;
  // An unsigned decimal option; invalid_argument when malformed.
  Result<std::uint64_t> GetU64(const std::string& name, std::uint64_t fallback) const;
  bool help() const { return help_; }
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
  bool help_ = false;
};

// Prints `status` as "folio: <code>: <message>" to stderr; returns exit code 2
// for usage errors and 1 otherwise.
int ReportError(const Status& status);

}  // namespace folio::cli
