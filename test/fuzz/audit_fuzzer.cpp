// libFuzzer target: the status_history path of extension/core (audit_chain, audit_export, signed_link, with json
// and hashing underneath). The bytes become a signed export link and 1..16 StatusChange rows (arbitrary byte
// strings for the text columns, so possibly invalid UTF-8; optional columns present or absent; metadata from a
// JSON text through json::parse, a row skipped when that text does not parse or is not an object; ids and
// timestamps from small to full int64, negative ones included). Then, aborting on any broken invariant:
//   - chain: rows linked seq 1..n from the genesis hash; row_hash is 64 lowercase hex, deterministic, and the
//     SHA-256 of prev_hash + the documented 13-member RFC 8785 document; ChainVerifier finds the chain intact
//     (rows() == n, head() == the last row_hash), then after one input-chosen tampering (a text byte, NULL vs
//     "", metadata, seq, id, created_at, a prev_hash or row_hash character, a dropped, swapped or duplicated row,
//     an edited row rehashed, a relinked row rehashed) not intact, with the documented first break (seq, id,
//     reason) -- or intact where docs/sql.md says a chain cannot see it (its newest rows dropped or rehashed);
//   - CSV export: the sink's bytes hash to sha256() and count bytes(); rows() == n; the documented header; an
//     RFC 4180 reader written here gets n records of 15 fields back, every text column byte for byte with NULL
//     (an unquoted empty field) apart from "" (the empty string), fields quoted only when they must be;
//     created_at parses back to the same microsecond;
//   - JSONL export: n lines, LF only at line ends, no raw control byte; each line is an object with the 15
//     members in the documented order, id and seq exact integers, the text members equal to the row's, metadata
//     its RFC 8785 form. Rows with invalid UTF-8 text are checked the same way after replacing every byte >=
//     0x80 by '?' on both sides (append_string requires UTF-8 and copies such bytes through; json::parse then
//     refuses the line -- see the report);
//   - signed links: 64 lowercase hex; valid up to and including expires_at, expired after, bad_signature for any
//     changed field, signature byte, case, length or key; an empty key is Error(internal).
// Input layout: flags, row count, 4 tampering bytes; then per row a presence byte (old_status, actor_id, reason,
// correlation_id present; bit 4 clear: the metadata text is wrapped in {}; bits 5-7: the timestamp range), the id
// (a class byte, then 1, 4 or 8 bytes), created_at_us, the text columns (a length byte, then the bytes), the
// metadata text (2 length bytes, at most 1023); then the link (key, export_id, format, tenant_id, expires_at).
// Error(invalid_input) is accepted only where documented: from json::canonical (so row_hash and
// HistoryExport::add) for metadata holding a number beyond the double range. ParseError from json::parse of the
// metadata text skips the row. Anything else escaping is a finding.
#include "core/audit_chain.hpp"
#include "core/audit_export.hpp"
#include "core/errors.hpp"
#include "core/hashing.hpp"
#include "core/json.hpp"
#include "core/signed_link.hpp"
#include "core/step_diff.hpp"
#include "core/utc_time.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace audit = costsim::audit;
namespace json = costsim::json;

