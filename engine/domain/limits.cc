#include "engine/domain/limits.h"

#include "engine/domain/civil_time.h"
#include "engine/domain/codec.h"
#include "engine/domain/methods.h"

namespace folio::domain {
namespace {

std::string EncodeU128(u128 v) {
  Writer w;
  w.U128(v);
  return w.Take();
}

void Put(StateStore& state, const std::string& key, u128 v) {
  if (v == 0) {
    state.Erase(key);
  } else {
    state.Store(key, EncodeU128(v));
  }
}

}  // namespace

LimitKeys LimitKeysFor(std::string_view customer, fb::Method method, Asset asset,
                       std::int64_t at_ns) {
  const std::string prefix = "limits/" + std::string(customer) + "/" +
                             std::string(MethodName(method)) + "/" + std::string(AssetCode(asset)) +
                             "/";
  return LimitKeys{prefix + "d" + std::to_string(ShanghaiDayKey(at_ns)),
                   prefix + "m" + std::to_string(ShanghaiMonthKey(at_ns))};
}

u128 LimitUsed(StateStore& state, std::string_view key) {
  std::optional<std::string> bytes = state.Load(key);
  if (!bytes) return 0;
  Reader r(*bytes);
  const u128 v = r.U128();
  r.Finish();
  return v;
}

void LimitAdd(StateStore& state, const LimitKeys& keys, u128 amount) {
  for (const std::string* key : {&keys.day, &keys.month}) {
    const u128 used = LimitUsed(state, *key);
    DomainCheck(used <= ~u128{0} - amount, "limit usage overflow");
    Put(state, *key, used + amount);
  }
}

void LimitRelease(StateStore& state, const LimitKeys& keys, u128 amount) {
  for (const std::string* key : {&keys.day, &keys.month}) {
    const u128 used = LimitUsed(state, *key);
    DomainCheck(used >= amount, "limit usage underflow");
    Put(state, *key, used - amount);
  }
}

}  // namespace folio::domain
