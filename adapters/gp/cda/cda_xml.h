#pragma once
// A small, safe reading layer over libxml2 for CDA R2 documents (raccordo_cda).
//
// Safety: no DTD is loaded and no entity is substituted (no XML_PARSE_NOENT,
// DTDLOAD or DTDATTR), no network (XML_PARSE_NONET), and a document that
// declares a DOCTYPE is refused as soon as the declaration is read, before
// its internal subset (where billion-laughs and external entities live) is
// parsed. Input size and element depth are limited. Errors say line and
// column for syntax, and an XPath-style location for structure.
//
// Thread-safe: every parse has its own context; a parsed document is
// read-only and owned by one thread at a time.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/result.h"

struct _xmlDoc;
struct _xmlNode;

namespace raccordo::cda {

struct ParseLimits {
  std::size_t max_bytes = std::size_t{16} << 20;  // 16 MiB: a CDA with an embedded PDF fits
  int max_depth = 128;                            // elements nested in one another
};

/// An element of a parsed document (a view: valid while its XmlDocument lives).
class Node {
 public:
  Node() = default;
  explicit Node(_xmlNode* n) : n_(n) {}

  bool valid() const { return n_ != nullptr; }
  explicit operator bool() const { return valid(); }
  bool operator==(const Node& other) const { return n_ == other.n_; }
  /// Local name ("section"); namespaces are ignored.
  std::string_view name() const;
  /// Attribute by local name, or "" (any namespace: xsi:type is "type").
  std::string_view attr(std::string_view name) const;
  bool hasAttr(std::string_view name) const;
  /// First child element with that local name, or an invalid Node.
  Node child(std::string_view name) const;
  /// Every child element with that local name (all child elements for "").
  std::vector<Node> children(std::string_view name = {}) const;
  /// The descendant reached by a "/"-separated list of local names (first match at each step).
  Node at(std::string_view path) const;
  /// All text below the element, whitespace runs collapsed to one space, trimmed.
  std::string text() const;
  /// XPath-style location: /ClinicalDocument/component/structuredBody/component[3]/section.
  /// A step carries [n] when its parent has more than one child element of that name.
  std::string path() const;
  /// The source line of the element's start tag.
  long line() const;

 private:
  _xmlNode* n_ = nullptr;
};

/// A parsed, well-formed document without DOCTYPE.
class XmlDocument {
 public:
  XmlDocument(XmlDocument&&) noexcept = default;
  XmlDocument& operator=(XmlDocument&&) noexcept = default;
  ~XmlDocument();

  Node root() const;

  /// Parses `bytes` safely. Errors (kInvalidInput, kTooLarge) carry the
  /// location "line L, column C" for syntax, or the element's path for depth.
  static Result<XmlDocument> parse(std::string_view bytes, const ParseLimits& limits = {});

 private:
  struct Free {
    void operator()(_xmlDoc* d) const;
  };
  explicit XmlDocument(_xmlDoc* d) : doc_(d) {}
  std::unique_ptr<_xmlDoc, Free> doc_;
};

}  // namespace raccordo::cda
