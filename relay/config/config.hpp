// config.hpp: the relay's settings: keys, upstream base URLs, limits and customer sites.
//
// Sources, first match wins: the process environment, then the `.env` file (DONNA_ENV_FILE,
// default ./.env), then the defaults below. Every default works on a developer's machine with
// no configuration at all: the relay listens on 127.0.0.1:8080, serves the built client, and
// features whose key is missing are off (and say why on /readyz). Invalid values stop start-up
// (and are refused on reload) with a message that names the variable. Variable names follow
// the original system (OPENAI_API_KEY, ELEVENLABS_API_KEY, SMTP_*, TELNYX_*...); DONNA_* are
// our own.
//
//   auto cfg = donna::relay::load_config(donna::relay::process_environment_with_dotenv());
//   if (!cfg) { std::cerr << cfg.error().message << '\n'; return 2; }
#pragma once

#include "config/fanout_file.hpp"
#include "config/sites.hpp"
#include "core/error.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace donna::relay {

// Where a realtime session's events go: the real OpenAI Realtime API, the local simulated
// upstream (demo mode: never used when a key is present), or nowhere (a clear error event).
enum class realtime_mode { openai, demo, off };

struct config {
    // --- server ---
    std::string listen_address = "127.0.0.1"; // DONNA_LISTEN_ADDRESS
    std::uint16_t port = 8080;                // DONNA_PORT (0 picks a free port)
    std::string web_root = "web";             // DONNA_WEB_ROOT: the built client's files
    int threads = 2;                          // DONNA_THREADS: I/O threads (1..64)
    std::string tls_cert_file;                // DONNA_TLS_CERT: PEM chain; with DONNA_TLS_KEY
    std::string tls_key_file;                 // DONNA_TLS_KEY: PEM private key
    int shutdown_grace_ms = 10000;            // DONNA_SHUTDOWN_GRACE_MS: SIGTERM drain deadline
    // HTTP deadlines, one per phase of a request (server/http_session), in seconds:
    int http_idle_seconds = 30;    // DONNA_HTTP_IDLE_SECONDS: a kept-alive connection's wait
    int http_header_seconds = 10;  // DONNA_HTTP_HEADER_SECONDS: a head, from its first byte
    int http_body_seconds = 30;    // DONNA_HTTP_BODY_SECONDS: a body of up to 64 KiB
    int http_upload_seconds = 120; // DONNA_HTTP_UPLOAD_SECONDS: a larger body (an upload)
    int http_write_seconds = 30;   // DONNA_HTTP_WRITE_SECONDS: each write of an answer (a
                                   // streamed answer's deadline renews with every chunk)
    // The durable job runner (jobs/job_runner), read at start-up:
    int job_poll_ms = 1000;      // DONNA_JOB_POLL_MS: how often due jobs are looked for
    int job_retry_ms = 5000;     // DONNA_JOB_RETRY_MS: the first wait before a failed job's retry
    int job_lease_seconds = 300; // DONNA_JOB_LEASE_SECONDS: a claimed job's lease (a worker
                                 // that dies holding it: the job runs again after this)

    // --- access ---
    std::string token_secret;    // DONNA_TOKEN_SECRET (>= 32 chars); unset: random per process
    int token_ttl_seconds = 300; // DONNA_TOKEN_TTL_SECONDS
    std::string sites_file;      // DONNA_SITES_FILE; unset: one site "demo" for the relay's page
    site_directory sites;        // parsed from sites_file (or default_sites())
    std::string fanout_file;     // DONNA_FANOUT_FILE; unset: events are not forwarded
    std::vector<fanout_endpoint> fanout; // parsed from fanout_file, secrets resolved
    bool demo = false;         // DONNA_DEMO=1: simulated upstream when no OpenAI key is set
    std::string personas_file; // DONNA_PERSONAS_FILE; unset: the built-in personas

    // --- limits ---
    std::size_t max_message_bytes = std::size_t{1} << 20; // DONNA_MAX_MESSAGE_BYTES
    int max_audio_seconds_per_session = 1800;             // DONNA_MAX_AUDIO_SECONDS_PER_SESSION
    int max_audio_seconds_per_minute = 75;                // DONNA_MAX_AUDIO_SECONDS_PER_MINUTE
    int max_sessions_per_ip = 8;                          // DONNA_MAX_SESSIONS_PER_IP
    int max_sessions_per_token = 2;                       // DONNA_MAX_SESSIONS_PER_TOKEN
    int upstream_connect_timeout_ms = 10000;              // DONNA_UPSTREAM_CONNECT_TIMEOUT_MS
    int upstream_connect_attempts = 4;                    // DONNA_UPSTREAM_CONNECT_ATTEMPTS
    int upstream_backoff_ms = 250;                        // DONNA_UPSTREAM_BACKOFF_MS: first wait
    std::string upstream_ca_file; // DONNA_UPSTREAM_CA_FILE: PEM CAs trusted besides the system's
    std::string prices_file;      // DONNA_PRICES_FILE: the price table for cost metrics
    std::string database = "donna.db"; // DONNA_DATABASE: SQLite file (":memory:" for none)
    std::string admin_token;           // DONNA_ADMIN_TOKEN: staff and server-to-server calls
    int memory_prompt_tokens = 500;    // DONNA_MEMORY_PROMPT_TOKENS: memories in a prompt

