using PanicDevice.Cli;

namespace PanicDevice.Tests.Cli;

/// <summary>Tokens as users pass them: copied with a trailing line break, or broken by a paste.</summary>
[TestClass]
public class ReceiverApiTests
{
    [TestMethod]
    public void ATokenWithItsFilesLineBreakIsSentWithoutIt()
    {
        using var http = new HttpClient();
        _ = new ReceiverApi("http://127.0.0.1:1", "0123abcd\n", http);
        Assert.AreEqual("Bearer 0123abcd", http.DefaultRequestHeaders.Authorization!.ToString());
    }

    [TestMethod]
    public void ATokenBrokenInsideIsRefusedInOneLineWithoutRepeatingIt()
    {
        foreach (string broken in new[] { "0123\nabcd", "0123 abcd", "0123\u0007abcd", "  \n" })
        {
            var e = Assert.ThrowsExactly<CliException>(() => new ReceiverApi("http://127.0.0.1:1", broken));
            StringAssert.Contains(e.Message, "operator token");
            Assert.IsFalse(e.Message.Contains("0123"), e.Message);
            Assert.IsFalse(e.Message.Contains('\n'), e.Message);
        }
    }
}
