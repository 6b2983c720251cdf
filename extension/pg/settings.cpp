#include "pg/settings.hpp"

extern "C" {
#include "postgres.h"

#include "utils/guc.h"
}

namespace costsim::pg::settings {

bool v2_sandbox = false;
double v2_sample_rate = 1.0;
char* v2_model_version = nullptr;
double drift_threshold = 0.20;
double drift_warning_threshold = 0.15;
int max_plan_steps = 1000;
int max_plan_bytes = 1024 * 1024;
char* tenant_id = nullptr;
char* correlation_id = nullptr;
int export_ttl = 3600;
char* database = nullptr;
int worker_count = 1;
char* alertmanager_url = nullptr;
int alert_timeout_ms = 5000;
bool cb_auto_trip = true;
int cb_window_size = 100;
int cb_min_samples = 20;
int cb_failure_threshold = 3;
int schema_error_threshold = 5;
int disable_ttl = 86400;
int canary_min_samples = 50;
double canary_kl_threshold = 0.1;

namespace {

bool check_model_version(char** value, void**, GucSource)
{
    if (*value == nullptr || **value == '\0') {
        GUC_check_errdetail("costsim.v2_model_version must name a coefficient set, e.g. '2.0.0'.");
        return false;
    }
    return true;
}

}  // namespace

void define()
{
    DefineCustomBoolVariable("costsim.v2_sandbox", "Runs the V2 simulator in shadow beside V1 (feature flag).",
                             "The production answer is always V1's; V2's result is only compared and recorded.",
                             &v2_sandbox, false, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomRealVariable("costsim.v2_sample_rate", "Share of inputs shadowed by V2 (0..1).",
                             "Decided from the input hash, so one input is always sampled the same way.",
                             &v2_sample_rate, 1.0, 0.0, 1.0, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("costsim.v2_model_version", "V2 coefficient set used when none is named.",
                               "A model_version of costsim.v2_coefficients.", &v2_model_version, "2.0.0",
                               PGC_USERSET, 0, check_model_version, nullptr, nullptr);
    DefineCustomRealVariable("costsim.drift_threshold", "Drift score above which a comparison is a mismatch.",
                             "Scores up to it (and above the warning threshold) are major_drift.", &drift_threshold,
                             0.20, 0.0, 1.0, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomRealVariable("costsim.drift_warning_threshold", "Drift score above which a comparison is major_drift.",
                             "Scores up to it (and above 0.05) are minor_drift.", &drift_warning_threshold, 0.15, 0.0,
                             1.0, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("costsim.max_plan_steps", "Largest number of steps a plan may have.",
                            "Larger plans are refused with SQLSTATE 54000.", &max_plan_steps, 1000, 1, 1000000,
                            PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("costsim.max_plan_bytes", "Largest plan accepted, as the size of its jsonb value.",
                            "Larger plans are refused with SQLSTATE 54000.", &max_plan_bytes, 1024 * 1024, 1024,
                            1024 * 1024 * 1024 - 1, PGC_SUSET, GUC_UNIT_BYTE, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("costsim.tenant_id", "Tenant of direct SQL callers.",
                               "PostgREST callers are identified by the tenant_id claim of request.jwt.claims instead.",
                               &tenant_id, "", PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("costsim.correlation_id", "Correlation id recorded with the caller's status changes.",
                               "PostgREST callers send it as the x-correlation-id header instead.", &correlation_id, "",
                               PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("costsim.export_ttl", "How long a signed status_history export link stays valid.",
                            "Links carry their expiry; changing this affects only links made afterwards.", &export_ttl,
                            3600, 1, 7 * 24 * 3600, PGC_SUSET, GUC_UNIT_S, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("costsim.database", "Database the costsim background workers connect to.",
                               "The one where CREATE EXTENSION costsim ran.", &database, "postgres", PGC_POSTMASTER,
                               0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("costsim.worker_count", "Background workers to start (one leads, the others stand by).",
                            "0 starts none: then nothing moves an open breaker to half_open or delivers alerts.",
                            &worker_count, 1, 0, 8, PGC_POSTMASTER, 0, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("costsim.alertmanager_url", "Alertmanager the worker posts queued alerts to.",
                               "Its base URL, e.g. http://127.0.0.1:9093 (alerts go to /api/v2/alerts); empty: "
                               "alerts stay queued.",
                               &alertmanager_url, "", PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("costsim.alert_timeout_ms", "Time allowed for posting one alert to Alertmanager.", nullptr,
                            &alert_timeout_ms, 5000, 100, 60000, PGC_SIGHUP, GUC_UNIT_MS, nullptr, nullptr, nullptr);
    // The breaker's policy is the cluster's, not a session's: superusers (ALTER SYSTEM, ALTER DATABASE) set it.
    DefineCustomBoolVariable("costsim.cb_auto_trip", "Lets the drift and V2-error windows open the breaker.",
                             "Off: shadow comparisons are not recorded for the breaker, which then opens only by "
                             "hand or by canaries.",
                             &cb_auto_trip, true, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("costsim.cb_window_size", "Comparisons the breaker's drift rule looks at (the latest).",
                            "The breaker opens (P1) when their 95th-percentile drift score exceeds costsim.drift_threshold.",
                            &cb_window_size, 100, 1, max_cb_window_size, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("costsim.cb_min_samples", "Comparisons needed before the breaker's drift rule applies.",
                            nullptr, &cb_min_samples, 20, 1, max_cb_window_size, PGC_SUSET, 0, nullptr, nullptr,
                            nullptr);
    DefineCustomIntVariable("costsim.cb_failure_threshold", "Consecutive failed canaries that open the breaker (P1).",
                            nullptr, &cb_failure_threshold, 3, 1, 1000, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("costsim.schema_error_threshold", "V2 errors within an hour that open the breaker (P3).",
                            nullptr, &schema_error_threshold, 5, 1, max_schema_error_threshold, PGC_SUSET, 0,
                            nullptr, nullptr, nullptr);
    DefineCustomIntVariable("costsim.disable_ttl", "How long an automatic opening of the breaker lasts.",
                            "Doubled after each failed half-open trial, at most 7 days; reset by enable_v2.",
                            &disable_ttl, 86400, 1, 7 * 86400, PGC_SUSET, GUC_UNIT_S, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("costsim.canary_min_samples", "Fewest compared samples a canary needs to pass or fail.",
                            "With fewer (recent shadow inputs plus golden samples) it is inconclusive.",
                            &canary_min_samples, 50, 1, 1000000, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomRealVariable("costsim.canary_kl_threshold", "KL(V1 || V2) above which a canary fails.",
                             "Only when the KL is also above its 95 % noise-floor critical value for the sample size.",
                             &canary_kl_threshold, 0.1, 0.0, 1.0, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    MarkGUCPrefixReserved("costsim");
}

}  // namespace costsim::pg::settings
