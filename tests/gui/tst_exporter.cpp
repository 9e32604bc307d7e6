// The exports door staff and organisers open: CSV cells that keep phone numbers and negative
// amounts while formulas stay inert, the separator and decimal mark spreadsheets expect per locale,
// headings in the user's language, file names with the event, and the door-list PDF read back
// page by page (pdftotext from poppler-utils): headings and "Page i of N" on every page, every
// order exactly once.
#include "db/orderwriter.h"
#include "db/ticketrepository.h"
#include "gui/exporter.h"
#include "support/sampleorders.h"
#include "support/testdatabase.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QLocale>
#include <QPrinter>
#include <QProcess>
#include <QScopeGuard>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>

using namespace qrt;
using gui::exporter::CsvSeparator;

Q_DECLARE_METATYPE(CsvSeparator)

namespace {

// Marks every string that goes through Qt's translation: "Order" becomes "[Order]". A heading
// without brackets under this translator would show in English in every language.
class MarkingTranslator : public QTranslator
{
public:
    QString translate(const char *, const char *sourceText, const char *, int) const override
    {
        return QLatin1Char('[') + QString::fromUtf8(sourceText) + QLatin1Char(']');
    }
    bool isEmpty() const override { return false; }
};

// RFC 4180 reader for what the exporter writes (quoted cells, doubled quotes, CRLF).
QList<QStringList> parseCsv(const QByteArray &bytes, QChar separator)
{
    QString text = QString::fromUtf8(bytes);
    if (text.startsWith(QChar(0xFEFF)))
        text.remove(0, 1);
    QList<QStringList> lines;
    QStringList line;
    QString cell;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == u'"' && i + 1 < text.size() && text[i + 1] == u'"') {
                cell += u'"';
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                cell += c;
            }
        } else if (c == u'"') {
            quoted = true;
        } else if (c == separator) {
            line << cell;
            cell.clear();
        } else if (c == u'\r' && i + 1 < text.size() && text[i + 1] == u'\n') {
            line << cell;
            lines << line;
            line.clear();
            cell.clear();
            ++i;
        } else {
            cell += c;
        }
    }
    if (!cell.isEmpty() || !line.isEmpty())
        lines << (line << cell);
    return lines;
}

QStringList words(std::initializer_list<const char *> texts)
{
    QStringList list;
    for (const char *text : texts)
        list << QString::fromUtf8(text);
    return list;
}

db::OrderRow orderRow(const QString &id, const QString &phone, double total)
{
    db::OrderRow row;
    row.order.orderId = id;
    row.order.contactFirstName = QStringLiteral("Anna");
    row.order.contactLastName = QStringLiteral("Albrecht");
    row.order.contactEmail = QStringLiteral("anna@example.org");
    row.order.contactPhone = phone;
    row.order.eventName = QStringLiteral("Summer Gala 2026");
    row.order.totalPaid = total;
    row.order.paymentCurrency = QStringLiteral("EUR");
    row.order.paymentStatus = QStringLiteral("paid");
    row.order.dateAdded = QDateTime(QDate(2026, 9, 1), QTime(10, 0), Qt::UTC);
    row.order.updatedAt = row.order.dateAdded;
    row.tickets.live = 2;
    row.tickets.used = 1;
    return row;
}

} // namespace

class TestExporter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void csvField_data();
    void csvField();
    void defaultSeparatorFollowsTheDecimalMark_data();
    void defaultSeparatorFollowsTheDecimalMark();
    void ordersCsvKeepsPhonesAndAmounts_data();
    void ordersCsvKeepsPhonesAndAmounts();
    void headingsAreWordsAndTranslated();
    void fileNameNamesTheEvent_data();
    void fileNameNamesTheEvent();
    void doorListPdfRepeatsHeadingsOnEveryPage_data();
    void doorListPdfRepeatsHeadingsOnEveryPage();

