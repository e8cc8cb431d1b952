// PastSearch over the store: earlier investigations from the store's full-text search
// (Store::search_investigations), for the history source.
#pragma once

#include <memory>

#include "investigators/sources/past_search.hpp"

namespace alertbot::store {
class Store;
}

namespace alertbot::bot {

// `store` must outlive the result.
std::unique_ptr<investigators::PastSearch> make_store_past_search(store::Store& store);

}  // namespace alertbot::bot
