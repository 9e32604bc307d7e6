#pragma once

#include <QAction>
#include <QKeyEvent>
#include <QObject>
#include <QWidget>

namespace qrt::gui {

// A line edit claims Ctrl+E (end of line), Ctrl+K, ... for itself on Linux, so the window's menu
// shortcuts did nothing while the search field had the focus. This lets every shortcut of the
// window's actions through, except the editing keys the field really needs (copy, paste, ...).
class WindowShortcutsFirst : public QObject
{
public:
    WindowShortcutsFirst(QWidget *window, QObject *parent) : QObject(parent), m_window(window) {}

    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() != QEvent::ShortcutOverride)
            return QObject::eventFilter(watched, event);
        auto *key = static_cast<QKeyEvent *>(event);
        for (QKeySequence::StandardKey editing : { QKeySequence::Copy, QKeySequence::Cut, QKeySequence::Paste,
                                                   QKeySequence::Undo, QKeySequence::Redo, QKeySequence::SelectAll,
                                                   QKeySequence::Delete, QKeySequence::Backspace }) {
            if (key->matches(editing))
                return false;
        }
        const QKeySequence pressed(key->keyCombination());
        for (const QAction *action : m_window->findChildren<QAction *>()) {
            if (action->isEnabled() && action->shortcuts().contains(pressed)) {
                event->ignore(); // not the field's: the window's shortcut runs
                return true;
            }
        }
        return false;
    }

private:
    QWidget *m_window;
};

} // namespace qrt::gui
