// The buyer's ticket PDF on SQLite and PostgreSQL: one page per printable ticket; each page's QR,
// rendered by poppler's pdftoppm and read back with zxing-cpp, is that ticket's own code; scanned
// at the door it admits exactly that ticket, and a second scan is "already used". Cancelled
// tickets are left out, used ones marked; the paper follows the locale.
#include "db/orderwriter.h"
#include "db/ticketrepository.h"
#include "door/doorcheck.h"
#include "qr/qrcode.h"
#include "support/sampleorders.h"
#include "support/testdatabase.h"
#include "support/verify.h"
#include "tickets/ticketpdf.h"

#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace qrt;
using Kind = door::Verdict::Kind;

class TestTicketPdf : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;
    QTemporaryDir m_dir;

    db::Database &database() { return m_t->db(); }

    core::Order saveOrder()
    {
        const core::Order order = test::sampleMultiEventOrder(1); // 2 Gala VIP + 2 Jazz General Admission
        auto saved = db::OrderWriter(database()).save({ order }, QStringLiteral("sync"));
        if (!saved)
            qWarning("%s", qPrintable(saved.error().toString()));
        return order;
    }

    QList<core::Ticket> tickets(const QString &orderId) { return db::TicketRepository(database()).forOrder(orderId).value(); }

    door::DoorCheck station()
    {
        door::DoorCheck::Policy p;
        p.station = QStringLiteral("Door 1");
        p.urlTemplate = QStringLiteral("https://qr.example.com/orders/{order_id}");
        return door::DoorCheck(database(), p);
    }

    static QString run(const QString &program, const QStringList &args)
    {
        QProcess p;
        p.start(program, args);
        if (!p.waitForFinished(60000) || p.exitCode() != 0)
            return QStringLiteral("ERROR: %1 %2 failed: %3").arg(program, args.join(u' '), QString::fromUtf8(p.readAllStandardError()));
        return QString::fromUtf8(p.readAllStandardOutput());
    }

    // Renders every page to PNG (100 dpi: about what a phone sees of a printed page) and reads
    // each page's QR; an unreadable page gives its error text.
    QStringList decodePages(const QString &pdf)
    {
        const QString prefix = m_dir.filePath(QFileInfo(pdf).completeBaseName());
        const QString out = run(QStringLiteral("pdftoppm"), { QStringLiteral("-r"), QStringLiteral("100"), QStringLiteral("-png"), pdf, prefix });
        if (out.startsWith(u"ERROR"))
            return { out };
        QDir dir(m_dir.path());
        QStringList pages = dir.entryList({ QFileInfo(pdf).completeBaseName() + QStringLiteral("-*.png") }, QDir::Files, QDir::Name);
        QStringList codes;
        for (const QString &page : std::as_const(pages)) {
            auto code = qr::QrDecoder::decodeFile(dir.filePath(page));
            // QRT_SCREENSHOT_OUT: the pages, to look at (ticketpdf-<pdf name>-<page>.png).
            if (const QString shots = qEnvironmentVariable("QRT_SCREENSHOT_OUT"); !shots.isEmpty() && QDir().mkpath(shots)) {
                QFile::remove(QDir(shots).filePath(QStringLiteral("ticketpdf-") + page));
                QFile::copy(dir.filePath(page), QDir(shots).filePath(QStringLiteral("ticketpdf-") + page));
            }
            codes << (code ? code.value() : QStringLiteral("unreadable %1: %2").arg(page, code.error().message));
        }
        return codes;
    }

    static QString describe(const door::Verdict &v) { return door::toString(v.kind) + QStringLiteral(": ") + v.line(); }

