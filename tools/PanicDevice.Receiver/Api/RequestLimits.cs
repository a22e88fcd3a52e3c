namespace PanicDevice.Receiver.Api;

/// <summary>The receiver's bound on request bodies.</summary>
internal static class RequestLimits
{
    /// <summary>
    /// Largest request body on any route (Kestrel answers 413 when a route reads more). The largest the
    /// API needs is a device's provisioning (id, key, owner, guardians, address): well under 2 KiB. The SMS
    /// gateway's route has the same bound of its own (<see cref="SmsGatewayEndpoint.MaxBodyBytes"/>).
    /// </summary>
    public const long MaxJsonBodyBytes = 16 * 1024;
}
