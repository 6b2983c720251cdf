#include "core/audit_export.hpp"

#include "core/csv.hpp"
#include "core/errors.hpp"
#include "core/json.hpp"
#include "core/utc_time.hpp"

#include <charconv>
#include <optional>
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

json::Value json_text_or_null(const std::optional<std::string>& value)
{
    return value ? json::Value(*value) : json::Value(nullptr);
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
    const std::string created_at = utc_timestamp(row.created_at_us);
    if (format_ == HistoryFormat::csv) {
        std::string& out = buffer_;
        auto field = [&out](std::string_view text) {
            csv::append_field(out, text);
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
        field(json::canonical(row.metadata));
        field(created_at);
        field(prev_hash);
        csv::append_field(out, row_hash);
        out.append("\r\n");
    } else {
        json::Object object;
        object.reserve(15);
        object.emplace_back("id", json::Value(row.id));
        object.emplace_back("seq", json::Value(row.seq));
        object.emplace_back("tenant_id", json::Value(row.tenant_id));
        object.emplace_back("entity_type", json::Value(row.entity_type));
        object.emplace_back("entity_id", json::Value(row.entity_id));
        object.emplace_back("old_status", json_text_or_null(row.old_status));
        object.emplace_back("new_status", json::Value(row.new_status));
        object.emplace_back("actor_type", json::Value(row.actor_type));
        object.emplace_back("actor_id", json_text_or_null(row.actor_id));
        object.emplace_back("reason", json_text_or_null(row.reason));
        object.emplace_back("correlation_id", json_text_or_null(row.correlation_id));
        object.emplace_back("metadata", row.metadata);
        object.emplace_back("created_at", json::Value(created_at));
        object.emplace_back("prev_hash", json::Value(std::string(prev_hash)));
        object.emplace_back("row_hash", json::Value(std::string(row_hash)));
        buffer_ += json::dump(json::Value(std::move(object)));
        buffer_ += '\n';
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
