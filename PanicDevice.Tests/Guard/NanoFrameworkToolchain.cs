namespace PanicDevice.Tests.Guard;

/// <summary>
/// The Linux nanoFramework toolchain CI keeps beside the repository (../shared/nanoframework: the packages'
/// assemblies and the interpreter). A user's clone has none, so tests that compare against it are Inconclusive
/// there; with CI=true its absence is a failure.
/// </summary>
public static class NanoFrameworkToolchain
{
    public static string Directory =>
        System.IO.Path.GetFullPath(System.IO.Path.Combine(RepositoryRoot.Path, "..", "shared", "nanoframework"));

    public static string Assemblies => System.IO.Path.Combine(Directory, "assemblies");

    public static string Manifest => System.IO.Path.Combine(Assemblies, "manifest.tsv");

    /// <summary>Returns when the toolchain is present; otherwise fails under CI=true and is Inconclusive elsewhere.</summary>
    public static void Require(string coveredElsewhereBy)
    {
        if (File.Exists(Manifest))
            return;
        if (Environment.GetEnvironmentVariable("CI") == "true")
            Assert.Fail($"CI=true but the nanoFramework toolchain is missing: {Manifest}");
        Assert.Inconclusive($"no nanoFramework toolchain beside the repository ({Directory}); {coveredElsewhereBy}");
    }
}
