// The crash tests' workload: a fixed pattern of domain commands, so that
// `folio torture` (which runs it until it is killed) and the test that checks
// the recovered log agree on what every idempotency key asked for without
// exchanging anything but the keys and outcomes torture prints.
//
// Submitter `s` of run `r` issues, for i = 0, 1, 2, ...  (key "tt-r-s-i"):
//
//   i % 6 == 0  payment.create  p-r-s-i, alipay, to the trust matter of
//                               client cl-r-s (settling it appends 2 events)
//   i % 6 == 1  payment.settle  p-r-s-(i-1)
//   i % 6 == 2  payment.settle  p-r-s-(i-2) again: refused (payment_not_payable)
//   i % 6 == 3  payment.settle  of a payment that does not exist: refused
//   i % 6 == 4  payment.create  p-r-s-i, wechat_pay, operating
//   i % 6 == 5  payment.fail    p-r-s-(i-1)
//
// Every command has its own customer, so no limit refuses one by chance.
// Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/append.h"

namespace folio::torture {

struct StepId {
  std::uint64_t run = 0, submitter = 0, index = 0;
};

std::string Key(const StepId& id);
std::optional<StepId> ParseKey(std::string_view key);

// The request for step `id`, with its idempotency key and the fingerprint of
// its content. `other_body` gives the same key a different content (a
// conflicting retry).
AppendRequest Request(const StepId& id, bool other_body = false);

// How many events the step appends when it is accepted.
std::uint64_t EventsWhenAccepted(const StepId& id);

}  // namespace folio::torture
