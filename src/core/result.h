#pragma once

#include <QString>

#include <optional>
#include <utility>
#include <variant>

namespace qrt::core {

// An error a person can act on: `message` is a sentence for staff, `details` carries the
// technical part (HTTP status, SQL error) for a "Show details" box or a log line. Code decides
// on `kind` (retry or not, which answer to give); `code` names the error in logs and messages.
struct Error
{
    // What went wrong, as far as a caller's decision goes. Set where the error is made; errors
    // nobody branches on keep Other.
    enum class Kind {
        Other,          // not classified: not worth another attempt
        Invalid,        // the input was refused (validation, a malformed file)
        NotFound,       // the thing asked for does not exist
        Unauthorized,   // credentials refused (database password, GHL token)
        Unreachable,    // the server cannot be reached or opened right now: worth another attempt
        ConnectionLost, // an open connection broke mid-operation: worth another attempt
        Network,        // a network failure other than the above
        Timeout,        // no answer in time
        RateLimited,    // the server asked us to slow down
        Server,         // the server failed (5xx)
        Malformed,      // the answer was not what the protocol promises
        Database,       // the database refused or failed a statement
        Cancelled,      // stopped on request
    };

    QString code;    // stable machine-readable name, e.g. "db.unreachable", "ghl.unauthorized"
    QString message; // what happened and what to do, in plain words
    QString details; // technical detail; never contains secrets
    Kind kind = Kind::Other;

    // Worth trying the same operation again after a pause.
    bool isTransient() const
    {
        return kind == Kind::Unreachable || kind == Kind::ConnectionLost || kind == Kind::Network
            || kind == Kind::Timeout || kind == Kind::RateLimited || kind == Kind::Server;
    }

    QString toString() const { return details.isEmpty() ? message : message + QStringLiteral(" (") + details + u')'; }
};

template <typename T>
class [[nodiscard]] Result
{
public:
    Result(T value) : m_v(std::move(value)) { }
    Result(Error error) : m_v(std::move(error)) { }

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return std::get<0>(m_v); }
    T &value() & { return std::get<0>(m_v); }
    // By value on temporaries, so `for (auto &x : repo.list().value())` does not dangle.
    T value() && { return std::get<0>(std::move(m_v)); }
    const T *operator->() const { return &std::get<0>(m_v); }
    T *operator->() { return &std::get<0>(m_v); }
    const T &operator*() const & { return value(); }

    const Error &error() const { return std::get<1>(m_v); }

private:
    std::variant<T, Error> m_v;
};

template <>
class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)) { }

    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return *m_error; }

private:
    std::optional<Error> m_error;
};

inline Error makeError(QString code, QString message, QString details = {})
{
    return Error { std::move(code), std::move(message), std::move(details) };
}

inline Error makeError(Error::Kind kind, QString code, QString message, QString details = {})
{
    return Error { std::move(code), std::move(message), std::move(details), kind };
}

} // namespace qrt::core
