// smtp_client.cpp: one libcurl easy handle per client, reused so its connection is.
#include "providers/smtp/smtp_client.hpp"

#include <curl/curl.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>

namespace donna::relay {
namespace {

void global_init()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The message, handed to libcurl in pieces as it asks.
struct upload {
    const std::string* data = nullptr;
    std::size_t at = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user)
{
    auto* up = static_cast<upload*>(user);
    const auto n = std::min(size * count, up->data->size() - up->at);
    std::copy_n(up->data->data() + up->at, n, buffer);
    up->at += n;
    return n;
}

// The server's replies as libcurl sees them (CURLINFO_HEADER_IN); the last refusal (4xx or
// 5xx) is kept: after one, libcurl still says QUIT and the server's 221 comes last. What the
// client sends (HEADER_OUT, with AUTH) is never looked at.
int on_debug(CURL*, curl_infotype type, char* data, std::size_t size, void* user)
{
    if (type != CURLINFO_HEADER_IN)
        return 0;
    auto* last = static_cast<std::string*>(user);
    std::string line(data, std::min<std::size_t>(size, 512));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
        line.pop_back();
    if (!line.empty() && (line.front() == '4' || line.front() == '5'))
        *last = std::move(line);
    return 0;
}

// DONNA_UPSTREAM_CA_FILE's certificates added to the store libcurl already filled with the
// system's, for this connection's TLS context.
CURLcode add_extra_ca(CURL*, void* ssl_ctx, void* user)
{
    const auto* pem = static_cast<const std::string*>(user);
    if (pem->empty())
        return CURLE_OK;
    BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
    if (bio == nullptr)
        return CURLE_OUT_OF_MEMORY;
    X509_STORE* store = SSL_CTX_get_cert_store(static_cast<SSL_CTX*>(ssl_ctx));
    while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
        X509_STORE_add_cert(store, cert); // a duplicate is not an error worth failing on
        X509_free(cert);
    }
    BIO_free(bio);
    return CURLE_OK;
}

std::string url_of(const smtp_settings& s)
{
    const bool v6 = s.host.find(':') != std::string::npos;
    return std::string(s.encryption == "ssl" ? "smtps://" : "smtp://") + (v6 ? "[" : "") + s.host +
           (v6 ? "]" : "") + ":" + std::to_string(s.port);
}

// Non-zero aborts the transfer: the settings' cancel flag was set.
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    const auto* cancel = static_cast<const std::atomic<bool>*>(user);
    return cancel != nullptr && cancel->load() ? 1 : 0;
}

bool is_login_refusal(CURLcode code)
{
    return code == CURLE_LOGIN_DENIED;
}

} // namespace

struct smtp_client::impl {
    smtp_settings settings;
    CURL* curl = nullptr;
    std::array<char, CURL_ERROR_SIZE> error{};
    std::string last_reply;
};

smtp_client::smtp_client(smtp_settings settings) : impl_(std::make_unique<impl>())
{
    global_init();
    impl_->settings = std::move(settings);
    impl_->curl = curl_easy_init();
}

smtp_client::~smtp_client()
{
    if (impl_->curl != nullptr)
        curl_easy_cleanup(impl_->curl);
}

smtp_outcome smtp_client::send(const std::string& from, const std::vector<std::string>& to,
                               const std::string& message)
{
    auto& i = *impl_;
    if (i.curl == nullptr)
        return {smtp_verdict::retry, 0, "libcurl could not start"};
    const auto& s = i.settings;
    if (s.cancel != nullptr && s.cancel->load())
        return {smtp_verdict::retry, 0, "cancelled"};
    CURL* c = i.curl;
    curl_easy_reset(c); // options of the last message gone; its connection is kept
    i.error.fill('\0');
    i.last_reply.clear();
    upload up{&message, 0};
    curl_slist* recipients = nullptr;
    for (const auto& r : to)
        recipients = curl_slist_append(recipients, ("<" + r + ">").c_str());
    const auto url = url_of(s);
    const auto sender = "<" + from + ">";
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, i.error.data());
    curl_easy_setopt(c, CURLOPT_USE_SSL,
                     s.encryption == "none" ? static_cast<long>(CURLUSESSL_NONE)
                                            : static_cast<long>(CURLUSESSL_ALL));
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, add_extra_ca);
    curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, &s.extra_ca_pem);
    if (!s.username.empty()) {
        curl_easy_setopt(c, CURLOPT_USERNAME, s.username.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, s.password.c_str());
    }
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, sender.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(c, CURLOPT_READDATA, &up);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(s.connect_timeout.count()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(s.timeout.count()));
    curl_easy_setopt(c, CURLOPT_FORBID_REUSE, s.keep_alive ? 0L : 1L);
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, &i.last_reply);
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L); // feeds on_debug; nothing is printed
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, s.cancel);

    const CURLcode done = curl_easy_perform(c);
    if (done == CURLE_ABORTED_BY_CALLBACK) {
        curl_slist_free_all(recipients);
        return {smtp_verdict::retry, 0, "cancelled"};
    }
    curl_slist_free_all(recipients);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);

    smtp_outcome out;
    out.reply_code = static_cast<int>(code);
    if (done == CURLE_OK) {
        out.verdict = smtp_verdict::sent;
        return out;
    }
    const std::string curl_error = i.error[0] != '\0' ? i.error.data() : curl_easy_strerror(done);
    const bool server_said =
        code >= 400 && !i.last_reply.empty() && i.last_reply.starts_with(std::to_string(code));
    if (is_login_refusal(done))
        out.detail = "the SMTP server refused the login" +
                     (server_said ? ": " + i.last_reply : std::string(" (") + curl_error + ")");
    else
        out.detail = server_said ? i.last_reply : curl_error;
    out.verdict = code >= 500 && code < 600 && !is_login_refusal(done) ? smtp_verdict::reject
                                                                       : smtp_verdict::retry;
    return out;
}

} // namespace donna::relay
