#include "app/windowreport.h"

#include <QAbstractButton>
#include <QApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMessageBox>
#include <QTimer>
#include <QWidget>

namespace qrt::app {

namespace {

// Time the windows get to settle after the first one appears, and the longest a start may take.
constexpr int kSettleMs = 1500;
constexpr int kGiveUpMs = 60000;
constexpr int kPollMs = 100;

QString plain(QString text)
{
    return text.remove(u'&');
}

QJsonObject describe(QWidget *window)
{
    QJsonArray texts;
    auto add = [&texts](const QString &text) {
        if (!text.trimmed().isEmpty() && !texts.contains(text))
            texts.append(text);
    };
    if (auto *box = qobject_cast<QMessageBox *>(window)) {
        add(box->text());
        add(box->informativeText());
    }
    for (QLabel *label : window->findChildren<QLabel *>()) {
        if (label->isVisibleTo(window))
            add(label->text());
    }
    for (QAbstractButton *button : window->findChildren<QAbstractButton *>()) {
        if (button->isVisibleTo(window))
            add(plain(button->text()));
    }
    return QJsonObject {
        { QStringLiteral("class"), QString::fromLatin1(window->metaObject()->className()) },
        { QStringLiteral("objectName"), window->objectName() },
        { QStringLiteral("title"), window->windowTitle() },
        { QStringLiteral("modal"), window->isModal() },
        { QStringLiteral("texts"), texts },
    };
}

QList<QWidget *> visibleWindows()
{
    QList<QWidget *> windows;
    for (QWidget *w : QApplication::topLevelWidgets()) {
        if (w->isVisible() && w->isWindow() && !w->windowFlags().testFlag(Qt::ToolTip)
            && w->windowType() != Qt::Popup && w->windowType() != Qt::Desktop)
            windows << w;
    }
    return windows;
}

void writeReportAndQuit(const QString &path, bool gaveUp)
{
    QJsonArray windows;
    for (QWidget *w : visibleWindows())
        windows.append(describe(w));
    const QJsonObject report { { QStringLiteral("windows"), windows }, { QStringLiteral("settled"), !gaveUp } };
    QFile file(path);
    if (file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        file.write(QJsonDocument(report).toJson());
    file.close();
    // exit() leaves every running event loop, a modal box's included.
    QCoreApplication::exit(0);
}

} // namespace

void installWindowReportFromEnvironment()
{
    const QString path = qEnvironmentVariable("QRT_WINDOW_REPORT");
    if (path.isEmpty() || !qobject_cast<QApplication *>(QCoreApplication::instance()))
        return;
    auto *timer = new QTimer(QCoreApplication::instance());
    timer->setInterval(kPollMs);
    auto giveUp = std::make_shared<QDeadlineTimer>(kGiveUpMs);
    auto settle = std::make_shared<QDeadlineTimer>(QDeadlineTimer::Forever);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, path, giveUp, settle] {
        if (settle->isForever() && !visibleWindows().isEmpty())
            settle->setRemainingTime(kSettleMs);
        const bool settled = !settle->isForever() && settle->hasExpired();
        if (!settled && !giveUp->hasExpired())
            return;
        timer->stop();
        writeReportAndQuit(path, !settled);
    });
    timer->start();
}

} // namespace qrt::app
