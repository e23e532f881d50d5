#include "adapters/gp/cda/cda_xml.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <cstring>
#include <mutex>

namespace raccordo::cda {

namespace {

std::string_view nameOf(const xmlNode* n) {
  return n->name == nullptr ? std::string_view{} : std::string_view(reinterpret_cast<const char*>(n->name));
}

bool isElement(const xmlNode* n, std::string_view name) {
  return n->type == XML_ELEMENT_NODE && (name.empty() || nameOf(n) == name);
}

void initOnce() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

/// What the SAX hooks learn while libxml2 parses.
struct ParseState {
  bool doctype = false;
  int line = 0;
  int column = 0;
};

// Called when "<!DOCTYPE name ..." has been read, before any internal subset:
// stopping here means no entity declaration is ever parsed.
void onDoctype(void* user, const xmlChar*, const xmlChar*, const xmlChar*) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(user);
  auto* state = static_cast<ParseState*>(ctxt->_private);
  if (state != nullptr && !state->doctype) {
    state->doctype = true;
    state->line = ctxt->input != nullptr ? ctxt->input->line : 0;
    state->column = ctxt->input != nullptr ? ctxt->input->col : 0;
  }
  xmlStopParser(ctxt);
}

std::string lineColumn(int line, int column) {
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

std::string trimmedMessage(const char* message) {
  std::string m = message == nullptr ? "malformed XML" : message;
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

void appendText(const xmlNode* n, std::string& out) {
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (c->content != nullptr) out += reinterpret_cast<const char*>(c->content);
    } else if (c->type == XML_ELEMENT_NODE) {
      out += ' ';
      appendText(c, out);
      out += ' ';
    }
  }
}

}  // namespace

std::string_view Node::name() const { return n_ == nullptr ? std::string_view{} : nameOf(n_); }

std::string_view Node::attr(std::string_view name) const {
  if (n_ == nullptr) return {};
  for (const xmlAttr* a = n_->properties; a != nullptr; a = a->next) {
    if (a->name == nullptr || std::string_view(reinterpret_cast<const char*>(a->name)) != name) continue;
    const xmlNode* v = a->children;
    if (v != nullptr && v->next == nullptr && v->type == XML_TEXT_NODE && v->content != nullptr) {
      return reinterpret_cast<const char*>(v->content);
    }
    return {};
  }
  return {};
}

bool Node::hasAttr(std::string_view name) const {
  if (n_ == nullptr) return false;
  for (const xmlAttr* a = n_->properties; a != nullptr; a = a->next) {
    if (a->name != nullptr && std::string_view(reinterpret_cast<const char*>(a->name)) == name) return true;
  }
  return false;
}

Node Node::child(std::string_view name) const {
  if (n_ == nullptr) return {};
  for (xmlNode* c = n_->children; c != nullptr; c = c->next) {
    if (isElement(c, name)) return Node(c);
  }
  return {};
}

std::vector<Node> Node::children(std::string_view name) const {
  std::vector<Node> out;
  if (n_ == nullptr) return out;
  for (xmlNode* c = n_->children; c != nullptr; c = c->next) {
    if (isElement(c, name)) out.emplace_back(c);
  }
  return out;
}

Node Node::at(std::string_view path) const {
  Node cur = *this;
  while (cur && !path.empty()) {
    std::size_t slash = path.find('/');
    cur = cur.child(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  }
  return cur;
}

std::string Node::text() const {
  if (n_ == nullptr) return {};
  std::string raw;
  appendText(n_, raw);
  std::string out;
  out.reserve(raw.size());
  bool space = false;
  for (char c : raw) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      space = false;
      out += c;
    }
  }
  return out;
}

std::string Node::path() const {
  std::vector<std::string> steps;
  for (const xmlNode* n = n_; n != nullptr && n->type == XML_ELEMENT_NODE; n = n->parent) {
    std::string step(nameOf(n));
    if (n->parent != nullptr && n->parent->type == XML_ELEMENT_NODE) {
      int index = 0, total = 0;
      for (const xmlNode* s = n->parent->children; s != nullptr; s = s->next) {
        if (!isElement(s, nameOf(n))) continue;
        ++total;
        if (s == n) index = total;
      }
      if (total > 1) step += "[" + std::to_string(index) + "]";
    }
    steps.push_back(std::move(step));
  }
  std::string out;
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) out += "/" + *it;
  return out;
}

