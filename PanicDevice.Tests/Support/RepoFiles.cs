namespace PanicDevice.Tests.Support;

/// <summary>Finds files the tests read from the repository (docs, allow-list) as copied beside the tests.</summary>
public static class RepoFiles
{
    public static string DataFile(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Data", name);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException("test data file missing from the build output", path);
        }
        return path;
    }

    public static byte[] FromHex(string hex)
    {
        return Convert.FromHexString(hex.Trim());
    }

    public static string ToHex(byte[] bytes)
    {
        return Convert.ToHexString(bytes).ToLowerInvariant();
    }
}
