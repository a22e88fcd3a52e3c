using System.Diagnostics;

namespace PanicDevice.Tests.Support;

/// <summary>Waiting for something that happens on another thread: polls, and fails the test naming what did not happen.</summary>
public static class Eventually
{
    /// <summary>Returns as soon as <paramref name="done"/> holds; fails with "<paramref name="what"/> did not happen within …" otherwise.</summary>
    public static async Task WaitFor(Func<bool> done, TimeSpan within, string what)
    {
        if (!await Within(done, within))
        {
            Assert.Fail(what + " did not happen within " + within.TotalSeconds + " s");
        }
    }

    /// <summary>True as soon as <paramref name="done"/> holds, false when <paramref name="within"/> has passed first.</summary>
    public static async Task<bool> Within(Func<bool> done, TimeSpan within)
    {
        var sw = Stopwatch.StartNew();
        while (!done())
        {
            if (sw.Elapsed > within) return false;
            await Task.Delay(20);
        }
        return true;
    }
}
