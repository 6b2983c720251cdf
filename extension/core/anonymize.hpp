// Anonymizing a shadowed plan for a historical dataset (spec section 9): keep what affects cost and latency
// (skills, iterations, numbers, string lengths, whether a URL is local), drop identities and contents.
#pragma once
#include "core/no_postgres.hpp"

#include "core/json.hpp"

namespace costsim {

// Every string becomes the same number of 'x' (counted in Unicode code points), except:
//   - a step's "skill" is kept;
//   - params.url starting with "http://localhost" or "http://127.0.0.1" keeps that prefix, the rest is 'x'
//     (so V2 still sees it as local; any other URL becomes all 'x', still external);
//   - params.prompt and params.command that are not strings become a string of 'x' as long as their JSON text
//     (the simulators count exactly that length);
// Numbers, booleans, nulls and object keys are kept; arrays and objects are walked recursively.
// So V1 and V2 price the anonymized plan exactly as the original. Deterministic.
json::Value anonymize_plan(const json::Value& plan);

}  // namespace costsim
