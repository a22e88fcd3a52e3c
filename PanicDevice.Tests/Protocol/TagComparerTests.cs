using PanicDevice.Core.Protocol;

namespace PanicDevice.Tests.Protocol;

/// <summary>The tag comparison: every differing byte counts, and a bad range is "not equal", never an exception.</summary>
[TestClass]
public class TagComparerTests
{
    [TestMethod]
    public void ADifferenceAtAnyPositionIsNotEqual()
    {
        byte[] a = new byte[32];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (byte)(0x5A + i);
        }
        for (int i = 0; i < a.Length; i++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                byte[] b = (byte[])a.Clone();
                b[i] ^= (byte)(1 << bit);
                Assert.IsFalse(TagComparer.FixedTimeEquals(a, 0, b, 0, 32), "byte " + i.ToString() + " bit " + bit.ToString() + " differs");
            }
        }
        Assert.IsTrue(TagComparer.FixedTimeEquals(a, 0, (byte[])a.Clone(), 0, 32), "equal copies");
    }

    [TestMethod]
    public void RangesOutsideEitherArrayAreNotEqualRatherThanAnException()
    {
        byte[] a = { 1, 2, 3, 4 };
        byte[] b = { 1, 2, 3, 4 };
        Assert.IsFalse(TagComparer.FixedTimeEquals(a, 0, null, 0, 1), "null second array");
        Assert.IsFalse(TagComparer.FixedTimeEquals(a, 0, b, -1, 1), "negative second offset");
        Assert.IsFalse(TagComparer.FixedTimeEquals(a, 0, b, 0, -1), "negative length");
        Assert.IsFalse(TagComparer.FixedTimeEquals(a, 1, b, 0, 4), "first range past its end");
        Assert.IsFalse(TagComparer.FixedTimeEquals(a, 0, b, 0, 5), "both ranges past their ends");
        // offset + length overflows to a negative number: the range is still past the end.
        Assert.IsFalse(TagComparer.FixedTimeEquals(a, 1, b, 1, int.MaxValue), "ranges whose end overflows");
        Assert.IsFalse(TagComparer.FixedTimeEquals(a, int.MaxValue, b, 0, 1), "offset at int.MaxValue");
    }
}
