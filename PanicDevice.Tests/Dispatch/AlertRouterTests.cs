using PanicDevice.Core.Config;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Dispatch;
using PanicDevice.Receiver.Dispatch.Routing;

namespace PanicDevice.Tests.Dispatch;

/// <summary>
/// Routing rules alone: by kind (a cancel, duress or follow-up goes where its alert went), device group, GeoJSON area
/// (holes, the wall unit's address when there is no fix), time of day in a time zone, the default route, an
/// operator's forward; and configuration that is refused at start-up with a line naming what is wrong.
/// </summary>
[TestClass]
public class AlertRouterTests
{
    private static readonly string[] Targets = { "webhook:112", "webhook:police", "arc:central" };

    // A square around central Jakarta with a hole around Monas (106.82–106.83 E, 6.17–6.18 S).
    private const string Jakarta = """
        { "type": "FeatureCollection", "features": [ { "type": "Feature", "properties": { "name": "Jakarta Pusat" }, "geometry": {
          "type": "Polygon", "coordinates": [
            [[106.78, -6.22], [106.88, -6.22], [106.88, -6.13], [106.78, -6.13], [106.78, -6.22]],
            [[106.82, -6.18], [106.83, -6.18], [106.83, -6.17], [106.82, -6.17], [106.82, -6.18]] ] } },
          { "type": "Feature", "properties": {}, "geometry": { "type": "Point", "coordinates": [106.8, -6.2] } } ] }
        """;

    private static AlertRouter Router(params RouteOptions[] routes) => Load(routes, new[] { "webhook:112" }, out _)!;

    private static AlertRouter? Load(RouteOptions[] routes, string[] defaultRoute, out List<string> problems, Dictionary<string, string>? areas = null)
    {
        problems = new List<string>();
        return AlertRouter.Load(routes, defaultRoute, new Dictionary<string, List<string>> { ["school"] = new() { "fob-sd01-*" }, ["pharmacy"] = new() { "wall-apotek" } },
            areas ?? new Dictionary<string, string> { ["pusat"] = "pusat.geojson" }, Targets,
            file => file == "pusat.geojson" ? Jakarta : throw new FileNotFoundException("no such file: " + file), problems);
    }

    private static QueuedEvent Event(MessageKind kind = MessageKind.Alert, AlertCode code = AlertCode.Panic, string device = "fob-0001", DeviceKind deviceKind = DeviceKind.Fob,
        double? lat = -6.2, double? lon = 106.8, string receivedUtc = "2026-12-04T03:00:00.0000000Z", AlertCode? incident = null, string type = "frame",
        (double Lat, double Lon)? site = null) =>
        new(1, type, device, 5, kind, (byte)code, lat is { } la ? (int)Math.Round(la * 1e7) : 0, lon is { } lo ? (int)Math.Round(lo * 1e7) : 0, 8,
            lat != null ? LocationSource.Gnss : LocationSource.None, 0, null, "mqtt", receivedUtc, deviceKind, incident is { } i ? (byte)i : null,
            site is { } s ? (int)Math.Round(s.Lat * 1e7) : null, site is { } t ? (int)Math.Round(t.Lon * 1e7) : null);

    [TestMethod]
    public void WithoutRulesEveryTargetGetsEveryEvent()
    {
        foreach (string t in Targets)
        {
            Assert.IsTrue(AlertRouter.Everywhere.Decide(Event(), t).Routed);
        }
    }

    [TestMethod]
    public void KindsPickTheirEventsAndACancelDuressOrFollowUpGoesWhereItsAlertWent()
    {
        AlertRouter r = Router(new RouteOptions { Name = "holdups", Kinds = { "holdup" }, Targets = { "arc:central" } },
            new RouteOptions { Name = "coercion", Kinds = { "duress" }, Targets = { "webhook:police" } });

        Assert.AreEqual(new RouteDecision(true, "route holdups"), r.Decide(Event(code: AlertCode.HoldUp), "arc:central"));
        Assert.IsFalse(r.Decide(Event(code: AlertCode.HoldUp), "webhook:112").Routed, "a matched rule, not the default route");
        Assert.AreEqual(new RouteDecision(true, "default route"), r.Decide(Event(code: AlertCode.Panic), "webhook:112"));
        Assert.IsFalse(r.Decide(Event(code: AlertCode.Panic), "arc:central").Routed);
        Assert.IsTrue(r.Decide(Event(MessageKind.Cancel, AlertCode.Cancel, incident: AlertCode.HoldUp), "arc:central").Routed, "the hold-up's cancel");
        Assert.IsTrue(r.Decide(Event(MessageKind.Update, AlertCode.HoldUp, incident: AlertCode.HoldUp), "arc:central").Routed, "the hold-up's follow-up");
        Assert.IsFalse(r.Decide(Event(MessageKind.Cancel, AlertCode.Cancel, incident: AlertCode.Panic), "arc:central").Routed, "a panic's cancel");
        RouteDecision duress = r.Decide(Event(MessageKind.Cancel, AlertCode.DuressCancel, incident: AlertCode.HoldUp), "webhook:police");
        Assert.AreEqual(new RouteDecision(true, "route coercion"), duress);
        Assert.IsTrue(r.Decide(Event(MessageKind.Cancel, AlertCode.DuressCancel, incident: AlertCode.HoldUp), "arc:central").Routed, "and to whoever had the hold-up");
        Assert.AreEqual("heartbeat", AlertRouter.KindOf(MessageKind.Heartbeat, 0));
        Assert.AreEqual("fault", AlertRouter.KindOf(MessageKind.Alert, (byte)AlertCode.ButtonFault));
    }

