// JSON rendering by reflection over the embedded binary schema (envelope.bfbs,
// built by cmake/FolioSchemas.cmake). Nothing here names an event type: the walk
// follows the schema, so a field or union member added to a .fbs shows up as is.
//
//   table   := "{" field ("," field)* "}"   fields in id order, deprecated ones skipped
//   field   := "<name>":value               absent strings, vectors, tables, structs
//                                            and unions are omitted; scalars are always
//                                            written (the schema default when absent)
//   union   := "type":"<member>" for the type field of `event` (other unions keep
//              "<u>_type"), then "<u>":value of the member
//   scalar  := integer (exact, 64-bit) | true | false | "<enum name>" | number when
//              the enum has no such value
//   Money   := {"amount":"100.00","currency":"CNY"}, or {"minor":"<u128>","asset":<n>}
//              when the asset is not in the registry
//   Uuid    := "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"    Hash32 := "<64 lowercase hex>"
//   string  := UTF-8 passed through; '"' '\' and bytes < 0x20 escaped (\u00XX);
//              each byte that is not part of valid UTF-8 becomes \ufffd
//
// The record was verified by EventRecord::Decode against the generated code of
// the same .fbs files, so every offset followed here stays inside the buffer.
#include "events/json.h"

#include <flatbuffers/reflection.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include "events/money.h"

namespace folio::schema {
extern const std::uint8_t kEnvelopeBfbs[];
extern const std::size_t kEnvelopeBfbsSize;
}  // namespace folio::schema