private:
    QStringList pdfPages(const QString &pdf, int pages);
    int pdfPageCount(const QString &pdf);

    std::unique_ptr<test::TestDatabase> m_db;
    QList<gui::DoorEntry> m_doorList;
    QString m_eventName;
    QTemporaryDir m_dir;
};

void TestExporter::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    // A door list long enough for several pages, from the database as the app reads it.
    auto created = test::TestDatabase::create(db::Dialect::SQLite);
    QVERIFY2(created, qPrintable(created ? QString() : created.error().toString()));
    m_db = std::move(created).value();
    QVERIFY(m_db->migrate());
    QVERIFY(db::OrderWriter(m_db->db()).save(test::sampleOrders(900), QStringLiteral("sync")));
    db::TicketRepository tickets(m_db->db());
    // Some have arrived: all of a one-ticket order, some of larger ones.
    for (int i = 0; i < 900; i += 5)
        QVERIFY(tickets.admitNext(test::sampleOrderId(i), QStringLiteral("Door 1")));
    const core::Order first = test::sampleOrders(1).first();
    m_eventName = first.eventName;
    auto list = gui::exporter::fetchDoorList(m_db->db(), first.eventId);
    QVERIFY2(list, qPrintable(list ? QString() : list.error().toString()));
    m_doorList = list.value();
    QVERIFY2(m_doorList.size() > 250, "the fixture should give a door list of a few hundred orders");
}

void TestExporter::csvField_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<CsvSeparator>("separator");
    QTest::addColumn<QString>("expected");
    const auto comma = CsvSeparator::Comma;
    const auto semicolon = CsvSeparator::Semicolon;

    QTest::newRow("plain") << "Keller" << comma << "Keller";
    QTest::newRow("empty") << "" << comma << "";
    // Data that only looks like it starts a formula stays as it is.
    QTest::newRow("phone with spaces") << "+49 170 1234567" << comma << "+49 170 1234567";
    QTest::newRow("phone digits only") << "+4930123456" << comma << "+4930123456";
    // Only digits and spaces make a phone number: with punctuation a spreadsheet may compute it.
    QTest::newRow("phone with punctuation") << "+1 (555) 123-4567" << comma << "'+1 (555) 123-4567";
    QTest::newRow("phone with dots and slash") << "+49 30/123.45" << semicolon << "'+49 30/123.45";
    QTest::newRow("arithmetic, minus") << "+1-2" << comma << "'+1-2";
    QTest::newRow("arithmetic, division") << "+100/3" << comma << "'+100/3";
    QTest::newRow("negative amount") << "-12.50" << comma << "-12.50";
    QTest::newRow("negative whole number") << "-3" << comma << "-3";
    QTest::newRow("negative decimal comma") << "-12,50" << semicolon << "-12,50";
    QTest::newRow("negative decimal comma, comma separated") << "-12,50" << comma << "\"-12,50\"";
    // Formulas get the apostrophe (OWASP CSV injection).
    QTest::newRow("equals") << "=1+2" << comma << "'=1+2";
    QTest::newRow("hyperlink") << "=HYPERLINK(\"http://x.test\")" << comma << "\"'=HYPERLINK(\"\"http://x.test\"\")\"";
    QTest::newRow("at") << "@SUM(A1:A9)" << comma << "'@SUM(A1:A9)";
    QTest::newRow("plus function") << "+SUM(A1)" << comma << "'+SUM(A1)";
    QTest::newRow("plus cell reference") << "+A1" << comma << "'+A1";
    QTest::newRow("phone then letters") << "+49 170 CALL" << comma << "'+49 170 CALL";
    QTest::newRow("plus alone") << "+" << comma << "'+";
    QTest::newRow("plus and punctuation only") << "+()-" << comma << "'+()-";
    QTest::newRow("minus DDE") << "-2+3+cmd|' /C calc'!A0" << comma << "'-2+3+cmd|' /C calc'!A0";
    QTest::newRow("minus arithmetic") << "-1+1" << comma << "'-1+1";
    QTest::newRow("minus alone") << "-" << comma << "'-";
    QTest::newRow("minus two decimal marks") << "-1.2.3" << comma << "'-1.2.3";
    QTest::newRow("minus exponent") << "-1e5" << comma << "'-1e5";
    QTest::newRow("tab") << "\t=1+2" << comma << "'\t=1+2";
    QTest::newRow("carriage return") << "\r=1+2" << comma << "\"'\r=1+2\"";
    // Quoting follows the separator.
    QTest::newRow("comma in comma file") << "Keller, Olivia" << comma << "\"Keller, Olivia\"";
    QTest::newRow("comma in semicolon file") << "Keller, Olivia" << semicolon << "Keller, Olivia";
    QTest::newRow("semicolon in semicolon file") << "a;b" << semicolon << "\"a;b\"";
    QTest::newRow("semicolon in comma file") << "a;b" << comma << "a;b";
    QTest::newRow("quote") << "say \"hi\"" << comma << "\"say \"\"hi\"\"\"";
    QTest::newRow("line break") << "two\nlines" << comma << "\"two\nlines\"";
    QTest::newRow("formula with separator") << "=1,2" << comma << "\"'=1,2\"";
}

