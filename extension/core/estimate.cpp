#include "core/estimate.hpp"

#include "core/errors.hpp"
#include "core/hashing.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace costsim {
namespace {

json::Value strings(const std::vector<std::string>& items)
{
    json::Array array;
    array.reserve(items.size());
    for (const std::string& item : items) array.emplace_back(item);
    return array;
}

// Objects are built member by member, moving values in: an initializer list would copy every nested array.
json::Value step_json(const StepEstimate& step)
{
    json::Object object;
    object.reserve(10);
    object.emplace_back("step_index", step.step_index);
    object.emplace_back("skill_id", step.skill_id);
    object.emplace_back("cost_cents", step.cost_cents);
    object.emplace_back("latency_ms", step.latency_ms);
    object.emplace_back("risk_probability", step.risk_probability);
    object.emplace_back("risk_type", step.risk_type);
    object.emplace_back("iterations", step.iterations);
    object.emplace_back("base_cost_cents", step.base_cost_cents);
    object.emplace_back("base_latency_ms", step.base_latency_ms);
    if (step.confidence) object.emplace_back("confidence", *step.confidence);
    return object;
}

json::Value risk_json(const Risk& risk)
{
    json::Object object;
    object.reserve(6);
    object.emplace_back("step_index", risk.step_index);
    object.emplace_back("skill_id", risk.skill_id);
    object.emplace_back("risk_type", risk.risk_type);
    object.emplace_back("probability", risk.probability);
    object.emplace_back("description", risk.description);
    object.emplace_back("mitigation", risk.mitigation);
    return object;
}

json::Value alternative_json(const Alternative& alternative)
{
    json::Object object;
    object.reserve(2);
    object.emplace_back("suggestion", alternative.suggestion);
    object.emplace_back("potential_savings_cents", alternative.potential_savings_cents);
    return object;
}

template <class Item, class Convert>
json::Value array_of(const std::vector<Item>& items, Convert convert)
{
    json::Array array;
    array.reserve(items.size());
    for (const Item& item : items) array.push_back(convert(item));
    return array;
}

}  // namespace

json::Value to_json(const Estimate& e)
{
    const double budget = static_cast<double>(e.budget_cents);
    json::Object metadata;
    metadata.reserve(3);
    metadata.emplace_back("plan_steps", e.plan_steps);
    metadata.emplace_back("cumulative_risk", e.cumulative_risk);
    metadata.emplace_back("budget_utilization", e.estimated_cost_cents / std::max(budget, 1.0));

    json::Object object;
    object.reserve(15);
    object.emplace_back("feasible", e.feasible);
    object.emplace_back("status", e.status);
    object.emplace_back("estimated_cost_cents", e.estimated_cost_cents);
    object.emplace_back("estimated_duration_ms", e.estimated_duration_ms);
    object.emplace_back("budget_remaining_cents", budget - e.estimated_cost_cents);
    object.emplace_back("budget_sufficient", e.estimated_cost_cents <= budget);
    object.emplace_back("permission_gaps", strings(e.permission_gaps));
    object.emplace_back("risks", array_of(e.risks, risk_json));
    object.emplace_back("step_estimates", array_of(e.step_estimates, step_json));
    object.emplace_back("alternatives", array_of(e.alternatives, alternative_json));
    object.emplace_back("warnings", strings(e.warnings));
    object.emplace_back("metadata", std::move(metadata));
    if (e.model_version) {
        object.emplace_back("model_version", *e.model_version);
        object.emplace_back("confidence_score", e.confidence_score);
        object.emplace_back("runtime_us", e.runtime_us);
    }
    return object;
}

std::string output_hash(const json::Value& result)
{
    return sha256_hex(json::canonical_subset(
        result, {"feasible", "status", "estimated_cost_cents", "estimated_duration_ms", "step_estimates"}));
}

const char* mitigation_for(const std::string& risk_type) noexcept
{
    static constexpr const char* table[][2] = {
        {"timeout", "Add retry with exponential backoff"},
        {"rate_limit", "Implement client-side throttling"},
        {"transform_error", "Validate input schema before transform"},
        {"not_found", "Add existence check before access"},
        {"permission", "Verify permissions before write"},
        {"quota", "Check quota before operation"},
        {"delivery", "Use delivery confirmation"},
    };
    for (const auto& row : table)
        if (risk_type == row[0]) return row[1];
    return "Add error handling and monitoring";
}

Risk risk_of(const StepEstimate& step)
{
    const auto percent = static_cast<long long>(round_half_even(step.risk_probability * 100));
    return Risk{step.step_index,
                step.skill_id,
                step.risk_type,
                step.risk_probability,
                step.skill_id + " x" + std::to_string(step.iterations) + " has " + std::to_string(percent) +
                    "% chance of " + step.risk_type,
                mitigation_for(step.risk_type)};
}

double round_half_even(double x) noexcept { return std::nearbyint(x); }

double round_to(double x, int decimals)
{
    // Python's round(x, n): the exact binary value rounded to n decimals, exact ties to even. to_chars with a
    // precision is exact (correctly rounded), and from_chars reads the decimal back to the nearest double.
    if (!std::isfinite(x)) return x;
    char buffer[400];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, x, std::chars_format::fixed, decimals);
    if (ec != std::errc()) throw Error(ErrorKind::internal, "round_to: number too long");
    double rounded = 0;
    std::from_chars(buffer, end, rounded);
    return rounded == 0 ? 0.0 : rounded;  // no negative zero
}

}  // namespace costsim
