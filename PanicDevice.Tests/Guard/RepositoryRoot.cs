namespace PanicDevice.Tests.Guard;

/// <summary>The repository checkout the tests run from, found by walking up to PanicDevice.sln.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "PanicDevice.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"no PanicDevice.sln above {AppContext.BaseDirectory}");
    });

    public static string Path => Root.Value;

    public static string CoreDirectory => System.IO.Path.Combine(Path, "firmware", "PanicDevice.Core");
}
