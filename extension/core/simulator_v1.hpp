// V1: the production simulator (spec section 2). Frozen: it must match the spec exactly.
#pragma once
#include "core/no_postgres.hpp"

#include "core/estimate.hpp"
#include "core/plan.hpp"

#include <cstdint>

namespace costsim {

inline constexpr double default_risk_threshold = 0.5;

Estimate simulate_v1(const Plan& plan, std::int64_t budget_cents, const AllowedSkills& allowed,
                     double risk_threshold = default_risk_threshold);

}  // namespace costsim