void TestExporter::csvField()
{
    QFETCH(QString, text);
    QFETCH(CsvSeparator, separator);
    QFETCH(QString, expected);
    QCOMPARE(gui::exporter::csvField(text, separator), expected);
}

void TestExporter::defaultSeparatorFollowsTheDecimalMark_data()
{
    QTest::addColumn<QString>("locale");
    QTest::addColumn<CsvSeparator>("expected");
    QTest::newRow("C") << "C" << CsvSeparator::Comma;
    QTest::newRow("en_US") << "en_US" << CsvSeparator::Comma;
    QTest::newRow("en_GB") << "en_GB" << CsvSeparator::Comma;
    QTest::newRow("de_CH (decimal point)") << "de_CH" << CsvSeparator::Comma;
    QTest::newRow("de_DE") << "de_DE" << CsvSeparator::Semicolon;
    QTest::newRow("fr_FR") << "fr_FR" << CsvSeparator::Semicolon;
    QTest::newRow("es_ES") << "es_ES" << CsvSeparator::Semicolon;
}

void TestExporter::defaultSeparatorFollowsTheDecimalMark()
{
    QFETCH(QString, locale);
    QFETCH(CsvSeparator, expected);
    QCOMPARE(gui::exporter::defaultCsvSeparator(QLocale(locale)), expected);
}

void TestExporter::ordersCsvKeepsPhonesAndAmounts_data()
{
    QTest::addColumn<CsvSeparator>("separator");
    QTest::addColumn<QString>("sep");
    QTest::addColumn<QStringList>("totals");
    // A comma file writes 12.50 (what spreadsheets read as a number in en); a semicolon file
    // writes 12,50 (what they read as a number in de, fr, es). Never a thousands separator.
    QTest::newRow("comma") << CsvSeparator::Comma << ","
                           << words({ "12.50", "-12.50", "1234.50", "0.00" });
    QTest::newRow("semicolon") << CsvSeparator::Semicolon << ";"
                               << words({ "12,50", "-12,50", "1234,50", "0,00" });
}

