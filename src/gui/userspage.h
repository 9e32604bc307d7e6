#pragma once

#include "db/userrepository.h"

#include <QAbstractTableModel>
#include <QDialog>
#include <QPointer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QMessageBox;
class QPushButton;
class QTableView;

namespace qrt::gui {

class ChangeWatcher;
class DbWorker;

// ghl_qr_users, as the Users page lists them.
class UserListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Email, Type, Created, Operator, ColumnCount };
    enum Role { UserIdRole = Qt::UserRole + 1 };

    using QAbstractTableModel::QAbstractTableModel;

    void setUsers(const QList<db::User> &users);
    const QList<db::User> &users() const { return m_users; }
    const db::User *userAt(int row) const;
    int rowOf(const QString &id) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // "Admin", "Super Admin", "Door" in the user's language; anything else as stored.
    static QString typeText(const QString &type);
    // "anna (admin)", "anna (no login)", or "—".
    static QString operatorText(const db::User &user);

private:
    QList<db::User> m_users;
};

// Add or edit one user: name, e-mail, type. Checks what it can before it asks the page to save
// (submitted); the page closes it on success or shows the database's answer in it (showProblem).
class UserDialog : public QDialog
{
    Q_OBJECT
public:
    // others: the users already listed, for a duplicate e-mail found before the database is asked.
    UserDialog(const db::User &user, const QList<db::User> &others, QWidget *parent = nullptr);

    db::User user() const;
    void showProblem(const QString &message);
    void setBusy(bool busy);

    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *emailEdit() const { return m_email; }
    QComboBox *typeBox() const { return m_type; }
    QPushButton *saveButton() const { return m_save; }
    QLabel *problemLabel() const { return m_problem; }

Q_SIGNALS:
    void submitted(const qrt::db::User &user);

private:
    void trySubmit();

    db::User m_user;
    QList<db::User> m_others;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_email = nullptr;
    QComboBox *m_type = nullptr;
    QLabel *m_problem = nullptr;
    QPushButton *m_save = nullptr;
};

// The Users page (issue 13 point 5): the original system's users (ghl_qr_users) with the
// PostgreSQL login each is linked to (`qrtickets operator add --email`). Admins and full-rights
// stations (SQLite, the tables' owner) add, edit and remove them; a door login may not read them.
// Reads and writes run on the DbWorker; it re-reads when the change watcher reports a change
// (PostgreSQL: migration 17's NOTIFY on ghl_qr_users; SQLite: any commit) while it shows.
class UsersPage : public QWidget
{
    Q_OBJECT
public:
    UsersPage(DbWorker &worker, ChangeWatcher *watcher, QWidget *parent = nullptr);

    UserListModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    bool canEdit() const { return m_canEdit; }

    void refresh();
    // The dialogs and the confirmation open window-modal and return at once (the actions call
    // these); null when nothing is selected or the station may not edit.
    UserDialog *addUser();
    UserDialog *editSelected();
    QMessageBox *removeSelected();

Q_SIGNALS:
    void refreshed();
    // A save or removal finished (ok or not); the list is read again after a success.
    void saved(bool ok);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void save(UserDialog *dialog, const db::User &user);
    void remove(const db::User &user);
    void updateButtons();
    const db::User *selectedUser() const;

    DbWorker &m_worker;
    UserListModel *m_model = nullptr;
    QTableView *m_view = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_edit = nullptr;
    QPushButton *m_remove = nullptr;
    QPushButton *m_refresh = nullptr;
    bool m_canEdit = false;
    bool m_loaded = false;
    bool m_stale = false;
    bool m_busy = false;
    bool m_again = false;
};

} // namespace qrt::gui
