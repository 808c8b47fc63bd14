// provider_result.hpp: how a phone provider (telephony/) says what became of a request: the
// value, or a failure in the relay's words (a code for the wire and the metrics, a message for
// people, whether trying again later may work and when).
//
//   provider.send_text(text, [](provider_result<text_accepted> r) {
//       if (!r) return r.failure().retry ? later(r.failure().retry_after) : give_up();
//       remember(r->message_id);
//   });
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>

namespace donna::relay {

struct provider_failure {
    std::string code;    // e.g. telnyx_invalid_request, phone_not_configured
    std::string message; // for people: what happened and what to do
    bool retry = false;  // temporary: the same request may work later
    std::optional<std::chrono::milliseconds> retry_after = std::nullopt; // the wait asked for
    int http_status = 502; // what the relay answers its own caller with
};

template <class T>
class provider_result {
public:
    provider_result(T value) : value_(std::move(value)) {}                      // NOLINT: implicit
    provider_result(provider_failure failure) : failure_(std::move(failure)) {} // NOLINT: implicit

    explicit operator bool() const { return value_.has_value(); }
    T& operator*() { return *value_; }
    const T& operator*() const { return *value_; }
    T* operator->() { return &*value_; }
    const T* operator->() const { return &*value_; }
    const provider_failure& failure() const { return failure_; }

private:
    std::optional<T> value_;
    provider_failure failure_;
};

} // namespace donna::relay
