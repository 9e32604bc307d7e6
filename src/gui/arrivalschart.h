#pragma once

#include "db/arrivals.h"

#include <QHash>
#include <QWidget>

class QChart;
class QChartView;
class QLabel;

namespace qrt::gui {

// The event overview's arrivals (issue 15 point 6, PRODUCT.md 4b): admissions per 15 minutes as
// stacked bars, one colour per event, and how many are inside now (tickets whose status is used:
// admitted and not undone; there is no exit scan).
class ArrivalsChart : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kMinimumSlots = 8; // two hours shown at least

    explicit ArrivalsChart(QWidget *parent = nullptr);

    // eventNames: event id -> name (the overview's); an event without one shows its id.
    void setReport(const db::ArrivalsReport &report, const QHash<QString, QString> &eventNames);

    // What is shown, for tests and assistive technology: slot labels and net admissions per event.
    QStringList slotLabels() const { return m_labels; }
    int admittedShown() const { return m_admittedShown; }
    int insideShown() const { return m_insideShown; }
    QChart *chart() const;

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyPalette();

    QLabel *m_inside = nullptr;
    QChartView *m_view = nullptr;
    QStringList m_labels;
    int m_admittedShown = 0;
    int m_insideShown = 0;
};

} // namespace qrt::gui
