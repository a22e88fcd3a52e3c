namespace PanicDevice.Receiver;

/// <summary>Receiver settings: appsettings.json, environment (Receiver__MqttPort) or the command line (--mqtt-port).</summary>
internal sealed class ReceiverOptions
{
    /// <summary>Embedded broker port; 0 disables the embedded broker.</summary>
    public int MqttPort { get; set; } = 1883;

    /// <summary>
    /// Where the embedded broker listens: an IP address, localhost or * (every interface). Null: loopback while
    /// the HTTP API is on loopback only (--urls unset included), every interface otherwise (Mqtt/BrokerAddress).
    /// </summary>
    public string? MqttAddress { get; set; }

    /// <summary>Seconds an MQTT connection may take from TCP accept to a successful login (TLS included) before it is closed.</summary>
    public int MqttLoginTimeoutSeconds { get; set; } = (int)Mqtt.BrokerLimits.Default.LoginTimeout.TotalSeconds;

    /// <summary>MQTT connections that may be logging in at once; one more closes the oldest of the address with the most.</summary>
    public int MqttMaxPendingLogins { get; set; } = Mqtt.BrokerLimits.Default.MaxPendingLogins;

    /// <summary>Folder for the SQLite store and generated secrets.</summary>
    public string Data { get; set; } = "data";

    /// <summary>Store URL: empty for receiver.db in the data folder, sqlite:PATH or postgres://user:password@host:port/db (see Storage/StoreLocation).</summary>
    public string? Store { get; set; }

    /// <summary>
    /// The file holding the key that encrypts device keys at rest (default: device-keys.key in the data folder). Keep
    /// it apart from database backups; without it the stored device keys cannot be read (docs/security.md).
    /// </summary>
    public string? KeyFile { get; set; }

    /// <summary>Logs every HTTP request (ASP.NET Core's request lines); off by default, since they drown the device and alert lines.</summary>
    public bool RequestLog { get; set; }

    /// <summary>Bearer token for operator API calls; generated into the data folder when not configured.</summary>
    public string? OperatorToken { get; set; }

    /// <summary>Bearer token the SMS gateway presents; generated into the data folder when not configured.</summary>
    public string? GatewayToken { get; set; }

    /// <summary>
    /// External broker (mqtt://host[:port] or mqtts://host[:port]): the receiver subscribes to it through an
    /// MQTT 5 shared subscription instead of running the embedded broker (which is then not started, even
    /// with --mqtt-port). Null: embedded broker.
    /// </summary>
    public string? Broker { get; set; }

    /// <summary>User name on the external broker (optional).</summary>
    public string? BrokerUser { get; set; }

    /// <summary>Password on the external broker (optional; never logged).</summary>
    public string? BrokerPassword { get; set; }

    /// <summary>
    /// MQTT keep-alive with the external broker, in seconds: a silent connection (a partition that keeps the
    /// socket open) is noticed after about twice this and reconnected.
    /// </summary>
    public int BrokerKeepAliveSeconds { get; set; } = 15;

    /// <summary>Embedded broker TLS port, used only when <see cref="MqttCert"/> is set.</summary>
    public int MqttTlsPort { get; set; } = 8883;

    /// <summary>PFX certificate (with its private key) for the embedded broker's TLS endpoint; null: no TLS.</summary>
    public string? MqttCert { get; set; }

    /// <summary>Password of the PFX file (optional; never logged).</summary>
    public string? MqttCertPassword { get; set; }

    /// <summary>Webhook targets (Receiver:Webhooks:0:Url, Receiver:Webhooks:0:Secret, …).</summary>
    public List<Dispatch.WebhookTarget> Webhooks { get; set; } = new();

    /// <summary>Alarm receiving centres taking alerts over SIA DC-09 (Receiver:Arcs:0:Name, :Host, :Port, :Accounts, …; docs/arc.md).</summary>
    public List<Dispatch.Dc09.ArcOptions> Arcs { get; set; } = new();

    /// <summary>Routing rules: which targets receive which alerts (docs/routing.md). None: every target receives every alert.</summary>
    public List<Dispatch.Routing.RouteOptions> Routes { get; set; } = new();

    /// <summary>Where an alert goes that matches no rule (needed with rules), e.g. ["webhook:112"].</summary>
    public List<string> DefaultRoute { get; set; } = new();

