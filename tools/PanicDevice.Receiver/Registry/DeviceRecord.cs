using PanicDevice.Core.Config;

namespace PanicDevice.Receiver.Registry;

/// <summary>
/// A device's signing key. Its ToString never shows the bytes, so a key that ends up in a log line,
/// an exception or a JSON response by mistake reveals nothing.
/// </summary>
internal sealed class DeviceKey
{
    private readonly byte[] bytes;

    public DeviceKey(byte[] bytes)
    {
        if (bytes == null || bytes.Length != 32)
        {
            throw new ArgumentException("a device key is 32 bytes");
        }
        this.bytes = (byte[])bytes.Clone();
    }

    /// <summary>A copy of the key for signing and verifying.</summary>
    public byte[] Reveal() => (byte[])bytes.Clone();

    public override string ToString() => "[device key]";
}

/// <summary>One registered device.</summary>
internal sealed class DeviceRecord
{
    public required string Id { get; init; }
    public required DeviceKey Key { get; init; }
    public DeviceKind Kind { get; init; } = DeviceKind.Fob;
    public string OwnerName { get; init; } = "";
    public string OwnerPhone { get; init; } = "";
    public bool Verified { get; init; }
    public bool Enabled { get; init; } = true;
    public string[] Guardians { get; init; } = Array.Empty<string>();
    public string Address { get; init; } = "";

    /// <summary>What an operator should know first (medical, site access, who holds the keys); operators only, never in CAP.</summary>
    public string Notes { get; init; } = "";
    public int? LatitudeE7 { get; init; }
    public int? LongitudeE7 { get; init; }
    public int HeartbeatIntervalS { get; init; } = 3600;

    /// <summary>The owner's language as given at provisioning, <see cref="DeviceLanguage"/>: the device's SMS and the alert's CAP text use it.</summary>
    public string Language { get; init; } = DeviceLanguage.English;
}

/// <summary>The languages a device can be provisioned with (the same two codes as device.json's "language").</summary>
internal static class DeviceLanguage
{
    public const string English = "en";
    public const string Indonesian = "id";

    public static bool IsKnown(string? code) => code is English or Indonesian;
}

/// <summary>Who and where a device is for, as operators keep it (PUT /api/devices/{id}/profile).</summary>
internal sealed record DeviceProfile(string OwnerName, string OwnerPhone, string[] Guardians, string Address, string Notes, string Language);
