namespace PanicDevice.Tests.Guard;

/// <summary>The allow-list as copied next to the test assembly (see PanicDevice.Tests.csproj), parsed once.</summary>
public static class AllowListFile
{
    private static readonly Lazy<DeviceApi> Parsed = new(() => DeviceApi.Load(Path));

    private static readonly Lazy<DeviceApi> ForCore = new(() =>
        Parsed.Value.OnlyPackages(NanoFrameworkProject.Core.Packages.Select(p => p.Id)));

    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "Data", "nanoframework-api.txt");

    /// <summary>
    /// What Core may use: the sections of the packages PanicDevice.Core.nfproj references, nothing else. The device
    /// compiler sees only those assemblies, so a member of another nanoFramework package (Environment.TickCount64 in
    /// Runtime.Native, CancellationToken in System.Threading) fails the device build and must fail the guard too.
    /// </summary>
    public static DeviceApi Api => ForCore.Value;

    /// <summary>Every section of the file, referenced or not (for checks of the file itself).</summary>
    public static DeviceApi Full => Parsed.Value;
}
