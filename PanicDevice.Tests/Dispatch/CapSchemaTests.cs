using System.Xml.Linq;

namespace PanicDevice.Tests.Dispatch;

/// <summary>The validator itself: it passes a correct CAP 1.2 message and catches each fault the receiver once had.</summary>
[TestClass]
public class CapSchemaTests
{
    private static readonly XNamespace Cap = CapSchema.Cap;

    private static XDocument Good() => XDocument.Parse("""
        <?xml version="1.0" encoding="UTF-8"?>
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
          <identifier>pd-fob-0001-7-m2</identifier>
          <sender>panicdevice.receiver</sender>
          <sent>2026-11-22T16:05:07-00:00</sent>
          <status>Actual</status>
          <msgType>Cancel</msgType>
          <scope>Restricted</scope>
          <restriction>Emergency services only</restriction>
          <references>panicdevice.receiver,pd-fob-0001-7,2026-11-22T16:00:00-00:00</references>
          <info>
            <language>id-ID</language>
            <category>Security</category>
            <event>Alarm darurat pribadi</event>
            <urgency>Past</urgency>
            <severity>Minor</severity>
            <certainty>Unlikely</certainty>
            <headline>Siti membatalkan alarm</headline>
            <area><areaDesc>Posisi tidak diketahui</areaDesc></area>
          </info>
        </alert>
        """);

    private static XDocument With(Action<XElement> change)
    {
        XDocument doc = Good();
        change(doc.Root!);
        return doc;
    }

    [TestMethod]
    public void ACorrectMessagePassesBoth()
    {
        CapSchema.AssertValid(Good());
    }

    [TestMethod]
    public void PlusZeroForUtcPassesTheSchemaButNotTheSpecificationsText()
    {
        // The official pattern is [-,+]\d\d:\d\d, so only the rule check can hold §3.3.2's "-00:00".
        XDocument plus = With(a => a.Element(Cap + "sent")!.Value = "2026-11-22T16:05:07+00:00");
        Assert.IsEmpty(CapSchema.SchemaErrors(plus));
        StringAssert.Contains(string.Join("\n", CapSchema.RuleErrors(plus)), "-00:00");
        XDocument plusInReference = With(a => a.Element(Cap + "references")!.Value = "panicdevice.receiver,pd-fob-0001-7,2026-11-22T16:00:00+00:00");
        StringAssert.Contains(string.Join("\n", CapSchema.RuleErrors(plusInReference)), "-00:00");
    }

    [TestMethod]
    public void TheSchemaRefusesZAndFractionsOfASecond()
    {
        Assert.IsNotEmpty(CapSchema.SchemaErrors(With(a => a.Element(Cap + "sent")!.Value = "2026-11-22T16:05:07Z")));
        Assert.IsNotEmpty(CapSchema.SchemaErrors(With(a => a.Element(Cap + "sent")!.Value = "2026-11-22T16:05:07.123-00:00")));
    }

    [TestMethod]
    public void TheSchemaRefusesAMissingRequiredElementAndAnOutOfOrderOne()
    {
        Assert.IsNotEmpty(CapSchema.SchemaErrors(With(a => a.Element(Cap + "sender")!.Remove())));
        Assert.IsNotEmpty(CapSchema.SchemaErrors(With(a => a.Element(Cap + "info")!.Element(Cap + "certainty")!.Remove())));
        Assert.IsNotEmpty(CapSchema.SchemaErrors(With(a => a.Element(Cap + "info")!.Element(Cap + "area")!.Element(Cap + "areaDesc")!.Remove())));
        Assert.IsNotEmpty(CapSchema.SchemaErrors(With(a =>
        {
            XElement status = a.Element(Cap + "status")!;
            status.Remove();
            a.Element(Cap + "msgType")!.AddAfterSelf(status);
        })));
    }

    [TestMethod]
    public void TheSchemaRefusesValuesOutsideItsEnumerations()
    {
        Assert.IsNotEmpty(CapSchema.SchemaErrors(With(a => a.Element(Cap + "msgType")!.Value = "Cancelled")));
        Assert.IsNotEmpty(CapSchema.SchemaErrors(With(a => a.Element(Cap + "info")!.Element(Cap + "severity")!.Value = "Critical")));
        Assert.IsNotEmpty(CapSchema.SchemaErrors(With(a => a.Element(Cap + "info")!.Element(Cap + "language")!.Value = "Bahasa Indonesia")), "xs:language");
    }

    [TestMethod]
    public void TheRulesCatchWhatTheSchemaCannot()
    {
        Assert.IsNotEmpty(CapSchema.RuleErrors(With(a => a.Element(Cap + "references")!.Remove())), "a Cancel must name what it cancels");
        Assert.IsNotEmpty(CapSchema.RuleErrors(With(a => a.Element(Cap + "sender")!.Value = "PanicDevice receiver")), "no spaces in sender");
        Assert.IsNotEmpty(CapSchema.RuleErrors(With(a => a.Element(Cap + "identifier")!.Value = "pd,7")), "no commas in identifier");
        Assert.IsNotEmpty(CapSchema.RuleErrors(With(a => a.Element(Cap + "references")!.Value = "pd-fob-0001-7")), "references are sender,identifier,sent");
        Assert.IsNotEmpty(CapSchema.RuleErrors(With(a => a.Element(Cap + "restriction")!.Remove())));
        Assert.IsNotEmpty(CapSchema.RuleErrors(With(a => a.Descendants(Cap + "headline").Single().Value = new string('x', 161))));
    }
}
