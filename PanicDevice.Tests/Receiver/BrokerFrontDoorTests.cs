using System.Buffers;
using System.Net;
using Microsoft.Extensions.Configuration;
using PanicDevice.Receiver.Mqtt;
using PanicDevice.Tests.Security;

namespace PanicDevice.Tests.Receiver;

/// <summary>The pieces of the embedded broker's front door, alone: the packet size guard, the pending-login cap, the CONNACK check, the bind address.</summary>
[TestClass]
public class BrokerFrontDoorTests
{
    /// <summary>Feeds the bytes in reads of the given sizes (as MQTTnet asks: 2, then 1 per length byte, then the body) and returns how many got through.</summary>
    private static int Feed(PacketSizeGuard guard, byte[] bytes, params int[] reads)
    {
        int offset = 0, passed = 0;
        foreach (int r in reads.Length > 0 ? reads : new[] { bytes.Length })
        {
            int n = Math.Min(r, bytes.Length - offset);
            passed += guard.Admit(bytes.AsSpan(offset, n));
            offset += n;
        }
        return passed;
    }

    [TestMethod]
    public void AConnectAtTheLimitPassesWholeAndOneByteOverStopsBeforeItsLengthIsComplete()
    {
        byte[] at = RawMqtt.Connect("fob-1", "fob-1", "pw", remainingLength: 4096);
        var g = new PacketSizeGuard(4096, 5120);
        Assert.AreEqual(at.Length, Feed(g, at, 2, 1, 4096));
        Assert.IsNull(g.Refusal);

        byte[] over = RawMqtt.Connect("fob-1", "fob-1", "pw", remainingLength: 4097);
        g = new PacketSizeGuard(4096, 5120);
        Assert.AreEqual(2, Feed(g, over, 2, 1), "the header and the first length byte pass (at most 127 so far); the byte completing 4,097 does not");
        Assert.AreEqual("packet_too_large_before_login", g.Refusal);
        Assert.AreEqual(0, g.Admit(over.AsSpan(3)), "nothing more, ever");
    }

    [TestMethod]
    public void AHundredMegabyteLengthIsRefusedAtItsFirstLengthByteOverTheLimit()
    {
        byte[] header = [0x10, .. RawMqtt.RemainingLength(100_000_000)];
        Assert.HasCount(5, header);
        var g = new PacketSizeGuard(4096, 5120);
        Assert.AreEqual(2, g.Admit(header.AsSpan(0, 2)), "0x10 and a first length byte with the continuation bit: at most 127 so far");
        Assert.AreEqual(0, g.Admit(header.AsSpan(2, 1)), "the second adds at least 128 × its value: over 4096 already, and the length is never completed");
        Assert.AreEqual("packet_too_large_before_login", g.Refusal);
        Assert.IsGreaterThan(4096L, g.DeclaredLength);
    }

    [TestMethod]
    public void AfterLoginTheLargerLimitAppliesAndPacketsFollowOneAnother()
    {
        var g = new PacketSizeGuard(4096, 5120);
        byte[] connect = RawMqtt.Connect("fob-1", "fob-1", "pw");
        Assert.AreEqual(connect.Length, g.Admit(connect));
        byte[] early = [0x30, .. RawMqtt.RemainingLength(4500)];
        var before = new PacketSizeGuard(4096, 5120);
        before.Admit(connect);
        Assert.AreEqual(0, before.Admit(early), "4,500 bytes sent before the CONNACK: refused");
        g.LoggedIn = true;
        byte[] publish = [0x30, .. RawMqtt.RemainingLength(4500), .. new byte[4500]];
        byte[] ping = { 0xC0, 0x00 };
        byte[] both = [.. publish, .. ping, .. publish];
        Assert.AreEqual(both.Length, g.Admit(both), "two 4,500-byte publishes and a PINGREQ in one read, after login");
        byte[] tooBig = [0x30, .. RawMqtt.RemainingLength(5121), 0x00];
        byte[] mixed = [.. ping, .. tooBig];
        Assert.AreEqual(2, g.Admit(mixed), "the whole PINGREQ before it passes; nothing of the packet over 5,120");
        Assert.AreEqual("packet_too_large", g.Refusal);
    }

    [TestMethod]
    public void NotAConnectFirstAndAFiveByteLengthAreRefused()
    {
        var g = new PacketSizeGuard(4096, 5120);
        Assert.AreEqual(0, g.Admit(new byte[] { 0x30, 0x02, 0x00, 0x00 }));
        Assert.AreEqual("first_packet_not_connect", g.Refusal);
        g = new PacketSizeGuard(int.MaxValue, int.MaxValue);
        g.Admit(RawMqtt.Connect("a", "a", "a"));
        Assert.AreEqual(0, g.Admit(new byte[] { 0x30, 0x80, 0x80, 0x80, 0x80, 0x01 }));
        Assert.AreEqual("malformed_length", g.Refusal);
    }

