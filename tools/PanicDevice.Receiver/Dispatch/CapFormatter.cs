using System.Globalization;
using System.Xml.Linq;
using PanicDevice.Core.Config;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Dispatch;

/// <summary>
/// An alert's CAP messages as OASIS CAP 1.2 documents (docs/receiver.md, "CAP"). Each message has its own
/// identifier and its own &lt;sent&gt; (the time of the change it reports); the first is the Alert, a change that
/// keeps it actionable is an Update, a genuine cancel or a false alarm is a Cancel, a resolution an Update with
/// responseType AllClear, and a duress cancel an Update that escalates (never a Cancel). Every later message
/// names the original and the one it supersedes in &lt;references&gt;. The schema is strict, so: elements in the
/// schema's order, values from its enumerations, date-times as yyyy-MM-ddTHH:mm:ss with UTC written "-00:00"
/// (CAP 1.2 §3.3.2), and people's text reduced to one clean line (<see cref="PlainText"/>).
/// </summary>
internal sealed class CapFormatter
{
    public static readonly XNamespace Cap = "urn:oasis:names:tc:emergency:cap:1.2";

    /// <summary>Longest headline: CAP 1.2 names 160 characters as the target (some displays show only the headline, e.g. an SMS).</summary>
    public const int HeadlineMax = 160;

    // Room kept for a responder's name in a headline, so the person's name is what gets shortened last.
    private const int ResponderInHeadlineMax = 40;

    private readonly string sender;
    private readonly string senderName;

    /// <summary>A formatter issuing as <paramref name="sender"/> (CAP &lt;sender&gt;, already validated) and <paramref name="senderName"/>.</summary>
    public CapFormatter(string sender, string senderName)
    {
        this.sender = sender;
        this.senderName = PlainText.OneLine(senderName);
    }

    /// <summary>
    /// The message's identifier: pd-{device}-{counter} for the alert itself (as before there were updates) and
    /// pd-{device}-{counter}-m{n} for its n-th message. Device ids are [A-Za-z0-9._-], so neither has a space, a
    /// comma or a restricted character, and no two alerts' messages can share one.
    /// </summary>
    public static string Identifier(CapMessageRecord m) =>
        "pd-" + m.DeviceId + "-" + m.Counter.ToString(CultureInfo.InvariantCulture) + (m.Seq == 1 ? "" : "-m" + m.Seq.ToString(CultureInfo.InvariantCulture));

    /// <summary>The message's &lt;msgType&gt;.</summary>
    public static string MsgType(CapMessageRecord m) => m.Event switch
    {
        CapEvent.Alert => "Alert",
        AlertStates.Cancelled or AlertStates.FalseAlarm => "Cancel",
        _ => "Update",
    };

    /// <summary>The extended message identifier CAP's &lt;references&gt; uses: sender,identifier,sent.</summary>
    public string Reference(CapMessageRecord m) => sender + "," + Identifier(m) + "," + CapTime(m.SentUtc);

    /// <summary>Message <paramref name="index"/> of an alert's <paramref name="messages"/> (in order, as <see cref="CapMessageLog.For"/> gives them).</summary>
    public XDocument Format(IReadOnlyList<CapMessageRecord> messages, int index)
    {
        CapMessageRecord m = messages[index];
        CapText text = CapText.For(m.Language);
        bool exercise = m.Kind == "test";
        bool closed = m.Event is AlertStates.Cancelled or AlertStates.FalseAlarm or AlertStates.Resolved;
        var alert = new XElement(Cap + "alert",
            new XElement(Cap + "identifier", Identifier(m)),
            new XElement(Cap + "sender", sender),
            new XElement(Cap + "sent", CapTime(m.SentUtc)),
            new XElement(Cap + "status", exercise ? "Exercise" : "Actual"),
            new XElement(Cap + "msgType", MsgType(m)),
            new XElement(Cap + "scope", "Restricted"),
            new XElement(Cap + "restriction", text.Restriction));
        if (exercise)
        {
            alert.Add(new XElement(Cap + "note", string.Format(CultureInfo.InvariantCulture, text.ExerciseNote, m.DeviceId)));
        }
        if (index > 0)
        {
            // The original (the incident's first message) and the message this one supersedes.
            string references = Reference(messages[0]) + (index > 1 ? " " + Reference(messages[index - 1]) : "");
            alert.Add(new XElement(Cap + "references", references));
        }
        alert.Add(new XElement(Cap + "incidents", Identifier(messages[0])));
        alert.Add(Info(m, text, exercise, closed));
        return new XDocument(new XDeclaration("1.0", "UTF-8", null), alert);
    }

    /// <summary>A document as the API serves it: the declaration, then the indented alert.</summary>
    public static string ToText(XDocument doc) => doc.Declaration + "\n" + doc.Root;

    /// <summary>An ISO-8601 UTC time as CAP writes it: whole seconds and "-00:00", never "Z" or "+00:00" (CAP 1.2 §3.3.2).</summary>
    public static string CapTime(string isoUtc) =>
        CapTime(DateTime.Parse(isoUtc, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));

    /// <inheritdoc cref="CapTime(string)"/>
    public static string CapTime(DateTime utc) => utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "-00:00";

