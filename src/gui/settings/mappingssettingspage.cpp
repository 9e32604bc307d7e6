#include "gui/settings/mappingssettingspage.h"

#include "ui_settingsmappingspage.h"

#include "db/fieldmappingrepository.h"
#include "db/orderrepository.h"
#include "gui/dbworker.h"
#include "outbox/outboxrepository.h"

#include <QComboBox>
#include <QHeaderView>
#include <QMessageBox>
#include <QPushButton>
#include <QSet>
#include <QStyle>

namespace qrt::gui {

namespace {

constexpr int kFieldNameRole = Qt::UserRole + 1;
constexpr int kFieldTypeRole = Qt::UserRole + 2;

// GHL's dataType as the custom field editor names it.
QString typeName(const QString &dataType)
{
    if (dataType == u"TEXT")
        return QCoreApplication::translate("qrt::gui::MappingsSettingsPage", "Text");
    if (dataType == u"LARGE_TEXT")
        return QCoreApplication::translate("qrt::gui::MappingsSettingsPage", "Large text");
    if (dataType == u"FILE_UPLOAD")
        return QCoreApplication::translate("qrt::gui::MappingsSettingsPage", "File upload");
    return dataType;
}

} // namespace

MappingsSettingsPage::MappingsSettingsPage(DbWorker *worker, QWidget *parent)
    : SettingsPage(nullptr, parent), m_ui(std::make_unique<Ui::MappingsSettingsPage>()), m_worker(worker)
{
    m_ui->setupUi(this);
    QTableWidget *table = m_ui->mappingTable;
    table->setColumnCount(5);
    table->setHorizontalHeaderLabels({ tr("Product (event)"), tr("Orders"), tr("Custom field for the QR code"),
                                       tr("Field type"), tr("Field for the ticket PDF") });
    table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    table->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    table->horizontalHeader()->setSectionResizeMode(3, QHeaderView::ResizeToContents);
    table->horizontalHeader()->setSectionResizeMode(4, QHeaderView::Stretch);
    table->horizontalHeaderItem(4)->setToolTip(
        tr("Optional: a File upload field that receives the buyer's tickets as a PDF, one page per ticket with the "
           "QR code of that ticket alone (tickets-<order>.pdf)."));    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    connect(m_ui->loadFieldsButton, &QPushButton::clicked, this, &MappingsSettingsPage::loadFieldsRequested);
}

MappingsSettingsPage::~MappingsSettingsPage() = default;

QString MappingsSettingsPage::name() const
{
    return tr("Field mappings");
}

void MappingsSettingsPage::showStatus(const QString &text, const QString &details)
{
    m_ui->mappingStatusLabel->setText(text);
    m_ui->mappingStatusLabel->setToolTip(details);
}

void MappingsSettingsPage::setFetching(bool fetching)
{
    m_ui->loadFieldsButton->setEnabled(!fetching);
}

void MappingsSettingsPage::setCustomFields(const QList<ghl::CustomField> &fields)
{
    m_fields = fields;
    m_fieldsLoaded = true;
    showStatus(tr("%n custom field(s) loaded from GHL.", nullptr, int(fields.size())), {});
    fillTable();
}

void MappingsSettingsPage::load(const core::Config &)
{
    if (!m_worker) {
        m_ui->mappingTable->setEnabled(false);
        m_ui->mappingStatusLabel->setText(tr("Mappings are stored in the database; none is open."));
        return;
    }
    m_ui->mappingStatusLabel->setText(tr("Loading products ..."));
    struct Loaded
    {
        QString error;
        QList<db::EventInfo> events;
        QList<db::FieldMapping> mappings;
    };
    m_worker->run(
        this,
        [](db::Database &database) {
            Loaded l;
            auto events = db::OrderRepository(database).events();
            auto mappings = db::FieldMappingRepository(database).list();
            if (!events)
                l.error = events.error().message;
            else if (!mappings)
                l.error = mappings.error().message;
            else {
                l.events = events.value();
                l.mappings = mappings.value();
            }
            return l;
        },
        [this](Loaded l) {
            if (!l.error.isEmpty()) {
                m_ui->mappingStatusLabel->setText(l.error);
                return;
            }
            m_rows.clear();
            QSet<QString> seen;
            for (const db::EventInfo &e : std::as_const(l.events)) {
                m_rows << Row { e.eventId, e.eventName.isEmpty() ? e.eventId : e.eventName, e.orders, {}, {}, {} };
                seen.insert(e.eventId);
            }
            for (const db::FieldMapping &m : std::as_const(l.mappings)) {
                if (!seen.contains(m.productId))
                    m_rows << Row { m.productId, m.productId, 0, {}, {}, {} };
                for (Row &row : m_rows) {
                    if (row.productId == m.productId) {
                        row.fieldId = m.fieldId;
                        row.fieldName = m.fieldName;
                        row.fieldType = m.fieldType;
                        row.pdfFieldId = m.ticketPdfFieldId;
                        row.pdfFieldName = m.ticketPdfFieldName;
                    }
                }
            }
            m_ui->mappingStatusLabel->setText(m_rows.isEmpty()
                                                  ? tr("No products yet: run a sync first, then map each product to a field.")
                                                  : tr("Load the custom fields from GHL to change a mapping."));
            fillTable();
        });
}

void MappingsSettingsPage::fillTable()
{
    QTableWidget *table = m_ui->mappingTable;
    // Keep choices already made in the table when the field list arrives.
    QHash<QString, QString> chosen;
    QHash<QString, QString> chosenPdf;
    for (int r = 0; r < table->rowCount(); ++r) {
        if (auto *combo = qobject_cast<QComboBox *>(table->cellWidget(r, 2)))
            chosen.insert(table->item(r, 0)->data(Qt::UserRole).toString(), combo->currentData().toString());
        if (auto *combo = qobject_cast<QComboBox *>(table->cellWidget(r, 4)))
            chosenPdf.insert(table->item(r, 0)->data(Qt::UserRole).toString(), combo->currentData().toString());
    }
    table->setRowCount(int(m_rows.size()));
    for (int r = 0; r < m_rows.size(); ++r) {
        const Row &row = m_rows.at(r);
        auto *name = new QTableWidgetItem(row.productName);
        name->setData(Qt::UserRole, row.productId);
        name->setToolTip(row.productId);
        table->setItem(r, 0, name);
        auto *orders = new QTableWidgetItem(QString::number(row.orders));
        orders->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        table->setItem(r, 1, orders);

        auto *combo = new QComboBox(table);
        combo->setObjectName(QStringLiteral("mappingCombo_") + row.productId);
        combo->setAccessibleName(tr("Custom field for %1").arg(row.productName));
        combo->addItem(tr("(no QR field)"), QString());
        bool savedListed = false;
        for (const ghl::CustomField &f : std::as_const(m_fields)) {
            combo->addItem(f.fieldKey.isEmpty() ? f.name : tr("%1 (%2)").arg(f.name, f.fieldKey), f.id);
            combo->setItemData(combo->count() - 1, f.name, kFieldNameRole);
            combo->setItemData(combo->count() - 1, f.dataType, kFieldTypeRole);
            combo->setItemData(combo->count() - 1, tr("Type: %1").arg(typeName(f.dataType)), Qt::ToolTipRole);
            savedListed = savedListed || f.id == row.fieldId;
        }
        if (!row.fieldId.isEmpty() && !savedListed) {
            combo->addItem(m_fieldsLoaded ? tr("%1 (no longer in GHL)").arg(row.fieldName) : row.fieldName, row.fieldId);
            combo->setItemData(combo->count() - 1, row.fieldName, kFieldNameRole);
            combo->setItemData(combo->count() - 1, row.fieldType, kFieldTypeRole);
        }
        const QString want = chosen.value(row.productId, row.fieldId);
        combo->setCurrentIndex(qMax(0, combo->findData(want)));
        combo->setEnabled(m_fieldsLoaded || !row.fieldId.isEmpty());
        table->setCellWidget(r, 2, combo);
        QComboBox *pdf = pdfCombo(row, chosenPdf.value(row.productId, row.pdfFieldId));
        table->setCellWidget(r, 4, pdf);
        connect(combo, &QComboBox::currentIndexChanged, this, [this, combo] {
            QTableWidget *t = m_ui->mappingTable;
            for (int i = 0; i < t->rowCount(); ++i) {
                if (t->cellWidget(i, 2) == combo)
                    showFieldType(i);
            }
        });
        showFieldType(r);
    }
}

QComboBox *MappingsSettingsPage::pdfCombo(const Row &row, const QString &want)
{
    auto *combo = new QComboBox(m_ui->mappingTable);
    combo->setObjectName(QStringLiteral("ticketPdfCombo_") + row.productId);
    combo->setAccessibleName(tr("Field for the ticket PDF of %1").arg(row.productName));
    combo->addItem(tr("(no ticket PDF)"), QString());
    bool savedListed = false;
    for (const ghl::CustomField &f : std::as_const(m_fields)) {
        if (db::qrDeliveryFor(f.dataType) != db::QrDelivery::FileUpload)
            continue; // a PDF goes only into a File upload field
        combo->addItem(f.fieldKey.isEmpty() ? f.name : tr("%1 (%2)").arg(f.name, f.fieldKey), f.id);
        combo->setItemData(combo->count() - 1, f.name, kFieldNameRole);
        savedListed = savedListed || f.id == row.pdfFieldId;
    }
    if (!row.pdfFieldId.isEmpty() && !savedListed) {
        combo->addItem(m_fieldsLoaded ? tr("%1 (no longer in GHL or not a File upload field)").arg(row.pdfFieldName)
                                      : row.pdfFieldName,
                       row.pdfFieldId);
        combo->setItemData(combo->count() - 1, row.pdfFieldName, kFieldNameRole);
    }
    combo->setCurrentIndex(qMax(0, combo->findData(want)));
    combo->setEnabled(m_fieldsLoaded || !row.pdfFieldId.isEmpty());
    combo->setToolTip(tr("Uploaded once per order as tickets-<order>.pdf (scope forms.write). Needs a QR code field "
                         "in the same row; choose a field other than the QR code's."));
    return combo;
}

void MappingsSettingsPage::showFieldType(int row)
{
    QTableWidget *table = m_ui->mappingTable;
    auto *combo = qobject_cast<QComboBox *>(table->cellWidget(row, 2));
    if (!combo)
        return;
    const QString fieldId = combo->currentData().toString();
    const QString dataType = combo->currentData(kFieldTypeRole).toString();
    auto *item = new QTableWidgetItem;
    item->setData(Qt::UserRole, dataType);
    if (fieldId.isEmpty()) {
        item->setText(QString());
    } else if (dataType.isEmpty()) {
        item->setText(tr("not known yet"));
        item->setToolTip(tr("Load the custom fields from GHL to see the field's type."));
    } else if (db::qrDeliveryFor(dataType) == db::QrDelivery::Unsupported) {
        item->setText(typeName(dataType));
        item->setIcon(style()->standardIcon(QStyle::SP_MessageBoxWarning));
        item->setToolTip(tr("A QR code cannot be put into a field of type %1: choose a Text, Large text or File "
                            "upload field.")
                             .arg(dataType));
    } else {
        item->setText(typeName(dataType));
        item->setToolTip(db::qrDeliveryFor(dataType) == db::QrDelivery::FileUpload
                             ? tr("The QR code is uploaded as a PNG file (scope forms.write).")
                             : tr("The QR code is written as a data URL (scope contacts.write)."));
    }
    table->setItem(row, 3, item);
}

void MappingsSettingsPage::beforeSave(const core::Config &, std::function<void()> proceed)
{
    struct NewPdf
    {
        QString productId;
        QString productName;
        QString fieldId;
    };
    QList<NewPdf> newPdf;
    QStringList lines;
    QTableWidget *table = m_ui->mappingTable;
    for (int r = 0; r < table->rowCount() && r < m_rows.size(); ++r) {
        auto *combo = qobject_cast<QComboBox *>(table->cellWidget(r, 2));
        auto *pdf = qobject_cast<QComboBox *>(table->cellWidget(r, 4));
        if (!combo)
            continue;
        const Row &row = m_rows.at(r);
        const QString fieldId = combo->currentData().toString();
        if (fieldId.isEmpty() && !row.fieldId.isEmpty() && !row.pdfFieldId.isEmpty()) {
            lines << tr("%1: without a QR code field the product's mapping is removed, its ticket PDF field (%2) "
                        "with it; no ticket PDF goes out for it any more.")
                         .arg(row.productName, row.pdfFieldName.isEmpty() ? row.pdfFieldId : row.pdfFieldName);
        }
        const QString pdfId = pdf && !fieldId.isEmpty() ? pdf->currentData().toString() : QString();
        if (!pdfId.isEmpty() && pdfId != fieldId && pdfId != row.pdfFieldId)
            newPdf << NewPdf { row.productId, row.productName, pdfId };
    }
    if ((newPdf.isEmpty() && lines.isEmpty()) || !m_worker) {
        proceed();
        return;
    }
    if (newPdf.isEmpty()) {
        askBeforeSaving(lines, std::move(proceed));
        return;
    }
    struct Counted
    {
        QList<int> counts; // -1: not counted
        QStringList errors;
    };
    m_worker->run(
        this,
        [newPdf](db::Database &database) {
            Counted c;
            outbox::OutboxRepository outbox(database);
            for (const NewPdf &n : newPdf) {
                auto count = outbox.ticketPdfBacklog(n.productId, n.fieldId);
                c.counts << (count ? count.value() : -1);
                c.errors << (count ? QString() : count.error().message);
            }
            return c;
        },
        [this, newPdf, lines, proceed](Counted c) mutable {
            for (qsizetype i = 0; i < newPdf.size(); ++i) {
                if (c.counts.at(i) < 0)
                    lines << tr("%1: the ticket PDF goes to every past order of this product that has none; how many "
                                "could not be counted (%2).")
                                 .arg(newPdf.at(i).productName, c.errors.at(i));
                else if (c.counts.at(i) > 0)
                    lines << tr("%1: the ticket PDF will be uploaded for up to %n past order(s) of this product (each "
                                "buyer who has not received it; a buyer with several orders gets the newest one's) with "
                                "the next reconciliation, as a newly mapped QR field is.",
                                nullptr, c.counts.at(i))
                                 .arg(newPdf.at(i).productName);
            }
            if (lines.isEmpty())
                proceed();
            else
                askBeforeSaving(lines, std::move(proceed));
        });
}

void MappingsSettingsPage::askBeforeSaving(const QStringList &lines, std::function<void()> proceed)
{
    auto *box = new QMessageBox(QMessageBox::Question, tr("Save the field mappings?"),
                                tr("Saving these field mappings changes what goes to buyers:"), QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("mappingsConfirmBox"));
    box->setInformativeText(lines.join(QStringLiteral("\n\n")));
    QPushButton *save = box->addButton(tr("Save"), QMessageBox::AcceptRole);
    save->setObjectName(QStringLiteral("saveMappingsButton"));
    QPushButton *keepEditing = box->addButton(tr("Keep editing"), QMessageBox::RejectRole);
    keepEditing->setObjectName(QStringLiteral("keepEditingButton"));
    box->setDefaultButton(keepEditing);
    box->setEscapeButton(keepEditing);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, save, proceed](QAbstractButton *clicked) {
        if (clicked == save) {
            proceed();
            return;
        }
        emit wantsAttention();
    });
    box->open();
}

