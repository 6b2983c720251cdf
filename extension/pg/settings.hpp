// The costsim.* configuration parameters (GUCs). Read them only through these variables.
#pragma once

#include "core/comparison.hpp"

namespace costsim::pg::settings {

extern bool v2_sandbox;
extern double v2_sample_rate;
extern char* v2_model_version;
extern double drift_threshold;
extern double drift_warning_threshold;
extern int max_plan_steps;
extern int max_plan_bytes;
extern char* tenant_id;
extern char* correlation_id;
extern int export_ttl;  // seconds

void define();  // from _PG_init

inline DriftThresholds drift_thresholds() { return DriftThresholds{drift_warning_threshold, drift_threshold}; }

}  // namespace costsim::pg::settings
