// config.cpp: one table of settings (name, member, kind); one loop reads and validates them.
#include "config/config.hpp"

#include "core/contact_address.hpp"

#include "config/dotenv.hpp"

#include <boost/url/parse.hpp>

#include <array>
#include <charconv>
#include <cstdlib>
#include <fstream>

namespace donna::relay {
namespace {

enum class text_kind {
    plain,     // any text (may be empty)
    non_empty, // must not be empty when set
    secret,    // a key or password: redacted in logs, never echoed in errors
    url,       // an absolute http(s) URL
};

struct text_setting {
    const char* name;
    std::string config::*member;
    text_kind kind;
};

struct int_setting {
    const char* name;
    int config::*member;
    long min;
    long max;
};

constexpr std::array text_settings{
    text_setting{"DONNA_LISTEN_ADDRESS", &config::listen_address, text_kind::non_empty},
    text_setting{"DONNA_WEB_ROOT", &config::web_root, text_kind::non_empty},
    text_setting{"DONNA_TLS_CERT", &config::tls_cert_file, text_kind::plain},
    text_setting{"DONNA_TLS_KEY", &config::tls_key_file, text_kind::plain},
    text_setting{"DONNA_TOKEN_SECRET", &config::token_secret, text_kind::secret},
    text_setting{"DONNA_SITES_FILE", &config::sites_file, text_kind::plain},
    text_setting{"DONNA_FANOUT_FILE", &config::fanout_file, text_kind::plain},
    text_setting{"DONNA_PERSONAS_FILE", &config::personas_file, text_kind::plain},
    text_setting{"DONNA_UPSTREAM_CA_FILE", &config::upstream_ca_file, text_kind::plain},
    text_setting{"DONNA_PRICES_FILE", &config::prices_file, text_kind::plain},
    text_setting{"DONNA_MODERATION_MODEL", &config::moderation_model, text_kind::non_empty},
    text_setting{"DONNA_DATABASE", &config::database, text_kind::non_empty},
    text_setting{"DONNA_ADMIN_TOKEN", &config::admin_token, text_kind::secret},
    text_setting{"OPENAI_API_KEY", &config::openai_api_key, text_kind::secret},
    text_setting{"OPENAI_BASE_URL", &config::openai_base_url, text_kind::url},
    text_setting{"OPENAI_REALTIME_MODEL", &config::openai_realtime_model, text_kind::non_empty},
    text_setting{"ELEVENLABS_API_KEY", &config::elevenlabs_api_key, text_kind::secret},
    text_setting{"ELEVENLABS_BASE_URL", &config::elevenlabs_base_url, text_kind::url},
    text_setting{"DEFAULT_VOICE_ID", &config::default_voice_id, text_kind::non_empty},
    text_setting{"VOICE_MODEL", &config::voice_model, text_kind::non_empty},
    text_setting{"DONNA_TRANSCRIPTION_MODEL", &config::transcription_model, text_kind::non_empty},
    text_setting{"DONNA_TRANSCRIPTION_LANGUAGE", &config::transcription_language, text_kind::plain},
    text_setting{"GMAIL_CLIENT_ID", &config::gmail_client_id, text_kind::plain},
    text_setting{"GMAIL_CLIENT_SECRET", &config::gmail_client_secret, text_kind::secret},
    text_setting{"GMAIL_REFRESH_TOKEN", &config::gmail_refresh_token, text_kind::secret},
    text_setting{"GMAIL_ACCESS_TOKEN", &config::gmail_access_token, text_kind::secret},
    text_setting{"GOOGLE_CLIENT_ID", &config::google_client_id, text_kind::plain},
    text_setting{"GOOGLE_CLIENT_SECRET", &config::google_client_secret, text_kind::secret},
    text_setting{"GOOGLE_REDIRECT_URI", &config::google_redirect_uri, text_kind::plain},
    text_setting{"GOOGLE_AUTH_URL", &config::google_auth_url, text_kind::url},
    text_setting{"GOOGLE_TOKEN_URL", &config::google_token_url, text_kind::url},
    text_setting{"GOOGLE_REVOKE_URL", &config::google_revoke_url, text_kind::url},
    text_setting{"GOOGLE_SCOPES", &config::google_scopes, text_kind::non_empty},
    text_setting{"GOOGLE_DRIVE_FOLDER_ID", &config::google_drive_folder_id, text_kind::plain},
    text_setting{"GOOGLE_SERVICE_ACCOUNT_FILE", &config::google_service_account_file,
                 text_kind::plain},
    text_setting{"GMAIL_BASE_URL", &config::gmail_base_url, text_kind::url},
    text_setting{"GOOGLE_DRIVE_BASE_URL", &config::google_drive_base_url, text_kind::url},
    text_setting{"SMTP_HOST", &config::smtp_host, text_kind::plain},
    text_setting{"SMTP_USERNAME", &config::smtp_username, text_kind::plain},
    text_setting{"SMTP_PASSWORD", &config::smtp_password, text_kind::secret},
    text_setting{"SMTP_ENCRYPTION", &config::smtp_encryption, text_kind::non_empty},
    text_setting{"SMTP_FROM_EMAIL", &config::smtp_from_email, text_kind::plain},
    text_setting{"SMTP_FROM_NAME", &config::smtp_from_name, text_kind::plain},
    text_setting{"TELNYX_API_KEY", &config::telnyx_api_key, text_kind::secret},
    text_setting{"TELNYX_BASE_URL", &config::telnyx_base_url, text_kind::url},
    text_setting{"TELNYX_PUBLIC_KEY", &config::telnyx_public_key, text_kind::plain},
    text_setting{"TELNYX_WEBHOOK_SECRET", &config::telnyx_webhook_secret, text_kind::secret},
    text_setting{"TELNYX_WEBHOOK_URL", &config::telnyx_webhook_url, text_kind::plain},
    text_setting{"TELNYX_CONNECTION_ID", &config::telnyx_connection_id, text_kind::plain},
    text_setting{"TELNYX_MESSAGING_PROFILE_ID", &config::telnyx_messaging_profile_id,
                 text_kind::plain},
    text_setting{"TELNYX_PHONE_NUMBER", &config::telnyx_phone_number, text_kind::plain},
    text_setting{"VOICE_PROVIDER", &config::voice_provider, text_kind::non_empty},
    text_setting{"MESSAGING_PROVIDER", &config::messaging_provider, text_kind::non_empty},
    text_setting{"DONNA_PUBLIC_URL", &config::public_url, text_kind::url},
    text_setting{"DONNA_PHONE_AUDIO", &config::phone_audio, text_kind::non_empty},
    text_setting{"DONNA_DATA_KEY", &config::data_key, text_kind::secret},
    text_setting{"DONNA_DATA_KEY_PREVIOUS", &config::data_key_previous, text_kind::secret},
};

constexpr std::array int_settings{
    int_setting{"DONNA_THREADS", &config::threads, 1, 64},
    int_setting{"DONNA_SHUTDOWN_GRACE_MS", &config::shutdown_grace_ms, 0, 600000},
    int_setting{"DONNA_TOKEN_TTL_SECONDS", &config::token_ttl_seconds, 10, 86400},
    int_setting{"DONNA_MAX_AUDIO_SECONDS_PER_SESSION", &config::max_audio_seconds_per_session, 1,
                86400},
    int_setting{"DONNA_MAX_AUDIO_SECONDS_PER_MINUTE", &config::max_audio_seconds_per_minute, 1,
                3600},
    int_setting{"DONNA_HTTP_IDLE_SECONDS", &config::http_idle_seconds, 1, 3600},
    int_setting{"DONNA_HTTP_HEADER_SECONDS", &config::http_header_seconds, 1, 3600},
    int_setting{"DONNA_HTTP_BODY_SECONDS", &config::http_body_seconds, 1, 3600},
    int_setting{"DONNA_HTTP_UPLOAD_SECONDS", &config::http_upload_seconds, 1, 3600},
    int_setting{"DONNA_HTTP_WRITE_SECONDS", &config::http_write_seconds, 1, 3600},
    int_setting{"DONNA_JOB_POLL_MS", &config::job_poll_ms, 10, 60000},
    int_setting{"DONNA_JOB_LEASE_SECONDS", &config::job_lease_seconds, 10, 86400},
    int_setting{"DONNA_JOB_RETRY_MS", &config::job_retry_ms, 10, 3600000},
    int_setting{"DONNA_MAX_SESSIONS_PER_IP", &config::max_sessions_per_ip, 1, 100000},
    int_setting{"DONNA_MAX_SESSIONS_PER_TOKEN", &config::max_sessions_per_token, 1, 1000},
    int_setting{"DONNA_UPSTREAM_CONNECT_TIMEOUT_MS", &config::upstream_connect_timeout_ms, 50,
                120000},
    int_setting{"DONNA_UPSTREAM_CONNECT_ATTEMPTS", &config::upstream_connect_attempts, 1, 10},
    int_setting{"DONNA_UPSTREAM_BACKOFF_MS", &config::upstream_backoff_ms, 1, 60000},
    int_setting{"DONNA_OPENAI_REQUESTS_PER_MINUTE", &config::openai_requests_per_minute, 0,
                1000000},
    int_setting{"DONNA_ELEVENLABS_REQUESTS_PER_MINUTE", &config::elevenlabs_requests_per_minute, 0,
                1000000},
    int_setting{"DONNA_GMAIL_REQUESTS_PER_100S", &config::gmail_requests_per_100s, 0, 1000000},
    int_setting{"DONNA_CHAT_MESSAGES_PER_MINUTE", &config::chat_messages_per_minute, 1, 10000},
    int_setting{"DONNA_CHAT_MAX_CHARACTERS", &config::chat_max_characters, 1, 100000},
    int_setting{"DONNA_CHAT_HISTORY_TOKENS", &config::chat_history_tokens, 100, 1000000},
    int_setting{"DONNA_CHAT_TIMEOUT_MS", &config::chat_timeout_ms, 1000, 600000},
    int_setting{"DONNA_MEMORY_PROMPT_TOKENS", &config::memory_prompt_tokens, 0, 100000},
    int_setting{"DONNA_MODERATION_COOLDOWN_SECONDS", &config::moderation_cooldown_seconds, 0,
                86400},
    int_setting{"DONNA_SPEECH_MAX_CHARACTERS", &config::speech_max_characters, 1, 100000},
    int_setting{"DONNA_SPEECH_REQUESTS_PER_MINUTE", &config::speech_requests_per_minute, 1, 10000},
    int_setting{"DONNA_VOICES_CACHE_SECONDS", &config::voices_cache_seconds, 0, 86400},
    int_setting{"DONNA_VOICE_UPLOAD_MAX_BYTES", &config::voice_upload_max_bytes, 1024, 104857600},
    int_setting{"DONNA_DRIVE_UPLOAD_MAX_BYTES", &config::drive_upload_max_bytes, 1024, 1073741824},
    int_setting{"DONNA_VOICE_CHAT_MAX_SECONDS", &config::voice_chat_max_seconds, 1, 600},
    int_setting{"DONNA_MODEL_SHUTDOWN_WARN_DAYS", &config::model_shutdown_warn_days, 0, 3650},
    int_setting{"SMTP_PORT", &config::smtp_port, 1, 65535},
};

result<long> parse_integer(const std::string& name, const std::string& text, long min, long max)
{
    long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
        return make_error(errc::invalid_argument, name + " must be an integer, got '" + text + "'");
    if (value < min || value > max)
        return make_error(errc::out_of_range, name + " must be between " + std::to_string(min) +
                                                  " and " + std::to_string(max) + ", got " + text);
    return value;
}

result<bool> parse_flag(const std::string& name, const std::string& text)
{
    if (text == "1" || text == "true" || text == "yes" || text == "on")
        return true;
    if (text.empty() || text == "0" || text == "false" || text == "no" || text == "off")
        return false;
    return make_error(errc::invalid_argument, name + " must be 1 or 0, got '" + text + "'");
}

status check_text(const text_setting& s, const std::string& value)
{
    switch (s.kind) {
    case text_kind::plain:
    case text_kind::secret:
        return ok();
    case text_kind::non_empty:
        if (value.empty())
            return make_error(errc::invalid_argument, std::string(s.name) + " is empty");
        return ok();
    case text_kind::url: {
        const auto url = boost::urls::parse_absolute_uri(value);
        if (!url || (url->scheme() != "http" && url->scheme() != "https") ||
            url->encoded_host().empty())
            return make_error(errc::invalid_argument,
                              std::string(s.name) + " must be an absolute http(s) URL, got '" +
                                  value + "'");
        return ok();
    }
    }
    return ok();
}

status check_one_of(const char* name, const std::string& value,
                    std::initializer_list<const char*> allowed)
{
    std::string list;
    for (const char* a : allowed) {
        if (value == a)
            return ok();
        list += list.empty() ? a : std::string(", ") + a;
    }
    return make_error(errc::invalid_argument,
                      std::string(name) + " must be one of " + list + ", got '" + value + "'");
}

status check_readable(const char* name, const std::string& path)
{
    std::ifstream file(path);
    if (!file)
        return make_error(errc::io_error, std::string(name) + ": cannot read '" + path + "'");
    return ok();
}

// SMTP, when SMTP_HOST is set: a sender address to write From with, and credentials in the
// clear only to this machine.
status check_smtp(const config& c)
{
    if (c.smtp_host.empty())
        return ok();
    if (!is_email_address(c.smtp_from_email))
        return make_error(errc::invalid_argument,
                          "SMTP_FROM_EMAIL must be the sender's email address when SMTP_HOST is "
                          "set (it is " +
                              std::string(c.smtp_from_email.empty() ? "empty" : "not one") + ")");
    const bool loopback =
        c.smtp_host == "localhost" || c.smtp_host == "::1" || c.smtp_host.starts_with("127.");
    if (c.smtp_encryption == "none" && !loopback)
        return make_error(errc::invalid_argument,
                          "SMTP_ENCRYPTION=none is allowed only for a server on this machine "
                          "(SMTP_HOST localhost, 127.x.x.x or ::1): mail and the SMTP password "
                          "would cross the network in the clear; use tls (STARTTLS) or ssl");
    if (c.smtp_username.empty() != c.smtp_password.empty())
        return make_error(errc::invalid_argument,
                          "SMTP_USERNAME and SMTP_PASSWORD must be set together");
    return ok();
}

// Cross-field rules, after every variable is read.
status validate(config& c)
{
    if (c.tls_cert_file.empty() != c.tls_key_file.empty())
        return make_error(errc::invalid_argument,
                          "DONNA_TLS_CERT and DONNA_TLS_KEY must be set together");
    if (!c.tls_cert_file.empty()) {
        if (auto s = check_readable("DONNA_TLS_CERT", c.tls_cert_file); !s)
            return s;
        if (auto s = check_readable("DONNA_TLS_KEY", c.tls_key_file); !s)
            return s;
    }
    if (!c.token_secret.empty() && c.token_secret.size() < 32)
        return make_error(errc::invalid_argument,
                          "DONNA_TOKEN_SECRET must be at least 32 characters (it has " +
                              std::to_string(c.token_secret.size()) + ")");
    if (auto s = check_one_of("SMTP_ENCRYPTION", c.smtp_encryption, {"tls", "ssl", "none"}); !s)
        return s;
    if (auto s = check_one_of("DONNA_PHONE_AUDIO", c.phone_audio, {"convert", "g711"}); !s)
        return s;
    if (auto s = check_smtp(c); !s)
        return s;
    if (c.sites_file.empty()) {
        c.sites = default_sites();
    } else {
        auto sites = read_sites_file(c.sites_file);
        if (!sites)
            return make_error(sites.error().code,
                              "DONNA_SITES_FILE '" + c.sites_file + "': " + sites.error().message);
        c.sites = std::move(*sites);
    }
    return ok();
}

} // namespace

realtime_mode config::realtime() const
{
    if (!openai_api_key.empty())
        return realtime_mode::openai;
    return demo ? realtime_mode::demo : realtime_mode::off;
}

bool config::texting_configured() const
{
    if (messaging_provider != "telnyx")
        return true;
    return !telnyx_api_key.empty() &&
           (!telnyx_phone_number.empty() || !telnyx_messaging_profile_id.empty());
}

std::string config::public_origin() const
{
    const auto& base = public_url.empty() ? telnyx_webhook_url : public_url;
    const auto url = boost::urls::parse_absolute_uri(base);
    if (base.empty() || !url || url->encoded_host().empty() ||
        (url->scheme() != "http" && url->scheme() != "https"))
        return {};
    return std::string(url->scheme()) + "://" + std::string(url->encoded_host_and_port());
}

std::string config::phone_media_url() const
{
    const auto origin = public_origin();
    if (origin.empty())
        return {};
    // https://host -> wss://host, http://host -> ws://host
    return "ws" + origin.substr(4) + "/v1/phone/media";
}

bool config::phone_passes_g711() const
{
    return phone_audio == "g711" && realtime() == realtime_mode::openai;
}

std::vector<std::string> config::secrets() const
{
    std::vector<std::string> out;
    for (const auto& s : text_settings)
        if (s.kind == text_kind::secret && !(this->*s.member).empty())
            out.push_back(this->*s.member);
    for (const auto& e : fanout)
        out.push_back(e.secret);
    return out;
}

std::optional<std::string> process_environment(const std::string& name)
{
    if (const char* value = std::getenv(name.c_str()))
        return std::string(value);
    return std::nullopt;
}

result<environment> process_environment_with_dotenv()
{
    const auto path = process_environment("DONNA_ENV_FILE").value_or(".env");
    env_map file_vars;
    if (auto parsed = read_dotenv_file(path)) {
        file_vars = std::move(*parsed);
    } else if (parsed.error().code != errc::not_found) {
        return make_error(parsed.error().code, path + ": " + parsed.error().message);
    }
    return environment{[file_vars = std::move(file_vars)](const std::string& name) {
        if (auto v = process_environment(name))
            return v;
        const auto it = file_vars.find(name);
        return it == file_vars.end() ? std::nullopt : std::optional<std::string>(it->second);
    }};
}

result<config> load_config(const environment& env)
{
    config c;
    for (const auto& s : text_settings) {
        auto value = env(s.name);
        if (!value)
            continue;
        if (auto checked = check_text(s, *value); !checked)
            return checked.error();
        c.*s.member = std::move(*value);
    }
    for (const auto& s : int_settings) {
        if (auto value = env(s.name)) {
            auto parsed = parse_integer(s.name, *value, s.min, s.max);
            if (!parsed)
                return parsed.error();
            c.*s.member = static_cast<int>(*parsed);
        }
    }
    if (auto v = env("DONNA_PORT")) {
        auto port = parse_integer("DONNA_PORT", *v, 0, 65535);
        if (!port)
            return port.error();
        c.port = static_cast<std::uint16_t>(*port);
    }
    if (auto v = env("DONNA_MAX_MESSAGE_BYTES")) {
        auto bytes = parse_integer("DONNA_MAX_MESSAGE_BYTES", *v, 1024, 16L << 20);
        if (!bytes)
            return bytes.error();
        c.max_message_bytes = static_cast<std::size_t>(*bytes);
    }
    if (auto v = env("DONNA_DEMO")) {
        auto demo = parse_flag("DONNA_DEMO", *v);
        if (!demo)
            return demo.error();
        c.demo = *demo;
    }
    if (auto v = env("DONNA_MODEL_CHECK")) {
        auto check = parse_flag("DONNA_MODEL_CHECK", *v);
        if (!check)
            return check.error();
        c.model_check = *check;
    }
    if (auto v = env("DONNA_MODERATION")) {
        auto moderation = parse_flag("DONNA_MODERATION", *v);
        if (!moderation)
            return moderation.error();
        c.moderation = *moderation;
    }
    if (auto v = env("DONNA_CHAT_TOOLS")) {
        auto tools = parse_flag("DONNA_CHAT_TOOLS", *v);
        if (!tools)
            return tools.error();
        c.chat_tools = *tools;
    }
    if (auto s = validate(c); !s)
        return s.error();
    if (!c.fanout_file.empty()) {
        auto endpoints = read_fanout_file(c.fanout_file, env);
        if (!endpoints)
            return make_error(endpoints.error().code, "DONNA_FANOUT_FILE '" + c.fanout_file +
                                                          "': " + endpoints.error().message);
        c.fanout = std::move(*endpoints);
    }
    return c;
}

std::vector<std::string> restart_required_changes(const config& running, const config& loaded)
{
    std::vector<std::string> changed;
    if (running.listen_address != loaded.listen_address)
        changed.emplace_back("DONNA_LISTEN_ADDRESS");
    if (running.port != loaded.port)
        changed.emplace_back("DONNA_PORT");
    if (running.threads != loaded.threads)
        changed.emplace_back("DONNA_THREADS");
    if (running.web_root != loaded.web_root)
        changed.emplace_back("DONNA_WEB_ROOT");
    if (running.tls_cert_file != loaded.tls_cert_file)
        changed.emplace_back("DONNA_TLS_CERT");
    if (running.tls_key_file != loaded.tls_key_file)
        changed.emplace_back("DONNA_TLS_KEY");
    if (running.database != loaded.database)
        changed.emplace_back("DONNA_DATABASE");
    if (running.upstream_ca_file != loaded.upstream_ca_file)
        changed.emplace_back("DONNA_UPSTREAM_CA_FILE");
    if (running.job_poll_ms != loaded.job_poll_ms)
        changed.emplace_back("DONNA_JOB_POLL_MS");
    if (running.job_lease_seconds != loaded.job_lease_seconds)
        changed.emplace_back("DONNA_JOB_LEASE_SECONDS");
    if (running.job_retry_ms != loaded.job_retry_ms)
        changed.emplace_back("DONNA_JOB_RETRY_MS");
    return changed;
}

} // namespace donna::relay
