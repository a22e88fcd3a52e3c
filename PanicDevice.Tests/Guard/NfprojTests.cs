using System.Text.RegularExpressions;

namespace PanicDevice.Tests.Guard;

/// <summary>
/// Keeps the device project (PanicDevice.Core.nfproj + packages.config) in step with the host build: classic
/// projects list their sources and package paths by hand, and nothing on the host would notice them drifting.
/// </summary>
[TestClass]
public class NfprojTests
{
    [TestMethod]
    public void CompileItemsAreExactlyTheCoreSourceFiles()
    {
        var listed = NanoFrameworkProject.Core.CompileItems.Select(i => i.Replace('\\', '/')).ToHashSet(StringComparer.Ordinal);
        var onDisk = Directory.EnumerateFiles(RepositoryRoot.CoreDirectory, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepositoryRoot.CoreDirectory, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("bin/", StringComparison.Ordinal) && !f.StartsWith("obj/", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);

        var missing = onDisk.Except(listed).OrderBy(f => f, StringComparer.Ordinal).ToList();
        var stale = listed.Except(onDisk).OrderBy(f => f, StringComparer.Ordinal).ToList();
        if (missing.Count + stale.Count > 0)
            Assert.Fail("firmware/PanicDevice.Core/PanicDevice.Core.nfproj does not list exactly the .cs files of Core."
                + (missing.Count > 0 ? "\nAdd:\n" + string.Join("\n", missing.Select(CompileLine)) : "")
                + (stale.Count > 0 ? "\nRemove (no such file):\n" + string.Join("\n", stale.Select(CompileLine)) : ""));
    }

    [TestMethod]
    public void HintPathsAndPackagesConfigNameTheSamePackages()
    {
        var project = NanoFrameworkProject.Core;
        var unparsed = project.References.Where(r => r.Package == null).Select(r => r.Include).ToList();
        Assert.AreEqual(0, unparsed.Count, "references whose HintPath is not ..\\..\\packages\\<id>.<version>\\lib\\... (the solution-level packages folder): " + string.Join(", ", unparsed));

        var fromHintPaths = project.References.Select(r => r.Package.ToString()).ToHashSet(StringComparer.Ordinal);
        var fromConfig = project.Packages.Select(p => p.ToString()).ToHashSet(StringComparer.Ordinal);
        var onlyHint = fromHintPaths.Except(fromConfig).ToList();
        var onlyConfig = fromConfig.Except(fromHintPaths).ToList();
        if (onlyHint.Count + onlyConfig.Count > 0)
            Assert.Fail("PanicDevice.Core.nfproj HintPaths and packages.config disagree."
                + (onlyHint.Count > 0 ? "\nOnly in HintPaths: " + string.Join(", ", onlyHint) : "")
                + (onlyConfig.Count > 0 ? "\nOnly in packages.config: " + string.Join(", ", onlyConfig) : ""));
    }

    [TestMethod]
    public void ReferenceAssemblyVersionsMatchTheirPackages()
    {
        // Assembly versions of these packages are <package version>.0 (Nerdbank.GitVersioning, build precision).
        foreach (var reference in NanoFrameworkProject.Core.References.Where(r => r.Package != null))
        {
            var version = Regex.Match(reference.Include, @"Version=([0-9.]+)");
            if (version.Success)
                Assert.IsTrue(version.Groups[1].Value.StartsWith(reference.Package.Version + ".", StringComparison.Ordinal),
                    $"{reference.Include} is not version {reference.Package.Version} as its HintPath says");
        }
    }

    [TestMethod]
    public void AllowListDescribesThePackageVersionsTheProjectReferences()
    {
        var described = File.ReadLines(Path.Combine(RepositoryRoot.CoreDirectory, "nanoframework-api.txt"))
            .Select(l => Regex.Match(l, @"^# package: (\S+) (\S+);"))
            .Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
        foreach (var package in NanoFrameworkProject.Core.Packages)
        {
            Assert.IsTrue(described.TryGetValue(package.Id, out var version), $"nanoframework-api.txt has no section for {package.Id}");
            Assert.AreEqual(package.Version, version, $"nanoframework-api.txt describes {package.Id} {version}, packages.config pins {package.Version}");
        }
    }

    [TestMethod]
    public void CoreNeedsOnlyPackagesTheProjectReferences()
    {
        var report = NanoFrameworkApiGuard.Check(typeof(PanicDevice.Core.Time.IClock).Assembly.Location, AllowListFile.Api);
        var referenced = NanoFrameworkProject.Core.Packages.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var missing = report.DevicePackages.Where(p => !referenced.Contains(p)).ToList();
        if (missing.Count > 0)
            Assert.Fail("Core uses device API from packages PanicDevice.Core.nfproj does not reference: " + string.Join(", ", missing)
                + ". Add them to packages.config and as Reference items (same firmware family as the others).");
    }

    private static string CompileLine(string path) => $"    <Compile Include=\"{path.Replace('/', '\\')}\" />";
}
