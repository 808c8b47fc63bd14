// fake_webhook_receiver.hpp: a fanout endpoint for the relay's tests: an HTTP server on
// loopback that takes the relay's signed event deliveries (POST /hooks), checks each
// DONNA-Signature with the endpoint's secret (HMAC-SHA256 over "<t>.<body>", libsodium, as
// docs/relay.md tells a receiver to), and counts them by DONNA-Event-Id. It can be down (503)
// for a while, as a real endpoint is.
//
//   donna::fakes::fake_webhook_receiver crm(secret);
//   ASSERT_TRUE(crm.start());
//   ... endpoint "url": crm.url() ...
//   crm.set_down(true);  ...  crm.set_down(false);
//   ASSERT_TRUE(crm.wait_for_events(5));
//   EXPECT_EQ(crm.deliveries()[0].event_type, "call.initiated");
#pragma once

#include "fake_http_server.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace donna::fakes {

struct received_delivery {
    std::string event_id;   // DONNA-Event-Id
    std::string event_type; // DONNA-Event-Type
    std::string delivery_id;
    bool signature_valid = false;
    std::string body;
};

class fake_webhook_receiver : public fake_http_server {
public:
    explicit fake_webhook_receiver(std::string secret);

    std::string url() const; // "http://127.0.0.1:<port>/hooks"
    // While down, every delivery is answered 503 (and not counted as received).
    void set_down(bool down);

    // Deliveries answered 2xx, in order of arrival.
    std::vector<received_delivery> deliveries() const;
    // Distinct event ids received.
    int distinct_events() const;
    // Deliveries refused while down.
    int refused() const;
    bool wait_for_events(int distinct,
                         std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;

    struct api;

private:
    api& api_;
};

} // namespace donna::fakes
