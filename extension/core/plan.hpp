// The plan model: a validated list of skill calls, reduced to the facts the simulators price.
#pragma once
#include "core/no_postgres.hpp"

#include "core/json.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace costsim {

struct Step {
    std::string skill = "unknown";  // "skill", missing -> "unknown"
    int iterations = 1;             // "iterations", 1..100, missing -> 1
    // Facts taken from "params" (missing -> {}):
    std::size_t prompt_chars = 0;        // params.prompt: code points of a string, of the JSON text otherwise
    bool has_prompt = false;
    std::optional<double> timeout_s;     // params.timeout when it is a number (>= 0)
    bool url_is_local = false;           // params.url is a string starting http://localhost or http://127.0.0.1
    std::size_t command_chars = 0;       // params.command, counted like prompt
};

struct Plan {
    std::vector<Step> steps;
};

struct PlanLimits {
    std::size_t max_steps = 1000;  // costsim.max_plan_steps
};

inline constexpr int min_iterations = 1;
inline constexpr int max_iterations = 100;

// Validates a plan (spec section 1) and extracts its steps. Errors name the path, e.g.
// "plan[2].iterations: must be an integer between 1 and 100" (ErrorKind::invalid_input), or
// "plan has 1001 steps, more than costsim.max_plan_steps (1000)" (ErrorKind::limit_exceeded).
Plan parse_plan(const json::Value& plan, const PlanLimits& limits = {});

// Skills the caller may use; empty means every skill is allowed.
using AllowedSkills = std::vector<std::string>;
bool is_allowed(const AllowedSkills& allowed, const std::string& skill) noexcept;

// Budget rule of spec section 1: integer >= 0. Throws invalid_input naming "budget_cents".
void check_budget(std::int64_t budget_cents);

}  // namespace costsim
