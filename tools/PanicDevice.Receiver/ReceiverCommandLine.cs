namespace PanicDevice.Receiver;

/// <summary>
/// The receiver's command line before anything starts: --help prints the options and starts nothing; an option that
/// is not one of them (a typo like --mqtt-prot would otherwise be ignored, and the receiver would listen where nobody
/// expects) or one without its value is refused in one line. Configuration paths (--Receiver:Webhooks:0:Url,
/// --Logging:LogLevel:Default) stay open, as every ASP.NET Core host takes them.
/// </summary>
internal static class ReceiverCommandLine
{
    /// <summary>Exit codes, documented in docs/receiver.md ("Command line").</summary>
    public const int Stopped = 0, BadCommandLine = 2, StoreUnavailable = 3, KeyFile = 4, PortInUse = 5;

    private static readonly (string Option, string Value, string What)[] Options =
    {
        ("--urls", "URL[;URL]", "where the HTTP API and dashboard listen (default http://127.0.0.1:8080)"),
        ("--data", "FOLDER", "data folder: receiver.db, tokens, key file (default data, relative to the working directory)"),
        ("--store", "URL", "sqlite:PATH or postgres://user:password@host:port/db (default receiver.db in --data)"),
        ("--key-file", "PATH", "the key that encrypts device keys at rest (default --data/device-keys.key)"),
        ("--mqtt-port", "PORT", "embedded broker port, 0 for none (default 1883)"),
        ("--mqtt-address", "IP|localhost|*", "where the embedded broker listens (default: like --urls)"),
        ("--mqtt-tls-port", "PORT", "embedded broker TLS port, with --mqtt-cert (default 8883)"),
        ("--mqtt-cert", "PFX", "certificate for the TLS port"),
        ("--mqtt-cert-password", "TEXT", "its password"),
        ("--mqtt-login-timeout", "SECONDS", "time a client has to log in (default 20)"),
        ("--mqtt-max-pending-logins", "N", "clients logging in at once (default 256)"),
        ("--broker", "mqtt[s]://HOST:PORT", "an external broker instead of the embedded one"),
        ("--broker-user", "NAME", "user on the external broker"),
        ("--broker-password", "TEXT", "its password"),
        ("--broker-keepalive", "SECONDS", "keep-alive with the external broker (default 15)"),
        ("--operator-token", "TOKEN", "operator API token (default: generated into --data/operator-token)"),
        ("--gateway-token", "TOKEN", "SMS gateway token (default: generated into --data/gateway-token)"),
        ("--map-tiles-url", "URL", "dashboard map tiles, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
        ("--cap-sender", "ID", "CAP <sender> (default panicdevice.receiver)"),
        ("--cap-sender-name", "TEXT", "CAP <senderName>"),
        ("--escalate-after", "SECONDS", "an alert nobody acknowledged this long escalates (default 120, 0 never)"),
        ("--incident-window", "SECONDS", "a device's next press within this joins its open alert (default 600, 0 never)"),
        ("--public-url", "URL", "where guardians reach this receiver's live pages, e.g. https://help.example.org (device.json guardianLinkUrl)"),
        ("--guardian-link-hours", "HOURS", "a guardian link works this long after its alert closed (default 24)"),
        ("--request-log", "true|false", "log every HTTP request (default false)"),
    };

    public static string Usage()
    {
        var w = new StringWriter();
        w.WriteLine("panicdevice-receiver: receives PanicDevice alerts (embedded MQTT broker or an external one), stores them, serves the API and dashboard");
        w.WriteLine();
        w.WriteLine("usage: dotnet run --project tools/PanicDevice.Receiver -- [options]");
        w.WriteLine();
        foreach (var (option, value, what) in Options)
        {
            w.WriteLine("  " + (option + " " + value).PadRight(38) + what);
        }
        w.WriteLine("  " + "--help".PadRight(38) + "this text");
        w.WriteLine("  " + "--Section:Key VALUE".PadRight(38) + "any setting of appsettings.json, e.g. --Receiver:Webhooks:0:Url URL");
        w.WriteLine();
        w.WriteLine("exit codes: 0 stopped, 2 bad command line or settings, 3 store unavailable, 4 key file missing or wrong, 5 port in use");
        w.WriteLine("docs/receiver.md has the details.");
        return w.ToString();
    }

    /// <summary>True when the arguments ask for help.</summary>
    public static bool WantsHelp(string[] args) => args.Any(a => a is "--help" or "-h" or "-?" or "/?");

    /// <summary>The first problem with the arguments, as one sentence; null when every option is known and has its value.</summary>
    public static string? Problem(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (!a.StartsWith('-'))
            {
                return "unexpected argument " + Quote(a) + ": options are --name VALUE (see --help)";
            }
            string name = a.Contains('=') ? a[..a.IndexOf('=')] : a;
            bool configPath = name.Contains(':');
            if (!configPath && !Options.Any(o => o.Option == name))
            {
                string? near = Nearest(name);
                return "unknown option " + Quote(name) + (near != null ? " (did you mean " + near + "?)" : "") + "; --help lists them";
            }
            if (!a.Contains('='))
            {
                if (i + 1 >= args.Length || (args[i + 1].StartsWith("--") && !double.TryParse(args[i + 1], out _)))
                {
                    return "option " + name + " needs a value";
                }
                i++;
            }
        }
        return null;
    }

    // An option name as typed, cut short and without control characters: it goes into a one-line error.
    private static string Quote(string text)
    {
        string clean = new string(text.Where(ch => !char.IsControl(ch)).Take(60).ToArray());
        return clean;
    }

    private static string? Nearest(string typed)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var (option, _, _) in Options)
        {
            int d = Distance(typed.ToLowerInvariant(), option);
            if (d < bestDistance)
            {
                bestDistance = d;
                best = option;
            }
        }
        return bestDistance <= 3 ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int previous = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int keep = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = keep;
            }
        }
        return row[b.Length];
    }
}
