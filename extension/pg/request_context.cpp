#include "core/errors.hpp"
#include "core/json.hpp"

#include <cstring>
#include <string>

#include "pg/boundary.hpp"
#include "pg/request_context.hpp"
#include "pg/settings.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
}

namespace costsim::pg {
namespace {

// Members of a JSON object setting (request.jwt.claims, request.headers), parsed once per distinct text:
// PostgREST sets the same text for a whole request. Values live in TopMemoryContext; nullptr = absent.
template <int N>
struct ParsedSetting {
    const char* setting;
    const char* members[N];
    char* text = nullptr;
    char* values[N] = {};

    // The member values of the setting's current text (all nullptr when it is unset or empty).
    char* const* current()
    {
        const char* now = GetConfigOption(setting, true, false);
        if (!now || !*now) {
            static char* const none[N] = {};
            return none;
        }
        if (text && strcmp(text, now) == 0) return values;
        char* parsed[N] = {};
        Failure failure;
        if (!run_core(failure, [&] {
                json::Value object;
                try {
                    object = json::parse(now);
                } catch (const json::ParseError& error) {
                    throw Error(ErrorKind::invalid_input, std::string(setting) + ": " + error.what());
                }
                for (int i = 0; i < N; ++i) {
                    const json::Value* member = object.is_object() ? object.find(members[i]) : nullptr;
                    if (member && member->is_string() && !member->as_string().empty())
                        parsed[i] = copy_string(member->as_string(), TopMemoryContext);
                    else if (member && member->is_number())
                        parsed[i] = copy_string(json::format_number(member->as_number()), TopMemoryContext);
                }
            }))
            raise(failure);
        if (text) pfree(text);
        for (int i = 0; i < N; ++i) {
            if (values[i]) pfree(values[i]);
            values[i] = parsed[i];
        }
        text = MemoryContextStrdup(TopMemoryContext, now);
        return values;
    }
};

ParsedSetting<2> claims{"request.jwt.claims", {"tenant_id", "sub"}};
ParsedSetting<1> headers{"request.headers", {"x-correlation-id"}};

}  // namespace

const char* current_tenant()
{
    if (const char* tenant = claims.current()[0]) return tenant;
    if (settings::tenant_id && *settings::tenant_id) return settings::tenant_id;
    return "default";
}

Actor current_actor()
{
    if (const char* subject = claims.current()[1]) return Actor{"user", subject};
    return Actor{"role", GetUserNameFromId(GetUserId(), false)};
}

const char* current_correlation_id()
{
    if (const char* header = headers.current()[0]) return header;
    if (settings::correlation_id && *settings::correlation_id) return settings::correlation_id;
    return nullptr;
}

bool caller_is_admin()
{
    if (superuser()) return true;
    const Oid admin = get_role_oid("costsim_admin", true);
    return OidIsValid(admin) && has_privs_of_role(GetUserId(), admin);
}

}  // namespace costsim::pg

extern "C" {

PG_FUNCTION_INFO_V1(costsim_current_tenant);
// costsim.current_tenant() RETURNS text: the tenant row-level security scopes the caller to.
Datum costsim_current_tenant(PG_FUNCTION_ARGS) { PG_RETURN_TEXT_P(cstring_to_text(costsim::pg::current_tenant())); }
}
