using System.Text;
using PanicDevice.Core.Config;

namespace PanicDevice.Cli;

/// <summary>
/// `panicctl config check device.json`: the device's own reader (Core's DeviceConfigReader, on the bytes as the device
/// reads them) says whether the unit would start with this file, before it is flashed. Exit codes: 0 valid; 1 the device
/// would refuse it (its error is printed); 2 no such file; 3 valid, but with --refuse-live-emergency its emergency SMS
/// would reach an emergency service.
/// </summary>
public static class ConfigCheckCommand
{
    public const int Valid = 0, Refused = 1, Missing = 2, LiveEmergency = 3;

    public static int Run(string path, bool refuseLiveEmergency, TextWriter output)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.WriteLine("error: cannot read " + path + " (" + (e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message) + ")");
            return Missing;
        }
        DeviceConfigResult r = DeviceConfigReader.ReadUtf8(bytes);
        if (r.Error != null)
        {
            // The same sentence the device logs before its fault blink; it never contains the key.
            output.WriteLine(path + ": the device would refuse it: " + r.Error);
            return Refused;
        }
        DeviceConfig c = r.Config;
        var sb = new StringBuilder();
        sb.Append(path).Append(": valid: ").Append(c.Kind == DeviceKind.Wall ? "wall unit " : "fob ").Append(c.DeviceId)
          .Append(", profile ").Append(c.Profile).Append(", language ").Append(c.Language)
          .Append(", broker ").Append(c.BrokerHost).Append(':').Append(c.BrokerPort)
          .Append(", ").Append(c.GuardianNumbers.Length).Append(" guardian(s)");
        output.WriteLine(sb.ToString());
        bool live = DialingPlan.IsEmergencyService(c.EmergencyNumber);
        output.WriteLine(c.EmergencyNumber.Length == 0 ? "emergency SMS: off"
            : "emergency SMS: " + c.EmergencyNumber + (live ? " (a live emergency service)" : ""));
        if (live && refuseLiveEmergency)
        {
            output.WriteLine("refused: this file texts " + c.EmergencyNumber + " when data is down; a bench test must not (provision with --profile test --tester-phone YOUR_PHONE)");
            return LiveEmergency;
        }
        return Valid;
    }
}
