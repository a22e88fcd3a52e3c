using System.Xml.Linq;
using PanicDevice.Core.Config;
using PanicDevice.Receiver.Dispatch;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Tests.Dispatch;

/// <summary>CapFormatter on its own: each kind of message, both languages, hostile text; every document checked by <see cref="CapSchema"/>.</summary>
[TestClass]
public class CapFormatterTests
{
    private static readonly XNamespace Cap = CapFormatter.Cap;
    private static readonly CapFormatter Formatter = new("panicdevice.receiver", "PanicDevice receiver");

    private static CapMessageRecord Message(int seq = 1, string evt = CapEvent.Alert, string kind = "panic", bool duress = false, double? lat = -6.1753924, double? lon = 106.8271528,
        int? accuracyM = 8, string source = "gnss", string? responder = null, string owner = "Siti", DeviceKind deviceKind = DeviceKind.Fob, string address = "", string language = "en") =>
        new(7, seq, evt, "2026-11-22T16:05:07.1234567Z", "fob-0001", 42, kind, duress, lat, lon, accuracyM, lat == null ? "none" : source, responder, owner, deviceKind, address, language);

    /// <summary>Formats the last of <paramref name="chain"/> and checks it.</summary>
    private static XDocument Last(params CapMessageRecord[] chain)
    {
        XDocument doc = Formatter.Format(chain, chain.Length - 1);
        CapSchema.AssertValid(doc);
        return doc;
    }

    private static string V(XDocument doc, string name) => CapSchema.Value(doc, name) ?? throw new AssertFailedException("no " + name + " in\n" + doc);

    [TestMethod]
    public void APanicAlertIsAnActualAlertWithACircleInKilometres()
    {
        XDocument doc = Last(Message());
        Assert.AreEqual("Actual", V(doc, "status"));
        Assert.AreEqual("2026-11-22T16:05:07-00:00", V(doc, "sent"), "no Z, no fraction, UTC as -00:00");
        Assert.AreEqual("-6.175392,106.827153 0.008", V(doc, "circle"));
        Assert.AreEqual("pd-fob-0001-42", V(doc, "identifier"));
        Assert.AreEqual("pd-fob-0001-42", V(doc, "incidents"));
    }

    [TestMethod]
    public void ATestAlertIsAnExerciseWithANote()
    {
        XDocument doc = Last(Message(kind: "test"));
        Assert.AreEqual("Exercise", V(doc, "status"));
        StringAssert.Contains(V(doc, "note"), "fob-0001", "CAP: the exercise identifier SHOULD appear in <note>");
        Assert.AreEqual("Minor", V(doc, "severity"));
        StringAssert.StartsWith(V(doc, "headline"), "TEST: ");
    }

