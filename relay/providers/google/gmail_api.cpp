// gmail_api.cpp: the sync's requests, and Gmail's answers read.
#include "providers/google/gmail_api.hpp"

#include "config/config.hpp"
#include "protocol/json_fields.hpp"
#include "providers/google/google_oauth.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace donna::relay {
namespace {

using mjson = nlohmann::json;

upstream_request gmail_get(const config& cfg, std::string_view access_token,
                           const std::string& path_and_query)
{
    return {.method = "GET",
            .url = cfg.gmail_base_url + "/gmail/v1/users/me" + path_and_query,
            .headers = {{"Authorization", "Bearer " + std::string(access_token)},
                        {"Accept", "application/json"}},
            .body = {}};
}

result<mjson> body_of(const upstream_response& response)
{
    auto body = mjson::parse(response.body, nullptr, false);
    if (!response.ok() || !body.is_object())
        return make_error(errc::upstream_unavailable,
                          "Gmail answered HTTP " + std::to_string(response.status) +
                              (body.is_object() ? "" : " without JSON"));
    return body;
}

// A history id is a uint64 Gmail writes as a string (older answers: a number).
std::string history_id_of(const mjson& body)
{
    const auto it = body.find("historyId");
    if (it == body.end())
        return {};
    if (it->is_string())
        return it->get<std::string>();
    if (it->is_number_unsigned())
        return std::to_string(it->get<std::uint64_t>());
    return {};
}

void add_once(std::vector<std::string>& ids, std::string id)
{
    if (!id.empty() && std::find(ids.begin(), ids.end(), id) == ids.end())
        ids.push_back(std::move(id));
}

} // namespace

upstream_request gmail_profile_request(const config& cfg, std::string_view access_token)
{
    return gmail_get(cfg, access_token, "/profile");
}

upstream_request gmail_list_request(const config& cfg, std::string_view access_token,
                                    std::string_view page_token)
{
    std::string query = "/messages?labelIds=INBOX&maxResults=100";
    if (!page_token.empty())
        query += "&" + form_encode({{"pageToken", page_token}});
    return gmail_get(cfg, access_token, query);
}

upstream_request gmail_history_request(const config& cfg, std::string_view access_token,
                                       std::string_view start_history_id,
                                       std::string_view page_token)
{
    std::string query = "/history?" + form_encode({{"startHistoryId", start_history_id}}) +
                        "&historyTypes=messageAdded&labelId=INBOX&maxResults=100";
    if (!page_token.empty())
        query += "&" + form_encode({{"pageToken", page_token}});
    return gmail_get(cfg, access_token, query);
}

upstream_request gmail_raw_message_request(const config& cfg, std::string_view access_token,
                                           std::string_view message_id)
{
    return gmail_get(cfg, access_token,
                     "/messages/" + boost::urls::encode(message_id, boost::urls::unreserved_chars) +
                         "?format=raw");
}

gmail_refusal read_gmail_refusal(const upstream_response& response, bool history_call)
{
    gmail_refusal refusal{.status = response.status};
    const auto body = mjson::parse(response.body, nullptr, false);
    if (body.is_object())
        if (const auto e = body.find("error"); e != body.end() && e->is_object()) {
            refusal.message = json_string_member(*e, "message");
            if (const auto errors = e->find("errors"); errors != e->end() && errors->is_array() &&
                                                       !errors->empty() &&
                                                       errors->front().is_object())
                refusal.reason = json_string_member(errors->front(), "reason");
        }
    refusal.retry = response.status == 429 || response.status >= 500 ||
                    (response.status == 403 && (refusal.reason == "rateLimitExceeded" ||
                                                refusal.reason == "userRateLimitExceeded"));
    refusal.history_expired = history_call && response.status == 404;
    return refusal;
}

result<gmail_page> read_gmail_list(const upstream_response& response)
{
    auto body = body_of(response);
    if (!body)
        return body.error();
    gmail_page page;
    page.next_page_token = json_string_member(*body, "nextPageToken");
    if (const auto messages = body->find("messages");
        messages != body->end() && messages->is_array())
        for (const auto& m : *messages)
            if (m.is_object())
                add_once(page.message_ids, json_string_member(m, "id"));
    return page;
}

result<gmail_page> read_gmail_history(const upstream_response& response)
{
    auto body = body_of(response);
    if (!body)
        return body.error();
    gmail_page page;
    page.next_page_token = json_string_member(*body, "nextPageToken");
    page.history_id = history_id_of(*body);
    if (const auto history = body->find("history"); history != body->end() && history->is_array())
        for (const auto& h : *history) {
            if (!h.is_object())
                continue;
            const auto added = h.find("messagesAdded");
            if (added == h.end() || !added->is_array())
                continue;
            for (const auto& a : *added)
                if (a.is_object())
                    if (const auto m = a.find("message"); m != a.end() && m->is_object())
                        add_once(page.message_ids, json_string_member(*m, "id"));
        }
    return page;
}

result<gmail_page> read_gmail_profile(const upstream_response& response)
{
    auto body = body_of(response);
    if (!body)
        return body.error();
    gmail_page page;
    page.history_id = history_id_of(*body);
    if (page.history_id.empty())
        return make_error(errc::upstream_unavailable, "Gmail's profile has no historyId");
    return page;
}

} // namespace donna::relay
