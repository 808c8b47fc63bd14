// drive_upload.cpp: the resumable upload's steps: open, send chunks, ask after a failure,
// resume or start over.
#include "google/drive_upload.hpp"

#include "google/google_account.hpp"
#include "settings/settings_source.hpp"
#include "upstream/http_client.hpp"

#include <boost/asio/steady_timer.hpp>

#include <algorithm>

namespace donna::relay {
namespace {

class drive_upload : public std::enable_shared_from_this<drive_upload> {
public:
    drive_upload(const drive_upload_deps& deps, drive_file_metadata file,
                 std::shared_ptr<const std::string> bytes, drive_upload_options options,
                 std::function<void(result<drive_upload_report>)> done)
        : deps_(deps),
          file_(std::move(file)),
          bytes_(std::move(bytes)),
          options_(options),
          done_(std::move(done)),
          timer_(deps.executor)
    {
        options_.chunk_bytes =
            std::max(drive_chunk_unit, options_.chunk_bytes / drive_chunk_unit * drive_chunk_unit);
    }

    // Opens a session (again after a 404/410), then sends from byte 0.
    void open()
    {
        with_token([self = shared_from_this()](const std::string& token) {
            const auto live = self->deps_.settings.current();
            self->deps_.client.request(
                "google_drive",
                drive_open_upload_request(live->cfg, token, self->file_, self->bytes_->size()),
                [self](const result<upstream_response>& response) {
                    if (!response)
                        return self->failed(response.error().message, [self] { self->open(); });
                    if (!response->ok()) {
                        const auto answer = read_drive_upload_answer(*response);
                        if (answer.retryable)
                            return self->failed(answer.error, [self] { self->open(); });
                        return self->finish(make_error(errc::upstream_unavailable,
                                                       "Drive refused the upload (HTTP " +
                                                           std::to_string(answer.status) + ": " +
                                                           answer.error + ")"));
                    }
                    auto session = drive_session_uri(*response);
                    if (!session)
                        return self->finish(session.error());
                    self->session_ = std::move(*session);
                    self->send(0);
                });
        });
    }

private:
    // `then` with a valid access token, or the upload ends with why there is none.
    void with_token(std::function<void(const std::string&)> then)
    {
        deps_.google.access_token(
            [self = shared_from_this(), then = std::move(then)](result<std::string> token) {
                if (!token)
                    return self->finish(token.error());
                then(*token);
            });
    }

    void send(std::uint64_t from)
    {
        const auto total = static_cast<std::uint64_t>(bytes_->size());
        const auto size = std::min<std::uint64_t>(options_.chunk_bytes, total - from);
        with_token([self = shared_from_this(), from, size, total](const std::string& token) {
            ++self->report_.chunks;
            self->deps_.client.request(
                "google_drive",
                drive_chunk_request(self->session_, token,
                                    self->bytes_->substr(static_cast<std::size_t>(from),
                                                         static_cast<std::size_t>(size)),
                                    from, total),
                [self](const result<upstream_response>& response) { self->on_answer(response); });
        });
    }

    void ask_status()
    {
        with_token([self = shared_from_this()](const std::string& token) {
            ++self->report_.status_queries;
            self->deps_.client.request(
                "google_drive", drive_status_request(self->session_, token, self->bytes_->size()),
                [self](const result<upstream_response>& response) { self->on_answer(response); });
        });
    }

    // A chunk's or a status query's answer: go on, resume, start over, wait, or stop.
    void on_answer(const result<upstream_response>& response)
    {
        const auto self = shared_from_this();
        if (!response) // the connection dropped: how much did Google keep?
            return failed(response.error().message, [self] { self->ask_status(); });
        const auto answer = read_drive_upload_answer(*response);
        switch (answer.outcome) {
        case drive_upload_answer::kind::incomplete:
            if (answer.received >= bytes_->size()) // every byte, yet no file: ask again
                return failed("Drive has every byte but named no file",
                              [self] { self->ask_status(); });
            failures_ = 0;
            return send(answer.received);
        case drive_upload_answer::kind::complete:
            report_.file = answer.file;
            return finish(report_);
        case drive_upload_answer::kind::session_gone:
            if (++report_.restarts > options_.max_restarts)
                return finish(make_error(errc::upstream_unavailable,
                                         "Drive forgot the upload session " +
                                             std::to_string(report_.restarts) + " times"));
            return open();
        case drive_upload_answer::kind::failed:
            if (answer.retryable)
                return failed(answer.error, [self] { self->ask_status(); });
            return finish(make_error(errc::upstream_unavailable, "Drive refused the upload (HTTP " +
                                                                     std::to_string(answer.status) +
                                                                     ": " + answer.error + ")"));
        }
    }

    // One more failure in a row: `retry` after the backoff, or the upload ends.
    void failed(const std::string& why, std::function<void()> retry)
    {
        if (++failures_ > options_.max_failures)
            return finish(make_error(errc::upstream_unavailable,
                                     "Drive upload failed " + std::to_string(failures_ - 1) +
                                         " times in a row; the last: " + why));
        timer_.expires_after(options_.first_backoff * (1 << std::min(failures_ - 1, 6)));
        timer_.async_wait([retry = std::move(retry)](boost::system::error_code ec) {
            if (!ec)
                retry();
        });
    }

    void finish(result<drive_upload_report> outcome)
    {
        if (auto done = std::exchange(done_, {}))
            done(std::move(outcome));
    }

    drive_upload_deps deps_;
    drive_file_metadata file_;
    std::shared_ptr<const std::string> bytes_;
    drive_upload_options options_;
    std::function<void(result<drive_upload_report>)> done_;
    boost::asio::steady_timer timer_;
    std::string session_;
    int failures_ = 0;
    drive_upload_report report_;
};

} // namespace

void upload_to_drive(const drive_upload_deps& deps, drive_file_metadata file,
                     std::shared_ptr<const std::string> bytes, drive_upload_options options,
                     std::function<void(result<drive_upload_report>)> done)
{
    if (!bytes || bytes->empty())
        return done(make_error(errc::invalid_argument, "an empty file is not uploaded"));
    std::make_shared<drive_upload>(deps, std::move(file), std::move(bytes), options,
                                   std::move(done))
        ->open();
}

} // namespace donna::relay
