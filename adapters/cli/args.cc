#include "adapters/cli/args.h"

#include <cstdio>

#include "events/codes.h"
#include "events/money.h"

namespace folio::cli {

Result<Args> Args::Parse(const std::vector<std::string>& argv, const ArgSpec& spec) {
  Args a;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      a.help_ = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      a.positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (spec.flags.count(name) > 0) {
      if (value) return Status::Error(codes::kInvalidArgument, "--" + name + " takes no value");
      a.values_[name] = "true";
    } else if (spec.with_value.count(name) > 0) {
      if (!value) {
        if (i + 1 >= argv.size()) {
          return Status::Error(codes::kInvalidArgument, "--" + name + " needs a value");
        }
        value = argv[++i];
      }
      a.values_[name] = *value;
    } else {
      return Status::Error(codes::kInvalidArgument, "unknown option --" + name);
    }
  }
  return a;
}

std::optional<std::string> Args::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Args::GetOr(const std::string& name, const std::string& fallback) const {
  return Get(name).value_or(fallback);
}

Result<std::uint64_t> Args::GetU64(const std::string& name, std::uint64_t fallback) const {
  auto v = Get(name);
  if (!v) return fallback;
  auto parsed = U128FromString(*v);
  if (!parsed || *parsed > UINT64_MAX) {
    return Status::Error(codes::kInvalidArgument,
                         "--" + name + " must be a non-negative integer, got '" + *v + "'");
  }
  return static_cast<std::uint64_t>(*parsed);
}

int ReportError(const Status& status) {
  std::fprintf(stderr, "folio: %s: %s\n", std::string(status.code()).c_str(),
               status.message().c_str());
  return status.code() == codes::kInvalidArgument ? 2 : 1;
}

}  // namespace folio::cli
