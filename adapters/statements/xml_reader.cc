#include "adapters/statements/xml_reader.h"

#include "adapters/statements/statement.h"

namespace folio::statements {
namespace {

bool IsSpace(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsNameChar(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == ':' || c >= 0x80;
}
std::string LocalName(const std::string& n) {
  const std::size_t p = n.rfind(':');
  return p == std::string::npos ? n : n.substr(p + 1);
}
void AppendUtf8(std::string* out, std::uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

// The stream buffer directly: istream::get() builds a sentry per byte.
int XmlReader::Get() {
  std::streambuf* b = in_.rdbuf();
  const int c = b == nullptr ? std::char_traits<char>::eof() : b->sbumpc();
  if (c == '\n') ++line_;
  return c;
}
int XmlReader::Peek() {
  std::streambuf* b = in_.rdbuf();
  return b == nullptr ? std::char_traits<char>::eof() : b->sgetc();
}

Status XmlReader::Fail(std::string_view code, std::string_view what) const {
  return Status::Error(code, "line " + std::to_string(line_) + ": " + std::string(what));
}

bool XmlReader::ReadName(std::string* name) {
  name->clear();
  while (IsNameChar(Peek()) && name->size() < 256) name->push_back(static_cast<char>(Get()));
  return !name->empty() && name->size() < 256;
}

bool XmlReader::DecodeEntity(std::string* out, Status* error) {
  std::string ent;
  int c = 0;
  while ((c = Get()) != ';') {
    if (c == std::char_traits<char>::eof() || ent.size() > 10) {
      *error = Fail(kStatementMalformed, "bad entity");
      return false;
    }
    ent.push_back(static_cast<char>(c));
  }
  if (ent == "lt")
    out->push_back('<');
  else if (ent == "gt")
    out->push_back('>');
  else if (ent == "amp")
    out->push_back('&');
  else if (ent == "quot")
    out->push_back('"');
  else if (ent == "apos")
    out->push_back('\'');
  else if (ent.size() >= 2 && ent[0] == '#') {
    const bool hex = ent[1] == 'x';
    std::uint32_t cp = 0;
    const std::size_t start = hex ? 2 : 1;
    if (start >= ent.size())
      return *error = Fail(kStatementMalformed, "bad character reference"), false;
    for (std::size_t i = start; i < ent.size(); ++i) {
      const char d = ent[i];
      std::uint32_t v = 0;
      if (d >= '0' && d <= '9')
        v = static_cast<std::uint32_t>(d - '0');
      else if (hex && d >= 'a' && d <= 'f')
        v = static_cast<std::uint32_t>(d - 'a' + 10);
      else if (hex && d >= 'A' && d <= 'F')
        v = static_cast<std::uint32_t>(d - 'A' + 10);
      else
        return *error = Fail(kStatementMalformed, "bad character reference"), false;
      cp = cp * (hex ? 16u : 10u) + v;
      if (cp > 0x10FFFF)
        return *error = Fail(kStatementMalformed, "bad character reference"), false;
    }
    if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return *error = Fail(kStatementMalformed, "bad character reference"), false;
    }
    AppendUtf8(out, cp);
  } else {
    *error = Fail(kStatementMalformed, "unknown entity &" + ent + ";");
    return false;
  }
  return true;
}

bool XmlReader::SkipUntil(std::string_view term, std::string* keep, Status* error) {
  std::string tail;
  for (;;) {
    const int c = Get();
    if (c == std::char_traits<char>::eof()) {
      *error = Fail(kStatementTruncated, "document ends inside markup");
      return false;
    }
    tail.push_back(static_cast<char>(c));
    if (keep != nullptr) {
      keep->push_back(static_cast<char>(c));
      if (keep->size() > text_max_)
        return *error = Fail(kStatementTooLarge, "text too long"), false;
    }
    if (tail.size() > term.size()) tail.erase(0, 1);
    if (tail == term) {
      if (keep != nullptr) keep->resize(keep->size() - term.size());
      return true;
    }
  }
}

// After '<'.
bool XmlReader::ReadMarkup(XmlEvent* ev, Status* error) {
  ev->line_no = line_;
  const int c = Peek();
  if (c == '?') {
    if (!SkipUntil("?>", nullptr, error)) return false;
    ev->kind = XmlEvent::kSkip;
    return true;
  }
  if (c == '!') {
    Get();
    std::string head;
    for (int i = 0; i < 2 && Peek() != std::char_traits<char>::eof(); ++i)
      head.push_back(static_cast<char>(Get()));
    if (head == "--") {
      if (!SkipUntil("-->", nullptr, error)) return false;
      ev->kind = XmlEvent::kSkip;
      return true;
    }
    if (head == "[C") {
      std::string rest;
      for (int i = 0; i < 5; ++i) rest.push_back(static_cast<char>(Get()));
      if (rest != "DATA[") return *error = Fail(kStatementMalformed, "bad CDATA"), false;
      if (open_.empty()) return *error = Fail(kStatementMalformed, "CDATA outside the root"), false;
      ev->kind = XmlEvent::kText;
      ev->text.clear();
      return SkipUntil("]]>", &ev->text, error);
    }
    *error = Fail(kStatementMalformed, "DOCTYPE and declarations are not accepted");
    return false;
  }
  if (c == '/') {
    Get();
    std::string name;
    if (!ReadName(&name)) return *error = Fail(kStatementMalformed, "bad end tag"), false;
    while (IsSpace(Peek())) Get();
    if (Get() != '>') return *error = Fail(kStatementMalformed, "bad end tag"), false;
    if (open_.empty() || open_.back() != name) {
      return *error = Fail(kStatementMalformed, "</" + name + "> does not close the open element"),
             false;
    }
    open_.pop_back();
    if (open_.empty()) root_closed_ = true;
    ev->kind = XmlEvent::kEnd;
    ev->name = LocalName(name);
    return true;
  }
  std::string name;
  if (!ReadName(&name)) return *error = Fail(kStatementMalformed, "bad start tag"), false;
  if (root_closed_) return *error = Fail(kStatementMalformed, "a second root element"), false;
  ev->kind = XmlEvent::kStart;
  ev->attrs.clear();
  for (;;) {
    while (IsSpace(Peek())) Get();
    const int d = Get();
    if (d == '>') break;
    if (d == '/') {
      if (Get() != '>') return *error = Fail(kStatementMalformed, "bad empty tag"), false;
      pending_end_ = true;
      pending_name_ = LocalName(name);
      break;
    }
    if (d == std::char_traits<char>::eof())
      return *error = Fail(kStatementTruncated, "document ends inside a tag"), false;
    in_.rdbuf()->sungetc();
    std::string an, av;
    if (!ReadName(&an) || ev->attrs.size() > 32)
      return *error = Fail(kStatementMalformed, "bad attribute"), false;
    while (IsSpace(Peek())) Get();
    if (Get() != '=') return *error = Fail(kStatementMalformed, "attribute without value"), false;
    while (IsSpace(Peek())) Get();
    const int q = Get();
    if (q != '"' && q != '\'')
      return *error = Fail(kStatementMalformed, "unquoted attribute"), false;
    for (int e = Get(); e != q; e = Get()) {
      if (e == std::char_traits<char>::eof())
        return *error = Fail(kStatementTruncated, "document ends inside a tag"), false;
      if (e == '<') return *error = Fail(kStatementMalformed, "'<' in an attribute"), false;
      if (e == '&') {
        if (!DecodeEntity(&av, error)) return false;
      } else {
        av.push_back(static_cast<char>(e));
      }
      if (av.size() > text_max_)
        return *error = Fail(kStatementTooLarge, "attribute too long"), false;
    }
    ev->attrs.emplace_back(LocalName(an), std::move(av));
  }
  // An empty element <a/> is nested as deep as <a></a> (the fuzzer found
  // one level past the limit through it).
  if (open_.size() >= depth_max_)
    return *error = Fail(kStatementMalformed, "nested too deep"), false;
  if (!pending_end_) {
    open_.push_back(name);
  } else if (open_.empty()) {
    root_closed_ = true;
  }
  ev->name = LocalName(name);
  return true;
}

bool XmlReader::Next(XmlEvent* ev, Status* error) {
  if (pending_end_) {
    pending_end_ = false;
    ev->kind = XmlEvent::kEnd;
    ev->name = pending_name_;
    ev->line_no = line_;
    return true;
  }
  ev->text.clear();
  ev->line_no = line_;
  bool only_space = true;
  for (;;) {
    const int c = Peek();
    if (c == std::char_traits<char>::eof()) {
      if (!only_space) {
        *error = Fail(kStatementMalformed, "text outside the root");
        return false;
      }
      if (!open_.empty())
        *error = Fail(kStatementTruncated, "document ends inside <" + open_.back() + ">");
      else if (!root_closed_)
        *error = Fail(kStatementTruncated, "no root element");
      return false;
    }
    if (c == '<') {
      if (!ev->text.empty() && !only_space) {
        if (open_.empty())
          return *error = Fail(kStatementMalformed, "text outside the root"), false;
        ev->kind = XmlEvent::kText;
        return true;
      }
      Get();
      ev->text.clear();
      if (!ReadMarkup(ev, error)) return false;
      if (ev->kind != XmlEvent::kSkip) return true;
      ev->text.clear();
      only_space = true;
      continue;
    }
    Get();
    if (c == '&') {
      if (!DecodeEntity(&ev->text, error)) return false;
      only_space = false;
    } else {
      if (!IsSpace(c)) only_space = false;
      if (c == 0) return *error = Fail(kStatementMalformed, "NUL byte"), false;
      ev->text.push_back(static_cast<char>(c));
    }
    if (ev->text.size() > text_max_)
      return *error = Fail(kStatementTooLarge, "text too long"), false;
  }
}

}  // namespace folio::statements