    [TestMethod]
    public void AnAlertWithoutAPositionStillHasAnArea()
    {
        XDocument doc = Last(Message(lat: null, lon: null, accuracyM: null));
        Assert.IsEmpty(doc.Descendants(Cap + "circle"));
        Assert.AreEqual("Position unknown", V(doc, "areaDesc"));
        Assert.IsFalse(doc.Descendants(Cap + "valueName").Any(n => n.Value.StartsWith("position", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void LaterMessagesNameTheOriginalAndTheOneTheySupersede()
    {
        CapMessageRecord[] chain = { Message(), Message(2, AlertStates.Acknowledged), Message(3, CapEvent.Position), Message(4, AlertStates.Cancelled) };
        XDocument second = Last(chain[..2]);
        Assert.AreEqual("pd-fob-0001-42-m2", V(second, "identifier"));
        Assert.AreEqual("panicdevice.receiver,pd-fob-0001-42,2026-11-22T16:05:07-00:00", V(second, "references"), "the original only: it is also the previous one");
        XDocument last = Last(chain);
        Assert.AreEqual("Cancel", V(last, "msgType"));
        Assert.AreEqual("panicdevice.receiver,pd-fob-0001-42,2026-11-22T16:05:07-00:00 panicdevice.receiver,pd-fob-0001-42-m3,2026-11-22T16:05:07-00:00", V(last, "references"));
    }

    [TestMethod]
    public void EachEventHasItsMessageTypeResponseUrgencyAndSeverity()
    {
        var expected = new (string Event, bool Duress, string MsgType, string Response, string Urgency, string Severity)[]
        {
            (CapEvent.Alert, false, "Alert", "Execute", "Immediate", "Severe"),
            (AlertStates.Acknowledged, false, "Update", "Execute", "Immediate", "Severe"),
            (AlertStates.Assigned, false, "Update", "Execute", "Immediate", "Severe"),
            (CapEvent.Position, false, "Update", "Execute", "Immediate", "Severe"),
            (CapEvent.Duress, true, "Update", "Execute", "Immediate", "Extreme"),
            (AlertStates.Acknowledged, true, "Update", "Execute", "Immediate", "Extreme"),
            (AlertStates.Resolved, false, "Update", "AllClear", "Past", "Minor"),
            (AlertStates.Resolved, true, "Update", "AllClear", "Past", "Minor"),
            (AlertStates.Cancelled, false, "Cancel", "None", "Past", "Minor"),
            (AlertStates.FalseAlarm, true, "Cancel", "None", "Past", "Minor"),
        };
        foreach (var e in expected)
        {
            XDocument doc = Last(Message(), Message(2, e.Event, duress: e.Duress, responder: "Budi"));
            string what = e.Event + (e.Duress ? " (duress)" : "");
            Assert.AreEqual(e.MsgType, V(doc, "msgType"), what);
            Assert.AreEqual(e.Response, V(doc, "responseType"), what);
            Assert.AreEqual(e.Urgency, V(doc, "urgency"), what);
            Assert.AreEqual(e.Severity, V(doc, "severity"), what);
            Assert.AreEqual(e.Duress && e.MsgType != "Cancel" && e.Response != "AllClear", V(doc, "headline").StartsWith("DURESS: ", StringComparison.Ordinal), what);
            Assert.AreEqual(e.Duress && e.Response == "Execute", doc.Descendants(Cap + "instruction").Any(), what + ": duress carries what to do");
        }
    }

    [TestMethod]
    public void IndonesianDevicesGetIndonesianText()
    {
        foreach (string evt in new[] { CapEvent.Alert, AlertStates.Acknowledged, AlertStates.Assigned, CapEvent.Position, CapEvent.Duress, AlertStates.Cancelled, AlertStates.FalseAlarm, AlertStates.Resolved })
        {
            XDocument doc = Last(Message(language: "id"), Message(2, evt, duress: evt == CapEvent.Duress, responder: "Budi", language: "id"));
            Assert.AreEqual("id-ID", V(doc, "language"));
            StringAssert.Contains(V(doc, "headline"), "Siti");
            Assert.IsFalse(V(doc, "headline").Contains("pressed") || V(doc, "description").Contains("The "), evt + ": " + V(doc, "headline") + " / " + V(doc, "description"));
        }
        XDocument duress = Last(Message(language: "id"), Message(2, CapEvent.Duress, duress: true, language: "id"));
        StringAssert.StartsWith(V(duress, "headline"), "PAKSAAN (DURESS): ");
        Assert.AreEqual("Alarm perampokan di Toko Makmur", V(Last(Message(kind: "hold-up", owner: "Toko Makmur", language: "id")), "headline"));
        Assert.AreEqual("Posisi tidak diketahui", V(Last(Message(lat: null, lon: null, accuracyM: null, language: "id")), "areaDesc"));
    }

    [TestMethod]
    public void HeadlinesFitIn160CharactersInBothLanguagesAndNeverSplitACharacter()
    {
        string longName = string.Concat(Enumerable.Repeat("Siti 😀 ", 100)); // surrogate pairs all the way
        string longResponder = new string('B', 400);
        foreach (string language in new[] { "en", "id" })
        {
            foreach (string evt in new[] { CapEvent.Alert, AlertStates.Assigned, CapEvent.Duress, AlertStates.FalseAlarm, AlertStates.Resolved })
            {
                XDocument doc = Last(Message(kind: "test", owner: longName, language: language), Message(2, evt, kind: "test", duress: true, responder: longResponder, owner: longName, language: language));
                string headline = V(doc, "headline");
                Assert.IsLessThanOrEqualTo(CapFormatter.HeadlineMax, headline.Length, headline);
                StringAssert.Contains(headline, "Siti 😀");
                Assert.IsFalse(headline.Where((c, i) => char.IsHighSurrogate(c) && (i + 1 == headline.Length || !char.IsLowSurrogate(headline[i + 1]))).Any(), "no half of a pair: " + headline);
                if (evt == AlertStates.Assigned) StringAssert.Contains(headline, "BBBB", "the responder is shortened too, not dropped");
            }
        }
    }

    [TestMethod]
    public void ControlCharactersFromOldRecordsAreDroppedFromEveryField()
    {
        XDocument doc = Last(Message(owner: "Siti\u0000\u0007\u001b[2J\r\nRahma\uFFFE", deviceKind: DeviceKind.Wall, address: "Jl.\tMawar\u0001 5", responder: "Budi\u0085\u0003"),
            Message(2, AlertStates.Assigned, owner: "Siti\u0000\u0007\u001b[2J\r\nRahma\uFFFE", deviceKind: DeviceKind.Wall, address: "Jl.\tMawar\u0001 5", responder: "Budi\u0085\u0003"));
        string text = CapFormatter.ToText(doc);
        Assert.IsFalse(text.Any(c => (char.IsControl(c) && c != '\n') || c == '\uFFFE'), text);
        StringAssert.StartsWith(V(doc, "headline"), "Siti[2J Rahma");
        Assert.AreEqual("Jl. Mawar 5", V(doc, "areaDesc"));
        StringAssert.Contains(V(doc, "description"), "Budi ");
    }

    [TestMethod]
    public void AWallUnitsAddressIsTheAreaAndStaysWhenThereIsNoCircle()
    {
        Assert.AreEqual("Jl. Sudirman 1", V(Last(Message(deviceKind: DeviceKind.Wall, address: "Jl. Sudirman 1", source: "fixed-address", accuracyM: 15)), "areaDesc"));
        XDocument noRadius = Last(Message(deviceKind: DeviceKind.Wall, address: "Jl. Sudirman 1", source: "fixed-address", accuracyM: 0));
        StringAssert.StartsWith(V(noRadius, "areaDesc"), "Jl. Sudirman 1 (Reported position -6.175392,106.827153");
        Assert.IsEmpty(noRadius.Descendants(Cap + "circle"));
        Assert.AreEqual("Last reported position of Siti, ±8 m (GNSS)", V(Last(Message(address: "Home, not where the fob is")), "areaDesc"), "a fob's address is not where the person is");
    }

    [TestMethod]
    public void PlainTextKeepsOneLineAndFindsControlCharacters()
    {
        Assert.IsTrue(PlainText.HasControlCharacters("a\tb"));
        Assert.IsTrue(PlainText.HasControlCharacters("a\u0085"), "C1 next line");
        Assert.IsTrue(PlainText.HasControlCharacters("a\uD800"), "unpaired surrogate");
        Assert.IsFalse(PlainText.HasControlCharacters("Siti Rahma 😀 Jl. Mawar, No. 5"));
        Assert.IsFalse(PlainText.HasControlCharacters(null));
        Assert.AreEqual("a b c", PlainText.OneLine("  a\r\n\tb\u0007 \u0085 c  "));
        Assert.AreEqual("x…", PlainText.Shorten("x😀yz", 3), "never half of a pair");
        Assert.AreEqual("abc", PlainText.Shorten("abc", 3));
    }
}