[[noreturn]] void fail(const char* what, const std::string& detail)
{
    std::fprintf(stderr, "audit_fuzzer: invariant broken: %s%s%s\n", what, detail.empty() ? "" : " -- ",
                 detail.c_str());
    std::abort();
}
#define FUZZ_CHECK(condition, detail)                  \
    do {                                               \
        if (!(condition)) fail(#condition, (detail)); \
    } while (0)

constexpr std::int64_t two_53 = std::int64_t{1} << 53;

struct Reader {
    const std::uint8_t* data;
    std::size_t size, at = 0;
    bool more() const { return at < size; }
    std::uint8_t byte() { return at < size ? data[at++] : 0; }
    std::uint64_t bytes_le(int count)
    {
        std::uint64_t value = 0;
        for (int i = 0; i < count; ++i) value |= static_cast<std::uint64_t>(byte()) << (8 * i);
        return value;
    }
    std::string text(std::size_t length)
    {
        const std::size_t take = std::min(length, size - at);
        std::string out(reinterpret_cast<const char*>(data + at), take);
        at += take;
        return out;
    }
    std::string short_text() { return text(byte()); }
    // An integer of a class: small, int32, within +-2^53 (exact as a JSON number), or any int64.
    std::int64_t integer(unsigned cls)
    {
        switch (cls % 4) {
        case 0: return static_cast<std::int8_t>(byte());
        case 1: return static_cast<std::int32_t>(bytes_le(4));
        case 2: {
            const std::int64_t raw = static_cast<std::int64_t>(bytes_le(8));
            return raw % (two_53 + 1);
        }
        default: return static_cast<std::int64_t>(bytes_le(8));
        }
    }
};

std::string int_text(std::int64_t value)
{
    char text[24];
    return std::string(text, std::to_chars(text, text + sizeof text, value).ptr);
}

std::string hex_bytes(std::string_view s)
{
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

bool is_lower_hex64(const std::string& s)
{
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

// Well-formed UTF-8 (Unicode table 3-7: no overlongs, no surrogates, nothing above U+10FFFF).
bool valid_utf8(std::string_view s)
{
    std::size_t i = 0;
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    while (i < s.size()) {
        const unsigned char c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t length;
        unsigned char low = 0x80, high = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) length = 2;
        else if (c == 0xE0) length = 3, low = 0xA0;
        else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) length = 3;
        else if (c == 0xED) length = 3, high = 0x9F;
        else if (c == 0xF0) length = 4, low = 0x90;
        else if (c >= 0xF1 && c <= 0xF3) length = 4;
        else if (c == 0xF4) length = 4, high = 0x8F;
        else return false;
        if (s.size() - i < length) return false;
        if (p[i + 1] < low || p[i + 1] > high) return false;
        for (std::size_t k = 2; k < length; ++k)
            if ((p[i + k] & 0xC0) != 0x80) return false;
        i += length;
    }
    return true;
}

std::string sanitize(std::string_view s)  // every byte >= 0x80 -> '?'
{
    std::string out(s);
    for (char& c : out)
        if (static_cast<unsigned char>(c) >= 0x80) c = '?';
    return out;
}

bool has_nonfinite(const json::Value& v)
{
    switch (v.kind()) {
    case json::Kind::number: return !std::isfinite(v.as_number());
    case json::Kind::array:
        for (const json::Value& e : v.as_array())
            if (has_nonfinite(e)) return true;
        return false;
    case json::Kind::object:
        for (const json::Member& m : v.as_object())
            if (has_nonfinite(m.second)) return true;
        return false;
    default: return false;
    }
}

// UTF-16 code units of valid UTF-8 (json::parse has checked it).
std::u16string utf16(std::string_view s)
{
    std::u16string out;
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    for (std::size_t i = 0; i < s.size();) {
        std::uint32_t cp;
        if (p[i] < 0x80) cp = p[i], i += 1;
        else if (p[i] < 0xE0) cp = (p[i] & 0x1Fu) << 6 | (p[i + 1] & 0x3Fu), i += 2;
        else if (p[i] < 0xF0) cp = (p[i] & 0x0Fu) << 12 | (p[i + 1] & 0x3Fu) << 6 | (p[i + 2] & 0x3Fu), i += 3;
        else
            cp = (p[i] & 0x07u) << 18 | (p[i + 1] & 0x3Fu) << 12 | (p[i + 2] & 0x3Fu) << 6 | (p[i + 3] & 0x3Fu), i += 4;
        if (cp < 0x10000) {
            out.push_back(static_cast<char16_t>(cp));
        } else {
            out.push_back(static_cast<char16_t>(0xD800 + ((cp - 0x10000) >> 10)));
            out.push_back(static_cast<char16_t>(0xDC00 + ((cp - 0x10000) & 0x3FF)));
        }
    }
    return out;
}

// RFC 8785 member order: every object's keys strictly increasing in UTF-16 code units (the value as parsed from
// a canonical text keeps the text's order).
bool keys_sorted(const json::Value& v)
{
    if (v.is_array()) {
        for (const json::Value& e : v.as_array())
            if (!keys_sorted(e)) return false;
    } else if (v.is_object()) {
        const json::Object& members = v.as_object();
        for (std::size_t i = 0; i < members.size(); ++i) {
            if (i > 0 && !(utf16(members[i - 1].first) < utf16(members[i].first))) return false;
            if (!keys_sorted(members[i].second)) return false;
        }
    }
    return true;
}

// ---------------------------------------------------------------------------------------------------------
// Rows

// The text columns, in file order, with whether they may be NULL.
constexpr int text_columns = 9;
const char* const text_names[text_columns] = {"tenant_id",  "entity_type", "entity_id", "old_status",    "new_status",
                                              "actor_type", "actor_id",    "reason",    "correlation_id"};

struct TextRef {
    std::string* text;                 // non-null columns
    std::optional<std::string>* maybe;  // nullable columns
};
TextRef text_column(audit::StatusChange& row, int column)
{
    switch (column) {
    case 0: return {&row.tenant_id, nullptr};
    case 1: return {&row.entity_type, nullptr};
    case 2: return {&row.entity_id, nullptr};
    case 3: return {nullptr, &row.old_status};
    case 4: return {&row.new_status, nullptr};
    case 5: return {&row.actor_type, nullptr};
    case 6: return {nullptr, &row.actor_id};
    case 7: return {nullptr, &row.reason};
    default: return {nullptr, &row.correlation_id};
    }
}
std::optional<std::string> column_value(const audit::StatusChange& row, int column)
{
    switch (column) {
    case 0: return row.tenant_id;
    case 1: return row.entity_type;
    case 2: return row.entity_id;
    case 3: return row.old_status;
    case 4: return row.new_status;
    case 5: return row.actor_type;
    case 6: return row.actor_id;
    case 7: return row.reason;
    default: return row.correlation_id;
    }
}

bool row_is_utf8(const audit::StatusChange& row)
{
    for (int c = 0; c < text_columns; ++c) {
        const std::optional<std::string> v = column_value(row, c);
        if (v && !valid_utf8(*v)) return false;
    }
    return true;
}

std::int64_t timestamp(Reader& in, unsigned cls)
{
    switch (cls % 8) {
    case 0:
    case 1: return 1700000000000000LL + static_cast<std::int32_t>(in.bytes_le(4));  // around now
    case 2:
    case 3: {  // within ~4.5 years of the epoch, half of them before it
        const std::uint64_t raw = in.bytes_le(6);
        return static_cast<std::int64_t>(raw) - (std::int64_t{1} << 47);
    }
    case 4:
    case 5: return static_cast<std::int64_t>(in.bytes_le(8)) % (two_53 + 1);  // 1685..2255
    case 6: {  // PostgreSQL's timestamptz range from 4714-11-24 BC (its end, 294276 AD, is beyond int64 here)
        constexpr std::int64_t lo = -212760172800000000LL, hi = std::numeric_limits<std::int64_t>::max();
        const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
        return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + in.bytes_le(8) % span);
    }
    default: return static_cast<std::int64_t>(in.bytes_le(8));
    }
}

// ---------------------------------------------------------------------------------------------------------
// Independent oracles

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
__int128 days_from_civil(__int128 y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const __int128 era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<__int128>(doe) - 719468;
}

