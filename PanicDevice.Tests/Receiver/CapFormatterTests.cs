using System.Text.RegularExpressions;
using System.Xml.Linq;
using PanicDevice.Receiver.Dispatch;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Tests.Receiver;

/// <summary>CAP 1.2 output checked against the rules of the OASIS schema (CAP-v1.2.xsd, CAP 1.2 §3.2).</summary>
[TestClass]
public class CapFormatterTests
{
    private static readonly XNamespace Cap = CapFormatter.Cap;

    // Sequence order of the schema's alert and info elements (only the ones a panic alert can carry).
    private static readonly string[] AlertOrder = { "identifier", "sender", "sent", "status", "msgType", "source", "scope", "restriction", "addresses", "code", "note", "references", "incidents", "info" };
    private static readonly string[] InfoOrder = { "language", "category", "event", "responseType", "urgency", "severity", "certainty", "audience", "eventCode", "effective", "onset", "expires", "senderName", "headline", "description", "instruction", "web", "contact", "parameter", "resource", "area" };
    private static readonly Regex CapDateTime = new(@"^\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$");

    private static AlertView Alert(string kind = "panic", double? lat = -6.1753924, double? lon = 106.8271528, int? acc = 8, bool duress = false) =>
        new(7, "fob-0001", 42, kind, "new", duress, lat, lon, acc, lat == null ? "none" : "gnss", null, "2026-11-22T16:05:07.1234567Z", "2026-11-22T16:05:07.1234567Z", Array.Empty<TimelineEntry>());

    private static void AssertValid(XDocument doc)
    {
        XElement alert = doc.Root!;
        Assert.AreEqual(Cap + "alert", alert.Name);
        AssertOrder(alert, AlertOrder);
        foreach (string required in new[] { "identifier", "sender", "sent", "status", "msgType", "scope" })
        {
            Assert.IsNotNull(alert.Element(Cap + required), "required alert element " + required);
        }
        Assert.IsFalse(Regex.IsMatch(alert.Element(Cap + "identifier")!.Value, @"[\s,<&]"), "identifier has no spaces, commas or restricted characters");
        Assert.IsFalse(Regex.IsMatch(alert.Element(Cap + "sender")!.Value, @"[\s,<&]"));
        Assert.IsTrue(CapDateTime.IsMatch(alert.Element(Cap + "sent")!.Value), "sent must match the schema's date-time pattern: " + alert.Element(Cap + "sent")!.Value);
        CollectionAssert.Contains(new[] { "Actual", "Exercise", "System", "Test", "Draft" }, alert.Element(Cap + "status")!.Value);
        CollectionAssert.Contains(new[] { "Alert", "Update", "Cancel", "Ack", "Error" }, alert.Element(Cap + "msgType")!.Value);
        CollectionAssert.Contains(new[] { "Public", "Restricted", "Private" }, alert.Element(Cap + "scope")!.Value);
        if (alert.Element(Cap + "scope")!.Value == "Restricted") Assert.IsNotNull(alert.Element(Cap + "restriction"), "Restricted scope needs a restriction");
        foreach (XElement info in alert.Elements(Cap + "info"))
        {
            AssertOrder(info, InfoOrder);
            foreach (string required in new[] { "category", "event", "urgency", "severity", "certainty" })
            {
                Assert.IsNotNull(info.Element(Cap + required), "required info element " + required);
            }
            CollectionAssert.Contains(new[] { "Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE", "Other" }, info.Element(Cap + "category")!.Value);
            CollectionAssert.Contains(new[] { "Immediate", "Expected", "Future", "Past", "Unknown" }, info.Element(Cap + "urgency")!.Value);
            CollectionAssert.Contains(new[] { "Extreme", "Severe", "Moderate", "Minor", "Unknown" }, info.Element(Cap + "severity")!.Value);
            CollectionAssert.Contains(new[] { "Observed", "Likely", "Possible", "Unlikely", "Unknown" }, info.Element(Cap + "certainty")!.Value);
            foreach (XElement area in info.Elements(Cap + "area"))
            {
                Assert.IsNotNull(area.Element(Cap + "areaDesc"), "area needs areaDesc");
                foreach (XElement circle in area.Elements(Cap + "circle"))
                {
                    Assert.IsTrue(Regex.IsMatch(circle.Value, @"^-?\d+(\.\d+)?,-?\d+(\.\d+)? \d+(\.\d+)?$"), "circle is \"lat,lon radius\": " + circle.Value);
                }
            }
        }
    }

    private static void AssertOrder(XElement parent, string[] order)
    {
        int last = -1;
        foreach (XElement child in parent.Elements())
        {
            Assert.AreEqual(Cap, child.Name.Namespace, "every element is in the CAP 1.2 namespace");
            int index = Array.IndexOf(order, child.Name.LocalName);
            Assert.IsGreaterThanOrEqualTo(0, index, "unexpected element " + child.Name.LocalName);
            Assert.IsGreaterThanOrEqualTo(last, index, child.Name.LocalName + " is out of the schema's order");
            last = index;
        }
    }

    [TestMethod]
    public void PanicAlertIsValidActualWithACircleInKilometres()
    {
        XDocument doc = CapFormatter.Format(Alert(), "panicdevice.receiver", "Siti");
        AssertValid(doc);
        Assert.AreEqual("Actual", doc.Root!.Element(Cap + "status")!.Value);
        Assert.AreEqual("2026-11-22T16:05:07+00:00", doc.Root.Element(Cap + "sent")!.Value, "no Z, no fraction");
        Assert.AreEqual("-6.175392,106.827153 0.008", doc.Descendants(Cap + "circle").Single().Value);
    }

    [TestMethod]
    public void TestAlertIsAnExercise()
    {
        XDocument doc = CapFormatter.Format(Alert("test"), "panicdevice.receiver", "");
        AssertValid(doc);
        Assert.AreEqual("Exercise", doc.Root!.Element(Cap + "status")!.Value);
    }

    [TestMethod]
    public void AlertWithoutPositionIsStillValidWithAnUnknownArea()
    {
        XDocument doc = CapFormatter.Format(Alert(lat: null, lon: null, acc: null), "panicdevice.receiver", "Siti");
        AssertValid(doc);
        Assert.IsEmpty(doc.Descendants(Cap + "circle"));
        Assert.AreEqual("Position unknown", doc.Descendants(Cap + "areaDesc").Single().Value);
    }

    [TestMethod]
    public void DuressIsInTheHeadline()
    {
        XDocument doc = CapFormatter.Format(Alert(duress: true), "panicdevice.receiver", "Siti");
        AssertValid(doc);
        StringAssert.StartsWith(doc.Descendants(Cap + "headline").Single().Value, "DURESS");
    }
}
