#include "gui/verdictbanner.h"

#include <QAccessible>
#include <QCoreApplication>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QTime>

namespace qrt::gui {

namespace {
QString readyText()
{
    return QCoreApplication::translate("qrt::gui::CheckInPanel", "Ready to scan");
}

QString elided(const QString &text, int max)
{
    const QString simple = text.simplified();
    return simple.size() > max ? simple.left(max - 1) + QChar(0x2026) : simple;
}
} // namespace

ToneColours toneColours(const QString &tone)
{
    if (tone == u"green")
        return { QColor(0x1e, 0x7b, 0x34), Qt::white };
    if (tone == u"amber")
        return { QColor(0xf2, 0xb7, 0x05), QColor(0x1a, 0x1a, 0x1a) };
    if (tone == u"red")
        return { QColor(0xb3, 0x26, 0x1e), Qt::white };
    return {};
}

VerdictBanner::VerdictBanner(QLabel *banner, QLabel *detail, QObject *parent)
    : QObject(parent), m_banner(banner), m_detail(detail)
{
    m_clear.setSingleShot(true);
    connect(&m_clear, &QTimer::timeout, this, [this] {
        showReady();
        Q_EMIT clearedByItself();
    });
    // Long words (a 500-character scan) must never widen the window: the labels take the width
    // they are given and wrap within it.
    m_banner->setMinimumWidth(0);
    m_detail->setMinimumWidth(0);
    m_banner->setSizePolicy(QSizePolicy::Ignored, m_banner->sizePolicy().verticalPolicy());
    m_detail->setSizePolicy(QSizePolicy::Ignored, m_detail->sizePolicy().verticalPolicy());
}

void VerdictBanner::showReady()
{
    show(QStringLiteral("neutral"), readyText(), QString(), false);
}

void VerdictBanner::show(const QString &tone, const QString &title, const QString &detail, bool clearLater)
{
    const ToneColours c = toneColours(tone);
    const QString style = c.isValid()
        ? QStringLiteral("QLabel { background-color: %1; color: %2; border-radius: 8px; padding: 12px; }")
              .arg(c.background.name(), c.text.name())
        : QStringLiteral("QLabel { border: 2px dashed palette(mid); border-radius: 8px; padding: 12px; }");
    m_banner->setStyleSheet(style);
    m_banner->setProperty("result", tone);
    m_banner->setText(title);
    m_detail->setText(detail);

    // What a screen reader reads on the banner, and the events that make it speak.
    const QString name = title;
    const QString description = QString(detail).replace(u'\n', QStringLiteral(". "));
    m_banner->setAccessibleName(name);
    m_banner->setAccessibleDescription(description);
    QAccessibleEvent named(m_banner, QAccessible::NameChanged);
    QAccessible::updateAccessibility(&named);
    QAccessibleEvent described(m_banner, QAccessible::DescriptionChanged);
    QAccessible::updateAccessibility(&described);
    if (tone != u"neutral") {
        QAccessibleEvent alert(m_banner, QAccessible::Alert);
        QAccessible::updateAccessibility(&alert);
    }

    if ((tone != u"neutral" || clearLater) && m_clearAfterMs > 0)
        m_clear.start(m_clearAfterMs);
    else
        m_clear.stop();
}

void addRecentScan(QListWidget *list, const QString &tone, const QString &text)
{
    QString sign = QStringLiteral("·");
    if (tone == u"green")
        sign = QStringLiteral("✓");
    else if (tone == u"amber")
        sign = QStringLiteral("!");
    else if (tone == u"red")
        sign = QStringLiteral("✗");
    const QString time = QLocale().toString(QTime::currentTime(), QLocale::ShortFormat);
    auto *item = new QListWidgetItem(time + QStringLiteral("  ") + sign + QStringLiteral("  ") + elided(text, 120));
    item->setToolTip(text);
    item->setData(Qt::UserRole, tone);
    if (const ToneColours c = toneColours(tone); c.isValid()) {
        item->setBackground(c.background);
        item->setForeground(c.text);
    }
    list->insertItem(0, item);
    while (list->count() > 50)
        delete list->takeItem(list->count() - 1);
}

} // namespace qrt::gui