bool leap(__int128 y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// "[-]Y...-MM-DDTHH:MM:SS.ffffffZ" back to microseconds; nullopt when malformed. Strict four-digit year when
// `strict` (the ISO 8601 basic range 0000..9999).
std::optional<__int128> parse_timestamp(const std::string& t, bool strict)
{
    std::size_t i = 0;
    bool negative = false;
    if (!strict && i < t.size() && t[i] == '-') negative = true, ++i;
    __int128 year = 0;
    const std::size_t year_start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') year = year * 10 + (t[i++] - '0');
    if (i - year_start < (strict ? 4 : 1) || (strict && i - year_start != 4)) return std::nullopt;
    if (negative) year = -year;
    auto number = [&](char before, int digits, unsigned& out) {
        if (i >= t.size() || t[i] != before) return false;
        ++i;
        out = 0;
        for (int k = 0; k < digits; ++k, ++i) {
            if (i >= t.size() || t[i] < '0' || t[i] > '9') return false;
            out = out * 10 + static_cast<unsigned>(t[i] - '0');
        }
        return true;
    };
    unsigned month, day, hour, minute, second, micro;
    if (!number('-', 2, month) || !number('-', 2, day) || !number('T', 2, hour) || !number(':', 2, minute) ||
        !number(':', 2, second) || !number('.', 6, micro))
        return std::nullopt;
    if (i + 1 != t.size() || t[i] != 'Z') return std::nullopt;
    static const unsigned month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1) return std::nullopt;
    if (day > month_days[month - 1] + (month == 2 && leap(year) ? 1 : 0)) return std::nullopt;
    if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
    const __int128 seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
    return seconds * 1000000 + micro;
}

// The RFC 8785 text of the documented 13-member row document, written out member by member here.
std::string expected_document(const audit::StatusChange& row)
{
    std::string out = "{";
    auto key = [&out](const char* name) {
        if (out.size() > 1) out.push_back(',');
        json::append_string(out, name);
        out.push_back(':');
    };
    auto text = [&](const char* name, const std::string& value) {
        key(name);
        json::append_string(out, value);
    };
    auto nullable = [&](const char* name, const std::optional<std::string>& value) {
        key(name);
        if (value)
            json::append_string(out, *value);
        else
            out.append("null");
    };
    auto number = [&](const char* name, std::int64_t value) {
        key(name);
        out.append(json::format_number(static_cast<double>(value)));
    };
    nullable("actor_id", row.actor_id);
    text("actor_type", row.actor_type);
    nullable("correlation_id", row.correlation_id);
    number("created_at_us", row.created_at_us);
    text("entity_id", row.entity_id);
    text("entity_type", row.entity_type);
    number("id", row.id);
    key("metadata");
    out.append(json::canonical(row.metadata));
    text("new_status", row.new_status);
    nullable("old_status", row.old_status);
    nullable("reason", row.reason);
    number("seq", row.seq);
    text("tenant_id", row.tenant_id);
    out.push_back('}');
    return out;
}

// RFC 4180, strictly: fields quoted or not; inside quotes "" is a quote; outside, no quote, CR or LF; every
// record ends with CRLF (so does the file).
struct CsvField {
    std::string value;
    bool quoted = false;
};
using CsvRecord = std::vector<CsvField>;

bool parse_csv(std::string_view text, std::vector<CsvRecord>& records, std::string& error)
{
    std::size_t pos = 0;
    const std::size_t n = text.size();
    while (pos < n) {
        CsvRecord record;
        for (;;) {
            CsvField field;
            if (pos < n && text[pos] == '"') {
                field.quoted = true;
                ++pos;
                for (;;) {
                    if (pos >= n) {
                        error = "unterminated quoted field at " + std::to_string(pos);
                        return false;
                    }
                    if (text[pos] == '"') {
                        if (pos + 1 < n && text[pos + 1] == '"') {
                            field.value.push_back('"');
                            pos += 2;
                            continue;
                        }
                        ++pos;
                        break;
                    }
                    field.value.push_back(text[pos++]);
                }
            } else {
                while (pos < n && text[pos] != ',' && text[pos] != '\r') {
                    if (text[pos] == '"' || text[pos] == '\n') {
                        error = "quote or LF in an unquoted field at " + std::to_string(pos);
                        return false;
                    }
                    field.value.push_back(text[pos++]);
                }
            }
            record.push_back(std::move(field));
            if (pos < n && text[pos] == ',') {
                ++pos;
                continue;
            }
            if (pos + 1 < n && text[pos] == '\r' && text[pos + 1] == '\n') {
                pos += 2;
                break;
            }
            error = "expected ',' or CRLF after a field at " + std::to_string(pos);
            return false;
        }
        records.push_back(std::move(record));
    }
    return true;
}

bool needs_quotes(std::string_view s)
{
    return s.empty() || s.find_first_of(",\"\r\n") != std::string_view::npos;
}

const char* const columns[15] = {"id",         "seq",        "tenant_id", "entity_type", "entity_id",
                                 "old_status", "new_status", "actor_type", "actor_id",   "reason",
                                 "correlation_id", "metadata", "created_at", "prev_hash", "row_hash"};

// ---------------------------------------------------------------------------------------------------------
// The checks

struct Chained {
    audit::StatusChange row;
    std::string prev_hash, row_hash;
};

std::string export_file(audit::HistoryFormat format, const std::vector<Chained>& chain, std::size_t& chunks,
                        std::int64_t& rows, std::uint64_t& bytes, std::string& sha256)
{
    std::string out;
    chunks = 0;
    audit::HistoryExport exporter(format, [&](const char* data, std::size_t size) {
        FUZZ_CHECK(size > 0, "empty sink call");
        out.append(data, size);
        ++chunks;
    });
    for (const Chained& c : chain) exporter.add(c.row, c.prev_hash, c.row_hash);
    exporter.finish();
    rows = exporter.rows();
    bytes = exporter.bytes();
    sha256 = exporter.sha256();
    return out;
}

void check_file_facts(const char* what, const std::string& file, std::int64_t rows, std::uint64_t bytes,
                      const std::string& sha256, std::size_t n)
{
    FUZZ_CHECK(rows == static_cast<std::int64_t>(n), what);
    FUZZ_CHECK(bytes == file.size(), what);
    FUZZ_CHECK(is_lower_hex64(sha256), what);
    FUZZ_CHECK(sha256 == costsim::sha256_hex(file), what);
}

