using PanicDevice.Core.Location;
using PanicDevice.Core.Protocol;

namespace PanicDevice.Tests.Location;

[TestClass]
public class GnssFixConverterTests
{
    [TestMethod]
    public void DopBecomesAConservativeRadiusInMetres()
    {
        Assert.AreEqual(10, GnssFixConverter.AccuracyMetres(0.6), "never better than the floor");
        Assert.AreEqual(13, GnssFixConverter.AccuracyMetres(1.21), "rounded up, never down");
        Assert.AreEqual(25, GnssFixConverter.AccuracyMetres(2.5));
    }

    [TestMethod]
    public void AFixKeepsSevenDecimalsAndItsTime()
    {
        var fix = GnssFixConverter.ToFix(true, -6.9147, 107.6098, 1.0, 1234)!;
        Assert.AreEqual(-69147000, fix.LatitudeE7);
        Assert.AreEqual(1076098000, fix.LongitudeE7);
        Assert.AreEqual(10, fix.AccuracyM);
        Assert.AreEqual(1234, fix.FixAtMs);
        Assert.AreEqual(LocationSource.Gnss, fix.Source);
        Assert.AreEqual(-1, GnssFixConverter.ToE7(-0.00000009), "half away from zero");
    }

    [TestMethod]
    [DataRow(false, 1.0, 2.0, 1.0, DisplayName = "no fix")]
    [DataRow(true, 0.0, 0.0, 1.0, DisplayName = "library default before a fix")]
    [DataRow(true, 1.0, 2.0, 0.0, DisplayName = "no DOP")]
    [DataRow(true, 1.0, 2.0, 99.99, DisplayName = "DOP too poor")]
    [DataRow(true, 91.0, 2.0, 1.0, DisplayName = "latitude out of range")]
    [DataRow(true, 1.0, double.NaN, 1.0, DisplayName = "NaN")]
    public void NonPositionsAreRefused(bool hasFix, double lat, double lon, double dop)
    {
        Assert.IsNull(GnssFixConverter.ToFix(hasFix, lat, lon, dop, 0));
    }
}
