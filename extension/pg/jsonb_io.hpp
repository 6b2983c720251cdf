// jsonb in and out of the core's JSON values.
#pragma once

#include "core/json.hpp"

extern "C" {
#include "postgres.h"
}

namespace costsim::pg {

// C phase: the JSON text of a jsonb value (the core parses it).
char* jsonb_text(Datum jsonb);
// C phase: a jsonb value from JSON text.
Datum jsonb_from_text(const char* text);
// C++ phase: a jsonb value built straight from a JSON object or array (anything else is an internal
// error), with no text in between.
// Throws PgError if PostgreSQL raises, Error(invalid_input) for a non-finite number.
Datum to_jsonb(const json::Value& value);

}  // namespace costsim::pg
