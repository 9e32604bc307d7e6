#include "gui/userspage.h"

#include "db/doorfunctions.h"
#include "gui/changewatcher.h"
#include "gui/dbworker.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace qrt::gui {

// --- UserListModel ---------------------------------------------------------------------------

void UserListModel::setUsers(const QList<db::User> &users)
{
    beginResetModel();
    m_users = users;
    endResetModel();
}

const db::User *UserListModel::userAt(int row) const
{
    return row >= 0 && row < m_users.size() ? &m_users[row] : nullptr;
}

int UserListModel::rowOf(const QString &id) const
{
    for (int i = 0; i < m_users.size(); ++i) {
        if (m_users[i].id == id)
            return i;
    }
    return -1;
}

int UserListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_users.size());
}

int UserListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString UserListModel::typeText(const QString &type)
{
    if (type == db::userType::Admin)
        return tr("Admin");
    if (type == db::userType::SuperAdmin)
        return tr("Super Admin");
    if (type == db::userType::Door)
        return tr("Door");
    return type;
}

QString UserListModel::operatorText(const db::User &user)
{
    if (user.operatorName.isEmpty())
        return QStringLiteral("—");
    if (user.operatorRole == u"admin")
        return tr("%1 (admin)").arg(user.operatorName);
    if (user.operatorRole == u"door")
        return tr("%1 (door)").arg(user.operatorName);
    return tr("%1 (no login)").arg(user.operatorName);
}

QVariant UserListModel::data(const QModelIndex &index, int role) const
{
    const db::User *u = index.isValid() ? userAt(index.row()) : nullptr;
    if (!u)
        return {};
    if (role == UserIdRole)
        return u->id;
    if (role == Qt::ToolTipRole && index.column() == Operator && !u->operatorName.isEmpty() && u->operatorRole.isEmpty())
        return tr("No database login named %1 is in qrtickets_admin or qrtickets_door any more.").arg(u->operatorName);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Name:
        return u->name;
    case Email:
        return u->email;
    case Type:
        return typeText(u->type);
    case Created:
        return u->createdAt.isValid() ? QLocale().toString(u->createdAt.toLocalTime(), QLocale::ShortFormat) : QString();
    case Operator:
        return operatorText(*u);
    default:
        return {};
    }
}

QVariant UserListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Name");
    case Email:
        return tr("E-mail");
    case Type:
        return tr("Type");
    case Created:
        return tr("Created");
    case Operator:
        return tr("Operator");
    default:
        return {};
    }
}

// --- UserDialog ------------------------------------------------------------------------------

UserDialog::UserDialog(const db::User &user, const QList<db::User> &others, QWidget *parent)
    : QDialog(parent), m_user(user), m_others(others)
{
    setObjectName(QStringLiteral("userDialog"));
    setWindowTitle(user.id.isEmpty() ? tr("Add user") : tr("Edit user"));
    auto *form = new QFormLayout;
    m_name = new QLineEdit(user.name, this);
    m_name->setObjectName(QStringLiteral("userName"));
    m_email = new QLineEdit(user.email, this);
    m_email->setObjectName(QStringLiteral("userEmail"));
    m_email->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("olivia.zimmermann@example.org")));
    m_type = new QComboBox(this);
    m_type->setObjectName(QStringLiteral("userType"));
    for (const QString &type : db::userType::all)
        m_type->addItem(UserListModel::typeText(type), type);
    const int current = m_type->findData(user.type);
    m_type->setCurrentIndex(current < 0 ? 0 : current);
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&E-mail:"), m_email);
    form->addRow(tr("&Type:"), m_type);
    auto *note = new QLabel(tr("The type is a label from the original web system: what a station may do "
                               "depends on the database login it connects with."),
                            this);
    note->setWordWrap(true);
    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("userProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #b00020"));
    m_problem->hide();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    m_save = buttons->button(QDialogButtonBox::Save);
    m_save->setObjectName(QStringLiteral("userSave"));
    connect(m_save, &QPushButton::clicked, this, &UserDialog::trySubmit);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    setMinimumWidth(fontMetrics().horizontalAdvance(QLatin1Char('M')) * 32);
}

db::User UserDialog::user() const
{
    db::User u = m_user;
    u.name = m_name->text().trimmed();
    u.email = m_email->text().trimmed();
    u.type = m_type->currentData().toString();
    return u;
}

