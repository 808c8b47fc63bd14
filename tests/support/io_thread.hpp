// io_thread.hpp: an io_context running on a thread of its own, as the relay's I/O threads
// run it, for tests of a component that takes an executor (the HTTP client, the job runner).
// Declare it before the component under test, so the component goes first.
//
//   donna::test::io_thread io;
//   http_client client(registry, io.executor());
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <thread>

namespace donna::test {

class io_thread {
public:
    io_thread() : thread_([this] { io_.run(); }) {}
    ~io_thread()
    {
        work_.reset();
        io_.stop();
        thread_.join();
    }
    io_thread(const io_thread&) = delete;
    io_thread& operator=(const io_thread&) = delete;
    boost::asio::any_io_executor executor() { return io_.get_executor(); }

private:
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
        io_.get_executor()};
    std::thread thread_;
};

} // namespace donna::test