void TestExporter::ordersCsvKeepsPhonesAndAmounts()
{
    QFETCH(CsvSeparator, separator);
    QFETCH(QString, sep);
    QFETCH(QStringList, totals);
    const QList<db::OrderRow> rows { orderRow(QStringLiteral("o1"), QStringLiteral("+49 170 1234567"), 12.5),
                                     orderRow(QStringLiteral("o2"), QStringLiteral("+1 (555) 123-4567"), -12.5),
                                     orderRow(QStringLiteral("o3"), QStringLiteral("=HYPERLINK(\"x\")"), 1234.5),
                                     orderRow(QStringLiteral("o4"), QString(), 0) };
    const QByteArray bytes = gui::exporter::ordersCsv(rows, separator);
    QVERIFY2(bytes.startsWith("\xEF\xBB\xBF"), "UTF-8 with a BOM, so spreadsheet programs read names right");
    const QList<QStringList> lines = parseCsv(bytes, sep.front());
    QCOMPARE(lines.size(), rows.size() + 1);
    const QStringList header = lines.first();
    const qsizetype phone = header.indexOf(QStringLiteral("Phone"));
    const qsizetype total = header.indexOf(QStringLiteral("Total paid"));
    QVERIFY2(phone >= 0 && total >= 0, qPrintable(header.join(u'|')));
    for (const QStringList &line : lines)
        QCOMPARE(line.size(), header.size());
    QCOMPARE(lines[1][phone], QStringLiteral("+49 170 1234567"));
    QCOMPARE(lines[2][phone], QStringLiteral("'+1 (555) 123-4567"));
    QCOMPARE(lines[3][phone], QStringLiteral("'=HYPERLINK(\"x\")"));
    for (int i = 0; i < totals.size(); ++i)
        QCOMPARE(lines[i + 1][total], totals[i]);
}

void TestExporter::headingsAreWordsAndTranslated()
{
    gui::DoorEntry entry;
    entry.lastName = QStringLiteral("Albrecht");
    entry.firstName = QStringLiteral("Anna");
    entry.orderId = QStringLiteral("o1");
    entry.tickets = 3;
    entry.admitted = 2;
    const QList<db::OrderRow> rows { orderRow(QStringLiteral("o1"), QString(), 1) };

    // In English: words a person reads, not database column names.
    const QStringList orders = parseCsv(gui::exporter::ordersCsv(rows), u',').first();
    QCOMPARE(orders, (words({ "Order", "First name", "Last name", "E-mail", "Phone", "Event", "Tickets live",
                                    "Tickets used", "Tickets cancelled", "Total paid", "Currency", "Payment status",
                                    "Ordered (UTC)", "Updated (UTC)" })));
    const QStringList door = parseCsv(gui::exporter::doorListCsv({ entry }), u',').first();
    QCOMPARE(door, (words({ "Last name", "First name", "E-mail", "Order", "Tickets", "Admitted", "Ticket types" })));

    // Every heading goes through the translator.
    MarkingTranslator marking;
    QVERIFY(QCoreApplication::installTranslator(&marking));
    const QStringList markedOrders = parseCsv(gui::exporter::ordersCsv(rows), u',').first();
    const QStringList markedDoor = parseCsv(gui::exporter::doorListCsv({ entry }), u',').first();
    QCoreApplication::removeTranslator(&marking);
    for (const QString &heading : markedOrders + markedDoor)
        QVERIFY2(heading.startsWith(u'[') && heading.endsWith(u']'),
                 qPrintable(QStringLiteral("the heading \"%1\" is not translated").arg(heading)));
}

void TestExporter::fileNameNamesTheEvent_data()
{
    QTest::addColumn<QString>("event");
    QTest::addColumn<QString>("suffix");
    QTest::addColumn<QString>("expected");
    QTest::newRow("simple") << "Summer Gala" << "pdf" << "door-list-summer-gala-2026-11-29.pdf";
    QTest::newRow("csv") << "Summer Gala" << "csv" << "door-list-summer-gala-2026-11-29.csv";
    QTest::newRow("apostrophe") << "Kids' Theatre Matinee" << "pdf" << "door-list-kids-theatre-matinee-2026-11-29.pdf";
    QTest::newRow("accents") << "Café Überraschung" << "pdf" << "door-list-cafe-uberraschung-2026-11-29.pdf";
    QTest::newRow("reserved characters") << "A/B\\C:D*E?F\"G<H>I|J" << "pdf" << "door-list-a-b-c-d-e-f-g-h-i-j-2026-11-29.pdf";
    QTest::newRow("path") << "../../etc/passwd" << "csv" << "door-list-etc-passwd-2026-11-29.csv";
    QTest::newRow("dots and spaces at the ends") << " .Gala. " << "pdf" << "door-list-gala-2026-11-29.pdf";
    QTest::newRow("nothing usable") << "!!!" << "pdf" << "door-list-2026-11-29.pdf";
    QTest::newRow("other scripts") << "Ночь джаза" << "pdf" << "door-list-ночь-джаза-2026-11-29.pdf";
    QTest::newRow("long") << QString(100, u'x') << "pdf" << QStringLiteral("door-list-%1-2026-11-29.pdf").arg(QString(60, u'x'));
}

