// V2 coefficient sets (costsim.v2_coefficients), cached per backend. A statement trigger on the table
// sends a relcache invalidation at commit, and every backend drops its cache when it sees it, so a call
// normally costs no table read.
#pragma once

#include "core/simulator_v2.hpp"

namespace costsim::pg {

// C phase (may raise while loading). nullptr when the version has no coefficients; *problem says why.
const Model* v2_model(const char* version, const char** problem);
// The cached model of a version, never loading and never raising: false when it is not cached.
bool cached_v2_model(const char* version, const Model** model) noexcept;

void coefficients_cache_install();  // from _PG_init

}  // namespace costsim::pg
