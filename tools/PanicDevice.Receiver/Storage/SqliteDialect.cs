using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace PanicDevice.Receiver.Storage;

/// <summary>
/// One SQLite file: WAL with synchronous FULL, so a committed frame survives power loss before the device
/// is acknowledged. One process writes at a time (transactions begin IMMEDIATE), so a row read inside a
/// transaction cannot change under it and no row lock is needed.
/// </summary>
internal sealed class SqliteDialect : StoreDialect
{
    private readonly string connectionString;
    private readonly string path;

    public SqliteDialect(string path)
    {
        this.path = path;
        connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
    }

    public override string Description => "sqlite " + path;

    public override DbConnection Open()
    {
        var c = new SqliteConnection(connectionString);
        c.Open();
        ReceiverDatabase.Execute(c, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;");
        return c;
    }

    public override string AutoId => "INTEGER PRIMARY KEY AUTOINCREMENT";
    public override string Bytes => "BLOB";
    public override string NowText => "(strftime('%Y-%m-%dT%H:%M:%fZ','now'))";
    public override string LockRow => "";
    public override string? LockDevicesInOrder => null;
    public override string? QueueInsertLock => null; // ids are handed out in commit order: one writer at a time

    public override void CreateSchema(string schema, IReadOnlyList<AddedColumn> added)
    {
        using var c = Open();
        ReceiverDatabase.Execute(c, "PRAGMA journal_mode=WAL;");
        // SQLite has no ADD COLUMN IF NOT EXISTS: look, then add, in one IMMEDIATE transaction, so two
        // receivers opening one file at once add a column once.
        using var tx = c.BeginTransaction();
        ReceiverDatabase.Execute(c, schema, tx);
        foreach (AddedColumn column in added)
        {
            using var has = ReceiverDatabase.Command(c, tx, "SELECT COUNT(*) FROM pragma_table_info(@t) WHERE name = @c");
            has.With("@t", column.Table);
            has.With("@c", column.Name);
            if ((long)has.ExecuteScalar()! == 0)
            {
                ReceiverDatabase.Execute(c, "ALTER TABLE " + column.Table + " ADD COLUMN " + column.Name + " " + column.Definition, tx);
            }
        }
        tx.Commit();
    }

    // busy_timeout already waits for the writer lock; anything else is not helped by trying again.
    public override bool IsTransient(Exception e) => false;
}
