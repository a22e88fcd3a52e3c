namespace PanicDevice.Tests.Guard;

/// <summary>The allow-list as copied next to the test assembly (see PanicDevice.Tests.csproj), parsed once.</summary>
public static class AllowListFile
{
    private static readonly Lazy<DeviceApi> Parsed = new(() => DeviceApi.Load(Path));

    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "Data", "nanoframework-api.txt");

    public static DeviceApi Api => Parsed.Value;
}
