// routes.hpp: the relay's route table, every endpoint's row in one list: the one place that
// says what is served where (how to add an endpoint: docs/architecture.md).
//
//   server s(ioc, svc, relay_routes(svc));   // as app/relay_app does
#pragma once

#include "http/router.hpp"

#include <memory>

namespace donna::relay {

class services;

std::shared_ptr<const router> relay_routes(const std::shared_ptr<services>& svc);

} // namespace donna::relay
