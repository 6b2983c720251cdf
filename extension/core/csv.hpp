// RFC 4180 CSV text: fields quoted only when they must be, rows ended by CRLF.
#pragma once
#include "core/no_postgres.hpp"

#include <initializer_list>
#include <string>
#include <string_view>

namespace costsim::csv {

// A field with a comma, a quote, a CR or an LF is quoted, its quotes doubled; others are written as they are.
void append_field(std::string& out, std::string_view field);
// A text field as PostgreSQL's COPY ... CSV writes it, so that it differs from NULL: the empty string is "".
void append_text_field(std::string& out, std::string_view field);
// A text field that may be SQL NULL (nullptr): NULL is an empty field, anything else as append_text_field.
void append_nullable_field(std::string& out, const std::string* field);
// The fields separated by commas, then CRLF.
void append_row(std::string& out, std::initializer_list<std::string_view> fields);

}  // namespace costsim::csv
