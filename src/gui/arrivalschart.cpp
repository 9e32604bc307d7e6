#include "gui/arrivalschart.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QLabel>
#include <QLocale>
#include <QRegularExpression>
#include <QStackedBarSeries>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>

namespace qrt::gui {

namespace {
// The locale's short time without seconds (the C locale's short format has them): "19:15", "7:15 PM".
QString slotTime(const QLocale &locale, const QTime &time)
{
    QString format = locale.timeFormat(QLocale::ShortFormat);
    format.remove(QRegularExpression(QStringLiteral("[:.]ss?")));
    return locale.toString(time, format);
}
} // namespace

ArrivalsChart::ArrivalsChart(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_inside = new QLabel(this);
    m_inside->setObjectName(QStringLiteral("insideNow"));
    m_inside->setToolTip(tr("Tickets admitted and not undone (their status is used). There is no exit scan: a guest "
                            "who left still counts."));
    QFont font = m_inside->font();
    font.setPointSizeF(font.pointSizeF() * 1.2);
    font.setBold(true);
    m_inside->setFont(font);
    m_inside->setWordWrap(true);
    m_view = new QChartView(new QChart, this);
    m_view->setObjectName(QStringLiteral("arrivalsChart"));
    m_view->setAccessibleName(tr("Admissions per 15 minutes"));
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(240);
    m_view->chart()->legend()->setAlignment(Qt::AlignRight);
    m_view->chart()->setMargins(QMargins(4, 4, 4, 4));
    layout->addWidget(m_inside);
    layout->addWidget(m_view, 1);
    applyPalette();
    setReport({}, {});
}

QChart *ArrivalsChart::chart() const
{
    return m_view->chart();
}

void ArrivalsChart::setReport(const db::ArrivalsReport &report, const QHash<QString, QString> &eventNames)
{
    QChart *chart = m_view->chart();
    chart->removeAllSeries();
    for (QAbstractAxis *axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
    m_labels.clear();
    m_admittedShown = 0;
    m_insideShown = report.insideTotal;

    auto nameOf = [&eventNames](const QString &id) {
        const QString name = eventNames.value(id);
        return name.isEmpty() ? id : name;
    };

    // Every slot of the window, empty ones too, so that time runs evenly along the axis; at least
    // two hours, so that the first arrivals are not one bar across the whole chart.
    QList<QDateTime> slots_;
    if (report.from.isValid()) {
        const QDateTime first = std::min(report.from, report.to.addSecs(-qint64(kMinimumSlots - 1) * db::ArrivalsRepository::kBucketSeconds));
        for (QDateTime t = first; t <= report.to; t = t.addSecs(db::ArrivalsRepository::kBucketSeconds))
            slots_ << t;
    }
    const QLocale locale;
    const bool severalDays = !slots_.isEmpty() && slots_.first().toLocalTime().date() != slots_.last().toLocalTime().date();
    for (const QDateTime &t : std::as_const(slots_)) {
        const QDateTime local = t.toLocalTime();
        QString label = slotTime(locale, local.time());
        if (severalDays && (m_labels.isEmpty() || local.time() < QTime(0, 15)))
            label = locale.toString(local.date(), QStringLiteral("ddd ")) + label;
        while (m_labels.contains(label)) // a repeated hour when clocks go back
            label += u'\u200b';
        m_labels << label;
    }

    // One bar set per event, by name; its legend entry says how many of it are inside.
    QStringList events;
    for (const db::ArrivalBucket &b : report.buckets) {
        if (!events.contains(b.eventId))
            events << b.eventId;
    }
    for (auto it = report.insideNow.cbegin(); it != report.insideNow.cend(); ++it) {
        if (it.value() > 0 && !events.contains(it.key()) && !slots_.isEmpty())
            events << it.key();
    }
    std::sort(events.begin(), events.end(), [&](const QString &a, const QString &b) {
        return QString::localeAwareCompare(nameOf(a), nameOf(b)) < 0;
    });
    auto *series = new QStackedBarSeries;
    int highest = 0;
    QList<int> totals(slots_.size(), 0);
    for (const QString &event : std::as_const(events)) {
        auto *set = new QBarSet(tr("%1 (%n inside)", nullptr, report.insideNow.value(event)).arg(nameOf(event)));
        QList<qreal> values(slots_.size(), 0);
        for (const db::ArrivalBucket &b : report.buckets) {
            if (b.eventId != event)
                continue;
            const qsizetype index = slots_.first().secsTo(b.start) / db::ArrivalsRepository::kBucketSeconds;
            if (index < 0 || index >= values.size())
                continue;
            values[index] += std::max(0, b.net());
            totals[index] += std::max(0, b.net());
            m_admittedShown += b.net();
        }
        set->append(values);
        series->append(set);
    }
    for (int t : std::as_const(totals))
        highest = std::max(highest, t);
    chart->addSeries(series);

    auto *x = new QBarCategoryAxis;
    x->append(m_labels);
    x->setLabelsAngle(m_labels.size() > 16 ? -90 : 0);
    chart->addAxis(x, Qt::AlignBottom);
    series->attachAxis(x);
    auto *y = new QValueAxis;
    y->setLabelFormat(QStringLiteral("%d"));
    y->setRange(0, std::max(4, highest + highest / 8 + 1));
    y->setTickCount(5);
    y->applyNiceNumbers();
    y->setTitleText(tr("Admitted"));
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(y);
    chart->legend()->setVisible(!events.isEmpty());

    if (slots_.isEmpty()) {
        chart->setTitle(tr("Nobody admitted yet: admissions appear here per 15 minutes as guests arrive."));
    } else {
        const QDateTime from = slots_.first().toLocalTime();
        chart->setTitle(tr("Admissions per 15 minutes, %1 %2 – %3")
                            .arg(locale.toString(from.date(), QLocale::ShortFormat), slotTime(locale, from.time()),
                                 slotTime(locale, report.to.addSecs(db::ArrivalsRepository::kBucketSeconds).toLocalTime().time())));
    }
    m_inside->setText(tr("Inside now: %n", nullptr, report.insideTotal));

    // A chart says nothing to a screen reader: the same numbers as text.
    QStringList spoken;
    for (qsizetype i = 0; i < m_labels.size(); ++i) {
        if (totals[i] > 0)
            spoken << tr("%1: %2").arg(m_labels[i]).arg(totals[i]);
    }
    m_view->setAccessibleDescription(spoken.isEmpty() ? chart->title()
                                                      : tr("Admitted per 15 minutes: %1").arg(spoken.join(QStringLiteral(", "))));
}

void ArrivalsChart::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        applyPalette();
}

void ArrivalsChart::applyPalette()
{
    // Dark mode: the chart follows the window's colours instead of its own white theme.
    QChart *chart = m_view->chart();
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    const QChart::ChartTheme theme = dark ? QChart::ChartThemeDark : QChart::ChartThemeLight;
    if (chart->theme() != theme)
        chart->setTheme(theme);
    chart->setBackgroundBrush(palette().brush(QPalette::Base));
    chart->setTitleBrush(palette().brush(QPalette::Text));
    chart->legend()->setLabelColor(palette().color(QPalette::Text));
}

} // namespace qrt::gui
