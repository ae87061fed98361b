#pragma once
// Two result sets side by side (e.g. before and after a firmware update, or
// two machines): one row per configuration present in either, A's and B's
// figures and the change of the combined figure from A to B.
#include "results/comparability.h"
#include "results/metatypes.h"

#include <QAbstractTableModel>

#include <optional>
#include <vector>

class ComparisonModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Column {
        ConfigColumn,
        AReadColumn,
        AWriteColumn,
        ACombinedColumn,
        BReadColumn,
        BWriteColumn,
        BCombinedColumn,
        DeltaColumn,        // B combined - A combined, GiB/s
        DeltaPercentColumn, // relative to A
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole, // raw numbers; the lowest double when absent
        ConfigKeyRole,
    };

    explicit ComparisonModel(QObject* parent = nullptr);

    void setBaseline(const aiotune::ResultSet& results, const QString& name);
    void setOther(const aiotune::ResultSet& results, const QString& name);
    void clear();
    const QString& baselineName() const { return m_nameA; }
    const QString& otherName() const { return m_nameB; }

    // B combined - A combined (GiB/s) and that over A combined; absent unless
    // both measured the row's configuration with read and write.
    std::optional<double> delta(int row) const;
    std::optional<double> deltaFraction(int row) const;
    std::optional<aiotune::ConfigKey> keyAt(int row) const;
    // One sentence: how B does on A's best configuration ("B is 12.0% faster
    // than A on A's best configuration ...").
    QString summary() const;
    // Whether A and B were measured alike (profile, I/O size, engine, machine):
    // core's rule, so every comparison warns the same way.
    const aiotune::Comparability& comparability() const { return m_comparability; }
    // The warning to show beside the summary; empty when A and B compare like for like.
    QString comparabilityWarning() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

  private:
    struct Row {
        aiotune::ConfigKey key;
        std::optional<aiotune::ConfigResult> a, b;
    };
    void rebuild();
    QVariant number(const Row& row, int column) const;

    aiotune::ResultSet m_a, m_b;
    QString m_nameA, m_nameB;
    std::vector<Row> m_rows;
    aiotune::Comparability m_comparability;
};