    // --- upstream REST limits (the seed's defaults) and text chat ---
    int openai_requests_per_minute = 60;      // DONNA_OPENAI_REQUESTS_PER_MINUTE
    int elevenlabs_requests_per_minute = 100; // DONNA_ELEVENLABS_REQUESTS_PER_MINUTE
    int gmail_requests_per_100s = 1000;       // DONNA_GMAIL_REQUESTS_PER_100S
    int chat_messages_per_minute = 20;        // DONNA_CHAT_MESSAGES_PER_MINUTE (per visitor)
    int chat_max_characters = 4000;           // DONNA_CHAT_MAX_CHARACTERS (one message)
    int chat_history_tokens = 4000;           // DONNA_CHAT_HISTORY_TOKENS (kept per conversation)
    int chat_timeout_ms = 30000;              // DONNA_CHAT_TIMEOUT_MS (a whole reply)
    bool moderation = true;                   // DONNA_MODERATION=0 turns moderation off
    std::string moderation_model = "omni-moderation-latest"; // DONNA_MODERATION_MODEL
    int moderation_cooldown_seconds = 60; // DONNA_MODERATION_COOLDOWN_SECONDS (after a flag)
    bool chat_tools = true; // DONNA_CHAT_TOOLS=0: no actions (take_message, send_email, ...)

    // --- OpenAI ---
    std::string openai_api_key;                                // OPENAI_API_KEY
    std::string openai_base_url = "https://api.openai.com/v1"; // OPENAI_BASE_URL
    // Default models chosen 2026-12-07 from OpenAI's deprecations page, transcription guide
    // and model pages (docs/relay.md "Models"): gpt-realtime shuts down 2027-01-20 with
    // gpt-realtime-2.1 as its replacement; whisper-1 2027-02-26 with gpt-transcribe.
    std::string openai_realtime_model = "gpt-realtime-2.1"; // OPENAI_REALTIME_MODEL

    // --- ElevenLabs ---
    std::string elevenlabs_api_key;                                // ELEVENLABS_API_KEY
    std::string elevenlabs_base_url = "https://api.elevenlabs.io"; // ELEVENLABS_BASE_URL
    std::string default_voice_id = "XcXEQzuLXRU9RcfWzEJt";         // DEFAULT_VOICE_ID
    std::string voice_model = "eleven_multilingual_v2";            // VOICE_MODEL
    int speech_max_characters = 2500;       // DONNA_SPEECH_MAX_CHARACTERS (one POST /v1/speech)
    int speech_requests_per_minute = 20;    // DONNA_SPEECH_REQUESTS_PER_MINUTE (per visitor)
    int voices_cache_seconds = 300;         // DONNA_VOICES_CACHE_SECONDS (GET /v1/voices)
    int drive_upload_max_bytes = 104857600; // DONNA_DRIVE_UPLOAD_MAX_BYTES (admin uploads)
    int voice_upload_max_bytes = 10485760;  // DONNA_VOICE_UPLOAD_MAX_BYTES (cloning samples)

    // --- transcription: voice chat (POST /v1/voice-chat) and the visitor's words in Realtime ---
    std::string transcription_model = "gpt-transcribe"; // DONNA_TRANSCRIPTION_MODEL
    std::string transcription_language = "en"; // DONNA_TRANSCRIPTION_LANGUAGE ("" = detect)
    int voice_chat_max_seconds = 60;           // DONNA_VOICE_CHAT_MAX_SECONDS (one turn)

    // --- model lifecycle (relay/models/model_watch) ---
    bool model_check = true;           // DONNA_MODEL_CHECK=0: never ask for the model list
    int model_shutdown_warn_days = 60; // DONNA_MODEL_SHUTDOWN_WARN_DAYS: warn this long ahead

    // --- Google (OAuth2, Gmail, Drive) ---
    std::string gmail_client_id, gmail_client_secret;    // GMAIL_CLIENT_ID / _SECRET
    std::string gmail_refresh_token, gmail_access_token; // GMAIL_REFRESH_TOKEN / _ACCESS_TOKEN
    std::string google_client_id, google_client_secret;  // GOOGLE_CLIENT_ID / _SECRET
    std::string google_redirect_uri;                     // GOOGLE_REDIRECT_URI
    std::string google_auth_url = "https://accounts.google.com/o/oauth2/v2/auth"; // GOOGLE_AUTH_URL
    std::string google_token_url = "https://oauth2.googleapis.com/token";   // GOOGLE_TOKEN_URL
    std::string google_revoke_url = "https://oauth2.googleapis.com/revoke"; // GOOGLE_REVOKE_URL
    // What a connected Google account grants DONNA (space-separated; a short name gets
    // Google's https://www.googleapis.com/auth/ prefix): read and label mail, send mail, and
    // the Drive files DONNA creates.
    std::string google_scopes = "gmail.modify gmail.send drive.file"; // GOOGLE_SCOPES
    std::string google_drive_folder_id; // GOOGLE_DRIVE_FOLDER_ID: where DONNA files go ("": root)
    // A service account's key file (JSON from the Google Cloud console): DONNA's Google
    // credentials when no account was connected by consent.
    std::string google_service_account_file;                          // GOOGLE_SERVICE_ACCOUNT_FILE
    std::string gmail_base_url = "https://gmail.googleapis.com";      // GMAIL_BASE_URL
    std::string google_drive_base_url = "https://www.googleapis.com"; // GOOGLE_DRIVE_BASE_URL

