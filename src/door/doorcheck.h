#pragma once

#include "core/config.h"
#include "core/result.h"
#include "core/ticket.h"
#include "db/database.h"
#include "door/scaninput.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

namespace qrt::door {

// What a station is told about one scan: the same for the check-in panel and `qrtickets admit`
// (PRODUCT.md section 4b). Texts are in the user's language.
struct Verdict
{
    enum class Kind {
        Admitted,        // green: this scan admitted admittedNow ticket(s)
        AlreadyUsed,     // amber: the ticket (or every ticket of the order here) is used
        UnpaidAsk,       // amber: unpaid or partly paid, [door] admit_unpaid = ask: "Admit anyway"?
        UnpaidRefused,   // red: unpaid or partly paid, [door] admit_unpaid = never
        TicketCancelled, // red: the ticket (or every ticket of the order here) is cancelled
        Refunded,        // red: GHL reports the order refunded
        OrderCancelled,  // red: GHL reports the order cancelled or voided
        OtherEvent,      // red: a ticket of an event this station does not admit for
        UnknownTicket,   // red: no ticket has this code
        UnknownOrder,    // red: no order has this id
        NotATicket,      // red: neither a code nor an order link
        Failed,          // red: the database did not answer
        Found,           // neutral: looked up without admitting (Mode::Look, a guest found by name)
    };
    enum class Tone { Green, Amber, Red, Neutral };

    Kind kind = Kind::Failed;
    QString title;  // the banner: "Admitted 2 of 3", "Other event: Jazz Night"
    QString detail; // the lines under it: who, event, ticket, payment status, what to do
    QString input;  // what was scanned, as parsed (ticket code or order id)
    QString orderId; // the order it concerns (its stored id), empty when unknown
    QString contactName;
    QString eventName;
    QString paymentStatus; // GHL's word ("paid", "unpaid", ...)
    core::Ticket ticket;   // the ticket admitted, or the one the verdict is about
    QList<qint64> admittedTickets; // what this scan admitted (what an undo reverts)
    int admittedInOrder = 0; // used tickets of the order for this station's events
    int totalInOrder = 0;    // live + used tickets of the order for this station's events
    QString usedBy;
    QDateTime usedAt;
    core::Error error; // Failed: what went wrong (its code says whether the database did not answer)

    Tone tone() const;
    bool admitted() const { return kind == Kind::Admitted; }
    int remaining() const { return totalInOrder - admittedInOrder; }
    // One line for a terminal or a log: starts with the verdict as the banner shows it
    // ("Admitted 1 of 3 ...", "Already used by WHO on DATE at TIME ...", "Unknown ticket ...").
    QString line() const;
};

QString toString(Verdict::Kind kind); // "admitted", "other-event", ...: stable, for logs

// The verdict path: reads what a scan needs, decides, and admits through the conditional UPDATE
// (db::TicketRepository::admit), so that of two racing stations exactly one wins. Blocking: runs
// on a database thread (the panel's DbWorker) or in the headless `admit` command.
class DoorCheck
{
public:
    struct Policy
    {
        QStringList events; // product ids this station admits for; empty: every event
        core::AdmitUnpaid admitUnpaid = core::AdmitUnpaid::Ask;
        QString station;
        QString gate;
        QString urlTemplate; // [qr] url_template: how an order QR reads
        // The database login is a door operator (db::DatabaseRole::Door, `qrtickets roles install`):
        // read through the qrt_door_* views and admit through qrt_door_admit_ticket; the same
        // decisions and texts. Not from the configuration: whoever opens the connection detects it.
        bool doorRole = false;

        static Policy from(const core::Config &config);
        // Who is recorded with an admission: "Station · Gate", or the station alone.
        QString actor() const;
    };

    // One: admit one ticket; All: every remaining one; Look: decide as One would, but admit
    // nothing (a guest chosen by name: staff check who it is, then press Admit).
    enum class Mode { One, All, Look };

    DoorCheck(db::Database &database, Policy policy) : m_db(database), m_policy(std::move(policy)) { }

    // A scan as typed by a scanner: parsed, then check(input, Mode::One).
    Verdict scan(const QString &text);
    // unpaidConfirmed: staff pressed "Admit anyway" for an unpaid order (recorded with reason "unpaid").
    Verdict check(const ScanInput &input, Mode mode = Mode::One, bool unpaidConfirmed = false);

    const Policy &policy() const { return m_policy; }

private:
    // attempt: how often the scan was decided again because other stations took its tickets first.
    core::Result<Verdict> run(const ScanInput &input, Mode mode, bool unpaidConfirmed, int attempt = 0);
    db::Database &m_db;
    Policy m_policy;
};

// The reason recorded in ticket_events when an unpaid order is admitted on purpose.
inline const QString kUnpaidReason = QStringLiteral("unpaid");

} // namespace qrt::door
