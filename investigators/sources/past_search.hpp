// PastSearch: earlier investigations similar to this one, as the history source reads them.
// Implemented over the store by bot/, so investigators/ stays free of the store.
#pragma once

#include <string>
#include <vector>

#include "investigators/evidence.hpp"
#include "net/asio_fwd.hpp"
#include "net/result.hpp"

namespace alertbot::investigators {

class PastSearch {
 public:
  virtual ~PastSearch() = default;
  // At most `limit` investigations of `service` (or matching `words`, full-text) finished
  // before `before`, most similar first. Errors: as the store gives them.
  virtual awaitable<Result<std::vector<PastInvestigation>>> similar(std::string service, std::string words, Time before,
                                                                   int limit) = 0;
};

}  // namespace alertbot::investigators
