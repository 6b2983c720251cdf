#include "core/divergence_export.hpp"

#include "core/csv.hpp"
#include "core/errors.hpp"
#include "core/utc_time.hpp"

#include <cstdio>
#include <initializer_list>
#include <utility>
#include <vector>

namespace costsim {
namespace {

constexpr const char* csv_header =
    "kind,created_at,input_hash,v1_cost_cents,v2_cost_cents,cost_delta_cents,drift_score,verdict,metric,value\r\n";
constexpr const char* summary_metadata_key = "costsim.summary";

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

}  // namespace

ExportFormat export_format(std::string_view name)
{
    if (name == "csv") return ExportFormat::csv;
    if (name == "jsonl") return ExportFormat::jsonl;
    if (name == "parquet") return ExportFormat::parquet;
    throw invalid_input("format", "unknown export format \"" + std::string(name) + "\" (csv, jsonl or parquet)");
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
        csv::append_row(samples_, {"sample", utc_timestamp(sample.created_at_us), sample.input_hash, v1, v2, delta,
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
                    csv::append_row(head, {"summary", "", "", "", "", "", "", "", member.first + "_" + detail.first,
                                          cell(detail.second)});
            } else {
                csv::append_row(head, {"summary", "", "", "", "", "", "", "", member.first, cell(member.second)});
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
