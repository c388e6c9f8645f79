// The alert rules of issue 16: a small, pure rules engine (no I/O, no clock of
// its own) over the committed events and a few probes the server reads.
// Alerts are not ledger facts: nothing here is ever appended to the log. The
// rules, their thresholds and which side of each boundary fires are written
// out in docs/alerts.md; the short form:
//
//   rule                        subject              fires when
//   payment_pending_too_long    payment id           now - since >= pending_max_s
//   failure_rate_high           method ("alipay")    samples >= failure_min_samples and
//                                                    failed * 1000 > permille * samples
//   gateway_circuit_open        gateway name         Probes::circuit_open[gateway]
//   reconciliation_discrepancy  "run/discrepancy"    DiscrepancyDetected not yet resolved
//   trust_matter_negative       "client/matter"      cleared + uncleared < 0 (any asset)
//   trust_uncleared_disbursed   "client/matter"      cleared < 0 (outflows beyond cleared)
//   write_path_failed           "writer"             Probes::write_failed
//   relay_lag_high              "kafka"              lag > relay_lag_max_events for at
//                                                    least relay_lag_for_s
//
// Thread-safety: AlertEngine is thread-compatible (one caller at a time);
// the free functions are thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "events/envelope.h"
#include "events/status.h"

namespace folio::alerts {

// Stable rule names (docs/alerts.md). Append only. They are names, not error
// codes: char arrays, so that tests/adapters/error_codes_test.cpp (which takes
// every string_view constant of a header for an error code) passes them by;
// tests/adapters/alerts/alert_docs_test.cpp checks docs/alerts.md names them.
inline constexpr char kPaymentPendingTooLong[] = "payment_pending_too_long";
inline constexpr char kFailureRateHigh[] = "failure_rate_high";
inline constexpr char kGatewayCircuitOpen[] = "gateway_circuit_open";
inline constexpr char kReconciliationDiscrepancy[] = "reconciliation_discrepancy";
inline constexpr char kTrustMatterNegative[] = "trust_matter_negative";
inline constexpr char kTrustUnclearedDisbursed[] = "trust_uncleared_disbursed";
inline constexpr char kWritePathFailed[] = "write_path_failed";
inline constexpr char kRelayLagHigh[] = "relay_lag_high";
inline constexpr std::string_view kRuleNames[] = {
    kPaymentPendingTooLong,     kFailureRateHigh,     kGatewayCircuitOpen,
    kReconciliationDiscrepancy, kTrustMatterNegative, kTrustUnclearedDisbursed,
    kWritePathFailed,           kRelayLagHigh};

// Thresholds. Every field is a key of the "rules" JSON object (FromJson).
struct AlertRulesConfig {
  // A payment pending at a gateway, or created and unpaid, this long (seconds)
  // or longer fires. Range 1..2,592,000 (30 days). Default: 1800.
  std::int64_t pending_max_s = 1800;
  // Failure rate per method strictly above this, in permille, fires.
  // Range 0..999. Default: 300 (30%).
  std::uint32_t failure_rate_permille = 300;
  // The sliding window of outcomes, by the events' occurred_at (seconds).
  // Range 1..604,800 (7 days). Default: 900.
  std::int64_t failure_window_s = 900;
  // Fewer outcomes than this in the window never fire. Range 1..1,000,000.
  // Default: 20.
  std::uint32_t failure_min_samples = 20;
  // Relay lag strictly above this many events ... Range 0..10^12. Default: 10000.
  std::uint64_t relay_lag_max_events = 10'000;
  // ... for at least this long (seconds) fires. Range 0..86,400. Default: 60.
  std::int64_t relay_lag_for_s = 60;
  // "rule" silences every alert of the rule, "rule:subject" one alert. Names
  // must be known rules. At most 1000 entries. Default: none.
  std::vector<std::string> silenced;

