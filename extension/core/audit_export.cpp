#include "core/audit_export.hpp"

#include "core/csv.hpp"
#include "core/errors.hpp"
#include "core/json.hpp"
#include "core/utc_time.hpp"

#include <charconv>
#include <optional>
#include <string>
#include <utility>

namespace costsim::audit {
namespace {

constexpr std::string_view csv_header =
    "id,seq,tenant_id,entity_type,entity_id,old_status,new_status,actor_type,actor_id,reason,correlation_id,"
    "metadata,created_at,prev_hash,row_hash\r\n";
constexpr std::size_t flush_at = 256 * 1024;

std::string integer_text(std::int64_t value)
{
    char text[24];
    const auto end = std::to_chars(text, text + sizeof text, value).ptr;
    return std::string(text, end);
}

}  // namespace

HistoryFormat history_format(std::string_view name)
{
    if (name == "csv") return HistoryFormat::csv;
    if (name == "jsonl") return HistoryFormat::jsonl;
    throw invalid_input("format", "unknown export format \"" + std::string(name) + "\" (csv or jsonl)");
}

const char* to_string(HistoryFormat format) noexcept { return format == HistoryFormat::csv ? "csv" : "jsonl"; }

HistoryExport::HistoryExport(HistoryFormat format, Sink sink) : format_(format), sink_(std::move(sink))
{
    buffer_.reserve(flush_at + 4096);
    if (format_ == HistoryFormat::csv) buffer_.append(csv_header);
}

void HistoryExport::add(const StatusChange& row, std::string_view prev_hash, std::string_view row_hash)
{
    const std::string id = integer_text(row.id), seq = integer_text(row.seq);
    const std::string metadata = json::canonical(row.metadata);
    const std::string created_at = utc_timestamp(row.created_at_us);
    std::string& out = buffer_;
    if (format_ == HistoryFormat::csv) {
        auto field = [&out](std::string_view text) {
            csv::append_text_field(out, text);
            out.push_back(',');
        };
        auto nullable = [&out](const std::optional<std::string>& text) {
            csv::append_nullable_field(out, text ? &*text : nullptr);
            out.push_back(',');
        };
        field(id);
        field(seq);
        field(row.tenant_id);
        field(row.entity_type);
        field(row.entity_id);
        nullable(row.old_status);
        field(row.new_status);
        field(row.actor_type);
        nullable(row.actor_id);
        nullable(row.reason);
        nullable(row.correlation_id);
        field(metadata);
        field(created_at);
        field(prev_hash);
        csv::append_text_field(out, row_hash);
        out.append("\r\n");
    } else {
        // Written member by member: integers exactly (a JSON value would hold them as doubles), metadata in its
        // RFC 8785 form as in the CSV.
        auto member = [&out](const char* name, bool first = false) {
            if (!first) out.push_back(',');
            out.push_back('"');
            out.append(name);
            out.append("\":");
        };
        auto text = [&out, &member](const char* name, std::string_view value) {
            member(name);
            json::append_string(out, value);
        };
        auto nullable = [&out, &member](const char* name, const std::optional<std::string>& value) {
            member(name);
            if (value)
                json::append_string(out, *value);
            else
                out.append("null");
        };
        out.push_back('{');
        member("id", true);
        out.append(id);
        member("seq");
        out.append(seq);
        text("tenant_id", row.tenant_id);
        text("entity_type", row.entity_type);
        text("entity_id", row.entity_id);
        nullable("old_status", row.old_status);
        text("new_status", row.new_status);
        text("actor_type", row.actor_type);
        nullable("actor_id", row.actor_id);
        nullable("reason", row.reason);
        nullable("correlation_id", row.correlation_id);
        member("metadata");
        out.append(metadata);
        text("created_at", created_at);
        text("prev_hash", prev_hash);
        text("row_hash", row_hash);
        out.append("}\n");
    }
    ++rows_;
    if (buffer_.size() >= flush_at) flush();
}

void HistoryExport::finish()
{
    flush();
    sha256_ = digest_.finish();
}

void HistoryExport::flush()
{
    if (buffer_.empty()) return;
    digest_.update(buffer_);
    sink_(buffer_.data(), buffer_.size());
    bytes_ += buffer_.size();
    buffer_.clear();
}

}  // namespace costsim::audit