namespace folio {
namespace {

using reflection::BaseType;

// The union whose type field is rendered under the key "type".
constexpr std::string_view kEventUnionTypeField = "event_type";
constexpr std::string_view kEventTypeKey = "type";

// The schema, parsed once, with each object's fields in id order and the
// structs that have their own rendering located by name. A special struct
// whose shape no longer matches is left at nullptr and rendered generically.
struct SchemaIndex {
  const reflection::Schema* schema = nullptr;
  std::vector<std::vector<const reflection::Field*>> fields_by_id;  // per object index
  std::int32_t root_index = -1;
  const reflection::Object* money = nullptr;
  const reflection::Object* uuid = nullptr;
  const reflection::Object* hash = nullptr;
  std::uint16_t money_lo = 0, money_hi = 0, money_asset = 0;  // byte offsets in the struct
  std::uint16_t uuid_hi = 0, uuid_lo = 0;
  std::uint16_t hash_bytes = 0;
};

const reflection::Field* FindField(const reflection::Object& obj, std::string_view name,
                                   BaseType type) {
  for (const reflection::Field* f : *obj.fields()) {
    if (f->name()->string_view() == name && f->type()->base_type() == type) return f;
  }
  return nullptr;
}

void LocateSpecialStructs(SchemaIndex& ix) {
  for (const reflection::Object* obj : *ix.schema->objects()) {
    std::string_view name = obj->name()->string_view();
    if (!obj->is_struct()) continue;
    if (name == "folio.fb.Money") {
      auto lo = FindField(*obj, "lo", BaseType::ULong);
      auto hi = FindField(*obj, "hi", BaseType::ULong);
      auto asset = FindField(*obj, "asset", BaseType::UByte);
      if (lo == nullptr || hi == nullptr || asset == nullptr) continue;
      ix.money = obj;
      ix.money_lo = lo->offset();
      ix.money_hi = hi->offset();
      ix.money_asset = asset->offset();
    } else if (name == "folio.fb.Uuid") {
      auto hi = FindField(*obj, "hi", BaseType::ULong);
      auto lo = FindField(*obj, "lo", BaseType::ULong);
      if (hi == nullptr || lo == nullptr) continue;
      ix.uuid = obj;
      ix.uuid_hi = hi->offset();
      ix.uuid_lo = lo->offset();
    } else if (name == "folio.fb.Hash32") {
      auto bytes = FindField(*obj, "bytes", BaseType::Array);
      if (bytes == nullptr || bytes->type()->element() != BaseType::UByte ||
          bytes->type()->fixed_length() != sizeof(Hash32)) {
        continue;
      }
      ix.hash = obj;
      ix.hash_bytes = bytes->offset();
    }
  }
}

SchemaIndex BuildIndex() {
  flatbuffers::Verifier verifier(schema::kEnvelopeBfbs, schema::kEnvelopeBfbsSize);
  // The schema is part of the binary; a bad one is a build defect.
  if (!reflection::VerifySchemaBuffer(verifier)) std::abort();
  SchemaIndex ix;
  ix.schema = reflection::GetSchema(schema::kEnvelopeBfbs);
  if (ix.schema->root_table() == nullptr) std::abort();
  const auto& objects = *ix.schema->objects();
  for (flatbuffers::uoffset_t i = 0; i < objects.size(); ++i) {
    const reflection::Object* obj = objects.Get(i);
    if (obj == ix.schema->root_table()) ix.root_index = static_cast<std::int32_t>(i);
    std::vector<const reflection::Field*> fields(obj->fields()->begin(), obj->fields()->end());
    std::sort(
        fields.begin(), fields.end(),
        [](const reflection::Field* a, const reflection::Field* b) { return a->id() < b->id(); });
    ix.fields_by_id.push_back(std::move(fields));
  }
  if (ix.root_index < 0) std::abort();
  LocateSpecialStructs(ix);
  return ix;
}

const SchemaIndex& Index() {
  static const SchemaIndex index = BuildIndex();
  return index;
}

bool IsScalarType(BaseType t) { return t >= BaseType::UType && t <= BaseType::Double; }

// Integers travel as int64; a ulong keeps its bits and is printed unsigned.
std::int64_t ReadInteger(BaseType t, const std::uint8_t* p) {
  switch (t) {
    case BaseType::Byte:
      return flatbuffers::ReadScalar<std::int8_t>(p);
    case BaseType::Short:
      return flatbuffers::ReadScalar<std::int16_t>(p);
    case BaseType::UShort:
      return flatbuffers::ReadScalar<std::uint16_t>(p);
    case BaseType::Int:
      return flatbuffers::ReadScalar<std::int32_t>(p);
    case BaseType::UInt:
      return flatbuffers::ReadScalar<std::uint32_t>(p);
    case BaseType::Long:
      return flatbuffers::ReadScalar<std::int64_t>(p);
    case BaseType::ULong:
      return static_cast<std::int64_t>(flatbuffers::ReadScalar<std::uint64_t>(p));
    default:
      return flatbuffers::ReadScalar<std::uint8_t>(p);  // UType, Bool, UByte
  }
}

template <typename T>
void AppendNumber(std::string& out, T value) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  if (ec != std::errc()) std::abort();  // 64 chars hold any integer or shortest double
  out.append(buf, end);
}

// Length of the valid UTF-8 sequence starting at s[i], 0 when invalid
// (overlong forms, surrogates and code points past U+10FFFF are invalid).
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
  std::uint8_t c = byte(i);
  std::size_t len = 0;
  std::uint8_t lo = 0x80, hi = 0xBF;  // range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (s.size() - i < len) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < len; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return len;
}

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<std::uint8_t>(s[i]);
    if (c >= 0x80) {
      std::size_t len = Utf8SequenceLength(s, i);
      if (len == 0) {
        out.append("\\ufffd");
        ++i;
      } else {
        out.append(s.substr(i, len));
        i += len;
      }
      continue;
    }
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      out.append("\\u00");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    } else {
      out.push_back(static_cast<char>(c));
    }
    ++i;
  }
  out.push_back('"');
}

class Renderer {
 public:
  explicit Renderer(std::string& out) : ix_(Index()), out_(out) {}

  void Root(const flatbuffers::Table& root) { Table(ix_.root_index, root); }