long Node::line() const { return n_ == nullptr ? 0 : xmlGetLineNo(n_); }

void XmlDocument::Free::operator()(_xmlDoc* d) const { xmlFreeDoc(d); }

XmlDocument::~XmlDocument() = default;

Node XmlDocument::root() const { return Node(xmlDocGetRootElement(doc_.get())); }

Result<XmlDocument> XmlDocument::parse(std::string_view bytes, const ParseLimits& limits) {
  if (bytes.size() > limits.max_bytes) {
    return Error(ErrorCode::kTooLarge,
                 "the document is " + std::to_string(bytes.size()) + " bytes, over the limit of " +
                     std::to_string(limits.max_bytes),
                 "byte " + std::to_string(limits.max_bytes));
  }
  if (bytes.empty()) return Error(ErrorCode::kInvalidInput, "the document is empty", "line 1, column 1");
  initOnce();
  std::unique_ptr<xmlParserCtxt, void (*)(xmlParserCtxtPtr)> ctxt(xmlNewParserCtxt(), xmlFreeParserCtxt);
  if (!ctxt) return Error(ErrorCode::kUnavailable, "the XML parser could not be created", "line 1, column 1");
  ParseState state;
  ctxt->_private = &state;
  ctxt->sax->internalSubset = onDoctype;
  ctxt->sax->externalSubset = onDoctype;
  // No XML_PARSE_NOENT, DTDLOAD, DTDATTR or HUGE: entities stay unexpanded and
  // libxml2 keeps its own depth and text-size limits.
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA |
                      XML_PARSE_NOBLANKS | XML_PARSE_COMPACT;
  xmlDocPtr raw = xmlCtxtReadMemory(ctxt.get(), bytes.data(), static_cast<int>(bytes.size()), nullptr, nullptr, options);
  XmlDocument doc(raw);
  if (state.doctype) {
    return Error(ErrorCode::kInvalidInput, "a DOCTYPE declaration is not allowed (DTDs and entities are refused)",
                 lineColumn(state.line, state.column));
  }
  if (raw == nullptr || ctxt->wellFormed == 0) {
    const xmlError* e = xmlCtxtGetLastError(ctxt.get());
    if (e == nullptr) return Error(ErrorCode::kInvalidInput, "malformed XML", "line 1, column 1");
    return Error(ErrorCode::kInvalidInput, "malformed XML: " + trimmedMessage(e->message), lineColumn(e->line, e->int2));
  }
  if (xmlDocGetRootElement(raw) == nullptr) {
    return Error(ErrorCode::kInvalidInput, "the document has no root element", "line 1, column 1");
  }
  // Depth, without recursion: a walk that keeps its depth.
  xmlNode* n = xmlDocGetRootElement(raw);
  int depth = 1;
  while (n != nullptr) {
    if (n->type == XML_ELEMENT_NODE && depth > limits.max_depth) {
      return Error(ErrorCode::kInvalidInput,
                   "elements are nested more than " + std::to_string(limits.max_depth) + " deep",
                   Node(n).path());
    }
    xmlNode* first = n->type == XML_ELEMENT_NODE ? n->children : nullptr;
    while (first != nullptr && first->type != XML_ELEMENT_NODE) first = first->next;
    if (first != nullptr) {
      n = first;
      ++depth;
      continue;
    }
    while (n != nullptr) {
      xmlNode* next = n->next;
      while (next != nullptr && next->type != XML_ELEMENT_NODE) next = next->next;
      if (next != nullptr) {
        n = next;
        break;
      }
      n = n->parent;
      --depth;
      if (n == nullptr || n->type != XML_ELEMENT_NODE || depth == 0) {
        n = nullptr;
        break;
      }
    }
  }
  return doc;
}

}  // namespace raccordo::cda