    [TestMethod]
    public void GroupsAreTheDevicesKindOrItsIdPatterns()
    {
        AlertRouter r = Router(new RouteOptions { Name = "shops", Groups = { "wall" }, Targets = { "arc:central" } },
            new RouteOptions { Name = "school", Groups = { "school" }, Targets = { "webhook:police" } });

        Assert.IsTrue(r.Decide(Event(device: "wall-0001", deviceKind: DeviceKind.Wall), "arc:central").Routed);
        Assert.IsFalse(r.Decide(Event(device: "wall-0001", deviceKind: DeviceKind.Fob), "arc:central").Routed, "by the device's kind, not its name");
        Assert.IsTrue(r.Decide(Event(device: "fob-sd01-0042"), "webhook:police").Routed);
        Assert.IsFalse(r.Decide(Event(device: "fob-sd02-0042"), "webhook:police").Routed);
        Assert.IsTrue(r.Decide(Event(device: "fob-sd02-0042"), "webhook:112").Routed, "nobody's group: the default route");
    }

    [TestMethod]
    public void AnAreaTakesPositionsInsideItsPolygonsButNotInTheirHolesAndAWallUnitByItsAddress()
    {
        AlertRouter r = Router(new RouteOptions { Name = "pusat-police", Areas = { "pusat" }, Targets = { "webhook:police" } });

        Assert.IsTrue(r.Decide(Event(lat: -6.2, lon: 106.8), "webhook:police").Routed);
        Assert.IsFalse(r.Decide(Event(lat: -6.175, lon: 106.825), "webhook:police").Routed, "in the hole");
        Assert.IsFalse(r.Decide(Event(lat: -6.3, lon: 106.8), "webhook:police").Routed, "south of it");
        Assert.IsFalse(r.Decide(Event(lat: null, lon: null), "webhook:police").Routed, "no position: no area");
        Assert.IsTrue(r.Decide(Event(lat: null, lon: null), "webhook:112").Routed, "...and the default route takes it");
        Assert.IsTrue(r.Decide(Event(lat: null, lon: null, deviceKind: DeviceKind.Wall, site: (-6.15, 106.85)), "webhook:police").Routed, "the shop's address");
    }

    [TestMethod]
    public void HoursWrapMidnightInTheRulesTimeZone()
    {
        AlertRouter r = Router(new RouteOptions { Name = "night", Hours = "22:00-06:00", TimeZone = "+07:00", Targets = { "webhook:police" } });

        Assert.IsTrue(r.Decide(Event(receivedUtc: "2026-12-04T16:30:00.0000000Z"), "webhook:police").Routed, "23:30 in Jakarta");
        Assert.IsTrue(r.Decide(Event(receivedUtc: "2026-12-04T22:59:00.0000000Z"), "webhook:police").Routed, "05:59");
        Assert.IsFalse(r.Decide(Event(receivedUtc: "2026-12-04T23:00:00.0000000Z"), "webhook:police").Routed, "06:00");
        Assert.IsFalse(r.Decide(Event(receivedUtc: "2026-12-04T05:00:00.0000000Z"), "webhook:police").Routed, "noon");
        AlertRouter named = Router(new RouteOptions { Name = "day", Hours = "08:00-17:00", TimeZone = "Asia/Jakarta", Targets = { "webhook:police" } });
        Assert.IsTrue(named.Decide(Event(receivedUtc: "2026-12-04T02:00:00.0000000Z"), "webhook:police").Routed, "09:00 WIB");
        Assert.IsFalse(named.Decide(Event(receivedUtc: "2026-12-04T12:00:00.0000000Z"), "webhook:police").Routed, "19:00 WIB");
    }

