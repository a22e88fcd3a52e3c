using System.Globalization;

namespace PanicDevice.Receiver.Dispatch.Dc09;

/// <summary>
/// Checks the configured ARCs at start-up, each problem in one line that names the setting, never a key's value; and
/// reads an account's key from its setting or file.
/// </summary>
internal static class ArcConfiguration
{
    public static void Check(IReadOnlyList<ArcOptions> arcs, Func<string, string> readFile, List<string> problems)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var devices = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < arcs.Count; i++)
        {
            ArcOptions o = arcs[i];
            string at = "Receiver:Arcs:" + i.ToString(CultureInfo.InvariantCulture);
            if (string.IsNullOrWhiteSpace(o.Name) || o.Name.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_') || !names.Add(o.Name))
            {
                problems.Add(at + ":Name must be a unique name of letters, digits, '-' or '_' (routes call it arc:NAME)");
            }
            if (string.IsNullOrWhiteSpace(o.Host) || o.Port is < 1 or > 65535)
            {
                problems.Add(at + " needs Host and Port (1–65535): where the ARC's DC-09 receiver listens");
            }
            if (o.LinkTestSeconds < 0 || o.ReplyTimeoutSeconds is < 1 or > 60)
            {
                problems.Add(at + ": LinkTestSeconds is 0 (none) or more, ReplyTimeoutSeconds 1–60");
            }
            if (o.Accounts.Count == 0)
            {
                problems.Add(at + ":Accounts is empty: an ARC takes the devices of the sites it holds accounts for");
            }
            for (int j = 0; j < o.Accounts.Count; j++)
            {
                ArcAccountOptions a = o.Accounts[j];
                string acct = at + ":Accounts:" + j.ToString(CultureInfo.InvariantCulture);
                // The account and line, then the key: each mistake is named, not only the first.
                try
                {
                    _ = new Dc09Account(a.Account, o.LinePrefix, o.Receiver);
                }
                catch (ArgumentException e)
                {
                    problems.Add(acct + ": " + e.Message);
                }
                try
                {
                    _ = KeyOf(a, readFile);
                }
                catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
                {
                    problems.Add(acct + ": " + e.Message);
                }
                if (a.Partition is < 0 or > 99)
                {
                    problems.Add(acct + ":Partition is 00–99 (Contact ID)");
                }
                if (a.Zones.Count == 0)
                {
                    problems.Add(acct + ":Zones is empty: name each device of the site and its zone, e.g. { \"wall-0001\": 1 }");
                }
                foreach (var (device, zone) in a.Zones)
                {
                    if (zone is < 0 or > 999)
                    {
                        problems.Add(acct + ":Zones:" + device + " is " + zone.ToString(CultureInfo.InvariantCulture) + "; Contact ID zones are 000–999");
                    }
                    string where = o.Name + " #" + a.Account;
                    if (!devices.TryAdd(o.Name + "\n" + device, where))
                    {
                        problems.Add(acct + ":Zones:" + device + " is already in an account at ARC " + o.Name + ": a device reports to one account per ARC");
                    }
                }
            }
        }
    }

    /// <summary>The account's key from Key or KeyFile (hex), or null when it sends in the clear. Errors never quote the key.</summary>
    public static byte[]? KeyOf(ArcAccountOptions a, Func<string, string> readFile)
    {
        if (a.Key != null && a.KeyFile != null)
        {
            throw new ArgumentException("give Key or KeyFile, not both");
        }
        string? hex = a.Key;
        if (a.KeyFile != null)
        {
            try
            {
                hex = readFile(a.KeyFile).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ArgumentException("KeyFile " + a.KeyFile + " cannot be read (" + e.Message + ")");
            }
        }
        if (hex == null)
        {
            return null;
        }
        if (hex.Length is not (32 or 48 or 64) || !hex.All(Uri.IsHexDigit))
        {
            throw new ArgumentException((a.KeyFile != null ? "the key in " + a.KeyFile : "Key") + " must be 32, 48 or 64 hexadecimal digits (an AES-128, -192 or -256 key); it has "
                + hex.Length.ToString(CultureInfo.InvariantCulture) + " characters");
        }
        return Convert.FromHexString(hex);
    }
}
