#include "core/divergence_export.hpp"

#include "core/errors.hpp"

#include <cstdio>
#include <initializer_list>
#include <utility>
#include <vector>

namespace costsim {
namespace {

constexpr const char* csv_header =
    "kind,created_at,input_hash,v1_cost_cents,v2_cost_cents,cost_delta_cents,drift_score,verdict,metric,value\r\n";
constexpr const char* summary_metadata_key = "costsim.summary";

// RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled.
void append_csv_field(std::string& out, std::string_view field)
{
    if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
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

void append_csv_row(std::string& out, std::initializer_list<std::string_view> fields)
{
    bool first = true;
    for (std::string_view field : fields) {
        if (!first) out.push_back(',');
        first = false;
        append_csv_field(out, field);
    }
    out.append("\r\n");
}

// The text of a summary value in a CSV cell: strings as they are, anything else as JSON.
std::string cell(const json::Value& value) { return value.is_string() ? value.as_string() : json::dump(value); }

json::Value sample_json(const DivergenceSample& sample)
{
    json::Object object;
    object.reserve(8);
    object.emplace_back("kind", "sample");
    object.emplace_back("created_at", utc_timestamp(sample.created_at_us));
    object.emplace_back("input_hash", sample.input_hash);
    object.emplace_back("v1_cost_cents", sample.v1_cost_cents);
    object.emplace_back("v2_cost_cents", sample.v2_cost_cents);
    object.emplace_back("cost_delta_cents", sample.v2_cost_cents - sample.v1_cost_cents);
    object.emplace_back("drift_score", sample.drift_score);
    object.emplace_back("verdict", sample.verdict);
    return object;
}

std::vector<parquet::Column> parquet_columns()
{
    return {{"created_at", parquet::Type::timestamp_us},  {"input_hash", parquet::Type::string},
            {"v1_cost_cents", parquet::Type::int64},      {"v2_cost_cents", parquet::Type::int64},
            {"cost_delta_cents", parquet::Type::int64},   {"drift_score", parquet::Type::float64},
            {"verdict", parquet::Type::string}};
}

// Days since 1970-01-01 to a proleptic Gregorian date (the usual era-based conversion).
void civil_from_days(std::int64_t days, std::int64_t& year, unsigned& month, unsigned& day)
{
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto day_of_era = static_cast<unsigned>(days - era * 146097);
    const unsigned year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const unsigned shifted_month = (5 * day_of_year + 2) / 153;
    day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
    year = static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0);
}

}  // namespace

ExportFormat export_format(std::string_view name)
{
    if (name == "csv") return ExportFormat::csv;
    if (name == "jsonl") return ExportFormat::jsonl;
    if (name == "parquet") return ExportFormat::parquet;
    throw invalid_input("format", "unknown export format \"" + std::string(name) + "\" (csv, jsonl or parquet)");
}

std::string utc_timestamp(std::int64_t microseconds)
{
    constexpr std::int64_t per_day = 86400LL * 1000000LL;
    std::int64_t days = microseconds / per_day;
    std::int64_t rest = microseconds % per_day;
    if (rest < 0) {
        rest += per_day;
        --days;
    }
    std::int64_t year = 0;
    unsigned month = 0, day = 0;
    civil_from_days(days, year, month, day);
    const auto seconds_of_day = static_cast<unsigned>(rest / 1000000);
    const auto micros = static_cast<unsigned>(rest % 1000000);
    char text[48];
    std::snprintf(text, sizeof text, "%04lld-%02u-%02uT%02u:%02u:%02u.%06uZ", static_cast<long long>(year), month, day,
                  seconds_of_day / 3600, seconds_of_day / 60 % 60, seconds_of_day % 60, micros);
    return text;
}

json::Value report_json(const statistics::DriftReport& report, double drift_threshold)
{
    json::Array edges;
    edges.reserve(report.kl.bins.edges.size());
    for (double edge : report.kl.bins.edges) edges.emplace_back(edge);
    json::Object kl;
    kl.reserve(7);
    kl.emplace_back("method", report.kl.method);
    kl.emplace_back("direction", report.kl.direction);
    kl.emplace_back("bin_edges", std::move(edges));
    kl.emplace_back("smoothing", report.kl.smoothing);
    kl.emplace_back("noise_floor", report.kl.noise_floor);
    kl.emplace_back("critical_value", report.kl.critical_value);
    kl.emplace_back("significant", report.kl.significant);

    json::Object object;
    object.reserve(16);
    object.emplace_back("sample_count", static_cast<std::int64_t>(report.sample_count));
    object.emplace_back("delta_p50", report.delta_p50);
    object.emplace_back("delta_p90", report.delta_p90);
    object.emplace_back("kl_divergence", report.kl.value);
    object.emplace_back("kl", std::move(kl));
    object.emplace_back("kl_legacy", report.kl_legacy.value);
    object.emplace_back("outlier_count", static_cast<std::int64_t>(report.outlier_count));
    object.emplace_back("fail_ratio", report.fail_ratio);
    object.emplace_back("matching_rate", report.matching_rate);
    object.emplace_back("psi", report.psi);
    object.emplace_back("js_distance", report.js_distance);
    object.emplace_back("ks_statistic", report.ks.statistic);
    object.emplace_back("ks_pvalue", report.ks.p_value);
    object.emplace_back("wasserstein", report.wasserstein);
    object.emplace_back("drift_threshold", drift_threshold);
    return object;
}

DivergenceExport::DivergenceExport(ExportFormat format, Sink sink) : format_(format), sink_(std::move(sink))
{
    if (format_ == ExportFormat::parquet) parquet_ = std::make_unique<parquet::Writer>(parquet_columns(), sink_);
}

DivergenceExport::~DivergenceExport() = default;

void DivergenceExport::add(const DivergenceSample& sample)
{
    switch (format_) {
    case ExportFormat::csv: {
        char v1[32], v2[32], delta[32];
        std::snprintf(v1, sizeof v1, "%lld", static_cast<long long>(sample.v1_cost_cents));
        std::snprintf(v2, sizeof v2, "%lld", static_cast<long long>(sample.v2_cost_cents));
        std::snprintf(delta, sizeof delta, "%lld", static_cast<long long>(sample.v2_cost_cents - sample.v1_cost_cents));
        append_csv_row(samples_, {"sample", utc_timestamp(sample.created_at_us), sample.input_hash, v1, v2, delta,
                                  json::format_number(sample.drift_score), sample.verdict, "", ""});
        break;
    }
    case ExportFormat::jsonl:
        samples_ += json::dump(sample_json(sample));
        samples_ += '\n';
        break;
    case ExportFormat::parquet:
        parquet_->add_timestamp_us(sample.created_at_us);
        parquet_->add_string(sample.input_hash);
        parquet_->add_int64(sample.v1_cost_cents);
        parquet_->add_int64(sample.v2_cost_cents);
        parquet_->add_int64(sample.v2_cost_cents - sample.v1_cost_cents);
        parquet_->add_float64(sample.drift_score);
        parquet_->add_string(sample.verdict);
        parquet_->end_row();
        break;
    }
}

void DivergenceExport::finish(const statistics::DriftReport& report, double drift_threshold)
{
    const json::Value summary = report_json(report, drift_threshold);
    switch (format_) {
    case ExportFormat::csv: {
        std::string head = csv_header;
        for (const json::Member& member : summary.as_object()) {
            if (member.second.is_object()) {  // the KL details: one row each, prefixed
                for (const json::Member& detail : member.second.as_object())
                    append_csv_row(head, {"summary", "", "", "", "", "", "", "", member.first + "_" + detail.first,
                                          cell(detail.second)});
            } else {
                append_csv_row(head, {"summary", "", "", "", "", "", "", "", member.first, cell(member.second)});
            }
        }
        sink_(head.data(), head.size());
        sink_(samples_.data(), samples_.size());
        break;
    }
    case ExportFormat::jsonl: {
        json::Value line = json::Object{{"kind", "summary"}};
        for (const json::Member& member : summary.as_object()) line.as_object().push_back(member);
        const std::string text = json::dump(line) + "\n";
        sink_(text.data(), text.size());
        sink_(samples_.data(), samples_.size());
        break;
    }
    case ExportFormat::parquet:
        parquet_->add_metadata(summary_metadata_key, json::dump(summary));
        parquet_->finish();
        break;
    }
    samples_.clear();
    samples_.shrink_to_fit();
}

}  // namespace costsim