void UserDialog::showProblem(const QString &message)
{
    setBusy(false);
    m_problem->setText(message);
    m_problem->setVisible(!message.isEmpty());
}

void UserDialog::setBusy(bool busy)
{
    m_save->setEnabled(!busy);
    m_name->setReadOnly(busy);
    m_email->setReadOnly(busy);
    m_type->setEnabled(!busy);
}

void UserDialog::trySubmit()
{
    const db::User u = user();
    if (u.name.isEmpty()) {
        showProblem(tr("Enter the user's name."));
        m_name->setFocus();
        return;
    }
    if (!db::UserRepository::isEmailAddress(u.email)) {
        showProblem(u.email.isEmpty() ? tr("Enter the user's e-mail address.")
                                      : tr("'%1' is not an e-mail address.").arg(u.email));
        m_email->setFocus();
        return;
    }
    for (const db::User &other : std::as_const(m_others)) {
        if (other.id != u.id && other.email.compare(u.email, Qt::CaseInsensitive) == 0) {
            showProblem(tr("%1 already has the e-mail address %2: each user needs their own.").arg(other.name, other.email));
            m_email->setFocus();
            return;
        }
    }
    showProblem({});
    setBusy(true);
    Q_EMIT submitted(u);
}

// --- UsersPage -------------------------------------------------------------------------------

namespace {
// One read of what the page shows, on the worker thread.
struct UsersSnapshot
{
    core::Result<db::DatabaseRole> role = db::DatabaseRole::Full;
    core::Result<QList<db::User>> users = QList<db::User>();
};
} // namespace

UsersPage::UsersPage(DbWorker &worker, ChangeWatcher *watcher, QWidget *parent) : QWidget(parent), m_worker(worker)
{
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("usersStatus"));
    m_status->setWordWrap(true);
    m_add = new QPushButton(tr("&Add user…"), this);
    m_add->setObjectName(QStringLiteral("addUser"));
    m_edit = new QPushButton(tr("Ed&it…"), this);
    m_edit->setObjectName(QStringLiteral("editUser"));
    m_remove = new QPushButton(tr("Re&move…"), this);
    m_remove->setObjectName(QStringLiteral("removeUser"));
    m_refresh = new QPushButton(tr("&Refresh"), this);
    m_refresh->setObjectName(QStringLiteral("refreshUsers"));
    connect(m_add, &QPushButton::clicked, this, &UsersPage::addUser);
    connect(m_edit, &QPushButton::clicked, this, &UsersPage::editSelected);
    connect(m_remove, &QPushButton::clicked, this, &UsersPage::removeSelected);
    connect(m_refresh, &QPushButton::clicked, this, &UsersPage::refresh);

    m_model = new UserListModel(this);
    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("usersView"));
    m_view->setAccessibleName(tr("Users"));
    m_view->setModel(m_model);
    m_view->verticalHeader()->hide();
    m_view->setAlternatingRowColors(true);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setStretchLastSection(true);
    // SQLite has no logins: nothing to link.
    m_view->setColumnHidden(UserListModel::Operator, !m_worker.database().isPostgres());
    connect(m_view, &QTableView::activated, this, [this] {
        if (m_canEdit)
            editSelected();
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &UsersPage::updateButtons);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_add);
    buttons->addWidget(m_edit);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);
    buttons->addWidget(m_refresh);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_status);
    updateButtons();

    if (watcher) {
        connect(watcher, &ChangeWatcher::changed, this, [this] {
            if (isVisible())
                refresh();
            else
                m_stale = true;
        });
    }
}

void UsersPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_loaded || m_stale)
        refresh();
}

