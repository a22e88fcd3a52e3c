using Microsoft.Extensions.DependencyInjection;
using PanicDevice.Core.Calls;
using PanicDevice.Core.Feedback;
using PanicDevice.ModemEmulator;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Tests.Modem;

/// <summary>
/// Voice calls end to end: the call policy on the real SIM800 driver, talking AT to the emulator's phone network, and the
/// Call frames through a real broker to the receiver's timeline. Device time is virtual.
/// </summary>
[TestClass]
public class ModemCallTests
{
    private const string Siti = "+6281200000001";
    private const string Budi = "+6281200000002";

    private static CallOptions Calls(Action<CallOptions>? edit = null)
    {
        var o = new CallOptions { Enabled = true, Rounds = 2, EmergencyHoldS = 30, ListenIn = true, CallBackNumbers = new[] { "+62215550000" } };
        edit?.Invoke(o);
        return o;
    }

    [TestMethod]
    public async Task WithNoDataPathTheDeviceTextsThenCalls112ThenAGuardianConfirmsAndTheReceiverHearsOfItLater()
    {
        var log = new List<string>();
        await using var rig = new ModemRig(calls: Calls(), guardians: new[] { Siti, Budi }, log: l => { lock (log) log.Add(l); });
        rig.Modem.Phones["112"] = new EmulatedPhone { AnswerAfterMs = 3000 };
        rig.Modem.Phones[Siti] = new EmulatedPhone { Answer = PhoneAnswer.Voicemail, AnswerAfterMs = 2000 };
        rig.Modem.Phones[Budi] = new EmulatedPhone { Keys = "1", AnswerAfterMs = 5000 };
        rig.TripleTap(); // no receiver, no broker: the data path is dead
        Assert.IsTrue(rig.RunUntil(() => rig.Modem.Calls.Any(c => c.Number == Budi && c.EndedAtMs != null), 900), rig.Why + " calls: " + string.Join("; ", rig.Modem.Calls));

        var calls = rig.Modem.Calls;
        Assert.AreEqual("112 " + Siti + " " + Budi, string.Join(" ", calls.Select(c => c.Number)), string.Join("; ", calls));
        var firstText = rig.Modem.Sms.Where(s => s.Number == "112").Min(s => s.AtMs);
        Assert.IsTrue(firstText <= calls[0].PlacedAtMs, "the SMS to 112 went before the call (" + firstText + " / " + calls[0].PlacedAtMs + " ms)");
        Assert.IsNotNull(calls[0].AnsweredAtMs);
        long held = calls[0].EndedAtMs!.Value - calls[0].AnsweredAtMs!.Value;
        Assert.IsTrue(held >= 30000 && held < 32000, "112 held " + held + " ms with the microphone open");
        Assert.AreEqual("hung-up", calls[0].EndedBy);
        Assert.AreEqual("", calls[1].KeysPressed, "the voicemail pressed nothing");
        long voicemail = calls[1].EndedAtMs!.Value - calls[1].AnsweredAtMs!.Value;
        Assert.IsTrue(voicemail >= 20000 && voicemail < 21500, "the voicemail was given the confirm time, then hung up: " + voicemail + " ms");
        Assert.AreEqual("1", calls[2].KeysPressed);
        Assert.IsTrue(rig.Device.App.Engine.Calls!.Confirmed);
        Assert.IsTrue(calls.All(c => c.SpeakerLevel == 0), "listen-only: nothing spoke on the fob");
        Assert.AreEqual(0, rig.Modem.RingerLevel, "the ringer is silent");
        Assert.AreEqual(0, rig.Modem.DataCommandsDuringCalls, "no data command while a call was up");
        lock (log) Assert.IsTrue(log.Any(l => l.StartsWith("device call: connected")), "the simulation shows the calls: " + string.Join(" | ", log));

        // The data path comes back: the signed Call frames reach the alert's timeline.
        await rig.StartReceiverAsync();
        var alerts = rig.Receiver!.Services.GetRequiredService<AlertBook>();
        Assert.IsTrue(rig.RunUntil(() => alerts.Recent(1).SingleOrDefault()?.Timeline.Any(t => t.Event == "call-guardian-confirmed") == true, 120), rig.Why);
        var timeline = alerts.Recent(1).Single().Timeline;
        Assert.IsTrue(timeline.Any(t => t.Event == "call-emergency-connected"), string.Join(" | ", timeline.Select(t => t.Event)));
        StringAssert.StartsWith(timeline.Single(t => t.Event == "call-guardian-confirmed").Detail, "guardian 2 · device time ");
    }