void check_timestamp(const std::string& text, std::int64_t us)
{
    // 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z in microseconds.
    const bool four_digit_year = us >= -62167219200000000LL && us < 253402300800000000LL;
    if (four_digit_year) FUZZ_CHECK(text.size() == 27, text);
    const std::optional<__int128> back = parse_timestamp(text, four_digit_year);
    FUZZ_CHECK(back.has_value(), text + " for " + int_text(us));
    FUZZ_CHECK(*back == us, text + " for " + int_text(us));
}

void check_csv(const std::vector<Chained>& chain)
{
    std::size_t chunks;
    std::int64_t rows;
    std::uint64_t bytes;
    std::string sha256;
    const std::string file = export_file(audit::HistoryFormat::csv, chain, chunks, rows, bytes, sha256);
    check_file_facts("csv", file, rows, bytes, sha256, chain.size());
    const std::string header =
        "id,seq,tenant_id,entity_type,entity_id,old_status,new_status,actor_type,actor_id,reason,correlation_id,"
        "metadata,created_at,prev_hash,row_hash\r\n";
    FUZZ_CHECK(file.compare(0, header.size(), header) == 0, "csv header");

    std::vector<CsvRecord> records;
    std::string error;
    FUZZ_CHECK(parse_csv(file, records, error), error);
    FUZZ_CHECK(records.size() == chain.size() + 1, "csv record count " + std::to_string(records.size()));
    for (std::size_t f = 0; f < 15; ++f)
        FUZZ_CHECK(!records[0][f].quoted && records[0][f].value == columns[f], "csv header field");
    for (std::size_t r = 0; r < chain.size(); ++r) {
        const CsvRecord& rec = records[r + 1];
        const Chained& c = chain[r];
        const std::string where = "csv row " + std::to_string(r);
        FUZZ_CHECK(rec.size() == 15, where + ": " + std::to_string(rec.size()) + " fields");
        auto plain = [&](std::size_t f, const std::string& expected) {
            FUZZ_CHECK(rec[f].value == expected, where + " " + columns[f] + ": " + hex_bytes(rec[f].value));
            FUZZ_CHECK(rec[f].quoted == needs_quotes(expected), where + " " + columns[f] + " quoting");
        };
        plain(0, int_text(c.row.id));
        plain(1, int_text(c.row.seq));
        for (int t = 0; t < text_columns; ++t) {
            const std::size_t f = 2 + static_cast<std::size_t>(t);
            const std::optional<std::string> v = column_value(c.row, t);
            if (v) {
                plain(f, *v);  // the empty string comes back as "" (quoted), not as NULL
            } else {
                FUZZ_CHECK(!rec[f].quoted && rec[f].value.empty(),
                           where + " " + columns[f] + " NULL: " + hex_bytes(rec[f].value));
            }
        }
        plain(11, json::canonical(c.row.metadata));
        plain(12, costsim::utc_timestamp(c.row.created_at_us));
        check_timestamp(rec[12].value, c.row.created_at_us);
        plain(13, c.prev_hash);
        plain(14, c.row_hash);
        // metadata's RFC 8785 text is a fixed point of parse + canonical, and dump keeps that order.
        const json::Value back = json::parse(rec[11].value);
        FUZZ_CHECK(back.is_object(), where);
        FUZZ_CHECK(keys_sorted(back), where + " metadata keys not in UTF-16 order: " + rec[11].value);
        FUZZ_CHECK(json::canonical(back) == rec[11].value, where + " metadata canonical twice");
        FUZZ_CHECK(json::dump(back) == rec[11].value, where + " metadata dump of canonical");
    }

    // Sha256Stream over the same bytes in pieces gives the same digest.
    costsim::Sha256Stream stream;
    for (std::size_t at = 0, step = 1; at < file.size(); at += step, step = step * 3 + 1)
        stream.update(std::string_view(file).substr(at, step));
    FUZZ_CHECK(stream.finish() == sha256, "Sha256Stream in pieces");
}

