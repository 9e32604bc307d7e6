#pragma once

#include "gui/settings/settingspage.h"

#include "ghl/ghltypes.h"

#include <memory>

namespace Ui {
class MappingsSettingsPage;
}

class QComboBox;

namespace qrt::gui {

class DbWorker;

// Which contact custom field receives the QR code of each product (event), and which second,
// FILE_UPLOAD field (if any) the buyer's ticket PDF: the table ghl_qr_fields, read and written through the shared DbWorker, all changes of one OK in one
// transaction. The choices are the location's custom fields, listed by the GHL page.
class MappingsSettingsPage : public SettingsPage
{
    Q_OBJECT
public:
    // worker may be null (no database open): the page explains that a database is needed.
    explicit MappingsSettingsPage(DbWorker *worker, QWidget *parent = nullptr);
    ~MappingsSettingsPage() override;

    QString name() const override;
    void load(const core::Config &config) override;
    // Asks first when saving sends ticket PDFs to past orders (a ticket PDF field newly set on a
    // product with sales: the next reconciliation's QR outbox pass uploads it to every past buyer
    // who has none, as it does for a newly mapped QR field) and says how many; and when clearing a
    // QR field also removes the row's ticket PDF field.
    void beforeSave(const core::Config &config, std::function<void()> proceed) override;
    void store(Done done) override;

    bool fieldsLoaded() const { return m_fieldsLoaded; }
    void setCustomFields(const QList<qrt::ghl::CustomField> &fields);
    void showStatus(const QString &text, const QString &details);
    void setFetching(bool fetching);

signals:
    void loadFieldsRequested();

private:
    struct Row
    {
        QString productId;
        QString productName;
        int orders = 0;
        QString fieldId;   // saved mapping, empty: none
        QString fieldName; // saved mapping's field name
        QString fieldType; // saved mapping's dataType, empty: not known
        QString pdfFieldId;   // saved ticket PDF field, empty: none
        QString pdfFieldName;
    };
    void fillTable();
    // Column 3: the chosen field's type, with a warning when a QR code cannot go there.
    void showFieldType(int row);
    // Column 4: the ticket PDF field's choices (FILE_UPLOAD fields only), usable with a QR field.
    QComboBox *pdfCombo(const Row &row, const QString &want);
    // "Save" / "Keep editing" over these lines; proceed runs on Save.
    void askBeforeSaving(const QStringList &lines, std::function<void()> proceed);

    std::unique_ptr<Ui::MappingsSettingsPage> m_ui;
    DbWorker *m_worker = nullptr;
    QList<Row> m_rows;
    QList<ghl::CustomField> m_fields;
    bool m_fieldsLoaded = false;
};

} // namespace qrt::gui
