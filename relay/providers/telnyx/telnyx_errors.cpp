// telnyx_errors.cpp: Telnyx's error bodies and statuses, in the relay's words.
#include "providers/telnyx/telnyx_errors.hpp"

#include "protocol/json_fields.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>

namespace donna::relay {
namespace {

using json = nlohmann::json;

// "10016" or 10016: Telnyx's spec types the code as a string; be lenient with a number.
std::string code_text(const json& error)
{
    const auto* code = json_member(error, "code");
    if (code == nullptr)
        return {};
    if (code->is_string())
        return code->get<std::string>();
    if (code->is_number_integer())
        return std::to_string(code->get<std::int64_t>());
    return {};
}

telnyx_error error_of(const json& item)
{
    telnyx_error e;
    if (!item.is_object())
        return e;
    e.code = code_text(item);
    e.title = json_string_member(item, "title");
    e.detail = json_string_member(item, "detail");
    if (const auto* source = json_member(item, "source"); source != nullptr && source->is_object())
        e.pointer = json_string_member(*source, "pointer");
    return e;
}

std::optional<std::chrono::milliseconds> retry_after_of(const upstream_response& response)
{
    const auto text = response.header("Retry-After");
    int seconds = 0;
    const auto* end = text.data() + text.size();
    const auto parsed = std::from_chars(text.data(), end, seconds);
    if (text.empty() || parsed.ec != std::errc() || parsed.ptr != end || seconds < 0)
        return std::nullopt;
    return std::chrono::milliseconds(std::int64_t{seconds} * 1000);
}

// "Invalid phone number: The phone number is invalid. (/to, code 10002)" for each error.
std::string describe(const std::vector<telnyx_error>& errors)
{
    std::string text;
    for (const auto& e : errors) {
        if (!text.empty())
            text += "; ";
        text += e.title.empty() ? std::string("error") : e.title;
        if (!e.detail.empty() && e.detail != e.title)
            text += ": " + e.detail;
        std::string where;
        if (!e.pointer.empty())
            where = e.pointer;
        if (!e.code.empty())
            where += (where.empty() ? "code " : ", code ") + e.code;
        if (!where.empty())
            text += " (" + where + ")";
    }
    return text;
}

} // namespace

int telnyx_failure::http_status() const
{
    if (retry)
        return 503;
    if (status == 404 || status == 422)
        return static_cast<int>(status);
    return 502;
}

std::vector<telnyx_error> telnyx_errors_of(const std::string& body)
{
    std::vector<telnyx_error> out;
    const auto parsed = json::parse(body, nullptr, false);
    if (!parsed.is_object())
        return out;
    const auto* errors = json_member(parsed, "errors");
    return errors == nullptr ? out : telnyx_errors_in(*errors);
}

std::vector<telnyx_error> telnyx_errors_in(const json& errors)
{
    std::vector<telnyx_error> out;
    if (errors.is_array())
        for (const auto& item : errors)
            out.push_back(error_of(item));
    return out;
}

telnyx_failure telnyx_failure_of(const upstream_response& response)
{
    telnyx_failure f;
    f.status = response.status;
    f.errors = telnyx_errors_of(response.body);
    const auto said = describe(f.errors);
    const auto with = [&](const std::string& text) {
        return said.empty() ? text : text + ": " + said;
    };
    const auto has_code = [&](std::string_view code) {
        return std::any_of(f.errors.begin(), f.errors.end(),
                           [&](const telnyx_error& e) { return e.code == code; });
    };
    const auto status = response.status;
    if (status == 401) {
        f.code = "telnyx_unauthorized";
        f.message = with("Telnyx refused the relay's TELNYX_API_KEY (401)");
    } else if (status == 403) {
        f.code = "telnyx_forbidden";
        f.message = with("Telnyx does not allow this account to do that (403)");
    } else if (status == 404) {
        f.code = "telnyx_not_found";
        f.message = with("Telnyx knows no such resource (404)");
    } else if (status == 422 && has_code("90018")) {
        f.code = "telnyx_call_ended";
        f.message = with("the call has already ended (422)");
    } else if (status == 422) {
        f.code = "telnyx_invalid_request";
        f.message = with("Telnyx refused the request as invalid (422)");
    } else if (status == 429) {
        f.code = "telnyx_rate_limited";
        f.message = with("Telnyx asked the relay to slow down (429)");
        f.retry = true;
        f.retry_after = retry_after_of(response);
    } else if (status >= 500 || status == 408) {
        f.code = "telnyx_unavailable";
        f.message = with("Telnyx failed for now (" + std::to_string(status) + ")");
        f.retry = true;
        f.retry_after = retry_after_of(response);
    } else {
        f.code = "telnyx_refused";
        f.message = with("Telnyx answered " + std::to_string(status));
    }
    return f;
}

telnyx_failure telnyx_unreachable(const error& why)
{
    telnyx_failure f;
    f.code = "telnyx_unavailable";
    f.message = "Telnyx could not be reached: " + why.message;
    f.retry = true;
    return f;
}

} // namespace donna::relay
