using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace PanicDevice.Tests.Guard;

/// <summary>A package as a classic project names it: in packages.config, or inside a reference's HintPath.</summary>
public sealed record PackageVersion(string Id, string Version)
{
    public override string ToString() => $"{Id} {Version}";
}

/// <summary>A reference item of the .nfproj: assembly identity plus the package folder its HintPath points into.</summary>
public sealed record NfprojReference(string Include, string HintPath, PackageVersion Package);

/// <summary>The parts of a classic nanoFramework project (.nfproj + packages.config) the consistency tests compare.</summary>
public sealed class NanoFrameworkProject
{
    private static readonly XNamespace MsBuild = "http://schemas.microsoft.com/developer/msbuild/2003";

    // ..\..\packages\<id>.<version>\lib\<file>: packages.config restores into the solution's packages folder (the
    // repository root, as many levels up as the project lies deep); the version is the dotted-number tail.
    private static readonly Regex HintPathPackage = new(@"^(?:\.\.[\\/])+packages[\\/](?<id>.+?)\.(?<version>\d+(?:\.\d+)+(?:-[0-9A-Za-z.-]+)?)[\\/]lib[\\/]", RegexOptions.CultureInvariant);

    public NanoFrameworkProject(string nfprojPath, string packagesConfigPath)
    {
        ProjectPath = nfprojPath;
        var project = XDocument.Load(nfprojPath);
        CompileItems = project.Descendants(MsBuild + "Compile")
            .Select(e => (string)e.Attribute("Include"))
            .ToList();
        References = project.Descendants(MsBuild + "Reference")
            .Select(e =>
            {
                var hintPath = (string)e.Element(MsBuild + "HintPath");
                var match = hintPath == null ? null : HintPathPackage.Match(hintPath);
                var package = match is { Success: true } ? new PackageVersion(match.Groups["id"].Value, match.Groups["version"].Value) : null;
                return new NfprojReference((string)e.Attribute("Include"), hintPath, package);
            })
            .ToList();
        Packages = XDocument.Load(packagesConfigPath).Root!.Elements("package")
            .Where(e => (string)e.Attribute("developmentDependency") != "true")
            .Select(e => new PackageVersion((string)e.Attribute("id"), (string)e.Attribute("version")))
            .ToList();
        DevelopmentPackages = XDocument.Load(packagesConfigPath).Root!.Elements("package")
            .Where(e => (string)e.Attribute("developmentDependency") == "true")
            .Select(e => new PackageVersion((string)e.Attribute("id"), (string)e.Attribute("version")))
            .ToList();
    }

    public static NanoFrameworkProject Core => new(
        Path.Combine(RepositoryRoot.CoreDirectory, "PanicDevice.Core.nfproj"),
        Path.Combine(RepositoryRoot.CoreDirectory, "packages.config"));

    /// <summary>Full path of the .nfproj.</summary>
    public string ProjectPath { get; }

    /// <summary>The device test projects (PanicDevice.Tests/OnDevice/*/*.nfproj), by folder name.</summary>
    public static IReadOnlyList<NanoFrameworkProject> DeviceTestProjects =>
        Directory.EnumerateDirectories(Path.Combine(RepositoryRoot.Path, "PanicDevice.Tests", "OnDevice"))
            .OrderBy(d => d, StringComparer.Ordinal)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.nfproj").Select(f => new NanoFrameworkProject(f, Path.Combine(d, "packages.config"))))
            .ToList();

    /// <summary>Compile Include values as written (backslash-separated, relative to the project).</summary>
    public IReadOnlyList<string> CompileItems { get; }

    public IReadOnlyList<NfprojReference> References { get; }

    /// <summary>packages.config entries that ship assemblies (development-only packages left out).</summary>
    public IReadOnlyList<PackageVersion> Packages { get; }

    /// <summary>packages.config entries marked developmentDependency (the test framework: referenced, never deployed).</summary>
    public IReadOnlyList<PackageVersion> DevelopmentPackages { get; }
}
