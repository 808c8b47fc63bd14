// gmail_api.hpp: the Gmail API calls an inbox sync makes, free of I/O (../shared/API-NOTES.md
// section 6; developers.google.com/gmail/api/guides/sync): the mailbox's current history id
// (users.getProfile), a full listing of the inbox (users.messages.list, on the first sync or
// when the stored history id has expired), the changes since a history id
// (users.history.list, messageAdded in INBOX), one message as written (format=raw), and
// Gmail's refusals, told apart: a rate limit to wait out, an expired history id to start over
// from, anything else.
//
//   auto r = gmail_history_request(cfg, token, stored_history_id, page_token);
//   auto changes = read_gmail_history(response);   // added ids, next page, the new history id
#pragma once

#include "core/error.hpp"
#include "upstream/http_client.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace donna::relay {

struct config;

// GET {GMAIL_BASE_URL}/gmail/v1/users/me/profile: {"emailAddress","historyId",...}.
upstream_request gmail_profile_request(const config& cfg, std::string_view access_token);
// GET .../users/me/messages?labelIds=INBOX&maxResults=100[&pageToken=]
upstream_request gmail_list_request(const config& cfg, std::string_view access_token,
                                    std::string_view page_token = {});
// GET .../users/me/history?startHistoryId=&historyTypes=messageAdded&labelId=INBOX
// &maxResults=100[&pageToken=]
upstream_request gmail_history_request(const config& cfg, std::string_view access_token,
                                       std::string_view start_history_id,
                                       std::string_view page_token = {});
// GET .../users/me/messages/<id>?format=raw
upstream_request gmail_raw_message_request(const config& cfg, std::string_view access_token,
                                           std::string_view message_id);

// How Gmail refused: `retry` for a rate limit (429, or 403 rateLimitExceeded /
// userRateLimitExceeded) and 5xx; `history_expired` for history.list's 404 (the stored id is
// older than Gmail keeps: list the inbox again).
struct gmail_refusal {
    unsigned status = 0;
    std::string reason = {};  // error.errors[0].reason ("rateLimitExceeded", "notFound", ...)
    std::string message = {}; // error.message
    bool retry = false;
    bool history_expired = false;
};
gmail_refusal read_gmail_refusal(const upstream_response& response, bool history_call = false);

struct gmail_page {
    std::vector<std::string> message_ids; // in Gmail's order, each once
    std::string next_page_token;          // "" : the last page
    std::string history_id;               // history.list and getProfile: the mailbox's now
};
// users.messages.list's answer.
result<gmail_page> read_gmail_list(const upstream_response& response);
// users.history.list's answer: the ids of messages added to the inbox.
result<gmail_page> read_gmail_history(const upstream_response& response);
// users.getProfile's answer: its historyId (in gmail_page::history_id).
result<gmail_page> read_gmail_profile(const upstream_response& response);

} // namespace donna::relay
