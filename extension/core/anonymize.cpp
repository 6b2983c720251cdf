#include "core/anonymize.hpp"

#include <string>
#include <string_view>

namespace costsim {
namespace {

// The URL prefixes V2 treats as local (spec section 3), kept so that a local URL stays local.
constexpr std::string_view local_url_prefixes[] = {"http://localhost", "http://127.0.0.1"};

std::string crosses(std::size_t count) { return std::string(count, 'x'); }

// Every string (not the keys) becomes as many 'x' as it has code points; the rest is kept.
json::Value anonymize_value(const json::Value& value)
{
    switch (value.kind()) {
    case json::Kind::string:
        return crosses(json::char_count(value.as_string()));
    case json::Kind::array: {
        json::Array items;
        items.reserve(value.as_array().size());
        for (const json::Value& item : value.as_array()) items.push_back(anonymize_value(item));
        return items;
    }
    case json::Kind::object: {
        json::Object members;
        members.reserve(value.as_object().size());
        for (const json::Member& member : value.as_object())
            members.emplace_back(member.first, anonymize_value(member.second));
        return members;
    }
    default:
        return value;
    }
}

// A text the simulators measure (prompt, command): 'x' as long as the string, or as the canonical JSON text of
// anything else, which is what parse_plan counts.
json::Value anonymize_text(const json::Value& text)
{
    return crosses(json::char_count(text.is_string() ? text.as_string() : json::canonical(text)));
}

json::Value anonymize_url(const json::Value& url)
{
    if (!url.is_string()) return anonymize_value(url);
    const std::string& text = url.as_string();
    for (const std::string_view prefix : local_url_prefixes)
        if (text.compare(0, prefix.size(), prefix) == 0)
            return std::string(prefix) + crosses(json::char_count(std::string_view(text).substr(prefix.size())));
    return crosses(json::char_count(text));
}

json::Value anonymize_params(const json::Value& params)
{
    if (!params.is_object()) return anonymize_value(params);
    json::Object members;
    members.reserve(params.as_object().size());
    for (const auto& [key, value] : params.as_object()) {
        if (key == "url")
            members.emplace_back(key, anonymize_url(value));
        else if (key == "prompt" || key == "command")
            members.emplace_back(key, anonymize_text(value));
        else
            members.emplace_back(key, anonymize_value(value));
    }
    return members;
}

json::Value anonymize_step(const json::Value& step)
{
    if (!step.is_object()) return anonymize_value(step);
    json::Object members;
    members.reserve(step.as_object().size());
    for (const auto& [key, value] : step.as_object()) {
        if (key == "skill" && value.is_string())
            members.emplace_back(key, value);
        else if (key == "params")
            members.emplace_back(key, anonymize_params(value));
        else
            members.emplace_back(key, anonymize_value(value));
    }
    return members;
}

}  // namespace

json::Value anonymize_plan(const json::Value& plan)
{
    if (!plan.is_array()) return anonymize_value(plan);
    json::Array steps;
    steps.reserve(plan.as_array().size());
    for (const json::Value& step : plan.as_array()) steps.push_back(anonymize_step(step));
    return steps;
}

}  // namespace costsim
