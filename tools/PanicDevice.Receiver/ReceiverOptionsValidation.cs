using Microsoft.Extensions.Options;

namespace PanicDevice.Receiver;

/// <summary>
/// The receiver's settings checked as a whole before anything starts: every problem, each one sentence naming the
/// option and the fix, so one edit fixes them all. Start-up fails with <see cref="OptionsValidationException"/>,
/// which Program prints in one line (exit code 2).
/// </summary>
internal sealed class ReceiverOptionsValidation : IValidateOptions<ReceiverOptions>
{
    public ValidateOptionsResult Validate(string? name, ReceiverOptions o)
    {
        var problems = Problems(o);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static List<string> Problems(ReceiverOptions o)
    {
        var problems = new List<string>();
        if (o.MqttPort < 0 || o.MqttPort > 65535)
        {
            problems.Add("--mqtt-port must be 0 (off) or a TCP port 1..65535");
        }
        if (o.MqttAddress != null && Mqtt.BrokerAddress.Parse(o.MqttAddress) == null)
        {
            problems.Add(Mqtt.BrokerAddress.Expected);
        }
        if (o.MqttLoginTimeoutSeconds < 1 || o.MqttLoginTimeoutSeconds > 3600)
        {
            problems.Add("--mqtt-login-timeout must be 1..3600 seconds");
        }
        if (o.MqttMaxPendingLogins < 1 || o.MqttMaxPendingLogins > 100_000)
        {
            problems.Add("--mqtt-max-pending-logins must be 1..100000");
        }
        if (o.Broker != null && Mqtt.BrokerEndpoint.Parse(o.Broker) == null)
        {
            problems.Add(Mqtt.BrokerEndpoint.Expected);
        }
        if (o.BrokerPassword != null && string.IsNullOrEmpty(o.BrokerUser))
        {
            problems.Add("--broker-password needs --broker-user");
        }
        if (o.BrokerKeepAliveSeconds < 1 || o.BrokerKeepAliveSeconds > 65535)
        {
            problems.Add("--broker-keepalive must be 1..65535 seconds");
        }
        if (o.MqttCert != null && (o.MqttTlsPort < 1 || o.MqttTlsPort > 65535 || o.MqttTlsPort == o.MqttPort))
        {
            problems.Add("--mqtt-tls-port must be a TCP port 1..65535 other than --mqtt-port");
        }
        if (o.MqttCert != null && !File.Exists(o.MqttCert))
        {
            problems.Add("--mqtt-cert must name an existing PFX file");
        }
        if (string.IsNullOrWhiteSpace(o.Data))
        {
            problems.Add("--data must name a folder for the receiver's database");
        }
        else if (Storage.StoreLocation.Parse(o.Store, o.Data).Error is { } storeProblem)
        {
            problems.Add(storeProblem);
        }
        if (o.OperatorToken is { Length: < 16 } || o.GatewayToken is { Length: < 16 })
        {
            problems.Add("operator and gateway tokens must be at least 16 characters (or leave them unset to generate them)");
        }
        if (o.DeviceRateLimit.PerSecond < 0 || double.IsNaN(o.DeviceRateLimit.PerSecond) || o.DeviceRateLimit.Burst < 1)
        {
            problems.Add("Receiver:DeviceRateLimit needs PerSecond >= 0 (0: off) and Burst >= 1");
        }
        if (!string.IsNullOrEmpty(o.MapTilesUrl) && (!o.MapTilesUrl.StartsWith("http", StringComparison.Ordinal) || !o.MapTilesUrl.Contains("{z}") || !o.MapTilesUrl.Contains("{x}") || !o.MapTilesUrl.Contains("{y}")))
        {
            problems.Add("--map-tiles-url must be an http(s) URL template with {z}, {x} and {y}");
        }
        if (string.IsNullOrEmpty(o.CapSender) || o.CapSender.Length > 255 || o.CapSender.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is ',' or '<' or '>' or '&'))
        {
            problems.Add("--cap-sender must be 1..255 characters without spaces, commas, '<', '>' or '&' (CAP 1.2), e.g. alerts@command.example.org");
        }
        if (string.IsNullOrWhiteSpace(o.CapSenderName) || o.CapSenderName.Length > 200 || Registry.PlainText.HasControlCharacters(o.CapSenderName))
        {
            problems.Add("--cap-sender-name must be one line of 1..200 characters, e.g. \"Jakarta Command Centre\"");
        }
        for (int i = 0; i < o.Webhooks.Count; i++)
        {
            var w = o.Webhooks[i];
            if (!Uri.TryCreate(w.Url, UriKind.Absolute, out Uri? u) || (u.Scheme != "http" && u.Scheme != "https"))
            {
                problems.Add("Receiver:Webhooks:" + i + ":Url must be an absolute http(s) URL");
            }
            if (string.IsNullOrEmpty(w.Secret) || w.Secret.Length < 16)
            {
                problems.Add("Receiver:Webhooks:" + i + ":Secret must be at least 16 characters (it signs the webhook's requests)");
            }
        }
        if (o.IncidentWindowSeconds is < 0 or > 86400)
        {
            problems.Add("--incident-window is 0 (never join) or 1..86400 seconds");
        }
        if (o.PublicUrl is { Length: > 0 } url && PanicDevice.Core.Protocol.GuardianLink.BaseUrlProblem(url) is { } urlProblem)
        {
            problems.Add("--public-url " + urlProblem + " (it is what devices put in guardians' SMS)");
        }
        if (o.GuardianLinkHours is < 1 or > 720)
        {
            problems.Add("--guardian-link-hours is 1..720 hours");
        }
        if (o.EscalateAfterSeconds is < 0 or > 86400)
        {
            problems.Add("--escalate-after is 0 (never) or 1..86400 seconds an alert may wait unacknowledged");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < o.Webhooks.Count; i++)
        {
            // An unnamed webhook is called by its position: a name equal to another's position is a name used twice.
            if (o.Webhooks[i].Name is { } name && (name.Length == 0 || name.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')))
            {
                problems.Add("Receiver:Webhooks:" + i + ":Name must be letters, digits, '-' or '_' (routes call it webhook:NAME)");
            }
            else if (!names.Add(Dispatch.RouteNames.Webhook(o.Webhooks[i], i)))
            {
                problems.Add("Receiver:Webhooks:" + i + ":Name is used twice (or is the position of an unnamed webhook)");
            }
        }
        Dispatch.Dc09.ArcConfiguration.Check(o.Arcs, File.ReadAllText, problems);
        Dispatch.Routing.AlertRouter.Load(o.Routes, o.DefaultRoute, o.Groups, o.Areas, Dispatch.RouteNames.All(o), File.ReadAllText, problems);
        return problems;
    }
}