    /// <summary>Device groups for rules: name → device ids or patterns ("shop-*"); "fob" and "wall" are built in.</summary>
    public Dictionary<string, List<string>> Groups { get; set; } = new();

    /// <summary>Areas for rules: name → a GeoJSON file of polygons (a district, a police sector).</summary>
    public Dictionary<string, string> Areas { get; set; } = new();

    /// <summary>
    /// Seconds an alert may wait unacknowledged before it escalates (dashboard banner, timeline, a webhook event of type
    /// "escalation"); 0: never.
    /// </summary>
    public int EscalateAfterSeconds { get; set; } = 120;

    /// <summary>
    /// Seconds after an alert opened during which another alert of its device joins it (one emergency, one timeline;
    /// the device's later press is the one operators' status frames go to); 0: every press is an alert of its own.
    /// </summary>
    public int IncidentWindowSeconds { get; set; } = 600;

    /// <summary>
    /// The address guardians reach this receiver at (e.g. https://help.example.org): devices put it in their guardians' SMS
    /// (device.json guardianLinkUrl), and operators get an alert's link from it. Unset: no links are handed out (links from
    /// devices still open).
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>Hours a guardian link keeps working after its alert closed.</summary>
    public int GuardianLinkHours { get; set; } = 24;

    /// <summary>Dashboard map tiles, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; unset: a plain grid (also the offline fallback).</summary>
    public string? MapTilesUrl { get; set; }

    /// <summary>Attribution drawn on the map when tiles are used (e.g. "© OpenStreetMap contributors").</summary>
    public string? MapTilesAttribution { get; set; }

    /// <summary>
    /// CAP &lt;sender&gt;: who issues the receiver's CAP messages, globally unique (CAP 1.2 suggests one based on an
    /// Internet domain, e.g. alerts@command.example.org). No spaces, commas, '&lt;', '&gt;' or '&amp;'. Choose it
    /// once: consumers tell messages apart by (sender, identifier), and every message, old ones included, is
    /// served with the current sender.
    /// </summary>
    public string CapSender { get; set; } = "panicdevice.receiver";

    /// <summary>CAP &lt;senderName&gt;: the issuer as people read it (the command centre's name).</summary>
    public string CapSenderName { get; set; } = "PanicDevice receiver";

    /// <summary>Per-device limit on routine frames (Receiver:DeviceRateLimit:PerSecond, :Burst); alerts and cancels are never limited.</summary>
    public Pipeline.DeviceRateLimitOptions DeviceRateLimit { get; set; } = new();

    /// <summary>Command-line switches the issue names, mapped onto this section.</summary>
    public static readonly Dictionary<string, string> Switches = new()
    {
        ["--mqtt-port"] = "Receiver:MqttPort",
        ["--mqtt-address"] = "Receiver:MqttAddress",
        ["--mqtt-login-timeout"] = "Receiver:MqttLoginTimeoutSeconds",
        ["--mqtt-max-pending-logins"] = "Receiver:MqttMaxPendingLogins",
        ["--data"] = "Receiver:Data",
        ["--store"] = "Receiver:Store",
        ["--key-file"] = "Receiver:KeyFile",
        ["--request-log"] = "Receiver:RequestLog",
        ["--operator-token"] = "Receiver:OperatorToken",
        ["--gateway-token"] = "Receiver:GatewayToken",
        ["--broker"] = "Receiver:Broker",
        ["--broker-user"] = "Receiver:BrokerUser",
        ["--broker-password"] = "Receiver:BrokerPassword",
        ["--broker-keepalive"] = "Receiver:BrokerKeepAliveSeconds",
        ["--mqtt-tls-port"] = "Receiver:MqttTlsPort",
        ["--mqtt-cert"] = "Receiver:MqttCert",
        ["--mqtt-cert-password"] = "Receiver:MqttCertPassword",
        ["--map-tiles-url"] = "Receiver:MapTilesUrl",
        ["--cap-sender"] = "Receiver:CapSender",
        ["--cap-sender-name"] = "Receiver:CapSenderName",
        ["--escalate-after"] = "Receiver:EscalateAfterSeconds",
        ["--incident-window"] = "Receiver:IncidentWindowSeconds",
        ["--public-url"] = "Receiver:PublicUrl",
        ["--guardian-link-hours"] = "Receiver:GuardianLinkHours",
    };
}
