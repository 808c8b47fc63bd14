// google_endpoint.hpp: connecting the business's Google account (google/google_account).
//
//   POST   /v1/google/connect   (admin)  -> {"authorization_url","expires_at"} and a cookie
//                                           binding the flow to this browser
//   GET    /v1/google/callback?code=&state=   (Google's redirect, in that browser)
//                                        -> an HTML page: connected, or why not
//   GET    /v1/google           (admin)  -> {"connection":{state, source, scopes,
//                                            connected_at, broken_reason, what_to_do}}
//   DELETE /v1/google           (admin)  -> the token revoked at Google, the connection gone
//   POST   /v1/google/drive/files?name=<file name>   (admin; the body is the file, its
//          Content-Type the file's)  -> 201 {"file":{id,name,mime_type,size}} in
//          GOOGLE_DRIVE_FOLDER_ID, by a resumable upload (google/drive_upload)
//
// The admin's page calls connect with the admin token, then sends the browser to
// authorization_url; Google sends it back to GOOGLE_REDIRECT_URI, which is this relay's
// /v1/google/callback. The callback needs no token: the signed single-use state and the
// cookie (HttpOnly, SameSite=Lax, path /v1/google/callback, consent_seconds) prove the
// browser that started the flow is the one finishing it.
//
// Refusals (JSON for the admin routes, HTML pages for the callback, each counted in
// donna_errors_total): 401 missing_admin_token, 403 admin_token_required, 503
// google_not_configured (the message names the setting), 400 oauth_state_invalid (forged,
// replayed, someone else's), 400 oauth_state_expired, 403 google_consent_declined, 502
// google_token_refused (Google refused the code), 503 google_unavailable, 500 storage_error;
// for an upload, 400 invalid_request (no name, an empty body), 413 payload_too_large (over
// DONNA_DRIVE_UPLOAD_MAX_BYTES), 409 google_not_connected, 502 drive_upload_failed.
#pragma once

#include "http/router.hpp"

namespace donna::relay {

class google_account;
class http_client;
class logger;
class settings_source;
struct relay_metrics;

struct google_endpoint_deps {
    const settings_source& settings;
    relay_metrics& metrics;
    logger& log;
    google_account& google;
    http_client& client; // Drive uploads
};

inline constexpr std::string_view google_path = "/v1/google";
inline constexpr std::string_view google_callback_path = "/v1/google/callback";
inline constexpr std::string_view google_binding_cookie = "donna_google_consent";

// /v1/google and /v1/google/connect (admin).
route google_route(const google_endpoint_deps& deps);
// /v1/google/callback (Google's redirect).
route google_callback_route(const google_endpoint_deps& deps);

} // namespace donna::relay
