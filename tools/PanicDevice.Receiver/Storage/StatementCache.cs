using System.Data.Common;

namespace PanicDevice.Receiver.Storage;

/// <summary>
/// Commands of one connection kept by their SQL, so a statement is prepared once and re-executed (the
/// group-commit writer runs the same few statements for every frame). Disposing the cache disposes them.
/// </summary>
internal sealed class StatementCache : IDisposable
{
    private readonly DbConnection connection;
    private readonly Dictionary<string, DbCommand> commands = new(StringComparer.Ordinal);

    public StatementCache(DbConnection connection) => this.connection = connection;

    /// <summary>
    /// The command for <paramref name="sql"/> in <paramref name="tx"/>, with the parameters of its last run: set every one
    /// again with <see cref="CommandParameters.With"/>, which keeps the objects (prepared statements are bound to them). Do not dispose it.
    /// </summary>
    public DbCommand Get(DbTransaction tx, string sql)
    {
        if (!commands.TryGetValue(sql, out DbCommand? cmd))
        {
            cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            commands[sql] = cmd;
        }
        cmd.Transaction = tx;
        return cmd;
    }

    /// <summary>
    /// The command for <paramref name="sql"/>: the cache's when there is one (the group-commit writer, which runs the same
    /// statements for every frame and would otherwise parse and plan each of them again per frame), else a new command
    /// for one use. Dispose the lease, not the command: it disposes only a command it made.
    /// </summary>
    public static Lease Use(StatementCache? cache, DbConnection c, DbTransaction tx, string sql)
    {
        if (cache != null)
        {
            return new Lease(cache.Get(tx, sql), false);
        }
        return new Lease(ReceiverDatabase.Command(c, tx, sql), true);
    }

    /// <summary>A command from <see cref="Use"/>: every parameter is set again before each run (<see cref="CommandParameters.With"/>).</summary>
    internal readonly struct Lease(DbCommand command, bool owned) : IDisposable
    {
        public DbCommand Command => command;

        public void Dispose()
        {
            if (owned)
            {
                command.Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (DbCommand cmd in commands.Values)
        {
            cmd.Dispose();
        }
        commands.Clear();
    }
}
