#include "core/untranslated.h"

#include <QCoreApplication>
#include <QFile>

namespace qrt::core {

bool UntranslatedRecorder::isQtContext(QByteArrayView context)
{
    return context.size() >= 2 && context[0] == 'Q' && context[1] >= 'A' && context[1] <= 'Z';
}

QString UntranslatedRecorder::translate(const char *context, const char *sourceText, const char *disambiguation,
                                        int n) const
{
    Q_UNUSED(disambiguation);
    Q_UNUSED(n);
    if (!context || !sourceText || !*sourceText || isQtContext(QByteArrayView(context)))
        return {};
    const QString miss = QString::fromUtf8(context) + QStringLiteral(" / ") + QString::fromUtf8(sourceText);
    QMutexLocker lock(&m_mutex); // translate() is called from worker threads too
    if (m_seen.contains(miss))
        return {};
    m_seen.insert(miss);
    m_misses.append(miss);
    if (!m_reportFile.isEmpty()) {
        QFile file(m_reportFile);
        if (file.open(QIODevice::WriteOnly | QIODevice::Append))
            file.write("untranslated: " + miss.toUtf8() + '\n');
    }
    return {};
}

QStringList UntranslatedRecorder::misses() const
{
    QMutexLocker lock(&m_mutex);
    return m_misses;
}

void UntranslatedRecorder::clear()
{
    QMutexLocker lock(&m_mutex);
    m_seen.clear();
    m_misses.clear();
}

void UntranslatedRecorder::setReportFile(const QString &path)
{
    QMutexLocker lock(&m_mutex);
    m_reportFile = path;
}

void installUntranslatedReportFromEnvironment()
{
    const QString path = qEnvironmentVariable("QRT_UNTRANSLATED_REPORT");
    if (path.isEmpty() || !QCoreApplication::instance())
        return;
    auto *recorder = new UntranslatedRecorder(QCoreApplication::instance());
    recorder->setReportFile(path);
    QCoreApplication::installTranslator(recorder);
}

} // namespace qrt::core