void check_jsonl(const std::vector<Chained>& chain)
{
    std::size_t chunks;
    std::int64_t rows;
    std::uint64_t bytes;
    std::string sha256;
    const std::string file = export_file(audit::HistoryFormat::jsonl, chain, chunks, rows, bytes, sha256);
    check_file_facts("jsonl", file, rows, bytes, sha256, chain.size());
    FUZZ_CHECK(file.empty() || file.back() == '\n', "jsonl ends with LF");
    std::size_t lf = 0;
    for (char ch : file) {
        FUZZ_CHECK(static_cast<unsigned char>(ch) >= 0x20 || ch == '\n', "raw control byte in jsonl");
        lf += ch == '\n';
    }
    FUZZ_CHECK(lf == chain.size(), "jsonl line count");

    std::size_t start = 0;
    for (std::size_t r = 0; r < chain.size(); ++r) {
        const std::size_t end = file.find('\n', start);
        const std::string line = file.substr(start, end - start);
        start = end + 1;
        const Chained& c = chain[r];
        const std::string where = "jsonl row " + std::to_string(r);
        // id and seq as exact integers, whatever their size.
        const std::string prefix = "{\"id\":" + int_text(c.row.id) + ",\"seq\":" + int_text(c.row.seq) + ",";
        FUZZ_CHECK(line.compare(0, prefix.size(), prefix) == 0, where + " id/seq text");

        const bool utf8 = row_is_utf8(c.row);
        auto same = [utf8](const std::string& s) { return utf8 ? s : sanitize(s); };
        json::Value object;
        try {
            object = json::parse(same(line));
        } catch (const json::ParseError& e) {
            fail("a JSONL line does not parse", where + ": " + e.what() + (utf8 ? "" : " (sanitized)"));
        }
        FUZZ_CHECK(object.is_object(), where);
        const json::Object& members = object.as_object();
        FUZZ_CHECK(members.size() == 15, where + " member count");  // also: no duplicated member
        for (std::size_t f = 0; f < 15; ++f) FUZZ_CHECK(members[f].first == columns[f], where + " member order");
        FUZZ_CHECK(members[0].second.is_number() && members[0].second.as_number() == static_cast<double>(c.row.id),
                   where + " id");
        FUZZ_CHECK(members[1].second.is_number() && members[1].second.as_number() == static_cast<double>(c.row.seq),
                   where + " seq");
        for (int t = 0; t < text_columns; ++t) {
            const json::Value& v = members[2 + static_cast<std::size_t>(t)].second;
            const std::optional<std::string> expected = column_value(c.row, t);
            if (expected)
                FUZZ_CHECK(v.is_string() && v.as_string() == same(*expected), where + " " + text_names[t]);
            else
                FUZZ_CHECK(v.is_null(), where + " " + text_names[t] + " null");
        }
        const json::Value& metadata = members[11].second;
        FUZZ_CHECK(metadata.is_object(), where + " metadata object");
        FUZZ_CHECK(json::dump(metadata) == same(json::canonical(c.row.metadata)), where + " metadata RFC 8785");
        if (utf8) FUZZ_CHECK(json::canonical(metadata) == json::canonical(c.row.metadata), where + " metadata");
        FUZZ_CHECK(members[12].second.is_string() &&
                       members[12].second.as_string() == costsim::utc_timestamp(c.row.created_at_us),
                   where + " created_at");
        FUZZ_CHECK(members[13].second.is_string() && members[13].second.as_string() == c.prev_hash, where);
        FUZZ_CHECK(members[14].second.is_string() && members[14].second.as_string() == c.row_hash, where);
    }
}

void check_empty_exports()
{
    std::size_t chunks;
    std::int64_t rows;
    std::uint64_t bytes;
    std::string sha256;
    const std::vector<Chained> none;
    const std::string csv = export_file(audit::HistoryFormat::csv, none, chunks, rows, bytes, sha256);
    check_file_facts("empty csv", csv, rows, bytes, sha256, 0);
    FUZZ_CHECK(csv ==
                   "id,seq,tenant_id,entity_type,entity_id,old_status,new_status,actor_type,actor_id,reason,"
                   "correlation_id,metadata,created_at,prev_hash,row_hash\r\n",
               "empty csv is the header");
    const std::string jsonl = export_file(audit::HistoryFormat::jsonl, none, chunks, rows, bytes, sha256);
    check_file_facts("empty jsonl", jsonl, rows, bytes, sha256, 0);
    FUZZ_CHECK(jsonl.empty() && chunks == 0, "empty jsonl");
}

struct Expect {
    bool intact = false;
    std::int64_t seq = 0, id = 0, rows = 0;
    const char* reason = "";
    std::string head;
};

void verify(const std::vector<Chained>& chain, const Expect& expect, const std::string& what)
{
    audit::ChainVerifier verifier;
    FUZZ_CHECK(verifier.intact() && verifier.rows() == 0 && verifier.head() == audit::genesis_hash(), what);
    for (const Chained& c : chain) verifier.add(c.row, c.prev_hash, c.row_hash);
    FUZZ_CHECK(verifier.rows() == expect.rows, what + ": rows " + int_text(verifier.rows()));
    FUZZ_CHECK(verifier.head() == expect.head, what + ": head");
    if (expect.intact) {
        FUZZ_CHECK(verifier.intact(), what + ": not intact, " +
                                          (verifier.first_break() ? verifier.first_break()->reason : std::string()) +
                                          " at seq " + int_text(verifier.first_break()->seq));
        return;
    }
    FUZZ_CHECK(!verifier.intact(), what + ": still intact");
    const audit::ChainBreak& b = *verifier.first_break();
    const std::string found = what + ": break at seq " + int_text(b.seq) + " id " + int_text(b.id) + " (" +
                              b.reason + "), expected seq " + int_text(expect.seq) + " id " + int_text(expect.id) +
                              " (" + expect.reason + ")";
    FUZZ_CHECK(b.seq == expect.seq && b.id == expect.id && b.reason == expect.reason, found);
}

std::string rehash(const std::string& prev, const audit::StatusChange& row) { return audit::row_hash(prev, row); }

// Changes a text column so that its document surely changes: a byte (XOR with a non-zero value) of a non-empty
// text, a byte appended to an empty one, "" for a NULL.
void mutate_text(audit::StatusChange& row, int column, std::size_t at, std::uint8_t value)
{
    const TextRef ref = text_column(row, column);
    std::string* text = ref.text;
    if (ref.maybe != nullptr) {
        if (!ref.maybe->has_value()) {
            *ref.maybe = std::string();
            return;
        }
        text = &**ref.maybe;
    }
    if (text->empty()) {
        text->push_back(static_cast<char>(value));
        return;
    }
    (*text)[at % text->size()] ^= static_cast<char>(1 + value % 255);
}

void mutate_metadata(audit::StatusChange& row, bool wrap)
{
    json::Object& members = row.metadata.as_object();
    if (wrap && !members.empty()) {
        members[0].second = json::Value(json::Array{members[0].second});
        return;
    }
    std::string key = "~fuzz";
    while (row.metadata.find(key) != nullptr) key.push_back('~');
    row.metadata.set(key, json::Value(true));
}