    [TestMethod]
    public void TheCapClosesTheOldestOfTheAddressWithTheMostPendingLogins()
    {
        var pending = new PendingLogins<string>(4);
        IPAddress device = IPAddress.Parse("10.0.0.7"), attacker = IPAddress.Parse("198.51.100.9");
        Assert.IsNull(pending.Admit("device-1", device));
        Assert.IsNull(pending.Admit("a1", attacker));
        Assert.IsNull(pending.Admit("a2", attacker));
        Assert.IsNull(pending.Admit("a3", attacker));
        Assert.AreEqual("a1", pending.Admit("a4", attacker), "the attacker holds the most: its oldest goes, not the older device login");
        Assert.AreEqual("a2", pending.Admit("device-2", device));
        Assert.IsTrue(pending.Release("device-1"), "logged in");
        Assert.IsFalse(pending.Release("a1"), "already gone");
        Assert.AreEqual(3, pending.Count);
        Assert.IsNull(pending.Admit("a5", attacker));
        Assert.AreEqual("a3", pending.Admit("a6", attacker));

        var even = new PendingLogins<string>(2);
        even.Admit("x", IPAddress.Parse("192.0.2.1"));
        even.Admit("y", IPAddress.Parse("192.0.2.2"));
        Assert.AreEqual("x", even.Admit("z", IPAddress.Parse("192.0.2.3")), "one each: the oldest goes");
    }

    [TestMethod]
    public void OnlyASuccessfulConnAckCountsAsALogin()
    {
        Assert.IsTrue(GuardedChannel.IsSuccessfulConnAck(new ReadOnlySequence<byte>(new byte[] { 0x20, 0x02, 0x00, 0x00 })), "3.1.1 accepted");
        Assert.IsTrue(GuardedChannel.IsSuccessfulConnAck(new ReadOnlySequence<byte>(new byte[] { 0x20, 0x03, 0x01, 0x00, 0x00 })), "5: session present, success, no properties");
        Assert.IsFalse(GuardedChannel.IsSuccessfulConnAck(new ReadOnlySequence<byte>(new byte[] { 0x20, 0x02, 0x00, 0x04 })), "bad user name or password");
        Assert.IsFalse(GuardedChannel.IsSuccessfulConnAck(new ReadOnlySequence<byte>(new byte[] { 0x20, 0x03, 0x00, 0x86, 0x00 })), "5: bad user name or password");
        Assert.IsFalse(GuardedChannel.IsSuccessfulConnAck(new ReadOnlySequence<byte>(new byte[] { 0x30, 0x02, 0x00, 0x00 })), "not a CONNACK");
        Assert.IsFalse(GuardedChannel.IsSuccessfulConnAck(new ReadOnlySequence<byte>(new byte[] { 0x20, 0x02 })), "cut short");
    }

    [TestMethod]
    public void TheBrokerAddressFollowsTheApiUnlessGiven()
    {
        static string For(params (string, string?)[] settings) =>
            BrokerAddress.DefaultFor(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Item1, s.Item2))).Build()).Text;
        Assert.AreEqual("localhost", For(), "no --urls: Kestrel's default is localhost:5000");
        Assert.AreEqual("localhost", For(("urls", "http://127.0.0.1:8080")));
        Assert.AreEqual("localhost", For(("urls", "http://localhost:8080;http://[::1]:8081")));
        Assert.AreEqual("*", For(("urls", "http://0.0.0.0:8080")), "the README's quick start: devices must reach it");
        Assert.AreEqual("*", For(("urls", "http://127.0.0.1:8080;http://+:8081")));
        Assert.AreEqual("*", For(("urls", "http://*:80")));
        Assert.AreEqual("*", For(("urls", "https://alerts.example.org:443")));
        Assert.AreEqual("*", For(("urls", "http://10.1.2.3:8080")));
        Assert.AreEqual("*", For(("http_ports", "8080")), "ASPNETCORE_HTTP_PORTS binds every interface");
        Assert.AreEqual("*", For(("Kestrel:Endpoints:web:Url", "http://0.0.0.0:80")));

        Assert.AreEqual("*", BrokerAddress.Parse("*")!.Text);
        CollectionAssert.AreEqual(new[] { IPAddress.Loopback, IPAddress.IPv6Loopback }, BrokerAddress.Parse("LocalHost")!.Addresses.ToArray());
        CollectionAssert.AreEqual(new[] { IPAddress.Parse("192.0.2.10") }, BrokerAddress.Parse("192.0.2.10")!.Addresses.ToArray());
        CollectionAssert.AreEqual(new[] { IPAddress.IPv6Any }, BrokerAddress.Parse("[::]")!.Addresses.ToArray());
        Assert.IsNull(BrokerAddress.Parse("alerts.example.org"), "a name is not an address to bind");
        Assert.IsNull(BrokerAddress.Parse(""));
    }

    [TestMethod]
    public void ABadMqttAddressOrLimitStopsStartupWithTheFix()
    {
        foreach (var (args, expected) in new[]
        {
            (new[] { "--mqtt-address", "alerts.example.org" }, BrokerAddress.Expected),
            (new[] { "--mqtt-login-timeout", "0" }, "--mqtt-login-timeout must be"),
            (new[] { "--mqtt-max-pending-logins", "0" }, "--mqtt-max-pending-logins must be"),
        })
        {
            var e = Assert.ThrowsExactly<Microsoft.Extensions.Options.OptionsValidationException>(() =>
                PanicDevice.Receiver.ReceiverApp.Build(args.Concat(new[] { "--data", Path.Combine(Path.GetTempPath(), "pd-frontdoor-" + Guid.NewGuid().ToString("N")) }).ToArray()));
            StringAssert.Contains(e.Message, expected);
        }
    }
}
