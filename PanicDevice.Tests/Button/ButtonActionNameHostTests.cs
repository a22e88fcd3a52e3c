using PanicDevice.Core.Button;

namespace PanicDevice.Tests.Button;

/// <summary>
/// Host only: enum member names need reflection over constants, which nanoFramework's metadata processor does
/// not keep (its Enum.ToString prints the number). The shared ButtonProfileTests check the accepted values.
/// </summary>
[TestClass]
public class ButtonActionNameHostTests
{
    [TestMethod]
    public void NoActionIsNamedResetConfigOrFactory()
    {
        string[] names = Enum.GetNames<ButtonAction>();
        Assert.IsFalse(names.Any(n => n.Contains("Reset", StringComparison.OrdinalIgnoreCase) || n.Contains("Config", StringComparison.OrdinalIgnoreCase) || n.Contains("Factory", StringComparison.OrdinalIgnoreCase)));
        foreach (ButtonAction a in Enum.GetValues<ButtonAction>())
        {
            Assert.AreEqual(a.ToString(), ButtonHarness.NameOf(a), "the harness spells every action as the enum does");
        }
    }
}
