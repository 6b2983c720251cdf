#include "core/csv.hpp"

namespace costsim::csv {

namespace {

// The characters that make a field quoted, as a table (one load per byte, no branch per character class).
struct Specials {
    bool quoted[256] = {};
    constexpr Specials() { quoted[','] = quoted['"'] = quoted['\r'] = quoted['\n'] = true; }
};
constexpr Specials specials;

bool needs_quotes(std::string_view field) noexcept
{
    for (unsigned char c : field)
        if (specials.quoted[c]) return true;
    return false;
}

}  // namespace

void append_field(std::string& out, std::string_view field)
{
    if (!needs_quotes(field)) {
        out.append(field);
        return;
    }
    out.push_back('"');
    for (char c : field) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
}

void append_text_field(std::string& out, std::string_view field)
{
    if (field.empty())
        out.append("\"\"");
    else
        append_field(out, field);
}

void append_nullable_field(std::string& out, const std::string* field)
{
    if (field != nullptr) append_text_field(out, *field);
}

void append_row(std::string& out, std::initializer_list<std::string_view> fields)
{
    bool first = true;
    for (std::string_view field : fields) {
        if (!first) out.push_back(',');
        first = false;
        append_field(out, field);
    }
    out.append("\r\n");
}

}  // namespace costsim::csv
