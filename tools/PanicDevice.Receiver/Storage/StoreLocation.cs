using Npgsql;

namespace PanicDevice.Receiver.Storage;

/// <summary>
/// A parsed --store: a SQLite file (<see cref="Path"/>) or a PostgreSQL connection string, with a
/// <see cref="Description"/> safe to print (host, port and database; never the user's password).
/// </summary>
internal sealed record StoreTarget(string? Path, string? PostgresConnectionString, string Description);

/// <summary>
/// Where the receiver keeps its data, from --store: nothing means "receiver.db in the data folder";
/// "sqlite:PATH" or "sqlite:///ABSOLUTE/PATH" names another SQLite file (a relative PATH is taken from
/// the data folder); "postgres://user:password@host:port/database" (or postgresql://) a PostgreSQL
/// database that several receivers may share. Anything else is refused with a clear message.
/// </summary>
internal static class StoreLocation
{
    public const string DefaultFileName = "receiver.db";

    private const string PostgresShape = "postgres://user:password@host:port/database";

    /// <summary>The store to use, or an error sentence (and a null target) when the URL cannot be used. Errors never repeat the URL (it may hold a password).</summary>
    public static (StoreTarget? Target, string? Error) Parse(string? store, string dataFolder)
    {
        if (string.IsNullOrWhiteSpace(store))
        {
            return Sqlite(System.IO.Path.Combine(dataFolder, DefaultFileName));
        }
        string s = store.Trim();
        if (s.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            string rest = s["sqlite:".Length..];
            if (rest.StartsWith("//", StringComparison.Ordinal))
            {
                // sqlite:///abs/path → /abs/path (an empty authority, as in file URLs)
                rest = rest[2..];
                if (!rest.StartsWith('/'))
                {
                    return (null, "--store sqlite:// URLs need an absolute path after the host part: sqlite:///var/lib/pd/receiver.db");
                }
            }
            if (rest.Length == 0 || rest.EndsWith('/') || rest.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0)
            {
                return (null, "--store sqlite: needs a file name, e.g. sqlite:receiver.db or sqlite:///var/lib/pd/receiver.db");
            }
            return Sqlite(System.IO.Path.IsPathRooted(rest) ? rest : System.IO.Path.Combine(dataFolder, rest));
        }
        if (s.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || s.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return Postgres(s);
        }
        return (null, "--store must be sqlite:PATH, sqlite:///ABSOLUTE/PATH or " + PostgresShape + " (the default is " + DefaultFileName + " in --data)");
    }

    private static (StoreTarget?, string?) Sqlite(string path) => (new StoreTarget(path, null, "sqlite " + path), null);

    private static (StoreTarget?, string?) Postgres(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.Host.Length == 0)
        {
            return (null, "--store: a PostgreSQL URL looks like " + PostgresShape);
        }
        string database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length == 0 || database.Contains('/'))
        {
            return (null, "--store: the PostgreSQL URL needs a database name after the host: " + PostgresShape);
        }
        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            return (null, "--store: PostgreSQL URL options (?...) are not supported; give user, password, host, port and database only");
        }
        string user = "", password = "";
        if (uri.UserInfo.Length > 0)
        {
            int colon = uri.UserInfo.IndexOf(':');
            user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            password = colon < 0 ? "" : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }
        if (user.Length == 0)
        {
            return (null, "--store: the PostgreSQL URL needs a user name: " + PostgresShape);
        }
        int port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port;
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = port,
            Database = database,
            Username = user,
            Password = password.Length == 0 ? null : password,
            Pooling = true,
            Timeout = 5,          // connecting: a receiver that cannot reach its store should say so quickly
            CommandTimeout = 30,
            PersistSecurityInfo = false, // the password is not given back by the connection's ConnectionString
            ApplicationName = "panicdevice-receiver",
        };
        return (new StoreTarget(null, builder.ConnectionString, "postgresql " + uri.Host + ":" + port + "/" + database), null);
    }
}
