#include "adapters/cli/soak_checks.h"

#include <boost/json.hpp>

#include <unordered_map>
#include <unordered_set>

#include "adapters/kafka/event_message.h"
#include "engine/keys.h"
#include "engine/log_cursor.h"
#include "engine/log_store.h"
#include "events/codes.h"
#include "events/envelope.h"

namespace folio::cli {
namespace {

using SeqsByKey = std::unordered_map<std::string, std::vector<std::uint64_t>>;

// What the server's clock writes by itself (engine/domain/scheduler.cc).
bool ClockMayWrite(fb::Event type) {
  return type == fb::Event::PaymentBecameDue || type == fb::Event::PaymentExpired ||
         type == fb::Event::CreditExpired;
}

// Every event's seq under its idempotency key ("" for events without one);
// the clock's events are counted apart, and must be of the kinds it writes.
Status ScanKeys(const LogStore& store, SeqsByKey* by_key, LogCheck* check, SoakProblems* problems) {
  LogCursor cursor(store, 1, kGenesisHash);
  return cursor.Scan([&](EventRecord& rec) {
    const auto* scope = rec.env().idempotency_scope();
    if (scope != nullptr && scope->string_view() == "clock") {
      ++check->events;
      ++check->clock_events;
      if (!ClockMayWrite(rec.type())) {
        problems->Add("seq " + std::to_string(rec.seq()) + ": the clock wrote a " +
                      std::string(rec.type_name()));
      }
      return true;
    }
    const auto* k = rec.env().idempotency_key();
    (*by_key)[k != nullptr ? k->str() : ""].push_back(rec.seq());
    const auto kind = kafka::IntegrationKindOf(rec.env());
    if (kind != kafka::IntegrationKind::kNone) {
      check->integration_seqs[static_cast<std::size_t>(kind) - 1].push_back(rec.seq());
    }
    ++check->events;
    return true;
  });
}

// first_seq and last_seq of a 2xx body; nullopt when absent.
std::optional<std::pair<std::uint64_t, std::uint64_t>> AnsweredSeqs(const std::string& body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto* first = v.as_object().if_contains("first_seq");
  const auto* last = v.as_object().if_contains("last_seq");
  if (first == nullptr || last == nullptr) return std::nullopt;
  auto f = boost::json::try_value_to<std::uint64_t>(*first);
  auto l = boost::json::try_value_to<std::uint64_t>(*last);
  if (!f || !l || *f == 0 || *l < *f) return std::nullopt;
  return std::pair{*f, *l};
}

void CheckAck(const SoakAck& a, const SeqsByKey& by_key, LogCheck* check, SoakProblems* problems) {
  auto it = by_key.find(a.cmd.key);
  const std::vector<std::uint64_t> none;
  const std::vector<std::uint64_t>& found = it == by_key.end() ? none : it->second;
  const std::string what = a.cmd.key + " (round " + std::to_string(a.round) + ", " +
                           std::to_string(a.status) + " " + a.body + ")";
  if (a.status < 200 || a.status >= 300) {
    if (!found.empty()) problems->Add(what + ": refused, but has events in the log");
    return;
  }
  auto seqs = AnsweredSeqs(a.body);
  if (!seqs) return problems->Add(what + ": a 2xx without a valid first_seq..last_seq");
  const std::uint64_t want = seqs->second - seqs->first + 1;
  if (found.empty()) {
    ++check->lost;
    return problems->Add(what + ": acknowledged, not in the log");
  }
  if (found.size() > want) {
    ++check->duplicated;
    return problems->Add(what + ": " + std::to_string(found.size()) + " events in the log, " +
                         std::to_string(want) + " acknowledged");
  }
  for (std::uint64_t i = 0; i < want; ++i) {
    if (i >= found.size() || found[i] != seqs->first + i) {
      ++check->lost;
      return problems->Add(what + ": its events are not at the acknowledged seqs");
    }
  }
}

}  // namespace

Result<LogCheck> CheckLog(const std::string& dir, const std::vector<SoakAck>& journal,
                          SoakProblems* problems) {
  LogStoreOptions o;
  o.read_only = true;
  o.create_if_missing = false;
  ASSIGN_OR_RETURN(auto store, LogStore::Open(dir, o));
  LogCheck check;
  ASSIGN_OR_RETURN(keys::Head head, store->ReadHead());
  check.head_seq = head.seq;
  SeqsByKey by_key;
  RETURN_IF_ERROR(ScanKeys(*store, &by_key, &check, problems));
  for (const SoakAck& a : journal) CheckAck(a, by_key, &check, problems);
  std::unordered_set<std::string> sent;
  for (const SoakAck& a : journal) sent.insert(a.cmd.key);
  for (const auto& [key, seqs] : by_key) {
    if (sent.count(key) == 0) {
      problems->Add("seq " + std::to_string(seqs.front()) + " (" + std::to_string(seqs.size()) +
                    " events): key '" + key + "' is no command the load sent");
    }
  }
  return check;
}

Result<RetryCheck> CheckRetries(std::uint16_t port, const std::string& api_key,
                                const std::vector<SoakAck>& journal, SoakProblems* problems) {
  ASSIGN_OR_RETURN(auto client, http::HttpClient::Connect("127.0.0.1", port));
  RetryCheck check;
  auto send = [&](const SoakAck& a, const std::string& body) {
    return client.Send(a.cmd.method, a.cmd.target, body,
                       {{"Authorization", "Bearer " + api_key},
                        {"Content-Type", "application/json"},
                        {"Idempotency-Key", a.cmd.key}});
  };
  for (const SoakAck& a : journal) {
    ASSIGN_OR_RETURN(auto resp, send(a, a.cmd.body));
    ++check.retries;
    if (std::string wrong = CompareRetry(a, resp); !wrong.empty()) problems->Add(wrong);
  }
  for (const SoakAck& a : journal) {
    if (a.status == 400) continue;  // nothing recorded under its key
    ASSIGN_OR_RETURN(auto resp, send(a, a.cmd.conflict_body));
    ++check.conflicts;
    if (std::string wrong = CompareConflict(resp); !wrong.empty()) {
      problems->Add(a.cmd.key + ": another body " + wrong);
    }
  }
  return check;
}

}  // namespace folio::cli
