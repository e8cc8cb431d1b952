// Logging: spdlog behind two choices, text for people at a terminal and JSON lines for machines.
// Every line goes through the secret mask: any registered secret (tokens, keys, passwords) is
// replaced by "***" before it is written, wherever it came from. Logs always go to stderr.
// Thread-safe: secrets may be registered and lines written from any thread.
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace spdlog {
namespace sinks {
class sink;
}
}  // namespace spdlog

namespace alertbot {

enum class LogLineFormat { Text, Json };

// Registers a secret to mask from now on (values shorter than 4 bytes are ignored: masking them
// would garble ordinary text).
void register_log_secret(std::string_view secret);
// `text` with every registered secret replaced by "***".
std::string mask_secrets(std::string_view text);

// A sink that formats each record in `format`, masks secrets, and hands the line (without a
// trailing newline) to `out`.
std::shared_ptr<spdlog::sinks::sink> make_line_sink(LogLineFormat format, std::function<void(std::string_view)> out);

// Logs an exception that ended a coroutine or handler, as "<what>: <exception message>" at error
// level (for any exception type). Does nothing for a null pointer.
void log_exception(std::exception_ptr e, std::string_view what);

// Replaces the default logger with one writing to stderr in `format` at `level` ("trace",
// "debug", "info", "warn", "error"). Returns false (and keeps "info") for an unknown level.
bool init_logging(LogLineFormat format, std::string_view level);

}  // namespace alertbot
