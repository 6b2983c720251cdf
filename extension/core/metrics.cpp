#include "core/metrics.hpp"

#include "core/json.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>

namespace costsim::metrics {
namespace {

json::Object labels(std::initializer_list<std::pair<const char*, std::string>> pairs = {})
{
    json::Object object;
    for (const auto& [key, value] : pairs) object.emplace_back(key, value);
    return object;
}

constexpr const char* other_status = "other";
constexpr Verdict all_verdicts[] = {Verdict::match, Verdict::minor_drift, Verdict::major_drift, Verdict::mismatch};

}  // namespace

const std::vector<std::string>& v1_statuses()
{
    static const std::vector<std::string> statuses{"feasible", "budget_insufficient", "permission_denied",
                                                   "risk_too_high", "invalid_plan"};
    return statuses;
}

const std::vector<std::string>& v2_statuses()
{
    static const std::vector<std::string> statuses{"success", "error", "schema_error", "failed"};
    return statuses;
}

const Catalogue& Catalogue::instance()
{
    static const Catalogue catalogue;
    return catalogue;
}

std::size_t Catalogue::add_counter(const std::string& name, const json::Object& labels)
{
    const std::size_t slot = slot_count_++;
    rows_.push_back(Row{name, json::dump(labels), slot, slot, 1});
    return slot;
}

Catalogue::Histogram Catalogue::add_histogram(const std::string& name, const json::Object& labels,
                                              std::vector<double> bounds, double scale)
{
    Histogram histogram{std::move(bounds), slot_count_, 0, 0, scale};
    const std::size_t buckets = histogram.bounds.size() + 1;  // + the +Inf bucket
    slot_count_ += buckets;
    for (std::size_t i = 0; i < buckets; ++i) {
        json::Object bucket_labels = labels;
        bucket_labels.emplace_back("le", i < histogram.bounds.size() ? json::format_number(histogram.bounds[i]) : "+Inf");
        rows_.push_back(Row{name + "_bucket", json::dump(bucket_labels), histogram.first_bucket,
                            histogram.first_bucket + i, 1});
    }
    histogram.count = add_counter(name + "_count", labels);
    histogram.sum = slot_count_++;
    rows_.push_back(Row{name + "_sum", json::dump(labels), histogram.sum, histogram.sum, scale});
    return histogram;
}

Catalogue::Catalogue()
{
    for (const std::string& status : v1_statuses())
        v1_runs_.push_back(add_counter("costsim_runs_total", labels({{"version", "v1"}, {"status", status}})));
    v1_runs_.push_back(add_counter("costsim_runs_total", labels({{"version", "v1"}, {"status", other_status}})));
    for (const std::string& status : v2_statuses())
        v2_runs_.push_back(add_counter("costsim_runs_total", labels({{"version", "v2"}, {"status", status}})));
    v2_runs_.push_back(add_counter("costsim_runs_total", labels({{"version", "v2"}, {"status", other_status}})));
    schema_errors_ = add_counter("costsim_schema_errors_total", labels());
    provenance_failures_ = add_counter("costsim_provenance_write_failures_total", labels());
    for (Verdict verdict : all_verdicts)
        verdicts_.push_back(add_counter("costsim_comparison_verdict_total", labels({{"verdict", to_string(verdict)}})));
    const std::vector<double> runtime_bounds{0.01, 0.05, 0.1, 0.5, 1, 5, 10, 50, 100, 500};
    runtime_v1_ = add_histogram("costsim_runtime_ms", labels({{"version", "v1"}}), runtime_bounds, 1e6);  // sum in ns
    runtime_v2_ = add_histogram("costsim_runtime_ms", labels({{"version", "v2"}}), runtime_bounds, 1e6);
    drift_ = add_histogram("costsim_drift_score", labels(), {0.01, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1}, 1e4);
    cost_delta_ = add_histogram("costsim_cost_delta_cents", labels(), {0, 1, 5, 10, 50, 100, 500, 1000}, 1);
}

std::size_t Catalogue::run_slot(Simulator simulator, std::string_view status) const noexcept
{
    const auto& statuses = simulator == Simulator::v1 ? v1_statuses() : v2_statuses();
    const auto& slots = simulator == Simulator::v1 ? v1_runs_ : v2_runs_;
    for (std::size_t i = 0; i < statuses.size(); ++i)
        if (statuses[i] == status) return slots[i];
    return slots.back();
}

std::size_t Catalogue::verdict_slot(Verdict verdict) const noexcept
{
    return verdicts_[static_cast<std::size_t>(verdict)];
}

Catalogue::Observation Catalogue::Histogram::observe(double value) const noexcept
{
    const std::size_t bucket =
        static_cast<std::size_t>(std::lower_bound(bounds.begin(), bounds.end(), value) - bounds.begin());
    const double scaled = std::isfinite(value) && value > 0 ? std::llround(value * scale) : 0;
    return Observation{first_bucket + bucket, count, sum, static_cast<unsigned long long>(scaled)};
}

Catalogue::Observation Catalogue::runtime(Simulator simulator, double runtime_ms) const noexcept
{
    return (simulator == Simulator::v1 ? runtime_v1_ : runtime_v2_).observe(runtime_ms);
}

Catalogue::Observation Catalogue::drift_score(double score) const noexcept { return drift_.observe(score); }

Catalogue::Observation Catalogue::cost_delta(double absolute_delta_cents) const noexcept
{
    return cost_delta_.observe(absolute_delta_cents);
}

}  // namespace costsim::metrics
