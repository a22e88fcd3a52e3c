using System.Globalization;
using System.Xml.Linq;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Dispatch;

/// <summary>
/// An alert as an OASIS CAP 1.2 message. The schema is strict, so: elements in the schema's order,
/// values from its enumerations, date-times as yyyy-MM-ddTHH:mm:ss with a numeric offset (the schema's
/// pattern rejects "Z" and fractions), and the area as a circle "lat,lon radius" with the radius in km.
/// Test alerts are status Exercise. An alert without a position still gets an area, described as unknown.
/// </summary>
public static class CapFormatter
{
    public static readonly XNamespace Cap = "urn:oasis:names:tc:emergency:cap:1.2";

    public static XDocument Format(AlertView alert, string senderId, string ownerName)
    {
        bool exercise = alert.Kind == "test";
        string sent = CapTime(DateTime.Parse(alert.OpenedUtc, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));
        var area = new XElement(Cap + "area", new XElement(Cap + "areaDesc", alert.Lat == null ? "Position unknown" : "Last reported position of device " + alert.DeviceId));
        if (alert.Lat is double lat && alert.Lon is double lon)
        {
            double radiusKm = (alert.AccuracyM ?? 1000) / 1000.0;
            area.Add(new XElement(Cap + "circle",
                lat.ToString("F6", CultureInfo.InvariantCulture) + "," + lon.ToString("F6", CultureInfo.InvariantCulture) + " " + radiusKm.ToString("0.###", CultureInfo.InvariantCulture)));
        }
        var info = new XElement(Cap + "info",
            new XElement(Cap + "language", "en-US"),
            new XElement(Cap + "category", "Security"),
            new XElement(Cap + "event", alert.Kind == "hold-up" ? "Hold-up alarm" : alert.Kind == "test" ? "Panic button test" : "Personal panic alarm"),
            new XElement(Cap + "responseType", "Execute"),
            new XElement(Cap + "urgency", "Immediate"),
            new XElement(Cap + "severity", exercise ? "Minor" : "Severe"),
            new XElement(Cap + "certainty", "Observed"),
            new XElement(Cap + "senderName", "PanicDevice receiver"),
            new XElement(Cap + "headline", (alert.Duress ? "DURESS: " : "") + (ownerName.Length > 0 ? ownerName + " pressed " : "Device " + alert.DeviceId + " pressed ") + "the panic button"),
            new XElement(Cap + "description", "Device " + alert.DeviceId + ", state " + alert.State + (alert.Duress ? ", cancelled under duress" : "")
                + (alert.Lat == null ? ", position unknown" : ", position source " + alert.Source)),
            area);
        var root = new XElement(Cap + "alert",
            new XElement(Cap + "identifier", "pd-" + alert.DeviceId + "-" + alert.Counter.ToString(CultureInfo.InvariantCulture)),
            new XElement(Cap + "sender", senderId),
            new XElement(Cap + "sent", sent),
            new XElement(Cap + "status", exercise ? "Exercise" : "Actual"),
            new XElement(Cap + "msgType", "Alert"),
            new XElement(Cap + "scope", "Restricted"),
            new XElement(Cap + "restriction", "Emergency services only: contains a person's location"),
            info);
        return new XDocument(new XDeclaration("1.0", "UTF-8", null), root);
    }

    /// <summary>CAP date-time: whole seconds and a numeric offset, never "Z".</summary>
    public static string CapTime(DateTime utc) => utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "+00:00";
}