void check_chain(const std::vector<Chained>& chain, Reader& plan)
{
    const std::int64_t n = static_cast<std::int64_t>(chain.size());
    Expect intact;
    intact.intact = true;
    intact.rows = n;
    intact.head = chain.back().row_hash;
    verify(chain, intact, "untampered chain");

    const std::uint8_t kind = plan.byte();
    const std::size_t k = plan.byte() % chain.size();  // the row tampered with (0-based)
    const std::uint8_t selector = plan.byte(), value = plan.byte();
    const std::int64_t seq = static_cast<std::int64_t>(k) + 1;
    std::vector<Chained> t = chain;
    Expect e;
    e.rows = n;
    e.head = chain.back().row_hash;
    e.seq = seq;
    e.id = chain[k].row.id;
    std::string what;
    switch (kind % 14) {
    case 0:
        what = "text byte of " + std::string(text_names[selector % text_columns]);
        mutate_text(t[k].row, selector % text_columns, value * 131u + selector, value);
        e.reason = "row_hash mismatch";
        break;
    case 1: {  // NULL <-> "" (or any text -> NULL)
        const int column = std::vector<int>{3, 6, 7, 8}[selector % 4];
        std::optional<std::string>& v = *text_column(t[k].row, column).maybe;
        what = std::string("NULL vs text in ") + text_names[column];
        v = v.has_value() ? std::optional<std::string>() : std::optional<std::string>(std::string());
        e.reason = "row_hash mismatch";
        break;
    }
    case 2:
        what = "metadata";
        mutate_metadata(t[k].row, (selector & 1) != 0);
        e.reason = "row_hash mismatch";
        break;
    case 3: {
        what = "seq";
        const std::int64_t delta = static_cast<std::int8_t>(value) == 0 ? 1 : static_cast<std::int8_t>(value);
        t[k].row.seq += delta;
        e.reason = "sequence gap";
        break;
    }
    case 4: {
        what = "prev_hash character";
        static const char alphabet[] = "0123456789abcdefABCDEF";
        char& ch = t[k].prev_hash[selector % 64];
        char replacement = alphabet[value % 22];
        if (replacement == ch) replacement = alphabet[(value + 1) % 22];
        ch = replacement;
        e.reason = "prev_hash mismatch";
        break;
    }
    case 5: {
        what = "row_hash character";
        static const char alphabet[] = "0123456789abcdefABCDEF";
        char& ch = t[k].row_hash[selector % 64];
        char replacement = alphabet[value % 22];
        if (replacement == ch) replacement = alphabet[(value + 1) % 22];
        ch = replacement;
        e.reason = "row_hash mismatch";
        if (k + 1 == chain.size()) e.head = t[k].row_hash;  // the head is the stored hash, tampered or not
        break;
    }
    case 6:  // a row dropped: a gap where it was, or (the newest row) a valid shorter chain
        what = "row dropped";
        t.erase(t.begin() + static_cast<std::ptrdiff_t>(k));
        e.rows = n - 1;
        if (k + 1 == chain.size()) {
            e.intact = true;
            e.head = k == 0 ? audit::genesis_hash() : chain[k - 1].row_hash;
        } else {
            e.reason = "sequence gap";
            e.id = chain[k + 1].row.id;
        }
        break;
    case 7: {
        what = "id";
        const std::int64_t old = t[k].row.id;
        if (old < -two_53 + 300 || old > two_53 - 300) return;  // only where a JSON number tells ids apart
        t[k].row.id = old + (static_cast<std::int8_t>(value) == 0 ? 1 : static_cast<std::int8_t>(value));
        e.id = t[k].row.id;  // the id of the row found there
        e.reason = "row_hash mismatch";
        break;
    }
    case 8: {
        what = "created_at_us";
        const std::int64_t old = t[k].row.created_at_us;
        if (old < -two_53 + 300 || old > two_53 - 300) return;
        t[k].row.created_at_us = old + (static_cast<std::int8_t>(value) == 0 ? 1 : static_cast<std::int8_t>(value));
        e.reason = "row_hash mismatch";
        break;
    }
    case 9:  // two rows swapped: a gap at the first
        if (k + 1 == chain.size()) return;
        what = "rows swapped";
        std::swap(t[k], t[k + 1]);
        e.reason = "sequence gap";
        e.id = chain[k + 1].row.id;
        e.head = t.back().row_hash;
        break;
    case 10:  // a row duplicated: a gap at the copy
        what = "row duplicated";
        t.insert(t.begin() + static_cast<std::ptrdiff_t>(k) + 1, chain[k]);
        e.rows = n + 1;
        e.seq = seq + 1;
        e.reason = "sequence gap";
        e.head = t.back().row_hash;
        break;
    case 11:  // a row edited and its row_hash recomputed: the next row's link breaks; the newest row: invisible
        what = "row edited and rehashed";
        mutate_text(t[k].row, selector % text_columns, value, value);
        t[k].row_hash = rehash(t[k].prev_hash, t[k].row);
        FUZZ_CHECK(t[k].row_hash != chain[k].row_hash, what);
        if (k + 1 == chain.size()) {
            e.intact = true;
            e.head = t[k].row_hash;  // only an external anchor of the old head tells
        } else {
            e.seq = seq + 1;
            e.id = chain[k + 1].row.id;
            e.reason = "prev_hash mismatch";
        }
        break;
    case 12:  // prev_hash rewritten and row_hash recomputed to match: still a prev_hash mismatch at that row
        what = "prev_hash rewritten, row rehashed";
        t[k].prev_hash[selector % 64] = t[k].prev_hash[selector % 64] == 'f' ? 'e' : 'f';
        t[k].row_hash = rehash(t[k].prev_hash, t[k].row);
        e.reason = "prev_hash mismatch";
        if (k + 1 == chain.size()) e.head = t[k].row_hash;
        break;
    default:  // a whole chain rebuilt after an edit (a valid chain of other rows): intact, another head
        what = "chain rebuilt after an edit";
        mutate_text(t[k].row, selector % text_columns, value, value);
        for (std::size_t i = k; i < t.size(); ++i) {
            t[i].prev_hash = i == 0 ? audit::genesis_hash() : t[i - 1].row_hash;
            t[i].row_hash = rehash(t[i].prev_hash, t[i].row);
        }
        e.intact = true;
        e.head = t.back().row_hash;
        FUZZ_CHECK(e.head != chain.back().row_hash, what + ": same head");
        break;
    }
    verify(t, e, what + " at row " + std::to_string(k));
}

