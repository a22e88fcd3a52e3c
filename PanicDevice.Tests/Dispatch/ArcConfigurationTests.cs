using PanicDevice.Receiver.Dispatch.Dc09;

namespace PanicDevice.Tests.Dispatch;

/// <summary>Every mistake in an ARC's configuration is named at start-up, each in its own line, and no key is quoted.</summary>
[TestClass]
public class ArcConfigurationTests
{
    [TestMethod]
    public void EachMistakeIsNamedAndNoKeyIsQuoted()
    {
        const string longKey = "00112233445566778899AABBCCDDEEFF0011"; // 36 hex digits
        var arcs = new[]
        {
            new ArcOptions
            {
                Name = "central", Host = "", Port = 0, LinePrefix = "G1",
                Accounts =
                {
                    new ArcAccountOptions { Account = "12", Key = longKey, Partition = 100, Zones = { ["wall-1"] = 1000 } },
                    new ArcAccountOptions { Account = "1234", KeyFile = "missing.key", Zones = { ["wall-1"] = 2 } },
                    new ArcAccountOptions { Account = "1235", Key = longKey[..32], KeyFile = "k.key", Zones = { } },
                },
            },
            new ArcOptions { Name = "central", Host = "arc", Port = 9000 },
        };
        var problems = new List<string>();
        ArcConfiguration.Check(arcs, f => throw new FileNotFoundException("no " + f), problems);

        string all = string.Join("\n", problems);
        foreach (string expected in new[]
        {
            "Receiver:Arcs:0 needs Host and Port",
            "Receiver:Arcs:0:Accounts:0: a DC-09 account is 3 to 16 hexadecimal digits, not \"12\"",
            "Receiver:Arcs:0:Accounts:0: Key must be 32, 48 or 64 hexadecimal digits (an AES-128, -192 or -256 key); it has 36 characters",
            "Receiver:Arcs:0:Accounts:0:Partition is 00–99",
            "Receiver:Arcs:0:Accounts:0:Zones:wall-1 is 1000; Contact ID zones are 000–999",
            "Receiver:Arcs:0:Accounts:1: KeyFile missing.key cannot be read (no missing.key)",
            "Receiver:Arcs:0:Accounts:1:Zones:wall-1 is already in an account at ARC central",
            "Receiver:Arcs:0:Accounts:2: give Key or KeyFile, not both",
            "Receiver:Arcs:0:Accounts:2:Zones is empty",
            "Receiver:Arcs:1:Name must be a unique name",
            "Receiver:Arcs:1:Accounts is empty",
        })
        {
            StringAssert.Contains(all, expected);
        }
        StringAssert.Contains(all, "a DC-09 line prefix is 1 to 6 hexadecimal digits", "the line prefix, once per account");
        Assert.IsFalse(all.Contains(longKey[..16], StringComparison.OrdinalIgnoreCase), all);
    }
}
