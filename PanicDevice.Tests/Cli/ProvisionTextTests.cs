using PanicDevice.Cli;
using PanicDevice.Receiver.Registry;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Cli;

/// <summary>What panicctl provision sends about people: one-line text only, and the owner's language.</summary>
[TestClass]
public class ProvisionTextTests
{
    private static ProvisionRequest Request(string url, string token, string outPath, string owner = "Siti Rahma", string language = "id") =>
        new("fob-0042", "fob", owner, "+6281234567890", new[] { "+6281200000001" }, null, null, null, url, token, "127.0.0.1", 1883, "internet", language, "", outPath);

    [TestMethod]
    public async Task AControlCharacterIsRefusedBeforeAnythingIsRegisteredOrWritten()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        string dir = Path.Combine(Path.GetTempPath(), "pd-prov-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var cases = new (ProvisionRequest Request, string Option)[]
            {
                (Request(rx.Url, LoopbackReceiver.OperatorToken, Path.Combine(dir, "a.json"), owner: "Siti\nRahma"), "--owner"),
                (Request(rx.Url, LoopbackReceiver.OperatorToken, Path.Combine(dir, "b.json")) with { Phone = "+62\u001b[0m" }, "--phone"),
                (Request(rx.Url, LoopbackReceiver.OperatorToken, Path.Combine(dir, "c.json")) with { Address = "Jl. Mawar\t5" }, "--address"),
                (Request(rx.Url, LoopbackReceiver.OperatorToken, Path.Combine(dir, "d.json")) with { Guardians = new[] { "+62\u0007" } }, "--guardian"),
            };
            foreach (var (request, option) in cases)
            {
                var output = new StringWriter();
                Assert.AreEqual(2, await ProvisionCommand.RunAsync(request, output), output.ToString());
                StringAssert.StartsWith(output.ToString(), "error: " + option + " contains a control character");
                Assert.AreEqual(1, output.ToString().TrimEnd().Split('\n').Length, "one line");
                Assert.IsFalse(File.Exists(request.OutPath), "no device.json");
            }
            Assert.IsNull(rx.Service<DeviceRegistry>().Find("fob-0042"), "nothing registered");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public async Task TheOwnersLanguageReachesTheReceiver()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        string dir = Path.Combine(Path.GetTempPath(), "pd-prov-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var output = new StringWriter();
            Assert.AreEqual(0, await ProvisionCommand.RunAsync(Request(rx.Url, LoopbackReceiver.OperatorToken, Path.Combine(dir, "device.json")), output), output.ToString());
            Assert.AreEqual("id", rx.Service<DeviceRegistry>().Find("fob-0042")!.Language, "the device's CAP messages will be in Indonesian");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
