// The HTTP request path: a request through the router (adapters/http/api.h)
// to a real writer on a scratch log, as the server hands it over after
// Beast's parser. Input: "METHOD TARGET\n" then "name: value" header lines, a
// blank line, the body. Byte 0 & 1 of the input adds an operator's bearer key.
// Properties: every request is answered exactly once, with a status in
// 200..599, and an error answer carries a JSON body with a stable "code".
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "adapters/http/api.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace folio;

struct Stack {
  std::unique_ptr<LogStore> store;
  std::unique_ptr<Writer> writer;
  http::KeyStore keys;
  std::unique_ptr<http::Api> api;

  Stack() {
    const std::string dir = (std::filesystem::exists("/dev/shm") ? "/dev/shm" : "/tmp") +
                            std::string("/folio-http-fuzz-") + std::to_string(::getpid());
    std::filesystem::remove_all(dir);
    auto s = LogStore::Open(dir);
    FOLIO_FUZZ_CHECK(s.ok());
    store = std::move(*s);
    auto w = Writer::Start(store.get());
    FOLIO_FUZZ_CHECK(w.ok());
    writer = std::move(*w);
    keys.Add("fuzz-operator-key", http::Principal{"fuzz", http::Role::kOperator});
    http::ApiDeps deps;
    deps.store = store.get();
    deps.writer = writer.get();
    deps.keys = &keys;
    http::ApiOptions opts;
    opts.read_your_writes_max = std::chrono::milliseconds(0);
    opts.long_poll_max = std::chrono::milliseconds(0);
    api = std::make_unique<http::Api>(deps, opts);
  }
};

std::string_view Line(std::string_view* rest) {
  auto nl = rest->find('\n');
  std::string_view l = rest->substr(0, nl);
  rest->remove_prefix(nl == std::string_view::npos ? rest->size() : nl + 1);
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  return l;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Stack* stack = new Stack();  // lives for the process, like a server
  if (size == 0) return 0;
  std::string_view rest = fuzz::Bytes(data + 1, size - 1);
  http::Request req;
  std::string_view first = Line(&rest);
  auto sp = first.find(' ');
  req.method = std::string(first.substr(0, sp));
  req.target = sp == std::string_view::npos ? "/" : std::string(first.substr(sp + 1));
  if (req.target.empty() || req.target[0] != '/') return 0;  // Beast refuses these
  while (!rest.empty()) {
    std::string_view h = Line(&rest);
    if (h.empty()) break;
    auto colon = h.find(':');
    if (colon == std::string_view::npos) return 0;  // Beast refuses these
    std::string name(h.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = h.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    req.headers.emplace_back(std::move(name), std::string(value));
  }
  if (data[0] & 1) req.headers.emplace_back("authorization", "Bearer fuzz-operator-key");
  req.body = std::string(rest);
  req.remote = "127.0.0.1:1";

  std::mutex mu;
  std::condition_variable cv;
  int answers = 0;
  http::Response got;
  stack->api->Handle(std::move(req), [&](http::Response r) {
    std::lock_guard lock(mu);
    ++answers;
    got = std::move(r);
    cv.notify_all();
  });
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return answers > 0; });
  FOLIO_FUZZ_CHECK(answers == 1);
  FOLIO_FUZZ_CHECK(got.status >= 200 && got.status <= 599);
  if (got.status >= 400 && got.content_type == "application/json") {
    boost::system::error_code ec;
    auto v = boost::json::parse(got.body, ec);
    const boost::json::value* code = nullptr;
    if (!ec && v.is_object()) {
      const auto* err = v.as_object().if_contains("error");
      code = err && err->is_object() ? err->as_object().if_contains("code")
                                     : v.as_object().if_contains("code");
    }
    if (!(code && code->is_string() && !code->as_string().empty())) {
      std::fprintf(stderr, "status %u, body: %s\n", got.status, got.body.c_str());
      FOLIO_FUZZ_CHECK(!"an error answer carries a JSON body with a code");
    }
  }
  return 0;
}