    private XElement Info(CapMessageRecord m, CapText text, bool exercise, bool closed)
    {
        bool duress = m.Duress && !closed;
        string who = PlainText.OneLine(m.OwnerName);
        if (who.Length == 0)
        {
            who = string.Format(CultureInfo.InvariantCulture, text.Device, m.DeviceId);
        }
        string responder = PlainText.OneLine(m.Responder);
        string position = m.Lat is double lat && m.Lon is double lon
            ? lat.ToString("F6", CultureInfo.InvariantCulture) + "," + lon.ToString("F6", CultureInfo.InvariantCulture)
            : "";
        // A circle only for a real radius: 0xFFFF (unknown) and 0 are no area, and a radius-0 circle to smuggle a
        // point is not what CAP's <area> is for. The position then travels in a parameter and in areaDesc.
        bool circle = position.Length > 0 && m.AccuracyM is > 0;
        var info = new XElement(Cap + "info",
            new XElement(Cap + "language", text.Tag),
            new XElement(Cap + "category", "Security"),
            new XElement(Cap + "event", text.EventName(m.Kind)),
            new XElement(Cap + "responseType", closed ? (m.Event == AlertStates.Resolved ? "AllClear" : "None") : "Execute"),
            new XElement(Cap + "urgency", closed ? "Past" : "Immediate"),
            new XElement(Cap + "severity", closed || exercise ? "Minor" : duress ? "Extreme" : "Severe"),
            new XElement(Cap + "certainty", m.Event is AlertStates.Cancelled or AlertStates.FalseAlarm ? "Unlikely" : "Observed"),
            new XElement(Cap + "senderName", senderName),
            new XElement(Cap + "headline", Headline(m, text, who, responder, exercise, duress)),
            new XElement(Cap + "description", Description(m, text, who, responder, position, duress)));
        if (duress)
        {
            info.Add(new XElement(Cap + "instruction", text.DuressInstruction));
        }
        info.Add(Parameter("deviceId", m.DeviceId));
        if (position.Length > 0)
        {
            info.Add(Parameter("position", position));
            if (m.AccuracyM is int accuracy and > 0)
            {
                info.Add(Parameter("positionAccuracyM", accuracy.ToString(CultureInfo.InvariantCulture)));
            }
            info.Add(Parameter("positionSource", m.Source));
        }
        var area = new XElement(Cap + "area", new XElement(Cap + "areaDesc", AreaDesc(m, text, who, position, circle)));
        if (circle)
        {
            area.Add(new XElement(Cap + "circle", position + " " + (m.AccuracyM!.Value / 1000.0).ToString("0.###", CultureInfo.InvariantCulture)));
        }
        info.Add(area);
        return info;
    }

    private static string Headline(CapMessageRecord m, CapText text, string who, string responder, bool exercise, bool duress)
    {
        string template = (exercise ? text.TestPrefix : "") + (duress ? text.DuressPrefix : "") + CapText.Pick(text.Headlines, m.Event, m.Kind);
        string shortResponder = PlainText.Shorten(responder, ResponderInHeadlineMax);
        int fixedLength = string.Format(CultureInfo.InvariantCulture, template, "", shortResponder).Length;
        string headline = string.Format(CultureInfo.InvariantCulture, template, PlainText.Shorten(who, Math.Max(HeadlineMax - fixedLength, 1)), shortResponder);
        return PlainText.Shorten(headline, HeadlineMax);
    }

    private static string Description(CapMessageRecord m, CapText text, string who, string responder, string position, bool duress)
    {
        string sentence = m.Event == CapEvent.Alert && text.Sentences.TryGetValue(m.Kind, out string? byKind) ? byKind : text.Sentences[m.Event];
        var parts = new List<string>
        {
            string.Format(CultureInfo.InvariantCulture, sentence, who, responder),
            string.Format(CultureInfo.InvariantCulture, text.DeviceFact, m.DeviceId),
        };
        if (responder.Length > 0 && m.Event != AlertStates.Assigned)
        {
            parts.Add(string.Format(CultureInfo.InvariantCulture, text.ResponderFact, responder));
        }
        if (m.DeviceKind == DeviceKind.Wall && PlainText.OneLine(m.Address) is { Length: > 0 } address)
        {
            parts.Add(string.Format(CultureInfo.InvariantCulture, text.AddressFact, address));
        }
        parts.Add(position.Length == 0 ? text.NoPositionFact : string.Format(CultureInfo.InvariantCulture, text.PositionFact, position, Accuracy(m, text)));
        if (duress && m.Event != CapEvent.Duress)
        {
            parts.Add(text.Sentences[CapEvent.Duress]);
        }
        return string.Join(" ", parts);
    }

    private static string AreaDesc(CapMessageRecord m, CapText text, string who, string position, bool circle)
    {
        // A wall unit is where it was installed: its registered address is the area, whatever the fix says.
        string address = m.DeviceKind == DeviceKind.Wall ? PlainText.OneLine(m.Address) : "";
        string located = position.Length == 0
            ? text.AreaUnknown
            : circle
                ? string.Format(CultureInfo.InvariantCulture, text.AreaWithCircle, PlainText.Shorten(who, 60), Accuracy(m, text))
                : string.Format(CultureInfo.InvariantCulture, text.AreaWithoutCircle, position, Accuracy(m, text));
        if (address.Length == 0)
        {
            return located;
        }
        return circle || position.Length == 0 ? address : address + " (" + located + ")";
    }

    private static string Accuracy(CapMessageRecord m, CapText text) => m.AccuracyM is > 0
        ? string.Format(CultureInfo.InvariantCulture, text.Accuracy, m.AccuracyM.Value, text.Source(m.Source))
        : string.Format(CultureInfo.InvariantCulture, text.UnknownAccuracy, text.Source(m.Source));

    private static XElement Parameter(string name, string value) =>
        new(Cap + "parameter", new XElement(Cap + "valueName", name), new XElement(Cap + "value", value));
}