  // Parses {"pending_max_s": 1800, ..., "silenced": [...]}; every key is
  // optional. Errors (invalid_argument, the message names the field): not an
  // object, an unknown key, a wrong type (a number must be an integer), a value
  // out of range, a silenced entry naming an unknown rule.
  static Result<AlertRulesConfig> FromJson(const boost::json::value& v);
};

struct Alert {
  // hex(SHA-256(rule "\n" subject "\n" since_ns "\n" source_seq)): the same
  // alert always has the same id, so consumers can de-duplicate.
  std::string id;
  std::string rule;
  std::string subject;
  std::string severity;  // "warning" or "critical"
  std::string summary;
  std::int64_t since_ns = 0;     // when the condition began
  std::uint64_t source_seq = 0;  // the event that raised it; 0 for probe and window alerts
  friend bool operator==(const Alert&, const Alert&) = default;
};

struct AlertTransition {
  Alert alert;
  bool firing = false;  // false: resolved
  std::int64_t at_ns = 0;
};

// The alert's identity key: rule ":" subject.
std::string AlertKey(std::string_view rule, std::string_view subject);
std::string AlertId(std::string_view rule, std::string_view subject, std::int64_t since_ns,
                    std::uint64_t source_seq);
// True when `silenced` names the rule or rule ":" subject.
bool IsSilenced(const std::vector<std::string>& silenced, std::string_view rule,
                std::string_view subject);

// The JSON published: {"id","rule","subject","severity","state":"firing"|
// "resolved","summary","since","at","source_seq"}; since and at RFC 3339 UTC.
std::string AlertJson(const AlertTransition& t);

class AlertEngine {
 public:
  // Upper bounds of the state kept; past them new entries are not tracked
  // (dropped() counts them). Open payments, open discrepancies and trust
  // matters each.
  static constexpr std::size_t kTrackedMax = 1'000'000;
  // Outcomes kept per method in the failure window (the oldest go first).
  static constexpr std::size_t kWindowSamplesMax = 100'000;

  struct Probes {
    std::map<std::string, bool> circuit_open;  // gateway -> open; absent = closed
    bool write_failed = false;
    std::optional<std::uint64_t> relay_lag_events;  // nullopt: no relay running
  };

  explicit AlertEngine(AlertRulesConfig config);

  // REQUIRES: every committed event, once, in seq order.
  void OnEvent(const EventRecord& e);

  // The alerts that started (firing) or stopped (resolved) since the last
  // call, by rule then subject. Silenced alerts change state silently.
  std::vector<AlertTransition> Evaluate(std::int64_t now_ns, const Probes& probes);

  // Every alert firing at the last Evaluate, silenced ones excepted.
  std::vector<Alert> Firing() const;

  std::uint64_t dropped() const { return dropped_; }
  const AlertRulesConfig& config() const { return config_; }

 private:
  struct OpenPayment {
    std::string method;
    std::int64_t since_ns = 0;
    std::uint64_t source_seq = 0;
  };
  struct Outcome {
    std::int64_t at_ns = 0;
    bool failed = false;
    std::uint64_t seq = 0;
  };
  struct Window {
    std::multimap<std::int64_t, Outcome> by_time;
    std::int64_t newest_ns = 0;
  };
  struct MatterBalance {
    __int128 cleared = 0;
    __int128 uncleared = 0;
  };
  struct Violation {
    std::int64_t since_ns = 0;
    std::uint64_t source_seq = 0;
    std::string detail;
  };
  struct Matter {
    std::map<int, MatterBalance> by_asset;
    std::optional<Violation> negative, uncleared;
  };
  struct Discrepancy {
    std::int64_t since_ns = 0;
    std::uint64_t source_seq = 0;
    std::string note;
  };

  void OnPayment(const EventRecord& e);
  void OnTrust(const EventRecord& e);
  void AddOutcome(const std::string& method, const Outcome& o);
  void PruneWindow(Window& w, std::int64_t now_ns) const;
  void CheckMatter(Matter& m, const EventRecord& e);
  std::map<std::string, Alert> Desired(std::int64_t now_ns, const Probes& probes);
  void DesiredFailureRates(std::int64_t now_ns, std::map<std::string, Alert>& out);

  AlertRulesConfig config_;
  std::map<std::string, OpenPayment, std::less<>> payments_;
  std::map<std::string, Window, std::less<>> windows_;  // by method
  std::map<std::string, Matter, std::less<>> matters_;  // by "client/matter"
  std::map<std::string, Discrepancy, std::less<>> discrepancies_;
  std::optional<std::int64_t> lag_above_since_ns_;
  std::map<std::string, Alert> firing_;  // by AlertKey, silenced ones included
  std::uint64_t dropped_ = 0;
};

}  // namespace folio::alerts