void MappingsSettingsPage::store(Done done)
{
    QList<db::FieldMappingChange> changes;
    QStringList problems;
    QTableWidget *table = m_ui->mappingTable;
    for (int r = 0; r < table->rowCount() && r < m_rows.size(); ++r) {
        auto *combo = qobject_cast<QComboBox *>(table->cellWidget(r, 2));
        if (!combo)
            continue;
        const Row &row = m_rows.at(r);
        const QString fieldId = combo->currentData().toString();
        const QString fieldType = combo->currentData(kFieldTypeRole).toString();
        auto *pdf = qobject_cast<QComboBox *>(table->cellWidget(r, 4));
        // Without a QR field the row is removed, and its ticket PDF field with it.
        const QString pdfId = pdf && !fieldId.isEmpty() ? pdf->currentData().toString() : QString();
        const QString pdfName = pdf && !pdfId.isEmpty() ? pdf->currentData(kFieldNameRole).toString() : QString();
        if (!pdfId.isEmpty() && pdfId == fieldId) {
            problems << tr("%1: the ticket PDF needs a field of its own, not the QR code's field.").arg(row.productName);
            continue;
        }
        // A new field, or the type GHL lists for the mapped one now known or changed.
        if (fieldId != row.fieldId || pdfId != row.pdfFieldId
            || (!fieldId.isEmpty() && !fieldType.isEmpty() && fieldType != row.fieldType))
            changes << db::FieldMappingChange { row.productId, fieldId, combo->currentData(kFieldNameRole).toString(),
                                                fieldType, pdfId, pdfName };
    }
    if (!problems.isEmpty()) {
        done(problems);
        return;
    }
    if (changes.isEmpty() || !m_worker) {
        done({});
        return;
    }
    m_worker->run(
        this,
        [changes](db::Database &database) {
            auto r = db::FieldMappingRepository(database).apply(changes);
            return r ? QString() : r.error().message;
        },
        [this, changes, done](const QString &error) {
            if (!error.isEmpty()) {
                done({ error });
                return;
            }
            for (const db::FieldMappingChange &c : changes) {
                for (Row &row : m_rows) {
                    if (row.productId == c.productId) {
                        row.fieldId = c.fieldId;
                        row.fieldName = c.fieldName;
                        row.fieldType = c.fieldType;
                        row.pdfFieldId = c.ticketPdfFieldId;
                        row.pdfFieldName = c.ticketPdfFieldName;
                    }
                }
            }
            done({});
        });
}

} // namespace qrt::gui
