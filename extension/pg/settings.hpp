// The costsim.* configuration parameters (GUCs). Read them only through these variables.
#pragma once

#include "core/breaker.hpp"
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
extern char* database;        // the worker's
extern int worker_count;
extern char* alertmanager_url;
extern int alert_timeout_ms;
extern bool cb_auto_trip;
extern int cb_window_size;
extern int cb_min_samples;
extern int cb_failure_threshold;
extern int schema_error_threshold;
extern int disable_ttl;  // seconds
extern int canary_min_samples;
extern double canary_kl_threshold;

constexpr int max_cb_window_size = 10000;
constexpr int max_schema_error_threshold = 1000;

void define();  // from _PG_init

inline breaker::Policy breaker_policy()
{
    return breaker::Policy{static_cast<std::size_t>(cb_window_size), static_cast<std::size_t>(cb_min_samples),
                           drift_threshold, static_cast<std::size_t>(schema_error_threshold)};
}

inline DriftThresholds drift_thresholds() { return DriftThresholds{drift_warning_threshold, drift_threshold}; }

}  // namespace costsim::pg::settings
