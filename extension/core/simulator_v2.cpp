#include "core/simulator_v2.hpp"

#include "core/errors.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

namespace costsim {
namespace {

// Skill rules of spec section 3 (the coefficients they scale are data).
constexpr double llm_max_output_chars = 4000;
constexpr double llm_long_prompt_chars = 2000, llm_long_prompt_confidence = 0.95;
constexpr double llm_very_long_prompt_chars = 4000, llm_very_long_prompt_confidence = 0.90;
constexpr double http_default_timeout_s = 30;
constexpr double http_external_risk = 1.5, http_external_confidence = 0.95;
constexpr std::size_t shell_long_command_chars = 100;
constexpr double shell_long_command_risk = 1.2, shell_long_command_confidence = 0.95;
constexpr double reported_risk_floor = 0.02;

std::string one_decimal_percent(double fraction)
{
    char text[64];
    std::snprintf(text, sizeof text, "%.1f", fraction * 100);
    return text;
}

}  // namespace

const SkillCoefficients& Model::coefficients_for(const std::string& skill) const
{
    if (auto found = skills.find(skill); found != skills.end()) return found->second;
    if (fallback) return *fallback;
    throw Error(ErrorKind::invalid_input,
                "V2 model \"" + version + "\" has no coefficients for skill \"" + skill + "\" and no \"*\" row");
}

Estimate simulate_v2(const Plan& plan, std::int64_t budget_cents, const AllowedSkills& allowed, const Model& model,
                     double risk_threshold)
{
    const auto started = std::chrono::steady_clock::now();
    Estimate e;
    e.budget_cents = budget_cents;
    e.model_version = model.version;
    e.plan_steps = static_cast<int>(plan.steps.size());
    if (plan.steps.empty()) {
        e.status = "schema_error";
        e.warnings.push_back("Empty plan provided");
        return e;
    }

    double cost_total = 0, latency_total = 0, survival = 1, confidence_product = 1, llm_cost = 0;
    std::vector<std::string> denied;  // each skill once, in plan order
    e.step_estimates.reserve(plan.steps.size());
    for (std::size_t i = 0; i < plan.steps.size(); ++i) {
        const Step& step = plan.steps[i];
        const SkillCoefficients& c = model.coefficients_for(step.skill);
        double cost = c.base_cost_cents, latency = c.base_latency_ms;
        double risk = c.risk_factor, confidence = c.confidence;
        if (step.skill == "llm_invoke") {
            const double input = static_cast<double>(step.prompt_chars);
            const double output = std::min(2 * input, llm_max_output_chars);
            cost += input / 1000 * c.cost_per_1k_input_chars + output / 1000 * c.cost_per_1k_output_chars;
            latency += input / 1000 * c.latency_per_1k_input_chars_ms;
            if (input > llm_long_prompt_chars) confidence *= llm_long_prompt_confidence;
            if (input > llm_very_long_prompt_chars) confidence *= llm_very_long_prompt_confidence;
        } else if (step.skill == "http_call") {
            latency = std::min(c.base_latency_ms + c.latency_variance_ms,
                               step.timeout_s.value_or(http_default_timeout_s) * 1000);
            if (!step.url_is_local) {
                risk *= http_external_risk;
                confidence *= http_external_confidence;
            }
        } else if (step.skill == "shell_lite" && step.command_chars > shell_long_command_chars) {
            risk *= shell_long_command_risk;
            confidence *= shell_long_command_confidence;
        }
        risk = std::min(risk, 1.0);  // multipliers must not make a probability of more than 1

        const int n = step.iterations;
        StepEstimate s;
        s.step_index = static_cast<int>(i);
        s.skill_id = step.skill;
        s.cost_cents = cost * n;
        s.latency_ms = latency * n;
        s.risk_probability = n == 1 ? risk : 1 - std::pow(1 - risk, n);
        s.risk_type = c.risk_type;
        s.iterations = n;
        s.base_cost_cents = cost;
        s.base_latency_ms = latency;
        s.confidence = confidence;

        cost_total += s.cost_cents;
        latency_total += s.latency_ms;
        confidence_product *= confidence;
        if (step.skill == "llm_invoke") llm_cost += s.cost_cents;
        if (s.risk_probability > reported_risk_floor) {
            survival *= 1 - s.risk_probability;
            e.risks.push_back(risk_of(s));
        }
        if (!is_allowed(allowed, step.skill)) {
            e.permission_gaps.push_back(step.skill);
            if (std::find(denied.begin(), denied.end(), step.skill) == denied.end()) denied.push_back(step.skill);
        }
        e.step_estimates.push_back(std::move(s));
    }
    e.estimated_cost_cents = round_half_even(cost_total);
    e.estimated_duration_ms = round_half_even(latency_total);
    e.cumulative_risk = 1 - survival;
    e.confidence_score = round_to(confidence_product, 4);

    if (e.estimated_cost_cents > static_cast<double>(budget_cents)) {
        e.status = "error";
        e.warnings.push_back("Budget insufficient: need " +
                             std::to_string(static_cast<long long>(e.estimated_cost_cents)) + " cents, have " +
                             std::to_string(budget_cents));
        e.alternatives.push_back(Alternative{"Reduce LLM calls", llm_cost});
    } else if (!denied.empty()) {
        e.status = "error";
        std::string list;
        for (const std::string& skill : denied) list += (list.empty() ? "" : ", ") + skill;
        e.warnings.push_back("Permission denied for skills: " + list);
    } else if (e.cumulative_risk > risk_threshold) {
        e.status = "error";
        e.warnings.push_back("Risk too high: " + one_decimal_percent(e.cumulative_risk) + "% > " +
                             one_decimal_percent(risk_threshold) + "%");
    } else {
        e.status = "success";
        e.feasible = true;
    }
    e.runtime_us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started)
                       .count();
    return e;
}

}  // namespace costsim
