#include "core/canary.hpp"

#include "core/errors.hpp"
#include "core/json.hpp"

#include <charconv>
#include <cmath>
#include <string>
#include <vector>

namespace costsim::canary {
namespace {

void require_share(double value, const char* name)
{
    if (!std::isfinite(value) || value < 0 || value > 1)
        throw invalid_input(std::string("criteria.") + name, "must be a number in [0, 1]");
}

void require_valid(const Counts& counts, const statistics::KlResult& kl, const Criteria& criteria)
{
    if (criteria.min_samples == 0) throw invalid_input("criteria.min_samples", "must be at least 1");
    require_share(criteria.max_outlier_rate, "max_outlier_rate");
    require_share(criteria.max_major_rate, "max_major_rate");
    require_share(criteria.kl_threshold, "kl_threshold");
    require_share(criteria.outlier_drift_score, "outlier_drift_score");
    if (counts.outliers > counts.sample_count())
        throw invalid_input("counts.outliers", "must not exceed the sample count");
    if (!std::isfinite(kl.value) || !std::isfinite(kl.critical_value))
        throw invalid_input("kl", "value and critical_value must be finite numbers");
}

// A finite `value` with `decimals` (at most 4) digits after the point, whatever the C locale says.
std::string fixed(double value, int decimals)
{
    char text[320];  // the largest double has 309 integer digits
    const auto end = std::to_chars(text, text + sizeof text, value, std::chars_format::fixed, decimals).ptr;
    return std::string(text, end);
}

double share(std::size_t count, std::size_t total) { return static_cast<double>(count) / static_cast<double>(total); }

std::string percent(double value) { return fixed(value, 1) + " %"; }

// "<what>: 7.0 % of 100 samples, over 5.0 %"
std::string rate_reason(const std::string& what, std::size_t count, std::size_t total, double max_share)
{
    return what + ": " + percent(100.0 * static_cast<double>(count) / static_cast<double>(total)) + " of " +
           std::to_string(total) + " samples, over " + percent(100 * max_share);
}

}  // namespace

const char* to_string(Status status) noexcept
{
    switch (status) {
    case Status::passed: return "passed";
    case Status::failed: return "failed";
    case Status::inconclusive: return "inconclusive";
    }
    return "inconclusive";
}

Judgement judge(const Counts& counts, const statistics::KlResult& kl, const std::vector<GoldenResult>& golden,
                const Criteria& criteria)
{
    require_valid(counts, kl, criteria);
    Judgement judgement;
    const std::size_t samples = counts.sample_count();
    if (samples < criteria.min_samples) {
        judgement.status = Status::inconclusive;
        judgement.failure_reasons.push_back("only " + std::to_string(samples) +
                                            " samples, fewer than costsim.canary_min_samples (" +
                                            std::to_string(criteria.min_samples) + ")");
        return judgement;
    }

    std::vector<std::string>& reasons = judgement.failure_reasons;
    if (kl.value > criteria.kl_threshold && kl.value > kl.critical_value)
        reasons.push_back("KL divergence " + fixed(kl.value, 4) + " exceeds " + fixed(criteria.kl_threshold, 4) +
                          " and its 95 % noise-floor critical value " + fixed(kl.critical_value, 4));
    const std::string outliers = "outliers (drift score > " + json::format_number(criteria.outlier_drift_score) + ")";
    if (share(counts.outliers, samples) > criteria.max_outlier_rate)
        reasons.push_back(rate_reason(outliers, counts.outliers, samples, criteria.max_outlier_rate));
    const std::size_t major = counts.major_drift + counts.mismatch + counts.v2_errors;
    if (share(major, samples) > criteria.max_major_rate)
        reasons.push_back(rate_reason("major drift or mismatch", major, samples, criteria.max_major_rate));
    for (const GoldenResult& dataset : golden)
        if (!dataset.acceptable) reasons.push_back("golden dataset " + dataset.dataset_id + " not acceptable");

    judgement.status = reasons.empty() ? Status::passed : Status::failed;
    return judgement;
}

}  // namespace costsim::canary