private slots:
    void initTestCase()
    {
        QRT_REQUIRE_BACKEND(m_dialect);
        QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("pdftoppm")).isEmpty(),
                 "pdftoppm is missing: install poppler-utils (scripts/lib.sh lists it)");
        QVERIFY(m_dir.isValid());
    }

    void init()
    {
        QRT_FRESH_DATABASE(m_t, m_dialect);
        QVERIFY_OK(m_t->migrate());
    }

    void cleanup() { m_t.reset(); }

    void eachPageIsItsTicketAndTheDoorAdmitsExactlyIt()
    {
        const core::Order order = saveOrder();
        const QList<core::Ticket> all = tickets(order.orderId);
        QCOMPARE(all.size(), 4);
        const QString pdf = m_dir.filePath(tickets::ticketPdfFileName(order.orderId));
        auto written = tickets::writeTicketPdf(pdf, order, all);
        QVERIFY_OK(written);
        QCOMPARE(written.value(), 4);
        const QStringList codes = decodePages(pdf);
        QCOMPARE(codes.size(), 4); // one page per ticket
        for (int i = 0; i < all.size(); ++i)
            QCOMPARE(codes.at(i), all.at(i).code);
        const QString text = run(QStringLiteral("pdftotext"), { pdf, QStringLiteral("-") });
        QVERIFY2(text.contains(QStringLiteral("Summer Gala 2026")) && text.contains(QStringLiteral("Jazz Night at the Harbour")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("2 of 4")) && text.contains(order.orderId) && text.contains(order.contactName()), qPrintable(text));

        // The third page's code, scanned: that ticket (a Jazz one) and no other.
        const door::Verdict first = station().scan(codes.at(2));
        QVERIFY2(first.kind == Kind::Admitted, qPrintable(describe(first)));
        QCOMPARE(first.ticket.ticketId, all.at(2).ticketId);
        const QList<core::Ticket> after = tickets(order.orderId);
        for (const core::Ticket &t : after)
            QCOMPARE(core::toString(t.status), core::toString(t.ticketId == all.at(2).ticketId ? core::TicketStatus::Used : core::TicketStatus::Live));
        const door::Verdict again = station().scan(codes.at(2));
        QVERIFY2(again.kind == Kind::AlreadyUsed, qPrintable(describe(again)));
        // Another page's code still gets its own ticket in.
        const door::Verdict other = station().scan(codes.at(0));
        QVERIFY2(other.kind == Kind::Admitted, qPrintable(describe(other)));
        QCOMPARE(other.ticket.ticketId, all.at(0).ticketId);
    }

    void cancelledTicketsAreLeftOutAndUsedOnesMarked()
    {
        const core::Order order = saveOrder();
        const QList<core::Ticket> all = tickets(order.orderId);
        db::TicketRepository repo(database());
        QVERIFY_OK(repo.setStatus({ all.at(1).ticketId }, core::TicketStatus::Cancelled, QStringLiteral("refund of one seat"), QStringLiteral("test")));
        QVERIFY_OK(repo.setStatus({ all.at(3).ticketId }, core::TicketStatus::Used, QString(), QStringLiteral("test")));
        const QString pdf = m_dir.filePath(QStringLiteral("partial.pdf"));
        auto written = tickets::writeTicketPdf(pdf, order, tickets(order.orderId));
        QVERIFY_OK(written);
        QCOMPARE(written.value(), 3);
        const QStringList codes = decodePages(pdf);
        QCOMPARE(codes, (QStringList { all.at(0).code, all.at(2).code, all.at(3).code }));
        const QString text = run(QStringLiteral("pdftotext"), { pdf, QStringLiteral("-") });
        QVERIFY2(text.contains(QStringLiteral("3 of 3")) && !text.contains(QStringLiteral("of 4")), qPrintable(text));
        QCOMPARE(text.count(QStringLiteral("Already admitted")), 1);
    }

    void noPrintableTicketIsAnError()
    {
        const core::Order order = saveOrder();
        QVERIFY_OK(db::TicketRepository(database()).setStatusForOrder(order.orderId, core::TicketStatus::Cancelled,
                                                                       QStringLiteral("refunded"), QStringLiteral("test")));
        auto pdf = tickets::renderTicketPdf(order, tickets(order.orderId));
        QVERIFY(!pdf);
        QCOMPARE(pdf.error().code, QStringLiteral("tickets.none"));
        QVERIFY(!tickets::renderTicketPdf(order, {}));
    }

    // A large order: every page still carries its own ticket's code (the time is logged, for the
    // order page's decision to draw off the GUI thread; not asserted).
    void largeOrderHasEveryCodeOnItsPage()
    {
        core::Order order = test::sampleOrders(1).first();
        QList<core::Ticket> many;
        for (int i = 0; i < 20; ++i) {
            core::Ticket t;
            t.ticketId = i + 1;
            t.orderId = order.orderId;
            t.ticketType = QStringLiteral("General Admission");
            t.productId = order.eventId;
            t.code = QStringLiteral("%1").arg(i, 32, 16, QLatin1Char('a'));
            many << t;
        }
        QElapsedTimer timer;
        timer.start();
        auto pdf = tickets::renderTicketPdf(order, many);
        QVERIFY_OK(pdf);
        qInfo("20 ticket pages drawn in %lld ms, %lld KiB", qint64(timer.elapsed()), qint64(pdf->size() / 1024));
        const QString path = m_dir.filePath(QStringLiteral("large.pdf"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(pdf.value());
        file.close();
        const QStringList codes = decodePages(path);
        QCOMPARE(codes.size(), 20);
        for (int i = 0; i < 20; ++i)
            QCOMPARE(codes.at(i), many.at(i).code);
    }

    void paperFollowsTheLocale()
    {
        QCOMPARE(int(tickets::pageSizeFor(QLocale(QLocale::English, QLocale::UnitedStates))), int(QPageSize::Letter));
        QCOMPARE(int(tickets::pageSizeFor(QLocale(QLocale::German, QLocale::Germany))), int(QPageSize::A4));
        QCOMPARE(int(tickets::pageSizeFor(QLocale(QLocale::English, QLocale::UnitedKingdom))), int(QPageSize::A4));
        const core::Order order = saveOrder();
        tickets::TicketPdfOptions letter;
        letter.locale = QLocale(QLocale::English, QLocale::UnitedStates);
        const QString pdf = m_dir.filePath(QStringLiteral("letter.pdf"));
        QVERIFY_OK(tickets::writeTicketPdf(pdf, order, tickets(order.orderId), letter));
        const QString info = run(QStringLiteral("pdfinfo"), { pdf });
        QVERIFY2(info.contains(QRegularExpression(QStringLiteral("Page size:\\s+612 x 792 pts"))), qPrintable(info));
        QVERIFY2(info.contains(QRegularExpression(QStringLiteral("Pages:\\s+4\\b"))), qPrintable(info));
    }
};

QTEST_MAIN(TestTicketPdf)
#include "tst_ticketpdf.moc"
