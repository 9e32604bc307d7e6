#include "gui/messages.h"

#include <QMessageBox>

namespace qrt::gui {

void showError(QWidget *parent, const QString &title, const core::Error &error, const QString &action)
{
    QMessageBox box(QMessageBox::Warning, title, error.message, QMessageBox::Ok, parent);
    box.setObjectName(QStringLiteral("errorBox"));
    if (!action.isEmpty())
        box.setInformativeText(action);
    if (!error.details.isEmpty() || !error.code.isEmpty())
        box.setDetailedText(error.code.isEmpty() ? error.details : error.code + u'\n' + error.details);
    box.exec();
}

} // namespace qrt::gui
