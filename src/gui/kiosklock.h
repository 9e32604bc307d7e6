#pragma once

#include <QDialog>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

#include <functional>

class QLabel;
class QLineEdit;
class QPushButton;

namespace qrt::gui {

// Kiosk mode of a one-station (SQLite) check-in screen (issue 13 point 4): with a PIN set in
// Settings → Station ([station] pin_hash, a scrypt hash: core/pinhash.h) the window starts locked
// on Check-in; leaving it, opening Settings or quitting asks for the PIN. After three wrong tries in
// a row the next try waits (30 s, doubling up to 5 minutes), so a PIN cannot be guessed at the
// screen. Locking closes every other window of the main window (MainWindow::closeWindowsBeyondCheckIn).
// A stored value that is not a PIN hash fails open: the screen stays unlocked, the warning is logged
// and the status bar says so in red for as long as it lasts (problem()). Failing closed would leave a
// lock no PIN opens: no Settings to set a new one, no Quit, only killing the program and editing the
// file; check-in works either way, and whoever can edit the settings file can remove the line anyway.
class KioskLock : public QObject
{
    Q_OBJECT
public:
    enum class Try { Right, Wrong, Wait };

    explicit KioskLock(QObject *parent = nullptr);

    // The configured hash (empty: no PIN). A new PIN does not lock by itself: lock() does.
    void setPinHash(const QString &stored);
    bool hasPin() const { return !m_hash.isEmpty(); }
    QString problem() const { return m_problem; }
    bool isLocked() const { return m_locked; }
    void lock();
    void unlock(); // after askPin's answer

    // One try at the PIN; Wait: refused without looking, *waitSeconds until the next try.
    Try tryPin(const QString &pin, int *waitSeconds = nullptr);
    // The PIN prompt (window modal, `why` in its text); then() runs once the right PIN was given.
    // While unlocked (or without PIN) then() runs at once.
    void askPin(QWidget *parent, const QString &why, std::function<void()> then);
    QDialog *prompt() const { return m_prompt; }

    // Tests: the first wait after three wrong tries (30 s by default).
    void setFirstWaitMs(qint64 ms) { m_firstWaitMs = ms; }

Q_SIGNALS:
    void lockedChanged(bool locked);

private:
    QString m_hash;
    QString m_problem;
    bool m_locked = false;
    int m_wrongInARow = 0;
    qint64 m_firstWaitMs = 30000;
    qint64 m_waitMs = 0;
    QElapsedTimer m_sinceWrong;
    QPointer<QDialog> m_prompt;
};

// The PIN prompt KioskLock::askPin shows: a password field, OK and Cancel, and under the field why a
// try failed ("Wrong PIN", "Too many wrong tries: wait N s").
class PinPrompt : public QDialog
{
    Q_OBJECT
public:
    PinPrompt(KioskLock &lock, const QString &why, QWidget *parent = nullptr);

    QLineEdit *field() const { return m_field; }
    QLabel *message() const { return m_message; }

private:
    void submit();

    KioskLock &m_lock;
    QLineEdit *m_field;
    QLabel *m_message;
};

} // namespace qrt::gui