 private:
  const reflection::Object& Object(std::int32_t index) const {
    return *ix_.schema->objects()->Get(static_cast<flatbuffers::uoffset_t>(index));
  }

  void Key(bool& first, std::string_view name) {
    if (!first) out_.push_back(',');
    first = false;
    AppendJsonString(out_, name);
    out_.push_back(':');
  }

  // An integer of type `t`; by name when `enum_index` names an enum that has it.
  void Integer(BaseType t, std::int64_t v, std::int32_t enum_index) {
    if (t == BaseType::Bool) {
      out_.append(v != 0 ? "true" : "false");
      return;
    }
    if (enum_index >= 0) {
      const reflection::Enum& e =
          *ix_.schema->enums()->Get(static_cast<flatbuffers::uoffset_t>(enum_index));
      for (const reflection::EnumVal* val : *e.values()) {
        if (val->value() == v) return AppendJsonString(out_, val->name()->string_view());
      }
    }
    if (t == BaseType::ULong) return AppendNumber(out_, static_cast<std::uint64_t>(v));
    AppendNumber(out_, v);
  }

  void Scalar(BaseType t, const std::uint8_t* p, std::int32_t enum_index) {
    if (t == BaseType::Float) return Real(flatbuffers::ReadScalar<float>(p));
    if (t == BaseType::Double) return Real(flatbuffers::ReadScalar<double>(p));
    Integer(t, ReadInteger(t, p), enum_index);
  }

  // Folio's schemas hold no floating point; rendered only so a foreign field
  // cannot break the output. Shortest round-trip form; NaN and infinities as null.
  void Real(double v) {
    if (std::isfinite(v)) {
      AppendNumber(out_, v);
    } else {
      out_.append("null");
    }
  }

  void Table(std::int32_t obj_index, const flatbuffers::Table& t) {
    out_.push_back('{');
    bool first = true;
    for (const reflection::Field* f : ix_.fields_by_id[static_cast<std::size_t>(obj_index)]) {
      if (!f->deprecated()) TableField(obj_index, t, *f, first);
    }
    out_.push_back('}');
  }

  void TableField(std::int32_t obj_index, const flatbuffers::Table& t, const reflection::Field& f,
                  bool& first) {
    const reflection::Type& type = *f.type();
    BaseType bt = type.base_type();
    std::string_view name = f.name()->string_view();
    if (IsScalarType(bt)) {
      // Folio writes every scalar (ForceDefaults): an absent one was added to
      // the schema after the event was written. Leaving it out keeps an old
      // event's JSON the same bytes whatever fields later versions add.
      const std::uint8_t* p = t.GetAddressOf(f.offset());
      if (p == nullptr) return;
      Key(first, bt == BaseType::UType && name == kEventUnionTypeField ? kEventTypeKey : name);
      return Scalar(bt, p, type.index());
    }
    switch (bt) {
      case BaseType::String:
        if (auto s = t.GetPointer<const flatbuffers::String*>(f.offset())) {
          Key(first, name);
          AppendJsonString(out_, s->string_view());
        }
        return;
      case BaseType::Vector:
        if (auto v = t.GetPointer<const flatbuffers::VectorOfAny*>(f.offset())) {
          Key(first, name);
          Vector(type, *v, UnionTypes(obj_index, t, f));
        }
        return;
      case BaseType::Obj:
        if (Object(type.index()).is_struct()) {
          if (auto s = t.GetStruct<const std::uint8_t*>(f.offset())) {
            Key(first, name);
            Struct(type.index(), s);
          }
        } else if (auto sub = t.GetPointer<const flatbuffers::Table*>(f.offset())) {
          Key(first, name);
          Table(type.index(), *sub);
        }
        return;
      case BaseType::Union:
        return UnionField(obj_index, t, f, first);
      default:
        return;  // None; Array only occurs in structs
    }
  }

