// fake_openai_http.hpp: a faithful fake of OpenAI's REST API (HTTP/1.1, keep-alive) on
// loopback, so that tests can point the upstream client at it instead of api.openai.com.
//
//   donna::fakes::fake_openai_http fake({.reply_text = "Hi there."});
//   ASSERT_TRUE(fake.start());
//   cfg.openai_base_url = fake.base_url();   // "http://127.0.0.1:<port>/v1"
//   ... drive the relay, then:
//   ASSERT_TRUE(fake.wait_until([](const auto& r) { return r.size() == 2; }));
//   EXPECT_EQ(fake.accepted_connections(), 1);   // both requests rode one connection
//
// What it speaks (openai-node src/resources/chat/completions/completions.ts, src/core/error.ts,
// src/core/streaming.ts; ../shared/API-NOTES.md section 9):
//   POST /v1/chat/completions needs `Authorization: Bearer <api_key>` (else 401) and a JSON body
//   with `model` (string) and `messages` (a non-empty array of {role, content}); anything else
//   is a 400. Every refusal carries OpenAI's `{"error":{"message","type","param","code"}}`
//   body and an x-request-id. With `stream` false or absent the answer is one chat.completion;
//   with `stream: true` it is text/event-stream, sent chunked, one `data: {json}\n\n` event per
//   HTTP chunk: a chat.completion.chunk whose delta is the assistant role, one per word of the
//   reply (each word with its leading space), one with finish_reason "stop", a usage chunk with
//   empty choices when `stream_options.include_usage` is true, then `data: [DONE]`.
//   Any other path or method is a 404 "Invalid URL (<METHOD> <path>)", as the API answers.
// Token counts are the fake's own estimate (words plus a per-message overhead), not tiktoken's.
//
// Not simulated (yet): moderation, transcriptions, tool calls, refusals, `n` > 1, logprobs,
// the x-ratelimit-* headers on successful answers.
//
// Thread safety: every public member may be called from any thread once start() returned;
// the server runs on one thread of its own, which the destructor stops and joins.
#pragma once

#include "core/error.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace donna::fakes {

// Faults apply to POST /v1/chat/completions after the key is checked (as the API checks the
// key before rate limits) and before the body is.
enum class openai_http_fault {
    none,
    status_429_with_retry_after, // the next `fault_count` requests: 429 + Retry-After (seconds)
    status_500,                  // the next `fault_count` requests: 500 server_error
    stall_stream,     // streams: headers and the first event, then nothing; others: no answer
    reset_mid_stream, // streams: close the TCP connection (no last chunk) after `fault_count`
                      // events; others: close it without answering
};

// The key every request needs, assembled at run time so that no key-like literal sits in
// the source.
std::string fake_openai_default_key();

struct fake_openai_http_options {
    std::string api_key = fake_openai_default_key(); // Authorization: Bearer <key>, else 401
    std::string reply_text = "Hello from the fake."; // the assistant's scripted reply
    openai_http_fault fault = openai_http_fault::none;
    int fault_count = 1;         // see openai_http_fault
    int retry_after_seconds = 1; // the Retry-After value of a 429
};

// One request as received, whatever the answer.
struct recorded_request {
    std::string method;                         // "POST"
    std::string target;                         // "/v1/chat/completions"
    std::map<std::string, std::string> headers; // names lower-cased; repeats joined by ", "
    std::string body;
    int connection = 0; // which accepted connection carried it (1 for the first)
};

class fake_openai_http {
public:
    explicit fake_openai_http(fake_openai_http_options options = {});
    ~fake_openai_http();
    fake_openai_http(const fake_openai_http&) = delete;
    fake_openai_http& operator=(const fake_openai_http&) = delete;

    // Listens on 127.0.0.1, an ephemeral port; fails (io_error) if it cannot, or if called twice.
    status start();
    std::uint16_t port() const;
    // "http://127.0.0.1:<port>/v1", as OPENAI_BASE_URL would be.
    std::string base_url() const;

    // Changes the fault for requests from now on; `count` is the new fault_count.
    void set_fault(openai_http_fault f, int count = 1);

    // A copy of every request so far, in order of arrival.
    std::vector<recorded_request> requests() const;
    // TCP connections accepted so far (a client that reuses connections keeps this low).
    int accepted_connections() const;

    // Waits until pred(a snapshot of requests()) is true, re-checking whenever a request
    // arrives (and at least every 50 ms); false if `timeout` passes first.
    bool wait_until(const std::function<bool(const std::vector<recorded_request>&)>& pred,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace donna::fakes
