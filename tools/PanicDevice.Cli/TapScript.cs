using System.Globalization;

namespace PanicDevice.Cli;

/// <summary>One step of a button script.</summary>
public sealed record ScriptStep(string Verb, int Number, string Text, int Line);

/// <summary>
/// A timed button script for `simulate --script`: one step a line, '#' starts a comment.
///   press | release            the button edge
///   tap [DOWN_MS [UP_MS]]      a short press (120 ms down, 200 ms up)
///   taps N                     N taps (3 = the fob's alert pattern)
///   hold MS                    press, hold MS, release
///   wait MS                    let the device run
///   test                       raise a test alert (what a wall unit's 10 s hold does)
///   expect EVENT [SECONDS]     wait until the device reports EVENT (Acknowledged, SmsFallback, ...) after the previous
///                              step began (after the event the previous expect matched); fail otherwise
///                              (EVENT WifiConnected: until the wall unit's Wi-Fi path is connected)
///   nodata | data              cut or restore the modem's data service (SMS keeps working)
///   wifidown | wifiup          lose or regain the wall unit's Wi-Fi network (with --wifi)
/// </summary>
public static class TapScript
{
    private static readonly string[] Verbs = { "press", "release", "tap", "taps", "hold", "wait", "test", "expect", "nodata", "data", "wifidown", "wifiup", "ring", "dropcall" };

    public static List<ScriptStep> Parse(string text)
    {
        var steps = new List<ScriptStep>();
        var lines = text.Replace("\r", "").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            int hash = line.IndexOf('#');
            if (hash >= 0) line = line[..hash];
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            string verb = parts[0].ToLowerInvariant();
            if (Array.IndexOf(Verbs, verb) < 0)
                throw new CliException("script line " + (i + 1) + ": unknown step '" + parts[0] + "' (use " + string.Join(", ", Verbs) + ")");
            int Number(int index, int fallback, int max)
            {
                if (parts.Length <= index) return fallback;
                if (!int.TryParse(parts[index], NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v > max)
                    throw new CliException("script line " + (i + 1) + ": '" + parts[index] + "' is not a whole number up to " + max);
                return v;
            }
            switch (verb)
            {
                case "tap":
                    steps.Add(new ScriptStep(verb, Number(1, 120, 60000), Number(2, 200, 60000).ToString(CultureInfo.InvariantCulture), i + 1));
                    break;
                case "taps":
                    steps.Add(new ScriptStep(verb, Number(1, 3, 20), "", i + 1));
                    break;
                case "hold":
                case "wait":
                    if (parts.Length < 2) throw new CliException("script line " + (i + 1) + ": " + verb + " needs milliseconds");
                    steps.Add(new ScriptStep(verb, Number(1, 0, 3_600_000), "", i + 1));
                    break;
                case "expect":
                    if (parts.Length < 2) throw new CliException("script line " + (i + 1) + ": expect needs an event name (Acknowledged, SmsFallback, ResponderOnTheWay, Failed, Sending)");
                    steps.Add(new ScriptStep(verb, Number(2, 60, 3600), parts[1], i + 1));
                    break;
                case "ring":
                    if (parts.Length < 2) throw new CliException("script line " + (i + 1) + ": ring needs the calling number (ring +6281200000001)");
                    steps.Add(new ScriptStep(verb, 0, parts[1], i + 1));
                    break;
                default:
                    steps.Add(new ScriptStep(verb, 0, "", i + 1));
                    break;
            }
        }
        return steps;
    }
}