  // The field that carries the member type of union (or union vector) `f`:
  // by FlatBuffers convention it has id f.id() - 1.
  const reflection::Field* TypeFieldOf(std::int32_t obj_index, const reflection::Field& f) const {
    for (const reflection::Field* g : ix_.fields_by_id[static_cast<std::size_t>(obj_index)]) {
      if (g->id() + 1 == f.id()) return g;
    }
    return nullptr;
  }

  // For a vector of unions, the parallel vector of member types; else null.
  const flatbuffers::Vector<std::uint8_t>* UnionTypes(std::int32_t obj_index,
                                                      const flatbuffers::Table& t,
                                                      const reflection::Field& f) const {
    if (f.type()->element() != BaseType::Union) return nullptr;
    const reflection::Field* tf = TypeFieldOf(obj_index, f);
    if (tf == nullptr) return nullptr;
    return t.GetPointer<const flatbuffers::Vector<std::uint8_t>*>(tf->offset());
  }

  void UnionField(std::int32_t obj_index, const flatbuffers::Table& t, const reflection::Field& f,
                  bool& first) {
    const reflection::Field* tf = TypeFieldOf(obj_index, f);
    const std::uint8_t* type_p = tf == nullptr ? nullptr : t.GetAddressOf(tf->offset());
    auto target = t.GetPointer<const std::uint8_t*>(f.offset());
    if (type_p == nullptr || target == nullptr) return;
    std::int64_t member = ReadInteger(tf->type()->base_type(), type_p);
    const reflection::Type* member_type = UnionMemberType(f.type()->index(), member);
    if (member_type == nullptr) return;  // NONE or a member this schema does not know
    Key(first, f.name()->string_view());
    UnionValue(*member_type, target);
  }

  const reflection::Type* UnionMemberType(std::int32_t enum_index, std::int64_t member) const {
    const reflection::Enum& e =
        *ix_.schema->enums()->Get(static_cast<flatbuffers::uoffset_t>(enum_index));
    for (const reflection::EnumVal* val : *e.values()) {
      if (val->value() != member || val->union_type() == nullptr) continue;
      BaseType bt = val->union_type()->base_type();
      return bt == BaseType::Obj || bt == BaseType::String ? val->union_type() : nullptr;
    }
    return nullptr;
  }

  // `p` is where the member's offset points.
  void UnionValue(const reflection::Type& member_type, const std::uint8_t* p) {
    if (member_type.base_type() == BaseType::String) {
      return AppendJsonString(out_, reinterpret_cast<const flatbuffers::String*>(p)->string_view());
    }
    if (Object(member_type.index()).is_struct()) return Struct(member_type.index(), p);
    Table(member_type.index(), *reinterpret_cast<const flatbuffers::Table*>(p));
  }

  void Vector(const reflection::Type& type, const flatbuffers::VectorOfAny& v,
              const flatbuffers::Vector<std::uint8_t>* union_types) {
    BaseType et = type.element();
    out_.push_back('[');
    for (flatbuffers::uoffset_t i = 0; i < v.size(); ++i) {
      if (i > 0) out_.push_back(',');
      std::size_t k = static_cast<std::size_t>(i);
      if (IsScalarType(et)) {
        Scalar(et, v.Data() + k * flatbuffers::GetTypeSize(et), type.index());
      } else if (et == BaseType::String) {
        AppendJsonString(
            out_,
            flatbuffers::GetAnyVectorElemPointer<const flatbuffers::String>(&v, k)->string_view());
      } else if (et == BaseType::Obj && Object(type.index()).is_struct()) {
        auto size = static_cast<std::size_t>(Object(type.index()).bytesize());
        Struct(type.index(), v.Data() + k * size);
      } else if (et == BaseType::Obj) {
        Table(type.index(), *flatbuffers::GetAnyVectorElemPointer<const flatbuffers::Table>(&v, k));
      } else {
        UnionVectorElement(type, v, union_types, k);
      }
    }
    out_.push_back(']');
  }

