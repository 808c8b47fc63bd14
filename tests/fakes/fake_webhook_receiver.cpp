// fake_webhook_receiver.cpp: the signature check and the counting.
#include "fake_webhook_receiver.hpp"

#include <sodium.h>

#include <array>
#include <mutex>
#include <set>

namespace donna::fakes {
namespace {

std::string header_of(const recorded_request& r, const std::string& name)
{
    const auto it = r.headers.find(name);
    return it == r.headers.end() ? std::string() : it->second;
}

// "t=<ts>,v1=<hex>" checked against HMAC-SHA256(secret, "<ts>.<body>").
bool signature_holds(const std::string& header, const std::string& secret, const std::string& body)
{
    const auto comma = header.find(",v1=");
    if (!header.starts_with("t=") || comma == std::string::npos)
        return false;
    const auto timestamp = header.substr(2, comma - 2);
    const auto hex = header.substr(comma + 4);
    const auto text = timestamp + "." + body;
    std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                                secret.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(text.data()),
                                  text.size());
    crypto_auth_hmacsha256_final(&state, mac.data());
    std::array<unsigned char, crypto_auth_hmacsha256_BYTES> sent{};
    std::size_t length = 0;
    if (sodium_hex2bin(sent.data(), sent.size(), hex.data(), hex.size(), nullptr, &length,
                       nullptr) != 0 ||
        length != sent.size())
        return false;
    return sodium_memcmp(mac.data(), sent.data(), mac.size()) == 0;
}

} // namespace

struct fake_webhook_receiver::api : http_handler {
    explicit api(std::string s) : secret(std::move(s)) {}

    std::optional<http_answer> admit(const recorded_request& request) override
    {
        if (request.path() != "/hooks" || request.method != "POST")
            return http_answer{
                .status = 404, .headers = {{"content-type", "text/plain"}}, .body = "not found"};
        return std::nullopt;
    }
    http_answer rate_limited(int) override { return {.status = 429}; }
    http_answer server_error() override { return {.status = 500}; }

    http_answer answer(const recorded_request& request) override
    {
        const std::lock_guard lock(mutex);
        if (down) {
            ++refused_count;
            return {.status = 503, .headers = {{"content-type", "text/plain"}}, .body = "down"};
        }
        received_delivery d;
        d.event_id = header_of(request, "donna-event-id");
        d.event_type = header_of(request, "donna-event-type");
        d.delivery_id = header_of(request, "donna-delivery-id");
        d.signature_valid =
            signature_holds(header_of(request, "donna-signature"), secret, request.body);
        d.body = request.body;
        if (!d.signature_valid)
            return {.status = 401,
                    .headers = {{"content-type", "text/plain"}},
                    .body = "bad signature"};
        ids.insert(d.event_id);
        received.push_back(std::move(d));
        return {.status = 204};
    }

    std::string secret;
    mutable std::mutex mutex;
    bool down = false;
    int refused_count = 0;
    std::vector<received_delivery> received;
    std::set<std::string> ids;
};

fake_webhook_receiver::fake_webhook_receiver(std::string secret)
    : fake_http_server(std::make_unique<api>(std::move(secret)),
                       {.name = "donna-fake-receiver",
                        .tls = false,
                        .fault = http_fault::none,
                        .fault_count = 1,
                        .retry_after_seconds = 1,
                        .chunk_interval = std::chrono::milliseconds(0)}),
      api_(static_cast<api&>(handler()))
{}

std::string fake_webhook_receiver::url() const
{
    return origin() + "/hooks";
}

void fake_webhook_receiver::set_down(bool down)
{
    const std::lock_guard lock(api_.mutex);
    api_.down = down;
}

std::vector<received_delivery> fake_webhook_receiver::deliveries() const
{
    const std::lock_guard lock(api_.mutex);
    return api_.received;
}

int fake_webhook_receiver::distinct_events() const
{
    const std::lock_guard lock(api_.mutex);
    return static_cast<int>(api_.ids.size());
}

int fake_webhook_receiver::refused() const
{
    const std::lock_guard lock(api_.mutex);
    return api_.refused_count;
}

bool fake_webhook_receiver::wait_for_events(int distinct, std::chrono::milliseconds timeout) const
{
    return wait_until(
        [&](const std::vector<recorded_request>&) { return distinct_events() >= distinct; },
        timeout);
}

} // namespace donna::fakes
