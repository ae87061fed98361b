#include "util/byte_size.h"

#include <QtTest>

using namespace aiotune;

class TestByteSize : public QObject {
    Q_OBJECT
private slots:
    void parses_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<quint64>("bytes");
        QTest::addRow("plain") << "4096" << true << quint64(4096);
        QTest::addRow("K") << "128K" << true << quint64(131072);
        QTest::addRow("k lower") << "128k" << true << quint64(131072);
        QTest::addRow("M") << "1M" << true << quint64(1048576);
        QTest::addRow("MiB") << "8MiB" << true << quint64(8388608);
        QTest::addRow("G") << "1G" << true << quint64(1073741824);
        QTest::addRow("spaces") << " 400M " << true << quint64(400ull << 20);
        QTest::addRow("empty") << "" << false << quint64(0);
        QTest::addRow("negative") << "-1" << false << quint64(0);
        QTest::addRow("fraction") << "1.5M" << false << quint64(0);
        QTest::addRow("unit") << "12Q" << false << quint64(0);
        QTest::addRow("overflow") << "99999999999999999999" << false << quint64(0);
        QTest::addRow("shift overflow") << "17179869184G" << false << quint64(0);
    }
    void parses() {
        QFETCH(QString, text);
        QFETCH(bool, ok);
        QFETCH(quint64, bytes);
        const auto r = parseByteSize(text.toStdString());
        QCOMPARE(r.ok(), ok);
        if (ok) QCOMPARE(quint64(*r), bytes);
        else QVERIFY2(r.error().find(text.trimmed().toStdString()) != std::string::npos || text.isEmpty(),
                      r.error().c_str());
    }
    void formatsTags() {
        QCOMPARE(formatByteSizeTag(131072), std::string("128K"));
        QCOMPARE(formatByteSizeTag(1048576), std::string("1M"));
        QCOMPARE(formatByteSizeTag(8u << 20), std::string("8M"));
        QCOMPARE(formatByteSizeTag(4097), std::string("4097"));
        QCOMPARE(formatByteSizeTag(1536u << 10), std::string("1536K"));
    }
    void formatsHuman() {
        QCOMPARE(formatByteSizeHuman(512), std::string("512 B"));
        QCOMPARE(formatByteSizeHuman(400ull << 20), std::string("400 MiB"));
        QCOMPARE(formatByteSizeHuman(1536ull << 20), std::string("1.5 GiB"));
    }
    void parsesLists() {
        auto r = parseByteSizeList("128K,1M 8M");
        QVERIFY(r.ok());
        QCOMPARE(r->size(), size_t(3));
        QCOMPARE((*r)[2], std::uint64_t(8u << 20));
        QVERIFY(!parseByteSizeList("128K,x").ok());
        QVERIFY(!parseByteSizeList(" , ").ok());
    }
};

QTEST_GUILESS_MAIN(TestByteSize)
#include "test_byte_size.moc"