  void UnionVectorElement(const reflection::Type& type, const flatbuffers::VectorOfAny& v,
                          const flatbuffers::Vector<std::uint8_t>* union_types, std::size_t k) {
    const reflection::Type* member_type = nullptr;
    if (union_types != nullptr && k < union_types->size()) {
      member_type =
          UnionMemberType(type.index(), union_types->Get(static_cast<flatbuffers::uoffset_t>(k)));
    }
    if (member_type == nullptr) {
      out_.append("null");
      return;
    }
    UnionValue(*member_type, flatbuffers::GetAnyVectorElemPointer<const std::uint8_t>(&v, k));
  }

  void Struct(std::int32_t obj_index, const std::uint8_t* p) {
    const reflection::Object& obj = Object(obj_index);
    if (&obj == ix_.money) return Money(p);
    if (&obj == ix_.uuid) {
      return AppendJsonString(
          out_, UuidToString(Uuid128{flatbuffers::ReadScalar<std::uint64_t>(p + ix_.uuid_hi),
                                     flatbuffers::ReadScalar<std::uint64_t>(p + ix_.uuid_lo)}));
    }
    if (&obj == ix_.hash) {
      return AppendJsonString(out_, ToHex(std::span(p + ix_.hash_bytes, sizeof(Hash32))));
    }
    out_.push_back('{');
    bool first = true;
    for (const reflection::Field* f : ix_.fields_by_id[static_cast<std::size_t>(obj_index)]) {
      const reflection::Type& type = *f->type();
      Key(first, f->name()->string_view());
      if (type.base_type() == BaseType::Obj) {
        Struct(type.index(), p + f->offset());
      } else if (type.base_type() == BaseType::Array) {
        Array(type, p + f->offset());
      } else {
        Scalar(type.base_type(), p + f->offset(), type.index());
      }
    }
    out_.push_back('}');
  }

  // A fixed-length array inside a struct.
  void Array(const reflection::Type& type, const std::uint8_t* p) {
    BaseType et = type.element();
    bool of_structs = et == BaseType::Obj;
    std::size_t size = of_structs ? static_cast<std::size_t>(Object(type.index()).bytesize())
                                  : flatbuffers::GetTypeSize(et);
    out_.push_back('[');
    for (std::size_t k = 0; k < type.fixed_length(); ++k) {
      if (k > 0) out_.push_back(',');
      if (of_structs) {
        Struct(type.index(), p + k * size);
      } else {
        Scalar(et, p + k * size, type.index());
      }
    }
    out_.push_back(']');
  }

  void Money(const std::uint8_t* p) {
    u128 minor = (u128{flatbuffers::ReadScalar<std::uint64_t>(p + ix_.money_hi)} << 64) |
                 flatbuffers::ReadScalar<std::uint64_t>(p + ix_.money_lo);
    std::uint8_t raw_asset = flatbuffers::ReadScalar<std::uint8_t>(p + ix_.money_asset);
    auto asset = static_cast<Asset>(raw_asset);
    bool known = asset != Asset::Unknown && asset <= Asset::MAX && !AssetCode(asset).empty();
    if (!known) {
      out_.append("{\"minor\":");
      AppendJsonString(out_, U128ToString(minor));
      out_.append(",\"asset\":");
      AppendNumber(out_, raw_asset);
      out_.push_back('}');
      return;
    }
    out_.append("{\"amount\":");
    AppendJsonString(out_, folio::Money(asset, minor).ToString());
    out_.append(",\"currency\":");
    AppendJsonString(out_, AssetCode(asset));
    out_.push_back('}');
  }

  const SchemaIndex& ix_;
  std::string& out_;
};

}  // namespace

std::string EventToJson(const EventRecord& record) {
  std::string out;
  out.reserve(2 * record.bytes().size());
  Renderer(out).Root(
      *flatbuffers::GetAnyRoot(reinterpret_cast<const std::uint8_t*>(record.bytes().data())));
  return out;
}

}  // namespace folio
