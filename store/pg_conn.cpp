#include "store/pg_conn.hpp"

#include <charconv>
#include <cstdlib>
#include <pqxx/except>
#include <pqxx/prepared_statement>

#include "store/row_codec.hpp"

namespace alertbot::store::pg {
namespace {

// libpq's messages may end in a newline; keep error text on one line.
std::string one_line(std::string_view text) {
  std::string out(text);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  for (char& c : out) {
    if (c == '\n') c = ' ';
  }
  return out;
}

}  // namespace

void Params::add(std::int64_t v) {
  values_.push_back(std::to_string(v));
  null_.push_back(false);
}
void Params::add(int v) { add(static_cast<std::int64_t>(v)); }
void Params::add(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  values_.emplace_back(buf, ec == std::errc() ? end : buf);
  null_.push_back(false);
}
void Params::add(std::string_view v) {
  values_.emplace_back(v);
  null_.push_back(false);
}
void Params::add(Time v) { add(to_millis(v)); }
void Params::add(const std::optional<Time>& v) {
  if (v) return add(*v);
  values_.emplace_back();
  null_.push_back(true);
}
void Params::add(const std::optional<std::int64_t>& v) {
  if (v) return add(*v);
  values_.emplace_back();
  null_.push_back(true);
}

std::vector<const char*> Params::pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (std::size_t i = 0; i < values_.size(); ++i) out.push_back(null_[i] ? nullptr : values_[i].c_str());
  return out;
}

Error to_error(const std::exception& e, std::string_view name) {
  const std::string where = std::string(name) + ": ";
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string& state = sql->sqlstate();
    const std::string what = one_line(sql->what());
    if (state == "23505") return fail(Errc::Conflict, where + what);
    if (state == "23503") return fail(Errc::NotFound, where + what);
    if (state == "40001" || state == "40P01") return fail(Errc::Busy, where + what);
    if (state.starts_with("08") || state == "57P01") return fail(Errc::Unavailable, where + what);
    return fail(Errc::Internal, where + what + " (SQLSTATE " + state + ")");
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    return fail(Errc::Unavailable, where + "connection lost: " + one_line(e.what()));
  }
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return fail(Errc::Unavailable, where + "commit outcome unknown (connection lost): " + one_line(e.what()));
  }
  return fail(Errc::Internal, where + one_line(e.what()));
}

pqxx::result Tx::exec(const char* sql, const char* name, const Params& params) {
  try {
    const auto ptrs = params.pointers();
    return work_.exec_params(sql, pqxx::prepare::make_dynamic_params(ptrs));
  } catch (const std::exception& e) {
    throw ResultError(to_error(e, name));
  }
}

void Tx::exec_script(const char* sql, const char* name) {
  try {
    work_.exec(sql);
  } catch (const std::exception& e) {
    throw ResultError(to_error(e, name));
  }
}

void Tx::commit() {
  try {
    work_.commit();
  } catch (const std::exception& e) {
    throw ResultError(to_error(e, "commit"));
  }
}

Result<std::unique_ptr<Conn>> Conn::open(const std::string& url) {
  std::unique_ptr<Conn> conn(new Conn(url));
  if (auto r = conn->ensure_open(); !r) return r.error();
  return conn;
}

Result<void> Conn::ensure_open() {
  if (conn_ && conn_->is_open()) return {};
  try {
    conn_ = std::make_unique<pqxx::connection>(url_);
    return {};
  } catch (const std::exception& e) {
    conn_.reset();
    return fail(Errc::Unavailable, "postgresql: cannot connect: " + one_line(e.what()));
  }
}

std::string text(const pqxx::row& r, int col) {
  const auto f = r[col];
  if (f.is_null()) return {};
  return std::string(f.c_str(), f.size());
}

std::int64_t int64(const pqxx::row& r, int col) {
  const auto f = r[col];
  if (f.is_null()) return 0;
  std::int64_t v = 0;
  std::from_chars(f.c_str(), f.c_str() + f.size(), v);
  return v;
}

double real(const pqxx::row& r, int col) {
  const auto f = r[col];
  if (f.is_null()) return 0.0;
  return std::strtod(f.c_str(), nullptr);
}

Time time(const pqxx::row& r, int col) { return from_millis(int64(r, col)); }

std::optional<Time> opt_time(const pqxx::row& r, int col) {
  if (r[col].is_null()) return std::nullopt;
  return time(r, col);
}

std::optional<std::int64_t> opt_int64(const pqxx::row& r, int col) {
  if (r[col].is_null()) return std::nullopt;
  return int64(r, col);
}

Result<void> update_one(Conn& db, const char* sql, const char* name, const Params& params, const std::string& what) {
  return in_tx(db, name, [&](Tx& tx) -> Result<void> {
    if (Tx::changed(tx.exec(sql, name, params)) == 0) return fail(Errc::NotFound, std::string(name) + ": no " + what);
    return {};
  });
}

}  // namespace alertbot::store::pg
