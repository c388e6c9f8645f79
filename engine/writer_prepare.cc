// The sequencer's work on one group: idempotency, the domain, stamping and
// the derived state. Only what cannot be derived goes into the group's batch:
// the events, the outcomes no event records, the head.
#include <algorithm>

#include "engine/assert.h"
#include "engine/domain/domain.h"
#include "engine/writer.h"
#include "engine/writer_internal.h"
#include "events/codes.h"

namespace folio {
namespace {

Status Invalid(std::string why) { return Status::Error(codes::kInvalidArgument, std::move(why)); }

std::string_view StreamOf(const std::string& envelope) {
  return fb::GetEnvelope(envelope.data())->stream_id()->string_view();
}

}  // namespace

std::unique_ptr<Writer::Group> Writer::Prepare(std::deque<Pending> items) {
  auto g = std::make_unique<Group>();
  g->items = std::move(items);
  g->outcomes.resize(g->items.size());
  if (failed()) return g;  // the committer fails them all
  g->head_after = prepared_head_;
  // Groups under load are alike: size the tables like the one before.
  if (in_flight_ != nullptr) g->delta->Reserve(*in_flight_->delta);
  Status prefetched = Prefetch(*g);
  if (!prefetched.ok()) {
    // As any failed read of the state: the writer cannot decide without it.
    FailStop("state read failed: " + prefetched.ToString());
    const Status why = Status::Error(codes::kStoreFailed, prefetched.message());
    for (auto& o : g->outcomes) o.status = why;
    return g;
  }
  Below below(*this, *g);
  Deriver deriver(*g->delta, below, /*check_key_reuse=*/false);
  for (std::size_t i = 0; i < g->items.size(); ++i) {
    AppendRequest& req = g->items[i].request;
    g->outcomes[i] = req.sealed ? PrepareSealed(*g, req) : PrepareOne(*g, req, deriver);
  }
  AddOutcomeRecords(*g);
  if (g->events > 0) {
    FOLIO_ASSERT(
        g->delta->through.seq == g->head_after.seq && g->delta->through.hash == g->head_after.hash,
        "the head names the last event derived");
    g->batch.Put(store_->meta_cf(), std::string(keys::kMetaHead), keys::EncodeHead(g->head_after));
  }
  prepared_head_ = g->head_after;
  return g;
}

AppendOutcome Writer::PrepareOne(Group& g, AppendRequest& req, Deriver& deriver) {
  AppendOutcome out;
  if (!keys::IsValidId(req.stream_id, keys::kStreamIdBytesMax)) {
    out.status = Invalid("stream_id must be 1-200 bytes with no control characters");
    return out;
  }
  const bool idempotent = !req.idempotency_key.empty();
  std::string idem_key;
  if (idempotent) {
    idem_key = keys::IdempotencyKey(req.idempotency_scope, req.idempotency_key);
    auto found = FindIdempotency(g, idem_key, /*include_group=*/true);
    if (!found.ok()) {
      out.status = found.status();
      return out;
    }
    if (found->has_value()) {
      auto rec = DecodeIdempotencyRecord(**found);
      if (!rec) {
        out.status = Status::Error(codes::kCorruption, "idempotency record malformed");
      } else if (rec->first != req.fingerprint) {
        out.status = Status::Error(
            codes::kIdempotencyKeyConflict,
            "idempotency key '" + req.idempotency_key + "' was used for a different request");
      } else {
        out = rec->second;
      }
      return out;
    }
  }
  if (req.command) {
    if (Status s = DecideCommand(g, req); !s.ok()) {
      out.status = s;
      return out;  // a storage error: not recorded
    }
  }
  if (req.rejection) {
    out.status = *req.rejection;
    if (idempotent) RecordOutcome(g, std::move(idem_key), req.fingerprint, out);
    return out;
  }
  auto current = deriver.CurrentVersion(req.stream_id);
  if (!current.ok()) {
    out.status = current.status();
    return out;
  }
  if (req.expected_version != kAnyVersion && req.expected_version != *current) {
    out.status =
        Status::Error(codes::kStreamVersionConflict,
                      "stream '" + req.stream_id + "' is at version " + std::to_string(*current) +
                          ", expected " + std::to_string(req.expected_version));
    out.stream_version = *current;
    return out;  // not recorded: a retry after re-reading may succeed
  }
  if (Status s = ApplyEvents(g, req); !s.ok()) {
    out.status = s;
    return out;
  }
  if (req.envelopes.empty()) {  // a command that decided nothing happens now
    if (idempotent) RecordOutcome(g, std::move(idem_key), req.fingerprint, out);
    return out;
  }
  StampAndDerive(g, req, deriver, out);
  if (idempotent && out.status.ok()) {
    Deriver::RequestSpan span = deriver.last_request();
    FOLIO_ASSERT(span.first_seq == out.first_seq && span.last_seq == out.last_seq &&
                     span.stream_version == out.stream_version,
                 "the derived idempotency record is the outcome returned");
  }
  return out;
}

Status Writer::DecideCommand(Group& g, AppendRequest& req) {
  domain::CommandContext ctx = req.context;
  if (ctx.now_ns == 0) ctx.now_ns = opts_.clock->NowNs();
  // The envelopes record the request's identity: the idempotency record is
  // rebuilt from them.
  ctx.idempotency_key = req.idempotency_key;
  ctx.idempotency_scope = req.idempotency_scope;
  ctx.request_fingerprint = req.idempotency_key.empty() ? Hash32{} : req.fingerprint;
  GroupState view = StateView(g);
  domain::Decision d = domain::Decide(view, *req.command, ctx);
  RETURN_IF_ERROR(view.error());
  if (auto* rej = std::get_if<domain::Rejection>(&d)) {
    req.rejection = Status::Error(rej->code, std::move(rej->message));
    return OkStatus();
  }
  req.envelopes = std::move(std::get<domain::Events>(d));
  for (const std::string& env : req.envelopes) {
    const fb::Envelope* e = fb::GetEnvelope(env.data());
    if (e->stream_id() == nullptr ||
        !keys::IsValidId(e->stream_id()->string_view(), keys::kStreamIdBytesMax)) {
      req.envelopes.clear();
      req.rejection = Invalid("an id in the command is not valid");
      return OkStatus();
    }
  }
  return OkStatus();
}

GroupState Writer::StateView(Group& g) {
  return GroupState(*store_, g.delta->state, in_flight_ ? &in_flight_->delta->state : nullptr,
                    state_cache_);
}

Status Writer::ApplyEvents(Group& g, AppendRequest& req) {
  GroupState view = StateView(g);
  if (req.command) {
    // Decide just checked these events against this very state: they apply.
    for (const std::string& env : req.envelopes) domain::Apply(view, *fb::GetEnvelope(env.data()));
  } else {
    std::vector<const fb::Envelope*> events;
    for (const std::string& env : req.envelopes) events.push_back(fb::GetEnvelope(env.data()));
    std::string why;
    if (!domain::TryApply(view, events, &why)) {
      RETURN_IF_ERROR(view.error());
      return Invalid("the events do not apply to the ledger's state: " + why);
    }
  }
  if (!view.error().ok()) {
    // State was read wrong while applying: nothing of this group may be
    // written. Fail-stop, as for a failed write.
    FailStop("aggregate state read failed: " + view.error().ToString());
    return Status::Error(codes::kStoreFailed, view.error().message());
  }
  return OkStatus();
}

// Stamps each event under its own stream (a command may touch several: a
// trust payment's settlement also deposits to the matter) and derives it.
void Writer::StampAndDerive(Group& g, AppendRequest& req, Deriver& deriver, AppendOutcome& out) {
  const std::int64_t now_ns = opts_.clock->NowNs();
  keys::Head& head = g.head_after;
  out.first_seq = head.seq + 1;
  for (std::string& env : req.envelopes) {
    auto current = deriver.CurrentVersion(StreamOf(env));
    if (!current.ok()) {
      // The request's effects are in the group's state already.
      FailStop("stream version lookup failed: " + current.status().ToString());
      out.status = Status::Error(codes::kStoreFailed, current.status().message());
      return;
    }
    ++head.seq;
    head.hash = StampEnvelope(env, head.seq, *current + 1, now_ns, head.hash);
    Status derived = deriver.Add(*fb::GetEnvelope(env.data()), head.hash);
    FOLIO_ASSERT(derived.ok(), "the writer's own events derive");
    g.batch.Put(store_->events_cf(), keys::EventKey(head.seq), env);
  }
  out.last_seq = head.seq;
  out.stream_version = g.delta->stream_versions.find(StreamOf(req.envelopes.front()))->second;
  g.events += req.envelopes.size();
}

void Writer::RecordOutcome(Group& g, std::string idem_key, const Hash32& fingerprint,
                           const AppendOutcome& out) {
  if (outcome_keys_complete_) outcome_keys_.insert(idem_key);
  g.outcome_records.insert_or_assign(std::move(idem_key),
                                     EncodeIdempotencyRecord(fingerprint, out));
}

// Sorted, consecutive memtable inserts reuse the skiplist's search path.
void Writer::AddOutcomeRecords(Group& g) {
  if (g.outcome_records.empty()) return;
  std::vector<const std::pair<const std::string, std::string>*> sorted;
  sorted.reserve(g.outcome_records.size());
  for (const auto& kv : g.outcome_records) sorted.push_back(&kv);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
  for (const auto* kv : sorted) g.batch.Put(store_->outcomes_cf(), kv->first, kv->second);
}

// --- sealed events --------------------------------------------------------

namespace {

// Below a sealed request's scratch delta: the group's own delta, then the
// group's layers below.
class SealedBelow final : public DerivedBelow {
 public:
  SealedBelow(const DerivedDelta& group, DerivedBelow& below) : group_(group), below_(below) {}
  Result<std::uint64_t> StreamVersion(std::string_view stream) override {
    if (auto it = group_.stream_versions.find(stream); it != group_.stream_versions.end()) {
      return it->second;
    }
    return below_.StreamVersion(stream);
  }
  Result<std::optional<std::string>> Idempotency(std::string_view key) override {
    if (auto it = group_.idempotency.find(key); it != group_.idempotency.end()) {
      return std::optional<std::string>(it->second);
    }
    return below_.Idempotency(key);
  }
  Result<std::string> EventStream(std::uint64_t seq) override { return below_.EventStream(seq); }