void TestExporter::fileNameNamesTheEvent()
{
    QFETCH(QString, event);
    QFETCH(QString, suffix);
    QFETCH(QString, expected);
    const QString name = gui::exporter::doorListFileName(event, QDate(2026, 11, 29), suffix);
    QCOMPARE(name, expected);
    static const QRegularExpression unsafe(QStringLiteral("[/\\\\:*?\"<>|\\s]"));
    QVERIFY2(!name.contains(unsafe), qPrintable(name));
}

void TestExporter::doorListPdfRepeatsHeadingsOnEveryPage_data()
{
    QTest::addColumn<QString>("language"); // "en", "marked" (every translated string in brackets) or "de"
    QTest::newRow("English") << "en";
    QTest::newRow("through the translator") << "marked";
    QTest::newRow("German") << "de";
}

void TestExporter::doorListPdfRepeatsHeadingsOnEveryPage()
{
    QFETCH(QString, language);
    MarkingTranslator marking;
    QTranslator german;
    QTranslator *translator = nullptr;
    if (language == u"marked") {
        translator = &marking;
    } else if (language == u"de") {
        QVERIFY2(german.load(QStringLiteral(":/i18n/qrtickets_de.qm")), "the German translation must be in :/i18n");
        translator = &german;
    }
    // Numbers and the printed date in the language's format, as the app sets it at start.
    const QLocale locale;
    QLocale::setDefault(QLocale(language == u"de" ? QStringLiteral("de_DE") : QStringLiteral("en_US")));
    const auto restoreLocale = qScopeGuard([locale] { QLocale::setDefault(locale); });
    if (translator)
        QVERIFY(QCoreApplication::installTranslator(translator));
    // What the PDF must show: the exporter's strings as the installed translator has them.
    const auto t = [](const char *text, const char *comment = nullptr) {
        return QCoreApplication::translate("qrt::gui::Exporter", text, comment);
    };
    const QString title = t("Door list: %1").arg(m_eventName);
    const QStringList headings { t("Name"), t("Admitted"), t("Order"), t("E-mail") };
    const QString pageOf = t("Page %1 of %2");
    const QString admittedOf = t("%1 of %2", "door list: tickets admitted of the order's tickets");

    const QString pdf = m_dir.filePath(QStringLiteral("door-%1.pdf").arg(language));
    int pages = 0;
    {
        QPrinter printer(QPrinter::HighResolution);
        printer.setOutputFormat(QPrinter::PdfFormat);
        printer.setOutputFileName(pdf);
        printer.setPageSize(QPageSize(QPageSize::A4));
        printer.setPageMargins(QMarginsF(12, 12, 12, 12), QPageLayout::Millimeter);
        pages = gui::exporter::printDoorList(printer, m_eventName, m_doorList);
    }
    if (translator)
        QCoreApplication::removeTranslator(translator);
    QVERIFY2(pages >= 2, qPrintable(QStringLiteral("%1 orders should need several pages, got %2").arg(m_doorList.size()).arg(pages)));
    QCOMPARE(pdfPageCount(pdf), pages);

    const QStringList texts = pdfPages(pdf, pages);
    QCOMPARE(texts.size(), pages);
    QMap<QString, int> seen;
    for (int p = 0; p < pages; ++p) {
        const QString &text = texts[p];
        const QString where = QStringLiteral("page %1 of %2").arg(p + 1).arg(pages);
        for (const QString &expected : headings + QStringList { title, pageOf.arg(p + 1).arg(pages) })
            QVERIFY2(text.contains(expected), qPrintable(QStringLiteral("%1 lacks \"%2\"").arg(where, expected)));
        for (const gui::DoorEntry &e : m_doorList)
            seen[e.orderId] += int(text.count(e.orderId));
    }
    // Every order exactly once: no row lost or repeated at a page break.
    for (const gui::DoorEntry &e : m_doorList)
        QVERIFY2(seen.value(e.orderId) == 1,
                 qPrintable(QStringLiteral("order %1 appears %2 times").arg(e.orderId).arg(seen.value(e.orderId))));
    // The admitted column says how many of the order's tickets are in.
    const auto partly = std::find_if(m_doorList.cbegin(), m_doorList.cend(),
                                     [](const gui::DoorEntry &e) { return e.admitted > 0 && e.admitted < e.tickets; });
    QVERIFY2(partly != m_doorList.cend(), "the fixture should have an order of which some are in");
    const QString admitted = admittedOf.arg(partly->admitted).arg(partly->tickets);
    QVERIFY2(texts.join(u'\n').contains(admitted), qPrintable(admitted));

    // Pages 1 and 2 as PNGs next to the other screenshots (the README shows door-list.png).
    if (language == u"marked")
        return;
    const QString prefix = language == u"en" ? QStringLiteral("door-list") : language + QStringLiteral("-door-list");
    for (const char *variable : { "QRT_SCREENSHOT_OUT", "QRT_SCREENSHOT_DIR" }) {
        const QString dir = qEnvironmentVariable(variable);
        if (dir.isEmpty())
            continue;
        QVERIFY(QDir().mkpath(dir));
        for (int page : { 1, 2 }) {
            const QString base = QDir(dir).filePath(page == 1 ? prefix : prefix + QStringLiteral("-page2"));
            const int exit = QProcess::execute(QStringLiteral("pdftoppm"),
                                               { QStringLiteral("-png"), QStringLiteral("-r"), QStringLiteral("70"),
                                                 QStringLiteral("-f"), QString::number(page), QStringLiteral("-l"),
                                                 QString::number(page), QStringLiteral("-singlefile"), pdf, base });
            QVERIFY2(exit == 0, "pdftoppm (poppler-utils) could not render the door list");
            QVERIFY(!QImage(base + QStringLiteral(".png")).isNull());
        }
    }
}

