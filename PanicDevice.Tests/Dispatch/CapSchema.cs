using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;

namespace PanicDevice.Tests.Dispatch;

/// <summary>
/// Checks a CAP document two ways: against the OASIS CAP 1.2 schema (Data/CAP-v1.2.xsd, its source in its
/// header) with System.Xml.Schema, and against the rules of the specification's text that the schema cannot
/// express (UTC as "-00:00", no spaces or commas in identifiers and senders, references as
/// sender,identifier,sent, Update and Cancel naming what they refer to, the 160-character headline target).
/// </summary>
public static class CapSchema
{
    public static readonly XNamespace Cap = "urn:oasis:names:tc:emergency:cap:1.2";
    private static readonly Lazy<XmlSchemaSet> Schemas = new(Load);
    private static readonly Regex DateTimePattern = new(@"^\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$");
    private static readonly Regex Restricted = new(@"[\s,<&]");

    private static XmlSchemaSet Load()
    {
        var set = new XmlSchemaSet();
        using (XmlReader reader = XmlReader.Create(Path.Combine(AppContext.BaseDirectory, "Data", "CAP-v1.2.xsd")))
        {
            set.Add(Cap.NamespaceName, reader);
        }
        set.Compile();
        return set;
    }

    /// <summary>The schema's complaints about <paramref name="doc"/>, one line each; empty when it is valid.</summary>
    public static List<string> SchemaErrors(XDocument doc)
    {
        var errors = new List<string>();
        // Validate a re-parsed copy: the schema sees exactly the text a consumer would receive.
        XDocument.Parse(doc.ToString(SaveOptions.DisableFormatting)).Validate(Schemas.Value, (_, e) => errors.Add(e.Severity + ": " + e.Message));
        return errors;
    }

    /// <summary>Breaches of the specification's text (CAP 1.2 §3.2.1, §3.2.2, §3.3.2) that the schema lets through.</summary>
    public static List<string> RuleErrors(XDocument doc)
    {
        var errors = new List<string>();
        XElement alert = doc.Root!;
        foreach (string name in new[] { "identifier", "sender" })
        {
            string? value = alert.Element(Cap + name)?.Value;
            if (value != null && (value.Length == 0 || Restricted.IsMatch(value)))
            {
                errors.Add(name + " \"" + value + "\" has a space, comma, < or & (§3.2.1)");
            }
        }
        foreach (XElement time in alert.Descendants().Where(e => e.Name == Cap + "sent" || e.Name == Cap + "effective" || e.Name == Cap + "onset" || e.Name == Cap + "expires"))
        {
            CheckTime(time.Name.LocalName, time.Value, errors);
        }
        string msgType = alert.Element(Cap + "msgType")?.Value ?? "";
        string? references = alert.Element(Cap + "references")?.Value;
        if (msgType is "Update" or "Cancel" or "Ack" or "Error" && string.IsNullOrWhiteSpace(references))
        {
            errors.Add(msgType + " without references (§3.2.1 msgType)");
        }
        foreach (string reference in (references ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = reference.Split(',');
            if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                errors.Add("reference \"" + reference + "\" is not sender,identifier,sent (§3.2.1 references)");
                continue;
            }
            CheckTime("references' sent", parts[2], errors);
        }
        if (alert.Element(Cap + "scope")?.Value == "Restricted" && alert.Element(Cap + "restriction") == null)
        {
            errors.Add("Restricted scope without restriction (§3.2.1 scope)");
        }
        foreach (XElement headline in alert.Descendants(Cap + "headline"))
        {
            if (headline.Value.Length > 160)
            {
                errors.Add("headline of " + headline.Value.Length + " characters, over the 160 the specification names as the target (§3.2.2 headline)");
            }
        }
        return errors;
    }

    private static void CheckTime(string name, string value, List<string> errors)
    {
        if (!DateTimePattern.IsMatch(value))
        {
            errors.Add(name + " \"" + value + "\" is not yyyy-MM-ddTHH:mm:ss±hh:mm (§3.3.2)");
        }
        else if (value.EndsWith("+00:00", StringComparison.Ordinal))
        {
            errors.Add(name + " \"" + value + "\": UTC must be written -00:00 (§3.3.2)");
        }
    }

    /// <summary>Fails the test with every schema and rule breach of <paramref name="doc"/>.</summary>
    public static void AssertValid(XDocument doc)
    {
        List<string> errors = SchemaErrors(doc).Concat(RuleErrors(doc)).ToList();
        Assert.IsEmpty(errors, string.Join("\n", errors) + "\nin\n" + doc);
    }

    /// <summary>The document's element <paramref name="name"/> under alert or info (the first one).</summary>
    public static string? Value(XDocument doc, string name) => doc.Descendants(Cap + name).FirstOrDefault()?.Value;
}