    /// <summary>Device time from <paramref name="fromMs"/> to the first AT+CIPSEND after it: when the frame left for the broker.</summary>
    private static long FirstSendAfter(Sim800Emulator modem, long fromMs)
    {
        for (int i = 0; i < modem.Commands.Count; i++)
        {
            if (modem.CommandTimes[i] >= fromMs && modem.Commands[i].StartsWith("AT+CIPSEND", StringComparison.Ordinal))
            {
                return modem.CommandTimes[i] - fromMs;
            }
        }
        return -1;
    }

    [TestMethod]
    public async Task ACallNeverDelaysANewAlertFrame()
    {
        // Measured on the device's side (press to the frame's AT+CIPSEND): the broker's real latency would read ten
        // times larger in the rig's virtual time and says nothing about the call.
        await using var rig = new ModemRig(calls: Calls(o => o.AtOnce = true), guardians: new[] { Siti });
        rig.Modem.Phones["112"] = new EmulatedPhone { AnswerAfterMs = 2000 };
        await rig.StartReceiverAsync();
        Assert.IsTrue(rig.RunUntil(() => rig.Device.Session.IsConnected, 60), rig.Why);
        rig.Device.RunFor(2000);

        long press1 = rig.Device.Now;
        rig.Device.App.Engine.RaiseAlert(PanicDevice.Core.Protocol.AlertCode.Panic, press1);
        Assert.IsTrue(rig.RunUntil(() => rig.FramesStored == 1 && rig.Device.App.Engine.PendingCount == 0, 30), rig.Why);
        long send1 = FirstSendAfter(rig.Modem, press1);
        Assert.IsTrue(rig.RunUntil(() => rig.Modem.CurrentCall is { Up: true }, 60), "112 on the line: " + rig.Why);
        rig.Device.RunFor(3000);

        long press2 = rig.Device.Now;
        var call = rig.Modem.CurrentCall!;
        rig.Device.App.Engine.RaiseAlert(PanicDevice.Core.Protocol.AlertCode.Panic, press2); // pressed again while 112 is on the line
        Assert.IsTrue(rig.RunUntil(() => rig.FramesStored == 2 && rig.Device.App.Engine.PendingCount == 0, 30), "the second alert is stored and acknowledged: " + rig.Why);
        long send2 = FirstSendAfter(rig.Modem, press2);
        long hangUp = call.EndedAtMs!.Value - press2;
        Console.WriteLine($"press to the frame's CIPSEND: {send1} ms with no call, {send2} ms during a call (the call ended {hangUp} ms after the press), device time");
        Assert.IsTrue(hangUp <= 100, "the call ends at once: " + hangUp + " ms");
        Assert.IsTrue(send2 >= 0 && send2 <= send1 + 100, "the frame leaves as fast as without a call, give or take the ATH: " + send1 + " vs " + send2 + " ms");
        Assert.AreEqual(0, rig.Modem.DataCommandsDuringCalls);

        // The call comes back once the frame is through.
        Assert.IsTrue(rig.RunUntil(() => rig.Modem.Calls.Count(c => c.Number == "112") == 2, 60), "112 called again: " + string.Join("; ", rig.Modem.Calls));
    }