void check_link(Reader& in)
{
    std::string secret = in.short_text();
    costsim::ExportLink link;
    link.export_id = in.short_text();
    link.format = (in.byte() & 1) ? in.short_text() : std::string((in.byte() & 1) ? "csv" : "jsonl");
    link.tenant_id = in.short_text();
    const std::uint8_t cls = in.byte();
    link.expires_at =
        (cls & 4) ? in.integer(cls) : std::int64_t{1700000000} + static_cast<std::int32_t>(in.bytes_le(4));
    const std::uint8_t selector = in.byte(), value = in.byte();

    // The format name: exactly "csv" or "jsonl", else Error(invalid_input).
    try {
        const audit::HistoryFormat f = audit::history_format(link.format);
        FUZZ_CHECK(link.format == audit::to_string(f), link.format);
    } catch (const costsim::Error& error) {
        FUZZ_CHECK(error.kind() == costsim::ErrorKind::invalid_input && link.format != "csv" && link.format != "jsonl",
                   error.what());
    }

    if (secret.empty()) {
        auto refused = [](auto&& call) {
            try {
                call();
            } catch (const costsim::Error& error) {
                return error.kind() == costsim::ErrorKind::internal;
            }
            return false;
        };
        FUZZ_CHECK(refused([&] { costsim::sign_link(link, secret); }), "empty secret signs");
        FUZZ_CHECK(refused([&] { costsim::check_link(link, std::string(64, '0'), secret, 0); }),
                   "empty secret checks");
        secret = "k";
    }
    const std::string sig = costsim::sign_link(link, secret);
    FUZZ_CHECK(is_lower_hex64(sig), sig);
    FUZZ_CHECK(costsim::sign_link(link, secret) == sig, "sign_link deterministic");
    FUZZ_CHECK(sig == costsim::hmac_sha256_hex(secret, costsim::link_message(link)), "sign_link is HMAC of message");
    // The message: {"expires_at":n,"export_id":"...","format":"...","tenant_id":"..."} in RFC 8785 form.
    std::string message = "{\"expires_at\":" + json::format_number(static_cast<double>(link.expires_at)) +
                          ",\"export_id\":";
    json::append_string(message, link.export_id);
    message += ",\"format\":";
    json::append_string(message, link.format);
    message += ",\"tenant_id\":";
    json::append_string(message, link.tenant_id);
    message += "}";
    FUZZ_CHECK(costsim::link_message(link) == message, costsim::link_message(link));

    using costsim::LinkCheck;
    const std::int64_t x = link.expires_at;
    const std::int64_t max = std::numeric_limits<std::int64_t>::max(), min = std::numeric_limits<std::int64_t>::min();
    const std::int64_t offset = static_cast<std::int64_t>(value) * 977 + selector;
    FUZZ_CHECK(costsim::check_link(link, sig, secret, x) == LinkCheck::valid, "valid at the expiry second");
    FUZZ_CHECK(costsim::check_link(link, sig, secret, x < min + offset ? min : x - offset) == LinkCheck::valid,
               "valid before expiry");
    FUZZ_CHECK(costsim::check_link(link, sig, secret, min) == LinkCheck::valid, "valid at INT64_MIN");
    if (x < max) {
        FUZZ_CHECK(costsim::check_link(link, sig, secret, x + 1) == LinkCheck::expired, "expired a second after");
        FUZZ_CHECK(costsim::check_link(link, sig, secret, x > max - (offset + 1) ? max : x + offset + 1) ==
                       LinkCheck::expired,
                   "expired after");
        FUZZ_CHECK(costsim::check_link(link, sig, secret, max) == LinkCheck::expired, "expired at INT64_MAX");
    }

    // Any changed signature byte, its case, its length: bad_signature, also when the link is expired.
    const std::int64_t now = (selector & 1) && x < max ? x + 1 : x;
    std::string bad = sig;
    bad[selector % 64] ^= static_cast<char>(1 + value % 127);
    FUZZ_CHECK(costsim::check_link(link, bad, secret, now) == LinkCheck::bad_signature, "changed signature byte");
    std::string upper = sig;
    bool has_letter = false;
    for (char& c : upper)
        if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A'), has_letter = true;
    if (has_letter)
        FUZZ_CHECK(costsim::check_link(link, upper, secret, now) == LinkCheck::bad_signature, "upper-case signature");
    FUZZ_CHECK(costsim::check_link(link, sig.substr(0, 63), secret, now) == LinkCheck::bad_signature, "short");
    FUZZ_CHECK(costsim::check_link(link, sig + sig[0], secret, now) == LinkCheck::bad_signature, "long");
    FUZZ_CHECK(costsim::check_link(link, "", secret, now) == LinkCheck::bad_signature, "empty signature");
    // Another key (a changed byte; appending zero bytes would be the same HMAC key, RFC 2104 pads with zeros).
    std::string other_key = secret;
    other_key[value % other_key.size()] ^= static_cast<char>(1 + selector % 255);
    FUZZ_CHECK(costsim::check_link(link, sig, other_key, now) == LinkCheck::bad_signature, "other key");

    // Any changed field.
    auto changed = [&](costsim::ExportLink other, const char* what) {
        FUZZ_CHECK(costsim::check_link(other, sig, secret, now) == LinkCheck::bad_signature, what);
        FUZZ_CHECK(costsim::sign_link(other, secret) != sig, what);
    };
    auto edit = [&](std::string text) {
        if (text.empty()) return std::string(1, static_cast<char>(value));
        text[selector % text.size()] ^= static_cast<char>(1 + value % 255);
        return text;
    };
    costsim::ExportLink other = link;
    other.export_id = edit(link.export_id);
    changed(other, "export_id changed");
    other = link;
    other.format = edit(link.format);
    changed(other, "format changed");
    other = link;
    other.tenant_id = edit(link.tenant_id);
    changed(other, "tenant_id changed");
    other = link;
    other.tenant_id = link.tenant_id + link.export_id.substr(0, 1);  // moved between fields
    other.export_id = link.export_id.substr(link.export_id.empty() ? 0 : 1);
    if (other.tenant_id != link.tenant_id) changed(other, "text moved between fields");
    if (x > -two_53 + 300 && x < two_53 - 300) {  // expires_at is a JSON number: exact within +-2^53
        other = link;
        other.expires_at = x + (static_cast<std::int8_t>(value) == 0 ? 1 : static_cast<std::int8_t>(value));
        changed(other, "expires_at changed");
    }
}

