// Who is calling: the tenant, the actor and the correlation id of the current request, from what PostgREST sets
// (request.jwt.claims, request.headers) or, for direct SQL callers, the costsim.* settings.
#pragma once

extern "C" {
#include "postgres.h"
}

namespace costsim::pg {

// C phase: the tenant_id claim of request.jwt.claims, else costsim.tenant_id, else "default".
const char* current_tenant();

struct Actor {
    const char* type;  // "user" (a JWT caller) or "role" (a database role)
    const char* id;    // the sub claim, or the current role's name
};
// C phase: the JWT caller when request.jwt.claims has a sub claim, else the current role.
Actor current_actor();

// C phase: the x-correlation-id header of request.headers, else costsim.correlation_id; nullptr when neither.
const char* current_correlation_id();

// C phase: whether the current role is a superuser or has the privileges of costsim_admin.
bool caller_is_admin();

}  // namespace costsim::pg
