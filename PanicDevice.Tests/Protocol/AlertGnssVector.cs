using PanicDevice.Core.Protocol;

namespace PanicDevice.Tests.Protocol;

/// <summary>
/// The alert-gnss vector of docs/protocol.md, copied here because the device cannot read the document
/// (ProtocolVectorTests checks the document itself on the host, and so would notice a drift of either).
/// </summary>
public static class AlertGnssVector
{
    /// <summary>The key: bytes 0x00..0x1f, which is SampleFrames.Key(0).</summary>
    public const string KeyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    /// <summary>The signed bytes (everything before the tag).</summary>
    public const string SignedHex = "010108666f622d3030303100000001016afd86c0fc51b5bc3fac87a8000800030157b900";

    /// <summary>HMAC-SHA256 of the signed bytes under the key (also checked with Python's hmac module).</summary>
    public const string TagHex = "52e81bf2b57579648f9db9de4350da28d1701505ba226f4a871ed3bbc69d1b29";

    /// <summary>The SMS text form of the whole frame.</summary>
    public const string Sms = "PD1:AQEIZm9iLTAwMDEAAAABAWr9hsD8UbW8P6yHqAAIAAMBV7kAUugb8rV1eWSPnbneQ1DaKNFwFQW6Im9Khx7Tu8adGyk=";

    /// <summary>The vector's fields.</summary>
    public static Frame Fields()
    {
        Frame f = Frame.Create(MessageKind.Alert, "fob-0001", 1, (byte)AlertCode.Panic);
        f.TimeUtcSeconds = 1795000000;
        f.LatitudeE7 = -61753924;
        f.LongitudeE7 = 1068271528;
        f.AccuracyM = 8;
        f.FixAgeS = 3;
        f.Source = LocationSource.Gnss;
        f.BatteryPercent = 87;
        f.SignalDbm = -71;
        return f;
    }
}
