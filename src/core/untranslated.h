#pragma once

#include <QByteArrayView>
#include <QMutex>
#include <QSet>
#include <QStringList>
#include <QTranslator>

namespace qrt::core {

// Finds the strings a translated program still shows in English. Qt asks translators in the
// reverse order of installation and stops at the first answer, so installed *before* the real
// translators this one is asked only for what none of them could translate: it answers nothing
// itself and remembers each such (context, source) once. Qt's own contexts ("QLineEdit",
// "QDialogButtonBox", ... 'Q' and an upper-case letter) are left to qtbase's translations.
class UntranslatedRecorder : public QTranslator
{
public:
    using QTranslator::QTranslator;

    bool isEmpty() const override { return false; }
    QString translate(const char *context, const char *sourceText, const char *disambiguation = nullptr,
                      int n = -1) const override;

    // "context / source", in the order first asked for.
    QStringList misses() const;
    void clear();
    // Each new miss is also appended to this file at once, as a line "untranslated: context / source".
    void setReportFile(const QString &path);

    static bool isQtContext(QByteArrayView context);

private:
    mutable QMutex m_mutex;
    mutable QSet<QString> m_seen;
    mutable QStringList m_misses;
    QString m_reportFile;
};

// The diagnostics switch of the executable: with QRT_UNTRANSLATED_REPORT=FILE in the environment, installs
// an UntranslatedRecorder (call it before installing the real translators) that appends every
// string left untranslated to FILE. Nothing happens without the variable.
void installUntranslatedReportFromEnvironment();

} // namespace qrt::core