    [TestMethod]
    public async Task AnSmsFallbackDueDuringACallGoesOnTime()
    {
        await using var rig = new ModemRig(calls: Calls(o => o.EmergencyHoldS = 120), guardians: new[] { Siti });
        rig.Modem.Phones["112"] = new EmulatedPhone { AnswerAfterMs = 2000 };
        long press1 = rig.Device.Now;
        rig.TripleTap();
        Assert.IsTrue(rig.RunUntil(() => rig.Modem.Sms.Count > 0, 60), rig.Why);
        long baseline = rig.Modem.Sms.Min(s => s.AtMs) - press1;
        Assert.IsTrue(rig.RunUntil(() => rig.Modem.CurrentCall is { Up: true }, 120), rig.Why);
        int texts = rig.Modem.Sms.Count;
        long press2 = rig.Device.Now;
        rig.Device.App.Engine.RaiseAlert(PanicDevice.Core.Protocol.AlertCode.Panic, press2);
        Assert.IsTrue(rig.RunUntil(() => rig.Modem.Sms.Count > texts, 60), rig.Why);
        long late = rig.Modem.Sms.Skip(texts).Min(s => s.AtMs) - press2;
        Console.WriteLine($"SMS after the press: {baseline} ms with no call, {late} ms for an alert raised during a call (deadline 20000 ms)");
        Assert.IsTrue(late >= 20000 && late <= baseline + 1000, "at its deadline, not after the call: " + late + " ms (no call: " + baseline + " ms)");
    }

    [TestMethod]
    public async Task BusyUnreachableAndARefusedCallMoveOnAndADroppedOrResetCallIsPlacedAgain()
    {
        var faults = new EmulatorFaults { CallsRefused = 1 };
        await using var rig = new ModemRig(faults, calls: Calls(o => o.Rounds = 1), guardians: new[] { Siti, Budi });
        rig.Modem.Phones["112"] = new EmulatedPhone { AnswerAfterMs = 2000 };
        rig.Modem.Phones[Siti] = new EmulatedPhone { Answer = PhoneAnswer.Busy };
        rig.Modem.Phones[Budi] = new EmulatedPhone { Answer = PhoneAnswer.NoAnswer };
        rig.TripleTap();
        // Network busy on the first attempt: 112 is refused before it rings, and the list goes on; Budi never answers and
        // the device gives up after ringS.
        Assert.IsTrue(rig.RunUntil(() => rig.Modem.Calls.Count(c => c.EndedAtMs != null) >= 3, 300), string.Join("; ", rig.Modem.Calls));
        Assert.AreEqual("refused busy hung-up", string.Join(" ", rig.Modem.Calls.Take(3).Select(c => c.EndedBy)), string.Join("; ", rig.Modem.Calls));
        var budi = rig.Modem.Calls[2];
        Assert.IsNull(budi.AnsweredAtMs);
        Assert.IsTrue(budi.EndedAtMs - budi.PlacedAtMs is >= 29500 and < 31500, "rang " + (budi.EndedAtMs - budi.PlacedAtMs) + " ms");
        Assert.IsTrue(rig.RunUntil(() => !rig.Device.App.Engine.Calls!.Running, 120), rig.Why);

        // A new alert: 112 answers, then the module resets in the middle of the call; 112 is called again.
        rig.Device.App.Engine.Cancel(false, rig.Device.Now);
        rig.Device.RunFor(1000);
        rig.Device.App.Engine.RaiseAlert(PanicDevice.Core.Protocol.AlertCode.Panic, rig.Device.Now);
        Assert.IsTrue(rig.RunUntil(() => rig.Modem.CurrentCall is { Up: true, Number: "112" } && rig.Driver.CallState == CallState.Connected, 120), rig.Why);
        int before = rig.Modem.Calls.Count(c => c.Number == "112");
        rig.Modem.RebootNow();
        Assert.IsTrue(rig.RunUntil(() => rig.Modem.Calls.Count(c => c.Number == "112") > before && rig.Modem.CurrentCall is { Up: true }, 120),
            "called again after the reset: " + string.Join("; ", rig.Modem.Calls));
        Assert.AreEqual("module-off", rig.Modem.Calls.Where(c => c.Number == "112").ElementAt(before - 1).EndedBy);
        // The network drops it: dropped after being answered counts as held, and the guardians come next.
        rig.Modem.DropCall();
        Assert.IsTrue(rig.RunUntil(() => rig.Modem.Calls.Last().Number == Siti, 60), string.Join("; ", rig.Modem.Calls));
    }

