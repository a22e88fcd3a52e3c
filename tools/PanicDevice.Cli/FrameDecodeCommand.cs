using System.Text.Json;
using PanicDevice.Core.Protocol;

namespace PanicDevice.Cli;

/// <summary>
/// `panicctl frame decode --key HEX (HEXFRAME | SMSTEXT) [--json]`: the decoded fields and whether the tag
/// verifies. Never prints the key. Exit 0 when the frame decodes and verifies, 1 otherwise.
/// </summary>
public static class FrameDecodeCommand
{
    public static int Run(string keyHex, string input, bool json, TextWriter output)
    {
        byte[]? key = TryHex(keyHex);
        if (key == null || key.Length != FrameCodec.KeyLength)
        {
            output.WriteLine("error: --key must be 64 hexadecimal characters (the device's 32-byte key)");
            return 2;
        }
        byte[]? bytes = FrameText.HasPrefix(input) ? FrameText.ToBytes(input) : TryHex(input);
        if (bytes == null)
        {
            output.WriteLine("error: the frame must be hexadecimal or SMS text starting with " + FrameText.Prefix);
            return 2;
        }
        DecodeResult decoded = FrameCodec.Decode(bytes);
        bool tagOk = decoded.IsOk && FrameCodec.VerifyTag(bytes, key);
        string verdict = !decoded.IsOk ? "malformed: " + decoded.Status + " (" + decoded.Detail + ")" : tagOk ? "tag valid" : "tag invalid";
        if (json)
        {
            Frame? f = decoded.Frame;
            output.WriteLine(JsonSerializer.Serialize(new
            {
                status = decoded.Status.ToString(),
                detail = decoded.Detail,
                tagValid = tagOk,
                frame = f == null ? null : new
                {
                    kind = f.Kind.ToString(), device = f.DeviceId, counter = f.Counter, code = f.Code, timeUtcSeconds = f.TimeUtcSeconds,
                    latE7 = f.LatitudeE7, lonE7 = f.LongitudeE7, accuracyM = f.AccuracyM, fixAgeS = f.FixAgeS, source = f.Source.ToString(),
                    batteryPercent = f.BatteryPercent, signalDbm = f.SignalDbm, flags = f.Flags,
                    nextCounter = f.Kind == MessageKind.Resync ? f.NextCounter : (uint?)null,
                    answeredTag = f.Kind == MessageKind.Resync ? f.AnsweredTag.ToString("x8") : null,
                },
            }));
        }
        else
        {
            if (decoded.Frame is Frame f)
            {
                output.WriteLine("kind      " + f.Kind + " (code " + f.Code + ")");
                output.WriteLine("device    " + f.DeviceId + ", counter " + f.Counter);
                if (f.Kind == MessageKind.Resync)
                {
                    output.WriteLine("resync    continue from " + f.NextCounter + "; answers the frame whose tag begins " + f.AnsweredTag.ToString("x8"));
                }
                output.WriteLine("time      " + (f.TimeUtcSeconds == 0 ? "unknown (clock not set)" : DateTimeOffset.FromUnixTimeSeconds(f.TimeUtcSeconds).ToString("u")));
                output.WriteLine("position  " + (f.Source == LocationSource.None ? "unknown" : (f.LatitudeE7 / 1e7).ToString("F7") + "," + (f.LongitudeE7 / 1e7).ToString("F7")
                    + " ±" + (f.AccuracyM == Frame.Unknown16 ? "?" : f.AccuracyM.ToString()) + " m, " + f.Source + ", fix age " + (f.FixAgeS == Frame.Unknown16 ? "unknown" : f.FixAgeS + " s")));
                output.WriteLine("battery   " + (f.BatteryPercent == Frame.UnknownBattery ? "unknown" : f.BatteryPercent + " %") + ", signal " + (f.SignalDbm == 0 ? "unknown" : f.SignalDbm + " dBm") + ", flags 0x" + f.Flags.ToString("X2"));
            }
            output.WriteLine(verdict);
        }
        return tagOk ? 0 : 1;
    }

    private static byte[]? TryHex(string s)
    {
        try
        {
            return Convert.FromHexString(s.Trim());
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