 private:
  const DerivedDelta& group_;
  DerivedBelow& below_;
};

}  // namespace

// Sealed events are checked whole before anything changes: they continue the
// chain, derive (versions follow, no key reused) into a scratch delta, and
// apply to the state all or none. Then they join the group.
AppendOutcome Writer::PrepareSealed(Group& g, AppendRequest& req) {
  AppendOutcome out;
  keys::Head head = g.head_after;
  std::vector<EventRecord> records;
  for (const std::string& env : req.envelopes) {
    auto rec = EventRecord::Decode(env);
    if (!rec.ok()) {
      out.status = rec.status();
      return out;
    }
    if (rec->seq() != head.seq + 1 || rec->prev_hash() != head.hash ||
        rec->ComputeHash() != rec->hash()) {
      out.status = Status::Error(codes::kEnvelopeInvalid,
                                 "sealed event " + std::to_string(rec->seq()) +
                                     " does not continue this log at seq " +
                                     std::to_string(head.seq) + " (sequence or hash chain)");
      return out;
    }
    head = keys::Head{rec->seq(), rec->hash()};
    records.push_back(std::move(rec).value());
  }
  Below below(*this, g);
  SealedBelow sealed_below(*g.delta, below);
  auto scratch = std::make_shared<DerivedDelta>();
  Deriver deriver(*scratch, sealed_below, /*check_key_reuse=*/true);
  std::vector<const fb::Envelope*> events;
  for (const EventRecord& r : records) {
    if (Status s = deriver.Add(r.env(), r.hash()); !s.ok()) {
      out.status = Status::Error(codes::kEnvelopeInvalid, s.message());
      return out;
    }
    events.push_back(&r.env());
  }
  GroupState view = StateView(g);
  std::string why;
  if (!domain::TryApply(view, events, &why)) {
    out.status = view.error().ok()
                     ? Status::Error(codes::kEnvelopeInvalid,
                                     "sealed events do not apply to the ledger's state: " + why)
                     : Status::Error(codes::kStoreFailed, view.error().message());
    if (!view.error().ok()) FailStop("aggregate state read failed: " + view.error().ToString());
    return out;
  }
  const std::string first_stream(records.front().stream_id());
  g.delta->Absorb(std::move(*scratch));
  for (const EventRecord& r : records) {
    g.batch.Put(store_->events_cf(), keys::EventKey(r.seq()), r.bytes());
  }
  g.head_after = head;
  g.events += records.size();
  out.first_seq = records.front().seq();
  out.last_seq = head.seq;
  out.stream_version = g.delta->stream_versions.find(first_stream)->second;
  return out;
}

// --- lookups --------------------------------------------------------------

// Reads, in one MultiGet, what the group will need that no layer in memory
// holds: idempotency records, stream versions and aggregate state (the keys
// domain::StateKeysOf names). A batched lookup of keys in order costs a
// fraction of one Get per key.
Status Writer::Prefetch(Group& g) {
  const Group* prev = in_flight_.get();
  const DerivedState& derived = store_->derived();
  const DerivedDelta* frozen = derived.frozen();
  auto in_memory = [&](auto member, const std::string& key) {
    if (prev && ((*prev->delta).*member).count(key)) return true;
    if ((derived.tail().*member).count(key)) return true;
    return frozen != nullptr && (frozen->*member).count(key) > 0;
  };
  std::vector<std::string> idem_keys, stream_keys, state_keys;
  const std::int64_t now_ns = opts_.clock->NowNs();
  for (Pending& p : g.items) {
    AppendRequest& r = p.request;
    if (r.sealed) continue;
    if (r.command && r.stream_id.empty()) r.stream_id = domain::PrimaryStream(*r.command);
    if (!r.idempotency_key.empty()) {
      std::string k = keys::IdempotencyKey(r.idempotency_scope, r.idempotency_key);
      if (!in_memory(&DerivedDelta::idempotency, k) && !(prev && prev->outcome_records.count(k))) {
        idem_keys.push_back(std::move(k));
      }
    }
    if (!r.rejection && !r.stream_id.empty() &&
        !in_memory(&DerivedDelta::stream_versions, r.stream_id) &&
        stream_cache_.count(r.stream_id) == 0) {
      stream_keys.push_back(keys::StreamHeadKey(r.stream_id));
    }
    if (r.rejection) continue;
    std::vector<std::string> wanted;
    if (r.command) {
      wanted = domain::StateKeysOf(*r.command, r.context.now_ns ? r.context.now_ns : now_ns);
    } else {
      for (const std::string& env : r.envelopes) {
        for (std::string& k : domain::StateKeysOf(*fb::GetEnvelope(env.data()))) {
          wanted.push_back(std::move(k));
        }
      }
    }
    for (std::string& k : wanted) {
      if (!in_memory(&DerivedDelta::state, k) && state_cache_.Find(k) == nullptr) {
        state_keys.push_back(std::move(k));
      }
    }
  }
  for (auto* v : {&idem_keys, &stream_keys, &state_keys}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  // Refusals are looked up only when the writer cannot tell they are absent.
  const bool outcomes_too = !outcome_keys_complete_;
  struct Batch {
    rocksdb::ColumnFamilyHandle* cf;
    const std::vector<std::string>* keys;
  };
  std::vector<Batch> batches = {{store_->streams_cf(), &stream_keys},
                                {store_->idempotency_cf(), &idem_keys},
                                {store_->state_cf(), &state_keys}};
  if (outcomes_too) batches.push_back({store_->outcomes_cf(), &idem_keys});
  // MultiGet's sorted_input means sorted by family id, then key.
  std::sort(batches.begin(), batches.end(),
            [](const Batch& a, const Batch& b) { return a.cf->GetID() < b.cf->GetID(); });
  std::vector<rocksdb::ColumnFamilyHandle*> cfs;
  std::vector<rocksdb::Slice> slices;
  for (const Batch& b : batches) {
    for (const std::string& k : *b.keys) cfs.push_back(b.cf), slices.emplace_back(k);
  }
  const std::size_t n = slices.size();
  if (n == 0) return OkStatus();
  std::vector<rocksdb::PinnableSlice> values(n);
  std::vector<rocksdb::Status> statuses(n);
  store_->db()->MultiGet(rocksdb::ReadOptions(), n, cfs.data(), slices.data(), values.data(),
                         statuses.data(), /*sorted_input=*/true);
  std::size_t i = 0;
  for (const Batch& b : batches) {
    for (const std::string& k : *b.keys) {
      const rocksdb::Status& st = statuses[i];
      if (!st.ok() && !st.IsNotFound()) return FromRocks(st, "prefetch");
      std::optional<std::string> value;
      if (st.ok()) value = values[i].ToString();
      ++i;
      if (b.cf == store_->streams_cf()) {
        if (value && value->size() != 8) {
          return Status::Error(codes::kCorruption, "stream head record malformed");
        }
        g.stream_versions_db.emplace(k.substr(0, k.size() - 9), value ? keys::GetU64Be(*value) : 0);
      } else if (b.cf == store_->state_cf()) {
        state_cache_.Put(k, std::move(value));  // checkpointed values: none newer in memory
      } else {
        auto [it, inserted] = g.idempotency_db.try_emplace(k, std::move(value));
        if (!inserted && !it->second) it->second = std::move(value);  // a refusal
      }
    }
  }
  return OkStatus();
}

Result<std::uint64_t> Writer::VersionBelow(const Group& g, std::string_view stream) {
  if (const Group* prev = in_flight_.get()) {
    if (auto it = prev->delta->stream_versions.find(stream);
        it != prev->delta->stream_versions.end()) {
      return it->second;
    }
  }
  const DerivedState& derived = store_->derived();
  if (auto it = derived.tail().stream_versions.find(stream);
      it != derived.tail().stream_versions.end()) {
    return it->second;
  }
  if (const DerivedDelta* frozen = derived.frozen()) {
    if (auto it = frozen->stream_versions.find(stream); it != frozen->stream_versions.end()) {
      return it->second;
    }
  }
  if (auto it = stream_cache_.find(stream); it != stream_cache_.end()) return it->second;
  if (auto it = g.stream_versions_db.find(stream); it != g.stream_versions_db.end()) {
    return it->second;
  }
  std::string v;
  rocksdb::Status s = store_->db()->Get(rocksdb::ReadOptions(), store_->streams_cf(),
                                        keys::StreamHeadKey(stream), &v);
  std::uint64_t version = 0;
  if (s.ok()) {
    if (v.size() != 8) return Status::Error(codes::kCorruption, "stream head record malformed");
    version = keys::GetU64Be(v);
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "stream version lookup");
  }
  if (stream_cache_.size() >= opts_.stream_cache_entries_max) stream_cache_.clear();
  stream_cache_.emplace(std::string(stream), version);
  return version;
}

Result<std::optional<std::string>> Writer::FindIdempotency(const Group& g, const std::string& key,
                                                           bool include_group) {
  using Found = std::optional<std::string>;
  auto in = [&](const auto& map) -> const std::string* {
    auto it = map.find(key);
    return it == map.end() ? nullptr : &it->second;
  };
  if (include_group) {
    if (auto* r = in(g.delta->idempotency)) return Found(*r);
    if (auto* r = in(g.outcome_records)) return Found(*r);
  }
  if (const Group* prev = in_flight_.get()) {
    if (auto* r = in(prev->delta->idempotency)) return Found(*r);
    if (auto* r = in(prev->outcome_records)) return Found(*r);
  }
  const DerivedState& derived = store_->derived();
  if (auto* r = in(derived.tail().idempotency)) return Found(*r);
  if (const DerivedDelta* frozen = derived.frozen()) {
    if (auto* r = in(frozen->idempotency)) return Found(*r);
  }
  if (auto it = g.idempotency_db.find(key); it != g.idempotency_db.end()) {
    if (it->second || !outcome_keys_complete_ || outcome_keys_.count(key) == 0) return it->second;
  }
  for (auto* cf : {store_->idempotency_cf(), store_->outcomes_cf()}) {
    if (cf == store_->outcomes_cf() && outcome_keys_complete_ && outcome_keys_.count(key) == 0) {
      break;
    }
    std::string value;
    rocksdb::Status s = store_->db()->Get(rocksdb::ReadOptions(), cf, key, &value);
    if (s.ok()) return Found(std::move(value));
    if (!s.IsNotFound()) return FromRocks(s, "idempotency lookup");
  }
  return Found();
}

// The stream of an event that may not be written yet: a request whose events
// continue across sealed appends needs its first event's stream.
Result<std::string> Writer::EventStreamAt(const Group& g, std::uint64_t seq) {
  for (const Group* grp : {&g, static_cast<const Group*>(in_flight_.get())}) {
    if (grp == nullptr) continue;
    for (const Pending& p : grp->items) {
      for (const std::string& env : p.request.envelopes) {
        if (env.size() >= 8 && fb::GetEnvelope(env.data())->seq() == seq) {
          return std::string(StreamOf(env));
        }
      }
    }
  }
  ASSIGN_OR_RETURN(std::optional<EventRecord> event, store_->ReadEvent(seq));
  if (!event) {
    return Status::Error(codes::kCorruption, "event " + std::to_string(seq) + " is missing");
  }
  return std::string(event->stream_id());
}

}  // namespace folio
