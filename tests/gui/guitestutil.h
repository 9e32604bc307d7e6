#pragma once

// Small helpers shared by the GUI suites: a keychain stand-in, finding a widget by name, and
// saving a screenshot where ctest (QRT_SCREENSHOT_OUT) or a developer (QRT_SCREENSHOT_DIR) asked.
#include "gui/secretaccess.h"

#include <QDir>
#include <QMap>
#include <QPixmap>
#include <QWidget>

namespace qrt::test {

// Secrets in memory, standing in for the OS keychain (which a test machine does not have);
// answers at once.
class MemorySecrets : public gui::SecretAccess
{
public:
    QMap<Secret, QString> values;
    void read(Secret secret, QObject *, ReadDone done) override { done(values.value(secret)); }
    void write(Secret secret, const QString &value, QObject *, WriteDone done) override
    {
        values[secret] = value;
        done({});
    }
    void remove(Secret secret, QObject *, WriteDone done) override
    {
        values.remove(secret);
        done({});
    }
};

template <typename T>
T *child(QWidget *parent, const char *name)
{
    T *w = parent->findChild<T *>(QString::fromLatin1(name));
    if (!w)
        qWarning("no widget named %s", name);
    return w;
}

inline void screenshot(QWidget *widget, const QString &name)
{
    QStringList dirs;
    if (qEnvironmentVariableIsSet("QRT_SCREENSHOT_OUT")) // ctest: <build>/screenshots
        dirs << qEnvironmentVariable("QRT_SCREENSHOT_OUT");
    if (qEnvironmentVariableIsSet("QRT_SCREENSHOT_DIR"))
        dirs << qEnvironmentVariable("QRT_SCREENSHOT_DIR");
    const QPixmap pixmap = widget->grab();
    for (const QString &dir : dirs) {
        QDir().mkpath(dir);
        if (!pixmap.save(dir + u'/' + name + QStringLiteral(".png")))
            qWarning("could not save screenshot %s in %s", qPrintable(name), qPrintable(dir));
    }
}

} // namespace qrt::test