    [TestMethod]
    public void AnOperatorsForwardGoesToThatTargetOnly()
    {
        AlertRouter r = Router(new RouteOptions { Name = "all", Targets = { "webhook:112" } });
        Assert.AreEqual(new RouteDecision(true, "forwarded by an operator"), r.Decide(Event(type: "forward:arc:central"), "arc:central"));
        Assert.IsFalse(r.Decide(Event(type: "forward:arc:central"), "webhook:112").Routed, "the others had it already");
        Assert.IsTrue(AlertRouter.Everywhere.Decide(Event(type: "forward:arc:central"), "arc:central").Routed);
        Assert.IsFalse(AlertRouter.Everywhere.Decide(Event(type: "forward:arc:central"), "webhook:112").Routed);
    }

    [TestMethod]
    public void EveryMistakeInTheRulesIsRefusedAtStartUpInALineThatNamesIt()
    {
        Assert.IsNull(Load(new[]
        {
            new RouteOptions { Name = "a", Kinds = { "hold-up" }, Groups = { "schol" }, Areas = { "utara" }, Hours = "22-06", Targets = { "arc:centrl" } },
            new RouteOptions { Name = "a", Targets = { } },
            new RouteOptions { Name = "tz", TimeZone = "Mars/Olympus", Targets = { "webhook:112" } },
        }, Array.Empty<string>(), out List<string> problems, new Dictionary<string, string> { ["pusat"] = "pusat.geojson", ["broken"] = "missing.geojson" }));
        string all = string.Join("\n", problems);
        foreach (string expected in new[]
        {
            "Receiver:Routes:0:Kinds: \"hold-up\" is not a kind; kinds are panic, holdup, duress, test, fault, cancel, heartbeat, follow-up, silent",
            "Receiver:Routes:0:Groups: no group \"schol\"",
            "Receiver:Routes:0:Areas: no area \"utara\"",
            "Receiver:Routes:0: Hours is \"HH:MM-HH:MM\"",
            "Receiver:Routes:0:Targets: no target \"arc:centrl\" (configured: webhook:112, webhook:police, arc:central)",
            "Receiver:Routes:1:Name is missing or used twice",
            "Receiver:Routes:1:Targets is empty",
            "Receiver:Routes:2: TimeZone \"Mars/Olympus\" is neither",
            "Receiver:Areas:broken: missing.geojson is not a GeoJSON area: no such file",
            "Receiver:DefaultRoute is needed with routing rules",
        })
        {
            StringAssert.Contains(all, expected);
        }
        Assert.HasCount(10, problems, all);

        Assert.IsNull(Load(Array.Empty<RouteOptions>(), new[] { "webhook:112" }, out problems));
        StringAssert.StartsWith(problems.Single(), "Receiver:DefaultRoute without Receiver:Routes");
        Assert.IsNull(Load(new[] { new RouteOptions { Name = "x", Targets = { "webhook:112" } } }, new[] { "webhook:911" }, out problems));
        StringAssert.StartsWith(problems.Single(), "Receiver:DefaultRoute: no target \"webhook:911\"");
    }

    [TestMethod]
    public void AnAreaFileThatIsNoAreaIsRefusedWithWhy()
    {
        foreach (var (json, why) in new[]
        {
            ("{ \"type\": \"Point\", \"coordinates\": [106.8, -6.2] }", "no Polygon or MultiPolygon"),
            ("{ \"type\": \"Polygon\", \"coordinates\": [[[106.8, -6.2], [106.9, -6.2], [106.8, -6.2]]] }", "at least 4 positions"),
            ("{ \"type\": \"Polygon\", \"coordinates\": [[[-6.2, 206.8], [-6.2, 106.9], [-6.3, 106.9], [-6.2, 206.8]]] }", "[longitude, latitude]"),
            ("{ \"coordinates\": [] }", "needs a \"type\""),
        })
        {
            var problems = new List<string>();
            AlertRouter.Load(new[] { new RouteOptions { Name = "x", Areas = { "a" }, Targets = { "webhook:112" } } }, new[] { "webhook:112" },
                new Dictionary<string, List<string>>(), new Dictionary<string, string> { ["a"] = "a.geojson" }, Targets, _ => json, problems);
            StringAssert.Contains(problems.Single(), why);
        }
        Assert.IsTrue(GeoJsonArea.Parse("{ \"type\": \"MultiPolygon\", \"coordinates\": [[[[0,0],[1,0],[1,1],[0,0]]], [[[10,10],[11,10],[11,11],[10,10]]]] }").Contains(10.2, 10.8));
    }
}
