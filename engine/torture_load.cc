#include "engine/torture_load.h"

#include <charconv>

#include "events/money.h"

namespace folio::torture {
namespace {

std::string Id(std::string_view prefix, const StepId& id, std::uint64_t index) {
  return std::string(prefix) + "-" + std::to_string(id.run) + "-" + std::to_string(id.submitter) +
         "-" + std::to_string(index);
}

domain::Command MakeCommand(const StepId& id) {
  const std::uint64_t i = id.index;
  switch (i % 6) {
    case 0:
    case 4: {
      domain::PaymentCreate c;
      c.payment_id = Id("p", id, i);
      c.customer_id = Id("c", id, i);
      c.order_id = Id("o", id, i);
      c.method = i % 6 == 0 ? fb::Method::Alipay : fb::Method::WechatPay;
      c.amount = Money(Asset::CNY, 10'000 + i % 50'000);
      if (i % 6 == 0) {
        c.destination = fb::Destination::Trust;
        c.client_id = "cl-" + std::to_string(id.run) + "-" + std::to_string(id.submitter);
        c.matter_id = "m-1";
      }
      return c;
    }
    case 1:
    case 2: {
      domain::PaymentSettle c;
      c.payment_id = Id("p", id, i - i % 6);
      c.gateway_txn_id = Id("gt", id, i);
      return c;
    }
    case 3: {
      domain::PaymentSettle c;
      c.payment_id = Id("nope", id, i);
      c.gateway_txn_id = Id("gt", id, i);
      return c;
    }
    default: {
      domain::PaymentFail c;
      c.payment_id = Id("p", id, i - 1);
      c.reason = "declined by the bank";
      c.gateway_code = "BANK_DECLINED";
      return c;
    }
  }
}

}  // namespace

std::string Key(const StepId& id) { return Id("tt", id, id.index); }

std::optional<StepId> ParseKey(std::string_view key) {
  if (!key.starts_with("tt-")) return std::nullopt;
  key.remove_prefix(3);
  StepId id;
  std::uint64_t* parts[] = {&id.run, &id.submitter, &id.index};
  for (int p = 0; p < 3; ++p) {
    auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), *parts[p]);
    if (ec != std::errc()) return std::nullopt;
    key.remove_prefix(static_cast<std::size_t>(end - key.data()));
    if (p < 2) {
      if (!key.starts_with('-')) return std::nullopt;
      key.remove_prefix(1);
    }
  }
  if (!key.empty()) return std::nullopt;
  return id;
}

AppendRequest Request(const StepId& id, bool other_body) {
  AppendRequest r;
  r.idempotency_key = Key(id);
  r.fingerprint = Sha256(r.idempotency_key + (other_body ? "|other" : "|body"));
  r.context.actor = "torture";
  r.command = MakeCommand(id);
  return r;
}

std::uint64_t EventsWhenAccepted(const StepId& id) {
  return id.index % 6 == 1 ? 2 : 1;  // a trust payment's settlement deposits to the matter
}

}  // namespace folio::torture
