// The metric counters in shared memory (layout: core/metrics.hpp's Catalogue). Counting is lock-free and
// never raises, so it may be called from a C++ phase. Without shared_preload_libraries nothing is counted.
#pragma once

#include "core/metrics.hpp"

#include <cstddef>

namespace costsim::pg {

void metrics_install_hooks();  // from _PG_init, when preloaded
void metrics_count(std::size_t slot) noexcept;
void metrics_observe(const metrics::Catalogue::Observation& observation) noexcept;
void metrics_count_schema_error() noexcept;

}  // namespace costsim::pg
