namespace PanicDevice.Receiver;

/// <summary>Receiver settings: appsettings.json, environment (Receiver__MqttPort) or the command line (--mqtt-port).</summary>
public sealed class ReceiverOptions
{
    /// <summary>Embedded broker port; 0 disables the embedded broker.</summary>
    public int MqttPort { get; set; } = 1883;

    /// <summary>Folder for the SQLite store and generated secrets.</summary>
    public string Data { get; set; } = "data";

    /// <summary>Bearer token for operator API calls; generated into the data folder when not configured.</summary>
    public string? OperatorToken { get; set; }

    /// <summary>Bearer token the SMS gateway presents; generated into the data folder when not configured.</summary>
    public string? GatewayToken { get; set; }

    /// <summary>Webhook targets (Receiver:Webhooks:0:Url, Receiver:Webhooks:0:Secret, …).</summary>
    public List<Dispatch.WebhookTarget> Webhooks { get; set; } = new();

    /// <summary>Dashboard map tiles, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; unset: a plain grid (also the offline fallback).</summary>
    public string? MapTilesUrl { get; set; }

    /// <summary>Attribution drawn on the map when tiles are used (e.g. "© OpenStreetMap contributors").</summary>
    public string? MapTilesAttribution { get; set; }

    /// <summary>Command-line switches the issue names, mapped onto this section.</summary>
    public static readonly Dictionary<string, string> Switches = new()
    {
        ["--mqtt-port"] = "Receiver:MqttPort",
        ["--data"] = "Receiver:Data",
        ["--operator-token"] = "Receiver:OperatorToken",
        ["--gateway-token"] = "Receiver:GatewayToken",
        ["--map-tiles-url"] = "Receiver:MapTilesUrl",
    };

    /// <summary>The first problem with these settings, as one sentence with the fix; null when usable.</summary>
    public string? Validate()
    {
        if (MqttPort < 0 || MqttPort > 65535)
        {
            return "--mqtt-port must be 0 (off) or a TCP port 1..65535";
        }
        if (string.IsNullOrWhiteSpace(Data))
        {
            return "--data must name a folder for the receiver's database";
        }
        if (OperatorToken is { Length: < 16 } || GatewayToken is { Length: < 16 })
        {
            return "operator and gateway tokens must be at least 16 characters (or leave them unset to generate them)";
        }
        if (!string.IsNullOrEmpty(MapTilesUrl) && (!MapTilesUrl.StartsWith("http", StringComparison.Ordinal) || !MapTilesUrl.Contains("{z}") || !MapTilesUrl.Contains("{x}") || !MapTilesUrl.Contains("{y}")))
        {
            return "--map-tiles-url must be an http(s) URL template with {z}, {x} and {y}";
        }
        foreach (var w in Webhooks)
        {
            if (!Uri.TryCreate(w.Url, UriKind.Absolute, out Uri? u) || (u.Scheme != "http" && u.Scheme != "https"))
            {
                return "webhook URL must be an absolute http(s) URL";
            }
            if (string.IsNullOrEmpty(w.Secret) || w.Secret.Length < 16)
            {
                return "each webhook needs a secret of at least 16 characters to sign its requests";
            }
        }
        return null;
    }
}