void run(const std::uint8_t* data, std::size_t size)
{
    Reader in{data, size};
    const std::uint8_t flags = in.byte();
    const std::size_t wanted = 1 + (in.byte() % 16);
    Reader plan{data + in.at, std::min<std::size_t>(4, size - in.at)};  // the tampering, read after the rows
    in.at += plan.size;

    std::vector<Chained> chain;
    int big = (flags & 0x3F) == 0x2B ? 1 : 0;  // one long reason: the exports flush more than once
    while (in.more() && chain.size() < wanted) {
        const std::uint8_t presence = in.byte();
        audit::StatusChange row;
        row.id = in.integer(in.byte());
        row.created_at_us = timestamp(in, presence >> 5);
        row.tenant_id = in.short_text();
        row.entity_type = in.short_text();
        row.entity_id = in.short_text();
        if (presence & 1) row.old_status = in.short_text();
        row.new_status = in.short_text();
        row.actor_type = in.short_text();
        if (presence & 2) row.actor_id = in.short_text();
        if (presence & 4) row.reason = in.short_text();
        if (presence & 8) row.correlation_id = in.short_text();
        const std::size_t metadata_length = in.bytes_le(2) & 0x3FF;
        std::string metadata_text = in.text(metadata_length);
        if (!(presence & 16)) metadata_text = "{" + metadata_text + "}";  // zero bytes make "{}"
        if (big > 0 && row.reason && !row.reason->empty()) {
            --big;
            const std::string unit = *row.reason;
            while (row.reason->size() < 270000) row.reason->append(unit);
        }
        try {
            row.metadata = json::parse(metadata_text);
        } catch (const json::ParseError&) {
            continue;  // not JSON: not a row
        }
        if (!row.metadata.is_object()) continue;
        row.seq = static_cast<std::int64_t>(chain.size()) + 1;

        const std::string prev = chain.empty() ? audit::genesis_hash() : chain.back().row_hash;
        if (has_nonfinite(row.metadata)) {
            // A number beyond the double range parses as an infinity; json::canonical refuses it with
            // Error(invalid_input) and so does everything that hashes or exports the row.
            auto refused = [](auto&& call) {
                try {
                    call();
                } catch (const costsim::Error& error) {
                    return error.kind() == costsim::ErrorKind::invalid_input;
                }
                return false;
            };
            FUZZ_CHECK(refused([&] { audit::row_hash(prev, row); }), "row_hash of a non-finite metadata number");
            audit::HistoryExport exporter(audit::HistoryFormat::jsonl, [](const char*, std::size_t) {});
            FUZZ_CHECK(refused([&] { exporter.add(row, prev, prev); }), "export of a non-finite metadata number");
            exporter.finish();
            FUZZ_CHECK(exporter.rows() == 0 && exporter.bytes() == 0, "a refused row was written");
            continue;
        }

        const std::string hash = audit::row_hash(prev, row);
        FUZZ_CHECK(is_lower_hex64(hash), hash);
        const audit::StatusChange copy = row;
        FUZZ_CHECK(audit::row_hash(prev, copy) == hash, "row_hash deterministic");
        FUZZ_CHECK(costsim::sha256_hex(prev + expected_document(row)) == hash, "row_hash over the documented document");
        const json::Value document = audit::row_document(row);
        FUZZ_CHECK(document.is_object() && document.as_object().size() == 13, "row_document has 13 members");
        FUZZ_CHECK(json::canonical(document) == expected_document(row), "row_document's RFC 8785 text");
        chain.push_back(Chained{std::move(row), prev, hash});
    }

    check_link(in);  // from the bytes after the rows (zeros when none are left)
    if ((flags & 0x30) == 0x30) check_empty_exports();
    if (chain.empty()) return;
    check_chain(chain, plan);
    check_csv(chain);
    check_jsonl(chain);
}

}  // namespace

// Diff artifacts: costsim.diff_of() inflates whatever bytes it is given. gunzip of any input either returns at
// most max_size bytes or refuses with invalid_input; gzip then gunzip gives the input back.
void check_artifact_compression(const std::uint8_t* data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    constexpr std::size_t max_size = 1 << 20;
    try {
        const std::string inflated = costsim::gunzip(bytes, max_size);
        FUZZ_CHECK(inflated.size() <= max_size, "gunzip returned more than max_size");
    } catch (const costsim::Error& error) {
        FUZZ_CHECK(error.kind() == costsim::ErrorKind::invalid_input, "gunzip refused with another kind");
    }
    FUZZ_CHECK(costsim::gunzip(costsim::gzip(bytes), size) == bytes, "gunzip(gzip(x)) != x");
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    try {
        check_artifact_compression(data, size);
        run(data, size);
    } catch (const costsim::Error& error) {
        const costsim::ErrorKind kind = error.kind();
        const char* name = kind == costsim::ErrorKind::invalid_input ? "invalid_input"
                           : kind == costsim::ErrorKind::internal    ? "internal"
                                                                     : "limit_exceeded";
        fail("costsim::Error escaped", std::string(name) + ": " + error.what());
    } catch (const std::exception& error) {
        fail("exception escaped", error.what());
    }
    return 0;
}
