// "Print tickets..." on the order page: enabled only with a printable ticket, writes the PDF (one
// page per ticket but the cancelled ones) and offers to open it. Writes a screenshot of the page.
#include "core/config.h"
#include "db/orderwriter.h"
#include "db/ticketrepository.h"
#include "gui/orderdialog.h"
#include "gui/windowservices.h"
#include "support/sampleorders.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"
#include "support/verify.h"

#include <QDir>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace qrt;

class TestPrintTicketsGui : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_db;
    core::Config m_config = core::Config::defaults();
    QTemporaryDir m_dir;

    static int pdfPages(const QString &path)
    {
        QProcess p;
        p.start(QStringLiteral("pdfinfo"), { path });
        p.waitForFinished(30000);
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        const qsizetype at = out.indexOf(QStringLiteral("Pages:"));
        return at < 0 ? -1 : out.mid(at + 6).section(u'\n', 0, 0).trimmed().toInt();
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        auto created = test::TestDatabase::create(db::Dialect::SQLite);
        QVERIFY_OK(created);
        m_db = std::move(created).value();
        QVERIFY_OK(m_db->migrate());
        QVERIFY_OK(db::OrderWriter(m_db->db()).save({ test::sampleMultiEventOrder(1), test::sampleOrders(1, 2).first() },
                                                    QStringLiteral("sync")));
        db::TicketRepository tickets(m_db->db());
        const QList<core::Ticket> first = tickets.forOrder(test::sampleOrderId(1)).value();
        QVERIFY_OK(tickets.setStatus({ first.at(1).ticketId }, core::TicketStatus::Cancelled, QStringLiteral("seat refunded"),
                                     QStringLiteral("test")));
        QVERIFY_OK(tickets.setStatusForOrder(test::sampleOrderId(2), core::TicketStatus::Cancelled, QStringLiteral("refunded"),
                                             QStringLiteral("test")));
    }

    void printsTheOrdersTicketsAndOffersToOpenThem()
    {
        test::WindowServices services { m_config, m_db->shared(), QStringLiteral("Door 1") };
        auto *dialog = new gui::OrderDialog(services, services.worker, test::sampleOrderId(1));
        QSignalSpy loaded(dialog, &gui::OrderDialog::loaded);
        dialog->resize(960, 700);
        dialog->show();
        QVERIFY(loaded.wait(test::kWaitMs));
        auto *button = dialog->findChild<QPushButton *>(QStringLiteral("printTicketsButton"));
        QVERIFY(button);
        QTRY_VERIFY_WITH_TIMEOUT(button->isEnabled(), test::kWaitMs);
        if (const QString shots = qEnvironmentVariable("QRT_SCREENSHOT_OUT"); !shots.isEmpty() && QDir().mkpath(shots))
            QVERIFY(dialog->grab().save(QDir(shots).filePath(QStringLiteral("order-page-print-tickets.png"))));

        const QString path = m_dir.filePath(QStringLiteral("out.pdf"));
        QSignalSpy printed(dialog, &gui::OrderDialog::ticketsPrinted);
        dialog->printTicketsTo(path);
        QVERIFY(printed.wait(test::kWaitMs));
        QCOMPARE(printed.first().at(2).toString(), QString());
        QCOMPARE(printed.first().at(1).toInt(), 3); // 4 tickets, one cancelled
        QCOMPARE(pdfPages(path), 3);
        QMessageBox *box = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((box = dialog->findChild<QMessageBox *>(QStringLiteral("ticketsSavedBox"))) != nullptr, test::kWaitMs);
        QVERIFY2(box->text().contains(QStringLiteral("3 ticket")), qPrintable(box->text()));
        bool hasOpen = false;
        for (QAbstractButton *b : box->buttons())
            hasOpen = hasOpen || b->text().remove(u'&') == QStringLiteral("Open");
        QVERIFY(hasOpen);
        box->reject();
        QVERIFY(button->isEnabled());
        dialog->close();
        delete dialog;
        services.worker.drain();
    }

    void anOrderOfOnlyCancelledTicketsHasNothingToPrint()
    {
        test::WindowServices services { m_config, m_db->shared(), QStringLiteral("Door 1") };
        auto *dialog = new gui::OrderDialog(services, services.worker, test::sampleOrderId(2));
        QSignalSpy loaded(dialog, &gui::OrderDialog::loaded);
        dialog->show();
        QVERIFY(loaded.wait(test::kWaitMs));
        auto *button = dialog->findChild<QPushButton *>(QStringLiteral("printTicketsButton"));
        QVERIFY(!button->isEnabled());
        QVERIFY2(button->toolTip().contains(QStringLiteral("no tickets to print")), qPrintable(button->toolTip()));
        delete dialog;
        services.worker.drain();
    }
};

QTEST_MAIN(TestPrintTicketsGui)
#include "tst_printtickets_gui.moc"