int TestExporter::pdfPageCount(const QString &pdf)
{
    QFile file(pdf);
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    // Qt writes page objects uncompressed: "/Type /Page" (not "/Pages").
    static const QRegularExpression page(QStringLiteral("/Type\\s*/Page\\b"));
    return int(QString::fromLatin1(file.readAll()).count(page));
}

QStringList TestExporter::pdfPages(const QString &pdf, int pages)
{
    QStringList texts;
    const QString tool = QStandardPaths::findExecutable(QStringLiteral("pdftotext"));
    if (tool.isEmpty()) {
        qWarning("pdftotext (Debian package poppler-utils, which scripts/test installs) is needed to read the PDF back");
        return texts;
    }
    for (int p = 1; p <= pages; ++p) {
        QProcess process;
        process.start(tool, { QStringLiteral("-layout"), QStringLiteral("-f"), QString::number(p), QStringLiteral("-l"),
                              QString::number(p), pdf, QStringLiteral("-") });
        if (!process.waitForFinished(60000) || process.exitCode() != 0) {
            qWarning("pdftotext failed on page %d: %s", p, process.readAllStandardError().constData());
            return texts;
        }
        texts << QString::fromUtf8(process.readAllStandardOutput());
    }
    return texts;
}

QTEST_MAIN(TestExporter)
#include "tst_exporter.moc"