void UsersPage::refresh()
{
    if (m_busy) {
        m_again = true;
        return;
    }
    m_busy = true;
    m_again = false;
    m_stale = false;
    m_worker.run(
        this,
        [](db::Database &database) {
            UsersSnapshot s;
            s.role = db::detectRole(database);
            if (s.role && s.role.value() != db::DatabaseRole::Door)
                s.users = db::UserRepository(database).list();
            return s;
        },
        [this](UsersSnapshot s) {
            m_busy = false;
            m_loaded = true;
            if (!s.role) {
                m_canEdit = false;
                m_status->setText(s.role.error().message);
            } else if (s.role.value() == db::DatabaseRole::Door) {
                m_canEdit = false;
                m_model->setUsers({});
                m_status->setText(tr("This station is connected as a door login: the users are for admins only."));
            } else if (!s.users) {
                m_canEdit = false;
                m_status->setText(s.users.error().message);
            } else {
                m_canEdit = true;
                const QString selected = selectedUser() ? selectedUser()->id : QString();
                m_model->setUsers(s.users.value());
                if (const int row = m_model->rowOf(selected); row >= 0)
                    m_view->selectRow(row);
                int linked = 0;
                for (const db::User &u : s.users.value())
                    linked += u.operatorName.isEmpty() ? 0 : 1;
                m_status->setText(m_worker.database().isPostgres()
                                      ? tr("%n user(s), %1 linked to a database login.", nullptr, int(s.users->size())).arg(linked)
                                      : tr("%n user(s).", nullptr, int(s.users->size())));
            }
            updateButtons();
            Q_EMIT refreshed();
            if (m_again)
                refresh();
        });
}

const db::User *UsersPage::selectedUser() const
{
    const QModelIndexList rows = m_view->selectionModel() ? m_view->selectionModel()->selectedRows() : QModelIndexList();
    return rows.isEmpty() ? nullptr : m_model->userAt(rows.first().row());
}

void UsersPage::updateButtons()
{
    const bool selected = selectedUser() != nullptr;
    m_add->setEnabled(m_canEdit);
    m_edit->setEnabled(m_canEdit && selected);
    m_remove->setEnabled(m_canEdit && selected);
}

UserDialog *UsersPage::addUser()
{
    if (!m_canEdit)
        return nullptr;
    db::User fresh;
    fresh.type = db::userType::Admin;
    auto *dialog = new UserDialog(fresh, m_model->users(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &UserDialog::submitted, this, [this, dialog](const db::User &u) { save(dialog, u); });
    dialog->open();
    return dialog;
}

UserDialog *UsersPage::editSelected()
{
    const db::User *u = m_canEdit ? selectedUser() : nullptr;
    if (!u)
        return nullptr;
    auto *dialog = new UserDialog(*u, m_model->users(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &UserDialog::submitted, this, [this, dialog](const db::User &changed) { save(dialog, changed); });
    dialog->open();
    return dialog;
}

void UsersPage::save(UserDialog *dialog, const db::User &user)
{
    QPointer<UserDialog> guard(dialog);
    m_worker.run(
        this,
        [user](db::Database &database) {
            db::UserRepository users(database);
            return user.id.isEmpty() ? users.add(user) : users.update(user);
        },
        [this, guard](core::Result<db::User> result) {
            if (!result) {
                if (guard)
                    guard->showProblem(result.error().message);
                else
                    m_status->setText(result.error().message);
                Q_EMIT saved(false);
                return;
            }
            if (guard)
                guard->accept();
            refresh();
            Q_EMIT saved(true);
        });
}

QMessageBox *UsersPage::removeSelected()
{
    const db::User *selected = m_canEdit ? selectedUser() : nullptr;
    if (!selected)
        return nullptr;
    const db::User u = *selected;
    auto *box = new QMessageBox(QMessageBox::Question, tr("Remove user"),
                                tr("Remove the user %1 (%2)?").arg(u.name.isEmpty() ? u.email : u.name, u.email),
                                QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("removeUserConfirm"));
    box->setInformativeText(u.operatorName.isEmpty()
                                ? tr("This cannot be undone.")
                                : tr("The database login %1 stays and can still connect: `qrtickets operator remove %1` "
                                     "removes it.")
                                      .arg(u.operatorName));
    QPushButton *yes = box->addButton(tr("&Remove"), QMessageBox::DestructiveRole);
    yes->setObjectName(QStringLiteral("confirmRemoveUser"));
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, yes, u](QAbstractButton *clicked) {
        if (clicked == yes)
            remove(u);
    });
    box->open();
    return box;
}

void UsersPage::remove(const db::User &user)
{
    m_worker.run(
        this, [id = user.id](db::Database &database) { return db::UserRepository(database).remove(id); },
        [this, user](core::Result<bool> removed) {
            if (!removed)
                m_status->setText(tr("%1 was not removed: %2").arg(user.email, removed.error().message));
            refresh();
            Q_EMIT saved(bool(removed));
        });
}

} // namespace qrt::gui
