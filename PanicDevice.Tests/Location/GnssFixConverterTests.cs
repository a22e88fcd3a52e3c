using System;
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
        LocationFix fix = GnssFixConverter.ToFix(true, -6.9147, 107.6098, 1.0, 1234);
        Assert.IsNotNull(fix, "a good reading was refused");
        Assert.AreEqual(-69147000, fix.LatitudeE7);
        Assert.AreEqual(1076098000, fix.LongitudeE7);
        Assert.AreEqual(10, fix.AccuracyM);
        Assert.AreEqual(1234L, fix.FixAtMs);
        Assert.AreEqual((int)LocationSource.Gnss, (int)fix.Source);
        Assert.AreEqual(-1, GnssFixConverter.ToE7(-0.00000009), "half away from zero");
    }

    // Rows name their reading: DataRow arguments stay int, long, bool or string so that they bind alike on
    // nanoFramework, and NaN has no such form.
    [TestMethod]
    [DataRow("no fix")]
    [DataRow("library default before a fix")]
    [DataRow("no DOP")]
    [DataRow("DOP too poor")]
    [DataRow("latitude out of range")]
    [DataRow("NaN")]
    public void NonPositionsAreRefused(string reading)
    {
        bool hasFix;
        double lat;
        double lon;
        double dop;
        Reading(reading, out hasFix, out lat, out lon, out dop);
        Assert.IsNull(GnssFixConverter.ToFix(hasFix, lat, lon, dop, 0), reading + " gave a fix");
    }

    private static void Reading(string name, out bool hasFix, out double lat, out double lon, out double dop)
    {
        hasFix = true;
        lat = 1.0;
        lon = 2.0;
        dop = 1.0;
        switch (name)
        {
            case "no fix":
                hasFix = false;
                break;
            case "library default before a fix":
                lat = 0.0;
                lon = 0.0;
                break;
            case "no DOP":
                dop = 0.0;
                break;
            case "DOP too poor":
                dop = 99.99;
                break;
            case "latitude out of range":
                lat = 91.0;
                break;
            case "NaN":
                lon = double.NaN;
                break;
            default:
                throw new ArgumentException("no reading named " + name);
        }
    }
}
