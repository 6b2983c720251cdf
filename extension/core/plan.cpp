#include "core/plan.hpp"

#include "core/errors.hpp"

#include <cmath>
#include <string>

namespace costsim {
namespace {

std::string step_path(std::size_t index) { return "plan[" + std::to_string(index) + "]"; }

// Numbers must be finite everywhere in a step (JCS cannot hash anything else).
void require_finite(const json::Value& value, const std::string& path)
{
    switch (value.kind()) {
    case json::Kind::number:
        if (!std::isfinite(value.as_number())) throw invalid_input(path, "number out of range");
        break;
    case json::Kind::array: {
        std::size_t i = 0;
        for (const json::Value& item : value.as_array()) require_finite(item, path + "[" + std::to_string(i++) + "]");
        break;
    }
    case json::Kind::object:
        for (const json::Member& member : value.as_object()) require_finite(member.second, path + "." + member.first);
        break;
    default:
        break;
    }
}

// Characters of a text param: code points of a string, or of the canonical JSON text of anything else.
std::size_t text_chars(const json::Value& value)
{
    return value.is_string() ? json::char_count(value.as_string()) : json::char_count(json::canonical(value));
}

bool starts_with(const std::string& text, const char* prefix)
{
    return text.compare(0, std::char_traits<char>::length(prefix), prefix) == 0;
}

void read_params(const json::Value& params, const std::string& path, Step& step)
{
    if (!params.is_object()) throw invalid_input(path, "must be an object");
    if (const json::Value* prompt = params.find("prompt")) {
        step.has_prompt = true;
        step.prompt_chars = text_chars(*prompt);
    }
    if (const json::Value* timeout = params.find("timeout"); timeout && timeout->is_number()) {
        if (timeout->as_number() < 0) throw invalid_input(path + ".timeout", "must not be negative");
        step.timeout_s = timeout->as_number();
    }
    if (const json::Value* url = params.find("url"); url && url->is_string())
        step.url_is_local = starts_with(url->as_string(), "http://localhost") ||
                            starts_with(url->as_string(), "http://127.0.0.1");
    if (const json::Value* command = params.find("command")) step.command_chars = text_chars(*command);
}

Step read_step(const json::Value& value, std::size_t index)
{
    const std::string path = step_path(index);
    if (!value.is_object()) throw invalid_input(path, "must be an object");
    require_finite(value, path);
    Step step;
    if (const json::Value* skill = value.find("skill")) {
        if (!skill->is_string()) throw invalid_input(path + ".skill", "must be a string");
        step.skill = skill->as_string();
    }
    if (const json::Value* iterations = value.find("iterations")) {
        const double n = iterations->is_number() ? iterations->as_number() : 0.0;
        if (!iterations->is_number() || n != std::floor(n) || n < min_iterations || n > max_iterations)
            throw invalid_input(path + ".iterations", "must be an integer between 1 and 100");
        step.iterations = static_cast<int>(n);
    }
    if (const json::Value* params = value.find("params")) read_params(*params, path + ".params", step);
    return step;
}

}  // namespace

Plan parse_plan(const json::Value& plan, const PlanLimits& limits)
{
    if (!plan.is_array()) throw invalid_input("plan", "must be a JSON array");
    const json::Array& steps = plan.as_array();
    if (steps.size() > limits.max_steps)
        throw Error(ErrorKind::limit_exceeded, "plan has " + std::to_string(steps.size()) +
                                                   " steps, more than costsim.max_plan_steps (" +
                                                   std::to_string(limits.max_steps) + ")");
    Plan result;
    result.steps.reserve(steps.size());
    for (std::size_t i = 0; i < steps.size(); ++i) result.steps.push_back(read_step(steps[i], i));
    return result;
}

bool is_allowed(const AllowedSkills& allowed, const std::string& skill) noexcept
{
    if (allowed.empty()) return true;
    for (const std::string& name : allowed)
        if (name == skill) return true;
    return false;
}

void check_budget(std::int64_t budget_cents)
{
    if (budget_cents < 0) throw invalid_input("budget_cents", "must be >= 0");
}

}  // namespace costsim
