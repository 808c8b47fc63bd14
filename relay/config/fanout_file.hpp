// fanout_file.hpp: where the relay forwards the events it receives (DONNA_FANOUT_FILE): each
// endpoint's URL, the event types it wants, and the secret its deliveries are signed with.
// The secret itself is not in the file (secrets live in the environment or .env): the file
// names the variable that holds it.
//
//   {"endpoints": [{"id": "crm", "url": "https://crm.example/hooks/donna",
//                   "events": ["call.*", "message.finalized"],
//                   "secret_env": "DONNA_FANOUT_SECRET_CRM", "max_attempts": 12}]}
//
//   auto endpoints = read_fanout_file("fanout.json", env);   // errors name the endpoint
//   if (endpoints->front().wants("call.hangup")) ...
//
// Rules: `id` [a-z0-9-]{1,64}, unique; `url` an absolute http(s) URL; `events` a non-empty
// array of event types, each exact ("message.finalized"), a family ("call.*") or everything
// ("*"); `secret_env` names a set variable of at least 32 characters; `max_attempts` 1 to 100
// (default 10). Unknown fields are an error.
#pragma once

#include "core/error.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace donna::relay {

struct fanout_endpoint {
    std::string id;
    std::string url;
    std::vector<std::string> events;
    std::string secret_env;
    std::string secret; // the variable's value
    int max_attempts = 10;

    bool wants(std::string_view event_type) const;
};

using environment_lookup = std::function<std::optional<std::string>(const std::string& name)>;

// Errors: invalid_json, not_an_object, missing_field, wrong_type, out_of_range,
// invalid_argument; each names the endpoint (index and id) and the field.
result<std::vector<fanout_endpoint>> parse_fanout(std::string_view json_text,
                                                  const environment_lookup& env);
// As parse_fanout, reading the file.
result<std::vector<fanout_endpoint>> read_fanout_file(const std::filesystem::path& path,
                                                      const environment_lookup& env);

} // namespace donna::relay
