// Counters for /metrics, rendered in the Prometheus text format (0.0.4).
// Thread-safety: every method may be called from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace folio::http {

// A value read at scrape time: name, help, type ("gauge"/"counter"), labels, value.
struct Sample {
  std::string name;
  std::string help;
  std::string type;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;  // scrape output only; never money
};

class Metrics {
 public:
  // route: the route's pattern ("/v1/payments/{id}"), never the raw path.
  void CountRequest(std::string_view method, std::string_view route, unsigned status,
                    std::uint64_t duration_ns);
  // outcome: "ok", "replayed" or the rejection/error code.
  void CountCommand(std::string_view type, std::string_view outcome);
  // Renders the counters plus `live` (gauges read by the caller).
  std::string Render(const std::vector<Sample>& live) const;

 private:
  static constexpr std::array<double, 10> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                      0.025,  0.05,  0.1,    0.5,   1.0};
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    std::uint64_t sum_ns = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, unsigned>, std::uint64_t> requests_;
  std::map<std::string, Histogram> durations_;  // by route
  std::map<std::pair<std::string, std::string>, std::uint64_t> commands_;
};

// Escapes a label value (backslash, quote, newline).
std::string EscapeLabel(std::string_view v);

}  // namespace folio::http
