using Microsoft.Data.Sqlite;

namespace PanicDevice.Receiver.Storage;

/// <summary>
/// Commands of one connection kept by their SQL, so a statement is prepared once and re-executed (the
/// group-commit writer runs the same few statements for every frame). Disposing the cache disposes them.
/// </summary>
internal sealed class StatementCache : IDisposable
{
    private readonly SqliteConnection connection;
    private readonly Dictionary<string, SqliteCommand> commands = new(StringComparer.Ordinal);

    public StatementCache(SqliteConnection connection) => this.connection = connection;

    /// <summary>The command for <paramref name="sql"/> with no parameters, in <paramref name="tx"/>. Do not dispose it.</summary>
    public SqliteCommand Get(SqliteTransaction tx, string sql)
    {
        if (!commands.TryGetValue(sql, out SqliteCommand? cmd))
        {
            cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            commands[sql] = cmd;
        }
        cmd.Transaction = tx;
        cmd.Parameters.Clear();
        return cmd;
    }

    public void Dispose()
    {
        foreach (SqliteCommand cmd in commands.Values)
        {
            cmd.Dispose();
        }
        commands.Clear();
    }
}
