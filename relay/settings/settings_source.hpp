// settings_source.hpp: where the current live_settings snapshot is read. The composition root
// owns one and swaps in a new snapshot on SIGHUP; every endpoint and connection holds a
// reference and reads the snapshot once per request or session, then keeps it.
//
//   settings_source settings(std::make_shared<const live_settings>(...));
//   auto now = settings.current();          // shared_ptr<const live_settings>
//   settings.replace(next);                 // a reload; holders of `now` keep theirs
#pragma once

#include "settings/live_settings.hpp"

#include <atomic>
#include <memory>
#include <utility>

namespace donna::relay {

class settings_source {
public:
    explicit settings_source(std::shared_ptr<const live_settings> first)
        : current_(std::move(first))
    {}

    std::shared_ptr<const live_settings> current() const { return current_.load(); }
    void replace(std::shared_ptr<const live_settings> next) { current_.store(std::move(next)); }

private:
    std::atomic<std::shared_ptr<const live_settings>> current_;
};

} // namespace donna::relay