    // --- SMTP ---
    std::string smtp_host;                // SMTP_HOST
    int smtp_port = 587;                  // SMTP_PORT
    std::string smtp_username;            // SMTP_USERNAME
    std::string smtp_password;            // SMTP_PASSWORD
    std::string smtp_encryption = "tls";  // SMTP_ENCRYPTION: tls (STARTTLS) | ssl | none
    std::string smtp_from_email;          // SMTP_FROM_EMAIL
    std::string smtp_from_name = "DONNA"; // SMTP_FROM_NAME

    // --- Telnyx ---
    std::string telnyx_api_key;                                // TELNYX_API_KEY
    std::string telnyx_base_url = "https://api.telnyx.com/v2"; // TELNYX_BASE_URL
    std::string telnyx_public_key;             // TELNYX_PUBLIC_KEY (webhook Ed25519, base64)
    std::string telnyx_webhook_secret;         // TELNYX_WEBHOOK_SECRET
    std::string telnyx_webhook_url;            // TELNYX_WEBHOOK_URL
    std::string telnyx_connection_id;          // TELNYX_CONNECTION_ID
    std::string telnyx_messaging_profile_id;   // TELNYX_MESSAGING_PROFILE_ID
    std::string telnyx_phone_number;           // TELNYX_PHONE_NUMBER
    std::string voice_provider = "telnyx";     // VOICE_PROVIDER
    std::string messaging_provider = "telnyx"; // MESSAGING_PROVIDER (names checked by
                                               // telephony/phone_providers at start-up)
    // The relay's public origin (https://relay.example.com), where the phone provider opens a
    // call's media stream; unset: the origin of TELNYX_WEBHOOK_URL.
    std::string public_url; // DONNA_PUBLIC_URL
    // What a call's Realtime session hears and speaks: "convert" (24 kHz PCM16, wideband
    // calls kept wideband) or "g711" (a G.711 call's bytes straight through; calls are asked
    // for PCMU or PCMA). audio/phone_audio_bridge.hpp says what each costs.
    std::string phone_audio = "convert"; // DONNA_PHONE_AUDIO
    // The key secrets kept at rest are sealed under (auth/sealed_secret: 32 bytes, base64),
    // and the one it replaced during a rotation.
    std::string data_key;          // DONNA_DATA_KEY
    std::string data_key_previous; // DONNA_DATA_KEY_PREVIOUS

    realtime_mode realtime() const;
    // Whether texts can go out: Telnyx needs its key and a number or messaging profile to send
    // from; another provider (registered in telephony/phone_providers) is taken as ready.
    bool texting_configured() const;
    // The relay's public origin ("https://host[:port]"), from DONNA_PUBLIC_URL or else
    // TELNYX_WEBHOOK_URL's; "" when neither is set (or neither is an http(s) URL).
    std::string public_origin() const;
    // Where a call's media stream connects: "wss://<public origin>/v1/phone/media" (ws:// for
    // an http origin), from DONNA_PUBLIC_URL or else TELNYX_WEBHOOK_URL's origin; "" when
    // neither is set, and the relay cannot answer calls.
    std::string phone_media_url() const;
    // Whether calls pass G.711 straight through: DONNA_PHONE_AUDIO=g711 with OpenAI's
    // Realtime API (the demo upstream speaks 24 kHz PCM16 only).
    bool phone_passes_g711() const;
    // Every secret value that is set: the logger redacts each of them wherever it appears.
    std::vector<std::string> secrets() const;
};

// Looks a variable up; returns nullopt when unset. Tests pass a map, main() the process
// environment layered over the .env file.
using environment = std::function<std::optional<std::string>(const std::string& name)>;

std::optional<std::string> process_environment(const std::string& name);

// The process environment, then the .env file named by DONNA_ENV_FILE (default ".env"; a
// missing file is fine, an unreadable or malformed one is an error naming its line).
result<environment> process_environment_with_dotenv();

result<config> load_config(const environment& env);

// Settings that only take effect at start-up (listen address, port, threads, TLS files):
// a reload that changes them reports their names so the operator knows to restart.
std::vector<std::string> restart_required_changes(const config& running, const config& loaded);

} // namespace donna::relay
