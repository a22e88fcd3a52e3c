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

    /// <summary>Every classic project of the solution: Core, the firmware app and the on-device tests (one firmware family).</summary>
    private static NanoFrameworkProject Project(string name) => name switch
    {
        "Core" => NanoFrameworkProject.Core,
        "Firmware" => new(Path.Combine(RepositoryRoot.Path, "firmware", "PanicDevice.Firmware", "PanicDevice.Firmware.nfproj"),
            Path.Combine(RepositoryRoot.Path, "firmware", "PanicDevice.Firmware", "packages.config")),
        _ when name.StartsWith("OnDevice.", StringComparison.Ordinal) =>
            NanoFrameworkProject.DeviceTestProjects.Single(p => Path.GetFileName(Path.GetDirectoryName(p.ProjectPath)) == name.Substring(9)),
        _ => throw new ArgumentException(name),
    };

    [TestMethod]
    [DataRow("Core")]
    [DataRow("Firmware")]
    [DataRow("OnDevice.Protocol")]
    [DataRow("OnDevice.Modem")]
    [DataRow("OnDevice.App")]
    [DataRow("OnDevice.Budget")]
    public void HintPathsAndPackagesConfigNameTheSamePackages(string name)
    {
        var project = Project(name);
        var unparsed = project.References.Where(r => r.Package == null && r.HintPath != null).Select(r => r.Include).ToList();
        Assert.AreEqual(0, unparsed.Count, "references whose HintPath is not ..\\..\\packages\\<id>.<version>\\lib\\... (the solution-level packages folder): " + string.Join(", ", unparsed));

        string packagesFolder = Path.Combine(RepositoryRoot.Path, "packages") + Path.DirectorySeparatorChar;
        var elsewhere = project.References.Where(r => r.HintPath != null && !Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project.ProjectPath)!, r.HintPath.Replace('\\', Path.DirectorySeparatorChar))).StartsWith(packagesFolder, StringComparison.Ordinal)).Select(r => r.HintPath).ToList();
        Assert.AreEqual(0, elsewhere.Count, "HintPaths that miss the solution's packages folder (the repository root's packages\\): " + string.Join(", ", elsewhere));
        var fromHintPaths = project.References.Where(r => r.Package != null).Select(r => r.Package.ToString()).ToHashSet(StringComparer.Ordinal);
        var fromConfig = project.Packages.Concat(project.DevelopmentPackages).Select(p => p.ToString()).ToHashSet(StringComparer.Ordinal);
        var onlyHint = fromHintPaths.Except(fromConfig).ToList();
        var onlyConfig = fromConfig.Except(fromHintPaths).ToList();
        if (onlyHint.Count + onlyConfig.Count > 0)
            Assert.Fail(name + " .nfproj HintPaths and packages.config disagree."
                + (onlyHint.Count > 0 ? "\nOnly in HintPaths: " + string.Join(", ", onlyHint) : "")
                + (onlyConfig.Count > 0 ? "\nOnly in packages.config: " + string.Join(", ", onlyConfig) : ""));
    }

    // Most of these packages stamp their assemblies <package version>.0 (Nerdbank.GitVersioning, precision "build").
    // These do not, and a strong-name reference implies SpecificVersion, so a wrong fourth part makes MSBuild drop the
    // reference (MSB3245) and the firmware stops compiling: that happened with System.Threading and System.Device.Adc.
    private static readonly Dictionary<string, string> ShippedVersions = new()
    {
        ["Iot.Device.Common.GnssDevice"] = "1.0.0.0",      // fixed in the binding's source
        ["nanoFramework.UnitTestLauncher"] = "0.0.0.0",    // the launcher's project has no version stamping
        ["System.Threading"] = "1.1.52.34401",             // NBGV precision "revision": 4th part from the tag's commit id
        ["System.Device.Adc"] = "1.1.24.44037",            // likewise
    };

    [TestMethod]
    [DataRow("Core")]
    [DataRow("Firmware")]
    [DataRow("OnDevice.Protocol")]
    [DataRow("OnDevice.Modem")]
    [DataRow("OnDevice.App")]
    [DataRow("OnDevice.Budget")]
    public void ReferenceAssemblyVersionsMatchTheirPackages(string name)
    {
        foreach (var reference in Project(name).References.Where(r => r.Package != null))
        {
            var version = Regex.Match(reference.Include, @"Version=([0-9.]+)");
            string assembly = reference.Include.Split(',')[0].Trim();
            Assert.IsTrue(version.Success, $"{name}: {reference.Include} gives no Version");
            string expected = ShippedVersions.TryGetValue(assembly, out string pinned) ? pinned : reference.Package.Version + ".0";
            Assert.AreEqual(expected, version.Groups[1].Value, $"{name}: {reference.Include} is not the identity package {reference.Package} ships");
        }
    }

    /// <summary>
    /// The nanoFramework toolchain beside the repository (../shared/nanoframework, CI's device stage) lists the exact
    /// identity of every assembly each package version ships. Where it is present, every reference must equal it
    /// (name, version, public key token, culture), which also checks <see cref="ShippedVersions"/>.
    /// </summary>
    [TestMethod]
    [DataRow("Core")]
    [DataRow("Firmware")]
    [DataRow("OnDevice.Protocol")]
    [DataRow("OnDevice.Modem")]
    [DataRow("OnDevice.App")]
    [DataRow("OnDevice.Budget")]
    public void ReferencesEqualTheIdentitiesThePackagesShip(string name)
    {
        NanoFrameworkToolchain.Require("ReferenceAssemblyVersionsMatchTheirPackages covers the versions");
        var shipped = File.ReadLines(NanoFrameworkToolchain.Manifest)
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t'))
            .ToLookup(f => (Id: f[0], Version: f[1], File: f[2]), f => f[3]);
        foreach (var reference in Project(name).References.Where(r => r.Package != null))
        {
            string file = reference.HintPath.Replace('\\', '/').Split('/').Last();
            var identities = shipped[(reference.Package.Id, reference.Package.Version, file)].ToList();
            Assert.AreEqual(1, identities.Count, $"{name}: the toolchain ships no {file} in {reference.Package} (or more than one)");
            var want = Identity(identities[0]);
            var have = Identity(reference.Include);
            Assert.AreEqual(want, have, $"{name}: <Reference Include=\"{reference.Include}\"> is not what {reference.Package} ships ({identities[0]})");
        }
    }

    /// <summary>name|Version|PublicKeyToken|Culture of an assembly name string; Culture defaults to neutral.</summary>
    private static string Identity(string assemblyName)
    {
        var parts = assemblyName.Split(',').Select(p => p.Trim()).ToList();
        string Part(string key, string fallback) => parts.Skip(1).Select(p => p.Split('=', 2)).Where(kv => kv.Length == 2 && kv[0] == key).Select(kv => kv[1]).FirstOrDefault() ?? fallback;
        return string.Join("|", parts[0], Part("Version", "?"), Part("PublicKeyToken", "null"), Part("Culture", "neutral"));
    }

    [TestMethod]
    public void EveryProjectPinsTheSameVersionOfEachPackage()
    {
        // One application deploys one copy of each assembly, and its native checksum must match the firmware:
        // Core, the app and the on-device tests cannot disagree on a version.
        var versions = new[] { "Core", "Firmware", "OnDevice.Protocol", "OnDevice.Modem", "OnDevice.App", "OnDevice.Budget" }
            .SelectMany(n => Project(n).Packages.Select(p => (Project: n, p.Id, p.Version)))
            .GroupBy(p => p.Id)
            .Where(g => g.Select(p => p.Version).Distinct().Count() > 1)
            .Select(g => g.Key + ": " + string.Join(", ", g.Select(p => p.Project + " " + p.Version)))
            .ToList();
        Assert.AreEqual(0, versions.Count, "packages pinned at different versions: " + string.Join("; ", versions));
        Assert.IsTrue(Project("Firmware").Packages.Any(p => p.Id == "nanoFramework.M2Mqtt"), "the firmware reads packages.config");
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
