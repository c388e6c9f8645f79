#include "adapters/http/metrics.h"

#include <fmt/format.h>

namespace folio::http {

std::string EscapeLabel(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void Metrics::CountRequest(std::string_view method, std::string_view route, unsigned status,
                           std::uint64_t duration_ns) {
  std::lock_guard lock(mu_);
  ++requests_[{std::string(method), std::string(route), status}];
  Histogram& h = durations_[std::string(route)];
  ++h.count;
  h.sum_ns += duration_ns;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (static_cast<double>(duration_ns) <= kBuckets[i] * 1e9) ++h.buckets[i];
  }
}

void Metrics::CountCommand(std::string_view type, std::string_view outcome) {
  std::lock_guard lock(mu_);
  ++commands_[{std::string(type), std::string(outcome)}];
}

std::string Metrics::Render(const std::vector<Sample>& live) const {
  std::string out;
  {
    std::lock_guard lock(mu_);
    out += "# HELP folio_http_requests_total HTTP requests answered, by route and status.\n";
    out += "# TYPE folio_http_requests_total counter\n";
    for (const auto& [k, n] : requests_) {
      out +=
          fmt::format("folio_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n",
                      EscapeLabel(std::get<0>(k)), EscapeLabel(std::get<1>(k)), std::get<2>(k), n);
    }
    out += "# HELP folio_http_request_duration_seconds Time from request read to answer.\n";
    out += "# TYPE folio_http_request_duration_seconds histogram\n";
    for (const auto& [route, h] : durations_) {
      std::string r = EscapeLabel(route);
      for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        out +=
            fmt::format("folio_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n",
                        r, kBuckets[i], h.buckets[i]);
      }
      out +=
          fmt::format("folio_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n",
                      r, h.count);
      out += fmt::format("folio_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", r,
                         static_cast<double>(h.sum_ns) / 1e9);
      out +=
          fmt::format("folio_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", r, h.count);
    }
    out += "# HELP folio_commands_total Commands by type and outcome (ok, replayed or the code).\n";
    out += "# TYPE folio_commands_total counter\n";
    for (const auto& [k, n] : commands_) {
      out += fmt::format("folio_commands_total{{type=\"{}\",outcome=\"{}\"}} {}\n",
                         EscapeLabel(k.first), EscapeLabel(k.second), n);
    }
  }
  std::string last_name;
  for (const Sample& s : live) {
    if (s.name != last_name) {
      out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", s.name, s.help, s.name, s.type);
      last_name = s.name;
    }
    out += s.name;
    if (!s.labels.empty()) {
      out += "{";
      for (std::size_t i = 0; i < s.labels.size(); ++i) {
        if (i) out += ",";
        out += fmt::format("{}=\"{}\"", s.labels[i].first, EscapeLabel(s.labels[i].second));
      }
      out += "}";
    }
    out += fmt::format(" {}\n", s.value);
  }
  return out;
}

}  // namespace folio::http
