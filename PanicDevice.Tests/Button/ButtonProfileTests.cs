using PanicDevice.Core.Button;

namespace PanicDevice.Tests.Button;

[TestClass]
public class ButtonProfileTests
{
    [TestMethod]
    public void DefaultProfilesAreValidAndHaveTheDocumentedPatterns()
    {
        Assert.IsNull(ButtonProfile.Fob().Validate());
        Assert.IsNull(ButtonProfile.WallButton().Validate());
        var fob = ButtonProfile.Fob().Patterns.Select(p => (p.Action, p.Presses, p.HoldMs)).ToArray();
        CollectionAssert.Contains(fob, (ButtonAction.Alert, 3, 0));
        CollectionAssert.Contains(fob, (ButtonAction.Alert, 1, 3000));
        CollectionAssert.Contains(fob, (ButtonAction.Cancel, 1, 8000));
        var wall = ButtonProfile.WallButton().Patterns.Select(p => (p.Action, p.Presses, p.HoldMs)).ToArray();
        CollectionAssert.AreEquivalent(new[] { (ButtonAction.HoldUp, 1, 0), (ButtonAction.Test, 1, 10000) }, wall);
    }

    [TestMethod]
    public void NoActionCanResetOrConfigureTheDevice()
    {
        string[] names = Enum.GetNames<ButtonAction>();
        Assert.IsFalse(names.Any(n => n.Contains("Reset", StringComparison.OrdinalIgnoreCase) || n.Contains("Config", StringComparison.OrdinalIgnoreCase) || n.Contains("Factory", StringComparison.OrdinalIgnoreCase)));
        var p = ButtonProfile.Fob();
        p.Patterns[0].Action = (ButtonAction)42;
        StringAssert.Contains(p.Validate(), "action must be");
    }

    [TestMethod]
    public void BrokenProfilesAreRefusedWithAReason()
    {
        (Action<ButtonProfile> Spoil, string Expected)[] cases =
        {
            (p => p.Patterns = Array.Empty<ButtonPattern>(), "at least one"),
            (p => p.Patterns[0].Presses = 0, "presses must be"),
            (p => p.Patterns[1].HoldMs = -1, "negative"),
            (p => p.Patterns[1].HoldMs = 40_000, "shorter than the stuck time"),
            (p => p.Patterns[1].HoldMs = 500, "at least the tap maximum"),
            (p => p.Patterns[0].Action = ButtonAction.None, "action must be"),
            (p => p.Patterns[0].Action = ButtonAction.Fault, "action must be"),
            (p => p.Patterns[2].HoldMs = 3000, "same presses and hold"),
            (p => p.Patterns[0].WindowMs = 10, "window is too short"),
            (p => p.StuckMs = 500, "stuck time"),
            (p => p.DebounceMs = 900, "debounce"),
        };
        foreach (var (spoil, expected) in cases)
        {
            var p = ButtonProfile.Fob();
            spoil(p);
            string error = p.Validate();
            Assert.IsNotNull(error, expected);
            StringAssert.Contains(error, expected);
            Assert.ThrowsExactly<ArgumentException>(() => new TapPatternRecognizer(p, new ButtonHarness(ButtonProfile.Fob())));
        }
    }
}
