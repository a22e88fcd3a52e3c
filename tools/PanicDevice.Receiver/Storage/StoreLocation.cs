namespace PanicDevice.Receiver.Storage;

/// <summary>
/// Where the receiver keeps its data, from --store: nothing means "receiver.db in the data folder";
/// "sqlite:PATH" or "sqlite:///ABSOLUTE/PATH" names another SQLite file (a relative PATH is taken from
/// the data folder). Other schemes are refused with a clear message rather than silently ignored.
/// </summary>
public static class StoreLocation
{
    public const string DefaultFileName = "receiver.db";

    /// <summary>The SQLite file to use, or an error sentence (and null) when the URL cannot be used.</summary>
    public static (string? Path, string? Error) Resolve(string? store, string dataFolder)
    {
        if (string.IsNullOrWhiteSpace(store))
        {
            return (Path.Combine(dataFolder, DefaultFileName), null);
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
            if (rest.Length == 0 || rest.EndsWith('/') || rest.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            {
                return (null, "--store sqlite: needs a file name, e.g. sqlite:receiver.db or sqlite:///var/lib/pd/receiver.db");
            }
            return (Path.IsPathRooted(rest) ? rest : Path.Combine(dataFolder, rest), null);
        }
        if (s.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || s.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return (null, "--store: PostgreSQL is not supported by this receiver yet; use sqlite:PATH (the default is " + DefaultFileName + " in --data)");
        }
        return (null, "--store must be sqlite:PATH or sqlite:///ABSOLUTE/PATH (the default is " + DefaultFileName + " in --data)");
    }
}
