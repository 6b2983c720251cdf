// costsim.provenance: one row per shadowed evaluation.
#pragma once

#include "core/shadow.hpp"

#include <cstdint>

extern "C" {
#include "postgres.h"
}

namespace costsim::pg {

// A provenance row as plain C values (strings palloc'd; nullptr = SQL NULL), so that the C phase can write it.
struct ProvenanceRow {
    const char* tenant_id = nullptr;
    const char* run_id = nullptr;
    const char* source = nullptr;
    const char* status = nullptr;  // "ok" | "error"
    const char* error = nullptr;
    Datum input = 0;  // the plan (jsonb)
    std::int64_t budget_cents = 0;
    Datum allowed_skills = 0;  // text[] or 0 for NULL
    const char* input_hash = nullptr;
    const char* v2_model_version = nullptr;
    const char* v1_output_hash = nullptr;
    const char* v2_output_hash = nullptr;
    std::int64_t v1_cost_cents = 0, v2_cost_cents = 0;
    double v1_duration_ms = 0, v2_duration_ms = 0;
    bool v1_feasible = false, v2_feasible = false;
    const char* v1_status = nullptr;
    const char* v2_status = nullptr;
    double v2_confidence = 0, drift_score = 0;
    const char* verdict = nullptr;
    std::int64_t v1_runtime_us = 0, v2_runtime_us = 0;
    bool has_v2 = false;
    bytea* diff_gzip = nullptr;  // the diff artifact, for major_drift and mismatch verdicts
};

// C++ phase: the record's values into the row (strings copied with copy_string).
void describe_shadow(ProvenanceRow& row, const ShadowRecord& record);

// C phase: inserts the row as the table's owner (callers need no privilege on the table), and its diff artifact
// when it has one; returns the provenance row's id.
std::int64_t insert_provenance(const ProvenanceRow& row);

}  // namespace costsim::pg
