#include "gui/guestsearch.h"

#include "db/orderrepository.h"
#include "gui/dbworker.h"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>

namespace qrt::gui {

namespace {
constexpr int kMaxMatches = 8;
constexpr int kMinChars = 2;
}

GuestSearch::GuestSearch(DbWorker &worker, QWidget *parent) : QWidget(parent), m_worker(worker)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *row = new QHBoxLayout;
    auto *label = new QLabel(tr("No code? Fin&d by name:"), this);
    m_field = new QLineEdit(this);
    m_field->setObjectName(QStringLiteral("guestSearchField"));
    m_field->setPlaceholderText(tr("Guest's name, e-mail or phone"));
    m_field->setClearButtonEnabled(true);
    m_field->setAccessibleName(tr("Find a guest by name"));
    label->setBuddy(m_field);
    row->addWidget(label);
    row->addWidget(m_field, 1);
    layout->addLayout(row);
    m_results = new QListWidget(this);
    m_results->setObjectName(QStringLiteral("guestSearchResults"));
    m_results->setAccessibleName(tr("Guests found"));
    m_results->setMaximumHeight(m_results->fontMetrics().height() * 7);
    m_results->setTextElideMode(Qt::ElideRight);
    m_results->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_results->hide();
    layout->addWidget(m_results);

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(200);
    connect(&m_debounce, &QTimer::timeout, this, &GuestSearch::search);
    connect(m_field, &QLineEdit::textEdited, this, [this] { m_debounce.start(); });
    connect(m_field, &QLineEdit::textChanged, this, [this](const QString &text) {
        if (text.trimmed().size() < kMinChars) { // cleared (Esc, the clear button): no list
            ++m_generation;
            show({});
        }
    });
    connect(m_field, &QLineEdit::returnPressed, this, [this] {
        if (m_debounce.isActive()) { // Enter before the answer: search now, choose when it comes
            m_debounce.stop();
            m_chooseOnAnswer = true;
            search();
            return;
        }
        choose();
    });
    connect(m_results, &QListWidget::itemActivated, this, &GuestSearch::choose);
    m_field->installEventFilter(this);
}

void GuestSearch::setDoorViews(bool door)
{
    if (door == m_doorViews)
        return;
    m_doorViews = door;
    m_field->setPlaceholderText(door ? tr("Guest's name or order id") : tr("Guest's name, e-mail or phone"));
}

void GuestSearch::setEvents(const QStringList &events)
{
    m_events = events;
    if (!m_field->text().trimmed().isEmpty())
        search();
}

void GuestSearch::clear()
{
    m_debounce.stop();
    m_field->clear();
    ++m_generation;
    show({});
}

bool GuestSearch::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_field && event->type() == QEvent::KeyPress && m_results->isVisible()) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Down || key == Qt::Key_Up) {
            const int row = m_results->currentRow() + (key == Qt::Key_Down ? 1 : -1);
            m_results->setCurrentRow(qBound(0, row, m_results->count() - 1));
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void GuestSearch::search()
{
    const QString text = m_field->text().trimmed();
    const quint64 generation = ++m_generation;
    if (text.size() < kMinChars) {
        m_chooseOnAnswer = false;
        show({});
        return;
    }
    const QStringList events = m_events.isEmpty() ? QStringList { QString() } : m_events;
    m_worker.run(
        this,
        [text, events, door = m_doorViews](db::Database &database) {
            QList<Match> matches;
            db::OrderRepository orders(database);
            for (const QString &event : events) {
                if (door) {
                    auto guests = orders.doorGuests(text, event, kMaxMatches);
                    for (const db::DoorGuest &g : guests ? guests.value() : QList<db::DoorGuest>()) {
                        if (matches.size() >= kMaxMatches
                            || std::any_of(matches.cbegin(), matches.cend(), [&g](const Match &m) { return m.orderId == g.orderId; }))
                            continue;
                        QString name = QString(g.firstName + u' ' + g.lastName).trimmed();
                        if (name.isEmpty())
                            name = tr("(no name)");
                        matches.append({ g.orderId, tr("%1 · %2 · order %3").arg(name, g.events, g.orderId) });
                    }
                    continue;
                }
                db::OrderQuery query;
                query.search = text;
                query.eventId = event;
                query.sort = db::OrderSort::Contact;
                query.order = Qt::AscendingOrder;
                query.limit = kMaxMatches;
                auto rows = orders.list(query);
                if (!rows)
                    continue;
                for (const db::OrderRow &row : std::as_const(rows.value())) {
                    if (matches.size() >= kMaxMatches)
                        break;
                    if (std::any_of(matches.cbegin(), matches.cend(), [&row](const Match &m) { return m.orderId == row.order.orderId; }))
                        continue;
                    QString name = row.order.contactName();
                    if (name.isEmpty())
                        name = tr("(no name)");
                    matches.append({ row.order.orderId,
                                     tr("%1 · %2 · order %3").arg(name, row.eventNames(), row.order.orderId) });
                }
            }
            return matches;
        },
        [this, generation](QList<Match> matches) {
            if (generation != m_generation)
                return; // an older query: the field says something else by now
            show(matches);
            Q_EMIT searched(int(matches.size()));
            if (std::exchange(m_chooseOnAnswer, false))
                choose();
        });
}

void GuestSearch::show(const QList<Match> &matches)
{
    m_results->clear();
    for (const Match &m : matches) {
        auto *item = new QListWidgetItem(m.text, m_results);
        item->setData(Qt::UserRole, m.orderId);
        item->setToolTip(m.text);
    }
    if (matches.isEmpty() && m_field->text().trimmed().size() >= kMinChars) {
        auto *none = new QListWidgetItem(tr("No guest of this station's events matches."), m_results);
        none->setFlags(Qt::NoItemFlags);
    }
    m_results->setCurrentRow(matches.isEmpty() ? -1 : 0);
    m_results->setVisible(m_results->count() > 0);
}

void GuestSearch::choose()
{
    QListWidgetItem *item = m_results->currentItem();
    if (!item || item->data(Qt::UserRole).toString().isEmpty())
        return;
    const QString orderId = item->data(Qt::UserRole).toString();
    Q_EMIT guestChosen(orderId);
}

} // namespace qrt::gui