    [TestMethod]
    public async Task AnOperatorTakingTheAlertStopsTheCallsAndATestNeverCalls112()
    {
        await using var rig = new ModemRig(calls: Calls(o => o.AtOnce = true), guardians: new[] { Siti });
        rig.Modem.Phones["112"] = new EmulatedPhone { Answer = PhoneAnswer.NoAnswer };
        await rig.StartReceiverAsync();
        Assert.IsTrue(rig.RunUntil(() => rig.Device.Session.IsConnected, 60), rig.Why);
        rig.Device.App.Engine.RaiseAlert(PanicDevice.Core.Protocol.AlertCode.Test, rig.Device.Now);
        Assert.IsTrue(rig.RunUntil(() => rig.Modem.Calls.Count > 0, 60), "a test calls the guardians: " + rig.Why);
        Assert.AreEqual(Siti, rig.Modem.Calls[0].Number, "and never 112");
        rig.Device.App.Engine.Cancel(false, rig.Device.Now);
        Assert.IsTrue(rig.RunUntil(() => rig.Modem.CurrentCall == null && rig.Device.App.Engine.PendingCount == 0, 60), rig.Why);

        int before = rig.Modem.Calls.Count;
        rig.Device.App.Engine.RaiseAlert(PanicDevice.Core.Protocol.AlertCode.Panic, rig.Device.Now);
        Assert.IsTrue(rig.RunUntil(() => rig.Modem.CurrentCall is { Number: "112" }, 60), "112 rings: " + string.Join("; ", rig.Modem.Calls));
        // An operator acknowledges on the console: the signed status reaches the device, which hangs up and calls nobody else.
        var alerts = rig.Receiver!.Services.GetRequiredService<AlertBook>();
        var alert = alerts.Recent(1).Single();
        alerts.Act(alert.Id, "acknowledge", null, "dina");
        var device = rig.Receiver.Services.GetRequiredService<PanicDevice.Receiver.Registry.DeviceRegistry>().Find(ModemRig.Id)!;
        await rig.Receiver.Services.GetRequiredService<PanicDevice.Receiver.Mqtt.IDeviceDownlink>()
            .PublishToDeviceAsync(ModemRig.Id, PanicDevice.Receiver.Api.AlertEndpoints.StatusFrame(device, alert.LastCounter ?? alert.Counter, PanicDevice.Core.Protocol.AlertStatus.OperatorAcknowledged));
        Assert.IsTrue(rig.RunUntil(() => rig.Device.Feedback.Contains(FeedbackEvent.OperatorHasIt) && rig.Modem.CurrentCall == null, 60), "hung up: " + string.Join("; ", rig.Modem.Calls));
        Assert.AreEqual("hung-up", rig.Modem.Calls.Last().EndedBy);
        int placed = rig.Modem.Calls.Count;
        rig.Device.RunFor(120000);
        Assert.AreEqual(placed, rig.Modem.Calls.Count, "nobody else is called: " + string.Join("; ", rig.Modem.Calls));
        Assert.IsFalse(rig.Device.App.Engine.Calls!.Running);
    }

    [TestMethod]
    public async Task AGuardianCallingBackListensInSilentlyAndAStrangerIsRefused()
    {
        await using var rig = new ModemRig(calls: Calls(o => o.Rounds = 1), guardians: new[] { Siti });
        rig.TripleTap();
        Assert.IsTrue(rig.RunUntil(() => rig.Device.App.Engine.AlertActive && rig.Driver.Phase == PanicDevice.Core.Modem.Sim800Phase.Ready, 30), rig.Why);
        rig.Modem.RingFrom("+6289999999999");
        Assert.IsTrue(rig.RunUntil(() => rig.Modem.Calls.Last().EndedAtMs != null, 30), string.Join("; ", rig.Modem.Calls));
        Assert.AreEqual("rejected", rig.Modem.Calls.Last().EndedBy);
        rig.Modem.RingFrom("081200000001"); // Siti's number as the network shows it nationally
        Assert.IsTrue(rig.RunUntil(() => rig.Modem.CurrentCall is { Up: true }, 30), string.Join("; ", rig.Modem.Calls));
        Assert.AreEqual(0, rig.Modem.CurrentCall!.SpeakerLevel, "silent: the wearer's side makes no sound");
    }
}
