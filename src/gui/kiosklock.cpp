#include "gui/kiosklock.h"

#include "core/pinhash.h"
#include "gui/logging.h"
#include "gui/settings/settingspage.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

namespace qrt::gui {

namespace {
constexpr int kFreeTries = 3;
constexpr qint64 kLongestWaitMs = 5 * 60 * 1000;
} // namespace

KioskLock::KioskLock(QObject *parent) : QObject(parent) { }

void KioskLock::setPinHash(const QString &stored)
{
    m_problem.clear();
    m_hash.clear();
    if (stored.trimmed().isEmpty()) {
        unlock();
        return;
    }
    if (!core::isPinHash(stored)) {
        m_problem = core::verifyPin(QString(), stored).error().message;
        qCWarning(lcGui).noquote() << "kiosk PIN not used:" << m_problem;
        unlock();
        return;
    }
    m_hash = stored.trimmed();
}

void KioskLock::lock()
{
    if (!hasPin() || m_locked)
        return;
    m_locked = true;
    qCInfo(lcGui) << "check-in screen locked (kiosk PIN)";
    Q_EMIT lockedChanged(true);
}

void KioskLock::unlock()
{
    if (!m_locked)
        return;
    m_locked = false;
    qCInfo(lcGui) << "check-in screen unlocked";
    Q_EMIT lockedChanged(false);
}

KioskLock::Try KioskLock::tryPin(const QString &pin, int *waitSeconds)
{
    if (m_waitMs > 0 && m_sinceWrong.isValid() && m_sinceWrong.elapsed() < m_waitMs) {
        if (waitSeconds)
            *waitSeconds = int((m_waitMs - m_sinceWrong.elapsed() + 999) / 1000);
        return Try::Wait;
    }
    const auto right = core::verifyPin(pin, m_hash);
    if (right && right.value()) {
        m_wrongInARow = 0;
        m_waitMs = 0;
        return Try::Right;
    }
    ++m_wrongInARow;
    m_sinceWrong.start();
    if (m_wrongInARow >= kFreeTries)
        m_waitMs = std::min(kLongestWaitMs, m_firstWaitMs << std::min(m_wrongInARow - kFreeTries, 10));
    qCWarning(lcGui) << "wrong kiosk PIN," << m_wrongInARow << "in a row";
    if (waitSeconds)
        *waitSeconds = int((m_waitMs + 999) / 1000);
    return Try::Wrong;
}

void KioskLock::askPin(QWidget *parent, const QString &why, std::function<void()> then)
{
    if (!m_locked) {
        then();
        return;
    }
    if (m_prompt) {
        m_prompt->raise();
        m_prompt->activateWindow();
        return;
    }
    auto *prompt = new PinPrompt(*this, why, parent);
    prompt->setAttribute(Qt::WA_DeleteOnClose);
    // Queued: then() may open a dialog of its own once this one is gone.
    connect(prompt, &QDialog::accepted, this,
            [this, then = std::move(then)] { QMetaObject::invokeMethod(this, then, Qt::QueuedConnection); });
    m_prompt = prompt;
    prompt->open();
}

PinPrompt::PinPrompt(KioskLock &lock, const QString &why, QWidget *parent) : QDialog(parent), m_lock(lock)
{
    setObjectName(QStringLiteral("pinPrompt"));
    setWindowTitle(tr("PIN needed"));
    auto *layout = new QVBoxLayout(this);
    auto *text = new QLabel(tr("This station is locked on the check-in screen. Enter the station's PIN to %1.").arg(why), this);
    text->setWordWrap(true);
    m_field = new QLineEdit(this);
    m_field->setObjectName(QStringLiteral("pinEdit"));
    m_field->setEchoMode(QLineEdit::Password);
    m_field->setAccessibleName(tr("PIN"));
    m_field->setPlaceholderText(tr("PIN"));
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("pinMessage"));
    m_message->setWordWrap(true);
    SettingsPage::markAsError(m_message);
    m_message->hide();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    layout->addWidget(text);
    layout->addWidget(m_field);
    layout->addWidget(m_message);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &PinPrompt::submit);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    // Wrapped lines at a readable width; the dialog follows what they need (a message shown later too).
    const int width = fontMetrics().horizontalAdvance(QLatin1Char('M')) * 28;
    text->setMinimumWidth(width);
    m_message->setMinimumWidth(width);
    layout->setSizeConstraint(QLayout::SetFixedSize);
}

void PinPrompt::submit()
{
    int wait = 0;
    switch (m_lock.tryPin(m_field->text(), &wait)) {
    case KioskLock::Try::Right:
        accept();
        return;
    case KioskLock::Try::Wrong:
        SettingsPage::showError(m_message, wait > 0 ? tr("Wrong PIN. Too many wrong tries: wait %1 s before the next.").arg(wait)
                                                    : tr("Wrong PIN."));
        break;
    case KioskLock::Try::Wait:
        SettingsPage::showError(m_message, tr("Too many wrong tries: wait %1 s before the next.").arg(wait));
        break;
    }
    layout()->activate(); // the dialog grows to the message now, not on the next layout pass
    m_field->clear();
    m_field->setFocus();
}

} // namespace qrt::gui
