// EngineStack: what answers the API inside one process — the log, its writer
// and the projector — opened together and stopped in order. `folio serve`,
// `folio bench http` and the HTTP tests all start their server on one.
//
// Thread-compatible: open and stop from one thread; the parts themselves are
// thread-safe as documented in their headers.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "adapters/http/api.h"
#include "engine/log_store.h"
#include "engine/writer.h"
#include "projections/projector.h"

namespace folio::http {

struct EngineStack {
  std::unique_ptr<LogStore> store;
  std::unique_ptr<Writer> writer;
  std::unique_ptr<projections::Projector> projector;  // every projection of the registry

  // Opens (or creates) the log in `dir` and starts the writer and projector.
  static Result<EngineStack> Open(const std::string& dir, const LogStoreOptions& store_opts = {},
                                  WriterOptions writer_opts = {});

  // ApiDeps wired to this stack and `keys`; each durable append wakes the
  // projector, then runs `also_on_appended` when given (e.g. the Kafka relay).
  ApiDeps Deps(KeyStore* keys, std::function<void()> also_on_appended = {}) const;

  // Stops the projector, then the writer. Stop the HTTP server first.
  // Idempotent.
  void Stop();
};

}  // namespace folio::http
