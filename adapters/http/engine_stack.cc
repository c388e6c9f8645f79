#include "adapters/http/engine_stack.h"

#include "projections/registry.h"

namespace folio::http {

Result<EngineStack> EngineStack::Open(const std::string& dir, const LogStoreOptions& store_opts,
                                      WriterOptions writer_opts) {
  EngineStack s;
  ASSIGN_OR_RETURN(s.store, LogStore::Open(dir, store_opts));
  ASSIGN_OR_RETURN(s.writer, Writer::Start(s.store.get(), std::move(writer_opts)));
  ASSIGN_OR_RETURN(s.projector,
                   projections::Projector::Start(s.store.get(), projections::AllProjections()));
  return s;
}

ApiDeps EngineStack::Deps(KeyStore* keys, std::function<void()> also_on_appended) const {
  ApiDeps deps;
  deps.store = store.get();
  deps.writer = writer.get();
  deps.projector = projector.get();
  deps.keys = keys;
  deps.on_appended = [p = projector.get(), also = std::move(also_on_appended)] {
    p->Notify();
    if (also) also();
  };
  return deps;
}

void EngineStack::Stop() {
  if (projector) projector->Stop();
  if (writer) writer->Stop();
}

}  // namespace folio::http
