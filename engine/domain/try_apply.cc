// TryApply: Apply into a scratch layer with soft invariant checks, kept only
// when the whole event applied.
#include <map>

#include "engine/domain/codec.h"
#include "engine/domain/domain.h"

namespace folio::domain {
namespace {

// Writes collect here; reads see them over `base`.
class Scratch final : public StateStore {
 public:
  explicit Scratch(StateStore& base) : base_(base) {}

  std::optional<std::string> Load(std::string_view key) override {
    if (auto it = writes_.find(key); it != writes_.end()) return it->second;
    return base_.Load(key);
  }
  void Store(std::string_view key, std::string value) override {
    writes_[std::string(key)] = std::move(value);
  }
  void Erase(std::string_view key) override { writes_[std::string(key)] = std::nullopt; }
  std::vector<std::pair<std::string, std::string>> Scan(std::string_view from, std::string_view to,
                                                        std::size_t limit) override {
    std::size_t erased = 0;
    for (auto it = writes_.lower_bound(from); it != writes_.end() && it->first < to; ++it) {
      if (!it->second) ++erased;
    }
    std::map<std::string, std::string, std::less<>> merged;
    for (auto& kv : base_.Scan(from, to, limit + erased)) merged.insert(std::move(kv));
    for (auto it = writes_.lower_bound(from); it != writes_.end() && it->first < to; ++it) {
      if (it->second) {
        merged[it->first] = *it->second;
      } else {
        merged.erase(it->first);
      }
    }
    std::vector<std::pair<std::string, std::string>> out;
    for (auto& kv : merged) {
      if (out.size() >= limit) break;
      out.emplace_back(kv.first, std::move(kv.second));
    }
    return out;
  }

  void CommitTo(StateStore& target) {
    for (auto& [k, v] : writes_) {
      if (v) {
        target.Store(k, std::move(*v));
      } else {
        target.Erase(k);
      }
    }
  }

 private:
  StateStore& base_;
  std::map<std::string, std::optional<std::string>, std::less<>> writes_;
};

}  // namespace

bool TryApply(StateStore& state, const fb::Envelope& env, std::string* why) {
  return TryApply(state, std::vector<const fb::Envelope*>{&env}, why);
}

bool TryApply(StateStore& state, const std::vector<const fb::Envelope*>& events, std::string* why) {
  Scratch scratch(state);
  try {
    SoftChecks soft;
    for (const fb::Envelope* env : events) Apply(scratch, *env);
  } catch (const DomainViolation& v) {
    if (why != nullptr) *why = v.what;
    return false;
  }
  scratch.CommitTo(state);
  return true;
}

}  // namespace folio::domain
